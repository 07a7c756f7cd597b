"""Checkers of the calculus appendix's exercises (book/calculus.md).

Every reference is derived here with sympy from the exercise's definitions (the function,
the cost, the graph), not typed in. Only :func:`check_gradient_function` needs numpy, and
imports it when it runs.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_number
from .parsing import sigmoid
from .registry import exercise
from .timeout import CheckTimeout, time_limit
from .verdict import Reason, Verdict, wrong

__all__ = [
    "CUBIC",
    "GRADIENT_POINT",
    "LINE_COST",
    "MINIMUM_OPTIONS",
    "NEURON_POINT",
    "PRODUCT_GRAPH",
    "SURFACE",
    "central_difference_order",
    "line_cost_curvatures",
    "line_cost_hessian",
    "line_cost_minimum",
    "neuron_derivative",
    "path_contributions",
]

#: ex-calc-implement: the relative (and absolute) tolerance of the comparison with ∇J.
IMPLEMENT_TOLERANCE = 1e-9

x, w, t, a = sp.symbols("x w t a", real=True)
w1, w2, z1, z2, C = sp.symbols("w1 w2 z1 z2 C", real=True)

#: ex-calc-derivative: f(x) = x⁴/2 − 3x² + 5x.
CUBIC: sp.Expr = x**4 / 2 - 3 * x**2 + 5 * x

#: ex-calc-partials, ex-calc-implement and ex-calc-hessian: J(w1, w2) = (w1 + 2·w2 − 3)²,
#: the squared error of one example.
LINE_COST: sp.Expr = (w1 + 2 * w2 - 3) ** 2

#: ex-calc-gradient-point: the surface of the gradient figure, and the point asked about.
SURFACE: sp.Expr = w1**2 + w1 * w2 + 2 * w2**2
GRADIENT_POINT = {w1: 1, w2: -1}

#: ex-calc-paths: a feeds z1 = 3a and z2 = a², and C = z1·z2.
PRODUCT_GRAPH: dict[sp.Symbol, sp.Expr] = {z1: 3 * a, z2: a**2, C: z1 * z2}

#: ex-calc-number: the neuron ℓ(w) = ½(σ(w·x) − t)² at w = 0.5, x = 2, t = 1.
NEURON_POINT = {w: sp.Rational(1, 2), x: 2, t: 1}

_NEURON_SYMBOLS = {"w": w, "x": x, "t": t}

#: ex-calc-hessian: where J = (w1 + 2·w2 − 3)² takes its smallest value.
MINIMUM_OPTIONS = ("at a single point", "along a whole line", "nowhere")


@functools.cache
def neuron_derivative() -> sp.Expr:
    """dℓ/dw for ℓ = ½(σ(w·x) − t)², by sympy from the definition of σ."""
    return sp.diff((sigmoid(w * x) - t) ** 2 / 2, w)


@functools.cache
def path_contributions() -> dict[sp.Symbol, sp.Expr]:
    """{z: ∂C/∂z · ∂z/∂a} for the two paths of :data:`PRODUCT_GRAPH`, written in a."""
    inner = {z1: PRODUCT_GRAPH[z1], z2: PRODUCT_GRAPH[z2]}
    return {z: (sp.diff(PRODUCT_GRAPH[C], z) * sp.diff(PRODUCT_GRAPH[z], a)).subs(inner)
            for z in (z1, z2)}


@functools.cache
def central_difference_order() -> int:
    """The power of h in the leading error term of (f(x+h) − f(x−h))/(2h) − f′(x), f = exp.

    Dividing h by 10 divides that error by 10 to this power, eq. (calc-central-difference).
    """
    h = sp.Symbol("h", positive=True)
    error = (sp.exp(1 + h) - sp.exp(1 - h)) / (2 * h) - sp.E
    leading = sp.series(error, h, 0, 6).removeO().as_ordered_terms()[-1]
    return int(sp.degree(leading, h))


@functools.cache
def line_cost_hessian() -> sp.Matrix:
    """The Hessian of :data:`LINE_COST`, eq. (calc-hessian), by sympy."""
    return sp.hessian(LINE_COST, (w1, w2))


@functools.cache
def line_cost_curvatures() -> tuple[sp.Expr, ...]:
    """The eigenvalues of :func:`line_cost_hessian`, smaller first, eq. (calc-eigen)."""
    return tuple(sorted(line_cost_hessian().eigenvals(multiple=True)))


@functools.cache
def line_cost_minimum() -> str:
    """Where :data:`LINE_COST` is smallest, one of :data:`MINIMUM_OPTIONS`.

    J is convex (no negative eigenvalue, eq. (calc-convex-hessian)), so its minima are the
    points where ∇J = 0; sympy solves that linear system, and the number of free
    coordinates of the solution says whether it is a point, a line or empty.
    """
    if any(value < 0 for value in line_cost_curvatures()):
        raise AssertionError("J is not convex: a zero gradient need not be a minimum")
    solutions = sp.linsolve(list(sp.derive_by_array(LINE_COST, (w1, w2))), [w1, w2])
    if not solutions:
        return MINIMUM_OPTIONS[2]
    (solution,) = solutions
    free = set().union(*(sp.sympify(c).free_symbols for c in solution)) & {w1, w2}
    return MINIMUM_OPTIONS[0] if not free else MINIMUM_OPTIONS[1]


@exercise("ex-calc-derivative", "formula", prompt="f′(x), a formula in x", symbols=("x",))
def check_derivative(answer: Any) -> Verdict:
    """The derivative of f(x) = x⁴/2 − 3x² + 5x."""
    return check_formula(answer, sp.diff(CUBIC, x), symbols={"x": x}, domains={"x": (-2, 2)})


def _partial(variable: sp.Symbol) -> Any:
    def check_partial(answer: Any) -> Verdict:
        return check_formula(answer, sp.diff(LINE_COST, variable), symbols={"w1": w1, "w2": w2},
                             domains={"w1": (-2, 2), "w2": (-2, 2)})

    check_partial.__doc__ = f"∂J/∂{variable} of J = (w1 + 2·w2 − 3)², in w1 and w2."
    return check_partial


check_partial_w1 = exercise("ex-calc-partials:w1", "formula", prompt="∂J/∂w1, a formula in w1 "
                            "and w2", symbols=("w1", "w2"))(_partial(w1))
check_partial_w2 = exercise("ex-calc-partials:w2", "formula", prompt="∂J/∂w2, a formula in w1 "
                            "and w2", symbols=("w1", "w2"))(_partial(w2))


def _gradient_entry(variable: sp.Symbol) -> Any:
    def check_entry(answer: Any) -> Verdict:
        value = sp.diff(SURFACE, variable).subs(GRADIENT_POINT)
        return check_number(answer, float(value), rtol=1e-9, atol=1e-9)

    check_entry.__doc__ = f"∂J/∂{variable} of J = w1² + w1·w2 + 2·w2² at (1, −1), a number."
    return check_entry


check_gradient_w1 = exercise("ex-calc-gradient-point:w1", "number",
                             prompt="∂J/∂w1 at (1, −1)")(_gradient_entry(w1))
check_gradient_w2 = exercise("ex-calc-gradient-point:w2", "number",
                             prompt="∂J/∂w2 at (1, −1)")(_gradient_entry(w2))


def _neuron_hint(given: sp.Expr) -> Verdict | None:
    """Say whether a factor is missing, and on which variables it depends."""
    expected = neuron_derivative()
    try:
        with time_limit(3.0):
            ratio = sp.simplify(given / expected)
    except CheckTimeout:
        return None
    if not isinstance(ratio, sp.Expr) or ratio.has(sp.exp) or ratio.is_number:
        return None  # the generic diagnosis (a constant factor, or a point) is clearer
    names = ", ".join(sorted(str(v) for v in ratio.free_symbols))
    return wrong(f"Your formula differs from the right one by a factor that depends on {names}: "
                 "check that every link of the chain w → z → a → ℓ contributes its local "
                 "derivative, once.", Reason.FACTOR, expected)


@exercise("ex-calc-neuron", "formula", prompt="dℓ/dw, a formula in w, x and t (sigma(...) is "
          "the sigmoid)", symbols=("w", "x", "t"))
def check_neuron_derivative(answer: Any) -> Verdict:
    """dℓ/dw for ℓ = ½(σ(w·x) − t)², as a formula in w, x and t (``sigma(...)`` allowed)."""
    verdict = check_formula(answer, neuron_derivative(), symbols=_NEURON_SYMBOLS,
                            domains={"w": (-1.5, 1.5), "x": (-2, 2), "t": (0, 1)},
                            diagnose=_neuron_hint)
    if verdict.reason is Reason.WRONG:  # no finer diagnosis: point at the chain
        return wrong(verdict.message + " Check each of the three local derivatives of the "
                     "chain w → z → a → ℓ.", verdict.reason, verdict.solution)
    return verdict


def _path(node: sp.Symbol, other: sp.Symbol) -> Any:
    names = {"a": a, "z1": z1, "z2": z2}

    def swapped(given: sp.Expr) -> Verdict | None:
        if sp.simplify(given - path_contributions()[other]) == 0:
            return wrong(f"That is the contribution of the path through {other}: the path "
                         f"through {node} multiplies ∂{node}/∂a by ∂C/∂{node}.", Reason.WRONG,
                         path_contributions()[node])
        return None

    def check_path(answer: Any) -> Verdict:
        return check_formula(answer, path_contributions()[node], symbols=names,
                             substitutions={z1: PRODUCT_GRAPH[z1], z2: PRODUCT_GRAPH[z2]},
                             domains={"a": (-2, 2)}, diagnose=swapped)

    check_path.__doc__ = (f"The contribution of the path through {node} to dC/da, in a, z1 and "
                          "z2 (z1 and z2 are replaced by their definitions).")
    return check_path


check_path_z1 = exercise("ex-calc-paths:z1", "formula", prompt="the path through z1, a formula "
                         "in a, z1 and z2", symbols=("a", "z1", "z2"))(_path(z1, z2))
check_path_z2 = exercise("ex-calc-paths:z2", "formula", prompt="the path through z2, a formula "
                         "in a, z1 and z2", symbols=("a", "z1", "z2"))(_path(z2, z1))


@exercise("ex-calc-number", "number", prompt="dℓ/dw at w = 0.5, x = 2, t = 1 (3 significant "
          "digits)")
def check_neuron_slope(answer: Any) -> Verdict:
    """The number dℓ/dw at w = 0.5, x = 2, t = 1, to three significant digits."""
    slope = float(neuron_derivative().subs(NEURON_POINT))
    return check_number(answer, slope, sig_digits=3)


@exercise("ex-calc-central", "number", prompt="the factor by which the error shrinks")
def check_central_difference_ratio(answer: Any) -> Verdict:
    """By what factor the central-difference error shrinks when h shrinks 10× (within 5 %)."""
    factor = 10.0 ** central_difference_order()
    verdict = check_number(answer, factor, rtol=0.05)
    if verdict.correct or verdict.reason in (Reason.PARSE, Reason.TYPE, Reason.NOT_FINITE):
        return verdict
    if check_number(answer, 10.0, rtol=0.05):
        return wrong("That is the factor for the one-sided difference (f(x + h) − f(x)) / h. "
                     "The centred one cancels more of the Taylor series.", Reason.WRONG, factor)
    return verdict


@exercise("ex-calc-implement", "function", prompt="grad(w) returning ∇J(w) as an array of "
          "shape (2,)")
def check_gradient_function(candidate: Any) -> Verdict:
    """A numpy function ``grad(w)`` returning ∇J(w) for J = (w1 + 2·w2 − 3)², where ``w`` has
    shape (2,); run on 12 seeded random points."""
    import numpy as np

    from .functions import check_function

    parts = [sp.lambdify((w1, w2), sp.diff(LINE_COST, v), "math") for v in (w1, w2)]

    def reference(point: Any) -> Any:
        return np.array([part(point[0], point[1]) for part in parts])

    rng = np.random.default_rng(2026)
    inputs = [(rng.uniform(-3, 3, size=2),) for _ in range(12)]
    return check_function(candidate, reference, inputs, rtol=IMPLEMENT_TOLERANCE,
                          atol=IMPLEMENT_TOLERANCE, name="gradient",
                          entry_names=lambda shape: ["∂J/∂w1", "∂J/∂w2"])


def _curvature(index: int) -> Any:
    which = ("smaller", "larger")[index]

    def check_curvature(answer: Any) -> Verdict:
        curvatures = [float(value) for value in line_cost_curvatures()]
        verdict = check_number(answer, curvatures[index], rtol=1e-6, atol=1e-9)
        if verdict.correct or verdict.reason in (Reason.PARSE, Reason.TYPE, Reason.NOT_FINITE):
            return verdict
        if check_number(answer, curvatures[1 - index], rtol=1e-6, atol=1e-9).correct:
            return wrong(f"That is the {('larger', 'smaller')[index]} eigenvalue: give the "
                         f"{which} one here.", Reason.WRONG, curvatures[index])
        diagonal = [float(value) for value in line_cost_hessian().diagonal()]
        if any(check_number(answer, entry, rtol=1e-6, atol=1e-9).correct for entry in diagonal):
            return wrong("That is a diagonal entry of H. H is not diagonal, so its eigenvalues "
                         "are not its diagonal entries: they solve det(H − λI) = 0.",
                         Reason.WRONG, curvatures[index])
        return verdict

    check_curvature.__doc__ = (f"The {which} eigenvalue of the Hessian of J = (w1 + 2·w2 − 3)², "
                               "a number.")
    return check_curvature


check_curvature_small = exercise("ex-calc-hessian:smaller", "number",
                                 prompt="the smaller eigenvalue of H")(_curvature(0))
check_curvature_large = exercise("ex-calc-hessian:larger", "number",
                                 prompt="the larger eigenvalue of H")(_curvature(1))


@exercise("ex-calc-hessian:minimum", "choice", prompt="where is J smallest?",
          options=MINIMUM_OPTIONS)
def check_minimum(answer: Any) -> Verdict:
    """Where J = (w1 + 2·w2 − 3)² takes its smallest value, one of :data:`MINIMUM_OPTIONS`."""
    return check_choice(answer, line_cost_minimum(), MINIMUM_OPTIONS,
                        aliases={"point": MINIMUM_OPTIONS[0], "a point": MINIMUM_OPTIONS[0],
                                 "line": MINIMUM_OPTIONS[1], "a line": MINIMUM_OPTIONS[1]},
                        wrong_message="is not right: look at what the eigenvalues of H say "
                        "about the curvature along each eigenvector, and solve ∇J = 0.")
