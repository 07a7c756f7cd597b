"""Figures of the chapter "Vanishing (and exploding) deltas" and its explorer.

The static figures take results computed by :mod:`bpnotes.vanishing` (delta profiles and
training histories) and only draw them; the explorer's compute function asks
:mod:`bpnotes.vanishing` for one training run per frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import vanishing
from ..activations import ACTIVATIONS
from ..descent import has_diverged
from ..explorer import Control, Explorer
from ..mlp import TrainingHistory
from ..validation import check_choice
from .style import (
    COLORS,
    FONT,
    LINESTYLES,
    MARKERS,
    MIN_FONT,
    TEXT_WIDTH,
    finish_axes,
    floor_note,
    log_ticks,
    new_figure,
    series_styles,
)

__all__ = [
    "EXPLORER_EPOCHS",
    "DeepRun",
    "deep_run",
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
_WIDE = (TEXT_WIDTH, 3.2)


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
        ax.plot(z, f.derivative(z, f(z)), label=f"{_ACTIVATION_TITLES[name]}$'(z)$",
                markevery=40, markersize=4, **style)
    for level, text in ((0.25, "¼"), (1.0, "1")):
        ax.axhline(level, color="0.5", linewidth=0.8, linestyle=":")
        ax.annotate(text, (-6.0, level), xytext=(2, 3), textcoords="offset points",
                    fontsize=MIN_FONT, color="0.35")
    finish_axes(ax, xlabel="pre-activation $z$", ylabel="slope $f\\,'(z)$")
    ax.legend(fontsize=MIN_FONT, loc="center right")
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
        finish_axes(ax, title=_ACTIVATION_TITLES.get(activation, activation), xlabel="layer $l$")
    axes[0].set_ylabel(r"mean $\|\delta^l\|$ (log scale)", fontsize=FONT)
    # Under the panels, where it covers no curve.
    fig.legend(handles=axes[-1].get_lines(), loc="outside lower center", ncols=3,
               fontsize=MIN_FONT, frameon=False)
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
        finish_axes(ax, title=_ACTIVATION_TITLES.get(activation, activation), xlabel="depth $L$")
    axes[0].set_ylabel(r"$\|\delta^1\| / \|\delta^L\|$ (log scale)", fontsize=FONT)
    fig.legend(handles=[line for line in axes[-1].get_lines()
                        if not str(line.get_label()).startswith("_")],
               loc="outside lower center", ncols=3, fontsize=MIN_FONT, frameon=False)
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
        delta_norms = _recorded(history.delta_norms)
        right.semilogy(np.arange(delta_norms.shape[0]),
                       _positive(delta_norms[:, 0]), label=tag, markevery=every,
                       markersize=4, **style)
    # Drawn over the curves (the stuck sigmoid curve lies on it), dashed so that the
    # curve shows through; the label sits below the line, clear of the title.
    left.axhline(np.log(2.0), color="black", linewidth=1.1, linestyle=(0, (3, 3)), zorder=5)
    left.annotate("log 2: always answering ½", (1.0, np.log(2.0)),
                  xycoords=("axes fraction", "data"), xytext=(-4, -5),
                  textcoords="offset points", fontsize=MIN_FONT, color="0.25", ha="right",
                  va="top")
    finish_axes(left, title="training cost", xlabel="epoch", ylabel="cost C (log loss)")
    finish_axes(right, title="first hidden layer", xlabel="epoch",
                ylabel=r"mean $\|\delta^1\|$ (log scale)")
    fig.legend(handles=[line for line in left.get_lines()
                        if not str(line.get_label()).startswith("_")],
               loc="outside lower center", ncols=3, fontsize=MIN_FONT, frameon=False)
    return fig


def _recorded(norms: np.ndarray | None) -> np.ndarray:
    """Per-layer norms of a history trained with ``record_norms=True`` (as train_deep does)."""
    if norms is None:
        raise ValueError("histories must be trained with record_norms=True "
                         "(bpnotes.vanishing.train_deep does)")
    return norms


def plot_gradient_norms(
    histories: Mapping[str, TrainingHistory], layers: Sequence[int] | None = None
) -> Figure:
    """One panel per run: ‖∂C/∂W^l‖ against the epoch for a few layers l (log scale).

    ``layers`` are 1-based layer numbers (default: the first, a middle and the last two).
    """
    fig = new_figure(*_WIDE)
    axes = np.atleast_1d(fig.subplots(1, len(histories), sharey=True))
    for ax, (label, history) in zip(axes, histories.items(), strict=True):
        norms = _recorded(history.weight_gradient_norms)
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
    axes[0].set_ylabel(r"$\|\partial C/\partial W^l\|$ (log scale)", fontsize=FONT)
    fig.legend(handles=axes[-1].get_lines(), loc="outside lower center", ncols=4,
               fontsize=MIN_FONT, frameon=False)
    return fig


#: Fixed axes of the explorer. Values beyond them (a delta of exactly 0 from dead ReLU
#: units, or a run that blows up) are drawn at the edge, and the panel's title says so.
DELTA_RANGE = (1e-24, 1e6)
COST_RANGE = (1e-3, 1e3)
MAX_DEPTH = 20


@dataclass(frozen=True)
class DeepRun:
    """The vanishing-deltas explorer's data for one setting.

    ``start`` and ``end`` are the per-layer mean delta norms before and after training
    (clipped to :data:`DELTA_RANGE`), ``ratio`` is ‖δ¹‖/‖δᴸ‖ before training and ``losses``
    the recorded costs (clipped to :data:`COST_RANGE`). ``diverged`` is the rule of
    :mod:`bpnotes.descent`; ``blew_up_in`` is the epoch in which the cost left its bound or
    stopped being finite (None if it never did: a run can also diverge by blowing up and
    getting stuck), ``epochs_done`` the epochs recorded after the start. ``dead_layer`` is
    the highest hidden layer whose units all output exactly 0 for every example after
    training (a dead ReLU layer: no delta passes below it), or None.
    """

    depth: int
    activation: str
    initialisation: str
    lr: float
    start: np.ndarray
    end: np.ndarray | None
    ratio: float
    losses: np.ndarray
    deltas_zero: bool
    clipped_above: bool
    diverged: bool
    epochs_done: int
    blew_up_in: int | None = None
    dead_layer: int | None = None
    last_cost: float = float("nan")


def deep_run(depth: int, activation: str, initialisation: str, lr: float,
             progress: Callable[[float], None] | None = None) -> DeepRun:
    """One seeded run of :func:`bpnotes.vanishing.train_deep` on 100 moons examples,
    mini-batches of 25, :data:`EXPLORER_EPOCHS` epochs (``progress(fraction)`` after each
    epoch), reduced to what the explorer draws. A divergent run stops early."""
    check_choice("initialisation", initialisation, vanishing.INITIALISATIONS)
    scheme, scale = vanishing.INITIALISATIONS[initialisation]
    X, Y = vanishing.probe_data(EXPLORER_EXAMPLES)
    net = vanishing.deep_network(depth, activation=activation, init=scheme, init_scale=scale,
                                 seed=0)
    report = None if progress is None else (lambda epoch: progress(epoch / EXPLORER_EPOCHS))
    # The same call as train_deep makes (tested), with a progress report per epoch.
    history = net.train(X, Y, lr=lr, epochs=EXPLORER_EPOCHS, batch_size=EXPLORER_BATCH,
                        seed=0, record_norms=True, after_epoch=report, epoch_cost="full")
    norms = cast(np.ndarray, history.delta_norms)
    losses = history.losses
    done = norms.shape[0] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(norms[0, 0] / norms[0, -1])
    shown = norms[[0, -1]] if done > 0 else norms[[0]]
    blew_up_in = _blow_up_epoch(losses, history.diverged, EXPLORER_EPOCHS)
    with np.errstate(all="ignore"):      # a diverged run's weights may be huge
        hidden = net.forward_pass(X).activations[1:-1]
    dead = [k for k, a in enumerate(hidden, start=1) if np.all(a == 0)]
    return DeepRun(
        depth, activation, initialisation, float(lr), np.clip(norms[0], *DELTA_RANGE),
        np.clip(norms[-1], *DELTA_RANGE) if done > 0 else None, ratio,
        np.clip(losses, *COST_RANGE),
        bool(np.any(shown < DELTA_RANGE[0])),
        bool(np.any(shown > DELTA_RANGE[1]) or np.any(losses > COST_RANGE[1])),
        history.diverged, done, blew_up_in, max(dead) if dead else None, float(losses[-1]))


def _blow_up_epoch(losses: np.ndarray, diverged: bool, epochs: int) -> int | None:
    """The epoch in which a run's cost blew up, from its recorded costs (J₀ first).

    By the rule of :mod:`bpnotes.descent`, a run that stops records the first cost past
    the bound as its last value (that epoch blew up), or, when the cost or a parameter
    stopped being finite, does not record the epoch at all (the epoch after the last
    recorded one blew up). A run that completed its epochs and diverged by getting stuck
    has no such epoch: None, as for a run that did not diverge.
    """
    if not diverged:
        return None
    done = len(losses) - 1
    if has_diverged(float(losses[-1]), float(losses[0])):
        return done
    return done + 1 if done < epochs else None


def _status(run: DeepRun) -> str:
    """What became of the run, in a few words (the cost panel's title)."""
    if run.blew_up_in is not None:
        return f"diverged in epoch {run.blew_up_in}: stopped"
    if run.diverged:
        return f"blew up and got stuck: cost {run.last_cost:.3g}"
    if run.dead_layer is not None:
        return f"layer {run.dead_layer} died; cost {run.last_cost:.3f}"
    return f"cost after {run.epochs_done} epochs: {run.last_cost:.3f}"


def draw_deltas_explorer(fig: Figure) -> Callable[[DeepRun], None]:
    """Left: per-layer delta norms before and after training. Right: the loss curve.

    Both panels keep their axes for every setting: layers 1 to :data:`MAX_DEPTH`,
    norms over :data:`DELTA_RANGE` and costs over :data:`COST_RANGE` (log scales).
    """
    left, right = fig.subplots(1, 2)
    (start,) = left.semilogy([], [], color=COLORS[0], linestyle="-", marker="o", markersize=4,
                             label="at initialisation", animated=True)
    (end,) = left.semilogy([], [], color=COLORS[1], linestyle="--", marker="s", markersize=4,
                           label="after training", animated=True)
    left.set_xlim(0.5, MAX_DEPTH + 0.5)
    left.set_ylim(*DELTA_RANGE)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    log_ticks(left.yaxis, [10.0**k for k in range(-24, 7, 6)], powers=True)
    finish_axes(left, title=" ", xlabel="layer $l$", ylabel=r"mean $\|\delta^l\|$ (log scale)")
    (curve,) = right.semilogy([], [], color=COLORS[2], marker=".", animated=True)
    right.axhline(np.log(2.0), color="0.5", linewidth=0.8, linestyle=":")
    right.text(EXPLORER_EPOCHS, np.log(2.0) * 1.2, r"$\log 2$", ha="right", va="bottom",
               fontsize=MIN_FONT, color="0.35")
    right.set_xlim(-0.02 * EXPLORER_EPOCHS, 1.02 * EXPLORER_EPOCHS)
    right.set_ylim(*COST_RANGE)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    log_ticks(right.yaxis, [10.0**k for k in range(-3, 4)], powers=True)
    finish_axes(right, title=" ", xlabel="epoch", ylabel="cost $C$ (log scale)")
    fig.legend(handles=[start, end], loc="outside lower center", ncols=2, fontsize=MIN_FONT,
               frameon=False)
    heading = fig.suptitle(" ", fontsize=FONT)
    for text in (left.title, right.title, heading):
        text.set_animated(True)

    def update(run: DeepRun) -> None:
        layers = np.arange(1, run.depth + 1)
        start.set_data(layers, run.start)
        end.set_data(layers if run.end is not None else [],
                     run.end if run.end is not None else [])
        left.set_title(rf"at the start $\|\delta^1\| / \|\delta^L\|$ = {run.ratio:.1e}",
                       fontsize=FONT)
        curve.set_data(np.arange(len(run.losses)), run.losses)
        right.set_title(_status(run), fontsize=FONT)
        name = _ACTIVATION_TITLES.get(run.activation, run.activation)
        edge = (floor_note(DELTA_RANGE[0]) if run.deltas_zero else "") + (
            " (off-scale values at the top edge)" if run.clipped_above else "")
        heading.set_text(rf"depth {run.depth}, {name}, {run.initialisation}, "
                         rf"$\eta = {run.lr:g}${edge}")

    return update


def _alt(run: DeepRun) -> str:
    """The frame's alt text: the setting, then what the figure shows of its outcome."""
    name = _ACTIVATION_TITLES.get(run.activation, run.activation)
    setting = (f"Per-layer mean delta norms on a log scale before and after training, and the "
               f"training cost per epoch, for a depth-{run.depth} {name} network initialised "
               f"with {run.initialisation} and trained with learning rate {run.lr:g}. "
               f"Before training the first layer's deltas are {run.ratio:.1e} times the "
               f"output layer's. ")
    start = float(run.losses[0])
    if run.blew_up_in is not None:
        outcome = (f"The cost blew up in epoch {run.blew_up_in} and training stopped.")
    elif run.diverged:
        outcome = (f"The cost blew up and got stuck at {run.last_cost:.3g}, far above its "
                   f"start {start:.3f}.")
    elif run.dead_layer is not None:
        outcome = (f"After training every unit of layer {run.dead_layer} outputs 0 for "
                   f"every example (a dead layer): the deltas of that layer and of every layer "
                   f"below it are exactly 0, drawn at the bottom edge, and the cost goes from "
                   f"{start:.3f} to {run.last_cost:.3f}.")
    else:
        outcome = (f"In {run.epochs_done} epochs the cost goes from {start:.3f} to "
                   f"{run.last_cost:.3f}.")
    return setting + outcome


def deltas_explorer() -> Explorer:
    """Depth, activation, initialisation and learning rate -> delta norms and loss curve.

    The live grid offers depths 2..20, four activations, five initialisations and five
    learning rates; the static page pre-renders 3 × 2 × 2 × 2 = 24 of those frames (the
    chapter's static figures cover tanh and the small initialisation).
    """
    return Explorer(
        compute=deep_run,
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
        figsize=(7.0, 3.3),
    )
