/* fio's rules, read in fio 3.33's source: options.c get_next_str (':'
 * splits, "\:" keeps it), parse.c strip_blank_front/strip_blank_end (cut
 * at ';' and '#', blanks and control characters trimmed),
 * fio_option_dup_subs (${VAR}) and fio_keyword_replace ($ncpus ...),
 * and the "filename" row's maxlen (PATH_MAX, counting the escapes). */
#include "config.h"
#include "core/fiopath.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *needle, *why;
} refused[] = {
	{"${", "holds '${': fio would put an environment variable there; rename the path"},
	{"$ncpus", "holds '$ncpus': fio would put the number of CPUs there; rename the path"},
	{"$pagesize", "holds '$pagesize': fio would put the page size there; rename the path"},
	{"$mb_memory", "holds '$mb_memory': fio would put the memory size there; rename the path"},
	{";", "holds ';': fio cuts an option's value there; rename the path"},
	{"#", "holds '#': fio cuts an option's value there (a comment); rename the path"},
};

const char *vb_fio_path_check(const char *path)
{
	size_t n = strlen(path), colons = 0;
	if (!n)
		return "is empty: give a file or device";
	if (!strcmp(path, "-"))
		return "is fio's name for stdin/stdout: give a file or device";
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strstr(path, refused[i].needle))
			return refused[i].why;
	for (const char *s = path; *s; s++) {
		if (iscntrl((unsigned char)*s))
			return "holds a control character: fio would not take it as it is; rename the path";
		colons += *s == ':';
	}
	if (isspace((unsigned char)path[0]) || isspace((unsigned char)path[n - 1]))
		return "begins or ends with a blank: fio strips those; rename the path";
	if (n + colons >= PATH_MAX)
		return "is longer than fio takes (PATH_MAX with its ':' escaped)";
	return NULL;
}

char *vb_fio_path_arg(const char *path)
{
	size_t n = strlen(path), colons = 0;
	for (const char *s = path; *s; s++)
		colons += *s == ':';
	char *out = malloc(n + colons + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *s = path; *s; s++) {
		if (*s == ':')
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}
