/* gp: driving gnuplot.  Every string from a guest or a results folder
 * reaches a script through vb_gp_quote (gnuplot runs `backquotes` even
 * inside double quotes); scripts take their folder as ARG1 ("DIR"), so
 * nothing changes the working directory.  gnuplot's own messages go to a
 * log file, not the terminal. */
#ifndef VB_GP_H
#define VB_GP_H

#include <stdbool.h>
#include <stdio.h>

#include "core/util.h"

/* Append s to b as a gnuplot double-quoted string, whitelisted: printable
 * ASCII without ` " \ $ @ < > &; anything else becomes '?', a newline \n. */
void vb_gp_quote(struct vb_buf *b, const char *s);
/* Open a loop that draws the same chart as DIR/NAME.png and DIR/NAME.svg
 * (the script defines DIR; the caller closes the loop with "}"). */
void vb_gp_formats(FILE *f, const char *name);
/* Is gnuplot installed? */
bool vb_gp_available(void);
/* gnuplot -c script dir, its output to log, at most 120 s; the exit
 * status, or -1 if it could not run. */
int vb_gp_run(const char *script, const char *dir, const char *log);

#endif
