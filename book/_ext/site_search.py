"""Sphinx extension: search that costs nothing on other pages and shows readable excerpts.

* The pydata theme loads Sphinx's search scripts and the whole search index
  (``searchindex.js``) on every page, for a search-as-you-type mode this book does not use
  (``search_as_you_type`` is off: the search button opens a form that goes to the search
  page). After the build, every page except the search page drops the three scripts.
* The search page shows an excerpt of each hit, cut from the page's HTML, where math is
  still TeX source (``\\(\\partial C/\\partial w\\)``), because MathJax typesets it only in
  the browser. ``search_excerpts.js`` (``book/_static/site/``) rewrites inline math as
  plain text and leaves display equations out before Sphinx cuts the excerpt.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

SEARCH_SCRIPTS = re.compile(
    r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
    r'searchindex\.js)"></script>'
)


def add_excerpt_script(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if pagename == "search":
        app.add_js_file("site/search_excerpts.js", defer="defer")


def drop_search_scripts(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        if page == outdir / "search.html":
            continue
        html = page.read_text(encoding="utf-8")
        lighter = SEARCH_SCRIPTS.sub("", html)
        if lighter != html:
            page.write_text(lighter, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_excerpt_script)
    app.connect("build-finished", drop_search_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
