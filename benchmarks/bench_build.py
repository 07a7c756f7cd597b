"""Benchmark 4: cold and warm build time of the whole book.

Cold: ``jupyter-book build`` into a new, empty temporary folder, so every notebook is
executed. Warm: the same command again into the same folder, with nothing changed; the
book's ``execute_notebooks: cache`` setting then takes every notebook's outputs from the
jupyter-cache in ``<folder>/_build/.jupyter_cache`` instead of executing it (and Sphinx
itself skips pages it has already written). Warm with ``--all``: the same again, but Sphinx
re-reads and re-writes every page, so every notebook's outputs are loaded from the
jupyter-cache. The shared ``_build/`` folder of the checkout is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from report import book_notebooks

ROOT = Path(__file__).resolve().parent.parent


def _build(output: Path, *extra: str) -> dict[str, object]:
    start = time.perf_counter()
    result = subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--path-output", str(output), *extra],
        capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    return {"seconds": seconds, "returncode": result.returncode,
            "warnings": log.count("WARNING"), "tail": log.strip().splitlines()[-3:]}


def run() -> dict[str, object]:
    """Time a cold build and then a warm rebuild in a private temporary folder; record the
    notebooks the book had (``notebooks``) and how many the build executed (``cached_notebooks``,
    the entries of its jupyter-cache)."""
    notebooks = book_notebooks(ROOT)
    folder = Path(tempfile.mkdtemp(prefix="bpnotes-bench-build-"))
    try:
        cold = _build(folder)
        warm = _build(folder)
        warm_all = _build(folder, "--all")
        cached = len(list((folder / "_build" / ".jupyter_cache").glob("executed/*")))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"cold": cold, "warm": warm, "warm_all_pages": warm_all, "cached_notebooks": cached,
            "notebooks": notebooks}
