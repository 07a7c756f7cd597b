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
        zs = net.forward_pass(X).zs
        if any(np.min(np.abs(z)) < 1e-4 for z in zs[:-1]):
            return
    g = net.gradients(X, Y)
    num_w, num_b = numeric_parameter_gradients(net, X, Y)
    for analytic, numeric in zip(g.weights + g.biases, num_w + num_b, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
    assert g.loss == pytest.approx(net.cost(X, Y), rel=1e-12)


HIDDEN_FUNCTIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "identity": lambda z: z,
}


def reference_example_loss(z_out: np.ndarray, y: np.ndarray, output: str, loss: str) -> float:
    """ℓ for one example from its output logits, written out independently of bpnotes."""
    if loss == "log":
        return float(np.sum(np.logaddexp(0.0, z_out) - y * z_out))
    if loss == "cross_entropy":
        if output == "softmax":
            shifted = z_out - z_out.max()
            return float(-np.sum(y * (shifted - np.log(np.exp(shifted).sum()))))
        return float(np.sum(y * np.logaddexp(0.0, -z_out)))  # −Σ y log σ(z)
    if output == "identity":
        o = z_out
    elif output == "sigmoid":
        o = 1.0 / (1.0 + np.exp(-z_out))
    else:
        o = np.exp(z_out - z_out.max()) / np.exp(z_out - z_out.max()).sum()
    return float(0.5 * np.sum((o - y) ** 2))


def loss_from_z(net: MLP, layer: int, z: np.ndarray, y: np.ndarray) -> float:
    """ℓ of one example as a function of its z in weight layer ``layer`` (0-based):
    the rest of the forward pass from there, with the network's parameters."""
    L = net.n_layers
    for above in range(layer, L - 1):
        a = HIDDEN_FUNCTIONS[net.hidden.name](z)
        z = net.weights[above + 1] @ a + net.biases[above + 1]
    return reference_example_loss(z, y, net.output.name, net.loss.name)


@given(problems())
def test_deltas_are_per_example_derivatives_with_respect_to_z(problem):
    # δ^l_i = ∂ℓ_i/∂z^l, checked by centred differences in z^l of example i alone.
    net, X, Y = problem
    g = net.gradients(X, Y)
    zs = net.forward_pass(X).zs
    m = X.shape[0]
    for layer, delta in enumerate(g.deltas):
        assert delta.shape == (m, net.sizes[layer + 1])
        for i in range(m):
            hidden_zs = [z[i] for z in zs[layer:-1]]
            if net.hidden.name == "relu" and any(np.min(np.abs(z)) < 1e-4 for z in hidden_zs):
                continue  # a kink within reach of the finite difference
            def ell(z, layer=layer, i=i):
                return loss_from_z(net, layer, z, Y[i])

            numeric = numerical_gradient(ell, zs[layer][i])
            np.testing.assert_allclose(delta[i], numeric, rtol=1e-5, atol=1e-7)


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
    assert len(history.losses) == 1501 and history.steps == 1500 * (4 // (batch_size or 4))
    assert history.delta_norms is None  # statistics are opt-in
    assert history.losses[-1] < 0.05 * history.losses[0]
    np.testing.assert_array_equal(net.predict(X), Y[:, 0])


def test_training_history_delta_norms_are_mean_per_example_norms():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    net = MLP([3, 4, 4, 2], output="identity", loss="squared", seed=5)
    g0 = net.gradients(X, Y)
    history = net.train(X, Y, lr=0.01, epochs=2, record_norms=True)
    expected = [np.mean(np.linalg.norm(d, axis=1)) for d in g0.deltas]
    np.testing.assert_allclose(history.delta_norms[0], expected, rtol=1e-12)
    np.testing.assert_allclose(history.weight_gradient_norms[0],
                               [np.linalg.norm(w) for w in g0.weights], rtol=1e-12)
    plain = MLP([3, 4, 4, 2], output="identity", loss="squared", seed=5)
    same = plain.train(X, Y, lr=0.01, epochs=2)
    np.testing.assert_array_equal(same.losses, history.losses)  # recording changes nothing
    assert same.delta_norms is None and same.weight_gradient_norms is None


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
    history = net.train(X, Y, lr=10.0, epochs=200, record_norms=True)
    assert history.diverged
    assert history.delta_norms.shape == (len(history.losses), 2)
    assert history.weight_gradient_norms.shape == (len(history.losses), 2)


def test_after_epoch_is_called_once_per_recorded_loss_with_the_parameters_of_that_moment():
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    net = MLP([3, 4, 1], output="identity", loss="squared", seed=1)
    seen = []
    history = net.train(X, Y, lr=0.05, epochs=5, batch_size=4, epoch_cost="full",
                        after_epoch=lambda epoch: seen.append((epoch, net.cost(X, Y))))
    assert [e for e, _ in seen] == list(range(6))
    np.testing.assert_allclose([c for _, c in seen], history.losses, rtol=1e-12)


# --------------------------------------------------------------------------- issue 10, §3
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
        ({"seed": 1.5}, TypeError, "seed must be a non-negative integer"),
        ({"seed": "0"}, TypeError, "seed must be a non-negative integer"),
        ({"seed": True}, TypeError, "seed must be a non-negative integer"),
        ({"seed": None}, TypeError, "seed must be a non-negative integer"),
        ({"dtype": None}, TypeError, "dtype must be numpy.float64 or numpy.float32"),
        ({"dtype": "foo"}, TypeError, "dtype must be numpy.float64 or numpy.float32"),
        ({"dtype": np.float16}, TypeError, "dtype must be numpy.float64 or numpy.float32"),
        ({"init": "glorot"}, ValueError, "init must be one of"),
        ({"init_scale": -1.0}, ValueError, "init_scale must be > 0"),
        ({"sizes": [2, np.int64(3), True]}, TypeError, r"sizes\[2\] must be an integer"),
    ],
)
def test_bad_seeds_dtypes_and_initialisations(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**({"sizes": [2, 3, 1]} | kwargs))


def test_dtype_may_be_given_by_name():
    assert MLP([2, 1], dtype="float32").weights[0].dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda n: n.forward([[1.0, 2.0], [3.0]]), ValueError, "X must be a rectangular array"),
        (lambda n: n.forward(np.ones((2, 2)) * 1j), TypeError, "X must contain real numbers"),
        (lambda n: n.train(GOOD_X, GOOD_Y, 0.1, 1, after_epoch=5), TypeError,
         "after_epoch must be None or a function"),
        (lambda n: n.train(GOOD_X, GOOD_Y, 0.1, 1, record_norms="yes"), TypeError,
         "record_norms must be True or False"),
        (lambda n: n.train(GOOD_X, GOOD_Y, 0.1, 1, seed=None), TypeError, "seed must be"),
        (lambda n: n.train(GOOD_X, GOOD_Y, 0.1, 1, epoch_cost="exact"), ValueError,
         "epoch_cost must be one of 'batches', 'full'"),
        (lambda n: n.train(GOOD_X, GOOD_Y, 0.1, 1, epoch_cost=True), ValueError,
         "epoch_cost must be one of"),
        (lambda n: n.set_connections(weights=5), TypeError, "weights must be None or a list"),
        (lambda n: n.set_connections(biases="ab"), TypeError, "biases must be None or a list"),
        (lambda n: n.set_connections(weights=[None]), ValueError, "weights must be a list of 2"),
        (lambda n: n.set_connections(weights=[np.ones((3, 2)), None]), ValueError,
         r"weights\[0\] must be a boolean array of shape \(3, 2\)"),
    ],
)
def test_bad_calls_name_the_argument_and_change_nothing(call, error, match):
    net = MLP([2, 3, 1])
    before = [p.copy() for p in net.weights + net.biases]
    with pytest.raises(error, match=match):
        call(net)
    for p, b in zip(net.weights + net.biases, before, strict=True):
        np.testing.assert_array_equal(p, b)
    assert net.weight_masks == [None, None] and net.bias_masks == [None, None]


def test_a_parameter_of_the_wrong_dtype_is_explained_not_replaced():
    net = MLP([2, 3, 1])
    ints = np.ones((3, 2), dtype=np.int64)
    net.weights[0] = ints
    with pytest.raises(TypeError, match=r"net.weights\[0\] has dtype int64"):
        net.forward(GOOD_X)
    with pytest.raises(TypeError, match=r"net.weights\[0\] has dtype int64"):
        net.train(GOOD_X, GOOD_Y, 0.1, 1)
    assert net.weights[0] is ints and ints.dtype == np.int64  # the reader's array is untouched
    net32 = MLP([2, 1], dtype=np.float32)
    net32.biases[0] = np.zeros(1)  # float64 into a float32 network
    with pytest.raises(TypeError, match=r"net.biases\[0\] has dtype float64"):
        net32.cost(GOOD_X, GOOD_Y)


def test_a_read_only_parameter_may_be_read_but_not_trained():
    net = MLP([2, 3, 1], output="identity")
    frozen = net.weights[1].copy()
    frozen.flags.writeable = False
    net.weights[1] = frozen
    net.forward(GOOD_X)  # reading is fine
    before = [p.copy() for p in net.weights + net.biases]
    for call in (lambda: net.step(GOOD_X, GOOD_Y, 0.1),
                 lambda: net.train(GOOD_X, GOOD_Y, 0.1, 2)):
        with pytest.raises(ValueError, match=r"net.weights\[1\] is read-only"):
            call()
    for p, b in zip(net.weights + net.biases, before, strict=True):
        np.testing.assert_array_equal(p, b)


def test_forward_pass_returns_every_layer_and_aliases_nothing():
    net = MLP([3, 4, 2], hidden="tanh", output="softmax", loss="cross_entropy", seed=2)
    X = np.random.default_rng(1).normal(size=(5, 3))
    fp = net.forward_pass(X)
    z1 = X @ net.weights[0].T + net.biases[0]
    z2 = np.tanh(z1) @ net.weights[1].T + net.biases[1]
    np.testing.assert_allclose(fp.zs[0], z1, rtol=1e-14)
    np.testing.assert_allclose(fp.zs[1], z2, rtol=1e-14)
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    np.testing.assert_allclose(fp.outputs, e / e.sum(axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_array_equal(fp.activations[0], X)
    arrays = fp.zs + fp.activations
    assert not any(np.shares_memory(a, b) for a in arrays for b in [X, *net.weights, *net.biases])
    with pytest.raises(ValueError, match="X must have 3 columns"):
        net.forward_pass(np.ones((2, 2)))


def test_sigmoid_cross_entropy_delta_keeps_its_precision_at_saturation():
    # One sigmoid output, y = 1, z = 40: δ = −y(1 − σ(z)) = −σ(−40) ≈ −4.25e-18, although
    # σ(40) rounds to 1 (the old 1 − o gave exactly 0, and at z = 30 a relative error 1e-3).
    for loss in ("cross_entropy", "log"):
        net = MLP([1, 1], output="sigmoid", loss=loss)
        net.weights[0][...] = 1.0
        for z in (30.0, 40.0):
            g = net.gradients(np.array([[z]]), np.array([[1.0]]))
            exact = -1.0 / (1.0 + np.exp(z))
            assert g.deltas[0][0, 0] == pytest.approx(exact, rel=1e-14)
            assert g.weights[0][0, 0] == pytest.approx(z * exact, rel=1e-14)


def test_a_starting_cost_that_overflows_is_an_error():
    net = MLP([2, 1], output="identity")
    with pytest.raises(ValueError, match="cost before training is inf"):
        net.train(np.full((3, 2), 1e200), np.zeros((3, 1)), 0.1, 3)
    assert net.cost(np.full((3, 2), 1e200), np.zeros((3, 1))) == np.inf  # no warning


def test_a_diverged_network_is_left_at_its_last_finite_cost():
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(20, 2)) * 10, rng.normal(size=(20, 1)) * 10
    net = MLP([2, 10, 1], hidden="relu", output="identity", loss="squared", seed=0)
    history = net.train(X, Y, lr=1e200, epochs=5)
    assert history.diverged
    assert all(np.all(np.isfinite(p)) for p in net.weights + net.biases)
    assert net.cost(X, Y) == pytest.approx(history.losses[-1], rel=1e-12)


def test_a_run_that_blows_up_and_gets_stuck_is_reported_as_diverged():
    from bpnotes import vanishing

    # The run of issue 10: the cost jumps from about 2 to 8.9e4 and stays there, because
    # the ReLU units it blew up are dead; it never passes the 1e8 stopping bound.
    history = vanishing.train_deep(4, lr=1e6, activation="relu", init_scale=3.0, epochs=20)
    assert history.diverged and len(history.losses) == 21
    assert history.losses[-1] == pytest.approx(history.losses[1])
    assert history.losses[-1] > 1e4 * history.losses[0]


def _step_through(net, X, Y, lr, epochs, batch_size):
    """The updates of ``train(..., shuffle=False)`` as ``net.step`` calls, by hand.

    Returns, per epoch, the costs that ``step`` returned (before each update) with the batch
    sizes, and the full-data cost after each epoch (``net.cost``)."""
    m = X.shape[0]
    size = batch_size or m
    costs, sizes, after = [], [], []
    for _ in range(epochs):
        costs.append([net.step(X[s:s + size], Y[s:s + size], lr) for s in range(0, m, size)])
        sizes.append([len(X[s:s + size]) for s in range(0, m, size)])
        after.append(net.cost(X, Y))
    return costs, sizes, after


def _two_nets(seed=4, l2=0.1):
    return [MLP([3, 5, 2], hidden="tanh", output="softmax", loss="cross_entropy", l2=l2,
                seed=seed) for _ in range(2)]


@pytest.mark.parametrize("record_norms", [False, True])
@pytest.mark.parametrize("batch_size", [None, 4, 1])
@pytest.mark.parametrize("epoch_cost", ["batches", "full"])
def test_train_takes_exactly_the_steps_of_step(epoch_cost, batch_size, record_norms):
    # train (which reuses a full-data forward pass for the next full-batch update) against
    # the same updates taken one net.step at a time, on 7 examples (a short last batch)
    rng = np.random.default_rng(11)
    X, Y = rng.normal(size=(7, 3)), np.eye(2)[rng.integers(0, 2, 7)]
    trained, stepped = _two_nets()
    start = stepped.cost(X, Y)
    history = trained.train(X, Y, 0.3, 4, batch_size=batch_size, shuffle=False,
                            epoch_cost=epoch_cost, record_norms=record_norms)
    costs, sizes, after = _step_through(stepped, X, Y, 0.3, 4, batch_size)
    for a, b in zip(trained.weights + trained.biases, stepped.weights + stepped.biases,
                    strict=True):
        np.testing.assert_array_equal(a, b)  # the same floating-point operations
    assert history.steps == sum(map(len, costs)) and history.epoch_cost == epoch_cost
    assert history.losses[0] == pytest.approx(start, rel=1e-13)
    if epoch_cost == "full":
        np.testing.assert_allclose(history.losses[1:], after, rtol=1e-12)
    else:
        means = [np.average(c, weights=w) for c, w in zip(costs, sizes, strict=True)]
        np.testing.assert_allclose(history.losses[1:], means, rtol=1e-12)
        if batch_size is None:  # the exact cost at the start of each epoch
            np.testing.assert_allclose(history.losses[1:], [start, *after[:-1]], rtol=1e-12)


@pytest.mark.parametrize("batch_size", [None, 4, 1])
def test_norms_are_recorded_on_all_the_data_after_each_epoch_in_both_modes(batch_size):
    rng = np.random.default_rng(12)
    X, Y = rng.normal(size=(7, 3)), np.eye(2)[rng.integers(0, 2, 7)]
    _, stepped = _two_nets(l2=0.0)
    expected = [[np.mean(np.linalg.norm(d, axis=1)) for d in stepped.gradients(X, Y).deltas]]
    for _ in range(3):
        _step_through(stepped, X, Y, 0.3, 1, batch_size)
        expected.append([np.mean(np.linalg.norm(d, axis=1))
                         for d in stepped.gradients(X, Y).deltas])
    for epoch_cost in ("batches", "full"):
        fresh, _ = _two_nets(l2=0.0)
        history = fresh.train(X, Y, 0.3, 3, batch_size=batch_size, shuffle=False,
                              epoch_cost=epoch_cost, record_norms=True)
        np.testing.assert_allclose(history.delta_norms, expected, rtol=1e-12)


def test_the_default_epoch_cost_is_the_mean_of_the_shuffled_batch_costs():
    # with shuffling, the batches come from the seeded permutation of descent.batches
    from bpnotes.descent import batches

    rng = np.random.default_rng(13)
    X, Y = rng.normal(size=(10, 3)), np.eye(2)[rng.integers(0, 2, 10)]
    trained, stepped = _two_nets()
    history = trained.train(X, Y, 0.3, 3, batch_size=4, seed=5)
    order = np.random.default_rng(5)
    means = []
    for _ in range(3):
        parts = list(batches(10, 4, True, order))
        costs = [stepped.step(X[i], Y[i], 0.3) for i in parts]
        means.append(np.average(costs, weights=[len(i) for i in parts]))
    np.testing.assert_allclose(history.losses[1:], means, rtol=1e-12)
    for a, b in zip(trained.weights, stepped.weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("batch_size", [None, 5])
@pytest.mark.parametrize("epoch_cost", ["batches", "full"])
@pytest.mark.parametrize("lr", [10.0, 1e200])
def test_divergence_is_reported_in_both_modes_and_the_net_is_left_after_the_last_epoch(
    lr, epoch_cost, batch_size
):
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(20, 2)) * 10, rng.normal(size=(20, 1)) * 10

    def net():
        return MLP([2, 10, 1], hidden="relu", output="identity", loss="squared", seed=0)

    diverging = net()
    history = diverging.train(X, Y, lr=lr, epochs=200, batch_size=batch_size,
                              epoch_cost=epoch_cost)
    assert history.diverged and len(history.losses) < 201
    assert np.all(np.isfinite(history.losses))
    assert all(np.all(np.isfinite(p)) for p in diverging.weights + diverging.biases)
    # left where a shorter run ends: after epoch len(losses) - 1 ("full"), or at its start
    # ("batches": the end of an epoch is not evaluated in that mode), at a finite cost
    epochs = len(history.losses) - 1 if epoch_cost == "full" else max(len(history.losses) - 2, 0)
    shorter = net()
    shorter.train(X, Y, lr=lr, epochs=epochs, batch_size=batch_size, epoch_cost=epoch_cost)
    for a, b in zip(diverging.weights + diverging.biases, shorter.weights + shorter.biases,
                    strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(diverging.cost(X, Y))
    if epoch_cost == "full" or batch_size is None:  # where losses[-1] was measured
        assert diverging.cost(X, Y) == pytest.approx(history.losses[-1], rel=1e-12)
