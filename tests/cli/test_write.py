#!/usr/bin/env python3
"""Writing records with the `maille` command line: `maille new` (templates and examples), the
path a first publish writes back into its file, `publish`'s created/updated line, `export
--format markdown` and its round trip, `territory set`, and `delete`'s confirmation.

Usage: test_write.py MAILLE_BINARY"""
import json
import os
import re
import subprocess
import sys
import unittest

import harness
from harness import run

PUBLISHABLE = ("methodology", "use_case", "component", "rex")


class Node(harness.Case):
    """A node of the Métropole de Lyon in a temporary directory of its own per test."""

    def setUp(self):
        self.begin("maille-write-")
        self.dir = self.path("node")
        self.ok(self.dir, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
                "--kind", "metropole")

    def tearDown(self):
        self.end()

    def read(self, p):
        with open(p, "rb") as f:
            return f.read()


class TestNew(Node):
    def test_example_publishes_as_is(self):
        for t in PUBLISHABLE:
            with self.subTest(type=t):
                text = self.ok(self.dir, "new", t, "--example")
                self.assertNotIn("\npath:", text.split("\n---", 1)[0])
                p = self.write(t + ".md", text)
                out = self.js(self.dir, "publish", p)
                self.assertEqual(out["warnings"], [], f"{t}: {out['warnings']}")
                self.assertTrue(out["path"].startswith(t + "/"))
                shown = self.js(self.dir, "show", out["path"])
                self.assertEqual(shown["body"]["type"], t)
                self.assertIn(out["path"], self.ok(self.dir, "list", "--type", t))

    def test_template_fails_only_on_empty_required_values(self):
        for t in PUBLISHABLE:
            with self.subTest(type=t):
                text = self.ok(self.dir, "new", t)
                schema = self.js(self.dir, "schema", t)
                keys = set(re.findall(r"^([a-z_]+):", text, re.M))
                for f in schema["common_fields"] + schema["fields"]:
                    asked = f["presence"] != "optional" or (
                        f["condition"] and f["condition"]["presence"] != "optional")
                    if f["name"] == "description":
                        continue
                    self.assertEqual(f["name"] in keys, bool(asked), f["name"])
                p = self.write(t + ".md", text)
                rc, _, err = self.m(self.dir, "publish", "--dry-run", p)
                self.assertEqual(rc, 1, err)
                errors = [line for line in err.splitlines() if "error" in line]
                # every fault is reported, then their count (the validation reports them all)
                self.assertRegex(errors[-1], r": (\d+) errors?; nothing was stored$")
                count = int(re.search(r": (\d+) errors?;", errors[-1]).group(1))
                errors = errors[:-1]
                self.assertEqual(len(errors), count, err)
                self.assertTrue(errors, err)
                for line in errors:
                    self.assertIn("missing required field", line)

    def test_out_refuses_to_overwrite(self):
        p = self.path("rex.md")
        rc, _, err = self.m(self.dir, "new", "rex", "--out", p)
        self.assertEqual(rc, 0, err)
        first = self.read(p)
        self.assertTrue(first.startswith(b"---\ntype: rex\n") or b"\ntype: rex\n" in first)
        rc, _, err = self.m(self.dir, "new", "rex", "--example", "--out", p)
        self.assertEqual(rc, 1)
        self.assertIn("exists", err)
        self.assertEqual(self.read(p), first)
        self.ok(self.dir, "new", "rex", "--example", "--out", p, "--force")
        self.assertIn(b"lessons_learned:", self.read(p))

    def test_unknown_type_lists_the_types(self):
        rc, out, err = self.m(self.dir, "new", "recette")
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        for t in PUBLISHABLE:
            self.assertIn(t, err)
        rc, _, err = self.m(self.dir, "new", "territory")
        self.assertEqual(rc, 2)
        self.assertIn("territory set", err)


REX = """---
type: rex
title: "Chatbot RH : un an après"
summary: Ce que douze mois d'assistant conversationnel ont appris à l'équipe RH.
themes: [ia-democratie]
status: production
about: [un assistant conversationnel pour les agents]
declaration: user
period:
  start: 2024-03-01
context: Des questions répétitives submergeaient les gestionnaires.
objectives: Répondre vite aux questions courantes.
what_was_done: Une expérimentation avec trois cents agents volontaires.
difficulties: Des documents contradictoires à remettre à jour.
lessons_learned: La documentation compte plus que le modèle.
---
Un an d'usage, raconté par l'équipe.
"""


class TestPathWriteBack(Node):
    def test_first_publish_writes_the_path_and_the_next_is_an_edit(self):
        p = self.write("rex.md", REX)
        os.chmod(p, 0o640)
        rc, out, err = self.m(self.dir, "publish", p)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^rex/chatbot-rh-un-an-apres created, id [0-9a-f]{64}\n$")
        after = self.read(p)
        self.assertEqual(after, REX.replace("---\n", "---\npath: rex/chatbot-rh-un-an-apres\n",
                                            1).encode())
        self.assertEqual(os.stat(p).st_mode & 0o777, 0o640)
        self.assertEqual([f for f in os.listdir(self.path()) if f.startswith(".")], [])
        # a new title: still the same record
        with open(p, "wb") as f:
            f.write(after.replace(b"Chatbot RH : un an apr\xc3\xa8s", b"Assistant RH, bilan"))
        rc, out, err = self.m(self.dir, "publish", p)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^rex/chatbot-rh-un-an-apres updated \(version 2\), id ")
        res = self.js(self.dir, "publish", p)
        self.assertEqual((res["created"], res["version"], res["path_written"]), (False, 3, False))
        items = self.js(self.dir, "list", "--type", "rex")
        self.assertEqual([(i["path"], i["title"]) for i in items],
                         [("rex/chatbot-rh-un-an-apres", "Assistant RH, bilan")])

    def test_line_endings_and_byte_order_mark_are_kept(self):
        text = "\ufeff" + REX.replace("\n", "\r\n")
        p = self.write("crlf.md", text)
        res = self.js(self.dir, "publish", p)
        self.assertTrue(res["created"] and res["path_written"], res)
        self.assertEqual(self.read(p), text.replace(
            "---\r\n", "---\r\npath: rex/chatbot-rh-un-an-apres\r\n", 1).encode())
        self.assertEqual(self.js(self.dir, "publish", p)["version"], 2)

    def test_given_path_is_written_too(self):
        p = self.write("rex.md", REX)
        self.js(self.dir, "publish", p, "--path", "rex/2025-assistant")
        self.assertIn(b"\npath: rex/2025-assistant\n", self.read(p))
        self.assertEqual(self.js(self.dir, "publish", p)["path"], "rex/2025-assistant")

    def test_not_writable_or_stdin_prints_the_line(self):
        p = self.write("rex.md", REX)
        os.chmod(p, 0o444)
        rc, out, err = self.m(self.dir, "publish", p)
        self.assertEqual(rc, 0, err)
        self.assertIn("created", out)
        self.assertIn("\n  path: rex/chatbot-rh-un-an-apres\n", err)
        self.assertEqual(self.read(p), REX.encode())
        rc, out, err = self.m(self.dir, "publish", "-", input_text=REX.replace("un an après", "bilan"))
        self.assertEqual(rc, 0, err)
        self.assertIn("standard input", err)
        self.assertIn("\n  path: rex/chatbot-rh-bilan\n", err)

    def test_dry_run_writes_nothing(self):
        p = self.write("rex.md", REX)
        rc, out, err = self.m(self.dir, "publish", "--dry-run", p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.read(p), REX.encode())
        self.assertEqual(self.js(self.dir, "list"), [])

    def test_a_refused_record_writes_nothing(self):
        bad = REX.replace("status: production\n", "")
        p = self.write("rex.md", bad)
        rc, _, _ = self.m(self.dir, "publish", p)
        self.assertEqual(rc, 1)
        self.assertEqual(self.read(p), bad.encode())


ODD = r"""---
type: methodology
title:
  fr: "true"
  en: "12: a title"
summary: "  Un résumé qui commence par des blancs et finit par un deux-points:"
description:
  fr: "Première ligne\n\n  deuxième, indentée\nfin\n"
  en: "Only in English # not a comment"
themes: [transparence-algorithmes, "donnees"]
status: pilot
method_kind: guide
covers: [inventory]
extensions:
  "clé avec espace": ["true", "12", "2025-01-01", "a: b", "x #y", "~", "", " espace", "fin\n",
                      "ligne1\nligne2", "tab\tici", "é#x", "« guillemets »", "\u0085nel"]
  nombres: [1, -7, 2.5, -3.0e-7, 1.0e+300, 0.1]
  vides: [[], {}, null]
  imbrique: [[1, [2, [3]]], {a: 1, b: [x, {c: "d: e"}]}]
  bool: true
---
"""


class TestExportMarkdown(Node):
    def round_trip(self, path):
        before = self.js(self.dir, "show", path)
        text = self.ok(self.dir, "export", "--format", "markdown", path)
        self.assertTrue(text.startswith("---\n"), text[:80])
        p = self.write("export.md", text)
        res = self.js(self.dir, "publish", p)
        self.assertEqual((res["path"], res["created"], res["path_written"]), (path, False, False))
        after = self.js(self.dir, "show", path)
        self.assertNotEqual(after["id"], before["id"])
        self.assertEqual(after["body"], before["body"])
        return text

    def test_round_trip_per_type(self):
        for t in PUBLISHABLE:
            with self.subTest(type=t):
                p = self.write(t + ".md", self.ok(self.dir, "new", t, "--example"))
                path = self.js(self.dir, "publish", p)["path"]
                text = self.round_trip(path)
                # the description is the file's body, as a person writes it
                body = text.split("\n---\n", 1)[1]
                self.assertEqual(body.strip(), self.js(self.dir, "show", path)["body"]["description"]["fr"])

    def test_round_trip_of_odd_values(self):
        res = self.js(self.dir, "publish", self.write("odd.md", ODD), "--path", "methodology/bizarre")
        body = self.js(self.dir, "show", res["path"])["body"]
        self.assertEqual(body["extensions"]["nombres"][3], -3e-7)
        text = self.round_trip(res["path"])
        self.assertIn("\ndescription:\n", text)

    def test_out_dir_and_usage(self):
        for t in ("rex", "component"):
            self.js(self.dir, "publish", self.write(t + ".md", self.ok(self.dir, "new", t, "--example")))
        out = self.path("export")
        rc, _, err = self.m(self.dir, "export", "--format", "markdown", "--out", out)
        self.assertEqual(rc, 0, err)
        files = sorted(os.path.relpath(os.path.join(d, f), out)
                       for d, _, fs in os.walk(out) for f in fs)
        self.assertEqual(files, ["component/verbatim-outil-libre-de-transcription-des-seances.md",
                                 "rex/chatbot-rh-un-an-apres.md"])
        # an existing file is not replaced
        rc, _, err = self.m(self.dir, "export", "--format", "markdown", "--out", out)
        self.assertEqual(rc, 1)
        self.assertIn("not replaced", err)
        for args in (("--format", "markdown"), ("--format", "markdown", "rex/x", "--out", out),
                     ("--format", "yaml"), ("rex/x",)):
            self.assertEqual(self.m(self.dir, "export", *args)[0], 2, args)
        rc, _, err = self.m(self.dir, "export", "--format", "markdown", "territory")
        self.assertEqual(rc, 1)
        self.assertIn("catalogue", err)
        rc, _, err = self.m(self.dir, "export", "--format", "markdown", "rex/absent")
        self.assertEqual(rc, 1)
        self.assertEqual(self.js(self.dir, "export", "--format", "json")["format"], "maille-export/1")

    def test_export_json_is_whole_or_fails(self):
        # the document is printed as the store lists it: its count is the entries it holds,
        # and an output that fails midway is an error, not a short document taken for whole
        for t in ("rex", "methodology"):
            self.ok(self.dir, "publish", self.write(t + ".md", self.ok(self.dir, "new", t, "--example")))
        doc = self.js(self.dir, "export")
        self.assertEqual(doc["count"], len(doc["entries"]))
        self.assertEqual(sorted(e["type"] for e in doc["entries"]), ["methodology", "rex", "territory"])
        # the filters choose the records, as for the other formats
        doc = self.js(self.dir, "export", "--format", "json", "--type", "rex", "--mine")
        self.assertEqual([e["type"] for e in doc["entries"]], ["rex"])
        self.assertEqual(doc["count"], 1)
        out = os.path.join(self.tmp, "seulement-rex")
        rc, _, err = self.m(self.dir, "export", "--format", "markdown", "--out", out, "--type", "rex")
        self.assertEqual(rc, 0, err)
        self.assertEqual(os.listdir(out), ["rex"])
        for args in (("--format", "markdown", "--out", out, "--all"),
                     ("--format", "markdown", "rex/x", "--type", "rex"),
                     ("--base-url", "http://127.0.0.1:8080")):
            self.assertEqual(self.m(self.dir, "export", *args)[0], 2, args)
        if os.path.exists("/dev/full"):
            with open("/dev/full", "w") as full:
                p = subprocess.run([harness.MAILLE, "export", "--dir", self.dir], stdout=full,
                                   stderr=subprocess.PIPE, env=harness.env_with(), timeout=60)
            self.assertEqual(p.returncode, 1)
            self.assertIn("standard output", p.stderr.decode())


class TestTerritory(Node):
    def test_set_publishes_a_new_version(self):
        shown = self.js(self.dir, "territory", "show")
        self.assertEqual((shown["path"], shown["version"]), ("territory", 1))
        res = self.js(self.dir, "territory", "set", "--website", "https://www.exemple-metropole.fr",
                      "--contact", "numerique@exemple-metropole.fr", "--cog", "200046977")
        self.assertEqual(res["version"], 2)
        body = self.js(self.dir, "territory", "show")["body"]
        self.assertEqual(body["website"], "https://www.exemple-metropole.fr")
        self.assertEqual(body["contact"], "numerique@exemple-metropole.fr")
        self.assertEqual(body["siren"], "200046977")
        self.assertEqual(body["kind"], "metropole")
        # an empty value removes a field; the name is renamed, not removed
        self.js(self.dir, "territory", "set", "--cog", "", "--name", "Métropole de Lyon (Grand Lyon)")
        shown = self.js(self.dir, "territory", "show")
        self.assertNotIn("cog", shown["body"])
        self.assertEqual(shown["title"], "Métropole de Lyon (Grand Lyon)")
        self.assertEqual(shown["version"], 3)
        self.assertEqual(self.js(self.dir, "whoami")["name"], "Métropole de Lyon (Grand Lyon)")
        out = self.ok(self.dir, "territory", "show")
        self.assertIn("https://www.exemple-metropole.fr", out)
        self.ok(self.dir, "check")

    def test_siren_check_digit_and_bad_values_change_nothing(self):
        before = self.js(self.dir, "territory", "show")
        for args, what in ((("--siren", "200046978"), "check digit"),
                           (("--siren", "20004697"), "check digit"),
                           (("--name", ""), "empty"),
                           (("--kind", "mairie"), "metropole"),
                           (("--website", "pas une adresse"), "website"),
                           ((), "nothing to change")):
            rc, out, err = self.m(self.dir, "territory", "set", *args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(what, err)
            self.assertEqual(self.js(self.dir, "territory", "show")["id"], before["id"])
        self.js(self.dir, "territory", "set", "--siren", "213801855")  # Grenoble's, a valid one

    def test_init_checks_the_siren_too(self):
        other = self.path("autre")
        rc, _, err = self.m(other, "init", "--name", "Commune d'essai", "--siren", "200046978")
        self.assertEqual(rc, 2, err)
        self.assertIn("check digit", err)
        self.assertFalse(os.path.exists(os.path.join(other, "node.key")))
        self.js(other, "init", "--name", "Commune d'essai", "--siren", "213801855")

    def test_every_field_is_an_option(self):
        schema = self.js(self.dir, "schema", "territory")
        _, out, _ = self.m(self.dir, "territory", "--help")
        for f in schema["fields"]:
            if f["name"] != "extensions":
                self.assertIn("--" + f["name"], out)
        rc, _, err = self.m(self.dir, "territory", "set", "--extensions", "x")
        self.assertEqual(rc, 2)


class TestDelete(Node):
    def on_tty(self, args, answer):
        """maille ARGS with standard input and error on a pseudo-terminal where answer was
        typed: the exit code, standard output and what the terminal showed."""
        return harness.run_on_tty([harness.MAILLE, "--dir", self.dir, *args], answer)

    def test_asks_on_a_terminal_and_refuses_elsewhere(self):
        path = self.js(self.dir, "publish", self.write("rex.md", REX))["path"]
        # no terminal, no --yes: refused, nothing deleted
        rc, out, err = self.m(self.dir, "delete", path)
        self.assertEqual(rc, 2)
        self.assertIn("--yes", err)
        self.assertIn("every node", err)
        self.js(self.dir, "show", path)
        # on a terminal: the question names the title and the federation; "n" keeps it
        rc, out, shown = self.on_tty(["delete", path], "n")
        self.assertEqual(rc, 1, shown)
        self.assertIn("Chatbot RH : un an après", shown)
        self.assertIn("every node of the federation", shown)
        self.assertIn("Nothing deleted", shown)
        self.js(self.dir, "show", path)
        # "oui" (or "y") deletes, whatever the language
        rc, out, shown = self.on_tty(["delete", path], "oui")
        self.assertEqual(rc, 0, shown)
        self.assertIn("deleted " + path, out)
        rc, _, err = self.m(self.dir, "show", path)
        self.assertEqual(rc, 1)
        # --yes deletes without a question
        path2 = self.js(self.dir, "publish", self.write("rex2.md", REX.replace("un an après", "bilan")))["path"]
        rc, out, err = self.m(self.dir, "delete", path2, "--yes")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.js(self.dir, "list"), [])


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0], "-v"])
