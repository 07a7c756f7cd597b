"""Losses: values against direct formulas, output deltas against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bpnotes.activations import ACTIVATIONS
from bpnotes.gradcheck import numerical_gradient
from bpnotes.losses import VALID_OUTPUTS, get_loss

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
