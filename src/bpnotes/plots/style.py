"""The book's figure style: drawn at the width they are shown, legible, sharp, greyscale-safe.

* **Size.** The book's text column is :data:`TEXT_WIDTH` inches wide at 96 CSS pixels
  per inch (672 px, measured in the built site at a 1280 px window). Figures are at most
  that wide and are shown at their own width, never enlarged, so a font size in points
  is what the reader sees: every text is at least :data:`MIN_FONT` points (12.8 px, 80 %
  of the 16 px body text).
* **Sharpness.** Figures are rendered at :data:`~bpnotes.explorer.DENSITY` times their
  CSS size and displayed at their CSS size, so they stay sharp on high-density screens.
* **Colour.** Every series gets a colour from Okabe and Ito's colour-blind-safe palette
  *and* its own line style and marker, so figures survive greyscale. Class markers use
  :data:`CLASS_COLORS`; lines drawn over them use :data:`LINE_COLORS`, which never
  repeat a class colour.
* **Dark theme.** Figures have a white background; the site's stylesheet
  (``book/_static/figures.css``) shows them inverted, with hues kept, when the reader
  switches to the dark theme, so no light slab sits on the dark page.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from itertools import cycle
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator
from PIL import Image

from ..explorer import CSS_DPI, DENSITY, compact_png

__all__ = [
    "CLASS_COLORS",
    "COLORS",
    "FONT",
    "LINESTYLES",
    "LINE_COLORS",
    "MARKERS",
    "MIN_FONT",
    "TEXT_WIDTH",
    "TINTS",
    "BookFigure",
    "finish_axes",
    "floor_note",
    "legend",
    "log_ticks",
    "new_figure",
    "power_of_ten",
    "series_styles",
]

#: Width of the book's text column in inches (672 CSS pixels at 96 per inch).
TEXT_WIDTH = 7.0
#: The smallest font size in any figure, in points: 12.8 px, 80 % of the body text.
MIN_FONT = 9.6
#: The font size of labels, titles and legends.
FONT = 10.0

# Okabe & Ito's colour-blind-safe palette (dark enough on white).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: Colours and markers of the classes in scatter plots (class k gets entry k).
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73")
#: Colours of lines drawn over class markers: none of them is a class colour.
LINE_COLORS = ("#000000", "#CC79A7", "#E69F00", "#56B4E9", "0.45", "#882255")
#: Light tints of the class colours for decision regions, of clearly different lightness
#: so that they stay apart in greyscale (grey levels 211, 242 and 188 of 255; tested).
TINTS = ("#BFD7EC", "#FDF0E6", "#8CCBB2")


def series_styles() -> Iterator[dict[str, Any]]:
    """Endless keyword dicts (colour, line style, marker) for successive series."""
    return cycle(
        {"color": c, "linestyle": ls, "marker": mk}
        for c, ls, mk in zip(COLORS, LINESTYLES, MARKERS, strict=True)
    )


class BookFigure(Figure):
    """A matplotlib figure that displays itself as a sharp PNG in a notebook.

    The PNG has :data:`~bpnotes.explorer.DENSITY` times the figure's CSS pixels and
    tells the front end (JupyterLab, and myst-nb on the site) to show it at its CSS
    width. The package never touches pyplot's global state: a chapter displays a figure
    by making it the last expression of a cell, and IPython calls ``_repr_png_``.
    """

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=CSS_DPI * DENSITY, facecolor="white")
        png = compact_png(buffer.getvalue())
        pixels = Image.open(io.BytesIO(png)).size[0]
        return png, {"width": pixels // DENSITY}  # at least DENSITY pixels per CSS pixel


def new_figure(width: float = TEXT_WIDTH, height: float = 3.0) -> BookFigure:
    """A figure with a white background and constrained layout (not attached to pyplot).

    ``width`` is in inches and at most :data:`TEXT_WIDTH`, the text column: a wider
    figure would be shrunk on the page, and its text with it.
    """
    if not 0 < width <= TEXT_WIDTH + 1e-9:
        raise ValueError(f"width must be in (0, {TEXT_WIDTH}] inches (the text column), "
                         f"got {width}")
    if not height > 0:
        raise ValueError(f"height must be positive, got {height}")
    # Whole CSS pixels, so that the PNG is exactly DENSITY times the size shown.
    width, height = (round(v * CSS_DPI) / CSS_DPI for v in (width, height))
    fig = BookFigure(figsize=(width, height), dpi=CSS_DPI, layout="constrained")
    fig.patch.set_facecolor("white")
    return fig


def finish_axes(ax: Axes, *, title: str = "", xlabel: str = "", ylabel: str = "") -> Axes:
    """Labels at the book's font size, tick labels no smaller than :data:`MIN_FONT`, and a
    light grid; the same finish for every panel in the book."""
    if title:
        ax.set_title(title, fontsize=FONT)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=FONT)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=MIN_FONT)
    ax.grid(True, alpha=0.3)
    return ax


def legend(ax: Axes, **kwargs: Any) -> Legend:
    """A legend at :data:`MIN_FONT` with an opaque frame; ``loc`` as in matplotlib.

    Place it where it covers no data: ``loc="outside ..."`` on a figure, or a corner
    the data leave empty (the figure tests check that no legend overlaps data).
    """
    kwargs.setdefault("fontsize", MIN_FONT)
    kwargs.setdefault("framealpha", 0.95)
    return ax.legend(**kwargs)


def log_ticks(axis: Axis, ticks: Sequence[float], powers: bool = False) -> None:
    """Fixed log-axis ticks with fixed labels, so that no frame relabels its axis.

    With ``powers=True`` the labels are powers of ten in mathtext (:math:`10^{-4}`),
    otherwise plain numbers (0.03).
    """
    axis.set_major_locator(FixedLocator(list(ticks)))
    label = power_of_ten if powers else "{:g}".format
    axis.set_major_formatter(FixedFormatter([label(v) for v in ticks]))
    axis.set_minor_locator(NullLocator())


def floor_note(floor: float) -> str:
    """How every figure says that zeros sit at the bottom of a log axis: `` (0 shown as 10⁻¹²)``.

    A log axis cannot show 0 (a dead unit's delta, a cost that reached its minimum
    exactly); figures draw such values at the axis' floor and append this to the title.
    """
    return f" (0 shown as {power_of_ten(floor)})"


def power_of_ten(value: float) -> str:
    """``$10^{-4}$`` rather than 0.0001 or 1e-04 (other numbers as ``{:g}``)."""
    exponent = round(float(np.log10(value)))
    if np.isclose(value, 10.0**exponent):
        return f"$10^{{{exponent}}}$"
    return f"{value:g}"
