"""Sphinx extension: the home page's browser tab does not repeat the book's title.

A page's tab title is "<page title> — <book title>". The home page's title *is* the book's
title, so its tab read the long title twice. A page whose title is the book's title shows
it once.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def home_title_once(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if context.get("title") == app.config.html_title:
        context["titlesuffix"] = ""


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", home_title_once)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
