"""Gradient checking with centred finite differences, eqs. (bp-gradcheck) and
(bp-gradcheck-error).

For a scalar function C of an array θ, the centred difference

    (C(θ + ε e_i) − C(θ − ε e_i)) / (2ε)

approximates ∂C/∂θ_i with error O(ε²). An analytic gradient g is compared with its
finite-difference version ĝ through **one** relative error, used everywhere in the
package and the book, eq. (bp-gradcheck-error):

    error(g, ĝ) = ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖)      (Euclidean norms over all entries; 0 if both are 0)

It is scale-free (multiplying the cost by any factor leaves it unchanged) and lies in
[0, 1] (1 when g = −ĝ). Norms over the whole array are used rather than the largest
entry-wise ratio max_i |g_i − ĝ_i| / (|g_i| + |ĝ_i|), because an entry that is tiny in both
(a unit that barely matters) carries the rounding error of the difference, about 1e-10 in
float64, which can make that entry's ratio large for a correct gradient; in the norm it
weighs as little as the entry does. In float64 with ε = 1e-6 a correct gradient gives an
error around 1e-8 or less; a wrong one rarely better than 1e-3.

:func:`check_gradient` checks one array; :func:`check_mlp_gradients` every weight matrix
and bias vector of a :class:`bpnotes.MLP`. Both return :class:`GradientCheck` results.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .mlp import MLP
from .validation import as_real_array, check_callable, check_finite, check_positive_number

__all__ = [
    "GradientCheck",
    "check_gradient",
    "check_mlp_gradients",
    "numerical_gradient",
    "numerical_mlp_gradients",
    "relative_error",
]


def _point(name: str, x: ArrayLike) -> np.ndarray:
    """A float64 copy of the point x (finite, non-empty)."""
    point = np.array(as_real_array(name, x), dtype=np.float64, copy=True)
    if point.size == 0:
        raise ValueError(f"{name} must not be empty")
    return check_finite(name, point)


def _scalar(value: Any) -> float:
    """The value of f at a point, which must be one real number."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.shape == () and np.isrealobj(value):
            return float(value)
        shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
        raise TypeError(
            f"f must return one real number (a scalar cost), got {type(value).__name__}{shape}"
        )
    return float(value)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6
) -> np.ndarray:
    """Centred-difference gradient of the scalar function ``f`` at ``x``, eq. (bp-gradcheck).

    Parameters
    ----------
    f
        A function of one float64 array (shaped like ``x``) returning one real number.
    x
        The point, an array of finite real numbers; it is copied, never modified.
    eps
        The step ε > 0 (1e-6 balances truncation error against rounding in float64).

    Returns
    -------
    numpy.ndarray
        A float64 array shaped like ``x`` holding (f(x + ε e_i) − f(x − ε e_i)) / (2ε).
    """
    f = check_callable("f", f)
    eps = check_positive_number("eps", eps)
    point = _point("x", x)
    grad = np.empty_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + eps
        plus = _scalar(f(point))
        flat_point[i] = original - eps
        minus = _scalar(f(point))
        flat_point[i] = original
        flat_grad[i] = (plus - minus) / (2.0 * eps)
    return grad


def relative_error(analytic: ArrayLike, numeric: ArrayLike) -> float:
    """‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), eq. (bp-gradcheck-error): the package's one relative error.

    ``analytic`` (g) and ``numeric`` (ĝ) are arrays of the same shape; the norms are
    Euclidean over all entries (the Frobenius norm of a matrix). The error is 0 when the
    two are equal (also when both are zero), 1 when g = −ĝ, and unchanged when both are
    scaled by the same factor. See the module docstring for why norms and not entries.
    """
    a = check_finite("analytic", as_real_array("analytic", analytic).astype(np.float64))
    n = check_finite("numeric", as_real_array("numeric", numeric).astype(np.float64))
    if a.shape != n.shape:
        raise ValueError(
            f"analytic and numeric must have the same shape, got {a.shape} and {n.shape}"
        )
    scale = float(np.linalg.norm(a) + np.linalg.norm(n))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n)) / scale


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of one gradient check (:func:`check_gradient`, :func:`check_mlp_gradients`).

    Attributes
    ----------
    name
        What was checked, e.g. "W^2" or "b^1" for a layer of a network, "gradient" for
        :func:`check_gradient`.
    analytic, numeric
        The gradient under test and its centred-difference estimate.
    error
        :func:`relative_error` of the two, eq. (bp-gradcheck-error).
    tolerance
        The largest error that passes.
    """

    name: str
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
            f"{self.name}: relative error {self.error:.1e} "
            f"(tolerance {self.tolerance:.0e}) {verdict}"
        )


def check_gradient(
    f: Callable[[np.ndarray], float],
    gradient: ArrayLike,
    x: ArrayLike,
    *,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradientCheck:
    """Compare an analytic ``gradient`` of ``f`` at ``x`` with centred differences.

    Parameters
    ----------
    f
        A function of one float64 array returning one real number.
    gradient
        The claimed gradient of ``f`` at ``x``, shaped like ``x``.
    x
        The point.
    eps, tolerance
        The finite-difference step and the largest :func:`relative_error` that passes
        (both > 0).
    """
    tolerance = check_positive_number("tolerance", tolerance)
    analytic = check_finite("gradient", as_real_array("gradient", gradient).astype(np.float64))
    point = _point("x", x)
    if analytic.shape != point.shape:
        raise ValueError(
            f"gradient must have the shape of x {point.shape}, got {analytic.shape}"
        )
    numeric = numerical_gradient(f, point, eps)
    return GradientCheck("gradient", analytic.copy(), numeric,
                         relative_error(analytic, numeric), tolerance)


# ---------------------------------------------------------------- every layer of an MLP
def _check_net(net: object) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    return net


def _existing(net: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Boolean masks of the parameters that exist (all True where no mask was set)."""
    wm = [np.ones(w.shape, bool) if m is None else m
          for w, m in zip(net.weights, net.weight_masks, strict=True)]
    bm = [np.ones(b.shape, bool) if m is None else m
          for b, m in zip(net.biases, net.bias_masks, strict=True)]
    return wm, bm


def numerical_mlp_gradients(
    net: MLP, X: ArrayLike, Y: ArrayLike, eps: float = 1e-6
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """∂C/∂W^l and ∂C/∂b^l by centred differences of ``net.cost``, eq. (bp-gradcheck).

    Each parameter is moved by ±ε in place and put back, so the network is unchanged
    afterwards (the same arrays, the same values). Absent parameters (masked out) are
    reported as 0, as in :meth:`MLP.gradients`. The network must compute in float64.
    """
    net = _check_net(net)
    X_arr, Y_arr = net.check_data(X, Y, writing=True)
    eps = check_positive_number("eps", eps)
    if net.dtype != np.float64:
        raise ValueError("finite differences need float64 parameters; build the MLP with float64")
    wm, bm = _existing(net)
    results: list[list[np.ndarray]] = []
    for params, masks in ((net.weights, wm), (net.biases, bm)):
        grads = []
        for array, mask in zip(params, masks, strict=True):
            original = array.copy()

            def cost(p: np.ndarray, array: np.ndarray = array) -> float:
                array[...] = p
                return net.cost(X_arr, Y_arr)

            try:
                g = numerical_gradient(cost, original, eps)
            finally:
                array[...] = original
            grads.append(np.where(mask, g, 0.0))
        results.append(grads)
    return results[0], results[1]


def check_mlp_gradients(
    net: MLP,
    X: ArrayLike,
    Y: ArrayLike,
    gradients: tuple[Sequence[ArrayLike], Sequence[ArrayLike]] | None = None,
    *,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
) -> list[GradientCheck]:
    """Gradient-check every weight matrix and bias vector of ``net`` on (X, Y).

    Parameters
    ----------
    net, X, Y
        The network and data whose cost C is differentiated.
    gradients
        ``(weight gradients, bias gradients)`` to check, shaped like ``net.weights`` and
        ``net.biases``; by default the backpropagation gradients of ``net.gradients``.
    eps, tolerance
        Finite-difference step and the largest relative error that passes (both > 0).

    Returns
    -------
    list of GradientCheck
        One per parameter array, named "W^l" and "b^l" (l counted from 1), in the order
        W^1, b^1, W^2, b^2, ...
    """
    net = _check_net(net)
    X_arr, Y_arr = net.check_data(X, Y)
    tolerance = check_positive_number("tolerance", tolerance)
    if gradients is None:
        g = net.gradients(X_arr, Y_arr)
        gradients = (g.weights, g.biases)
    if not (isinstance(gradients, tuple | list) and len(gradients) == 2):
        raise TypeError("gradients must be a pair (weight gradients, bias gradients)")
    numeric_w, numeric_b = numerical_mlp_gradients(net, X_arr, Y_arr, eps)
    checks: list[GradientCheck] = []
    for kind, given, numeric in (("W", gradients[0], numeric_w), ("b", gradients[1], numeric_b)):
        if isinstance(given, str | bytes) or not isinstance(given, Sequence | np.ndarray) or (
            len(given) != len(numeric)
        ):
            raise ValueError(
                f"gradients must hold {len(numeric)} {kind} arrays (one per layer)"
            )
        for layer, (a, n) in enumerate(zip(given, numeric, strict=True), start=1):
            name = f"{kind}^{layer}"
            analytic = check_finite(name, as_real_array(name, a).astype(np.float64))
            if analytic.shape != n.shape:
                raise ValueError(
                    f"the {name} gradient has shape {analytic.shape}; expected {n.shape}"
                )
            checks.append(GradientCheck(name, analytic.copy(), n,
                                        relative_error(analytic, n), tolerance))
    return sorted(checks, key=lambda c: (int(c.name[2:]), c.name[0] != "W"))
