# SPDX-License-Identifier: GPL-2.0
"""A real kdump image of Debian's kernel, for testing `bmdump save`.

One guest boot: Debian's kernel loads itself as capture kernel (kexec -p,
with an initramfs holding makedumpfile), crashes through sysrq; the capture
kernel runs `makedumpfile -F -d 31 /proc/vmcore` (no compression: raw
pages, the form the stub writes) onto a disk; the host rebuilds the
flattened stream with `makedumpfile -R`.  The result is cached under
build/fixtures/, so only a clean tree pays the boot.
"""

import json
import os
import subprocess
import sys

if __name__ == "__main__":
    # Run as a script: the shared test modules (tests/lib) as run.py has them.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "lib"))

import rig  # noqa: E402

FIXTURES = os.path.join(rig.BUILD, "fixtures")
KDUMP = os.path.join(FIXTURES, "vmcore-d31.kdump")
META = os.path.join(FIXTURES, "vmcore-d31.json")
MARKER = "bmdump-fixture-marker-7f3a"

CAPTURE_SCENARIO = r"""
if [ -e /proc/vmcore ]; then
    echo "RIG: capture-kernel=1"
    makedumpfile -F -d 31 /proc/vmcore > /dev/nvme0n1
    echo "RIG: makedumpfile-rc=$?"
    sync
fi
"""

FIRST_SCENARIO = r"""
kexec -p /boot/vmlinuz --initrd=/boot/capture.img \
    --append="console=ttyS0,115200 panic=-1 irqpoll nr_cpus=1 reset_devices rig.hostname=fixture-capture"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
sleep 1     # let the serial line drain: the marker's printk cut it once
echo "%s" > /dev/kmsg
echo c > /proc/sysrq-trigger
""" % MARKER


def ensure():
    """Path of the cached raw kdump fixture; builds it if missing."""
    if os.path.exists(KDUMP) and os.path.exists(META):
        return KDUMP
    os.makedirs(FIXTURES, exist_ok=True)
    work = os.path.join(rig.E2E_BUILD, "vmcore-fixture")
    os.makedirs(work, exist_ok=True)
    capture = rig.Initramfs(binaries=["/usr/bin/makedumpfile"],
                            scenario=CAPTURE_SCENARIO)
    cap_dir = os.path.join(work, "capture")
    os.makedirs(cap_dir, exist_ok=True)
    cap_img = capture.build(cap_dir)
    first = rig.Initramfs(files={"boot/vmlinuz": rig.VMLINUZ,
                                 "boot/capture.img": cap_img},
                          scenario=FIRST_SCENARIO)
    first_img = first.build(work)
    disk = rig.Disk(os.path.join(work, "dump.img"), size_mib=512)
    g = rig.Guest("vmcore-fixture", first_img, disks=[disk],
                  mem_mib=1024, crashkernel="256M", timeout=600)
    res = g.run()
    facts = res.facts()
    if facts.get("crash-loaded") != "1" or \
            facts.get("makedumpfile-rc") != "0":
        raise RuntimeError("fixture guest failed (facts %s), see %s"
                           % (facts, res.log))
    tmp = KDUMP + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    with open(disk.path, "rb") as stream:
        p = subprocess.run(["makedumpfile", "-R", tmp], stdin=stream,
                           capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError("makedumpfile -R failed: %s" % p.stdout + p.stderr)
    os.rename(tmp, KDUMP)
    os.unlink(disk.path)
    with open(META, "w") as f:
        json.dump({"kver": rig.KVER, "marker": MARKER}, f)
    return KDUMP


def meta():
    ensure()
    with open(META) as f:
        return json.load(f)


if __name__ == "__main__":
    print(ensure())
