# SPDX-License-Identifier: GPL-2.0
"""Issue 17, SMP: the stub starts the other CPUs (stub/smp.c, INIT-SIPI-
SIPI from the MADT) and spreads its own page scan over them.  The same
guest memory size on 1, 2 and 4 vCPUs: each dump's page set equals
makedumpfile -d 31's on that memory pfn for pfn, and its pages equal RAM
(the trampoline page below 1 MiB was given its bytes back), as
test_dump.stub_scan_case() checks; the log shows every CPU's share."""

import re

import test_dump

SHARE_RE = (r"bmdump: bitmap: scan share of cpu (\d+) \(apic (\d+)\): "
            r"pfns (0x[0-9a-f]+)-(0x[0-9a-f]+), (\d+) pages classified, "
            r"(\d+) kept, in (\d+) us")
RUNNING_RE = r"bmdump: smp: (\d+) of (\d+) CPUs running"


def shares(res):
    """[(cpu, apic, first pfn, end pfn, classified, kept, us)]"""
    out = []
    for line in res.stub_lines():
        m = re.search(SHARE_RE, line)
        if m:
            g = m.groups()
            out.append((int(g[0]), int(g[1]), int(g[2], 16),
                        int(g[3], 16), int(g[4]), int(g[5]), int(g[6])))
    return out


def smp_case(ncpu, seed):
    name = "dump-smp-%d" % ncpu
    res = test_dump.stub_scan_case(
        name, seed, r"bmdump: bitmap: the stub scans, as bmdump.scan=stub "
        r"asks", mem_mib=2048, smp=ncpu, append="bmdump.scan=stub")
    m = res.find(RUNNING_RE)[1]
    assert m and m.groups() == (str(ncpu), str(ncpu)), res.tail()
    sh = shares(res)
    print("    %d vCPUs: %s" % (ncpu, "; ".join(
        "cpu %d apic %d pfns 0x%x-0x%x %d classified %d kept %d us" % s
        for s in sh)))
    assert [s[0] for s in sh] == list(range(ncpu)), sh
    assert len({s[1] for s in sh}) == ncpu, sh
    # the shares tile [0, max_pfn) in order, each CPU did its part
    assert sh[0][2] == 0
    for a, b in zip(sh, sh[1:]):
        assert a[3] == b[2], sh
    assert all(s[4] > 0 for s in sh), sh
    scan = res.find(test_dump.benchlib.STUB_SCAN_RE)[1]
    assert sh[-1][3] == int(scan.group(3)), (sh, scan.group(0))
    assert sum(s[5] for s in sh) == int(scan.group(2)), (sh, scan.group(0))
    return res


def test_stub_scan_smp_1():
    smp_case(1, 91)


def test_stub_scan_smp_2():
    smp_case(2, 92)


def test_stub_scan_smp_4():
    smp_case(4, 94)
