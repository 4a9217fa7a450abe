#include "config.h"
#include "core/results.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *vb_utc_timestamp(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return vb_strdup(buf);
}

int vb_results_check_root(const char *root)
{
	char *probe;
	int fd;

	if (vb_mkdir_p(root, 0755) < 0)
		return vb_error("cannot create the results folder '%s': %s: choose another with --results", root, strerror(errno));
	probe = vb_asprintf("%s/.vmio-write-test.%ld", root, (long)getpid());
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		int saved = errno;
		free(probe);
		return vb_error("cannot write in the results folder '%s': %s: choose another with --results", root,
		                strerror(saved));
	}
	close(fd);
	unlink(probe);
	free(probe);
	return 0;
}

int vb_results_create_run_dir(const char *root, char **id, char **dir)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (vb_mkdir_p(root, 0755) < 0)
		return vb_error("cannot create the results folder '%s': %s: choose another with --results", root, strerror(errno));
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int i = 1; i < 1000; i++) {
		char *cand = i == 1 ? vb_strdup(stamp) : vb_asprintf("%s-%d", stamp, i);
		char *path = vb_asprintf("%s/%s", root, cand);
		if (mkdir(path, 0755) == 0) {
			*id = cand;
			*dir = path;
			return 0;
		}
		int saved = errno;
		free(cand);
		free(path);
		if (saved != EEXIST)
			return vb_error("cannot create a run folder in '%s': %s: check that it is writable or choose another with --results",
			                root, strerror(saved));
	}
	return vb_error("cannot create a run folder in '%s': too many runs this second", root);
}

int vb_results_link_latest(const char *root, const char *id)
{
	char *tmp = vb_asprintf("%s/.latest.%ld", root, (long)getpid());
	char *link = vb_asprintf("%s/latest", root);
	int ret = 0;

	unlink(tmp);
	if (symlink(id, tmp) < 0 || rename(tmp, link) < 0) {
		ret = vb_error("cannot point '%s' at run '%s': %s", link, id, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(link);
	return ret;
}

int vb_results_write_json(const char *path, json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int ret;
	if (!s)
		return vb_error("cannot encode '%s' as JSON", path);
	size_t n = strlen(s);
	char *t = vb_calloc(n + 2, 1);
	memcpy(t, s, n);
	t[n] = '\n';
	ret = vb_write_file_atomic(path, t, n + 1);
	free(s);
	free(t);
	return ret;
}
