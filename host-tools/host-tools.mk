# The bmdump command (build/bmdump), its unit tests (build/unit/test_tools_*)
# and `make install`.  Libraries: libblkid (partitions, signatures), zlib,
# liblzo2, libzstd, libsnappy (per-page compression).

PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
SBINDIR		?= $(PREFIX)/sbin
LIBDIR_BMDUMP	?= $(PREFIX)/lib/bmdump
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
ifeq ($(PREFIX),/usr)
UDEVRULESDIR	?= /usr/lib/udev/rules.d
else
UDEVRULESDIR	?= $(SYSCONFDIR)/udev/rules.d
endif
DESTDIR		?=

TOOLS_CC	?= gcc
TOOLS_DIR	:= $(BUILD)/tools
TOOLS_WARN	:= -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
TOOLS_CFLAGS	:= -std=gnu11 -g $(TOOLS_WARN) -D_GNU_SOURCE -Iinclude \
		   -Ihost-tools -I$(TOOLS_DIR) -DBMDUMP_HOST_TOOL
TOOLS_LIBS	:= -lblkid -lz -llzo2 -lzstd -lsnappy -pthread
# Units reused by the unit tests and the fuzzer; main.c is the CLI.
TOOLS_CORE	:= host-tools/util.c host-tools/areaio.c host-tools/compress.c \
		   host-tools/kdumpfile.c host-tools/config.c \
		   host-tools/loadcmd.c host-tools/status.c host-tools/info.c \
		   host-tools/run.c host-tools/save.c host-tools/locate.c \
		   host-tools/dmesg.c host-tools/iommu.c host-tools/coredir.c \
		   host-tools/kernel.c host-tools/sign.c \
		   stub/errors.c
TOOLS_HDRS	:= $(wildcard host-tools/*.h) $(wildcard include/bmdump/*.h) \
		   $(TOOLS_DIR)/paths.h

# Paths compiled in follow PREFIX; regenerated only when they change.
$(TOOLS_DIR)/paths.h: FORCE
	@mkdir -p $(TOOLS_DIR)
	@printf '#define BMDUMP_STUB_PATH "%s/bmdump.bzImage"\n' \
		"$(LIBDIR_BMDUMP)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/bmdump: host-tools/main.c $(TOOLS_CORE) $(TOOLS_HDRS) \
		host-tools/host-tools.mk
	@echo "  CC      $@"
	@$(TOOLS_CC) $(TOOLS_CFLAGS) -O2 -include $(TOOLS_DIR)/paths.h \
		host-tools/main.c $(TOOLS_CORE) $(TOOLS_LIBS) -o $@

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

# --- install -------------------------------------------------------------

TOOLS_SUBST	= sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		      -e 's|@LIBDIR@|$(LIBDIR_BMDUMP)|g' \
		      -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: $(BUILD)/bmdump $(BUILD)/bmdump.bzImage
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR_BMDUMP) \
		$(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(BUILD)/bmdump $(DESTDIR)$(SBINDIR)/bmdump
	install -m 0644 $(BUILD)/bmdump.bzImage \
		$(DESTDIR)$(LIBDIR_BMDUMP)/bmdump.bzImage
	$(TOOLS_SUBST) host-tools/bmdump.conf > $(TOOLS_DIR)/bmdump.conf
	install -m 0644 $(TOOLS_DIR)/bmdump.conf \
		$(DESTDIR)$(SYSCONFDIR)/bmdump.conf
	for u in bmdump-save.service bmdump-load.service; do \
		$(TOOLS_SUBST) host-tools/$$u > $(TOOLS_DIR)/$$u && \
		install -m 0644 $(TOOLS_DIR)/$$u $(DESTDIR)$(UNITDIR)/$$u || \
		exit 1; done
	$(TOOLS_SUBST) host-tools/90-bmdump.rules > $(TOOLS_DIR)/90-bmdump.rules
	install -m 0644 $(TOOLS_DIR)/90-bmdump.rules \
		$(DESTDIR)$(UDEVRULESDIR)/90-bmdump.rules
	$(TOOLS_SUBST) host-tools/kernel-postinst > $(TOOLS_DIR)/kernel-postinst
	install -m 0755 $(TOOLS_DIR)/kernel-postinst \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/zz-bmdump
	$(TOOLS_SUBST) host-tools/bmdump.8 > $(TOOLS_DIR)/bmdump.8
	$(TOOLS_SUBST) host-tools/bmdump.conf.5 > $(TOOLS_DIR)/bmdump.conf.5
	install -m 0644 $(TOOLS_DIR)/bmdump.8 $(DESTDIR)$(MANDIR)/man8/bmdump.8
	install -m 0644 $(TOOLS_DIR)/bmdump.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/bmdump.conf.5

.PHONY: tools install FORCE
FORCE:
