#include "config.h"
#include "core/iotune.h"
#include "core/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's domain XML documentation (formatdomain, "iotune") and its
 * schema (domaincommon.rng).  group_name is left out: it pools the limits
 * of several disks of one guest, and a vmio-bench guest has one disk
 * under test. */
const struct vb_iotune_name vb_iotune_names[] = {
	{"total_bytes_sec", VB_IOTUNE_BYTES, "total"},
	{"read_bytes_sec", VB_IOTUNE_BYTES, "read"},
	{"write_bytes_sec", VB_IOTUNE_BYTES, "write"},
	{"total_iops_sec", VB_IOTUNE_IOPS, "total"},
	{"read_iops_sec", VB_IOTUNE_IOPS, "read"},
	{"write_iops_sec", VB_IOTUNE_IOPS, "write"},
	{"total_bytes_sec_max", VB_IOTUNE_BURST, "total"},
	{"read_bytes_sec_max", VB_IOTUNE_BURST, "read"},
	{"write_bytes_sec_max", VB_IOTUNE_BURST, "write"},
	{"total_iops_sec_max", VB_IOTUNE_BURST, "total"},
	{"read_iops_sec_max", VB_IOTUNE_BURST, "read"},
	{"write_iops_sec_max", VB_IOTUNE_BURST, "write"},
	{"size_iops_sec", VB_IOTUNE_BURST, "total"},
	{"total_bytes_sec_max_length", VB_IOTUNE_BURST, "total"},
	{"read_bytes_sec_max_length", VB_IOTUNE_BURST, "read"},
	{"write_bytes_sec_max_length", VB_IOTUNE_BURST, "write"},
	{"total_iops_sec_max_length", VB_IOTUNE_BURST, "total"},
	{"read_iops_sec_max_length", VB_IOTUNE_BURST, "read"},
	{"write_iops_sec_max_length", VB_IOTUNE_BURST, "write"},
	{NULL, 0, NULL},
};

/* QEMU's ceiling on any throttling value (THROTTLE_VALUE_MAX). */
#define IOTUNE_MAX 1000000000000000ULL

const struct vb_iotune_name *vb_iotune_find(const char *name)
{
	for (const struct vb_iotune_name *n = vb_iotune_names; n->name; n++)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

/* One NAME=VALUE item (of length len) into o; NULL or why not. */
static char *item(const char *s, size_t len, json_t *o)
{
	const char *eq = memchr(s, '=', len);
	if (!eq)
		return vb_asprintf("'%.*s' is not NAME=VALUE: write e.g. total_iops_sec=300", (int)len, s);
	char *name = vb_asprintf("%.*s", (int)(eq - s), s), *val = vb_asprintf("%.*s", (int)(len - (size_t)(eq - s) - 1), eq + 1);
	char *why = NULL, *end;
	errno = 0;
	unsigned long long v = strtoull(val, &end, 10);
	if (strcmp(name, "group_name") == 0)
		why = vb_strdup("group_name is not taken: it pools several disks' limits, and the guest has one disk under test");
	else if (!vb_iotune_find(name))
		why = vb_asprintf("'%s' is not one of libvirt's <iotune> limits: use total_bytes_sec, read_bytes_sec, "
		                  "write_bytes_sec, total_iops_sec, read_iops_sec, write_iops_sec, their _max and "
		                  "_max_length forms, or size_iops_sec", name);
	else if (json_object_get(o, name))
		why = vb_asprintf("%s is given twice: give each limit once", name);
	else if (!*val || !(*val >= '0' && *val <= '9') || *end || errno || v == 0 || v > IOTUNE_MAX)
		why = vb_asprintf("%s=%s: the value is not a whole number from 1 to %llu", name, val, IOTUNE_MAX);
	else
		json_object_set_new(o, name, json_integer((json_int_t)v));
	free(name);
	free(val);
	return why;
}

static unsigned long long value(json_t *o, const char *dir, const char *what, const char *suffix)
{
	char *k = vb_asprintf("%s_%s_sec%s", dir, what, suffix);
	json_t *v = json_object_get(o, k);
	free(k);
	return json_is_integer(v) ? (unsigned long long)json_integer_value(v) : 0;
}

/* What libvirt's schema and QEMU's throttle_is_valid() refuse, for one of
 * bytes or iops: a total beside a read or write limit; a burst ceiling
 * without its rate, or below it; a burst length without its ceiling. */
static char *combination(json_t *o, const char *what)
{
	static const char *const sfx[] = {"", "_max", "_max_length"};
	static const char *const dirs[] = {"total", "read", "write"};
	for (int s = 0; s < 3; s++)
		if (value(o, "total", what, sfx[s]) && (value(o, "read", what, sfx[s]) || value(o, "write", what, sfx[s])))
			return vb_asprintf("total_%s_sec%s cannot go with read_%s_sec%s or write_%s_sec%s (libvirt refuses "
			                   "it): give the total or the two directions", what, sfx[s], what, sfx[s], what, sfx[s]);
	for (int d = 0; d < 3; d++) {
		unsigned long long rate = value(o, dirs[d], what, ""), max = value(o, dirs[d], what, "_max");
		if (max && max < rate)
			return vb_asprintf("%s_%s_sec_max=%llu is below %s_%s_sec=%llu (QEMU refuses it): a burst's ceiling is "
			                   "at least the rate", dirs[d], what, max, dirs[d], what, rate);
		if (max && !rate)
			return vb_asprintf("%s_%s_sec_max needs %s_%s_sec (QEMU refuses a burst ceiling without a rate)",
			                   dirs[d], what, dirs[d], what);
		if (value(o, dirs[d], what, "_max_length") && !max)
			return vb_asprintf("%s_%s_sec_max_length needs %s_%s_sec_max (QEMU refuses a burst length without "
			                   "its ceiling)", dirs[d], what, dirs[d], what);
	}
	return NULL;
}

/* spec into o; NULL or why not. */
static char *parse(const char *spec, json_t *o)
{
	char *why = NULL;
	if (!*spec)
		return vb_strdup("the list is empty: give NAME=VALUE[,NAME=VALUE...], e.g. total_iops_sec=300");
	for (const char *s = spec; !why; s++) {
		size_t n = strcspn(s, ",");
		why = n ? item(s, n, o) : vb_strdup("an item is empty: separate NAME=VALUE items with single commas");
		s += n;
		if (!*s)
			break;
	}
	if (!why)
		why = combination(o, "bytes");
	if (!why)
		why = combination(o, "iops");
	return why;
}

char *vb_iotune_check(const char *spec)
{
	json_t *o = json_object();
	char *why = parse(spec, o);
	json_decref(o);
	return why;
}

json_t *vb_iotune_parse(const char *spec)
{
	if (!spec)
		return NULL;
	json_t *o = json_object();
	char *why = parse(spec, o);
	if (why) {
		free(why);
		json_decref(o);
		return NULL;
	}
	return o;
}
