"""The book's one interactive-figure mechanism.

An :class:`Explorer` is a drawing function of some controls, ``draw(fig, **values)``,
plus the controls' value grids. Displayed in a notebook it produces one output that
carries two views:

* a live ipywidgets view (sliders / dropdowns above an image that is redrawn on every
  change) which JupyterLab and Notebook pick when a kernel is running;
* a kernel-free HTML view for the static site: every frame of the controls' grid is
  rendered to PNG when the page is built, embedded as a data URI, and a tiny
  self-contained script switches frames when a control moves. Nothing is fetched from
  anywhere. The site's configuration gives ``text/html`` priority over the widget view.

The live view may offer a finer grid than the static one (``Control.static_values``),
so that a page stays light; the static view says so under its controls.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["Control", "Explorer", "compact_png"]

Drawer = Callable[..., None]

# Element ids of the static views: a counter, not a random id, so that rebuilding a page
# gives byte-identical HTML.
_ids = itertools.count(1)


def compact_png(png: bytes, colors: int = 128) -> bytes:
    """Re-encode a rendered figure with a palette of ``colors`` colours (no dithering).

    Line plots use few colours, so this makes the static frames about four times smaller
    with no visible change; the pages carry tens of frames per interactive figure.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(
        colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    palette.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class Control:
    """One control of an explorer.

    Parameters
    ----------
    name
        The keyword passed to the drawing function.
    values
        The values the live control offers, in order. Numbers give a slider, anything
        else (strings) a drop-down.
    label
        The text shown beside the control.
    default
        The initial value (the first value if omitted).
    static_values
        The subset of ``values`` pre-rendered for the static site (all if omitted).
    fmt
        Formats a value for display, e.g. ``"{:.3g}".format``.
    """

    name: str
    values: Sequence[Any]
    label: str = ""
    default: Any = None
    static_values: Sequence[Any] | None = None
    fmt: Callable[[Any], str] = str

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier, got {self.name!r}")
        if len(self.values) == 0:
            raise ValueError(f"control {self.name!r}: values must not be empty")
        if self.default is not None and self.default not in self.values:
            raise ValueError(f"control {self.name!r}: default {self.default!r} is not in values")
        if self.static_values is not None:
            missing = [v for v in self.static_values if v not in self.values]
            if missing or not self.static_values:
                raise ValueError(
                    f"control {self.name!r}: static_values must be a non-empty subset of values"
                )

    @property
    def initial(self) -> Any:
        """The value shown first."""
        return self.values[0] if self.default is None else self.default

    @property
    def static_grid(self) -> list[Any]:
        """The values pre-rendered for the static page."""
        return list(self.values if self.static_values is None else self.static_values)

    @property
    def is_numeric(self) -> bool:
        """True when the control is a slider over numbers."""
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    @property
    def text(self) -> str:
        """The label, or the name when there is none."""
        return self.label or self.name


@dataclass
class Explorer:
    """A figure that responds to controls, live with a kernel and static without one.

    Parameters
    ----------
    draw
        ``draw(fig, **values)`` draws into the empty matplotlib ``Figure`` it is given.
        It must not call ``plt.show`` or create figures of its own.
    controls
        The controls, in display order.
    alt
        Alt text for the image: a string, or a function of the control values.
    figsize, dpi
        Size of the rendered frames.
    """

    draw: Drawer
    controls: Sequence[Control]
    alt: str | Callable[..., str] = "interactive figure"
    figsize: tuple[float, float] = (8.0, 3.4)
    dpi: int = 90
    #: How many rendered frames :meth:`png` keeps (a frame is some 50 kB).
    CACHE_SIZE: ClassVar[int] = 256

    _frames: dict[str, str] | None = field(default=None, init=False, repr=False)
    _canvas: FigureCanvasAgg | None = field(default=None, init=False, repr=False)
    _rendered: dict[tuple[Any, ...], bytes] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"control names must be unique, got {names}")
        if not names:
            raise ValueError("controls must not be empty")

    # ------------------------------------------------------------ rendering
    @property
    def initial_values(self) -> dict[str, Any]:
        """The values every control starts at."""
        return {c.name: c.initial for c in self.controls}

    def _check_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        merged = self.initial_values
        for name, value in values.items():
            control = next((c for c in self.controls if c.name == name), None)
            if control is None:
                raise ValueError(f"unknown control {name!r}; the controls are {list(merged)}")
            merged[name] = value
        return merged

    def figure(self, **values: Any) -> Figure:
        """A new figure drawn at the given control values (missing ones take defaults)."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        self.draw(fig, **self._check_values(values))
        return fig

    def png(self, **values: Any) -> bytes:
        """The figure at these values as PNG bytes: one live update is exactly this call.

        Every frame drawn is kept (up to :attr:`CACHE_SIZE` of them), so moving a control
        back to a value already shown, or to any value of the static grid once the static
        view has been built, costs a dictionary look-up instead of a redraw.
        """
        merged = self._check_values(values)
        key = tuple(merged[c.name] for c in self.controls)
        if key not in self._rendered:
            if len(self._rendered) >= self.CACHE_SIZE:
                self._rendered.pop(next(iter(self._rendered)))  # the oldest frame
            self._rendered[key] = self.render_png(**merged)
        return self._rendered[key]

    def render_png(self, **values: Any) -> bytes:
        """Draw the figure at these values and encode it as PNG, without the frame cache.

        The image is the one :meth:`figure` draws, byte for byte. For speed, every call
        draws into the same (emptied) figure on the same Agg canvas, so that matplotlib's
        caches of text extents and parsed math labels, which belong to the canvas's
        renderer, carry over from one update to the next instead of starting empty.
        """
        merged = self._check_values(values)
        fig = self._empty_figure()
        try:
            self.draw(fig, **merged)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", facecolor="white")
        finally:
            fig.clear()  # release the artists until the next update
        return buffer.getvalue()

    def _empty_figure(self) -> Figure:
        """The reused figure, emptied and reset to this explorer's size and layout."""
        if self._canvas is None:
            self._canvas = FigureCanvasAgg(Figure(figsize=self.figsize, dpi=self.dpi))
        fig = self._canvas.figure
        fig.clear()
        fig.set_size_inches(self.figsize)
        fig.set_dpi(self.dpi)
        fig.set_layout_engine("constrained")
        return fig

    def alt_text(self, **values: Any) -> str:
        """The alt text at these values."""
        merged = self._check_values(values)
        return self.alt(**merged) if callable(self.alt) else self.alt

    # ------------------------------------------------------------ static view
    def frame_keys(self) -> list[tuple[int, ...]]:
        """Index tuples (into each control's static grid) of every static frame."""
        return list(itertools.product(*(range(len(c.static_grid)) for c in self.controls)))

    def frames(self) -> dict[str, str]:
        """Every static frame as a PNG data URI, keyed by the comma-joined indices.

        Rendered once and cached: this is the build-time cost of the static view.
        """
        if self._frames is None:
            grids = [c.static_grid for c in self.controls]
            frames = {}
            for key in self.frame_keys():
                values = {c.name: grid[i] for c, grid, i in zip(self.controls, grids, key)}
                data = base64.b64encode(compact_png(self.png(**values))).decode("ascii")
                frames[",".join(map(str, key))] = f"data:image/png;base64,{data}"
            self._frames = frames
        return self._frames

    def static_html(self) -> str:
        """A self-contained HTML block: controls, an image, and a script switching frames."""
        uid = f"bpx-{next(_ids)}"
        controls_html, alts = [], {}
        start_key = []
        for i, control in enumerate(self.controls):
            grid = control.static_grid
            start = grid.index(control.initial) if control.initial in grid else 0
            start_key.append(start)
            labels = [control.fmt(v) for v in grid]
            ident = f"{uid}-c{i}"
            label = html.escape(control.text)
            if control.is_numeric:
                widget = (
                    f'<input type="range" id="{ident}" min="0" max="{len(grid) - 1}" step="1" '
                    f'value="{start}" data-labels="{html.escape(json.dumps(labels))}" '
                    f'aria-label="{label}">'
                    f'<output for="{ident}" class="bpx-value">{html.escape(labels[start])}</output>'
                )
            else:
                options = "".join(
                    f'<option value="{j}"{" selected" if j == start else ""}>'
                    f"{html.escape(text)}</option>"
                    for j, text in enumerate(labels)
                )
                widget = f'<select id="{ident}" aria-label="{label}">{options}</select>'
            controls_html.append(
                '<span class="bpx-control" style="display:inline-flex;align-items:center;'
                f'gap:0.4em"><label for="{ident}">{label}</label>{widget}</span>'
            )
        for key in self.frame_keys():
            values = {c.name: c.static_grid[j] for c, j in zip(self.controls, key)}
            alts[",".join(map(str, key))] = self.alt_text(**values)
        frames = self.frames()
        first = ",".join(map(str, start_key))
        note = self._subset_note()
        payload = json.dumps({"frames": frames, "alts": alts}).replace("</", "<\\/")
        return (
            f'<div class="bpx-explorer" id="{uid}">'
            '<div class="bpx-controls" style="display:flex;flex-wrap:wrap;align-items:center;'
            f'gap:0.4em 1.6em">{"".join(controls_html)}</div>'
            f"{note}"
            f'<img class="bpx-frame" src="{frames[first]}" alt="{html.escape(alts[first])}">'
            f'<script type="application/json" class="bpx-data">{payload}</script>'
            f"<script>{_SWITCHER_JS.replace('__UID__', uid)}</script>"
            "</div>"
        )

    def _subset_note(self) -> str:
        reduced = [c for c in self.controls if len(c.static_grid) < len(c.values)]
        if not reduced:
            return ""
        names = ", ".join(html.escape(c.text) for c in reduced)
        return (
            '<p class="bpx-note">This page was built without a running kernel, so it shows '
            f"pre-computed frames and offers fewer values of {names} than the live notebook.</p>"
        )

    # ------------------------------------------------------------ live view
    def widget(self):  # -> ipywidgets.Widget (imported lazily: plotting stays optional)
        """The live view: ipywidgets controls above an image redrawn on every change."""
        import ipywidgets as widgets

        image = widgets.Image(value=self.png(), format="png")
        inputs = {}
        for control in self.controls:
            options = [(control.fmt(v), v) for v in control.values]
            cls = widgets.SelectionSlider if control.is_numeric else widgets.Dropdown
            kwargs = {"continuous_update": False} if control.is_numeric else {}
            inputs[control.name] = cls(
                options=options,
                value=control.initial,
                description=control.text,
                style={"description_width": "initial"},
                **kwargs,
            )

        def update(_change: object = None) -> None:
            image.value = self.png(**{name: w.value for name, w in inputs.items()})

        for w in inputs.values():
            w.observe(update, names="value")
        return widgets.VBox([widgets.HBox(list(inputs.values())), image])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        """Both views in one output: the front end (or the site's MIME priority) picks."""
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = f"<Explorer: {', '.join(c.text for c in self.controls)}>"
        return bundle


# The static view's script: reads the frame table from its own container, listens to
# its own controls, and swaps the image source and alt text. No globals, no fetches.
_SWITCHER_JS = """
(function () {
  var root = document.getElementById("__UID__");
  if (!root) { return; }
  var data = JSON.parse(root.querySelector("script.bpx-data").textContent);
  var img = root.querySelector("img.bpx-frame");
  var inputs = root.querySelectorAll(".bpx-controls input, .bpx-controls select");
  function update() {
    var key = [];
    inputs.forEach(function (el) {
      key.push(el.value);
      if (el.dataset.labels) {
        var out = el.nextElementSibling;
        if (out) { out.textContent = JSON.parse(el.dataset.labels)[Number(el.value)]; }
      }
    });
    var k = key.join(",");
    if (data.frames[k]) { img.src = data.frames[k]; img.alt = data.alts[k]; }
  }
  inputs.forEach(function (el) {
    el.addEventListener("input", update);
    el.addEventListener("change", update);
  });
})();
"""
