# SPDX-License-Identifier: GPL-2.0
"""The bmdump command inside the QEMU rig: an initramfs holding build/bmdump
(with its libraries), the stub, the helper programs it runs, and shell
helpers for scenarios that report `bmdump status --json` as RIG facts."""

import json
import os

import rig

BMDUMP = os.path.join(rig.BUILD, "bmdump")
TESTAREA = os.path.join(rig.BUILD, "tools", "bmdump-testarea")
MODULE = os.path.join(rig.BUILD, "bmdump.ko")
GUEST_STUB = "/usr/local/lib/bmdump/bmdump.bzImage"

# Helper programs: in the cached base archive (they do not change).
HELPERS = ["/usr/sbin/sfdisk", "/usr/bin/makedumpfile", "/usr/sbin/mke2fs"]

SHELL_HELPERS = rig.SH_NVME_DISK + r"""
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /etc /var/crash /run
# st NAME: status as a fact "status-NAME=<rc> <json>"
st() {
    bmdump status --json > /tmp/st.json 2>/tmp/st.err
    echo "RIG: status-$1=$? $(cat /tmp/st.json)"
}
conf() { printf '%s\n' "$@" > /etc/bmdump.conf; }
"""


def tool_files(testarea=False):
    """Initramfs files: build/bmdump (and bmdump-testarea) with their
    libraries."""
    files = {"usr/local/sbin/bmdump": BMDUMP}
    bins = [BMDUMP]
    if testarea:
        files["usr/local/sbin/bmdump-testarea"] = TESTAREA
        bins.append(TESTAREA)
    for b in bins:
        for lib in rig.ldd_libs(b):
            files[lib.lstrip("/")] = lib
    return files


def initramfs(scenario, with_module=False, testarea=False, extra_files=None,
              kver=None, module=MODULE, modules=(), binaries=()):
    """Our binaries go into the per-test overlay (rebuilt every run), with
    their libraries, so a rebuilt bmdump is never hidden by the cache.
    kver: whose kernel modules go in (rig.KVER by default); module: the
    hook built for it; modules, binaries: more kernel modules and host
    programs (with their libraries) for the cached base archive."""
    files = tool_files(testarea)
    files[GUEST_STUB.lstrip("/")] = rig.stub_path()
    if with_module:
        files["lib/modules/extra/bmdump.ko"] = module
    files.update(extra_files or {})
    # mkfs.ext4 is mke2fs by another name.
    script = SHELL_HELPERS + "ln -sf /usr/sbin/mke2fs /usr/sbin/mkfs.ext4\n" \
        + scenario
    return rig.Initramfs(binaries=HELPERS + list(binaries), files=files,
                         scenario=script, kver=kver, modules=modules)


def statuses(result):
    """{name: (rc, json)} of every st NAME the scenario ran."""
    out = {}
    for k, v in result.facts().items():
        if k.startswith("status-"):
            rc, _, js = v.partition(" ")
            try:
                out[k[7:]] = (int(rc), json.loads(js))
            except ValueError:
                raise AssertionError("unparsable status fact %s=%s"
                                     % (k, v))
    return out


def codes(status):
    return [r["code"] for r in status[1]["reasons"]]
