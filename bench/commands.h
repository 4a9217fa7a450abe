/* commands: the subcommands, one row each.  main() finds the row, parses
 * the command's options (the option table's rows name the commands they
 * belong to), answers --help from the row and the option table, and only
 * then calls the command with the parsed configuration and its positional
 * arguments.  The command borrows both; main releases them. */
#ifndef VB_COMMANDS_H
#define VB_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/vbconfig.h"

struct vb_command {
	const char *name;
	unsigned cmd;           /* its VB_CMD_* bit in the option table */
	bool args;              /* takes positional arguments (else they are refused) */
	int (*fn)(struct vb_config *c, int nargs, char **args);
	const char *synopsis;   /* after "usage: vmio-bench " */
	const char *summary;    /* one line for 'vmio-bench --help' */
	const char *help;       /* lines between the usage line and the options */
};

int vb_cmd_run(struct vb_config *c, int nargs, char **args);
int vb_cmd_xml(struct vb_config *c, int nargs, char **args);
int vb_cmd_modes(struct vb_config *c, int nargs, char **args);
int vb_cmd_image(struct vb_config *c, int nargs, char **args);
int vb_cmd_report(struct vb_config *c, int nargs, char **args);
int vb_cmd_compare(struct vb_config *c, int nargs, char **args);
int vb_cmd_trend(struct vb_config *c, int nargs, char **args);
int vb_cmd_gate(struct vb_config *c, int nargs, char **args);
int vb_cmd_accept(struct vb_config *c, int nargs, char **args);
int vb_cmd_doctor(struct vb_config *c, int nargs, char **args);
int vb_cmd_import(struct vb_config *c, int nargs, char **args);

/* The manual page (roff) and the bash completion script, from the same
 * tables as --help (cmd/doc.c); 'vmio-bench --man' and
 * 'vmio-bench --bash-completion' print them, and the build installs them. */
void vb_doc_man(FILE *f, const struct vb_command *cmds);
void vb_doc_bash_completion(FILE *f, const struct vb_command *cmds);

#endif
