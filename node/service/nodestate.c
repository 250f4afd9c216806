/* tools/cli/nodestate.c: DIR/node.state, the snapshot a running daemon rewrites every
 * second (node/), as peer, peers and status read it. */
#include "node/service/nodestate.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "node/service/term.h"
#include "node/service/nodedir.h"
#include "proto/error.h"

/* nodestate.h */
json_t *daemon_state(const node_dir *nd)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", nd->path, NODE_STATE_FILE);
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

/* nodestate.h */
const char *daemon_state_str(const json_t *peer, const char *name, const char *dflt, char *buf,
                             size_t cap)
{
	const json_t *v = json_object_get(peer, name);
	if (!json_is_string(v))
		return dflt;
	size_t len = json_string_length(v);
	if (strcmp(name, "key") == 0 && len > 8)
		len = 8;
	return node_term_str(json_string_value(v), len, buf, cap);
}

/* nodestate.h */
void daemon_state_age(uint64_t us, char *buf, size_t cap)
{
	if (!us) {
		snprintf(buf, cap, "never");
		return;
	}
	uint64_t now = cli_now_us() - (uint64_t)cli_clock_skew_us();
	double s = now > us ? (double)(now - us) / 1e6 : 0;
	if (s < 120)
		snprintf(buf, cap, "%.0f s ago", s);
	else if (s < 7200)
		snprintf(buf, cap, "%.0f min ago", s / 60);
	else
		snprintf(buf, cap, "%.1f h ago", s / 3600);
}
