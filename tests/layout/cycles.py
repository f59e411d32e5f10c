#!/usr/bin/env python3
"""The house reads as designed: no include cycle and no call cycle between the
files of one folder of src/ (a file's calls are the functions its object file
needs that another file of the same folder defines, as nm shows them), but
those a header of the folder explains in a comment line
" * Call cycle: a.c b.c ..." (the files sorted, as this prints them).

    cycles.py BUILD_DIR      (BUILD_DIR holds src/FOLDER/FILE.o)

Prints each cycle found and exits 1; 0 when there is none.
"""
import os
import re
import subprocess
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")


def cycles(graph):
    """Every strongly connected component of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def includes(folder):
    graph = {}
    for name in os.listdir(folder):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                m = re.match(r'\s*#\s*include\s+"([^"/]+)"', line)
                if m and os.path.exists(os.path.join(folder, m.group(1))):
                    graph.setdefault(name, set()).add(m.group(1))
    return graph


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, needed = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            needed.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, needed


def calls(build, folder):
    objdir = os.path.join(build, "src", folder)
    # only the objects of sources that exist (a build folder may hold stale ones)
    objs = sorted(n for n in os.listdir(objdir)
                  if n.endswith(".o") and os.path.exists(os.path.join(SRC, folder, n[:-2] + ".c")))
    defs, needs = {}, {}
    for o in objs:
        defs[o], needs[o] = symbols(os.path.join(objdir, o))
    owner = {s: o for o in objs for s in defs[o]}
    graph = {}
    for o in objs:
        for s in needs[o]:
            if s in owner and owner[s] != o:
                graph.setdefault(o[:-2] + ".c", set()).add(owner[s][:-2] + ".c")
    return graph


def explained(folder):
    """The cycles a header of the folder explains: a comment line "Call cycle: a.c b.c ..." """
    out = set()
    for name in os.listdir(folder):
        if name.endswith(".h"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"\s*\*\s*(Call|Include) cycle:\s*(.*\.[ch])\s*$", line)
                    if m:
                        out.add((m.group(1).lower(), tuple(sorted(m.group(2).split()))))
    return out


def main():
    build = sys.argv[1]
    bad = 0
    for folder in sorted(os.listdir(SRC)):
        path = os.path.join(SRC, folder)
        if not os.path.isdir(path):
            continue
        allowed = explained(path)
        for what, graph in (("include", includes(path)), ("call", calls(build, folder))):
            for comp in cycles(graph):
                if (what, tuple(comp)) in allowed:
                    print(f"src/{folder}: {what} cycle between {', '.join(comp)} (explained in its header)")
                    continue
                bad += 1
                print(f"src/{folder}: {what} cycle between {', '.join(comp)}")
    folders = sum(os.path.isdir(os.path.join(SRC, f)) for f in os.listdir(SRC))
    if bad:
        print(f"{bad} cycle(s): a folder's files should depend on each other one way only")
    else:
        print("no include or call cycle within any folder of src/ but those explained")
    # one check per folder, counted as every suite is (make check sums these lines)
    print(f"{folders - min(bad, folders)} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
