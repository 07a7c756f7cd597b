"""Checker of the introduction's exercise (book/intro.md)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .checkers import check_formula
from .registry import exercise
from .verdict import Verdict

__all__ = ["one_step_rate"]

a, eta, w = sp.symbols("a eta w", positive=True)


def one_step_rate() -> sp.Expr:
    """The learning rate that takes J(w) = ½ a w² to its minimum in one step, eq. (intro-update).

    One step gives w − η J′(w) = (1 − η a) w; it is 0 for every w when 1 − η a = 0.
    """
    after_one_step = w - eta * sp.diff(a * w**2 / 2, w)
    (rate,) = sp.solve(sp.Eq(after_one_step, 0), eta)
    return rate


@exercise("ex-intro-rate", "formula", prompt="the learning rate, a formula in a",
          symbols=("a",))
def check_one_step_rate(answer: Any) -> Verdict:
    """The learning rate reaching the minimum of ½ a w² in a single step, as a formula in a."""
    return check_formula(answer, one_step_rate(), symbols={"a": a})
