"""The shared gradient-descent loop: batching, shuffling, history, divergence."""

from __future__ import annotations

import numpy as np
import pytest

from bpnotes.descent import (
    DIVERGENCE_FACTOR,
    STUCK_FACTOR,
    STUCK_SPREAD,
    batches,
    gradient_descent,
    iterate,
)


def quadratic_problem():
    """J(θ) = mean_i ½(x_i θ − t_i)² for scalar θ: gradient mean_i (x_i θ − t_i) x_i."""
    X = np.array([[1.0], [2.0], [3.0]])
    T = np.array([1.0, 1.0, 4.0])

    def loss_and_gradient(xb, tb, theta):
        r = xb[:, 0] * theta[0] - tb
        return 0.5 * float(np.mean(r**2)), [np.array([np.mean(r * xb[:, 0])])]

    return X, T, loss_and_gradient


def descend(theta, lg, X, T, **kwargs):
    """gradient_descent on the quadratic problem: batch gradient and full-data cost (and
    with epoch_cost="batches", the batch cost with the gradient)."""
    if kwargs.get("epoch_cost") == "batches":
        return gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta),
                                lambda: lg(X, T, theta)[0], X, T, **kwargs)
    return gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta)[1],
                            lambda: lg(X, T, theta)[0], X, T, **kwargs)


def test_batches_cover_every_example_once_per_epoch():
    rng = np.random.default_rng(0)
    parts = list(batches(10, 3, True, rng))
    assert [len(p) for p in parts] == [3, 3, 3, 1]
    assert sorted(np.concatenate(parts)) == list(range(10))
    ordered = list(batches(5, 2, False, rng))
    assert [p.tolist() for p in ordered] == [[0, 1], [2, 3], [4]]


def test_per_example_updates_follow_the_hand_computed_sequence():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    trace = descend(theta, lg, X, T, lr=0.1, epochs=1, batch_size=1, shuffle=False)
    # By hand: θ ← θ − 0.1 (x θ − t) x for (x, t) = (1, 1), (2, 1), (3, 4).
    expected = 0.0
    for x, t in [(1, 1), (2, 1), (3, 4)]:
        expected -= 0.1 * (x * expected - t) * x
    assert theta[0] == pytest.approx(expected, rel=1e-15)
    assert trace.steps == 3 and len(trace.losses) == 2 and not trace.diverged


@pytest.mark.parametrize(("batch_size", "sizes"), [(1, [1, 1, 1]), (2, [2, 1])])
def test_batch_costs_are_the_weighted_mean_of_the_hand_computed_costs_before_each_step(
    batch_size, sizes
):
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    trace = descend(theta, lg, X, T, lr=0.1, epochs=2, batch_size=batch_size, shuffle=False,
                    epoch_cost="batches")
    # By hand: each batch's cost mean ½(x θ − t)² at θ before its update, then the update.
    examples, value, means = [(1.0, 1.0), (2.0, 1.0), (3.0, 4.0)], 0.0, []
    for _ in range(2):
        costs, start = [], 0
        for size in sizes:
            batch = examples[start:start + size]
            costs.append(np.mean([0.5 * (x * value - t) ** 2 for x, t in batch]))
            value -= 0.1 * np.mean([(x * value - t) * x for x, t in batch])
            start += size
        means.append(np.dot(sizes, costs) / 3)
    assert trace.losses[0] == pytest.approx(np.mean([0.5 * t**2 for _, t in examples]))
    np.testing.assert_allclose(trace.losses[1:], means, rtol=1e-14)
    assert theta[0] == pytest.approx(value, rel=1e-14)


def test_batch_costs_of_the_full_batch_are_the_exact_costs_one_epoch_earlier():
    X, T, lg = quadratic_problem()
    full = descend(np.array([0.0]), lg, X, T, lr=0.1, epochs=5, epoch_cost="full")
    free = descend(np.array([0.0]), lg, X, T, lr=0.1, epochs=5, epoch_cost="batches")
    np.testing.assert_allclose(free.losses[1:], full.losses[:-1], rtol=1e-15)
    assert free.losses[0] == full.losses[0]


def test_batch_costs_need_no_full_data_cost_after_the_start():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    calls = []

    def cost():
        calls.append(1)
        return lg(X, T, theta)[0]

    gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta), cost, X, T, lr=0.1, epochs=4,
                     batch_size=2, epoch_cost="batches")
    assert len(calls) == 1  # the cost before training only
    gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta)[1], cost, X, T, lr=0.1,
                     epochs=4, batch_size=2, epoch_cost="full")
    assert len(calls) == 1 + 5  # and once before training and after each epoch


def test_batch_costs_need_a_gradient_that_returns_the_pair():
    X, T, lg = quadratic_problem()
    theta = np.array([0.5])
    with pytest.raises(TypeError, match=r"gradient must return the pair \(batch cost"):
        gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta)[1],
                         lambda: lg(X, T, theta)[0], X, T, lr=0.1, epochs=1,
                         epoch_cost="batches")


@pytest.mark.parametrize("batch_size", [None, 1])
def test_divergence_with_batch_costs_stops_and_leaves_the_start_of_the_last_epoch(batch_size):
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    # beyond the critical rate 3/7 of the full batch (and of the largest example, 2/9)
    trace = descend(theta, lg, X, T, lr=0.9, epochs=10_000, batch_size=batch_size,
                    shuffle=False, epoch_cost="batches", record_params=True)
    assert trace.diverged and len(trace.losses) < 10_001
    assert np.all(np.isfinite(trace.losses))
    assert trace.losses[-1] > DIVERGENCE_FACTOR * trace.losses[0]
    # back at the start of the last recorded epoch, the end of the one before
    assert theta[0] == trace.params[-2][0][0]
    if batch_size is None:  # which is where losses[-1] was measured
        assert lg(X, T, theta)[0] == pytest.approx(trace.losses[-1], rel=1e-14)


def test_a_blow_up_with_batch_costs_puts_the_parameters_back():
    X, T = np.ones((2, 1)), np.ones(2)
    theta = np.array([1.0])
    trace = gradient_descent(
        [theta], lambda xb, tb: (float(theta[0] ** 2), [np.array([1e10 * theta[0] ** 0])]),
        lambda: float(theta[0] ** 2), X, T, lr=1e300, epochs=5, epoch_cost="batches")
    assert trace.diverged and trace.losses.tolist() == [1.0] and theta[0] == 1.0


def test_full_batch_converges_to_the_least_squares_solution():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    trace = descend(theta, lg, X, T, lr=0.2, epochs=200)
    closed_form = float(X[:, 0] @ T / (X[:, 0] @ X[:, 0]))
    assert theta[0] == pytest.approx(closed_form, rel=1e-10)
    assert np.all(np.diff(trace.losses) <= 1e-15)  # monotone decrease below the critical rate


def test_divergence_is_reported_and_the_history_has_no_nan():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    # Hessian = mean x² = 14/3, so the critical learning rate is 2/(14/3) = 3/7.
    trace = descend(theta, lg, X, T, lr=0.5, epochs=10_000)
    assert trace.diverged
    assert np.all(np.isfinite(trace.losses))
    assert trace.losses[-1] > DIVERGENCE_FACTOR * trace.losses[0]
    assert len(trace.losses) < 10_001


def test_momentum_matches_the_heavy_ball_recursion():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    descend(theta, lg, X, T, lr=0.05, epochs=3, momentum=0.9)
    th, v = 0.0, 0.0
    for _ in range(3):
        g = float(np.mean((X[:, 0] * th - T) * X[:, 0]))
        v = 0.9 * v - 0.05 * g
        th += v
    assert theta[0] == pytest.approx(th, rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": 0.0, "epochs": 1}, ValueError, "lr must be > 0"),
        ({"lr": float("nan"), "epochs": 1}, ValueError, "lr must be finite"),
        ({"lr": 0.1, "epochs": -1}, ValueError, "epochs must be >= 0"),
        ({"lr": 0.1, "epochs": 1.5}, TypeError, "epochs must be an integer"),
        ({"lr": 0.1, "epochs": 1, "batch_size": 0}, ValueError, "batch_size must be between"),
        ({"lr": 0.1, "epochs": 1, "batch_size": 4}, ValueError, "batch_size must be between"),
        ({"lr": 0.1, "epochs": 1, "momentum": -0.5}, ValueError, "momentum must be >= 0"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    X, T, lg = quadratic_problem()
    theta = np.array([0.5])
    with pytest.raises(error, match=match):
        descend(theta, lg, X, T, **kwargs)
    assert theta[0] == 0.5


def test_iterate_on_a_quadratic_is_geometric():
    path = iterate(lambda w: float(w @ w), lambda w: 2 * w, [1.0], lr=0.1, steps=5)
    np.testing.assert_allclose(path.points[:, 0], 0.8 ** np.arange(6), rtol=1e-14)
    diverging = iterate(lambda w: float(w @ w), lambda w: 2 * w, [1.0], lr=1.5, steps=500)
    assert diverging.diverged and np.all(np.isfinite(diverging.costs))


def test_record_params_keeps_the_parameters_of_every_recorded_loss():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    trace = descend(theta, lg, X, T, lr=0.1, epochs=3, record_params=True)
    assert len(trace.params) == len(trace.losses) == 4
    for (th,), loss in zip(trace.params, trace.losses, strict=True):
        assert lg(X, T, th)[0] == pytest.approx(loss, rel=1e-14)  # each snapshot, its cost
    assert trace.params[-1][0][0] == theta[0] and trace.params[0][0][0] == 0.0
    plain = descend(np.array([0.0]), lg, X, T, lr=0.1, epochs=1)
    assert plain.params is None and plain.step_params is None


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
     ({"seed": 1.5}, TypeError, "seed must be a non-negative integer"),
     ({"seed": None}, TypeError, "seed must be a non-negative integer"),
     ({"seed": True}, TypeError, "seed must be a non-negative integer"),
     ({"seed": "0"}, TypeError, "seed must be a non-negative integer"),
     ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
     ({"record_params": "no"}, TypeError, "record_params must be True or False"),
     ({"record_steps": 1}, TypeError, "record_steps must be True or False"),
     ({"after_epoch": 5}, TypeError, "after_epoch must be None or a function"),
     ({"epoch_cost": "exact"}, ValueError, "epoch_cost must be one of 'batches', 'full'"),
     ({"epoch_cost": None}, ValueError, "epoch_cost must be one of")],
)
def test_bad_shuffle_seed_and_options(kwargs, error, match):
    X, T, lg = quadratic_problem()
    theta = np.array([0.5])
    with pytest.raises(error, match=match):
        descend(theta, lg, X, T, lr=0.1, epochs=1, **kwargs)
    assert theta[0] == 0.5


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [((5, -2, False), ValueError, "batch_size must be between 1 and the number of examples 5"),
     ((5, 0, False), ValueError, "batch_size must be between 1"),
     ((5, 2.0, False), TypeError, "batch_size must be None or an integer"),
     ((0, 1, False), ValueError, "m must be an integer >= 1"),
     ((5, 2, "no"), TypeError, "shuffle must be True or False")],
)
def test_batches_rejects_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        list(batches(*args, np.random.default_rng(0)))


def test_batches_needs_a_generator():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        list(batches(5, 2, True, 0))
    assert [len(b) for b in batches(5, None, True, np.random.default_rng(0))] == [5]


# ----------------------------------------------------------------- the divergence rule
def test_a_starting_cost_that_is_not_finite_is_an_error_not_a_history():
    X, T = np.ones((2, 1)), np.ones(2)
    theta = np.array([0.0])
    with pytest.raises(ValueError, match="cost before training is inf"):
        gradient_descent([theta], lambda xb, tb: [np.zeros(1)], lambda: np.inf, X, T,
                         lr=0.1, epochs=3)


def test_a_blow_up_to_infinity_puts_the_parameters_back():
    # The gradient is finite but a step of 1e300 · 1e10 overflows to infinity: the run
    # stops and θ returns to the last value whose cost was recorded.
    X, T = np.ones((2, 1)), np.ones(2)
    theta = np.array([1.0])
    seen = []
    trace = gradient_descent([theta], lambda xb, tb: [np.array([1e10 * theta[0] ** 0])],
                             lambda: float(theta[0] ** 2), X, T, lr=1e300, epochs=5,
                             record_steps=True, after_epoch=lambda e: seen.append(e))
    assert trace.diverged and trace.losses.tolist() == [1.0] and seen == [0]
    assert theta[0] == 1.0 and trace.steps == 1
    assert [p[0][0] for p in trace.step_params] == [1.0]  # the point before the only step


def _made_up_run(costs: list[float]):
    """A run whose recorded costs are ``costs`` (J0 first): θ counts the epochs."""
    X, T = np.ones((2, 1)), np.ones(2)
    theta = np.array([0.0])
    return gradient_descent([theta], lambda xb, tb: [np.array([-1.0])],
                            lambda: costs[round(float(theta[0]))], X, T,
                            lr=1.0, epochs=len(costs) - 1)


@pytest.mark.parametrize(
    ("costs", "diverged"),
    [([2.0, 8.9e4, 8.9e4, 8.9e4, 8.9e4], True),  # the deep ReLU run of issue 10: dead units
     ([2.3, 31.4, 31.4, 30.6, 31.4], True),      # the digits network at lr = 1e6
     ([0.76, 4.50, 4.497, 4.502], True),          # per-example descent stuck on saturated tanh
     ([0.5, 1.9, 1.9, 1.9], False),               # worse than the start, but below 2·max(1, J0)
     ([0.69, 0.70, 0.69, 0.70], False),           # a network that does not learn
     ([10.0, 19.0, 19.0, 19.0], False), ([10.0, 21.0, 21.0, 21.0], True),
     ([0.69, 4.0, 6.2, 4.1, 6.3, 104.8], False),  # keeps jumping: not stuck, not stopped
     ([0.69, 3.0], True)],                         # one epoch: the last costs are that one
)
def test_a_run_that_ends_stuck_far_above_its_start_has_diverged(costs, diverged):
    trace = _made_up_run(costs)
    np.testing.assert_array_equal(trace.losses, costs)  # the whole history is kept
    assert trace.diverged is diverged
    last = np.array(costs[1:][-3:])
    stuck = bool(last[-1] > STUCK_FACTOR * max(1.0, costs[0])
                 and last.max() <= (1 + STUCK_SPREAD) * last.min())
    assert stuck is diverged


def test_iterate_uses_the_same_rule():
    # J(w) = w², η = 1.1: |w| grows by 1.2 per step; after 5 steps J = 1.2^10 ≈ 6.2: far
    # above the start but still growing, neither stopped nor stuck.
    growing = iterate(lambda w: float(w @ w), lambda w: 2 * w, [1.0], lr=1.1, steps=5)
    assert not growing.diverged and len(growing.costs) == 6
    # J(w) = min(w², 9): one step of η = 2 throws w from 1 to −3, onto the plateau J = 9
    # where the gradient is 0 — blown up and stuck, though far below the stopping bound.
    stuck = iterate(lambda w: float(min(w @ w, 9.0)),
                    lambda w: 2 * w if abs(w[0]) < 3 else 0 * w, [1.0], lr=2.0, steps=4)
    np.testing.assert_allclose(stuck.costs, [1.0, 9.0, 9.0, 9.0, 9.0])
    assert stuck.diverged


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"start": None}, TypeError, "start must be an array"),
     ({"start": [np.nan]}, ValueError, "start must be finite"),
     ({"start": []}, ValueError, "start must not be empty"),
     ({"cost": 5}, TypeError, "cost must be a function"),
     ({"gradient": None}, TypeError, "gradient must be a function"),
     ({"steps": -1}, ValueError, "steps must be >= 0"),
     ({"lr": 0}, ValueError, "lr must be > 0")],
)
def test_iterate_rejects_bad_arguments(kwargs, error, match):
    arguments = {"cost": lambda w: float(w @ w), "gradient": lambda w: 2 * w, "start": [1.0],
                 "lr": 0.1, "steps": 3} | kwargs
    with pytest.raises(error, match=match):
        iterate(**arguments)
