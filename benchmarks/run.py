"""Run the bpnotes benchmarks, print their tables and save the results.

    python benchmarks/run.py            # everything, writes benchmarks/results/latest.json
    python benchmarks/run.py --smoke    # tiny sizes, 2 repetitions, no book build, no file
    python benchmarks/run.py --only explorers --merge   # re-measure one part in place

Every part of the results records when, in which call of this script and at which git
commit it was measured (``"measured"``), so that a file that mixes parts of different
calls says so. A full run writes the whole file. ``--only`` writes a file with only its
parts, and refuses to replace an existing one unless ``--merge`` is given; ``--merge``
replaces only the parts it measures, and refuses a file measured on another machine or one
whose parts do not record when they were measured. See benchmarks/README.md.
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
#: What must be equal for results of two calls to be merged into one file.
SAME_MACHINE = ("cpu", "cores", "memory_gb", "virtual", "system", "python", "numpy", "torch",
                "torch_blas", "matplotlib", "blas")


def _comparable(description: dict) -> dict:
    blas = dict(description.get("blas") or {})
    blas.pop("threads", None)  # the default thread count, not the machine
    return {**{key: description.get(key) for key in SAME_MACHINE}, "blas": blas}


def merge_base(output: Path, parts: list[str]) -> dict:
    """The existing results that ``--merge`` keeps: every part of ``output`` not re-measured.

    Raises
    ------
    ValueError
        If ``output`` does not exist, was measured on another machine (or with other
        library versions), or a part it keeps does not record when it was measured.
    """
    if not output.exists():
        raise ValueError(f"--merge needs an existing results file; {output} does not exist")
    old = json.loads(output.read_text(encoding="utf-8"))
    kept = [part for part in PARTS if part in old and part not in parts]
    unrecorded = [part for part in kept if "measured" not in old[part]]
    if unrecorded:
        raise ValueError(f"{output} does not record when its parts {', '.join(unrecorded)} were "
                         "measured, so a merge would pass them off as measured with the new "
                         "ones: run them again too (or everything)")
    if _comparable(old.get("machine", {})) != _comparable(machine.describe()):
        raise ValueError(f"{output} was measured on another machine or with other library "
                         "versions (see its 'machine'): run everything again instead")
    if old.get("smoke"):
        raise ValueError(f"{output} holds smoke-test results: run everything again instead")
    return {part: old[part] for part in kept}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and 2 repetitions, no book build (for the tests)")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"where to write the JSON results (default: {LATEST} for a full "
                             "run, nothing for --smoke)")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--merge", action="store_true",
                        help="with --only: replace only these parts of the existing results "
                             "file; the others keep the date and commit they were measured at")
    args = parser.parse_args(argv)
    parts = args.only or [p for p in PARTS if not (args.smoke and p == "build")]
    if args.smoke and "build" in parts:
        parser.error("--smoke never builds the book")
    output = args.output if args.output is not None else (None if args.smoke else LATEST)
    if args.smoke and output is not None and output.resolve() == LATEST.resolve():
        parser.error("--smoke must not overwrite the committed results")
    if args.merge and not args.only:
        parser.error("--merge replaces the parts named by --only; without --only, run.py "
                     "measures everything and writes the whole file")
    if args.merge and (args.smoke or output is None):
        parser.error("--merge needs a results file to merge into, and never smoke results")
    kept: dict = {}
    if args.merge:
        try:
            kept = merge_base(output, parts)
        except ValueError as exc:
            parser.error(str(exc))
    elif args.only and output is not None and output.exists():
        parser.error(f"{output} exists, and --only {' '.join(parts)} would replace it by a "
                     "file with only these parts: pass --merge to replace just them (the "
                     "others keep the date and commit they were measured at), or --output "
                     "to write elsewhere")

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    measure = {"mlp": lambda: bench_mlp.run(smoke=args.smoke),
               "train": lambda: bench_mlp.run_train(smoke=args.smoke),
               "explorers": lambda: bench_explorers.run(smoke=args.smoke),
               "autodiff": lambda: bench_autodiff.run(smoke=args.smoke),
               "build": bench_build.run}
    results: dict = {"written": started, "smoke": args.smoke, **kept}
    for part in PARTS:
        if part in parts:
            stamp = machine.provenance(run=started, smoke=args.smoke)
            results[part] = {**measure[part](), "measured": stamp}
    results["machine"] = machine.describe()  # after the runs: torch's thread count as used
    results = {key: results[key] for key in ("written", "smoke", "machine", *PARTS)
               if key in results}
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
