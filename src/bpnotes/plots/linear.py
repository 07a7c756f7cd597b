"""Figures of the linear-regression chapter and its learning-rate explorer.

Everything is drawn from results of :mod:`bpnotes.linear`; nothing here differentiates.
The running example is :func:`bpnotes.linear.chapter_data`: one feature, so that the
parameters (w, b) form a plane and the cost J(w, b) of eq. (lin-cost) can be drawn as
contours over it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import linear
from ..explorer import Control, Explorer
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
)

__all__ = [
    "MODES",
    "LinearRun",
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
LOSS_CEILING = 1e10  # the top of the explorer's loss axis


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
            label="least squares $(w^*, b^*)$")
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
    fig = new_figure(TEXT_WIDTH, 3.8)
    left = fig.add_subplot(1, 2, 1, projection="3d")
    W, B = np.meshgrid(surface.w_grid, surface.b_grid)
    left.plot_surface(W, B, surface.J, cmap="viridis", linewidth=0, alpha=0.85)
    left.set_xlabel("$w$", fontsize=FONT)
    left.set_ylabel("$b$", fontsize=FONT)
    left.tick_params(labelsize=MIN_FONT)
    left.set_title("the cost $J(w, b)$ over the plane $(w, b)$", fontsize=FONT)
    right = fig.add_subplot(1, 2, 2)
    _contours(right, surface)
    finish_axes(right, title="the same surface as contours", xlabel="weight $w$",
                ylabel="bias $b$")
    fig.legend(handles=right.get_lines(), loc="outside lower center", ncols=2,
               fontsize=MIN_FONT, frameon=False)
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
                    markersize=4, label=rf"$\eta = {fraction:g}\,\eta_c${end}")
    finish_axes(ax, title=rf"full-batch gradient descent, $\eta_c = 2/\lambda_{{\max}}$ = "
                f"{critical:.3f}", xlabel="epoch", ylabel=r"$J - J_{\min}$ (log scale)")
    fig.legend(loc="outside lower center", ncols=3, fontsize=MIN_FONT, frameon=False)
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
    width = min(TEXT_WIDTH, 2.4 * len(fractions))
    # The panels have equal scales on both axes (below), so their height follows from their
    # width; the figure leaves room for the titles above and the labels and legend below (a
    # figure too short for the panels would push the titles out of it).
    panel = (width - 0.85) / len(fractions)
    fig = new_figure(width, panel * np.ptp(B_RANGE) / np.ptp(W_RANGE) + 1.1)
    axes = np.atleast_1d(fig.subplots(1, len(fractions), sharey=True))
    for k, (ax, fraction) in enumerate(zip(axes, fractions, strict=True)):
        result = linear.fit(X, t, fraction * critical, epochs)
        _contours(ax, surface)
        points = _clip(result.path)
        ax.plot(points[:, 0], points[:, 1], color=COLORS[k], marker="o", markersize=3,
                linewidth=1)
        finish_axes(ax, title=rf"$\eta = {fraction:g}\,\eta_c$, {epochs} epochs",
                    xlabel="weight $w$", ylabel="bias $b$" if k == 0 else "")
        # Equal scales on both axes, so that every step is seen to leave its contour at a
        # right angle (the direction of −∇J).
        ax.set_aspect("equal")
    fig.legend(handles=axes[0].get_lines()[:2], loc="outside lower center", ncols=2,
               fontsize=MIN_FONT, frameon=False)
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
    fig = new_figure(TEXT_WIDTH, 3.6)
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
    finish_axes(left, title=rf"$\eta = {fraction:g}\,\eta_c$ = {fraction * critical:.3f}, "
                "same for all", xlabel=f"epoch (one pass over the {len(t)} examples)",
                ylabel=r"$J - J_{\min}$ (log scale)")
    finish_axes(right, title="every update of each run", xlabel="weight $w$",
                ylabel="bias $b$")
    fig.legend(handles=[*left.get_lines(), *right.get_lines()[:2]], loc="outside lower center",
               ncols=3, fontsize=MIN_FONT, frameon=False)
    return fig


def plot_closed_form(
    X: np.ndarray | None = None,
    t: np.ndarray | None = None,
    fraction: float = 0.9,
    epochs: int = 80,
    shown: Sequence[int] = (1, 3, 10),
) -> Figure:
    """Gradient descent landing on the least-squares solution.

    Left: the data with the fitted line after each of the epochs ``shown`` (at most
    ``epochs``) and the closed-form line. Right: the distance |θ_k − θ*| from the
    closed-form parameters, on a log scale.
    """
    if X is None or t is None:
        X, t = linear.chapter_data()
    critical = linear.critical_learning_rate(X)
    optimum = linear.least_squares(X, t)
    result = linear.fit(X, t, fraction * critical, epochs)
    theta_star = np.append(optimum.w, optimum.b)
    distance = np.linalg.norm(result.path - theta_star, axis=1)
    fig = new_figure(TEXT_WIDTH, 3.5)
    left, right = fig.subplots(1, 2)
    left.plot(X[:, 0], t, linestyle="none", marker="o", color="0.5", markersize=4,
              label="data $(x_i, t_i)$")
    xs = np.array([X[:, 0].min(), X[:, 0].max()])
    if not shown or any(not 0 <= epoch <= len(result.path) - 1 for epoch in shown):
        raise ValueError(f"shown must list epochs between 0 and {epochs}, got {shown}")
    for k, epoch in enumerate(shown):
        w, b = result.path[epoch, 0], result.path[epoch, 1]
        left.plot(xs, w * xs + b, color=COLORS[k], linestyle=LINESTYLES[k + 1],
                  label=f"gradient descent, epoch {epoch}")
    left.plot(xs, optimum.w[0] * xs + optimum.b, color=COLORS[6], linewidth=2,
              label="closed form (least squares)")
    finish_axes(left, title="fitted lines", xlabel="$x$", ylabel="$t$")
    fig.legend(handles=left.get_lines(), loc="outside lower center", ncols=2,
               fontsize=MIN_FONT, frameon=False)
    right.semilogy(np.maximum(distance, FLOOR), color=COLORS[0], marker="o", markevery=8,
                   markersize=4)
    finish_axes(right, title=rf"$\eta = {fraction:g}\,\eta_c$: distance to the closed form",
                xlabel="epoch", ylabel=r"$\|\theta_k - \theta^*\|$ (log scale)")
    return fig


# ----------------------------------------------------------------- the explorer
FRACTIONS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
             1.01, 1.05, 1.1, 1.2)
STATIC_FRACTIONS = (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.01, 1.05, 1.2)


@dataclass(frozen=True)
class LinearRun:
    """One run of the linear explorer: the settings, the fit and what to say about it."""

    lr: float
    mode: str
    fraction: float
    result: linear.LinearFit
    excess: float
    curve: np.ndarray
    status: str
    outcome: str


def linear_explorer() -> Explorer:
    """Learning rate and batch mode -> descent path on the contours and the loss curve.

    The learning rates run from 0.02 to 1.2 times the full-batch critical value
    η_c = 2/λ_max (eq. (lin-stability)), which is marked on the scale under the plots.
    Everything that does not depend on the controls (data, contour grid, η_c, the
    least-squares solution) is computed once here; the compute step runs one
    :func:`~bpnotes.linear.fit` per setting (cached by the explorer).
    """
    X, t = linear.chapter_data()
    surface = _surface(X, t)
    critical = linear.critical_learning_rate(X)
    rates = [round(f * critical, 6) for f in FRACTIONS]
    static_rates = [r for r, f in zip(rates, FRACTIONS, strict=True) if f in STATIC_FRACTIONS]

    def compute(lr: float, mode: str) -> LinearRun:
        result = linear.fit(X, t, lr, EPOCHS, batch_size=MODES[mode], shuffle=True, seed=0,
                            record_steps=True)
        excess = float(result.losses[-1] - surface.J_min)
        # Above η_c full-batch descent cannot converge (eq. (lin-stability)), even where
        # 30 epochs are too few for the growth to pass the divergence bound.
        unstable = (MODES[mode] is None and lr > critical) or result.losses[-1] > result.losses[0]
        if result.diverged:
            status, outcome = (f"diverged in epoch {len(result.losses) - 1}: stopped",
                               "diverges and is stopped")
        elif unstable:
            if MODES[mode] is None:
                status = r"$\eta > \eta_c$: unstable, the zigzag grows"
                outcome = "is unstable: the zigzag across the valley grows"
            else:
                status = f"unstable: $J$ grew over {EPOCHS} epochs"
                outcome = f"is unstable: the cost grew over {EPOCHS} epochs"
        else:
            status = f"$J - J_{{\\min}}$ after {EPOCHS} epochs: {excess:.1e}"
            if excess <= FLOOR:
                status += floor_note(FLOOR)
            outcome = f"ends {excess:.1e} above the minimum cost"
        # J − J_min per epoch on the fixed axis: a run that blows up ends at its top edge.
        curve = np.minimum(_excess(result.losses, surface.J_min), LOSS_CEILING)
        return LinearRun(lr, mode, lr / critical, result, excess, curve, status, outcome)

    def draw(fig: Figure) -> Callable[[LinearRun], None]:
        grid = fig.add_gridspec(2, 2, height_ratios=(1, 0.09), hspace=0.05)
        path_ax = fig.add_subplot(grid[0, 0])
        loss_ax = fig.add_subplot(grid[0, 1])
        scale_ax = fig.add_subplot(grid[1, :])
        _contours(path_ax, surface)
        (steps,) = path_ax.plot([], [], color=COLORS[1], linewidth=0.9, animated=True)
        (epochs,) = path_ax.plot([], [], color=COLORS[1], marker="o", markersize=3,
                                 linestyle="none", label="after each epoch", animated=True)
        finish_axes(path_ax, title=" ", xlabel="weight $w$", ylabel="bias $b$")
        # Under the panels, where it covers no path.
        fig.legend(handles=[line for line in path_ax.get_lines()
                            if not str(line.get_label()).startswith("_")],
                   loc="outside lower center", ncols=3,
                   fontsize=MIN_FONT, frameon=False, columnspacing=1.2)
        (loss,) = loss_ax.semilogy([], [], color=COLORS[0], marker="o", markersize=3,
                                   animated=True)
        loss_ax.set_xlim(0, EPOCHS)
        loss_ax.set_ylim(FLOOR, LOSS_CEILING)
        log_ticks(loss_ax.yaxis, [10.0**k for k in range(-12, 11, 4)], powers=True)
        finish_axes(loss_ax, title=" ", xlabel="epoch",
                    ylabel=r"$J - J_{\min}$ (log scale)")
        marker = _rate_scale(scale_ax, rates, critical)
        for text in (path_ax.title, loss_ax.title):
            text.set_animated(True)

        def update(run: LinearRun) -> None:
            points = _clip(cast(np.ndarray, run.result.step_path))  # fitted with record_steps
            steps.set_data(points[:, 0], points[:, 1])
            after = _clip(run.result.path)
            epochs.set_data(after[:, 0], after[:, 1])
            path_ax.set_title(rf"{run.mode}, $\eta = {run.lr:.3g} = {run.fraction:.2f}\,\eta_c$",
                              fontsize=FONT)
            loss.set_data(np.arange(len(run.curve)), run.curve)
            loss_ax.set_title(run.status, fontsize=FONT)
            marker.set_data([run.lr], [0.3])

        return update

    def alt(run: LinearRun) -> str:
        return (f"Gradient descent ({run.mode}) on the linear-regression cost with learning "
                f"rate {run.lr:.3g}, {run.fraction:.2f} times the critical value "
                f"{critical:.3g}: the path on the contour plot and the loss curve; the run "
                f"{run.outcome}.")

    return Explorer(
        compute,
        draw,
        [
            Control("lr", rates, label="learning rate η", default=rates[FRACTIONS.index(0.5)],
                    static_values=static_rates, scale="log",
                    fmt=lambda v: f"{v:.3g} ({v / critical:.2f} × critical)"),
            Control("mode", list(MODES), label="updates"),
        ],
        alt=alt,
        figsize=(7.0, 4.2),
    )


def _rate_scale(ax: Axes, rates: Sequence[float], critical: float) -> Line2D:
    """A strip showing where the chosen η sits relative to η_c (log scale); returns the
    marker of the chosen value (animated), which the explorer moves."""
    low, high = min(rates) / 1.3, max(rates) * 1.3
    ax.axvspan(critical, high, color=COLORS[1], alpha=0.15)
    ax.axvline(critical, color=COLORS[1], linestyle="--")
    ax.plot(rates, np.zeros(len(rates)) + 0.3, "|", color="0.5")
    (marker,) = ax.plot([], [], marker="v", color=COLORS[0], markersize=10, animated=True)
    ax.set_xscale("log")
    log_ticks(ax.xaxis, [0.01, 0.03, 0.1, 0.3, 1.0])
    ax.set_xlim(low, high)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    finish_axes(ax, xlabel=r"learning rate $\eta$ (log scale); ▼ the value shown; dashed: "
                r"full-batch limit $\eta_c = 2/\lambda_{\max}$")
    ax.grid(False)
    return marker
