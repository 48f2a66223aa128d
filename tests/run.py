#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Runs every test; ends with one line "N passed, N failed, N skipped".

The suites are listed in tests/suites.txt (the manifest):
  unit/test_x      build/unit/test_x, a cmocka binary (host-built, ASan +
                   UBSan); each cmocka test case counts once
  DIR/test_x.py    tests/DIR/test_x.py; functions named test_*: the QEMU
                   end-to-end tests, the oracle comparisons, fuzz runs

A listed suite that is missing, a test source under tests/ that is not
listed, a suite with no test in it, a binary that dies or hangs past its
timeout and a Python file that does not import are each a failure; the
closing line is printed whatever happened.

Usage: run.py [-j N] [SUBSTRING ...]   run only tests whose name contains
one of the substrings (e.g. "unit", "e2e", "test_crash_sysrq").
Exit status 1 if anything failed or nothing ran.
Environment: BUILD (build tree), TESTS_DIR (tests/), TESTS_MANIFEST.

The shared test infrastructure (the QEMU rig, disk images, the dump checks
and the memory oracle, the tools' environment, the bench's parsers) lives
in tests/lib/, which is on sys.path for every suite: `import rig` works
from any test directory, as does importing a module next to the test.
"""

import argparse
import glob
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
TESTS_DIR = os.environ.get("TESTS_DIR", os.path.join(ROOT, "tests"))
MANIFEST = os.environ.get("TESTS_MANIFEST",
                          os.path.join(TESTS_DIR, "suites.txt"))
LIB_DIR = os.path.join(TESTS_DIR, "lib")
UNIT_TIMEOUT = 600
PY_TIMEOUT = 1800

# Where test sources live; each pattern must match something, and every
# match must be in the manifest (name -> suite name).
SOURCE_GLOBS = [("unit/test_*.c", lambda b: "unit/" + b[:-2]),
                ("unit/tools/test_*.c", lambda b: "unit/" + b[:-2]),
                ("unit/test_*.py", lambda b: "unit/" + b),
                ("e2e/test_*.py", lambda b: "e2e/" + b),
                ("fuzz/test_*.py", lambda b: "fuzz/" + b)]

lock = threading.Lock()
counts = {"PASS": [], "FAIL": [], "SKIP": []}


def record(name, verdict, secs, detail=""):
    """verdict: "PASS", "FAIL" or "SKIP"; each name is recorded once."""
    with lock:
        counts[verdict].append(name)
        print("%s %s (%.1f s)" % (verdict, name, secs), flush=True)
        if detail and verdict != "PASS":
            print("    " + detail.rstrip().replace("\n", "\n    "),
                  flush=True)


def selected(name, filters):
    return not filters or any(f in name for f in filters)


def read_manifest(path):
    """[(suite, timeout or None)] in file order."""
    suites = []
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            opts = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            t = opts.get("timeout")
            suites.append((words[0], float(t) if t else None))
    return suites


def unlisted_sources(listed):
    """Failures for source globs that match nothing and for test sources
    the manifest does not name."""
    problems = []
    for pat, suite_of in SOURCE_GLOBS:
        found = sorted(glob.glob(os.path.join(TESTS_DIR, pat)))
        if not found:
            problems.append(("tests/" + pat, "matches no file"))
        for path in found:
            suite = suite_of(os.path.basename(path))
            if suite not in listed:
                problems.append((suite, "test source %s is not in %s: "
                                 "add it" % (path, MANIFEST)))
    return problems


RESULT_RE = re.compile(r"^\[\s*(OK|FAILED|SKIPPED|ERROR)\s*\] (\S+)\s*$")
RUN_RE = re.compile(r"^\[ RUN\s*\] (\S+)\s*$")


def parse_cmocka(out):
    """[(case, verdict)] from a cmocka binary's output, one per case that
    started.  The first result line after a case's RUN decides it (cmocka
    repeats FAILED and SKIPPED names in its summary); a case that started
    and never finished is a failure."""
    cases = {}
    order = []
    current = None
    for line in out.splitlines():
        m = RUN_RE.match(line)
        if m:
            current = m.group(1)
            if current not in cases:
                order.append(current)
                cases[current] = None
            continue
        m = RESULT_RE.match(line)
        if m and m.group(2) == current and cases.get(current) is None:
            cases[current] = {"OK": "PASS", "SKIPPED": "SKIP"}.get(
                m.group(1), "FAIL")
            current = None
    return [(c, cases[c] or "FAIL") for c in order]


def case_detail(out, case):
    return "\n".join(l for l in out.splitlines()
                     if case in l or "ERROR" in l or "error" in l)[-3000:]


def run_unit(suite, timeout):
    exe = os.path.join(BUILD, suite)
    if not os.access(exe, os.X_OK):
        record(suite, "FAIL", 0, "%s is missing (not built?)" % exe)
        return
    t0 = time.monotonic()
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout",
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    try:
        p = subprocess.run([exe], capture_output=True, text=True, env=env,
                           timeout=timeout or UNIT_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"")
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        record(suite, "FAIL", time.monotonic() - t0,
               "timed out after %.0f s\n%s" % (timeout or UNIT_TIMEOUT,
                                               out[-2000:]))
        return
    secs = time.monotonic() - t0
    out = p.stdout + p.stderr
    cases = parse_cmocka(out)
    if not cases or (p.returncode and all(v != "FAIL" for _, v in cases)):
        record(suite, "FAIL", secs,
               "exit %d, %d cases\n%s" % (p.returncode, len(cases),
                                          out[-4000:]))
        return
    for case, verdict in cases:
        record("%s/%s" % (suite, case), verdict, secs / len(cases),
               case_detail(out, case) if verdict != "PASS" else "")


def load_python(suite, filters):
    """[(test name, fn)] of one Python suite; failures recorded here."""
    path = os.path.join(TESTS_DIR, suite)
    d = suite.split("/")[0]
    if not os.path.exists(path):
        record(suite, "FAIL", 0, "%s is missing" % path)
        return []
    modname = "%s_%s" % (d, os.path.basename(path)[:-3])
    try:
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    except BaseException:
        record(suite, "FAIL", 0, "import failed\n" +
               traceback.format_exc()[-3000:])
        return []
    fns = [(a, getattr(mod, a)) for a in sorted(vars(mod))
           if a.startswith("test_") and callable(getattr(mod, a))]
    if not fns:
        record(suite, "FAIL", 0, "no test_* function in " + path)
    return [("%s/%s" % (d, a), fn) for a, fn in fns
            if selected("%s/%s" % (d, a), filters)]


def failure_detail(e):
    """Where the test failed, then its message: a long message (a guest's
    console tail) is cut from its start, never the line that failed."""
    where = traceback.format_tb(e.__traceback__)
    head = "".join(where[-3:])
    msg = "".join(traceback.format_exception_only(type(e), e))
    return head[-2000:] + msg[:1000] + (
        "[...]\n" + msg[-3000:] if len(msg) > 4000 else msg[1000:])


def run_one_python(name, fn, timeout):
    """Runs fn in a daemon thread; a test past its timeout is a failure
    and the run goes on without it."""
    box = {}

    def body():
        try:
            fn()
            box["verdict"] = ("PASS", "")
        except BaseException as e:
            skip = type(e).__name__ in ("SkipTest", "Skipped")
            box["verdict"] = ("SKIP" if skip else "FAIL",
                              failure_detail(e))

    t0 = time.monotonic()
    th = threading.Thread(target=body, daemon=True)
    th.start()
    th.join(timeout or PY_TIMEOUT)
    if th.is_alive():
        record(name, "FAIL", time.monotonic() - t0,
               "timed out after %.0f s" % (timeout or PY_TIMEOUT))
        return
    verdict, detail = box["verdict"]
    record(name, verdict, time.monotonic() - t0, detail)


def run_python(tests, jobs):
    """tests: [(name, fn, timeout)]"""
    pending = list(tests)
    threads = []
    while pending or threads:
        threads = [t for t in threads if t.is_alive()]
        while pending and len(threads) < max(jobs, 1):
            t = threading.Thread(target=run_one_python,
                                 args=pending.pop(0), daemon=True)
            t.start()
            threads.append(t)
        time.sleep(0.05)


def run_all(filters, jobs):
    if LIB_DIR not in sys.path:
        sys.path.insert(0, LIB_DIR)
    try:
        suites = read_manifest(MANIFEST)
    except OSError as e:
        record("manifest", "FAIL", 0, "cannot read %s: %s" % (MANIFEST, e))
        return
    listed = {s for s, _ in suites}
    for suite, why in unlisted_sources(listed):
        if selected(suite, filters) or suite.startswith("tests/"):
            record(suite, "FAIL", 0, why)
    py = []
    for suite, timeout in suites:
        if suite.endswith(".py"):
            py += [(n, fn, timeout) for n, fn in load_python(suite, filters)]
        elif selected(suite, filters):
            run_unit(suite, timeout)
    run_python(py, jobs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", "--jobs", type=int,
                    default=int(os.environ.get("TEST_JOBS", "1")))
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    t0 = time.monotonic()
    try:
        run_all(args.filters, args.jobs)
    except BaseException:
        record("run.py", "FAIL", time.monotonic() - t0,
               traceback.format_exc()[-3000:])
    finally:
        if not counts["PASS"] and not counts["FAIL"]:
            record("run.py", "FAIL", 0, "no test matched %s" % args.filters)
        if counts["FAIL"]:
            print("\nfailed:\n  " + "\n  ".join(counts["FAIL"]))
        print("\ntotal %.0f s" % (time.monotonic() - t0))
        print("%d passed, %d failed, %d skipped" % (
            len(counts["PASS"]), len(counts["FAIL"]), len(counts["SKIP"])),
            flush=True)
    sys.exit(1 if counts["FAIL"] else 0)


if __name__ == "__main__":
    main()
