"""Losses: values against direct formulas, output deltas against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bpnotes.activations import ACTIVATIONS
from bpnotes.gradcheck import numerical_gradient
from bpnotes.losses import VALID_OUTPUTS, as_targets, get_loss, one_hot

logits = arrays(np.float64, (4, 3), elements=st.floats(-6, 6))


def _targets(loss: str, output: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if loss == "cross_entropy":
        return np.eye(3)[rng.integers(0, 3, size=4)]
    if loss == "log":
        return rng.uniform(0, 1, size=(4, 3))
    return rng.normal(size=(4, 3))


def _direct(loss: str, o: np.ndarray, y: np.ndarray) -> np.ndarray:
    if loss == "squared":
        return 0.5 * ((o - y) ** 2).sum(axis=1)
    if loss == "log":
        return -(y * np.log(o) + (1 - y) * np.log(1 - o)).sum(axis=1)
    return -(y * np.log(o)).sum(axis=1)


PAIRS = [(loss, out) for loss, outs in VALID_OUTPUTS.items() for out in outs]


@pytest.mark.parametrize(("loss", "output"), PAIRS)
@given(z=logits, seed=st.integers(0, 1000))
def test_loss_value_matches_the_formula(loss, output, z, seed):
    act, y = ACTIVATIONS[output], _targets(loss, output, seed)
    o = act(z)
    np.testing.assert_allclose(get_loss(loss).value(z, o, y, act), _direct(loss, o, y), rtol=1e-10)


@pytest.mark.parametrize(("loss", "output"), PAIRS)
@given(z=logits, seed=st.integers(0, 1000))
def test_output_delta_is_the_derivative_of_the_loss(loss, output, z, seed):
    act, lossf, y = ACTIVATIONS[output], get_loss(loss), _targets(loss, output, seed)
    delta = lossf.output_delta(z, act(z), y, act)
    for i in range(z.shape[0]):

        def per_example(row, i=i):
            zz = z.copy()
            zz[i] = row
            return float(lossf.value(zz, act(zz), y, act)[i])

        np.testing.assert_allclose(
            delta[i], numerical_gradient(per_example, z[i]), rtol=1e-5, atol=1e-7
        )


def test_canonical_pairings_give_output_minus_target():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(5, 3)), np.eye(3)[rng.integers(0, 3, 5)]
    for loss, output in [("squared", "identity"), ("log", "sigmoid"), ("cross_entropy", "softmax")]:
        act = ACTIVATIONS[output]
        o = act(z)
        np.testing.assert_allclose(get_loss(loss).output_delta(z, o, y, act), o - y, rtol=1e-14)


def test_sigmoid_with_squared_loss_has_the_extra_derivative_factor():
    z, y = np.array([[0.3, -1.2]]), np.array([[1.0, 0.0]])
    act = ACTIVATIONS["sigmoid"]
    o = act(z)
    expected = (o - y) * o * (1 - o)
    np.testing.assert_allclose(get_loss("squared").output_delta(z, o, y, act), expected)


@pytest.mark.parametrize(
    ("loss", "output"),
    [("log", "sigmoid"), ("cross_entropy", "softmax"), ("cross_entropy", "sigmoid")],
)
def test_losses_are_finite_for_saturated_logits(loss, output):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    act = ACTIVATIONS[output]
    value = get_loss(loss).value(z, act(z), y, act)
    assert np.all(np.isfinite(value))
    # Confidently wrong by 1e4 in logit space costs about 1e4 (up to a few units).
    assert np.all(value > 9e3) and np.all(value < 2.1e4)


def test_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError, match="'squared'.*'log'.*'cross_entropy'"):
        get_loss("hinge")


def test_sigmoid_deltas_are_computed_from_the_logits():
    # σ(z) rounds to 1 for z ≳ 37, so o − 1 and 1 − o are exactly 0 there; the true
    # deltas are −σ(−z) (log loss, y = 1) and −y σ(−z) (cross-entropy), about −4.2e-18.
    z = np.array([[30.0, 40.0, 100.0]])
    y = np.ones((1, 3))
    act = ACTIVATIONS["sigmoid"]
    exact = -1.0 / (1.0 + np.exp(z))
    for loss in ("log", "cross_entropy"):
        np.testing.assert_allclose(get_loss(loss).output_delta(z, act(z), y, act), exact,
                                   rtol=1e-14)
    # and for y = 0 the log-loss delta σ(z) keeps its precision far on the other side
    np.testing.assert_allclose(get_loss("log").output_delta(-z, act(-z), 0 * y, act),
                               1.0 / (1.0 + np.exp(z)), rtol=1e-14)


def test_squared_loss_does_not_overflow_in_the_squares():
    act = ACTIVATIONS["identity"]
    z = np.array([[1.5e154, 0.0], [1e300, 1e300]])
    value = get_loss("squared").value(z, act(z), np.zeros((2, 2)), act)
    assert value[0] == pytest.approx(0.5 * 1.5**2 * 1e308)  # ½ (1.5e154)² fits in float64
    assert value[1] == np.inf  # beyond float64: infinity, and no overflow warning


# ---------------------------------------------------------------- labels to targets
@given(st.lists(st.integers(0, 6), min_size=1, max_size=30))
def test_one_hot_matches_identity_rows(labels):
    Y = one_hot(labels, classes=7)
    expected = np.array([[1.0 if k == label else 0.0 for k in range(7)] for label in labels])
    np.testing.assert_array_equal(Y, expected)
    np.testing.assert_array_equal(one_hot([*labels, 6]), np.vstack([expected, np.eye(7)[6]]))


@pytest.mark.parametrize(
    ("labels", "classes", "error", "match"),
    [([0, 10], 10, ValueError, "labels must be class labels in 0..9"),
     ([0, -1], 10, ValueError, "labels must be class labels"),
     ([0.5], 10, ValueError, "whole-number"),
     ("012", 10, TypeError, "labels must be an array"),
     ([0, 1], 1, ValueError, "classes must be an integer >= 2"),
     ([0, 1], 2.0, TypeError, "classes must be an integer"),
     ([0, 0], None, ValueError, "only contain class 0"),
     ([[0, 1]], 10, ValueError, "labels must be 1-D")],
)
def test_one_hot_rejects_bad_input(labels, classes, error, match):
    with pytest.raises(error, match=match):
        one_hot(labels, classes)


def test_as_targets_for_one_sigmoid_output_and_for_k_outputs():
    t = np.array([0, 1, 1])
    np.testing.assert_array_equal(as_targets(t), [[0.0], [1.0], [1.0]])
    np.testing.assert_array_equal(as_targets(t, outputs=3), np.eye(3)[t])
    np.testing.assert_array_equal(as_targets([True, False]), [[1.0], [0.0]])


def test_as_targets_never_aliases_its_input():
    t = np.array([0.0, 1.0, 1.0])  # already float64: a reshape would be a view
    Y = as_targets(t)
    Y[0, 0] = 1.0
    assert t[0] == 0.0 and not np.shares_memory(Y, t)


@pytest.mark.parametrize(
    ("labels", "outputs", "error", "match"),
    [([[0, 1], [1, 0]], 1, ValueError, "labels must be 1-D"),
     ([0, 2], 1, ValueError, r"labels must only contain the labels \[0, 1\]"),
     ([0.0, np.nan], 1, ValueError, "labels must be finite"),
     ([0, 1], 0, ValueError, "outputs must be an integer >= 1"),
     ([0, 1], "1", TypeError, "outputs must be an integer")],
)
def test_as_targets_rejects_bad_input(labels, outputs, error, match):
    with pytest.raises(error, match=match):
        as_targets(labels, outputs)
