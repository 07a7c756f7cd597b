"""Checkers of the capstone's exercises (book/capstone.md): right or wrong and why.

Formulas are derived here with sympy from eq. (cap-momentum) and the network's shapes;
accuracies of training runs come from :mod:`bpnotes.exercises.references` (measured with
:mod:`bpnotes.capstone`); the reader's functions run against :mod:`bpnotes.capstone`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_smallest_count
from .parsing import AnswerError, read_expression, read_number
from .references import REFERENCES
from .registry import exercise
from .verdict import Reason, Verdict, right, wrong

__all__ = [
    "ACCURACY_DECIMALS",
    "CHANCE_TOLERANCE",
    "EXPERIMENTS",
    "EXPERIMENT_EPOCHS",
    "SOFTMAX_TOLERANCE",
    "momentum_limit",
    "parameter_count",
    "steps_to_fraction",
]

eta, mu = sp.symbols("eta mu", positive=True)
H = sp.Symbol("H", positive=True, integer=True)

#: ex-cap-experiment: each run is the chapter's recipe for this many epochs (to stay quick)...
EXPERIMENT_EPOCHS = 10
#: ... with one of these changes, by name.
EXPERIMENTS: dict[str, dict[str, Any]] = {
    "width 16": {"hidden": 16},
    "width 32": {"hidden": 32},
    "width 128": {"hidden": 128},
    "learning rate 0.5": {"lr": 0.5},
    "batch size 1": {"batch_size": 1},
    "batch size 256": {"batch_size": 256},
    "sigmoid": {"activation": "sigmoid"},
}


#: ex-cap-chance and ex-cap-softmax ask for an accuracy to this many decimals...
ACCURACY_DECIMALS = 3
#: ... and count an answer right within these of the measured accuracy: half a unit of the
#: third decimal for the chance level (any correct rounding), and for softmax regression,
#: a run of 30 epochs, a little under three test images (a run on another computer may end
#: a test image or two apart).
CHANCE_TOLERANCE = 5e-4
SOFTMAX_TOLERANCE = 0.006

# A number followed by a unit word or a percent sign, as a reader may type it.
_WITH_UNIT = re.compile(r"^\s*(?P<number>.*?)\s*(?P<unit>%|steps?|updates?)\s*$", re.I)
_DECIMAL = re.compile(r"^\s*[-+]?\d*\.?(?P<decimals>\d*)\s*$")


@functools.cache
def momentum_limit() -> sp.Expr:
    """η_eff with v_∞ = −η_eff g: the fixed point of v ← μ v − η g, eq. (cap-momentum)."""
    v, g = sp.symbols("v g", real=True)
    (fixed,) = sp.solve(sp.Eq(v, mu * v - eta * g), v)
    return sp.simplify(-fixed / g)


@functools.cache
def steps_to_fraction() -> int:
    """The first k with |v_k| ≥ 0.9 |v_∞| from v_0 = 0 for μ = 0.9: 1 − μ^k ≥ 0.9,
    eq. (cap-momentum-sum)."""
    momentum = fraction = sp.Rational(9, 10)
    return int(sp.ceiling(sp.log(1 - fraction) / sp.log(momentum)))


@functools.cache
def parameter_count() -> sp.Expr:
    """Weights and biases of a 64 → H → 10 network, from the shapes of W¹, b¹, W², b²."""
    sizes = (64, H, 10)
    return sp.expand(sum((n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:],
                                                                      strict=True)),
                         sp.Integer(0)))


@exercise("ex-cap-terminal", "formula", prompt="η_eff, a formula in eta and mu",
          symbols=("eta", "mu"))
def check_terminal_velocity(answer: Any) -> Verdict:
    """The effective learning rate η_eff of momentum under a constant gradient, in eta and mu."""
    return check_formula(answer, momentum_limit(), symbols={"eta": eta, "mu": mu},
                         domains={"mu": (0.0, 0.95)})


@exercise("ex-cap-ninety", "number", prompt="the number of steps k (a whole number, the number "
          "only)")
def check_steps_to_ninety_percent(answer: Any) -> Verdict:
    """The first step k at which momentum's speed (μ = 0.9, constant gradient, from rest)
    reaches 90 % of its limit; a wrong whole number is answered with the fraction 1 − 0.9^k
    that the reader's own k reaches, never with the distance to the right k."""
    if isinstance(answer, str):
        match = _WITH_UNIT.match(answer)
        if match and match["unit"] != "%":
            answer = match["number"]  # "22 steps" is read as 22
        try:
            read_number(answer)
        except AnswerError:
            return wrong("Give only the number of steps, a whole number (no words or units).",
                         Reason.PARSE, steps_to_fraction())
    return check_smallest_count(
        answer, steps_to_fraction(), unit="steps",
        after=lambda j: f"the speed is {100 * (1 - 0.9**j):.1f} % of its limit",
    )


@exercise("ex-cap-params", "formula", prompt="the number of weights and biases, a formula in H",
          symbols=("H",))
def check_parameter_count(answer: Any) -> Verdict:
    """The number of trainable parameters (weights and biases) of a 64-H-10 network, in H.

    A power with H in its exponent (``H**H**H``) is refused at once: H takes whole values
    up to 200, at which such a power is an integer too large to evaluate in time."""
    try:
        given = read_expression(answer, {"H": H})
    except AnswerError:
        given = None  # check_formula gives the reading error
    if given is not None and any(power.exp.has(H) for power in given.atoms(sp.Pow)):
        return wrong("A power with H in its exponent is not needed here: count the entries of "
                     "W¹, b¹, W² and b².", Reason.WRONG, parameter_count())
    return check_formula(answer, parameter_count(), symbols={"H": H}, domains={"H": (1, 200)})


def _accuracy(answer: Any, expected: float, atol: float, hint: str) -> Verdict:
    """Right within ``atol``; otherwise say only whether the answer is too small or too
    large (never by how much, which would give the answer away), followed by ``hint``.

    Text may be a percentage (``"10.2%"`` is 0.102). Typed with fewer than
    :data:`ACCURACY_DECIMALS` decimals and a correct rounding of the accuracy to those
    decimals, the answer is asked for with more decimals rather than called wrong."""
    decimals = None  # how many decimals of a fraction the reader typed (None: exact)
    if isinstance(answer, str):
        match = _WITH_UNIT.match(answer)
        percent = match is not None and match["unit"] == "%"
        text = match["number"] if match is not None and percent else answer
        typed = _DECIMAL.match(text)
        if typed:
            decimals = len(typed["decimals"]) + (2 if percent else 0)
        try:
            value = read_number(text) / (100 if percent else 1)
        except AnswerError as exc:
            return wrong(f"{exc.message}.", exc.reason, expected)
    else:
        try:
            value = read_number(answer)
        except AnswerError as exc:
            return wrong(f"{exc.message}.", exc.reason, expected)
    if value > 1 or value < 0:
        return wrong("Give the accuracy as a fraction between 0 and 1, not a percentage.",
                     Reason.TOO_LARGE if value > 1 else Reason.TOO_SMALL, expected)
    if abs(value - expected) <= atol + 1e-12:
        return right("That is the accuracy measured on the test set.", expected)
    if (decimals is not None and decimals < ACCURACY_DECIMALS
            and abs(value - expected) <= 0.5 * 10.0**-decimals + 1e-12):
        return wrong(f"Give the accuracy to {ACCURACY_DECIMALS} decimals: to the {decimals} "
                     f"you gave, it cannot be checked.", Reason.WRONG, expected)
    larger = value > expected
    return wrong(f"Your number is {'too large' if larger else 'too small'}. {hint}",
                 Reason.TOO_LARGE if larger else Reason.TOO_SMALL, expected)


@exercise("ex-cap-chance", "number", prompt="the test accuracy, a fraction between 0 and 1 to "
          f"{ACCURACY_DECIMALS} decimals")
def check_chance_accuracy(answer: Any) -> Verdict:
    """The test accuracy of "always answer the most frequent training class"."""
    return _accuracy(answer, float(REFERENCES["ex-cap-chance"]), CHANCE_TOLERANCE,
                     "Find the most frequent label of `split.y_train`, then the fraction of the "
                     "test labels `split.y_test` that are equal to it.")


@exercise("ex-cap-softmax", "number", prompt="the final test accuracy, a fraction between 0 "
          f"and 1 to {ACCURACY_DECIMALS} decimals (within {SOFTMAX_TOLERANCE:g} counts)")
def check_softmax_regression_accuracy(answer: Any) -> Verdict:
    """The final test accuracy of softmax regression (``MLP([64, 10], ...)``) trained with the
    chapter's recipe on the chapter's split."""
    return _accuracy(answer, float(REFERENCES["ex-cap-softmax"]), SOFTMAX_TOLERANCE,
                     "Train the network of the exercise with `capstone.train_digits(net, split, "
                     "**RECIPE)` and read the last entry of the run's `test_accuracy`.")


@exercise("ex-cap-experiment", "choice", prompt="the change that hurts the test accuracy most",
          options=tuple(EXPERIMENTS))
def check_experiment(answer: Any) -> Verdict:
    """Which single change to the recipe (run for :data:`EXPERIMENT_EPOCHS` epochs) lowers the
    final test accuracy most (measured)."""
    return check_choice(answer, str(REFERENCES["ex-cap-experiment"]), tuple(EXPERIMENTS),
                        wrong_message="is not the change that hurts most: run it and compare "
                        "the final test accuracies.")


# ---------------------------------------------------------------- the reader's functions
@exercise("ex-cap-confusion", "function", prompt="confusion(labels, predictions) returning a "
          "10 × 10 array")
def check_confusion_matrix(candidate: Any) -> Verdict:
    """The reader's ``confusion(labels, predictions)`` for 10 classes against
    :func:`bpnotes.capstone.confusion_matrix` (rows: true class, columns: predicted)."""
    import numpy as np

    from .. import capstone
    from .functions import check_function

    rng = np.random.default_rng(7)
    inputs = [(np.array([3]), np.array([5])), (np.arange(10), np.arange(10)[::-1])]
    inputs += [(rng.integers(0, 10, 50), rng.integers(0, 10, 50)) for _ in range(4)]
    verdict = check_function(candidate, capstone.confusion_matrix, inputs, name="matrix")
    if not verdict and verdict.reason is not Reason.TIMEOUT and check_function(
        candidate, lambda y, p: capstone.confusion_matrix(y, p).T, inputs
    ):
        return wrong("Your matrix is the transpose of the convention used here: row i must be "
                     "the true class and column j the predicted one.", Reason.WRONG)
    return verdict


@exercise("ex-cap-momentum-step", "function", prompt="momentum_step(theta, v, grad, lr, mu) "
          "returning (new_theta, new_v)")
def check_momentum_step(candidate: Any) -> Verdict:
    """The reader's ``momentum_step(theta, v, grad, lr, mu) -> (new_theta, new_v)``,
    eq. (cap-momentum)."""
    import numpy as np

    from .functions import ReaderFailure, check_function

    def reference(theta: Any, v: Any, grad: Any, lr: float, mu_: float) -> Any:
        new_v = mu_ * v - lr * grad
        return np.stack([theta + new_v, new_v])

    def pair(result: Any) -> Any:
        if not (isinstance(result, tuple | list) and len(result) == 2):
            raise ReaderFailure(Reason.SHAPE, "your function must return a pair (new_theta, "
                                "new_v)")
        return np.stack([np.asarray(result[0]), np.asarray(result[1])])

    rng = np.random.default_rng(3)
    inputs = [(rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), lr, m)
              for lr, m in ((0.1, 0.0), (0.05, 0.9), (1.0, 0.5))]
    return check_function(candidate, reference, inputs, convert=pair,
                          name="pair (new_theta, new_v)",
                          entry_names=lambda shape: [f"{kind}[{k}]" for kind in ("theta", "v")
                                                     for k in range(shape[1])])
