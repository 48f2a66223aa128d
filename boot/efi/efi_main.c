// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump-selftest.efi, the UEFI half (see selftest.h): GNU-EFI's crt0 and
 * relocator, the firmware's services, nothing of libefi (its memset and
 * memcpy would clash with the stub's str.c).  Boot services stay up the
 * whole time: the app returns to the firmware, and the boot goes on.
 */
#include <efi.h>
#include <efiapi.h>

#include "selftest.h"
#include "bmdump/smbios.h"

#define PCI_CFG_VENDOR		0x00
#define PCI_CFG_COMMAND		0x04
#define PCI_CFG_CLASS_REV	0x08
#define PCI_CFG_HEADER_TYPE	0x0e
#define SMBIOS_TYPE_SYSTEM	1
#define SMBIOS_SYS_MAKER	0x04	/* string numbers in the type 1 table */
#define SMBIOS_SYS_PRODUCT	0x05
#define CONF_PATH		L"\\EFI\\bmdump\\selftest.conf"
#define MAX_PCI			256

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;

/* Every PCI function's command register, restored after the test. */
static struct {
	EFI_PCI_IO_PROTOCOL *io;
	EFI_HANDLE handle;
	UINT16 command;
	int storage;
} pci[MAX_PCI];
static UINTN nr_pci;

uint64_t efi_alloc_pages(uint64_t bytes)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffffull;	/* 32-bit DMA is safe */
	UINTN pages = (bytes + 4095) / 4096;
	UINT8 *p;
	UINTN i;

	if (bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages,
			      &pa) != EFI_SUCCESS)
		return 0;
	p = (UINT8 *)(UINTN)pa;
	for (i = 0; i < pages * 4096; i++)
		p[i] = 0;
	return pa;
}

static void con_print(const char *s)
{
	CHAR16 buf[129];
	UINTN n = 0;

	/* ConOut wants CR LF and UCS-2, in short pieces. */
	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(UINT8)*s;
		if (n >= 126 || !s[1]) {
			buf[n] = 0;
			st->ConOut->OutputString(st->ConOut, buf);
			n = 0;
		}
	}
}

static void ascii_append(char *dst, UINTN max, const CHAR16 *src,
			 UINTN src_chars)
{
	UINTN n = 0, i;

	while (n < max - 1 && dst[n])
		n++;
	if (n && n < max - 1)
		dst[n++] = ' ';
	for (i = 0; i < src_chars && src[i] && n < max - 1; i++)
		dst[n++] = src[i] < 0x80 ? (char)src[i] : '?';
	dst[n] = 0;
}

/* The options: the load options (efibootmgr -u), then the config file
 * next to the app that `bmdump selftest` writes. */
static void read_options(EFI_HANDLE image, struct selftest_fw *fw)
{
	static EFI_GUID lip_guid = LOADED_IMAGE_PROTOCOL;
	static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root, f;
	char buf[SELFTEST_OPTIONS_MAX];
	UINTN len = sizeof(buf) - 1, i, n;

	if (bs->HandleProtocol(image, &lip_guid, (void **)&li) != EFI_SUCCESS)
		return;
	if (li->LoadOptions && li->LoadOptionsSize >= 2)
		ascii_append(fw->options, sizeof(fw->options),
			     li->LoadOptions, li->LoadOptionsSize / 2);
	if (bs->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **)&fs) !=
	    EFI_SUCCESS || fs->OpenVolume(fs, &root) != EFI_SUCCESS)
		return;
	if (root->Open(root, &f, CONF_PATH, EFI_FILE_MODE_READ, 0) ==
	    EFI_SUCCESS) {
		if (f->Read(f, &len, buf) == EFI_SUCCESS) {
			CHAR16 wide[SELFTEST_OPTIONS_MAX];

			for (i = n = 0; i < len; i++)
				wide[n++] = buf[i] == '\n' || buf[i] == '\r' ||
					    buf[i] == '\t' ? L' ' :
					    (CHAR16)(UINT8)buf[i];
			ascii_append(fw->options, sizeof(fw->options), wide,
				     n);
		}
		f->Close(f);
	}
	root->Close(root);
}

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const UINT8 *x = (const UINT8 *)a, *y = (const UINT8 *)b;
	int i;

	for (i = 0; i < 16; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

static void copy_str(char *dst, UINTN max, const char *a, const char *b)
{
	UINTN n = 0;

	while (*a && n < max - 1)
		dst[n++] = *a++;
	if (*b && n < max - 1)
		dst[n++] = ' ';
	while (*b && n < max - 1)
		dst[n++] = *b++;
	dst[n] = 0;
}

/*
 * The structure table from SMBIOS 3's 64-bit entry point, else from the
 * 2.x 32-bit one: firmware may publish either or both (OVMF under QEMU's
 * default machine types gives 2.x only).  An entry point whose anchor or
 * checksum is wrong counts as absent.
 */
static int smbios_table(struct bmdump_smbios_table *t)
{
	static EFI_GUID smbios3 = SMBIOS3_TABLE_GUID;
	static EFI_GUID smbios2 = SMBIOS_TABLE_GUID;
	const UINT8 *ep3 = NULL, *ep2 = NULL;
	UINTN i;

	for (i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *c = &st->ConfigurationTable[i];

		if (guid_eq(&c->VendorGuid, &smbios3))
			ep3 = c->VendorTable;
		else if (guid_eq(&c->VendorGuid, &smbios2))
			ep2 = c->VendorTable;
	}
	if (ep3 && !bmdump_smbios3_entry(ep3, SMBIOS_EP_MAX_LEN, t))
		return 0;
	if (ep2)
		return bmdump_smbios2_entry(ep2, SMBIOS_EP_MAX_LEN, t);
	return BMDUMP_SMBIOS_E_ANCHOR;
}

/* SMBIOS type 1: who made the machine. */
static void read_machine(struct selftest_fw *fw)
{
	struct bmdump_smbios_table t;
	struct bmdump_smbios_struct s;

	copy_str(fw->machine, sizeof(fw->machine), "unknown", "");
	if (smbios_table(&t) ||
	    bmdump_smbios_find((const UINT8 *)(UINTN)t.addr, t.len,
			       SMBIOS_TYPE_SYSTEM, &s) ||
	    s.hdr[1] <= SMBIOS_SYS_PRODUCT)
		return;
	copy_str(fw->machine, sizeof(fw->machine),
		 bmdump_smbios_string(&s, s.hdr[SMBIOS_SYS_MAKER]),
		 bmdump_smbios_string(&s, s.hdr[SMBIOS_SYS_PRODUCT]));
}

static int64_t unix_time(const EFI_TIME *t)
{
	/* Days from civil (H. Hinnant), for years after 1970. */
	int64_t y = t->Year - (t->Month <= 2), era = y / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (t->Month + (t->Month > 2 ? -3 : 9)) + 2) / 5 +
		      t->Day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;

	return days * 86400 + t->Hour * 3600 + t->Minute * 60 + t->Second;
}

static void read_firmware(struct selftest_fw *fw)
{
	static EFI_GUID global = EFI_GLOBAL_VARIABLE;
	UINT8 sb = 0;
	UINTN size = sizeof(sb), i;
	EFI_TIME now;

	for (i = 0; i < sizeof(fw->vendor) - 1 && st->FirmwareVendor[i]; i++)
		fw->vendor[i] = st->FirmwareVendor[i] < 0x80 ?
				(char)st->FirmwareVendor[i] : '?';
	fw->revision = st->FirmwareRevision;
	fw->systab = (uint64_t)(UINTN)st;
	fw->secure_boot = -1;
	if (st->RuntimeServices->GetVariable(L"SecureBoot", &global, NULL,
					     &size, &sb) == EFI_SUCCESS)
		fw->secure_boot = sb == 1;
	if (st->RuntimeServices->GetTime(&now, NULL) == EFI_SUCCESS)
		fw->now = unix_time(&now);
	read_machine(fw);
}

/*
 * Take every controller the stub drives away from the firmware's drivers
 * (the stub resets them as after a crash) and remember each function's
 * command register: the stub turns bus mastering off everywhere.
 */
static void release_controllers(struct selftest_fw *fw)
{
	static EFI_GUID pciio = EFI_PCI_IO_PROTOCOL_GUID;
	EFI_HANDLE *h = NULL;
	UINTN n = 0, i;

	if (bs->LocateHandleBuffer(ByProtocol, &pciio, NULL, &n, &h) !=
	    EFI_SUCCESS)
		return;
	for (i = 0; i < n && nr_pci < MAX_PCI; i++) {
		EFI_PCI_IO_PROTOCOL *io;
		UINT32 id, class;
		UINT8 hdr;

		if (bs->HandleProtocol(h[i], &pciio, (void **)&io) !=
		    EFI_SUCCESS)
			continue;
		io->Pci.Read(io, EfiPciIoWidthUint32, PCI_CFG_VENDOR, 1, &id);
		io->Pci.Read(io, EfiPciIoWidthUint32, PCI_CFG_CLASS_REV, 1,
			     &class);
		io->Pci.Read(io, EfiPciIoWidthUint8, PCI_CFG_HEADER_TYPE, 1,
			     &hdr);
		pci[nr_pci].io = io;
		pci[nr_pci].handle = h[i];
		io->Pci.Read(io, EfiPciIoWidthUint16, PCI_CFG_COMMAND, 1,
			     &pci[nr_pci].command);
		pci[nr_pci].storage = selftest_is_storage(id & 0xffff,
							  id >> 16, class >> 8,
							  hdr & 0x7f);
		if (pci[nr_pci].storage) {
			EFI_STATUS s = bs->DisconnectController(h[i], NULL,
								NULL);

			if (s == EFI_SUCCESS)
				fw->released++;
			else
				fw->release_err = 1;
		}
		nr_pci++;
	}
	bs->FreePool(h);
}

/* Give everything back: command registers, then the firmware's drivers. */
static void return_controllers(void)
{
	UINTN i;

	for (i = 0; i < nr_pci; i++)
		pci[i].io->Pci.Write(pci[i].io, EfiPciIoWidthUint16,
				     PCI_CFG_COMMAND, 1, &pci[i].command);
	for (i = 0; i < nr_pci; i++)
		if (pci[i].storage)
			bs->ConnectController(pci[i].handle, NULL, NULL, TRUE);
}

/*
 * What the app returns to the boot manager, which ran it as a Boot####
 * option (BootNext).  Never EFI_SUCCESS: UEFI 2.10 section 3.1.1 lets a
 * firmware that gets EFI_SUCCESS back from a boot option stop processing
 * BootOrder and show its boot manager menu, and EDK2's BDS (OVMF, most
 * vendors' firmware) does so: a headless server would sit in the menu
 * instead of booting on.  Any other status makes the firmware go on with
 * the next BootOrder entry.  A pass returns EFI_ABORTED (the boot attempt
 * was given up on purpose: the app is no OS loader), a failed verdict
 * EFI_DEVICE_ERROR, so the firmware's own "failed to start" line tells
 * them apart.
 */
static EFI_STATUS return_status(int pass)
{
	return pass ? EFI_ABORTED : EFI_DEVICE_ERROR;
}

/* GNU-EFI's crt0 calls this with the SysV ABI: not EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct selftest_fw fw;
	struct selftest_out out;

	st = systab;
	bs = systab->BootServices;
	/* The test may outlast the firmware's 5-minute default. */
	bs->SetWatchdogTimer(0, 0, 0, NULL);
	read_firmware(&fw);
	read_options(image, &fw);
	con_print("bmdump-selftest: taking over the storage controllers\n");
	release_controllers(&fw);
	selftest_run(&fw, &out);
	return_controllers();
	con_print(out.text);
	if (out.reset) {
		con_print("bmdump-selftest: resetting (bmdump.selftest_final="
			  "reset)\n");
		st->RuntimeServices->ResetSystem(EfiResetCold, EFI_SUCCESS, 0,
						 NULL);
	}
	con_print("bmdump-selftest: returning to the firmware, which boots "
		  "the next entry of its BootOrder\n");
	return return_status(out.verdict == 1);
}
