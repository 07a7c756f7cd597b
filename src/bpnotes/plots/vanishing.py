"""Figures of the chapter "Vanishing (and exploding) deltas" and its explorer.

The static figures take results computed by :mod:`bpnotes.deltas` (delta profiles and
training histories) and only draw them; the explorer's drawing function asks
:mod:`bpnotes.deltas` for one training run per frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import vanishing
from ..activations import ACTIVATIONS
from ..explorer import Control, Explorer
from ..mlp import TrainingHistory
from ..validation import check_choice
from .style import COLORS, LINESTYLES, MARKERS, finish_axes, new_figure, series_styles

__all__ = [
    "EXPLORER_EPOCHS",
    "deltas_explorer",
    "draw_deltas_explorer",
    "plot_depth_sweep",
    "plot_gradient_norms",
    "plot_profiles",
    "plot_slopes",
    "plot_training_curves",
]

#: Epochs, batch size and data size of every explorer frame (kept small: each static
#: frame is one training run).
EXPLORER_EPOCHS = 60
EXPLORER_BATCH = 25
EXPLORER_EXAMPLES = 100

_ACTIVATION_TITLES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "identity": "identity"}

#: Size (inches) of the chapter's multi-panel figures: close to the width of the book's
#: text column, so that tick labels and legends are not shrunk to illegibility.
_WIDE = (8.0, 3.2)


def _positive(values: np.ndarray) -> np.ndarray:
    """Clip to the smallest positive float so a log axis never receives 0."""
    return np.maximum(np.asarray(values, dtype=np.float64), np.finfo(np.float64).tiny)


def plot_slopes() -> Figure:
    """f'(z) of sigmoid, tanh and ReLU on [−6, 6], with their maxima 1/4 and 1 marked.

    The slopes come from :mod:`bpnotes.activations`, the same code the network runs.
    """
    z = np.linspace(-6.0, 6.0, 481)
    fig = new_figure(7.0, 3.0)
    ax = fig.subplots()
    for style, name in zip(series_styles(), ("sigmoid", "tanh", "relu"), strict=False):
        f = ACTIVATIONS[name]
        ax.plot(z, f.derivative(z, f(z)), label=f"{_ACTIVATION_TITLES[name]}′(z)",
                markevery=40, markersize=4, **style)
    for level, text in ((0.25, "¼"), (1.0, "1")):
        ax.axhline(level, color="0.5", linewidth=0.8, linestyle=":")
        ax.annotate(text, (-6.0, level), xytext=(2, 3), textcoords="offset points",
                    fontsize=9, color="0.35")
    finish_axes(ax, xlabel="pre-activation z", ylabel="slope f′(z)")
    ax.legend(fontsize=8, loc="center right")
    return fig


def plot_profiles(profiles: Mapping[str, Mapping[str, vanishing.DeltaProfile]]) -> Figure:
    """One panel per activation: typical ‖δ^l‖ against the layer l, one line per initialisation.

    Parameters
    ----------
    profiles
        ``profiles[activation][init_label]`` is a :class:`~bpnotes.vanishing.DeltaProfile`.
    """
    fig = new_figure(*_WIDE)
    axes = fig.subplots(1, len(profiles), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (activation, by_init) in zip(axes, profiles.items(), strict=True):
        for style, (label, profile) in zip(series_styles(), by_init.items()):
            typical = profile.typical
            layers = np.arange(1, typical.size + 1)
            ax.semilogy(layers, _positive(typical), label=label, markersize=4, **style)
        finish_axes(ax, title=_ACTIVATION_TITLES.get(activation, activation), xlabel="layer l")
    axes[0].set_ylabel("mean ‖δˡ‖ (log scale)")
    axes[-1].legend(fontsize=8, loc="lower right")
    return fig


def plot_depth_sweep(
    depths: Sequence[int], first_layer: Mapping[str, Mapping[str, np.ndarray]]
) -> Figure:
    """One panel per activation: ‖δ¹‖ / ‖δᴸ‖ against the depth L, one line per initialisation.

    Parameters
    ----------
    depths
        The depths L on the horizontal axis.
    first_layer
        ``first_layer[activation][init_label]`` holds the ratio for every depth.
    """
    fig = new_figure(*_WIDE)
    axes = np.atleast_1d(fig.subplots(1, len(first_layer), sharey=True))
    for ax, (activation, by_init) in zip(axes, first_layer.items(), strict=True):
        for style, (label, ratios) in zip(series_styles(), by_init.items()):
            ax.semilogy(list(depths), _positive(ratios), label=label, markersize=4, **style)
        ax.axhline(1.0, color="0.5", linewidth=0.8)
        finish_axes(ax, title=_ACTIVATION_TITLES.get(activation, activation), xlabel="depth L")
    axes[0].set_ylabel("‖δ¹‖ / ‖δᴸ‖ (log scale)")
    axes[-1].legend(fontsize=8, loc="lower left")
    return fig


def plot_training_curves(histories: Mapping[str, TrainingHistory]) -> Figure:
    """Left: the training cost per epoch. Right: the first layer's mean delta norm."""
    fig = new_figure(*_WIDE)
    left, right = fig.subplots(1, 2)
    for style, (label, history) in zip(series_styles(), histories.items()):
        epochs = np.arange(history.losses.size)
        tag = f"{label} (diverged)" if history.diverged else label
        every = max(1, epochs.size // 10)
        left.plot(epochs, history.losses, label=tag, markevery=every, markersize=4, **style)
        right.semilogy(np.arange(history.delta_norms.shape[0]),
                       _positive(history.delta_norms[:, 0]), label=tag, markevery=every,
                       markersize=4, **style)
    left.axhline(np.log(2.0), color="0.5", linewidth=0.8, linestyle=":")
    left.annotate("log 2: always answering ½", (1.0, np.log(2.0)),
                  xycoords=("axes fraction", "data"), xytext=(-4, 4),
                  textcoords="offset points", fontsize=8, color="0.35", ha="right")
    finish_axes(left, title="training cost", xlabel="epoch", ylabel="cost C (log loss)")
    finish_axes(right, title="first hidden layer", xlabel="epoch", ylabel="mean ‖δ¹‖ (log scale)")
    left.legend(fontsize=8, loc="center right")
    return fig


def plot_gradient_norms(
    histories: Mapping[str, TrainingHistory], layers: Sequence[int] | None = None
) -> Figure:
    """One panel per run: ‖∂C/∂W^l‖ against the epoch for a few layers l (log scale).

    ``layers`` are 1-based layer numbers (default: the first, a middle and the last two).
    """
    fig = new_figure(*_WIDE)
    axes = np.atleast_1d(fig.subplots(1, len(histories), sharey=True))
    for ax, (label, history) in zip(axes, histories.items(), strict=True):
        norms = history.weight_gradient_norms
        depth = norms.shape[1]
        chosen = layers if layers is not None else sorted({1, max(1, depth // 2), depth - 1, depth})
        epochs = np.arange(norms.shape[0])
        every = max(1, epochs.size // 8)
        for k, layer in enumerate(chosen):
            ax.semilogy(epochs, _positive(norms[:, layer - 1]), label=f"layer {layer}",
                        color=COLORS[k % len(COLORS)], linestyle=LINESTYLES[k % len(LINESTYLES)],
                        marker=MARKERS[k % len(MARKERS)], markevery=every, markersize=4)
        title = f"{label} (diverged)" if history.diverged else label
        finish_axes(ax, title=title, xlabel="epoch")
    axes[0].set_ylabel("‖∂C/∂Wˡ‖ (log scale)")
    axes[-1].legend(fontsize=8, loc="lower right")
    return fig


def draw_deltas_explorer(
    fig: Figure, depth: int, activation: str, initialisation: str, lr: float
) -> None:
    """Left: per-layer delta norms before and after training. Right: the loss curve.

    One seeded run of :func:`bpnotes.vanishing.train_deep` on 100 moons examples, mini-batches
    of 25, :data:`EXPLORER_EPOCHS` epochs. A divergent run is stopped and said so in the
    title; only its finite part is drawn.
    """
    check_choice("initialisation", initialisation, vanishing.INITIALISATIONS)
    scheme, scale = vanishing.INITIALISATIONS[initialisation]
    X, Y = vanishing.probe_data(EXPLORER_EXAMPLES)
    history = vanishing.train_deep(depth, activation=activation, init=scheme, init_scale=scale,
                                lr=lr, epochs=EXPLORER_EPOCHS, batch_size=EXPLORER_BATCH,
                                X=X, Y=Y)
    left, right = fig.subplots(1, 2)
    layers = np.arange(1, depth + 1)
    start, end = history.delta_norms[0], history.delta_norms[-1]
    left.semilogy(layers, _positive(start), color=COLORS[0], linestyle="-", marker="o",
                  markersize=4, label="at initialisation")
    finished = history.delta_norms.shape[0] - 1
    if finished > 0:
        left.semilogy(layers, _positive(end), color=COLORS[1], linestyle="--", marker="s",
                      markersize=4, label=f"after {finished} epochs")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    ratio = start[0] / start[-1]
    finish_axes(left, title=f"‖δ¹‖/‖δᴸ‖ = {ratio:.1e} at initialisation",
                xlabel="layer l", ylabel="mean ‖δˡ‖ (log scale)")
    left.legend(fontsize=8)
    right.plot(np.arange(history.losses.size), history.losses, color=COLORS[2], marker=".",
               markevery=max(1, history.losses.size // 10))
    right.axhline(np.log(2.0), color="0.5", linewidth=0.8, linestyle=":")
    # The same epoch axis in every frame, so that a run that stops early looks short.
    right.set_xlim(-0.02 * EXPLORER_EPOCHS, 1.02 * EXPLORER_EPOCHS)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    ylabel = "cost C"
    if history.losses.max() > 100 * max(min(history.losses.min(), np.log(2.0)), 1e-3):
        # a blown-up cost would flatten everything else on a linear axis
        right.set_yscale("log")
        ylabel = "cost C (log scale)"
    status = (f"diverged in epoch {finished + 1}: stopped" if history.diverged
              else f"cost after {history.losses.size - 1} epochs: {history.losses[-1]:.3f}")
    finish_axes(right, title=status, xlabel="epoch", ylabel=ylabel)
    name = _ACTIVATION_TITLES.get(activation, activation)
    fig.suptitle(f"depth {depth}, {name}, {initialisation}, η = {lr:g}", fontsize=10)


def _alt(depth: int, activation: str, initialisation: str, lr: float) -> str:
    return (f"Per-layer mean delta norms on a log scale before and after training, and the "
            f"training cost per epoch, for a depth-{depth} "
            f"{_ACTIVATION_TITLES.get(activation, activation)} network initialised "
            f"with {initialisation} and trained with learning rate {lr:g}.")


def deltas_explorer() -> Explorer:
    """Depth, activation, initialisation and learning rate -> delta norms and loss curve.

    The live grid offers depths 2..20, four activations, five initialisations and five
    learning rates; the static page pre-renders 3 × 2 × 2 × 2 = 24 of those frames (the
    chapter's static figures cover tanh and the small initialisation).
    """
    return Explorer(
        draw=draw_deltas_explorer,
        controls=[
            Control("depth", [2, 3, 4, 5, 6, 8, 10, 12, 15, 20], label="depth L", default=10,
                    static_values=[4, 10, 20]),
            Control("activation", ["sigmoid", "tanh", "relu", "identity"], label="activation",
                    default="sigmoid", static_values=["sigmoid", "relu"],
                    fmt=_ACTIVATION_TITLES.__getitem__),
            Control("initialisation", list(vanishing.INITIALISATIONS), label="initialisation",
                    default="Xavier", static_values=["Xavier", "He"]),
            Control("lr", [0.01, 0.03, 0.1, 0.3, 1.0], label="learning rate η", default=0.1,
                    static_values=[0.1, 1.0], fmt="{:g}".format),
        ],
        alt=_alt,
        figsize=_WIDE,
    )
