/* lathist: fio's histogram log to per-second percentiles, and the strict
 * reader of the result (lathist.h).  libc only. */
#include "config.h"
#include "core/lathist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const double vb_lat_pct[VB_LAT_NPCT] = {50.0, 90.0, 99.0, 99.9};

uint64_t vb_lat_bucket_ns(unsigned idx)
{
	if (idx < (VB_LAT_VAL << 1))
		return idx; /* exact: the value is its own index */
	unsigned error_bits = (idx >> VB_LAT_BITS) - 1;
	uint64_t base = (uint64_t)1 << (error_bits + VB_LAT_BITS);
	uint64_t k = idx % VB_LAT_VAL;
	return base + (uint64_t)((k + 0.5) * (double)((uint64_t)1 << error_bits));
}

/* The same rule over a sparse histogram (ascending bucket indices). */
static uint64_t sparse_percentiles(const uint16_t *idx, const uint64_t *cnt, size_t n, uint64_t out[VB_LAT_NPCT])
{
	uint64_t total = 0, sum = 0;
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		total += cnt[i];
	memset(out, 0, sizeof(uint64_t) * VB_LAT_NPCT);
	if (!total)
		return 0;
	for (size_t i = 0; i < n && j < VB_LAT_NPCT; i++) {
		sum += cnt[i];
		while (j < VB_LAT_NPCT && (double)sum >= vb_lat_pct[j] / 100.0 * (double)total)
			out[j++] = vb_lat_bucket_ns(idx[i]);
	}
	return total;
}

uint64_t vb_lat_percentiles(const uint64_t *counts, uint64_t out[VB_LAT_NPCT])
{
	uint16_t idx[VB_LAT_BUCKETS];
	uint64_t cnt[VB_LAT_BUCKETS];
	size_t n = 0;
	for (unsigned i = 0; i < VB_LAT_BUCKETS; i++)
		if (counts[i]) {
			idx[n] = (uint16_t)i;
			cnt[n++] = counts[i];
		}
	return sparse_percentiles(idx, cnt, n, out);
}

/* ---- reducing fio's histogram log ---- */

/* One second and direction: the nonzero buckets, merged over the jobs'
 * lines (per_job_logs=0: every job appends its lines to one file). */
struct slot {
	size_t n;
	uint16_t *idx;
	uint64_t *cnt;
};

struct acc {
	struct slot *slots; /* [sec * 2 + dir] */
	size_t nslots;
	bool cut;
};

static void acc_release(struct acc *a)
{
	for (size_t i = 0; i < a->nslots; i++) {
		free(a->slots[i].idx);
		free(a->slots[i].cnt);
	}
	free(a->slots);
}

/* An unsigned decimal at *p (blanks before it skipped), then a ',' or the
 * end; 0, or -1 when it is not one. */
static int field(const char **p, uint64_t *v)
{
	const char *s = *p;
	char *end;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (*end == ',')
		end++;
	else if (*end != '\0' && *end != '\n')
		return -1;
	*p = end;
	return 0;
}

/* Add one line of fio's histogram log: "msec, dir, bs, c0, ..., c1855". */
static int acc_line(struct acc *a, const char *line, uint64_t *dense)
{
	uint64_t msec, dir, bs;
	const char *p = line;
	if (field(&p, &msec) < 0 || field(&p, &dir) < 0 || field(&p, &bs) < 0 || dir > 2)
		return -1;
	size_t nz = 0;
	for (unsigned i = 0; i < VB_LAT_BUCKETS; i++) {
		if (field(&p, &dense[i]) < 0)
			return -1;
		nz += dense[i] != 0;
	}
	while (*p == ' ' || *p == '\n' || *p == '\r')
		p++;
	if (*p)
		return -1; /* more buckets than fio 3.x has: another layout */
	if (dir == 2 || !nz)
		return 0; /* trims are not drawn; an empty window adds nothing */
	uint64_t sec = msec / 1000;
	if (sec >= VB_LAT_MAX_ROWS) {
		a->cut = true;
		return 0;
	}
	size_t k = (size_t)sec * 2 + (size_t)dir;
	if (k >= a->nslots) {
		size_t nn = k + 64;
		struct slot *s = realloc(a->slots, nn * sizeof(*s));
		if (!s)
			return -2;
		memset(s + a->nslots, 0, (nn - a->nslots) * sizeof(*s));
		a->slots = s;
		a->nslots = nn;
	}
	struct slot *s = &a->slots[k];
	uint16_t *idx = malloc((s->n + nz) * sizeof(*idx));
	uint64_t *cnt = malloc((s->n + nz) * sizeof(*cnt));
	if (!idx || !cnt) {
		free(idx);
		free(cnt);
		return -2;
	}
	size_t o = 0, j = 0;
	for (unsigned i = 0; i < VB_LAT_BUCKETS; i++) {
		uint64_t c = dense[i];
		if (j < s->n && s->idx[j] == i)
			c += s->cnt[j++];
		if (c) {
			idx[o] = (uint16_t)i;
			cnt[o++] = c;
		}
	}
	free(s->idx);
	free(s->cnt);
	s->idx = idx;
	s->cnt = cnt;
	s->n = o;
	return 0;
}

static char *acc_format(struct acc *a, bool *truncated)
{
	struct vb_latrow *rows = calloc(VB_LAT_MAX_ROWS, sizeof(*rows));
	size_t n = 0;
	if (!rows)
		return NULL;
	for (size_t k = 0; k < a->nslots; k++) {
		const struct slot *s = &a->slots[k];
		if (!s->n)
			continue;
		if (n == VB_LAT_MAX_ROWS) {
			a->cut = true;
			break;
		}
		rows[n].msec = (uint64_t)(k / 2) * 1000;
		rows[n].dir = (unsigned)(k % 2);
		rows[n].n = sparse_percentiles(s->idx, s->cnt, s->n, rows[n].p);
		n++;
	}
	char *text = vb_latlog_format(rows, n);
	free(rows);
	*truncated = a->cut;
	return text;
}

char *vb_lathist_reduce_file(const char *path, bool *truncated, const char **why)
{
	struct acc a = {0};
	char *line = NULL, *text = NULL;
	size_t cap = 0;
	uint64_t *dense = malloc(VB_LAT_BUCKETS * sizeof(*dense));
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	*truncated = false;
	*why = "cannot be read";
	if (!f) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (!dense) {
		*why = "is too large for memory";
		goto out;
	}
	for (;;) {
		ssize_t len = getline(&line, &cap, f);
		if (len < 0)
			break;
		if (len <= 1 || line[0] == '#')
			continue;
		int r = acc_line(&a, line, dense);
		if (r == -2) {
			*why = "is too large for memory";
			goto out;
		}
		if (r < 0) {
			*why = "has a line that is not fio's histogram log line (msec, direction, bs, then 1856 bucket counts)";
			goto out;
		}
	}
	if (ferror(f))
		goto out;
	text = acc_format(&a, truncated);
	if (!text)
		*why = "is too large for memory";
out:
	if (f)
		fclose(f);
	free(line);
	free(dense);
	acc_release(&a);
	return text;
}

/* ---- the lat log, strictly ---- */

/* An unsigned decimal of at most 15 digits at *p, then exactly ", " (or
 * the line's end when last). */
static int strict_field(const char **p, const char *end, bool last, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;
	*v = 0;
	while (s < end && *s >= '0' && *s <= '9' && digits < 16) {
		*v = *v * 10 + (uint64_t)(*s++ - '0');
		digits++;
	}
	if (!digits || digits > 15)
		return -1;
	if (last) {
		if (s != end)
			return -1;
	} else {
		if (end - s < 2 || s[0] != ',' || s[1] != ' ')
			return -1;
		s += 2;
	}
	*p = s;
	return 0;
}

int vb_latlog_parse(const char *text, size_t len, struct vb_latrow **rows, size_t *n, bool *truncated,
                    const char **why)
{
	struct vb_latrow *r = NULL;
	size_t nr = 0, cap = 0;
	const char *p = text, *stop = text + len;

	*rows = NULL;
	*n = 0;
	*truncated = false;
	if (memchr(text, '\0', len)) {
		*why = "holds a NUL byte";
		return -1;
	}
	while (p < stop) {
		const char *eol = memchr(p, '\n', (size_t)(stop - p));
		const char *end = eol ? eol : stop;
		if (p[0] == '#') {
			p = eol ? eol + 1 : stop;
			continue;
		}
		if (nr == VB_LAT_MAX_ROWS) {
			*truncated = true;
			break;
		}
		if (nr == cap) {
			cap = cap ? cap * 2 : 256;
			struct vb_latrow *g = realloc(r, cap * sizeof(*r));
			if (!g) {
				*why = "is too large for memory";
				goto bad;
			}
			r = g;
		}
		struct vb_latrow *x = &r[nr];
		uint64_t v[7];
		const char *q = p;
		for (int i = 0; i < 7; i++)
			if (strict_field(&q, end, i == 6, &v[i]) < 0) {
				*why = "has a line that is not seven numbers (msec, direction, completions, p50, p90, p99, p99.9)";
				goto bad;
			}
		x->msec = v[0];
		x->dir = (unsigned)v[1];
		x->n = v[2];
		memcpy(x->p, &v[3], sizeof(x->p));
		if (v[1] > 1 || v[0] % 1000 || !v[2]) {
			*why = "has a line whose direction is not 0 or 1, whose time is not a whole second or that counts no completions";
			goto bad;
		}
		for (int i = 0; i < VB_LAT_NPCT; i++)
			if (x->p[i] > VB_LAT_MAX_NS || (i && x->p[i] < x->p[i - 1])) {
				*why = "has a line whose percentiles are not ascending latencies";
				goto bad;
			}
		if (nr && (x->msec < r[nr - 1].msec || (x->msec == r[nr - 1].msec && x->dir <= r[nr - 1].dir))) {
			*why = "has lines out of order or repeated";
			goto bad;
		}
		nr++;
		p = eol ? eol + 1 : stop;
	}
	*rows = r;
	*n = nr;
	return 0;
bad:
	free(r);
	return -1;
}

char *vb_latlog_format(const struct vb_latrow *rows, size_t n)
{
	static const char head[] = "# msec, direction (0 read, 1 write), completions, p50_ns, p90_ns, p99_ns, p99.9_ns\n";
	size_t cap = sizeof(head) + n * 112, off;
	char *t = malloc(cap);
	if (!t)
		return NULL;
	memcpy(t, head, sizeof(head));
	off = sizeof(head) - 1;
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(t + off, cap - off, "%llu, %u, %llu, %llu, %llu, %llu, %llu\n",
		                        (unsigned long long)rows[i].msec, rows[i].dir, (unsigned long long)rows[i].n,
		                        (unsigned long long)rows[i].p[0], (unsigned long long)rows[i].p[1],
		                        (unsigned long long)rows[i].p[2], (unsigned long long)rows[i].p[3]);
	return t;
}
