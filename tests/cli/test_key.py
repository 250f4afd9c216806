#!/usr/bin/env python3
"""End-to-end tests of the key backup: `maille key export` and `maille init --restore`.

Usage: test_key.py MAILLE_BINARY DATA_DIR

Real binary, real node directories in a temporary directory, real daemons on 127.0.0.1 for the
restore-then-sync test. Backups are made with MAILLE_TEST_PWHASH_MIN=1 (Argon2id's minimum
limits) so that the suite stays fast; the file format is the same. Every daemon a test starts
is stopped with SIGTERM and must exit 0 (under sanitizers a leak makes that exit code
non-zero). The terminal tests run maille on a pseudo-terminal, as a person would."""
import base64
import json
import os
import pty
import re
import select
import shutil
import signal
import stat
import sys
import time
import unittest

import harness
from harness import check_sanitizers, env_with

DATA = None
harness.CLEAR_ENV = ("MAILLE_HOME", "MAILLE_TEST_PWHASH_MIN")

PASS = "correct horse battery staple"
FAST = {"MAILLE_TEST_PWHASH_MIN": "1"}


def run(*args, env=FAST, timeout=120):
    return harness.run(*args, env=env, timeout=timeout)


class Base(harness.Case):
    run_env = FAST

    def setUp(self):
        self.begin("maille-key-")
        self.passfile = self.write_secret("pass", PASS + "\n")

    def tearDown(self):
        self.end()

    def write_secret(self, name, text, mode=0o600):
        p = self.path(name)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        os.chmod(p, mode)
        return p

    def node(self, name, territory, federation=None):
        d = self.init(name, territory)
        if federation:
            self.ok(d, "federation", "new", "--name", federation)
        return d

    def export(self, d, name="backup.mkb", passfile=None):
        f = self.path(name)
        self.ok(d, "key", "export", f, "--passphrase-file", passfile or self.passfile)
        return f

    def restore(self, name, backup, passfile=None, expect=0):
        d = self.path(name)
        rc, out, err = run("--dir", d, "init", "--restore", backup, "--passphrase-file",
                           passfile or self.passfile)
        self.assertEqual(rc, expect, f"restore: {err}\n{out}")
        return d, out, err

    def secrets_of(self, d):
        with open(os.path.join(d, "node.key")) as f:
            seed = f.read().strip()
        found = [seed]
        try:
            with open(os.path.join(d, "federation")) as f:
                found += re.findall(r"^key = ([0-9a-f]{64})$", f.read(), re.M)
        except FileNotFoundError:
            pass
        return found


class TestBackup(Base):
    def test_export_restore_same_key_federation_empty_store(self):
        a = self.node("a", "Métropole de Lyon", federation="Coalition IA responsable")
        self.ok(a, "publish", os.path.join(DATA, "rex-chatbot.md"))
        backup = self.export(a)
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600)
        with open(backup, "rb") as f:
            text = f.read()
        lines = text.decode().split("\n")
        self.assertEqual(lines[0], "maille-key-backup 1")
        self.assertEqual(lines[1], "kdf argon2id13 1 8192")  # the test setting's MIN limits
        self.assertRegex(lines[2], r"^salt [0-9a-f]{32}$")
        self.assertRegex(lines[3], r"^nonce [0-9a-f]{48}$")
        self.assertRegex(lines[4], r"^box [A-Za-z0-9+/]+=*$")
        self.assertEqual(lines[5:], [""])
        # nothing secret, nor the names, in clear: not in hex, not in base64 of the box
        box = base64.b64decode(lines[4][4:])
        for secret in self.secrets_of(a):
            self.assertNotIn(secret.encode(), text)
            self.assertNotIn(bytes.fromhex(secret), box)
        for name in ("Lyon", "Coalition"):
            self.assertNotIn(name.encode(), text)
            self.assertNotIn(name.encode(), box)

        b, out, err = self.restore("b", backup)
        who_a, who_b = self.js(a, "whoami"), self.js(b, "whoami")
        self.assertEqual(who_b["key"], who_a["key"])
        self.assertEqual(who_b["name"], "Métropole de Lyon")
        fed_a, fed_b = self.js(a, "federation", "show"), self.js(b, "federation", "show")
        self.assertEqual(fed_b["fingerprint"], fed_a["fingerprint"])
        self.assertEqual(fed_b["name"], "Coalition IA responsable")
        st = self.js(b, "status")
        self.assertEqual(st["count"], 0, "a restored store is empty: no new territory record")
        self.assertEqual(self.js(b, "list"), [])
        for f, mode in (("node.key", 0o600), ("federation", 0o600)):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(b, f)).st_mode), mode, f)
        self.assertEqual(sorted(os.listdir(b)),
                         ["federation", "maille.conf", "node.key", "store.sqlite"])
        # what was restored, and the next step; never a secret
        self.assertIn(who_a["key"], out)
        self.assertIn("Métropole de Lyon", out)
        self.assertIn(f"Coalition IA responsable (fingerprint {fed_a['fingerprint']})", out)
        self.assertIn("maille peer add HOST:PORT", out)
        self.assertIn("maille sync HOST:PORT", out)
        for secret in self.secrets_of(a):
            self.assertNotIn(secret, out + err)
        self.ok(b, "check")

    def test_json_and_no_federation(self):
        a = self.node("a", "Ville sans réseau")
        backup = self.path("b.mkb")
        rc, out, err = run("--dir", a, "key", "export", backup, "--passphrase-file",
                           self.passfile, "--json")
        self.assertEqual(rc, 0, err)
        exp = json.loads(out)
        self.assertEqual(exp["federation"], None)
        self.assertEqual(exp["name"], "Ville sans réseau")
        self.assertIn("apart", err)
        d = self.path("r")
        rc, out, err = run("--dir", d, "init", "--restore", backup, "--passphrase-file",
                           self.passfile, "--json")
        self.assertEqual(rc, 0, err)
        res = json.loads(out)
        self.assertEqual(res["key"], exp["key"])
        self.assertEqual(res["federation"], None)
        self.assertEqual(res["dir"], d)
        self.assertFalse(os.path.exists(os.path.join(d, "federation")))
        rc, _, err = run("--dir", d, "init", "--restore", backup, "--passphrase-file",
                         self.passfile)
        self.assertEqual(rc, 1, "a second restore into the same directory is refused")
        self.assertIn("refusing to overwrite", err)

    def test_wrong_passphrase_writes_nothing(self):
        a = self.node("a", "Ville A", federation="Réseau")
        backup = self.export(a)
        wrong = self.write_secret("wrong", "correct horse battery stapler\n")
        d, _, err = self.restore("r", backup, passfile=wrong, expect=1)
        self.assertIn("wrong passphrase", err)
        self.assertFalse(os.path.exists(d), "nothing created")
        # an existing empty directory stays empty
        os.makedirs(d)
        self.restore("r", backup, passfile=wrong, expect=1)
        self.assertEqual(os.listdir(d), [])

    def test_export_never_overwrites(self):
        a = self.node("a", "Ville A")
        f = self.write_secret("exists.mkb", "precious\n")
        rc, _, err = run("--dir", a, "key", "export", f, "--passphrase-file", self.passfile)
        self.assertEqual(rc, 1)
        self.assertIn("already exists", err)
        with open(f) as fh:
            self.assertEqual(fh.read(), "precious\n")
        os.symlink(self.path("elsewhere"), self.path("link.mkb"))
        rc, _, err = run("--dir", a, "key", "export", self.path("link.mkb"),
                         "--passphrase-file", self.passfile)
        self.assertEqual(rc, 1)
        self.assertFalse(os.path.exists(self.path("elsewhere")))

    def test_short_passphrase_refused(self):
        a = self.node("a", "Ville A")
        # 9 characters, and 9 characters in 18 bytes: characters are what count
        for i, p in enumerate(("ninechars", "ééééééééé", "")):
            pf = self.write_secret(f"short{i}", p + "\n")
            f = self.path(f"short{i}.mkb")
            rc, _, err = run("--dir", a, "key", "export", f, "--passphrase-file", pf)
            self.assertEqual(rc, 1, p)
            self.assertIn("too short", err)
            self.assertIn("at least 10", err)
            self.assertFalse(os.path.exists(f))
        # 10 characters will do, and the first line only counts (no newline at the end either)
        pf = self.write_secret("ten", "0123456789\nsecond line\n")
        self.export(a, "ten.mkb", passfile=pf)
        pf2 = self.write_secret("ten2", "0123456789")
        self.restore("r", self.path("ten.mkb"), passfile=pf2)

    def test_passphrase_never_an_argument(self):
        a = self.node("a", "Ville A")
        backup = self.export(a)
        for args in (("--dir", a, "key", "export", self.path("x"), "--passphrase", PASS),
                     ("--dir", a, "key", "export", self.path("x"), f"--passphrase={PASS}"),
                     ("--dir", self.path("r"), "init", "--restore", backup, "--passphrase",
                      PASS)):
            rc, _, err = run(*args)
            self.assertEqual(rc, 2, args)
            self.assertIn("unknown option '--passphrase'", err)
        self.assertFalse(os.path.exists(self.path("x")))
        self.assertFalse(os.path.exists(self.path("r")))

    def test_no_terminal_no_passphrase_file(self):
        a = self.node("a", "Ville A")
        rc, _, err = run("--dir", a, "key", "export", self.path("x"))
        self.assertEqual(rc, 1)
        self.assertIn("--passphrase-file", err)
        self.assertFalse(os.path.exists(self.path("x")))

    def test_passphrase_file_readable_by_others_warns(self):
        a = self.node("a", "Ville A")
        pf = self.write_secret("loose", PASS + "\n", mode=0o644)
        self.export(a, passfile=pf)
        rc, _, err = run("--dir", a, "key", "export", self.path("2.mkb"), "--passphrase-file",
                         pf)
        self.assertEqual(rc, 0, err)
        self.assertIn("readable by other users", err)

    def test_tampered_file_refused(self):
        a = self.node("a", "Ville A", federation="Réseau")
        backup = self.export(a)
        with open(backup) as f:
            lines = f.read().split("\n")
        b64 = lines[4][4:]
        i = len(b64) // 2
        lines[4] = "box " + b64[:i] + ("A" if b64[i] != "A" else "B") + b64[i + 1:]
        bad = self.write_secret("tampered.mkb", "\n".join(lines))
        d, _, err = self.restore("r", bad, expect=1)
        self.assertIn("wrong passphrase or damaged file", err)
        self.assertFalse(os.path.exists(d))
        # the clear parameters are authenticated too: another salt or nonce does not open
        for k in (2, 3):
            other = list(lines)
            other[k] = other[k][:-1] + ("0" if other[k][-1] != "0" else "1")
            bad = self.write_secret(f"tampered{k}.mkb", "\n".join(other))
            _, _, err = self.restore("r", bad, expect=1)
            self.assertIn("wrong passphrase or damaged file", err)

    def test_hostile_limits_refused_without_trying(self):
        a = self.node("a", "Ville A")
        backup = self.export(a)
        with open(backup) as f:
            text = f.read()
        for kdf in ("kdf argon2id13 4 68719476736", "kdf argon2id13 4 1073741825",
                    "kdf argon2id13 5 8192", "kdf argon2id13 0 8192", "kdf argon2id13 1 8191",
                    "kdf argon2id13 1 99999999999999999999999"):
            bad = self.path("huge.mkb")
            with open(bad, "w") as f:
                f.write(text.replace("kdf argon2id13 1 8192", kdf))
            # no --passphrase-file and no terminal: had it got as far as asking, it would say
            # so; it must stop at the file
            t0 = time.monotonic()
            rc, _, err = run("--dir", self.path("r"), "init", "--restore", bad)
            self.assertEqual(rc, 1, kdf)
            self.assertIn("outside the accepted range" if "9999999999999" not in kdf
                          else "decimal numbers", err)
            self.assertNotIn("passphrase", err)
            self.assertLess(time.monotonic() - t0, 20)
            self.assertFalse(os.path.exists(self.path("r")))
            os.unlink(bad)

    def test_malformed_files_refused(self):
        a = self.node("a", "Ville A")
        backup = self.export(a)
        with open(backup) as f:
            text = f.read()
        cases = {
            "not-a-backup": ("name = x\nkey = y\n", "not a Maille key backup"),
            "empty": ("", "line 1 is missing"),
            "truncated": (text[:len(text) - 10], "truncated file"),
            "version-2": (text.replace("backup 1", "backup 2"), "another version"),
            "crlf": (text.replace("\n", "\r\n"), "carriage return"),
            "extra-line": (text + "# comment\n", "more than five lines"),
            "upper-hex": (re.sub(r"salt ([0-9a-f]+)", lambda m: "salt " + m.group(1).upper(),
                                 text), "line 3"),
            "big": (text + "x" * 5000, "larger than 4096 bytes"),
        }
        for name, (content, why) in cases.items():
            bad = self.path(name)
            with open(bad, "w") as f:
                f.write(content)
            rc, _, err = run("--dir", self.path("r"), "init", "--restore", bad,
                             "--passphrase-file", self.passfile)
            self.assertEqual(rc, 1, name)
            self.assertIn(why, err, name)
            self.assertFalse(os.path.exists(self.path("r")), name)
        rc, _, err = run("--dir", self.path("r"), "init", "--restore", self.path("missing"),
                         "--passphrase-file", self.passfile)
        self.assertEqual(rc, 1)
        self.assertIn("No such file", err)

    def test_restore_refuses_existing_node(self):
        a = self.node("a", "Ville A")
        other = self.node("other", "Ville Autre")
        key = self.js(other, "whoami")["key"]
        backup = self.export(a)
        _, _, err = self.restore("other", backup, expect=1)
        self.assertIn("refusing to overwrite", err)
        self.assertEqual(self.js(other, "whoami")["key"], key)
        # a lone federation file is refused too: its key would be lost
        d = self.path("fedonly")
        os.makedirs(d)
        self.write_secret("fedonly/federation", "name = X\nkey = " + "00" * 32 + "\n")
        _, _, err = self.restore("fedonly", backup, expect=1)
        self.assertIn("federation", err)
        self.assertEqual(os.listdir(d), ["federation"])

    def test_restore_usage(self):
        a = self.node("a", "Ville A")
        backup = self.export(a)
        r = self.path("r")
        for args in (("--restore", backup, "--name", "X"), ("--restore", backup, "--siren",
                                                             "200046977"),
                     ("--restore", backup, "--kind", "commune"), ("--restore", backup, "--cog",
                                                                  "69123"),
                     ("--name", "X", "--passphrase-file", self.passfile), ("--restore",),
                     ("--restore", "")):
            rc, _, err = run("--dir", r, "init", *args)
            self.assertEqual(rc, 2, args)
            self.assertFalse(os.path.exists(r), args)
        for args in (("key",), ("key", "import", backup), ("key", "export"),
                     ("key", "export", "a", "b")):
            rc, _, _ = run("--dir", a, *args)
            self.assertEqual(rc, 2, args)

    def test_help(self):
        rc, out, _ = run("key", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: maille key export FILE", out)
        self.assertIn("--passphrase-file", out)
        self.assertIn("maille init --restore", out)
        self.assertNotIn("MAILLE_TEST", out)
        rc, out2, _ = run("key", "export", "--help")
        self.assertEqual((rc, out2), (0, out))
        rc, out, _ = run("init", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--restore FILE", out)
        self.assertIn("--passphrase-file", out)
        rc, out, _ = run("--help")
        self.assertRegex(out, r"\n  key +back up")
        rc, out, _ = run("help", "key")
        self.assertIn("usage: maille key export", out)


class TestTerminal(Base):
    """The passphrase typed on a terminal: asked twice on export, not echoed."""

    def on_tty(self, args, answers, env=FAST, timeout=60):
        """Runs maille on a pseudo-terminal; answers each prompt (a regex) with its text.
        Returns the exit code and everything the terminal showed."""
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(harness.MAILLE, [harness.MAILLE, *args], env_with(env))
            finally:
                os._exit(127)
        shown = b""
        pending = list(answers)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                r, _, _ = select.select([fd], [], [], 0.5)
                if r:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:  # EIO: the child closed the terminal
                        break
                    if not data:
                        break
                    shown += data
                # answer only once the prompt is shown: echo is off by then, and typing
                # earlier would be flushed (TCSAFLUSH) anyway
                if pending and re.search(pending[0][0], shown.decode("utf-8", "replace")):
                    os.write(fd, pending[0][1].encode() + b"\n")
                    shown += b"\x00"  # a mark, so that the same prompt is not answered twice
                    pending.pop(0)
            else:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError("timed out on the terminal:\n" + shown.decode())
        finally:
            _, status = os.waitpid(pid, 0)
            os.close(fd)
        text = shown.replace(b"\x00", b"").decode("utf-8", "replace")
        check_sanitizers("maille " + " ".join(args), text)
        self.assertEqual(pending, [], "prompts not seen:\n" + text)
        return os.waitstatus_to_exitcode(status), text

    def test_export_and_restore_on_terminal(self):
        a = self.node("a", "Ville A", federation="Réseau")
        f = self.path("tty.mkb")
        rc, shown = self.on_tty(["--dir", a, "key", "export", f],
                                [(r"Passphrase for the key backup: $", PASS),
                                 (r"Same passphrase again: $", PASS)])
        self.assertEqual(rc, 0, shown)
        self.assertNotIn(PASS, shown, "the passphrase was echoed")
        self.assertIn("Exported the key backup", shown)
        d = self.path("r")
        rc, shown = self.on_tty(["--dir", d, "init", "--restore", f],
                                [(r"Passphrase of the key backup: $", PASS)])
        self.assertEqual(rc, 0, shown)
        self.assertNotIn(PASS, shown)
        self.assertEqual(self.js(d, "whoami")["key"], self.js(a, "whoami")["key"])

    def test_passphrases_differ(self):
        a = self.node("a", "Ville A")
        f = self.path("tty.mkb")
        rc, shown = self.on_tty(["--dir", a, "key", "export", f],
                                [(r"Passphrase for the key backup: $", PASS),
                                 (r"Same passphrase again: $", PASS + "!")])
        self.assertEqual(rc, 1)
        self.assertIn("the two passphrases differ", shown)
        self.assertFalse(os.path.exists(f))
        rc, shown = self.on_tty(["--dir", a, "key", "export", f],
                                [(r"Passphrase for the key backup: $", "short")])
        self.assertEqual(rc, 1)
        self.assertIn("too short", shown)
        self.assertNotIn("Same passphrase", shown, "not asked twice for a refused one")
        self.assertFalse(os.path.exists(f))


class TestRestoreThenSync(Base):
    """The point of the feature: a node that lost its directory comes back from a backup and
    gets its own records back from a peer."""

    def test_lost_node_comes_back_from_its_peer(self):
        a = self.node("a", "Ville A", federation="Réseau de secours")
        fed = self.path("federation.export")
        self.ok(a, "federation", "export", fed)
        b = self.node("b", "Ville B")
        self.ok(b, "federation", "import", fed)
        paths = [self.js(a, "publish", os.path.join(DATA, n))["path"]
                 for n in ("rex-chatbot.md", "use-case-creche.md")]

        da = self.daemon(a)
        res = json.loads(self.ok(b, "sync", da.addr, "--json"))
        self.assertGreater(res["received"], 0, res)
        da.stop()
        for p in paths:
            self.js(b, "show", p)
        key_a = self.js(a, "whoami")["key"]

        backup = self.export(a)
        shutil.rmtree(a)
        a2, _, _ = self.restore("a2", backup)
        self.assertEqual(self.js(a2, "whoami")["key"], key_a)
        self.assertEqual(self.js(a2, "status")["count"], 0)

        db = self.daemon(b)
        res = json.loads(self.ok(a2, "sync", db.addr, "--json"))
        self.assertGreater(res["received"], len(paths), res)
        for p in paths:
            shown = self.js(a2, "show", p)
            self.assertEqual(shown["path"], p)
        # B's records are stored but B is not trusted (no vouch): --all lists it, marked
        terr = self.js(a2, "list", "--type", "territory", "--all")
        self.assertIn(key_a, json.dumps(self.js(a2, "export")))
        self.assertEqual({t["title"]: t["trusted"] for t in terr},
                         {"Ville A": True, "Ville B": False})
        st_a2, st_b = self.js(a2, "status"), self.js(b, "status")
        self.assertEqual(st_a2["fingerprint"], st_b["fingerprint"])
        self.assertEqual(st_a2["count"], st_b["count"])
        self.assertEqual(st_a2["federation"], st_b["federation"])
        db.stop()
        # the restored node signs as the territory again: an edit supersedes the synced one
        self.ok(a2, "delete", paths[0], "--yes")
        self.ok(a2, "check")


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = harness.data_copy(os.path.abspath(sys.argv[2]))
    unittest.main(argv=[sys.argv[0], "-v"])
