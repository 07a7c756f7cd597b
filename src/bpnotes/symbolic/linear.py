"""The derivations of the linear-regression chapter, carried out by sympy.

Every function returns sympy objects that the chapter displays and asserts, so that a
wrong step fails the build; the tests compare them with numeric gradients.

* :func:`example_gradient` — ∂/∂w_j of one example's squared error, eq. (lin-grad-j);
* :func:`cost` and :func:`cost_gradient` — the mean squared error J and its ½-scaled
  variant for concrete sizes (m examples, n features), with every partial derivative;
* :func:`matrix_gradient` — eq. (lin-grad-matrix), (1/m) X̃ᵀ(X̃θ − t), for the same sizes;
* :func:`quadratic_stability` — the 1-D quadratic with curvature λ: the error map and the
  exact interval of learning rates for which it contracts, eq. (lin-stability-1d);
* :func:`hessian` and :func:`eigen_update_factors` — the general case through the
  eigenvalues of the Hessian, eq. (lin-stability).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = [
    "LinearSymbols",
    "QuadraticStability",
    "cost",
    "cost_gradient",
    "eigen_update_factors",
    "example_gradient",
    "hessian",
    "linear_symbols",
    "matrix_gradient",
    "quadratic_stability",
    "stable_interval",
]

eta = sp.Symbol("eta", positive=True)


@dataclass(frozen=True)
class LinearSymbols:
    """Symbols of a concrete problem: X (m × n), t (m), w (n), b; and θ = (w, b)."""

    X: sp.Matrix
    t: sp.Matrix
    w: sp.Matrix
    b: sp.Symbol

    @property
    def theta(self) -> sp.Matrix:
        """The parameters with the bias last, θ = (w_1, ..., w_n, b)."""
        return self.w.col_join(sp.Matrix([self.b]))

    @property
    def X_aug(self) -> sp.Matrix:
        """X̃ = [X, 1], the bias folded in as a weight on a constant input."""
        return self.X.row_join(sp.ones(self.X.rows, 1))

    @property
    def m(self) -> int:
        """The number of examples."""
        return self.X.rows


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value


def linear_symbols(m: int, n: int) -> LinearSymbols:
    """Real symbols x_ij (example i, feature j), t_i, w_j and b for m examples, n features."""
    m, n = _check_size("m", m), _check_size("n", n)
    X = sp.Matrix(m, n, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
    t = sp.Matrix(m, 1, lambda i, _: sp.Symbol(f"t_{i + 1}", real=True))
    w = sp.Matrix(n, 1, lambda j, _: sp.Symbol(f"w_{j + 1}", real=True))
    return LinearSymbols(X, t, w, sp.Symbol("b", real=True))


def example_gradient(n: int = 3, j: int = 1) -> tuple[sp.Expr, sp.Expr, dict[str, sp.Expr]]:
    """∂/∂w_j of one example's squared error (y − t)², y = x·w + b, eq. (lin-grad-j).

    Returns ``(derivative, expected, names)`` where ``expected`` = 2 (y − t) x_j, the
    chain rule's answer, and ``names`` maps "x", "w", "t", "b", "y" to the symbols
    used (x and w are n-vectors as sympy matrices).
    """
    n = _check_size("n", n)
    if not 1 <= _check_size("j", j) <= n:
        raise ValueError(f"j must be between 1 and n = {n}, got {j}")
    x = sp.Matrix(n, 1, lambda k, _: sp.Symbol(f"x_{k + 1}", real=True))
    w = sp.Matrix(n, 1, lambda k, _: sp.Symbol(f"w_{k + 1}", real=True))
    b, t = sp.symbols("b t", real=True)
    y = (x.T * w)[0, 0] + b
    derivative = sp.diff((y - t) ** 2, w[j - 1])
    expected = 2 * (y - t) * x[j - 1]
    return derivative, expected, {"x": x, "w": w, "b": b, "t": t, "y": y}


def _outputs(s: LinearSymbols) -> sp.Matrix:
    return s.X * s.w + sp.ones(s.m, 1) * s.b


def cost(s: LinearSymbols, *, half: bool = True) -> sp.Expr:
    """J = (1/m) Σ (y_i − t_i)², or with ``half`` the book's 1/(2m) Σ, eq. (lin-cost)."""
    r = _outputs(s) - s.t
    scale = sp.Rational(1, 2 * s.m) if half else sp.Rational(1, s.m)
    return scale * (r.T * r)[0, 0]


def cost_gradient(s: LinearSymbols, *, half: bool = True) -> sp.Matrix:
    """The partial derivatives of :func:`cost` with respect to θ = (w, b), by sympy."""
    J = cost(s, half=half)
    return sp.Matrix([sp.diff(J, p) for p in s.theta])


def matrix_gradient(s: LinearSymbols) -> sp.Matrix:
    """Eq. (lin-grad-matrix): (1/m) X̃ᵀ(X̃θ − t), the gradient of the ½-scaled cost."""
    return s.X_aug.T * (s.X_aug * s.theta - s.t) / s.m


def hessian(s: LinearSymbols) -> sp.Matrix:
    """The Hessian of the ½-scaled cost in θ = (w, b), by differentiating twice."""
    return sp.hessian(cost(s, half=True), list(s.theta))


@dataclass(frozen=True)
class QuadraticStability:
    """The 1-D quadratic J(w) = ½ λ (w − w*)² + c under gradient descent.

    The curvature is written λ, the letter of the Hessian's eigenvalues that it stands for
    in eq. (lin-error-map) (``a`` is an activation elsewhere in the book).

    Attributes
    ----------
    curvature, w_star, w
        The curvature λ = J''(w) > 0, the minimiser and the current point (symbols).
    update
        w − η J'(w), the next iterate.
    factor
        The error factor 1 − ηλ: (next iterate − w*) = factor · (w − w*).
    interval
        The set of η > 0 for which |factor| < 1, solved by sympy: (0, 2/λ).
    """

    curvature: sp.Symbol
    w_star: sp.Symbol
    w: sp.Symbol
    update: sp.Expr
    factor: sp.Expr
    interval: sp.Set


def stable_interval(factor: sp.Expr) -> sp.Set:
    """The learning rates η with |factor(η)| < 1, solved by sympy over the reals.

    ``eta`` is declared positive, so the answer lies in η > 0 by construction.
    """
    return sp.solveset(sp.Abs(factor) < 1, eta, sp.S.Reals)


def quadratic_stability() -> QuadraticStability:
    """Derive eq. (lin-stability-1d): the iterates contract iff 0 < η < 2/λ."""
    curvature = sp.Symbol("lambda", positive=True)
    w_star, w, c = sp.symbols("w^* w c", real=True)
    J = curvature * (w - w_star) ** 2 / 2 + c
    update = w - eta * sp.diff(J, w)
    factor = sp.cancel((update - w_star) / (w - w_star))
    return QuadraticStability(curvature, w_star, w, update, factor, stable_interval(factor))


def eigen_update_factors(H: sp.Matrix) -> dict[sp.Expr, int]:
    """The eigenvalues of the error map I − ηH, with their multiplicities.

    For a quadratic cost with Hessian H, one gradient step maps the error
    e = θ − θ* to (I − ηH) e, so the iterates converge from every start iff every
    eigenvalue 1 − ηλ_i of I − ηH has modulus < 1, eq. (lin-stability).
    """
    if not isinstance(H, sp.MatrixBase) or not H.is_square:
        raise TypeError("H must be a square sympy Matrix")
    return (sp.eye(H.rows) - eta * H).eigenvals()
