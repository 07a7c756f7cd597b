"""Build the book with warnings as errors, then drive the built site in headless Chromium.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``), driven by Playwright's
Python package through ``executable_path``; no browser is ever downloaded. The site is
served from 127.0.0.1 and every request to any other host is blocked and recorded, so
the test proves the site works offline. The fixtures that build, serve and browse the
site (``site``, ``server``, ``browser``) are in conftest.py, shared with the answer boxes'
test.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Console messages that are not errors of this site. Each entry is justified; keep it short.
CONSOLE_ALLOWLIST: list[tuple[str, str]] = []

pytestmark = pytest.mark.book


def toc_pages() -> list[str]:
    """Every page listed in _toc.yml, as paths relative to the site root (e.g. book/intro)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return pages


class PageVisit:
    """A loaded page with everything the browser reported while loading it."""

    def __init__(self, browser, url: str):
        self.errors: list[str] = []
        self.offsite: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.context.route("**/*", self._route)
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url} did not load"
        self.page.wait_for_function(
            "() => !window.MathJax || !window.MathJax.startup || "
            "window.MathJax.startup.promise.then(() => true)"
        )
        self.page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def _console(self, message):
        if message.type != "error":
            return
        if any(pattern in message.text for pattern, _why in CONSOLE_ALLOWLIST):
            return
        self.errors.append(message.text)

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def visits(browser, server):
    """Every page of the table of contents, loaded once."""
    loaded = {page: PageVisit(browser, f"{server}/{page}.html") for page in toc_pages()}
    yield loaded
    for visit in loaded.values():
        visit.close()


def test_every_page_loads_without_console_errors_or_offsite_requests(visits):
    problems = {}
    for page, visit in visits.items():
        if visit.errors or visit.offsite or visit.failed:
            problems[page] = {
                "errors": visit.errors,
                "offsite": visit.offsite,
                "failed": visit.failed,
            }
    assert not problems, problems


def test_math_is_typeset_and_no_raw_tex_is_left(visits):
    pages_with_math = 0
    for page, visit in visits.items():
        raw = visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('.math, div.math, span.math'))
                 .filter(el => !el.querySelector('mjx-container')).map(el => el.textContent)"""
        )
        assert not raw, f"{page}: untypeset math {raw[:3]}"
        typeset = visit.page.locator("mjx-container").count()
        pages_with_math += typeset > 0
        text = visit.page.inner_text("main")
        assert "\\frac" not in text and "$$" not in text, f"{page}: raw TeX in the text"
    assert pages_with_math >= 3


def test_figures_are_present_loaded_and_described(visits):
    figures = 0
    for page, visit in visits.items():
        images = visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('main img')).map(img => ({
                 src: img.currentSrc.slice(0, 40), ok: img.complete && img.naturalWidth > 0,
                 alt: img.getAttribute('alt') || ''}))"""
        )
        for image in images:
            assert image["ok"], f"{page}: image {image['src']} did not load"
            assert image["alt"].strip(), f"{page}: image {image['src']} has no alt text"
        figures += len(images)
    assert figures >= 5


def test_no_output_area_is_blank(visits):
    for page, visit in visits.items():
        blank = visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('.cell_output .output'))
                 .filter(el => !el.querySelector('img') && !el.textContent.trim())
                 .map(el => el.outerHTML.slice(0, 120))"""
        )
        assert not blank, f"{page}: blank output areas {blank}"


def test_solutions_are_hidden_until_opened(visits):
    solutions = 0
    for page, visit in visits.items():
        for solution in visit.page.locator("div.solution").all():
            solutions += 1
            body = solution.locator(".solution-content, section").first
            assert not body.is_visible(), f"{page}: a solution is visible before it is opened"
    assert solutions >= 1


def move_every_control(visit: PageVisit) -> int:
    """Move each control of each explorer on the page; assert the figure follows."""
    page, moved = visit.page, 0
    for explorer in page.locator(".bpx-explorer").all():
        image = explorer.locator("img.bpx-frame")
        for control in explorer.locator(".bpx-controls input, .bpx-controls select").all():
            before = image.get_attribute("src")
            if control.evaluate("el => el.tagName") == "SELECT":
                options = control.locator("option").all()
                current = control.input_value()
                target = next(
                    o.get_attribute("value") for o in options if o.get_attribute("value") != current
                )
                control.select_option(target)
            else:
                maximum = control.get_attribute("max")
                current = control.input_value()
                control.fill("0" if current == maximum else maximum)
            after = image.get_attribute("src")
            assert after != before, "moving a control of an explorer did not change its figure"
            moved += 1
    return moved


def test_intro_figure_responds_to_its_control(visits):
    visit = visits["book/intro"]
    explorer = visit.page.locator(".bpx-explorer").first
    image = explorer.locator("img.bpx-frame")
    slider = explorer.locator("input[type=range]")
    before_src, before_alt = image.get_attribute("src"), image.get_attribute("alt")
    slider.fill(slider.get_attribute("max"))
    assert image.get_attribute("src") != before_src
    assert image.get_attribute("alt") != before_alt
    assert "do not converge" in image.get_attribute("alt")
    assert explorer.locator("output").inner_text() == "1.10"
    assert not visit.errors


def test_every_explorer_on_the_site_responds_to_every_control(visits):
    moved = sum(move_every_control(visit) for visit in visits.values())
    assert moved >= 1
    for page, visit in visits.items():
        assert not visit.errors, f"{page}: {visit.errors}"
