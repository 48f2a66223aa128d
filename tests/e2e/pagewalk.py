# SPDX-License-Identifier: GPL-2.0
"""An independent page classifier: which pfns `makedumpfile -d 31` would
keep, decided from the struct pages inside a dump file.

The reference of the hook on kernels Debian's makedumpfile 1.7.2 predates
(6.12: one page type per page in the top byte of page_type, slab and
hugetlb as page types, the folio order in page[1].flags).  It reads
nothing of bmdump's: only the dump's VMCOREINFO (through libkdumpfile) and
memory (through drgn, which walks the kernel's page tables), and applies
upstream makedumpfile's rules (__exclude_unnecessary_pages, as of its 6.12
support, commit 72c3414 "fix detection of typed (compound) pages"), chosen
by what VMCOREINFO exports exactly as makedumpfile chooses them.

The struct pages it reads are kernel pages, which every dump level keeps:
if the dump lacks one, the walk fails, and so does the test.

Run under Debian's /usr/bin/python3 (drgn, libkdumpfile):
    pagewalk.py DUMP [LEVEL] < RAM_HEX
RAM_HEX on stdin: the dump's 1st bitmap as hex (too long for argv past a
few GiB); LEVEL: makedumpfile -d bits (default 31).
prints JSON: keep (hex bitmap of kept RAM pfns), classes, vmcoreinfo.
"""

import json
import struct
import sys

DL_CACHE, DL_CACHE_PRI, DL_USER, DL_FREE = 2, 4, 8, 16
PGMM_CACHED = 512           # makedumpfile reads struct pages 512 at a time
PAGE_SHIFT = 12


class VmcoreInfo:
    def __init__(self, raw):
        self.raw = raw
        self.d = {}
        for line in raw.splitlines():
            k, sep, v = line.partition("=")
            if sep:
                self.d[k] = v

    def get(self, kind, name, base=10):
        v = self.d.get("%s(%s)" % (kind, name))
        return None if v is None else int(v, base)

    def number(self, name):
        return self.get("NUMBER", name)

    def offset(self, name):
        return self.get("OFFSET", name)

    def size(self, name):
        return self.get("SIZE", name)

    def symbol(self, name):
        return self.get("SYMBOL", name, 16)


def u32(v):
    """makedumpfile compares _mapcount with (int)NUMBER(...): 32 bits."""
    return None if v is None else v & 0xffffffff


class Rules:
    """makedumpfile's predicates, each keyed on what VMCOREINFO exports."""

    def __init__(self, vi):
        n = vi.number
        self.pg_lru = n("PG_lru")
        self.pg_private = n("PG_private")
        self.pg_swapcache = n("PG_swapcache")
        self.pg_swapbacked = n("PG_swapbacked")
        self.pg_slab = n("PG_slab")
        self.pg_hwpoison = n("PG_hwpoison")
        self.pg_hugetlb = n("PG_hugetlb")
        self.head_mask = n("PG_head_mask")
        self.buddy = u32(n("PAGE_BUDDY_MAPCOUNT_VALUE"))
        self.offline = u32(n("PAGE_OFFLINE_MAPCOUNT_VALUE"))
        self.slab_type = u32(n("PAGE_SLAB_MAPCOUNT_VALUE"))
        self.hugetlb_type = u32(n("PAGE_HUGETLB_MAPCOUNT_VALUE"))
        self.hugetlb_dtor = n("HUGETLB_PAGE_DTOR")
        self.free_orders = vi.get("LENGTH", "zone.free_area")
        self.order_off = vi.offset("page.compound_order")
        self.dtor_off = vi.offset("page.compound_dtor")
        for name in ("pg_lru", "pg_private", "pg_swapcache", "head_mask",
                     "buddy", "free_orders"):
            if getattr(self, name) is None:
                raise SystemExit("VMCOREINFO lacks what makedumpfile "
                                 "needs: %s" % name)

    @staticmethod
    def bit(flags, nr):
        return nr is not None and nr < 64 and (flags >> nr) & 1

    def is_slab(self, flags, mapcount):
        if self.slab_type is not None and mapcount == self.slab_type:
            return True
        return self.bit(flags, self.pg_slab)

    def is_cache(self, flags):
        return self.bit(flags, self.pg_lru) or (
            (self.pg_swapbacked is None or
             self.bit(flags, self.pg_swapbacked)) and
            self.bit(flags, self.pg_swapcache))

    def is_anon(self, mapping, flags, mapcount):
        return mapping & 1 and not self.is_slab(flags, mapcount)

    def is_buddy(self, flags, mapcount):
        return not self.is_slab(flags, mapcount) and \
            mapcount == self.buddy

    def is_offline(self, flags, mapcount):
        return self.offline is not None and \
            not self.is_slab(flags, mapcount) and \
            mapcount == self.offline

    def head_order(self, mapcount, page1):
        """(compound order, is hugetlb) from the head's page[1] words."""
        flags1, = struct.unpack_from("<Q", page1, 0)
        if self.hugetlb_type is not None:                   # 6.9+
            return flags1 & 0xff, mapcount == self.hugetlb_type
        if self.pg_hugetlb is not None:                     # 6.6-6.8
            return flags1 & 0xff, self.bit(flags1, self.pg_hugetlb)
        order = page1[self.order_off] if self.order_off is not None else 0
        dtor = page1[self.dtor_off] if self.dtor_off is not None else None
        return order, dtor is not None and dtor == self.hugetlb_dtor


class MemMap:
    """pfn -> struct page address through mem_section (SPARSEMEM_EXTREME)."""

    def __init__(self, prog, vi):
        self.prog = prog
        self.page_size = vi.size("page")
        self.ms_size = vi.size("mem_section")
        self.ms_map_off = vi.offset("mem_section.section_mem_map")
        self.section_bits = vi.number("SECTION_SIZE_BITS") - PAGE_SHIFT
        self.per_root = 4096 // self.ms_size
        # VMCOREINFO_SYMBOL_ARRAY: the value of mem_section, i.e. the
        # address of the array of root pointers
        self.roots = vi.symbol("mem_section")
        self.cache = {}

    def section_map(self, nr):
        """Decoded mem_map base of section nr (address of pfn 0's struct
        page as the kernel encodes it), or None without a mem_map."""
        if nr in self.cache:
            return self.cache[nr]
        root = self.prog.read_u64(self.roots + 8 * (nr // self.per_root))
        base = None
        if root:
            ms = root + self.ms_size * (nr % self.per_root)
            coded = self.prog.read_u64(ms + self.ms_map_off)
            # bit 0 present, bit 1 has mem_map; the rest of the low bits
            # are flags, the map is at least page aligned
            if coded & 3 == 3:
                base = coded & ~0xfff
        self.cache[nr] = base
        return base

    def page_addr(self, pfn):
        base = self.section_map(pfn >> self.section_bits)
        return None if base is None else (base + pfn * self.page_size) & \
            ((1 << 64) - 1)


def ram_runs(ram):
    """[start, end) runs of set bits of the int `ram`."""
    runs, pfn = [], 0
    while ram >> pfn:
        low = ram >> pfn
        skip = (low & -low).bit_length() - 1
        start = pfn + skip
        inv = ~(ram >> start)
        n = (inv & -inv).bit_length() - 1
        runs.append((start, start + n))
        pfn = start + n
    return runs


def walk(prog, vi, ram, level=31):
    """makedumpfile's __exclude_unnecessary_pages over every RAM pfn.
    Returns (set of excluded pfns as an int bitmap, class counts)."""
    r = Rules(vi)
    mm = MemMap(prog, vi)
    off = {k: vi.offset("page." + k) for k in
           ("flags", "mapping", "_mapcount", "private", "compound_head")}
    psz = mm.page_size
    excluded = 0
    counts = dict(free=0, cache=0, cache_private=0, user=0, hwpoison=0,
                  offline=0, no_mem_map=0, hugetlb_heads=0)
    for start, end in ram_runs(ram):
        pfn = start
        while pfn < end:
            addr = mm.page_addr(pfn)
            if addr is None:
                counts["no_mem_map"] += 1
                pfn += 1
                continue
            # one read per batch of PGMM_CACHED, as makedumpfile reads
            base_pfn = pfn
            batch_end = min(end, (pfn // PGMM_CACHED + 1) * PGMM_CACHED)
            buf = prog.read(addr, (batch_end - pfn) * psz)
            while pfn < batch_end:
                o = (pfn - base_pfn) * psz
                pg = buf[o:o + psz]
                flags, = struct.unpack_from("<Q", pg, off["flags"])
                mapping, = struct.unpack_from("<Q", pg, off["mapping"])
                mapcount, = struct.unpack_from("<I", pg, off["_mapcount"])
                private, = struct.unpack_from("<Q", pg, off["private"])
                chead, = struct.unpack_from("<Q", pg, off["compound_head"])
                order, hugetlb = 0, False
                if pfn % PGMM_CACHED < PGMM_CACHED - 1 and \
                        flags & r.head_mask:
                    page1 = buf[o + psz:o + 2 * psz]
                    if len(page1) < psz:    # the head ends a RAM run
                        page1 = prog.read(addr + (pfn - base_pfn + 1) * psz,
                                          psz)
                    order, hugetlb = r.head_order(mapcount, page1)
                    counts["hugetlb_heads"] += bool(hugetlb)
                    if order >= 64 or pfn & ((1 << order) - 1):
                        order = 0
                nr, cls = 1 << order, None
                anon = r.is_anon(mapping, flags, mapcount)
                cache = r.is_cache(flags)
                priv = r.bit(flags, r.pg_private)
                if chead & 1:
                    pass
                elif level & DL_FREE and r.is_buddy(flags, mapcount):
                    if private < r.free_orders:
                        nr, cls = 1 << private, "free"
                elif level & DL_CACHE and cache and not priv and not anon:
                    cls = "cache"
                elif level & DL_CACHE_PRI and cache and not anon:
                    cls = "cache_private" if priv else "cache"
                elif level & DL_USER and (anon or hugetlb):
                    cls = "user"
                elif r.bit(flags, r.pg_hwpoison):
                    cls = "hwpoison"
                elif r.is_offline(flags, mapcount):
                    cls = "offline"
                if cls is None:
                    pfn += 1
                    continue
                excluded |= ((1 << nr) - 1) << pfn
                counts[cls] += nr
                pfn += nr
                if pfn > batch_end:     # a block past this batch
                    break
    return excluded, counts


def main():
    import drgn
    import kdumpfile
    path, ram = sys.argv[1], int(sys.stdin.read(), 16)
    level = int(sys.argv[2]) if len(sys.argv) > 2 else 31
    k = kdumpfile.kdumpfile(path)
    k.attr["addrxlat.ostype"] = "linux"
    raw = bytes(k.attr["linux.vmcoreinfo.raw"]).decode()
    vi = VmcoreInfo(raw)
    prog = drgn.Program()
    prog.set_core_dump(path)
    excluded, counts = walk(prog, vi, ram, level)
    keep = ram & ~excluded
    print(json.dumps({"keep": "%x" % keep, "classes": counts,
                      "vmcoreinfo": raw}))


if __name__ == "__main__":
    main()
