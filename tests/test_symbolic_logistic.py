"""The chapter's sympy derivations agree with the numeric package at random points."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpnotes import logistic, softmax
from bpnotes.activations import Softmax, sigmoid
from bpnotes.symbolic import logistic as S

a = sp.Symbol("a", real=True)


@settings(max_examples=30, deadline=None)
@given(st.floats(-30, 30))
def test_sigmoid_and_its_derivative_match_numerics(x):
    derived, claimed = S.sigmoid_derivative(a)
    assert sp.simplify(derived - claimed) == 0
    s = float(sigmoid(np.array(x)))
    assert float(S.sigmoid(a).subs(a, x)) == pytest.approx(s, rel=1e-12)
    h = 1e-6
    central = (float(sigmoid(np.array(x + h))) - float(sigmoid(np.array(x - h)))) / (2 * h)
    assert float(derived.subs(a, x)) == pytest.approx(central, rel=1e-5, abs=1e-9)


def test_wrong_derivative_is_detected():
    derived, _ = S.sigmoid_derivative(a)
    assert sp.simplify(derived - S.sigmoid(a) * (1 + S.sigmoid(a))) != 0


@settings(max_examples=30, deadline=None)
@given(st.floats(-20, 20))
def test_the_slope_gap_is_a_square_and_the_slope_never_exceeds_a_quarter(x):
    s = sp.Symbol("s", real=True)
    gap, square = S.sigmoid_slope_gap(s)
    assert sp.expand(gap - square) == 0
    # Against finite differences of the package's sigmoid, not against sympy.
    h = 1e-5
    slope = (float(sigmoid(np.array(x + h))) - float(sigmoid(np.array(x - h)))) / (2 * h)
    sx = float(sigmoid(np.array(x)))
    assert slope <= 0.25 + 1e-9
    assert 0.25 - slope == pytest.approx((2 * sx - 1) ** 2 / 4, abs=1e-8)


def test_a_wrong_slope_gap_is_detected():
    s = sp.Symbol("s", real=True)
    gap, _ = S.sigmoid_slope_gap(s)
    assert sp.expand(gap - (2 * s - 1) ** 2 / 2) != 0


def _shortest_distance(w, b, c1, c2, p1):
    """From the point of line 1 (w·x + b = c1) with first coordinate p1, the smallest
    distance to sampled points of line 2, refined around the best sample."""
    p = np.array([p1, (c1 - b - w[0] * p1) / w[1]])
    direction = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    on_line_2 = np.array([0.0, (c2 - b) / w[1]])
    lo, hi = -1e3, 1e3
    for _ in range(6):
        s = np.linspace(lo, hi, 2001)
        points = on_line_2 + s[:, None] * direction
        best = np.argmin(np.linalg.norm(points - p, axis=1))
        step = s[1] - s[0]
        lo, hi = s[best] - step, s[best] + step
    return float(np.min(np.linalg.norm(points - p, axis=1)))


@pytest.mark.parametrize("seed", range(5))
def test_contour_distance_is_the_shortest_distance_between_the_lines(seed):
    derived, claimed, (w1, w2, zeta1, zeta2) = S.contour_distance()
    assert sp.simplify(derived - claimed) == 0
    rng = np.random.default_rng(seed)
    w, b = rng.normal(size=2), float(rng.normal())
    levels = rng.normal(scale=3, size=2)
    formula = float(derived.subs({w1: w[0], w2: w[1], zeta1: levels[0], zeta2: levels[1]}))
    for p1 in rng.normal(scale=5, size=3):   # the same from every point of line 1
        assert _shortest_distance(w, b, *levels, p1) == pytest.approx(formula, rel=1e-6)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])  # of 2/L
def test_descent_lemma_bounds_real_logistic_steps(fraction):
    bound, factored, rates, (J, eta, L, g2) = S.descent_lemma()
    assert sp.expand(bound - factored) == 0
    assert rates == sp.Interval.open(0, 2 / L)
    rng = np.random.default_rng(7)
    X, t = rng.normal(size=(30, 2)), rng.integers(0, 2, size=30)
    smooth = logistic.smoothness(X)
    lr = fraction * 2 / smooth
    for _ in range(20):
        w, b = rng.normal(scale=3, size=2), float(rng.normal(scale=3))
        grad_w, grad_b = logistic.gradient(X, t, w, b)
        before = logistic.cost(X, t, w, b)
        after = logistic.cost(X, t, w - lr * grad_w, b - lr * grad_b)
        promised = float(factored.subs({J: before, eta: lr, L: smooth,
                                        g2: grad_w @ grad_w + grad_b**2}))
        assert after <= promised + 1e-12
        assert after <= before + 1e-12


def test_per_example_probability_picks_y_or_one_minus_y():
    y = sp.Symbol("y", positive=True)
    assert S.per_example_probability(y, 1) == y
    assert S.per_example_probability(y, 0) == 1 - y


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(0, 10_000))
def test_likelihood_log_likelihood_and_cross_entropy_agree(m, seed):
    rng = np.random.default_rng(seed)
    ys = sp.symbols(f"y1:{m + 1}", positive=True)
    ts = sp.symbols(f"t1:{m + 1}", real=True)
    y_val, t_val = rng.uniform(0.05, 0.95, size=m), rng.integers(0, 2, size=m)
    point = dict(zip(ys, y_val)) | dict(zip(ts, t_val))
    L = float(S.likelihood(ys, ts).subs(point))
    # Hand computation: the probability of each observed label, multiplied.
    assert L == pytest.approx(np.prod(np.where(t_val == 1, y_val, 1 - y_val)), rel=1e-12)
    loglik = S.log_likelihood(ys, ts)
    bce = sp.Add(*(S.binary_cross_entropy(y, t) for y, t in zip(ys, ts)))
    assert sp.simplify(loglik + bce) == 0
    assert float(loglik.subs(point)) == pytest.approx(np.log(L), rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.floats(-20, 20), st.sampled_from([0, 1]))
def test_stable_log_loss_equals_cross_entropy_of_sigmoid(z_val, t_val):
    z = sp.Symbol("z", real=True)
    exact = sp.Float(z_val, 50)  # high precision: the direct form cancels badly in floats
    stable = S.stable_log_loss(z, t_val).subs(z, exact).evalf(30)
    direct = S.binary_cross_entropy(S.sigmoid(z), t_val).subs(z, exact).evalf(30)
    assert float(stable) == pytest.approx(float(direct), rel=1e-12, abs=1e-15)
    # and the package's cost for one example x = 1, w = z, b = 0:
    assert logistic.cost([[1.0]], [t_val], [z_val], 0.0) == pytest.approx(float(stable), rel=1e-10)


def test_symbolic_gradient_is_the_claimed_formula_and_matches_the_package():
    grads, w, b, X, t = S.logistic_gradient(3, 2)
    claimed = S.logistic_gradient_formula(w, b, X, t)
    for g, c in zip(grads, claimed, strict=True):
        assert sp.simplify(g - c) == 0
    J = S.logistic_cost(3, 2)[0]
    symbols = [*w, b, *X, *t]
    grad_f = sp.lambdify(symbols, grads, "numpy")
    cost_f = sp.lambdify(symbols, J, "numpy")
    rng = np.random.default_rng(0)
    for _ in range(5):
        w_v, b_v, X_v = rng.normal(size=2), float(rng.normal()), rng.normal(size=(3, 2))
        t_v = rng.integers(0, 2, size=3)
        args = [*w_v, b_v, *X_v.ravel(), *t_v]
        grad_w, grad_b = logistic.gradient(X_v, t_v, w_v, b_v)
        np.testing.assert_allclose(grad_f(*args), [*grad_w, grad_b], rtol=1e-10)
        assert cost_f(*args) == pytest.approx(logistic.cost(X_v, t_v, w_v, b_v), rel=1e-10)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_cross_entropy_gradient_is_output_minus_target(k):
    derived, claimed, z, y = S.cross_entropy_gradient_k(k)
    for d, c in zip(derived, claimed, strict=True):
        assert sp.simplify(d - c) == 0
    rng = np.random.default_rng(k)
    f = sp.lambdify([*z, *y[:-1]], derived, "numpy")
    for label in range(k):
        logits = rng.normal(size=k)
        # One example with input 0: its logits are the biases, and ∂J/∂b = o − y.
        _, grad_b = softmax.gradient([[0.0]], [label], np.zeros((k, 1)), logits)
        target = np.eye(k)[label]
        np.testing.assert_allclose(f(*logits, *target[:-1]), grad_b, rtol=1e-10, atol=1e-14)


def _at_k(expr: sp.Expr, k: int, values: np.ndarray, c: int, j: int, extra=None) -> float:
    z = sp.IndexedBase("z", real=True)
    cs, js, K = sp.symbols("c j k", integer=True, positive=True)
    concrete = expr.subs({K: k, cs: c, js: j}).doit().subs(extra or {})
    return float(concrete.subs({z[i + 1]: v for i, v in enumerate(values)}))


def test_general_softmax_jacobian_matches_numeric_jacobian():
    derived, claimed = S.softmax_jacobian_general()
    assert sp.simplify(derived - claimed) == 0
    rng = np.random.default_rng(3)
    logits = rng.normal(size=3)
    o = Softmax()(logits[None, :])
    for j in range(3):
        # Column j of the Jacobian: backprop of the unit vector e_c gives row c, so use all c.
        for c in range(3):
            row_c = Softmax().backprop(logits[None, :], o, np.eye(3)[c][None, :])[0]
            assert _at_k(derived, 3, logits, c + 1, j + 1) == pytest.approx(row_c[j], rel=1e-10)


def test_general_cross_entropy_gradient_uses_that_targets_sum_to_one():
    general, one_hot, claimed = S.cross_entropy_gradient_general()
    assert sp.simplify(one_hot - claimed) == 0
    assert sp.simplify(general - claimed) != 0  # true only when Σ_c y_c = 1
    y = sp.IndexedBase("y", real=True)
    logits = np.array([0.3, -1.2, 2.0])
    o = np.exp(logits) / np.exp(logits).sum()
    for label in range(3):
        target = {y[i + 1]: float(i == label) for i in range(3)}
        for j in range(3):
            expected = o[j] - float(j == label)
            assert _at_k(one_hot, 3, logits, 1, j + 1, target) == pytest.approx(expected, rel=1e-10)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="same length"):
        S.likelihood(sp.symbols("y1:3"), sp.symbols("t1:4"))
    with pytest.raises(ValueError, match="at least 1"):
        S.logistic_cost(0, 2)
    with pytest.raises(ValueError, match="at least 2"):
        S.cross_entropy_gradient_k(1)
