/* tools/bench/rbsr_harness.c: maille-rbsr-harness, proto/rbsr.c behind the stdio line protocol of
 * the Negentropy test suite, so that it can be checked against the reference implementation
 * and its recorded transcripts (PROTOCOL.md §3).
 *
 * Input lines:   item,<timestamp>,<64 hex digits>   (before seal)
 *                seal                               (builds the set)
 *                initiate                           (client role: prints the first msg)
 *                msg,<hex>                          (a message from the peer)
 * Output lines:  msg,<hex>    the answer (server) or the next query (client)
 *                have,<id>    client: an id of ours the server lacks
 *                need,<id>    client: an id of the server's we lack
 *                done         client: reconciliation complete
 * A client prints all the haves of a message, then its needs, then msg or done. The frame
 * size limit comes from the environment variable FRAMESIZELIMIT (0 or unset: none).
 * Any bad line or protocol error: a message on stderr and exit status 1. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/entry.h"
#include "proto/error.h"
#include "proto/rbsr.h"

/* A msg line carries at most RBSR_MSG_MAX bytes in hex. */
#define LINE_MAX_LEN (4u + 2u * RBSR_MSG_MAX + 2u)

typedef struct harness {
	rbsr_item *items;
	size_t n_items, cap_items;
	bool sealed;
	rbsr_set set;
	rbsr_session sess;
	bool have_sess;
	size_t frame_limit;
	uint8_t *in, *out;
	char *hex;
	uint8_t (*needs)[RBSR_ID_LEN]; /* a message's needs, printed after its haves */
	size_t n_needs, cap_needs;
	unsigned long lineno;
} harness;

static int fail(const harness *h, const char *what, const char *detail)
{
	fprintf(stderr, "maille-rbsr-harness: line %lu: %s%s%s\n", h->lineno, what,
	        detail ? ": " : "", detail ? detail : "");
	return 1;
}

/* Decodes exactly len hex digits into out (len / 2 bytes). False on a bad digit or odd len. */
static bool unhex(const char *s, size_t len, uint8_t *out)
{
	if (len % 2)
		return false;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = proto_hexval(s[2 * i]), lo = proto_hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static void print_hex_line(const char *prefix, const uint8_t *p, size_t n, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * n] = '\0';
	printf("%s%s\n", prefix, buf);
}

static int on_have(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	(void)ctx;
	char buf[2 * RBSR_ID_LEN + 1];
	print_hex_line("have,", id, RBSR_ID_LEN, buf);
	return 0;
}

static int on_need(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	harness *h = ctx;
	if (h->n_needs == h->cap_needs) {
		size_t cap = h->cap_needs ? 2 * h->cap_needs : 64;
		void *p = realloc(h->needs, cap * sizeof *h->needs);
		if (!p)
			return MAILLE_ENOMEM;
		h->needs = p;
		h->cap_needs = cap;
	}
	memcpy(h->needs[h->n_needs++], id, RBSR_ID_LEN);
	return 0;
}

static int cmd_item(harness *h, char *args)
{
	if (h->sealed)
		return fail(h, "item after seal", NULL);
	char *comma = strchr(args, ',');
	if (!comma)
		return fail(h, "item: expected item,<timestamp>,<id>", NULL);
	*comma = '\0';
	const char *ts_s = args, *id_s = comma + 1;
	if (!*ts_s || strspn(ts_s, "0123456789") != strlen(ts_s))
		return fail(h, "item: bad timestamp", ts_s);
	errno = 0;
	unsigned long long ts = strtoull(ts_s, NULL, 10);
	if (errno || ts >= RBSR_TS_INFINITY)
		return fail(h, "item: timestamp out of range", ts_s);
	rbsr_item it;
	it.ts = (uint64_t)ts;
	if (strlen(id_s) != 2 * RBSR_ID_LEN || !unhex(id_s, 2 * RBSR_ID_LEN, it.id))
		return fail(h, "item: id is not 64 hex digits", id_s);
	if (h->n_items == h->cap_items) {
		size_t cap = h->cap_items ? 2 * h->cap_items : 1024;
		void *p = realloc(h->items, cap * sizeof *h->items);
		if (!p)
			return fail(h, "out of memory", NULL);
		h->items = p;
		h->cap_items = cap;
	}
	h->items[h->n_items++] = it;
	return 0;
}

static int ensure_session(harness *h, enum rbsr_role role)
{
	if (!h->sealed)
		return fail(h, "seal must come first", NULL);
	if (h->have_sess)
		return 0;
	int r = rbsr_session_init(&h->sess, &h->set, role, h->frame_limit);
	if (r)
		return fail(h, "session", maille_strerror(r));
	h->have_sess = true;
	return 0;
}

static int cmd_msg(harness *h, const char *hex)
{
	size_t hl = strlen(hex);
	if (hl % 2 || hl / 2 > RBSR_MSG_MAX || !unhex(hex, hl, h->in))
		return fail(h, "msg: bad hex or too long", NULL);
	if (ensure_session(h, RBSR_RESPONDER))
		return 1;
	size_t out_len = 0;
	h->n_needs = 0;
	int r = rbsr_reconcile(&h->sess, h->in, hl / 2, on_have, on_need, h, h->out,
	                       RBSR_MSG_MAX, &out_len);
	if (r)
		return fail(h, "reconcile", maille_strerror(r));
	for (size_t i = 0; i < h->n_needs; i++)
		print_hex_line("need,", h->needs[i], RBSR_ID_LEN, h->hex);
	if (h->sess.role == RBSR_INITIATOR && rbsr_session_finished(&h->sess))
		printf("done\n");
	else
		print_hex_line("msg,", h->out, out_len, h->hex);
	fflush(stdout);
	return 0;
}

static int run(harness *h, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int ret = 0;
	while (!ret && (got = getline(&line, &cap, in)) >= 0) {
		h->lineno++;
		size_t len = (size_t)got;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (len > LINE_MAX_LEN) {
			ret = fail(h, "line too long", NULL);
		} else if (strncmp(line, "item,", 5) == 0) {
			ret = cmd_item(h, line + 5);
		} else if (strcmp(line, "seal") == 0) {
			if (h->sealed) {
				ret = fail(h, "seal twice", NULL);
				continue;
			}
			int r = rbsr_set_build(&h->set, h->items, h->n_items);
			if (r)
				ret = fail(h, "seal", r == MAILLE_EEXIST ? "duplicate item"
				                                          : maille_strerror(r));
			else
				h->sealed = true;
		} else if (strcmp(line, "initiate") == 0) {
			if (h->have_sess) {
				ret = fail(h, "initiate: session already started", NULL);
				continue;
			}
			if ((ret = ensure_session(h, RBSR_INITIATOR)))
				continue;
			size_t out_len = 0;
			int r = rbsr_initiate(&h->sess, h->out, RBSR_MSG_MAX, &out_len);
			if (r) {
				ret = fail(h, "initiate", maille_strerror(r));
				continue;
			}
			print_hex_line("msg,", h->out, out_len, h->hex);
			fflush(stdout);
		} else if (strncmp(line, "msg,", 4) == 0) {
			ret = cmd_msg(h, line + 4);
		} else if (strcmp(line, "msg") == 0) {
			ret = cmd_msg(h, "");
		} else {
			ret = fail(h, "unknown command", line);
		}
	}
	free(line);
	if (!ret && ferror(in))
		ret = fail(h, "read error", strerror(errno));
	return ret;
}

int main(void)
{
	harness h;
	memset(&h, 0, sizeof h);
	int ret = 1;
	if (sodium_init() < 0) {
		fprintf(stderr, "maille-rbsr-harness: libsodium failed to initialise\n");
		return 1;
	}
	const char *fl = getenv("FRAMESIZELIMIT");
	if (fl && *fl) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(fl, &end, 10);
		if (errno || *end || fl[0] == '-' ||
		    (v && (v < RBSR_FRAME_MIN || v > RBSR_MSG_MAX))) {
			fprintf(stderr,
			        "maille-rbsr-harness: FRAMESIZELIMIT must be 0 or %u..%u, not '%s'\n",
			        RBSR_FRAME_MIN, RBSR_MSG_MAX, fl);
			return 1;
		}
		h.frame_limit = (size_t)v;
	}
	h.in = malloc(RBSR_MSG_MAX);
	h.out = malloc(RBSR_MSG_MAX);
	h.hex = malloc(2 * RBSR_MSG_MAX + 1);
	if (!h.in || !h.out || !h.hex) {
		fprintf(stderr, "maille-rbsr-harness: out of memory\n");
		goto cleanup;
	}
	ret = run(&h, stdin);
cleanup:
	if (h.have_sess)
		rbsr_session_done(&h.sess);
	rbsr_set_done(&h.set);
	free(h.items);
	free(h.needs);
	free(h.in);
	free(h.out);
	free(h.hex);
	return ret;
}
