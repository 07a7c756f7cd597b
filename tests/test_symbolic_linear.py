"""The sympy derivations of the linear chapter agree with numbers computed independently."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpnotes import linear
from bpnotes.descent import iterate
from bpnotes.gradcheck import numerical_gradient
from bpnotes.symbolic import linear as sym


def substitute(s: sym.LinearSymbols, X: np.ndarray, t: np.ndarray, theta: np.ndarray) -> dict:
    values = {s.X[i, j]: X[i, j] for i in range(s.X.rows) for j in range(s.X.cols)}
    values |= {s.t[i]: t[i] for i in range(s.m)}
    values |= {p: v for p, v in zip(s.theta, theta, strict=True)}
    return values


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_example_gradient_matches_finite_differences(seed):
    derivative, expected, names = sym.example_gradient(n=3, j=2)
    assert sp.simplify(derivative - expected) == 0
    rng = np.random.default_rng(seed)
    x, w, b, t = rng.normal(size=3), rng.normal(size=3), rng.normal(), rng.normal()
    point = {names["b"]: b, names["t"]: t}
    point |= {names["x"][k]: x[k] for k in range(3)}
    point |= {names["w"][k]: w[k] for k in range(3)}

    def squared_error(weights: np.ndarray) -> float:
        return float((x @ weights + b - t) ** 2)

    numeric = numerical_gradient(squared_error, w)[1]
    assert float(derivative.subs(point)) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_cost_gradient_matches_package_and_finite_differences(seed):
    m, n = 4, 2
    s = sym.linear_symbols(m, n)
    gradient = sym.cost_gradient(s, half=True)
    rng = np.random.default_rng(seed)
    X, t, theta = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n + 1)
    values = substitute(s, X, t, theta)
    symbolic_value = np.array([float(g.subs(values)) for g in gradient])
    numeric = numerical_gradient(lambda p: linear.cost(X, t, p[:-1], p[-1]), theta)
    np.testing.assert_allclose(symbolic_value, numeric, rtol=1e-6, atol=1e-8)
    grad_w, grad_b = linear.gradient(X, t, theta[:-1], theta[-1])
    # A gradient entry (1/m) Σ r_i x_ij can cancel to near 0: its rounding error is bounded
    # by about m·eps times the mean of |r_i x_ij| (x_i0 = 1 for the bias), not by its size.
    r = X @ theta[:-1] + theta[-1] - t
    terms = np.abs(np.column_stack([X, np.ones(m)]) * r[:, None]).mean(axis=0)
    np.testing.assert_allclose(symbolic_value, np.append(grad_w, grad_b), rtol=1e-12,
                               atol=4 * m * np.finfo(float).eps * terms.max())
    assert float(sym.cost(s).subs(values)) == pytest.approx(
        linear.cost(X, t, theta[:-1], theta[-1]), rel=1e-12
    )


def test_matrix_form_and_the_unhalved_cost():
    s = sym.linear_symbols(3, 2)
    assert sp.simplify(sym.matrix_gradient(s) - sym.cost_gradient(s)) == sp.zeros(3, 1)
    # The unhalved cost and its gradient against numpy and finite differences of the
    # mean squared error written out independently, eq. (lin-mse).
    rng = np.random.default_rng(0)
    X, t, theta = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=3)
    values = substitute(s, X, t, theta)

    def mean_squared_error(p: np.ndarray) -> float:
        return float(np.mean((X @ p[:-1] + p[-1] - t) ** 2))

    assert float(sym.cost(s, half=False).subs(values)) == pytest.approx(mean_squared_error(theta))
    full = np.array([float(g.subs(values)) for g in sym.cost_gradient(s, half=False)])
    np.testing.assert_allclose(full, numerical_gradient(mean_squared_error, theta),
                               rtol=1e-6, atol=1e-8)


def test_hessian_matches_package_and_finite_differences():
    m, n = 5, 2
    s = sym.linear_symbols(m, n)
    H = sym.hessian(s)
    assert H.free_symbols <= set(s.X)  # independent of t, w and b: J is exactly quadratic
    rng = np.random.default_rng(1)
    X, t = rng.normal(size=(m, n)), rng.normal(size=m)
    values = substitute(s, X, t, np.zeros(n + 1))
    H_value = np.array(H.subs(values), dtype=np.float64)
    np.testing.assert_allclose(H_value, linear.hessian(X), rtol=1e-12)
    Xa = np.hstack([X, np.ones((m, 1))])
    np.testing.assert_allclose(H_value, Xa.T @ Xa / m, rtol=1e-12)


def test_one_dimensional_stability_interval():
    q = sym.quadratic_stability()
    assert q.interval == sp.Interval.open(0, 2 / q.curvature)
    assert sp.simplify(q.factor - (1 - sym.eta * q.curvature)) == 0
    assert sp.diff(q.update, q.w) == 1 - sym.eta * q.curvature  # J'' is the curvature
    # numeric cross-check with the package's iteration on J(w) = ½·a·w², a = 4: η_c = 0.5
    a = 4.0

    def run(lr: float):
        return iterate(lambda w: 0.5 * a * float(w @ w), lambda w: a * w, [1.0], lr, 400)

    assert run(0.49).costs[-1] < 1e-6
    assert run(0.51).diverged


def test_eigen_factors_give_the_critical_rate_of_the_package():
    X = np.array([[1.0], [2.0], [3.0]])
    s = sym.linear_symbols(3, 1)
    H = sym.hessian(s).subs({s.X[0]: 1, s.X[1]: 2, s.X[2]: 3})  # exact integers
    assert H == sp.Matrix([[sp.Rational(14, 3), 2], [2, 1]])
    factors = sym.eigen_update_factors(H)
    lambdas = list(H.eigenvals())
    assert len(factors) == 2
    for lam in lambdas:  # the eigenvalues of I − ηH are 1 − ηλ, one per eigenvalue λ of H
        assert any(sp.simplify(f - (1 - sym.eta * lam)) == 0 for f in factors)
    # Every factor must contract; the binding one belongs to λ_max.
    stable = sp.Intersection(*(sym.stable_interval(f) for f in factors))
    assert isinstance(stable, sp.Interval) and stable.left_open and stable.right_open
    assert stable.inf == 0
    assert sp.simplify(stable.sup - 12 / (17 + sp.sqrt(265))) == 0
    assert float(stable.sup) == pytest.approx(linear.critical_learning_rate(X), rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sym.linear_symbols(0, 1), ValueError, "m must be >= 1"),
        (lambda: sym.linear_symbols(2, "1"), TypeError, "n must be an integer"),
        (lambda: sym.example_gradient(n=2, j=3), ValueError, "j must be between 1 and n"),
        (lambda: sym.eigen_update_factors(sp.Matrix([[1, 2]])), TypeError, "square"),
        (lambda: sym.eigen_update_factors(np.eye(2)), TypeError, "square sympy Matrix"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
