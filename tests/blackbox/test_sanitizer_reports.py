"""The sanitized runs' harness (scripts/sanitize.sh, docs/TESTING.md): a report from a
process started through amrtest's clean environment fails the test it happened in, even
when that test's own checks pass. Checked with a real AddressSanitizer report from a tiny
program built here, run the way tests run amr (amr.shell), in an inner pytest run that
loads tests/conftest.py; so it holds for a plain amr build too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from amrtest import AMR_BIN, HANG, PATH, ROOT, require_tools

OVERFLOW = "int main(int argc, char **) { int *p = new int[2]; int v = p[argc + 1]; delete[] p; return v; }\n"

INNER = """
def test_runs_a_program_that_overflows(amr):
    r = amr.shell({program!r})
    assert r.rc != 0  # what a test expects of the exit code does not matter


def test_runs_a_clean_program(amr):
    assert amr.shell("true").rc == 0
"""


def test_a_sanitizer_report_fails_the_test_during_which_it_was_written(tmp_path):
    require_tools("g++")
    program = tmp_path / "overflow"
    (tmp_path / "overflow.cpp").write_text(OVERFLOW)
    subprocess.run(["g++", "-fsanitize=address", "-g", "-o", str(program), str(tmp_path / "overflow.cpp")],
                   check=True, capture_output=True, timeout=HANG * 2)
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "test_inner.py").write_text(INNER.format(program=str(program)))
    logs = tmp_path / "logs"
    env = {"PATH": PATH, "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT / "tests"),
           "AMR_SANITIZER_LOGS": str(logs), "AMR_BIN": str(AMR_BIN)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-q", "--basetemp", str(tmp_path / "basetemp"), str(inner)],
                          capture_output=True, text=True, cwd=inner, env=env, timeout=HANG * 2)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "2 passed, 1 error" in out, out
    assert "sanitizer report during test_inner.py::test_runs_a_program_that_overflows" in out, out
    assert "ERROR: AddressSanitizer: heap-buffer-overflow" in out, out
    reports = list(Path(logs).glob("pytest-*/report.*"))
    assert len(reports) == 1, reports
