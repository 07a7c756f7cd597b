"""Checker of the introduction's exercise (book/intro.md).

The curvature of the quadratic is λ (the book keeps ``a`` for activations); a reader types
it as ``λ``, ``lam`` or ``lambda`` (read as ``lam`` by the answer parser).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .checkers import check_formula
from .registry import exercise
from .verdict import Verdict

__all__ = ["one_step_rate"]

lam, eta, w = sp.symbols("lam eta w", positive=True)


def one_step_rate() -> sp.Expr:
    """The learning rate that takes J(w) = ½ λ w² to its minimum in one step, eq. (intro-update).

    One step gives w − η J′(w) = (1 − η λ) w; it is 0 for every w when 1 − η λ = 0.
    """
    after_one_step = w - eta * sp.diff(lam * w**2 / 2, w)
    (rate,) = sp.solve(sp.Eq(after_one_step, 0), eta)
    return rate


@exercise("ex-intro-rate", "formula", prompt="the learning rate, a formula in λ (type λ, lam or "
          "lambda)", symbols=("lam",))
def check_one_step_rate(answer: Any) -> Verdict:
    """The learning rate reaching the minimum of ½ λ w² in a single step, as a formula in λ."""
    return check_formula(answer, one_step_rate(), symbols={"lam": lam})
