#include "config.h"
#include "core/job.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_mixed(const char *rw)
{
	return strcmp(rw, "randrw") == 0 || strcmp(rw, "rw") == 0;
}

static void add(json_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(json_t *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	json_array_append_new(a, json_string(s));
	free(s);
}

json_t *vb_job_args(const struct vb_config *c)
{
	json_t *a = json_array();
	char bs[32];

	vb_format_size(c->bs, bs, sizeof(bs));
#define ADD(...) add(a, __VA_ARGS__)
	ADD("--name=vmio");
	ADD("--ioengine=libaio");
	ADD("--direct=1");
	ADD("--rw=%s", c->rw);
	if (is_mixed(c->rw))
		ADD("--rwmixread=%u", c->rwmixread);
	ADD("--bs=%s", bs);
	ADD("--iodepth=%u", c->iodepth);
	ADD("--numjobs=%u", c->numjobs);
	ADD("--time_based=1");
	ADD("--runtime=%u", c->runtime);
	if (c->ramp)
		ADD("--ramp_time=%u", c->ramp);
	ADD("--group_reporting=1");
	/* No fixed seed here: each repetition adds its own --randseed (run.json
	 * records them), so that repetitions differ in their offsets as runs
	 * on different days would, and the interval spans that. */
	ADD("--norandommap=1");
#undef ADD
	return a;
}

char *vb_job_describe(const struct vb_config *c)
{
	char bs[32], mix[32] = "";
	vb_format_size(c->bs, bs, sizeof(bs));
	if (is_mixed(c->rw))
		snprintf(mix, sizeof(mix), " %u%% read", c->rwmixread);
	return vb_asprintf("%s %s%s, iodepth %u, %u job%s, %u s, libaio direct",
	                   bs, c->rw, mix, c->iodepth, c->numjobs, c->numjobs == 1 ? "" : "s", c->runtime);
}

void vb_job_window(const struct vb_config *c, double *start, double *end)
{
	double margin = c->runtime * 0.1 < 0.5 ? c->runtime * 0.1 : 0.5;
	*start = c->ramp + margin;
	*end = c->ramp + c->runtime - margin;
}
