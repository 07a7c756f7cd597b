"""Tests of bpnotes.plots.backprop and bpnotes.plots.backprop: figures drawn from the numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from bpnotes import MLP
from bpnotes import backprop as bp
from bpnotes.plots import backprop as pb
from bpnotes.plots.backprop import draw_network, network_figure, neuron_positions


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _arrows(ax):
    return [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]


def test_network_figure_annotates_the_worked_example():
    before, after = bp.worked_example()
    fig = network_figure(before, after, lr=0.5)
    top, bottom = fig.axes
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h1, h2, h3 = s(0.8), s(0.5), s(-0.1)                          # σ(0.5 + 0.3), ...
    h4, h5 = s(-0.5 * h1 + 0.4 * h2), s(0.3 * h1 + 0.6 * h2 + 0.4 * h3)
    delta_o = s(0.5 * h4 + 0.7 * h5) - 1.0
    texts = "\n".join(_texts(top))
    assert f"a={h1:.4f}" in texts and f"a={h5:.4f}" in texts
    assert f"δ={delta_o:.4f}" in texts
    assert "w=0.5000" in texts and "w=-0.2000" in texts
    assert f"g={delta_o * h4:.4f}" in texts                          # gradient of h4 -> o
    assert "0.6718" in top.get_title() and "0.6981" in bottom.get_title()
    # 11 existing connections (h1 <- x1, x2; h2 <- x1, x2; h4 <- h1, h2; h5 <- h1, h2, h3;
    # o <- h4, h5): one arrow each, none for the missing links.
    assert len(_arrows(top)) == 11
    circles = [p for p in top.patches if isinstance(p, Circle)]
    assert len(circles) == 2 + 3 + 2 + 1
    # Only neurons with a bias print one: h1, h2, h3.
    assert sum(line.startswith("b=") for line in texts.splitlines()) == 3


def test_data_figure_draws_every_point_in_its_class():
    X, t = bp.chapter_data()
    fig = pb.data_figure(X, t)
    (ax,) = fig.axes
    drawn = {line.get_label(): np.column_stack(line.get_data()) for line in ax.get_lines()}
    assert set(drawn) == {"class 0", "class 1"}
    for label in (0, 1):
        np.testing.assert_array_equal(drawn[f"class {label}"], X[t == label])
    assert ax.get_aspect() == 1.0


def test_data_figure_rejects_bad_data():
    with pytest.raises(ValueError, match="shape"):
        pb.data_figure(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="labels 0 and 1"):
        pb.data_figure(np.zeros((3, 2)), np.array([0, 1, 2]))


def test_network_figure_labels_do_not_overlap_and_are_readable():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    before, after = bp.worked_example()
    fig = network_figure(before, after, lr=0.5)
    # Drawn at the width of the text column and shown at that width: 9.6 pt is 80 % of
    # the body text.
    assert fig.get_size_inches()[0] <= 7.0
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in fig.axes:
        texts = [t for t in ax.texts if t.get_text()]
        assert min(t.get_fontsize() for t in texts) >= 9.6
        boxes = [t.get_window_extent(renderer) for t in texts]
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                assert not first.overlaps(second)


@pytest.mark.parametrize("panel", [0, 1])
def test_network_figure_arrows_cross_no_text_but_their_own_label(panel):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = network_figure(*bp.worked_example(), lr=0.5)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[panel]
    arrows = [t for t in ax.texts if t.get_gid() == "edge"]
    labels = [t for t in ax.texts if t.get_gid() == "edge-label"]
    neuron_texts = [t for t in ax.texts if t.get_gid() == "neuron-text"]
    assert len(arrows) == len(labels) == 11 and len(neuron_texts) == 8
    boxes = ([t.get_bbox_patch().get_window_extent(renderer) for t in labels]
             + [t.get_window_extent(renderer) for t in neuron_texts])
    for number, arrow in enumerate(arrows):
        start, end = ax.transData.transform([arrow.xyann, arrow.xy])
        points = start + np.linspace(0.0, 1.0, 400)[:, None] * (end - start)
        for other, box in enumerate(boxes):
            if other == number:  # the arrow's own label sits on it
                continue
            inside = ((points[:, 0] > box.x0 + 1) & (points[:, 0] < box.x1 - 1)
                      & (points[:, 1] > box.y0 + 1) & (points[:, 1] < box.y1 - 1))
            assert not inside.any(), (number, other)


def test_draw_network_skips_masked_edges_of_any_network():
    net = MLP([3, 2, 2], hidden="tanh", output="softmax", loss="cross_entropy", seed=1)
    mask = np.array([[True, False, True], [False, True, True]])
    net.set_connections(weights=[mask, None])
    state = bp.network_state(net, [0.1, 0.2, 0.3], [1.0, 0.0])
    fig = Figure()
    ax = fig.subplots()
    draw_network(ax, state, title="t")
    assert len(_arrows(ax)) == int(mask.sum()) + 4


def test_neuron_positions_are_centred_columns():
    pos = neuron_positions([2, 3, 1])
    assert [p.shape for p in pos] == [(2, 2), (3, 2), (1, 2)]
    for layer, p in enumerate(pos):
        assert np.allclose(p[:, 1].mean(), 0.0) and np.all(p[:, 0] == p[0, 0])
        if layer:
            assert p[0, 0] > pos[layer - 1][0, 0]


def test_explorer_static_grid_is_small_and_frames_survive_extremes():
    explorer = pb.mlp_explorer()
    assert len(explorer.frame_keys()) <= 30
    for lr in (0.03, 30.0):
        for activation in ("sigmoid", "relu"):
            fig = explorer.figure(lr=lr, width=16, activation=activation)
            _, cost, deltas = fig.axes
            assert "cost" in cost.get_title()
            for line in cost.lines + deltas.lines:
                assert np.all(np.isfinite(line.get_ydata()))
    assert "learning rate 30" in explorer.alt_text(lr=30.0, width=2, activation="tanh")


def test_explorer_run_matches_a_direct_training_run():
    run = pb.mlp_run(1.0, 4, "tanh")
    X, t = pb._explorer_data()
    net = MLP([2, 4, 4, 1], hidden="tanh", output="sigmoid", loss="log",
              seed=pb.EXPLORER_SEED)
    history = net.train(X, t[:, None].astype(float), lr=1.0, epochs=pb.EXPLORER_EPOCHS,
                        record_norms=True, epoch_cost="full")
    np.testing.assert_allclose(run.losses, np.clip(history.losses, *pb.COST_RANGE))
    np.testing.assert_allclose(run.delta_norms, np.clip(history.delta_norms, *pb.DELTA_RANGE))
    assert run.accuracy == pytest.approx(np.mean(net.predict(X) == t))
    # the probability grid is the trained network's output on the plotted window
    assert run.probabilities is not None and run.probabilities.shape == (pb._GRID, pb._GRID)
    assert np.all((run.probabilities >= 0) & (run.probabilities <= 1))


@pytest.mark.parametrize(("lr", "activation"), [(10.0, "relu"), (1.0, "relu"), (1.0, "tanh")])
def test_explorer_run_counts_the_dead_units_of_each_hidden_layer(lr, activation):
    run = pb.mlp_run(lr, 8, activation)
    X, t = pb._explorer_data()
    net = MLP([2, 8, 8, 1], hidden=activation, output="sigmoid", loss="log",
              seed=pb.EXPLORER_SEED)
    net.train(X, t[:, None].astype(float), lr=lr, epochs=pb.EXPLORER_EPOCHS)
    a, dead = X, []
    for W, b in zip(net.weights[:-1], net.biases[:-1], strict=True):  # by hand
        z = a @ W.T + b
        dead.append(int(np.sum(np.all(z <= 0, axis=0))) if activation == "relu" else
                    int(np.sum(np.all(np.tanh(z) == 0, axis=0))))
        a = np.maximum(z, 0) if activation == "relu" else np.tanh(z)
    assert run.dead_units == tuple(dead)


def test_explorer_reports_divergence_in_the_title():
    explorer = pb.mlp_explorer()
    fig = explorer.figure(lr=30.0, width=2, activation="relu")
    run = explorer.data(lr=30.0, width=2, activation="relu")
    assert run.diverged
    boundary, cost, _ = fig.axes
    assert cost.get_title().startswith("diverged")
    assert any("diverged" in t.get_text() and t.get_visible() for t in boundary.texts)


def test_training_curves_plot_the_histories():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(10, 2)), rng.integers(0, 2, (10, 1)).astype(float)
    make = lambda: MLP([2, 3, 1], output="sigmoid", loss="log", seed=0)  # noqa: E731
    hist = bp.train_variants(make, X, Y, {"a": {"lr": 0.5, "epochs": 4},
                                          "b": {"lr": 0.1, "epochs": 4}})
    fig = pb.training_curves_figure(hist, title="x")
    lines = fig.axes[0].lines
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), hist["a"].losses)
    with pytest.raises(ValueError, match="histories"):
        pb.training_curves_figure({})
    with pytest.raises(TypeError, match="TrainingHistory"):
        pb.training_curves_figure({"a": [1, 2]})


def test_final_cost_and_delta_figures():
    fig = pb.final_cost_figure({"x": [0.1, 0.2], "y": [0.3]})
    assert sum(len(line.get_ydata()) for line in fig.axes[0].lines) == 3
    before, _ = bp.worked_example()
    bars = pb.layer_delta_figure(before).axes[0].patches
    heights = sorted(p.get_height() for p in bars)
    expected = sorted(np.abs(np.concatenate(before.deltas)))
    np.testing.assert_allclose(heights, expected)
    with pytest.raises(ValueError, match="final_costs"):
        pb.final_cost_figure({})
    with pytest.raises(TypeError, match="NetworkState"):
        pb.layer_delta_figure("state")


def test_bad_inputs():
    before, _ = bp.worked_example()
    with pytest.raises(TypeError, match="state must be a NetworkState"):
        draw_network(Figure().subplots(), {"a": 1})
    with pytest.raises(TypeError, match="after must be a NetworkState"):
        network_figure(before, "after")
    with pytest.raises(ValueError, match="sizes"):
        neuron_positions([2, 0])
