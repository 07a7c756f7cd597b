"""How much the answer boxes add to the site, and how fast they answer in the browser.

    python benchmarks/bench_answers.py --site _build/html     # a book already built
    python benchmarks/bench_answers.py                        # builds the book first (minutes)

Serves the built site from 127.0.0.1 and drives Debian's chromium (Playwright,
``executable_path``) on a chapter with answer boxes:

* the size the boxes add to the site (``_static/answers``), by file;
* the **cold** first verdict: a new browser profile (empty HTTP cache), the first Check on
  the page, until the verdict is shown — Python, sympy and the checkers loaded in a worker;
* the **warm** first verdict: the same page opened again in the same profile (everything in
  the browser's cache), first Check until the verdict;
* the **later** checks: each further Check on a loaded page, against the same check in
  CPython (``bpnotes.exercises.check``) measured in the same run.

The reference for the first verdicts is a bare Pyodide start (the interpreter alone, no
packages, in a worker of the same page and profile state), measured in the same run, so
the ratio says what sympy and the checkers add to the interpreter's own start-up. Run it
on an idle machine: other programs competing for the cores slow the browser down.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
CHROMIUM = os.environ.get("BPNOTES_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

#: A bare Pyodide start in a module worker: the reference for the first verdict.
BARE_START = """async ([folder]) => {
  const source = `
    const { loadPyodide } = await import(${JSON.stringify(folder + "pyodide.mjs")});
    const pyodide = await loadPyodide({ indexURL: ${JSON.stringify(folder)} });
    postMessage(pyodide.runPython("1 + 1"));`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const started = performance.now();
  const worker = new Worker(url, { type: "module" });
  await new Promise((resolve, reject) => {
    worker.onmessage = resolve;
    worker.onerror = (event) => reject(new Error(event.message));
  });
  worker.terminate();
  return (performance.now() - started) / 1000;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build_site() -> Path:
    out = Path(tempfile.mkdtemp(prefix="bpnotes-bench-answers-"))
    subprocess.run([shutil.which("jupyter-book") or "jupyter-book", "build", str(ROOT),
                    "--path-output", str(out)], check=True, cwd=ROOT)
    return out / "_build" / "html"


def site_size(site: Path) -> dict[str, int]:
    folder = site / "_static" / "answers"
    return {str(p.relative_to(folder)): p.stat().st_size
            for p in sorted(folder.rglob("*")) if p.is_file()}


def pages_with_boxes(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in (site / "book").glob("*.html")
                  if 'class="bpn-check"' in p.read_text(encoding="utf-8"))


def _descendants_cpu_seconds() -> float:
    """CPU time (user + system) used so far by this process's descendants: the Playwright
    driver and every chromium process. Unlike wall time, it hardly depends on what else
    the machine is running (Linux /proc; 0.0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
    mine, total = {os.getpid()}, 0.0
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                total += cpu[pid]
                changed = True
    return total


def _first_text_box(page):
    """The first box with a text field (formula or number) and its label."""
    box = page.locator('.bpn-check:has(input[type="text"])').first
    return box, box.get_attribute("data-exercise")


def _time_check(page, box, text: str) -> tuple[float, str]:
    verdict = box.locator(".bpn-verdict")
    verdict.evaluate("el => { el.textContent = ''; }")
    field = box.locator("input, textarea, select").first
    field.fill(text)
    started = time.perf_counter()
    field.press("Enter")
    page.wait_for_function("el => /^[✔✘]/.test(el.textContent)", arg=verdict.element_handle(),
                           timeout=180_000)
    return time.perf_counter() - started, verdict.inner_text()


def _bare_start(page) -> float:
    folder = page.evaluate("""() => new URL(
        document.querySelector('script[data-pyodide]').dataset.pyodide + '/',
        document.querySelector('script[data-pyodide]').src).href""")
    return page.evaluate(BARE_START, [folder])


def run(site: Path, repeats: int = 3, later: int = 10) -> dict:
    from playwright.sync_api import sync_playwright

    from bpnotes.exercises import check

    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    page_path = pages_with_boxes(site)[0]
    answers = ["0", "1/2", "x +", "2", "0.25"]
    results: dict = {"page": page_path, "size": site_size(site), "cold": [], "cold_cpu": [],
                     "warm": [],
                     "bare_cold": [], "bare_warm": [], "later": [], "cpython": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for _ in range(repeats):
                # Reference first: a bare interpreter start in a new profile (cold) ...
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/{page_path}")
                results["bare_cold"].append(_bare_start(page))
                context.close()
                # ... then the boxes in another new profile: cold, then warm, then later checks.
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/{page_path}")
                box, label = _first_text_box(page)
                cpu_before = _descendants_cpu_seconds()
                seconds, _ = _time_check(page, box, answers[0])
                results["cold"].append(seconds)
                results["cold_cpu"].append(_descendants_cpu_seconds() - cpu_before)
                for n in range(later):
                    text = answers[n % len(answers)]
                    seconds, shown = _time_check(page, box, text)
                    results["later"].append(seconds)
                    started = time.perf_counter()
                    expected = str(check(label, text))
                    results["cpython"].append(time.perf_counter() - started)
                    assert shown == expected, (label, text, shown, expected)
                page.close()  # the reader moves on: the next page starts its own worker
                warm = context.new_page()
                warm.goto(f"{base}/{page_path}")
                results["bare_warm"].append(_bare_start(warm))
                box, _ = _first_text_box(warm)
                results["warm"].append(_time_check(warm, box, answers[0])[0])
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    return results


def report(results: dict) -> str:
    size = results["size"]
    median = statistics.median
    lines = [
        f"answer boxes on {results['page']}",
        "",
        f"site size added: {sum(size.values()) / 1e6:.1f} MB in _static/answers",
        *(f"  {name:<52} {bytes_ / 1e6:7.2f} MB" for name, bytes_ in size.items()),
        "",
        "| measurement | median | min | max | reference (median) | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    rows = [
        ("cold first verdict (s)", results["cold"], "bare Pyodide start, cold",
         results["bare_cold"]),
        ("warm first verdict (s)", results["warm"], "bare Pyodide start, warm",
         results["bare_warm"]),
        ("later check (ms)", [1000 * s for s in results["later"]], "the same check in CPython",
         [1000 * s for s in results["cpython"]]),
    ]
    for name, values, ref_name, ref in rows:
        lines.append(f"| {name} | {median(values):.2f} | {min(values):.2f} | {max(values):.2f} "
                     f"| {ref_name}: {median(ref):.2f} | {median(values) / median(ref):.1f} |")
    lines.append("")
    lines.append(f"CPU time of the browser for the cold first verdict (all its processes): "
                 f"median {median(results['cold_cpu']):.2f} s; on an idle 2-core machine the "
                 "wall time is at most about this")
    lines.append("targets: cold first verdict ≤ 15 s, later checks < 1000 ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (_build/html); default: build")
    parser.add_argument("--repeats", type=int, default=3, help="cold/warm measurements")
    parser.add_argument("--later", type=int, default=10, help="later checks per repeat")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    site = args.site or build_site()
    results = run(site, args.repeats, args.later)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
