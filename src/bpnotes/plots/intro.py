"""The introduction's explorer: gradient descent on the 1-D quadratic J(w) = ½ a w²."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..descent import iterate
from ..explorer import Control, Explorer
from .style import COLORS, finish_axes

__all__ = ["draw_quadratic_descent", "quadratic_explorer"]

CURVATURE = 2.0
START = 2.5
STEPS = 25
FLOOR = 1e-24  # the bottom of the log axis when a step lands exactly on the minimum


def draw_quadratic_descent(
    fig: Figure, lr: float, curvature: float = CURVATURE, start: float = START, steps: int = STEPS
) -> None:
    """Left: the iterates on the curve J(w) = ½ a w². Right: J against the step (log scale).

    The critical learning rate 2/a is printed; above it the iterates overshoot further
    each step and the run is stopped as divergent.
    """
    path = iterate(
        lambda w: 0.5 * curvature * float(w @ w),
        lambda w: curvature * w,
        [start],
        lr,
        steps,
    )
    w_path, costs = path.points[:, 0], path.costs
    critical = 2.0 / curvature
    left, right = fig.subplots(1, 2)
    reach = max(abs(start), float(np.max(np.abs(w_path)))) * 1.1
    grid = np.linspace(-reach, reach, 200)
    left.plot(grid, 0.5 * curvature * grid**2, color="0.55", linewidth=1.5, label="J(w) = ½·a·w²")
    left.plot(
        w_path,
        costs,
        color=COLORS[1],
        linestyle="--",
        marker="o",
        markersize=4,
        linewidth=1,
        label="iterates w_k",
    )
    left.plot(w_path[:1], costs[:1], "s", color=COLORS[0], markersize=8, label="start")
    finish_axes(
        left, title=f"η = {lr:.3g}  (critical 2/a = {critical:.3g})", xlabel="w", ylabel="J(w)"
    )
    # Below the curve's bottom, where no iterate is drawn: the legend hides no data.
    left.set_ylim(-0.45 * float(np.max(costs)), None)
    left.legend(loc="lower center", fontsize=8, ncols=3, handlelength=1.5, columnspacing=1.0)
    exact = [int(k) for k in np.flatnonzero(costs == 0.0)]
    # A cost of exactly 0 has no place on a log scale: draw the curve up to the step that
    # lands on the minimum, mark that step on the bottom edge and say so in the title.
    shown = costs[: exact[0]] if exact else costs
    right.semilogy(np.arange(len(shown)), shown, color=COLORS[0], marker="o", markersize=3)
    right.set_xlim(-1, len(costs))
    if exact:
        right.set_ylim(FLOOR, None)
        right.plot([exact[0]], [FLOOR], marker="v", color=COLORS[1], markersize=9,
                   linestyle="none", clip_on=False)
    if path.diverged:
        status = "diverged: the run was stopped"
    elif costs[-1] > costs[0]:
        status = f"diverging: J grew from {costs[0]:.2g} to {costs[-1]:.2g}"
    elif exact:
        status = f"J = 0 exactly after {exact[0]} step{'s' * (exact[0] > 1)}"
    else:
        status = f"J after {len(costs) - 1} steps: {costs[-1]:.2e}"
    finish_axes(right, title=status, xlabel="step k", ylabel="J(w_k), log scale")


def quadratic_explorer() -> Explorer:
    """Learning-rate slider → iterates and loss curve, live and on the static site."""
    lrs = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1]
    return Explorer(
        draw=draw_quadratic_descent,
        controls=[Control("lr", lrs, label="learning rate η", default=0.3, fmt="{:.2f}".format)],
        alt=lambda lr: (
            f"Gradient descent on J(w) = w² with learning rate {lr:.2f}: "
            + ("the iterates converge to 0" if lr < 1.0 else "the iterates do not converge")
        ),
    )
