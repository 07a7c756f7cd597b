"""No page types a number that a cell computes: the typed-number scan of issue 11.

Every number the book reports about a computation must come from that computation (myst-nb
``glue`` with ``{glue:text}``/``{glue:}`` roles, or a sentence generated in a cell), so that
prose cannot drift from the code. This test scans each chapter's markdown *outside code
cells* — prose, directives (exercises, solutions, admonitions), the ``#`` comments of
fenced code shown to the reader (``# array([-0.10575...])``), and the ``caption``/``alt``
texts in code-cell metadata — for **typed decimals with
two or more significant digits** (``0.75``, ``-0.1058``, ``2.5``, ``1.0``) and typed
**percentages** (``96 %``, ``0.1%``, ``12\\%``). One significant digit (``0.5``, ``3``,
``80 %``) is allowed everywhere: those are the round givens of a problem, not results.

A hit fails unless it is on the chapter's :data:`ALLOWED` list, which holds only *givens*
(an input or setting of a problem that the text states before anything is computed), each
with the reason. Keep that list short: the fix for a computed number is to glue it.

Not scanned: code cells (their numbers are the computation), code in fenced blocks and
inline code (literals such as ``lr=1.0`` are code, not claims), the front matter, the
content of MyST roles other than ``{math}`` (``{glue:text}`name:.3f```, ``{eq}`label```,
``{cite:t}`key```), directive options (``:width: 80%``), link targets and URLs.

Run one chapter with ``python -m pytest tests/test_book_numbers.py -k <stem>``; a failure
lists every hit with its line, where it is (prose, caption or alt text) and its context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.md"))

#: Givens that a chapter may type, per page: {snippet: why it is a given}. A hit is allowed
#: when a snippet contains its numeral and occurs (whitespace aside) within the 40
#: characters either side of it, so that an entry excuses one given, not every equal number
#: on the page (``"$x = 1.5$"``, not ``"1.5"``).
ALLOWED: dict[str, dict[str, str]] = {}

# A decimal numeral with a fractional part, not inside an identifier or a version string
# such as 1.19.6; or a number followed by a percent sign (%, \%, "per cent").
DECIMAL = re.compile(r"(?<![0-9A-Za-z_.])\d*\.\d+(?!\.?\d)")
PERCENT = re.compile(r"(?<![0-9A-Za-z_.])(\d+(?:\.\d+)?)\s*(?:\\?%|per ?cent)")
# What is not prose: roles other than {math} (their content is a label, key or glue name),
# directive options, link targets and URLs, MyST targets, HTML comments.
ROLE = re.compile(r"\{(?!math\})[A-Za-z][\w:.-]*\}`[^`]*`")
OPTION = re.compile(r"^\s*:[\w-]+:.*$", re.M)
LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
MYST_TARGET = re.compile(r"^\([\w-]+\)=\s*$", re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)
# Metadata of a code cell that the reader sees.
SHOWN_METADATA = ("caption", "alt")


def significant_digits(numeral: str) -> int:
    """Significant digits of a typed numeral: ``0.0032`` → 2, ``2.50`` → 3, ``96`` → 2, ``80`` → 1.

    Leading zeros never count; trailing zeros count after a decimal point only.
    """
    digits = numeral.lstrip("+-−")
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0"))
    return len(digits.lstrip("0").rstrip("0"))


@dataclass(frozen=True)
class TypedNumber:
    """A typed number found by the scan, with where it was found."""

    numeral: str
    where: str
    context: str

    def __str__(self) -> str:
        return f"{self.numeral!r} ({self.where}): …{self.context}…"


FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*?)\s*$")
CODE_INFO = re.compile(r"^(?:\{(?:code|code-block|literalinclude|sourcecode)\}.*|[\w+-]*)$")
INLINE_CODE = re.compile(r"``[^`]+``|`[^`]+`")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _without_code(text: str) -> str:
    """Fenced code blanked except its ``#`` comments (what a reader reads as prose).

    A fence whose info string is a directive (```` ```{note} ````) holds markdown; a fence
    with a language or none (```` ```python ````, ```` ``` ````) or a ``{code-block}``
    holds code. Fences nest as in MyST: a fence closes with the same character, at least
    as many of them, and no info string.
    """
    stack: list[tuple[str, bool]] = []  # (fence, holds code)
    lines = []
    for line in text.split("\n"):
        fence = FENCE.match(line)
        in_code = bool(stack) and stack[-1][1]
        if fence and not fence.group(2) and stack and fence.group(1).startswith(stack[-1][0]):
            stack.pop()
            lines.append(_blank(line))
        elif in_code:
            comment = line.find("#")
            lines.append(_blank(line[:comment]) + line[comment:] if comment >= 0 else _blank(line))
        elif fence:
            stack.append((fence.group(1), bool(CODE_INFO.match(fence.group(2)))))
            lines.append(_blank(line))
        else:
            lines.append(line)
    return "\n".join(lines)


def _prose(text: str) -> str:
    """Text with the parts that are not prose blanked out (same length, same lines)."""
    text = _without_code(text)
    for pattern in (COMMENT, ROLE, INLINE_CODE, OPTION, LINK_TARGET, MYST_TARGET):
        text = pattern.sub(lambda m: _blank(m.group(0)), text)
    return text


def _numbers_in(text: str) -> Iterator[tuple[str, int]]:
    """(numeral, offset) of every typed decimal or percentage with ≥ 2 significant digits."""
    seen: set[int] = set()
    for match in PERCENT.finditer(text):
        if significant_digits(match.group(1)) >= 2:
            seen.add(match.start(1))
            yield match.group(0), match.start(1)
    for match in DECIMAL.finditer(text):
        if match.start() not in seen and significant_digits(match.group(0)) >= 2:
            yield match.group(0), match.start()


def _strings(metadata: object, keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(key, value) of every string under one of ``keys`` in nested cell metadata."""
    if isinstance(metadata, dict):
        for key, value in metadata.items():
            if key in keys and isinstance(value, str):
                yield key, value
            else:
                yield from _strings(value, keys)
    elif isinstance(metadata, list):
        for value in metadata:
            yield from _strings(value, keys)


def scan(text: str) -> list[TypedNumber]:
    """Every typed number of a MyST-notebook text outside its code cells, in page order."""
    notebook = jupytext.reads(text, fmt="md:myst")
    found: list[TypedNumber] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            name = _strings(cell.metadata, ("name",))
            label = next((value for _, value in name), f"code cell {index}")
            pieces = [(f"{key} of {label}", value)
                      for key, value in _strings(cell.metadata, SHOWN_METADATA)]
        else:
            first_line = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
            pieces = [(f"markdown cell {index} ({first_line[:40]})", cell.source)]
        for where, source in pieces:
            prose = _prose(source)
            for numeral, offset in _numbers_in(prose):
                context = " ".join(source[max(0, offset - 40): offset + 40].split())
                found.append(TypedNumber(numeral.strip(), where, context))
    return found


def _line_of(page: Path, hit: TypedNumber) -> str:
    """``page:line`` of the hit's context in the file, when it can be found."""
    text = page.read_text()
    words = hit.context.split()
    for width in (len(words), 5, 3):
        probe = r"\s+".join(map(re.escape, words[:width]))
        match = re.search(probe, text)
        if match:
            return f"{page.name}:{text.count(chr(10), 0, match.start()) + 1}"
    return page.name


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def allowed_by(page: str, hit: TypedNumber) -> str | None:
    """The ALLOWED snippet of ``page`` that excuses ``hit``, if any."""
    for snippet in ALLOWED.get(page, {}):
        if hit.numeral in snippet and _squeeze(snippet) in hit.context:
            return snippet
    return None


@pytest.mark.parametrize("page", CHAPTERS, ids=[page.stem for page in CHAPTERS])
def test_no_typed_numbers_outside_code(page: Path):
    hits = [hit for hit in scan(page.read_text()) if allowed_by(page.name, hit) is None]
    listing = "\n".join(f"  {_line_of(page, hit)}: {hit}" for hit in hits)
    assert not hits, (
        f"{page.name} types {len(hits)} number(s) that should be glued from the computation "
        f"(or, if a given of a problem, listed in ALLOWED with the reason):\n{listing}"
    )


def test_allowlist_names_real_pages_and_gives_reasons():
    names = {page.name for page in CHAPTERS}
    assert set(ALLOWED) <= names
    for page, entries in ALLOWED.items():
        for snippet, reason in entries.items():
            assert list(_numbers_in(snippet)), f"{page}: {snippet!r} holds no number to excuse"
            assert len(reason.split()) >= 3, f"{page}: give the reason why {snippet!r} is a given"


def test_allowlist_entries_are_used():
    """An entry that excuses nothing the page types is stale: remove it."""
    for page in CHAPTERS:
        used = {allowed_by(page.name, hit) for hit in scan(page.read_text())}
        stale = set(ALLOWED.get(page.name, {})) - used
        assert not stale, f"{page.name}: ALLOWED entries that excuse nothing: {sorted(stale)}"


def test_an_allowlist_entry_excuses_only_its_own_number(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(ALLOWED, "planted.md", {"about 12.5 % of": "a planted given for the test"})
    hits = {hit.numeral: allowed_by("planted.md", hit) for hit in scan(PLANTED)}
    assert hits["12.5 %"] == "about 12.5 % of"
    assert hits["0.0431"] is None and hits["0.75"] is None


# ------------------------------------------------------------------ the scan itself
PLANTED = """\
---
jupytext:
  text_representation:
    format_name: myst
    jupytext_version: 1.19.6
kernelspec:
  display_name: Python 3
  name: python3
---

(planted)=
# A page

The loss falls to 0.0431 after {glue:text}`steps:d` steps, about 12.5 % of the start, with
the rate 0.5 and the role {glue:text}`loss:.3f`; see {eq}`lin-update` and [v1.2](https://x.org/a0.25).

:::{exercise}
:label: ex-planted
:width: 80%

Show that $f'(0.5) = -0.75$.
:::

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: The run reaches 96% accuracy.
    name: fig-planted
  image:
    alt: A curve that ends at 3.14.
    width: 90%
---
accuracy = 0.9634   # a computation, not prose
```

```python
numerical_gradient(loss, np.array([1.25]))   # array([-0.10575...])
```

```{note}
A note is prose: 0.333 is typed here, and `fit(lr=1.25)` is code.
```
"""


def test_scan_finds_every_planted_number():
    found = sorted(hit.numeral for hit in scan(PLANTED))
    assert found == sorted(["0.0431", "12.5 %", "0.75", "96%", "3.14", "0.10575", "0.333"]), found


def test_scan_says_where_a_number_is():
    where = {hit.numeral: hit.where for hit in scan(PLANTED)}
    assert where["96%"] == "caption of fig-planted"
    assert where["3.14"] == "alt of fig-planted"
    assert where["0.0431"].startswith("markdown cell")


@pytest.mark.parametrize(
    ("numeral", "digits"),
    [("0.0032", 2), ("2.50", 3), ("-0.75", 2), ("0.5", 1), ("96", 2), ("80", 1), ("1.0", 2),
     (".25", 2), ("100", 1), ("0.05", 1)],
)
def test_significant_digits(numeral: str, digits: int):
    assert significant_digits(numeral) == digits


def test_a_number_planted_in_a_real_chapter_fails_its_test():
    page = ROOT / "book" / "intro.md"
    text = page.read_text()
    before = {hit.numeral for hit in scan(text)}
    planted = text + "\nAfter training, the accuracy is 0.9731 on the test set.\n"
    after = [hit for hit in scan(planted) if hit.numeral not in before]
    assert [hit.numeral for hit in after] == ["0.9731"]
    assert all(allowed_by(page.name, hit) is None for hit in after)
