#include "config.h"
#include "mode.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

extern const struct vb_mode vb_mode_virtio_blk;

const struct vb_mode *const vb_modes[] = {
	&vb_mode_virtio_blk,
	NULL,
};

const struct vb_mode *vb_mode_find(const char *name)
{
	for (size_t i = 0; vb_modes[i]; i++)
		if (strcmp(vb_modes[i]->name, name) == 0)
			return vb_modes[i];
	return NULL;
}

char *vb_mode_names(void)
{
	struct vb_buf b = {0};
	for (size_t i = 0; vb_modes[i]; i++)
		vb_buf_addf(&b, "%s%s", i ? ", " : "", vb_modes[i]->name);
	return vb_buf_release(&b);
}

const struct vb_mode **vb_mode_list_parse(const char *list)
{
	size_t nmodes = 0, n = 0;
	const struct vb_mode **out;
	char *copy, *save = NULL, *tok;

	while (vb_modes[nmodes])
		nmodes++;
	if (!list || !*list) {
		vb_error("--modes: the list is empty: name at least one mode ('vmio-bench modes' lists them)");
		return NULL;
	}
	if (strcmp(list, "all") == 0) {
		out = vb_calloc(nmodes + 1, sizeof(*out));
		for (size_t i = 0; i < nmodes; i++)
			out[i] = vb_modes[i];
		return out;
	}
	if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,")) {
		vb_error("--modes: '%s' has an empty item: separate mode names with single commas", list);
		return NULL;
	}
	copy = vb_strdup(list);
	out = vb_calloc(nmodes + 1, sizeof(*out));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct vb_mode *m = vb_mode_find(tok);
		if (!m) {
			char *names = vb_mode_names();
			vb_error("--modes: unknown mode '%s': choose from %s, or all", tok, names);
			free(names);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			if (out[i] == m) {
				vb_error("--modes: mode '%s' is named twice: name each mode once", tok);
				goto fail;
			}
		}
		out[n++] = m;
	}
	free(copy);
	return out;
fail:
	free(copy);
	free(out);
	return NULL;
}
