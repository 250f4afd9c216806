/* node/service/nodestate.c: DIR/node.state, the snapshot a running daemon rewrites every
 * second (node/daemon/peers.c), read back: only while its daemon runs. */
#include "nodestate.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

/* nodestate.h */
json_t *node_state_read(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, NODE_STATE_FILE);
	json_error_t jerr;
	json_t *st = json_load_file(path, 0, &jerr);
	if (!st)
		return NULL;
	json_t *pid = json_object_get(st, "pid");
	/* a daemon that was killed leaves its file: the pid tells */
	if (!json_is_integer(pid) || json_integer_value(pid) <= 0 ||
	    (kill((pid_t)json_integer_value(pid), 0) != 0 && errno == ESRCH)) {
		json_decref(st);
		return NULL;
	}
	return st;
}
