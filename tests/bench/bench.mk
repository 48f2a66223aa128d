# `make bench`: bmdump against kdump + makedumpfile on the same emulated
# machine, in one run (tests/bench/bench.py; not part of `make test`).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--sizes 1024 --runs 1".
BENCH_ARGS	?=

bench: deps all
	$(PYTHON) tests/bench/bench.py $(BENCH_ARGS)

.PHONY: bench
