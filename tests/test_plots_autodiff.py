"""Figures of the autodiff chapter: drawn from the engine's own graph and numbers."""

from __future__ import annotations

import math

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bpnotes import autodiff
from bpnotes.autodiff import Value
from bpnotes.plots import autodiff as plots


def box_texts(artists):
    return [t.get_text() for t in artists.boxes.values()]


def extents(artists_list, renderer):
    return [a.get_window_extent(renderer) for a in artists_list]


def test_graph_shows_every_node_with_its_value_and_gradient_before_and_after_backward():
    z = plots.running_example()
    fig = plots.graph_canvas(2)
    first = plots.draw_graph(fig.axes[0], z, title="before")
    z.backward()
    second = plots.draw_graph(fig.axes[1], z, title="after")
    nodes = z.topological_order()
    arrows = [p for p in fig.axes[1].patches if isinstance(p, plots.GraphEdge)]
    # one arrow per edge: 7 operations, 11 inputs in all (v6 = 1 + v5 has the constant)
    assert len(arrows) == sum(len(set(map(id, n.inputs))) for n in nodes) == 11
    before, after = "\n".join(box_texts(first)), "\n".join(box_texts(second))
    x_grad = next(n for n in nodes if n.label == "x").grad
    # independent of the engine: dz/dx = 2 v3 (y + 1 − tanh² x) / (1 + e^y) at (2, −1)
    v3 = -2.0 + math.tanh(2.0)
    expected = 2 * v3 * (-1.0 + 1 - math.tanh(2.0) ** 2) / (1 + math.exp(-1.0))
    assert math.isclose(x_grad, expected, rel_tol=1e-12)
    assert plots.number(expected) in after and plots.number(expected) not in before
    assert before.count("grad 0") == len(nodes)
    assert "v₇ = ÷" in after and "v₄ = ( )²" in after and "value 0.785" in after
    assert fig.axes[0].get_title() == "before"


def test_layout_puts_every_node_right_of_its_inputs_and_inside_the_panel():
    x, y = Value(0.5, label="x"), Value(1.5, label="y")
    out = ((x * y).exp() + x - y.log() / 3).sigmoid() * x
    positions = plots.graph_layout(out)
    assert set(positions) == set(out.topological_order())
    for node, (px, py) in positions.items():
        assert 0 <= px <= 1 and 0 <= py <= 1
        assert all(positions[i][0] < px for i in node.inputs)
    # no two boxes at the same place
    assert len({(round(px, 6), round(py, 6)) for px, py in positions.values()}) == len(positions)


def test_a_single_node_and_a_square_are_drawn():
    fig = plots.graph_canvas()
    plots.draw_graph(fig.axes[0], Value(3.0, label="c"))
    x = Value(2.0, label="x")
    sq = x * x
    sq.backward()
    fig2 = plots.graph_canvas()
    artists = plots.draw_graph(fig2.axes[0], sq)
    labels = [t.get_text() for t in artists.edge_labels.values()]
    assert any("(×2)" in text for text in labels)  # x enters x·x twice: one arrow, marked
    assert any("grad 4" in text for text in box_texts(artists))


def test_arrows_run_between_the_boxes_and_every_text_stays_in_its_box():
    out = plots.running_example()  # the chapter's graph figure
    out.backward()
    fig = plots.graph_canvas()
    artists = plots.draw_graph(fig.axes[0], out, title="a graph")
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    frames = {node: frame.get_window_extent(renderer) for node, frame in artists.frames.items()}
    for node, text in artists.boxes.items():   # each text inside its box, inside the figure
        box, inside = frames[node], text.get_window_extent(renderer)
        assert box.x0 < inside.x0 and inside.x1 < box.x1
        assert box.y0 < inside.y0 and inside.y1 < box.y1
        assert 0 <= box.x0 and box.x1 <= fig.bbox.x1 and 0 <= box.y0 and box.y1 <= fig.bbox.y1
    for (inp, node), arrow in artists.arrows.items():
        start, end = arrow.drawn_ends  # set when drawn, in display coordinates
        tail, head = frames[inp], frames[node]
        for point, own, other in ((start, tail, head), (end, head, tail)):
            assert not own.contains(*point) and not other.contains(*point)
            # on the edge of its own box: within a few pixels
            gap = max(own.x0 - point[0], point[0] - own.x1, own.y0 - point[1], point[1] - own.y1)
            assert 0 < gap < 6
        label = artists.edge_labels[inp, node].get_window_extent(renderer)
        assert not any(label.overlaps(frame) for frame in frames.values())


def test_figure_functions_reject_bad_input():
    with pytest.raises(TypeError):
        plots.draw_graph(plots.graph_canvas().axes[0], 3.0)
    with pytest.raises(ValueError):
        plots.graph_canvas(0)
    with pytest.raises(ValueError):
        plots.timing_figure([])
    with pytest.raises(ValueError):
        plots.symmetry_figure({"a": [1.0]}, {"b": [0.0]})


def test_timing_and_symmetry_figures_draw_the_given_numbers():
    timings = autodiff.time_gradients([[2, 2, 1], [3, 4, 1]], examples=4, repeats=1)
    fig = plots.timing_figure(timings)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert list(ax.lines[0].get_xdata()) == [t.parameters for t in timings]
    assert list(ax.lines[0].get_ydata()) == [t.finite_differences for t in timings]
    # the comparison line: 2P forward passes, what eq. (ad-fd-cost) says finite differences cost
    assert list(ax.lines[-1].get_ydata()) == [2 * t.parameters * t.forward for t in timings]
    assert ax.get_legend() is None and len(fig.legends) == 1   # below the axes, on no data
    fig = plots.symmetry_figure({"equal": [1.0, 0.5], "random": [1.0, 0.1]},
                                {"equal": [0.0, 0.0], "random": [1.0, 2.0]})
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 2


def test_sweep_explorer_steps_fill_in_the_gradients_in_reverse_topological_order():
    explorer = plots.sweep_explorer()
    names = [c.name for c in explorer.controls]
    assert names == ["step", "x"]
    steps = explorer.controls[0].values
    first, last = explorer.data(step=0, x=2.0), explorer.data(step=steps[-1], x=2.0)
    assert all(g is None for g in first["grads"]) and first["active"] == []
    assert all(state in ("final", "current") for state in last["states"])
    z = plots.running_example(2.0)
    z.backward()
    assert last["grads"] == [n.grad for n in z.topological_order()]
    # y is a partial sum after v5 has passed its share and before v1 has
    labels = [plots.node_title(n) for n in z.topological_order()]
    y_index = labels.index("y")
    partial = [explorer.data(step=k, x=2.0)["states"][y_index] for k in steps]
    assert "partial" in partial
    assert partial.index("partial") < partial.index("final")
    assert "3 of 10" not in explorer.alt_text(step=0, x=2.0)
    png = explorer.png(step=3, x=-1.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_frame_of_the_sweep_explorer_keeps_its_texts_in_their_boxes():
    # the review found "adds -0.107" hidden under a box: what a step adds is now in the
    # title, and the boxes are sized for every value and partial sum of the sweep
    explorer = plots.sweep_explorer()
    steps = explorer.controls[0].values
    for x in explorer.controls[1].values:
        for step in steps:
            fig = explorer.render(step=step, x=x)
            renderer = fig.canvas.get_renderer()
            (ax,) = fig.axes
            data = explorer.data(step=step, x=x)
            texts = [t for t in ax.texts if t.get_text()]
            frames = [p for p in ax.patches if not isinstance(p, plots.GraphEdge)]
            assert len(texts) == len(frames) == data["count"]
            for text, frame in zip(texts, frames, strict=True):
                inside, box = text.get_window_extent(renderer), frame.get_window_extent(renderer)
                assert box.x0 < inside.x0 and inside.x1 < box.x1, (x, step, text.get_text())
                assert box.y0 < inside.y0 and inside.y1 < box.y1, (x, step, text.get_text())
                assert 0 <= box.x0 and box.x1 <= fig.bbox.x1
            shown = [p for p in ax.patches if isinstance(p, plots.GraphEdge) and p.get_animated()
                     and p.get_visible()]
            assert len(shown) == len(data["active"])    # one thick arrow per input passed to
            if data["active"]:
                assert "adds" in ax.get_title() and data["passed"] in ax.get_title()


def test_sweep_alt_text_counts_steps_and_says_what_an_input_does():
    explorer = plots.sweep_explorer()
    last = explorer.controls[0].values[-1]
    assert "after 1 step of" in explorer.alt_text(step=1, x=2.0)
    assert "nothing to pass on" in explorer.alt_text(step=last, x=2.0)
    assert "passed its gradient to its inputs" not in explorer.alt_text(step=last, x=2.0)
