/* agent: the controller's side of the guest agent protocol (proto.h):
 * receive and check messages, send jobs.  Messages from the guest are
 * untrusted: each is size-capped, must be a JSON object of a known type and
 * protocol version, and nothing in it ever names a host path. */
#ifndef VB_AGENT_H
#define VB_AGENT_H

#include <jansson.h>

#include "core/proto.h"
#include "guest/virt.h"

/* Parse one line.  Returns 0 with *msg (new reference) and *type
 * (borrowed from *msg), or -1 with *why (caller frees). */
int vb_agent_parse(const char *line, json_t **msg, const char **type, char **why);
/* Receive the next message before the deadline.  Returns 1 with *msg, 0 at
 * the deadline, -1 on a broken guest or bad message (*why set). */
int vb_agent_recv(struct vb_guest *g, double deadline, json_t **msg, const char **type, char **why);
/* Find the disk whose serial matches in a hello; borrowed, NULL if none. */
json_t *vb_agent_hello_disk(json_t *hello, const char *serial);
/* Send a message; -1 with *why (caller frees) on failure. */
int vb_agent_send(struct vb_guest *g, json_t *msg, char **why);
/* The same, given up at deadline (a send within a deadline of its own). */
int vb_agent_send_by(struct vb_guest *g, json_t *msg, double deadline, char **why);
/* {"v":1,"type":type}; new reference. */
json_t *vb_agent_msg_new(const char *type);

#endif
