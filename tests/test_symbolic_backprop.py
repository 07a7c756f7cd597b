"""Tests of bpnotes.symbolic.backprop: sympy brute force against the delta rule."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from bpnotes import MLP
from bpnotes.symbolic import backprop as sbp


@pytest.mark.parametrize("pairing", list(sbp.PAIRINGS))
@pytest.mark.parametrize("n", [2, 3])
def test_output_deltas_are_exact(pairing, n):
    brute, claimed = sbp.output_delta_check(pairing, n=n)
    assert sp.simplify(brute - claimed) == sp.zeros(n, 1)


def test_wrong_output_delta_is_detected():
    """Swap claims: sigmoid + squared is NOT o − y, and softmax + CE is not (o−y)o(1−o)."""
    brute, _ = sbp.output_delta_check("sigmoid+squared", n=2)
    z = sp.symbols("z1:3", real=True)
    y = sp.symbols("y1:3", real=True)
    o = [sbp.sigmoid(v) for v in z]
    wrong = sp.Matrix([ok - yk for ok, yk in zip(o, y, strict=True)])
    point = {z[0]: 0.3, z[1]: -1.2, y[0]: 1, y[1]: 0}
    assert abs(float((brute - wrong)[0].subs(point))) > 1e-3


@pytest.mark.parametrize("pairing", list(sbp.PAIRINGS))
def test_brute_force_equals_delta_rule_at_random_points(pairing):
    net = sbp.small_network(pairing, sizes=(2, 2, 2), m=2, seed=3)
    assert net.largest_difference(points=2, seed=7) < 1e-25


def test_brute_force_equals_delta_rule_for_a_deeper_network():
    net = sbp.small_network("sigmoid+log", sizes=(2, 2, 2, 1), m=1, seed=5)
    assert net.largest_difference(points=2, seed=2) < 1e-25


def test_a_wrong_delta_rule_is_caught(monkeypatch):
    """If the claimed output delta were o − y for sigmoid + squared, the check must fail."""
    net = sbp.small_network("sigmoid+squared", sizes=(2, 2, 1), m=1, seed=0)

    def wrong_claim(pairing, o, y):
        return [ok - yk for ok, yk in zip(o, y, strict=True)]

    monkeypatch.setattr(sbp, "claimed_output_delta", wrong_claim)
    assert net.largest_difference(points=2, seed=0) > 1e-4


def test_symbolic_gradient_matches_the_numeric_mlp():
    """The sympy network and bpnotes.MLP follow the same conventions: same numbers."""
    sym = sbp.small_network("softmax+cross_entropy", sizes=(2, 3, 2), m=2, seed=1)
    rng = np.random.default_rng(0)
    values = {p: float(v) for p, v in zip(sym.parameters, rng.uniform(-1, 1, 17), strict=False)}
    net = MLP([2, 3, 2], hidden="sigmoid", output="softmax", loss="cross_entropy")
    for layer, (W, b) in enumerate(zip(sym.weights, sym.biases, strict=True)):
        net.weights[layer][:] = np.array(W.subs(values), dtype=float)
        net.biases[layer][:] = np.array(b.subs(values), dtype=float).ravel()
    X = np.array(sym.X, dtype=float)
    Y = np.array(sym.Y, dtype=float)
    grads = net.gradients(X, Y)
    brute = sym.brute_force_gradient()
    assert len(sym.parameters) == 17
    for layer, W in enumerate(sym.weights):
        expected = np.array([[float(brute[s].subs(values)) for s in row] for row in W.tolist()])
        np.testing.assert_allclose(grads.weights[layer], expected, rtol=1e-10, atol=1e-14)
    assert float(sym.cost().subs(values)) == pytest.approx(grads.loss, rel=1e-12)


def test_output_bias_can_be_left_out():
    net = sbp.small_network("identity+squared", sizes=(2, 2, 1), m=1, output_bias=False)
    names = {p.name for p in net.parameters}
    assert "b2_1" not in names and "b1_1" in names and len(names) == 8


def test_bad_inputs():
    with pytest.raises(ValueError, match="pairing must be one of"):
        sbp.output_delta_check("tanh+squared")
    with pytest.raises(ValueError, match=">= 2 for softmax"):
        sbp.output_delta_check("softmax+cross_entropy", n=1)
    with pytest.raises(ValueError, match="m must be a positive integer"):
        sbp.small_network("sigmoid+log", m=0)
    with pytest.raises(ValueError, match="X must be m × n_0"):
        sbp.SymbolicNetwork((2, 1), "sigmoid+log", sp.Matrix([[1, 2, 3]]), sp.Matrix([[1]]))
    with pytest.raises(ValueError, match="sizes"):
        sbp.SymbolicNetwork((2,), "sigmoid+log", sp.Matrix([[1, 2]]), sp.Matrix([[1]]))
    with pytest.raises(ValueError, match="pairing"):
        sbp.claimed_output_delta("relu+log", [], [])
