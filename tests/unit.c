/* Unit tests of the controller's pure parts: option table, sizes, XML
 * escaping, domain XML, mode lists, fio JSON parsing, the job, the table.
 * Needs no libvirt daemon. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/accel.h"
#include "guest/agent.h"
#include "guest/domxml.h"
#include "summary/fiojson.h"
#include "core/job.h"
#include "modes/mode.h"
#include "core/options.h"
#include "core/proto.h"
#include "core/util.h"
#include "guest/xmlbuf.h"
#include "host/hv.h"
#include "host/threadcpu.h"
#include "host/hostload.h"
#include "host/hostres.h"
#include "guest/session.h"
#include "summary/stats.h"
#include "summary/rank.h"
#include "summary/changepoint.h"
#include "summary/verdict.h"
#include "core/sweep.h"
#include "core/fiopath.h"
#include "core/lathist.h"
#include "summary/summary.h"
#include "summary/findings.h"
#include "summary/tuneobj.h"
#include "cmd/tune.h"
#include "host/hostenv.h"
#include "core/envrec.h"
#include "summary/runrec.h"
#include "runner/reps.h"

#include <math.h>

static int failures, checks;

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))
#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static int parse(struct vb_config *c, const char *cmd, const char *a1, const char *a2)
{
	char *argv[] = {"run", (char *)a1, (char *)a2, NULL};
	int argc = a1 ? (a2 ? 3 : 2) : 1;
	memset(c, 0, sizeof(*c));
	return vb_options_parse(c, cmd, argc, argv, NULL, NULL);
}

static void test_sizes(void)
{
	uint64_t v;
	char buf[32];
	CHECK(vb_parse_size("4k", &v) == 0 && v == 4096);
	CHECK(vb_parse_size("4KiB", &v) == 0 && v == 4096);
	CHECK(vb_parse_size("1G", &v) == 0 && v == 1ULL << 30);
	CHECK(vb_parse_size("512", &v) == 0 && v == 512);
	CHECK(vb_parse_size("4q", &v) < 0);
	CHECK(vb_parse_size("", &v) < 0);
	CHECK(vb_parse_size("-1", &v) < 0);
	CHECK(vb_parse_size("k", &v) < 0);
	CHECK(vb_parse_size("99999999999999999999", &v) < 0);
	CHECK(vb_parse_size("17179869184t", &v) < 0); /* overflows 64 bits */
	vb_format_size(4096, buf, sizeof(buf));
	CHECK(strcmp(buf, "4k") == 0);
	vb_format_size(1ULL << 30, buf, sizeof(buf));
	CHECK(strcmp(buf, "1g") == 0);
	vb_format_size(1000, buf, sizeof(buf));
	CHECK(strcmp(buf, "1000") == 0);
}

static void test_options(void)
{
	struct vb_config c;
	CHECK(parse(&c, VB_CMD_RUN, NULL, NULL) == 0);
	/* the defaults are the job this project exists for */
	CHECK(c.bs == 4096 && c.iodepth == 32 && strcmp(c.rw, "randrw") == 0 && c.rwmixread == 50);
	CHECK(c.numjobs == 1 && strcmp(c.accel, "auto") == 0 && strcmp(c.connect, "qemu:///system") == 0);
	CHECK(strcmp(c.results, "results") == 0 && strcmp(c.modes, "host,sata,virtio-blk,virtio-scsi") == 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--bs=64k", NULL) == 0 && c.bs == 65536);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--iodepth", "1") == 0 && c.iodepth == 1);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--iodepth", "0") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--iodepth", "-3") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--iodepth", "99999999999999999999") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--runtime", "10s") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--bs", "4q") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--accel", "hvf") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--rw", "trim") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--rwmixread", "101") < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--nosuch", NULL) < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--iodepth", NULL) < 0); /* value missing */
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--disk", "a\nb") < 0);  /* control characters */
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--disk=", NULL) < 0);   /* empty */
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--mode", "sata") < 0);  /* xml's option, not run's */
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "stray", NULL) < 0);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--quiet=1", NULL) < 0); /* a flag takes no value */
	vb_config_release(&c);
	vb_quiet = true;

	/* the configuration recorded in run.json comes from the same table */
	CHECK(parse(&c, VB_CMD_RUN, "--bs", "16k") == 0);
	json_t *j = vb_options_to_json(&c, VB_CMD_RUN);
	CHECK(json_integer_value(json_object_get(j, "bs")) == 16384);
	CHECK(json_integer_value(json_object_get(j, "iodepth")) == 32);
	CHECK(strcmp(json_string_value(json_object_get(j, "accel")), "auto") == 0);
	CHECK(json_object_get(j, "help") == NULL);
	json_decref(j);
	vb_config_release(&c);
}

static void test_xml_escape(void)
{
	struct vb_xml x = {0};
	char *s;
	vb_xml_open(&x, "disk", "type", "file", "skip", NULL, NULL);
	vb_xml_empty(&x, "source", "file", "/tmp/a'b\"c<d>&e", NULL);
	vb_xml_text(&x, "serial", "</serial><evil/>", NULL);
	s = vb_xml_release(&x);
	CHECK(strstr(s, "<disk type='file'>") != NULL);
	CHECK(strstr(s, "skip") == NULL);
	CHECK(strstr(s, "file='/tmp/a&apos;b&quot;c&lt;d&gt;&amp;e'") != NULL);
	CHECK(strstr(s, "<serial>&lt;/serial&gt;&lt;evil/&gt;</serial>") != NULL);
	CHECK(strstr(s, "</disk>") != NULL);
	free(s);
}

static void test_domain_xml(void)
{
	struct vb_config c;
	CHECK(parse(&c, VB_CMD_RUN, NULL, NULL) == 0);
	const struct vb_mode *m = vb_mode_find("virtio-blk");
	CHECK(m != NULL);
	struct vb_domain_spec s = {
		.name = "vmio-t", .domain_type = "qemu", .mode = m, .cfg = &c,
		.kernel = "/k", .initrd = "/i", .cmdline = VB_GUEST_CMDLINE, .console_log = "/r/console.log",
	};
	struct vb_store store = {.path = "/data/it's <here>.raw"};
	struct vb_stor st;
	vb_stor_init(&st, vb_storage_find("raw"), &c, NULL, &store, "/r", "/r", false);
	vb_stor_plan(&st);
	vb_mode_disk_ctx(&s.disk, &c, &st, "/r");
	char *xml = vb_domain_xml_new(&s);
	CHECK(strstr(xml, "<domain type='qemu'>") != NULL);
	CHECK(strstr(xml, "<target dev='vda' bus='virtio'/>") != NULL);
	CHECK(strstr(xml, "cache='none' io='native' iothread='1'") != NULL);
	CHECK(strstr(xml, "<iothreads>1</iothreads>") != NULL);
	CHECK(strstr(xml, "<serial>vmio-disk0</serial>") != NULL);
	CHECK(strstr(xml, "file='/data/it&apos;s &lt;here&gt;.raw'") != NULL);
	CHECK(strstr(xml, "name='org.vmio.agent.0'") != NULL);
	CHECK(strstr(xml, "<log file='/r/console.log' append='off'/>") != NULL);
	CHECK(strstr(xml, "host-passthrough") == NULL); /* TCG: no host CPU model */
	free(xml);
	s.domain_type = "kvm";
	s.mode = NULL; /* the KVM probe guest: no disk at all */
	xml = vb_domain_xml_new(&s);
	CHECK(strstr(xml, "host-passthrough") != NULL);
	CHECK(strstr(xml, "<disk") == NULL);
	free(xml);
	vb_stor_teardown(&st);
	vb_config_release(&c);
}

static void test_mode_list(void)
{
	const struct vb_mode **l;
	bool probed = false;
	struct vb_config c;
	CHECK(parse(&c, VB_CMD_RUN, NULL, NULL) == 0);
	CHECK((l = vb_mode_list_parse("virtio-blk", &c, &probed)) && l[0] == vb_mode_find("virtio-blk") && !l[1]);
	free(l);
	CHECK((l = vb_mode_list_parse("all", &c, &probed)) && l[0] && probed);
	free(l);
	CHECK(vb_mode_list_parse("", &c, &probed) == NULL);
	CHECK(vb_mode_list_parse("bogus", &c, &probed) == NULL);
	CHECK(vb_mode_list_parse("virtio-blk,", &c, &probed) == NULL);
	CHECK(vb_mode_list_parse(",virtio-blk", &c, &probed) == NULL);
	CHECK(vb_mode_list_parse("virtio-blk,,virtio-blk", &c, &probed) == NULL);
	CHECK(vb_mode_list_parse("virtio-blk,virtio-blk", &c, &probed) == NULL);
	/* --modes all on a host without fio, tgtadm or qemu-storage-daemon:
	 * the modes whose probe fails come back as dropped, each with its
	 * reason; hostdev, which this configuration does not suit (no
	 * --pci-device), is not part of the plan at all */
	struct vb_mode_dropped *dr = NULL;
	char *path = vb_strdup(getenv("PATH"));
	setenv("PATH", "/nonexistent", 1);
	l = vb_mode_list_pick("all", &c, &probed, &dr);
	setenv("PATH", path, 1);
	free(path);
	CHECK(l && dr);
	const char *want[] = {"host", "lun", "backend", "vhost-user-blk"};
	for (size_t w = 0; l && dr && w < 4; w++) {
		bool found = false;
		for (size_t i = 0; dr[i].mode; i++)
			found |= !strcmp(dr[i].mode->name, want[w]) && dr[i].why && *dr[i].why;
		for (size_t i = 0; l[i]; i++)
			found &= strcmp(l[i]->name, want[w]) != 0;
		CHECK(found);
	}
	for (size_t i = 0; dr && dr[i].mode; i++)
		CHECK(strcmp(dr[i].mode->name, "hostdev") != 0);
	for (size_t i = 0; l && l[i]; i++)
		CHECK(strcmp(l[i]->name, "hostdev") != 0);
	free(l);
	vb_mode_dropped_free(dr);
	CHECK((l = vb_mode_list_pick("virtio-blk", &c, &probed, &dr)) && dr && !dr[0].mode);
	free(l);
	vb_mode_dropped_free(dr);
	CHECK(vb_mode_list_pick("bogus", &c, &probed, &dr) == NULL && dr == NULL);
	vb_config_release(&c);
}

static void test_fio_json(void)
{
	size_t len;
	char *path = vb_asprintf("%s/tests/fixtures/fio-randrw-virtio-blk.json", VB_SRCDIR);
	char *text = vb_read_file(path, 1 << 24, &len);
	struct vb_fio_result r;
	char *why = NULL;

	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(vb_fio_parse(text, len, &r, &why) == 0);
	/* values read by hand from the fixture */
	CHECK(r.read.iops > 4035.48 && r.read.iops < 4035.49);
	CHECK(r.write.iops > 4061.46 && r.write.iops < 4061.47);
	CHECK(r.read.bw_bytes == 16529335.0);
	CHECK(r.read.io_bytes == 33075200 && r.read.total_ios == 8075 && r.read.runtime_ms == 2001);
	CHECK(r.read.clat_p99_ns == 8093696.0);
	CHECK(r.write.clat_p99_ns == 8978432.0);
	CHECK(r.read.clat_mean_ns > 3637760.41 && r.read.clat_mean_ns < 3637760.42);
	CHECK(strcmp(r.fio_version, "fio-3.33") == 0);

	/* the p99 read back from the merged bins of this one repetition is
	 * the p99 fio itself reported */
	json_t *root = json_loads(text, 0, NULL);
	json_t *bins = json_object_get(json_object_get(json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "read"), "clat_ns"), "bins");
	struct vb_hist h = {0};
	CHECK(vb_hist_add_fio_bins(&h, bins) == 0);
	CHECK(vb_hist_percentile(&h, 99) == 8093696.0);
	CHECK(vb_hist_percentile(&h, 50) == 3227648.0);
	CHECK(vb_hist_percentile(&h, 99.9) == 12386304.0);
	vb_hist_release(&h);
	json_decref(root);
	vb_fio_result_release(&r);

	/* text before the JSON (fio's warnings) is skipped */
	char *pre = vb_asprintf("fio: some warning\n%s", text);
	CHECK(vb_fio_parse(pre, strlen(pre), &r, &why) == 0);
	vb_fio_result_release(&r);
	free(pre);
	/* malformed, truncated, wrong-typed */
	CHECK(vb_fio_parse(text, len / 2, &r, &why) < 0 && why);
	free(why);
	CHECK(vb_fio_parse("no json", 7, &r, &why) < 0 && why);
	free(why);
	CHECK(vb_fio_parse("{\"jobs\": 3}", 11, &r, &why) < 0 && why);
	free(why);
	CHECK(vb_fio_parse("{\"jobs\": [{\"read\": 1}]}", 23, &r, &why) < 0 && why);
	free(why);
	free(text);
	free(path);
}

static void test_stats(void)
{
	/* worked by hand: mean 5, sd sqrt(32/7), t(0.975, 7) = 2.364624 */
	double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct vb_sample s;
	vb_sample_compute(v, 8, &s);
	CHECK(s.n == 8 && NEAR(s.mean, 5.0, 1e-12));
	CHECK(NEAR(s.sd, 2.138090, 1e-6));
	CHECK(NEAR(s.ci95, 1.787496, 1e-5));
	CHECK(NEAR(s.cv, 0.427618, 1e-6));
	vb_sample_compute(v, 1, &s); /* one value: no spread, no interval */
	CHECK(s.mean == 2 && s.sd == 0 && s.ci95 == 0);
	vb_sample_compute(v, 0, &s);
	CHECK(s.n == 0 && s.mean == 0);

	/* Student's t, from published tables */
	CHECK(NEAR(vb_t_quantile(0.975, 2), 4.302653, 1e-5));
	CHECK(NEAR(vb_t_quantile(0.975, 4), 2.776445, 1e-5));
	CHECK(NEAR(vb_t_quantile(0.975, 30), 2.042272, 1e-5));
	CHECK(NEAR(vb_t_cdf(0, 5), 0.5, 1e-12));
	CHECK(NEAR(vb_t_cdf(2.776445, 4), 0.975, 1e-6));

	/* Welch: means 11 and 21, variances 1, n 3: t = -12.247, dof 4 */
	double a[] = {10, 11, 12}, b[] = {20, 21, 22}, c[] = {10.5, 11.5, 11};
	double p = vb_welch_p(a, 3, b, 3);
	CHECK(p > 0.0002 && p < 0.0003);
	CHECK(vb_welch_p(a, 3, c, 3) > 0.5);         /* the same population */
	CHECK(vb_welch_p(a, 1, b, 3) == 1);          /* too few to test */
	/* the ratio of the means, 21/11, and its interval: on the log scale
	 * se = sqrt(1/(3*121) + 1/(3*441)) = 0.059251, dof 3.02 (t 3.18):
	 * x1.909 [1.58, 2.30], symmetric around the ratio on that scale */
	double r, lo, hi;
	vb_ratio_ci95(a, 3, b, 3, &r, &lo, &hi);
	CHECK(NEAR(r, 21.0 / 11.0, 1e-12));
	CHECK(NEAR(lo * hi, r * r, 1e-9));
	CHECK(lo > 1.57 && lo < 1.59 && hi > 2.29 && hi < 2.31);
	vb_ratio_ci95(a, 1, b, 3, &r, &lo, &hi);      /* one value: a ratio, no interval */
	CHECK(NEAR(r, 21.0 / 10.0, 1e-12) && isnan(lo) && isnan(hi));
	double z[] = {0, 0};
	vb_ratio_ci95(z, 2, b, 3, &r, &lo, &hi);      /* nothing to divide by */
	CHECK(isnan(r) && isnan(lo));

	/* merged bins: {100:1, 200:2, 300:1} + {200:1, 400:5} */
	struct vb_hist h = {0};
	json_t *b1 = json_loads("{\"300\": 1, \"100\": 1, \"200\": 2}", 0, NULL);
	json_t *b2 = json_loads("{\"200\": 1, \"400\": 5}", 0, NULL);
	CHECK(vb_hist_add_fio_bins(&h, b1) == 0 && vb_hist_add_fio_bins(&h, b2) == 0);
	CHECK(h.total == 10 && h.n == 4);
	CHECK(vb_hist_percentile(&h, 10) == 100);
	CHECK(vb_hist_percentile(&h, 40) == 200);
	CHECK(vb_hist_percentile(&h, 50) == 300);
	CHECK(vb_hist_percentile(&h, 90) == 400);
	CHECK(vb_hist_percentile(&h, 99.99) == 400);
	/* not the mean of the two runs' percentiles: run 1 alone has p50 200,
	 * run 2 alone 400; merged it is 300 */
	json_t *bad = json_loads("{\"x\": 1}", 0, NULL);
	CHECK(vb_hist_add_fio_bins(&h, bad) < 0);
	json_decref(b1);
	json_decref(b2);
	json_decref(bad);
	vb_hist_release(&h);
	struct vb_hist empty = {0};
	CHECK(vb_hist_percentile(&empty, 99) == 0);
}

static void test_sweep(void)
{
	struct vb_config c;
	struct vb_plan plan;
	char *argv[] = {"run", "--sweep", "bs=4k,64k iodepth=1,32", NULL};
	memset(&c, 0, sizeof(c));
	CHECK(vb_options_parse(&c, VB_CMD_RUN, 3, argv, NULL, NULL) == 0);
	CHECK(vb_plan_build(&c, &plan) == 0);
	CHECK(plan.npoints == 4);
	CHECK(strcmp(plan.points[0].label, "bs=4k,iodepth=1") == 0 && plan.points[0].cfg.bs == 4096 && plan.points[0].cfg.iodepth == 1);
	CHECK(strcmp(plan.points[1].label, "bs=4k,iodepth=32") == 0 && plan.points[1].cfg.iodepth == 32);
	CHECK(strcmp(plan.points[3].dir, "bs-64k_iodepth-32") == 0 && plan.points[3].cfg.bs == 65536);
	vb_plan_release(&plan);
	vb_config_release(&c);
	const char *bad[] = {"bs=4q", "trim=1", "bs=", "bs=4k,,8k", "bs=4k bs=8k", "iodepth=0", "=4", "rw=trim", NULL};
	for (size_t i = 0; bad[i]; i++) {
		char *a2[] = {"run", "--sweep", (char *)bad[i], NULL};
		memset(&c, 0, sizeof(c));
		CHECK(vb_options_parse(&c, VB_CMD_RUN, 3, a2, NULL, NULL) == 0);
		CHECK(vb_plan_build(&c, &plan) < 0);
		vb_config_release(&c);
	}
	memset(&c, 0, sizeof(c));
	CHECK(parse(&c, VB_CMD_RUN, NULL, NULL) == 0);
	CHECK(vb_plan_build(&c, &plan) == 0 && plan.npoints == 1 && strcmp(plan.points[0].label, "default") == 0);
	vb_plan_release(&plan);
	vb_config_release(&c);
}

static void test_job(void)
{
	struct vb_config c;
	CHECK(parse(&c, VB_CMD_RUN, NULL, NULL) == 0);
	json_t *a = vb_job_args(&c);
	char *s = json_dumps(a, JSON_COMPACT);
	CHECK(strstr(s, "\"--bs=4k\"") && strstr(s, "\"--rw=randrw\"") && strstr(s, "\"--rwmixread=50\""));
	CHECK(strstr(s, "\"--iodepth=32\"") && strstr(s, "\"--ioengine=libaio\"") && strstr(s, "\"--direct=1\""));
	CHECK(strstr(s, "\"--time_based=1\"") && strstr(s, "\"--runtime=10\""));
	CHECK(strstr(s, "filename") == NULL);
	free(s);
	json_decref(a);
	vb_config_release(&c);
	CHECK(parse(&c, VB_CMD_RUN, "--rw", "randread") == 0);
	a = vb_job_args(&c);
	s = json_dumps(a, JSON_COMPACT);
	CHECK(strstr(s, "rwmixread") == NULL);
	free(s);
	json_decref(a);
	vb_config_release(&c);
}

/* Every mode row is complete: a valid name and summary; a host-side mode
 * measures and has no devices; a guest mode describes a disk (or its
 * command line); state has a cleanup; its own option rows are sound. */
static void test_mode_rows(void)
{
	size_t hosts = 0;
	for (size_t i = 0; vb_modes[i]; i++) {
		const struct vb_mode *m = vb_modes[i];
		CHECK(vb_valid_name(m->name, 32));
		CHECK(m->summary && *m->summary);
		CHECK(vb_mode_find(m->name) == m);
		hosts += m->baseline;
		CHECK(!m->baseline || m->host); /* the baseline has no guest */
		if (m->host) {
			CHECK(m->measure && !m->devices_xml && !m->commandline_xml);
		} else {
			CHECK(!m->measure && (m->devices_xml || m->commandline_xml));
			CHECK(m->guest_driver || m->guest_pci); /* something in the guest proves the bus */
		}
		CHECK(!m->priv_size || m->cleanup);
		CHECK(!m->null_device || !m->host); /* null-co is a guest's drive */
		for (const struct vb_option *o = m->options; o && o->name; o++)
			CHECK(o->cmds && o->help && vb_option_find(o->name, o->cmds) == o);
	}
	CHECK(hosts == 1); /* one baseline: host */
}

/* --lun-device: the controller and the agent read a disk's VPD page 0x80
 * into the same string, inner spaces included. */
static void test_serial(void)
{
	char out[64];
	const unsigned char inner[] = {0, 0x80, 0, 12, ' ', ' ', 'A', 'B', ' ', ' ', 'C', 'D', ' ', 'E', ' ', ' '};
	vb_serial_from_vpd80(inner, sizeof(inner), out, sizeof(out));
	CHECK(strcmp(out, "AB CD E") == 0);
	const unsigned char odd[] = {0, 0x80, 0, 4, 'x', 0x1b, 0xff, 'y'};
	vb_serial_from_vpd80(odd, sizeof(odd), out, sizeof(out));
	CHECK(strcmp(out, "x??y") == 0);
	const unsigned char lying[] = {0, 0x80, 0, 200, 'a', 'b'}; /* longer than the page */
	vb_serial_from_vpd80(lying, sizeof(lying), out, sizeof(out));
	CHECK(strcmp(out, "ab") == 0);
	const unsigned char empty[] = {0, 0x80, 0};
	CHECK(vb_serial_from_vpd80(empty, sizeof(empty), out, sizeof(out)) == 0 && out[0] == '\0');
	char small[4];
	vb_serial_from_vpd80(inner, sizeof(inner), small, sizeof(small));
	CHECK(strcmp(small, "AB") == 0);
}

/* Latency bins: nan/inf keys refused, too many refused, merging sorted. */
static void test_bins(void)
{
	struct vb_hist h = {0};
	json_t *b = json_pack("{s:i, s:i}", "1000", 1, "nan", 1);
	CHECK(vb_hist_add_fio_bins(&h, b) < 0 && h.n == 0);
	json_decref(b);
	b = json_pack("{s:i}", "inf", 1);
	CHECK(vb_hist_add_fio_bins(&h, b) < 0);
	json_decref(b);
	b = json_pack("{s:i}", "-5", 1);
	CHECK(vb_hist_add_fio_bins(&h, b) < 0);
	json_decref(b);
	b = json_object();
	for (int i = 0; i <= VB_HIST_MAX_BINS; i++) {
		char k[16];
		snprintf(k, sizeof(k), "%d", i);
		json_object_set_new(b, k, json_integer(1));
	}
	CHECK(vb_hist_add_fio_bins(&h, b) < 0);
	json_decref(b);
	json_t *b1 = json_pack("{s:i, s:i}", "300", 2, "100", 1), *b2 = json_pack("{s:i, s:i}", "200", 4, "100", 3);
	CHECK(vb_hist_add_fio_bins(&h, b1) == 0 && vb_hist_add_fio_bins(&h, b2) == 0);
	CHECK(h.n == 3 && h.value[0] == 100 && h.count[0] == 4 && h.value[1] == 200 && h.value[2] == 300 && h.total == 10);
	CHECK(vb_hist_percentile(&h, 50) == 200);
	json_decref(b1);
	json_decref(b2);
	vb_hist_release(&h);
}

/* The in-guest check of a passed-through PCI function: its address. */
static void test_hostdev_check(void)
{
	const struct vb_mode *m = vb_mode_find("hostdev");
	char *why = NULL;
	json_t *here = json_pack("{s:s, s:[s,s]}", "devpath", "/sys/devices/pci0000:00/0000:00:12.0/nvme/nvme0/nvme0n1",
	                         "drivers", "nvme", "nvme");
	json_t *there = json_pack("{s:s, s:[s,s]}", "devpath", "/sys/devices/pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1",
	                          "drivers", "nvme", "nvme");
	CHECK(m && m->guest_pci);
	CHECK(vb_agent_check_disk(m, here, &why) == 0);
	CHECK(vb_agent_check_disk(m, there, &why) < 0 && why && strstr(why, "0000:00:12.0"));
	free(why);
	json_decref(here);
	json_decref(there);
}

/* lun's proof of passthrough: an sg node, and an identity of the host's
 * own: a vendor other than QEMU's, or (a nested lab's disk is QEMU's) the
 * device's own unit serial, which an emulated disk would not carry. */
static void test_lun_check(void)
{
	const struct vb_mode *m = vb_mode_find("lun");
	struct {
		const char *vendor, *serial, *sg;
		bool ok;
	} cases[] = {
		{"LIO-ORG", VB_DISK_SERIAL, "sg0", true},   /* tgtd's LUN */
		{"QEMU", "vmio-lab-lun", "sg0", true},      /* the lab's own disk, by its serial */
		{"QEMU", VB_DISK_SERIAL, "sg0", false},     /* QEMU's emulated disk in the guest */
		{"QEMU", "", "sg0", false},
		{"LIO-ORG", VB_DISK_SERIAL, NULL, false},   /* no sg node: no raw SCSI */
	};
	CHECK(m && m->passthrough);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *why = NULL;
		json_t *d = json_pack("{s:[s,s], s:s, s:s, s:s?}", "drivers", "sd", "virtio_scsi", "vendor", cases[i].vendor,
		                      "serial", cases[i].serial, "sg", cases[i].sg);
		CHECK((vb_agent_check_disk(m, d, &why) == 0) == cases[i].ok);
		free(why);
		json_decref(d);
	}
}

/* vhost-scsi's disk is the kernel target's: INQUIRY says LIO-ORG (sysfs
 * pads it with blanks); QEMU's emulation behind the same bus is refused. */
static void test_vhost_scsi_vendor(void)
{
	const struct vb_mode *m = vb_mode_find("vhost-scsi");
	static const struct {
		const char *vendor;
		bool ok;
	} cases[] = {{"LIO-ORG ", true}, {"LIO-ORG", true}, {"QEMU    ", false}, {"LIO-ORGX", false}, {NULL, false}};
	CHECK(m && m->scsi_vendor && strcmp(m->scsi_vendor, "LIO-ORG") == 0);
	for (size_t i = 0; m && i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *why = NULL;
		json_t *d = json_pack("{s:[s,s], s:s?}", "drivers", "sd", "virtio_scsi", "vendor", cases[i].vendor);
		CHECK((vb_agent_check_disk(m, d, &why) == 0) == cases[i].ok);
		CHECK(cases[i].ok || (why && strstr(why, "LIO-ORG")));
		free(why);
		json_decref(d);
	}
}

/* The accelerator probe's cache: a verdict comes back only for the key it
 * was stored under, its reason cleaned of control characters. */
static void test_accel_cache(void)
{
	char dir[] = "/tmp/vmio-unit.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *path = vb_asprintf("%s/accel-probe.json", dir);
	json_t *key = json_pack("{s:s, s:i}", "qemu_version", "7.2.0", "kernel", 1);
	json_t *other = json_pack("{s:s, s:i}", "qemu_version", "7.2.0", "kernel", 2);
	char *why = NULL;
	CHECK(vb_accel_cache_read(path, key, &why) == -1 && !why);
	vb_accel_cache_write(path, key, false, "guest hung\033[2J after the BIOS");
	CHECK(vb_accel_cache_read(path, other, &why) == -1 && !why);
	CHECK(vb_accel_cache_read(path, key, &why) == 0);
	CHECK(why && strstr(why, "guest hung") && !strchr(why, '\033') && strstr(why, "delete it to probe again"));
	free(why);
	vb_accel_cache_write(path, key, true, "a probe guest booted under KVM");
	why = NULL;
	CHECK(vb_accel_cache_read(path, key, &why) == 1);
	free(why);
	unlink(path);
	rmdir(dir);
	free(path);
	json_decref(key);
	json_decref(other);
}

/* Mann-Whitney U against the published table of two-sided critical values
 * at alpha = 0.05 for equal sizes (the largest U still significant):
 * n = 3: none, 4: 0, 5: 2, 6: 5, 7: 8, 8: 13, 9: 17, 10: 23.  Two-sided
 * exact p is twice the lower tail. */
static void test_rank(void)
{
	static const int crit[] = {-1, -1, -1, -1, 0, 2, 5, 8, 13, 17, 23};
	for (size_t n = 3; n <= 10; n++) {
		int c = crit[n];
		if (c >= 0)
			CHECK(2 * vb_mwu_exact_cdf(c, n, n) <= 0.05);
		CHECK(2 * vb_mwu_exact_cdf(c + 1, n, n) > 0.05);
	}
	/* exact values: 3 against 3 cannot go below p = 0.1 (2/20), and 5
	 * against 5 at U = 2 is 2 * 4/252 */
	CHECK(NEAR(vb_mwu_exact_cdf(0, 3, 3), 1.0 / 20, 1e-12));
	CHECK(NEAR(vb_mwu_exact_cdf(2, 5, 5), 4.0 / 252, 1e-12));
	CHECK(NEAR(vb_mwu_exact_cdf(15, 3, 5), 1.0, 1e-12));
	CHECK(vb_mwu_exact_cdf(1, 100, 100) < 0); /* past the exact range */
	struct vb_mwu r;
	double a3[] = {1, 2, 3}, b3[] = {4, 5, 6};
	vb_mwu_test(a3, 3, b3, 3, &r);
	CHECK(r.exact && r.u == 0 && NEAR(r.p, 0.1, 1e-12));
	vb_mwu_test(b3, 3, a3, 3, &r);
	CHECK(r.exact && r.u == 9 && NEAR(r.p, 0.1, 1e-12));
	double a5[] = {1, 2, 3, 4, 5}, b5[] = {6, 7, 8, 9, 10};
	vb_mwu_test(a5, 5, b5, 5, &r);
	CHECK(r.exact && NEAR(r.p, 2.0 / 252, 1e-12));
	/* ties: normal approximation with the tie and continuity corrections,
	 * worked by hand: U = 2.5, var = 16/12 * (9 - 60/56), z = 1.48835 */
	double at[] = {1, 2, 2, 3}, bt[] = {2, 3, 4, 5};
	vb_mwu_test(at, 4, bt, 4, &r);
	CHECK(!r.exact && r.u == 2.5 && NEAR(r.p, 0.136658, 1e-5));
	double same[] = {7, 7, 7};
	vb_mwu_test(same, 3, same, 3, &r);
	CHECK(r.p == 1);
	vb_mwu_test(a3, 3, NULL, 0, &r);
	CHECK(r.p == 1);
	/* Benjamini-Hochberg, worked by hand */
	double p[] = {0.01, 0.04, 0.03, 0.005}, q[4];
	vb_bh_adjust(p, 4, q);
	CHECK(NEAR(q[0], 0.02, 1e-12) && NEAR(q[1], 0.04, 1e-12) && NEAR(q[2], 0.04, 1e-12) && NEAR(q[3], 0.02, 1e-12));
	double one[] = {0.7};
	vb_bh_adjust(one, 1, one);
	CHECK(NEAR(one[0], 0.7, 1e-12));
	/* critical values: the table's for small samples, the normal
	 * approximation's (mean - 1.96 sd - 1/2) past the exact range */
	CHECK(vb_mwu_critical(5, 5, 0.025) == 2 && vb_mwu_critical(10, 10, 0.025) == 23);
	CHECK(vb_mwu_critical(3, 3, 0.025) == -1);
	long big = vb_mwu_critical(50, 50, 0.025);
	CHECK(big >= 964 && big <= 966);
	/* Hodges-Lehmann and Moses' interval, worked by hand: b = a + 10, the
	 * 25 differences 10 + (j - i) sorted; c = 2 drops 2 from each end */
	double ha[] = {1, 2, 3, 4, 5}, hb[] = {11, 12, 13, 14, 15}, est, lo, hi;
	vb_shift_interval(ha, 5, hb, 5, 0.95, &est, &lo, &hi);
	CHECK(est == 10 && lo == 7 && hi == 13);
	vb_shift_interval(a3, 3, b3, 3, 0.95, &est, &lo, &hi);
	CHECK(est == 3 && isinf(lo) && isinf(hi)); /* 3 against 3: no 95% interval exists */
	/* median and MAD: one outlier does not move them */
	double v[] = {4, 1, 100, 3, 2};
	CHECK(vb_median(v, 5) == 3 && NEAR(vb_mad(v, 5), 1.4826, 1e-12));
	double w[] = {1, 2, 3, 4};
	CHECK(vb_median(w, 4) == 2.5 && vb_median(w, 0) == 0);
}

/* A fixed-seed normal deviate (splitmix64, Box-Muller). */
static double unit_normal(uint64_t *st)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		u[i] = ((double)(z >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

/* Change points of 30 nights of 3 repetitions (CV 5%): a 10% step at
 * night 15 is found there (within a night: the noise is 2.5 times the
 * step's size over a single repetition) and nowhere else; two steps are
 * both found; a steady series with one wild night has none. */
static void test_changepoint(void)
{
	static double store[30][3];
	double *v[30];
	size_t n[30];
	struct vb_change ch[8];
	uint64_t st = 42;
	int found_at = 0, false_found = 0, both = 0;
	for (int trial = 0; trial < 50; trial++) {
		for (int kind = 0; kind < 3; kind++) {
			for (int i = 0; i < 30; i++) {
				double level = kind == 0 ? (i >= 15 ? 0.9 : 1.0) : kind == 1 ? (i >= 10 ? (i >= 20 ? 1.0 : 1.12) : 1.0) : 1.0;
				if (kind == 2 && i == 7)
					level = 0.5; /* one wild night */
				for (int r = 0; r < 3; r++)
					store[i][r] = 1000.0 * level * (1.0 + 0.05 * unit_normal(&st));
				v[i] = store[i];
				n[i] = 3;
			}
			size_t k = vb_change_points(v, n, 30, 0.01, 5, ch, 8);
			if (kind == 0)
				found_at += k == 1 && ch[0].at >= 14 && ch[0].at <= 16 && ch[0].change_pct < -5;
			else if (kind == 1)
				both += k == 2 && ch[0].at >= 9 && ch[0].at <= 11 && ch[1].at >= 19 && ch[1].at <= 21 &&
				        ch[0].change_pct > 5 && ch[1].change_pct < -5;
			else
				false_found += k > 0;
		}
	}
	printf("# change points over 50 trials: a 10%% step found within a night of its own %d times, two 12%% steps both found %d times, "
	       "a steady series with one wild night given a change %d times\n", found_at, both, false_found);
	CHECK(found_at >= 45);
	CHECK(both >= 45);
	CHECK(false_found <= 2);
}

/* The gate's rule on hand-made cases. */
static void test_verdict(void)
{
	double hist[30], same[3] = {1000, 990, 1010}, worse[10], better[3] = {1300, 1310, 1290};
	for (int i = 0; i < 30; i++)
		hist[i] = 1000.0 + (double)(i - 15) * 3;
	for (int i = 0; i < 10; i++)
		worse[i] = 800.0 + i;
	struct vb_gate_rule rule = {.threshold_pct = 5, .spread_mult = 1, .fdr = 0.05};
	struct vb_test t[3] = {
		{.hist = hist, .nh = 30, .now = same, .nn = 3, .higher_is_better = true},
		{.hist = hist, .nh = 30, .now = worse, .nn = 10, .higher_is_better = true},
		{.hist = hist, .nh = 30, .now = better, .nn = 3, .higher_is_better = true},
	};
	for (int i = 0; i < 3; i++)
		vb_test_measure(&t[i], &rule);
	vb_tests_decide(t, 3, &rule);
	CHECK(t[0].verdict == VB_PASS);
	CHECK(t[1].verdict == VB_REGRESSED && NEAR(t[1].change_pct, -19.43, 0.01) && t[1].hi_pct < -15 && t[1].lo_pct > -25);
	CHECK(t[2].verdict == VB_IMPROVED && t[2].q < 0.05);
	/* latency: higher is worse */
	struct vb_test l = {.hist = hist, .nh = 30, .now = better, .nn = 3, .higher_is_better = false};
	vb_test_measure(&l, &rule);
	vb_tests_decide(&l, 1, &rule);
	CHECK(l.verdict == VB_REGRESSED);
	/* threshold only (no accepted history): no p, the threshold decides */
	rule.threshold_only = true;
	struct vb_test o = {.hist = same, .nh = 3, .now = worse, .nn = 3, .higher_is_better = true};
	vb_test_measure(&o, &rule);
	vb_tests_decide(&o, 1, &rule);
	CHECK(o.verdict == VB_REGRESSED && isnan(o.p));
	/* a noisy history widens the gate: 12% spread, an 8% drop passes */
	double noisy[30], drop[3] = {920, 921, 919};
	for (int i = 0; i < 30; i++)
		noisy[i] = 1000.0 * (1 + 0.12 * ((i % 2) ? 1 : -1) * (double)(i % 5) / 2.5);
	struct vb_test w = {.hist = noisy, .nh = 30, .now = drop, .nn = 3, .higher_is_better = true};
	rule.threshold_only = false;
	vb_test_measure(&w, &rule);
	vb_tests_decide(&w, 1, &rule);
	CHECK(w.gate_pct > 8 && w.verdict != VB_REGRESSED);
}

/* Where a URI's hypervisor is, and what may go to ssh. */
static void test_hv_uri(void)
{
	struct {
		const char *uri;
		int rc;
		bool remote, system;
		const char *host, *port, *user, *label;
	} t[] = {
		{"qemu:///system", 0, false, true, NULL, NULL, NULL, ""},
		{"qemu:///session", 0, false, false, NULL, NULL, NULL, ""},
		{"qemu+unix:///system", 0, false, true, NULL, NULL, NULL, ""},
		{"qemu+ssh://root@127.0.0.1:2222/system?keyfile=/k&no_verify=1", 0, true, true, "127.0.0.1", "2222", "root", "127.0.0.1"},
		{"qemu+ssh://hv1/system", 0, true, true, "hv1", NULL, NULL, "hv1"},
		{"qemu+tls://hv1.example.com:16514/system", 0, true, true, "hv1.example.com", NULL, NULL, "hv1.example.com"},
		{"qemu+ssh://[::1]:22/system", 0, true, true, "::1", "22", NULL, "h--1"},
		{"qemu+ssh://-oProxyCommand=x/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://a;b@h1/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h1:22x/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h1/system?keyfile=relative/key", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h$(x)/system", -1, false, false, NULL, NULL, NULL, NULL},
		/* libvirt's rules: transports are case-insensitive, a host with
		 * no transport is TLS, libssh and libssh2 ports are ssh's, a tls
		 * port and user are libvirtd's */
		{"qemu+SSH://h:2222/system", 0, true, true, "h", "2222", NULL, "h"},
		{"qemu+Ssh://u@h/system", 0, true, true, "h", NULL, "u", "h"},
		{"qemu://HOST/system", 0, true, true, "HOST", NULL, NULL, "HOST"},
		{"qemu://HOST:16514/system", 0, true, true, "HOST", NULL, NULL, "HOST"},
		{"qemu+tls://sasl@h:16514/system", 0, true, true, "h", NULL, NULL, "h"},
		{"qemu+libssh://h:2222/system", 0, true, true, "h", "2222", NULL, "h"},
		{"qemu+libssh2://u@h:2222/system", 0, true, true, "h", "2222", "u", "h"},
		{"qemu+LIBSSH2://h:2222/system", 0, true, true, "h", "2222", NULL, "h"},
		{"qemu+tcp://h/session", 0, true, false, "h", NULL, NULL, "h"},
		{"qemu+UNIX:///system", 0, false, true, NULL, NULL, NULL, ""},
		{"qemu+ssh://r%6Fot@h%31:22/%73ystem", 0, true, true, "h1", "22", "root", "h1"},
		/* refused, each with one line */
		{"qemu+ftp://h/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh+x://h/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ext:///system?command=/bin/x", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+unix://h/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh:///system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h:99999/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h%zz/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h%2f..%2fx/system", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h/system?no_verify=yes", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h/system?no_verify=1&no_verify=x", -1, false, false, NULL, NULL, NULL, NULL},
		{"qemu+ssh://h/system?keyfile=/k%25d", -1, false, false, NULL, NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vb_hv_uri u;
		char *why = NULL;
		int rc = vb_hv_uri_parse(t[i].uri, &u, &why);
		CHECK(rc == t[i].rc);
		CHECK((why != NULL) == (rc < 0));
		free(why);
		if (rc < 0)
			continue;
		CHECK(u.remote == t[i].remote && u.system == t[i].system);
		CHECK(t[i].host ? u.host && !strcmp(u.host, t[i].host) : !u.host);
		CHECK(t[i].port ? u.port && !strcmp(u.port, t[i].port) : !u.port);
		CHECK(t[i].user ? u.user && !strcmp(u.user, t[i].user) : !u.user);
		CHECK(!strcmp(u.label, t[i].label));
		CHECK(!*u.label || vb_valid_label(u.label));
		vb_hv_uri_release(&u);
	}
	/* the query as libvirt's remote driver reads it: names in any case,
	 * %-escapes decoded, the last of a repeated parameter wins, ';'
	 * separates once no '&' is left */
	struct {
		const char *uri, *keyfile;
		bool no_verify;
	} q_t[] = {
		{"qemu+ssh://h/system?keyfile=/a&keyfile=/b", "/b", false},
		{"qemu+ssh://h/system?KeyFile=/my%20key&NO_VERIFY=1", "/my key", true},
		{"qemu+ssh://h/system?no_verify=1&no_verify=0", NULL, false},
		{"qemu+ssh://h/system?no_verify=0&no_verify=2", NULL, true},
		{"qemu+ssh://h/system?keyfile=/a;no_verify=1", "/a", true},
		{"qemu+ssh://h/system?&&=x&mode=auto&keyfile=/k", "/k", false},
		{"qemu+tls://h/system?keyfile=relative&no_verify=1", NULL, false}, /* not ssh's */
	};
	for (size_t i = 0; i < sizeof(q_t) / sizeof(q_t[0]); i++) {
		struct vb_hv_uri u;
		char *why = NULL;
		CHECK(vb_hv_uri_parse(q_t[i].uri, &u, &why) == 0);
		if (why) {
			fprintf(stderr, "%s\n", why);
			free(why);
			continue;
		}
		CHECK(q_t[i].keyfile ? u.keyfile && !strcmp(u.keyfile, q_t[i].keyfile) : !u.keyfile);
		CHECK(u.no_verify == q_t[i].no_verify);
		vb_hv_uri_release(&u);
	}
	/* an unknown transport: one line that names it and what libvirt knows */
	struct vb_hv_uri u;
	char *why = NULL;
	CHECK(vb_hv_uri_parse("qemu+FOO://h/system", &u, &why) < 0 && why && !strchr(why, '\n') && strstr(why, "'FOO'") &&
	      strstr(why, "libssh2"));
	free(why);

	const char *argv[] = {"a b", "it's", "$(x)", "`y`", "", NULL};
	char *q = vb_hv_quote(argv);
	CHECK(!strcmp(q, "'a b' 'it'\\''s' '$(x)' '`y`' ''"));
	free(q);
}

/* Path components from run.json and the no-follow writers. */
static void test_paths(void)
{
	CHECK(vb_valid_component("rep-1.fio.json", false));
	CHECK(vb_valid_component("bs-4k_iodepth-32", false));
	CHECK(vb_valid_component("", true));
	CHECK(!vb_valid_component("", false));
	CHECK(!vb_valid_component("..", true));
	CHECK(!vb_valid_component(".", true));
	CHECK(!vb_valid_component(".hidden", true));
	CHECK(!vb_valid_component("-x", true));
	CHECK(!vb_valid_component("a/b", true));
	CHECK(!vb_valid_component("a b", true));
	CHECK(!vb_valid_component("a\nb", true));
	CHECK(!vb_valid_component(NULL, true));
	CHECK(vb_valid_relpath("bs-4k/rep-1.fio.json"));
	CHECK(!vb_valid_relpath("../../x"));
	CHECK(!vb_valid_relpath("a/../b"));
	CHECK(!vb_valid_relpath("/etc/passwd"));
	CHECK(!vb_valid_relpath("a//b"));
	CHECK(!vb_valid_relpath("a/"));
	CHECK(!vb_valid_relpath(""));

	char dir[] = "/tmp/vmio-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *target = vb_asprintf("%s/target", dir), *link = vb_asprintf("%s/link", dir);
	FILE *t = fopen(target, "w");
	CHECK(t && fputs("keep", t) >= 0 && fclose(t) == 0);
	CHECK(symlink(target, link) == 0);
	CHECK(vb_open_write(link) < 0);             /* not through a link */
	CHECK(vb_subdir(dir, "link") < 0);          /* nor into one */
	CHECK(vb_subdir(dir, "../x") < 0);
	CHECK(vb_subdir(dir, "a/b") == 0);          /* created */
	CHECK(vb_subdir(dir, "a/b") == 0);          /* and verified */
	char *priv = vb_private_dir_new(dir, "p");
	CHECK(priv && strncmp(priv, dir, strlen(dir)) == 0);
	vb_private_dir_remove(priv);
	CHECK(priv && access(priv, F_OK) < 0);
	char *text = vb_read_file(target, 64, NULL);
	CHECK(text && strcmp(text, "keep") == 0);
	free(text);
	free(priv);
	char *ab = vb_asprintf("%s/a/b", dir), *a = vb_asprintf("%s/a", dir);
	rmdir(ab);
	rmdir(a);
	unlink(link);
	unlink(target);
	rmdir(dir);
	free(ab);
	free(a);
	free(link);
	free(target);
}

/* A command's output beyond VB_RUN_OUT_MAX is an error, not a cut text. */
static void test_run_out_max(void)
{
	char n[32];
	snprintf(n, sizeof(n), "%u", VB_RUN_OUT_MAX + 1);
	const char *over[] = {"head", "-c", n, "/dev/zero", NULL};
	char *out = (char *)"unset";
	errno = 0;
	CHECK(vb_run(over, &out, 30) == -1 && errno == EFBIG && out == NULL);
	snprintf(n, sizeof(n), "%u", VB_RUN_OUT_MAX);
	const char *at[] = {"head", "-c", n, "/dev/zero", NULL};
	size_t len = 0;
	CHECK(vb_run(at, &out, 30) == 0 && out);
	free(out);
	(void)len;
}

/* fio's option parser: ':' escaped, the rest literal or refused */
static void test_fio_path(void)
{
	char *a = vb_fio_path_arg("/x/a:b c:");
	CHECK(a && strcmp(a, "/x/a\\:b c\\:") == 0);
	free(a);
	CHECK(vb_fio_path_check("/x/a:b c.raw") == NULL);
	CHECK(vb_fio_path_check("/x/a\\b") == NULL);
	const char *bad[] = {"", "-", "/x/${HOME}", "/x/$ncpus", "/x/$pagesize", "/x/$mb_memory", "/x/a;b", "/x/a#b",
	                     " /x", "/x ", "/x/\tb"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(vb_fio_path_check(bad[i]) != NULL);
	CHECK(vb_fio_path_check("/x/$HOME") == NULL); /* fio substitutes ${HOME} only */
}

/* issue 23, point 4: a mode's options live in a struct of its own that
 * the configuration carries (copied, released, recorded by name as
 * before); a repeated --connect is a list, recorded one per line. */
static void test_option_parts(void)
{
	struct vb_config c, d;
	char *argv[] = {"run", "--connect", "qemu+ssh://h1/system", "--lun-device", "/dev/sdz", "--connect",
	                "qemu+ssh://h2/system", "--vhost-poll", NULL};
	memset(&c, 0, sizeof(c));
	CHECK(vb_options_parse(&c, VB_CMD_RUN, 8, argv, NULL, NULL) == 0);
	CHECK(c.connects.n == 2 && strcmp(c.connects.v[1], "qemu+ssh://h2/system") == 0);
	CHECK(strcmp(c.connect, "qemu+ssh://h1/system\nqemu+ssh://h2/system") == 0);
	const struct vb_mode *lun = vb_mode_find("lun");
	CHECK(lun && lun->options && lun->options_size);
	const char *const *dev = vb_config_part(&c, lun->options); /* lun's struct opens with the device */
	CHECK(*dev && strcmp(*dev, "/dev/sdz") == 0);
	vb_config_copy(&d, &c);
	CHECK(vb_config_part(&d, lun->options) != vb_config_part(&c, lun->options));
	CHECK(d.connects.n == 2 && d.connects.v[0] != c.connects.v[0]);
	json_t *j = vb_options_to_json(&d, VB_CMD_RUN);
	CHECK(strcmp(json_string_value(json_object_get(j, "lun_device")), "/dev/sdz") == 0);
	CHECK(json_is_true(json_object_get(j, "vhost_poll")) && json_is_null(json_object_get(j, "pci_device")));
	CHECK(strcmp(json_string_value(json_object_get(j, "connect")), c.connect) == 0);
	json_decref(j);
	vb_config_release(&d);
	vb_config_release(&c);
	CHECK(c.connects.n == 0 && !c.part[0]);
	CHECK(vb_options_part_known("hostdev") && !vb_options_part_known("nosuch"));
}

/* The hypervisor layer's helpers on this machine (issue 23: local or
 * remote is decided in host/; tests/remote.sh runs their remote form). */
static void test_hv_here(void)
{
	CHECK(vb_hv_is_this_host());
	CHECK(vb_hv_on_path("sh") && !vb_hv_on_path("vmio-no-such-command"));
	CHECK(vb_hv_scratch_path("host-fio.pid") == NULL); /* a child's pid is known here */
	char dir[] = "/tmp/vmio-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *a = vb_asprintf("%s/a.so", dir), *dot = vb_asprintf("%s/.hidden", dir), *pat = vb_asprintf("%s/*.so", dir);
	const char *none[] = {"/nonexistent/*/x.so", NULL}, *some[] = {"/nonexistent/*/x.so", pat, NULL};
	CHECK(vb_hv_dir_count(dir) == 0 && !vb_hv_glob_any(some) && !vb_hv_glob_any(none));
	CHECK(vb_write_file_atomic(a, "", 0) == 0 && vb_write_file_atomic(dot, "", 0) == 0);
	CHECK(vb_hv_dir_count(dir) == 1 && vb_hv_glob_any(some) && !vb_hv_glob_any(none));
	CHECK(vb_hv_dir_count("/nonexistent") == 0);
	json_t *id = vb_hv_kvm_identity("/nonexistent/qemu");
	const char *keys[] = {"kernel", "qemu_binary_size", "qemu_binary_mtime", "dev_kvm"};
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(id, key, v) CHECK(k < 4 && strcmp(key, keys[k++]) == 0);
	CHECK(k == 4 && json_integer_value(json_object_get(id, "qemu_binary_size")) == -1);
	json_decref(id);
	unlink(a);
	unlink(dot);
	rmdir(dir);
	free(a);
	free(dot);
	free(pat);
}

/* Thread classes (QEMU 7.2's names as seen here) and the split over a
 * window: live threads from their start (born inside it: from 0), the
 * exited class the process's total less them, never below 0 (tick
 * rounding raises the total to the threads' sum instead). */
/* The table of remote processes' stand-ins: full is an explicit refusal
 * (its CPU is then lost, never the ssh's own read as the process's). */
static void test_proc_alias(void)
{
	pid_t base = 900000;
	for (pid_t i = 0; i < VB_PROC_ALIASES; i++)
		CHECK(vb_proc_alias(base + i, "/nonexistent/vmio-unit.pid"));
	CHECK(vb_proc_alias(base, "/nonexistent/vmio-unit.pid")); /* known already */
	CHECK(!vb_proc_alias(base + VB_PROC_ALIASES, "/nonexistent/vmio-unit.pid"));
	CHECK(vb_daemon_host_pid(base) == -1); /* its pidfile is not there: unknown */
	CHECK(vb_daemon_host_pid(base + VB_PROC_ALIASES) == base + VB_PROC_ALIASES);
	vb_proc_unalias(base);
	CHECK(vb_proc_alias(base + VB_PROC_ALIASES, "/nonexistent/vmio-unit.pid"));
	for (pid_t i = 1; i <= VB_PROC_ALIASES; i++)
		vb_proc_unalias(base + i);
	CHECK(vb_daemon_host_pid(base + 1) == base + 1);
}

/* A reply counts for a job only with the job's id. */
static void test_reply_id(void)
{
	json_t *ok = json_pack("{s:s}", "id", "rep-1 default vm-2"), *other = json_pack("{s:s}", "id", "rep-1 default vm-1");
	json_t *none = json_object(), *num = json_pack("{s:i}", "id", 3);
	CHECK(vb_session_reply_for(ok, "ready", "rep-1 default vm-2"));
	CHECK(vb_session_reply_for(ok, "result", "rep-1 default vm-2"));
	CHECK(!vb_session_reply_for(other, "ready", "rep-1 default vm-2"));
	CHECK(!vb_session_reply_for(other, "result", "rep-1 default vm-2"));
	CHECK(!vb_session_reply_for(other, "error", "rep-1 default vm-2"));
	CHECK(!vb_session_reply_for(none, "result", "rep-1 default vm-2"));
	CHECK(!vb_session_reply_for(num, "ready", "rep-1 default vm-2"));
	CHECK(vb_session_reply_for(none, "error", "rep-1 default vm-2"));
	json_decref(ok);
	json_decref(other);
	json_decref(none);
	json_decref(num);
}

static void test_thread_split(void)
{
	CHECK(!strcmp(vb_thread_class_qemu("CPU 0/TCG", 11, 10), "vcpu"));
	CHECK(!strcmp(vb_thread_class_qemu("CPU 3/KVM", 11, 10), "vcpu"));
	CHECK(!strcmp(vb_thread_class_qemu("IO iothread1", 11, 10), "iothread"));
	CHECK(!strcmp(vb_thread_class_qemu("IO mon_iothread", 11, 10), "other"));
	CHECK(!strcmp(vb_thread_class_qemu("qemu-system-x86", 10, 10), "main"));
	CHECK(!strcmp(vb_thread_class_qemu("qemu-system-x86", 12, 10), "other")); /* call_rcu */
	CHECK(!strcmp(vb_thread_class_qemu("worker", 13, 10), "worker"));
	CHECK(!strcmp(vb_thread_class_qemu("vhost-10", 14, 10), "vhost"));
	struct vb_thread_cpu a_t[] = {{10, "qemu-system-x86", 100}, {11, "CPU 0/TCG", 1000}, {13, "worker", 50}};
	struct vb_thread_cpu b_t[] = {{10, "qemu-system-x86", 130}, {11, "CPU 0/TCG", 1900}, {15, "worker", 40}};
	struct vb_proc_threads a = {10, 1200, a_t, 3}, b = {10, 2300, b_t, 3};
	unsigned long long tot = 0;
	json_t *o = vb_thread_split(&vb_threads_qemu, &a, &b, NULL, &tot);
	json_t *c = json_object_get(o, "classes");
	CHECK(tot == 1100);
	CHECK(json_integer_value(json_object_get(c, "vcpu")) == 900);
	CHECK(json_integer_value(json_object_get(c, "main")) == 30);
	CHECK(json_integer_value(json_object_get(c, "worker")) == 40); /* born inside: from 0 */
	CHECK(json_integer_value(json_object_get(c, "exited")) == 130); /* 1100 - 970: worker 13's share */
	CHECK(json_array_size(json_object_get(o, "per_thread")) == 3);
	json_decref(o);
	b.ns = 2150; /* the total rounded below the threads' sum (970 > 950) */
	o = vb_thread_split(&vb_threads_qemu, &a, &b, NULL, &tot);
	CHECK(tot == 970 && json_integer_value(json_object_get(json_object_get(o, "classes"), "exited")) == 0);
	json_decref(o);
	char clean[16];
	vb_thread_comm_clean("a\x1b[2Jb\tc", clean);
	CHECK(!strcmp(clean, "a?[2Jb?c"));
}

/* issue 27: variant mode names (BASE+TAG) and tune's objective per
 * repetition, read from a real run of virtio-blk and virtio-blk+t */
static void test_variants(void)
{
	CHECK(vb_valid_name("virtio-blk+t", 32) && vb_valid_name("virtio-blk+c07", 32));
	CHECK(vb_valid_name("virtio-blk+abcdefghijklmnop", 64));   /* a 16-byte tag */
	CHECK(!vb_valid_name("virtio-blk+abcdefghijklmnopq", 64)); /* 17 */
	CHECK(!vb_valid_name("virtio-blk+", 32) && !vb_valid_name("virtio-blk+A", 32) && !vb_valid_name("a+b+c", 32));
	CHECK(!vb_valid_name("+x", 32) && !vb_valid_name("virtio-blk+-x", 32) && !vb_valid_name("virtio-blk+t", 8));
	const struct vb_mode *v = vb_mode_find("virtio-blk+t"), *b = vb_mode_find("virtio-blk");
	CHECK(v && b && v != b && !strcmp(v->name, "virtio-blk+t") && v->variant_of && !strcmp(v->variant_of, "virtio-blk"));
	CHECK(v && b && v->devices_xml == b->devices_xml && v->options == b->options && !b->variant_of);
	CHECK(vb_mode_find("virtio-blk+t") == v); /* interned: one row per name */
	CHECK(!vb_mode_find("nope+t") && !vb_mode_find("virtio-blk+T") && !vb_mode_find("virtio-blk+"));
	char base[32];
	CHECK(vb_mode_variant_base("sata+x1", base, sizeof(base)) && !strcmp(base, "sata"));
	CHECK(!vb_mode_variant_base("sata", base, sizeof(base)));
	CHECK(vb_valid_relpath("virtio-blk+t/rep-1.fio.json"));

	struct vb_summary s = {0};
	char *dir = vb_asprintf("%s/tests/fixtures/run-variant", VB_SRCDIR);
	CHECK(vb_summary_load(dir, &s) == 0);
	double *v1 = NULL;
	size_t n = 0;
	vb_objective_values(&s, "virtio-blk+t", VB_OBJ_IOPS, &v1, &n);
	CHECK(n == 1 && fabs(v1[0] - 6599.4006) < 0.01); /* reads + writes of its fio JSON */
	free(v1);
	vb_objective_values(&s, "virtio-blk+t", VB_OBJ_CLAT_P99, &v1, &n);
	CHECK(n == 1 && v1[0] == 17432576); /* the slower direction's */
	free(v1);
	vb_objective_values(&s, "virtio-blk+t", VB_OBJ_IOPS_PER_CPU, &v1, &n);
	CHECK(n == 1 && isfinite(v1[0]) && v1[0] > 0);
	free(v1);
	vb_objective_values(&s, "nope", VB_OBJ_IOPS, &v1, &n);
	CHECK(n == 0 && !v1);
	CHECK(vb_objective_find("clat_p99") == VB_OBJ_CLAT_P99 && vb_objective_lower_better(VB_OBJ_CLAT_P99) &&
	      !vb_objective_lower_better(VB_OBJ_IOPS) && vb_objective_find("bw") < 0);
	vb_summary_release(&s);
	free(dir);
}

/* tune's confirmation: a winner measured worse than the default is said
 * so ("default better"), never "as good"; lower-is-better inverted */
static void test_paired(void)
{
	const double d[] = {100, 100, 100}, better[] = {110, 111, 109}, worse[] = {90, 91, 89}, same[] = {101, 99, 100.5};
	struct vb_paired p;
	vb_race_paired(d, better, 3, false, 0.03, &p);
	CHECK(!strcmp(p.verdict, "gain") && p.gain > 1.09 && p.lo > 1 && p.p < 0.01);
	vb_race_paired(d, worse, 3, false, 0.03, &p);
	CHECK(!strcmp(p.verdict, "default better") && p.gain < 0.91 && p.hi < 1 && p.p < 0.01);
	vb_race_paired(d, worse, 3, true, 0.03, &p); /* a p99: lower wins */
	CHECK(!strcmp(p.verdict, "gain") && p.gain > 1.09);
	vb_race_paired(d, same, 3, false, 0.03, &p);
	CHECK(!strcmp(p.verdict, "default as good") && p.lo < 1 && p.hi > 1 && p.p > 0.05);
}

/* A candidate's figure as the race sees it: the geometric mean of its
 * repetitions, an interval only from two rounds on, from the round means
 * (a round's repetitions share its guest), inverted for a p99. */
static void test_race_estimate(void)
{
	struct vb_race r;
	double m, lo, hi;
	vb_race_init(&r, 1, 0.03, 0.05, false);
	vb_race_add(&r, 0, 100);
	vb_race_add(&r, 0, 100);
	CHECK(vb_race_estimate(&r, 0, &m, &lo, &hi) == 1 && fabs(m - 100) < 1e-9 && isnan(lo) && isnan(hi));
	vb_race_prune(&r);
	vb_race_add(&r, 0, 121);
	vb_race_add(&r, 0, 121);
	/* two samples, log 100 and log 121: the mean of four logs is log 110 */
	CHECK(vb_race_estimate(&r, 0, &m, &lo, &hi) == 2 && fabs(m - 110) < 1e-9 && lo < 100 && hi > 121);
	vb_race_release(&r);
	vb_race_init(&r, 1, 0.03, 0.05, true);
	vb_race_add(&r, 0, 100);
	vb_race_prune(&r);
	vb_race_add(&r, 0, 121);
	CHECK(vb_race_estimate(&r, 0, &m, &lo, &hi) == 2 && fabs(m - 110) < 1e-9 && lo < 110 && hi > 110 && lo < hi);
	vb_race_release(&r);
}

/* tune.json's seed reproduces the shuffles: all of its 32 bits (a seed
 * from the clock is above 2^31 half the time; the schema wants >= 0) */
static void test_tune_json(void)
{
	char dir[] = "/tmp/vmio-unit.XXXXXX", obj[] = "iops", id[] = "tune-x";
	CHECK(mkdtemp(dir) != NULL);
	struct vb_config c = {.objective = obj, .budget = 60, .min_effect = 3};
	struct vb_tune t = {.c = &c, .m = vb_mode_find("virtio-blk"), .space = json_object(), .rounds = json_array(),
	                    .dir = dir, .id = id, .seed = 4000000000u, .stop = "one", .t0 = vb_now()};
	vb_race_init(&t.race, 0, 0.03, 0.05, false);
	CHECK(vb_tune_write(&t) == 0);
	char *path = vb_asprintf("%s/tune.json", dir);
	json_t *doc = json_load_file(path, 0, NULL);
	CHECK(doc && json_integer_value(json_object_get(doc, "seed")) == 4000000000ll);
	json_decref(doc);
	unlink(path);
	free(path);
	rmdir(dir);
	json_decref(t.space);
	json_decref(t.rounds);
	vb_race_release(&t.race);
}

/* Findings' statistics (issue 28), worked by hand from the logs: a =
 * {100, 110, 120}, b = {200, 190, 230}: log means 4.6967 and 5.3270,
 * ratio exp(0.6302) = 1.87778, se 0.08669, Welch's dof 3.974 (t 2.7810):
 * [1.51273, 2.33094], p 0.00129. */
static void test_log_ratio(void)
{
	double a[] = {100, 110, 120}, b[] = {200, 190, 230}, z[] = {100, 0, 120};
	struct vb_log_ratio lr;
	CHECK(vb_log_ratio_welch(a, 3, b, 3, &lr) == 0);
	CHECK(NEAR(lr.ratio, 1.877785, 1e-5));
	CHECK(NEAR(lr.lo, 1.512728, 1e-4) && NEAR(lr.hi, 2.330938, 1e-4));
	CHECK(NEAR(lr.p, 0.0012900, 2e-6));
	CHECK(NEAR(lr.lo * lr.hi, lr.ratio * lr.ratio, 1e-9)); /* symmetric in logs */
	/* the same test as vb_welch_p on the logs, the other way round */
	struct vb_log_ratio back;
	CHECK(vb_log_ratio_welch(b, 3, a, 3, &back) == 0 && NEAR(back.ratio * lr.ratio, 1, 1e-12) && NEAR(back.p, lr.p, 1e-12));
	/* identical samples: ratio 1, p 1 */
	CHECK(vb_log_ratio_welch(a, 3, a, 3, &lr) == 0 && NEAR(lr.ratio, 1, 1e-12) && NEAR(lr.p, 1, 1e-9));
	/* one value a side: the ratio, no interval, no test */
	CHECK(vb_log_ratio_welch(a, 1, b, 3, &lr) == 0 && isnan(lr.lo) && isnan(lr.hi) && isnan(lr.p));
	/* geometric, not arithmetic: b's mean over a's would be 1.9091 */
	CHECK(vb_log_ratio_welch(a, 1, b, 3, &lr) == 0 && NEAR(lr.ratio, exp((log(200) + log(190) + log(230)) / 3) / 100, 1e-9));
	/* no log of 0: refused, all NAN */
	CHECK(vb_log_ratio_welch(z, 3, b, 3, &lr) < 0 && isnan(lr.ratio) && isnan(lr.p));
	CHECK(vb_log_ratio_welch(a, 0, b, 3, &lr) < 0);

	/* --reps auto's rule from a CV: the least n >= 3 with
	 * t(0.975, n-1) * cv / sqrt(n) <= target (worked by search) */
	CHECK(vb_reps_auto_least(10) == 3 && vb_reps_auto_least(2) == 2);
	CHECK(vb_reps_for_cv(0.20, 3, 3) == 174);
	CHECK(vb_reps_for_cv(0.05, 3, 3) == 14);
	CHECK(vb_reps_for_cv(0.01, 3, 3) == 3);  /* the least already does */
	CHECK(vb_reps_for_cv(0.25, 5, 3) == 99);
	CHECK(vb_reps_for_cv(1e6, 3, 3) == 0);   /* beyond any count */
	CHECK(vb_reps_for_cv(NAN, 3, 3) == 0);
}

/* Findings on the stored run of tests/fixtures/run-base (host, virtio-blk,
 * sata; 3 repetitions each; a mixed job): virtio-blk ranks above sata,
 * 2.26 times its IOPS (geometric means of reads + writes), significant;
 * the share of host is the table's 9.2%; nothing spreads over 20%. */
static void test_findings(void)
{
	struct vb_summary s;
	CHECK(vb_summary_load(VB_SRCDIR "/tests/fixtures/run-base", &s) == 0);
	struct vb_findings *fs = vb_findings_new(&s);
	CHECK(fs->n == 3 && fs->ntests == 1 && !fs->scoped);
	const struct vb_finding *r = &fs->f[0], *st = &fs->f[1], *sh = &fs->f[2];
	CHECK(r->kind == VB_FINDING_RANK && r->nranked == 2 && r->headline == VB_HEADLINE_TOTAL);
	CHECK(!strcmp(r->ranked[0].mode, "virtio-blk") && !strcmp(r->ranked[1].mode, "sata"));
	CHECK(st->kind == VB_FINDING_STEP && !strcmp(st->mode, "virtio-blk") && !strcmp(st->other, "sata"));
	CHECK(NEAR(st->value, 2.258804, 1e-5) && NEAR(st->lo, 2.017584, 1e-4) && NEAR(st->hi, 2.528863, 1e-4));
	CHECK(NEAR(st->p, 0.000501193, 1e-7) && NEAR(st->q, st->p, 1e-15) && st->significant);
	CHECK(sh->kind == VB_FINDING_SHARE && !strcmp(sh->other, "host") && NEAR(sh->value, 0.0921138, 1e-6));
	CHECK(sh->lo < sh->value && sh->hi > sh->value);
	vb_findings_free(fs);
	vb_findings_free(NULL);
	vb_summary_release(&s);
}

/* fio's histogram log, as fio 3.33 writes it (iolog.c, flush_hist_samples):
 * "msec, dir, bs, " then VB_LAT_BUCKETS counts; counts[i] at bucket idx[i]. */
static void hist_line(FILE *f, unsigned msec, unsigned dir, const unsigned *idx, const unsigned *cnt, size_t n)
{
	fprintf(f, "%u, %u, 4096", msec, dir);
	for (unsigned b = 0; b < VB_LAT_BUCKETS; b++) {
		unsigned c = 0;
		for (size_t i = 0; i < n; i++)
			if (idx[i] == b)
				c += cnt[i];
		fprintf(f, ", %u", c);
	}
	fputc('\n', f);
}

static char *reduce_text(const char *text, bool *cut, const char **why)
{
	char path[] = "/tmp/vmio-unit-hist.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) < 0) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	char *r = vb_lathist_reduce_file(path, cut, why);
	unlink(path);
	return r;
}

static void test_lathist(void)
{
	/* fio's bucket math (stat.c, plat_idx_to_val): exact below 128, then
	 * groups of 64 buckets each twice as wide, valued at the middle */
	CHECK(vb_lat_bucket_ns(0) == 0 && vb_lat_bucket_ns(127) == 127);
	CHECK(vb_lat_bucket_ns(128) == 129);     /* 2^7 + 0.5 * 2 */
	CHECK(vb_lat_bucket_ns(200) == 290);     /* 2^8 + 8.5 * 4 */
	CHECK(vb_lat_bucket_ns(300) == 868);     /* 2^9 + 44.5 * 8 */
	CHECK(vb_lat_bucket_ns(400) == 2576);    /* 2^11 + 16.5 * 32 */
	CHECK(vb_lat_bucket_ns(1855) == 17112760320ull); /* 2^33 + 63.5 * 2^27 */
	/* a json+ bin fio wrote (tests/fuzz corpus: "387072") is bucket 13 * 64 + 30 */
	CHECK(vb_lat_bucket_ns(13 * 64 + 30) == 387072);

	/* percentiles: the first bucket whose cumulative count reaches p% */
	static uint64_t counts[VB_LAT_BUCKETS];
	uint64_t p[VB_LAT_NPCT];
	memset(counts, 0, sizeof(counts));
	counts[10] = 50, counts[200] = 40, counts[300] = 9, counts[400] = 1;
	CHECK(vb_lat_percentiles(counts, p) == 100);
	CHECK(p[0] == 10 && p[1] == 290 && p[2] == 868 && p[3] == 2576);
	memset(counts, 0, sizeof(counts));
	CHECK(vb_lat_percentiles(counts, p) == 0 && p[0] == 0 && p[3] == 0);

	/* the histogram log reduced: two jobs' lines of one second merged
	 * (per_job_logs=0 appends them to one file), trims left out, a
	 * window stamped late (1009 ms) keyed by its second */
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	unsigned i1[] = {10, 200}, c1[] = {50, 40}, i2[] = {300, 400}, c2[] = {9, 1}, i3[] = {128}, c3[] = {7};
	hist_line(f, 1009, 0, i1, c1, 2);
	hist_line(f, 1012, 1, i3, c3, 1);
	hist_line(f, 2003, 0, i3, c3, 1);
	hist_line(f, 1004, 2, i1, c1, 2); /* trim */
	hist_line(f, 1001, 0, i2, c2, 2); /* job 2, appended after job 1's lines */
	fclose(f);
	bool cut = true;
	const char *why = NULL;
	char *lat = reduce_text(buf, &cut, &why);
	CHECK(lat != NULL && !cut);
	struct vb_latrow *rows = NULL;
	size_t n = 0;
	CHECK(lat && vb_latlog_parse(lat, strlen(lat), &rows, &n, &cut, &why) == 0 && n == 3 && !cut);
	if (n == 3) {
		CHECK(rows[0].msec == 1000 && rows[0].dir == 0 && rows[0].n == 100);
		CHECK(rows[0].p[0] == 10 && rows[0].p[1] == 290 && rows[0].p[2] == 868 && rows[0].p[3] == 2576);
		CHECK(rows[1].msec == 1000 && rows[1].dir == 1 && rows[1].n == 7 && rows[1].p[2] == 129);
		CHECK(rows[2].msec == 2000 && rows[2].dir == 0 && rows[2].n == 7);
	}
	free(rows);
	free(lat);
	/* a line that is not fio's: too few buckets, a sign, words */
	free(buf);
	CHECK(reduce_text("1000, 0, 4096, 1, 2, 3\n", &cut, &why) == NULL && why && strstr(why, "1856"));
	CHECK(reduce_text("1000, -1, 4096, 1\n", &cut, &why) == NULL);
	CHECK(reduce_text("hello\n", &cut, &why) == NULL);
	CHECK(vb_lathist_reduce_file("/nonexistent/hist.log", &cut, &why) == NULL && why);

	/* the lat log read strictly: what a hostile guest or folder sends */
	static const char *const bad[] = {
		"1000, 0, 5, 10, 20, 30, 40 ; rm -rf /\n",  /* trailing junk */
		"1000, 2, 5, 10, 20, 30, 40\n",            /* no such direction */
		"1500, 0, 5, 10, 20, 30, 40\n",            /* not a whole second */
		"1000, 0, 0, 10, 20, 30, 40\n",            /* no completions */
		"1000, 0, 5, 40, 30, 20, 10\n",            /* percentiles descending */
		"1000, 0, 5, 10, 20, 30, 99999999999999\n", /* beyond VB_LAT_MAX_NS */
		"1000, 0, 5, 10, 20, 30, 1234567890123456\n", /* 16 digits */
		"2000, 0, 5, 10, 20, 30, 40\n1000, 0, 5, 10, 20, 30, 40\n", /* out of order */
		"1000, 1, 5, 10, 20, 30, 40\n1000, 1, 5, 10, 20, 30, 40\n", /* repeated */
		"1000, 0, 5, 10, 20, 30\n",                /* six fields */
		"1000,0,5,10,20,30,40\n",                  /* not the format */
		"-1000, 0, 5, 10, 20, 30, 40\n",
		"1000, 0, 5, 10, 20, 30, 40\n\n",          /* an empty line */
		"1000, 0, 5, 1e3, 2e3, 3e3, 4e3\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rows = (struct vb_latrow *)1;
		why = NULL;
		int rc = vb_latlog_parse(bad[i], strlen(bad[i]), &rows, &n, &cut, &why);
		CHECK(rc == -1 && rows == NULL && why != NULL);
		if (rc == 0)
			fprintf(stderr, "accepted: %s", bad[i]);
	}
	const char nul[] = "1000, 0, 5, 10, 20, 30, 40\n\0" "2000, 0, 5, 10, 20, 30, 40\n";
	CHECK(vb_latlog_parse(nul, sizeof(nul) - 1, &rows, &n, &cut, &why) == -1);
	const char good[] = "# comment\n1000, 0, 5, 10, 20, 30, 40\n1000, 1, 3, 11, 21, 31, 41\n2000, 1, 3, 11, 21, 31, 41";
	CHECK(vb_latlog_parse(good, strlen(good), &rows, &n, &cut, &why) == 0 && n == 3 && !cut && rows[2].p[3] == 41);
	char *again = rows ? vb_latlog_format(rows, n) : NULL;
	free(rows);
	CHECK(again && vb_latlog_parse(again, strlen(again), &rows, &n, &cut, &why) == 0 && n == 3);
	free(rows);
	free(again);
	/* a flood: more lines than the cap are cut and said so, never refused */
	size_t flen = (VB_LAT_MAX_ROWS + 10) * 40;
	char *flood = vb_calloc(flen, 1), *w = flood;
	for (unsigned k = 0; k < VB_LAT_MAX_ROWS + 10; k++)
		w += sprintf(w, "%u, %u, 1, 1, 2, 3, 4\n", (k / 2 + 1) * 1000, k % 2);
	CHECK(vb_latlog_parse(flood, (size_t)(w - flood), &rows, &n, &cut, &why) == 0 && n == VB_LAT_MAX_ROWS && cut);
	free(rows);
	free(flood);
}

/* issue 28: the hypervisor's environment -- a sysfs [selected] choice,
 * the mount under a path (longest prefix, whole components, escapes, a
 * hostile line), the helper's whole output, and the cleaning of every
 * value for its field */
static void test_hostenv_selected(void)
{
	char *v;
	CHECK((v = vb_hostenv_selected("[mq-deadline] none")) && strcmp(v, "mq-deadline") == 0);
	free(v);
	CHECK((v = vb_hostenv_selected("none [mq-deadline] kyber bfq")) && strcmp(v, "mq-deadline") == 0);
	free(v);
	CHECK((v = vb_hostenv_selected("always [madvise] never")) && strcmp(v, "madvise") == 0);
	free(v);
	CHECK((v = vb_hostenv_selected("always defer defer+madvise [madvise] never")) && strcmp(v, "madvise") == 0);
	free(v);
	CHECK((v = vb_hostenv_selected("none")) && strcmp(v, "none") == 0); /* a queue with no choice */
	free(v);
	CHECK(vb_hostenv_selected("none mq-deadline") == NULL); /* several, none selected */
	CHECK(vb_hostenv_selected("") == NULL && vb_hostenv_selected(NULL) == NULL);
	CHECK(vb_hostenv_selected("[] none") == NULL && vb_hostenv_selected("[a b] c") == NULL);
	CHECK((v = vb_hostenv_selected("[\x1b[31mx`id`] none")) && strspn(v, "?[31mxid") == strlen(v) && !strchr(v, '`'));
	free(v);
	char longw[200];
	memset(longw, 'a', sizeof(longw) - 1);
	longw[sizeof(longw) - 1] = '\0';
	CHECK((v = vb_hostenv_selected(longw)) && strlen(v) == VB_ENV_WORD_MAX);
	free(v);
}

static void test_hostenv_mount(void)
{
	const char *mi =
		"26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
		"27 26 0:24 / /mnt rw shared:5 - tmpfs tmpfs rw\n"
		"28 27 8:17 / /mnt/a rw shared:7 master:1 - xfs /dev/sdb1 rw\n"
		"29 27 8:33 / /mnt/a\\040b rw - btrfs /dev/sdc1 rw\n"
		"garbage line without the separator\n"
		"30 27 x:y / /mnt/a/bad rw - ext4 /dev/sdz rw\n"
		"31 27 8:49 / /mnt/ab rw - ext2 /dev/sdd1 rw\n"
		"32 26 0:99 / /mnt/a rw - overlay ov\\033[2J rw\n";
	struct vb_hostenv_mount m;
	CHECK(vb_hostenv_mount_find(mi, "/var/cache/x.raw", &m) == 0 && strcmp(m.point, "/") == 0 &&
	      strcmp(m.fs, "ext4") == 0 && strcmp(m.source, "/dev/vda") == 0 && m.major == 254 && m.minor == 0);
	vb_hostenv_mount_release(&m);
	/* /mnt/a is mounted twice: the later line is the one on top */
	CHECK(vb_hostenv_mount_find(mi, "/mnt/a/disk.raw", &m) == 0 && strcmp(m.point, "/mnt/a") == 0 &&
	      strcmp(m.fs, "overlay") == 0 && m.major == 0 && m.minor == 99 && strcmp(m.source, "ov?[2J") == 0);
	vb_hostenv_mount_release(&m);
	/* a whole component: /mnt/ab is not under /mnt/a, /mnt/abc under neither */
	CHECK(vb_hostenv_mount_find(mi, "/mnt/ab/f", &m) == 0 && strcmp(m.fs, "ext2") == 0);
	vb_hostenv_mount_release(&m);
	CHECK(vb_hostenv_mount_find(mi, "/mnt/abc", &m) == 0 && strcmp(m.point, "/mnt") == 0);
	vb_hostenv_mount_release(&m);
	/* the escaped blank, and a line whose numbers are not numbers is skipped */
	CHECK(vb_hostenv_mount_find(mi, "/mnt/a b/f", &m) == 0 && strcmp(m.point, "/mnt/a b") == 0 &&
	      strcmp(m.fs, "btrfs") == 0);
	vb_hostenv_mount_release(&m);
	CHECK(vb_hostenv_mount_find(mi, "/mnt/a/bad/f", &m) == 0 && strcmp(m.point, "/mnt/a") == 0);
	vb_hostenv_mount_release(&m);
	CHECK(vb_hostenv_mount_find("not mountinfo at all\n", "/x", &m) == -1 && !m.point);
	CHECK(vb_hostenv_mount_find("", "/x", &m) == -1);
	/* a hostile mount point: a line end and an escape sequence, unescaped then cleaned */
	CHECK(vb_hostenv_mount_find("1 1 8:1 / /e\\012vil\\033 rw - ext4 /dev/sda1 rw\n", "/e\nvil\033/f", &m) == 0 &&
	      strcmp(m.point, "/e?vil?") == 0);
	vb_hostenv_mount_release(&m);
}

static void test_hostenv_parse(void)
{
	const char *out =
		"f\t/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor\tperformance\n"
		"f\t/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor\tpowersave\n"
		"f\t/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor\tperformance\n"
		"f\t/sys/devices/system/cpu/intel_pstate/no_turbo\t1\n"
		"f\t/sys/kernel/mm/transparent_hugepage/enabled\t[always] madvise never\n"
		"f\t/sys/kernel/mm/transparent_hugepage/defrag\talways defer [madvise] never\n"
		"f\t/sys/devices/system/cpu/vulnerabilities/spectre_v2\tMitigation: Retpolines\033[2J\n"
		"f\t/sys/devices/system/cpu/vulnerabilities/Bad Name\tx\n"
		"vuln\n"
		"node\tnode0\nnode\tnode1\nnode\tnodex\n"
		"mem\tMemTotal:       24683748 kB\n"
		"uname\t6.1.0-27-amd64\n"
		"real\t/srv/vm/store.raw\n"
		"mi\t26 1 254:0 / / rw - ext4 /dev/vda rw\n"
		"mi\t40 26 8:2 / /srv rw - xfs /dev/sda2 rw\n"
		"blk\tvda\t254:0\tnone [mq-deadline] kyber\t1\n"
		"blk\tsda\t8:0\t[bfq] none\t0\n"
		"part\tsda2\t8:2\tsda\n"
		"junk\n";
	struct vb_env e;
	vb_hostenv_parse(out, &e);
	CHECK(e.governor && strcmp(e.governor, "mixed: performance, powersave") == 0);
	CHECK(e.boost == 0); /* no_turbo 1: boost off */
	CHECK(e.thp_enabled && strcmp(e.thp_enabled, "always") == 0 && e.thp_defrag && strcmp(e.thp_defrag, "madvise") == 0);
	CHECK(e.has_mitigations && e.nmitigations == 1 && strcmp(e.mitigations[0].name, "spectre_v2") == 0 &&
	      strcmp(e.mitigations[0].text, "Mitigation: Retpolines?[2J") == 0);
	CHECK(e.numa_nodes == 2 && e.mem_total_kib == 24683748 && strcmp(e.kernel, "6.1.0-27-amd64") == 0);
	CHECK(e.has_store && strcmp(e.store_path, "/srv/vm/store.raw") == 0 && strcmp(e.store_mount, "/srv") == 0 &&
	      strcmp(e.store_fs, "xfs") == 0 && strcmp(e.store_device, "sda2") == 0 && strcmp(e.store_disk, "sda") == 0 &&
	      strcmp(e.store_scheduler, "bfq") == 0 && e.store_rotational == 0);
	struct vb_env_row *rows;
	size_t n = vb_env_rows(&e, &rows);
	CHECK(n >= 10 && strcmp(rows[0].label, "kernel") == 0 && strcmp(rows[1].value, "mixed: performance, powersave") == 0);
	vb_env_rows_free(rows, n);
	vb_env_release(&e);
	/* a block device as the store: its own queue, no file system; a
	 * host without cpufreq, boost, NUMA or vulnerabilities: all unknown */
	vb_hostenv_parse("real\t/dev/sdb\nrdev\t8:10\nblk\tsdb\t8:16\t[none] mq-deadline\t0\n", &e);
	CHECK(e.has_store && !e.store_fs && !e.store_mount && e.store_device && strcmp(e.store_device, "sdb") == 0 &&
	      strcmp(e.store_scheduler, "none") == 0 && e.store_rotational == 0);
	CHECK(!e.governor && e.boost == -1 && e.numa_nodes == -1 && e.mem_total_kib == -1 && !e.has_mitigations);
	vb_env_release(&e);
	/* nothing at all (the helper could not run) */
	vb_hostenv_parse(NULL, &e);
	CHECK(!e.has_store && !e.kernel && e.store_rotational == -1);
	vb_env_release(&e);
	/* cleaning: printable ASCII, capped; a word keeps only its characters */
	char *t = vb_env_text("  a\tb\xc2\x9b" "c  ", 64);
	CHECK(t && strcmp(t, "a?b??c") == 0);
	free(t);
	CHECK(vb_env_text("   ", 64) == NULL && vb_env_text(NULL, 8) == NULL);
	t = vb_env_word("ext4;rm -rf", 64);
	CHECK(t && strcmp(t, "ext4?rm?-rf") == 0);
	free(t);
	CHECK(vb_env_name_ok("spectre_v2") && !vb_env_name_ok("../x") && !vb_env_name_ok("") && !vb_env_name_ok("A"));
}

/* issue 28: the host's load from /proc/stat, the load average and the
 * QEMUs, and the busy rule */
static void test_hostload(void)
{
	/* ticks of 10 ms; busy = user + nice + system (irq, softirq, steal,
	 * idle and iowait left out) */
	const char *a_text = "1000.00 1500.00\ncpu  1000 10 500 9000 50 7 9 3 0 0\ncpu0 500 5 250 4500 25 3 4 1 0 0\n"
	                     "cpu1 500 5 250 4500 25 4 5 2 0 0\nL 0.50 0.40 0.30 1/100 42\n"
	                     "Q 100 (qemu-system-x86) S 1 100 100 0 -1 0 0 0 0 0 300 100 0 0\n"
	                     "Q 200 (qemu-system-x86) S 1 200 200 0 -1 0 0 0 0 0 50 50 0 0\n"
	                     "Q 300 (qemu-system-aar) S 1 300 300 0 -1 0 0 0 0 0 10 0 0 0\n"
	                     "Q 400 (not qemu) S 1 400 400 0 -1 0 0 0 0 0 10 0 0 0\n";
	const char *b_text = "1002.00 1500.00\ncpu  1200 10 600 9100 50 70 90 300 0 0\ncpu0 600 5 300 4550 25 3 4 1 0 0\n"
	                     "cpu1 600 5 300 4550 25 4 5 2 0 0\nL 1.50 0.40 0.30 1/100 42\n"
	                     "Q 100 (qemu-system-x86) S 1 100 100 0 -1 0 0 0 0 0 400 150 0 0\n"
	                     "Q 200 (qemu-system-x86) S 1 200 200 0 -1 0 0 0 0 0 50 50 0 0\n"
	                     "Q 300 (qemu-system-aar) S 1 300 300 0 -1 0 0 0 0 0 30 0 0 0\n"
	                     "Q 500 (qemu-system-x86) S 1 500 500 0 -1 0 0 0 0 0 1 0 0 0\n";
	struct vb_hostload h = {.n = 2};
	CHECK(vb_hostload_parse(a_text, 10000000ull, &h.s[0]) == 0);
	CHECK(vb_hostload_parse(b_text, 10000000ull, &h.s[1]) == 0);
	CHECK(h.s[0].busy_ns == 1510ull * 10000000ull); /* 1000 + 10 + 500 ticks */
	CHECK(h.s[0].ncpu == 2 && NEAR(h.s[0].loadavg, 0.5, 1e-9));
	CHECK(h.s[0].nqemu == 3); /* "not qemu" is no QEMU */
	h.s[0].ok = h.s[1].ok = true;
	h.s[0].t = 10.0;
	h.s[1].t = 12.5; /* ours, later: the host's uptime (2 s) is the window */
	h.s[0].self_ns = 0;
	h.s[1].self_ns = 100000000ull; /* the controller: 0.1 s */
	struct vb_hostload_figures f;
	long own = 100;
	/* 200 ticks more of user + 100 of system over 2 s: 1.5 cores busy;
	 * own: QEMU 100's 150 ticks (1.5 s) and the controller's 0.1 s */
	CHECK(vb_hostload_figures(&h, 1500000000ull, &own, 1, &f) == 0);
	CHECK(NEAR(f.window_s, 2.0, 1e-9) && NEAR(f.total_cpu, 1.5, 1e-9));
	CHECK(NEAR(f.own_cpu, 0.8, 1e-9) && NEAR(f.other_cpu, 0.7, 1e-9));
	CHECK(NEAR(f.loadavg, 1.0, 1e-9) && f.cpus == 2);
	/* 200 took nothing (idle: did not run), 300 took 20 ticks, 500
	 * started inside the window: two other QEMUs ran */
	CHECK(f.other_qemu == 2 && NEAR(f.other_qemu_cpu, 0.1, 1e-9));
	/* own more than the total (tick rounding): other is 0, not below */
	CHECK(vb_hostload_figures(&h, 5000000000ull, &own, 1, &f) == 0 && f.other_cpu == 0);
	/* a window read at one edge only, or a failed read, has no figures */
	h.n = 1;
	CHECK(vb_hostload_figures(&h, 0, &own, 1, &f) < 0);
	h.n = 2;
	h.s[1].ok = false;
	CHECK(vb_hostload_figures(&h, 0, &own, 1, &f) < 0);
	CHECK(vb_hostload_parse("L 1 2 3\n", 10000000ull, &h.s[0]) < 0); /* no cpu line */
	CHECK(vb_hostload_parse("cpu  x y z\n", 10000000ull, &h.s[0]) < 0);
	/* the busy rule: over a quarter of a core, or another QEMU ran */
	char why[256];
	CHECK(!vb_hostload_busy(0.25, 0, 0, why, sizeof(why)));
	CHECK(vb_hostload_busy(0.26, 0, 0, why, sizeof(why)) && strstr(why, "other processes took 0.26 cores"));
	CHECK(vb_hostload_busy(0.05, 1, 0.01, why, sizeof(why)) && strstr(why, "1 QEMU process that is not this run's"));
	CHECK(vb_hostload_busy(0.9, 2, 0.5, why, sizeof(why)) && strstr(why, "2 QEMU processes") &&
	      strstr(why, "other processes took 0.90 cores"));
}

/* issue 28: a point's busy verdict from its repetitions' host_load: the
 * means, and each repetition on its own (a hog that took one repetition
 * of three is diluted in the mean: 0.6 / 3 = 0.2 cores, under 0.25) */
static void test_point_busy(void)
{
	json_t *reps = json_array();
	double other[] = {0.05, 0.6, 0.0};
	for (int i = 0; i < 3; i++) {
		json_t *r = vb_runrec_rep_new(i + 1, "x.json", 100, 100);
		struct vb_runrec_load l = {.window_s = 3, .cpus = 2, .total_cpu = 1 + other[i], .own_cpu = 1,
		                           .other_cpu = other[i], .loadavg = 1, .other_qemu = 0, .other_qemu_cpu = 0};
		vb_runrec_rep_set_host_load(r, &l);
		json_array_append_new(reps, r);
	}
	struct vb_runrec_load m;
	bool busy = false;
	char why[256] = "";
	CHECK(vb_reps_point_load(reps, &m, &busy, why, sizeof(why)) == 3);
	CHECK(NEAR(m.other_cpu, 0.65 / 3, 1e-9) && m.other_cpu < 0.25);
	CHECK(busy && strstr(why, "repetition 2 of 3: other processes took 0.60 cores") != NULL);
	/* a quiet point: none busy, nor the mean */
	json_t *q = json_array();
	json_array_append(q, json_array_get(reps, 0));
	json_array_append(q, json_array_get(reps, 2));
	CHECK(vb_reps_point_load(q, &m, &busy, why, sizeof(why)) == 2 && !busy);
	/* no host_load at all (a run from before schema 3): nothing said */
	json_t *old = json_array();
	json_array_append_new(old, vb_runrec_rep_new(1, "x.json", 1, 1));
	CHECK(vb_reps_point_load(old, &m, &busy, why, sizeof(why)) == 0 && !busy);
	json_decref(old);
	json_decref(q);
	json_decref(reps);
}

int main(void)
{
	vb_quiet = true;
	test_sizes();
	test_options();
	test_xml_escape();
	test_domain_xml();
	test_mode_list();
	test_fio_json();
	test_job();
	test_stats();
	test_sweep();
	test_mode_rows();
	test_serial();
	test_bins();
	test_hostdev_check();
	test_lun_check();
	test_vhost_scsi_vendor();
	test_accel_cache();
	test_rank();
	test_changepoint();
	test_verdict();
	test_hv_uri();
	test_paths();
	test_run_out_max();
	test_fio_path();
	test_option_parts();
	test_hv_here();
	test_thread_split();
	test_proc_alias();
	test_reply_id();
	test_variants();
	test_tune_json();
	test_paired();
	test_race_estimate();
	test_log_ratio();
	test_findings();
	test_lathist();
	test_hostenv_selected();
	test_hostenv_mount();
	test_hostenv_parse();
	test_hostload();
	test_point_busy();
	printf("unit: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
