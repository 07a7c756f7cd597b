"""A description of the machine and libraries a benchmark ran on, and of when and at which
commit each part was measured (stored with the results)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: What a benchmark measures: a change here that is not committed makes the commit
#: recorded with a result an incomplete description of the code measured.
MEASURED_PATHS = ("src", "book", "benchmarks", ":(exclude)benchmarks/results", "_config.yml",
                  "_toc.yml", "requirements.txt")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    """Total memory in GB (from /proc/meminfo), or None where that file does not exist."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024**2, 1)  # kB -> GB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _virtual() -> bool | None:
    """True if the CPU reports a hypervisor (a virtual machine), None if unknown."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return "hypervisor" in line.split()
    except OSError:
        pass
    return None


def blas_description() -> dict[str, object]:
    """numpy's BLAS library, version and thread count (from threadpoolctl)."""
    from threadpoolctl import threadpool_info

    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return {
                "library": pool.get("internal_api"),
                "version": pool.get("version"),
                "threads": pool.get("num_threads"),
                "architecture": pool.get("architecture"),
            }
    return {"library": "unknown", "version": None, "threads": None, "architecture": None}


def torch_blas() -> str | None:
    """The BLAS PyTorch was built with (``BLAS_INFO`` of ``torch.__config__.show()``, e.g.
    "mkl"), or None if PyTorch is missing or does not say."""
    try:
        import torch
    except ImportError:
        return None
    found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return found.group(1) if found else None


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def provenance(run: str, smoke: bool = False) -> dict[str, object]:
    """When and at which commit a part of the benchmark was measured.

    ``run`` names the ``benchmarks/run.py`` call (its start time), so that parts measured
    in one call can be told from parts merged in from another. ``dirty`` is True when the
    measured code (:data:`MEASURED_PATHS`) had uncommitted changes, None if git is missing.
    """
    status = _git("status", "--porcelain", "--untracked-files=no", "--", *MEASURED_PATHS)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "run": run,
        "commit": _git("rev-parse", "--short=12", "HEAD"),
        "dirty": None if status is None else bool(status),
        "smoke": smoke,
    }


def describe() -> dict[str, object]:
    """CPU model, logical CPU count (``cores``), memory, whether it is a virtual machine,
    Python / numpy / torch / matplotlib versions, numpy's BLAS and PyTorch's."""
    import matplotlib

    try:
        import torch

        torch_version: str | None = torch.__version__
        torch_threads: int | None = torch.get_num_threads()
    except ImportError:  # the MLP comparison needs torch; the rest does not
        torch_version, torch_threads = None, None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "virtual": _virtual(),
        "system": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "torch": torch_version,
        "torch_threads_default": torch_threads,
        "torch_blas": torch_blas(),
        "matplotlib": matplotlib.__version__,
        "blas": blas_description(),
    }
