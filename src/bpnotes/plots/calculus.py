"""The calculus appendix's pictures: tangent lines, slices, gradient arrows, graphs.

The functions and their derivatives come from :mod:`bpnotes.symbolic.calculus` (sympy,
turned into numpy functions); this module only draws them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.text import Text
from numpy.typing import ArrayLike

from ..explorer import Control, Explorer
from ..symbolic import calculus as sym
from ..validation import as_float_matrix, check_positive_number
from .style import COLORS, FONT, LINESTYLES, MIN_FONT, TEXT_WIDTH, finish_axes, new_figure

__all__ = [
    "TANGENT_STEP",
    "TangentPoint",
    "draw_tangent",
    "gradient_field_figure",
    "graph_figure",
    "secant_figure",
    "slices_figure",
    "tangent_explorer",
    "tangent_point",
]

# Arguments go through np.asarray: numbers and arrays alike.
Function1 = Callable[[ArrayLike], np.ndarray]
Function2 = Callable[[ArrayLike, ArrayLike], np.ndarray]

#: The learning rate of the gradient-descent step drawn in the tangent explorer.
TANGENT_STEP = 0.25
_CURVE_RANGE = (-2.2, 2.2)


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


@functools.lru_cache(maxsize=1)
def _curve() -> tuple[Function1, Function1]:
    f = sym.lambdified(sym.CURVE, [sym.x])
    df = sym.lambdified(sp.diff(sym.CURVE, sym.x), [sym.x])
    return f, df


@functools.lru_cache(maxsize=1)
def _surface() -> tuple[Function2, Function2, Function2]:
    grad = sym.gradient(sym.SURFACE, (sym.w1, sym.w2))
    variables = [sym.w1, sym.w2]
    return (sym.lambdified(sym.SURFACE, variables), sym.lambdified(grad[0], variables),
            sym.lambdified(grad[1], variables))


# ------------------------------------------------------------------ derivative
def secant_figure(x0: float = 0.0, hs: Sequence[float] = (1.5, 0.8, 0.3)) -> Figure:
    """Secants of f(x) = x³/3 − x through x0 and x0 + h approach the tangent as h → 0.

    Illustrates eq. (calc-derivative): each secant's slope is a difference quotient,
    and the tangent's slope is their limit.
    """
    x0 = _finite("x0", x0)
    if isinstance(hs, str) or not isinstance(hs, Sequence) or len(hs) == 0:
        raise TypeError("hs must be a non-empty sequence of step sizes")
    steps = [_finite("each entry of hs", step) for step in hs]
    if any(step == 0 for step in steps):
        raise ValueError("hs must not contain 0: a secant needs two distinct points")
    f, df = _curve()
    fig = new_figure(6.4, 4.0)
    ax = fig.subplots()
    grid = np.linspace(*_CURVE_RANGE, 300)
    ax.plot(grid, f(grid), color="0.35", linewidth=2, label=r"$f(x) = x^3/3 - x$")
    y0 = float(f(x0))
    for i, step in enumerate(steps):
        slope = (float(f(x0 + step)) - y0) / step
        color, style = COLORS[(i + 1) % len(COLORS)], LINESTYLES[(i + 1) % len(LINESTYLES)]
        ax.plot(grid, y0 + slope * (grid - x0), color=color, linestyle=style, linewidth=1.4,
                label=f"secant, $h = {step:g}$: slope {slope:.3f}")
        ax.plot([x0 + step], [float(f(x0 + step))], "o", color=color, markersize=6)
    slope0 = float(df(x0))
    ax.plot(grid, y0 + slope0 * (grid - x0), color=COLORS[0], linewidth=2.2,
            label=f"tangent: slope $f\\,'({x0:g})$ = {slope0:.3f}")
    ax.plot([x0], [y0], "s", color=COLORS[0], markersize=8)
    values = f(grid)
    ax.set_ylim(float(values.min()) - 0.6, float(values.max()) + 0.6)
    finish_axes(ax, title=r"Secant slopes approach the tangent's slope as $h \to 0$",
                xlabel="$x$", ylabel="$f(x)$")
    # Under the panel, where it covers no line.
    fig.legend(loc="outside lower center", ncols=2, fontsize=MIN_FONT, frameon=False)
    return fig


@dataclass(frozen=True)
class TangentPoint:
    """The tangent explorer's data at one point x0: f(x0), f'(x0) and one step from x0."""

    x0: float
    y0: float
    slope: float
    lr: float
    x1: float
    y1: float


def tangent_point(x0: float, lr: float = TANGENT_STEP) -> TangentPoint:
    """f and f' at ``x0`` and one gradient-descent step x1 = x0 − η f'(x0), eq. (intro-update)."""
    x0 = _finite("x0", x0)
    lr = check_positive_number("lr", lr)
    f, df = _curve()
    slope = float(df(x0))
    x1 = x0 - lr * slope
    return TangentPoint(x0, float(f(x0)), slope, lr, x1, float(f(x1)))


_Y_RANGE = (-2.6, 2.6)


def draw_tangent(fig: Figure) -> Callable[[TangentPoint], None]:
    """Left: f(x) = x³/3 − x, its tangent at x0 and one gradient-descent step from x0.
    Right: the derivative f'(x) = x² − 1, with the tangent's slope marked at x0.

    Eqs. (calc-tangent) and (intro-update): the step moves x by −η f'(x0), downhill.
    """
    f, df = _curve()
    left, right = fig.subplots(1, 2)
    grid = np.linspace(*_CURVE_RANGE, 300)
    left.plot(grid, f(grid), color="0.35", linewidth=2, label="$f(x)$")
    (tangent,) = left.plot([], [], color=COLORS[0], linewidth=2.2, label="tangent at $x_0$",
                           animated=True)
    (point,) = left.plot([], [], "s", color=COLORS[0], markersize=8, animated=True)
    arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="->", color=COLORS[1], linewidth=2,
                            linestyle="--", mutation_scale=14, animated=True)
    left.add_patch(arrow)
    (step,) = left.plot([], [], "o", color=COLORS[1], markersize=6, animated=True,
                        label=f"one step, $\\eta = {TANGENT_STEP:g}$")
    note = left.text(0.03, 0.04, "", transform=left.transAxes, fontsize=MIN_FONT,
                     color=COLORS[1], animated=True)
    left.set_ylim(*_Y_RANGE)
    left.set_xlim(*_CURVE_RANGE)
    finish_axes(left, title=" ", xlabel="$x$", ylabel="$f(x)$")
    right.plot(grid, df(grid), color=COLORS[2], linestyle=LINESTYLES[2], linewidth=2,
               label="$f\\,'(x) = x^2 - 1$")
    right.axhline(0.0, color="0.5", linewidth=1)
    (marked,) = right.plot([], [], "s", color=COLORS[0], markersize=8, label="slope at $x_0$",
                           animated=True)
    right.set_xlim(*_CURVE_RANGE)
    right.set_ylim(-1.3, 4.1)
    finish_axes(right, title="The derivative: the slope at every point", xlabel="$x$",
                ylabel="$f\\,'(x)$")
    # Under the panels, where it covers no data.
    fig.legend(handles=[*left.get_lines()[:2], step, *right.get_lines()[:1], marked],
               loc="outside lower center", ncols=3, fontsize=MIN_FONT, frameon=False)
    left.title.set_animated(True)

    def update(p: TangentPoint) -> None:
        near = np.array([p.x0 - 0.9, p.x0 + 0.9])
        tangent.set_data(near, p.y0 + p.slope * (near - p.x0))
        point.set_data([p.x0], [p.y0])
        moved = abs(p.x1 - p.x0) > 1e-9
        arrow.set_positions((p.x0, p.y0), (p.x1, p.y1) if moved else (p.x0, p.y0))
        arrow.set_visible(moved)
        step.set_data([p.x1], [p.y1])
        inside = (_CURVE_RANGE[0] <= p.x1 <= _CURVE_RANGE[1]
                  and _Y_RANGE[0] <= p.y1 <= _Y_RANGE[1])
        note.set_text("" if inside else f"the step lands at $x = {p.x1:.3g}$,\noutside this window")
        if p.slope > 1e-12:
            where = "downhill is to the left"
        elif p.slope < -1e-12:
            where = "downhill is to the right"
        else:
            where = "flat: a valley or a hill"
        left.set_title(f"$x_0 = {p.x0:.3g}$: slope {p.slope:.3g}, {where}", fontsize=FONT)
        marked.set_data([p.x0], [p.slope])

    return update


def tangent_explorer() -> Explorer:
    """Point slider → the tangent line of f(x) = x³/3 − x and its slope, live and static."""
    values = [round(v, 3) for v in np.linspace(-2.0, 2.0, 33)]
    static = [round(v, 3) for v in np.linspace(-2.0, 2.0, 9)]

    def alt(p: TangentPoint) -> str:
        if abs(p.x1 - p.x0) <= 1e-9:
            step = "the slope is zero, so one gradient-descent step stays at x₀"
        else:
            way = "right" if p.x1 > p.x0 else "left"
            step = (f"one gradient-descent step with learning rate η = {p.lr:g} moves {way} "
                    f"to x = {p.x1:.3g}")
            if not (_CURVE_RANGE[0] <= p.x1 <= _CURVE_RANGE[1]
                    and _Y_RANGE[0] <= p.y1 <= _Y_RANGE[1]):
                step += ", outside the drawn window"
        return (f"The curve f(x) = x³/3 − x with its tangent line at x₀ = {p.x0:g}, of slope "
                f"{p.slope:.3g}; {step}. Beside it, the derivative curve with that slope "
                "marked.")

    return Explorer(
        tangent_point,
        draw_tangent,
        [Control("x0", values, label="point x₀", default=0.5, static_values=static,
                 fmt="{:.3g}".format)],
        alt=alt,
        figsize=(7.0, 3.5),
    )


# ------------------------------------------------------------------ partial derivatives
def _bowl_grid(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.linspace(-2, 2, n), np.linspace(-2, 2, n))


def slices_figure(point: Sequence[float] = (1.0, 1.0)) -> Figure:
    """The surface J(w1, w2) = w1² + w1·w2 + 2·w2², cut along w1 and along w2 at ``point``.

    Each cut is a one-variable function; its slope at the point is a partial
    derivative, eq. (calc-partial).
    """
    if isinstance(point, str) or not isinstance(point, Sequence) or len(point) != 2:
        raise TypeError("point must be a pair (w1, w2) of numbers")
    p1, p2 = (_finite("each entry of point", v) for v in point)
    if max(abs(p1), abs(p2)) > 2:
        raise ValueError(f"point must lie in the drawn square [-2, 2]², got {(p1, p2)}")
    J, dJ1, dJ2 = _surface()
    fig = new_figure(TEXT_WIDTH, 3.4)
    surf = fig.add_subplot(1, 3, 1, projection="3d")
    W1, W2 = _bowl_grid(40)
    surf.plot_surface(W1, W2, J(W1, W2), cmap="Greys", alpha=0.55, linewidth=0)
    line = np.linspace(-2, 2, 100)
    surf.plot(line, np.full_like(line, p2), J(line, np.full_like(line, p2)), color=COLORS[0],
              linewidth=2.5, label=f"$w_2$ fixed at {p2:g}")
    surf.plot(np.full_like(line, p1), line, J(np.full_like(line, p1), line), color=COLORS[1],
              linestyle="--", linewidth=2.5, label=f"$w_1$ fixed at {p1:g}")
    surf.scatter([p1], [p2], [float(J(p1, p2))], color="black", s=30, depthshade=False)
    surf.set_xlabel("$w_1$", fontsize=FONT)
    surf.set_ylabel("$w_2$", fontsize=FONT)
    surf.set_zlabel("$J$", fontsize=FONT)
    surf.tick_params(labelsize=MIN_FONT)
    surf.set_title("$J(w_1, w_2)$ and two slices", fontsize=FONT)
    surf.view_init(elev=28, azim=-60)

    value = float(J(p1, p2))
    panels = [
        (fig.add_subplot(1, 3, 2), p1, lambda v: J(v, np.full_like(v, p2)), float(dJ1(p1, p2)),
         "$w_1$", f"$w_2 = {p2:g}$ fixed", r"$\partial J/\partial w_1$", 0),
        (fig.add_subplot(1, 3, 3), p2, lambda v: J(np.full_like(v, p1), v), float(dJ2(p1, p2)),
         "$w_2$", f"$w_1 = {p1:g}$ fixed", r"$\partial J/\partial w_2$", 1),
    ]
    for ax, at, cut, slope, name, fixed, partial, i in panels:
        ax.plot(line, cut(line), color=COLORS[i], linestyle=LINESTYLES[i], linewidth=2,
                label=f"slice: {fixed}")
        near = np.linspace(at - 0.8, at + 0.8, 2)
        ax.plot(near, value + slope * (near - at), color="black", linewidth=1.5,
                label=f"tangent, slope {partial} = {slope:g}")
        ax.plot([at], [value], "s", color="black", markersize=6)
        finish_axes(ax, title=f"Slice along {name}", xlabel=name, ylabel="$J$")
    # Under the panels, where they cover no curve.
    fig.legend(handles=[panels[0][0].get_lines()[0], panels[0][0].get_lines()[1],
                        panels[1][0].get_lines()[0], panels[1][0].get_lines()[1]],
               loc="outside lower center", ncols=2, fontsize=MIN_FONT, frameon=False)
    return fig


# ------------------------------------------------------------------ gradient
def gradient_field_figure(
    path: np.ndarray | None = None, point: Sequence[float] = (1.3, -1.2)
) -> Figure:
    """Contours of J(w1, w2) with gradient arrows, eq. (calc-gradient).

    Grey arrows: ∇J on a grid (uphill, across the contours). At ``point``: ∇J and −∇J.
    ``path``, if given, is an array (k, 2) of gradient-descent iterates to overlay.
    """
    if isinstance(point, str) or not isinstance(point, Sequence) or len(point) != 2:
        raise TypeError("point must be a pair (w1, w2) of numbers")
    p1, p2 = (_finite("each entry of point", v) for v in point)
    if path is not None:
        path = as_float_matrix("path", path, columns=2)
    J, dJ1, dJ2 = _surface()
    fig = new_figure(6.0, 5.2)
    ax = fig.subplots()
    W1, W2 = _bowl_grid(120)
    contours = ax.contour(W1, W2, J(W1, W2), levels=[0.25, 1, 2, 4, 6, 9, 12], colors="0.45",
                          linewidths=1)
    ax.clabel(contours, fontsize=MIN_FONT, fmt="%g")
    Q1, Q2 = np.meshgrid(np.linspace(-1.75, 1.75, 8), np.linspace(-1.75, 1.75, 8))
    ax.quiver(Q1, Q2, dJ1(Q1, Q2), dJ2(Q1, Q2), color="0.6", angles="xy", scale_units="xy",
              scale=12, width=0.004)
    g = np.array([float(dJ1(p1, p2)), float(dJ2(p1, p2))])
    scale = 0.12
    ax.annotate("", xy=(p1 + scale * g[0], p2 + scale * g[1]), xytext=(p1, p2),
                arrowprops={"arrowstyle": "-|>", "color": COLORS[1], "linewidth": 2.2})
    ax.annotate("", xy=(p1 - scale * g[0], p2 - scale * g[1]), xytext=(p1, p2),
                arrowprops={"arrowstyle": "-|>", "color": COLORS[0], "linewidth": 2.2,
                            "linestyle": "--"})
    ax.plot([], [], color=COLORS[1], linewidth=2.2, label=r"$\nabla J$: steepest uphill")
    ax.plot([], [], color=COLORS[0], linewidth=2.2, linestyle="--",
            label=r"$-\nabla J$: steepest downhill")
    ax.plot([p1], [p2], "s", color="black", markersize=6)
    if path is not None:
        ax.plot(path[:, 0], path[:, 1], color=COLORS[2], linestyle=LINESTYLES[2], marker="o",
                markersize=4, linewidth=1.4, label=f"gradient descent, {len(path) - 1} steps")
    ax.set_aspect("equal")
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    finish_axes(ax, title="Gradient arrows cross the contours at right angles",
                xlabel="$w_1$", ylabel="$w_2$")
    # Under the panel, where it covers no arrow.
    fig.legend(loc="outside lower center", ncols=2, fontsize=MIN_FONT, frameon=False)
    return fig


# ------------------------------------------------------------------ computation graphs


def _layers(values: sym.GraphValues) -> dict[sp.Symbol, tuple[float, float]]:
    """A layered layout: column = longest distance from the source, rows centred."""
    depth = {values.nodes[0]: 0}
    for node in values.nodes[1:]:
        parents = [p for (p, c) in values.edges if c == node]
        depth[node] = 1 + max(depth[p] for p in parents)
    columns: dict[int, list[sp.Symbol]] = {}
    for node in values.nodes:
        columns.setdefault(depth[node], []).append(node)
    where = {}
    for column, nodes in columns.items():
        for row, node in enumerate(nodes):
            where[node] = (2.6 * column, 1.5 * ((len(nodes) - 1) / 2 - row))
    return where


def _radius_around(ax: Axes, texts: Sequence[Text],
                   where: Mapping[sp.Symbol, tuple[float, float]],
                   nodes: Sequence[sp.Symbol]) -> float:
    """The smallest radius (data units) of circles round the nodes that contain their texts
    (two texts per node, in the order of ``nodes``)."""
    to_data = ax.transData.inverted()
    radius = 0.0
    for k, text in enumerate(texts):
        cx, cy = where[nodes[k // 2]]
        box = text.get_window_extent()
        for corner in ((box.x0, box.y0), (box.x0, box.y1), (box.x1, box.y0), (box.x1, box.y1)):
            px, py = to_data.transform(corner)
            radius = max(radius, math.hypot(px - cx, py - cy))
    return radius


def graph_figure(
    values: sym.GraphValues,
    labels: Mapping[tuple[sp.Symbol, sp.Symbol], str] | None = None,
    title: str = "",
) -> Figure:
    """Draw a computation graph with every node's value and every edge's local derivative.

    Each path from the source to the sink has its own colour and line style; the
    contributions of the paths and their sum, eq. (calc-sum-over-paths), are printed
    below the graph.

    Parameters
    ----------
    values
        The graph evaluated at a point, from :func:`bpnotes.symbolic.calculus.evaluate_graph`.
    labels
        Optional LaTeX (without dollars) for the local derivative of some edges, e.g.
        ``{(z, a): r"\\sigma'(z)"}``; by default sympy's LaTeX of the derivative.
    title
        A title above the graph.
    """
    if not isinstance(values, sym.GraphValues):
        raise TypeError(
            f"values must be a GraphValues from evaluate_graph, got {type(values).__name__}"
        )
    labels = dict(labels or {})
    unknown = [edge for edge in labels if edge not in values.edges]
    if unknown:
        raise ValueError(f"labels has edges that are not in the graph: {unknown}")
    where = _layers(values)
    xs = [p[0] for p in where.values()]
    ys = [p[1] for p in where.values()]
    multiple = len(values.paths) > 1
    bottom = min(ys) - (1.55 if multiple else 1.25)
    top = max(ys) + (1.1 if multiple else 1.0)
    left_edge, right_edge = min(xs) - 0.8, max(xs) + 0.8
    width = 0.95 * (right_edge - left_edge)
    height = 0.95 * (top - bottom) + 0.2
    # A long chain would be wider than the text column: draw it at the column's width,
    # everything scaled by the same factor except the text, which keeps its size.
    shrink = min(1.0, TEXT_WIDTH / width)
    fig = new_figure(width * shrink, height * shrink)
    scale = max(1.0, 1.1 * shrink)
    ax: Axes = fig.subplots()
    ax.set_xlim(left_edge, right_edge)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    node_texts = []
    for node in values.nodes:
        cx, cy = where[node]
        node_texts.append(ax.text(cx, cy + 0.1, f"${sp.latex(node)}$", ha="center",
                                  va="center", fontsize=14 * scale, zorder=4))
        node_texts.append(ax.text(cx, cy - 0.2, f"= {values.values[node]:.3g}", ha="center",
                                  va="center", fontsize=max(MIN_FONT, 9 * min(scale, 1.15)),
                                  zorder=4))
    # Every circle holds its texts with a margin: the texts keep their size when a long
    # chain is shrunk to the column's width, so the radius grows to fit the widest text.
    radius = max(0.42, _radius_around(ax, node_texts, where, values.nodes) + 0.06)
    for node in values.nodes:
        ax.add_patch(Circle(where[node], radius, facecolor="white", edgecolor="black",
                            linewidth=1.5, zorder=3))
    usage: dict[tuple[sp.Symbol, sp.Symbol], list[int]] = {}
    for k, path in enumerate(values.paths):
        for edge in zip(path[:-1], path[1:]):
            usage.setdefault(edge, []).append(k)
    for (parent, child), (factor, number) in values.edges.items():
        (x0, y0), (x1, y1) = where[parent], where[child]
        users = usage[(parent, child)]
        if multiple and len(users) == 1:
            color, style = COLORS[users[0] % len(COLORS)], LINESTYLES[users[0] % len(LINESTYLES)]
        else:
            color, style = "black", "-"
        length = math.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        ax.add_patch(FancyArrowPatch((x0 + radius * ux, y0 + radius * uy),
                                     (x1 - radius * ux, y1 - radius * uy), arrowstyle="-|>",
                                     mutation_scale=16, shrinkA=0, shrinkB=0, color=color,
                                     linestyle=style, linewidth=2, zorder=2))
        text = labels.get((parent, child), sp.latex(factor, order="old"))  # a - t, not -t + a
        partial = rf"\partial {sp.latex(child)} / \partial {sp.latex(parent)}"
        below = (y0 + y1) / 2 < -1e-9
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + (-0.28 if below else 0.28),
                f"${partial} = {text}$\n$= {number:.3g}$", ha="center",
                va="top" if below else "bottom", fontsize=10 * scale,
                color=color if color != "black" else "0.1",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})
    source, sink = values.nodes[0], values.paths[0][-1]
    derivative = rf"$d{sp.latex(sink)}/d{sp.latex(source)}$"
    if multiple:
        parts = " + ".join(f"({part:.4g})" if part < 0 else f"{part:.4g}"
                           for part in values.contributions)
        summary = (f"sum over the {len(values.paths)} paths: {derivative} = {parts} "
                   f"= {values.total:.4g}")
    else:
        factors = " × ".join(f"({values.edges[e][1]:.3g})" if values.edges[e][1] < 0
                             else f"{values.edges[e][1]:.3g}"
                             for e in zip(values.paths[0][:-1], values.paths[0][1:]))
        summary = f"product along the path: {derivative} = {factors} = {values.total:.4g}"
    ax.text((left_edge + right_edge) / 2, bottom + 0.15, summary, ha="center", va="bottom",
            fontsize=11 * scale)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=12 * scale)
    return fig
