"""Sphinx extension: the header's download and launch buttons do what they say.

* The book theme's ".pdf" download entry only calls ``window.print()``; the book has no PDF
  build, so the entry is removed (the browser's own print command remains).
* Colab cannot open a MyST ``.md`` file, so the theme's Colab link (``blob/<branch>/<page>.md``)
  opened an error. The publish workflow (``.github/workflows/pages.yml``) converts the
  chapters to ``.ipynb`` on every push to ``main`` and pushes them to the branch named by
  ``bpnotes_notebooks_branch`` (generated files, never in the source tree); the Colab link
  points there.
* Binder opens the chapter as a notebook in JupyterLab (``binder/``) from ``main``.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

COLAB_BLOB = re.compile(r"/blob/[^/]+/(?P<path>.+)\.md$")


def _buttons(group: dict) -> list[dict]:
    return group.get("buttons", []) if group.get("type") == "group" else []


def adjust_header_buttons(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    for group in context.get("header_buttons", []):
        buttons = _buttons(group)
        if group.get("label") == "download-buttons":
            group["buttons"] = [b for b in buttons if b.get("label") != "download-pdf-button"]
        if group.get("label") == "launch-buttons":
            notebooks = rf"/blob/{app.config.bpnotes_notebooks_branch}/\g<path>.ipynb"
            for button in buttons:
                if button.get("text") == "Colab":
                    button["url"] = COLAB_BLOB.sub(notebooks, button["url"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("bpnotes_notebooks_branch", "notebooks", "html")
    # After the book theme has added its buttons (priority 500 and 501).
    app.connect("html-page-context", adjust_header_buttons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
