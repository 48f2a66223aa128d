# The kernel hook, build/bmdump.ko, built for the kernel the rig boots.
# The sources and the contracts they include are staged into
# build/kernel-hook/ in the layout dkms uses (include/bmdump/ beside the
# sources), so the tree stays clean and dkms.conf builds the same way.
HOOK_KDIR	?= /lib/modules/$(KVER)/build
HOOK_STAGE	:= $(BUILD)/kernel-hook
HOOK_SRC	:= $(wildcard kernel-hook/*.c kernel-hook/*.h) kernel-hook/Kbuild \
		   kernel-hook/dkms.conf
# The contracts the hook includes; tests/e2e/test_hook.py's dkms tree and
# make install-dkms (system/install.mk) copy exactly this list.
HOOK_CONTRACTS	:= include/bmdump/desc.h include/bmdump/crc32c.h \
		   include/bmdump/types.h include/bmdump/kernels.h \
		   include/bmdump/classify.h

$(BUILD)/bmdump.ko: $(HOOK_SRC) $(HOOK_CONTRACTS) kernel-hook/kernel-hook.mk \
		$(KVER_STAMP) include/bmdump/version.h
	@mkdir -p $(HOOK_STAGE)/include/bmdump
	@cp $(filter-out %/dkms.conf,$(HOOK_SRC)) $(HOOK_STAGE)/
	@sed 's/@VERSION@/$(VERSION)/g' kernel-hook/dkms.conf \
		> $(HOOK_STAGE)/dkms.conf
	@cp $(HOOK_CONTRACTS) $(HOOK_STAGE)/include/bmdump/
	@echo "  KBUILD  $@"
	@$(MAKE) -s -C $(HOOK_KDIR) M=$(abspath $(HOOK_STAGE)) W=1 modules >/dev/null
	@cp $(HOOK_STAGE)/bmdump.ko $@

all: $(BUILD)/bmdump.ko

# The classifier's unit test includes include/bmdump/classify.h and the
# VMCOREINFO of every supported kernel, captured in the rig by
# tests/e2e/test_kernels.py into tests/unit/vmcoreinfo/<release>.
HOOK_VMCI	:= $(wildcard tests/unit/vmcoreinfo/*)
HOOK_VMCI_H	:= $(BUILD)/unit-gen/vmcoreinfo_kernels.h

$(HOOK_VMCI_H): tests/unit/gen_vmcoreinfo.py $(HOOK_VMCI)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(PYTHON) $< $@ $(HOOK_VMCI)

$(BUILD)/unit/test_hook_classify: include/bmdump/classify.h $(HOOK_VMCI_H)
$(BUILD)/unit/test_hook_classify: UNIT_CFLAGS += -I$(BUILD)/unit-gen
# ... the stub's own scan over struct page images of those kernels ...
$(BUILD)/unit/test_stub_scan: $(HOOK_VMCI_H)
$(BUILD)/unit/test_stub_scan: UNIT_CFLAGS += -I$(BUILD)/unit-gen
# ... and bmdump load's check of the running kernel's VMCOREINFO.
$(BUILD)/unit/test_tools_vmci: $(HOOK_VMCI_H)
$(BUILD)/unit/test_tools_vmci: TOOLS_CFLAGS += -I$(BUILD)/unit-gen
