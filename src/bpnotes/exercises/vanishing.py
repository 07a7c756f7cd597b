"""Checkers of the exercises of "Vanishing (and exploding) deltas" (book/vanishing_deltas.md).

The formulas are derived here with sympy from the chapter's definitions (the largest slope
of the sigmoid, the variance argument of eq. (vd-variance)); measured numbers come from
:mod:`bpnotes.exercises.references`; the reader's functions run against
:mod:`bpnotes.vanishing`, which they import when they run.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from typing import Any

import mpmath
import sympy as sp

from .checkers import check_choice, check_formula, check_smallest_count
from .evaluation import guarded_function
from .parsing import AnswerError, read_number, sigmoid
from .references import REFERENCES
from .registry import exercise
from .verdict import Reason, Verdict, right, wrong

__all__ = [
    "BAND",
    "EFFECTS",
    "he_variance",
    "layers_needed",
    "linear_gain",
    "max_sigmoid_slope",
    "reference_delta_norms",
    "unrolled_bound",
]

s, w = sp.symbols("s w", positive=True)
n = sp.Symbol("n", positive=True, integer=True)
L, l_ = sp.symbols("L l", integer=True, positive=True)

#: The band [1/BAND, BAND] within which a good ReLU initialisation keeps every hidden
#: layer's delta norm, relative to the top hidden layer, across 20 layers.
BAND = 4.0

#: ex-vd-rate: what a learning rate large enough for the first layer does to training. "blows
#: up" is defined in the exercise (the cost ends more than ten times above its start); it is
#: not the stricter divergence rule of :mod:`bpnotes.descent` (``TrainingHistory.diverged``),
#: which a run that keeps jumping far above its start does not meet.
EFFECTS = ("converges faster", "blows up")

#: ex-vd-ratio: the layer steps between layer 8 and layer 2 of the depth-10 network.
RATIO_STEPS = 6


@functools.cache
def max_sigmoid_slope() -> sp.Expr:
    """max σ′(z), found by sympy where σ″ vanishes, eq. (vd-sigmoid-max)."""
    z = sp.Symbol("z", real=True)
    slope = sp.diff(sigmoid(z), z)
    (peak,) = sp.solve(sp.diff(slope, z), z)
    return sp.simplify(slope.subs(z, peak))


@functools.cache
def unrolled_bound() -> sp.Expr:
    """The bound on ‖δ^l‖/‖δ^L‖ for sigmoid layers with ‖W‖₂ = w: eq. (vd-bound) applied once
    per layer from L down to l, eq. (vd-unrolled)."""
    return (max_sigmoid_slope() * w) ** (L - l_)


def layers_needed(norm: int = 2, shrink: int = 10**6) -> int:
    """The fewest layers after which eq. (vd-unrolled) guarantees a shrinkage by ``shrink``."""
    per_layer = max_sigmoid_slope() * norm
    return int(sp.ceiling(sp.log(shrink) / sp.log(1 / per_layer)))


@functools.cache
def he_variance() -> sp.Expr:
    """The variance s² with gain 1 in eq. (vd-variance) for ReLU, where E[f′²] = ½."""
    variance = sp.Symbol("variance", positive=True)
    (solution,) = sp.solve(sp.Eq(n * variance * sp.Rational(1, 2), 1), variance)
    return solution


@functools.cache
def linear_gain() -> sp.Expr:
    """The per-layer factor g = √(n s² E[f′²]) of eq. (vd-variance) with f′ = 1."""
    return sp.sqrt(n * s**2 * 1)


def _offset_hint(given: sp.Expr) -> Verdict | None:
    """For the unrolled bound: too many or too few layer factors, or a wrong factor per layer."""
    reference = unrolled_bound()
    free = sorted(reference.free_symbols | given.free_symbols, key=lambda v: v.name)
    if set(free) - {w, L, l_}:
        return None
    f_given = guarded_function(tuple(free), given)
    f_reference = guarded_function(tuple(free), reference)
    rng = random.Random(1)
    exponents, per_layer = set(), set()
    for _ in range(6):
        point = {w: mpmath.mpf(rng.uniform(0.5, 3.5)), L: rng.randint(6, 12),
                 l_: rng.randint(1, 5)}
        values = [point[v] for v in free]
        # mpmath numbers, and every arithmetic failure caught: a reader's w**w**w**w or
        # exp(exp(exp(exp(L)))) overflows (OverflowError is an ArithmeticError).
        try:
            ratio = mpmath.mpf(f_given(*values)) / mpmath.mpf(f_reference(*values))
        except (TypeError, ValueError, ArithmeticError):
            return None
        if not (mpmath.isfinite(ratio) and ratio > 0):
            return None
        exponents.add(round(float(mpmath.log(ratio) / mpmath.log(point[w] / 4)), 6))
        per_layer.add(round(float(mpmath.log(ratio) / (point[L] - point[l_])), 6))
    if len(exponents) == 1:
        k = exponents.pop()
        if k == round(k) and k != 0:
            more = "many" if k > 0 else "few"
            return wrong(f"Your bound has {abs(int(k))} factor(s) of the per-layer bound too "
                         f"{more}: count the steps from layer L down to layer l.", Reason.WRONG,
                         reference)
    if len(per_layer) == 1:
        return wrong("Your bound changes by the same factor from one layer to the next, but it "
                     "is the wrong factor: one layer multiplies the bound by the largest slope "
                     "of the sigmoid times ‖W‖₂.", Reason.WRONG, reference)
    return None


@exercise("ex-vd-unrolled", "formula", prompt="the bound on ‖δ^l‖/‖δ^L‖, a formula in w, L and l",
          symbols=("w", "L", "l"))
def check_unrolled_bound(answer: Any) -> Verdict:
    """The bound on ‖δ^l‖ / ‖δ^L‖ for sigmoid layers with every ‖W^k‖₂ = w, in w, L and l
    (compared at whole numbers l < L)."""
    return check_formula(answer, unrolled_bound(), symbols={"w": w, "L": L, "l": l_},
                         domains={"w": (0.5, 3.5), "L": (6, 12), "l": (1, 5)},
                         diagnose=_offset_hint)


@exercise("ex-vd-layers", "number", prompt="the smallest number of layers (a whole number)")
def check_layers_needed(answer: Any) -> Verdict:
    """The fewest sigmoid layers with ‖W‖₂ ≤ 2 after which eq. (vd-unrolled) guarantees that
    the delta norm has shrunk by a factor 10⁶.

    A wrong whole number is answered with whether the bound after the reader's number of
    layers is still above 10⁻⁶ (too few) or whether fewer layers would already do (too
    many), never by how much the answer is off.
    """
    return check_smallest_count(
        answer, layers_needed(), unit="layers",
        after=lambda k: f"the bound (2/4)^{k} is {0.5**k:.1e}, "
        + ("below" if 0.5**k < 1e-6 else "still above") + " 10⁻⁶",
    )


@exercise("ex-vd-he", "formula", prompt="the variance s², a formula in n", symbols=("n",))
def check_he_variance(answer: Any) -> Verdict:
    """The weight variance s² that keeps the variance of each delta component constant
    through ReLU layers whose weight matrices have n rows (fan-out n): the factor g of
    eq. (vd-variance) equal to 1."""
    reference = he_variance()

    def standard_deviation(given: sp.Expr) -> Verdict | None:
        if check_formula(given**2, reference, symbols={"n": n}, domains={"n": (2, 64)}):
            return wrong("That is the standard deviation s; the exercise asks for the variance "
                         "s².", Reason.WRONG, reference)
        return None

    return check_formula(answer, reference, symbols={"n": n}, domains={"n": (2, 64)},
                         diagnose=standard_deviation)


@exercise("ex-vd-linear:gain", "formula", prompt="the per-layer factor g, a formula in n and s",
          symbols=("n", "s"))
def check_deep_linear_gain(answer: Any) -> Verdict:
    """The typical per-layer factor g of a deep *linear* network with N(0, s²) weights and
    fan-out n, as a formula in n and s, eq. (vd-variance)."""
    reference = linear_gain()
    names = {"n": n, "s": s}
    domains = {"n": (2, 64), "s": (0.05, 1)}

    def squared(given: sp.Expr) -> Verdict | None:
        if check_formula(given, reference**2, symbols=names, domains=domains):
            return wrong("That is the factor for the squared norm E‖δ‖²; the exercise asks for "
                         "the factor of the norm itself.", Reason.WRONG, reference)
        return None

    return check_formula(answer, reference, symbols=names, domains=domains, diagnose=squared)


@exercise("ex-vd-linear:threshold", "formula", prompt="the s above which the deltas explode, a "
          "formula in n", symbols=("n",))
def check_explosion_threshold(answer: Any) -> Verdict:
    """The weight scale s above which a deep linear network's deltas explode (g > 1), in n."""
    (threshold,) = sp.solve(sp.Eq(linear_gain(), 1), s)
    return check_formula(answer, threshold, symbols={"n": n}, domains={"n": (2, 64)})


@exercise("ex-vd-ratio", "number", prompt="your predicted ratio ‖δ²‖/‖δ⁸‖ (within a factor 3)")
def check_ratio_prediction(answer: Any) -> Verdict:
    """Predict ‖δ²‖ / ‖δ⁸‖ in a depth-10 sigmoid network of width 16 with Xavier weights
    (geometric mean over seeds 0..4 on the chapter's data); within a factor 3 is right.

    The window of a factor 3 also holds (¼)⁷, one step too many, so an answer inside it
    that is a power of the per-layer bound ¼ is checked for its exponent: (¼)^k with k ≠ 6
    counts the steps wrongly.
    """
    measured = float(REFERENCES["ex-vd-ratio"])
    hint = ("How many layer steps lie between layer 8 and layer 2, and what does one sigmoid "
            "layer with Xavier weights typically do to the delta norm?")
    try:
        value = read_number(answer)
    except AnswerError:
        value = None
    if value is not None and measured / 3 <= value <= 3 * measured:
        steps = mpmath.log(value) / mpmath.log(0.25)
        k = int(mpmath.nint(steps))
        if k != RATIO_STEPS and abs(steps - k) < 1e-6:
            return wrong(f"Your number is (1/4)^{k}, a power of the bound with {k} factors. "
                         "Count the steps from layer 8 down to layer 2 again (one delta rule "
                         "per step).", Reason.WRONG, measured)
    return _within_factor(answer, measured, 3.0, hint)


@exercise("ex-vd-rate:factor", "number", prompt="the factor by which η would have to grow "
          "(order of magnitude)")
def check_rate_factor(answer: Any) -> Verdict:
    """By how much η would have to grow for layer 1 to move as fast as layer L (depth 10,
    sigmoid, Xavier), at initialisation: the ratio ‖δ^L‖/‖δ¹‖ before training, within a
    factor 10."""
    return _within_factor(answer, float(REFERENCES["ex-vd-rate:factor"]), 10.0,
                          "Compare the delta norms of the first and the last layer at "
                          "initialisation (the explorer's left panel and its title).")


@exercise("ex-vd-rate:effect", "choice", prompt="what that learning rate does to training",
          options=EFFECTS)
def check_rate_effect(answer: Any) -> Verdict:
    """What training does at that learning rate: "blows up" when the cost ends more than ten
    times above its start (measured: the run of :func:`~.reference_runs.vd_rate_effect`)."""
    return check_choice(answer, str(REFERENCES["ex-vd-rate:effect"]), EFFECTS)


def _within_factor(answer: Any, measured: float, factor: float, hint: str) -> Verdict:
    """Right within a factor of the measured positive number; else the direction and whether
    the answer is off by less or more than 10× the allowed factor."""
    try:
        value = read_number(answer)
    except AnswerError as exc:
        return wrong(f"{exc.message}.", exc.reason, measured)
    if value < 0:
        return wrong(f"A ratio of norms is a positive number, got {value:g}.", Reason.SIGN,
                     measured)
    if value == 0:  # 0, or a number such as 1e-400 that a float cannot tell from 0
        return wrong("A ratio of norms is a positive number, and yours is 0 (or below about "
                     "1e-308, too small for a float to tell from 0): far too small. " + hint,
                     Reason.TOO_SMALL, measured)
    off = value / measured
    if max(off, 1 / off) <= factor:
        return right(f"Your number is within a factor {factor:g} of the measured one.", measured)
    direction = "too large" if off > 1 else "too small"
    size = (f"by more than a factor {10 * factor:g}" if max(off, 1 / off) > 10 * factor
            else f"by a factor between {factor:g} and {10 * factor:g}")
    return wrong(f"Your number is {direction} {size}. {hint}",
                 Reason.TOO_LARGE if off > 1 else Reason.TOO_SMALL, measured)


# ---------------------------------------------------------------- the reader's functions
@exercise("ex-vd-init", "function", prompt="my_init(n_in, n_out, rng) returning an (n_out, n_in) "
          "weight matrix")
def check_relu_initialiser(candidate: Any) -> Verdict:
    """``my_init(n_in, n_out, rng)`` returning a random (n_out, n_in) weight matrix that keeps a
    depth-20, width-32 ReLU network's deltas within the band [1/4, 4] (relative to the top
    hidden layer, layer 19) across all hidden layers: the networks of seeds 0..4 get their
    weights from ``my_init`` (with ``rng`` seeded by the same seed), each hidden layer's mean
    delta norm on the chapter's data is averaged geometrically over the seeds.

    Deltas that overflow (not finite) explode; deltas that are exactly 0 in a layer (they
    underflowed, or every unit is switched off) vanish.
    """
    import numpy as np

    from .. import vanishing
    from .functions import ReaderFailure, call_reader

    if not callable(candidate):
        return wrong(f"a function is asked, got {type(candidate).__name__}.", Reason.TYPE)
    depth, width, seeds = 20, 32, (0, 1, 2, 3, 4)
    X, Y = vanishing.probe_data()
    norms = []
    for seed in seeds:
        net = vanishing.deep_network(depth, activation="relu", width=width, seed=seed)
        rng = np.random.default_rng(seed)
        for k, W in enumerate(net.weights):
            shape = W.shape
            try:
                result = call_reader(candidate, (shape[1], shape[0], rng), copy_args=False)
            except ReaderFailure as failure:
                return wrong(f"{failure.message}.", failure.reason)
            try:
                new = np.asarray(result)
            except (TypeError, ValueError):  # ragged lists, objects numpy cannot hold
                new = np.asarray(None)
            if new.dtype.kind not in "iuf":
                return wrong(f"for n_in={shape[1]}, n_out={shape[0]} your function returned "
                             f"a {type(result).__name__}, not an array of real numbers.",
                             Reason.TYPE)
            if new.shape != shape:
                return wrong(f"for n_in={shape[1]}, n_out={shape[0]} your function returned "
                             f"shape {new.shape}; expected {shape}.", Reason.SHAPE)
            if not np.all(np.isfinite(new)):
                return wrong("the weights must be finite real numbers.", Reason.NOT_FINITE)
            if np.all(new == new.flat[0]):
                return wrong("the weights must be random (not all equal): equal weights make "
                             "every neuron of a layer compute the same thing.", Reason.WRONG)
            net.weights[k] = new.astype(np.float64)
        with np.errstate(all="ignore"):  # huge weights overflow: reported below, not warned
            norms.append(vanishing.delta_norms(net, X, Y))
    hidden = np.array(norms)[:, :-1]
    advice = ("Compare your variance with what the variance argument (the factor g = 1) asks "
              "for when half the slopes are 0.")
    if not np.all(np.isfinite(hidden)):
        return wrong("The deltas explode: with your weights the forward or backward pass "
                     "overflows (the delta norms are no longer finite numbers). " + advice,
                     Reason.TOO_LARGE)
    if np.any(np.all(hidden == 0, axis=0)):
        layer = int(np.flatnonzero(np.all(hidden == 0, axis=0)).max()) + 1
        return wrong(f"The deltas vanish: from layer {layer} down they are exactly 0 (too "
                     "small for a float, or every unit switched off). " + advice,
                     Reason.TOO_SMALL)
    with np.errstate(divide="ignore"):  # a seed whose layer is 0 counts as 0 in the mean
        typical = np.exp(np.mean(np.log(hidden), axis=0))
    relative = typical / typical[-1]
    low, high = float(relative.min()), float(relative.max())
    if low >= 1 / BAND and high <= BAND:
        return right(f"Across {depth} layers the delta norms stay between {low:.2g} and "
                     f"{high:.2g} times the top hidden layer's.")
    vanish = low < 1 / BAND
    extreme = int(np.argmin(relative) if vanish else np.argmax(relative))
    return wrong(f"The deltas {'vanish' if vanish else 'explode'}: layer {extreme + 1}'s mean "
                 f"norm is {relative[extreme]:.2g} times the top hidden layer's (allowed band "
                 f"{1 / BAND:g} to {BAND:g}). " + advice,
                 Reason.TOO_SMALL if vanish else Reason.TOO_LARGE)


def reference_delta_norms(
    weights: Sequence[Any], zs: Sequence[Any], delta_out: Any, activation: str,
) -> Any:
    """Mean over examples of ‖δ^l_i‖ for l = 1..L by the delta rule, eq. (vd-delta-rule).

    ``weights[k]`` is W^{k+1}, ``zs[k]`` is z^{k+1} (rows are examples) and ``delta_out``
    is δ^L; ``activation`` names the hidden activation.
    """
    import numpy as np

    from ..activations import get_activation

    f = get_activation(activation, allowed=("sigmoid", "tanh", "relu", "identity"))
    delta = np.asarray(delta_out, dtype=np.float64)
    norms = [np.linalg.norm(delta, axis=1).mean()]
    for k in range(len(weights) - 2, -1, -1):
        z = zs[k]
        delta = f.derivative(z, f(z)) * (delta @ weights[k + 1])
        norms.append(np.linalg.norm(delta, axis=1).mean())
    return np.array(norms[::-1])


def _backward_inputs(seed: int, depth: int, activation: str) -> tuple[Any, ...]:
    import numpy as np

    rng = np.random.default_rng(seed)
    sizes = [3] + [int(rng.integers(2, 6)) for _ in range(depth - 1)] + [2]
    weights = [rng.normal(0.0, 0.8, (o, i)) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    zs = [rng.normal(0.0, 1.5, (4, o)) for o in sizes[1:]]
    delta_out = rng.normal(0.0, 1.0, (4, sizes[-1]))
    return weights, zs, delta_out, activation


@exercise("ex-vd-implement", "function", prompt="delta_norms(weights, zs, delta_out, activation) "
          "returning the mean delta norm of every layer")
def check_delta_norms_function(candidate: Any) -> Verdict:
    """``delta_norms(weights, zs, delta_out, activation)``: the mean per-example delta norm of
    every layer, by the delta rule eq. (vd-delta-rule), on six random networks."""
    from .functions import check_function

    plan = [(2, "sigmoid"), (3, "tanh"), (4, "relu"), (5, "sigmoid"), (3, "identity"), (6, "tanh")]
    inputs = [_backward_inputs(seed, depth, act) for seed, (depth, act) in enumerate(plan)]
    labels = [f"depth {depth}, {act}" for depth, act in plan]
    return check_function(candidate, reference_delta_norms, inputs, rtol=1e-9, atol=1e-12,
                          labels=labels, name="delta norms",
                          entry_names=lambda shape: [f"the mean ‖δ^{k}‖ of layer {k}"
                                                     for k in range(1, shape[0] + 1)])
