/* -c FILE: a run's options kept in a file, in fio's INI style.
 *
 *   ; a comment: a line whose first non-blank character is ';' or '#'
 *   [global]
 *   modes = host,virtio-blk,nvme
 *   runtime = 30
 *   boot-per-rep
 *   connect = qemu+ssh://h1/system
 *   connect = qemu+ssh://h2/system
 *   [mode virtio-blk]
 *   iothreads = 2
 *
 * Keys are the long options of the command, validated by their option
 * rows like on the command line; a flag needs no value; a [mode NAME]
 * section may hold only the per-mode tuning keys (mode_keys).  A value
 * keeps every character, ';' and '#' too (a path may hold them).  A key
 * given twice in one section is refused, but for a repeatable option
 * (connect), which takes every value as repeated --connect does.  The
 * command line overrides the file.  Every problem is one line naming the
 * file and line, exit 2.  (Whether a mode's tuning makes a valid
 * combination with the rest, e.g. --io native with a cache mode, is
 * checked by run once the command line is in.) */
#include "config.h"
#include "core/cfgfile.h"
#include "core/options.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What a [mode NAME] section may set: the guest's and its disk's tuning.
 * The fio job stays one for every mode (else modes are not comparable),
 * and so do the store and its format (one store serves every mode). */
static const char *const mode_keys[] = {"cache", "io", "iothreads", "queues", "vcpus", "memory", "boot-timeout",
                                        "vhost-poll", "iotune", "neighbour-iotune", NULL};

static bool mode_key(const char *k)
{
	for (size_t i = 0; mode_keys[i]; i++)
		if (!strcmp(mode_keys[i], k))
			return true;
	return false;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* One "key [= value]" line of a section: checked, and applied to c (the
 * [global] section) or kept in *modes (a [mode NAME] section). */
/* A key given before in this section: refused, or (a repeatable option
 * in [global]) its value added to the earlier ones, as repeated options
 * on the command line are. */
static int repeat(struct vb_config *c, const struct vb_option *o, const char *path, int ln, const char *section,
                  json_t *seen, bool *append)
{
	char *where = vb_asprintf("%s%s/%s", section ? "mode " : "global", section ? section : "", o->name);
	json_t *first = json_object_get(seen, where);
	int r = 0;
	*append = false;
	if (first && o->repeatable && !section && o->type == VB_OPT_STR)
		*append = *(char **)((char *)c + o->offset) != NULL;
	else if (first)
		r = vb_error("%s:%d: '%s' is set again (first on line %d): give it once", path, ln, o->name,
		             (int)json_integer_value(first));
	else
		json_object_set_new(seen, where, json_integer(ln));
	free(where);
	return r;
}

static int entry(struct vb_config *c, const char *cmd, const char *path, int ln, const char *section, char *line, json_t *modes,
                 json_t *seen)
{
	char *eq = strchr(line, '='), *key = trim(line), *val = NULL;
	if (eq) {
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
	}
	const struct vb_option *o = vb_option_find(key, cmd);
	if (!o || !strcmp(key, "config") || !strcmp(key, "help"))
		return vb_error("%s:%d: '%s' is not an option of this command: keys are the long options ('vmio-bench run --help')",
		                path, ln, key);
	if (o->type == VB_OPT_FLAG && val && strcmp(val, "1") && strcmp(val, "true") && strcmp(val, "yes"))
		return vb_error("%s:%d: '%s' is a flag: write it alone (or '%s = 1')", path, ln, key, key);
	if (o->type != VB_OPT_FLAG && (!val || !*val))
		return vb_error("%s:%d: '%s' needs a value: '%s = %s'", path, ln, key, key, o->metavar ? o->metavar : "VALUE");
	bool append;
	if (repeat(c, o, path, ln, section, seen, &append) < 0)
		return -1;
	if (!section) {
		char *msg = NULL;
		const char *v = o->type == VB_OPT_FLAG ? "1" : val;
		if ((append ? vb_option_add_quiet(c, o, v, &msg) : vb_option_set_quiet(c, o, v, &msg)) < 0) {
			vb_error("%s:%d: %s", path, ln, msg);
			free(msg);
			return -1;
		}
		return 0;
	}
	if (!mode_key(key))
		return vb_error("%s:%d: '%s' cannot differ between modes ([mode %s]): only cache, io, iothreads, queues, vcpus, "
		                "memory, boot-timeout, vhost-poll, iotune and neighbour-iotune can; put it in [global]",
		                path, ln, key, section);
	/* validated on a scratch configuration, applied per mode by run */
	struct vb_config scratch = {0};
	char *argv[] = {"run", NULL}, *msg = NULL;
	vb_options_parse(&scratch, cmd, 1, argv, NULL, NULL);
	int r = vb_option_set_quiet(&scratch, o, o->type == VB_OPT_FLAG ? "1" : val, &msg);
	vb_config_release(&scratch);
	if (r < 0) {
		vb_error("%s:%d: [mode %s] %s", path, ln, section, msg);
		free(msg);
		return -1;
	}
	json_t *m = json_object_get(modes, section);
	if (!m)
		json_object_set_new(modes, section, m = json_object());
	json_object_set_new(m, key, json_string(o->type == VB_OPT_FLAG ? "1" : val));
	return 0;
}

/* A header line, exactly "[global]" (returns "") or "[mode NAME]" with a
 * known mode (returns NAME, inside line); NULL for anything else.  The
 * modes are the parts that joined the option table (vb_options_add_part). */
static const char *header(char *line)
{
	size_t n = strlen(line);
	if (!strcmp(line, "[global]"))
		return "";
	if (strncmp(line, "[mode ", 6) != 0 || n < 8 || line[n - 1] != ']')
		return NULL;
	line[n - 1] = '\0';
	const char *name = line + 6;
	char base[64];
	/* a variant (BASE+TAG: BASE under another name, e.g. a tune's
	 * candidate) takes its base's tuning */
	bool variant = vb_mode_variant_base(name, base, sizeof(base)) && vb_options_part_known(base);
	if (!variant && !vb_options_part_known(name)) {
		line[n - 1] = ']'; /* the message quotes the line */
		return NULL;
	}
	return name;
}

int vb_config_file_load(struct vb_config *c, const char *cmd, const char *path)
{
	size_t len = 0;
	char *text = vb_read_file(path, 1 << 20, &len);
	if (!text)
		return vb_error("-c %s: cannot read it: %s", path, errno ? strerror(errno) : "too large or unreadable");
	if (strlen(text) != len) {
		free(text);
		return vb_error("-c %s: the file holds a NUL byte: it is not a text file", path);
	}
	json_t *modes = json_object(), *seen = json_object();
	char *copy = vb_strdup(text), *save = NULL, *section = NULL;
	bool global_seen = false;
	int ln = 0, r = 0;
	for (char *p = copy, *nl; p && r == 0; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		ln++;
		char *line = trim(p);
		for (const char *s = line; *s && r == 0; s++)
			if ((unsigned char)*s < 0x20 && *s != '\t')
				r = vb_error("%s:%d: a control character: the file is not a text file", path, ln);
		if (r || !*line || *line == ';' || *line == '#')
			continue;
		if (*line == '[') {
			const char *name = header(line);
			if (!name)
				r = vb_error("%s:%d: '%s' is not a section: use exactly [global] or [mode NAME] with a mode from "
				             "'vmio-bench modes'", path, ln, line);
			else if (!*name)
				section = NULL, global_seen = true;
			else {
				free(save);
				section = save = vb_strdup(name);
			}
			continue;
		}
		if (!global_seen && !section)
			r = vb_error("%s:%d: an option before any section: start the file with [global]", path, ln);
		else
			r = entry(c, cmd, path, ln, section, line, modes, seen);
	}
	free(save);
	free(copy);
	json_decref(seen);
	if (r < 0) {
		free(text);
		json_decref(modes);
		return -1;
	}
	json_decref(c->mode_tuning);
	c->mode_tuning = modes;
	free(c->config_text);
	c->config_text = text;
	free(c->config);
	c->config = vb_strdup(path);
	return 0;
}
