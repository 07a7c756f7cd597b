"""Why backpropagation is fast: gradients by finite differences against backpropagation.

    python benchmarks/bench_autodiff.py           # the full sizes (about two minutes)
    python benchmarks/bench_autodiff.py --smoke   # tiny sizes, for the tests

(``python benchmarks/run.py`` runs it too, as its part "autodiff".)

For MLPs with a growing number of parameters P (tanh hidden layers, squared loss, m = 64
examples) it measures, in the same run and with one BLAS thread:

* one forward pass (``MLP.cost``),
* one backpropagation (``MLP.gradients``),
* the full gradient by centred finite differences (2P forward passes, eq. (ad-fd-cost)),

and prints the ratios finite differences / backprop and backprop / forward. The first
grows in proportion to P; the second stays a small constant. A last row times the scalar
engine ``bpnotes.autodiff.Value`` on a small network against ``MLP.gradients``: the same
algorithm, one Python object per number instead of one numpy array per layer.

The three times of a network are processor time per call, each averaged over a loop of
2P calls and the smallest over rounds that take the three in turn
(``autodiff.time_gradients``), so that they are measured alike; the engine row is the best
of several repetitions. The ratios are what to read, not the absolute times.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from bpnotes import MLP, autodiff

#: Hidden widths h of the networks 16-h-h-1 (full run), and of the smoke run.
WIDTHS = (4, 8, 16, 32, 64, 128)
SMOKE_WIDTHS = (2, 4)
EXAMPLES = 64




def _best(function: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def engine_row(smoke: bool) -> dict[str, float]:
    """The scalar engine against MLP.gradients on one small network and data set."""
    sizes, m = ([2, 3, 1], 4) if smoke else ([4, 8, 8, 1], 16)
    rng = np.random.default_rng(0)
    net = MLP(sizes, hidden="tanh", output="identity", loss="squared", seed=0)
    X, Y = rng.normal(size=(m, sizes[0])), rng.normal(size=(m, sizes[-1]))

    def engine() -> None:
        autodiff.network_cost(net, X, Y).cost.backward()

    repeats = 2 if smoke else 5
    t_engine = _best(engine, repeats)
    t_mlp = _best(lambda: net.gradients(X, Y), repeats * 20)
    return {"sizes": sizes, "examples": m, "engine_s": t_engine, "mlp_s": t_mlp,
            "ratio": t_engine / t_mlp}


def run(smoke: bool = False) -> dict[str, object]:
    """Measure every size; return the rows (times in seconds and their ratios).

    With one BLAS thread (small matrices gain nothing from more, and timings get steadier),
    restored afterwards, so that the other benchmarks of ``run.py`` are not affected."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _run(smoke)


def _run(smoke: bool) -> dict[str, object]:
    widths = SMOKE_WIDTHS if smoke else WIDTHS
    sizes_list = [[16, h, h, 1] for h in widths]
    timings = autodiff.time_gradients(sizes_list, examples=8 if smoke else EXAMPLES,
                                      repeats=2 if smoke else 3)
    rows = [
        {
            "sizes": list(t.sizes),
            "parameters": t.parameters,
            "forward_s": t.forward,
            "backprop_s": t.backprop,
            "finite_differences_s": t.finite_differences,
            "fd_over_backprop": t.finite_differences / t.backprop,
            "backprop_over_forward": t.backprop / t.forward,
        }
        for t in timings
    ]
    return {"gradients": rows, "engine": engine_row(smoke)}


def table(results: dict[str, object]) -> str:
    """The results as a plain-text table."""
    lines = [
        f"{'P':>7} {'forward':>10} {'backprop':>10} {'finite diff.':>13} "
        f"{'finite differences / backprop':>30} {'backprop / forward':>19}"
    ]
    for r in results["gradients"]:  # type: ignore[union-attr]
        lines.append(
            f"{r['parameters']:>7} {r['forward_s'] * 1e6:>8.0f}µs {r['backprop_s'] * 1e6:>8.0f}µs "
            f"{r['finite_differences_s'] * 1e3:>11.1f}ms {r['fd_over_backprop']:>30.0f} "
            f"{r['backprop_over_forward']:>19.2f}"
        )
    e = results["engine"]
    lines.append(
        f"scalar engine on {e['sizes']} with m = {e['examples']}: {e['engine_s'] * 1e3:.1f} ms, "  # type: ignore[index]
        f"{e['ratio']:.0f} times MLP.gradients"  # type: ignore[index]
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 repetitions")
    args = parser.parse_args(argv)
    results = run(smoke=args.smoke)
    print(table(results))
    return results


if __name__ == "__main__":
    main()
