"""The shared gradient-descent loop: batching, shuffling, history, divergence."""

from __future__ import annotations

import numpy as np
import pytest

from bpnotes.descent import DIVERGENCE_FACTOR, batches, gradient_descent, iterate


def quadratic_problem():
    """J(θ) = mean_i ½(x_i θ − t_i)² for scalar θ: gradient mean_i (x_i θ − t_i) x_i."""
    X = np.array([[1.0], [2.0], [3.0]])
    T = np.array([1.0, 1.0, 4.0])

    def loss_and_gradient(xb, tb, theta):
        r = xb[:, 0] * theta[0] - tb
        return 0.5 * float(np.mean(r**2)), [np.array([np.mean(r * xb[:, 0])])]

    return X, T, loss_and_gradient


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
    trace = gradient_descent(
        [theta],
        lambda xb, tb: lg(xb, tb, theta),
        X,
        T,
        lr=0.1,
        epochs=1,
        batch_size=1,
        shuffle=False,
    )
    # By hand: θ ← θ − 0.1 (x θ − t) x for (x, t) = (1, 1), (2, 1), (3, 4).
    expected = 0.0
    for x, t in [(1, 1), (2, 1), (3, 4)]:
        expected -= 0.1 * (x * expected - t) * x
    assert theta[0] == pytest.approx(expected, rel=1e-15)
    assert trace.steps == 3 and len(trace.losses) == 2 and not trace.diverged


def test_full_batch_converges_to_the_least_squares_solution():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    trace = gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta), X, T, lr=0.2, epochs=200)
    closed_form = float(X[:, 0] @ T / (X[:, 0] @ X[:, 0]))
    assert theta[0] == pytest.approx(closed_form, rel=1e-10)
    assert np.all(np.diff(trace.losses) <= 1e-15)  # monotone decrease below the critical rate


def test_divergence_is_reported_and_the_history_has_no_nan():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    # Hessian = mean x² = 14/3, so the critical learning rate is 2/(14/3) = 3/7.
    trace = gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta), X, T, lr=0.5, epochs=10_000)
    assert trace.diverged
    assert np.all(np.isfinite(trace.losses))
    assert trace.losses[-1] > DIVERGENCE_FACTOR * trace.losses[0]
    assert len(trace.losses) < 10_001


def test_momentum_matches_the_heavy_ball_recursion():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    gradient_descent(
        [theta], lambda xb, tb: lg(xb, tb, theta), X, T, lr=0.05, epochs=3, momentum=0.9
    )
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
        gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta), X, T, **kwargs)
    assert theta[0] == 0.5


def test_iterate_on_a_quadratic_is_geometric():
    path = iterate(lambda w: float(w @ w), lambda w: 2 * w, [1.0], lr=0.1, steps=5)
    np.testing.assert_allclose(path.points[:, 0], 0.8 ** np.arange(6), rtol=1e-14)
    diverging = iterate(lambda w: float(w @ w), lambda w: 2 * w, [1.0], lr=1.5, steps=500)
    assert diverging.diverged and np.all(np.isfinite(diverging.costs))


def test_record_params_keeps_the_parameters_of_every_recorded_loss():
    X, T, lg = quadratic_problem()
    theta = np.array([0.0])
    trace = gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta), X, T, lr=0.1,
                             epochs=3, record_params=True)
    assert len(trace.params) == len(trace.losses) == 4
    for (th,), loss in zip(trace.params, trace.losses, strict=True):
        assert lg(X, T, th)[0] == pytest.approx(loss, rel=1e-14)  # each snapshot, its cost
    assert trace.params[-1][0][0] == theta[0] and trace.params[0][0][0] == 0.0
    plain = gradient_descent([np.array([0.0])], lambda xb, tb: lg(xb, tb, theta), X, T,
                             lr=0.1, epochs=1)
    assert plain.params is None


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
     ({"seed": 1.5}, TypeError, "seed must be an integer"),
     ({"seed": -1}, ValueError, "seed must be a non-negative integer")],
)
def test_bad_shuffle_and_seed(kwargs, error, match):
    X, T, lg = quadratic_problem()
    theta = np.array([0.5])
    with pytest.raises(error, match=match):
        gradient_descent([theta], lambda xb, tb: lg(xb, tb, theta), X, T, lr=0.1, epochs=1,
                         **kwargs)
    assert theta[0] == 0.5
