# SPDX-License-Identifier: GPL-2.0
"""Issue 12 item 2 on the host side: saving a WRITING area (the stub died
mid-dump) keeps only the pages the area header proves are of this crash,
leaves the rest out and counts them."""

import os
import re

import toolsenv as T


def test_tools_salvage_keeps_only_proven_pages():
    d = T.workdir("salvage-proven")
    img, _ = T.make_disk(d)
    raw, info = T.synth(d, pages=3000)
    out = os.path.join(d, "crash")
    proven = 700
    T.testarea("inject", img, 0, raw, "writing", "proven=%d" % proven)
    p = T.run(["save", "--from", img, "--dir", out], check=0)
    assert "never finished" in p.stderr, p.stderr
    m = re.search(r"(\d+) pages could not be read", p.stderr)
    assert m, p.stderr
    assert int(m.group(1)) == info["pages"] - proven, p.stderr
    dirs = T.dump_dirs(out)
    dump = os.path.join(out, dirs[0], "dump." + dirs[0][:12])
    j = T.info_json([dump])
    assert j["dump"]["pages"] == proven and j["dump"]["incomplete"]
    # Nothing proven (a stub that died before its first mark, or one
    # from before the mark existed): no page can be trusted.
    T.testarea("inject", img, 0, raw, "writing", "proven=0")
    p = T.run(["save", "--from", img, "--dir", out], check=0)
    assert "no page" in p.stderr, p.stderr
    assert T.header(img)["state"] == "saved"
    assert len(T.dump_dirs(out)) == 2
