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
        # A reader scrolls through the whole page (lazy images load), touching no control:
        # what was fetched by then is the page's first visit.
        self.page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("() => window.scrollTo(0, 0)")
        self.first_visit_urls: list[str] = self.page.evaluate(
            """() => [...new Set([location.href,
                 ...performance.getEntriesByType('resource').map(e => e.name),
                 ...Array.from(document.images).map(img => img.src)])]"""
        )

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
        # The page's prose and outputs, not its code (a cell may well contain TeX strings).
        text = visit.page.evaluate(
            """() => { const main = document.querySelector('main').cloneNode(true);
                 main.querySelectorAll('pre, code, .cell_input').forEach(el => el.remove());
                 return main.innerText; }"""
        )
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
        # one control per .bpx-control: a slider, a drop-down or a group of radio buttons
        for group in explorer.locator(".bpx-controls .bpx-control").all():
            before = image.get_attribute("src")
            control = group.locator("input, select").first
            if control.evaluate("el => el.tagName") == "SELECT":
                options = control.locator("option").all()
                current = control.input_value()
                target = next(
                    o.get_attribute("value") for o in options if o.get_attribute("value") != current
                )
                control.select_option(target)
            elif control.get_attribute("type") == "radio":
                group.locator("input[type=radio]:not(:checked)").first.check(force=True)
            else:
                maximum, minimum = control.get_attribute("max"), control.get_attribute("min")
                current = control.input_value()
                control.fill(minimum if current == maximum else maximum)
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
    assert "further out at every step" in image.get_attribute("alt")  # 1.10 > 2/λ = 1
    assert explorer.locator("output").inner_text() == "1.10"
    assert not visit.errors


def test_every_explorer_on_the_site_responds_to_every_control(visits):
    moved = sum(move_every_control(visit) for visit in visits.values())
    assert moved >= 1
    for page, visit in visits.items():
        assert not visit.errors, f"{page}: {visit.errors}"


# --- Site weight, chrome and launch links (issues 12 §4, 13 §3 and §5) ---

TEXT_TYPES = (".html", ".css", ".js", ".svg", ".json", ".txt", ".map")


def transferred_bytes(site: Path, urls: list[str]) -> int:
    """Bytes a compressing host (GitHub Pages, any CDN: gzip for text) sends for these URLs."""
    import gzip

    total = 0
    for url in urls:
        path = site / urlparse(url).path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            continue
        data = path.read_bytes()
        total += len(gzip.compress(data, 6)) if path.suffix in TEXT_TYPES else len(data)
    return total


def yaml_config() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "_config.yml").read_text())


def test_first_visit_of_every_page_transfers_under_one_and_a_half_megabytes(visits, site):
    heavy = {}
    for page, visit in visits.items():
        urls = visit.first_visit_urls
        assert not [u for u in urls if "fontawesome.js" in u], f"{page} loads fontawesome.js"
        assert not [u for u in urls if "tex-chtml.js" in u], f"{page} loads all of MathJax"
        sent = transferred_bytes(site, urls)
        if sent >= 1_500_000:
            heavy[page] = sent
    assert not heavy, f"pages over 1.5 MB on first visit: {heavy}"


def test_the_build_log_has_no_kernel_transport_warning(site):
    log = (site.parents[1] / "build.log").read_text()
    assert "Kernel is running over TCP without encryption" not in log


def test_favicon_and_home_tab_title(visits):
    import urllib.request

    for page, visit in visits.items():
        icon = visit.page.evaluate(
            "() => (document.querySelector('link[rel~=icon]') || {}).href || ''"
        )
        assert icon, f"{page} declares no favicon"
        with urllib.request.urlopen(icon) as response:
            assert response.status == 200 and b"<svg" in response.read(400)
    title = visits["book/intro"].page.title()
    assert title.count(yaml_config()["title"]) == 1, title


def test_one_search_button_and_icons_drawn_by_the_subset_font(visits):
    for page, visit in visits.items():
        buttons = visit.page.locator(".search-button-field:visible, .search-button:visible")
        assert buttons.count() == 1, f"{page}: {buttons.count()} search buttons"
        drawn = visit.page.evaluate(
            """() => document.fonts.check('900 16px "Font Awesome 6 Free"', '\\uf002')"""
        )
        assert drawn, f"{page}: the icon font has no magnifying glass"


def test_downloads_offer_no_fake_pdf_and_notebooks_that_install_what_they_need(visits, site):
    import nbformat

    for page, visit in visits.items():
        assert visit.page.locator(".download-pdf-button").count() == 0, page
        notebook = site / "_sources" / f"{page}.ipynb"
        if not notebook.exists():
            continue
        cells = nbformat.read(notebook, as_version=4).cells
        first = next(c for c in cells if c.cell_type == "code")
        assert "pip" in first.source and "bpnotes" in first.source, f"{page}.ipynb"


def test_launch_links_use_main_the_repository_and_generated_notebooks(visits, tmp_path):
    import shutil
    import subprocess

    import yaml

    config = yaml_config()
    repository, branch = config["repository"]["url"], config["repository"]["branch"]
    owner_repo = repository.removeprefix("https://github.com/")
    notebooks_branch = config["sphinx"]["config"]["bpnotes_notebooks_branch"]
    # The publish workflow's conversion step, run as the workflow runs it.
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    (step,) = [
        s for s in workflow["jobs"]["build"]["steps"]
        if s.get("name") == "Convert the chapters to notebooks"
    ]
    shutil.copytree(ROOT / "book", tmp_path / "book")
    subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, check=True, capture_output=True)
    launched = 0
    for page, visit in visits.items():
        links = visit.page.evaluate(
            "() => Array.from(document.querySelectorAll('a')).map(a => a.href)"
        )
        assert repository in links, f"{page}: no link to the repository"
        binder = [u for u in links if "mybinder.org" in u]
        colab = [u for u in links if "colab.research.google.com" in u]
        if not binder and not colab:
            continue
        launched += 1
        assert binder == [
            f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{page}.md"
        ], binder
        assert colab == [
            f"https://colab.research.google.com/github/{owner_repo}/blob/"
            f"{notebooks_branch}/{page}.ipynb"
        ], colab
        assert (tmp_path / "_build" / "notebooks" / f"{page}.ipynb").exists(), colab
    assert launched >= 5
    assert (ROOT / "binder" / "requirements.txt").exists()


def test_front_matter_numbers_per_page_and_bibliography_labels_match_citations(visits):
    calculus = visits["book/calculus"].page
    assert calculus.locator(".eqno").first.inner_text().startswith("(1)")
    first_exercise = calculus.locator(".exercise .caption-number").first.inner_text()
    assert first_exercise.strip().endswith(" 1"), first_exercise
    labels = visits["book/bibliography"].page.evaluate(
        "() => Array.from(document.querySelectorAll('.citation .label')).map(e => e.textContent)"
    )
    labels = {label.strip().strip("[]") for label in labels}
    cited: set[str] = set()
    for visit in visits.values():
        cited |= set(visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('a[href*="bibliography.html#"]'))
                 .map(a => a.textContent.trim()).filter(t => /, \\d{4}$/.test(t))"""
        ))
    assert cited and cited <= labels, cited - labels
    assert "Netzen" in visits["book/bibliography"].page.inner_text("main")


def test_proofs_end_with_a_mark(visits):
    marks = 0
    for visit in visits.values():
        for proof in visit.page.locator('div[class="proof admonition"]').all():
            assert "∎" in proof.evaluate("el => getComputedStyle(el, '::after').content")
            marks += 1
    assert marks >= 1


def test_search_excerpts_have_no_raw_tex(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/search.html?q=gradient")
    page.locator("#search-results li p.context").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    excerpts = page.locator("#search-results li p.context").all_inner_texts()
    context.close()
    assert excerpts and not [e for e in excerpts if "\\" in e or "$$" in e], excerpts[:3]


def test_no_page_scrolls_sideways_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    wide = {}
    for name in toc_pages():
        page.goto(f"{server}/{name}.html", wait_until="load")
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            wide[name] = widths
    context.close()
    assert not wide, f"pages wider than a 390 px phone: {wide}"


def test_every_figure_image_is_vector_or_at_least_twice_its_displayed_width(visits):
    soft = []
    for page, visit in visits.items():
        soft += [f"{page}: {src}" for src in visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('main img')).filter(img =>
                 !/\\.svg(\\?|$)|^data:image\\/svg/.test(img.currentSrc) && img.clientWidth > 0
                 && img.naturalWidth < 2 * img.clientWidth).map(img => img.currentSrc.slice(-40))"""
        )]
    assert not soft, soft[:10]


def test_dark_mode_figures_follow_the_theme(visits, tmp_path_factory):
    """Screenshots of each page's first figure in both themes are kept as test artefacts
    (pytest's tmp folder, theme-screenshots*). The theme is switched as its own button does,
    through the ``data-theme`` attribute of the loaded page."""
    from io import BytesIO

    from PIL import Image

    shots = tmp_path_factory.mktemp("theme-screenshots")
    glaring = []
    for name, visit in visits.items():
        page = visit.page
        figure = page.locator("main figure img, main .bpx-explorer img").first
        if figure.count() == 0:
            continue
        figure.scroll_into_view_if_needed()
        for scheme in ("light", "dark"):
            page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{scheme}'; }}")
            png = figure.screenshot(path=str(shots / f"{name.replace('/', '_')}-{scheme}.png"))
            corner = Image.open(BytesIO(png)).convert("L").getpixel((2, 2))
            if (scheme == "dark") == (corner > 128):
                glaring.append(f"{name} ({scheme}: corner grey level {corner})")
        page.evaluate("() => { document.documentElement.dataset.theme = 'light'; }")
    assert not glaring, f"figure backgrounds that do not follow the theme: {glaring}"
