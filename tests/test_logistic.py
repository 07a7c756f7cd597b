"""Tests of bpnotes.logistic against scikit-learn, finite differences and hand computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch  # the independent autodiff oracle (installed by the test requirements)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from bpnotes import data, logistic
from bpnotes.descent import DIVERGENCE_FACTOR
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
        return logistic.cost(X, t, p[:n], float(p[n]))

    grad_w, grad_b = logistic.gradient(X, t, theta[:n], float(theta[n]))
    numeric = numerical_gradient(f, theta)
    # An absolute floor for entries near 0, whose centred difference carries ~1e-10 of
    # rounding error (an entry-wise relative test alone fails on them).
    np.testing.assert_allclose(np.append(grad_w, grad_b), numeric, rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 8), n=st.integers(1, 4), seed=st.integers(0, 10_000),
       scale=st.sampled_from([0.1, 1.0, 30.0]))
def test_cost_and_gradient_agree_with_pytorch_autograd(m, n, seed, scale):
    rng = np.random.default_rng(seed)
    X, t = scale * rng.normal(size=(m, n)), rng.integers(0, 2, size=m)
    w, b = rng.normal(size=n), float(rng.normal())
    # eq. (log-loss-logits) by PyTorch's own stable binary cross-entropy, in float64
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(X) @ wt + bt
    targets = torch.tensor(t, dtype=torch.float64)
    J = torch.nn.functional.binary_cross_entropy_with_logits(z, targets)
    J.backward()
    # Both compute log(1 + e^z) − t z or an equivalent, which cancels terms of size |z|, so
    # their absolute errors are of order eps·max|z| (bounded by eps·(|X||w| + |b|)): PyTorch
    # 2.13 returns 0.0 for the cost 2.9e-15 at z = −33.5, t = 0, and bpnotes does the same at
    # z = +33.5, t = 1.
    floor = 8 * np.finfo(float).eps * float(np.max(np.abs(X) @ np.abs(w) + abs(b)))
    assert logistic.cost(X, t, w, b) == pytest.approx(J.item(), rel=1e-12, abs=floor)
    grad_w, grad_b = logistic.gradient(X, t, w, b)
    np.testing.assert_allclose(grad_w, wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    assert grad_b == pytest.approx(bt.grad.item(), rel=1e-10, abs=1e-13)


def test_gradient_keeps_its_precision_where_the_probability_rounds_to_one():
    # z = 40 with label 1: y − t = σ(40) − 1 = −σ(−40) ≈ −4.2e-18, although σ(40) == 1.0.
    grad_w, grad_b = logistic.gradient([[1.0]], [1], [40.0], 0.0)
    exact = -1.0 / (1.0 + np.exp(40.0))
    assert grad_b == pytest.approx(exact, rel=1e-14) and grad_w[0] == pytest.approx(exact)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 6), n=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_cost_matches_textbook_formula_for_moderate_logits(m, n, seed):
    rng = np.random.default_rng(seed)
    X, w, b = rng.normal(size=(m, n)), rng.normal(size=n), float(rng.normal())
    t = rng.integers(0, 2, size=m)
    # The textbook form rounds y to eps, so its log(y) or log(1 − y) is off by up to about
    # eps / min(y, 1 − y): at z = 13 that is 1e-10 (bpnotes' form is exact there to 1e-16).
    y = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    floor = 4 * np.finfo(float).eps * float(np.mean(1 / np.minimum(y, 1 - y)))
    assert logistic.cost(X, t, w, b) == pytest.approx(_reference_cost(w, b, X, t), rel=1e-12,
                                                      abs=floor)


def test_huge_logits_give_finite_losses_and_gradients_without_warnings():
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    t = np.array([1, 0, 0, 1])
    # z = ±1e4: the two right examples cost ~0, the two wrong ones cost 1e4 each.
    assert logistic.cost(X, t, [1e4], 0.0) == pytest.approx(1e4 / 2, rel=1e-12)
    grad_w, grad_b = logistic.gradient(X, t, [1e4], 0.0)
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
    model = logistic.fit(X, t, lr=1.0, epochs=400)
    norms = np.linalg.norm(model.path[:, :-1], axis=1)
    assert model.path.shape == (401, 3)
    assert np.all(np.diff(norms[1:]) > 0)
    assert np.all(np.diff(model.losses) < 0) and model.losses[-1] < 1e-3
    assert np.all(model.predict(X) == t)


@pytest.mark.parametrize("lr", [1e10, 1e300])
def test_divergence_returns_the_last_finite_point(lr):
    # One step of size lr from w = 0 makes |z| ~ lr: the cost leaves the bound (or
    # overflows). The model is the last point whose cost is finite, like linear.fit's.
    X, t = _overlapping(40)
    model = logistic.fit(X, t, lr=lr, epochs=20)
    assert model.diverged
    assert np.all(np.isfinite(model.losses)) and np.all(np.isfinite(model.path))
    assert np.all(np.isfinite(model.w)) and np.isfinite(model.b)
    np.testing.assert_array_equal(np.append(model.w, model.b), model.path[-1])
    assert model.losses[-1] == pytest.approx(logistic.cost(X, t, model.w, model.b), rel=1e-12)
    assert model.losses[-1] > DIVERGENCE_FACTOR * model.losses[0]


def test_record_steps_keeps_every_update():
    X, t = _overlapping(10, seed=3)
    model = logistic.fit(X, t, lr=0.2, epochs=2, batch_size=4, shuffle=False, record_steps=True)
    assert model.steps == 6 and model.step_path.shape == (7, 3)
    np.testing.assert_array_equal(model.step_path[0], 0.0)
    np.testing.assert_array_equal(model.step_path[[3, 6]], model.path[1:])  # epoch ends
    assert logistic.fit(X, t, lr=0.2, epochs=2).step_path is None


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
        ({"seed": None}, TypeError, "seed"),
        ({"seed": True}, TypeError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"seed": "0"}, TypeError, "seed"),
        ({"record_steps": 1}, TypeError, "record_steps"),
        ({"X": [[1.0, 2.0], [1.0], [0.0, 0.0]]}, ValueError, "X must be a rectangular"),
        ({"X": np.ones((3, 2)) * 1j}, TypeError, "X must contain real numbers"),
    ],
)
def test_bad_fit_arguments_are_explained(kwargs, error, message):
    args = {"X": np.ones((3, 2)), "t": [0, 1, 1], "lr": 0.1, "epochs": 2} | kwargs
    with pytest.raises(error, match=message):
        logistic.fit(**args)


def test_bad_parameters_and_prediction_inputs_are_explained():
    X, t = np.ones((3, 2)), [0, 1, 1]
    with pytest.raises(ValueError, match="w must have length 2"):
        logistic.cost(X, t, [1.0, 2.0, 3.0], 0.0)
    with pytest.raises(TypeError, match="b must be a real number"):
        logistic.gradient(X, t, [1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match="b must be finite"):
        logistic.cost(X, t, [1.0, 2.0], float("nan"))
    with pytest.raises(ValueError, match="w must be finite"):
        logistic.gradient(X, t, [np.inf, 2.0], 0.0)
    model = logistic.fit(X, t, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        model.predict_proba(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        model.predict([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="X must be 2-D"):
        logistic.smoothness([1.0, 2.0])


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
    J_ref = logistic.cost(X, t, reference.coef_[0], reference.intercept_[0])
    assert plots._binary_minimum() == pytest.approx(J_ref, abs=1e-10)


@pytest.mark.parametrize(("losses", "diverged", "behaviour"), [
    (np.linspace(1.0, 0.5, 30), False, "falls"),
    (np.r_[np.linspace(1.0, 2.0, 10), np.linspace(2.0, 0.5, 30)], False, "falls"),  # bumpy start
    (np.tile([0.3, 0.2], 15), False, "cycle"),
    (np.random.default_rng(0).uniform(0.1, 5.0, 30), False, "jumps"),
    (np.linspace(1.0, 0.5, 30), True, "diverged"),
])
def test_run_behaviour_reads_how_a_run_ends(losses, diverged, behaviour):
    from bpnotes.plots import logistic as plots

    assert plots.run_behaviour(losses, diverged) == behaviour


@pytest.mark.parametrize("explorer", ["logistic", "softmax"])
def test_explorer_titles_show_only_costs_that_do_not_depend_on_rounding(explorer):
    # The same problem with its examples in another order differs only in the rounding of
    # the sums: every cost an explorer prints must come out the same, and a run whose cost
    # does not (a chaotic one at a large rate) must print none, in its title or alt text.
    from bpnotes import softmax
    from bpnotes.plots import logistic as plots

    model, data_set = {"logistic": (logistic, logistic.binary_data),
                       "softmax": (softmax, softmax.three_class_data)}[explorer]
    X, labels = data_set()
    order = np.random.default_rng(1).permutation(len(X))
    factory = getattr(plots, f"{explorer}_explorer")()
    run_of = getattr(plots, f"{explorer}_run")
    chaotic = 0
    for lr in factory.controls[0].values:
        run = run_of(lr)
        other = model.fit(X[order], labels[order], lr=lr, epochs=plots.EXPLORER_EPOCHS)
        behaviour = plots.run_behaviour(other.losses, other.diverged)
        assert behaviour == run.behaviour, lr
        if run.behaviour in ("falls", "cycle"):
            assert plots._status(other.losses, behaviour, plots.EXPLORER_EPOCHS) == run.status
        else:
            assert not any(ch.isdigit() for ch in run.status.replace(
                str(plots.EXPLORER_EPOCHS), "")), run.status
            same = model.fit(X, labels, lr=lr, epochs=plots.EXPLORER_EPOCHS)
            chaotic += bool(abs(other.losses[-1] - same.losses[-1]) > 1e-3)
        alt = factory.alt_text(lr=lr)
        assert plots.BEHAVIOURS[run.behaviour] in alt
    assert chaotic > 0                  # some run's last cost does depend on the rounding


def test_probability_surface_contour_labels_lie_inside_their_panels():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bpnotes.plots import logistic as plots

    fig = plots.plot_probability_surface()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    labelled = 0
    for ax in fig.axes[:2]:
        box = ax.get_window_extent(renderer)
        for text in ax.texts:
            extent = text.get_window_extent(renderer)
            assert (box.x0 <= extent.x0 and extent.x1 <= box.x1
                    and box.y0 <= extent.y0 and extent.y1 <= box.y1), text.get_text()
            labelled += 1
    assert labelled >= 4            # the early 0.5 and 0.9, the late 0.1, 0.5 and 0.9
