"""Gradient checking with centred finite differences, eq. (bp-gradcheck).

For a scalar function C of an array θ, the centred difference

    (C(θ + ε e_i) − C(θ − ε e_i)) / (2ε)

approximates ∂C/∂θ_i with error O(ε²). Comparing it with an analytic gradient through
the relative error |g − ĝ| / max(|g| + |ĝ|, tiny) catches almost every backprop bug:
in float64 a correct gradient agrees to about 1e-8 or better, a wrong one rarely
better than 1e-3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["GradientCheck", "check_gradient", "numerical_gradient", "relative_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Centred-difference gradient of the scalar function ``f`` at ``x``.

    Parameters
    ----------
    f
        A function of one float array returning a scalar.
    x
        The point; it is copied, never modified.
    eps
        The step ε (1e-6 balances truncation error against rounding in float64).

    Returns
    -------
    numpy.ndarray
        An array shaped like ``x`` holding (f(x + ε e_i) − f(x − ε e_i)) / (2ε).
    """
    if not (isinstance(eps, float | int) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    point = np.array(x, dtype=np.float64, copy=True)
    grad = np.empty_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + eps
        plus = float(f(point))
        flat_point[i] = original - eps
        minus = float(f(point))
        flat_point[i] = original
        flat_grad[i] = (plus - minus) / (2.0 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, tiny: float = 1e-12) -> float:
    """max_i |a_i − b_i| / max(|a_i| + |b_i|, tiny): scale-free, 0 for identical arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)))


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`."""

    analytic: np.ndarray
    numeric: np.ndarray
    error: float
    tolerance: float

    @property
    def passed(self) -> bool:
        """True when the relative error is within the tolerance."""
        return self.error <= self.tolerance

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"gradient check {verdict}: relative error {self.error:.2e} "
            f"(tolerance {self.tolerance:.0e})"
        )


def check_gradient(
    f: Callable[[np.ndarray], float],
    gradient: np.ndarray,
    x: np.ndarray,
    *,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradientCheck:
    """Compare an analytic ``gradient`` of ``f`` at ``x`` with centred differences."""
    numeric = numerical_gradient(f, x, eps)
    analytic = np.asarray(gradient, dtype=np.float64)
    return GradientCheck(analytic, numeric, relative_error(analytic, numeric), tolerance)
