#include "config.h"
#include "summary/fiojson.h"
#include "core/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* A count or duration: fio writes them as integers, never negative. A
 * negative, fractional-out-of-range or absurd value is refused rather than
 * converted (a double outside uint64_t's range has no defined conversion). */
static int count(json_t *o, const char *key, uint64_t *out)
{
	double v = num(o, key);

	if (!(v >= 0.0 && v < 9.2e18))
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int parse_dir(json_t *job, const char *name, struct vb_fio_dir *d, char **why)
{
	json_t *o = json_object_get(job, name);
	json_t *clat, *pct, *p99;

	if (!json_is_object(o)) {
		*why = vb_asprintf("fio's JSON has no '%s' object in its job", name);
		return -1;
	}
	d->iops = num(o, "iops");
	d->bw_bytes = num(o, "bw_bytes");
	if (d->bw_bytes == 0.0)
		d->bw_bytes = num(o, "bw") * 1024.0; /* KiB/s in older fio */
	if (count(o, "io_bytes", &d->io_bytes) < 0 || count(o, "total_ios", &d->total_ios) < 0 ||
	    count(o, "runtime", &d->runtime_ms) < 0) {
		*why = vb_asprintf("fio's JSON has a negative or out-of-range count in '%s'", name);
		return -1;
	}
	clat = json_object_get(o, "clat_ns");
	d->bins = json_object_get(clat, "bins");
	if (json_is_object(clat)) {
		d->clat_mean_ns = num(clat, "mean");
		pct = json_object_get(clat, "percentile");
		p99 = json_is_object(pct) ? json_object_get(pct, "99.000000") : NULL;
		d->clat_p99_ns = json_is_number(p99) ? json_number_value(p99) : 0.0;
	}
	if (!(d->iops >= 0 && d->bw_bytes >= 0 && d->clat_mean_ns >= 0 && d->clat_p99_ns >= 0)) {
		*why = vb_asprintf("fio's JSON has negative figures for '%s'", name);
		return -1;
	}
	return 0;
}

int vb_fio_parse(const char *text, size_t len, struct vb_fio_result *out, char **why)
{
	const char *start = text ? memchr(text, '{', len) : NULL;
	json_error_t err;
	json_t *root, *jobs, *job, *ver;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!start) {
		*why = vb_strdup("fio's output holds no JSON object");
		return -1;
	}
	root = json_loadb(start, len - (size_t)(start - text), 0, &err);
	if (!root) {
		*why = vb_asprintf("fio's JSON is malformed at line %d: %s", err.line, err.text);
		return -1;
	}
	jobs = json_object_get(root, "jobs");
	job = json_is_array(jobs) ? json_array_get(jobs, 0) : NULL;
	if (!json_is_object(job)) {
		*why = vb_strdup("fio's JSON has no 'jobs' array with a job in it");
		goto out;
	}
	ver = json_object_get(root, "fio version");
	out->fio_version = vb_strdup(json_is_string(ver) ? json_string_value(ver) : "unknown");
	if (parse_dir(job, "read", &out->read, why) < 0 || parse_dir(job, "write", &out->write, why) < 0)
		goto out;
	out->usr_cpu = num(job, "usr_cpu");
	out->sys_cpu = num(job, "sys_cpu");
	if (count(job, "job_runtime", &out->job_runtime_ms) < 0 || !(out->usr_cpu >= 0 && out->sys_cpu >= 0)) {
		*why = vb_strdup("fio's JSON has a negative or out-of-range CPU figure or job_runtime");
		goto out;
	}
	ret = 0;
out:
	out->root = root;
	if (ret < 0)
		vb_fio_result_release(out);
	return ret;
}

void vb_fio_result_release(struct vb_fio_result *r)
{
	free(r->fio_version);
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}
