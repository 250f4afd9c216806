/* node/web/web_export.c: the catalogue in the formats harvesters read, at a stable address of
 * the node (node/formats/export.h): /catalog.ttl and /catalog.jsonld (DCAT-AP 3, what
 * data.gouv.fr harvests), with the catalogue page's filters (?type=, ?territory=, ?all=1). The
 * links are this catalogue's, from the Host the request used (already checked against the
 * node's names: web_host_check): http for an address or localhost, https for a name of
 * web.hosts, which a TLS proxy serves. A large catalogue comes in pages (?page=N) linked as
 * Hydra links them. /export/inventaire.csv: the use cases as the inventory
 * of public algorithms (export_inventaire_csv.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/formats/export.h"
#include "proto/error.h"
#include "web_int.h"

/* Records a page of /catalog.ttl or /catalog.jsonld holds: about 1.1 MB of Turtle and 1.4 MB
 * of JSON-LD with generated records (2.2 and 2.8 KB each), under WEB_OUT_MAX unless the
 * records' descriptions are six times as long. */
#define WEB_DCAT_PAGE 500u

typedef struct page_sink {
	web_req *r;
} page_sink;

static int sink_begin(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0;
}

/* The answer is built in memory (at most WEB_OUT_MAX): past it, the export stops. */
static int sink_write(void *ctx, const char *data, size_t len)
{
	page_sink *p = ctx;
	wb_put(&p->r->out, data, len);
	return p->r->out.failed ? MAILLE_ETOOBIG : 0;
}

static int sink_end(void *ctx, bool ok)
{
	(void)ctx;
	(void)ok;
	return 0;
}

/* "http://127.0.0.1:8080" or "https://catalogue.exemple.fr" from the request's Host. */
static void base_of(web_req *r, char *ret, size_t cap)
{
	const char *h = web_header(r, "Host");
	if (!h || !*h) {
		ret[0] = '\0';
		return;
	}
	bool plain = h[0] == '[' || (h[0] >= '0' && h[0] <= '9') || strncmp(h, "localhost", 9) == 0;
	snprintf(ret, cap, "%s://%s", plain ? "http" : "https", h);
}

/* A catalogue of more than WEB_DCAT_PAGE records is served in pages of that many, each
 * with Hydra's links to the others (export.h: export_set's page), so that an answer stays
 * well under WEB_OUT_MAX and a harvester walks them all. Keeps the asked page of s and fills
 * its links into links (5 buffers: self, first, prev, next, last); false with the error
 * written (a page past the last). */
static bool dcat_paged(web_req *r, export_set *s, const web_query *wq, const char *variant,
                       web_buf links[5])
{
	size_t pages = (s->n + WEB_DCAT_PAGE - 1) / WEB_DCAT_PAGE;
	if (pages <= 1 && wq->page <= 1)
		return true; /* one answer, as it always was: no page */
	if (wq->page > pages) {
		web_error(r, 404, "Cette page du catalogue n'existe pas.",
		          "This page of the catalogue does not exist.");
		return false;
	}
	export_set_slice(s, (size_t)(wq->page - 1) * WEB_DCAT_PAGE, WEB_DCAT_PAGE);
	s->page.per_page = WEB_DCAT_PAGE;
	s->page.number = wq->page;
	if (!s->base_url)
		return true; /* no address of its own to link to: the page alone */
	char base[700];
	snprintf(base, sizeof base, "%s/catalog.%s", s->base_url, variant);
	const unsigned to[5] = { wq->page, 1, wq->page - 1, wq->page + 1, (unsigned)pages };
	const char **dst[5] = { &s->page.self, &s->page.first, &s->page.prev, &s->page.next,
		                &s->page.last };
	for (size_t i = 0; i < 5; i++) {
		if (to[i] < 1 || to[i] > pages)
			continue; /* no previous page on the first, no next on the last */
		/* page 1 is the catalogue's own address (web_filter_href_to drops page=1) */
		web_filter_href_to(r, &links[i], base, NULL, NULL, to[i]);
		if (links[i].failed) {
			web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
			return false;
		}
		*dst[i] = links[i].p;
	}
	return true;
}

static void export_page(web_req *r, const char *variant, const char *ctype)
{
	web_query wq;
	if (!web_filters(r, &wq))
		return;
	bool inventory = strcmp(variant, "csv") == 0;
	if (inventory)
		wq.f.type = "use_case"; /* the inventory holds use cases only */
	export_set s;
	export_set_init(&s);
	char base[600], name[256];
	base_of(r, base, sizeof base);
	web_site_name(r, name, sizeof name);
	s.base_url = base[0] ? base : NULL;
	s.title = name;
	memcpy(s.node_key, r->w->own, PROTO_KEY_LEN);
	s.now_us = web_now_us(r->w);
	page_sink ps = { r };
	export_sink o = { .begin = sink_begin, .write = sink_write, .end = sink_end, .ctx = &ps };
	int e = export_set_load(&s, r->wk->st, &wq.f);
	web_buf links[5] = { 0 };
	if (!e && !inventory && !dcat_paged(r, &s, &wq, variant, links)) {
		export_set_done(&s);
		return;
	}
	if (!e)
		e = inventory ? export_write_inventaire_csv(&s, &o, NULL)
		              : export_write_dcat(&s, &o, variant);
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		wb_done(&links[i]);
	free(o.skips);
	export_set_done(&s);
	if (e == MAILLE_ETOOBIG) {
		wb_done(&r->out);
		web_error(r, 500,
		          "Le catalogue est trop grand pour être servi d'un bloc ici : choisissez un "
		          "type (?type=) ou un territoire (?territory=), ou publiez le fichier de "
		          "« maille export --format dcat ».",
		          "The catalogue is too large to be served in one piece here: choose a type "
		          "(?type=) or a territory (?territory=), or publish the file of \"maille "
		          "export --format dcat\".");
		return;
	}
	if (e) {
		wb_done(&r->out);
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
	r->ctype = ctype;
}

void web_catalog_ttl(web_req *r, const char *rest)
{
	(void)rest;
	export_page(r, "ttl", "text/turtle; charset=utf-8");
}

void web_catalog_jsonld(web_req *r, const char *rest)
{
	(void)rest;
	export_page(r, "jsonld", "application/ld+json; charset=utf-8");
}

void web_export_inventaire(web_req *r, const char *rest)
{
	(void)rest;
	export_page(r, "csv", "text/csv; charset=utf-8");
}
