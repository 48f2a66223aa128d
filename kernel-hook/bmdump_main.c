// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump.ko: marks, at panic, the pages worth dumping.
 *
 * At load it allocates a one-bit-per-page bitmap (chunks of at most 4 MiB,
 * so any RAM size works) and a descriptor page (contract 1,
 * include/bmdump/desc.h), runs the classifier once over live memory (the
 * dry run) and hooks machine_kexec with a kprobe.  When the crash image is
 * entered, the other CPUs are already stopped: the hook fills the bitmap,
 * stores counts, fill time and CRCs and marks the descriptor DONE.  The
 * stub (bmdump.desc=<physical address>) reads it and trusts none of it.
 * Should the fill fault, a die notifier enters the crash image in its
 * place (bm_die_notify): a dump without the bitmap rather than none.
 *
 * /sys/kernel/bmdump/: descriptor, bitmap_bytes, dump_level (rw), state,
 * dry_run.
 */
#include <linux/gfp.h>
#include <linux/kdebug.h>
#include <linux/kexec.h>
#include <linux/kobject.h>
#include <linux/kprobes.h>
#include <linux/math64.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <asm/ibt.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "bmdump.h"
#include "bmdump/crc32c.h"
#include "bmdump/classify.h"

static unsigned int dump_level = BMDUMP_DL_MAX;
module_param(dump_level, uint, 0444);
MODULE_PARM_DESC(dump_level,
		 "pages to leave out, makedumpfile -d bits (0-31, default 31)");

static struct {
	struct bmdump_desc *desc;
	phys_addr_t desc_phys;
	struct bmdump_map map;
	unsigned long *chunk[BMDUMP_DESC_MAX_CHUNKS];
	u64 bitmap_bytes;
	unsigned int level;		/* read at panic */
	int unloading;			/* set, then the magic wiped */
	u64 fill_count;
	struct kprobe kp;
	struct kimage *crash_image;	/* set while the hook runs */
	struct kimage **crash_image_slot; /* kexec_crash_image */
	atomic_t *panic_cpu;
	int crash_cpu;
	struct notifier_block die_nb;
	struct notifier_block mem_nb;
	struct kobject *kobj;
	struct mutex lock;		/* sysfs writers, dry run, map.ram */
	struct bmdump_fill_result dry;
	unsigned int dry_level;
	unsigned long dry_kernel_free;
} bm;

static u64 cycles_to_us(u64 cycles)
{
	return tsc_khz ? div64_u64(cycles * 1000, tsc_khz) : 0;
}

/*
 * Rewrite the descriptor header and chunk table from the module's own
 * copy, so that a stray write into the descriptor page cannot misdirect
 * the stub.  Callers set the remaining fields, then bm_desc_seal().
 */
static void bm_desc_header(struct bmdump_desc *d, u32 state)
{
	unsigned int i;

	d->magic = BMDUMP_DESC_MAGIC;
	d->version = BMDUMP_DESC_VERSION;
	d->desc_size = BMDUMP_DESC_HDR_SIZE +
		       bm.map.nr_chunks * sizeof(struct bmdump_chunk);
	d->state = state;
	d->dump_level = READ_ONCE(bm.level);
	d->max_pfn = bm.map.max_pfn;
	d->nr_chunks = bm.map.nr_chunks;
	d->tsc_khz = tsc_khz;
	for (i = 0; i < bm.map.nr_chunks; i++) {
		d->chunk[i].phys = virt_to_phys(bm.chunk[i]);
		d->chunk[i].first_pfn = (u64)i << BMDUMP_CHUNK_SHIFT;
		d->chunk[i].nr_pfns = bm.map.chunk_pfns[i];
	}
}

static void bm_desc_seal(struct bmdump_desc *d)
{
	d->desc_crc = bmdump_desc_crc(d, d->desc_size);
}

/*
 * A kprobe's address on an IBT kernel sits after the function's ENDBR; an
 * indirect call must land on the ENDBR.  Inlined: the rescue page calls it.
 */
static __always_inline unsigned long bm_func_start(unsigned long probed)
{
	if (is_endbr(*(u32 *)(probed - ENDBR_INSN_SIZE)))
		return probed - ENDBR_INSN_SIZE;
	return probed;
}

/* --- the hook ------------------------------------------------------------- */

static void bm_crash_fill(void)
{
	struct bmdump_desc *d = bm.desc;
	struct bmdump_fill_result res;
	unsigned int i;

	bm_desc_header(d, BMDUMP_DESC_FILLING);
	d->flags = BMDUMP_DESC_F_CRASH_FILL;
	d->fill_count = ++bm.fill_count;
	d->fill_start_tsc = rdtsc_ordered();
	/* a stub that finds FILLING knows the bitmap is half done */
	wmb();

	bmdump_fill(&bm.map, bm.chunk, d->dump_level, false, &res);

	for (i = 0; i < BMDUMP_DESC_MAX_CLASSES; i++)
		d->count[i] = i < BMDUMP_NR_CLASSES ? res.count[i] : 0;
	d->pages_set = res.pages_set;
	d->bitmap_crc = res.bitmap_crc;
	d->fill_cycles = rdtsc_ordered() - d->fill_start_tsc;
	wmb();
	d->state = BMDUMP_DESC_DONE;
	bm_desc_seal(d);
	wmb();
}

/*
 * The entry has a page of text of its own, apart from the fill loop: a
 * stray write over the fill then faults after the entry has recorded the
 * crash image, and bm_die_notify() can still enter it.  Over the entry's
 * own page it enters the image bm_find_crash_symbols() found at load.
 */
asm(".pushsection .text.bmdump_entry, \"ax\", @progbits\n\t"
    ".balign 4096\n\t.popsection");

/*
 * machine_kexec(struct kimage *image): runs on the crashing CPU after
 * native_machine_crash_shutdown() stopped the others, on the sysrq, panic
 * and oops paths alike.  A plain `kexec -e` comes here too: leave it be.
 */
static __section(".text.bmdump_entry")
int bm_kexec_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct kimage *image = (struct kimage *)regs->di;

	if (!image || image->type != KEXEC_TYPE_CRASH)
		return 0;
	if (READ_ONCE(bm.unloading))
		return 0;
	bm.crash_cpu = raw_smp_processor_id();
	barrier();
	WRITE_ONCE(bm.crash_image, image);
	bm_crash_fill();
	WRITE_ONCE(bm.crash_image, NULL);
	return 0;
}
NOKPROBE_SYMBOL(bm_kexec_pre);

/*
 * A fault inside the hook (its code overwritten, a struct page read gone
 * wrong) would be a second oops on the crash path: panic() again with
 * kexec's lock held, so no crash image, no dump at all.  The oops is
 * printed by then; enter the crash image here instead, the call the hook
 * interrupted.  The descriptor stays FILLING (ARMED when the entry itself
 * was broken): the stub rejects the bitmap and dumps all RAM.
 * machine_kexec() re-entered from its own probe runs without the probe
 * (kprobes count it as missed).
 *
 * This code runs on every oops, so it has a page of text of its own: a
 * stray write over the hook's other pages leaves it whole (and one over
 * this page cannot hurt a crash that does not oops).  __cold keeps GCC
 * from moving part of it into .text.unlikely, on another page.
 */
asm(".pushsection .text.bmdump_rescue, \"ax\", @progbits\n\t"
    ".balign 4096\n\t.popsection");

/*
 * The crash image when the hook's entry never got to record it (its page
 * overwritten): only for an oops in bmdump.ko's own text on the CPU that
 * is panicking, so a fault of the module outside a panic stays an oops.
 */
static __cold __section(".text.bmdump_rescue")
struct kimage *bm_crash_image_unrecorded(struct die_args *args)
{
	struct kimage *image;

	if (!bm.crash_image_slot || !bm.panic_cpu || !args || !args->regs ||
	    READ_ONCE(bm.unloading) ||
	    atomic_read(bm.panic_cpu) != raw_smp_processor_id() ||
	    !within_module_core(args->regs->ip, THIS_MODULE))
		return NULL;
	image = READ_ONCE(*bm.crash_image_slot);
	return image && image->type == KEXEC_TYPE_CRASH ? image : NULL;
}
NOKPROBE_SYMBOL(bm_crash_image_unrecorded);

static __cold __section(".text.bmdump_rescue")
int bm_die_notify(struct notifier_block *nb, unsigned long val, void *data)
{
	struct kimage *image = READ_ONCE(bm.crash_image);
	unsigned long fn = (unsigned long)bm.kp.addr;

	if (val != DIE_OOPS)
		return NOTIFY_DONE;
	if (!image)
		image = bm_crash_image_unrecorded(data);
	else if (bm.crash_cpu != raw_smp_processor_id())
		image = NULL;
	if (!image)
		return NOTIFY_DONE;
	WRITE_ONCE(bm.crash_image, NULL);
	fn = bm_func_start(fn);
	pr_emerg("bmdump: fault in the crash hook: entering the crash image without a bitmap\n");
	((void (*)(struct kimage *))fn)(image);
	return NOTIFY_DONE;
}
NOKPROBE_SYMBOL(bm_die_notify);

/* --- dry run -------------------------------------------------------------- */

/* Caller holds bm.lock. */
static int bm_dry_run(void)
{
	unsigned long *scratch[BMDUMP_DESC_MAX_CHUNKS];
	u8 *buf;
	unsigned int i;

	buf = vzalloc(bm.bitmap_bytes);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < bm.map.nr_chunks; i++)
		scratch[i] = (unsigned long *)(buf + (size_t)i *
					       BMDUMP_CHUNK_MAX_BYTES);
	bm.dry_level = READ_ONCE(bm.level);
	bmdump_fill(&bm.map, scratch, bm.dry_level, true, &bm.dry);
	bm.dry_kernel_free = global_zone_page_state(NR_FREE_PAGES);
	vfree(buf);
	return 0;
}

/* --- sysfs ---------------------------------------------------------------- */

static ssize_t descriptor_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", (unsigned long long)bm.desc_phys);
}

static ssize_t bitmap_bytes_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	return sysfs_emit(buf, "%llu\n", bm.bitmap_bytes);
}

static ssize_t dump_level_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(bm.level));
}

static ssize_t dump_level_store(struct kobject *k, struct kobj_attribute *a,
				const char *buf, size_t len)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v > BMDUMP_DL_MAX)
		return -EINVAL;
	mutex_lock(&bm.lock);
	WRITE_ONCE(bm.level, v);
	if (bm.desc->state == BMDUMP_DESC_ARMED) {
		bm.desc->dump_level = v;
		bm_desc_seal(bm.desc);
	}
	/* the counts shown must belong to the level in force */
	if (bm_dry_run())
		pr_warn("bmdump: no memory for the dry run at level %u; dry_run shows level %u\n",
			v, bm.dry_level);
	mutex_unlock(&bm.lock);
	return len;
}

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	switch (READ_ONCE(bm.desc->state)) {
	case BMDUMP_DESC_ARMED:
		return sysfs_emit(buf, "armed\n");
	case BMDUMP_DESC_FILLING:
		return sysfs_emit(buf, "filling\n");
	case BMDUMP_DESC_DONE:
		return sysfs_emit(buf, "done\n");
	}
	return sysfs_emit(buf, "unknown\n");
}

static const char *const bm_class_name[BMDUMP_NR_CLASSES] = {
	[BMDUMP_CLASS_HOLE]		= "hole",
	[BMDUMP_CLASS_FREE]		= "free",
	[BMDUMP_CLASS_CACHE]		= "cache",
	[BMDUMP_CLASS_CACHE_PRIVATE]	= "cache_private",
	[BMDUMP_CLASS_USER]		= "user",
	[BMDUMP_CLASS_HWPOISON]		= "hwpoison",
	[BMDUMP_CLASS_OFFLINE]		= "offline",
	[BMDUMP_CLASS_KERNEL]		= "kernel",
	[BMDUMP_CLASS_UNKNOWN]		= "unknown",
	[BMDUMP_CLASS_EXCLUDED_KEPT]	= "excluded_kept",
};

static ssize_t dry_run_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	int n = 0, i;

	mutex_lock(&bm.lock);
	for (i = 0; i < BMDUMP_NR_CLASSES; i++)
		n += sysfs_emit_at(buf, n, "%s %llu\n", bm_class_name[i],
				   bm.dry.count[i]);
	n += sysfs_emit_at(buf, n, "pages_set %llu\n", bm.dry.pages_set);
	n += sysfs_emit_at(buf, n, "max_pfn %llu\n", bm.map.max_pfn);
	n += sysfs_emit_at(buf, n, "ram_ranges %u\n", bm.map.ram->nr);
	n += sysfs_emit_at(buf, n, "dump_level %u\n", bm.dry_level);
	n += sysfs_emit_at(buf, n, "fill_cycles %llu\n", bm.dry.cycles);
	n += sysfs_emit_at(buf, n, "fill_us %llu\n",
			   cycles_to_us(bm.dry.cycles));
	n += sysfs_emit_at(buf, n, "tsc_khz %u\n", tsc_khz);
	n += sysfs_emit_at(buf, n, "kernel_free_pages %lu\n",
			   bm.dry_kernel_free);
	mutex_unlock(&bm.lock);
	return n;
}

static struct kobj_attribute bm_attr_descriptor = __ATTR_RO(descriptor);
static struct kobj_attribute bm_attr_bitmap_bytes = __ATTR_RO(bitmap_bytes);
static struct kobj_attribute bm_attr_dump_level = __ATTR_RW(dump_level);
static struct kobj_attribute bm_attr_state = __ATTR_RO(state);
static struct kobj_attribute bm_attr_dry_run = __ATTR_RO(dry_run);

static struct attribute *bm_attrs[] = {
	&bm_attr_descriptor.attr,
	&bm_attr_bitmap_bytes.attr,
	&bm_attr_dump_level.attr,
	&bm_attr_state.attr,
	&bm_attr_dry_run.attr,
	NULL,
};

static const struct attribute_group bm_group = {
	.attrs = bm_attrs,
};

/* --- memory hotplug ------------------------------------------------------- */

/*
 * The RAM ranges come from the resource tree, read at load.  Memory added
 * later into a hole below max_pfn would get no bit at all, and the stub,
 * once `bmdump load` gave it an elfcorehdr that lists the new RAM (udev
 * runs it on memory online/offline), would leave those pages out.  So the
 * set is read again whenever a memory block goes online or offline.  RAM
 * added above max_pfn needs nothing: the stub keeps every pfn the bitmap
 * does not cover.  Runs in process context under the hotplug lock:
 * allocating here is fine, and no crash fill can see a half-built set.
 */
static int bm_memory_notify(struct notifier_block *nb, unsigned long action,
			    void *arg)
{
	struct bmdump_ranges *ram, *old;
	int ret;

	if (action != MEM_ONLINE && action != MEM_OFFLINE)
		return NOTIFY_DONE;
	ret = bmdump_ram_ranges(bm.map.max_pfn, &ram);
	if (ret) {
		pr_warn("bmdump: memory hotplug: cannot read the System RAM ranges again (%d); pages of memory added since load are left out of a dump until bmdump.ko is reloaded\n",
			ret);
		return NOTIFY_DONE;
	}
	mutex_lock(&bm.lock);
	old = (struct bmdump_ranges *)bm.map.ram;
	WRITE_ONCE(bm.map.ram, ram);
	/* a crash from here on fills from the new set; counts follow it */
	if (bm_dry_run())
		pr_warn("bmdump: no memory for the dry run after memory hotplug\n");
	mutex_unlock(&bm.lock);
	kvfree(old);
	pr_info("bmdump: memory %s: %u RAM range(s) below max_pfn %llu\n",
		action == MEM_ONLINE ? "online" : "offline", ram->nr,
		bm.map.max_pfn);
	return NOTIFY_OK;
}

/* --- load and unload ------------------------------------------------------ */

/* Highest pfn + 1 over the online nodes (max_pfn is not exported). */
static u64 bm_max_pfn(void)
{
	u64 max = 0;
	int nid;

	for_each_online_node(nid)
		max = max_t(u64, max, node_end_pfn(nid));
	return max;
}

static void bm_free_bitmap(void)
{
	unsigned int i;

	for (i = 0; i < bm.map.nr_chunks; i++) {
		if (bm.chunk[i])
			free_pages((unsigned long)bm.chunk[i],
				   get_order(bm.map.chunk_pfns[i] / 8));
		bm.chunk[i] = NULL;
	}
}

static int bm_alloc_bitmap(void)
{
	u64 pfns = round_up(bm.map.max_pfn, 8);
	unsigned int i, n;

	n = DIV_ROUND_UP_ULL(pfns, BMDUMP_CHUNK_MAX_PFNS);
	if (n > BMDUMP_DESC_MAX_CHUNKS) {
		pr_err("bmdump: %llu pfns need %u bitmap chunks, the descriptor holds %zu: this machine is too large for descriptor version %u\n",
		       bm.map.max_pfn, n, BMDUMP_DESC_MAX_CHUNKS,
		       BMDUMP_DESC_VERSION);
		return -E2BIG;
	}
	bm.map.nr_chunks = n;
	bm.bitmap_bytes = 0;
	for (i = 0; i < n; i++) {
		u64 first = (u64)i << BMDUMP_CHUNK_SHIFT;
		u64 nr = min_t(u64, pfns - first, BMDUMP_CHUNK_MAX_PFNS);

		bm.map.chunk_pfns[i] = nr;
		bm.chunk[i] = (unsigned long *)__get_free_pages(
			GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN,
			get_order(nr / 8));
		if (!bm.chunk[i]) {
			pr_err("bmdump: cannot allocate bitmap chunk %u (%llu KiB contiguous): memory is fragmented; load bmdump early in boot or free memory\n",
			       i, nr / 8 / 1024);
			bm_free_bitmap();
			return -ENOMEM;
		}
		bm.bitmap_bytes += nr / 8;
	}
	return 0;
}

/*
 * kexec_crash_image and panic_cpu are not exported.  kallsyms_lookup_name
 * is not either, but a kprobe on it hands out its address: resolve both
 * once here, for bm_crash_image_unrecorded().  Without them a page of the
 * hook's entry overwritten still means no dump, as before.
 */
static void __init bm_find_crash_symbols(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup)(const char *name);
	unsigned long fn;
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_warn("bmdump: cannot find kallsyms_lookup_name (%d): a fault in the hook's entry will end without a dump\n",
			ret);
		return;
	}
	fn = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	fn = bm_func_start(fn);
	lookup = (unsigned long (*)(const char *))fn;
	bm.crash_image_slot = (struct kimage **)lookup("kexec_crash_image");
	bm.panic_cpu = (atomic_t *)lookup("panic_cpu");
	if (!bm.crash_image_slot || !bm.panic_cpu)
		pr_warn("bmdump: kexec_crash_image or panic_cpu not in kallsyms: a fault in the hook's entry will end without a dump\n");
}

static int __init bm_init(void)
{
	struct bmdump_ranges *ram;
	int ret;

	if (dump_level > BMDUMP_DL_MAX) {
		pr_err("bmdump: dump_level=%u: use 0-31 (makedumpfile -d bits)\n",
		       dump_level);
		return -EINVAL;
	}
	mutex_init(&bm.lock);
	bm.level = dump_level;
	bm.map.max_pfn = bm_max_pfn();
	if (!bm.map.max_pfn) {
		pr_err("bmdump: no online memory node reports any memory\n");
		return -ENODEV;
	}
	ret = bmdump_ram_ranges(bm.map.max_pfn, &ram);
	if (ret < 0) {
		pr_err("bmdump: cannot read the System RAM ranges from the resource tree (%d)\n",
		       ret);
		return ret;
	}
	bm.map.ram = ram;

	ret = bm_alloc_bitmap();
	if (ret)
		goto err_ranges;
	bm.desc = (struct bmdump_desc *)get_zeroed_page(GFP_KERNEL);
	if (!bm.desc) {
		pr_err("bmdump: cannot allocate the descriptor page\n");
		ret = -ENOMEM;
		goto err_bitmap;
	}
	bm.desc_phys = virt_to_phys(bm.desc);

	mutex_lock(&bm.lock);
	ret = bm_dry_run();
	mutex_unlock(&bm.lock);
	if (ret) {
		pr_err("bmdump: no memory for the dry run's scratch bitmap\n");
		goto err_desc;
	}

	bm_desc_header(bm.desc, BMDUMP_DESC_ARMED);
	bm_desc_seal(bm.desc);

	bm_find_crash_symbols();
	bm.kp.symbol_name = "machine_kexec";
	bm.kp.pre_handler = bm_kexec_pre;
	ret = register_kprobe(&bm.kp);
	if (ret) {
		pr_err("bmdump: cannot hook machine_kexec (register_kprobe: %d): the kernel needs CONFIG_KPROBES and CONFIG_KEXEC_CORE, and kprobes must be enabled (/sys/kernel/debug/kprobes/enabled)\n",
		       ret);
		goto err_desc;
	}

	bm.die_nb.notifier_call = bm_die_notify;
	ret = register_die_notifier(&bm.die_nb);
	if (ret) {
		pr_err("bmdump: cannot watch for faults in the hook (register_die_notifier: %d)\n",
		       ret);
		goto err_kprobe;
	}

	bm.mem_nb.notifier_call = bm_memory_notify;
	ret = register_memory_notifier(&bm.mem_nb);
	if (ret) {
		pr_err("bmdump: cannot watch memory hotplug (register_memory_notifier: %d)\n",
		       ret);
		goto err_die;
	}

	bm.kobj = kobject_create_and_add("bmdump", kernel_kobj);
	if (!bm.kobj) {
		ret = -ENOMEM;
		goto err_notifier;
	}
	ret = sysfs_create_group(bm.kobj, &bm_group);
	if (ret) {
		pr_err("bmdump: cannot create /sys/kernel/bmdump (%d)\n", ret);
		goto err_kobj;
	}

	pr_info("bmdump: armed: descriptor 0x%llx, %u chunk(s), %llu bitmap bytes, max_pfn %llu, %u RAM range(s), dump level %u; dry run %llu of %llu pages set in %llu us\n",
		(unsigned long long)bm.desc_phys, bm.map.nr_chunks,
		bm.bitmap_bytes, bm.map.max_pfn, bm.map.ram->nr, bm.level,
		bm.dry.pages_set, bm.map.max_pfn, cycles_to_us(bm.dry.cycles));
	return 0;

err_kobj:
	kobject_put(bm.kobj);
err_notifier:
	unregister_memory_notifier(&bm.mem_nb);
err_die:
	unregister_die_notifier(&bm.die_nb);
err_kprobe:
	unregister_kprobe(&bm.kp);
err_desc:
	bm.desc->magic = 0;
	free_page((unsigned long)bm.desc);
err_bitmap:
	bm_free_bitmap();
err_ranges:
	kvfree(ram);
	return ret;
}

static void __exit bm_exit(void)
{
	/*
	 * Wipe the magic first: a stub loaded earlier with this address
	 * then finds "no bitmap" instead of freed, reused memory.
	 */
	WRITE_ONCE(bm.unloading, 1);
	WRITE_ONCE(bm.desc->magic, 0);
	WRITE_ONCE(bm.desc->state, 0);
	wmb();
	unregister_kprobe(&bm.kp);
	unregister_die_notifier(&bm.die_nb);
	unregister_memory_notifier(&bm.mem_nb);
	sysfs_remove_group(bm.kobj, &bm_group);
	kobject_put(bm.kobj);
	free_page((unsigned long)bm.desc);
	bm_free_bitmap();
	kvfree(bm.map.ram);
	pr_info("bmdump: unloaded, descriptor wiped\n");
}

module_init(bm_init);
module_exit(bm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bmdump: mark the pages worth dumping at panic");
