#!/usr/bin/env python3
"""The layering check itself (tests/layering.py), on small trees written to a temporary
directory: a tree that keeps every rule passes, and each rule broken once is reported once,
with its file and line.

usage: test_layering.py PATH/TO/layering.py
"""
import importlib.util
import os
import sys
import tempfile


def load(path):
    spec = importlib.util.spec_from_file_location('layering', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def function(name, body_lines):
    return f'int {name}(int a)\n{{\n' + '\ta++;\n' * body_lines + '\treturn a;\n}\n'


# A tree that keeps every rule, including the cases the rules allow.
CLEAN = {
    'meson.build': "configure_file(output : 'maille_config.h', configuration : conf)\n",
    'proto/entry.h': '#include <stdint.h>\n',
    'proto/entry.c': '#include "proto/entry.h"\n#include "maille_config.h"\n'
                     + function('proto_entry_f', 140),
    'store/internal.h': '#include <sqlite3.h>\n#include "store/store.h"\n',
    'store/store.h': '#include "proto/entry.h"\n',
    'store/store_put.c': '#include "internal.h"\n#include "store/internal.h"\n'
                         '/* #include <uv.h> in a comment is only text */\n'
                         'static const char *s = "{ not a brace";\n'
                         'static const int t[] = { 1, 2 };\n'
                         + function('store_put', 10),
    'node/service/trust.h': '#include "store/store.h"\n',
    'node/service/frontmatter.c': '#include <yaml.h>\n#include "node/service/trust.h"\n',
    'node/daemon/internal.h': '#include <uv.h>\n#include "node/service/trust.h"\n',
    'node/daemon/node.c': '#include "internal.h"\n',
    'node/web/web_int.h': '#include <microhttpd.h>\n#include <cmark.h>\n',
    'node/web/web.c': '#include "web_int.h"\n#include "node/service/trust.h"\n',
    'tools/cli/cli.h': '#include "node/daemon/node.h"\n',
    'node/daemon/node.h': '#include "proto/entry.h"\n',
    'tools/cli/cmd_node.c': '#include "cli.h"\n#include "node/web/web.h"\n'
                            '#include "node/daemon/node.h"\n' + function('cmd_node', 146),
    'node/web/web.h': '#include "store/store.h"\n',
    'tests/fixture/entry_fixture.h': '#include "proto/entry.h"\n',
    'tools/bench/bench.c': '#include "tests/fixture/entry_fixture.h"\n#include "cli.h"\n'
                           + function('bench_main', 400),
}

# Each rule broken once: file, contents, the rule and the line reported.
BROKEN = [
    ('proto/value.c', '#include <stdint.h>\n#include "store/store.h"\n', 'direction', 2),
    ('store/query.c', '#include "node/service/trust.h"\n', 'direction', 1),
    ('node/service/json.c', '#include "node/daemon/node.h"\n', 'direction', 1),
    ('node/daemon/conn.c', '#include "node/web/web.h"\n', 'direction', 1),
    ('node/web/web_api.c', '#include "node/daemon/node.h"\n', 'direction', 1),
    ('tools/cli/cmd_x.c', '#include "tests/fixture/entry_fixture.h"\n', 'direction', 1),
    ('tools/bench/bench_x.c', '#include "node/daemon/internal.h"\n', 'private', 1),
    ('node/web/web_x.c', '\n\n#include "store/internal.h"\n', 'private', 3),
    ('store/store_x.h', '#include "../proto/entry.h"\n', 'dotdot', 1),
    ('node/service/x.c', '#include <sqlite3.h>\n', 'system', 1),
    ('tools/cli/y.c', '#include <uv.h>\n', 'system', 1),
    ('node/daemon/y.c', '#include <microhttpd.h>\n', 'system', 1),
    ('node/daemon/z.c', '#include <cmark.h>\n', 'system', 1),
    ('tools/cli/z.c', '#include <yaml.h>\n', 'system', 1),
    ('proto/z.c', '#include "proto/nowhere.h"\n', 'unknown', 1),
    ('node/stray.c', '#include "proto/entry.h"\n', 'node-room', 1),
    ('store/big.c', '\n' * 1501, 'file-size', 1),
    ('proto/long.c', '#include "proto/entry.h"\n\n' + function('proto_long', 147),
     'function-size', 3),
]


def write(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)


def main(argv):
    layering = load(argv[1])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, 'clean')
        write(clean, CLEAN)
        got = layering.check(clean)
        if got:
            failures.append('clean tree reported: ' + '; '.join(got))
        if layering.main(['layering.py', clean]) != 0:
            failures.append('clean tree: exit status not 0')

        # Function lengths: from the line of the name to the closing brace; cmd_node is 150
        # lines (allowed), proto_long 151 (reported).
        found = layering.functions(CLEAN['tools/cli/cmd_node.c'])
        if found != [('cmd_node', 4, 153)]:
            failures.append(f'functions() found {found}')

        for i, (rel, text, rule, line) in enumerate(BROKEN):
            root = os.path.join(tmp, f'broken{i}')
            write(root, dict(CLEAN, **{rel: text}))
            got = layering.check(root)
            want = f'{rel}:{line}: {rule}:'
            if len(got) != 1 or not got[0].startswith(want):
                failures.append(f'{rel} ({rule}): want one line starting "{want}", got {got}')
            elif layering.main(['layering.py', root]) != 1:
                failures.append(f'{rel} ({rule}): exit status not 1')

        # <yaml.h> follows the front matter parser to the room that holds it.
        root = os.path.join(tmp, 'yaml')
        moved = dict(CLEAN)
        moved['tools/cli/frontmatter.c'] = moved.pop('node/service/frontmatter.c')
        write(root, moved)
        got = layering.check(root)
        if got:
            failures.append(f'frontmatter.c in tools/cli: {got}')
        write(root, {'node/service/fm.c': '#include <yaml.h>\n'})
        got = layering.check(root)
        if len(got) != 1 or not got[0].startswith('node/service/fm.c:1: system:'):
            failures.append(f'<yaml.h> outside the room of frontmatter.c: {got}')

    for f in failures:
        print('FAIL', f)
    print(f'{len(BROKEN) + 3 - len(failures)} checks passed, {len(failures)} failed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
