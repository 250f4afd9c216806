#!/usr/bin/env python3
"""The layering of the source tree, checked (README, "Module tree").

usage: layering.py ROOT

Reads every .c and .h file under proto/, store/, node/ and tools/ of ROOT (tests/ is not
read: tests may include anything) and prints one line per violation, `file:line: rule: what`,
then exits 1 if there was any. The rules:

  direction     a room includes only the rooms below it: proto <- store <- node/service <-
                node/daemon, node/service <- node/formats <- node/web, and tools/ uses any
                product room;
                tools/bench/ may also include the one test fixture it shares (tests/fixture/)
  private       a private header (internal.h, *_int.h) is included only from its own room
  dotdot        no `../` in an #include: headers are named from the root of the tree
  system        a system header bound to one room is included only there: <sqlite3.h> in
                store/, <uv.h> in node/daemon/, <microhttpd.h> and <cmark.h> in node/web/,
                <csv.h> and <raptor2.h> in node/formats/ (the importers), <yaml.h> in the
                room that holds the front matter parser (frontmatter.c) and in node/formats/
  unknown       a quoted #include that names no file of the tree nor a header the build
                generates (configure_file in a meson.build)
  node-room     no source file directly in node/: each is in service/, daemon/ or web/
  file-size     no product .c file over 1 500 lines (tools/bench/, the benchmarks, excepted)
  function-size no function over 150 lines, from the line of its name to its closing brace
                (tools/bench/ excepted)
"""
import os
import re
import sys

PRODUCT_DIRS = ('proto', 'store', 'node', 'tools')
FILE_LINES_MAX = 1500
FUNCTION_LINES_MAX = 150
SIZE_EXEMPT = ('tools/bench/',)

# What each room may include, besides itself. tools/ is anything product.
PRODUCT_ROOMS = ('proto', 'store', 'node/service', 'node/daemon', 'node/web', 'node/formats')
ALLOWED = {
    'proto': {'proto'},
    'store': {'proto', 'store'},
    'node/service': {'proto', 'store', 'node/service'},
    'node/daemon': {'proto', 'store', 'node/service', 'node/daemon'},
    'node/web': {'proto', 'store', 'node/service', 'node/formats', 'node/web'},
    'node/formats': {'proto', 'store', 'node/service', 'node/formats'},
}
# The one way from the product into tests/: the benchmarks build entries with the tests'
# fixture (tests/fixture/entry_fixture.h says so).
EXTRA = {'tools/bench': {'tests/fixture'}}

SYSTEM_ROOMS = {
    'sqlite3.h': {'store'},
    'uv.h': {'node/daemon'},
    'microhttpd.h': {'node/web'},
    'cmark.h': {'node/web'},
    'csv.h': {'node/formats'},
    'raptor2.h': {'node/formats'},
}
# <yaml.h> belongs to whichever room holds the front matter parser.
YAML_OWNER = 'frontmatter.c'

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def room_of(rel):
    """The room of a path relative to the root: node/ and tools/ and tests/ have rooms one
    level down (node/web, tools/cli...), the others are one room each. A file directly in
    node/ or tools/ has the bare directory as its room."""
    parts = rel.split('/')
    if parts[0] in ('node', 'tools', 'tests') and len(parts) > 2:
        return parts[0] + '/' + parts[1]
    return parts[0]


def is_private(name):
    base = os.path.basename(name)
    return base == 'internal.h' or base.endswith('_int.h')


def may_include(src_room, dst_room):
    if src_room == dst_room:
        return True
    if dst_room in EXTRA.get(src_room, ()):
        return True
    if src_room == 'tools' or src_room.startswith('tools/'):
        return (dst_room in PRODUCT_ROOMS or dst_room in ('node', 'tools')
                or dst_room.startswith('tools/'))
    if src_room == 'node':
        # A file directly in node/ (reported as such) is judged as node/daemon would be.
        return dst_room in ALLOWED['node/daemon'] or dst_room == 'node'
    return dst_room in ALLOWED.get(src_room, ())


def generated_headers(root):
    """Headers meson writes into the build tree (configure_file(output : 'x.h'))."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith('.') and d != 'node_modules'
                       and not d.startswith('build')]
        if 'meson.build' in filenames:
            with open(os.path.join(dirpath, 'meson.build'), encoding='utf-8') as f:
                text = f.read()
            for m in re.finditer(r"configure_file\([^)]*output\s*:\s*'([^']+)'", text):
                out.add(m.group(1))
    return out


def source_files(root):
    for top in PRODUCT_DIRS:
        base = os.path.join(root, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(('.c', '.h')):
                    full = os.path.join(dirpath, name)
                    yield os.path.relpath(full, root).replace(os.sep, '/')


def resolve(root, rel, name, by_base):
    """The file a quoted include names, relative to the root: first beside the including
    file (what the compiler does first), then from the root (the include directory every
    target has), then the one header of that name a target's own include directory may
    give (tools/bench/ includes "cli.h" of tools/cli/). None if there is none or several."""
    here = os.path.normpath(os.path.join(os.path.dirname(rel), name)).replace(os.sep, '/')
    if not here.startswith('..') and os.path.isfile(os.path.join(root, here)):
        return here
    top = os.path.normpath(name).replace(os.sep, '/')
    if not top.startswith('..') and os.path.isfile(os.path.join(root, top)):
        return top
    found = by_base.get(os.path.basename(name), [])
    if '/' not in name and len(found) == 1:
        return found[0]
    return None


def strip_c(text):
    """The text with comments, string and character literals and preprocessor lines
    blanked out, newlines kept, so that braces can be counted and lines numbered."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        ch = text[i]
        if at_line_start and ch in ' \t':
            out.append(ch)
            i += 1
            continue
        if at_line_start and ch == '#':
            # A directive, with its continuation lines.
            while i < n and text[i] != '\n':
                if text[i] == '\\' and i + 1 < n and text[i + 1] == '\n':
                    out.append('\n')
                    i += 2
                    continue
                i += 1
            continue
        at_line_start = False
        if ch == '\n':
            out.append(ch)
            at_line_start = True
            i += 1
        elif text.startswith('/*', i):
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:end]))
            i = end
        elif text.startswith('//', i):
            while i < n and text[i] != '\n':
                i += 1
        elif ch in '"\'':
            j = i + 1
            while j < n and text[j] != ch and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(ch + ' ' * max(0, min(j, n) - i - 1) + ch)
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return ''.join(out)


def functions(text):
    """(name, first line, last line) of each function defined in C source text: a brace
    block at file level whose head ends with a parameter list and has no `=`."""
    s = strip_c(text)
    found = []
    depth = 0
    head_start = 0
    open_at = None
    for i, ch in enumerate(s):
        if ch == '{':
            if depth == 0:
                open_at = None
                head = s[head_start:i]
                m = function_head(head)
                if m:
                    name, off = m
                    open_at = (name, s.count('\n', 0, head_start + off) + 1)
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                if open_at:
                    found.append((open_at[0], open_at[1], s.count('\n', 0, i) + 1))
                    open_at = None
                head_start = i + 1
            elif depth < 0:
                depth = 0
                head_start = i + 1
        elif ch == ';' and depth == 0:
            head_start = i + 1
    return found


def function_head(head):
    """(name, offset of the name in head) if head is that of a function definition."""
    body = head.rstrip()
    if not body.endswith(')') or '=' in body:
        return None
    level = 0
    for k in range(len(body) - 1, -1, -1):
        if body[k] == ')':
            level += 1
        elif body[k] == '(':
            level -= 1
            if level == 0:
                m = re.search(r'([A-Za-z_]\w*)\s*$', body[:k])
                if not m or m.group(1) in ('if', 'while', 'for', 'switch', 'return', 'sizeof'):
                    return None
                return m.group(1), m.start(1)
    return None


def check(root):
    root = os.path.abspath(root)
    problems = []
    generated = generated_headers(root)
    files = list(source_files(root))
    by_base = {}
    for f in files:
        by_base.setdefault(os.path.basename(f), []).append(f)
    yaml_rooms = {room_of(f) for f in files if os.path.basename(f) == YAML_OWNER} | {'node/formats'}
    system_rooms = dict(SYSTEM_ROOMS, **{'yaml.h': yaml_rooms})

    for rel in files:
        room = room_of(rel)
        with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as f:
            text = f.read()
        lines = text.split('\n')

        if rel.startswith('node/') and rel.count('/') == 1:
            problems.append(f'{rel}:1: node-room: a source file directly in node/, not in '
                            'node/service/, node/daemon/ or node/web/')

        for no, line in enumerate(lines, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            quote, name = m.groups()
            where = f'{rel}:{no}'
            if '../' in name or name.startswith('..'):
                problems.append(f'{where}: dotdot: "{name}" climbs out of its directory; '
                                'name headers from the root of the tree')
            if quote == '<':
                owners = system_rooms.get(name)
                if owners is not None and room not in owners:
                    allowed = ', '.join(sorted(owners)) or 'no room'
                    problems.append(f'{where}: system: <{name}> is included only in {allowed}, '
                                    f'not in {room}')
                continue
            target = resolve(root, rel, name, by_base)
            if target is None:
                if os.path.basename(name) not in generated:
                    problems.append(f'{where}: unknown: "{name}" names no file of the tree')
                continue
            dst = room_of(target)
            if is_private(target) and dst != room:
                problems.append(f'{where}: private: {target} is private to {dst}, '
                                f'included from {room}')
            elif not may_include(room, dst):
                problems.append(f'{where}: direction: {room} may not include {dst} '
                                f'({target})')

        if rel.endswith('.c') and not rel.startswith(SIZE_EXEMPT):
            count = len(lines) - 1 if text.endswith('\n') else len(lines)
            if count > FILE_LINES_MAX:
                problems.append(f'{rel}:1: file-size: {count} lines, over {FILE_LINES_MAX}')
            for name, first, last in functions(text):
                length = last - first + 1
                if length > FUNCTION_LINES_MAX:
                    problems.append(f'{rel}:{first}: function-size: {name} is {length} lines, '
                                    f'over {FUNCTION_LINES_MAX}')
    return problems


def main(argv):
    if len(argv) != 2:
        print('usage: layering.py ROOT', file=sys.stderr)
        return 2
    problems = check(argv[1])
    for p in problems:
        print(p)
    if problems:
        print(f'layering: {len(problems)} violation(s)')
        return 1
    print('layering: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
