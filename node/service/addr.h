/* node/service/addr.h: a node's network addresses as text, "HOST:PORT", the one way the
 * daemon (its listen address, peers, DIR/node.addr), the web catalogue (its listen address,
 * DIR/web.addr) and the CLI write and read them.
 *
 * No I/O and no event loop: libc's inet_pton/inet_ntop, so that the daemon (libuv) and the
 * web catalogue (libmicrohttpd) share it without depending on each other. */
#ifndef MAILLE_NODE_ADDR_H
#define MAILLE_NODE_ADDR_H

#include <sys/socket.h>

#define NODE_ADDR_STR_MAX 64u /* "[v6 address]:port" with its NUL */

/* Parses "HOST:PORT" into *ret: HOST an IPv4 literal, "localhost" (127.0.0.1) or an IPv6
 * literal in brackets ("[::1]:7470", so that "::1:80" is never ambiguous), the port required,
 * 0 to 65535. MAILLE_EINVAL if it is not such an address (*ret untouched). */
int node_addr_parse(const char *s, struct sockaddr_storage *ret);
/* "1.2.3.4:5" or "[::1]:5" into ret (NODE_ADDR_STR_MAX bytes); "?" for another family. */
void node_addr_format(const struct sockaddr *sa, char ret[NODE_ADDR_STR_MAX]);
/* The host part alone, without brackets or port: "1.2.3.4", "::1" ("?" for another family). */
void node_addr_host(const struct sockaddr *sa, char ret[NODE_ADDR_STR_MAX]);

#endif
