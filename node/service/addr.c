/* node/service/addr.c: see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/error.h"

void node_addr_host(const struct sockaddr *sa, char ret[NODE_ADDR_STR_MAX])
{
	ret[0] = '\0';
	if (sa->sa_family == AF_INET) {
		if (!inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ret,
		               NODE_ADDR_STR_MAX))
			ret[0] = '\0';
	} else if (sa->sa_family == AF_INET6) {
		if (!inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ret,
		               NODE_ADDR_STR_MAX))
			ret[0] = '\0';
	} else {
		snprintf(ret, NODE_ADDR_STR_MAX, "?");
	}
}

void node_addr_format(const struct sockaddr *sa, char ret[NODE_ADDR_STR_MAX])
{
	char host[NODE_ADDR_STR_MAX];
	node_addr_host(sa, host);
	if (sa->sa_family == AF_INET)
		snprintf(ret, NODE_ADDR_STR_MAX, "%.46s:%u", host,
		         (unsigned)ntohs(((const struct sockaddr_in *)sa)->sin_port));
	else if (sa->sa_family == AF_INET6)
		snprintf(ret, NODE_ADDR_STR_MAX, "[%.45s]:%u", host,
		         (unsigned)ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	else
		snprintf(ret, NODE_ADDR_STR_MAX, "?");
}

/* An IPv6 literal with an optional zone ("fe80::1%eth0"): the zone names an interface, its
 * index becomes the scope (0 when no interface has that name). */
static bool addr_ip6(const char *host, struct sockaddr_in6 *ret)
{
	char a[40]; /* the longest IPv6 text without an embedded IPv4 address, and its NUL */
	const char *zone = strchr(host, '%');
	if (zone) {
		size_t n = (size_t)(zone - host);
		if (n >= sizeof a)
			n = sizeof a - 1;
		memcpy(a, host, n);
		a[n] = '\0';
		host = a;
		ret->sin6_scope_id = if_nametoindex(zone + 1);
	}
	return inet_pton(AF_INET6, host, &ret->sin6_addr) == 1;
}

int node_addr_parse(const char *s, struct sockaddr_storage *ret)
{
	char host[NODE_ADDR_STR_MAX];
	const char *port;
	bool v6 = false;
	size_t hl;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return MAILLE_EINVAL;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof host)
			return MAILLE_EINVAL;
		memcpy(host, s + 1, hl);
		port = close + 2;
		v6 = true;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon)
			return MAILLE_EINVAL;
		hl = (size_t)(colon - s);
		if (hl >= sizeof host)
			return MAILLE_EINVAL;
		memcpy(host, s, hl);
		port = colon + 1;
	}
	host[hl] = '\0';
	size_t pl = strlen(port);
	if (pl == 0 || pl > 5 || strspn(port, "0123456789") != pl)
		return MAILLE_EINVAL;
	unsigned long p = strtoul(port, NULL, 10);
	if (p > 65535)
		return MAILLE_EINVAL;
	if (!v6 && strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	if (!v6) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return MAILLE_EINVAL;
	} else {
		/* an IPv6 literal needs its brackets, so that "::1:80" is never ambiguous */
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		if (!addr_ip6(host, in6))
			return MAILLE_EINVAL;
	}
	*ret = ss;
	return 0;
}
