/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every failure site in the stub has its own negative code and a message
 * that tells the operator what to do.  The code goes to the console, the
 * area log and the area header (stub_error, bitmap_error), so a report
 * "-127" pins one place.  Each stub file owns a block of hundreds or tens
 * (iPXE's per-file codes): -100 boot_params, -110 cmdline, -120 elfcore,
 * -140 notes, -160 VMCOREINFO, -180 mem, -190 phys, -200 paging, -220
 * ACPI, ..., -420 NVMe, -540 virtio-blk, -600 IOMMU, -700 AHCI, -800 the
 * stub's page scan, -900 the self-test app (boot/efi/), -1000 the warm
 * boot (stub/warmboot.c), -1100 the drivers' waits cut short by the
 * capture deadline, -1200 SMP bring-up (stub/smp.c).  The messages are lib/errors.c, built into the
 * stub and the bmdump tool alike.
 *
 * This is the only table that goes on disk.  The two other vocabularies
 * never do: BMDUMP_AREA_E_* (include/bmdump/area.h) are the return values
 * of the header check both sides run, which the stub reports as
 * E_AREA_HEADER and the tool as its own BM_E_CORRUPT; BM_E_*
 * (host-tools/bmdump.h) are the tool's categories of failure.
 */
#ifndef BMDUMP_ERRORS_H
#define BMDUMP_ERRORS_H

#define STUB_ERRORS(X) \
	X(E_BP_NULL, -101, "no boot_params: load bmdump.bzImage with kexec -p") \
	X(E_BP_MAGIC, -102, "boot_params has no HdrS setup header: load bmdump.bzImage with kexec -p (bzImage64)") \
	X(E_BP_E820_COUNT, -103, "boot_params e820 table claims more than 128 entries: loader bug, reload with kexec -p") \
	X(E_BP_E820_EMPTY, -104, "boot_params carries no usable e820 RAM: reload with kexec -p") \
	X(E_BP_CMDLINE_NULL, -105, "no command line in boot_params: reload with kexec -p") \
	X(E_BP_SETUP_DATA, -106, "setup_data list is malformed or loops: reload with kexec -p") \
	X(E_BP_E820_FULL, -107, "more e820 entries than the stub handles (256)") \
	X(E_CMD_NO_ELFCOREHDR, -110, "no elfcorehdr= on the command line: load the stub with kexec -p (as a crash kernel)") \
	X(E_CMD_ELFCOREHDR, -111, "elfcorehdr= value is malformed") \
	X(E_CMD_NUMBER, -112, "a number on the command line is malformed") \
	X(E_CMD_FINAL, -113, "bmdump.final= must be reset, halt or boot") \
	X(E_CMD_UUID, -114, "bmdump.area= is not a UUID: use the area UUID bmdump prepare printed") \
	X(E_CMD_TOO_LONG, -115, "command line longer than 4096 bytes") \
	X(E_CMD_OVERWRITE, -116, "bmdump.overwrite= must be 0 or 1") \
	X(E_CMD_DEADLINE, -117, "bmdump.deadline= must be whole seconds (0: none); the default applies") \
	X(E_ELF_ADDR, -120, "elfcorehdr address is not in the crash region: reload with kexec -p") \
	X(E_ELF_TRUNCATED, -121, "ELF core header shorter than an ELF header") \
	X(E_ELF_MAGIC, -122, "elfcorehdr does not point at an ELF header") \
	X(E_ELF_CLASS, -123, "ELF core header is not 64-bit little-endian") \
	X(E_ELF_TYPE, -124, "ELF core header is not ET_CORE for x86-64") \
	X(E_ELF_PHDR, -125, "ELF core header program headers are malformed or past its end") \
	X(E_ELF_NO_RAM, -126, "ELF core header lists no RAM (PT_LOAD)") \
	X(E_ELF_TOO_MANY, -127, "ELF core header lists more segments than the stub handles") \
	X(E_ELF_RANGE, -128, "a PT_LOAD range is empty, unaligned or wraps") \
	X(E_ELF_OVERLAP, -129, "PT_LOAD RAM ranges overlap") \
	X(E_NOTE_UNMAPPED, -140, "a PT_NOTE lies outside the crashed kernel's RAM") \
	X(E_NOTE_TRUNCATED, -141, "a note header runs past its PT_NOTE segment") \
	X(E_NOTE_LEN, -142, "a note's name or data runs past its PT_NOTE segment") \
	X(E_NOTE_NO_PRSTATUS, -143, "no CPU saved its registers (no NT_PRSTATUS note)") \
	X(E_NOTE_TOO_MANY_CPUS, -144, "more CPU notes than the stub handles (4096)") \
	X(E_NOTE_NO_VMCOREINFO, -145, "no VMCOREINFO note: is /sys/kernel/vmcoreinfo readable when loading?") \
	X(E_NOTE_PRSTATUS_SIZE, -146, "NT_PRSTATUS note has an unexpected size") \
	X(E_VMCI_KEY, -160, "VMCOREINFO lacks a required key") \
	X(E_VMCI_NUMBER, -161, "VMCOREINFO has a malformed number") \
	X(E_VMCI_PAGESIZE, -162, "VMCOREINFO PAGESIZE is not 4096") \
	X(E_VMCI_UTS, -163, "init_uts_ns is not in the crashed kernel's RAM") \
	X(E_MEM_NO_CRASH_RANGE, -180, "no crashkernel RAM found in the e820 map: is crashkernel= set?") \
	X(E_MEM_TOO_MANY, -181, "too many memory ranges for the allocator") \
	X(E_MEM_EXHAUSTED, -182, "crashkernel region exhausted: increase crashkernel=") \
	X(E_MEM_RESERVE, -183, "too many reserved ranges for the allocator") \
	X(E_PHYS_TOO_MANY, -190, "more RAM ranges than the stub's access table holds (a bug: report it)") \
	X(E_PT_NO_MEMORY, -200, "no memory for page tables: increase crashkernel=") \
	X(E_PT_RANGE, -201, "page table request outside the physical address width") \
	X(E_PT_POOL, -202, "initial page-table pool exhausted: crash region too fragmented") \
	X(E_ACPI_NO_RSDP, -220, "no ACPI RSDP found (acpi_rsdp=, boot_params, EFI): reset falls back to 0xCF9") \
	X(E_ACPI_RSDP_CSUM, -221, "ACPI RSDP checksum wrong") \
	X(E_ACPI_SDT, -222, "ACPI RSDT/XSDT malformed or checksum wrong") \
	X(E_ACPI_NO_TABLE, -223, "ACPI table not found") \
	X(E_ACPI_TABLE, -224, "ACPI table malformed or checksum wrong") \
	X(E_TIMER_NO_PMTMR, -240, "no ACPI PM timer: timeouts use an uncalibrated TSC guess") \
	X(E_TIMER_CALIBRATE, -241, "TSC calibration against the PM timer failed") \
	X(E_CPU_UNKNOWN, -250, "the crashing CPU's APIC ID is not in the MADT") \
	X(E_FAULT, -260, "CPU exception in the stub: report the lines above to the bmdump developers") \
	X(E_GPT_NONE, -300, "no GPT on this disk") \
	X(E_GPT_BAD, -301, "GPT header or partition entries corrupt (CRC or bounds)") \
	X(E_AREA_NO_UUID, -310, "no bmdump.area= on the command line: run bmdump load to arm the stub; nothing written") \
	X(E_AREA_NOT_FOUND, -311, "no dump area with the UUID of bmdump.area= on any disk: run bmdump prepare / bmdump load; nothing written") \
	X(E_AREA_HEADER, -312, "the dump area's header is invalid: re-run bmdump prepare; nothing written") \
	X(E_AREA_UNSAVED, -313, "the dump area holds a dump not saved yet: run bmdump save, or load with overwrite; nothing written") \
	X(E_AREA_TOO_SMALL, -314, "the dump area cannot hold even the dump headers: make it larger with bmdump prepare; nothing written") \
	X(E_AREA_ALIGN, -315, "the dump area is not 4 KiB aligned on the disk: re-create it with bmdump prepare --create") \
	X(E_AREA_DUPLICATE, -316, "two partitions hold the dump area of bmdump.area= (a cloned disk?): give one a new UUID with bmdump prepare --force, or wipe the clone; nothing written to either") \
	X(E_DESC_ADDR, -330, "bmdump.desc= does not point into the crashed kernel's RAM") \
	X(E_DESC_MAGIC, -331, "no bitmap descriptor at bmdump.desc= (module unloaded?)") \
	X(E_DESC_VERSION, -332, "bitmap descriptor version unknown (module and stub from different releases)") \
	X(E_DESC_STATE, -333, "the kernel hook did not finish the bitmap at the crash") \
	X(E_DESC_CRC, -334, "bitmap descriptor CRC mismatch (corrupt)") \
	X(E_DESC_CHUNKS, -335, "bitmap chunk table malformed or outside RAM") \
	X(E_DESC_BITMAP_CRC, -336, "bitmap CRC mismatch (corrupt)") \
	X(E_DESC_NONE, -337, "no bmdump.desc= on the command line (bmdump.ko not loaded?)") \
	X(E_DUMP_NO_MEMORY, -350, "no memory left for the dump writer's buffers: increase crashkernel=") \
	X(E_DUMP_IO, -351, "the disk reported a write error during the dump") \
	X(E_DUMP_NOTES, -352, "the CPU notes and VMCOREINFO are too large for the dump header") \
	X(E_DUMP_BITMAP_SIZE, -353, "dump bitmap not a whole number of 64-bit words (a bug in the layout: report it)") \
	X(E_STORAGE_NONE, -360, "no supported storage controller found (NVMe, virtio-blk, AHCI): nothing written") \
	X(E_PCI_NO_CONFIG, -400, "no PCI configuration access: no usable ACPI MCFG (ECAM) and ports CF8/CFC do not answer") \
	X(E_PCI_MCFG, -401, "ACPI MCFG table is malformed: PCI config falls back to ports CF8/CFC (segment 0 only)") \
	X(E_PCI_ECAM_MAP, -402, "the ECAM window from ACPI MCFG cannot be mapped (overlaps RAM?): PCI config falls back to CF8/CFC") \
	X(E_PCI_TOO_MANY, -403, "more PCI functions than the stub tracks (1024): the rest are neither driven nor quiesced") \
	X(E_PCI_NO_DEVICES, -404, "PCI enumeration found no device at all: firmware or hypervisor hides PCI") \
	X(E_PCI_TOO_DEEP, -405, "PCI bridges nested deeper than 32 levels: the buses below are skipped") \
	X(E_PCI_NO_FLR, -406, "the device cannot do a PCIe function level reset (DevCap.FLR clear): no further recovery") \
	X(E_PCI_FLR_TIMEOUT, -407, "the device did not answer config reads within 1 s after a function level reset") \
	X(E_PCI_D0, -408, "the device did not enter power state D0: it stays unused") \
	X(E_NVME_BAR, -420, "NVMe BAR0 is unassigned or not a memory BAR: it was not set up by firmware or the crashed kernel") \
	X(E_NVME_MAP, -421, "NVMe registers cannot be mapped (BAR0 overlaps RAM or lies above the physical address width)") \
	X(E_NVME_GONE, -422, "NVMe controller does not answer (CSTS reads all ones): removed, powered off or link down") \
	X(E_NVME_MPS, -423, "NVMe controller cannot use 4 KiB memory pages (CAP.MPSMIN > 0): not supported") \
	X(E_NVME_CSS, -424, "NVMe controller lacks the NVM command set (CAP.CSS): not supported") \
	X(E_NVME_RDY_TIMEOUT, -425, "NVMe controller was enabled but never became ready (CAP.TO): disabling it anyway") \
	X(E_NVME_DISABLE_TIMEOUT, -426, "NVMe controller did not stop within CAP.TO after CC.EN=0 (CSTS.RDY stays 1)") \
	X(E_NVME_FATAL, -427, "NVMe controller reports a fatal error (CSTS.CFS) that a controller reset did not clear") \
	X(E_NVME_ENABLE_TIMEOUT, -428, "NVMe controller did not become ready within CAP.TO after CC.EN=1") \
	X(E_NVME_ENABLE_FATAL, -429, "NVMe controller reported a fatal error (CSTS.CFS) while being enabled") \
	X(E_NVME_NO_MEMORY, -430, "no DMA memory for NVMe queues and PRP lists: increase crashkernel=") \
	X(E_NVME_ADMIN_TIMEOUT, -431, "an NVMe admin command did not complete within 10 s: the controller hangs") \
	X(E_NVME_ADMIN_CID, -432, "an NVMe admin completion carried an unexpected command ID: controller misbehaves") \
	X(E_NVME_IDENTIFY_CTRL, -433, "NVMe Identify Controller failed (status logged above)") \
	X(E_NVME_CREATE_CQ, -434, "NVMe Create I/O Completion Queue failed (status logged above)") \
	X(E_NVME_CREATE_SQ, -435, "NVMe Create I/O Submission Queue failed (status logged above)") \
	X(E_NVME_IDENTIFY_NS, -436, "NVMe Identify Namespace failed (status logged above): namespace skipped") \
	X(E_NVME_NO_NS, -437, "NVMe controller has no usable namespace (none active, or all formatted with metadata)") \
	X(E_NVME_NS_FORMAT, -438, "NVMe namespace is formatted with metadata (separate or inline) or a block size outside 512 B to 4 KiB: skipped; bmdump prepare refuses it too, reformat without metadata for an area there") \
	X(E_NVME_TOO_MANY, -439, "more than 1024 active namespaces on one NVMe controller: the stub identifies the first 1024, the rest are unused") \
	X(E_NVME_IO_TIMEOUT, -440, "NVMe I/O made no progress for 30 s: the controller hangs; it was disabled") \
	X(E_NVME_IO_CID, -441, "NVMe I/O completion with an unknown command ID: controller misbehaves; it was disabled") \
	X(E_NVME_WRITE_STATUS, -442, "an NVMe write failed with an error status (LBA and status logged above)") \
	X(E_NVME_READ_STATUS, -443, "an NVMe read failed with an error status (LBA and status logged above)") \
	X(E_NVME_FLUSH_STATUS, -444, "the NVMe flush failed with an error status: the dump may not be durable") \
	X(E_NVME_LBA_RANGE, -445, "I/O beyond the end of the NVMe namespace refused (caller bug)") \
	X(E_NVME_PRP_ALIGN, -446, "a page address handed to the NVMe driver is not 4 KiB aligned (caller bug)") \
	X(E_NVME_IO_SIZE, -447, "I/O length is zero or not a multiple of the block size (caller bug)") \
	X(E_NVME_IO_FATAL, -448, "NVMe controller reported a fatal error (CSTS.CFS) during I/O: it was disabled") \
	X(E_NVME_SHUTDOWN_TIMEOUT, -449, "NVMe controller did not report shutdown complete (CSTS.SHST) in time: data was flushed before") \
	X(E_NVME_DELETE_QUEUE, -450, "NVMe Delete I/O Queue failed before shutdown (status logged above): shutting down anyway") \
	X(E_NVME_DEAD, -451, "the NVMe controller was disabled after an earlier error: no further I/O") \
	X(E_NVME_NS_LIST, -452, "NVMe Identify Active Namespace List failed: probing namespace IDs one by one") \
	X(E_NVME_MAP_DB, -453, "NVMe doorbell registers cannot be mapped (CAP.DSTRD puts them outside the physical address width?)") \
	X(E_NVME_GONE_LATER, -454, "NVMe controller stopped answering (CSTS reads all ones) while the stub drove it: surprise removal or link down") \
	X(E_NVME_NS_BAD_FORMAT, -455, "NVMe Identify Namespace names an LBA format the namespace does not have: namespace skipped") \
	X(E_VIRTIO_LEGACY_ONLY, -540, "virtio-blk device without virtio 1.x PCI capabilities (legacy only, I/O BAR): not supported, unused; give the VM a modern or transitional device") \
	X(E_VIRTIO_CAPS, -541, "virtio PCI capabilities malformed or one missing (common, notify, device config): device unused") \
	X(E_VIRTIO_MAP, -542, "virtio registers cannot be mapped (BAR unassigned, an I/O BAR, or overlapping RAM): device unused") \
	X(E_VIRTIO_GONE, -543, "virtio device does not answer (registers read all ones): removed, powered off or link down") \
	X(E_VIRTIO_RESET_TIMEOUT, -544, "virtio device did not finish its reset within 1 s (device_status stays non-zero): device unused") \
	X(E_VIRTIO_NO_VERSION_1, -545, "virtio device does not offer VIRTIO_F_VERSION_1 (legacy only): not supported, unused") \
	X(E_VIRTIO_FEATURES_OK, -546, "virtio device refused the stub's features (FEATURES_OK did not stick): device unused") \
	X(E_VIRTIO_RO, -547, "virtio-blk device is read-only (VIRTIO_BLK_F_RO): unused") \
	X(E_VIRTIO_QUEUE, -548, "virtio-blk request queue 0 is missing, still enabled after the reset, or smaller than 4 entries: device unused") \
	X(E_VIRTIO_NO_MEMORY, -549, "no DMA memory for the virtqueue: increase crashkernel=") \
	X(E_VIRTIO_SEG_LIMITS, -550, "virtio-blk size_max below 4 KiB or seg_max 0: not supported, unused") \
	X(E_VIRTIO_DRIVER_OK, -551, "virtio device set DEVICE_NEEDS_RESET or FAILED at DRIVER_OK: device unused") \
	X(E_VIRTIO_IO_TIMEOUT, -552, "virtio-blk I/O made no progress for 30 s: the device hangs; it was reset") \
	X(E_VIRTIO_USED_ID, -553, "virtio-blk used ring names a request not in flight: the device misbehaves; it was reset") \
	X(E_VIRTIO_WRITE_STATUS, -554, "a virtio-blk write failed (VIRTIO_BLK_S_IOERR or UNSUPP, sector logged above)") \
	X(E_VIRTIO_READ_STATUS, -555, "a virtio-blk read failed (VIRTIO_BLK_S_IOERR or UNSUPP, sector logged above)") \
	X(E_VIRTIO_FLUSH_STATUS, -556, "the virtio-blk flush failed: the dump may not be durable") \
	X(E_VIRTIO_LBA_RANGE, -557, "I/O beyond the end of the virtio-blk disk refused (caller bug)") \
	X(E_VIRTIO_ALIGN, -558, "a page address handed to the virtio-blk driver is not 4 KiB aligned (caller bug)") \
	X(E_VIRTIO_IO_SIZE, -559, "virtio-blk I/O length is zero or not a multiple of the block size (caller bug)") \
	X(E_VIRTIO_NEEDS_RESET, -560, "virtio device set DEVICE_NEEDS_RESET during I/O: it was reset") \
	X(E_VIRTIO_DEAD, -561, "the virtio-blk device was reset after an earlier error: no further I/O") \
	X(E_VIRTIO_BLK_SIZE, -563, "virtio-blk logical block size is neither 512 nor 4096 bytes: unused") \
	X(E_VIRTIO_SHUTDOWN_TIMEOUT, -564, "virtio device did not finish its reset at shutdown within 1 s: the data was flushed before") \
	X(E_STORAGE_TOO_MANY, -481, "more namespaces and disks than the storage table holds (1024): the rest are ignored") \
	X(E_STORAGE_TOO_MANY_CTRLS, -482, "more storage controllers than the storage table holds (256): the rest are unused") \
	X(E_AHCI_BAR, -700, "AHCI ABAR (BAR5) is unassigned or not a memory BAR: it was not set up by firmware or the crashed kernel") \
	X(E_AHCI_MAP, -701, "AHCI registers cannot be mapped (ABAR overlaps RAM or lies above the physical address width)") \
	X(E_AHCI_GONE, -702, "AHCI HBA does not answer (CAP reads all ones): removed, powered off or link down") \
	X(E_AHCI_NO_MEMORY, -703, "no DMA memory for AHCI command lists and tables: increase crashkernel=") \
	X(E_AHCI_DMA_HIGH, -704, "AHCI HBA cannot address 64 bits (CAP.S64A clear) and the DMA memory or a page lies above 4 GiB: put crashkernel= below 4 GiB") \
	X(E_AHCI_HANDOFF, -705, "the BIOS did not hand the AHCI HBA over (BOHC.BOS stays set): taking it anyway") \
	X(E_AHCI_PORT_STUCK, -706, "an AHCI port did not stop (PxCMD.CR or FR stays set) even after a COMRESET: port unused") \
	X(E_AHCI_LINK, -707, "no SATA link on an AHCI port after COMRESET (PxSSTS.DET is not 3): port unused") \
	X(E_AHCI_BUSY, -708, "the SATA device stays busy (PxTFD.BSY or DRQ) even after a COMRESET: port unused") \
	X(E_AHCI_IDENTIFY, -709, "ATA IDENTIFY DEVICE failed on an AHCI port (status logged above): disk unused") \
	X(E_AHCI_NO_LBA48, -710, "the SATA disk lacks DMA or 48-bit LBA: not supported, disk unused") \
	X(E_AHCI_SECTOR_SIZE, -711, "the SATA disk's logical sector size is neither 512 nor 4096 bytes: disk unused") \
	X(E_AHCI_NO_DISK, -712, "no ATA disk with a link on any port of the AHCI HBA") \
	X(E_AHCI_CMD_TIMEOUT, -713, "ATA IDENTIFY DEVICE did not complete within 10 s: the port was stopped, its disk unused") \
	X(E_AHCI_IO_TIMEOUT, -714, "AHCI I/O made no progress for 30 s: the disk hangs; the port was stopped") \
	X(E_AHCI_WRITE_TFE, -715, "a SATA write failed with a task file error (PxIS.TFES; status, error and LBA logged above)") \
	X(E_AHCI_READ_TFE, -716, "a SATA read failed with a task file error (PxIS.TFES; status, error and LBA logged above)") \
	X(E_AHCI_FLUSH_TFE, -717, "FLUSH CACHE EXT failed with a task file error: the dump may not be durable") \
	X(E_AHCI_HOST_ERROR, -718, "the AHCI HBA reported a host bus, data or interface error (PxIS.HBFS/HBDS/IFS): the port was stopped") \
	X(E_AHCI_LBA_RANGE, -719, "I/O beyond the end of the SATA disk refused (caller bug)") \
	X(E_AHCI_ALIGN, -720, "a page address handed to the AHCI driver is not 4 KiB aligned, or a buffer is not word aligned (caller bug)") \
	X(E_AHCI_IO_SIZE, -721, "I/O length is zero or not a multiple of the sector size (caller bug)") \
	X(E_AHCI_DEAD, -722, "the AHCI port was stopped after an earlier error: no further I/O") \
	X(E_AHCI_GONE_LATER, -724, "the AHCI HBA stopped answering (registers read all ones) while the stub drove it: surprise removal or link down") \
	X(E_AHCI_RECOVER, -725, "an AHCI port could not be restarted after a task file error: no further I/O on it") \
	X(E_DMAR_TRUNCATED, -600, "ACPI DMAR table shorter than its header or its length field: VT-d units unknown, left as they are") \
	X(E_DMAR_STRUCT, -601, "a DMAR remapping structure is shorter than its header or runs past the table: units after it unknown (firmware bug)") \
	X(E_DMAR_SCOPE, -602, "a DRHD device scope entry has a bad length (firmware bug): the unit is still turned off") \
	X(E_IVRS_TRUNCATED, -603, "ACPI IVRS table shorter than its header or its length field: AMD-Vi units unknown, left as they are") \
	X(E_IVRS_BLOCK, -604, "an IVRS block is shorter than its header or runs past the table: units after it unknown (firmware bug)") \
	X(E_IOMMU_TOO_MANY, -605, "more IOMMU units than the stub handles (16): the rest stay on, DMA through them may fault") \
	X(E_IOMMU_MAP, -606, "IOMMU registers cannot be mapped (base overlaps RAM or lies above the physical address width): the unit stays on") \
	X(E_IOMMU_GONE, -607, "IOMMU registers read all ones: the unit is absent or powered off; left alone") \
	X(E_VTD_PMR_TIMEOUT, -610, "VT-d protected memory regions did not turn off within 1 s (PMEN.PRS stays 1): DMA into them stays blocked") \
	X(E_VTD_TE_TIMEOUT, -611, "VT-d translation did not turn off within 1 s (GSTS.TES stays 1): the dump disk's DMA may fault; boot with intel_iommu=off to be safe") \
	X(E_VTD_IR_TIMEOUT, -612, "VT-d interrupt remapping did not turn off within 1 s (GSTS.IRES stays 1): left on with queued invalidation (the stub polls)") \
	X(E_VTD_QI_DRAIN, -613, "VT-d invalidation queue not drained within 1 s (IQH != IQT): queued invalidation left on") \
	X(E_VTD_QI_TIMEOUT, -614, "VT-d queued invalidation did not turn off within 1 s (GSTS.QIES stays 1)") \
	X(E_AMDVI_CMD_DRAIN, -615, "AMD-Vi command buffer not drained within 1 s (head != tail): turned off anyway") \
	X(E_AMDVI_CMD_TIMEOUT, -616, "AMD-Vi command buffer still running 1 s after CmdBufEn was cleared (status CmdBufRun)") \
	X(E_AMDVI_LOG_TIMEOUT, -617, "AMD-Vi event, PPR or GA log still running 1 s after it was turned off") \
	X(E_AMDVI_EN_STUCK, -618, "AMD-Vi IommuEn stays set after the stub cleared it: the dump disk's DMA may fault; boot with amd_iommu=off to be safe") \
	X(E_SCAN_LAYOUT, -800, "stub scan: the crashed kernel's VMCOREINFO lacks a struct page, page flag or mem_section key (or one is implausible): every RAM page is dumped") \
	X(E_SCAN_KERNEL, -801, "stub scan: the crashed kernel is not one whose struct page layout the stub knows (6.1, 6.12): every RAM page is dumped") \
	X(E_SCAN_PGTABLE, -802, "stub scan: the crashed kernel's page tables (init_top_pgt through phys_base) are not in its RAM: every RAM page is dumped") \
	X(E_SCAN_SECTIONS, -803, "stub scan: no memory section of the crashed kernel could be read (mem_section pointer outside its RAM): every RAM page is dumped") \
	X(E_SCAN_OPTION, -804, "bmdump.scan= must be stub, hook or auto: the default (auto) applies") \
	X(E_SCAN_MEMORY, -805, "stub scan: no room in the crashkernel region for its bitmap (one bit per page of RAM): bmdump.ko's bitmap or every RAM page is used; reserve a larger crashkernel") \
	X(E_SCAN_LEVEL, -806, "bmdump.level= must be 0-31 (makedumpfile -d bits): the stub's scan keeps level 31") \
	X(E_ST_NO_UUID, -900, "self-test: no area UUID (bmdump.area=) in the load options or \\EFI\\bmdump\\selftest.conf: run bmdump selftest on the host") \
	X(E_ST_RELEASE, -901, "self-test: the firmware would not release a storage controller (DisconnectController failed): nothing tested, nothing written") \
	X(E_ST_NO_TAIL, -902, "self-test: the area has no self-test region at its end (prepared by an older bmdump): re-run bmdump prepare after saving any dump; nothing written") \
	X(E_ST_VERIFY, -903, "self-test: data read back from the scratch region differs from what was written: this disk path corrupts dumps") \
	X(E_ST_NO_MEMORY, -904, "self-test: the firmware gave no memory for the test buffers") \
	X(E_WB_UNAVAILABLE, -1000, "bmdump.final=boot: a stub older than the warm boot cannot start the staged kernel: it resets instead (update bmdump and re-run bmdump load, or set FINAL_ACTION=reset)") \
	X(E_WB_TRUNCATED, -1001, "warm boot: the staged kernel is shorter than its setup header says: not a bzImage; check BOOT_KERNEL and re-run bmdump load (reset instead)") \
	X(E_WB_BOOT_FLAG, -1002, "warm boot: the staged kernel lacks the 0xAA55 boot flag: not a bzImage; check BOOT_KERNEL and re-run bmdump load (reset instead)") \
	X(E_WB_HDRS, -1003, "warm boot: the staged kernel has no HdrS setup header: not a bzImage; check BOOT_KERNEL and re-run bmdump load (reset instead)") \
	X(E_WB_PROTOCOL, -1004, "warm boot: the staged kernel's boot protocol is older than 2.12: stage a newer kernel (reset instead)") \
	X(E_WB_NOT_64, -1005, "warm boot: the staged kernel has no 64-bit entry (XLF_KERNEL_64 clear): stage an x86-64 kernel (reset instead)") \
	X(E_WB_NOT_RELOCATABLE, -1006, "warm boot: the staged kernel is not relocatable (CONFIG_RELOCATABLE off): stage a relocatable kernel (reset instead)") \
	X(E_WB_ALIGN, -1007, "warm boot: the staged kernel's kernel_alignment is not a power of two of at least 4 KiB: corrupt or unsupported kernel (reset instead)") \
	X(E_WB_SETUP_SECTS, -1008, "warm boot: the staged kernel's setup_sects puts its 64-bit code past the image end: corrupt kernel, re-run bmdump load (reset instead)") \
	X(E_WB_INIT_SIZE, -1009, "warm boot: the staged kernel's init_size is smaller than its own code: corrupt kernel, re-run bmdump load (reset instead)") \
	X(E_WB_CMDLINE_SIZE, -1010, "warm boot: the command line is longer than the staged kernel accepts (cmdline_size): shorten BOOT_CMDLINE (reset instead)") \
	X(E_WB_NO_ROOM_KERNEL, -1020, "warm boot: no free RAM range of the crashed kernel is large enough for the new kernel's init_size (reset instead)") \
	X(E_WB_NO_ROOM_INITRD, -1021, "warm boot: no free RAM below the kernel's initrd limit is large enough for the initrd: use a smaller initramfs (MODULES=dep) (reset instead)") \
	X(E_WB_TOO_MANY_RANGES, -1022, "warm boot: more reserved ranges than the placement handles (a stub bug: report it) (reset instead)") \
	X(E_WB_E820_FULL, -1030, "warm boot: the memory map has more than 128 entries, more than boot_params holds (reset instead)") \
	X(E_WB_E820_EMPTY, -1031, "warm boot: the memory map for the new kernel has no RAM (reset instead)") \
	X(E_WB_NO_DUMP, -1040, "warm boot: no dump was written (no area, or the write failed), so the boot set was not read: reset instead, see the errors above") \
	X(E_WB_NO_SLOT, -1041, "warm boot: the dump area has no boot slot: re-run bmdump prepare with --boot-slot after saving any dump, then bmdump load (reset instead)") \
	X(E_WB_SET_MAGIC, -1042, "warm boot: no boot set staged in the area's boot slot: run bmdump load with FINAL_ACTION=boot (reset instead)") \
	X(E_WB_SET_VERSION, -1043, "warm boot: the staged boot set has an unknown version: update bmdump and re-run bmdump load (reset instead)") \
	X(E_WB_SET_SIZE, -1044, "warm boot: the boot set header's size or flags are wrong: re-run bmdump load (reset instead)") \
	X(E_WB_SET_CRC, -1045, "warm boot: the boot set header's CRC does not match: corrupt, re-run bmdump load (reset instead)") \
	X(E_WB_SET_UUID, -1046, "warm boot: the boot set was staged for another area (copied disk?): re-run bmdump load (reset instead)") \
	X(E_WB_SET_BOUNDS, -1047, "warm boot: the boot set's kernel, initrd or command line lies outside the boot slot: re-run bmdump load (reset instead)") \
	X(E_WB_SET_OVERLAP, -1048, "warm boot: the boot set's kernel, initrd and command line overlap: re-run bmdump load (reset instead)") \
	X(E_WB_SET_CMDLINE, -1049, "warm boot: the boot set's command line is too long: shorten BOOT_CMDLINE, re-run bmdump load (reset instead)") \
	X(E_WB_KERNEL_CRC, -1050, "warm boot: the staged kernel read back does not match its CRC32C: corrupt on disk, re-run bmdump load (reset instead)") \
	X(E_WB_INITRD_CRC, -1051, "warm boot: the staged initrd read back does not match its CRC32C: corrupt on disk, re-run bmdump load (reset instead)") \
	X(E_WB_CMDLINE_CRC, -1052, "warm boot: the staged command line read back does not match its CRC32C: corrupt on disk, re-run bmdump load (reset instead)") \
	X(E_WB_READ_HEADER, -1053, "warm boot: reading the boot set header from the dump disk failed (see the driver's error above) (reset instead)") \
	X(E_WB_READ_KERNEL, -1054, "warm boot: reading the staged kernel from the dump disk failed (see the driver's error above) (reset instead)") \
	X(E_WB_READ_INITRD, -1055, "warm boot: reading the staged initrd from the dump disk failed (see the driver's error above) (reset instead)") \
	X(E_WB_READ_CMDLINE, -1056, "warm boot: reading the staged command line from the dump disk failed (see the driver's error above) (reset instead)") \
	X(E_WB_NO_BUFFER, -1057, "warm boot: no crashkernel memory left for the boot set header and command line buffers: raise crashkernel= (reset instead)") \
	X(E_WB_KERNEL_FILE, -1058, "warm boot: the staged kernel file is larger than the memory it asks for (init_size): corrupt or unsupported kernel (reset instead)") \
	X(E_WB_MAP_FULL, -1059, "warm boot: the crashed kernel's RAM and the stub's memory map give more ranges than the stub handles (reset instead)") \
	X(E_WB_CMDLINE_ROOM, -1060, "warm boot: the command line with bmdump.warmboot=1 appended is too long: shorten BOOT_CMDLINE (reset instead)") \
	X(E_WB_LOW_MAP, -1061, "warm boot: the low 1 MiB the new kernel's startup code uses could not be mapped (reset instead)") \
	X(E_WB_KERNEL_CHANGED, -1062, "warm boot: the staged kernel's setup header in the whole file differs from its first page read before: the disk returned other data the second time (reset instead)") \
	X(E_WB_FAULT_AFTER, -1063, "warm boot: the stub failed after the boot set was placed, or the staged kernel faulted in its first instructions (error above): resetting instead of entering it (again)") \
	X(E_WB_CMDLINE_BYTES, -1090, "warm boot: the staged command line holds a NUL byte or leaves a quote open, so the words the stub adds would be lost: fix BOOT_CMDLINE, re-run bmdump load (reset instead)") \
	X(E_WB_EFI_SIG, -1064, "warm boot: the loader's efi_info is not a 64-bit EFI's (no \"EL64\" signature): the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_SYSTAB, -1065, "warm boot: the loader's efi_info has no EFI system table: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_VERSION, -1066, "warm boot: the EFI memory map has an unknown descriptor version: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_DESC_SIZE, -1067, "warm boot: the EFI memory map's descriptor size is implausible: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_MAP_SIZE, -1068, "warm boot: the EFI memory map is empty, not whole descriptors or longer than 512: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_MAP_READ, -1069, "warm boot: the EFI memory map kexec passed lies outside the stub's memory: the new kernel boots without EFI runtime services (reload the stub with kexec -p)") \
	X(E_WB_EFI_NO_SETUP, -1070, "warm boot: kexec passed no setup_data SETUP_EFI (the first kernel's EFI runtime addresses): the new kernel boots without EFI runtime services (use a kexec-tools that passes it, or kexec -s)") \
	X(E_WB_EFI_SETUP_LEN, -1071, "warm boot: the setup_data SETUP_EFI node is shorter than struct efi_setup_data: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_SETUP_READ, -1072, "warm boot: the setup_data SETUP_EFI payload lies outside the stub's memory: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_SETUP_DATA, -1073, "warm boot: setup_data SETUP_EFI has no firmware vendor or configuration table address: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_DESC, -1074, "warm boot: an EFI memory map descriptor is not a page-aligned runtime region: corrupt map, the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_DESC_RAM, -1075, "warm boot: an EFI runtime region overlaps the crashkernel region the stub runs in: corrupt map, the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_SYSTAB_MAP, -1076, "warm boot: the EFI system table lies in no EFI runtime region of the map: the new kernel boots without EFI runtime services") \
	X(E_WB_EFI_NO_BUFFER, -1077, "warm boot: no crashkernel memory left for the EFI memory map copy: the new kernel boots without EFI runtime services (raise crashkernel=)") \
	X(E_WB_EFI_ROOM, -1078, "warm boot: the EFI hand-over does not fit its buffer (a stub bug: report it): the new kernel boots without EFI runtime services") \
	X(E_NVME_IO_DEADLINE, -1100, "NVMe I/O still in flight when the capture deadline (bmdump.deadline=) passed: the controller stopped completing commands or is too slow; it was disabled") \
	X(E_NVME_ADMIN_DEADLINE, -1101, "an NVMe admin command was still pending when the capture deadline (bmdump.deadline=) passed: the controller hangs or the deadline is too short") \
	X(E_VIRTIO_RESET_DEADLINE, -1102, "virtio device was still resetting when the capture deadline (bmdump.deadline=) passed: device unused") \
	X(E_VIRTIO_IO_DEADLINE, -1103, "virtio-blk I/O still in flight when the capture deadline (bmdump.deadline=) passed: the device stopped completing requests or is too slow; it was reset") \
	X(E_AHCI_IO_DEADLINE, -1104, "AHCI I/O still in flight when the capture deadline (bmdump.deadline=) passed: the disk stopped completing commands or is too slow; the port was stopped") \
	X(E_SMP_OPTION, -1200, "bmdump.smp= must be 0 (the stub scans on one CPU) or 1 (on every CPU); the default (1) applies") \
	X(E_SMP_NO_MADT, -1201, "no CPU list (ACPI MADT): the stub scans on one CPU") \
	X(E_SMP_APIC_OFF, -1202, "the local APIC is off (IA32_APIC_BASE): the stub cannot start the other CPUs and scans on one") \
	X(E_SMP_NO_LOW_PAGE, -1203, "no 4 KiB page of RAM below 640 KiB for the other CPUs' real-mode start: the stub scans on one CPU") \
	X(E_SMP_CR3_HIGH, -1204, "the stub's page tables lie above 4 GiB, out of reach of a starting CPU: the stub scans on one CPU (a crashkernel= region below 4 GiB lifts this)") \
	X(E_SMP_NO_MEMORY, -1205, "no room in the crashkernel region for the other CPUs' stacks: the stub scans on one CPU (a larger crashkernel= lifts this)") \
	X(E_SMP_ICR_BUSY, -1206, "the local APIC did not send an INIT or SIPI in time (ICR busy): that CPU is left out") \
	X(E_SMP_NO_ANSWER, -1207, "a CPU did not answer INIT-SIPI-SIPI in time: it is left out (stopped with INIT)") \
	X(E_SMP_X2APIC_ID, -1208, "a CPU's APIC ID does not fit the xAPIC mode the crashed kernel left: that CPU is left out") \
	X(E_SMP_BSP, -1209, "the stub runs on an application processor: the boot CPU (bmdump.bsp=, else the first enabled CPU of the MADT) is left out, as INIT would restart it in the firmware") \
	X(E_SMP_JOIN, -1210, "a CPU did not finish its share of the scan in time: it was stopped (INIT) and the stub's CPU scanned that share again") \
	X(E_SMP_BSP_OPTION, -1211, "bmdump.bsp= must be the APIC ID of the crashed kernel's CPU 0 (a decimal number below 2^32, as bmdump load writes it): the stub takes the first enabled CPU of the ACPI MADT as the boot CPU instead (reload with bmdump load)") \
	X(E_SMP_UP_TIME, -1212, "starting the other CPUs took longer than its one bound (2 s for all): the CPUs not started by then are left out (they stay stopped)") \
	X(E_DUMP_ZC_JOIN, -1213, "a CPU did not finish its share of the zero-page check of a cut dump's plan in time: it was stopped (INIT) and the stub's CPU counted that share again")

enum stub_error {
#define STUB_ERROR_ENUM(name, code, msg) name = code,
	STUB_ERRORS(STUB_ERROR_ENUM)
#undef STUB_ERROR_ENUM
};

const char *stub_strerror(int code);

#endif /* BMDUMP_ERRORS_H */
