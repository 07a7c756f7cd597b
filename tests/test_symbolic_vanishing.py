"""Sympy derivations of the vanishing-deltas chapter, and the delta-norm reference of its
exercises (the checkers themselves are tested in tests/test_exercises.py).

Oracles: numpy evaluation of the activations on fine grids, numpy's SVD, Monte Carlo
estimates of expectations, brute-force loops, and the MLP's own backpropagation.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from bpnotes import vanishing
from bpnotes.activations import sigmoid
from bpnotes.exercises import vanishing as ex
from bpnotes.symbolic import vanishing as sym

GRID = np.linspace(-12.0, 12.0, 240_001)


# ---------------------------------------------------------------- slopes
def test_sigmoid_slope_maximum_matches_a_fine_grid():
    facts = sym.sigmoid_slope()
    s = sigmoid(GRID)
    numeric = s * (1 - s)
    assert float(facts.maximum) == pytest.approx(numeric.max(), abs=1e-12)
    assert GRID[np.argmax(numeric)] == pytest.approx(float(facts.argmax), abs=1e-9)
    derivative = sp.lambdify(sp.Symbol("z", real=True), facts.derivative, "numpy")
    np.testing.assert_allclose(derivative(GRID[::1000]), numeric[::1000], rtol=1e-10, atol=1e-15)
    gap = sp.lambdify(sp.Symbol("a", real=True), facts.gap, "numpy")
    np.testing.assert_allclose(0.25 - numeric[::1000], gap(s[::1000]), atol=1e-15)


def test_tanh_slope_maximum_matches_a_fine_grid():
    facts = sym.tanh_slope()
    numeric = 1 - np.tanh(GRID) ** 2
    assert float(facts.maximum) == pytest.approx(numeric.max(), abs=1e-12)
    assert GRID[np.argmax(numeric)] == pytest.approx(0.0, abs=1e-9)
    gap = sp.lambdify(sp.Symbol("a", real=True), facts.gap, "numpy")
    np.testing.assert_allclose(1 - numeric, gap(np.tanh(GRID)), atol=1e-15)


# ---------------------------------------------------------------- the bound
@pytest.mark.parametrize("n", [1, 2, 4])
def test_diagonal_gap_evaluates_correctly(n):
    left, right = sym.diagonal_gap(n)
    rng = np.random.default_rng(n)
    c, d, v = 0.25, rng.uniform(0, 0.25, n), rng.normal(size=n)
    values = {sp.Symbol("c", nonnegative=True): c}
    values.update({sp.Symbol(f"d{j + 1}", nonnegative=True): d[j] for j in range(n)})
    values.update({sp.Symbol(f"v{j + 1}", real=True): v[j] for j in range(n)})
    expected = c**2 * v @ v - (d * v) @ (d * v)
    assert float(left.subs(values)) == pytest.approx(expected, rel=1e-12)
    assert float(right.subs(values)) == pytest.approx(expected, rel=1e-12)
    assert expected >= 0


def test_diagonal_gap_rejects_bad_n():
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="n"):
            sym.diagonal_gap(bad)


def test_spectral_gap_against_numpy_svd():
    left, right = sym.spectral_gap()
    names = ["theta", "phi", "varsigma1", "varsigma2", "delta1", "delta2"]
    symbols = sorted(right.free_symbols | left.free_symbols, key=lambda s: names.index(s.name))
    f_left = sp.lambdify(symbols, left, "numpy")
    f_right = sp.lambdify(symbols, right, "numpy")
    rng = np.random.default_rng(0)
    for _ in range(20):
        theta, phi = rng.uniform(0, 2 * np.pi, 2)
        s1, s2 = np.sort(rng.uniform(0, 3, 2))[::-1]
        delta = rng.normal(size=2)
        rot = lambda t: np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])  # noqa: E731
        W = rot(theta) @ np.diag([s1, s2]) @ rot(phi).T
        assert np.linalg.svd(W, compute_uv=False)[0] == pytest.approx(s1)
        expected = s1**2 * delta @ delta - np.sum((W.T @ delta) ** 2)
        args = (theta, phi, s1, s2, *delta)
        assert f_left(*args) == pytest.approx(expected, abs=1e-10)
        assert f_right(*args) == pytest.approx(expected, abs=1e-10)
        assert expected >= -1e-12


def test_unrolled_bound_is_the_product_of_layer_factors():
    bound, (c, w, L, l_) = sym.unrolled_bound()
    for L_val, l_val in [(10, 3), (5, 4), (20, 1)]:
        value = float(bound.subs({c: 0.25, w: 1.7, L: L_val, l_: l_val}))
        assert value == pytest.approx(math.prod([0.25 * 1.7] * (L_val - l_val)), rel=1e-12)


@given(
    exponent=st.integers(1, 9),
    slope=st.sampled_from([0.25, 0.5, 1.0]),
    norm=st.sampled_from([0.1, 0.5, 0.9, 1.0, 1.5, 2.0, 3.0, 3.5, 3.9]),
)
def test_layers_to_shrink_against_a_loop(exponent, slope, norm):
    if slope * norm >= 1:
        return
    k = int(sym.layers_to_shrink(10.0 ** (-exponent), slope=slope, norm=norm))
    # Brute force in exact fractions: the first k with (slope·norm)^k <= 10^-exponent.
    rate = Fraction(str(slope)) * Fraction(str(norm))
    brute = 1
    while rate**brute > Fraction(1, 10**exponent):
        brute += 1
    assert k == brute


def test_layers_to_shrink_rejects_bad_input():
    with pytest.raises(ValueError, match="factor"):
        sym.layers_to_shrink(2.0)
    with pytest.raises(ValueError, match="factor"):
        sym.layers_to_shrink(0)
    with pytest.raises(ValueError, match="slope"):
        sym.layers_to_shrink(1e-3, slope=0.25, norm=4)
    with pytest.raises(ValueError, match="slope"):
        sym.layers_to_shrink(1e-3, slope=-1)


# ---------------------------------------------------------------- variance argument
def test_relu_mean_square_slope_against_monte_carlo():
    value = float(sym.relu_mean_square_slope())
    z = np.random.default_rng(0).normal(scale=2.3, size=200_000)
    assert value == pytest.approx(np.mean((z > 0).astype(float) ** 2), abs=0.01)


def test_variance_gain_against_monte_carlo():
    gain, (n, s, g) = sym.variance_gain()
    rng = np.random.default_rng(1)
    n_val, s_val, trials = 8, 0.4, 100_000
    W = rng.normal(scale=s_val, size=(trials, n_val))
    delta = rng.normal(scale=1.5, size=(trials, n_val))
    slope = rng.uniform(0.0, 1.0, size=trials)   # independent slopes with E[f'²] = 1/3
    component = slope * np.sum(W * delta, axis=1)
    predicted = float(gain.subs({n: n_val, s: s_val, g: sp.Rational(1, 3)})) * 1.5**2
    assert np.var(component) == pytest.approx(predicted, rel=0.03)


@pytest.mark.parametrize(("n_next", "n_here"), [(2, 3), (8, 3), (3, 12)])
def test_norm_gain_against_monte_carlo_with_unequal_widths(n_next, n_here):
    gain, (n_l, s, g) = sym.norm_gain()
    rng = np.random.default_rng(n_next * 100 + n_here)
    s_val, trials = 0.3, 40_000
    W = rng.normal(scale=s_val, size=(trials, n_next, n_here))
    delta = rng.normal(scale=0.7, size=(trials, n_next))
    slopes = rng.uniform(0.0, 1.0, size=(trials, n_here))   # E[f'²] = 1/3
    below = slopes * np.einsum("tkj,tk->tj", W, delta)      # f' ⊙ Wᵀδ per trial
    measured = np.mean(np.sum(below**2, axis=1)) / np.mean(np.sum(delta**2, axis=1))
    predicted = float(gain.subs({n_l: n_here, s: s_val, g: sp.Rational(1, 3)}))
    assert measured == pytest.approx(predicted, rel=0.03)
    # per component the factor counts the rows instead: eq. (vd-variance)
    per_component, (n, s2, g2) = sym.variance_gain()
    component = float(per_component.subs({n: n_next, s2: s_val, g2: sp.Rational(1, 3)}))
    assert np.var(below[:, 0]) / np.var(delta[:, 0]) == pytest.approx(component, rel=0.03)


def test_preserving_variance_gives_he_and_lecun():
    n = sp.Symbol("n", positive=True)
    assert sp.simplify(sym.preserving_variance(sp.Rational(1, 2)) - 2 / n) == 0
    assert sp.simplify(sym.preserving_variance(1) - 1 / n) == 0
    assert sp.simplify(sym.preserving_variance(0.0625) - 16 / n) == 0
    for bad in (0, -0.5):
        with pytest.raises(ValueError, match="mean_square_slope"):
            sym.preserving_variance(bad)


# ---------------------------------------------------------------- the exercises' reference
def test_reference_delta_norms_agree_with_the_mlp():
    X, Y = vanishing.probe_data(30)
    for activation in ("sigmoid", "tanh", "relu", "identity"):
        net = vanishing.deep_network(5, activation=activation, width=6, seed=2)
        for b in net.biases:
            b[:] = 0.1
        zs, a = [], X
        for W, b in zip(net.weights, net.biases, strict=True):
            z = a @ W.T + b
            zs.append(z)
            a = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda t: np.maximum(t, 0),
                 "identity": lambda t: t}[activation](z)
        a_out = sigmoid(zs[-1])
        norms = ex.reference_delta_norms(net.weights, zs, a_out - Y, activation)
        np.testing.assert_allclose(norms, vanishing.delta_norms(net, X, Y), rtol=1e-10)
