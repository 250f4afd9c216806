#!/usr/bin/env python3
"""Cooperation on the command line (PROTOCOL.md §5): `maille interest`, `maille label award |
revoke`, `maille comment`, `maille hide`, what `show`, `list` and `search` say of them,
`publish` of an act's file and `new` of the cooperation types.

Usage: test_coop.py MAILLE_BINARY SAMPLES_DIR

Three real node directories in one federation: A (Métropole de Lyon) runs a daemon on
127.0.0.1, B (Ville de Grenoble) and C (Département de l'Isère) join it and `maille sync` with
it, so that every act reaches the others the way it does in use. The daemon is stopped with
SIGTERM and must exit 0."""
import os
import re
import sys
import unittest

import harness

SAMPLES = None
FR = {"LANG": "fr_FR.UTF-8"}
CALL = "call/mutualiser-la-transcription-des-seances"
LABEL = "label/algorithme-public-transparent"
COMPONENT = "component/verbatim-outil-libre-de-transcription-des-seances"


class Coop(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-coop-")
        cls.a = cls.init("a", "Métropole de Lyon", kind="metropole")
        cls.b = cls.init("b", "Ville de Grenoble")
        cls.c = cls.init("c", "Département de l'Isère", kind="departement")
        cls.ok(cls.a, "federation", "new", "--name", "Réseau IA des territoires")
        cls.da = cls.daemon(cls.a, "--no-web")
        for d in (cls.b, cls.c):
            cls.js(d, "join", cls.js(cls.a, "invite")["token"])
        cls.ka, cls.kb, cls.kc = (cls.key(d) for d in (cls.a, cls.b, cls.c))
        for f in ("call-transcription-mutualisee.md", "label-algorithme-transparent.md"):
            cls.ok(cls.a, "publish", os.path.join(SAMPLES, f))
        cls.ok(cls.b, "publish", os.path.join(SAMPLES, "component-outil-transcription.md"))
        cls.sync()

    @classmethod
    def tearDownClass(cls):
        cls.stop_daemons()
        cls.end()

    @classmethod
    def sync(cls):
        """B and C sync with A, then B again: the three hold the same catalogue."""
        for d in (cls.b, cls.c, cls.b):
            cls.ok(d, "sync", cls.da.addr)

    def fails_in(self, env, d, *args):
        """fails with env added: stderr of an exit 1."""
        rc, out, err = self.m(d, *args, env=env)
        self.assertEqual(rc, 1, out + err)
        return err

    def coop(self, d, record):
        return self.js(d, "show", record)["cooperation"]


class TestInterest(Coop):
    def test_interests_of_two_territories(self):
        out = self.ok(self.b, "interest", f"{self.ka}/{CALL}", "--role", "co-developer",
                      "--message", "Nous apportons *deux jours* de développement par semaine.",
                      "--contact", "numerique@exemple-grenoble.fr")
        self.assertRegex(out, r'^Interest in "Mutualiser la transcription .*" published, as '
                              r'co-developer \(interest/[0-9a-f]{32}\)\.$')
        res = self.js(self.c, "interest", f"{self.ka}/{CALL}", "--role", "tester")
        self.assertEqual(res["action"], "created")
        self.assertRegex(res["path"], r"^interest/[0-9a-f]{32}$")
        # the same call gives the same path in every territory: one interest per territory
        self.assertEqual(res["path"], self.js(self.b, "list", "--type", "interest")[0]["path"])
        self.sync()
        got = {i["territory"]: i for i in self.coop(self.a, CALL)["interests"]}
        self.assertEqual(set(got), {self.kb, self.kc})
        self.assertEqual(got[self.kb]["role"], "co_developer")
        self.assertEqual(got[self.kb]["territory_name"], "Ville de Grenoble")
        self.assertIn("deux jours", got[self.kb]["message"])
        self.assertIsNone(got[self.kc]["message"])
        page = self.ok(self.a, "show", CALL)
        self.assertIn("Interests (2):", page)
        self.assertIn("Ville de Grenoble — Co-developer", page)
        self.assertIn("Département de l'Isère — Tester", page)
        # list --type interest: every act, with a readable title
        line = [x for x in self.ok(self.a, "list", "--type", "interest").splitlines()
                if "Grenoble" in x][0]
        self.assertIn('Interest of Ville de Grenoble in "Mutualiser la transcription', line)
        # an edit replaces the interest; a withdrawal removes it everywhere
        res = self.js(self.c, "interest", f"{self.ka}/{CALL}", "--role", "observer")
        self.assertEqual(res["action"], "updated")
        out = self.ok(self.c, "interest", f"{self.ka}/{CALL}", "--withdraw")
        self.assertIn("withdrawn", out)
        self.sync()
        self.assertEqual([i["territory"] for i in self.coop(self.a, CALL)["interests"]],
                         [self.kb])
        self.assertIn("no interest of this territory to withdraw",
                      self.fails(self.c, "interest", f"{self.ka}/{CALL}", "--withdraw"))

    def test_interest_errors(self):
        err = self.fails(self.b, "interest", f"{self.ka}/{CALL}", "--role", "sponsor")
        self.assertIn('role: unknown value "sponsor"', err)
        self.assertIn("co_funder, co_developer, tester, observer", err)
        err = self.fails(self.b, "interest", f"{self.ka}/{LABEL}", "--role", "tester")
        self.assertIn("this record is a Label, not a call to cooperate", err)
        # a territory does not answer its own call
        err = self.fails(self.a, "interest", CALL, "--role", "tester")
        self.assertIn("this call is your own territory's", err)
        err = self.fails(self.b, "interest", f"{self.ka}/call/inconnu", "--role", "tester")
        self.assertIn("no such call in this node's store", err)
        self.fails(self.b, "interest", f"{self.ka}/{CALL}", rc=2)  # no --role
        self.fails(self.b, "interest", "Pas un chemin", "--role", "tester", rc=2)

    def test_french(self):
        err = self.fails_in(FR, self.b, "interest", f"{self.ka}/call/inconnu", "--role",
                            "tester")
        self.assertIn("aucun appel à ce chemin dans le stockage de ce nœud", err)
        out = self.ok(self.b, "interest", f"{self.ka}/{CALL}", "--role", "observer", env=FR)
        self.assertRegex(out, r"^Intérêt pour « Mutualiser la transcription .* » "
                              r"(publié|modifié), comme observateur")
        err = self.fails_in(FR, self.b, "label", "award", COMPONENT, f"{self.ka}/{LABEL}",
                            "--criteria", "registre")
        self.assertIn("seul le territoire du label peut l'attribuer", err)
        self.assertIn("usage : maille comment", self.ok(self.a, "comment", "--help", env=FR))
        self.assertIn("Intérêt de Ville de Grenoble pour « Mutualiser",
                      self.ok(self.b, "list", "--type", "interest", env=FR))
        self.ok(self.b, "interest", f"{self.ka}/{CALL}", "--withdraw")


class TestLabel(Coop):
    def test_award_revoke(self):
        rec = f"{self.kb}/{COMPONENT}"
        out = self.ok(self.a, "label", "award", rec, LABEL, "--criteria", "registre,code",
                      "--evidence", "code=Dépôt public sur la forge commune",
                      "--evidence", "registre=Fiche n° 12 du registre")
        self.assertRegex(out, r'^Label "Algorithme public transparent" awarded to "Verbatim, '
                              r'outil libre .*" \(this version; award/[0-9a-f]{32}/[0-9a-f]{32}\)')
        self.sync()
        labels = self.coop(self.c, rec)["labels"]
        self.assertEqual(len(labels), 1, labels)
        lab = labels[0]
        self.assertEqual((lab["label_path"], lab["territory"], lab["criteria"]),
                         (LABEL, self.ka, ["registre", "code"]))
        self.assertEqual(lab["issuer"], "Comité d'éthique du numérique du Département")
        self.assertFalse(lab["older_version"] or lab["expired"])
        # until: today plus the label's 24 months
        y, m, d = map(int, lab["awarded"].split("-"))
        self.assertTrue(lab["until"].startswith(f"{y + 2:04d}-{m:02d}-"), lab)
        body = self.js(self.c, "list", "--type", "award")[0]
        self.assertIn('Label "Algorithme public transparent" awarded by Métropole de Lyon',
                      body["title"])
        page = self.ok(self.c, "show", rec)
        self.assertIn("Algorithme public transparent, awarded by Comité d'éthique", page)
        self.assertIn("valid until", page)
        # B publishes a new version: the award stays on the one it names
        text = self.ok(self.b, "export", "--format", "markdown", COMPONENT)
        self.publish(self.b, "component.md", text.replace("Verbatim transcrit", "Verbatim, libre, transcrit"))
        self.sync()
        self.assertTrue(self.coop(self.c, rec)["labels"][0]["older_version"])
        self.assertIn("(awarded to an earlier version)", self.ok(self.c, "show", rec))
        # revoked: gone on every node
        self.assertIn("revoked", self.ok(self.a, "label", "revoke", rec, LABEL))
        self.sync()
        for d in (self.a, self.b, self.c):
            self.assertEqual(self.coop(d, rec)["labels"], [])
        self.assertIn("no award of this territory to withdraw",
                      self.fails(self.a, "label", "revoke", rec, LABEL))

    def test_award_errors(self):
        rec = f"{self.kb}/{COMPONENT}"
        err = self.fails(self.a, "label", "award", rec, LABEL, "--criteria", "registre,inconnu")
        self.assertIn("inconnu: no such criterion in the label", err)
        self.assertIn("(its criteria: registre, impact, recours, code)", err)
        # B cannot award A's label
        err = self.fails(self.b, "label", "award", COMPONENT, f"{self.ka}/{LABEL}",
                         "--criteria", "registre")
        self.assertIn("this label is another territory's: only the label's territory can "
                      "award it", err)
        err = self.fails(self.a, "label", "award", rec, "label/inconnu", "--criteria", "x")
        self.assertIn("no such label of this territory", err)
        err = self.fails(self.a, "label", "award", rec, CALL, "--criteria", "x")
        self.assertIn("no such label of this territory", err)
        err = self.fails(self.a, "label", "award", f"{self.kb}/component/inconnu", LABEL,
                         "--criteria", "registre")
        self.assertIn("no such record in this node's store", err)
        self.fails(self.a, "label", "award", rec, LABEL, rc=2)  # no --criteria
        self.fails(self.a, "label", "award", rec, LABEL, "--criteria", "code",
                   "--evidence", "sans-egal", rc=2)
        self.fails(self.a, "label", "frobnicate", rc=2)
        # a file of B's for A's label is refused by publish too
        text = (f"---\ntype: award\nlabel:\n  territory: {self.ka}\n  path: {LABEL}\n"
                f"target:\n  territory: {self.kb}\n  path: {COMPONENT}\n  entry: {'0' * 64}\n"
                "criteria: [registre]\nawarded: 2026-12-07\n---\n")
        rc, _, err = self.m(self.b, "publish", self.write("award.md", text))
        self.assertEqual(rc, 1, err)
        self.assertIn("nothing was stored", err)


class TestComment(Coop):
    def test_thread_across_nodes(self):
        top = self.js(self.a, "comment", CALL, "Qui a déjà évalué la qualité des résumés ?")
        self.assertRegex(top["path"], r"^comment/[0-9a-f]{32}/[0-9a-f]{16}$")
        self.sync()
        reply = self.js(self.b, "comment", f"{self.ka}/{top['path']}",
                        "Nous, sur six séances : [notre grille](https://exemple-grenoble.fr/grille).")
        self.sync()
        self.assertRegex(self.ok(self.a, "comment", f"{self.kb}/{reply['path']}", "Merci."),
                         r"^Reply to the comment of Ville de Grenoble published \(comment/")
        rc, out, err = self.m(self.c, "comment", f"{self.kb}/{reply['path']}", "-",
                              input_text="Merci, nous la reprenons.\n\n- séance du 3 mars\n")
        self.assertEqual(rc, 0, err)
        self.sync()
        fps = {self.js(d, "status")["fingerprint"] for d in (self.a, self.b, self.c)}
        self.assertEqual(len(fps), 1)
        thread = [(c["territory"], c["depth"]) for c in self.coop(self.a, CALL)["comments"]
                  if c["path"] in (top["path"], reply["path"]) or c["territory"] == self.kc]
        self.assertEqual(thread, [(self.ka, 0), (self.kb, 1), (self.kc, 2)])
        page = self.ok(self.a, "show", CALL)
        self.assertRegex(page, r"\n  Métropole de Lyon \(comment/.*\n    Qui a déjà"
                               r"[^\n]*\n    Ville de Grenoble \(comment/.*\n      Nous, sur")
        self.assertIn("        - séance du 3 mars", page)
        # edit and withdraw: only the author's own comment
        self.assertIn("updated", self.ok(self.b, "comment", "--edit", reply["path"],
                                         "Nous, sur huit séances."))
        self.assertIn("no comment of this territory at this path",
                      self.fails(self.a, "comment", "--edit", reply["path"], "x"))
        self.sync()
        texts = {c["path"]: c["text"] for c in self.coop(self.a, CALL)["comments"]}
        self.assertEqual(texts[reply["path"]], "Nous, sur huit séances.")
        # hide, on A only, then show again
        cc = [c for c in self.coop(self.a, CALL)["comments"] if c["territory"] == self.kc][0]
        out = self.ok(self.a, "hide", f"{self.kc}/{cc['path']}", "--reason", "Hors sujet")
        self.assertIn("hidden on this node only", out)
        hidden = [c for c in self.coop(self.a, CALL)["comments"] if c["path"] == cc["path"]][0]
        self.assertEqual((hidden["hidden"], hidden["text"]), ("Hors sujet", None))
        self.assertIn("hidden by this node: Hors sujet", self.ok(self.a, "show", CALL))
        self.assertIn("masqué par ce nœud : Hors sujet", self.ok(self.a, "show", CALL, env=FR))
        self.sync()
        self.assertIsNone([c for c in self.coop(self.b, CALL)["comments"]
                           if c["path"] == cc["path"]][0]["hidden"])
        self.assertIn("shown again", self.ok(self.a, "hide", "--undo", f"{self.kc}/{cc['path']}"))
        self.assertIn("this node does not hide it",
                      self.fails(self.a, "hide", "--undo", f"{self.kc}/{cc['path']}"))
        self.assertIn("only a comment can be hidden", self.fails(self.a, "hide", CALL,
                                                                 "--reason", "x"))
        self.fails(self.a, "hide", f"{self.kc}/{cc['path']}", rc=2)  # no --reason
        # withdrawn: gone from the thread everywhere
        self.assertIn("withdrawn", self.ok(self.c, "comment", "--withdraw", cc["path"]))
        self.sync()
        self.assertNotIn(cc["path"], [c["path"] for c in self.coop(self.b, CALL)["comments"]])

    def test_untrusted_folded(self):
        """A comment by a territory A does not trust reaches A and is stored, but A's show
        counts it without showing it."""
        d = self.init("d", "Commune de Bron")
        self.js(d, "join", self.js(self.a, "invite")["token"])
        kd = self.key(d)
        self.ok(self.a, "unvouch", kd)
        res = self.js(d, "comment", f"{self.ka}/{CALL}", "Un avis venu d'ailleurs.")
        self.ok(d, "sync", self.da.addr)
        self.assertEqual(self.js(self.a, "show", f"{kd}/{res['path']}")["trusted"], False)
        coop = self.coop(self.a, CALL)
        self.assertNotIn(kd, [c["territory"] for c in coop["comments"]])
        self.assertEqual(coop["comments_untrusted"], 1)
        page = self.ok(self.a, "show", CALL)
        self.assertIn("1 comment of a territory outside your trust (not shown)", page)
        self.assertNotIn("venu d'ailleurs", page)
        # D itself trusts A (its inviter) and itself: it shows its own comment
        self.assertIn(kd, [c["territory"] for c in self.coop(d, CALL)["comments"]])

    def test_comment_errors(self):
        self.fails(self.a, "comment", CALL, rc=2)
        self.assertIn("no such record in this node's store",
                      self.fails(self.a, "comment", "call/inconnu", "Texte"))
        err = self.fails(self.a, "comment", CALL, "x" * 8193)
        self.assertIn("text", err)
        self.fails(self.a, "comment", "--withdraw", "comment/x", "extra", rc=2)


class TestPublishAndNew(Coop):
    def test_act_files(self):
        # a comment's body is its text; its path comes from what it answers
        text = (f"---\ntype: comment\ntarget:\n  territory: {self.ka}\n  path: {CALL}\n---\n"
                "Nous suivons avec **intérêt**.\n")
        p = self.write("comment.md", text)
        res = self.js(self.b, "publish", p)
        self.assertRegex(res["path"], r"^comment/[0-9a-f]{32}/[0-9a-f]{16}$")
        self.assertEqual(self.js(self.b, "show", res["path"])["body"]["text"],
                         "Nous suivons avec **intérêt**.")
        with open(p, encoding="utf-8") as f:
            self.assertIn(f"path: {res['path']}", f.read())
        # an interest's body is its message
        text = (f"---\ntype: interest\ncall:\n  territory: {self.ka}\n  path: {CALL}\n"
                "role: co_funder\n---\nNous pouvons financer un tiers de l'évaluation.\n")
        res = self.js(self.c, "publish", self.write("interest.md", text))
        body = self.js(self.c, "show", res["path"])["body"]
        self.assertEqual(body["message"], "Nous pouvons financer un tiers de l'évaluation.")
        self.assertNotIn("description", body)
        # a path that is not the one the body gives is refused
        rc, _, err = self.m(self.c, "publish", self.write("i2.md", text), "--path",
                            "interest/" + "0" * 32)
        self.assertEqual(rc, 1, err)
        self.assertIn("nothing was stored", err)

    def test_new(self):
        for t in ("call", "label"):
            with self.subTest(type=t):
                text = self.ok(self.c, "new", t, "--example")
                res = self.js(self.c, "publish", self.write(t + ".md", text))
                self.assertEqual(res["warnings"], [])
                self.assertTrue(res["path"].startswith(t + "/"))
        for t in ("interest", "award", "comment"):
            with self.subTest(type=t):
                template = self.ok(self.c, "new", t)
                self.assertIn(f"type: {t}\n", template)
                self.assertNotIn("\ndescription:", template)
                # the example's target is a placeholder the person replaces
                text = self.ok(self.c, "new", t, "--example")
                rc, _, err = self.m(self.c, "publish", "--dry-run", self.write(t + ".md", text))
                self.assertEqual(rc, 1, err)
                self.assertRegex(err, r"territory: invalid territory key \"CLE-")
        self.assertIn("interest, award, comment", self.m(self.c, "new")[2])


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    SAMPLES = os.path.abspath(sys.argv[2])
    del sys.argv[1:3]
    unittest.main(verbosity=2)
