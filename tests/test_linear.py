"""Tests of bpnotes.linear against closed forms, hand computation and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch  # the independent autodiff oracle (installed by the test requirements)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from bpnotes import linear
from bpnotes.gradcheck import numerical_gradient


def well_conditioned(seed: int, m: int, n: int, max_condition: float = 30.0):
    """Random data whose Hessian (bias included) has condition number <= max_condition."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n)) + rng.normal(scale=0.5, size=n)
    t = X @ rng.normal(size=n) + rng.normal() + 0.3 * rng.normal(size=m)
    Xa = np.hstack([X, np.ones((m, 1))])
    eigenvalues = np.linalg.eigvalsh(Xa.T @ Xa / m)
    assume(eigenvalues[-1] / eigenvalues[0] <= max_condition)
    return X, t, eigenvalues


data_shapes = st.tuples(st.integers(0, 10_000), st.integers(1, 4)).map(
    lambda s: (s[0], 6 * (s[1] + 1), s[1])
)


# ----------------------------------------------------------------- closed forms
@settings(max_examples=20, deadline=None)
@given(data_shapes)
def test_fit_converges_to_least_squares(shape):
    seed, m, n = shape
    X, t, eigenvalues = well_conditioned(seed, m, n)
    lr = 1.0 / eigenvalues[-1]  # half the critical rate
    # Slowest direction contracts by (1 - lr λ_min) per epoch: enough epochs for 1e-10.
    epochs = math.ceil(math.log(1e-10) / math.log(1 - lr * eigenvalues[0]))
    result = linear.fit(X, t, lr, epochs)
    theta, *_ = np.linalg.lstsq(np.hstack([X, np.ones((m, 1))]), t, rcond=None)
    assert not result.diverged
    np.testing.assert_allclose(result.w, theta[:-1], atol=1e-7)
    assert result.b == pytest.approx(theta[-1], abs=1e-7)


def test_least_squares_matches_scikit_learn():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3))
    t = X @ np.array([1.0, -2.0, 0.5]) + 4.0 + rng.normal(size=50)
    reference = LinearRegression().fit(X, t)
    w, b = linear.least_squares(X, t)
    np.testing.assert_allclose(w, reference.coef_, rtol=1e-10)
    assert b == pytest.approx(reference.intercept_, rel=1e-10)


def test_least_squares_is_min_norm_and_reached_by_descent_when_rank_deficient():
    # Two identical columns: infinitely many minimisers; gradient descent from zero stays
    # in the row space and lands on the smallest one, which is what least_squares returns.
    rng = np.random.default_rng(4)
    x = rng.normal(size=(30, 1))
    X = np.hstack([x, x])
    t = 3.0 * x[:, 0] + 1.0
    w, b = linear.least_squares(X, t)
    np.testing.assert_allclose(w, [1.5, 1.5], atol=1e-10)  # 1.5 + 1.5 = 3, smallest norm
    assert b == pytest.approx(1.0)
    result = linear.fit(X, t, 0.5 * linear.critical_learning_rate(X), 3000)
    np.testing.assert_allclose(result.w, [1.5, 1.5], atol=1e-8)


def test_critical_learning_rate_by_hand():
    # x = 1, 2, 3: H = (1/3) [[1+4+9, 1+2+3], [1+2+3, 3]] = [[14/3, 2], [2, 1]];
    # λ_max = (17 + sqrt(265)) / 6 by the quadratic formula, so η_c = 12 / (17 + sqrt(265)).
    X = np.array([[1.0], [2.0], [3.0]])
    np.testing.assert_allclose(linear.hessian(X), [[14 / 3, 2.0], [2.0, 1.0]])
    assert linear.critical_learning_rate(X) == pytest.approx(12 / (17 + math.sqrt(265)))


@settings(max_examples=15, deadline=None)
@given(data_shapes)
def test_stability_limit_separates_convergence_from_divergence(shape):
    seed, m, n = shape
    X, t, _ = well_conditioned(seed, m, n)
    critical = linear.critical_learning_rate(X)
    theta, *_ = np.linalg.lstsq(np.hstack([X, np.ones((m, 1))]), t, rcond=None)
    below = linear.fit(X, t, 0.95 * critical, 3000)
    assert not below.diverged
    np.testing.assert_allclose(np.append(below.w, below.b), theta, atol=1e-6)
    above = linear.fit(X, t, 1.05 * critical, 3000)
    assert above.diverged
    assert np.all(np.isfinite(above.losses)) and len(above.losses) < 3001
    assert np.all(np.isfinite(above.w)) and math.isfinite(above.b)


# ----------------------------------------------------------------- hand-computed updates
def test_per_example_updates_in_order_by_hand():
    # J_i = ½ (w x_i + b − t_i)²: per-example step w -= η r x, b -= η r, with r the residual.
    X, t = np.array([[1.0], [2.0]]), np.array([1.0, 3.0])
    result = linear.fit(X, t, 0.5, 2, batch_size=1, shuffle=False, record_steps=True)
    expected_steps = [
        (0.0, 0.0),
        (0.5, 0.5),       # example 1: r = −1     → w = 0 + 0.5,      b = 0 + 0.5
        (2.0, 1.25),      # example 2: r = −1.5   → w = 0.5 + 0.5·3,  b = 0.5 + 0.75
        (0.875, 0.125),   # example 1: r = 2.25   → w = 2 − 1.125,    b = 1.25 − 1.125
        (2.0, 0.6875),    # example 2: r = −1.125 → w = 0.875 + 1.125, b = 0.125 + 0.5625
    ]
    np.testing.assert_allclose(result.step_path, expected_steps)
    np.testing.assert_allclose(result.path, [expected_steps[0], expected_steps[2],
                                             expected_steps[4]])
    assert result.w == pytest.approx([2.0]) and result.b == pytest.approx(0.6875)
    # J before: (1 + 9)/4; after epoch 1 both residuals are 2.25: 2·2.25²/4.
    assert result.losses[:2] == pytest.approx([2.5, 2 * 2.25**2 / 4])
    assert result.steps == 4


def test_mini_batch_with_short_last_batch_by_hand():
    X, t = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 3.0, 2.0])
    result = linear.fit(X, t, 0.5, 1, batch_size=2, shuffle=False)
    # batch {1, 2}: r = (−1, −3): grad_w = (−1·1 − 3·2)/2 = −3.5, grad_b = −2 → (1.75, 1.0)
    # batch {3}:    r = 1.75·3 + 1 − 2 = 4.25: grad_w = 12.75, grad_b = 4.25 → (−4.625, −1.125)
    assert result.w == pytest.approx([-4.625]) and result.b == pytest.approx(-1.125)
    assert result.steps == 2


def test_full_batch_does_not_depend_on_shuffling():
    rng = np.random.default_rng(5)
    X, t = rng.normal(size=(9, 2)), rng.normal(size=9)
    a = linear.fit(X, t, 0.1, 5, shuffle=True, seed=1)
    b = linear.fit(X, t, 0.1, 5, shuffle=False)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-12)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-12)


def test_shuffling_is_seeded():
    rng = np.random.default_rng(6)
    X, t = rng.normal(size=(12, 2)), rng.normal(size=12)
    first = linear.fit(X, t, 0.05, 3, batch_size=1, seed=7)
    again = linear.fit(X, t, 0.05, 3, batch_size=1, seed=7)
    other = linear.fit(X, t, 0.05, 3, batch_size=1, seed=8)
    np.testing.assert_array_equal(first.w, again.w)
    assert not np.allclose(first.w, other.w)


def test_losses_are_the_cost_along_the_path():
    rng = np.random.default_rng(7)
    X, t = rng.normal(size=(15, 3)), rng.normal(size=15)
    result = linear.fit(X, t, 0.2, 6, batch_size=4)
    assert len(result.losses) == 7 and result.path.shape == (7, 4)
    assert result.losses[0] == pytest.approx(0.5 * np.mean(t**2))  # w = 0, b = 0
    for loss, point in zip(result.losses, result.path, strict=True):
        r = X @ point[:-1] + point[-1] - t
        assert loss == pytest.approx(0.5 * np.mean(r**2), rel=1e-12)


def test_zero_epochs_only_evaluates():
    X, t = np.array([[1.0], [2.0]]), np.array([2.0, 4.0])
    result = linear.fit(X, t, 0.1, 0)
    assert result.losses.tolist() == [pytest.approx(5.0)] and result.steps == 0
    assert result.w.tolist() == [0.0] and result.b == 0.0


def test_huge_learning_rate_reports_divergence_without_nan():
    X, t = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 2.0])
    for batch_size in (None, 1):
        result = linear.fit(X, t, 1e6, 100, batch_size=batch_size)
        assert result.diverged
        assert np.all(np.isfinite(result.losses)) and np.all(np.isfinite(result.path))
        assert len(result.losses) < 101


# ----------------------------------------------------------------- cost and gradient
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(1, 4))
def test_gradient_matches_finite_differences(seed, m, n):
    rng = np.random.default_rng(seed)
    X, t = rng.normal(size=(m, n)), rng.normal(size=m)
    theta = rng.normal(size=n + 1)
    grad_w, grad_b = linear.gradient(X, t, theta[:-1], theta[-1])
    numeric = numerical_gradient(lambda p: linear.cost(X, t, p[:-1], p[-1]), theta)
    np.testing.assert_allclose(np.append(grad_w, grad_b), numeric, rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(1, 4))
def test_cost_and_gradient_agree_with_pytorch_autograd(seed, m, n):
    rng = np.random.default_rng(seed)
    X, t = rng.normal(size=(m, n)), rng.normal(size=m)
    w, b = rng.normal(size=n), float(rng.normal())
    # eq. (lin-cost) written independently in PyTorch (float64), differentiated by autograd
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    r = torch.tensor(X) @ wt + bt - torch.tensor(t)
    J = 0.5 * (r**2).mean()
    J.backward()
    assert linear.cost(X, t, w, b) == pytest.approx(J.item(), rel=1e-12, abs=1e-15)
    grad_w, grad_b = linear.gradient(X, t, w, b)
    np.testing.assert_allclose(grad_w, wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    assert grad_b == pytest.approx(bt.grad.item(), rel=1e-10, abs=1e-13)


def test_hessian_matches_finite_differences_of_the_gradient():
    rng = np.random.default_rng(8)
    X, t = rng.normal(size=(10, 2)), rng.normal(size=10)
    rows = []
    for i in range(3):
        def component(p, i=i):
            grad_w, grad_b = linear.gradient(X, t, p[:-1], p[-1])
            return np.append(grad_w, grad_b)[i]
        rows.append(numerical_gradient(component, rng.normal(size=3)))
    np.testing.assert_allclose(linear.hessian(X), np.array(rows), rtol=1e-6, atol=1e-8)


def test_cost_grid_matches_cost():
    rng = np.random.default_rng(9)
    X, t = rng.normal(size=(8, 1)), rng.normal(size=8)
    ws, bs = np.array([-1.0, 0.0, 2.5]), np.array([0.5, -2.0])
    grid = linear.cost_grid(X, t, ws, bs)
    assert grid.shape == (2, 3)
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            assert grid[i, j] == pytest.approx(0.5 * np.mean((X[:, 0] * w + b - t) ** 2))


# ----------------------------------------------------------------- huge values
def test_cost_does_not_overflow_in_the_squares():
    X = np.ones((2, 1))
    # r = (1.5e154, 0): r² overflows float64 but ½ mean(r²) = 5.625e307 does not.
    assert linear.cost(X, [1.5e154, 0.0], [0.0], 0.0) == pytest.approx(0.25 * 1.5**2 * 1e308)
    # A cost beyond the float64 range is infinity, without an overflow warning
    # (RuntimeWarnings are errors in this suite).
    assert linear.cost(X, [1e300, 1e300], [0.0], 0.0) == np.inf


def test_critical_learning_rate_of_huge_inputs():
    # x = s·(1, 2, 3) with s = 1e150: H ≈ s² [[14/3, 0], [0, 0]] + lower order, so
    # η_c = 2/λ_max ≈ 2 / (14/3 · 1e300): finite, where forming H directly overflows.
    X = 1e150 * np.array([[1.0], [2.0], [3.0]])
    assert linear.critical_learning_rate(X) == pytest.approx(2 / (14 / 3 * 1e300), rel=1e-12)
    with pytest.raises(ValueError, match="X is too large"):
        linear.critical_learning_rate(1e200 * np.ones((3, 1)))
    with pytest.raises(ValueError, match="X is too large"):
        linear.hessian(1e200 * np.ones((3, 1)))


def test_fit_refuses_data_whose_starting_cost_overflows():
    with pytest.raises(ValueError, match="cost before training is inf"):
        linear.fit(np.ones((6, 1)), np.full(6, 1e308), 0.1, 3)


# ----------------------------------------------------------------- error growth per epoch
def _start(d):
    """error_growth's documented unit start e0 ∝ (1, ..., 1)."""
    return np.ones(d) / np.sqrt(d)


def _growth_of_fixed_product(P, epochs):
    """(1/K) log |P^K e0| for a fixed epoch matrix P, by numpy's matrix power."""
    return math.log(np.linalg.norm(np.linalg.matrix_power(P, epochs) @ _start(len(P)))) / epochs


@settings(max_examples=20, deadline=None)
@given(data_shapes, st.floats(0.05, 1.3), st.integers(1, 40))
def test_error_growth_of_the_full_batch_is_the_theorems_factor(shape, fraction, epochs):
    # Full batch: e_K = (I - eta H)^K e0 (eq. lin-error-map), written in H's eigenbasis.
    seed, m, n = shape
    X = np.random.default_rng(seed).normal(size=(m, n)) + 1.0
    eigenvalues, vectors = np.linalg.eigh(linear.hessian(X))
    eta = fraction * 2 / eigenvalues[-1]
    coefficients = vectors.T @ _start(n + 1)
    e_K = vectors @ ((1 - eta * eigenvalues) ** epochs * coefficients)
    expected = math.log(np.linalg.norm(e_K)) / epochs
    assert linear.error_growth(X, eta, epochs) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_error_growth_of_the_full_batch_tends_to_log_rho():
    X, _ = linear.chapter_data()
    eigenvalues = np.linalg.eigvalsh(linear.hessian(X))
    rates = np.array([0.1, 0.5, 0.9, 1.1]) * linear.critical_learning_rate(X)
    rho = np.abs(1 - rates[:, None] * eigenvalues).max(axis=1)  # eq. (lin-rate)
    np.testing.assert_allclose(linear.error_growth(X, rates, 2000), np.log(rho), atol=2e-3)


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_error_growth_in_a_fixed_order_is_that_of_the_epochs_product(batch_size):
    # In the given order every epoch multiplies the error by the same product of the
    # batch matrices I - eta/|B| X~_B^T X~_B, multiplied out here by hand.
    X = np.array([[0.5, 1.0], [2.0, -1.0], [1.5, 0.3], [-0.7, 2.2], [1.0, 1.0]])
    Xa = np.hstack([X, np.ones((5, 1))])
    eta, epochs = 0.3, 25
    P = np.eye(3)
    for start in range(0, 5, batch_size):
        rows = Xa[start:start + batch_size]
        P = (np.eye(3) - eta / len(rows) * rows.T @ rows) @ P
    got = linear.error_growth(X, eta, epochs, batch_size=batch_size, shuffle=False)
    assert got == pytest.approx(_growth_of_fixed_product(P, epochs), rel=1e-9)


@pytest.mark.parametrize("eta", [0.1, 0.45, 0.9, 1.4])
def test_error_growth_of_one_example_by_hand(eta):
    # One example x~ = (x, 1): the error's component along x~ is multiplied by
    # 1 - eta |x~|^2 every epoch, the component across it is left alone.
    x = 1.5
    a = np.array([x, 1.0])
    along = (_start(2) @ a) / (a @ a) * a
    across = _start(2) - along
    epochs = 7
    e_K = (1 - eta * (a @ a)) ** epochs * along + across
    expected = math.log(np.linalg.norm(e_K)) / epochs
    assert linear.error_growth([[x]], eta, epochs, batch_size=1) == pytest.approx(expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_error_growth_of_orthogonal_examples_does_not_depend_on_the_order(seed):
    # x~ = (1, 1) and (-1, 1) are orthogonal: their matrices commute, and in any order an
    # epoch multiplies every error by 1 - 2 eta (both have |x~|^2 = 2).
    eta = 0.8
    growth = linear.error_growth([[1.0], [-1.0]], eta, 30, batch_size=1, seed=seed)
    assert growth == pytest.approx(math.log(abs(1 - 2 * eta)))


@pytest.mark.parametrize(("fraction", "seed", "epochs"),
                         [(0.5, 0, 2), (0.8, 3, 3), (0.9, 1, 6), (0.95, 5, 2)])
def test_error_growth_follows_the_runs_of_fit_with_the_same_seed(fraction, seed, epochs):
    # Noise-free targets with theta* = (c, c): the error of fit's per-example run from 0 is
    # exactly the matrix part, e_k = P_k ... P_1 (-theta*), with fit's shuffling (few
    # epochs: the error must stay far above the rounding of theta*).
    X, _ = linear.chapter_data()
    c = 1.7
    t = c * X[:, 0] + c
    eta = fraction * linear.critical_learning_rate(X)
    run = linear.fit(X, t, eta, epochs, batch_size=1, seed=seed)
    assert not run.diverged
    error = np.linalg.norm(run.path[-1] - [c, c]) / np.linalg.norm([c, c])
    expected = math.log(error) / epochs
    got = linear.error_growth(X, eta, epochs, batch_size=1, seed=seed)
    assert got == pytest.approx(expected, rel=1e-6)
    # ...and a vector of rates gives each rate's own value.
    both = linear.error_growth(X, [eta, eta / 2], epochs, batch_size=1, seed=seed)
    assert both.shape == (2,) and both[0] == pytest.approx(got)
    assert both[1] == pytest.approx(linear.error_growth(X, eta / 2, epochs, batch_size=1,
                                                        seed=seed))


def test_error_growth_of_reshuffled_per_example_descent_has_a_sharp_limit():
    # Far below and above the limit found in the chapter, every seed agrees on the sign.
    X, _ = linear.chapter_data()
    rates = np.array([0.5, 0.8, 0.95]) * linear.critical_learning_rate(X)
    for seed in range(4):
        growth = linear.error_growth(X, rates, 200, batch_size=1, seed=seed)
        assert growth[0] < growth[1] < 0 < growth[2]


def test_error_growth_extremes_and_no_mutation():
    X = np.array([[1.0], [-1.0]])
    copy = X.copy()
    # eta |x~|^2 = 1 for both orthogonal examples: the error vanishes in one epoch.
    assert linear.error_growth(X, 0.5, 3, batch_size=1) == -np.inf
    assert linear.error_growth(np.array([[1e100], [2.0]]), 1e300, 2, batch_size=1) == np.inf
    assert np.array_equal(X, copy)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.array([1.0, 2.0])}, ValueError, "X must be 2-D"),
        ({"X": [[np.nan], [1.0]]}, ValueError, "X must be finite"),
        ({"lr": 0.0}, ValueError, "lr must be > 0"),
        ({"lr": [0.1, -0.1]}, ValueError, "lr must be > 0"),
        ({"lr": float("inf")}, ValueError, "lr must be finite"),
        ({"lr": [[0.1]]}, ValueError, "lr must be a number or a non-empty 1-D array"),
        ({"lr": []}, ValueError, "lr must be a number or a non-empty 1-D array"),
        ({"lr": "0.1"}, TypeError, "lr must be an array"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"epochs": 2.5}, TypeError, "epochs must be an integer"),
        ({"batch_size": 3}, ValueError, "batch_size must be between 1"),
        ({"shuffle": 1}, TypeError, "shuffle must be True or False"),
        ({"seed": -2}, ValueError, "seed must be a non-negative integer"),
    ],
)
def test_error_growth_rejects_bad_input(kwargs, error, match):
    arguments = {"X": [[1.0], [2.0]], "lr": 0.1, "epochs": 3} | kwargs
    with pytest.raises(error, match=match):
        linear.error_growth(**arguments)


# ----------------------------------------------------------------- bad input
X_OK, T_OK = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"t": np.ones(4)}, ValueError, "t must have one row per row of X"),
        ({"X": np.array([1.0, 2.0, 3.0])}, ValueError, "X must be 2-D"),
        ({"X": np.array([[1.0], [np.nan], [3.0]])}, ValueError, "X must be finite"),
        ({"t": np.array([1.0, np.inf, 3.0])}, ValueError, "t must be finite"),
        ({"t": np.ones((3, 1))}, ValueError, "t must be 1-D"),
        ({"X": "data"}, TypeError, "X must be an array"),
        ({"X": np.zeros((0, 1)), "t": np.zeros(0)}, ValueError, "X must not be empty"),
        ({"lr": 0.0}, ValueError, "lr must be > 0"),
        ({"lr": -0.1}, ValueError, "lr must be > 0"),
        ({"lr": float("nan")}, ValueError, "lr must be finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a real number"),
        ({"batch_size": 0}, ValueError, "batch_size must be between 1"),
        ({"batch_size": 4}, ValueError, "batch_size must be between 1"),
        ({"batch_size": 1.5}, TypeError, "batch_size must be None or an integer"),
        ({"epochs": -1}, ValueError, "epochs must be >= 0"),
        ({"epochs": 2.0}, TypeError, "epochs must be an integer"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"seed": 1.5}, TypeError, "seed must be a non-negative integer"),
        ({"seed": None}, TypeError, "seed must be a non-negative integer"),
        ({"seed": True}, TypeError, "seed must be a non-negative integer"),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
        ({"seed": "0"}, TypeError, "seed must be a non-negative integer"),
        ({"record_steps": "no"}, TypeError, "record_steps must be True or False"),
        ({"X": [[1.0], [2.0, 3.0], [4.0]]}, ValueError, "X must be a rectangular array"),
        ({"t": [1.0 + 1j, 2.0, 3.0]}, TypeError, "t must contain real numbers"),
    ],
)
def test_fit_rejects_bad_input(kwargs, error, match):
    arguments = {"X": X_OK, "t": T_OK, "lr": 0.1, "epochs": 3} | kwargs
    with pytest.raises(error, match=match):
        linear.fit(**arguments)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.array([1.0, 2.0]), ValueError, "X must be 2-D"),
        (np.array([[np.inf]]), ValueError, "X must be finite"),
        (np.zeros((0, 2)), ValueError, "X must not be empty"),
        ([["a"]], TypeError, "X must contain real numbers"),
    ],
)
def test_critical_learning_rate_and_hessian_reject_bad_input(X, error, match):
    with pytest.raises(error, match=match):
        linear.critical_learning_rate(X)
    with pytest.raises(error, match=match):
        linear.hessian(X)


def test_least_squares_rejects_bad_input():
    with pytest.raises(ValueError, match="t must have one row per row of X"):
        linear.least_squares(X_OK, np.ones(2))
    with pytest.raises(ValueError, match="X must be finite"):
        linear.least_squares(np.array([[np.nan], [1.0], [2.0]]), T_OK)
    with pytest.raises(ValueError, match="X must be 2-D"):
        linear.least_squares(np.ones(3), T_OK)


@pytest.mark.parametrize("function", [linear.cost, linear.gradient])
def test_cost_and_gradient_reject_bad_parameters(function):
    with pytest.raises(ValueError, match="w must have length 1"):
        function(X_OK, T_OK, np.ones(2), 0.0)
    with pytest.raises(ValueError, match="b must be finite"):
        function(X_OK, T_OK, np.ones(1), float("nan"))
    with pytest.raises(TypeError, match="b must be a real number"):
        function(X_OK, T_OK, np.ones(1), "0")
    with pytest.raises(ValueError, match="w must be finite"):
        function(X_OK, T_OK, np.array([np.inf]), 0.0)


def test_cost_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="exactly one feature"):
        linear.cost_grid(np.ones((3, 2)), T_OK, [0.0], [0.0])
    with pytest.raises(ValueError, match="w_values must be 1-D"):
        linear.cost_grid(X_OK, T_OK, [[0.0]], [0.0])
    with pytest.raises(ValueError, match="b_values must be finite"):
        linear.cost_grid(X_OK, T_OK, [0.0], [np.nan])


# ----------------------------------------------------------------- the chapter's explorer
def test_explorer_marks_the_critical_rate_and_survives_its_extremes():
    from matplotlib.figure import Figure

    from bpnotes.linear import chapter_data
    from bpnotes.plots.linear import linear_explorer

    explorer = linear_explorer()
    lr_control, mode_control = explorer.controls
    critical = linear.critical_learning_rate(chapter_data()[0])
    rates = lr_control.static_grid
    assert min(rates) < 0.1 * critical and max(rates) > 1.1 * critical  # both sides of η_c
    assert any(r < critical < s for r, s in zip(rates, rates[1:], strict=False))
    assert len(rates) * len(mode_control.static_grid) <= 30  # static frames
    for lr, mode, diverges in ((min(rates), "full batch", False),
                               (max(rates), "per example", True)):
        fig = explorer.figure(lr=lr, mode=mode)
        assert isinstance(fig, Figure)
        path_ax, loss_ax, scale_ax = fig.axes
        assert ("diverged" in loss_ax.get_title()) is diverges
        for line in path_ax.get_lines() + loss_ax.get_lines():
            assert np.all(np.isfinite(np.asarray(line.get_xydata(), dtype=float)))
        # the dashed line on the rate scale sits at η_c
        dashed = [ln for ln in scale_ax.get_lines() if ln.get_linestyle() == "--"]
        assert dashed and dashed[0].get_xdata()[0] == pytest.approx(critical)
        assert ("diverges" in explorer.alt_text(lr=lr, mode=mode)) is diverges


def test_explorer_alt_text_says_what_the_status_says():
    # Only the full batch is known to zigzag with a growing amplitude above eta_c; an
    # unstable mini-batch or per-example run is described by its cost, as in its status.
    from bpnotes.plots.linear import linear_explorer

    explorer = linear_explorer()
    lr_control, mode_control = explorer.controls
    unstable_batches = 0
    for mode in mode_control.static_grid:
        for lr in lr_control.static_grid:
            alt = explorer.alt_text(lr=lr, mode=mode)
            if mode != "full batch":
                assert "zigzag" not in alt
                if "unstable" in alt:
                    unstable_batches += 1
                    assert "the cost grew" in alt
    assert unstable_batches > 0  # the property was exercised


@pytest.mark.parametrize("shown", [(), (0, 81), (-1,)])
def test_closed_form_figure_refuses_epochs_it_did_not_run(shown):
    from bpnotes.plots.linear import plot_closed_form

    with pytest.raises(ValueError, match="shown must list epochs between 0 and 80"):
        plot_closed_form(epochs=80, shown=shown)
