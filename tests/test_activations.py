"""Activations: values, derivatives against finite differences, stability at |z| = 1e4."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bpnotes.activations import (
    ACTIVATIONS,
    get_activation,
    log_sigmoid,
    relu,
    sigmoid,
    softmax,
)
from bpnotes.gradcheck import numerical_gradient

finite = st.floats(-30, 30, allow_nan=False)


@given(arrays(np.float64, st.integers(1, 20), elements=finite))
def test_sigmoid_matches_the_textbook_formula(z):
    expected = np.array([1.0 / (1.0 + math.exp(-v)) for v in z])
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-13, atol=1e-300)


def test_sigmoid_and_log_sigmoid_are_stable_at_extremes():
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    s = sigmoid(z)  # RuntimeWarnings are errors in this suite
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    np.testing.assert_allclose(log_sigmoid(z), [-1e4, -800.0, -math.log(2), 0.0, 0.0], atol=1e-12)


def test_softmax_is_shift_invariant_and_stable():
    z = np.array([[1e4, 0.0, -1e4], [1.0, 2.0, 3.0]])
    p = softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p[1], e / e.sum(), rtol=1e-14)
    np.testing.assert_allclose(softmax(z[1:] + 1234.5), p[1:], rtol=1e-12)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu"])
@given(z=arrays(np.float64, 6, elements=st.floats(-4, 4).filter(lambda v: abs(v) > 1e-3)))
def test_elementwise_derivative_matches_finite_differences(name, z):
    act = ACTIVATIONS[name]
    numeric = np.array(
        [numerical_gradient(lambda v: float(act(v)[0]), np.array([zi]))[0] for zi in z]
    )
    np.testing.assert_allclose(act.derivative(z, act(z)), numeric, rtol=1e-6, atol=1e-8)


@given(
    z=arrays(np.float64, (3, 4), elements=st.floats(-5, 5)),
    g=arrays(np.float64, (3, 4), elements=st.floats(-2, 2)),
)
def test_softmax_backprop_is_the_jacobian_vector_product(z, g):
    act = ACTIVATIONS["softmax"]
    a = act(z)
    for row in range(3):
        numeric = numerical_gradient(lambda v, r=row: float(softmax(v) @ g[r]), z[row])
        np.testing.assert_allclose(act.backprop(z, a, g)[row], numeric, rtol=1e-6, atol=1e-8)


def test_max_derivatives_are_the_supremum():
    z = np.linspace(-10, 10, 20001)
    for name in ["sigmoid", "tanh", "relu", "identity"]:
        act = ACTIVATIONS[name]
        assert np.max(act.derivative(z, act(z))) == pytest.approx(act.max_derivative, rel=1e-6)


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(TypeError, match="Jacobian"):
        ACTIVATIONS["softmax"].derivative(np.zeros((1, 2)), np.zeros((1, 2)))


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="'sigmoid'.*got 'sigmoidal'"):
        get_activation("sigmoidal")


@pytest.mark.parametrize("function", [sigmoid, log_sigmoid, relu, softmax])
def test_lists_and_scalars_are_numbers_not_dtypes(function):
    np.testing.assert_allclose(function([1, 2]), function(np.array([1.0, 2.0])))
    assert function(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("function", [sigmoid, log_sigmoid, relu, softmax])
@pytest.mark.parametrize(
    ("z", "error", "match"),
    [([1 + 1j, 2.0], TypeError, "z must contain real numbers"),
     ("12", TypeError, "z must be an array of numbers"),
     ([[1.0], [1.0, 2.0]], ValueError, "z must be a rectangular array")],
)
def test_bad_inputs_name_z(function, z, error, match):
    with pytest.raises(error, match=match):
        function(z)


def test_softmax_needs_a_class_axis():
    with pytest.raises(ValueError, match="z must have a non-empty last axis"):
        softmax(np.float64(3.0))
    with pytest.raises(ValueError, match="z must have a non-empty last axis"):
        softmax(np.zeros((2, 0)))
    assert sigmoid(np.float64(0.0)) == 0.5 and relu(-2.0) == 0.0
