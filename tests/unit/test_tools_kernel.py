# SPDX-License-Identifier: GPL-2.0
"""`bmdump status` names the running kernel, whether bmdump.ko supports it
(include/bmdump/kernels.h) and whether a module is built for it (found in
modules.dep as modprobe finds it), under a fake $BMDUMP_SYSROOT."""

import json
import os

import toolsenv as T


def put(root, rel, text):
    p = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


def status(root, conf):
    p = T.run(["status", "--json"], config=conf,
              env={"BMDUMP_SYSROOT": root}, check=3)
    j = json.loads(p.stdout)
    return j, {r["code"]: r["message"] for r in j["reasons"]}


def test_tools_status_kernel_and_module():
    d = T.workdir("status-kernel")
    root = os.path.join(d, "root")
    conf = T.write_config(d, "AREA=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0\n")
    put(root, "/sys/kernel/kexec_crash_size", "67108864\n")
    dep = "/lib/modules/%s/modules.dep"

    # 6.12, dkms built the module (compressed, as 6.12 ships modules)
    rel = "6.12.117+deb12-amd64"
    put(root, "/proc/sys/kernel/osrelease", rel + "\n")
    put(root, dep % rel, "kernel/fs/ext4/ext4.ko.xz: kernel/lib/crc16.ko.xz\n"
        "updates/dkms/bmdump.ko.xz:\nkernel/x/bmdump_other.ko.xz:\n")
    j, why = status(root, conf)
    assert j["kernel"] == rel and j["kernel_supported"], j
    assert j["module_file"] == "updates/dkms/bmdump.ko.xz", j
    assert "kernel-unsupported" not in why, why
    assert "modprobe bmdump" in why["module-missing"], why
    p = T.run(["status"], config=conf, env={"BMDUMP_SYSROOT": root},
              check=3)
    assert ("kernel:        %s, supported by bmdump.ko, module "
            "updates/dkms/bmdump.ko.xz" % rel) in p.stdout, p.stdout

    # 6.1 without a module: say which kernel lacks it and how to build it
    rel = "6.1.0-57-amd64"
    put(root, "/proc/sys/kernel/osrelease", rel + "\n")
    put(root, dep % rel, "kernel/x/bmdump_other.ko:\n")
    j, why = status(root, conf)
    assert j["kernel_supported"] and j["module_file"] == "", j
    assert rel in why["module-missing"] and \
        "dkms autoinstall" in why["module-missing"], why

    # a kernel bmdump.ko does not know: a reason of its own
    for rel in ("6.8.0-31-generic", "5.10.0-30-amd64", "6.13.1", "7.1.0"):
        put(root, "/proc/sys/kernel/osrelease", rel + "\n")
        j, why = status(root, conf)
        assert not j["kernel_supported"], j
        assert rel in why.get("kernel-unsupported", ""), why
        assert "6.1 and 6.12" in why["kernel-unsupported"], why


def test_tools_status_vmcoreinfo_from_load_record():
    """What bmdump load found of the running kernel's VMCOREINFO (its
    record in /run/bmdump/loaded): a line in status, and a reason of its
    own when a key the stub needs is missing."""
    d = T.workdir("status-vmcoreinfo")
    root = os.path.join(d, "root")
    area = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0"
    conf = T.write_config(d, "AREA=%s\n" % area)
    rel = "6.1.0-57-amd64"
    put(root, "/proc/sys/kernel/osrelease", rel + "\n")
    put(root, "/sys/kernel/kexec_crash_size", "67108864\n")
    put(root, "/sys/kernel/kexec_crash_loaded", "1\n")
    loaded = "area=%s\nmethod=kexec_load\n" % area

    put(root, "/run/bmdump/loaded", loaded + "vmcoreinfo=checked\n"
        "vmcoreinfo_release=%s\nvmcoreinfo_keys=7/7\nvmcoreinfo_uts=1\n"
        "vmcoreinfo_msg=\n" % rel)
    j, why = status(root, conf)
    assert j["vmcoreinfo"] == "checked" and j["vmcoreinfo_keys"] == 7, j
    assert j["vmcoreinfo_release"] == rel, j
    assert "vmcoreinfo" not in why, why
    p = T.run(["status"], config=conf, env={"BMDUMP_SYSROOT": root},
              check=3)
    assert ("vmcoreinfo:    checked for %s (7 of 7 keys the stub reads "
            "present, init_uts_ns found through phys_base)" % rel
            ) in p.stdout, p.stdout

    put(root, "/run/bmdump/loaded", loaded + "vmcoreinfo=failed\n"
        "vmcoreinfo_release=%s\nvmcoreinfo_keys=6/7\nvmcoreinfo_uts=0\n"
        "vmcoreinfo_msg=VMCOREINFO has no valid NUMBER(phys_base), which "
        "the stub needs\n" % rel)
    j, why = status(root, conf)
    assert j["vmcoreinfo"] == "failed", j
    assert "NUMBER(phys_base)" in why["vmcoreinfo"], why
    p = T.run(["status"], config=conf, env={"BMDUMP_SYSROOT": root},
              check=3)
    assert "vmcoreinfo:    FAILED for %s: VMCOREINFO has no valid " \
        "NUMBER(phys_base)" % rel in p.stdout, p.stdout

    # loaded by a bmdump that did not check, or could not read kcore
    put(root, "/run/bmdump/loaded", loaded + "vmcoreinfo=unchecked\n"
        "vmcoreinfo_msg=cannot open /proc/kcore: Operation not permitted\n")
    j, why = status(root, conf)
    assert j["vmcoreinfo"] == "unchecked" and "vmcoreinfo" not in why, j
    p = T.run(["status"], config=conf, env={"BMDUMP_SYSROOT": root},
              check=3)
    assert "vmcoreinfo:    not checked: cannot open /proc/kcore" \
        in p.stdout, p.stdout
