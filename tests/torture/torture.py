#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""`make torture`: crashes of a kernel that is really broken (issue 18).

Each run draws, from a seeded RNG (torturelib.draw), a case (how the
kernel breaks: tests/torture/torturelib.py CASES, done through the test
module's torture_* debugfs knobs, bmdump_testmod's corrupt_at_crash, the
guest's shell or QEMU's QMP), guest RAM (1-8 GiB, small likelier), 1-4
vCPUs, the crashing CPU and background load (page cache on tmpfs and the
dump disk's first partition, anonymous memory, direct I/O to that
partition).  It boots the rig with bmdump.ko and the stub armed, breaks
the kernel, and records:

  - the stub's final action line, and the panic -> final action time
    (no line before the rig's deadline: a hang);
  - every byte of the disk outside the area (and the partition the load
    writes on purpose) unchanged;
  - the area's outcome (torturelib.classify: complete, incomplete with
    the logged reason, refused with the logged reason, or FAIL);
  - for a dump: dumpcheck.check_dump, i.e. the memory oracle (every
    dumped page equals guest RAM copied by QEMU's dump-guest-memory at
    the stub's reset), makedumpfile --dump-dmesg (the kernel log), crash
    --osrelease, drgn reads and the crashed CPU's registers, and for a
    complete dump crash's `sys`, `bt -a` and `log` (with the rig kernel's
    debug vmlinux) printing what they print on the RAM copy;
  - which bitmap source the stub used, and its bitmap line (why).

Raw runs: build/torture/<seed>/run-NNN.json and build/torture/<seed>/
campaign.json; the summary table (torturelib.summary) to stdout and
build/torture/<seed>/summary.txt.

Usage: torture.py [--runs N] [--seed S] [--cases sysrq,oops,...]
"""

import argparse
import json
import os
import re
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import dumpcheck  # noqa: E402
import oracle  # noqa: E402
import rig  # noqa: E402
import test_dump as td  # noqa: E402
import torturelib as TL  # noqa: E402

OUT = os.path.join(rig.BUILD, "torture")
# nvme_stall: bmdump.deadline= (s), what ends the stub's wait on the
# stalled disk before the driver's own 30 s without a completion
STALL_DEADLINE_S = 20
HOOKTEST = os.path.join(rig.BUILD, "hooktest", "bmdump-hooktest")
KNOB = "/sys/kernel/debug/bmdump_testmod/"
# crash's sys, bt -a and log on every complete dump, against the RAM copy:
# torture.mk installs the rig kernel's -dbg package for it.
VMLINUX = dumpcheck.debug_vmlinux(rig.KVER)
# The crash's own words in the dump's kernel log, whatever the case.
CRASH_TEXT = ("Kernel panic - not syncing", "sysrq triggered crash", "Oops",
              "kernel BUG at", "stack guard page", "double fault",
              "NMI: Not continuing")

# Background load, before the case breaks the kernel.  {pc}, {anon}: MiB.
LOAD = {
    "pagecache": r'''
mkdir -p /fill && mount -t tmpfs -o size={pc_size}m fill /fill
head -c 16777216 /dev/urandom > /fill/r0
i=1; while [ $i -lt $(({pc} / 16)) ]; do cp /fill/r0 /fill/r$i; i=$((i+1)); done
cat ${{d}}p1 > /dev/null
echo "RIG: load-pagecache=$(du -sm /fill | cut -f1)"
''',
    "anon": r'''
bmdump-hooktest hog {anon} > /tmp/hog.log &
i=0; until grep -q hog-ready /tmp/hog.log; do
    sleep 1; i=$((i+1)); [ $i -gt 300 ] && break; done
echo "RIG: load-anon=$(grep -c hog-ready /tmp/hog.log)"
''',
    "io": r'''
# the partition is small: write it over and over until the crash
(while :; do dd if=/dev/zero of=${{d}}p1 bs=1M oflag=direct 2>/dev/null
 done) &
sleep 1
echo "RIG: load-io=$(kill -0 $! && echo running)"
''',
}


def case_shell(run):
    """(before_crash shell, crash trigger, extra kernel command line) of
    the run's case.  Triggers run under taskset on the crashing CPU."""
    case, s = run["case"], run["case_seed"]
    knob = "sh:echo 1 > %storture_%s; sleep 30" % (KNOB, case)
    if case in ("sysrq", "oops"):
        return "", case, ""
    if case == "nmi":
        # the host injects the NMI once it sees crash-cpu= (nmi_injector)
        return "", "sh:sleep 60", "unknown_nmi_panic=1"
    if case == "scribble":
        return "", "sh:echo %d %d > %storture_scribble; sleep 30" % (
            1 + s % 64, s, KNOB), ""
    if case == "desc":
        flip = ('echo "$(printf 0x%%x $(( $(cat /sys/kernel/bmdump/'
                'descriptor) + %d ))) %#x" > %scorrupt_at_crash' % (
                    s % 280, 1 << (s >> 9) % 8, KNOB))
        return flip, "sysrq", ""
    if case == "bitmap":
        # the first chunk's physical address: the descriptor's byte 256
        flip = ('dsc=$(cat /sys/kernel/bmdump/descriptor)\n'
                'printf 0x%%x $((dsc + 256)) > %speek\n'
                'ph=$(cat %speek)\n'
                'echo "RIG: bitmap-chunk0=$ph"\n'
                'echo "$(printf 0x%%x $((ph + %d))) %#x" > '
                '%scorrupt_at_crash' % (KNOB, KNOB, s % 4096,
                                        1 << (s >> 12) % 8, KNOB))
        return flip, "sysrq", ""
    if case == "nvme_complete":
        # the Nth of 256 reads to complete panics; mq-deadline or none:
        # blk-mq completes inline (before the CQ doorbell) or batched
        sched = ("mq-deadline", "none")[s % 2]
        pre = ('echo %s > /sys/block/${d#/dev/}/queue/scheduler\n'
               'echo "RIG: scheduler=$(cat /sys/block/${d#/dev/}/queue/'
               'scheduler)"\nexport TORTURE_DEV=$d\n' % sched)
        return pre, ('sh:echo "$TORTURE_DEV %d" > %storture_nvme_complete'
                     '; sleep 30' % (1 + (s >> 1) % 192, KNOB)), ""
    if case == "nvme_reset":
        # the reset (disable, enable, queues again) races the panic:
        # 0-150 ms apart; the stub logs the CC/CSTS it found (nvme_found)
        return "", ("sh:echo 1 > /sys/class/nvme/nvme0/reset_controller & "
                    "usleep %d; echo c > /proc/sysrq-trigger" % (
                        (s % 31) * 5000)), ""
    if case in ("hook_text", "hook_entry"):
        # hook_text: the first or the last page of the fill loop (it ends
        # just before bmdump_ram_ranges); hook_entry: the page of the
        # hook's entry (no rescue possible: the crash image is not known
        # yet) or of the fault rescue.  int3, zeros or random bytes over
        # the whole page: torture_hook_text
        sym, back = (("bmdump_fill", 0), ("bmdump_ram_ranges", 16))[
            (s // 3) % 2]
        if case == "hook_entry":
            sym, back = ("bm_kexec_pre", "bm_die_notify")[(s // 3) % 2], 0
        pre = ('a=$(grep -w %s /proc/kallsyms | cut -d" " -f1)\n'
               'export TORTURE_TEXT=$(printf %%x $((0x$a - %d)))\n'
               'echo "RIG: hook-text=%s $TORTURE_TEXT"\n' % (sym, back, sym))
        return pre, ('sh:echo "$TORTURE_TEXT %d" > %storture_hook_text; '
                     'sleep 30' % (s % 3, KNOB)), ""
    if case == "nvme_write_error":
        return "", "sysrq", ""      # the fault is QEMU's: write_error_rules
    if case == "nvme_stall":
        # the host throttles the dump disk on this line (stall_budget);
        # the wait keeps the guest's own writes out of the budget
        return 'echo "RIG: stall-armed"\nsleep 3\n', "sysrq", ""
    if case == "area_header":
        smash = ('dd if=/dev/urandom of=${d}p2 bs=512 count=%d '
                 'conv=notrunc,fsync oflag=direct 2>/dev/null\n'
                 'echo "RIG: area-smashed=$?"' % (1 + s % 8))
        return smash, "sysrq", ""
    return "", knob, ""


def write_error_rules(run, disk):
    """blkdebug rules for nvme_write_error: EIO for every write that
    covers one sector 1-33 MiB into the area, i.e. past the headers and
    bitmaps, somewhere in the page data (the dump is at least 100 MiB)."""
    s = run["case_seed"]
    off = disk.area_off + (1 << 20) + (s % (32 << 20)) // 512 * 512
    path = os.path.join(os.path.dirname(disk.path), "blkdebug.conf")
    with open(path, "w") as f:
        f.write('[inject-error]\nevent = "pwritev"\nerrno = "5"\n'
                'sector = "%d"\nonce = "off"\n' % (off // 512))
    disk.disk.blkdebug = path
    return off


def stub_append(run):
    """The case's words for the stub's command line (kexec --append)."""
    if run["case"] == "nvme_stall":
        return "bmdump.deadline=%d" % STALL_DEADLINE_S
    return ""


def stall_budget(run):
    """nvme_stall: the bytes of writes the dump disk completes after the
    guest's stall-armed line, 4-36 MiB (a dump is at least 100 MiB)."""
    return (4 + run["case_seed"] % 33) << 20


def load_shell(run):
    mem = run["mem_mib"]
    pc, anon = max(16, mem // 8 // 16 * 16), mem // 8
    text = "".join(LOAD[name].format(pc=pc, pc_size=pc + 32, anon=anon)
                   for name in run["load"])
    return 'd=$(disk bmdump0)\n' + text


def nmi_injector(sock, log, deadline, state):
    """Waits for the guest's crash-cpu= line in the serial log, then
    sends QMP inject-nmi (every vCPU gets an NMI)."""
    while time.monotonic() < deadline:
        try:
            with open(log, errors="replace") as f:
                if "RIG: crash-cpu=" in f.read():
                    break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        state["nmi"] = "crash-cpu= never seen"
        return
    time.sleep(2)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sock)
        f = s.makefile("rw")
        f.readline()
        for cmd in ("qmp_capabilities", "inject-nmi"):
            f.write(json.dumps({"execute": cmd}) + "\n")
            f.flush()
            state["nmi"] = f.readline().strip()
    except OSError as e:
        state["nmi"] = "QMP: %s" % e
    finally:
        s.close()


REASONS = (r"bmdump: (error -?\d+ in stage .*)$",
           r"bmdump: (nothing written: .*)$")


def stub_reason(res, state):
    """The stub's logged reason for anything short of a complete dump."""
    for pat in REASONS:
        _, m = res.find(pat)
        if m:
            return m.group(1)
    if state not in (2, 3):
        found = [m.group(1) for _, m in res.find_all(r"bmdump: (area: .*)$")
                 if not re.match(r"area: \S+ partition \d+: area ",
                                 m.group(1))]
        if found:
            return found[-1]
    _, m = res.find(r"bmdump: (dump: .*area INCOMPLETE.*)$")
    return m.group(1) if m else None


def area_facts(disk):
    """(header fields, state, INCOMPLETE flag); state None when the
    header fails its own check (a case overwrote it)."""
    try:
        a = disk.area()
        if a.get("check") != "0":
            return a, None, False
        return a, int(a["state"]), bool(int(a["flags"]) & 1)
    except Exception as e:
        return {"error": str(e)[-300:]}, None, False


def boot(run, name, disk, scen, append):
    """One guest; returns res (its RAM copy still on disk)."""
    mem, timeout = run["mem_mib"], 240 + 60 * (run["mem_mib"] >> 10)
    extra, state, th = [], {}, None
    gdir = os.path.join(rig.E2E_BUILD, name)
    log = os.path.join(gdir, "boot1.serial.log")
    if os.path.exists(log):
        os.unlink(log)
    if run["case"] == "nmi":
        sock = os.path.join(gdir, "nmi.qmp")
        extra = ["-qmp", "unix:%s,server=on,wait=off" % sock]
        th = threading.Thread(target=nmi_injector, daemon=True, args=(
            sock, log, time.monotonic() + timeout, state))
        th.start()
    if run["case"] == "nvme_stall":
        sock = os.path.join(gdir, "stall.qmp")
        extra = ["-qmp", "unix:%s,server=on,wait=off" % sock]
        th = threading.Thread(target=rig.qmp_on_line, daemon=True, args=(
            sock, log, r"RIG: stall-armed", rig.qmp_stall_writes(
                "d0", stall_budget(run)), time.monotonic() + timeout,
            state))
        th.start()
    _, res = td.run(name, disk, scen, mem_mib=mem, smp=run["smp"],
                    timeout=timeout, may_time_out=True, extra_args=extra,
                    append=append,
                    extra_files={"usr/bin/bmdump-hooktest": HOOKTEST})
    if th:
        th.join(timeout=5)
    res.nmi = state.get("nmi") or state.get("qmp")
    return res


def one_run(run):
    """Boot, break, crash, judge: the run's record (a dict)."""
    name = "torture-%d-%03d" % (run["seed"], run["index"])
    marker = "bmdump-torture-%d-%d" % (run["seed"], run["index"])
    disk = td.new_disk(name, area_mib=run["mem_mib"] + 256)
    also = [disk.parts[0]] if "io" in run["load"] else []
    outside = disk.digest_outside_area(also)
    fault = None
    if run["case"] == "nvme_write_error":
        fault = write_error_rules(run, disk)
    if run["case"] == "nvme_stall":
        fault = stall_budget(run)
    before, trigger, append = case_shell(run)
    scen = rig.SH_NVME_DISK + td.scenario(
        td.AREA_UUID, 1000 + run["index"], marker, trigger=trigger,
        cpu=run["crash_cpu"], before_crash=load_shell(run) + before,
        append=stub_append(run))
    t0 = time.monotonic()
    res = boot(run, name, disk, scen, append)
    rec = dict(run, name=name, log=res.log, host_s=round(
        time.monotonic() - t0, 1), timed_out=res.timed_out, nmi=res.nmi,
        fault_offset=fault)
    try:
        judge(rec, res, disk, also, outside, marker)
    finally:
        oracle.drop_memdump(res)
        if os.path.exists(disk.path):
            os.unlink(disk.path)
    rec["outcome"], rec["why"] = TL.classify(rec)
    return rec


def judge(rec, res, disk, also, outside, marker):
    # An oops in interrupt or NMI context goes to kdump before its lines
    # reach the serial console: then the clock starts at the trigger.
    t_panic = res.panic_time()
    rec["clock_from"] = "panic line"
    if t_panic is None:
        t_panic, _ = res.find(r"RIG: crash-cpu=")
        rec["clock_from"] = "trigger"
    t_final, _ = res.find(r"bmdump: done, (resetting|halting)")
    f = res.facts()
    _, m = res.find(r"bmdump: kernel \S+ node \S+, \d+ cpus, crashed cpu "
                    r"(-?\d+)")
    _, bm = res.find(r"bmdump: bitmap: (.*)$")
    # how the stub found the dump disk's controller (nvme_* cases)
    _, ctl = res.find(r"bmdump: nvme\d+: was (CC \S+ CSTS \S+ \([^)]*\))")
    area, state, incomplete = area_facts(disk)
    rec.update(
        panicked=t_panic is not None, final=t_final is not None,
        stub_entered=res.find(r"bmdump: bmdump \S+ entered")[0] is not None,
        panic_to_final_s=(round(t_final - t_panic, 3) if t_final is not None
                          and t_panic is not None else None),
        stub_crashed_cpu=int(m.group(1)) if m else None,
        still_alive="still-alive" in res.text(),
        outside_ok=disk.digest_outside_area(also) == outside,
        area=area, state=state, incomplete=incomplete,
        bitmap=bm.group(1) if bm else None,
        nvme_found=ctl.group(1) if ctl else None,
        bitmap_source={"1": "hook", "2": "full", "3": "stub"}.get(
            area.get("bitmap_source"), None) if state in (2, 3) else None,
        reason=stub_reason(res, state),
        load_facts={k: v for k, v in f.items() if k.startswith("load-")},
        check_error=None)
    if state == 3 and rec["final"]:
        try:
            dumpcheck.check_dump(rec["name"], disk, res,
                                 1000 + rec["index"], marker,
                                 incomplete=incomplete, crash_text=CRASH_TEXT,
                                 vmlinux=None if incomplete else VMLINUX)
            rec["crash_panic"] = getattr(res, "crash_panic", None)
            rec["oracle"] = {k: getattr(res, "oracle", {}).get(k) for k in
                             ("pages", "expected_pages", "last_pfn")}
        except Exception as e:
            rec["check_error"] = ("%s: %s" % (type(e).__name__, e))[:800]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=int(
        os.environ.get("TORTURE_RUNS") or 8))
    ap.add_argument("--seed", type=int, default=int(
        os.environ.get("TORTURE_SEED") or 1))
    ap.add_argument("--cases", default=os.environ.get("TORTURE_CASES", ""))
    args = ap.parse_args(argv)
    if VMLINUX is None:
        sys.exit("torture: no debug vmlinux for %s, which crash needs to "
                 "judge the dumps: apt-get install linux-image-%s-dbg "
                 "(make torture does)" % (rig.KVER, rig.KVER))
    cases = TL.select_cases(args.cases)
    out = os.path.join(OUT, str(args.seed))
    os.makedirs(out, exist_ok=True)
    runs = []
    for run in TL.campaign(args.seed, args.runs, cases):
        print("torture: run %d: %s, %d MiB, %d vCPUs, crash cpu %d, load %s"
              % (run["index"], run["case"], run["mem_mib"], run["smp"],
                 run["crash_cpu"], ",".join(run["load"]) or "none"),
              flush=True)
        rec = one_run(run)
        runs.append(rec)
        with open(os.path.join(out, "run-%03d.json" % run["index"]),
                  "w") as f:
            json.dump(rec, f, indent=1)
        print("torture: run %d: %s%s (panic -> final %s s; bitmap %s)" % (
            run["index"], rec["outcome"],
            " (%s)" % rec["why"] if rec["why"] else "",
            rec["panic_to_final_s"], rec["bitmap"]), flush=True)
    with open(os.path.join(out, "campaign.json"), "w") as f:
        json.dump({"seed": args.seed, "cases": cases, "runs": runs}, f,
                  indent=1)
    table = TL.summary(runs)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(table + "\n")
    print(table)
    return 1 if any(r["outcome"] == "FAIL" for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
