"""Run the bpnotes benchmarks, print their tables and save the results.

    python benchmarks/run.py            # everything, writes benchmarks/results/latest.json
    python benchmarks/run.py --smoke    # tiny sizes, 2 repetitions, no book build, no file

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_autodiff  # noqa: E402
import bench_build  # noqa: E402
import bench_explorers  # noqa: E402
import bench_mlp  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402

LATEST = HERE / "results" / "latest.json"
PARTS = ("mlp", "train", "explorers", "autodiff", "build")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and 2 repetitions, no book build (for the tests)")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"where to write the JSON results (default: {LATEST} for a full "
                             "run, nothing for --smoke)")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only this benchmark (repeatable)")
    args = parser.parse_args(argv)
    parts = args.only or [p for p in PARTS if not (args.smoke and p == "build")]
    if args.smoke and "build" in parts:
        parser.error("--smoke never builds the book")
    output = args.output if args.output is not None else (None if args.smoke else LATEST)
    if args.smoke and output is not None and output.resolve() == LATEST.resolve():
        parser.error("--smoke must not overwrite the committed results")

    results: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "smoke": args.smoke,
        "machine": machine.describe(),
    }
    if "mlp" in parts:
        results["mlp"] = bench_mlp.run(smoke=args.smoke)
    if "train" in parts:
        results["train"] = bench_mlp.run_train(smoke=args.smoke)
    if "explorers" in parts:
        results["explorers"] = bench_explorers.run(smoke=args.smoke)
    if "autodiff" in parts:
        results["autodiff"] = bench_autodiff.run(smoke=args.smoke)
    if "build" in parts:
        results["build"] = bench_build.run()
    results["machine"] = machine.describe()  # after the runs: torch's thread count as used
    print(report.all_tables(results))
    if "autodiff" in results:
        print("\n\n## 5. Gradients: finite differences / backpropagation (bench_autodiff)\n\n"
              + bench_autodiff.table(results["autodiff"]))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"\nresults written to {output}")
    return results


if __name__ == "__main__":
    main()
