/* libFuzzer target: fio's JSON output as the controller reads it (figures
 * and histogram bins, then percentiles from the bins). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fiojson.h"
#include "gp.h"
#include "stats.h"
#include "util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_fio_result r;
	char *why = NULL;
	if (vb_fio_parse((const char *)data, size, &r, &why) == 0) {
		/* the version is the one string of fio's that reaches a chart
		 * title: whitelisted, then quoted, it must never carry a
		 * backquote (gnuplot would run it) */
		struct vb_buf b = {0};
		vb_gp_quote(&b, vb_valid_fio_version(r.fio_version) ? r.fio_version : "fio");
		vb_gp_quote(&b, r.fio_version);
		if (strchr(b.s, '`'))
			abort();
		vb_buf_free(&b);
		const struct vb_fio_dir *dirs[] = {&r.read, &r.write};
		for (int d = 0; d < 2; d++) {
			struct vb_hist h = {0};
			if (dirs[d]->bins && vb_hist_add_fio_bins(&h, dirs[d]->bins) == 0) {
				vb_hist_percentile(&h, 50);
				vb_hist_percentile(&h, 99.99);
			}
			vb_hist_release(&h);
		}
		vb_fio_result_release(&r);
	}
	free(why);
	return 0;
}
