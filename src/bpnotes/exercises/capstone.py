"""Answer checkers for the capstone's exercises (right or wrong and why, never the answer).

Each ``check_*`` function takes the reader's answer and returns a
:class:`~bpnotes.exercises.checkers.Verdict`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from .. import capstone
from ..capstone import RECIPE
from ..mlp import MLP
from .checkers import Verdict, check_expression, check_function, check_smallest_count

__all__ = [
    "check_chance_accuracy",
    "check_confusion_matrix",
    "check_momentum_step",
    "check_parameter_count",
    "check_softmax_regression_accuracy",
    "check_steps_to_ninety_percent",
    "check_terminal_velocity",
]


eta, mu, H = sp.symbols("eta mu H", positive=True)


def check_terminal_velocity(answer: object) -> Verdict:
    """The size of the steps momentum settles to under a constant gradient, as a multiple
    of the gradient: the effective learning rate, in terms of ``eta`` and ``mu``."""
    return check_expression(answer, eta / (1 - mu), symbols=[eta, mu])


def _as_number(answer: object) -> float | None:
    """The reader's answer as a finite float, or None if it is not a real number."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


def _direction_only(answer: object, expected: float, atol: float, hint: str) -> Verdict:
    """Right within ``atol``; otherwise say only whether the answer is too small or too
    large (never by how much, which would give the answer away), followed by ``hint``."""
    value = _as_number(answer)
    if value is None:
        return Verdict(False, f"The answer must be a number, got {answer!r}.", expected)
    if value > 1:
        return Verdict(False, "Give the accuracy as a fraction between 0 and 1, not a "
                       "percentage.", expected)
    if abs(value - expected) <= atol:
        return Verdict(True, "That is the accuracy measured on the test set.", expected)
    direction = "too small" if value < expected else "too large"
    return Verdict(False, f"Your number is {direction}. {hint}", expected)


def check_steps_to_ninety_percent(answer: object) -> Verdict:
    """The first step k at which momentum's speed (μ = 0.9, constant gradient, starting
    from rest) reaches 90 % of its limit.

    A wrong whole number is answered with the fraction 1 − 0.9^k that the reader's own k
    reaches, never with the distance to the right k.
    """
    k = math.ceil(math.log(0.1) / math.log(0.9))
    return check_smallest_count(
        answer, k, unit="steps",
        after=lambda j: f"the speed is {100 * (1 - 0.9**j):.1f} % of its limit",
    )


def check_parameter_count(answer: object) -> Verdict:
    """The number of trainable parameters (weights and biases) of a 64-H-10 network, in H."""
    return check_expression(answer, 64 * H + H + 10 * H + 10, symbols=[H])


@cache
def _split() -> capstone.DigitsSplit:
    return capstone.split_digits()


def check_chance_accuracy(answer: object) -> Verdict:
    """The test accuracy of the rule "always answer the most frequent training class"."""
    split = _split()
    most_frequent = np.bincount(split.y_train).argmax()
    expected = float(np.mean(split.y_test == most_frequent))
    return _direction_only(
        answer, expected, 5e-4,
        "Find the most frequent label of `split.y_train`, then the fraction of the test "
        "labels `split.y_test` that are equal to it.")


def check_softmax_regression_accuracy(answer: object) -> Verdict:
    """The final test accuracy of ``MLP([64, 10], output="softmax", loss="cross_entropy",
    l2=1e-4, init="he")`` trained with :data:`RECIPE` on the chapter's split."""
    expected = _softmax_regression_accuracy()
    return _direction_only(
        answer, expected, 0.006,
        "Train the network of the exercise with `capstone.train_digits(net, split, **RECIPE)` "
        "and read the last entry of the run's `test_accuracy`.")


@cache
def _softmax_regression_accuracy() -> float:
    net = MLP([64, 10], output="softmax", loss="cross_entropy", l2=1e-4, init="he", seed=0)
    return float(capstone.train_digits(net, _split(), **RECIPE).test_accuracy[-1])


def check_confusion_matrix(candidate: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Your ``confusion(labels, predictions)`` for 10 classes against
    :func:`bpnotes.capstone.confusion_matrix` (rows: true class, columns: predicted)."""
    rng = np.random.default_rng(7)
    inputs = [(np.array([3]), np.array([5])), (np.arange(10), np.arange(10)[::-1])]
    inputs += [(rng.integers(0, 10, 50), rng.integers(0, 10, 50)) for _ in range(4)]
    verdict = check_function(candidate, capstone.confusion_matrix, inputs)
    if not verdict and check_function(
        candidate, lambda y, p: capstone.confusion_matrix(y, p).T, inputs
    ):
        return Verdict(False, "Your matrix is the transpose of the convention used here: row "
                       "i must be the true class and column j the predicted one.")
    return verdict


def check_momentum_step(
    candidate: Callable[[np.ndarray, np.ndarray, np.ndarray, float, float], tuple]
) -> Verdict:
    """Your ``momentum_step(theta, v, grad, lr, mu) -> (new_theta, new_v)``, eq. (cap-momentum)."""

    def reference(theta, v, grad, lr, mu):
        new_v = mu * v - lr * grad
        return np.stack([theta + new_v, new_v])

    def wrapped(theta, v, grad, lr, mu):
        theta_new, v_new = candidate(theta.copy(), v.copy(), grad.copy(), lr, mu)
        return np.stack([np.asarray(theta_new, float), np.asarray(v_new, float)])

    rng = np.random.default_rng(3)
    inputs = [(rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), lr, m)
              for lr, m in ((0.1, 0.0), (0.05, 0.9), (1.0, 0.5))]
    if not callable(candidate):
        return Verdict(False, f"the answer must be a function, got {type(candidate).__name__}.")
    return check_function(wrapped, reference, inputs)
