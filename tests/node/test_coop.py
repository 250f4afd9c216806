#!/usr/bin/env python3
"""Cooperation across three nodes (PROTOCOL.md §5): real nodes, each its own territory,
synced with `maille sync`; what a node shows is read from `maille show --json` and from its
web catalogue served by a real daemon.

Usage: test_coop.py MAILLE_BINARY PROBE_BINARY MAILLE_BENCH_BINARY

A publishes a call, B and C express interest, A's call page lists both with their roles;
A defines a label and awards it to a component of B: the award shows on C's entry page and
disappears everywhere once revoked; a thread of three replies across the three nodes
converges; a comment by a territory C does not trust is stored and folded; B cannot award
A's label. Every case ends with equal fingerprints and a further sync that moves nothing."""
import json
import os
import sys
import unittest
import urllib.request

import harness
import test_node as tn
import test_sync as ts

CALL = """---
type: call
title: Mutualiser un outil de transcription des conseils municipaux
summary: Co-développer un outil libre qui transcrit les séances et publie leur compte rendu sous huit jours.
themes: [ia-democratie, logiciel-libre]
status: open
cooperation: co_development
need: Transcrire et résumer les séances du conseil pour les publier sous huit jours.
contributions:
  - kind: skills
    description: Un développeur ou une développeuse deux jours par semaine pendant six mois.
  - kind: test_ground
    description: Des enregistrements de séances publiques pour évaluer la qualité.
deadline: 2027-03-31
---
La Métropole propose de mutualiser le développement d'un outil de transcription libre.
"""

LABEL = """---
type: label
title: Label Algorithme public transparent
summary: Distingue les systèmes dont le fonctionnement et les risques sont publiés et évalués.
themes: [transparence-algorithmes]
status: pilot
issuer: Comité d'éthique du numérique de la Métropole
criteria:
  - id: registre
    text: Le système est décrit au registre des algorithmes publics.
  - id: evaluation
    text: Une analyse d'impact a été menée et publiée.
evidence: Le lien vers la fiche du registre et l'analyse d'impact publiée.
validity_months: 24
---
Un label expérimental de la Métropole.
"""

COMPONENT = """---
type: component
path: component/verbatim
title: Verbatim, outil libre de transcription des séances
summary: Logiciel libre qui transcrit localement les enregistrements de séances publiques.
themes: [ia-democratie, logiciel-libre]
status: production
component_kind: software
licence: AGPL-3.0-or-later
repository_url: https://forge.exemple.fr/communs/verbatim
development_status: stable
---
Un outil libre de transcription, développé par la commune.
"""


class CoopTest(ts.SyncBase):
    def setUp(self):
        super().setUp()
        self.a, self.b, self.c = self.make_nodes(
            ["Métropole Alpha", "Commune Bêta", "Département Gamma"])
        self.files = 0

    def pub(self, node, text):
        self.files += 1
        f = os.path.join(self.tmp, f"coop-{self.files}.md")
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(text)
        rc, out, err = node.m("publish", f)
        self.assertEqual(rc, 0, err)
        return out

    def ok(self, node, *args):
        rc, out, err = node.m(*args)
        self.assertEqual(rc, 0, f"maille {' '.join(args)}: {err}")
        return out

    def trust_all(self, nodes):
        for n in nodes:
            for o in nodes:
                if o is not n:
                    self.ok(n, "trust", o.key)

    def mesh(self):
        """Every node gets everything: syncs a-b, b-c, a-b, a-c through b's and c's daemons,
        then equal fingerprints and a further sync that moves nothing, checked while the
        daemons run (a daemon that starts publishes its node/<key> record anew)."""
        a, b, c = self.a, self.b, self.c
        c.start()
        b.start()
        try:
            self.sync(a, b)
            self.sync(b, c)
            self.sync(a, b)
            self.sync(a, c)
            self.assert_converged([a, b, c], via=(a, b))
        finally:
            for n in (c, b):
                n.stop()
                n.daemon = None

    def show(self, node, ref):
        """What `maille show --json` says of the record's cooperation."""
        rc, out, err = node.m("show", ref, "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)["cooperation"]

    def page(self, node, path, territory):
        d = harness.WebDaemon(node.dir)
        try:
            url = f"http://{d.web}/entry/{path}?territory={territory}"
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.read().decode()
        finally:
            d.stop()

    def list_type(self, node, typ, *extra):
        rc, out, err = node.m("list", "--type", typ, "--json", *extra)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_call_interests_and_page(self):
        a, b, c = self.a, self.b, self.c
        self.trust_all([a, b, c])
        self.pub(a, CALL)
        call = self.list_type(a, "call")[0]["path"]
        self.mesh()
        self.ok(b, "interest", f"{a.key}/{call}", "--role", "co_developer",
                "--message", "Nous pouvons développer la partie résumé.")
        self.ok(c, "interest", f"{a.key}/{call}", "--role", "tester",
                "--message", "Nous testerons sur nos commissions permanentes.")
        # an edit replaces the interest: one per territory and call
        self.ok(c, "interest", f"{a.key}/{call}", "--role", "co_funder",
                "--message", "Nous pouvons financer un tiers du développement.")
        self.mesh()
        shown = self.show(a, call)
        roles = sorted((i["territory_name"], i["role"]) for i in shown["interests"])
        self.assertEqual(roles, sorted([("Commune Bêta", "co_developer"),
                                        ("Département Gamma", "co_funder")]), shown)
        html = self.page(a, call, a.key)
        self.assertIn("Commune Bêta", html)
        self.assertIn("Département Gamma", html)
        self.assertIn("Co-développeur", html)
        self.assertIn("Co-financeur", html)
        self.assertNotIn("Testeur", html)
        # a withdrawal reaches every node
        self.ok(b, "interest", f"{a.key}/{call}", "--withdraw")
        self.mesh()
        for n in (a, b, c):
            shown = self.show(n, f"{a.key}/{call}")
            self.assertEqual([i["role"] for i in shown["interests"]], ["co_funder"], n.name)

    def test_label_award_and_revocation(self):
        a, b, c = self.a, self.b, self.c
        self.trust_all([a, b, c])
        self.pub(a, LABEL)
        label = self.list_type(a, "label")[0]["path"]
        self.pub(b, COMPONENT)
        self.mesh()
        # B cannot award A's label: only the label's territory can
        rc, out, err = b.m("label", "award", "component/verbatim", f"{a.key}/{label}",
                           "--criteria", "registre")
        self.assertNotEqual(rc, 0, out)
        self.assertEqual(self.list_type(b, "award"), [])
        # A awards it to B's component
        self.ok(a, "label", "award", f"{b.key}/component/verbatim", label,
                "--criteria", "registre,evaluation", "--until", "2028-12-31",
                "--evidence", "registre=Fiche publiée au registre le 12 mars 2026.")
        self.mesh()
        for n in (a, b, c):
            shown = self.show(n, f"{b.key}/component/verbatim")
            self.assertEqual(len(shown["labels"]), 1, (n.name, shown))
        html = self.page(c, "component/verbatim", b.key)
        self.assertIn("Label Algorithme public transparent", html)
        self.assertIn("Métropole Alpha", html)
        # B edits its component: the award stays on the version it names
        self.pub(b, COMPONENT.replace("publiques.", "publiques, avec résumé."))
        self.mesh()
        shown = self.show(c, f"{b.key}/component/verbatim")
        self.assertTrue(shown["labels"][0]["older_version"], shown)
        self.assertIn("version antérieure", self.page(c, "component/verbatim", b.key))
        # revocation: gone everywhere
        self.ok(a, "label", "revoke", f"{b.key}/component/verbatim", label)
        self.mesh()
        for n in (a, b, c):
            shown = self.show(n, f"{b.key}/component/verbatim")
            self.assertEqual(shown["labels"], [], n.name)
        self.assertNotIn("Label Algorithme public transparent",
                         self.page(c, "component/verbatim", b.key))

    def test_thread_across_three_nodes(self):
        a, b, c = self.a, self.b, self.c
        self.trust_all([a, b, c])
        self.pub(a, CALL)
        call = self.list_type(a, "call")[0]["path"]
        self.mesh()
        self.ok(b, "comment", f"{a.key}/{call}", "Avez-vous un cahier des charges à partager ?")
        self.mesh()
        first = self.list_type(c, "comment")[0]
        self.ok(c, "comment", f"{first['author']}/{first['path']}",
                "Nous aussi, nous aimerions le lire.")
        self.mesh()
        second = [x for x in self.list_type(a, "comment") if x["author"] == c.key][0]
        self.ok(a, "comment", f"{c.key}/{second['path']}",
                "Oui : il est en pièce jointe de la fiche, version de mars.")
        self.mesh()
        for n in (a, b, c):
            thread = self.show(n, f"{a.key}/{call}")["comments"]
            self.assertEqual([(x["depth"], x["territory"]) for x in thread],
                             [(0, b.key), (1, c.key), (2, a.key)], n.name)

    def test_untrusted_comment_folded(self):
        a, b, c = self.a, self.b, self.c
        # a and b trust each other; nobody trusts c
        self.ok(a, "trust", b.key)
        self.ok(b, "trust", a.key)
        self.pub(a, CALL)
        call = self.list_type(a, "call")[0]["path"]
        self.mesh()
        self.ok(c, "comment", f"{a.key}/{call}", "Publicité pour un service payant.")
        self.ok(b, "comment", f"{a.key}/{call}", "Nous sommes intéressés.")
        self.mesh()
        shown = self.show(a, call)
        self.assertEqual([x["territory"] for x in shown["comments"]], [b.key])
        self.assertEqual(shown["comments_untrusted"], 1)
        # stored all the same, and relayed: every node holds the same set
        self.assertEqual(len(self.list_type(a, "comment")), 1)
        self.assertEqual(len(self.list_type(a, "comment", "--all")), 2)
        html = self.page(a, call, a.key)
        self.assertIn("Nous sommes intéressés.", html)
        self.assertNotIn("Publicité pour un service payant.", html)
        self.assertIn("hors de votre confiance", html)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: test_coop.py MAILLE_BINARY PROBE_BINARY MAILLE_BENCH_BINARY")
    harness.MAILLE, tn.PROBE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    ts.BENCH = os.path.abspath(sys.argv[3])
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[4:])
