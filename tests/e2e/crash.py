# SPDX-License-Identifier: GPL-2.0
"""Crash a guest into the stub, and check what the stub understood.

The guest reports what the first kernel knows before it crashes (uname,
CPUs, /proc/iomem) as "RIG: ..." lines; the stub prints its own view after
the crash.  check_summary() holds the two against each other.
"""

import re

import rig

# What the guest prints before crashing.
REPORT = r'''
echo "RIG: uname-r=$(uname -r)"
echo "RIG: uname-n=$(uname -n)"
echo "RIG: nproc=$(grep -c ^processor /proc/cpuinfo)"
grep -E ": (System RAM|Crash kernel)$" /proc/iomem | sed 's/^/RIG: iomem /'
'''

LOADERS = {
    "kexec_load": "kexec -p",
    "kexec_file": "kexec -s -p",
}


def scenario(loader="kexec_load", trigger="sysrq", cpu=0, append="",
             before_crash=""):
    """Shell for /scenario.sh: report, load the stub, crash on `cpu`."""
    if trigger == "sysrq":
        crash = "echo c > /proc/sysrq-trigger"
    elif trigger == "oops":
        crash = "echo 1 > /sys/kernel/debug/bmdump_testmod/oops"
    elif trigger == "panic":
        crash = "echo 1 > /sys/kernel/debug/bmdump_testmod/panic"
    elif trigger.startswith("sh:"):
        crash = trigger[3:]     # any command without a single quote
    else:
        raise ValueError(trigger)
    return REPORT + r'''
{kexec} /boot/bmdump.bzImage --append="{append}"
echo "RIG: kexec-rc=$?"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
{before}
echo "RIG: crash-cpu={cpu}"
taskset -c {cpu} sh -c '{crash}'
echo "RIG: still-alive"
'''.format(kexec=LOADERS[loader], append=append, before=before_crash,
           cpu=cpu, crash=crash)


def initramfs(scen, extra_files=None):
    files = {"boot/bmdump.bzImage": rig.stub_path(),
             "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()}
    files.update(extra_files or {})
    return rig.Initramfs(files=files, scenario=scen)


SUMMARY_RE = (r"bmdump: kernel (\S+) node (\S+), (\d+) cpus, crashed cpu "
              r"(-?\d+) rip ([0-9a-f]{16}), (\d+) ram ranges (\d+) MiB, "
              r"crashkernel 0x([0-9a-f]+) size (\d+) MiB")


def parse_summary(res):
    _, m = res.find(SUMMARY_RE)
    assert m, "no stub summary line\n" + res.tail()
    return {
        "release": m.group(1), "node": m.group(2), "cpus": int(m.group(3)),
        "cpu": int(m.group(4)), "rip": int(m.group(5), 16),
        "ranges": int(m.group(6)), "mib": int(m.group(7)),
        "ck_start": int(m.group(8), 16), "ck_mib": int(m.group(9)),
    }


def iomem(res):
    """Top-level System RAM ranges and the Crash kernel range(s)."""
    ram, crash = [], []
    for line in res.rig_lines("iomem"):
        m = re.match(r"(\s*)([0-9a-f]+)-([0-9a-f]+) : (.*)$", line)
        if not m:
            continue
        r = (int(m.group(2), 16), int(m.group(3), 16) + 1)
        if m.group(4) == "System RAM" and not m.group(1):
            ram.append(r)
        elif m.group(4) == "Crash kernel":
            crash.append(r)
    return ram, crash


def subtract(ranges, holes):
    out = []
    for s, e in ranges:
        pieces = [(s, e)]
        for hs, he in holes:
            nxt = []
            for ps, pe in pieces:
                if he <= ps or hs >= pe:
                    nxt.append((ps, pe))
                    continue
                if ps < hs:
                    nxt.append((ps, hs))
                if he < pe:
                    nxt.append((he, pe))
            pieces = nxt
        out.extend(pieces)
    return sorted(out)


def expected_ram(res, loader):
    """The crashed kernel's RAM as each loader describes it to the stub."""
    ram, crash = iomem(res)
    holes = list(crash)
    if loader == "kexec_file":
        holes.append((0, 0x100000))     # the kernel leaves out the low 1 MiB
    return subtract(ram, holes)


def stub_ram(res):
    out = []
    for _, m in res.find_all(r"bmdump: ram ([0-9a-f]{16})-([0-9a-f]{16})"):
        out.append((int(m.group(1), 16), int(m.group(2), 16) + 1))
    return out


def check_crash(res, loader, cpu):
    """Everything issue 2 asks the stub to get right, for one crash."""
    facts = res.facts()
    assert not res.timed_out, "guest timed out\n" + res.tail()
    assert facts.get("kexec-rc") == "0", "kexec failed\n" + res.tail()
    assert facts.get("crash-loaded") == "1", "no crash kernel loaded"
    assert "still-alive" not in facts and not res.rig_lines("still-alive"), \
        "the guest did not crash"
    s = parse_summary(res)
    assert s["release"] == facts["uname-r"], (s, facts)
    assert s["node"] == facts["uname-n"], (s, facts)
    assert s["cpus"] == int(facts["nproc"]), (s, facts)
    assert s["cpu"] == cpu, "stub says cpu %d crashed, guest crashed on %d" \
        % (s["cpu"], cpu)
    assert s["rip"] >= 0xffffffff80000000, "rip %x not in kernel text" \
        % s["rip"]
    want = expected_ram(res, loader)
    got = stub_ram(res)
    assert got == want, "RAM ranges differ:\nstub %s\nguest %s" % (
        [(hex(a), hex(b)) for a, b in got], [(hex(a), hex(b)) for a, b in want])
    assert s["ranges"] == len(want)
    assert s["mib"] == sum(e - b for b, e in want) >> 20
    _, crash = iomem(res)
    assert crash, "no Crash kernel in /proc/iomem"
    assert (s["ck_start"], s["ck_mib"]) == (crash[0][0],
                                             (crash[0][1] - crash[0][0]) >> 20), \
        (hex(s["ck_start"]), s["ck_mib"], crash)
    t_done, _ = res.find(r"bmdump: done, resetting")
    assert t_done is not None, "stub did not finish\n" + res.tail()
    assert res.rc == 0 and not res.stopped, "QEMU did not exit on reset"
    t_panic = res.panic_time()
    assert t_panic is not None and t_panic <= t_done
    return s, res.reset_at - t_panic


def run_crash(name, loader="kexec_load", trigger="sysrq", cpu=0, append="",
              crashkernel="64M", mem_mib=1024, qemu_cpu=rig.QEMU_CPU,
              stop_on=None):
    scen = scenario(loader, trigger, cpu, append)
    g = rig.Guest(name, None, mem_mib=mem_mib, cpu=qemu_cpu,
                  crashkernel=crashkernel,
                  disks=[rig.Disk(rig.os.path.join(rig.E2E_BUILD, name,
                                                   "disk.img"), 64)])
    g.initrd = initramfs(scen).build(g.dir)
    return g.run(stop_on=stop_on)
