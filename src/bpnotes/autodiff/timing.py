"""Why backpropagation is fast: the cost of a gradient by finite differences (2P forward
passes, eq. (ad-fd-cost)) against one backpropagation, measured.

The three times of a network are measured the same way, so that their ratios mean what
they say: each is the processor time of this process (``time.process_time``: other
programs on a busy machine do not count) per call, averaged over a loop of 2P calls —
the finite-difference gradient *is* such a loop of forward passes — with Python's garbage
collector paused (as the standard library's ``timeit`` does, so that a collection, which
comes at no call's fault, is charged to none), and the smallest of several rounds that take
the three in turn."""

from __future__ import annotations

import gc
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
    """Processor seconds for one network's cost and gradient (see :func:`time_gradients`).

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

    @property
    def in_forward_passes(self) -> float:
        """finite_differences / (2P × forward): 1 if finite differences cost exactly 2P
        forward passes, eq. (ad-fd-cost)."""
        return self.finite_differences / (2 * self.parameters * self.forward)


#: The clock of every timing: processor time of this process, not wall-clock time.
CLOCK = time.process_time
#: The fewest calls in a timed loop.
MIN_CALLS = 1000


def _per_call(function: Callable[[], object], calls: int) -> float:
    """Processor seconds per call of ``function``, averaged over ``calls`` calls in a loop
    run with the garbage collector paused."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        start = CLOCK()
        for _ in range(calls):
            function()
        return (CLOCK() - start) / calls
    finally:
        if collecting:
            gc.enable()


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
    seeded random data with ``examples`` rows. In each of ``repeats`` rounds, one loop of
    2P ``MLP.cost`` calls, one loop of 2P ``MLP.gradients`` calls and one gradient by
    centred differences (2P cost evaluations) are timed in turn (each repeated in small
    networks, so that every loop makes at least :data:`MIN_CALLS` calls), in processor time
    (:data:`CLOCK`) with the garbage collector paused; each time per call is the smallest
    over the rounds, after one more round that is not counted (a fresh process runs slow at
    first). Measured alike, finite differences cost 2P forward passes, eq. (ad-fd-cost)
    (:attr:`GradientTiming.in_forward_passes` is close to 1); backpropagation costs a
    small constant number of them whatever P is.
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
        # Finite differences make 2P cost calls; small networks repeat them, so that no
        # loop is shorter than MIN_CALLS calls (a few scheduler slices).
        gradients = math.ceil(MIN_CALLS / (2 * parameters))
        calls = 2 * parameters * gradients
        forward = backprop = finite = math.inf
        numeric: list[list[np.ndarray]] = []
        # The three in turn, so that each round sees the same load. The first round is not
        # counted: in a fresh process its times run high (caches, allocator, clock speed).
        for round_ in range(repeats + 1):
            times = (
                _per_call(lambda: net.cost(X, Y), calls),  # noqa: B023
                _per_call(lambda: net.gradients(X, Y), calls),  # noqa: B023
                _per_call(lambda: numeric.append(  # noqa: B023
                    _finite_difference_gradient(net, X, Y)), gradients),  # noqa: B023
            )
            if round_ > 0:
                forward, backprop, finite = (min(old, new) for old, new in
                                             zip((forward, backprop, finite), times, strict=True))
        exact = net.gradients(X, Y)
        difference = max(float(np.max(np.abs(e - n)))
                         for e, n in zip(exact.weights + exact.biases, numeric[-1], strict=True))
        timings.append(GradientTiming(tuple(net.sizes), parameters, forward, backprop, finite,
                                      difference))
    return timings
