/* proto: the controller <-> guest agent protocol, shared by both sides.
 *
 * Newline-delimited JSON objects over the virtio-serial port named
 * VB_PROTO_CHANNEL.  Every message has "v" (protocol version) and "type":
 *   agent -> controller
 *     hello   {agent, kernel, disks: [{name, size, serial, driver, devpath}]}
 *     window  {id, edge: "start"|"end"}   the job's I/O has run for the
 *             window's start / end seconds: the controller samples the host
 *             CPU of the processes serving the I/O at each edge
 *     progress {id, elapsed, read_iops, write_iops}   each second of a job
 *             that asked for it: completions per second from the disk's
 *             own counters, for the live display only (never a result)
 *     ready   {id}   a job that said "hold": the disk is found and fio's
 *             command line built; fio starts at the controller's "go"
 *     result  {id, fio: "<fio's JSON output, untouched, as a string>", stderr,
 *              iops_log, lat_log, lat_log_truncated}   lat_log: fio's
 *             histogram log reduced to percentiles per second
 *             (core/lathist.h), at most VB_LAT_MAX_ROWS lines
 *     error   {id?, message, stderr?}
 *     bye     {}
 *   controller -> agent
 *     job     {id, serial, args: ["--name=value", ...], window: [start, end],
 *              iops_log, lat_log, progress}   run fio on the
 *             disk whose serial is `serial`; the agent adds --filename and
 *             --output-format itself; with "hold": true the agent answers
 *             "ready" and waits for "go" before it starts fio (--vms: every
 *             guest's job starts at one signal)
 *     go      {}   start the held job now
 *     bye     {}   power the guest off
 * A line is at most VB_PROTO_MAX_LINE bytes; longer ones are refused, and
 * so is a flood of messages that never brings the awaited reply.  Nothing
 * an agent sends ever names a host path. */
#ifndef VB_PROTO_H
#define VB_PROTO_H

#include <stddef.h>

#define VB_PROTO_CHANNEL "org.vmio.agent.0"
#define VB_PROTO_VERSION 4 /* 3: hold, ready and go (--vms); 4: a job's lat_log and its result's (issue 28: an older agent would silently send none) */
#define VB_PROTO_MAX_LINE (16u << 20)
/* Informational messages accepted while waiting for one reply. */
#define VB_PROTO_MAX_PROGRESS 10000u
/* The serial number the controller gives the disk under test. */
#define VB_DISK_SERIAL "vmio-disk0"

/* A SCSI unit serial number from VPD page 0x80 (the page's bytes as read
 * from sysfs), normalised the same way on both sides: the controller for
 * --lun-device, the agent for every SCSI/ATA disk.  Unprintable bytes
 * become '?', leading and trailing spaces go (the standard pads with
 * them) and inner runs of spaces become one.  Writes a NUL-terminated
 * string of at most outlen - 1 bytes; returns its length. */
static inline size_t vb_serial_from_vpd80(const unsigned char *page, size_t len, char *out, size_t outlen)
{
	size_t n = 0, want;
	int space = 0;

	if (!outlen)
		return 0;
	want = len > 4 ? page[3] : 0;
	if (want > len - 4)
		want = len > 4 ? len - 4 : 0;
	for (size_t i = 4; i < 4 + want && n + 1 < outlen; i++) {
		unsigned char c = page[i];
		if (c == ' ' || c == '\0') {
			space = n > 0;
			continue;
		}
		if (space) {
			if (n + 2 >= outlen)
				break; /* no room for the space and a character after it */
			out[n++] = ' ';
		}
		space = 0;
		out[n++] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
	return n;
}

#endif
