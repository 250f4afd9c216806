/* node/web/web_page_network.c: the network page: this node, its federation, the local
 * catalogue's size and fingerprint, the trusted territories, and the daemon's peers as the
 * daemon last wrote them in DIR/node.state (the web never asks the daemon itself). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "node/service/state.h"
#include "web_int.h"


static void when(web_req *r, json_t *us)
{
	if (!json_is_integer(us)) {
		wb_puts(&r->out, L(r, "jamais", "never"));
		return;
	}
	char date[DATEFMT_CAP];
	web_date(r, (uint64_t)json_integer_value(us), date, sizeof date);
	wb_puts(&r->out, date);
}

void web_page_network(web_req *r, const char *rest)
{
	(void)rest;
	const trust_view *tv = web_trust(r);
	web_page_begin(r, L(r, "Réseau", "Network"), "network");
	web_buf *b = &r->out;
	char name[256], hex[2 * PROTO_KEY_LEN + 1];
	web_territory_name(r->wk->st, r->w->own, name, sizeof name);
	proto_hex(r->w->own, PROTO_KEY_LEN, hex);
	wb_printf(b, "<h1>%s</h1><dl class=\"fields\"><dt>%s</dt><dd><a href=\"/territory/%s\">",
	          L(r, "Réseau", "Network"), L(r, "Ce nœud", "This node"), hex);
	wb_htmls(b, name);
	wb_printf(b, "</a> <code>%.8s</code></dd><dt>%s</dt><dd>", hex,
	          L(r, "Fédération", "Federation"));
	if (r->w->cfg.federation && *r->w->cfg.federation) {
		wb_htmls(b, r->w->cfg.federation);
		wb_puts(b, " ");
	}
	wb_puts(b, "<code>");
	wb_htmls(b, r->w->cfg.netkey_fp ? r->w->cfg.netkey_fp : "?");
	wb_puts(b, "</code></dd>");
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count = 0, entries = 0, docs = 0;
	if (store_fingerprint(r->wk->st, fp, &count) == 0 &&
	    store_count(r->wk->st, &entries, &docs) == 0) {
		char fph[2 * RBSR_FP_LEN + 1];
		proto_hex(fp, RBSR_FP_LEN, fph);
		wb_printf(b,
		          "<dt>%s</dt><dd>%llu %s (%llu %s)</dd><dt>%s</dt><dd><code>%s</code></dd>",
		          L(r, "Catalogue local", "Local catalogue"), (unsigned long long)docs,
		          L(r, "fiches", "records"), (unsigned long long)entries,
		          L(r, "versions signées en tout, suppressions et fédération comprises",
		            "signed versions in all, deletions and federation included"),
		          L(r, "Empreinte du catalogue", "Catalogue fingerprint"), fph);
	}
	wb_printf(b, "<dt>%s</dt><dd>%zu</dd></dl>",
	          L(r, "Territoires reconnus", "Trusted territories"), tv ? tv->n : (size_t)0);

	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->w->cfg.dir, NODE_STATE_FILE);
	json_error_t jerr;
	json_t *st = json_load_file(path, 0, &jerr);
	wb_printf(b, "<h2>%s</h2>", L(r, "Pairs", "Peers"));
	if (!json_is_object(st)) {
		wb_printf(b, "<p>%s</p>",
		          L(r, "État du service du nœud indisponible.",
		            "The node's service state is unavailable."));
		json_decref(st);
		web_page_end(r);
		return;
	}
	json_t *conn = json_object_get(st, "connected");
	wb_printf(b, "<p>%s : %lld. %s : ", L(r, "Connectés", "Connected"),
	          json_is_integer(conn) ? (long long)json_integer_value(conn) : 0LL,
	          L(r, "Dernière synchronisation", "Last sync"));
	when(r, json_object_get(st, "last_sync_us"));
	wb_puts(b, ".</p>");
	json_t *peers = json_object_get(st, "peers");
	if (!json_is_array(peers) || json_array_size(peers) == 0) {
		wb_printf(b, "<p>%s</p>",
		          L(r, "Aucun pair. Ajoutez-en un avec « maille peer add HÔTE:PORT ».",
		            "No peer. Add one with 'maille peer add HOST:PORT'."));
	} else {
		wb_printf(
		    b,
		    "<table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		    L(r, "Pairs de ce nœud", "This node's peers"), L(r, "Adresse", "Address"),
		    L(r, "Territoire", "Territory"), L(r, "État", "State"),
		    L(r, "Fiches envoyées", "Records sent"),
		    L(r, "Fiches reçues", "Records received"),
		    L(r, "Dernière synchronisation", "Last sync"));
		size_t i;
		json_t *p;
		json_array_foreach(peers, i, p)
		{
			if (i >= 256)
				break;
			const char *addr = json_string_value(json_object_get(p, "address"));
			const char *key = json_string_value(json_object_get(p, "key"));
			const char *state = json_string_value(json_object_get(p, "state"));
			json_t *sent = json_object_get(p, "sent"),
			       *recv = json_object_get(p, "received");
			wb_puts(b, "<tr><td>");
			wb_htmls(b, addr ? addr : "?");
			wb_puts(b, "</td><td>");
			uint8_t pk[PROTO_KEY_LEN];
			if (key && strlen(key) == 2 * PROTO_KEY_LEN &&
			    proto_unhex(key, pk, PROTO_KEY_LEN) == 0) {
				char pn[256];
				web_territory_name(r->wk->st, pk, pn, sizeof pn);
				wb_printf(b, "<a href=\"/territory/%s\">", key);
				wb_htmls(b, pn);
				wb_puts(b, "</a>");
			} else {
				wb_puts(b, "—");
			}
			wb_puts(b, "</td><td>");
			const char *sl = state ? web_label(r, state) : NULL;
			wb_htmls(b, sl ? sl : state ? state : "?");
			wb_printf(b, "</td><td>%lld</td><td>%lld</td><td>",
			          json_is_integer(sent) ? (long long)json_integer_value(sent) : 0LL,
			          json_is_integer(recv) ? (long long)json_integer_value(recv)
			                                : 0LL);
			when(r, json_object_get(p, "last_sync_us"));
			wb_puts(b, "</td></tr>");
		}
		wb_puts(b, "</tbody></table>");
	}
	json_decref(st);
	web_page_end(r);
}
