#!/usr/bin/env python3
"""Multi-node sync tests (PROTOCOL.md §3): real `maille node` daemons and `maille sync`
processes on 127.0.0.1 with ephemeral ports, in temporary directories.

Usage: test_sync.py MAILLE_BINARY PROBE_BINARY MAILLE_BENCH_BINARY

Every multi-node test ends with assert_converged: the nodes' whole-set fingerprints
(`maille status --json`) are equal, and one more `maille sync` moves nothing. Waits have
deadlines and log how long they took; nothing sleeps blindly."""
import json
import os
import sys
import tempfile
import time
import unittest

import harness
import test_node as tn
from harness import log, run_program, wait_for
from test_node import Node

BENCH = None

# Daemons reconcile with a random peer every 2 s here (60 s in real use), so that a test of
# anti-entropy need not wait a minute.
SYNC_ENV = dict(tn.TEST_ENV, MAILLE_TEST_ANTI_ENTROPY_MS="2000")

RECORD = """---
type: rex
path: {path}
title: "{title}"
summary: Retour d'expérience sur {sujet}, rédigé pour les tests de synchronisation.
themes: [ia-democratie, transparence-algorithmes]
keywords: [synchronisation, {mot}]
status: production
about: [use_case/assistant-conversationnel]
declaration: referent_expert
period:
  start: 2025-01-06
context: Un service public local qui voulait mesurer les effets d'{sujet}.
objectives: Savoir s'il faut continuer, et à quelles conditions.
what_was_done: Une expérimentation d'un an avec une évaluation à mi-parcours.
difficulties: Des données incomplètes et des usages très variables d'un service à l'autre.
lessons_learned: Évaluer tôt, publier les résultats, associer les agents dès le départ.
---

## Contexte

Le service a expérimenté {sujet} pendant un an, avec une évaluation à mi-parcours.
"""


class SyncBase(tn.Probing, unittest.TestCase):
    """A fresh federation of n nodes per test (nodes[0] creates it, the others import it)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="maille-sync-")
        self.nodes = []
        self.fed_file = os.path.join(self.tmp, "federation.export")
        self.counter = 0

    def tearDown(self):
        harness.finish(self.nodes, self.tmp)

    def make_nodes(self, names):
        first = not self.nodes
        made = [Node(self.tmp, name) for name in names]
        if first:
            rc, _, err = made[0].m("federation", "new", "--name", "Réseau de synchronisation")
            self.assertEqual(rc, 0, err)
            rc, _, err = made[0].m("federation", "export", self.fed_file)
            self.assertEqual(rc, 0, err)
            rest = made[1:]
        else:
            rest = made
        for n in rest:
            rc, _, err = n.m("federation", "import", self.fed_file)
            self.assertEqual(rc, 0, err)
        self.nodes += made
        return made

    def publish(self, node, path, title=None, sujet="un assistant conversationnel",
                mot="essai", env=None):
        self.counter += 1
        title = title or f"Retour d'expérience numéro {self.counter}"
        f = os.path.join(self.tmp, f"record-{self.counter}.md")
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(RECORD.format(path=path, title=title, sujet=sujet, mot=mot))
        rc, _, err = node.m("publish", f, env=env)
        self.assertEqual(rc, 0, err)

    def gen(self, node, n, *extra):
        """n generated records signed and stored by maille-bench gen in node's directory."""
        rc, _, err = run_program([BENCH, "gen", "--dir", node.dir, "--n", str(n), *extra],
                                 timeout=300)
        self.assertEqual(rc, 0, err)

    def status(self, node):
        rc, out, err = node.m("status", "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def sync(self, frm, to, expect=0, env=None):
        # the daemons here drop a session silent for 1.5 s: the client PINGs as often as they
        e = {"MAILLE_TEST_PING_INTERVAL_MS": tn.TEST_ENV["MAILLE_TEST_PING_INTERVAL_MS"]}
        e.update(env or {})
        rc, out, err = frm.m("sync", to.addr, "--json", env=e, timeout=120)
        self.assertEqual(rc, expect, f"sync {frm.name} -> {to.name}: {err}\n{out}\n"
                         + to.read_log()[-3000:])
        return json.loads(out) if rc == 0 else err

    def shows(self, node, path):
        rc, out, _ = node.m("show", path, "--json")
        return json.loads(out) if rc == 0 else None

    def assert_converged(self, nodes, via=None):
        """Equal fingerprints on every node, and one more sync moves nothing."""
        sts = [self.status(n) for n in nodes]
        fps = {(s["fingerprint"], s["count"]) for s in sts}
        self.assertEqual(len(fps), 1, "fingerprints differ: " +
                         ", ".join(f"{n.name}={s['fingerprint'][:8]}/{s['count']}"
                                   for n, s in zip(nodes, sts)))
        a, b = via or (nodes[0], nodes[-1])
        res = self.sync(a, b)
        self.assertTrue(res["equal"], res)
        self.assertEqual((res["received"], res["sent"]), (0, 0), res)
        return sts[0]

    def wait_nodes(self, cond, nodes, timeout, what):
        """wait_for, and on a timeout each node's state and log tail for the diagnosis."""
        t0 = time.monotonic()
        try:
            wait_for(cond, timeout, what)
        except AssertionError:
            for n in nodes:
                st = self.status(n)
                log(f"--- {n.name}: {st['count']} entries, {st['fingerprint'][:8]}, "
                    f"{st['connected']} connected; peers {self.peers(n)['peers']}; "
                    "log tail:\n" + n.read_log()[-6000:])
            raise
        log(f"{what}: {time.monotonic() - t0:.2f} s")

    def wait_converged(self, nodes, timeout, what):
        def same():
            fps = {self.status(n)["fingerprint"] for n in nodes}
            return len(fps) == 1

        self.wait_nodes(same, nodes, timeout, what)

    def peers(self, node):
        rc, out, err = node.m("peers", "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def connected(self, node):
        return [p for p in self.peers(node)["peers"] if p["state"] == "connected"]


class TestOneShot(SyncBase):
    def test_two_nodes_converge_to_the_union(self):
        a, b = self.make_nodes(["Ville A", "Ville B"])
        for i in range(5):
            self.publish(a, f"rex/a-{i}")
            self.publish(b, f"rex/b-{i}")
        self.publish(a, "rex/commun", title="Version de A")
        a.start()
        res = self.sync(b, a)
        log(f"first sync: {res}")
        self.assertFalse(res["equal"])
        # B had 6 (5 + its territory record); A 7 (6 + territory) + its node entry
        self.assertEqual(res["sent"], 6)
        self.assertEqual(res["received"], 8)
        self.assertEqual(res["refused"], 0)
        st = self.assert_converged([a, b], via=(b, a))
        self.assertEqual(st["count"], 14)
        for i in range(5):
            self.assertIsNotNone(self.shows(a, f"rex/b-{i}"))
            self.assertIsNotNone(self.shows(b, f"rex/a-{i}"))
        a.stop()

    def test_edits_and_tombstones_in_any_order(self):
        """C holds old versions, B the new ones (edit, tombstone): whichever way they meet,
        both end with the newest, and the old ones never come back."""
        a, b, c = self.make_nodes(["Ville A", "Ville B", "Ville C"])
        self.publish(a, "rex/modifie", title="Première version")
        self.publish(a, "rex/supprime", title="Bientôt supprimé", mot="éphémère")
        a.start()
        self.sync(c, a)  # C: first version, the record to be deleted
        self.assertEqual(self.shows(c, "rex/modifie")["title"], "Première version")
        self.publish(a, "rex/modifie", title="Seconde version")
        rc, _, err = a.m("delete", "rex/supprime", "--yes")
        self.assertEqual(rc, 0, err)
        self.sync(b, a)  # B: second version, tombstone
        a.stop()
        b.start()
        res = self.sync(c, b)  # C offers the old versions, B the new ones
        log(f"C <-> B: {res}")
        # the edit, the tombstone, B's territory record and B's node entry; what C sends back
        # of its old versions B drops as superseded (or C no longer has them to send)
        self.assertEqual(res["received"], 4)
        for n in (b, c):
            self.assertEqual(self.shows(n, "rex/modifie")["title"], "Seconde version")
            self.assertIsNone(self.shows(n, "rex/supprime"))
            rc, out, _ = n.m("search", "éphémère", "--all", "--json")
            self.assertEqual(json.loads(out) if rc == 0 else [], [])
        self.assert_converged([b, c], via=(c, b))
        b.stop()
        # A restarts on a new port (a new version of its node entry) and meets C
        a.start()
        self.sync(c, a)
        self.assert_converged([a, c], via=(c, a))
        a.stop()

    def test_other_federation_fails_cleanly(self):
        a, = self.make_nodes(["Ville A"])
        tmp2 = tempfile.mkdtemp(prefix="maille-other-", dir=self.tmp)
        x = Node(tmp2, "Ailleurs X")
        self.nodes.append(x)
        rc, _, err = x.m("federation", "new", "--name", "Autre réseau")
        self.assertEqual(rc, 0, err)
        self.publish(x, "rex/hors-reseau")
        a.start()
        before = self.status(a)
        rc, out, err = x.m("sync", a.addr)
        self.assertEqual(rc, 1, out)
        self.assertIn(tn.NOT_MEMBER, err)
        self.assertEqual(self.status(a)["fingerprint"], before["fingerprint"])
        self.assertIsNone(self.shows(a, "rex/hors-reseau"))
        a.stop()

    def test_future_entry_refused_then_accepted(self):
        a, b = self.make_nodes(["Ville A", "Ville B"])
        # B's clock runs 15 minutes ahead when it publishes: 5 minutes past the tolerance
        self.publish(b, "rex/du-futur", title="Publié en avance", env={
            "MAILLE_TEST_CLOCK_SKEW_S": "900"})
        b.start()
        res = self.sync(a, b)
        log(f"sync with a future entry: {res}")
        self.assertEqual(res["refused"], 1)
        self.assertIsNone(self.shows(a, "rex/du-futur"))
        self.assertNotEqual(self.status(a)["fingerprint"], self.status(b)["fingerprint"])
        # 20 minutes later (injected clock), its time has come
        later = {"MAILLE_TEST_CLOCK_SKEW_S": "1200"}
        res = self.sync(a, b, env=later)
        self.assertEqual(res["refused"], 0)
        self.assertEqual(res["received"], 1)
        self.assertIsNotNone(self.shows(a, "rex/du-futur"))
        self.assert_converged([a, b], via=(a, b))
        b.stop()


class TestBulk(SyncBase):
    def test_bulk_sync_through_the_pipeline(self):
        """Thousands of entries through verification jobs and commits running at once: the
        pipeline's batches are linked while a commit runs (a race there once freed batches
        still being verified), every entry arrives, the sets end equal."""
        a, b = self.make_nodes(["Ville A", "Ville B"])
        n = 4000
        self.gen(a, n)
        # The idle timeout is not what this test is about: at the suite's 1.5 s, a sanitizer
        # build on a loaded 2-core machine (fuzzers running beside it) once starved the
        # receiving process's event loop long enough for A to close the session as idle
        # (no PING, no read for 1.65 s). 10 s here; 90 s in real use.
        a.start(env=dict(tn.TEST_ENV, MAILLE_TEST_IDLE_TIMEOUT_MS="10000"))
        t0 = time.monotonic()
        res = self.sync(b, a)
        dt = time.monotonic() - t0
        log(f"bulk sync of {res['received']} entries: {dt:.2f} s, {res['received'] / dt:.0f}/s")
        self.assertEqual(res["received"], n + 2)  # + A's territory and node entries
        self.assertEqual(res["indexed"], n + 2)  # all documents, indexed before the exit
        self.assertEqual(self.status(b)["unindexed"], 0)
        self.assertEqual(res["refused"], 0)
        self.assert_converged([a, b], via=(b, a))
        rc, out, err = b.m("check")
        self.assertEqual(rc, 0, out + err)
        a.stop()


class TestUpload(SyncBase):
    def test_one_shot_sync_gets_none_of_its_own_entries_back(self):
        """A one-shot sync that sends thousands of entries the daemon lacks: what it receives
        is the reconciliation and the MARK_ACKs, not its own entries pushed back by the
        daemon's live push (PROTOCOL.md §3.5). A's commits run while its tick reads the new
        rows back: a race there once pushed about a third of them back."""
        a, b = self.make_nodes(["Ville A", "Ville B"])
        n = 4000
        self.gen(b, n)
        # (the idle timeout as in the bulk test above: a loaded sanitizer run)
        a.start(env=dict(tn.TEST_ENV, MAILLE_TEST_IDLE_TIMEOUT_MS="10000"))
        res = self.sync(b, a)
        log(f"one-shot sync of {res['sent']} entries: {res['bytes_received']} bytes received, "
            f"{res['duplicates']} entries already held")
        self.assertEqual(res["sent"], n + 1)  # + B's territory record
        self.assertEqual(res["received"], 2)  # A's territory and node entries
        self.assertEqual(res["duplicates"], 0)
        # the handshake, the reconciliation, A's two entries, MARK_ACKs and PONGs: a few kB,
        # where a single entry of B's pushed back is 2 kB
        self.assertLess(res["bytes_received"], 16000, res)
        self.assert_converged([a, b], via=(b, a))
        a.stop()


class TestCommands(SyncBase):
    """The sync commands' errors and their output without a daemon."""

    def test_peer_status_usage(self):
        a, = self.make_nodes(["Ville A"])
        for args in (("sync",), ("sync", "nulle-part"), ("sync", "127.0.0.1:99999"),
                     ("peer", "add"), ("peer", "ajoute", "127.0.0.1:1"),
                     ("peer", "add", "exemple.fr:7470"), ("peers", "en-trop"),
                     ("status", "en-trop")):
            rc, _, err = a.m(*args)
            self.assertEqual(rc, 2, f"{args}: {err}")
            self.assertTrue(err.strip(), args)
        rc, out, err = a.m("peer", "add", "localhost:7471")
        self.assertEqual(rc, 0, err)
        self.assertIn("127.0.0.1:7471 added (the node is not running", out)
        rc, _, err = a.m("peer", "add", "127.0.0.1:7471")
        self.assertEqual(rc, 1)
        self.assertIn("already a configured peer", err)
        peers = self.peers(a)
        self.assertFalse(peers["daemon"])
        self.assertEqual([(p["address"], p["state"]) for p in peers["peers"]],
                         [("127.0.0.1:7471", "daemon not running")])
        rc, _, err = a.m("peer", "remove", "127.0.0.1:7472")
        self.assertEqual(rc, 1)
        self.assertIn("not a configured peer", err)
        rc, _, err = a.m("peer", "remove", "127.0.0.1:7471")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.peers(a)["peers"], [])
        st = self.status(a)
        self.assertFalse(st["daemon"]["running"])
        self.assertEqual(st["count"], 1)  # the territory record
        self.assertEqual(len(st["fingerprint"]), 32)
        self.assertEqual(st["federation"]["name"], "Réseau de synchronisation")
        # nothing listens there: a clear failure, exit 1
        rc, _, err = a.m("sync", "127.0.0.1:1", "--timeout", "5")
        self.assertEqual(rc, 1)
        self.assertIn("sync 127.0.0.1:1", err)


class TestHostile(SyncBase):
    def test_forged_entries_refused_and_disconnected(self):
        a, p = self.make_nodes(["Ville A", "Sonde P"])
        a.start()
        before = self.status(a)
        for kind in ("sig", "body", "garbage"):
            res = self.probe_forge(p, a, kind)
            self.assertEqual(res["bye"], 2, res)  # BYE protocol
            self.assertEqual(self.status(a)["fingerprint"], before["fingerprint"], kind)
        self.assertIn("SYNC-REFUSE", a.read_log())
        # the control: a valid entry from the same key is kept, the session too
        res = self.probe_forge(p, a, "valid")
        self.assertEqual(self.status(a)["count"], before["count"] + 1)
        rc, _, err = a.m("show", res["id"][:16])
        self.assertEqual(rc, 0, err)
        self.assertTrue(a.alive())
        a.stop()

    def test_redeem_once_per_session(self):
        """An unknown invitation secret is answered and logged; a second REDEEM on the same
        session is a protocol error (each costs the inviter a store transaction)."""
        a, p = self.make_nodes(["Ville A", "Sonde P"])
        a.start()
        self.assertEqual(self.probe("redeem", p, a)["bye"], 2)
        log_a = a.read_log()
        self.assertIn("invitation refused: unknown invitation", log_a)
        self.assertIn("a second REDEEM on one session", log_a)
        self.assertTrue(a.alive())
        a.stop()

    def probe_forge(self, node, to, kind):
        return self.probe("forge", node, to, "--kind", kind)


class TestBothWays(SyncBase):
    def test_daemons_send_bulk_to_each_other(self):
        """Four daemons that each hold thousands of entries the others lack join a hub at the
        same moment, and every entry crosses without a session cut by the idle timeout (60 s
        here, deadline 45 s). `maille-bench federation` once saw a sender's own bulk writes
        stop its reading (backpressure) while the hub, its pipeline full, was not reading it
        either: both waited for each other until the idle timeout (2 runs in 5). This test
        did not reproduce that race on demand; it guards the exchange itself."""
        nodes = self.make_nodes([f"Ville {c}" for c in "HABC"])
        n = 3000
        for i, node in enumerate(nodes):
            self.gen(node, n, "--seed", str(i + 1))
        env = dict(tn.TEST_ENV, MAILLE_TEST_HS_TIMEOUT_MS="10000",
                   MAILLE_TEST_IDLE_TIMEOUT_MS="60000", MAILLE_TEST_PING_INTERVAL_MS="20000")
        for node in nodes:
            node.start(env=env)
        t0 = time.monotonic()
        for node in nodes[1:]:
            rc, _, err = node.m("peer", "add", nodes[0].addr)
            self.assertEqual(rc, 0, err)
        total = 4 * n
        self.wait_nodes(lambda: all(self.status(x)["count"] >= total for x in nodes), nodes,
                        45, f"{total} entries on every node")
        log(f"hub and three nodes, {n} entries each: {time.monotonic() - t0:.1f} s")
        self.wait_converged(nodes, 30, "equal fingerprints")
        for x in nodes:
            # the idle timeout's line: a session where nothing moved for 60 s
            self.assertNotIn("no message for", x.read_log())
        for x in nodes:
            x.stop()


class TestDaemons(SyncBase):
    def start_all(self, nodes):
        for n in nodes:
            n.start(env=SYNC_ENV)

    def test_line_of_five(self):
        nodes = self.make_nodes([f"Ville L{i}" for i in range(5)])
        self.start_all(nodes)
        # each node knows only the next one: the line 0 - 1 - 2 - 3 - 4, added while the
        # daemons run
        for i in range(4):
            rc, out, err = nodes[i].m("peer", "add", nodes[i + 1].addr)
            self.assertEqual(rc, 0, err)
            self.assertIn("the node dials it now", out)
        self.wait_nodes(lambda: all(self.connected(nodes[i]) for i in range(4)), nodes, 10,
                        "the line's connections (peer add takes effect < 2 s)")
        self.wait_converged(nodes, 30, "initial convergence of the line")
        t0 = time.monotonic()
        self.publish(nodes[0], "rex/bout-de-ligne", title="Publié à un bout de la ligne")
        wait_for(lambda: self.shows(nodes[4], "rex/bout-de-ligne"), 30,
                 "the entry at the other end of the line")
        log(f"publish at node 0 -> stored at node 4: {time.monotonic() - t0:.3f} s "
            "(polling through `maille show`, so an upper bound)")
        self.wait_converged(nodes, 30, "convergence after the publish")
        self.assert_converged(nodes)
        peers = self.peers(nodes[0])
        self.assertTrue(peers["daemon"])
        first = [p for p in peers["peers"] if p["address"] == nodes[1].addr][0]
        self.assertEqual(first["key"], nodes[1].key)
        self.assertGreaterEqual(first["sent"], 1)
        self.assertIsNotNone(first["last_sync_us"])
        st = self.status(nodes[0])
        self.assertTrue(st["daemon"]["running"])
        self.assertGreaterEqual(st["connected"], 1)
        # peer remove takes effect on the running daemon too
        rc, _, err = nodes[0].m("peer", "remove", nodes[1].addr)
        self.assertEqual(rc, 0, err)
        wait_for(lambda: not [p for p in self.peers(nodes[0])["peers"]
                              if p["address"] == nodes[1].addr and p["configured"]], 2,
                 "the removed peer no longer configured")
        for n in nodes:
            n.stop()

    def test_catch_up_and_deletion(self):
        a, b, c = self.make_nodes(["Ville A", "Ville B", "Ville C"])
        self.start_all([a, b, c])
        for n, m in ((b, a), (c, a)):
            rc, _, err = n.m("peer", "add", m.addr)
            self.assertEqual(rc, 0, err)
        self.wait_converged([a, b, c], 30, "initial convergence")
        c.stop()
        self.publish(a, "rex/pendant-absence", title="Publié pendant l'absence de C",
                     mot="rattrapage")
        self.publish(b, "rex/aussi-absence", title="Publié aussi pendant l'absence")
        self.wait_converged([a, b], 30, "A and B while C is down")
        c.start(env=SYNC_ENV)
        self.wait_converged([a, b, c], 30, "C caught up after its restart")
        self.assertIsNotNone(self.shows(c, "rex/pendant-absence"))

        def found():
            rc, out, _ = c.m("search", "rattrapage", "--all", "--json")
            return rc == 0 and len(json.loads(out)) == 1

        # the daemon stores first and indexes for search when no entry waits (a bounded lag)
        self.wait_nodes(found, [c], 10, "the caught-up record found by search on C")
        # a deletion reaches every node, and the text is gone from every search
        rc, _, err = a.m("delete", "rex/pendant-absence", "--yes")
        self.assertEqual(rc, 0, err)
        t0 = time.monotonic()
        wait_for(lambda: all(self.shows(n, "rex/pendant-absence") is None for n in (b, c)), 30,
                 "the deletion on every node")
        log(f"deletion propagated in {time.monotonic() - t0:.3f} s")
        for n in (a, b, c):
            rc, out, _ = n.m("search", "rattrapage", "--all", "--json")
            self.assertEqual(json.loads(out) if rc == 0 else [], [], n.name)
        self.wait_converged([a, b, c], 30, "convergence after the deletion")
        self.assert_converged([a, b, c])
        for n in (a, b, c):
            n.stop()

    def test_future_entry_pushed_does_not_penalise(self):
        a, b = self.make_nodes(["Ville A", "Ville B"])
        self.start_all([a, b])
        rc, _, err = b.m("peer", "add", a.addr)
        self.assertEqual(rc, 0, err)
        self.wait_converged([a, b], 30, "initial convergence")
        self.publish(b, "rex/en-avance", env={"MAILLE_TEST_CLOCK_SKEW_S": "900"})
        wait_for(lambda: "not stored: timestamp" in a.read_log(), 10,
                 "A refusing the pushed future entry")
        time.sleep(0.5)  # the session must survive: no BYE protocol after the refusal
        self.assertEqual(len(self.connected(b)), 1, b.read_log()[-2000:])
        self.assertNotIn("invalid entry", a.read_log())
        self.assertIsNone(self.shows(a, "rex/en-avance"))
        for n in (a, b):
            n.stop()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: test_sync.py MAILLE_BINARY PROBE_BINARY MAILLE_BENCH_BINARY")
    harness.MAILLE, tn.PROBE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    BENCH = os.path.abspath(sys.argv[3])
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[4:])
