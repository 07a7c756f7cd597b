"""Checkers of the logistic and softmax regression chapter's exercises
(book/logistic_regression.md).

Derivatives and the numbers of the by-hand exercises are derived here with sympy from the
definitions (the sigmoid, the softmax, the mean log loss); the outcome of the long training
run comes from :mod:`bpnotes.exercises.references`; the reader's functions are compared
with :mod:`bpnotes.logistic`.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_number
from .parsing import AnswerError, read_expression, sigmoid
from .references import REFERENCES
from .registry import exercise
from .verdict import Reason, Verdict, wrong

__all__ = [
    "FIRST_STEP",
    "GROWTH_OPTIONS",
    "first_step",
    "logit",
    "sigmoid_derivative_in_s",
    "softmax",
]

s, p = sp.symbols("s p", positive=True)
a, z = sp.symbols("a z", real=True)
k = sp.Symbol("k", positive=True, integer=True)

#: ex-log-first-step: inputs x, labels t and the learning rate of the one step by hand.
FIRST_STEP = {"x": (1, 2, -1), "t": (1, 1, 0), "lr": sp.Rational(1, 2)}

#: ex-log-separable-growth: the options, as the exercise states them.
GROWTH_OPTIONS = ("multiplies by 10", "adds a constant", "stays the same")


@functools.cache
def sigmoid_derivative_in_s() -> sp.Expr:
    """σ′(a) written in s = σ(a): sympy's derivative with e^{−a} = (1 − s)/s substituted."""
    derived = sp.diff(sigmoid(a), a)
    return sp.simplify(derived.subs(sp.exp(-a), (1 - s) / s))


@functools.cache
def logit() -> sp.Expr:
    """The score z at which σ(z) = p, solved by sympy."""
    (solution,) = sp.solve(sp.Eq(sigmoid(z), p), z)
    return solution


@functools.cache
def first_step() -> tuple[sp.Expr, sp.Expr]:
    """(w, b) after one full-batch step from (0, 0) on :data:`FIRST_STEP`, eq. (log-update),
    with the gradient of the mean log loss eq. (log-nll) taken by sympy."""
    w, b = sp.symbols("w b", real=True)
    losses = []
    for xi, ti in zip(FIRST_STEP["x"], FIRST_STEP["t"], strict=True):
        y = sigmoid(w * xi + b)
        losses.append(-(ti * sp.log(y) + (1 - ti) * sp.log(1 - y)))
    cost = sp.Add(*losses) / len(losses)
    at_zero = {w: 0, b: 0}
    return (-FIRST_STEP["lr"] * sp.diff(cost, w).subs(at_zero),
            -FIRST_STEP["lr"] * sp.diff(cost, b).subs(at_zero))


def softmax(scores: tuple[sp.Expr, ...]) -> list[sp.Expr]:
    """o_c = e^{z_c} / Σ_j e^{z_j}, eq. (softmax-def)."""
    total = sp.Add(*(sp.exp(v) for v in scores))
    return [sp.exp(v) / total for v in scores]


@exercise("ex-log-sigmoid-prime", "formula", prompt="σ′(a), a formula in s = σ(a)",
          symbols=("s",))
def check_sigmoid_derivative(answer: Any) -> Verdict:
    """σ′(a) written in terms of s = σ(a), eq. (log-sigmoid-prime)."""
    return check_formula(answer, sigmoid_derivative_in_s(), symbols={"s": s},
                         domains={"s": (0.02, 0.98)})


@exercise("ex-log-logit:formula", "formula", prompt="the score z with σ(z) = p, a formula in p",
          symbols=("p",))
def check_logit(answer: Any) -> Verdict:
    """The score z at which σ(z) = p, as a formula in p (compared for 0 < p < 1)."""
    return check_formula(answer, logit(), symbols={"p": p}, domains={"p": (0.02, 0.98)})


@exercise("ex-log-logit:contour", "number", prompt="the score of the 0.9 contour (3 "
          "significant digits)")
def check_contour_score(answer: Any) -> Verdict:
    """The score w·x + b on the 0.9 contour, to three significant digits."""
    return check_number(answer, float(logit().subs(p, sp.Rational(9, 10))), sig_digits=3)


@exercise("ex-log-first-step:w", "number", prompt="w after one step (3 significant digits)")
def check_first_step_w(answer: Any) -> Verdict:
    """w after one full-batch step by hand, to three significant digits."""
    return check_number(answer, float(first_step()[0]), sig_digits=3)


@exercise("ex-log-first-step:b", "number", prompt="b after one step (3 significant digits)")
def check_first_step_b(answer: Any) -> Verdict:
    """b after one full-batch step by hand, to three significant digits."""
    return check_number(answer, float(first_step()[1]), sig_digits=3)


@exercise("ex-log-initial-cost", "formula", prompt="the cost at W = 0, b = 0, a formula in k",
          symbols=("k",))
def check_initial_cost(answer: Any) -> Verdict:
    """The cost of softmax regression at W = 0, b = 0 with k classes, as a formula in k.

    At zero every score is 0, so every class gets e⁰/(k e⁰) and every example the
    cross-entropy −log of that, eq. (softmax-ce).
    """
    reference = -sp.log(sp.exp(0) / (k * sp.exp(0)))
    return check_formula(answer, reference, symbols={"k": k}, domains={"k": (2, 12)})


@exercise("ex-softmax-jacobian", "formula", prompt="∂o1/∂z2, a formula in o1, o2, o3",
          symbols=("o1", "o2", "o3"))
def check_softmax_jacobian(answer: Any) -> Verdict:
    """∂o_1/∂z_2 for a three-class softmax, as a formula in o1, o2, o3, eq. (softmax-jacobian).

    The reader's formula is evaluated with o_c = softmax(z)_c and compared with sympy's
    derivative of the softmax, at random scores z.
    """
    scores = sp.symbols("z1:4", real=True)
    outputs = softmax(scores)
    names = {f"o{c + 1}": sp.Symbol(f"o{c + 1}", positive=True) for c in range(3)}
    substitutions = {names[f"o{c + 1}"]: outputs[c] for c in range(3)}
    return check_formula(answer, sp.diff(outputs[0], scores[1]), symbols=names,
                         substitutions=substitutions,
                         domains={str(v): (-2, 2) for v in scores})


def _exponentials(answer: Any, symbols: dict[str, sp.Symbol]) -> int | None:
    """How many different exponentials the reader's formula contains, counted after reading
    it (so that ``e^x``, ``e**x`` and ``exp(x)`` count alike, ``sigma(u)`` counts as the one
    exponential it contains, and one exponential written twice counts once); ``None`` when
    the answer cannot be read."""
    try:
        expr = read_expression(answer, symbols)
    except AnswerError:
        return None
    return len({node for node in sp.preorder_traversal(expr) if isinstance(node, sp.exp)})


@exercise("ex-softmax-two", "formula", prompt="o1 as a formula in z0 and z1 in which only one "
          "exponential appears", symbols=("z0", "z1"))
def check_two_class_softmax(answer: Any) -> Verdict:
    """o_1 of a two-class softmax (classes 0 and 1) as a formula in z0 and z1 in which only
    one exponential appears (it may appear more than once)."""
    z0, z1 = sp.symbols("z0 z1", real=True)
    symbols = {"z0": z0, "z1": z1}
    domains = {"z0": (-2, 2), "z1": (-2, 2)}
    outputs = softmax((z0, z1))
    verdict = check_formula(answer, outputs[1], symbols=symbols, domains=domains)
    if verdict.correct:
        count = _exponentials(answer, symbols)
        if count is not None and count > 1:
            return wrong(f"It equals o1, but it contains {count} different exponentials and "
                         "the exercise asks for a form with only one: divide the top and the "
                         "bottom by one of them.", Reason.WRONG, verdict.solution)
        return verdict
    if check_formula(answer, outputs[0], symbols=symbols, domains=domains).correct:
        return wrong("That is o0, the probability of the other class: check which score is "
                     "subtracted from which in the exponent.", Reason.WRONG, verdict.solution)
    return verdict


@exercise("ex-log-separable-growth", "choice", prompt="when the epochs are multiplied by 10, "
          "‖w‖ …", options=GROWTH_OPTIONS)
def check_separable_growth(answer: Any) -> Verdict:
    """What ‖w‖ does on separable data each time the number of epochs is multiplied by 10
    (the reference is measured: :mod:`bpnotes.exercises.reference_runs`)."""
    return check_choice(answer, str(REFERENCES["ex-log-separable-growth"]), GROWTH_OPTIONS)


# ---------------------------------------------------------------- the reader's functions
def _cases(seed: int, count: int = 6) -> list[tuple[Any, ...]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        m, n = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        cases.append((rng.normal(size=(m, n)), rng.integers(0, 2, size=m), rng.normal(size=n),
                      float(rng.normal())))
    return cases


def _mean_log_loss_gradient(X: Any, t: Any, w: Any, b: float) -> Any:
    """The package's gradient of eq. (log-nll), as one vector (grad_w, grad_b)."""
    import numpy as np

    from .. import logistic

    grad_w, grad_b = logistic.gradient(X, t, w, b)
    return np.append(grad_w, grad_b)


def _pair(result: Any) -> Any:
    import numpy as np

    from .functions import ReaderFailure

    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise ReaderFailure(Reason.SHAPE, "your function must return a pair: (an array for the "
                            "weights' gradient, a number for the bias's)")
    grad_w, grad_b = result
    return np.append(np.asarray(grad_w).ravel(), np.asarray(grad_b).ravel())


@exercise("ex-log-implement", "function", prompt="grad(X, t, w, b) returning (grad_w, grad_b)")
def check_logistic_gradient(candidate: Any) -> Verdict:
    """The reader's ``grad(X, t, w, b) -> (grad_w, grad_b)`` for the mean log loss,
    eq. (log-grad-matrix), on six random problems."""
    from .functions import check_function

    cases = _cases(0)
    return check_function(candidate, _mean_log_loss_gradient, cases, convert=_pair,
                          name="gradient (grad_w, then grad_b)", entry_names=_names,
                          labels=[f"m = {X.shape[0]} examples, n = {X.shape[1]} features"
                                  for X, *_ in cases])


@exercise("ex-log-l2", "function", prompt="penalised_gradient(X, t, w, b, lam) returning "
          "(grad_w, grad_b)")
def check_penalised_gradient(candidate: Any) -> Verdict:
    """The reader's ``penalised_gradient(X, t, w, b, lam)``: the gradient of
    J + (λ/2)‖w‖², the bias unpenalised."""
    import numpy as np

    from .functions import check_function

    lambdas = (0.0, 0.1, 1.0, 0.5, 2.0, 0.01)
    cases = [(*case, lam) for case, lam in zip(_cases(1), lambdas, strict=True)]

    def reference(X: Any, t: Any, w: Any, b: float, lam: float) -> Any:
        gradient = _mean_log_loss_gradient(X, t, w, b)
        gradient[:-1] += lam * np.asarray(w)
        return gradient

    return check_function(candidate, reference, cases, convert=_pair,
                          name="gradient (grad_w, then grad_b)", entry_names=_names,
                          labels=[f"λ = {case[-1]}" for case in cases])


def _names(shape: tuple[int, ...]) -> list[str]:
    """Names of the entries of a packed (grad_w, grad_b) vector: ∂J/∂w_1, ..., ∂J/∂b."""
    return [f"∂J/∂w_{j + 1}" for j in range(shape[0] - 1)] + ["∂J/∂b"]
