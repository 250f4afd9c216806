/* node/service/log.c: see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "term.h"

static node_log_level log_min = NODE_LOG_INFO;
static bool log_json;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void node_log_setup(node_log_level min_level, bool json)
{
	log_min = min_level;
	log_json = json;
}

int node_log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

/* Writes s as the inside of a JSON string. */
static void json_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
}

void node_log(node_log_level level, const char *id, const char *fmt, ...)
{
	if (level < log_min)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);

	/* one fprintf per line under the stdio lock, so lines from threads never interleave */
	flockfile(stderr);
	if (log_json) {
		fprintf(stderr, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"id\":\"", when,
		        ts.tv_nsec / 1000000, level_names[level]);
		json_escape(stderr, id);
		fputs("\",\"msg\":\"", stderr);
		json_escape(stderr, msg);
		fputs("\"}\n", stderr);
	} else {
		/* a message quotes what peers sent: never raw on a terminal (term.h) */
		fprintf(stderr, "%s.%03ldZ %-5s %s ", when, ts.tv_nsec / 1000000,
		        level_names[level], id);
		node_term_put(stderr, msg, strlen(msg));
		fputc('\n', stderr);
	}
	funlockfile(stderr);
}
