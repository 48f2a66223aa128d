# SPDX-License-Identifier: GPL-2.0
"""The two-boot cycle (issue 5's judge): prepare, load, status armed, crash;
save, readers, info, nothing to save, load, status armed again.  Needs the
kernel hook (build/bmdump.ko) and the stub's dump writer; see cycle.py."""

import cycle


def test_cycle():
    checks, r1, r2 = cycle.run_cycle("cycle")
    bad = checks.failed()
    assert not bad, "%d of %d cycle checks failed:\n%s\nlogs: %s %s" % (
        len(bad), len(checks.items), checks.table(), r1.log, r2.log)
