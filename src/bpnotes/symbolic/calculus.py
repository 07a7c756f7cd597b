"""The calculus appendix in sympy: derivatives, gradients and the chain rule over a graph.

Everything the page ``book/calculus.md`` displays and asserts lives here, so that the
tests and the exercise checkers use the very same objects:

* :func:`derivative_by_limit` — the derivative as the limit of difference quotients from
  both sides, eq. (calc-derivative), with :func:`one_sided_derivatives` for kinks;
* :func:`tangent_line` — the best straight-line approximation at a point, eq. (calc-tangent);
* :class:`FirstOrder`, :func:`limit_of_quotient` and :func:`combination_rule` — the rules of
  differentiation proved from the definition for arbitrary functions g and k, with
  eq. (calc-differentiable);
* :func:`gradient` and :func:`directional_derivative` — eqs. (calc-gradient) and
  (calc-directional);
* :func:`hessian`, :func:`second_order_taylor` and :func:`logistic_hessian` — eqs.
  (calc-hessian), (calc-taylor2) and (calc-logistic-hessian);
* :func:`composed`, :func:`computation_paths`, :func:`path_contributions` and
  :func:`sum_over_paths` — the multivariate chain rule as a sum over the paths of a
  computation graph, eq. (calc-sum-over-paths);
* :func:`evaluate_graph` — the numbers on every node, edge and path at one point, which
  the page's graph pictures draw.

A *computation graph* is a mapping ``{node: expression}`` read in order: each node is a
sympy symbol, defined by an expression in the inputs and in nodes defined *earlier*
(so the graph cannot contain a cycle). Free symbols that are not nodes are inputs or
constants; the derivative is taken with respect to one of them (or to a node), the
*source*, and every other symbol is held fixed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

__all__ = [
    "CURVE",
    "KINKED",
    "NEURON",
    "SURFACE",
    "TWO_PATHS",
    "TWO_PATHS_POINT",
    "FirstOrder",
    "G",
    "GraphValues",
    "K",
    "LogisticHessian",
    "PathTerm",
    "combination_rule",
    "composed",
    "computation_paths",
    "derivative_by_limit",
    "directional_derivative",
    "evaluate_graph",
    "gradient",
    "hessian",
    "lambdified",
    "limit_of_quotient",
    "local_derivative",
    "logistic_hessian",
    "one_sided_derivatives",
    "path_contributions",
    "second_order_taylor",
    "sigmoid",
    "sum_over_paths",
    "tangent_line",
]

Graph = Mapping[sp.Symbol, sp.Expr]

x, h, s = sp.symbols("x h s", real=True)
w, t, a = sp.symbols("w t a", real=True)
w1, w2 = sp.symbols("w1 w2", real=True)
t1, t2 = sp.symbols("t1 t2", real=True)
z, z1, z2 = sp.symbols("z z1 z2", real=True)
loss, C = sp.symbols("ell C", real=True)

#: The logistic sigmoid σ(z) = 1 / (1 + e^(−z)), as a sympy function of one argument.
sigmoid = sp.Lambda(z, 1 / (1 + sp.exp(-z)))

#: The page's curve f(x) = x³/3 − x: a valley at x = 1 and a hill at x = −1.
CURVE: sp.Expr = x**3 / 3 - x

#: The page's surface J(w1, w2) = w1² + w1·w2 + 2·w2²: a tilted bowl, the shape of a
#: linear-regression cost.
SURFACE: sp.Expr = w1**2 + w1 * w2 + 2 * w2**2

#: One neuron with a squared loss, as a chain w → z → a → ℓ (the input x and target t
#: are constants): z = w·x, a = σ(z), ℓ = ½(a − t)².
NEURON: dict[sp.Symbol, sp.Expr] = {
    z: w * x,
    a: sigmoid(z),
    loss: (a - t) ** 2 / 2,
}

#: One activation a feeding two output neurons with targets t1 and t2: two paths from a to
#: the cost C.
TWO_PATHS: dict[sp.Symbol, sp.Expr] = {
    z1: w1 * a,
    z2: w2 * a,
    C: (z1 - t1) ** 2 / 2 + (z2 - t2) ** 2 / 2,
}

#: The point at which the page evaluates :data:`TWO_PATHS`.
TWO_PATHS_POINT: dict[sp.Symbol, float] = {a: 0.5, w1: 2.0, w2: -1.0, t1: 0.0, t2: 1.0}


# ------------------------------------------------------------------ validation
def _check_symbol(name: str, value: object) -> sp.Symbol:
    if not isinstance(value, sp.Symbol):
        raise TypeError(f"{name} must be a sympy Symbol, got {type(value).__name__}")
    return value


def _check_expr(name: str, value: object) -> sp.Expr:
    if isinstance(value, bool) or not isinstance(value, sp.Expr | numbers.Real):
        raise TypeError(f"{name} must be a sympy expression, got {type(value).__name__}")
    return sp.sympify(value)


def _check_real(name: str, value: object) -> sp.Expr:
    """A finite real number (Python or sympy) as a sympy number."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got bool")
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value}")
        return sp.nsimplify(value, rational=True) if isinstance(value, float) else sp.sympify(value)
    if isinstance(value, sp.Expr) and value.is_number:
        if not (value.is_real and value.is_finite):
            raise ValueError(f"{name} must be a finite real number, got {value}")
        return value
    raise TypeError(f"{name} must be a real number, got {type(value).__name__}")


def _check_graph(graph: object) -> dict[sp.Symbol, sp.Expr]:
    """Check that ``graph`` maps symbols to expressions that only use earlier nodes."""
    if not isinstance(graph, Mapping):
        raise TypeError(f"graph must be a mapping {{node: expression}}, got {type(graph).__name__}")
    if not graph:
        raise ValueError("graph must define at least one node")
    checked: dict[sp.Symbol, sp.Expr] = {}
    nodes = set(graph)
    for node, expr in graph.items():
        _check_symbol("each node of graph", node)
        expr = _check_expr(f"the expression of node {node}", expr)
        later = (expr.free_symbols & nodes) - set(checked)
        if later:
            names = ", ".join(sorted(map(str, later)))
            raise ValueError(
                f"graph: node {node} uses {names}, which is not defined before it "
                "(define nodes in order, each from inputs and earlier nodes; no cycles)"
            )
        checked[node] = expr
    return checked


# ------------------------------------------------------------------ one variable
#: Functions whose derivative can jump (a kink or a step): for a general ``var`` sympy's
#: limit of their difference quotient is unreliable, so they are differentiated at a point.
KINKED = (sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.Heaviside, sp.sign)


def _finite_real(value: sp.Expr) -> bool:
    return bool(value.is_finite and value.is_real) and not value.has(sp.Limit, sp.AccumBounds)


def one_sided_derivatives(
    expr: sp.Expr, var: sp.Symbol, at: float | sp.Expr
) -> tuple[sp.Expr, sp.Expr]:
    """The left and right limits of the difference quotient at ``var = at``.

    lim_{h→0⁻} and lim_{h→0⁺} of (f(at + h) − f(at)) / h, eq. (calc-derivative); the
    derivative exists exactly when both are the same finite number. For ``|x|`` at 0 they
    are −1 and 1.
    """
    expr, var = _check_expr("expr", expr), _check_symbol("var", var)
    at = _check_real("at", at)
    if expr.has(sp.Max, sp.Min):
        expr = expr.rewrite(sp.Piecewise)
    step = sp.Dummy("s", positive=True)  # h = −s from the left, h = +s from the right
    here = expr.subs(var, at)
    sides = []
    for sign in (-1, 1):
        quotient = (expr.subs(var, at + sign * step) - here) / (sign * step)
        sides.append(sp.simplify(sp.limit(quotient, step, 0, dir="+")))
    return sides[0], sides[1]


def derivative_by_limit(
    expr: sp.Expr, var: sp.Symbol, at: float | sp.Expr | None = None
) -> sp.Expr | None:
    """The derivative as the limit of the difference quotient, eq. (calc-derivative).

    Computes lim_{h→0} (f(var + h) − f(var)) / h with sympy's ``limit``, from both sides.

    For powers, polynomials, exponentials, logarithms and their quotients (every function
    the page differentiates this way: x**n, e^x, ln x, σ, e^(x²), τ² e^τ, the cubic, the
    bowl) sympy's limit algorithm uses no rule of differentiation. For functions such as
    ``sin`` it expands the quotient in a Taylor series built from their known derivatives
    (sin' = cos), so there the result is not independent of those rules.
    ``tests/test_symbolic_calculus.py`` counts sympy's differentiation calls to check which
    is which.

    Parameters
    ----------
    expr
        The function f as an expression in ``var``.
    var
        The variable.
    at
        A point: the derivative there (a number), or ``None`` if f has no derivative there.
        Without it, the derivative as an expression in ``var``.

    Returns
    -------
    sympy.Expr or None
        ``None`` means *no derivative* at ``at``: f is undefined there, or the one-sided
        limits differ (a kink, as |x| and max(x, 0) at 0), are infinite or do not exist.

    Raises
    ------
    ValueError
        Without ``at``, for an ``expr`` containing a function with a kink or a step
        (Abs, Max, Min, Piecewise, Heaviside, sign): sympy's limit is not reliable there
        for a general point, so ask for the derivative at a point.
    """
    expr, var = _check_expr("expr", expr), _check_symbol("var", var)
    if at is not None:
        at = _check_real("at", at)
        if not _finite_real(sp.simplify(expr.subs(var, at))):
            return None
        left, right = one_sided_derivatives(expr, var, at)
        if _finite_real(left) and _finite_real(right) and sp.simplify(left - right) == 0:
            return right
        return None
    kinked = [kind.__name__ for kind in KINKED if expr.has(kind)]
    if kinked:
        raise ValueError(
            f"expr contains {', '.join(kinked)}, whose derivative can jump; ask for the "
            "derivative at a point with at=..., e.g. derivative_by_limit(abs(x), x, at=0)"
        )
    step = sp.Dummy("s", positive=True)
    left = sp.limit((expr.subs(var, var - step) - expr) / -step, step, 0, dir="+")
    right = sp.limit((expr.subs(var, var + step) - expr) / step, step, 0, dir="+")
    right = sp.simplify(right)
    if sp.simplify(left - right) != 0:
        raise ValueError(
            f"the one-sided limits of the difference quotient of {expr} differ "
            f"({sp.simplify(left)} from the left, {right} from the right); "
            "ask for the derivative at a point with at=..."
        )
    return right


def tangent_line(expr: sp.Expr, var: sp.Symbol, at: float | sp.Expr) -> sp.Expr:
    """The tangent line f(x₀) + f'(x₀)(x − x₀) of ``expr`` at ``var = at``, eq. (calc-tangent).

    The slope f'(x₀) is the limit of the difference quotient (:func:`derivative_by_limit`).

    Raises
    ------
    ValueError
        If f has no derivative at ``at`` (a kink, or f undefined there): no tangent line.
    """
    expr, var = _check_expr("expr", expr), _check_symbol("var", var)
    at = _check_real("at", at)
    slope = derivative_by_limit(expr, var, at=at)
    if slope is None:
        raise ValueError(f"expr has no derivative at {var} = {at}, so no tangent line there")
    return sp.expand(expr.subs(var, at) + slope * (var - at))


# ------------------------------------------------------------------ rules from the definition
@dataclass(frozen=True)
class FirstOrder:
    """A function differentiable at a point, as eq. (calc-differentiable) writes it near there.

    f(x + h) = f(x) + h·(f'(x) + ε(h)) with ε(h) → 0 as h → 0: this is eq. (calc-derivative)
    rearranged (ε is the difference quotient minus its limit, and ε(0) = 0, so that the
    formula holds for h = 0 too), and it is all a proof of a rule may use about a function
    it knows nothing else about.

    Attributes
    ----------
    value, slope, error
        Symbols for f(x), f'(x) and ε(h).
    """

    value: sp.Symbol
    slope: sp.Symbol
    error: sp.Symbol

    @classmethod
    def named(cls, name: str, at: str = "") -> FirstOrder:
        """Symbols ``g``, ``g'`` and ``ε_g`` (or ``g(u)``, ``g'(u)`` with ``at="u"``)."""
        point = f"({at})" if at else ""
        return cls(sp.Symbol(f"{name}{point}"), sp.Symbol(f"{name}'{point}"),
                   sp.Symbol(f"varepsilon_{name}"))

    def moved(self, step: sp.Expr) -> sp.Expr:
        """f(x + step) = f(x) + step·(f'(x) + ε), eq. (calc-differentiable)."""
        return self.value + step * (self.slope + self.error)


#: The two arbitrary differentiable functions of the rule proofs, near the point x.
G, K = FirstOrder.named("g"), FirstOrder.named("k")


def limit_of_quotient(quotient: sp.Expr, small: Sequence[sp.Symbol]) -> sp.Expr:
    """The limit of a difference quotient as ``h`` and the error terms all go to 0.

    After cancelling, the quotient is a rational function of the small quantities. If its
    denominator is not zero when they are, it is continuous there, and its limit is its
    value at 0: that is what this returns.

    Raises
    ------
    ValueError
        If the denominator vanishes at 0 (the quotient is not continuous there).
    """
    quotient = _check_expr("quotient", quotient)
    small = _check_variables(small)
    quotient = sp.cancel(sp.together(quotient))
    origin = dict.fromkeys(small, 0)
    _, denominator = sp.fraction(quotient)
    if sp.simplify(denominator.subs(origin)) == 0:
        raise ValueError(f"the quotient {quotient} is not continuous where {small} are 0")
    return sp.simplify(quotient.subs(origin))


def combination_rule(combine: Callable[[sp.Expr, sp.Expr], sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
    """A rule of differentiation proved from the definition, for any differentiable g and k.

    Writes g and k near x with eq. (calc-differentiable), forms the difference quotient
    (combine(g(x + h), k(x + h)) − combine(g(x), k(x))) / h, cancels h, and lets h, ε_g
    and ε_k go to 0 (:func:`limit_of_quotient`).

    Parameters
    ----------
    combine
        How the function is built from g and k, e.g. ``lambda g, k: g * k``.

    Returns
    -------
    tuple
        ``(quotient, limit)``: the quotient after cancelling h, and the derivative, in the
        symbols of :data:`G` and :data:`K` (g, g', ε_g, k, k', ε_k).
    """
    if not callable(combine):
        raise TypeError(f"combine must be a function of (g, k), got {type(combine).__name__}")
    here = combine(G.value, K.value)
    quotient = sp.cancel(sp.together((combine(G.moved(h), K.moved(h)) - here) / h))
    return quotient, limit_of_quotient(quotient, (h, G.error, K.error))


# ------------------------------------------------------------------ several variables
def _check_variables(variables: object) -> tuple[sp.Symbol, ...]:
    if isinstance(variables, sp.Symbol) or not isinstance(variables, Sequence):
        raise TypeError("variables must be a sequence of sympy Symbols, e.g. (w1, w2)")
    if len(variables) == 0:
        raise ValueError("variables must not be empty")
    checked = tuple(_check_symbol("each entry of variables", v) for v in variables)
    if len(set(checked)) != len(checked):
        raise ValueError(f"variables must be distinct, got {checked}")
    return checked


def gradient(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> sp.Matrix:
    """The gradient ∇f = (∂f/∂v₁, …, ∂f/∂vₙ) as a column matrix, eq. (calc-gradient)."""
    expr = _check_expr("expr", expr)
    variables = _check_variables(variables)
    return sp.Matrix([sp.diff(expr, v) for v in variables])


def directional_derivative(
    expr: sp.Expr, variables: Sequence[sp.Symbol], direction: Sequence[float | sp.Expr]
) -> sp.Expr:
    """d/ds f(v + s·u) at s = 0: the slope of f along ``direction`` u, eq. (calc-directional).

    Computed from the definition, the limit of the difference quotient of the one-variable
    function s ↦ f(v + s·u) (:func:`derivative_by_limit`), neither from the gradient nor
    from sympy's rules of differentiation, so that the page can assert it equals ∇f · u.
    """
    expr = _check_expr("expr", expr)
    variables = _check_variables(variables)
    if isinstance(direction, str) or not isinstance(direction, Sequence):
        raise TypeError("direction must be a sequence of numbers, one per variable")
    if len(direction) != len(variables):
        raise ValueError(
            f"direction must have one entry per variable ({len(variables)}), got {len(direction)}"
        )
    u = [_check_expr("each entry of direction", d) for d in direction]
    step = sp.Dummy("s", real=True)
    moved = expr.subs({v: v + step * ui for v, ui in zip(variables, u)}, simultaneous=True)
    try:
        along = derivative_by_limit(moved, step)
    except ValueError as exc:  # a kink: the limit along a general line is not reliable
        raise ValueError(f"expr: no slope along a general direction ({exc})") from None
    assert along is not None  # without a point, derivative_by_limit returns an expression
    return sp.expand(along.subs(step, 0))


def hessian(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> sp.Matrix:
    """The matrix of second partial derivatives ∂²f/∂v_j∂v_k, eq. (calc-hessian)."""
    expr = _check_expr("expr", expr)
    variables = _check_variables(variables)
    first = [sp.diff(expr, vk) for vk in variables]
    return sp.Matrix([[sp.diff(dk, vj) for dk in first] for vj in variables])


def second_order_taylor(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    at: Sequence[float | sp.Expr],
    step: Sequence[sp.Expr],
) -> sp.Expr:
    """f(v) + ∇f(v)·Δ + ½ Δᵀ H(v) Δ at the point ``at`` with displacement ``step``,
    eq. (calc-taylor2)."""
    expr = _check_expr("expr", expr)
    variables = _check_variables(variables)
    for name, values in (("at", at), ("step", step)):
        if isinstance(values, str) or not isinstance(values, Sequence):
            raise TypeError(f"{name} must be a sequence, one entry per variable")
        if len(values) != len(variables):
            raise ValueError(
                f"{name} must have one entry per variable ({len(variables)}), got {len(values)}"
            )
    point = dict(zip(variables, (_check_expr("each entry of at", v) for v in at)))
    delta = sp.Matrix([_check_expr("each entry of step", d) for d in step])
    grad = gradient(expr, variables).subs(point)
    curvature = hessian(expr, variables).subs(point)
    return expr.subs(point) + (grad.T * delta)[0] + (delta.T * curvature * delta)[0] / 2


@dataclass(frozen=True)
class LogisticHessian:
    """The Hessian of logistic regression's cost on symbolic data, found two ways.

    Attributes
    ----------
    params
        (w_1, …, w_n, b).
    computed
        Sympy's second derivatives of the cost J, eq. (log-cost), of
        :func:`bpnotes.symbolic.logistic.logistic_cost`.
    formula
        (1/m) Σ_i σ(z_i)(1 − σ(z_i)) x̃_i x̃_iᵀ, eq. (calc-logistic-hessian).
    inputs
        The augmented inputs x̃_i = (x_i, 1).
    curvatures
        σ(z_i)(1 − σ(z_i)), the second derivative of the loss of example i in its logit.
    logits
        z_i = w·x_i + b.
    """

    params: tuple[sp.Symbol, ...]
    computed: sp.Matrix
    formula: sp.Matrix
    inputs: tuple[sp.Matrix, ...]
    curvatures: tuple[sp.Expr, ...]
    logits: tuple[sp.Expr, ...]

    def agree(self) -> bool:
        """Whether ``computed`` and ``formula`` are the same functions.

        Every e^(−k z_i) is written as E_i^k for a positive symbol E_i = e^(−z_i) (exact),
        which leaves rational functions: equal when the numerator of each difference
        expands to 0. (Much faster than ``simplify`` on the exponentials.)
        """
        rates = sp.symbols(f"E1:{len(self.logits) + 1}", positive=True)
        bias = self.params[-1]  # every z_i contains b once, so exp(−k z_i) has −k b

        def power_of_rate(term: sp.Expr) -> sp.Expr:
            argument = sp.expand(term.args[0])
            k = -argument.coeff(bias)
            for logit, rate in zip(self.logits, rates):
                if k != 0 and sp.expand(argument + k * logit) == 0:
                    return rate**k
            raise ValueError(f"exp({term.args[0]}) is not a power of any e^(-z_i)")

        difference = self.computed - self.formula
        powers = {term: power_of_rate(term) for term in difference.atoms(sp.exp)}
        return all(sp.expand(sp.fraction(sp.together(e.xreplace(powers)))[0]) == 0
                   for e in difference)


def logistic_hessian(examples: int = 2, features: int = 2) -> LogisticHessian:
    """The Hessian of the logistic cost of ``examples`` symbolic examples with ``features``
    inputs each, computed by sympy and by eq. (calc-logistic-hessian)."""
    from .logistic import logistic_cost  # the logistic chapter's own J, eq. (log-cost)

    for name, value in (("examples", examples), ("features", features)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
        if not 1 <= value <= 4:
            raise ValueError(f"{name} must be between 1 and 4 (sympy is slow), got {value}")
    J, w_, b_, X, _ = logistic_cost(examples, features)
    params = (*w_, b_)
    inputs = tuple(X[i, :].T.col_join(sp.Matrix([1])) for i in range(examples))
    logits = tuple((X[i, :] * w_)[0] + b_ for i in range(examples))
    curvatures = tuple(sigmoid(z_i) * (1 - sigmoid(z_i)) for z_i in logits)
    formula = sp.zeros(len(params))
    for weight, x_aug in zip(curvatures, inputs):
        formula += weight * x_aug * x_aug.T
    return LogisticHessian(params, hessian(J, params), formula / examples, inputs, curvatures,
                           logits)


# ------------------------------------------------------------------ computation graphs
def composed(graph: Graph, sink: sp.Symbol, source: sp.Symbol | None = None) -> sp.Expr:
    """The node ``sink`` written out in the inputs: every node is replaced by its definition.

    If ``source`` is a node, it is kept as a symbol (the graph is cut there), so that the
    result is the function of ``source`` whose derivative the sum over paths gives.
    """
    graph = _check_graph(graph)
    sink = _check_symbol("sink", sink)
    if sink not in graph:
        raise ValueError(f"sink {sink} is not a node of the graph; nodes: {list(graph)}")
    if source is not None:
        _check_symbol("source", source)
    expr = graph[sink]
    for node in reversed(list(graph)):
        if node != source:
            expr = expr.subs(node, graph[node])
    return expr


def local_derivative(graph: Graph, parent: sp.Symbol, child: sp.Symbol) -> sp.Expr:
    """∂child/∂parent of one edge, holding the child's other arguments fixed."""
    graph = _check_graph(graph)
    parent, child = _check_symbol("parent", parent), _check_symbol("child", child)
    if child not in graph:
        raise ValueError(f"child {child} is not a node of the graph; nodes: {list(graph)}")
    return sp.diff(graph[child], parent)


def computation_paths(
    graph: Graph, source: sp.Symbol, sink: sp.Symbol
) -> list[tuple[sp.Symbol, ...]]:
    """Every path source → … → sink along the graph's edges (parent used by child).

    Raises ``ValueError`` if there is no path: then the sink does not depend on the source.
    """
    graph = _check_graph(graph)
    source, sink = _check_symbol("source", source), _check_symbol("sink", sink)
    if sink not in graph:
        raise ValueError(f"sink {sink} is not a node of the graph; nodes: {list(graph)}")
    order = list(graph)
    if source in graph and order.index(source) >= order.index(sink):
        raise ValueError(f"source {source} must be defined before sink {sink}")
    found: list[tuple[sp.Symbol, ...]] = []

    def extend(path: tuple[sp.Symbol, ...]) -> None:
        node = path[-1]
        if node == sink:
            found.append(path)
            return
        for child, expr in graph.items():
            if node in expr.free_symbols:
                extend((*path, child))

    extend((source,))
    if not found:
        raise ValueError(f"there is no path from source {source} to sink {sink} in the graph")
    return found


@dataclass(frozen=True)
class PathTerm:
    """One path's term of the sum over paths, eq. (calc-sum-over-paths).

    Attributes
    ----------
    path
        The nodes from source to sink.
    factors
        The local derivatives ∂(next)/∂(node) along the path, in the graph's own symbols.
    product
        Their product written out in the inputs (nodes other than the source replaced).
    """

    path: tuple[sp.Symbol, ...]
    factors: tuple[sp.Expr, ...]
    product: sp.Expr


def path_contributions(graph: Graph, source: sp.Symbol, sink: sp.Symbol) -> list[PathTerm]:
    """The product of local derivatives along each path from ``source`` to ``sink``."""
    graph = _check_graph(graph)
    terms = []
    for path in computation_paths(graph, source, sink):
        factors = tuple(sp.diff(graph[b], a_) for a_, b in zip(path[:-1], path[1:]))
        product = sp.Mul(*factors)
        for node in reversed(list(graph)):
            if node != source:
                product = product.subs(node, graph[node])
        terms.append(PathTerm(path, factors, product))
    return terms


def sum_over_paths(graph: Graph, source: sp.Symbol, sink: sp.Symbol) -> sp.Expr:
    """d(sink)/d(source) by the multivariate chain rule, eq. (calc-sum-over-paths):
    the sum over all paths of the product of the local derivatives along the path."""
    return sp.Add(*(term.product for term in path_contributions(graph, source, sink)))


@dataclass(frozen=True)
class GraphValues:
    """A computation graph evaluated at one point, ready to be drawn.

    Attributes
    ----------
    nodes
        The nodes on some path from the source to the sink, source first.
    values
        The value of every such node.
    edges
        ``{(parent, child): (local derivative expression, its value)}`` for every edge on
        a path.
    paths
        The paths, as tuples of nodes.
    contributions
        The value of each path's product of local derivatives.
    total
        Their sum: d(sink)/d(source) at the point.
    """

    nodes: tuple[sp.Symbol, ...]
    values: dict[sp.Symbol, float]
    edges: dict[tuple[sp.Symbol, sp.Symbol], tuple[sp.Expr, float]]
    paths: tuple[tuple[sp.Symbol, ...], ...]
    contributions: tuple[float, ...]
    total: float


def evaluate_graph(
    graph: Graph, source: sp.Symbol, sink: sp.Symbol, point: Mapping[sp.Symbol, float]
) -> GraphValues:
    """Evaluate nodes, local derivatives and path contributions at ``point``.

    ``point`` gives a number for every input and constant the sink depends on (and
    for the source).
    """
    graph = _check_graph(graph)
    if not isinstance(point, Mapping):
        raise TypeError(f"point must be a mapping {{symbol: number}}, got {type(point).__name__}")
    subs = {_check_symbol("each key of point", k): _check_real(f"point[{k}]", v)
            for k, v in point.items()}
    terms = path_contributions(graph, source, sink)
    needed = composed(graph, sink, source).free_symbols | {source}
    missing = needed - set(subs)
    if missing:
        names = ", ".join(sorted(map(str, missing)))
        raise ValueError(f"point must give a value for every input; missing: {names}")
    values: dict[sp.Symbol, float] = {}
    known = dict(subs)
    for node, expr in graph.items():
        if node != source:
            known[node] = expr.subs(known)
    on_paths = {n for term in terms for n in term.path}
    nodes = [source] + [n for n in graph if n in on_paths and n != source]
    for node in nodes:
        values[node] = float(known[node])
    edges = {}
    for term in terms:
        for (parent, child), factor in zip(zip(term.path[:-1], term.path[1:]), term.factors):
            edges[(parent, child)] = (factor, float(factor.subs(known)))
    contributions = tuple(float(term.product.subs(subs)) for term in terms)
    return GraphValues(
        nodes=tuple(nodes),
        values=values,
        edges=edges,
        paths=tuple(term.path for term in terms),
        contributions=contributions,
        total=float(sum(contributions)),
    )


def lambdified(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> Callable[..., np.ndarray]:
    """A numpy function of ``variables`` computing ``expr`` (broadcasts over arrays).

    Constant expressions are broadcast to the shape of the first argument, so that
    plotting a constant derivative over a grid works like any other.
    """
    expr = _check_expr("expr", expr)
    variables = _check_variables(variables)
    raw = sp.lambdify(variables, expr, "numpy")

    def function(*args: object) -> np.ndarray:
        arrays = [np.asarray(arg, dtype=np.float64) for arg in args]
        return np.broadcast_to(np.asarray(raw(*arrays), dtype=np.float64),
                               np.broadcast(*arrays).shape).copy()

    return function
