"""The autodiff chapter's sympy derivations: each against an independent computation."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from bpnotes.autodiff import Value
from bpnotes.symbolic import autodiff as sym


def test_running_example_composes_to_the_chapter_expression():
    graph = sym.running_example()
    x, y = graph.inputs
    z = (x * y + sp.tanh(x)) ** 2 / (1 + sp.exp(y))
    assert sp.simplify(sym.composed(graph, graph.output) - z) == 0


def test_adjoints_and_tangents_equal_the_engine_at_the_chapter_point():
    graph = sym.running_example()
    x, y = graph.inputs
    point = {x: 2, y: -1}
    adjoint = sym.adjoints(graph)
    xv, yv = Value(2.0), Value(-1.0)
    z = (xv * yv + xv.tanh()) ** 2 / (1 + yv.exp())
    z.backward()
    for symbol, node in ((x, xv), (y, yv)):
        exact = float(sym.composed(graph, adjoint[symbol]).subs(point))
        tangent = float(sym.composed(graph, sym.tangents(graph, symbol)[graph.output]).subs(point))
        assert math.isclose(exact, node.grad, rel_tol=1e-12)
        assert math.isclose(tangent, node.grad, rel_tol=1e-12)


def test_adjoints_of_other_graphs_equal_the_derivative_of_the_whole():
    a, b = sp.symbols("a b", real=True)
    u = sp.symbols("u1:6", real=True)
    graph = sym.Graph((a, b), {u[0]: a * b, u[1]: sp.sin(u[0]), u[2]: u[1] * a,
                               u[3]: u[2] + u[0] ** 2, u[4]: u[3] * u[1]})
    whole = sym.composed(graph, graph.output)
    adjoint = sym.adjoints(graph)
    for s in (a, b):
        assert sp.simplify(sym.composed(graph, adjoint[s]) - sp.diff(whole, s)) == 0


def test_a_sweep_that_overwrote_instead_of_adding_would_be_wrong():
    # The check can fail: keep only the last path into x and the result differs.
    graph = sym.running_example()
    x, _ = graph.inputs
    local = sym.local_derivatives(graph)
    adjoint = sym.adjoints(graph)
    v = list(graph.nodes)
    one_path = adjoint[v[1]] * local[v[1], x]  # through tanh only
    whole = sp.diff(sym.composed(graph, graph.output), x)
    assert sp.simplify(sym.composed(graph, one_path) - whole) != 0


def test_tangents_reject_a_non_input():
    graph = sym.running_example()
    with pytest.raises(ValueError, match="inputs"):
        sym.tangents(graph, sp.Symbol("q"))


def test_output_form_slopes_hold_at_numbers():
    slopes = sym.output_form_slopes()
    a, u = sp.symbols("a u", real=True)
    for value in (-1.3, 0.2, 2.5):
        t, s = math.tanh(value), 1 / (1 + math.exp(-value))
        for name, output in (("tanh", t), ("sigmoid", s)):
            form = slopes[name]
            assert math.isclose(float(form.definition.subs(a, value)), output)
            assert math.isclose(float(form.derivative.subs(a, value)),
                                float(form.in_output.subs(u, output)))
    assert math.isclose(float(slopes["tanh"].in_output.subs(u, t)), 1 - t * t)


def test_shared_unit_gradient_is_the_delta_rule():
    brute, rule = sym.shared_unit_gradient()
    f = sp.Function("f")
    # With f = tanh, the rule against centred differences of the loss written out here.
    numbers = {"x": 0.7, "w": -0.4, "b": 0.2, "W^{2}_{11}": 0.3, "W^{2}_{21}": -1.2,
               "b^{2}_{1}": 0.1, "b^{2}_{2}": 0.4, "y_1": 1.0, "y_2": -0.5}
    assert {s.name for s in rule.free_symbols} == set(numbers)

    def loss(w):
        h = math.tanh(w * numbers["x"] + numbers["b"])
        z1 = numbers["W^{2}_{11}"] * h + numbers["b^{2}_{1}"]
        z2 = numbers["W^{2}_{21}"] * h + numbers["b^{2}_{2}"]
        return 0.5 * ((z1 - numbers["y_1"]) ** 2 + (z2 - numbers["y_2"]) ** 2)

    eps = 1e-6
    numeric = (loss(numbers["w"] + eps) - loss(numbers["w"] - eps)) / (2 * eps)
    values = {s: numbers[s.name] for s in rule.free_symbols}
    concrete = float(rule.replace(f, sp.tanh).doit().subs(values))
    assert math.isclose(concrete, numeric, rel_tol=1e-8)
    assert math.isclose(float(brute.replace(f, sp.tanh).doit().subs(values)), concrete,
                        rel_tol=1e-12)


def test_function_nodes_have_their_local_derivative_in_their_own_output():
    graph = sym.running_example()
    x, y = graph.inputs
    v = list(graph.nodes)
    local = sym.local_derivatives(graph)
    assert local[v[1], x] == 1 - v[1] ** 2 and local[v[4], y] == v[4]  # tanh and exp
    for (node, arg), derivative in local.items():  # each the derivative of its operation
        definition = graph.nodes[node]
        assert sp.simplify(derivative.subs(node, definition) - sp.diff(definition, arg)) == 0


@pytest.mark.parametrize("m, n_in, n_out", [(1, 1, 1), (2, 3, 2), (3, 2, 1)])
def test_dense_rule_for_several_shapes(m, n_in, n_out):
    result = sym.dense_rule(m, n_in, n_out)
    assert result["W"][1].shape == (n_out, n_in)
    assert result["A"][1].shape == (m, n_in)
    assert result["b"][1].shape == (1, n_out)


def test_symmetric_gradients_have_equal_rows():
    grads = sym.symmetric_gradients()
    assert grads["W1"].shape == (2, 2) and grads["b1"].shape == (2, 1)
    assert grads["W2"].shape == (1, 2)
    # and the asymmetric point really differs (so the equality is a property, not a given)
    assert sp.simplify(grads["W1"][0, 0] - grads["W1"][0, 1]) != 0
