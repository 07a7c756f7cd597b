"""Tests of the calculus appendix: sympy pieces and pictures (its exercise checkers are
tested in tests/test_exercises.py).

Independent sources: centred finite differences (bpnotes.gradcheck), hand computations
written out here, and numpy evaluations of closed forms.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from bpnotes.gradcheck import numerical_gradient
from bpnotes.plots import calculus as plots
from bpnotes.symbolic import calculus as calc

x, h, w, t, a = calc.x, calc.h, calc.w, calc.t, calc.a
w1, w2, z, z1, z2, t1, t2, C, ell = (calc.w1, calc.w2, calc.z, calc.z1, calc.z2, calc.t1,
                                     calc.t2, calc.C, calc.loss)
u, v, p, q, out = sp.symbols("u v p q out", real=True)

coordinate = st.floats(-2.0, 2.0, allow_nan=False)


def numeric(expr: sp.Expr, *variables: sp.Symbol):
    """A plain numpy function of the expression (no package code in between)."""
    return sp.lambdify(variables, expr, "numpy")


def sig(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


# A graph with four paths from x to out: x feeds u and v, both feed p and q.
FOUR_PATHS = {u: 2 * x, v: x**2, p: u + v, q: u * v, out: p * q}
# A skip connection: x reaches out directly and through u.
SKIP = {u: sp.sin(x), out: u * x}


# ------------------------------------------------------------------ derivatives
@functools.cache
def _limit_and_function(expr: sp.Expr):
    """The limit (slow: computed once per expression) and the function, as numpy."""
    return numeric(calc.derivative_by_limit(expr, x), x), numeric(expr, x)


@pytest.mark.parametrize(
    "expr",
    [calc.CURVE, sp.sin(x) * x, sp.exp(-(x**2)), calc.sigmoid(x), sp.log(1 + x**2)],
    ids=["cubic", "x sin x", "gauss", "sigmoid", "log"],
)
@given(at=coordinate)
def test_derivative_by_limit_matches_finite_differences(expr, at):
    derivative, f = _limit_and_function(expr)
    exact = float(derivative(at))
    estimate = numerical_gradient(lambda v_: f(v_[0]), np.array([at]))[0]
    assert abs(exact - estimate) <= 1e-7 * max(1.0, abs(exact))


def test_derivative_by_limit_hand_examples():
    assert sp.expand(calc.derivative_by_limit(x**2, x) - 2 * x) == 0
    assert sp.expand(calc.derivative_by_limit(calc.CURVE, x) - (x**2 - 1)) == 0
    assert sp.expand(calc.derivative_by_limit(w1**2 * w2, w1) - 2 * w1 * w2) == 0


def test_tangent_line_hand_examples():
    # f(x) = x^2 at 3: f(3) = 9, f'(3) = 6, so T = 9 + 6 (x - 3) = 6x - 9.
    assert sp.expand(calc.tangent_line(x**2, x, 3) - (6 * x - 9)) == 0
    # the page's example: -11/24 - 3/4 (x - 1/2) = -3x/4 - 1/12.
    expected = -sp.Rational(3, 4) * x - sp.Rational(1, 12)
    assert sp.expand(calc.tangent_line(calc.CURVE, x, 0.5) - expected) == 0


@given(at=coordinate)
def test_tangent_line_touches_and_has_the_numerical_slope(at):
    line = calc.tangent_line(calc.CURVE, x, at)
    f = numeric(calc.CURVE, x)
    touching = float(line.subs(x, at))
    assert math.isclose(touching, f(at), rel_tol=1e-9, abs_tol=1e-9)
    slope = float(sp.diff(line, x))
    estimate = numerical_gradient(lambda v_: f(v_[0]), np.array([at]))[0]
    assert math.isclose(slope, estimate, rel_tol=1e-6, abs_tol=1e-7)


@given(p1=coordinate, p2=coordinate)
def test_gradient_matches_finite_differences(p1, p2):
    grad = calc.gradient(calc.SURFACE, (w1, w2))
    exact = np.array([float(g.subs({w1: p1, w2: p2})) for g in grad])
    f = numeric(calc.SURFACE, w1, w2)
    estimate = numerical_gradient(lambda v_: f(*v_), np.array([p1, p2]))
    assert np.allclose(exact, estimate, atol=1e-7)
    # and the hand formula (2 w1 + w2, w1 + 4 w2)
    assert np.allclose(exact, [2 * p1 + p2, p1 + 4 * p2])


@functools.cache
def _directional():
    u1, u2 = sp.symbols("u1 u2", real=True)
    along = calc.directional_derivative(calc.SURFACE, (w1, w2), (u1, u2))
    return numeric(along, w1, w2, u1, u2)


@given(p1=coordinate, p2=coordinate, angle=st.floats(0.0, 2 * math.pi))
def test_directional_derivative_is_slope_along_the_line(p1, p2, angle):
    direction = (math.cos(angle), math.sin(angle))
    exact = float(_directional()(p1, p2, *direction))
    f = numeric(calc.SURFACE, w1, w2)
    point = np.array([p1, p2])
    line = lambda s_: f(*(point + s_[0] * np.array(direction)))  # noqa: E731
    estimate = numerical_gradient(line, np.array([0.0]))[0]
    assert math.isclose(exact, estimate, rel_tol=1e-6, abs_tol=1e-6)


def test_directional_derivative_hand_example():
    along = calc.directional_derivative(
        calc.SURFACE, (w1, w2), (sp.Rational(3, 5), sp.Rational(4, 5))
    )
    assert sp.expand(along - (2 * w1 + sp.Rational(19, 5) * w2)) == 0


# ------------------------------------------------------------------ graphs, chain rule
def test_composed_writes_out_the_nodes():
    neuron = calc.composed(calc.NEURON, ell)
    by_hand = (1 / (1 + sp.exp(-w * x)) - t) ** 2 / 2
    assert sp.simplify(neuron - by_hand) == 0
    # cut at a node: C as a function of z1 (z2 written out in a)
    cut = calc.composed(calc.TWO_PATHS, C, source=z1)
    assert sp.expand(cut - ((z1 - t1) ** 2 / 2 + (w2 * a - t2) ** 2 / 2)) == 0


def test_computation_paths_counted_by_hand():
    assert calc.computation_paths(calc.TWO_PATHS, a, C) == [(a, z1, C), (a, z2, C)]
    assert len(calc.computation_paths(FOUR_PATHS, x, out)) == 4
    assert sorted(map(len, calc.computation_paths(SKIP, x, out))) == [2, 3]
    assert calc.computation_paths(calc.NEURON, w, ell) == [(w, z, a, ell)]
    # from an intermediate node only the downstream paths count
    assert calc.computation_paths(FOUR_PATHS, u, out) == [(u, p, out), (u, q, out)]


@pytest.mark.parametrize(
    ("graph", "source", "sink", "inputs"),
    [
        (FOUR_PATHS, x, out, [x]),
        (SKIP, x, out, [x]),
        (calc.TWO_PATHS, a, C, [a, w1, w2, t1, t2]),
        (calc.NEURON, w, ell, [w, x, t]),
    ],
    ids=["four-paths", "skip", "two-paths", "neuron"],
)
@given(data=st.data())
def test_sum_over_paths_equals_derivative_of_composed(graph, source, sink, inputs, data):
    values = [data.draw(coordinate) for _ in inputs]
    total = calc.sum_over_paths(graph, source, sink)
    exact = float(total.subs(dict(zip(inputs, values))))
    f = numeric(calc.composed(graph, sink), *inputs)
    i = inputs.index(source)

    def along_source(v_):
        args = list(values)
        args[i] = v_[0]
        return f(*args)

    estimate = numerical_gradient(along_source, np.array([values[i]]))[0]
    assert abs(exact - estimate) <= 1e-6 * max(1.0, abs(exact))


def test_sum_over_paths_four_paths_by_hand():
    # out = (2x + x^2)(2x^3), so d out/dx = 16 x^3 + 10 x^4.
    assert sp.expand(calc.sum_over_paths(FOUR_PATHS, x, out) - (16 * x**3 + 10 * x**4)) == 0
    terms = calc.path_contributions(FOUR_PATHS, x, out)
    assert len(terms) == 4
    # path x -> u -> p -> out: 2 * 1 * q = 2 * (2x * x^2) = 4x^3
    first = next(term for term in terms if term.path == (x, u, p, out))
    assert sp.expand(first.product - 4 * x**3) == 0


def test_evaluate_graph_two_paths_by_hand():
    values = calc.evaluate_graph(calc.TWO_PATHS, a, C, calc.TWO_PATHS_POINT)
    # z1 = 2 * 0.5 = 1, z2 = -0.5, C = 0.5 * 1 + 0.5 * 1.5^2 = 1.625
    assert values.values == {a: 0.5, z1: 1.0, z2: -0.5, C: 1.625}
    # path through z1: (z1 - t1) * w1 = 2; through z2: (z2 - t2) * w2 = 1.5
    assert values.contributions == (2.0, 1.5)
    assert values.total == 3.5
    assert values.edges[(a, z2)][1] == -1.0 and values.edges[(z2, C)][1] == -1.5


def test_evaluate_graph_neuron_matches_closed_form():
    values = calc.evaluate_graph(calc.NEURON, w, ell, {w: 0.8, x: 1.5, t: 0.0})
    act = sig(1.2)
    assert math.isclose(values.values[a], act, rel_tol=1e-12)
    assert math.isclose(values.total, (act - 0.0) * act * (1 - act) * 1.5, rel_tol=1e-12)


def test_lambdified_broadcasts_constants():
    f = calc.lambdified(sp.Integer(3), [x])
    assert f(np.zeros(4)).tolist() == [3.0] * 4
    g = calc.lambdified(w1 * w2, [w1, w2])
    assert np.array_equal(g(np.array([1.0, 2.0]), 3.0), np.array([3.0, 6.0]))


# ------------------------------------------------------------------ bad input
def test_bad_input_one_variable():
    with pytest.raises(TypeError, match="expr"):
        calc.derivative_by_limit("x**2", x)
    with pytest.raises(TypeError, match="var"):
        calc.derivative_by_limit(x**2, "x")
    with pytest.raises(ValueError, match="at must be finite"):
        calc.tangent_line(calc.CURVE, x, float("nan"))
    with pytest.raises(TypeError, match="at"):
        calc.tangent_line(calc.CURVE, x, True)
    with pytest.raises(TypeError, match="at"):
        calc.tangent_line(calc.CURVE, x, w)
    with pytest.raises(ValueError, match="at"):
        calc.tangent_line(calc.CURVE, x, sp.oo)


def test_bad_input_several_variables():
    with pytest.raises(ValueError, match="variables must not be empty"):
        calc.gradient(calc.SURFACE, [])
    with pytest.raises(ValueError, match="distinct"):
        calc.gradient(calc.SURFACE, (w1, w1))
    with pytest.raises(TypeError, match="variables"):
        calc.gradient(calc.SURFACE, w1)
    with pytest.raises(TypeError, match="variables"):
        calc.lambdified(calc.SURFACE, ["w1", "w2"])
    with pytest.raises(ValueError, match="one entry per variable"):
        calc.directional_derivative(calc.SURFACE, (w1, w2), (1.0,))
    with pytest.raises(TypeError, match="direction"):
        calc.directional_derivative(calc.SURFACE, (w1, w2), "ab")


def test_bad_graphs_are_refused_and_not_modified():
    graph = dict(calc.TWO_PATHS)
    with pytest.raises(TypeError, match="graph must be a mapping"):
        calc.sum_over_paths([(z1, w1 * a)], a, C)
    with pytest.raises(ValueError, match="at least one node"):
        calc.sum_over_paths({}, a, C)
    with pytest.raises(ValueError, match="not defined before it"):
        calc.sum_over_paths({u: v + x, v: u * x}, x, v)            # a cycle
    with pytest.raises(TypeError, match="node"):
        calc.sum_over_paths({"u": x}, x, u)
    with pytest.raises(TypeError, match="expression of node"):
        calc.sum_over_paths({u: "x**2"}, x, u)
    with pytest.raises(ValueError, match="sink"):
        calc.computation_paths(graph, a, t1)
    with pytest.raises(ValueError, match="no path"):
        calc.computation_paths(graph, t2, z1)
    with pytest.raises(ValueError, match="before sink"):
        calc.computation_paths(graph, C, z1)
    with pytest.raises(TypeError, match="source"):
        calc.computation_paths(graph, "a", C)
    with pytest.raises(ValueError, match="missing: t2, w2"):
        calc.evaluate_graph(graph, a, C, {a: 1.0, w1: 1.0, t1: 0.0})
    with pytest.raises(ValueError, match="finite"):
        calc.evaluate_graph(graph, a, C, {**calc.TWO_PATHS_POINT, a: float("inf")})
    with pytest.raises(TypeError, match="point must be a mapping"):
        calc.evaluate_graph(graph, a, C, [0.5, 2.0])
    with pytest.raises(ValueError, match="child"):
        calc.local_derivative(graph, a, t1)
    assert graph == calc.TWO_PATHS


# ------------------------------------------------------------------ pictures
def _line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


@settings(max_examples=10)
@given(x0=coordinate)
def test_tangent_explorer_draws_the_tangent_and_the_step(x0):
    fig = Figure()
    plots.draw_tangent(fig)(plots.tangent_point(x0))
    left = fig.axes[0]
    xs, ys = _line(left, "tangent at $x_0$").get_data()
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    assert math.isclose(slope, x0**2 - 1, rel_tol=1e-9, abs_tol=1e-9)   # f'(x) = x^2 - 1
    mid = (xs[0] + xs[1]) / 2                                            # centred on x0
    assert math.isclose(mid, x0, abs_tol=1e-12)
    step = _line(left, f"one step, $\\eta = {plots.TANGENT_STEP:g}$").get_xdata()[0]
    assert math.isclose(step, x0 - plots.TANGENT_STEP * (x0**2 - 1), abs_tol=1e-12)


def test_tangent_explorer_static_grid_is_small_and_alt_text_has_the_slope():
    explorer = plots.tangent_explorer()
    assert len(explorer.frame_keys()) <= 30
    assert "slope 3" in explorer.alt_text(x0=2.0)     # f'(2) = 4 - 1 = 3
    assert "slope -1" in explorer.alt_text(x0=0.0)
    # by hand: x1 = 0.5 - 0.25 * (0.25 - 1) = 0.6875, to the right
    assert "moves right to x = 0.688" in explorer.alt_text(x0=0.5)
    assert "stays at x₀" in explorer.alt_text(x0=1.0)                   # f'(1) = 0
    assert "outside the drawn window" in explorer.alt_text(x0=-2.0)     # x1 = -2 - 0.75


def test_slices_figure_tangent_slopes_are_the_partials():
    fig = plots.slices_figure(point=(1.0, -0.5))
    # by hand: dJ/dw1 = 2 - 0.5 = 1.5, dJ/dw2 = 1 - 2 = -1
    for ax, expected in zip(fig.axes[1:], (1.5, -1.0)):
        line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("tangent"))
        xs, ys = line.get_data()
        assert math.isclose((ys[1] - ys[0]) / (xs[1] - xs[0]), expected, abs_tol=1e-12)


def test_graph_figure_prints_the_sum_over_paths():
    fig = plots.graph_figure(calc.evaluate_graph(calc.TWO_PATHS, a, C, calc.TWO_PATHS_POINT))
    texts = " ".join(text.get_text() for text in fig.axes[0].texts)
    assert "= 2 + 1.5 = 3.5" in texts


@pytest.mark.parametrize("graph", ["neuron", "two paths"])
def test_graph_figure_keeps_every_node_text_inside_its_circle(graph):
    if graph == "neuron":
        values = calc.evaluate_graph(calc.NEURON, w, ell, {w: 0.8, x: 1.5, t: 0.0})
    else:
        values = calc.evaluate_graph(calc.TWO_PATHS, a, C, calc.TWO_PATHS_POINT)
    fig = plots.graph_figure(values)
    ax = fig.axes[0]
    fig.canvas.draw()
    circles = [patch for patch in ax.patches if isinstance(patch, Circle)]
    assert len(circles) == len(values.nodes)
    for circle in circles:
        cx, cy = ax.transData.transform(circle.center)
        radius = ax.transData.transform((circle.center[0] + circle.radius, 0))[0] - cx
        inside = [text for text in ax.texts
                  if math.dist(ax.transData.transform(text.get_position()), (cx, cy)) < radius]
        assert len(inside) == 2                                        # name and value
        for text in inside:
            box = text.get_window_extent()
            corners = [(box.x0, box.y0), (box.x0, box.y1), (box.x1, box.y0), (box.x1, box.y1)]
            # a margin of 2 % of the radius between every text and its circle's edge
            assert all(math.hypot(px - cx, py - cy) < 0.98 * radius for px, py in corners), (
                text.get_text())


def test_gradient_field_draws_the_given_path():
    path = np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]])
    fig = plots.gradient_field_figure(path=path)
    line = next(ln for ln in fig.axes[0].get_lines()
                if ln.get_label().startswith("gradient descent"))
    assert np.array_equal(np.column_stack(line.get_data()), path)


def test_bad_input_pictures():
    with pytest.raises(ValueError, match="hs must not contain 0"):
        plots.secant_figure(hs=(1.0, 0.0))
    with pytest.raises(TypeError, match="hs"):
        plots.secant_figure(hs="ab")
    with pytest.raises(ValueError, match="x0 must be finite"):
        plots.secant_figure(x0=float("nan"))
    with pytest.raises(TypeError, match="x0"):
        plots.tangent_point("1")
    with pytest.raises(ValueError, match="lr must be > 0"):
        plots.tangent_point(0.5, lr=-0.1)
    with pytest.raises(ValueError, match="point must lie"):
        plots.slices_figure(point=(5.0, 0.0))
    with pytest.raises(TypeError, match="point"):
        plots.slices_figure(point=(1.0,))
    with pytest.raises(ValueError, match="path must have 2 columns"):
        plots.gradient_field_figure(path=np.zeros((3, 3)))
    with pytest.raises(TypeError, match="values must be a GraphValues"):
        plots.graph_figure("graph")
    values = calc.evaluate_graph(calc.TWO_PATHS, a, C, calc.TWO_PATHS_POINT)
    with pytest.raises(ValueError, match="labels"):
        plots.graph_figure(values, labels={(a, C): "x"})



# ------------------------------------------------------------------ the page's exercise checkers
def test_hessian_exercise_right_answers_in_a_learners_forms():
    from bpnotes.exercises import check

    # by hand: H = [[2, 4], [4, 8]], det(H - l I) = l (l - 10); J = 0 on w1 + 2 w2 = 3
    for small in (0, "0", 0.0, "0.0"):
        assert check("ex-calc-hessian:smaller", small).correct, small
    for large in (10, "10", "10.0", 10.0):
        assert check("ex-calc-hessian:larger", large).correct, large
    for where in ("along a whole line", "Along a whole line", "line", "a line"):
        assert check("ex-calc-hessian:minimum", where).correct, where
    assert check("ex-calc-hessian", 0, 10, "along a whole line").correct


@pytest.mark.parametrize(
    ("part", "answer", "says"),
    [("smaller", 10, "larger eigenvalue"), ("larger", 0, "smaller eigenvalue"),
     ("larger", 2, "diagonal entry"), ("smaller", 8, "diagonal entry"),
     ("larger", 5, "constant factor"),               # the eigenvalue of H / 2
     ("minimum", "at a single point", "not right"), ("minimum", "nowhere", "not right"),
     ("minimum", "?", "one of"), ("smaller", "?", "could not be read")],
)
def test_hessian_exercise_slips(part, answer, says):
    from bpnotes.exercises import check

    verdict = check(f"ex-calc-hessian:{part}", answer)
    assert not verdict.correct
    assert says in verdict.message, verdict.message


def test_a_number_of_the_wrong_sign_and_size_is_told_both():
    from bpnotes.exercises import check

    slope = -0.10575                                   # dl/dw at w = 0.5, x = 2, t = 1
    only_sign = check("ex-calc-number", -slope)
    assert not only_sign.correct and "wrong sign" in only_sign.message
    assert "magnitude" not in only_sign.message
    # sigma'(1) = 0.1966: the wrong sign and 86 % too large in size
    both = check("ex-calc-number", 0.1966)
    assert "wrong sign, and too large in magnitude" in both.message, both.message
    assert "wrong sign, and too small in magnitude" in check("ex-calc-number", 0.05).message
    # the size is judged with the exercise's own tolerance (5 % for the factor 100)
    assert "magnitude" not in check("ex-calc-central", -103).message
    assert "too large in magnitude" in check("ex-calc-central", -110).message


def test_a_function_result_of_the_wrong_shape_is_refused_before_its_entries_are_read(
        monkeypatch):
    from bpnotes.exercises import check, functions

    read = []
    original = functions.check_array
    monkeypatch.setattr(functions, "check_array",
                        lambda got, *args, **kwargs: read.append(np.shape(got))
                        or original(got, *args, **kwargs))
    verdict = check("ex-calc-implement", lambda v: np.ones(10**6))
    assert verdict.reason == "shape" and "(1000000,)" in verdict.message
    assert read == []                                  # no entry was read
    right = check("ex-calc-implement", lambda v: np.array([2.0, 4.0]) * (v[0] + 2 * v[1] - 3))
    assert right.correct and read                      # a right shape goes on to the entries
