"""What the Python suites (tests/cli, tests/node, tests/web, tests/browser) share: running
`maille` and the test programs, waiting with a deadline, daemons on 127.0.0.1 that must stop
with exit 0 (and without a sanitizer report), and a base class holding a temporary directory
and the daemons started in it.

meson puts this directory on PYTHONPATH; by hand: PYTHONPATH=tests python3 tests/cli/test_cli.py
build/tools/maille ... A suite sets harness.MAILLE to the binary before it runs, and
harness.CLEAR_ENV to the variables a test must not inherit from the caller's environment."""
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

MAILLE = None
CLEAR_ENV = ("MAILLE_HOME",)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# The variables that choose the CLI's language (tools/cli/i18n.c): a test runs the CLI in the
# C locale, in English, whatever the caller's environment, unless it sets them itself.
LANGUAGE_ENV = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def env_with(extra=None):
    e = dict(os.environ)
    for k in CLEAR_ENV + LANGUAGE_ENV:
        e.pop(k, None)
    e["LANG"] = "C"
    if extra:
        e.update(extra)
    return e


def check_sanitizers(what, text):
    """A sanitizer report fails the test even when the exit code was the expected one."""
    for mark in ("Sanitizer", "runtime error:"):
        if mark in text:
            raise AssertionError(f"{what}: sanitizer report:\n{text}")


def run_bytes(argv, env=None, timeout=120, input_bytes=None):
    """Runs a program (maille, the probe, maille-bench...) with the test environment plus
    env; standard input is input_bytes, or empty. Returns the exit code, stdout and stderr
    as bytes; a sanitizer report on stderr fails."""
    extra = {"input": input_bytes} if input_bytes is not None else {"stdin": subprocess.DEVNULL}
    p = subprocess.run(argv, capture_output=True, env=env_with(env), timeout=timeout, **extra)
    what = " ".join([os.path.basename(argv[0])] + [os.fsdecode(a) for a in argv[1:]])
    check_sanitizers(what, p.stderr.decode("utf-8", "replace"))
    return p.returncode, p.stdout, p.stderr


def run_program(argv, env=None, timeout=120, input_bytes=None):
    """run_bytes with stdout and stderr decoded."""
    rc, out, err = run_bytes(argv, env=env, timeout=timeout, input_bytes=input_bytes)
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def run(*args, env=None, timeout=120, input_text=None):
    """maille ARGS: the exit code, stdout and stderr (text)."""
    return run_program([MAILLE, *args], env=env, timeout=timeout,
                       input_bytes=input_text.encode() if input_text is not None else None)


def data_copy(src):
    """A copy of the data directory src in a temporary directory removed at exit: a first
    publish writes the path it chose into the record's file, which must not be the source
    tree's."""
    import atexit
    tmp = tempfile.mkdtemp(prefix="maille-data-")
    atexit.register(shutil.rmtree, tmp, True)
    dst = os.path.join(tmp, os.path.basename(src.rstrip("/")) or "data")
    shutil.copytree(src, dst)
    return dst


def run_on_tty(argv, answer=None, timeout=60):
    """A program with its standard error (and, when answer is given, its standard input, where
    answer was typed) on a pseudo-terminal: the exit code, standard output and what the
    terminal showed; a sanitizer report there fails."""
    master, slave = pty.openpty()
    if answer is not None:
        os.write(master, answer.encode() + b"\n")
    p = subprocess.run(argv, stdin=slave if answer is not None else subprocess.DEVNULL,
                       stderr=slave, stdout=subprocess.PIPE, env=env_with(), timeout=timeout)
    os.close(slave)
    shown = b""
    while select.select([master], [], [], 0.2)[0]:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: nothing more
            break
        if not data:
            break
        shown += data
    os.close(master)
    text = shown.decode("utf-8", "replace")
    check_sanitizers(" ".join(os.path.basename(a) for a in argv[:2]), text)
    return p.returncode, p.stdout.decode(), text


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def read_text(path):
    """A file's text, or "" when it does not exist (a daemon that never started)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class Daemon:
    """`maille node` on 127.0.0.1:0 in the foreground, its log in DIR.log; with web, its web
    catalogue too (self.web is HOST:PORT, self.port the port). stop() sends SIGTERM (or sig)
    and wants exit 0, no sanitizer report, node.addr and web.addr removed."""

    def __init__(self, d, args=(), env=None, web=None, name=None):
        self.dir = d
        self.name = name or d
        self.log_path = d + ".log"
        self.files = ["node.addr"] + (["web.addr"] if web else [])
        for f in self.files:
            assert not os.path.exists(os.path.join(d, f)), f"{f} left from an earlier daemon"
        self.logf = open(self.log_path, "ab")
        argv = [MAILLE, "--dir", d, "node", "--listen", "127.0.0.1:0"]
        if web:
            argv += ["--web", web]
        self.proc = subprocess.Popen(argv + list(args), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.logf,
                                     env=env_with(env))
        self.addr = wait_for(self.ready("node.addr"), 30, f"{self.name}'s node.addr")
        self.web = self.port = None
        if web:
            self.web = wait_for(self.ready("web.addr"), 30, f"{self.name}'s web.addr")
            self.port = int(self.web.rsplit(":", 1)[1])

    def ready(self, name):
        """A condition: the address the daemon wrote to DIR/name once it is whole."""
        def f():
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon {self.name} exited with {self.proc.returncode}:\n"
                                     + self.log())
            text = read_text(os.path.join(self.dir, name))
            return text.strip() if text.endswith("\n") else None
        return f

    def log(self):
        return read_text(self.log_path)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30, sig=signal.SIGTERM):
        if not self.proc:
            return
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"daemon {self.name} did not stop within {timeout} s:\n"
                                 + self.log())
        finally:
            self.proc = None
            self.logf.close()
        assert rc == 0, f"daemon {self.name} exited with {rc}:\n" + self.log()
        check_sanitizers(f"daemon {self.name}", self.log())
        for f in self.files:
            assert not os.path.exists(os.path.join(self.dir, f)), f"{f} left behind"

    def kill(self):
        """Only for a test that already failed: no daemon outlives the suite."""
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.logf.close()


def finish(daemons, tmp):
    """Stops each daemon (anything with stop() and kill()), each must exit 0; kills what did
    not stop; removes the directory tmp."""
    try:
        for d in daemons:
            d.stop()
    finally:
        for d in daemons:
            d.kill()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def WebDaemon(d, *extra, web="127.0.0.1:0"):
    """A daemon with its web catalogue (on 127.0.0.1:0 unless web says otherwise)."""
    return Daemon(d, extra, web=web)


class Case(unittest.TestCase):
    """A test class with a temporary directory and the daemons started in it: begin() in
    setUp (one directory per test) or setUpClass (one per class), end() in tearDown or
    tearDownClass. end() stops each daemon (exit 0 wanted), kills what did not stop, and
    removes the directory. The state is the class's: its tests run one after the other.

    m, ok, js and fails run maille on a node directory; run_env is added to the environment
    of each (a suite's test settings)."""
    tmp = None
    daemons = []
    run_env = None

    @classmethod
    def begin(cls, prefix):
        cls.tmp = tempfile.mkdtemp(prefix=prefix)
        cls.daemons = []

    @classmethod
    def end(cls):
        daemons, tmp = cls.daemons, cls.tmp
        cls.daemons, cls.tmp = [], None
        finish(daemons, tmp)

    @classmethod
    def path(cls, *names):
        return os.path.join(cls.tmp, *names)

    @classmethod
    def daemon(cls, d, *args, web=None, env=None):
        dm = Daemon(d, args, web=web, env=env)
        cls.daemons.append(dm)
        return dm

    @classmethod
    def stop_daemons(cls):
        """Stops every daemon started so far; each must exit 0."""
        daemons, cls.daemons = cls.daemons, []
        try:
            for d in daemons:
                d.stop()
        finally:
            cls.daemons = [d for d in daemons if d.proc]

    @classmethod
    def m(cls, d, *args, **kw):
        kw.setdefault("env", cls.run_env)
        return run("--dir", d, *args, **kw)

    @classmethod
    def ok(cls, d, *args, **kw):
        rc, out, err = cls.m(d, *args, **kw)
        if rc != 0:
            raise AssertionError(f"maille {' '.join(args)} failed ({rc}): {out}{err}")
        return out

    @classmethod
    def js(cls, d, *args):
        return json.loads(cls.ok(d, *args, "--json"))

    @classmethod
    def fails(cls, d, *args, rc=1):
        got, out, err = cls.m(d, *args)
        if got != rc:
            raise AssertionError(f"maille {' '.join(args)}: exit {got}, not {rc}: {out}{err}")
        return err

    @classmethod
    def write(cls, name, text):
        """A file of the temporary directory with text (str or bytes); its path."""
        p = cls.path(name)
        with open(p, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        return p

    @classmethod
    def publish(cls, d, name, text):
        """text written to name in the temporary directory, then published by d."""
        return cls.ok(d, "publish", cls.write(name, text))

    @classmethod
    def init(cls, name, title, kind="commune", siren="200046977"):
        """maille init of a new node directory name, for the territory title."""
        d = cls.path(name)
        cls.ok(d, "init", "--name", title, "--siren", siren, "--kind", kind)
        return d

    @classmethod
    def key(cls, d):
        return cls.js(d, "whoami")["key"]
