# libFuzzer target for what `bmdump save` and `bmdump info` parse, and the
# generator of its seed corpus.  Run by tests/fuzz/test_tools_fuzz.py.
# Own variable names: other fuzz fragments share this directory, and an
# explicit rule for build/fuzz/fuzz_tools beats any fuzz_% pattern rule.

TOOLS_FUZZ_CC	?= clang
TOOLS_FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Ihost-tools \
		   -I$(BUILD)/tools -Itests/unit/tools/support \
		   -include $(BUILD)/tools/paths.h -Wall -Wno-unused-parameter

$(BUILD)/fuzz/fuzz_tools: tests/fuzz/fuzz_tools.c $(TOOLS_CORE) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(TOOLS_FUZZ_CC) $(TOOLS_FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $< $(TOOLS_CORE) \
		$(TOOLS_LIBS) -o $@

$(BUILD)/fuzz/mkseeds_tools: tests/fuzz/mkseeds_tools.c $(TOOLS_CORE) \
		$(TOOLS_UNIT_SUP) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(TOOLS_CC) $(TOOLS_CFLAGS) -O1 -include $(TOOLS_DIR)/paths.h \
		-Itests/unit/tools/support $< $(TOOLS_UNIT_SUP) $(TOOLS_CORE) \
		$(TOOLS_LIBS) -o $@

fuzz: $(BUILD)/fuzz/fuzz_tools $(BUILD)/fuzz/mkseeds_tools
all: fuzz
.PHONY: fuzz
