/* node/web/web_int.h: what the files of the web catalogue share (web.c: server, the route
 * table, limits; web_access.c: access control; web_html.c: output buffer, escaping, layout,
 * field rendering; the pages by family: web_page_catalogue.c (home, catalogue, search, and
 * the filters and paging the API shares), web_page_entry.c, web_page_territory.c,
 * web_page_network.c; web_publish.c: the forms that write; web_api.c: the JSON API). Not
 * public. */
#ifndef MAILLE_NODE_WEB_INT_H
#define MAILLE_NODE_WEB_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/datefmt.h"
#include "node/service/trust.h"
#include "proto/entry.h"
#include "proto/value.h"
#include "store/store.h"
#include "web.h"
#include "web_form.h"

/* ---- output buffer ---------------------------------------------------------------------- */
typedef struct web_buf {
	char *p;
	size_t len, cap;
	bool failed; /* out of memory or over WEB_OUT_MAX: the request answers 500 */
} web_buf;

void wb_put(web_buf *b, const char *s, size_t len);
void wb_puts(web_buf *b, const char *s);
void wb_printf(web_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML-escaped text (& < > " ' all escaped, so it is safe in text and in quoted attributes) */
void wb_html(web_buf *b, const char *s, size_t len);
void wb_htmls(web_buf *b, const char *s);
/* Percent-encoded (a query value, or a path with keep_slash), then safe in an attribute. */
void wb_url(web_buf *b, const char *s, size_t len, bool keep_slash);
void wb_urls(web_buf *b, const char *s);
/* JSON string contents (no quotes). */
void wb_done(web_buf *b);

/* ---- per-thread state --------------------------------------------------------------------- */
typedef struct web_worker {
	store *st;     /* this thread's own handle */
	trust_view tv; /* this handle's trust view (store_set_trusted given) */
	bool tv_ok;
	uint64_t tv_dv; /* data_version when tv was computed */
	uint64_t tv_ms; /* monotonic ms when tv was last checked */
} web_worker;

/* Counts of the trusted catalogue by facet, computed by a background thread (web.c). */
#define WEB_FACET_VALUES 32u
#define WEB_FACET_STATUSES 12u /* the common statuses and a call's own */
typedef struct web_facet {
	char value[80];
	uint64_t n;
} web_facet;
typedef struct web_facets {
	bool ready;
	uint64_t total;
	web_facet type[8], theme[WEB_FACET_VALUES], status[WEB_FACET_STATUSES],
	    licence[WEB_FACET_VALUES];
	size_t n_type, n_theme, n_status, n_licence;
	struct {
		uint8_t key[PROTO_KEY_LEN];
		uint64_t n;
	} territory[WEB_FACET_VALUES];
	size_t n_territory;
	uint64_t computed_us;
} web_facets;
/* Counts one more record with value s[0..len) in v[0..*n) (at most cap values: the first seen),
 * and the order of the values shown, most records first (web.c; the search page's own counts
 * too, web_page_catalogue.c). */
void web_facet_add(web_facet *v, size_t *n, size_t cap, const char *s, size_t len);
int web_facet_cmp(const void *a, const void *b);

/* A client address's token buckets (web_access.c); the least recently used slot is reused. */
struct web_rate {
	char ip[64];
	double read, post, login; /* tokens left */
	uint64_t last_ms;
	uint64_t used; /* w->rate_tick when last used: the least recent slot is reused */
};

/* A signed-in session (token mode): its id is random, the cookie carries it in hex, and it
 * is valid only while it is in the table: logout, idleness and age end it (web.c). */
#define WEB_SESSION_ID_LEN 32u
struct web_session {
	uint8_t id[WEB_SESSION_ID_LEN];
	uint64_t start_ms, last_ms; /* monotonic */
	bool used;
};

struct web_server {
	web_config cfg;
	char *token;        /* NULL without a token file; sodium_malloc'd */
	uint8_t secret[32]; /* random per start: HMAC key of CSRF tokens and session cookies */
	uint8_t own[PROTO_KEY_LEN];
	struct MHD_Daemon *mhd;
	char addr[64]; /* "127.0.0.1:7480" */
	char url[96];
	char netkey_fp[16]; /* cfg.netkey_fp points here (a copy) */
	char federation[160]; /* cfg.federation points here (a copy, "" when none) */
	const datefmt_zone *zone; /* cfg.timezone's (the default when NULL or unknown) */
	bool loopback_only;
	bool addr_written;
	/* the Host allow-list (web.h): names and the port each is reached on (the listening
	 * port unless web.hosts gives another), and the listening port */
	web_authority hosts[WEB_HOSTS_MAX + 4];
	size_t n_hosts;
	unsigned port;
	bool host_logged;     /* a WEB-HOST line was written, at host_log_ms */
	uint64_t host_log_ms; /* (under lock, with host_unlogged: refusals since) */
	uint64_t host_unlogged;
	pthread_key_t key;    /* the calling thread's web_worker */
	pthread_mutex_t lock; /* workers[], facets, rate table, sessions, WEB-HOST lines */
	web_worker *workers[WEB_THREADS + 2];
	size_t n_workers;
	web_facets facets;
	struct web_rate *rate;        /* WEB_RATE_CLIENTS slots */
	struct web_session *sessions; /* WEB_SESSIONS_MAX slots */
	uint64_t rate_tick;
	pthread_t facet_thread;
	bool facet_thread_started;
	bool stopping;
	pthread_cond_t stop_cond;
};

/* ---- one request ---------------------------------------------------------------------------- */
enum web_method { WEB_GET = 1, WEB_HEAD, WEB_POST };

typedef struct web_req {
	web_server *w;
	web_worker *wk;
	struct MHD_Connection *conn;
	int method;
	char path[WEB_PATH_MAX + 1]; /* decoded */
	size_t path_len;
	web_form q;      /* query string */
	char *raw_query; /* as the client sent it (for the language switch's way back), or NULL */
	web_form form;   /* POST body */
	char *body;
	size_t body_len;
	bool body_too_big, bad_query;
	bool begun;                /* on_request's first call is done */
	bool target_long;          /* over WEB_TARGET_MAX or WEB_PARAMS_MAX (on_uri): 414 */
	size_t target_len, params; /* the request target's bytes and query parameters */
	bool short_answer;         /* the connection's memory may be nearly full: bare answer */

	bool en;  /* English */
	bool all; /* ?all=1: untrusted territories too */
	bool loopback;
	bool authed;
	bool session; /* signed in with a session cookie (the pages offer to sign out) */
	char ip[64];
	char csrf_cookie[65]; /* the client's CSRF cookie (set now when csrf_new) */
	bool csrf_new;
	/* the response */
	web_buf out;
	unsigned status;
	const char *ctype;
	char location[WEB_PATH_MAX * 3 + 64];
	char cookies[3][200];
	size_t n_cookies;
	bool no_store;
	bool logged; /* already logged: no WEB-REQ line */
	const uint8_t *fields_territory; /* web_fields' territory while it runs */
} web_req;

/* A handler of the route table (web.c): rest is what follows a prefix route's path ("" for
 * an exact one). The pages, the forms and the API have this signature. */
typedef void web_handler(web_req *r, const char *rest);

/* French or English, by the request's language. */
#define L(r, fr_, en_) ((r)->en ? (en_) : (fr_))

/* ---- web.c ---------------------------------------------------------------------------------- */
uint64_t web_now_us(const web_server *w);
uint64_t web_mono_ms(void);
/* The trust view of the request's thread, refreshed when the store changed (at most once a
 * second, so trust changes show within 2 s). NULL if it cannot be computed. */
const trust_view *web_trust(web_req *r);
/* A copy of the facet counts. */
void web_facets_get(web_server *w, web_facets *ret);

/* ---- web_access.c ----------------------------------------------------------------------------- */
enum web_limit { WEB_LIMIT_READ, WEB_LIMIT_POST, WEB_LIMIT_LOGIN };
/* Takes one token of kind (enum web_limit) for ip; false when the bucket is empty (429). */
bool web_rate_take(web_server *w, const char *ip, int kind);
/* A request header's value, or NULL. */
const char *web_header(web_req *r, const char *name);
/* The value of a cookie of the request into ret, or false. */
bool web_cookie(web_req *r, const char *name, char *ret, size_t cap);
void web_set_cookie(web_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads the CSRF cookie, or makes a new one sent with the response. */
void web_csrf_setup(web_req *r);
/* The hidden CSRF field's value for the request's cookie (64 hex + NUL). */
void web_csrf_token(web_req *r, char ret[65]);
/* Whether a POST carries a valid CSRF token; false answers 403 (written here). */
bool web_csrf_check(web_req *r);
/* Whether the request's Host names this server (web.h); 421, or 400 without a Host,
 * written otherwise. */
bool web_host_check(web_req *r);
/* Whether the request may go on: no token configured, a valid session cookie, or the
 * token as a bearer. */
bool web_authorised(web_req *r);
/* A local path to go back to after a sign-in or a language switch, else "/". */
const char *web_safe_next(const char *next);
/* GET /login (status 200, or 401 for a page that needs a sign-in), POST /login, POST
 * /logout. */
void web_page_login(web_req *r, unsigned status, bool failed);
void web_post_login(web_req *r, const char *rest);
void web_post_logout(web_req *r, const char *rest);

/* ---- web_html.c -------------------------------------------------------------------------------
 */
void web_page_begin(web_req *r, const char *title, const char *active);
void web_page_end(web_req *r);
/* An error page (HTML, or JSON under /api/) with status. */
void web_error(web_req *r, unsigned status, const char *fr, const char *en);
void web_redirect(web_req *r, const char *location);
/* Markdown to safe HTML (cmark, raw HTML omitted). */
void web_markdown(web_buf *b, const char *md, size_t len);
/* A snippet with its \x02 \x03 match markers as <mark> (the rest escaped). */
void web_snippet(web_buf *b, const char *s);
/* Labels of field names and enum values (French or English); NULL if unknown. */
const char *web_label(const web_req *r, const char *name);
/* A value as HTML, generic (lists, maps, language maps, booleans). */
void web_value(web_req *r, const proto_value *v, int depth);
/* The link of an entry: /entry/<path>?territory=<hex>. */
/* An entry's summary (in bold) and its description (Markdown, in a section of its own) in
 * lang, into b: the entry page's and a static site's record page's text. */
void web_entry_text(web_req *r, web_buf *b, const proto_value *body, const char *lang);
void web_entry_href(web_buf *b, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                    size_t path_len);
/* "Name" of a territory, or its 8-hex fingerprint followed by an ellipsis. */
void web_territory_name(store *st, const uint8_t key[PROTO_KEY_LEN], char *ret, size_t cap);
/* Who signed: "member (territory)" or the territory. */
void web_signer_label(store *st, const proto_entry *e, char *ret, size_t cap);
/* The string value of a body's field key, or NULL (absent, or not a string). */
const char *web_body_str(const proto_value *body, const char *key);
/* The title of a decoded body (title, else name), "(sans titre)" if none. */
const char *web_body_title(web_req *r, const proto_value *body);
/* A row's title for a list or a feed: the record's, or for an act (which has none) what it is
 * ("Commentaire de X"), written into buf. */
const char *web_row_title(web_req *r, const store_row *row, const proto_value *body, char *buf,
                          size_t cap);
/* Whether the row is a comment this node hides (store_hide): lists show no words of it. */
bool web_row_hidden(web_req *r, const store_row *row, const char *type);
/* A moment as people read it, in the node's zone and the request's language
 * (node/service/datefmt.h: "7 décembre 2026 à 10 h 29"); ret holds DATEFMT_CAP bytes. */
void web_date(const web_req *r, uint64_t us, char *ret, size_t cap);
/* The body of a row, decoded into a (NULL for a tombstone or a body that does not decode). */
proto_value *web_row_body(const store_row *row, proto_arena *a);
/* One result of a list (a card): title link, type, territory, summary, snippet. */
void web_row_card(web_req *r, const store_row *row);
/* The fields of a record's body as a <dl>, in the order of its type's record table. */
/* References among them are found in territory first (the record's own territory; NULL:
 * this node's, then any), whatever the page's query string says. */
void web_fields(web_req *r, const proto_value *body, const char *type,
                const uint8_t territory[PROTO_KEY_LEN]);
extern const char web_css[];

/* ---- web_page_catalogue.c ----------------------------------------------------------------- */
web_handler web_page_home, web_page_catalogue, web_page_search;
/* What the query string of the catalogue, search and the API asks for. The theme is not left
 * to the store's filter: it gathers every entry of the theme before the first row (130 to
 * 640 ms at 100k entries), while the rows come newest first anyway, so the pager tests it
 * on each row (web_row_has_theme) and stops once the page is full. */
typedef struct web_query {
	store_filter f;
	uint8_t territory[PROTO_KEY_LEN]; /* f.territory points here when one is asked */
	unsigned page;
	const char *theme; /* NULL: any */
	const char *q;     /* the words searched (at most WEB_QUERY_MAX bytes), NULL: none */
} web_query;
/* Parses the filters of the request's query string into *ret; false: a bad parameter (the
 * error is written). */
bool web_filters(web_req *r, web_query *ret);
/* base followed by the query string of the request's filters with key set to value (NULL:
 * removed) and the page dropped (or set to page when over 1), into b. */
void web_filter_href_to(web_req *r, web_buf *b, const char *base, const char *key,
                        const char *value, unsigned page);
/* The ?page= parameter (1 when absent) into *ret_page; false with the 400 written. */
bool web_page_param(web_req *r, unsigned *ret_page);
/* Whether the row's body lists theme among its themes (true when theme is NULL). */
bool web_row_has_theme(const store_row *row, const char *theme);
/* A page of the rows a store_list or store_search gives: those of theme (NULL: any) after
 * skip, at most take; more when a row follows the last. */
typedef struct web_pager {
	unsigned skip, take, shown;
	bool more;
	const char *theme;
} web_pager;
/* What a store_row_cb does with row: 1 it is on the page (counted in shown), 0 it is not, -1
 * the page is full (more is set; the callback returns 1 to stop). */
int web_pager_row(web_pager *p, const store_row *row);
/* Page `page` (WEB_PAGE_SIZE rows) of the rows of f and theme, each given to cb (its ctx
 * holds p): found by the search for q when q is not empty (MAILLE_EINVAL: q has no word),
 * else listed newest first. The store's return. */
int web_pager_run(web_req *r, const char *q, const store_filter *f, unsigned page,
                  const char *theme, web_pager *p, store_row_cb cb, void *ctx);
/* A page of cards (web_row_card), web_list_card its store_row_cb. */
typedef struct web_list_ctx {
	web_req *r;
	web_pager pg;
} web_list_ctx;
int web_list_card(const store_row *row, void *ctx);

/* ---- web_page_entry.c --------------------------------------------------------------------- */
web_handler web_page_entry;
/* Finds the entry of a /entry/ or /api/entries/ URL. 0, MAILLE_ENOTFOUND, MAILLE_EINVAL. */
int web_find_entry(web_req *r, const char *path, store_row *ret);
/* The same for a page or an API answer: false with the 400, 404 or 500 written. */
bool web_find_entry_or_error(web_req *r, const char *path, store_row *ret);
/* Whether a stored row is what its territory signed: its id is the hash of its bytes and
 * its signature verifies (as `maille show` and `maille check` test it). Checked at each
 * read, never assumed: one Ed25519 verification and one BLAKE2b hash cost tens of
 * microseconds, less than rendering the page, so there is no cache to keep right. */
bool web_row_verified(const store_row *row);
/* The answer for a row that fails web_row_verified: 500, its content not shown, the page
 * (or the API's JSON, with "signature_verified": false) saying so; logged (WEB-SIGNATURE). */
void web_signature_error(web_req *r, const store_row *row);

/* A list a page's callbacks write into, and how many items it has. */
typedef struct web_count_ctx {
	web_req *r;
	unsigned n;
} web_count_ctx;

/* ---- web_page_territory.c, web_page_network.c ----------------------------------------------- */
web_handler web_page_territory, web_page_network;

/* ---- web_page_info.c: Accessibilité, Mentions légales, the Atom feed ----------------------- */
web_handler web_page_accessibility, web_page_legal, web_feed;
/* ---- web_export.c: the catalogue as DCAT-AP 3 (node/formats/export.h) -------------------- */
web_handler web_catalog_ttl, web_catalog_jsonld, web_export_inventaire;
/* The name of the territory this node serves (its forms' territory, else its own key's). */
void web_site_name(web_req *r, char *ret, size_t cap);
/* The catalogue's filters of the request's query string that the feed takes, as a query
 * ("?type=rex&theme=..."; nothing when none). */
void web_feed_query(web_req *r, web_buf *b);

/* ---- web_publish.c ----------------------------------------------------------------------------
 */
void web_page_publish(web_req *r);
void web_post_publish(web_req *r);
void web_post_delete(web_req *r);
/* Whether the web publishes and edits records of type (the record tables' publish rank). */
bool web_publishable(const char *type);

/* The errors of a refused publish form (web_publish_errors.c), by the form key of a field
 * (its form name: "title", "period.start", "risk2_name"): whether key has one, the
 * attributes of its input (aria-invalid, aria-describedby) and its messages beside it, and
 * the summary at the top of the form, each error linked to its field. */
typedef struct web_form_errors {
	const struct proto_record_type *type;
	const struct proto_schema_report *rep; /* NULL: none */
} web_form_errors;
bool web_form_error_at(const web_form_errors *fe, const char *key);
void web_form_error_attrs(web_req *r, const web_form_errors *fe, const char *key);
void web_form_error_text(web_req *r, const web_form_errors *fe, const char *key);
void web_form_error_summary(web_req *r, const web_form_errors *fe, const char *extra);
/* The 400 page of an unknown type, listing the types accepted (publishable_only: those the
 * web publishes; else every record type). */
void web_unknown_type(web_req *r, bool publishable_only);
/* The territory what the forms publish is written in, the key that signs it, and the
 * capability reference (ret_capref, WEB_CAPREF_CAP bytes: "" for a territory's own node; a
 * member's node writes for the territory of its capability in force, PROTOCOL.md §4.3).
 * false: a member's node with no capability in force (nothing may be published). */
#define WEB_CAPREF_CAP 80u
bool web_publish_territory(const web_req *r, uint8_t ret_territory[PROTO_KEY_LEN],
                           const uint8_t **ret_sk, char ret_capref[WEB_CAPREF_CAP]);

/* Signs and stores body (or a tombstone) at path in the forms' territory, with the rule that
 * lets an edit win (node/service/publish.c); MAILLE_EDENIED for a member's node without a
 * capability in force, MAILLE_ECORRUPT once `maille check` found the store damaged. */
int web_sign_store(web_req *r, const char *path, int kind, const uint8_t *body, size_t len);
/* The error page of a write that failed (503 for a damaged store, else 500 with fr/en). */
void web_store_refused(web_req *r, int e, const char *fr, const char *en);

/* ---- web_page_coop.c, web_coop_form.c, web_coop_text.c: cooperation (PROTOCOL.md §5) ------ */
web_handler web_page_coop;
/* The home page's open calls (nothing when there is none). */
void web_coop_home(web_req *r);
/* The entry page's cooperation sections for the record (row, body, type): an act's target,
 * the labels it holds, a call's interests and the "Nous en sommes" form, "Utilisé par" of a
 * component, the comment thread with its reply forms. */
void web_coop_entry(web_req *r, const store_row *row, const proto_value *body, const char *type);
/* The title of an act's page ("Commentaire de …"); ret holds cap bytes. */
void web_coop_act_title(web_req *r, const store_row *row, const char *type, char *ret,
                        size_t cap);
/* Whether the record is a comment whose text this node does not show: hidden here
 * (store_hide), or by a territory outside its trust (without ?all=1); with say, the reason
 * is written. */
bool web_coop_withheld(web_req *r, const store_row *row, const char *type, bool say);
/* A territory page's calls, interests, labels given and received. */
void web_coop_territory(web_req *r, const uint8_t key[PROTO_KEY_LEN]);
/* The "Nous en sommes" form of the call at (territory, path), prefilled from the interest
 * territory mine has expressed in it (then it edits it). */
void web_coop_interest_form(web_req *r, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                            const uint8_t mine[PROTO_KEY_LEN]);
/* A comment form answering (territory, path), coming back to the page (page_territory,
 * page_path); id: the comment answered's own name (its reply form, folded), NULL for the
 * record's own form. */
void web_coop_comment_form(web_req *r, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                           const uint8_t page_territory[PROTO_KEY_LEN], const char *page_path,
                           const char *id);
/* POST /interest and POST /comment. */
web_handler web_post_interest, web_post_comment;
/* A comment's text or an interest's message: Markdown limited to paragraphs, emphasis, http
 * and https links and lists; every other construct as its literal text, never raw HTML. */
void web_coop_text(web_buf *b, const char *s, size_t len);

/* ---- web_api.c
 * ----------------------------------------------------------------------------------- */
web_handler web_api;

#endif
