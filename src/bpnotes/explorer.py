"""The book's one interactive-figure mechanism.

An :class:`Explorer` shows one figure that answers to a few controls. It is written as
two steps, so that each is done once and no more:

``compute(**values) -> data``
    The numbers behind one picture (a training run, a grid of probabilities, a contour
    segment list), for one value of every control. It takes every control's value as a
    keyword argument and may return any object; the explorer caches the result per
    combination of values, so moving a control back to a value already seen costs no
    computation. ``compute`` must not draw and the data it returns must not be changed
    afterwards. If it takes a keyword ``progress``, it is given a function to call with
    the fraction done (0 to 1), shown by the live view while a long run is going.

``draw(fig) -> update``
    Called *once* per explorer with an empty matplotlib :class:`~matplotlib.figure.Figure`
    of the explorer's size. It creates every axes and artist the picture needs — with
    axis limits fixed for all values, so that frames can be compared — and returns a
    function ``update(data)`` that changes those artists in place (``Line2D.set_data``,
    ``AxesImage.set_data``, ``Text.set_text``, ``LineCollection.set_segments``, ...),
    never adding axes or changing limits. One live update is ``update(data)`` plus one
    render of the same figure, which keeps it fast.

Controls are :class:`Control` objects: a keyword name, the values offered, a label (the
control's accessible name) and optionally a default, a subset for the static site and
a formatter. The widget follows from the values: six or more numbers give a slider whose
ticks are exactly the values, spaced on their own scale (logarithmic for values like
learning rates, detected or set with ``scale=``); fewer values give a row of buttons;
many words a drop-down.

A minimal explorer (``tests/test_explorer.py`` runs this example)::

    import numpy as np
    from bpnotes.explorer import Control, Explorer
    from bpnotes.plots.style import FONT, finish_axes

    def compute(lr):                        # values -> data (cached by the explorer)
        w = [2.0]
        for _ in range(20):
            w.append(w[-1] * (1 - 2 * lr))
        return {"lr": lr, "w": np.array(w)}

    def draw(fig):                          # once: axes, fixed limits, empty artists
        ax = fig.subplots()
        (line,) = ax.plot([], [], marker="o", animated=True)
        ax.set_xlim(0, 20)
        ax.set_ylim(-3, 3)
        finish_axes(ax, title=" ", xlabel="step $k$", ylabel="$w_k$")
        ax.title.set_animated(True)

        def update(data):                   # every value: change the artists in place
            line.set_data(np.arange(len(data["w"])), data["w"])
            ax.set_title(rf"$\\eta = {data['lr']:g}$", fontsize=FONT)

        return update

    explorer = Explorer(compute, draw,
                        [Control("lr", [0.1, 0.3, 0.5, 0.7, 0.9, 1.1],
                                 label="learning rate η", default=0.3)],
                        alt=lambda data: f"iterates for learning rate {data['lr']:g}",
                        figsize=(7.0, 2.5))

Mark every artist that ``update`` changes as animated (``animated=True``, or
``artist.set_animated(True)``; for a title, ``ax.title.set_animated(True)``): the
explorer then keeps the rest of the picture as a rendered background and redraws only
those, in order of their ``zorder`` — so an artist that must appear *over* an animated
one (class markers over decision regions) must be animated too. ``savefig`` leaves
animated artists out: use :meth:`Explorer.png` to get a picture.

Displayed as the last expression of a cell (``explorer``) it shows:

* in a live kernel, an ipywidgets view: the controls above the figure, redrawn on every
  change. Nothing else is rendered: the cell finishes as soon as the first picture is
  drawn, and the saved output holds only that picture;
* in the book build, a kernel-free HTML view for the static site: every frame of the
  controls' static grid is drawn (``update`` applied to each precomputed data), and a
  small script switches frames when a control moves. The build says it wants this by
  setting the environment variable :data:`STATIC_FRAMES_ENV` to ``1``
  (``book/_ext/figures.py`` does, and the kernels the build starts inherit it). The
  build also moves the frames out of the page into image files loaded on demand.

Frames are drawn at :data:`DENSITY` times the figure's size in CSS pixels (96 per inch),
so they are sharp on high-density screens; the page shows them at the figure's size.
In a chapter, the explorer cell carries the usual ``mystnb: figure: caption/name``
metadata, so an explorer is a numbered figure like any other.
"""

from __future__ import annotations

import base64
import html
import inspect
import io
import itertools
import json
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, ClassVar

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

__all__ = ["DENSITY", "STATIC_FRAMES_ENV", "Control", "Explorer", "compact_png",
           "static_frames_wanted"]

#: Environment variable the book build sets to ``1``: explorers then add the static view.
STATIC_FRAMES_ENV = "BPNOTES_STATIC_FRAMES"
#: Device pixels per CSS pixel of every rendered frame (2: sharp on high-density screens).
DENSITY = 2
#: CSS pixels per inch: a figure 7 inches wide is shown 672 pixels wide.
CSS_DPI = 96
#: Controls with at most this many values are buttons, not sliders.
MAX_BUTTONS = 5

Compute = Callable[..., Any]
Update = Callable[[Any], None]
Draw = Callable[[Figure], Update]

# Element ids of the static views: a counter, not a random id, so that rebuilding a page
# gives byte-identical HTML.
_ids = itertools.count(1)


def static_frames_wanted() -> bool:
    """True in the book build (which sets :data:`STATIC_FRAMES_ENV`), False in a notebook."""
    return os.environ.get(STATIC_FRAMES_ENV, "") == "1"


def compact_png(png: bytes, colors: int = 256) -> bytes:
    """Re-encode a rendered figure with a palette of at most ``colors`` colours.

    Plots use few colours (plus the anti-aliasing blends between them), so a palette
    without dithering makes the image several times smaller with no visible change.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(
        colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    palette.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def _pixels(fig: Figure) -> Image.Image:
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    return image.convert("RGB")


def encode_png(fig: Figure) -> bytes:
    """The pixels last drawn on ``fig``'s Agg canvas as (lossless) PNG bytes."""
    buffer = io.BytesIO()
    _pixels(fig).save(buffer, format="png")
    return buffer.getvalue()


def encode_jpeg(fig: Figure) -> bytes:
    """The pixels last drawn on ``fig``'s Agg canvas as JPEG bytes, for the live view.

    Quality 92 without chroma subsampling: at twice the density it is shown at, no
    artefact is visible, and it encodes several times faster than PNG (a live update
    is mostly rendering and encoding).
    """
    buffer = io.BytesIO()
    _pixels(fig).save(buffer, format="jpeg", quality=92, subsampling=0)
    return buffer.getvalue()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class Control:
    """One control of an explorer.

    Parameters
    ----------
    name
        The keyword passed to ``compute`` (a Python identifier).
    values
        The values the live control offers, in order (a list or tuple of distinct,
        hashable values).
    label
        The text shown beside the control, and its accessible name (default: ``name``).
    default
        The initial value (the first value if omitted).
    static_values
        The subset of ``values`` pre-rendered for the static site (all if omitted).
    fmt
        Formats a value for display, e.g. ``"{:.3g}".format`` (default ``str``).
    scale
        How a slider spaces its values: ``"log"``, ``"linear"``, or ``None`` to choose
        from the values (logarithmic when they are positive, span a factor of 20 or
        more and are closer to evenly spaced in their logarithm).
    """

    def __init__(
        self,
        name: str,
        values: Sequence[Any],
        label: str = "",
        default: Any = None,
        static_values: Sequence[Any] | None = None,
        fmt: Callable[[Any], str] = str,
        scale: str | None = None,
    ) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Control name must be a string, got {type(name).__name__}")
        if not name.isidentifier():
            raise ValueError(f"Control name must be a Python identifier, got {name!r}")
        self.name = name
        self.values = self._value_list("values", values)
        if not isinstance(label, str):
            raise TypeError(f"control {name!r}: label must be a string, got "
                            f"{type(label).__name__}")
        self.label = label
        if default is not None and default not in self.values:
            raise ValueError(f"control {name!r}: default {default!r} is not in values")
        self.default = default
        if static_values is not None:
            static = self._value_list("static_values", static_values)
            missing = [v for v in static if v not in self.values]
            if missing:
                raise ValueError(f"control {name!r}: static_values must be a subset of "
                                 f"values; {missing} are not in values")
            static_values = [v for v in self.values if v in static]  # in the live order
        self.static_values = static_values
        if not callable(fmt):
            raise TypeError(f"control {name!r}: fmt must be a function, got "
                            f"{type(fmt).__name__}")
        self.fmt = fmt
        if scale not in (None, "log", "linear"):
            raise ValueError(f"control {name!r}: scale must be 'log', 'linear' or None, "
                             f"got {scale!r}")
        if scale == "log" and not (self.is_numeric and min(self.values) > 0):
            raise ValueError(f"control {name!r}: scale='log' needs positive numbers")
        if scale is not None and not self.is_numeric:
            raise ValueError(f"control {name!r}: scale applies to numbers only")
        self._scale = scale

    def _value_list(self, what: str, values: object) -> list[Any]:
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):
            raise TypeError(f"control {self.name!r}: {what} must be a list or tuple of "
                            f"values, got {type(values).__name__}")
        if len(values) == 0:
            raise ValueError(f"control {self.name!r}: {what} must not be empty")
        if not all(isinstance(v, Hashable) for v in values):
            raise TypeError(f"control {self.name!r}: {what} must be hashable (numbers or "
                            f"strings)")
        if len(set(values)) != len(values):
            raise ValueError(f"control {self.name!r}: {what} must be distinct, got "
                             f"{list(values)}")
        numbers = [_is_number(v) for v in values]
        if any(numbers) and not all(numbers):
            raise TypeError(f"control {self.name!r}: {what} must be all finite numbers or "
                            f"all other values, got {list(values)}")
        return list(values)

    def __repr__(self) -> str:
        return f"Control({self.name!r}, {self.values!r})"

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
        """True when every value is a (finite, non-boolean) number."""
        return all(_is_number(v) for v in self.values)

    @property
    def text(self) -> str:
        """The label, or the name when there is none."""
        return self.label or self.name

    @property
    def scale(self) -> str:
        """``"log"``, ``"linear"`` (numbers) or ``"categorical"``."""
        if not self.is_numeric:
            return "categorical"
        if self._scale is not None:
            return self._scale
        low, high = min(self.values), max(self.values)
        if low <= 0 or high / low < 20 or len(self.values) < 3:
            return "linear"
        ordered = sorted(float(v) for v in self.values)
        logs = [math.log(v) for v in ordered]

        def unevenness(points: list[float]) -> float:
            gaps = [b - a for a, b in itertools.pairwise(points)]
            mean = sum(gaps) / len(gaps)
            return (sum((g - mean) ** 2 for g in gaps) / len(gaps)) ** 0.5 / mean

        return "log" if unevenness(logs) < unevenness(ordered) else "linear"

    def position(self, value: Any) -> float:
        """Where ``value`` sits on a slider: the value itself or its log10."""
        return math.log10(value) if self.scale == "log" else float(value)

    def kind(self, values: Sequence[Any]) -> str:
        """The widget offering ``values``: ``"slider"``, ``"buttons"`` or ``"dropdown"``."""
        if len(values) <= MAX_BUTTONS:
            return "buttons"
        return "slider" if self.is_numeric else "dropdown"


class Explorer:
    """A figure that answers to controls, live with a kernel and static without one.

    See the module docstring for the two steps and a complete example.

    Parameters
    ----------
    compute
        ``compute(**values) -> data`` for one value of every control (cached).
    draw
        ``draw(fig) -> update``: builds the persistent figure once and returns
        ``update(data)``, which changes its artists in place.
    controls
        The controls, in display order.
    alt
        Alt text of the image: a string, or a function of the data.
    figsize
        Width and height in inches; at 96 CSS pixels per inch. 7 inches is the width of
        the book's text column.
    """

    #: How many computed results are kept (least recently used ones are dropped).
    CACHE_SIZE: ClassVar[int] = 256

    def __init__(
        self,
        compute: Compute,
        draw: Draw,
        controls: Sequence[Control],
        *,
        alt: str | Callable[[Any], str],
        figsize: tuple[float, float] = (7.0, 3.0),
    ) -> None:
        if not callable(compute):
            raise TypeError(f"compute must be a function of the control values, got "
                            f"{type(compute).__name__}")
        if not callable(draw):
            raise TypeError(f"draw must be a function of a Figure, got {type(draw).__name__}")
        if isinstance(controls, str) or not isinstance(controls, Sequence):
            raise TypeError(f"controls must be a list of Control, got {type(controls).__name__}")
        for i, control in enumerate(controls):
            if not isinstance(control, Control):
                raise TypeError(f"controls[{i}] must be a Control, got {control!r}")
        names = [c.name for c in controls]
        if not names:
            raise ValueError("controls must not be empty")
        if len(set(names)) != len(names):
            raise ValueError(f"control names must be unique, got {names}")
        if not (isinstance(alt, str) or callable(alt)):
            raise TypeError(f"alt must be a string or a function of the data, got "
                            f"{type(alt).__name__}")
        if (isinstance(figsize, str) or not isinstance(figsize, Sequence) or len(figsize) != 2
                or not all(_is_number(v) and v > 0 for v in figsize)):
            raise ValueError(f"figsize must be two positive numbers (inches), got {figsize!r}")
        self._progress_keyword = self._check_signature(compute, names)
        self.compute = compute
        self.draw = draw
        self.controls = list(controls)
        self.alt = alt
        # Whole CSS pixels, so that the rendered frame is exactly DENSITY times the size shown.
        width, height = (round(v * CSS_DPI) / CSS_DPI for v in figsize)
        self.figsize = (width, height)
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._figure: Figure | None = None
        self._update: Update | None = None
        self._shown: tuple[Any, ...] | None = None
        self._animated: list[Any] = []
        self._background: Any = None
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None

    @staticmethod
    def _check_signature(compute: Compute, names: list[str]) -> bool:
        try:
            signature = inspect.signature(compute)
        except (TypeError, ValueError):  # builtins without a signature: trust them
            return False
        progress = "progress" in signature.parameters
        keywords = dict.fromkeys(names, None)
        if progress:
            keywords["progress"] = None
        try:
            signature.bind(**keywords)
        except TypeError as error:
            raise TypeError(f"compute must accept the control names {names} as keywords: "
                            f"{error}") from None
        return progress

    # ------------------------------------------------------------ values and data
    @property
    def initial_values(self) -> dict[str, Any]:
        """The values every control starts at."""
        return {c.name: c.initial for c in self.controls}

    def _check_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        merged = self.initial_values
        by_name = {c.name: c for c in self.controls}
        for name, value in values.items():
            if name not in by_name:
                raise ValueError(f"unknown control {name!r}; the controls are {list(merged)}")
            if value not in by_name[name].values:
                raise ValueError(f"{name}={value!r} is not one of the values of control "
                                 f"{name!r}: {by_name[name].values}")
            merged[name] = value
        return merged

    def _key(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(values[c.name] for c in self.controls)

    def is_computed(self, **values: Any) -> bool:
        """True when the data at these values are in the cache."""
        return self._key(self._check_values(values)) in self._data

    def data(self, progress: Callable[[float], None] | None = None, **values: Any) -> Any:
        """The computed data at these values (missing ones take defaults), cached."""
        merged = self._check_values(values)
        key = self._key(merged)
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        arguments = dict(merged)
        if self._progress_keyword:
            arguments["progress"] = progress or (lambda fraction: None)
        result = self.compute(**arguments)
        with self._lock:
            self._data[key] = result
            while len(self._data) > self.CACHE_SIZE:
                self._data.popitem(last=False)
        return result

    def alt_text(self, **values: Any) -> str:
        """The alt text at these values."""
        if isinstance(self.alt, str):
            self._check_values(values)
            return self.alt
        return str(self.alt(self.data(**values)))

    # ------------------------------------------------------------ the one figure
    @property
    def size_px(self) -> tuple[int, int]:
        """The figure's size in CSS pixels (it is rendered at :data:`DENSITY` times that)."""
        return round(self.figsize[0] * CSS_DPI), round(self.figsize[1] * CSS_DPI)

    def _ensure_figure(self) -> tuple[Figure, Update]:
        if self._figure is None or self._update is None:
            fig = Figure(figsize=self.figsize, dpi=CSS_DPI * DENSITY, layout="constrained")
            FigureCanvasAgg(fig)
            fig.patch.set_facecolor("white")
            update = self.draw(fig)
            if not callable(update):
                raise TypeError("draw(fig) must return the function update(data), got "
                                f"{type(update).__name__}")
            # Lay the figure out once, at the first picture, then keep the positions:
            # frames stay aligned and no update pays for the layout again.
            update(self.data(**self.initial_values))
            self._animated = sorted(
                (a for a in fig.findobj() if a is not fig and a.get_animated()),
                key=lambda a: a.get_zorder())
            for artist in self._animated:  # data change with the values; text keeps its room
                if not isinstance(artist, Text):
                    artist.set_in_layout(False)
            fig.canvas.draw()
            fig.set_layout_engine("none")
            self._figure, self._update = fig, update
            self._shown = self._key(self.initial_values)
        return self._figure, self._update

    def figure(self, **values: Any) -> Figure:
        """The explorer's one figure, updated to these values (missing ones: defaults).

        The same object is returned every time; the next call changes it.
        """
        data = self.data(**values)
        with self._lock:
            fig, update = self._ensure_figure()
            key = self._key(self._check_values(values))
            if key != self._shown:
                update(data)
                self._shown = key
        return fig

    def png(self, **values: Any) -> bytes:
        """The picture at these values as PNG bytes, :data:`DENSITY` times the CSS size."""
        with self._lock:
            return encode_png(self.render(**values))

    def jpeg(self, **values: Any) -> bytes:
        """The picture at these values as the live view shows it (see :func:`encode_jpeg`)."""
        with self._lock:
            return encode_jpeg(self.render(**values))

    def render(self, **values: Any) -> Figure:
        """Draw the picture at these values on the figure's canvas (no encoding).

        When ``draw`` marked the artists that ``update`` changes as animated
        (``artist.set_animated(True)``), everything else is drawn once and kept as a
        background; each later render restores it and draws only the animated artists.
        Otherwise the whole figure is drawn. (Animated artists are left out of
        ``savefig``: render explorers through this method.)
        """
        with self._lock:
            fig = self.figure(**values)
            canvas = fig.canvas
            assert isinstance(canvas, FigureCanvasAgg)
            if not self._animated:
                canvas.draw()
                return fig
            if self._background is None:
                canvas.draw()  # leaves the animated artists out
                self._background = canvas.copy_from_bbox(fig.bbox)
            else:
                canvas.restore_region(self._background)
            for artist in self._animated:
                fig.draw_artist(artist)
            return fig

    # ------------------------------------------------------------ static view
    def frame_keys(self) -> list[tuple[int, ...]]:
        """Index tuples (into each control's static grid) of every static frame."""
        return list(itertools.product(*(range(len(c.static_grid)) for c in self.controls)))

    def _frame_values(self, key: tuple[int, ...]) -> dict[str, Any]:
        return {c.name: c.static_grid[i] for c, i in zip(self.controls, key, strict=True)}

    def frames(self) -> dict[str, bytes]:
        """Every static frame as palette PNG bytes, keyed by the comma-joined indices."""
        return {",".join(map(str, key)): compact_png(self.png(**self._frame_values(key)))
                for key in self.frame_keys()}

    def static_html(self) -> str:
        """A self-contained HTML block: controls, the image and a script switching frames.

        Frames are embedded as data URIs; the book build moves them into image files.
        """
        uid = f"bpx-{next(_ids)}"
        start = [c.static_grid.index(c.initial) if c.initial in c.static_grid else 0
                 for c in self.controls]
        controls_html = [_static_control(f"{uid}-c{i}", c, s)
                         for i, (c, s) in enumerate(zip(self.controls, start, strict=True))]
        frames = {key: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
                  for key, png in self.frames().items()}
        alts = {",".join(map(str, key)): self.alt_text(**self._frame_values(key))
                for key in self.frame_keys()}
        first = ",".join(map(str, start))
        width, height = self.size_px
        payload = json.dumps({"frames": frames, "alts": alts}).replace("</", "<\\/")
        return (
            f'<div class="bpx-explorer" id="{uid}" style="max-width:{width}px">'
            f'<div class="bpx-controls">{"".join(controls_html)}</div>'
            f"{self._subset_note()}"
            f'<img class="bpx-frame" src="{frames[first]}" alt="{html.escape(alts[first])}" '
            f'width="{width}" height="{height}">'
            f'<script type="application/json" class="bpx-data">{payload}</script>'
            f"<script>{_SWITCHER_JS.replace('__UID__', uid)}</script>"
            "</div>"
        )

    def _subset_note(self) -> str:
        reduced = [c for c in self.controls if len(c.static_grid) < len(c.values)]
        if not reduced:
            return ""
        parts = [f"{html.escape(c.text)}: {', '.join(html.escape(c.fmt(v)) for v in c.static_grid)}"
                 for c in reduced]
        return ('<p class="bpx-note">This page offers the values ' + "; ".join(parts)
                + ". Run the chapter as a notebook for more.</p>")

    # ------------------------------------------------------------ live view
    def widget(self) -> Any:  # ipywidgets.VBox (imported lazily: plotting stays optional)
        """The live view: ipywidgets controls above the figure, redrawn on every change.

        A value not computed before is computed in a background thread while a progress
        bar runs, so the notebook stays responsive; only the latest request is shown.
        """
        import ipywidgets as widgets

        width, _ = self.size_px
        image = widgets.Image(value=self.jpeg(), format="jpeg",
                              layout=widgets.Layout(width=f"{width}px", max_width="100%",
                                                    height="auto"))
        status = widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))
        bar = widgets.FloatProgress(value=0.0, min=0.0, max=1.0, description="computing",
                                    layout=widgets.Layout(visibility="hidden"))
        inputs = {c.name: _LiveControl(c) for c in self.controls}
        latest: list[tuple[Any, ...]] = []

        def show(values: dict[str, Any]) -> None:
            key = self._key(values)
            if latest and latest[-1] != key:
                return  # a newer request is on its way
            frame = self.jpeg(**values)
            if latest and latest[-1] != key:
                return  # ... or was shown while this one was drawn
            image.value = frame
            bar.layout.visibility = "hidden"
            status.value = ""

        def job(values: dict[str, Any]) -> None:
            start = time.perf_counter()
            last = [0.0]

            def progress(fraction: float) -> None:
                now = time.perf_counter()
                if now - last[0] > 0.1:
                    last[0] = now
                    bar.value = min(max(float(fraction), 0.0), 1.0)
                    status.value = f"computing… {now - start:.1f} s"

            try:
                self.data(progress=progress, **values)
                show(values)
            except Exception as error:  # shown, not lost in a thread
                status.value = html.escape(f"failed: {error!r}")
                raise

        def changed(_change: object = None) -> None:
            values = {name: live.value for name, live in inputs.items()}
            latest.append(self._key(values))
            del latest[:-1]
            if self.is_computed(**values):
                show(values)
                return
            bar.value = 0.0
            bar.layout.visibility = "visible"
            status.value = "computing…"
            self._worker = threading.Thread(target=job, args=(values,), daemon=True)
            self._worker.start()

        for live in inputs.values():
            live.observe(changed)
        rows = [live.box for live in inputs.values()]
        for row in rows:
            row.layout.margin = "0 1.5em 0.3em 0"
        controls = widgets.Box(rows, layout=widgets.Layout(display="flex", flex_flow="row wrap"))
        return widgets.VBox([controls, widgets.HBox([bar, status]), image])

    def wait(self, timeout: float = 60.0) -> None:
        """Wait for a live update that is computing in the background (for tests)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget in a kernel; in the book build only the static HTML view."""
        text = f"<Explorer: {', '.join(c.text for c in self.controls)}>"
        if static_frames_wanted():
            return {"text/html": self.static_html(), "text/plain": text}
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = text
        return bundle


class _LiveControl:
    """One control in the live view: a slider with a full readout, buttons or a drop-down."""

    def __init__(self, control: Control) -> None:
        import ipywidgets as widgets

        self.control = control
        self.kind = control.kind(control.values)
        label = widgets.Label(control.text)
        if self.kind == "slider":
            self.positions = [control.position(v) for v in control.values]
            low, high = min(self.positions), max(self.positions)
            self.widget: Any = widgets.FloatSlider(
                value=control.position(control.initial), min=low, max=high,
                step=(high - low) / 1000, readout=False, continuous_update=False,
                description=control.text, style={"description_width": "0px"},
                layout=widgets.Layout(width="16em"))
            self.readout = widgets.Label(control.fmt(control.initial))
            ticks = "".join(
                f'<span style="position:absolute;left:{100 * (p - low) / (high - low):.2f}%;'
                'border-left:1px solid currentColor;height:0.45em"></span>'
                for p in self.positions)
            tick_row = widgets.HTML(
                f'<div title="the values offered" style="position:relative;height:0.5em;'
                f'margin:0 8px">{ticks}</div>', layout=widgets.Layout(width="16em"))
            self._value = control.initial
            slider = widgets.VBox([self.widget, tick_row])
            self.box = widgets.HBox([label, slider, self.readout])
        elif self.kind == "buttons":
            self.widget = widgets.ToggleButtons(
                options=[(control.fmt(v), v) for v in control.values], value=control.initial,
                description=control.text, style={"description_width": "0px",
                                                 "button_width": "auto"})
            self.box = widgets.HBox([label, self.widget])
        else:
            self.widget = widgets.Dropdown(
                options=[(control.fmt(v), v) for v in control.values], value=control.initial,
                description=control.text, style={"description_width": "0px"})
            self.box = widgets.HBox([label, self.widget])

    @property
    def value(self) -> Any:
        return self._value if self.kind == "slider" else self.widget.value

    def set(self, value: Any) -> None:
        """Select ``value`` (one of the control's values), as a reader would."""
        if self.kind == "slider":
            self.widget.value = self.control.position(value)
        else:
            self.widget.value = value

    def observe(self, callback: Callable[[object], None]) -> None:
        if self.kind != "slider":
            self.widget.observe(callback, names="value")
            return

        def snap(change: Any) -> None:
            # Snap to the nearest value; a small move (an arrow key) goes to the next
            # value in its direction, so the keyboard reaches every value.
            values, positions = self.control.values, self.positions
            old = values.index(self._value)
            new = min(range(len(values)), key=lambda i: abs(positions[i] - change["new"]))
            if new == old and change["new"] != positions[old]:
                step = 1 if change["new"] > positions[old] else -1
                new = min(max(old + step, 0), len(values) - 1)
            if positions[new] != change["new"]:
                self.widget.value = positions[new]  # calls snap again, which then settles
                return
            if new != old:
                self._value = values[new]
                self.readout.value = self.control.fmt(self._value)
                callback(change)

        self.widget.observe(snap, names="value")


def _static_control(ident: str, control: Control, start: int) -> str:
    """The HTML of one control of the static view."""
    grid = control.static_grid
    labels = [control.fmt(v) for v in grid]
    label = html.escape(control.text)
    kind = control.kind(grid)
    if kind == "buttons":
        buttons = "".join(
            f'<label class="bpx-button"><input type="radio" name="{ident}" value="{j}"'
            f'{" checked" if j == start else ""}><span>{html.escape(text)}</span></label>'
            for j, text in enumerate(labels))
        return (f'<fieldset class="bpx-control bpx-buttons"><legend>{label}</legend>'
                f"{buttons}</fieldset>")
    if kind == "dropdown":
        options = "".join(f'<option value="{j}"{" selected" if j == start else ""}>'
                          f"{html.escape(text)}</option>" for j, text in enumerate(labels))
        return (f'<span class="bpx-control"><label for="{ident}">{label}</label>'
                f'<select id="{ident}">{options}</select></span>')
    positions = [control.position(v) for v in grid]
    low, high = min(positions), max(positions)
    ticks = "".join(f'<option value="{p:.10g}" label="{html.escape(t)}"></option>'
                    for p, t in zip(positions, labels, strict=True))
    return (
        f'<span class="bpx-control bpx-slider"><label for="{ident}">{label}</label>'
        f'<span class="bpx-track"><input type="range" id="{ident}" min="{low:.10g}" '
        f'max="{high:.10g}" step="any" value="{positions[start]:.10g}" list="{ident}-ticks" '
        f'aria-valuetext="{html.escape(labels[start])}" data-index="{start}" '
        f'data-positions="{html.escape(json.dumps([round(p, 10) for p in positions]))}" '
        f'data-labels="{html.escape(json.dumps(labels))}"></span>'
        f'<datalist id="{ident}-ticks">{ticks}</datalist>'
        f'<output for="{ident}" class="bpx-value">{html.escape(labels[start])}</output></span>'
    )


# The static view's script: reads the frame table from its own container, listens to its
# own controls, snaps sliders to their values (arrow keys step from value to value) and
# swaps the image source and alt text. No globals, no fetches beyond the frame images.
_SWITCHER_JS = """
(function () {
  var root = document.getElementById("__UID__");
  if (!root) { return; }
  var data = JSON.parse(root.querySelector("script.bpx-data").textContent);
  var img = root.querySelector("img.bpx-frame");
  var groups = Array.prototype.slice.call(root.querySelectorAll(".bpx-control"));
  function sliderOf(group) { return group.querySelector("input[type=range]"); }
  function setSlider(el, index) {
    var positions = JSON.parse(el.dataset.positions), labels = JSON.parse(el.dataset.labels);
    index = Math.max(0, Math.min(positions.length - 1, index));
    el.dataset.index = index;
    el.value = positions[index];
    el.setAttribute("aria-valuetext", labels[index]);
    var out = el.closest(".bpx-control").querySelector("output");
    if (out) { out.textContent = labels[index]; }
  }
  function snap(el) {
    var positions = JSON.parse(el.dataset.positions), x = Number(el.value);
    var best = 0;
    positions.forEach(function (p, i) {
      if (Math.abs(p - x) < Math.abs(positions[best] - x)) { best = i; }
    });
    setSlider(el, best);
  }
  function update() {
    var key = groups.map(function (group) {
      var slider = sliderOf(group);
      if (slider) { return slider.dataset.index; }
      var select = group.querySelector("select");
      if (select) { return select.value; }
      var checked = group.querySelector("input[type=radio]:checked");
      return checked ? checked.value : "0";
    }).join(",");
    if (data.frames[key]) { img.src = data.frames[key]; img.alt = data.alts[key]; }
  }
  var preloaded = false;
  function preload() {
    if (preloaded) { return; }
    preloaded = true;
    Object.keys(data.frames).forEach(function (k) { (new Image()).src = data.frames[k]; });
  }
  root.addEventListener("pointerenter", preload);
  root.addEventListener("focusin", preload);
  groups.forEach(function (group) {
    var slider = sliderOf(group);
    if (slider) {
      slider.addEventListener("input", function () { snap(slider); update(); });
      slider.addEventListener("keydown", function (event) {
        var steps = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1,
                     PageUp: 1, PageDown: -1, Home: -1e9, End: 1e9};
        if (!(event.key in steps)) { return; }
        event.preventDefault();
        setSlider(slider, Number(slider.dataset.index) + steps[event.key]);
        update();
      });
    } else {
      group.addEventListener("change", update);
    }
  });
})();
"""
