"""Small seeded toy data sets, so that every figure in the book is reproducible.

Each generator takes ``seed`` and returns ``(X, t)`` with X of shape (m, n) float64 and
targets t of shape (m,): real numbers for regression, 0/1 (or 0..k−1) integer labels
for classification.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validation import (
    as_float_matrix,
    as_float_vector,
    check_nonnegative_number,
    check_positive_int,
    check_positive_number,
    check_real,
    check_seed,
)

__all__ = ["blobs", "moons", "noisy_linear", "spirals", "two_blobs", "xor"]


def _check_m(m: object, minimum: int = 1) -> int:
    return check_positive_int("m", m, minimum)


def _finite_result(array: np.ndarray, cause: str) -> np.ndarray:
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{cause} too large: the generated data overflow float64")
    return array


def noisy_linear(
    m: int = 50,
    w: ArrayLike = (2.0,),
    b: float = -1.0,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Targets t = x·w + b + ε with x ~ U(−2, 2)^n and ε ~ N(0, noise²).

    ``w`` is a non-empty 1-D sequence of finite numbers (n = its length), ``b`` a finite
    real number, ``noise`` >= 0 and ``seed`` a non-negative integer.
    """
    m = _check_m(m)
    w_true = as_float_vector("w", w)
    bias = check_real("b", b)
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(check_seed(seed))
    X = rng.uniform(-2.0, 2.0, size=(m, w_true.size))
    with np.errstate(over="ignore", invalid="ignore"):
        t = X @ w_true + bias + noise * rng.standard_normal(m)
    return X, _finite_result(t, "w, b or noise is")


def blobs(
    m: int = 150,
    centers: ArrayLike | None = None,
    spread: float = 0.7,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters around ``centers`` (k × n, k >= 2 finite rows), labels 0..k−1,
    about m/k per class."""
    m = _check_m(m, 2)
    spread = check_positive_number("spread", spread)
    if centers is None:
        centers = np.array([[-1.5, -1.0], [1.5, -1.0], [0.0, 1.6]])
    centers = as_float_matrix("centers", centers)
    if centers.shape[0] < 2:
        raise ValueError(
            f"centers must have at least two rows (one per class), got shape {centers.shape}"
        )
    rng = np.random.default_rng(check_seed(seed))
    labels = np.arange(m) % centers.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        X = centers[labels] + spread * rng.standard_normal((m, centers.shape[1]))
    order = rng.permutation(m)
    return _finite_result(X[order], "centers or spread is"), labels[order].astype(np.int64)


def two_blobs(
    m: int = 100, separation: float = 2.0, spread: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters at (±separation/2, ±separation/2) with labels 0 and 1.

    A small ``separation`` relative to ``spread`` gives overlapping (non-separable)
    classes; a large one gives linearly separable data.
    """
    separation = check_nonnegative_number("separation", separation)
    half = separation / 2.0  # the generated points are checked by blobs
    return blobs(m, np.array([[-half, -half], [half, half]]), spread, seed)


def xor(m: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points near the four corners (±1, ±1); label 1 when the signs differ (XOR)."""
    m = _check_m(m, 4)
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(check_seed(seed))
    corners = rng.integers(0, 2, size=(m, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        X = (2.0 * corners - 1.0) + noise * rng.standard_normal((m, 2))
    t = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return _finite_result(X, "noise is"), t


def moons(m: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the classic "moons"), labels 0 and 1."""
    m = _check_m(m, 2)
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(check_seed(seed))
    t = np.arange(m) % 2
    angle = rng.uniform(0.0, np.pi, size=m)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    with np.errstate(over="ignore", invalid="ignore"):
        X = np.where(t[:, None] == 0, upper, lower) + noise * rng.standard_normal((m, 2))
    return _finite_result(X, "noise is"), t.astype(np.int64)


def spirals(
    m: int = 300, classes: int = 2, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms in the plane, labels 0..classes−1."""
    m = _check_m(m, 2)
    classes = check_positive_int("classes", classes, minimum=2)
    noise = check_nonnegative_number("noise", noise)
    rng = np.random.default_rng(check_seed(seed))
    t = np.arange(m) % classes
    radius = rng.uniform(0.1, 1.0, size=m)
    angle = 4.0 * radius + 2.0 * np.pi * t / classes
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    with np.errstate(over="ignore", invalid="ignore"):
        X += noise * radius[:, None] * rng.standard_normal((m, 2))
    return _finite_result(X, "noise is"), t.astype(np.int64)
