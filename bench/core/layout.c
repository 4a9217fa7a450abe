#include "config.h"
#include "core/layout.h"
#include "core/util.h"

char *vb_layout_domain(const char *host, const char *run_id, const char *mode)
{
	return host && *host ? vb_asprintf("vmio-%s-%s-%s", host, run_id, mode) : vb_asprintf("vmio-%s-%s", run_id, mode);
}

char *vb_layout_mode_dir(const char *run_dir, const char *mode)
{
	return vb_asprintf("%s/%s", run_dir, mode);
}

char *vb_layout_console(const char *mode_dir, bool per_boot, unsigned boot)
{
	return per_boot ? vb_asprintf("%s/console-boot%u.log", mode_dir, boot) : vb_asprintf("%s/console.log", mode_dir);
}

char *vb_layout_private_dir(const char *cache_dir, long pid)
{
	return pid < 0 ? vb_asprintf("%s/run/PID", cache_dir) : vb_asprintf("%s/run/%ld", cache_dir, pid);
}

char *vb_layout_store(const char *cache_dir, uint64_t size)
{
	char sz[32];
	vb_format_size(size, sz, sizeof(sz));
	return vb_asprintf("%s/store/disk-%s.raw", cache_dir, sz);
}
