"""Tests of bpnotes.backprop: the chapter's worked example, the per-example accumulation,
bias folding, the per-layer gradient check and the single-weight chain rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpnotes import MLP
from bpnotes import backprop as bp

PAIRINGS = [("identity", "squared"), ("sigmoid", "log"), ("softmax", "cross_entropy"),
            ("sigmoid", "squared"), ("sigmoid", "cross_entropy")]


def _sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def _hand_worked_example():
    """The worked example computed by hand, unit by unit, with scalars only."""
    x1 = 1.0
    w = {"x1h1": 0.5, "x1h2": -0.2, "b1": 0.3, "b2": 0.7, "b3": -0.1,
         "h1h4": -0.5, "h2h4": 0.4, "h1h5": 0.3, "h2h5": 0.6, "h3h5": 0.4,
         "h4o": 0.5, "h5o": 0.7}

    def forward(p):
        h1 = _sig(p["x1h1"] * x1 + p["b1"])
        h2 = _sig(p["x1h2"] * x1 + p["b2"])
        h3 = _sig(p["b3"])
        h4 = _sig(p["h1h4"] * h1 + p["h2h4"] * h2)
        h5 = _sig(p["h1h5"] * h1 + p["h2h5"] * h2 + p["h3h5"] * h3)
        o = _sig(p["h4o"] * h4 + p["h5o"] * h5)
        return h1, h2, h3, h4, h5, o

    h1, h2, h3, h4, h5, o = forward(w)
    d_o = o - 1.0
    d4 = h4 * (1 - h4) * w["h4o"] * d_o
    d5 = h5 * (1 - h5) * w["h5o"] * d_o
    d1 = h1 * (1 - h1) * (w["h1h4"] * d4 + w["h1h5"] * d5)
    d2 = h2 * (1 - h2) * (w["h2h4"] * d4 + w["h2h5"] * d5)
    d3 = h3 * (1 - h3) * (w["h3h5"] * d5)
    grads = {"x1h1": d1 * x1, "x1h2": d2 * x1, "b1": d1, "b2": d2, "b3": d3,
             "h1h4": d4 * h1, "h2h4": d4 * h2, "h1h5": d5 * h1, "h2h5": d5 * h2,
             "h3h5": d5 * h3, "h4o": d_o * h4, "h5o": d_o * h5}
    new = {k: v - 0.5 * grads[k] for k, v in w.items()}
    return {"acts": (h1, h2, h3, h4, h5, o), "deltas": (d1, d2, d3, d4, d5, d_o),
            "new": new, "o_after": forward(new)[-1]}


def test_worked_example_matches_hand_computation():
    hand = _hand_worked_example()
    before, after = bp.worked_example()
    acts = np.concatenate(before.activations[1:])
    deltas = np.concatenate(before.deltas)
    np.testing.assert_allclose(acts, hand["acts"], rtol=1e-12)
    np.testing.assert_allclose(deltas, hand["deltas"], rtol=1e-10)
    new = hand["new"]
    np.testing.assert_allclose(after.weights[0], [[new["x1h1"], 0], [new["x1h2"], 0], [0, 0]],
                               rtol=1e-12)
    np.testing.assert_allclose(after.biases[0], [new["b1"], new["b2"], new["b3"]], rtol=1e-12)
    np.testing.assert_allclose(after.weights[1], [[new["h1h4"], new["h2h4"], 0],
                                                  [new["h1h5"], new["h2h5"], new["h3h5"]]],
                               rtol=1e-12)
    np.testing.assert_allclose(after.weights[2], [[new["h4o"], new["h5o"]]], rtol=1e-12)
    assert after.prediction[0] == pytest.approx(hand["o_after"], rel=1e-12)
    # The numbers stated in the issue and the chapter.
    assert round(hand["acts"][-1], 4) == 0.6718 and round(hand["o_after"], 4) == 0.6981


def test_worked_example_missing_links_stay_zero_and_deltas_shrink():
    before, after = bp.worked_example()
    assert after.weights[1][0, 2] == 0.0 and after.weights[0][2, 0] == 0.0
    assert np.all(after.biases[1] == 0.0) and np.all(after.biases[2] == 0.0)
    means = [np.mean(np.abs(d)) for d in before.deltas]
    assert means[0] < means[1] < means[2]
    assert after.prediction[0] > before.prediction[0]


@st.composite
def networks(draw):
    output, loss = draw(st.sampled_from(PAIRINGS))
    hidden = draw(st.sampled_from(["sigmoid", "tanh", "relu", "identity"]))
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    sizes = [draw(st.integers(1, 4)), *sizes]
    if output == "softmax" and sizes[-1] < 2:
        sizes[-1] = 2
    seed = draw(st.integers(0, 10_000))
    l2 = draw(st.sampled_from([0.0, 0.3, 2.0]))
    net = MLP(sizes, hidden=hidden, output=output, loss=loss, l2=l2, seed=seed)
    rng = np.random.default_rng(seed)
    for b in net.biases:
        b[:] = rng.normal(size=b.shape)
    m = draw(st.integers(1, 6))
    X = rng.normal(size=(m, sizes[0]))
    if loss == "cross_entropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    elif loss == "squared":
        Y = rng.normal(size=(m, sizes[-1]))
    else:
        Y = rng.integers(0, 2, (m, sizes[-1])).astype(float)
    return net, X, Y


@settings(max_examples=40, deadline=None)
@given(networks())
def test_accumulation_equals_vectorised_gradient(case):
    net, X, Y = case
    loop_w, loop_b = bp.accumulated_gradients(net, X, Y)
    batch = net.gradients(X, Y)
    for a, b in zip(loop_w + loop_b, batch.weights + batch.biases, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(networks(), st.floats(0.1, 5.0))
def test_l2_changes_weight_gradients_by_lambda_w_over_m_and_leaves_biases(case, lam):
    net, X, Y = case
    net.l2 = 0.0
    plain_w, plain_b = bp.accumulated_gradients(net, X, Y)
    net.l2 = lam
    reg_w, reg_b = bp.accumulated_gradients(net, X, Y)
    m = X.shape[0]
    for p, r, W in zip(plain_w, reg_w, net.weights, strict=True):
        np.testing.assert_allclose(r - p, lam / m * W, rtol=1e-9, atol=1e-12)
    for p, r in zip(plain_b, reg_b, strict=True):
        np.testing.assert_array_equal(p, r)


@settings(max_examples=30, deadline=None)
@given(networks())
def test_bias_folding_gives_the_same_gradients(case):
    net, X, Y = case
    batch = net.gradients(X, Y)
    folded = bp.folded_gradients(net, X, Y)
    for f, gw, gb in zip(folded, batch.weights, batch.biases, strict=True):
        np.testing.assert_allclose(f[:, 0], gb, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(f[:, 1:], gw, rtol=1e-10, atol=1e-12)
    weights, biases = bp.unfold_biases(bp.fold_biases(net.weights, net.biases))
    for a, b in zip(weights + biases, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(a, b)


def test_accumulation_and_folding_respect_missing_connections():
    net = bp.worked_example_network()
    X, Y = np.array([[1.0, 0.0], [0.3, -0.8]]), np.array([[1.0], [0.0]])
    loop_w, loop_b = bp.accumulated_gradients(net, X, Y)
    folded = bp.folded_gradients(net, X, Y)
    assert loop_w[1][0, 2] == 0.0 and loop_w[0][2, 1] == 0.0 and np.all(loop_b[2] == 0)
    assert folded[1][0, 3] == 0.0 and np.all(folded[1][:, 0] == 0.0)
    # x2 -> h1 exists and x2 != 0 in the second example, so its gradient is non-zero.
    assert loop_w[0][0, 1] != 0.0


def _finite_difference(net, X, Y, layer, j, k, eps=1e-6):
    W = net.weights[layer - 1]
    original = W[j - 1, k - 1]
    W[j - 1, k - 1] = original + eps
    plus = net.cost(X, Y)
    W[j - 1, k - 1] = original - eps
    minus = net.cost(X, Y)
    W[j - 1, k - 1] = original
    return (plus - minus) / (2 * eps)


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_weight_chain_factors_multiply_to_the_finite_difference(seed):
    net = bp.four_two_two_one(seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(1, 4)), np.array([[0.7]])
    chain = bp.weight_chain(net, X, Y, layer=2, j=2, k=2)
    # Independent: s − y from the forward pass, times W^3_12; sigma' from a^2_2; a^1_2.
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    a1 = sig(net.weights[0] @ X[0] + net.biases[0])
    a2 = sig(net.weights[1] @ a1 + net.biases[1])
    s = float((net.weights[2] @ a2)[0])
    assert chain.grad_a[0] == pytest.approx((s - 0.7) * net.weights[2][0, 1], rel=1e-12)
    assert chain.f_prime[0] == pytest.approx(a2[1] * (1 - a2[1]), rel=1e-12)
    assert chain.a_prev[0] == pytest.approx(a1[1], rel=1e-12)
    assert chain.gradient == pytest.approx(_finite_difference(net, X, Y, 2, 2, 2), abs=1e-8)
    assert chain.product[0] == pytest.approx(chain.gradient, rel=1e-12)


def test_four_two_two_one_has_a_linear_output_without_bias():
    net = bp.four_two_two_one()
    assert [w.shape for w in net.weights] == [(2, 4), (2, 2), (1, 2)]
    assert net.output.name == "identity" and net.hidden.name == "sigmoid"
    g = net.gradients(np.ones((3, 4)), np.zeros((3, 1)))
    assert g.biases[2][0] == 0.0 and net.biases[2][0] == 0.0


def test_network_state_matches_forward_pass():
    net = MLP([3, 2, 2], hidden="relu", output="softmax", loss="cross_entropy", seed=7)
    x, y = np.array([0.2, -1.0, 0.5]), np.array([0.0, 1.0])
    state = bp.network_state(net, x, y)
    np.testing.assert_allclose(state.prediction, net.forward(x[None])[0])
    np.testing.assert_allclose(state.deltas[-1], state.prediction - y, atol=1e-15)
    assert state.loss == pytest.approx(-math.log(state.prediction[1]))


def test_train_variants_start_from_the_same_network():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(12, 2)), rng.integers(0, 2, (12, 1)).astype(float)
    make = lambda: MLP([2, 3, 1], output="sigmoid", loss="log", seed=1)  # noqa: E731
    hist = bp.train_variants(make, X, Y, {"full": {"lr": 0.5, "epochs": 5},
                                          "k=m": {"lr": 0.5, "epochs": 5, "batch_size": 12},
                                          "sgd": {"lr": 0.5, "epochs": 5, "batch_size": 1}})
    assert hist["full"].losses[0] == hist["sgd"].losses[0]
    np.testing.assert_allclose(hist["full"].losses, hist["k=m"].losses, rtol=1e-12)
    assert not np.allclose(hist["full"].losses, hist["sgd"].losses)


# ---------------------------------------------------------------- bad input
def test_bad_inputs_are_rejected_with_named_arguments():
    net = bp.four_two_two_one()
    X, Y = np.ones((1, 4)), np.ones((1, 1))
    with pytest.raises(TypeError, match="net must be a bpnotes.MLP"):
        bp.accumulated_gradients("net", X, Y)
    with pytest.raises(ValueError, match="X must have 4 columns"):
        bp.folded_gradients(net, np.ones((1, 3)), Y)
    with pytest.raises(ValueError, match="layer must be between 1 and 2"):
        bp.weight_chain(net, X, Y, layer=3, j=1, k=1)
    with pytest.raises(TypeError, match="j must be an integer"):
        bp.weight_chain(net, X, Y, layer=2, j=1.0, k=1)
    with pytest.raises(ValueError, match=r"W\^2 has shape \(2, 2\), so j must be in 1..2"):
        bp.weight_chain(net, X, Y, layer=2, j=3, k=1)
    with pytest.raises(ValueError, match="x must have length 4"):
        bp.network_state(net, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="lr must be > 0"):
        bp.worked_example(lr=-1.0)
    with pytest.raises(ValueError, match="same length"):
        bp.fold_biases(net.weights, net.biases[:2])
    with pytest.raises(ValueError, match="layer 1"):
        bp.fold_biases([np.ones((2, 3))], [np.ones(3)])
    with pytest.raises(ValueError, match="thetas"):
        bp.unfold_biases([np.ones(3)])
    with pytest.raises(TypeError, match="make_net"):
        bp.train_variants(None, X, Y, {"a": {}})
    with pytest.raises(ValueError, match="variants"):
        bp.train_variants(lambda: net, X, Y, {})


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: bp.unfold_biases(5), TypeError, "thetas must be a non-empty list"),
        (lambda: bp.unfold_biases([]), TypeError, "thetas must be a non-empty list"),
        (lambda: bp.unfold_biases([np.ones((2, 1))]), ValueError, "a bias column and at least"),
        (lambda: bp.unfold_biases([[[1.0, 2.0], [3.0]]]), ValueError,
         r"thetas\[0\] must be a rectangular"),
        (lambda: bp.fold_biases("W", "b"), TypeError, "weights must be a non-empty list"),
        (lambda: bp.fold_biases([np.ones((2, 2))], [np.ones(2) * 1j]), TypeError,
         r"biases\[0\] must contain real numbers"),
        (lambda: bp.fold_biases([np.ones(2)], [np.ones(2)]), ValueError,
         r"weights\[0\] must be 2-D"),
        (lambda: bp.four_two_two_one(seed=-1), ValueError, "seed must be a non-negative"),
        (lambda: bp.four_two_two_one(seed=None), TypeError, "seed must be a non-negative"),
        (lambda: bp.train_variants(lambda: 5, np.ones((1, 2)), np.ones((1, 1)), {"a": {}}),
         TypeError, "make_net must return a bpnotes.MLP"),
        (lambda: bp.train_variants(lambda: MLP([2, 1]), np.ones((1, 2)), np.ones((1, 1)),
                                   {"a": 0.1}), TypeError, r"variants\['a'\] must be a mapping"),
    ],
)
def test_more_bad_inputs_are_rejected_with_named_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_weight_chain_needs_a_hidden_layer():
    net = MLP([2, 1], output="identity")
    with pytest.raises(ValueError, match="net has no hidden layer"):
        bp.weight_chain(net, np.ones((1, 2)), np.ones((1, 1)), layer=1, j=1, k=1)


def test_results_do_not_alias_the_inputs():
    net = bp.four_two_two_one(2)
    X, Y = np.random.default_rng(0).normal(size=(3, 4)), np.zeros((3, 1))
    chain = bp.weight_chain(net, X, Y, layer=1, j=1, k=2)  # a_prev is a column of X
    np.testing.assert_array_equal(chain.a_prev, X[:, 1])
    assert not np.shares_memory(chain.a_prev, X)
    chain.a_prev[:] = 99.0
    assert np.all(X != 99.0)
    W, b = [np.ones((2, 3))], [np.zeros(2)]
    weights, biases = bp.unfold_biases(bp.fold_biases(W, b))
    assert not np.shares_memory(weights[0], W[0]) and not np.shares_memory(biases[0], b[0])


# ---------------------------------------------------------------- many starts side by side
SIDE_BY_SIDE = [
    # sizes, hidden, output, loss, l2, train settings
    ([2, 2, 1], "sigmoid", "sigmoid", "log", 0.0, {"lr": 1.0}),
    ([2, 2, 1], "sigmoid", "sigmoid", "log", 0.0, {"lr": 1.0, "momentum": 0.9}),
    ([3, 4, 3, 2], "tanh", "softmax", "cross_entropy", 0.3, {"lr": 0.5}),
    ([2, 3, 2], "relu", "identity", "squared", 0.0, {"lr": 0.1, "momentum": 0.5}),
    ([2, 3, 2], "sigmoid", "sigmoid", "cross_entropy", 0.0, {"lr": 2.0}),
]


@pytest.mark.parametrize("case", SIDE_BY_SIDE)
def test_side_by_side_training_equals_training_one_by_one(case):
    sizes, hidden, output, loss, l2, settings = case
    rng = np.random.default_rng(5)
    X = rng.normal(size=(9, sizes[0]))
    labels = rng.integers(0, sizes[-1], 9)
    Y = (np.eye(sizes[-1])[labels] if loss == "cross_entropy"
         else rng.integers(0, 2, (9, sizes[-1])).astype(float))

    def make(seed):
        return MLP(sizes, hidden=hidden, output=output, loss=loss, l2=l2, seed=seed,
                   init="normal")

    together = [make(seed) for seed in range(4)]
    together[1].set_connections(weights=[np.eye(*w.shape, dtype=bool) | (rng.random(w.shape) > .5)
                                         for w in together[1].weights])
    alone = [make(seed) for seed in range(4)]
    alone[1].set_connections(weights=together[1].weight_masks)
    history = bp.train_side_by_side(together, X, Y, epochs=25, **settings)
    for n, (a, b) in enumerate(zip(together, alone, strict=True)):
        reference = b.train(X, Y, epochs=25, epoch_cost="full", **settings)
        np.testing.assert_allclose(history.losses[:, n], reference.losses, rtol=1e-10, atol=0)
        assert history.diverged[n] == reference.diverged
        for p, q in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
            np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-13)
    assert history.losses.shape == (26, 4)


def test_side_by_side_training_reports_a_blow_up_for_every_run():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 2)) * 50, rng.normal(size=(6, 1))
    nets = [MLP([2, 3, 1], hidden="relu", output="identity", loss="squared", seed=s)
            for s in range(3)]
    alone = MLP([2, 3, 1], hidden="relu", output="identity", loss="squared", seed=0)
    reference = alone.train(X, Y, lr=5.0, epochs=50, epoch_cost="full")
    assert reference.diverged
    history = bp.train_side_by_side(nets, X, Y, lr=5.0, epochs=50)
    assert np.all(history.diverged) and len(history.losses) < 51
    assert np.all(np.isfinite(history.losses))
    assert all(np.all(np.isfinite(p)) for net in nets for p in net.weights + net.biases)


@pytest.mark.parametrize(
    ("nets", "error", "match"),
    [
        ([], TypeError, "nets must be a non-empty list"),
        (MLP([2, 1]), TypeError, "nets must be a non-empty list"),
        ([MLP([2, 1]), "net"], TypeError, "net must be a bpnotes.MLP"),
        ([MLP([2, 1]), MLP([2, 2, 1])], ValueError, r"nets\[1\] differs from nets\[0\]"),
        ([MLP([2, 1]), MLP([2, 1], output="identity")], ValueError, r"nets\[1\] differs"),
    ],
)
def test_side_by_side_training_rejects_bad_networks(nets, error, match):
    with pytest.raises(error, match=match):
        bp.train_side_by_side(nets, np.ones((2, 2)), np.ones((2, 1)), lr=0.1, epochs=1)


def test_side_by_side_training_rejects_a_network_given_twice_and_bad_settings():
    net = MLP([2, 1])
    with pytest.raises(ValueError, match="distinct"):
        bp.train_side_by_side([net, net], np.ones((2, 2)), np.ones((2, 1)), lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        bp.train_side_by_side([net], np.ones((2, 2)), np.ones((2, 1)), lr=0.0, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        bp.train_side_by_side([net], np.ones((2, 2)), np.ones((2, 1)), lr=0.1, epochs=-1)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        bp.train_side_by_side([net], np.ones((2, 3)), np.ones((2, 1)), lr=0.1, epochs=1)
