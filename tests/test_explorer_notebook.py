"""A chapter run as a live notebook (nbclient, outside the book build): its explorer cell
shows the widget and carries no static frames.

The book build sets ``BPNOTES_STATIC_FRAMES=1`` (book/_ext/figures.py); a notebook run
anywhere else must not pay for, or save, the static site's frames.
"""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from bpnotes.explorer import STATIC_FRAMES_ENV

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def intro_notebook():
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(STATIC_FRAMES_ENV, raising=False)
        notebook = jupytext.read(ROOT / "book" / "intro.md")
        # Other cells' errors are the book build's business (it fails on any): this test
        # looks at the explorer cell only.
        client = NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(ROOT / "book")}})
        client.execute()
    return notebook


def explorer_outputs(notebook) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if WIDGET in output.get("data", {})]


def test_the_explorer_cell_shows_the_live_widget(intro_notebook):
    outputs = explorer_outputs(intro_notebook)
    assert len(outputs) == 1
    (cell,) = [c for c in intro_notebook.cells if c.cell_type == "code"
               and any(WIDGET in o.get("data", {}) for o in c.get("outputs", []))]
    assert not [o for o in cell.outputs if o.output_type == "error"]
    assert outputs[0]["data"]["text/plain"].startswith("<Explorer:")


def test_the_explorer_cell_saves_no_static_frames(intro_notebook):
    (output,) = explorer_outputs(intro_notebook)
    assert "text/html" not in output["data"]
    assert "bpx-data" not in json.dumps(output)
    assert len(json.dumps(output)) < 200_000


def test_the_notebook_carries_only_the_frame_shown(intro_notebook):
    # The whole executed notebook stays small: one rendered frame (in the widget state
    # the kernel holds), not the tens of frames of the static view.
    assert len(json.dumps(intro_notebook)) < 400_000
