"""Checkers of the linear-regression chapter's exercises (book/linear_regression.md).

The references are computed, never typed in: derivatives, Hessians and eigenvalues by sympy
from the exercise's definitions; the outcomes of training runs on the chapter's data come
from :mod:`bpnotes.exercises.references` (generated from :mod:`bpnotes.linear` and checked
against it by the tests); the reader's functions are compared with :mod:`bpnotes.linear`.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from .checkers import check_array, check_choice, check_formula, check_number
from .references import REFERENCES
from .registry import exercise
from .verdict import Verdict

__all__ = [
    "EXERCISE_X",
    "critical_rate_1d",
    "critical_rate_with_bias",
    "curvature_1d",
    "exercise_hessian",
]

#: The inputs of the by-hand exercises: three examples with one feature each.
EXERCISE_X = (1, 2, 3)

eta = sp.Symbol("eta", positive=True)
m = sp.Symbol("m", positive=True, integer=True)
w_1, w_2, x_1, x_2, b, t, y, w = sp.symbols("w_1 w_2 x_1 x_2 b t y w", real=True)
_targets = sp.symbols("t1:4", real=True)


def _cost(with_bias: bool) -> sp.Expr:
    """Eq. (lin-cost) on :data:`EXERCISE_X` with symbolic targets (they do not matter)."""
    bias = b if with_bias else 0
    return sum(((w * x + bias - tk) ** 2 for x, tk in zip(EXERCISE_X, _targets, strict=True)),
               sp.Integer(0)) / (2 * len(EXERCISE_X))


@functools.cache
def curvature_1d() -> sp.Expr:
    """J″(w) for y = w·x on :data:`EXERCISE_X`."""
    return sp.diff(_cost(with_bias=False), w, 2)


@functools.cache
def critical_rate_1d() -> sp.Expr:
    """η_c = 2/J″ for y = w·x, eq. (lin-stability-1d)."""
    return 2 / curvature_1d()


@functools.cache
def exercise_hessian() -> sp.ImmutableMatrix:
    """The Hessian of J(w, b) for y = w·x + b on :data:`EXERCISE_X`, in the order (w, b),
    eq. (lin-hessian)."""
    return sp.ImmutableMatrix(sp.hessian(_cost(with_bias=True), (w, b)))


@functools.cache
def critical_rate_with_bias() -> sp.Expr:
    """η_c = 2/λ_max of :func:`exercise_hessian`, eq. (lin-stability)."""
    largest = max(exercise_hessian().eigenvals(), key=lambda value: float(value))
    return sp.nsimplify(2 / largest)


@exercise("ex-lin-derivative", "formula", prompt="∂/∂w_2 of ½(y − t)², a formula in w_1, w_2, "
          "x_1, x_2, b, t (and y)", symbols=("w_1", "w_2", "x_1", "x_2", "b", "t", "y"))
def check_example_derivative(answer: Any) -> Verdict:
    """∂/∂w_2 of one example's ½(y − t)² with y = w_1 x_1 + w_2 x_2 + b, eq. (lin-grad-j).

    The answer may use ``y`` as a shorthand for the model's output.
    """
    model = w_1 * x_1 + w_2 * x_2 + b
    reference = sp.diff((model - t) ** 2 / 2, w_2)
    names = {s.name: s for s in (w_1, w_2, x_1, x_2, b, t, y)}
    return check_formula(answer, reference, symbols=names, substitutions={y: model},
                         domains={name: (-2, 2) for name in names})


@exercise("ex-lin-absorb:halved", "formula", prompt="(a) the rate on the halved cost, a formula "
          "in eta", symbols=("eta",))
def check_absorbed_rate(answer: Any) -> Verdict:
    """(a) The rate on the halved cost that reproduces rate η on the unhalved one,
    eq. (lin-absorb)."""
    theta, rate = sp.symbols("theta rate")
    residual = sp.Function("r")(theta)  # one residual r(θ) is enough for the ratio
    full, half = sp.diff(residual**2, theta), sp.diff(residual**2 / 2, theta)
    (reference,) = sp.solve(sp.Eq(eta * full, rate * half), rate)
    return check_formula(answer, reference, symbols={"eta": eta})


@exercise("ex-lin-absorb:sum", "formula", prompt="(b) the rate η′ of the summed update, a "
          "formula in eta and m", symbols=("eta", "m"))
def check_sum_rate(answer: Any) -> Verdict:
    """(b) The rate η′ of w ← w − η′ Σ_i g_i that matches η on the mean, eq. (lin-update-sum)."""
    total, rate = sp.symbols("total rate")  # Σ_i g_i; the mean gradient is total/m
    (reference,) = sp.solve(sp.Eq(rate * total, eta * total / m), rate)
    return check_formula(answer, reference, symbols={"eta": eta, "m": m},
                         domains={"m": (1, 50)})


@exercise("ex-lin-critical-1d:curvature", "number", prompt="J″(w), a number (3 significant "
          "digits, or a fraction)")
def check_curvature_1d(answer: Any) -> Verdict:
    """J″(w) for y = w·x on x = 1, 2, 3."""
    return check_number(answer, float(curvature_1d()), sig_digits=3)


@exercise("ex-lin-critical-1d:rate", "number", prompt="the critical learning rate (3 "
          "significant digits, or a fraction)")
def check_critical_rate_1d(answer: Any) -> Verdict:
    """η_c for y = w·x (no bias) on x = 1, 2, 3, eq. (lin-stability-1d)."""
    return check_number(answer, float(critical_rate_1d()), sig_digits=3)


@exercise("ex-lin-hessian:compare", "choice", prompt="with the bias, is the critical rate "
          "larger or smaller?", options=("larger", "smaller"))
def check_bias_comparison(answer: Any) -> Verdict:
    """Is the critical rate with the bias larger or smaller than without it?"""
    smaller = float(critical_rate_with_bias()) < float(critical_rate_1d())
    return check_choice(answer, "smaller" if smaller else "larger", ("larger", "smaller"),
                        wrong_message="is not right: compare λ_max with the one-dimensional "
                        "curvature.")


@exercise("ex-lin-hessian:hessian", "array", prompt="the Hessian in the order (w, b), e.g. "
          "[[1, 2], [3, 4]] (fractions, or 3 significant digits)", shape=(2, 2))
def check_hessian(answer: Any) -> Verdict:
    """The Hessian of J(w, b) for y = w·x + b on x = 1, 2, 3, in the order (w, b)."""
    reference = [[float(v) for v in row] for row in exercise_hessian().tolist()]
    return check_array(answer, reference, rtol=1e-3, atol=1e-9, name="Hessian",
                       entry_names=["∂²J/∂w²", "∂²J/∂w∂b", "∂²J/∂b∂w", "∂²J/∂b²"])


@exercise("ex-lin-hessian:rate", "number", prompt="the critical learning rate 2/λ_max (3 "
          "significant digits)")
def check_critical_rate_with_bias(answer: Any) -> Verdict:
    """η_c = 2/λ_max for y = w·x + b on x = 1, 2, 3, eq. (lin-stability)."""
    return check_number(answer, float(critical_rate_with_bias()), sig_digits=3)


@exercise("ex-lin-gradient", "function", prompt="grad(X, t, w, b) returning (grad_w, grad_b)")
def check_gradient_function(candidate: Any) -> Verdict:
    """The reader's ``grad(X, t, w, b) -> (grad_w, grad_b)``, eq. (lin-grad-matrix)."""
    import numpy as np

    from .. import linear
    from .functions import check_function

    def reference(X: Any, t_data: Any, w_: Any, b_: float) -> Any:
        grad_w, grad_b = linear.gradient(X, t_data, w_, b_)
        return np.append(grad_w, grad_b)

    rng = np.random.default_rng(1)
    inputs, labels = [], []
    for m_rows, n in ((1, 1), (5, 1), (7, 3), (20, 4)):
        inputs.append((rng.normal(size=(m_rows, n)), rng.normal(size=m_rows),
                       rng.normal(size=n), float(rng.normal())))
        labels.append(f"m = {m_rows} example{'s' * (m_rows > 1)}, n = {n} feature{'s' * (n > 1)}")
    return check_function(candidate, reference, inputs, labels=labels, rtol=1e-8, atol=1e-10,
                          name="gradient (grad_w, then grad_b)", convert=_pair,
                          entry_names=lambda shape: _names("∂J/∂", shape))


@exercise("ex-lin-loop", "function", prompt="my_fit(X, t, lr, epochs, batch_size) returning "
          "(w, b)")
def check_update_loop(candidate: Any) -> Verdict:
    """The reader's ``my_fit(X, t, lr, epochs, batch_size) -> (w, b)``, eq. (lin-update).

    Compared with ``bpnotes.linear.fit(..., shuffle=False)``: start at zero, take the
    examples in order, one update per batch with the batch's mean gradient.
    """
    import numpy as np

    from .. import linear
    from .functions import check_function

    def reference(X: Any, t_data: Any, lr: float, epochs: int, batch_size: int | None) -> Any:
        result = linear.fit(X, t_data, lr, epochs, batch_size=batch_size, shuffle=False)
        return np.append(result.w, result.b)

    rng = np.random.default_rng(2)
    X = rng.uniform(-1.0, 1.0, size=(7, 2))
    t_data = X @ np.array([1.5, -0.5]) + 0.3 + 0.1 * rng.normal(size=7)
    inputs = [(X, t_data, 0.3, 1, None), (X, t_data, 0.3, 25, None), (X, t_data, 0.1, 3, 1),
              (X, t_data, 0.2, 4, 3)]
    labels = ["full batch, 1 epoch", "full batch, 25 epochs", "per example, 3 epochs",
              "mini-batches of 3 (the last has 1 example), 4 epochs"]
    return check_function(candidate, reference, inputs, labels=labels, rtol=1e-8, atol=1e-10,
                          name="parameters (w, then b)", convert=_pair,
                          entry_names=lambda shape: _names("", shape))


@exercise("ex-lin-predict", "choice", prompt="per-example updates at 0.9 η_c, shuffled: "
          "converges or diverges?", options=("converges", "diverges"))
def check_per_example_prediction(answer: Any) -> Verdict:
    """Prediction: per-example updates on the chapter's data at η = 0.9 η_c for 30 epochs,
    shuffled each epoch (``linear.fit``'s default, seed 0)."""
    return check_choice(answer, str(REFERENCES["ex-lin-predict"]), ("converges", "diverges"))


@exercise("ex-lin-fastest", "number", prompt="the learning rate that makes max |1 − ηλ_i| "
          "smallest (within 2%)")
def check_fastest_rate(answer: Any) -> Verdict:
    """The full-batch rate with the fastest worst-case convergence on the chapter's data,
    the η that minimises max_i |1 − ηλ_i| of eq. (lin-rate), 2/(λ_min + λ_max) (checked
    to 2 %). Not the best rate of a finite search, which may differ by a few per cent."""
    return check_number(answer, float(REFERENCES["ex-lin-fastest"]), rtol=0.02)


def _pair(result: Any) -> Any:
    """A reader's ``(vector, number)`` result as one vector, keeping its mistakes visible."""
    import numpy as np

    from .functions import ReaderFailure
    from .verdict import Reason

    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise ReaderFailure(Reason.SHAPE, "your function must return a pair: (an array for w, "
                            "a number for b)")
    first, second = result
    return np.append(np.asarray(first).ravel(), np.asarray(second).ravel())


def _names(prefix: str, shape: tuple[int, ...]) -> list[str]:
    """Names of the entries (w_1, ..., w_n, b) of a packed (w, b) vector, e.g. ∂J/∂w_2."""
    return [f"{prefix}w_{j + 1}" for j in range(shape[0] - 1)] + [f"{prefix}b"]
