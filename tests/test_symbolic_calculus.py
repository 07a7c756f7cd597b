"""Tests of the calculus page's proofs from the definition and of its second derivatives.

Independent sources: hand computations written out here, centred finite differences in
plain numpy, numpy's eigenvalues, and concrete functions substituted for the arbitrary
g and k of the rule proofs.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from bpnotes.symbolic import calculus as calc

x, h = calc.x, calc.h
w1, w2 = calc.w1, calc.w2
G, K = calc.G, calc.K


def central(f, at: float, step: float = 1e-6) -> float:
    return (f(at + step) - f(at - step)) / (2 * step)


# ------------------------------------------------------------------ derivative_by_limit
@pytest.mark.parametrize(
    ("expr", "at", "left", "right"),
    [(sp.Abs(x), 0, -1, 1), (sp.Max(x, 0), 0, 0, 1), (sp.Abs(x - 2), 2, -1, 1),
     (sp.Abs(x), 3, 1, 1), (x**2, 1, 2, 2)],
    ids=["abs at 0", "relu at 0", "shifted kink", "abs away from kink", "smooth"],
)
def test_one_sided_derivatives_by_hand(expr, at, left, right):
    assert calc.one_sided_derivatives(expr, x, at) == (left, right)


@pytest.mark.parametrize(
    ("expr", "at"),
    [(sp.Abs(x), 0), (sp.Max(x, 0), 0), (sp.Min(x, 0), 0), (sp.Abs(x - 2), 2),
     (sp.sqrt(x), 0), (sp.cbrt(x), 0), (sp.log(x), 0), (sp.Heaviside(x), 0),
     (x * sp.sin(1 / x), 0)],
    ids=["abs", "relu", "min", "shifted abs", "sqrt", "cube root", "log", "step", "x sin 1/x"],
)
def test_no_derivative_is_reported_not_nan(expr, at):
    assert calc.derivative_by_limit(expr, x, at=at) is None


@pytest.mark.parametrize(
    ("expr", "at", "slope"),
    [(sp.Abs(x), -1, -1), (sp.Abs(x), 2, 1), (sp.Max(x, 0), -3, 0), (sp.Max(x, 0), 3, 1),
     (sp.Piecewise((x**2, x > 0), (0, True)), 0, 0), (calc.CURVE, sp.Rational(1, 2),
                                                      -sp.Rational(3, 4))],
    ids=["abs left", "abs right", "relu left", "relu right", "smooth join", "cubic"],
)
def test_derivative_at_a_point_by_hand(expr, at, slope):
    assert calc.derivative_by_limit(expr, x, at=at) == slope


@pytest.mark.parametrize(
    ("expr", "derivative"),
    [(sp.exp(x), sp.exp(x)), (x ** sp.Symbol("n"), sp.Symbol("n") * x ** (sp.Symbol("n") - 1)),
     (sp.log(1 + x**2), 2 * x / (1 + x**2))],
    ids=["exp", "power", "log"],
)
def test_derivative_by_limit_closed_forms(expr, derivative):
    assert sp.simplify(calc.derivative_by_limit(expr, x) - derivative) == 0


@given(at=st.floats(-3, 3).filter(lambda v: abs(v) > 1e-3))
def test_derivative_of_abs_at_a_point_matches_finite_differences(at):
    slope = calc.derivative_by_limit(sp.Abs(x), x, at=sp.Rational(at))
    assert math.isclose(float(slope), central(abs, at), abs_tol=1e-6)


def test_kinked_function_without_a_point_is_refused():
    for expr in (sp.Abs(x), sp.Max(x, 0), sp.Piecewise((x, x > 0), (0, True))):
        with pytest.raises(ValueError, match="at="):
            calc.derivative_by_limit(expr, x)


def test_derivative_by_limit_bad_point():
    with pytest.raises(ValueError, match="at"):
        calc.derivative_by_limit(x**2, x, at=float("inf"))
    with pytest.raises(TypeError, match="at"):
        calc.derivative_by_limit(x**2, x, at="0")


# ------------------------------------------------------------------ no rules used by the limits
def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@contextlib.contextmanager
def differentiation_calls() -> Iterator[list[str]]:
    """Record every use of sympy's rules of differentiation while the block runs.

    Every rule sympy knows lives in a class's ``fdiff`` (sin' = cos, exp' = exp, …) or
    ``_eval_derivative`` (sum, product, power, chain rule); each such method is wrapped for
    the block. Calls from sympy's sign checks of an expression (``_monotonic_sign``, which
    differentiates linear expressions in the limit variable to decide a sign) are not
    recorded: they never differentiate the function under test.
    """
    calls: list[str] = []
    originals = [(cls, name, cls.__dict__[name]) for cls in set(_subclasses(sp.Basic))
                 for name in ("fdiff", "_eval_derivative") if name in cls.__dict__]

    def recorded(cls: type, name: str, method):
        def wrapper(self, *args, **kwargs):
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_name != "_monotonic_sign":
                frame = frame.f_back
            if frame is None:
                calls.append(f"{cls.__name__}.{name}({self})")
            return method(self, *args, **kwargs)
        return wrapper

    for cls, name, method in originals:
        setattr(cls, name, recorded(cls, name, method))
    try:
        yield calls
    finally:
        for cls, name, method in originals:
            setattr(cls, name, method)


TAU = sp.Symbol("tau", real=True)
N = sp.Symbol("n", real=True)


@pytest.mark.parametrize(
    ("expr", "var", "derivative"),
    [(calc.CURVE, x, x**2 - 1), (x**N, x, N * x ** (N - 1)), (sp.exp(x), x, sp.exp(x)),
     (sp.log(x), x, 1 / x),
     (calc.sigmoid(calc.z), calc.z, calc.sigmoid(calc.z) * (1 - calc.sigmoid(calc.z))),
     (sp.exp(x**2), x, 2 * x * sp.exp(x**2)),
     (TAU**2 * sp.exp(TAU), TAU, 2 * TAU * sp.exp(TAU) + TAU**2 * sp.exp(TAU)),
     (calc.SURFACE, w1, 2 * w1 + w2), (x**2 - 1, x, 2 * x),
     (calc.composed(calc.TWO_PATHS, calc.C), calc.a,
      (calc.w1 * calc.a - calc.t1) * calc.w1 + (calc.w2 * calc.a - calc.t2) * calc.w2)],
    ids=["cubic", "power", "exp", "log", "sigmoid", "chain example", "two-variable example",
         "bowl", "second derivative", "two paths"],
)
def test_the_pages_limits_use_no_rule_of_differentiation(expr, var, derivative):
    """The page says these derivatives come from the definition: sympy's limit must get
    them without any of its rules of differentiation (and get them right)."""
    with differentiation_calls() as calls:
        found = calc.derivative_by_limit(expr, var)
    assert calls == []
    assert sp.simplify(found - derivative) == 0


def test_directional_derivative_uses_no_rule_of_differentiation():
    u1, u2 = sp.symbols("u1 u2", real=True)
    with differentiation_calls() as calls:
        along = calc.directional_derivative(calc.SURFACE, (w1, w2), (u1, u2))
    assert calls == []
    assert sp.expand(along - ((2 * w1 + w2) * u1 + (w1 + 4 * w2) * u2)) == 0   # by hand


def test_tangent_line_slope_uses_no_rule_of_differentiation():
    with differentiation_calls() as calls:
        line = calc.tangent_line(calc.CURVE, x, sp.Rational(1, 2))
    assert calls == []
    assert sp.expand(line - (-sp.Rational(3, 4) * x - sp.Rational(1, 12))) == 0


def test_the_recorder_sees_sympys_rules():
    """The check above can fail: sympy's limit of sin(x²)'s quotient uses sin' = cos (that
    is why the page's chain-rule example is e^(x²), not sin(x²)), and sp.diff uses rules."""
    with differentiation_calls() as calls:
        calc.derivative_by_limit(sp.sin(x**2), x)
    assert any(call.startswith("sin.fdiff") or "sin(" in call for call in calls)
    with differentiation_calls() as calls:
        sp.diff(calc.CURVE, x)
    assert calls


def test_tangent_line_refuses_a_kink():
    with pytest.raises(ValueError, match="no derivative at x = 0"):
        calc.tangent_line(sp.Abs(x), x, 0)
    assert sp.expand(calc.tangent_line(sp.Abs(x), x, 2) - x) == 0


# ------------------------------------------------------------------ rules from the definition
def test_first_order_moves_by_its_slope():
    assert sp.expand(G.moved(h) - (G.value + h * G.slope + h * G.error)) == 0
    assert str(G.value) == "g" and str(G.slope) == "g'" and sp.latex(G.error) == r"\varepsilon_{g}"


c = sp.Symbol("c")
RULES = {
    "constant factor and sum": (lambda g, k: c * g + k, c * G.slope + K.slope),
    "product": (lambda g, k: g * k, G.slope * K.value + G.value * K.slope),
    "reciprocal": (lambda g, k: 1 / g, -G.slope / G.value**2),
    "quotient": (lambda g, k: g / k, (G.slope * K.value - G.value * K.slope) / K.value**2),
}


@pytest.mark.parametrize("rule", RULES, ids=list(RULES))
def test_combination_rules_by_hand(rule):
    combine, expected = RULES[rule]
    quotient, limit = calc.combination_rule(combine)
    assert sp.simplify(limit - expected) == 0
    assert h in quotient.free_symbols or rule == "constant factor and sum"


@pytest.mark.parametrize("rule", RULES, ids=list(RULES))
@given(at=st.floats(0.2, 2.5))
def test_combination_rules_agree_with_finite_differences_for_concrete_functions(rule, at):
    """Put g = sin + 2 and k = exp into the proved rule and compare with numbers."""
    combine, _ = RULES[rule]
    _, limit = calc.combination_rule(combine)
    values = {G.value: math.sin(at) + 2, G.slope: math.cos(at), K.value: math.exp(at),
              K.slope: math.exp(at), c: 3.0}
    whole = lambda v: float(combine(sp.Float(math.sin(v) + 2), sp.Float(math.exp(v))).subs(c, 3))  # noqa: E731
    # Where the derivative crosses 0 (the reciprocal's, at π/2) only an absolute bound holds:
    # the centred difference's rounding error, about eps·|f| / step.
    step = 1e-6
    rounding = 8 * sys.float_info.epsilon * max(abs(whole(at + step)), abs(whole(at - step))) / step
    assert math.isclose(float(limit.subs(values)), central(whole, at, step), rel_tol=1e-6,
                        abs_tol=rounding)


def test_limit_of_quotient_refuses_a_discontinuous_quotient():
    with pytest.raises(ValueError, match="not continuous"):
        calc.limit_of_quotient(1 / h, [h])
    assert calc.limit_of_quotient((2 * h + h**2) / h, [h]) == 2


def test_combination_rule_bad_input():
    with pytest.raises(TypeError, match="combine"):
        calc.combination_rule("g*k")


# ------------------------------------------------------------------ second derivatives
def test_hessian_of_the_bowl_by_hand():
    assert calc.hessian(calc.SURFACE, (w1, w2)) == sp.Matrix([[2, 1], [1, 4]])


@given(p1=st.floats(-2, 2), p2=st.floats(-2, 2))
def test_hessian_matches_finite_differences_of_the_gradient(p1, p2):
    expr = sp.exp(w1) * w2 + sp.sin(w1 * w2)
    H = np.array(calc.hessian(expr, (w1, w2)).subs({w1: p1, w2: p2}), dtype=float)
    f = sp.lambdify((w1, w2), expr, "numpy")
    step = 1e-4
    fd = np.empty((2, 2))
    for j in range(2):
        for k in range(2):
            e_j, e_k = np.eye(2)[j] * step, np.eye(2)[k] * step
            p = np.array([p1, p2])
            fd[j, k] = (f(*(p + e_j + e_k)) - f(*(p + e_j - e_k)) - f(*(p - e_j + e_k))
                        + f(*(p - e_j - e_k))) / (4 * step**2)
    assert np.allclose(H, fd, atol=1e-5 * max(1.0, np.abs(H).max()))
    assert np.allclose(H, H.T)


def test_second_order_taylor_is_exact_for_a_quadratic():
    d1, d2 = sp.symbols("d1 d2")
    taylor = calc.second_order_taylor(calc.SURFACE, (w1, w2), (1, -2), (d1, d2))
    exact = calc.SURFACE.subs({w1: 1 + d1, w2: -2 + d2})
    assert sp.expand(taylor - exact) == 0


def test_second_order_taylor_error_is_third_order():
    """For exp(w1)·w2 the error of the forecast shrinks like s³ along a line."""
    d1, d2 = sp.symbols("d1 d2")
    expr = sp.exp(w1) * w2
    taylor = calc.second_order_taylor(expr, (w1, w2), (0.5, 1), (d1, d2))
    f = sp.lambdify((w1, w2), expr)
    forecast = sp.lambdify((d1, d2), taylor)
    errors = [abs(f(0.5 + 0.3 * s, 1 - 0.4 * s) - forecast(0.3 * s, -0.4 * s))
              for s in (1e-1, 1e-2)]
    assert 500 < errors[0] / errors[1] < 2000  # s shrinks 10x, the error about 1000x


def test_second_order_taylor_bad_input():
    d1 = sp.Symbol("d1")
    with pytest.raises(ValueError, match="step"):
        calc.second_order_taylor(calc.SURFACE, (w1, w2), (0, 0), (d1,))
    with pytest.raises(TypeError, match="at"):
        calc.second_order_taylor(calc.SURFACE, (w1, w2), "00", (d1, d1))


# ------------------------------------------------------------------ the logistic Hessian
@pytest.fixture(scope="module")
def logistic():
    return calc.logistic_hessian(2, 2)


def test_logistic_hessian_formula_agrees_with_sympy(logistic):
    assert logistic.agree()
    wrong = calc.LogisticHessian(logistic.params, logistic.computed, 2 * logistic.formula,
                                 logistic.inputs, logistic.curvatures, logistic.logits)
    assert not wrong.agree()


def test_logistic_hessian_matches_finite_differences_and_is_psd(logistic):
    """A numpy logistic cost written here, differentiated twice by finite differences."""
    rng = np.random.default_rng(3)
    X, t = rng.normal(size=(2, 2)), np.array([1.0, 0.0])
    theta = rng.normal(size=3)
    symbols = sorted(set().union(*(e.free_symbols for e in logistic.formula)), key=str)
    values = dict(zip(sorted(logistic.formula.free_symbols - set(logistic.params), key=str),
                      [*X.ravel()]))
    assert [str(s) for s in symbols] == ["b", "w1", "w2", "x11", "x12", "x21", "x22"]
    values.update(zip(logistic.params, theta))
    H = np.array(logistic.formula.subs(values), dtype=float)

    def cost(p):
        z = X @ p[:2] + p[2]
        return np.mean(np.logaddexp(0, z) - t * z)

    step, fd = 1e-4, np.empty((3, 3))
    for j in range(3):
        for k in range(3):
            e_j, e_k = np.eye(3)[j] * step, np.eye(3)[k] * step
            fd[j, k] = (cost(theta + e_j + e_k) - cost(theta + e_j - e_k)
                        - cost(theta - e_j + e_k) + cost(theta - e_j - e_k)) / (4 * step**2)
    assert np.allclose(H, fd, atol=1e-6)
    assert np.linalg.eigvalsh(H).min() >= -1e-12


def test_logistic_hessian_bad_input():
    with pytest.raises(ValueError, match="examples"):
        calc.logistic_hessian(0, 2)
    with pytest.raises(TypeError, match="features"):
        calc.logistic_hessian(2, True)
