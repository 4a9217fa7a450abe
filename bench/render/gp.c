/* gp: driving gnuplot -- strings quoted for its scripts, whether it is
 * there, and running a script with its folder as an argument (no chdir,
 * no shell). */
#include "config.h"
#include "render/gp.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* A gnuplot double-quoted string.  gnuplot runs `commands` even inside
 * double quotes, and titles carry text from run.json and the guest, so
 * only a whitelist passes: printable ASCII without ` " \ $ @ < > & (SVG
 * output is inlined in report.html); anything else becomes '?', and a
 * newline becomes \n (a line break in titles). */
void vb_gp_quote(struct vb_buf *b, const char *s)
{
	vb_buf_adds(b, "\"");
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '\n')
			vb_buf_adds(b, "\\n");
		else if (ch >= 0x20 && ch < 0x7f && !strchr("`\"\\$@<>&", ch))
			vb_buf_add(b, s, 1);
		else
			vb_buf_adds(b, "?");
	}
	vb_buf_adds(b, "\"");
}

void vb_gp_formats(FILE *f, const char *name)
{
	fputs("do for [fmt in 'png svg'] {\n"
	      "  if (fmt eq 'png') { set terminal pngcairo size 1000,560 font 'sans,10' } else { set terminal svg size 1000,560 dynamic font 'sans,10' }\n",
	      f);
	fprintf(f, "  set output sprintf('%%s/%s.%%s', DIR, fmt)\n", name);
}

bool vb_gp_available(void)
{
	const char *ver[] = {"gnuplot", "--version", NULL};
	char *v = vb_command_first_line(ver);
	bool ok = v != NULL;
	free(v);
	return ok;
}

int vb_gp_run(const char *script, const char *dir, const char *log)
{
	const char *argv[] = {"gnuplot", "-c", script, dir, NULL};
	return vb_run_logged(argv, log, 120);
}
