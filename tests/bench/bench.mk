# `make bench`: bmdump against kdump + makedumpfile on the same emulated
# machine, in one run (tests/bench/bench.py; not part of `make test`).
# BENCH_TRANSPORTS: where the area is (the stub against Linux's own
# driver on each; kdump on nvme only).  BENCH_ARGS passes options, e.g.
# BENCH_ARGS="--sizes 1024 --runs 1"; the bitmap-ready table alone:
# BENCH_ARGS="--bitmap-only --sizes 1024 --runs 1" (--cpus 1,2 by default).
# Panic -> the next kernel's init (kdump, bmdump reset, bmdump.final=boot)
# alone: BENCH_ARGS="--next-init-only --sizes 1024 --runs 1".
BENCH_TRANSPORTS	?= nvme,virtio,ahci
BENCH_ARGS	?=

bench: deps all
	$(PYTHON) tests/bench/bench.py --transports $(BENCH_TRANSPORTS) \
		$(BENCH_ARGS)

.PHONY: bench
