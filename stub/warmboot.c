// SPDX-License-Identifier: GPL-2.0
/*
 * Placement and boot_params for FINAL_ACTION=boot; see warmboot.h.  Every
 * number comes from the disk or the crashed kernel, so each sum is checked
 * before it is used.
 */
#include "bmdump/bootset.h"
#include "errors.h"
#include "str.h"
#include "warmboot.h"

/* v rounded up to align (a power of two); 0 when that would wrap. */
static uint64_t align_up(uint64_t v, uint64_t align)
{
	if (v > UINT64_MAX - (align - 1))
		return 0;
	return (v + align - 1) & ~(align - 1);
}

/* A reserved range sharing a byte with [a, a + size), else NULL.  Every
 * caller has a + size <= the end of a RAM entry: no wrap. */
static const struct wb_range *overlap(uint64_t a, uint64_t size,
				      const struct wb_range *resv,
				      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (resv[i].start < a + size && a < resv[i].end)
			return &resv[i];
	return NULL;
}

/* Usable window of a map entry: RAM, not wrapping, clipped to
 * [floor, ceil).  0 when empty. */
static int ram_window(const struct e820_entry *e, uint64_t floor,
		      uint64_t ceil, uint64_t *lo, uint64_t *hi)
{
	if (e->type != E820_RAM || !e->size || e->addr + e->size < e->addr)
		return 0;
	*lo = e->addr > floor ? e->addr : floor;
	*hi = e->addr + e->size < ceil ? e->addr + e->size : ceil;
	return *lo < *hi;
}

/* Lowest aligned a in [lo, hi) with [a, a + size) free; 0: none. */
static uint64_t fit_low(uint64_t lo, uint64_t hi, uint64_t size,
			uint64_t align, const struct wb_range *resv,
			unsigned int n)
{
	uint64_t a = align_up(lo, align);
	const struct wb_range *r;

	while (a && a < hi && hi - a >= size) {
		r = overlap(a, size, resv, n);
		if (!r)
			return a;
		a = align_up(r->end, align);	/* strictly past r */
	}
	return 0;
}

/* Highest aligned a in [lo, hi) with [a, a + size) free; 0: none. */
static uint64_t fit_high(uint64_t lo, uint64_t hi, uint64_t size,
			 uint64_t align, const struct wb_range *resv,
			 unsigned int n)
{
	const struct wb_range *r;
	uint64_t a;

	if (hi - lo < size)
		return 0;
	a = (hi - size) & ~(align - 1);
	while (a >= lo && a) {
		r = overlap(a, size, resv, n);
		if (!r)
			return a;
		if (r->start < size + lo)
			return 0;
		/* Strictly below a, since a + size > r->start. */
		a = (r->start - size) & ~(align - 1);
	}
	return 0;
}

static int span_free(const struct e820_entry *map, unsigned int nr_map,
		     uint64_t a, uint64_t size, uint64_t ceil,
		     const struct wb_range *resv, unsigned int n)
{
	uint64_t lo, hi;
	unsigned int i;

	for (i = 0; i < nr_map; i++)
		if (ram_window(&map[i], WB_LOW_FLOOR, ceil, &lo, &hi) &&
		    a >= lo && a < hi && hi - a >= size)
			return !overlap(a, size, resv, n);
	return 0;
}

static uint64_t place_kernel(const struct e820_entry *map,
			     unsigned int nr_map, const struct wb_range *resv,
			     unsigned int n,
			     const struct bmdump_bzimage_info *k)
{
	uint64_t ceil = k->xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G ?
			UINT64_MAX : WB_4G;
	uint64_t lo, hi, a, best = 0;
	unsigned int i;

	/* Its link address first: no relocation work for the kernel. */
	if (k->pref_address && !(k->pref_address & (k->kernel_alignment - 1))
	    && span_free(map, nr_map, k->pref_address, k->init_size, ceil,
			 resv, n))
		return k->pref_address;
	for (i = 0; i < nr_map; i++) {
		if (!ram_window(&map[i], WB_LOW_FLOOR, ceil, &lo, &hi))
			continue;
		a = fit_low(lo, hi, k->init_size, k->kernel_alignment, resv,
			    n);
		if (a && (!best || a < best))
			best = a;
	}
	return best;
}

static uint64_t place_initrd(const struct e820_entry *map,
			     unsigned int nr_map, const struct wb_range *resv,
			     unsigned int n,
			     const struct bmdump_bzimage_info *k,
			     uint64_t bytes)
{
	uint64_t ceil = k->xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G ?
			UINT64_MAX : (uint64_t)k->initrd_addr_max + 1;
	uint64_t lo, hi, a, best = 0;
	unsigned int i;

	/* High, as bootloaders do: out of the kernel's way as it grows. */
	for (i = 0; i < nr_map; i++) {
		if (!ram_window(&map[i], WB_LOW_FLOOR, ceil, &lo, &hi))
			continue;
		a = fit_high(lo, hi, bytes, BMDUMP_PAGE_SIZE, resv, n);
		if (a > best)
			best = a;
	}
	return best;
}

int warmboot_place(const struct e820_entry *map, unsigned int nr_map,
		   const struct wb_range *resv, unsigned int nr_resv,
		   const struct bmdump_bzimage_info *k, uint64_t initrd_bytes,
		   struct wb_layout *l)
{
	struct wb_range r[WB_MAX_RESERVED + 1];
	unsigned int i;

	if (nr_resv > WB_MAX_RESERVED)
		return E_WB_TOO_MANY_RANGES;
	for (i = 0; i < nr_resv; i++)
		r[i] = resv[i];
	memset(l, 0, sizeof(*l));
	l->kernel_span = k->init_size;
	l->kernel_addr = place_kernel(map, nr_map, r, nr_resv, k);
	if (!l->kernel_addr || !l->kernel_span)
		return E_WB_NO_ROOM_KERNEL;
	if (!initrd_bytes)
		return 0;
	/* The initrd must not lie where the kernel decompresses. */
	r[nr_resv].start = l->kernel_addr;
	r[nr_resv].end = l->kernel_addr + l->kernel_span;
	l->initrd_bytes = initrd_bytes;
	l->initrd_addr = place_initrd(map, nr_map, r, nr_resv + 1, k,
				      initrd_bytes);
	return l->initrd_addr ? 0 : E_WB_NO_ROOM_INITRD;
}

/* The RAM of warmboot_map(), before firmware's ranges are cut out. */
static int map_ram(struct mem_allocator *m, const struct e820_entry *e820,
		   unsigned int nr_e820, const struct wb_range *ram,
		   unsigned int nr_ram, const struct mem_range *keep,
		   unsigned int nr_keep)
{
	unsigned int i;

	mem_init(m);
	for (i = 0; i < nr_e820; i++)
		if (e820[i].type == E820_RAM &&
		    mem_add(m, e820[i].addr, e820[i].addr + e820[i].size))
			return E_WB_MAP_FULL;
	for (i = 0; i < nr_ram; i++)
		if (mem_add(m, ram[i].start, ram[i].end))
			return E_WB_MAP_FULL;
	for (i = 0; i < nr_keep; i++)
		if (mem_add(m, keep[i].start, keep[i].end))
			return E_WB_MAP_FULL;
	return 0;
}

int warmboot_map(const struct e820_entry *e820, unsigned int nr_e820,
		 const struct wb_range *ram, unsigned int nr_ram,
		 const struct mem_range *keep, unsigned int nr_keep,
		 struct e820_entry *out, unsigned int max_out,
		 unsigned int *nr_out)
{
	static struct mem_allocator m;
	unsigned int i, n = 0;

	if (map_ram(&m, e820, nr_e820, ram, nr_ram, keep, nr_keep))
		return E_WB_MAP_FULL;
	for (i = 0; i < nr_e820; i++) {
		if (e820[i].type == E820_RAM)
			continue;
		if (mem_reserve(&m, e820[i].addr,
				e820[i].addr + e820[i].size) || n >= max_out)
			return E_WB_MAP_FULL;
		out[n++] = e820[i];
	}
	for (i = 0; i < m.nr_free; i++) {
		if (n >= max_out)
			return E_WB_MAP_FULL;
		out[n].addr = m.free[i].start;
		out[n].size = m.free[i].end - m.free[i].start;
		out[n++].type = E820_RAM;
	}
	*nr_out = n;
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Insert e into the sorted table t of *n entries (room checked). */
static void e820_insert(struct e820_entry *t, unsigned int *n,
			const struct e820_entry *e)
{
	unsigned int i = (*n)++;

	while (i && t[i - 1].addr > e->addr) {
		t[i] = t[i - 1];
		i--;
	}
	t[i] = *e;
}

int warmboot_e820(uint8_t bp[BOOT_PARAMS_SIZE], const struct e820_entry *map,
		  unsigned int nr_map)
{
	struct e820_entry t[BP_E820_MAX];
	unsigned int i, n = 0, out = 0, ram = 0;

	for (i = 0; i < nr_map; i++) {
		const struct e820_entry *e = &map[i];

		if (!e->size || e->addr + e->size < e->addr)
			continue;
		if (n && t[n - 1].type == e->type &&
		    t[n - 1].addr + t[n - 1].size == e->addr) {
			t[n - 1].size += e->size;	/* common: in order */
			continue;
		}
		if (n >= BP_E820_MAX)
			return E_WB_E820_FULL;
		e820_insert(t, &n, e);
	}
	for (i = 0; i < n; i++) {
		/* Out of order input: merge what sorting made adjacent. */
		if (out && t[i].type == t[out - 1].type &&
		    t[out - 1].addr + t[out - 1].size == t[i].addr) {
			t[out - 1].size += t[i].size;
			continue;
		}
		t[out++] = t[i];
	}
	for (i = 0; i < out; i++) {
		uint8_t *d = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;

		put_le64(d, t[i].addr);
		put_le64(d + 8, t[i].size);
		put_le32(d + 16, t[i].type);
		ram += t[i].type == E820_RAM;
	}
	bp[BP_E820_ENTRIES] = (uint8_t)out;
	return ram ? 0 : E_WB_E820_EMPTY;
}

int warmboot_cmdline_add(char *buf, uint64_t n, uint64_t size,
			 const char *words, uint64_t *len)
{
	uint64_t at, wlen = strlen(words), pre, post;

	if (n >= size || bmdump_bootset_cmdline_tail(buf, n, &at))
		return E_WB_CMDLINE_BYTES;
	/* "<kernel's words> <ours> -- <init's words>" */
	pre = at && !bmdump_bootset_cmdline_space(buf[at - 1]);
	post = at < n;
	if (wlen > size || n + pre + wlen + post >= size)
		return E_WB_CMDLINE_ROOM;
	memmove(buf + at + pre + wlen + post, buf + at, n - at);
	if (pre)
		buf[at] = ' ';
	memcpy(buf + at + pre, words, wlen);
	if (post)
		buf[at + pre + wlen] = ' ';
	*len = n + pre + wlen + post;
	buf[*len] = 0;
	return 0;
}

int warmboot_boot_params(uint8_t bp[BOOT_PARAMS_SIZE],
			 const struct wb_boot_args *a)
{
	const struct wb_layout *l = a->l;
	int err;

	if (a->cmdline_len > a->k->cmdline_size)
		return E_WB_CMDLINE_SIZE;
	memset(bp, 0, BOOT_PARAMS_SIZE);
	/* The kernel's own setup header, as the protocol asks of a loader;
	 * header_end is bounded by the check (<= 0x290). */
	memcpy(bp + BZ_SETUP_SECTS, a->kernel + BZ_SETUP_SECTS,
	       a->k->header_end - BZ_SETUP_SECTS);
	bp[BZ_TYPE_OF_LOADER] = BZ_TYPE_OF_LOADER_UNDEF;
	/* No real-mode heap: the real-mode setup code never runs. */
	bp[BZ_LOADFLAGS] &= (uint8_t)~BZ_LOADFLAG_CAN_USE_HEAP;
	put_le32(bp + BZ_CMD_LINE_PTR, (uint32_t)a->cmdline_addr);
	put_le32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(a->cmdline_addr >> 32));
	put_le32(bp + BZ_RAMDISK_IMAGE, (uint32_t)l->initrd_addr);
	put_le32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(l->initrd_addr >> 32));
	put_le32(bp + BZ_RAMDISK_SIZE, (uint32_t)l->initrd_bytes);
	put_le32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(l->initrd_bytes >> 32));
	put_le64(bp + BP_ACPI_RSDP_ADDR, a->acpi_rsdp);
	/* The firmware's EFI system table and runtime map, and
	 * (setup_data SETUP_EFI) the runtime mappings, so the next kernel
	 * keeps EFI runtime services.  secure_boot as kexec passes it: the
	 * next kernel locks down as the crashed one did. */
	if (a->efi_info) {
		memcpy(bp + BP_EFI_INFO, a->efi_info, BP_EFI_INFO_BYTES);
		bp[BP_SECURE_BOOT] = a->secure_boot;
	}
	put_le64(bp + BZ_SETUP_DATA, a->setup_data);
	err = warmboot_e820(bp, a->map, a->nr_map);
	return err;
}

int warmboot_efi_info(const struct bp_efi_info *ei, uint64_t *map_pa,
		      uint32_t *map_bytes)
{
	uint64_t systab = ei->systab | (uint64_t)ei->systab_hi << 32;

	if (!ei->loader_signature && !systab && !ei->memmap_size)
		return WB_EFI_NONE;
	/* "EL32": a 32-bit firmware, whose runtime calls Linux makes only
	 * in mixed mode, which it never enters after kexec. */
	if (ei->loader_signature != EFI_LOADER_SIG_64)
		return E_WB_EFI_SIG;
	if (!systab)
		return E_WB_EFI_SYSTAB;
	if (ei->memdesc_version != EFI_MEMDESC_VERSION)
		return E_WB_EFI_VERSION;
	if (ei->memdesc_size < sizeof(struct efi_mem_desc) ||
	    ei->memdesc_size > WB_EFI_MAX_DESC_SIZE || ei->memdesc_size % 8)
		return E_WB_EFI_DESC_SIZE;
	if (!ei->memmap_size || ei->memmap_size % ei->memdesc_size ||
	    ei->memmap_size / ei->memdesc_size > WB_EFI_MAX_DESC)
		return E_WB_EFI_MAP_SIZE;
	*map_pa = ei->memmap | (uint64_t)ei->memmap_hi << 32;
	*map_bytes = ei->memmap_size;
	return 0;
}

uint64_t warmboot_efi_node_bytes(const struct bp_efi_info *ei)
{
	return SETUP_DATA_HDR + sizeof(struct efi_setup_data) +
	       ei->memmap_size;
}

/* The runtime region d, checked; 0 or E_WB_EFI_DESC*. */
static int efi_desc_check(const struct efi_mem_desc *d,
			  const struct e820_entry *map, unsigned int nr_map)
{
	const uint64_t page = 1ull << EFI_PAGE_SHIFT;
	uint64_t end;
	unsigned int i;

	if (!(d->attribute & EFI_MEMORY_RUNTIME) || !d->num_pages ||
	    d->num_pages > (UINT64_MAX >> EFI_PAGE_SHIFT) ||
	    (d->phys_addr | d->virt_addr) & (page - 1))
		return E_WB_EFI_DESC;
	end = d->phys_addr + (d->num_pages << EFI_PAGE_SHIFT);
	if (end < d->phys_addr)
		return E_WB_EFI_DESC;
	for (i = 0; i < nr_map; i++)
		if (map[i].type == E820_RAM && map[i].addr < end &&
		    d->phys_addr < map[i].addr + map[i].size)
			return E_WB_EFI_DESC_RAM;
	return 0;
}

int warmboot_efi_node(const struct wb_efi_in *in,
		      const struct e820_entry *map, unsigned int nr_map,
		      uint8_t *node, uint64_t node_pa, uint64_t room,
		      struct bp_efi_info *out)
{
	const struct bp_efi_info *ei = in->info;
	uint64_t systab = ei->systab | (uint64_t)ei->systab_hi << 32;
	uint64_t map_pa = node_pa + SETUP_DATA_HDR +
			  sizeof(struct efi_setup_data);
	uint8_t *copy = node + SETUP_DATA_HDR + sizeof(struct efi_setup_data);
	struct efi_setup_data esd;
	struct efi_mem_desc d;
	uint32_t i, n = ei->memmap_size / ei->memdesc_size;
	int err, systab_in = 0;

	if (!in->have_setup)
		return E_WB_EFI_NO_SETUP;
	if (in->setup_len < sizeof(esd))
		return E_WB_EFI_SETUP_LEN;
	if (!in->setup)
		return E_WB_EFI_SETUP_READ;
	memcpy(&esd, in->setup, sizeof(esd));
	if (!esd.fw_vendor || !esd.tables)
		return E_WB_EFI_SETUP_DATA;
	if (room < warmboot_efi_node_bytes(ei))
		return E_WB_EFI_ROOM;
	/* Copied first, then checked: the crashed kernel's memory cannot
	 * change between the check and the use. */
	memcpy(copy, in->map, ei->memmap_size);
	for (i = 0; i < n; i++) {
		memcpy(&d, copy + (uint64_t)i * ei->memdesc_size, sizeof(d));
		err = efi_desc_check(&d, map, nr_map);
		if (err)
			return err;
		if (systab >= d.phys_addr &&
		    systab - d.phys_addr < d.num_pages << EFI_PAGE_SHIFT)
			systab_in = 1;
	}
	/* UEFI puts the system table in EfiRuntimeServicesData. */
	if (!systab_in)
		return E_WB_EFI_SYSTAB_MAP;
	put_le64(node, 0);
	put_le32(node + 8, SETUP_EFI);
	put_le32(node + 12, (uint32_t)(sizeof(esd) + ei->memmap_size));
	memcpy(node + SETUP_DATA_HDR, &esd, sizeof(esd));
	*out = *ei;
	out->memmap = (uint32_t)map_pa;
	out->memmap_hi = (uint32_t)(map_pa >> 32);
	return 0;
}
