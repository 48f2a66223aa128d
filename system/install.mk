# `make install` / `make uninstall` (DESTDIR, PREFIX, SYSCONFDIR honoured):
# the command, the stub, the units, their generator and boot-save helper,
# the udev rule, the kernel postinst hook, the man pages, the config and
# the DKMS source tree of bmdump.ko.  `make install-module` installs the
# module built for KVER instead of through dkms.

PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
SBINDIR		?= $(PREFIX)/sbin
LIBDIR_BMDUMP	?= $(PREFIX)/lib/bmdump
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
GENERATORDIR	?= $(PREFIX)/lib/systemd/system-generators
ifeq ($(PREFIX),/usr)
UDEVRULESDIR	?= /usr/lib/udev/rules.d
else
UDEVRULESDIR	?= $(SYSCONFDIR)/udev/rules.d
endif
# dkms takes source trees only from /usr/src/<module>-<version>.
DKMSDIR		?= /usr/src/bmdump-$(VERSION)
MODDIR		?= /lib/modules/$(KVER)/updates
DESTDIR		?=

INST_STAGE	:= $(BUILD)/install
INST_SUBST	= sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		      -e 's|@LIBDIR@|$(LIBDIR_BMDUMP)|g' \
		      -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		      -e 's|@VERSION@|$(VERSION)|g'

# Installed path: source, mode.  Each is run through INST_SUBST.
INST_FILES	:= \
	$(LIBDIR_BMDUMP)/bmdump-save-boot:system/bmdump-save-boot:0755 \
	$(UNITDIR)/bmdump-save.service:system/bmdump-save.service:0644 \
	$(UNITDIR)/bmdump-load.service:system/bmdump-load.service:0644 \
	$(GENERATORDIR)/bmdump-generator:system/bmdump-generator:0755 \
	$(UDEVRULESDIR)/90-bmdump.rules:system/90-bmdump.rules:0644 \
	$(SYSCONFDIR)/kernel/postinst.d/zz-bmdump:system/kernel-postinst:0755 \
	$(MANDIR)/man8/bmdump.8:host-tools/bmdump.8:0644 \
	$(MANDIR)/man5/bmdump.conf.5:host-tools/bmdump.conf.5:0644
INST_DKMS_SRC	:= $(filter-out %/dkms.conf,$(HOOK_SRC))
CONF		:= $(SYSCONFDIR)/bmdump.conf

install: $(BUILD)/bmdump $(BUILD)/bmdump.bzImage
	@mkdir -p $(INST_STAGE)
	install -D -m 0755 $(BUILD)/bmdump $(DESTDIR)$(SBINDIR)/bmdump
	install -D -m 0644 $(BUILD)/bmdump.bzImage \
		$(DESTDIR)$(LIBDIR_BMDUMP)/bmdump.bzImage
	@set -e; for f in $(INST_FILES); do \
		dst=$${f%%:*}; rest=$${f#*:}; src=$${rest%:*}; \
		$(INST_SUBST) $$src > $(INST_STAGE)/$${dst##*/}; \
		echo "install -D -m $${rest#*:} $$src $(DESTDIR)$$dst"; \
		install -D -m $${rest#*:} $(INST_STAGE)/$${dst##*/} \
			$(DESTDIR)$$dst; done
	@# An operator's config is never overwritten: the new default goes
	@# beside it as bmdump.conf.dist (as kdump-tools does).
	@$(INST_SUBST) host-tools/bmdump.conf > $(INST_STAGE)/bmdump.conf
	@if [ -e $(DESTDIR)$(CONF) ]; then \
		install -m 0644 $(INST_STAGE)/bmdump.conf $(DESTDIR)$(CONF).dist; \
		echo "  $(DESTDIR)$(CONF) kept; the new default is" \
		     "$(DESTDIR)$(CONF).dist"; \
	else \
		install -D -m 0644 $(INST_STAGE)/bmdump.conf $(DESTDIR)$(CONF); \
		echo "  $(DESTDIR)$(CONF) installed: set AREA= in it"; fi
	$(MAKE) -s install-dkms

# The module's source tree as dkms wants it (build/kernel-hook/'s layout);
# without DESTDIR also registered and built for the running kernel.
install-dkms:
	install -d $(DESTDIR)$(DKMSDIR)/include/bmdump
	install -m 0644 $(INST_DKMS_SRC) $(DESTDIR)$(DKMSDIR)/
	install -m 0644 $(HOOK_CONTRACTS) $(DESTDIR)$(DKMSDIR)/include/bmdump/
	$(INST_SUBST) kernel-hook/dkms.conf > $(DESTDIR)$(DKMSDIR)/dkms.conf
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null; then \
		dkms status -m bmdump -v $(VERSION) | grep -q . || \
			dkms add -m bmdump -v $(VERSION); \
		dkms install -m bmdump -v $(VERSION) || \
			echo "warning: dkms could not build bmdump.ko for the" \
			     "running kernel (its linux-headers installed?);" \
			     "it builds for every kernel installed later" >&2; \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "warning: no dkms: install dkms, or make install-module" \
		     "for kernel $(KVER)" >&2; fi

# The module built here (build/bmdump.ko, for KVER), without dkms.
install-module: $(BUILD)/bmdump.ko
	install -D -m 0644 $(BUILD)/bmdump.ko $(DESTDIR)$(MODDIR)/bmdump.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

# Everything install and install-module put in place but the operator's
# bmdump.conf.
uninstall:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	    dkms status -m bmdump -v $(VERSION) | grep -q .; then \
		echo "dkms remove -m bmdump -v $(VERSION) --all"; \
		dkms remove -m bmdump -v $(VERSION) --all; fi
	rm -f $(DESTDIR)$(SBINDIR)/bmdump \
		$(DESTDIR)$(LIBDIR_BMDUMP)/bmdump.bzImage \
		$(foreach f,$(INST_FILES),$(DESTDIR)$(firstword $(subst :, ,$(f)))) \
		$(DESTDIR)$(CONF).dist
	rm -rf $(DESTDIR)$(DKMSDIR)
	-rmdir $(DESTDIR)$(LIBDIR_BMDUMP) 2>/dev/null
	@if [ -e $(DESTDIR)$(MODDIR)/bmdump.ko ]; then \
		rm -f $(DESTDIR)$(MODDIR)/bmdump.ko; \
		[ -n "$(DESTDIR)" ] || depmod -a $(KVER); fi
	@[ ! -e $(DESTDIR)$(CONF) ] || echo "  $(DESTDIR)$(CONF) kept" \
		"(it holds your AREA=); remove it by hand if you want"

.PHONY: install install-dkms install-module uninstall
