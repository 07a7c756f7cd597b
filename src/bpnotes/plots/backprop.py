"""Figures of the backpropagation chapter and its MLP explorer.

The explorer trains a small MLP (two hidden layers) on the moons data set with the
package's :meth:`bpnotes.MLP.train` and shows the loss curve, the decision boundary and
the per-layer delta norms; the other figures draw training histories computed by
:func:`bpnotes.backprop.train_variants`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..backprop import NetworkState
from ..data import moons
from ..explorer import Control, Explorer
from ..mlp import MLP, TrainingHistory
from .style import COLORS, finish_axes, new_figure, series_styles

__all__ = [
    "draw_mlp_training",
    "final_cost_figure",
    "layer_delta_figure",
    "mlp_explorer",
    "training_curves_figure",
]

EXPLORER_EPOCHS = 150
EXPLORER_SEED = 0


@lru_cache(maxsize=64)
def _explorer_run(lr: float, width: int, activation: str) -> tuple[MLP, TrainingHistory]:
    X, t = _explorer_data()
    net = MLP([2, width, width, 1], hidden=activation, output="sigmoid", loss="log",
              seed=EXPLORER_SEED)
    history = net.train(X, t[:, None].astype(np.float64), lr=lr, epochs=EXPLORER_EPOCHS)
    return net, history


@lru_cache(maxsize=1)
def _explorer_data() -> tuple[np.ndarray, np.ndarray]:
    return moons(200, noise=0.2, seed=1)


def _boundary(ax: Axes, net: MLP, X: np.ndarray, t: np.ndarray) -> None:
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 80)
    ys = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 80)
    gx, gy = np.meshgrid(xs, ys)
    p = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
    cmap = ListedColormap(["#cfe3f1", "#f6d7c3"])
    ax.contourf(gx, gy, p > 0.5, levels=[-0.5, 0.5, 1.5], cmap=cmap)
    ax.contour(gx, gy, p, levels=[0.5], colors="0.25", linewidths=1.0)
    for label, marker, colour in ((0, "o", COLORS[0]), (1, "s", COLORS[1])):
        pts = X[t == label]
        ax.plot(pts[:, 0], pts[:, 1], marker, color=colour, markersize=3, linestyle="none",
                label=f"class {label}")


def draw_mlp_training(fig: Figure, lr: float, width: int, activation: str) -> None:
    """Train the explorer's network and draw: cost per epoch, decision boundary, and the
    mean delta norm (1/m) Σ_i ‖δ^l_i‖ of every layer per epoch (log scales)."""
    net, history = _explorer_run(float(lr), int(width), str(activation))
    X, t = _explorer_data()
    # A fixed layout instead of the explorer's constrained one: a third cheaper to render,
    # which matters for the pre-rendered static frames.
    fig.set_layout_engine("none")
    left, middle, right = fig.subplots(1, 3, gridspec_kw={
        "left": 0.085, "right": 0.99, "bottom": 0.14, "top": 0.9, "wspace": 0.36})
    epochs = np.arange(len(history.losses))
    left.semilogy(epochs, history.losses, color=COLORS[0])
    status = (f"diverged after {len(epochs) - 1} epochs" if history.diverged
              else f"cost {history.losses[-1]:.3f} after {len(epochs) - 1} epochs")
    finish_axes(left, title=status, xlabel="epoch", ylabel="cost C (log scale)")
    if history.diverged:
        middle.text(0.5, 0.5, "training diverged:\nno boundary to show", ha="center",
                    va="center", transform=middle.transAxes)
        middle.set_axis_off()
    else:
        _boundary(middle, net, X, t)
        accuracy = float(np.mean(net.predict(X) == t))
        finish_axes(middle, title=f"training accuracy {accuracy:.0%}", xlabel="x₁", ylabel="x₂")
    styles = series_styles()
    floor = 1e-12  # dead units give deltas of exactly 0, which a log axis cannot show
    title = r"mean $\|\delta^l\|$ per layer"
    if np.any(history.delta_norms < floor):
        title = r"mean $\|\delta^l\|$ (0 shown as $10^{-12}$)"
    for layer in range(history.delta_norms.shape[1]):
        norms = np.maximum(history.delta_norms[:, layer], floor)
        style = next(styles)
        right.semilogy(np.arange(len(norms)), norms, color=style["color"],
                       linestyle=style["linestyle"], label=f"layer {layer + 1}")
    right.legend(fontsize=7)
    finish_axes(right, title=title, xlabel="epoch", ylabel="log scale")


def mlp_explorer() -> Explorer:
    """Learning rate, hidden width and activation → loss curve, boundary, delta norms.

    A 2-w-w-1 network on 200 "moons" points, full-batch descent for 150 epochs. The
    static site pre-renders 3 × 2 × 3 = 18 frames; the live notebook offers more values.
    """
    return Explorer(
        draw=draw_mlp_training,
        controls=[
            Control("lr", [0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0], label="learning rate η",
                    default=1.0, static_values=[0.1, 1.0, 10.0], fmt="{:g}".format),
            Control("width", [2, 3, 4, 8, 16], label="hidden width", default=8,
                    static_values=[2, 8]),
            Control("activation", ["sigmoid", "tanh", "relu"], label="hidden activation",
                    default="tanh"),
        ],
        alt=lambda lr, width, activation: (
            f"Training a 2-{width}-{width}-1 {activation} network on the moons data with "
            f"learning rate {lr:g}: the cost per epoch, the decision boundary over the two "
            "classes, and the mean delta norm of each layer per epoch."
        ),
        figsize=(11.0, 3.5),
    )


def training_curves_figure(histories: Mapping[str, TrainingHistory], title: str = "",
                           x_label: str = "epoch") -> Figure:
    """Cost per epoch of several training runs on one log-scaled axis."""
    if not histories:
        raise ValueError("histories must not be empty")
    fig = new_figure(7.0, 3.4)
    ax = fig.subplots()
    for (label, h), style in zip(histories.items(), series_styles(), strict=False):
        if not isinstance(h, TrainingHistory):
            raise TypeError(f"histories[{label!r}] must be a TrainingHistory")
        suffix = " (diverged)" if h.diverged else ""
        ax.semilogy(np.arange(len(h.losses)), h.losses, color=style["color"],
                    linestyle=style["linestyle"], marker=style["marker"], markevery=0.1,
                    markersize=4, label=f"{label}{suffix}")
    ax.legend(fontsize=8)
    finish_axes(ax, title=title, xlabel=x_label, ylabel="cost C (log scale)")
    return fig


def final_cost_figure(final_costs: Mapping[str, Sequence[float]], title: str = "") -> Figure:
    """The final cost of every seeded run, one column of points per setting."""
    if not final_costs:
        raise ValueError("final_costs must not be empty")
    fig = new_figure(6.0, 3.2)
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    for i, ((_label, run_costs), style) in enumerate(zip(final_costs.items(), series_styles(),
                                                        strict=False)):
        costs = np.asarray(run_costs, dtype=np.float64)
        jitter = i + rng.uniform(-0.12, 0.12, costs.size)
        ax.semilogy(jitter, costs, style["marker"], color=style["color"], linestyle="none",
                    markersize=6, alpha=0.8)
    ax.set_xticks(range(len(final_costs)), list(final_costs))
    finish_axes(ax, title=title, ylabel="final cost (log scale)")
    return fig


def layer_delta_figure(state: NetworkState) -> Figure:
    """|δ| of every neuron, grouped by layer, on a log scale: how deltas shrink downward."""
    if not isinstance(state, NetworkState):
        raise TypeError(f"state must be a NetworkState, got {type(state).__name__}")
    fig = new_figure(6.0, 3.0)
    ax = fig.subplots()
    position, ticks, labels = 0, [], []
    for layer, (delta, style) in enumerate(zip(state.deltas, series_styles(), strict=False),
                                           start=1):
        xs = position + np.arange(delta.size)
        ax.bar(xs, np.maximum(np.abs(delta), 1e-300), color=style["color"],
               hatch=["", "//", ".."][layer % 3], edgecolor="0.2", label=f"layer {layer}")
        ticks += list(xs)
        labels += [f"{j + 1}" for j in range(delta.size)]
        position += delta.size + 1
    ax.set_yscale("log")
    ax.set_xticks(ticks, labels)
    ax.legend(fontsize=8)
    finish_axes(ax, title="|δ| of each neuron", xlabel="neuron within its layer",
                ylabel="|δ| (log scale)")
    return fig
