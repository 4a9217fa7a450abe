#include "config.h"
#include "guest/xmlbuf.h"

#include <stdlib.h>
#include <string.h>

static void indent(struct vb_xml *x)
{
	for (int i = 0; i < x->depth; i++)
		vb_buf_adds(&x->b, "  ");
}

static void start_tag(struct vb_xml *x, const char *name, va_list ap)
{
	const char *k;
	indent(x);
	vb_buf_addf(&x->b, "<%s", name);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		if (!v)
			continue;
		vb_buf_addf(&x->b, " %s='", k);
		vb_xml_escape(&x->b, v);
		vb_buf_adds(&x->b, "'");
	}
}

void vb_xml_open(struct vb_xml *x, const char *name, ...)
{
	va_list ap;
	va_start(ap, name);
	start_tag(x, name, ap);
	va_end(ap);
	vb_buf_adds(&x->b, ">\n");
	if (x->depth < VB_XML_MAXDEPTH)
		x->stack[x->depth] = name;
	x->depth++;
}

void vb_xml_empty(struct vb_xml *x, const char *name, ...)
{
	va_list ap;
	va_start(ap, name);
	start_tag(x, name, ap);
	va_end(ap);
	vb_buf_adds(&x->b, "/>\n");
}

void vb_xml_text(struct vb_xml *x, const char *name, const char *text, ...)
{
	va_list ap;
	va_start(ap, text);
	start_tag(x, name, ap);
	va_end(ap);
	vb_buf_adds(&x->b, ">");
	vb_xml_escape(&x->b, text ? text : "");
	vb_buf_addf(&x->b, "</%s>\n", name);
}

void vb_xml_close(struct vb_xml *x)
{
	if (x->depth <= 0)
		return;
	x->depth--;
	indent(x);
	vb_buf_addf(&x->b, "</%s>\n", x->depth < VB_XML_MAXDEPTH ? x->stack[x->depth] : "?");
}

char *vb_xml_release(struct vb_xml *x)
{
	while (x->depth > 0)
		vb_xml_close(x);
	return vb_buf_release(&x->b);
}

void vb_xml_free(struct vb_xml *x)
{
	vb_buf_free(&x->b);
	x->depth = 0;
}
