"""Sphinx extension: the home page's browser tab does not repeat the book's title.

A page's tab title is "<page title> — <book title>". The home page's title *is* the book's
title, so its tab read the long title twice. Sphinx's base template builds that suffix
itself (from ``docstitle``), so this extension adds a small template, ``templates/layout.html``,
whose ``htmltitle`` block shows the title once when the page's title is the book's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"


def add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path = [*list(config.templates_path or []), str(TEMPLATES)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
