"""Gradient checking utilities and the seeded toy data generators."""

from __future__ import annotations

import numpy as np
import pytest

from bpnotes import data
from bpnotes.gradcheck import check_gradient, numerical_gradient, relative_error


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
    assert not wrong.passed and wrong.error == pytest.approx(1 / 3, rel=1e-6)
    assert "FAILED" in str(wrong)


def test_relative_error_is_scale_free():
    a = np.array([1.0, 1e-9])
    assert relative_error(a, a * (1 + 1e-6)) == pytest.approx(5e-7, rel=1e-3)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))


def test_bad_eps():
    with pytest.raises(ValueError, match="eps must be a positive number"):
        numerical_gradient(lambda x: 0.0, np.zeros(1), eps=0)


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


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: data.xor(m=2), ValueError, "m must be at least 4"),
        (lambda: data.moons(m=1.5), TypeError, "m must be an integer"),
        (lambda: data.noisy_linear(noise=-1), ValueError, "noise must be >= 0"),
        (lambda: data.spirals(classes=1), ValueError, "classes must be an integer >= 2"),
        (lambda: data.blobs(spread=0), ValueError, "spread must be > 0"),
        (lambda: data.noisy_linear(w=()), ValueError, "w must be a non-empty"),
    ],
)
def test_bad_generator_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
