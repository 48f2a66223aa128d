# SPDX-License-Identifier: GPL-2.0
"""Ownership in the stub: no circle between its files, and nothing in
host-tools/ or kernel-hook/ reaching into stub/.

A file depends on another when it #includes it or calls a function the
other .c defines (x.c and x.h count as one module, stub/x).  A circle
means two parts each need the other: a driver calling up into main.c, the
ELF core parser and the memory access layer using each other.  The
dependencies of a circle are printed, so the message shows what to move.
"""

import glob
import os
import re
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# A non-static function definition at the start of a line.
DEF = re.compile(r"^(?!static\b)(?!#)[A-Za-z_][\w \t*]*?\b(\w+)\s*\([^;{]*?\)"
                 r"\s*(?:__attribute__\(\(.*?\)\)\s*)?\{", re.M | re.S)


def _strip(src):
    """C source without comments and string contents."""
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    src = re.sub(r"//[^\n]*", "", src)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', src)


def dependencies(root):
    """{module: {module: [why, ...]}} for the files under root/stub."""
    files = sorted(glob.glob(os.path.join(root, "stub", "**", "*.[ch]"),
                             recursive=True))
    mod = {f: os.path.relpath(f, root)[:-2] for f in files}
    mods = set(mod.values())
    defs = {}
    for f in files:
        if f.endswith(".c"):
            with open(f) as fh:
                for m in DEF.finditer(_strip(fh.read())):
                    defs.setdefault(m.group(1), set()).add(mod[f])
    edges = {}

    def add(a, b, why):
        if a != b:
            edges.setdefault(a, {}).setdefault(b, []).append(why)

    for f in files:
        with open(f) as fh:
            raw = fh.read()
        for inc in re.findall(r'^#include "([^"]+)"', raw, re.M):
            for base in (os.path.dirname(f), os.path.join(root, "stub")):
                p = os.path.normpath(os.path.join(base, inc))
                if os.path.exists(p) and os.path.relpath(p, root)[:-2] in mods:
                    add(mod[f], os.path.relpath(p, root)[:-2],
                        "#include " + inc)
                    break
        if f.endswith(".c"):
            for name in set(re.findall(r"\b(\w+)\s*\(", _strip(raw))):
                for d in defs.get(name, ()):
                    add(mod[f], d, name + "()")
    return mods, edges


def circles(root):
    """Strongly connected sets of more than one module (Tarjan)."""
    mods, edges = dependencies(root)
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                found.append(sorted(c))

    for v in sorted(mods):
        if v not in index:
            visit(v)
    return [(c, {(a, b): w for a in c for b, w in edges.get(a, {}).items()
                 if b in c}) for c in found]


def _describe(found):
    lines = []
    for c, why in found:
        lines.append("circle: " + " ".join(c))
        for (a, b), w in sorted(why.items()):
            lines.append("  %s -> %s: %s" % (a, b, ", ".join(sorted(set(w)))))
    return "\n".join(lines)


def test_no_circle_between_stub_files():
    found = circles(ROOT)
    assert not found, _describe(found)


def test_a_call_up_is_a_circle():
    """The checker itself: a driver calling back into the file that calls
    it is found, through an include and through a call alone."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "stub", "drivers"))
        files = {
            "stub/main.c": '#include "drivers/disk.h"\n'
                           "void *dma_get(int n)\n{\n\treturn 0;\n}\n"
                           "int main_run(void)\n{\n\treturn disk_probe();\n}\n",
            "stub/drivers/disk.h": "int disk_probe(void);\n",
            "stub/drivers/disk.c": '#include "disk.h"\n'
                                   "int disk_probe(void)\n{\n"
                                   "\treturn dma_get(1) != 0;\n}\n",
            "stub/leaf.c": "static int unused(void)\n{\n\treturn 0;\n}\n",
        }
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        found = circles(d)
        assert [c for c, _ in found] == [["stub/drivers/disk", "stub/main"]]
        assert ("stub/drivers/disk", "stub/main") in found[0][1]


def test_host_tools_and_hook_use_no_stub_file():
    """Shared code lives in include/bmdump/ and lib/, not in stub/."""
    bad = []
    for part in ("host-tools", "kernel-hook"):
        for f in glob.glob(os.path.join(ROOT, part, "**", "*"),
                           recursive=True):
            if not os.path.isfile(f) or not re.search(r"(\.[ch]|\.mk|Kbuild|"
                                                      r"Makefile)$", f):
                continue
            with open(f, errors="replace") as fh:
                for n, line in enumerate(fh, 1):
                    if re.search(r'#include\s*[<"](\.\./)*stub/|'
                                 r"(^|[\s/])stub/\w+\.c\b", line):
                        bad.append("%s:%d: %s" % (os.path.relpath(f, ROOT),
                                                  n, line.strip()))
    assert not bad, "\n".join(bad)
