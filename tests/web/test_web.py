#!/usr/bin/env python3
"""HTTP tests of the web catalogue (node/web/web.h) served by a real `maille node`.

Usage: test_web.py MAILLE_BINARY CLI_FORGE

Real binary, real node directories in a temporary directory, daemons on 127.0.0.1 with
ephemeral ports (`--listen 127.0.0.1:0 --web 127.0.0.1:0`; the web address is read from
DIR/web.addr). Checked: status codes, escaping of user content, CSRF refusal, the Host
allow-list (DNS rebinding) and web.hosts, token enforcement and server-side sessions, size,
parameter, header and rate limits, bad input that changes nothing, the signature shown only
when it verifies, the JSON API, publishing, editing and deleting through the forms, and an
entry published by the web thread reaching a second node through the daemons. Every daemon
must exit 0 on SIGTERM."""
import html
import http.client
import json
import os
import re
import socket
import sqlite3
import sys
import time
import unittest
import urllib.parse

import harness
from harness import WebDaemon, wait_for

XSS_TITLE = "<script>alert(1)</script>"

RECORD = """---
type: rex
path: {path}
title: "{title}"
summary: Retour d'expérience sur {sujet}, rédigé pour les tests du catalogue web.
themes: [ia-democratie, transparence-algorithmes]
keywords: [catalogue, {mot}]
status: production
about: [use_case/assistant-conversationnel-rh]
declaration: referent_expert
period:
  start: 2025-01-06
context: Une direction des ressources humaines qui voulait mesurer les effets d'{sujet}.
objectives: Savoir s'il faut continuer, et à quelles conditions.
what_was_done: Une expérimentation d'un an avec une évaluation à mi-parcours.
difficulties: Des données incomplètes et des usages très variables d'un service à l'autre.
lessons_learned: Évaluer tôt, publier les résultats, associer les agents dès le départ.
partners: Le centre de gestion de la fonction publique territoriale du Rhône
---

## Ce que nous avons appris

Une **expérience** utile. <img src=x onerror=alert(2)> [un lien piégé](javascript:alert(3))
"""

USE_CASE = """---
type: use_case
path: use_case/assistant-conversationnel-rh
title: Assistant conversationnel pour les questions RH des agents
summary: Un assistant répond aux questions fréquentes des agents sur les congés et la paie.
themes: [ia-democratie]
status: production
purpose: Répondre aux questions fréquentes des agents à toute heure.
decision_process: L'assistant informe ; aucune décision individuelle n'est prise par lui.
automation_level: no_individual_decision
algorithm_type: generative_ai
individual_decisions: false
affected_public: Les 4 000 agents de la collectivité.
human_oversight: Les gestionnaires RH relisent chaque mois un échantillon de réponses.
risks: [{name: Réponse erronée, description: Une règle de paie mal restituée, mitigation: Lien vers le texte de référence}]
data_sources: [{name: Guide RH interne, personal_data: none}]
---
Un assistant hébergé par la collectivité, sur un petit modèle.
"""


THEME_STRING = {
    "type": "methodology", "title": {"fr": "Sobriété en une chaîne"},
    "summary": {"fr": "Un thème écrit seul, sans liste."},
    "description": {"fr": "Fiche de test."}, "themes": "sobriete-numerique", "status": "pilot",
    "lang": "fr", "content_licence": "etalab-2.0", "method_kind": "guide",
    "covers": ["transparency"]}


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> list of values
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    def cookies(self):
        out = {}
        for c in self.headers.get("set-cookie", []):
            k, _, v = c.split(";", 1)[0].partition("=")
            out[k.strip()] = v.strip()
        return out

    def json(self):
        return json.loads(self.text)


def http_req(port, method, path, body=None, headers=None, timeout=30, addr="127.0.0.1"):
    c = http.client.HTTPConnection(addr, port, timeout=timeout)
    try:
        h = {"Host": f"{addr if ':' not in addr else '[' + addr + ']'}:{port}"}
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        hs = {}
        for k, v in r.getheaders():
            hs.setdefault(k.lower(), []).append(v)
        return Resp(r.status, hs, r.read())
    finally:
        c.close()


def raw_post(port, path, body, headers):
    """A POST over a plain socket: the server may answer and close before it read the whole
    body (a refusal by size), which http.client reports as a broken pipe."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        s.sendall(head.encode() + b"\r\n")
        try:
            s.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ", 2)[1])
    finally:
        s.close()


def form_body(pairs):
    return urllib.parse.urlencode(pairs, doseq=True)


def with_fields(pairs, over):
    """The form's pairs with each field of over replaced, or removed when None."""
    for k, v in over.items():
        pairs = [p for p in pairs if p[0] != k]
        if v is not None:
            pairs.append((k, v))
    return pairs


FORM_CT = {"Content-Type": "application/x-www-form-urlencoded"}


class Base(harness.Case):
    """A test class's temporary directory and the daemons it starts, stopped (then killed if
    need be) and removed when the class is done."""

    @classmethod
    def tearDownClass(cls):
        cls.end()

    @classmethod
    def node(cls, name, title):
        return cls.init(name, title, kind="metropole")

    @classmethod
    def begin_with_node(cls, prefix, name, title, federation="Coalition IA responsable (tests)"):
        """A new temporary directory and in it node cls.a, which creates a federation."""
        cls.begin(prefix)
        cls.a = cls.node(name, title)
        cls.ok(cls.a, "federation", "new", "--name", federation)

    def web_with_token(self, token, file_name):
        """A daemon of node a serving the catalogue off loopback (every address), with token
        in the token file file_name that it then needs; stopped with the class."""
        tf = os.path.join(self.tmp, file_name)
        with open(tf, "w") as f:
            f.write(token + "\n")
        web = WebDaemon(self.a, "--web-token-file", tf, web="0.0.0.0:0")
        self.daemons.append(web)
        return web

    def get(self, path, **kw):
        return http_req(self.web.port, "GET", path, **kw)

    def csrf(self, page="/publish?type=rex"):
        """A CSRF cookie and the token a form of page carries for it."""
        r = self.get(page)
        self.assertEqual(r.status, 200, r.text[:500])
        cookie = r.cookies().get("maille_csrf")
        self.assertTrue(cookie, r.headers)
        tok = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text).group(1)
        return cookie, tok

    def post(self, path, pairs, cookie=None, extra=None):
        h = dict(FORM_CT)
        if cookie:
            h["Cookie"] = f"maille_csrf={cookie}"
        if extra:
            h.update(extra)
        return http_req(self.web.port, "POST", path, body=form_body(pairs), headers=h)

    def count(self, d=None):
        return self.js(d or self.a, "status")["count"]


class WebTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.begin_with_node("maille-web-", "a", "Métropole de Lyon")
        cls.fed = os.path.join(cls.tmp, "federation.export")
        cls.ok(cls.a, "federation", "export", cls.fed)
        cls.publish(cls.a, "uc.md", USE_CASE)
        cls.publish(cls.a, "xss.md", RECORD.format(path="rex/titre-piege", title=XSS_TITLE,
                                                   sujet="un titre piégé", mot="sécurité"))
        cls.publish(cls.a, "rex.md", RECORD.format(
            path="rex/chatbot-rh-un-an-apres", title="Chatbot RH : un an après",
            sujet="l'assistant conversationnel", mot="évaluation"))
        cls.publish(cls.a, "edit.md", RECORD.format(
            path="rex/a-modifier", title="Tableau de bord énergétique : premier bilan",
            sujet="un tableau de bord énergétique", mot="énergie"))
        # themes as a single string, as a peer's software may send it (the schema wants a list)
        rc, _, err = harness.run_program([FORGE, "--dir", cls.a, "--path",
                                          "methodology/theme-seul", "--body",
                                          json.dumps(THEME_STRING)], timeout=60)
        assert rc == 0, err
        cls.key_a = cls.js(cls.a, "whoami")["key"]
        cls.web = WebDaemon(cls.a)
        cls.daemons.append(cls.web)

    # ---- pages --------------------------------------------------------------------------------

    def test_theme_as_a_single_string(self):
        """A record whose themes is one string is found by the theme filter as by `maille list
        --theme` (the store's reading: a list of one); before, the web filter missed it."""
        listed = {e["path"]: e for e in self.js(self.a, "list", "--theme", "sobriete-numerique")}
        self.assertIn("methodology/theme-seul", listed)
        self.assertEqual(listed["methodology/theme-seul"]["themes"], ["sobriete-numerique"])
        r = self.get("/catalogue?theme=sobriete-numerique")
        self.assertEqual(r.status, 200)
        self.assertIn("Sobriété en une chaîne", r.text)
        r = self.get("/search?q=cha%C3%AEne&theme=sobriete-numerique")
        self.assertIn("Sobriété en une chaîne", r.text)
        api = json.loads(self.get("/api/entries?theme=sobriete-numerique").text)
        got = [e for e in api["items"] if e["path"] == "methodology/theme-seul"]
        self.assertEqual(len(got), 1, api)
        self.assertEqual(got[0]["themes"], ["sobriete-numerique"])

    def test_pages(self):
        for path in ("/", "/catalogue", "/search?q=chatbot", "/network", "/publish",
                     "/publish?type=rex", "/publish?type=use_case", "/publish?type=component",
                     "/publish?type=methodology", f"/territory/{self.key_a}",
                     "/entry/rex/chatbot-rh-un-an-apres", "/catalogue?type=rex&theme=ia-democratie",
                     "/catalogue?all=1&page=1", "/static/maille.css"):
            r = self.get(path)
            self.assertEqual(r.status, 200, f"{path}: {r.text[:300]}")
            csp = r.header("Content-Security-Policy")
            self.assertIn("default-src 'none'", csp)
            self.assertNotIn("script-src", csp)  # no script at all
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            if path != "/static/maille.css":
                self.assertIn('<html lang="fr">', r.text)
                self.assertNotIn("<script", r.text)
        home = self.get("/").text
        self.assertIn("Dernières fiches", home)
        self.assertIn('action="/search"', home)
        # the counts per type and theme come from a background thread: within a few seconds
        wait_for(lambda: "Par thème" in self.get("/").text, 15, "the counts on the home page")
        self.assertRegex(self.get("/").text, r"Retour d&#39;expérience</a> \(\d+\)")

    def test_english(self):
        r = self.get("/lang/en?next=/catalogue")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/catalogue")
        self.assertEqual(r.cookies().get("maille_lang"), "en")
        en = self.get("/catalogue", headers={"Cookie": "maille_lang=en"})
        self.assertIn('<html lang="en">', en.text)
        self.assertIn("Experience report", en.text)
        # the switch comes back to the same page, query included
        self.assertIn('href="/lang/en?next=/catalogue%3Ftype%3Drex"', self.get("/catalogue?type=rex").text)
        r = self.get("/lang/en?next=/catalogue%3Ftype%3Drex")
        self.assertEqual(r.header("Location"), "/catalogue?type=rex")
        # an open redirect is refused: the next page stays on this site
        r = self.get("/lang/fr?next=//evil.example/")
        self.assertEqual(r.header("Location"), "/")

    def test_escaping(self):
        lit = html.escape(XSS_TITLE, quote=True)
        for path in ("/catalogue", "/search?q=pi%C3%A9g%C3%A9", "/entry/rex/titre-piege", "/"):
            r = self.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertIn(lit.replace("&#x27;", "&#39;"), r.text, path)
            self.assertNotIn("<script", r.text, path)
        entry = self.get("/entry/rex/titre-piege").text
        # Markdown in safe mode: no raw HTML, no javascript: link
        self.assertNotIn("onerror", entry)
        self.assertNotIn("javascript:", entry)
        self.assertIn("<strong>expérience</strong>", entry)
        api = self.get("/api/entries/rex/titre-piege").json()
        self.assertEqual(api["title"], XSS_TITLE)  # JSON carries the text itself
        self.assertTrue(api["signature_verified"])

    def test_search_without_accents(self):
        r = self.get("/search?q=experience+evaluation")
        self.assertEqual(r.status, 200)
        self.assertIn("Chatbot RH : un an après", r.text)
        self.assertIn("<mark>", r.text)
        items = self.get("/api/entries?q=evaluation").json()["items"]
        self.assertIn("rex/chatbot-rh-un-an-apres", [i["path"] for i in items])
        self.assertTrue(all(i["snippet"] for i in items))
        nothing = self.get("/search?q=zzzqqqxxx")
        self.assertIn("Aucune fiche ne correspond", nothing.text)
        self.assertIn("Aucun résultat", nothing.text)

    def test_search_french(self):
        """Every text field is searched (a REX's difficulties, a use case's nested risk), a
        plural finds the singular, the page says how many records it found, the facet counts
        follow the words, and a typo gets the nearest word of the records."""
        r = self.get("/search?q=incompl%C3%A8tes")  # only in the REX's difficulties
        self.assertIn("Chatbot RH : un an après", r.text)
        self.assertRegex(r.text, r'role="status">\d+ résultats<')
        self.assertIn("Nombres : les fiches trouvées.", r.text)
        # the use case's risk: one result, and the type facet counts that one record only
        r = self.get("/search?q=restitu%C3%A9es")
        self.assertIn("Assistant conversationnel pour les questions RH", r.text)
        self.assertIn('role="status">1 résultat<', r.text)
        self.assertNotIn("Chatbot RH : un an après", r.text)
        self.assertRegex(r.text, r'type=use_case[^>]*>[^<]*</a> \(1\)')
        self.assertNotRegex(r.text, r'type=rex[^>]*>[^<]*</a> \(')
        r = self.get("/search?q=assistants+conversationnels")  # plurals
        self.assertIn("Assistant conversationnel pour les questions RH", r.text)
        r = self.get("/search?q=imcompletes")
        self.assertIn("Aucun résultat", r.text)
        self.assertIn("Vouliez-vous dire", r.text)
        self.assertIn('href="/search?q=incompletes"', r.text)

    def test_catalogue_facets_follow_the_filters(self):
        """A catalogue page with a filter counts the records the filter keeps, not the whole
        catalogue: with ?type=rex the type facet names the REX only, and every theme's count
        is at most theirs."""
        whole = self.get("/catalogue").text
        self.assertIn("Nombres : tout le catalogue des territoires reconnus.", whole)
        self.assertRegex(whole, r'type=use_case[^>]*>[^<]*</a> \(\d+\)')
        t = self.get("/catalogue?type=rex").text
        self.assertIn("Nombres : les fiches trouvées.", t)
        # the filter in force is the facet's current item (its link takes the filter off)
        n_rex = int(re.search(r'aria-current="true">✓ Retour d&#39;expérience</a> \((\d+)\)',
                              t).group(1))
        self.assertGreater(n_rex, 0)
        self.assertNotRegex(t, r'type=use_case[^>]*>[^<]*</a> \(')
        themes = [int(x) for x in re.findall(r'theme=[^"&]+[^>]*>[^<]*</a> \((\d+)\)', t)]
        self.assertTrue(themes)
        self.assertTrue(all(x <= n_rex for x in themes), themes)

    def test_entry_page(self):
        r = self.get(f"/entry/rex/chatbot-rh-un-an-apres?territory={self.key_a}")
        self.assertEqual(r.status, 200)
        t = r.text
        self.assertIn("signature vérifiée", t)
        self.assertIn("Métropole de Lyon", t)
        self.assertIn(self.key_a[:8], t)
        # the use case it is about, as a link to that record (its territory named) with its
        # title, whatever the query string of the page says
        link = ('href="/entry/use_case/assistant-conversationnel-rh?territory='
                f'{self.key_a}">Assistant conversationnel pour les questions RH')
        self.assertIn(link, t)
        self.assertIn(link, self.get("/entry/rex/chatbot-rh-un-an-apres").text)
        self.assertIn("Enseignements", t)  # lessons_learned, labelled
        self.assertIn('action="/delete"', t)  # our own entry: edit and delete
        # content first: summary, description, the fields; the provenance last, folded
        order = [t.index(x) for x in ("<h1>", 'class="summary"', 'id="h-desc"', 'id="h-details"',
                                      "<details class=\"prov\">")]
        self.assertEqual(order, sorted(order), order)
        # the description's headings sit under the page's (h1 title, h2 sections)
        self.assertIn("<h4>Ce que nous avons appris</h4>", t)
        # labels, not codes; dates as people read them
        self.assertIn("<dd>Licence Ouverte / Open Licence 2.0</dd>", t)
        self.assertIn("<dd>Référent expert</dd>", t)
        self.assertIn("<dd>depuis le 6 janvier 2025</dd>", t)
        self.assertRegex(t, r"mise à jour le \d{1,2}(er)? [a-zéû]+ 20\d\d à \d{1,2} h \d\d")
        self.assertNotIn("UTC", t)
        en = self.get("/entry/rex/chatbot-rh-un-an-apres", headers={"Cookie": "maille_lang=en"})
        self.assertIn("<dd>since 6 January 2025</dd>", en.text)

    def test_nested_members_labelled(self):
        """Nested members in their table's order with its labels (a period as one phrase, a
        rating with its scale, a cost's amount and unit), and a contact's address hidden when
        its `public` says so."""
        self.publish(self.a, "nested.md", """---
type: rex
path: rex/champs-imbriques
title: Champs imbriqués
summary: Un retour d'expérience avec des champs imbriqués.
themes: [donnees]
status: production
about: [tableau de bord]
declaration: user
period: {start: 2024-03-01, end: 2025-02-28}
context: Contexte.
objectives: Objectifs.
what_was_done: Actions.
difficulties: Difficultés.
lessons_learned: Enseignements.
rating: 3
cost: {funding: Budget propre, kind: Prestation, currency: EUR, amount: 12000}
indicators: [{unit: visites, value: 12, name: Visites, date: 2025-01-01}]
contacts: [{email: cache@exemple-metropole.fr, public: false, name: Service données}]
---
Corps.
""")
        t = self.get("/entry/rex/champs-imbriques").text
        self.assertIn("<dd>du 1er mars 2024 au 28 février 2025</dd>", t)
        self.assertIn("<dd>3 sur 4</dd>", t)
        self.assertIn("<dt>Montant</dt><dd>12\u202f000</dd>", t)
        cost = t[t.index("<dt>Coût</dt>"):]
        order = [cost.index(x) for x in ("Montant", "Devise", "Nature", "Financement")]
        self.assertEqual(order, sorted(order))
        self.assertIn("<dt>Unité</dt><dd>visites</dd>", t)
        self.assertIn("<dt>Date</dt><dd>1er janvier 2025</dd>", t)
        self.assertNotIn("cache@exemple-metropole.fr", t)
        self.assertIn("<dt>Courriel</dt><dd>non affichée</dd>", t)
        # nor in the API: the contact stays, without its address
        api = self.get("/api/entries/rex/champs-imbriques").json()
        self.assertNotIn("cache@exemple-metropole.fr", json.dumps(api))
        self.assertEqual(api["body"]["contacts"], [{"name": "Service données", "public": False}])
        self.assertNotIn("amount", t)
        self.publish(self.a, "socle.md", """---
type: component
path: component/socle-imbrique
title: Socle aux termes publiccode
summary: Un composant dont les termes publiccode.yml sont lus par leurs libellés.
themes: [logiciel-libre]
status: production
component_kind: software
licence: EUPL-1.2
repository_url: https://forge.exemple.fr/socle
development_status: beta
software_type: standalone/web
platforms: [web, linux]
---
Corps.
""")
        c = self.get("/entry/component/socle-imbrique").text
        self.assertIn("<dt>Licence</dt><dd>Licence publique de l&#39;Union européenne 1.2</dd>", c)
        self.assertIn("<dd>version bêta</dd>", c)
        self.assertIn("<dd>application web</dd>", c)
        self.assertIn("<li>Linux</li>", c)
        en = self.get("/entry/rex/champs-imbriques", headers={"Cookie": "maille_lang=en"}).text
        self.assertIn("<dd>from 1 March 2024 to 28 February 2025</dd>", en)
        self.assertIn("<dd>3 out of 4</dd>", en)
        self.assertIn("<dt>Amount</dt><dd>12,000</dd>", en)

    def test_feed(self):
        """/feed.atom: an Atom document (RFC 4287) of the newest records that an XML parser
        reads, with the catalogue's filters, every text escaped."""
        import xml.etree.ElementTree as ET
        A = "{http://www.w3.org/2005/Atom}"
        r = self.get("/feed.atom")
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertTrue(r.header("Content-Type").startswith("application/atom+xml"))
        feed = ET.fromstring(r.text.encode())
        self.assertEqual(feed.tag, A + "feed")
        for child in ("id", "title", "updated", "author"):
            self.assertIsNotNone(feed.find(A + child), child)
        self.assertIn("Métropole de Lyon", feed.find(f"{A}author/{A}name").text)
        rfc3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"
        self.assertRegex(feed.find(A + "updated").text, rfc3339)
        entries = feed.findall(A + "entry")
        self.assertGreaterEqual(len(entries), 4)
        titles = [e.find(A + "title").text for e in entries]
        self.assertIn(XSS_TITLE, titles)  # the parser gives back the text itself
        self.assertNotIn("<script", r.text)
        ids = set()
        for e in entries:
            for child in ("id", "title", "updated", "link", "summary", "author"):
                self.assertIsNotNone(e.find(A + child), child)
            self.assertRegex(e.find(A + "updated").text, rfc3339)
            self.assertTrue(e.find(A + "link").get("href").startswith("/entry/"))
            ids.add(e.find(A + "id").text)
        self.assertEqual(len(ids), len(entries))
        updated = [e.find(A + "updated").text for e in entries]
        self.assertEqual(updated, sorted(updated, reverse=True))  # newest first
        # the filters, as on the catalogue
        def types(q):
            f = ET.fromstring(self.get("/feed.atom" + q).text.encode())
            return [e.find(A + "category").get("term") for e in f.findall(A + "entry")]
        self.assertEqual(set(types("?type=use_case")), {"use_case"})
        self.assertEqual(set(types("?type=rex")), {"rex"})
        self.assertNotIn("use_case", types("?theme=transparence-algorithmes"))
        self.assertIn("rex", types("?theme=transparence-algorithmes"))
        sobre = types("?theme=sobriete-numerique")
        self.assertIn("methodology", sobre)  # its themes a single string
        self.assertNotIn("use_case", sobre)
        self.assertGreaterEqual(len(types(f"?territory={self.key_a}")), 4)
        other = "ab" * 32
        self.assertEqual(types(f"?territory={other}"), [])
        self.assertEqual(self.get("/feed.atom?type=nope").status, 400)
        self.assertEqual(self.get("/feed.atom?territory=zz").status, 400)
        # linked from the pages: in the head, and visibly
        home = self.get("/").text
        self.assertIn('<link rel="alternate" type="application/atom+xml"', home)
        self.assertIn('href="/feed.atom"', home)
        self.assertIn('href="/feed.atom?type=rex"', self.get("/catalogue?type=rex").text)

    def test_public_service_pages(self):
        """The header names the territory; the footer links to the accessibility statement
        and the legal notice, both filled from the territory's profile, in both languages;
        the home page has one search box."""
        home = self.get("/").text
        self.assertEqual(home.count('type="search"'), 1)
        self.assertIn('<span class="territory">Métropole de Lyon</span>', home)
        self.assertIn('href="/accessibilite">Accessibilité : non conforme</a>', home)
        self.assertIn('href="/mentions-legales">Mentions légales</a>', home)
        self.assertEqual(self.get("/search?q=chatbot").text.count('type="search"'), 1)
        a11y = self.get("/accessibilite")
        self.assertEqual(a11y.status, 200)
        for words in ("Déclaration d'accessibilité", "État de conformité", "non conforme",
                      "RGAA", "axe-core", "Voies de recours", "Défenseur des droits",
                      "Métropole de Lyon"):
            self.assertIn(html.escape(words, quote=True).replace("&#x27;", "&#39;"), a11y.text)
        legal = self.get("/mentions-legales")
        self.assertEqual(legal.status, 200)
        for words in ("Mentions légales", "Éditeur", "200046977", "Direction de la publication",
                      "Hébergement", "Métropole de Lyon"):
            self.assertIn(words, legal.text)
        en = {"Cookie": "maille_lang=en"}
        self.assertIn("Accessibility statement", self.get("/accessibilite", headers=en).text)
        self.assertIn("Legal notice", self.get("/mentions-legales", headers=en).text)

    def test_timezone_setting(self):
        """timezone in maille.conf: a zone the node does not know stops the command with the
        file, the line and the zones it knows; a known one is accepted."""
        conf = os.path.join(self.a, "maille.conf")
        with open(conf) as f:
            before = f.read()
        try:
            with open(conf, "a") as f:
                f.write("timezone = Europe/Lyon\n")
            rc, out, err = self.m(self.a, "status")
            self.assertNotEqual(rc, 0, out)
            self.assertIn("maille.conf", err)
            self.assertIn("Europe/Lyon", err)
            self.assertIn("Europe/Paris", err)
            self.assertIn("Pacific/Noumea", err)
            with open(conf, "w") as f:
                f.write(before + "timezone = America/Martinique\n")
            self.ok(self.a, "status")
        finally:
            with open(conf, "w") as f:
                f.write(before)

    def test_api(self):
        st = self.get("/api/status").json()
        self.assertEqual(st["key"], self.key_a)
        self.assertEqual(st["count"], self.count())
        self.assertEqual(st["federation_name"], "Coalition IA responsable (tests)")
        self.assertIn("Coalition IA responsable (tests)", self.get("/network").text)
        terr = self.get("/api/territories").json()["territories"]
        self.assertEqual([(t["key"], t["trust"]) for t in terr], [(self.key_a, "own")])
        page = self.get("/api/entries?type=rex").json()
        self.assertEqual(page["page"], 1)
        self.assertFalse(page["has_more"])
        self.assertTrue({"rex/chatbot-rh-un-an-apres", "rex/titre-piege"}
                        <= {i["path"] for i in page["items"]})
        self.assertTrue(all(i["type"] == "rex" and i["trusted"] for i in page["items"]))
        one = self.get(f"/api/entries/use_case/assistant-conversationnel-rh?territory={self.key_a}")
        self.assertEqual(one.status, 200)
        self.assertEqual(one.header("Content-Type"), "application/json")
        self.assertEqual(one.json()["body"]["algorithm_type"], "generative_ai")
        missing = self.get("/api/entries/rex/aucune")
        self.assertEqual(missing.status, 404)
        self.assertIn("error", missing.json())
        self.assertEqual(self.get("/api/nothing").status, 404)

    def test_bad_input_changes_nothing(self):
        before = self.count()
        cases = {
            "/entry/%ZZ": 400, "/entry/a%00b": 400, "/search?q=%FF%FE": 400,
            "/catalogue?page=0": 400, "/catalogue?page=abc": 400, "/catalogue?page=501": 400,
            "/catalogue?page=-1": 400, "/catalogue?type=bogus": 400,
            "/catalogue?territory=zz": 400, "/api/entries?status=nope": 400,
            "/entry/..%2F..%2Fetc%2Fpasswd": 400, "/entry/rex/inexistante": 404,
            "/territory/1234": 400, "/nulle-part": 404, "/api/entries?q=%0A": 400,
            "/search?q=" + "a" * 2100: 400, "/lang/de": 404,
        }
        for path, want in cases.items():
            r = self.get(path)
            self.assertEqual(r.status, want, f"{path}: {r.text[:300]}")
            self.assertNotIn("<script", r.text)
        r = http_req(self.web.port, "PUT", "/catalogue", body="x")
        self.assertEqual(r.status, 405)
        r = http_req(self.web.port, "POST", "/publish", body="a=1", headers={"Content-Type": "text/plain"})
        self.assertIn(r.status, (403, 415))
        self.assertEqual(self.count(), before)

    def test_csrf_refused(self):
        before = self.count()
        cookie, tok = self.csrf()
        good = self.rex_form("Refusé sans jeton", tok)
        no_token = [p for p in good if p[0] != "csrf"]
        self.assertEqual(self.post("/publish", no_token, cookie).status, 403)
        self.assertEqual(self.post("/publish", good, None).status, 403)  # no cookie
        wrong = [("csrf", "0" * 64) if k == "csrf" else (k, v) for k, v in good]
        self.assertEqual(self.post("/publish", wrong, cookie).status, 403)
        other_cookie = "f" * 32
        self.assertEqual(self.post("/publish", good, other_cookie).status, 403)
        evil = self.post("/publish", good, cookie, {"Origin": "http://evil.example"})
        self.assertEqual(evil.status, 403)
        self.assertIn("CSRF", evil.text)
        cross = self.post("/publish", good, cookie, {"Sec-Fetch-Site": "cross-site"})
        self.assertEqual(cross.status, 403)
        dele = self.post("/delete", [("path", "rex/chatbot-rh-un-an-apres"), ("confirm", "1")],
                         cookie)
        self.assertEqual(dele.status, 403)
        self.assertEqual(self.count(), before)

    def rex_form(self, heading, tok, **over):
        pairs = [("csrf", tok), ("type", "rex"), ("action", "publish"), ("title", heading),
                 ("summary", "Un retour d'expérience publié par le formulaire du catalogue."),
                 ("description", "## Bilan\r\nUne **démarche** utile.\r\n<b>brut</b>"),
                 ("themes", "ia-democratie"), ("themes", "sobriete-numerique"),
                 ("status", "production"), ("keywords", "formulaire, tests"),
                 ("content_licence", "etalab-2.0"), ("contact_email", "dsi@exemple-lyon.fr"),
                 ("contact_public", "1"), ("about", "use_case/assistant-conversationnel-rh"),
                 ("about_other", "Une démarche de la Région, hors catalogue"),
                 ("declaration", "user"), ("period.start", "2025-03-01"),
                 ("context", "Un service qui voulait mesurer les effets de l'assistant."),
                 ("objectives", "Décider de la suite."), ("what_was_done", "Six mois d'essai."),
                 ("difficulties", "Des réponses à tenir à jour."),
                 ("lessons_learned", "Associer les agents tôt."), ("recommendation", "recommend")]
        return with_fields(pairs, over)

    def test_publish_required_fields(self):
        before = self.count()
        cookie, tok = self.csrf()
        for missing, field in (("title", "title"), ("lessons_learned", "lessons_learned"),
                               ("period.start", "period"), ("themes", "themes"),
                               ("about", "about")):
            pairs = self.rex_form("Fiche incomplète", tok, **{missing: None})
            if missing == "about":
                pairs = [p for p in pairs if p[0] != "about_other"]
            r = self.post("/publish", pairs, cookie)
            self.assertEqual(r.status, 422, f"{missing}: {r.text[:300]}")
            self.assertIn("La fiche n'a pas été publiée", r.text)
            self.assertIn(f"<code>{field}", r.text)
            # what was typed is kept in the form
            self.assertIn("Associer les agents tôt." if missing != "lessons_learned"
                          else "Six mois d&#39;essai.", r.text)
        bad = self.post("/publish", self.rex_form("Statut faux", tok, status="peut-etre"), cookie)
        self.assertEqual(bad.status, 422)
        self.assertEqual(self.post("/publish", self.rex_form("x", tok, type="vouch"), cookie).status,
                         400)
        self.assertEqual(self.count(), before)

    def test_publish_marks_every_faulty_field(self):
        """A form with several faults: all are listed at the top, each linked to its field;
        every faulty field is marked aria-invalid and described by its message beside it; what
        was typed is kept; nothing is stored. In English with the switch."""
        before = self.count()
        cookie, tok = self.csrf()
        pairs = self.rex_form("Plusieurs fautes", tok, lessons_learned=None, summary=None,
                              **{"period.start": "2025-02-30", "status": "fini"})
        r = self.post("/publish", pairs, cookie)
        self.assertEqual(r.status, 422, r.text[:300])
        text = r.text
        self.assertIn("La fiche n'a pas été publiée (4 erreurs)", text)
        summary = text[text.index('id="errors"'):text.index("</ul>", text.index('id="errors"'))]
        for key in ("summary", "status", "period.start", "lessons_learned"):
            with self.subTest(key):
                self.assertIn(f'<a href="#f-{key}">', summary)
                field = re.search(r'<(?:input|textarea|select)[^>]*id="f-' + re.escape(key) +
                                  r'"[^>]*>', text)
                self.assertIsNotNone(field, key)
                self.assertIn('aria-invalid="true"', field.group(0))
                self.assertIn(f'aria-describedby="e-{key}"', field.group(0))
                self.assertRegex(text, r'<span class="error" id="e-' + re.escape(key) + r'">')
        self.assertIn("champ obligatoire manquant", text)
        self.assertIn("valeur inconnue « fini » ; valeurs admises : idea (Idée)", text)
        self.assertIn("date « 2025-02-30 » invalide", text)
        # the fields without fault are not marked, and keep what was typed
        title = re.search(r'<input[^>]*id="f-title"[^>]*>', text).group(0)
        self.assertNotIn("aria-invalid", title)
        self.assertIn('value="Plusieurs fautes"', title)
        self.assertIn("Six mois d&#39;essai.", text)
        self.assertEqual(text.count('aria-invalid="true"'), 4)
        en = self.post("/publish", pairs, None,
                       {"Cookie": f"maille_csrf={cookie}; maille_lang=en"})
        self.assertEqual(en.status, 422, en.text[:300])
        self.assertIn("The record was not published (4 errors):", en.text)
        self.assertIn("missing required field", en.text)
        self.assertIn('unknown value "fini"', html.unescape(en.text))
        self.assertEqual(self.count(), before)

    def test_publish_edit_delete(self):
        cookie, tok = self.csrf()
        r = self.post("/publish", self.rex_form("Assistant RH : bilan à six mois", tok), cookie)
        self.assertEqual(r.status, 303, r.text[:500])
        loc = r.header("Location")
        self.assertTrue(loc.startswith("/entry/rex/assistant-rh-bilan-a-six-mois?territory="), loc)
        page = self.get(loc).text
        self.assertIn("Assistant RH : bilan à six mois", page)
        self.assertNotIn("<b>brut</b>", page)
        listed = self.js(self.a, "list", "--type", "rex")
        self.assertIn("rex/assistant-rh-bilan-a-six-mois", [i["path"] for i in listed])
        shown = self.js(self.a, "show", "rex/assistant-rh-bilan-a-six-mois")["body"]
        self.assertEqual(shown["about"], ["use_case/assistant-conversationnel-rh",
                                          "Une démarche de la Région, hors catalogue"])
        self.assertEqual(shown["description"]["fr"], "## Bilan\nUne **démarche** utile.\n<b>brut</b>")
        self.assertEqual(shown["contacts"], [{"email": "dsi@exemple-lyon.fr", "public": True}])
        # the same title again gets a path of its own: nothing is overwritten
        r2 = self.post("/publish", self.rex_form("Assistant RH : bilan à six mois", tok), cookie)
        self.assertIn("/entry/rex/assistant-rh-bilan-a-six-mois-2?", r2.header("Location"))

        # edit a record published by the CLI: fields the form does not show are kept
        form = self.get("/publish?edit=rex/a-modifier").text
        self.assertIn('value="Tableau de bord énergétique : premier bilan"', form)
        edited = self.rex_form("Tableau de bord énergétique : second bilan", tok,
                               edit="rex/a-modifier")
        r = self.post("/publish", edited, cookie)
        self.assertEqual(r.status, 303, r.text[:500])
        body = self.js(self.a, "show", "rex/a-modifier")["body"]
        self.assertEqual(body["title"]["fr"], "Tableau de bord énergétique : second bilan")
        self.assertEqual(body["partners"],
                         "Le centre de gestion de la fonction publique territoriale du Rhône")

        # delete: a tombstone; the page says it is gone
        r = self.post("/delete", [("csrf", tok), ("path", "rex/assistant-rh-bilan-a-six-mois-2"),
                                  ("confirm", "1")], cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        self.assertEqual(self.get("/entry/rex/assistant-rh-bilan-a-six-mois-2").status, 410)
        listed = self.js(self.a, "list", "--type", "rex")
        self.assertNotIn("rex/assistant-rh-bilan-a-six-mois-2", [i["path"] for i in listed])
        # someone else's or a missing path: 404, nothing written
        before = self.count()
        r = self.post("/delete", [("csrf", tok), ("path", "rex/aucune"), ("confirm", "1")], cookie)
        self.assertEqual(r.status, 404)
        self.assertEqual(self.count(), before)

    def common(self, tok, typ, title, **over):
        pairs = [("csrf", tok), ("type", typ), ("action", "publish"), ("title", title),
                 ("summary", "Une fiche publiée par le formulaire du catalogue web."),
                 ("description", "Une description en **Markdown**."),
                 ("themes", "donnees"), ("status", "pilot"), ("content_licence", "etalab-2.0")]
        return with_fields(pairs, over)

    def test_publish_other_types(self):
        cookie, tok = self.csrf("/publish?type=use_case")
        uc = self.common(tok, "use_case", "Tri des courriers entrants",
                         purpose="Orienter les courriers vers le bon service.",
                         decision_process="Un agent valide chaque orientation proposée.",
                         automation_level="decision_support", algorithm_type="machine_learning",
                         affected_public="Les habitants qui écrivent à la mairie.",
                         human_oversight="Validation systématique par un agent.",
                         risk1_name="Mauvaise orientation", risk1_description="Un retard de réponse",
                         risk1_mitigation="Relecture par le service destinataire",
                         ds1_name="Courriers numérisés", ds1_personal_data="identified")
        r = self.post("/publish", uc, cookie)
        self.assertEqual(r.status, 303, r.text[:600])
        body = self.js(self.a, "show", "use_case/tri-des-courriers-entrants")["body"]
        self.assertEqual(body["risks"], [{"name": "Mauvaise orientation",
                                          "description": "Un retard de réponse",
                                          "mitigation": "Relecture par le service destinataire"}])
        self.assertEqual(body["data_sources"], [{"name": "Courriers numérisés",
                                                 "personal_data": "identified"}])
        self.assertIs(body["individual_decisions"], False)
        # individual decisions need a legal basis and a recourse
        bad = self.post("/publish", uc + [("individual_decisions", "1")], cookie)
        self.assertEqual(bad.status, 422)
        self.assertIn("legal_basis", bad.text)
        nors = self.post("/publish", [p for p in uc if not p[0].startswith("risk1")], cookie)
        self.assertEqual(nors.status, 422)
        self.assertIn("<code>risks", nors.text)

        comp = self.common(tok, "component", "Moteur de recherche des délibérations",
                           component_kind="software", licence="AGPL-3.0-or-later",
                           repository_url="https://forge.exemple.fr/deliberations")
        self.assertEqual(self.post("/publish", comp, cookie).status, 303)
        norepo = self.post("/publish", [p for p in comp if p[0] != "repository_url"], cookie)
        self.assertEqual(norepo.status, 422)
        self.assertIn("repository_url", norepo.text)

        meth = self.common(tok, "methodology", "Charte de la donnée municipale",
                           method_kind="charter", audience="elected")
        meth += [("covers", "data_governance"), ("covers", "transparency")]
        self.assertEqual(self.post("/publish", meth, cookie).status, 303)
        body = self.js(self.a, "show", "methodology/charte-de-la-donnee-municipale")["body"]
        self.assertEqual(body["covers"], ["data_governance", "transparency"])
        nocov = self.post("/publish", [p for p in meth if p[0] != "covers"], cookie)
        self.assertEqual(nocov.status, 422)

    def test_find_about_in_form(self):
        cookie, tok = self.csrf()
        pairs = self.rex_form("Recherche dans le formulaire", tok, action="find",
                              about=None, about_q="assistant conversationnel")
        r = self.post("/publish", pairs, cookie)
        self.assertEqual(r.status, 200)
        self.assertIn('value="use_case/assistant-conversationnel-rh"', r.text)
        self.assertIn('value="Recherche dans le formulaire"', r.text)  # typed fields kept

    def test_size_limits(self):
        before = self.count()
        cookie, tok = self.csrf()
        big = form_body(self.rex_form("Trop gros", tok, description="é" * 400000)).encode()
        h = dict(FORM_CT, Cookie=f"maille_csrf={cookie}")
        self.assertEqual(raw_post(self.web.port, "/publish", big,
                                  dict(h, **{"Content-Length": str(len(big))})), 413)
        # chunked, no Content-Length: cut at the limit too
        chunk = b"a" * 65536
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(12)) + b"0\r\n\r\n"
        self.assertEqual(raw_post(self.web.port, "/publish", chunked,
                                  dict(h, **{"Transfer-Encoding": "chunked"})), 413)
        fields = "&".join(f"k{i}=v" for i in range(300))
        r = http_req(self.web.port, "POST", "/publish", body=fields + f"&csrf={tok}",
                 headers=dict(FORM_CT, Cookie=f"maille_csrf={cookie}"))
        self.assertEqual(r.status, 400)
        self.assertGreaterEqual(self.get("/catalogue?q=" + "a" * 3000).status, 400)
        r = self.get("/catalogue", headers={"X-Filler": "b" * 70000})
        self.assertGreaterEqual(r.status, 400)
        self.assertEqual(self.count(), before)
        self.assertEqual(self.get("/").status, 200)  # still serving

    def test_host_rebinding_refused(self):
        """A site that rebinds its own name to 127.0.0.1 sends its name as Host: nothing is
        served to it, not a page, not the API, and no form is taken, whatever Origin says."""
        before = self.count()
        cookie, tok = self.csrf()
        port = self.web.port
        evil = {"Host": f"attaquant.example:{port}"}
        for path in ("/", "/catalogue", "/api/status", "/api/entries",
                     "/entry/rex/chatbot-rh-un-an-apres", "/publish?type=rex", "/login"):
            r = self.get(path, headers=evil)
            self.assertEqual(r.status, 421, f"{path}: {r.text[:300]}")
            self.assertNotIn("Chatbot RH", r.text)
            self.assertNotIn(self.key_a, r.text)
            self.assertNotIn("maille_csrf", r.cookies())
        self.assertIn("ne répond pas à ce nom d&#39;hôte", self.get("/", headers=evil).text)
        self.assertIn("error", self.get("/api/status", headers=evil).json())
        # a form with a valid cookie and token, the Origin faked to match the Host
        pairs = self.rex_form("Publié par un site tiers", tok)
        for h in (evil, dict(evil, Origin=f"http://attaquant.example:{port}")):
            r = self.post("/publish", pairs, cookie, h)
            self.assertEqual(r.status, 421, r.text[:300])
        dele = self.post("/delete", [("csrf", tok), ("path", "rex/chatbot-rh-un-an-apres"),
                                     ("confirm", "1")], cookie,
                         dict(evil, Origin=f"http://attaquant.example:{port}"))
        self.assertEqual(dele.status, 421)
        # the right name on the wrong port, or without its port (80), is another server
        for host in (f"127.0.0.1:{port + 1 if port < 65535 else 1}", "127.0.0.1", "localhost",
                     f"127.0.0.1.attaquant.example:{port}", f"localhost.:{port}",
                     f"user@127.0.0.1:{port}"):
            self.assertEqual(self.get("/", headers={"Host": host}).status, 421, host)
        self.assertEqual(self.count(), before)
        self.assertIn("WEB-HOST", self.web.log())
        self.assertIn("attaquant.example", self.web.log())

    def test_origin_checked_against_allow_list(self):
        """Origin and Referer must name this server by the allow-list, never merely match
        the request's own Host."""
        before = self.count()
        cookie, tok = self.csrf()
        port = self.web.port
        pairs = self.rex_form("Refusé pour son origine", tok)
        for h in ({"Origin": f"http://attaquant.example:{port}"},
                  {"Origin": f"https://127.0.0.1:{port}"},
                  {"Origin": f"http://127.0.0.1:{port + 1 if port < 65535 else 1}"},
                  {"Referer": f"http://attaquant.example:{port}/publish"}):
            r = self.post("/publish", pairs, cookie, h)
            self.assertEqual(r.status, 403, f"{h}: {r.text[:300]}")
        self.assertEqual(self.count(), before)
        # the names of this server are all accepted as an origin, whatever the Host
        for origin in (f"http://localhost:{port}", f"http://[::1]:{port}"):
            r = self.post("/publish", self.rex_form(f"Origine {origin}", tok), cookie,
                          {"Origin": origin, "Host": f"127.0.0.1:{port}"})
            self.assertEqual(r.status, 303, f"{origin}: {r.text[:300]}")

    def test_damaged_store_mark_refuses_forms(self):
        """While `maille check` has marked the store damaged, the forms store nothing and
        say why (503), like the command line's writes; the catalogue still reads."""
        mark = os.path.join(self.a, "store.corrupt")
        with open(mark, "w", encoding="utf-8") as f:
            f.write("store: page 7 is damaged\n")
        try:
            before = self.count()
            cookie, tok = self.csrf()
            r = self.post("/publish", self.rex_form("Pendant la réparation", tok), cookie)
            self.assertEqual(r.status, 503, r.text[:300])
            self.assertIn("endommagé", r.text)
            self.assertEqual(self.count(), before)
            self.assertEqual(self.get("/catalogue").status, 200)
        finally:
            os.unlink(mark)
        cookie, tok = self.csrf()
        r = self.post("/publish", self.rex_form("Après la réparation", tok), cookie)
        self.assertEqual(r.status, 303, r.text[:300])

    def test_allowed_hosts(self):
        port = self.web.port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}",
                     f"LocalHost:{port}"):
            r = self.get("/api/status", headers={"Host": host})
            self.assertEqual(r.status, 200, f"{host}: {r.text[:300]}")
            self.assertEqual(r.json()["key"], self.key_a)

    def test_too_many_query_parameters(self):
        """libmicrohttpd ran out of its connection memory storing ~1000 parameters and the
        client waited 30 s for nothing: the answer is a 414 at once (the socket's timeout
        is the deadline), and the server goes on."""
        q = "&".join(f"theme{i}=ia" for i in range(1000))
        r = http_req(self.web.port, "GET", "/catalogue?" + q, timeout=10)
        self.assertEqual(r.status, 414)
        self.assertIn("trop de paramètres", r.text)
        r = http_req(self.web.port, "GET", "/api/entries?" + q, timeout=10)
        self.assertEqual(r.status, 414)
        self.assertEqual(r.json()["status"], 414)
        r = http_req(self.web.port, "GET", "/catalogue?" + "&".join(["a=1"] * 256), timeout=10)
        self.assertEqual(r.status, 200)
        r = http_req(self.web.port, "GET", "/catalogue?" + "&".join(["a=1"] * 257), timeout=10)
        self.assertEqual(r.status, 414)
        r = http_req(self.web.port, "GET", "/catalogue?q=" + "a" * 9000, timeout=10)
        self.assertEqual(r.status, 414)
        self.assertEqual(self.get("/").status, 200)

    def test_too_many_headers(self):
        many = {f"X-Champ-{i}": "valeur" for i in range(150)}
        r = http_req(self.web.port, "GET", "/", headers=many, timeout=10)
        self.assertEqual(r.status, 431)
        self.assertIn("trop nombreux", r.text)
        # near the end of the connection's memory (a bare 431), and past it (libmicrohttpd's)
        for n in (1500, 1650, 2500):
            lots = {f"X-Champ-{i}": "v" for i in range(n)}
            r = http_req(self.web.port, "GET", "/", headers=lots, timeout=10)
            self.assertEqual(r.status, 431, n)
        cookies = "; ".join(f"c{i}=1" for i in range(300))
        r = http_req(self.web.port, "GET", "/", headers={"Cookie": cookies}, timeout=10)
        self.assertEqual(r.status, 431)
        self.assertEqual(self.get("/").status, 200)

    def test_zz_rate_limit(self):
        # runs last (unittest orders by name): it empties this address's POST bucket
        codes = [self.post("/publish", [("a", "b")]).status for _ in range(90)]
        self.assertIn(429, codes)
        self.assertEqual(codes[0], 403)
        self.assertEqual(self.get("/").status, 200)  # reads from loopback are not limited


class TokenTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.begin_with_node("maille-web-token-", "t", "Communauté d'agglomération du Pays Exemple",
                            "Réseau des tests")

    def test_token(self):
        # not loopback without a token file: refused at start
        rc, _, err = self.m(self.a, "node", "--listen", "127.0.0.1:0", "--web", "0.0.0.0:0")
        self.assertEqual(rc, 1)
        self.assertIn("--web-token-file", err)
        short = os.path.join(self.tmp, "short.token")
        with open(short, "w") as f:
            f.write("court\n")
        rc, _, err = self.m(self.a, "node", "--listen", "127.0.0.1:0", "--web", "0.0.0.0:0",
                            "--web-token-file", short)
        self.assertEqual(rc, 1)
        rc, _, err = self.m(self.a, "node", "--no-web", "--web", "127.0.0.1:0")
        self.assertEqual(rc, 2)

        token = "jeton-de-test-7f3a9c2e51d04b68"
        self.web = self.web_with_token(token, "web.token")
        self.assertIn("access token required", self.web.log())
        self.assertNotIn(token, self.web.log())
        for path in ("/", "/catalogue", "/network", "/entry/territory"):
            r = self.get(path)
            self.assertEqual(r.status, 401, path)
            self.assertIn('action="/login"', r.text)
        r = self.get("/api/status")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.header("WWW-Authenticate"), "Bearer")
        self.assertEqual(self.get("/api/status", headers={"Authorization": "Bearer " + token}).status,
                         200)
        self.assertEqual(self.get("/api/status", headers={"Authorization": "Bearer x" + token}).status,
                         401)
        self.assertEqual(self.get("/static/maille.css").status, 200)
        # the login form: wrong token, then the right one
        cookie, tok = self.csrf("/login")
        wrong = self.post("/login", [("csrf", tok), ("token", "pas-le-bon-jeton-0000"),
                                     ("next", "/catalogue")], cookie)
        self.assertEqual(wrong.status, 401)
        nocsrf = self.post("/login", [("token", token)], cookie)
        self.assertEqual(nocsrf.status, 403)
        good = self.post("/login", [("csrf", tok), ("token", token), ("next", "/catalogue")], cookie)
        self.assertEqual(good.status, 303)
        self.assertEqual(good.header("Location"), "/catalogue")
        # a next page with a line break cannot add a header
        split = self.post("/login", [("csrf", tok), ("token", token),
                                     ("next", "/catalogue\r\nSet-Cookie: injecte=1")], cookie)
        self.assertEqual(split.header("Location"), "/")
        self.assertNotIn("injecte", split.cookies())
        session = good.cookies()["maille_session"]
        self.assertNotIn(token, session)
        h = {"Cookie": f"maille_session={session}; maille_csrf={cookie}"}
        self.assertEqual(self.get("/catalogue", headers=h).status, 200)
        forged = session[:-1] + ("0" if session[-1] != "0" else "1")
        self.assertEqual(self.get("/catalogue", headers={"Cookie": f"maille_session={forged}"}).status,
                         401)
        # signing out ends the session on the server: the old cookie, replayed, is refused
        other = self.post("/login", [("csrf", tok), ("token", token)], cookie)
        other_session = other.cookies()["maille_session"]
        self.assertNotEqual(other_session, session)
        out = http_req(self.web.port, "POST", "/logout", body=form_body([("csrf", tok)]),
                       headers=dict(FORM_CT, **h))
        self.assertEqual(out.status, 303)
        self.assertEqual(out.cookies().get("maille_session"), "")
        for path in ("/catalogue", "/api/status"):
            self.assertEqual(self.get(path, headers=h).status, 401, path)
        self.assertIn("signed out", self.web.log())
        # another session is not affected, and its pages offer to sign out
        h2 = {"Cookie": f"maille_session={other_session}; maille_csrf={cookie}"}
        page = self.get("/catalogue", headers=h2)
        self.assertEqual(page.status, 200)
        out_tok = re.search(r'action="/logout"><input type="hidden" name="csrf" '
                            r'value="([0-9a-f]{64})"', page.text).group(1)
        out = http_req(self.web.port, "POST", "/logout", body=form_body([("csrf", out_tok)]),
                       headers=dict(FORM_CT, **h2))
        self.assertEqual(out.status, 303)
        self.assertEqual(self.get("/catalogue", headers=h2).status, 401)
        # failed logins are rate-limited
        codes = [self.post("/login", [("csrf", tok), ("token", "mauvais-jeton-00000000")],
                           cookie).status for _ in range(8)]
        self.assertIn(429, codes)
        self.web.stop()
        self.daemons.remove(self.web)

    def test_web_address_in_use(self):
        # an address given explicitly that cannot be served stops the start
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        try:
            port = s.getsockname()[1]
            rc, _, err = self.m(self.a, "node", "--listen", "127.0.0.1:0", "--web",
                                f"127.0.0.1:{port}")
            self.assertEqual(rc, 1)
            self.assertIn("cannot serve the web catalogue", err)
        finally:
            s.close()


class HostTest(Base):
    """The Host allow-list on other addresses: IPv6 loopback, and web.hosts off loopback."""

    @classmethod
    def setUpClass(cls):
        cls.begin_with_node("maille-web-host-", "h", "Commune de Saint-Exemple-sur-Loire",
                            "Réseau des tests")
        cls.key = cls.js(cls.a, "whoami")["key"]

    def conf(self, text):
        with open(os.path.join(self.a, "maille.conf"), "a", encoding="utf-8") as f:
            f.write(text)

    def conf_reset(self, saved):
        with open(os.path.join(self.a, "maille.conf"), "w", encoding="utf-8") as f:
            f.write(saved)

    def saved_conf(self):
        with open(os.path.join(self.a, "maille.conf"), encoding="utf-8") as f:
            return f.read()

    def test_ipv6_loopback(self):
        try:
            s = socket.socket(socket.AF_INET6)
            s.bind(("::1", 0))
            s.close()
        except OSError:
            self.skipTest("no IPv6 loopback here")
        web = WebDaemon(self.a, web="[::1]:0")
        self.daemons.append(web)
        self.assertTrue(web.web.startswith("[::1]:"), web.web)
        for host in (f"[::1]:{web.port}", f"127.0.0.1:{web.port}", f"localhost:{web.port}"):
            r = http_req(web.port, "GET", "/api/status", headers={"Host": host}, addr="::1")
            self.assertEqual(r.status, 200, host)
        r = http_req(web.port, "GET", "/api/status", headers={"Host": f"attaquant.example:{web.port}"},
                     addr="::1")
        self.assertEqual(r.status, 421)
        web.stop()
        self.daemons.remove(web)

    def test_web_hosts(self):
        saved = self.saved_conf()
        try:
            # a bad value stops every command with the file and line
            self.conf("web.hosts = catalogue.exemple.fr:99999\n")
            rc, _, err = self.m(self.a, "status")
            self.assertEqual(rc, 1)
            self.assertIn("maille.conf, line", err)
            self.assertIn("web.hosts", err)
            self.conf_reset(saved)
            self.conf("web.hosts = " + ", ".join(f"n{i}.exemple.fr" for i in range(17)) + "\n")
            self.assertEqual(self.m(self.a, "status")[0], 1)
            self.conf_reset(saved)
            # off loopback (every address, with the token it then needs): the names of
            # web.hosts, with the listening port, and the loopback names; nothing else
            self.conf("web.hosts = Catalogue.Exemple-Loire.fr, 192.0.2.10 [2001:db8::a]\n")
            token = "jeton-des-noms-8c2f71d0a9e4"
            web = self.web_with_token(token, "web.token")
            self.assertIn("catalogue.exemple-loire.fr", web.log())
            bearer = {"Authorization": "Bearer " + token}
            for host in (f"catalogue.exemple-loire.fr:{web.port}", f"192.0.2.10:{web.port}",
                         f"[2001:db8::a]:{web.port}", f"127.0.0.1:{web.port}",
                         f"localhost:{web.port}"):
                r = http_req(web.port, "GET", "/api/status", headers=dict(bearer, Host=host))
                self.assertEqual(r.status, 200, host)
                self.assertEqual(r.json()["key"], self.key)
                # without the token: the Host is right, the token is missing
                self.assertEqual(http_req(web.port, "GET", "/", headers={"Host": host}).status,
                                 401, host)
            for host in (f"attaquant.example:{web.port}", "catalogue.exemple-loire.fr",
                         f"catalogue.exemple-loire.fr:{web.port + 1 if web.port < 65535 else 1}",
                         f"0.0.0.0:{web.port}", f"192.0.2.11:{web.port}"):
                r = http_req(web.port, "GET", "/api/status", headers=dict(bearer, Host=host))
                self.assertEqual(r.status, 421, host)
            web.stop()
            self.daemons.remove(web)
        finally:
            self.conf_reset(saved)

    def test_web_hosts_behind_tls_front(self):
        """A name declared with its port (a reverse proxy serving https on 443) is accepted
        as that Host, with or without the port a browser leaves out, and as an https
        Origin; an https Origin of any other name, or of a name declared without port (the
        server itself speaks plain HTTP), is refused."""
        saved = self.saved_conf()
        try:
            self.conf("web.hosts = catalogue.exemple-loire.fr:443, interne.exemple-loire.fr\n")
            token = "jeton-du-mandataire-5d1e09b7c3"
            web = self.web_with_token(token, "web-front.token")
            bearer = {"Authorization": "Bearer " + token}
            for host, status in (("catalogue.exemple-loire.fr", 200),
                                 ("catalogue.exemple-loire.fr:443", 200),
                                 ("catalogue.exemple-loire.fr:80", 421),
                                 (f"catalogue.exemple-loire.fr:{web.port}", 421),
                                 (f"interne.exemple-loire.fr:{web.port}", 200),
                                 ("interne.exemple-loire.fr:443", 421)):
                r = http_req(web.port, "GET", "/api/status", headers=dict(bearer, Host=host))
                self.assertEqual(r.status, status, host)
            front = {"Host": "catalogue.exemple-loire.fr"}
            r = http_req(web.port, "GET", "/login", headers=front)
            self.assertEqual(r.status, 200, r.text[:300])
            cookie = r.cookies()["maille_csrf"]
            tok = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text).group(1)
            pairs = [("csrf", tok), ("token", token), ("next", "/catalogue")]

            def login(origin):
                h = dict(FORM_CT, Cookie=f"maille_csrf={cookie}", Origin=origin, **front)
                return http_req(web.port, "POST", "/login", body=form_body(pairs), headers=h)

            for origin in ("https://attaquant.example", f"https://interne.exemple-loire.fr:{web.port}",
                           "https://catalogue.exemple-loire.fr:8443", "http://catalogue.exemple-loire.fr"):
                self.assertEqual(login(origin).status, 403, origin)
            self.assertEqual(login("https://catalogue.exemple-loire.fr").status, 303)
            web.stop()
            self.daemons.remove(web)
        finally:
            self.conf_reset(saved)


class TimezoneTest(Base):
    """A node whose maille.conf says timezone = Pacific/Noumea (UTC+11 all year) shows its
    pages' dates in that zone; the API keeps RFC 3339 in UTC."""

    @classmethod
    def setUpClass(cls):
        cls.begin_with_node("maille-web-tz-", "n", "Province Sud")
        with open(os.path.join(cls.a, "maille.conf"), "a") as f:
            f.write("timezone = Pacific/Noumea\n")
        cls.publish(cls.a, "tz.md", RECORD.format(
            path="rex/heure-de-noumea", title="Une fiche à l'heure de Nouméa",
            sujet="un fuseau horaire", mot="fuseau"))
        cls.web = WebDaemon(cls.a)
        cls.daemons.append(cls.web)

    def test_dates_in_the_zone(self):
        import datetime
        api = self.get("/api/entries/rex/heure-de-noumea").json()
        self.assertTrue(api["timestamp"].endswith("Z"), api["timestamp"])
        utc = datetime.datetime.strptime(api["timestamp"][:19], "%Y-%m-%dT%H:%M:%S")
        local = utc + datetime.timedelta(hours=11)
        months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                  "septembre", "octobre", "novembre", "décembre"]
        day = f"{local.day}{'er' if local.day == 1 else ''}"
        want = f"{day} {months[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"
        page = self.get("/entry/rex/heure-de-noumea").text
        self.assertIn(f"mise à jour le {want}</p>", page)
        en = self.get("/entry/rex/heure-de-noumea", headers={"Cookie": "maille_lang=en"}).text
        en_months = ["January", "February", "March", "April", "May", "June", "July", "August",
                     "September", "October", "November", "December"]
        self.assertIn(f"updated {local.day} {en_months[local.month - 1]} {local.year}, "
                      f"{local.hour:02d}:{local.minute:02d}</p>", en)


class SignatureTest(Base):
    """What the web calls "signature vérifiée" is checked when the entry is read: an entry
    whose stored bytes were altered is not shown as verified, nor its content shown."""

    @classmethod
    def setUpClass(cls):
        cls.begin_with_node("maille-web-sig-", "s", "Métropole de Lyon")

    def test_altered_entry(self):
        a = self.a
        self.publish(a, "sain.md", RECORD.format(
            path="rex/registre-sain", title="Registre des algorithmes : bilan sain",
            sujet="un registre", mot="registre"))
        self.publish(a, "altere.md", RECORD.format(
            path="rex/registre-altere", title="Registre des algorithmes : bilan intermédiaire",
            sujet="un registre public", mot="registre"))
        # the daemon is not running: alter one byte of the title in the stored entry (the
        # encoding stays canonical, the signature no longer holds)
        db = sqlite3.connect(os.path.join(a, "store.sqlite"))
        raw = bytearray(db.execute("SELECT raw FROM entries WHERE path = ?",
                                   ("rex/registre-altere",)).fetchone()[0])
        i = raw.find("bilan intermédiaire".encode())
        self.assertGreater(i, 0)
        raw[i] ^= 0x20  # "bilan" -> "Bilan"
        db.execute("UPDATE entries SET raw = ? WHERE path = ?", (bytes(raw), "rex/registre-altere"))
        db.commit()
        db.close()
        self.assertEqual(self.m(a, "show", "rex/registre-altere")[0], 1)  # the CLI refuses it
        self.web = WebDaemon(a)
        self.daemons.append(self.web)
        key = self.js(a, "whoami")["key"]
        good = self.get(f"/entry/rex/registre-sain?territory={key}")
        self.assertEqual(good.status, 200)
        self.assertIn("signature vérifiée", good.text)
        self.assertTrue(self.get("/api/entries/rex/registre-sain").json()["signature_verified"])
        for path in ("/entry/rex/registre-altere", f"/entry/rex/registre-altere?territory={key}"):
            page = self.get(path)
            self.assertNotIn("signature vérifiée", page.text)
            self.assertNotIn("Bilan intermédiaire", page.text)
            self.assertIn("Signature invalide", page.text)
            self.assertEqual(page.status, 500)
        api = self.get("/api/entries/rex/registre-altere")
        j = api.json()
        self.assertIs(j["signature_verified"], False)
        self.assertNotIn("body", j)
        self.assertNotIn("Bilan intermédiaire", api.text)
        self.assertEqual(api.status, 500)
        # nor is it offered for editing (an edit keeps the fields the form does not show)
        edit = self.get("/publish?edit=rex/registre-altere")
        self.assertEqual(edit.status, 500)
        self.assertNotIn("Bilan intermédiaire", edit.text)
        self.assertIn("WEB-SIGNATURE", self.web.log())


class PeerTest(Base):
    """An entry published through the web form (the web thread's own store handle) reaches a
    second node like a `maille publish` does: the daemon notices the write and pushes it."""

    @classmethod
    def setUpClass(cls):
        cls.begin_with_node("maille-web-peer-", "pa", "Métropole de Lyon")
        cls.b = cls.node("pb", "Département de la Drôme")
        fed = os.path.join(cls.tmp, "fed.export")
        cls.ok(cls.a, "federation", "export", fed)
        cls.ok(cls.b, "federation", "import", fed)
        cls.web = WebDaemon(cls.a)
        cls.daemons.append(cls.web)

    def test_reaches_peer(self):
        webb = WebDaemon(self.b)
        self.daemons.append(webb)
        self.ok(self.b, "peer", "add", self.web.addr)
        cookie, tok = self.csrf()
        pairs = WebTest.rex_form(self, "Retour publié depuis le web", tok)
        r = self.post("/publish", pairs, cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        path = "rex/retour-publie-depuis-le-web"

        def on_b():
            items = self.js(self.b, "list", "--all")
            return any(i["path"] == path for i in items)
        wait_for(on_b, 30, "the web-published entry on node B")
        # and B's own web catalogue shows it (A is not trusted there: ?all=1, marked)
        page = http_req(webb.port, "GET", "/catalogue?all=1").text
        self.assertIn("Retour publié depuis le web", page)
        self.assertIn("non reconnu", page)
        self.assertNotIn("Retour publié depuis le web", http_req(webb.port, "GET", "/catalogue").text)
        # trusting A on B shows A's entries in B's catalogue within 2 s
        key_a = self.js(self.a, "whoami")["key"]
        self.ok(self.b, "trust", key_a)
        t0 = time.monotonic()
        wait_for(lambda: "Retour publié depuis le web" in http_req(webb.port, "GET", "/catalogue").text,
                 10, "the trusted territory's entry in B's catalogue")
        self.assertLess(time.monotonic() - t0, 2.5)

    def test_member_attribution(self):
        """An entry a member's key signed shows as "member name (territory)"."""
        m = os.path.join(self.tmp, "membre")
        self.ok(m, "init", "--member", "--name", "Poste de Camille")
        self.js(m, "join", self.js(self.a, "invite")["token"])
        km = self.js(m, "whoami")["key"]
        ka = self.js(self.a, "whoami")["key"]
        self.js(self.a, "member", "add", km, "--name", "Camille Martin", "--prefix", "rex/")
        self.ok(m, "sync", self.web.addr)
        p = os.path.join(self.tmp, "membre.md")
        with open(p, "w", encoding="utf-8") as f:
            f.write(RECORD.format(path="rex/par-un-membre", title="Écrit par un membre",
                                  sujet="la saisie par les agents", mot="membre"))
        self.ok(m, "publish", p)
        self.ok(m, "sync", self.web.addr)
        page = http_req(self.web.port, "GET", f"/entry/rex/par-un-membre?territory={ka}")
        self.assertEqual(page.status, 200, page.text[:300])
        self.assertIn("Camille Martin (Métropole de Lyon)", page.text)
        self.assertIn(f"<code>{km[:8]}</code>", page.text)
        api = http_req(self.web.port, "GET", f"/api/entries/rex/par-un-membre?territory={ka}").json()
        self.assertEqual(api["signer"], km)
        self.assertEqual(api["signer_name"], "Camille Martin (Métropole de Lyon)")
        members = http_req(self.web.port, "GET", f"/territory/{ka}").text
        self.assertIn("Camille Martin", members)
        # the member's own node publishes through its web form, for its territory
        webm = WebDaemon(m)
        self.daemons.append(webm)
        r = http_req(webm.port, "GET", "/publish?type=rex")
        self.assertEqual(r.status, 200, r.text[:300])
        cookie = r.cookies().get("maille_csrf")
        tok = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text).group(1)
        pairs = WebTest.rex_form(self, "Publié depuis le poste d'un membre", tok)
        h = dict(FORM_CT)
        h["Cookie"] = f"maille_csrf={cookie}"
        r = http_req(webm.port, "POST", "/publish", body=form_body(pairs), headers=h)
        self.assertEqual(r.status, 303, r.text[:300])
        self.ok(m, "sync", self.web.addr)
        row = [i for i in self.js(self.a, "list")
               if i["path"] == "rex/publie-depuis-le-poste-d-un-membre"]
        self.assertEqual(len(row), 1, row)
        self.assertEqual((row[0]["author"], row[0]["signer"]), (ka, km))
        self.assertEqual(row[0]["author_name"], "Camille Martin (Métropole de Lyon)")
        # removed: the member's form is refused, nothing stored
        self.js(self.a, "member", "remove", km)
        self.ok(m, "sync", self.web.addr)
        n = self.js(m, "status")["count"]
        pairs = WebTest.rex_form(self, "Après le retrait", tok)
        r = http_req(webm.port, "POST", "/publish", body=form_body(pairs), headers=h)
        self.assertEqual(r.status, 403, r.text[:300])
        self.assertEqual(self.js(m, "status")["count"], n)


if __name__ == "__main__":
    harness.MAILLE = sys.argv.pop(1)
    FORGE = sys.argv.pop(1)
    unittest.main(verbosity=2)
