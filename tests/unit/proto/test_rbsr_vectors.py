#!/usr/bin/env python3
"""Replays every reconciliation transcript of tests/vectors/rbsr/ through maille-rbsr-harness.

    test_rbsr_vectors.py HARNESS VECTORS_DIR

Each case folder holds client.in, server.in, params and transcript (see tests/vectors/README.md).
Client role: the harness gets client.in, `initiate`, then every server message of the
transcript; everything it prints must equal the transcript's `C ` lines, byte for byte.
Server role: it gets server.in then every client message; it must print exactly the `S `
lines. FRAMESIZELIMIT comes from params. Prints one line per case and role; exit 1 on any
mismatch (PROTOCOL.md §3)."""
import os
import subprocess
import sys


def read_params(path):
    params = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                k, _, v = line.partition('=')
                params[k.strip()] = v.strip()
    return params


def run(harness, stdin_text, frame_limit):
    env = dict(os.environ, FRAMESIZELIMIT=str(frame_limit))
    p = subprocess.run([harness], input=stdin_text, capture_output=True, text=True, env=env,
                       timeout=120)
    return p.returncode, p.stdout.splitlines(), p.stderr


def first_difference(got, want):
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else '<nothing>'
        w = want[i] if i < len(want) else '<nothing>'
        if g != w:
            return i, g, w
    return None


def check(case, role, harness, stdin_text, frame_limit, want):
    rc, got, err = run(harness, stdin_text, frame_limit)
    diff = first_difference(got, want)
    if rc == 0 and diff is None:
        print(f'pass {case} {role} ({len(want)} lines, frame limit {frame_limit})')
        return True
    print(f'FAIL {case} {role}: exit {rc}')
    if err:
        print('  stderr: ' + err.strip()[:500])
    if diff:
        i, g, w = diff
        print(f'  line {i + 1}:\n    got  {g[:160]}\n    want {w[:160]}')
    return False


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    harness, vectors = sys.argv[1], sys.argv[2]
    cases = sorted(d for d in os.listdir(vectors) if os.path.isdir(os.path.join(vectors, d)))
    if not cases:
        print(f'no cases in {vectors}', file=sys.stderr)
        return 1
    ok = True
    for case in cases:
        d = os.path.join(vectors, case)
        params = read_params(os.path.join(d, 'params'))
        with open(os.path.join(d, 'transcript')) as f:
            transcript = [line.rstrip('\n') for line in f if line.strip()]
        c_lines = [t[2:] for t in transcript if t.startswith('C ')]
        s_lines = [t[2:] for t in transcript if t.startswith('S ')]
        if len(c_lines) + len(s_lines) != len(transcript):
            print(f'FAIL {case}: transcript lines must start with "C " or "S "')
            ok = False
            continue
        with open(os.path.join(d, 'client.in')) as f:
            client_in = f.read()
        with open(os.path.join(d, 'server.in')) as f:
            server_in = f.read()

        feed = client_in + 'initiate\n' + ''.join(s + '\n' for s in s_lines)
        ok &= check(case, 'client', harness, feed, params.get('client_frame_limit', '0'),
                    c_lines)

        client_msgs = [c for c in c_lines if c.startswith('msg,')]
        feed = server_in + ''.join(c + '\n' for c in client_msgs)
        ok &= check(case, 'server', harness, feed, params.get('server_frame_limit', '0'),
                    s_lines)
    # Bad input: a message on stderr and exit status 1, never a crash or a silent success.
    bad_inputs = [
        ('unknown command', 'bogus\n', '0'),
        ('item after seal', 'seal\nitem,1,' + '00' * 32 + '\n', '0'),
        ('short id', 'item,1,abcd\nseal\n', '0'),
        ('bad timestamp', 'item,x,' + '00' * 32 + '\nseal\n', '0'),
        ('duplicate item', ('item,1,' + '00' * 32 + '\n') * 2 + 'seal\n', '0'),
        ('msg before seal', 'msg,61\n', '0'),
        ('bad hex', 'seal\nmsg,6g\n', '0'),
        ('malformed message', 'seal\nmsg,61000003\n', '0'),
        ('frame limit too small', 'seal\n', '100'),
        ('frame limit not a number', 'seal\n', 'lots'),
    ]
    for name, text, limit in bad_inputs:
        rc, _, err = run(harness, text, limit)
        if rc == 1 and err.strip():
            print(f'pass bad input: {name}')
        else:
            print(f'FAIL bad input: {name}: exit {rc}, stderr {err.strip()!r}')
            ok = False
    print(f'{len(cases)} cases: ' + ('all pass' if ok else 'FAILURES'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
