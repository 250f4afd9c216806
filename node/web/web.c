/* node/web/web.c: the web catalogue's server (see web.h for the choice of libmicrohttpd): start
 * and stop, the worker threads' store handles, the facet counts' thread, request sizes and
 * bodies, and the one route table that sends URLs to the pages (web_page_*.c, one file per
 * page family), to the forms (web_publish.c), to the sign-in (web_access.c, which also says
 * who may come in) and to the JSON API (web_api.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "node/service/addr.h"
#include "node/service/log.h"
#include "proto/error.h"
#include "proto/record.h"
#include "web_int.h"

/* The facet counts are recomputed when the store moved, at most every FACET_REFRESH_MS and
 * never more than a tenth of the time (a computation that took 1.5 s waits 15 s), so that
 * counting costs at most 10% of one core however busy syncing keeps the store. */
#define FACET_REFRESH_MS 10000u
#define LANG_COOKIE "maille_lang"
/* Bytes of the connection's memory an answer's header block may need (req_limits): ours
 * are under 1 KiB with their cookies. */
#define ANSWER_ROOM 4096u

uint64_t web_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t web_now_us(const web_server *w)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + w->cfg.clock_skew_us);
}

/* ---- workers: one store handle per thread ------------------------------------------------ */

static void worker_free(web_worker *wk)
{
	if (!wk)
		return;
	trust_view_done(&wk->tv);
	store_close(wk->st);
	free(wk);
}

/* The calling thread's worker, created on its first request. MHD's pool threads live as long
 * as the server, so the handles are closed by web_stop once the threads are joined. */
static web_worker *worker_get(web_server *w)
{
	web_worker *wk = pthread_getspecific(w->key);
	if (wk)
		return wk;
	wk = calloc(1, sizeof *wk);
	if (!wk)
		return NULL;
	int r = store_open(w->cfg.store_path, STORE_OPEN_EXISTING, &wk->st);
	if (r) {
		LOG_ERROR("WEB-STORE", "cannot open the store for a web thread: %s",
		          maille_strerror(r));
		free(wk);
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	bool ok = w->n_workers < sizeof w->workers / sizeof w->workers[0];
	if (ok)
		w->workers[w->n_workers++] = wk;
	pthread_mutex_unlock(&w->lock);
	if (!ok || pthread_setspecific(w->key, wk) != 0) {
		/* more threads than MHD was told to start: never expected */
		LOG_ERROR("WEB-STORE", "unexpected web thread");
		if (ok) {
			pthread_mutex_lock(&w->lock);
			w->n_workers--;
			pthread_mutex_unlock(&w->lock);
		}
		worker_free(wk);
		return NULL;
	}
	return wk;
}

/* Recomputes wk's trust view when the store changed, at most once a second. */
static int worker_trust(web_server *w, web_worker *wk)
{
	uint64_t now = web_mono_ms();
	if (wk->tv_ok && now - wk->tv_ms < 1000u)
		return 0;
	wk->tv_ms = now;
	uint64_t dv;
	int r = store_data_version(wk->st, &dv);
	if (r)
		return r;
	if (wk->tv_ok && dv == wk->tv_dv)
		return 0;
	trust_view tv;
	r = trust_compute(wk->st, w->own, TRUST_HOPS_DEFAULT, &tv);
	if (r)
		return r;
	uint8_t *keys = malloc(tv.n ? tv.n * PROTO_KEY_LEN : 1);
	if (!keys) {
		trust_view_done(&tv);
		return MAILLE_ENOMEM;
	}
	for (size_t i = 0; i < tv.n; i++)
		memcpy(keys + i * PROTO_KEY_LEN, tv.v[i].key, PROTO_KEY_LEN);
	r = store_set_trusted(wk->st, keys, tv.n);
	free(keys);
	if (r) {
		trust_view_done(&tv);
		return r;
	}
	trust_view_done(&wk->tv);
	wk->tv = tv;
	wk->tv_ok = true;
	wk->tv_dv = dv;
	return 0;
}

const trust_view *web_trust(web_req *r)
{
	int e = worker_trust(r->w, r->wk);
	if (e)
		LOG_WARN("WEB-TRUST", "cannot compute the trust view: %s", maille_strerror(e));
	return r->wk->tv_ok ? &r->wk->tv : NULL;
}

/* ---- facet counts (a background thread with its own store handle) --------------------------- */

void web_facet_add(web_facet *v, size_t *n, size_t cap, const char *s, size_t len)
{
	if (len >= sizeof v[0].value)
		len = sizeof v[0].value - 1;
	for (size_t i = 0; i < *n; i++)
		if (strlen(v[i].value) == len && memcmp(v[i].value, s, len) == 0) {
			v[i].n++;
			return;
		}
	if (*n == cap)
		return; /* a long tail of rare values: the first ones seen are counted */
	memcpy(v[*n].value, s, len);
	v[*n].value[len] = '\0';
	v[*n].n = 1;
	(*n)++;
}

static void facet_add_str(web_facet *v, size_t *n, size_t cap, const proto_value *s)
{
	if (s && s->type == PROTO_V_STR)
		web_facet_add(v, n, cap, s->u.str.ptr, s->u.str.len);
}

static int facet_row(const store_row *row, void *ctx)
{
	web_facets *f = ctx;
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(row, &a);
	if (body) {
		f->total++;
		facet_add_str(f->type, &f->n_type, 8, proto_map_get(body, PROTO_F_TYPE));
		facet_add_str(f->status, &f->n_status, WEB_FACET_STATUSES,
		              proto_map_get(body, PROTO_F_STATUS));
		const proto_value *lic = proto_map_get(body, PROTO_F_CONTENT_LICENCE);
		facet_add_str(f->licence, &f->n_licence, WEB_FACET_VALUES, lic);
		/* a single string counts as a list of one, as for the theme filter */
		const proto_value *th = proto_map_get(body, PROTO_F_THEMES);
		const char *t;
		for (size_t i = 0; (t = proto_record_theme(th, i)) != NULL; i++)
			web_facet_add(f->theme, &f->n_theme, WEB_FACET_VALUES, t, strlen(t));
		size_t i;
		for (i = 0; i < f->n_territory; i++)
			if (memcmp(f->territory[i].key, row->entry.territory, PROTO_KEY_LEN) == 0)
				break;
		if (i < f->n_territory) {
			f->territory[i].n++;
		} else if (f->n_territory < WEB_FACET_VALUES) {
			memcpy(f->territory[i].key, row->entry.territory, PROTO_KEY_LEN);
			f->territory[i].n = 1;
			f->n_territory++;
		}
	}
	proto_arena_done(&a);
	return 0;
}

int web_facet_cmp(const void *a, const void *b)
{
	const web_facet *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->value, y->value);
}

/* Why a thread: counting by facet walks every trusted entry and decodes its body (about a
 * second at 100k entries); no request should wait for that, so the counts are computed
 * here, again when the store changed and FACET_REFRESH_MS passed, and pages show the last
 * ones (web_facets.computed_us says how old they are). */
static void *facet_main(void *arg)
{
	web_server *w = arg;
	web_worker wk;
	memset(&wk, 0, sizeof wk);
	int r = store_open(w->cfg.store_path, STORE_OPEN_EXISTING, &wk.st);
	if (r) {
		LOG_ERROR("WEB-FACETS", "cannot open the store: %s", maille_strerror(r));
		return NULL;
	}
	uint64_t last_dv = 0, last_ms = 0, last_cost_ms = 0;
	bool first = true;
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		pthread_mutex_unlock(&w->lock);
		uint64_t dv = 0, now = web_mono_ms();
		store_data_version(wk.st, &dv);
		if (first || (dv != last_dv && now - last_ms >= FACET_REFRESH_MS &&
		              now - last_ms >= 10 * last_cost_ms)) {
			wk.tv_ms = 0; /* recompute the trust view if the store moved */
			web_facets f;
			memset(&f, 0, sizeof f);
			store_filter flt;
			memset(&flt, 0, sizeof flt);
			flt.trusted_only = true;
			if (worker_trust(w, &wk) == 0 &&
			    store_list(wk.st, &flt, facet_row, &f) == 0) {
				qsort(f.theme, f.n_theme, sizeof f.theme[0], web_facet_cmp);
				qsort(f.licence, f.n_licence, sizeof f.licence[0], web_facet_cmp);
				qsort(f.type, f.n_type, sizeof f.type[0], web_facet_cmp);
				qsort(f.status, f.n_status, sizeof f.status[0], web_facet_cmp);
				f.ready = true;
				f.computed_us = web_now_us(w);
				pthread_mutex_lock(&w->lock);
				w->facets = f;
				pthread_mutex_unlock(&w->lock);
			}
			first = false;
			last_dv = dv;
			last_ms = web_mono_ms();
			last_cost_ms = last_ms - now;
		}
		pthread_mutex_lock(&w->lock);
		if (w->stopping)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&w->stop_cond, &w->lock, &until);
	}
	pthread_mutex_unlock(&w->lock);
	trust_view_done(&wk.tv);
	store_close(wk.st);
	return NULL;
}

void web_facets_get(web_server *w, web_facets *ret)
{
	pthread_mutex_lock(&w->lock);
	*ret = w->facets;
	pthread_mutex_unlock(&w->lock);
}

/* ---- requests ----------------------------------------------------------------------------------
 */

static void req_free(web_req *r)
{
	if (!r)
		return;
	web_form_done(&r->q);
	web_form_done(&r->form);
	free(r->raw_query);
	free(r->body);
	wb_done(&r->out);
	free(r);
}

static enum MHD_Result query_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	web_buf *b = cls;
	if (b->len)
		wb_put(b, "&", 1);
	wb_put(b, key, key_size);
	if (value) {
		wb_put(b, "=", 1);
		wb_put(b, value, value_size);
	}
	return MHD_YES;
}

/* The request's query string, through our own decoder (MHD hands the arguments over raw:
 * see unescape_none). */
static int parse_query(web_req *r)
{
	web_buf raw = { 0 };
	MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_collect, &raw);
	if (raw.failed) {
		wb_done(&raw);
		return MAILLE_ENOMEM;
	}
	int e = web_form_parse(raw.p ? raw.p : "", raw.len, 0, &r->q);
	if (e == 0 && raw.len && raw.len <= WEB_PATH_MAX) {
		r->raw_query = raw.p; /* decodes: safe to send back, percent-encoded again */
		raw.p = NULL;
	}
	wb_done(&raw);
	return e;
}

static void respond_headers(web_req *r, struct MHD_Response *resp)
{
	if (r->short_answer)
		return; /* see req_limits */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        r->ctype ? r->ctype : "text/html; charset=utf-8");
	/* no script anywhere; styles from our own stylesheet only; forms post to us only */
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'none'; style-src 'self'; img-src 'self'; "
	                        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        r->no_store ? "no-store" : "no-cache");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Cookie");
	if (r->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	for (size_t i = 0; i < r->n_cookies; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookies[i]);
	if (r->status == 401 && strncmp(r->path, "/api/", 5) == 0)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
}

static enum MHD_Result respond(web_req *r)
{
	if (r->out.failed) {
		wb_done(&r->out);
		r->status = 500;
		r->ctype = "text/plain; charset=utf-8";
		wb_puts(&r->out, "500: the page is too large or memory ran out\n");
	}
	if (!r->status)
		r->status = 200;
	if (r->short_answer)
		wb_done(&r->out); /* see req_limits */
	size_t len = r->out.len;
	char *p = r->out.p;
	r->out.p = NULL;
	r->out.len = r->out.cap = 0;
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(
	    len, p ? p : (char *)"", p ? free : NULL);
	if (!resp) {
		free(p);
		return MHD_NO;
	}
	respond_headers(r, resp);
	enum MHD_Result ok = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	bool refused = r->status >= 500 || (r->status >= 400 && r->status != 404);
	if (refused && !r->logged) /* logged: its own line said it (WEB-HOST) */
		LOG_INFO("WEB-REQ", "%s %s %s: %u", r->ip,
		         r->method == WEB_POST   ? "POST"
		         : r->method == WEB_HEAD ? "HEAD"
		                                 : "GET",
		         r->path, r->status);
	else if (!refused)
		LOG_DEBUG("WEB-REQ", "%s %s: %u", r->ip, r->path, r->status);
	return ok;
}

static void serve_static(web_req *r, const char *rest)
{
	(void)rest;
	r->ctype = "text/css; charset=utf-8";
	wb_puts(&r->out, web_css);
}

static void serve_favicon(web_req *r, const char *rest)
{
	(void)rest;
	r->status = 204; /* browsers ask for it: none, and no error */
}

static void switch_lang(web_req *r, const char *to)
{
	if (strcmp(to, "fr") != 0 && strcmp(to, "en") != 0) {
		web_error(r, 404, "Langue inconnue.", "Unknown language.");
		return;
	}
	web_set_cookie(r, LANG_COOKIE "=%s; Path=/; SameSite=Lax; Max-Age=31536000", to);
	web_redirect(r, web_safe_next(web_form_get(&r->q, "next")));
}

/* Route handlers (web_handler) for what has another signature: the sign-in page (it also
 * answers 401) and the forms of web_publish.c. */
static void get_login(web_req *r, const char *rest)
{
	(void)rest;
	web_page_login(r, 200, false);
}
static void post_publish(web_req *r, const char *rest)
{
	(void)rest;
	web_post_publish(r);
}
static void post_delete(web_req *r, const char *rest)
{
	(void)rest;
	web_post_delete(r);
}
static void get_publish(web_req *r, const char *rest)
{
	(void)rest;
	web_page_publish(r);
}

/* Every address the catalogue serves, in one table. A path ending in '/' is a prefix (its
 * handler gets the rest). An open route is served before the access check (the stylesheet,
 * the sign-in form); every other one needs web_authorised. A GET or HEAD on a route without
 * a get handler is 404, a POST on one without a post handler is 405. */
static const struct web_route {
	const char *path;
	bool open;
	web_handler *get, *post;
} routes[] = {
	{ "/static/maille.css", true, serve_static, NULL },
	{ "/favicon.ico", true, serve_favicon, NULL },
	{ "/login", true, get_login, web_post_login },
	{ "/logout", false, NULL, web_post_logout },
	{ "/", false, web_page_home, NULL },
	{ "/catalogue", false, web_page_catalogue, NULL },
	{ "/search", false, web_page_search, NULL },
	{ "/entry/", false, web_page_entry, NULL },
	{ "/territory/", false, web_page_territory, NULL },
	{ "/network", false, web_page_network, NULL },
	{ "/cooperation", false, web_page_coop, NULL },
	{ "/interest", false, NULL, web_post_interest },
	{ "/comment", false, NULL, web_post_comment },
	{ "/accessibilite", false, web_page_accessibility, NULL },
	{ "/mentions-legales", false, web_page_legal, NULL },
	{ "/feed.atom", false, web_feed, NULL },
	{ "/catalog.ttl", false, web_catalog_ttl, NULL },
	{ "/catalog.jsonld", false, web_catalog_jsonld, NULL },
	{ "/export/inventaire.csv", false, web_export_inventaire, NULL },
	{ "/publish", false, get_publish, post_publish },
	{ "/delete", false, NULL, post_delete },
	{ "/lang/", false, switch_lang, NULL },
	{ "/api", false, web_api, NULL },
	{ "/api/", false, web_api, NULL },
};

/* The route of path and what follows its prefix, or NULL. "/" is exact: it is the home page,
 * not a prefix of everything. */
static const struct web_route *route_find(const char *path, const char **ret_rest)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct web_route *rt = &routes[i];
		size_t n = strlen(rt->path);
		bool prefix = n > 1 && rt->path[n - 1] == '/';
		if (prefix ? strncmp(path, rt->path, n) == 0 : strcmp(path, rt->path) == 0) {
			*ret_rest = path + (prefix ? n : strlen(path));
			return rt;
		}
	}
	return NULL;
}

/* The checks every request passes before its route: body size, query, rate, form encoding.
 * False when the answer is written. */
static bool req_admit(web_req *r, bool post)
{
	if (post && r->body_too_big) {
		web_error(r, 413, "Formulaire trop volumineux.", "Form too large.");
		return false;
	}
	if (r->bad_query) {
		web_error(r, 400, "Adresse mal formée (paramètres illisibles).",
		          "Malformed address (unreadable parameters).");
		return false;
	}
	if (!post) {
		if (r->loopback || web_rate_take(r->w, r->ip, WEB_LIMIT_READ))
			return true;
		web_error(r, 429, "Trop de requêtes : patientez un peu.",
		          "Too many requests: wait a little.");
		return false;
	}
	if (!web_rate_take(r->w, r->ip, WEB_LIMIT_POST)) {
		web_error(r, 429, "Trop de requêtes : patientez un peu.",
		          "Too many requests: wait a little.");
		return false;
	}
	const char *ct = web_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		web_error(r, 415, "Type de formulaire non pris en charge.",
		          "Unsupported form encoding.");
		return false;
	}
	if (web_form_parse(r->body ? r->body : "", r->body_len, WEB_DECODE_MULTILINE, &r->form)) {
		web_error(r, 400,
		          "Formulaire mal formé (encodage, caractères de contrôle ou trop de "
		          "champs).",
		          "Malformed form (encoding, control characters or too many fields).");
		return false;
	}
	return true;
}

/* The routing of every request once its body (if any) is in. */
static void dispatch(web_req *r)
{
	const char *p = r->path, *rest = "";
	bool post = r->method == WEB_POST;
	bool api = strncmp(p, "/api/", 5) == 0 || strcmp(p, "/api") == 0;
	if (!api)
		web_csrf_setup(r);
	if (!req_admit(r, post))
		return;
	const struct web_route *rt = route_find(p, &rest);
	if (!rt || !rt->open) {
		if (!web_authorised(r)) {
			if (api)
				web_error(r, 401, "Jeton d'accès requis.", "Access token required.");
			else
				web_page_login(r, 401, false);
			return;
		}
		r->authed = true;
	}
	void (*handler)(web_req *, const char *) = !rt ? NULL : post ? rt->post : rt->get;
	if (handler)
		handler(r, rest);
	else if (post)
		web_error(r, 405, "Cette adresse n'accepte pas de formulaire.",
		          "This address takes no form.");
	else
		web_error(r, 404, "Page introuvable.", "Page not found.");
}

static enum MHD_Result header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
	(void)kind, (void)key, (void)value;
	*(size_t *)cls += key_size + value_size;
	return MHD_YES;
}

/* Whether the request keeps within WEB_HEADERS_MAX, WEB_HEADER_BYTES_MAX and
 * WEB_COOKIES_MAX; 431 written otherwise.
 *
 * And whether its answer must be bare (short_answer: the status line with libmicrohttpd's
 * Date and Content-Length: 0, about 105 bytes, no header or body of ours): libmicrohttpd
 * writes the answer's header block in what is left of the connection's memory
 * (WEB_CONN_MEMORY), and closes the connection without a word when it does not fit. What
 * the request holds there is estimated from what it sent (web.h: the target, the header
 * lines, a copy of the Cookie header, about 64 bytes a record); a request within the
 * limits is far from the end, and one that is not gets the bare answer when fewer than
 * ANSWER_ROOM bytes may be left. Only a request that ends less than about 105 bytes short
 * of the end still has its connection closed at once. */
static bool req_limits(web_req *r)
{
	size_t bytes = 0;
	int n = MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, header_bytes, &bytes);
	int cookies = MHD_get_connection_values(r->conn, MHD_COOKIE_KIND, NULL, NULL);
	n = n > 0 ? n : 0;
	cookies = cookies > 0 ? cookies : 0;
	const char *ck = web_header(r, MHD_HTTP_HEADER_COOKIE);
	size_t records = (size_t)n + (size_t)cookies + (r->target_long ? 0 : r->params);
	size_t used =
	    64 + r->target_len + bytes + 4 * (size_t)n + (ck ? strlen(ck) : 0) + 64 * records;
	r->short_answer = used + ANSWER_ROOM > WEB_CONN_MEMORY;
	if ((unsigned)n <= WEB_HEADERS_MAX && bytes <= WEB_HEADER_BYTES_MAX &&
	    (unsigned)cookies <= WEB_COOKIES_MAX)
		return true;
	web_error(r, 431, "En-têtes de requête trop nombreux ou trop longs.",
	          "Too many or too long request headers.");
	return false;
}

/* Sets up a request on its first call: method, client address, limits, path, Host, query,
 * language. The answer is written when something is already wrong (r->status set). */
static void req_begin(web_req *r, const char *url, const char *method)
{
	if (strcmp(method, "GET") == 0)
		r->method = WEB_GET;
	else if (strcmp(method, "HEAD") == 0)
		r->method = WEB_HEAD;
	else if (strcmp(method, "POST") == 0)
		r->method = WEB_POST;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(r->ip, sizeof r->ip, "?");
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
			inet_ntop(AF_INET, &in->sin_addr, r->ip, sizeof r->ip);
			r->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
			inet_ntop(AF_INET6, &in6->sin6_addr, r->ip, sizeof r->ip);
			r->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		}
	}
	char lang[8];
	if (web_cookie(r, LANG_COOKIE, lang, sizeof lang))
		r->en = strcmp(lang, "en") == 0;
	/* until the path is decoded, errors say "/" (or "/api/", so that they are JSON there) */
	snprintf(r->path, sizeof r->path, "%s", strncmp(url, "/api/", 5) == 0 ? "/api/" : "/");
	if (!req_limits(r))
		return;
	size_t ulen = strlen(url);
	if (r->target_long || ulen > WEB_PATH_MAX) {
		web_error(r, 414, "Adresse trop longue ou trop de paramètres.",
		          "Address too long, or too many parameters.");
		return;
	}
	if (web_pct_decode(url, ulen, 0, r->path, &r->path_len) != 0 || r->path[0] != '/') {
		snprintf(r->path, sizeof r->path, "/");
		web_error(r, 400, "Adresse mal formée.", "Malformed address.");
		return;
	}
	if (!web_host_check(r))
		return;
	if (!r->method) {
		web_error(r, 405, "Méthode non prise en charge.", "Method not supported.");
		return;
	}
	if (parse_query(r) != 0)
		r->bad_query = true;
	const char *lq = web_form_get(&r->q, "lang");
	if (lq)
		r->en = strcmp(lq, "en") == 0;
	const char *all = web_form_get(&r->q, "all");
	r->all = all && strcmp(all, "1") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	web_server *w = cls;
	web_req *r = *con_cls;
	if (!r || !r->begun) {
		if (!r) { /* on_uri could not allocate it */
			r = calloc(1, sizeof *r);
			if (!r)
				return MHD_NO;
			*con_cls = r;
			r->w = w;
			r->conn = conn;
			r->target_len = strlen(url);
		}
		r->begun = true;
		r->wk = worker_get(w);
		req_begin(r, url, method);
		if (!r->wk && !r->status)
			web_error(r, 503, "Catalogue indisponible (base de données).",
			          "Catalogue unavailable (database).");
		if (r->status)
			return respond(r);
		if (r->method == WEB_POST) {
			/* a body announced over the limit is refused before it is read */
			const char *cl = MHD_lookup_connection_value(
			    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl && strtoull(cl, NULL, 10) > WEB_BODY_MAX) {
				snprintf(r->path, sizeof r->path, "%s", "/");
				web_error(r, 413, "Formulaire trop volumineux.", "Form too large.");
				return respond(r);
			}
		}
		return MHD_YES;
	}
	if (r->method == WEB_POST && *upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->body_too_big || r->body_len + n > WEB_BODY_MAX) {
			/* chunked and over the limit: what comes is dropped, the answer is 413 */
			r->body_too_big = true;
			free(r->body);
			r->body = NULL;
			r->body_len = 0;
			return MHD_YES;
		}
		char *nb = realloc(r->body, r->body_len + n + 1);
		if (!nb)
			return MHD_NO;
		memcpy(nb + r->body_len, upload_data, n);
		r->body = nb;
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	if (r->status) /* already answered on the first call */
		return MHD_YES;
	dispatch(r);
	return respond(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

/* libmicrohttpd calls this with the request target before it splits the query into
 * parameters, and we make the request's state here. Why we look at the target now:
 * libmicrohttpd before 1.0 loses its own answer when the parameters overflow the
 * connection's memory (WEB_CONN_MEMORY: about 64 bytes a parameter): it queues a 431, then
 * overwrites the connection's state, and the client waits WEB_CONN_TIMEOUT_S for nothing.
 * A target over WEB_TARGET_MAX bytes or with more than WEB_PARAMS_MAX parameters is marked
 * for a 414 (req_begin), and its query is ended right after the '?': uri points into
 * libmicrohttpd's own writable copy of the request line (the documented 0-terminated URI),
 * and what it then splits is an empty query, so it stores no parameter at all. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	web_req *r = calloc(1, sizeof *r);
	if (!r)
		return NULL; /* on_request tries again */
	r->w = cls;
	r->conn = conn;
	const char *q = strchr(uri, '?');
	for (const char *c = q; c && *c; c++)
		r->params += c == q || *c == '&';
	r->target_len = strlen(uri);
	if (r->target_len > WEB_TARGET_MAX || r->params > WEB_PARAMS_MAX) {
		r->target_long = true;
		if (q && q[1])
			((char *)q)[1] = '\0';
	}
	return r;
}

/* MHD would percent-decode the path and the arguments itself; ours (web_form.c, fuzzed)
 * refuses what MHD's lets through (%00, invalid UTF-8), so MHD hands them over untouched. */
static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls, (void)c;
	return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	LOG_DEBUG("WEB-MHD", "%s", msg);
}

/* ---- start, stop --------------------------------------------------------------------------------
 */

static int read_token(web_server *w, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		LOG_ERROR("WEB-TOKEN", "cannot read the token file %s: %s", path, strerror(errno));
		return MAILLE_EIO;
	}
	char line[WEB_TOKEN_MAX + 2];
	bool ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	size_t n = ok ? strcspn(line, "\r\n") : 0;
	line[n] = '\0';
	bool printable = true;
	for (size_t i = 0; i < n; i++)
		printable &= line[i] > 0x20 && line[i] < 0x7f;
	if (!ok || n < WEB_TOKEN_MIN || n > WEB_TOKEN_MAX || !printable) {
		sodium_memzero(line, sizeof line);
		LOG_ERROR("WEB-TOKEN",
		          "%s: the token is its first line: %u to %u printable ASCII "
		          "characters without spaces",
		          path, WEB_TOKEN_MIN, WEB_TOKEN_MAX);
		return MAILLE_EINVAL;
	}
	w->token = sodium_malloc(n + 1);
	if (!w->token) {
		sodium_memzero(line, sizeof line);
		return MAILLE_ENOMEM;
	}
	memcpy(w->token, line, n + 1);
	sodium_memzero(line, sizeof line);
	return 0;
}

static int addr_file_path(const web_server *w, const char *name, char *ret, size_t cap)
{
	int n = snprintf(ret, cap, "%s/%s", w->cfg.dir, name);
	return n < 0 || (size_t)n >= cap ? MAILLE_EINVAL : 0;
}

static int addr_file_write(web_server *w)
{
	char path[4200], tmp[4200];
	if (addr_file_path(w, WEB_ADDR_FILE, path, sizeof path) ||
	    addr_file_path(w, "." WEB_ADDR_FILE ".tmp", tmp, sizeof tmp))
		return MAILLE_EINVAL;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return MAILLE_EIO;
	int ok = fprintf(f, "%s\n", w->addr) > 0;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return MAILLE_EIO;
	}
	w->addr_written = true;
	return 0;
}

/* Calls add for each NAME[:PORT] of a web.hosts value (web.h; port 0 when not given); false
 * at the first bad one or past WEB_HOSTS_MAX names. */
static bool hosts_each(const char *list, void (*add)(void *, const web_authority *), void *ctx)
{
	size_t n = 0;
	const char *p = list ? list : "";
	for (;;) {
		p += strspn(p, ", \t");
		size_t len = strcspn(p, ", \t");
		if (!len)
			return true;
		web_authority a;
		if (++n > WEB_HOSTS_MAX || web_authority_parse(p, len, &a) != 0)
			return false;
		if (add)
			add(ctx, &a);
		p += len;
	}
}

bool web_hosts_valid(const char *list)
{
	return hosts_each(list, NULL, NULL);
}

/* Adds a name of the allow-list, reached on a's port (then perhaps through an https front)
 * or else on the listening port. */
static void host_add(void *ctx, const web_authority *a)
{
	web_server *w = ctx;
	web_authority h = *a;
	h.https = h.port != 0;
	if (!h.port)
		h.port = w->port;
	for (size_t i = 0; i < w->n_hosts; i++)
		if (strcmp(w->hosts[i].name, h.name) == 0 && w->hosts[i].port == h.port &&
		    w->hosts[i].https == h.https)
			return;
	if (w->n_hosts < sizeof w->hosts / sizeof w->hosts[0])
		w->hosts[w->n_hosts++] = h;
}

static void host_add_name(web_server *w, const char *name)
{
	web_authority a = {.port = 0};
	snprintf(a.name, sizeof a.name, "%s", name);
	host_add(w, &a);
}

/* The Host allow-list (web.h): the loopback names, the address listened on unless it is a
 * wildcard, web.hosts. addr: "ADDR:PORT" as bound. */
static bool hosts_setup(web_server *w, const char *addr, unsigned port)
{
	w->port = port;
	host_add_name(w, "127.0.0.1");
	host_add_name(w, "localhost");
	host_add_name(w, "[::1]");
	char ip[NODE_ADDR_STR_MAX];
	snprintf(ip, sizeof ip, "%s", addr);
	char *colon = strrchr(ip, ':');
	if (colon)
		*colon = '\0';
	web_authority a;
	if (strcmp(ip, "0.0.0.0") != 0 && strcmp(ip, "[::]") != 0 &&
	    web_authority_parse(ip, strlen(ip), &a) == 0)
		host_add(w, &a);
	return hosts_each(w->cfg.hosts, host_add, w);
}

const char *web_url(const web_server *w)
{
	return w->url;
}

void web_stop(web_server *w)
{
	if (!w)
		return;
	if (w->addr_written) {
		char path[4200];
		if (addr_file_path(w, WEB_ADDR_FILE, path, sizeof path) == 0)
			unlink(path);
	}
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->stop_cond);
	pthread_mutex_unlock(&w->lock);
	if (w->facet_thread_started)
		pthread_join(w->facet_thread, NULL);
	if (w->mhd)
		MHD_stop_daemon(w->mhd); /* joins the worker threads */
	for (size_t i = 0; i < w->n_workers; i++)
		worker_free(w->workers[i]);
	pthread_key_delete(w->key);
	pthread_cond_destroy(&w->stop_cond);
	pthread_mutex_destroy(&w->lock);
	if (w->token)
		sodium_free(w->token);
	sodium_memzero(w->secret, sizeof w->secret);
	free(w->rate);
	if (w->sessions) {
		sodium_memzero(w->sessions, WEB_SESSIONS_MAX * sizeof *w->sessions);
		free(w->sessions);
	}
	free(w);
}

/* A server not yet started: its copy of cfg, its tables and its locks; NULL when out of
 * memory (what was made is undone: web_stop needs all of it). */
static web_server *server_new(const web_config *cfg, bool loopback)
{
	web_server *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->cfg = *cfg;
	snprintf(w->netkey_fp, sizeof w->netkey_fp, "%s", cfg->netkey_fp ? cfg->netkey_fp : "?");
	w->cfg.netkey_fp = w->netkey_fp;
	snprintf(w->federation, sizeof w->federation, "%s", cfg->federation ? cfg->federation : "");
	w->cfg.federation = w->federation;
	w->zone = datefmt_zone_find(cfg->timezone);
	if (!w->zone) /* node_dir_open refused an unknown zone: only NULL comes here */
		w->zone = datefmt_zone_default();
	w->cfg.timezone = datefmt_zone_name(w->zone);
	w->loopback_only = loopback;
	memcpy(w->own, cfg->sk + 32, PROTO_KEY_LEN);
	randombytes_buf(w->secret, sizeof w->secret);
	w->rate = calloc(WEB_RATE_CLIENTS, sizeof *w->rate);
	w->sessions = calloc(WEB_SESSIONS_MAX, sizeof *w->sessions);
	if (!w->rate || !w->sessions || pthread_mutex_init(&w->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->stop_cond, NULL) != 0)
		goto fail_lock;
	if (pthread_key_create(&w->key, NULL) == 0)
		return w;
	pthread_cond_destroy(&w->stop_cond);
fail_lock:
	pthread_mutex_destroy(&w->lock);
fail:
	free(w->rate);
	free(w->sessions);
	free(w);
	return NULL;
}

int web_start(const web_config *cfg, web_server **ret)
{
	const char *listen = cfg->listen ? cfg->listen : WEB_LISTEN_DEFAULT;
	struct sockaddr_storage ss;
	if (node_addr_parse(listen, &ss)) {
		LOG_ERROR("WEB-LISTEN",
		          "'%s' is not ADDR:PORT (an IPv4 address, [IPv6], or "
		          "localhost, and a port)",
		          listen);
		return MAILLE_EINVAL;
	}
	bool loopback = ss.ss_family == AF_INET
	                    ? (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127
	                    : IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	if (!loopback && !cfg->token_file) {
		LOG_ERROR("WEB-LISTEN",
		          "the web catalogue on %s (not loopback) needs "
		          "--web-token-file FILE: every request must then carry the token",
		          listen);
		return MAILLE_EINVAL;
	}
	web_server *w = server_new(cfg, loopback);
	if (!w)
		return MAILLE_ENOMEM;
	int r = 0;
	if (cfg->token_file && (r = read_token(w, cfg->token_file))) {
		web_stop(w);
		return r;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
#ifdef __linux__
	flags |= MHD_USE_EPOLL;
#else
	flags |= MHD_USE_POLL;
#endif
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, w, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)WEB_THREADS, MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONN_PER_IP_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, w, MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, w, MHD_OPTION_END);
	if (!w->mhd) {
		int err = errno;
		LOG_ERROR("WEB-LISTEN", "cannot serve the web catalogue on %s: %s", listen,
		          err ? strerror(err) : "libmicrohttpd refused to start");
		web_stop(w);
		return err == EADDRINUSE ? MAILLE_EBUSY : MAILLE_EIO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_storage bound;
	socklen_t blen = sizeof bound;
	memset(&bound, 0, sizeof bound);
	if (!di || getsockname(di->listen_fd, (struct sockaddr *)&bound, &blen) != 0) {
		LOG_ERROR("WEB-LISTEN", "cannot read the web catalogue's bound address");
		web_stop(w);
		return MAILLE_EIO;
	}
	char a[NODE_ADDR_STR_MAX];
	node_addr_format((struct sockaddr *)&bound, a);
	snprintf(w->addr, sizeof w->addr, "%s", a);
	snprintf(w->url, sizeof w->url, "http://%s/", w->addr);
	unsigned port =
	    ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
	                                      : ((struct sockaddr_in *)&bound)->sin_port);
	if (!hosts_setup(w, a, port)) {
		LOG_ERROR("WEB-HOSTS",
		          "web.hosts: up to %u host names, each with an optional port, "
		          "separated by commas (such as catalogue.exemple.fr, 192.0.2.10, "
		          "catalogue.exemple.fr:443)",
		          WEB_HOSTS_MAX);
		web_stop(w);
		return MAILLE_EINVAL;
	}
	if (pthread_create(&w->facet_thread, NULL, facet_main, w) != 0) {
		LOG_ERROR("WEB-LISTEN", "cannot start the facet counter thread");
		web_stop(w);
		return MAILLE_ENOMEM;
	}
	w->facet_thread_started = true;
	if ((r = addr_file_write(w))) {
		LOG_ERROR("WEB-LISTEN", "cannot write %s/%s: %s", cfg->dir, WEB_ADDR_FILE,
		          maille_strerror(r));
		web_stop(w);
		return r;
	}
	LOG_INFO("WEB-LISTEN", "web catalogue on %s (written to %s/%s)%s", w->url, cfg->dir,
	         WEB_ADDR_FILE, w->token ? "; access token required" : "");
	char names[WEB_HOSTS_MAX * 64] = "";
	for (size_t i = 0, o = 0; i < w->n_hosts && o < sizeof names; i++)
		o += (size_t)snprintf(names + o, sizeof names - o, "%s%s:%u", i ? ", " : "",
		                      w->hosts[i].name, w->hosts[i].port);
	LOG_INFO("WEB-HOSTS", "the web catalogue answers to %s (listening on port %u)%s", names,
	         w->port,
	         !loopback && !(cfg->hosts && *cfg->hosts)
	             ? "; add the names it is reached by to web.hosts in maille.conf"
	             : "");
	*ret = w;
	return 0;
}
