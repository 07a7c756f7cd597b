"""Exercise checkers: one entry point for every exercise of the book.

>>> from bpnotes.exercises import check, exercises
>>> verdict = check("ex-intro-rate", "1/lam")
>>> verdict.correct
True

:func:`check` takes the exercise's label and the answer and returns a
:class:`~bpnotes.exercises.verdict.Verdict` (right or wrong, why, never the solution);
:func:`exercises` lists the labels and :func:`describe` tells the kind of answer each takes.
The chapter modules (``bpnotes.exercises.calculus``, ...) register their checks by label
and are imported only when needed. Checking a formula, number, choice or array imports no
numpy; checking a function the reader wrote does (:mod:`bpnotes.exercises.functions`).
"""

from __future__ import annotations

from typing import Any

from .checkers import check_array, check_choice, check_formula, check_number, check_smallest_count
from .registry import check, describe, exercises
from .verdict import Reason, Verdict

__all__ = [
    "Reason",
    "Verdict",
    "check",
    "check_array",
    "check_choice",
    "check_formula",
    "check_function",
    "check_number",
    "check_smallest_count",
    "describe",
    "exercises",
]


def __getattr__(name: str) -> Any:
    # check_function needs numpy: import it only when it is asked for.
    if name == "check_function":
        from .functions import check_function

        return check_function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
