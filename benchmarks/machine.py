"""A description of the machine and libraries a benchmark ran on (stored with the results)."""

from __future__ import annotations

import os
import platform
import sys

import numpy as np


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


def describe() -> dict[str, object]:
    """CPU model, logical CPU count (``cores``), memory, whether it is a virtual machine,
    Python / numpy / torch / matplotlib versions and numpy's BLAS."""
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
        "matplotlib": matplotlib.__version__,
        "blas": blas_description(),
    }
