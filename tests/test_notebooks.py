"""The chapters as notebooks: JupyterLab (through jupytext) opens them without changing them.

Opening a MyST chapter in JupyterLab and saving it writes it back through jupytext. If that
round trip is not the identity, merely opening a chapter rewrites the file (caption wrapping,
``caption: |`` blocks, cell option layout). Each chapter is checked separately, so one
failing chapter does not hide another.

How to fix a failure: write the cell metadata as jupytext writes it, e.g. captions and alt
texts on one (long) line, or run the chapter through
``jupytext.writes(jupytext.read(path), fmt="md:myst")`` once and review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_jupytext_round_trip_is_the_identity(chapter: Path):
    # Read as JupyterLab's jupytext does: the format is detected from the file (a page
    # without a jupytext header, like the bibliography, stays plain Markdown).
    text = chapter.read_text(encoding="utf-8")
    again = jupytext.writes(jupytext.read(chapter), fmt="md:myst")
    diff = "\n".join(
        difflib.unified_diff(
            text.splitlines(), again.splitlines(), "on disk", "after round trip", lineterm="", n=1
        )
    )
    assert again == text, f"{chapter.name} changes when JupyterLab saves it:\n{diff[:4000]}"


def test_every_chapter_is_checked():
    assert len(CHAPTERS) >= 9
