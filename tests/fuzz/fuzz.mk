# libFuzzer targets for the stub code that reads untrusted bytes (command
# line, boot_params + e820 + setup_data, ELF core header + notes,
# VMCOREINFO and the struct pages the stub's scan walks, ACPI tables with
# DMAR and IVRS, bmdump.ko's descriptor and bitmap, the GPT of the disk it
# writes to), built for the host with clang under ASan and UBSan.
# tests/fuzz/test_fuzz.py runs each for a bounded time.

FUZZ_CC		?= clang
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	:= -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		   -Wno-unused-parameter -DUNIT_TEST -Iinclude -Istub \
		   -Itests/fuzz -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_STUB_SRCS	:= stub/bootparams.c stub/elfcore.c \
		   stub/acpi.c lib/errors.c stub/printf.c \
		   stub/bitmap.c stub/gpt.c stub/iommu_acpi.c stub/scan.c
FUZZ_OBJS	:= $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_STUB_SRCS) \
		   tests/fuzz/phys_fake.c)
FUZZ_TARGETS	:= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%, \
		   $(wildcard tests/fuzz/fuzz_*.c))

# Coverage instrumentation (fuzzer-no-link) on the code under test too.
$(BUILD)/fuzz/obj/%.o: %.c $(STUB_HDRS) $(wildcard tests/fuzz/*.h) \
		tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@

fuzz: $(FUZZ_TARGETS)
all: fuzz
.PHONY: fuzz
