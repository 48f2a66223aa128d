# SPDX-License-Identifier: GPL-2.0
"""Issue 12 item 6 on the host: the area partition is root-only (udev
rule), `prepare --force` waits for no save (one lock), and `info` prints
no terminal control characters read out of an area."""

import fcntl
import os
import re
import signal
import subprocess
import time

import toolsenv as T

TYPE_GUID = "773451C3-E640-4C89-9AAB-B4FE3B56A9C9"


def _rules(d):
    dest = os.path.join(d, "dest")
    subprocess.run(["make", "-s", "install", "DESTDIR=" + dest],
                   cwd=T.ROOT, check=True, capture_output=True)
    with open(os.path.join(dest, "etc/udev/rules.d/90-bmdump.rules")) as f:
        return [l for l in f.read().splitlines()
                if l.strip() and not l.startswith("#")]


def test_tools_udev_area_root_only():
    rules = _rules(T.workdir("udev-rule"))
    mine = [l for l in rules if TYPE_GUID.lower() in l]
    assert len(mine) == 1, rules
    keys = dict((k, v) for k, op, v in re.findall(
        r'([A-Z_]+(?:\{[A-Z_]+\})?)\s*(==|:=|\+=|=)\s*"([^"]*)"', mine[0]))
    # udev reports the GPT type GUID in lower case, from blkid.
    assert keys.get("ENV{ID_PART_ENTRY_TYPE}") == TYPE_GUID.lower()
    assert keys.get("SUBSYSTEM") == "block"
    assert keys.get("OWNER") == "root" and keys.get("GROUP") == "root"
    assert keys.get("MODE") == "0600", mine[0]
    # Assigned with := so that no later rule gives the disk group back.
    assert re.search(r'MODE\s*:=\s*"0600"', mine[0]), mine[0]


def _wait_lock(path, held):
    """Until another process holds (held) or nobody holds the flock on
    path: the test's stand-in save starts and dies asynchronously."""
    for _ in range(600):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            fd = None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                free = True
            except BlockingIOError:
                free = False
            finally:
                os.close(fd)
            if free != held:
                return
        time.sleep(0.05)
    raise AssertionError("%s never became %s" % (
        path, "held" if held else "free"))


def test_tools_prepare_force_takes_the_save_lock():
    d = T.workdir("prepare-lock")
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=500)
    T.testarea("inject", img, 0, raw, "complete")
    lockdir = os.path.join(d, "run")
    os.makedirs(lockdir, mode=0o700)
    env = {"BMDUMP_LOCK_DIR": lockdir}
    # A save holds the lock (flock(1) standing in for it).
    holder = subprocess.Popen(["flock", os.path.join(lockdir, "save.lock"),
                               "sleep", "120"], start_new_session=True)
    try:
        _wait_lock(os.path.join(lockdir, "save.lock"), held=True)
        p = T.run(["prepare", "--from", img, "--partition", "1", "--force"],
                  env=env, check=1)
        assert "running" in p.stderr, p.stderr
        assert T.header(img, 1)["uuid"] == uuid
        assert T.header(img, 1)["state"] == "complete"
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    # flock's child, sleep, holds the lock until the kernel has torn it
    # down, which may be after flock itself was reaped.
    _wait_lock(os.path.join(lockdir, "save.lock"), held=False)
    p = T.run(["prepare", "--from", img, "--partition", "1", "--force"],
              env=env, check=0)
    assert T.header(img, 1)["state"] == "empty"


def test_tools_info_strips_control_characters():
    d = T.workdir("info-controls")
    img, uuid = T.make_disk(d)
    raw, _ = T.synth(d, pages=500)
    T.testarea("inject", img, 0, raw, "complete")
    T.testarea("poison", img, 0)
    env = dict(os.environ, BMDUMP_CONFIG="/nonexistent/bmdump.conf")
    for args in (["info", "--from", img], ["info", "--from", img, "--log"]):
        p = subprocess.run([T.BMDUMP] + args, capture_output=True, env=env)
        assert p.returncode == 0, p.stderr
        bad = [c for c in p.stdout if (c < 32 and c not in b"\n\t")
               or c == 127]
        assert not bad, (bad, p.stdout)
        assert b"owned" in p.stdout and b"cleared" in p.stdout
        assert b"6.1?[31mred on node?X?" in p.stdout, p.stdout
