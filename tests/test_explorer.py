"""The interactive-figure mechanism: compute and draw steps, the static view, the live view.

Chapter explorers are tested in tests/test_plots_explorers.py; these tests use a small
explorer whose pictures are known.
"""

from __future__ import annotations

import base64
import html as htmllib
import io
import json
import math
import re

import numpy as np
import pytest
from PIL import Image

from bpnotes import explorer as explorer_module
from bpnotes.explorer import DENSITY, STATIC_FRAMES_ENV, Control, Explorer


class Recorder:
    """A slope explorer that counts how often each step runs."""

    def __init__(self):
        self.computed: list[tuple[float, str]] = []
        self.drawn = 0
        self.updates = 0

    def compute(self, slope, style):
        self.computed.append((slope, style))
        return {"slope": slope, "style": style}

    def draw(self, fig):
        self.drawn += 1
        ax = fig.subplots()
        (line,) = ax.plot([], [], animated=True)
        ax.set_xlim(0, 1)
        ax.set_ylim(-3, 3)

        def update(data):
            self.updates += 1
            line.set_data([0, 1], [0, data["slope"]])
            line.set_linestyle("-" if data["style"] == "solid" else ":")

        return update

    def explorer(self, **kwargs) -> Explorer:
        kwargs.setdefault("alt", lambda d: f"a {d['style']} line of slope {d['slope']}")
        kwargs.setdefault("figsize", (2.0, 1.5))
        return Explorer(self.compute, self.draw, [
            Control("slope", [-2.0, -1.0, 0.0, 1.0, 2.0, 2.5], default=1.0,
                    static_values=[-2.0, 2.0]),
            Control("style", ["solid", "dotted"]),
        ], **kwargs)


def decode_payload(html: str) -> dict:
    payload = re.search(r'<script type="application/json" class="bpx-data">(.*?)</script>', html)
    return json.loads(payload.group(1).replace("<\\/", "</"))


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


# ---------------------------------------------------------------- compute and draw steps
def test_compute_runs_once_per_value_and_draw_once_per_explorer():
    rec = Recorder()
    explorer = rec.explorer()
    first = explorer.png(slope=2.0)
    explorer.png(slope=-1.0)
    again = explorer.png(slope=2.0)
    assert rec.drawn == 1  # one persistent figure
    assert rec.computed.count((2.0, "solid")) == 1  # revisiting looks the data up
    assert first == again  # ... and draws the same picture
    assert explorer.figure(slope=2.0) is explorer.figure(slope=-1.0)


def test_updates_change_artists_in_place():
    explorer = Recorder().explorer()
    fig = explorer.figure(slope=2.0)
    (line,) = fig.axes[0].get_lines()
    explorer.figure(slope=-2.0)
    assert fig.axes[0].get_lines() == [line]
    assert list(line.get_ydata()) == [0, -2.0]


def test_the_data_cache_is_bounded_and_keeps_the_recent_values():
    rec = Recorder()
    explorer = rec.explorer()
    explorer.CACHE_SIZE = 2
    for slope in (-2.0, -1.0, 0.0):
        explorer.data(slope=slope)
    assert not explorer.is_computed(slope=-2.0)
    assert explorer.is_computed(slope=-1.0) and explorer.is_computed(slope=0.0)


def test_frames_are_sharp_and_the_same_picture_as_a_live_update():
    explorer = Recorder().explorer()
    frames = explorer.frames()
    assert sorted(frames) == ["0,0", "0,1", "1,0", "1,1"]
    assert len(set(frames.values())) == 4  # every control changes the picture
    live = pixels(explorer.png(slope=2.0, style="dotted"))
    static = pixels(frames["1,1"])
    assert static.shape == live.shape == (1.5 * 96 * DENSITY, 2.0 * 96 * DENSITY, 3)
    differ = np.mean(np.max(np.abs(static - live), axis=2) > 40)
    assert differ < 0.002  # the palette PNG is visually the live picture


def test_the_live_view_is_the_same_picture_as_the_lossless_one():
    explorer = Recorder().explorer()
    jpeg = pixels(explorer.jpeg(slope=2.5))
    png = pixels(explorer.png(slope=2.5))
    assert jpeg.shape == png.shape
    assert np.mean(np.abs(jpeg - png)) < 1.5  # grey levels, out of 255
    assert np.mean(np.max(np.abs(jpeg - png), axis=2) > 60) < 0.002


def test_rendering_only_the_animated_artists_gives_the_full_picture():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    explorer = Recorder().explorer()
    explorer.png(slope=-2.0)
    fast = pixels(explorer.png(slope=2.5, style="dotted"))
    fig = explorer.figure(slope=2.5, style="dotted")
    for artist in fig.findobj():
        artist.set_animated(False)
    FigureCanvasAgg(fig).draw()
    full = pixels(explorer_module.encode_png(fig))
    assert np.mean(np.max(np.abs(fast - full), axis=2) > 40) < 0.002


# ---------------------------------------------------------------- the static view
def test_static_view_offers_the_static_grid_with_alt_texts():
    html = Recorder().explorer().static_html()
    data = decode_payload(html)
    assert sorted(data["frames"]) == ["0,0", "0,1", "1,0", "1,1"]
    assert data["alts"]["1,1"] == "a dotted line of slope 2.0"
    assert all(src.startswith("data:image/png;base64,") for src in data["frames"].values())
    assert "http" not in html  # nothing is loaded from anywhere
    assert 'width="192" height="144"' in html  # shown at its CSS size


def test_static_view_lists_the_values_it_offers_when_fewer_than_live():
    html = Recorder().explorer().static_html()
    note = re.search(r'<p class="bpx-note">(.*?)</p>', html).group(1)
    assert "slope: -2.0, 2.0" in note
    assert "style" not in note  # all its values are offered


def test_few_values_are_buttons_many_numbers_a_slider_many_words_a_dropdown():
    two = Control("x", [1, 2])
    six = Control("x", [1, 2, 3, 4, 5, 6])
    words = Control("x", list("abcdef"))
    assert two.kind(two.values) == "buttons"
    assert six.kind(six.values) == "slider"
    assert words.kind(words.values) == "dropdown"
    explorer = Explorer(lambda x: x, lambda fig: (lambda d: None), [six], alt="x",
                        figsize=(1, 1))
    html = explorer.static_html()
    assert 'type="range"' in html and "<datalist" in html
    html = Explorer(lambda x: x, lambda fig: (lambda d: None), [two], alt="x",
                    figsize=(1, 1)).static_html()
    assert html.count('type="radio"') == 2 and "<fieldset" in html and "<legend>x</legend>" in html


def test_slider_ticks_are_exactly_the_values_on_their_own_scale():
    rates = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
    control = Control("lr", rates, label="learning rate η", fmt="{:g}".format)
    assert control.scale == "log"
    explorer = Explorer(lambda lr: lr, lambda fig: (lambda d: None), [control], alt="x",
                        figsize=(1, 1))
    html = explorer.static_html()
    ticks = [float(v) for v in re.findall(r'<option value="([^"]+)" label=', html)]
    assert ticks == pytest.approx([math.log10(r) for r in rates], abs=1e-6)
    positions = json.loads(htmllib.unescape(re.search(r'data-positions="([^"]+)"', html)
                                            .group(1)))
    assert positions == pytest.approx(ticks)
    low, high = (float(re.search(f'{end}="([^"]+)"', html).group(1)) for end in ("min", "max"))
    assert (low, high) == pytest.approx((ticks[0], ticks[-1]))  # the track spans the values
    assert 'aria-valuetext="0.01"' in html and "<label for=" in html
    linear = Control("x0", [round(v, 2) for v in np.linspace(-2, 2, 9)])
    assert linear.scale == "linear"
    assert Control("w", [2, 4, 8, 16, 32, 64]).scale == "log"
    assert Control("lr", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]).scale == "linear"


def test_current_value_is_shown_in_full():
    control = Control("lr", [0.3, 0.6, 0.9, 1.2, 1.5, 1.8], default=0.9,
                      fmt=lambda v: f"{v:.3g} ({v / 0.6:.2f} η_c)")
    html = Explorer(lambda lr: lr, lambda fig: (lambda d: None), [control], alt="x",
                    figsize=(1, 1)).static_html()
    assert '<output for="' in html and ">0.9 (1.50 η_c)</output>" in html


# ---------------------------------------------------------------- the live view
def test_live_view_redraws_when_a_control_moves_and_shows_the_value_in_full():
    explorer = Recorder().explorer()
    box = explorer.widget()
    image = box.children[-1]
    first = image.value
    assert first == explorer.jpeg()
    controls = box.children[0].children
    slider_row, buttons_row = controls
    slider = slider_row.children[1].children[0]
    readout = slider_row.children[2]
    slider.value = -2.0
    explorer.wait()
    assert readout.value == "-2.0"
    assert image.value == explorer.jpeg(slope=-2.0)
    buttons_row.children[1].value = "dotted"
    explorer.wait()
    assert image.value == explorer.jpeg(slope=-2.0, style="dotted")


def test_every_slider_value_is_reachable_by_small_steps_as_with_arrow_keys():
    explorer = Recorder().explorer()
    box = explorer.widget()
    slider_row = box.children[0].children[0]
    slider, readout = slider_row.children[1].children[0], slider_row.children[2]
    values = explorer.controls[0].values
    slider.value = values[0]
    seen = [readout.value]
    for _ in range(len(values) - 1):
        slider.value = slider.value + slider.step  # one arrow key press
        seen.append(readout.value)
    assert seen == [str(v) for v in values]
    for _ in range(len(values) - 1):
        slider.value = slider.value - slider.step
    assert readout.value == str(values[0])


def test_a_live_kernel_gets_the_widget_and_no_static_frames(monkeypatch):
    monkeypatch.delenv(STATIC_FRAMES_ENV, raising=False)
    bundle = Recorder().explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "text/html" not in bundle
    assert len(json.dumps(bundle)) < 200_000


def test_the_book_build_gets_the_static_view(monkeypatch):
    monkeypatch.setenv(STATIC_FRAMES_ENV, "1")
    bundle = Recorder().explorer()._repr_mimebundle_()
    assert bundle["text/html"].startswith('<div class="bpx-explorer"')
    assert "application/vnd.jupyter.widget-view+json" not in bundle


def test_static_html_ids_are_unique_per_display():
    explorer = Recorder().explorer()
    first, second = explorer.static_html(), explorer.static_html()
    ids = [re.search(r'id="(bpx-\d+)"', h).group(1) for h in (first, second)]
    assert ids[0] != ids[1]


def test_frames_are_embedded_compactly():
    png = base64.b64decode(decode_payload(Recorder().explorer().static_html())
                           ["frames"]["0,0"].split(",", 1)[1])
    assert Image.open(io.BytesIO(png)).mode == "P"  # a palette image


# ---------------------------------------------------------------- bad definitions
def _compute(x):
    return x


def _draw(fig):
    return lambda data: None


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Control(5, [1, 2]), TypeError, "name must be a string"),
        (lambda: Control("bad name", [1]), ValueError, "identifier"),
        (lambda: Control("a", "abc"), TypeError, "values must be a list or tuple"),
        (lambda: Control("x", []), ValueError, "values must not be empty"),
        (lambda: Control("x", [1, 1]), ValueError, "distinct"),
        (lambda: Control("x", [1, "a"]), TypeError, "all finite numbers"),
        (lambda: Control("x", [[1], [2]]), TypeError, "hashable"),
        (lambda: Control("x", [1, 2], default=3), ValueError, "default 3 is not in values"),
        (lambda: Control("x", [1, 2], static_values=[5]), ValueError, "subset"),
        (lambda: Control("x", [1, 2], static_values="1"), TypeError, "static_values"),
        (lambda: Control("x", [1, 2], fmt=5), TypeError, "fmt"),
        (lambda: Control("x", [1, 2], label=5), TypeError, "label"),
        (lambda: Control("x", [-1, 2], scale="log"), ValueError, "positive"),
        (lambda: Control("x", [1, 2], scale="cubic"), ValueError, "scale"),
        (lambda: Explorer(_draw, ["a"], alt="x"), TypeError, "must be a function of a Figure|"
         "controls"),
        (lambda: Explorer(_compute, _draw, ["a"], alt="x"), TypeError, r"controls\[0\]"),
        (lambda: Explorer(5, _draw, [Control("x", [1])], alt="x"), TypeError, "compute"),
        (lambda: Explorer(_compute, 5, [Control("x", [1])], alt="x"), TypeError, "draw"),
        (lambda: Explorer(_compute, _draw, [Control("x", [1])], alt=5), TypeError, "alt"),
        (lambda: Explorer(_compute, _draw, [Control("x", [1])], alt="x", figsize=(-1, 2)),
         ValueError, "figsize"),
        (lambda: Explorer(_compute, _draw, [Control("x", [1])], alt="x", figsize="big"),
         ValueError, "figsize"),
        (lambda: Explorer(_compute, _draw, [Control("y", [1])], alt="x"), TypeError,
         "compute must accept the control names"),
        (lambda: Explorer(_compute, _draw, [Control("x", [1]), Control("x", [2])], alt="x"),
         ValueError, "unique"),
        (lambda: Explorer(_compute, _draw, [], alt="x"), ValueError, "must not be empty"),
        (lambda: Recorder().explorer().png(colour="red"), ValueError, "unknown control 'colour'"),
        (lambda: Recorder().explorer().png(slope=7.0), ValueError,
         "slope=7.0 is not one of the values"),
        (lambda: Explorer(_compute, lambda fig: 5, [Control("x", [1])], alt="x").png(),
         TypeError, "update"),
    ],
)
def test_bad_explorer_definitions_are_explained(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_failed_construction_changes_nothing():
    values = [1, 2]
    control = Control("x", values, static_values=[2])
    values.append(3)  # the reader's list is copied, not aliased
    assert control.values == [1, 2]


def test_a_long_computation_runs_in_the_background_and_shows_progress():
    import threading

    release = threading.Event()
    reported = threading.Event()

    def compute(n, progress):
        if n == 2:
            progress(0.5)
            reported.set()
            assert release.wait(30)
        return n

    def draw(fig):
        ax = fig.subplots()
        title = ax.set_title(" ", animated=True)
        return lambda n: title.set_text(f"n = {n}")

    explorer = Explorer(compute, draw, [Control("n", [1, 2])], alt="x", figsize=(1.5, 1))
    box = explorer.widget()
    buttons = box.children[0].children[0].children[1]
    bar, status = box.children[1].children
    image = box.children[-1]
    first = image.value
    buttons.value = 2  # returns at once: the kernel stays free for other messages
    assert reported.wait(30)
    assert bar.layout.visibility == "visible" and "computing" in status.value
    assert bar.value == 0.5
    assert image.value == first
    release.set()
    explorer.wait()
    assert bar.layout.visibility == "hidden"
    assert image.value == explorer.jpeg(n=2) != first


def test_the_module_docstring_example_works():
    source = explorer_module.__doc__.split("A minimal explorer")[1].split("::", 1)[1]
    code = source.split("\n\n" + "Mark every artist")[0]
    lines = [line[4:] for line in code.splitlines()]
    namespace: dict = {}
    exec("\n".join(lines), namespace)  # the package's own documentation
    explorer = namespace["explorer"]
    assert explorer.alt_text(lr=0.9) == "iterates for learning rate 0.9"
    fig = explorer.figure(lr=1.1)
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), 2.0 * (1 - 2 * 1.1) ** np.arange(21))
    assert explorer.png(lr=0.5) != explorer.png(lr=0.7)
