"""Every chapter's explorer: fixed axes, legible text, sharp frames, legends off the data.

The checks read the explorer's own figure (axes limits, artists' data, font sizes), not
pixels. Each explorer's static grid is computed once per test session.
"""

from __future__ import annotations

import importlib
import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from bpnotes.explorer import CSS_DPI, DENSITY, Explorer
from bpnotes.plots.style import MIN_FONT, TEXT_WIDTH

EXPLORERS = [
    ("bpnotes.plots.intro", "quadratic_explorer"),
    ("bpnotes.plots.calculus", "tangent_explorer"),
    ("bpnotes.plots.linear", "linear_explorer"),
    ("bpnotes.plots.logistic", "logistic_explorer"),
    ("bpnotes.plots.logistic", "softmax_explorer"),
    ("bpnotes.plots.backprop", "mlp_explorer"),
    ("bpnotes.plots.vanishing", "deltas_explorer"),
    ("bpnotes.plots.autodiff", "sweep_explorer"),
]
IDS = [name for _, name in EXPLORERS]


def make(module: str, name: str) -> Explorer:
    return getattr(importlib.import_module(module), name)()


class Frames:
    """The explorer and, for every frame of its static grid, what its figure showed."""

    def __init__(self, explorer: Explorer):
        self.explorer = explorer
        self.limits, self.lines, self.titles = [], [], []
        for key in explorer.frame_keys():
            values = explorer._frame_values(key)
            fig = explorer.figure(**values)
            self.limits.append([(ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale())
                                for ax in fig.axes])
            self.lines.append([(ax, line, np.asarray(line.get_xdata(), float),
                                np.asarray(line.get_ydata(), float))
                               for ax in fig.axes for line in ax.get_lines()])
            self.titles.append([ax.get_title() for ax in fig.axes])


_cache: dict[str, Frames] = {}


@pytest.fixture(params=EXPLORERS, ids=IDS)
def frames(request) -> Frames:
    module, name = request.param
    if name not in _cache:
        _cache[name] = Frames(make(module, name))
    return _cache[name]


def test_axes_limits_are_the_same_in_every_frame(frames):
    first = frames.limits[0]
    for values, limits in zip(frames.explorer.frame_keys(), frames.limits, strict=True):
        assert limits == first, f"axes limits change at frame {values}"


def test_log_axes_show_every_value_and_no_impossible_range(frames):
    for per_frame in frames.lines:
        for ax, line, _x, y in per_frame:
            if ax.get_yscale() != "log" or not y.size:
                continue
            low, high = sorted(ax.get_ylim())
            assert low > 0
            finite = y[np.isfinite(y)]
            assert np.all((finite >= low * (1 - 1e-9)) & (finite <= high * (1 + 1e-9))), (
                f"{line.get_label()}: values outside the fixed axis {low, high}")


def test_titles_change_with_the_values(frames):
    # the picture is updated, not frozen at the first frame
    assert len({tuple(t) for t in frames.titles}) > 1


def test_every_control_value_is_reachable(frames):
    explorer = frames.explorer
    for control in explorer.controls:
        assert set(control.static_grid) <= set(control.values)
        # every live value is accepted and computed (the cheap ones; the static grid is
        # computed above for all)
        for value in control.values[:: max(1, len(control.values) // 3)]:
            explorer.data(**{control.name: value})
    static_keys = set(explorer.frame_keys())
    sizes = [len(c.static_grid) for c in explorer.controls]
    assert len(static_keys) == int(np.prod(sizes))


def test_text_is_legible_at_the_width_shown(frames):
    explorer = frames.explorer
    assert explorer.figsize[0] <= TEXT_WIDTH
    fig = explorer.render()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts
    small = {t.get_text(): t.get_fontsize() for t in texts if t.get_fontsize() < MIN_FONT - 1e-9}
    assert not small, f"text smaller than {MIN_FONT} pt: {small}"


def test_frames_are_rendered_at_twice_the_css_size(frames):
    explorer = frames.explorer
    png = explorer.png()
    width, height = Image.open(io.BytesIO(png)).size
    css_width, css_height = explorer.size_px
    assert (width, height) == (css_width * DENSITY, css_height * DENSITY)
    assert css_width == round(explorer.figsize[0] * CSS_DPI)


def test_legends_cover_no_data(frames):
    explorer = frames.explorer
    fig = explorer.render()
    FigureCanvasAgg(fig)  # a renderer for the extents
    renderer = fig.canvas.get_renderer()
    legends = [leg for leg in fig.legends]
    legends += [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            if legend in fig.legends:
                assert not box.overlaps(ax.get_window_extent(renderer)), "legend over a panel"
                continue
            for line in ax.get_lines():
                if isinstance(line, Line2D) and len(line.get_xdata()):
                    points = ax.transData.transform(
                        np.column_stack([line.get_xdata(), line.get_ydata()]))
                    inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                              & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
                    assert not inside.any(), f"the legend covers {line.get_label()}"


def test_the_vanishing_explorer_runs_what_train_deep_runs():
    from bpnotes import vanishing
    from bpnotes.plots.vanishing import EXPLORER_BATCH, EXPLORER_EPOCHS, deep_run

    run = deep_run(4, "tanh", "Xavier", 0.1)
    scheme, scale = vanishing.INITIALISATIONS["Xavier"]
    X, Y = vanishing.probe_data(100)
    history = vanishing.train_deep(4, activation="tanh", init=scheme, init_scale=scale,
                                   lr=0.1, epochs=EXPLORER_EPOCHS, batch_size=EXPLORER_BATCH,
                                   X=X, Y=Y)
    np.testing.assert_allclose(run.losses, np.clip(history.losses, 1e-3, 1e3))
    np.testing.assert_allclose(run.start, history.delta_norms[0])
