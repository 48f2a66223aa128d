# SPDX-License-Identifier: GPL-2.0
#
# build/bmdump-selftest.efi: the UEFI self-test app (boot/efi/), built with
# GNU-EFI's crt0, link script and relocator.  It links the stub's own
# objects, the same files bmdump.bzImage is linked from: the drivers, PCI,
# ACPI, IOMMU, timer, console and area code.  What main.c provides the stub
# (DMA memory, physical access) efi_platform.c provides the app; the
# crash-only stages (elfcorehdr, bitmap, dump writer) stay out.

EFI_APP		:= $(BUILD)/bmdump-selftest.efi
GNUEFI_INC	?= /usr/include/efi
GNUEFI_LIB	?= /usr/lib
EFI_CFLAGS	:= -std=gnu11 -O2 -g -Wall -Wextra -Werror \
		   -Wno-unused-parameter -ffreestanding -fno-builtin -fpic \
		   -fshort-wchar -mno-red-zone -mgeneral-regs-only \
		   -fno-stack-protector -fno-asynchronous-unwind-tables \
		   -fvisibility=hidden -DGNU_EFI_USE_MS_ABI \
		   -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64 -Iboot/efi \
		   -Iinclude
EFI_STUB_ONLY	:= main dma phys paging fault dump bitmap elfcore vmcoreinfo scan smp \
		   bootparams mem warmboot warmboot_run
EFI_STUB_OBJS	:= $(filter-out $(EFI_STUB_ONLY:%=$(BUILD)/stub/%.o), \
			$(STUB_SRCS:%.c=$(BUILD)/%.o))
EFI_OBJS	:= $(BUILD)/boot/efi/efi_main.o $(BUILD)/boot/efi/qualify.o \
		   $(BUILD)/boot/efi/efi_platform.o $(EFI_STUB_OBJS)

# The UEFI half sees GNU-EFI's headers; the stub half is built as the stub.
$(BUILD)/boot/efi/efi_main.o: boot/efi/efi_main.c boot/efi/selftest.h \
		include/bmdump/smbios.h Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/boot/efi/%.o: boot/efi/%.c boot/efi/selftest.h $(STUB_HDRS) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(STUB_CFLAGS) -Iboot/efi -c $< -o $@

$(BUILD)/bmdump-selftest.so: $(EFI_OBJS) boot/efi/efi.mk
	@echo "  LD      $@"
	@$(LD) -nostdlib -znocombreloc -T $(GNUEFI_LIB)/elf_x86_64_efi.lds \
		-shared -Bsymbolic --no-undefined -z noexecstack \
		$(GNUEFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) \
		-L$(GNUEFI_LIB) -lgnuefi -o $@

$(EFI_APP): $(BUILD)/bmdump-selftest.so
	@$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@
	@echo "  $@: $$(stat -c %s $@) bytes"

all: $(EFI_APP)
