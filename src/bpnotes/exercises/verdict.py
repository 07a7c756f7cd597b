"""The outcome of a check: right or wrong, a message for the reader, and a machine-readable reason.

Chapter checkers branch on :attr:`Verdict.reason`, never on the message text, so that a
message can be reworded without silently changing what a checker does. This module imports
only the standard library: it is part of the numpy-free checking path.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["FACTOR_HINT", "Reason", "Verdict", "relative_band", "sentence_start", "size_of_error"]


class Reason(StrEnum):
    """Why a verdict is what it is (a ``str``: ``Reason.SIGN == "sign"``)."""

    CORRECT = "correct"
    WRONG = "wrong"                  # a wrong value, formula or choice, no finer diagnosis
    FACTOR = "factor"                # the right answer times a constant
    SIGN = "sign"                    # the right answer times −1
    MISSING_TERM = "missing-term"    # terms of the right answer are missing
    EXTRA_TERM = "extra-term"        # the answer has terms the right answer has not
    TOO_LARGE = "too-large"          # a number (or count) above the right one
    TOO_SMALL = "too-small"          # a number (or count) below the right one
    NOT_WHOLE = "not-whole"          # a count that is not a whole number
    PARSE = "parse"                  # text that cannot be read as an answer
    TYPE = "type"                    # an answer of the wrong type (None, True, 1j, a Matrix...)
    SYMBOL = "symbol"                # a formula with a symbol the exercise does not have
    LIMIT = "limit"                  # an answer too large to check (size, exponent)
    NOT_FINITE = "not-finite"        # NaN, infinity, division by zero
    OPTION = "option"                # not one of the choices
    SHAPE = "shape"                  # an array (or list of arrays) of the wrong shape
    RAISED = "raised"                # the reader's function raised an exception
    EXITED = "exited"                # the reader's function called sys.exit()
    TIMEOUT = "timeout"              # the check (or the reader's function) ran out of time
    PARTS = "parts"                  # a multi-part exercise checked with the wrong answers


#: Said when an answer is the right one times a simple constant. Naming the constant would
#: give the answer away, next to the reader's own (wrong) answer.
FACTOR_HINT = (" It differs from the right answer by a constant factor: check the constant "
               "factors and the signs.")


# A first word that is plain English (lower-case letters, possibly hyphenated, or the
# article "a"), not a symbol (z_j, b, x.grad, grad(w), h5), a label (ex-…) or a formula.
_PLAIN_WORD = re.compile(r"(?!ex-)(?:[a-z]{2,}(?:-[a-z]+)*|a)(?=[\s,;:.!?]|$)")


def sentence_start(text: str) -> str:
    """``text`` with its first letter upper-cased when it begins with a plain word.

    A text that begins with a symbol, a name from code or an exercise label is left as it is:
    ``"z_j, a number"``, ``"b after one step"``, ``"x.grad after …"`` and
    ``"ex-notation-shapes …"`` keep their case, ``"the number of rows"`` becomes
    ``"The number of rows"``.
    """
    if _PLAIN_WORD.match(text):
        return text[:1].upper() + text[1:]
    return text


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check.

    Attributes
    ----------
    correct
        Whether the answer is right.
    message
        What a reader sees: why it is right, or what is wrong, never the right answer.
    reason
        A :class:`Reason`, for code that reacts to the kind of slip.
    solution
        The reference answer, for a reader who asks (:meth:`reveal`); never printed.
    """

    correct: bool
    message: str
    reason: Reason = Reason.WRONG
    solution: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.correct and self.reason is not Reason.CORRECT:
            object.__setattr__(self, "reason", Reason.CORRECT)

    def __bool__(self) -> bool:
        return self.correct

    @property
    def verdict(self) -> str:
        """"✔ Right." or "✘ Not yet."."""
        return "✔ Right." if self.correct else "✘ Not yet."

    def _sentence(self) -> str:
        return sentence_start(self.message)

    def __str__(self) -> str:
        return f"{self.verdict} {self._sentence()}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        # HTML, not Markdown: messages contain formulas such as 4*w**2, whose asterisks
        # Markdown would turn into emphasis.
        return f"<p><strong>{self.verdict}</strong> {html.escape(self._sentence())}</p>"

    def reveal(self) -> Any:
        """Return the reference answer (only when the reader asks for it)."""
        return self.solution


def right(message: str, solution: Any = None) -> Verdict:
    """A verdict for a right answer."""
    return Verdict(True, message, Reason.CORRECT, solution)


def wrong(message: str, reason: Reason = Reason.WRONG, solution: Any = None) -> Verdict:
    """A verdict for a wrong answer, with the reason."""
    return Verdict(False, message, reason, solution)


def relative_band(relative: float) -> str:
    """A coarse size of a relative error: enough to steer the reader, not to solve for it."""
    if relative < 0.01:
        return "by less than 1% (close, but outside the tolerance)"
    if relative < 0.1:
        return "by between 1% and 10%"
    if relative < 0.5:
        return "by between 10% and 50%"
    if relative < 1:
        return "by between 50% and 100%"
    return "by more than the right answer's own size"


def size_of_error(value: float, expected: float, *,
                  magnitude_tolerance: float = 0.01) -> tuple[str, Reason]:
    """("too large by between 10% and 50%", Reason.TOO_LARGE): direction and coarse size.

    Never the value or the exact distance: that would give the answer away. A value of the
    wrong sign whose size is also off by more than ``magnitude_tolerance`` (relative) is
    told both ("of the wrong sign, and too large in magnitude by …"), so that flipping the
    sign is not mistaken for the whole fix.
    """
    if expected == 0:
        if value > 0:
            return "too large (the right value is much closer to 0)", Reason.TOO_LARGE
        return "too small (the right value is much closer to 0)", Reason.TOO_SMALL
    if value == 0:
        return "0, and the right value is not", Reason.TOO_SMALL  # too small in magnitude
    if (value > 0) != (expected > 0):
        off = abs(abs(value) - abs(expected)) / abs(expected)
        if off <= magnitude_tolerance:
            return "of the wrong sign", Reason.SIGN
        size = "too large" if abs(value) > abs(expected) else "too small"
        return f"of the wrong sign, and {size} in magnitude {relative_band(off)}", Reason.SIGN
    band = relative_band(abs(value - expected) / abs(expected))
    larger = abs(value) > abs(expected)
    if expected > 0:
        text = "too large" if larger else "too small"
    else:  # both negative: "too small" would be ambiguous
        text = "too large in magnitude" if larger else "too small in magnitude"
    return f"{text} {band}", Reason.TOO_LARGE if larger else Reason.TOO_SMALL
