"""Benchmark 3: how fast every chapter's explorer appears and answers in a live notebook.

An explorer (:mod:`bpnotes.explorer`) has two steps: *compute* (control values -> data,
cached per value) and *draw* (the data -> the artists of one persistent figure, rendered
and encoded as the PNG the widget shows). Measured per explorer, as a reader meets it:

* **first display**: the factory call, the first computation and the first drawing
  (which builds the figure and lays it out once) — what the explorer cell costs after the
  chapter's own work, in a kernel that renders no static frames;
* **new value**: a control moved to a value not seen before: the computation (the
  explorer caches it) and the drawing, timed separately;
* **revisited value**: a control moved back to a value seen before: the cache look-up and
  the drawing.

Each control is moved in turn to a few of its live values, spread over its range (first,
middle, last, and more in between for an explorer with few controls, so that every
explorer gets at least :data:`MIN_UPDATES` of them; the other controls at their defaults),
so the figure changes between timings. Each update is timed once (a new value is new only
once). Times are the CPU time of the thread doing the work (``time.thread_time``) with
numpy's BLAS on one thread, so that other programs on a shared machine do not inflate
them; on an idle machine that is the wall-clock time of the step. Medians and maxima are
over the updates; they are absolute times, compared with an absolute target, not ratios.
"""

from __future__ import annotations

import importlib
import os
import statistics
import time

import numpy as np

#: (chapter, module, factory) of every explorer in the book.
EXPLORERS = [
    ("intro", "bpnotes.plots.intro", "quadratic_explorer"),
    ("calculus appendix", "bpnotes.plots.calculus", "tangent_explorer"),
    ("linear regression", "bpnotes.plots.linear", "linear_explorer"),
    ("logistic regression", "bpnotes.plots.logistic", "logistic_explorer"),
    ("softmax regression", "bpnotes.plots.logistic", "softmax_explorer"),
    ("backpropagation", "bpnotes.plots.backprop", "mlp_explorer"),
    ("vanishing deltas", "bpnotes.plots.vanishing", "deltas_explorer"),
    ("automatic differentiation", "bpnotes.plots.autodiff", "sweep_explorer"),
]

CLOCK = time.thread_time
#: Every explorer is timed at this many new values at least (if its controls have them).
MIN_UPDATES = 6


def update_values(explorer, per_control: int = 3,
                  at_least: int = MIN_UPDATES) -> list[dict[str, object]]:
    """Control settings to time: each control at ``per_control`` spread-out live values
    (more, up to all of them, until there are ``at_least`` settings), none of them the
    starting picture."""
    start = explorer.initial_values
    longest = max(len(list(control.values)) for control in explorer.controls)
    for per in range(per_control, max(per_control, longest) + 1):
        settings = []
        for control in explorer.controls:
            values = list(control.values)
            picks = np.unique(np.linspace(0, len(values) - 1, per).round().astype(int))
            settings += [{control.name: values[i]} for i in picks
                         if values[i] != start[control.name]]
        if len(settings) >= at_least:
            break
    return settings


def _ms(start: float) -> float:
    return 1e3 * (CLOCK() - start)


def first_display(factory) -> tuple[object, dict[str, float]]:
    """Build the explorer and its first picture as the live view does, step by step."""
    start = CLOCK()
    explorer = factory()
    construct = _ms(start)
    start = CLOCK()
    explorer.data()
    compute = _ms(start)
    start = CLOCK()
    explorer.jpeg()
    draw = _ms(start)
    return explorer, {"construct_ms": construct, "first_compute_ms": compute,
                      "first_draw_ms": draw, "first_display_ms": construct + compute + draw}


def time_updates(explorer, settings) -> dict[str, list[float]]:
    """Compute and draw times of ``settings`` (new values), then again (revisited)."""
    times: dict[str, list[float]] = {k: [] for k in ("new_compute", "new_draw",
                                                     "revisit_compute", "revisit_draw")}
    for phase in ("new", "revisit"):
        for values in settings:
            start = CLOCK()
            explorer.data(**values)
            times[f"{phase}_compute"].append(_ms(start))
            start = CLOCK()
            explorer.jpeg(**values)
            times[f"{phase}_draw"].append(_ms(start))
    return times


def run(smoke: bool = False) -> dict[str, object]:
    """Per explorer: first display and update latencies, or "not available yet"."""
    from threadpoolctl import threadpool_limits

    os.environ.pop("BPNOTES_STATIC_FRAMES", None)  # a live kernel: no static frames
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
        explorer, first = first_display(factory)
        settings = update_values(explorer, per_control=2 if smoke else 3,
                                 at_least=1 if smoke else MIN_UPDATES)
        if smoke:
            settings = settings[:1]
        times = time_updates(explorer, settings)
        new = [c + d for c, d in zip(times["new_compute"], times["new_draw"], strict=True)]
        row.update(status="measured", updates=len(new), **first)
        for key, values in times.items():
            row[f"{key}_median_ms"] = statistics.median(values)
            row[f"{key}_max_ms"] = max(values)
        # The headline: a new value, computation and drawing together.
        row.update(median_ms=statistics.median(new), max_ms=max(new))
        rows.append(row)
    return {"rows": rows}


def table(results: dict) -> str:
    """Markdown: first display, new and revisited values, split into compute and draw."""
    lines = ["| chapter's explorer | first display (ms) | new value: compute, median / max "
             "(ms) | new value: draw, median / max (ms) | revisited: look-up + draw, median / "
             "max (ms) |", "| --- | ---: | ---: | ---: | ---: |"]
    for row in results["explorers"]["rows"]:
        if row["status"] != "measured":
            lines.append(f"| {row['chapter']} | – | – | – | {row['status']} |")
            continue
        lines.append(
            f"| {row['chapter']} | {row['first_display_ms']:.0f} | "
            f"{row['new_compute_median_ms']:.0f} / {row['new_compute_max_ms']:.0f} | "
            f"{row['new_draw_median_ms']:.0f} / {row['new_draw_max_ms']:.0f} | "
            f"{row['revisit_compute_median_ms'] + row['revisit_draw_median_ms']:.0f} / "
            f"{row['revisit_compute_max_ms'] + row['revisit_draw_max_ms']:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table({"explorers": run()}))
