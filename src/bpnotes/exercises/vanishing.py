"""Answer checkers for the exercises of "Vanishing (and exploding) deltas".

Each checker says right or wrong and why, without printing the reference answer
(``verdict.reveal()`` returns it for a reader who asks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from .. import vanishing
from ..activations import get_activation
from .checkers import Verdict, check_expression, check_function, check_smallest_count

__all__ = [
    "BAND",
    "check_deep_linear_gain",
    "check_delta_norms_function",
    "check_he_variance",
    "check_layers_needed",
    "check_ratio_prediction",
    "check_relu_initialiser",
    "check_unrolled_bound",
    "reference_delta_norms",
]

n, s, w = sp.symbols("n s w", positive=True)
L, l_ = sp.symbols("L l", integer=True, positive=True)

#: The band [1/BAND, BAND] within which a good ReLU initialisation keeps every hidden
#: layer's delta norm, relative to the top hidden layer, across 20 layers.
BAND = 4.0


def check_unrolled_bound(answer: object) -> Verdict:
    """Exercise: the bound on ‖δ^l‖ / ‖δ^L‖ for sigmoid layers with every ‖W^k‖₂ = w,
    as a formula in ``w``, ``L`` and ``l`` (eq. (vd-unrolled))."""
    return check_expression(answer, (w / 4) ** (L - l_), symbols={"w": w, "L": L, "l": l_})


def check_layers_needed(answer: object) -> Verdict:
    """Exercise: the fewest sigmoid layers with ‖W‖₂ ≤ 2 after which eq. (vd-unrolled)
    guarantees that the delta norm has shrunk by a factor 10⁶.

    The verdict says whether the bound after the reader's number of layers is still
    above 10⁻⁶ (too few) or whether one layer fewer would already do (too many), never by
    how much the answer is off.
    """
    expected = int(np.ceil(6 * np.log(10.0) / np.log(2.0)))
    return check_smallest_count(
        answer, expected, unit="layers",
        after=lambda k: f"the bound (2/4)^{k} is {0.5**k:.1e}, "
        + ("below" if 0.5**k < 1e-6 else "still above") + " 10⁻⁶",
    )


def check_he_variance(answer: object) -> Verdict:
    """Exercise: the weight variance s² that keeps E‖δ‖² constant through ReLU layers
    whose weight matrices have n rows (fan-out n), eq. (vd-variance)."""
    return check_expression(answer, 2 / n, symbols={"n": n})


def check_deep_linear_gain(answer: object) -> Verdict:
    """Exercise: the typical per-layer factor √(E‖δ^l‖² / E‖δ^{l+1}‖²) of a deep *linear*
    network with N(0, s²) weights and fan-out n, as a formula in ``n`` and ``s``."""
    return check_expression(answer, sp.sqrt(n) * s, symbols={"n": n, "s": s})


def _ratio_reference() -> float:
    profile = vanishing.delta_profile(10, activation="sigmoid", init="xavier", width=16,
                                   seeds=(0, 1, 2, 3, 4))
    typical = profile.typical
    return float(typical[1] / typical[7])


def check_ratio_prediction(answer: object) -> Verdict:
    """Exercise: predict ‖δ²‖ / ‖δ⁸‖ in a depth-10 sigmoid network of width 16 with Xavier
    initialisation (geometric mean over seeds 0..4 on the chapter's data).

    A prediction within a factor 3 of the measured ratio counts as right: the exercise is
    about the order of magnitude.
    """
    try:
        value = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return Verdict(False, f"The answer must be a positive number, got {answer!r}.")
    if not np.isfinite(value) or value <= 0:
        return Verdict(False, f"A ratio of norms is a positive number, got {value}.")
    measured = _ratio_reference()
    factor = value / measured
    off = max(factor, 1 / factor)
    if off <= 3:
        return Verdict(True, "Your prediction is within a factor 3 of the measured ratio.",
                       measured)
    direction = "too large" if factor > 1 else "too small"
    size = "by more than a factor 10" if off > 10 else "by a factor between 3 and 10"
    return Verdict(False, f"Your prediction is {direction} {size}. How many layers lie "
                   "between layer 8 and layer 2, and what does one sigmoid layer with Xavier "
                   "weights typically do to the delta norm?", measured)


def check_relu_initialiser(
    init: Callable[[int, int, np.random.Generator], np.ndarray],
    *,
    depth: int = 20,
    width: int = 32,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
) -> Verdict:
    """Exercise: write ``init(n_in, n_out, rng)`` returning a random (n_out, n_in) weight
    matrix that keeps a deep ReLU network's deltas within the band [1/4, 4] (relative to
    the top hidden layer) across all ``depth`` layers, at the geometric mean over seeds."""
    if not callable(init):
        return Verdict(False, f"The answer must be a function, got {type(init).__name__}.")
    X, Y = vanishing.probe_data()
    norms = []
    for seed in seeds:
        net = vanishing.deep_network(depth, activation="relu", width=width, seed=seed)
        rng = np.random.default_rng(seed)
        for k, W in enumerate(net.weights):
            try:
                new = np.asarray(init(W.shape[1], W.shape[0], rng), dtype=np.float64)
            except Exception as exc:  # the reader's code may raise anything
                return Verdict(False, f"Your function raised {type(exc).__name__}: {exc}")
            if new.shape != W.shape:
                return Verdict(False, f"for n_in={W.shape[1]}, n_out={W.shape[0]} your function "
                               f"returned shape {new.shape}; expected {W.shape}.")
            if not np.all(np.isfinite(new)) or np.all(new == new.flat[0]):
                return Verdict(False, "The weights must be finite and random (not all equal): "
                               "equal weights make every neuron of a layer compute the same thing.")
            net.weights[k] = new
        norms.append(np.maximum(vanishing.delta_norms(net, X, Y), 1e-300))
    typical = np.exp(np.mean(np.log(norms), axis=0))
    relative = typical[:-1] / typical[-2]
    low, high = float(relative.min()), float(relative.max())
    if low >= 1 / BAND and high <= BAND:
        return Verdict(True, f"Across {depth} layers the delta norms stay between {low:.2g} and "
                       f"{high:.2g} times the top hidden layer's.")
    trend = "vanish" if low < 1 / BAND else "explode"
    return Verdict(False, f"The deltas {trend}: layer 1's norm is {relative[0]:.2g} times the "
                   f"top hidden layer's (allowed band {1 / BAND:g} to {BAND:g}). Compare your "
                   "variance with what the variance argument (the factor g = 1) asks for "
                   "when half the slopes are 0.")


def reference_delta_norms(
    weights: Sequence[np.ndarray], zs: Sequence[np.ndarray], delta_out: np.ndarray,
    activation: str,
) -> np.ndarray:
    """Mean over examples of ‖δ^l_i‖ for l = 1..L by the delta rule, eq. (vd-delta-rule).

    ``weights[k]`` is W^{k+1}, ``zs[k]`` is z^{k+1} (rows are examples) and ``delta_out``
    is δ^L; ``activation`` names the hidden activation.
    """
    f = get_activation(activation, allowed=("sigmoid", "tanh", "relu", "identity"))
    delta = np.asarray(delta_out, dtype=np.float64)
    norms = [np.linalg.norm(delta, axis=1).mean()]
    for k in range(len(weights) - 2, -1, -1):
        z = zs[k]
        delta = f.derivative(z, f(z)) * (delta @ weights[k + 1])
        norms.append(np.linalg.norm(delta, axis=1).mean())
    return np.array(norms[::-1])


def _backward_inputs(seed: int, depth: int, activation: str) -> tuple:
    rng = np.random.default_rng(seed)
    sizes = [3] + [int(rng.integers(2, 6)) for _ in range(depth - 1)] + [2]
    weights = [rng.normal(0.0, 0.8, (o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    zs = [rng.normal(0.0, 1.5, (4, o)) for o in sizes[1:]]
    delta_out = rng.normal(0.0, 1.0, (4, sizes[-1]))
    return weights, zs, delta_out, activation


def check_delta_norms_function(candidate: Callable[..., np.ndarray]) -> Verdict:
    """Exercise: implement ``delta_norms(weights, zs, delta_out, activation)`` returning the
    mean per-example delta norm of every layer, by the delta rule eq. (vd-delta-rule)."""
    inputs = [
        _backward_inputs(seed, depth, act)
        for seed, (depth, act) in enumerate(
            [(2, "sigmoid"), (3, "tanh"), (4, "relu"), (5, "sigmoid"), (3, "identity"),
             (6, "tanh")]
        )
    ]
    return check_function(candidate, reference_delta_norms, inputs, rtol=1e-9, atol=1e-12)
