/* hostenv: the hypervisor's environment, read once per run (hostenv.h). */
#include "config.h"
#include "host/hostenv.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The helper: every line it prints is tagged (hostenv.h).  $1 is the
 * store's path, "" for none.  A file's first line is read by the shell's
 * own read (a fork per file cost 0.7 s a run here, on 2 busy cores); the
 * parser takes a text's tabs as they come.  It exits 0 whatever it could
 * not read: what is missing is unknown, not an error. */
static const char helper[] =
	"exec 2>/dev/null\n"
	"r() { x=; [ -r \"$1\" ] && { IFS= read -r x < \"$1\" || [ -n \"$x\" ]; }; }\n"
	"for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor /sys/devices/system/cpu/cpufreq/boost "
	"/sys/devices/system/cpu/intel_pstate/no_turbo /sys/kernel/mm/transparent_hugepage/enabled "
	"/sys/kernel/mm/transparent_hugepage/defrag /sys/devices/system/cpu/vulnerabilities/*; do\n"
	"  [ -f \"$f\" ] && r \"$f\" && printf 'f\\t%s\\t%s\\n' \"$f\" \"$x\"\n"
	"done\n"
	"[ -d /sys/devices/system/cpu/vulnerabilities ] && echo vuln\n"
	"for d in /sys/devices/system/node/node[0-9]*; do [ -d \"$d\" ] && printf 'node\\t%s\\n' \"${d##*/}\"; done\n"
	"while IFS= read -r l; do case $l in MemTotal:*) printf 'mem\\t%s\\n' \"$l\"; break;; esac; done < /proc/meminfo\n"
	"printf 'uname\\t%s\\n' \"$(uname -r)\"\n"
	"if [ -n \"$1\" ]; then\n"
	"  printf 'real\\t%s\\n' \"$(readlink -f -- \"$1\")\"\n"
	"  [ -b \"$1\" ] && printf 'rdev\\t%s\\n' \"$(stat -L -c '%t:%T' -- \"$1\")\"\n"
	"  while IFS= read -r l; do printf 'mi\\t%s\\n' \"$l\"; done < /proc/self/mountinfo\n"
	"  for b in /sys/block/*; do\n"
	"    r \"$b/dev\"; n=$x; r \"$b/queue/scheduler\"; q=$x; r \"$b/queue/rotational\"\n"
	"    printf 'blk\\t%s\\t%s\\t%s\\t%s\\n' \"${b##*/}\" \"$n\" \"$q\" \"$x\"\n"
	"    for p in \"$b\"/*/partition; do\n"
	"      [ -f \"$p\" ] && p=${p%/partition} && r \"$p/dev\" && printf 'part\\t%s\\t%s\\t%s\\n' \"${p##*/}\" \"$x\" \"${b##*/}\"\n"
	"    done\n"
	"  done\n"
	"fi\n"
	"exit 0\n";

/* ---- small parsers ------------------------------------------------------- */

char *vb_hostenv_selected(const char *line)
{
	if (!line)
		return NULL;
	const char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
	if (open && close && close > open + 1) {
		char *w = strndup(open + 1, (size_t)(close - open - 1));
		char *r = w && !strchr(w, ' ') ? vb_env_word(w, VB_ENV_WORD_MAX) : NULL;
		free(w);
		return r;
	}
	if (open)
		return NULL;
	line += strspn(line, " ");
	size_t n = strcspn(line, " ");
	if (!n || line[n + strspn(line + n, " ")]) /* nothing, or more than one word */
		return NULL;
	char *w = strndup(line, n), *r = w ? vb_env_word(w, VB_ENV_WORD_MAX) : NULL;
	free(w);
	return r;
}

/* mountinfo's escapes: \ooo (octal) for a blank, a tab, a line end, a
 * backslash.  A new string (cleaned by the caller). */
static char *unescape(const char *s, size_t n)
{
	char *r = vb_calloc(n + 1, 1), *o = r;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
		    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	return r;
}

/* Does the mount point hold path (path itself, or a folder above it)? */
static bool holds(const char *point, const char *path)
{
	size_t n = strlen(point);
	if (strcmp(point, "/") == 0)
		return path[0] == '/';
	return strncmp(point, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* One line of mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FS SOURCE SUPER".
 * The point (raw, escaped), fs and source as spans of line; -1 when the
 * line is not one. */
struct mi_line {
	unsigned major, minor;
	const char *point, *fs, *source;
	size_t npoint, nfs, nsource;
};

static const char *token(const char **p, size_t *n)
{
	const char *s = *p + strspn(*p, " ");
	*n = strcspn(s, " \n");
	*p = s + *n;
	return *n ? s : NULL;
}

static int mi_parse(const char *line, struct mi_line *m)
{
	const char *p = line, *t[6];
	size_t n[6], dn;
	for (int i = 0; i < 6; i++)
		if (!(t[i] = token(&p, &n[i])))
			return -1;
	if (sscanf(t[2], "%u:%u", &m->major, &m->minor) != 2)
		return -1;
	const char *d;
	while ((d = token(&p, &dn)) && !(dn == 1 && *d == '-'))
		; /* the optional fields, up to the separator */
	if (!d || !(m->fs = token(&p, &m->nfs)) || !(m->source = token(&p, &m->nsource)))
		return -1;
	m->point = t[4];
	m->npoint = n[4];
	return 0;
}

int vb_hostenv_mount_find(const char *mountinfo, const char *path, struct vb_hostenv_mount *m)
{
	memset(m, 0, sizeof(*m));
	size_t best = 0;
	bool found = false;
	for (const char *l = mountinfo; l && *l; l += strcspn(l, "\n"), l += *l == '\n') {
		struct mi_line x;
		if (mi_parse(l, &x) < 0)
			continue;
		char *point = unescape(x.point, x.npoint);
		size_t len = strlen(point);
		if (*point == '/' && holds(point, path) && (!found || len >= best)) {
			vb_hostenv_mount_release(m);
			char *fs = strndup(x.fs, x.nfs), *src = unescape(x.source, x.nsource);
			m->point = vb_env_text(point, VB_ENV_PATH_MAX);
			m->fs = vb_env_word(fs, VB_ENV_WORD_MAX);
			m->source = vb_env_text(src, VB_ENV_PATH_MAX);
			m->major = x.major;
			m->minor = x.minor;
			free(fs);
			free(src);
			best = len;
			found = true;
		}
		free(point);
	}
	return found ? 0 : -1;
}

void vb_hostenv_mount_release(struct vb_hostenv_mount *m)
{
	free(m->point);
	free(m->fs);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

/* ---- the helper's output ------------------------------------------------- */

#define MAX_GOVERNORS 8

/* What the lines say before they are put together. */
struct seen {
	char *governor[MAX_GOVERNORS];
	unsigned ngovernor;
	bool governor_other;     /* more distinct ones than fit */
	int cpufreq_boost, no_turbo;
	char *real, *rdev;
	struct vb_buf mountinfo; /* the mi lines, untagged */
	struct vb_buf devs;      /* the blk and part lines, as they came */
};

static void governor_add(struct seen *s, const char *text)
{
	char *g = vb_env_word(text, VB_ENV_WORD_MAX);
	if (!g)
		return;
	for (unsigned i = 0; i < s->ngovernor; i++)
		if (strcmp(s->governor[i], g) == 0) {
			free(g);
			return;
		}
	if (s->ngovernor < MAX_GOVERNORS) {
		s->governor[s->ngovernor++] = g;
		return;
	}
	s->governor_other = true;
	free(g);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One value, or "mixed: a, b" (sorted); NULL when no CPU has cpufreq. */
static char *governor_summary(struct seen *s)
{
	if (!s->ngovernor)
		return NULL;
	if (s->ngovernor == 1)
		return vb_strdup(s->governor[0]);
	qsort(s->governor, s->ngovernor, sizeof(char *), cmp_str);
	struct vb_buf b = {0};
	vb_buf_adds(&b, "mixed: ");
	for (unsigned i = 0; i < s->ngovernor; i++)
		vb_buf_addf(&b, "%s%s", i ? ", " : "", s->governor[i]);
	if (s->governor_other)
		vb_buf_adds(&b, ", ...");
	return vb_buf_release(&b);
}

static bool prefix_suffix(const char *s, const char *pre, const char *suf)
{
	size_t n = strlen(s), np = strlen(pre), ns = strlen(suf);
	return n > np + ns && strncmp(s, pre, np) == 0 && strcmp(s + n - ns, suf) == 0;
}

static int zero_one(const char *text)
{
	return strcmp(text, "1") == 0 ? 1 : strcmp(text, "0") == 0 ? 0 : -1;
}

/* A file's line: which setting it is, by its path. */
static void file_line(struct vb_env *e, struct seen *s, const char *path, const char *text)
{
	static const char vuln[] = "/sys/devices/system/cpu/vulnerabilities/";
	if (prefix_suffix(path, "/sys/devices/system/cpu/cpu", "/cpufreq/scaling_governor"))
		governor_add(s, text);
	else if (strcmp(path, "/sys/devices/system/cpu/cpufreq/boost") == 0)
		s->cpufreq_boost = zero_one(text);
	else if (strcmp(path, "/sys/devices/system/cpu/intel_pstate/no_turbo") == 0)
		s->no_turbo = zero_one(text);
	else if (strcmp(path, "/sys/kernel/mm/transparent_hugepage/enabled") == 0 && !e->thp_enabled)
		e->thp_enabled = vb_hostenv_selected(text);
	else if (strcmp(path, "/sys/kernel/mm/transparent_hugepage/defrag") == 0 && !e->thp_defrag)
		e->thp_defrag = vb_hostenv_selected(text);
	else if (strncmp(path, vuln, sizeof(vuln) - 1) == 0)
		vb_env_add_mitigation(e, path + sizeof(vuln) - 1, text);
}

/* "MemTotal:   24683748 kB" */
static long long mem_total(const char *line)
{
	long long v = -1;
	char unit[8] = "";
	if (sscanf(line, "MemTotal: %lld %7s", &v, unit) != 2 || v < 0 || strcmp(unit, "kB") != 0)
		return -1;
	return v;
}

static bool node_name(const char *a)
{
	return a && prefix_suffix(a, "node", "") && strspn(a + 4, "0123456789") == strlen(a + 4);
}

static void one_line(struct vb_env *e, struct seen *s, char *line)
{
	if (strncmp(line, "mi\t", 3) == 0) {
		vb_buf_addf(&s->mountinfo, "%s\n", line + 3);
		return;
	}
	if (strncmp(line, "blk\t", 4) == 0 || strncmp(line, "part\t", 5) == 0) {
		vb_buf_addf(&s->devs, "%s\n", line);
		return;
	}
	char *p = line, *tag = strsep(&p, "\t"), *a = strsep(&p, "\t");
	if (strcmp(tag, "f") == 0 && a && p)
		file_line(e, s, a, p);
	else if (strcmp(tag, "vuln") == 0)
		e->has_mitigations = true;
	else if (strcmp(tag, "node") == 0 && node_name(a))
		e->numa_nodes = e->numa_nodes < 0 ? 1 : e->numa_nodes + 1;
	else if (strcmp(tag, "mem") == 0 && a)
		e->mem_total_kib = mem_total(a);
	else if (strcmp(tag, "uname") == 0 && a && !e->kernel)
		e->kernel = vb_env_text(a, VB_ENV_TEXT_MAX);
	else if (strcmp(tag, "real") == 0 && a && *a == '/' && !s->real)
		s->real = vb_strdup(a);
	else if (strcmp(tag, "rdev") == 0 && a && !s->rdev)
		s->rdev = vb_strdup(a);
}

/* A blk or part line: NAME, MAJ:MIN, then SCHEDULER and ROTATIONAL (blk)
 * or DISK (part). */
struct dev {
	bool part;
	char *f[4];
};

static void dev_release(struct dev *d)
{
	for (int i = 0; i < 4; i++)
		free(d->f[i]);
	memset(d, 0, sizeof(*d));
}

/* The first device line whose field i is value (a part line when part, a
 * blk line when not, either when part < 0).  0, or -1. */
static int dev_find(const char *devs, int part, int i, const char *value, struct dev *d)
{
	memset(d, 0, sizeof(*d));
	for (const char *l = devs; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		char *line = strndup(l, strcspn(l, "\n")), *p = line, *tag = strsep(&p, "\t");
		d->part = strcmp(tag, "part") == 0;
		for (int k = 0; k < 4; k++) {
			char *x = strsep(&p, "\t");
			d->f[k] = x ? vb_strdup(x) : NULL;
		}
		free(line);
		if ((part < 0 || d->part == (part == 1)) && d->f[0] && d->f[1] && d->f[i] && strcmp(d->f[i], value) == 0)
			return 0;
		dev_release(d);
	}
	return -1;
}

/* The device numbered maj:min (or, when that is no block device's, the
 * mount's source /dev/NAME: btrfs mounts carry an anonymous number), and
 * its disk's queue. */
static void device_of(struct vb_env *e, const char *devs, unsigned maj, unsigned min, const char *source)
{
	char num[32];
	struct dev d, disk;
	snprintf(num, sizeof(num), "%u:%u", maj, min);
	if (dev_find(devs, -1, 1, num, &d) < 0 &&
	    (!source || strncmp(source, "/dev/", 5) != 0 || dev_find(devs, -1, 0, source + 5, &d) < 0))
		return;
	e->store_device = vb_env_word(d.f[0], VB_ENV_WORD_MAX);
	const char *whole = d.part ? d.f[2] : d.f[0];
	if (whole && dev_find(devs, 0, 0, whole, &disk) == 0) {
		e->store_disk = vb_env_word(disk.f[0], VB_ENV_WORD_MAX);
		e->store_scheduler = vb_hostenv_selected(disk.f[2]);
		e->store_rotational = disk.f[3] ? zero_one(disk.f[3]) : -1;
		dev_release(&disk);
	}
	dev_release(&d);
}

static void store_resolve(struct vb_env *e, struct seen *s)
{
	unsigned maj, min;
	struct vb_hostenv_mount m;
	if (!s->real)
		return;
	e->has_store = true;
	e->store_path = vb_env_text(s->real, VB_ENV_PATH_MAX);
	const char *devs = s->devs.s ? s->devs.s : "";
	if (s->rdev) { /* a block device: no file system of its own */
		if (sscanf(s->rdev, "%x:%x", &maj, &min) == 2)
			device_of(e, devs, maj, min, NULL);
		return;
	}
	if (vb_hostenv_mount_find(s->mountinfo.s ? s->mountinfo.s : "", s->real, &m) < 0)
		return;
	device_of(e, devs, m.major, m.minor, m.source);
	e->store_mount = m.point;
	e->store_fs = m.fs;
	e->store_source = m.source;
	memset(&m, 0, sizeof(m));
}

void vb_hostenv_parse(const char *out, struct vb_env *e)
{
	struct seen s = {.cpufreq_boost = -1, .no_turbo = -1};
	memset(e, 0, sizeof(*e));
	e->boost = e->numa_nodes = e->store_rotational = -1;
	e->mem_total_kib = -1;
	for (const char *l = out ? out : ""; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		char *line = strndup(l, strcspn(l, "\n"));
		if (line)
			one_line(e, &s, line);
		free(line);
	}
	e->governor = governor_summary(&s);
	/* cpufreq's own switch where there is one; intel_pstate's is a "no" */
	e->boost = s.cpufreq_boost >= 0 ? s.cpufreq_boost : s.no_turbo >= 0 ? !s.no_turbo : -1;
	store_resolve(e, &s);
	for (unsigned i = 0; i < s.ngovernor; i++)
		free(s.governor[i]);
	free(s.real);
	free(s.rdev);
	vb_buf_free(&s.mountinfo);
	vb_buf_free(&s.devs);
}

void vb_hostenv_read(const char *store, struct vb_env *e)
{
	const char *argv[] = {"sh", "-c", helper, "sh", store ? store : "", NULL};
	char *out = NULL;
	if (vb_hv_run(argv, &out, 30) != 0)
		vb_warn("cannot read the environment of %s (CPU governor, THP, mitigations, the store's device): run.json "
		        "records it as unknown", vb_hv_where());
	vb_hostenv_parse(out, e);
	if (store && !e->has_store) { /* the helper did not resolve it: the path as given */
		e->has_store = true;
		e->store_path = vb_env_text(store, VB_ENV_PATH_MAX);
	}
	free(out);
}
