/* ctx: the small things every step of a run does (ctx.h):
 * a file saved in a folder, the report drawn behind the run. */
#include "config.h"
#include "runner/ctx.h"
#include "render/report.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int vb_runner_save_text(const char *dir, const char *file, const char *text)
{
	char *p = vb_asprintf("%s/%s", dir, file);
	int r = vb_write_file_atomic(p, text, strlen(text));
	free(p);
	return r;
}

/* Wait for the report being drawn in the background, if any. */
void vb_runner_drawn(struct vb_runner *x)
{
	if (x->drawing > 0)
		while (waitpid(x->drawing, NULL, 0) < 0 && errno == EINTR)
			;
	x->drawing = 0;
}

/* Draw the report of the run so far (tables, charts, report.html) in a
 * child process while the next mode prepares and boots, so a long run's
 * report.html follows it mode by mode.  Quiet: the final report, drawn
 * after the last mode, says what went wrong, once. */
void vb_runner_draw_behind(struct vb_runner *x)
{
	vb_runner_drawn(x);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		_exit(vb_report_run(x->dir, NULL) < 0 ? 1 : 0);
	}
	if (pid > 0)
		x->drawing = pid;
}
