; SPDX-License-Identifier: GPL-2.0
;
; The protected-mode part of bmdump.bzImage starts here (load address + 0).
; kexec (both syscalls) enters at +0x200 in 64-bit mode: RSI = boot_params,
; IF = 0, IDTR limit 0 (any exception would triple-fault), GDT and stack
; inside purgatory, CR4 = PAE (+ LA57), RAM identity mapped, MMIO not.
;
; The code is position independent: RIP-relative addressing only, no
; absolute addresses stored anywhere.  The Makefile links the image at two
; addresses and refuses to build if the two flat binaries differ.

	bits 64
	default rel

%define GDT_CODE64	0x08
%define GDT_DATA	0x10
%define GDT_TSS		0x18

%define CR0_MP		(1 << 1)
%define CR0_EM		(1 << 2)
%define CR4_OSFXSR	(1 << 9)
%define CR4_OSXMMEXCPT	(1 << 10)

; Interrupt stack table slots (the TSS's IST1..3)
%define IST_DF		1
%define IST_NMI		2
%define IST_MC		3

%define IDT_GATE_INTR	0x8e		; present, DPL 0, 64-bit interrupt gate
%define ISR_STUB_BYTES	16

	extern stub_main
	extern fault_entry
	extern __bss_start
	extern __bss_end

	global _start
	global entry_state
	global stack_top
	global idt_load

section .text.head progbits alloc exec nowrite align=16

_start:
	; +0: 32-bit entry.  Only reached when a loader did not recognise the
	; image as a 64-bit bzImage (kexec-tools falls back to its i386 loader
	; on a bad header) or a firmware loader jumped here.  Say why, stop.
	bits 32
	cli
	call .here
.here:	pop ebx
	lea esi, [ebx + (msg32 - .here)]
	mov dx, 0x3f8
.next:	lodsb
	test al, al
	jz .stop
	out dx, al
	jmp .next
.stop:	hlt
	jmp .stop
msg32:	db "bmdump: entered in 32-bit mode: load bmdump.bzImage with kexec -p "
	db "as a 64-bit bzImage", 13, 10, 0

	bits 64
	times 0x200 - ($ - _start) db 0xcc

startup_64:
	; +0x200: the kexec entry point.
	cli
	cld
	mov r12, rsi			; boot_params
	mov r13, rsp			; purgatory's stack
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov r14, rax			; entry TSC
	mov r15, cr3			; kexec's identity page tables

	; Zero .bss (the loaders zero-fill it too; do not rely on it).
	lea rdi, [__bss_start]
	lea rcx, [__bss_end]
	sub rcx, rdi
	xor eax, eax
	rep stosb

	lea rsp, [stack_top]

	; Record what the C code needs to know about the handover.
	lea rbx, [entry_state]
	mov [rbx + ES_BOOT_PARAMS], r12
	mov [rbx + ES_ENTRY_RSP], r13
	mov [rbx + ES_ENTRY_TSC], r14
	mov [rbx + ES_ENTRY_CR3], r15
	sgdt [rbx + ES_ENTRY_GDTR]
	lea rax, [_start]
	mov [rbx + ES_LOAD_ADDR], rax
	mov rax, cr4
	mov [rbx + ES_ENTRY_CR4], rax

	; Our own GDT, with a TSS so that #DF, NMI and #MC run on stacks of
	; their own (a stack overflow must still produce a report).
	lea rax, [tss]
	lea rdx, [ist_df_top]
	mov [rax + TSS_IST1], rdx
	lea rdx, [ist_nmi_top]
	mov [rax + TSS_IST2], rdx
	lea rdx, [ist_mc_top]
	mov [rax + TSS_IST3], rdx
	mov word [rax + TSS_IOMAP], TSS_SIZE

	lea rdi, [gdt + GDT_TSS]
	mov word [rdi + 0], TSS_SIZE - 1	; limit 15:0
	mov [rdi + 2], ax			; base 15:0
	mov rdx, rax
	shr rdx, 16
	mov [rdi + 4], dl			; base 23:16
	mov byte [rdi + 5], 0x89		; present, 64-bit TSS (available)
	mov byte [rdi + 6], 0			; limit 19:16, flags
	mov [rdi + 7], dh			; base 31:24
	shr rdx, 16
	mov [rdi + 8], edx			; base 63:32
	mov dword [rdi + 12], 0

	lea rax, [gdt]
	mov [gdt_ptr + 2], rax
	lgdt [gdt_ptr]
	lea rax, [.reload_cs]
	push GDT_CODE64
	push rax
	o64 retf
.reload_cs:
	mov eax, GDT_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax
	mov eax, GDT_TSS
	ltr ax

	; IDT: one 16-byte stub per vector, all routed to fault_entry.
	lea rdi, [idt]
	lea rsi, [isr_stubs]
	xor ecx, ecx
.gate:	mov rax, rsi
	mov [rdi + 0], ax			; offset 15:0
	mov word [rdi + 2], GDT_CODE64
	xor edx, edx
	cmp ecx, 2
	jne .not_nmi
	mov edx, IST_NMI
.not_nmi:
	cmp ecx, 8
	jne .not_df
	mov edx, IST_DF
.not_df:
	cmp ecx, 18
	jne .not_mc
	mov edx, IST_MC
.not_mc:
	mov [rdi + 4], dl			; IST index
	mov byte [rdi + 5], IDT_GATE_INTR
	shr rax, 16
	mov [rdi + 6], ax			; offset 31:16
	shr rax, 16
	mov [rdi + 8], eax			; offset 63:32
	mov dword [rdi + 12], 0
	add rdi, 16
	add rsi, ISR_STUB_BYTES
	inc ecx
	cmp ecx, 256
	jne .gate
	lea rax, [idt]
	mov [idt_ptr + 2], rax
	lidt [idt_ptr]

	; SSE on (purgatory leaves OSFXSR clear, so SSE would #UD).  LA57
	; is left exactly as the crashed kernel had it.
	mov rax, cr0
	and rax, ~CR0_EM
	or rax, CR0_MP
	mov cr0, rax
	mov rax, cr4
	or rax, CR4_OSFXSR | CR4_OSXMMEXCPT
	mov cr4, rax

	lea rdi, [entry_state]
	call stub_main
	; stub_main never returns; if it does, stop hard.
	ud2

; Reload our IDT (the reset path uses a zero-limit IDT to force a triple
; fault as the very last resort).
idt_load:
	lidt [idt_ptr]
	ret

; --- exception entry ------------------------------------------------------
; Vectors that push an error code: 8, 10-14, 17, 21, 29, 30.
%macro ISR_STUB 1
	times (isr_stubs + %1 * ISR_STUB_BYTES) - $ db 0xcc
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
	nop
	nop
%else
	push 0
%endif
	push qword %1
	jmp isr_common
%endmacro

	align ISR_STUB_BYTES
isr_stubs:
%assign vec 0
%rep 256
	ISR_STUB vec
%assign vec vec + 1
%endrep
	times (isr_stubs + 256 * ISR_STUB_BYTES) - $ db 0xcc

; Frame layout shared with struct fault_frame in stub/fault.h.
isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call fault_entry		; returns only for vectors it tolerates
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16			; vector, error code
	iretq

; --- data -----------------------------------------------------------------
section .data
	align 16
gdt:
	dq 0				; null
	dq 0x00af9a000000ffff		; 0x08: 64-bit code, DPL 0
	dq 0x00cf92000000ffff		; 0x10: data
	dq 0, 0				; 0x18: TSS, filled in at entry
gdt_end:
	align 8
	dw 0, 0, 0
gdt_ptr:
	dw gdt_end - gdt - 1
	dq 0				; base, filled in at entry
	align 8
	dw 0, 0, 0
idt_ptr:
	dw 256 * 16 - 1
	dq 0

; struct entry_state in stub/stub.h
ES_BOOT_PARAMS	equ 0
ES_ENTRY_RSP	equ 8
ES_ENTRY_TSC	equ 16
ES_ENTRY_CR3	equ 24
ES_ENTRY_CR4	equ 32
ES_LOAD_ADDR	equ 40
ES_ENTRY_GDTR	equ 48		; 10 bytes: limit, base
ES_SIZE		equ 64

TSS_IST1	equ 36
TSS_IST2	equ 44
TSS_IST3	equ 52
TSS_IOMAP	equ 102
TSS_SIZE	equ 104

section .bss
	alignb 4096
idt:		resb 256 * 16
entry_state:	resb ES_SIZE
	alignb 16
tss:		resb TSS_SIZE
	alignb 16
		resb 4096
ist_df_top:
		resb 4096
ist_nmi_top:
		resb 4096
ist_mc_top:
	alignb 16
		resb 32768
stack_top:

; --- the other CPUs' way in (stub/smp.c) -----------------------------------
;
; stub/smp.c copies trampoline_start..trampoline_end to a 4 KiB page below
; 1 MiB, fills the parameter block at TP_* (offsets mirrored in stub/smp.h)
; and sends INIT-SIPI-SIPI: the CPU starts at the page's first byte in real
; mode, CS = page >> 4.  It takes the trampoline's GDT to 32-bit protected
; mode, turns on PAE (and LA57 as the stub runs), the stub's CR3 (below
; 4 GiB: 32-bit mode loads 32 bits), EFER.LME and paging, jumps to 64-bit
; code, loads the stub's GDT and IDT and enters smp_ap_entry(arg) on its own
; stack.  The code uses no absolute address of its own: smp.c writes the
; far pointers and the GDT base, which depend on the page.

%define TP_GDTR		0xf00	; limit, 32-bit base: the trampoline's GDT
%define TP_JMP32	0xf08	; far pointer: 32-bit offset, selector
%define TP_JMP64	0xf10	; far pointer: 32-bit offset, selector
%define TP_CR3		0xf18	; 32 bits
%define TP_CR4		0xf1c	; 32 bits: PAE, LA57
%define TP_EFER		0xf20	; low 32 bits
%define TP_CR0		0xf24	; 32 bits
%define TP_STACK	0xf28
%define TP_ENTRY	0xf30
%define TP_ARG		0xf38
%define TP_SGDT		0xf40	; 10 bytes: the stub's GDTR
%define TP_SIDT		0xf50	; 10 bytes: the stub's IDTR
%define TP_CR4_FULL	0xf60
%define TP_GDT		0xf80	; 4 descriptors
%define TP_SEL_CODE64	0x08	; the stub's GDT has the same two
%define TP_SEL_DATA	0x10
%define TP_SEL_CODE32	0x18

	global trampoline_start
	global trampoline_end

section .rodata
	align 16
trampoline_start:
	bits 16
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4			; the page's physical address
	o32 lgdt [TP_GDTR]
	mov eax, cr0
	or al, 1			; PE
	mov cr0, eax
	jmp dword far [TP_JMP32]

	bits 32
tramp_pm32:
	mov ax, TP_SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, [ebx + TP_CR4]
	mov cr4, eax
	mov eax, [ebx + TP_CR3]
	mov cr3, eax
	mov ecx, 0xc0000080		; IA32_EFER
	mov eax, [ebx + TP_EFER]
	xor edx, edx
	wrmsr
	mov eax, [ebx + TP_CR0]		; PG: long mode, compatibility
	mov cr0, eax
	jmp far [ebx + TP_JMP64]

	bits 64
tramp_lm64:
	mov ebx, ebx			; upper halves are undefined here
	lgdt [rbx + TP_SGDT]
	lidt [rbx + TP_SIDT]
	mov rax, [rbx + TP_CR4_FULL]
	mov cr4, rax
	mov eax, TP_SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax
	mov rsp, [rbx + TP_STACK]
	mov rdi, [rbx + TP_ARG]
	mov rax, [rbx + TP_ENTRY]
	push TP_SEL_CODE64		; reload CS from the stub's GDT
	push rax
	o64 retf
trampoline_end:

TRAMP_PM32	equ tramp_pm32 - trampoline_start
TRAMP_LM64	equ tramp_lm64 - trampoline_start
%if TP_GDTR < 0x100
%error "parameter block too low"
%endif
	global tramp_pm32_off
	global tramp_lm64_off
	align 4
tramp_pm32_off:	dd TRAMP_PM32
tramp_lm64_off:	dd TRAMP_LM64
