#!/usr/bin/env python3
"""The CLI's language: French when LC_ALL, LC_MESSAGES or LANG (the first one set) says French,
whether or not that locale is generated on this machine, English otherwise; and the French
catalogue (tools/po/fr.po) complete: every message marked in the sources translated, nothing
fuzzy.

Usage: test_i18n.py MAILLE_BINARY PO_DIR SOURCE_ROOT MSGFMT XGETTEXT MSGCMP"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import run

PO_DIR = ROOT = MSGFMT = XGETTEXT = MSGCMP = None

FRENCH = ({"LANG": "fr_FR.UTF-8"},
          {"LANG": "fr_CA.UTF-8"},  # never generated here: French all the same
          {"LANG": "fr"},
          {"LANG": "en_GB.UTF-8", "LC_ALL": "fr_FR.UTF-8"},
          {"LANG": "C", "LC_MESSAGES": "fr_FR.UTF-8"},
          {"LANG": "fr_FR.UTF-8", "LC_CTYPE": "C"})  # output in UTF-8 whatever LC_CTYPE
ENGLISH = ({"LANG": "C"},
           {"LANG": "en_GB.UTF-8"},
           {"LANG": "fr_FR.UTF-8", "LC_ALL": "C"},  # LC_ALL comes first
           {"LANG": "C", "LANGUAGE": "fr"})  # LANGUAGE alone does not choose

# The commands whose help the change that marks them translates (their files are marked with
# their own features); they are checked like the others once their help is in fr.po.
PENDING = set()

# A line of English prose: four words or more, not a usage or example line.
PROSE = re.compile(r"(?:\b[A-Za-z][a-z']+\b.*){4}")
# A line that lists codes only (--kind's values): the same in both languages.
CODES = re.compile(r"^\s*(?:--[a-z-]+ [A-Z]+\s+)?[a-z_]+(?:, [a-z_]+)+,?$")


def commands():
    rc, out, _ = run("--help")
    assert rc == 0
    return re.findall(r"^  ([a-z]+) +\S", out.split("Commands:\n", 1)[1], re.M)


def untranslated(en, fr):
    """The lines of English prose of en that fr repeats as they are."""
    fr_lines = set(line.strip() for line in fr.splitlines())
    return [line for line in en.splitlines()
            if PROSE.search(line) and not CODES.match(line) and not line.lstrip().startswith(("usage:", "maille ", "["))
            and line.strip() in fr_lines]


class TestLanguage(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="maille-i18n-")
        self.dir = os.path.join(self.tmp, "node")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_every_help_in_french(self):
        cmds = commands()
        self.assertIn("init", cmds)
        for env in FRENCH[:3]:
            rc, top, _ = run("--help", env=env)
            self.assertEqual(rc, 0)
            self.assertIn("Commandes :", top)
            self.assertIn("Codes de sortie : 0 réussite", top)
            for cmd in cmds:
                self.assertIn(f"  {cmd} ", top)
                rc_en, en, _ = run(cmd, "--help")
                rc_fr, fr, err = run(cmd, "--help", env=env)
                self.assertEqual((rc_en, rc_fr), (0, 0), f"{cmd} --help {env}: {err}")
                if cmd in PENDING:
                    continue
                self.assertTrue(fr.startswith("usage : maille "), f"{cmd} --help {env}:\n{fr}")
                self.assertNotEqual(en, fr, f"{cmd} --help is the same in French")
                self.assertEqual(untranslated(en, fr), [], f"{cmd} --help {env}")

    def test_template_in_the_cli_language(self):
        """maille new writes its comments (labels, help, allowed values) in the CLI's
        language, from the record table's pairs; the keys stay the fields' names."""
        rc, en, err = run("new", "rex")
        self.assertEqual(rc, 0, err)
        self.assertIn("# Title (required; language map): ", en)
        self.assertIn("#   values: ", en)
        self.assertIn("# Optional fields:", en)
        for french in ("obligatoire", "valeurs", "Titre"):
            self.assertNotIn(french, en)
        for env in FRENCH[:3]:
            rc, fr, err = run("new", "rex", env=env)
            self.assertEqual(rc, 0, err)
            self.assertIn("# Titre (obligatoire ; texte par langue) : ", fr, env)
            self.assertIn("#   valeurs : ", fr, env)
            self.assertIn("« maille publish FICHIER »", fr, env)
            self.assertNotIn("required", fr, env)
            keys = lambda t: re.findall(r"^ *-? *([a-z_]+):", t, re.M)
            self.assertEqual(keys(fr), keys(en), env)

    def test_english_and_c(self):
        rc, c, _ = run("--help")
        for env in ENGLISH:
            rc, out, err = run("--help", env=env)
            self.assertEqual((rc, out, err), (0, c, ""), env)
            rc, out, _ = run("trust", "--help", env=env)
            self.assertIn("usage: maille trust KEY", out)
            self.assertIn("Trusts the territory KEY", out)

    def test_utf8_whatever_lc_ctype(self):
        for env in FRENCH:
            rc, out, _ = harness.run_bytes([harness.MAILLE, "--help"], env=env)
            self.assertEqual(rc, 0)
            text = out.decode("utf-8")  # fails on anything but UTF-8
            self.assertIn("créer le nœud d'un territoire", text, env)

    def errors(self, env):
        """(exit code, stderr) of a few real errors, in the language env chooses."""
        bad = os.path.join(self.tmp, "bad")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("pas une fédération\n")
        os.chmod(bad, 0o600)
        calls = (("frobnicate",),  # unknown command
                 ("--dir", self.dir, "federation", "import", os.path.join(self.tmp, "absent")),
                 ("--dir", self.dir, "federation", "import", bad),
                 ("--dir", self.dir, "trust"),  # usage errors
                 ("--dir", self.dir, "trust", "--frobnicate"),
                 ("--dir", self.dir, "trust", "abc"),
                 ("--dir", self.dir, "sync", "not-an-address"),
                 # node/service's messages, printed by the CLI in its language
                 ("--dir", os.path.join(self.tmp, "nowhere"), "whoami"),
                 # node/daemon's: nothing listens on a port just closed
                 ("--dir", self.pinger, "ping", f"127.0.0.1:{self.closed_port}", "--timeout", "5"))
        out = []
        for args in calls:
            rc, _, err = run(*args, env=env)
            out.append((rc, err))
        return out

    def test_errors_in_both_languages(self):
        rc, _, err = run("--dir", self.dir, "init", "--name", "Commune de Quimperlé")
        self.assertEqual(rc, 0, err)
        # a second node, with a federation, for ping (the first one imports its federation)
        self.pinger = os.path.join(self.tmp, "pinger")
        for args in (("init", "--name", "Ville de Concarneau"),
                     ("federation", "new", "--name", "Cornouaille")):
            rc, _, err = run("--dir", self.pinger, *args)
            self.assertEqual(rc, 0, err)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.closed_port = s.getsockname()[1]
        en = self.errors({"LANG": "C"})
        self.assertEqual([rc for rc, _ in en], [2, 1, 1, 2, 2, 2, 2, 1, 1])
        self.assertIn("maille: 'frobnicate' is not a maille command; see 'maille --help'",
                      en[0][1])
        self.assertIn("maille: error: ", en[1][1])
        self.assertIn("is not a federation file: line 1 is not 'key = value'", en[2][1])
        self.assertIn("maille trust: KEY is required (a territory key, 64 hex digits)\n"
                      "See 'maille trust --help'.", en[3][1])
        self.assertIn("unknown option '--frobnicate'", en[4][1])
        self.assertIn("'abc' is not a territory key (64 hex digits)", en[5][1])
        self.assertIn("'not-an-address' is not HOST:PORT", en[6][1])
        self.assertIn("nowhere: no such node directory; create a node with 'maille init", en[7][1])
        self.assertIn(f"maille: error: ping 127.0.0.1:{self.closed_port}: cannot connect to",
                      en[8][1])
        for env in FRENCH:
            fr = self.errors(env)
            self.assertEqual([rc for rc, _ in fr], [rc for rc, _ in en], env)
            self.assertIn("maille : « frobnicate » n'est pas une commande de maille ; "
                          "voir « maille --help »", fr[0][1], env)
            self.assertIn("maille : erreur : ", fr[1][1], env)
            self.assertIn("n'est pas un fichier de fédération : la ligne 1 n'est pas de la "
                          "forme « clé = valeur »", fr[2][1], env)
            self.assertIn("maille trust : KEY est obligatoire (la clé d'un territoire, "
                          "64 chiffres hexadécimaux)\nVoir « maille trust --help ».", fr[3][1], env)
            self.assertIn("option « --frobnicate » inconnue", fr[4][1], env)
            self.assertIn("« abc » n'est pas une clé", fr[5][1], env)
            self.assertIn("« not-an-address » n'est pas HOST:PORT", fr[6][1], env)
            self.assertIn("nowhere : ce dossier de nœud n'existe pas ; créez un nœud avec "
                          "« maille init", fr[7][1], env)
            self.assertIn(f"maille : erreur : ping 127.0.0.1:{self.closed_port} : impossible de "
                          "se connecter à", fr[8][1], env)
            for (_, e), (_, f) in zip(en, fr):
                self.assertNotEqual(e, f, env)


class TestNumbers(harness.Case):
    """French changes the words, never the numbers: a decimal point stays a point (main keeps
    the C locale for everything but the messages), and the output is the same figures."""

    @classmethod
    def setUpClass(cls):
        cls.begin("maille-i18n-num-")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def test_ping_figures_in_both_languages(self):
        a, b, fed = self.path("a"), self.path("b"), self.path("federation")
        self.ok(a, "init", "--name", "Ville de Morlaix")
        self.ok(b, "init", "--name", "Commune de Landerneau")
        self.ok(a, "federation", "new", "--name", "Finistère")
        self.ok(a, "federation", "export", fed)
        self.ok(b, "federation", "import", fed)
        node = self.daemon(b, "--no-web")
        for env, words in (({"LANG": "C"}, ("  handshake:  ", "  ping:       ")),
                           ({"LANG": "fr_FR.UTF-8"}, ("  poignée de main : ", "  ping :       ")),
                           ({"LANG": "fr_CA.UTF-8"}, ("  poignée de main : ", "  ping :       "))):
            out = self.ok(a, "ping", node.addr, env=env)
            for w in words:
                self.assertRegex(out, re.escape(w) + r"\d+\.\d\d ms\n", env)
            self.assertIn("Commune de Landerneau\n", out)
        self.stop_daemons()


class TestCatalogue(unittest.TestCase):
    def test_fr_po_complete_and_valid(self):
        """msgfmt checks the formats (same conversions, same order) and counts the entries."""
        p = subprocess.run([MSGFMT, "-c", "--statistics", "-o", os.devnull,
                            os.path.join(PO_DIR, "fr.po")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"^\d+ translated messages?\.\n?$")
        self.assertNotIn("untranslated", p.stderr)
        self.assertNotIn("fuzzy", p.stderr)

    def test_every_marked_message_in_fr_po(self):
        """The messages marked in the sources (xgettext with the keywords of
        tools/po/meson.build) are all in fr.po."""
        with tempfile.TemporaryDirectory(prefix="maille-pot-") as tmp:
            pot = os.path.join(tmp, "maille.pot")
            p = subprocess.run([XGETTEXT, "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                                "--keyword=X:3", "--keyword=node_say:3", "--keyword=conf_bad:4",
                                "--keyword=node_tr:2", "--keyword=node_ping_fail:4",
                                "--keyword=node_sync_finish:3", "-D", ROOT, "-f",
                                os.path.join(PO_DIR, "POTFILES"), "-o", pot],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(pot, encoding="utf-8") as f:
                self.assertGreater(f.read().count("\nmsgid "), 300)
            p = subprocess.run([MSGCMP, os.path.join(PO_DIR, "fr.po"), pot],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, "messages missing from fr.po:\n" + p.stderr)


if __name__ == "__main__":
    harness.MAILLE, PO_DIR, ROOT, MSGFMT, XGETTEXT, MSGCMP = sys.argv[1:7]
    unittest.main(argv=sys.argv[:1], verbosity=2)
