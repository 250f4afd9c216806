/* node/service/log.h: the daemon's log lines, on stderr.
 *
 * Every line has a level and a stable message ID (NODE-LISTEN, CONN-HS-FAIL, ...) that
 * operators can grep and alert on whatever the wording. Text format:
 *   2026-11-28T23:40:00.123Z info  NODE-LISTEN listening on 0.0.0.0:7470
 * JSON format (--log-format json), one object per line:
 *   {"ts":"2026-11-28T23:40:00.123Z","level":"info","id":"NODE-LISTEN","msg":"listening on ..."}
 * Secrets are never logged; keys appear as 8-hex fingerprints. Logging lives in node/ and
 * tools/ only: proto/ and store/ return codes, the caller logs each error once. */
#ifndef MAILLE_NODE_LOG_H
#define MAILLE_NODE_LOG_H

#include <stdbool.h>

typedef enum node_log_level {
	NODE_LOG_DEBUG,
	NODE_LOG_INFO,
	NODE_LOG_WARN,
	NODE_LOG_ERROR,
} node_log_level;

void node_log_setup(node_log_level min_level, bool json);
/* Parses "debug", "info", "warn", "error"; -1 if unknown. */
int node_log_level_parse(const char *s);
void node_log(node_log_level level, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define LOG_DEBUG(id, ...) node_log(NODE_LOG_DEBUG, id, __VA_ARGS__)
#define LOG_INFO(id, ...) node_log(NODE_LOG_INFO, id, __VA_ARGS__)
#define LOG_WARN(id, ...) node_log(NODE_LOG_WARN, id, __VA_ARGS__)
#define LOG_ERROR(id, ...) node_log(NODE_LOG_ERROR, id, __VA_ARGS__)

#endif
