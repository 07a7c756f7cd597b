"""The book's figure style: readable in greyscale and on the dark theme.

Every series gets a colour from a colour-blind-safe palette *and* its own line style
and marker, so figures stay readable when printed in grey. Figures keep an opaque white
background so that they stay legible when the site is switched to its dark theme.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import cycle
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "LINESTYLES",
    "MARKERS",
    "BookFigure",
    "finish_axes",
    "new_figure",
    "series_styles",
]

# Okabe & Ito's colour-blind-safe palette (dark enough on white).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def series_styles() -> Iterator[dict[str, Any]]:
    """Endless keyword dicts (colour, line style, marker) for successive series."""
    return cycle(
        {"color": c, "linestyle": ls, "marker": mk}
        for c, ls, mk in zip(COLORS, LINESTYLES, MARKERS, strict=True)
    )


class BookFigure(Figure):
    """A matplotlib figure that displays itself as a PNG in a notebook.

    The package never touches pyplot's global state: a chapter displays a figure by
    making it the last expression of a cell, and IPython calls ``_repr_png_``.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", facecolor="white")
        return buffer.getvalue()


def new_figure(width: float = 8.0, height: float = 3.4, dpi: int = 100) -> Figure:
    """A figure with a white background and constrained layout (not attached to pyplot).

    Displaying it in a notebook shows it once, as a PNG, without pyplot's global state.
    """
    fig = BookFigure(figsize=(width, height), dpi=dpi, layout="constrained")
    fig.patch.set_facecolor("white")
    return fig


def finish_axes(ax: Axes, *, title: str = "", xlabel: str = "", ylabel: str = "") -> Axes:
    """Set labels and a light grid; the same finish for every panel in the book."""
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return ax
