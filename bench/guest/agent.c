#include "config.h"
#include "guest/agent.h"
#include "core/progress.h"
#include "core/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_types[] = {"hello", "window", "ready", "result", "error", "progress", "bye", NULL};

int vb_agent_parse(const char *line, json_t **msg, const char **type, char **why)
{
	json_error_t err;
	json_t *m = json_loads(line, JSON_REJECT_DUPLICATES, &err);
	json_t *v, *t;

	*msg = NULL;
	*type = NULL;
	if (!m) {
		*why = vb_asprintf("the guest agent sent invalid JSON (%s)", err.text);
		return -1;
	}
	if (!json_is_object(m)) {
		*why = vb_strdup("the guest agent sent JSON that is not an object");
		goto fail;
	}
	v = json_object_get(m, "v");
	t = json_object_get(m, "type");
	if (!json_is_integer(v) || json_integer_value(v) != VB_PROTO_VERSION) {
		*why = vb_asprintf("the guest agent speaks another protocol version (want %d): rebuild the image with 'vmio-bench image build'",
		                   VB_PROTO_VERSION);
		goto fail;
	}
	if (!json_is_string(t)) {
		*why = vb_strdup("the guest agent sent a message without a 'type' string");
		goto fail;
	}
	for (size_t i = 0; known_types[i]; i++) {
		if (strcmp(known_types[i], json_string_value(t)) == 0) {
			*msg = m;
			*type = known_types[i];
			return 0;
		}
	}
	*why = vb_strdup("the guest agent sent a message of an unknown type");
fail:
	json_decref(m);
	return -1;
}

int vb_agent_recv(struct vb_guest *g, double deadline, json_t **msg, const char **type, char **why)
{
	unsigned skipped = 0;
	for (;;) {
		char *line = NULL;
		int r = vb_guest_recv_line(g, &line, VB_PROTO_MAX_LINE, deadline, why);
		if (r <= 0)
			return r;
		r = vb_agent_parse(line, msg, type, why);
		free(line);
		if (r < 0)
			return -1;
		if (strcmp(*type, "progress") == 0) {
			/* Live figures are for the status line only; the result
			 * carries the numbers.  Numbers alone are taken from it (a
			 * hostile guest gets no string onto the terminal).  An agent
			 * that sends nothing else is broken. */
			json_t *ri = json_object_get(*msg, "read_iops"), *wi = json_object_get(*msg, "write_iops");
			if (json_is_number(ri) && json_is_number(wi))
				vb_progress_iops(json_number_value(ri), json_number_value(wi));
			json_decref(*msg);
			*msg = NULL;
			if (++skipped > VB_PROTO_MAX_PROGRESS) {
				*why = vb_asprintf("the guest agent flooded the channel (over %u messages without a result)",
				                   VB_PROTO_MAX_PROGRESS);
				return -1;
			}
			continue;
		}
		return 1;
	}
}

json_t *vb_agent_hello_disk(json_t *hello, const char *serial)
{
	json_t *disks = json_object_get(hello, "disks");
	size_t i;
	json_t *d;
	if (!json_is_array(disks))
		return NULL;
	json_array_foreach(disks, i, d) {
		json_t *s = json_object_get(d, "serial");
		if (json_is_string(s) && strcmp(json_string_value(s), serial) == 0)
			return d;
	}
	return NULL;
}

json_t *vb_agent_msg_new(const char *type)
{
	return json_pack("{s:i, s:s}", "v", VB_PROTO_VERSION, "type", type);
}

int vb_agent_send(struct vb_guest *g, json_t *msg, char **why)
{
	return vb_agent_send_by(g, msg, vb_now() + 30, why);
}

int vb_agent_send_by(struct vb_guest *g, json_t *msg, double deadline, char **why)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	int r;
	if (!s) {
		*why = vb_strdup("cannot encode a message for the guest agent");
		return -1;
	}
	r = vb_guest_send_line_by(g, s, deadline, why);
	free(s);
	return r;
}

