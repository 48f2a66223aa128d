# SPDX-License-Identifier: GPL-2.0
"""Disk images for the rig: a GPT with an ext4 partition holding known files
and a bmdump dump area, built on the host without loop devices (sgdisk,
mkfs.ext4 -E offset, and the test-only areatool for the area header)."""

import hashlib
import json
import os
import subprocess

import gptimage
import rig

AREA_TYPE = "773451C3-E640-4C89-9AAB-B4FE3B56A9C9"
AREATOOL = os.path.join(rig.BUILD, "e2e-tools", "areatool")


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


class AreaImage:
    """The dump area at [area_off, area_off + area_len) of image `path`:
    what check_dump reads.  GptDisk builds one; from_gpt finds one that
    the guest prepared."""

    area_off = None
    area_len = 0

    @classmethod
    def from_gpt(cls, path, disk, sector=512):
        """The area partition on the image of rig.Disk `disk`."""
        a = cls()
        a.path, a.disk = path, disk
        areas = [(o, n) for t, o, n in gptimage.partitions(path, sector)
                 if t == AREA_TYPE]
        assert len(areas) == 1, "want one area partition: %r" % areas
        a.area_off, a.area_len = areas[0]
        return a

    def area(self):
        """The area header as a dict (areatool show)."""
        out = sh(AREATOOL, "show", self.path, str(self.area_off))
        d = {}
        for line in out.splitlines():
            k, _, v = line.partition("=")
            d[k] = v
        return d

    def set_state(self, state):
        sh(AREATOOL, "state", self.path, str(self.area_off), str(state))

    def extract(self, out):
        sh(AREATOOL, "extract", self.path, str(self.area_off), out)
        return out

    def log(self):
        return sh(AREATOOL, "log", self.path, str(self.area_off))

    def digest_outside_area(self, also=()):
        """SHA-256 of every byte of the disk except the dump area and the
        (offset, length) ranges in `also` (e.g. a partition a test writes
        on purpose, self.parts[0]); a disk without an area: every byte
        outside `also`."""
        area = ([(self.area_off, self.area_len)]
                if self.area_off is not None else [])
        return self.digest_except(area + list(also))

    def digest_except(self, skips):
        """SHA-256 of every byte of the disk but the (offset, length)
        ranges in `skips`."""
        skips = sorted(skips)
        h = hashlib.sha256()
        with open(self.path, "rb") as f:
            pos = 0
            for off, length in skips + [(os.path.getsize(self.path), 0)]:
                f.seek(pos)
                while pos < off:
                    n = min(1 << 20, off - pos)
                    h.update(f.read(n))
                    pos += n
                pos = max(pos, off + length)
        return h.hexdigest()

    def digest_all(self):
        return digest_file(self.path)


class GptDisk(AreaImage):
    """disk.img: p1 ext4 with files, p2 bmdump area (UUID `uuid`)."""

    def __init__(self, path, uuid, ext4_mib=32, area_mib=128, files=None,
                 iface="nvme", area=True):
        self.path = path
        self.uuid = uuid
        total = 1 + ext4_mib + area_mib + 1
        self.disk = rig.Disk(path, total, iface=iface)
        args = ["sgdisk", "-o", "-n", "1:2048:+%dM" % ext4_mib,
                "-t", "1:8300", "-c", "1:data"]
        if area:
            args += ["-n", "2:0:+%dM" % area_mib, "-t", "2:" + AREA_TYPE,
                     "-c", "2:bmdump"]
        sh(*args, path)
        parts = json.loads(sh("sfdisk", "--json", path))["partitiontable"]
        self.parts = [(p["start"] * 512, p["size"] * 512)
                      for p in parts["partitions"]]
        ext_off, ext_len = self.parts[0]
        d = os.path.join(os.path.dirname(path), "ext4-files")
        os.makedirs(d, exist_ok=True)
        for name, data in (files or {}).items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        sh("mkfs.ext4", "-q", "-F", "-E", "offset=%d" % ext_off, "-d", d,
           path, "%dk" % (ext_len >> 10))
        if area:
            self.area_off, self.area_len = self.parts[1]
            sh(AREATOOL, "init", path, str(self.area_off),
               str(self.area_len), uuid)


def digest_file(path):
    """SHA-256 of every byte of a disk image."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
