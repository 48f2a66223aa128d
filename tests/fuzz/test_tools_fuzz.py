# SPDX-License-Identifier: GPL-2.0
"""Fuzzing what `bmdump save` and `info` parse (tests/fuzz/fuzz_tools.c)
for a bounded time from a generated seed corpus, and the command itself on
corrupted and truncated areas: a clear error and exit code, never a crash.

BMDUMP_FUZZ_SECONDS (default 60) bounds the libFuzzer run; its corpus is
kept under build/fuzz/tools-corpus between runs."""

import os
import random
import shutil
import subprocess

import toolsenv as T

FUZZ = os.path.join(T.BUILD, "fuzz")


def _seeds():
    seeds = os.path.join(FUZZ, "tools-seeds")
    shutil.rmtree(seeds, ignore_errors=True)
    os.makedirs(seeds)
    subprocess.run([os.path.join(FUZZ, "mkseeds_tools"), seeds], check=True)
    assert len(os.listdir(seeds)) >= 10
    return seeds


def test_tools_fuzz_libfuzzer():
    seeds = _seeds()
    corpus = os.path.join(FUZZ, "tools-corpus")
    os.makedirs(corpus, exist_ok=True)
    secs = int(os.environ.get("BMDUMP_FUZZ_SECONDS", "60"))
    art = os.path.join(FUZZ, "tools-artifacts") + "/"
    os.makedirs(art, exist_ok=True)
    p = subprocess.run([os.path.join(FUZZ, "fuzz_tools"),
                        "-max_total_time=%d" % secs, "-max_len=131072",
                        "-timeout=20", "-rss_limit_mb=2048",
                        "-artifact_prefix=" + art, "-print_final_stats=1",
                        corpus, seeds],
                       capture_output=True, text=True, timeout=secs + 300)
    tail = p.stderr[-3000:]
    assert p.returncode == 0, tail
    runs = [l for l in p.stderr.splitlines() if l.startswith("stat::"
                                                              "number_of_"
                                                              "executed_"
                                                              "units")]
    assert runs and int(runs[0].split(":")[-1]) > 1000, tail
    print(runs[0])


def test_tools_fuzz_cli_corrupt_areas():
    """Bit flips and truncations of a real area image: bmdump info and
    save end with exit 0, 1 or 4 and a message, never a signal."""
    d = T.workdir("fuzz-cli")
    img, uuid = T.make_disk(d, size_mib=16, area_mib=8)
    raw, _ = T.synth(d, pages=600)
    T.testarea("inject", img, 0, raw, "complete")
    h = T.header(img)
    off = int(h["offset"])
    dump = off + int(h["dump_offset"])
    with open(img, "rb") as f:
        pristine = f.read()
    rng = random.Random(1234)
    bad = os.path.join(d, "bad.img")
    seen = set()
    regions = [(off, 320), (dump, 4096 * 4), (dump + 4096 * 4, 300 * 1024)]
    for i in range(60):
        data = bytearray(pristine)
        start, length = regions[i % 3]
        for _ in range(rng.randint(1, 8)):
            pos = start + rng.randrange(length)
            data[pos] ^= 1 << rng.randrange(8)
        if i % 10 == 9:
            data = data[:off + rng.randrange(dump - off + 400 * 1024)]
        with open(bad, "wb") as f:
            f.write(data)
        for args in (["info", "--from", bad],
                     ["save", "--from", bad, "--read-only", "--dir",
                      os.path.join(d, "out")]):
            p = T.run(args)
            assert p.returncode in (0, 1, 4), (i, args, p.returncode,
                                               p.stderr[-2000:])
            if p.returncode:
                assert "bmdump: error:" in p.stderr, (i, p.stderr)
            seen.add(p.returncode)
    # The mutations must reach both the good and the bad paths.
    assert 0 in seen and 4 in seen, seen
