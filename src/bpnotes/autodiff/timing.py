"""Why backpropagation is fast: the cost of a gradient by finite differences (2P forward
passes, eq. (ad-fd-cost)) against one backpropagation, measured.

The three times of a network are measured the same way, so that their ratios mean what
they say: each is the processor time of this process per call (``time.process_time``: the
time other programs take does not count, though a busy machine still slows this process
through shared caches), averaged over a loop of 2P calls — the finite-difference gradient
*is* such a loop of forward passes — repeated in small networks to at least
:data:`MIN_CALLS` calls. The loops run with Python's garbage collector paused (as the
standard library's ``timeit`` does: a collection is no call's own cost), and each time is
the smallest of several rounds, each of which times every network, and the three loops of
a network, in turn."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..mlp import MLP
from ..validation import check_positive_int, check_seed

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


@dataclass
class _Subject:
    """One timed network, its data and the smallest times per call measured so far."""

    net: MLP
    X: np.ndarray
    Y: np.ndarray
    parameters: int
    gradients: int  # finite-difference gradients per loop (so that a loop is >= MIN_CALLS)
    best: list[float] = field(default_factory=lambda: [math.inf] * 3)  # fw, bp, fd
    numeric: list[np.ndarray] = field(default_factory=list)  # the last fd gradient

    @property
    def calls(self) -> int:
        return 2 * self.parameters * self.gradients

    def finite_differences(self) -> None:
        self.numeric = _finite_difference_gradient(self.net, self.X, self.Y)

    def time_round(self) -> tuple[float, float, float]:
        """One round: the three loops in turn, in processor seconds per call."""
        net, X, Y = self.net, self.X, self.Y
        return (_per_call(lambda: net.cost(X, Y), self.calls),
                _per_call(lambda: net.gradients(X, Y), self.calls),
                _per_call(self.finite_differences, self.gradients))


def time_gradients(
    sizes_list: Sequence[Sequence[int]],
    examples: int = 32,
    repeats: int = 3,
    seed: int = 0,
) -> list[GradientTiming]:
    """Time a forward pass, backpropagation and finite differences for several networks.

    Each network is ``MLP(sizes, hidden="tanh", output="identity", loss="squared")`` on
    seeded random data with ``examples`` rows. In each of ``repeats`` rounds, every network
    in turn has one loop of 2P ``MLP.cost`` calls, one loop of 2P ``MLP.gradients`` calls
    and one gradient by centred differences (2P cost evaluations) timed (each repeated in
    small networks, so that every loop makes at least :data:`MIN_CALLS` calls), in processor
    time (:data:`CLOCK`) with the garbage collector paused. Each time per call is the
    smallest over the rounds, after one more round that is not counted (a fresh process
    runs slow at first). Because every round visits every network, a slow spell of the
    machine can spoil one round of a network, but not all the rounds of one network while
    the others are measured in calm.

    Parameters
    ----------
    sizes_list
        The networks' layer widths, e.g. ``[[16, 8, 8, 1], [16, 32, 32, 1]]``.
    examples
        Rows of the random data each cost and gradient is computed on.
    repeats
        Rounds counted (at least 1).
    seed
        Seeds the weights and the data.

    Returns
    -------
    list of GradientTiming
        One per network, in the order of ``sizes_list``. Measured alike, finite
        differences cost 2P forward passes, eq. (ad-fd-cost)
        (:attr:`GradientTiming.in_forward_passes` is close to 1); backpropagation costs a
        small constant number of them whatever P is.

    Raises
    ------
    TypeError
        If ``examples`` or ``repeats`` is not an integer, ``sizes_list`` is not a sequence,
        or a network's widths are not integers.
    ValueError
        If ``examples`` or ``repeats`` is below 1, ``sizes_list`` is empty, or a network's
        widths are invalid.
    """
    examples = check_positive_int("examples", examples)
    repeats = check_positive_int("repeats", repeats)
    seed = check_seed(seed)
    if isinstance(sizes_list, str | bytes) or not isinstance(sizes_list, Sequence | np.ndarray):
        raise TypeError("sizes_list must be a list of layer-width lists, got "
                        f"{type(sizes_list).__name__}")
    if len(sizes_list) == 0:
        raise ValueError("sizes_list must be a non-empty list of layer-width lists")
    rng = np.random.default_rng(seed)
    subjects = []
    for sizes in sizes_list:
        net = MLP(sizes, hidden="tanh", output="identity", loss="squared", seed=seed)
        X = rng.normal(size=(examples, net.sizes[0]))
        Y = rng.normal(size=(examples, net.sizes[-1]))
        net.gradients(X, Y)  # warm up: no timing includes first-call costs
        parameters = sum(p.size for p in net.weights + net.biases)
        # Finite differences make 2P cost calls; small networks repeat them, so that no
        # loop is shorter than MIN_CALLS calls (a few scheduler slices).
        subjects.append(_Subject(net, X, Y, parameters, math.ceil(MIN_CALLS / (2 * parameters))))
    # Rounds outside, networks inside, the three loops of a network in turn: the rounds of
    # every network are spread over the same span of time. The first round is not counted:
    # in a fresh process its times run high (caches, allocator, clock speed).
    for round_ in range(repeats + 1):
        for subject in subjects:
            times = subject.time_round()
            if round_ > 0:
                subject.best = [min(old, new) for old, new in zip(subject.best, times, strict=True)]
    timings = []
    for subject in subjects:
        exact = subject.net.gradients(subject.X, subject.Y)
        difference = max(float(np.max(np.abs(e - n))) for e, n in
                         zip(exact.weights + exact.biases, subject.numeric, strict=True))
        forward, backprop, finite = subject.best
        timings.append(GradientTiming(tuple(subject.net.sizes), subject.parameters,
                                      forward, backprop, finite, difference))
    return timings
