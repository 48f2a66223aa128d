# SPDX-License-Identifier: GPL-2.0
"""tests/run.py against a fake tree: fake cmocka binaries (shell scripts
printing what cmocka prints), a missing suite, a hanging binary, a Python
suite that does not import.  Every one of them must show in the closing
line, counted once."""

import os
import subprocess
import sys
import tempfile

RUN_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "run.py")

# cmocka 1.1's output for one pass, one skip, one failure: the summary
# lists the skipped and the failed case a second time
CMOCKA_OUT = """[==========] Running 3 test(s).
[ RUN      ] a
[       OK ] a
[ RUN      ] b
[  SKIPPED ] b
[ RUN      ] c
[  FAILED  ] c
[==========] 3 test(s) run.
[  PASSED  ] 1 test(s).
[  SKIPPED ] 1 test(s), listed below:
[  SKIPPED ] b

 1 SKIPPED TEST(S)
[  FAILED  ] 1 test(s), listed below:
[  FAILED  ] c

 1 FAILED TEST(S)
"""


def _script(path, body):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)


def _tree(tmp, manifest, units, pyfiles, e2e_and_fuzz=True):
    """A build/ and tests/ pair; units: name -> shell body; pyfiles:
    relative path -> text.  Every unit and Python suite has a source."""
    build, tests = os.path.join(tmp, "build"), os.path.join(tmp, "tests")
    for d in ("build/unit", "tests/unit/tools", "tests/e2e", "tests/fuzz"):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    for name, body in units.items():
        _script(os.path.join(build, "unit", name), body)
        open(os.path.join(tests, "unit", name + ".c"), "w").close()
    for rel, text in pyfiles.items():
        with open(os.path.join(tests, rel), "w") as f:
            f.write(text)
    open(os.path.join(tests, "unit", "tools", "test_tools_x.c"), "w").close()
    if e2e_and_fuzz:
        for rel in ("e2e/test_e.py", "fuzz/test_f.py"):
            with open(os.path.join(tests, rel), "w") as f:
                f.write("def test_%s():\n    pass\n" % rel[0])
            manifest += rel + "\n"
    with open(os.path.join(tests, "unit", "test_x.py"), "w") as f:
        f.write("def test_x():\n    pass\n")
    with open(os.path.join(tests, "suites.txt"), "w") as f:
        f.write(manifest + "unit/test_tools_x\nunit/test_x.py\n")
    _script(os.path.join(build, "unit", "test_tools_x"),
            "echo '[ RUN      ] t'\necho '[       OK ] t'\n")
    return build, tests


def _run(build, tests, *filters):
    env = dict(os.environ, BUILD=build, TESTS_DIR=tests)
    env.pop("TESTS_MANIFEST", None)
    p = subprocess.run([sys.executable, RUN_PY] + list(filters), env=env,
                       capture_output=True, text=True, timeout=120)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    return p.returncode, last, p.stdout + p.stderr


def test_runner_counts_each_case_once_and_skips_as_skips():
    with tempfile.TemporaryDirectory() as tmp:
        build, tests = _tree(tmp, "unit/test_fake\n",
                             {"test_fake": "cat <<'EOF'\n%sEOF\nexit 1\n"
                              % CMOCKA_OUT}, {})
        rc, last, out = _run(build, tests, "unit/")
        assert last == "3 passed, 1 failed, 1 skipped", out
        assert rc == 1, out


def test_runner_missing_unlisted_hanging_and_broken_suites_fail():
    with tempfile.TemporaryDirectory() as tmp:
        manifest = ("unit/test_gone\n"            # listed, never built
                    "unit/test_hang timeout=2\n"  # hangs
                    "e2e/test_broken.py\n"        # import error
                    "e2e/test_empty.py\n"         # no test in it
                    "fuzz/test_ok.py\n")
        build, tests = _tree(tmp, manifest, {
            "test_hang": "echo '[ RUN      ] h'\nexec sleep 60\n",
            "test_unlisted": "echo '[ RUN      ] u'\necho '[       OK ] u'\n",
        }, {"e2e/test_broken.py": "import no_such_module_here\n",
            "e2e/test_empty.py": "X = 1\n",
            "fuzz/test_ok.py": "def test_fine():\n    pass\n"})
        open(os.path.join(tests, "unit", "test_gone.c"), "w").close()
        rc, last, out = _run(build, tests)
        # passed: unit/test_tools_x/t, unit/test_x, fuzz/test_fine and
        # the two _tree adds;
        # failed: test_gone, test_hang, test_broken, test_empty and
        # test_unlisted (not in the manifest)
        assert last == "5 passed, 5 failed, 0 skipped", out
        assert rc == 1
        for what in ("unit/test_gone", "unit/test_hang", "e2e/test_broken.py",
                     "e2e/test_empty.py", "unit/test_unlisted"):
            assert "FAIL " + what in out, \
                "%s not reported as a failure:\n%s" % (what, out)
        assert "timed out after 2 s" in out, out


def test_runner_empty_globs_and_no_match_fail():
    """No e2e or fuzz test source at all, and a filter matching nothing:
    three failures, not a green run of nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        build, tests = _tree(tmp, "", {}, {}, e2e_and_fuzz=False)
        rc, last, out = _run(build, tests, "no-such-test")
        assert last == "0 passed, 3 failed, 0 skipped", out
        assert rc == 1, out
        for what in ("tests/e2e/test_*.py", "tests/fuzz/test_*.py"):
            assert "FAIL " + what in out, out
