#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Runs every test and ends with one line: "N passed, N failed".

  unit tests   build/unit/test_*  (cmocka, host-built, ASan + UBSan);
               each cmocka test case counts once
  python tests tests/*/test_*.py  functions named test_*; the QEMU
               end-to-end tests, the oracle comparisons, fuzz runs

Usage: run.py [-j N] [SUBSTRING ...]   run only tests whose name contains
one of the substrings (e.g. "unit", "e2e", "test_crash_sysrq").
Exit status 1 if anything failed.
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
PY_DIRS = ["unit", "e2e", "fuzz"]

lock = threading.Lock()
passed = []
failed = []


def record(name, ok, secs, detail=""):
    with lock:
        (passed if ok else failed).append(name)
        print("%s %s (%.1f s)" % ("PASS" if ok else "FAIL", name, secs),
              flush=True)
        if detail and not ok:
            print("    " + detail.rstrip().replace("\n", "\n    "),
                  flush=True)


def selected(name, filters):
    return not filters or any(f in name for f in filters)


def run_unit(filters):
    for exe in sorted(glob.glob(os.path.join(BUILD, "unit", "test_*"))):
        if not os.access(exe, os.X_OK) or exe.endswith(".o"):
            continue
        suite = "unit/" + os.path.basename(exe)
        if not selected(suite, filters):
            continue
        t0 = time.monotonic()
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout",
                   ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        p = subprocess.run([exe], capture_output=True, text=True, env=env,
                           timeout=600)
        secs = time.monotonic() - t0
        out = p.stdout + p.stderr
        cases = re.findall(r"^\[\s+(OK|FAILED)\s+\] (\S+)$", out, re.M)
        if not cases or (p.returncode and not any(
                s == "FAILED" for s, _ in cases)):
            record(suite, False, secs,
                   "exit %d\n%s" % (p.returncode, out[-4000:]))
            continue
        for status, case in cases:
            ok = status == "OK"
            detail = ""
            if not ok:
                detail = "\n".join(l for l in out.splitlines()
                                   if case in l or "ERROR" in l
                                   or "error" in l)[-3000:]
            record("%s/%s" % (suite, case), ok, secs / len(cases), detail)


def python_tests(filters):
    tests = []
    for d in PY_DIRS:
        for path in sorted(glob.glob(os.path.join(ROOT, "tests", d,
                                                  "test_*.py"))):
            modname = "%s_%s" % (d, os.path.basename(path)[:-3])
            sys.path.insert(0, os.path.dirname(path))
            spec = importlib.util.spec_from_file_location(modname, path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            for attr in sorted(vars(mod)):
                fn = getattr(mod, attr)
                if attr.startswith("test_") and callable(fn):
                    name = "%s/%s" % (d, attr)
                    if selected(name, filters):
                        tests.append((name, fn))
    return tests


def run_python(tests, jobs):
    def one(name, fn):
        t0 = time.monotonic()
        try:
            fn()
            record(name, True, time.monotonic() - t0)
        except Exception:
            record(name, False, time.monotonic() - t0,
                   traceback.format_exc()[-4000:])

    if jobs <= 1:
        for name, fn in tests:
            one(name, fn)
        return
    pending = list(tests)
    threads = []
    while pending or threads:
        threads = [t for t in threads if t.is_alive()]
        while pending and len(threads) < jobs:
            name, fn = pending.pop(0)
            t = threading.Thread(target=one, args=(name, fn))
            t.start()
            threads.append(t)
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", "--jobs", type=int,
                    default=int(os.environ.get("TEST_JOBS", "1")))
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    t0 = time.monotonic()
    run_unit(args.filters)
    run_python(python_tests(args.filters), args.jobs)
    if failed:
        print("\nfailed:\n  " + "\n  ".join(failed))
    print("\ntotal %.0f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (len(passed), len(failed)))
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
