"""The book's static figures: drawn at the text column's width, legible, sharp, and with
legends that cover no data. Checked on the figures' own artists, not on pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from PIL import Image

from bpnotes import backprop
from bpnotes.explorer import CSS_DPI, DENSITY
from bpnotes.plots import autodiff as pad
from bpnotes.plots import backprop as pb
from bpnotes.plots import calculus as pc
from bpnotes.plots import capstone as pcap
from bpnotes.plots import linear as pl
from bpnotes.plots import logistic as plg
from bpnotes.plots import vanishing as pv
from bpnotes.plots.style import MIN_FONT, TEXT_WIDTH, BookFigure, new_figure
from bpnotes.symbolic import calculus as sym


def _digits():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (40, 64))
    y = np.repeat(np.arange(10), 4)
    return X, y


def _neuron_graph():
    """The calculus appendix's neuron w -> z -> a -> l (a chain wider than the column)."""
    import sympy as sp

    w, x, t, z, a, ell = sp.symbols("w x t z a ell", real=True)
    graph = {z: w * x, a: 1 / (1 + sp.exp(-z)), ell: (a - t) ** 2 / 2}
    return sym.evaluate_graph(graph, w, ell, {w: 0.8, x: 1.5, t: 0.0})


def _symmetry_runs():
    """The autodiff chapter's symmetry runs: equal and random starts of a 2-8-1 network."""
    from bpnotes import MLP, autodiff
    from bpnotes.data import xor

    X, t = xor(200, seed=0)
    Y = t[:, None].astype(float)
    nets = {"equal weights": autodiff.equal_weights_network([2, 8, 1], 0.5, hidden="tanh",
                                                            output="sigmoid", loss="log"),
            "random weights": MLP([2, 8, 1], hidden="tanh", output="sigmoid", loss="log",
                                  seed=0)}
    costs, spreads = {}, {}
    for name, net in nets.items():
        spread = []
        history = net.train(X, Y, lr=0.5, epochs=300, shuffle=False, epoch_cost="full",
                            after_epoch=lambda epoch, net=net, spread=spread:
                            spread.append(autodiff.hidden_unit_spread(net)[0]))
        costs[name], spreads[name] = history.losses, spread
    return costs, spreads


def _graph_figure():
    """The autodiff chapter's graph figure: the running example before and after backward."""
    z = pad.running_example()
    fig = pad.graph_canvas(2)
    pad.draw_graph(fig.axes[0], z, title="after the forward pass")
    z.backward()
    pad.draw_graph(fig.axes[1], z, title="after z.backward()")
    return fig


def _timings():
    """Timings shaped like the autodiff chapter's (16-h-h-1 networks), not measured."""
    from bpnotes.autodiff import GradientTiming

    rows = []
    for h in (2, 4, 8, 16, 32):
        P = 16 * h + h + h * h + h + h + 1
        forward = 7e-5 * (1 + P / 4000)
        rows.append(GradientTiming((16, h, h, 1), P, forward, 1.45 * forward,
                                   2 * P * forward, 1e-9))
    return rows


FIGURES = {
    "linear surface": lambda: pl.plot_cost_surface(),
    "linear loss curves": lambda: pl.plot_loss_curves(),
    "linear paths": lambda: pl.plot_descent_paths(),
    "linear batch modes": lambda: pl.plot_batch_modes(),
    "linear closed form": lambda: pl.plot_closed_form(),
    "sigmoid": lambda: plg.plot_sigmoid(),
    "logistic boundaries": lambda: plg.plot_boundary_evolution(),
    "logistic probabilities": lambda: plg.plot_probability_surface(),
    "logistic loss curves": lambda: plg.plot_loss_curves(),
    "secants": lambda: pc.secant_figure(0.5),
    "slices": lambda: pc.slices_figure(),
    "gradient field": lambda: pc.gradient_field_figure(),
    "computation graph": lambda: pc.graph_figure(_neuron_graph()),
    "slopes": lambda: pv.plot_slopes(),
    "network": lambda: pb.network_figure(*backprop.worked_example()),
    "layer deltas": lambda: pb.layer_delta_figure(backprop.worked_example()[0]),
    "final costs": lambda: pb.final_cost_figure({"a": [0.1, 0.2], "b": [0.3, 0.05]}),
    "moons data": lambda: pb.data_figure(*backprop.chapter_data()),
    "confusion": lambda: pcap.plot_confusion(np.diag([40, 45, 44, 41, 45, 46, 44, 43, 39, 45])
                                             + np.eye(10, k=1, dtype=int)),
    "digits": lambda: pcap.plot_digit_grid(*_digits(), per_class=2),
    "mistakes": lambda: pcap.plot_misclassified(*_digits(), np.roll(_digits()[1], 1)),
    "autodiff graph": lambda: _graph_figure(),
    "autodiff timing": lambda: pad.timing_figure(_timings()),
    "autodiff symmetry": lambda: pad.symmetry_figure(*_symmetry_runs()),
}


@pytest.fixture(scope="module", params=list(FIGURES), ids=list(FIGURES))
def drawn(request):
    fig = FIGURES[request.param]()
    FigureCanvasAgg(fig).draw()
    return fig


def test_figures_fit_the_text_column(drawn):
    assert drawn.get_figwidth() <= TEXT_WIDTH + 1e-9


def test_every_text_is_at_least_80_percent_of_the_body_text(drawn):
    texts = [t for t in drawn.findobj(Text) if t.get_visible() and t.get_text().strip()]
    small = {t.get_text()[:30]: t.get_fontsize() for t in texts
             if t.get_fontsize() < MIN_FONT - 1e-9}
    assert not small


def test_the_png_has_twice_the_pixels_it_is_shown_at(drawn):
    assert isinstance(drawn, BookFigure)
    png, metadata = drawn._repr_png_()
    width, _ = Image.open(io.BytesIO(png)).size
    assert width >= DENSITY * metadata["width"]
    assert metadata["width"] == pytest.approx(drawn.get_figwidth() * CSS_DPI, abs=1)


def test_no_legend_covers_data(drawn):
    renderer = drawn.canvas.get_renderer()
    for ax in drawn.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        window = ax.get_window_extent(renderer)
        for line in ax.get_lines():
            x = np.asarray(line.get_xdata(), float)
            if not x.size:
                continue
            points = ax.transData.transform(np.column_stack([x, line.get_ydata()]))
            if len(points) > 1 and line.get_linestyle() not in ("None", "none", ""):
                t = np.linspace(0, 1, 25)[None, :, None]
                points = (points[:-1, None] * (1 - t) + points[1:, None] * t).reshape(-1, 2)
            shown = ((points[:, 0] >= window.x0) & (points[:, 0] <= window.x1)
                     & (points[:, 1] >= window.y0) & (points[:, 1] <= window.y1))
            covered = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                       & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
            assert not np.any(shown & covered), f"the legend covers {line.get_label()}"
    for legend in drawn.legends:  # figure legends sit outside every panel
        box = legend.get_window_extent(renderer)
        for ax in drawn.axes:
            assert not box.overlaps(ax.get_window_extent(renderer))


def test_linear_path_titles_stay_inside_the_png():
    # Panels with equal scales in a figure too short for them pushed their titles (the
    # only place each panel's learning rate is shown) out of the top of the PNG.
    fig = pl.plot_descent_paths()
    FigureCanvasAgg(fig)
    fig.savefig(io.BytesIO(), format="png", dpi=CSS_DPI * DENSITY)  # as the book renders it
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        assert ax.title.get_window_extent(renderer).y1 <= fig.bbox.y1, ax.get_title()


@pytest.mark.parametrize("width", [0, -1, TEXT_WIDTH + 0.5])
def test_new_figure_refuses_widths_the_column_would_shrink(width):
    with pytest.raises(ValueError, match="width"):
        new_figure(width, 3.0)


def test_region_tints_differ_in_greyscale_and_line_colours_avoid_class_colours():
    from matplotlib.colors import to_hex, to_rgb

    from bpnotes.plots.style import CLASS_COLORS, LINE_COLORS, TINTS

    def grey(colour):  # luminance, 0..255 (ITU-R BT.709 weights)
        r, g, b = to_rgb(colour)
        return 255 * (0.2126 * r + 0.7152 * g + 0.0722 * b)

    levels = sorted(grey(c) for c in TINTS)
    assert min(b - a for a, b in zip(levels, levels[1:])) >= 20
    assert min(levels) > 150  # light enough for the class markers drawn over them
    assert not {to_hex(c) for c in LINE_COLORS} & {to_hex(c) for c in CLASS_COLORS}
