"""Sphinx extension: keep the built site self-contained and its console clean.

Jupyter Book 1 always loads sphinx-thebe, which injects a script declaring
``THEBE_JS_URL`` (a CDN address) on every page, and with this Sphinx version declares it
twice, a JavaScript error on every page load. The book does not offer live code cells on
the site (launch buttons open Binder or Colab instead, and interactive figures work
without a kernel), so this extension removes the thebe scripts from every page.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _is_thebe(script: Any) -> bool:
    filename = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_thebe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
