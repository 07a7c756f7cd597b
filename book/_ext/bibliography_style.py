"""Sphinx extension: a bibliography whose labels are the author–year citations of the text.

The text cites author–year (``bibtex_reference_style: author_year``: "Glorot and Bengio,
2010"), but pybtex's default styles label the list alphabetically ("[GB10]"), so a reader
cannot find a citation in the list by what the text says. They also lower-case every
article title ("neuronalen netzen"), which is wrong for German nouns and for names.

The ``bpnotes`` style is pybtex's ``unsrt`` style, sorted by author and year, with labels
"Last, year", "Last and Other, year" or "Last et al., year" (the text's own form), titles
kept as written in ``references.bib``, and a master's-level thesis named by its ``type``
when given (a German "Diploma thesis").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import date
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, first_of, optional_field, sentence
from sphinx.application import Sphinx


def _plain(latex: str) -> str:
    """'M{\\"u}ller' -> 'Müller'."""
    return Text.from_latex(latex).render_as("text")


class AuthorYearLabels(BaseLabelStyle):
    """Labels as the author–year citations in the text read: 'Rumelhart et al., 1986'."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        for entry in sorted_entries:
            yield self.format_label(entry)

    @staticmethod
    def format_label(entry: Any) -> str:
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in persons]
        if not names:
            authors = _plain(entry.fields.get("title", entry.key))
        elif len(names) == 1:
            authors = names[0]
        elif len(names) == 2:
            authors = f"{names[0]} and {names[1]}"
        else:
            authors = f"{names[0]} et al."
        year = entry.fields.get("year", "n.d.")
        return f"{authors}, {year}"


class Style(UnsrtStyle):
    """pybtex's unsrt, with author–year labels and titles in their own capitalisation."""

    default_label_style = "bpnotes_author_year"
    default_sorting_style = "author_year_title"

    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def get_mastersthesis_template(self, e: Any) -> Any:
        """unsrt's, with the thesis's ``type`` when given ("Diploma thesis"), as unsrt
        already does for PhD theses."""
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            sentence[
                first_of[optional_field("type"), "Master's thesis"],
                field("school"),
                optional_field("address"),
                date,
            ],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


def setup(app: Sphinx) -> dict[str, Any]:
    register_plugin("pybtex.style.labels", "bpnotes_author_year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "bpnotes", Style)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
