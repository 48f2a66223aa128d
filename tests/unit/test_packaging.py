# SPDX-License-Identifier: GPL-2.0
"""Issue 16, installing bmdump: `make install` / `make uninstall` into a
DESTDIR (an operator's config survives a second install, SYSCONFDIR is
compiled in, the DKMS tree is there), the boot-save helper and generator
the units use, and the Debian packages: built with dpkg-buildpackage,
installed with dpkg -i on this machine (bmdump.ko through DKMS, checked for
the kernel the tests boot, KVER), `bmdump status` and `systemd-analyze
verify` on what they installed, then removed and purged."""

import glob
import io
import os
import re
import shutil
import subprocess
import tarfile
import time

import toolsenv as T

VERSION = re.search(r'#define BMDUMP_VERSION\s+"([^"]+)"', open(
    os.path.join(T.ROOT, "include", "bmdump", "version.h")).read()).group(1)
# The stub's build outputs: reused (mtimes kept) so that a build in another
# BUILD directory compiles only the command.
STUB_OUTPUTS = ("stub", "boot", "stub-A.elf", "stub-B.elf", "stub-A.bin",
                "stub-B.bin", "header.bin", "bmdump.bzImage")
UNITS = ("bmdump-save.service", "bmdump-load.service")


def _kver():
    k = os.environ.get("KVER")
    if not k:
        with open(os.path.join(T.BUILD, "kver")) as f:
            k = f.read().strip()
    assert k, "no KVER (run through make test)"
    return k


def _seed_build(build):
    os.makedirs(build, exist_ok=True)
    for name in STUB_OUTPUTS:
        src = os.path.join(T.BUILD, name)
        dst = os.path.join(build, name)
        if os.path.isdir(src):
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def _files(root):
    out = set()
    for d, _, names in os.walk(root):
        for n in names:
            out.add(os.path.relpath(os.path.join(d, n), root))
    return out


def _make(args, **kw):
    p = subprocess.run(["make", "-s", "-C", T.ROOT] + args,
                       capture_output=True, text=True, timeout=900, **kw)
    assert p.returncode == 0, (args, p.stdout[-3000:], p.stderr[-3000:])
    return p


# --- make install / uninstall ------------------------------------------------

def test_packaging_make_install_twice_and_uninstall():
    d = T.workdir("pkg-make-install")
    build = os.path.join(d, "build")
    dest = os.path.join(d, "root")
    _seed_build(build)
    args = ["BUILD=" + build, "PREFIX=/opt/bm", "SYSCONFDIR=/opt/bm/etc",
            "DESTDIR=" + dest]
    _make(args + ["install"])
    conf = os.path.join(dest, "opt/bm/etc/bmdump.conf")
    files = _files(dest)
    src = "usr/src/bmdump-%s/" % VERSION
    for want in ("opt/bm/sbin/bmdump", "opt/bm/lib/bmdump/bmdump.bzImage",
                 "opt/bm/lib/bmdump/bmdump-save-boot",
                 "opt/bm/lib/systemd/system/bmdump-save.service",
                 "opt/bm/lib/systemd/system/bmdump-load.service",
                 "opt/bm/lib/systemd/system-generators/bmdump-generator",
                 "opt/bm/etc/udev/rules.d/90-bmdump.rules",
                 "opt/bm/etc/kernel/postinst.d/zz-bmdump",
                 "opt/bm/share/man/man8/bmdump.8",
                 "opt/bm/share/man/man5/bmdump.conf.5",
                 "opt/bm/etc/bmdump.conf", src + "dkms.conf",
                 src + "Kbuild", src + "bmdump_main.c",
                 src + "include/bmdump/desc.h"):
        assert want in files, (want, sorted(files))
    with open(os.path.join(dest, src, "dkms.conf")) as f:
        assert 'PACKAGE_VERSION="%s"' % VERSION in f.read()
    # The command looks for its config under SYSCONFDIR.
    p = subprocess.run([os.path.join(dest, "opt/bm/sbin/bmdump"), "status"],
                       capture_output=True, text=True,
                       env={"PATH": os.environ["PATH"]})
    assert "/opt/bm/etc/bmdump.conf does not exist" in p.stdout, p.stdout
    with open(conf) as f:
        default = f.read()
    assert "STUB=/opt/bm/lib/bmdump/bmdump.bzImage" in default
    mine = default + "AREA=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0\n"
    with open(conf, "w") as f:
        f.write(mine)

    p = _make(args + ["install"])
    with open(conf) as f:
        assert f.read() == mine, "make install overwrote bmdump.conf"
    with open(conf + ".dist") as f:
        assert f.read() == default
    assert "kept" in p.stdout, p.stdout

    _make(args + ["uninstall"])
    assert _files(dest) == {"opt/bm/etc/bmdump.conf"}, sorted(_files(dest))


# --- the units' helpers --------------------------------------------------------

FAKE_SAVE = """#!/bin/sh
echo "$@" > "$WORK/save.args"
while [ ! -e "$WORK/release" ]; do sleep 0.05; done
exit "${FAKE_RC:-0}"
"""
FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> "$WORK/systemctl.log"
"""


def _save_boot(d, wait, rc):
    for name, text in (("bmdump", FAKE_SAVE), ("systemctl", FAKE_SYSTEMCTL)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(d, name), 0o755)
    env = dict(os.environ, WORK=d, FAKE_RC=str(rc),
               BMDUMP=os.path.join(d, "bmdump"),
               SYSTEMCTL=os.path.join(d, "systemctl"),
               BMDUMP_RUN_DIR=os.path.join(d, "run"),
               BMDUMP_SAVE_WAIT=str(wait))
    # Output to a file: the save left in the background keeps it open.
    with open(os.path.join(d, "out"), "w") as out:
        return subprocess.Popen([os.path.join(T.ROOT, "system",
                                              "bmdump-save-boot")], env=env,
                                stdout=out, start_new_session=True)


def _wait_for(path):
    for _ in range(1200):
        if os.path.exists(path):
            return
        time.sleep(0.05)
    raise AssertionError("%s never appeared" % path)


def test_packaging_save_in_background_after_the_wait():
    """A save longer than BMDUMP_SAVE_WAIT lets boot go on (the helper
    exits 0 while the save runs), bmdump-load.service is held back by
    save-background, and the save arms the stub itself when it ends."""
    d = T.workdir("pkg-save-bg")
    run = os.path.join(d, "run")
    p = _save_boot(d, wait=0, rc=0)
    try:
        p.wait(timeout=120)
    finally:
        # The fake save ends once released; never leave it behind.
        if p.returncode != 0:
            open(os.path.join(d, "release"), "w").close()
    out = open(os.path.join(d, "out")).read()
    assert p.returncode == 0, out
    assert "background" in out, out
    # With no wait the helper may exit before the save it started has
    # run its first line.
    args = os.path.join(d, "save.args")
    for _ in range(1200):
        if os.path.exists(args) and open(args).read().endswith("\n"):
            break
        time.sleep(0.05)
    assert open(args).read().split() == ["save", "--no-progress"]
    assert os.path.exists(os.path.join(run, "save-background"))
    assert not os.path.exists(os.path.join(d, "systemctl.log"))
    open(os.path.join(d, "release"), "w").close()
    _wait_for(os.path.join(d, "systemctl.log"))
    with open(os.path.join(d, "systemctl.log")) as f:
        assert f.read().split() == ["--no-block", "start",
                                    "bmdump-load.service"]
    assert not os.path.exists(os.path.join(run, "save-background"))


def test_packaging_save_in_time_ends_the_start():
    """A save that ends within the wait ends the unit's start with its own
    exit status; the load unit then runs by ordering, not from here."""
    d = T.workdir("pkg-save-fg")
    open(os.path.join(d, "release"), "w").close()
    p = _save_boot(d, wait=600, rc=5)
    p.wait(timeout=600)
    assert p.returncode == 5
    assert not os.path.exists(os.path.join(d, "systemctl.log"))
    assert os.listdir(os.path.join(d, "run")) == []


def test_packaging_units_follow_the_config():
    """RequiresMountsFor= follows COREDIR (generator), no fixed modprobe
    (bmdump load loads MODULE=), no systemd-udev-settle, the load unit
    waits for a background save."""
    d = T.workdir("pkg-units")
    text = {u: open(os.path.join(T.ROOT, "system", u)).read()
            for u in UNITS}
    for u, t in text.items():
        t = re.sub(r"#.*", "", t)
        for bad in ("udev-settle", "modprobe", "RequiresMountsFor"):
            assert bad not in t, (u, bad)
    assert "ConditionPathExists=!/run/bmdump/save-background" in \
        text["bmdump-load.service"]
    assert re.search(r"^Type=forking$", text["bmdump-save.service"], re.M)
    gen = os.path.join(T.ROOT, "system", "bmdump-generator")
    for conf, want in (('COREDIR="/srv/crash dumps"\n', None),
                       ("COREDIR='/srv/crash'\nKEEP=3\n", "/srv/crash"),
                       ("KEEP=3\n", "/var/crash")):
        out = os.path.join(d, "gen")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        with open(os.path.join(d, "bmdump.conf"), "w") as f:
            f.write(conf)
        subprocess.run([gen, out, out, out], check=True, env=dict(
            os.environ, BMDUMP_CONFIG=os.path.join(d, "bmdump.conf")))
        drop = os.path.join(out, "bmdump-save.service.d", "50-coredir.conf")
        if want is None:
            assert not os.path.exists(drop), conf
            continue
        with open(drop) as f:
            lines = [l for l in f.read().splitlines()
                     if l and not l.startswith("#")]
        assert lines == ["[Unit]", "RequiresMountsFor=" + want], lines


# --- the Debian packages --------------------------------------------------------

# --- a kernel bmdump.ko does not support ------------------------------------

UNSUPPORTED = (6, 8)    # between the lines bmdump_compat.h knows


def _fake_headers(d, kver, major, minor):
    """A copy of kver's headers tree that says it is major.minor: the
    generated version.h is all that differs, so kbuild and the compat
    header's version test run as on that kernel."""
    src = os.path.realpath("/lib/modules/%s/build" % kver)
    dst = os.path.join(d, "linux-headers-%d.%d.0-99-amd64" % (major, minor))
    shutil.copytree(src, dst, symlinks=True)
    scripts = os.path.join(dst, "scripts")
    if os.path.islink(scripts):
        target = os.path.realpath(os.path.join(src, "scripts"))
        os.unlink(scripts)
        os.symlink(target, scripts)
    vh = os.path.join(dst, "include/generated/uapi/linux/version.h")
    with open(vh) as f:
        text = f.read()
    text = re.sub(r"LINUX_VERSION_CODE \d+", "LINUX_VERSION_CODE %d"
                  % (major << 16 | minor << 8), text)
    text = re.sub(r"LINUX_VERSION_PATCHLEVEL \d+",
                  "LINUX_VERSION_PATCHLEVEL %d" % minor, text)
    with open(vh, "w") as f:
        f.write(text)
    return dst


def test_packaging_unsupported_kernel_warns():
    """Issue 19: installing a kernel bmdump.ko does not support.  dkms
    builds the shipped module tree (make install's /usr/src/bmdump-*) in
    its own dkms tree against a headers tree that says 6.8; the compat
    header's #error stops it; the kernel postinst hook (zz-bmdump), run
    as the kernel's postinst runs it after dkms, names the kernel and the
    reason instead of a silent full dump at crash time."""
    d = T.workdir("pkg-unsupported")
    dest = os.path.join(d, "root")
    # Its own build tree: PREFIX=/usr rebuilds the tool with /usr paths,
    # which in the shared build/ would change the bmdump every later
    # test runs (its default stub and self-test app paths).
    build = os.path.join(d, "build")
    _seed_build(build)
    _make(["install", "BUILD=" + build, "DESTDIR=" + dest, "PREFIX=/usr"])
    kver = "%d.%d.0-99-amd64" % UNSUPPORTED
    headers = _fake_headers(d, _kver(), *UNSUPPORTED)
    tree = os.path.join(d, "sysroot", "var/lib/dkms")
    os.makedirs(tree)
    srcs = os.path.join(dest, "usr/src")
    env = _admin_env()
    dk = ["dkms", "--dkmstree", tree, "--sourcetree", srcs, "-m", "bmdump",
          "-v", VERSION]
    p = subprocess.run(dk[:1] + ["add"] + dk[1:], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    p = subprocess.run(dk[:1] + ["build"] + dk[1:] + [
        "-k", kver, "--kernelsourcedir", headers], capture_output=True,
        text=True, env=env, timeout=600)
    assert p.returncode != 0, p.stdout + p.stderr
    assert "Bad return status for module build on kernel: %s" % kver \
        in p.stdout + p.stderr, p.stdout + p.stderr
    with open(os.path.join(tree, "bmdump", VERSION, "build",
                           "make.log")) as f:
        log = f.read()
    assert "#error \"bmdump: this kernel's struct page layout is not " \
        "verified" in log, log[-3000:]

    # the hook as installed, pointed at the installed command
    with open(os.path.join(dest, "etc/kernel/postinst.d/zz-bmdump")) as f:
        hook = f.read().replace("/usr/sbin/bmdump",
                                os.path.join(dest, "usr/sbin/bmdump"))
    env["BMDUMP_SYSROOT"] = os.path.join(d, "sysroot")
    h = subprocess.run(["sh", "-c", hook, "zz-bmdump", kver],
                       capture_output=True, text=True, env=env)
    assert h.returncode == 0, h.stderr
    assert ("bmdump: warning: bmdump.ko does not support kernel %s, dkms "
            "refused to build it (bmdump: this kernel's struct page layout "
            "is not verified (supported: 6.1, 6.12)" % kver) in h.stderr, \
        h.stderr
    # another kernel without a module: the general warning
    h = subprocess.run(["sh", "-c", hook, "zz-bmdump", "6.12.999-1-amd64"],
                       capture_output=True, text=True, env=env)
    assert "no bmdump module for kernel 6.12.999-1-amd64" in h.stderr and \
        "does not support" not in h.stderr, h.stderr


def _dpkg_state(pkg):
    """dpkg's status of pkg, "" when dpkg has no trace of it."""
    s = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                       capture_output=True, text=True).stdout
    return "" if s.endswith("not-installed") else s


def _purge():
    p = subprocess.run(["dpkg", "--purge", "bmdump-dkms", "bmdump"],
                       capture_output=True, text=True, timeout=600,
                       env=_admin_env())
    assert p.returncode == 0, p.stdout + p.stderr


def _deb_files(deb):
    out = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb],
                         capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(out)) as t:
        return ["/" + os.path.normpath(m.name) for m in t.getmembers()
                if not m.isdir()]


def _module_files():
    return glob.glob("/lib/modules/*/updates/dkms/bmdump.ko*")


def _dkms_status(kver):
    return subprocess.run(["dkms", "status", "-m", "bmdump", "-v", VERSION,
                           "-k", kver], capture_output=True, text=True,
                          env=_admin_env()).stdout


def _admin_env():
    """The environment of an operator's shell, not of `make test`: DKMS's
    own kernel builds would inherit make's variables.  (What once broke
    the package build under make was MAKELEVEL: debian/rules' sub-make
    printed "Entering directory" into VERSION, so dh_dkms got a dkms.conf
    path that did not exist and the postinst never called DKMS; rules
    now asks for --no-print-directory.)"""
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
            "LANG": "C.UTF-8"}


def _build_debs(d):
    src = os.path.join(d, "src")
    git = subprocess.run(["git", "-C", T.ROOT, "ls-files", "-co",
                          "--exclude-standard"], capture_output=True,
                         text=True, check=True).stdout.split()
    for rel in git:
        if os.path.exists(os.path.join(T.ROOT, rel)):
            os.makedirs(os.path.dirname(os.path.join(src, rel)),
                        exist_ok=True)
            shutil.copy2(os.path.join(T.ROOT, rel), os.path.join(src, rel))
    _seed_build(os.path.join(src, "build"))
    # -nc: keep the seeded stub outputs (the command is built here, with
    # dpkg-buildflags; a full clean build is what the lead's CI runs).
    p = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b", "-nc"],
                       cwd=src, capture_output=True, text=True, timeout=900,
                       env=_admin_env())
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    return [os.path.join(d, "bmdump_%s_amd64.deb" % VERSION),
            os.path.join(d, "bmdump-dkms_%s_all.deb" % VERSION)]


def test_packaging_debian_install_and_purge():
    assert os.geteuid() == 0, "dpkg -i needs root (make test runs as root)"
    kver = _kver()
    d = T.workdir("pkg-deb")
    debs = _build_debs(d)
    files = {deb: _deb_files(deb) for deb in debs}
    if _dpkg_state("bmdump") or _dpkg_state("bmdump-dkms"):
        _purge()                # left by an earlier run that failed
    try:
        p = subprocess.run(["dpkg", "-i"] + debs, capture_output=True,
                           text=True, timeout=900, env=_admin_env())
        assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
        # bmdump.ko built by DKMS for the kernel the tests boot, where
        # modprobe finds it.
        st = _dkms_status(kver)
        assert "installed" in st, st + p.stdout[-3000:] + p.stderr[-3000:]
        mi = subprocess.run(["modinfo", "-k", kver, "-F", "filename",
                             "bmdump"], capture_output=True, text=True)
        assert mi.stdout.startswith("/lib/modules/%s/updates/dkms/" % kver)
        vm = subprocess.run(["modinfo", "-k", kver, "-F", "vermagic",
                             "bmdump"], capture_output=True, text=True)
        assert vm.stdout.split()[0] == kver, vm.stdout
        # The installed command, with the installed /etc/bmdump.conf: not
        # armed, and it says why.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("BMDUMP_")}
        s = subprocess.run(["/usr/sbin/bmdump", "status"], env=env,
                           capture_output=True, text=True)
        assert s.returncode == 3, s.stdout + s.stderr
        assert "not armed: no AREA in the configuration" in s.stdout, \
            s.stdout
        units = ["/lib/systemd/system/" + u for u in UNITS]
        v = subprocess.run(["systemd-analyze", "verify"] + units,
                           capture_output=True, text=True)
        assert v.returncode == 0 and not v.stderr.strip(), v.stderr
        for u in UNITS:
            assert os.path.islink("/etc/systemd/system/multi-user.target."
                                  "wants/" + u), u

        p = subprocess.run(["dpkg", "-r", "bmdump-dkms", "bmdump"],
                           capture_output=True, text=True, timeout=600,
                           env=_admin_env())
        assert p.returncode == 0, p.stdout + p.stderr
        assert "config-files" in _dpkg_state("bmdump")
        conffiles = {"/etc/bmdump.conf", "/etc/kernel/postinst.d/zz-bmdump"}
        left = {f for fs in files.values() for f in fs if os.path.exists(f)}
        assert left == conffiles, left
        assert not _module_files(), _module_files()
        assert not os.path.exists("/var/lib/dkms/bmdump")
        # The kernel hook left as a conffile stays quiet without bmdump.
        h = subprocess.run(["sh", "/etc/kernel/postinst.d/zz-bmdump",
                            kver], capture_output=True, text=True)
        assert h.returncode == 0 and not h.stderr, h.stderr

        _purge()
        assert not _dpkg_state("bmdump"), _dpkg_state("bmdump")
        left = {f for fs in files.values() for f in fs if os.path.exists(f)}
        assert not left, left
        assert not glob.glob("/etc/systemd/system/*/bmdump*")
        assert not glob.glob("/etc/bmdump.conf*")
    finally:
        if _dpkg_state("bmdump") or _dpkg_state("bmdump-dkms"):
            _purge()
