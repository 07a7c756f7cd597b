"""Answer checkers for the exercises of the calculus appendix (book/calculus.md).

Each checker takes the reader's answer (a formula as a string or sympy expression, a
number, an array or a function) and returns a :class:`~bpnotes.exercises.checkers.Verdict`
that says right or wrong and why, without printing the reference answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import sympy as sp

from ..symbolic import calculus as sym
from .checkers import (
    FACTOR_HINT,
    Verdict,
    check_array,
    check_expression,
    check_function,
    check_number,
)

__all__ = [
    "CUBIC",
    "LINE_COST",
    "NEURON_POINT",
    "PRODUCT_GRAPH",
    "check_central_difference_ratio",
    "check_derivative",
    "check_gradient_at_point",
    "check_gradient_function",
    "check_neuron_derivative",
    "check_neuron_slope",
    "check_partials",
    "check_two_paths",
]

x, w, t, a = sym.x, sym.w, sym.t, sym.a
w1, w2, z1, z2, C = sym.w1, sym.w2, sym.z1, sym.z2, sym.C

#: Exercise 1: f(x) = x⁴/2 − 3x² + 5x.
CUBIC: sp.Expr = x**4 / 2 - 3 * x**2 + 5 * x

#: Exercises 2 and 8: J(w1, w2) = (w1 + 2·w2 − 3)², the squared error of one example.
LINE_COST: sp.Expr = (w1 + 2 * w2 - 3) ** 2

#: Exercise 5: a feeds z1 = 3a and z2 = a², and C = z1·z2.
PRODUCT_GRAPH: dict[sp.Symbol, sp.Expr] = {z1: 3 * a, z2: a**2, C: z1 * z2}

#: Exercise 6: the neuron of the page at w = 0.5, x = 2, t = 1.
NEURON_POINT: dict[sp.Symbol, float] = {w: 0.5, x: 2.0, t: 1.0}

#: Exercise 3: the point at which to give the gradient of the page's surface.
GRADIENT_POINT = (1.0, -1.0)


def _formula(name: str, answer: Any) -> Any:
    """Accept a string or a sympy expression (or a plain number); refuse anything else."""
    if isinstance(answer, bool) or not isinstance(answer, str | sp.Basic | int | float):
        raise TypeError(
            f"{name} must be a formula, as a string such as \"2*x\" or a sympy expression; "
            f"got {type(answer).__name__}"
        )
    return answer


def _rename(expr: Any, names: dict[str, Any]) -> Any:
    """Identify the reader's symbols with the reference's by name (``sp.Symbol("w")`` has
    no assumptions, the reference's ``w`` is real: to a human they are the same)."""
    if not isinstance(expr, sp.Basic):
        return expr
    rename = {s_: names[s_.name] for s_ in expr.free_symbols
              if isinstance(s_, sp.Symbol) and s_.name in names and names[s_.name] != s_}
    return expr.xreplace(rename) if rename else expr


def _check_formula(answer: Any, expected: sp.Expr, names: dict[str, Any]) -> Verdict:
    """:func:`check_expression` with the reader's symbols identified by name."""
    return check_expression(_rename(answer, names), expected, symbols=names)


def check_derivative(answer: Any) -> Verdict:
    """Exercise 1: the derivative of f(x) = x⁴/2 − 3x² + 5x, as a formula in x."""
    answer = _formula("answer", answer)
    return _check_formula(answer, sp.diff(CUBIC, x), {"x": x})


def check_partials(d_w1: Any, d_w2: Any) -> Verdict:
    """Exercise 2: ∂J/∂w1 and ∂J/∂w2 of J = (w1 + 2·w2 − 3)², as formulas in w1, w2."""
    d_w1, d_w2 = _formula("d_w1", d_w1), _formula("d_w2", d_w2)
    names = {"w1": w1, "w2": w2}
    first = _check_formula(d_w1, sp.diff(LINE_COST, w1), names)
    second = _check_formula(d_w2, sp.diff(LINE_COST, w2), names)
    if first and second:
        return Verdict(True, "Both partial derivatives are right.", (first.solution,
                                                                     second.solution))
    wrong = []
    if not first:
        wrong.append(f"∂J/∂w1: {first.message}")
    if not second:
        wrong.append(f"∂J/∂w2: {second.message}")
    return Verdict(False, " ".join(wrong), (first.solution, second.solution))


def check_gradient_at_point(answer: Any) -> Verdict:
    """Exercise 3: the gradient of J(w1, w2) = w1² + w1·w2 + 2·w2² at (1, −1), as two numbers."""
    grad = sym.gradient(sym.SURFACE, (w1, w2)).subs({w1: GRADIENT_POINT[0],
                                                      w2: GRADIENT_POINT[1]})
    expected = np.array([float(g) for g in grad])
    return check_array(answer, expected, rtol=1e-9, atol=1e-9, name="gradient")


def check_neuron_derivative(answer: Any) -> Verdict:
    """Exercise 4: dℓ/dw for ℓ = ½(σ(w·x) − t)², as a formula in w, x and t.

    The formula may use ``sigma(...)`` for the sigmoid and ``exp(...)``.
    """
    answer = _formula("answer", answer)
    if isinstance(answer, sp.Basic):
        answer = answer.replace(sp.Function("sigma"), sym.sigmoid)
    expected = sp.diff(sym.composed(sym.NEURON, sym.loss), w)
    names = {"w": w, "x": x, "t": t, "sigma": sym.sigmoid}
    if isinstance(answer, str):
        try:
            parsed = sp.sympify(answer, locals=names)
        except (sp.SympifyError, SyntaxError, TypeError, AttributeError):
            parsed = None  # check_expression explains what could not be read
        if isinstance(parsed, sp.Basic) and parsed.atoms(sp.Lambda):
            return Verdict(False, "Write the sigmoid applied to its argument, as sigma(w*x); "
                           "a bare sigma is not a number.", expected)
    verdict = _check_formula(answer, expected, names)
    if verdict or "constant factor:" in verdict.message:
        return verdict
    try:
        given = _rename(sp.sympify(answer, locals=names) if isinstance(answer, str)
                        else answer, names)
        ratio = sp.simplify(given / expected)
    except (sp.SympifyError, SyntaxError, TypeError, ValueError, ZeroDivisionError):
        return verdict
    # The generic diagnosis lists expanded sigmoid terms, which is unreadable: say instead
    # whether a factor is missing, and on which variables it depends.
    first = verdict.message.split(" Expanded,")[0]
    if isinstance(ratio, sp.Expr) and ratio.is_number:
        hint = FACTOR_HINT
    elif isinstance(ratio, sp.Expr) and not ratio.has(sp.exp):
        names_in = ", ".join(sorted(str(v) for v in ratio.free_symbols))
        hint = (f" Your formula differs from the reference by a factor that depends on "
                f"{names_in}: check that every link of the chain w → z → a → ℓ contributes "
                "its local derivative, once.")
    else:
        hint = " Check each of the three local derivatives of the chain w → z → a → ℓ."
    return Verdict(False, first + hint, verdict.solution)


def check_two_paths(via_z1: Any, via_z2: Any) -> Verdict:
    """Exercise 5: the contribution of the path through z1, of the path through z2, and
    (implicitly) their sum dC/da, for a → z1 = 3a, a → z2 = a², C = z1·z2.

    The contributions may be written in a, z1 and z2; z1 and z2 are replaced by their
    definitions before comparing.
    """
    via_z1, via_z2 = _formula("via_z1", via_z1), _formula("via_z2", via_z2)
    names = {"a": a, "z1": z1, "z2": z2}
    terms = {term.path[1]: term.product for term in
             sym.path_contributions(PRODUCT_GRAPH, a, C)}
    definitions = {z1: PRODUCT_GRAPH[z1], z2: PRODUCT_GRAPH[z2]}

    def in_a(name: str, value: Any) -> sp.Expr | Verdict:
        try:
            expr = sp.sympify(value, locals=names) if isinstance(value, str) else value
            expr = _rename(sp.sympify(expr), names)
        except (sp.SympifyError, SyntaxError, TypeError, AttributeError):
            return Verdict(False, f"{name} = {value!r} could not be read as a formula (write "
                           "products with * and powers with **).", solution)
        if not isinstance(expr, sp.Expr):
            return Verdict(False, f"{name} must be a single expression.", solution)
        unknown = expr.free_symbols - {a, z1, z2}
        if unknown:
            return Verdict(False, f"{name} may only use a, z1 and z2; it uses "
                           f"{', '.join(sorted(map(str, unknown)))}.", solution)
        return sp.sympify(expr.subs(definitions))

    solution = (terms[z1], terms[z2])
    given1, given2 = in_a("via_z1", via_z1), in_a("via_z2", via_z2)
    for given in (given1, given2):
        if isinstance(given, Verdict):
            return given
    given1, given2 = cast(sp.Expr, given1), cast(sp.Expr, given2)  # the loop returned Verdicts
    first = _check_formula(given1, terms[z1], names)
    second = _check_formula(given2, terms[z2], names)
    total = sp.diff(sym.composed(PRODUCT_GRAPH, C), a)
    if first and second:
        return Verdict(True, "Both path contributions are right, and their sum is dC/da.",
                       solution)
    if sp.simplify(given1 - terms[z2]) == 0 and sp.simplify(given2 - terms[z1]) == 0:
        return Verdict(False, "The two contributions are swapped: the path through z1 "
                       "multiplies ∂z1/∂a by ∂C/∂z1.", solution)
    summed = sp.simplify(given1 + given2 - total) == 0
    hint = (" Their sum is dC/da, but the split between the two paths is not." if summed
            else " Their sum is not dC/da either.")
    parts = []
    if not first:
        parts.append(f"Path through z1: {first.message}")
    if not second:
        parts.append(f"Path through z2: {second.message}")
    return Verdict(False, " ".join(parts) + hint, solution)


def _neuron_slope() -> float:
    derivative = sp.diff(sym.composed(sym.NEURON, sym.loss), w)
    return float(derivative.subs(NEURON_POINT))


def check_neuron_slope(answer: Any) -> Verdict:
    """Exercise 6: the number dℓ/dw at w = 0.5, x = 2, t = 1 (to 3 significant digits)."""
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.floating | np.integer):
        raise TypeError(f"answer must be a number, got {type(answer).__name__}")
    return check_number(answer, _neuron_slope(), rtol=2e-3, atol=0.0)


def check_central_difference_ratio(answer: Any) -> Verdict:
    """Exercise 7: by what factor the central-difference error shrinks when h shrinks 10×.

    For a smooth function the error of (f(x + h) − f(x − h)) / (2h) is c·h² + O(h⁴),
    eq. (calc-central-difference), so the factor is 10² (accepted within 5 %).
    """
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.floating | np.integer):
        raise TypeError(f"answer must be a number, got {type(answer).__name__}")
    verdict = check_number(answer, 100.0, rtol=0.05, atol=0.0)
    if verdict or not np.isclose(float(answer), 10.0, rtol=0.05):
        return verdict
    return Verdict(False, "That is the factor for the one-sided difference (f(x + h) − f(x)) / h. "
                   "The centred one cancels more of the Taylor series.", verdict.solution)


def check_gradient_function(candidate: Callable[[np.ndarray], Any]) -> Verdict:
    """Exercise 8: a numpy function ``grad(w)`` returning ∇J(w) for J = (w1 + 2·w2 − 3)²,
    where ``w`` is an array of shape (2,); run on 12 seeded random points."""
    gradient = sym.gradient(LINE_COST, (w1, w2))
    reference_parts = [sym.lambdified(g, [w1, w2]) for g in gradient]

    def reference(point: np.ndarray) -> np.ndarray:
        return np.array([float(part(point[0], point[1])) for part in reference_parts])

    rng = np.random.default_rng(2026)
    inputs = [(rng.uniform(-3, 3, size=2),) for _ in range(12)]

    def guarded(point: np.ndarray) -> Any:
        return candidate(point.copy())

    return check_function(guarded if callable(candidate) else candidate, reference,
                                     inputs, rtol=1e-9, atol=1e-9)
