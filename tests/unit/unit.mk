# Host-built cmocka unit tests of stub code, under AddressSanitizer and
# UBSan.  Every test links the stub sources that run on the host (parsers,
# allocator, page tables, drivers against mocked registers) plus the mocks.

UNIT_CC		?= gcc
UNIT_CFLAGS	:= -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
		   -DUNIT_TEST -Iinclude -Istub -Itests/unit/support \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
UNIT_STUB_SRCS	:= $(filter-out stub/main.c stub/smp.c stub/console.c stub/str.c \
		     stub/phys.c stub/fault.c stub/reset.c stub/dma.c \
		     stub/warmboot_run.c, \
		     $(wildcard stub/*.c stub/drivers/*.c lib/*.c))
UNIT_SUPPORT	:= $(wildcard tests/unit/support/*.c)
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_STUB_SRCS) $(UNIT_SUPPORT) \
		$(wildcard tests/unit/support/*.h) $(STUB_HDRS)
	@mkdir -p $(dir $@)
	@echo "  UNIT    $@"
	@$(UNIT_CC) $(UNIT_CFLAGS) $< $(UNIT_SUPPORT) $(UNIT_STUB_SRCS) \
		-lcmocka -o $@

unit: $(UNIT_TESTS)
all: unit
.PHONY: unit
