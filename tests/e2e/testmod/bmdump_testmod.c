// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the QEMU rig: ways to crash the kernel that are not
 * sysrq, and known memory contents to find in a dump.
 *
 *   /sys/kernel/debug/bmdump_testmod/oops     write: NULL dereference (an
 *                                             oops; with oops=panic, kdump)
 *   /sys/kernel/debug/bmdump_testmod/panic    write: panic("...")
 */
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
