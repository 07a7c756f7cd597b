"""Vanishing and exploding deltas: the numerics behind the chapter's experiments.

Backpropagation carries the delta of layer l+1 down to layer l with the delta rule

    δ^l = f'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1}                          eq. (vd-delta-rule)

(in code, rows are examples: ``delta_l = fprime(Z_l) * (delta_next @ W_next)``). Taking
norms gives the bound of eq. (vd-bound),

    ‖δ^l‖ ≤ (max f') ‖W^{l+1}‖₂ ‖δ^{l+1}‖,

so a deep sigmoid network (max σ' = 1/4) with small weights multiplies its deltas by at
most ‖W‖₂ / 4 per layer. The initialisation schemes of eq. (vd-init) choose the weight
variance so that the variance of each delta component is kept constant from layer to layer,
eq. (vd-variance) with g = 1 (for hidden layers of equal width, the expected squared delta
norm too, eq. (vd-norm-gain)). Xavier and LeCun are calibrated for a slope of 1 at z = 0
(tanh), He for the ReLU (slope 1 for half of the inputs); none of them for the sigmoid,
whose slope is at most 1/4.

This module builds the chapter's deep, narrow networks on a fixed seeded data set,
measures the per-layer delta norms (at initialisation and during training), the per-layer
bound factors, how much the activations still differ between examples and how much of the
weight gradient survives the sum over examples. It only calls :class:`bpnotes.mlp.MLP`; it
never plots.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from .data import moons
from .initialisation import INIT_SCHEMES
from .mlp import MLP, TrainingHistory
from .validation import (
    check_choice,
    check_choices,
    check_nonnegative_int,
    check_positive_number,
    check_seed,
)

__all__ = [
    "ACTIVATIONS",
    "COMPARISON",
    "INITIALISATIONS",
    "DeltaProfile",
    "activation_spread",
    "bound_factors",
    "deep_network",
    "delta_norms",
    "delta_profile",
    "depth_sweep",
    "gradient_cancellation",
    "layer_gain",
    "layer_ratios",
    "probe_data",
    "profile_grid",
    "train_deep",
    "training_comparison",
]

#: Hidden activations compared in the chapter ("identity" gives a deep linear network).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")

#: The named initialisations of the chapter's figures and explorer: label -> (scheme, scale),
#: the arguments ``init`` and ``init_scale`` of :class:`~bpnotes.mlp.MLP`, eq. (vd-init).
INITIALISATIONS: dict[str, tuple[str, float]] = {
    "small normal": ("normal", 0.1),
    "Xavier": ("xavier", 1.0),
    "He": ("he", 1.0),
    "LeCun": ("lecun", 1.0),
    "large (2 × He)": ("he", 2.0),
}

#: Width of every hidden layer unless told otherwise: narrow, so the page runs fast.
DEFAULT_WIDTH = 16


def probe_data(m: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The chapter's data: the two-moons problem with targets as a column.

    Returns
    -------
    X, Y
        ``X`` of shape (m, 2) and ``Y`` of shape (m, 1) holding 0/1 labels, for a network
        with a single sigmoid output trained with the log loss.
    """
    X, t = moons(m, noise=0.15, seed=seed)
    return X, t[:, None].astype(np.float64)


def _check_int(name: str, value: object, minimum: int) -> int:
    number = check_nonnegative_int(name, value)
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {number}")
    return number


def deep_network(
    depth: int,
    *,
    activation: str = "sigmoid",
    init: str = "xavier",
    init_scale: float = 1.0,
    width: int = DEFAULT_WIDTH,
    n_inputs: int = 2,
    seed: int = 0,
) -> MLP:
    """A network of ``depth`` weight layers: depth − 1 hidden layers of ``width`` neurons.

    Parameters
    ----------
    depth
        L, the number of weight layers (at least 2, so that there is a hidden delta).
    activation
        Hidden activation: "sigmoid", "tanh", "relu" or "identity".
    init, init_scale
        Initialisation scheme ("xavier", "he", "lecun" or "normal") and the factor
        multiplying its standard deviation, eq. (vd-init).
    width
        n_l for every hidden layer.
    n_inputs
        n_0, the number of inputs (2 for :func:`probe_data`).
    seed
        Seed of the weights.

    Returns
    -------
    MLP
        Sizes ``[n_inputs] + [width] * (depth − 1) + [1]``, one sigmoid output and the log
        loss, so that the output delta is δ^L = o − y for every activation.
    """
    depth = _check_int("depth", depth, 2)
    width = _check_int("width", width, 1)
    n_inputs = _check_int("n_inputs", n_inputs, 1)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("init", init, INIT_SCHEMES)
    init_scale = check_positive_number("init_scale", init_scale)
    seed = check_seed(seed)
    sizes = [n_inputs] + [width] * (depth - 1) + [1]
    return MLP(sizes, hidden=activation, output="sigmoid", loss="log", seed=seed,
               init=init, init_scale=init_scale)


def _checked_data(net: MLP, X: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    return net.check_data(X, Y)


def delta_norms(net: MLP, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Mean over the examples of ‖δ^l_i‖ for every layer l = 1..L, shape (L,).

    The per-example deltas δ^l_i = ∂ℓ_i/∂z^l are those of eq. (vd-delta-rule), computed by
    the network's backpropagation at its current weights. The norms are taken without
    squaring (``numpy.hypot``), so deltas far below 1e-154 keep their precision.
    """
    X, Y = _checked_data(net, X, Y)
    deltas = net.gradients(X, Y).deltas
    return np.array([np.hypot.reduce(d, axis=1).mean() for d in deltas])


def layer_ratios(net: MLP, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Per-example ratios ‖δ^l_i‖ / ‖δ^{l+1}_i‖ for l = 1..L−1, shape (m, L−1).

    Examples whose delta at layer l+1 is exactly zero (a ReLU layer can switch off
    entirely) get ratio 0, since then δ^l_i = 0 as well.
    """
    X, Y = _checked_data(net, X, Y)
    norms = np.stack([np.hypot.reduce(d, axis=1) for d in net.gradients(X, Y).deltas], axis=1)
    below, above = norms[:, :-1], norms[:, 1:]
    safe = np.where(above > 0, above, 1.0)
    return np.where(above > 0, below / safe, 0.0)


def activation_spread(net: MLP, X: ArrayLike) -> np.ndarray:
    """How much each layer's activations differ between examples, shape (L + 1,).

    Entry l (l = 0..L, a⁰ = x) is ‖std_i a^l_i‖ / ‖mean_i a^l_i‖: the Euclidean norm,
    over the units, of the standard deviation over the examples, relative to the norm of
    the mean activation. 0 when every example gives the same activation (up to the rounding
    of the mean; exactly 0 for a layer whose activations are all 0), infinite when they
    differ but average to 0. Small slopes and weights shrink the differences between
    examples on the way up as they shrink the deltas on the way down, eq. (vd-delta-rule).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    activations = net.forward_pass(X).activations
    spreads = []
    for a in activations:
        spread, mean = np.linalg.norm(a.std(axis=0)), np.linalg.norm(a.mean(axis=0))
        spreads.append(0.0 if spread == 0 else spread / mean if mean > 0 else np.inf)
    return np.array(spreads)


def gradient_cancellation(net: MLP, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """How much of each layer's weight gradient survives the sum over examples, shape (L,).

    Entry l is ‖∂C/∂W^l‖ / ((1/m) Σ_i ‖δ^l_i‖ ‖a^{l−1}_i‖), with ∂C/∂W^l = (1/m) Σ_i
    δ^l_i (a^{l−1}_i)ᵀ, eq. (notation-grad) (Frobenius norm, no L2 term): 1 when the
    per-example terms point the same way (always for one example, since ‖δ aᵀ‖ = ‖δ‖‖a‖),
    near 0 when they cancel, and never above 1 (the triangle inequality). 0 for a layer
    whose terms δ^l_i (a^{l−1}_i)ᵀ are all exactly 0 (zero deltas, or a dead layer below).
    """
    X, Y = _checked_data(net, X, Y)
    deltas = net.gradients(X, Y).deltas
    activations = net.forward_pass(X).activations
    fractions = []
    for d, a in zip(deltas, activations[:-1], strict=True):
        total = np.linalg.norm(d.T @ a) / X.shape[0]
        separate = np.mean(np.hypot.reduce(d, axis=1) * np.hypot.reduce(a, axis=1))
        fractions.append(0.0 if separate == 0 else float(total / separate))
    return np.array(fractions)


def bound_factors(net: MLP) -> np.ndarray:
    """The factors (max f') ‖W^{l+1}‖₂ of eq. (vd-bound) for l = 1..L−1, shape (L−1,).

    ``‖W‖₂`` is the spectral norm (largest singular value) and ``max f'`` the largest
    derivative of the hidden activation (1/4 for sigmoid, 1 for tanh, ReLU and identity).
    Every per-example ratio of :func:`layer_ratios` is at most the matching factor.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    slope = net.hidden.max_derivative
    return np.array([slope * np.linalg.norm(W, 2) for W in net.weights[1:]])


@dataclass(frozen=True)
class DeltaProfile:
    """Per-layer delta norms at initialisation, over several seeds.

    Attributes
    ----------
    norms
        Shape (seeds, L): row s holds (1/m) Σ_i ‖δ^l_i‖ for l = 1..L with weights drawn
        from seed s.
    bounds
        Shape (seeds, L−1): the factors of eq. (vd-bound) of each network.
    """

    norms: np.ndarray
    bounds: np.ndarray

    @property
    def typical(self) -> np.ndarray:
        """The geometric mean over seeds of each layer's norm, shape (L,)."""
        return np.exp(np.mean(np.log(self.norms), axis=0))

    @property
    def relative(self) -> np.ndarray:
        """:attr:`typical` divided by its value at the output layer L."""
        typical = self.typical
        return typical / typical[-1]


def delta_profile(
    depth: int,
    *,
    activation: str = "sigmoid",
    init: str = "xavier",
    init_scale: float = 1.0,
    width: int = DEFAULT_WIDTH,
    seeds: Sequence[int] = (0, 1, 2),
    X: ArrayLike | None = None,
    Y: ArrayLike | None = None,
) -> DeltaProfile:
    """Delta norms of freshly initialised networks, one per seed (see :func:`deep_network`).

    ``X, Y`` default to :func:`probe_data`. Norms below 1e-300 (which only a
    pathological network reaches) are clipped there so that logarithms stay finite.
    """
    if X is None and Y is None:
        X, Y = probe_data()
    elif X is None or Y is None:
        raise ValueError("X and Y must be given together (or both left as None)")
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    norms: list[np.ndarray] = []
    bounds: list[np.ndarray] = []
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"seeds must hold integers, got {seed!r}")
        net = deep_network(depth, activation=activation, init=init, init_scale=init_scale,
                           width=width, n_inputs=np.shape(X)[1] if np.ndim(X) == 2 else 2,
                           seed=int(seed))
        norms.append(delta_norms(net, X, Y))
        bounds.append(bound_factors(net))
    return DeltaProfile(np.maximum(np.array(norms), 1e-300), np.array(bounds))


def layer_gain(profile: DeltaProfile, *, skip_top: int = 1) -> float:
    """The typical factor by which the delta norm grows per layer going *down*.

    Fits log ‖δ^l‖ = const − l · log g by least squares over the hidden layers
    l = 1..L−skip_top (the output layer's delta comes from the loss, not the delta rule)
    and returns g: below 1 the deltas vanish towards the input, above 1 they explode.
    The variance argument of eq. (vd-variance) predicts g ≈ √(n s² E[f'(z)²]).
    """
    if not isinstance(profile, DeltaProfile):
        raise TypeError(f"profile must be a DeltaProfile, got {type(profile).__name__}")
    skip_top = check_nonnegative_int("skip_top", skip_top)
    logs = np.log(profile.typical)
    used = logs[: len(logs) - skip_top]
    if used.size < 2:
        raise ValueError("the profile needs at least two layers after skipping the top ones")
    layers = np.arange(1, used.size + 1)
    slope = np.polyfit(layers, used, 1)[0]
    return float(np.exp(-slope))


def train_deep(
    depth: int,
    *,
    activation: str = "sigmoid",
    init: str = "xavier",
    init_scale: float = 1.0,
    width: int = DEFAULT_WIDTH,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = 20,
    seed: int = 0,
    X: ArrayLike | None = None,
    Y: ArrayLike | None = None,
) -> TrainingHistory:
    """Train :func:`deep_network` on (X, Y) (default :func:`probe_data`) by mini-batch
    gradient descent and return its :class:`~bpnotes.mlp.TrainingHistory`.

    The history holds the cost and the per-layer mean delta norms and weight-gradient
    norms before training and after every epoch (``record_norms=True``); ``diverged``
    reports a run that blew up, including one that blew up and got stuck (the rule of
    :mod:`bpnotes.descent`; its losses contain no NaN). The same ``seed`` draws the
    weights and shuffles the batches, so two runs with different activations see the
    same batches.
    """
    if X is None and Y is None:
        X, Y = probe_data()
    elif X is None or Y is None:
        raise ValueError("X and Y must be given together (or both left as None)")
    raw_X = cast(ArrayLike, X)  # np.shape and np.ndim accept any object
    net = deep_network(depth, activation=activation, init=init, init_scale=init_scale,
                       width=width, n_inputs=np.shape(raw_X)[1] if np.ndim(raw_X) == 2 else 2,
                       seed=seed)
    X, Y = _checked_data(net, cast(ArrayLike, X), cast(ArrayLike, Y))
    return net.train(X, Y, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed,
                     record_norms=True, epoch_cost="full")


#: The chapter's training comparison: label -> (activation, init, init_scale).
COMPARISON: dict[str, tuple[str, str, float]] = {
    "sigmoid, Xavier": ("sigmoid", "xavier", 1.0),
    "tanh, Xavier": ("tanh", "xavier", 1.0),
    "ReLU, He": ("relu", "he", 1.0),
}


def training_comparison(
    depth: int = 8,
    *,
    width: int = DEFAULT_WIDTH,
    lr: float = 0.02,
    epochs: int = 150,
    batch_size: int | None = 20,
    seed: int = 0,
) -> dict[str, TrainingHistory]:
    """Train one network per entry of :data:`COMPARISON` on the same data and batches.

    Returns a dict label -> :class:`~bpnotes.mlp.TrainingHistory` (see :func:`train_deep`).
    """
    return {
        label: train_deep(depth, activation=act, init=init, init_scale=scale, width=width,
                          lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
        for label, (act, init, scale) in COMPARISON.items()
    }


def profile_grid(
    depth: int,
    activations: Sequence[str],
    initialisations: Sequence[str],
    *,
    width: int = DEFAULT_WIDTH,
    seeds: Sequence[int] = (0, 1, 2),
) -> dict[str, dict[str, DeltaProfile]]:
    """:func:`delta_profile` for every activation and every named initialisation
    (keys of :data:`INITIALISATIONS`): ``grid[activation][label]``.

    ``activations`` and ``initialisations`` are non-empty lists of names (a single name
    must be given as a one-element list).
    """
    activations = check_choices("activations", activations, ACTIVATIONS)
    initialisations = check_choices("initialisations", initialisations, INITIALISATIONS)
    grid: dict[str, dict[str, DeltaProfile]] = {}
    for activation in activations:
        grid[activation] = {}
        for label in initialisations:
            scheme, scale = INITIALISATIONS[label]
            grid[activation][label] = delta_profile(depth, activation=activation, init=scheme,
                                                    init_scale=scale, width=width, seeds=seeds)
    return grid


def depth_sweep(
    depths: Sequence[int],
    activations: Sequence[str],
    initialisations: Sequence[str],
    *,
    width: int = DEFAULT_WIDTH,
    seeds: Sequence[int] = (0, 1, 2),
) -> dict[str, dict[str, np.ndarray]]:
    """The typical ratio ‖δ¹‖ / ‖δᴸ‖ at initialisation for every depth L in ``depths``:
    ``sweep[activation][label]`` has one entry per depth."""
    if isinstance(depths, str | bytes) or not isinstance(depths, Sequence) or len(depths) == 0:
        raise ValueError(f"depths must be a non-empty sequence of integers, got {depths!r}")
    activations = check_choices("activations", activations, ACTIVATIONS)
    initialisations = check_choices("initialisations", initialisations, INITIALISATIONS)
    sweep: dict[str, dict[str, list[float]]] = {}
    for depth in depths:
        grid = profile_grid(depth, activations, initialisations, width=width, seeds=seeds)
        for activation, by_label in grid.items():
            for label, profile in by_label.items():
                sweep.setdefault(activation, {}).setdefault(label, []).append(
                    float(profile.relative[0]))
    return {a: {k: np.array(v) for k, v in d.items()} for a, d in sweep.items()}
