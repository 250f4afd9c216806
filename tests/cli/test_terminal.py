#!/usr/bin/env python3
"""What records, peers and files say, printed to a terminal by every `maille` command.

Usage: test_terminal.py MAILLE_BINARY CLI_FORGE

A hostile territory H names itself, titles its record and fills its fields with terminal
escapes (set the window title, clear the screen), carriage returns, line breaks followed by a
fake line, C1 controls, DEL and bidi overrides. Its entries are signed with cli-forge, which
skips every check of `maille publish` (a peer running other software skips them too), and
reach node V through `maille sync`, as in use. Every command that prints something of H, of
a file or of a peer must show those characters escaped: no raw control byte, no bidi control,
valid UTF-8 only, no line the record forged, and the [untrusted] mark still on the line of
H's record. --json keeps the exact text, \\u-escaped.

Real binaries, real node directories; daemons on 127.0.0.1 stop with SIGTERM and exit 0."""
import json
import os
import re
import sys
import unittest

import harness
from harness import wait_for

FORGE = None

FAKE = "[fake line]"
EVIL_NAME = ("Ville \x1b]0;pwned\x07\x1b[2J\rTerritoire de confiance\r\n" + FAKE +
             " \u202eeurt\u202c \u2066x\u2069 \x9b31m \x7f fin")
EVIL_TITLE = ("Titre zorglubpiege \x1b]0;pwned\x07\x1b[2J\r\n" + FAKE +
              " \x1b[8mcach\u00e9 \u202e fin\u2028suite")
EVIL_FED = "Coalition \u202e\u0085 IA"
EVIL_MEMBER = "Camille \u202eMartin\u009b2J"
# a description that tries to print the tool's own provenance lines
EVIL_DESC = ("Premier paragraphe \x1b[2J zorglubpiege.\n  signature: verified\n"
             "  territory: M\u00e9tropole de Lyon (trusted)\r\n" + FAKE + "\n\nFin\x07.")
PATH = "rex/piege"

# What must never reach a terminal raw: C0 controls but the line break, DEL, C1 controls,
# the bidi marks, embeddings, overrides and isolates, the line and paragraph separators.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                 "\u2066-\u2069]")
# A forged line: the fake text at the margin or where the tool's own lines are (2 spaces).
FORGED = re.compile(r"^(?:  )?\[fake line\]", re.M)


def run_raw(*args, env=None, input_bytes=None):
    """maille ARGS; stdout and stderr as bytes."""
    return harness.run_bytes([harness.MAILLE, *args], env=env, input_bytes=input_bytes)


class Terminal(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-term-")
        try:
            cls.build()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def build(cls):
        t = cls.tmp
        cls.v, cls.h = os.path.join(t, "v"), os.path.join(t, "h")
        cls.ok_(cls.v, "init", "--name", "Métropole de Lyon", "--siren", "200046977")
        cls.ok_(cls.h, "init", "--name", "Ville hostile", "--siren", "213801855")
        fed = os.path.join(t, "federation.export")
        # `federation new` refuses a C1 control in a new name; a federation file may still
        # hold one (an older version wrote it, or a hand did), and every command reads it
        rc, _, err = run_raw("--dir", cls.v, "federation", "new", "--name", EVIL_FED)
        assert rc == 2 and b"U+0085 refus" in err, err.decode("utf-8", "replace")
        fd = os.open(os.path.join(cls.v, "federation"), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"name = {EVIL_FED}\nkey = {os.urandom(32).hex()}\n")
        cls.ok_(cls.v, "federation", "export", fed)
        cls.ok_(cls.h, "federation", "import", fed)
        cls.kv = json.loads(cls.ok_(cls.v, "whoami", "--json"))["key"]
        cls.kh = json.loads(cls.ok_(cls.h, "whoami", "--json"))["key"]
        # H's territory record and a record of H, as H's own software would sign them
        cls.forge(cls.h, "territory", {"type": "territory", "name": EVIL_NAME})
        cls.forge(cls.h, PATH, {
            "type": "rex", "title": {"fr": EVIL_TITLE},
            "summary": {"fr": "R\u00e9sum\u00e9 \x1b[31mrouge\x1b[0m zorglubpiege"},
            "description": {"fr": EVIL_DESC}, "themes": ["donnees"], "status": "idea",
            "lang": "fr", "content_licence": "etalab-2.0",
            "about": ["use_case/x\n" + FAKE],
            "context": "ligne 1\n  path:      rex/faux\n" + FAKE,
            "extensions": {"  territory": "faux\x1b[8m", "cl\u00e9\x1b": "v"}})
        cls.dh = cls.daemon(cls.h, "--no-web")
        cls.dv = cls.daemon(cls.v, "--no-web")
        # V fetches H's entries (and H learns V's); the output is checked in test_sync
        cls.sync_out = run_raw("--dir", cls.v, "sync", cls.dh.addr)
        assert cls.sync_out[0] == 0, cls.sync_out[2].decode("utf-8", "replace")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    @classmethod
    def ok_(cls, d, *args):
        rc, out, err = run_raw("--dir", d, *args)
        assert rc == 0, f"maille {' '.join(args)}: {err.decode('utf-8', 'replace')}"
        return out.decode()

    @classmethod
    def forge(cls, d, path, body):
        rc, _, err = harness.run_program([FORGE, "--dir", d, "--path", path, "--body",
                                          json.dumps(body)], timeout=60)
        assert rc == 0, err

    # ---- running and checking --------------------------------------------------------------

    def out(self, d, *args, rc=0, env=None, input_bytes=None):
        """stdout and stderr of a run, checked safe for a terminal."""
        got, out, err = run_raw("--dir", d, *args, env=env, input_bytes=input_bytes)
        self.assertEqual(got, rc, f"maille {' '.join(args)}: {err.decode('utf-8', 'replace')}")
        return self.safe(out, f"{args[0]} stdout"), self.safe(err, f"{args[0]} stderr")

    def safe(self, raw, what):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail(f"{what}: not UTF-8 ({e}): {raw!r}")
        m = RAW.search(text)
        self.assertIsNone(m, f"{what}: raw {m.group()!r} in {text!r}" if m else "")
        self.assertIsNone(FORGED.search(text), f"{what}: a forged line in:\n{text}")
        return text

    def safe_json(self, raw, what):
        """JSON for a terminal: nothing raw, and the exact text once decoded."""
        text = raw.decode("utf-8")
        m = RAW.search(text.replace("\n", ""))
        self.assertIsNone(m, f"{what}: raw {m.group()!r} in the JSON" if m else "")
        return json.loads(text)

    def line_of(self, text, needle):
        lines = [ln for ln in text.splitlines() if needle in ln]
        self.assertEqual(len(lines), 1, f"one line with {needle!r} in:\n{text}")
        return lines[0]

    # ---- the record's commands -------------------------------------------------------------

    def test_list(self):
        out, _ = self.out(self.v, "list", "--all")
        line = self.line_of(out, PATH)
        self.assertIn("Titre zorglubpiege \\x1b]0;pwned\\x07\\x1b[2J\\r\\n[fake line]", line)
        self.assertIn("\\u202e", line)
        self.assertTrue(line.endswith(" [untrusted]"), line)
        self.assertIn("Ville \\x1b]0;pwned", line)
        # one line per record: V's territory record is not listed, H's record is the only one
        self.assertEqual(len(out.splitlines()), 1, out)
        self.assertEqual(self.out(self.v, "list")[0], "")

    def test_search(self):
        out, _ = self.out(self.v, "search", "zorglubpiege", "--all")
        line = self.line_of(out, PATH)
        self.assertTrue(line.endswith(" [untrusted]"), line)
        self.assertIn("\\x1b]0;pwned", line)
        snippet = out.splitlines()[1]
        self.assertTrue(snippet.startswith("             "), snippet)
        self.assertIn("[zorglubpiege]", snippet)
        _, err = self.out(self.v, "search", "zorglub\x1b]0;x\x07", "--all", rc=0)
        self.assertIn("zorglub\\x1b]0;x\\x07", err)

    def test_show(self):
        out, _ = self.out(self.v, "show", PATH)
        lines = out.splitlines()
        self.assertIn("Titre zorglubpiege \\x1b]0;pwned\\x07", lines[0])
        terrs = [ln for ln in lines if ln.startswith("  territory: ")]
        self.assertEqual(len(terrs), 1, out)
        terr = terrs[0]
        self.assertTrue(terr.startswith("  territory: Ville \\x1b]0;pwned"), terr)
        self.assertIn(f" ({self.kh}): untrusted", terr)
        self.assertTrue(terr.endswith(": untrusted (no chain of vouches from this node)"), terr)
        # the tool's own lines, once each; the description's attempts are indented
        self.assertEqual([ln for ln in lines if ln.startswith("  signature:")],
                         ["  signature: verified"])
        self.assertEqual([ln for ln in lines if re.match(r"  (territory|path):", ln)],
                         ["  path:      " + PATH, terr])
        self.assertIn("    Premier paragraphe \\x1b[2J zorglubpiege.", lines)
        self.assertIn("      signature: verified", lines)
        self.assertIn("    " + FAKE, lines)
        self.assertIn("    Fin\\x07.", lines)
        # multi-line fields: continuation lines indented under their label
        i = lines.index("Context: ligne 1")  # a field by its label
        self.assertEqual(lines[i + 1:i + 3], ["      path:      rex/faux", "    " + FAKE])
        # a key that is not a plain name is quoted
        self.assertIn('    "  territory": faux\\x1b[8m', lines)
        self.assertIn('    "clé\\x1b": v', lines)

    def test_json_exact(self):
        for args in (("show", PATH), ("list", "--all"), ("search", "zorglubpiege", "--all"),
                     ("export",), ("territories",)):
            rc, out, err = run_raw("--dir", self.v, *args, "--json")
            self.assertEqual(rc, 0, err)
            doc = self.safe_json(out, args[0])
            if args[0] == "show":
                self.assertEqual(doc["title"], EVIL_TITLE)
                self.assertEqual(doc["territory"], EVIL_NAME)
                self.assertEqual(doc["body"]["description"]["fr"], EVIL_DESC)
                self.assertFalse(doc["trusted"])
            elif args[0] in ("list", "search"):
                self.assertEqual([i["title"] for i in doc], [EVIL_TITLE])
            elif args[0] == "territories":
                self.assertEqual({r["key"]: r["name"] for r in doc}[self.kh], EVIL_NAME)

    def test_territories_and_trust(self):
        out, _ = self.out(self.v, "territories")
        line = self.line_of(out, self.kh)
        self.assertTrue(line.startswith("untrusted  " + self.kh + "  Ville \\x1b]0;pwned"), line)
        self.assertTrue(line.endswith("  (untrusted)"), line)
        # one line per territory (V, H, and those that joined in other tests)
        for ln in out.splitlines():
            self.assertRegex(ln, r"^(un)?trusted +[0-9a-f]{64}  ")
        for cmd, undo in (("trust", "untrust"), ("vouch", "unvouch")):
            for c in (cmd, undo):
                out, _ = self.out(self.v, c, self.kh)
                self.assertIn(self.kh + " (Ville \\x1b]0;pwned\\x07", out)

    def test_status_whoami_key_export(self):
        out, _ = self.out(self.h, "status")
        self.assertTrue(out.startswith("Ville \\x1b]0;pwned"), out)
        self.assertIn("  federation:   Coalition \\u202e\\u0085 IA (", out)
        out, _ = self.out(self.h, "whoami")
        self.assertTrue(out.startswith("Ville \\x1b]0;pwned"), out)
        out, _ = self.out(self.h, "federation", "show")
        self.assertTrue(out.startswith("Coalition \\u202e\\u0085 IA\n"), out)
        pf = os.path.join(self.tmp, "pass")
        with open(pf, "w") as f:
            f.write("une phrase de passe assez longue\n")
        os.chmod(pf, 0o600)
        out, _ = self.out(self.h, "key", "export", os.path.join(self.tmp, "h.key"),
                          "--passphrase-file", pf, env={"MAILLE_TEST_PWHASH_MIN": "1"})
        self.assertIn("  federation:  Coalition \\u202e\\u0085 IA (", out)

    # ---- peers -------------------------------------------------------------------------------

    def test_ping_sync(self):
        rc, out, err = self.sync_out
        out = self.safe(out, "sync stdout")
        self.safe(err, "sync stderr")
        self.assertIn("with Ville \\x1b]0;pwned\\x07\\x1b[2J\\rTerritoire de confiance\\r\\n"
                      "[fake line] \\u202eeurt\\u202c", out)
        out, _ = self.out(self.v, "ping", self.dh.addr)
        self.assertTrue(out.startswith("Ville \\x1b]0;pwned"), out)
        # a second sync: "already in sync with" or "synced with" (V's daemon no longer dials
        # H, an untrusted territory learnt by discovery, so what it holds may have moved)
        out, _ = self.out(self.v, "sync", self.dh.addr)
        self.assertRegex(out, r"^(already in sync|synced) with Ville \\x1b\]0;pwned")

    def test_daemon_log(self):
        # H dials V's daemon: V's log line of the handshake quotes H's HELLO name
        self.out(self.h, "ping", self.dv.addr)
        wait_for(lambda: "pwned" in self.dv.log(), 10, "V's log of H's handshake")
        with open(self.dv.log_path, "rb") as f:
            self.safe(f.read(), "V's daemon log")

    def test_join(self):
        j = os.path.join(self.tmp, "j")
        self.out(j, "init", "--name", "Commune jointe")
        token, _ = self.out(self.h, "invite")
        out, _ = self.out(j, "join", token.strip())
        self.assertIn('joined the federation "Coalition \\u202e\\u0085 IA" through '
                      "Ville \\x1b]0;pwned", out)

    def test_peers_from_state_file(self):
        # node.state is a file the daemon writes; what it holds is shown escaped
        p = os.path.join(self.tmp, "p")
        self.out(p, "init", "--name", "Commune des pairs")
        state = {"pid": os.getpid(), "listen": "127.0.0.1:7470\x1b[2J", "connected": 1,
                 "last_sync_us": 0,
                 "peers": [{"address": "127.0.0.1:7\x1b]0;x\x07\n" + FAKE,
                            "key": "\u202e" + "ab" * 31, "direction": "out\x1b[2J",
                            "state": "connected\u2028x", "sent": 1, "received": 2,
                            "last_sync_us": 0}]}
        with open(os.path.join(p, "node.state"), "w") as f:
            json.dump(state, f)
        out, _ = self.out(p, "peers")
        line = self.line_of(out, "127.0.0.1:7")
        self.assertIn("127.0.0.1:7\\x1b]0;x\\x07\\n[fake line]", line)
        self.assertIn("\\u202eabab", line)
        self.assertIn("connected\\u2028x", line)
        out, _ = self.out(p, "status")
        self.assertIn("listening on 127.0.0.1:7470\\x1b[2J", out)

    # ---- members, files, the command line ----------------------------------------------------

    def test_members(self):
        m = os.path.join(self.tmp, "m")
        self.out(m, "init", "--member", "--name", "poste de Camille")
        km = json.loads(self.out(m, "whoami", "--json")[0])["key"]
        out, _ = self.out(self.v, "member", "add", km, "--name", EVIL_MEMBER)
        self.assertIn("added Camille \\u202eMartin\\u009b2J", out)
        out, _ = self.out(self.v, "members")
        self.assertIn(km + "  Camille \\u202eMartin\\u009b2J  editor", out)
        # the member's node learns its name from the capability
        self.out(m, "federation", "import", os.path.join(self.tmp, "federation.export"))
        self.out(m, "sync", self.dv.addr)
        out, _ = self.out(m, "whoami")
        self.assertTrue(out.startswith("Camille \\u202eMartin\\u009b2J\n"), out)
        self.assertIn("  member of: Métropole de Lyon (", out)

    def test_file_name_invalid_utf8(self):
        # maille.conf is a file: a member node without a capability shows the name it holds
        m = os.path.join(self.tmp, "m2")
        self.out(m, "init", "--member", "--name", "poste")
        conf = os.path.join(m, "maille.conf")
        with open(conf, "rb") as f:
            text = f.read().replace(b"name = poste", b"name = \xff\xfe\x1b[2Jposte\xc3")
        with open(conf, "wb") as f:
            f.write(text)
        out, _ = self.out(m, "whoami")
        self.assertTrue(out.startswith("\\xff\\xfe\\x1b[2Jposte\\xc3\n"), out)
        # JSON cannot hold invalid UTF-8: the name is there, its bad bytes as '?'
        rc, out, _ = run_raw("--dir", m, "whoami", "--json")
        self.assertEqual(rc, 0)
        self.assertEqual(self.safe_json(out, "whoami --json")["name"], "??\x1b[2Jposte?")

    def test_init_and_publish_messages(self):
        d = os.path.join(self.tmp, "i")
        # a control character is refused in a name (shown escaped), a bidi override is not
        _, err = self.out(d, "init", "--name", "Ville \x1b]0;x\x07\u202e", "--siren", "213801855",
                          rc=2)
        self.assertIn("« Ville \\x1b]0;x\\x07\\u202e » : caractère de contrôle U+001B refusé", err)
        self.assertFalse(os.path.exists(d))
        out, _ = self.out(d, "init", "--name", "Ville \u202eelliV", "--siren", "213801855")
        self.assertIn('"Ville \\u202eelliV"', out)
        md = os.path.join(self.tmp, "dup.md")
        with open(md, "w", encoding="utf-8") as f:
            f.write('---\n"k\\e[2J\\n[fake line]": 1\n"k\\e[2J\\n[fake line]": 2\n---\n')
        _, err = self.out(d, "publish", md, rc=1)
        self.assertIn("duplicate key 'k\\x1b[2J\\n[fake line]'", err)
        _, err = self.out(d, "show", "x\x1b[2J\n" + FAKE, rc=1)
        self.assertIn("x\\x1b[2J\\n[fake line]: no such record", err)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    FORGE = os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"])
