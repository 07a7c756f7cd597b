"""Figures of the backpropagation chapter and its MLP explorer.

The network figure draws a small network as a graph from its own numbers (a
:class:`bpnotes.backprop.NetworkState`): each neuron is a circle labelled with its
activation a and delta δ; each existing connection is an arrow labelled with its weight w
and the gradient g = ∂C/∂w. Missing connections (masked out) are not drawn.

The explorer trains a small MLP (two hidden layers) on the moons data set with the
package's :meth:`bpnotes.MLP.train` and shows the loss curve, the decision boundary and
the per-layer delta norms; the other figures draw training histories computed by
:func:`bpnotes.backprop.train_variants`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import contourpy
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..backprop import NetworkState, chapter_data
from ..explorer import Control, Explorer
from ..mlp import MLP, TrainingHistory
from .style import (
    CLASS_COLORS,
    COLORS,
    FONT,
    LINE_COLORS,
    LINESTYLES,
    MARKERS,
    MIN_FONT,
    TEXT_WIDTH,
    TINTS,
    finish_axes,
    floor_note,
    log_ticks,
    new_figure,
    series_styles,
)

__all__ = [
    "MLPRun",
    "data_figure",
    "draw_mlp_training",
    "draw_network",
    "final_cost_figure",
    "layer_delta_figure",
    "mlp_explorer",
    "mlp_run",
    "network_figure",
    "neuron_positions",
    "training_curves_figure",
]

EXPLORER_EPOCHS = 150
EXPLORER_SEED = 0


#: Fixed axes of the explorer (every run of the live grid lies inside them, or at the
#: floor: a delta norm of exactly 0 — dead ReLU units — or below 1e-12 is drawn at 1e-12).
COST_RANGE = (1e-2, 1e3)
DELTA_RANGE = (1e-12, 1e2)
_GRID = 80


@dataclass(frozen=True)
class MLPRun:
    """The MLP explorer's data for one setting (no network object is kept).

    ``dead_units[l - 1]`` counts the units of hidden layer l whose activation is 0 for
    every training example at the end (ReLU units that "died"; None if training diverged).
    """

    lr: float
    width: int
    activation: str
    losses: np.ndarray
    delta_norms: np.ndarray
    floored: bool
    diverged: bool
    probabilities: np.ndarray | None
    boundary: list[np.ndarray]
    accuracy: float | None
    dead_units: tuple[int, ...] | None = None


def _explorer_data() -> tuple[np.ndarray, np.ndarray]:
    return chapter_data()


def _window(X: np.ndarray) -> tuple[float, float, float, float]:
    return (float(X[:, 0].min() - 0.5), float(X[:, 0].max() + 0.5),
            float(X[:, 1].min() - 0.5), float(X[:, 1].max() + 0.5))


def mlp_run(lr: float, width: int, activation: str,
            progress: Callable[[float], None] | None = None) -> MLPRun:
    """Train a 2-w-w-1 network (``activation`` in the hidden layers, sigmoid output, log
    loss) on 200 moons points by full-batch descent for :data:`EXPLORER_EPOCHS` epochs,
    eq. (bp-delta-rule) giving the deltas; keep the numbers the explorer draws.

    ``progress(fraction)`` is called after every epoch when given.
    """
    X, t = _explorer_data()
    net = MLP([2, width, width, 1], hidden=activation, output="sigmoid", loss="log",
              seed=EXPLORER_SEED)
    report = None if progress is None else (lambda epoch: progress(epoch / EXPLORER_EPOCHS))
    history = net.train(X, t[:, None].astype(np.float64), lr=lr, epochs=EXPLORER_EPOCHS,
                        record_norms=True, after_epoch=report, epoch_cost="full")
    norms = cast(np.ndarray, history.delta_norms)
    probabilities, boundary, accuracy, dead = None, [], None, None
    if not history.diverged:
        hidden_layers = net.forward_pass(X).activations[1:-1]
        dead = tuple(int(np.sum(np.all(a == 0.0, axis=0))) for a in hidden_layers)
        x0, x1, y0, y1 = _window(X)
        xs, ys = np.linspace(x0, x1, _GRID), np.linspace(y0, y1, _GRID)
        gx, gy = np.meshgrid(xs, ys)
        probabilities = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0]
        probabilities = probabilities.reshape(gx.shape)
        boundary = [np.asarray(line) for line in
                    contourpy.contour_generator(xs, ys, probabilities).lines(0.5)]
        accuracy = float(np.mean(net.predict(X) == t))
    return MLPRun(float(lr), int(width), str(activation),
                  np.clip(history.losses, *COST_RANGE), np.clip(norms, *DELTA_RANGE),
                  bool(np.any(norms < DELTA_RANGE[0])), history.diverged, probabilities,
                  boundary, accuracy, dead)


def draw_mlp_training(fig: Figure) -> Callable[[MLPRun], None]:
    """Left: the decision regions over the two classes. Right: the cost per epoch and
    the mean delta norm (1/m) Σ_i ‖δ^l_i‖ of every layer per epoch (log scales)."""
    X, t = _explorer_data()
    grid = fig.add_gridspec(2, 2, width_ratios=(1.1, 1))
    middle = fig.add_subplot(grid[:, 0])
    left = fig.add_subplot(grid[0, 1])
    right = fig.add_subplot(grid[1, 1], sharex=left)
    x0, x1, y0, y1 = _window(X)
    blank = np.full((_GRID, _GRID), np.nan)
    regions = middle.imshow(blank, extent=(x0, x1, y0, y1), origin="lower", aspect="auto",
                            cmap=ListedColormap(TINTS[:2]), vmin=0, vmax=1,
                            interpolation="nearest", animated=True)
    boundary = LineCollection([], colors="0.25", linewidths=1.0, animated=True)
    middle.add_collection(boundary, autolim=False)
    for label in (0, 1):
        pts = X[t == label]
        middle.plot(pts[:, 0], pts[:, 1], MARKERS[label], color=CLASS_COLORS[label],
                    markersize=3.5, linestyle="none", label=f"class {label}", animated=True)
    note = middle.text(0.5, 0.5, "training diverged:\nno boundary to show", ha="center",
                       va="center", transform=middle.transAxes, fontsize=FONT, animated=True,
                       bbox={"facecolor": "white", "edgecolor": "0.5", "pad": 4}, zorder=6)
    middle.set_xlim(x0, x1)
    middle.set_ylim(y0, y1)
    finish_axes(middle, title=" ", xlabel="$x_1$", ylabel="$x_2$")
    fig.legend(handles=middle.get_lines(), loc="outside lower left", ncols=2, fontsize=MIN_FONT,
               frameon=False, markerscale=1.5)
    (cost,) = left.semilogy([], [], color=LINE_COLORS[0], animated=True)
    left.set_xlim(0, EXPLORER_EPOCHS)
    left.set_ylim(*COST_RANGE)
    log_ticks(left.yaxis, [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0])
    finish_axes(left, title=" ", ylabel="cost $C$")
    left.tick_params(labelbottom=False)
    lines = []
    for layer in range(3):
        (line,) = right.semilogy([], [], color=LINE_COLORS[layer], linestyle=LINESTYLES[layer],
                                 label=f"layer {layer + 1}", animated=True)
        lines.append(line)
    right.set_ylim(*DELTA_RANGE)
    log_ticks(right.yaxis, [1e-12, 1e-8, 1e-4, 1.0], powers=True)
    finish_axes(right, title=" ", xlabel="epoch", ylabel=r"mean $\|\delta^l\|$")
    fig.legend(handles=lines, loc="outside lower right", ncols=3, fontsize=MIN_FONT,
               frameon=False, handlelength=1.6, columnspacing=0.8)
    for ax in (middle, left, right):
        ax.title.set_animated(True)

    def update(run: MLPRun) -> None:
        shown = run.probabilities is not None
        regions.set_data(blank if run.probabilities is None else run.probabilities > 0.5)
        boundary.set_segments(run.boundary)
        note.set_visible(not shown)
        middle.set_title("diverged" if run.accuracy is None
                         else f"training accuracy {100 * run.accuracy:.0f} %", fontsize=FONT)
        epochs = np.arange(len(run.losses))
        cost.set_data(epochs, run.losses)
        left.set_title(("diverged: " if run.diverged else "")
                       + f"cost {run.losses[-1]:.3g} after {len(epochs) - 1} epochs",
                       fontsize=FONT)
        for layer, line in enumerate(lines):
            line.set_data(np.arange(run.delta_norms.shape[0]), run.delta_norms[:, layer])
        right.set_title(r"mean $\|\delta^l\|$ per layer"
                        + (floor_note(DELTA_RANGE[0]) if run.floored else ""), fontsize=FONT)

    return update


def mlp_explorer() -> Explorer:
    """Learning rate, hidden width and activation → boundary, loss curve, delta norms.

    A 2-w-w-1 network on 200 "moons" points, full-batch descent for 150 epochs. The
    static site pre-renders 3 × 2 × 3 = 18 frames; the live notebook offers more values.
    """
    return Explorer(
        mlp_run,
        draw_mlp_training,
        [
            Control("lr", [0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0], label="learning rate η",
                    default=1.0, static_values=[0.1, 1.0, 10.0], fmt="{:g}".format),
            Control("width", [2, 3, 4, 8, 16], label="hidden width", default=8,
                    static_values=[2, 8]),
            Control("activation", ["sigmoid", "tanh", "relu"], label="hidden activation",
                    default="tanh"),
        ],
        alt=lambda run: (
            f"Training a 2-{run.width}-{run.width}-1 {run.activation} network on the moons "
            f"data with learning rate {run.lr:g}: the decision boundary over the two classes, "
            "the cost per epoch, and the mean delta norm of each layer per epoch."
        ),
        figsize=(7.0, 4.4),
    )


def data_figure(X: np.ndarray, t: np.ndarray, title: str = "") -> Figure:
    """A two-class data set in the plane (the chapter's moons): one colour and marker per
    class, equal scales on both axes."""
    X = np.asarray(X, dtype=np.float64)
    t = np.asarray(t)
    if X.ndim != 2 or X.shape[1] != 2 or t.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (m, 2) and t shape (m,), got {X.shape} and "
                         f"{t.shape}")
    if not set(np.unique(t).tolist()) <= {0, 1}:
        raise ValueError("t must hold the class labels 0 and 1")
    fig = new_figure(4.6, 3.4)
    ax = fig.subplots()
    for label in (0, 1):
        pts = X[t == label]
        ax.plot(pts[:, 0], pts[:, 1], MARKERS[label], color=CLASS_COLORS[label],
                markersize=4, linestyle="none", label=f"class {label}")
    ax.set_aspect("equal")
    fig.legend(loc="outside lower center", ncols=2, fontsize=MIN_FONT, frameon=False)
    finish_axes(ax, title=title, xlabel="$x_1$", ylabel="$x_2$")
    return fig


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
    # Under the panel, where it covers no curve.
    fig.legend(loc="outside lower center", ncols=2, fontsize=MIN_FONT, frameon=False)
    finish_axes(ax, title=title, xlabel=x_label, ylabel="cost $C$ (log scale)")
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
    fig.legend(loc="outside lower center", ncols=3, fontsize=MIN_FONT, frameon=False)
    finish_axes(ax, title=r"$|\delta|$ of each neuron", xlabel="neuron within its layer",
                ylabel=r"$|\delta|$ (log scale)")
    return fig


# ---------------------------------------------------------------- the network as a graph
RADIUS = 0.25
GAP = 3.0
SPACING = 2.2  # vertical distance between neurons, in units of 1.4 (room for four labels)
_Box = tuple[float, float, float, float]  # (x0, x1, y0, y1) in data units


def neuron_positions(sizes: Sequence[int], spacing: float = 1.0) -> list[np.ndarray]:
    """(x, y) centres of the neurons of each layer: layer l at x = 3l, centred vertically."""
    if not sizes or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise ValueError(f"sizes must be a non-empty list of positive integers, got {sizes!r}")
    positions = []
    for layer, n in enumerate(sizes):
        ys = (np.arange(n)[::-1] - (n - 1) / 2.0) * spacing * 1.4
        positions.append(np.column_stack([np.full(n, GAP * layer), ys]))
    return positions


def _names(sizes: Sequence[int]) -> list[list[str]]:
    """x1.. for inputs, h1.. numbered through the hidden layers, o (or o1..) for outputs."""
    names = [[f"x{k + 1}" for k in range(sizes[0])]]
    counter = 0
    for n in sizes[1:-1]:
        names.append([f"h{counter + j + 1}" for j in range(n)])
        counter += n
    out = sizes[-1]
    names.append(["o"] if out == 1 else [f"o{j + 1}" for j in range(out)])
    return names


def _data_per_point(sizes: Sequence[int], figure_width: float) -> float:
    """Data units per typographic point: the axes span (nearly) the figure's width."""
    x_range = GAP * (len(sizes) - 1) + 1.5
    return x_range / (0.95 * figure_width * 72.0)


@dataclass(frozen=True)
class _Layout:
    """Where draw_network puts everything, in data units."""

    positions: list[np.ndarray]
    #: (x, y, va, text) of each neuron's text block, beside its neuron
    neuron_texts: list[tuple[float, float, str, str]]
    #: (start, end) of each arrow, at the circles' edges, and (x, y, text) of its label
    arrows: list[tuple[np.ndarray, np.ndarray]]
    arrow_labels: list[tuple[float, float, str]]
    #: the lowest and highest point of any circle or text
    bottom: float
    top: float


def _layout(state: NetworkState, unit: float, digits: int, fontsize: float) -> _Layout:
    """Place every text of the network figure where no arrow crosses it.

    A neuron's text block goes right below the neuron, or right above it, or as little
    further away as it takes for the arrows into and out of the neuron to pass it by:
    wherever the fewest arrows cross it. Each arrow's label goes at the point along the
    arrow where it overlaps no neuron, no text placed before it and no other arrow (the
    label's own arrow runs under it, which is how it is read), searched from near the
    arrow's source for a descending arrow and near its target for a rising one, where
    arrows cross least. Sizes are estimated from the font size; ``unit`` is the data
    length of one point.
    """
    sizes = [len(a) for a in state.activations]
    pos = neuron_positions(sizes, spacing=SPACING)
    fmt = f"{{:.{digits}f}}"

    def box(x: float, y: float, lines: list[str], va: str = "center") -> _Box:
        width = max(map(len, lines)) * 0.62 * fontsize * unit + 0.6 * fontsize * unit
        height = len(lines) * 1.3 * fontsize * unit + 0.6 * fontsize * unit
        bottom = {"top": y - height, "bottom": y}.get(va, y - height / 2)
        return (x - width / 2, x + width / 2, bottom, bottom + height)

    arrows, edges = [], []
    for layer in range(1, len(sizes)):
        mask = state.weight_masks[layer - 1]
        for j, k in zip(*np.nonzero(mask), strict=True):
            start, end = pos[layer - 1][k], pos[layer][j]
            direction = (end - start) / np.linalg.norm(end - start)
            arrows.append((start + RADIUS * direction, end - RADIUS * direction))
            edges.append((layer, int(j), int(k)))

    def crossed(b: _Box, skip: int | None = None) -> float:
        """Length of the arrows (all but number ``skip``) inside box ``b``."""
        return sum(_inside_length(a, e, b) for i, (a, e) in enumerate(arrows) if i != skip)

    taken: list[_Box] = [(x - RADIUS, x + RADIUS, y - RADIUS, y + RADIUS)
                         for centres in pos for x, y in centres]
    neuron_texts = []
    for layer, centres in enumerate(pos):
        for j, (x, y) in enumerate(centres):
            lines = [f"a={fmt.format(state.activations[layer][j])}"]
            if layer > 0:
                lines.append(f"δ={fmt.format(state.deltas[layer - 1][j])}")
                if state.bias_masks[layer - 1][j]:
                    lines.append(f"b={fmt.format(state.biases[layer - 1][j])}")
                    lines.append(f"∂C/∂b={fmt.format(state.bias_gradients[layer - 1][j])}")
            options = [(y + side * (RADIUS + gap), va) for gap in _TEXT_GAPS
                       for side, va in ((-1, "top"), (1, "bottom"))]
            boxes = [box(x, ty, lines, va) for ty, va in options]
            costs = [crossed(b) * (b[3] - b[2]) + _overlap(b, taken) for b in boxes]
            choice = int(np.argmin(costs))  # the first of equals: close, and below first
            neuron_texts.append((x, options[choice][0], options[choice][1], "\n".join(lines)))
            taken.append(boxes[choice])
    arrow_labels = []
    for number, ((layer, j, k), (start, end)) in enumerate(zip(edges, arrows, strict=True)):
        W, G = state.weights[layer - 1], state.weight_gradients[layer - 1]
        lines = [f"w={fmt.format(W[j, k])}", f"g={fmt.format(G[j, k])}"]
        rise = end[1] - start[1]
        t0 = 0.5 if abs(rise) < 1e-9 else (0.35 if rise < 0 else 0.65)
        ts = sorted(_LABEL_POSITIONS, key=lambda t: abs(t - t0))
        candidates = [start + t * (end - start) for t in ts]

        def cost(c: np.ndarray, lines: list[str] = lines, number: int = number) -> float:
            b = box(c[0], c[1], lines)
            return _overlap(b, taken) + crossed(b, skip=number) * (b[3] - b[2])

        best = min(candidates, key=cost)  # the first of equals: nearest the search start
        taken.append(box(best[0], best[1], lines))
        arrow_labels.append((float(best[0]), float(best[1]), "\n".join(lines)))
    return _Layout(pos, neuron_texts, arrows, arrow_labels,
                   bottom=min(b[2] for b in taken), top=max(b[3] for b in taken))


def _inside_length(a: np.ndarray, b: np.ndarray, box: _Box) -> float:
    """Length of the segment from ``a`` to ``b`` inside ``box`` (Liang–Barsky clipping)."""
    d = b - a
    low, high = 0.0, 1.0
    for p, q in ((-d[0], a[0] - box[0]), (d[0], box[1] - a[0]),
                 (-d[1], a[1] - box[2]), (d[1], box[3] - a[1])):
        if p == 0:
            if q < 0:
                return 0.0
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
    return float(max(0.0, high - low) * np.hypot(*d))


def draw_network(ax: Axes, state: NetworkState, title: str = "", digits: int = 4,
                 fontsize: float = MIN_FONT) -> None:
    """Draw ``state`` on ``ax``: neurons with a and δ (and b, ∂C/∂b where a bias exists),
    arrows with w and ∂C/∂w.

    Every text goes where no arrow but its own crosses it and it overlaps no other text
    (see :func:`_layout`; sizes estimated from the font size and the figure's width), so
    the numbers stay readable at the text size and each label's arrow is unambiguous.
    """
    if not isinstance(state, NetworkState):
        raise TypeError(f"state must be a NetworkState, got {type(state).__name__}")
    sizes = [len(a) for a in state.activations]
    figure = cast(Figure, ax.figure)  # as before, an axes in a SubFigure is not supported
    layout = _layout(state, _data_per_point(sizes, figure.get_size_inches()[0]), digits,
                     fontsize)
    names = _names(sizes)
    for layer, (centres, labels) in enumerate(zip(layout.positions, names, strict=True)):
        colour = "0.85" if layer == 0 else ("#F6D7C3" if layer == len(sizes) - 1 else "#D6E8F4")
        for (x, y), name in zip(centres, labels, strict=True):
            ax.add_patch(_circle(x, y, colour))
            ax.text(x, y, name, fontsize=fontsize + 1, fontweight="bold", ha="center",
                    va="center", zorder=6)
    for x, y, va, text in layout.neuron_texts:
        ax.text(x, y, text, color=COLORS[1], fontsize=fontsize, ha="center", va=va, zorder=6,
                linespacing=1.1, gid="neuron-text")
    for (start, end), (x, y, text) in zip(layout.arrows, layout.arrow_labels, strict=True):
        ax.annotate("", xy=(end[0], end[1]), xytext=(start[0], start[1]), gid="edge",
                    arrowprops={"arrowstyle": "-|>", "color": "0.45", "lw": 0.9,
                                "shrinkA": 0, "shrinkB": 0})
        ax.text(x, y, text, color=COLORS[0], linespacing=1.1, fontsize=fontsize, ha="center",
                va="center", zorder=5, gid="edge-label",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": COLORS[0], "lw": 0.5})
    ax.set_xlim(-0.75, GAP * (len(sizes) - 1) + 0.75)
    ax.set_ylim(layout.bottom - 0.15, layout.top + 0.15)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2)


#: How far a neuron's text block may be from the circle (data units; the first that no
#: arrow crosses is taken).
_TEXT_GAPS: tuple[float, ...] = (0.06, 0.25, 0.45, 0.65, 0.85, 1.05)

#: Where along an arrow its label may go (0 = source, 1 = target).
_LABEL_POSITIONS: tuple[float, ...] = tuple(np.round(np.linspace(0.17, 0.83, 23), 3))


def _overlap(b: _Box, others: list[_Box]) -> float:
    """Total area by which box ``b`` = (x0, x1, y0, y1) overlaps ``others``."""
    total = 0.0
    for o in others:
        dx = min(b[1], o[1]) - max(b[0], o[0])
        dy = min(b[3], o[3]) - max(b[2], o[2])
        if dx > 0 and dy > 0:
            total += dx * dy
    return total


def _circle(x: float, y: float, colour: str):
    from matplotlib.patches import Circle

    return Circle((x, y), RADIUS, facecolor=colour, edgecolor="0.2", lw=1.0, zorder=4)


def network_figure(before: NetworkState, after: NetworkState | None = None,
                   lr: float | None = None) -> Figure:
    """The network before (and, if given, after) a gradient step, one panel each.

    Panel titles print the output and the cost, so the effect of the step is readable.
    """
    states = [before] if after is None else [before, after]
    for name, s in zip(("before", "after"), states, strict=False):
        if not isinstance(s, NetworkState):
            raise TypeError(f"{name} must be a NetworkState, got {type(s).__name__}")
    # Equal scales on both axes: the height follows from the extent of the drawing (its
    # neurons and texts), so that the neurons' vertical spacing is not squeezed.
    sizes = [len(a) for a in before.activations]
    unit = _data_per_point(sizes, TEXT_WIDTH)
    layouts = [_layout(s, unit, 4, MIN_FONT) for s in states]
    x_extent = GAP * (len(sizes) - 1) + 1.5
    y_extent = max(layout.top - layout.bottom for layout in layouts) + 0.3
    panel = 0.95 * TEXT_WIDTH * y_extent / x_extent + 0.35
    fig = new_figure(TEXT_WIDTH, panel * len(states))
    axes = fig.subplots(len(states), 1, squeeze=False)[:, 0]
    step = "" if lr is None else f" (learning rate {lr:g})"
    titles = ["Before the step", f"After one gradient step{step}"]
    for ax, s, title in zip(axes, states, titles, strict=False):
        outputs = ", ".join(f"{v:.4f}" for v in s.prediction)
        draw_network(ax, s, f"{title}: output {outputs}, cost C = {s.loss:.4f}")
    return fig
