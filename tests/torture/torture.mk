# `make torture`: crashes of a really broken kernel (tests/torture/torture.py;
# not part of `make test`).  TORTURE_RUNS runs drawn from TORTURE_SEED,
# TORTURE_CASES a comma-separated filter of case names (empty: all).
TORTURE_RUNS	?= 8
TORTURE_SEED	?= 1
TORTURE_CASES	?=

torture: all
	KVER=$(KVER) $(PYTHON) tests/torture/torture.py --runs $(TORTURE_RUNS) \
		--seed $(TORTURE_SEED) --cases "$(TORTURE_CASES)"

.PHONY: torture
