# SPDX-License-Identifier: GPL-2.0
"""`bmdump save` as a root service against a local user: the attacks of
issue 12 item 1, run as `nobody` against a scratch COREDIR.  Each attack
must fail with nothing written outside COREDIR and the area left unsaved;
once the operator makes COREDIR root-only, save must ignore what the user
planted and save the real dump."""

import os
import signal
import stat
import subprocess
import time

import toolsenv as T

NOBODY = 65534
STAMP = "202311142213"          # SYNTH_TIME in UTC


def as_nobody(script, wait=True):
    argv = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
            "--clear-groups", "sh", "-c", script]
    if not wait:
        return subprocess.Popen(argv, start_new_session=True)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, (script, p.stderr)
    return p


class Scene:
    """A disk with a complete dump, an Ubuntu-style COREDIR (root, 1777),
    a victim file and a directory outside COREDIR."""

    def __init__(self, name, keep=0):
        self.d = T.workdir(name)
        os.chmod(self.d, 0o755)
        self.img, self.uuid = T.make_disk(self.d)
        self.raw, self.info = T.synth(self.d, pages=1000)
        T.testarea("inject", self.img, 0, self.raw, "complete")
        self.out = os.path.join(self.d, "crash")
        os.makedirs(self.out)
        os.chmod(self.out, 0o1777)
        self.victim = os.path.join(self.d, "victim")
        with open(self.victim, "w") as f:
            f.write("precious\n")
        os.chmod(self.victim, 0o644)
        self.outside = os.path.join(self.d, "outside")
        os.makedirs(self.outside)
        self.lockdir = os.path.join(self.d, "run")
        self.conf = T.write_config(self.d, "COREDIR=%s\nKEEP=%d\n"
                                   % (self.out, keep))

    def marker(self):
        h = T.header(self.img)
        return "area=%s\ngeneration=%s\ncrash_time=%s\n" % (
            self.uuid, h["generation"], h["crash_time"])

    def save(self):
        return T.run(["save", "--from", self.img], config=self.conf,
                     env={"TZ": "UTC", "BMDUMP_LOCK_DIR": self.lockdir})

    def snapshot(self):
        """Everything outside COREDIR that an attack could reach."""
        with open(self.victim) as f:
            victim = f.read()
        return (victim, stat.S_IMODE(os.stat(self.victim).st_mode),
                sorted(os.listdir(self.outside)))

    def refused(self, before):
        """Save refuses the group/other-writable COREDIR, says how to fix
        it, writes nothing outside and leaves the area unsaved."""
        p = self.save()
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert "writable" in p.stderr and "chmod" in p.stderr, p.stderr
        assert self.snapshot() == before
        assert T.header(self.img)["state"] == "complete"

    def fixed_and_saved(self, before, planted):
        """The operator makes COREDIR root-only: save writes the real dump
        into a directory of its own, never into what was planted."""
        os.chmod(self.out, 0o755)
        p = self.save()
        assert p.returncode == 0, (p.stdout, p.stderr)
        assert self.snapshot() == before
        assert T.header(self.img)["state"] == "saved"
        mine = [n for n in T.dump_dirs(self.out) if n not in planted]
        assert len(mine) == 1, T.dump_dirs(self.out)
        path = os.path.join(self.out, mine[0])
        st = os.lstat(path)
        assert stat.S_ISDIR(st.st_mode) and st.st_uid == 0
        assert stat.S_IMODE(st.st_mode) == 0o700
        dump = os.path.join(path, "dump." + mine[0][:12])
        j = T.info_json([dump])
        assert j["dump"]["pages"] == self.info["pages"]
        return path


def test_tools_coredir_symlinks_in_planted_dir():
    s = Scene("coredir-symlinks")
    before = s.snapshot()
    files = ["dump-incomplete", "bmdump-log." + STAMP, "info." + STAMP,
             "dmesg." + STAMP]
    as_nobody("mkdir -m 777 %s/%s && cd %s/%s && printf '%s' > area.%s && "
              "chmod 666 area.%s && %s" % (
                  s.out, STAMP, s.out, STAMP, s.marker(), STAMP, STAMP,
                  " && ".join("ln -s %s %s" % (s.victim, f) for f in files)))
    s.refused(before)
    s.fixed_and_saved(before, [STAMP])


def test_tools_coredir_symlinked_dump_dir():
    s = Scene("coredir-dirlink")
    before = s.snapshot()
    evil = os.path.join(s.d, "evil")
    os.makedirs(evil)
    os.chmod(evil, 0o777)
    # The user's own directory, reached through a symlink named like a
    # dump directory, with the marker and a link to a directory outside.
    as_nobody("printf '%s' > %s/area.%s && ln -s %s %s/%s" % (
        s.marker(), evil, STAMP, evil, s.out, STAMP))
    before_evil = sorted(os.listdir(evil))
    s.refused(before)
    assert sorted(os.listdir(evil)) == before_evil
    s.fixed_and_saved(before, [STAMP])
    assert sorted(os.listdir(evil)) == before_evil


def test_tools_coredir_fake_already_saved():
    s = Scene("coredir-already")
    before = s.snapshot()
    as_nobody("mkdir %s/%s && cd %s/%s && printf '%s' > area.%s && "
              ": > dump.%s" % (s.out, STAMP, s.out, STAMP, s.marker(),
                               STAMP, STAMP))
    s.refused(before)
    path = s.fixed_and_saved(before, [STAMP])
    assert os.path.basename(path) != STAMP


def test_tools_coredir_lock_held_by_user():
    s = Scene("coredir-lock")
    before = s.snapshot()
    held = os.path.join(s.out, ".bmdump.lock")
    p = as_nobody("exec flock %s sleep 120" % held, wait=False)
    try:
        for _ in range(100):
            if os.path.exists(held):
                break
            time.sleep(0.05)
        time.sleep(0.2)
        s.refused(before)
        s.fixed_and_saved(before, [])
        # The real lock lies where the user cannot even open it.
        lock = os.listdir(s.lockdir)
        assert lock, s.lockdir
        st = os.stat(s.lockdir)
        assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o700
        q = subprocess.run(["setpriv", "--reuid=%d" % NOBODY,
                            "--regid=%d" % NOBODY, "--clear-groups",
                            "flock", "-n", os.path.join(s.lockdir, lock[0]),
                            "true"], capture_output=True)
        assert q.returncode != 0
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def test_tools_coredir_retention_planted_newer():
    s = Scene("coredir-retention", keep=2)
    os.chmod(s.out, 0o755)
    assert s.save().returncode == 0
    assert T.dump_dirs(s.out) == [STAMP]
    T.testarea("inject", s.img, 0, s.raw, "complete")
    os.chmod(s.out, 0o1777)
    planted = ["209901010000", "209912312359"]
    for n in planted:
        as_nobody("mkdir -m 700 %s/%s && printf 'area=%s\\n' > %s/%s/area.%s"
                  " && : > %s/%s/dump.%s" % (s.out, n, s.uuid, s.out, n, n,
                                             s.out, n, n))
    before = s.snapshot()
    s.refused(before)
    assert T.dump_dirs(s.out) == [STAMP] + planted
    s.fixed_and_saved(before, [STAMP] + planted)
    # KEEP=2 counts only the dumps save made: both real ones stay, and
    # the user's directories are neither counted nor touched.
    assert T.dump_dirs(s.out) == [STAMP, STAMP + "-2"] + planted


def test_tools_coredir_owner_and_mode_messages():
    d = T.workdir("coredir-owner")
    img, _ = T.make_disk(d)
    raw, _ = T.synth(d, pages=500)
    T.testarea("inject", img, 0, raw, "complete")
    out = os.path.join(d, "crash")
    os.makedirs(out)
    os.chown(out, NOBODY, NOBODY)
    os.chmod(out, 0o700)
    env = {"BMDUMP_LOCK_DIR": os.path.join(d, "run")}
    p = T.run(["save", "--from", img, "--dir", out], env=env, check=1)
    assert "owned by" in p.stderr and "chown root" in p.stderr, p.stderr
    assert T.header(img)["state"] == "complete"
    os.chown(out, 0, 0)
    os.chmod(out, 0o770)
    p = T.run(["save", "--from", img, "--dir", out], env=env, check=1)
    assert "group-writable" in p.stderr and "chmod go-w" in p.stderr
    os.chmod(out, 0o750)
    T.run(["save", "--from", img, "--dir", out], env=env, check=0)
    assert T.header(img)["state"] == "saved"
