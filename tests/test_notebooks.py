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


# --- The install cell: a notebook outside the book's environment installs what it imports ---

INSTALL_MARK = "_needed = {  # module: what pip installs for it"
NOTEBOOKS = [c for c in CHAPTERS if "kernelspec:" in c.read_text(encoding="utf-8")]


def _code_cells(chapter: Path) -> list[str]:
    return [c.source for c in jupytext.read(chapter).cells if c.cell_type == "code"]


@pytest.mark.parametrize("chapter", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_installs_what_is_missing_and_is_hidden_on_the_site(chapter: Path):
    first = jupytext.read(chapter).cells
    code = next(c for c in first if c.cell_type == "code")
    assert INSTALL_MARK in code.source, f"{chapter.name}: the first code cell does not install"
    assert "remove-cell" in code.metadata.get("tags", []), "the install cell shows on the site"


def _run_install_cell(source: str, missing: set[str]) -> list[list[str]]:
    """Execute the install cell with `missing` modules absent; return the commands it runs."""
    import importlib.util
    import subprocess
    from unittest import mock

    real_find_spec = importlib.util.find_spec
    calls: list[list[str]] = []
    with (
        mock.patch.object(
            importlib.util,
            "find_spec",
            lambda name, *a: None if name in missing else real_find_spec(name, *a),
        ),
        mock.patch.object(subprocess, "check_call", lambda cmd, *a, **k: calls.append(cmd)),
    ):
        exec(compile(source, "<install cell>", "exec"), {})
    return calls


def test_install_cell_installs_the_package_from_this_repository_only_when_missing():
    import yaml

    source = _code_cells(NOTEBOOKS[0])[0]
    assert _run_install_cell(source, missing=set()) == []
    (command,) = _run_install_cell(source, missing={"bpnotes"})
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repository, branch = config["repository"]["url"], config["repository"]["branch"]
    assert command[1:4] == ["-m", "pip", "install"]
    (spec,) = [a for a in command if a.startswith("bpnotes")]
    assert spec == f"bpnotes[capstone] @ git+{repository}@{branch}"


def test_the_install_cells_differ_only_in_what_they_install():
    texts = {_code_cells(c)[0].split("_needed = ")[0] for c in NOTEBOOKS}
    texts_after = {_code_cells(c)[0].split("}\n", 1)[1] for c in NOTEBOOKS}
    assert len(texts) == 1 and len(texts_after) == 1, "keep one install-cell text in all chapters"


def _installed_by_cell(chapter: Path) -> set[str]:
    import ast

    source = _code_cells(chapter)[0]
    return set(ast.literal_eval(source.split("_needed = ")[1].split("}")[0] + "}"))


def _optional_imports(tree) -> set[int]:
    """The ids of the import statements in the body of a ``try`` whose handler catches
    ImportError (or ModuleNotFoundError): optional imports, which need not be installed."""
    import ast

    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            h.type is not None and {n.id for n in ast.walk(h.type) if isinstance(n, ast.Name)}
            & {"ImportError", "ModuleNotFoundError"} for h in node.handlers
        ):
            optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)
                         if isinstance(n, ast.Import | ast.ImportFrom)}
    return optional


@pytest.mark.parametrize("chapter", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_install_cell_covers_every_import_of_the_chapter(chapter: Path):
    """A module the chapter imports is in the standard library, installed by the package (its
    dependencies and the capstone extra, from pyproject.toml) or by the install cell; an
    optional import (``try: import torch`` / ``except ImportError``) may be absent."""
    import ast
    import sys
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["capstone"]
    module_of = {"scikit-learn": "sklearn", "pillow": "PIL"}
    by_package = {module_of.get(n, n) for n in (Requirement(r).name for r in requirements)}
    available = set(sys.stdlib_module_names) | by_package | _installed_by_cell(chapter)
    available |= {"IPython"}
    if chapter.stem == "benchmarks":
        available.add("report")  # the repository's benchmarks/report.py, imported by path
    missing = set()
    for cell in _code_cells(chapter):
        lines = [ln for ln in cell.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        tree = ast.parse("\n".join(lines))
        optional = _optional_imports(tree)
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            missing |= {n.split(".")[0] for n in names} - available
    assert not missing, f"{chapter.name} imports what a fresh environment lacks: {missing}"


# --- Solutions are collapsed in JupyterLab ---


@pytest.mark.parametrize("chapter", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_solution_is_a_collapsed_cell_of_its_own(chapter: Path):
    for cell in jupytext.read(chapter).cells:
        if "{solution}" not in cell.source:
            continue
        assert cell.cell_type == "markdown"
        assert cell.source.lstrip().startswith((":::{solution}", "::::{solution}")), (
            f"{chapter.name}: a solution shares its cell with other text: {cell.source[:80]!r}"
        )
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{chapter.name}: a solution cell is not collapsed: {cell.source[:60]!r}"
        )


# --- JupyterLab: a double click (and Binder's link) opens a chapter as a notebook ---


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab set up by binder/postBuild (the documented setting), on copies of chapters."""
    import os
    import shutil
    import subprocess
    import time
    import urllib.request

    home = tmp_path_factory.mktemp("lab-home")
    root = tmp_path_factory.mktemp("lab-root")
    for name in ("intro.md", "notation.md"):
        shutil.copy(ROOT / "book" / name, root / name)
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter")}
    subprocess.run(["bash", str(ROOT / "binder" / "postBuild")], env=env, check=True)
    port, token = _free_port(), "bpnotes-test"
    server = subprocess.Popen(
        ["jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield {"base": base, "token": token, "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    """A page in the session's one chromium (tests/conftest.py): Playwright's sync API allows
    one running instance per process."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route(
        "**/*",
        lambda route: route.continue_()
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
        else route.abort(),
    )
    yield context.new_page()
    context.close()


@pytest.mark.book
def test_binder_link_and_double_click_open_chapters_as_notebooks_that_saving_keeps(lab, lab_page):
    page, base, token = lab_page, lab["base"], lab["token"]
    # Binder's launch link: urlpath=lab/tree/<chapter>.md
    page.goto(f"{base}/lab/tree/intro.md?token={token}")
    notebook = page.locator(".jp-NotebookPanel").first
    notebook.wait_for(state="visible", timeout=60_000)
    assert page.locator(".jp-FileEditor:visible").count() == 0, "opened as text, not as a notebook"
    # The solution cell is collapsed: its input is hidden behind a placeholder.
    placeholder = page.locator(".jp-MarkdownCell .jp-InputPlaceholder").first
    placeholder.wait_for(timeout=30_000)
    # JupyterLab renders only the cells in view (windowed notebooks): bring it into view first.
    placeholder.scroll_into_view_if_needed()
    for _ in range(50):
        if placeholder.inner_text():
            break
        page.wait_for_timeout(200)
    assert "{solution}" in placeholder.inner_text(), "the solution is not collapsed"
    # Saving the untouched notebook writes the file back identical (jupytext round trip).
    chapter = lab["root"] / "intro.md"
    before, written = chapter.read_bytes(), chapter.stat().st_mtime_ns
    # Focus the notebook through its tab: a click inside the panel can land on the collapsed
    # solution, and a click there expands it (which is an edit, and would be saved).
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    tab.filter(has_text="intro.md").click()
    page.keyboard.press("Control+s")
    for _ in range(150):
        if chapter.stat().st_mtime_ns != written:
            break
        page.wait_for_timeout(200)
    else:
        pytest.fail("Ctrl+S did not save the chapter within 30 s")
    # The server writes in place and then removes its backup copy: wait for both to settle.
    backup = chapter.with_name(".~" + chapter.name)
    for _ in range(50):
        written = chapter.stat().st_mtime_ns
        page.wait_for_timeout(300)
        if chapter.stat().st_mtime_ns == written and not backup.exists():
            break
    collapsed = page.locator(".jp-MarkdownCell .jp-InputPlaceholder")
    assert collapsed.count() == 1 and "{solution}" in collapsed.first.inner_text(timeout=2000), \
        "the solution was expanded before saving"
    after = chapter.read_bytes()
    assert after == before, "saving the chapter in JupyterLab changed the file"
    # A double click in the file browser opens another chapter as a notebook too.
    page.locator(".jp-DirListing-item[title*='notation.md']").first.dblclick()
    current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    current.filter(has_text="notation.md").wait_for(timeout=60_000)
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for(timeout=60_000)
    assert page.locator(".jp-FileEditor:visible").count() == 0, "opened as text, not a notebook"
