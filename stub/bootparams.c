// SPDX-License-Identifier: GPL-2.0
#include "bootparams.h"
#include "errors.h"
#include "phys.h"
#include "str.h"

static int e820_add(struct boot_info *bi, const uint8_t *ent)
{
	struct e820_entry e = {
		.addr = get_le64(ent),
		.size = get_le64(ent + 8),
		.type = get_le32(ent + 16),
	};
	unsigned int i;

	if (!e.size || e.addr + e.size < e.addr)
		return 0;	/* empty or wrapping: ignore, as Linux does */
	if (bi->nr_e820 >= E820_MAX)
		return E_BP_E820_FULL;
	/* kexec_file_load hands over an unsorted table; keep ours sorted. */
	i = bi->nr_e820++;
	while (i && bi->e820[i - 1].addr > e.addr) {
		bi->e820[i] = bi->e820[i - 1];
		i--;
	}
	bi->e820[i] = e;
	return 0;
}

/* Walk setup_data for SETUP_E820_EXT (more than 128 entries). */
static int walk_setup_data(struct boot_info *bi, uint64_t pa)
{
	while (pa) {
		const uint8_t *hdr;
		uint32_t type, len;

		if (bi->nr_setup_data >= SETUP_DATA_MAX_NODES)
			return E_BP_SETUP_DATA;
		hdr = phys_ram(pa, SETUP_DATA_HDR);
		if (!hdr)
			return E_BP_SETUP_DATA;
		type = get_le32(hdr + 8);
		len = get_le32(hdr + 12);
		bi->setup_data[bi->nr_setup_data].addr = pa;
		bi->setup_data[bi->nr_setup_data].len = SETUP_DATA_HDR +
							(uint64_t)len;
		bi->nr_setup_data++;
		if (type == SETUP_EFI && !bi->efi_setup) {
			/* Checked where it is used (warm boot). */
			bi->efi_setup = pa + SETUP_DATA_HDR;
			bi->efi_setup_len = len;
		}
		if (type == SETUP_E820_EXT) {
			const uint8_t *ext = phys_ram(pa + SETUP_DATA_HDR,
						      len);
			uint32_t i;
			int err;

			if (!ext || len % BP_E820_ENTRY_SIZE)
				return E_BP_SETUP_DATA;
			for (i = 0; i < len / BP_E820_ENTRY_SIZE; i++) {
				err = e820_add(bi, ext + i * BP_E820_ENTRY_SIZE);
				if (err)
					return err;
			}
		}
		pa = get_le64(hdr);
	}
	return 0;
}

static int read_cmdline(struct boot_info *bi, uint64_t pa)
{
	size_t n = 0;

	if (!pa)
		return E_BP_CMDLINE_NULL;
	bi->cmdline_addr = pa;
	while (n < CMDLINE_MAX) {
		/* Map up to the end of the page: the line may end right there. */
		uint64_t chunk = 4096 - ((pa + n) & 4095);
		const char *p;
		size_t i;

		if (chunk > CMDLINE_MAX - n)
			chunk = CMDLINE_MAX - n;
		p = phys_ram(pa + n, chunk);
		if (!p)
			return E_BP_CMDLINE_NULL;
		for (i = 0; i < chunk; i++) {
			if (!p[i]) {
				bi->cmdline[n] = 0;
				bi->cmdline_len = n;
				return 0;
			}
			bi->cmdline[n++] = p[i];
		}
	}
	return E_CMD_TOO_LONG;
}

int bootparams_parse(const uint8_t *bp, uint64_t bp_addr, struct boot_info *bi)
{
	unsigned int i, nr;
	uint64_t cmd;
	int err;

	memset(bi, 0, sizeof(*bi));
	if (!bp)
		return E_BP_NULL;
	bi->bp_addr = bp_addr;
	if (get_le32(bp + BZ_HEADER) != BZ_HDRS_MAGIC)
		return E_BP_MAGIC;
	bi->protocol = (uint16_t)(bp[BZ_VERSION] |
				  bp[BZ_VERSION + 1] << 8);
	bi->type_of_loader = bp[BZ_TYPE_OF_LOADER];
	bi->acpi_rsdp = get_le64(bp + BP_ACPI_RSDP_ADDR);
	bi->efi_loader_sig = get_le32(bp + BP_EFI_LOADER_SIG);
	bi->efi_systab = get_le32(bp + BP_EFI_SYSTAB) |
			 (uint64_t)get_le32(bp + BP_EFI_SYSTAB_HI) << 32;
	memcpy(&bi->efi, bp + BP_EFI_INFO, sizeof(bi->efi));
	bi->secure_boot = bp[BP_SECURE_BOOT];

	nr = bp[BP_E820_ENTRIES];
	if (nr > BP_E820_MAX)
		return E_BP_E820_COUNT;
	for (i = 0; i < nr; i++) {
		err = e820_add(bi, bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE);
		if (err)
			return err;
	}
	err = walk_setup_data(bi, get_le64(bp + BZ_SETUP_DATA));
	if (err)
		return err;
	for (i = 0; i < bi->nr_e820; i++)
		if (bi->e820[i].type == E820_RAM)
			break;
	if (i == bi->nr_e820)
		return E_BP_E820_EMPTY;

	cmd = get_le32(bp + BZ_CMD_LINE_PTR) |
	      (uint64_t)get_le32(bp + BP_EXT_CMD_LINE_PTR) << 32;
	return read_cmdline(bi, cmd);
}

#define E820_PAGE		4096ull
#define LOW_PAGE_MIN		0x1000ull
#define LOW_PAGE_END		0xa0000ull	/* 640 KiB */

uint64_t e820_low_page(const struct e820_entry *e820, unsigned int n)
{
	uint64_t best = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t end = e820[i].addr + e820[i].size;
		uint64_t start = (e820[i].addr + E820_PAGE - 1) &
				 ~(E820_PAGE - 1);

		if (e820[i].type != E820_RAM || end < e820[i].addr)
			continue;
		if (start < LOW_PAGE_MIN)
			start = LOW_PAGE_MIN;
		if (end > LOW_PAGE_END)
			end = LOW_PAGE_END;
		end &= ~(E820_PAGE - 1);
		if (start < end && end - E820_PAGE > best)
			best = end - E820_PAGE;
	}
	return best;
}
