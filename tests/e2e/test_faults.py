# SPDX-License-Identifier: GPL-2.0
"""Issue 12 fault matrix: crashes the stub must survive.  This file holds
the cases that need their own guest; see also test_dump.py."""

import os
import re
import subprocess
import sys
import threading
import time

import crash
import dumpcheck
import oracle
import rig
import test_dump as td
import toolsrig as R

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "unit"))
import toolsenv as T  # noqa: E402


def test_faults_watchdog_armed_by_crashed_kernel():
    """The crashed kernel's i6300esb driver has the watchdog open with a
    1 s heartbeat (a reset 2 s later): the stub must stop it and finish
    the dump (QEMU powers off on expiry, so a cut dump shows)."""
    name = "faults-watchdog"
    disk = td.new_disk(name)
    seed, marker = 9, "bmdump-marker-watchdog"
    arm = ("rmmod i6300esb 2>/dev/null; modprobe i6300esb heartbeat=1 "
           "nowayout=0 && exec 3>/dev/watchdog && "
           "echo \"RIG: watchdog-open yes\"")
    scen = td.scenario(td.AREA_UUID, seed, marker, before_crash=arm)
    outside = disk.digest_outside_area()
    _, res = td.run(name, disk, scen, modules=["i6300esb"],
                    extra_args=["-device", "i6300esb",
                                "-action", "watchdog=poweroff"])
    assert res.rig_lines("watchdog-open") == ["yes"], res.tail()
    assert any("watchdog: i6300esb armed by the crashed kernel: stopped"
               in line for line in res.stub_lines()), res.tail()
    td.check_dump(name, disk, res, seed, marker, outside=outside)


def test_faults_itco_stopped_and_locked_esb_reloaded():
    """Two watchdogs the crashed kernel has open at the crash: the ICH9
    TCO timer (iTCO_wdt, 3 s heartbeat: a reset 6 s later) and an
    i6300esb it cannot stop (nowayout=1 sets its lock; a reset 2 s
    later).  The stub stalls 8 s before the write (bmdump.fault_drill=
    stall): the TCO timer must be halted and the i6300esb reloaded all
    along, or QEMU powers off and the dump is cut."""
    name = "faults-itco"
    disk = td.new_disk(name)
    seed, marker = 21, "bmdump-marker-itco"
    # iTCO_wdt keeps a timer it finds running (q35's is, from reset)
    # pinged and so cannot be unloaded: its heartbeat comes from the
    # kernel command line, which modprobe reads.
    arm = ("rmmod i6300esb && modprobe i6300esb heartbeat=1 nowayout=1\n"
           "for w in /sys/class/watchdog/watchdog*; do\n"
           "    echo \"RIG: watchdog $(cat $w/identity)\"; done\n"
           "exec 3>/dev/watchdog0 4>/dev/watchdog1 && "
           "echo \"RIG: watchdogs-open yes\"")
    scen = td.scenario(td.AREA_UUID, seed, marker, before_crash=arm,
                       append="bmdump.fault_drill=stall")
    outside = disk.digest_outside_area()
    _, res = td.run(name, disk, scen,
                    modules=["lpc_ich", "iTCO_wdt", "i6300esb"],
                    append="iTCO_wdt.heartbeat=3",
                    extra_args=["-device", "i6300esb",
                                "-global", "ICH9-LPC.noreboot=false",
                                "-action", "watchdog=poweroff"])
    assert res.rig_lines("watchdogs-open") == ["yes"], res.tail()
    assert res.find(r"iTCO_wdt.*heartbeat=3 sec \(nowayout=0\)")[0] and \
        res.find(r"i6300ESB.*heartbeat=1 sec \(nowayout=1\)")[0], \
        res.tail(80)
    assert sorted(res.rig_lines("watchdog")) == ["i6300ESB timer",
                                                 "iTCO_wdt"], res.tail()
    stub = "\n".join(res.stub_lines())
    assert re.search(r"watchdog: iTCO .* running at the crash: stopped",
                     stub), stub
    assert ("watchdog: i6300esb armed by the crashed kernel: locked "
            "(nowayout), reloaded through the capture") in stub, stub
    assert "fault drill: stalling" in stub, stub
    m = re.search(r"locked watchdogs reloaded (\d+) times", stub)
    assert m and int(m.group(1)) >= 20, stub   # 8 s at one per 100 ms
    td.check_dump(name, disk, res, seed, marker, outside=outside)


# Fill a 3 GiB tmpfs from /dev/zero in a 1 GiB guest with 1 GiB of swap:
# the writer allocates in direct reclaim, pages go out to swap.  The crash
# comes while it still runs, once the kernel counted both.
PRESSURE = r"""
sw=$(disk swap0)
mkswap $sw > /dev/null && swapon $sw && echo "RIG: swap-on $sw"
mkdir -p /hog && mount -t tmpfs -o size=3g hog /hog
dd if=/dev/zero of=/hog/fill bs=1M count=3000 2>/dev/null &
hog=$!
vm() { awk -v k="$1" '$1 ~ k { s += $2 } END { print s + 0 }' /proc/vmstat; }
i=0
while [ $i -lt 1200 ]; do
    [ "$(vm '^allocstall')" -gt 0 ] && [ "$(vm '^pswpout$')" -gt 2048 ] && break
    usleep 50000; i=$((i+1))
done
echo "RIG: pressure allocstall=$(vm '^allocstall') pswpout=$(vm '^pswpout$') swap-used-kb=$(awk '/^SwapTotal/ {t=$2} /^SwapFree/ {f=$2} END {print t-f}' /proc/meminfo)"
kill -0 $hog && echo "RIG: hog-running yes"
"""


def test_faults_crash_in_direct_reclaim_with_swap():
    """A crash while a writer fills tmpfs past RAM: the guest is in
    direct reclaim and swapping to a second NVMe disk.  The dump lands
    and passes the memory oracle."""
    name = "faults-reclaim"
    disk = td.new_disk(name)
    swap = rig.Disk(os.path.join(rig.E2E_BUILD, name, "swap.img"),
                    size_mib=1024, serial="swap0")
    seed, marker = 31, "bmdump-marker-reclaim"
    scen = rig.SH_NVME_DISK + td.scenario(td.AREA_UUID, seed, marker,
                                          before_crash=PRESSURE)
    outside = disk.digest_outside_area()
    _, res = td.run(name, disk, scen, extra_disks=[swap])
    assert res.rig_lines("swap-on"), res.tail()
    assert res.rig_lines("hog-running") == ["yes"], res.tail()
    p = dict(kv.split("=") for kv in res.rig_lines("pressure")[0].split())
    assert int(p["allocstall"]) > 0 and int(p["pswpout"]) > 2048, p
    print("    at the crash: %s" % p)
    td.check_dump(name, disk, res, seed, marker, outside=outside)
    os.unlink(swap.path)



# A kernel log record full of terminal controls: ESC sequences, BEL, CR,
# VT, FF; `bmdump info --dmesg` must print them escaped.
CONTROLS = (r"printf 'bmdump-ctl \033[31mred\033]0;title\007 bell\a cr\r "
            r"vt\013 ff\014 end\n' > /dev/kmsg")
CONTROLS_SHOWN = (b"bmdump-ctl \\x1b[31mred\\x1b]0;title\\x07 bell\\x07 "
                  b"cr\\x0d vt\\x0b ff\\x0c end")


def _save(disk, out):
    """bmdump save on the host, from the disk image; the dump file."""
    lock = os.path.join(out + ".lock")
    os.makedirs(lock, mode=0o700, exist_ok=True)
    p = T.run(["save", "--from", disk.path, "--dir", out],
              env={"BMDUMP_LOCK_DIR": lock})
    dirs = T.dump_dirs(out)
    return p, os.path.join(out, dirs[-1], "dump." + dirs[-1][:12])


def _crash_free_boot(name, disk):
    """A boot that does not crash: bmdump status sees the unsaved dump."""
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    scen = ('conf "AREA=%s" "STUB=/usr/local/lib/bmdump/bmdump.bzImage"\n'
            'st reboot\n' % td.AREA_UUID)
    g = rig.Guest(name, R.initramfs(scen).build(d), disks=[disk.disk])
    res = g.run()
    assert res.find(r"RIG: scenario-ended")[0] is not None, res.tail()
    return R.statuses(res)["reboot"]


def _check_dmesg_escaped(dump):
    # Bytes as printed: text mode would turn a CR into a newline.
    p = subprocess.run([T.BMDUMP, "info", "--dmesg", dump],
                       capture_output=True, env=dict(
                           os.environ, BMDUMP_CONFIG="/nonexistent/x.conf"))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    bad = sorted({c for c in out if (c < 32 and c not in b"\n\t")
                  or c == 127})
    assert not bad, "control characters %s in info --dmesg:\n%r" % (
        bad, [l for l in out.splitlines() if b"bmdump-ctl" in l])
    assert CONTROLS_SHOWN in out, [l for l in out.splitlines()
                                   if b"bmdump-ctl" in l]


def test_faults_unsaved_dump_kept_then_stub_fault_mid_write():
    """(1) A crash leaves a complete dump, not saved; (2) a crash-free
    boot and (3) a second crash (bmdump.overwrite not given) leave the
    area as it was; save then yields the first crash's memory, and its
    kernel log printed without terminal controls.  (4) A third crash with
    the stub faulting 3/4 of the way through the write: save salvages
    only the pages the area header's descs_written vouches for, all of
    this crash's memory, and counts the rest."""
    name = "faults-unsaved"
    disk = td.new_disk(name)
    out = os.path.join(rig.E2E_BUILD, name, "crash")
    outside = disk.digest_outside_area()
    _, first = td.run(name + "-1", disk, td.scenario(
        td.AREA_UUID, 41, "bmdump-marker-first", before_crash=CONTROLS))
    try:
        area1 = disk.area()
        assert area1["state"] == "3", (area1, first.tail())
        after1 = disk.digest_all()
        st = _crash_free_boot(name + "-2", disk)
        assert "area-unsaved" in R.codes(st), st
        _, second = td.run(name + "-3", disk, td.scenario(
            td.AREA_UUID, 42, "bmdump-marker-second"), memdump=False)
        assert second.find(r"holds a dump not saved yet")[0], second.tail()
        assert disk.digest_all() == after1, "the unsaved dump changed"
        p, dump = _save(disk, out)
        assert p.returncode == 0, p.stderr
        oracle.check_memory(first, dump, os.path.dirname(dump),
                            area1["bitmap_source"], area1["pages_dumped"])
    finally:
        oracle.drop_memdump(first)
    _check_dmesg_escaped(dump)

    _, third = td.run(name + "-4", disk, td.scenario(
        td.AREA_UUID, 43, "bmdump-marker-third",
        append="bmdump.fault_drill=write"))
    try:
        area = disk.area()
        assert area["state"] == "2", (area, third.tail())   # WRITING
        assert third.find(r"fault drill: reading an unmapped address "
                          r"after \d+ page descriptors")[0], third.tail()
        proven = int(area["descs_written"])
        planned = int(area["pages_planned"])
        assert 0 < proven < planned * 3 // 4, area
        assert disk.digest_outside_area() == outside
        p, dump = _save(disk, out)
        assert "never finished" in p.stderr, p.stderr
        m = re.search(r"(\d+) pages could not be read", p.stderr)
        assert m and int(m.group(1)) == planned - proven, (p.stderr, area)
        oracle.check_memory(third, dump, os.path.dirname(dump),
                            area["bitmap_source"], proven, incomplete=True)
    finally:
        oracle.drop_memdump(third)
    print("    salvaged %d of %d pages after a fault at 3/4; %d counted "
          "missing" % (proven, planned, planned - proven))


# A 3 GiB q35 guest has its last GiB above 4 GiB, a System RAM resource of
# its own; movablecore puts boot RAM there in ZONE_MOVABLE, so a block can
# be offlined and removed (below 4 GiB the kernel cannot split System RAM
# around the "Crash kernel" child).  The scenario removes a block below the
# highest one (max_pfn stays), loads bmdump.ko with that hole, arms, adds
# the block back, onlines it as udev or an operator would, takes
# HOT_PAGES pages of it with a known pattern, and arms again (what the
# udev rule's `bmdump load` does on a memory online event; the rig has no
# udev).  Then the crash.
HOT_PAGES = 64
HOTPLUG = r'''
rmmod bmdump_testmod
insmod {testmod} pattern_seed={seed}
cat /sys/kernel/debug/bmdump_testmod/patterns | sed 's/^/RIG: pattern /'
hp=/sys/kernel/debug/bmdump_testmod/hotplug
mem=/sys/devices/system/memory
bs=$((0x$(cat $mem/block_size_bytes)))
top=$(ls -d $mem/memory[0-9]* | sed 's/.*memory//' | sort -n | tail -n 1)
n=$((top - 1)); blk=""
# A block is taken when sysfs can offline it (no unmovable page: boot-time
# allocations sit at the top of RAM) and its removal left a hole in
# /proc/iomem (a System RAM resource with a child cannot be split).
in_ram() {{
    grep 'System RAM' /proc/iomem | while read -r r _; do
        [ $((0x${{r%-*}})) -le $1 ] && [ $1 -le $((0x${{r#*-}})) ] &&
            echo y
    done | grep -q y
}}
# Offlining migrates every page out of the block and fails while one is
# briefly held (a page under I/O or mid-fault): try each block a few times,
# and say why a block was passed over so a failure here can be read.
offline() {{
    for t in 1 2 3; do
        err=$( {{ echo offline > $mem/memory$1/state; }} 2>&1 ) && return 0
        echo "RIG: hot-try block $1 offline #$t: $err"
        sleep 1
    done
    return 1
}}
while [ $n -gt 0 ] && [ -z "$blk" ]; do
    if grep -q Movable $mem/memory$n/valid_zones 2>/dev/null &&
        offline $n; then
        if ! printf 'remove %x %x' $((n * bs)) $bs > $hp; then
            echo "RIG: hot-try block $n: remove failed"
        elif in_ram $((n * bs)); then
            echo "RIG: hot-try block $n: still System RAM after removal"
        else
            blk=$n
        fi
    fi
    n=$((n - 1))
done
blk=${{blk:-0}}
echo "RIG: hot-block=$blk $((blk * bs)) $bs top=$top"
rmmod bmdump && insmod /lib/modules/extra/bmdump.ko
hole() {{ sed -n 's/^hole //p' /sys/kernel/bmdump/dry_run; }}
echo "RIG: hole-at-load=$(hole)"
desc="bmdump.desc=$(cat /sys/kernel/bmdump/descriptor)"
echo "RIG: desc=$desc"
kexec -p /boot/bmdump.bzImage --append="bmdump.area={area} $desc"
echo "RIG: armed-with-hole=$?"
printf 'add %x %x' $((blk * bs)) $bs > $hp
echo online_movable > $mem/memory$blk/state
echo "RIG: hot-state=$(cat $mem/memory$blk/state)"
printf 'fill %x %x' $((blk * bs / 4096)) {pages} > $hp &&
    echo "RIG: hot-filled=$((blk * bs / 4096))"
echo "RIG: hole-after-add=$(hole)"
'''


def test_faults_memory_hot_added_into_hole():
    """Issue 12 item 4: a memory block removed before bmdump.ko loads (a
    hole below its max_pfn) is added back and onlined, and the kernel
    puts data there; after the re-arm the stub's elfcorehdr lists the
    block, and the dump must hold its pages that hold data (bmdump.ko
    rebuilds its RAM ranges on memory online)."""
    name = "faults-hotadd"
    disk = td.new_disk(name)
    seed, marker = 51, "bmdump-marker-hotadd"
    scen = HOTPLUG.format(testmod=td.TESTMOD, seed=seed, area=td.AREA_UUID,
                          pages=HOT_PAGES) + crash.scenario(
        append="bmdump.area=%s $desc" % td.AREA_UUID,
        before_crash='echo "%s" > /dev/kmsg' % marker)
    outside = disk.digest_outside_area()
    _, res = td.run(name, disk, scen, mem_mib=3072,
                    append="movablecore=512M")
    f = res.facts()
    try:
        blk, start, size = (int(x) for x in f["hot-block"].split()[:3])
        why = "\n".join(t for _, t in res.lines if "RIG: h" in t)
        assert blk, "no block could be offlined and removed:\n" + why
        assert f["armed-with-hole"] == "0", "kexec -p failed:\n" + why
        assert f["hot-state"] == "online", why
        first = int(f["hot-filled"])
        assert first == start // 4096, f
        # the re-arm gave the stub the block as RAM
        assert any(a <= start and start + size <= b
                   for a, b in crash.stub_ram(res)), crash.stub_ram(res)
        ram = oracle.RamImage(res.memdump)
        try:
            for pfn in range(first, first + HOT_PAGES):
                assert ram.read(pfn * 4096, 4096) == dumpcheck.pattern(
                    seed, pfn), "pfn %#x does not hold the pattern" % pfn
        finally:
            ram.close()
    except BaseException:
        oracle.drop_memdump(res)
        raise
    hold = [(first, first + HOT_PAGES)]
    td.check_dump(name, disk, res, seed, marker, expect_source=1,
                  outside=outside, hold=hold)
    # bmdump.ko's dry run no longer counts the block as a hole
    assert int(f["hole-at-load"]) - int(f["hole-after-add"]) == size // 4096, f
    print("    block %d (%#x, %d MiB) removed before load, re-added: its "
          "%d filled pages are in the dump; dry-run holes %s -> %s" % (
              blk, start, size >> 20, HOT_PAGES, f["hole-at-load"],
              f["hole-after-add"]))


STALL_BUDGET = 16 << 20        # bytes the dump disk still writes
STALL_DEADLINE_S = 8           # bmdump.deadline=: the capture's bound


def test_faults_nvme_writes_stall_midway():
    """Issue 18: the dump disk stops completing writes partway through
    the dump (rig.qmp_stall_writes: QEMU's I/O throttling, set just
    before the crash, lets STALL_BUDGET bytes of writes through and then
    keeps every write in flight).  The stub's bounded wait ends at the
    capture deadline (bmdump.deadline=): it disables the controller, logs
    why with the commands it gave up on, and takes its final action;
    the area stays WRITING and nothing outside it changed.  An unbounded
    wait never logs the final action: the rig's timeout fails the test."""
    name = "faults-nvme-stall"
    disk = td.new_disk(name)
    outside = disk.digest_outside_area()
    gdir = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(gdir, exist_ok=True)
    log = os.path.join(gdir, "boot1.serial.log")
    sock = os.path.join(gdir, "stall.qmp")
    for p in (log, sock):
        if os.path.exists(p):
            os.unlink(p)
    timeout, state = 150, {}
    # the guest waits after this line: no write of its own is in flight
    # when the host throttles, and the crash comes after the throttle
    th = threading.Thread(target=rig.qmp_on_line, daemon=True, args=(
        sock, log, r"RIG: stall-armed", rig.qmp_stall_writes(
            "d0", STALL_BUDGET), time.monotonic() + timeout, state))
    th.start()
    _, res = td.run(name, disk, td.scenario(
        td.AREA_UUID, 44, "bmdump-marker-stall",
        append="bmdump.deadline=%d" % STALL_DEADLINE_S,
        before_crash='echo "RIG: stall-armed"\nsleep 3'),
        timeout=timeout, memdump=False,
        extra_args=["-qmp", "unix:%s,server=on,wait=off" % sock])
    th.join(timeout=5)
    print("    qmp: %s" % state.get("qmp"))
    assert isinstance(state.get("qmp"), list) and all(
        "'return'" in r for r in state["qmp"]), state
    # the deadline, not the driver's 30 s, ended the wait: the log says so
    t_gave_up, m = res.find(r"bmdump: nvme0: NVMe I/O still in flight when "
                            r"the capture deadline .* \((\d+) commands "
                            r"outstanding\)")
    assert m and int(m.group(1)) > 0, res.tail()
    assert not res.find(r"no progress for 30 s")[0], res.tail()
    t_fail, _ = res.find(r"bmdump: error -1100 in stage write: ")
    t_dl, _ = res.find(r"bmdump: the capture deadline \(bmdump.deadline=%d "
                       r"s\) passed" % STALL_DEADLINE_S)
    t_final, _ = res.find(r"bmdump: done, resetting")
    assert None not in (t_fail, t_dl, t_final), res.tail()
    assert t_gave_up <= t_fail <= t_dl <= t_final, res.tail()
    assert disk.digest_outside_area() == outside
    area = disk.area()
    assert area["state"] == "2", (area, res.tail())         # WRITING
    t_entry, _ = res.find(r"bmdump: bmdump \S+ entered")
    print("    stalled after %d MiB: %s commands outstanding; stub entry "
          "-> final action %.1f s (host clock); area state %s, "
          "descs_written %s of %s planned" % (
              STALL_BUDGET >> 20, m.group(1), t_final - t_entry,
              area["state"], area.get("descs_written"),
              area.get("pages_planned")))
    for line in res.stub_lines():
        if re.search(r"nvme0: NVMe I/O|error -1100|deadline|could not "
                     r"record|recorded in the area|done, ", line):
            print("    " + line)
