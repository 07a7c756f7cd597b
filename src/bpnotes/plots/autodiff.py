"""Figures of the autodiff chapter, drawn from the engine's own objects.

* :func:`draw_graph` draws the computational graph of a :class:`bpnotes.autodiff.Value`
  as the engine recorded it: one box per node with its operation, its value and its
  gradient, one arrow per edge (input → node) labelled with the local derivative.
  :func:`graph_canvas` gives the empty panels to draw into, so that a chapter can draw
  the same graph before and after ``backward()``.
* :func:`timing_figure` plots the times measured by :func:`bpnotes.autodiff.time_gradients`.
* :func:`sweep_explorer` steps through the backward sweep of the chapter's running
  example, one node at a time, for several values of the input x.

The figures compute no gradient: they show what the engine computed
(``Value.grad``, :func:`bpnotes.autodiff.backward_sweep`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.transforms import IdentityTransform, ScaledTranslation

from ..autodiff import GradientTiming, SweepStep, Value, backward_sweep
from ..explorer import Control, Explorer
from .style import COLORS, MIN_FONT, TEXT_WIDTH, finish_axes, legend, new_figure, series_styles

__all__ = [
    "RUNNING_EXAMPLE_Y",
    "GraphArtists",
    "GraphEdge",
    "box_text",
    "draw_graph",
    "graph_canvas",
    "graph_layout",
    "node_title",
    "number",
    "running_example",
    "sweep_explorer",
    "symmetry_figure",
    "timing_figure",
]

#: Fill colours of the boxes in the sweep: nothing received yet, a partial sum (some users
#: still to come), complete, and the node being visited.
FILL = {"waiting": "white", "partial": "#FBE3CF", "final": "#C9DDEE", "current": "#E69F00"}

_OPS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−", "exp": "exp", "log": "log",
        "tanh": "tanh", "σ": "σ", "relu": "relu"}


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number(value: float) -> str:
    """A number to three significant digits, with a true minus sign."""
    return f"{value:.3g}".replace("-", "−")


def node_title(node: Value) -> str:
    """The first line of a node's box: its label and/or its operation."""
    if node.op.startswith("**"):
        exponent = node.op[2:]
        op = "( )" + (exponent.translate(_SUPERSCRIPT) if exponent.lstrip("-").isdigit()
                      else f"^{exponent}")
    else:
        op = _OPS.get(node.op, node.op)
    if node.label and op:
        return f"{node.label} = {op}"
    return node.label or op or "input"


def graph_layout(output: Value) -> dict[Value, tuple[float, float]]:
    """Positions in [0, 1]²: one column per depth, inputs on the left, output on the right.

    An operation's depth is one more than the largest depth of its inputs; an input of
    the graph sits in the column just before its first user (so a constant used late
    does not stretch across the figure). Within each column the nodes are ordered by the
    mean height of their neighbours, sweeping a few times in both directions (the
    barycentre heuristic), which keeps most edges from crossing.
    """
    order = output.topological_order()
    users: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for inp in node.inputs:
            if node not in users[inp]:
                users[inp].append(node)
    depth: dict[Value, int] = {}
    for node in order:
        if node.inputs:
            depth[node] = 1 + max(depth.get(i, 0) for i in node.inputs)
    for node in order:
        if not node.inputs:
            depth[node] = min((depth[u] for u in users[node]), default=1) - 1
    shift = min(depth.values())
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(depth[node] - shift, []).append(node)
    widest = max(len(nodes) for nodes in columns.values())
    spacing = 1.0 / max(widest - 1, 1)
    height: dict[Value, float] = {}

    def place(nodes: list[Value]) -> None:
        for k, node in enumerate(nodes):
            height[node] = 0.5 + ((len(nodes) - 1) / 2 - k) * spacing

    for d in sorted(columns):
        place(columns[d])

    def mean_height(neighbours: Sequence[Value], node: Value) -> float:
        return sum(height[n] for n in neighbours) / len(neighbours) if neighbours \
            else height[node]

    for _ in range(3):  # order within the columns
        for d in sorted(columns)[1:]:
            columns[d].sort(key=lambda n: -mean_height(n.inputs, n))
            place(columns[d])
        for d in sorted(columns, reverse=True)[1:]:
            columns[d].sort(key=lambda n: -mean_height(users[n], n))
            place(columns[d])
    # Final heights: each operation level with its inputs, each graph input level with
    # its users, then pushed apart to at least ``spacing`` within a column.
    for neighbours in (lambda n: n.inputs, lambda n: users[n] if not n.inputs else n.inputs,
                       lambda n: n.inputs):
        for d in sorted(columns):
            nodes = columns[d]
            wanted = [mean_height(neighbours(n), n) for n in nodes]
            for node, y in zip(nodes, _spread(wanted, spacing), strict=True):
                height[node] = y
    low, high = min(height.values()), max(height.values())
    scale = 1.0 / (high - low) if high > low else 1.0
    last = max(columns)
    return {node: ((depth[node] - shift) / last if last else 0.5,
                   (height[node] - low) * scale if high > low else 0.5)
            for node in order}


def _spread(wanted: list[float], gap: float) -> list[float]:
    """Heights as close to ``wanted`` (listed top to bottom) as a minimum ``gap`` allows."""
    heights = list(wanted)
    for k in range(1, len(heights)):  # push each node below the one above it
        heights[k] = min(heights[k], heights[k - 1] - gap)
    offset = sum(w - h for w, h in zip(wanted, heights, strict=True)) / len(heights)
    return [h + offset for h in heights]  # re-centre the block on what was wanted


#: Padding (points) between a box's edge and its text, the text's line spacing, and the
#: gap (points) between an arrow's ends and the boxes it joins.
_BOX_PAD = 4.0
_LINESPACING = 1.25
_ARROW_GAP = 1.5


def box_text(node: Value, value: float, grad: float | None) -> str:
    """What a node's box shows: its title, its value and its gradient ("?": not known yet)."""
    shown = "?" if grad is None else number(grad)
    return f"{node_title(node)}\nvalue {number(value)}\ngrad {shown}"


@functools.lru_cache(maxsize=4096)
def _text_width_height(row: str) -> tuple[float, float]:
    """Width and height in points of one line of text at MIN_FONT."""
    w, h, _ = text_to_path.get_text_width_height_descent(row, FontProperties(size=MIN_FONT),
                                                         ismath=False)
    return w, h


def _box_size(texts: Sequence[str]) -> tuple[float, float]:
    """Width and height in inches of a box that holds each of ``texts`` at MIN_FONT."""
    rows = [row for text in texts for row in text.split("\n")]
    lines = max(text.count("\n") + 1 for text in texts)
    width = max(_text_width_height(row)[0] for row in rows)
    height = _text_width_height("lp")[1] * (1 + _LINESPACING * (lines - 1))
    return (width + 2 * _BOX_PAD) / 72, (height + 2 * _BOX_PAD) / 72


def _leave_box(centre: np.ndarray, toward: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Where the ray from ``centre`` toward ``toward`` leaves the box of half-size ``half``."""
    d = toward - centre
    scale = min((h / abs(c) for h, c in zip(half, d, strict=True) if c != 0), default=0.0)
    return centre + min(scale, 0.5) * d


class GraphEdge(FancyArrowPatch):
    """An arrow from one node's box to another's, ending at the boxes' edges.

    Its ends are computed when it is drawn, from the two node positions (data coordinates)
    and the boxes' size (inches), so the arrow needs no clipping against the boxes (which
    is slow) and stays right at any figure size. A ``label`` text, if given, is moved to
    the middle of the visible part of the arrow.
    """

    def __init__(self, ax: Axes, tail: tuple[float, float], head: tuple[float, float],
                 boxes: tuple[tuple[float, float], tuple[float, float]],
                 label: Text | None = None, **kwargs: Any) -> None:
        super().__init__((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=12, shrinkA=0,
                         shrinkB=0, transform=IdentityTransform(), **kwargs)
        self._axes_of_edge = ax
        self._ends = np.array([tail, head], dtype=float)
        self._half_boxes = np.array(boxes, dtype=float) / 2  # (tail, head) × (width, height)
        self.label = label
        self.drawn_ends: tuple[np.ndarray, np.ndarray] | None = None

    def draw(self, renderer: Any) -> None:
        ax = self._axes_of_edge
        tail, head = ax.transData.transform(self._ends)
        dpi = ax.figure.dpi if ax.figure is not None else 72.0
        half = self._half_boxes * dpi + _ARROW_GAP * dpi / 72
        start, end = _leave_box(tail, head, half[0]), _leave_box(head, tail, half[1])
        self.set_positions(tuple(start), tuple(end))
        self.drawn_ends = (start, end)  # display coordinates, for tests
        if self.label is not None:
            middle = ax.transData.inverted().transform((start + end) / 2)
            self.label.set_position((float(middle[0]), float(middle[1])))
        super().draw(renderer)


@dataclass
class GraphArtists:
    """The artists of one drawn graph, for updating in place (see :func:`draw_graph`)."""

    nodes: list[Value]
    boxes: dict[Value, Text]
    frames: dict[Value, FancyBboxPatch]
    arrows: dict[tuple[Value, Value], GraphEdge]
    highlights: dict[tuple[Value, Value], GraphEdge]
    edge_labels: dict[tuple[Value, Value], Text]
    title: Text

    def show(self, data: Sequence[float], grads: Sequence[float | None],
             states: Sequence[str] | None = None, active: Sequence[tuple[int, int]] = (),
             title: str = "") -> None:
        """Write values and gradients into the boxes (``None``: not known yet).

        ``states`` colours the boxes (keys of :data:`FILL`); ``active`` are the edges
        (input index, node index) drawn thick and coloured (graphs drawn with
        ``highlight=True`` only).
        """
        for k, node in enumerate(self.nodes):
            self.boxes[node].set_text(box_text(node, data[k], grads[k]))
            self.frames[node].set_facecolor(FILL["waiting" if states is None else states[k]])
        index = {node: k for k, node in enumerate(self.nodes)}
        for (inp, node), arrow in self.highlights.items():
            arrow.set_visible((index[inp], index[node]) in active)
        self.title.set_text(title)


def graph_canvas(panels: int = 1, *, height: float = 3.6) -> Figure:
    """An empty figure of ``panels`` stacked panels for :func:`draw_graph`, at text width."""
    if isinstance(panels, bool) or not isinstance(panels, int) or panels < 1:
        raise ValueError(f"panels must be a positive integer, got {panels!r}")
    fig = new_figure(TEXT_WIDTH, height * panels)
    fig.subplots(panels, 1, squeeze=False)
    return fig


def draw_graph(ax: Axes, output: Value, *, title: str = "", local: bool = True,
               fit: Sequence[Sequence[str]] = (), highlight: bool = False) -> GraphArtists:
    """Draw the graph of ``output`` as the engine recorded it, with every ``data`` and ``grad``.

    Parameters
    ----------
    ax
        The axes to draw into (e.g. one panel of :func:`graph_canvas`).
    output
        The Value whose graph is drawn.
    title
        The panel's title.
    local
        Label each edge with its local derivative, "×d" (eq. (ad-local)).
    fit
        For each node, in topological order, more texts its box must hold, for a graph
        whose boxes :meth:`GraphArtists.show` will rewrite (e.g. for other inputs). Every
        box is as wide as its widest text; all have the same height.
    highlight
        Also draw a thick coloured arrow over every edge, hidden until
        :meth:`GraphArtists.show` marks the edge active; the boxes, their texts, these
        arrows and the title are then *animated* (see :mod:`bpnotes.explorer`): an explorer
        redraws only them over a kept background of plain arrows.

    Returns
    -------
    GraphArtists
        The boxes and arrows, which :meth:`GraphArtists.show` can rewrite in place.
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    positions = graph_layout(output)
    nodes = output.topological_order()
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    texts = [[box_text(n, n.data, n.grad), *(fit[k] if k < len(fit) else ())]
             for k, n in enumerate(nodes)]
    height = max(_box_size(t)[1] for t in texts)
    size = {n: (_box_size(t)[0], height) for n, t in zip(nodes, texts, strict=True)}
    # margins that keep the outer boxes inside the axes, which span about the figure's width
    width_in = 0.95 * fig.get_figwidth()
    half_width = max(w for w, _ in size.values()) / 2 + 0.05
    margin = half_width / max(width_in - 2 * half_width, half_width)
    ax.set_xlim(-margin, 1 + margin)
    ax.set_ylim(-0.16, 1.16)
    ax.set_axis_off()
    frames: dict[Value, FancyBboxPatch] = {}
    boxes: dict[Value, Text] = {}
    for node in nodes:
        # a box of a fixed size in inches, centred on the node's place in data coordinates
        w, h = size[node]
        at = ScaledTranslation(*positions[node], ax.transData)  # type: ignore[arg-type]
        frames[node] = FancyBboxPatch(
            (-w / 2, -h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.06",
            transform=fig.dpi_scale_trans + at, facecolor="white", edgecolor="0.25",
            linewidth=1.0, zorder=3, animated=highlight, clip_on=False)
        ax.add_patch(frames[node])
        boxes[node] = ax.text(*positions[node], "", ha="center", va="center",
                              multialignment="center", fontsize=MIN_FONT,
                              linespacing=_LINESPACING, zorder=4, animated=highlight)
    arrows: dict[tuple[Value, Value], GraphEdge] = {}
    highlights: dict[tuple[Value, Value], GraphEdge] = {}
    edge_labels: dict[tuple[Value, Value], Text] = {}
    for node in nodes:
        for inp, d in zip(node.inputs, node.local_grads, strict=True):
            if (inp, node) in arrows:  # x * x: one arrow per distinct edge
                edge_labels[inp, node].set_text(edge_labels[inp, node].get_text() + " (×2)")
                continue
            (x0, y0), (x1, y1) = positions[inp], positions[node]
            edge_labels[inp, node] = ax.text(
                (x0 + x1) / 2, (y0 + y1) / 2, f"×{number(d)}" if local else "", ha="center",
                va="center", fontsize=MIN_FONT, zorder=2,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.85},
            )
            ends = (size[inp], size[node])
            arrows[inp, node] = GraphEdge(ax, positions[inp], positions[node], ends,
                                          label=edge_labels[inp, node], color="0.35",
                                          linewidth=1.0, zorder=1)
            ax.add_patch(arrows[inp, node])
            if highlight:
                highlights[inp, node] = GraphEdge(ax, positions[inp], positions[node], ends,
                                                  color=COLORS[1], linewidth=2.4, zorder=2,
                                                  visible=False, animated=True)
                ax.add_patch(highlights[inp, node])
    heading = ax.set_title("")
    heading.set_animated(highlight)
    artists = GraphArtists(nodes, boxes, frames, arrows, highlights, edge_labels, heading)
    artists.show([n.data for n in nodes], [n.grad for n in nodes], title=title)
    return artists


def timing_figure(timings: Sequence[GradientTiming]) -> Figure:
    """Processor time per call against the number of parameters P (log–log).

    The three measured series, and 2P times the forward pass as a dotted line drawn over
    them: where finite differences lie on it, they cost exactly 2P forward passes, eq. (ad-fd-cost).
    The legend sits below the axes, where it covers no data.
    """
    if not timings or not all(isinstance(t, GradientTiming) for t in timings):
        raise ValueError("timings must be a non-empty list of GradientTiming")
    fig = new_figure(TEXT_WIDTH, 3.6)
    ax = fig.subplots()
    P = [t.parameters for t in timings]
    series = [
        ("finite differences (2P cost evaluations)", [t.finite_differences for t in timings]),
        ("backpropagation (MLP.gradients)", [t.backprop for t in timings]),
        ("one forward pass (MLP.cost)", [t.forward for t in timings]),
    ]
    for (name, seconds), style in zip(series, series_styles(), strict=False):
        ax.plot(P, seconds, label=name, **style)
    ax.plot(P, [2 * t.parameters * t.forward for t in timings], color="0.1", linewidth=1.2,
            linestyle=(0, (1, 2)), zorder=3, label="2P × one forward pass, for comparison")
    ax.set_xscale("log")
    ax.set_yscale("log")
    finish_axes(ax, xlabel="number of parameters P", ylabel="processor seconds per call")
    fig.legend(loc="outside lower center", ncols=2, fontsize=MIN_FONT, frameon=False)
    return fig


def symmetry_figure(costs: Mapping[str, Sequence[float]],
                    spreads: Mapping[str, Sequence[float]]) -> Figure:
    """Training with equal and with random initial weights, side by side.

    Left: the cost after each epoch (log scale). Right: how different the hidden units
    are (:func:`bpnotes.autodiff.hidden_unit_spread` of the hidden layer) after each
    epoch; a run whose units stay identical is drawn at 0 (linear scale).
    """
    if set(costs) != set(spreads) or not costs:
        raise ValueError("costs and spreads must describe the same non-empty set of runs")
    fig = new_figure(TEXT_WIDTH, 2.9)
    left, right = fig.subplots(1, 2)
    for (name, cost), style in zip(costs.items(), series_styles(), strict=False):
        epochs = range(len(cost))
        left.plot(epochs, cost, label=name, markevery=max(len(cost) // 8, 1), **style)
        right.plot(range(len(spreads[name])), spreads[name], label=name,
                   markevery=max(len(cost) // 8, 1), **style)
    left.set_yscale("log")
    finish_axes(left, xlabel="epoch", ylabel="cost")
    finish_axes(right, xlabel="epoch", ylabel="largest difference\nbetween hidden units")
    legend(right, loc="center right")
    return fig


# ---------------------------------------------------------------- the sweep explorer
#: The running example's y: z = (x y + tanh x)² / (1 + eʸ) at y = −1.
RUNNING_EXAMPLE_Y = -1.0
_X_VALUES = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
_X_STATIC = (-1.0, 2.0)


def running_example(x: float = 2.0, y: float = RUNNING_EXAMPLE_Y) -> Value:
    """z = (x y + tanh x)² / (1 + eʸ), with the chapter's node labels v₁ … v₇ = z."""
    xv, yv = Value(x, label="x"), Value(y, label="y")
    v1 = xv * yv
    v2 = xv.tanh()
    v3 = v1 + v2
    v4 = v3**2
    v5 = yv.exp()
    v6 = 1 + v5
    v7 = v4 / v6
    for k, node in enumerate((v1, v2, v3, v4, v5, v6, v7), start=1):
        node.label = f"v{chr(0x2080 + k)}"
    return v7


def _sweep_data(step: int, x: float) -> dict[str, Any]:
    """What the explorer shows after ``step`` nodes of the backward sweep."""
    z = running_example(x)
    nodes = z.topological_order()
    steps: list[SweepStep] = backward_sweep(z)
    index = {node: k for k, node in enumerate(nodes)}
    visited = {s.node for s in steps[:step]}
    users: dict[Value, set[Value]] = {node: set() for node in nodes}
    for node in nodes:
        for inp in node.inputs:
            users[inp].add(node)
    known = steps[step - 1].gradients if step > 0 else {}
    current = steps[step - 1] if step > 0 else None
    states: list[str] = []
    grads: list[float | None] = []
    for node in nodes:
        received = users[node] & visited
        if current is not None and node is current.node:
            states.append("current")
        elif (node is z and step > 0) or (users[node] and received == users[node]):
            states.append("final")
        elif received:
            states.append("partial")
        else:
            states.append("waiting")
        grads.append(known[node] if states[-1] != "waiting" else None)
    active = [(index[inp], index[current.node]) for inp, _ in current.passed] if current else []
    # what the visited node adds to each input, e.g. "adds 1.51 to x and −3.03 to y"
    passed = " and ".join(f"{number(amount)} to {_name(inp)}" for inp, amount in current.passed
                          ) if current else ""
    if current is None:
        title = f"x = {x:g}: before the sweep\nonly the values are known"
    elif passed:
        title = (f"step {step} of {len(steps)}: {node_title(current.node)} passes its "
                 f"gradient on\nit adds {passed}")
    else:
        title = (f"step {step} of {len(steps)}: {node_title(current.node)} has its gradient\n"
                 "an input of the graph: nothing to pass on")
    return {
        "x": x,
        "step": step,
        "data": [n.data for n in nodes],
        "grads": grads,
        "states": states,
        "active": active,
        "passed": passed,
        "title": title,
        "current": node_title(current.node) if current else "",
        "complete": sum(state in ("final", "current") for state in states),
        "count": len(nodes),
    }


def _name(node: Value) -> str:
    """A node's short name: its label, else its box title."""
    return node.label or node_title(node)


def _sweep_alt(data: Mapping[str, Any]) -> str:
    if data["step"] == 0:
        return (f"The graph of z at x = {data['x']:g}, y = {RUNNING_EXAMPLE_Y:g}, before the "
                "backward sweep: every box shows its value and an unknown gradient.")
    steps = "1 step" if data["step"] == 1 else f"{data['step']} steps"
    what = (f"node {data['current']} has just added {data['passed']}" if data["passed"] else
            f"node {data['current']}, an input of the graph, has its gradient and nothing to "
            "pass on")
    return (f"The graph of z at x = {data['x']:g} after {steps} of the backward sweep: "
            f"{what}; {data['complete']} of {data['count']} gradients are complete.")


def _draw_sweep(fig: Figure) -> Callable[[Mapping[str, Any]], None]:
    ax = fig.subplots()
    # boxes big enough for every value and gradient of the explorer's x values
    # every gradient of the sweep, partial sums included
    fit: list[list[str]] = []
    for x in _X_VALUES:
        z = running_example(x)
        nodes = z.topological_order()
        fit = fit or [[] for _ in nodes]
        for step in backward_sweep(z):
            for k, node in enumerate(nodes):
                fit[k].append(box_text(node, node.data, step.gradients[node]))
    artists = draw_graph(ax, running_example(), local=False, fit=fit, highlight=True)

    def update(data: Mapping[str, Any]) -> None:
        artists.show(data["data"], data["grads"], data["states"], data["active"],
                     title=data["title"])

    return update


def sweep_explorer() -> Explorer:
    """Step through the backward sweep of z = (x y + tanh x)² / (1 + eʸ), eq. (ad-adjoint).

    Controls: the step (0 = before the sweep, then one visited node per step) and x.
    Boxes are white until they receive a gradient, light orange while their gradient is
    still a partial sum, orange at the step that visits them, and blue once final.
    """
    steps = len(running_example().topological_order())
    return Explorer(
        _sweep_data,
        _draw_sweep,
        [
            Control("step", list(range(steps + 1)), label="step of the sweep"),
            Control("x", list(_X_VALUES), label="x", default=2.0,
                    static_values=list(_X_STATIC)),
        ],
        alt=_sweep_alt,
        figsize=(TEXT_WIDTH, 3.6),
    )
