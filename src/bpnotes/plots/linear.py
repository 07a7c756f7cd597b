"""Figures of the linear-regression chapter and its learning-rate explorer.

Everything is drawn from results of :mod:`bpnotes.linear`; nothing here differentiates.
The running example is :func:`bpnotes.linear.chapter_data`: one feature, so that the
parameters (w, b) form a plane and the cost J(w, b) of eq. (lin-cost) can be drawn as
contours over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from .. import linear
from ..explorer import Control, Explorer
from .style import COLORS, LINESTYLES, MARKERS, finish_axes, new_figure

__all__ = [
    "MODES",
    "linear_explorer",
    "plot_batch_modes",
    "plot_closed_form",
    "plot_cost_surface",
    "plot_descent_paths",
    "plot_loss_curves",
]

#: The batch modes of the explorer and the comparison figure: label -> batch_size.
MODES: dict[str, int | None] = {"full batch": None, "mini-batches of 10": 10, "per example": 1}
EPOCHS = 30
W_RANGE = (-0.5, 3.5)
B_RANGE = (-4.5, 1.0)
FLOOR = 1e-12  # the smallest excess cost drawn on a log scale


@dataclass(frozen=True)
class _Surface:
    """What every contour panel needs, computed once per data set."""

    w_grid: np.ndarray
    b_grid: np.ndarray
    J: np.ndarray
    optimum: linear.LeastSquares
    J_min: float
    levels: np.ndarray


def _surface(X: np.ndarray, t: np.ndarray, size: int = 90) -> _Surface:
    w_grid = np.linspace(*W_RANGE, size)
    b_grid = np.linspace(*B_RANGE, size)
    J = linear.cost_grid(X, t, w_grid, b_grid)
    optimum = linear.least_squares(X, t)
    J_min = linear.cost(X, t, optimum.w, optimum.b)
    levels = J_min + np.geomspace(0.01, float(J.max() - J_min), 12)
    return _Surface(w_grid, b_grid, J, optimum, J_min, levels)


def _contours(ax: Axes, surface: _Surface) -> None:
    ax.contour(surface.w_grid, surface.b_grid, surface.J, levels=surface.levels,
               colors="0.6", linewidths=0.8)
    ax.plot(surface.optimum.w[0], surface.optimum.b, marker="*", color=COLORS[6],
            markeredgecolor="white", markersize=14, linestyle="none", zorder=5,
            label="least squares (w*, b*)")
    ax.plot(0.0, 0.0, marker="s", color=COLORS[6], markersize=6, linestyle="none", zorder=5,
            label="start (0, 0)")
    ax.set_xlim(*W_RANGE)
    ax.set_ylim(*B_RANGE)


def _clip(points: np.ndarray) -> np.ndarray:
    """Keep a divergent path drawable: far outside the window, only the direction matters."""
    return np.clip(points, -1e6, 1e6)


def _excess(losses: np.ndarray, J_min: float) -> np.ndarray:
    """J − J_min, floored so that a converged run stays on the log scale."""
    return np.maximum(losses - J_min, FLOOR)


def plot_cost_surface(X: np.ndarray | None = None, t: np.ndarray | None = None) -> Figure:
    """The cost J(w, b) over the parameter plane: as a surface and as contours."""
    if X is None or t is None:
        X, t = linear.chapter_data()
    surface = _surface(X, t, size=60)
    fig = new_figure(9.0, 3.8)
    left = fig.add_subplot(1, 2, 1, projection="3d")
    W, B = np.meshgrid(surface.w_grid, surface.b_grid)
    left.plot_surface(W, B, surface.J, cmap="viridis", linewidth=0, alpha=0.85)
    left.set_xlabel("w")
    left.set_ylabel("b")
    left.set_zlabel("J(w, b)")
    left.set_title("the cost surface over (w, b)")
    right = fig.add_subplot(1, 2, 2)
    _contours(right, surface)
    finish_axes(right, title="the same surface as contours", xlabel="weight w", ylabel="bias b")
    right.legend(loc="lower left", fontsize=8)
    return fig


def plot_loss_curves(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    fractions: Sequence[float] = (0.05, 0.25, 0.5, 0.9, 1.0, 1.05),
    epochs: int = 60,
) -> Figure:
    """Full-batch loss curves J − J_min (log scale) at multiples of the critical rate."""
    if X is None or t is None:
        X, t = linear.chapter_data()
    critical = linear.critical_learning_rate(X)
    J_min = _surface(X, t, size=2).J_min
    fig = new_figure(7.0, 3.6)
    ax = fig.subplots()
    for k, fraction in enumerate(fractions):
        result = linear.fit(X, t, fraction * critical, epochs)
        end = " (diverged)" if result.diverged else ""
        ax.semilogy(_excess(result.losses, J_min), color=COLORS[k % 7],
                    linestyle=LINESTYLES[k % 7], marker=MARKERS[k % 7], markevery=6,
                    markersize=4, label=f"η = {fraction:g} η_c{end}")
    finish_axes(ax, title=f"full-batch gradient descent, η_c = 2/λ_max = {critical:.3f}",
                xlabel="epoch", ylabel="J − J_min (log scale)")
    ax.legend(fontsize=8, ncol=2)
    return fig


def plot_descent_paths(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    fractions: Sequence[float] = (0.1, 0.5, 0.95),
    epochs: int = 30,
) -> Figure:
    """Full-batch descent paths on the contours of J(w, b), one panel per learning rate."""
    if X is None or t is None:
        X, t = linear.chapter_data()
    critical = linear.critical_learning_rate(X)
    surface = _surface(X, t)
    fig = new_figure(2.7 * len(fractions), 4.0)
    axes = np.atleast_1d(fig.subplots(1, len(fractions), sharey=True))
    for k, (ax, fraction) in enumerate(zip(axes, fractions, strict=True)):
        result = linear.fit(X, t, fraction * critical, epochs)
        _contours(ax, surface)
        points = _clip(result.path)
        ax.plot(points[:, 0], points[:, 1], color=COLORS[k], marker="o", markersize=3,
                linewidth=1)
        finish_axes(ax, title=f"η = {fraction:g} η_c, {epochs} epochs", xlabel="weight w",
                    ylabel="bias b" if k == 0 else "")
        # Equal scales on both axes, so that every step is seen to leave its contour at a
        # right angle (the direction of −∇J).
        ax.set_aspect("equal")
    axes[0].legend(loc="lower left", fontsize=7)
    return fig


def plot_batch_modes(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    fraction: float = 0.25,
    epochs: int = EPOCHS,
) -> Figure:
    """Full-batch, mini-batch and per-example descent at the same learning rate.

    Left: J − J_min after each epoch; right: the paths, every update drawn.
    """
    if X is None or t is None:
        X, t = linear.chapter_data()
    critical = linear.critical_learning_rate(X)
    surface = _surface(X, t)
    fig = new_figure(9.0, 3.6)
    left, right = fig.subplots(1, 2)
    _contours(right, surface)
    for k, (label, size) in enumerate(MODES.items()):
        result = linear.fit(X, t, fraction * critical, epochs, batch_size=size,
                            record_steps=True)
        style = {"color": COLORS[k], "linestyle": LINESTYLES[k]}
        left.semilogy(_excess(result.losses, J_min=surface.J_min), marker=MARKERS[k],
                      markevery=5, markersize=4, label=f"{label}: {result.steps} updates",
                      **style)
        points = _clip(cast(np.ndarray, result.step_path))  # fitted with record_steps
        right.plot(points[:, 0], points[:, 1], linewidth=0.6 if size == 1 else 1.2,
                   alpha=0.6 if size == 1 else 0.9, **style)
    finish_axes(left, title=f"η = {fraction:g} η_c = {fraction * critical:.3f}, same for all",
                xlabel="epoch (one pass over the 40 examples)", ylabel="J − J_min (log scale)")
    left.legend(fontsize=8)
    finish_axes(right, title="every update of each run", xlabel="weight w", ylabel="bias b")
    right.legend(loc="lower left", fontsize=7)
    return fig


def plot_closed_form(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    fraction: float = 0.9,
    epochs: int = 80,
) -> Figure:
    """Gradient descent landing on the least-squares solution.

    Left: the data with the fitted line after a few epochs and the closed-form line.
    Right: the distance |θ_k − θ*| from the closed-form parameters, on a log scale.
    """
    if X is None or t is None:
        X, t = linear.chapter_data()
    critical = linear.critical_learning_rate(X)
    optimum = linear.least_squares(X, t)
    result = linear.fit(X, t, fraction * critical, epochs)
    theta_star = np.append(optimum.w, optimum.b)
    distance = np.linalg.norm(result.path - theta_star, axis=1)
    fig = new_figure(9.0, 3.5)
    left, right = fig.subplots(1, 2)
    left.plot(X[:, 0], t, linestyle="none", marker="o", color="0.5", markersize=4,
              label="data (x_i, t_i)")
    xs = np.array([X[:, 0].min(), X[:, 0].max()])
    for k, epoch in enumerate((1, 3, 10)):
        w, b = result.path[epoch, 0], result.path[epoch, 1]
        left.plot(xs, w * xs + b, color=COLORS[k], linestyle=LINESTYLES[k + 1],
                  label=f"gradient descent, epoch {epoch}")
    left.plot(xs, optimum.w[0] * xs + optimum.b, color=COLORS[6], linewidth=2,
              label="closed form (least squares)")
    finish_axes(left, title="fitted lines", xlabel="x", ylabel="t")
    left.legend(fontsize=7)
    right.semilogy(np.maximum(distance, FLOOR), color=COLORS[0], marker="o", markevery=8,
                   markersize=4)
    finish_axes(right, title=f"η = {fraction:g} η_c: distance to the closed form",
                xlabel="epoch", ylabel="|θ_k − θ*| (log scale)")
    return fig


# ----------------------------------------------------------------- the explorer
FRACTIONS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
             1.01, 1.05, 1.1, 1.2)
STATIC_FRACTIONS = (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.01, 1.05, 1.2)


def linear_explorer() -> Explorer:
    """Learning rate and batch mode -> descent path on the contours and the loss curve.

    The learning rates run from 0.02 to 1.2 times the full-batch critical value
    η_c = 2/λ_max (eq. (lin-stability)), which is marked on the scale under the plots.
    Everything that does not depend on the controls (data, contour grid, η_c, the
    least-squares solution) is computed once here; one update runs one :func:`fit`,
    and results are cached so that revisiting a setting only redraws.
    """
    X, t = linear.chapter_data()
    surface = _surface(X, t)
    critical = linear.critical_learning_rate(X)
    rates = [round(f * critical, 6) for f in FRACTIONS]
    static_rates = [r for r, f in zip(rates, FRACTIONS, strict=True) if f in STATIC_FRACTIONS]
    cache: dict[tuple[float, str], linear.LinearFit] = {}

    def run(lr: float, mode: str) -> linear.LinearFit:
        if (lr, mode) not in cache:
            cache[(lr, mode)] = linear.fit(X, t, lr, EPOCHS, batch_size=MODES[mode],
                                           shuffle=True, seed=0, record_steps=True)
        return cache[(lr, mode)]

    def unstable(lr: float, mode: str, result: linear.LinearFit) -> bool:
        # Above η_c full-batch descent cannot converge (eq. (lin-stability)), even where
        # 30 epochs are too few for the growth to pass the divergence bound.
        return (MODES[mode] is None and lr > critical) or result.losses[-1] > result.losses[0]

    def status(lr: float, mode: str, result: linear.LinearFit) -> str:
        if result.diverged:
            return f"diverged in epoch {len(result.losses) - 1}: stopped"
        if unstable(lr, mode, result):
            if MODES[mode] is None:
                return "η > η_c: unstable, the zigzag grows"
            return f"unstable: J grew over {EPOCHS} epochs"
        return f"J − J_min after {EPOCHS} epochs: {result.losses[-1] - surface.J_min:.1e}"

    def draw(fig: Figure, lr: float, mode: str) -> None:
        result = run(lr, mode)
        # Fixed axes positions instead of constrained layout: the layout solver would
        # double the cost of every frame (it draws the figure once just to measure it).
        fig.set_layout_engine("none")
        path_ax = fig.add_axes((0.08, 0.38, 0.38, 0.54))
        loss_ax = fig.add_axes((0.605, 0.38, 0.38, 0.54))
        scale_ax = fig.add_axes((0.08, 0.11, 0.905, 0.09))
        _contours(path_ax, surface)
        steps = _clip(cast(np.ndarray, result.step_path))  # fitted with record_steps
        path_ax.plot(steps[:, 0], steps[:, 1], color=COLORS[1], linewidth=0.9)
        epochs = _clip(result.path)
        path_ax.plot(epochs[:, 0], epochs[:, 1], color=COLORS[1], marker="o", markersize=3,
                     linestyle="none", label="after each epoch")
        finish_axes(path_ax, title=f"{mode}, η = {lr:.3g} = {lr / critical:.2f} η_c",
                    xlabel="weight w", ylabel="bias b")
        path_ax.legend(loc="upper right", fontsize=7)
        loss_ax.semilogy(_excess(result.losses, surface.J_min), color=COLORS[0], marker="o",
                         markersize=3)
        loss_ax.set_xlim(0, EPOCHS)
        loss_ax.set_ylim(FLOOR, 1e10)
        _plain_log_ticks(loss_ax.yaxis, [10.0**k for k in range(-12, 11, 4)], powers=True)
        finish_axes(loss_ax, title=status(lr, mode, result), xlabel="epoch",
                    ylabel="J − J_min (log scale)")
        _rate_scale(scale_ax, rates, lr, critical)

    def alt(lr: float, mode: str) -> str:
        result = run(lr, mode)
        if result.diverged:
            outcome = "diverges and is stopped"
        elif unstable(lr, mode, result):
            outcome = "is unstable: the zigzag across the valley grows"
        else:
            outcome = f"ends {result.losses[-1] - surface.J_min:.1e} above the minimum cost"
        return (f"Gradient descent ({mode}) on the linear-regression cost with learning rate "
                f"{lr:.3g}, {lr / critical:.2f} times the critical value {critical:.3g}: "
                f"the path on the contour plot and the loss curve; the run {outcome}.")

    return Explorer(
        draw=draw,
        controls=[
            Control("lr", rates, label="learning rate η", default=rates[FRACTIONS.index(0.5)],
                    static_values=static_rates,
                    fmt=lambda v: f"{v:.3g} ({v / critical:.2f} η_c)"),
            Control("mode", list(MODES), label="updates"),
        ],
        alt=alt,
        figsize=(8.0, 4.2),
    )


def _plain_log_ticks(axis: Axis, ticks: Sequence[float], powers: bool = False) -> None:
    """Fixed log-axis ticks with plain-text labels: no mathtext parsing on every redraw.

    With ``powers=True`` the labels are written as powers of ten (10⁻⁴), otherwise as
    plain numbers (0.03).
    """
    axis.set_major_locator(FixedLocator(ticks))
    label = _power_of_ten if powers else "{:g}".format
    axis.set_major_formatter(FixedFormatter([label(v) for v in ticks]))
    axis.set_minor_locator(NullLocator())


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float) -> str:
    """10⁻⁴ rather than 0.0001 or 1e-04: one style for every tick, still plain text."""
    exponent = round(float(np.log10(value)))
    if np.isclose(value, 10.0**exponent):
        return "10" + str(exponent).translate(_SUPERSCRIPT)
    return f"{value:g}"


def _rate_scale(ax: Axes, rates: Sequence[float], lr: float, critical: float) -> None:
    """A strip showing where the chosen η sits relative to η_c (log scale)."""
    low, high = min(rates) / 1.3, max(rates) * 1.3
    ax.axvspan(critical, high, color=COLORS[1], alpha=0.15)
    ax.axvline(critical, color=COLORS[1], linestyle="--")
    ax.text(critical / 1.03, 0.72, "full-batch limit η_c = 2/λ_max", ha="right", va="center",
            fontsize=8, color=COLORS[1])
    ax.plot(rates, np.zeros(len(rates)) + 0.3, "|", color="0.5")
    ax.plot([lr], [0.3], marker="v", color=COLORS[0], markersize=10)
    ax.set_xscale("log")
    _plain_log_ticks(ax.xaxis, [0.01, 0.03, 0.1, 0.3, 1.0])
    ax.set_xlim(low, high)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel("learning rate η (log scale); ▼ = the value shown")
