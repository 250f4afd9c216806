#!/usr/bin/env python3
"""End-to-end tests of a federation's growth and hygiene (PROTOCOL.md §4.4-4.6): invitations
(maille invite / join), member nodes writing for their territory, member removal, and the
quarantine of an untrusted author.

Usage: test_federation.py MAILLE_BINARY MAILLE_BENCH_BINARY SAMPLES_DIR

Real binaries, real node directories, real daemons on 127.0.0.1 (stopped with SIGTERM, exit 0
wanted). Convergence is checked with `maille status --json` fingerprints, and a further sync
must move nothing."""
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest

import harness
from harness import log, wait_for

BENCH = None
SAMPLES = None
WEB_OFF = ("--no-web",)


class Base(harness.Case):
    def setUp(self):
        self.begin("maille-fed-")

    def tearDown(self):
        self.end()

    def territory(self, name, label):
        return self.init(name, label)

    @classmethod
    def daemon(cls, d):
        return super().daemon(d, *WEB_OFF)

    def three(self, conf=""):
        """Territories a, b and c, each with conf added to its maille.conf; a creates the
        federation (b and c are not in it yet)."""
        dirs = [self.territory(n, label) for n, label in
                (("a", "Métropole de Lyon"), ("b", "Ville de Grenoble"),
                 ("c", "Département de l'Isère"))]
        self.ok(dirs[0], "federation", "new", "--name", "Réseau IA des territoires")
        for d in dirs if conf else ():
            with open(os.path.join(d, "maille.conf"), "a") as f:
                f.write(conf)
        return dirs

    def invite(self, d, *args):
        return self.js(d, "invite", *args)["token"]

    def publish_sample(self, d, sample, path):
        return self.js(d, "publish", os.path.join(SAMPLES, sample), "--path", path)["id"]

    def fp(self, d):
        s = self.js(d, "status")
        return s["fingerprint"], s["count"]

    def converged(self, dirs, timeout=60):
        def same():
            fps = {self.fp(d) for d in dirs}
            return len(fps) == 1
        wait_for(same, timeout, "equal fingerprints on " + ", ".join(map(os.path.basename, dirs)))

    def paths(self, d, *extra):
        return {r["path"]: r for r in self.js(d, "list", *extra)}


class TestInvitations(Base):
    def test_chain_of_three(self):
        """A invites B, B invites C: trust runs both ways along each invitation, every node
        lists the three territories' records, and a used or expired invitation is refused
        without changing the newcomer."""
        a, b, c = self.three()
        da = self.daemon(a)
        tok_a = self.invite(a)
        self.assertTrue(tok_a.startswith("maille-invite:"))
        t0 = time.monotonic()
        out = self.js(b, "join", tok_a)
        log(f"join B -> A: {1000 * (time.monotonic() - t0):.0f} ms")
        self.assertEqual(out["inviter"], self.key(a))
        self.assertTrue(out["vouched"])
        db = self.daemon(b)
        tok_b = self.invite(b, "--uses", "2")
        self.js(c, "join", tok_b)
        self.daemon(c)

        self.publish_sample(a, "rex-fuites-eau.md", "rex/lyon-fuites")
        self.publish_sample(b, "rex-chatbot-rh.md", "rex/grenoble-chatbot")
        self.publish_sample(c, "rex-registre-algorithmes.md", "rex/isere-registre")
        self.converged([a, b, c])
        want = {"rex/lyon-fuites", "rex/grenoble-chatbot", "rex/isere-registre"}
        for d in (a, b, c):
            self.assertTrue(want <= set(self.paths(d)), f"{d}: {sorted(self.paths(d))}")
        # A trusts C through its vouch for B and B's for C (2 hops); C trusts A likewise
        view_a = {r["key"]: r for r in self.js(a, "territories")}
        self.assertTrue(view_a[self.key(b)]["reason"].startswith("vouched by Métropole"))
        self.assertEqual(view_a[self.key(c)]["hops"], 2)
        view_c = {r["key"]: r for r in self.js(c, "territories")}
        self.assertEqual(view_c[self.key(b)]["reason"], "explicit")
        self.assertTrue(view_c[self.key(a)]["trusted"])

        # a used invitation: refused on both sides, nothing written on the newcomer
        d = self.territory("d", "Commune de Vénissieux")
        err = self.fails(d, "join", tok_a)
        self.assertIn("already used", err)
        self.assertFalse(os.path.exists(os.path.join(d, "federation")))
        self.assertEqual(self.js(d, "territories")[0]["reason"], "own")
        self.assertEqual(len(self.js(d, "territories")), 1)
        self.assertIn("invitation refused: invitation already used", da.log())
        # the second use of B's, then a third: used
        self.js(d, "join", tok_b)
        e = self.territory("e", "Commune d'Échirolles")
        self.assertIn("already used", self.fails(e, "join", tok_b))
        # expired, unknown to the inviter, not a token
        tok_short = self.invite(a, "--expires", "1s")
        time.sleep(1.2)
        self.assertIn("expired", self.fails(e, "join", tok_short))
        self.assertIn("not a valid invitation", self.fails(e, "join", tok_a[:30] + "!" + tok_a[31:]))
        rc, _, err = self.m(e, "join", "-", input_text=tok_short[:40] + "\n")
        self.assertEqual(rc, 1, err)
        # a node of another federation cannot join
        # invite: no daemon and no --address, a bad --address, or --address given
        self.assertIn("this node is not running: start it (maille node)", self.fails(d, "invite"))
        rc, _, err = self.m(d, "invite", "--address", "0.0.0.0:99999")
        self.assertEqual(rc, 2, err)
        self.assertIn("--uses", self.m(d, "invite", "--uses", "0")[2])
        tok = self.invite(d, "--address", "127.0.0.1:1", "--expires", "2h")
        err = self.fails(e, "join", tok)
        self.assertIn("cannot reach the inviter", err)
        self.assertFalse(os.path.exists(os.path.join(e, "federation")))
        f = self.territory("f", "Commune de Bron")
        self.ok(f, "federation", "new", "--name", "Une autre fédération")
        self.assertIn("already belongs", self.fails(f, "join", self.invite(a)))
        self.stop_daemons()


class TestMembers(Base):
    def test_member_writes_for_its_territory(self):
        """A member's node joins, cannot write before its capability, then publishes a REX
        attributed to the territory on every node; after member remove, its later entry is
        refused everywhere and the earlier one stays."""
        a = self.territory("a", "Métropole de Lyon")
        b = self.territory("b", "Ville de Grenoble")
        mdir = os.path.join(self.tmp, "m")
        self.ok(a, "federation", "new", "--name", "Réseau IA des territoires")
        self.ok(mdir, "init", "--member", "--name", "Poste de Camille")
        da = self.daemon(a)
        self.js(b, "join", self.invite(a))
        self.daemon(b)
        out = self.js(mdir, "join", self.invite(a))
        self.assertTrue(out["member"])
        self.assertFalse(out["vouched"])
        km, ka = self.key(mdir), self.key(a)
        who = self.js(mdir, "whoami")
        self.assertIsNone(who["territory"])
        err = self.fails(mdir, "publish", os.path.join(SAMPLES, "rex-fuites-eau.md"))
        self.assertIn("no capability in force", err)
        # nobody vouched for the member key: it is no territory
        self.assertNotIn(km, {r["key"] for r in self.js(a, "territories") if r["trusted"]})

        self.js(a, "member", "add", km, "--name", "Camille Martin", "--prefix", "rex/")
        self.ok(mdir, "sync", da.addr)
        who = self.js(mdir, "whoami")
        self.assertEqual(who["territory"], ka)
        err = self.fails(mdir, "publish", os.path.join(SAMPLES, "methodology-atelier-citoyen.md"),
                         "--path", "methodology/hors-prefixe")
        self.assertIn("does not cover", err)
        self.publish_sample(mdir, "rex-chatbot-rh.md", "rex/membre-avant")
        self.ok(mdir, "sync", da.addr)
        self.converged([a, b])
        for d in (a, b):
            row = self.paths(d)["rex/membre-avant"]
            self.assertEqual(row["author"], ka)
            self.assertEqual(row["author_name"], "Camille Martin (Métropole de Lyon)")
            self.assertEqual(row["member"], "Camille Martin")
            self.assertEqual(row["signer"], km)

        # removed while the member's node is away: its next entry is refused everywhere
        time.sleep(0.01)
        self.js(a, "member", "remove", km)
        self.publish_sample(mdir, "rex-fuites-eau.md", "rex/membre-apres")  # its old capability
        out = self.js(mdir, "sync", da.addr)
        self.assertEqual(out["refused"], 0, out)  # refused by A, but A is not the sender here
        self.converged([a, b, mdir])
        for d in (a, b, mdir):
            ps = self.paths(d, "--all")
            self.assertIn("rex/membre-avant", ps, d)
            self.assertNotIn("rex/membre-apres", ps, d)
        self.assertIn("not covered by the member capability", da.log())
        self.assertEqual(self.js(mdir, "whoami")["territory"], None)
        again = self.js(mdir, "sync", da.addr)
        self.assertTrue(again["equal"], again)
        for d in (a, b, mdir):
            self.ok(d, "check")
        self.stop_daemons()


class TestQuarantine(Base):
    def test_flood_from_untrusted_author(self):
        """Three territories joined by invitation, each with a quota of 1 000 entries per
        untrusted territory. A fourth node holding the network key, vouched by nobody, pushes
        10 000 entries to one of them: every territory keeps exactly 1 000 (the same ones),
        the sender is never disconnected, `maille status` answers meanwhile (deadline 5 s)."""
        a, b, c = self.three("quarantine.entries = 1000\nquarantine.bytes = 64MiB\n")
        x = self.territory("x", "Territoire inconnu")
        da = self.daemon(a)
        for d in (b, c):
            self.js(d, "join", self.invite(a))
            self.daemon(d)
        fed = os.path.join(self.tmp, "fed.key")
        self.ok(a, "federation", "export", fed)
        self.ok(x, "federation", "import", fed)
        p = subprocess.run([BENCH, "gen", "--dir", x, "--n", "10000"], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        proc = subprocess.Popen([harness.MAILLE, "--dir", x, "sync", da.addr, "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=harness.env_with())
        lat = []
        while proc.poll() is None:
            for d in (a, b):
                t0 = time.monotonic()
                rc, out, err = self.m(d, "status", "--json", timeout=5)
                lat.append(time.monotonic() - t0)
                self.assertEqual(rc, 0, err)
            time.sleep(0.05)
        out, err = proc.communicate()
        harness.check_sanitizers("maille sync", err.decode())
        self.assertEqual(proc.returncode, 0, err.decode())
        res = json.loads(out)
        log(f"status during the flood: {len(lat)} calls, max {1000 * max(lat or [0]):.0f}"
                    f" ms; sync sent {res['sent']}")
        self.assertEqual(res["sent"], 10000 + 1)  # and its territory record
        kx = bytes.fromhex(self.key(x))

        def held(d):
            db = sqlite3.connect(os.path.join(d, "store.sqlite"))
            (n,) = db.execute("SELECT count(*) FROM entries WHERE territory = ?",
                              (kx,)).fetchone()
            db.close()
            return n
        self.assertEqual(held(a), 1000)
        # A pushes what it kept to B and C, which keep it (their quota is the same)
        self.converged([a, b, c])
        self.assertEqual([held(d) for d in (b, c)], [1000, 1000])
        self.assertIn("quota reached", da.log())
        # the refused ids are remembered: sent again, they are dropped before verification
        quota_lines = da.log().count("SYNC-QUOTA")
        t0 = time.monotonic()
        self.ok(x, "sync", da.addr)
        log(f"the same 9 000 refused entries sent again: {time.monotonic() - t0:.2f} s")
        self.assertEqual(da.log().count("SYNC-QUOTA"), quota_lines)
        # a vouch later (explicit trust here): the rest comes at the next sync
        self.ok(a, "trust", self.key(x))
        time.sleep(2.2)  # the daemon sees the trust change within 2 s
        self.ok(x, "sync", da.addr)
        self.assertEqual(held(a), 10000 + 1)
        self.assertEqual(held(b), 1000)  # B still does not trust it
        self.stop_daemons()

    def test_many_fresh_keys_total_bound(self):
        """Keys are free: 24 nodes holding the network key, vouched by nobody, each with a
        fresh key, send 12 entries each (and their territory records) to the three territories
        of a federation, each to one of them. Every territory keeps at most
        quarantine.total_entries of them together, the lowest (timestamp, id) ones, the same
        on every node whatever the order they came in (PROTOCOL.md §4.6)."""
        total = 150
        a, b, c = self.three(f"quarantine.total_entries = {total}\n")
        da = self.daemon(a)
        self.js(b, "join", self.invite(a))
        dbm = self.daemon(b)
        self.js(c, "join", self.invite(b))
        dcm = self.daemon(c)
        fed = os.path.join(self.tmp, "fed.key")
        self.ok(a, "federation", "export", fed)
        own = {bytes.fromhex(self.key(d)) for d in (a, b, c)}
        sent = []  # (ts, id) of every untrusted entry sent
        targets = (da, dbm, dcm)
        for i in range(24):
            x = self.territory(f"x{i}", f"Territoire inconnu {i}")
            self.ok(x, "federation", "import", fed)
            p = subprocess.run([BENCH, "gen", "--dir", x, "--n", "12", "--seed", str(i + 1)],
                               capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            kx = bytes.fromhex(self.key(x))
            db = sqlite3.connect(os.path.join(x, "store.sqlite"))
            sent += db.execute("SELECT ts, id FROM entries WHERE territory = ?", (kx,)).fetchall()
            db.close()
            self.ok(x, "sync", targets[i % 3].addr)
        self.assertEqual(len(sent), 24 * 13)
        want = {bytes(i) for _, i in sorted(sent)[:total]}

        def kept(d):
            db = sqlite3.connect(os.path.join(d, "store.sqlite"))
            rows = db.execute("SELECT territory, id FROM entries").fetchall()
            db.close()
            return {bytes(i) for t, i in rows if bytes(t) not in own}
        self.converged([a, b, c])
        for d in (a, b, c):
            self.assertEqual(len(kept(d)), total, d)
            self.assertEqual(kept(d), want, d)
            self.ok(d, "check")
        self.assertIn("quota reached", da.log() + dbm.log() + dcm.log())
        again = self.js(b, "sync", da.addr)
        self.assertTrue(again["equal"], again)
        self.stop_daemons()


class TestDamagedStore(Base):
    def test_daemon_stores_nothing_while_marked(self):
        """While DIR/store.corrupt is there (left by a `maille check` that found the store
        damaged), a running daemon stores nothing it receives and says why in its log; once a
        check finds the store sound, the entries come with the next sync."""
        a = self.territory("a", "Métropole de Lyon")
        b = self.territory("b", "Ville de Grenoble")
        self.ok(a, "federation", "new", "--name", "Réseau IA des territoires")
        fed = os.path.join(self.tmp, "fed.key")
        self.ok(a, "federation", "export", fed)
        self.ok(b, "federation", "import", fed)
        da = self.daemon(a)
        mark = os.path.join(a, "store.corrupt")
        with open(mark, "w", encoding="utf-8") as f:
            f.write("maille check: 1 problems in store.sqlite\n")
        self.publish_sample(b, "rex-chatbot-rh.md", "rex/pendant-le-dommage")

        def held(d):
            db = sqlite3.connect(os.path.join(d, "store.sqlite"))
            n = db.execute("SELECT count(*) FROM entries WHERE path = ?",
                           ("rex/pendant-le-dommage",)).fetchone()[0]
            db.close()
            return n
        self.ok(b, "sync", da.addr)
        wait_for(lambda: "STORE-CORRUPT" in da.log(), 10, "STORE-CORRUPT in A's log")
        self.assertEqual(held(a), 0)
        self.ok(a, "check")  # sound: the mark goes
        self.assertFalse(os.path.exists(mark))
        self.ok(b, "sync", da.addr)
        wait_for(lambda: held(a) == 1, 10, "the record stored by A")
        self.stop_daemons()


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    BENCH = os.path.abspath(sys.argv[2])
    SAMPLES = os.path.abspath(sys.argv[3])
    del sys.argv[1:4]
    unittest.main(verbosity=2)
