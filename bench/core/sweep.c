#include "config.h"
#include "core/sweep.h"
#include "core/job.h"
#include "core/options.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* The parameters a sweep may vary are the options whose table row says so
 * (.sweepable); that row also validates the values and says where they go. */
bool vb_sweep_is_param(const char *k)
{
	const struct vb_option *o = vb_option_find(k, VB_CMD_RUN);
	return o && o->sweepable;
}

/* "bs, iodepth, ..." for messages; caller frees. */
static char *param_names(void)
{
	struct vb_buf b = {0};
	VB_FOREACH_OPTION(o)
		if (o->sweepable)
			vb_buf_addf(&b, "%s%s", b.len ? ", " : "", o->name);
	return vb_buf_release(&b);
}

/* Copy option o's field from a scratch configuration into a point's
 * (strings are kept by the plan, which the points borrow from). */
static void set_param(struct vb_plan *plan, struct vb_config *to, const struct vb_config *from, const struct vb_option *o);

static char *keep(struct vb_plan *plan, const char *s)
{
	plan->strings = realloc(plan->strings, (plan->nstrings + 1) * sizeof(char *));
	if (!plan->strings)
		abort();
	return plan->strings[plan->nstrings++] = vb_strdup(s);
}

/* The parameters of a sweep in the order given, with their values. */
struct axes {
	size_t n, total;
	const char *keys[8];
	json_t *vals[8];
};

/* "4k,64k" for param: each value checked through the option table, on a
 * scratch configuration.  The list, or NULL after reporting. */
static json_t *parse_values(const char *param, char *values)
{
	json_t *list = json_array();
	char *vsave = NULL, *v;
	if (values[0] == ',' || values[strlen(values) - 1] == ',' || strstr(values, ",,")) {
		vb_error("--sweep: '%s' has an empty value", param);
		json_decref(list);
		return NULL;
	}
	for (v = strtok_r(values, ",", &vsave); v; v = strtok_r(NULL, ",", &vsave)) {
		struct vb_config scratch = {0};
		char *opt = vb_asprintf("--%s=%s", param, v);
		char *argv[] = {"run", opt, NULL};
		int bad = vb_options_parse(&scratch, VB_CMD_RUN, 2, argv, NULL, NULL);
		vb_config_release(&scratch);
		free(opt);
		if (bad) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, json_string(v));
	}
	return list;
}

/* "bs=4k,64k iodepth=1,32" into plan->sweep and the axes.  0, or -1 after
 * reporting. */
static int parse_spec(const char *text, struct vb_plan *plan, struct axes *ax)
{
	char *spec = vb_strdup(text), *save = NULL, *item;
	int ret = -1;

	ax->total = 1;
	for (item = strtok_r(spec, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(item, '=');
		if (!eq || eq == item || !eq[1]) {
			vb_error("--sweep: '%s' is not PARAM=VALUE[,VALUE...], e.g. --sweep 'bs=4k,64k iodepth=1,32'", item);
			goto out;
		}
		*eq = '\0';
		if (!vb_sweep_is_param(item)) {
			char *names = param_names();
			vb_error("--sweep: '%s' cannot be swept: choose from %s", item, names);
			free(names);
			goto out;
		}
		if (json_object_get(plan->sweep, item)) {
			vb_error("--sweep: '%s' is named twice: give all its values once, comma-separated", item);
			goto out;
		}
		json_t *list = parse_values(item, eq + 1);
		if (!list)
			goto out;
		json_object_set_new(plan->sweep, item, list);
		ax->keys[ax->n] = json_object_iter_key(json_object_iter_at(plan->sweep, item));
		ax->vals[ax->n] = list;
		ax->total *= json_array_size(list);
		if (++ax->n == 8 || ax->total > VB_SWEEP_MAX_POINTS) {
			vb_error("--sweep: too many points (%zu): sweep fewer parameters or values", ax->total);
			goto out;
		}
	}
	if (!ax->n) {
		vb_error("--sweep: nothing to sweep: e.g. --sweep 'bs=4k,64k iodepth=1,32'");
		goto out;
	}
	ret = 0;
out:
	free(spec);
	return ret;
}

/* Point i of the matrix: the last parameter varies fastest. */
static void make_point(struct vb_plan *plan, const struct vb_config *base, const struct axes *ax, size_t i)
{
	struct vb_point *p = &plan->points[i];
	struct vb_buf label = {0}, dir = {0};
	size_t rest = i, idx[8];
	p->cfg = *base;
	for (size_t k = ax->n; k-- > 0;) {
		size_t n = json_array_size(ax->vals[k]);
		idx[k] = rest % n;
		rest /= n;
	}
	for (size_t k = 0; k < ax->n; k++) {
		const char *v = json_string_value(json_array_get(ax->vals[k], idx[k]));
		char *opt = vb_asprintf("--%s=%s", ax->keys[k], v);
		char *argv[] = {"run", opt, NULL};
		struct vb_config scratch = {0};
		vb_options_parse(&scratch, VB_CMD_RUN, 2, argv, NULL, NULL);
		set_param(plan, &p->cfg, &scratch, vb_option_find(ax->keys[k], VB_CMD_RUN));
		vb_config_release(&scratch);
		free(opt);
		vb_buf_addf(&label, "%s%s=%s", k ? "," : "", ax->keys[k], v);
		vb_buf_addf(&dir, "%s%s-%s", k ? "_" : "", ax->keys[k], v);
	}
	p->label = vb_buf_release(&label);
	p->dir = vb_buf_release(&dir);
}

/* --neighbour: every point twice, the neighbours idle then busy, in the
 * same boots ("bs=4k,neighbour=idle", folder "bs-4k_neighbour-idle"). */
static void neighbour_points(struct vb_plan *plan)
{
	static const char *const state[] = {"idle", "busy"};
	struct vb_point *two = vb_calloc(plan->npoints * 2, sizeof(*two));
	for (size_t i = 0; i < plan->npoints; i++) {
		struct vb_point *p = &plan->points[i];
		bool dflt = !*p->dir;
		for (int k = 0; k < 2; k++) {
			struct vb_point *q = &two[2 * i + k];
			q->cfg = p->cfg;
			q->neighbour = k ? VB_NEIGHBOUR_BUSY : VB_NEIGHBOUR_IDLE;
			q->label = dflt ? vb_asprintf("neighbour=%s", state[k]) : vb_asprintf("%s,neighbour=%s", p->label, state[k]);
			q->dir = dflt ? vb_asprintf("neighbour-%s", state[k]) : vb_asprintf("%s_neighbour-%s", p->dir, state[k]);
		}
		free(p->label);
		free(p->dir);
	}
	free(plan->points);
	plan->points = two;
	plan->npoints *= 2;
}

json_t *vb_point_neighbour_args(const struct vb_point *p, const char *spec)
{
	struct vb_config c = p->cfg, scratch;
	struct vb_plan keep_plan = {0};
	char *text = vb_strdup(spec), *save = NULL, *item;
	json_t *args = NULL;
	for (item = strtok_r(text, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(item, '=');
		const struct vb_option *o = eq && eq != item ? (*eq = '\0', vb_option_find(item, VB_CMD_RUN)) : NULL;
		if (!o || !o->sweepable || !strcmp(o->name, "vms") || !strcmp(o->name, "storage")) {
			vb_error("--neighbour: '%s' is not a job parameter NAME=VALUE: name one --sweep varies (bs, iodepth, numjobs, rw, rwmixread), e.g. --neighbour 'rw=write bs=1M'",
			         item);
			goto out;
		}
		char *opt = vb_asprintf("--%s=%s", item, eq + 1);
		char *argv[] = {"run", opt, NULL};
		memset(&scratch, 0, sizeof(scratch));
		int bad = vb_options_parse(&scratch, VB_CMD_RUN, 2, argv, NULL, NULL);
		free(opt);
		if (!bad)
			set_param(&keep_plan, &c, &scratch, o);
		vb_config_release(&scratch);
		if (bad)
			goto out;
	}
	c.ramp = p->cfg.ramp; /* the neighbours span the measured job whole */
	c.runtime = p->cfg.runtime + 2;
	args = vb_job_args(&c);
out:
	vb_plan_release(&keep_plan);
	free(text);
	return args;
}

/* The plan without --neighbour's doubling. */
static int plan_points(const struct vb_config *base, struct vb_plan *plan)
{
	struct axes ax = {0};

	if (!base->sweep) {
		plan->points = vb_calloc(1, sizeof(struct vb_point));
		plan->npoints = 1;
		plan->points[0].label = vb_strdup("default");
		plan->points[0].dir = vb_strdup("");
		plan->points[0].cfg = *base;
		return 0;
	}
	plan->sweep = json_object();
	if (parse_spec(base->sweep, plan, &ax) < 0) {
		vb_plan_release(plan);
		return -1;
	}
	plan->points = vb_calloc(ax.total, sizeof(struct vb_point));
	plan->npoints = ax.total;
	for (size_t i = 0; i < ax.total; i++)
		make_point(plan, base, &ax, i);
	return 0;
}

int vb_plan_build(const struct vb_config *base, struct vb_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	if (plan_points(base, plan) < 0)
		return -1;
	if (base->neighbour) {
		json_t *a = vb_point_neighbour_args(&plan->points[0], base->neighbour); /* the spec checked once */
		if (!a) {
			vb_plan_release(plan);
			return -1;
		}
		json_decref(a);
		neighbour_points(plan);
	}
	return 0;
}

static void set_param(struct vb_plan *plan, struct vb_config *to, const struct vb_config *from, const struct vb_option *o)
{
	void *dst = (char *)to + o->offset;
	const void *src = (const char *)from + o->offset;
	switch (o->type) {
	case VB_OPT_STR:
	case VB_OPT_CHOICE:
		*(char **)dst = keep(plan, *(char *const *)src);
		break;
	case VB_OPT_UINT:
		*(unsigned *)dst = *(const unsigned *)src;
		break;
	case VB_OPT_SIZE:
		*(uint64_t *)dst = *(const uint64_t *)src;
		break;
	case VB_OPT_FLAG:
		*(bool *)dst = *(const bool *)src;
		break;
	case VB_OPT_PCT:
		*(double *)dst = *(const double *)src;
		break;
	}
}

void vb_plan_release(struct vb_plan *plan)
{
	for (size_t i = 0; i < plan->npoints; i++) {
		free(plan->points[i].label);
		free(plan->points[i].dir);
	}
	free(plan->points);
	for (size_t i = 0; i < plan->nstrings; i++)
		free(plan->strings[i]);
	free(plan->strings);
	json_decref(plan->sweep);
	memset(plan, 0, sizeof(*plan));
}

/* Does a point's label ("bs=4k,storage=raw") set key? */
static bool label_sets(const char *label, const char *key)
{
	size_t n = strlen(key);
	for (const char *s = label; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
		if (strncmp(s, key, n) == 0 && s[n] == '=')
			return true;
	return false;
}

json_t *vb_point_params(const struct vb_point *p)
{
	json_t *all = vb_options_to_json(&p->cfg, VB_CMD_RUN), *params = json_object();
	VB_FOREACH_OPTION(o) {
		json_t *v = json_object_get(all, o->record);
		/* an option left at its word for "none" (--vms off) names nothing */
		bool none = o->zero_word && json_is_string(v) && !strcmp(json_string_value(v), o->zero_word);
		if (o->sweepable && (!o->point_if_swept || label_sets(p->label, o->name)) && v && !none)
			json_object_set(params, o->record, v);
	}
	json_decref(all);
	if (p->neighbour)
		json_object_set_new(params, "neighbour", json_string(p->neighbour == VB_NEIGHBOUR_BUSY ? "busy" : "idle"));
	return params;
}
