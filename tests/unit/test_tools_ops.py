# SPDX-License-Identifier: GPL-2.0
"""Host tests of the commands operators of kdump-tools, kdumpctl and
coredumpctl expect (issue 16): list, estimate, test, the off-box copy
after save, save's progress, and the messages the issue names."""

import json
import os
import re
import shutil
import stat

import toolsenv as T

STAMP = "202311142213"          # the synthetic dump's crash time, UTC
UTC = {"TZ": "UTC"}


def _saved(d, name="crash", conf_text="", pages=1000, incomplete=False):
    """A disk whose area held a dump, saved into d/name; returns (config,
    coredir, image)."""
    out = os.path.join(d, name)
    conf = T.write_config(d, "COREDIR=%s\n%s" % (out, conf_text))
    img, _ = T.make_disk(d)
    raw, _ = T.synth(d, pages=pages, incomplete=incomplete)
    T.testarea("inject", img, 0, raw, "complete")
    return conf, out, img


def _fake_sys(d, dry_run=None):
    """A fake /sys and /proc (BMDUMP_SYSROOT) of an armed machine."""
    root = os.path.join(d, "root")
    put = T.sysroot_writer(root)
    put("/sys/kernel/kexec_crash_size", "67108864\n")
    put("/sys/kernel/kexec_crash_loaded", "0\n")
    put("/sys/kernel/bmdump/state", "armed\n")
    put("/sys/kernel/bmdump/descriptor", "0x3f001000\n")
    put("/sys/kernel/bmdump/dump_level", "31\n")
    put("/proc/sysrq-trigger", "")
    if dry_run is not None:
        put("/sys/kernel/bmdump/dry_run", dry_run)
    return root, put


def _dry_run(pages, max_pfn, level=31):
    return ("hole 1000\nfree 5\ncache 0\ncache_private 0\nuser 0\n"
            "hwpoison 0\noffline 0\nkernel %d\nunknown 0\nexcluded_kept 0\n"
            "pages_set %d\nmax_pfn %d\ndump_level %d\nfill_cycles 9\n"
            "fill_us 812\ntsc_khz 2000000\nkernel_free_pages 7\n"
            % (pages, pages, max_pfn, level))


def test_tools_messages():
    """Issue 16's messages: one line, one prefix, the fix named."""
    p = T.run(["help", "help"], check=0)
    assert p.stdout.startswith("usage: bmdump help"), p.stdout
    for cmd in ("list", "estimate", "test"):
        assert T.run(["help", cmd], check=0).stdout.startswith(
            "usage: bmdump " + cmd)
    p = T.run(["--config"], check=2)
    assert p.stderr == ("bmdump: --config needs a FILE argument (bmdump "
                        "--config FILE COMMAND)\n"), p.stderr
    p = T.run(["status", "--bogus"], check=2)
    assert p.stderr == ("bmdump status: unknown option --bogus (see bmdump "
                        "help status)\n"), p.stderr
    p = T.run(["save", "--dir"], check=2)
    assert p.stderr.count("\n") == 1 and "--dir needs an argument" \
        in p.stderr, p.stderr
    for cmd in ("status", "list", "estimate", "test", "save", "unload",
                "load"):
        p = T.run([cmd, "leftover"], check=2)
        assert "unexpected argument leftover" in p.stderr, (cmd, p.stderr)
    d = T.workdir("messages")
    for key, val in (("KEXEC", "sbin/kexec"), ("COREDIR", "crash"),
                     ("STUB", "stub.bzImage")):
        conf = T.write_config(d, "%s=%s\n" % (key, val))
        p = T.run(["list"], config=conf, check=2)
        assert key in p.stderr and "absolute" in p.stderr, p.stderr
    # Commands that need root say so.
    conf = T.stub_config(d)
    for cmd in ("load", "unload"):
        p = T.run([cmd], config=conf, uid=65534, check=1)
        assert "must be run as root" in p.stderr, p.stderr


def test_tools_status_kexec_support_and_paths():
    d = T.workdir("status-kexec")
    root, put = _fake_sys(d)
    env = {"BMDUMP_SYSROOT": root}
    stub = os.path.join(d, "missing.bzImage")
    conf = T.write_config(d, "AREA=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0\n"
                          "STUB=%s\nKEXEC=%s/nokexec\n" % (stub, d))
    os.remove(os.path.join(root, "sys/kernel/kexec_crash_size"))
    p = T.run(["status", "--json"], config=conf, env=env, check=3)
    j = json.loads(p.stdout)
    codes = [r["code"] for r in j["reasons"]]
    assert "no-kexec-support" in codes and "no-crashkernel" not in codes
    msgs = " ".join(r["message"] for r in j["reasons"])
    assert "no kexec crash support" in msgs and stub in msgs, msgs
    assert "KEXEC=%s/nokexec is not an executable" % d in msgs, msgs
    put("/sys/kernel/kexec_crash_size", "0\n")
    p = T.run(["status"], config=conf, env=env, check=3)
    assert "no crashkernel memory reserved" in p.stdout, p.stdout
    assert "no kexec crash support" not in p.stdout


def test_tools_prepare_whole_disk_and_existing_area():
    d = T.workdir("prepare-msgs")
    img, uuid = T.make_disk(d)
    p = T.run(["prepare", img], check=2)
    assert "whole disk" in p.stderr and "--create" in p.stderr, p.stderr
    p = T.run(["prepare", "--from", img, "--partition", "1"], check=0)
    assert "held area %s" % uuid in p.stderr and "AREA=" in p.stderr, \
        p.stderr
    new = re.search(r"^AREA=(\S+)$", p.stdout, re.M).group(1)
    assert new != uuid


def test_tools_prepare_boot_slot():
    """--boot-slot leaves the boot set's slot between the dump and the
    self-test tail (include/bmdump/bootset.h): the dump shrinks by it."""
    d = T.workdir("prepare-boot-slot")
    img, uuid = T.make_disk(d)
    plain = int(T.header(img, 1)["dump_capacity"])
    T.run(["prepare", "--from", img, "--partition", "1", "--force",
           "--boot-slot", "8M"], check=0)
    assert int(T.header(img, 1)["dump_capacity"]) == plain - (8 << 20)
    for bad in ("1M", "4097K", "x"):
        p = T.run(["prepare", "--from", img, "--partition", "1", "--force",
                   "--boot-slot", bad], check=2)
        assert "--boot-slot" in p.stderr, p.stderr
    p = T.run(["prepare", "--from", img, "--partition", "1", "--force",
               "--boot-slot", "64M"], check=1)
    assert "boot slot" in p.stderr, p.stderr


def test_tools_list():
    d = T.workdir("list")
    conf, out, img = _saved(d)
    T.run(["save", "--from", img], config=conf, env=UTC, check=0)
    raw, _ = T.synth(d, pages=500, name="inc.kdump", incomplete=True)
    T.testarea("inject", img, 0, raw, "complete")
    T.run(["save", "--from", img], config=conf, env=UTC, check=0)
    # The crashed kernel's log says why; bytes in it are not trusted.
    with open(os.path.join(out, STAMP, "dmesg." + STAMP), "a") as f:
        f.write("[ 9.1] Kernel panic - not syncing: sysrq triggered "
                "crash\x1b[31m!\n[ 9.2] ---[ end ]---\n")
    # Not save's: no marker; a symlink; a file.
    os.makedirs(os.path.join(out, "202001010000"), mode=0o700)
    os.symlink("/etc", os.path.join(out, "202001010001"))
    with open(os.path.join(out, "202001010002"), "w") as f:
        f.write("x")
    p = T.run(["list", "--from", img], config=conf, env=UTC, check=0)
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["DUMP", "KERNEL", "COMPLETE", "SIZE",
                                "REASON"], lines
    assert len(lines) == 4, lines
    first, second = lines[1], lines[2]
    assert first.startswith(STAMP + " ") and " complete " in first
    assert "sysrq triggered crash?[31m!" in first, first
    assert "\x1b" not in p.stdout
    assert second.startswith(STAMP + "-2 ") and "INCOMPLETE" in second
    assert lines[3].startswith("area: ") and "saved" in lines[3], lines
    j = json.loads(T.run(["list", "--json", "--from", img], config=conf,
                         env=UTC, check=0).stdout)
    assert [x["name"] for x in j["dumps"]] == [STAMP, STAMP + "-2"]
    assert j["dumps"][0]["complete"] and not j["dumps"][1]["complete"]
    size = os.path.getsize(os.path.join(out, STAMP, "dump." + STAMP))
    assert j["dumps"][0]["size_bytes"] == size
    assert j["dumps"][0]["kernel"] != "?"
    empty = T.write_config(d, "COREDIR=%s/none\n" % d)
    p = T.run(["list"], config=empty, check=0)
    assert "No dumps in" in p.stdout and "not configured" in p.stdout


def test_tools_estimate_and_capacity_warnings():
    d = T.workdir("estimate")
    img, uuid = T.make_disk(d)            # about 39 MiB of capacity
    root, put = _fake_sys(d, _dry_run(2000, 262144))
    env = {"BMDUMP_SYSROOT": root}
    conf = T.write_config(d, "DUMP_LEVEL=31\n")
    p = T.run(["estimate", "--from", img], config=conf, env=env, check=0)
    assert "a crash now would write" in p.stdout and "fits" in p.stdout
    assert "64.0 MiB reserved" in p.stdout, p.stdout
    j = json.loads(T.run(["estimate", "--json", "--from", img], config=conf,
                         env=env, check=0).stdout)
    # Contract 3's layout: header, 2 x 8 KiB bitmaps, 24-byte
    # descriptors, the shared zero page, 4 KiB per page.
    assert j["pages"] == 2000 and j["fits"]
    assert 2000 * 4096 < j["bytes"] < 2000 * 4096 + 200 * 1024, j
    put("/sys/kernel/bmdump/dry_run", _dry_run(20000, 262144, level=1))
    p = T.run(["estimate", "--from", img], config=conf, env=env, check=1)
    assert "TOO SMALL" in p.stdout and "level is 1" in p.stdout, p.stdout
    # prepare warns at once.
    p = T.run(["prepare", "--from", img, "--partition", "1"], config=conf,
              env=env, check=0)
    assert "area is too small" in p.stderr, p.stderr
    os.remove(os.path.join(root, "sys/kernel/bmdump/dry_run"))
    p = T.run(["estimate"], config=conf, env=env, check=1)
    assert "module bmdump is not loaded" in p.stderr, p.stderr


def test_tools_test_reports_every_check():
    """bmdump test: status's and load's checks, all of them, exit 3; and
    --crash does not crash a machine whose crash would not be captured
    (the armed drill runs in the rig: tests/e2e/test_offbox.py)."""
    d = T.workdir("test-cmd")
    out = os.path.join(d, "crash")
    os.makedirs(out, mode=0o777)
    os.chmod(out, 0o777)
    stub = os.path.join(d, "nostub")
    conf = T.write_config(d, "AREA=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0\n"
                          "STUB=%s\nCOREDIR=%s\n" % (stub, out))
    root, put = _fake_sys(d)
    env = {"BMDUMP_SYSROOT": root}
    p = T.run(["test"], config=conf, env=env, check=3)
    for want in ("not armed: the stub image %s is missing" % stub,
                 "not armed: the stub is not loaded",
                 "not armed: no partition holds area",
                 "FAILED: COREDIR=%s is not a directory only" % out):
        assert want in p.stdout, (want, p.stdout)
    assert re.search(r"test: FAILED: [4-9] checks failed", p.stdout)
    trigger = os.path.join(root, "proc/sysrq-trigger")
    p = T.run(["test", "--crash", "--yes"], config=conf, env=env, check=3)
    assert "not crashing" in p.stderr, p.stderr
    assert open(trigger).read() == ""
    assert not os.path.exists(os.path.join(out, ".crash-test"))
    p = T.run(["test", "--crash"], config=conf, uid=65534, check=1)
    assert "must be run as root" in p.stderr, p.stderr


def test_tools_crash_drill_reported_by_save():
    """test --crash leaves a marker, writes c to sysrq-trigger; the next
    save says whether the drill's dump made it."""
    d = T.workdir("crash-drill")
    conf, out, img = _saved(d)
    os.makedirs(out, mode=0o700)
    # As test --crash leaves it (the rig runs the real drill).
    marker = os.path.join(out, ".crash-test")
    with open(marker, "w") as f:
        f.write("time=1700000000\n")
    os.chmod(marker, 0o600)
    p = T.run(["save", "--from", img], config=conf, env=UTC, check=0)
    assert "crash test of" in p.stdout and "PASSED" in p.stdout, p.stdout
    assert not os.path.exists(marker)
    with open(marker, "w") as f:
        f.write("time=1700000000\n")
    p = T.run(["save", "--from", img], config=conf, env=UTC, check=0)
    assert "FAILED" in p.stdout and "stub's log" in p.stdout, p.stdout


def _fake_bin(d, name, body):
    b = os.path.join(d, "bin")
    os.makedirs(b, exist_ok=True)
    path = os.path.join(b, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return b


def test_tools_offbox_ssh_and_nfs():
    """SSH= and NFS= after save, through fake ssh/scp/mount on PATH that
    log their argv: no shell on our side, options in place, the copy
    renamed when whole, failures leave the dump."""
    d = T.workdir("offbox")
    remote = os.path.join(d, "remote")
    log = os.path.join(d, "argv.log")
    key = os.path.join(d, "id")
    open(key, "w").close()
    # ssh: run the remote command locally; scp: cp -r.
    b = _fake_bin(d, "ssh", 'echo "ssh $*" >> %s\n'
                  'eval "last=\\${$#}"; exec sh -c "$last"\n' % log)
    _fake_bin(d, "scp", 'echo "scp $*" >> %s\n[ -e %s/fail ] && exit 7\n'
              'eval "dst=\\${$#}"; eval "src=\\${$(($#-1))}"\n'
              'exec cp -rp "$src" "${dst#*:}"\n' % (log, d))
    share = os.path.join(d, "share")
    os.makedirs(share)
    # mount SERVER:/EXPORT MNT: the "export" appears at MNT.
    _fake_bin(d, "mount", 'echo "mount $*" >> %s\neval "m=\\${$#}"\n'
              'rmdir "$m" && ln -s %s "$m"\n' % (log, share))
    _fake_bin(d, "umount", 'echo "umount $*" >> %s\n'
              'rm "$1" && mkdir "$1"\n' % log)
    env = dict(UTC, PATH=b + ":" + os.environ["PATH"])
    conf, out, img = _saved(d, conf_text="SSH=dumps@central\nSSH_KEY=%s\n"
                            "SSH_PORT=2222\nSSH_PATH=%s\nNFS=nfs1:/dumps\n"
                            % (key, remote))
    p = T.run(["save", "--from", img], config=conf, env=env, check=0)
    node = os.uname().nodename
    dest = "%s-%s" % (re.sub(r"[^A-Za-z0-9._-]", "_", node), STAMP)
    assert "copied %s/%s to dumps@central:%s/%s" % (out, STAMP, remote,
                                                   dest) in p.stdout
    want = sorted(os.listdir(os.path.join(out, STAMP)))
    assert sorted(os.listdir(os.path.join(remote, dest))) == want
    assert sorted(os.listdir(os.path.join(share, dest))) == want
    argv = open(log).read()
    assert "ssh -o BatchMode=yes -i %s -p 2222 -- dumps@central" % key \
        in argv, argv
    assert "scp -q -r -p -o BatchMode=yes -i %s -P 2222 --" % key in argv
    assert "mount -t nfs nfs1:/dumps " in argv and "umount " in argv
    # A failed copy: reported, exit 1, the dump stays (KEEP_LOCAL=no too).
    with open(conf, "a") as f:
        f.write("KEEP_LOCAL=no\nNFS=\n")
    open(os.path.join(d, "fail"), "w").close()
    raw, _ = T.synth(d, pages=300, name="b.kdump")
    T.testarea("inject", img, 0, raw, "complete")
    p = T.run(["save", "--from", img], config=conf, env=env, check=1)
    assert "failed (exit 7)" in p.stderr and "stays in" in p.stderr
    assert os.path.isdir(os.path.join(out, STAMP + "-2"))
    # Copied: KEEP_LOCAL=no removes the local one.
    os.remove(os.path.join(d, "fail"))
    T.testarea("inject", img, 0, raw, "complete")
    p = T.run(["save", "--from", img], config=conf, env=env, check=0)
    assert "KEEP_LOCAL=no" in p.stdout, p.stdout
    assert not os.path.exists(os.path.join(out, STAMP + "-3"))
    assert os.path.isdir(os.path.join(remote, "%s-%s-3" % (
        dest.rsplit("-", 1)[0], STAMP)))
    for bad in ("SSH=-oProxyCommand=x@h\n", "SSH=u@h;reboot\n",
                "SSH_PATH=/a b\n", "NFS=server\n"):
        c = T.write_config(d, bad)
        p = T.run(["list"], config=c, check=2)
        assert bad.split("=")[0] in p.stderr, p.stderr


def test_tools_save_progress_rate():
    d = T.workdir("progress")
    conf, out, img = _saved(d, pages=3000)
    p = T.run(["save", "--progress", "--from", img], config=conf, env=UTC,
              check=0)
    lines = [l for l in re.split(r"[\r\n]", p.stderr) if "saving [" in l]
    assert lines and all("MiB/s" in l for l in lines), p.stderr
    assert all(" left" in l for l in lines[:-1]), p.stderr
    # One 100 % line, and it has no time left.
    assert [l for l in lines if "100.0 %" in l] == lines[-1:], p.stderr
    assert " left" not in lines[-1]
