"""Answer boxes on the built site: the book's checker, run in the reader's browser, offline.

Uses the session fixtures of conftest.py (one book build, one Debian chromium). The built
pages are read as files for the markup; then one browser profile checks a right formula,
a right number, a wrong answer and garbage in the boxes of two chapters and compares each
verdict with ``check`` in this CPython process; every request to another host is blocked
and counted. The first verdict of the cold profile is held to the budget of issue 14.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import answer_boxes  # noqa: E402

pytestmark = pytest.mark.book

#: Seconds from the first Check to its verdict, cold, on the 2-core machine (issue 14).
FIRST_VERDICT_BUDGET = 15.0
#: Worked answers from the chapters' solutions, typed as a reader would, and slips.
#: (page, label, text, right?, how to submit)
CASES = [
    ("book/linear_regression", "ex-lin-absorb:halved", "2*eta", True, "Enter"),
    ("book/linear_regression", "ex-lin-critical-1d:rate", "3/7", True, "click"),
    ("book/linear_regression", "ex-lin-absorb:sum", "eta*m", False, "Enter"),
    ("book/linear_regression", "ex-lin-critical-1d:curvature", "14/3)(", False, "click"),
    ("book/linear_regression", "ex-lin-hessian:compare", "smaller", True, "click"),
    ("book/logistic_regression", "ex-log-sigmoid-prime", "s - s^2", True, "Enter"),
    ("book/logistic_regression", "ex-log-logit:contour", "2.20", True, "Enter"),
    ("book/logistic_regression", "ex-log-sigmoid-prime", "s*(1 + s)", False, "click"),
    ("book/logistic_regression", "ex-log-logit:formula", "open('x', 'w')", False, "Enter"),
]


class _Boxes(HTMLParser):
    """The answer boxes of a page: label -> the tags inside, plus the page's scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.boxes: dict[str, list[tuple[str, str]]] = {}
        self.order: list[str] = []
        self.scripts: list[str] = []
        self.sentences = 0
        self._open: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"])
        if "bpn-notebook" in classes:
            self.sentences += 1
        if self._open is not None:
            self._depth += tag == "div"
            self.boxes[self._open].append((tag, " ".join(classes)))
        elif "bpn-check" in classes:
            self._open = attributes["data-exercise"]
            assert self._open not in self.boxes, f"two boxes for {self._open}"
            self.boxes[self._open] = []
            self.order.append(self._open)
            self._depth = 1

    def handle_endtag(self, tag):
        if self._open is not None and tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._open = None


def _pages(site: Path) -> dict[str, _Boxes]:
    parsed = {}
    for path in sorted((site / "book").glob("*.html")):
        parser = _Boxes()
        parser.feed(path.read_text(encoding="utf-8"))
        parsed[f"book/{path.stem}"] = parser
    return parsed


@pytest.mark.parametrize(("prompt", "title"), [
    ("z_j, a number", "z_j, a number"), ("x.grad after f.backward()", "x.grad after f.backward()"),
    ("b after one step", "b after one step"), ("the number of rows", "The number of rows"),
])
def test_a_box_label_keeps_the_case_of_a_prompt_that_begins_with_a_symbol(prompt, title):
    assert answer_boxes._part_title(answer_boxes.Part("ex-x:y", "number", prompt)) == title


def test_every_boxed_exercise_has_one_box_of_the_contract(site):
    pages = _pages(site)
    shown = [label for page in pages.values() for label in page.order]
    assert sorted(shown) == sorted(answer_boxes.boxed_labels())
    for page, parsed in pages.items():
        for label, tags in parsed.boxes.items():
            fields = [t for t, _ in tags if t in ("input", "textarea", "select")]
            assert len(fields) == 1, (page, label, tags)
            assert [t for t, _ in tags].count("button") == 1, (page, label)
            assert sum("bpn-verdict" in c.split() for _, c in tags) == 1, (page, label)
        has_script = any("answers/answers.js" in src for src in parsed.scripts)
        assert has_script == bool(parsed.boxes), page  # the script only where there are boxes


def test_code_answers_say_how_to_check_them(site):
    pages = _pages(site)
    registry = answer_boxes.registry()
    needs_sentence = sum(any(not p.boxed for p in parts) for parts in registry.values())
    assert sum(page.sentences for page in pages.values()) == needs_sentence > 0


def test_the_site_serves_every_file_its_lock_file_names(site):
    folder = site / "_static" / "answers" / answer_boxes.INTERPRETER_FOLDER
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    assert set(lock["packages"]) == {"sympy", "mpmath", "bpnotes"}
    for entry in lock["packages"].values():
        wheel = folder / entry["file_name"]  # a local file, next to the lock file
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
    with zipfile.ZipFile(folder / lock["packages"]["sympy"]["file_name"]) as archive:
        names = archive.namelist()
    assert "sympy/__init__.pyc" in names  # byte-compiled for Pyodide's Python
    assert not [n for n in names if n.endswith(".py") or "/tests/" in n]


class Visit:
    """A page in its own browser profile, with every request recorded and offsite ones blocked."""

    def __init__(self, browser, url: str, **context_options):
        self.requests: list[str] = []
        self.offsite: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(**context_options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.open(url)

    def open(self, url: str) -> None:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, url

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in ("127.0.0.1",
                                                                             "localhost"):
            self.requests.append(urlparse(url).path)
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort()

    def check(self, label: str, text: str, how: str) -> tuple[str, float]:
        """Answer in the box of ``label``; return the verdict shown and the seconds it took."""
        box = self.page.locator(f'.bpn-check[data-exercise="{label}"]')
        field = box.locator("input, textarea, select")
        verdict = box.locator(".bpn-verdict")
        verdict.evaluate("el => { el.textContent = ''; }")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(text)
        else:
            field.fill(text)
        started = time.perf_counter()
        if how == "Enter":
            field.press("Enter")
        else:
            box.locator("button").click()
        self.page.wait_for_function("el => /^[✔✘]/.test(el.textContent)",
                                    arg=verdict.element_handle(), timeout=120_000)
        return verdict.inner_text(), time.perf_counter() - started

    def close(self) -> None:
        self.context.close()


def test_a_page_whose_boxes_are_not_used_loads_no_interpreter(browser, server):
    visit = Visit(browser, f"{server}/book/linear_regression.html")
    try:
        visit.page.wait_for_load_state("networkidle")
        assert visit.page.locator(".bpn-check").count() > 0
        assert any(path.endswith("answers/answers.js") for path in visit.requests)
        loaded = [p for p in visit.requests if "/pyodide" in p or p.endswith("worker.js")]
        assert loaded == []
        assert visit.offsite == [] and visit.errors == []
    finally:
        visit.close()


def test_verdicts_in_the_browser_are_those_of_check(browser, server):
    from bpnotes.exercises import check

    visit = Visit(browser, f"{server}/{CASES[0][0]}.html")
    timings, page = [], CASES[0][0]
    try:
        for page_name, label, text, right, how in CASES:
            if page_name != page:
                page = page_name
                visit.open(f"{server}/{page}.html")  # same profile: the assets are cached
            shown, seconds = visit.check(label, text, how)
            timings.append(seconds)
            assert shown == str(check(label, text)), (label, text)
            assert shown.startswith("✔" if right else "✘"), (label, text, shown)
        assert visit.offsite == [], visit.offsite
        assert visit.errors == [], visit.errors
        assert sum(p.endswith("pyodide.asm.wasm") for p in visit.requests) <= 2  # once per page
    finally:
        visit.close()
    first = timings[0]
    if first > FIRST_VERDICT_BUDGET:
        # A time is a sample of a machine that may be busy (the other test worker runs beside
        # this one): as the benchmarks do, the budget holds the better of two cold starts (a
        # new browser context has an empty cache).
        again = Visit(browser, f"{server}/{CASES[0][0]}.html")
        try:
            _page, label, text, _right, how = CASES[0]
            first = min(first, again.check(label, text, how)[1])
        finally:
            again.close()
    assert first <= FIRST_VERDICT_BUDGET, f"first verdict after {first:.1f} s"


def _luminance(css_colour: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_boxes_fit_a_phone_and_verdicts_are_legible(browser, server, theme):
    visit = Visit(browser, f"{server}/book/linear_regression.html",
                  viewport={"width": 390, "height": 844}, color_scheme=theme)
    try:
        page = visit.page
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for box in page.locator(".bpn-check").all():
            box.scroll_into_view_if_needed()
            for part in (box, box.locator("button"), box.locator("input, select")):
                edges = part.bounding_box()
                assert edges["x"] >= 0 and edges["x"] + edges["width"] <= 390
        box = page.locator(".bpn-check").first
        background = box.evaluate(
            "el => getComputedStyle(el.closest('.bpn-answers')).backgroundColor")
        for state in ("right", "wrong", "loading"):
            colour = box.evaluate(
                "(el, state) => { el.dataset.state = state; "
                "return getComputedStyle(el.querySelector('.bpn-verdict')).color; }", state)
            assert _contrast(colour, background) >= 4.5, (theme, state, colour, background)
        label = box.evaluate("el => getComputedStyle(el.querySelector('label')).color")
        assert _contrast(label, background) >= 4.5, (theme, label, background)
    finally:
        visit.close()
