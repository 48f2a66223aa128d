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
 */
#include <linux/mm.h>		/* pfn_valid, __va: peek */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/uaccess.h>

static struct dentry *dir;

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
	return 0;
}

static void __exit testmod_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(testmod_init);
module_exit(testmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bmdump test rig helpers (crash triggers, memory patterns)");
