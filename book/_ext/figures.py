"""Sphinx extension: the book's figures and explorers on the static site.

* At ``config-inited`` it sets :data:`bpnotes.explorer.STATIC_FRAMES_ENV` to ``1``. The
  notebooks are executed later in the build, by kernels started from this process, which
  inherit the variable: only then does an explorer pre-render the frames of its static
  view. A notebook run anywhere else (JupyterLab, ``jupytext --execute``) shows the live
  widget and renders no static frames.
* At ``html-page-context`` it moves each explorer's frames out of the page into image
  files under ``_images/bpx/`` (named by their content), so that a first visit loads only
  the frame shown; the others are fetched when the reader reaches for a control.
* It adds ``book/_static/figures/figures.css``: figures at the size they were drawn, the
  dark theme's inverted figures, and the explorer controls.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from bpnotes.explorer import STATIC_FRAMES_ENV

STATIC = Path(__file__).resolve().parents[1] / "_static"
_EXPLORER = re.compile(r'<div class="bpx-explorer".*?</script></div>', re.DOTALL)
_DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def want_static_frames(app: Sphinx, config: Any) -> None:
    os.environ[STATIC_FRAMES_ENV] = "1"
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def frames_to_files(app: Sphinx, pagename: str, templatename: str, context: dict,
                    doctree: Any) -> None:
    body = context.get("body")
    if not body or "bpx-explorer" not in body:
        return
    folder = Path(app.outdir) / "_images" / "bpx"
    folder.mkdir(parents=True, exist_ok=True)

    def to_file(match: re.Match[str]) -> str:
        png = base64.b64decode(match.group(1))
        name = hashlib.sha256(png).hexdigest()[:20] + ".png"
        target = folder / name
        if not target.exists():
            target.write_bytes(png)
        return context["pathto"](f"_images/bpx/{name}", 1)

    context["body"] = _EXPLORER.sub(lambda block: _DATA_URI.sub(to_file, block.group(0)), body)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", want_static_frames)
    app.connect("html-page-context", frames_to_files)
    app.add_css_file("figures/figures.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
