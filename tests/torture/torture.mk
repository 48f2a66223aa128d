# `make torture`: crashes of a really broken kernel (tests/torture/torture.py;
# not part of `make test`).  TORTURE_RUNS runs drawn from TORTURE_SEED,
# TORTURE_CASES a comma-separated filter of case names (empty: all).
TORTURE_RUNS	?= 8
TORTURE_SEED	?= 1
TORTURE_CASES	?=

# crash needs the rig kernel's debug vmlinux (about 860 MB from Debian's
# archive, 5.6 GB installed): fetched here, not by `make test`'s install.
TORTURE_DBG	:= linux-image-$(KVER)-dbg

torture-deps:
	@dpkg-query -W -f='$${Status}' $(TORTURE_DBG) 2>/dev/null | \
		grep -q "install ok installed" || \
		apt-get install -y --no-install-recommends $(TORTURE_DBG)

torture: all torture-deps
	KVER=$(KVER) $(PYTHON) tests/torture/torture.py --runs $(TORTURE_RUNS) \
		--seed $(TORTURE_SEED) --cases "$(TORTURE_CASES)"

.PHONY: torture torture-deps
