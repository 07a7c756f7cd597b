"""Project hygiene: style, the README's commands, and what CI runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b.strip() for b in blocks]


def test_ruff_reports_no_problems():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is installed by the test requirements"
    result = subprocess.run(
        [ruff, "check", "src", "tests", "benchmarks", "book/_ext"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reports_no_problems():
    mypy = shutil.which("mypy")
    assert mypy, "mypy is installed by the test requirements"
    result = subprocess.run(
        [mypy, "src/bpnotes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_exactly_the_readme_test_command():
    build, test = readme_commands()[:2]
    assert "jupyter-book build . -W -n --keep-going" in build
    assert "pytest" in test
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines


def test_no_notebook_outputs_or_build_output_are_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:  # not a git checkout (e.g. an unpacked release)
        return
    files = tracked.stdout.split()
    assert not [f for f in files if f.startswith("_build/") or "/_build/" in f]
    assert not [f for f in files if f.endswith(".ipynb")], "chapters are MyST .md notebooks"
