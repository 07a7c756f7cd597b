"""Small seeded toy data sets, so that every figure in the book is reproducible.

Each generator takes ``seed`` and returns ``(X, t)`` with X of shape (m, n) float64 and
targets t of shape (m,): real numbers for regression, 0/1 (or 0..k−1) integer labels
for classification.
"""

from __future__ import annotations

import numpy as np

from .validation import check_nonnegative_number, check_positive_number

__all__ = ["blobs", "moons", "noisy_linear", "spirals", "two_blobs", "xor"]


def _check_m(m: object, minimum: int = 1) -> int:
    if isinstance(m, bool) or not isinstance(m, int | np.integer):
        raise TypeError(f"m must be an integer number of examples, got {type(m).__name__}")
    if m < minimum:
        raise ValueError(f"m must be at least {minimum}, got {m}")
    return int(m)


def noisy_linear(
    m: int = 50,
    w: tuple[float, ...] = (2.0,),
    b: float = -1.0,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Targets t = x·w + b + ε with x ~ U(−2, 2)^n and ε ~ N(0, noise²)."""
    m = _check_m(m)
    w_true = np.asarray(w, dtype=np.float64)
    if w_true.ndim != 1 or w_true.size == 0 or not np.all(np.isfinite(w_true)):
        raise ValueError("w must be a non-empty 1-D sequence of finite numbers")
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(m, w_true.size))
    t = X @ w_true + float(b) + noise * rng.standard_normal(m)
    return X, t


def blobs(
    m: int = 150,
    centers: np.ndarray | None = None,
    spread: float = 0.7,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters around ``centers`` (k × 2), labels 0..k−1, about m/k per class."""
    m = _check_m(m, 2)
    spread = check_positive_number("spread", spread)
    if centers is None:
        centers = np.array([[-1.5, -1.0], [1.5, -1.0], [0.0, 1.6]])
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[0] < 2:
        raise ValueError("centers must be a 2-D array with at least two rows (one per class)")
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % centers.shape[0]
    X = centers[labels] + spread * rng.standard_normal((m, centers.shape[1]))
    order = rng.permutation(m)
    return X[order], labels[order].astype(np.int64)


def two_blobs(
    m: int = 100, separation: float = 2.0, spread: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters at (±separation/2, ±separation/2) with labels 0 and 1.

    A small ``separation`` relative to ``spread`` gives overlapping (non-separable)
    classes; a large one gives linearly separable data.
    """
    separation = check_nonnegative_number("separation", separation)
    half = separation / 2.0
    return blobs(m, np.array([[-half, -half], [half, half]]), spread, seed)


def xor(m: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points near the four corners (±1, ±1); label 1 when the signs differ (XOR)."""
    m = _check_m(m, 4)
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(m, 2))
    X = (2.0 * corners - 1.0) + noise * rng.standard_normal((m, 2))
    t = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return X, t


def moons(m: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the classic "moons"), labels 0 and 1."""
    m = _check_m(m, 2)
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(seed)
    t = np.arange(m) % 2
    angle = rng.uniform(0.0, np.pi, size=m)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where(t[:, None] == 0, upper, lower) + noise * rng.standard_normal((m, 2))
    return X, t.astype(np.int64)


def spirals(
    m: int = 300, classes: int = 2, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms in the plane, labels 0..classes−1."""
    m = _check_m(m, 2)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(seed)
    t = np.arange(m) % classes
    radius = rng.uniform(0.1, 1.0, size=m)
    angle = 4.0 * radius + 2.0 * np.pi * t / classes
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * radius[:, None] * rng.standard_normal((m, 2))
    return X, t.astype(np.int64)
