// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the QEMU rig: ways to crash the kernel that are not
 * sysrq, and known memory contents to find in a dump.
 *
 *   /sys/kernel/debug/bmdump_testmod/peek     write a physical RAM address
 *                                             (8-byte aligned), read the
 *                                             u64 there ("0x%016llx")
 *   /sys/kernel/debug/bmdump_testmod/oops     write: NULL dereference (an
 *                                             oops; with oops=panic, kdump)
 *   /sys/kernel/debug/bmdump_testmod/panic    write: panic("...")
 *   /sys/kernel/debug/bmdump_testmod/poke     write "PHYS XORBYTE": flip bits of
 *                                             one byte of RAM (to corrupt
 *                                             a structure in a test)
 *   /sys/kernel/debug/bmdump_testmod/corrupt_at_crash
 *                                             write "PHYS XORBYTE": flip that
 *                                             byte in a kprobe post handler
 *                                             on machine_kexec, i.e. after
 *                                             bmdump.ko's pre handler filled
 *                                             and sealed its descriptor: the
 *                                             corruption reaches the stub
 *   /sys/kernel/debug/bmdump_testmod/patterns read: "index phys bytes" of
 *                                             slab buffers filled with a
 *                                             pattern derived from
 *                                             pattern_seed (0: none)
 *   /sys/kernel/debug/bmdump_testmod/hotplug  write "remove PHYS SIZE":
 *                                             offline_and_remove_memory();
 *                                             "add PHYS SIZE": add_memory()
 *                                             (blocks come up offline);
 *                                             "fill PFN NR": take pfns
 *                                             [PFN, PFN+NR) with
 *                                             alloc_contig_range() and fill
 *                                             page PFN with pattern index
 *                                             PFN (held until rmmod)
 *
 * Torture (tests/torture): each write breaks the kernel one way and
 * crashes it; the CPU the writer runs on is the crashing CPU.
 *   torture_timer_bug    BUG() in a timer callback (interrupt context)
 *   torture_overflow     unbounded recursion: kernel stack overflow
 *   torture_lockup       the other CPUs spin with interrupts off, panic
 *   torture_zone_lock    panic holding a zone->lock
 *   torture_zone_lock_other  another CPU takes zone->lock and spins with
 *                        interrupts off, panic here
 *   torture_scribble     "N SEED": N random words into random struct
 *                        pages, panic
 *   torture_freelist     a buddy free-list link pointing outside RAM, panic
 *   torture_mem_section  one mem_section root pointer overwritten, panic
 *   torture_nvme_complete  "DEV N": submit NR_TORTURE_BIOS one-page reads
 *                        of block device DEV at once; the Nth to complete
 *                        panics in its bi_end_io, i.e. inside the NVMe
 *                        driver's interrupt-time completion with the other
 *                        reads (and any other I/O) still in flight
 *   torture_hook_text    "ADDR SEED": overwrite the whole page of module
 *                        text holding ADDR (a bmdump.ko function, from
 *                        /proc/kallsyms) with int3, zeros or random bytes
 *                        (SEED % 3), through a second mapping of the page
 *                        (module text is read-only), then panic
 *
 * Pattern byte j of buffer i: the low byte of x, where x starts at
 * seed * 2654435761 + i and steps x = x * 1103515245 + 12345 (mod 2^32).
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/mm.h>		/* pfn_valid, __va: peek */
#include <linux/mmzone.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/kprobes.h>
#include <linux/memory_hotplug.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

#define NR_PATTERNS	4
#define PATTERN_BYTES	4096

static unsigned int pattern_seed;
module_param(pattern_seed, uint, 0444);
MODULE_PARM_DESC(pattern_seed, "fill slab buffers with a known pattern");

static struct dentry *dir;
static u8 *patterns[NR_PATTERNS];

static void fill_pattern(u8 *buf, u32 i)
{
	u32 x = pattern_seed * 2654435761u + i;
	unsigned int j;

	for (j = 0; j < PATTERN_BYTES; j++) {
		buf[j] = x & 0xff;
		x = x * 1103515245u + 12345u;
	}
}

static int patterns_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < NR_PATTERNS; i++)
		if (patterns[i])
			seq_printf(m, "%u 0x%llx %u\n", i,
				   (unsigned long long)virt_to_phys(patterns[i]),
				   PATTERN_BYTES);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(patterns);

static ssize_t oops_write(struct file *f, const char __user *buf, size_t len,
			  loff_t *pos)
{
	int *volatile p = NULL;

	pr_emerg("bmdump_testmod: dereferencing NULL on cpu %d\n",
		 raw_smp_processor_id());
	*p = 0x42;
	return len;
}

static u64 peek_addr;

/* Lets a test look at RAM it no longer owns, e.g. a freed descriptor. */
static ssize_t peek_write(struct file *f, const char __user *buf, size_t len,
			  loff_t *pos)
{
	char tmp[32];
	u64 addr;

	if (len >= sizeof(tmp))
		return -EINVAL;
	if (copy_from_user(tmp, buf, len))
		return -EFAULT;
	tmp[len] = 0;
	if (kstrtou64(strim(tmp), 0, &addr) || (addr & 7) ||
	    !pfn_valid(addr >> PAGE_SHIFT))
		return -EINVAL;
	peek_addr = addr;
	return len;
}

static ssize_t peek_read(struct file *f, char __user *buf, size_t len,
			 loff_t *pos)
{
	char out[24];
	u64 v;
	int n;

	if (copy_from_kernel_nofault(&v, __va(peek_addr), sizeof(v)))
		return -EFAULT;
	n = scnprintf(out, sizeof(out), "0x%016llx\n", v);
	return simple_read_from_buffer(buf, len, pos, out, n);
}

static const struct file_operations peek_fops = {
	.owner = THIS_MODULE,
	.read = peek_read,
	.write = peek_write,
};

static ssize_t panic_write(struct file *f, const char __user *buf, size_t len,
			   loff_t *pos)
{
	panic("bmdump_testmod: panic requested on cpu %d",
	      raw_smp_processor_id());
	return len;
}

static ssize_t poke_write(struct file *f, const char __user *ubuf, size_t len,
			  loff_t *pos)
{
	char buf[64];
	unsigned long long pa;
	unsigned int x;
	u8 *p;

	if (len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		return -EINVAL;
	buf[len] = 0;
	if (sscanf(buf, "%llx %x", &pa, &x) != 2 || !pfn_valid(pa >> PAGE_SHIFT))
		return -EINVAL;
	p = phys_to_virt(pa);
	*p ^= (u8)x;
	pr_info("bmdump_testmod: poked 0x%llx ^= 0x%x\n", pa, x);
	return len;
}

static phys_addr_t corrupt_pa;
static u8 corrupt_xor;
static bool corrupt_armed;

static void corrupt_post(struct kprobe *p, struct pt_regs *regs,
			 unsigned long flags)
{
	struct kimage *image = (struct kimage *)regs->di;

	if (image && image->type == KEXEC_TYPE_CRASH && corrupt_pa)
		*(u8 *)phys_to_virt(corrupt_pa) ^= corrupt_xor;
}

static struct kprobe corrupt_kp = {
	.symbol_name = "machine_kexec",
	.post_handler = corrupt_post,
};

static ssize_t corrupt_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *pos)
{
	char buf[64];
	unsigned long long pa;
	unsigned int x;
	int ret;

	if (len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		return -EINVAL;
	buf[len] = 0;
	if (sscanf(buf, "%llx %x", &pa, &x) != 2 || !pfn_valid(pa >> PAGE_SHIFT))
		return -EINVAL;
	corrupt_pa = pa;
	corrupt_xor = (u8)x;
	if (!corrupt_armed) {
		ret = register_kprobe(&corrupt_kp);
		if (ret)
			return ret;
		corrupt_armed = true;
	}
	pr_info("bmdump_testmod: will flip 0x%llx ^= 0x%x at the crash\n",
		pa, x);
	return len;
}

static const struct file_operations corrupt_fops = {
	.owner = THIS_MODULE,
	.write = corrupt_write,
};

/*
 * Memory hotplug as a driver like virtio-mem does it, on ranges that were
 * boot RAM: a block removed before bmdump.ko loads is a hole to it, and RAM
 * again after "add" and an online through sysfs.
 */
static unsigned long held_pfn, held_nr;

static int hotplug_fill(unsigned long pfn, unsigned long nr)
{
	unsigned long i;
	int ret;

	if (held_nr || !nr || nr > 4096)
		return -EINVAL;
	ret = alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE, GFP_KERNEL);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++)
		fill_pattern(page_address(pfn_to_page(pfn + i)), pfn + i);
	held_pfn = pfn;
	held_nr = nr;
	return 0;
}

static ssize_t hotplug_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *pos)
{
	char buf[80], op[8];
	unsigned long long a, n;
	int ret;

	if (len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		return -EINVAL;
	buf[len] = 0;
	if (sscanf(buf, "%7s %llx %llx", op, &a, &n) != 3)
		return -EINVAL;
	if (!strcmp(op, "remove"))
		ret = offline_and_remove_memory(a, n);
	else if (!strcmp(op, "add"))
		ret = add_memory(memory_add_physaddr_to_nid(a), a, n, MHP_NONE);
	else if (!strcmp(op, "fill"))
		ret = hotplug_fill(a, n);
	else
		return -EINVAL;
	pr_info("bmdump_testmod: hotplug %s 0x%llx 0x%llx: %d\n", op, a, n,
		ret);
	return ret ? ret : len;
}

static const struct file_operations hotplug_fops = {
	.owner = THIS_MODULE,
	.write = hotplug_write,
};


/* --- torture cases: ways a real kernel breaks before it panics ---------- */

static struct timer_list torture_timer;

static void torture_timer_fn(struct timer_list *t)
{
	pr_emerg("bmdump_testmod: BUG() in a timer callback on cpu %d\n",
		 raw_smp_processor_id());
	BUG();
}

static noinline int torture_recurse(unsigned long n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	if (n)
		return torture_recurse(n - 1) + pad[0];
	return pad[0];
}

/* The other CPUs stay in this IPI callback: interrupts off, for ever. */
static void torture_spin(void *lock)
{
	if (lock)
		spin_lock(lock);
	for (;;)
		cpu_relax();
}

/* A zone that holds memory of ours: ZONE_NORMAL or DMA32. */
static struct zone *torture_zone(void)
{
	return page_zone(virt_to_page(&torture_timer));
}

/* Random words into random words of n struct pages of torture_zone(). */
static void torture_scribble(unsigned long n, u32 seed)
{
	struct zone *z = torture_zone();
	struct rnd_state st;
	unsigned long i, pfn;
	u64 *w;

	prandom_seed_state(&st, seed);
	for (i = 0; i < n && z->spanned_pages; i++) {
		pfn = z->zone_start_pfn +
		      prandom_u32_state(&st) % z->spanned_pages;
		if (!pfn_valid(pfn))
			continue;
		w = (u64 *)pfn_to_page(pfn);
		w += prandom_u32_state(&st) % (sizeof(struct page) / 8);
		*w = ((u64)prandom_u32_state(&st) << 32) |
		     prandom_u32_state(&st);
	}
	pr_emerg("bmdump_testmod: scribbled %lu words into struct pages\n", n);
}

/* The first page on a non-empty free list gets a next link past RAM. */
static void torture_freelist(void)
{
	struct zone *z = torture_zone();
	struct list_head *l;
	int order, t;

	for (order = ARRAY_SIZE(z->free_area) - 1; order >= 0; order--)
		for (t = 0; t < MIGRATE_TYPES; t++) {
			l = &z->free_area[order].free_list[t];
			if (list_empty(l))
				continue;
			l->next->next = (void *)(PAGE_OFFSET + (1ull << 45));
			pr_emerg("bmdump_testmod: free list %d/%d of %s: link "
				 "outside RAM\n", order, t, z->name);
			return;
		}
}

static void torture_mem_section(void)
{
#ifdef CONFIG_SPARSEMEM_EXTREME
	mem_section[0] = (void *)0xdead000000000000ull;
	pr_emerg("bmdump_testmod: mem_section[0] overwritten\n");
#endif
}

/*
 * Reads in flight on the dump disk, the Nth completion panics: the crash
 * comes from the NVMe interrupt handler (through blk-mq's completion),
 * with commands still outstanding in the controller's queues.
 */
#define NR_TORTURE_BIOS	256
static atomic_t torture_bios_left;

static void torture_end_io(struct bio *bio)
{
	if (atomic_dec_return(&torture_bios_left) == 0)
		panic("bmdump_testmod: torture nvme_complete: in a completion "
		      "on cpu %d, in_irq %d", raw_smp_processor_id(),
		      !!in_hardirq());
	__free_page(bio_first_page_all(bio));
	bio_put(bio);
}

static struct block_device *torture_open(const char *path)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	struct file *f = bdev_file_open_by_path(path, BLK_OPEN_READ, NULL,
						NULL);

	/* never closed: the write ends in a panic */
	return IS_ERR(f) ? ERR_CAST(f) : file_bdev(f);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return blkdev_get_by_path(path, BLK_OPEN_READ, NULL, NULL);
#else
	return blkdev_get_by_path(path, FMODE_READ, NULL);
#endif
}

static int torture_nvme_complete(const char *buf)
{
	struct block_device *bdev;
	char path[48];
	unsigned int n, i;
	struct page *pg;
	struct bio *bio;

	if (sscanf(buf, "%47s %u", path, &n) != 2 || !n ||
	    n > NR_TORTURE_BIOS)
		return -EINVAL;
	bdev = torture_open(path);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	atomic_set(&torture_bios_left, n);
	for (i = 0; i < NR_TORTURE_BIOS; i++) {
		pg = alloc_page(GFP_KERNEL);
		if (!pg)
			break;
		bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_KERNEL);
		/* spread over the first 64 MiB: no merging into one command */
		bio->bi_iter.bi_sector = (sector_t)(i * 37 % 16384) * 8;
		bio->bi_end_io = torture_end_io;
		__bio_add_page(bio, pg, PAGE_SIZE, 0);
		submit_bio(bio);
	}
	pr_emerg("bmdump_testmod: %u reads submitted to %s, completion %u "
		 "panics\n", i, path, n);
	/* the panic comes from the interrupt; this CPU just waits */
	msleep(30000);
	return -ETIMEDOUT;
}

/* A stray write over a code page of the crash hook, before the panic. */
static int torture_hook_text(const char *buf)
{
	struct rnd_state st;
	struct page *pg;
	unsigned long addr;
	u32 seed, i;
	u8 *p;

	if (sscanf(buf, "%lx %u", &addr, &seed) != 2 ||
	    addr < MODULES_VADDR || addr >= MODULES_END)
		return -EINVAL;
	pg = vmalloc_to_page((void *)addr);
	if (!pg)
		return -EINVAL;
	p = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	if (!p)
		return -ENOMEM;
	prandom_seed_state(&st, seed);
	for (i = 0; i < PAGE_SIZE; i++)
		p[i] = seed % 3 == 0 ? 0xcc : seed % 3 == 1 ? 0 :
		       (u8)prandom_u32_state(&st);
	vunmap(p);
	pr_emerg("bmdump_testmod: code page of 0x%lx overwritten (%s)\n",
		 addr, seed % 3 == 0 ? "int3" : seed % 3 == 1 ? "zeros" :
		 "random");
	return 0;
}

static ssize_t torture_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *pos)
{
	const char *what = f->f_path.dentry->d_name.name + 8;
	unsigned long n = 0;
	unsigned long flags;
	char buf[64];
	u32 seed = 0;

	if (len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		return -EINVAL;
	buf[len] = 0;
	pr_emerg("bmdump_testmod: torture %s on cpu %d\n", what,
		 raw_smp_processor_id());
	if (!strcmp(what, "timer_bug")) {
		mod_timer(&torture_timer, jiffies + 1);
		return len;
	}
	if (!strcmp(what, "overflow"))
		return torture_recurse(~0ul) ? len : -EIO;
	if (!strcmp(what, "nvme_complete"))
		return torture_nvme_complete(buf);
	if (!strcmp(what, "lockup")) {
		smp_call_function(torture_spin, NULL, 0);
		mdelay(200);
	} else if (!strcmp(what, "zone_lock")) {
		spin_lock_irqsave(&torture_zone()->lock, flags);
	} else if (!strcmp(what, "zone_lock_other")) {
		smp_call_function(torture_spin, &torture_zone()->lock, 0);
		mdelay(200);
	} else if (!strcmp(what, "scribble")) {
		if (sscanf(buf, "%lu %u", &n, &seed) != 2)
			return -EINVAL;
		torture_scribble(n, seed);
	} else if (!strcmp(what, "freelist")) {
		torture_freelist();
	} else if (!strcmp(what, "mem_section")) {
		torture_mem_section();
	} else if (!strcmp(what, "hook_text")) {
		int ret = torture_hook_text(buf);

		if (ret)
			return ret;
	} else {
		return -EINVAL;
	}
	panic("bmdump_testmod: torture %s", what);
}

static const struct file_operations torture_fops = {
	.owner = THIS_MODULE,
	.write = torture_write,
};

static const char *const torture_names[] = {
	"torture_timer_bug", "torture_overflow", "torture_lockup",
	"torture_zone_lock", "torture_zone_lock_other", "torture_scribble",
	"torture_freelist", "torture_mem_section", "torture_nvme_complete",
	"torture_hook_text",
};

static const struct file_operations poke_fops = {
	.owner = THIS_MODULE,
	.write = poke_write,
};

static const struct file_operations oops_fops = {
	.owner = THIS_MODULE,
	.write = oops_write,
};

static const struct file_operations panic_fops = {
	.owner = THIS_MODULE,
	.write = panic_write,
};

static int __init testmod_init(void)
{
	unsigned int i;

	dir = debugfs_create_dir("bmdump_testmod", NULL);
	debugfs_create_file("peek", 0600, dir, NULL, &peek_fops);
	debugfs_create_file("oops", 0200, dir, NULL, &oops_fops);
	debugfs_create_file("panic", 0200, dir, NULL, &panic_fops);
	debugfs_create_file("poke", 0200, dir, NULL, &poke_fops);
	debugfs_create_file("corrupt_at_crash", 0200, dir, NULL,
			    &corrupt_fops);
	debugfs_create_file("hotplug", 0200, dir, NULL, &hotplug_fops);
	timer_setup(&torture_timer, torture_timer_fn, 0);
	for (i = 0; i < ARRAY_SIZE(torture_names); i++)
		debugfs_create_file(torture_names[i], 0200, dir, NULL,
				    &torture_fops);
	if (pattern_seed) {
		for (i = 0; i < NR_PATTERNS; i++) {
			/* kmalloc of a page size: slab memory, physically
			 * contiguous, page aligned */
			patterns[i] = kmalloc(PATTERN_BYTES, GFP_KERNEL);
			if (patterns[i])
				fill_pattern(patterns[i], i);
		}
		debugfs_create_file("patterns", 0444, dir, NULL,
				    &patterns_fops);
	}
	return 0;
}

static void __exit testmod_exit(void)
{
	unsigned int i;

	debugfs_remove_recursive(dir);
	del_timer_sync(&torture_timer);
	if (corrupt_armed)
		unregister_kprobe(&corrupt_kp);
	if (held_nr)
		free_contig_range(held_pfn, held_nr);
	for (i = 0; i < NR_PATTERNS; i++)
		kfree(patterns[i]);
}

module_init(testmod_init);
module_exit(testmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bmdump test rig helpers (crash triggers, memory patterns)");
