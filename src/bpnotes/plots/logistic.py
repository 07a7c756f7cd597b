"""Figures of the logistic and softmax regression chapter, and its two explorers.

Everything is drawn from models fitted by :mod:`bpnotes.logistic` and
:mod:`bpnotes.softmax`; nothing here differentiates. The running examples are
:func:`bpnotes.logistic.binary_data` (two overlapping clouds),
:func:`bpnotes.logistic.separable_data` (two clouds with a gap) and
:func:`bpnotes.softmax.three_class_data`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import contourpy
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure

from .. import logistic, softmax
from ..activations import sigmoid
from ..explorer import Control, Explorer
from ..mlp import MLP
from .style import (
    COLORS,
    FONT,
    LINE_COLORS,
    LINESTYLES,
    MARKERS,
    MIN_FONT,
    TEXT_WIDTH,
    TINTS,
    finish_axes,
    log_ticks,
    new_figure,
)

__all__ = [
    "BEHAVIOURS",
    "EXPLORER_EPOCHS",
    "LogisticRun",
    "SoftmaxRun",
    "draw_logistic_training",
    "draw_softmax_training",
    "logistic_explorer",
    "logistic_run",
    "plot_boundary_evolution",
    "plot_loss_curves",
    "plot_probability_surface",
    "plot_saturation",
    "plot_separable_growth",
    "plot_sigmoid",
    "run_behaviour",
    "saturation_run",
    "softmax_explorer",
    "softmax_run",
]

EXPLORER_EPOCHS = 200
FLOOR = 1e-12  # the smallest excess cost drawn on a log scale
_LIGHT = ("#BFD9EC", "#F2CDB3", "#B3E2D5")  # light tints of the first three palette colours


# ----------------------------------------------------------------- helpers
def _limits(X: np.ndarray, pad: float = 0.6) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _grid(X: np.ndarray, size: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = _limits(X)
    g1, g2 = np.meshgrid(np.linspace(x0, x1, size), np.linspace(y0, y1, size))
    return g1, g2, np.column_stack([g1.ravel(), g2.ravel()])


def _scatter(ax: Axes, X: np.ndarray, labels: np.ndarray) -> None:
    for c in np.unique(labels):
        rows = labels == c
        ax.scatter(X[rows, 0], X[rows, 1], s=22, color=COLORS[int(c)], marker=MARKERS[int(c)],
                   edgecolors="white", linewidths=0.5, label=f"class {int(c)}", zorder=3)
    (x0, x1), (y0, y1) = _limits(X)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _boundary(ax: Axes, w: np.ndarray, b: float, X: np.ndarray, **style) -> None:
    """Draw the line w·x + b = 0 across the data window (nothing when w = 0)."""
    (x0, x1), (y0, y1) = _limits(X)
    if np.allclose(w, 0.0):
        return
    if abs(w[1]) >= abs(w[0]):
        xs = np.array([x0, x1])
        ax.plot(xs, -(w[0] * xs + b) / w[1], **style)
    else:
        ys = np.array([y0, y1])
        ax.plot(-(w[1] * ys + b) / w[0], ys, **style)


def _label_positions(lines: QuadContourSet, X: np.ndarray) -> list[tuple[float, float]]:
    """Where each contour line's label goes: on the middle 70 % of the line (by length), so
    that a line crossing only a corner of the axes is labelled in full and not at its cut
    end, at the point furthest from the data points, so that no marker covers the label."""
    positions = []
    for segments in lines.allsegs:
        for segment in segments:
            if len(segment) < 2:
                continue
            lengths = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(segment, axis=0).T))])
            inner = segment[(0.15 * lengths[-1] <= lengths) & (lengths <= 0.85 * lengths[-1])]
            if len(inner) == 0:
                inner = segment[[len(segment) // 2]]
            clearance = np.linalg.norm(inner[:, None, :] - X[None, :, :], axis=2).min(axis=1)
            best = inner[int(np.argmax(clearance))]
            positions.append((float(best[0]), float(best[1])))
    return positions


def _histories(result: logistic.LogisticFit) -> tuple[np.ndarray, np.ndarray]:
    """The weights and biases after every epoch, from the fit's ``path`` (rows (w, b))."""
    return result.path[:, :-1], result.path[:, -1]


def _minimum(X: np.ndarray, t: np.ndarray) -> float:
    """The minimal cost, from a long full-batch run at the guaranteed-safe rate 1.9/L."""
    lr = 1.9 / logistic.smoothness(X)
    return float(logistic.fit(X, t, lr=lr, epochs=20_000).losses[-1])


@lru_cache(maxsize=1)
def _binary_minimum() -> float:
    """J_min of :func:`bpnotes.logistic.binary_data`: on these data η = 3 (beyond the
    guarantee 2/L ≈ 0.7) converges, and 4000 epochs reach the minimum to ~1e-13 (tested
    against scikit-learn)."""
    X, t = logistic.binary_data()
    return float(logistic.fit(X, t, lr=3.0, epochs=4000).losses[-1])


#: How an explorer run ends (:func:`run_behaviour`), and the words its alt text uses for it.
BEHAVIOURS = {
    "falls": "falling to the end",
    "cycle": "ending in a cycle between two values",
    "jumps": "still jumping up and down at the end",
    "diverged": "until training diverged and was stopped",
}


def run_behaviour(losses: np.ndarray, diverged: bool, tail: int = 20) -> str:
    """How a run ends, judged on its last ``tail`` costs: "diverged"; "falls" (they never
    rise); "cycle" (they alternate between two values, to 1e-6 relative); or "jumps"
    (anything else). A jumping run at a large rate is chaotic: its last cost changes
    completely with the rounding of a sum, so no value of it is worth printing."""
    if diverged:
        return "diverged"
    last = np.asarray(losses[-tail:], dtype=float)
    if np.all(np.diff(last) <= 0):
        return "falls"
    if len(last) > 2 and np.allclose(last[2:], last[:-2], rtol=1e-6, atol=0.0):
        return "cycle"
    return "jumps"


def _status(losses: np.ndarray, behaviour: str, epochs: int) -> str:
    """The title over an explorer's cost panel: a cost only where it is reproducible."""
    if behaviour == "diverged":
        return f"diverged after {len(losses) - 1} epochs: stopped"
    if behaviour == "cycle":
        low, high = sorted(losses[-2:])
        return f"$J$ cycles between {low:.4f} and {high:.4f}"
    if behaviour == "jumps":
        return f"$J$ still jumping after {epochs} epochs"
    return f"$J$ after {epochs} epochs = {losses[-1]:.4f}"


# ----------------------------------------------------------------- static figures
def plot_sigmoid(limit: float = 7.0) -> Figure:
    """σ(z) and its derivative σ'(z) = σ(z)(1 − σ(z)), whose maximum is 1/4 at z = 0,
    for −limit ≤ z ≤ limit."""
    z = np.linspace(-limit, limit, 300)
    s = sigmoid(z)
    fig = new_figure(7.0, 3.0)
    ax = fig.subplots()
    ax.plot(z, s, color=COLORS[0], linestyle=LINESTYLES[0], label=r"$\sigma(z)$")
    ax.plot(z, s * (1 - s), color=COLORS[1], linestyle=LINESTYLES[1],
            label=r"$\sigma'(z) = \sigma(1 - \sigma)$")
    ax.axhline(0.5, color="0.6", linewidth=0.8, linestyle=":")
    ax.plot([0], [0.25], marker="o", color=COLORS[1], linestyle="none")
    ax.annotate("max 1/4 at $z = 0$", (0, 0.25), xytext=(1.0, 0.3), fontsize=MIN_FONT)
    finish_axes(ax, title="the logistic sigmoid and its slope", xlabel="score $z$",
                ylabel="value")
    ax.legend(fontsize=MIN_FONT, loc="center right")
    return fig


def saturation_run(loss: str, w0: float, b0: float, lr: float,
                   epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """One sigmoid neuron y = σ(w x + b) trained on the single example x = 1, t = 1 by
    full-batch gradient descent from (w0, b0), with ``loss`` "squared" (½(y − t)²) or
    "log" (the cross-entropy). Returns the cost and the output y before training and
    after every epoch, two arrays of ``epochs + 1`` values."""
    X, T = np.ones((1, 1)), np.ones((1, 1))
    neuron = MLP([1, 1], output="sigmoid", loss=loss)
    neuron.weights[0][...] = w0
    neuron.biases[0][...] = b0
    outputs: list[float] = []
    history = neuron.train(X, T, lr=lr, epochs=epochs, epoch_cost="full",
                           after_epoch=lambda _: outputs.append(float(neuron.forward(X)[0, 0])))
    return history.losses, np.array(outputs)


def plot_saturation(w0: float = -4.0, b0: float = -4.0, lr: float = 1.0, epochs: int = 2000,
                    *, runs: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> Figure:
    """The slowdown of a saturated sigmoid: :func:`saturation_run` with the squared error
    and with the cross-entropy. Left: each run's cost; right: the output y.

    ``runs`` may pass the two runs already computed with these settings, keyed "squared"
    and "log" (as :func:`saturation_run` returns them), so that a page that asserts on
    them does not train twice."""
    names = {"squared": r"squared error $\frac{1}{2}(y - t)^2$", "log": r"cross-entropy $-\log y$"}
    if runs is None:
        runs = {loss: saturation_run(loss, w0, b0, lr, epochs) for loss in names}
    elif set(runs) != set(names) or any(len(v) != epochs + 1 for run in runs.values() for v in run):
        raise ValueError(f"runs must map 'squared' and 'log' to (costs, outputs) of {epochs + 1} "
                         "values each, as saturation_run returns them")
    fig = new_figure(TEXT_WIDTH, 3.4)
    left, right = fig.subplots(1, 2)
    steps = np.arange(epochs + 1)
    for k, (loss, name) in enumerate(names.items()):
        costs, outputs = runs[loss]
        style = {"color": COLORS[k], "linestyle": LINESTYLES[k], "label": name}
        left.semilogy(steps, costs, **style)
        right.plot(steps, outputs, **style)
    for ax in (left, right):
        ax.set_xscale("symlog", linthresh=1.0)
    finish_axes(left, title="each run's own cost", xlabel="epoch (log scale past 1)",
                ylabel="cost (log scale)")
    right.axhline(0.5, color="0.6", linewidth=0.8, linestyle=":")
    right.set_ylim(0, 1)
    finish_axes(right, title=r"output $y$ for the target $t = 1$",
                xlabel="epoch (log scale past 1)", ylabel="$y$")
    fig.legend(handles=right.get_lines()[:2], loc="outside lower center", ncols=2,
               fontsize=MIN_FONT, frameon=False)
    return fig


def plot_boundary_evolution(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    lr: float = 0.1,
    snapshots: Sequence[int] = (1, 3, 10, 30, 100, 1000),
) -> Figure:
    """The decision boundary w·x + b = 0 after several epochs, and the loss curve."""
    if X is None or t is None:
        X, t = logistic.binary_data()
    epochs = max(snapshots)
    result = logistic.fit(X, t, lr=lr, epochs=epochs)
    w_history, b_history = _histories(result)
    fig = new_figure(TEXT_WIDTH, 3.8)
    left, right = fig.subplots(1, 2)
    _scatter(left, X, t)
    for k, epoch in enumerate(snapshots):
        _boundary(left, w_history[epoch], float(b_history[epoch]), X,
                  color=LINE_COLORS[k % 6], linestyle=LINESTYLES[k % 7], linewidth=1.6,
                  label=f"epoch {epoch}")
    finish_axes(left, title="decision boundary during training", xlabel="$x_1$",
                ylabel="$x_2$")
    # Under the panels, where it covers no data.
    fig.legend(handles=[*left.collections, *left.get_lines()], loc="outside lower center",
               ncols=4, fontsize=MIN_FONT, frameon=False, markerscale=1.3)
    right.plot(np.arange(epochs + 1), result.losses, color=COLORS[0])
    for k, epoch in enumerate(snapshots):
        right.plot([epoch], [result.losses[epoch]], marker=MARKERS[k % 7],
                   color=LINE_COLORS[k % 6], linestyle="none")
    right.set_xscale("symlog", linthresh=1.0)
    finish_axes(right, title=rf"full batch, $\eta = {lr:g}$", xlabel="epoch (log scale past 1)",
                ylabel="cost $J(w, b)$")
    return fig


def plot_probability_surface(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    lr: float = 0.5,
    epochs: Sequence[int] = (3, 300),
) -> Figure:
    """P(t = 1 | x) over the plane after a few and after many epochs, with contours."""
    if X is None or t is None:
        X, t = logistic.binary_data()
    result = logistic.fit(X, t, lr=lr, epochs=max(epochs))
    w_history, b_history = _histories(result)
    g1, g2, points = _grid(X)
    fig = new_figure(TEXT_WIDTH, 3.8)
    axes = fig.subplots(1, len(epochs))
    image = None
    for ax, epoch in zip(np.atleast_1d(axes), epochs, strict=True):
        w, b = w_history[epoch], float(b_history[epoch])
        p = sigmoid(points @ w + b).reshape(g1.shape)
        image = ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap="Greys", alpha=0.6)
        lines = ax.contour(g1, g2, p, levels=[0.1, 0.5, 0.9], colors="k",
                           linestyles=[":", "-", "--"], linewidths=1)
        ax.clabel(lines, fmt="%.1f", fontsize=MIN_FONT, manual=_label_positions(lines, X))
        _scatter(ax, X, t)
        finish_axes(ax, title=rf"after {epoch} epochs: $\|w\|$ = {np.linalg.norm(w):.2f}",
                    xlabel="$x_1$", ylabel="$x_2$")
    # max(epochs) above fails on no epochs, so the loop drew at least one image
    fig.colorbar(cast(QuadContourSet, image), ax=axes, label=r"$P(t = 1 \mid x)$")
    return fig


def plot_loss_curves(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    fractions: Sequence[float] = (0.1, 0.5, 1.0, 4.0, 40.0),
    epochs: int = 100,
    *,
    batch_lr: float = 0.5,
    batch_epochs: int = 30,
    mini_batch: int = 10,
    seed: int = 0,
) -> Figure:
    """Left: full-batch loss curves at multiples of 2/L. Right: full batch, mini-batches of
    ``mini_batch`` and per-example updates at ``batch_lr`` for ``batch_epochs`` epochs."""
    if X is None or t is None:
        X, t = logistic.binary_data()
        J_min = _binary_minimum()
    else:
        J_min = _minimum(X, t)
    safe = 2.0 / logistic.smoothness(X)
    fig = new_figure(TEXT_WIDTH, 3.6)
    left, right = fig.subplots(1, 2)
    for k, fraction in enumerate(fractions):
        result = logistic.fit(X, t, lr=fraction * safe, epochs=epochs)
        left.semilogy(np.maximum(result.losses - J_min, FLOOR), color=COLORS[k % 7],
                      linestyle=LINESTYLES[k % 7], marker=MARKERS[k % 7], markevery=10,
                      markersize=4, label=rf"$\eta = {fraction:g} \cdot 2/L$")
    finish_axes(left, title=f"full batch; $2/L$ = {safe:.2f}", xlabel="epoch",
                ylabel=r"$J - J_{\min}$ (log scale)")
    # Under the panels, where they cover no curve.
    fig.legend(handles=left.get_lines(), loc="outside lower left", ncols=2, fontsize=MIN_FONT,
               frameon=False)
    modes = {"full batch": None, f"mini-batches of {mini_batch}": mini_batch, "per example": 1}
    for k, (label, size) in enumerate(modes.items()):
        result = logistic.fit(X, t, lr=batch_lr, epochs=batch_epochs, batch_size=size, seed=seed)
        right.semilogy(np.maximum(result.losses - J_min, FLOOR), color=COLORS[k],
                       linestyle=LINESTYLES[k], marker=MARKERS[k], markevery=3, markersize=4,
                       label=label)
    finish_axes(right, title=rf"batch modes, $\eta = {batch_lr:g}$, seed {seed}",
                xlabel="epoch", ylabel=r"$J - J_{\min}$ (log scale)")
    fig.legend(handles=right.get_lines(), loc="outside lower right", fontsize=MIN_FONT,
               frameon=False)
    return fig


def plot_separable_growth(
    epochs: int = 10_000,
    lr: float = 5.0,
    max_margin: np.ndarray | None = None,
    *,
    fits: tuple[logistic.LogisticFit, logistic.LogisticFit] | None = None,
) -> Figure:
    """On separable data ‖(w, b)‖ grows without bound while J → 0; on overlapping data both
    settle. ``max_margin``, the direction (w, b) of the max-margin separator of the inputs
    (x, 1), adds its boundary (left) and a line of slope ‖max_margin‖ per unit of
    log(epoch) through the last point (middle), the growth that theory predicts.

    ``fits`` may pass the two runs already computed with these settings (on
    :func:`bpnotes.logistic.separable_data`, then :func:`bpnotes.logistic.binary_data`),
    so that a page that asserts on them does not train twice."""
    Xs, ts = logistic.separable_data()
    Xo, to = logistic.binary_data()
    if fits is None:
        fits = (logistic.fit(Xs, ts, lr=lr, epochs=epochs),
                logistic.fit(Xo, to, lr=lr, epochs=epochs))
    elif len(fits) != 2 or any(len(fit.path) != epochs + 1 for fit in fits):
        raise ValueError(f"fits must be the separable and the overlapping run of {epochs} epochs")
    sep, over = fits
    sep_w_history, sep_b_history = _histories(sep)
    fig = new_figure(TEXT_WIDTH, 3.4)
    left, middle, right = fig.subplots(1, 3)
    _scatter(left, Xs, ts)
    for k, epoch in enumerate(e for e in (1, 10, 100, 1000, epochs) if e <= epochs):
        _boundary(left, sep_w_history[epoch], float(sep_b_history[epoch]), Xs,
                  color=LINE_COLORS[k % 6], linestyle=LINESTYLES[k % 7], linewidth=1.4,
                  label=f"epoch {epoch}")
    if max_margin is not None:
        _boundary(left, max_margin[:-1], float(max_margin[-1]), Xs, color=LINE_COLORS[4],
                  linestyle=(0, (1, 1)), linewidth=2.2, label="max margin of $(x, 1)$")
    finish_axes(left, title="separable data", xlabel="$x_1$", ylabel="$x_2$")
    # Under the panels, where they cover no data.
    fig.legend(handles=left.get_lines(), loc="outside lower left", ncols=3, fontsize=MIN_FONT,
               frameon=False)
    steps = np.arange(1, epochs + 1)
    for k, (name, result) in enumerate((("separable", sep), ("overlapping", over))):
        middle.semilogx(steps, np.linalg.norm(result.path[1:], axis=1), color=COLORS[k],
                        linestyle=LINESTYLES[k], label=name)
        right.loglog(steps, result.losses[1:], color=COLORS[k], linestyle=LINESTYLES[k],
                     label=name)
    if max_margin is not None:
        end = float(np.linalg.norm(sep.path[-1]))
        slope = float(np.linalg.norm(max_margin))
        middle.semilogx(steps, end + slope * np.log(steps / epochs), color="0.45",
                        linestyle=":", linewidth=1.2, label="slope of theory")
        middle.set_ylim(bottom=0)
    finish_axes(middle, title=r"$\|(w, b)\|$ grows like log epochs", xlabel="epoch",
                ylabel=r"$\|(w, b)\|$")
    finish_axes(right, title=r"$J \to 0$ only when separable", xlabel="epoch",
                ylabel="$J$ (log scale)")
    fig.legend(handles=right.get_lines(), loc="outside lower right", fontsize=MIN_FONT,
               frameon=False)
    return fig


# ----------------------------------------------------------------- explorers
#: Fixed axes of the explorers' loss panels (every rate's run lies inside them; tested).
LOGISTIC_EXCESS_RANGE = (1e-3, 1e3)
SOFTMAX_COST_RANGE = (0.1, 100.0)


def _boundary_ends(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """The two ends of the line w·x + b = 0 across the data window, shape (2, 2)
    (empty, shape (0, 2), when w = 0 and there is no line)."""
    (x0, x1), (y0, y1) = _limits(X)
    if np.allclose(w, 0.0):
        return np.empty((0, 2))
    if abs(w[1]) >= abs(w[0]):
        xs = np.array([x0, x1])
        return np.column_stack([xs, -(w[0] * xs + b) / w[1]])
    ys = np.array([y0, y1])
    return np.column_stack([-(w[1] * ys + b) / w[0], ys])


@dataclass(frozen=True)
class LogisticRun:
    """The logistic explorer's data for one learning rate."""

    lr: float
    safe: float
    excess: np.ndarray
    faint: list[np.ndarray]
    final: np.ndarray
    last: int
    status: str
    behaviour: str


def logistic_run(lr: float, epochs: int = EXPLORER_EPOCHS) -> LogisticRun:
    """Train on :func:`bpnotes.logistic.binary_data` and keep what the explorer draws:
    the boundary every twentieth epoch and at the end, and J − J_min per epoch."""
    X, t = logistic.binary_data()
    result = logistic.fit(X, t, lr=lr, epochs=epochs)
    path = result.path
    last = len(path) - 1
    faint = [_boundary_ends(path[e, :-1], float(path[e, -1]), X) for e in range(20, last, 20)]
    excess = np.clip(result.losses - _binary_minimum(), *LOGISTIC_EXCESS_RANGE)
    behaviour = run_behaviour(result.losses, result.diverged)
    return LogisticRun(float(lr), 2.0 / logistic.smoothness(X), excess,
                       [f for f in faint if len(f)],
                       _boundary_ends(path[last, :-1], float(path[last, -1]), X), last,
                       _status(result.losses, behaviour, epochs), behaviour)


def draw_logistic_training(fig: Figure) -> Callable[[LogisticRun], None]:
    """Left: the data, the boundary every twentieth epoch (faint) and at the end.
    Right: the excess cost J − J_min per epoch on a log scale (the same axes for every rate).
    """
    X, t = logistic.binary_data()
    left, right = fig.subplots(1, 2)
    _scatter(left, X, t)
    faint = LineCollection([], colors="0.55", linewidths=0.8, linestyles=":", animated=True)
    left.add_collection(faint, autolim=False)
    (final,) = left.plot([], [], color=LINE_COLORS[0], linewidth=2.0, animated=True,
                         label=f"boundary, epoch {EXPLORER_EPOCHS}")
    finish_axes(left, title=" ", xlabel="$x_1$", ylabel="$x_2$")
    fig.legend(handles=[*left.collections[:2], final], loc="outside lower center", ncols=3,
               fontsize=MIN_FONT, frameon=False, markerscale=1.5)
    (curve,) = right.semilogy([], [], color=COLORS[0], marker="o", markersize=2, animated=True)
    right.set_xlim(0, EXPLORER_EPOCHS)
    right.set_ylim(*LOGISTIC_EXCESS_RANGE)
    log_ticks(right.yaxis, [10.0**k for k in range(-3, 4)], powers=True)
    finish_axes(right, title=" ", xlabel="epoch", ylabel=r"$J - J_{\min}$ (log scale)")
    left.title.set_animated(True)
    right.title.set_animated(True)

    def update(run: LogisticRun) -> None:
        faint.set_segments(run.faint)
        final.set_data(run.final[:, 0], run.final[:, 1])
        final.set_label(f"boundary, epoch {run.last}")
        left.set_title(rf"$\eta = {run.lr:g}$ ({run.lr / run.safe:.2g} × $2/L$)", fontsize=FONT)
        curve.set_data(np.arange(len(run.excess)), run.excess)
        right.set_title(run.status, fontsize=FONT)

    return update


@dataclass(frozen=True)
class SoftmaxRun:
    """The softmax explorer's data for one learning rate."""

    lr: float
    regions: np.ndarray | None
    edges: list[np.ndarray]
    accuracy: float | None
    losses: np.ndarray
    status: str
    behaviour: str


_SOFTMAX_GRID = 140


def softmax_run(lr: float, epochs: int = EXPLORER_EPOCHS) -> SoftmaxRun:
    """Train on :func:`bpnotes.softmax.three_class_data`; keep the predicted class on a
    grid over the data window (none if training diverged) and the cost per epoch."""
    X, y = softmax.three_class_data()
    result = softmax.fit(X, y, lr=lr, epochs=epochs)
    regions, edges, accuracy = None, [], None
    if not result.diverged:
        g1, g2, points = _grid(X, size=_SOFTMAX_GRID)
        scores = points @ result.W.T + result.b
        regions = np.argmax(scores, axis=1).reshape(g1.shape)
        edges = _region_edges(g1[0], g2[:, 0], scores.reshape(*g1.shape, -1))
        accuracy = float(np.mean(result.predict(X) == y))
    behaviour = run_behaviour(result.losses, result.diverged)
    return SoftmaxRun(float(lr), regions, edges, accuracy,
                      np.clip(result.losses, *SOFTMAX_COST_RANGE),
                      _status(result.losses, behaviour, epochs), behaviour)


def _region_edges(xs: np.ndarray, ys: np.ndarray, scores: np.ndarray) -> list[np.ndarray]:
    """The borders between decision regions: for each pair of classes (i, j), the line
    s_i = s_j where those two scores are the largest (``scores`` has shape (ny, nx, k))."""
    lines: list[np.ndarray] = []
    k = scores.shape[-1]
    for i in range(k):
        for j in range(i + 1, k):
            others = np.delete(scores, [i, j], axis=-1)
            top = np.maximum(scores[..., i], scores[..., j])
            hidden = (others.max(axis=-1) > top) if others.shape[-1] else np.zeros(top.shape, bool)
            z = np.ma.masked_array(scores[..., i] - scores[..., j], mask=hidden)
            lines += [np.asarray(line) for line in
                      contourpy.contour_generator(xs, ys, z).lines(0.0) if len(line) > 1]
    return lines


def draw_softmax_training(fig: Figure) -> Callable[[SoftmaxRun], None]:
    """Left: the three decision regions after training. Right: the cost per epoch."""
    X, y = softmax.three_class_data()
    left, right = fig.subplots(1, 2)
    (x0, x1), (y0, y1) = _limits(X)
    blank = np.full((_SOFTMAX_GRID, _SOFTMAX_GRID), np.nan)
    regions = left.imshow(blank, extent=(x0, x1, y0, y1), origin="lower", aspect="auto",
                          cmap=ListedColormap(TINTS), vmin=-0.5, vmax=2.5,
                          interpolation="nearest", animated=True)
    edges = LineCollection([], colors="0.3", linewidths=1.0, animated=True)
    left.add_collection(edges, autolim=False)
    _scatter(left, X, y)
    for points in left.collections[1:]:  # drawn over the (animated) regions
        points.set_animated(True)
    note = left.text(0.5, 0.5, "", transform=left.transAxes, ha="center", va="center",
                     fontsize=FONT, animated=True,
                     bbox={"facecolor": "white", "edgecolor": "0.5", "pad": 4})
    finish_axes(left, title=" ", xlabel="$x_1$", ylabel="$x_2$")
    fig.legend(handles=left.collections[1:], loc="outside lower center", ncols=3,
               fontsize=MIN_FONT, frameon=False, markerscale=1.5)
    (curve,) = right.semilogy([], [], color=COLORS[0], marker="o", markersize=2, animated=True)
    right.axhline(np.log(3), color="0.5", linestyle=":", linewidth=1)
    right.text(EXPLORER_EPOCHS, np.log(3) * 1.15, r"start: $J = \log 3$", ha="right",
               va="bottom", fontsize=MIN_FONT, color="0.35")
    right.set_xlim(0, EXPLORER_EPOCHS)
    right.set_ylim(*SOFTMAX_COST_RANGE)
    log_ticks(right.yaxis, [0.1, 1.0, 10.0, 100.0])
    finish_axes(right, title=" ", xlabel="epoch", ylabel="$J$ (log scale)")
    left.title.set_animated(True)
    right.title.set_animated(True)

    def update(run: SoftmaxRun) -> None:
        regions.set_data(blank if run.regions is None else run.regions)
        edges.set_segments(run.edges)
        note.set_text("" if run.regions is not None else "training diverged:\nno regions to show")
        note.set_visible(run.regions is None)
        accuracy = ("diverged" if run.accuracy is None
                    else f"training accuracy {100 * run.accuracy:.0f} %")
        left.set_title(rf"$\eta = {run.lr:g}$: {accuracy}", fontsize=FONT)
        curve.set_data(np.arange(len(run.losses)), run.losses)
        right.set_title(run.status, fontsize=FONT)

    return update


_RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0]
_STATIC_RATES = [0.01, 0.1, 1.0, 3.0, 10.0, 30.0, 300.0]


def logistic_explorer() -> Explorer:
    """Learning-rate slider → decision boundary and loss curve of binary logistic regression."""
    return Explorer(
        logistic_run,
        draw_logistic_training,
        [Control("lr", _RATES, label="learning rate η", default=1.0,
                 static_values=_STATIC_RATES, fmt="{:g}".format)],
        figsize=(7.0, 3.3),
        alt=lambda run: (
            f"Logistic regression trained for {EXPLORER_EPOCHS} epochs with learning rate "
            f"{run.lr:g}: the two classes with the decision boundary, and the cost above its "
            f"minimum per epoch on a log scale, {BEHAVIOURS[run.behaviour]}"
        ),
    )


def softmax_explorer() -> Explorer:
    """Learning-rate slider → decision regions and loss curve of 3-class softmax regression."""
    return Explorer(
        softmax_run,
        draw_softmax_training,
        [Control("lr", _RATES, label="learning rate η", default=1.0,
                 static_values=_STATIC_RATES, fmt="{:g}".format)],
        figsize=(7.0, 3.3),
        alt=lambda run: (
            f"Softmax regression on three classes trained for {EXPLORER_EPOCHS} epochs with "
            f"learning rate {run.lr:g}: the three decision regions, and the cost per epoch, "
            f"{BEHAVIOURS[run.behaviour]}"
        ),
    )
