"""Answer checkers for the exercises of the linear-regression chapter.

Each ``check_*`` function takes the reader's answer and returns a
:class:`~bpnotes.exercises.checkers.Verdict` (right / wrong and why). The references are
computed, never typed in: derivatives by sympy (:mod:`bpnotes.symbolic.linear`),
numbers from the data, functions by :mod:`bpnotes.linear`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from .. import linear
from ..symbolic import linear as symbolic
from .checkers import (
    Verdict,
    check_array,
    check_choice,
    check_expression,
    check_function,
    check_number,
)

__all__ = [
    "EXERCISE_X",
    "check_absorbed_rate",
    "check_critical_rate_1d",
    "check_critical_rate_with_bias",
    "check_example_derivative",
    "check_fastest_rate",
    "check_gradient_function",
    "check_hessian",
    "check_per_example_prediction",
    "check_sum_rate",
    "check_update_loop",
]

#: The inputs of the by-hand exercises: three examples with one feature each.
EXERCISE_X = np.array([[1.0], [2.0], [3.0]])

eta, m = sp.symbols("eta m", positive=True)
w_1, w_2, x_1, x_2, b, t, y = sp.symbols("w_1 w_2 x_1 x_2 b t y", real=True)


def check_example_derivative(answer: Any) -> Verdict:
    """∂/∂w_2 of one example's ½(y − t)² with y = w_1 x_1 + w_2 x_2 + b (eq. (lin-grad-j)).

    The answer may use w_1, w_2, x_1, x_2, b, t, and y as shorthand for the model output.
    """
    model = w_1 * x_1 + w_2 * x_2 + b
    reference = sp.diff((model - t) ** 2 / 2, w_2)
    names = {s.name: s for s in (w_1, w_2, x_1, x_2, b, t, y)}
    if isinstance(answer, str):
        try:
            answer = sp.sympify(answer, locals=names)
        except (sp.SympifyError, SyntaxError, TypeError):
            pass  # check_expression explains why it cannot be read
    if isinstance(answer, sp.Basic):
        answer = answer.xreplace({y: model})
    return check_expression(answer, reference, symbols=names)


def check_absorbed_rate(answer: Any) -> Verdict:
    """The rate on the ½-scaled cost reproducing rate η on the unscaled one, eq. (lin-absorb)."""
    s = symbolic.linear_symbols(2, 1)
    full, half = symbolic.cost_gradient(s, half=False), symbolic.cost_gradient(s, half=True)
    # η ∇J_full = η' ∇J_half for every θ: the ratio of the two gradients times η.
    reference = sp.simplify(eta * full[0] / half[0])
    verdict = check_expression(answer, reference, symbols=[eta])
    if not verdict and "times the reference" in verdict.message:
        # The answer is itself a multiple of η, so "k times the reference" would give it away.
        return Verdict(False, "Your rate is a constant multiple of η, but not the right one: "
                       "compare the two gradients term by term.", reference)
    return verdict


def check_sum_rate(answer: Any) -> Verdict:
    """The rate η' of the summed update w ← w − η' Σ_i r_i x_i matching η on the mean, in m."""
    return check_expression(answer, eta / m, symbols=[eta, m])


def check_critical_rate_1d(answer: Any) -> Verdict:
    """η_c for y = w x (no bias) on :data:`EXERCISE_X`, eq. (lin-stability-1d)."""
    curvature = float(np.mean(EXERCISE_X[:, 0] ** 2))
    return check_number(_as_float(answer), 2.0 / curvature, rtol=1e-4)


def check_hessian(answer: Any) -> Verdict:
    """The Hessian of J(w, b) for :data:`EXERCISE_X`, in the order (w, b), eq. (lin-hessian)."""
    return check_array(_as_array(answer), linear.hessian(EXERCISE_X), rtol=1e-4,
                                  name="Hessian")


def check_critical_rate_with_bias(answer: Any) -> Verdict:
    """η_c = 2/λ_max for y = w x + b on :data:`EXERCISE_X`, eq. (lin-stability)."""
    return check_number(_as_float(answer), linear.critical_learning_rate(EXERCISE_X),
                                   rtol=1e-4)


def check_fastest_rate(answer: Any, X: np.ndarray) -> Verdict:
    """The full-batch rate with the fastest worst-case convergence: 2/(λ_min + λ_max)."""
    eigenvalues = np.linalg.eigvalsh(linear.hessian(X))
    return check_number(_as_float(answer), 2.0 / (eigenvalues[0] + eigenvalues[-1]),
                                   rtol=0.02)


def check_per_example_prediction(answer: Any) -> Verdict:
    """Prediction: per-example updates on the chapter data at η = 0.9 η_c, 30 epochs."""
    X, t_data = linear.chapter_data()
    result = linear.fit(X, t_data, 0.9 * linear.critical_learning_rate(X), 30, batch_size=1)
    outcome = "diverges" if result.diverged else "converges"
    return check_choice(answer, outcome, ["converges", "diverges"])


def _reference_gradient(X: np.ndarray, t_data: np.ndarray, w: np.ndarray, b_value: float):
    grad_w, grad_b = linear.gradient(X, t_data, w, b_value)
    return np.append(grad_w, grad_b)


def check_gradient_function(candidate: Callable[..., Any]) -> Verdict:
    """The reader's ``grad(X, t, w, b) -> (grad_w, grad_b)``, eq. (lin-grad-matrix)."""
    rng = np.random.default_rng(1)
    inputs, labels = [], []
    for m_rows, n in ((1, 1), (5, 1), (7, 3), (20, 4)):
        inputs.append((rng.normal(size=(m_rows, n)), rng.normal(size=m_rows),
                       rng.normal(size=n), float(rng.normal())))
        labels.append(f"m = {m_rows} example{'s' * (m_rows > 1)}, n = {n} feature{'s' * (n > 1)}")
    return check_function(_pack(candidate), _reference_gradient, inputs,
                                     labels=labels, rtol=1e-8, atol=1e-10)


def _reference_fit(X, t_data, lr, epochs, batch_size):
    result = linear.fit(X, t_data, lr, epochs, batch_size=batch_size, shuffle=False)
    return np.append(result.w, result.b)


def check_update_loop(candidate: Callable[..., Any]) -> Verdict:
    """The reader's ``my_fit(X, t, lr, epochs, batch_size) -> (w, b)``, eq. (lin-update).

    Compared with ``bpnotes.linear.fit(..., shuffle=False)``: start at zero, take the
    examples in order, one update per batch with the batch's mean gradient.
    """
    rng = np.random.default_rng(2)
    X = rng.uniform(-1.0, 1.0, size=(7, 2))
    t_data = X @ np.array([1.5, -0.5]) + 0.3 + 0.1 * rng.normal(size=7)
    inputs = [(X, t_data, 0.3, 1, None), (X, t_data, 0.3, 25, None), (X, t_data, 0.1, 3, 1),
              (X, t_data, 0.2, 4, 3)]
    labels = ["full batch, 1 epoch", "full batch, 25 epochs", "per example, 3 epochs",
              "mini-batches of 3 (the last has 1 example), 4 epochs"]
    return check_function(_pack(candidate), _reference_fit, inputs, labels=labels,
                                     rtol=1e-8, atol=1e-10)


def _pack(candidate: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a reader's ``(vector, scalar)`` result into one array, keeping its mistakes."""
    if not callable(candidate):
        return candidate

    def packed(*args):
        result = candidate(*args)
        if not (isinstance(result, tuple | list) and len(result) == 2):
            raise TypeError("the function must return a pair: (array for w, number for b)")
        first, second = result
        return np.append(np.asarray(first, dtype=np.float64).ravel(), second)

    return packed


def _as_float(answer: Any) -> Any:
    """Accept sympy numbers (e.g. Rational(3, 7)) as well as floats."""
    if isinstance(answer, sp.Basic) and answer.is_number:
        return float(answer)
    return answer


def _as_array(answer: Any) -> Any:
    if isinstance(answer, sp.MatrixBase):
        return np.array(answer.evalf(), dtype=np.float64)
    return answer
