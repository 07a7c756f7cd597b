"""Sympy derivations of the chapter "Backpropagation is reverse-mode differentiation".

A computational graph is written here as a :class:`Graph`: inputs, then named nodes, each
defined by *one* operation on inputs or earlier nodes. The functions derive what the
chapter claims and return the expressions it displays:

* :func:`local_derivatives` — ∂node/∂input for every edge, eq. (ad-local);
* :func:`adjoints` — the reverse sweep v̄ = Σ_{u uses v} ū ∂u/∂v, eq. (ad-adjoint), done
  symbolically, and :func:`tangents`, the forward sweep of eq. (ad-forward); both are
  compared with the derivative of the whole composed expression by :func:`composed`;
* :func:`output_form_slopes` — tanh' and σ' written with the node's own output u,
  from the definitions of tanh and σ by exponentials;
* :func:`shared_unit_gradient` — a hidden unit feeding two neurons: the two uses add up
  to the Σ of the delta rule, eq. (bp-delta-rule);
* :func:`dense_rule` — the matrix backward rule of Z = A Wᵀ + b, eq. (ad-dense-backward),
  from the element-wise chain rule, for a coupled nonlinear cost;
* :func:`symmetric_gradients` — two hidden units with equal weights receive equal
  gradients, for any activation, eq. (ad-symmetry).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = [
    "Graph",
    "OutputForm",
    "adjoints",
    "composed",
    "dense_rule",
    "local_derivatives",
    "output_form_slopes",
    "running_example",
    "shared_unit_gradient",
    "symmetric_gradients",
    "tangents",
]


@dataclass(frozen=True)
class Graph:
    """A computational graph: ``nodes`` maps each node's symbol to its one operation.

    Attributes
    ----------
    inputs
        The input symbols.
    nodes
        Node symbol → expression in inputs and *earlier* node symbols, in the order of
        evaluation (a topological order); the last node is the output.
    """

    inputs: tuple[sp.Symbol, ...]
    nodes: dict[sp.Symbol, sp.Expr]

    @property
    def output(self) -> sp.Symbol:
        """The last node."""
        return list(self.nodes)[-1]

    def uses(self, symbol: sp.Symbol) -> list[sp.Symbol]:
        """The nodes whose operation takes ``symbol`` as an input."""
        return [node for node, expr in self.nodes.items() if symbol in expr.free_symbols]


def running_example() -> Graph:
    """z = (x y + tanh x)² / (1 + eʸ) as seven operations v₁ … v₇ = z.

    x is used twice (by v₁ and v₂) and so is y (by v₁ and v₅).
    """
    x, y = sp.symbols("x y", real=True)
    v = sp.symbols("v1:8", real=True)
    nodes = {
        v[0]: x * y,
        v[1]: sp.tanh(x),
        v[2]: v[0] + v[1],
        v[3]: v[2] ** 2,
        v[4]: sp.exp(y),
        v[5]: 1 + v[4],
        v[6]: v[3] / v[5],
    }
    return Graph((x, y), nodes)


def local_derivatives(graph: Graph) -> dict[tuple[sp.Symbol, sp.Symbol], sp.Expr]:
    """∂node/∂input for every edge (input → node), eq. (ad-local), in node symbols.

    Each is the derivative of a single operation, such as ∂(v₃²)/∂v₃ = 2 v₃. A function
    node (tanh, exp, ...) whose derivative contains the function itself has it written
    with the node's own symbol, as the engine and the chapter's table do: ∂v₂/∂x = 1 − v₂²
    for v₂ = tanh x, ∂v₅/∂y = v₅ for v₅ = eʸ.
    """
    local = {}
    for node, expr in graph.nodes.items():
        for arg in sorted(expr.free_symbols, key=str):
            derivative = sp.diff(expr, arg)
            if isinstance(expr, sp.Function):
                derivative = derivative.subs(expr, node)  # in the output's own symbol
            local[node, arg] = derivative
    return local


def adjoints(graph: Graph) -> dict[sp.Symbol, sp.Expr]:
    """The reverse sweep, eq. (ad-adjoint): v̄ = Σ over the nodes u using v of ū · ∂u/∂v.

    Starts from z̄ = 1 at the output and visits the nodes in reverse order; returns the
    adjoint of every node and input, in node symbols (not yet substituted).
    """
    local = local_derivatives(graph)
    adjoint: dict[sp.Symbol, sp.Expr] = {graph.output: sp.Integer(1)}
    for node in reversed(list(graph.nodes)):
        for arg in graph.nodes[node].free_symbols:
            adjoint[arg] = adjoint.get(arg, sp.Integer(0)) + adjoint[node] * local[node, arg]
    return adjoint


def tangents(graph: Graph, wrt: sp.Symbol) -> dict[sp.Symbol, sp.Expr]:
    """The forward sweep, eq. (ad-forward): u̇ = Σ over u's inputs v of ∂u/∂v · v̇.

    Seeds ẇ = 1 for the input ``wrt`` and 0 for the other inputs; returns every node's
    tangent du/d(wrt), in node symbols.
    """
    if wrt not in graph.inputs:
        raise ValueError(f"wrt must be one of the inputs {graph.inputs}, got {wrt}")
    local = local_derivatives(graph)
    tangent: dict[sp.Symbol, sp.Expr] = {s: sp.Integer(1 if s == wrt else 0)
                                         for s in graph.inputs}
    for node, expr in graph.nodes.items():
        tangent[node] = sum((local[node, arg] * tangent[arg] for arg in expr.free_symbols),
                            sp.Integer(0))
    return tangent


def composed(graph: Graph, expr: sp.Expr) -> sp.Expr:
    """``expr`` with every node symbol replaced by its definition, down to the inputs."""
    for node in reversed(list(graph.nodes)):
        expr = expr.subs(node, graph.nodes[node])
    return expr


@dataclass(frozen=True)
class OutputForm:
    """A local derivative written with the operation's own output u (see
    :func:`output_form_slopes`).

    Attributes
    ----------
    definition
        The operation as a formula in ``a``.
    derivative
        Its derivative in ``a``, by differentiating the definition.
    in_output
        The claimed form, a formula in the output ``u``; equal to ``derivative`` once
        ``u`` is replaced by ``definition``.
    """

    definition: sp.Expr
    derivative: sp.Expr
    in_output: sp.Expr


def output_form_slopes() -> dict[str, OutputForm]:
    """tanh' = 1 − u² and σ' = u(1 − u) with u the output, from the definitions of tanh
    and σ by exponentials (asserted here); the engine's local derivatives, eq. (ad-local).
    """
    a, u = sp.symbols("a u", real=True)
    forms = {
        "tanh": ((sp.exp(a) - sp.exp(-a)) / (sp.exp(a) + sp.exp(-a)), 1 - u**2),
        "sigmoid": (1 / (1 + sp.exp(-a)), u * (1 - u)),
    }
    result = {}
    for name, (definition, in_output) in forms.items():
        derivative = sp.diff(definition, a)
        assert sp.simplify(derivative - in_output.subs(u, definition)) == 0, name
        result[name] = OutputForm(definition, derivative, in_output)
    return result


def shared_unit_gradient() -> tuple[sp.Expr, sp.Expr]:
    """A hidden unit h = f(w x + b) feeding two linear neurons z²_r = W²_r1 h + b²_r.

    A 1-1-2 network in the book's notation: one input x, one hidden unit with weight w and
    bias b, two outputs with weights W²_11, W²_21 and biases b²_1, b²_2. With
    ℓ = ½ Σ_r (z²_r − y_r)², the reverse sweep reaches h along two edges and adds their
    contributions: h̄ = W²_11 δ²_1 + W²_21 δ²_2 with δ²_r = z²_r − y_r, so the unit's
    delta is f'(w x + b) Σ_r W²_r1 δ²_r, eq. (bp-delta-rule), and ∂ℓ/∂w is that delta
    times x.

    Returns (∂ℓ/∂w by differentiating the whole loss, the delta-rule form), for any f.
    """
    x, w, b = sp.symbols("x w b", real=True)
    W1, W2 = sp.symbols("W^{2}_{11} W^{2}_{21}", real=True)
    c1, c2 = sp.symbols("b^{2}_{1} b^{2}_{2}", real=True)
    y1, y2 = sp.symbols("y_1 y_2", real=True)
    f = sp.Function("f")
    u = sp.Symbol("u", real=True)
    h = f(w * x + b)
    z1, z2 = W1 * h + c1, W2 * h + c2
    loss = sp.Rational(1, 2) * ((z1 - y1) ** 2 + (z2 - y2) ** 2)
    slope = sp.diff(f(u), u).subs(u, w * x + b)
    delta_rule = slope * (W1 * (z1 - y1) + W2 * (z2 - y2)) * x
    brute = sp.diff(loss, w)
    assert sp.simplify(brute - delta_rule) == 0
    return brute, delta_rule


def dense_rule(m: int = 2, n_in: int = 3, n_out: int = 2) -> dict[str, tuple[sp.Matrix,
                                                                             sp.Matrix]]:
    """The backward rule of Z = A Wᵀ + b, eq. (ad-dense-backward), for a coupled cost.

    The cost C = Σ_ij t_ij sin Z_ij + Z₁₁ Z_mn depends on every entry of Z and couples
    two of them. δ = ∂C/∂Z is taken with the Z_ij as independent variables; then
    δᵀA, δW and the column sums of δ are compared with the derivatives of C(A Wᵀ + b)
    with respect to W, A and b, differentiated entry by entry.

    Returns ``{"W": (brute, rule), "A": ..., "b": ...}``; asserted equal here.
    """
    A = sp.Matrix(m, n_in, lambda i, k: sp.Symbol(f"A_{i + 1}{k + 1}", real=True))
    W = sp.Matrix(n_out, n_in, lambda j, k: sp.Symbol(f"W_{j + 1}{k + 1}", real=True))
    b = sp.Matrix(1, n_out, lambda _, j: sp.Symbol(f"b_{j + 1}", real=True))
    t = sp.Matrix(m, n_out, lambda i, j: sp.Symbol(f"t_{i + 1}{j + 1}", real=True))
    Zs = sp.Matrix(m, n_out, lambda i, j: sp.Symbol(f"Z_{i + 1}{j + 1}", real=True))

    def cost(Z: sp.Matrix) -> sp.Expr:
        return sum((t[i, j] * sp.sin(Z[i, j]) for i in range(m) for j in range(n_out)),
                   sp.Integer(0)) + Z[0, 0] * Z[m - 1, n_out - 1]

    Z = A * W.T + sp.ones(m, 1) * b
    at_Z = dict(zip(Zs, Z, strict=True))
    delta = Zs.applyfunc(lambda z: sp.diff(cost(Zs), z)).subs(at_Z)
    C = cost(Z)
    result = {
        "W": (W.applyfunc(lambda v: sp.diff(C, v)), delta.T * A),
        "A": (A.applyfunc(lambda v: sp.diff(C, v)), delta * W),
        "b": (b.applyfunc(lambda v: sp.diff(C, v)), sp.ones(1, m) * delta),
    }
    for name, (brute, rule) in result.items():
        assert (brute - rule).applyfunc(sp.expand) == sp.zeros(*rule.shape), name
    return result


def symmetric_gradients() -> dict[str, sp.Matrix]:
    """Two hidden units with the same weights get the same gradients, for any f.

    A 2-2-1 network in the book's notation, with a linear output:
    z¹_j = W¹_j1 x₁ + W¹_j2 x₂ + b¹_j, s = W²_11 f(z¹_1) + W²_12 f(z¹_2) + b², and the
    loss ℓ = ½ (s − y)². Differentiated with every parameter its own symbol, then
    evaluated where the units are identical (W¹_2k = W¹_1k, b¹_2 = b¹_1, W²_12 = W²_11):
    the two rows of ∂ℓ/∂W¹ are equal, and so are the two entries of ∂ℓ/∂b¹ and of
    ∂ℓ/∂W², eq. (ad-symmetry).

    Returns the gradients at the symmetric point: ``{"W1": 2×2, "b1": 2×1, "W2": 1×2}``.
    """
    x1, x2, y = sp.symbols("x_1 x_2 y", real=True)
    b2 = sp.Symbol("b^{2}", real=True)
    W1 = sp.Matrix(2, 2, lambda j, k: sp.Symbol(f"W^{{1}}_{{{j + 1}{k + 1}}}", real=True))
    b1 = sp.Matrix(2, 1, lambda j, _: sp.Symbol(f"b^{{1}}_{{{j + 1}}}", real=True))
    W2 = sp.Matrix(1, 2, lambda _, j: sp.Symbol(f"W^{{2}}_{{1{j + 1}}}", real=True))
    f = sp.Function("f")
    z = W1 * sp.Matrix([x1, x2]) + b1
    s = (W2 * z.applyfunc(f))[0, 0] + b2
    loss = sp.Rational(1, 2) * (s - y) ** 2
    same = {W1[1, 0]: W1[0, 0], W1[1, 1]: W1[0, 1], b1[1]: b1[0], W2[1]: W2[0]}
    grads = {
        "W1": W1.applyfunc(lambda p: sp.diff(loss, p)).subs(same),
        "b1": b1.applyfunc(lambda p: sp.diff(loss, p)).subs(same),
        "W2": W2.applyfunc(lambda p: sp.diff(loss, p)).subs(same),
    }
    assert sp.simplify(grads["W1"].row(0) - grads["W1"].row(1)) == sp.zeros(1, 2)
    assert sp.simplify(grads["b1"][0] - grads["b1"][1]) == 0
    assert sp.simplify(grads["W2"][0] - grads["W2"][1]) == 0
    return grads
