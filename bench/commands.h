/* commands: the subcommands, one row each.  A command is one file in cmd/
 * that defines its row (const struct vb_command vb_command_NAME) and one
 * word in main.c's VB_COMMANDS list (and its file in Makefile.am).  main()
 * finds the row, parses the command's options (the option table's rows
 * name the commands that take them, by the command's name), answers --help
 * from the row and the option table, and only then calls the command with
 * the parsed configuration and its positional arguments.  The command
 * borrows both; main releases them. */
#ifndef VB_COMMANDS_H
#define VB_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/vbconfig.h"

struct vb_command {
	const char *name;       /* the options that name it in their rows are its options */
	bool args;              /* takes positional arguments (else they are refused) */
	int (*fn)(struct vb_config *c, int nargs, char **args);
	const char *synopsis;   /* after "usage: vmio-bench " */
	const char *summary;    /* one line for 'vmio-bench --help' */
	const char *help;       /* lines between the usage line and the options */
};

/* The manual page (roff) and the bash completion script, from the same
 * tables as --help (cmd/doc.c); 'vmio-bench --man' and
 * 'vmio-bench --bash-completion' print them, and the build installs them. */
void vb_doc_man(FILE *f, const struct vb_command *const *cmds);
void vb_doc_bash_completion(FILE *f, const struct vb_command *const *cmds);

#endif
