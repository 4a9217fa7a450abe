/* proto: the controller <-> guest agent protocol, shared by both sides.
 *
 * Newline-delimited JSON objects over the virtio-serial port named
 * VB_PROTO_CHANNEL.  Every message has "v" (protocol version) and "type":
 *   agent -> controller
 *     hello   {agent, kernel, disks: [{name, size, serial, driver, devpath}]}
 *     window  {id, edge: "start"|"end"}   the job's I/O has run for the
 *             window's start / end seconds: the controller samples the host
 *             CPU of the processes serving the I/O at each edge
 *     result  {id, fio: "<fio's JSON output, untouched, as a string>", stderr}
 *     error   {id?, message, stderr?}
 *     bye     {}
 *   controller -> agent
 *     job     {id, serial, args: ["--name=value", ...], window: [start, end]}
 *             run fio on the
 *             disk whose serial is `serial`; the agent adds --filename and
 *             --output-format itself
 *     bye     {}   power the guest off
 * A line is at most VB_PROTO_MAX_LINE bytes; longer ones are refused, and
 * so is a flood of messages that never brings the awaited reply.  Nothing
 * an agent sends ever names a host path. */
#ifndef VB_PROTO_H
#define VB_PROTO_H

#define VB_PROTO_CHANNEL "org.vmio.agent.0"
#define VB_PROTO_VERSION 2
#define VB_PROTO_MAX_LINE (16u << 20)
/* Informational messages accepted while waiting for one reply. */
#define VB_PROTO_MAX_PROGRESS 10000u
/* The serial number the controller gives the disk under test. */
#define VB_DISK_SERIAL "vmio-disk0"

#endif
