# SPDX-License-Identifier: GPL-2.0
"""Issue 16 in the rig, two boots: boot 1 arms, `bmdump estimate` and
`bmdump test` report it armed, `bmdump test --crash --yes` crashes it (the
drill's marker on a COREDIR disk); boot 2's `bmdump save` reports the
drill and copies the dump off the box over SSH to a throwaway sshd this
test starts on the host's loopback (own config, host key, port and
authorized_keys in a temporary directory), reached from the guest through
QEMU's user-mode network as 10.0.2.2.  The copy's checksum must match the
guest's, and `bmdump list` must show the dump."""

import os
import re
import shutil
import socket
import subprocess
import time

import rig
import toolsrig as R

SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
SSH_BINS = ["/usr/bin/ssh", "/usr/bin/scp"]

SCENARIO = r"""
AD=$(disk bmdump0)
CD=$(disk bmdump1)
mkdir -p /var/crash /root/.ssh
chmod 600 /root/.ssh/bmdump
if [ ! -e ${AD}p1 ]; then
    echo "RIG: boot=1"
    mkfs.ext4 -q $CD && mount -t ext4 $CD /var/crash
    echo "RIG: coredir=$?"
    bmdump prepare --create $AD --size 700M > /tmp/prep.txt 2>&1
    echo "RIG: prepare=$? $(tr '\n' ' ' < /tmp/prep.txt)"
    AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
    conf "AREA=$AREA" "STUB=%(stub)s" "MIN_FREE=32M"
    bmdump load > /tmp/load.txt 2>&1
    echo "RIG: load=$? $(tr '\n' ' ' < /tmp/load.txt)"
    bmdump estimate > /tmp/est.txt 2>&1
    echo "RIG: estimate=$?"
    sed 's/^/RIG-OUT: /' /tmp/est.txt
    bmdump test > /tmp/test.txt 2>&1
    echo "RIG: test=$?"
    sed 's/^/RIG-OUT: /' /tmp/test.txt
    echo no | bmdump test --crash > /tmp/no.txt 2>&1
    echo "RIG: test-no=$? $(tr '\n' ' ' < /tmp/no.txt)"
    echo "RIG: crashing=1"
    sleep 1    # let the console drain before the panic's printk
    bmdump test --crash --yes
    echo "RIG: still-alive=1"
else
    echo "RIG: boot=2"
    mount -t ext4 $CD /var/crash
    echo "RIG: coredir=$?"
    ip link set lo up
    ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && \
        ip route add default via 10.0.2.2
    echo "RIG: net=$?"
    AREA=$(bmdump info --area --device ${AD}p1 --json | \
           sed -n 's/.*"uuid": "\([^"]*\)".*/\1/p')
    conf "AREA=$AREA" "STUB=%(stub)s" "MIN_FREE=32M" \
         "SSH=root@10.0.2.2" "SSH_PORT=%(port)d" \
         "SSH_KEY=/root/.ssh/bmdump" "SSH_PATH=%(remote)s"
    bmdump save --no-progress > /tmp/save.txt 2>&1
    echo "RIG: save=$? $(tr '\n' ' ' < /tmp/save.txt)"
    bmdump list > /tmp/list.txt 2>&1
    echo "RIG: list=$?"
    sed 's/^/RIG-OUT: /' /tmp/list.txt
    for f in /var/crash/*/dump.*; do
        echo "RIG: sha=$(sha256sum $f)"
    done
    umount /var/crash
fi
"""


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sshd:
    """A throwaway sshd on 127.0.0.1: its own config, host key, port and
    authorized_keys in d; never the system's."""

    def __init__(self, d):
        self.d = d
        self.port = _free_port()
        self.proc = None
        for name in ("host", "client"):
            key = os.path.join(d, name)
            for p in (key, key + ".pub"):
                if os.path.exists(p):
                    os.unlink(p)
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                            "-C", "bmdump-test-" + name, "-f", key],
                           check=True)
        shutil.copy(os.path.join(d, "client.pub"),
                    os.path.join(d, "authorized_keys"))
        self.config = os.path.join(d, "sshd_config")
        with open(self.config, "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host\n"
                    "PidFile %s/sshd.pid\nAuthorizedKeysFile %s/"
                    "authorized_keys\nAllowUsers root\n"
                    "PermitRootLogin prohibit-password\n"
                    "PasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\nUsePAM no\n"
                    "StrictModes no\nSubsystem sftp %s\n"
                    % (self.port, d, d, d, SFTP_SERVER))

    def known_hosts(self):
        with open(os.path.join(self.d, "host.pub")) as f:
            return "[10.0.2.2]:%d %s\n" % (
                self.port, " ".join(f.read().split()[:2]))

    def start(self):
        os.makedirs("/run/sshd", exist_ok=True)     # privilege separation
        self.proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", self.config],
            stdout=open(os.path.join(self.d, "sshd.log"), "w"),
            stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("sshd did not listen: %s" % self.log())

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def log(self):
        with open(os.path.join(self.d, "sshd.log")) as f:
            return f.read()


def _out(res):
    return "\n".join(l.split("RIG-OUT: ", 1)[1] for _, l in res.lines
                     if "RIG-OUT: " in l)


def test_offbox_ssh_copy_after_crash_drill():
    assert os.path.exists(SSHD) and os.path.exists(SFTP_SERVER), \
        "openssh-server is not installed (tests/install-deps.sh installs it)"
    assert os.path.exists(R.MODULE), "build/bmdump.ko is not built"
    d = os.path.join(rig.E2E_BUILD, "offbox")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    remote = os.path.join(d, "remote")
    os.makedirs(remote)
    sshd = Sshd(d)
    with open(os.path.join(d, "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    files = {"etc/passwd": os.path.join(d, "passwd"),
             "root/.ssh/bmdump": os.path.join(d, "client"),
             "root/.ssh/known_hosts": sshd.known_hosts().encode()}
    scenario = SCENARIO % {"stub": R.GUEST_STUB, "port": sshd.port,
                           "remote": remote}
    img = R.initramfs(scenario, with_module=True, extra_files=files,
                      modules=["virtio_pci", "virtio_net"], binaries=SSH_BINS).build(d)
    area = rig.Disk(os.path.join(d, "area.img"), size_mib=800)
    core = rig.Disk(os.path.join(d, "coredir.img"), size_mib=512,
                    serial="bmdump1")
    g = rig.Guest("offbox", img, disks=[area, core], mem_mib=1024,
                  crashkernel="64M", timeout=900,
                  extra_args=["-netdev", "user,id=n0",
                              "-device", "virtio-net-pci,netdev=n0"])

    r1 = g.run()
    f1 = r1.facts()
    assert f1.get("boot") == "1" and f1.get("coredir") == "0", r1.log
    assert f1.get("load", "").startswith("0 "), (f1.get("load"), r1.log)
    assert f1.get("estimate") == "0", _out(r1)
    assert f1.get("test") == "0" and "test: PASSED" in _out(r1), _out(r1)
    assert f1.get("test-no", "").startswith("1 ") and \
        "not confirmed" in f1["test-no"], f1.get("test-no")
    assert "still-alive" not in f1 and not r1.timed_out, r1.log
    assert any("bmdump: done, resetting" in l for _, l in r1.lines), r1.log

    sshd.start()
    try:
        r2 = g.run()
    finally:
        sshd.stop()
    f2 = r2.facts()
    assert f2.get("boot") == "2" and f2.get("net") == "0", r2.log
    save = f2.get("save", "")
    assert save.startswith("0 "), (save, sshd.log(), r2.log)
    assert re.search(r"crash test of .*PASSED", save), save
    m = re.search(r"copied /var/crash/(\d{12}) to root@10\.0\.2\.2:(\S+)/"
                  r"(rig-offbox-\d{12})", save)
    assert m and m.group(2) == remote, save
    stamp, dest = m.group(1), m.group(3)
    sha = f2.get("sha", "").split()
    assert sha and sha[1].endswith("/dump." + stamp), f2.get("sha")
    copy = os.path.join(remote, dest, "dump." + stamp)
    host = subprocess.run(["sha256sum", copy], capture_output=True,
                          text=True, check=True).stdout.split()[0]
    assert host == sha[0], (host, sha)
    assert not os.path.exists(os.path.join(remote, dest + ".part"))
    listing = _out(r2)
    assert f2.get("list") == "0", listing
    assert re.search(r"^%s\s+\S+\s+complete\s" % stamp, listing, re.M), \
        listing
    assert "sysrq" in listing, listing
    print(_out(r1))
    print(listing)
