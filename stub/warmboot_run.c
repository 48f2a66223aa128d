// SPDX-License-Identifier: GPL-2.0
/*
 * FINAL_ACTION=boot with I/O: read the boot set back through the dump
 * disk's driver, check it with the host's own check and CRCs, place and
 * enter the kernel; see warmboot_run.h.  Nothing here is trusted before
 * it is checked, and nothing the stub still needs (its region, page
 * tables, the buffers below) is written before the jump: a failure
 * anywhere still ends in the logged reset.
 */
#include "bmdump/bootset.h"
#include "console.h"
#include "dma.h"
#include "errors.h"
#include "io.h"
#include "phys.h"
#include "printf.h"
#include "str.h"
#include "timer.h"
#include "warmboot_run.h"

#define WB_PAGE			4096ull
/* One read request at most this: blkdev's read takes 32-bit lengths. */
#define WB_READ_CHUNK		(1u << 30)

/* The boot set check's codes and ours, one for one (errors.h). */
_Static_assert(E_WB_NO_SLOT == -1040 + BMDUMP_BOOTSET_E_NOSLOT &&
	       E_WB_SET_CMDLINE == -1040 + BMDUMP_BOOTSET_E_CMDLINE,
	       "E_WB_SET_* follow BMDUMP_BOOTSET_E_*");
_Static_assert(WB_BOOT_CS == 2 * 8 && WB_BOOT_DS == 3 * 8,
	       "GDT slots of __BOOT_CS and __BOOT_DS");

static int set_error(int err)
{
	return -1040 + err;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* bytes at offset off of the partition into pa, in whole blocks. */
static int read_area(const struct dump_area *a, uint64_t off, uint64_t pa,
		     uint64_t bytes, int err)
{
	struct blkdev *d = a->dev;
	uint64_t lba = a->part.first_lba + off / d->block_size;

	bytes = round_up(bytes, d->block_size);
	while (bytes) {
		uint32_t n = bytes < WB_READ_CHUNK ? (uint32_t)bytes :
			     WB_READ_CHUNK;

		if (d->read(d, lba, pa, n))
			return err;
		lba += n / d->block_size;
		pa += n;
		bytes -= n;
	}
	return 0;
}

struct wb_run {
	const struct wb_env *env;
	uint64_t slot_off, slot_bytes;
	struct bmdump_bootset_header *h;	/* a DMA page */
	uint8_t *kfirst;			/* the kernel's first page */
	struct bmdump_bzimage_info k;
	uint64_t kfile_pa;			/* the whole file, read */
	char *cmdline;				/* a DMA page */
	uint64_t cmdline_len;
	uint8_t *bp;				/* the zero page */
	struct e820_entry map[E820_MAX];
	unsigned int nr_map;
	struct bp_efi_info efi;			/* the next kernel's */
	uint64_t efi_node;			/* its SETUP_EFI node */
	int efi_ok;				/* efi, efi_node checked */
};

static int read_header(struct wb_run *w)
{
	const struct dump_area *a = w->env->area;
	int err;

	if (bmdump_bootset_slot(a->hdr, &w->slot_off, &w->slot_bytes))
		return E_WB_NO_SLOT;
	if (read_area(a, w->slot_off, (uint64_t)(uintptr_t)w->h,
		      BMDUMP_BOOTSET_HDR_BYTES, E_WB_READ_HEADER))
		return E_WB_READ_HEADER;
	err = bmdump_bootset_check(w->h, w->slot_bytes, a->hdr->area_uuid);
	return err ? set_error(err) : 0;
}

/* The setup header from the first page only: enough to place the kernel
 * (the check reads nothing past 0x290); checked again once the whole
 * file is read and its CRC matched. */
static int peek_kernel(struct wb_run *w)
{
	const struct bmdump_bootset_blob *b = &w->h->kernel;
	uint64_t n = b->bytes < WB_PAGE ? b->bytes : WB_PAGE;

	if (read_area(w->env->area, w->slot_off + b->offset,
		      (uint64_t)(uintptr_t)w->kfirst, n, E_WB_READ_KERNEL))
		return E_WB_READ_KERNEL;
	return bmdump_bzimage_check(w->kfirst, b->bytes, &w->k);
}

/* The EFI runtime regions stay the firmware's: reserved in the next
 * kernel's map as in the crashed kernel's, never RAM (efi_prepare()
 * checked each descriptor in the copy).  Appended to in[*n, max). */
static int efi_reserve(const struct wb_run *w, struct e820_entry *in,
		       unsigned int *n, unsigned int max)
{
	const uint8_t *map = (const uint8_t *)(uintptr_t)w->efi_node +
			     SETUP_DATA_HDR + sizeof(struct efi_setup_data);
	uint32_t off, dsize = w->efi.memdesc_size;
	struct efi_mem_desc d;

	for (off = 0; off + dsize <= w->efi.memmap_size; off += dsize) {
		memcpy(&d, map + off, sizeof(d));
		if (*n >= max)
			return E_WB_MAP_FULL;
		in[*n].addr = d.phys_addr;
		in[*n].size = d.num_pages << EFI_PAGE_SHIFT;
		in[(*n)++].type = E820_RESERVED;
	}
	return 0;
}

/* The map the next kernel gets: warmboot_map() from the stub's e820 and
 * the EFI runtime regions, the crashed kernel's RAM and the crashkernel
 * region(s). */
static int build_map(struct wb_run *w)
{
	static struct wb_range ram[CORE_MAX_RAM];
	static struct e820_entry in[E820_MAX + WB_EFI_MAX_DESC];
	const struct wb_env *e = w->env;
	unsigned int i, n = 0;

	for (i = 0; i < e->ci->nr_ram; i++) {
		ram[i].start = e->ci->ram[i].start;
		ram[i].end = e->ci->ram[i].end;
	}
	for (i = 0; i < e->nr_e820 && n < E820_MAX; i++)
		in[n++] = e->e820[i];
	if (w->efi_ok && efi_reserve(w, in, &n, E820_MAX + WB_EFI_MAX_DESC))
		return E_WB_MAP_FULL;
	return warmboot_map(in, n, ram, e->ci->nr_ram, e->keep, e->nr_keep,
			    w->map, E820_MAX, &w->nr_map);
}

/* Kernel and initrd in the crashed kernel's RAM, away from every
 * crashkernel region: the stub, its tables and buffers live there. */
static int place(struct wb_run *w, struct wb_ready *r)
{
	const struct wb_env *e = w->env;
	struct wb_range resv[WB_MAX_RESERVED];
	uint64_t initrd = w->h->initrd.bytes;
	unsigned int i;
	int err;

	if (e->nr_keep > WB_MAX_RESERVED)
		return E_WB_TOO_MANY_RANGES;
	for (i = 0; i < e->nr_keep; i++) {
		resv[i].start = e->keep[i].start;
		resv[i].end = e->keep[i].end;
	}
	/* Whole blocks are read: room for the last one's tail. */
	err = warmboot_place(w->map, w->nr_map, resv, e->nr_keep, &w->k,
			     round_up(initrd, WB_PAGE), &r->l);
	if (err)
		return err;
	r->l.initrd_bytes = initrd;
	/* The file goes to the top of the kernel's span first, then its
	 * 64-bit part moves down to kernel_addr. */
	if (round_up(w->h->kernel.bytes, WB_PAGE) > r->l.kernel_span)
		return E_WB_KERNEL_FILE;
	w->kfile_pa = r->l.kernel_addr +
		      ((r->l.kernel_span - round_up(w->h->kernel.bytes,
						     WB_PAGE)) & ~(WB_PAGE - 1));
	return 0;
}

/* A blob read to pa and its CRC32C against the checked header's. */
static int read_blob(struct wb_run *w, const struct bmdump_bootset_blob *b,
		     uint64_t pa, int read_err, int crc_err)
{
	if (!b->bytes)
		return 0;
	if (read_area(w->env->area, w->slot_off + b->offset, pa, b->bytes,
		      read_err))
		return read_err;
	if (bmdump_bootset_blob_verify(b, bmdump_crc32c(0,
			(const void *)(uintptr_t)pa, b->bytes)))
		return crc_err;
	return 0;
}

static int read_kernel(struct wb_run *w)
{
	const uint8_t *img = (const uint8_t *)(uintptr_t)w->kfile_pa;
	struct bmdump_bzimage_info k;
	int err;

	memset(&k, 0, sizeof(k));	/* memcmp below: padding too */
	err = read_blob(w, &w->h->kernel, w->kfile_pa, E_WB_READ_KERNEL,
			E_WB_KERNEL_CRC);
	if (err)
		return err;
	/* The header the placement used must be the file's. */
	err = bmdump_bzimage_check(img, w->h->kernel.bytes, &k);
	if (err)
		return err;
	return memcmp(&k, &w->k, sizeof(k)) ? E_WB_KERNEL_CHANGED : 0;
}

/* The words the stub adds: the warm boot mark, and on an AP what keeps
 * the next kernel from INITing the BSP (kexec-tools does the same for a
 * kdump kernel). */
static void extra_words(const struct wb_env *e, char *buf, size_t size)
{
	if (!e->on_ap)
		bm_snprintf(buf, size, "%s", WB_CMDLINE_WORD);
	else if (e->bsp_known)
		bm_snprintf(buf, size, "%s disable_cpu_apicid=%u",
			    WB_CMDLINE_WORD, e->bsp_apic_id);
	else
		bm_snprintf(buf, size, "%s nr_cpus=1", WB_CMDLINE_WORD);
}

static int read_cmdline(struct wb_run *w)
{
	char word[WB_CMDLINE_EXTRA];
	int err;

	err = read_blob(w, &w->h->cmdline, (uint64_t)(uintptr_t)w->cmdline,
			E_WB_READ_CMDLINE, E_WB_CMDLINE_CRC);
	if (err)
		return err;
	extra_words(w->env, word, sizeof(word));
	/* Checked < BMDUMP_BOOTSET_CMDLINE_MAX, half the page. */
	return warmboot_cmdline_add(w->cmdline, w->h->cmdline.bytes, WB_PAGE,
				    word, &w->cmdline_len);
}

/* What kexec passed the stub about EFI, in the log: what the next
 * kernel gets comes from it. */
static void efi_log_in(const struct boot_info *bi)
{
	const struct bp_efi_info *e = &bi->efi;

	bmlog("warm boot: EFI from the loader: signature 0x%08x, system "
	      "table 0x%llx, memory map 0x%llx %u bytes (descriptor %u "
	      "bytes, version %u), setup_data SETUP_EFI 0x%llx %u bytes, "
	      "secure_boot %u", e->loader_signature,
	      (unsigned long long)(e->systab | (uint64_t)e->systab_hi << 32),
	      (unsigned long long)(e->memmap | (uint64_t)e->memmap_hi << 32),
	      e->memmap_size, e->memdesc_size, e->memdesc_version,
	      (unsigned long long)bi->efi_setup, bi->efi_setup_len,
	      bi->secure_boot);
}

/* Each runtime region as kexec passed it, before any check. */
static void efi_log_map(const uint8_t *map, uint32_t bytes, uint32_t dsize)
{
	struct efi_mem_desc d;
	uint32_t off;

	for (off = 0; off + dsize <= bytes; off += dsize) {
		memcpy(&d, map + off, sizeof(d));
		bmlog("warm boot: EFI runtime region: type %u, 0x%llx "
		      "(virtual 0x%llx), %llu pages, attributes 0x%llx",
		      d.type, (unsigned long long)d.phys_addr,
		      (unsigned long long)d.virt_addr,
		      (unsigned long long)d.num_pages,
		      (unsigned long long)d.attribute);
	}
}

/* The next kernel's efi_info and SETUP_EFI node from the stub's: 0,
 * WB_EFI_NONE or E_WB_EFI_*.  Read only through phys_ram(): the map and
 * the node must lie in memory the stub owns or the crashed kernel's. */
static int efi_prepare(struct wb_run *w)
{
	const struct boot_info *bi = w->env->boot;
	struct wb_efi_in in = {
		.info = &bi->efi,
		.have_setup = bi->efi_setup != 0,
		.setup_len = bi->efi_setup_len,
	};
	uint64_t map_pa, room;
	uint32_t map_bytes;
	int err;

	efi_log_in(bi);
	err = warmboot_efi_info(&bi->efi, &map_pa, &map_bytes);
	if (err)
		return err;
	in.map = phys_ram(map_pa, map_bytes);
	if (!in.map)
		return E_WB_EFI_MAP_READ;
	efi_log_map(in.map, map_bytes, bi->efi.memdesc_size);
	if (in.have_setup && in.setup_len >= sizeof(struct efi_setup_data)) {
		in.setup = phys_ram(bi->efi_setup,
				    sizeof(struct efi_setup_data));
		if (!in.setup)
			return E_WB_EFI_SETUP_READ;
	}
	room = round_up(warmboot_efi_node_bytes(&bi->efi), WB_PAGE);
	w->efi_node = dma_alloc(room, WB_PAGE);
	if (!w->efi_node)
		return E_WB_EFI_NO_BUFFER;
	/* Checked against the stub's RAM, the crashkernel regions: the
	 * crashed kernel's RAM around them becomes the next kernel's, with
	 * the runtime regions carved out (build_map()). */
	return warmboot_efi_node(&in, w->env->e820, w->env->nr_e820,
				 (uint8_t *)(uintptr_t)w->efi_node,
				 w->efi_node, room, &w->efi);
}

/*
 * EFI for the next kernel, or why not.  A failure does not reset: the
 * dump is on disk and the next kernel saves it just as well without EFI
 * runtime services (no EFI variables, no EFI reboot or capsules), so
 * the warm boot goes on without them, logged.
 */
static void efi_read(struct wb_run *w)
{
	int err = efi_prepare(w);

	w->efi_ok = !err;
	if (err == WB_EFI_NONE)
		bmlog("warm boot: no EFI from the loader: the new kernel runs "
		      "without EFI");
	else if (err)
		bmlog("warm boot: EFI not handed on: error %d: %s", err,
		      stub_strerror(err));
}

static void efi_hand_on(struct wb_run *w, struct wb_boot_args *a)
{
	if (!w->efi_ok)
		return;
	a->efi_info = (const uint8_t *)&w->efi;
	a->setup_data = w->efi_node;
	a->secure_boot = w->env->boot->secure_boot;
	bmlog("warm boot: EFI handed on: %u runtime regions, memory map at "
	      "0x%llx, setup_data SETUP_EFI at 0x%llx",
	      w->efi.memmap_size / w->efi.memdesc_size,
	      (unsigned long long)(w->efi.memmap |
				   (uint64_t)w->efi.memmap_hi << 32),
	      (unsigned long long)w->efi_node);
}

static int build_bp(struct wb_run *w, struct wb_ready *r)
{
	struct wb_boot_args a = {
		.kernel = (const uint8_t *)(uintptr_t)w->kfile_pa,
		.k = &w->k,
		.map = w->map,
		.nr_map = w->nr_map,
		.cmdline_addr = (uint64_t)(uintptr_t)w->cmdline,
		.cmdline_len = w->cmdline_len,
		.l = &r->l,
		.acpi_rsdp = w->env->acpi_rsdp,
	};

	efi_hand_on(w, &a);
	r->bp = (uint64_t)(uintptr_t)w->bp;
	r->entry = r->l.kernel_addr + WB_ENTRY_64;
	return warmboot_boot_params(w->bp, &a);
}

static int alloc_buffers(struct wb_run *w)
{
	w->h = (void *)(uintptr_t)dma_alloc(WB_PAGE, WB_PAGE);
	w->kfirst = (void *)(uintptr_t)dma_alloc(WB_PAGE, WB_PAGE);
	w->cmdline = (void *)(uintptr_t)dma_alloc(WB_PAGE, WB_PAGE);
	w->bp = (void *)(uintptr_t)dma_alloc(BOOT_PARAMS_SIZE, WB_PAGE);
	return w->h && w->kfirst && w->cmdline && w->bp ? 0 : E_WB_NO_BUFFER;
}

/* The read, check and placement steps, each timed. */
static int load(struct wb_run *w, struct wb_ready *r)
{
	uint64_t t = rdtsc();
	int err;

	err = read_header(w);
	if (!err) {
		r->kernel_bytes = w->h->kernel.bytes;
		err = peek_kernel(w);
	}
	r->t.header_us = timer_us_since(t);
	if (err)
		return err;
	t = rdtsc();
	efi_read(w);
	err = build_map(w);
	if (!err)
		err = place(w, r);
	r->t.place_us = timer_us_since(t);
	if (err)
		return err;
	t = rdtsc();
	err = read_kernel(w);
	r->t.kernel_us = timer_us_since(t);
	if (err)
		return err;
	t = rdtsc();
	err = read_blob(w, &w->h->initrd, r->l.initrd_addr, E_WB_READ_INITRD,
			E_WB_INITRD_CRC);
	r->t.initrd_us = timer_us_since(t);
	if (err)
		return err;
	t = rdtsc();
	err = read_cmdline(w);
	r->t.cmdline_us = timer_us_since(t);
	return err;
}

/* The next kernel's startup code reads the BIOS data area and may put
 * its paging trampoline below 640 KiB: map low memory for it. */
static int map_low(const struct wb_env *e)
{
	if (pt_map(e->pt, 0, WB_LOW_MAP_END, PT_CACHE_WB))
		return E_WB_LOW_MAP;
	write_cr3(e->pt->root);
	return 0;
}

int warmboot_prepare(const struct wb_env *env, struct wb_ready *r)
{
	static struct wb_run w;
	const uint8_t *img;
	uint64_t t;
	int err;

	memset(&w, 0, sizeof(w));	/* w.k's padding: read_kernel() */
	memset(r, 0, sizeof(*r));
	w.env = env;
	err = alloc_buffers(&w);
	if (!err)
		err = load(&w, r);
	t = rdtsc();
	if (!err)
		err = build_bp(&w, r);
	if (!err)
		err = map_low(env);
	if (err)
		return err;
	memcpy(r->release, w.h->release, sizeof(r->release));
	r->release[sizeof(r->release) - 1] = 0;
	/* Last, once nothing can fail: the 64-bit part to its place (the
	 * setup header went into boot_params above). */
	img = (const uint8_t *)(uintptr_t)w.kfile_pa;
	memmove((void *)(uintptr_t)r->l.kernel_addr, img + w.k.pm_offset,
		w.k.pm_bytes);
	r->t.move_us = timer_us_since(t);
	bmlog("warm boot: kernel %s, %llu bytes at 0x%llx (entry 0x%llx), "
	      "initrd %llu bytes at 0x%llx, boot_params 0x%llx, command "
	      "line: %s", r->release, (unsigned long long)w.k.pm_bytes,
	      (unsigned long long)r->l.kernel_addr,
	      (unsigned long long)r->entry,
	      (unsigned long long)r->l.initrd_bytes,
	      (unsigned long long)r->l.initrd_addr,
	      (unsigned long long)r->bp, w.cmdline);
	return 0;
}

/* __BOOT_CS and __BOOT_DS, flat, as boot.rst's 64-bit protocol asks. */
static const uint64_t wb_gdt[4] __attribute__((aligned(16))) = {
	0,
	0,
	0x00af9a000000ffffull,		/* 0x10: 64-bit code, DPL 0 */
	0x00cf92000000ffffull,		/* 0x18: data, 4 GiB flat */
};

struct wb_gdtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void warmboot_enter(const struct wb_ready *r)
{
	struct wb_gdtr g = {
		.limit = sizeof(wb_gdt) - 1,
		.base = (uint64_t)(uintptr_t)wb_gdt,
	};

	/* The stub's IDT stays: a fault before the kernel loads its own
	 * is still reported.  CR3 stays: the stub's identity map covers
	 * the kernel's span, boot_params, command line and initrd. */
	asm volatile("cli\n\t"
		     "lgdt %[gdtr]\n\t"
		     "pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %[ds], %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs\n\t"
		     "xorl %%ebp, %%ebp\n\t"
		     "jmpq *%[entry]"
		     :
		     : [gdtr] "m"(g), [cs] "i"(WB_BOOT_CS),
		       [ds] "i"(WB_BOOT_DS), [entry] "d"(r->entry),
		       "S"(r->bp)
		     : "rax", "memory");
	__builtin_unreachable();
}
