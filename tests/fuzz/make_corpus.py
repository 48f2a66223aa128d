#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the fuzz seed corpus, tests/fuzz/corpus/<target>/*, from realistic
inputs: what kexec_load and kexec_file_load hand the stub, and what a Debian
6.1 kernel leaves for it.  The files are checked in; rerun this after
changing it (it rewrites them all).

Addresses must match the fuzz targets: fuzz_bootparams serves its input at
BP_PA, fuzz_elfcore at HDR_PA, fuzz_acpi at FW_PA, fuzz_desc at RAM_PA
(after its flags byte).  fuzz_desc and fuzz_gpt fix up the CRCs when the
flags byte asks, so the seeds carry none.
"""

import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

BP_PA = 0x3EF52000
HDR_PA = 0x1000000
FW_PA = 0x3F770000
RAM_PA = 0x40000000

UUID = "773451c3-e640-4c89-9aab-b4fe3b56a9c9"


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- command line ----------------------------------------------------------

KEXEC_LOAD_CMDLINE = (
    "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=0f1e2d3c-4b5a-6978-"
    "8796-a5b4c3d2e1f0 ro quiet bmdump.area=%s bmdump.desc=0x1f3a2000 "
    "acpi_rsdp=0x3f77d014 elfcorehdr=1031540K" % UUID)
KEXEC_FILE_CMDLINE = ("elfcorehdr=0x33000000 console=ttyS0 bmdump.area=%s "
                      "bmdump.final=halt" % UUID)


def cmdline_seeds():
    seeds = {
        "kexec_load": KEXEC_LOAD_CMDLINE,
        "kexec_file": KEXEC_FILE_CMDLINE,
        "size_at_addr": ("elfcorehdr=64K@0x1000000 bmdump.final=reset "
                         "bmdump.overwrite=1 bmdump.desc=0x2a000"),
        "quoted": 'bmdump.area="%s" elfcorehdr=0x33000000 x="a b"' % UUID,
        "bad_values": ("elfcorehdr=4K bmdump.final=explode bmdump.area=nope "
                       "bmdump.desc=zz bmdump.overwrite=yes acpi_rsdp=0x"),
        "number_max": "18446744073709551615",
        "number_hex": "0xffffffffffffffff",
        "memsize": "17179869183G",
    }
    for name, s in seeds.items():
        write("cmdline", name, s.encode())


# --- boot_params -----------------------------------------------------------

def e820(entries):
    return b"".join(struct.pack("<QQI", a, s, t) for a, s, t in entries)


def boot_params(entries, cmdline_pa, rsdp=0, setup_data=0):
    bp = bytearray(4096)
    bp[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", bp, 0x206, 0x020F)
    bp[0x210] = 0xD0                                # type_of_loader: kexec
    struct.pack_into("<Q", bp, 0x070, rsdp)
    bp[0x1E8] = len(entries)
    bp[0x2D0:0x2D0 + 20 * len(entries)] = e820(entries)
    struct.pack_into("<I", bp, 0x228, cmdline_pa & 0xFFFFFFFF)
    struct.pack_into("<I", bp, 0x0C8, cmdline_pa >> 32)
    struct.pack_into("<Q", bp, 0x250, setup_data)
    return bp


def setup_node(nxt, typ, payload):
    return struct.pack("<QII", nxt, typ, len(payload)) + payload


def bootparams_seeds():
    # kexec_load: sorted e820, command line right after boot_params.
    load = [(0x0, 0x1000, 2), (0x1000, 0x9EC00, 1), (0x9FC00, 0x400, 2),
            (0xF0000, 0x10000, 2), (0x33000000, 0xBF5D000, 1),
            (0x3EFFFC00, 0x400, 1), (0x3FFE0000, 0x20000, 2),
            (0xFFFC0000, 0x40000, 2), (0xFD00000000, 0x300000000, 2)]
    block = boot_params(load, BP_PA + 0x1000, rsdp=0xF59D0)
    block += KEXEC_LOAD_CMDLINE.encode() + b"\0"
    write("bootparams", "kexec_load", bytes(block))

    # kexec_file_load: unsorted, setup_data RNG seed then E820_EXT.
    filed = [(0x1000, 0x9EC00, 1), (0x0, 0x1000, 2), (0x9FC00, 0x400, 2),
             (0xF0000, 0x10000, 2), (0x3FFE0000, 0x20000, 2),
             (0xFFFC0000, 0x40000, 2), (0xFD00000000, 0x300000000, 2),
             (0x33001000, 0xBFFF000, 1)]
    rng = BP_PA + 0x1800
    ext = BP_PA + 0x1900
    block = boot_params(filed, BP_PA + 0x1000, rsdp=0x3F77D014,
                        setup_data=rng)
    cl = KEXEC_FILE_CMDLINE.encode() + b"\0"
    block += cl + bytes(0x800 - len(cl))
    block += setup_node(ext, 9, bytes(range(32)))
    block += bytes(ext - BP_PA - len(block))
    more = [((i + 1) << 32, 0x10000000, 1 if i % 3 else 2) for i in range(10)]
    block += setup_node(0, 1, e820(more))
    write("bootparams", "kexec_file_setup_data", bytes(block))

    # The command line across a page boundary.
    block = boot_params(load[:5], BP_PA + 0x2000 - 17)
    block += bytes(0x1000 - 17) + b"elfcorehdr=0x33000000 bmdump.final=halt\0"
    write("bootparams", "cmdline_page_boundary", bytes(block))


# --- ELF core header -------------------------------------------------------

PAGE_OFFSET = 0xFFFF8F3B40000000
KTEXT = 0xFFFFFFFF80000000


def ehdr(phnum):
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    return ident + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64,
                               56, phnum, 0, 0, 0)


def phdr(typ, off, vaddr, paddr, size):
    return struct.pack("<IIQQQQQQ", typ, 0, off, vaddr, paddr, size, size, 0)


def note(name, typ, desc):
    n = name + b"\0"
    pad = lambda b: b + bytes(-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), typ) + pad(n) + pad(desc)


def prstatus_buf(pid, rip, rsp):
    desc = bytearray(336)
    struct.pack_into("<I", desc, 32, pid)
    struct.pack_into("<Q", desc, 112 + 16 * 8, rip)
    struct.pack_into("<Q", desc, 112 + 19 * 8, rsp)
    buf = note(b"CORE", 1, bytes(desc))
    return buf + bytes(368 - len(buf))


VMCOREINFO = (
    "OSRELEASE=6.1.0-56-amd64\n"
    "BUILD-ID=5d8e1f0c4b9a7e3f2d1c0b9a8f7e6d5c4b3a2918\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff81003000\n"
    "OFFSET(uts_namespace.name)=0\n"
    "SYMBOL(swapper_pg_dir)=ffffffff82a0a000\n"
    "SYMBOL(_stext)=ffffffff81000000\n"
    "SYMBOL(mem_section)=ffff8f3b7ffd3000\n"
    "LENGTH(mem_section)=2048\n"
    "SIZE(mem_section)=32\n"
    "OFFSET(mem_section.section_mem_map)=0\n"
    "NUMBER(SECTION_SIZE_BITS)=27\n"
    "NUMBER(MAX_PHYSMEM_BITS)=46\n"
    "SIZE(page)=64\n"
    "OFFSET(page.flags)=0\n"
    "OFFSET(page._refcount)=52\n"
    "OFFSET(page.mapping)=24\n"
    "OFFSET(page.lru)=8\n"
    "OFFSET(page._mapcount)=48\n"
    "OFFSET(page.private)=40\n"
    "OFFSET(page.compound_head)=8\n"
    "LENGTH(zone.free_area)=11\n"
    "NUMBER(PG_lru)=4\n"
    "NUMBER(PG_slab)=9\n"
    "NUMBER(PG_head_mask)=65536\n"
    "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
    "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
    "NUMBER(phys_base)=0\n"
    "SYMBOL(init_top_pgt)=ffffffff82a0a000\n"
    "NUMBER(pgtable_l5_enabled)=0\n"
    "KERNELOFFSET=0\n"
    "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
    "NUMBER(sme_mask)=0\n"
    "CRASHTIME=1764103831\n")


def vmcoreinfo_note(text):
    buf = note(b"VMCOREINFO", 0, text.encode())
    return buf + bytes(4132 - len(buf))


def utsname(node):
    f = lambda s: s.encode() + bytes(65 - len(s))
    return (f("Linux") + f(node) + f("6.1.0-56-amd64") +
            f("#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1") + f("x86_64") +
            f("(none)"))


def place(blob, off, data):
    if len(blob) < off:
        blob += bytes(off - len(blob))
    blob[off:off + len(data)] = data
    return blob


def elfcore_seed(kexec_file):
    """Header at HDR_PA; notes, VMCOREINFO, utsname, "backup" behind it."""
    notes = [0x1000, 0x1200, 0x1400]
    vmci, uts, backup = 0x2000, 0x3000, 0x4000
    ph = []
    cpus = [prstatus_buf(1, 0xFFFFFFFF81123456, 0xFFFFB5E2C0A3FD58),
            bytes(368),                         # CPU 1 never saved
            prstatus_buf(0, 0xFFFFFFFF81000ABC, 0xFFFFB5E2C0003E80)]
    if kexec_file:
        cpus = cpus[:1] + cpus[2:]
        notes = notes[:1] + notes[2:]
    for off in notes:
        ph.append(phdr(4, HDR_PA + off, 0, HDR_PA + off, 368))
    ph.append(phdr(4, HDR_PA + vmci, 0, HDR_PA + vmci, 4132))
    ph.append(phdr(1, 0x1000000, KTEXT + 0x1000000, 0x1000000, 0x2000000))
    if not kexec_file:
        ph.append(phdr(1, HDR_PA + backup, PAGE_OFFSET + 0x1000, 0x1000,
                       0x9EC00))
    for start, end in ((0x100000, 0x33000000), (0x3F000000, 0x3FFE0000)):
        ph.append(phdr(1, start, PAGE_OFFSET + start, start, end - start))
    blob = bytearray(ehdr(len(ph)) + b"".join(ph))
    for off, buf in zip(notes, cpus):
        blob = place(blob, off, buf)
    blob = place(blob, vmci, vmcoreinfo_note(VMCOREINFO))
    blob = place(blob, uts, utsname("rig-x"))
    if not kexec_file:
        blob = place(blob, backup, b"backup of low memory" + bytes(236))
    return bytes(blob)


def elfcore_seeds():
    write("elfcore", "kexec_load", elfcore_seed(False))
    write("elfcore", "kexec_file", elfcore_seed(True))


def vmcoreinfo_seeds():
    write("vmcoreinfo", "debian_61", VMCOREINFO.encode())
    write("vmcoreinfo", "negative_no_newline",
          b"OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(phys_base)=-2147483648\n"
          b"SYMBOL(init_uts_ns)=ffffffff82613f40\n"
          b"OFFSET(uts_namespace.name)=0\nCRASHTIME=1764103831")


# --- ACPI ------------------------------------------------------------------

def checksum_fix(b, at, start=0, end=None):
    end = len(b) if end is None else end
    b[at] = 0
    b[at] = (-sum(b[start:end])) & 0xFF


def rsdp(rev, rsdt, xsdt):
    r = bytearray(b"RSD PTR " + bytes(28 if rev >= 2 else 12))
    r[9:15] = b"BOCHS "
    r[15] = rev
    struct.pack_into("<I", r, 16, rsdt)
    if rev >= 2:
        struct.pack_into("<IQ", r, 20, 36, xsdt)
    checksum_fix(r, 8, 0, 20)
    if rev >= 2:
        checksum_fix(r, 32)
    return bytes(r)


def sdt(sig, body):
    t = bytearray(sig + struct.pack("<IBB", 36 + len(body), 1, 0) +
                  b"BOCHS BXPC    " + struct.pack("<I", 1) + b"BXPC" +
                  struct.pack("<I", 1) + body)
    checksum_fix(t, 9)
    return bytes(t)


def fadt():
    f = bytearray(244 - 36)
    struct.pack_into("<I", f, 76 - 36, 0x608)           # PM_TMR_BLK
    f[91 - 36] = 4                                      # PM_TMR_LEN
    struct.pack_into("<I", f, 112 - 36, (1 << 10) | (1 << 8))
    f[116 - 36:128 - 36] = struct.pack("<BBBBQ", 1, 8, 0, 1, 0xCF9)
    f[128 - 36] = 0x0F
    f[208 - 36:220 - 36] = struct.pack("<BBBBQ", 1, 32, 0, 3, 0x608)
    return sdt(b"FACP", bytes(f))


def madt():
    e = struct.pack("<II", 0xFEE00000, 1)
    for uid, apic, flags in ((0, 0, 1), (1, 1, 1), (2, 2, 0)):
        e += struct.pack("<BBBBI", 0, 8, uid, apic, flags)
    e += struct.pack("<BBBBII", 1, 12, 0, 0, 0xFEC00000, 0)
    e += struct.pack("<BBHIII", 9, 16, 0, 0x100, 1, 3)
    e += struct.pack("<BBBHB", 4, 6, 0xFF, 5, 1)
    return sdt(b"APIC", e)


def acpi_blob(root_rev, efi):
    """RSDP (or EFI system table) at FW_PA, the tables behind it."""
    xsdt_off, rsdt_off, fadt_off, madt_off = 0x400, 0x480, 0x500, 0x600
    blob = bytearray()
    r = rsdp(root_rev, FW_PA + rsdt_off, FW_PA + xsdt_off)
    if efi:
        st = bytearray(120)
        struct.pack_into("<Q", st, 0, 0x5453595320494249)
        struct.pack_into("<QQ", st, 104, 2, FW_PA + 0x100)
        blob = place(blob, 0, st)
        g10 = bytes.fromhex("302d9deb882dd3119a160090273fc14d")
        g20 = bytes.fromhex("71e86888f1e4d311bc220080c73c8881")
        blob = place(blob, 0x100, g10 + struct.pack("<Q", FW_PA + 0x200) +
                     g20 + struct.pack("<Q", FW_PA + 0x300))
        blob = place(blob, 0x200, rsdp(0, FW_PA + rsdt_off, 0))
        blob = place(blob, 0x300, rsdp(2, FW_PA + rsdt_off,
                                       FW_PA + xsdt_off))
    else:
        blob = place(blob, 0, r)
    tables = (FW_PA + fadt_off, FW_PA + madt_off)
    blob = place(blob, xsdt_off, sdt(b"XSDT", struct.pack("<QQ", *tables)))
    blob = place(blob, rsdt_off, sdt(b"RSDT", struct.pack("<II", *tables)))
    blob = place(blob, fadt_off, fadt())
    blob = place(blob, madt_off, madt())
    return bytes(blob)


def acpi_seeds():
    write("acpi", "rsdp_v2_xsdt", acpi_blob(2, False))
    write("acpi", "rsdp_v0_rsdt", acpi_blob(0, False))
    write("acpi", "efi_systab", acpi_blob(2, True))


# --- bmdump.ko's descriptor (contract 1) ------------------------------------

DESC_MAGIC = 0x4353454450444D42
DESC_DONE = 0x444F4E45
DESC_FILLING = 0x46494C4C
FIX_CRCS = 0x03


def descriptor(state, max_pfn, chunks, level=31):
    """chunks: (phys, first_pfn, nr_pfns); both CRCs left 0."""
    d = struct.pack("<QIIIIQII", DESC_MAGIC, 1, 4096, state, level, max_pfn,
                    len(chunks), 1)
    d += struct.pack("<QQQQQ", 2096034, 1 << 40, 9000000, 1, 30000)
    d += struct.pack("<16Q", *range(16))
    d += struct.pack("<II5Q", 0, 0, 0, 0, 0, 0, 0)
    assert len(d) == 256
    for c in chunks:
        d += struct.pack("<QQQ", *c)
    return d.ljust(4096, b"\0")


def bitmap_bytes(n, seed):
    return bytes((i * 37 + seed) & 0xFF for i in range(n))


def desc_seeds():
    one = descriptor(DESC_DONE, 30000, [(RAM_PA + 4096, 0, 32768)])
    write("desc", "one_chunk", bytes([FIX_CRCS]) + one +
          bitmap_bytes(4096, 1))
    three = descriptor(DESC_DONE, 36000, [(RAM_PA + 4096, 0, 8192),
                                          (RAM_PA + 8192, 16384, 8192),
                                          (RAM_PA + 12288, 32768, 4096)])
    write("desc", "three_chunks_gap", bytes([FIX_CRCS]) + three +
          bitmap_bytes(1024, 2).ljust(4096, b"\0") +
          bitmap_bytes(1024, 3).ljust(4096, b"\0") + bitmap_bytes(512, 4))
    write("desc", "filling", bytes([FIX_CRCS]) +
          descriptor(DESC_FILLING, 30000, [(RAM_PA + 4096, 0, 32768)]) +
          bitmap_bytes(4096, 5))
    # flags 0x07: the descriptor at RAM_PA + 4, not 8-byte aligned
    write("desc", "misaligned", bytes([0x07]) + b"\0" * 4 + one[:4092] +
          bitmap_bytes(4096, 6))


# --- GPT -------------------------------------------------------------------

AREA_TYPE = bytes.fromhex("c351347740e6894c9aabb4fe3b56a9c9")
LINUX_FS = bytes.fromhex("af3dc60f838472478e793d69d8477de4")
GPT_FIX = 0x03
GPT_4K = 0x04


def gpt_disk(bs, nr_blocks, parts, primary=True, backup=True):
    """Four 128-byte entries: one block of entries at LBA 2 and at the
    second to last LBA; CRCs left 0."""
    img = bytearray(bs * nr_blocks)
    ents = bytearray(512)
    for i, (typ, first, last) in enumerate(parts):
        e = typ + bytes([0x40 + i]) * 16 + struct.pack("<QQ", first, last)
        ents[i * 128:i * 128 + len(e)] = e
    img[446:462] = bytes([0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF]) + \
        struct.pack("<II", 1, min(nr_blocks - 1, 0xFFFFFFFF))
    img[510:512] = b"\x55\xaa"
    for is_backup in (False, True):
        if (primary, backup)[is_backup] is False:
            continue
        my = nr_blocks - 1 if is_backup else 1
        other = 1 if is_backup else nr_blocks - 1
        el = nr_blocks - 2 if is_backup else 2
        h = b"EFI PART" + struct.pack("<II", 0x10000, 92) + b"\0" * 8
        h += struct.pack("<QQQQ", my, other, 3, nr_blocks - 3)
        h += bytes(range(16))
        h += struct.pack("<QIII", el, 4, 128, 0)
        img[my * bs:my * bs + len(h)] = h
        img[el * bs:el * bs + 512] = ents
    return bytes(img)


def gpt_seeds():
    parts = [(LINUX_FS, 3, 6), (AREA_TYPE, 7, 12)]
    write("gpt", "primary_and_backup",
          bytes([GPT_FIX, 0]) + gpt_disk(512, 16, parts))
    write("gpt", "backup_only",
          bytes([GPT_FIX, 0]) + gpt_disk(512, 16, parts, primary=False))
    write("gpt", "block_4k", bytes([GPT_FIX | GPT_4K, 0]) +
          gpt_disk(4096, 8, [(AREA_TYPE, 3, 5)]))
    # disk larger than the input: the backup reads as zeros
    write("gpt", "primary_past_input",
          bytes([GPT_FIX, 200]) + gpt_disk(512, 208, parts)[:512 * 8])


# --- DMAR and IVRS (the first byte: fuzz_dmar's / fuzz_ivrs's flags) --------

def dmar_table():
    """QEMU's intel-iommu: one DRHD, an IOAPIC and PCI endpoints in scope."""
    scope = struct.pack("<BBBBBBBB", 3, 8, 0, 0, 0, 0xFF, 0x1F, 0)  # IOAPIC
    for dev in (0, 1, 0x1F):
        scope += struct.pack("<BBBBBBBB", 1, 8, 0, 0, 0, 0, dev, 0)
    drhd = struct.pack("<HHBBHQ", 0, 16 + len(scope), 0, 0, 0,
                       0xFED90000) + scope
    rmrr = struct.pack("<HHHHQQ", 1, 24, 0, 0, 0x3E000000, 0x3E0FFFFF)
    incl = struct.pack("<HHBBHQ", 0, 16, 1, 0, 0, 0xFED91000)
    return sdt(b"DMAR", struct.pack("<BB", 38, 1) + bytes(10) + drhd + rmrr +
               incl)


def ivrs_table():
    """QEMU's amd-iommu: the same IOMMU as IVHD 10h and 11h, an IVMD."""
    ent = struct.pack("<BHB", 3, 0, 0) + struct.pack("<BHB", 4, 0xFFFF, 0)
    h10 = struct.pack("<BBHHHQHHI", 0x10, 0xB0, 24 + len(ent), 0x10, 0x40,
                      0xFED80000, 0, 0, 0) + ent
    h11 = struct.pack("<BBHHHQHHIQQ", 0x11, 0x30, 40 + len(ent), 0x10, 0x40,
                      0xFED80000, 0, 0, 0, 0, 0) + ent
    ivmd = struct.pack("<BBHHHQQQ", 0x20, 1, 32, 0, 0, 0, 0x3E000000,
                       0x100000)
    return sdt(b"IVRS", struct.pack("<I", 0x203041) + bytes(8) + h10 + ivmd +
               h11)


def iommu_seeds():
    write("dmar", "qemu_intel_iommu", b"\x00" + dmar_table())
    write("dmar", "fix_length", b"\x01" + dmar_table()[:-8])
    write("ivrs", "qemu_amd_iommu", b"\x00" + ivrs_table())
    write("ivrs", "fix_length", b"\x01" + ivrs_table()[:-4])


# --- the stub's page scan: VMCOREINFO and the memory it points into ------

SCAN_DMAP = 0xFFFF888000000000
SCAN_VMEMMAP = 0xFFFFEA0000000000
SCAN_KMAP = 0xFFFFFFFF80000000
VMCI_DIR = os.path.join(HERE, "..", "unit", "vmcoreinfo")


def vmci_numbers(text):
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition("=")
        if k.startswith(("NUMBER(", "OFFSET(", "SIZE(", "LENGTH(")):
            out[k] = int(v)
    return out


def scan_image(text):
    """16 pages of RAM at RAM_PA: page tables mapping the direct map (one
    1 GiB page) and the vmemmap (4 KiB pages), the mem_section root and
    section arrays, the struct pages of RAM_PA's pfns, data pages."""
    n = vmci_numbers(text)
    ram = bytearray(16 * 4096)
    pfn0 = RAM_PA >> 12
    sec_shift = n["NUMBER(SECTION_SIZE_BITS)"] - 12
    per_root = 4096 // n["SIZE(mem_section)"]
    sec = pfn0 >> sec_shift
    page_va = SCAN_VMEMMAP + pfn0 * n["SIZE(page)"]

    def q(off, v):
        struct.pack_into("<Q", ram, off, v)

    def idx(va, shift):
        return (va >> shift) & 511

    q(idx(SCAN_DMAP, 39) * 8, RAM_PA + 0x1000 | 3)
    q(idx(SCAN_VMEMMAP, 39) * 8, RAM_PA + 0x2000 | 3)
    q(0x1000 + idx(SCAN_DMAP + RAM_PA, 30) * 8, RAM_PA | 0x83)
    q(0x2000 + idx(page_va, 30) * 8, RAM_PA + 0x3000 | 3)
    q(0x3000 + idx(page_va, 21) * 8, RAM_PA + 0x4000 | 3)
    q(0x4000 + idx(page_va, 12) * 8, RAM_PA + 0x7000 | 3)
    assert sec // per_root == 0
    q(0x5000, SCAN_DMAP + RAM_PA + 0x6000)
    q(0x6000 + sec * n["SIZE(mem_section)"] +
      n["OFFSET(mem_section.section_mem_map)"], SCAN_VMEMMAP | 0xF)

    size = n["SIZE(page)"]

    def page(i, flags=0, mapping=0, mapcount=0xFFFFFFFF, private=0):
        base = 0x7000 + i * size
        q(base + n["OFFSET(page.flags)"], flags)
        q(base + n["OFFSET(page.mapping)"], mapping)
        struct.pack_into("<I", ram, base + n["OFFSET(page._mapcount)"],
                         mapcount)
        q(base + n["OFFSET(page.private)"], private)

    buddy = n["NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)"] & 0xFFFFFFFF
    lru = 1 << n["NUMBER(PG_lru)"]
    head = n["NUMBER(PG_head_mask)"]
    page(8, mapcount=buddy, private=3)
    page(1, flags=lru, mapping=SCAN_DMAP + 0x8000)
    page(2, flags=lru, mapping=SCAN_DMAP + 0x8001)
    page(3, flags=1 << n["NUMBER(PG_hwpoison)"])
    page(4, flags=head | lru, mapping=SCAN_DMAP + 0x8001)
    if "OFFSET(page.compound_order)" in n:
        ram[0x7000 + 5 * size + n["OFFSET(page.compound_order)"]] = 1
    else:
        ram[0x7000 + 5 * size + n["OFFSET(page.flags)"]] = 1
    q(0x7000 + 5 * size + n["OFFSET(page.compound_head)"],
      (page_va + 4 * size) | 1)
    return bytes(ram)


def scan_seeds():
    for rel in sorted(os.listdir(VMCI_DIR)):
        with open(os.path.join(VMCI_DIR, rel)) as f:
            text = f.read()
        text += ("SYMBOL(mem_section)=%x\nSYMBOL(init_top_pgt)=%x\n"
                 "NUMBER(phys_base)=0\n" % (SCAN_DMAP + RAM_PA + 0x5000,
                                             SCAN_KMAP + RAM_PA))
        t = text.encode()
        img = scan_image(text)
        name = rel.split("+")[0]
        write("scan", name, b"\x00" + struct.pack("<H", len(t)) + t + img)
        # the page of the struct pages left out of RAM
        write("scan", name + "-hole", b"\x0f" + struct.pack("<H", len(t)) +
              t + img)


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    cmdline_seeds()
    bootparams_seeds()
    elfcore_seeds()
    vmcoreinfo_seeds()
    acpi_seeds()
    desc_seeds()
    gpt_seeds()
    iommu_seeds()
    scan_seeds()


if __name__ == "__main__":
    main()
