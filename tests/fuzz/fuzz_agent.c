/* libFuzzer target: one line from a (hostile) guest agent, as the
 * controller parses it, and the disk lookup in a hello. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	json_t *msg = NULL;
	const char *type = NULL;
	char *why = NULL;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (vb_agent_parse(line, &msg, &type, &why) == 0) {
		vb_agent_hello_disk(msg, VB_DISK_SERIAL);
		json_decref(msg);
	}
	free(why);
	free(line);
	return 0;
}
