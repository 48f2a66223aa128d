# SPDX-License-Identifier: GPL-2.0
"""Helpers for the host tests of the bmdump command: disk images with a
prepared area, the test helper that injects a kdump image the way the stub
leaves one, and running bmdump with its own config and output directory."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
BMDUMP = os.path.join(BUILD, "bmdump")
TESTAREA = os.path.join(BUILD, "tools", "bmdump-testarea")
WORK = os.path.join(BUILD, "tools-tests")


def workdir(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def run(args, env=None, config=None, check=None, umask=None, uid=None):
    """Runs bmdump; returns CompletedProcess (text).  uid: run as that
    user (and group), e.g. so that file modes hold for a test run as
    root."""
    e = dict(os.environ)
    e["BMDUMP_CONFIG"] = config or "/nonexistent/bmdump.conf"
    e.pop("BMDUMP_SYSROOT", None)
    # save's lock: one per test thread, not the host's /run/bmdump.
    e["BMDUMP_LOCK_DIR"] = os.path.join(WORK, "lock-%d"
                                        % threading.get_ident())
    if env:
        e.update(env)

    def pre():
        if umask is not None:
            os.umask(umask)
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)

    p = subprocess.run([BMDUMP] + list(args), capture_output=True,
                       text=True, env=e, timeout=300, preexec_fn=pre)
    if check is not None and p.returncode != check:
        raise AssertionError("bmdump %s: exit %d, want %d\nstdout:\n%s\n"
                             "stderr:\n%s" % (" ".join(args), p.returncode,
                                              check, p.stdout, p.stderr))
    return p


def testarea(*args):
    p = subprocess.run([TESTAREA] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=300)
    if p.returncode:
        raise AssertionError("bmdump-testarea %s: %s%s"
                             % (args, p.stdout, p.stderr))
    return p.stdout


def header(image, partno=0):
    out = testarea("header", image, partno)
    return dict(l.split("=", 1) for l in out.splitlines())


def make_disk(d, size_mib=64, area_mib=40):
    """A GPT disk image with one prepared area partition; returns
    (image path, area uuid)."""
    img = os.path.join(d, "disk.img")
    with open(img, "wb") as f:
        f.truncate(size_mib << 20)
    p = run(["prepare", "--create", img, "--size", "%dM" % area_mib],
            check=0)
    m = re.search(r"^AREA=(\S+)$", p.stdout, re.M)
    assert m, p.stdout
    return img, m.group(1)


def synth(d, pages=5000, seed=3, name="raw.kdump", incomplete=False):
    path = os.path.join(d, name)
    args = ["synth", path, pages, seed]
    if incomplete:
        args.append("incomplete")
    out = testarea(*args)
    info = dict(kv.split("=") for kv in out.split())
    return path, {k: int(v) for k, v in info.items()}


def write_config(d, text):
    path = os.path.join(d, "bmdump.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def dump_dirs(coredir):
    if not os.path.isdir(coredir):
        return []
    return sorted(n for n in os.listdir(coredir) if re.match(r"^\d{12}", n))


def info_json(args, config=None):
    p = run(["info", "--json"] + list(args), config=config, check=0)
    return json.loads(p.stdout)


def sfdisk_dump(img):
    return subprocess.run(["sfdisk", "-d", img], capture_output=True,
                          text=True, check=True).stdout


def sysroot_writer(root):
    """put(rel, text): write a file under a fake system root, the
    directory $BMDUMP_SYSROOT points the tool at."""
    def put(rel, text=""):
        p = os.path.join(root, rel.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    return put


def stub_config(d, area="0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0"):
    """A config naming an area and a (dummy) stub file in d."""
    stub = os.path.join(d, "stub.bzImage")
    with open(stub, "wb") as f:
        f.write(b"\0" * 4096)
    return write_config(d, "AREA=%s\nSTUB=%s\n" % (area, stub))
