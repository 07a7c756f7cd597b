"""Answer checkers for the logistic and softmax regression chapter.

Every checker returns a :class:`~bpnotes.exercises.checkers.Verdict` that says right or
wrong and why, without printing the answer. The references are computed, not typed in:
derivatives come from sympy (:mod:`bpnotes.symbolic.logistic`) and numbers from
:mod:`bpnotes.logistic` and :mod:`bpnotes.softmax`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

import numpy as np
import sympy as sp

from .. import logistic, softmax
from ..symbolic import logistic as sym
from .checkers import Verdict, check_array, check_choice, check_expression, check_function

__all__ = [
    "FIRST_STEP_DATA",
    "check_first_step",
    "check_initial_cost",
    "check_logistic_gradient",
    "check_logit",
    "check_penalised_gradient",
    "check_separable_growth",
    "check_sigmoid_derivative",
    "check_softmax_jacobian",
    "check_two_class_softmax",
]

s, p = sp.symbols("s p", positive=True)
k = sp.Symbol("k", positive=True, integer=True)


class _FirstStepData(TypedDict):
    x: tuple[float, ...]
    t: tuple[int, ...]
    lr: float


#: The data of the "one step by hand" exercise: x, t, the learning rate.
FIRST_STEP_DATA: _FirstStepData = {"x": (1.0, 2.0, -1.0), "t": (1, 1, 0), "lr": 0.5}


def check_sigmoid_derivative(answer: Any) -> Verdict:
    """σ'(a) written in terms of ``s`` = σ(a), eq. (log-sigmoid-prime).

    The reference is sympy's derivative of σ, rewritten with σ(a) = s.
    """
    a = sp.Symbol("a", real=True)
    derived, _ = sym.sigmoid_derivative(a)
    # σ' is a function of σ alone: replace e^{-a} by (1 − s)/s, which holds when s = σ(a).
    reference = sp.simplify(derived.subs(sp.exp(-a), (1 - s) / s))
    return check_expression(answer, reference, symbols=[s])


def check_logit(answer: Any) -> Verdict:
    """The score z at which σ(z) = p, as a formula in ``p`` (numbers checked for 0 < p < 1)."""
    try:
        expr = sp.sympify(answer, locals={"p": p}) if isinstance(answer, str) else answer
        func = sp.lambdify(p, expr, "numpy")
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        return Verdict(False, f"Your answer is not a usable formula in p: {exc}.")
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {p}:
        return Verdict(False, "the answer must be a formula in p alone.")
    probabilities = (0.05, 0.2, 0.5, 0.7, 0.9, 0.99)
    verdict = check_function(
        lambda q: np.real_if_close(np.asarray(func(q), dtype=complex)),
        lambda q: np.log(q / (1.0 - q)),
        [(q,) for q in probabilities],
        labels=[f"p = {q}" for q in probabilities],
    )
    if verdict:
        return Verdict(True, "Your formula gives σ(z) = p at every p tested.")
    return verdict


def check_first_step(w1: Any, b1: Any) -> Verdict:
    """(w, b) after one full-batch step from w = 0, b = 0 on :data:`FIRST_STEP_DATA`."""
    X = np.array(FIRST_STEP_DATA["x"])[:, None]
    t = np.array(FIRST_STEP_DATA["t"])
    model = logistic.fit(X, t, lr=FIRST_STEP_DATA["lr"], epochs=1)
    try:
        answer = np.array([float(w1), float(b1)])
    except (TypeError, ValueError):
        return Verdict(False, "w1 and b1 must be numbers.")
    return check_array(answer, np.array([model.w[0], model.b]), name="pair (w1, b1)")


def check_initial_cost(answer: Any) -> Verdict:
    """The cost of softmax regression at W = 0, b = 0 with k classes, as a formula in ``k``."""
    # Computed, not typed: the package's cost at zero for k = 2..6, fitted by log k.
    values = [softmax.cost(np.zeros((c, 1)), np.zeros(c), [[1.0]], [0]) for c in range(2, 7)]
    if not np.allclose(values, np.log(np.arange(2, 7)), rtol=1e-12):  # pragma: no cover
        raise AssertionError("softmax.cost at zero is not log k")
    return check_expression(answer, sp.log(k), symbols=[k])


Gradient = Callable[..., Any]


def _flat(result: Any) -> np.ndarray:
    grad_w, grad_b = result
    return np.concatenate([np.ravel(np.asarray(grad_w, dtype=np.float64)),
                           np.ravel(np.asarray(grad_b, dtype=np.float64))])


def _cases(seed: int, count: int = 6) -> list[tuple[np.ndarray, float, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        m, n = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        cases.append((rng.normal(size=n), float(rng.normal()), rng.normal(size=(m, n)),
                      rng.integers(0, 2, size=m)))
    return cases


def check_logistic_gradient(fn: Gradient, seed: int = 0) -> Verdict:
    """Grade ``fn(w, b, X, t) -> (grad_w, grad_b)`` for the mean log loss, eq. (log-grad-matrix)."""
    if not callable(fn):
        return Verdict(False, f"the answer must be a function, got {type(fn).__name__}.")
    cases = _cases(seed)
    return check_function(
        lambda *args: _flat(fn(*args)),
        lambda *args: _flat(logistic.gradient(*args)),
        cases,
        labels=[f"m = {X.shape[0]} examples, n = {X.shape[1]} features" for _, _, X, _ in cases],
    )


def check_penalised_gradient(fn: Gradient, seed: int = 1) -> Verdict:
    """Grade ``fn(w, b, X, t, lam)``: the gradient of J + (λ/2)‖w‖² (the bias unpenalised)."""
    if not callable(fn):
        return Verdict(False, f"the answer must be a function, got {type(fn).__name__}.")
    cases = [(*case, lam) for case, lam in zip(_cases(seed), (0.0, 0.1, 1.0, 0.5, 2.0, 0.01),
                                                strict=True)]

    def reference(w, b, X, t, lam):
        grad_w, grad_b = logistic.gradient(w, b, X, t)
        return _flat((grad_w + lam * np.asarray(w), grad_b))

    return check_function(
        lambda *args: _flat(fn(*args)), reference, cases,
        labels=[f"λ = {case[-1]}" for case in cases],
    )


def check_softmax_jacobian(answer: Any) -> Verdict:
    """∂o_1/∂z_2 for a 3-class softmax, as a formula in ``o1``, ``o2`` (and ``o3``).

    The reader's formula is evaluated with o_c = softmax(z)_c and compared with sympy's
    derivative of the softmax, eq. (softmax-jacobian).
    """
    z = sp.symbols("z1:4", real=True)
    o = sym.softmax(z)
    names = {f"o{c + 1}": sp.Symbol(f"o{c + 1}", positive=True) for c in range(3)}
    try:
        expr = sp.sympify(answer, locals=names) if isinstance(answer, str) else answer
        expr = sp.sympify(expr)
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        return Verdict(False, f"Your answer is not a usable formula: {exc}.")
    unknown = {v.name for v in expr.free_symbols} - set(names)
    if unknown:
        return Verdict(False, f"use only o1, o2, o3; your formula also has {sorted(unknown)}.")
    by_name = {v: o[int(v.name[1]) - 1] for v in expr.free_symbols}
    verdict = check_expression(expr.xreplace(by_name), sp.diff(o[0], z[1]), symbols=z)
    if verdict:
        return Verdict(True, "Your formula is the derivative ∂o1/∂z2 for every z.")
    return Verdict(False, "With o written out as softmax(z), your formula differs from the "
                   "derivative ∂o1/∂z2. " + verdict.message)


def check_two_class_softmax(answer: Any) -> Verdict:
    """o_1 of a two-class softmax as a formula in ``z0``, ``z1`` using a single exp."""
    z0, z1 = sp.symbols("z0 z1", real=True)
    e0, e1 = sp.exp(z0), sp.exp(z1)
    verdict = check_expression(answer, e1 / (e0 + e1), symbols=[z0, z1])
    if not verdict:
        return verdict
    text = str(answer)
    if isinstance(answer, str) and text.count("exp") > 1:
        return Verdict(False, "It equals o1, but the exercise asks for a form with a single "
                       "exp: divide the top and bottom by e^{z1}.")
    return verdict


def check_separable_growth(answer: Any) -> Verdict:
    """What ‖w‖ does when the number of epochs is multiplied by 10 on separable data."""
    return check_choice(answer, "adds a constant", ["multiplies by 10", "adds a constant",
                                                    "stays the same"])
