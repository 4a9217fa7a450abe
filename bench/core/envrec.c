/* envrec: the hypervisor's environment as a run records it (envrec.h). */
#include "config.h"
#include "core/envrec.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static void kv_release(struct vb_env_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].text);
	}
	free(kv);
}

void vb_env_release(struct vb_env *e)
{
	if (!e)
		return;
	char *strings[] = {e->kernel, e->governor, e->thp_enabled, e->thp_defrag, e->store_path, e->store_mount,
	                   e->store_fs, e->store_source, e->store_device, e->store_disk, e->store_scheduler};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(strings[i]);
	kv_release(e->mitigations, e->nmitigations);
	memset(e, 0, sizeof(*e));
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._:+-", c);
}

static char *clean(const char *s, size_t cap, bool word)
{
	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	size_t n = strnlen(s, cap);
	char *r = vb_calloc(n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		r[i] = c < 0x20 || c > 0x7e || (word && !word_char((char)c)) ? '?' : (char)c;
	}
	while (n && r[n - 1] == ' ')
		r[--n] = '\0';
	if (!n) {
		free(r);
		return NULL;
	}
	return r;
}

char *vb_env_text(const char *s, size_t cap)
{
	return clean(s, cap, false);
}

char *vb_env_word(const char *s, size_t cap)
{
	return clean(s, cap, true);
}

bool vb_env_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 1 || n > 48)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

bool vb_env_add_mitigation(struct vb_env *e, const char *name, const char *text)
{
	if (!vb_env_name_ok(name) || e->nmitigations >= VB_ENV_MITIGATIONS_MAX)
		return false;
	if (!e->mitigations)
		e->mitigations = vb_calloc(VB_ENV_MITIGATIONS_MAX, sizeof(*e->mitigations));
	e->mitigations[e->nmitigations].name = vb_strdup(name);
	e->mitigations[e->nmitigations].text = vb_env_text(text, VB_ENV_TEXT_MAX);
	e->nmitigations++;
	return true;
}

/* ---- rows ---------------------------------------------------------------- */

/* the rows but the mitigations' (see vb_env_rows) */
#define FIXED_ROWS 16

struct rows {
	struct vb_env_row *r;
	size_t n;
};

/* value is a new string, or NULL: unknown */
static void row(struct rows *rs, char *label, char *value)
{
	rs->r[rs->n].label = label;
	rs->r[rs->n].value = value;
	rs->n++;
}

static char *dup_or_null(const char *s)
{
	return s ? vb_strdup(s) : NULL;
}

static char *tristate(int v, const char *on, const char *off)
{
	return v < 0 ? NULL : vb_strdup(v ? on : off);
}

static void store_rows(struct rows *rs, const struct vb_env *e)
{
	if (!e->has_store) {
		row(rs, vb_strdup("store"), vb_strdup("none (no store file or device)"));
		return;
	}
	row(rs, vb_strdup("store path"), dup_or_null(e->store_path));
	row(rs, vb_strdup("store mount"), dup_or_null(e->store_mount));
	row(rs, vb_strdup("store file system"), dup_or_null(e->store_fs));
	row(rs, vb_strdup("store source"), dup_or_null(e->store_source));
	row(rs, vb_strdup("store device"), dup_or_null(e->store_device));
	row(rs, vb_strdup("store disk"), dup_or_null(e->store_disk));
	row(rs, vb_strdup("store I/O scheduler"), dup_or_null(e->store_scheduler));
	row(rs, vb_strdup("store rotational"), tristate(e->store_rotational, "yes", "no"));
}

size_t vb_env_rows(const struct vb_env *e, struct vb_env_row **rows)
{
	struct rows rs = {vb_calloc(FIXED_ROWS + e->nmitigations, sizeof(struct vb_env_row)), 0};
	row(&rs, vb_strdup("kernel"), dup_or_null(e->kernel));
	row(&rs, vb_strdup("CPU governor"), vb_strdup(e->governor ? e->governor : "none (no cpufreq)"));
	row(&rs, vb_strdup("CPU boost"), tristate(e->boost, "on", "off"));
	row(&rs, vb_strdup("THP enabled"), dup_or_null(e->thp_enabled));
	row(&rs, vb_strdup("THP defrag"), dup_or_null(e->thp_defrag));
	row(&rs, vb_strdup("NUMA nodes"), e->numa_nodes < 0 ? NULL : vb_asprintf("%d", e->numa_nodes));
	row(&rs, vb_strdup("memory"), e->mem_total_kib < 0 ? NULL
	                                  : vb_asprintf("%.1f GiB (%lld kB)", (double)e->mem_total_kib / (1 << 20),
	                                                e->mem_total_kib));
	if (!e->has_mitigations)
		row(&rs, vb_strdup("mitigations"), NULL);
	for (size_t i = 0; i < e->nmitigations; i++)
		row(&rs, vb_asprintf("mitigation %s", e->mitigations[i].name), dup_or_null(e->mitigations[i].text));
	store_rows(&rs, e);
	*rows = rs.r;
	return rs.n;
}

void vb_env_rows_free(struct vb_env_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].label);
		free(rows[i].value);
	}
	free(rows);
}
