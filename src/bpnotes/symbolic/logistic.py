"""Sympy derivations of the logistic and softmax regression chapter.

Each function builds one step of the chapter's argument as a sympy expression, so the
page can display it and assert it, and the tests can compare it with ``bpnotes.logistic``
and ``bpnotes.softmax`` at random points:

* the sigmoid and its derivative σ' = σ(1 − σ), eqs. (log-sigmoid), (log-sigmoid-prime),
  and why that slope is at most 1/4: 1/4 − s(1 − s) = (2s − 1)²/4, eq. (log-sigmoid-max);
* the per-example probability y^t (1 − y)^(1 − t), eq. (log-bernoulli), the likelihood of
  independent examples, eq. (log-likelihood), its logarithm, eq. (log-loglik), and the
  negative log-likelihood as binary cross-entropy, eq. (log-nll);
* the gradient ∂J/∂w_j = (1/m) Σ_i (y_i − t_i) x_ij of a concrete small problem,
  eq. (log-grad);
* the distance between two contours w·x + b = c₁ and c₂ of the model, |c₂ − c₁| / ‖w‖,
  as the shortest distance from a point of one line to the other, eq. (log-band);
* the descent lemma's last step, J − η‖g‖² + (L/2) η²‖g‖² = J − η(1 − ηL/2)‖g‖², and
  the rates for which it guarantees a decrease, eq. (log-descent-lemma);
* softmax, one-hot targets and categorical cross-entropy, eqs. (softmax-def),
  (softmax-ce), with the gradient o − y with respect to the logits for k = 3 and, with
  the Kronecker delta, for any k, eqs. (softmax-jacobian), (softmax-grad).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

__all__ = [
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "contour_distance",
    "cross_entropy_gradient_general",
    "cross_entropy_gradient_k",
    "descent_lemma",
    "likelihood",
    "log_likelihood",
    "logistic_cost",
    "logistic_gradient",
    "logistic_gradient_formula",
    "per_example_probability",
    "sigmoid",
    "sigmoid_derivative",
    "sigmoid_slope_gap",
    "softmax",
    "softmax_jacobian_general",
    "stable_log_loss",
]


def sigmoid(z: sp.Expr) -> sp.Expr:
    """σ(z) = 1 / (1 + e^{−z}), eq. (log-sigmoid)."""
    return 1 / (1 + sp.exp(-z))


def sigmoid_derivative(z: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """``(dσ/dz computed by sympy, σ(z)(1 − σ(z)))``, equal by eq. (log-sigmoid-prime)."""
    return sp.diff(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z))


def sigmoid_slope_gap(s: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """``(1/4 − s(1 − s), (2s − 1)²/4)``, equal polynomials in s = σ(z), eq. (log-sigmoid-max).

    The second form is a square over 4, so it is never negative and vanishes only at
    s = 1/2: the slope σ' = s(1 − s) is at most 1/4, reached only where σ(z) = 1/2 (z = 0).
    """
    return sp.Rational(1, 4) - s * (1 - s), (2 * s - 1) ** 2 / 4


def contour_distance() -> tuple[sp.Expr, sp.Expr, tuple[sp.Symbol, ...]]:
    """The distance between the lines w·x + b = ζ₁ and w·x + b = ζ₂ in the plane, eq. (log-band).

    Derived from the definition: for a point p of the first line, the shortest distance
    to the second is the minimum of ‖x − p‖² over the x with w·x + b = ζ₂. That is a
    convex function on a line, so its one stationary point under the constraint (found by
    a Lagrange multiplier) is the minimum; the minimum does not depend on which point p
    of the first line was taken, so the lines are parallel at that distance.

    Returns
    -------
    tuple
        ``(derived, claimed, (w1, w2, zeta1, zeta2))``: the square root of the minimum
        that sympy finds, and the claimed |ζ₂ − ζ₁| / ‖w‖.
    """
    w2 = sp.Symbol("w2", real=True, nonzero=True)    # (w2 = 0 is the same with x1, x2 swapped)
    w1, b, zeta1, zeta2, p1, x1, x2, lam = sp.symbols("w1 b zeta1 zeta2 p1 x1 x2 lambda",
                                                      real=True)
    p2 = (zeta1 - b - w1 * p1) / w2                   # the point (p1, p2) lies on line 1
    squared = (x1 - p1) ** 2 + (x2 - p2) ** 2
    constraint = w1 * x1 + w2 * x2 + b - zeta2
    lagrangian = squared - lam * constraint
    stationary = sp.solve([sp.diff(lagrangian, v) for v in (x1, x2, lam)], [x1, x2, lam],
                          dict=True)
    if len(stationary) != 1:
        raise ArithmeticError(f"expected one stationary point, sympy found {len(stationary)}")
    minimum = sp.factor(squared.subs(stationary[0]))
    derived = sp.sqrt(minimum)
    claimed = sp.Abs(zeta2 - zeta1) / sp.sqrt(w1**2 + w2**2)
    return derived, claimed, (w1, w2, zeta1, zeta2)


def descent_lemma() -> tuple[sp.Expr, sp.Expr, sp.Set, tuple[sp.Symbol, ...]]:
    """The last step of the descent lemma and the rates it covers, eq. (log-descent-lemma).

    With the step Δ = −η g (g = ∇J, ``g2`` = ‖g‖²) and curvature at most L, Taylor's
    theorem bounds the new cost by J + g·Δ + (L/2)‖Δ‖² = J − η‖g‖² + (L/2)η²‖g‖².

    Returns
    -------
    tuple
        ``(bound, factored, rates, (J, eta, L, g2))``: that bound, the claimed
        J − η(1 − ηL/2)‖g‖², and the set of η > 0 for which the factor η(1 − ηL/2) is
        positive (so the cost falls whenever g ≠ 0), solved by sympy.
    """
    J = sp.Symbol("J", real=True)
    eta, L, g2 = sp.symbols("eta L g2", positive=True)
    bound = J + (-eta * g2) + L / 2 * eta**2 * g2     # J + g·Δ + (L/2)‖Δ‖², Δ = −η g
    factored = J - eta * (1 - eta * L / 2) * g2
    rates = sp.solveset(eta * (1 - eta * L / 2) > 0, eta, sp.S.Reals)
    return bound, factored, rates, (J, eta, L, g2)


def per_example_probability(y: sp.Expr, t: sp.Expr) -> sp.Expr:
    """P(t | x) = y^t (1 − y)^(1 − t) for a label t ∈ {0, 1} and y = P(t = 1 | x),
    eq. (log-bernoulli): it is y when t = 1 and 1 − y when t = 0."""
    return y**t * (1 - y) ** (1 - t)


def likelihood(ys: Sequence[sp.Expr], ts: Sequence[sp.Expr]) -> sp.Expr:
    """The probability of all labels of independent examples, Π_i y_i^t_i (1 − y_i)^(1 − t_i),
    eq. (log-likelihood)."""
    if len(ys) != len(ts):
        raise ValueError(f"ys and ts must have the same length, got {len(ys)} and {len(ts)}")
    return sp.Mul(*(per_example_probability(y, t) for y, t in zip(ys, ts, strict=True)))


def log_likelihood(ys: Sequence[sp.Expr], ts: Sequence[sp.Expr]) -> sp.Expr:
    """log of :func:`likelihood`, expanded into Σ_i [t_i log y_i + (1 − t_i) log(1 − y_i)],
    eq. (log-loglik). ``force=True`` is valid because probabilities are positive."""
    return sp.expand_log(sp.log(likelihood(ys, ts)), force=True)


def binary_cross_entropy(y: sp.Expr, t: sp.Expr) -> sp.Expr:
    """ℓ(y, t) = −[t log y + (1 − t) log(1 − y)], eq. (log-nll)."""
    return -(t * sp.log(y) + (1 - t) * sp.log(1 - y))


def stable_log_loss(z: sp.Expr, t: sp.Expr) -> sp.Expr:
    """The log loss written with the logit z: log(1 + e^z) − t z, eq. (log-loss-logits)."""
    return sp.log(1 + sp.exp(z)) - t * z


def logistic_cost(m: int, n: int) -> tuple[sp.Expr, sp.Matrix, sp.Symbol, sp.Matrix, sp.Matrix]:
    """The mean log loss J(w, b) of a concrete problem with m examples and n features.

    Returns
    -------
    tuple
        ``(J, w, b, X, t)`` with symbols w_j, b, x_ij and t_i; J = (1/m) Σ_i ℓ(σ(z_i), t_i)
        with z_i = Σ_j x_ij w_j + b, eq. (log-cost).
    """
    if m < 1 or n < 1:
        raise ValueError(f"m and n must be at least 1, got m={m}, n={n}")
    w = sp.Matrix(sp.symbols(f"w1:{n + 1}", real=True))
    b = sp.Symbol("b", real=True)
    X = sp.Matrix(m, n, lambda i, j: sp.Symbol(f"x{i + 1}{j + 1}", real=True))
    t = sp.Matrix(sp.symbols(f"t1:{m + 1}", real=True))
    z = X * w + sp.ones(m, 1) * b
    J = sp.Add(*(binary_cross_entropy(sigmoid(z[i]), t[i]) for i in range(m))) / m
    return J, w, b, X, t


def logistic_gradient(m: int, n: int) -> tuple[list[sp.Expr], sp.Matrix, sp.Symbol,
                                               sp.Matrix, sp.Matrix]:
    """``([∂J/∂w_1, …, ∂J/∂w_n, ∂J/∂b], w, b, X, t)`` differentiated by sympy."""
    J, w, b, X, t = logistic_cost(m, n)
    return [sp.diff(J, v) for v in [*w, b]], w, b, X, t


def logistic_gradient_formula(w: sp.Matrix, b: sp.Symbol, X: sp.Matrix,
                              t: sp.Matrix) -> list[sp.Expr]:
    """The claimed gradient (1/m) Σ_i (y_i − t_i) x_ij for each j, then (1/m) Σ_i (y_i − t_i)
    for b, eq. (log-grad)."""
    m, n = X.shape
    y = [sigmoid((X[i, :] * w)[0] + b) for i in range(m)]
    grads = [sp.Add(*((y[i] - t[i]) * X[i, j] for i in range(m))) / m for j in range(n)]
    return [*grads, sp.Add(*(y[i] - t[i] for i in range(m))) / m]


def softmax(z: Sequence[sp.Expr]) -> list[sp.Expr]:
    """o_c = e^{z_c} / Σ_j e^{z_j}, eq. (softmax-def)."""
    total = sp.Add(*(sp.exp(v) for v in z))
    return [sp.exp(v) / total for v in z]


def categorical_cross_entropy(o: Sequence[sp.Expr], y: Sequence[sp.Expr]) -> sp.Expr:
    """C = −Σ_c y_c log o_c, eq. (softmax-ce)."""
    return -sp.Add(*(yc * sp.log(oc) for oc, yc in zip(o, y, strict=True)))


def cross_entropy_gradient_k(k: int = 3) -> tuple[list[sp.Expr], list[sp.Expr],
                                                  list[sp.Symbol], list[sp.Symbol]]:
    """∂C/∂z_c for softmax + cross-entropy with k classes, by brute-force differentiation.

    Returns
    -------
    tuple
        ``(derived, claimed, z, y)``: sympy's derivatives ∂C/∂z_c with the last target
        replaced by 1 − (y_1 + … + y_{k−1}) (targets sum to one, as a one-hot vector does),
        and the claimed o_c − y_c, eq. (softmax-grad).
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    z = list(sp.symbols(f"z1:{k + 1}", real=True))
    y = list(sp.symbols(f"y1:{k + 1}", real=True))
    o = softmax(z)
    C = categorical_cross_entropy(o, y)
    last = {y[-1]: 1 - sp.Add(*y[:-1])}
    derived = [sp.diff(C, v).subs(last) for v in z]
    claimed = [(o[c] - y[c]).subs(last) for c in range(k)]
    return derived, claimed, z, y


def _drop_range_condition(expr: sp.Expr) -> sp.Expr:
    """Replace Piecewise((value, j within 1..K), (0, True)) by value: the index j is a class."""
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])


def softmax_jacobian_general() -> tuple[sp.Expr, sp.Expr]:
    """``(∂o_c/∂z_j by sympy, o_c (δ_cj − o_j))`` for k classes, eq. (softmax-jacobian).

    Sums run over 1..k with a symbolic number of classes k (the chapter's letter); sympy
    writes ∂z_l/∂z_j as the Kronecker delta δ_lj and evaluates Σ_l δ_lj e^{z_l} = e^{z_j}
    (for 1 ≤ j ≤ k).
    """
    z = sp.IndexedBase("z", real=True)
    c, j, ell, K = sp.symbols("c j l k", integer=True, positive=True)
    total = sp.Sum(sp.exp(z[ell]), (ell, 1, K))
    o_c = sp.exp(z[c]) / total
    derived = _drop_range_condition(sp.diff(o_c, z[j]).doit())
    claimed = o_c * (sp.KroneckerDelta(c, j) - sp.exp(z[j]) / total)
    return derived, claimed


def cross_entropy_gradient_general() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """``(∂C/∂z_j by sympy, the same with Σ_c y_c = 1, o_j − y_j)`` for k classes.

    C = −Σ_c y_c log o_c = −Σ_c y_c z_c + (Σ_c y_c) log Σ_l e^{z_l}; the derivative picks
    y_j out of the first sum through δ_cj, and Σ_c y_c = 1 for a one-hot (or any
    probability) target. Eq. (softmax-grad).
    """
    z = sp.IndexedBase("z", real=True)
    y = sp.IndexedBase("y", real=True)
    c, j, ell, K = sp.symbols("c j l k", integer=True, positive=True)
    total = sp.Sum(sp.exp(z[ell]), (ell, 1, K))
    log_o_c = z[c] - sp.log(total)
    C = -sp.Sum(y[c] * log_o_c, (c, 1, K))
    general = sp.simplify(_drop_range_condition(sp.diff(C, z[j]).doit()))
    one_hot = general.subs(sp.Sum(y[c], (c, 1, K)), 1)
    claimed = sp.exp(z[j]) / total - y[j]
    return general, one_hot, claimed
