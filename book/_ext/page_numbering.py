"""Sphinx extension: pages outside the numbered chapters number their items per page.

With ``numfig`` Sphinx numbers equations, figures, exercises and theorems of a page outside
a numbered toctree (the front matter: intro, notation, calculus; the appendices) with one
counter shared by all such pages, so the calculus page's first exercise was "Exercise 2"
and its first equation "(3)", continuing the intro's. This extension restarts the count on
each such page (Exercise 1, (1), Definition 1, ...), as books number front matter and
appendices. Pages inside the numbered chapters keep Sphinx's "chapter.n" numbers.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def renumber_unnumbered_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        if env.toc_secnumbers.get(docname):
            continue  # a numbered chapter: "chapter.n"
        renumbered = {}
        for figtype, numbers in by_type.items():
            # The shared counter grows in document order, so sorting by it keeps the order.
            in_order = sorted(numbers.items(), key=lambda item: item[1])
            renumbered[figtype] = {key: (i,) for i, (key, _) in enumerate(in_order, start=1)}
        if renumbered != by_type:
            env.toc_fignumbers[docname] = renumbered
            changed.append(docname)
    return changed


def setup(app: Sphinx) -> dict[str, Any]:
    # After Sphinx's own toctree collector has assigned the numbers.
    app.connect("env-get-updated", renumber_unnumbered_pages, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
