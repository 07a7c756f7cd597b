"""Answer checkers for the backpropagation chapter.

* :func:`check_backprop` grades the reader's own backpropagation: it runs their function
  on random networks, compares every layer's gradient with finite differences of the
  cost of :class:`bpnotes.MLP` (eq. (bp-gradcheck)), and names the layer that is wrong;
* :func:`circulated_gradients` and :func:`circulated_step` reproduce the widely circulated,
  slipped version of the chapter's worked example, for the "find the bug" exercise, and
  :func:`check_bug_unit`, :func:`check_bug_derivative`, :func:`check_bug_update` grade it;
* the remaining checkers grade the chapter's derivations, symbolically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from ..activations import sigmoid
from ..backprop import WORKED_LR, layer_error, numerical_mlp_gradients, worked_example_network
from ..mlp import MLP
from .checkers import Verdict, check_expression, check_number

__all__ = [
    "check_backprop",
    "check_bug_derivative",
    "check_bug_unit",
    "check_bug_update",
    "check_first_layer_path_sum",
    "check_l2_gradient",
    "check_parameter_count",
    "check_tanh_output_delta",
    "check_worked_delta",
    "circulated_gradients",
    "circulated_step",
    "random_network",
]

Backprop = Callable[[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray], Any]


# ---------------------------------------------------------------- "implement backprop yourself"
def random_network(seed: int) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A random sigmoid network with log loss, with random non-zero biases, inputs and 0/1
    targets: the kind of test case :func:`check_backprop` runs."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(2, 5))
    sizes = [int(n) for n in rng.integers(1, 5, depth + 1)]
    sizes[0] = int(rng.integers(2, 5))
    net = MLP(sizes, hidden="sigmoid", output="sigmoid", loss="log", seed=seed, init="normal")
    for b in net.biases:
        b[:] = rng.normal(0.0, 1.0, b.shape)
    m = int(rng.integers(2, 6))
    X = rng.normal(0.0, 1.0, (m, sizes[0]))
    Y = rng.integers(0, 2, (m, sizes[-1])).astype(np.float64)
    return net, X, Y


def _shape_problem(kind: str, given: Any, expected: list[np.ndarray]) -> str | None:
    if not isinstance(given, list | tuple) or len(given) != len(expected):
        return (f"the {kind} gradients must be a list of {len(expected)} arrays, one per layer "
                f"(got {type(given).__name__}"
                + (f" of length {len(given)})" if isinstance(given, list | tuple) else ")"))
    for layer, (g, e) in enumerate(zip(given, expected, strict=True), start=1):
        shape = np.shape(g)
        if shape != e.shape:
            symbol = "W" if kind == "weight" else "b"
            return f"the gradient of {symbol}^{layer} has shape {shape}; it must be {e.shape}."
        if not np.all(np.isfinite(np.asarray(g, dtype=np.float64))):
            return f"the gradient for layer {layer} ({kind}s) holds NaN or infinite values."
    return None


def check_backprop(fn: Backprop, networks: int = 6, seed: int = 0,
                   tolerance: float = 1e-6) -> Verdict:
    """Grade ``fn(weights, biases, X, Y) -> (weight_gradients, bias_gradients)``.

    The contract (the chapter's exercise): sigmoid hidden layers, one or more sigmoid
    outputs with the log loss (so δ^L = o − y), the cost averaged over the m rows of X;
    ``weights[l]`` is W^{l+1} of shape (n_{l+1}, n_l). The function is run on ``networks``
    random networks (copies of the arrays, so it may modify them), and each layer's
    result is compared with centred differences of the cost, eq. (bp-gradcheck).

    A wrong layer is named: the *highest* wrong layer is the culprit, because deltas flow
    downward and one wrong δ^l spoils every layer below it.
    """
    if not callable(fn):
        return Verdict(False, f"the answer must be a function, got {type(fn).__name__}.")
    for trial in range(1, networks + 1):
        net, X, Y = random_network(seed * 1000 + trial)
        where = f"On random network {trial} (sizes {net.sizes}, m = {X.shape[0]} examples)"
        try:
            result = fn([w.copy() for w in net.weights], [b.copy() for b in net.biases],
                        X.copy(), Y.copy())
        except Exception as exc:  # the reader's code may raise anything
            return Verdict(False, f"{where} your function raised {type(exc).__name__}: {exc}")
        if not isinstance(result, list | tuple) or len(result) != 2:
            return Verdict(False, f"{where} your function must return a pair "
                           "(weight_gradients, bias_gradients).")
        numeric_w, numeric_b = numerical_mlp_gradients(net, X, Y)
        for kind, given, numeric in (("weight", result[0], numeric_w),
                                     ("bias", result[1], numeric_b)):
            problem = _shape_problem(kind, given, numeric)
            if problem:
                return Verdict(False, f"{where} {problem}")
        errors = []
        for layer in range(net.n_layers, 0, -1):
            for kind, given, numeric in (("W", result[0], numeric_w), ("b", result[1], numeric_b)):
                g = np.asarray(given[layer - 1], dtype=np.float64)
                error = layer_error(g, numeric[layer - 1])
                if error > tolerance:
                    errors.append((layer, kind, error, g, numeric[layer - 1]))
        if errors:
            return Verdict(False, f"{where}: " + _diagnose(errors, net.n_layers, X.shape[0]))
    return Verdict(True, f"Every layer's gradient agrees with finite differences on all "
                   f"{networks} random networks (depths 2 to 4).")


def _diagnose(errors: list[tuple[int, str, float, np.ndarray, np.ndarray]], L: int, m: int) -> str:
    top = max(e[0] for e in errors)
    names = [f"{kind}^{layer}" for layer, kind, *_ in errors if layer == top]
    worst = max(e[2] for e in errors if e[0] == top)
    below = sorted({e[0] for e in errors if e[0] < top})
    text = (f"the gradient of {' and '.join(names)} (layer {top}) is wrong: relative error "
            f"{worst:.1e} against finite differences.")
    if top < L:
        text += (f" Layers {top + 1}..{L} are right, so look at how δ^{top} is computed from "
                 f"δ^{top + 1} (the delta rule), or at how the gradient of layer {top} is formed "
                 "from it.")
    else:
        text += " This is the output layer: check the output delta o − y and the gradient δ aᵀ."
    for layer, kind, _, g, n in errors:
        if layer == top and not np.any(g):
            text += f" Your {kind}^{layer} is all zeros."
            break
        if layer == top and np.linalg.norm(n) > 0:
            ratio = float(np.sum(g * n) / np.sum(n * n))
            if np.allclose(g, ratio * n, rtol=1e-4, atol=1e-9) and abs(ratio - 1) > 1e-3:
                hint = " (did you average over the m examples?)" if np.isclose(ratio, m) else ""
                text += f" Your {kind}^{layer} is {ratio:.3g} times the right one{hint}."
                break
    if below:
        text += (f" Layers {', '.join(map(str, below))} are wrong too, as expected when a delta "
                 "above them is wrong: fix the highest layer first.")
    return text


# ---------------------------------------------------------------- the "find the bug" exercise
def _circulated_forward() -> tuple[MLP, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    net = worked_example_network()
    x = np.array([1.0, 0.0])
    h = sigmoid(net.weights[0] @ x + net.biases[0])
    a2 = sigmoid(net.weights[1] @ h)
    o = sigmoid(net.weights[2] @ a2)
    return net, x, [x, h, a2, o], net.weights


def circulated_gradients() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The gradients of the worked example as the circulated version computes them.

    Written out unit by unit, as such derivations usually are; shaped like
    ``net.weights`` and ``net.biases`` so that they can be gradient-checked.
    """
    net, x, (x, h, a2, o), W = _circulated_forward()
    a4, a5 = a2
    d_out = o[0] - 1.0                                  # log loss: δ = o − y
    d4 = a4 * (1 - a4) * W[2][0, 0] * d_out
    d5 = a5 * (1 - a4) * W[2][0, 1] * d_out             # as circulated
    d2 = np.array([d4, d5])
    d1 = h * (1 - h) * (W[1].T @ d2)
    gw = [np.outer(d1, x), np.outer(d2, h), d_out * a2[None, :]]
    gb = [d1, np.zeros(2), np.zeros(1)]
    masks = [m if m is not None else np.ones_like(w, bool) for m, w in zip(net.weight_masks, W)]
    return [np.where(mk, g, 0.0) for g, mk in zip(gw, masks, strict=True)], gb


def circulated_step() -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """The circulated update w ← w − w·(δ a) (and b ← b − b·δ), and its output after it."""
    net, _, _, _ = _circulated_forward()
    gw, gb = circulated_gradients()
    weights = [w - w * g for w, g in zip(net.weights, gw, strict=True)]
    biases = [b - b * g for b, g in zip(net.biases, gb, strict=True)]
    h = sigmoid(weights[0] @ np.array([1.0, 0.0]) + biases[0])
    o = sigmoid(weights[2] @ sigmoid(weights[1] @ h + biases[1]) + biases[2])
    return weights, biases, float(o[0])


def check_bug_unit(unit: Any) -> Verdict:
    """Which unit's delta is wrong in the circulated example? Answer with its number (1..5)."""
    answers = {1: "h1", 2: "h2", 3: "h3", 4: "h4", 5: "h5"}
    if isinstance(unit, str):
        unit = unit.strip().lower().lstrip("h")
    try:
        number = int(unit)
    except (TypeError, ValueError):
        return Verdict(False, f"answer with the unit's number 1..5, got {unit!r}.")
    if number == 5:
        return Verdict(True, "Only the row of the W^2 gradient that belongs to h5 disagrees with "
                       "finite differences; the h4 row and the output layer agree.", 5)
    if number in (1, 2, 3):
        return Verdict(False, f"{answers[number]} is in layer 1: its delta is wrong only because "
                       "it is computed from a wrong delta above it. Look one layer up.", 5)
    if number == 4:
        return Verdict(False, "check that against the numbers: put the row of h4 in the "
                       "circulated W^2 gradient beside the same row of the finite differences, "
                       "and do the same for every other row.", 5)
    return Verdict(False, f"there are hidden units 1..5 only, got {number}.", 5)


def check_bug_derivative(answer: Any) -> Verdict:
    """The correct f'(z_5) for the sigmoid unit h5, in the symbols a4 and a5."""
    a4, a5 = sp.symbols("a4 a5")
    verdict = check_expression(answer, a5 * (1 - a5), symbols=[a4, a5])
    if not verdict and a4 in sp.sympify(answer, locals={"a4": a4, "a5": a5}).free_symbols:
        return Verdict(False, "a sigmoid's derivative depends only on its own output: "
                       "your formula still involves a4.", verdict.solution)
    return verdict


def check_bug_update(answer: Any) -> Verdict:
    """The correct update of a weight w with gradient g and learning rate eta."""
    w, g, eta = sp.symbols("w g eta")
    given = sp.sympify(answer, locals={"w": w, "g": g, "eta": eta}) if isinstance(answer, str) \
        else answer
    if isinstance(given, sp.Expr) and sp.simplify(given - (w - w * g)) == 0:
        return Verdict(False, "that is the circulated update: it scales the step by the weight "
                       "itself, so a weight at 0 could never move.", w - eta * g)
    return check_expression(answer, w - eta * g, symbols=[w, g, eta])


def check_worked_delta(unit: int, value: Any) -> Verdict:
    """The delta of hidden unit ``unit`` (1..5) of the worked example, before the step."""
    net = worked_example_network()
    grads = net.gradients(np.array([[1.0, 0.0]]), np.array([[1.0]]))
    deltas = np.concatenate([grads.deltas[0][0], grads.deltas[1][0]])
    if isinstance(unit, bool) or not isinstance(unit, int) or not 1 <= unit <= 5:
        raise ValueError(f"unit must be a hidden unit number 1..5, got {unit!r}")
    return check_number(value, float(deltas[unit - 1]), rtol=5e-3, atol=1e-6)


# ---------------------------------------------------------------- derivations
def check_parameter_count(answer: Any) -> Verdict:
    """The number of weights and biases of the 4-2-2-1 network whose output has no bias."""
    return check_number(answer, 4 * 2 + 2 + 2 * 2 + 2 + 2 * 1, rtol=0, atol=0.5)


def check_tanh_output_delta(answer: Any) -> Verdict:
    """δ^L for a tanh output with the squared loss ½(o − y)², in the symbols o and y."""
    o, y = sp.symbols("o y")
    return check_expression(answer, (o - y) * (1 - o**2), symbols=[o, y])


def check_l2_gradient(answer: Any) -> Verdict:
    """∂/∂w of the L2 term (λ/(2m)) Σ W², for one weight w, in the symbols lam, m and w."""
    lam, m, w, other = sp.symbols("lam m w other", positive=True)
    expected = sp.diff(lam / (2 * m) * (w**2 + other**2), w)
    return check_expression(answer, expected, symbols=[lam, m, w])


def check_first_layer_path_sum(answer: Any) -> Verdict:
    """∂ℓ/∂W^1_11 for the 4-2-2-1 network, as a sum over the two paths to the output.

    Symbols: ``delta3`` (= s − y), ``W3_11``, ``W3_12``, ``W2_11``, ``W2_21``, ``a2_1``,
    ``a2_2``, ``a1_1``, ``x1``; sigmoid hidden units, so f'(z) = a(1 − a).
    """
    names = "delta3 W3_11 W3_12 W2_11 W2_21 a2_1 a2_2 a1_1 x1"
    d3, v1, v2, u11, u21, p1, p2, q1, x1 = sp.symbols(names)
    expected = d3 * (v1 * p1 * (1 - p1) * u11 + v2 * p2 * (1 - p2) * u21) * q1 * (1 - q1) * x1
    return check_expression(answer, expected, symbols=[d3, v1, v2, u11, u21, p1, p2, q1, x1])


#: The learning rate of the worked example, re-exported for the exercise cells.
LEARNING_RATE = WORKED_LR
