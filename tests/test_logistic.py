"""Tests of bpnotes.logistic against scikit-learn, finite differences and hand computation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from bpnotes import data, logistic
from bpnotes.gradcheck import numerical_gradient


def _overlapping(m: int = 80, seed: int = 1):
    return data.two_blobs(m, separation=1.0, spread=1.0, seed=seed)


def _reference_cost(w, b, X, t):
    """The textbook form −mean[t log y + (1 − t) log(1 − y)], safe for moderate logits."""
    y = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    return -np.mean(t * np.log(y) + (1 - t) * np.log(1 - y))


def test_long_full_batch_training_reaches_sklearn_maximum_likelihood():
    X, t = _overlapping()
    lr = 1.9 / logistic.smoothness(X)
    model = logistic.fit(X, t, lr=lr, epochs=2000)
    # C=inf is scikit-learn's current spelling of penalty=None (no penalty).
    reference = SkLogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, t)
    assert not model.diverged
    np.testing.assert_allclose(model.w, reference.coef_[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(model.b, reference.intercept_[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        model.predict_proba(X), reference.predict_proba(X)[:, 1], atol=1e-7
    )


def test_losses_start_at_log_two_and_have_epochs_plus_one_values():
    X, t = _overlapping(30)
    model = logistic.fit(X, t, lr=0.5, epochs=17)
    assert model.losses.shape == (18,)
    # From w = 0, b = 0 every probability is 1/2, so the cost is log 2 on any data.
    assert model.losses[0] == pytest.approx(np.log(2.0), rel=1e-14)
    assert np.all(np.diff(model.losses) < 0)  # small full-batch steps always descend
    assert model.losses[-1] == pytest.approx(_reference_cost(model.w, model.b, X, t), rel=1e-12)


def test_one_full_batch_step_by_hand():
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]])
    t = np.array([1, 0, 0])
    # At w = 0, b = 0 every y_i = 1/2, so the gradient is mean((1/2 − t_i) x_i).
    grad_w = ((0.5 - 1) * X[0] + 0.5 * X[1] + 0.5 * X[2]) / 3
    grad_b = ((0.5 - 1) + 0.5 + 0.5) / 3
    model = logistic.fit(X, t, lr=0.3, epochs=1)
    np.testing.assert_allclose(model.w, -0.3 * grad_w, rtol=1e-14)
    assert model.b == pytest.approx(-0.3 * grad_b, rel=1e-14)


@settings(max_examples=25, deadline=None)
@given(
    m=st.integers(1, 8), n=st.integers(1, 4), seed=st.integers(0, 10_000),
)
def test_gradient_equals_finite_differences(m, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    t = rng.integers(0, 2, size=m)
    theta = rng.normal(size=n + 1)

    def f(p):
        return logistic.cost(p[:n], float(p[n]), X, t)

    grad_w, grad_b = logistic.gradient(theta[:n], float(theta[n]), X, t)
    numeric = numerical_gradient(f, theta)
    # An absolute floor for entries near 0, whose centred difference carries ~1e-10 of
    # rounding error (an entry-wise relative test alone fails on them).
    np.testing.assert_allclose(np.append(grad_w, grad_b), numeric, rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 6), n=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_cost_matches_textbook_formula_for_moderate_logits(m, n, seed):
    rng = np.random.default_rng(seed)
    X, w, b = rng.normal(size=(m, n)), rng.normal(size=n), float(rng.normal())
    t = rng.integers(0, 2, size=m)
    assert logistic.cost(w, b, X, t) == pytest.approx(_reference_cost(w, b, X, t), rel=1e-12)


def test_huge_logits_give_finite_losses_and_gradients_without_warnings():
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    t = np.array([1, 0, 0, 1])
    # z = ±1e4: the two right examples cost ~0, the two wrong ones cost 1e4 each.
    assert logistic.cost([1e4], 0.0, X, t) == pytest.approx(1e4 / 2, rel=1e-12)
    grad_w, grad_b = logistic.gradient([1e4], 0.0, X, t)
    # y = (1, 0, 1, 0): residuals (0, 0, 1, −1), so ∂J/∂w = (1·1 + (−1)(−1))/4.
    assert grad_w[0] == pytest.approx(0.5) and grad_b == pytest.approx(0.0, abs=1e-15)
    model = logistic.fit(X * 1e4, t, lr=1.0, epochs=3)
    assert np.all(np.isfinite(model.losses))
    assert np.all(np.isfinite(model.predict_proba(X * 1e6)))


def test_batch_modes_match_a_hand_written_loop():
    X, t = _overlapping(10, seed=3)
    lr, epochs, size, seed = 0.2, 3, 4, 7
    w, b = np.zeros(2), 0.0
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(10)
        for start in range(0, 10, size):
            idx = order[start : start + size]
            y = 1.0 / (1.0 + np.exp(-(X[idx] @ w + b)))
            w, b = w - lr * X[idx].T @ (y - t[idx]) / len(idx), b - lr * np.mean(y - t[idx])
    model = logistic.fit(X, t, lr=lr, epochs=epochs, batch_size=size, seed=seed)
    np.testing.assert_allclose(model.w, w, rtol=1e-12)
    assert model.b == pytest.approx(b, rel=1e-12)
    assert model.steps == epochs * 3
    unshuffled = logistic.fit(X, t, lr=lr, epochs=1, batch_size=1, shuffle=False)
    w, b = np.zeros(2), 0.0
    for i in range(10):
        y = 1.0 / (1.0 + np.exp(-(X[i] @ w + b)))
        w, b = w - lr * (y - t[i]) * X[i], b - lr * (y - t[i])
    np.testing.assert_allclose(unshuffled.w, w, rtol=1e-12)


def test_separable_data_weights_keep_growing_and_loss_goes_to_zero():
    X, t = data.two_blobs(60, separation=8.0, spread=0.5, seed=0)
    model = logistic.fit(X, t, lr=1.0, epochs=400, history=True)
    norms = np.linalg.norm(model.w_history, axis=1)
    assert model.w_history.shape == (401, 2) and model.b_history.shape == (401,)
    assert np.all(np.diff(norms[1:]) > 0)
    assert np.all(np.diff(model.losses) < 0) and model.losses[-1] < 1e-3
    assert np.all(model.predict(X) == t)


def test_smoothness_bounds_the_hessian():
    X, _ = _overlapping(40)
    Xt = np.column_stack([X, np.ones(40)])
    rng = np.random.default_rng(0)
    for _ in range(5):
        w, b = rng.normal(size=2), float(rng.normal())
        y = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        hessian = Xt.T @ (Xt * (y * (1 - y))[:, None]) / 40
        assert np.linalg.eigvalsh(hessian)[-1] <= logistic.smoothness(X) + 1e-12
    # At w = 0 every y(1 − y) = 1/4, so the bound is attained there.
    hessian0 = Xt.T @ Xt / 160
    assert np.linalg.eigvalsh(hessian0)[-1] == pytest.approx(logistic.smoothness(X), rel=1e-12)


@pytest.mark.parametrize(
    ("t", "message"),
    [
        ([0, 1, 2], "labels"),
        ([0, 1, -1], "labels"),
        ([0.0, 0.5, 1.0], "whole-number"),
        ([0, 1, np.nan], "finite"),
        ([0, 1], "rows"),
        ([[0, 1, 1]], "1-D"),
    ],
)
def test_bad_labels_are_explained(t, message):
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match=message):
        logistic.fit(X, t, lr=0.1, epochs=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"X": np.ones(3)}, ValueError, "2-D"),
        ({"X": [[1.0, np.nan]] * 3}, ValueError, "finite"),
        ({"X": "abc"}, TypeError, "X"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": "big"}, TypeError, "lr"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"epochs": 2.5}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 4}, ValueError, "batch_size"),
        ({"shuffle": "yes"}, TypeError, "shuffle"),
        ({"seed": -3}, ValueError, "seed"),
        ({"history": 1}, TypeError, "history"),
    ],
)
def test_bad_fit_arguments_are_explained(kwargs, error, message):
    args = {"X": np.ones((3, 2)), "t": [0, 1, 1], "lr": 0.1, "epochs": 2} | kwargs
    with pytest.raises(error, match=message):
        logistic.fit(**args)


def test_bad_parameters_and_prediction_inputs_are_explained():
    X, t = np.ones((3, 2)), [0, 1, 1]
    with pytest.raises(ValueError, match="w must have length 2"):
        logistic.cost([1.0, 2.0, 3.0], 0.0, X, t)
    with pytest.raises(TypeError, match="b must be a finite real number"):
        logistic.gradient([1.0, 2.0], [0.0], X, t)
    with pytest.raises(TypeError, match="b must be a finite real number"):
        logistic.cost([1.0, 2.0], float("nan"), X, t)
    with pytest.raises(ValueError, match="w must be finite"):
        logistic.gradient([np.inf, 2.0], 0.0, X, t)
    model = logistic.fit(X, t, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        model.predict_proba(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        model.predict([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="X must be 2-D"):
        logistic.smoothness([1.0, 2.0])


# ----------------------------------------------------------------- the chapter's checkers
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_exercise_checkers_accept_right_answers_and_explain_wrong_ones():
    from bpnotes.exercises import logistic as ex

    assert ex.check_sigmoid_derivative("s - s**2")
    assert not ex.check_sigmoid_derivative("s*(1 + s)")
    assert ex.check_logit("log(p) - log(1 - p)")
    assert not ex.check_logit("log(p)")
    assert not ex.check_logit("log(q)")
    # One step by hand: every y_i = 1/2, so ∂J/∂w = mean((1/2 − t_i) x_i) = −2/3 and
    # ∂J/∂b = mean(1/2 − t_i) = −1/6; with η = 1/2 the step gives (1/3, 1/12).
    assert ex.check_first_step(1 / 3, 1 / 12)
    wrong = ex.check_first_step(-1 / 3, -1 / 12)
    assert not wrong and "simple constant factor" in wrong.message
    assert ex.check_initial_cost("log(k)") and not ex.check_initial_cost("k*log(2)")
    assert ex.check_softmax_jacobian("-o1*o2") and not ex.check_softmax_jacobian("o1*(1 - o2)")
    assert ex.check_two_class_softmax("1/(1 + exp(z0 - z1))")
    assert not ex.check_two_class_softmax("exp(z1)/(exp(z0) + exp(z1))")  # two exps
    assert not ex.check_two_class_softmax("1/(1 + exp(z1 - z0))")


def test_gradient_checkers_grade_reader_functions():
    from bpnotes.exercises import logistic as ex

    def mean_gradient(w, b, X, t):
        r = _sigmoid(X @ w + b) - t
        return X.T @ r / len(t), r.mean()

    def summed_gradient(w, b, X, t):
        r = _sigmoid(X @ w + b) - t
        return X.T @ r, r.sum()

    assert ex.check_logistic_gradient(mean_gradient)
    verdict = ex.check_logistic_gradient(summed_gradient)
    assert not verdict and "simple constant factor" in verdict.message
    assert not ex.check_logistic_gradient("not a function")
    assert ex.check_penalised_gradient(
        lambda w, b, X, t, lam: (mean_gradient(w, b, X, t)[0] + lam * w,
                                 mean_gradient(w, b, X, t)[1])
    )
    assert not ex.check_penalised_gradient(
        lambda w, b, X, t, lam: (mean_gradient(w, b, X, t)[0] + lam * w,
                                 mean_gradient(w, b, X, t)[1] + lam * b)
    )


def test_separable_growth_answer_is_what_training_does():
    from bpnotes.exercises import logistic as ex
    from bpnotes.logistic import separable_data

    X, t = separable_data()
    model = logistic.fit(X, t, lr=5.0, epochs=100_000, history=True)
    norms = np.linalg.norm(model.w_history[[1000, 10_000, 100_000]], axis=1)
    steps = np.diff(norms)
    # Late in training each tenfold increase of the epochs adds about the same amount to
    # ‖w‖ (it grows like log(epochs)); a tenfold growth would make the second step 10×.
    assert steps[1] == pytest.approx(steps[0], rel=0.1)
    assert ex.check_separable_growth("adds a constant")
    assert not ex.check_separable_growth("multiplies by 10")


def test_explorers_stay_small_and_render_at_the_extremes():
    from bpnotes.plots import logistic as plots

    for factory in (plots.logistic_explorer, plots.softmax_explorer):
        explorer = factory()
        assert len(explorer.frame_keys()) <= 30
        rates = explorer.controls[0].values
        for lr in (min(rates), max(rates)):
            assert explorer.png(lr=lr)[:8] == b"\x89PNG\r\n\x1a\n"
            assert f"{lr:g}" in explorer.alt_text(lr=lr)


def test_plots_minimum_cost_is_sklearns():
    from bpnotes.plots import logistic as plots

    X, t = logistic.binary_data()
    reference = SkLogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, t)
    J_ref = logistic.cost(reference.coef_[0], reference.intercept_[0], X, t)
    assert plots._binary_minimum() == pytest.approx(J_ref, abs=1e-10)
