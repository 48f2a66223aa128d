// SPDX-License-Identifier: GPL-2.0
/*
 * DMAR and IVRS: where the DMA remapping units' registers are.  The
 * tables are firmware input; a length field is checked against what
 * encloses it before anything behind it is read.
 */
#include "iommu_acpi.h"
#include "acpi.h"
#include "errors.h"
#include "phys.h"
#include "str.h"

static struct iommu_unit *new_unit(struct iommu_units *u)
{
	if (u->nr >= IOMMU_MAX_UNITS) {
		u->dropped++;
		return NULL;
	}
	memset(&u->unit[u->nr], 0, sizeof(u->unit[0]));
	return &u->unit[u->nr++];
}

/* Count a DRHD's device scope entries; each must fit its parent. */
static int drhd_scope(const uint8_t *s, uint32_t len, uint8_t *count)
{
	uint32_t off = DRHD_SCOPE;
	unsigned int n = 0;

	while (off < len) {
		uint8_t elen;

		if (len - off < SCOPE_PATH)
			return E_DMAR_SCOPE;
		elen = s[off + SCOPE_LENGTH];
		if (elen < SCOPE_PATH + SCOPE_PATH_ENTRY || elen > len - off ||
		    (elen - SCOPE_PATH) % SCOPE_PATH_ENTRY)
			return E_DMAR_SCOPE;
		off += elen;
		n++;
	}
	*count = n > 255 ? 255 : (uint8_t)n;
	return 0;
}

static int add_drhd(const uint8_t *s, uint16_t len, struct iommu_units *u)
{
	struct iommu_unit *unit;
	uint8_t nr_scope = 0;
	int err;

	if (len < DRHD_SCOPE)
		return E_DMAR_STRUCT;
	err = drhd_scope(s, len, &nr_scope);
	unit = new_unit(u);
	if (unit) {
		unit->kind = IOMMU_VTD;
		unit->flags = s[DRHD_FLAGS];
		unit->size = s[DRHD_SIZE] & 0xf;
		unit->segment = get_le16(s + DRHD_SEGMENT);
		unit->base = get_le64(s + DRHD_REG_BASE);
		unit->nr_scope = nr_scope;
	}
	/* A bad scope does not hide the unit: it is still turned off. */
	return err;
}

int dmar_parse(const uint8_t *t, uint32_t len, struct iommu_units *u)
{
	uint32_t off;
	int err = 0;

	if (len < DMAR_STRUCTS || memcmp(t, "DMAR", 4) ||
	    get_le32(t + 4) != len)
		return E_DMAR_TRUNCATED;
	u->has_dmar = 1;
	u->haw = t[DMAR_HOST_ADDR_WIDTH];
	u->dmar_flags = t[DMAR_FLAGS];
	for (off = DMAR_STRUCTS; off < len;) {
		uint16_t type, slen;

		if (len - off < DMAR_STRUCT_HDR_LEN)
			return E_DMAR_STRUCT;
		type = get_le16(t + off);
		slen = get_le16(t + off + 2);
		if (slen < DMAR_STRUCT_HDR_LEN || slen > len - off)
			return E_DMAR_STRUCT;
		if (type == DMAR_TYPE_DRHD) {
			int e = add_drhd(t + off, slen, u);

			if (e == E_DMAR_STRUCT)
				return e;
			if (e && !err)
				err = e;
		}
		off += slen;
	}
	return err;
}

static int ivhd_header_len(uint8_t type)
{
	switch (type) {
	case IVHD_TYPE_10H:
		return IVHD_10H_LEN;
	case IVHD_TYPE_11H:
	case IVHD_TYPE_40H:
		return IVHD_11H_LEN;
	}
	return 0;	/* IVMD or a type this stub does not know */
}

static int add_ivhd(const uint8_t *b, uint16_t len, struct iommu_units *u)
{
	struct iommu_unit *unit;
	unsigned int i;
	uint64_t base;
	uint16_t seg;

	if (len < ivhd_header_len(b[IVHD_TYPE]))
		return E_IVRS_BLOCK;
	base = get_le64(b + IVHD_BASE_ADDR);
	seg = get_le16(b + IVHD_SEGMENT);
	/* One IOMMU, described once per IVHD type the firmware speaks. */
	for (i = 0; i < u->nr; i++)
		if (u->unit[i].kind == IOMMU_AMDVI && u->unit[i].base == base &&
		    u->unit[i].segment == seg)
			return 0;
	unit = new_unit(u);
	if (unit) {
		unit->kind = IOMMU_AMDVI;
		unit->type = b[IVHD_TYPE];
		unit->flags = b[IVHD_FLAGS];
		unit->devid = get_le16(b + IVHD_DEVICE_ID);
		unit->segment = seg;
		unit->base = base;
	}
	return 0;
}

int ivrs_parse(const uint8_t *t, uint32_t len, struct iommu_units *u)
{
	uint32_t off;

	if (len < IVRS_BLOCKS || memcmp(t, "IVRS", 4) ||
	    get_le32(t + 4) != len)
		return E_IVRS_TRUNCATED;
	u->has_ivrs = 1;
	for (off = IVRS_BLOCKS; off < len;) {
		uint16_t blen;
		int err;

		if (len - off < IVRS_BLOCK_HDR_LEN)
			return E_IVRS_BLOCK;
		blen = get_le16(t + off + IVHD_LENGTH);
		if (blen < IVRS_BLOCK_HDR_LEN || blen > len - off)
			return E_IVRS_BLOCK;
		if (ivhd_header_len(t[off + IVHD_TYPE])) {
			err = add_ivhd(t + off, blen, u);
			if (err)
				return err;
		}
		off += blen;
	}
	return 0;
}

static int parse_table(const struct acpi_info *ai, const char sig[4],
		       int (*parse)(const uint8_t *, uint32_t,
				    struct iommu_units *),
		       struct iommu_units *u)
{
	const uint8_t *t;
	uint64_t pa;
	uint32_t len;
	int err;

	err = acpi_find_table(ai, sig, &pa, &len);
	if (err)
		return err;
	t = phys_fw(pa, len);
	if (!t)
		return E_ACPI_TABLE;
	return parse(t, len, u);
}

int iommu_find_units(const struct acpi_info *ai, struct iommu_units *u,
		     int *dmar_err, int *ivrs_err)
{
	memset(u, 0, sizeof(*u));
	*dmar_err = parse_table(ai, "DMAR", dmar_parse, u);
	*ivrs_err = parse_table(ai, "IVRS", ivrs_parse, u);
	if (!u->has_dmar && !u->has_ivrs)
		return E_ACPI_NO_TABLE;
	return 0;
}
