"""Sympy derivations of the chapter "Vanishing (and exploding) deltas".

Each function returns the expressions the page displays, and asserts the facts it
claims, so that a wrong formula fails the build (and the tests):

* :func:`sigmoid_slope` — from the definition σ(z) = 1/(1 + e^{−z}): σ' = σ(1 − σ), and
  1/4 − σ'(z) = (σ(z) − 1/2)², so σ' ≤ 1/4 with equality only at z = 0,
  eq. (vd-sigmoid-max);
* :func:`tanh_slope` — from the definition tanh z = (e^z − e^{−z})/(e^z + e^{−z}):
  1 − tanh'(z) = tanh² z, so tanh' ≤ 1 with equality only at z = 0;
* :func:`diagonal_gap` and :func:`spectral_gap` — the two inequalities behind the bound
  ‖δ^l‖ ≤ (max f') ‖W^{l+1}‖₂ ‖δ^{l+1}‖, eq. (vd-bound), each as an identity whose right
  side is a sum of non-negative terms;
* :func:`unrolled_bound` and :func:`layers_to_shrink` — the bound over k layers,
  eq. (vd-unrolled), solved from the one-layer recurrence, and how many layers force a
  given shrinkage;
* :func:`variance_gain`, :func:`norm_gain` and :func:`preserving_variance` — the variance
  argument behind the initialisation schemes, eqs. (vd-variance), (vd-norm-gain) and
  (vd-init), with the expectations taken by :mod:`sympy.stats`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.stats import E, Normal

__all__ = [
    "SlopeFacts",
    "diagonal_gap",
    "layers_to_shrink",
    "norm_gain",
    "preserving_variance",
    "relu_mean_square_slope",
    "sigmoid_slope",
    "spectral_gap",
    "tanh_slope",
    "unrolled_bound",
    "variance_gain",
]

z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class SlopeFacts:
    """An activation's derivative and where it is largest.

    Attributes
    ----------
    derivative
        f'(z) as a sympy expression in ``z``.
    argmax, maximum
        The z at which f' is largest, and the largest value max f'.
    gap
        max f' − f'(z) written as a manifestly non-negative expression in ``a``.
    """

    derivative: sp.Expr
    argmax: sp.Expr
    maximum: sp.Expr
    gap: sp.Expr


a = sp.Symbol("a", real=True)


def sigmoid_slope() -> SlopeFacts:
    """σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4 with equality only at z = 0, eq. (vd-sigmoid-max).

    Everything is derived from the definition σ(z) = 1/(1 + e^{−z}): its derivative is
    σ(1 − σ); the completed square 1/4 − σ'(z) = (σ(z) − 1/2)² holds for every z, so
    σ' ≤ 1/4, with equality only where σ(z) = 1/2, which is z = 0 alone; and the only
    stationary point of σ' is that maximum.
    """
    sigma = 1 / (1 + sp.exp(-z))
    slope = sp.diff(sigma, z)
    assert sp.simplify(slope - sigma * (1 - sigma)) == 0
    quarter, half = sp.Rational(1, 4), sp.Rational(1, 2)
    assert sp.simplify(quarter - slope - (sigma - half) ** 2) == 0      # the completed square
    assert sp.solve(sp.Eq(sigma, half), z) == [0]                       # where the gap is 0
    # The only stationary point: σ'' = σ'(1 − 2σ) vanishes where σ = 1/2, i.e. z = 0.
    assert sp.solve(sp.Eq(sp.diff(slope, z), 0), z) == [0]
    maximum = slope.subs(z, 0)
    assert maximum == quarter
    return SlopeFacts(sp.simplify(slope), sp.Integer(0), maximum, (a - half) ** 2)


def tanh_slope() -> SlopeFacts:
    """tanh'(z) = 1 − tanh² z ≤ 1 with equality only at z = 0.

    Derived from the definition tanh z = (e^z − e^{−z})/(e^z + e^{−z}) (checked to be
    sympy's ``tanh``): 1 − tanh'(z) = tanh² z ≥ 0 for every z, and tanh z = 0 only at z = 0.
    """
    tanh = (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))
    assert sp.simplify(tanh - sp.tanh(z).rewrite(sp.exp)) == 0
    slope = sp.diff(tanh, z)
    assert sp.simplify(1 - slope - tanh**2) == 0                        # 1 − tanh' = tanh²
    assert sp.solve(sp.Eq(tanh, 0), z) == [0]                           # where the gap is 0
    maximum = slope.subs(z, 0)
    assert sp.simplify(maximum - 1) == 0
    return SlopeFacts(1 - sp.tanh(z) ** 2, sp.Integer(0), sp.Integer(1), a**2)


def diagonal_gap(n: int = 3) -> tuple[sp.Expr, sp.Expr]:
    """c²‖v‖² − ‖d ⊙ v‖² = Σ_j (c² − d_j²) v_j² for n components.

    Returns the left side and the right side (equal, asserted). When 0 ≤ d_j ≤ c every
    term on the right is ≥ 0, so multiplying element-wise by slopes at most c shrinks a
    vector's norm by at least the factor c: the first step of eq. (vd-bound).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    c = sp.Symbol("c", nonnegative=True)
    d = sp.symbols(f"d1:{n + 1}", nonnegative=True)
    v = sp.symbols(f"v1:{n + 1}", real=True)
    left = c**2 * sum(x**2 for x in v) - sum((dj * vj) ** 2 for dj, vj in zip(d, v))
    right = sum((c**2 - dj**2) * vj**2 for dj, vj in zip(d, v))
    assert sp.expand(left - right) == 0
    return left, right


def spectral_gap() -> tuple[sp.Expr, sp.Expr]:
    """ς₁²‖δ‖² − ‖Wᵀδ‖² = (ς₁² − ς₂²)(u₂·δ)² for a 2 × 2 matrix W = U diag(ς₁, ς₂) Vᵀ.

    U and V are rotations by angles θ and φ (any 2 × 2 matrix has this singular value
    decomposition, up to signs) and u₂ is the second column of U. With ς₁ ≥ ς₂ ≥ 0 the
    right side is ≥ 0, so ‖Wᵀδ‖ ≤ ς₁‖δ‖ = ‖W‖₂‖δ‖: the second step of eq. (vd-bound).
    The singular values are ς (varsigma) because s is the weight standard deviation.
    Returns (left, right), asserted equal.
    """
    theta, phi = sp.symbols("theta phi", real=True)
    s1, s2 = sp.symbols("varsigma1 varsigma2", nonnegative=True)
    d1, d2 = sp.symbols("delta1 delta2", real=True)

    def rotation(angle: sp.Symbol) -> sp.Matrix:
        return sp.Matrix([[sp.cos(angle), -sp.sin(angle)], [sp.sin(angle), sp.cos(angle)]])

    U, V = rotation(theta), rotation(phi)
    W = U * sp.diag(s1, s2) * V.T
    delta = sp.Matrix([d1, d2])
    back = W.T * delta
    left = s1**2 * (d1**2 + d2**2) - (back.T * back)[0, 0]
    right = (s1**2 - s2**2) * ((U[:, 1].T * delta)[0, 0]) ** 2
    assert sp.simplify(sp.expand(sp.expand_trig(left - right))) == 0
    return left, right


def unrolled_bound() -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """‖δ^l‖ / ‖δ^L‖ ≤ (c w)^{L−l} when every ‖W^k‖₂ ≤ w and f' ≤ c, eq. (vd-unrolled).

    Returns the bound and its symbols (c, w, L, l). Eq. (vd-bound) applied once bounds the
    ratio r(l) = ‖δ^l‖/‖δ^L‖ by c w r(l + 1), with r(L) = 1 at the output layer. The bound
    is derived as the solution of that recurrence (``sympy.rsolve`` with the condition at
    l = L), and checked as an induction: it is 1 at l = L, and one more layer multiplies it
    by c w.
    """
    c, w = sp.symbols("c w", positive=True)
    L, l_ = sp.symbols("L l", integer=True, positive=True)
    r = sp.Function("r")
    general = sp.rsolve(r(l_) - c * w * r(l_ + 1), r(l_))
    (constant,) = general.free_symbols - {c, w, l_}
    (fitted,) = sp.solve(sp.Eq(general.subs(l_, L), 1), constant)
    bound = (c * w) ** (L - l_)
    assert sp.simplify(sp.powsimp(general.subs(constant, fitted) / bound, force=True)) == 1
    assert bound.subs(l_, L) == 1                                          # r(L) = 1
    assert sp.simplify(bound - c * w * bound.subs(l_, l_ + 1)) == 0        # one more layer
    return bound, (c, w, L, l_)


def layers_to_shrink(factor: float | sp.Expr, slope: float | sp.Expr = 0.25,
                     norm: float | sp.Expr = 1) -> sp.Expr:
    """The number of layers k after which eq. (vd-unrolled) guarantees ‖δ^{L−k}‖ ≤ factor ‖δ^L‖.

    Solves (slope · norm)^k = factor for k and rounds up; needs 0 < factor < 1 and
    slope · norm < 1 (otherwise the bound never forces any shrinkage).
    """
    factor, slope, norm = sp.nsimplify(factor), sp.nsimplify(slope), sp.nsimplify(norm)
    if not (0 < factor < 1):
        raise ValueError(f"factor must lie strictly between 0 and 1, got {factor}")
    if not (slope > 0 and norm > 0 and slope * norm < 1):
        raise ValueError("slope * norm must lie strictly between 0 and 1 for the bound to shrink")
    rate = slope * norm
    exact = sp.log(factor) / sp.log(rate)          # solves rate^k = factor
    assert sp.simplify(sp.expand_log(rate**exact - factor, force=True)) == 0 or abs(
        float(rate**exact - factor)) <= 1e-12 * float(factor)
    # Round up exactly (rational arithmetic), so that rate^k <= factor < rate^(k − 1).
    k = max(1, math.ceil(float(exact)))
    while rate**k > factor:
        k += 1
    while k > 1 and rate ** (k - 1) <= factor:
        k -= 1
    return sp.Integer(k)


def relu_mean_square_slope() -> sp.Expr:
    """E[relu'(Z)²] for Z ~ N(0, q²): the slope is 1 on z > 0 and 0 below, so 1/2."""
    q = sp.Symbol("q", positive=True)
    Z = Normal("Z", 0, q)
    value = sp.simplify(E(sp.Heaviside(Z, 0) ** 2))
    assert value == sp.Rational(1, 2)
    return value


@lru_cache(maxsize=1)
def _second_moments() -> tuple[sp.Expr, sp.Expr, sp.Expr, tuple[sp.Symbol, sp.Symbol]]:
    """E[v_1²], E‖v‖² and E‖δ‖² for v = Wᵀδ with W of shape (2, 3), by sympy.stats.

    W has independent N(0, s²) entries and δ independent N(0, v) components (any
    zero-mean distribution gives the same second moments; normals let sympy.stats
    integrate). Widths n_{l+1} = 2 and n_l = 3 differ, so the results tell the two apart.
    """
    s, v = sp.symbols("s v", positive=True)
    n_next, n_here = 2, 3
    W = [[Normal(f"W{k}{j}", 0, s) for j in range(n_here)] for k in range(n_next)]
    delta = [Normal(f"delta{k}", 0, sp.sqrt(v)) for k in range(n_next)]
    back = [sum(W[k][j] * delta[k] for k in range(n_next)) for j in range(n_here)]
    squares = [sp.simplify(E(sp.expand(component**2))) for component in back]
    return squares[0], sp.Add(*squares), sp.simplify(E(sum(d**2 for d in delta))), (s, v)


def variance_gain() -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """Var(δ^l_j) / Var(δ^{l+1}_k) = n s² E[f'(z)²], eq. (vd-variance), with n = n_{l+1}.

    With independent zero-mean weights of variance s², independent of the deltas, each
    component (Wᵀδ)_j = Σ_k W_kj δ_k is a sum of n = n_{l+1} independent terms of variance
    s² Var(δ), and multiplying by f'(z_j) (independent of W^{l+1}) multiplies the second
    moment by E[f'²] (the symbol ``g`` here). The expectation is taken by sympy.stats
    for n_{l+1} = 2 rows and n_l = 3 columns: the factor counts the rows.
    """
    n, s, g = sp.symbols("n s g", positive=True)
    gain = n * s**2 * g
    component, _, _, (s_, v) = _second_moments()
    assert sp.simplify(component * g - gain.subs({n: 2, s: s_}) * v) == 0
    return gain, (n, s, g)


def norm_gain() -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """E‖δ^l‖² / E‖δ^{l+1}‖² = n_l s² E[f'(z)²], eq. (vd-norm-gain).

    The Euclidean norm of δ^l sums n_l squared components of the variance of
    eq. (vd-variance), and that of δ^{l+1} sums n_{l+1}; their ratio is n_l s² E[f'²]
    = g² n_l / n_{l+1}. Returns the ratio and its symbols (n_l, s, g), ``g`` standing for
    E[f'²]; checked by sympy.stats for W of shape (2, 3), where it counts the columns.
    """
    n_l, s, g = sp.symbols("n_l s g", positive=True)
    gain = n_l * s**2 * g
    _, total, per_delta, (s_, _v) = _second_moments()
    assert sp.simplify(total * g / per_delta - gain.subs({n_l: 3, s: s_})) == 0
    return gain, (n_l, s, g)


def preserving_variance(mean_square_slope: sp.Expr | float) -> sp.Expr:
    """The weight variance s² that makes the gain of eq. (vd-variance) equal to 1.

    Returns s² as an expression in ``n`` (the fan-out n_{l+1}): 2/n for ReLU
    (E[f'²] = 1/2, He et al.), 1/n for a unit slope (tanh near 0, LeCun).
    """
    gain, (_n, s, g) = variance_gain()
    value = sp.nsimplify(mean_square_slope)
    if not value.is_positive:
        raise ValueError(f"mean_square_slope must be positive, got {mean_square_slope!r}")
    s2 = sp.Symbol("s2", positive=True)
    (solution,) = sp.solve(sp.Eq(gain.subs({g: value, s: sp.sqrt(s2)}), 1), s2)
    return solution
