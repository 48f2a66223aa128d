# Guest helper of tests/e2e/test_hook.py (static: the rig's initramfs adds
# no libraries for it).
$(BUILD)/hooktest/bmdump-hooktest: tests/e2e/hooktest/hooktest.c include/bmdump/desc.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -Iinclude $< -o $@

all: $(BUILD)/hooktest/bmdump-hooktest
