"""The introduction's explorer: gradient descent on the 1-D quadratic J(w) = ½ λ w².

The two steps of :class:`~bpnotes.explorer.Explorer`: :func:`quadratic_run` computes the
iterates for one learning rate; :func:`draw_quadratic_descent` builds the figure once
and returns the function that moves its artists to a new run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from ..descent import iterate
from ..explorer import Control, Explorer
from .style import COLORS, FONT, MIN_FONT, finish_axes, floor_note, log_ticks

__all__ = ["QuadraticRun", "draw_quadratic_descent", "quadratic_explorer", "quadratic_run"]

CURVATURE = 2.0
START = 2.5
STEPS = 25
#: The learning rates of the explorer (the critical one, 2/λ = 1, among them).
RATES = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1)
#: The window of the left panel: every run of :data:`RATES` starts inside it, and the
#: iterates that leave it are said so in the title.
W_LIMIT = 4.0
#: Cost axis of the right panel: from :data:`FLOOR` (where a cost of exactly 0 is drawn,
#: with a ▼) to :data:`CEILING`, enough for every run of :data:`RATES`.
FLOOR = 1e-36
CEILING = 1e6


@dataclass(frozen=True)
class QuadraticRun:
    """The iterates of one run: learning rate, w_k, J(w_k), whether it diverged."""

    lr: float
    w: np.ndarray
    costs: np.ndarray
    diverged: bool

    @property
    def exact_zero(self) -> int | None:
        """The first step at which J is exactly 0, if any."""
        hits = np.flatnonzero(self.costs == 0.0)
        return int(hits[0]) if hits.size else None

    @property
    def status(self) -> str:
        """One line on how the run went (the right panel's title)."""
        costs = self.costs
        if self.diverged:
            return "diverged: the run was stopped"
        if costs[-1] > costs[0]:
            return f"diverging: $J$ grew from {costs[0]:.2g} to {costs[-1]:.2g}"
        if self.exact_zero is not None:
            k = self.exact_zero
            return f"$J = 0$ after {k} step{'s' * (k > 1)}" + floor_note(FLOOR)
        return f"$J$ after {len(costs) - 1} steps: {costs[-1]:.1e}"


def quadratic_run(lr: float, curvature: float = CURVATURE, start: float = START,
                  steps: int = STEPS) -> QuadraticRun:
    """Gradient descent on J(w) = ½ λ w² from ``start`` (eq. (intro-update))."""
    path = iterate(lambda w: 0.5 * curvature * float(w @ w), lambda w: curvature * w,
                   [start], lr, steps)
    return QuadraticRun(float(lr), path.points[:, 0], path.costs, path.diverged)


def draw_quadratic_descent(
    fig: Figure, curvature: float = CURVATURE
) -> Callable[[QuadraticRun], None]:
    """Left: the iterates on the curve J(w) = ½ λ w². Right: J against the step (log scale).

    Both axes are the same for every learning rate; the critical rate 2/λ is printed.
    """
    left, right = fig.subplots(1, 2)
    grid = np.linspace(-W_LIMIT, W_LIMIT, 200)
    top = 0.5 * curvature * W_LIMIT**2
    left.plot(grid, 0.5 * curvature * grid**2, color="0.55", linewidth=1.5,
              label=r"$J(w) = \frac{1}{2}\lambda w^2$")
    (iterates,) = left.plot([], [], color=COLORS[1], linestyle="--", marker="o", markersize=4,
                            linewidth=1, label="iterates $w_k$", animated=True)
    left.plot([START], [0.5 * curvature * START**2], "s", color=COLORS[0], markersize=7,
              label="start")
    left.set_xlim(-W_LIMIT, W_LIMIT)
    left.set_ylim(-0.05 * top, 1.05 * top)
    # Under the panels, so that it covers no data.
    fig.legend(handles=left.get_lines(), loc="outside lower center", ncols=3,
               fontsize=MIN_FONT, handlelength=1.8, columnspacing=1.2, frameon=False)
    finish_axes(left, title=" ", xlabel="$w$", ylabel="$J(w)$")
    (curve,) = right.semilogy([], [], color=COLORS[0], marker="o", markersize=3, animated=True)
    (zero,) = right.plot([], [], marker="v", color=COLORS[1], markersize=9, linestyle="none",
                         clip_on=False, animated=True)
    right.set_xlim(-1, STEPS + 1)
    right.set_ylim(FLOOR, CEILING)
    log_ticks(right.yaxis, [10.0**k for k in range(-36, 7, 6)], powers=True)
    finish_axes(right, title=" ", xlabel="step $k$", ylabel="$J(w_k)$, log scale")
    critical = 2.0 / curvature
    left.title.set_animated(True)
    right.title.set_animated(True)

    def update(run: QuadraticRun) -> None:
        inside = np.abs(run.w) <= W_LIMIT
        iterates.set_data(run.w[inside], run.costs[inside])
        left_note = "" if inside.all() else ", iterates leave the window"
        left.set_title(rf"$\eta = {run.lr:.3g}$ (critical $2/\lambda = {critical:.3g}$){left_note}",
                       fontsize=FONT)
        k = run.exact_zero
        shown = run.costs if k is None else run.costs[:k]
        curve.set_data(np.arange(len(shown)), shown)
        zero.set_data([k] if k is not None else [], [FLOOR] if k is not None else [])
        right.set_title(run.status, fontsize=FONT)

    return update


def quadratic_explorer() -> Explorer:
    """Learning-rate slider → iterates and loss curve, live and on the static site."""

    def alt(run: QuadraticRun) -> str:
        w_abs = np.abs(run.w)
        if run.diverged or w_abs[-1] > w_abs[0]:
            outcome = "the iterates land further out at every step"
        elif np.allclose(w_abs, w_abs[0]):
            outcome = "the iterates jump between the start and its mirror image for ever"
        else:
            outcome = "the iterates converge to the minimum at 0"
        return (f"Gradient descent on J(w) = ½·λ·w² with λ = {CURVATURE:g}, from w0 = {START:g}, "
                f"learning rate {run.lr:.2f}: {outcome}")

    return Explorer(
        quadratic_run,
        draw_quadratic_descent,
        [Control("lr", list(RATES), label="learning rate η", default=0.3, fmt="{:.2f}".format,
                 scale="linear")],
        alt=alt,
        figsize=(7.0, 3.0),
    )
