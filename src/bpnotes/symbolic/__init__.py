"""Sympy derivations that the chapters display and assert, one module per chapter.

Numeric modules never import this package: sympy is only used to derive and check.
:func:`equation` shows a derived result in a page as typeset math (never a Python repr).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

__all__ = ["equation"]


def equation(lhs: Any, rhs: Any = None, *, label: str = "") -> Any:
    """A sympy result as typeset math for a notebook or the book: ``lhs = rhs``.

    Parameters
    ----------
    lhs
        A sympy object (or LaTeX string) for the left-hand side, or the whole expression
        when ``rhs`` is omitted.
    rhs
        The right-hand side; a sympy object or a LaTeX string.
    label
        Optional LaTeX shown before the equation, e.g. ``r"\\text{output delta: }"``.

    Returns
    -------
    IPython.display.Math
        Rendered by MathJax on the site and in JupyterLab.
    """
    from IPython.display import Math  # notebooks only: the package does not need IPython

    def tex(value: Any) -> str:
        if isinstance(value, str):
            return value
        if not isinstance(value, sp.Basic | sp.MatrixBase | int | float):
            kind = type(value).__name__
            raise TypeError(f"expected a sympy object or a LaTeX string, got {kind}")
        return sp.latex(value)

    body = tex(lhs) if rhs is None else f"{tex(lhs)} = {tex(rhs)}"
    return Math(f"{label}{body}")
