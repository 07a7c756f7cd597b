"""Tables (Markdown) of a results file, for the terminal and for the book's appendix."""

from __future__ import annotations

#: The targets of issue 7, one per benchmark.
TARGETS = {
    "ratio_small": 1.0,       # bpnotes / PyTorch step time, two smaller shapes
    "ratio_large": 1.2,       # ... largest shape
    "matmul_fraction": 0.70,  # achieved FLOP rate / raw matmul rate, largest shape
    "train_overhead": 1.10,   # MLP.train / the same MLP.step calls (issue 10)
    "explorer_ms": 50.0,      # median live-update latency
    "cold_build_s": 180.0,
    "warm_build_s": 20.0,
}


def _shape(row: dict) -> str:
    return "-".join(map(str, row["sizes"])) + f", m={row['m']}"


def _verdict(ok: bool) -> str:
    return "✓" if ok else "✗ missed"


def _largest(rows: list[dict]) -> int:
    return max(row["flops"] for row in rows)


def mlp_table(results: dict) -> str:
    """Benchmark 1: step times and the bpnotes / PyTorch ratio against its target."""
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
    """Benchmark 2: achieved GFLOP/s of a step as a fraction of raw numpy matmul."""
    rows = results["mlp"]["rows"]
    largest = _largest(rows)
    lines = ["| network, batch | dtype | threads | MFLOP / step "
             "| GFLOP/s, step / bare matmul | fraction | target |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        if row["flops"] == largest:
            ok = row["fraction_of_matmul"] >= TARGETS["matmul_fraction"]
            target = f"≥ {100 * TARGETS['matmul_fraction']:.0f} % {_verdict(ok)}"
        else:
            target = "–"
        lines.append(
            f"| {_shape(row)} | {row['dtype']} | {row['threads']} | {row['flops'] / 1e6:.2f} | "
            f"{row['bpnotes_gflops']:.1f} / {row['matmul_gflops']:.1f} | "
            f"{100 * row['fraction_of_matmul']:.0f} % | {target} |"
        )
    return "\n".join(lines)


def explorer_table(results: dict) -> str:
    """Benchmark 3: each explorer's live update, split into computation and drawing."""
    lines = ["| chapter's explorer | new value: compute, median / max (ms) "
             "| new value: draw, median / max (ms) | target (draw) "
             "| revisited value: look-up + draw, median (ms) |",
             "| --- | ---: | ---: | --- | ---: |"]
    goal = TARGETS["explorer_ms"]
    for row in results["explorers"]["rows"]:
        if row["status"] != "measured" or "new_draw_median_ms" not in row:
            lines.append(f"| {row['chapter']} | – | – | {row['status']} | – |")
            continue
        revisit = row["revisit_compute_median_ms"] + row["revisit_draw_median_ms"]
        lines.append(
            f"| {row['chapter']} | {row['new_compute_median_ms']:.0f} / "
            f"{row['new_compute_max_ms']:.0f} | {row['new_draw_median_ms']:.0f} / "
            f"{row['new_draw_max_ms']:.0f} | < {goal:.0f} ms "
            f"{_verdict(row['new_draw_median_ms'] < goal)} | {revisit:.0f} |"
        )
    return "\n".join(lines)


def explorer_breakdown_table(results: dict) -> str:
    """Benchmark 3b: what showing an explorer costs, step by step."""
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


def build_table(results: dict) -> str:
    """Benchmark 4: cold and warm book build."""
    build = results.get("build")
    if not build:
        return "(the book build was not timed in this run)"
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


def machine_table(results: dict) -> str:
    """The machine and library versions."""
    m = results["machine"]
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
        ("threads in benchmarks 1–2", ", ".join(map(str, results["mlp"]["thread_counts"]))
         + " (numpy's BLAS and PyTorch always set to the same number)"
         if "mlp" in results else "–"),
        ("measured", results.get("date", "?")),
    ]
    return "\n".join(["| property | value |", "| --- | --- |"]
                     + [f"| {k} | {v} |" for k, v in items])


def thread_anomalies(results: dict) -> list[str]:
    """Rows of benchmark 1 in which either library took more than twice as long with all
    threads as with one. Starting threads costs a little, but not a factor of two: such
    rows mostly measured other programs (or the two libraries' idle threads) competing for
    the cores. Returned as short descriptions, e.g.
    "64-128-64-10, m=256, float32, 2 threads (PyTorch)"."""
    rows = results.get("mlp", {}).get("rows", [])
    one = {(tuple(r["sizes"]), r["m"], r["dtype"]): r for r in rows if r["threads"] == 1}
    found = []
    for row in rows:
        base = one.get((tuple(row["sizes"]), row["m"], row["dtype"]))
        if row["threads"] == 1 or base is None:
            continue
        slow = [name for name, key in (("bpnotes", "bpnotes_ms"), ("PyTorch", "torch_ms"))
                if row[key] > 2.0 * base[key]]
        if slow:
            found.append(f"{_shape(row)}, {row['dtype']}, {row['threads']} threads "
                         f"({' and '.join(slow)})")
    return found


def targets_summary(results: dict) -> str:
    """One Markdown bullet per target of issue 7: met or missed, with the deciding number."""
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
    if "train" in results:
        worst = max(r["ratio"] for r in results["train"]["rows"])
        goal = TARGETS["train_overhead"]
        bullets.append(f"`MLP.train` / the same `MLP.step` calls: target ≤ {goal:.2f}, "
                       f"worst row {worst:.2f}: **{'met' if worst <= goal else 'missed'}**.")
    if "explorers" in results:
        measured = [r for r in results["explorers"]["rows"]
                    if r["status"] == "measured" and "new_draw_median_ms" in r]
        if measured:
            goal = TARGETS["explorer_ms"]
            met = sum(r["new_draw_median_ms"] < goal for r in measured)
            medians = sorted(r["new_draw_median_ms"] for r in measured)
            verdict = ("met" if met == len(measured)
                       else "missed" if met == 0 else "partly missed")
            bullets.append(f"Explorer live update to a value not shown before, drawing "
                           f"median < {goal:.0f} ms (plus the computation, cached per value): "
                           f"{met} of {len(measured)} explorers meet it (medians "
                           f"{medians[0]:.0f} to {medians[-1]:.0f} ms): **{verdict}**.")
    build = results.get("build") or {}
    for key, label, target_key in (("cold", "Cold book build", "cold_build_s"),
                                   ("warm", "Warm rebuild", "warm_build_s")):
        if key in build:
            entry = build[key]
            ok = entry["seconds"] < TARGETS[target_key] and entry["returncode"] == 0
            bullets.append(f"{label}: target < {TARGETS[target_key]:.0f} s, measured "
                           f"{entry['seconds']:.1f} s: **{'met' if ok else 'missed'}**.")
    return "\n".join(f"- {b}" for b in bullets)


def all_tables(results: dict) -> str:
    """Every table with a heading, as printed by ``benchmarks/run.py``."""
    parts = [("Machine", machine_table), ("Targets", targets_summary)]
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
