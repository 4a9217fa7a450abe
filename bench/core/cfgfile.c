/* -c FILE: a run's options kept in a file, in fio's INI style.
 *
 *   ; a comment (so is '#')
 *   [global]
 *   modes = host,virtio-blk,nvme
 *   runtime = 30
 *   boot-per-rep                 ; a flag needs no value
 *   [mode virtio-blk]
 *   iothreads = 2                ; tuning for this mode only
 *
 * Keys are the long options of the command, validated by their option
 * rows like on the command line; a [mode NAME] section may hold only the
 * per-mode tuning keys (mode_keys).  The command line overrides the file.
 * Every problem is one line naming the file and line, exit 2.  (Whether a
 * mode's tuning makes a valid combination with the rest, e.g. --io native
 * with a cache mode, is checked by run once the command line is in.) */
#include "config.h"
#include "cfgfile.h"
#include "mode.h"
#include "options.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What a [mode NAME] section may set: the guest's and its disk's tuning.
 * The fio job stays one for every mode (else modes are not comparable),
 * and so do the store and its format (one store serves every mode). */
static const char *const mode_keys[] = {"cache", "io", "iothreads", "queues", "vcpus", "memory", "boot-timeout",
                                        "vhost-poll", NULL};

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
static int entry(struct vb_config *c, unsigned cmd, const char *path, int ln, const char *section, char *line, json_t *modes)
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
	if (!section) {
		char *msg = NULL;
		if (vb_option_set_quiet(c, o, o->type == VB_OPT_FLAG ? "1" : val, &msg) < 0) {
			vb_error("%s:%d: %s", path, ln, msg);
			free(msg);
			return -1;
		}
		return 0;
	}
	if (!mode_key(key))
		return vb_error("%s:%d: '%s' cannot differ between modes ([mode %s]): only cache, io, iothreads, queues, vcpus, "
		                "memory, boot-timeout and vhost-poll can; put it in [global]",
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

int vb_config_file_load(struct vb_config *c, unsigned cmd, const char *path)
{
	size_t len = 0;
	char *text = vb_read_file(path, 1 << 20, &len);
	if (!text)
		return vb_error("-c %s: cannot read it: %s", path, errno ? strerror(errno) : "too large or unreadable");
	if (strlen(text) != len) {
		free(text);
		return vb_error("-c %s: the file holds a NUL byte: it is not a text file", path);
	}
	json_t *modes = json_object();
	char *copy = vb_strdup(text), *save = NULL, *section = NULL;
	bool global_seen = false;
	int ln = 0, r = 0;
	for (char *p = copy, *nl; p && r == 0; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		ln++;
		char *cut = strpbrk(p, ";#");
		if (cut)
			*cut = '\0';
		char *line = trim(p);
		for (const char *s = line; *s && r == 0; s++)
			if ((unsigned char)*s < 0x20 && *s != '\t')
				r = vb_error("%s:%d: a control character: the file is not a text file", path, ln);
		if (r || !*line)
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']'), name[64];
			if (!end || end[1])
				r = vb_error("%s:%d: a section header is '[global]' or '[mode NAME]'", path, ln);
			else if (!strcmp(line, "[global]"))
				section = NULL, global_seen = true;
			else if (sscanf(line, "[mode %63[^] ]]", name) == 1 && vb_mode_find(name)) {
				free(save);
				section = save = vb_strdup(name);
			} else
				r = vb_error("%s:%d: '%s' is not a section: use [global] or [mode NAME] with a mode from 'vmio-bench modes'",
				             path, ln, line);
			continue;
		}
		if (!global_seen && !section)
			r = vb_error("%s:%d: an option before any section: start the file with [global]", path, ln);
		else
			r = entry(c, cmd, path, ln, section, line, modes);
	}
	free(save);
	free(copy);
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
