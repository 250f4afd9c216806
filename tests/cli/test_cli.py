#!/usr/bin/env python3
"""End-to-end tests of the `maille` command line, in temporary node directories.

Usage: test_cli.py MAILLE_BINARY DATA_DIR
Each test runs the real binary on a real store; nothing is mocked."""
import json
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import unittest

import harness
from harness import run

DATA = None
# The language of the messages (tools/cli/i18n.h): French when the locale says so, whether or
# not it is generated on the machine; English in the C locale.
FR = {"LC_ALL": "fr_FR.UTF-8"}
EN = {"LC_ALL": "C"}


class Node(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="maille-cli-")
        self.dir = os.path.join(self.tmp, "node")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def m(self, *args, **kw):
        return run("--dir", self.dir, *args, **kw)

    def ok(self, *args, **kw):
        rc, out, err = self.m(*args, **kw)
        self.assertEqual(rc, 0, f"maille {' '.join(args)} failed: {err}")
        return out

    def js(self, *args):
        return json.loads(self.ok(*args, "--json"))

    def init(self, name="Métropole de Lyon"):
        self.ok("init", "--name", name, "--siren", "200046977", "--kind", "metropole")

    def write(self, name, text):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        return p


class TestInit(Node):
    def test_init_creates_node_and_territory(self):
        out = self.js("init", "--name", "Ville de Grenoble", "--siren", "213801855", "--cog", "38185")
        self.assertEqual(len(out["key"]), 64)
        mode = stat.S_IMODE(os.stat(os.path.join(self.dir, "node.key")).st_mode)
        self.assertEqual(mode, 0o600)
        who = self.js("whoami")
        self.assertEqual(who["key"], out["key"])
        self.assertEqual(who["name"], "Ville de Grenoble")
        self.assertEqual(who["dir"], self.dir)
        # the key never shows in any output
        with open(os.path.join(self.dir, "node.key")) as f:
            seed = f.read().strip()
        self.assertNotIn(seed, json.dumps(out) + json.dumps(who))
        terr = self.js("list", "--type", "territory")
        self.assertEqual(len(terr), 1)
        self.assertEqual(terr[0]["path"], "territory")
        self.assertEqual(terr[0]["title"], "Ville de Grenoble")

    def test_init_refuses_existing(self):
        self.init()
        rc, _, err = self.m("init", "--name", "Autre")
        self.assertEqual(rc, 1)
        self.assertIn("refusing to overwrite", err)
        self.assertEqual(self.js("whoami")["name"], "Métropole de Lyon")

    def test_init_usage(self):
        rc, _, err = self.m("init")
        self.assertEqual(rc, 2)
        self.assertIn("--name", err)
        rc, _, _ = self.m("init", "--name", "X", "--kind", "planete")
        self.assertEqual(rc, 2)
        self.assertFalse(os.path.exists(self.dir), "a refused init must create nothing")
        # every faulty option is named at once, the pointer to --help once, at the end
        rc, _, err = self.m("init", "--name", "X", "--kind", "planete", "--cog", "")
        self.assertEqual(rc, 2)
        self.assertIn("--kind: ", err)
        self.assertIn("--cog: ", err)
        self.assertEqual(err.count("--help"), 1, err)
        self.assertTrue(err.rstrip().endswith("--help'."), err)
        self.assertFalse(os.path.exists(self.dir))

    def test_not_a_node(self):
        rc, _, err = self.m("list")
        self.assertEqual(rc, 1)
        self.assertIn("no such node directory", err)
        self.assertFalse(os.path.exists(self.dir), "no node created by accident")
        os.makedirs(self.dir)
        rc, _, err = self.m("list")
        self.assertEqual(rc, 1)
        self.assertIn("is not a Maille node", err)
        self.assertEqual(os.listdir(self.dir), [])

    def test_dir_sources(self):
        self.init()
        key = self.js("whoami")["key"]
        rc, out, _ = run("whoami", "--json", env={"MAILLE_HOME": self.dir})
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out)["key"], key)
        rc, out, _ = run("whoami", "--json", env={"XDG_DATA_HOME": self.tmp, "HOME": "/nonexistent"})
        self.assertEqual(rc, 1)  # $XDG_DATA_HOME/maille does not exist
        os.rename(self.dir, os.path.join(self.tmp, "maille"))
        rc, out, _ = run("whoami", "--json", env={"XDG_DATA_HOME": self.tmp})
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out)["key"], key)
        # --dir after the subcommand, and options after positionals
        rc, out, _ = run("whoami", "--dir", os.path.join(self.tmp, "maille"), "--json")
        self.assertEqual(rc, 0)


class TestNames(Node):
    """A name given on the command line is one line of UTF-8 text: it goes into the node
    directory's files (maille.conf, federation), where a line break would start a setting of
    its own. Refused before anything is written, French first, the name shown escaped."""

    BAD = ("Ville\nquarantine.entries = 0", "Ville\r\nmember = yes", "Ville \x1b[2J",
           "Ville\tde Lyon", "Ville\x7f", "Ville \u0085", "Ville \u009b2J")

    def settings(self, file):
        with open(os.path.join(self.dir, file), encoding="utf-8") as f:
            return [l for l in f.read().splitlines() if l and not l.startswith("#")]

    def test_init_name_refused(self):
        for name in self.BAD:
            for member in ((), ("--member",)):
                rc, out, err = self.m("init", *member, "--name", name)
                self.assertEqual(rc, 2, f"init {member} --name {name!r} accepted: {out}")
                self.assertIn("--name", err)
                self.assertIn("refusé", err)
                self.assertNotIn("\x1b", err, "the name is shown escaped")
                self.assertFalse(os.path.exists(self.dir), "a refused init creates nothing")
        rc, _, err = self.m("init", "--name", "Ville\nquarantine.entries = 0")
        self.assertIn("« Ville\\nquarantine.entries = 0 »", err)
        self.assertIn("U+000A", err)
        # over 200 bytes (201 characters: 402 bytes), and bytes that are not UTF-8
        rc, _, err = self.m("init", "--name", "é" * 201)
        self.assertEqual(rc, 2)
        self.assertIn("402 octets", err)
        rc, _, err = self.m("init", "--name", b"Cr\xe8che de Lyon")
        self.assertEqual(rc, 2)
        self.assertIn("UTF-8", err)
        rc, _, err = self.m("init", "--member", "--name", "")
        self.assertEqual(rc, 2)
        self.assertFalse(os.path.exists(self.dir))
        # a good name: its one line, and no other setting
        self.init("Commune d'Écully\u00a0(Rhône)")
        self.assertEqual(self.settings("maille.conf"), ["name = Commune d'Écully\u00a0(Rhône)"])
        self.assertEqual(self.js("whoami")["name"], "Commune d'Écully\u00a0(Rhône)")

    def test_federation_name_refused(self):
        self.init()
        fed = os.path.join(self.dir, "federation")
        for name in self.BAD + (" Réseau", "Réseau ", "R" * 129):
            rc, out, err = self.m("federation", "new", "--name", name)
            self.assertEqual(rc, 2, f"federation new --name {name!r} accepted: {out}")
            self.assertIn("--name", err)
            self.assertIn("refusé", err)
            self.assertFalse(os.path.exists(fed), "a refused name writes no federation")
        rc, _, err = self.m("federation", "new", "--name", "Réseau\nkey = " + "00" * 32)
        self.assertIn("U+000A", err)
        self.ok("federation", "new", "--name", "Réseau des territoires")
        lines = self.settings("federation")
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines[0], "name = Réseau des territoires")
        self.assertTrue(lines[1].startswith("key = "))


class TestPublish(Node):
    def setUp(self):
        super().setUp()
        self.init()

    def test_publish_list_show_search(self):
        res = self.js("publish", os.path.join(DATA, "rex-chatbot.md"))
        self.assertEqual(res["path"], "rex/chatbot-rh-un-an-d-experience")
        self.assertEqual(len(res["id"]), 64)
        self.assertEqual(res["warnings"], [])
        res2 = self.js("publish", os.path.join(DATA, "use-case-creche.md"))
        self.assertEqual(res2["path"], "use_case/tri-des-demandes-de-creche")

        items = self.js("list")
        self.assertEqual({i["path"] for i in items}, {res["path"], res2["path"]})
        for i in items:
            for k in ("id", "path", "type", "title", "summary", "territory", "author", "signer",
                      "timestamp", "status", "themes"):
                self.assertIn(k, i)
            self.assertEqual(i["territory"], "Métropole de Lyon")
            self.assertRegex(i["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual([i["path"] for i in self.js("list", "--type", "rex")], [res["path"]])
        self.assertEqual([i["path"] for i in self.js("list", "--status", "pilot")], [res2["path"]])
        self.assertEqual(len(self.js("list", "--theme", "ia-democratie")), 1)
        self.assertEqual(len(self.js("list", "--theme", "transparence-algorithmes")), 2)

        shown = self.js("show", res["path"])
        self.assertEqual(shown["id"], res["id"])
        self.assertEqual(shown["body"]["title"], {"fr": "Chatbot RH : un an d'expérience"})
        self.assertIn("questions fréquentes", shown["body"]["description"]["fr"])
        self.assertEqual(shown["body"]["period"], {"start": "2024-01-15"})
        self.assertEqual(self.js("show", res["id"][:12])["path"], res["path"])
        out = self.ok("show", res["path"])
        self.assertIn("signature: verified", out)
        # a period reads as one phrase, not as its members nor as a language map
        self.assertIn("\nPeriod: since 15 January 2024\n", out)

        # diacritics-insensitive search, both ways, with snippets
        for q in ("experience", "EXPÉRIENCE", "expér", "zorglubmirifique"):
            hits = self.js("search", q)
            self.assertEqual([h["path"] for h in hits], [res["path"]], q)
            self.assertIn("snippet", hits[0])
        hits = self.js("search", "crèche")
        self.assertEqual(hits[0]["path"], res2["path"])
        self.assertEqual(self.js("search", "creche", "--type", "rex"), [])
        self.assertEqual(len(self.js("search", "Lyon OR \"(", "--limit", "5")), 0)
        rc, _, _ = self.m("search", "--json", "((*")
        self.assertIn(rc, (0, 2))

    def test_search_french(self):
        res = self.js("publish", os.path.join(DATA, "rex-chatbot.md"))
        # a word of the REX's difficulties, one of its lessons learned (both singular), a plural
        # that finds the singular, an elided word
        for q in ("réponse", "gestionnaire", "chatbots", "l'expériences"):
            self.assertEqual([h["path"] for h in self.js("search", q)], [res["path"]], q)
        rc, out, err = self.m("search", "chatbots")
        self.assertEqual(rc, 0)
        self.assertIn("1 record found", err)
        # a typo: nothing, and the nearest word of the records
        rc, out, err = self.m("search", "chatbto")
        self.assertEqual(rc, 0)
        self.assertIn("Did you mean chatbot?", err)

    def test_edit_and_delete(self):
        p = os.path.join(DATA, "rex-chatbot.md")
        first = self.js("publish", p)
        with open(p, encoding="utf-8") as f:
            text = f.read().replace("zorglubmirifique", "ornithorynque")
        p2 = self.write("edit.md", text)
        second = self.js("publish", p2)
        self.assertEqual(second["path"], first["path"])
        self.assertNotEqual(second["id"], first["id"])
        self.assertEqual(self.js("show", first["path"])["id"], second["id"])
        self.assertEqual(self.js("search", "zorglubmirifique"), [])
        self.assertEqual(len(self.js("search", "ornithorynque")), 1)
        rc, _, _ = self.m("show", first["id"])
        self.assertEqual(rc, 1, "a superseded version is gone")

        d = self.js("delete", first["path"], "--yes")
        self.assertTrue(d["deleted"])
        rc, _, err = self.m("show", first["path"])
        self.assertEqual(rc, 1)
        self.assertIn("deleted", err)
        self.assertEqual(self.js("list", "--type", "rex"), [])
        self.assertEqual(self.js("search", "ornithorynque"), [])
        rc, _, err = self.m("delete", first["path"])
        self.assertEqual(rc, 1)
        # the tombstone stays in the export
        exp = self.js("export")
        kinds = {e["path"]: e["kind"] for e in self.js("export")["entries"]}
        self.assertEqual(kinds[first["path"]], "tombstone")
        self.assertEqual(exp["count"], 2)
        self.ok("check")
        # deleted text is gone from the file's bytes
        data = b""
        for name in os.listdir(self.dir):
            if name.startswith("store.sqlite"):
                with open(os.path.join(self.dir, name), "rb") as f:
                    data += f.read()
        self.assertNotIn(b"ornithorynque", data)
        self.assertNotIn(b"zorglubmirifique", data)

    def test_path_options(self):
        p = self.write("m.md", "---\ntype: methodology\ntitle: Grille d'évaluation\nsummary: Une grille.\n"
                               "themes: [transparence-algorithmes]\nstatus: production\nmethod_kind: assessment_grid\n"
                               "covers: [impact_assessment]\npath: methodology/grille-2026\n---\nTexte.\n")
        self.assertEqual(self.js("publish", p)["path"], "methodology/grille-2026")
        self.assertEqual(self.js("publish", p, "--path", "methodology/autre")["path"], "methodology/autre")
        dry = self.js("publish", "--dry-run", p)
        self.assertTrue(dry["dry_run"])
        self.assertIsNone(dry["id"])
        # warnings for missing recommended fields
        self.assertTrue(any(w["field"] == "department" for w in dry["warnings"]))
        rc, _, err = self.m("publish", p, "--path", "Pas Valide")
        self.assertEqual(rc, 1)
        self.assertIn("not valid", err)


class TestBadInput(Node):
    def setUp(self):
        super().setUp()
        self.init()
        self.baseline = self.js("export")["count"]

    def refused(self, name, content, *expect, env=None):
        p = self.write(name, content)
        rc, out, err = self.m("publish", p, env=env)
        self.assertEqual(rc, 1, f"{name} accepted: {out}")
        self.assertIn(name, err)
        for e in expect:
            self.assertIn(e, err)
        self.assertEqual(self.js("export")["count"], self.baseline, "nothing stored")
        return err

    def test_refusals(self):
        base = ("type: rex\ntitle: T\nsummary: S\nthemes: [donnees]\nstatus: idea\nabout: [x]\n"
                "declaration: user\nperiod: {start: 2024-01-01}\ncontext: c\nobjectives: o\n"
                "what_was_done: w\ndifficulties: d\nlessons_learned: l\n")
        self.refused("nofm.md", "# Juste du Markdown\n", "---")
        self.refused("unclosed.md", "---\ntype: rex\n")
        self.refused("syntax.md", "---\ntype: rex\ntitle: [a, b\nsummary: x\n---\n", ":")
        err = self.refused("colon.md", "---\n" + base.replace("title: T", "title: Bilan : un an")
                           + "---\nx\n", "colon.md:3:", env=FR)
        self.assertIn("« : » inattendu à cet endroit", err)
        self.assertIn("une valeur qui contient « : » se met entre guillemets", err)
        self.refused("unknown-type.md", "---\n" + base.replace("type: rex", "type: recette") + "---\nx\n",
                     "type")
        self.refused("missing.md", "---\n" + base.replace("lessons_learned: l\n", "") + "---\nx\n",
                     "lessons_learned")
        err = self.refused("wrongtype.md", "---\n" + base.replace("themes: [donnees]", "themes: 42") + "---\nx\n",
                           "themes")
        self.assertIn(":5:", err, "the line of the field (--- is line 1)")
        self.refused("baddate.md", "---\n" + base.replace("2024-01-01", "2024-02-30") + "---\nx\n", "period")
        self.refused("latin1.md", ("---\n" + base + "---\n").encode() + "Cr\xe8che\n".encode("latin-1"),
                     "UTF-8")
        self.refused("binary.md", b"---\ntype: rex\n\x00\x01\x02---\n")
        self.refused("alias.md", "---\n" + base + "x: &a [1]\ny: *a\n---\nz\n")
        self.refused("dupkey.md", "---\n" + base + "status: pilot\n---\nz\n", "status")
        big = "---\n" + base + "---\n" + ("Une phrase de texte assez longue. " * 9000)
        self.refused("big.md", big, "256 KiB")
        self.refused("huge.md", "---\n" + base + "---\n" + "x" * (2 * 1024 * 1024), "bytes")
        self.refused("toplevel-list.md", "---\n- a\n- b\n---\n")
        rc, _, err = self.m("publish", os.path.join(self.tmp, "absent.md"))
        self.assertEqual(rc, 1)
        self.assertIn("absent.md", err)
        rc, _, _ = self.m("publish", self.tmp)
        self.assertEqual(rc, 1)

    def test_refused_control_characters(self):
        """A one-line text (title, summary, names, labels, keywords...) holds no control
        character; a multi-line text (the description, a REX's long fields) holds line breaks
        and tabs and no other control character. Refused with the file and the field, French
        in French in a French locale, and nothing stored."""
        base = ("type: rex\ntitle: T\nsummary: S\nthemes: [donnees]\nstatus: idea\nabout: [x]\n"
                "declaration: user\nperiod: {start: 2024-01-01}\ncontext: c\nobjectives: o\n"
                "what_was_done: w\ndifficulties: d\nlessons_learned: l\n")
        err = self.refused("esc.md", "---\n" + base.replace("title: T", 'title: "Titre \\e[2J"') +
                           "---\nx\n", "title.fr", "U+001B", "refusé", env=FR)
        self.assertIn("esc.md:3: title.fr", err)
        self.assertIn("caractère de contrôle U+001B refusé : ce champ tient sur une ligne", err)
        err = self.refused("esc.md", "---\n" + base.replace("title: T", 'title: "Titre \\e[2J"') +
                           "---\nx\n", env=EN)
        self.assertIn("esc.md:3: title.fr: control character U+001B not allowed in a one-line "
                      "field", err)
        self.assertNotIn("\x1b", err)
        self.refused("nl.md", "---\n" + base.replace("title: T", 'title: "Titre\\n[fausse ligne]"') +
                     "---\nx\n", "title.fr", "U+000A")
        self.refused("c1.md", "---\n" + base.replace("summary: S", 'summary: "R\\u009b2J"') +
                     "---\nx\n", "summary.fr", "U+009B")
        self.refused("kw.md", "---\n" + base + 'keywords: ["a\\tb"]\n---\nx\n', "keywords[0]",
                     "U+0009")
        self.refused("ind.md", "---\n" + base + 'indicators: [{name: "n\\x7f", value: 1, unit: u, '
                     'date: 2024-01-01}]\n---\nx\n', "indicators[0].name", "U+007F")
        self.refused("desc.md", "---\n" + base + "---\nUn paragraphe \x1b[2J piégé.\n",
                     "description.fr", "U+001B")
        self.refused("cr.md", "---\n" + base.replace("context: c", 'context: "a\\rb"') +
                     "---\nx\n", "context", "U+000D")
        # line breaks and tabs in the multi-line texts publish
        ok = self.write("ok.md", "---\n" + base.replace("context: c",
                        'context: "Premier point.\\n\\n- un\\n\\t- deux"') +
                        "---\n## Titre\n\n\tcode\n\nFin.\n")
        self.assertEqual(self.js("publish", ok)["path"], "rex/t")

    REX = ("type: rex\ntitle: T\nsummary: S\nthemes: [donnees]\nstatus: idea\nabout: [x]\n"
           "declaration: user\nperiod: {start: 2024-01-01}\ncontext: c\nobjectives: o\n"
           "what_was_done: w\ndifficulties: d\nlessons_learned: l\n")

    def test_every_error_with_its_line(self):
        """A record with ten faults (eleven errors: a misspelt required field is also a missing
        one): every one is reported at once, in the record table's order, as FILE:LINE:
        field: message (a missing field at line 1, the front matter's), then their count;
        exit 1 and nothing stored, --dry-run the same."""
        text = ("---\n"                                      # 1
                "type: rex\n"                                # 2
                "summary: S\n"                               # 3   title missing
                "themes: [donnees, sante]\n"                 # 4   themes[1]
                "status: fini\n"                             # 5   status
                "territories:\n"                             # 6
                "  - level: comune\n"                        # 7   territories[0].level
                "    code: \"69123\"\n"                      # 8
                "    cog_year: 25\n"                         # 9   territories[0].cog_year
                "    label: Lyon\n"                          # 10
                "about: [x]\n"                               # 11
                "declaration: usager\n"                      # 12  declaration
                "period:\n"                                  # 13
                "  start: 2024-03-01\n"                      # 14
                "  end: 2025-02-30\n"                        # 15  period.end
                "rating: 9\n"                                # 16  rating
                "context: c\nobjectives: o\nwhat_was_done: w\ndifficulties: d\n"  # 17-20
                "lesons_learned: l\n"                        # 21  unknown, lessons_learned missing
                "couleur: bleu\n"                            # 22  unknown
                "---\n"
                "Le texte.\n")
        want = [(1, "title", "missing required field"),
                (4, "themes[1]", 'unknown value "sante"; expected one of: ia-democratie'),
                (5, "status", 'unknown value "fini"; expected one of: idea, design'),
                (7, "territories[0].level", 'did you mean commune?'),
                (9, "territories[0].cog_year", "out of range"),
                (12, "declaration", 'unknown value "usager"'),
                (15, "period.end", 'invalid date "2025-02-30"'),
                (1, "lessons_learned", "missing required field"),
                (16, "rating", "out of range"),
                (21, "lesons_learned", "unknown field; did you mean lessons_learned?"),
                (22, "couleur", "unknown field"),
                ]
        for dry in ((), ("--dry-run",)):
            with self.subTest(dry=dry):
                p = self.write("dix.md", text)
                rc, out, err = self.m("publish", p, *dry, env=EN)
                self.assertEqual(rc, 1)
                self.assertEqual(out, "")
                lines = [l for l in err.splitlines() if l.startswith("maille: error: ")]
                self.assertEqual(len(lines), len(want) + 1, err)
                for got, (line, field, msg) in zip(lines, want):
                    self.assertIn(f"dix.md:{line}: {field}: ", got)
                    self.assertIn(msg, got)
                self.assertIn(f"dix.md: {len(want)} errors; nothing was stored", lines[-1])
        self.assertEqual(self.js("export")["count"], self.baseline, "nothing stored")
        # in French, the same errors in French and their count
        rc, _, err = self.m("publish", self.write("dix.md", text), env=FR)
        self.assertEqual(rc, 1)
        self.assertIn("dix.md:21: lesons_learned", err)
        self.assertIn("champ inconnu ; vouliez-vous dire lessons_learned ?", err)
        self.assertIn("valeur inconnue « sante » ; valeurs admises : ia-democratie (IA et "
                      "démocratie)", err)
        self.assertIn("champ obligatoire manquant", err)

    def test_unknown_field_and_theme(self):
        """An unknown field is an error with the nearest known name, at the top level and in a
        nested object; a wrong theme lists the allowed ones; under extensions anything goes."""
        err = self.refused("typo.md", "---\n" + self.REX.replace("lessons_learned", "lesons_learned")
                           + "---\nx\n", env=EN)
        self.assertIn("typo.md:14: lesons_learned: unknown field; did you mean lessons_learned?", err)
        self.assertIn("typo.md:1: lessons_learned: missing required field", err)
        self.assertIn("2 errors", err)
        err = self.refused("typo.md", "---\n" + self.REX.replace("lessons_learned", "lesons_learned")
                           + "---\nx\n", env=FR)
        self.assertIn("lesons_learned", err)
        self.assertIn("champ inconnu ; vouliez-vous dire lessons_learned ?", err)
        err = self.refused("nested.md", "---\n" + self.REX.replace(
            "period: {start: 2024-01-01}", "period: {start: 2024-01-01, fin: 2024-06-30}")
            + "---\nx\n", env=EN)
        self.assertIn("nested.md:9: period.fin: unknown field; expected one of: start, end", err)
        err = self.refused("theme.md", "---\n" + self.REX.replace("[donnees]", "[donees]") +
                           "---\nx\n", env=EN)
        self.assertIn("theme.md:5: themes[0]: unknown value \"donees\"; did you mean donnees? "
                      "Expected one of: ia-democratie, ia-ressource-limitee", err)
        self.assertIn("participation-citoyenne", err)
        ok = self.write("ext.md", "---\n" + self.REX + "extensions:\n  couleur: bleu\n"
                        "  lesons: {x: 1}\n---\nx\n")
        rc, out, err = self.m("publish", ok, env=EN)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("unknown", err)

    def test_own_territory_fills_territories(self):
        """A record without `territories` gets the node's own territory (a métropole is an
        EPCI, its code its SIREN, the year of publication), so it is neither refused nor
        orphaned; a record that names its territories keeps them; --dry-run fills the same."""
        import datetime
        year = datetime.datetime.now(datetime.timezone.utc).year
        p = self.write("sans.md", "---\n" + self.REX + "---\nx\n")
        res = self.js("publish", p)
        self.assertNotIn("territories", json.dumps(res["warnings"]))
        body = self.js("show", res["path"])["body"]
        self.assertEqual(body["territories"], [{"level": "epci", "code": "200046977",
                                                "cog_year": year, "label": "Métropole de Lyon"}])
        own = ("territories:\n  - {level: commune, code: \"69123\", cog_year: 2024, "
               "label: Lyon}\n")
        p = self.write("avec.md", "---\n" + self.REX.replace("title: T", "title: U") + own +
                       "---\nx\n")
        body = self.js("show", self.js("publish", p)["path"])["body"]
        self.assertEqual(body["territories"], [{"level": "commune", "code": "69123",
                                                "cog_year": 2024, "label": "Lyon"}])
        # a dry run warns of nothing missing either
        p = self.write("sec.md", "---\n" + self.REX.replace("title: T", "title: V") + "---\nx\n")
        dry = self.js("publish", "--dry-run", p)
        self.assertNotIn("territories", json.dumps(dry["warnings"]))

    def test_refused_urls_and_targets(self):
        """A URL field takes http and https only; a relation's target is an entry path or an
        http, https or urn URI. Refused with the file and the field, in French in a French
        locale."""
        comp = ("type: component\ntitle: Outil de test\nsummary: S\nthemes: [logiciel-libre]\n"
                "status: production\ncomponent_kind: software\nlicence: EUPL-1.2\n")
        err = self.refused("js.md", "---\n" + comp + "repository_url: javascript:alert(1)\n---\nx\n",
                           "repository_url", "schéma « javascript » refusé", env=FR)
        self.assertIn("js.md:9: repository_url", err)  # --- is line 1
        # with a good repository_url, one bad value each
        good = "---\n" + comp + "repository_url: https://forge.exemple.fr/x\n"
        for name, line, field, why in (
                ("data.md", "landing_url: \"data:text/html,<script>x</script>\"",
                 "landing_url", "refusé"),
                ("file.md", "links: [{rel: doc, href: \"file:///etc/passwd\"}]",
                 "links[0].href", "refusé"),
                ("target.md", "relations: [{rel: uses, target: \"javascript:alert(1)\"}]",
                 "relations[0].target", "cible « javascript:alert(1) » refusée"),
                ("notpath.md", "relations: [{rel: uses, target: Component/Outil}]",
                 "relations[0].target", "refusée")):
            with self.subTest(name):
                self.refused(name, good + line + "\n---\nx\n", field, why, env=FR)
        # the same record with acceptable values publishes
        ok = self.write("ok.md", good + "relations: [{rel: uses, target: component/autre-outil},\n"
                        "            {rel: similar_to, target: \"urn:isbn:9782070360024\"}]\n"
                        "---\nx\n")
        self.assertEqual(self.js("publish", ok)["path"], "component/outil-de-test")

    def test_usage_errors(self):
        self.assertEqual(self.m("publish")[0], 2)
        self.assertEqual(self.m("list", "--bogus")[0], 2)
        self.assertEqual(self.m("list", "--type", "recette")[0], 2)
        self.assertEqual(self.m("search")[0], 2)
        self.assertEqual(self.m("search", "x", "--limit", "0")[0], 2)
        self.assertEqual(self.m("show")[0], 2)
        self.assertEqual(run("frobnicate")[0], 2)
        self.assertEqual(run()[0], 2)
        self.assertEqual(self.m("show", "rex/nope")[0], 1)
        self.assertEqual(self.m("show", "deadbeefdeadbeef")[0], 1)
        self.assertEqual(self.m("delete", "rex/nope")[0], 1)

    def test_help_and_version(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        for cmd in ("init", "publish", "list", "search", "show", "delete", "export", "check", "whoami",
                    "federation", "node", "ping"):
            self.assertIn(cmd, out)
            rc, out2, _ = run(cmd, "--help")
            self.assertEqual(rc, 0, cmd)
            self.assertIn("usage: maille " + cmd, out2)
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^maille \d+\.\d+\.\d+")


class TestCheck(Node):
    def test_check_reports_altered_entries(self):
        self.init()
        a = self.js("publish", os.path.join(DATA, "rex-chatbot.md"))
        b = self.js("publish", os.path.join(DATA, "use-case-creche.md"))
        rep = self.js("check")
        self.assertTrue(rep["ok"])
        self.assertEqual(rep["checked"], 3)
        db = sqlite3.connect(os.path.join(self.dir, "store.sqlite"))
        raw = bytearray(db.execute("SELECT raw FROM entries WHERE path = ?", (a["path"],)).fetchone()[0])
        i = raw.find("un an".encode())
        raw[i] ^= 0x20  # "un an" -> "Un an": still canonical, but the signature no longer holds
        db.execute("UPDATE entries SET raw = ? WHERE path = ?", (bytes(raw), a["path"]))
        db.commit()
        db.close()
        rc, out, err = self.m("check", "--json")
        self.assertEqual(rc, 1)
        rep = json.loads(out)
        self.assertFalse(rep["ok"])
        bad = {p["path"] for p in rep["problems"]}
        self.assertIn(a["path"], bad)
        self.assertNotIn(b["path"], bad)
        rc, _, err = self.m("check")
        self.assertEqual(rc, 1)
        self.assertIn(a["path"], err)


class TestCorruptStore(unittest.TestCase):
    """A damaged store, one kind per test: `maille check` names the problem and exits 1 (and
    leaves DIR/store.corrupt), `publish` then refuses and changes nothing, nor does the daemon
    start; a store restored from a backup checks clean again, which lifts the refusal."""

    @classmethod
    def setUpClass(cls):
        # one node of 40 records (several pages of 16 KiB), copied for each test
        cls.base = tempfile.mkdtemp(prefix="maille-corrupt-")
        cls.pristine = os.path.join(cls.base, "node")
        rc, _, err = run("--dir", cls.pristine, "init", "--name", "Métropole de Lyon", "--siren",
                         "200046977", "--kind", "metropole")
        assert rc == 0, err
        for i in range(40):
            src = "rex-chatbot.md" if i % 2 else "use-case-creche.md"
            kind = "rex" if i % 2 else "use_case"
            rc, _, err = run("--dir", cls.pristine, "publish", os.path.join(DATA, src), "--path",
                             f"{kind}/enregistrement-{i}")
            assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, ignore_errors=True)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="maille-corrupt-")
        self.dir = os.path.join(self.tmp, "node")
        shutil.copytree(self.pristine, self.dir)
        self.store = os.path.join(self.dir, "store.sqlite")
        self.mark = os.path.join(self.dir, "store.corrupt")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def m(self, *args):
        return run("--dir", self.dir, *args)

    def files(self):
        """The node directory's store files, as bytes (absent ones as None)."""
        out = {}
        for suffix in ("", "-wal", "-shm"):
            p = self.store + suffix
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out[suffix] = f.read()
            else:
                out[suffix] = None
        return out

    def check_names(self, *phrases):
        """check exits 1, names the problem (every phrase in one of its problems), leaves the
        mark; --json lists the same problems."""
        rc, out, err = self.m("check")
        self.assertEqual(rc, 1, out + err)
        for ph in phrases:
            self.assertIn(ph, err)
        self.assertNotIn(" 0 problems", err)
        self.assertIn("store.corrupt", err)
        self.assertTrue(os.path.exists(self.mark))
        with open(self.mark, encoding="utf-8") as f:
            text = f.read()
        for ph in phrases:
            self.assertIn(ph, text)
        rc, out, _ = self.m("check", "--json")
        self.assertEqual(rc, 1)
        rep = json.loads(out)
        self.assertFalse(rep["ok"])
        self.assertTrue(rep["problems"])
        joined = " | ".join(p["problem"] for p in rep["problems"])
        for ph in phrases:
            self.assertIn(ph, joined)
        return err

    def publish_refused(self):
        """publish exits 1, says the store is damaged and what to do, and changes nothing."""
        before = self.files()
        rc, out, err = self.m("publish", os.path.join(DATA, "rex-chatbot.md"), "--path",
                              "rex/apres-le-dommage")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("nothing was written", err)
        self.assertIn("Restore", err)
        self.assertIn("maille check", err)
        self.assertEqual(self.files(), before)
        return err

    def daemon_refused(self):
        rc, _, err = run("--dir", self.dir, "node", "--listen", "127.0.0.1:0", "--no-web",
                         timeout=60)
        self.assertEqual(rc, 1, err)
        self.assertIn("nothing was written", err)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "node.addr")))

    def repaired(self):
        """The pristine store back, as from a backup: check is clean, the mark goes, writes
        work again."""
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.store + suffix):
                os.remove(self.store + suffix)
        shutil.copyfile(os.path.join(self.pristine, "store.sqlite"), self.store)
        rc, out, err = self.m("check")
        self.assertEqual(rc, 0, err)
        self.assertIn("all good", out)
        self.assertFalse(os.path.exists(self.mark))
        rc, _, err = self.m("publish", os.path.join(DATA, "rex-chatbot.md"), "--path",
                            "rex/apres-la-restauration")
        self.assertEqual(rc, 0, err)

    def refused_until_restored(self):
        """Publishing and the daemon refuse the damaged store; restored, it works again."""
        self.publish_refused()
        self.daemon_refused()
        self.repaired()

    def sql(self, query, *args):
        """Runs query on the store behind maille's back; its rows."""
        db = sqlite3.connect(self.store)
        try:
            rows = db.execute(query, args).fetchall()
            db.commit()
        finally:
            db.close()
        return rows

    def test_truncated(self):
        size = os.path.getsize(self.store)
        os.truncate(self.store, size // 2)
        self.publish_refused()  # refused at once: SQLite sees the header's size
        err = self.check_names("truncated")
        self.assertIn(f"the file has {size // 2}", err)
        self.refused_until_restored()

    def test_damaged_page_in_the_middle(self):
        # the page of the entries table that holds one of the records, in the middle of the
        # file: its header and cell pointers overwritten
        page = 16384
        with open(self.store, "rb") as f:
            data = f.read()
        at = data.find(b"use_case/enregistrement-20")
        self.assertGreater(at // page, 0)
        self.assertLess(at // page, len(data) // page - 1)
        with open(self.store, "r+b") as f:
            f.seek((at // page) * page)
            f.write(bytes((i * 37 + 11) & 0xff for i in range(256)))
        err = self.check_names("the file is damaged", "SQLite")
        self.assertIn("SQLite's integrity check", err)
        self.refused_until_restored()

    def test_altered_column(self):
        self.sql("UPDATE entries SET title = 'Titre changé en douce' WHERE path = ?",
                 "rex/enregistrement-7")
        err = self.check_names("decoded columns disagree with the body")
        self.assertIn("rex/enregistrement-7", err)
        self.refused_until_restored()

    def test_altered_raw_bytes(self):
        raw = bytearray(self.sql("SELECT raw FROM entries WHERE path = ?",
                                 "rex/enregistrement-9")[0][0])
        i = raw.find("un an".encode())
        raw[i] ^= 0x20  # "un an" -> "Un an": still canonical, the signature no longer holds
        self.sql("UPDATE entries SET raw = ? WHERE path = ?", bytes(raw), "rex/enregistrement-9")
        err = self.check_names("signature does not verify")
        self.assertIn("rex/enregistrement-9", err)
        self.refused_until_restored()

    def test_missing_file(self):
        os.remove(self.store)
        err = self.publish_refused()
        self.assertIn("the store is missing", err)
        self.assertFalse(os.path.exists(self.store))
        self.check_names("store.sqlite cannot be opened: the file does not exist")
        err = self.publish_refused()
        self.assertFalse(os.path.exists(self.store))
        self.daemon_refused()
        self.repaired()

    def test_wrong_file(self):
        with open(self.store, "wb") as f:
            f.write("Ceci n'est pas une base de données.\n".encode() * 2000)
        err = self.publish_refused()
        self.assertIn("not an SQLite database", err)
        self.check_names("not an SQLite database")
        self.refused_until_restored()

FRENCH = {"LANG": "fr_FR.UTF-8"}


class TestSchema(unittest.TestCase):
    """maille schema: the record types and their fields, from the record tables, in the
    CLI's language (French under a French LANG, English in the C locale)."""

    def test_lists_the_types(self):
        rc, out, err = run("schema", env=FRENCH)
        self.assertEqual(rc, 0, err)
        for t in ("methodology", "use_case", "component", "rex", "call", "label", "interest",
                  "award", "comment", "territory", "member", "vouch", "node"):
            self.assertIn(f"  {t} ", out)
        self.assertIn("Cas d'usage", out)
        rc, out, err = run("schema")
        self.assertEqual(rc, 0, err)
        self.assertIn("  use_case     Use case", out)
        self.assertNotIn("Cas d'usage", out)
        types = json.loads(run("schema", "--json")[1])["types"]
        self.assertEqual([t["name"] for t in types], ["methodology", "use_case", "component",
                                                      "rex", "call", "label", "interest",
                                                      "award", "comment", "territory", "member",
                                                      "vouch", "node"])
        self.assertEqual(types[3]["label"], {"fr": "Retour d'expérience",
                                             "en": "Experience report"})

    def test_one_type_french_first(self):
        rc, out, err = run("schema", "use_case", env=FRENCH)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("use_case — Cas d'usage"), out[:80])
        # a condition, an allowed value with its French label, a nested field, a help
        self.assertIn("recourse  (texte, texte par langue ou liste)  facultatif ; obligatoire "
                      "si individual_decisions = true", out)
        self.assertIn("decision_support (Aide à la décision)", out)
        self.assertIn("risks[].mitigation", out)
        self.assertIn("Voies de recours : Comment contester une décision.", out)
        self.assertIn("title  (texte par langue)  obligatoire", out)  # common fields too
        rc, out, _ = run("schema", "territory")
        self.assertNotIn("  title ", out)  # a territory has no common fields

    def test_one_type_in_english(self):
        rc, out, err = run("schema", "use_case")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("use_case — Use case"), out[:80])
        self.assertIn("recourse  (string, language map or list)  optional; required "
                      "if individual_decisions = true", out)
        self.assertIn("decision_support (Decision support)", out)
        self.assertIn("risks[].mitigation", out)
        self.assertIn("title  (language map)  required", out)
        for french in ("obligatoire", "valeurs", "Voies de recours"):
            self.assertNotIn(french, out)

    def test_one_type_says_what_each_field_takes(self):
        """maille schema TYPE: each field's allowed values, nested members, bounds, length,
        default and an example, and that any other field is refused (extensions excepted)."""
        rc, out, _ = run("schema", "rex", env=FRENCH)
        self.assertEqual(rc, 0)
        for said in ("territories[].cog_year  (entier)  obligatoire", "de 1000 à 9999",
                     "au plus 200 caractères", "par défaut : etalab-2.0", "exemple : 69123",
                     "valeurs : commune (Commune), epci (Intercommunalité (EPCI))", "period.end",
                     "Un champ absent de cette liste est refusé"):
            self.assertIn(said, out)
        self.assertNotIn("avertissement", out.split("\n\n")[-1])
        d = json.loads(run("schema", "rex", "--json")[1])
        terr = next(f for f in d["common_fields"] if f["name"] == "territories")
        year = next(f for f in terr["fields"] if f["name"] == "cog_year")
        self.assertEqual((year["min"], year["max"]), (1000, 9999))
        title = next(f for f in d["common_fields"] if f["name"] == "title")
        self.assertEqual(title["max_chars"], 200)
        self.assertNotIn("other_values_allowed", json.dumps(d))

    def test_one_type_json(self):
        d = json.loads(run("schema", "component", "--json")[1])
        self.assertEqual(d["name"], "component")
        self.assertTrue(any(f["name"] == "title" for f in d["common_fields"]))
        repo = next(f for f in d["fields"] if f["name"] == "repository_url")
        self.assertEqual(repo["presence"], "optional")
        self.assertEqual(repo["condition"], {"field": "component_kind", "value": "software",
                                             "presence": "required"})
        kind = next(f for f in d["fields"] if f["name"] == "component_kind")
        self.assertEqual(kind["values"][0], {"value": "software",
                                             "label": {"fr": "Logiciel", "en": "Software"}})
        mc = next(f for f in d["fields"] if f["name"] == "model_card")
        self.assertIn("limitations", [f["name"] for f in mc["fields"]])
        title = next(f for f in d["common_fields"] if f["name"] == "title")
        self.assertEqual(title["search"], {"column": "title", "weight": 10.0})

    def test_unknown_type_lists_them_all(self):
        rc, out, err = run("schema", "usecase", env=FRENCH)
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertIn("type « usecase » inconnu ; types : methodology, use_case, component, "
                      "rex, call, label, interest, award, comment, territory, member, vouch, node", err)
        rc, out, err = run("schema", "usecase")
        self.assertEqual(rc, 2)
        self.assertIn("unknown type \"usecase\"; types: methodology, use_case, component, "
                      "rex, call, label, interest, award, comment, territory, member, vouch, node", err)
        rc, _, err = run("schema", "rex", "use_case")
        self.assertEqual(rc, 2)
        rc, _, err = run("schema", "rex", "--markdown")
        self.assertEqual(rc, 2)

    def test_help(self):
        rc, out, _ = run("schema", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: maille schema [TYPE] [--json]", out)
        self.assertIn("--markdown", out)
        rc, out, _ = run("--help")
        self.assertIn("  schema ", out)


class TestHelp(Node):
    """Every command's --help tells the truth about what the command accepts."""
    OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")

    def commands(self):
        """The commands as `maille --help` lists them (two spaces, a name, then its line)."""
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        cmds = re.findall(r"^  ([a-z]+) +\S", out.split("Commands:\n", 1)[1], re.M)
        self.assertIn("territories", cmds)
        return cmds

    def accepts(self, form, opt):
        """Whether the command FORM (a list: command, maybe a subcommand) knows --OPT: with a
        value and --help after it, a known option prints the help (exit 0) or says it takes no
        value; an unknown one is refused."""
        rc, _, err = self.m(*form, f"--{opt}=x", "--help")
        return rc == 0 or "takes no value" in err

    def forms(self, cmd):
        """The forms of CMD: [CMD], or [CMD, SUB] for each subcommand its usage lines name (the
        lowercase words after the command)."""
        if cmd not in self._forms:
            rc, text, err = self.m(cmd, "--help")
            self.assertEqual(rc, 0, f"{cmd} --help: {err}")
            subs = sorted(set(re.findall(rf"^(?:usage:|      ) maille {cmd} ([a-z]+)\b", text,
                                         re.M)))
            self._forms[cmd] = [[cmd, sub] for sub in subs] or [[cmd]]
        return self._forms[cmd]

    def options_named(self, cmd, text, cmds):
        """The (command, option) pairs TEXT names: an option after 'maille X' on a line, up to
        a closing quote or parenthesis, is X's (a reference to another command); any other is
        CMD's."""
        pairs = set()
        for line in text.splitlines():
            rest = line
            for m in re.finditer(r"maille ([a-z]+)([^')]*)", line):
                if m.group(1) in cmds:
                    pairs |= {(m.group(1), o) for o in self.OPTION.findall(m.group(2))}
                    rest = rest.replace(m.group(0), " ", 1)
            pairs |= {(cmd, o) for o in self.OPTION.findall(rest)}
        return sorted(pairs)

    def test_every_help(self):
        self._forms = {}
        rc, out, _ = run("--help")
        for opt in self.OPTION.findall(out):
            rc, _, err = run(f"--{opt}", "--help") if opt != "dir" else run("--dir", self.dir, "--help")
            self.assertEqual(rc, 0, f"maille --help names --{opt}, which maille refuses: {err}")
        cmds = self.commands()
        for cmd in cmds:
            with self.subTest(cmd=cmd):
                rc, text, err = self.m(cmd, "--help")
                self.assertEqual(rc, 0, f"{cmd} --help: {err}")
                self.assertEqual(err, "", f"{cmd} --help writes on stderr")
                self.assertRegex(text, rf"usage: maille {cmd}\b")
                for form in self.forms(cmd):
                    rc, text2, err = self.m(*form, "--help")
                    self.assertEqual(rc, 0, f"{form} --help: {err}")
                    self.assertIn(f"maille {' '.join(form)}", text2)
                    self.assertEqual(err, "", f"{form} --help writes on stderr")
                for owner, opt in self.options_named(cmd, text, cmds):
                    self.assertTrue(any(self.accepts(f, opt) for f in self.forms(owner)),
                                    f"'maille {cmd} --help' names --{opt} of {owner}, which no "
                                    f"form of {owner} ({self.forms(owner)}) accepts")

    def test_territories_help_says_the_trust_setting_and_filter(self):
        rc, text, _ = self.m("territories", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("trust.hops", text)
        self.assertNotIn("constant", text)
        self.assertNotIn("do not filter", text)
        rc, text, _ = self.m("trust", "--help")
        self.assertIn("trust.hops", text)

    def test_demo_arguments(self):
        """tools/demo checks its arguments before it builds or starts anything."""
        demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "demo")
        rc, text, _ = harness.run_program(["bash", demo, "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("--port-base N", text)
        for bad in ("80", "65531", "abc", "-1", "7480x", "07480", ""):
            rc, _, err = harness.run_program(["bash", demo, "--port-base", bad])
            self.assertEqual(rc, 2, f"--port-base {bad!r}")
            self.assertIn("--port-base", err)
        rc, _, err = harness.run_program(["bash", demo, "--port-base"])
        self.assertEqual(rc, 2)
        self.assertIn("needs a port number", err)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = harness.data_copy(os.path.abspath(sys.argv[2]))
    unittest.main(argv=[sys.argv[0], "-v"])
