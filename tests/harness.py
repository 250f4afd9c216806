"""What the end-to-end CLI suites share: running `maille`, waiting with a deadline, and a
daemon on 127.0.0.1 that must stop with exit 0 on SIGTERM.

A suite sets harness.MAILLE to the binary before it runs, and harness.CLEAR_ENV to the
variables a test must not inherit from the caller's environment."""
import os
import signal
import subprocess
import time

MAILLE = None
CLEAR_ENV = ("MAILLE_HOME",)


def env_with(extra=None):
    e = dict(os.environ)
    for k in CLEAR_ENV:
        e.pop(k, None)
    if extra:
        e.update(extra)
    return e


def check_sanitizers(what, text):
    """A sanitizer report fails the test even when the exit code was the expected one."""
    for mark in ("Sanitizer", "runtime error:"):
        if mark in text:
            raise AssertionError(f"{what}: sanitizer report:\n{text}")


def run(*args, env=None, timeout=120, input_text=None):
    extra = {"input": input_text.encode()} if input_text is not None else \
        {"stdin": subprocess.DEVNULL}
    p = subprocess.run([MAILLE, *args], capture_output=True, env=env_with(env),
                       timeout=timeout, **extra)
    err = p.stderr.decode("utf-8", "replace")
    check_sanitizers("maille " + " ".join(args), err)
    return p.returncode, p.stdout.decode("utf-8", "replace"), err


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Daemon:
    """`maille node` on 127.0.0.1:0 in the foreground; stop() sends SIGTERM and wants 0."""

    def __init__(self, d, args=()):
        self.dir = d
        self.log_path = d + ".log"
        addr_file = os.path.join(d, "node.addr")
        assert not os.path.exists(addr_file), "node.addr left from an earlier daemon"
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([MAILLE, "--dir", d, "node", "--listen", "127.0.0.1:0",
                                      *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.logf, env=env_with())

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon {d} exited with {self.proc.returncode}:\n"
                                     + self.log())
            try:
                with open(addr_file) as f:
                    text = f.read()
            except FileNotFoundError:
                return None
            return text.strip() if text.endswith("\n") else None

        self.addr = wait_for(ready, 30, f"{d}/node.addr")

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"daemon {self.dir} did not stop on SIGTERM:\n" + self.log())
        finally:
            self.proc = None
            self.logf.close()
        assert rc == 0, f"daemon {self.dir} exited with {rc}:\n" + self.log()
        check_sanitizers(f"daemon {self.dir}", self.log())

    def kill(self):
        """Only for a test that already failed: no daemon outlives the suite."""
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.logf.close()
