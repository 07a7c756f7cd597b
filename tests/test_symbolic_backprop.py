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


def _loss_of_logits(pairing: str, z: np.ndarray, y: np.ndarray) -> float:
    """ℓ(f(z), y) written in numpy, independently of the sympy module."""
    activation, loss = sbp.PAIRINGS[pairing]
    if activation == "identity":
        o = z
    elif activation == "sigmoid":
        o = 1.0 / (1.0 + np.exp(-z))
    else:
        e = np.exp(z - z.max())
        o = e / e.sum()
    if loss == "squared":
        return float(0.5 * np.sum((o - y) ** 2))
    if loss == "log":
        return float(-np.sum(y * np.log(o) + (1 - y) * np.log(1 - o)))
    return float(-np.sum(y * np.log(o)))


@pytest.mark.parametrize("pairing", list(sbp.PAIRINGS))
@pytest.mark.parametrize("n", [2, 3])
def test_derived_output_delta_steps_check_out(pairing, n):
    derivation = sbp.derive_output_delta(pairing, n=n)
    assert derivation.jacobian_residual == sp.zeros(n, n)
    assert derivation.residual == sp.zeros(n, 1)


@pytest.mark.parametrize("pairing", list(sbp.PAIRINGS))
def test_derived_output_delta_matches_finite_differences(pairing):
    """The product of the two steps, evaluated at o = f(z), is the slope of ℓ in z."""
    rng = np.random.default_rng(4)
    n = 3
    z = rng.normal(size=n)
    y = np.eye(n)[1] if pairing.startswith("softmax") else rng.uniform(0, 1, n)
    activation = sbp.PAIRINGS[pairing][0]
    if activation == "identity":
        o = z
    elif activation == "sigmoid":
        o = 1 / (1 + np.exp(-z))
    else:
        o = np.exp(z) / np.exp(z).sum()
    derivation = sbp.derive_output_delta(pairing, n=n)
    values = {**dict(zip(derivation.o, o, strict=True)), **dict(zip(derivation.y, y, strict=True))}
    derived = np.array([float(v.subs(values)) for v in derivation.product])
    eps = 1e-6
    numeric = np.array([(_loss_of_logits(pairing, z + eps * e, y)
                         - _loss_of_logits(pairing, z - eps * e, y)) / (2 * eps)
                        for e in np.eye(n)])
    np.testing.assert_allclose(derived, numeric, rtol=1e-7, atol=1e-9)


def test_a_wrong_output_jacobian_is_caught(monkeypatch):
    """Forgetting the factor (1 − o) of the sigmoid's slope leaves a non-zero residual."""
    monkeypatch.setattr(sbp, "_output_jacobian", lambda activation, o: sp.diag(*o))
    derivation = sbp.derive_output_delta("sigmoid+log", n=2)
    assert derivation.jacobian_residual != sp.zeros(2, 2)
    assert derivation.residual != sp.zeros(2, 1)


def test_the_softmax_delta_needs_a_target_that_sums_to_one():
    derivation = sbp.derive_output_delta("softmax+cross_entropy", n=2)
    o1 = derivation.o[0]
    y1, y2 = derivation.y
    assert sp.expand(derivation.product[0] - (o1 * (y1 + y2) - y1)) == 0
    assert derivation.assumption == {y2: 1 - y1}
    assert sp.simplify(derivation.product[0] - (o1 - y1)) != 0   # not without the assumption


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


@pytest.mark.parametrize("pairing", list(sbp.PAIRINGS))
def test_brute_force_equals_delta_rule_with_two_hidden_layers(pairing):
    """Two hidden layers, so that the delta rule's recursion itself is tested."""
    net = sbp.small_network(pairing, sizes=(2, 2, 2, 2), m=2, seed=5)
    assert len(net.weights) == 3
    assert net.largest_difference(points=2, seed=2) < 1e-25


def test_a_wrong_hidden_slope_is_caught_two_layers_down():
    """The brute-force gradient tells a delta rule without the hidden slope a(1 − a) apart
    from the right one, in the first layer of a network with two hidden layers."""
    net = sbp.small_network("identity+squared", sizes=(2, 2, 2, 1), m=1, seed=0)
    _, acts = net.forward(net.X[0, :].T)
    delta = acts[-1] - net.Y[0, :].T                      # δ^3 = o − y
    delta = net.weights[2].T * delta                      # δ^2 without the slope
    delta = net.weights[1].T * delta                      # δ^1 without the slope
    wrong = delta * acts[0].T                             # ∂ℓ/∂W^1 (m = 1)
    brute = net.brute_force_gradient()
    point = {p: sp.Float(k + 1) / 7 for k, p in enumerate(net.parameters)}
    right = net.delta_rule_gradient()
    gaps_right, gaps_wrong = [], []
    for p, w in zip(net.weights[0], wrong, strict=True):
        gaps_right.append(abs(float(brute[p].xreplace(point) - right[p].xreplace(point))))
        gaps_wrong.append(abs(float(brute[p].xreplace(point) - w.xreplace(point))))
    assert max(gaps_right) < 1e-12
    assert max(gaps_wrong) > 1e-3


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
