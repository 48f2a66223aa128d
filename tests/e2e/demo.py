#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make demo: boot a QEMU + OVMF guest with Debian's kernel, load the stub
with kexec -p, crash the guest, and show what the stub printed before it
reset the machine."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crash  # noqa: E402


def main():
    print("demo: booting a 1 GiB, 2-CPU guest (QEMU TCG + OVMF), loading "
          "bmdump.bzImage with kexec -p, then echo c > /proc/sysrq-trigger")
    res = crash.run_crash("demo", loader="kexec_load", trigger="sysrq")
    t_panic = res.panic_time()
    for t, line in res.lines:
        if "RIG: uname" in line or "Kernel panic" in line or \
                line.startswith("bmdump: "):
            print("%8.3f  %s" % (t, line))
    if res.timed_out or t_panic is None:
        print("demo: FAILED, see %s" % res.log)
        return 1
    crash.check_crash(res, "kexec_load", 0)
    print("demo: panic -> reset %.2f s; the guest reset itself "
          "(QEMU exited rc=%d); serial log: %s"
          % (res.end - t_panic, res.rc, os.path.relpath(res.log)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
