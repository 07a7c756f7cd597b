"""Benchmark 3: live-update latency of every chapter's explorer.

A live update is one call of ``Explorer.png(**values)``: draw the figure for the new
control values and encode it as PNG (the widget then only swaps the image). Updates are
timed in CPU time with one BLAS thread (see ``CLOCK``). For each
explorer, every control is moved in turn to several of its values (first, middle and last
of its live grid, the others at their defaults), after one untimed warm-up render; the
median over those updates is reported.

To show where the time goes, one update at the default values is also split into: calling
the chapter's drawing function on an empty figure (no rendering), and rendering that
figure to PNG without matplotlib's constrained layout (which the explorer uses, and which
measures every text label before the final drawing).
"""

from __future__ import annotations

import importlib
import io
import time

import numpy as np

#: (chapter, module, factory) of every explorer in the book.
EXPLORERS = [
    ("intro", "bpnotes.plots.intro", "quadratic_explorer"),
    ("linear regression", "bpnotes.plots.linear", "linear_explorer"),
    ("logistic regression", "bpnotes.plots.logistic", "logistic_explorer"),
    ("softmax regression", "bpnotes.plots.logistic", "softmax_explorer"),
    ("backpropagation", "bpnotes.plots.backprop", "mlp_explorer"),
    ("vanishing deltas", "bpnotes.plots.vanishing", "deltas_explorer"),
]


#: Updates are timed in the process's CPU time with numpy's BLAS limited to one thread, so
#: that other programs on a shared machine do not inflate them; on an idle machine this is
#: the wall-clock latency of a single-threaded update.
CLOCK = time.process_time


def update_values(explorer, per_control: int = 3) -> list[dict[str, object]]:
    """Control settings to time: each control at ``per_control`` spread-out live values."""
    settings = []
    for control in explorer.controls:
        values = list(control.values)
        picks = np.unique(np.linspace(0, len(values) - 1, per_control).round().astype(int))
        settings += [{control.name: values[i]} for i in picks]
    return settings


def prerendered_update(explorer) -> dict[str, float]:
    """Median milliseconds of an update to a value of the static grid once the static view
    has been built (as it is whenever a notebook displays the explorer): ``png`` then
    serves the frame it already drew."""
    explorer.frames()
    grids = [c.static_grid for c in explorer.controls]
    times = []
    for i in range(max(len(g) for g in grids)):
        values = {c.name: g[i % len(g)] for c, g in zip(explorer.controls, grids, strict=True)}
        start = time.perf_counter()
        explorer.png(**values)
        times.append(time.perf_counter() - start)
    return {"prerendered_median_ms": 1e3 * float(np.median(times))}


def breakdown(explorer, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` milliseconds of: the drawing function alone, a PNG without the
    constrained layout, and the full ``png()``, all at the default values.

    The PNG without layout is drawn on one persistent canvas, as ``png()`` does, so that
    the two differ only in the layout step.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    values = explorer.initial_values
    canvas = FigureCanvasAgg(Figure(figsize=explorer.figsize, dpi=explorer.dpi))

    def draw_only() -> None:
        fig = Figure(figsize=explorer.figsize, dpi=explorer.dpi, layout=None)
        explorer.draw(fig, **values)

    def no_layout() -> None:
        canvas.figure.clear()
        explorer.draw(canvas.figure, **values)
        canvas.figure.savefig(io.BytesIO(), format="png", facecolor="white")

    def best(f) -> float:
        times = []
        for _ in range(repeats):
            start = CLOCK()
            f()
            times.append(CLOCK() - start)
        return 1e3 * min(times)

    no_layout()  # warm the canvas's caches, as png() has been by the timed updates
    return {"draw_ms": best(draw_only), "no_layout_ms": best(no_layout),
            "full_ms": best(lambda: explorer.png(**values))}


def run(smoke: bool = False) -> dict[str, object]:
    """Median and maximum ``png`` time per explorer, or "not available yet"."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _run(smoke)


def _run(smoke: bool) -> dict[str, object]:
    rows = []
    for chapter, module_name, factory_name in EXPLORERS:
        row: dict[str, object] = {"chapter": chapter, "factory": f"{module_name}.{factory_name}"}
        try:
            factory = getattr(importlib.import_module(module_name), factory_name)
        except (ImportError, AttributeError):
            row["status"] = "not available yet"
            rows.append(row)
            continue
        explorer = factory()
        settings = update_values(explorer, per_control=2 if smoke else 3)
        if smoke:
            settings = settings[:1]
        else:
            explorer.png()  # warm-up: imports, font cache
        times = []
        for values in settings * (1 if smoke else 2):
            start = CLOCK()
            explorer.render_png(**values)  # a value never shown before: a full redraw
            times.append(CLOCK() - start)
        row.update(status="measured", updates=len(times),
                   median_ms=1e3 * float(np.median(times)), max_ms=1e3 * float(np.max(times)))
        if not smoke:
            row.update(prerendered_update(explorer))
        if not smoke or not any("draw_ms" in r for r in rows):  # smoke: split up one only
            row.update(breakdown(explorer, repeats=1 if smoke else 3))
        rows.append(row)
    return {"rows": rows}
