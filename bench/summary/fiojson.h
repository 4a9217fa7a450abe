/* fiojson: reads the figures vmio-bench reports out of fio's JSON output
 * (json or json+), without changing the stored file. */
#ifndef VB_FIOJSON_H
#define VB_FIOJSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct vb_fio_dir {
	double iops;
	double bw_bytes;      /* bytes per second */
	double clat_mean_ns;
	double clat_p99_ns;   /* 0 when fio reported no percentiles */
	uint64_t io_bytes;
	uint64_t total_ios;
	uint64_t runtime_ms;
	json_t *bins;         /* clat_ns.bins of json+ (borrowed from the result), or NULL */
};

struct vb_fio_result {
	json_t *root;         /* the parsed document, kept for the bins */
	char *fio_version;    /* "fio-3.33" */
	struct vb_fio_dir read, write;
	double usr_cpu, sys_cpu; /* percent of job_runtime_ms, as fio reports */
	uint64_t job_runtime_ms; /* with group_reporting: the sum over the
	                            group's jobs (0 when fio gave none) */
};

/* Parse fio's JSON text, once: figures and latency bins.  Text before the first '{' (fio prints warnings
 * there in some modes) is skipped.  Returns 0, or -1 with *why (caller
 * frees) naming what is malformed. */
int vb_fio_parse(const char *text, size_t len, struct vb_fio_result *out, char **why);
void vb_fio_result_release(struct vb_fio_result *r);

#endif
