#!/usr/bin/env python3
"""Multi-node tests of the daemon: real `maille node` processes on 127.0.0.1 (port 0) in
temporary directories, `maille ping`, and a probe that speaks the channel directly for the
hostile cases of PROTOCOL.md §2.

Usage: test_node.py MAILLE_BINARY PROBE_BINARY

Nodes A and B share a federation (A creates it, B imports A's export); C is an outsider with a
federation of its own. Every wait has a deadline; nothing sleeps blindly. Every daemon a test
starts must exit 0 on SIGTERM (under sanitizers a leak turns the exit code non-zero)."""
import json
import os
import signal
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import check_sanitizers, env_with, log, run, wait_for

PROBE = None

# The daemons under test time out handshakes after 1.5 s (instead of 10 s) and idle sessions
# after 1.5 s with PING every 0.4 s (instead of 90 s and 30 s), so that the suite stays fast.
TEST_ENV = {
    "MAILLE_TEST_HS_TIMEOUT_MS": "1500",
    "MAILLE_TEST_IDLE_TIMEOUT_MS": "1500",
    "MAILLE_TEST_PING_INTERVAL_MS": "400",
}
HS_TIMEOUT_S = 1.5
NOT_MEMBER = "not a member of this federation (or not a Maille node)"
BUSY = "nœud occupé : il a atteint sa limite de sessions, réessayez plus tard (the node is busy"


# The test settings are the suite's own: none comes from the caller's environment.
harness.CLEAR_ENV = ("MAILLE_HOME", *TEST_ENV)


def finish(proc, timeout=60):
    """Closes the probe's standard input (its signal to stop holding), then collects it."""
    if proc.stdin and not proc.stdin.closed:
        proc.stdin.close()
    proc.stdin = None
    out, err = proc.communicate(timeout=timeout)
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


class Node:
    """A node directory, and its daemon when started."""

    def __init__(self, root, name):
        self.dir = os.path.join(root, name.split()[-1].lower())
        self.name = name
        self.daemon = None
        self.addr = None
        rc, _, err = run("--dir", self.dir, "init", "--name", name, "--siren", "200046977",
                         "--kind", "commune")
        assert rc == 0, err
        rc, out, err = run("--dir", self.dir, "whoami", "--json")
        assert rc == 0, err
        self.key = json.loads(out)["key"]

    def m(self, *args, timeout=60, env=None):
        return run("--dir", self.dir, *args, timeout=timeout, env=env)

    def start(self, *extra, env=TEST_ENV):
        self.daemon = harness.Daemon(self.dir, ("--log-level", "debug", *extra), env=env,
                                     name=self.name)
        self.addr = self.daemon.addr
        assert self.addr.startswith("127.0.0.1:"), self.addr
        return self.addr

    def stop(self, timeout=20, sig=signal.SIGTERM):
        """SIGTERM (or sig); the daemon must exit 0 and remove node.addr."""
        if self.daemon:
            self.daemon.stop(timeout, sig)

    def kill(self):
        if self.daemon:
            self.daemon.kill()

    def read_log(self):
        return harness.read_text(self.dir + ".log")

    def alive(self):
        return self.daemon is not None and self.daemon.alive()


class Probing:
    """Running the probe from a test case (tests/node/probe.c)."""

    def probe(self, mode, node, to, *args, timeout=60, expect=0):
        """The probe run to its end; its last JSON line."""
        rc, out, err = harness.run_program([PROBE, mode, "--dir", node.dir, "--addr", to.addr,
                                            *args], timeout=timeout)
        self.assertEqual(rc, expect,
                         f"probe {mode} {' '.join(args)}: {err}\n{out}\n" + to.read_log()[-3000:])
        lines = [json.loads(l) for l in out.splitlines() if l.strip()]
        return lines[-1] if lines else None

    def spawn(self, mode, node, to, *args, stdin=None):
        """The probe in the background, once its first line says it is ready: the process and
        that line (JSON). With stdin=subprocess.PIPE it holds until finish() closes it."""
        p = subprocess.Popen([PROBE, mode, "--dir", node.dir, "--addr", to.addr, *args],
                             stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env_with())
        line = p.stdout.readline().decode()
        if '"ready":true' not in line:
            p.kill()
            _, err = p.communicate()
            self.fail(f"probe {mode}: {line}{err.decode()}")
        return p, json.loads(line)


class Base(Probing, unittest.TestCase):
    tmp = None
    nodes = []

    @classmethod
    def make_federation(cls):
        cls.tmp = tempfile.mkdtemp(prefix="maille-node-")
        cls.a = Node(cls.tmp, "Ville A")
        cls.b = Node(cls.tmp, "Ville B")
        cls.c = Node(cls.tmp, "Outsider C")
        cls.nodes = [cls.a, cls.b, cls.c]
        rc, _, err = cls.a.m("federation", "new", "--name", "Réseau de test")
        assert rc == 0, err
        cls.fed_file = os.path.join(cls.tmp, "federation.export")
        rc, _, err = cls.a.m("federation", "export", cls.fed_file)
        assert rc == 0, err
        rc, _, err = cls.b.m("federation", "import", cls.fed_file)
        assert rc == 0, err
        rc, _, err = cls.c.m("federation", "new", "--name", "Autre réseau")
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        """Every daemon still running must stop with exit 0; then none is left."""
        harness.finish(cls.nodes, cls.tmp)

    def ping(self, frm, to_addr, *extra, timeout=60):
        return frm.m("ping", to_addr, "--json", *extra, timeout=timeout)

    def ping_ok(self, frm, to, what=""):
        rc, out, err = self.ping(frm, to.addr)
        self.assertEqual(rc, 0, f"ping {frm.name} -> {to.name} after {what} failed: {err}\n"
                         + to.read_log()[-3000:])
        res = json.loads(out)
        self.assertEqual(res["peer_key"], to.key)
        self.assertTrue(to.alive(), f"{to.name} died after {what}")
        return res


class TestFederation(Base):
    """A, B and C run for the whole class; every hostile case ends with a normal ping."""

    @classmethod
    def setUpClass(cls):
        cls.make_federation()
        for n in cls.nodes:
            n.start()

    def test_00_ping_both_ways(self):
        ab = self.ping_ok(self.a, self.b)
        ba = self.ping_ok(self.b, self.a)
        self.assertEqual(ab["name"], "Ville B")
        self.assertEqual(ba["name"], "Ville A")
        for r, to in ((ab, self.b), (ba, self.a)):
            self.assertEqual(r["protocol_version"], 1)
            self.assertTrue(r["software"].startswith("maille "), r["software"])
            self.assertEqual(r["addrs"], [to.addr])
            self.assertEqual(r["address"], to.addr)
            for k in ("connect_ms", "handshake_ms", "rtt_ms"):
                self.assertGreater(r[k], 0)
        # the human form
        rc, out, err = self.a.m("ping", self.b.addr)
        self.assertEqual(rc, 0, err)
        self.assertIn("Ville B", out)
        self.assertIn(self.b.key, out)
        self.assertIn("handshake:", out)
        # logged by both daemons, with the peer's fingerprint
        wait_for(lambda: f"CONN-HS-OK" in self.b.read_log(), 10, "CONN-HS-OK in B's log")
        self.assertIn(self.a.key[:8], self.b.read_log())

    def test_01_latency(self):
        hs, rtt = [], []
        for _ in range(15):
            r = self.ping_ok(self.b, self.a, "latency")
            hs.append(r["handshake_ms"])
            rtt.append(r["rtt_ms"])
        log(f"\n[latency] maille ping B -> A on 127.0.0.1, 15 runs: handshake median "
            f"{statistics.median(hs):.2f} ms (min {min(hs):.2f}, max {max(hs):.2f}); "
            f"PING round trip median {statistics.median(rtt):.2f} ms")

    def test_02_federation_show(self):
        shows = [json.loads(n.m("federation", "show", "--json")[1]) for n in self.nodes]
        self.assertEqual(shows[0]["fingerprint"], shows[1]["fingerprint"])
        self.assertNotEqual(shows[0]["fingerprint"], shows[2]["fingerprint"])
        self.assertRegex(shows[0]["fingerprint"], r"^[0-9a-f]{8}$")
        self.assertEqual(shows[1]["name"], "Réseau de test")
        with open(os.path.join(self.a.dir, "federation")) as f:
            key = [l.split("=")[1].strip() for l in f if l.startswith("key")][0]
        self.assertEqual(len(key), 64)
        for n in self.nodes:
            mode = stat.S_IMODE(os.stat(os.path.join(n.dir, "federation")).st_mode)
            self.assertEqual(mode, 0o600)
            _, out, err = n.m("federation", "show")
            self.assertNotIn(key, out + err)
            self.assertNotIn(key, n.read_log())
        self.assertEqual(stat.S_IMODE(os.stat(self.fed_file).st_mode), 0o600)

    def test_03_outsider(self):
        # the outsider's ping, both ways
        for frm, to in ((self.c, self.a), (self.a, self.c)):
            rc, out, err = self.ping(frm, to.addr)
            self.assertEqual(rc, 1, err)
            self.assertIn(NOT_MEMBER, err)
            self.assertEqual(out, "")
        wait_for(lambda: "CONN-HS-FAIL" in self.a.read_log(), 10, "CONN-HS-FAIL in A's log")
        # the responder sent zero bytes to a well-formed message 1 of another federation
        r = self.probe("msg1", self.c, self.a)
        self.assertEqual(r["bytes_back"], 0)
        self.ping_ok(self.b, self.a, "an outsider")

    def test_04_replay(self):
        f = os.path.join(self.tmp, "msg1.bin")
        r = self.probe("capture", self.b, self.a, "--file", f)
        self.assertGreater(r["msg1_len"], 48)
        r = self.probe("send-file", self.b, self.a, "--file", f)
        self.assertEqual(r["bytes_back"], 0)
        wait_for(lambda: "replayed" in self.a.read_log(), 10, "CONN-REPLAY in A's log")
        self.ping_ok(self.b, self.a, "a replayed message 1")

    def test_05_stale_and_future_message1(self):
        for age in ("180", "-180"):
            r = self.probe("msg1", self.b, self.a, "--age", age)
            self.assertEqual(r["bytes_back"], 0)
        self.assertIn("CONN-REPLAY", self.a.read_log())
        self.ping_ok(self.b, self.a, "stale messages 1")

    def test_06_hostile_message1(self):
        for kind in ("random", "random-raw", "max-len", "oversized", "prefix-65535",
                     "prefix-zero", "truncated", "flipped"):
            with self.subTest(kind=kind):
                r = self.probe("garbage1", self.b, self.a, "--kind", kind)
                self.assertEqual(r["bytes_back"], 0)
                self.ping_ok(self.b, self.a, f"message 1 {kind}")

    def test_07_hostile_message3(self):
        for kind in ("random", "oversized", "prefix-65535", "truncated", "flipped"):
            with self.subTest(kind=kind):
                r = self.probe("garbage3", self.b, self.a, "--kind", kind)
                self.assertEqual(r["bytes_back"], 0)
                self.ping_ok(self.b, self.a, f"message 3 {kind}")

    def test_08_flipped_transport_bit(self):
        r = self.probe("flipbit", self.b, self.a)
        self.assertIn(r["closed"], ("eof", "reset"))
        wait_for(lambda: "does not authenticate" in self.a.read_log(), 10, "CONN-PROTO")
        self.ping_ok(self.b, self.a, "a flipped bit")

    def test_09_session_message_over_1mib(self):
        r = self.probe("bigmsg", self.b, self.a)
        self.assertIn(r["closed"], ("eof", "reset"))
        wait_for(lambda: "over the size limit" in self.a.read_log(), 10, "CONN-PROTO")
        self.ping_ok(self.b, self.a, "a session message over 1 MiB")

    def test_10_silent_client(self):
        r = self.probe("silent", self.b, self.a, "--timeout-ms", "20000")
        self.assertEqual(r["bytes_back"], 0)
        self.assertGreaterEqual(r["ms"], HS_TIMEOUT_S * 1000 - 50)
        self.assertLess(r["ms"], 15000)
        r = self.probe("garbage1", self.b, self.a, "--kind", "truncated-open",
                       "--timeout-ms", "20000")
        self.assertGreaterEqual(r["ms"], HS_TIMEOUT_S * 1000 - 50)
        self.assertIn("CONN-TIMEOUT", self.a.read_log())
        self.ping_ok(self.b, self.a, "silent clients")

    def test_11_idle_session(self):
        r = self.probe("idle", self.b, self.a, "--timeout-ms", "20000")
        self.assertGreaterEqual(r["pings"], 1)
        self.assertEqual(r["bye"], 1)  # PROTO_BYE_IDLE
        self.ping_ok(self.b, self.a, "an idle session")

    def test_12_flood_200(self):
        p, _ = self.spawn("flood", self.b, self.a, "--n", "200", stdin=subprocess.PIPE)
        try:
            # a member on the same host gets through while 200 connections are held open
            t0 = time.monotonic()
            self.ping_ok(self.b, self.a, "200 half-open connections (held)")
            log(f"\n[flood] ping during a 200-connection flood: "
                f"{(time.monotonic() - t0) * 1000:.0f} ms for the whole command")
        finally:
            out, err = finish(p)
            rc = p.returncode
        self.assertEqual(rc, 0, err)
        check_sanitizers("probe flood", err)
        summary = json.loads(out.strip().splitlines()[-1])
        log(f"[flood] {summary}")
        self.assertEqual(summary["opened"], 200)
        self.assertIn("CONN-LIMIT", self.a.read_log())
        self.ping_ok(self.b, self.a, "200 connections at once")

    def test_13_backpressure(self):
        r = self.probe("noread", self.b, self.a, "--n", "24", "--timeout-ms", "30000")
        log(f"\n[backpressure] {r}")
        self.assertGreater(r["sent_bytes"], 0)
        # the node stopped reading the peer that never reads its PONGs
        self.assertIn("reading paused", self.a.read_log())
        self.ping_ok(self.b, self.a, "a peer that does not read")

    def entry_id(self, node, path):
        rc, out, err = node.m("show", path, "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)["id"]

    def test_13a_want_repeating_one_id(self):
        """A WANT of 1024 ids that are all one entry's (PROTOCOL.md §3.5: ids are distinct)
        is answered with one copy, not 1024: the amplification of a 32 KiB message into
        1024 entries."""
        tid = self.entry_id(self.a, "territory")
        r = self.probe("want", self.b, self.a, "--kind", "repeat", "--id", tid)
        log(f"\n[want] {r}")
        self.assertEqual(r["copies"], 1)
        self.assertEqual(r["bye"], -1)
        self.ping_ok(self.b, self.a, "a WANT repeating one id")

    def test_13b_want_again_what_was_sent(self):
        """The same WANT again once it was answered: the entry is not sent a second time in
        the same round."""
        tid = self.entry_id(self.a, "territory")
        r = self.probe("want", self.b, self.a, "--kind", "again", "--id", tid)
        self.assertEqual((r["after_first"], r["copies"]), (1, 1))
        self.assertEqual(r["bye"], -1)
        self.ping_ok(self.b, self.a, "a WANT asking again")

    def test_13c_capref_not_naming_the_signer(self):
        """A member's entry, well signed, whose capability reference names another key (or
        none): no node can ever accept it (PROTOCOL.md §4.4), so the peer that sends it gets
        BYE protocol (§3.5) rather than a session in which to send more."""
        rc, out, err = self.a.m("status", "--json")
        self.assertEqual(rc, 0, err)
        before = json.loads(out)["count"]
        for kind in ("capref-other", "capref-nil"):
            with self.subTest(kind=kind):
                r = self.probe("forge", self.b, self.a, "--kind", kind)
                self.assertEqual(r["bye"], 2, r)
                rc, _, _ = self.a.m("show", r["id"][:16])
                self.assertEqual(rc, 1, f"{kind}: the entry was stored")
        rc, out, err = self.a.m("status", "--json")
        self.assertEqual(json.loads(out)["count"], before)
        self.assertIn("capability reference", self.a.read_log())
        self.ping_ok(self.b, self.a, "entries whose capability reference is not the signer's")

    def test_13d_push_skips_the_node_it_came_from(self):
        """The live push (PROTOCOL.md §3.5) sends an entry to every session but the node it
        came from: none of the probe's two sessions (one key, as a daemon and a `maille sync`
        of one node) gets back the 200 entries sent on the first."""
        r = self.probe("push-back", self.b, self.a, "--n", "200")
        self.assertEqual((r["back_same_session"], r["back_other_session"]), (0, 0), r)
        self.ping_ok(self.b, self.a, "a push from a node with two sessions")

    def test_14_json_logs_and_ids(self):
        text = self.a.read_log()
        for ident in ("NODE-START", "NODE-LISTEN", "CONN-ACCEPT", "CONN-HS-OK", "CONN-HS-FAIL",
                      "CONN-BYE"):
            self.assertIn(ident, text)
        self.assertIn(f"listening on {self.a.addr}", text)


class TestDialer(Base):
    """`maille ping` against hostile responders and unreachable addresses."""

    @classmethod
    def setUpClass(cls):
        cls.make_federation()

    def fake(self, kind, *ping_args, cmd="ping", member=None):
        """`maille CMD` against a fake responder; member: the node whose key and federation
        the responder uses (it completes the handshake), else it knows none."""
        port_file = os.path.join(self.tmp, f"fake-{kind}-{cmd}.addr")
        srv = subprocess.Popen([PROBE, "fake-server", "--kind", kind, "--file", port_file,
                                "--timeout-ms", "15000",
                                *(("--dir", member.dir) if member else ())],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_with())
        try:
            def addr():
                if srv.poll() is not None:
                    raise AssertionError(srv.stderr.read().decode())
                try:
                    with open(port_file) as f:
                        return f.read().strip()
                except FileNotFoundError:
                    return None
            target = wait_for(addr, 30, "the fake server's port")
            t0 = time.monotonic()
            if cmd == "ping":
                rc, out, err = self.ping(self.a, target, *ping_args)
            else:
                rc, out, err = self.a.m(cmd, target, *ping_args)
            elapsed = time.monotonic() - t0
        finally:
            srv_out, srv_err = srv.communicate(timeout=60)
        self.assertEqual(srv.returncode, 0, srv_err.decode())
        check_sanitizers("probe fake-server", srv_err.decode())
        self.assertEqual(rc, 1, f"{kind}: {out} {err}")
        self.assertEqual(out, "")
        return err, elapsed

    def test_silent_responder_is_not_a_member(self):
        err, _ = self.fake("silent")
        self.assertIn(NOT_MEMBER, err)

    def test_garbage_message2(self):
        err, _ = self.fake("garbage")
        self.assertIn("handshake failed", err)

    def test_oversized_message2(self):
        err, _ = self.fake("prefix-65535")
        self.assertIn("does not speak the Maille handshake", err)

    def test_hanging_responder_times_out(self):
        err, elapsed = self.fake("hang", "--timeout", "1")
        self.assertIn("no answer within 1.0 s", err)
        self.assertLess(elapsed, 30)

    def test_peer_closes_after_the_handshake(self):
        """A member that dies once the session is open: its own message, neither "not a
        member" nor, for a sync, "before PONG"."""
        err, _ = self.fake("hs-close", member=self.b)
        self.assertIn("le nœud a fermé la connexion sans répondre au PING", err)
        err, _ = self.fake("hs-close", cmd="sync", member=self.b)
        self.assertIn("le nœud a fermé la connexion pendant la synchronisation", err)
        self.assertIn("the peer closed the connection during the sync", err)
        self.assertNotIn("PONG", err)
        self.assertNotIn(NOT_MEMBER, err)

    def test_peer_silent_after_the_handshake(self):
        err, _ = self.fake("hs-hang", "--timeout", "1", cmd="sync", member=self.b)
        self.assertIn("délai dépassé : le nœud n'a rien envoyé depuis", err)
        self.assertNotIn(NOT_MEMBER, err)

    def test_connection_refused(self):
        # a port nobody listens on: bind one, note it, close it
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        rc, _, err = self.ping(self.a, f"127.0.0.1:{port}")
        self.assertEqual(rc, 1)
        self.assertIn("connection refused", err)

    def test_usage(self):
        for args in ((), ("nothing",), ("127.0.0.1",), ("127.0.0.1:99999",), ("::1:80",),
                     ("example.org:7470",), ("127.0.0.1:1", "--timeout", "0"),
                     ("127.0.0.1:1", "--timeout", "x")):
            rc, _, err = self.a.m("ping", *args)
            self.assertEqual(rc, 2, f"ping {args}: {err}")
        rc, out, _ = self.a.m("ping", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("not a member of this federation (or not a Maille node)",
                      " ".join(out.split()))
        rc, _, _ = self.a.m("node", "--listen", "nowhere")
        self.assertEqual(rc, 2)
        rc, _, _ = self.a.m("node", "--log-format", "xml")
        self.assertEqual(rc, 2)
        rc, _, _ = self.a.m("federation", "frobnicate")
        self.assertEqual(rc, 2)
        rc, _, _ = self.a.m("federation", "new")
        self.assertEqual(rc, 2)


class Listener:
    """A plain TCP socket on 127.0.0.1 that counts the connections made to it, accepting and
    closing each at once (to a dialer, a responder that is not a Maille node)."""

    def __init__(self):
        import socket
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.addr = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.count = 0
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        import socket
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.count += 1
            conn.close()

    def close(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()


class TestDiscovery(Base):
    """PROTOCOL.md §3.6: a node dials the addresses of the node entries of trusted territories
    only, and gives up on a discovered address after a bounded number of failed dials. T is
    trusted by A, U is not; both are members of the federation."""

    @classmethod
    def setUpClass(cls):
        cls.make_federation()
        cls.t = Node(cls.tmp, "Ville T")
        cls.u = Node(cls.tmp, "Ville U")
        cls.nodes += [cls.t, cls.u]
        for n in (cls.t, cls.u):
            rc, _, err = n.m("federation", "import", cls.fed_file)
            assert rc == 0, err
        rc, _, err = cls.a.m("trust", cls.t.key)
        assert rc == 0, err
        # redials after 20 ms, 40 ms, ... (1 s, 2 s, ... in real use)
        cls.a.start(env=dict(TEST_ENV, MAILLE_TEST_BACKOFF_MS="20"))

    def test_untrusted_node_entry_never_dialed(self):
        untrusted = [Listener(), Listener()]
        trusted = Listener()
        try:
            # the untrusted territory's entry first: had it been learnt, its addresses would
            # be dialed no later than the trusted one's
            r = self.probe("node-entry", self.u, self.a, "--addrs",
                           ",".join(l.addr for l in untrusted))
            self.assertTrue(r["stored"], r)
            r = self.probe("node-entry", self.t, self.a, "--addrs", trusted.addr)
            self.assertTrue(r["stored"], r)
            wait_for(lambda: trusted.count >= 1, 20, "A dialing the trusted territory's address")
            self.assertEqual([l.count for l in untrusted], [0, 0])
            text = self.a.read_log()
            self.assertIn(f"learnt {trusted.addr}", text)
            for l in untrusted:
                self.assertNotIn(l.addr, text)
            # the trusted address never answers as a Maille node: A gives up after a bounded
            # number of dials in a row (PEER_DISCOVERED_DIALS_MAX)
            wait_for(lambda: f"PEER-GIVEUP {trusted.addr}" in self.a.read_log(), 30,
                     "A giving up on the address")
            self.assertEqual(trusted.count, 8)
            self.assertEqual([l.count for l in untrusted], [0, 0])
        finally:
            for l in untrusted + [trusted]:
                l.close()
        self.ping_ok(self.b, self.a, "node entries")


class TestFederationFiles(Base):
    """federation new/show/export/import refusals, and the daemon without a federation."""

    @classmethod
    def setUpClass(cls):
        cls.make_federation()

    def test_no_federation(self):
        d = Node(self.tmp, "Sans Fédération")
        self.nodes.append(d)
        rc, _, err = d.m("federation", "show")
        self.assertEqual(rc, 1)
        self.assertIn("has no federation", err)
        rc, _, err = d.m("node", "--listen", "127.0.0.1:0")
        self.assertEqual(rc, 1)
        self.assertIn("has no federation", err)
        rc, _, err = d.m("ping", "127.0.0.1:1")
        self.assertEqual(rc, 1)
        self.assertIn("has no federation", err)
        rc, _, err = d.m("federation", "export", os.path.join(self.tmp, "x"))
        self.assertEqual(rc, 1)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x")))

    def test_refusals(self):
        before = self.a.m("federation", "show", "--json")[1]
        rc, _, err = self.a.m("federation", "new", "--name", "Encore")
        self.assertEqual(rc, 1)
        self.assertIn("refusing", err)
        rc, _, err = self.a.m("federation", "import", self.fed_file)
        self.assertEqual(rc, 1)
        self.assertEqual(self.a.m("federation", "show", "--json")[1], before)
        rc, _, err = self.a.m("federation", "export", self.fed_file)
        self.assertEqual(rc, 1)
        self.assertIn("refusing to overwrite", err)

    def test_import_validates(self):
        d = Node(self.tmp, "Ville Import")
        self.nodes.append(d)
        bad = {
            "no-key": "name = X\n",
            "short-key": "name = X\nkey = abcd\n",
            "no-name": "key = " + "ab" * 32 + "\n",
            "junk": "\x00\x01\x02",
            "not-kv": "hello\n",
        }
        for what, text in bad.items():
            p = os.path.join(self.tmp, "bad-" + what)
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, 0o600)
            rc, _, err = d.m("federation", "import", p)
            self.assertEqual(rc, 1, what)
            self.assertIn("not a federation file", err, what)
        self.assertFalse(os.path.exists(os.path.join(d.dir, "federation")))
        rc, _, err = d.m("federation", "import", os.path.join(self.tmp, "missing"))
        self.assertEqual(rc, 1)
        rc, out, err = d.m("federation", "import", self.fed_file, "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["fingerprint"],
                         json.loads(self.a.m("federation", "show", "--json")[1])["fingerprint"])


class TestLimits(Base):
    """The session caps of node.h: NODE_SESSIONS_PER_ADDR_MAX (64) authenticated sessions from
    one address, then BYE busy; sessions are never evicted by a flood of newcomers."""
    PER_ADDR = 64

    @classmethod
    def setUpClass(cls):
        cls.make_federation()
        cls.a.start(env={})  # the real timeouts: held sessions must not go idle

    def test_sessions_cap_and_flood(self):
        n = self.PER_ADDR + 6
        held, ready = self.spawn("sessions", self.b, self.a, "--n", str(n), "--timeout-ms",
                                 "20000", stdin=subprocess.PIPE)
        flood = None
        try:
            self.assertEqual(ready["opened"], n)
            self.assertEqual(ready["busy"], n - self.PER_ADDR)
            # one more session from this address is refused after its handshake
            rc, _, err = self.ping(self.b, self.a.addr)
            self.assertEqual(rc, 1)
            self.assertIn(BUSY, err)
            # 200 more connections while the sessions are held
            flood, _ = self.spawn("flood", self.b, self.a, "--n", "200", stdin=subprocess.PIPE)
            out, err = finish(flood)
            self.assertEqual(flood.returncode, 0, err)
            check_sanitizers("probe flood", err)
        finally:
            out, err = finish(held, 120)
            if flood and flood.poll() is None:
                flood.kill()
                finish(flood)
        check_sanitizers("probe sessions", err)
        self.assertEqual(held.returncode, 0, err + self.a.read_log()[-3000:])
        summary = json.loads(out.splitlines()[-1])
        log(f"\n[limits] {summary}")
        self.assertEqual(summary["alive"], self.PER_ADDR)
        self.assertIn("BYE busy", self.a.read_log())
        # the held sessions are gone: a ping gets through again
        wait_for(lambda: self.ping(self.b, self.a.addr)[0] == 0, 20, "a ping after the sessions")


class TestBusy(Base):
    """PROTOCOL.md §2.5: a node at its session cap, or at its connection cap with only
    sessions, completes a member's handshake and says BYE busy, which `maille ping` reports
    as such (not "not a member"). The caps are lowered for the test (test settings)."""

    @classmethod
    def setUpClass(cls):
        cls.make_federation()

    def held_then_ping(self, env):
        self.a.start(env=dict(TEST_ENV, **env))
        holder = None
        try:
            holder, _ = self.spawn("hold", self.b, self.a, "--timeout-ms", "30000")
            rc, out, err = self.ping(self.b, self.a.addr)
            self.assertEqual(rc, 1, out)
            # an outsider still gets nothing at all (PROTOCOL.md §2.2, rule 1)
            rc_c, _, err_c = self.ping(self.c, self.a.addr)
            self.assertEqual(rc_c, 1)
            self.assertIn(NOT_MEMBER, err_c)
        finally:
            self.a.stop()
            if holder:
                out_h, err_h = holder.communicate(timeout=30)
                check_sanitizers("probe hold", err_h.decode())
        return err

    def test_session_cap(self):
        err = self.held_then_ping({"MAILLE_TEST_SESSIONS_MAX": "1"})
        self.assertIn(BUSY, err)
        self.assertNotIn(NOT_MEMBER, err)
        self.assertIn("BYE busy", self.a.read_log())

    def test_connection_cap(self):
        err = self.held_then_ping({"MAILLE_TEST_INBOUND_MAX": "1"})
        self.assertIn(BUSY, err)
        self.assertNotIn(NOT_MEMBER, err)
        self.assertIn("handshake ends with BYE busy", self.a.read_log())


class TestShutdown(Base):
    """SIGTERM with a live session and pending connections: BYE shutdown, exit 0, no node.addr;
    one daemon per directory; JSON logs."""

    @classmethod
    def setUpClass(cls):
        cls.make_federation()

    def test_sigterm_with_session(self):
        self.a.start("--log-format", "json", env={})  # the real timeouts
        try:
            holder, _ = self.spawn("hold", self.b, self.a, "--timeout-ms", "30000")
            silent = subprocess.Popen([PROBE, "silent", "--dir", self.b.dir, "--addr",
                                       self.a.addr, "--timeout-ms", "30000"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      env=env_with())
            wait_for(lambda: self.a.read_log().count("CONN-ACCEPT") >= 2, 10,
                     "two connections accepted")
            # one daemon per node directory
            rc, _, err = self.a.m("node", "--listen", "127.0.0.1:0", timeout=30)
            self.assertEqual(rc, 1)
            self.assertIn("another daemon", err)
            t0 = time.monotonic()
            self.a.stop()
            log(f"\n[shutdown] SIGTERM to exit with a live session: "
                f"{(time.monotonic() - t0) * 1000:.0f} ms")
            out, err = holder.communicate(timeout=30)
            self.assertEqual(holder.returncode, 0, err.decode() + out.decode() + self.a.read_log())
            check_sanitizers("probe hold", err.decode())
            holder.stdout.close()
            holder.stderr.close()
            self.assertEqual(json.loads(out.decode().splitlines()[-1])["bye"], 0)
            out, err = silent.communicate(timeout=30)
            self.assertEqual(silent.returncode, 0, err.decode())
            check_sanitizers("probe silent", err.decode())
            silent.stdout.close()
            silent.stderr.close()
        finally:
            self.a.kill()
        lines = [json.loads(l) for l in self.a.read_log().splitlines()
                 if l.startswith("{")]
        ids = [l["id"] for l in lines]
        for ident in ("NODE-START", "NODE-LISTEN", "CONN-HS-OK", "NODE-STOP"):
            self.assertIn(ident, ids)
        for l in lines:
            self.assertEqual(set(l), {"ts", "level", "id", "msg"})

    def test_sigint_idle_daemon(self):
        self.b.start()
        self.b.stop(sig=signal.SIGINT)  # exit 0 wanted
        self.assertFalse(os.path.exists(os.path.join(self.b.dir, "node.addr")))
        self.assertIn("SIGINT", self.b.read_log())


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: test_node.py MAILLE_BINARY PROBE_BINARY")
    harness.MAILLE, PROBE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
