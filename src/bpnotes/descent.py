"""Gradient descent, written once for every model in the book.

The models (linear, logistic, softmax regression and the MLP) only supply two functions:
"the gradient of the cost on this batch at the current parameters" and "the cost on the
whole training set at the current parameters". This module owns everything else: epochs,
full-batch / per-example / mini-batch updates, shuffling, the loss history, optional
momentum and divergence detection, eq. (lin-update):

    θ ← θ − η ∇_θ J_B(θ)

where J_B is the cost on the batch B. With momentum μ (eq. (bp-momentum)) the step is
v ← μ v − η ∇J_B, θ ← θ + v.

The cost recorded for each epoch
--------------------------------
The history starts with J₀, the cost on all the data before training. For each epoch it
then records one of two things (``epoch_cost``):

* ``"full"``: the cost on all the data after the epoch, one extra evaluation of the
  whole training set per epoch (for mini-batches, a pass over the data that the updates
  never make);
* ``"batches"``: the size-weighted mean (1/m) Σ_B |B| J_B(θ_B) of the batch costs of the
  epoch, each J_B taken at the parameters θ_B just before the update of batch B. These are
  the costs that the gradient computations evaluate anyway, so recording them is free
  (the convention of scikit-learn's ``MLPClassifier.loss_curve_``). With the full batch
  this is the exact cost at the start of the epoch: the value of epoch k equals the
  ``"full"`` value of epoch k − 1, and the value of epoch 1 equals J₀.

Divergence, one rule for every model
------------------------------------
Let J₀ be the cost before training and s = max(1, |J₀|) its scale.

* Training **stops** as soon as the recorded cost of an epoch exceeds
  ``DIVERGENCE_FACTOR`` · s (a growth by eight orders of magnitude, which no converging
  run shows; ``losses`` then ends with that first value past the bound), or a parameter
  or the cost is no longer finite (that epoch is not recorded). ``losses`` holds no NaN
  and no infinity, and the parameters are left at a finite point where a finite cost
  was measured: with ``"full"``, where ``losses[-1]`` was measured (the end of epoch
  ``len(losses) − 1``); with ``"batches"``, at the *start* of epoch ``len(losses) − 1``
  (before training if only J₀ is recorded), because the end of an epoch is never
  evaluated in that mode and is where a blow-up can begin. With the full batch that is
  again where ``losses[-1]`` was measured; with mini-batches, where the first batch cost
  of that epoch was.
* A run that completes its epochs but ends **stuck** far above its start has also
  **diverged**: it blew up and then got stuck, because the units it blew up are saturated
  sigmoids or dead ReLUs that pass almost no gradient, so the cost stays high without
  growing further. Stuck means: the last cost exceeds ``STUCK_FACTOR`` · s, and the last
  ``STUCK_EPOCHS`` recorded costs (fewer if there are fewer epochs) lie within a factor
  ``1 + STUCK_SPREAD`` of each other. Its whole history is kept. A run that merely fails
  to improve (a deep sigmoid network whose deltas vanish) stays near J₀, and a run that
  keeps jumping (a learning rate far beyond the stability limit of a convex cost) is not
  stuck; neither is called divergent.
* If the cost before training is already not finite (data too large for float64), no
  descent is attempted: ``ValueError``.

:func:`iterate` is the same update on a plain function of one vector, used for the
one-dimensional and two-dimensional pictures of the first chapters, with the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from .validation import (
    as_real_array,
    check_batch_size,
    check_callable,
    check_choice,
    check_finite,
    check_flag,
    check_nonnegative_int,
    check_nonnegative_number,
    check_positive_int,
    check_positive_number,
    check_seed,
)

__all__ = [
    "DIVERGENCE_FACTOR",
    "EPOCH_COSTS",
    "STUCK_EPOCHS",
    "STUCK_FACTOR",
    "STUCK_SPREAD",
    "Path",
    "Trace",
    "as_rows",
    "batches",
    "ended_stuck",
    "gradient_descent",
    "has_diverged",
    "iterate",
]

#: Training stops as divergent when the cost exceeds DIVERGENCE_FACTOR × max(1, |J₀|).
DIVERGENCE_FACTOR = 1e8
#: A run that ends above STUCK_FACTOR × max(1, |J₀|), with its last STUCK_EPOCHS costs
#: within a factor 1 + STUCK_SPREAD of each other, blew up and got stuck.
STUCK_FACTOR = 2.0
STUCK_EPOCHS = 3
STUCK_SPREAD = 0.05

#: The two choices of the cost recorded for each epoch (see the module docstring).
EPOCH_COSTS = ("batches", "full")

GradientFunction = Callable[[np.ndarray, np.ndarray], Sequence[np.ndarray]]
CostAndGradientFunction = Callable[[np.ndarray, np.ndarray], tuple[float, Sequence[np.ndarray]]]


def _scale(initial_loss: float) -> float:
    return max(1.0, abs(initial_loss))


def has_diverged(loss: float, initial_loss: float) -> bool:
    """True when ``loss`` is not finite or exceeds ``DIVERGENCE_FACTOR`` · max(1, |J₀|):
    the rule that stops training."""
    return not np.isfinite(loss) or loss > DIVERGENCE_FACTOR * _scale(initial_loss)


def ended_stuck(losses: Sequence[float]) -> bool:
    """True when a completed run with these recorded costs (J₀ first) blew up and got
    stuck: the last cost exceeds ``STUCK_FACTOR`` · max(1, |J₀|) and the last
    ``STUCK_EPOCHS`` costs after J₀ lie within a factor ``1 + STUCK_SPREAD`` of each other."""
    if len(losses) < 2:
        return False
    last = np.asarray(losses[-STUCK_EPOCHS:] if len(losses) > STUCK_EPOCHS else losses[1:])
    high = bool(last[-1] > STUCK_FACTOR * _scale(float(losses[0])))
    return high and bool(last.max() <= (1.0 + STUCK_SPREAD) * last.min())


def batches(
    m: int, batch_size: int | None, shuffle: bool, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Index arrays of one epoch: consecutive runs of ``batch_size`` (the last may be
    shorter; ``None`` is the full batch), over a fresh permutation when ``shuffle`` is
    true, else in order."""
    m = check_positive_int("m", m)
    size = check_batch_size(batch_size, m)
    shuffle = check_flag("shuffle", shuffle)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return _batches(m, size, shuffle, rng)


def _batches(m: int, size: int, shuffle: bool, rng: np.random.Generator) -> Iterator[np.ndarray]:
    order = rng.permutation(m) if shuffle else np.arange(m)
    for start in range(0, m, size):
        yield order[start : start + size]


@dataclass(frozen=True)
class Trace:
    """What :func:`gradient_descent` did.

    Attributes
    ----------
    losses
        The full-data cost before training, then one cost per completed epoch: the
        full-data cost after it, or the mean of its batch costs, as ``epoch_cost`` chose
        (see the module docstring). ``epochs + 1`` values unless training stopped early;
        never NaN or infinity. The parameters are left as they were at the end of epoch
        ``len(losses) - 1``, unless training diverged (see the module docstring).
    diverged
        True when training diverged by the rule of the module docstring: it stopped on
        a blow-up (then ``len(losses) < epochs + 1``), or it completed its epochs but
        ended stuck far above its start.
    steps
        The number of parameter updates made.
    params
        Only with ``record_params=True``: a copy of every parameter array before
        training and after each recorded epoch (``params[k][i]`` is array i after epoch
        k; with ``epoch_cost="full"``, where ``losses[k]`` was measured); otherwise None.
    step_params
        Only with ``record_steps=True``: a copy of the parameters before every update,
        and after the last one unless the parameters were put back after a divergence
        (see the module docstring); otherwise None. Every snapshot is finite.
    """

    losses: np.ndarray
    diverged: bool
    steps: int
    params: list[list[np.ndarray]] | None = None
    step_params: list[list[np.ndarray]] | None = None


def as_rows(snapshots: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Parameter snapshots as one row each: row k is every array of snapshot k flattened
    and concatenated (for a linear model, (w_1, ..., w_n, b))."""
    return np.array([np.concatenate([np.ravel(p) for p in snapshot]) for snapshot in snapshots])


def gradient_descent(
    params: Sequence[np.ndarray],
    gradient: GradientFunction | CostAndGradientFunction,
    cost: Callable[[], float],
    X: np.ndarray,
    T: np.ndarray,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    momentum: float = 0.0,
    after_epoch: Callable[[int], None] | None = None,
    record_params: bool = False,
    record_steps: bool = False,
    epoch_cost: str = "full",
) -> Trace:
    """Minimise a cost by (mini-)batch gradient descent, updating ``params`` in place.

    Parameters
    ----------
    params
        The parameter arrays θ, updated in place.
    gradient
        ``(X_batch, T_batch) -> [gradient of the batch cost for each array in params]``
        at the current parameters (the batch cost is the mean over the batch). With
        ``epoch_cost="full"`` only the gradient is asked for, so no batch cost is
        computed and thrown away; with ``"batches"`` it returns the pair
        ``(batch cost, [gradients])``, both at the parameters before the update.
    cost
        The full-data cost at the current parameters; called before training and, with
        ``epoch_cost="full"``, after every epoch, and recorded in ``losses``.
    X, T
        The training data; rows are examples. Already validated by the caller. With the
        full batch they are passed to ``gradient`` as they are (no copy).
    lr
        The learning rate η > 0.
    epochs
        The number of passes over the data (0 just evaluates the starting cost).
    batch_size
        ``None`` for full-batch descent, 1 for per-example (stochastic) updates, k for
        mini-batches of k examples (the last batch of an epoch may be smaller).
    shuffle
        Reshuffle the examples every epoch (from ``seed``); if false, use the given order.
        The full batch is never shuffled: its gradient does not depend on the order.
    seed
        Seed for the shuffling.
    momentum
        μ in [0, 1); 0 gives plain gradient descent.
    after_epoch
        Called with the epoch number (0 before training) after each cost evaluation
        that is recorded in ``losses`` (so once per value), e.g. to record per-layer
        statistics. It must not change the parameters.
    record_params
        Keep a copy of the parameters with every recorded loss (``Trace.params``): the
        descent path that the chapters draw.
    record_steps
        Keep a copy of the parameters before every update (``Trace.step_params``).
    epoch_cost
        The cost recorded for each epoch: ``"full"`` (the cost on all the data after the
        epoch, one call of ``cost`` per epoch) or ``"batches"`` (the size-weighted mean
        of the epoch's batch costs, returned by ``gradient``; no extra evaluation). See
        the module docstring.

    Raises
    ------
    ValueError
        For a bad argument, or when the cost before training is not finite.
    """
    lr = check_positive_number("lr", lr)
    epochs = check_nonnegative_int("epochs", epochs)
    momentum = check_nonnegative_number("momentum", momentum)
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    shuffle = check_flag("shuffle", shuffle)
    seed = check_seed(seed)
    record_params = check_flag("record_params", record_params)
    record_steps = check_flag("record_steps", record_steps)
    after_epoch = check_callable("after_epoch", after_epoch, optional=True)
    epoch_cost = check_choice("epoch_cost", epoch_cost, EPOCH_COSTS)
    batch_costs = epoch_cost == "batches"
    m = X.shape[0]
    size = check_batch_size(batch_size, m)
    history: list[list[np.ndarray]] | None = [] if record_params else None
    step_history: list[list[np.ndarray]] | None = [] if record_steps else None
    # Where to put the parameters back if training diverges: ends[-1] is their copy at the
    # end of the last recorded epoch, and with "batches" ends[0] holds the end of the one
    # before (the start of the last recorded epoch); with "full" ends[0] is ends[-1].
    ends = [[p.copy() for p in params] for _ in range(2 if batch_costs else 1)]

    def record(epoch: int) -> None:
        ends.append(ends.pop(0))  # the oldest copy is overwritten
        for saved, p in zip(ends[-1], params, strict=True):
            np.copyto(saved, p)
        if history is not None:
            history.append([p.copy() for p in params])
        if after_epoch is not None:
            after_epoch(epoch)

    velocity = [np.zeros_like(p) for p in params] if momentum > 0 else None

    def update(xb: np.ndarray, tb: np.ndarray) -> float:
        """One update on a batch; returns the batch cost before it (0 with "full")."""
        if step_history is not None:
            step_history.append([p.copy() for p in params])
        if batch_costs:
            value, grads = _cost_and_gradient(gradient, xb, tb)
        else:
            value, grads = 0.0, cast(GradientFunction, gradient)(xb, tb)
        _apply_update(params, grads, lr, momentum, velocity)
        return value

    with np.errstate(over="ignore", invalid="ignore"):
        initial = float(cost())
    if not np.isfinite(initial):
        raise ValueError(
            f"the cost before training is {initial}, not a finite number: the data (X and "
            "the targets) or the starting parameters are too large for float64; rescale them"
        )
    losses = [initial]
    record(0)
    steps = 0
    rng = np.random.default_rng(seed)
    stopped = put_back = False
    for epoch in range(1, epochs + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            if size == m:
                total = update(X, T)
                steps += 1
                stopped = not _all_finite(params)
            else:
                total = 0.0  # Σ_B |B| J_B over the batches of the epoch
                for index in _batches(m, size, shuffle, rng):
                    total += index.size * update(X[index], T[index])
                    steps += 1
                    if not _all_finite(params):
                        stopped = True
                        break
                total /= m
            if stopped:
                loss = np.inf
            else:
                loss = total if batch_costs else float(cost())
        blew_up = stopped or not np.isfinite(loss)
        if not blew_up:
            losses.append(loss)
            record(epoch)
        if blew_up or has_diverged(loss, initial):
            stopped = True
            if blew_up or batch_costs:  # with "full" past the bound: already in place
                put_back = True
                for p, saved in zip(params, ends[0], strict=True):
                    np.copyto(p, saved)
            break
    if step_history is not None and not put_back:
        step_history.append([p.copy() for p in params])
    diverged = stopped or ended_stuck(losses)
    return Trace(np.asarray(losses), diverged, steps, history, step_history)


def _cost_and_gradient(
    gradient: GradientFunction | CostAndGradientFunction, xb: np.ndarray, tb: np.ndarray
) -> tuple[float, Sequence[np.ndarray]]:
    result = gradient(xb, tb)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(
            'with epoch_cost="batches", gradient must return the pair (batch cost, '
            f"gradients), got {type(result).__name__}"
        )
    value, grads = cast(tuple[float, Sequence[np.ndarray]], result)
    return float(value), grads


def _all_finite(params: Sequence[np.ndarray]) -> bool:
    # One read-only pass per array: the sum of finite numbers is NaN or infinite only if
    # some entry is, or if they are so large that the run is diverging anyway.
    return all(np.isfinite(np.sum(p)) for p in params)


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
    gradient: Callable[[np.ndarray], ArrayLike],
    start: ArrayLike,
    lr: float,
    steps: int,
) -> Path:
    """Run θ_{k+1} = θ_k − η ∇J(θ_k) from ``start`` for ``steps`` steps, eq. (lin-update).

    Stops early (``diverged=True``) when the cost leaves the divergence bound, so a
    too-large learning rate gives a short path, not overflow; a path that ends stuck far
    above its start is divergent too (the rule of :func:`gradient_descent`).
    """
    cost = check_callable("cost", cost)
    gradient = check_callable("gradient", gradient)
    lr = check_positive_number("lr", lr)
    steps = check_nonnegative_int("steps", steps)
    theta = np.array(as_real_array("start", start), dtype=np.float64, ndmin=1)  # a copy
    check_finite("start", theta)
    if theta.size == 0:
        raise ValueError("start must not be empty")
    with np.errstate(over="ignore", invalid="ignore"):
        first = float(cost(theta))
    if not np.isfinite(first):
        raise ValueError(f"the cost at start is {first}, not a finite number")
    points, costs = [theta.copy()], [first]
    stopped = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            theta = theta - lr * np.asarray(gradient(theta), dtype=np.float64)
            value = float(cost(theta))
            if has_diverged(value, costs[0]) or not np.all(np.isfinite(theta)):
                stopped = True
                break
            points.append(theta.copy())
            costs.append(value)
    diverged = stopped or ended_stuck(costs)
    return Path(np.asarray(points), np.asarray(costs), diverged)
