/* node/web/web.h: the local web catalogue `maille node` serves beside the daemon (started by
 * tools/cli/cmd_node.c; the daemon, node/daemon/, does not know it): HTML pages in French
 * (with an English switch), forms to publish, and a JSON API over the same data.
 *
 * Server: libmicrohttpd with its own threads (a small pool), not an HTTP parser on the
 * daemon's libuv loop. Why: pages run SQLite queries (full-text search, lists, Markdown) that
 * take milliseconds; on the loop they would delay every peer session's handshake, pings and
 * pushes, while on their own threads they only share the cores. MHD also brings a parser of
 * HTTP/1.1 hardened over years (pipelining, chunked bodies, 100-continue, header limits) that
 * we would otherwise write and fuzz ourselves. Each MHD thread opens its OWN store handle
 * (store handles are never shared between threads); what a form publishes is written through
 * it, and the daemon's loop notices that write through SQLite's data_version within its
 * 0.1 s tick and pushes the entry to its peers, exactly as for a `maille publish`.
 *
 * Security (README "Web catalogue"): every byte of user content is HTML-escaped; Markdown is
 * rendered by cmark in safe mode (no raw HTML, no javascript: links); a strict
 * Content-Security-Policy (no script at all: the site works without JavaScript); forms carry
 * CSRF tokens bound to a cookie; request sizes, connections and request rates are bounded
 * (limits below). Listening on an address other than loopback requires a token file: every
 * request must then carry the token (a session cookie set by a login form, kept in a table
 * here and ended by logout, or an Authorization: Bearer header).
 *
 * Host allow-list (DNS rebinding): a web page of another site can make its own name resolve
 * to 127.0.0.1 and then talk to this server as its own origin, Host header included; what
 * it cannot do is send a Host that names this server. So every request must name one of:
 * 127.0.0.1, localhost, [::1] (names an outside site cannot own), the literal address the
 * server listens on (not 0.0.0.0 or [::]), and the names of web.hosts (maille.conf). The
 * port, when the Host gives one, must be the listening port, or for a web.hosts name given
 * with a port (a front server such as a TLS reverse proxy), that port; without one it means
 * 80 or 443 (what a browser leaves out), so the name must be reached on one of them. Another Host gets 421
 * Misdirected Request (RFC 9110 §15.5.20: this server is not the one for that name), not
 * 403, which would say the name is right and the client lacks a right. The CSRF check
 * compares Origin and Referer with the same list, never with the request's own Host.
 *
 * What the entry page and the API call "signature vérifiée" / signature_verified is checked
 * when the entry is read (web_row_verified), never assumed from the store.
 *
 * Depends on proto/, store/, node/service/ (the trust view, addresses, DIR/node.state's name),
 * libmicrohttpd, cmark, jansson, libsodium; never on node/daemon/. Logs through
 * node/service/log.h. Ownership: web_config's pointers (but netkey_fp, copied) are borrowed
 * until web_stop(). */
#ifndef MAILLE_NODE_WEB_H
#define MAILLE_NODE_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_LISTEN_DEFAULT "127.0.0.1:7480"
#define WEB_ADDR_FILE "web.addr" /* DIR/web.addr: the bound address while the server runs */

/* ---- limits ----------------------------------------------------------------------------- */
#define WEB_THREADS 2u                   /* MHD worker threads, one store handle each */
#define WEB_CONN_MAX 256u                /* open HTTP connections */
#define WEB_CONN_PER_IP_MAX 64u          /* open HTTP connections from one address */
#define WEB_CONN_TIMEOUT_S 30u           /* an idle connection is closed after this */
#define WEB_CONN_MEMORY (128u * 1024u)   /* per connection: request line and headers */
#define WEB_BODY_MAX (512u * 1024u)      /* bytes of a request body (a form): beyond, 413 */
#define WEB_PATH_MAX 1024u               /* bytes of a decoded URL path: beyond, 414 */
#define WEB_QUERY_MAX 2048u              /* bytes of a search query */
#define WEB_PAGE_SIZE 20u                /* entries per page of the catalogue and the API */
#define WEB_PAGE_MAX 500u                /* highest page number */
#define WEB_OUT_MAX (8u * 1024u * 1024u) /* bytes of one response */
#define WEB_HOSTS_MAX 16u                /* names in web.hosts */
/* What libmicrohttpd keeps of a request in WEB_CONN_MEMORY: the request line, the header
 * lines, a copy of the Cookie header, and a record of about 64 bytes per header, cookie and
 * query parameter. Within the limits below a request takes at most 8 + 16 + 32 + 6.4 + 32 +
 * 12.8 KiB of it, so its answer always has room; beyond them it gets 414 or 431 (web.c). */
#define WEB_TARGET_MAX 8192u        /* bytes of the request target (path and query): 414 */
#define WEB_PARAMS_MAX 256u         /* query parameters (as WEB_FORM_FIELDS_MAX): 414 */
#define WEB_HEADERS_MAX 100u        /* header fields: beyond, 431 */
#define WEB_HEADER_BYTES_MAX 32768u /* bytes of the header names and values: 431 */
#define WEB_COOKIES_MAX 200u        /* cookies (a browser keeps up to 180 a site): 431 */
/* Sessions of the login form (token mode), kept by the server (web.c). */
#define WEB_SESSIONS_MAX 128u     /* signed in at once (the least recently used goes) */
#define WEB_SESSION_IDLE_S 7200u  /* a session unused this long ends */
#define WEB_SESSION_LIFE_S 43200u /* and every session ends this long after its sign-in */
/* Rate limits, per client address (token buckets: a burst, then a steady rate). Reads are
 * limited for clients other than loopback only: a local process can read the store file
 * anyway, and the benchmark runs from there. Writes (every POST) and failed logins are
 * limited for everyone. */
#define WEB_RATE_READ_PER_S 100u
#define WEB_RATE_READ_BURST 300u
#define WEB_RATE_POST_PER_MIN 60u
#define WEB_RATE_POST_BURST 60u
#define WEB_RATE_LOGIN_PER_MIN 6u
#define WEB_RATE_LOGIN_BURST 5u
#define WEB_RATE_CLIENTS 1024u /* addresses tracked (the least recent is forgotten) */
#define WEB_TOKEN_MIN 16u      /* characters of an access token */
#define WEB_TOKEN_MAX 256u

typedef struct web_config {
	const char *listen;     /* "ADDR:PORT" (WEB_LISTEN_DEFAULT when NULL); port 0: ephemeral */
	const char *token_file; /* NULL: no token (loopback only) */
	const char *hosts;      /* web.hosts: more names of this server (NULL: none) */
	const char *dir;        /* node directory: web.addr, node.state */
	const char *store_path; /* each worker thread opens its own handle */
	const uint8_t *sk;      /* the daemon's Ed25519 secret key: what the forms publish is
	                         * signed with it (web_publish_territory) */
	const char *netkey_fp;  /* the federation's fingerprint, for the network page (copied) */
	const char *federation; /* the federation's name (copied; NULL: not shown) */
	int64_t clock_skew_us;  /* a test's injected clock (the daemon's clock_skew_us) */
	bool member;            /* a member's node: the forms write for the territory of its
	                         * capability (web_publish_territory) */
	const char *corrupt_mark; /* the daemon's corrupt_mark: while it exists, the forms store
	                           * nothing (NULL: never) */
	const char *timezone; /* maille.conf's timezone: the zone of the dates the pages show
	                       * (node/service/datefmt.h; NULL: DATEFMT_ZONE_DEFAULT) */
} web_config;

typedef struct web_server web_server;

/* Starts the server (its threads run at once). Errors, logged here once: MAILLE_EINVAL (bad
 * address, a non-loopback address without token_file, a bad token file), MAILLE_EBUSY
 * (address in use), MAILLE_EIO, MAILLE_ENOMEM. *ret is set only on success. */
int web_start(const web_config *cfg, web_server **ret);
/* Whether a web.hosts value is valid: up to WEB_HOSTS_MAX host names separated by commas
 * and/or blanks, each a DNS name, an IPv4 address or an [IPv6] literal, with an optional
 * port (web_authority_parse). An empty value is valid (no name). */
bool web_hosts_valid(const char *list);
/* "http://127.0.0.1:7480/" */
const char *web_url(const web_server *w);
/* Stops accepting, waits for the requests in progress, joins the threads, closes their store
 * handles, removes DIR/web.addr, frees. NULL is a no-op. */
void web_stop(web_server *w);

/* `maille export --format site` (web_site.c): the records of s (node/formats/export.h) as a
 * static site of plain HTML pages, no script, in the web catalogue's look: index.html, a page
 * a record (<path>.html) and maille.css, handed to o. Dates in zone (NULL: the default), text
 * in English when en. 0, MAILLE_ENOMEM or the sink's error. */
typedef struct store store;
typedef struct export_set export_set;
typedef struct export_sink export_sink;
int web_site_export(store *st, const export_set *s, const char *zone, bool en, export_sink *o);

#endif
