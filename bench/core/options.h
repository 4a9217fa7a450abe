/* options: every command-line option is one row of a table (name, type,
 * target field, default, help, which subcommands take it (by their names),
 * whether --sweep may vary it), written with named fields.  That row drives
 * parsing, validation, defaults, --help and the configuration recorded in
 * run.json; nothing else lists options. */
#ifndef VB_OPTIONS_H
#define VB_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/vbconfig.h"

enum vb_opt_type {
	VB_OPT_STR,    /* free string (paths are checked where used) */
	VB_OPT_UINT,   /* unsigned within [min, max] */
	VB_OPT_SIZE,   /* bytes, with k/m/g/t suffixes, within [min, max] */
	VB_OPT_CHOICE, /* one of a '|'-separated list */
	VB_OPT_FLAG,   /* no argument; sets a bool */
	VB_OPT_PCT,    /* a decimal number (double) within [min, max] */
};

/* The command whose options a run records in run.json's "config" and
 * --sweep varies.  Options name the commands that take them by the
 * commands' names (vb_option.cmds); core knows no other command and no
 * list of them (the command table, bench/commands.h, is above it). */
#define VB_CMD_RUN "run"

struct vb_option {
	const char *name;
	enum vb_opt_type type;
	size_t offset;          /* into struct vb_config, or a part's own struct (vb_option_part) */
	const char *defval;     /* NULL: no default (unset) */
	const char *choices;    /* VB_OPT_CHOICE: "a|b|c" */
	unsigned long long min, max;
	const char *cmds;       /* the commands that take it, by name, space-separated: "run xml" ("*": every command) */
	const char *metavar;
	const char *help;
	const char *record;     /* key in run.json's config ("" = not recorded) */
	bool sweepable;         /* --sweep may vary it (a fio parameter of the job) */
	bool point_if_swept;    /* sweepable, but a point's params name it only when
	                           the sweep varies it (storage: not a fio parameter,
	                           and runs from before it existed name no such key) */
	const char *zero_word;  /* VB_OPT_UINT: a word that stands for 0 ("auto"), recorded as that word */
	bool repeatable;        /* VB_OPT_STR: given again, the values add up in the list at list_offset
	                           (and in the string at offset, one per line) */
	size_t list_offset;     /* repeatable: its struct vb_strlist in struct vb_config */
	bool fio_path;          /* VB_OPT_STR: a path that may reach fio as a filename (vb_fio_path_check) */
	char *(*check)(const char *v); /* VB_OPT_STR: NULL when v is good, else why not (caller frees) */
};

extern const struct vb_option vb_options[];

/* A part above core that owns options, as fio's engines do (a bus mode:
 * --lun-device is lun's): its rows' offsets point into a private struct
 * of its own (size bytes), which every struct vb_config carries for it
 * (vb_config_part).  Parts join the table from above (modes/mode.c), so
 * core knows none of them by name; name is what a -c file's [mode NAME]
 * section calls it, and a part may join with no rows (rows NULL, size 0). */
struct vb_option_part {
	const char *name;
	const struct vb_option *rows; /* ended by a row without a name */
	size_t size;
};
/* p joins (kept, not copied; once per name): its rows follow the table's
 * and the parts before it, for parsing, --help and run.json alike. */
void vb_options_add_part(const struct vb_option_part *p);
/* Has a part of this name joined? */
bool vb_options_part_known(const char *name);
/* The private struct of the part whose rows are rows, in c (zeroes where c
 * has none yet).  Borrowed. */
const void *vb_config_part(const struct vb_config *c, const struct vb_option *rows);

/* Every option row: the table in options.c, then each part's own rows
 * (vb_option_part: --lun-device, --pci-device), which parsing, --help and
 * run.json take alike.  vb_option_next(NULL) is the first; NULL ends. */
const struct vb_option *vb_option_next(const struct vb_option *o);
#define VB_FOREACH_OPTION(o) for (const struct vb_option *o = vb_option_next(NULL); o; o = vb_option_next(o))

/* Set option o from the text v, validated by its row; -1 with *msg (caller
 * frees) when v is bad. */
int vb_option_set_quiet(struct vb_config *c, const struct vb_option *o, const char *v, char **msg);
/* The same for a repeatable option given again: v joins its values. */
int vb_option_add_quiet(struct vb_config *c, const struct vb_option *o, const char *v, char **msg);

/* A copy of src with strings of its own (released with vb_config_release);
 * the -c file's text and sections stay with src. */
void vb_config_copy(struct vb_config *dst, const struct vb_config *src);
/* Set options from {"option": "value", ...} (a -c [mode NAME] section);
 * -1 with *why (caller frees) on a bad one. */
int vb_config_apply(struct vb_config *c, const char *cmd, json_t *settings, char **why);

/* Whether command cmd (its name; or several names, space-separated: any
 * of them) takes option o. */
bool vb_option_takes(const struct vb_option *o, const char *cmd);
/* The row of option name that command cmd takes, or NULL. */
const struct vb_option *vb_option_find(const char *name, const char *cmd);

/* Fill defaults, then parse argv for subcommand cmd (argv[0] is the
 * subcommand name).  Positional arguments are returned in *rest / *nrest
 * (borrowed from argv).  Reports one line and returns -1 on bad usage. */
int vb_options_parse(struct vb_config *c, const char *cmd, int argc, char **argv,
                     char ***rest, int *nrest);
/* The two halves of it, for main(), which reads a -c FILE in between (the
 * file over the defaults, the command line over the file). */
void vb_options_defaults(struct vb_config *c);
int vb_options_parse_args(struct vb_config *c, const char *cmd, int argc, char **argv,
                          char ***rest, int *nrest);
/* The -c FILE (or --config FILE) among argv when cmd takes it (the last
 * one given), or NULL. */
const char *vb_options_config_file(const char *cmd, int argc, char **argv);
void vb_options_help(FILE *f, const char *cmd);
/* The effective configuration as a JSON object (new reference). */
json_t *vb_options_to_json(const struct vb_config *c, const char *cmd);
/* The reverse, for --resume: every recorded option of cmd found in o is
 * validated through its table row and set.  Reports and returns -1 on a
 * value of the wrong type or out of range. */
int vb_options_from_json(struct vb_config *c, const char *cmd, json_t *o);

#endif
