; SPDX-License-Identifier: GPL-2.0
;
; The real-mode part of bmdump.bzImage: boot sector and setup header of the
; Linux x86 boot protocol (Documentation/arch/x86/boot.rst), plus a PE/COFF
; header so that the file is also a PE32+ image, as Linux's EFI-stub
; bzImage is: sbsign and pesign sign it, and kexec_file_load checks that
; signature (verify_pefile_signature()) under lockdown.
; kexec-tools and the kernel's kexec_file_load read the setup header, load
; the protected-mode part that follows at a 2 MiB aligned address inside
; the crashkernel region, and enter it at +0x200 in 64-bit mode with RSI
; pointing at boot_params.  No real-mode code is ever run.
;
; Assembled with -f bin; the Makefile passes the sizes of the linked
; protected-mode part:
;   PM_FILE_SIZE  bytes of the flat protected-mode image, padded to 512
;   PM_INIT_SIZE  bytes it needs in memory, incl. bss and stacks, 4K aligned
;
; PE layout (file offset == RVA, both aligned to PE_ALIGN):
;   [0, 0x200)             headers: MZ, PE, optional header, section table,
;                          and the start of the setup header at 0x1f1
;   .setup [0x200, 0xe00)  the rest of the setup sectors
;   .reloc [0xe00, 0x1000) an empty base relocation block
;   .text  [0x1000, ...)   the protected-mode image; its bss is virtual
; The sections cover the file from SizeOfHeaders to its end without a gap,
; which is what both the Authenticode digest of sbsign and the kernel's
; pefile_digest_pe_contents() assume.  The signature (certificate table)
; is appended after .text; the boot loaders load it as part of the
; protected-mode image, into memory the stub's bss then covers.

%ifndef PM_FILE_SIZE
%error "PM_FILE_SIZE not defined"
%endif
%ifndef PM_INIT_SIZE
%error "PM_INIT_SIZE not defined"
%endif

SETUP_SECTS		equ 7		; OVMF's legacy loader wants >= 4 KiB
BOOT_FLAG		equ 0xAA55
HDRS_MAGIC		equ 0x53726448	; "HdrS"
BOOT_PROTOCOL		equ 0x020F
LOADFLAG_LOADED_HIGH	equ 0x01
XLF_KERNEL_64		equ 0x01
XLF_CAN_BE_LOADED_ABOVE_4G equ 0x02
; The stub keeps CR4.LA57 as it finds it and builds 5-level tables then;
; kexec_file_load refuses images without this bit on a 5-level kernel.
XLF_5LEVEL		equ 0x20
; "Understands efi_info and setup_data SETUP_EFI after kexec": without it
; kexec-tools zeroes efi_info and passes no EFI runtime map, and the warm
; boot (bmdump.final=boot) has no EFI to hand on to the next kernel.
XLF_EFI_KEXEC		equ 0x10
XLOADFLAGS		equ XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | \
			    XLF_5LEVEL | XLF_EFI_KEXEC
KERNEL_ALIGNMENT	equ 0x200000
; kexec_file_load needs room for the user's command line plus 30 bytes of
; "elfcorehdr=0x... ", kexec-tools caps the whole line at 2048.
CMDLINE_SIZE		equ 2047

SETUP_SIZE		equ (SETUP_SECTS + 1) * 512

; PE/COFF (Microsoft PE format specification; include/linux/pe.h)
MZ_MAGIC		equ 0x5a4d
PE_MAGIC		equ 0x00004550	; "PE\0\0"
PE_ALIGN		equ 0x200	; SectionAlignment == FileAlignment
IMAGE_FILE_MACHINE_AMD64 equ 0x8664
IMAGE_FILE_EXECUTABLE_IMAGE equ 0x0002
IMAGE_FILE_LINE_NUMS_STRIPPED equ 0x0004
IMAGE_FILE_LARGE_ADDRESS_AWARE equ 0x0020
IMAGE_FILE_DEBUG_STRIPPED equ 0x0200
PE_OPT_MAGIC_PE32PLUS	equ 0x020b
IMAGE_SUBSYSTEM_EFI_APPLICATION equ 10
IMAGE_SCN_CNT_CODE	equ 0x00000020
IMAGE_SCN_CNT_INITIALIZED_DATA equ 0x00000040
IMAGE_SCN_MEM_DISCARDABLE equ 0x02000000
IMAGE_SCN_MEM_EXECUTE	equ 0x20000000
IMAGE_SCN_MEM_READ	equ 0x40000000
IMAGE_SCN_MEM_WRITE	equ 0x80000000
; Data directory entries up to the base relocation table (index 5): the
; certificate table (index 4) is the one sbsign fills in.
PE_DATA_DIRS		equ 6
PE_HEADERS_SIZE		equ 0x200
RELOC_OFFSET		equ SETUP_SIZE - PE_ALIGN
EFI_UNSUPPORTED_HI	equ 0x80000000	; EFI_UNSUPPORTED = 1 << 63 | 3

%if PM_FILE_SIZE % PE_ALIGN
%error "PM_FILE_SIZE must be a multiple of the PE file alignment"
%endif
%if PM_FILE_SIZE > PM_INIT_SIZE
%error "PM_INIT_SIZE smaller than the file"
%endif

; One section header: name, VirtualSize, VirtualAddress, SizeOfRawData,
; characteristics; PointerToRawData == VirtualAddress.
%macro section_header 5
	db %1
	times 8 - %strlen(%1) db 0
	dd %2, %3, %4, %3		; file offset == RVA
	dd 0, 0				; relocations, line numbers
	dw 0, 0
	dd %5
%endmacro

	bits 16
	org 0

mz_header:
	dw MZ_MAGIC
	; A PC BIOS never boots this and no DOS runs it.
	times 0x3c - ($ - $$) db 0
	dd pe_header					; 0x3c: e_lfanew

pe_header:
	dd PE_MAGIC
coff_header:
	dw IMAGE_FILE_MACHINE_AMD64
	dw (section_table_end - section_table) / 40	; NumberOfSections
	dd 0						; TimeDateStamp
	dd 0, 0						; no symbols
	dw section_table - optional_header		; SizeOfOptionalHeader
	dw IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LINE_NUMS_STRIPPED | \
	   IMAGE_FILE_LARGE_ADDRESS_AWARE | IMAGE_FILE_DEBUG_STRIPPED

optional_header:
	dw PE_OPT_MAGIC_PE32PLUS
	db 0, 0						; linker version
	dd PM_FILE_SIZE + RELOC_OFFSET - PE_HEADERS_SIZE ; SizeOfCode
	dd PE_ALIGN					; SizeOfInitializedData
	dd PM_INIT_SIZE - PM_FILE_SIZE			; SizeOfUninitializedData
	dd efi_entry					; AddressOfEntryPoint
	dd PE_HEADERS_SIZE				; BaseOfCode
	dq 0						; ImageBase
	dd PE_ALIGN					; SectionAlignment
	dd PE_ALIGN					; FileAlignment
	dw 0, 0, 0, 0, 0, 0				; OS, image, subsystem vers.
	dd 0						; Win32VersionValue
	dd SETUP_SIZE + PM_INIT_SIZE			; SizeOfImage
	dd PE_HEADERS_SIZE				; SizeOfHeaders
	dd 0						; CheckSum: unchecked
	dw IMAGE_SUBSYSTEM_EFI_APPLICATION
	dw 0						; DllCharacteristics
	dq 0, 0, 0, 0					; stack and heap sizes
	dd 0						; LoaderFlags
	dd PE_DATA_DIRS					; NumberOfRvaAndSizes
data_directories:
	dq 0, 0, 0, 0					; export .. exception
	dd 0, 0						; certificate table: sbsign
	dd reloc_block, reloc_block_end - reloc_block	; base relocations
section_table:
	section_header ".setup", RELOC_OFFSET - PE_HEADERS_SIZE, \
		PE_HEADERS_SIZE, RELOC_OFFSET - PE_HEADERS_SIZE, \
		IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ
	section_header ".reloc", PE_ALIGN, RELOC_OFFSET, PE_ALIGN, \
		IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | \
		IMAGE_SCN_MEM_DISCARDABLE
	section_header ".text", PM_INIT_SIZE, SETUP_SIZE, PM_FILE_SIZE, \
		IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | \
		IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE
section_table_end:

	; NASM refuses a negative count: the PE headers must end before the
	; setup header.
	times 0x1f1 - ($ - $$) db 0

hdr:
setup_sects:		db SETUP_SECTS			; 0x1f1
root_flags:		dw 0				; 0x1f2
syssize:		dd (PM_FILE_SIZE + 15) / 16	; 0x1f4
ram_size:		dw 0				; 0x1f8
vid_mode:		dw 0xffff			; 0x1fa
root_dev:		dw 0				; 0x1fc
boot_flag:		dw BOOT_FLAG			; 0x1fe
	; 0x200: a two-byte jump over the header.  kexec-tools copies
	; min(0x7f, byte[0x201] + 0x11) header bytes starting at 0x1f1; the
	; byte must be >= 0x6a for init_size (0x260) to be among them.
jump:			db 0xeb, setup_code - ($ + 2)	; 0x200
header:			dd HDRS_MAGIC			; 0x202
version:		dw BOOT_PROTOCOL		; 0x206
realmode_swtch:		dd 0				; 0x208
start_sys_seg:		dw 0				; 0x20c
kernel_version:		dw 0				; 0x20e
type_of_loader:		db 0				; 0x210
loadflags:		db LOADFLAG_LOADED_HIGH		; 0x211
setup_move_size:	dw 0				; 0x212
code32_start:		dd 0x100000			; 0x214
ramdisk_image:		dd 0				; 0x218
ramdisk_size:		dd 0				; 0x21c
bootsect_kludge:	dd 0				; 0x220
heap_end_ptr:		dw 0				; 0x224
ext_loader_ver:		db 0				; 0x226
ext_loader_type:	db 0				; 0x227
cmd_line_ptr:		dd 0				; 0x228
initrd_addr_max:	dd 0x7fffffff			; 0x22c
kernel_alignment:	dd KERNEL_ALIGNMENT		; 0x230
relocatable_kernel:	db 1				; 0x234
min_alignment:		db 12				; 0x235
xloadflags:		dw XLOADFLAGS			; 0x236
cmdline_size:		dd CMDLINE_SIZE			; 0x238
hardware_subarch:	dd 0				; 0x23c
hardware_subarch_data:	dq 0				; 0x240
payload_offset:		dd 0				; 0x248
payload_length:		dd 0				; 0x24c
setup_data:		dq 0				; 0x250
pref_address:		dq 0x100000 			; 0x258
init_size:		dd PM_INIT_SIZE			; 0x260
handover_offset:	dd 0				; 0x264
kernel_info_offset:	dd 0				; 0x268

setup_code:
	; Real mode is never entered by kexec; halt if anything tries.
	cli
.halt:	hlt
	jmp .halt

	; A UEFI firmware or shim that is handed this PE image runs this:
	; the stub is no EFI application, so say EFI_UNSUPPORTED.
	bits 64
efi_entry:
	mov rax, (EFI_UNSUPPORTED_HI << 32) | 3
	ret
	bits 16

%if (setup_code - jump - 2) < 0x6a
%error "jump offset at 0x201 too small for kexec-tools to copy init_size"
%endif

	times RELOC_OFFSET - ($ - $$) db 0

	; A base relocation block without relocations: the image has no
	; absolute address (see the Makefile's two-base link), but PE
	; loaders and tools expect the table to be there.
reloc_block:
	dd 0						; PageRVA
	dd reloc_block_end - reloc_block		; BlockSize
	dw 0, 0						; IMAGE_REL_BASED_ABSOLUTE
reloc_block_end:

	times SETUP_SIZE - ($ - $$) db 0
