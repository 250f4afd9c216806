#!/usr/bin/env python3
"""End-to-end tests of the trust view: `maille trust/untrust/vouch/unvouch/territories`.

Usage: test_trust.py MAILLE_BINARY

Real binary, real node directories in a temporary directory. Other territories' entries reach
node A the way they would in use: A runs a daemon on 127.0.0.1 and the other nodes `maille
sync` with it (both ways, so A ends up with everything). The daemon is stopped with SIGTERM and
must exit 0 (under sanitizers a leak makes that exit code non-zero)."""
import os
import sqlite3
import sys
import unittest

import harness
from harness import run, wait_for


class Base(harness.Case):
    def setUp(self):
        self.begin("maille-trust-")

    def tearDown(self):
        self.end()

    def node(self, name):
        return self.init(name, f"Ville {name.upper()}")

    def view(self, d):
        """territories --json as {name: (trusted, reason, hops)}, and the order of the names."""
        rows = self.js(d, "territories")
        return {r["name"]: (r["trusted"], r["reason"], r["hops"]) for r in rows}, \
            [r["name"] for r in rows]


RECORD = """---
type: rex
path: rex/cantine-previsions
title: "Prévoir les repas de la cantine : retour d'expérience"
summary: Un modèle de prévision de fréquentation des cantines scolaires, un an après.
themes: [sobriete-numerique]
keywords: [cantine, gaspillage]
status: production
about: [use_case/prevision-frequentation-cantines]
declaration: referent_expert
period:
  start: 2025-01-06
context: Réduire le gaspillage alimentaire dans les cantines de la commune.
objectives: Ajuster les commandes au nombre de repas réellement servis.
what_was_done: Un modèle simple sur l'historique des inscriptions, vérifié chaque semaine.
difficulties: Les absences imprévues restent difficiles à anticiper.
lessons_learned: Un modèle simple et expliqué aux équipes vaut mieux qu'un modèle opaque.
---

Le service de restauration scolaire a comparé chaque semaine les prévisions et les repas servis.
"""


class TestChain(Base):
    """A vouches B, B vouches C, C vouches D, D vouches E: seen from A, 3 hops at most."""

    def setUp(self):
        super().setUp()
        self.n = {x: self.node(x) for x in "abcde"}
        self.k = {x: self.key(d) for x, d in self.n.items()}
        # one federation: a creates it, the others import it
        fed = os.path.join(self.tmp, "federation.export")
        self.ok(self.n["a"], "federation", "new", "--name", "Réseau de confiance")
        self.ok(self.n["a"], "federation", "export", fed)
        for x in "bcde":
            self.ok(self.n[x], "federation", "import", fed)
        for voucher, vouchee in (("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")):
            out = self.js(self.n[voucher], "vouch", self.k[vouchee])
            self.assertEqual(out["path"], "vouches/" + self.k[vouchee])
            self.assertTrue(out["vouched"])
        # E publishes a record (E is 4 hops from A: untrusted there)
        self.publish(self.n["e"], "rex-e.md", RECORD)
        self.da = self.daemon(self.n["a"])
        for x in "bcde":
            self.ok(self.n[x], "sync", self.da.addr)
        # A's daemon stores what it receives first and indexes it for search right after
        wait_for(lambda: self.js(self.n["a"], "status")["unindexed"] == 0, 10,
                 "A's search index to catch up")

    def test_chain_hops_explicit_unvouch(self):
        a = self.n["a"]
        v, order = self.view(a)
        self.assertEqual(v["Ville A"], (True, "own", 0))
        self.assertEqual(v["Ville B"], (True, "vouched by Ville A in 1 hop", 1))
        self.assertEqual(v["Ville C"], (True, "vouched by Ville B in 2 hops", 2))
        self.assertEqual(v["Ville D"], (True, "vouched by Ville C in 3 hops", 3))
        self.assertEqual(v["Ville E"], (False, "untrusted", None))
        self.assertEqual(order, ["Ville A", "Ville B", "Ville C", "Ville D", "Ville E"])
        rows = self.js(a, "territories")
        self.assertEqual(rows[1]["key"], self.k["b"])
        self.assertEqual(rows[1]["via"], self.k["a"])
        self.assertEqual(rows[3]["via"], self.k["c"])
        self.assertIsNone(rows[0]["via"])
        # the human view says the same, one line each
        lines = self.ok(a, "territories").splitlines()
        self.assertEqual(len(lines), 5)
        self.assertEqual(lines[0], f"trusted    {self.k['a']}  Ville A  (own)")
        self.assertEqual(lines[3], f"trusted    {self.k['d']}  Ville D  "
                                   "(vouched by Ville C in 3 hops)")
        self.assertEqual(lines[4], f"untrusted  {self.k['e']}  Ville E  (untrusted)")
        # seen from B, the chain is one hop shorter: E is trusted at 3 hops; A is not (B synced
        # first: it has the others' entries after a second sync)
        self.ok(self.n["b"], "sync", self.da.addr)
        v_b, _ = self.view(self.n["b"])
        self.assertEqual(v_b["Ville E"], (True, "vouched by Ville D in 3 hops", 3))
        self.assertEqual(v_b["Ville A"], (False, "untrusted", None))

        # explicit trust of E
        out = self.js(a, "trust", self.k["e"])
        self.assertEqual(out, {"key": self.k["e"], "name": "Ville E", "trusted": True})
        v, order = self.view(a)
        self.assertEqual(v["Ville E"], (True, "explicit", 1))
        self.assertEqual(order[-1], "Ville E")  # trusted, then by name
        err = self.fails(a, "trust", self.k["e"])
        self.assertIn("already trusted", err)
        # explicit trust of a vouched key: "explicit" wins, untrust gives the vouch back
        self.ok(a, "trust", self.k["c"].upper())  # capitals accepted, shown in lower case
        v, _ = self.view(a)
        self.assertEqual(v["Ville C"], (True, "explicit", 1))
        self.assertEqual(v["Ville D"], (True, "vouched by Ville C in 2 hops", 2))
        self.assertIn(self.k["c"], self.ok(a, "untrust", self.k["c"]))
        v, _ = self.view(a)
        self.assertEqual(v["Ville C"], (True, "vouched by Ville B in 2 hops", 2))

        # B withdraws its vouch for C: nothing changes at A until the tombstone arrives
        out = self.js(self.n["b"], "unvouch", self.k["c"])
        self.assertFalse(out["vouched"])
        err = self.fails(self.n["b"], "unvouch", self.k["c"])
        self.assertIn("no live vouch", err)
        v, _ = self.view(a)
        self.assertTrue(v["Ville C"][0])
        self.ok(self.n["b"], "sync", self.da.addr)
        v, _ = self.view(a)
        self.assertEqual(v["Ville B"], (True, "vouched by Ville A in 1 hop", 1))
        self.assertEqual(v["Ville C"], (False, "untrusted", None))
        self.assertEqual(v["Ville D"], (False, "untrusted", None))
        self.assertEqual(v["Ville E"], (True, "explicit", 1))  # explicit: no chain needed

        # untrust E
        out = self.js(a, "untrust", self.k["e"])
        self.assertEqual(out, {"key": self.k["e"], "name": "Ville E", "trusted": False})
        err = self.fails(a, "untrust", self.k["e"])
        self.assertIn("not trusted explicitly", err)
        v, order = self.view(a)
        self.assertEqual(v["Ville E"], (False, "untrusted", None))
        self.assertEqual(order, ["Ville A", "Ville B", "Ville C", "Ville D", "Ville E"])

        # B vouches for C again: a new version supersedes the tombstone
        self.ok(self.n["b"], "vouch", self.k["c"])
        self.ok(self.n["b"], "sync", self.da.addr)
        v, _ = self.view(a)
        self.assertEqual(v["Ville D"], (True, "vouched by Ville C in 3 hops", 3))
        self.da.stop()
        self.ok(a, "check")


    def test_list_search_show_follow_trust(self):
        a = self.n["a"]
        # E (4 hops) is untrusted: its record is stored but listed and found only with --all
        self.assertEqual(self.js(a, "search", "gaspillage"), [])
        rc, _, err = run("--dir", a, "search", "gaspillage")
        self.assertIn("--all", err)
        hits = self.js(a, "search", "gaspillage", "--all")
        self.assertEqual([(h["path"], h["trusted"]) for h in hits],
                         [("rex/cantine-previsions", False)])
        self.assertNotIn("rex/cantine-previsions",
                         [r["path"] for r in self.js(a, "list")])
        listed = {r["title"]: r["trusted"] for r in self.js(a, "list", "--type", "territory",
                                                             "--all")}
        self.assertEqual(listed, {"Ville A": True, "Ville B": True, "Ville C": True,
                                  "Ville D": True, "Ville E": False})
        self.assertEqual(len(self.js(a, "list", "--type", "territory")), 4)
        self.assertIn("[untrusted]", self.ok(a, "search", "gaspillage", "--all"))
        # show finds it, and says so
        shown = self.js(a, "show", "rex/cantine-previsions")
        self.assertFalse(shown["trusted"])
        self.assertIn("untrusted", self.ok(a, "show", "rex/cantine-previsions"))
        # trusting E explicitly brings it into the default views
        self.ok(a, "trust", self.k["e"])
        hits = self.js(a, "search", "gaspillage")
        self.assertEqual([(h["path"], h["trusted"]) for h in hits],
                         [("rex/cantine-previsions", True)])
        self.assertIn("rex/cantine-previsions", [r["path"] for r in self.js(a, "list")])

class TestCommands(Base):
    def test_usage_errors(self):
        a = self.node("a")
        own = self.key(a)
        other = "ab" * 32
        for cmd in ("trust", "untrust", "vouch", "unvouch"):
            err = self.fails(a, cmd, rc=2)
            self.assertIn("KEY is required", err)
            self.assertIn(f"maille {cmd} --help", err)
            for bad in ("xyz", "ab" * 31, "ab" * 33, "zz" * 32, ""):
                err = self.fails(a, cmd, bad, rc=2)
                self.assertIn("not a territory key", err)
            self.fails(a, cmd, other, other, rc=2)
            self.fails(a, cmd, other, "--bogus", rc=2)
            err = self.fails(a, cmd, own, rc=2)
            self.assertIn("own key", err)
            out = self.ok(a, cmd, "--help")
            self.assertTrue(out.startswith(f"usage: maille {cmd} KEY"), out)
            self.assertIn("Exit codes", out)
        self.fails(a, "territories", "extra", rc=2)
        self.assertIn("usage: maille territories", self.ok(a, "territories", "--help"))
        self.assertIn("territories", self.ok(a, "--help"))
        # a node that does not exist
        self.fails(os.path.join(self.tmp, "none"), "territories")
        self.fails(os.path.join(self.tmp, "none"), "trust", other)
        # state errors: exit 1
        self.fails(a, "untrust", other)
        self.fails(a, "unvouch", other)
        rc, out, err = self.m(a, "vouch", other)
        self.assertEqual(rc, 0, err)
        self.assertIn("no territory record", err)  # a warning: maybe a typo
        self.assertIn("vouches/" + other, out)
        err = self.fails(a, "vouch", other)
        self.assertIn("already vouches", err)
        # the unknown territory is listed, unnamed, after the named ones
        rows = self.js(a, "territories")
        self.assertEqual([(r["name"], r["reason"]) for r in rows],
                         [("Ville A", "own"), (None, "vouched by Ville A in 1 hop")])
        self.assertIn("  ?  (vouched by Ville A in 1 hop)", self.ok(a, "territories"))
        self.ok(a, "unvouch", other)
        # the vouchee had no entry: once the vouch is withdrawn it is not known any more
        self.assertEqual([r["name"] for r in self.js(a, "territories")], ["Ville A"])
        self.ok(a, "check")

    def test_trust_is_local_and_survives(self):
        a = self.node("a")
        other = "cd" * 32
        self.ok(a, "trust", other)
        rows = self.js(a, "territories")
        self.assertEqual(rows[1], {"key": other, "name": None, "trusted": True,
                                   "reason": "explicit", "hops": 1, "via": None})
        # not an entry: the live set has the territory record only
        self.assertEqual(self.js(a, "status")["count"], 1)

    def test_store_migration_from_version_3(self):
        """A store of version 3 (no trusted table) is migrated on open."""
        a = self.node("a")
        db = sqlite3.connect(os.path.join(a, "store.sqlite"))
        # migration 8 undone (its index is left: this connection has no maille_fr tokenizer
        # to drop it with, and migration 8 replaces it), then 7, 6, 5 and 4
        for sql in ("DROP TABLE links", "DROP TABLE hidden", "DROP TABLE vocab", "DROP INDEX entries_facets", "DROP TABLE versions",
                    "DROP TABLE quarantine", "DROP TABLE qview",
                    *(f"ALTER TABLE meta DROP COLUMN {c}" for c in (
                        "q_on", "q_entries", "q_bytes", "q_total_entries", "q_total_bytes",
                        "qn", "qbytes")),
                    "DROP INDEX entries_capref", "ALTER TABLE entries DROP COLUMN held",
                    "DROP TABLE authors", "DROP TABLE invites"):
            db.execute(sql)
        db.execute("DROP TABLE trusted")
        db.execute("PRAGMA user_version = 3")
        db.commit()
        db.close()
        other = "ef" * 32
        rc, out, err = self.m(a, "trust", other)
        self.assertEqual(rc, 0, err)
        # said once, by the command that migrated the store
        self.assertIn("upgraded from schema version 3", err)
        self.assertIn("search index was rebuilt", err)
        rc, out, err = self.m(a, "status")
        self.assertNotIn("upgraded", err)
        self.assertEqual(self.js(a, "territories")[1]["reason"], "explicit")
        db = sqlite3.connect(os.path.join(a, "store.sqlite"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 9)
        self.assertEqual(db.execute("SELECT hex(key) FROM trusted").fetchall(),
                         [(other.upper(),)])
        db.close()
        self.ok(a, "check")


class TestMembers(Base):
    """member add/remove and members (PROTOCOL.md §4.3): the capability entries."""

    def test_add_list_remove(self):
        t, m = self.node("t"), self.node("m")
        km = self.key(m)
        out = self.js(t, "member", "add", km, "--name", "Camille Martin", "--prefix", "rex/",
                      "--until", "2099-06-30")
        self.assertEqual(out["path"], "members/" + km)
        self.assertEqual((out["role"], out["prefix"], out["state"]), ("editor", "rex/", "active"))
        self.assertTrue(out["until"].startswith("2099-06-30T00:00:00"))
        rows = self.js(t, "members")
        self.assertEqual([(r["key"], r["name"], r["state"]) for r in rows],
                         [(km, "Camille Martin", "active")])
        self.assertIn("Camille Martin", self.ok(t, "members"))
        self.fails(t, "member", "add", km, "--name", "Autre nom")  # already a member
        out = self.js(t, "member", "remove", km)
        self.assertEqual(out["state"], "ended")
        self.assertEqual([r["state"] for r in self.js(t, "members")], ["ended"])
        self.fails(t, "member", "remove", km)  # not a member any more
        self.fails(t, "member", "add", km, "--name", "Camille")  # removed keys stay removed
        self.ok(t, "check")

    def test_usage(self):
        t, m = self.node("t"), self.node("m")
        km, kt = self.key(m), self.key(t)
        for args in (("member",), ("member", "add", km), ("member", "ajoute", km, "--name", "A"),
                     ("member", "add", "zz", "--name", "A"),
                     ("member", "add", kt, "--name", "A"),
                     ("member", "add", km, "--name", "A", "--role", "owner"),
                     ("member", "add", km, "--name", "A", "--prefix", "rex"),
                     ("member", "add", km, "--name", "A", "--prefix", "members/"),
                     ("member", "add", km, "--name", "A", "--until", "2020-01-01"),
                     ("member", "add", km, "--name", "A", "--until", "2099-02-30"),
                     ("member", "remove", km, "--name", "A"),
                     ("members", "en-trop")):
            self.fails(t, *args, rc=2)
        self.fails(t, "member", "remove", km)
        self.assertEqual(self.js(t, "members"), [])


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0], "-v"])
