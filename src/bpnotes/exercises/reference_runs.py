"""The numerical runs behind :mod:`bpnotes.exercises.references`, one function per entry.

Each function recomputes one reference answer with the package's numeric code, exactly as
the exercise states it (data, settings, seeds). ``python -m bpnotes.exercises.reference_runs``
rewrites the table; ``tests/test_exercise_references.py`` recomputes every entry and fails
when the table has drifted from the code. Needs numpy (and scikit-learn for the capstone's
digits).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["RUNS", "compute", "main"]


def lin_predict() -> str:
    """Per-example descent at 0.9 η_c on the chapter's data, 30 epochs, shuffled (seed 0)."""
    from .. import linear

    X, t = linear.chapter_data()
    result = linear.fit(X, t, 0.9 * linear.critical_learning_rate(X), 30, batch_size=1)
    return "diverges" if result.diverged else "converges"


def lin_fastest() -> float:
    """2/(λ_min + λ_max) of the chapter data's Hessian: the fastest full-batch rate."""
    from .. import linear

    eigenvalues = np.linalg.eigvalsh(linear.hessian(linear.chapter_data()[0]))
    return float(2.0 / (eigenvalues[0] + eigenvalues[-1]))


def log_separable_growth() -> str:
    """What ‖w‖ does from 300 to 3000 to 30 000 epochs of logistic.fit(lr=5) on separable data."""
    from .. import logistic

    X, t = logistic.separable_data()
    model = logistic.fit(X, t, lr=5.0, epochs=30_000)
    norms = np.linalg.norm(model.path[[300, 3000, 30_000], :-1], axis=1)  # ‖w‖ after k epochs
    first, second = np.diff(norms)
    if norms[2] / norms[1] > 5:
        return "multiplies by 10"
    if abs(second) < 0.05 * norms[1]:
        return "stays the same"
    if 0.5 < second / first < 2:
        return "adds a constant"
    raise RuntimeError(f"no option describes the norms {norms}")


def bp_hand_delta() -> float:
    """δ of hidden unit h2 of the worked example, before the step."""
    from ..backprop import worked_example_network

    net = worked_example_network()
    deltas = net.gradients(np.array([[1.0, 0.0]]), np.array([[1.0]])).deltas
    return float(deltas[0][0, 1])


def bp_bug_unit() -> str:
    """The hidden unit whose row of the circulated W² gradient fails the gradient check."""
    from ..backprop import worked_example_network
    from ..gradcheck import numerical_mlp_gradients
    from .backprop import circulated_gradients

    numeric, _ = numerical_mlp_gradients(worked_example_network(), np.array([[1.0, 0.0]]),
                                         np.array([[1.0]]))
    circulated, _ = circulated_gradients()
    rows = np.abs(circulated[1] - numeric[1]).max(axis=1) > 1e-6 * np.abs(numeric[1]).max()
    (wrong_rows,) = np.nonzero(rows)
    if len(wrong_rows) != 1:
        raise RuntimeError(f"expected one wrong row of the W^2 gradient, got {wrong_rows}")
    return str(4 + int(wrong_rows[0]))  # the rows of W^2 are the units h4 and h5


def bp_minibatch() -> str:
    """The batch mode that ends with the highest cost when the chapter's comparison (2-8-8-1
    tanh network on 200 moons points, 40 epochs) is run at learning rate 2 instead of 0.2."""
    from ..backprop import chapter_data
    from ..losses import as_targets
    from ..mlp import MLP

    X, t = chapter_data()
    Y = as_targets(t)
    modes = {"full-batch": None, "mini-batch": 20, "per-example": 1}
    final = {}
    for mode, batch_size in modes.items():
        net = MLP([2, 8, 8, 1], hidden="tanh", output="sigmoid", loss="log", seed=0)
        history = net.train(X, Y, lr=2.0, epochs=40, batch_size=batch_size, epoch_cost="full")
        final[mode] = np.inf if history.diverged else history.losses[-1]
    return max(final, key=lambda mode: final[mode])


def bp_kink() -> float:
    """The centred difference for b^1_1 at the chapter's ReLU kink, as a fraction of the
    gradient the neuron has when it is active (measured just above the kink)."""
    from ..gradcheck import numerical_mlp_gradients
    from ..mlp import MLP

    net = MLP([2, 3, 1], hidden="relu", output="identity", loss="squared", seed=4)
    x, y = np.array([[0.7, -0.2]]), np.array([[1.0]])
    net.biases[0][0] = -net.weights[0][0] @ x[0]        # z¹₁ = 0 exactly
    _, numeric = numerical_mlp_gradients(net, x, y)
    net.biases[0][0] += 1e-9                            # just active: slope 1
    active = net.gradients(x, y).biases[0][0]
    return float(numeric[0][0] / active)


def vd_ratio() -> float:
    """‖δ²‖/‖δ⁸‖ of depth-10 width-16 sigmoid networks with Xavier weights, seeds 0..4."""
    from .. import vanishing

    profile = vanishing.delta_profile(10, activation="sigmoid", init="xavier", width=16,
                                      seeds=(0, 1, 2, 3, 4))
    return float(profile.typical[1] / profile.typical[7])


def vd_rate_factor() -> float:
    """‖δ^L‖/‖δ¹‖ at initialisation, depth 10, sigmoid, Xavier (seed 0, the chapter's data)."""
    from .. import vanishing

    profile = vanishing.delta_profile(10, activation="sigmoid", init="xavier", seeds=(0,))
    return float(profile.typical[-1] / profile.typical[0])


def vd_rate_effect() -> str:
    """What training (depth 10, sigmoid, Xavier, 20 epochs) does when η = 0.1 is multiplied
    by :func:`vd_rate_factor`: "blows up" when the cost ends more than ten times above its
    start (the exercise's definition; the run need not meet descent's divergence rule)."""
    from .. import vanishing

    def run(lr: float) -> Any:
        return vanishing.train_deep(10, activation="sigmoid", init="xavier", lr=lr, epochs=20)

    base, scaled = run(0.1), run(0.1 * vd_rate_factor())
    if scaled.diverged or not np.isfinite(scaled.losses[-1]) or \
            scaled.losses[-1] > 10 * scaled.losses[0]:
        return "blows up"
    if scaled.losses[-1] < base.losses[-1]:
        return "converges faster"
    raise RuntimeError("neither option describes the run")


def _digits_split() -> Any:
    from .. import capstone

    return capstone.split_digits()


def cap_chance() -> float:
    """Test accuracy of always answering the most frequent training class."""
    split = _digits_split()
    most_frequent = np.bincount(split.y_train).argmax()
    return float(np.mean(split.y_test == most_frequent))


def _digits_accuracy(split: Any, sizes: list[int], hidden: str = "relu",
                     **changes: Any) -> float:
    from .. import capstone
    from ..mlp import MLP

    recipe = {**capstone.RECIPE, **changes}
    net = MLP(sizes, hidden=hidden, output="softmax", loss="cross_entropy", l2=1e-4, init="he",
              seed=0)
    return float(capstone.train_digits(net, split, **recipe).test_accuracy[-1])


def cap_softmax() -> float:
    """Final test accuracy of softmax regression, MLP([64, 10]), with the chapter's recipe."""
    return _digits_accuracy(_digits_split(), [64, 10])


def cap_experiment() -> str:
    """The one change to the chapter's 64-64-10 ReLU recipe, run for
    :data:`~bpnotes.exercises.capstone.EXPERIMENT_EPOCHS` epochs, that lowers the final test
    accuracy most (:data:`bpnotes.exercises.capstone.EXPERIMENTS`)."""
    from .capstone import EXPERIMENT_EPOCHS, EXPERIMENTS

    split = _digits_split()
    accuracies = {}
    for name, change in EXPERIMENTS.items():
        change = dict(change)
        width = change.pop("hidden", 64)
        activation = change.pop("activation", "relu")
        accuracies[name] = _digits_accuracy(split, [64, width, 10], hidden=activation,
                                            **{"epochs": EXPERIMENT_EPOCHS, **change})
    return min(accuracies, key=lambda name: accuracies[name])


#: Every entry of the table and the run that computes it.
RUNS: dict[str, Callable[[], float | int | str]] = {
    "ex-lin-predict": lin_predict,
    "ex-lin-fastest": lin_fastest,
    "ex-log-separable-growth": log_separable_growth,
    "ex-bp-hand-delta": bp_hand_delta,
    "ex-bp-find-bug:unit": bp_bug_unit,
    "ex-bp-minibatch": bp_minibatch,
    "ex-bp-kink": bp_kink,
    "ex-vd-ratio": vd_ratio,
    "ex-vd-rate:factor": vd_rate_factor,
    "ex-vd-rate:effect": vd_rate_effect,
    "ex-cap-chance": cap_chance,
    "ex-cap-softmax": cap_softmax,
    "ex-cap-experiment": cap_experiment,
}


def compute() -> dict[str, float | int | str]:
    """Every reference, freshly computed."""
    return {name: run() for name, run in RUNS.items()}


def main() -> None:
    """Rewrite :mod:`bpnotes.exercises.references` from :func:`compute`."""
    path = Path(__file__).with_name("references.py")
    text = path.read_text()
    head = text[: text.index("REFERENCES: dict")]
    lines = [f"    {json.dumps(name)}: {json.dumps(value) if isinstance(value, str) else value!r},"
             for name, value in compute().items()]
    body = "{\n" + "\n".join(lines) + "\n}\n"
    path.write_text(head + "REFERENCES: dict[str, float | int | str] = " + body)
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
