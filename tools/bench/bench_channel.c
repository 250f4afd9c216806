/* tools/bench/bench_channel.c: `maille-bench channel` — the secure channel's costs.
 *
 * 1. Handshakes per second on one core: initiator and responder in one process, the three
 *    messages of PROTOCOL.md §2.2 with real keys (X25519, BLAKE2b, ChaCha20-Poly1305).
 * 2. Throughput between two processes on loopback: a child process accepts on 127.0.0.1, both
 *    run the real handshake, then the parent sends 1 MiB session messages through proto_chan
 *    (framing, encryption, rekeying) over TCP and the child decrypts and reassembles them; the
 *    figure is compared with the raw ChaCha20-Poly1305 rate measured in the same run. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_channel.h"
#include "proto/channel.h"
#include "proto/error.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static proto_hello bench_hello(const char *name)
{
	proto_hello h;
	memset(&h, 0, sizeof h);
	h.version = PROTO_VERSION;
	snprintf(h.software, sizeof h.software, "maille-bench");
	snprintf(h.name, sizeof h.name, "%s", name);
	return h;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_hs(int fd, const uint8_t *m, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	return write_all(fd, hdr, 2) || write_all(fd, m, len) ? -1 : 0;
}

static int recv_hs(int fd, uint8_t *m, size_t cap, size_t *len)
{
	uint8_t hdr[2];
	if (read_all(fd, hdr, 2))
		return -1;
	*len = (size_t)hdr[0] << 8 | hdr[1];
	return *len > cap || read_all(fd, m, *len) ? -1 : 0;
}

/* Runs one side of the handshake over fd. */
static int handshake_fd(int fd, bool initiator, const uint8_t *sk, const uint8_t *netkey,
                        proto_chan *ch)
{
	proto_hs hs;
	proto_hello h = bench_hello(initiator ? "initiator" : "responder");
	uint64_t now = (uint64_t)time(NULL) * 1000000u;
	if (proto_hs_init(&hs, initiator, sk, netkey, &h, now, NULL))
		return -1;
	uint8_t m[PROTO_HS_MSG_MAX];
	size_t len;
	int r = 0;
	while (!r && hs.state != PROTO_HS_DONE) {
		bool writing = hs.state == PROTO_HS_WRITE1 || hs.state == PROTO_HS_WRITE2 ||
		               hs.state == PROTO_HS_WRITE3;
		if (writing)
			r = proto_hs_write(&hs, m, sizeof m, &len) || send_hs(fd, m, len);
		else
			r = recv_hs(fd, m, sizeof m, &len) || proto_hs_read(&hs, m, len);
	}
	if (!r)
		r = proto_hs_split(&hs, ch);
	proto_hs_done(&hs);
	return r ? -1 : 0;
}

typedef struct rx_ctx {
	uint64_t bytes, msgs;
} rx_ctx;

static int on_msg(void *ctx, const uint8_t *msg, size_t len)
{
	(void)msg;
	rx_ctx *c = ctx;
	c->bytes += len;
	c->msgs++;
	return 0;
}

/* Child: accept one connection, handshake, receive until `expect` messages, then answer. */
static int child_receive(int lfd, const uint8_t *sk, const uint8_t *netkey, uint64_t expect)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return 1;
	proto_chan ch;
	if (handshake_fd(fd, false, sk, netkey, &ch))
		return 1;
	rx_ctx c = {0};
	uint8_t *buf = malloc(256 * 1024);
	while (c.msgs < expect) {
		ssize_t n = read(fd, buf, 256 * 1024);
		if (n <= 0 || proto_chan_feed(&ch, buf, (size_t)n, on_msg, &c))
			return 1;
	}
	uint8_t ack = 1;
	int r = write_all(fd, &ack, 1);
	free(buf);
	proto_chan_done(&ch);
	close(fd);
	return r ? 1 : 0;
}

int bench_channel_run(void)
{
	uint8_t pka[32], pkb[32], ska[64], skb[64], netkey[32];
	crypto_sign_keypair(pka, ska);
	crypto_sign_keypair(pkb, skb);
	randombytes_buf(netkey, sizeof netkey);

	/* 1. handshakes per second, both sides on one core */
	proto_hello ha = bench_hello("a"), hb = bench_hello("b");
	uint8_t m[PROTO_HS_MSG_MAX];
	size_t len, wire = 0;
	unsigned n_hs = 0;
	double t0 = now_s();
	while (now_s() - t0 < 2.0) {
		proto_hs a, b;
		proto_chan ca, cb;
		uint64_t now = (uint64_t)time(NULL) * 1000000u;
		int r = proto_hs_init(&a, true, ska, netkey, &ha, now, NULL) ||
		        proto_hs_init(&b, false, skb, netkey, &hb, now, NULL);
		wire = 0;
		for (int step = 0; !r && step < 3; step++) {
			proto_hs *w = step == 1 ? &b : &a, *rd = step == 1 ? &a : &b;
			r = proto_hs_write(w, m, sizeof m, &len) || proto_hs_read(rd, m, len);
			wire += 2 + len;
		}
		r = r || proto_hs_split(&a, &ca) || proto_hs_split(&b, &cb);
		proto_hs_done(&a);
		proto_hs_done(&b);
		if (r) {
			fprintf(stderr, "maille-bench: handshake failed\n");
			return 1;
		}
		proto_chan_done(&ca);
		proto_chan_done(&cb);
		n_hs++;
	}
	double hs_rate = n_hs / (now_s() - t0);
	printf("\nHandshake (Noise XXpsk0, BLAKE2b), both sides on one core: %.0f handshakes/s\n"
	       "  (%.0f µs per handshake for both sides; %zu bytes on the wire with 2-byte lengths)\n",
	       hs_rate, 1e6 / hs_rate, wire);

	/* raw ChaCha20-Poly1305 IETF over 64 KiB buffers, the transport's primitive */
	size_t chunk = NOISE_TRANSPORT_PAYLOAD_MAX;
	uint8_t *plain = malloc(chunk), *ct = malloc(chunk + 16), key[32], nonce[12] = {0};
	randombytes_buf(key, sizeof key);
	memset(plain, 0x5a, chunk);
	uint64_t raw_bytes = 0;
	t0 = now_s();
	while (now_s() - t0 < 1.0) {
		for (int k = 0; k < 16; k++) {
			crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, plain, chunk, NULL, 0, NULL,
			                                          nonce, key);
			nonce[4]++;
			raw_bytes += chunk;
		}
	}
	double raw_mb = (double)raw_bytes / (now_s() - t0) / 1e6;
	free(plain);
	free(ct);

	/* 2. throughput between two processes over loopback TCP */
	const uint64_t n_msgs = 512, msg_len = 1024 * 1024;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
		fprintf(stderr, "maille-bench: cannot listen on 127.0.0.1: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(child_receive(lfd, skb, netkey, n_msgs));
	close(lfd);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	proto_chan ch;
	ok = ok && handshake_fd(fd, true, ska, netkey, &ch) == 0;
	uint8_t *msg = malloc(msg_len), *out = NULL;
	size_t out_len = 0, out_cap = 0;
	memset(msg, 0xa5, msg_len);
	t0 = now_s();
	for (uint64_t i = 0; ok && i < n_msgs; i++) {
		out_len = 0;
		ok = proto_chan_seal(&ch, msg, msg_len, &out, &out_len, &out_cap) == 0 &&
		     write_all(fd, out, out_len) == 0;
	}
	uint8_t ack;
	ok = ok && read_all(fd, &ack, 1) == 0;
	double secs = now_s() - t0;
	int status = 0;
	waitpid(pid, &status, 0);
	free(msg);
	free(out);
	if (fd >= 0)
		close(fd);
	if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "maille-bench: channel transfer failed\n");
		return 1;
	}
	proto_chan_done(&ch);
	double mb = (double)(n_msgs * msg_len) / secs / 1e6;
	printf("\nChannel throughput, two processes over loopback TCP, %llu session messages of "
	       "1 MiB:\n  %.0f MB/s; raw ChaCha20-Poly1305 on one core in this run: %.0f MB/s; "
	       "ratio %.2f\n  (each side encrypts or decrypts every byte once, on its own core)\n",
	       (unsigned long long)n_msgs, mb, raw_mb, mb / raw_mb);
	return 0;
}
