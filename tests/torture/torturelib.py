# SPDX-License-Identifier: GPL-2.0
"""The pure logic of `make torture` (tests/torture/torture.py): which
crash each run draws, what a run's facts mean, and the summary table.
No QEMU here: tests/unit/test_torture.py checks all of it in a second.

A run's outcome, from what the rig saw (facts()):
  complete    the area is COMPLETE, not flagged, the stub logged its
              final action, and the readers and the memory oracle agree;
  incomplete  a dump flagged INCOMPLETE (or left WRITING after a logged
              error), with the reason the stub logged;
  refused     nothing written, with the reason the stub logged;
  FAIL        anything else: no final action before the deadline (a
              hang, or a kernel that never reached the stub), silence, a
              byte changed outside the area, a complete dump the readers
              or the oracle reject.
"""

import random

OUTCOMES = ("complete", "incomplete", "refused", "FAIL")

# name: (what breaks, the outcome a sound bmdump should reach)
CASES = {
    "sysrq": ("panic from sysrq-c", "complete"),
    "oops": ("NULL dereference with oops=panic", "complete"),
    "timer_bug": ("BUG() in a timer callback (interrupt context)",
                  "complete"),
    "nmi": ("QMP inject-nmi with unknown_nmi_panic=1", "complete"),
    "overflow": ("kernel stack overflow (double fault)", "complete"),
    "lockup": ("panic while the other CPUs spin with interrupts off",
               "complete"),
    "zone_lock": ("panic holding zone->lock", "complete"),
    "zone_lock_other": ("panic while another CPU holds zone->lock with "
                        "interrupts off", "complete"),
    "scribble": ("random words written into N struct pages", "complete"),
    "freelist": ("a buddy free-list link pointing outside RAM", "complete"),
    "mem_section": ("mem_section[0] overwritten", "complete"),
    "desc": ("a byte of bmdump.ko's descriptor flipped after the fill",
             "complete"),
    "bitmap": ("a byte of bmdump.ko's bitmap flipped after the fill",
               "complete"),
    "area_header": ("the area header overwritten after the load",
                    "refused"),
    "nvme_complete": ("panic in the NVMe completion interrupt, reads and "
                      "the I/O load in flight", "complete"),
    "nvme_reset": ("the guest driver resetting the NVMe controller as "
                   "the kernel panics", "complete"),
    "hook_text": ("a code page of bmdump.ko's fill overwritten before "
                  "the panic", "complete"),
    "hook_entry": ("the page of bmdump.ko's hook entry, or of its fault "
                   "rescue, overwritten before the panic", "complete"),
    "nvme_write_error": ("the dump disk fails every write to one sector "
                         "of the area (QEMU blkdebug)", "incomplete"),
    "nvme_stall": ("the dump disk stops completing writes partway "
                   "through the dump (QEMU I/O throttling)", "incomplete"),
}

# Load a case needs whatever the draw says: its commands in flight.
CASE_LOADS = {"nvme_complete": ("io",)}
# Load a case cannot have: nvme_stall's write budget is the stub's alone.
CASE_NO_LOADS = {"nvme_stall": ("io",)}

# Guest RAM (MiB) and weights: small sizes likelier, so runs are quick.
MEM_WEIGHTS = ((1024, 6), (2048, 3), (4096, 2), (8192, 1))
LOADS = ("pagecache", "anon", "io")


def select_cases(spec):
    """Case names matching a filter: comma-separated substrings (empty:
    all).  Raises ValueError when nothing matches."""
    words = [w for w in (spec or "").split(",") if w.strip()]
    names = [n for n in CASES
             if not words or any(w.strip() in n for w in words)]
    if not names:
        raise ValueError("no torture case matches %r (cases: %s)" % (
            spec, ", ".join(CASES)))
    return names


def draw(seed, index, cases):
    """Run `index` of the campaign with seed `seed`: the same (seed,
    index, cases) always draws the same run, whatever came before."""
    rng = random.Random("bmdump-torture:%d:%d" % (seed, index))
    mems, weights = zip(*MEM_WEIGHTS)
    smp = rng.randint(1, 4)
    run = {
        "index": index,
        "seed": seed,
        "case": rng.choice(list(cases)),
        "mem_mib": rng.choices(mems, weights)[0],
        "smp": smp,
        "crash_cpu": rng.randrange(smp),
        "load": [name for name in LOADS if rng.random() < 0.5],
        "case_seed": rng.getrandbits(31),
    }
    run["load"] += [name for name in CASE_LOADS.get(run["case"], ())
                    if name not in run["load"]]
    run["load"] = [name for name in run["load"]
                   if name not in CASE_NO_LOADS.get(run["case"], ())]
    return run


def campaign(seed, runs, cases):
    return [draw(seed, i, cases) for i in range(runs)]


def classify(f):
    """(outcome, reason) of a run from its facts, a dict:
      final        the stub's final action line seen (bool)
      stub_entered the stub printed its first line (bool)
      timed_out    the rig killed QEMU at its deadline (bool)
      outside_ok   no byte outside the area changed (bool)
      state        area state after the run (int; None: unreadable)
      state_before area state before the crash (int)
      incomplete   the area header's INCOMPLETE flag (bool)
      reason       the stub's logged reason line (error, refusal,
                   INCOMPLETE), or None
      check_error  what the readers / the oracle rejected, or None"""
    if f.get("timed_out") or not f.get("final"):
        why = "no final action"
        if f.get("timed_out"):
            why += " before the deadline (hang)"
        if not f.get("stub_entered"):
            why += "; the stub never started"
        return "FAIL", why
    if not f.get("outside_ok"):
        return "FAIL", "bytes outside the area changed"
    state = f.get("state")
    reason = f.get("reason")
    if state == 3 and not f.get("incomplete"):
        if f.get("check_error"):
            return "FAIL", "complete dump rejected: %s" % f["check_error"]
        return "complete", ""
    if state == 3 or state == 2:
        if not reason:
            return "FAIL", "dump left incomplete without a logged reason"
        if f.get("check_error") and state == 3:
            return "FAIL", "incomplete dump rejected: %s" % f["check_error"]
        return "incomplete", reason
    if reason:
        return "refused", reason
    return "FAIL", "nothing written and no reason logged (silence)"


def _median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def summary(runs):
    """The table: one row per case drawn, counts per outcome, the median
    and the maximum panic -> final action time (s), bitmap sources."""
    rows = {}
    for r in runs:
        row = rows.setdefault(r["case"], {"n": 0, "times": [],
                                          "sources": {},
                                          **{o: 0 for o in OUTCOMES}})
        row["n"] += 1
        row[r["outcome"]] += 1
        if r.get("panic_to_final_s") is not None:
            row["times"].append(r["panic_to_final_s"])
        src = r.get("bitmap_source") or "-"
        row["sources"][src] = row["sources"].get(src, 0) + 1
    head = "%-16s %4s %8s %10s %7s %4s %9s %9s  %s" % (
        "case", "runs", "complete", "incomplete", "refused", "FAIL",
        "median s", "max s", "bitmap source")
    out = [head, "-" * len(head)]
    total = {o: 0 for o in OUTCOMES}
    for case in sorted(rows):
        row = rows[case]
        med = _median(row["times"])
        mx = max(row["times"]) if row["times"] else None
        out.append("%-16s %4d %8d %10d %7d %4d %9s %9s  %s" % (
            case, row["n"], row["complete"], row["incomplete"],
            row["refused"], row["FAIL"],
            "-" if med is None else "%.2f" % med,
            "-" if mx is None else "%.2f" % mx,
            " ".join("%s:%d" % kv for kv in sorted(row["sources"].items()))))
        for o in OUTCOMES:
            total[o] += row[o]
    out.append("-" * len(head))
    out.append("%-16s %4d %8d %10d %7d %4d" % (
        "total", len(runs), total["complete"], total["incomplete"],
        total["refused"], total["FAIL"]))
    return "\n".join(out)
