"""Gradient descent, written once for every model in the book.

The models (linear, logistic, softmax regression and the MLP) only supply a function
"loss and gradient at the current parameters on this batch". This module owns
everything else: epochs, full-batch / per-example / mini-batch updates, shuffling,
the loss history, optional momentum and divergence detection, eq. (lin-update):

    θ ← θ − η ∇_θ J_B(θ)

where J_B is the cost on the batch B. With momentum μ (eq. (bp-momentum)) the step is
v ← μ v − η ∇J_B, θ ← θ + v.

:func:`iterate` is the same update on a plain function of one vector, used for the
one-dimensional and two-dimensional pictures of the first chapters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .validation import (
    check_batch_size,
    check_flag,
    check_nonnegative_int,
    check_nonnegative_number,
    check_positive_number,
    check_seed,
)

__all__ = [
    "DIVERGENCE_FACTOR",
    "Path",
    "Trace",
    "batches",
    "gradient_descent",
    "has_diverged",
    "iterate",
]

#: Training is declared divergent when the loss is not finite or exceeds
#: DIVERGENCE_FACTOR × max(1, initial loss): a growth no converging run can show.
DIVERGENCE_FACTOR = 1e8

LossAndGradient = Callable[[np.ndarray, np.ndarray], tuple[float, Sequence[np.ndarray]]]


def has_diverged(loss: float, initial_loss: float) -> bool:
    """True when ``loss`` is non-finite or has grown past the divergence bound."""
    bound = DIVERGENCE_FACTOR * max(1.0, abs(initial_loss))
    return not np.isfinite(loss) or loss > bound


def batches(
    m: int, batch_size: int, shuffle: bool, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Index arrays of one epoch: consecutive runs of ``batch_size`` (the last may be
    shorter), over a fresh permutation when ``shuffle`` is true, else in order."""
    order = rng.permutation(m) if shuffle else np.arange(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


@dataclass(frozen=True)
class Trace:
    """What :func:`gradient_descent` did.

    Attributes
    ----------
    losses
        The full-data cost before training and after each completed epoch
        (``epochs + 1`` values unless training diverged; then it stops at the first
        value past the bound, and holds no NaN).
    diverged
        True when training stopped because the cost became non-finite or grew past
        :data:`DIVERGENCE_FACTOR` times its starting value.
    steps
        The number of parameter updates made.
    params
        Only with ``record_params=True``: a copy of every parameter array at each moment
        a value of ``losses`` was measured (``params[k][i]`` is array i after epoch k);
        otherwise None.
    """

    losses: np.ndarray
    diverged: bool
    steps: int
    params: list[list[np.ndarray]] | None = None


def gradient_descent(
    params: Sequence[np.ndarray],
    loss_and_gradient: LossAndGradient,
    X: np.ndarray,
    T: np.ndarray,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    momentum: float = 0.0,
    evaluate: Callable[[], float] | None = None,
    after_epoch: Callable[[int], None] | None = None,
    record_params: bool = False,
) -> Trace:
    """Minimise a cost by (mini-)batch gradient descent, updating ``params`` in place.

    Parameters
    ----------
    params
        The parameter arrays θ, updated in place.
    loss_and_gradient
        ``(X_batch, T_batch) -> (cost, [gradient of the cost for each array in params])``
        at the current parameters. The cost is the mean over the batch.
    X, T
        The training data; rows are examples. Already validated by the caller.
    lr
        The learning rate η > 0.
    epochs
        The number of passes over the data (0 just evaluates the starting cost).
    batch_size
        ``None`` for full-batch descent, 1 for per-example (stochastic) updates, k for
        mini-batches of k examples (the last batch of an epoch may be smaller).
    shuffle
        Reshuffle the examples every epoch (from ``seed``); if false, use the given order.
    seed
        Seed for the shuffling.
    momentum
        μ in [0, 1); 0 gives plain gradient descent.
    evaluate
        The full-data cost at the current parameters; defaults to
        ``loss_and_gradient(X, T)[0]``.
    after_epoch
        Called with the epoch number (0 before training) after each cost evaluation
        that is recorded in ``losses`` (so once per value), e.g. to record per-layer
        statistics.
    record_params
        Keep a copy of the parameters with every recorded loss (``Trace.params``): the
        descent path that the chapters draw.
    """
    lr = check_positive_number("lr", lr)
    epochs = check_nonnegative_int("epochs", epochs)
    momentum = check_nonnegative_number("momentum", momentum)
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    shuffle = check_flag("shuffle", shuffle)
    seed = check_seed(seed)
    m = X.shape[0]
    size = check_batch_size(batch_size, m)
    history: list[list[np.ndarray]] | None = [] if record_params else None

    def record(epoch: int) -> None:
        if history is not None:
            history.append([p.copy() for p in params])
        if after_epoch is not None:
            after_epoch(epoch)

    if evaluate is None:
        def evaluate() -> float:
            return float(loss_and_gradient(X, T)[0])

    rng = np.random.default_rng(seed)
    velocity = [np.zeros_like(p) for p in params] if momentum > 0 else None
    with np.errstate(over="ignore", invalid="ignore"):
        initial = float(evaluate())
    losses = [initial]
    record(0)
    steps = 0
    diverged = has_diverged(initial, initial)
    for epoch in range(1, epochs + 1):
        if diverged:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            for index in batches(m, size, shuffle, rng):
                _, grads = loss_and_gradient(X[index], T[index])
                _apply_update(params, grads, lr, momentum, velocity)
                steps += 1
                if not all(np.all(np.isfinite(p)) for p in params):
                    diverged = True
                    break
            loss = float(evaluate()) if not diverged else np.inf
        if diverged or has_diverged(loss, initial):
            diverged = True
            if np.isfinite(loss):
                losses.append(loss)
                record(epoch)
            break
        losses.append(loss)
        record(epoch)
    return Trace(np.asarray(losses), diverged, steps, history)


def _apply_update(
    params: Sequence[np.ndarray],
    grads: Sequence[np.ndarray],
    lr: float,
    momentum: float,
    velocity: list[np.ndarray] | None,
) -> None:
    if velocity is None:
        for p, g in zip(params, grads, strict=True):
            p -= lr * g
        return
    for p, g, v in zip(params, grads, velocity, strict=True):
        v *= momentum
        v -= lr * g
        p += v


@dataclass(frozen=True)
class Path:
    """The iterates of :func:`iterate`: ``points[k]`` is θ after k steps."""

    points: np.ndarray
    costs: np.ndarray
    diverged: bool


def iterate(
    cost: Callable[[np.ndarray], float],
    gradient: Callable[[np.ndarray], np.ndarray],
    start: Sequence[float] | np.ndarray,
    lr: float,
    steps: int,
) -> Path:
    """Run θ_{k+1} = θ_k − η ∇J(θ_k) from ``start`` for ``steps`` steps, eq. (lin-update).

    Stops early (``diverged=True``) when the cost leaves the divergence bound, so a
    too-large learning rate gives a short path, not overflow.
    """
    lr = check_positive_number("lr", lr)
    steps = check_nonnegative_int("steps", steps)
    theta = np.array(start, dtype=np.float64, ndmin=1)
    if not np.all(np.isfinite(theta)):
        raise ValueError("start must be finite")
    points, costs = [theta.copy()], [float(cost(theta))]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            theta = theta - lr * np.asarray(gradient(theta), dtype=np.float64)
            value = float(cost(theta))
            if has_diverged(value, costs[0]) or not np.all(np.isfinite(theta)):
                diverged = True
                break
            points.append(theta.copy())
            costs.append(value)
    return Path(np.asarray(points), np.asarray(costs), diverged)
