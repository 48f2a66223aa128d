# SPDX-License-Identifier: GPL-2.0
"""Issue 10: bmdump status reports the IOMMU it sees and whether the stub
can turn it off; an IOMMU the stub cannot handle is a reason (exit 3)."""

import json
import os

import toolsenv as T


def _sysroot(name):
    d = T.workdir(name)
    root = os.path.join(d, "root")
    put = T.sysroot_writer(root)
    put("/sys/kernel/kexec_crash_size", "67108864\n")
    put("/sys/kernel/kexec_crash_loaded", "0\n")
    return root, T.stub_config(d), put


def status(root, conf):
    p = T.run(["status", "--json"], config=conf,
              env={"BMDUMP_SYSROOT": root}, check=3)
    j = json.loads(p.stdout)
    return j, [r["code"] for r in j["reasons"]]


def test_tools_status_iommu():
    root, conf, put = _sysroot("status-iommu")
    # no IOMMU at all
    j, codes = status(root, conf)
    assert "iommu-unsupported" not in codes and j["iommu_supported"], j
    # VT-d on: the stub handles it
    put("/sys/firmware/acpi/tables/DMAR", "DMAR")
    os.makedirs(os.path.join(root, "sys/class/iommu/dmar0"))
    j, codes = status(root, conf)
    assert "iommu-unsupported" not in codes, codes
    assert j["iommu_units"] == "dmar0" and j["iommu_supported"], j
    p = T.run(["status"], config=conf, env={"BMDUMP_SYSROOT": root},
              check=3)
    assert "iommu:         dmar0 (DMAR): on; the stub turns remapping " \
        "off" in p.stdout, p.stdout
    # a VT-d unit without the DMAR table the stub needs to find it
    os.unlink(os.path.join(root, "sys/firmware/acpi/tables/DMAR"))
    j, codes = status(root, conf)
    assert "iommu-unsupported" in codes, codes
    # virtio-iommu (ACPI VIOT): not supported, said so
    put("/sys/firmware/acpi/tables/DMAR", "DMAR")
    put("/sys/firmware/acpi/tables/VIOT", "VIOT")
    os.makedirs(os.path.join(root, "sys/class/iommu/virtio-iommu0"))
    j, codes = status(root, conf)
    assert "iommu-unsupported" in codes and not j["iommu_supported"], j
    msg = [r["message"] for r in j["reasons"]
           if r["code"] == "iommu-unsupported"][0]
    assert "virtio-iommu0" in msg and "VIOT" in msg, msg
