# The bmdump command (build/bmdump) and its unit tests
# (build/unit/test_tools_*).  Libraries: libblkid (partitions, signatures), zlib,
# liblzo2, libzstd, libsnappy (per-page compression).

# PREFIX, SYSCONFDIR, LIBDIR_BMDUMP ...: system/install.mk.

TOOLS_CC	?= gcc
TOOLS_DIR	:= $(BUILD)/tools
TOOLS_WARN	:= -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
TOOLS_CFLAGS	:= -std=gnu11 -g $(TOOLS_WARN) -D_GNU_SOURCE -Iinclude \
		   -Ihost-tools -I$(TOOLS_DIR) -DBMDUMP_HOST_TOOL
TOOLS_LIBS	:= -lblkid -lz -llzo2 -lzstd -lsnappy -pthread
# The command line: main.c dispatches to one cmd_<name>.c a command, with
# what they share in cli.c; the kernel's files (sysfs.c), the load record
# (loadrec.c) and partition creation (partition.c) only the commands use.
TOOLS_CLI	:= host-tools/main.c host-tools/cli.c host-tools/cmd_help.c \
		   host-tools/cmd_prepare.c host-tools/cmd_load.c \
		   host-tools/cmd_status.c host-tools/cmd_save.c \
		   host-tools/cmd_info.c host-tools/cmd_selftest.c \
		   host-tools/cmd_list.c \
		   host-tools/cmd_estimate.c host-tools/cmd_test.c \
		   host-tools/offbox.c host-tools/sysfs.c \
		   host-tools/loadrec.c host-tools/partition.c
# Units reused by the unit tests and the fuzzer.
TOOLS_CORE	:= host-tools/util.c host-tools/areaio.c host-tools/compress.c \
		   host-tools/kdumpfile.c host-tools/kdconvert.c \
		   host-tools/config.c \
		   host-tools/loadcmd.c host-tools/status.c host-tools/info.c \
		   host-tools/run.c host-tools/save.c host-tools/locate.c \
		   host-tools/dmesg.c host-tools/iommu_probe.c \
		   host-tools/coredir.c host-tools/transport.c \
		   host-tools/geometry.c \
		   host-tools/selftest.c host-tools/estimate.c \
		   host-tools/kernel.c host-tools/sign.c host-tools/bootset.c \
		   host-tools/vmcicheck.c \
		   lib/errors.c
TOOLS_HDRS	:= $(wildcard host-tools/*.h) $(wildcard include/bmdump/*.h) \
		   $(TOOLS_DIR)/paths.h

# Paths compiled in follow PREFIX and SYSCONFDIR; regenerated only when
# they change.
$(TOOLS_DIR)/paths.h: FORCE
	@mkdir -p $(TOOLS_DIR)
	@printf '#define %s "%s"\n' \
		BMDUMP_STUB_PATH "$(LIBDIR_BMDUMP)/bmdump.bzImage" \
		BMDUMP_SELFTEST_PATH "$(LIBDIR_BMDUMP)/bmdump-selftest.efi" \
		BMDUMP_SYSCONFDIR "$(SYSCONFDIR)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# The command honours CPPFLAGS, CFLAGS and LDFLAGS (dpkg-buildflags:
# hardening); the tests' builds and the freestanding stub keep their own.
$(BUILD)/bmdump: $(TOOLS_CLI) $(TOOLS_CORE) $(TOOLS_HDRS) \
		host-tools/host-tools.mk
	@echo "  CC      $@"
	@$(TOOLS_CC) $(TOOLS_CFLAGS) -O2 $(CPPFLAGS) $(CFLAGS) \
		-include $(TOOLS_DIR)/paths.h $(TOOLS_CLI) $(TOOLS_CORE) \
		$(LDFLAGS) $(TOOLS_LIBS) -o $@

# Unit tests of the tool units: cmocka, ASan + UBSan, picked up by
# tests/run.py as build/unit/test_tools_*.
TOOLS_UNIT_SRCS	:= $(wildcard tests/unit/tools/test_tools_*.c)
TOOLS_UNIT	:= $(patsubst tests/unit/tools/%.c,$(BUILD)/unit/%,$(TOOLS_UNIT_SRCS))
TOOLS_UNIT_SUP	:= $(wildcard tests/unit/tools/support/*.c)

$(BUILD)/unit/test_tools_%: tests/unit/tools/test_tools_%.c $(TOOLS_CORE) \
		$(TOOLS_UNIT_SUP) $(wildcard tests/unit/tools/support/*.h) \
		$(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  UNIT    $@"
	@$(TOOLS_CC) $(TOOLS_CFLAGS) -O1 -include $(TOOLS_DIR)/paths.h \
		-Itests/unit/tools/support -fsanitize=address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer \
		$< $(TOOLS_UNIT_SUP) $(TOOLS_CORE) $(TOOLS_LIBS) -lcmocka -o $@

# A test helper: writes a kdump image into a prepared area as the stub
# would leave it (tests only; never installed).
$(BUILD)/tools/bmdump-testarea: tests/unit/tools/testarea.c $(TOOLS_CORE) \
		$(TOOLS_UNIT_SUP) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(TOOLS_CC) $(TOOLS_CFLAGS) -O1 -include $(TOOLS_DIR)/paths.h \
		-Itests/unit/tools/support $< $(TOOLS_UNIT_SUP) $(TOOLS_CORE) \
		$(TOOLS_LIBS) -o $@

tools: $(BUILD)/bmdump $(TOOLS_UNIT) $(BUILD)/tools/bmdump-testarea
all: tools

.PHONY: tools FORCE
FORCE:
