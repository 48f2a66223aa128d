# SPDX-License-Identifier: GPL-2.0
"""Runs each libFuzzer target (build/fuzz/fuzz_*, built by `make`) for a
bounded time on its corpus, build/fuzz/corpus/<target>/: the seeds of
tests/fuzz/corpus/<target>/ plus everything earlier runs found (kept
between runs, so each run starts where the last one stopped).  A crash, a
sanitizer report, a timeout or an out-of-memory fails the test; the input
that caused it is kept in build/fuzz/run/<target>/artifacts/.  So does
coverage below the target's floor (COV_FLOOR: edges a 20 s run from the
seeds alone reached, less a margin), which catches a target that stopped
reaching its parser.

FUZZ_SECONDS (default 20) sets the time per target.
"""

import glob
import os
import re
import shutil
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
SECONDS = int(os.environ.get("FUZZ_SECONDS", "20"))

# Inputs longer than the structures they model only slow the search down.
MAX_LEN = {
    "cmdline": 8192,        # past CMDLINE_MAX (4096)
    "bootparams": 16384,    # boot_params + command line + setup_data
    "elfcore": 32768,       # headers, notes, VMCOREINFO (4132) and more
    "vmcoreinfo": 8192,
    "acpi": 32768,
    "desc": 16385,          # flags, descriptor page, three bitmap pages
    "gpt": 32770,           # flags, size, 8 blocks of 4 KiB
    "dmar": 4097,           # flags, a DMAR of a few units
    "ivrs": 4097,           # flags, an IVRS of a few IVHD blocks
    "smbios": 4129,         # flags, entry point (32), a 4 KiB table
    "scan": 135171,         # flags, length, VMCOREINFO (4096), 32 pages
}


# libFuzzer's "cov:" edges at the end of a run: 85 % of what 20 s runs from
# the seeds alone reached on 2026-12-02 (acpi 129, bootparams 177, cmdline
# 184, desc 134, elfcore 183, gpt 106, vmcoreinfo 79 edges).
COV_FLOOR = {
    "cmdline": 156,
    "bootparams": 150,
    "elfcore": 155,
    "vmcoreinfo": 67,
    "acpi": 110,
    "desc": 114,
    "gpt": 90,
    "dmar": 42,
    "ivrs": 45,
    "smbios": 71,           # 84 edges in 15 s from the seeds
    "scan": 250,            # 294 edges in 20 s from the seeds (2026-12-07)
}


def kept_corpus(target, seeds):
    """build/fuzz/corpus/<target>, with every seed copied in."""
    corpus = os.path.join(BUILD, "fuzz", "corpus", target)
    os.makedirs(corpus, exist_ok=True)
    for name in os.listdir(seeds):
        dst = os.path.join(corpus, "seed-" + name)
        if not os.path.exists(dst):
            shutil.copyfile(os.path.join(seeds, name), dst)
    return corpus


def run_target(target):
    exe = os.path.join(BUILD, "fuzz", "fuzz_" + target)
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built: run make" % exe)
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", target)
    nseeds = len(os.listdir(seeds))
    if not nseeds:
        raise AssertionError("no seeds in %s" % seeds)
    work = os.path.join(BUILD, "fuzz", "run", target)
    shutil.rmtree(work, ignore_errors=True)
    corpus = kept_corpus(target, seeds)
    artifacts = os.path.join(work, "artifacts")
    os.makedirs(artifacts)
    cmd = [exe, "-max_total_time=%d" % SECONDS, "-timeout=10",
           "-rss_limit_mb=2048", "-max_len=%d" % MAX_LEN[target],
           "-print_final_stats=1", "-artifact_prefix=" + artifacts + "/",
           corpus]
    dictionary = os.path.join(ROOT, "tests", "fuzz", target + ".dict")
    if os.path.exists(dictionary):
        cmd.insert(1, "-dict=" + dictionary)
    env = dict(os.environ,
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=SECONDS * 10 + 300)
    with open(os.path.join(work, "log"), "w") as f:
        f.write(p.stderr)
    found = sorted(glob.glob(os.path.join(artifacts, "*")))
    if p.returncode != 0 or found:
        raise AssertionError("fuzz_%s failed (exit %d), inputs kept: %s\n%s"
                             % (target, p.returncode, found,
                                p.stderr[-3000:]))
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", p.stderr)
    if not m or int(m.group(1)) <= nseeds:
        raise AssertionError("fuzz_%s did not run:\n%s"
                             % (target, p.stderr[-3000:]))
    cov = [int(c) for c in re.findall(r"cov: (\d+)", p.stderr)]
    summary = ("fuzz_%s: %s executions in %d s, %d seeds -> %d corpus "
               "files, %s edges covered (floor %d)" %
               (target, m.group(1), SECONDS, nseeds, len(os.listdir(corpus)),
                cov[-1] if cov else "?", COV_FLOOR[target]))
    with open(os.path.join(work, "summary"), "w") as f:
        f.write(summary + "\n")
    print("    " + summary, flush=True)
    if not cov or cov[-1] < COV_FLOOR[target]:
        raise AssertionError("fuzz_%s covered %s edges, below its floor %d"
                             % (target, cov[-1] if cov else "no",
                                COV_FLOOR[target]))


def test_fuzz_cmdline():
    run_target("cmdline")


def test_fuzz_bootparams():
    run_target("bootparams")


def test_fuzz_elfcore():
    run_target("elfcore")


def test_fuzz_vmcoreinfo():
    run_target("vmcoreinfo")


def test_fuzz_acpi():
    run_target("acpi")


def test_fuzz_desc():
    run_target("desc")


def test_fuzz_gpt():
    run_target("gpt")


def test_fuzz_dmar():
    run_target("dmar")


def test_fuzz_ivrs():
    run_target("ivrs")


def test_fuzz_smbios():
    run_target("smbios")


def test_fuzz_scan():
    run_target("scan")
