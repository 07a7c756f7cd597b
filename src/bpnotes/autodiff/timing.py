"""Why backpropagation is fast: the cost of a gradient by finite differences (2P forward
passes, eq. (ad-fd-cost)) against one backpropagation, measured."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..mlp import MLP
from ..validation import check_nonnegative_int, check_positive_number

__all__ = ["GradientTiming", "time_gradients"]


@dataclass(frozen=True)
class GradientTiming:
    """Seconds for one network's cost and gradient (see :func:`time_gradients`).

    Attributes
    ----------
    sizes
        The network's layer widths.
    parameters
        P, its number of weights and biases.
    forward
        One evaluation of the cost (a forward pass).
    backprop
        One ``MLP.gradients`` call (forward and backward pass).
    finite_differences
        All P centred differences: 2P evaluations of the cost, eq. (ad-fd-cost).
    largest_difference
        max |backprop − finite differences| over the parameters (a sanity check).
    """

    sizes: tuple[int, ...]
    parameters: int
    forward: float
    backprop: float
    finite_differences: float
    largest_difference: float


def _best_time(function: Callable[[], object], repeats: int) -> float:
    """The shortest of ``repeats`` timings: the one least disturbed by other programs."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _finite_difference_gradient(net: MLP, X: np.ndarray, Y: np.ndarray,
                                eps: float = 1e-6) -> list[np.ndarray]:
    """Centred differences for every weight and bias: 2 cost evaluations per parameter."""
    grads = []
    for p in net.weights + net.biases:
        g = np.empty_like(p)
        flat, flat_g = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            plus = net.cost(X, Y)
            flat[i] = original - eps
            minus = net.cost(X, Y)
            flat[i] = original
            flat_g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def time_gradients(
    sizes_list: Sequence[Sequence[int]],
    examples: int = 32,
    repeats: int = 3,
    seed: int = 0,
) -> list[GradientTiming]:
    """Time a forward pass, backpropagation and finite differences for several networks.

    Each network is ``MLP(sizes, hidden="tanh", output="identity", loss="squared")`` on
    seeded random data with ``examples`` rows; each time is the best of ``repeats``
    runs. Finite differences cost 2P forward passes, eq. (ad-fd-cost); backpropagation
    costs a small constant number of them whatever P is.
    """
    check_positive_number("examples", examples)
    if not isinstance(examples, int) or isinstance(examples, bool):
        raise TypeError(f"examples must be an integer, got {type(examples).__name__}")
    repeats = check_nonnegative_int("repeats", repeats)
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    if isinstance(sizes_list, str | bytes) or len(sizes_list) == 0:
        raise ValueError("sizes_list must be a non-empty list of layer-width lists")
    rng = np.random.default_rng(seed)
    timings = []
    for sizes in sizes_list:
        net = MLP(sizes, hidden="tanh", output="identity", loss="squared", seed=seed)
        X = rng.normal(size=(examples, net.sizes[0]))
        Y = rng.normal(size=(examples, net.sizes[-1]))
        parameters = sum(p.size for p in net.weights + net.biases)
        net.gradients(X, Y)  # warm up: no timing includes first-call costs
        forward = _best_time(lambda: net.cost(X, Y), repeats)  # noqa: B023 (called at once)
        backprop = _best_time(lambda: net.gradients(X, Y), repeats)  # noqa: B023
        numeric: list[list[np.ndarray]] = []
        finite = _best_time(
            lambda: numeric.append(_finite_difference_gradient(net, X, Y)),  # noqa: B023
            repeats,
        )
        exact = net.gradients(X, Y)
        difference = max(float(np.max(np.abs(e - n)))
                         for e, n in zip(exact.weights + exact.biases, numeric[-1], strict=True))
        timings.append(GradientTiming(tuple(net.sizes), parameters, forward, backprop, finite,
                                      difference))
    return timings
