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
 * Pattern byte j of buffer i: the low byte of x, where x starts at
 * seed * 2654435761 + i and steps x = x * 1103515245 + 12345 (mod 2^32).
 */
#include <linux/mm.h>		/* pfn_valid, __va: peek */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/kprobes.h>
#include <linux/memory_hotplug.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

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
	dir = debugfs_create_dir("bmdump_testmod", NULL);
	debugfs_create_file("peek", 0600, dir, NULL, &peek_fops);
	debugfs_create_file("oops", 0200, dir, NULL, &oops_fops);
	debugfs_create_file("panic", 0200, dir, NULL, &panic_fops);
	debugfs_create_file("poke", 0200, dir, NULL, &poke_fops);
	debugfs_create_file("corrupt_at_crash", 0200, dir, NULL,
			    &corrupt_fops);
	debugfs_create_file("hotplug", 0200, dir, NULL, &hotplug_fops);
	if (pattern_seed) {
		unsigned int i;

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
