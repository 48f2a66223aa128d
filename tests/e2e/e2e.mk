# Test-only kernel module for the QEMU rig, built for the kernel the rig boots.
KDIR		?= /lib/modules/$(KVER)/build
TESTMOD_SRC	:= $(wildcard tests/e2e/testmod/*.c) tests/e2e/testmod/Kbuild

$(BUILD)/testmod/bmdump_testmod.ko: $(TESTMOD_SRC) $(KVER_STAMP)
	@mkdir -p $(BUILD)/testmod
	@cp $(TESTMOD_SRC) $(BUILD)/testmod/
	@echo "  KBUILD  $@"
	@$(MAKE) -s -C $(KDIR) M=$(abspath $(BUILD)/testmod) modules >/dev/null

all: $(BUILD)/testmod/bmdump_testmod.ko

# Test-only host helper: dump-area headers inside disk images.
$(BUILD)/e2e-tools/areatool: tests/e2e/areatool.c include/bmdump/area.h \
		include/bmdump/crc32c.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude $< -o $@

all: $(BUILD)/e2e-tools/areatool

# Test-only host helper: check a descriptor + bitmap copied out of a vmcore.
$(BUILD)/e2e-tools/desctool: tests/e2e/desctool.c include/bmdump/desc.h \
		include/bmdump/crc32c.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude $< -o $@

all: $(BUILD)/e2e-tools/desctool
