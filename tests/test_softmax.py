"""Tests of bpnotes.softmax against scikit-learn, finite differences and bpnotes.logistic."""

from __future__ import annotations

import numpy as np
import pytest
import torch  # the independent autodiff oracle (installed by the test requirements)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from bpnotes import data, logistic, softmax
from bpnotes.gradcheck import numerical_gradient
from bpnotes.losses import one_hot


def _three_classes(m: int = 90, seed: int = 2):
    return data.blobs(m, spread=1.5, seed=seed)


def _reference_cost(W, b, X, y):
    """−mean log o_{i, y_i} with a plain (unshifted) softmax: fine for moderate logits."""
    e = np.exp(X @ W.T + b)
    o = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(o[np.arange(len(y)), y]))


def test_long_full_batch_training_reaches_sklearn_probabilities():
    X, y = _three_classes()
    model = softmax.fit(X, y, lr=1.0, epochs=2000)
    reference = SkLogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert not model.diverged
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-7)
    # The softmax parameters are only defined up to a shared shift; gradient descent from
    # zero keeps every column of W summing to 0, so it matches sklearn's centred weights.
    np.testing.assert_allclose(model.W.sum(axis=0), 0.0, atol=1e-12)
    centred = reference.coef_ - reference.coef_.mean(axis=0)
    np.testing.assert_allclose(model.W, centred, atol=1e-6)


def test_two_classes_reduce_to_logistic_regression():
    X, t = data.two_blobs(40, separation=1.0, seed=4)
    two = softmax.fit(X, t, lr=0.5, epochs=50)
    one = logistic.fit(X, t, lr=1.0, epochs=50)
    # With W = (−w/2, w/2) softmax's class-1 probability is σ(w·x + b): the gradient for
    # the difference of the two rows is twice the logistic gradient, hence lr 0.5 vs 1.
    np.testing.assert_allclose(two.W[1] - two.W[0], one.w, rtol=1e-10)
    np.testing.assert_allclose(two.predict_proba(X)[:, 1], one.predict_proba(X), rtol=1e-10)
    np.testing.assert_allclose(two.losses, one.losses, rtol=1e-10)


def test_initial_loss_is_log_k_and_history_shapes():
    X, y = _three_classes(30)
    model = softmax.fit(X, y, lr=0.5, epochs=5, classes=4)
    assert model.losses.shape == (6,)
    assert model.losses[0] == pytest.approx(np.log(4.0), rel=1e-14)
    assert model.path.shape == (6, 4, 3)  # [W | b] after each epoch
    np.testing.assert_array_equal(model.path[-1], np.column_stack([model.W, model.b]))
    assert model.classes == 4
    assert model.losses[-1] == pytest.approx(_reference_cost(model.W, model.b, X, y), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    m=st.integers(1, 7), n=st.integers(1, 3), k=st.integers(2, 4), seed=st.integers(0, 10_000)
)
def test_gradient_equals_finite_differences(m, n, k, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = rng.integers(0, k, size=m)
    theta = rng.normal(size=k * n + k)

    def f(p):
        return softmax.cost(X, y, p[: k * n].reshape(k, n), p[k * n :])

    grad_W, grad_b = softmax.gradient(X, y, theta[: k * n].reshape(k, n), theta[k * n :])
    numeric = numerical_gradient(f, theta)
    # Entries near 0 (a class with probability ~1e-5) carry a rounding error of ~1e-10 in
    # the centred difference, so an entry-wise relative test needs an absolute floor.
    np.testing.assert_allclose(np.concatenate([grad_W.ravel(), grad_b]), numeric,
                               rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 6), k=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_cost_matches_plain_formula_and_one_hot_is_identity_rows(m, k, seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(m, 2)), rng.normal(size=(k, 2)), rng.normal(size=k)
    y = rng.integers(0, k, size=m)
    assert softmax.cost(X, y, W, b) == pytest.approx(_reference_cost(W, b, X, y), rel=1e-12)
    Y = one_hot(y, k)
    assert Y.shape == (m, k)
    assert np.all(Y.sum(axis=1) == 1) and np.all(Y[np.arange(m), y] == 1)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 7), n=st.integers(1, 3), k=st.integers(2, 4), seed=st.integers(0, 10_000),
       scale=st.sampled_from([0.1, 1.0, 30.0]))
def test_cost_and_gradient_agree_with_pytorch_autograd(m, n, k, seed, scale):
    rng = np.random.default_rng(seed)
    X, y = scale * rng.normal(size=(m, n)), rng.integers(0, k, size=m)
    W, b = rng.normal(size=(k, n)), rng.normal(size=k)
    # eq. (softmax-ce) by PyTorch's cross_entropy on the logits (float64), autograd
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    J = torch.nn.functional.cross_entropy(torch.tensor(X) @ Wt.T + bt, torch.tensor(y))
    J.backward()
    assert softmax.cost(X, y, W, b) == pytest.approx(J.item(), rel=1e-12, abs=1e-15)
    grad_W, grad_b = softmax.gradient(X, y, W, b)
    np.testing.assert_allclose(grad_W, Wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad_b, bt.grad.numpy(), rtol=1e-10, atol=1e-13)
    # Every row of O − Y sums to zero, so the class gradients sum to zero.
    np.testing.assert_allclose(grad_W.sum(axis=0), 0.0, atol=1e-12)
    assert abs(grad_b.sum()) < 1e-12


@pytest.mark.parametrize("lr", [1e10, 1e300])
def test_divergence_returns_the_last_finite_point(lr):
    X, y = _three_classes(30)
    model = softmax.fit(X, y, lr=lr, epochs=20)
    assert model.diverged
    assert np.all(np.isfinite(model.losses)) and np.all(np.isfinite(model.path))
    np.testing.assert_array_equal(np.column_stack([model.W, model.b]), model.path[-1])
    assert model.losses[-1] == pytest.approx(softmax.cost(X, y, model.W, model.b), rel=1e-12)


def test_huge_logits_are_finite_without_warnings():
    X = np.array([[1.0], [-1.0]])
    W = np.array([[1e4], [-1e4], [0.0]])
    # Example 0 has logits (1e4, −1e4, 0): label 1 costs 2e4; example 1 label 0 costs 2e4.
    assert softmax.cost(X, [1, 0], W, np.zeros(3)) == pytest.approx(2e4, rel=1e-12)
    grad_W, _ = softmax.gradient(X, [0, 1], W, np.zeros(3))
    assert np.all(np.isfinite(grad_W))
    model = softmax.fit(X * 1e4, [0, 1], lr=1.0, epochs=3)
    assert np.all(np.isfinite(model.losses))
    p = model.predict_proba(X * 1e8)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1.0)


def test_minibatches_match_a_hand_written_loop():
    X, y = _three_classes(12, seed=5)
    lr, size, seed = 0.3, 5, 11
    W, b = np.zeros((3, 2)), np.zeros(3)
    rng = np.random.default_rng(seed)
    for _ in range(2):
        order = rng.permutation(12)
        for start in range(0, 12, size):
            idx = order[start : start + size]
            e = np.exp(X[idx] @ W.T + b)
            delta = e / e.sum(axis=1, keepdims=True) - np.eye(3)[y[idx]]
            W, b = W - lr * delta.T @ X[idx] / len(idx), b - lr * delta.mean(axis=0)
    model = softmax.fit(X, y, lr=lr, epochs=2, batch_size=size, seed=seed)
    np.testing.assert_allclose(model.W, W, rtol=1e-12)
    np.testing.assert_allclose(model.b, b, rtol=1e-12)
    assert np.array_equal(model.predict(X), np.argmax(X @ W.T + b, axis=1))


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "message"),
    [
        ([0, 0, 0], {}, ValueError, "at least 2 classes"),
        ([0, 1, 1], {"classes": 1}, ValueError, "at least 2 classes"),
        ([0, 1, 3], {"classes": 3}, ValueError, r"0\.\.2"),
        ([0, 1, -1], {}, ValueError, "negative"),
        ([0, 1.5, 1], {}, ValueError, "whole-number"),
        ([0, 1, np.nan], {}, ValueError, "finite"),
        ([0, 1], {}, ValueError, "rows"),
        (["a", "b", "c"], {}, TypeError, "y"),
        ([0, 1, 2], {"classes": 2.0}, TypeError, "classes"),
    ],
)
def test_bad_labels_are_explained(y, kwargs, error, message):
    with pytest.raises(error, match=message):
        softmax.fit(np.ones((3, 2)), y, lr=0.1, epochs=1, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"X": np.ones((3, 2, 1))}, ValueError, "2-D"),
        ({"X": [[np.inf, 1.0]] * 3}, ValueError, "finite"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"epochs": None}, TypeError, "epochs"),
        ({"batch_size": 1.5}, TypeError, "batch_size"),
        ({"shuffle": None}, TypeError, "shuffle"),
        ({"seed": 1.5}, TypeError, "seed must be a non-negative integer"),
        ({"seed": None}, TypeError, "seed must be a non-negative integer"),
        ({"seed": True}, TypeError, "seed must be a non-negative integer"),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
        ({"seed": "0"}, TypeError, "seed must be a non-negative integer"),
        ({"record_steps": "no"}, TypeError, "record_steps"),
    ],
)
def test_bad_fit_arguments_are_explained(kwargs, error, message):
    args = {"X": np.ones((3, 2)), "y": [0, 1, 2], "lr": 0.1, "epochs": 2} | kwargs
    with pytest.raises(error, match=message):
        softmax.fit(**args)


def test_bad_parameters_and_prediction_inputs_are_explained():
    X, y = np.ones((3, 2)), [0, 1, 2]
    with pytest.raises(ValueError, match=r"W must have shape .* \(3, 2\)"):
        softmax.cost(X, y, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="b must have length 3"):
        softmax.gradient(X, y, np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="0..1"):
        softmax.cost(X, y, np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="b must be finite"):
        softmax.cost(X, y, np.zeros((3, 2)), [0.0, np.nan, 0.0])
    with pytest.raises(ValueError, match="only contain class 0"):
        one_hot([0, 0])
    model = softmax.fit(X, y, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        model.predict_proba(np.ones((2, 5)))
