// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-side helper of tests/e2e/test_hook.py, built static so the rig's
 * initramfs needs no libraries for it.
 *
 *   hooktest vmread VMCORE DESC_PHYS OUT
 *	In the capture kernel: map physical addresses through the ELF
 *	program headers of /proc/vmcore, copy the bmdump descriptor page and
 *	every bitmap chunk it lists to OUT (a raw disk): the descriptor at 0,
 *	then the chunks in table order, each padded to 4 KiB.  Prints
 *	"RIG: load PADDR MEMSZ" per PT_LOAD.  Judges nothing: the host does.
 *   hooktest hog MIB
 *	Anonymous memory: map, write every page, print "RIG: hog-ready",
 *	then sleep until killed.
 *   hooktest slab DIR COUNT
 *	Slab objects: create COUNT empty files (inodes, dentries).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmdump/desc.h"

#define PAGE	4096u

static Elf64_Phdr *loads;
static int nr_loads;
static int vmcore_fd;

static void die(const char *what)
{
	printf("RIG: hooktest-error %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static int read_phdrs(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	int i;

	vmcore_fd = open(path, O_RDONLY);
	if (vmcore_fd < 0)
		die("open vmcore");
	if (pread(vmcore_fd, &eh, sizeof(eh), 0) != sizeof(eh))
		die("read ELF header");
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr)) {
		errno = EINVAL;
		die("vmcore is not ELF64");
	}
	ph = calloc(eh.e_phnum, sizeof(*ph));
	loads = calloc(eh.e_phnum, sizeof(*loads));
	if (!ph || !loads)
		die("calloc");
	if (pread(vmcore_fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff) !=
	    (ssize_t)(eh.e_phnum * sizeof(*ph)))
		die("read program headers");
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		loads[nr_loads++] = ph[i];
		printf("RIG: load 0x%llx 0x%llx vaddr 0x%llx\n",
		       (unsigned long long)ph[i].p_paddr,
		       (unsigned long long)ph[i].p_memsz,
		       (unsigned long long)ph[i].p_vaddr);
	}
	free(ph);
	return 0;
}

/* Read one page-or-less at physical address pa. */
static int read_phys(uint64_t pa, void *buf, size_t len)
{
	int i;

	for (i = 0; i < nr_loads; i++) {
		Elf64_Phdr *p = &loads[i];

		if (pa >= p->p_paddr && pa + len <= p->p_paddr + p->p_filesz)
			return pread(vmcore_fd, buf, len,
				     p->p_offset + (pa - p->p_paddr)) ==
			       (ssize_t)len ? 0 : -1;
	}
	errno = ERANGE;
	return -1;
}

static int cmd_vmread(const char *vmcore, const char *desc_arg,
		      const char *out)
{
	static uint8_t page[PAGE];
	struct bmdump_desc *d = (struct bmdump_desc *)page;
	uint64_t desc_pa = strtoull(desc_arg, NULL, 0);
	uint64_t off = PAGE, total = 0;
	uint32_t i;
	int fd;

	read_phdrs(vmcore);
	fd = open(out, O_WRONLY);
	if (fd < 0)
		die("open output");
	if (read_phys(desc_pa, page, PAGE))
		die("read descriptor");
	if (pwrite(fd, page, PAGE, 0) != PAGE)
		die("write descriptor");
	printf("RIG: vmread magic=0x%llx state=0x%x nr_chunks=%u "
	       "max_pfn=%llu\n",
	       (unsigned long long)d->magic, d->state, d->nr_chunks,
	       (unsigned long long)d->max_pfn);
	if (d->nr_chunks > BMDUMP_DESC_MAX_CHUNKS) {
		errno = EINVAL;
		die("chunk count");
	}
	for (i = 0; i < d->nr_chunks; i++) {
		struct bmdump_chunk c = d->chunk[i];
		uint64_t bytes = c.nr_pfns / 8, done;
		static uint8_t buf[PAGE];

		if (bytes > BMDUMP_CHUNK_MAX_BYTES) {
			errno = EINVAL;
			die("chunk size");
		}
		for (done = 0; done < bytes; done += PAGE) {
			size_t n = bytes - done < PAGE ? bytes - done : PAGE;

			memset(buf, 0, sizeof(buf));
			if (read_phys(c.phys + done, buf, n))
				die("read bitmap chunk");
			if (pwrite(fd, buf, PAGE, off) != PAGE)
				die("write bitmap chunk");
			off += PAGE;
		}
		total += bytes;
	}
	if (fsync(fd))
		die("fsync output");
	close(fd);
	printf("RIG: vmread-done bitmap_bytes=%llu\n",
	       (unsigned long long)total);
	return 0;
}

static int cmd_hog(const char *mib_arg)
{
	size_t len = strtoull(mib_arg, NULL, 0) << 20, i;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	for (i = 0; i < len; i += PAGE)
		memset(p + i, (int)(i / PAGE) | 1, PAGE);
	printf("RIG: hog-ready mib=%zu\n", len >> 20);
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int cmd_slab(const char *dir, const char *count_arg)
{
	unsigned long n = strtoul(count_arg, NULL, 0), i;
	char path[256];

	mkdir(dir, 0755);
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%lu", dir, i);
		fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			die("create");
		close(fd);
	}
	printf("RIG: slab-files=%lu\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "vmread"))
		return cmd_vmread(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "hog"))
		return cmd_hog(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "slab"))
		return cmd_slab(argv[2], argv[3]);
	fprintf(stderr, "usage: hooktest vmread VMCORE DESC OUT | "
		"hog MIB | slab DIR N\n");
	return 2;
}
