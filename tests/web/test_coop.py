#!/usr/bin/env python3
"""HTTP tests of the cooperation pages and forms of the web catalogue (PROTOCOL.md §5), on
real `maille node` daemons.

Usage: test_coop.py MAILLE_BINARY CLI_FORGE

Three territories: A (Métropole de Lyon, the web catalogue under test) trusts B (Ville de
Villeurbanne); C (Département de l'Isère) is in the federation but not trusted by A. A
publishes a call, a label and a component; B publishes a REX about the component; the acts
(interests, awards, comments) are signed by each node with cli-forge (what any software can
send) or written through the web forms, and reach A by `maille sync`. Checked: /cooperation
and the home page, a call's interests, the labels a record holds (a forged award of another
territory not shown, an older version said so), the thread (replies indented, an untrusted
author's comment folded and counted, a hidden one marked without its text), the limited
Markdown of comments, "Utilisé par", the territory page, an act's own page, the forms with
and without their CSRF token, the publish form's cooperation checks, the status filter and
the feed. Every daemon must exit 0 on SIGTERM."""
import hashlib
import json
import os
import re
import sqlite3
import sys
import time
import unittest

import harness
from harness import WebDaemon, wait_for
from test_web import FORM_CT, form_body, http_req

# the call and the component the browser test publishes
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
from run_browser import SAMPLES  # noqa: E402

CALL = SAMPLES["call-transcription.md"]
COMPONENT = SAMPLES["comp-registre.md"]

CALL_LATER = """---
type: call
path: call/hebergement-mutualise
title: Héberger ensemble les modèles de langue
summary: Un hébergement mutualisé des petits modèles de langue entre collectivités.
themes: [sobriete-numerique]
status: open
cooperation: shared_hosting
need: Un hébergement souverain et sobre pour les assistants des agents.
contributions: [{kind: budget, description: Une part des frais d'hébergement.}]
deadline: 2027-09-30
---
Sans date limite proche.
"""

CALL_CLOSED = """---
type: call
path: call/etude-impact-cantines
title: Étude partagée sur les menus des cantines
summary: Une étude de l'outil de prévision des repas, menée à trois collectivités.
themes: [ia-democratie]
status: closed
cooperation: shared_study
need: Mesurer l'effet de la prévision des repas sur le gaspillage.
outcome: Le rapport commun est publié ; le gaspillage a baissé d'un tiers.
---
Appel clos.
"""

LABEL = """---
type: label
path: label/algorithme-transparent
title: Algorithme public transparent
summary: Un label pour les traitements algorithmiques documentés et publiés au registre.
themes: [transparence-algorithmes]
status: production
criteria: [{id: registre, text: Le traitement est décrit au registre des algorithmes publics.}, {id: recours, text: Une voie de recours humaine est indiquée.}]
evidence: Le lien vers la fiche du registre.
validity_months: 24
---
Délivré par le comité d'éthique du numérique de la Métropole.
"""

REX = """---
type: rex
path: rex/registre-en-service
title: Notre registre des algorithmes, un an après
summary: Retour d'expérience de la mise en service du registre des algorithmes publics.
themes: [transparence-algorithmes]
status: production
about: [component/registre-des-algorithmes]
declaration: referent_expert
period:
  start: 2025-01-06
context: Une ville qui voulait publier ses traitements algorithmiques.
objectives: Rendre compte aux habitants.
what_was_done: La mise en service du registre et la rédaction de douze fiches.
difficulties: Recenser les traitements des prestataires.
lessons_learned: Commencer par les traitements qui décident pour les habitants.
---
Un registre utile.
"""

MARKDOWN = ("# Pas un titre\n\nNous avons *le même* besoin, **vraiment**. Voir "
            "[notre cahier](https://exemple-villeurbanne.fr/cahier) et "
            "[ce piège](javascript:alert(1)). <b>gras brut</b> ![image](https://exemple.fr/i.png)\n"
            "```\ncode\n```\n\n- premier point\n- second point\n")


def digest(key_hex, path):
    """proto_coop_digest: 32 hex of BLAKE2b-128("maille/1 target" || key || path)."""
    return hashlib.blake2b(b"maille/1 target" + bytes.fromhex(key_hex) + path.encode(),
                           digest_size=16).hexdigest()


class CoopTest(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-web-coop-")
        cls.a = cls.init("a", "Métropole de Lyon", kind="metropole")
        cls.b = cls.init("b", "Ville de Villeurbanne", siren="216902643")
        cls.c = cls.init("c", "Département de l'Isère", siren="223800012")
        cls.ok(cls.a, "federation", "new", "--name", "Coalition IA responsable (tests)")
        fed = cls.path("fed.export")
        cls.ok(cls.a, "federation", "export", fed)
        for d in (cls.b, cls.c):
            cls.ok(d, "federation", "import", fed)
        cls.ka, cls.kb, cls.kc = (cls.key(d) for d in (cls.a, cls.b, cls.c))
        cls.ok(cls.a, "trust", cls.kb)
        cls.ok(cls.b, "trust", cls.ka)
        cls.publish(cls.a, "call.md", CALL)
        cls.publish(cls.a, "call2.md", CALL_LATER)
        cls.publish(cls.a, "call3.md", CALL_CLOSED)
        cls.publish(cls.a, "label.md", LABEL)
        cls.publish(cls.a, "comp.md", COMPONENT)
        cls.publish(cls.b, "rex.md", REX)
        cls.call = "call/transcription-des-seances"
        cls.label = "label/algorithme-transparent"
        cls.comp = "component/registre-des-algorithmes"
        comp_id = [e for e in cls.js(cls.a, "list") if e["path"] == cls.comp][0]["id"]
        cls.web = WebDaemon(cls.a)
        cls.daemons.append(cls.web)

        call_t = {"territory": cls.ka, "path": cls.call}
        dcall = digest(cls.ka, cls.call)
        cls.forge(cls.b, f"interest/{dcall}", {
            "type": "interest", "call": call_t, "role": "co_developer",
            "message": "Nous pouvons tester l'outil sur nos conseils municipaux dès janvier."})
        cls.c1 = f"comment/{dcall}/00000000000000b1"
        cls.forge(cls.b, cls.c1, {"type": "comment", "target": call_t,
                                  "text": "Quel *calendrier* envisagez-vous ?"})
        cls.forge(cls.b, f"comment/{digest(cls.kb, cls.c1)}/00000000000000b2", {
            "type": "comment", "target": {"territory": cls.kb, "path": cls.c1},
            "text": "Réponse : le budget est voté en mars."})
        cls.forge(cls.c, f"comment/{dcall}/00000000000000c1", {
            "type": "comment", "target": call_t, "text": "Texte d'un territoire non reconnu."})
        # the label's own award, and a forged one by B for A's label (not B's to give)
        dcomp, dlabel = digest(cls.ka, cls.comp), digest(cls.ka, cls.label)
        award = {"type": "award", "label": {"territory": cls.ka, "path": cls.label},
                 "target": {"territory": cls.ka, "path": cls.comp, "entry": comp_id},
                 "criteria": ["registre"], "awarded": "2026-12-07", "until": "2028-12-31"}
        cls.forge(cls.a, f"award/{dcomp}/{dlabel}", award)
        cls.forge(cls.b, f"award/{dcomp}/{dlabel}", dict(award, until="2031-01-01"))
        # an award past its end (to the call, whose page then says so)
        call_id = [e for e in cls.js(cls.a, "list") if e["path"] == cls.call][0]["id"]
        cls.forge(cls.a, f"award/{digest(cls.ka, cls.call)}/{dlabel}", dict(
            award, target={"territory": cls.ka, "path": cls.call, "entry": call_id},
            awarded="2019-01-07", until="2020-01-06"))
        # a comment this node hides (store_hide's row)
        cls.hidden = f"comment/{dcall}/00000000000000a1"
        cls.forge(cls.a, cls.hidden, {"type": "comment", "target": call_t,
                                       "text": "Un message hors sujet à masquer."})
        db = sqlite3.connect(os.path.join(cls.a, "store.sqlite"))
        db.execute("INSERT INTO hidden(territory, path, reason, at) VALUES(?, ?, ?, ?)",
                   (bytes.fromhex(cls.ka), cls.hidden, "hors sujet", int(time.time() * 1e6)))
        db.commit()
        db.close()
        for d in (cls.b, cls.c):
            cls.ok(d, "sync", cls.web.addr)

        def arrived():
            paths = {e["path"] for e in cls.js(cls.a, "list", "--all", "--type", "comment")}
            return len(paths) == 4
        wait_for(arrived, 30, "the comments of B and C on node A")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    @classmethod
    def forge(cls, d, path, body):
        rc, _, err = harness.run_program([FORGE, "--dir", d, "--path", path, "--body",
                                          json.dumps(body)], timeout=60)
        assert rc == 0, err

    def get(self, path, port=None):
        r = http_req(port or self.web.port, "GET", path)
        self.assertEqual(r.status, 200, f"{path}: {r.text[:300]}")
        self.assertNotIn("<script", r.text)
        return r.text

    def csrf(self, port, page):
        r = http_req(port, "GET", page)
        self.assertEqual(r.status, 200, r.text[:300])
        return r.cookies().get("maille_csrf"), re.findall(r'name="csrf" value="([0-9a-f]{64})"',
                                                          r.text)[-1]

    def post(self, port, path, pairs, cookie=None):
        h = dict(FORM_CT)
        if cookie:
            h["Cookie"] = f"maille_csrf={cookie}"
        return http_req(port, "POST", path, body=form_body(pairs), headers=h)

    def entry(self, path, key=None):
        return f"/entry/{path}?territory={key or self.ka}"

    # ---- reading ------------------------------------------------------------------------------

    def test_cooperation_page(self):
        page = self.get("/cooperation")
        self.assertIn("<h1>Coopérations</h1>", page)
        soon = page.index("Mutualiser un assistant de transcription des séances")
        later = page.index("Héberger ensemble les modèles de langue")
        self.assertLess(soon, later)  # soonest deadline first
        self.assertLess(later, page.index("Appels clos"))
        self.assertIn("31 mars 2027", page)
        self.assertRegex(page, r"Ville de Villeurbanne</a> \(Co-développeur\)")
        # closed, with its outcome
        closed = page[page.index("Appels clos"):]
        self.assertIn("Étude partagée sur les menus des cantines", closed)
        self.assertIn("le gaspillage a baissé d'un tiers", closed)
        home = self.get("/")
        self.assertIn("Appels à coopération ouverts", home)
        self.assertIn('href="/cooperation"', home)
        self.assertIn("Mutualiser un assistant de transcription", home)
        self.assertNotIn("Étude partagée sur les menus", home.split("Dernières fiches")[0])
        en = http_req(self.web.port, "GET", "/cooperation", headers={"Cookie": "maille_lang=en"})
        self.assertIn("Open calls", en.text)
        self.assertIn("Co-developer", en.text)

    def test_call_page_thread(self):
        page = self.get(self.entry(self.call))
        self.assertIn("Territoires intéressés", page)
        self.assertIn("Nous pouvons tester l&#39;outil sur nos conseils municipaux", page)
        thread = page[page.index('id="h-thread"'):]
        self.assertIn("Quel <em>calendrier</em> envisagez-vous ?", thread)
        # the reply comes after its comment, one level in
        self.assertRegex(thread, r'<li class="d1" id="c-00000000000000b2">')
        self.assertLess(thread.index("c-00000000000000b1"), thread.index("c-00000000000000b2"))
        # the untrusted author's comment: counted, never shown
        self.assertIn("1 commentaire d'un territoire hors de votre confiance", thread)
        self.assertNotIn("un territoire non reconnu", page)
        # the hidden one: its reason, not its text
        self.assertIn("Masqué par ce nœud : hors sujet", page)
        self.assertNotIn("Un message hors sujet à masquer", page)
        # a reply form on the record and one on each shown comment
        self.assertEqual(page.count('action="/comment"'), 3)

    def test_labels_and_users(self):
        page = self.get(self.entry(self.comp))
        labels = page[page.index('id="h-labels"'):]
        self.assertIn("Algorithme public transparent</a>, attribué par", labels)
        self.assertIn("Métropole de Lyon</a> le 7 décembre 2026, valable jusqu'au 31 "
                      "décembre 2028", labels)
        self.assertIn("Le traitement est décrit au registre des algorithmes publics.", labels)
        self.assertNotIn("Ville de Villeurbanne</a> le", labels)  # B's forged award
        self.assertNotIn("2031", page)
        self.assertNotIn("version antérieure", page)
        users = page[page.index('id="h-users"'):]
        self.assertIn("Notre registre des algorithmes, un an après", users)
        # the acts are not in the catalogue's lists
        cat = self.get("/catalogue")
        self.assertNotIn("Quel <em>calendrier", cat)
        self.assertNotIn("Commentaire", cat.split("<main")[1].split("Par thème")[0])

    def test_expired(self):
        """An award past its `until` is shown, marked expired."""
        page = self.get(self.entry(self.call))
        labels = page[page.index('id="h-labels"'):page.index('id="h-interests"')]
        self.assertIn("valable jusqu'au 6 janvier 2020", labels)
        self.assertIn('<strong class="untrusted">expiré</strong>', labels)
        self.assertNotIn("expiré", self.get(self.entry(self.comp)))

    def test_api(self):
        """The API gives a record's interests, labels and comments as its page shows them."""
        j = http_req(self.web.port, "GET", f"/api/entries/{self.call}?territory={self.ka}").json()
        self.assertEqual([i["body"]["role"] for i in j["interests"]], ["co_developer"])
        self.assertEqual(j["interests"][0]["author"], self.kb)
        self.assertTrue(j["interests"][0]["signature_verified"])
        got = {c["path"]: c for c in j["comments"]}
        self.assertEqual(got[self.c1]["depth"], 0)
        self.assertEqual([c["depth"] for c in j["comments"] if c["path"] != self.c1
                          and c["author"] == self.kb], [1])
        self.assertEqual(got[self.hidden]["hidden"], "hors sujet")
        self.assertNotIn("body", got[self.hidden])
        self.assertEqual(j["comments_untrusted"], 1)
        self.assertFalse(any(c["author"] == self.kc for c in j["comments"]))
        self.assertTrue(j["labels"][0]["expired"])
        comp = http_req(self.web.port, "GET", f"/api/entries/{self.comp}?territory={self.ka}").json()
        self.assertEqual([(l["label_title"], l["author"]) for l in comp["labels"]],
                         [("Algorithme public transparent", self.ka)])

    def test_older_version(self):
        """A new version of the awarded record: the award stays on the version it names."""
        self.publish(self.a, "comp2.md", COMPONENT + "Deuxième version.\n")
        page = self.get(self.entry(self.comp))
        self.assertIn("attribué à une version antérieure", page)

    def test_territory_pages(self):
        mine = self.get(f"/territory/{self.ka}")
        self.assertIn("Appels à coopération", mine)
        self.assertIn("Mutualiser un assistant de transcription des séances", mine)
        given = mine[mine.index("Labels attribués"):mine.index("Labels reçus")]
        self.assertIn("Algorithme public transparent", given)
        self.assertIn("Registre des algorithmes publics", given)
        received = mine[mine.index("Labels reçus"):]
        self.assertIn("Algorithme public transparent", received)
        b = self.get(f"/territory/{self.kb}")
        interests = b[b.index("Intérêts exprimés"):b.index("Labels attribués")]
        self.assertIn("Mutualiser un assistant de transcription des séances", interests)
        self.assertIn("Co-développeur", interests)
        # B's award is not B's to give: not among its labels given
        self.assertIn("Aucun.", b[b.index("Labels attribués"):b.index("Labels reçus")])

    def test_act_pages(self):
        dcall = digest(self.ka, self.call)
        page = self.get(self.entry(f"interest/{dcall}", self.kb))
        self.assertIn("<h1>Intérêt de Ville de Villeurbanne</h1>", page)
        self.assertIn("Mutualiser un assistant de transcription des séances</a>", page)
        page = self.get(self.entry(self.c1, self.kb))
        self.assertIn("Commentaire de Ville de Villeurbanne", page)
        self.assertIn("Quel <em>calendrier</em> envisagez-vous ?", page)
        self.assertIn("Réponse : le budget est voté en mars.", page)  # its replies
        # a hidden comment's own page: its reason, not its text; an untrusted one's: folded
        page = self.get(self.entry(self.hidden))
        self.assertIn("Masqué par ce nœud : hors sujet", page)
        self.assertNotIn("Un message hors sujet à masquer", page)
        untrusted = self.entry(f"comment/{digest(self.ka, self.call)}/00000000000000c1", self.kc)
        page = self.get(untrusted)
        self.assertIn("hors de votre confiance, non affiché", page)
        self.assertNotIn("Texte d&#39;un territoire non reconnu", page)
        self.assertIn("Texte d&#39;un territoire non reconnu", self.get(untrusted + "&all=1"))
        # the forged award's page says this node ignores it
        dcomp, dlabel = digest(self.ka, self.comp), digest(self.ka, self.label)
        page = self.get(self.entry(f"award/{dcomp}/{dlabel}", self.kb))
        self.assertIn("Ce nœud n'en tient pas compte", page)

    def test_status_filter_and_feed(self):
        page = self.get("/catalogue?status=open")
        self.assertIn("Mutualiser un assistant de transcription", page)
        self.assertNotIn("Étude partagée sur les menus", page)
        wait_for(lambda: "Ouvert</a>" in self.get("/catalogue"), 15, "the call status facet")
        feed = http_req(self.web.port, "GET", "/feed.atom").text
        self.assertIn("Mutualiser un assistant de transcription des séances", feed)
        self.assertIn("Algorithme public transparent", feed)
        self.assertNotIn("calendrier", feed)

    def test_acts_by_type(self):
        """Acts are listed, searched and fed when asked for by type, titled by what they are;
        a comment this node hides is found by its words but shows none of them."""
        cat = self.get("/catalogue?type=comment")
        self.assertIn("Commentaire de Ville de Villeurbanne", cat)
        self.assertIn("Commentaire de Métropole de Lyon", cat)
        feed = http_req(self.web.port, "GET", "/feed.atom?type=interest").text
        self.assertIn("<title>Intérêt de Ville de Villeurbanne</title>", feed)
        self.assertNotIn("Mutualiser un assistant de transcription des séances</title>", feed)
        wait_for(lambda: "Commentaire de" in self.get("/catalogue?type=comment&q=masquer"), 15,
                 "the hidden comment in the search index")
        found = self.get("/catalogue?type=comment&q=masquer")
        self.assertIn("Masqué par ce nœud.", found)
        self.assertNotIn("hors sujet à", found)
        api = json.loads(http_req(self.web.port, "GET",
                                  "/api/entries?type=comment&q=masquer").text)
        self.assertTrue(api["items"], api)
        self.assertNotIn("snippet", json.dumps(api))

    # ---- writing ------------------------------------------------------------------------------

    def test_comment_form(self):
        page = self.entry(self.call)
        cookie, tok = self.csrf(self.web.port, page)
        hexa = self.ka
        pairs = [("csrf", tok), ("territory", hexa), ("path", self.call),
                 ("back_territory", hexa), ("back_path", self.call), ("text", MARKDOWN)]
        n = len(self.js(self.a, "list", "--all", "--type", "comment"))
        r = self.post(self.web.port, "/comment", pairs)  # no CSRF cookie
        self.assertEqual(r.status, 403)
        self.assertEqual(len(self.js(self.a, "list", "--all", "--type", "comment")), n)
        r = self.post(self.web.port, "/comment", [p for p in pairs if p[0] != "csrf"], cookie)
        self.assertEqual(r.status, 403)
        too_long = [p if p[0] != "text" else ("text", "é" * 4200) for p in pairs]
        r = self.post(self.web.port, "/comment", too_long, cookie)
        self.assertEqual(r.status, 422, r.text[:300])
        self.assertIn("Rien n'a été enregistré", r.text)
        self.assertIn("8192 au plus", r.text)
        self.assertEqual(len(self.js(self.a, "list", "--all", "--type", "comment")), n)
        r = self.post(self.web.port, "/comment", pairs, cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        loc = r.header("Location")
        self.assertRegex(loc, r"^/entry/call/transcription-des-seances\?territory=[0-9a-f]{64}"
                              r"#c-[0-9a-f]{16}$")
        comments = self.js(self.a, "list", "--all", "--type", "comment")
        self.assertEqual(len(comments), n + 1)
        thread = self.get(page)
        cid = loc.rsplit("#c-", 1)[1]
        item = thread[thread.index(f'id="c-{cid}"'):]
        item = item[:item.index("</div>", item.index("comment-text"))]
        self.assertIn("# Pas un titre", item)  # a heading stays its text
        self.assertIn("<em>le même</em>", item)
        self.assertIn("<strong>vraiment</strong>", item)
        self.assertIn('<a rel="nofollow ugc noopener noreferrer" '
                      'href="https://exemple-villeurbanne.fr/cahier">notre cahier</a>', item)
        self.assertIn("[ce piège](javascript:alert(1))", item)
        self.assertNotIn('href="javascript', item)
        self.assertIn("&lt;b&gt;gras brut&lt;/b&gt;", item)
        self.assertIn("![image](https://exemple.fr/i.png)", item)
        self.assertNotIn("<img", thread)
        self.assertIn("```", item)
        self.assertIn("<ul><li>premier point</li><li>second point</li></ul>", item)
        self.assertNotIn("<h3>", item)
        # a reply to that comment, through its own form
        cpath = [c["path"] for c in comments if c["path"].endswith(cid)][0]
        reply = [("csrf", tok), ("territory", hexa), ("path", cpath), ("back_territory", hexa),
                 ("back_path", self.call), ("text", "Une réponse par le formulaire.")]
        r = self.post(self.web.port, "/comment", reply, cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        rid = r.header("Location").rsplit("#c-", 1)[1]
        self.assertRegex(self.get(page), rf'<li class="d1" id="c-{rid}">')

    def test_interest_form(self):
        """B's web expresses interest in A's call; a second post edits it (same path); A's
        call page shows it once B synced; a withdrawal removes it."""
        webb = WebDaemon(self.b)
        self.daemons.append(webb)
        self.ok(self.b, "sync", self.web.addr)
        page = self.entry("call/hebergement-mutualise")
        html = self.get(page, webb.port)
        self.assertIn("Nous en sommes", html)
        self.assertNotIn("Nous en sommes", self.get(page))  # not on the call's own node
        cookie, tok = self.csrf(webb.port, page)
        pairs = [("csrf", tok), ("territory", self.ka), ("path", "call/hebergement-mutualise"),
                 ("role", "co_funder"), ("message", "Nous pouvons prendre *un tiers* des frais."),
                 ("contact_email", "numerique@exemple-villeurbanne.fr")]
        r = self.post(webb.port, "/interest", pairs)
        self.assertEqual(r.status, 403)
        bad = [p if p[0] != "role" else ("role", "chef") for p in pairs]
        r = self.post(webb.port, "/interest", bad, cookie)
        self.assertEqual(r.status, 422, r.text[:300])
        r = self.post(webb.port, "/interest", pairs, cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        ipath = f"interest/{digest(self.ka, 'call/hebergement-mutualise')}"
        mine = [e for e in self.js(self.b, "list", "--all", "--type", "interest")
                if e["path"] == ipath]
        self.assertEqual(len(mine), 1)
        edit = [p if p[0] != "role" else ("role", "tester") for p in pairs]
        self.assertIn('value="co_funder" selected', self.get(page, webb.port))
        r = self.post(webb.port, "/interest", edit, cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        self.ok(self.b, "sync", self.web.addr)
        wait_for(lambda: "Testeur" in self.get(page), 30, "B's interest on A's call page")
        on_a = self.get(page)
        self.assertIn("Nous pouvons prendre <em>un tiers</em> des frais.", on_a)
        self.assertNotIn("Co-financeur", on_a[on_a.index('id="h-interests"'):])
        r = self.post(webb.port, "/interest", pairs + [("withdraw", "1")], cookie)
        self.assertEqual(r.status, 303, r.text[:300])
        self.ok(self.b, "sync", self.web.addr)
        wait_for(lambda: "Testeur" not in self.get(page), 30, "the withdrawal on A")

    def test_forms_need_the_web_token(self):
        """With a token file, the cooperation forms are refused without the token, like every
        page but the sign-in form, and nothing is stored."""
        token = "jeton-de-test-assez-long-0123456789"
        tf = self.write("token", token + "\n")
        webc = WebDaemon(self.c, "--web-token-file", tf)
        self.daemons.append(webc)
        self.ok(self.c, "sync", self.web.addr)
        bearer = {"Authorization": "Bearer " + token}
        page = self.entry("call/hebergement-mutualise")
        r = http_req(webc.port, "GET", page)
        self.assertEqual(r.status, 401)
        r = http_req(webc.port, "GET", page, headers=bearer)
        self.assertEqual(r.status, 200, r.text[:300])
        cookie = r.cookies().get("maille_csrf")
        tok = re.findall(r'name="csrf" value="([0-9a-f]{64})"', r.text)[-1]
        pairs = [("csrf", tok), ("territory", self.ka), ("path", "call/hebergement-mutualise"),
                 ("role", "observer")]
        n = len(self.js(self.c, "list", "--all", "--type", "interest"))
        h = dict(FORM_CT, Cookie=f"maille_csrf={cookie}")
        r = http_req(webc.port, "POST", "/interest", body=form_body(pairs), headers=h)
        self.assertEqual(r.status, 401)
        r = http_req(webc.port, "POST", "/comment", body=form_body(pairs + [
            ("back_territory", self.ka), ("back_path", "call/hebergement-mutualise"),
            ("text", "Sans jeton.")]), headers=h)
        self.assertEqual(r.status, 401)
        self.assertEqual(len(self.js(self.c, "list", "--all", "--type", "interest")), n)
        r = http_req(webc.port, "POST", "/interest", body=form_body(pairs),
                     headers=dict(h, **bearer))
        self.assertEqual(r.status, 303, r.text[:300])
        self.assertEqual(len(self.js(self.c, "list", "--all", "--type", "interest")), n + 1)

    def test_publish_label_checks(self):
        """The publish form runs proto_coop_check: a label's criterion ids."""
        cookie, tok = self.csrf(self.web.port, "/publish?type=label")
        pairs = [("csrf", tok), ("type", "label"), ("action", "publish"),
                 ("title", "Label mal formé"), ("summary", "Deux critères au même identifiant."),
                 ("description", "Un label de test."),
                 ("themes", "ia-democratie"), ("status", "production"),
                 ("content_licence", "etalab-2.0"),
                 ("criterion1_id", "meme"), ("criterion1_text", "Premier critère."),
                 ("criterion2_id", "meme"), ("criterion2_text", "Second critère.")]
        n = self.js(self.a, "status")["count"]
        r = self.post(self.web.port, "/publish", pairs, cookie)
        self.assertEqual(r.status, 422, r.text[:500])
        self.assertIn("<code>criteria", r.text)
        self.assertIn('aria-invalid="true"', r.text)
        self.assertEqual(self.js(self.a, "status")["count"], n)
        ok = [p if p[0] != "criterion2_id" else ("criterion2_id", "autre") for p in pairs]
        r = self.post(self.web.port, "/publish", ok, cookie)
        self.assertEqual(r.status, 303, re.findall(r'role="alert".*?</div>', r.text, re.S))


if __name__ == "__main__":
    harness.MAILLE = sys.argv.pop(1)
    FORGE = sys.argv.pop(1)
    unittest.main(verbosity=2)
