"""Every equation label the package's docstrings cite exists in the book, and vice versa
the labels follow the chapter prefixes of CONTRIBUTING.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = ("intro", "notation", "calc", "lin", "log", "softmax", "bp", "vd", "ad", "cap")


def book_labels() -> set[str]:
    """Labels of display equations: `$$ ... $$ (label)` and `:label:` of math directives."""
    labels: set[str] = set()
    for page in (ROOT / "book").glob("*.md"):
        text = page.read_text()
        labels |= set(re.findall(r"^\$\$\s*\(([^)]+)\)\s*$", text, re.M))
        labels |= set(re.findall(r"```\{math\}\n:label: (\S+)", text))
    return labels


def cited_labels() -> dict[str, set[str]]:
    """Labels cited as eq. (x) / eqs. (x) and (y) in the package's source."""
    cited: dict[str, set[str]] = {}
    for source in (ROOT / "src" / "bpnotes").rglob("*.py"):
        text = source.read_text()
        for match in re.finditer(r"eqs?\.\s*((?:\([a-z0-9-]+\)(?:,\s*|\s*and\s*|\s*)?)+)", text):
            for label in re.findall(r"\(([a-z0-9-]+)\)", match.group(1)):
                if label.split("-")[0] in PREFIXES:
                    cited.setdefault(label, set()).add(source.name)
    return cited


def test_every_cited_equation_label_exists_in_the_book():
    labels = book_labels()
    cited = cited_labels()
    assert len(cited) >= 30  # the docstrings really do cite the book
    missing = {label: sorted(files) for label, files in cited.items() if label not in labels}
    assert not missing, f"docstrings cite equation labels that no page defines: {missing}"


def test_equation_labels_carry_a_chapter_prefix():
    bad = sorted(label for label in book_labels() if label.split("-")[0] not in PREFIXES)
    assert not bad, f"labels without a chapter prefix (see CONTRIBUTING.md): {bad}"
