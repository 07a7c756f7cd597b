"""Vanishing and exploding deltas (bpnotes.vanishing, its figures and explorer).

Oracles: the spectral norm from numpy's SVD, finite differences of the cost with respect
to the biases (δ^l = ∂C/∂b^l for one example), hand computation for a one-neuron chain,
and the closed-form per-layer factor √(n s² E[f'²]) of eq. (vd-variance).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpnotes import MLP, vanishing
from bpnotes.activations import sigmoid
from bpnotes.gradcheck import numerical_gradient
from bpnotes.plots import vanishing as vanishing_plots

SLOPES = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "identity": 1.0}


def per_example_norms(net: MLP, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Shape (m, L): ‖δ^l_i‖ straight from the network's backpropagation."""
    return np.stack([np.hypot.reduce(d, axis=1) for d in net.gradients(X, Y).deltas], axis=1)


# ---------------------------------------------------------------- the bound, eq. (vd-bound)
@given(
    depth=st.integers(2, 7),
    width=st.integers(1, 10),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    init=st.sampled_from(["xavier", "he", "lecun", "normal"]),
    scale=st.floats(0.1, 4.0),
    seed=st.integers(0, 1000),
)
def test_every_example_obeys_the_one_layer_bound(depth, width, activation, init, scale, seed):
    net = vanishing.deep_network(depth, activation=activation, init=init, init_scale=scale,
                              width=width, n_inputs=3, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(5, 3))
    Y = rng.integers(0, 2, size=(5, 1)).astype(float)
    norms = per_example_norms(net, X, Y)
    spectral = np.array([np.linalg.svd(W, compute_uv=False)[0] for W in net.weights[1:]])
    factors = SLOPES[activation] * spectral
    np.testing.assert_allclose(vanishing.bound_factors(net), factors, rtol=1e-12)
    assert np.all(norms[:, :-1] <= factors * norms[:, 1:] * (1 + 1e-10) + 1e-300)
    # layer_ratios is the same quotient, 0 where the upper delta vanishes.
    expected = np.where(norms[:, 1:] > 0, norms[:, :-1] / np.where(norms[:, 1:] > 0,
                                                                    norms[:, 1:], 1), 0.0)
    np.testing.assert_allclose(vanishing.layer_ratios(net, X, Y), expected, rtol=1e-12)


@pytest.mark.parametrize("w2", [-3.0, 0.5, 2.0])
def test_bound_is_attained_by_a_neuron_at_z_zero(w2):
    # Chain x -> sigmoid neuron -> sigmoid output with x = 0 and b = 0: z¹ = 0, so
    # δ¹ = σ'(0) w² δ² = (1/4) w² δ² and the ratio equals the bound |w²| / 4 exactly.
    net = MLP([1, 1, 1], hidden="sigmoid", output="sigmoid", loss="log", seed=0)
    net.weights[0][:] = 1.7
    net.weights[1][:] = w2
    X, Y = np.zeros((1, 1)), np.ones((1, 1))
    ratio = vanishing.layer_ratios(net, X, Y)[0, 0]
    assert ratio == pytest.approx(abs(w2) / 4, rel=1e-12)
    assert vanishing.bound_factors(net)[0] == pytest.approx(abs(w2) / 4, rel=1e-12)
    # and by hand: δ² = o − y with o = σ(w² σ(0)) = σ(w²/2)
    assert vanishing.delta_norms(net, X, Y)[1] == pytest.approx(1 - sigmoid(np.array(w2 / 2)))


def test_sigmoid_deltas_shrink_at_least_as_fast_as_the_bound_at_initialisation():
    X, Y = vanishing.probe_data()
    for seed in range(5):
        net = vanishing.deep_network(12, activation="sigmoid", init="xavier", seed=seed)
        norms = vanishing.delta_norms(net, X, Y)
        factors = vanishing.bound_factors(net)
        # The mean over examples obeys the bound too (it holds example by example).
        assert np.all(norms[:-1] <= factors * norms[1:])
        assert np.all(factors < 1)          # Xavier weights: ‖W‖₂ < 4, so geometric shrinkage
        assert norms[0] < np.prod(factors) * norms[-1] * (1 + 1e-12)


def test_delta_norms_equal_bias_gradients_for_one_example():
    # For m = 1, δ^l = ∂C/∂b^l: finite differences of the cost are an independent oracle.
    rng = np.random.default_rng(3)
    net = vanishing.deep_network(4, activation="tanh", width=3, n_inputs=2, seed=3)
    for b in net.biases:
        b[:] = rng.normal(scale=0.3, size=b.shape)
    X, Y = rng.normal(size=(1, 2)), np.array([[1.0]])
    expected = []
    for layer in range(net.n_layers):
        original = net.biases[layer].copy()

        def cost(b, layer=layer):
            net.biases[layer][:] = b
            return net.cost(X, Y)

        grad = numerical_gradient(cost, original)
        net.biases[layer][:] = original
        expected.append(np.linalg.norm(grad))
    np.testing.assert_allclose(vanishing.delta_norms(net, X, Y), expected, rtol=1e-6)


# ---------------------------------------------------------------- statistics at initialisation
def test_he_keeps_deep_relu_deltas_in_a_band_of_four_across_20_layers():
    # Stated band: over seeds 0..9 (geometric mean), width 32, every hidden layer's mean
    # delta norm lies within a factor 4 of the top hidden layer's.
    profile = vanishing.delta_profile(20, activation="relu", init="he", width=32, seeds=range(10))
    relative = profile.typical[:-1] / profile.typical[-2]
    assert np.all((relative >= 0.25) & (relative <= 4.0))
    assert vanishing.layer_gain(profile) == pytest.approx(1.0, abs=0.1)
    # The band is a real test: Xavier weights (half He's variance) leave it.
    xavier = vanishing.delta_profile(20, activation="relu", init="xavier", width=32,
                                     seeds=range(10))
    assert xavier.typical[0] / xavier.typical[-2] < 0.25


@pytest.mark.parametrize(("activation", "scheme", "scale", "mean_square_slope"), [
    ("relu", "he", 0.7, 0.5), ("relu", "he", 2.0, 0.5),
    ("identity", "lecun", 0.8, 1.0), ("identity", "lecun", 1.4, 1.0),
])
def test_layer_gain_matches_the_variance_argument(activation, scheme, scale, mean_square_slope):
    width = 32
    variance = {"he": 2.0 / width, "lecun": 1.0 / width}[scheme] * scale**2
    predicted = np.sqrt(width * variance * mean_square_slope)      # eq. (vd-variance)
    profile = vanishing.delta_profile(20, activation=activation, init=scheme, init_scale=scale,
                                   width=width, seeds=range(5))
    assert vanishing.layer_gain(profile) == pytest.approx(predicted, rel=0.1)


def test_a_large_initialisation_scale_makes_deltas_grow():
    relu = vanishing.delta_profile(20, activation="relu", init="he", init_scale=2.0, seeds=range(3))
    assert relu.relative[0] > 1e3
    assert np.all(np.diff(relu.typical[:-1]) < 0)    # larger at every step towards the input
    tanh = vanishing.delta_profile(20, activation="tanh", init="xavier", init_scale=3.0,
                                seeds=range(3))
    assert tanh.typical[0] > 10 * tanh.typical[-2]
    small = vanishing.delta_profile(20, activation="tanh", init="normal", init_scale=0.1,
                                 seeds=range(3))
    assert small.typical[0] < 1e-3 * small.typical[-2]


def test_profile_typical_relative_and_gain_by_hand():
    norms = np.array([[1.0, 4.0, 16.0], [4.0, 16.0, 64.0]])
    profile = vanishing.DeltaProfile(norms, np.ones((2, 2)))
    np.testing.assert_allclose(profile.typical, [2.0, 8.0, 32.0])
    np.testing.assert_allclose(profile.relative, [1 / 16, 1 / 4, 1.0])
    assert vanishing.layer_gain(profile, skip_top=0) == pytest.approx(0.25)


def test_depth_sweep_and_grid_agree_with_delta_profile():
    sweep = vanishing.depth_sweep([3, 5], ["sigmoid"], ["He"], seeds=(0, 1))
    for k, depth in enumerate([3, 5]):
        direct = vanishing.delta_profile(depth, activation="sigmoid", init="he", seeds=(0, 1))
        assert sweep["sigmoid"]["He"][k] == pytest.approx(direct.relative[0], rel=1e-12)


# ---------------------------------------------------------------- training
def test_deep_relu_he_trains_where_deep_sigmoid_is_stuck():
    runs = vanishing.training_comparison(depth=8, lr=0.02, epochs=100, batch_size=20)
    assert runs["ReLU, He"].losses[-1] < 0.2
    assert runs["sigmoid, Xavier"].losses[-1] > np.log(2) - 0.02
    for history in runs.values():
        assert history.delta_norms.shape == (101, 8)
        assert history.weight_gradient_norms.shape == (101, 8)
    sig = runs["sigmoid, Xavier"].weight_gradient_norms
    assert np.median(sig[:, 0] / sig[:, -1]) < 1e-2


def test_exploding_training_is_reported_not_nan():
    history = vanishing.train_deep(20, activation="relu", init="he", init_scale=2.0, lr=1.0,
                                epochs=10)
    assert history.diverged
    assert np.all(np.isfinite(history.losses))
    assert np.all(np.isfinite(history.delta_norms))


def test_train_deep_uses_the_given_data():
    X, Y = vanishing.probe_data(40, seed=5)
    history = vanishing.train_deep(3, activation="tanh", lr=0.1, epochs=2, X=X, Y=Y, seed=1)
    net = vanishing.deep_network(3, activation="tanh", seed=1)
    assert history.losses[0] == pytest.approx(net.cost(X, Y), rel=1e-12)


def test_probe_data():
    X, Y = vanishing.probe_data(50, seed=2)
    assert X.shape == (50, 2) and Y.shape == (50, 1)
    assert set(np.unique(Y)) == {0.0, 1.0}


# ---------------------------------------------------------------- figures and explorer
def test_explorer_static_grid_is_small_and_a_subset():
    explorer = vanishing_plots.deltas_explorer()
    assert len(explorer.frame_keys()) <= 30
    for control in explorer.controls:
        assert set(control.static_grid) <= set(control.values)
    assert any(len(c.static_grid) < len(c.values) for c in explorer.controls)


def test_explorer_reports_divergence_in_the_title():
    explorer = vanishing_plots.deltas_explorer()
    fig = explorer.figure(depth=20, activation="relu", initialisation="large (2 × He)", lr=1.0)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("diverged" in t for t in titles)
    calm = explorer.figure(depth=4, activation="tanh", initialisation="Xavier", lr=0.1)
    assert not any("diverged" in ax.get_title() for ax in calm.axes)
    # every frame shares the same cost axes: a log scale that holds a blown-up cost too
    cost, calm_cost = fig.axes[1], calm.axes[1]
    assert cost.get_yscale() == calm_cost.get_yscale() == "log"
    assert cost.get_xlim() == calm_cost.get_xlim() and cost.get_ylim() == calm_cost.get_ylim()


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"init": "glorot"}, ValueError, "init"),
    ({"init": "unknown"}, ValueError, "init"),
    ({"init_scale": -1.0}, ValueError, "init_scale"),
    ({"init_scale": 0.0}, ValueError, "init_scale"),
    ({"init_scale": float("nan")}, ValueError, "init_scale"),
    ({"init_scale": "big"}, TypeError, "init_scale"),
])
def test_mlp_rejects_bad_initialisation_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP([2, 3, 1], **kwargs)
    with pytest.raises(error, match=match):
        vanishing.deep_network(3, **kwargs)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"depth": 1}, ValueError, "depth"),
    ({"depth": 2.5}, TypeError, "depth"),
    ({"depth": 3, "width": 0}, ValueError, "width"),
    ({"depth": 3, "activation": "softmax"}, ValueError, "activation"),
    ({"depth": 3, "n_inputs": 0}, ValueError, "n_inputs"),
    ({"depth": 3, "seed": -1}, ValueError, "seed must be a non-negative integer"),
    ({"depth": 3, "seed": None}, TypeError, "seed must be a non-negative integer"),
    ({"depth": 3, "seed": True}, TypeError, "seed must be a non-negative integer"),
    ({"depth": 3, "seed": 1.5}, TypeError, "seed must be a non-negative integer"),
    ({"depth": 3, "seed": "0"}, TypeError, "seed must be a non-negative integer"),
])
def test_deep_network_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        vanishing.deep_network(**kwargs)


def test_measurements_reject_bad_input():
    net = vanishing.deep_network(3)
    X, Y = vanishing.probe_data(10)
    with pytest.raises(TypeError, match="net"):
        vanishing.delta_norms("net", X, Y)
    with pytest.raises(TypeError, match="net"):
        vanishing.bound_factors(None)
    with pytest.raises(ValueError, match="X"):
        vanishing.delta_norms(net, np.ones((10, 3)), Y)
    with pytest.raises(ValueError, match="Y"):
        vanishing.layer_ratios(net, X, Y[:5])
    with pytest.raises(ValueError, match="seeds"):
        vanishing.delta_profile(3, seeds=())
    with pytest.raises(TypeError, match="seeds"):
        vanishing.delta_profile(3, seeds=[0.5])
    with pytest.raises(ValueError, match="together"):
        vanishing.delta_profile(3, X=X)
    with pytest.raises(ValueError, match="together"):
        vanishing.train_deep(3, Y=Y)
    with pytest.raises(ValueError, match="lr"):
        vanishing.train_deep(3, lr=-0.1, epochs=1)
    with pytest.raises(TypeError, match="profile"):
        vanishing.layer_gain(np.ones(3))
    with pytest.raises(ValueError, match="two layers"):
        vanishing.layer_gain(vanishing.delta_profile(3, seeds=(0,)), skip_top=2)
    with pytest.raises(ValueError, match="depths"):
        vanishing.depth_sweep([], ["relu"], ["He"])
    with pytest.raises(ValueError, match="initialisations"):
        vanishing.profile_grid(3, ["relu"], ["Glorot"])


@pytest.mark.parametrize(("call", "match"), [
    (lambda: vanishing.profile_grid(2, "sigmoid", ["He"]), "activations must be a non-empty list"),
    (lambda: vanishing.profile_grid(2, [], ["He"]), "activations must be a non-empty list"),
    (lambda: vanishing.profile_grid(2, ["relu"], "He"), "initialisations must be a non-empty"),
    (lambda: vanishing.profile_grid(2, ["softmax"], ["He"]), "each entry of activations"),
    (lambda: vanishing.depth_sweep([3], "relu", ["He"]), "activations must be a non-empty list"),
    (lambda: vanishing.depth_sweep([3], ["relu"], []), "initialisations must be a non-empty"),
])
def test_grids_need_lists_of_names_not_strings(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_probe_data_comparison_and_explorer_reject_bad_input():
    with pytest.raises(ValueError, match="m"):
        vanishing.probe_data(0)
    with pytest.raises(TypeError, match="m"):
        vanishing.probe_data(2.5)
    with pytest.raises(ValueError, match="depth"):
        vanishing.training_comparison(depth=1)
    with pytest.raises(ValueError, match="lr"):
        vanishing.training_comparison(depth=3, lr=0.0)
    explorer = vanishing_plots.deltas_explorer()
    with pytest.raises(ValueError, match="initialisation"):
        vanishing_plots.deep_run(3, "relu", "Glorot", 0.1)
    with pytest.raises(ValueError, match="activation"):
        explorer.figure(activation="softmax")


# ---------------------------------------------------------------- forward spread, cancellation
def test_activation_spread_by_hand_and_for_identical_examples():
    net = vanishing.deep_network(3, activation="tanh", seed=1)
    # two inputs (0, 0) and (2, 0): mean (1, 0), standard deviation (1, 0), spread 1
    spread = vanishing.activation_spread(net, np.array([[0.0, 0.0], [2.0, 0.0]]))
    assert spread[0] == pytest.approx(1.0, rel=1e-12)
    same = vanishing.activation_spread(net, np.tile([[0.3, -0.7]], (5, 1)))
    np.testing.assert_allclose(same, 0.0, atol=1e-12)   # 0 up to the rounding of the mean


def test_activation_spread_of_a_dead_layer_is_zero_and_duplicates_change_nothing():
    X, _ = vanishing.probe_data(30)
    net = vanishing.deep_network(4, activation="relu", init="he", seed=2)
    once = vanishing.activation_spread(net, X)
    np.testing.assert_allclose(vanishing.activation_spread(net, np.vstack([X, X])), once,
                               rtol=1e-12)
    net.weights[1][:] = 0.0
    net.biases[1][:] = -1.0                     # every unit of layer 2 switched off
    dead = vanishing.activation_spread(net, X)
    assert dead[2] == 0.0 and dead[3] == 0.0 and dead[1] > 0


def test_deep_sigmoid_network_washes_out_the_input_on_the_way_up():
    X, _ = vanishing.probe_data()
    spread = vanishing.activation_spread(vanishing.deep_network(8), X)
    assert np.all(np.diff(spread) < 0) and spread[-1] < 1e-4 * spread[0]


@given(depth=st.integers(2, 5), width=st.integers(1, 6),
       activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
       seed=st.integers(0, 1000))
def test_one_example_keeps_its_whole_gradient(depth, width, activation, seed):
    # ‖δ aᵀ‖ = ‖δ‖ ‖a‖ for one example: nothing to cancel (a zero term δ aᵀ gives 0)
    X, Y = (part[:1] for part in vanishing.probe_data(2, seed=seed))
    net = vanishing.deep_network(depth, activation=activation, width=width, seed=seed)
    kept = vanishing.gradient_cancellation(net, X, Y)
    below = np.array([np.linalg.norm(a) for a in net.forward_pass(X).activations[:-1]])
    zero = (per_example_norms(net, X, Y)[0] == 0) | (below == 0)
    np.testing.assert_allclose(kept[~zero], 1.0, rtol=1e-12)
    assert np.all(kept[zero] == 0)


@given(m=st.integers(2, 20), seed=st.integers(0, 1000))
def test_gradient_cancellation_lies_between_zero_and_one(m, seed):
    X, Y = vanishing.probe_data(m, seed=seed)
    kept = vanishing.gradient_cancellation(vanishing.deep_network(4, seed=seed), X, Y)
    assert np.all((kept >= 0) & (kept <= 1 + 1e-12))


def test_opposite_deltas_on_one_input_cancel_completely():
    # the same input with targets 0 and 1 and an output of exactly ½ (output weights and
    # bias 0): δᴸ = −½ and +½, so the output layer's two terms δ_i a_iᵀ are opposite
    net = vanishing.deep_network(4, activation="tanh", seed=3)
    net.weights[-1][:] = 0.0
    net.biases[-1][:] = 0.0
    X, Y = np.array([[0.4, -1.2], [0.4, -1.2]]), np.array([[0.0], [1.0]])
    assert vanishing.gradient_cancellation(net, X, Y)[-1] == pytest.approx(0.0, abs=1e-15)
    net.weights[-1][:] = 0.5                    # o ≠ ½: the deltas o and o − 1 differ in size
    assert vanishing.gradient_cancellation(net, X, Y)[-1] > 0.1


def test_spread_and_cancellation_reject_bad_input():
    X, Y = vanishing.probe_data(10)
    with pytest.raises(TypeError, match="net"):
        vanishing.activation_spread("net", X)
    with pytest.raises(TypeError, match="net"):
        vanishing.gradient_cancellation(None, X, Y)
    with pytest.raises(ValueError, match="X"):
        vanishing.activation_spread(vanishing.deep_network(3), np.ones((4, 3)))


# ---------------------------------------------------------------- the explorer's outcome
@pytest.mark.parametrize(("losses", "diverged", "expected"), [
    ([0.7, 0.6, 0.5], False, None),                   # a calm run
    ([0.7, 3.0, 2e9], True, 2),                       # epoch 2's cost passed the bound
    ([0.7, 3.0], True, 2),                            # epoch 2 not finite: not recorded
    ([0.7, 5.0, 5.1, 5.0], True, None),               # completed, blew up and got stuck
])
def test_blow_up_epoch_by_hand(losses, diverged, expected):
    assert vanishing_plots._blow_up_epoch(np.array(losses), diverged, 3) == expected


@pytest.mark.parametrize(("depth", "epoch"), [(10, 9), (20, 2)])
def test_explorer_names_the_epoch_whose_cost_passed_the_bound(depth, epoch):
    from bpnotes.descent import has_diverged

    run = vanishing_plots.deep_run(depth, "relu", "He", 1.0)
    X, Y = vanishing.probe_data(vanishing_plots.EXPLORER_EXAMPLES)
    history = vanishing.train_deep(depth, activation="relu", init="he", lr=1.0,
                                   epochs=vanishing_plots.EXPLORER_EPOCHS,
                                   batch_size=vanishing_plots.EXPLORER_BATCH, X=X, Y=Y)
    costs = history.losses
    first = next(k for k, cost in enumerate(costs) if has_diverged(cost, costs[0]))
    assert run.blew_up_in == first == epoch
    assert vanishing_plots._status(run) == f"diverged in epoch {epoch}: stopped"
    assert len(run.losses) == epoch + 1             # the curve ends in the same epoch
    assert f"blew up in epoch {epoch}" in vanishing_plots._alt(run)


def test_explorer_names_a_dead_relu_layer_and_says_the_outcome():
    run = vanishing_plots.deep_run(20, "relu", "Xavier", 0.1)
    X, Y = vanishing.probe_data(vanishing_plots.EXPLORER_EXAMPLES)
    history = vanishing.train_deep(20, activation="relu", init="xavier", lr=0.1,
                                   epochs=vanishing_plots.EXPLORER_EPOCHS,
                                   batch_size=vanishing_plots.EXPLORER_BATCH, X=X, Y=Y)
    # deltas of layers 1..19 exactly 0 after training, none at the start: layer 19 died
    assert np.all(history.delta_norms[-1, :19] == 0) and np.all(history.delta_norms[0] > 0)
    assert not history.diverged and run.dead_layer == 19
    assert vanishing_plots._status(run).startswith("layer 19 died")
    alt = vanishing_plots._alt(run)
    assert "layer 19 outputs 0" in alt and f"{history.losses[-1]:.3f}." in alt
    calm = vanishing_plots.deep_run(4, "relu", "He", 0.1)
    assert calm.dead_layer is None and calm.blew_up_in is None
    assert vanishing_plots._alt(calm).endswith(f"to {calm.last_cost:.3f}.")
