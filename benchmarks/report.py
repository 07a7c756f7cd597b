"""Tables and sentences (Markdown) of a results file, for the terminal and for the book's
appendix page (book/benchmarks.md).

Every function takes the whole results dictionary written by ``run.py`` and answers for a
part the file does not hold with a sentence saying it was not measured, so that the page
is generated from whatever the file holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

#: The targets of issue 7 (and issue 10 for ``train_overhead``), one per benchmark.
TARGETS = {
    "ratio_small": 1.0,       # bpnotes / PyTorch step time, two smaller shapes
    "ratio_large": 1.2,       # ... largest shape
    "matmul_fraction": 0.70,  # achieved FLOP rate / raw matmul rate, largest shape
    "train_overhead": 1.10,   # MLP.train / the same MLP.step calls (issue 10)
    # Explorer update to a value not shown before: the median *drawing* time (issue 13),
    # the computation being cached per value. Issue 7 first set it for the whole update,
    # computation and drawing together; both are reported (EXPLORER_DEFINITIONS).
    "explorer_ms": 50.0,
    "cold_build_s": 180.0,
    "warm_build_s": 20.0,
}

#: The two definitions the explorer target has had, as the page states them.
EXPLORER_DEFINITIONS = {
    "draw": "median drawing time for a value not shown before, the computation being cached "
            "per value (issue 13, the target now)",
    "whole": "median of the whole update, computation and drawing together (issue 7, the "
             "first definition)",
}

#: The parts of a results file, in the order of the page, with their names there.
PARTS = {
    "mlp": "1–2. training step and FLOP rate",
    "train": "1b. `MLP.train` against `MLP.step`",
    "explorers": "3. explorers",
    "build": "4. book build",
    "autodiff": "gradients (the autodiff chapter's benchmark)",
}

NOT_MEASURED = "not measured in this results file"


def _not_measured(part: str) -> str:
    """The text that stands for a table of ``part`` (a key of :data:`PARTS`) when the
    results file lacks it."""
    return f"*{PARTS[part]}: {NOT_MEASURED}.*"


def joined(*texts: str) -> str:
    """The non-empty texts as Markdown paragraphs (a table and the sentences about it)."""
    return "\n\n".join(text for text in texts if text)


def _shape(row: dict) -> str:
    return "-".join(map(str, row["sizes"])) + f", m={row['m']}"


def _net(row: dict) -> str:
    return "-".join(map(str, row["sizes"]))


def _verdict(ok: bool) -> str:
    return "✓" if ok else "✗ missed"


def _largest(rows: list[dict]) -> int:
    return max(row["flops"] for row in rows)


def _percent(x: float) -> str:
    return f"{100 * x:.0f} %"


def _range(values: Sequence[float], fmt: str, unit: str = "") -> str:
    """"a" or "a to b" (formatted), for a list of numbers."""
    low, high = f"{min(values):{fmt}}", f"{max(values):{fmt}}"
    return f"{low}{unit}" if low == high else f"{low} to {high}{unit}"


def _percents(fractions: Sequence[float]) -> str:
    """"85 %" or "77 to 82 %" for a list of fractions."""
    return _range([100 * f for f in fractions], ".0f", " %")


def _threads(t: int) -> str:
    return f"{t} thread{'s' if t > 1 else ''}"


def _measured_explorers(results: dict) -> list[dict]:
    return [r for r in results.get("explorers", {}).get("rows", [])
            if r.get("status") == "measured" and "new_draw_median_ms" in r]


# ---------------------------------------------------------------- provenance and machine
def provenance_table(results: dict) -> str:
    """When, in which call of ``run.py`` and at which commit each part was measured, and
    whether the parts come from one call."""
    present = [part for part in PARTS if part in results]
    if not present:
        return "*No part of the benchmark is in this results file.*"
    stamps = {part: results[part].get("measured") for part in present}
    if not any(stamps.values()):
        return (f"This results file records one date for all its parts, "
                f"{results.get('date', 'none')}, and neither when each part was measured nor "
                "at which commit: its parts (" + ", ".join(PARTS[p] for p in present)
                + ") may come from different runs of the benchmark and different versions "
                "of the code.")
    lines = ["| part | measured | commit | run of `run.py` started |",
             "| --- | --- | --- | --- |"]
    for part in present:
        stamp = stamps[part]
        if not stamp:
            lines.append(f"| {PARTS[part]} | not recorded | not recorded | not recorded |")
            continue
        commit = stamp.get("commit") or "unknown"
        if stamp.get("dirty"):
            commit += " with uncommitted changes"
        date = stamp["date"] + (" (smoke test: tiny sizes)" if stamp.get("smoke") else "")
        lines.append(f"| {PARTS[part]} | {date} | {commit} | {stamp['run']} |")
    runs = {stamp["run"] for stamp in stamps.values() if stamp}
    if len(runs) == 1 and all(stamps.values()):
        note = "All parts were measured in one run of `benchmarks/run.py`."
    else:
        note = (f"The parts come from {len(runs)} different runs of `benchmarks/run.py`"
                + (" (and some record no run)" if not all(stamps.values()) else "")
                + ": compare numbers across parts with care.")
    missing = [PARTS[p] for p in PARTS if p not in results and p != "autodiff"]
    if missing:
        note += " Not in this file: " + ", ".join(missing) + "."
    return "\n".join(lines) + "\n\n" + note


def machine_table(results: dict) -> str:
    """The machine and library versions."""
    m = results.get("machine")
    if not m:
        return "*The machine is not described in this results file.*"
    blas = m["blas"]
    cpu = f"{m['cpu']}, {m['cores']} logical CPUs"
    if m.get("virtual"):
        cpu += " (a virtual machine)"
    items = [("CPU", cpu)]
    if m.get("memory_gb"):
        items.append(("memory", f"{m['memory_gb']:.0f} GB"))
    items += [
        ("system", m["system"]),
        ("Python / numpy / PyTorch / matplotlib",
         f"{m['python']} / {m['numpy']} / {m['torch']} / {m['matplotlib']}"),
        ("numpy's BLAS", f"{blas['library']} {blas['version']} ({blas['architecture']} kernels, "
                         f"{blas['threads']} threads)"),
        ("PyTorch's BLAS", m.get("torch_blas") or "not recorded"),
        ("threads in benchmarks 1–2", ", ".join(map(str, results["mlp"]["thread_counts"]))
         + " (numpy's BLAS and PyTorch always set to the same number)"
         if "mlp" in results else "–"),
    ]
    return "\n".join(["| property | value |", "| --- | --- |"]
                     + [f"| {k} | {v} |" for k, v in items])


# ---------------------------------------------------------------- 1, 1b and 2: the MLP step
def mlp_table(results: dict) -> str:
    """Benchmark 1: step times and the bpnotes / PyTorch ratio against its target."""
    if "mlp" not in results:
        return _not_measured("mlp")
    rows = results["mlp"]["rows"]
    largest = _largest(rows)
    lines = ["| network, batch | dtype | threads | bpnotes (ms) | PyTorch (ms) | ratio | target |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        target = TARGETS["ratio_large" if row["flops"] == largest else "ratio_small"]
        ok = row["ratio_vs_torch"] <= target
        lines.append(
            f"| {_shape(row)} | {row['dtype']} | {row['threads']} | {row['bpnotes_ms']:.3f} | "
            f"{row['torch_ms']:.3f} "
            f"| {row['ratio_vs_torch']:.2f} | ≤ {target:.1f} {_verdict(ok)} |"
        )
    return "\n".join(lines)


def train_table(results: dict) -> str:
    """Benchmark 1b: a plain ``MLP.train`` against the same updates taken with ``MLP.step``,
    and ``train(..., epoch_cost="full")`` against those steps plus the ``MLP.cost`` calls
    that give the same loss history."""
    if "train" not in results:
        return _not_measured("train")
    lines = ["| network, examples | batch | updates per call | train (ms) | steps (ms) "
             "| train / steps | target | train, full costs (ms) | steps + costs (ms) "
             "| full costs / (steps + costs) |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    goal = TARGETS["train_overhead"]
    for row in results["train"]["rows"]:
        batch = "full" if row["batch_size"] is None else str(row["batch_size"])
        full = row.get("ratio_full")
        lines.append(
            f"| {_shape(row)} | {batch} | {row['steps_per_call']} | {row['train_ms']:.3f} | "
            f"{row['steps_ms']:.3f} | {row['ratio']:.2f} | ≤ {goal:.2f} "
            f"{_verdict(row['ratio'] <= goal)} | {row.get('train_full_ms', float('nan')):.3f} "
            f"| {row.get('steps_and_costs_ms', float('nan')):.3f} | "
            f"{'–' if full is None else f'{full:.2f}'} |"
        )
    return "\n".join(lines)


def flops_table(results: dict) -> str:
    """Benchmark 2: achieved GFLOP/s of a step as a fraction of raw numpy matmul, and
    PyTorch's bare products as a fraction of its own step (when measured)."""
    if "mlp" not in results:
        return _not_measured("mlp")
    rows = results["mlp"]["rows"]
    largest = _largest(rows)
    lines = ["| network, batch | dtype | threads | MFLOP / step "
             "| GFLOP/s, step / bare matmul | fraction | target "
             "| PyTorch: bare products / its step |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for row in rows:
        if row["flops"] == largest:
            ok = row["fraction_of_matmul"] >= TARGETS["matmul_fraction"]
            target = f"≥ {100 * TARGETS['matmul_fraction']:.0f} % {_verdict(ok)}"
        else:
            target = "–"
        torch_share = row.get("torch_fraction_of_matmul")
        lines.append(
            f"| {_shape(row)} | {row['dtype']} | {row['threads']} | {row['flops'] / 1e6:.2f} | "
            f"{row['bpnotes_gflops']:.1f} / {row['matmul_gflops']:.1f} | "
            f"{100 * row['fraction_of_matmul']:.0f} % | {target} | "
            f"{'not measured' if torch_share is None else _percent(torch_share)} |"
        )
    return "\n".join(lines)


def _by_threads(rows: list[dict]) -> dict[int, list[dict]]:
    threads = sorted({r["threads"] for r in rows})
    return {t: [r for r in rows if r["threads"] == t] for t in threads}


def _torch_shares(rows: list[dict]) -> list[float] | None:
    shares = [r.get("torch_fraction_of_matmul") for r in rows]
    return None if any(s is None for s in shares) else [float(s) for s in shares]


def thread_anomalies(results: dict) -> list[str] | None:
    """Every row of benchmark 1 in which a library took longer with all threads than with
    one, both timed by the wall clock, e.g. "784-256-256-10, m=256, float32: PyTorch 1.44
    times as long with 2 threads". None when the file has no wall-clock times for the
    one-thread rows (older files timed those in CPU time only, another clock)."""
    rows = results.get("mlp", {}).get("rows", [])
    one = {(tuple(r["sizes"]), r["m"], r["dtype"]): r for r in rows if r["threads"] == 1}
    if any("bpnotes_wall_ms" not in r for r in one.values()):
        return None
    found = []
    for row in rows:
        base = one.get((tuple(row["sizes"]), row["m"], row["dtype"]))
        if row["threads"] == 1 or base is None:
            continue
        slower = []
        for name, key in (("bpnotes", "bpnotes_wall_ms"), ("PyTorch", "torch_wall_ms")):
            factor = row[key] / base[key]
            if factor > 1:
                slower.append(f"{name} {factor:.2f} times as long")
        if slower:
            found.append(f"{_shape(row)}, {row['dtype']}: {' and '.join(slower)} with "
                         f"{_threads(row['threads'])}")
    return found


def step_commentary(results: dict) -> str:
    """Section 1: the ratios against their targets, what a step is made of at the smallest
    and the largest size (bpnotes' and, when measured, PyTorch's share of bare matrix
    products), and the all-threads rows compared with one thread on the same clock."""
    if "mlp" not in results:
        return ""
    rows = results["mlp"]["rows"]
    largest = _largest(rows)
    by_threads = _by_threads(rows)
    one = min(by_threads)
    parts = []
    for t, chosen in by_threads.items():
        small = [r for r in chosen if r["flops"] != largest]
        big = {r["dtype"]: r for r in chosen if r["flops"] == largest}
        said = [] if not small else [
            f"the worst ratio at the smaller sizes is "
            f"{max(r['ratio_vs_torch'] for r in small):.2f} (target ≤ "
            f"{TARGETS['ratio_small']:.1f})"]
        said.append("the largest network's is "
                    + " and ".join(f"{r['ratio_vs_torch']:.2f} in {d}" for d, r in big.items())
                    + f" (target ≤ {TARGETS['ratio_large']:.1f})")
        parts.append(f"With {_threads(t)}, {' and '.join(said)}.")
    text = " ".join(parts)

    first = by_threads[one]
    smallest_flops = min(r["flops"] for r in first)
    smallest = [r for r in first if r["flops"] == smallest_flops]
    torch_small = _torch_shares(smallest)
    text += (f" For the smallest network ({_net(smallest[0])}) the bare matrix products take "
             f"only {_percents([r['fraction_of_matmul'] for r in smallest])} of a bpnotes "
             f"step with {_threads(one)} (section 2)")
    if torch_small is not None:
        text += f" and {_percents(torch_small)} of a PyTorch step"
    text += (": the rest is per-call overhead, not arithmetic. There PyTorch builds an "
             "autograd graph and dispatches every operation through its operator machinery, "
             "while bpnotes makes a handful of direct numpy calls.")

    machine = results.get("machine", {})
    numpy_blas = machine.get("blas", {}).get("library") or "its BLAS"
    torch_blas = machine.get("torch_blas") or "its own BLAS"
    shares = []
    for t, chosen in by_threads.items():
        big = [r for r in chosen if r["flops"] == largest]
        torch_big = _torch_shares(big)
        share = (f"at least {_percent(min(r['fraction_of_matmul'] for r in big))} of a "
                 "bpnotes step"
                 + ("" if torch_big is None
                    else f" and at least {_percent(min(torch_big))} of a PyTorch step")
                 + f" with {_threads(t)}")
        shares.append(share)
    big_one = [r for r in first if r["flops"] == largest]
    text += (f" For the largest network ({_net(big_one[0])}) the bare matrix products take "
             f"{'; '.join(shares)}.")
    torch_big_one = _torch_shares(big_one)
    if torch_big_one is None:
        text += (" PyTorch's share of its own step was not measured in this results file, so "
                 "how much of the ratio at this size comes from the two libraries' matrix "
                 "products rather than from the rest of their steps is not known here.")
    else:
        bare = [r["torch_matmul_ms"] / r["matmul_ms"] for r in big_one]
        text += (f" Each library runs the products in its own BLAS ({numpy_blas} for numpy, "
                 f"{torch_blas} for PyTorch); with {_threads(one)} PyTorch's bare products "
                 f"take {_range(bare, '.2f')} times as long as numpy's.")
        if min(torch_big_one) >= 0.5 and min(r["fraction_of_matmul"] for r in big_one) >= 0.5:
            text += (" Since both steps are mostly matrix products, the ratio at this size "
                     "mostly compares the two BLAS libraries.")

    odd = thread_anomalies(results)
    if len(by_threads) > 1:
        if odd is None:
            text += ("\n\nThis results file has no wall-clock times for the one-thread rows, "
                     "so the all-threads rows (wall time) cannot be compared with them on "
                     "the same clock.")
        elif odd:
            text += ("\n\nCompared on the same clock (wall time), these all-threads rows took "
                     "longer than with one thread: " + "; ".join(odd) + ". A wall-clock time "
                     "also counts the moments in which other programs, or the other "
                     "library's idle threads, held the cores, so a slower row does not by "
                     "itself show that the extra threads cost time.")
        else:
            text += ("\n\nCompared on the same clock (wall time), no library took longer with "
                     "all threads than with one in any row.")
    return text


def train_commentary(results: dict) -> str:
    """Section 1b: the worst overhead of ``train`` against its target."""
    if "train" not in results:
        return ""
    rows = results["train"]["rows"]
    worst = max(rows, key=lambda r: r["ratio"])
    goal = TARGETS["train_overhead"]
    batches = ("the full batch" if worst["batch_size"] is None
               else f"batches of {worst['batch_size']}")
    text = (f"The worst row, {_shape(worst)} with {batches}, takes {worst['ratio']:.2f} "
            f"times as long with `train` as with the same `step` calls (target ≤ "
            f"{goal:.2f}).")
    full = [r["ratio_full"] for r in rows if r.get("ratio_full") is not None]
    if full:
        text += (f" With `epoch_cost=\"full\"`, `train` takes {_range(full, '.2f')} times as "
                 "long as the same steps plus the `MLP.cost` calls that give the same loss "
                 "history.")
    return text


def flops_commentary(results: dict) -> str:
    """Section 2: the largest network's fraction per thread count and dtype, the small
    networks' (with PyTorch's own share, when measured), and the effect of more threads."""
    if "mlp" not in results:
        return ""
    rows = results["mlp"]["rows"]
    largest = _largest(rows)
    by_threads = _by_threads(rows)
    big = {t: {r["dtype"]: r for r in chosen if r["flops"] == largest}
           for t, chosen in by_threads.items()}
    parts = [f"with {_threads(t)}, "
             + " and ".join(f"{_percent(r['fraction_of_matmul'])} in {d}"
                            for d, r in rows_t.items())
             for t, rows_t in big.items()]
    text = ("For the largest network a step runs at the following fraction of the bare matrix "
            f"products: {'; '.join(parts)} (target ≥ {100 * TARGETS['matmul_fraction']:.0f} %).")
    one = min(by_threads)
    smallest_flops = min(r["flops"] for r in by_threads[one])
    smallest = [r for r in by_threads[one] if r["flops"] == smallest_flops]
    text += (f" For the smallest network ({_net(smallest[0])}) the fraction is low, "
             f"{_percents([r['fraction_of_matmul'] for r in smallest])} with "
             f"{_threads(one)}: it does so little arithmetic that a step is mostly overhead")
    torch_small = _torch_shares(smallest)
    text += ("." if torch_small is None else
             f", for PyTorch too (its bare products take {_percents(torch_small)} of its "
             "step).")
    if len(big) > 1:
        first, last = min(big), max(big)
        lower = all(big[last][d]["fraction_of_matmul"] < big[first][d]["fraction_of_matmul"]
                    for d in big[first])
        text += (
            " With more than one thread only the matrix products run in parallel (numpy's "
            "element-wise operations use one core), so the remaining work weighs more; "
            + ("here the fraction is indeed lower than with one thread in every dtype"
               if lower else "here that does not show in every dtype")
            + ", and the all-threads rows are also the ones most disturbed by other programs."
        )
    return text


# ---------------------------------------------------------------- 3: explorers
def explorer_table(results: dict) -> str:
    """Benchmark 3: each explorer's live update, split into computation and drawing, with
    the verdict of the target (the drawing) and of its first definition (the whole update)."""
    if "explorers" not in results:
        return _not_measured("explorers")
    lines = ["| explorer | new values | compute (ms) | draw (ms) | target: draw "
             "| whole update (ms) | first definition: whole | revisited (ms) |",
             "| --- | ---: | ---: | ---: | --- | ---: | --- | ---: |"]
    goal = TARGETS["explorer_ms"]
    for row in results["explorers"]["rows"]:
        if row["status"] != "measured" or "new_draw_median_ms" not in row:
            lines.append(f"| {row['chapter']} | – | – | – | {row['status']} | – | – | – |")
            continue
        revisit = row["revisit_compute_median_ms"] + row["revisit_draw_median_ms"]
        lines.append(
            f"| {row['chapter']} | {row['updates']} | {row['new_compute_median_ms']:.0f} / "
            f"{row['new_compute_max_ms']:.0f} | {row['new_draw_median_ms']:.0f} / "
            f"{row['new_draw_max_ms']:.0f} | < {goal:.0f} ms "
            f"{_verdict(row['new_draw_median_ms'] < goal)} | {row['median_ms']:.0f} / "
            f"{row['max_ms']:.0f} | < {goal:.0f} ms {_verdict(row['median_ms'] < goal)} "
            f"| {revisit:.0f} |"
        )
    return "\n".join(lines)


def explorer_breakdown_table(results: dict) -> str:
    """Benchmark 3b: what showing an explorer costs, step by step."""
    if "explorers" not in results:
        return _not_measured("explorers")
    lines = ["| chapter's explorer | factory (ms) | first computation (ms) "
             "| first drawing, with the layout (ms) | first display (ms) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for row in results["explorers"]["rows"]:
        if "first_display_ms" not in row:
            continue
        lines.append(f"| {row['chapter']} | {row['construct_ms']:.0f} | "
                     f"{row['first_compute_ms']:.0f} | {row['first_draw_ms']:.0f} | "
                     f"{row['first_display_ms']:.0f} |")
    return "\n".join(lines)


def explorer_method(results: dict) -> str:
    """Section 3: how many values each explorer was timed at, and the longest computation."""
    measured = _measured_explorers(results)
    if not measured:
        return ""
    counts = [r["updates"] for r in measured]
    return ("In the table, each time is the median / the maximum over the new values (the "
            "whole update is computation plus drawing, update by update); the verdicts "
            "compare medians with the target; the last column is the median look-up plus "
            "drawing for a value shown again. "
            f"Each explorer was timed at {_range(counts, 'd')} new values (each timed once: "
            "a value is new only once), so a median says more for some explorers than for "
            "others. The computation is the chapter's own work (for some explorers a "
            f"training run, of up to {max(r['new_compute_max_ms'] for r in measured):.0f} ms "
            "in this measurement, during which the live view shows its progress).")


def explorer_commentary(results: dict) -> str:
    """Section 3, after the tables: both verdicts, the slowest computation, first display."""
    measured = _measured_explorers(results)
    if not measured:
        return "No explorer was measured in this results file." if "explorers" in results else ""
    goal = TARGETS["explorer_ms"]
    draws = sorted(r["new_draw_median_ms"] for r in measured)
    wholes = sorted(r["median_ms"] for r in measured)
    met = sum(d < goal for d in draws)
    met_whole = sum(w < goal for w in wholes)
    slowest = max(measured, key=lambda r: r["new_compute_max_ms"])
    first = sorted(r["first_display_ms"] for r in measured)
    text = (
        f"For values not shown before, {met} of {len(draws)} explorers draw within the "
        f"{goal:.0f} ms target; the drawing medians range from {draws[0]:.0f} to "
        f"{draws[-1]:.0f} ms. Counted as whole updates, computation included (the first "
        f"definition), {met_whole} of {len(wholes)} stay under {goal:.0f} ms, with medians "
        f"from {wholes[0]:.0f} to {wholes[-1]:.0f} ms. The slowest computation, "
        f"{slowest['new_compute_max_ms']:.0f} ms, is the {slowest['chapter']} explorer's, "
        f"once per value. Showing an explorer takes {first[0]:.0f} to {first[-1]:.0f} ms."
    )
    missing = [r["chapter"] for r in results["explorers"]["rows"] if r["status"] != "measured"]
    if missing:
        text += f" Not yet available when measured: {', '.join(missing)}."
    return text


def explorer_saving(results: dict) -> str:
    """Section 5: first drawing (with the layout) against an update's drawing."""
    measured = _measured_explorers(results)
    if not measured:
        return ("How much that saves is not known here: the explorers were not measured in "
                "this results file.")
    return ("The two tables of section 3 show what that saves: drawing a figure the first "
            "time, with its layout, takes "
            f"{_range([r['first_draw_ms'] for r in measured], '.0f', ' ms')} per explorer, an "
            "update's drawing a median of "
            f"{_range([r['new_draw_median_ms'] for r in measured], '.0f', ' ms')}.")


# ---------------------------------------------------------------- 4: the build
def book_notebooks(root: Path) -> list[str]:
    """The pages of the book's table of contents (``root/_toc.yml``) that are notebooks,
    executed by a build, as their paths without suffix (e.g. "book/capstone"), in order."""
    toc = (root / "_toc.yml").read_text(encoding="utf-8")
    pages = re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)\s*$", toc, re.M)
    return [page for page in pages
            if (root / f"{page}.md").is_file()
            and "kernelspec:" in (root / f"{page}.md").read_text(encoding="utf-8")]


def build_table(results: dict) -> str:
    """Benchmark 4: cold and warm book build."""
    build = results.get("build")
    if not build:
        return _not_measured("build")
    lines = ["| build | time (s) | exit code | target |", "| --- | ---: | ---: | --- |"]
    kinds = [("cold (empty folder)", "cold", "cold"), ("warm (cached, unchanged)", "warm", "warm"),
             ("warm, every page rewritten (`--all`)", "warm_all_pages", "warm")]
    for kind, key, target_key in kinds:
        if key not in build:
            continue
        entry = build[key]
        target = TARGETS[f"{target_key}_build_s"]
        ok = entry["seconds"] < target and entry["returncode"] == 0
        lines.append(f"| {kind} | {entry['seconds']:.1f} | {entry['returncode']} | "
                     f"< {target:.0f} s {_verdict(ok)} |")
    return "\n".join(lines)


def build_commentary(results: dict, notebooks_now: Sequence[str]) -> str:
    """Section 4: how many notebooks the timed build executed, at which commit, against
    the notebooks of the book now (``notebooks_now``, e.g. ``bench_build.book_notebooks()``)."""
    build = results.get("build")
    if not build:
        return ""
    executed = build.get("cached_notebooks")
    stamp = build.get("measured") or {}
    text = ("The timed build executed "
            + (f"{executed} notebooks" if executed is not None else "an unrecorded number of "
               "notebooks")
            + (f", at commit {stamp['commit']}" if stamp.get("commit") else
               " (at a commit this results file does not record)")
            + f"; the book has {len(notebooks_now)} notebook pages now.")
    then = build.get("notebooks")
    added = [p for p in notebooks_now if then is not None and p not in then]
    if added:
        text += (" Pages added since the build was timed: "
                 + ", ".join(f"`{p}`" for p in added)
                 + ". These times are from a smaller book than the one you are reading.")
    elif executed is not None and executed != len(notebooks_now):
        text += (" The numbers differ, so these times are from another version of the book "
                 "than the one you are reading.")
    return text


# ---------------------------------------------------------------- 6: summary
def targets_summary(results: dict) -> str:
    """One Markdown bullet per target: met or missed with the deciding number, or not
    measured when the results file lacks its part."""
    bullets = []
    if "mlp" in results:
        rows = results["mlp"]["rows"]
        largest = _largest(rows)
        small = [r for r in rows if r["flops"] != largest]
        big = [r for r in rows if r["flops"] == largest]
        for label, chosen, key in (("the two small networks", small, "ratio_small"),
                                   ("the largest network", big, "ratio_large")):
            worst = max(r["ratio_vs_torch"] for r in chosen)
            ok = worst <= TARGETS[key]
            bullets.append(f"Training step, bpnotes / PyTorch, {label}: target ≤ "
                           f"{TARGETS[key]:.1f}, worst row {worst:.2f}: "
                           f"**{'met' if ok else 'missed'}**.")
        worst = min(r["fraction_of_matmul"] for r in big)
        target = TARGETS["matmul_fraction"]
        text = (f"Fraction of the bare matrix-product rate, largest network: target ≥ "
                f"{100 * target:.0f} %, worst row {100 * worst:.1f} %: "
                f"**{'met' if worst >= target else 'missed'}**")
        if abs(worst - target) < 0.02:
            text += " (by less than 2 points, so a noisier run could land on either side)"
        bullets.append(text + ".")
    else:
        bullets += [f"Training step, bpnotes / PyTorch, the two small networks: target ≤ "
                    f"{TARGETS['ratio_small']:.1f}: **{NOT_MEASURED}**.",
                    f"Training step, bpnotes / PyTorch, the largest network: target ≤ "
                    f"{TARGETS['ratio_large']:.1f}: **{NOT_MEASURED}**.",
                    f"Fraction of the bare matrix-product rate, largest network: target ≥ "
                    f"{100 * TARGETS['matmul_fraction']:.0f} %: **{NOT_MEASURED}**."]
    goal = TARGETS["train_overhead"]
    if "train" in results:
        worst = max(r["ratio"] for r in results["train"]["rows"])
        bullets.append(f"`MLP.train` / the same `MLP.step` calls: target ≤ {goal:.2f}, "
                       f"worst row {worst:.2f}: **{'met' if worst <= goal else 'missed'}**.")
    else:
        bullets.append(f"`MLP.train` / the same `MLP.step` calls: target ≤ {goal:.2f}: "
                       f"**{NOT_MEASURED}**.")
    goal = TARGETS["explorer_ms"]
    measured = _measured_explorers(results)
    if measured:
        met = sum(r["new_draw_median_ms"] < goal for r in measured)
        medians = sorted(r["new_draw_median_ms"] for r in measured)
        verdict = ("met" if met == len(measured)
                   else "missed" if met == 0 else "partly missed")
        whole = sum(r["median_ms"] < goal for r in measured)
        bullets.append(f"Explorer live update to a value not shown before, drawing "
                       f"median < {goal:.0f} ms (plus the computation, cached per value): "
                       f"{met} of {len(measured)} explorers meet it (medians "
                       f"{medians[0]:.0f} to {medians[-1]:.0f} ms): **{verdict}**. Under its "
                       f"first definition, the whole update < {goal:.0f} ms, {whole} of "
                       f"{len(measured)} would.")
    else:
        bullets.append(f"Explorer live update to a value not shown before, drawing median < "
                       f"{goal:.0f} ms: **{NOT_MEASURED}**.")
    build = results.get("build") or {}
    for key, label, target_key in (("cold", "Cold book build", "cold_build_s"),
                                   ("warm", "Warm rebuild", "warm_build_s")):
        if key in build:
            entry = build[key]
            ok = entry["seconds"] < TARGETS[target_key] and entry["returncode"] == 0
            bullets.append(f"{label}: target < {TARGETS[target_key]:.0f} s, measured "
                           f"{entry['seconds']:.1f} s: **{'met' if ok else 'missed'}**.")
        else:
            bullets.append(f"{label}: target < {TARGETS[target_key]:.0f} s: "
                           f"**{NOT_MEASURED}**.")
    return "\n".join(f"- {b}" for b in bullets)


def closing(results: dict) -> str:
    """Section 6: the step ratios shape by shape, what they say about overhead and matrix
    products, and the explorers' update split into computation and drawing."""
    text = ""
    if "mlp" in results:
        rows = results["mlp"]["rows"]
        by_threads = _by_threads(rows)
        one = min(by_threads)
        shapes: dict[str, list[dict]] = {}
        for r in by_threads[one]:
            shapes.setdefault(_net(r), []).append(r)
        dtypes = [r["dtype"] for r in next(iter(shapes.values()))]
        ratios = {name: " / ".join(f"{r['ratio_vs_torch']:.2f}" for r in chosen)
                  for name, chosen in shapes.items()}
        text += (f"With {_threads(one)}, bpnotes / PyTorch is "
                 + "; ".join(f"{ratio} at {name}" for name, ratio in ratios.items())
                 + f" ({' / '.join(dtypes)}).")
        flops = {name: chosen[0]["flops"] for name, chosen in shapes.items()}
        smallest = min(flops, key=flops.get)
        largest = max(flops, key=flops.get)
        best_everywhere = all(
            r["ratio_vs_torch"] <= min(o["ratio_vs_torch"] for o in by_threads[one]
                                       if o["dtype"] == r["dtype"])
            for r in shapes[smallest])
        if best_everywhere:
            text += (f" bpnotes does best at the smallest network, {smallest}, where a step "
                     "is mostly per-call overhead (section 2) and a plain numpy "
                     "implementation has less of it than PyTorch.")
        else:
            text += (f" The smallest network, {smallest}, whose step is mostly per-call "
                     "overhead, is not where bpnotes does best in every dtype.")
        big = shapes[largest]
        torch_big = _torch_shares(big)
        bp = min(r["fraction_of_matmul"] for r in big)
        if torch_big is None:
            text += (f" For the largest network bpnotes spends at least {_percent(bp)} of a "
                     "step in matrix products; PyTorch's share was not measured.")
        else:
            text += (f" For the largest network bpnotes spends at least {_percent(bp)} of a "
                     f"step in matrix products and PyTorch at least "
                     f"{_percent(min(torch_big))}, each in its own BLAS.")
    measured = _measured_explorers(results)
    if measured:
        goal = TARGETS["explorer_ms"]
        draws = [r["new_draw_median_ms"] for r in measured]
        slow_draw = [r["chapter"] for r in measured if r["new_draw_median_ms"] >= goal]
        compute_bound = [r for r in measured
                         if r["new_compute_median_ms"] > r["new_draw_median_ms"]]
        text += (
            " An interactive figure's update to a value not seen before has two parts. Its "
            f"drawing takes a median of {min(draws):.0f} to {max(draws):.0f} ms per explorer"
            + (f" ({' and '.join(slow_draw)} above the {goal:.0f} ms target)"
               if slow_draw else f", within the {goal:.0f} ms target")
            + ". "
        )
        if compute_bound:
            text += (
                "In the explorers whose computation takes longer than their drawing, the "
                "chapter's numerics, not matplotlib, make the update slow: "
                + "; ".join(f"the {r['chapter']} explorer computes for a median of "
                            f"{r['new_compute_median_ms']:.0f} ms (at most "
                            f"{r['new_compute_max_ms']:.0f} ms) and draws in "
                            f"{r['new_draw_median_ms']:.0f} ms" for r in compute_bound)
                + ". The computation runs once per value: a value shown again is a look-up."
            )
        else:
            text += "In every explorer the computation takes less time than the drawing."
    return (text + " All numbers come from `benchmarks/results/latest.json`, produced by "
            "`python benchmarks/run.py`.").strip()


def all_tables(results: dict) -> str:
    """Every table with a heading, as printed by ``benchmarks/run.py``."""
    parts = [("Machine", machine_table), ("When each part was measured", provenance_table),
             ("Targets", targets_summary)]
    if "mlp" in results:
        parts += [("1. Training step, bpnotes / PyTorch", mlp_table)]
    if "train" in results:
        parts += [("1b. MLP.train / the same MLP.step calls", train_table)]
    if "mlp" in results:
        parts += [("2. FLOP rate of a step / raw numpy matmul", flops_table)]
    if "explorers" in results:
        parts += [("3. Explorer live-update latency", explorer_table),
                  ("3b. One update, split up", explorer_breakdown_table)]
    if "build" in results:
        parts.append(("4. Book build", build_table))
    return "\n\n".join(f"## {title}\n\n{fn(results)}" for title, fn in parts)
