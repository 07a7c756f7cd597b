"""Sphinx extension: keep the built site self-contained and its console clean.

Jupyter Book 1 always loads sphinx-thebe, which injects a script declaring
``THEBE_JS_URL`` (a CDN address) on every page, and with this Sphinx version declares it
twice, a JavaScript error on every page load. The book does not offer live code cells on
the site (launch buttons open Binder or Colab instead, and interactive figures work
without a kernel), so this extension removes the thebe scripts and stylesheet from every page.

It also keeps the pages light:

* MathJax: sphinx-mathjax-offline points every page at ``tex-chtml.js`` (1.16 MB, most of
  it the context menu) and overrides ``mathjax_path`` from ``_config.yml``. Pages load
  ``startup.js`` instead, which loads only the components listed in ``mathjax3_config``'s
  ``loader`` (TeX input, CommonHTML output, hidden MathML for screen readers) from the same
  local folder.
* sphinx-design's stylesheet and script (60 kB) are dropped from pages that use none of its
  components.
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
    # Its stylesheet goes too: nothing on the site uses it.
    stylesheets = context.get("css_files")
    if stylesheets:
        context["css_files"] = [s for s in stylesheets if not _is_thebe(s)]


def _is_sphinx_design(asset: Any) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    return "sphinx-design" in filename or "design-tabs" in filename


def drop_unused_design_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if 'class="sd-' in context.get("body", ""):
        return
    for key in ("script_files", "css_files"):
        if context.get(key):
            context[key] = [a for a in context[key] if not _is_sphinx_design(a)]


def load_only_needed_mathjax(app: Sphinx, config: Any) -> None:
    config.mathjax_path = "mathjax/startup.js"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", load_only_needed_mathjax, priority=900)
    app.connect("html-page-context", drop_thebe_scripts, priority=900)
    app.connect("html-page-context", drop_unused_design_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
