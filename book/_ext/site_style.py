"""Sphinx extension: the site's own stylesheet (``book/_static/site/site.css``).

It holds the page-level rules that no theme option covers: one search button, the end-of-
proof mark, display equations that scroll inside their own box on a phone, headings that
wrap instead of widening the page, and checker output that follows the light/dark theme.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

STATIC = Path(__file__).resolve().parents[1] / "_static"


def add_static_path(app: Sphinx, config: Any) -> None:
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_static_path)
    app.add_css_file("site/site.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
