#include "config.h"
#include "table.h"

#include <string.h>

static void human_bw(double bytes_per_s, char *out, size_t n)
{
	if (bytes_per_s >= 1e9)
		snprintf(out, n, "%.2f GB/s", bytes_per_s / 1e9);
	else
		snprintf(out, n, "%.1f MB/s", bytes_per_s / 1e6);
}

static void human_lat(double ns, char *out, size_t n)
{
	if (ns <= 0)
		snprintf(out, n, "-");
	else if (ns >= 1e6)
		snprintf(out, n, "%.2f ms", ns / 1e6);
	else
		snprintf(out, n, "%.1f us", ns / 1e3);
}

/* host: the same direction on the host baseline, or NULL. */
static void row(FILE *f, const char *mode, const char *dir, const struct vb_fio_dir *d, const struct vb_fio_dir *host)
{
	char bw[32], mean[32], p99[32], ratio[16] = "";
	human_bw(d->bw_bytes, bw, sizeof(bw));
	human_lat(d->clat_mean_ns, mean, sizeof(mean));
	human_lat(d->clat_p99_ns, p99, sizeof(p99));
	if (host)
		snprintf(ratio, sizeof(ratio), host->iops > 0 ? "%.1f%%" : "-", 100.0 * d->iops / host->iops);
	fprintf(f, "%-16s %-5s %10.0f %12s %11s %11s", mode, dir, d->iops, bw, mean, p99);
	if (host)
		fprintf(f, " %8s", ratio);
	fputc('\n', f);
}

void vb_table_render(FILE *f, const struct vb_run_summary *s)
{
	fprintf(f, "run %s: %s, accelerator %s%s, %s\n", s->id, s->job,
	        s->accel, strcmp(s->accel, "tcg") == 0 ? " (emulated: figures are bound by TCG, not by the bus)" : "",
	        s->fio_version ? s->fio_version : "fio version unknown");
	const struct vb_mode_result *host = NULL;
	for (size_t i = 0; i < s->nmodes; i++)
		if (strcmp(s->modes[i].mode, "host") == 0 && s->modes[i].ok)
			host = &s->modes[i];
	fprintf(f, "%-16s %-5s %10s %12s %11s %11s", "mode", "dir", "IOPS", "bandwidth", "clat mean", "clat p99");
	if (host)
		fprintf(f, " %8s", "of host");
	fputc('\n', f);
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_mode_result *m = &s->modes[i];
		if (!m->ok) {
			fprintf(f, "%-16s FAILED: %s\n", m->mode, m->reason ? m->reason : "unknown reason");
			continue;
		}
		if (m->fio.read.total_ios || m->fio.write.total_ios == 0)
			row(f, m->mode, "read", &m->fio.read, host ? &host->fio.read : NULL);
		if (m->fio.write.total_ios)
			row(f, m->mode, "write", &m->fio.write, host ? &host->fio.write : NULL);
	}
}
