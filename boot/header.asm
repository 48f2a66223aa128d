; SPDX-License-Identifier: GPL-2.0
;
; The real-mode part of bmdump.bzImage: boot sector and setup header of the
; Linux x86 boot protocol (Documentation/arch/x86/boot.rst), nothing else.
; kexec-tools and the kernel's kexec_file_load read this header, load the
; protected-mode part that follows at a 2 MiB aligned address inside the
; crashkernel region, and enter it at +0x200 in 64-bit mode with RSI
; pointing at boot_params.  No real-mode code is ever run.
;
; Assembled with -f bin; the Makefile passes the sizes of the linked
; protected-mode part:
;   PM_FILE_SIZE  bytes of the flat protected-mode image
;   PM_INIT_SIZE  bytes it needs in memory, incl. bss and stacks, 4K aligned

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
KERNEL_ALIGNMENT	equ 0x200000
; kexec_file_load needs room for the user's command line plus 30 bytes of
; "elfcorehdr=0x... ", kexec-tools caps the whole line at 2048.
CMDLINE_SIZE		equ 2047

	bits 16
	org 0

	; A PC BIOS never boots this; say so if one tries.
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
xloadflags:		dw XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_5LEVEL ; 0x236
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

%if (setup_code - jump - 2) < 0x6a
%error "jump offset at 0x201 too small for kexec-tools to copy init_size"
%endif

	times (SETUP_SECTS + 1) * 512 - ($ - $$) db 0
