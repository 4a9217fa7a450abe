#!/usr/bin/env python3
"""The shape of bench/, checked (issue 9): no include cycle between its
modules, no function over 80 lines, no block of six or more repeated lines.
The guest agent (guest-agent/) and the fio engine (engines/) are held to
the same three (issue 23).

A module is x.h with x.c (a .c without a header of its name is a module of
its own); x depends on y when x.c or x.h includes y.h.  Data tables
(initialisers of arrays) are not functions and are not counted.
Usage: shape.py SRCDIR  (prints TAP-ish lines, exits 1 on a violation)"""
import os, re, sys

src = sys.argv[1] if len(sys.argv) > 1 else '.'
bench = os.path.join(src, 'bench')
files = []
for d, _, fs in os.walk(bench):
    for f in fs:
        if f.endswith(('.c', '.h')):
            files.append(os.path.join(d, f))
files.sort()
# the guest agent and the fio engine: their modules are named by their path
# below SRCDIR ("engines/vhost_user"); a header they include is found next
# to them, else below bench/ (the one -I: "core/proto.h")
others = []
for top in ('guest-agent', 'engines'):
    for d, _, fs in os.walk(os.path.join(src, top)):
        for f in fs:
            if f.endswith(('.c', '.h')):
                others.append(os.path.join(d, f))
others.sort()
inc_re = re.compile(r'^#include "([^"]+)"', re.M)
# a header is included by its path below bench/ ("guest/virt.h")
headers = {os.path.relpath(f, bench): f for f in files if f.endswith('.h')}
fails = 0
def ok(cond, what):
    global fails
    print(('ok - ' if cond else 'not ok - ') + what)
    fails += not cond

# ---- modules and their include graph ----------------------------------------
def local_includes(path):
    return [h for h in inc_re.findall(open(path).read()) if h in headers]
def other_includes(path):
    """The modules an agent or engine file includes (by module name)."""
    found = []
    for h in inc_re.findall(open(path).read()):
        near = os.path.join(os.path.dirname(path), h)
        if os.path.exists(near):
            found.append(os.path.relpath(near, src)[:-2])
        elif h in headers:
            found.append(h[:-2])
    return found
module = {}
for f in files:
    module[f] = os.path.relpath(f, bench)[:-2]   # d/x.c and d/x.h are module d/x
graph = {}
for f in files:
    for h in local_includes(f):
        a, b = module[f], h[:-2]
        if a != b:
            graph.setdefault(a, set()).add(b)
for f in others:
    for b in other_includes(f):
        a = os.path.relpath(f, src)[:-2]
        if a != b:
            graph.setdefault(a, set()).add(b)
cycle = None
state = {}
def dfs(n, path):
    global cycle
    state[n] = 1
    for m in sorted(graph.get(n, ())):
        if cycle:
            return
        if state.get(m) == 1:
            cycle = path[path.index(m):] + [m] if m in path else [n, m]
            return
        if not state.get(m):
            dfs(m, path + [m])
    state[n] = 2
for n in sorted(graph):
    if not state.get(n) and not cycle:
        dfs(n, [n])
ok(cycle is None, 'no include cycle between bench/ modules' + (': ' + ' -> '.join(cycle) if cycle else ''))

# ---- function length ----------------------------------------------------------
sig_re = re.compile(r'^[A-Za-z_][\w \*]*\b(\w+)\(')
long_seen = {}
for f in files + others:
    if not f.endswith('.c'):
        continue
    lines = open(f).read().split('\n')
    i = 0
    while i < len(lines):
        m = sig_re.match(lines[i])
        if m and not lines[i].rstrip().endswith(';') and '=' not in lines[i].split('(')[0]:
            j = i
            while j < len(lines) and lines[j] != '{' and not lines[j].rstrip().endswith(';'):
                j += 1
            if j < len(lines) and lines[j] == '{':
                k = j
                while k < len(lines) and lines[k] != '}':
                    k += 1
                n = k - i + 1
                key = os.path.relpath(f, src) + ':' + m.group(1)
                if n > 80:
                    long_seen[key] = n
                i = k
        i += 1
for key, n in sorted(long_seen.items()):
    ok(False, '%s: %d lines, over 80: split it' % (key, n))
ok(not long_seen, 'no function in bench/, guest-agent/ or engines/ over 80 lines (data tables aside)')

# ---- the command table (issue 23) ---------------------------------------------
# A command is its file, which defines its row (vb_command_NAME), and one word
# in main.c's VB_COMMANDS; an option row names the commands that take it
# (.cmds = "run xml"), which a typo would silently drop: every name there
# must be a command, and every command's row must exist once, named alike.
main_c = os.path.join(bench, 'main.c')
listed, rows, named, table_bad = [], {}, [], []
if os.path.exists(main_c):
    m = re.search(r'#define VB_COMMANDS\(X\)((?:[^\n]*\\\n)*[^\n]*)', open(main_c).read())
    listed = re.findall(r'X\((\w+)\)', m.group(1)) if m else []
    if not listed:
        table_bad.append('main.c lists no command in VB_COMMANDS(X)')
for f in files:
    if not f.endswith('.c'):
        continue
    text, rel = open(f).read(), os.path.relpath(f, src)
    for r in re.finditer(r'^const struct vb_command vb_command_(\w+) = \{\n\t\.name = "([^"]+)"', text, re.M):
        rows.setdefault(r.group(1), []).append(rel)
        if r.group(1) != r.group(2):
            table_bad.append('%s: vb_command_%s is named "%s"' % (rel, r.group(1), r.group(2)))
    named += [(rel, w) for c in re.findall(r'\.cmds = "([^"]*)"', text) for w in c.split()]
for name in listed:
    if len(rows.get(name, [])) != 1:
        table_bad.append('command %s: %s rows vb_command_%s (%s)' % (name, len(rows.get(name, [])), name, ', '.join(rows.get(name, []))))
for name in sorted(set(rows) - set(listed)):
    if listed:
        table_bad.append('%s: vb_command_%s is not in VB_COMMANDS' % (', '.join(rows[name]), name))
for rel, w in named:
    if listed and w != '*' and w not in listed:
        table_bad.append('%s: an option names command "%s", which VB_COMMANDS does not list' % (rel, w))
for why in table_bad:
    ok(False, why)
ok(not table_bad, 'the commands in VB_COMMANDS, their rows and the commands option rows name agree')

# ---- repeated blocks ----------------------------------------------------------
def norm(l):
    l = l.strip()
    return '' if l in ('', '{', '}', '};', 'break;', 'return 0;', 'return -1;', 'goto out;', 'goto fail;', 'else', '} else {') or l.startswith(('//', '/*', '*', '#include')) else l
windows = {}
for f in files + others:
    if os.path.basename(os.path.dirname(f)) == 'modes' and False:
        continue
    text = open(f).read().split('\n')
    seq = [(i + 1, norm(l)) for i, l in enumerate(text)]
    seq = [(n, l) for n, l in seq if l]
    for k in range(len(seq) - 5):
        block = tuple(l for _, l in seq[k:k + 6])
        windows.setdefault(block, []).append((os.path.relpath(f, src), seq[k][0]))
dups = []
for block, places in windows.items():
    distinct = []
    for p in places:
        if not any(p[0] == q[0] and abs(p[1] - q[1]) < 6 for q in distinct):
            distinct.append(p)
    if len(distinct) > 1:
        dups.append(distinct)
# the option table and the mode rows are tables, repeated by design
dups = [d for d in dups if not all(p[0].endswith(('core/options.c',)) for p in d)]
seen = set()
for d in dups:
    key = tuple(sorted(d))
    if key[0] in seen:
        continue
    seen.add(key[0])
    print('# repeated: ' + ', '.join('%s:%d' % p for p in d))
ok(not dups, 'no block of six or more lines repeated in bench/, guest-agent/ or engines/ (%d found)' % len(seen))
print('%d failed' % fails)
sys.exit(1 if fails else 0)
