"""Sympy checks of backpropagation: brute-force differentiation against the delta rule.

The chapter claims two things and this module checks both without trusting either:

1. the output deltas δ^L = ∂ℓ/∂z^L of the four output pairings,
   eqs. (bp-delta-out-identity), (bp-delta-out-sigmoid-log), (bp-delta-out-softmax-ce)
   and (bp-delta-out-sigmoid-squared) — :func:`derive_output_delta` takes the two steps
   of the chain rule δ^L_k = Σ_r ∂ℓ/∂o_r · ∂o_r/∂z_k one at a time, each checked
   against its definition, and :func:`output_delta_check` differentiates the loss of the
   composed output in one go and compares;
2. the delta rule δ^l = f'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1} with f'(z) = a(1 − a) for sigmoid
   and ∂C/∂W^l = (1/m) Σ_i δ^l_i (a^{l−1}_i)ᵀ, eqs. (bp-delta-rule) and (bp-grad-w) —
   :class:`SymbolicNetwork` writes the whole cost of a small concrete network as one
   expression in its weights, differentiates it by brute force with respect to every
   weight, and compares with the delta rule at random points (with two hidden layers,
   so that the recursion itself is exercised).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

__all__ = [
    "PAIRINGS",
    "OutputDeltaDerivation",
    "SymbolicNetwork",
    "claimed_output_delta",
    "derive_output_delta",
    "output_delta_check",
    "sigmoid",
    "small_network",
]

#: The output pairings of the chapter: name -> (output activation, loss).
PAIRINGS: dict[str, tuple[str, str]] = {
    "identity+squared": ("identity", "squared"),
    "sigmoid+log": ("sigmoid", "log"),
    "softmax+cross_entropy": ("softmax", "cross_entropy"),
    "sigmoid+squared": ("sigmoid", "squared"),
}


def sigmoid(z: sp.Expr) -> sp.Expr:
    """σ(z) = 1 / (1 + e^{−z}) as a sympy expression."""
    return 1 / (1 + sp.exp(-z))


def _check_pairing(pairing: str) -> tuple[str, str]:
    if pairing not in PAIRINGS:
        valid = ", ".join(map(repr, PAIRINGS))
        raise ValueError(f"pairing must be one of {valid}; got {pairing!r}")
    return PAIRINGS[pairing]


def _check_pairing_and_outputs(pairing: str, n: int) -> tuple[str, str]:
    """The pairing's (activation, loss), once ``n`` is a valid number of output units."""
    activation, loss = _check_pairing(pairing)
    smallest = 2 if activation == "softmax" else 1
    if isinstance(n, bool) or not isinstance(n, int) or n < smallest:
        raise ValueError(f"n must be an integer >= 1 (>= 2 for softmax), got {n!r}")
    return activation, loss


def _outputs(activation: str, z: list[sp.Expr]) -> list[sp.Expr]:
    if activation == "identity":
        return list(z)
    if activation == "sigmoid":
        return [sigmoid(v) for v in z]
    total = sum(sp.exp(v) for v in z)
    return [sp.exp(v) / total for v in z]


def _loss(loss: str, o: list[sp.Expr], y: list[sp.Expr]) -> sp.Expr:
    if loss == "squared":
        return sp.Rational(1, 2) * sum((ok - yk) ** 2 for ok, yk in zip(o, y, strict=True))
    if loss == "log":
        pairs = zip(o, y, strict=True)
        return -sum(yk * sp.log(ok) + (1 - yk) * sp.log(1 - ok) for ok, yk in pairs)
    return -sum(yk * sp.log(ok) for ok, yk in zip(o, y, strict=True))


def claimed_output_delta(pairing: str, o: list[sp.Expr], y: list[sp.Expr]) -> list[sp.Expr]:
    """The chapter's formula for δ^L: o − y for three pairings, (o − y) o (1 − o) for one."""
    _check_pairing(pairing)
    if pairing == "sigmoid+squared":
        return [(ok - yk) * ok * (1 - ok) for ok, yk in zip(o, y, strict=True)]
    return [ok - yk for ok, yk in zip(o, y, strict=True)]


def output_delta_check(pairing: str, n: int = 3) -> tuple[sp.Matrix, sp.Matrix]:
    """Differentiate ℓ(f(z), y) with respect to each logit z_k and state the claim.

    Parameters
    ----------
    pairing
        One of :data:`PAIRINGS`.
    n
        Number of output units (>= 2 for softmax).

    Returns
    -------
    (brute force ∂ℓ/∂z, claimed δ^L), both n × 1 matrices in the symbols z_k, y_k.
    For softmax the last target is written 1 − (y_1 + … + y_{n−1}), the assumption that
    the target is a probability vector (one-hot, for example).
    """
    activation, loss = _check_pairing_and_outputs(pairing, n)
    z = list(sp.symbols(f"z1:{n + 1}", real=True))
    y = list(sp.symbols(f"y1:{n + 1}", real=True))
    if activation == "softmax":
        y[-1] = 1 - sum(y[:-1])
    o = _outputs(activation, z)
    ell = _loss(loss, o, y)
    brute = sp.Matrix([sp.diff(ell, zk) for zk in z])
    return brute, sp.Matrix(claimed_output_delta(pairing, o, y))


def _output_jacobian(activation: str, o: list[sp.Symbol]) -> sp.Matrix:
    """The chapter's ∂o_r/∂z_k written in the outputs o: 1 on the diagonal (identity),
    o_k(1 − o_k) on the diagonal (sigmoid), o_r([r = k] − o_k) (softmax)."""
    n = len(o)
    if activation == "identity":
        return sp.eye(n)
    if activation == "sigmoid":
        return sp.diag(*[ok * (1 - ok) for ok in o])
    return sp.Matrix(n, n, lambda r, k: o[r] * (sp.KroneckerDelta(r, k) - o[k]))


@dataclass(frozen=True)
class OutputDeltaDerivation:
    """The two chain-rule steps of one pairing's output delta, δ^L = (∂o/∂z)ᵀ ∂ℓ/∂o.

    Attributes
    ----------
    pairing
        One of :data:`PAIRINGS`.
    o, y
        The output and target symbols o_1..o_n, y_1..y_n.
    loss_slope
        ∂ℓ/∂o (n × 1), differentiated from the loss written in the outputs o.
    jacobian
        ∂o/∂z (n × n, entry (r, k) is ∂o_r/∂z_k) as the chapter writes it, in the outputs o.
    jacobian_residual
        The Jacobian differentiated from the output's definition in z, minus ``jacobian``
        with o replaced by its definition, simplified: the zero matrix when the written
        Jacobian is right.
    product
        (∂o/∂z)ᵀ ∂ℓ/∂o, simplified and factored (for softmax: o_k Σ_r y_r − y_k, collected
        in o_k).
    assumption
        Substitutions under which ``product`` is the claimed delta: for softmax the target
        sums to 1 (y_n = 1 − y_1 − … − y_{n−1}); empty otherwise.
    residual
        ``product`` minus the chapter's claimed δ^L under ``assumption``, simplified: the
        zero vector when the derivation reaches the claim.
    """

    pairing: str
    o: list[sp.Symbol]
    y: list[sp.Symbol]
    loss_slope: sp.Matrix
    jacobian: sp.Matrix
    jacobian_residual: sp.Matrix
    product: sp.Matrix
    assumption: dict[sp.Symbol, sp.Expr]
    residual: sp.Matrix


def derive_output_delta(pairing: str, n: int = 2) -> OutputDeltaDerivation:
    """Derive δ^L_k = Σ_r ∂ℓ/∂o_r · ∂o_r/∂z_k one step at a time, for ``n`` outputs.

    Step 1 differentiates the loss as a function of the outputs o (symbols); step 2 is the
    Jacobian of the output unit, written in o as the chapter writes it and checked against
    the derivative of the unit's definition in z; their product is simplified and
    compared with the claimed delta, eqs. (bp-delta-out-identity) to
    (bp-delta-out-sigmoid-squared). The softmax target must sum to 1 (one-hot, say).

    Parameters
    ----------
    pairing
        One of :data:`PAIRINGS`.
    n
        Number of output units (>= 1; >= 2 for softmax).
    """
    activation, loss = _check_pairing_and_outputs(pairing, n)
    o = list(sp.symbols(f"o1:{n + 1}", positive=True))
    y = list(sp.symbols(f"y1:{n + 1}", real=True))
    z = list(sp.symbols(f"z1:{n + 1}", real=True))
    loss_slope = sp.Matrix([sp.diff(_loss(loss, o, y), ok) for ok in o])
    jacobian = _output_jacobian(activation, o)
    defined = _outputs(activation, z)
    in_z = dict(zip(o, defined, strict=True))
    jacobian_residual = sp.Matrix(n, n, lambda r, k: sp.simplify(
        sp.diff(defined[r], z[k]) - jacobian[r, k].xreplace(in_z)))
    product = (jacobian.T * loss_slope).applyfunc(sp.simplify)
    if activation == "softmax":  # o_k (y_1 + ... + y_n) - y_k
        product = sp.Matrix([sp.collect(sp.expand(p), ok)
                             for p, ok in zip(product, o, strict=True)])
    else:
        product = product.applyfunc(sp.factor)
    assumption: dict[sp.Symbol, sp.Expr] = {}
    if activation == "softmax":
        assumption = {y[-1]: 1 - sum(y[:-1])}
    claimed = sp.Matrix(claimed_output_delta(pairing, o, y))
    residual = (product - claimed).xreplace(assumption).applyfunc(sp.simplify)
    return OutputDeltaDerivation(pairing, o, y, loss_slope, jacobian, jacobian_residual,
                                 product, assumption, residual)


@dataclass
class SymbolicNetwork:
    """A small fully connected network whose weights and biases are sympy symbols.

    ``W{l}_{j}{k}`` is the symbol of W^l_jk and ``b{l}_{j}`` of b^l_j (book indices from
    1). Hidden layers are sigmoid; ``pairing`` fixes the output activation and the loss.
    The data ``X`` (m × n_0) and ``Y`` (m × n_L) are exact rationals, so the cost is a
    closed-form expression in the parameters only.
    """

    sizes: tuple[int, ...]
    pairing: str
    X: sp.Matrix
    Y: sp.Matrix
    output_bias: bool = True
    weights: list[sp.Matrix] = field(init=False)
    biases: list[sp.Matrix] = field(init=False)

    def __post_init__(self) -> None:
        self.activation, self.loss = _check_pairing(self.pairing)
        sizes = tuple(self.sizes)
        if len(sizes) < 2 or any(not isinstance(n, int) or n < 1 for n in sizes):
            raise ValueError(f"sizes must be >= 2 positive integers, got {self.sizes!r}")
        if self.X.cols != sizes[0] or self.Y.cols != sizes[-1] or self.X.rows != self.Y.rows:
            raise ValueError("X must be m × n_0 and Y must be m × n_L for the same m")
        self.weights, self.biases = [], []
        for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            self.weights.append(sp.Matrix(n_out, n_in, lambda j, k, la=layer: sp.Symbol(
                f"W{la}_{j + 1}{k + 1}", real=True)))
            bias_on = self.output_bias or layer < len(sizes) - 1
            self.biases.append(sp.Matrix(
                [sp.Symbol(f"b{layer}_{j + 1}", real=True) if bias_on else sp.Integer(0)
                 for j in range(n_out)]))

    @property
    def parameters(self) -> list[sp.Symbol]:
        """Every weight and bias symbol, layer by layer."""
        symbols: list[sp.Symbol] = []
        for W, b in zip(self.weights, self.biases, strict=True):
            symbols += list(W) + [v for v in b if isinstance(v, sp.Symbol)]
        return symbols

    def forward(self, x: sp.Matrix) -> tuple[list[sp.Matrix], list[sp.Matrix]]:
        """z^l and a^l (column vectors) for one input column x, eq. (bp-forward)."""
        zs, acts = [], [x]
        L = len(self.weights)
        for layer, (W, b) in enumerate(zip(self.weights, self.biases, strict=True), start=1):
            z = W * acts[-1] + b
            zs.append(z)
            kind = self.activation if layer == L else "sigmoid"
            acts.append(sp.Matrix(_outputs(kind, list(z))))
        return zs, acts

    def cost(self) -> sp.Expr:
        """C = (1/m) Σ_i ℓ(o_i, y_i), the whole cost as one expression, eq. (bp-cost)."""
        m = self.X.rows
        total = sp.Integer(0)
        for i in range(m):
            _, acts = self.forward(self.X[i, :].T)
            total += _loss(self.loss, list(acts[-1]), list(self.Y[i, :]))
        return total / m

    def brute_force_gradient(self) -> dict[sp.Symbol, sp.Expr]:
        """∂C/∂θ for every parameter θ, by differentiating :meth:`cost` directly."""
        C = self.cost()
        return {p: sp.diff(C, p) for p in self.parameters}

    def delta_rule_gradient(self) -> dict[sp.Symbol, sp.Expr]:
        """∂C/∂θ by backpropagation: the claimed δ^L, then δ^l = a^l(1 − a^l) ⊙ (W^{l+1})ᵀ
        δ^{l+1}, eq. (bp-delta-rule), and ∂C/∂W^l = (1/m) Σ_i δ^l_i (a^{l−1}_i)ᵀ,
        ∂C/∂b^l = (1/m) Σ_i δ^l_i, eq. (bp-grad-w)."""
        m, L = self.X.rows, len(self.weights)
        gw = [sp.zeros(*W.shape) for W in self.weights]
        gb = [sp.zeros(*b.shape) for b in self.biases]
        for i in range(m):
            _, acts = self.forward(self.X[i, :].T)
            target = list(self.Y[i, :])
            delta = sp.Matrix(claimed_output_delta(self.pairing, list(acts[-1]), target))
            for layer in range(L, 0, -1):
                gw[layer - 1] += delta * acts[layer - 1].T / m
                gb[layer - 1] += delta / m
                if layer > 1:
                    a = acts[layer - 1]
                    back = self.weights[layer - 1].T * delta
                    delta = sp.Matrix([a[r] * (1 - a[r]) * back[r] for r in range(a.rows)])
        result: dict[sp.Symbol, sp.Expr] = {}
        for W, b, g_w, g_b in zip(self.weights, self.biases, gw, gb, strict=True):
            result.update(dict(zip(W, g_w, strict=True)))
            result.update({s: g for s, g in zip(b, g_b, strict=True) if isinstance(s, sp.Symbol)})
        return result

    def largest_difference(self, points: int = 3, seed: int = 0, digits: int = 30) -> float:
        """max |brute force − delta rule| over every parameter at ``points`` random points.

        The parameters are drawn uniformly from [−2, 2] and both gradients are evaluated
        with ``digits`` significant digits (mpmath), so a correct delta rule gives ~1e−28.
        """
        params = self.parameters
        brute = self.brute_force_gradient()
        rule = self.delta_rule_gradient()
        # Common subexpressions once, terms in any order: printing the unsorted, shared
        # expression trees is what makes this fast enough for a network with 18 parameters.
        printer = MpmathPrinter({"order": "none", "fully_qualified_modules": False})
        f_brute = sp.lambdify(params, [brute[p] for p in params], "mpmath", printer=printer,
                              cse=True)
        f_rule = sp.lambdify(params, [rule[p] for p in params], "mpmath", printer=printer,
                             cse=True)
        rng = np.random.default_rng(seed)
        worst = 0.0
        with mpmath.workdps(digits):
            for _ in range(points):
                values = [mpmath.mpf(float(v)) for v in rng.uniform(-2.0, 2.0, len(params))]
                for u, v in zip(f_brute(*values), f_rule(*values), strict=True):
                    worst = max(worst, float(abs(u - v)))
        return worst


def small_network(pairing: str, sizes: tuple[int, ...] = (2, 2, 2, 2), m: int = 2,
                  seed: int = 0, output_bias: bool = True) -> SymbolicNetwork:
    """A :class:`SymbolicNetwork` with seeded rational data: inputs in [−1, 1] (tenths),
    targets one-hot for softmax + cross-entropy and in [0, 1] otherwise."""
    _check_pairing(pairing)
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"m must be a positive integer, got {m!r}")
    rng = np.random.default_rng(seed)
    X = sp.Matrix(m, sizes[0], lambda i, k: sp.Rational(int(rng.integers(-10, 11)), 10))
    if pairing == "softmax+cross_entropy":
        hot = rng.integers(0, sizes[-1], m)
        Y = sp.Matrix(m, sizes[-1], lambda i, k: sp.Integer(int(hot[i] == k)))
    else:
        Y = sp.Matrix(m, sizes[-1], lambda i, k: sp.Rational(int(rng.integers(0, 11)), 10))
    return SymbolicNetwork(tuple(sizes), pairing, X, Y, output_bias)
