"""Sphinx extension: answer boxes that check an exercise in the reader's browser, offline.

Under every exercise whose checker takes a formula, a number or a choice, the built page
gets one box per part: a field (a drop-down for a choice), a Check button and the verdict.
The boxes are generated from the exercise registry (``bpnotes.exercises.exercises()`` and
``describe()``), so a chapter needs no extra markup. Pressing Check (or Enter) runs
``bpnotes.exercises.check(label, text)`` in a Web Worker with Pyodide
(``book/_static/answers/``), loaded on the first check only and served by the site itself
(``answer_assets.py``). Exercises whose answer is code (a function, an array) get a
sentence saying how to check them: in a notebook.

Markup of a box (the contract tests and readers' tools rely on)::

    <div class="bpn-check" data-exercise="<label as check() takes it>" data-kind="...">
      <label>…</label> <input> (or <select>) <button>Check</button>
      <p class="bpn-verdict">✔ … / ✘ …</p>
    </div>
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import answer_assets
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Checker kinds that get an answer box; the others are checked in a notebook.
BOXED_KINDS = ("formula", "number", "choice")
STATIC = Path(__file__).resolve().parents[1] / "_static"
#: Where the interpreter and wheels go inside the site's _static folder.
INTERPRETER_FOLDER = f"pyodide-{answer_assets.PYODIDE_VERSION}"
PLACEHOLDERS = {  # short enough for the field of a 390 px phone
    "formula": "use * and ** (or ^)",
    "number": "e.g. 0.25 or 1/4",
}
WHAT = {"formula": "a formula", "number": "a number", "choice": "choose one"}


@dataclass(frozen=True)
class Part:
    """One checkable answer: the label ``check`` takes, its kind and, for a choice, options."""

    label: str
    kind: str
    prompt: str = ""
    symbols: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    @property
    def exercise(self) -> str:
        return self.label.split(":", 1)[0]

    @property
    def name(self) -> str:
        """The part's name (``"a"`` of ``"ex-lin-absorb:a"``), or ``""`` for a whole exercise."""
        return self.label.split(":", 1)[1] if ":" in self.label else ""

    @property
    def boxed(self) -> bool:
        return self.kind in BOXED_KINDS


def registry() -> dict[str, list[Part]]:
    """Every checkable part, grouped by exercise label, from ``bpnotes.exercises``."""
    from bpnotes.exercises import describe, exercises

    grouped: dict[str, list[Part]] = {}
    for label in exercises():
        info = describe(label)
        part = Part(label, info["kind"], info["prompt"], tuple(info["symbols"]),
                    tuple(info["functions"]), tuple(info["options"]))
        grouped.setdefault(part.exercise, []).append(part)
    return grouped


def boxed_labels() -> list[str]:
    """The labels that get an answer box (and so must be checkable without numpy)."""
    return [part.label for parts in registry().values() for part in parts if part.boxed]


# ----------------------------------------------------------------- markup
def _part_name(part: Part) -> str:
    return f"({part.name})" if len(part.name) == 1 else part.name.replace("-", " ")


def _part_title(part: Part) -> str:
    """The box's label: the checker's prompt (which names the part), else the kind.

    A prompt that begins with a symbol (``z_j, a number``, ``x.grad after …``) keeps its case.
    """
    if part.prompt:
        from bpnotes.exercises.verdict import sentence_start

        return sentence_start(part.prompt)
    what = WHAT[part.kind]
    return f"{_part_name(part)}: {what}" if part.name else what.capitalize()


def _hint(part: Part) -> str:
    if part.kind != "formula":
        return ""
    symbols = ", ".join(part.symbols) or "none"
    functions = ", ".join(part.functions)
    text = f"Symbols: {symbols}. Functions: {functions}." if functions else f"Symbols: {symbols}."
    return f'<p class="bpn-hint">{html.escape(text)}</p>'


def box_html(part: Part) -> str:
    """The answer box of one part."""
    field_id = "bpn-" + "".join(c if c.isalnum() else "-" for c in part.label)
    esc = html.escape
    if part.kind == "choice":
        options = "".join(f'<option value="{esc(o)}">{esc(o)}</option>' for o in part.options)
        field = (f'<select id="{field_id}"><option value="" selected>Choose…</option>'
                 f"{options}</select>")
    else:
        field = (f'<input id="{field_id}" type="text" autocomplete="off" autocapitalize="off" '
                 f'autocorrect="off" spellcheck="false" enterkeyhint="done" '
                 f'placeholder="{esc(PLACEHOLDERS[part.kind])}">')
    return (
        f'<div class="bpn-check" data-exercise="{esc(part.label)}" data-kind="{part.kind}">'
        f'<label for="{field_id}">{esc(_part_title(part))}</label>{_hint(part)}'
        f'<div class="bpn-row">{field}<button type="button">Check</button></div>'
        f'<p class="bpn-verdict" role="status" aria-live="polite"></p></div>'
    )


def _names(parts: list[Part]) -> str:
    names = [_part_name(p) for p in parts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def answers_html(parts: list[Part], download_mb: float) -> str:
    """The block under one exercise: its answer boxes and how to check the other parts."""
    boxed = [p for p in parts if p.boxed]
    in_notebook = [p for p in parts if not p.boxed]
    blocks = []
    if boxed:
        blocks.append(
            '<p class="bpn-note">Check your answer here, in your browser: the book\'s own '
            f"checker runs offline, and the first check loads Python (about {download_mb:.0f} "
            "MB, once per visit).</p>"
        )
        blocks += [box_html(p) for p in boxed]
    if in_notebook:
        if not boxed or not all(p.name for p in in_notebook):
            subject = "This exercise is"
        else:
            subject = (f"Part{'s' if len(in_notebook) > 1 else ''} {_names(in_notebook)} of "
                       f"this exercise {'are' if len(in_notebook) > 1 else 'is'}")
        blocks.append(
            f'<p class="bpn-notebook">{subject} checked by running your code: open this '
            "page as a notebook (a launch button at the top of the page, or download it as "
            ".ipynb and open it in Jupyter) and run the checker cell below the exercise.</p>"
        )
    kind = "bpn-answers" if boxed else "bpn-answers bpn-notebook-only"
    return f'<div class="{kind}">{"".join(blocks)}</div>'


# ----------------------------------------------------------------- Sphinx events
BLOCK_MARK = '<div class="bpn-answers'  # how a page's answer blocks are found


@dataclass
class _State:
    """What the build learnt once, in builder-inited, for every page."""

    parts: dict[str, list[Part]]
    stamp: str = ""
    download_mb: float = 0.0


def _is_html(app: Sphinx) -> bool:
    return app.builder.format == "html"


def prepare(app: Sphinx) -> None:
    """Read the registry and put the interpreter and the wheels into the site."""
    if not _is_html(app):
        return
    import bpnotes

    state = app.bpn_answers = _State(registry())  # type: ignore[attr-defined]
    target = Path(app.outdir) / "_static" / "answers" / INTERPRETER_FOLDER
    try:
        assets = answer_assets.write_site_assets(
            target, Path(bpnotes.__file__).parent, bpnotes.__version__
        )
    except answer_assets.AssetError as exc:
        raise ExtensionError(str(exc)) from exc
    state.stamp = hashlib.sha256((target / "pyodide-lock.json").read_bytes()).hexdigest()[:12]
    state.download_mb = assets.total_bytes / 1e6
    logger.info(f"answer boxes: {assets.total_bytes / 1e6:.1f} MB of Pyodide and wheels "
                f"in _static/answers/{INTERPRETER_FOLDER}")


def _exercise_nodes(doctree: nodes.document) -> list[nodes.Element]:
    return [
        node for node in doctree.findall(nodes.Element)
        if type(node).__name__ in ("exercise_node", "exercise_enumerable_node")
        and node.get("label")
    ]


def insert_boxes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put each exercise's answer block right after the exercise."""
    if not _is_html(app):
        return
    state: _State = app.bpn_answers  # type: ignore[attr-defined]
    for node in _exercise_nodes(doctree):
        parts = state.parts.get(node["label"])
        if not parts:
            continue
        block = nodes.raw("", answers_html(parts, state.download_mb), format="html")
        node.parent.insert(node.parent.index(node) + 1, block)


def add_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict,
                    doctree: Any) -> None:
    """Load the boxes' script and style on the pages that have boxes, and only there."""
    if doctree is None or not _is_html(app):
        return
    blocks = [n for n in doctree.findall(nodes.raw) if BLOCK_MARK in n.astext()]
    if blocks:
        app.add_css_file("answers/answers.css")
    if any('class="bpn-check"' in block.astext() for block in blocks):
        state: _State = app.bpn_answers  # type: ignore[attr-defined]
        app.add_js_file("answers/answers.js", defer="defer",
                        **{"data-stamp": state.stamp, "data-pyodide": INTERPRETER_FOLDER})


def add_static_path(app: Sphinx, config: Any) -> None:
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_static_path)
    app.connect("builder-inited", prepare)
    app.connect("doctree-resolved", insert_boxes)
    app.connect("html-page-context", add_page_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
