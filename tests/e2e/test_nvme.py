# SPDX-License-Identifier: GPL-2.0
"""End-to-end smoke of the stub's PCI + NVMe driver in QEMU (TCG, OVMF).

The guest loads the stub with kexec -p and the TEST-ONLY option
bmdump.selftest=nvme, keeps the NVMe controller busy with a dd loop and
crashes.  The stub takes the controller over, reads LBA 0-7, writes 64 MiB
of the crashed kernel's RAM and a known pattern at fixed offsets, flushes
and shuts the controller down.  The host then checks the disk image.

The offsets mirror stub/selftest.h.
"""

import os
import re
import struct

import rig

MIB = 1 << 20
DISK_MIB = 256
RAM_OFFSET = 64 * MIB
RAM_BYTES = 64 * MIB
PATTERN_OFFSET = 192 * MIB
PATTERN_PAGES = 16
PATTERN_SEED = 0x626d64756d700000
DD_SEEK_MIB = 8
DD_COUNT_MIB = 48           # the guest's dd stays below RAM_OFFSET


def crc32c(data, crc=0):
    table = crc32c.table
    if table is None:
        table = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            table.append(c)
        crc32c.table = table
    crc ^= 0xffffffff
    for b in data:
        crc = table[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff


crc32c.table = None


def expected_pattern():
    words = []
    for p in range(PATTERN_PAGES):
        for w in range(4096 // 8):
            words.append(PATTERN_SEED ^ (p << 32 | w))
    return struct.pack("<%dQ" % len(words), *words)


SCENARIO = r"""
kexec -p /bmdump.bzImage --append="bmdump.selftest=nvme" ||
    echo "RIG: kexec-load-failed=1"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
( while true; do
    dd if=/dev/zero of=/dev/nvme0n1 bs=1M seek=%(seek)d count=%(count)d \
        oflag=direct 2>/dev/null
  done ) &
DD=$!
sleep 2
w1=$(awk '$3 == "nvme0n1" { print $10 }' /proc/diskstats)
sleep 1
w2=$(awk '$3 == "nvme0n1" { print $10 }' /proc/diskstats)
running=0
kill -0 $DD && running=1
echo "RIG: sectors-written-1=$w1"
echo "RIG: sectors-written-2=$w2"
echo "RIG: dd-running=$running"
# Let the console drain: the panic must not cut a RIG line.  The dd loop
# keeps the controller busy meanwhile.
sleep 1
echo c > /proc/sysrq-trigger
""" % {"seek": DD_SEEK_MIB, "count": DD_COUNT_MIB}


def make_disk(path):
    """A disk whose regions the stub must read or overwrite hold known,
    non-zero bytes, so that a stub that did nothing fails the checks."""
    disk = rig.Disk(path, size_mib=DISK_MIB)
    head = os.urandom(64 * 1024)
    with open(path, "r+b") as f:
        f.write(head)
        f.seek(RAM_OFFSET)
        f.write(b"\xee" * RAM_BYTES)
        f.seek(PATTERN_OFFSET - 4096)
        f.write(b"\xdd" * (PATTERN_PAGES * 4096 + 8192))
    return disk, head


def test_nvme_selftest_after_crash():
    name = "nvme_selftest"
    outdir = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(outdir, exist_ok=True)
    disk, head = make_disk(os.path.join(outdir, "disk.img"))
    initrd = rig.Initramfs(files={"bmdump.bzImage": rig.stub_path()},
                           scenario=SCENARIO).build(outdir)
    guest = rig.Guest(name, initrd, disks=[disk])
    res = guest.run()
    log = res.log
    facts = res.facts()
    assert not res.timed_out, "QEMU timed out, see %s" % log
    assert facts.get("crash-loaded") == "1", "kexec -p failed, see %s" % log
    assert "kexec-load-failed" not in facts, log

    # The controller was busy when the kernel crashed.
    assert facts.get("dd-running") == "1", log
    assert int(facts["sectors-written-2"]) > int(facts["sectors-written-1"]), \
        "no writes in flight before the crash: %s" % log
    assert res.panic_time() is not None, "no panic line: %s" % log

    text = res.text()
    err = re.search(r"bmdump: error (-\d+) in stage (\S+): (.*)", text)
    assert not err, "stub failed: %s (%s)" % (err.group(0), log)

    # The stub found the disk and took over a live controller.
    m = re.search(r"bmdump: pci (\S+) nvme 1b36:0010", text)
    assert m, "no NVMe controller found: %s" % log
    m = re.search(r"bmdump: nvme0: was CC 0x([0-9a-f]{8}) CSTS "
                  r"0x([0-9a-f]{8})", text)
    assert m, log
    assert int(m.group(1), 16) & 1 and int(m.group(2), 16) & 1, \
        "controller was not enabled and ready at the crash: %s" % m.group(0)

    m = re.search(r"bmdump: (nvme0n1): (\d+) blocks of (\d+) bytes", text)
    assert m, log
    bsize = int(m.group(3))
    assert int(m.group(2)) * bsize == DISK_MIB * MIB, m.group(0)

    with open(disk.path, "rb") as f:
        image = f.read()

    # What the stub read is what the disk holds.
    m = re.search(r"selftest: nvme0n1 lba 0-7 \((\d+) bytes\) crc32c "
                  r"([0-9a-f]{8})", text)
    assert m, log
    assert int(m.group(1)) == 8 * bsize
    assert image[:8 * bsize] == head[:8 * bsize], "LBA 0-7 changed"
    assert int(m.group(2), 16) == crc32c(head[:8 * bsize]), \
        "stub read other bytes than LBA 0-7 hold"

    # The RAM it wrote, zero copy, lands where it should.
    m = re.search(r"selftest: wrote (\d+) MiB of RAM at 0x([0-9a-f]+) to "
                  r"nvme0n1 in (\d+) us: (\d+) MB/s, max (\d+) commands in "
                  r"flight, crc32c ([0-9a-f]{8})", text)
    assert m, log
    assert int(m.group(1)) * MIB == RAM_BYTES
    region = image[RAM_OFFSET:RAM_OFFSET + RAM_BYTES]
    assert region != b"\xee" * RAM_BYTES, "RAM region not written"
    assert crc32c(region) == int(m.group(6), 16), \
        "RAM region on disk differs from what the stub wrote"
    # QEMU's device model decides how many the queue holds at once; the
    # driver's 63 are proven by the unit tests.  Here: really asynchronous.
    assert int(m.group(5)) >= 2, "writes were not queued"

    # The pattern, exactly, and nothing around it.
    pat = expected_pattern()
    got = image[PATTERN_OFFSET:PATTERN_OFFSET + len(pat)]
    assert got == pat, "pattern differs on disk"
    assert image[PATTERN_OFFSET - 4096:PATTERN_OFFSET] == b"\xdd" * 4096
    end = PATTERN_OFFSET + len(pat)
    assert image[end:end + 4096] == b"\xdd" * 4096
    assert re.search(r"selftest: pattern at byte %d of nvme0n1, %d pages, "
                     r"read back equal" % (PATTERN_OFFSET, PATTERN_PAGES),
                     text), log

    assert re.search(r"selftest: nvme0n1 shut down in \d+ us; done", text), \
        log
    assert "bmdump: done, resetting" in text, log

    lines = [l for l in res.stub_lines()
             if re.search(r"bmdump: (pci|nvme|storage|quiesce|selftest)", l)]
    print("\n".join(lines))
