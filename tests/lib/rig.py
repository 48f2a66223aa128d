# SPDX-License-Identifier: GPL-2.0
"""The QEMU + OVMF crash rig.

Boots Debian's own kernel (the linux-image-amd64 the host has installed) in
QEMU under TCG, with OVMF, q35, 2 vCPUs and an NVMe disk, from an initramfs
built here: busybox-static, kexec-tools and every library it links, kernel
modules with their dependencies, the stub, and a per-test scenario script.
Every serial line is stamped with the host's monotonic clock and kept in a
log under build/e2e/<test>/; every run has a timeout.

Reusable pieces: Initramfs (files, modules, scenario), Disk (raw images,
GPT), Guest (one QEMU boot; run it again on the same disk for a second
boot), Result (lines, facts the guest printed as "RIG: key=value").
"""

import gzip
import json
import lzma
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
E2E_BUILD = os.path.join(BUILD, "e2e")

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
QEMU = "qemu-system-x86_64"

# The panic line that starts the clock, on every crash path: sysrq and
# panic() print "Kernel panic", an oops with oops=panic goes to kdump
# straight from oops_end() and prints only the oops.
PANIC_RE = re.compile(r"Kernel panic - not syncing|sysrq: Trigger a crash|"
                      r"BUG: kernel NULL pointer dereference|Oops: ")


def kernel_version():
    """The version linux-image-amd64 depends on (the kernel the rig boots)."""
    kver = os.environ.get("KVER")
    if kver:
        return kver
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Depends}", "linux-image-amd64"],
        capture_output=True, text=True, check=True).stdout
    m = re.search(r"linux-image-(\d[^ ,]*)", out)
    if not m:
        raise RuntimeError("linux-image-amd64 is not installed")
    return m.group(1)


KVER = kernel_version()

# qemu64 has no RDRAND, and under TCG a fresh kernel can wait minutes for
# entropy: ssh in a second boot sat in getrandom() until soft-lockup
# warnings (CI run of e0bb146).  TCG emulates RDRAND; the kernels trust it
# (RANDOM_TRUST_CPU), so the CRNG is ready at boot.
QEMU_CPU = "qemu64,+rdrand"
VMLINUZ = "/boot/vmlinuz-" + KVER
MODDIR = "/lib/modules/" + KVER


def other_kernels():
    """Installed kernels (image + headers) other than KVER, newest first:
    the kernel matrix of tests/e2e/test_kernels.py."""
    found = []
    for name in os.listdir("/lib/modules"):
        if (name != KVER and
                os.path.exists("/boot/vmlinuz-" + name) and
                os.path.exists(os.path.join("/lib/modules", name, "build"))):
            found.append(name)

    return sorted(found, key=version_key, reverse=True)


def version_key(release):
    """Sort key of a kernel release: 6.12.117+deb12-amd64 > 6.12.9."""
    return [(0, int(x), "") if x.isdigit() else (1, 0, x)
            for x in re.split(r"[.+-]", release)]


# --- initramfs -------------------------------------------------------------

class Cpio:
    """A newc cpio archive written in Python: deterministic, no root needed."""

    def __init__(self):
        self.entries = {}

    def add_dir(self, path):
        path = path.strip("/")
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p and p not in self.entries:
                self.entries[p] = (stat.S_IFDIR | 0o755, b"")

    def add_file(self, path, data, mode=0o644):
        path = path.strip("/")
        self.add_dir(os.path.dirname(path))
        self.entries[path] = (stat.S_IFREG | mode, data)

    def add_symlink(self, path, target):
        path = path.strip("/")
        self.add_dir(os.path.dirname(path))
        self.entries[path] = (stat.S_IFLNK | 0o777, target.encode())

    def add_host_file(self, dest, src, mode=None):
        with open(src, "rb") as f:
            data = f.read()
        if mode is None:
            mode = os.stat(src).st_mode & 0o777
        self.add_file(dest, data, mode)

    def add_chardev(self, path, major, minor):
        self.add_dir(os.path.dirname(path.strip("/")))
        self.entries[path.strip("/")] = (stat.S_IFCHR | 0o600, b"",
                                         major, minor)

    def bytes(self):
        out = bytearray()
        ino = 1000

        def rec(name, mode, data, rmaj=0, rmin=0):
            nonlocal ino
            ino += 1
            nb = name.encode() + b"\0"
            hdr = "070701" + "".join("%08X" % v for v in (
                ino, mode, 0, 0, 1, 0, len(data), 0, 0, rmaj, rmin,
                len(nb), 0))
            out.extend(hdr.encode())
            out.extend(nb)
            out.extend(b"\0" * ((4 - (110 + len(nb)) % 4) % 4))
            out.extend(data)
            out.extend(b"\0" * ((4 - len(data) % 4) % 4))

        # parents before children
        for name in sorted(self.entries, key=lambda p: (p.count("/"), p)):
            ent = self.entries[name]
            if len(ent) == 4:
                rec(name, ent[0], ent[1], ent[2], ent[3])
            else:
                rec(name, ent[0], ent[1])
        rec("TRAILER!!!", 0, b"")
        return bytes(out)

    def write_gz(self, path):
        with open(path, "wb") as f:
            f.write(gzip.compress(self.bytes(), compresslevel=1, mtime=0))


def ldd_libs(binary):
    """Shared libraries a binary loads, with the dynamic loader."""
    out = subprocess.run(["ldd", binary], capture_output=True,
                         text=True).stdout
    libs = set()
    for line in out.splitlines():
        m = re.search(r"(/\S+)", line)
        if m and os.path.exists(m.group(1)):
            libs.add(m.group(1))
    return sorted(libs)


def _plain_ko(path):
    """Module path in the initramfs: compressed modules (6.12's .ko.xz)
    go in decompressed, so busybox's modprobe needs no xz support."""
    return path[:-3] if path.endswith(".ko.xz") else path


def _modules_dep(moddir):
    deps = {}
    names = {}
    # built into this kernel (6.12 builds some crc modules in): nothing to add
    builtin = os.path.join(moddir, "modules.builtin")
    if os.path.exists(builtin):
        with open(builtin) as f:
            for line in f:
                name = os.path.basename(line.strip()).split(".ko")[0]
                names[name.replace("-", "_")] = None
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
            name = os.path.basename(path).split(".ko")[0].replace("-", "_")
            names[name] = path
    return deps, names


def module_closure(names, moddir=MODDIR):
    """Module paths (relative to moddir) for names, dependencies first."""
    deps, bynames = _modules_dep(moddir)
    order = []

    def visit(path):
        if path is None or path in order:
            return
        for d in deps.get(path, []):
            visit(d)
        order.append(path)

    for n in names:
        key = n.replace("-", "_")
        if key not in bynames:
            raise RuntimeError("kernel module %s not found in %s" % (n, moddir))
        visit(bynames[key])
    return order


INIT_SCRIPT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp && mount -t tmpfs tmp /tmp
echo /sbin/modprobe > /proc/sys/kernel/modprobe
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
h=$(arg rig.hostname); [ -n "$h" ] && hostname "$h"
for m in $(cat /etc/rig/modules); do
    modprobe "$m" || echo "RIG: modprobe $m failed"
done
for m in /lib/modules/extra/*.ko; do
    [ -e "$m" ] && { insmod "$m" || echo "RIG: insmod $m failed"; }
done
echo "RIG: init-ready uptime=$(cut -d' ' -f1 /proc/uptime)"
sh /scenario.sh
echo "RIG: scenario-ended rc=$?"
poweroff -f
"""

# Block and filesystem drivers every boot gets; tests may add more.
BASE_MODULES = ["nvme", "ext4", "crc32c_generic", "crct10dif_generic",
                "crc64_rocksoft_generic"]


class Initramfs:
    """Base archive (cached) plus a per-test overlay, concatenated."""

    def __init__(self, modules=(), files=None, scenario="", binaries=(),
                 kver=None):
        self.kver = kver or KVER            # whose modules go in
        self.modules = list(BASE_MODULES) + list(modules)
        self.files = dict(files or {})      # dest -> host path or bytes
        self.scenario = scenario
        self.binaries = list(binaries)      # extra host binaries + libs

    def _base(self):
        os.makedirs(E2E_BUILD, exist_ok=True)
        key = ",".join(sorted(self.modules + self.binaries))
        path = os.path.join(E2E_BUILD, "base-%08x.cpio.gz" %
                            (hash_str(key + self.kver)))
        if os.path.exists(path):
            return path
        c = Cpio()
        for d in ("dev", "proc", "sys", "tmp", "run", "mnt", "root",
                  "etc/rig", "usr/bin", "usr/sbin", "sbin"):
            c.add_dir(d)
        c.add_chardev("dev/console", 5, 1)
        c.add_host_file("bin/busybox", "/bin/busybox", 0o755)
        c.add_symlink("bin/sh", "busybox")
        for b in ["/sbin/kexec"] + self.binaries:
            c.add_host_file(b, b, 0o755)
            for lib in ldd_libs(b):
                c.add_host_file(lib, lib, 0o755)
        moddir = "/lib/modules/" + self.kver
        mods = module_closure(self.modules, moddir)
        for m in mods:
            with open(os.path.join(moddir, m), "rb") as f:
                data = f.read()
            if m.endswith(".xz"):
                data = lzma.decompress(data)
            c.add_file("lib/modules/%s/%s" % (self.kver, _plain_ko(m)),
                       data, 0o644)
        for f in ("modules.dep", "modules.alias", "modules.symbols",
                  "modules.builtin", "modules.order"):
            src = os.path.join(moddir, f)
            if os.path.exists(src):
                with open(src, "rb") as g:
                    data = g.read().replace(b".ko.xz", b".ko")
                c.add_file("lib/modules/%s/%s" % (self.kver, f), data,
                           0o644)
        c.add_file("etc/rig/modules", "\n".join(self.modules).encode() + b"\n")
        c.add_file("init", INIT_SCRIPT.encode(), 0o755)
        tmp = path + ".tmp"
        c.write_gz(tmp)
        os.rename(tmp, path)
        return path

    def build(self, outdir):
        base = self._base()
        c = Cpio()
        c.add_file("scenario.sh", self.scenario.encode(), 0o755)
        for dest, src in self.files.items():
            if isinstance(src, bytes):
                c.add_file(dest, src, 0o755)
            else:
                c.add_host_file(dest, src)
        overlay = os.path.join(outdir, "overlay.cpio.gz")
        c.write_gz(overlay)
        out = os.path.join(outdir, "initrd.img")
        with open(out, "wb") as f:
            for p in (base, overlay):
                with open(p, "rb") as g:
                    f.write(g.read())
        return out


def hash_str(s):
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) & 0xffffffff
    return h


# --- disks -------------------------------------------------------------------

# Guest shell: `disk SERIAL` prints the block device of the NVMe disk with
# that rig.Disk serial.  Kernel names follow probe order, which is
# asynchronous (6.12 swaps nvme0/nvme1 between boots): never hard-code them
# when a guest has two NVMe disks.
SH_NVME_DISK = r"""
# block device of the NVMe disk with serial $1 (probing is asynchronous)
disk() {
    i=0
    while [ $i -lt 600 ]; do
        for b in /sys/block/nvme*; do
            [ -e "$b/device/serial" ] || continue
            if [ "$(tr -d ' ' < "$b/device/serial")" = "$1" ]; then
                echo "/dev/${b##*/}"; return 0
            fi
        done
        usleep 100000; i=$((i+1))
    done
    echo "RIG: no-disk=$1" > /dev/console; return 1
}
"""


class Disk:
    """A raw disk image attached as a QEMU device (NVMe by default)."""

    def __init__(self, path, size_mib=64, iface="nvme", serial="bmdump0",
                 create=True, block_size=512):
        self.path = path
        self.iface = iface
        self.serial = serial
        self.block_size = block_size    # logical = physical (nvme only)
        # a blkdebug rules file: QEMU injects the errors it describes
        self.blkdebug = None
        if create:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.truncate(size_mib << 20)

    def qemu_args(self, idx):
        dev = "d%d" % idx
        path = self.path
        if self.blkdebug:
            path = "blkdebug:%s:%s" % (self.blkdebug, self.path)
        args = ["-drive", "file=%s,if=none,id=%s,format=raw,cache=unsafe"
                % (path, dev)]
        if self.iface == "nvme":
            bs = ""
            if self.block_size != 512:
                bs = (",logical_block_size=%d,physical_block_size=%d"
                      % (self.block_size, self.block_size))
            args += ["-device", "nvme,drive=%s,serial=%s%s"
                     % (dev, self.serial, bs)]
        elif self.iface == "virtio":
            args += ["-device", "virtio-blk-pci,drive=%s,serial=%s"
                     % (dev, self.serial)]
        elif self.iface == "ahci":
            args += ["-device", "ide-hd,drive=%s,bus=ide.%d" % (dev, idx)]
        elif self.iface == "scsi":
            # A disk the stub has no driver for (status must refuse it).
            args += ["-device", "virtio-scsi-pci,id=scsi%d" % idx,
                     "-device", "scsi-hd,drive=%s,bus=scsi%d.0,serial=%s"
                     % (dev, idx, self.serial)]
        else:
            raise ValueError(self.iface)
        return args


# --- one boot ------------------------------------------------------------------

class Result:
    def __init__(self, lines, rc, timed_out, start, end, log):
        self.lines = lines          # [(host seconds since start, text)]
        self.rc = rc
        self.timed_out = timed_out
        self.start = start
        self.end = end              # QEMU exit, host seconds since start
        self.log = log
        self.stopped = False        # killed by the rig after stop_on
        self.memdump = None         # guest RAM at the reset (memdump=True)
        self.shutdown_reason = None
        self.qmp_events = []        # [(event, reason)] (memdump_on)
        self.memdump_cont = None
        self.memdumps = []          # every RAM copy (memdump_count)
        self.memdump_conts = []     # host seconds after each copy
        self.reset_at = end         # host seconds of the guest's reset

    def text(self):
        return "\n".join(t for _, t in self.lines)

    def find(self, pattern, start=None):
        """First (time, match) of a regex at or after host time start, or
        (None, None)."""
        r = re.compile(pattern)
        for t, line in self.lines:
            if start is not None and t < start:
                continue
            m = r.search(line)
            if m:
                return t, m
        return None, None

    def find_all(self, pattern):
        r = re.compile(pattern)
        return [(t, m) for t, line in self.lines for m in [r.search(line)]
                if m]

    # The kernel's console output can land in the middle of a line that
    # user space is printing: cut a "[   12.345678] ..." tail off.
    KMSG_TAIL = re.compile(r"\[\s*\d+\.\d+\].*$")

    def facts(self):
        """Every "RIG: key=value" the guest printed (last one wins)."""
        d = {}
        for _, line in self.lines:
            m = re.search(r"RIG: ([\w.-]+)=(.*)$", line)
            if m:
                d[m.group(1)] = self.KMSG_TAIL.sub("", m.group(2)).strip()
        return d

    def rig_lines(self, key):
        return [self.KMSG_TAIL.sub("", m.group(1)).rstrip()
                for _, m in self.find_all(r"RIG: %s (.*)$" % re.escape(key))]

    def stub_lines(self):
        return [line for _, line in self.lines if "bmdump: " in line]

    def panic_time(self):
        t, _ = self.find(PANIC_RE.pattern)
        return t

    def tail(self, n=40):
        return "\n".join(t for _, t in self.lines[-n:])


class Guest:
    """One QEMU boot of Debian's kernel under OVMF."""

    def __init__(self, name, initrd, disks=(), mem_mib=1024, smp=2,
                 cpu=QEMU_CPU, crashkernel="64M", append="", timeout=240,
                 extra_args=(), hostname=None, memdump=False, kver=None,
                 ovmf_vars=None, nvram=None, memdump_on=None,
                 memdump_count=1, firmware="ovmf", reboot=False):
        self.name = name
        # reboot: a guest reset really reboots (OVMF again, then the same
        # -kernel/-initrd/-append) instead of ending QEMU (-no-reboot):
        # for a figure that runs up to the next boot (the bench's
        # --next-init); run(stop_on=..., stop_count=N) ends it
        self.reboot = reboot
        # ovmf_vars: the variable store every boot starts from (a copy)
        self.ovmf_vars = ovmf_vars or OVMF_VARS
        # nvram: a path: one variable store for every boot, kept between
        # them (a reboot of the same machine: what the OS wrote with
        # efibootmgr is there at the next boot); made from ovmf_vars at
        # the first boot when absent
        self.nvram = nvram
        self.vmlinuz = "/boot/vmlinuz-" + (kver or KVER)
        self.dir = os.path.join(E2E_BUILD, name)
        os.makedirs(self.dir, exist_ok=True)
        self.initrd = initrd
        self.disks = list(disks)
        self.mem_mib = mem_mib
        self.smp = smp
        self.cpu = cpu
        self.crashkernel = crashkernel
        self.append = append
        self.timeout = timeout
        self.extra_args = list(extra_args)
        self.hostname = hostname or "rig-%s" % re.sub(r"[^a-z0-9]", "",
                                                       name.lower())[:20]
        self.boots = 0
        # memdump: at the guest's reset (the stub's final action) QEMU
        # pauses instead, and the rig saves guest RAM over QMP into
        # <dir>/<label>.memory.elf (Result.memdump) before it quits
        self.memdump = memdump
        # memdump_on: a regex of a serial line; once it shows, QEMU is
        # stopped, guest RAM saved (Result.memdump) and the guest goes on:
        # for a guest that never resets (bmdump.final=boot).  Every QMP
        # event of the boot is kept (Result.qmp_events).
        self.memdump_on = memdump_on
        # memdump_count: copy RAM at each of the first N lines matching
        # memdump_on (a guest that crashes again after a warm boot);
        # Result.memdumps has them in order, Result.memdump the first
        self.memdump_count = memdump_count
        # firmware: "ovmf" (UEFI, pflash drives) or "seabios" (QEMU's
        # default legacy BIOS: no pflash; -kernel still boots directly)
        if firmware not in ("ovmf", "seabios"):
            raise ValueError(firmware)
        self.firmware = firmware

    def cmdline(self):
        parts = ["console=ttyS0,115200", "panic=-1", "oops=panic",
                 "loglevel=7", "rig.hostname=" + self.hostname]
        if self.crashkernel:
            parts.append("crashkernel=" + self.crashkernel)
        if self.append:
            parts.append(self.append)
        return " ".join(parts)

    def qemu_cmd(self, vars_path, qmp_path=None):
        cmd = [QEMU, "-machine", "q35,accel=tcg", "-cpu", self.cpu,
               "-m", str(self.mem_mib), "-smp", str(self.smp),
               "-nodefaults", "-display", "none"]
        if qmp_path:
            cmd += ["-action", "reboot=shutdown,shutdown=pause",
                    "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
        elif not self.reboot:
            cmd += ["-no-reboot"]
        cmd += ["-serial", "stdio", "-monitor", "none", "-nic", "none"]
        if self.firmware == "ovmf":
            cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,"
                    "file=" + OVMF_CODE,
                    "-drive", "if=pflash,format=raw,unit=1,file=" +
                    vars_path]
        cmd += ["-kernel", self.vmlinuz, "-initrd", self.initrd,
               "-append", self.cmdline()]
        for i, d in enumerate(self.disks):
            cmd += d.qemu_args(i)
        return cmd + self.extra_args

    def run(self, label=None, stop_on=None, grace=3.0, stop_count=1):
        """Boot once; returns when QEMU exits (reset) or on timeout.

        stop_on: a regex; once stop_count lines have matched, QEMU gets
        `grace` more seconds to exit by itself, then it is stopped and the
        result says .stopped (for guests that halt on purpose, or the
        Nth boot of a guest with reboot=True).
        """
        self.boots += 1
        label = label or "boot%d" % self.boots
        vars_path = self.nvram or os.path.join(self.dir,
                                               "OVMF_VARS.%s.fd" % label)
        if self.firmware == "ovmf" and (not self.nvram or
                                        not os.path.exists(vars_path)):
            shutil.copyfile(self.ovmf_vars, vars_path)
        log = os.path.join(self.dir, "%s.serial.log" % label)
        qmp_path = memdump = None
        if self.memdump or self.memdump_on:
            qmp_path = os.path.join(self.dir, "%s.qmp" % label)
            memdump = os.path.join(self.dir, "%s.memory.elf" % label)
            for p in (qmp_path, memdump):
                if os.path.exists(p):
                    os.unlink(p)
        cmd = self.qemu_cmd(vars_path, qmp_path)
        with open(os.path.join(self.dir, "%s.cmd" % label), "w") as f:
            f.write(" ".join(cmd) + "\n")
        lines = []
        seen = threading.Event()
        matched = [0]
        stop_re = re.compile(stop_on) if stop_on else None
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        logf = open(log, "w")

        def reader():
            for raw in iter(proc.stdout.readline, b""):
                t = time.monotonic() - start
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                text = text.replace("\r", "")
                lines.append((t, text))
                logf.write("%9.3f %s\n" % (t, text))
                logf.flush()
                if stop_re and stop_re.search(text):
                    matched[0] += 1
                    if matched[0] >= stop_count:
                        seen.set()

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        qmp = {}
        if qmp_path and self.memdump_on:
            qt = threading.Thread(target=qmp_memdump_on_line, daemon=True,
                                  args=(qmp_path, log, self.memdump_on,
                                        memdump, start + self.timeout,
                                        qmp, self.memdump_count))
            qt.start()
        elif qmp_path:
            qt = threading.Thread(target=qmp_memdump, daemon=True,
                                  args=(qmp_path, memdump, qmp))
            qt.start()
        timed_out = stopped = False
        stop_at = None
        rc = None
        while rc is None:
            try:
                rc = proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                now = time.monotonic()
                if seen.is_set() and stop_at is None:
                    stop_at = now + grace
                if stop_at is not None and now >= stop_at:
                    stopped = True
                elif now - start >= self.timeout:
                    timed_out = True
                if stopped or timed_out:
                    os.killpg(proc.pid, signal.SIGKILL)
                    rc = proc.wait()
        end = time.monotonic() - start
        th.join(timeout=5)
        if qmp_path:
            qt.join(timeout=10)
        if timed_out:
            logf.write("%9.3f RIG-HOST: timeout after %d s, QEMU killed\n"
                       % (end, self.timeout))
        elif stopped:
            logf.write("%9.3f RIG-HOST: stopped %.0f s after %r, QEMU "
                       "killed\n" % (end, grace, stop_on))
        if qmp_path:
            logf.write("%9.3f RIG-HOST: qmp %s\n" % (end, qmp.get("log")))
        logf.write("%9.3f RIG-HOST: qemu exited rc=%d\n" % (end, rc))
        logf.close()
        if not self.nvram and self.firmware == "ovmf":
            os.unlink(vars_path)
        res = Result(lines, rc, timed_out, 0.0, end, log)
        res.stopped = stopped
        res.memdump = memdump if qmp.get("saved") else None
        res.memdumps = qmp.get("copies", [])
        res.memdump_conts = [c - start for c in qmp.get("conts", [])]
        res.shutdown_reason = qmp.get("reason")
        res.qmp_events = qmp.get("events", [])
        # host seconds when the guest ran again after the RAM copy
        res.memdump_cont = (qmp["cont"] - start if "cont" in qmp
                            else None)
        # the guest's reset, before the RAM copy (else QEMU's exit)
        res.reset_at = qmp["at"] - start if "at" in qmp else end
        return res


def qmp_memdump(sock_path, out, state):
    """QMP client of one boot: waits for the guest's SHUTDOWN (a reset,
    turned into a pause by -action), saves guest RAM with
    dump-guest-memory (physical addresses, ELF), then quits QEMU.
    Fills state: reason, saved, log."""
    s = None
    for _ in range(600):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            break
        except OSError:
            s.close()
            s = None
            time.sleep(0.1)
    if s is None:
        state["log"] = "no QMP socket"
        return
    f = s.makefile("rw")

    def cmd(name, **args):
        f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        f.flush()
        for line in f:
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg
        return {"error": "QMP closed"}

    try:
        f.readline()                                # greeting
        cmd("qmp_capabilities")
        for line in f:
            ev = json.loads(line)
            if ev.get("event") == "SHUTDOWN":
                state["at"] = time.monotonic()
                state["reason"] = ev.get("data", {}).get("reason")
                break
        else:
            state["log"] = "QEMU exited without a SHUTDOWN event"
            return
        if state["reason"] != "guest-reset":
            state["log"] = "shutdown %s: no RAM copy" % state["reason"]
            cmd("quit")
            return
        r = cmd("dump-guest-memory", paging=False, protocol="file:" + out,
                format="elf")
        state["saved"] = "return" in r and os.path.exists(out)
        state["log"] = "shutdown %s, dump-guest-memory %s" % (
            state["reason"], r)
        cmd("quit")
    except (OSError, ValueError) as e:
        state["log"] = "QMP error: %s" % e
    finally:
        s.close()


def _qmp_connect(sock_path):
    for _ in range(600):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock_path)
            return s
        except OSError:
            s.close()
            time.sleep(0.1)
    return None


def _serial_shows(log, r):
    try:
        with open(log, errors="replace") as f:
            return bool(r.search(f.read()))
    except OSError:
        return False


def _serial_count(log, r):
    try:
        with open(log, errors="replace") as f:
            return len(r.findall(f.read()))
    except OSError:
        return 0


def _copy_path(out, i):
    """RAM copy i (0 first): out, then out with .2, .3 before .elf."""
    return out if i == 0 else "%s.%d.elf" % (out[:-len(".elf")], i + 1)


def qmp_memdump_on_line(sock_path, log, pattern, out, deadline, state,
                        count=1):
    """QMP client of a boot that must not reset: each of the first
    `count` times the serial log shows `pattern`, stop the guest, save
    its RAM (dump-guest-memory, as qmp_memdump; the first to out, the
    next ones beside it), let it run on; then wait for its SHUTDOWN (any
    reason, a reset included: -action turns it into a pause) and quit.
    Fills state: events [(name, reason)], reason, saved (the first
    copy), copies, cont, conts, log."""
    s = _qmp_connect(sock_path)
    if s is None:
        state["log"] = "no QMP socket"
        return
    f = s.makefile("rw")
    events = state.setdefault("events", [])

    def cmd(name, **args):
        f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        f.flush()
        for line in f:
            msg = json.loads(line)
            if "event" in msg:
                events.append((msg["event"], msg.get("data", {})
                               .get("reason")))
            elif "return" in msg or "error" in msg:
                return msg
        return {"error": "QMP closed"}

    r = re.compile(pattern)
    copies = state.setdefault("copies", [])
    conts = state.setdefault("conts", [])
    try:
        f.readline()                                # greeting
        cmd("qmp_capabilities")
        polled = time.monotonic()
        while len(conts) < count:
            if time.monotonic() >= deadline:
                state["log"] = state.get("log", "") + \
                    " %r seen %d times: no more RAM copies" % (
                        pattern, len(conts))
                return
            if _serial_count(log, r) <= len(conts):
                time.sleep(0.05)
                # a guest that ends before the next match: its SHUTDOWN
                # comes in cmd()'s replies (events are kept)
                if time.monotonic() - polled >= 0.5:
                    polled = time.monotonic()
                    cmd("query-status")
                    shut = [x for x in events if x[0] == "SHUTDOWN"]
                    if shut:
                        state["at"] = time.monotonic()
                        state["reason"] = shut[0][1]
                        state["log"] = state.get("log", "") + \
                            " shutdown after %d RAM copies" % len(conts)
                        cmd("quit")
                        return
                continue
            path = _copy_path(out, len(conts))
            stop = cmd("stop")
            dump = cmd("dump-guest-memory", paging=False,
                       protocol="file:" + path, format="elf")
            cont = cmd("cont")
            conts.append(time.monotonic())
            state["cont"] = conts[0]
            if "return" in dump and os.path.exists(path):
                copies.append(path)
            state["saved"] = bool(copies) and copies[0] == out
            state["log"] = state.get("log", "") + \
                " on %r: stop %s, dump-guest-memory %s, cont %s" % (
                    pattern, stop, dump, cont)
        for line in f:
            ev = json.loads(line)
            if "event" not in ev:
                continue
            events.append((ev["event"], ev.get("data", {}).get("reason")))
            if ev["event"] == "SHUTDOWN":
                state["at"] = time.monotonic()
                state["reason"] = ev.get("data", {}).get("reason")
                break
        cmd("quit")
    except (OSError, ValueError) as e:
        state["log"] = state.get("log", "") + " QMP error: %s" % e
    finally:
        s.close()


def qmp_stall_writes(drive, budget):
    """QMP commands after which the drive completes `budget` more bytes
    of writes (at most `budget` bytes/s) and then no write for days:
    QEMU's I/O throttling, 1 byte/s once the burst is spent, leaves the
    commands in flight (reads stay free).  A drain (the NVMe model's
    controller reset, the machine's reset) lifts the limits and lets
    them finish, so QEMU never wedges; the guest's driver sees a device
    that stopped completing writes until it resets it."""
    return [("block_set_io_throttle", dict(
        device=drive, bps=0, bps_rd=0, bps_wr=1, iops=0, iops_rd=0,
        iops_wr=0, bps_wr_max=budget, bps_wr_max_length=1))]


def qmp_on_line(sock_path, log, pattern, commands, deadline, state):
    """Waits (until time.monotonic() deadline) for a line of the serial
    log matching the regex `pattern`, then sends `commands` ((name,
    arguments) pairs) over the QMP socket.  state["qmp"]: the replies,
    or why nothing was sent."""
    r = re.compile(pattern)
    while time.monotonic() < deadline:
        try:
            with open(log, errors="replace") as f:
                if r.search(f.read()):
                    break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        state["qmp"] = "%r never seen" % pattern
        return
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    replies = []
    try:
        s.connect(sock_path)
        f = s.makefile("rw")
        f.readline()                                # greeting
        for name, args in [("qmp_capabilities", {})] + list(commands):
            f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
            f.flush()
            for line in f:
                msg = json.loads(line)
                if "return" in msg or "error" in msg:
                    replies.append("%s: %s" % (name, msg))
                    break
        state["qmp"] = replies
    except (OSError, ValueError) as e:
        state["qmp"] = replies + ["QMP: %s" % e]
    finally:
        s.close()


def stub_path():
    return os.path.join(BUILD, "bmdump.bzImage")


def testmod_path():
    return os.path.join(BUILD, "testmod", "bmdump_testmod.ko")
