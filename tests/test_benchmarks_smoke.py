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
import report  # noqa: E402


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
                    "ratio_vs_torch_median"):
            assert np.isfinite(row[key]) and row[key] > 0
        # the ratio reported is best time / best time; the fraction of the bare matmul
        # rate and the GFLOP/s are computed from the same best times and the FLOP count
        assert row["ratio_vs_torch"] == pytest.approx(row["bpnotes_ms"] / row["torch_ms"])
        assert row["fraction_of_matmul"] == pytest.approx(row["matmul_ms"] / row["bpnotes_ms"])
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


def test_targets_summary_and_thread_anomalies(smoke):
    summary = report.targets_summary(smoke)
    assert summary.count("\n- ") + 1 == len(summary.splitlines())  # one bullet per line
    assert "**met**" in summary or "**missed**" in summary
    # a made-up row that got 3 times slower with 2 threads is flagged, a normal one is not
    row = {"sizes": [2, 3, 1], "m": 4, "dtype": "float64", "threads": 1,
           "bpnotes_ms": 1.0, "torch_ms": 1.0}
    fast = {**row, "threads": 2, "bpnotes_ms": 0.8, "torch_ms": 3.0}
    odd = report.thread_anomalies({"mlp": {"rows": [row, fast]}})
    assert odd == ["2-3-1, m=4, float64, 2 threads (PyTorch)"]
    assert report.thread_anomalies({"mlp": {"rows": [row]}}) == []
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


def test_smoke_refuses_to_overwrite_latest():
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--smoke", "--output",
         str(BENCH / "results" / "latest.json")],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=60,
    )
    assert result.returncode != 0 and "must not overwrite" in result.stderr
