"""Sympy derivations of the chapter "Vanishing (and exploding) deltas".

Each function returns the expressions the page displays, and asserts the facts it
claims, so that a wrong formula fails the build (and the tests):

* :func:`sigmoid_slope` — σ'(z) = σ(1 − σ) has its maximum 1/4 at z = 0, because
  1/4 − σ' = (σ − 1/2)², eq. (vd-sigmoid-max);
* :func:`tanh_slope` — tanh'(z) = 1 − tanh² z ≤ 1, with equality only at z = 0;
* :func:`diagonal_gap` and :func:`spectral_gap` — the two inequalities behind the bound
  ‖δ^l‖ ≤ (max f') ‖W^{l+1}‖₂ ‖δ^{l+1}‖, eq. (vd-bound), each as an identity whose right
  side is a sum of non-negative terms;
* :func:`unrolled_bound` and :func:`layers_to_shrink` — the bound over k layers,
  eq. (vd-unrolled), and how many layers force a given shrinkage;
* :func:`variance_gain` and :func:`preserving_variance` — the variance argument
  behind the initialisation schemes, eqs. (vd-variance) and (vd-init).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp
from sympy.stats import E, Normal

__all__ = [
    "SlopeFacts",
    "diagonal_gap",
    "layers_to_shrink",
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
    """σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4 with equality only at z = 0, eq. (vd-sigmoid-max)."""
    sigma = 1 / (1 + sp.exp(-z))
    slope = sp.diff(sigma, z)
    assert sp.simplify(slope - sigma * (1 - sigma)) == 0
    # The only stationary point: σ'' = σ'(1 − 2σ) vanishes where σ = 1/2, i.e. z = 0.
    stationary = sp.solve(sp.Eq(sp.diff(slope, z), 0), z)
    assert stationary == [0]
    assert sp.diff(slope, z, 2).subs(z, 0) < 0  # a maximum, not a minimum
    maximum = slope.subs(z, 0)
    assert maximum == sp.Rational(1, 4)
    gap = (a - sp.Rational(1, 2)) ** 2
    assert sp.expand(maximum - a * (1 - a) - gap) == 0
    return SlopeFacts(sp.simplify(slope), sp.Integer(0), maximum, gap)


def tanh_slope() -> SlopeFacts:
    """tanh'(z) = 1 − tanh² z ≤ 1 with equality only at z = 0."""
    slope = sp.diff(sp.tanh(z), z)
    assert sp.simplify(slope - (1 - sp.tanh(z) ** 2)) == 0
    stationary = sp.solve(sp.Eq(sp.diff(1 - sp.tanh(z) ** 2, z), 0), z)
    assert stationary == [0]
    assert sp.diff(slope, z, 2).subs(z, 0) < 0
    maximum = slope.subs(z, 0)
    assert maximum == 1
    gap = a**2
    assert sp.expand(maximum - (1 - a**2) - gap) == 0
    return SlopeFacts(1 - sp.tanh(z) ** 2, sp.Integer(0), sp.Integer(1), gap)


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
    """s₁²‖δ‖² − ‖Wᵀδ‖² = (s₁² − s₂²)(u₂·δ)² for a 2 × 2 matrix W = U diag(s₁, s₂) Vᵀ.

    U and V are rotations by angles θ and φ (any 2 × 2 matrix has this singular value
    decomposition, up to signs) and u₂ is the second column of U. With s₁ ≥ s₂ ≥ 0 the
    right side is ≥ 0, so ‖Wᵀδ‖ ≤ s₁‖δ‖ = ‖W‖₂‖δ‖: the second step of eq. (vd-bound).
    Returns (left, right), asserted equal.
    """
    theta, phi = sp.symbols("theta phi", real=True)
    s1, s2 = sp.symbols("s1 s2", nonnegative=True)
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

    Returns the bound and its symbols (c, w, L, l). Applying eq. (vd-bound) once per layer
    from L down to l multiplies L − l factors; the product is checked for L − l = 1..4.
    """
    c, w = sp.symbols("c w", positive=True)
    L, l_ = sp.symbols("L l", integer=True, positive=True)
    bound = (c * w) ** (L - l_)
    for k in range(1, 5):
        product = sp.Mul(*([c * w] * k))
        assert sp.simplify(bound.subs({L: l_ + k}) - product) == 0
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


def variance_gain() -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """Var(δ^l_j) / Var(δ^{l+1}_k) = n s² E[f'(z)²], eq. (vd-variance).

    With independent zero-mean weights of variance s², independent of the deltas, each
    component (Wᵀδ)_j = Σ_k W_kj δ_k is a sum of n = n_{l+1} independent terms of variance
    s² Var(δ), and multiplying by f'(z_j) (independent of W^{l+1}) multiplies the second
    moment by E[f'²]. Checked here for n = 3 by expanding the square symbolically.
    """
    n, s, g = sp.symbols("n s g", positive=True)
    gain = n * s**2 * g
    # n = 3: E[(Σ_k W_k δ_k)²] with E[W_k W_k'] = s² [k = k'] and E[δ_k²] = v.
    v = sp.Symbol("v", positive=True)
    Ws = sp.symbols("W1:4", real=True)
    ds = sp.symbols("D1:4", real=True)
    square = sp.expand(sum(w_ * d_ for w_, d_ in zip(Ws, ds)) ** 2)
    moments = {**{w_: s**2 for w_ in Ws}, **{d_: v for d_ in ds}}
    expectation = sp.Integer(0)
    for term in sp.Add.make_args(square):
        coefficient, powers = term.as_coeff_mul()
        exponents = sp.Mul(*powers).as_powers_dict()
        # Zero-mean, independent factors: a term survives only if every power is even.
        if all(int(e) % 2 == 0 for e in exponents.values()):
            expectation += coefficient * sp.Mul(*(moments[b] ** (int(e) // 2)
                                                  for b, e in exponents.items()))
    assert sp.simplify(expectation * g - gain.subs(n, 3) * v) == 0
    return gain, (n, s, g)


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
