#!/usr/bin/env python3
"""Which folders of Sources/SeqCast use which: prints each folder's dependencies (by the top-level
names other folders declare) and any cycle. Used to keep the library's folders a DAG (README
"Architecture")."""
import os, re, sys, itertools
root = os.path.join(os.path.dirname(__file__), "..", "Sources", "SeqCast")
decl = re.compile(r"^(?:public |internal |@inline\(__always\)\s*)*(?:final )?(?:struct|enum|class|protocol|typealias|func|let|var)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
folders = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
names, text = {}, {}
for f in folders:
    text[f] = ""
    for fn in sorted(os.listdir(os.path.join(root, f))):
        src = open(os.path.join(root, f, fn)).read()
        src = re.sub(r"//.*", "", src)
        text[f] += src
        for n in decl.findall(src):
            if len(n) > 2: names.setdefault(n, set()).add(f)
deps = {f: {} for f in folders}
for n, owners in names.items():
    if len(owners) > 1: continue
    (owner,) = owners
    pat = re.compile(r"(?<![A-Za-z0-9_.])" + re.escape(n) + r"(?![A-Za-z0-9_])")
    for f in folders:
        if f != owner and pat.search(text[f]): deps[f].setdefault(owner, []).append(n)
for f in folders:
    print(f"{f:14} → " + ", ".join(f"{d} ({', '.join(sorted(v)[:4])}{'…' if len(v) > 4 else ''})" for d, v in sorted(deps[f].items())))
cycles = [(a, b) for a, b in itertools.combinations(folders, 2) if b in deps[a] and a in deps[b]]
# longer cycles: DFS
order, state = [], {}
def visit(f, stack):
    state[f] = 1
    for d in deps[f]:
        if state.get(d) == 1: cycles.append(tuple(stack + [f, d]))
        elif d not in state: visit(d, stack + [f])
    state[f] = 2; order.append(f)
for f in folders:
    if f not in state: visit(f, [])
if cycles:
    print("cycles:", "; ".join(" ↔ ".join(c) for c in sorted(set(cycles)))); sys.exit(1)
print("no cycles; bottom-up order:", " → ".join(order))
