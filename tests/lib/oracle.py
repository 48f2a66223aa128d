# SPDX-License-Identifier: GPL-2.0
"""The memory-truth oracle: every page of a dump against the crashed
machine's real memory.

The rig (Guest(memdump=True)) pauses QEMU at the stub's final reset and
saves guest RAM with QMP dump-guest-memory (ELF, guest-physical
addresses).  Nothing of bmdump reads either side: the dump is read by
libkdumpfile (Debian's python3-libkdumpfile, so this file runs that part
under /usr/bin/python3 as a script), RAM straight from QEMU's file.

Which RAM a dumped pfn must equal is what the crashed kernel told the stub
in the elfcorehdr: each PT_LOAD maps p_paddr to the memory at p_offset,
and with kexec_load the low-memory PT_LOAD points at the purgatory's
backup copy, not at low memory itself (which the purgatory may have
reused).  The crashkernel region, where the stub ran, is in no PT_LOAD.

The page set is held against bmdump.ko's bitmap as it lies in the crashed
kernel's memory, checked and read through contract 1 by desctool.
"""

import json
import mmap
import os
import re
import struct
import subprocess
import sys

PAGE = 4096
DEBIAN_PYTHON = "/usr/bin/python3"
PT_LOAD = 1
PT_NOTE = 4
NT_PRSTATUS = 1
MAX_LISTED = 16


def elf_phdrs(read):
    """Program headers of a 64-bit little-endian ELF read through
    read(off, n): [(p_type, p_paddr, p_offset, p_filesz)]."""
    h = read(0, 64)
    if not h or h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 1:
        raise ValueError("not an ELF64 LE header: %r" % (h and h[:8]))
    phoff, = struct.unpack_from("<Q", h, 32)
    phentsize, phnum = struct.unpack_from("<HH", h, 54)
    if phentsize < 56 or phnum == 0 or phnum > 4096:
        raise ValueError("ELF program headers out of range")
    out = []
    for i in range(phnum):
        ph = read(phoff + i * phentsize, 56)
        if not ph or len(ph) < 56:
            raise ValueError("program header %d unreadable" % i)
        p_type, _, off, _, paddr, filesz, _ = struct.unpack_from(
            "<IIQQQQQ", ph)
        out.append((p_type, paddr, off, filesz))
    return out


def elf_loads(read):
    """PT_LOADs: [(p_paddr, p_offset, p_filesz)]."""
    return [(pa, off, n) for t, pa, off, n in elf_phdrs(read)
            if t == PT_LOAD and n]


def prstatus_rips(ram, hdr_addr):
    """RIP of every NT_PRSTATUS the crashed kernel saved, in note order,
    read from its crash notes in RAM (each PT_NOTE's p_offset is the
    notes' physical address).  pr_reg starts at byte 112 of x86-64's
    elf_prstatus; rip is its 17th register."""
    rips = []
    for t, _, off, size in elf_phdrs(lambda o, n: ram.read(hdr_addr + o, n)):
        if t != PT_NOTE:
            continue
        notes, pos = ram.read(off, size), 0
        while notes and pos + 12 <= len(notes):
            namesz, descsz, ntype = struct.unpack_from("<III", notes, pos)
            name = notes[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            desc = pos + 12 + (namesz + 3) // 4 * 4
            if name == b"CORE" and ntype == NT_PRSTATUS and descsz >= 256:
                rips.append(struct.unpack_from("<Q", notes,
                                               desc + 112 + 16 * 8)[0])
            pos = desc + (descsz + 3) // 4 * 4
    return rips


class RamImage:
    """Guest RAM from QEMU's dump-guest-memory file (paging=false)."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.m = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        self.loads = elf_loads(lambda off, n: self.m[off:off + n])

    def read(self, paddr, n):
        """n bytes at guest-physical paddr, or None if not all in RAM."""
        for pa, off, size in self.loads:
            if pa <= paddr and paddr + n <= pa + size:
                return self.m[off + paddr - pa:off + paddr - pa + n]
        return None

    def close(self):
        self.m.close()
        self.f.close()


def elfcorehdr_addr(cmdline):
    """elfcorehdr=ADDR[KMG] from a command line (kexec_load writes NNNK,
    kexec_file 0x...)."""
    m = re.search(r"\belfcorehdr=(0x[0-9a-fA-F]+|\d+)([KMG]?)", cmdline)
    if not m:
        raise ValueError("no elfcorehdr= in %r" % cmdline)
    return int(m.group(1), 0) << {"": 0, "K": 10, "M": 20,
                                  "G": 30}[m.group(2)]


def source_map(ram, hdr_addr):
    """The crashed kernel's RAM as its elfcorehdr (in RAM) describes it:
    [(physical address, where its bytes lie, size)]."""
    return elf_loads(lambda off, n: ram.read(hdr_addr + off, n))


def covered_pfns(loads):
    """An int with bit p set for every pfn a PT_LOAD touches."""
    x = 0
    for pa, _, size in loads:
        first, end = pa // PAGE, (pa + size + PAGE - 1) // PAGE
        x |= ((1 << (end - first)) - 1) << first
    return x


def dumped_ranges(k):
    """[(first pfn, end pfn)] of the dump's 2nd bitmap, from libkdumpfile."""
    import kdumpfile
    pm = k.attr["file.pagemap"]
    out, i = [], 0
    while True:
        try:
            i = pm.find_set(i)
        except kdumpfile.exceptions.NoDataException:
            return out
        j = pm.find_clear(i)
        out.append((i, j))
        i = j


def compare_page(got, pfn, ram, loads):
    """One dumped page against RAM as the elfcorehdr maps it: (bytes
    compared, bytes differing).  PT_LOADs may overlap (the kernel text
    has its own): each byte counts once."""
    a0, spans, bad = pfn * PAGE, [], 0
    for pa, src, size in loads:
        lo, hi = max(a0, pa), min(a0 + PAGE, pa + size)
        if lo >= hi:
            continue
        want = ram.read(src + lo - pa, hi - lo)
        if want is None:
            raise ValueError("PT_LOAD source 0x%x not in the RAM copy"
                             % (src + lo - pa))
        part = bytes(got[lo - a0:hi - a0])
        if part != want:
            bad = max(bad, sum(1 for x, y in zip(part, want) if x != y))
        spans.append((lo, hi))
    compared, end = 0, 0
    for lo, hi in sorted(spans):
        compared += max(0, hi - max(lo, end))
        end = max(end, hi)
    return compared, bad


def hook_bits(path, chunks):
    """bmdump.ko's bitmap as an int (bit p = pfn p) from the file desctool
    checked; chunks as desctool printed them."""
    x = 0
    with open(path, "rb") as f:
        for c in chunks:
            f.seek(c["file_offset"])
            x |= int.from_bytes(f.read(c["nr_pfns"] // 8), "little") \
                << c["first_pfn"]
    return x


def pfn_list(x, limit=MAX_LISTED):
    out = []
    while x and len(out) < limit:
        low = x & -x
        out.append(hex(low.bit_length() - 1))
        x ^= low
    return out


def compare(dump, ram_path, hdr_addr, hook=None, hold=()):
    """Runs under /usr/bin/python3.  hook: (bitmap file, desctool's chunk
    table) or None (then every RAM page must be in the dump).  hold:
    [(first pfn, end pfn)] the test knows hold data: reported under
    "not_held" where the dump lacks them."""
    import kdumpfile
    ram = RamImage(ram_path)
    loads = source_map(ram, hdr_addr)
    k = kdumpfile.kdumpfile(dump)
    out = {"pages": 0, "bytes": 0, "differ": [], "differ_n": 0,
           "unreadable": [], "outside_ram": [], "loads": len(loads),
           "ram_rips": prstatus_rips(ram, hdr_addr), "dump_rips": []}
    for c in range(int(k.attr["cpu.number"])):
        out["dump_rips"].append(int(k.attr["cpu.%d.reg.rip" % c]))
    dumped = 0
    out["last_pfn"] = -1
    for first, end in dumped_ranges(k):
        out["last_pfn"] = end - 1
        dumped |= ((1 << (end - first)) - 1) << first
        for pfn in range(first, end):
            try:
                got = k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE)
            except kdumpfile.exceptions.KDumpBaseException as e:
                out["unreadable"].append("%#x: %s" % (pfn, e))
                continue
            n, bad = compare_page(got, pfn, ram, loads)
            out["pages"] += 1
            out["bytes"] += n
            if not n:
                out["outside_ram"].append(hex(pfn))
            elif bad:
                out["differ_n"] += 1
                if len(out["differ"]) < MAX_LISTED:
                    out["differ"].append("%#x (%d bytes)" % (pfn, bad))
    covered = covered_pfns(loads)
    want = covered & (hook_bits(*hook) if hook else covered)
    out["expected_pages"] = bin(want).count("1")
    out["missing"] = pfn_list(want & ~dumped)
    out["missing_n"] = bin(want & ~dumped).count("1")
    out["extra"] = pfn_list(dumped & ~want)
    out["extra_n"] = bin(dumped & ~want).count("1")
    held = covered_pfns([(a * PAGE, 0, (b - a) * PAGE) for a, b in hold])
    out["not_held"] = pfn_list(held & ~dumped)
    ram.close()
    return out


def corrupt_one_page(dump, out):
    """Copies dump to out with one byte flipped in the stored data of one
    page (the first dumped page that is not zero and whose bytes occur
    once in the file); returns that pfn.  Runs under /usr/bin/python3."""
    import kdumpfile
    k = kdumpfile.kdumpfile(dump)
    with open(dump, "rb") as f:
        data = bytearray(f.read())
    for first, end in dumped_ranges(k):
        for pfn in range(first, end):
            page = bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE,
                                PAGE))
            if not any(page):
                continue
            at = data.find(page)
            if at < 0 or data.find(page, at + 1) >= 0:
                continue
            data[at + 100] ^= 0x40
            with open(out, "wb") as f:
                f.write(data)
            return pfn
    raise ValueError("no page stored raw and unique in " + dump)


def run_compare(dump, ram_path, hdr_addr, hook=None, corrupt=False,
                hold=()):
    """compare() in Debian's python3 (where libkdumpfile imports).
    corrupt: compare a copy of dump with one page's byte flipped instead
    (the oracle's own test); the result says which pfn ("corrupted")."""
    args = [DEBIAN_PYTHON, os.path.abspath(__file__)] + \
        (["--corrupt"] if corrupt else []) + \
        (["--hold", json.dumps(list(hold))] if hold else []) + \
        [dump, ram_path, str(hdr_addr)]
    if hook:
        args += [hook[0], json.dumps(hook[1])]
    p = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, "memory oracle failed:\n%s%s" % (p.stdout,
                                                              p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


# --- the test's side (any python3) -----------------------------------------

DESCTOOL = os.path.join(os.environ.get("BUILD", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")),
    "e2e-tools", "desctool")


def desctool(path, *opts):
    p = subprocess.run([DESCTOOL] + list(opts) + [path],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "desctool failed: %s" % p.stderr
    return json.loads(p.stdout)


def hook_from_ram(ram, desc_addr, workdir):
    """bmdump.ko's descriptor and bitmap copied out of the crashed
    kernel's RAM into desctool's layout (descriptor page, then each
    chunk's bitmap padded to a page) and checked by it.  Returns (file,
    chunk table)."""
    path = os.path.join(workdir, "hook-bitmap.bin")
    page = ram.read(desc_addr, PAGE)
    assert page is not None, "descriptor 0x%x not in RAM" % desc_addr
    with open(path, "wb") as f:
        f.write(page)
    table = desctool(path, "--table")
    with open(path, "ab") as f:
        for c in table["chunks"]:
            bits = ram.read(c["phys"], c["nr_pfns"] // 8)
            assert bits is not None, "bitmap chunk at 0x%x not in RAM" \
                % c["phys"]
            f.write(bits + bytes(-len(bits) % PAGE))
    d = desctool(path)
    assert d["desc_crc_ok"] and d["bitmap_crc_ok"], \
        "bmdump.ko's descriptor or bitmap in RAM fails its CRC: %s" % d
    assert d["state"] == d["state_done"], "descriptor not DONE: %s" % d
    return path, d["chunks"]


def stub_cmdline(res):
    _, m = res.find(r"bmdump: command line: (.*)$")
    assert m, "the stub did not print its command line\n" + res.tail()
    return m.group(1)


def desc_addr(res):
    m = re.search(r"\bbmdump\.desc=(0x[0-9a-fA-F]+)",
                  res.facts().get("desc", "") or
                  stub_cmdline(res))
    assert m, "no bmdump.desc= for a dump from bmdump.ko's bitmap"
    return int(m.group(1), 16)


def drop_memdump(res):
    """RAM copies are as big as the guest: none outlives its check."""
    path = getattr(res, "memdump", None)
    if path and os.path.exists(path):
        os.unlink(path)


def check_memory(res, img, workdir, source, pages=None, incomplete=False,
                 hold=()):
    """Every page of the dump img equals the crashed machine's RAM, and the
    dump holds exactly the pages it should: those of bmdump.ko's bitmap
    (source 1, the area's bitmap_source) or all RAM (2) that the
    elfcorehdr describes; an incomplete dump holds a subset.  The stub's
    own scan (3) holds a subset of RAM here: its page set is the caller's
    to check against makedumpfile's (tests/e2e/pagewalk.py).  pages: the
    count the area header gives.  hold: [(first pfn, end pfn)] that must
    be in the dump whatever the bitmap says (pages the test filled).
    Deletes the RAM copy."""
    assert res.memdump and os.path.exists(res.memdump), \
        "no copy of guest RAM (boot with rig.Guest(memdump=True)): %s" % (
            getattr(res, "shutdown_reason", None))
    try:
        hdr = elfcorehdr_addr(stub_cmdline(res))
        hook = None
        if str(source) == "1":
            ram = RamImage(res.memdump)
            try:
                hook = hook_from_ram(ram, desc_addr(res), workdir)
            finally:
                ram.close()
        r = run_compare(img, res.memdump, hdr, hook, hold=hold)
    finally:
        drop_memdump(res)
    assert r["pages"] > 0 and (pages is None or r["pages"] == int(pages)), \
        "oracle read %d pages, the area says %s" % (r["pages"], pages)
    assert not r["unreadable"], "libkdumpfile cannot read dumped pages: " \
        "%s" % r["unreadable"][:MAX_LISTED]
    assert not r["outside_ram"], "pages dumped outside the crashed " \
        "kernel's RAM: %s" % r["outside_ram"]
    assert not r["not_held"], "pages the test filled are not in the " \
        "dump: %s" % r["not_held"]
    assert r["differ_n"] == 0, "%d dumped pages differ from RAM: %s" % (
        r["differ_n"], r["differ"])
    assert r["extra_n"] == 0, "%d pages dumped that %s does not hold: %s" \
        % (r["extra_n"], "bmdump.ko's bitmap" if hook else "RAM",
           r["extra"])
    assert r["ram_rips"] and r["dump_rips"] == r["ram_rips"], \
        "CPU registers in the dump %s, in the crashed kernel's notes %s" % (
            [hex(x) for x in r["dump_rips"]], [hex(x) for x in r["ram_rips"]])
    if not incomplete and str(source) != "3":
        assert r["missing_n"] == 0, "%d pages of %s missing from the " \
            "dump: %s" % (r["missing_n"], "bmdump.ko's bitmap" if hook
                          else "RAM", r["missing"])
    print("    oracle: %d pages (%d bytes, up to pfn %#x) equal to RAM; "
          "page set = %s (%d pages); RIP of %d CPUs = crash notes in RAM" % (
              r["pages"], r["bytes"], r["last_pfn"], "bmdump.ko's bitmap"
              if hook else "a subset of RAM (stub scan)" if str(source) ==
              "3" else "all RAM", r["expected_pages"],
              len(r["ram_rips"])))
    res.oracle = r
    return r


def check_catches_corruption(res, img):
    """The oracle's own test: a copy of img with one byte of one page
    flipped must come out as exactly that page differing."""
    assert res.memdump and os.path.exists(res.memdump), \
        "no copy of guest RAM (boot with rig.Guest(memdump=True))"
    r = run_compare(img, res.memdump, elfcorehdr_addr(stub_cmdline(res)),
                    corrupt=True)
    assert r["differ_n"] == 1 and r["differ"][0].startswith(
        "%#x " % r["corrupted"]), "the oracle missed a flipped byte in " \
        "pfn %#x: %s" % (r["corrupted"], r)
    print("    oracle self-test: one byte flipped in pfn %#x of a copy, "
          "caught: %s" % (r["corrupted"], r["differ"]))


def main(argv):
    corrupt = argv[:1] == ["--corrupt"]
    if corrupt:
        argv = argv[1:]
    hold = ()
    if argv[:1] == ["--hold"]:
        hold, argv = json.loads(argv[1]), argv[2:]
    dump, ram_path, hdr = argv[0], argv[1], int(argv[2])
    hook = (argv[3], json.loads(argv[4])) if len(argv) > 4 else None
    if corrupt:
        bad = dump + ".corrupt"
        try:
            pfn = corrupt_one_page(dump, bad)
            out = compare(bad, ram_path, hdr, hook)
        finally:
            if os.path.exists(bad):
                os.unlink(bad)
        out["corrupted"] = pfn
    else:
        out = compare(dump, ram_path, hdr, hook, hold)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
