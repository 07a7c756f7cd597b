"""The MLP contract: shapes, gradients (finite differences, PyTorch), training, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch  # the independent autodiff oracle (installed by the test requirements)
from hypothesis import given
from hypothesis import strategies as st

from bpnotes import MLP
from bpnotes.gradcheck import numerical_gradient, relative_error

PAIRS = [
    ("identity", "squared"),
    ("sigmoid", "squared"),
    ("sigmoid", "log"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
    ("softmax", "squared"),
]
HIDDEN = ["sigmoid", "tanh", "relu", "identity"]


def make_targets(output: str, loss: str, m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "cross_entropy":
        if output == "softmax" or n == 1:
            return np.eye(n)[rng.integers(0, n, size=m)]
        return rng.dirichlet(np.ones(n), size=m)
    if loss == "log":
        return rng.integers(0, 2, size=(m, n)).astype(float)
    return rng.normal(size=(m, n))


@st.composite
def problems(draw):
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    output, loss = draw(st.sampled_from(PAIRS))
    if output == "softmax" and sizes[-1] == 1:
        sizes[-1] = 2
    hidden = draw(st.sampled_from(HIDDEN))
    l2 = draw(st.sampled_from([0.0, 0.1, 2.5]))
    m = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    net = MLP(sizes, hidden=hidden, output=output, loss=loss, l2=l2, seed=seed)
    for b in net.biases:
        b[:] = rng.normal(scale=0.5, size=b.shape)
    X = rng.normal(size=(m, sizes[0]))
    Y = make_targets(output, loss, m, sizes[-1], rng)
    return net, X, Y


def numeric_parameter_gradients(net: MLP, X, Y):
    """Finite differences of net.cost with respect to every weight and bias."""
    grads = []
    for params in (net.weights, net.biases):
        layer_grads = []
        for layer, p in enumerate(params):

            def cost_at(value, params=params, layer=layer):
                saved = params[layer]
                params[layer] = value
                try:
                    return net.cost(X, Y)
                finally:
                    params[layer] = saved

            layer_grads.append(numerical_gradient(cost_at, p))
        grads.append(layer_grads)
    return grads


@given(problems())
def test_gradients_equal_finite_differences(problem):
    net, X, Y = problem
    # ReLU has a kink at 0: finite differences straddling it are meaningless.
    if net.hidden.name == "relu":
        zs, _ = net._forward_pass(X)
        if any(np.min(np.abs(z)) < 1e-4 for z in zs[:-1]):
            return
    g = net.gradients(X, Y)
    num_w, num_b = numeric_parameter_gradients(net, X, Y)
    for analytic, numeric in zip(g.weights + g.biases, num_w + num_b, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
    assert g.loss == pytest.approx(net.cost(X, Y), rel=1e-12)


@given(problems())
def test_deltas_are_per_example_derivatives_with_respect_to_z(problem):
    net, X, Y = problem
    g = net.gradients(X, Y)
    m = X.shape[0]
    for layer, delta in enumerate(g.deltas):
        assert delta.shape == (m, net.sizes[layer + 1])
        # The bias gradient is the mean delta: dC/db = (1/m) sum_i delta_i.
        np.testing.assert_allclose(g.biases[layer], delta.sum(axis=0) / m, rtol=1e-12, atol=1e-15)
        # The weight gradient is the averaged outer product plus the L2 term (eq. bp-grad-w).
        _, acts = net._forward_pass(X)
        expected = delta.T @ acts[layer] / m + net.l2 / m * net.weights[layer]
        np.testing.assert_allclose(g.weights[layer], expected, rtol=1e-12, atol=1e-15)


def torch_cost_and_grads(net: MLP, X: np.ndarray, Y: np.ndarray):
    """An independent implementation of eq. (bp-cost) in PyTorch, differentiated by autograd."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    hidden = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "identity": lambda t: t,
    }[net.hidden.name]
    a = torch.tensor(X, dtype=torch.float64)
    y = torch.tensor(Y, dtype=torch.float64)
    for layer, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        z = a @ W.T + b
        a = hidden(z) if layer < len(Ws) - 1 else z
    out, loss = net.output.name, net.loss.name
    if loss == "squared":
        o = {"identity": a, "sigmoid": torch.sigmoid(a), "softmax": torch.softmax(a, dim=1)}[out]
        per_example = 0.5 * ((o - y) ** 2).sum(dim=1)
    elif loss == "log":
        per_example = torch.nn.functional.binary_cross_entropy_with_logits(
            a, y, reduction="none"
        ).sum(dim=1)
    else:
        log_o = (
            torch.log_softmax(a, dim=1) if out == "softmax" else torch.nn.functional.logsigmoid(a)
        )
        per_example = -(y * log_o).sum(dim=1)
    m = X.shape[0]
    cost = per_example.mean() + net.l2 / (2 * m) * sum((W**2).sum() for W in Ws)
    cost.backward()
    return cost.item(), [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]


@given(problems())
def test_gradients_agree_with_pytorch_autograd(problem):
    net, X, Y = problem
    g = net.gradients(X, Y)
    cost, gw, gb = torch_cost_and_grads(net, X, Y)
    assert g.loss == pytest.approx(cost, rel=1e-10, abs=1e-12)
    for ours, theirs in zip(g.weights + g.biases, gw + gb, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_contract_shapes_and_forward():
    net = MLP([3, 5, 2], hidden="tanh", output="identity", loss="squared", seed=1)
    assert [W.shape for W in net.weights] == [(5, 3), (2, 5)]
    assert [b.shape for b in net.biases] == [(5,), (2,)]
    assert all(W.dtype == np.float64 for W in net.weights)
    X = np.arange(12.0).reshape(4, 3) / 10
    expected = np.tanh(X @ net.weights[0].T + net.biases[0]) @ net.weights[1].T + net.biases[1]
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-14)


def test_editing_weights_in_place_changes_the_output():
    net = MLP([2, 2, 1], output="identity", loss="squared")
    X = np.array([[1.0, 2.0]])
    net.weights[1][...] = 0.0
    net.biases[1][...] = 3.0
    np.testing.assert_allclose(net.forward(X), [[3.0]])


def test_seed_makes_initialisation_reproducible():
    a, b, c = MLP([4, 3, 2], seed=7), MLP([4, 3, 2], seed=7), MLP([4, 3, 2], seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_step_is_one_gradient_descent_update_and_returns_the_old_cost():
    rng = np.random.default_rng(0)
    net = MLP([3, 4, 1], hidden="tanh", output="sigmoid", loss="log", l2=0.3, seed=2)
    X, Y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=(8, 1)).astype(float)
    g = net.gradients(X, Y)
    before_w = [W.copy() for W in net.weights]
    before_b = [b.copy() for b in net.biases]
    returned = net.step(X, Y, lr=0.1)
    assert returned == g.loss
    for W, W0, dW in zip(net.weights, before_w, g.weights, strict=True):
        np.testing.assert_allclose(W, W0 - 0.1 * dW, rtol=1e-14)
    for b, b0, db in zip(net.biases, before_b, g.biases, strict=True):
        np.testing.assert_allclose(b, b0 - 0.1 * db, rtol=1e-14)
    assert net.cost(X, Y) < returned  # a small step downhill lowers the cost


def test_l2_leaves_biases_alone():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    plain = MLP([2, 3, 1], output="identity", loss="squared", l2=0.0, seed=4)
    reg = MLP([2, 3, 1], output="identity", loss="squared", l2=5.0, seed=4)
    gp, gr = plain.gradients(X, Y), reg.gradients(X, Y)
    for bp, br in zip(gp.biases, gr.biases, strict=True):
        np.testing.assert_array_equal(bp, br)
    np.testing.assert_allclose(gr.weights[0] - gp.weights[0], 5.0 / 5 * reg.weights[0])
    penalty = 5.0 / (2 * 5) * sum((W**2).sum() for W in reg.weights)
    assert gr.loss == pytest.approx(gp.loss + penalty)


@pytest.mark.parametrize("batch_size", [None, 1, 4])
def test_training_learns_xor(batch_size):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    Y = np.array([[0], [1], [1], [0]], dtype=float)
    net = MLP([2, 8, 1], hidden="tanh", output="sigmoid", loss="log", seed=0)
    history = net.train(X, Y, lr=0.5, epochs=1500, batch_size=batch_size, seed=1)
    assert not history.diverged
    assert len(history.losses) == 1501
    assert history.delta_norms.shape == (1501, 2)
    assert history.losses[-1] < 0.05 * history.losses[0]
    np.testing.assert_array_equal(net.predict(X), Y[:, 0])


def test_training_history_delta_norms_are_mean_per_example_norms():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    net = MLP([3, 4, 4, 2], output="identity", loss="squared", seed=5)
    g0 = net.gradients(X, Y)
    history = net.train(X, Y, lr=0.01, epochs=2)
    expected = [np.mean(np.linalg.norm(d, axis=1)) for d in g0.deltas]
    np.testing.assert_allclose(history.delta_norms[0], expected, rtol=1e-12)


def test_divergent_training_is_reported_without_nan():
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(20, 2)) * 10, rng.normal(size=(20, 1)) * 10
    net = MLP([2, 10, 1], hidden="relu", output="identity", loss="squared", seed=0)
    history = net.train(X, Y, lr=10.0, epochs=200)
    assert history.diverged
    assert len(history.losses) < 201
    assert np.all(np.isfinite(history.losses))


def test_masked_connections_stay_zero_through_training():
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(10, 2)), rng.integers(0, 2, size=(10, 1)).astype(float)
    net = MLP([2, 3, 1], output="sigmoid", loss="log", seed=3)
    mask = np.array([[True, False], [True, True], [False, True]])
    net.set_connections(weights=[mask, None], biases=[None, np.array([False])])
    assert net.weights[0][0, 1] == 0 and net.weights[0][2, 0] == 0 and net.biases[1][0] == 0
    net.train(X, Y, lr=0.5, epochs=20)
    assert net.weights[0][0, 1] == 0 and net.weights[0][2, 0] == 0 and net.biases[1][0] == 0
    assert net.weights[0][1, 1] != 0


def test_float32_networks_compute_in_float32_and_agree_with_float64():
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(16, 4)), np.eye(3)[rng.integers(0, 3, 16)]
    n64 = MLP([4, 8, 3], output="softmax", loss="cross_entropy", seed=9)
    n32 = MLP([4, 8, 3], output="softmax", loss="cross_entropy", seed=9, dtype=np.float32)
    g64, g32 = n64.gradients(X, Y), n32.gradients(X, Y)
    assert all(g.dtype == np.float32 for g in g32.weights + g32.biases)
    for a, b in zip(g64.weights, g32.weights, strict=True):
        assert relative_error(a, b) < 1e-3


def test_saturated_outputs_give_finite_cost_without_warnings():
    net = MLP([1, 1], output="sigmoid", loss="log")
    net.weights[0][...] = 1e4
    X, Y = np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]])
    assert net.cost(X, Y) == pytest.approx(1e4, rel=1e-6)
    g = net.gradients(X, Y)
    assert all(np.all(np.isfinite(w)) for w in g.weights)


# --------------------------------------------------------------------------- bad input
GOOD_X = np.zeros((3, 2))
GOOD_Y = np.zeros((3, 1))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": [3]}, ValueError, "at least 2 entries"),
        ({"sizes": []}, ValueError, "at least 2 entries"),
        ({"sizes": [2, 0, 1]}, ValueError, r"sizes\[1\] must be a positive integer"),
        ({"sizes": [2, -3, 1]}, ValueError, r"sizes\[1\] must be a positive integer"),
        ({"sizes": [2, 2.5, 1]}, TypeError, r"sizes\[1\] must be an integer"),
        ({"sizes": "21"}, TypeError, "sizes must be a sequence"),
        ({"sizes": [2, 1], "hidden": "softmax"}, ValueError, "hidden must be one of"),
        ({"sizes": [2, 1], "output": "relu"}, ValueError, "output must be one of"),
        ({"sizes": [2, 1], "loss": "mse"}, ValueError, "loss must be one of"),
        ({"sizes": [2, 1], "output": "identity", "loss": "log"}, ValueError, "needs output in"),
        ({"sizes": [2, 1], "l2": -0.1}, ValueError, "l2 must be >= 0"),
        ({"sizes": [2, 1], "l2": float("nan")}, ValueError, "l2 must be finite"),
        ({"sizes": [2, 1], "dtype": np.int32}, TypeError, "dtype must be"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**kwargs)


@pytest.mark.parametrize(
    ("X", "Y", "match"),
    [
        (np.zeros(2), GOOD_Y, "X must be 2-D"),
        (np.zeros((3, 3)), GOOD_Y, "X must have 2 columns"),
        (np.zeros((0, 2)), GOOD_Y, "X must not be empty"),
        (np.array([[0.0, np.nan]] * 3), GOOD_Y, "X must be finite"),
        (np.array([[0.0, np.inf]] * 3), GOOD_Y, "X must be finite"),
        (GOOD_X, np.zeros((4, 1)), "Y must have one row per row of X"),
        (GOOD_X, np.zeros((3, 2)), "Y must have 1 columns"),
        (GOOD_X, np.array([[np.nan]] * 3), "Y must be finite"),
        (GOOD_X, np.array([[2.0], [0.0], [1.0]]), r"Y must lie in \[0, 1\]"),
    ],
)
def test_bad_data_for_log_loss(X, Y, match):
    net = MLP([2, 3, 1], output="sigmoid", loss="log")
    before = [W.copy() for W in net.weights]
    with pytest.raises(ValueError, match=match):
        net.gradients(X, Y)
    with pytest.raises(ValueError, match=match):
        net.step(X, Y, lr=0.1)
    assert all(np.array_equal(W, B) for W, B in zip(net.weights, before, strict=True))


def test_string_and_object_inputs_are_type_errors():
    net = MLP([2, 1])
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        net.forward("abc")
    with pytest.raises(TypeError, match="X must contain real numbers"):
        net.forward(np.array([["a", "b"]]))


def test_cross_entropy_targets_must_be_probability_rows():
    net = MLP([2, 3], output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="probability vector"):
        net.gradients(np.zeros((2, 2)), np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises(ValueError, match="probability vector"):
        net.gradients(np.zeros((1, 2)), np.array([[1.5, -0.5, 0.0]]))


@pytest.mark.parametrize(
    ("lr", "error"),
    [
        (0.0, ValueError),
        (-1.0, ValueError),
        (float("inf"), ValueError),
        (float("nan"), ValueError),
        ("0.1", TypeError),
    ],
)
def test_bad_learning_rate(lr, error):
    net = MLP([2, 1])
    before = net.weights[0].copy()
    with pytest.raises(error, match="lr"):
        net.step(GOOD_X, GOOD_Y, lr)
    with pytest.raises(error, match="lr"):
        net.train(GOOD_X, GOOD_Y, lr, epochs=1)
    np.testing.assert_array_equal(net.weights[0], before)


def test_bad_training_arguments():
    net = MLP([2, 1])
    with pytest.raises(ValueError, match="epochs must be >= 0"):
        net.train(GOOD_X, GOOD_Y, 0.1, epochs=-1)
    with pytest.raises(ValueError, match="batch_size must be between 1 and"):
        net.train(GOOD_X, GOOD_Y, 0.1, epochs=1, batch_size=4)
    with pytest.raises(ValueError, match="momentum must be in"):
        net.train(GOOD_X, GOOD_Y, 0.1, epochs=1, momentum=1.0)


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (
            lambda n: n.weights.__setitem__(0, np.zeros((2, 3))),
            r"net.weights\[0\] must be .* \(3, 2\)",
        ),
        (lambda n: n.biases.__setitem__(1, np.zeros(2)), r"net.biases\[1\] must be .* \(1,\)"),
        (
            lambda n: n.weights.__setitem__(1, [[1.0, 2.0, 3.0]]),
            r"net.weights\[1\] must be an array",
        ),
        (lambda n: n.weights.pop(), "net.weights must be a list of 2 arrays"),
        (lambda n: n.weights[0].__setitem__((0, 0), np.nan), r"net.weights\[0\] must be finite"),
    ],
)
def test_replaced_parameters_of_the_wrong_shape_are_caught_at_the_next_call(mutate, match):
    net = MLP([2, 3, 1])
    mutate(net)
    with pytest.raises(ValueError, match=match):
        net.forward(GOOD_X)
    with pytest.raises(ValueError, match=match):
        net.gradients(GOOD_X, GOOD_Y)


def test_history_has_one_row_of_norms_per_recorded_loss_even_when_diverging():
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(20, 2)) * 10, rng.normal(size=(20, 1)) * 10
    net = MLP([2, 10, 1], hidden="relu", output="identity", loss="squared", seed=0)
    history = net.train(X, Y, lr=10.0, epochs=200)
    assert history.diverged
    assert history.delta_norms.shape == (len(history.losses), 2)
    assert history.weight_gradient_norms.shape == (len(history.losses), 2)


def test_after_epoch_is_called_once_per_recorded_loss_with_the_parameters_of_that_moment():
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    net = MLP([3, 4, 1], output="identity", loss="squared", seed=1)
    seen = []
    history = net.train(X, Y, lr=0.05, epochs=5, batch_size=4,
                        after_epoch=lambda epoch: seen.append((epoch, net.cost(X, Y))))
    assert [e for e, _ in seen] == list(range(6))
    np.testing.assert_allclose([c for _, c in seen], history.losses, rtol=1e-12)
