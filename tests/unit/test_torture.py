# SPDX-License-Identifier: GPL-2.0
"""tests/torture/torturelib.py: the seeded draw of `make torture`, the
outcome classifier and the summary table.  No QEMU."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "torture"))
import torturelib as TL  # noqa: E402

ALL = TL.select_cases("")


def test_torture_draw_is_reproducible_and_in_range():
    a = TL.campaign(7, 40, ALL)
    assert a == TL.campaign(7, 40, ALL)
    assert a != TL.campaign(8, 40, ALL)
    # run i does not depend on how many runs come before or after it
    assert TL.campaign(7, 5, ALL) == a[:5]
    assert TL.draw(7, 33, ALL) == a[33]
    mems = dict(TL.MEM_WEIGHTS)
    for r in a:
        assert r["case"] in ALL and r["mem_mib"] in mems
        assert 1 <= r["smp"] <= 4 and 0 <= r["crash_cpu"] < r["smp"]
        assert set(r["load"]) <= set(TL.LOADS)
    # small guests likelier than big ones, over many draws
    many = TL.campaign(1, 600, ALL)
    n = {m: sum(1 for r in many if r["mem_mib"] == m) for m in mems}
    assert n[1024] > n[2048] > n[8192] > 0, n
    assert len({r["case"] for r in many}) == len(ALL)
    assert {r["smp"] for r in many} == {1, 2, 3, 4}


def test_torture_case_loads():
    """A case that needs a load (nvme_complete: commands in flight) gets
    it whatever the draw; the others keep what they drew."""
    for r in TL.campaign(5, 40, TL.select_cases("nvme_complete")):
        assert "io" in r["load"], r
    drawn = TL.campaign(5, 200, ALL)
    assert any("io" not in r["load"] for r in drawn
               if r["case"] not in TL.CASE_LOADS)


def test_torture_case_filter():
    assert TL.select_cases("sysrq,zone") == ["sysrq", "zone_lock",
                                             "zone_lock_other"]
    assert all(r["case"] == "nmi"
               for r in TL.campaign(3, 10, TL.select_cases("nmi")))
    try:
        TL.select_cases("nosuchcase")
    except ValueError as e:
        assert "nosuchcase" in str(e)
    else:
        raise AssertionError("an empty filter result was accepted")


GOOD = dict(final=True, stub_entered=True, timed_out=False, outside_ok=True,
            state=3, incomplete=False, reason=None, check_error=None)


def facts(**kw):
    return dict(GOOD, **kw)


def test_torture_classify():
    rows = [
        (facts(), "complete", ""),
        # silence: the stub ran, said nothing and wrote nothing
        (facts(state=1, reason=None), "FAIL", "silence"),
        (facts(final=False, stub_entered=False, state=1), "FAIL",
         "never started"),
        (facts(final=False, timed_out=True), "FAIL", "hang"),
        (facts(outside_ok=False), "FAIL", "outside the area"),
        (facts(check_error="AssertionError: 3 pages differ"), "FAIL",
         "3 pages differ"),
        (facts(incomplete=True, reason="dump: 9 pages, area INCOMPLETE"),
         "incomplete", "area INCOMPLETE"),
        (facts(incomplete=True), "FAIL", "without a logged reason"),
        (facts(state=2, reason="error -1201 in stage write: timeout"),
         "incomplete", "error -1201"),
        (facts(state=2), "FAIL", "without a logged reason"),
        (facts(state=1, reason="area: no dump area with the UUID"),
         "refused", "no dump area"),
        (facts(state=None, reason="nothing written: no NVMe"), "refused",
         "no NVMe"),
        # a refusal still needs the final action
        (facts(state=1, reason="area: x", final=False), "FAIL",
         "no final action"),
    ]
    for f, outcome, why in rows:
        got = TL.classify(f)
        assert got[0] == outcome and why in got[1], (f, got)
    assert {o for _, o, _ in rows} == set(TL.OUTCOMES)


def test_torture_summary_table():
    runs = [dict(case="sysrq", outcome="complete", panic_to_final_s=1.0,
                 bitmap_source="hook"),
            dict(case="sysrq", outcome="complete", panic_to_final_s=3.0,
                 bitmap_source="hook"),
            dict(case="sysrq", outcome="FAIL", panic_to_final_s=None,
                 bitmap_source=None),
            dict(case="desc", outcome="complete", panic_to_final_s=2.5,
                 bitmap_source="full"),
            dict(case="area_header", outcome="refused",
                 panic_to_final_s=0.5, bitmap_source=None)]
    lines = TL.summary(runs).splitlines()
    rows = {line.split()[0]: line.split() for line in lines[2:]
            if not line.startswith("-")}
    assert rows["sysrq"][:6] == ["sysrq", "3", "2", "0", "0", "1"]
    assert rows["sysrq"][6:8] == ["2.00", "3.00"], rows["sysrq"]
    assert rows["sysrq"][8:] == ["-:1", "hook:2"], rows["sysrq"]
    assert rows["desc"][1:6] == ["1", "1", "0", "0", "0"]
    assert rows["area_header"][1:6] == ["1", "0", "0", "1", "0"]
    assert rows["total"][1:] == ["5", "3", "0", "1", "1"]
    assert list(rows)[:3] == ["area_header", "desc", "sysrq"]


# crash's `bt -a` of the crashing CPU: a double fault's oops kexecs from
# oops_end() (no panic(), so `sys` may show no PANIC); sysrq panics first.
BT_OOPS_END = """PID: 166      TASK: ffff8d3340813080  CPU: 0    COMMAND: "sh"
 #0 [fffffe000000ace8] machine_kexec at ffffffff95e77391
 #1 [fffffe000000acf0] bm_kexec_pre at ffffffffc04d703a [bmdump]
 #2 [fffffe000000acf8] kprobe_ftrace_handler at ffffffff95e7b22b
 #3 [fffffe000000ad98] machine_kexec at ffffffff95e7754f
 #4 [fffffe000000adf0] __crash_kexec at ffffffff95f74117
 #5 [fffffe000000aeb0] crash_kexec at ffffffff95f751a8
 #6 [fffffe000000aeb8] oops_end at ffffffff95e36321
 #7 [fffffe000000aed8] handle_stack_overflow at ffffffff95e32bf9
"""
BT_PANIC = """PID: 138      TASK: ffff8d3340813080  CPU: 0    COMMAND: "sh"
 #0 [ffffb3c8c03bfb28] machine_kexec at ffffffff8c2774b1
 #1 [ffffb3c8c03bfb80] __crash_kexec at ffffffff8c374117
 #2 [ffffb3c8c03bfc40] panic at ffffffff8cb1f5c4
 #3 [ffffb3c8c03bfcc0] oops_end at ffffffff8c236321
"""


def test_torture_kexec_from_oops_end():
    import dumpcheck
    assert dumpcheck.kexec_from_oops_end(BT_OOPS_END)
    assert not dumpcheck.kexec_from_oops_end(BT_PANIC)
    assert not dumpcheck.kexec_from_oops_end("")
