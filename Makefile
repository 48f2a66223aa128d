# SPDX-License-Identifier: GPL-2.0
#
# One build for everything: `make` builds into build/, `make test` runs the
# unit and end-to-end tests, `make demo` shows a crash captured in QEMU.
# Parts add themselves through */*.mk fragments.

BUILD		?= build
CC		?= gcc
NASM		?= nasm
LD		?= ld
OBJCOPY		?= objcopy
PYTHON		?= /usr/bin/python3

# The version of the whole tree, defined once in include/bmdump/version.h.
VERSION		:= $(shell sed -n 's/^\#define BMDUMP_VERSION[[:space:]]*"\(.*\)"$$/\1/p' \
			include/bmdump/version.h)

# The kernel the tests boot and the module is built for: the one Debian's
# linux-image-amd64 metapackage points at (not the host's running kernel).
KVER		?= $(shell dpkg-query -W -f='$${Depends}' linux-image-amd64 2>/dev/null | \
			sed -n 's/.*linux-image-\([0-9][^ ,]*\).*/\1/p')
# `make test KVER=...` boots another kernel: modules built for the last
# KVER must be rebuilt, so they depend on this file, rewritten on change.
KVER_STAMP	:= $(BUILD)/kver
$(shell mkdir -p $(BUILD); [ "$$(cat $(KVER_STAMP) 2>/dev/null)" = "$(KVER)" ] || \
	echo "$(KVER)" > $(KVER_STAMP))

all:

# --- the stub: build/bmdump.bzImage ---------------------------------------

STUB_CFLAGS	:= -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		   -ffreestanding -fno-builtin -nostdlib -fpie -fvisibility=hidden \
		   -mno-red-zone -mgeneral-regs-only -mcmodel=small \
		   -fno-stack-protector -fno-asynchronous-unwind-tables \
		   -fno-unwind-tables -fcf-protection=none -fno-common \
		   -fno-jump-tables -fno-plt -Iinclude -Istub
STUB_SRCS	:= $(wildcard stub/*.c stub/drivers/*.c lib/*.c)
STUB_OBJS	:= $(STUB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/boot/entry64.o
STUB_HDRS	:= $(wildcard stub/*.h stub/drivers/*.h include/bmdump/*.h)
# Linked twice: the image must be byte-identical at both addresses, which
# proves it holds no absolute address (kexec loads it anywhere).
LINK_BASE_A	:= 0x0
LINK_BASE_B	:= 0x40000000

$(BUILD)/stub/%.o: stub/%.c $(STUB_HDRS) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(STUB_CFLAGS) -c $< -o $@

# lib/: code the stub shares with the host tools (freestanding-safe).
$(BUILD)/lib/%.o: lib/%.c $(STUB_HDRS) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(STUB_CFLAGS) -c $< -o $@

$(BUILD)/boot/entry64.o: boot/entry64.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 $< -o $@

$(BUILD)/stub-%.elf: $(STUB_OBJS) linker.ld
	@echo "  LD      $@"
	@$(LD) -static -nostdlib --no-dynamic-linker -z noexecstack \
		-z max-page-size=4096 --build-id=none --no-warn-rwx-segments \
		--defsym=LINK_BASE=$(LINK_BASE_$*) -T linker.ld $(STUB_OBJS) -o $@

$(BUILD)/stub-%.bin: $(BUILD)/stub-%.elf
	@$(OBJCOPY) -O binary $< $@

$(BUILD)/bmdump.bzImage: $(BUILD)/stub-A.bin $(BUILD)/stub-B.bin boot/header.asm
	@cmp -s $(BUILD)/stub-A.bin $(BUILD)/stub-B.bin || \
		{ echo "error: stub image differs when linked at another" \
		  "address: something stores an absolute address" >&2; \
		  cmp $(BUILD)/stub-A.bin $(BUILD)/stub-B.bin | head -1 >&2; exit 1; }
	@cp $(BUILD)/stub-A.bin $(BUILD)/stub-pe.bin
	@# The PE .text section is whole 512-byte file-alignment units.
	@truncate -s %512 $(BUILD)/stub-pe.bin
	@init=$$(nm $(BUILD)/stub-A.elf | awk '$$3=="_image_end"{print $$1}'); \
	size=$$(stat -c %s $(BUILD)/stub-pe.bin); \
	$(NASM) -f bin -DPM_FILE_SIZE=$$size \
		-DPM_INIT_SIZE=$$(( (0x$$init + 4095) / 4096 * 4096 )) \
		boot/header.asm -o $(BUILD)/header.bin
	@cat $(BUILD)/header.bin $(BUILD)/stub-pe.bin > $@
	@echo "  $@: $$(stat -c %s $@) bytes"

all: $(BUILD)/bmdump.bzImage

# `make sign KEY=db.key CERT=db.crt`: the stub with an Authenticode
# signature, for kexec_file_load under lockdown (Secure Boot), and the
# self-test app signed by the same key, for the firmware to start it with
# Secure Boot on.  The key's certificate must be in the UEFI db (for the
# app: db, or MOK when shim starts it) or enrolled as a MOK.
SIGNED		:= $(BUILD)/bmdump.signed.bzImage
SIGNED_APP	:= $(BUILD)/bmdump-selftest.signed.efi

# sbsign_to OUT, IN: sign, verify against CERT, then rename into place.
define sbsign_to
	@sbsign --key $(KEY) --cert $(CERT) --output $(1).tmp $(2)
	@sbverify --cert $(CERT) $(1).tmp >/dev/null
	@mv $(1).tmp $(1)
	@echo "  $(1): signed by $$(openssl x509 -noout -subject \
		-in $(CERT))"
endef

sign: $(BUILD)/bmdump.bzImage $(BUILD)/bmdump-selftest.efi
	@test -n "$(KEY)" -a -n "$(CERT)" || { echo "usage: make sign" \
		"KEY=<private key .pem> CERT=<certificate .pem>" >&2; exit 2; }
	@command -v sbsign >/dev/null || { echo "error: sbsign missing:" \
		"apt install sbsigntool" >&2; exit 2; }
	$(call sbsign_to,$(SIGNED),$(BUILD)/bmdump.bzImage)
	$(call sbsign_to,$(SIGNED_APP),$(BUILD)/bmdump-selftest.efi)

-include $(sort $(filter-out $(BUILD)/%,$(wildcard */*.mk */*/*.mk)))

# --- entry points ------------------------------------------------------------

deps:
	@bash tests/install-deps.sh

test: deps all
	KVER=$(KVER) $(PYTHON) tests/run.py $(TESTS)

demo: deps all
	KVER=$(KVER) $(PYTHON) tests/e2e/demo.py

# What the packages hold (debian/rules builds only these).
programs: $(BUILD)/bmdump $(BUILD)/bmdump.bzImage

print-version:
	@echo $(VERSION)

# debian/changelog's version (without a Debian revision) must be the
# tree's; debian/rules runs this before building.
check-version:
	@cl=$$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$$//'); \
	[ "$$cl" = "$(VERSION)" ] || { echo "error: debian/changelog says" \
		"$$cl, include/bmdump/version.h says $(VERSION): add a" \
		"changelog entry (dch -v $(VERSION))" >&2; exit 1; }

clean:
	rm -rf $(BUILD)

.PHONY: all deps test demo clean sign programs print-version check-version
.DELETE_ON_ERROR:
.SECONDARY:
