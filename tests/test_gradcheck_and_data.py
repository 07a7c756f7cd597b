"""Gradient checking utilities and the seeded toy data generators."""

from __future__ import annotations

import numpy as np
import pytest

from bpnotes import MLP, data
from bpnotes import backprop as bp
from bpnotes.gradcheck import (
    GradientCheck,
    check_gradient,
    check_mlp_gradients,
    numerical_gradient,
    numerical_mlp_gradients,
    relative_error,
)


def test_numerical_gradient_of_a_known_function():
    f = lambda x: float(np.sum(np.sin(x)) + x[0] * x[1] ** 2)  # noqa: E731
    x = np.array([0.3, -1.2, 2.0])
    exact = np.cos(x) + np.array([x[1] ** 2, 2 * x[0] * x[1], 0.0])
    np.testing.assert_allclose(numerical_gradient(f, x), exact, rtol=1e-8)
    assert x.tolist() == [0.3, -1.2, 2.0]  # the point is not modified


def test_check_gradient_flags_a_wrong_gradient():
    f = lambda x: float(x @ x)  # noqa: E731
    x = np.array([1.0, 2.0])
    assert check_gradient(f, 2 * x, x).passed
    wrong = check_gradient(f, x, x)
    # ‖x − 2x‖ / (‖x‖ + ‖2x‖) = 1/3 by eq. (bp-gradcheck-error)
    assert not wrong.passed and wrong.error == pytest.approx(1 / 3, rel=1e-6)
    assert isinstance(wrong, GradientCheck) and "FAILED" in str(wrong) and not wrong


def test_relative_error_is_the_norm_ratio_of_the_book():
    a = np.array([[3.0, 0.0], [0.0, 4.0]])  # ‖a‖ = 5
    b = np.zeros((2, 2))
    assert relative_error(a, b) == pytest.approx(1.0)  # ‖a‖ / (‖a‖ + 0)
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, a) == 0.0 and relative_error(b, b) == 0.0
    c = a + np.array([[0.0, 1.0], [0.0, 0.0]])  # ‖a − c‖ = 1, ‖c‖ = √26
    assert relative_error(a, c) == pytest.approx(1 / (5 + np.sqrt(26)), rel=1e-14)
    assert relative_error(1e6 * a, 1e6 * c) == pytest.approx(relative_error(a, c), rel=1e-12)
    # An entry tiny in both weighs as little as it is: an entry-wise ratio would give 1/3.
    assert relative_error([1.0, 1e-12], [1.0, 2e-12]) < 1e-12


def test_gradient_check_passes_correct_and_names_a_corrupted_layer():
    rng = np.random.default_rng(5)
    net = MLP([3, 4, 3, 2], hidden="tanh", output="sigmoid", loss="log", seed=2)
    X, Y = rng.normal(size=(5, 3)), rng.integers(0, 2, (5, 2)).astype(float)
    checks = check_mlp_gradients(net, X, Y)
    assert [c.name for c in checks] == ["W^1", "b^1", "W^2", "b^2", "W^3", "b^3"]
    assert all(c.passed for c in checks) and all(c.error < 1e-8 for c in checks)
    g = net.gradients(X, Y)
    wrong_w = [w.copy() for w in g.weights]
    wrong_w[1][0, 0] += 0.05
    failed = [c.name for c in check_mlp_gradients(net, X, Y, (wrong_w, g.biases))
              if not c.passed]
    assert failed == ["W^2"]


def _finite_difference(net, X, Y, layer, j, k, eps=1e-6):
    W = net.weights[layer - 1]
    original = W[j - 1, k - 1]
    W[j - 1, k - 1] = original + eps
    plus = net.cost(X, Y)
    W[j - 1, k - 1] = original - eps
    minus = net.cost(X, Y)
    W[j - 1, k - 1] = original
    return (plus - minus) / (2 * eps)


def test_numerical_mlp_gradients_restore_parameters_and_match_hand_difference():
    net = bp.four_two_two_one(1)
    X, Y = np.ones((2, 4)), np.zeros((2, 1))
    arrays = list(net.weights)
    before = [w.copy() for w in net.weights]
    numeric_w, numeric_b = numerical_mlp_gradients(net, X, Y)
    for a, b, same in zip(before, net.weights, arrays, strict=True):
        np.testing.assert_array_equal(a, b)
        assert b is same  # the network's own arrays, not replacements
    assert numeric_w[0][1, 3] == pytest.approx(_finite_difference(net, X, Y, 1, 2, 4), rel=1e-9)
    assert numeric_b[2][0] == 0.0  # the masked-out output bias


BAD_GRADCHECK = [
    (lambda: numerical_gradient(lambda x: 0.0, np.zeros(1), eps=0), ValueError, "eps must be > 0"),
    (lambda: numerical_gradient(lambda x: 0.0, np.zeros(1), eps=np.inf), ValueError,
     "eps must be finite"),
    (lambda: numerical_gradient(lambda x: 0.0, np.zeros(1), eps=True), TypeError,
     "eps must be a real number"),
    (lambda: numerical_gradient(lambda x: 0.0, None), TypeError, "x must be an array"),
    (lambda: numerical_gradient(lambda x: 0.0, [1j]), TypeError, "x must contain real numbers"),
    (lambda: numerical_gradient(lambda x: 0.0, [np.nan]), ValueError, "x must be finite"),
    (lambda: numerical_gradient(lambda x: 0.0, []), ValueError, "x must not be empty"),
    (lambda: numerical_gradient(lambda x: x, np.zeros(3)), TypeError,
     r"f must return one real number \(a scalar cost\), got ndarray of shape \(3,\)"),
    (lambda: numerical_gradient(lambda x: "1", np.zeros(1)), TypeError, "f must return one"),
    (lambda: numerical_gradient(5, np.zeros(1)), TypeError, "f must be a function"),
    (lambda: check_gradient(lambda x: 0.0, [0.0], [0.0], tolerance=-1), ValueError,
     "tolerance must be > 0"),
    (lambda: check_gradient(lambda x: 0.0, [0.0, 1.0], [0.0]), ValueError,
     r"gradient must have the shape of x \(1,\), got \(2,\)"),
    (lambda: check_gradient(lambda x: 0.0, None, [0.0]), TypeError, "gradient must be an array"),
    (lambda: relative_error(np.zeros(2), np.zeros(3)), ValueError,
     "analytic and numeric must have the same shape"),
    (lambda: relative_error([np.nan], [0.0]), ValueError, "analytic must be finite"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_GRADCHECK)
def test_bad_gradient_check_arguments_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_scalars_are_accepted_where_numbers_are():
    f = lambda x: np.float32(x[0] ** 2)  # noqa: E731  # a numpy scalar of another type
    g = numerical_gradient(f, np.array([1.0]), eps=np.float32(1e-2))
    assert g[0] == pytest.approx(2.0, rel=1e-3)


BAD_MLP_CHECKS = [
    (lambda net, X, Y: check_mlp_gradients(net, X, Y, tolerance=0), ValueError,
     "tolerance must be > 0"),
    (lambda net, X, Y: check_mlp_gradients(net, X, Y, gradients=[1, 2, 3]), TypeError,
     "gradients must be a pair"),
    (lambda net, X, Y: check_mlp_gradients(
        net, X, Y, gradients=([w.T for w in net.weights], net.biases)), ValueError,
     r"the W\^1 gradient has shape \(4, 2\); expected \(2, 4\)"),
    (lambda net, X, Y: check_mlp_gradients(net, X, Y, gradients=(net.weights[:1], net.biases)),
     ValueError, "gradients must hold 3 W arrays"),
    (lambda net, X, Y: check_mlp_gradients("net", X, Y), TypeError, "net must be a bpnotes.MLP"),
    (lambda net, X, Y: check_mlp_gradients(net, X[:, :2], Y), ValueError, "X must have 4 col"),
    (lambda net, X, Y: numerical_mlp_gradients(MLP([2, 1], dtype=np.float32), X[:, :2], Y),
     ValueError, "float64"),
    (lambda net, X, Y: numerical_mlp_gradients(net, X, Y, eps=-1.0), ValueError, "eps must be"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_MLP_CHECKS)
def test_bad_network_check_arguments_name_the_argument(call, error, match):
    net = bp.four_two_two_one()
    before = [p.copy() for p in net.weights + net.biases]
    with pytest.raises(error, match=match):
        call(net, np.ones((1, 4)), np.ones((1, 1)))
    for p, b in zip(net.weights + net.biases, before, strict=True):
        np.testing.assert_array_equal(p, b)


@pytest.mark.parametrize(
    "make", [data.noisy_linear, data.two_blobs, data.xor, data.moons, data.spirals, data.blobs]
)
def test_generators_are_seeded_and_well_formed(make):
    X1, t1 = make(seed=3)
    X2, t2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(t1, t2)
    assert not np.array_equal(X1, X3)
    assert X1.ndim == 2 and X1.shape[0] == t1.shape[0] and np.all(np.isfinite(X1))


def test_noisy_linear_recovers_its_parameters_by_least_squares():
    X, t = data.noisy_linear(m=2000, w=(2.0, -1.0), b=0.5, noise=0.1, seed=0)
    A = np.column_stack([X, np.ones(len(X))])
    coef = np.linalg.lstsq(A, t, rcond=None)[0]
    np.testing.assert_allclose(coef, [2.0, -1.0, 0.5], atol=0.02)


def test_xor_labels_follow_the_quadrant():
    X, t = data.xor(m=400, noise=0.1, seed=1)
    np.testing.assert_array_equal(t, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_classification_labels_are_balanced_integers():
    for _X, t in [data.moons(seed=0), data.spirals(classes=3, seed=0), data.blobs(seed=0)]:
        assert t.dtype == np.int64
        counts = np.bincount(t)
        assert counts.max() - counts.min() <= 1


GENERATORS = [data.noisy_linear, data.two_blobs, data.xor, data.moons, data.spirals, data.blobs]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: data.xor(m=2), ValueError, "m must be an integer >= 4"),
        (lambda: data.moons(m=1.5), TypeError, "m must be an integer"),
        (lambda: data.noisy_linear(noise=-1), ValueError, "noise must be >= 0"),
        (lambda: data.spirals(classes=1), ValueError, "classes must be an integer >= 2"),
        (lambda: data.spirals(classes=2.0), TypeError, "classes must be an integer"),
        (lambda: data.blobs(spread=0), ValueError, "spread must be > 0"),
        (lambda: data.noisy_linear(w=()), ValueError, "w must not be empty"),
        (lambda: data.noisy_linear(w=(1e308,)), ValueError, "w, b or noise is too large"),
        (lambda: data.noisy_linear(w=("a",)), TypeError, "w must contain real numbers"),
        (lambda: data.noisy_linear(b=np.nan), ValueError, "b must be finite"),
        (lambda: data.noisy_linear(b="1"), TypeError, "b must be a real number"),
        (lambda: data.blobs(centers=np.nan), ValueError, "centers must be 2-D"),
        (lambda: data.blobs(centers=[[0.0, 0.0], [np.nan, 1.0]]), ValueError,
         "centers must be finite"),
        (lambda: data.blobs(centers=(2, 0)), ValueError, "centers must be 2-D"),
        (lambda: data.blobs(centers=np.zeros((2, 0))), ValueError, "centers must not be empty"),
        (lambda: data.blobs(centers=[[0.0, 1.0]]), ValueError, "at least two rows"),
        (lambda: data.moons(noise=1e308), ValueError, "noise is too large"),
    ],
)
def test_bad_generator_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize(("seed", "error"), [(None, TypeError), (True, TypeError),
                                             (-1, ValueError), (1.5, TypeError),
                                             ("0", TypeError)])
def test_every_generator_rejects_bad_seeds(make, seed, error):
    with pytest.raises(error, match="seed must be a non-negative integer"):
        make(seed=seed)


def test_numpy_integers_are_integers():
    X, t = data.spirals(m=30, classes=np.int64(3), seed=np.int64(1))
    assert set(t) == {0, 1, 2}
    np.testing.assert_array_equal(X, data.spirals(m=30, classes=3, seed=1)[0])
