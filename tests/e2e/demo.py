#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make demo: the operator's whole cycle on a QEMU + OVMF guest running
Debian's kernel.  Boot 1: bmdump prepare, the config, bmdump load, bmdump
status, crash; the stub writes the dump and resets the machine.  Boot 2,
same disk: bmdump save, then bmdump info of the saved dump and the tail of
its dmesg."""

import os
import subprocess
import sys

# Run as a script: the shared test modules (tests/lib) as run.py has them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import cycle  # noqa: E402


def main():
    print("demo: boot 1 (1 GiB, 2 CPUs, NVMe): bmdump prepare, load, status, "
          "then echo c > /proc/sysrq-trigger", flush=True)
    checks, r1, r2 = cycle.run_cycle("demo")
    t_panic = r1.panic_time()
    print("\n--- boot 1, serial console after the panic (host seconds) ---")
    for t, line in r1.lines:
        if line.startswith("bmdump: ") and t_panic is not None and \
                t >= t_panic:
            print("%8.3f  %s" % (t, line))
    if t_panic is not None:
        print("panic -> reset: %.2f s (QEMU exited rc=%d)" %
              (r1.end - t_panic, r1.rc))
    print("\n--- boot 2: bmdump save, checks ---")
    print(checks.table())
    dump = checks.files.get("dump")
    if dump:
        print("\n--- bmdump info %s ---" % os.path.relpath(dump), flush=True)
        subprocess.run([cycle.R.BMDUMP, "info", dump])
    if checks.files.get("dmesg"):
        print("\n--- tail of %s ---" % os.path.relpath(checks.files["dmesg"]))
        with open(checks.files["dmesg"], errors="replace") as f:
            print("".join(f.readlines()[-12:]), end="")
    print("\nserial logs: %s %s" % (os.path.relpath(r1.log),
                                    os.path.relpath(r2.log)))
    if checks.failed():
        print("demo: FAILED")
        return 1
    print("demo: the whole cycle passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
