# SPDX-License-Identifier: GPL-2.0
"""The GPT of a disk image read with the logical block size its disk had:
sfdisk and sgdisk read an image file with 512-byte sectors only, so a
table written on a 4Kn disk needs this to be found."""

import struct
import uuid as uuidlib


def partitions(path, sector=512):
    """[(type GUID upper case, offset, length)] of the GPT on an image
    whose disk had `sector`-byte logical blocks (sfdisk and sgdisk read an
    image with 512-byte sectors only)."""
    with open(path, "rb") as f:
        f.seek(sector)
        hdr = f.read(92)
        assert hdr[:8] == b"EFI PART", "no GPT with %d-byte sectors on %s" \
            % (sector, path)
        lba, count, size = struct.unpack_from("<QII", hdr, 72)
        f.seek(lba * sector)
        table = f.read(count * size)
    out = []
    for i in range(count):
        e = table[i * size:(i + 1) * size]
        first, last = struct.unpack_from("<QQ", e, 32)
        if e[:16] != bytes(16):
            out.append((str(uuidlib.UUID(bytes_le=e[:16])).upper(),
                        first * sector, (last - first + 1) * sector))
    return out
