/* node/web/web_access.c: who may use the web catalogue, and how much: the Host allow-list
 * against DNS rebinding (web.h), Origin and Referer and the CSRF token of every form, the
 * access token and the sessions it opens (kept here, so that signing out ends one for good),
 * the sign-in page, and the rate limits per client address. web.c asks before it routes. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/log.h"
#include "proto/error.h"
#include "web_int.h"

#define SESSION_COOKIE "maille_session"
#define CSRF_COOKIE "maille_csrf"

/* ---- rate limits ------------------------------------------------------------------------------
 */

/* Takes one token of kind for ip; false when the bucket is empty (answer 429). */
bool web_rate_take(web_server *w, const char *ip, int kind)
{
	pthread_mutex_lock(&w->lock);
	struct web_rate *slot = NULL, *lru = &w->rate[0];
	for (size_t i = 0; i < WEB_RATE_CLIENTS; i++) {
		struct web_rate *s = &w->rate[i];
		if (s->ip[0] && strcmp(s->ip, ip) == 0) {
			slot = s;
			break;
		}
		if (s->used < lru->used)
			lru = s;
	}
	uint64_t now = web_mono_ms();
	if (!slot) {
		slot = lru;
		memset(slot, 0, sizeof *slot);
		snprintf(slot->ip, sizeof slot->ip, "%s", ip);
		slot->read = WEB_RATE_READ_BURST;
		slot->post = WEB_RATE_POST_BURST;
		slot->login = WEB_RATE_LOGIN_BURST;
		slot->last_ms = now;
	}
	slot->used = ++w->rate_tick;
	double dt = (double)(now - slot->last_ms) / 1000.0;
	slot->last_ms = now;
	slot->read += dt * WEB_RATE_READ_PER_S;
	if (slot->read > WEB_RATE_READ_BURST)
		slot->read = WEB_RATE_READ_BURST;
	slot->post += dt * WEB_RATE_POST_PER_MIN / 60.0;
	if (slot->post > WEB_RATE_POST_BURST)
		slot->post = WEB_RATE_POST_BURST;
	slot->login += dt * WEB_RATE_LOGIN_PER_MIN / 60.0;
	if (slot->login > WEB_RATE_LOGIN_BURST)
		slot->login = WEB_RATE_LOGIN_BURST;
	double *b = kind == WEB_LIMIT_READ   ? &slot->read
	            : kind == WEB_LIMIT_POST ? &slot->post
	                                : &slot->login;
	bool ok = *b >= 1.0;
	if (ok)
		*b -= 1.0;
	pthread_mutex_unlock(&w->lock);
	return ok;
}

/* ---- cookies, CSRF, sessions ------------------------------------------------------------------
 */

void web_set_cookie(web_req *r, const char *fmt, ...)
{
	if (r->n_cookies == sizeof r->cookies / sizeof r->cookies[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->cookies[r->n_cookies++], sizeof r->cookies[0], fmt, ap);
	va_end(ap);
}

static void hmac_hex(const web_server *w, char tag, const char *msg, char ret[65])
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, w->secret, sizeof w->secret);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)&tag, 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	proto_hex(mac, sizeof mac, ret);
}

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

const char *web_header(web_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* The value of a cookie of the request into ret, or false. */
bool web_cookie(web_req *r, const char *name, char *ret, size_t cap)
{
	const char *h = web_header(r, MHD_HTTP_HEADER_COOKIE);
	return h && web_cookie_get(h, strlen(h), name, ret, cap) == 0;
}

/* Reads the CSRF cookie, or makes a new one sent with the response. */
void web_csrf_setup(web_req *r)
{
	if (web_cookie(r, CSRF_COOKIE, r->csrf_cookie, sizeof r->csrf_cookie) &&
	    is_hex(r->csrf_cookie, 32))
		return;
	uint8_t rnd[16];
	randombytes_buf(rnd, sizeof rnd);
	proto_hex(rnd, sizeof rnd, r->csrf_cookie);
	r->csrf_new = true;
}

void web_csrf_token(web_req *r, char ret[65])
{
	if (r->csrf_new) {
		/* once per response: the cookie the token is bound to */
		web_set_cookie(r, CSRF_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict",
		               r->csrf_cookie);
		r->csrf_new = false;
	}
	hmac_hex(r->w, 'c', r->csrf_cookie, ret);
}

/* Whether host:port is one this server answers to (web.h): a name of the allow-list with
 * its port. A Host without port (port 0) is what a browser sends for its scheme's default
 * port, 80 or 443 (the latter behind a TLS proxy): it matches a name reached on either. An
 * https origin (a->https) matches only a web.hosts name given with its port (h->https): the
 * server itself speaks plain HTTP, so only a front the operator declared serves https. */
static bool authority_allowed(const web_server *w, const web_authority *a)
{
	for (size_t i = 0; i < w->n_hosts; i++) {
		const web_authority *h = &w->hosts[i];
		if (strcmp(h->name, a->name) != 0 || (a->https && !h->https))
			continue;
		if (a->port ? a->port == h->port : h->port == 80u || h->port == 443u)
			return true;
	}
	return false;
}

/* Whether an Origin (url false) or Referer (url true) header names this server. */
static bool source_allowed(const web_server *w, const char *v, bool url)
{
	web_authority a;
	return web_origin_parse(v, strlen(v), url, &a) == 0 && authority_allowed(w, &a);
}

bool web_csrf_check(web_req *r)
{
	/* a cross-site request is refused whatever it carries: the Origin a browser sends (else
	 * its Referer) must name this server by the Host allow-list, never merely match the
	 * request's own Host (a rebinding site chooses both), and Sec-Fetch-Site must not say
	 * cross-site. Our pages send "Origin: null" and no Referer (Referrer-Policy:
	 * no-referrer): then the token bound to the cookie, on a Host already checked, decides. */
	const char *origin = web_header(r, "Origin"), *referer = web_header(r, "Referer");
	const char *site = web_header(r, "Sec-Fetch-Site");
	bool ok = !r->csrf_new;
	if (origin && strcmp(origin, "null") != 0)
		ok = ok && source_allowed(r->w, origin, false);
	else if (referer)
		ok = ok && source_allowed(r->w, referer, true);
	if (site && strcmp(site, "cross-site") == 0)
		ok = false;
	const char *field = web_form_get(&r->form, "csrf");
	char want[65];
	hmac_hex(r->w, 'c', r->csrf_cookie, want);
	ok = ok && field && strlen(field) == 64 && sodium_memcmp(field, want, 64) == 0;
	if (!ok) {
		LOG_INFO("WEB-CSRF",
		         "%s: POST %s refused: missing or wrong CSRF token, or another "
		         "origin",
		         r->ip, r->path);
		web_error(
		    r, 403,
		    "Requête refusée : le jeton anti-falsification (CSRF) manque ou ne correspond "
		    "pas. Rechargez la page du formulaire et recommencez.",
		    "Request refused: the anti-forgery (CSRF) token is missing or wrong. Reload "
		    "the form's page and try again.");
	}
	return ok;
}

/* Sessions are kept here, not only signed: a cookie is valid while its id is in the table,
 * so signing out ends it for good (a copy of the cookie replayed later is refused), and so
 * do WEB_SESSION_IDLE_S without a request and WEB_SESSION_LIFE_S after the sign-in. The
 * table is bounded: a sign-in when it is full ends the least recently used session. */
static bool session_over(const struct web_session *s, uint64_t now)
{
	return now - s->last_ms >= WEB_SESSION_IDLE_S * 1000ull ||
	       now - s->start_ms >= WEB_SESSION_LIFE_S * 1000ull;
}

static void session_make(web_req *r)
{
	web_server *w = r->w;
	uint8_t id[WEB_SESSION_ID_LEN];
	char hex[2 * WEB_SESSION_ID_LEN + 1];
	randombytes_buf(id, sizeof id);
	uint64_t now = web_mono_ms();
	pthread_mutex_lock(&w->lock);
	struct web_session *slot = &w->sessions[0];
	for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct web_session *s = &w->sessions[i];
		if (!s->used || session_over(s, now)) {
			slot = s;
			break;
		}
		if (s->last_ms < slot->last_ms)
			slot = s;
	}
	memcpy(slot->id, id, sizeof id);
	slot->start_ms = slot->last_ms = now;
	slot->used = true;
	pthread_mutex_unlock(&w->lock);
	proto_hex(id, sizeof id, hex);
	web_set_cookie(r, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", hex);
	sodium_memzero(id, sizeof id);
	sodium_memzero(hex, sizeof hex);
}

/* The request's session cookie as an id; false when it has none or not of that form. */
static bool session_cookie(web_req *r, uint8_t ret[WEB_SESSION_ID_LEN])
{
	char v[2 * WEB_SESSION_ID_LEN + 8];
	return web_cookie(r, SESSION_COOKIE, v, sizeof v) && is_hex(v, 2 * WEB_SESSION_ID_LEN) &&
	       proto_unhex(v, ret, WEB_SESSION_ID_LEN) == 0;
}

/* The table's slot of id, or NULL; a session found over is ended here. Under w->lock. */
static struct web_session *session_find(web_server *w, const uint8_t id[WEB_SESSION_ID_LEN],
                                        uint64_t now)
{
	for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct web_session *s = &w->sessions[i];
		if (!s->used || sodium_memcmp(s->id, id, WEB_SESSION_ID_LEN) != 0)
			continue;
		if (!session_over(s, now))
			return s;
		sodium_memzero(s, sizeof *s);
		return NULL;
	}
	return NULL;
}

static bool session_valid(web_req *r)
{
	uint8_t id[WEB_SESSION_ID_LEN];
	if (!session_cookie(r, id))
		return false;
	uint64_t now = web_mono_ms();
	pthread_mutex_lock(&r->w->lock);
	struct web_session *s = session_find(r->w, id, now);
	if (s)
		s->last_ms = now;
	pthread_mutex_unlock(&r->w->lock);
	return s != NULL;
}

/* Sign-out: the request's session leaves the table. */
static void session_end(web_req *r)
{
	uint8_t id[WEB_SESSION_ID_LEN];
	if (!session_cookie(r, id))
		return;
	pthread_mutex_lock(&r->w->lock);
	struct web_session *s = session_find(r->w, id, web_mono_ms());
	if (s)
		sodium_memzero(s, sizeof *s);
	pthread_mutex_unlock(&r->w->lock);
}

/* POST /logout: the session leaves the table and its cookie is cleared. */
void web_post_logout(web_req *r, const char *rest)
{
	(void)rest;
	if (!web_csrf_check(r))
		return;
	session_end(r);
	web_set_cookie(r, SESSION_COOKIE "=; Path=/; Max-Age=0");
	LOG_INFO("WEB-LOGIN", "%s: signed out", r->ip);
	web_redirect(r, "/");
}

static bool token_equal(const web_server *w, const char *t)
{
	size_t n = strlen(w->token);
	return t && strlen(t) == n && sodium_memcmp(t, w->token, n) == 0;
}

/* Whether the request may go on: no token configured, a valid session cookie, or the
 * token as a bearer. */
bool web_authorised(web_req *r)
{
	if (!r->w->token)
		return true;
	if (session_valid(r)) {
		r->session = true;
		return true;
	}
	const char *auth = web_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	return auth && strncmp(auth, "Bearer ", 7) == 0 && token_equal(r->w, auth + 7);
}

/* A local path to go back to after a login or a language switch ("/..." but not "//..."),
 * else "/". */
const char *web_safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 900)
		return "/";
	/* it becomes a Location header: no control character (a form's value may hold a line
	 * break), no backslash (some browsers read it as a slash) */
	for (const char *c = next; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\')
			return "/";
	return next;
}

void web_page_login(web_req *r, unsigned status, bool failed)
{
	char tok[65];
	web_csrf_token(r, tok);
	r->status = status;
	web_page_begin(r, L(r, "Connexion", "Sign in"), NULL);
	web_buf *b = &r->out;
	wb_printf(b, "<h1>%s</h1>", L(r, "Connexion", "Sign in"));
	if (failed)
		wb_printf(b, "<p class=\"error\" role=\"alert\">%s</p>",
		          L(r, "Jeton d'accès incorrect.", "Wrong access token."));
	wb_printf(b, "<p>%s</p>",
	          L(r,
	            "Ce nœud est accessible sur le réseau : saisissez le jeton d'accès de son "
	            "administrateur.",
	            "This node is reachable over the network: enter its administrator's access "
	            "token."));
	wb_puts(b, "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" "
	           "value=\"");
	wb_puts(b, tok);
	wb_puts(b, "\"><input type=\"hidden\" name=\"next\" value=\"");
	const char *next = web_form_get(&r->q, "next");
	wb_htmls(b, web_safe_next(next ? next : r->method == WEB_GET ? r->path : "/"));
	wb_printf(b,
	          "\"><p><label for=\"token\">%s</label> <input id=\"token\" name=\"token\" "
	          "type=\"password\" required autocomplete=\"current-password\"></p>"
	          "<p><button type=\"submit\">%s</button></p></form>",
	          L(r, "Jeton d'accès", "Access token"), L(r, "Se connecter", "Sign in"));
	web_page_end(r);
}

void web_post_login(web_req *r, const char *rest)
{
	(void)rest;
	if (!r->w->token) {
		web_redirect(r, "/");
		return;
	}
	if (!web_csrf_check(r))
		return;
	if (!web_rate_take(r->w, r->ip, WEB_LIMIT_LOGIN)) {
		web_error(r, 429, "Trop de tentatives de connexion : patientez une minute.",
		          "Too many sign-in attempts: wait a minute.");
		return;
	}
	if (!token_equal(r->w, web_form_get(&r->form, "token"))) {
		LOG_WARN("WEB-LOGIN", "%s: wrong access token", r->ip);
		web_page_login(r, 401, true);
		return;
	}
	LOG_INFO("WEB-LOGIN", "%s: signed in", r->ip);
	session_make(r);
	web_redirect(r, web_safe_next(web_form_get(&r->form, "next")));
}

static void host_refused_log(web_req *r, const char *host)
{
	/* the header as it came, cut, printable ASCII only (it goes into a log line) */
	char shown[80];
	size_t n = 0;
	for (const char *c = host ? host : ""; *c && n < sizeof shown - 1; c++)
		shown[n++] = *c >= 0x20 && *c < 0x7f ? *c : '?';
	shown[n] = '\0';
	/* one line, then at most one a minute with the count since: a hostile page can send
	 * thousands of requests, the operator needs to know, not to read each */
	web_server *w = r->w;
	uint64_t now = web_mono_ms(), more = 0;
	pthread_mutex_lock(&w->lock);
	bool log = !w->host_logged || now - w->host_log_ms >= 60000u;
	if (log) {
		more = w->host_unlogged;
		w->host_logged = true;
		w->host_log_ms = now;
		w->host_unlogged = 0;
	} else {
		w->host_unlogged++;
	}
	pthread_mutex_unlock(&w->lock);
	if (!log)
		return;
	char since[64] = "";
	if (more)
		snprintf(since, sizeof since, "; %llu more refused since the last line",
		         (unsigned long long)more);
	LOG_WARN("WEB-HOST",
	         "%s: %s refused (%u): Host '%s' does not name this catalogue (127.0.0.1, "
	         "localhost, [::1], its address or web.hosts in maille.conf, port %u): perhaps a "
	         "web page trying DNS rebinding%s",
	         r->ip, r->path, host ? 421u : 400u, shown, w->port, since);
}

/* Whether the request's Host names this server (web.h); 421, or 400 without a Host,
 * written otherwise. */
bool web_host_check(web_req *r)
{
	const char *h = web_header(r, MHD_HTTP_HEADER_HOST);
	web_authority a;
	if (h && web_authority_parse(h, strlen(h), &a) == 0 && authority_allowed(r->w, &a))
		return true;
	host_refused_log(r, h);
	r->logged = true;
	if (!h)
		web_error(r, 400, "Requête sans en-tête Host.", "Request without a Host header.");
	else
		web_error(
		    r, 421,
		    "Ce catalogue ne répond pas à ce nom d'hôte : utilisez l'adresse de son "
		    "nœud (127.0.0.1, localhost ou un nom déclaré dans web.hosts).",
		    "This catalogue does not answer to this host name: use its node's address "
		    "(127.0.0.1, localhost or a name declared in web.hosts).");
	return false;
}
