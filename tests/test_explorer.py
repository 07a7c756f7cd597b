"""The interactive-figure mechanism: static frames, live widget, one output carrying both."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from bpnotes.explorer import Control, Explorer
from bpnotes.plots.intro import quadratic_explorer


def line_explorer() -> Explorer:
    def draw(fig, slope, style):
        ax = fig.subplots()
        ax.plot([0, 1], [0, slope], linestyle="-" if style == "solid" else ":")
        ax.set_ylim(-3, 3)

    return Explorer(
        draw,
        [
            Control("slope", [-2.0, 0.0, 1.0, 2.0], default=1.0, static_values=[-2.0, 2.0]),
            Control("style", ["solid", "dotted"]),
        ],
        alt=lambda slope, style: f"a {style} line of slope {slope}",
        figsize=(2, 2),
        dpi=40,
    )


def decode_frames(html: str) -> dict:
    payload = re.search(r'<script type="application/json" class="bpx-data">(.*?)</script>', html)
    return json.loads(payload.group(1).replace("<\\/", "</"))


def test_static_view_has_one_distinct_frame_per_static_grid_point():
    explorer = line_explorer()
    data = decode_frames(explorer.static_html())
    assert sorted(data["frames"]) == ["0,0", "0,1", "1,0", "1,1"]
    pngs = {k: base64.b64decode(v.split(",", 1)[1]) for k, v in data["frames"].items()}
    assert all(p.startswith(b"\x89PNG") for p in pngs.values())
    assert len(set(pngs.values())) == 4  # every control changes the picture
    assert data["alts"]["1,1"] == "a dotted line of slope 2.0"


def test_static_view_controls_start_at_the_defaults_and_note_the_subset():
    html = line_explorer().static_html()
    assert 'type="range"' in html and "<select" in html
    # default slope 1.0 is not in the static subset: the slider starts at index 0
    assert 'value="0"' in html
    assert "fewer values of slope" in html
    assert "http" not in html.replace("data:image/png", "")  # nothing loaded from anywhere


def decode_png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float)


def test_frames_match_direct_rendering_and_are_compressed():
    explorer = line_explorer()
    frame = base64.b64decode(explorer.frames()["1,1"].split(",", 1)[1])
    direct = explorer.png(slope=2.0, style="dotted")
    assert len(frame) < len(direct)
    pixels, reference = decode_png(frame), decode_png(direct)
    assert pixels.shape == reference.shape
    other = decode_png(explorer.png(slope=-2.0, style="dotted"))

    def changed(a, b):  # the fraction of pixels that differ visibly
        return np.mean(np.max(np.abs(a - b), axis=2) > 40)

    assert changed(pixels, reference) < 0.001  # visually the same picture...
    assert changed(pixels, other) > 0.005  # ...while a different frame is not (a thin line)


def test_live_widget_redraws_when_a_control_moves():
    explorer = line_explorer()
    box = explorer.widget()
    slider, dropdown = box.children[0].children
    image = box.children[1]
    first = image.value
    assert first == explorer.png(slope=1.0, style="solid")
    slider.value = -2.0
    assert image.value == explorer.png(slope=-2.0, style="solid")
    dropdown.value = "dotted"
    assert image.value == explorer.png(slope=-2.0, style="dotted")
    assert image.value != first


def test_one_output_carries_the_widget_and_the_html_fallback():
    bundle = line_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="bpx-explorer"')
    assert "slope" in bundle["text/plain"]


def test_static_html_ids_are_unique_per_display():
    explorer = line_explorer()
    first, second = explorer.static_html(), explorer.static_html()
    id1 = re.search(r'id="(bpx-\d+)"', first).group(1)
    id2 = re.search(r'id="(bpx-\d+)"', second).group(1)
    assert id1 != id2


def test_quadratic_explorer_survives_every_learning_rate():
    explorer = quadratic_explorer()
    for lr in explorer.controls[0].values:
        fig = explorer.figure(lr=lr)
        titles = " ".join(ax.get_title() for ax in fig.axes)
        assert ("diverg" in titles) == (lr > 1.0)
        for ax in fig.axes:
            for line in ax.get_lines():
                assert np.all(np.isfinite(line.get_ydata()))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Control("bad name", [1]), "identifier"),
        (lambda: Control("x", []), "must not be empty"),
        (lambda: Control("x", [1, 2], default=3), "default 3 is not in values"),
        (lambda: Control("x", [1, 2], static_values=[5]), "subset"),
        (lambda: Explorer(lambda fig, x: None, [Control("x", [1]), Control("x", [2])]), "unique"),
        (lambda: Explorer(lambda fig: None, []), "must not be empty"),
        (lambda: line_explorer().png(colour="red"), "unknown control 'colour'"),
    ],
)
def test_bad_explorer_definitions(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_frames_already_drawn_are_served_from_the_cache():
    calls = []

    def draw(fig, x):
        calls.append(x)
        fig.subplots().plot([0, 1], [0, x])

    explorer = Explorer(draw, [Control("x", [1, 2, 3], static_values=[1, 3])], figsize=(1, 1),
                        dpi=30)
    explorer.frames()  # building the static view draws the static grid once
    assert sorted(calls) == [1, 3]
    assert explorer.png(x=3) == explorer.render_png(x=3)  # render_png bypasses the cache
    assert calls.count(3) == 2
    explorer.png(x=2)
    explorer.png(x=2)
    assert calls.count(2) == 1  # drawn once, then looked up


def test_the_cache_is_bounded():
    explorer = Explorer(lambda fig, x: fig.subplots(), [Control("x", list(range(10)))],
                        figsize=(1, 1), dpi=20)
    explorer.CACHE_SIZE = 4
    for x in range(10):
        explorer.png(x=x)
    assert len(explorer._rendered) == 4
    assert list(explorer._rendered) == [(6,), (7,), (8,), (9,)]
