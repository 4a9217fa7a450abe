/* xmlbuf: a small XML writer that escapes every attribute value and text
 * node, so that no user-supplied string (a path with quotes or angle
 * brackets, a serial) can change the structure of a domain definition.
 *
 * Attributes are passed as name, value pairs ending with a NULL name; a pair
 * whose value is NULL is left out, which keeps optional attributes in one
 * call. */
#ifndef VB_XMLBUF_H
#define VB_XMLBUF_H

#include "core/util.h"

#define VB_XML_MAXDEPTH 32

struct vb_xml {
	struct vb_buf b;
	int depth;
	const char *stack[VB_XML_MAXDEPTH];
};

/* vb_xml_escape, the escaping itself, is core/util.h's (HTML reports use it too). */
void vb_xml_open(struct vb_xml *x, const char *name, ...) __attribute__((sentinel));
void vb_xml_empty(struct vb_xml *x, const char *name, ...) __attribute__((sentinel));
/* <name attrs...>text</name>; text is escaped. */
void vb_xml_text(struct vb_xml *x, const char *name, const char *text, ...) __attribute__((sentinel));
void vb_xml_close(struct vb_xml *x);
/* Closes any open element and returns the document; caller frees. */
char *vb_xml_release(struct vb_xml *x);
void vb_xml_free(struct vb_xml *x);

#endif
