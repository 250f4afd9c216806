/* tests/node/probe.c: a client (and a fake server) that speaks Maille's channel directly
 * (PROTOCOL.md §2), for what `maille ping` cannot do: record and replay a message 1, send
 * random, truncated or oversized bytes at each handshake step, flip a bit in a transport
 * message, announce a session message over 1 MiB, stay silent, open hundreds of connections,
 * send without reading; and play a hostile responder for the dialer.
 *
 * usage: probe MODE [--dir DIR] [--addr HOST:PORT] [--kind K] [--file F] [--age SECONDS]
 *                   [--n N] [--timeout-ms T] [--id HEX] [--addrs A,B,...]
 * DIR is the node directory whose key and federation the probe uses. The probe checks what it
 * expects itself: it prints one JSON line of observations on stdout and exits 0 when the
 * daemon behaved, 1 (with the reason on stderr) when it did not, 2 on a usage error.
 * Blocking sockets with poll() deadlines; 127.0.0.1 only in the tests. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "node/daemon/node.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/sync.h"
#include "proto/value.h"
#include "tests/fixture/entry_fixture.h"

#define DEFAULT_TIMEOUT_MS 5000

typedef struct opts {
	const char *mode, *dir, *addr, *kind, *file, *id, *addrs;
	double age_s;
	long n;
	int timeout_ms;
} opts;

typedef struct probe {
	opts o;
	node_dir nd;
	bool nd_open;
	federation fed;
	struct sockaddr_storage sa;
	proto_hello hello;
} probe;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- sockets -------------------------------------------------------------------------------- */

static int dial(const probe *p)
{
	int fd = socket(p->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (strcmp(p->o.mode, "noread") == 0) {
		/* a small receive window from the start (the window scale is agreed at connect: set
		 * later, the buffer stays large), so that the node's own write queue fills within a
		 * second or so rather than after the kernel has absorbed megabytes */
		int small = 4096;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	}
	socklen_t len = p->sa.ss_family == AF_INET ? sizeof(struct sockaddr_in)
	                                           : sizeof(struct sockaddr_in6);
	if (connect(fd, (const struct sockaddr *)&p->sa, len) != 0) {
		close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* 0, or -1 when the peer is gone (EPIPE, ECONNRESET): the caller then looks at what came back. */
static int send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	while (len) {
		ssize_t w = send(fd, b, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Waits for bytes on fd until the time end (now_ms()) and reads up to cap of them: their
 * count, 0 when the peer closed, -1 on an error (a reset), -2 when end came first. */
static ssize_t recv_by(int fd, uint8_t *buf, size_t cap, double end)
{
	for (;;) {
		double left = end - now_ms();
		if (left <= 0)
			return -2;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, (int)left + 1) <= 0)
			continue;
		ssize_t n = recv(fd, buf, cap, 0);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -1 : n;
	}
}

/* Reads until the peer closes or timeout_ms pass. Returns the bytes read (the first keep_cap
 * of them go to keep); *how is "eof", "reset" or "timeout". */
static size_t drain(int fd, int timeout_ms, const char **how, uint8_t *keep, size_t keep_cap)
{
	double end = now_ms() + timeout_ms;
	size_t total = 0;
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = recv_by(fd, buf, sizeof buf, end);
		if (n <= 0) {
			*how = n == 0 ? "eof" : n == -1 ? "reset" : "timeout";
			return total;
		}
		if (keep && total < keep_cap)
			memcpy(keep + total, buf,
			       (size_t)n < keep_cap - total ? (size_t)n : keep_cap - total);
		total += (size_t)n;
	}
}

/* Reads exactly len bytes. 0, or -1 on close, error or timeout. */
static int read_exact(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	while (len) {
		ssize_t n = recv_by(fd, buf, len, end);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the channel, as an initiator ----------------------------------------------------------- */

typedef struct session {
	int fd;
	proto_hs hs;
	proto_chan *chan;
	uint8_t msg1[2 + PROTO_HS_MSG_MAX]; /* message 1 as sent, with its length */
	size_t msg1_len;
	double t0;
	/* received session messages (ENTRIES are counted, not kept; a MARK or MARK_ACK keeps its
	 * number in nonce) */
	proto_sess_msg got[64];
	size_t n_got;
	size_t entries_rx;        /* entries received in ENTRIES */
	uint64_t entry_bytes_rx;  /* their bytes */
	uint8_t watch[PROTO_ID_LEN];
	bool watching;
	size_t watch_copies; /* entries received whose id is watch */
	bool auto_pong;      /* answer the node's PINGs while waiting (long exchanges) */
} session;

static void session_done(session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	proto_hs_done(&s->hs);
	if (s->chan) {
		proto_chan_done(s->chan);
		free(s->chan);
	}
	s->chan = NULL;
}

/* Message 1 dated now + offset_us, into s->msg1. */
static int hs_msg1(probe *p, session *s, int64_t offset_us)
{
	int r = proto_hs_init(&s->hs, true, p->nd.sk, p->fed.key, &p->hello,
	                      (uint64_t)((int64_t)wall_us() + offset_us), NULL);
	size_t len = 0;
	if (!r)
		r = proto_hs_write(&s->hs, s->msg1 + 2, PROTO_HS_MSG_MAX, &len);
	if (r)
		return fail("cannot write message 1: %s", maille_strerror(r));
	s->msg1[0] = (uint8_t)(len >> 8);
	s->msg1[1] = (uint8_t)len;
	s->msg1_len = 2 + len;
	return 0;
}

static int session_connect(probe *p, session *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->t0 = now_ms();
	s->fd = dial(p);
	if (s->fd < 0)
		return fail("cannot connect to %s: %s", p->o.addr, strerror(errno));
	return 0;
}

/* Sends message 1 and reads message 2. */
static int hs_first_half(probe *p, session *s)
{
	if (hs_msg1(p, s, 0) || send_all(s->fd, s->msg1, s->msg1_len))
		return fail("cannot send message 1");
	uint8_t msg[2 + PROTO_HS_MSG_MAX];
	if (read_exact(s->fd, msg, 2, p->o.timeout_ms))
		return fail("no message 2 from the node");
	size_t len = (size_t)msg[0] << 8 | msg[1];
	if (len == 0 || len > PROTO_HS_MSG_MAX || read_exact(s->fd, msg + 2, len, p->o.timeout_ms))
		return fail("a bad message 2 from the node (%zu bytes announced)", len);
	int r = proto_hs_read(&s->hs, msg + 2, len);
	if (r)
		return fail("message 2 does not verify: %s", maille_strerror(r));
	return 0;
}

/* Message 3 (sent), then the transport. */
static int hs_second_half(session *s)
{
	uint8_t msg[2 + PROTO_HS_MSG_MAX];
	size_t len = 0;
	int r = proto_hs_write(&s->hs, msg + 2, PROTO_HS_MSG_MAX, &len);
	if (r)
		return fail("cannot write message 3: %s", maille_strerror(r));
	msg[0] = (uint8_t)(len >> 8);
	msg[1] = (uint8_t)len;
	if (send_all(s->fd, msg, 2 + len))
		return fail("cannot send message 3");
	s->chan = malloc(sizeof *s->chan);
	if (!s->chan || (r = proto_hs_split(&s->hs, s->chan)))
		return fail("cannot split: %s", s->chan ? maille_strerror(r) : "out of memory");
	return 0;
}

static int session_handshake(probe *p, session *s)
{
	if (session_connect(p, s) || hs_first_half(p, s) || hs_second_half(s))
		return 1;
	return 0;
}

static int send_sess(session *s, const proto_sess_msg *m)
{
	uint8_t buf[256], *out = NULL;
	size_t len, out_len = 0, out_cap = 0;
	int r = proto_sess_encode(m, buf, sizeof buf, &len);
	if (!r)
		r = proto_chan_seal(s->chan, buf, len, &out, &out_len, &out_cap);
	if (!r && send_all(s->fd, out, out_len))
		r = MAILLE_EIO;
	free(out);
	return r;
}

static int on_sess(void *ctx, const uint8_t *msg, size_t len)
{
	session *s = ctx;
	proto_sess_msg m;
	proto_sync_msg sm;
	int r = proto_sync_decode(msg, len, &sm);
	if (r == 0) {
		memset(&m, 0, sizeof m);
		m.type = sm.type;
		if (sm.type == PROTO_SESS_ENTRIES) {
			const uint8_t *it = NULL, *raw;
			size_t rlen;
			while (proto_sync_entries_next(&sm, &it, &raw, &rlen)) {
				uint8_t id[PROTO_ID_LEN];
				proto_entry_id(raw, rlen, id);
				s->entries_rx++;
				s->entry_bytes_rx += rlen;
				s->watch_copies += s->watching && memcmp(id, s->watch, PROTO_ID_LEN) == 0;
			}
			return 0;
		}
		if (sm.type == PROTO_SESS_MARK || sm.type == PROTO_SESS_MARK_ACK)
			m.nonce = sm.mark;
	} else if (r != MAILLE_EINVAL) {
		return r;
	} else if ((r = proto_sess_decode(msg, len, &m))) {
		return r;
	}
	if (m.type == PROTO_SESS_PING && s->auto_pong) {
		proto_sess_msg pong = {.type = PROTO_SESS_PONG, .nonce = m.nonce};
		send_sess(s, &pong);
		return 0;
	}
	if (s->n_got < sizeof s->got / sizeof s->got[0])
		s->got[s->n_got++] = m;
	return 0;
}

/* Receives session messages until one of type `type` arrives (0: until the peer closes) or
 * timeout_ms pass. Sets *how like drain(). 0 if the awaited message (or the close) came. */
static int sess_wait(session *s, uint32_t type, int timeout_ms, const char **how)
{
	double end = now_ms() + timeout_ms;
	uint8_t buf[65536];
	*how = "timeout";
	for (;;) {
		for (size_t i = 0; type && i < s->n_got; i++)
			if (s->got[i].type == type)
				return 0;
		ssize_t n = recv_by(s->fd, buf, sizeof buf, end);
		if (n == -2)
			return -1;
		if (n <= 0) {
			*how = n == 0 ? "eof" : "reset";
			return type ? -1 : 0;
		}
		int r = proto_chan_feed(s->chan, buf, (size_t)n, on_sess, s);
		if (r)
			return fail("the node's transport does not verify: %s", maille_strerror(r));
	}
}


/* Seals one encoded session message and sends it. */
static int send_raw(session *s, const uint8_t *msg, size_t len)
{
	uint8_t *out = NULL;
	size_t out_len = 0, out_cap = 0;
	int r = proto_chan_seal(s->chan, msg, len, &out, &out_len, &out_cap);
	if (!r && send_all(s->fd, out, out_len))
		r = MAILLE_EIO;
	free(out);
	return r;
}

static int send_mark(session *s, uint64_t n)
{
	uint8_t buf[32];
	size_t len;
	int r = proto_sync_encode_mark(PROTO_SESS_MARK, n, buf, sizeof buf, &len);
	return r ? r : send_raw(s, buf, len);
}

/* Reads what arrives within timeout_ms (one poll). 0, or -1 when the node closed (*how
 * "eof" or "reset") or its transport does not verify. */
static int sess_read_some(session *s, int timeout_ms, const char **how)
{
	uint8_t buf[65536];
	struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
	int pr = poll(&pfd, 1, timeout_ms);
	if (pr <= 0)
		return 0;
	ssize_t n = recv(s->fd, buf, sizeof buf, 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		*how = n == 0 ? "eof" : "reset";
		return -1;
	}
	int r = proto_chan_feed(s->chan, buf, (size_t)n, on_sess, s);
	if (r) {
		*how = "corrupt";
		fail("the node's transport does not verify: %s", maille_strerror(r));
		return -1;
	}
	return 0;
}

/* Waits for MARK_ACK n: the node has processed everything sent before MARK n, and written
 * every answer (PROTOCOL.md §3.5). 0, or -1 (BYE, closed, timeout: *how says which). */
static int sess_wait_ack(session *s, uint64_t n, int timeout_ms, const char **how)
{
	double end = now_ms() + timeout_ms;
	*how = "timeout";
	for (;;) {
		bool bye = false;
		for (size_t i = 0; i < s->n_got; i++) {
			if (s->got[i].type == PROTO_SESS_MARK_ACK && s->got[i].nonce == n)
				return 0;
			bye |= s->got[i].type == PROTO_SESS_BYE;
		}
		if (bye) {
			*how = "bye";
			return -1;
		}
		double left = end - now_ms();
		if (left <= 0) {
			*how = "timeout";
			return -1;
		}
		if (s->n_got > 48)
			s->n_got = 0; /* neither the ACK nor a BYE: room for what comes */
		if (sess_read_some(s, left < 100 ? (int)left + 1 : 100, how))
			return -1;
	}
}

/* The reason of the last BYE received, or -1. */
static long bye_reason(const session *s)
{
	long bye = -1;
	for (size_t i = 0; i < s->n_got; i++)
		if (s->got[i].type == PROTO_SESS_BYE)
			bye = (long)s->got[i].reason;
	return bye;
}

/* An entry at path in territory, signed with sk (its public half is the signer), with capref
 * (NULL: none) and body. */
static int entry_make(const uint8_t territory[PROTO_KEY_LEN], const uint8_t *sk, const char *path,
                      const char *capref, const uint8_t *body, size_t body_len, uint8_t **ret,
                      size_t *ret_len)
{
	/* an Ed25519 secret key ends with its public key */
	fixture_entry f = {.territory = territory, .path = path, .timestamp = wall_us(),
	                   .body = body, .body_len = body_len, .capref = capref};
	return fixture_entry_sign(&f, sk + 32, sk, ret, ret_len);
}

/* One ENTRIES message holding raw. */
static int send_entry(session *s, const uint8_t *raw, size_t len)
{
	size_t cap = len + 64, mlen = 0;
	uint8_t *msg = malloc(cap);
	const uint8_t *raws[1] = {raw};
	int r = msg ? proto_sync_encode_entries(raws, &len, 1, msg, cap, &mlen) : MAILLE_ENOMEM;
	if (!r)
		r = send_raw(s, msg, mlen);
	free(msg);
	return r;
}

/* {"type": "node", "software": ..., "addresses": [the --addrs list]} (PROTOCOL.md §3.6). */
static int body_node(const char *list, uint8_t **ret, size_t *ret_len)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	int r = MAILLE_ENOMEM;
	proto_value *m = proto_value_new(&a, PROTO_V_MAP), *v, *arr = NULL;
	if (m && (v = proto_value_map_put(&a, m, "type", 4))) {
		*v = *proto_value_new_str(&a, "node", 4);
		if ((v = proto_value_map_put(&a, m, "software", 8)))
			*v = *proto_value_new_str(&a, "maille-probe", 12);
		arr = proto_value_map_put(&a, m, "addresses", 9);
	}
	if (arr) {
		arr->type = PROTO_V_ARRAY;
		r = 0;
		for (const char *p = list; !r && *p;) {
			size_t l = strcspn(p, ",");
			proto_value *slot = proto_value_array_push(&a, arr);
			proto_value *str = proto_value_new_str(&a, p, l);
			if (!slot || !str)
				r = MAILLE_ENOMEM;
			else
				*slot = *str;
			p += l + (p[l] == ',');
		}
	}
	if (!r)
		r = proto_value_encode(m, PROTO_ENTRY_MAX, ret, ret_len);
	proto_arena_done(&a);
	return r;
}

/* {"type": "rex", "summary": pad bytes of text} (canonical: keys by encoded bytes). */
static int body_rex(size_t pad, uint8_t **ret, size_t *ret_len)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	char *text = malloc(pad + 1);
	int r = MAILLE_ENOMEM;
	proto_value *m = proto_value_new(&a, PROTO_V_MAP), *v;
	if (text && m && (v = proto_value_map_put(&a, m, "type", 4))) {
		*v = *proto_value_new_str(&a, "rex", 3);
		for (size_t i = 0; i < pad; i++)
			text[i] = "retour d'experience "[i % 20];
		if (pad && (v = proto_value_map_put(&a, m, "summary", 7)))
			*v = *proto_value_new_str(&a, text, pad);
		r = proto_value_encode(m, PROTO_ENTRY_MAX, ret, ret_len);
	}
	free(text);
	proto_arena_done(&a);
	return r;
}

/* A WANT of n ids, all equal to id. */
static int send_want_n(session *s, const uint8_t id[PROTO_ID_LEN], size_t n)
{
	uint8_t *ids = malloc(n * PROTO_ID_LEN), *buf = malloc(n * PROTO_ID_LEN + 16);
	size_t len = 0;
	int r = ids && buf ? 0 : MAILLE_ENOMEM;
	for (size_t i = 0; !r && i < n; i++)
		memcpy(ids + i * PROTO_ID_LEN, id, PROTO_ID_LEN);
	if (!r)
		r = proto_sync_encode_want(ids, n, buf, n * PROTO_ID_LEN + 16, &len);
	if (!r)
		r = send_raw(s, buf, len);
	free(ids);
	free(buf);
	return r;
}

/* ---- modes ---------------------------------------------------------------------------------- */

/* Message 1 dated now + offset_us, alone: s holds no connection. */
static int msg1_alone(probe *p, session *s, int64_t offset_us)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	return hs_msg1(p, s, offset_us);
}

/* Hostile bytes in place of a handshake message: len bytes in all, random but for the length
 * prefix when framed; with shut, the probe closes its side after them. */
typedef struct garbage {
	const char *kind;
	bool framed;
	uint8_t prefix[2];
	size_t len;
	bool shut;
} garbage;

/* In place of message 1 (garbage1); truncated and flipped are built from a real one. */
static const garbage garbage1_kinds[] = {
	{"random", true, {0, 200}, 2 + 200, false},         /* a plausible length, random content */
	{"random-raw", false, {0, 0}, 4200, false},         /* 4200 random bytes, no framing at all */
	{"max-len", true, {0x10, 0x00}, 2 + 4096, false},   /* exactly 4096 random bytes, the limit */
	{"oversized", true, {0x10, 0x01}, 2 + 4097, false}, /* 4097 announced and sent */
	{"prefix-65535", true, {0xff, 0xff}, 2, true},      /* a length of 65535, then close */
	{"prefix-zero", true, {0, 0}, 2, false},
	{NULL, false, {0, 0}, 0, false},
};

/* In place of message 3 (garbage3); truncated and flipped are built from the real one. */
static const garbage garbage3_kinds[] = {
	{"random", true, {0, 180}, 2 + 180, false},
	{"oversized", true, {0x10, 0x01}, 2 + 4097, false},
	{"prefix-65535", true, {0xff, 0xff}, 2, true},
	{NULL, false, {0, 0}, 0, false},
};

static const garbage *garbage_find(const garbage *kinds, const char *kind)
{
	for (; kinds->kind; kinds++)
		if (strcmp(kinds->kind, kind) == 0)
			return kinds;
	return NULL;
}

/* Writes g's length prefix into buf, already random; returns how many bytes to send. */
static size_t garbage_fill(const garbage *g, uint8_t *buf)
{
	if (g->framed)
		memcpy(buf, g->prefix, 2);
	return g->len;
}

/* Connects, sends data, and expects the node to close without sending a byte (PROTOCOL.md §2:
 * an unauthenticated, stale or replayed message 1 gets no reply). */
static int expect_silence(probe *p, const uint8_t *data, size_t len, bool shut_wr,
                          const char *what)
{
	session s;
	if (session_connect(p, &s))
		return 1;
	int sent = send_all(s.fd, data, len);
	if (shut_wr)
		shutdown(s.fd, SHUT_WR);
	const char *how;
	uint8_t keep[16];
	size_t back = drain(s.fd, p->o.timeout_ms, &how, keep, sizeof keep);
	double ms = now_ms() - s.t0;
	session_done(&s);
	printf("{\"mode\":\"%s\",\"what\":\"%s\",\"sent\":%zu,\"send_ok\":%s,\"bytes_back\":%zu,"
	       "\"closed\":\"%s\",\"ms\":%.1f}\n",
	       p->o.mode, what, len, sent == 0 ? "true" : "false", back, how, ms);
	if (back)
		return fail("%s: the node sent %zu bytes back (expected none)", what, back);
	if (strcmp(how, "timeout") == 0)
		return fail("%s: the node did not close the connection within %d ms", what,
		            p->o.timeout_ms);
	return 0;
}

/* A mode that works on a session with the node, its handshake complete. */
typedef int (*session_mode)(probe *p, session *s);

/* Runs mode on a new session, which it closes after. */
static int with_session(probe *p, session_mode mode)
{
	session s;
	int ret = session_handshake(p, &s) ? 1 : mode(p, &s);
	session_done(&s);
	return ret;
}

static int mode_capture(probe *p, session *s)
{
	double hs_ms = now_ms() - s->t0;
	proto_sess_msg m = {.type = PROTO_SESS_PING, .nonce = 42};
	const char *how;
	if (send_sess(s, &m) || sess_wait(s, PROTO_SESS_PONG, p->o.timeout_ms, &how))
		return fail("no PONG (%s)", "capture");
	m = (proto_sess_msg){.type = PROTO_SESS_BYE, .reason = PROTO_BYE_DONE};
	send_sess(s, &m);
	FILE *f = fopen(p->o.file, "wb");
	if (!f || fwrite(s->msg1, 1, s->msg1_len, f) != s->msg1_len) {
		if (f)
			fclose(f);
		return fail("cannot write %s", p->o.file);
	}
	fclose(f);
	printf("{\"mode\":\"capture\",\"msg1_len\":%zu,\"handshake_ms\":%.2f}\n", s->msg1_len, hs_ms);
	return 0;
}

static int mode_send_file(probe *p)
{
	uint8_t buf[2 + PROTO_HS_MSG_MAX];
	FILE *f = fopen(p->o.file, "rb");
	if (!f)
		return fail("cannot read %s", p->o.file);
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return expect_silence(p, buf, len, false, "replayed message 1");
}

/* A well-formed message 1 dated now + age: from an outsider's directory (another network key)
 * it does not authenticate; from a member's with |age| > 120 s it is stale. */
static int mode_msg1(probe *p)
{
	session s;
	if (msg1_alone(p, &s, -(int64_t)(p->o.age_s * 1e6)))
		return 1;
	int r = expect_silence(p, s.msg1, s.msg1_len, false, "well-formed message 1");
	session_done(&s);
	return r;
}

/* Hostile bytes in place of message 1. */
static int mode_garbage1(probe *p)
{
	const char *k = p->o.kind;
	uint8_t *buf = malloc(8192);
	if (!buf)
		return fail("out of memory");
	size_t len = 0;
	bool shut = false;
	randombytes_buf(buf, 8192);
	const garbage *g = garbage_find(garbage1_kinds, k);
	if (g) {
		len = garbage_fill(g, buf);
		shut = g->shut;
	} else if (strcmp(k, "truncated") == 0 || strcmp(k, "truncated-open") == 0 ||
	           strcmp(k, "flipped") == 0) {
		/* a real message 1 cut short (closed at once, or left open: handshake timeout), or
		 * with one bit flipped */
		session s;
		if (msg1_alone(p, &s, 0)) {
			free(buf);
			return 1;
		}
		memcpy(buf, s.msg1, s.msg1_len);
		len = s.msg1_len;
		session_done(&s);
		if (strcmp(k, "flipped") == 0) {
			buf[2 + 40] ^= 0x08;
		} else {
			len -= 10;
			shut = strcmp(k, "truncated") == 0;
		}
	} else {
		free(buf);
		return fail("unknown --kind %s", k);
	}
	int r = expect_silence(p, buf, len, shut, k);
	free(buf);
	return r;
}

/* A valid message 1 and 2, then hostile bytes in place of message 3: the node closes, having
 * sent nothing after message 2. */
static int mode_garbage3(probe *p)
{
	session s;
	int ret = 1;
	if (session_connect(p, &s) || hs_first_half(p, &s))
		goto out;
	const char *k = p->o.kind;
	uint8_t buf[2 + 4097 + 8];
	size_t len;
	bool shut = false;
	randombytes_buf(buf, sizeof buf);
	const garbage *g = garbage_find(garbage3_kinds, k);
	if (g) {
		len = garbage_fill(g, buf);
		shut = g->shut;
	} else if (strcmp(k, "truncated") == 0 || strcmp(k, "flipped") == 0) {
		size_t ml = 0;
		int r = proto_hs_write(&s.hs, buf + 2, PROTO_HS_MSG_MAX, &ml);
		if (r) {
			fail("cannot write message 3: %s", maille_strerror(r));
			goto out;
		}
		buf[0] = (uint8_t)(ml >> 8);
		buf[1] = (uint8_t)ml;
		len = 2 + ml;
		if (strcmp(k, "truncated") == 0) {
			len -= 20;
			shut = true;
		} else {
			buf[2 + ml - 5] ^= 0x01;
		}
	} else {
		fail("unknown --kind %s", k);
		goto out;
	}
	int sent = send_all(s.fd, buf, len);
	if (shut)
		shutdown(s.fd, SHUT_WR);
	const char *how;
	size_t back = drain(s.fd, p->o.timeout_ms, &how, NULL, 0);
	printf("{\"mode\":\"garbage3\",\"what\":\"%s\",\"send_ok\":%s,\"bytes_back\":%zu,"
	       "\"closed\":\"%s\",\"ms\":%.1f}\n",
	       k, sent == 0 ? "true" : "false", back, how, now_ms() - s.t0);
	if (back)
		fail("%s: %zu bytes after message 2 (expected none)", k, back);
	else if (strcmp(how, "timeout") == 0)
		fail("%s: the node did not close within %d ms", k, p->o.timeout_ms);
	else
		ret = 0;
out:
	session_done(&s);
	return ret;
}

/* After a complete handshake: a transport message with one bit flipped (mode flipbit), or a
 * session message announcing more than 1 MiB (bigmsg; PROTOCOL.md §2.4). The node closes; no
 * PONG ever comes. */
static int mode_after_hs(probe *p, session *s)
{
	bool flip = strcmp(p->o.mode, "flipbit") == 0;
	uint8_t *wire = NULL;
	size_t wire_len = 0, wire_cap = 0;
	int r;
	if (flip) {
		uint8_t ping[16];
		size_t plen;
		proto_sess_msg m = {.type = PROTO_SESS_PING, .nonce = 7};
		r = proto_sess_encode(&m, ping, sizeof ping, &plen);
		if (!r)
			r = proto_chan_seal(s->chan, ping, plen, &wire, &wire_len, &wire_cap);
		if (!r)
			wire[wire_len / 2] ^= 0x10; /* inside the ciphertext */
	} else {
		/* the stream's 4-byte length, 1 MiB + 1, alone in a transport message */
		uint8_t plain[4] = {0x00, 0x10, 0x00, 0x01};
		wire = malloc(2 + sizeof plain + NOISE_TAG_LEN);
		size_t clen = 0;
		r = wire ? noise_cipher_encrypt(&s->chan->tx, NULL, 0, plain, sizeof plain, wire + 2,
		                               sizeof plain + NOISE_TAG_LEN, &clen)
		        : MAILLE_ENOMEM;
		if (!r) {
			wire[0] = (uint8_t)(clen >> 8);
			wire[1] = (uint8_t)clen;
			wire_len = 2 + clen;
		}
	}
	if (r) {
		free(wire);
		return fail("cannot build the message: %s", maille_strerror(r));
	}
	send_all(s->fd, wire, wire_len);
	free(wire);
	const char *how;
	r = sess_wait(s, 0, p->o.timeout_ms, &how);
	bool pong = false;
	for (size_t i = 0; i < s->n_got; i++)
		pong |= s->got[i].type == PROTO_SESS_PONG;
	printf("{\"mode\":\"%s\",\"closed\":\"%s\",\"messages_back\":%zu,\"ms\":%.1f}\n", p->o.mode,
	       how, s->n_got, now_ms() - s->t0);
	if (r || strcmp(how, "timeout") == 0)
		return fail("the node did not close the connection");
	if (pong)
		return fail("the node answered a corrupted message");
	return 0;
}

/* After the handshake, sends REDEEM with a random secret (PROTOCOL.md §4.5): the node must
 * answer REDEEMED (an unknown invitation); a second REDEEM on the session must get BYE
 * protocol (each costs the node a transaction of its store). */
static int mode_redeem(probe *p, session *s)
{
	int ret = 1;
	uint8_t *wire = NULL;
	for (int round = 0; round < 2; round++) {
		uint8_t secret[PROTO_REDEEM_SECRET_LEN], msg[64];
		size_t mlen = 0, wire_len = 0, wire_cap = 0;
		randombytes_buf(secret, sizeof secret);
		int r = proto_sync_encode_redeem(secret, 0, msg, sizeof msg, &mlen);
		if (!r)
			r = proto_chan_seal(s->chan, msg, mlen, &wire, &wire_len, &wire_cap);
		if (r || send_all(s->fd, wire, wire_len)) {
			fail("cannot send REDEEM: %s", maille_strerror(r ? r : MAILLE_EIO));
			goto out;
		}
		free(wire);
		wire = NULL;
		const char *how;
		if (round == 0) {
			if (sess_wait(s, PROTO_SESS_REDEEMED, p->o.timeout_ms, &how)) {
				fail("no REDEEMED for an unknown secret (%s)", how);
				goto out;
			}
			continue;
		}
		sess_wait(s, 0, p->o.timeout_ms, &how);
		long bye = bye_reason(s);
		printf("{\"mode\":\"redeem\",\"bye\":%ld,\"closed\":\"%s\"}\n", bye, how);
		ret = bye == PROTO_BYE_PROTOCOL ? 0
		                                : fail("a second REDEEM did not get BYE protocol (bye %ld, "
		                                       "%s)",
		                                       bye, how);
	}
out:
	free(wire);
	return ret;
}

/* After the handshake, pushes one entry in ENTRIES (PROTOCOL.md §3.5), signed with the
 * probe's key: kind "valid" (the control: the node keeps the session), "sig" (the last byte
 * of the signature flipped), "body" (a byte of the path changed after signing), "garbage"
 * (64 random bytes), "capref-other" and "capref-nil" (a member's entry, well signed, whose
 * capability reference names another key, or is missing). For every kind but valid the node
 * must say BYE protocol and close. The
 * entry's id is printed so that the test can check the store. */
static int mode_forge(probe *p, session *s)
{
	int ret = 1;
	uint8_t *raw = NULL, *body = NULL;
	const char *k = p->o.kind;
	bool valid = strcmp(k, "valid") == 0;
	size_t len = 0, body_len = 0;
	char path[64];
	uint32_t rnd = randombytes_random();
	snprintf(path, sizeof path, "rex/faux-retour-%08x", (unsigned)rnd);
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *m = proto_value_new(&a, PROTO_V_MAP), *v;
	int r = MAILLE_ENOMEM;
	if (m && (v = proto_value_map_put(&a, m, "type", 4))) {
		*v = *proto_value_new_str(&a, "rex", 3);
		r = proto_value_encode(m, PROTO_ENTRY_MAX, &body, &body_len);
	}
	proto_arena_done(&a);
	if (!r && strncmp(k, "capref", 6) == 0) {
		/* a member's entry, well signed by the member key, whose capability reference does
		 * not name it (another key's capability) or is missing: no node can accept it
		 * (PROTOCOL.md §4.4) */
		uint8_t mpk[PROTO_KEY_LEN], msk[PROTO_SECRET_KEY_LEN], other[PROTO_KEY_LEN];
		char capref[sizeof "members/" + 2 * PROTO_KEY_LEN];
		proto_key_generate(mpk, msk);
		randombytes_buf(other, sizeof other);
		memcpy(capref, "members/", 8);
		proto_hex(other, PROTO_KEY_LEN, capref + 8);
		r = entry_make(p->nd.pk, msk, path, strcmp(k, "capref-nil") == 0 ? NULL : capref, body,
		               body_len, &raw, &len);
		sodium_memzero(msk, sizeof msk);
	} else if (!r) {
		r = entry_make(p->nd.pk, p->nd.sk, path, NULL, body, body_len, &raw, &len);
	}
	if (r) {
		fail("cannot build the entry: %s", maille_strerror(r));
		goto out;
	}
	if (strcmp(k, "sig") == 0) {
		raw[len - 1] ^= 0x01;
	} else if (strcmp(k, "body") == 0) {
		for (size_t i = 0; i + 4 <= len; i++)
			if (memcmp(raw + i, "faux", 4) == 0) {
				raw[i] = 'g';
				break;
			}
	} else if (strcmp(k, "garbage") == 0) {
		len = 64;
		randombytes_buf(raw, len);
	} else if (!valid && strcmp(k, "capref-other") != 0 && strcmp(k, "capref-nil") != 0) {
		fail("unknown kind '%s' (valid, sig, body, garbage, capref-other, capref-nil)", k);
		goto out;
	}
	uint8_t id[PROTO_ID_LEN];
	char hex[2 * PROTO_ID_LEN + 1];
	proto_entry_id(raw, len, id);
	proto_hex(id, PROTO_ID_LEN, hex);
	r = send_entry(s, raw, len);
	if (r) {
		fail("cannot send the entry: %s", maille_strerror(r));
		goto out;
	}
	const char *how;
	/* valid: the session must stay (no BYE within the wait); otherwise the node closes */
	r = sess_wait(s, valid ? PROTO_SESS_BYE : 0, valid ? 1500 : p->o.timeout_ms, &how);
	long bye = bye_reason(s);
	printf("{\"mode\":\"forge\",\"kind\":\"%s\",\"id\":\"%s\",\"bye\":%ld,\"closed\":\"%s\","
	       "\"ms\":%.1f}\n",
	       k, hex, bye, how, now_ms() - s->t0);
	if (valid)
		ret = bye == -1 && strcmp(how, "timeout") == 0 ? 0
		                                                : fail("the node ended the session");
	else if (bye != PROTO_BYE_PROTOCOL)
		fail("the node did not say BYE protocol (bye %ld, %s)", bye, how);
	else if (strcmp(how, "timeout") == 0)
		fail("the node did not close the connection");
	else
		ret = 0;
out:
	free(raw);
	free(body);
	return ret;
}

/* WANT abuse (PROTOCOL.md §3.5): the entry --id (hex) is one the node holds. kind "repeat":
 * one WANT of 1024 ids, all that id; kind "again": a WANT of the id, then, once answered,
 * the same WANT again. Each WANT is followed by a MARK, and the probe counts the copies of
 * the entry that came back before each MARK_ACK (every answer is written before it). The
 * node must send the entry once in all, and keep the session. */
static int mode_want(probe *p, session *s)
{
	uint8_t id[PROTO_ID_LEN];
	if (!p->o.id || strlen(p->o.id) != 2 * PROTO_ID_LEN ||
	    proto_unhex(p->o.id, id, PROTO_ID_LEN) != 0)
		return fail("--id wants 64 hex digits");
	s->auto_pong = true;
	memcpy(s->watch, id, PROTO_ID_LEN);
	s->watching = true;
	const char *k = p->o.kind, *how = "";
	bool repeat = strcmp(k, "repeat") == 0;
	if (!repeat && strcmp(k, "again") != 0)
		return fail("unknown kind '%s' (repeat, again)", k);
	size_t rounds = repeat ? 1 : 2, after_first = 0;
	for (size_t i = 0; i < rounds; i++) {
		int r = send_want_n(s, id, repeat ? PROTO_WANT_IDS_MAX : 1);
		if (!r)
			r = send_mark(s, i + 1);
		if (r)
			return fail("cannot send WANT: %s", maille_strerror(r));
		if (sess_wait_ack(s, i + 1, p->o.timeout_ms, &how)) {
			printf("{\"mode\":\"want\",\"kind\":\"%s\",\"copies\":%zu,\"bye\":%ld,"
			       "\"closed\":\"%s\"}\n",
			       k, s->watch_copies, bye_reason(s), how);
			return fail("no MARK_ACK %zu (%s)", i + 1, how);
		}
		if (i == 0)
			after_first = s->watch_copies;
	}
	printf("{\"mode\":\"want\",\"kind\":\"%s\",\"copies\":%zu,\"after_first\":%zu,"
	       "\"entries\":%zu,\"entry_bytes\":%llu,\"bye\":%ld}\n",
	       k, s->watch_copies, after_first, s->entries_rx, (unsigned long long)s->entry_bytes_rx,
	       bye_reason(s));
	if (after_first != 1)
		return fail("the first WANT got %zu copies of the entry (expected 1)", after_first);
	if (s->watch_copies != 1)
		return fail("the entry came %zu times (expected once)", s->watch_copies);
	return 0;
}

/* Pushes the entry node/<the probe's key> listing the addresses of --addrs (PROTOCOL.md
 * §3.6), signed by the probe's key, and waits until the node has stored it (MARK_ACK). Whether
 * the node dials those addresses is the test's to observe. */
static int mode_node_entry(probe *p, session *s)
{
	int ret = 1;
	uint8_t *body = NULL, *raw = NULL;
	size_t body_len = 0, len = 0;
	char path[8 + 2 * PROTO_KEY_LEN];
	memcpy(path, "node/", 5);
	proto_hex(p->nd.pk, PROTO_KEY_LEN, path + 5);
	s->auto_pong = true;
	int r = body_node(p->o.addrs, &body, &body_len);
	if (!r)
		r = entry_make(p->nd.pk, p->nd.sk, path, NULL, body, body_len, &raw, &len);
	if (!r)
		r = send_entry(s, raw, len);
	if (!r)
		r = send_mark(s, 1);
	if (r) {
		fail("cannot send the node entry: %s", maille_strerror(r));
		goto out;
	}
	const char *how = "";
	uint8_t id[PROTO_ID_LEN];
	char hex[2 * PROTO_ID_LEN + 1];
	proto_entry_id(raw, len, id);
	proto_hex(id, PROTO_ID_LEN, hex);
	r = sess_wait_ack(s, 1, p->o.timeout_ms, &how);
	printf("{\"mode\":\"node-entry\",\"id\":\"%s\",\"stored\":%s,\"bye\":%ld}\n", hex,
	       r ? "false" : "true", bye_reason(s));
	ret = r ? fail("no MARK_ACK (%s)", how) : 0;
out:
	free(body);
	free(raw);
	return ret;
}

/* The live push (PROTOCOL.md §3.5) and the node an entry came from: two sessions with the
 * probe's key (a daemon and a `maille sync` of one node share a key). The first sends --n
 * entries of the probe's territory and waits for MARK_ACK (stored, and pushed to the other
 * sessions); then the second sends MARK and waits for its MARK_ACK (every push queued before
 * it written). Counts the entries that came back on each: none may. */
static int mode_push_back(probe *p)
{
	session s1, s2;
	int ret = 1;
	uint8_t *body = NULL;
	size_t body_len = 0;
	bool s2_open = false;
	if (session_handshake(p, &s1))
		return 1;
	if (session_handshake(p, &s2))
		goto out;
	s2_open = true;
	s1.auto_pong = s2.auto_pong = true;
	int r = body_rex(2000, &body, &body_len);
	for (long i = 0; !r && i < p->o.n; i++) {
		char path[64];
		snprintf(path, sizeof path, "rex/retour-renvoye-%08x-%ld",
		         (unsigned)randombytes_random(), i);
		uint8_t *raw = NULL;
		size_t len = 0;
		r = entry_make(p->nd.pk, p->nd.sk, path, NULL, body, body_len, &raw, &len);
		if (!r)
			r = send_entry(&s1, raw, len);
		free(raw);
	}
	if (!r)
		r = send_mark(&s1, 1);
	const char *how = "";
	if (r || sess_wait_ack(&s1, 1, p->o.timeout_ms, &how)) {
		fail("the node did not store the entries (%s, %s)", maille_strerror(r), how);
		goto out;
	}
	if (send_mark(&s2, 1) || sess_wait_ack(&s2, 1, p->o.timeout_ms, &how)) {
		fail("no MARK_ACK on the second session (%s)", how);
		goto out;
	}
	printf("{\"mode\":\"push-back\",\"sent\":%ld,\"back_same_session\":%zu,"
	       "\"back_other_session\":%zu,\"bytes_back\":%llu}\n",
	       p->o.n, s1.entries_rx, s2.entries_rx,
	       (unsigned long long)(s1.entry_bytes_rx + s2.entry_bytes_rx));
	if (s1.entries_rx || s2.entries_rx)
		fail("%zu of its own entries came back (%zu on the session that sent them, %zu on "
		     "the other)",
		     s1.entries_rx + s2.entries_rx, s1.entries_rx, s2.entries_rx);
	else
		ret = 0;
out:
	free(body);
	session_done(&s1);
	if (s2_open)
		session_done(&s2);
	return ret;
}

/* Connects and sends nothing: closed at the handshake timeout, with no byte. */
static int mode_silent(probe *p)
{
	return expect_silence(p, NULL, 0, false, "nothing");
}

/* A complete handshake, then silence: the node PINGs, then says BYE idle and closes. */
static int mode_idle(probe *p, session *s)
{
	const char *how;
	int r = sess_wait(s, 0, p->o.timeout_ms, &how);
	size_t pings = 0;
	long bye = -1;
	for (size_t i = 0; i < s->n_got; i++) {
		pings += s->got[i].type == PROTO_SESS_PING;
		if (s->got[i].type == PROTO_SESS_BYE)
			bye = (long)s->got[i].reason;
	}
	printf("{\"mode\":\"idle\",\"pings\":%zu,\"bye\":%ld,\"closed\":\"%s\",\"ms\":%.1f}\n", pings,
	       bye, how, now_ms() - s->t0);
	if (r || strcmp(how, "timeout") == 0)
		return fail("the node kept an idle session open");
	if (bye != PROTO_BYE_IDLE)
		return fail("no BYE idle before the close (bye %ld)", bye);
	if (pings == 0)
		return fail("the node never sent PING");
	return 0;
}

/* A complete handshake answering PINGs, held until the node says BYE (the test sends
 * SIGTERM to the daemon): expects BYE shutdown. Prints "ready" once the session is up. */
static int mode_hold(probe *p, session *s)
{
	printf("{\"ready\":true}\n");
	fflush(stdout);
	double end = now_ms() + p->o.timeout_ms;
	size_t answered = 0;
	const char *how = "timeout";
	while (now_ms() < end) {
		size_t before = s->n_got;
		int r = sess_wait(s, PROTO_SESS_BYE, 100, &how);
		for (size_t i = before; i < s->n_got; i++)
			if (s->got[i].type == PROTO_SESS_PING) {
				proto_sess_msg pong = {.type = PROTO_SESS_PONG, .nonce = s->got[i].nonce};
				send_sess(s, &pong);
				answered++;
			}
		if (r == 0 || strcmp(how, "timeout") != 0)
			break;
		if (s->n_got > 48)
			s->n_got = 0; /* keep room */
	}
	long bye = bye_reason(s);
	drain(s->fd, p->o.timeout_ms, &how, NULL, 0);
	printf("{\"mode\":\"hold\",\"bye\":%ld,\"pings_answered\":%zu,\"closed\":\"%s\"}\n", bye,
	       answered, how);
	if (bye != PROTO_BYE_SHUTDOWN)
		return fail("expected BYE shutdown, got %ld", bye);
	if (strcmp(how, "timeout") == 0)
		return fail("the node did not close after BYE");
	return 0;
}

/* After the "ready" line: holds what the probe opened until the test closes standard input. */
static void hold_until_stdin_closes(void)
{
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
}

/* --n connections at once; every other one sends a valid message 1 and no message 3, the
 * others nothing. Prints "ready", holds them until standard input closes, then reports how
 * many the node closed meanwhile (its limits drop the oldest pending handshakes). */
static int mode_flood(probe *p)
{
	long n = p->o.n;
	int *fds = calloc((size_t)n, sizeof *fds);
	if (!fds)
		return fail("out of memory");
	long opened = 0;
	for (long i = 0; i < n; i++) {
		fds[i] = socket(p->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			break;
		socklen_t len = p->sa.ss_family == AF_INET ? sizeof(struct sockaddr_in)
		                                           : sizeof(struct sockaddr_in6);
		if (connect(fds[i], (const struct sockaddr *)&p->sa, len) != 0 &&
		    errno != EINPROGRESS) {
			close(fds[i]);
			fds[i] = -1;
			break;
		}
		opened++;
	}
	/* wait for every connect, then send the messages 1 */
	for (long i = 0; i < opened; i++) {
		struct pollfd pfd = {.fd = fds[i], .events = POLLOUT};
		poll(&pfd, 1, p->o.timeout_ms);
		if (i % 2 == 0)
			continue;
		session s;
		if (msg1_alone(p, &s, 0) == 0)
			send(fds[i], s.msg1, s.msg1_len, MSG_NOSIGNAL);
		session_done(&s);
	}
	printf("{\"ready\":true,\"opened\":%ld}\n", opened);
	hold_until_stdin_closes();
	long closed = 0, answered = 0;
	for (long i = 0; i < opened; i++) {
		uint8_t buf[4096];
		ssize_t r;
		bool got = false;
		while ((r = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT)) > 0)
			got = true;
		answered += got;
		closed += r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
		close(fds[i]);
	}
	free(fds);
	printf("{\"mode\":\"flood\",\"opened\":%ld,\"closed_by_node\":%ld,\"answered\":%ld}\n",
	       opened, closed, answered);
	return opened == n ? 0 : fail("could open only %ld connections of %ld", opened, n);
}

/* --n authenticated sessions, opened one after the other: the node's session limits answer
 * the ones over its caps with BYE busy right after the handshake. Prints "ready" with the
 * counts, holds the others until standard input closes (the test floods the node meanwhile),
 * then checks that every held session still answers PING: an authenticated session is never
 * evicted for a newcomer. */
static int mode_sessions(probe *p)
{
	long n = p->o.n;
	session *ss = calloc((size_t)n, sizeof *ss);
	if (!ss)
		return fail("out of memory");
	for (long i = 0; i < n; i++)
		ss[i].fd = -1;
	long opened = 0, busy = 0, alive = 0;
	int ret = 1;
	for (long i = 0; i < n; i++) {
		if (session_handshake(p, &ss[i]))
			goto out;
		opened++;
		/* a BYE busy comes at once, if it comes */
		proto_sess_msg m = {.type = PROTO_SESS_PING, .nonce = (uint64_t)i};
		const char *how;
		if (send_sess(&ss[i], &m) == 0 &&
		    sess_wait(&ss[i], PROTO_SESS_PONG, p->o.timeout_ms, &how) == 0)
			continue;
		for (size_t j = 0; j < ss[i].n_got; j++)
			busy += ss[i].got[j].type == PROTO_SESS_BYE &&
			        ss[i].got[j].reason == PROTO_BYE_BUSY;
		session_done(&ss[i]);
	}
	printf("{\"ready\":true,\"opened\":%ld,\"busy\":%ld}\n", opened, busy);
	hold_until_stdin_closes();
	for (long i = 0; i < opened; i++) {
		if (ss[i].fd < 0)
			continue;
		ss[i].n_got = 0;
		proto_sess_msg m = {.type = PROTO_SESS_PING, .nonce = 1000u + (uint64_t)i};
		const char *how;
		alive += send_sess(&ss[i], &m) == 0 &&
		         sess_wait(&ss[i], PROTO_SESS_PONG, p->o.timeout_ms, &how) == 0;
	}
	printf("{\"mode\":\"sessions\",\"opened\":%ld,\"busy\":%ld,\"alive\":%ld}\n", opened, busy,
	       alive);
	ret = alive + busy == opened ? 0 : fail("%ld sessions lost", opened - busy - alive);
out:
	for (long i = 0; i < n; i++)
		if (ss[i].fd >= 0 || ss[i].chan)
			session_done(&ss[i]);
	free(ss);
	return ret;
}

/* A complete handshake, then PINGs as fast as possible without ever reading the PONGs: the
 * node must stop reading (backpressure) rather than queue PONGs without bound. Sends until its
 * sends stay blocked for 2 s (the node stopped reading), the node closes the connection,
 * --n MiB went out, or --timeout-ms passed; reports which. The node's log says whether it
 * paused; the test checks that. */
static int seal_pings(session *s, uint8_t **buf, size_t *len, size_t *cap)
{
	*len = 0;
	for (int i = 0; i < 2000; i++) {
		uint8_t ping[16];
		size_t plen;
		proto_sess_msg m = {.type = PROTO_SESS_PING, .nonce = (uint64_t)i};
		int r = proto_sess_encode(&m, ping, sizeof ping, &plen);
		if (!r)
			r = proto_chan_seal(s->chan, ping, plen, buf, len, cap);
		if (r)
			return fail("cannot seal: %s", maille_strerror(r));
	}
	return 0;
}

static int mode_noread(probe *p, session *s)
{
	int ret = 1;
	uint8_t *batch = NULL;
	size_t blen = 0, bcap = 0;
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	uint64_t sent = 0, limit = (uint64_t)p->o.n * 1024u * 1024u;
	double end = now_ms() + p->o.timeout_ms;
	const char *outcome = "limit";
	while (strcmp(outcome, "limit") == 0 && sent < limit) {
		if (seal_pings(s, &batch, &blen, &bcap))
			goto out;
		for (size_t off = 0; off < blen;) {
			if (now_ms() > end) {
				outcome = "timeout";
				break;
			}
			ssize_t w = send(s->fd, batch + off, blen - off, MSG_NOSIGNAL);
			if (w > 0) {
				off += (size_t)w;
				sent += (uint64_t)w;
				continue;
			}
			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				outcome = "closed";
				break;
			}
			struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
			if (poll(&pfd, 1, 2000) == 0) {
				outcome = "blocked";
				break;
			}
		}
	}
	printf("{\"mode\":\"noread\",\"sent_bytes\":%llu,\"outcome\":\"%s\"}\n",
	       (unsigned long long)sent, outcome);
	ret = 0;
out:
	free(batch);
	return ret;
}

/* A hostile responder for the dialer: accepts one connection, reads message 1, then answers
 * according to --kind (silent: close without a byte; garbage: a plausible length and random
 * bytes; prefix-65535: a length over the limit; hang: nothing, until the client leaves;
 * with --dir, a member of its federation: hs-close completes the handshake and closes
 * without BYE, as a node that dies; hs-hang completes it and stays silent). The port goes to
 * --file. */
static int mode_fake_server(probe *p)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sin;
	if (ls < 0 || bind(ls, (struct sockaddr *)&sin, sizeof sin) || listen(ls, 4) ||
	    getsockname(ls, (struct sockaddr *)&sin, &sl))
		return fail("cannot listen: %s", strerror(errno));
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", p->o.file);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return fail("cannot write %s", tmp);
	fprintf(f, "127.0.0.1:%u\n", (unsigned)ntohs(sin.sin_port));
	fclose(f);
	rename(tmp, p->o.file);
	struct pollfd pfd = {.fd = ls, .events = POLLIN};
	if (poll(&pfd, 1, p->o.timeout_ms) <= 0) {
		close(ls);
		return fail("nobody connected");
	}
	int fd = accept(ls, NULL, NULL);
	close(ls);
	if (fd < 0)
		return fail("accept: %s", strerror(errno));
	uint8_t msg[2 + PROTO_HS_MSG_MAX];
	size_t got = 0;
	if (read_exact(fd, msg, 2, p->o.timeout_ms) == 0) {
		got = (size_t)msg[0] << 8 | msg[1];
		if (got > PROTO_HS_MSG_MAX || read_exact(fd, msg + 2, got, p->o.timeout_ms))
			got = 0;
	}
	const char *k = p->o.kind;
	uint8_t out[302];
	size_t olen = 0;
	if (strncmp(k, "hs-", 3) == 0) {
		/* a member that completes the handshake as the responder, then closes without BYE
		 * (hs-close: a peer that died) or stays silent (hs-hang) */
		int r = p->nd_open ? 0 : fail("--kind %s needs --dir", k);
		proto_hs hs;
		memset(&hs, 0, sizeof hs);
		uint8_t m2[2 + PROTO_HS_MSG_MAX], m3[2 + PROTO_HS_MSG_MAX];
		size_t l2 = 0, l3 = 0;
		if (!r && !got)
			r = fail("no message 1");
		if (!r)
			r = proto_hs_init(&hs, false, p->nd.sk, p->fed.key, &p->hello, wall_us(), NULL);
		if (!r)
			r = proto_hs_read(&hs, msg + 2, got);
		if (!r)
			r = proto_hs_write(&hs, m2 + 2, PROTO_HS_MSG_MAX, &l2);
		if (!r) {
			m2[0] = (uint8_t)(l2 >> 8);
			m2[1] = (uint8_t)l2;
			r = send_all(fd, m2, 2 + l2) ? MAILLE_EIO : 0;
		}
		if (!r && read_exact(fd, m3, 2, p->o.timeout_ms) == 0) {
			l3 = (size_t)m3[0] << 8 | m3[1];
			if (l3 > PROTO_HS_MSG_MAX || read_exact(fd, m3 + 2, l3, p->o.timeout_ms))
				r = MAILLE_EPROTO;
		} else if (!r) {
			r = MAILLE_EIO;
		}
		if (!r)
			r = proto_hs_read(&hs, m3 + 2, l3);
		proto_hs_done(&hs);
		const char *how = "eof";
		if (!r && strcmp(k, "hs-hang") == 0)
			drain(fd, p->o.timeout_ms, &how, NULL, 0);
		close(fd);
		if (r)
			return fail("the handshake with the client failed: %s", maille_strerror(r));
		printf("{\"mode\":\"fake-server\",\"kind\":\"%s\",\"handshake\":true,"
		       "\"client\":\"%s\"}\n",
		       k, how);
		return 0;
	}
	if (strcmp(k, "garbage") == 0) {
		randombytes_buf(out, sizeof out);
		out[0] = 1;
		out[1] = 44; /* 300 */
		olen = sizeof out;
	} else if (strcmp(k, "prefix-65535") == 0) {
		out[0] = out[1] = 0xff;
		olen = 2;
	} else if (strcmp(k, "silent") != 0 && strcmp(k, "hang") != 0) {
		close(fd);
		return fail("unknown --kind %s", k);
	}
	if (olen)
		send_all(fd, out, olen);
	const char *how = "eof";
	if (strcmp(k, "silent") != 0)
		drain(fd, p->o.timeout_ms, &how, NULL, 0);
	close(fd);
	printf("{\"mode\":\"fake-server\",\"kind\":\"%s\",\"msg1_len\":%zu,\"client\":\"%s\"}\n", k,
	       got, how);
	return 0;
}

/* ---- main ----------------------------------------------------------------------------------- */

enum { NEED_FILE = 1, NEED_KIND = 2, NEED_ADDRS = 4, NEED_N = 8 };

/* A mode: its name, the options it cannot do without, and what runs it (run_session on a
 * session with the node, its handshake complete). */
typedef struct probe_mode {
	const char *name;
	unsigned needs;
	int (*run)(probe *p);
	session_mode run_session;
} probe_mode;

static const probe_mode modes[] = {
	{"fake-server", NEED_KIND | NEED_FILE, mode_fake_server, NULL},
	{"capture", NEED_FILE, NULL, mode_capture},
	{"send-file", NEED_FILE, mode_send_file, NULL},
	{"msg1", 0, mode_msg1, NULL},
	{"garbage1", NEED_KIND, mode_garbage1, NULL},
	{"garbage3", NEED_KIND, mode_garbage3, NULL},
	{"flipbit", 0, NULL, mode_after_hs},
	{"bigmsg", 0, NULL, mode_after_hs},
	{"silent", 0, mode_silent, NULL},
	{"forge", NEED_KIND, NULL, mode_forge},
	{"redeem", 0, NULL, mode_redeem},
	{"want", NEED_KIND, NULL, mode_want},
	{"node-entry", NEED_ADDRS, NULL, mode_node_entry},
	{"push-back", NEED_N, mode_push_back, NULL},
	{"idle", 0, NULL, mode_idle},
	{"hold", 0, NULL, mode_hold},
	{"flood", NEED_N, mode_flood, NULL},
	{"sessions", NEED_N, mode_sessions, NULL},
	{"noread", 0, NULL, mode_noread},
};

static const probe_mode *mode_find(const char *name)
{
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
}

static int usage(void)
{
	fputs("usage: probe MODE [--dir DIR] [--addr HOST:PORT] [--kind K] [--file F] [--age S]\n"
	      "             [--n N] [--timeout-ms T] [--id HEX] [--addrs A,B,...]\n"
	      "modes: capture send-file msg1 garbage1 garbage3 flipbit bigmsg silent idle hold\n"
	      "       flood sessions noread fake-server forge redeem want node-entry push-back\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2 || proto_init() != 0)
		return usage();
	probe p;
	memset(&p, 0, sizeof p);
	p.o.mode = argv[1];
	p.o.timeout_ms = DEFAULT_TIMEOUT_MS;
	p.o.n = 1;
	const char *age = NULL, *n = NULL, *timeout = NULL;
	const struct {
		const char *name;
		const char **value;
	} options[] = {{"--dir", &p.o.dir},     {"--addr", &p.o.addr},   {"--kind", &p.o.kind},
	               {"--file", &p.o.file},   {"--id", &p.o.id},       {"--addrs", &p.o.addrs},
	               {"--age", &age},         {"--n", &n},             {"--timeout-ms", &timeout}};
	const size_t n_options = sizeof options / sizeof options[0];
	for (int i = 2; i + 1 < argc; i += 2) {
		size_t o = 0;
		while (o < n_options && strcmp(argv[i], options[o].name) != 0)
			o++;
		if (o == n_options)
			return usage();
		*options[o].value = argv[i + 1];
	}
	if (age)
		p.o.age_s = atof(age);
	if (n)
		p.o.n = atol(n);
	if (timeout)
		p.o.timeout_ms = atoi(timeout);
	if ((argc % 2) != 0)
		return usage();
	if (strcmp(p.o.mode, "fake-server") == 0 && !p.o.dir)
		return p.o.kind && p.o.file ? mode_fake_server(&p) : usage();
	if (strcmp(p.o.mode, "fake-server") == 0)
		p.o.addr = "127.0.0.1:1"; /* unused: it listens */
	if (!p.o.dir || !p.o.addr || node_addr_parse(p.o.addr, &p.sa))
		return usage();
	if (cli_node_open(&p.nd, p.o.dir))
		return 1;
	p.nd_open = true;
	int ret = 1;
	char path[4200], why[160];
	if (federation_path(p.nd.path, path, sizeof path) ||
	    federation_read(path, &p.fed, why, sizeof why, cli_env())) {
		fail("%s: no federation (%s)", p.o.dir, why);
		goto out;
	}
	p.hello.version = PROTO_VERSION;
	snprintf(p.hello.software, sizeof p.hello.software, "maille-probe");
	snprintf(p.hello.name, sizeof p.hello.name, "probe");
	const probe_mode *m = mode_find(p.o.mode);
	if (!m || ((m->needs & NEED_FILE) && !p.o.file) || ((m->needs & NEED_KIND) && !p.o.kind) ||
	    ((m->needs & NEED_ADDRS) && !p.o.addrs) || ((m->needs & NEED_N) && p.o.n <= 0))
		ret = usage();
	else
		ret = m->run ? m->run(&p) : with_session(&p, m->run_session);
out:
	federation_done(&p.fed);
	if (p.nd_open)
		node_dir_close(&p.nd);
	return ret;
}
