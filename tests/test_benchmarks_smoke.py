"""The benchmark scripts still run (tiny sizes, two repetitions, no book build).

This is not a timing test: it checks that ``benchmarks/run.py --smoke`` runs end to end,
that what it measures is well-formed, that the FLOP count is right, that the report renders,
and that a smoke run never touches the committed results.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_mlp  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("bench") / "smoke.json"
    latest = BENCH / "results" / "latest.json"
    before = latest.read_bytes() if latest.exists() else None
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--smoke", "--output", str(output)],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (latest.read_bytes() if latest.exists() else None) == before
    data = json.loads(output.read_text())
    data["stdout"] = result.stdout
    return data


def test_smoke_run_measures_both_libraries(smoke):
    rows = smoke["mlp"]["rows"]
    assert {(tuple(r["sizes"]), r["dtype"]) for r in rows} == {
        (tuple(s), d) for s, _ in bench_mlp.SMOKE_SHAPES for d in bench_mlp.DTYPES
    }
    for row in rows:
        for key in ("bpnotes_ms", "torch_ms", "matmul_ms", "ratio_vs_torch",
                    "ratio_vs_torch_median", "torch_matmul_ms", "bpnotes_wall_ms",
                    "torch_wall_ms"):
            assert np.isfinite(row[key]) and row[key] > 0
        # the ratio reported is best time / best time; the fraction of the bare matmul
        # rate and the GFLOP/s are computed from the same best times and the FLOP count
        assert row["ratio_vs_torch"] == pytest.approx(row["bpnotes_ms"] / row["torch_ms"])
        assert row["fraction_of_matmul"] == pytest.approx(row["matmul_ms"] / row["bpnotes_ms"])
        assert row["torch_fraction_of_matmul"] == pytest.approx(row["torch_matmul_ms"]
                                                                / row["torch_ms"])
        if row["threads"] > 1:  # timed by the wall clock: both columns are the same clock
            assert row["bpnotes_wall_ms"] == pytest.approx(row["bpnotes_ms"])
        assert row["flops"] == bench_mlp.step_flops(row["sizes"], row["m"])
        assert row["bpnotes_gflops"] == pytest.approx(row["flops"] / row["bpnotes_ms"] / 1e6)
    assert smoke["smoke"] is True and "build" not in smoke
    assert smoke["machine"]["cores"] >= 1 and smoke["machine"]["numpy"] == np.__version__


def test_smoke_run_compares_train_with_the_same_steps(smoke):
    rows = smoke["train"]["rows"]
    assert [(tuple(r["sizes"]), r["m"], r["batch_size"], r["epochs"]) for r in rows] == [
        (tuple(s), m, b, e) for s, m, b, e in bench_mlp.SMOKE_TRAIN_SHAPES]
    for row in rows:
        assert row["train_ms"] > 0 and row["steps_ms"] > 0 and row["ratio_median"] > 0
        assert row["ratio"] == pytest.approx(row["train_ms"] / row["steps_ms"])
        assert row["ratio_full"] == pytest.approx(row["train_full_ms"]
                                                  / row["steps_and_costs_ms"])
        per_epoch = 1 if row["batch_size"] is None else -(-row["m"] // row["batch_size"])
        assert row["steps_per_call"] == row["epochs"] * per_epoch
    assert smoke["train"]["target"] == report.TARGETS["train_overhead"] == 1.10
    assert f"{rows[0]['ratio']:.2f}" in smoke["stdout"]


@pytest.mark.parametrize("batch_size", [None, 3])
def test_train_and_steps_take_the_same_steps(batch_size):
    # the setup raises unless one call of each ends at the same weights; and the two
    # functions restart from the same weights, so calling them again changes nothing
    functions = bench_mlp.train_and_steps((3, 4, 2), 7, batch_size, 2)
    assert set(functions) == {"train", "steps", "train_full", "steps_and_costs"}
    for function in functions.values():
        function()


def test_smoke_run_lists_every_explorer(smoke):
    rows = smoke["explorers"]["rows"]
    assert [r["factory"].rsplit(".", 1)[1] for r in rows] == [
        name for _, _, name in __import__("bench_explorers").EXPLORERS
    ]
    for row in rows:
        assert row["status"] in ("measured", "not available yet")
        if row["status"] == "measured":
            assert row["median_ms"] > 0 and row["max_ms"] >= row["median_ms"]


def test_printed_tables_come_from_the_results(smoke):
    assert smoke["stdout"].startswith("## Machine")
    for row in smoke["mlp"]["rows"]:
        assert f"{row['ratio_vs_torch']:.2f}" in smoke["stdout"]
    assert report.all_tables(smoke) in smoke["stdout"]


def test_every_part_records_when_it_was_measured(smoke):
    stamps = [smoke[part]["measured"] for part in run.PARTS if part in smoke]
    assert len(stamps) == 4 and len({s["run"] for s in stamps}) == 1  # one call, no build
    assert all(s["smoke"] is True and s["date"].endswith("UTC") for s in stamps)
    table = report.provenance_table(smoke)
    assert "one run" in table and "smoke test" in table and "book build" in table


def test_targets_summary_lists_every_target(smoke):
    for results in (smoke, {}, {k: v for k, v in smoke.items() if k != "explorers"}):
        summary = report.targets_summary(results)
        assert summary.count("\n- ") + 1 == len(summary.splitlines())  # one bullet per line
        assert len(summary.splitlines()) == 7  # every target of report.TARGETS, once
    summary = report.targets_summary(smoke)
    assert "**met**" in summary or "**missed**" in summary
    assert summary.count(f"**{report.NOT_MEASURED}**") == 2  # no book build in a smoke run
    assert "first definition" in summary  # the explorers' target both ways


def test_thread_anomalies_compare_wall_clock_with_wall_clock():
    # with one thread a row is reported in CPU time, with two in wall time: only the wall
    # times of the two rows are compared, and every slowdown is reported with its factor
    row = {"sizes": [2, 3, 1], "m": 4, "dtype": "float64", "threads": 1,
           "bpnotes_ms": 1.0, "torch_ms": 1.0, "bpnotes_wall_ms": 1.1, "torch_wall_ms": 2.0}
    two = {**row, "threads": 2, "bpnotes_ms": 1.21, "torch_ms": 1.9,
           "bpnotes_wall_ms": 1.21, "torch_wall_ms": 1.9}
    odd = report.thread_anomalies({"mlp": {"rows": [row, two]}})
    assert odd == ["2-3-1, m=4, float64: bpnotes 1.10 times as long with 2 threads"]
    faster = {**two, "bpnotes_wall_ms": 1.0, "torch_wall_ms": 1.0}
    assert report.thread_anomalies({"mlp": {"rows": [row, faster]}}) == []
    # a file without wall-clock times for the one-thread rows cannot be compared
    old = {k: v for k, v in row.items() if not k.endswith("wall_ms")}
    assert report.thread_anomalies({"mlp": {"rows": [old, two]}}) is None
    extra = {"flops": 10, "fraction_of_matmul": 0.5, "ratio_vs_torch": 1.0}
    assert "cannot be compared" in report.step_commentary(
        {"mlp": {"rows": [{**old, **extra}, {**two, **extra}]}})
    assert "bpnotes 1.10 times as long" in report.step_commentary(
        {"mlp": {"rows": [{**row, **extra}, {**two, **extra}]}})


@pytest.mark.parametrize("missing", [None, "mlp", "train", "explorers", "autodiff", "all"])
def test_the_page_is_generated_from_whatever_the_file_holds(smoke, missing):
    results = {k: v for k, v in smoke.items() if k != "stdout"}
    if missing == "all":
        results = {}
    elif missing is not None:
        del results[missing]
    notebooks = report.book_notebooks(ROOT)
    texts = [fn(results) for fn in (
        report.machine_table, report.provenance_table, report.mlp_table,
        report.step_commentary, report.train_table, report.train_commentary,
        report.flops_table, report.flops_commentary, report.explorer_method,
        report.explorer_table, report.explorer_breakdown_table, report.explorer_commentary,
        report.build_table, report.explorer_saving, report.targets_summary, report.closing)]
    texts.append(report.build_commentary(results, notebooks))
    assert all(isinstance(t, str) for t in texts)
    if missing in ("mlp", "train", "explorers", "all"):
        assert any(report.NOT_MEASURED in t for t in texts)
    if missing is None:  # a smoke run has every part but the build
        assert report.build_table(results).count(report.NOT_MEASURED) == 1
        assert report.NOT_MEASURED not in report.mlp_table(results)


def test_build_commentary_names_the_pages_added_since():
    now = ["book/intro", "book/autodiff", "book/capstone"]
    build = {"cold": {"seconds": 1.0, "returncode": 0}, "cached_notebooks": 2,
             "notebooks": ["book/intro", "book/capstone"],
             "measured": {"commit": "abc123", "date": "d", "run": "r"}}
    text = report.build_commentary({"build": build}, now)
    assert "2 notebooks" in text and "abc123" in text and "3 notebook pages" in text
    assert "`book/autodiff`" in text and "smaller book" in text
    # an older file: only the count, and no commit
    old = {"cold": build["cold"], "cached_notebooks": 2}
    text = report.build_commentary({"build": old}, now)
    assert "does not record" in text and "another version of the book" in text
    assert "smaller book" not in report.build_commentary({"build": {**build, "notebooks": now,
                                                                    "cached_notebooks": 3}}, now)


def test_book_notebooks_are_the_executed_pages_of_the_toc():
    notebooks = report.book_notebooks(ROOT)
    assert notebooks[0] == "book/intro" and "book/capstone" in notebooks
    assert "book/bibliography" not in notebooks  # a page without code
    assert len(notebooks) == len(set(notebooks))


def test_machine_table(smoke):
    machine = report.machine_table(smoke)
    assert "logical CPUs" in machine
    assert all(cell.strip() for cell in machine.splitlines()[0].strip("|").split("|"))  # header


def test_step_flops_by_hand():
    # 2-3-1 at m = 4: forward 2*4*(2*3 + 3*1) = 72, weight gradients 72, delta W^2: 2*4*3*1 = 24
    assert bench_mlp.step_flops((2, 3, 1), 4) == 72 + 72 + 24


def test_bpnotes_and_torch_compute_the_same_step():
    import torch

    sizes, m = (5, 7, 3), 11
    X, Y, labels = bench_mlp.problem(sizes, m, "float64")
    net = bench_mlp.bpnotes_net(sizes, "float64")
    model, loss_fn = bench_mlp.torch_model(net)
    net.step(X, Y, bench_mlp.LR)
    optimiser = torch.optim.SGD(model.parameters(), lr=bench_mlp.LR)
    loss_fn(model(torch.from_numpy(X)), torch.from_numpy(labels)).backward()
    optimiser.step()
    np.testing.assert_allclose(model[0].weight.detach().numpy(), net.weights[0], rtol=1e-12)
    np.testing.assert_allclose(model[2].bias.detach().numpy(), net.biases[1], rtol=1e-12)


def test_only_refuses_to_replace_an_existing_file_without_merge(tmp_path, capsys):
    existing = tmp_path / "results.json"
    existing.write_text("{}")
    with pytest.raises(SystemExit):
        run.main(["--smoke", "--only", "mlp", "--output", str(existing)])
    assert "--merge" in capsys.readouterr().err and existing.read_text() == "{}"
    with pytest.raises(SystemExit):
        run.main(["--smoke", "--merge", "--output", str(existing)])  # no --only


def _stamped(part: str) -> dict:
    return {"rows": [], "measured": machine.provenance(run="earlier")}


def test_merge_keeps_stamped_parts_and_refuses_what_would_mislead(tmp_path):
    target = tmp_path / "results.json"
    here = machine.describe()
    good = {"written": "x", "smoke": False, "machine": here,
            "explorers": _stamped("explorers"), "build": _stamped("build")}
    target.write_text(json.dumps(good))
    kept = run.merge_base(target, ["explorers"])
    assert set(kept) == {"build"} and kept["build"]["measured"]["run"] == "earlier"
    # a part without a record of when it was measured
    target.write_text(json.dumps({**good, "build": {"cold": {}}}))
    with pytest.raises(ValueError, match="does not record when"):
        run.merge_base(target, ["explorers"])
    # ... unless it is the part measured again
    assert run.merge_base(target, ["build"]) == {"explorers": good["explorers"]}
    # another machine
    target.write_text(json.dumps({**good, "machine": {**here, "cpu": "another CPU"}}))
    with pytest.raises(ValueError, match="another machine"):
        run.merge_base(target, ["explorers"])
    # smoke results, and no file at all
    target.write_text(json.dumps({**good, "smoke": True}))
    with pytest.raises(ValueError, match="smoke"):
        run.merge_base(target, ["explorers"])
    with pytest.raises(ValueError, match="does not exist"):
        run.merge_base(tmp_path / "missing.json", ["explorers"])


def test_the_committed_results_can_never_be_merged_into_unrecorded():
    # latest.json written before parts were stamped must be measured again as a whole
    latest = json.loads((BENCH / "results" / "latest.json").read_text())
    kept = [p for p in run.PARTS if p in latest and p != "explorers"]
    if any("measured" not in latest[p] for p in kept):
        with pytest.raises(ValueError):
            run.merge_base(BENCH / "results" / "latest.json", ["explorers"])


def test_smoke_refuses_to_overwrite_latest():
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--smoke", "--output",
         str(BENCH / "results" / "latest.json")],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=60,
    )
    assert result.returncode != 0 and "must not overwrite" in result.stderr


def test_update_values_spread_over_each_control_until_there_are_enough():
    from types import SimpleNamespace

    import bench_explorers

    def fake(*controls):
        return SimpleNamespace(
            controls=[SimpleNamespace(name=n, values=v) for n, v in controls],
            initial_values={n: v[0] for n, v in controls})

    one = fake(("lr", list(range(10))))
    settings = bench_explorers.update_values(one, per_control=3, at_least=6)
    values = [s["lr"] for s in settings]
    assert len(values) >= 6 and 0 not in values  # never the starting picture
    assert values == sorted(set(values)) and values[-1] == 9  # spread to the last value
    # a control with few values gives what it has; several controls share the count
    assert len(bench_explorers.update_values(fake(("mode", ["a", "b", "c"])))) == 2
    many = fake(("a", list(range(5))), ("b", list(range(5))), ("c", list(range(5))))
    assert len(bench_explorers.update_values(many, per_control=3, at_least=6)) == 6
