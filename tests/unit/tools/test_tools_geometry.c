// SPDX-License-Identifier: GPL-2.0
/*
 * prepare's checks that the stub can use an area (geometry.c): block
 * sizes, 4 KiB alignment, NVMe formats with metadata; and the logical
 * block size it gives sfdisk for an image file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "geometry.h"

static struct disk_geometry plain(unsigned int lbs, uint64_t start,
				  uint64_t size)
{
	struct disk_geometry g;

	memset(&g, 0, sizeof(g));
	g.lbs = lbs;
	g.start = start;
	g.size = size;
	return g;
}

static void test_block_sizes_and_alignment(void **state)
{
	struct disk_geometry g;
	struct bm_err e;

	g = plain(512, 1 << 20, 64 << 20);
	assert_int_equal(geometry_check(&g, "p", &e), 0);
	g = plain(4096, 1 << 20, 64 << 20);		/* 4Kn */
	assert_int_equal(geometry_check(&g, "p", &e), 0);
	g = plain(512, 63 * 512, 64 << 20);		/* old DOS start */
	assert_int_equal(geometry_check(&g, "p", &e), BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "starts at byte 32256, not on a 4 KiB "
			       "boundary"));
	g = plain(512, 1 << 20, (64 << 20) + 512);	/* odd size: fine */
	assert_int_equal(geometry_check(&g, "p", &e), 0);
	g = plain(8192, 1 << 20, 64 << 20);
	assert_int_equal(geometry_check(&g, "p", &e), BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "8192-byte logical blocks"));
	g = plain(520, 1 << 20, 520 * 1000);
	assert_int_equal(geometry_check(&g, "p", &e), BM_E_REFUSED);
	g = plain(4096, 1 << 20, (64 << 20) + 512);
	assert_int_equal(geometry_check(&g, "p", &e), BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "not a whole number of 4096-byte"));
}

static void set_format(uint8_t *id, unsigned int idx, unsigned int ms,
		       unsigned int lbads, int ext)
{
	uint32_t lbaf = (uint32_t)lbads << 16 | ms;

	memset(id, 0, NVME_ID_NS_BYTES);
	id[NVME_ID_NS_NLBAF] = 3;
	id[NVME_ID_NS_FLBAS] = (uint8_t)(idx | (ext ? NVME_NS_FLBAS_EXT : 0));
	memcpy(id + NVME_ID_NS_LBAF + 4 * idx, &lbaf, 4);
}

static void test_nvme_metadata_refused(void **state)
{
	static uint8_t id[NVME_ID_NS_BYTES];
	struct disk_geometry g = plain(4096, 1 << 20, 64 << 20);
	struct bm_err e;

	g.nvme = 1;
	set_format(id, 2, 0, 12, 0);
	assert_int_equal(bmdump_nvme_ns_format(id, &g.fmt), 0);
	assert_int_equal(geometry_check(&g, "/dev/nvme0n1p1", &e), 0);

	set_format(id, 1, 8, 12, 0);		/* separate metadata */
	assert_int_equal(bmdump_nvme_ns_format(id, &g.fmt), 0);
	assert_int_equal(geometry_check(&g, "/dev/nvme0n1p1", &e),
			 BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "/dev/nvme0n1p1 is an NVMe namespace "
			       "formatted with LBA format 1: 8 bytes of "
			       "metadata per block of 4096 bytes"));

	set_format(id, 3, 16, 9, 1);		/* extended LBA */
	g.lbs = 512;
	assert_int_equal(bmdump_nvme_ns_format(id, &g.fmt), 0);
	assert_int_equal(geometry_check(&g, "n", &e), BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "16 bytes of metadata (inline)"));

	/* the format could not be read: block size rules only */
	g.nvme = 0;
	assert_int_equal(geometry_check(&g, "n", &e), 0);
}

static void test_image_file_block_size(void **state)
{
	char path[] = "/tmp/bmdump-geom-XXXXXX";
	unsigned int lbs = 0;
	struct bm_err e;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(path_logical_block_size(path, &lbs, &e), 0);
	assert_int_equal(lbs, 512);
	unlink(path);
	assert_int_equal(path_logical_block_size(path, &lbs, &e), BM_E_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_sizes_and_alignment),
		cmocka_unit_test(test_nvme_metadata_refused),
		cmocka_unit_test(test_image_file_block_size),
	};

	return cmocka_run_group_tests_name("tools_geometry", tests, NULL,
					   NULL);
}
