# SPDX-License-Identifier: GPL-2.0
"""Host tests of the bmdump command on disk images: prepare's refusals,
save's files, modes, naming, retention and guards, info, exit codes."""

import json
import os
import re
import stat
import subprocess

import gptimage
import toolsenv as T

TYPE_GUID = "773451C3-E640-4C89-9AAB-B4FE3B56A9C9"


def test_tools_cli_help_and_usage():
    p = T.run(["--help"], check=0)
    assert "prepare" in p.stdout and "exit codes" in p.stdout
    for cmd in ("prepare", "load", "unload", "status", "save", "info"):
        p = T.run(["help", cmd], check=0)
        assert p.stdout.startswith("usage: bmdump " + cmd), p.stdout
        p = T.run([cmd, "--help"], check=0)
        assert "usage:" in p.stdout
    T.run(["frobnicate"], check=2)
    T.run(["help", "frobnicate"], check=2)
    T.run(["save", "--compress", "gzip"], check=2)
    T.run(["prepare"], check=2)
    T.run(["info"], check=2)
    p = T.run(["load"], check=2)
    assert "does not exist" in p.stderr


def test_tools_prepare_create_sets_type_and_header():
    d = T.workdir("prepare-create")
    img, uuid = T.make_disk(d)
    table = T.sfdisk_dump(img)
    assert "label: gpt" in table
    assert "type=" + TYPE_GUID in table, table
    h = T.header(img)
    assert h["uuid"] == uuid
    assert h["state"] == "empty"
    assert int(h["dump_offset"]) % (1 << 20) == 0
    assert int(h["dump_capacity"]) > 30 << 20
    # A second partition appended to the same disk gets its own area.
    p = T.run(["prepare", "--create", img, "--size", "8M"], check=0)
    uuid2 = re.search(r"AREA=(\S+)", p.stdout).group(1)
    assert uuid2 != uuid
    assert T.header(img, 2)["uuid"] == uuid2
    assert T.header(img, 1)["uuid"] == uuid


def test_tools_prepare_create_4kn_disk():
    """On a disk with 4096-byte logical blocks the new partition holds
    exactly --size (sfdisk counts size= in the disk's own blocks), at a
    4 KiB boundary.  A 4Kn loop device (make test runs as root); the table
    is read back from the image with 4096-byte sectors, since some hosts
    (containers) give loop devices no partition nodes, and then prepare
    stops, as it must, after sfdisk: the partition does not appear."""
    d = T.workdir("prepare-4kn")
    img = os.path.join(d, "disk.img")
    with open(img, "wb") as f:
        f.truncate(96 << 20)
    loop = subprocess.run(["losetup", "--find", "--show", "--partscan",
                           "--sector-size", "4096", img],
                          capture_output=True, text=True,
                          check=True).stdout.strip()
    try:
        with open("/sys/class/block/%s/queue/logical_block_size"
                  % os.path.basename(loop)) as f:
            assert f.read().strip() == "4096"
        p = T.run(["prepare", "--create", loop, "--size", "40M"])
        assert p.returncode == 0 or "partition 1 of %s did not appear" \
            % loop in p.stderr, p.stderr
        # --size not a whole number of the disk's blocks: refused
        p2 = T.run(["prepare", "--create", loop, "--size", "4098K"])
        assert p2.returncode and "multiple of" in p2.stderr and \
            "4096-byte" in p2.stderr, p2.stderr
    finally:
        subprocess.run(["losetup", "-d", loop], check=True)
    parts = gptimage.partitions(img, 4096)
    assert [(t, n) for t, _, n in parts] == [(TYPE_GUID, 40 << 20)], parts
    assert parts[0][1] % 4096 == 0, parts


def test_tools_prepare_refuses_ext4():
    d = T.workdir("prepare-ext4")
    img = os.path.join(d, "disk.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["sfdisk", "--quiet", img], input="label: gpt\n"
                   "size=40MiB, type=linux\n", text=True, check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "offset=%d" % (1 << 20),
                    img, "40M"], check=True)
    p = T.run(["prepare", "--from", img, "--partition", "1"], check=1)
    assert "ext4" in p.stderr and "--force" in p.stderr, p.stderr
    # Nothing changed: still ext4, still a Linux partition.
    blk = subprocess.run(["blkid", "-p", "-O", str(1 << 20), img],
                         capture_output=True, text=True).stdout
    assert 'TYPE="ext4"' in blk, blk
    assert TYPE_GUID not in T.sfdisk_dump(img)
    p = T.run(["prepare", "--from", img, "--partition", "1", "--force"],
              check=0)
    assert "AREA=" in p.stdout
    blk = subprocess.run(["blkid", "-p", "-O", str(1 << 20), img],
                         capture_output=True, text=True).stdout
    assert "ext4" not in blk, blk
    assert TYPE_GUID in T.sfdisk_dump(img)
    assert T.header(img, 1)["state"] == "empty"


def test_tools_prepare_refuses_mbr_and_nonblank_disk():
    d = T.workdir("prepare-mbr")
    img = os.path.join(d, "disk.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["sfdisk", "--quiet", img], input="label: dos\n"
                   "size=40MiB, type=83\n", text=True, check=True)
    p = T.run(["prepare", "--from", img, "--partition", "1"], check=1)
    assert "GPT" in p.stderr, p.stderr
    p = T.run(["prepare", "--create", img, "--size", "8M"], check=1)
    assert "dos" in p.stderr and "GPT" in p.stderr, p.stderr
    # A whole disk holding a filesystem is not partitioned over.
    img2 = os.path.join(d, "fs.img")
    with open(img2, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", img2], check=True)
    p = T.run(["prepare", "--create", img2, "--size", "8M"], check=1)
    assert "ext4" in p.stderr, p.stderr


def test_tools_prepare_create_refuses_size_beyond_disk():
    """--size larger than the disk (a kernel that named the disks in
    another order) is refused before sfdisk, naming the disk's size."""
    d = T.workdir("prepare-too-big")
    img = os.path.join(d, "small.img")
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    p = T.run(["prepare", "--create", img, "--size", "32M"], check=1)
    assert "16.0 MiB disk" in p.stderr and "by-id" in p.stderr, p.stderr
    with open(img, "rb") as f:
        assert f.read(1024)[512:520] != b"EFI PART"    # no table written
    # Appending: room left next to the existing area counts, not the disk.
    img, _ = T.make_disk(d, size_mib=64, area_mib=40)
    p = T.run(["prepare", "--create", img, "--size", "30M"], check=1)
    assert "64.0 MiB disk" in p.stderr, p.stderr
    T.run(["prepare", "--create", img, "--size", "16M"], check=0)


def test_tools_prepare_refuses_unsaved_dump():
    d = T.workdir("prepare-unsaved")
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=2000)
    T.testarea("inject", img, 0, raw, "complete")
    p = T.run(["prepare", "--from", img, "--partition", "1"], check=1)
    assert "not saved" in p.stderr and uuid in p.stderr, p.stderr
    assert T.header(img)["state"] == "complete"
    T.testarea("set-state", img, 0, "writing")
    T.run(["prepare", "--from", img, "--partition", "1"], check=1)
    p = T.run(["prepare", "--from", img, "--partition", "1", "--force"],
              check=0)
    h = T.header(img)
    assert h["state"] == "empty" and h["uuid"] != uuid
    # Saved dumps may be prepared over without --force.
    T.testarea("inject", img, 0, raw, "complete")
    T.testarea("set-state", img, 0, "saved")
    T.run(["prepare", "--from", img, "--partition", "1"], check=0)


def test_tools_save_nothing_to_save():
    d = T.workdir("save-nothing")
    img, uuid = T.make_disk(d)
    out = os.path.join(d, "crash")
    p = T.run(["save", "--from", img, "--dir", out], check=0)
    assert "nothing to save" in p.stdout and "empty" in p.stdout
    assert T.dump_dirs(out) == []


def _saved_files(out):
    dirs = T.dump_dirs(out)
    assert len(dirs) == 1, dirs
    return os.path.join(out, dirs[0]), sorted(os.listdir(
        os.path.join(out, dirs[0])))


def test_tools_save_files_modes_and_twice():
    d = T.workdir("save-twice")
    img, uuid = T.make_disk(d)
    raw, info = T.synth(d, pages=5000)
    T.testarea("inject", img, 0, raw, "complete")
    out = os.path.join(d, "crash")
    p = T.run(["save", "--from", img, "--dir", out, "--compress", "zlib"],
              check=0, umask=0, env={"TZ": "UTC"})
    assert "saved" in p.stdout
    path, files = _saved_files(out)
    stamp = "202311142213"     # SYNTH_TIME in UTC
    assert os.path.basename(path) == stamp
    for f in ("dump." + stamp, "info." + stamp, "bmdump-log." + stamp,
              "area." + stamp):
        assert f in files, files
    assert "dump-incomplete" not in files
    for f in files:
        mode = stat.S_IMODE(os.stat(os.path.join(path, f)).st_mode)
        assert mode == 0o600, (f, oct(mode))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    h = T.header(img)
    assert h["state"] == "saved" and int(h["save_time"]) > 0
    j = T.info_json([os.path.join(path, "dump." + stamp)])
    assert j["dump"]["pages"] == info["pages"]
    assert j["dump"]["compression"] == "zlib"
    assert j["dump"]["release"] == "6.1.0-synth"
    assert j["dump"]["incomplete"] is False
    # The stub log next to the dump gives info the crashed CPU.
    assert j["dump"]["crashed_cpu"] == 1
    assert j["dump"]["rip"] == "ffffffff81000100"
    # Saving again: harmless, nothing new.
    p = T.run(["save", "--from", img, "--dir", out], check=0)
    assert "nothing to save" in p.stdout and "was saved on" in p.stdout
    assert T.dump_dirs(out) == [stamp]
    assert sorted(os.listdir(path)) == files


def test_tools_save_read_only_keeps_area():
    d = T.workdir("save-ro")
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=1500)
    T.testarea("inject", img, 0, raw, "complete")
    out = os.path.join(d, "crash")
    p = T.run(["save", "--from", img, "--dir", out, "--read-only"], check=0)
    assert "left as it was (--read-only)" in p.stdout, p.stdout
    assert T.header(img)["state"] == "complete"
    assert len(T.dump_dirs(out)) == 1
    # A read-only image is saved from but cannot be marked.  Root writes
    # through mode 0444, so as root the image is made immutable instead.
    out2 = os.path.join(d, "crash-ro")
    root = os.geteuid() == 0
    if root:
        subprocess.run(["chattr", "+i", img], check=True)
    else:
        os.chmod(img, 0o444)
    try:
        p = T.run(["save", "--from", img, "--dir", out2], check=0,
                  env={"TZ": "UTC"})
    finally:
        if root:
            subprocess.run(["chattr", "-i", img], check=True)
        os.chmod(img, 0o644)
    assert "is read-only: the area is not marked saved" in p.stderr, \
        p.stderr
    assert T.header(img)["state"] == "complete", T.header(img)
    assert len(T.dump_dirs(out2)) == 1, os.listdir(out2)


def test_tools_save_interrupted_then_renamed():
    d = T.workdir("save-interrupted")
    img, uuid = T.make_disk(d)
    raw, info = T.synth(d, pages=6000)
    T.testarea("inject", img, 0, raw, "complete")
    out = os.path.join(d, "crash")
    # Fault injection: the process dies mid-way, as in a power cut.
    p = T.run(["save", "--from", img, "--dir", out],
              env={"BMDUMP_TEST_ABORT_AFTER_PAGES": "1000", "TZ": "UTC"})
    assert p.returncode == 99, (p.returncode, p.stderr)
    path, files = _saved_files(out)
    assert "dump-incomplete" in files, files
    assert not any(f.startswith("dump.") for f in files), files
    assert T.header(img)["state"] == "complete"
    # The next save finishes the job in the same directory, even when the
    # clock says another minute (another time zone here).
    T.run(["save", "--from", img, "--dir", out], check=0,
          env={"TZ": "Asia/Kolkata"})
    path2, files = _saved_files(out)
    assert path2 == path
    assert "dump-incomplete" not in files, files
    assert "dump.202311142213" in files
    assert T.header(img)["state"] == "saved"
    j = T.info_json([os.path.join(path, "dump.202311142213")])
    assert j["dump"]["pages"] == info["pages"]


def test_tools_save_retention_keep():
    d = T.workdir("save-keep")
    out = os.path.join(d, "crash")
    os.makedirs(out)
    old = ["202001010000", "202101010000", "202201010000"]
    for n in old:      # as an earlier save left them: 0700, a marker
        os.makedirs(os.path.join(out, n), mode=0o700)
        for f in ("dump.", "area."):
            with open(os.path.join(out, n, f + n), "w") as f:
                f.write("area=old\n")
    os.makedirs(os.path.join(out, "notes"))
    os.makedirs(os.path.join(out, "201901010000"))   # not save's
    with open(os.path.join(out, "201901010000", "dump.x"), "w") as f:
        f.write("kdump-tools")
    conf = T.write_config(d, "KEEP=2\nCOREDIR=%s\n" % out)
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=1000)
    T.testarea("inject", img, 0, raw, "complete")
    p = T.run(["save", "--from", img], config=conf, check=0,
              env={"TZ": "UTC"})
    assert "removed old dump" in p.stderr, p.stderr
    left = sorted(os.listdir(out))
    assert left == ["201901010000", "202201010000", "202311142213",
                    "notes"], left
    # A second dump in the same minute: both kept, the older removed.
    T.testarea("inject", img, 0, raw, "complete")
    T.run(["save", "--from", img], config=conf, check=0, env={"TZ": "UTC"})
    assert T.dump_dirs(out) == ["201901010000", "202311142213",
                                "202311142213-2"]


def test_tools_save_free_space_guard():
    d = T.workdir("save-guard")
    conf = T.write_config(d, "MIN_FREE=1000T\n")
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=1000)
    T.testarea("inject", img, 0, raw, "complete")
    out = os.path.join(d, "crash")
    p = T.run(["save", "--from", img, "--dir", out], config=conf, check=1)
    assert "not enough space" in p.stderr and "MIN_FREE" in p.stderr
    assert "stays in the area" in p.stderr
    for n in T.dump_dirs(out):
        assert not [f for f in os.listdir(os.path.join(out, n))
                    if f.startswith("dump")]
    assert T.header(img)["state"] == "complete"


def test_tools_save_incomplete_variants():
    d = T.workdir("save-incomplete")
    out = os.path.join(d, "crash")
    raw, info = T.synth(d, pages=4000)
    # 1. The stub flagged the area incomplete.
    img, _ = T.make_disk(d)
    T.testarea("inject", img, 0, raw, "complete", "area-incomplete")
    T.run(["save", "--from", img, "--dir", out, "--read-only"], check=0)
    # 2. The stub never finished (state WRITING): salvaged, flagged.
    T.testarea("inject", img, 0, raw, "writing")
    p = T.run(["save", "--from", img, "--dir", out], check=0)
    assert "never finished" in p.stderr
    # 3. The image did not fit the area: a partial dump.
    big, binfo = T.synth(d, pages=12000, name="big.kdump")
    os.unlink(img)
    img, _ = T.make_disk(d, size_mib=64, area_mib=8)
    T.testarea("inject", img, 0, big, "complete")
    p = T.run(["save", "--from", img, "--dir", out], check=0)
    assert "missing from the dump" in p.stderr, p.stderr
    dumps = []
    for n in T.dump_dirs(out):
        for f in os.listdir(os.path.join(out, n)):
            if f.startswith("dump."):
                dumps.append(os.path.join(out, n, f))
    assert len(dumps) == 3, dumps
    for path in dumps:
        j = T.info_json([path])
        assert j["dump"]["incomplete"] is True, path
        p = T.run(["info", path], check=0)
        assert "INCOMPLETE" in p.stdout
    small = [T.info_json([p])["dump"]["pages"] for p in dumps]
    assert min(small) < binfo["pages"]


def test_tools_info_area_and_json():
    d = T.workdir("info")
    img, uuid = T.make_disk(d)
    j = T.info_json(["--from", img])
    assert j["area"]["uuid"] == uuid and j["area"]["state"] == "empty"
    assert "dump" not in j
    raw, info = T.synth(d, pages=3000)
    T.testarea("inject", img, 0, raw, "complete")
    j = T.info_json(["--from", img])
    assert j["area"]["state"] == "complete"
    assert j["dump"]["pages"] == info["pages"]
    assert j["dump"]["crashed_cpu"] == 1
    assert "test injection" in j["log"]
    p = T.run(["info", "--from", img], check=0)
    for s in ("state:          complete", "6.1.0-synth", "crashed cpu:    1",
              "stub log", "bitmap source:  full"):
        assert s in p.stdout, (s, p.stdout)
    p = T.run(["info", raw], check=0)
    assert "crashed cpu:    unknown" in p.stdout


def test_tools_corrupt_area_exit_codes():
    d = T.workdir("corrupt")
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=2000)
    T.testarea("inject", img, 0, raw, "complete")
    off = int(T.header(img)["offset"])
    out = os.path.join(d, "crash")
    with open(img, "r+b") as f:
        f.seek(off + 100)
        b = f.read(1)
        f.seek(off + 100)
        f.write(bytes([b[0] ^ 0xff]))
    for args in (["info", "--from", img], ["save", "--from", img,
                                           "--dir", out]):
        p = T.run(args, check=4)
        assert "CRC" in p.stderr, p.stderr
    # Repair the header, break the image's signature instead.
    with open(img, "r+b") as f:
        f.seek(off + 100)
        f.write(b)
        f.flush()
        dump_off = off + int(T.header(img)["dump_offset"])
        f.seek(dump_off)
        f.write(b"XXXXXXXX")
    p = T.run(["save", "--from", img, "--dir", out], check=4)
    assert "unreadable" in p.stderr and "prepare --force" in p.stderr
    assert T.header(img)["state"] == "complete"
    p = T.run(["info", "--from", img], check=4)
    # Not a dump at all, a truncated dump, a missing file.
    junk = os.path.join(d, "junk")
    with open(junk, "wb") as f:
        f.write(b"hello" * 1000)
    # Another kind of file is not a damaged dump (issue 16): exit 1.
    p = T.run(["info", junk], check=1)
    assert "not a dump file" in p.stderr, p.stderr
    assert "corrupt" not in p.stderr.replace(junk, "").lower(), p.stderr
    with open(raw, "rb") as f:
        data = f.read(9000)
    cut = os.path.join(d, "cut")
    with open(cut, "wb") as f:
        f.write(data)
    p = T.run(["info", cut], check=4)
    assert "truncated" in p.stderr
    T.run(["info", os.path.join(d, "absent")], check=1)


def test_tools_status_reasons_with_fake_sysfs():
    """status reads /sys, /proc and /run under $BMDUMP_SYSROOT; the rig
    produces the same reasons on a real kernel (tests/e2e)."""
    d = T.workdir("status-sysroot")
    root = os.path.join(d, "root")
    put = T.sysroot_writer(root)
    conf = T.stub_config(d)
    env = {"BMDUMP_SYSROOT": root}
    put("/sys/kernel/kexec_crash_size", "0\n")
    put("/sys/kernel/kexec_crash_loaded", "0\n")
    put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n")
    p = T.run(["status", "--json"], config=conf, env=env, check=3)
    codes = [r["code"] for r in json.loads(p.stdout)["reasons"]]
    assert codes == ["no-crashkernel", "module-missing", "area-missing"], \
        codes
    put("/sys/kernel/kexec_crash_size", "67108864\n")
    put("/sys/kernel/bmdump/state", "armed\n")
    put("/sys/kernel/bmdump/descriptor", "0x3f001000\n")
    put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n")
    put("/proc/sys/kernel/kexec_load_disabled", "1\n")
    p = T.run(["status", "--json"], config=conf, env=env, check=3)
    j = json.loads(p.stdout)
    codes = [r["code"] for r in j["reasons"]]
    assert codes == ["not-loaded", "area-missing", "lockdown",
                     "kexec-disabled"], codes
    assert j["lockdown"] == "integrity" and j["module_state"] == "armed"
    put("/sys/kernel/kexec_crash_loaded", "1\n")
    p = T.run(["status"], config=conf, env=env, check=3)
    assert "not by bmdump" in p.stdout, p.stdout
    put("/run/bmdump/loaded", "desc=0x3f000000\narea=0f1e2d3c-4b5a-4978-"
        "8695-a4b3c2d1e0f0\nmethod=kexec_file_load\n")
    p = T.run(["status", "--json"], config=conf, env=env, check=3)
    codes = [r["code"] for r in json.loads(p.stdout)["reasons"]]
    assert codes == ["stale-load", "area-missing"], codes
    bad = T.write_config(d, "DUMP_LEVEL=99\n")
    p = T.run(["status"], config=bad, env=env, check=3)
    assert "DUMP_LEVEL" in p.stdout


def test_tools_install_layout():
    """make install with DESTDIR and PREFIX puts every piece in place; the
    installed config parses, the units and man pages are well-formed."""
    d = T.workdir("install")
    dest = os.path.join(d, "root")
    subprocess.run(["make", "-s", "-C", T.ROOT, "install", "DESTDIR=" + dest,
                    "PREFIX=/usr/local"], check=True, capture_output=True)
    want = {
        "usr/local/sbin/bmdump": 0o755,
        "usr/local/lib/bmdump/bmdump.bzImage": 0o644,
        "etc/bmdump.conf": 0o644,
        "usr/local/lib/systemd/system/bmdump-save.service": 0o644,
        "usr/local/lib/systemd/system/bmdump-load.service": 0o644,
        "etc/udev/rules.d/90-bmdump.rules": 0o644,
        "etc/kernel/postinst.d/zz-bmdump": 0o755,
        "usr/local/share/man/man8/bmdump.8": 0o644,
        "usr/local/share/man/man5/bmdump.conf.5": 0o644,
    }
    for rel, mode in want.items():
        st = os.stat(os.path.join(dest, rel))
        assert stat.S_IMODE(st.st_mode) == mode, (rel, oct(st.st_mode))
    conf = os.path.join(dest, "etc/bmdump.conf")
    with open(conf) as f:
        text = f.read()
    assert "STUB=/usr/local/lib/bmdump/bmdump.bzImage" in text
    assert "@" not in text
    # Every key documented in the installed file parses without warnings.
    p = T.run(["status"], config=conf, env={"BMDUMP_SYSROOT": d})
    assert p.returncode == 3 and "warning" not in p.stderr, p.stderr
    assert "no AREA" in p.stdout
    for unit in ("bmdump-save.service", "bmdump-load.service"):
        with open(os.path.join(dest, "usr/local/lib/systemd/system",
                               unit)) as f:
            u = f.read()
        assert "/usr/local/sbin/bmdump" in u and "@" not in u, u
    with open(os.path.join(dest, "etc/udev/rules.d/90-bmdump.rules")) as f:
        assert "try-restart bmdump-load.service" in f.read()
    for man in ("usr/local/share/man/man8/bmdump.8",
                "usr/local/share/man/man5/bmdump.conf.5"):
        g = subprocess.run(["groff", "-man", "-ww", "-z",
                            os.path.join(dest, man)], capture_output=True,
                           text=True)
        assert g.returncode == 0 and not g.stderr, (man, g.stderr)
    sh = subprocess.run(["sh", "-n", os.path.join(
        dest, "etc/kernel/postinst.d/zz-bmdump")])
    assert sh.returncode == 0


def test_tools_save_progress_bar_on_terminal():
    """A progress bar on stderr when it is a terminal, none otherwise."""
    import pty
    d = T.workdir("save-progress")
    img, uuid = T.make_disk(d)
    raw, info = T.synth(d, pages=5000)
    T.testarea("inject", img, 0, raw, "complete")
    master, slave = pty.openpty()
    env = dict(os.environ, BMDUMP_CONFIG="/nonexistent")
    p = subprocess.Popen([T.BMDUMP, "save", "--from", img, "--read-only",
                          "--dir", os.path.join(d, "a")], env=env,
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    p.wait(timeout=120)
    os.close(master)
    assert p.returncode == 0
    text = err.decode()
    assert "\rbmdump: saving [" in text, text
    assert "100.0 %%] %d/%d pages" % (info["pages"], info["pages"]) in text
    q = T.run(["save", "--from", img, "--read-only", "--dir",
               os.path.join(d, "b")], check=0)
    assert "saving [" not in q.stderr


def test_tools_selftest_refusals_and_install():
    """bmdump selftest refuses without UEFI, without an ESP, and under
    Secure Boot with an unsigned app; with --esp it installs the app and
    its options (no boot entry without the ESP's device)."""
    d = T.workdir("selftest")
    uuid = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a40"
    conf = T.write_config(d, "AREA=%s\n" % uuid)
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "proc", "self"))
    open(os.path.join(root, "proc", "self", "mountinfo"), "w").close()
    env = {"BMDUMP_SYSROOT": root}
    app = os.path.join(d, "app.efi")
    with open(app, "wb") as f:
        f.write(b"MZ" + bytes(1000))
    p = T.run(["selftest", "--app", app], env=env, config=conf)
    assert p.returncode != 0 and "did not boot with UEFI" in p.stderr, \
        p.stderr
    efivars = os.path.join(root, "sys", "firmware", "efi", "efivars")
    os.makedirs(efivars)
    p = T.run(["selftest", "--app", app], env=env, config=conf)
    assert p.returncode != 0 and "no EFI system partition" in p.stderr, \
        p.stderr
    esp = os.path.join(d, "esp")
    os.makedirs(esp)
    sb = os.path.join(efivars,
                      "SecureBoot-8be4df61-93ca-11d0-aa0d-00e098032b8c")
    with open(sb, "wb") as f:
        f.write(b"\x06\x00\x00\x00\x01")
    p = T.run(["selftest", "--app", app, "--esp", esp], env=env,
              config=conf)
    assert p.returncode != 0 and "Secure Boot is on" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(esp, "EFI"))
    os.unlink(sb)
    T.run(["selftest", "--app", app, "--esp", esp, "--reset"], env=env,
          config=conf, check=0)
    with open(os.path.join(esp, "EFI", "bmdump",
                           "bmdump-selftest.efi"), "rb") as f:
        assert f.read() == b"MZ" + bytes(1000)
    with open(os.path.join(esp, "EFI", "bmdump", "selftest.conf")) as f:
        assert f.read() == ("bmdump.area=%s bmdump.selftest_final=reset\n"
                            % uuid)
