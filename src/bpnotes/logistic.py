"""Binary logistic regression trained by gradient descent, in the book's notation.

For an input row x the model reads the score z = x·w + b as the probability of class 1,

    y = P(t = 1 | x, w, b) = σ(z) = 1 / (1 + e^{−z})                  eq. (log-model)

and training minimises the mean binary cross-entropy (negative log-likelihood) of the
labels t ∈ {0, 1}, computed from the logits so that it never overflows,

    J(w, b) = (1/m) Σ_i [log(1 + e^{z_i}) − t_i z_i]                  eq. (log-loss-logits)

whose gradient has the same form as linear regression's,

    ∂J/∂w = (1/m) Xᵀ (y − t),   ∂J/∂b = (1/m) Σ_i (y_i − t_i)      eq. (log-grad-matrix)

Training starts from w = 0, b = 0 and uses :func:`bpnotes.descent.gradient_descent`, so
full-batch, per-example and mini-batch updates, shuffling and divergence detection are
exactly those of the other models in the book. :func:`cost`, :func:`gradient` and
:func:`fit` take their arguments in the order shared by :mod:`bpnotes.linear` and
:mod:`bpnotes.softmax`: data first (X, t), then the parameters (w, b).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .activations import _sigmoid
from .data import two_blobs
from .descent import as_rows, gradient_descent
from .losses import _sigmoid_minus
from .validation import (
    as_float_matrix,
    as_float_vector,
    check_class_labels,
    check_real,
    check_same_rows,
)

__all__ = [
    "LogisticFit",
    "binary_data",
    "cost",
    "fit",
    "gradient",
    "separable_data",
    "smoothness",
]


def binary_data() -> tuple[np.ndarray, np.ndarray]:
    """The chapter's binary example: 100 points in two overlapping clouds (not separable),
    centred at (2.5, 1) rather than the origin, so that the bias has work to do."""
    X, t = two_blobs(100, separation=2.2, spread=1.0, seed=3)
    return X + np.array([2.5, 1.0]), t


def separable_data() -> tuple[np.ndarray, np.ndarray]:
    """60 points in two clouds with a clear gap between them (linearly separable)."""
    return two_blobs(60, separation=2.5, spread=0.6, seed=2)


def _logits(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return X @ w + b


def _cost(X: np.ndarray, t: np.ndarray, w: np.ndarray, b: float) -> float:
    z = _logits(X, w, b)
    return float(np.mean(np.logaddexp(0.0, z) - t * z))


def _gradient(X: np.ndarray, t: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    residual = _sigmoid_minus(_logits(X, w, b), t)  # y − t, eq. (log-dloss-dz)
    m = X.shape[0]
    return X.T @ residual / m, float(residual.sum() / m)


def _check_data(X: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_matrix("X", X)
    labels = check_class_labels("t", t, classes=(0, 1))
    check_same_rows("X", X, "t", labels)
    return X, labels.astype(np.float64)


def _check_parameters(w: ArrayLike, b: float, n: int) -> tuple[np.ndarray, float]:
    return as_float_vector("w", w, length=n), check_real("b", b)


def cost(X: ArrayLike, t: ArrayLike, w: ArrayLike, b: float) -> float:
    """The mean binary cross-entropy J(w, b), eq. (log-loss-logits).

    Parameters
    ----------
    X
        Inputs, shape (m, n), one example per row.
    t
        Labels in {0, 1}, shape (m,).
    w
        Weights, shape (n,).
    b
        The bias, a number.

    Returns
    -------
    float
        (1/m) Σ_i [log(1 + e^{z_i}) − t_i z_i] with z_i = x_i·w + b, which equals
        −(1/m) Σ_i [t_i log y_i + (1 − t_i) log(1 − y_i)], eq. (log-nll), but is finite
        even when |z_i| is huge.
    """
    X, t = _check_data(X, t)
    w, b = _check_parameters(w, b, X.shape[1])
    return _cost(X, t, w, b)


def gradient(X: ArrayLike, t: ArrayLike, w: ArrayLike, b: float) -> tuple[np.ndarray, float]:
    """The gradient (∂J/∂w, ∂J/∂b) of the mean log loss, eqs. (log-grad) and (log-grad-matrix).

    The residuals y_i − t_i are computed from the logits, as (1 − t_i) σ(z_i) − t_i σ(−z_i),
    so they keep their relative precision where y_i rounds to 1.

    Returns
    -------
    tuple
        ``(grad_w, grad_b)``: (1/m) Xᵀ(y − t) of shape (n,) and (1/m) Σ_i (y_i − t_i).
    """
    X, t = _check_data(X, t)
    w, b = _check_parameters(w, b, X.shape[1])
    return _gradient(X, t, w, b)


def smoothness(X: ArrayLike) -> float:
    """The curvature bound L = λ_max(X̃ᵀX̃) / (4m) of the log loss, eq. (log-smoothness).

    X̃ is X with a column of ones appended (the bias). The Hessian of J is
    (1/m) X̃ᵀ diag(y(1 − y)) X̃ ⪯ L·I because y(1 − y) ≤ 1/4, so full-batch gradient
    descent with a learning rate below 2/L is guaranteed to converge.
    """
    X = as_float_matrix("X", X)
    Xt = np.column_stack([X, np.ones(X.shape[0])])
    return float(np.linalg.eigvalsh(Xt.T @ Xt / X.shape[0])[-1] / 4.0)


@dataclass(frozen=True)
class LogisticFit:
    """A trained binary logistic regression, the result of :func:`fit` (the same fields
    as :class:`bpnotes.linear.LinearFit`).

    Attributes
    ----------
    w
        The weights, shape (n,): those of the last point of ``path`` (if training
        diverged, the last point whose cost was still finite).
    b
        The bias.
    losses
        The full-data cost J before training and after each epoch (``epochs + 1``
        values, fewer if training stopped on divergence; never NaN or infinity).
    diverged
        True when training diverged, by the rule of :mod:`bpnotes.descent`.
    steps
        The number of parameter updates made.
    path
        The parameters (w_1, ..., w_n, b) at which each value of ``losses`` was measured,
        shape (len(losses), n + 1), one point per epoch.
    step_path
        Only when ``fit(..., record_steps=True)``: the parameters before every update and
        after the last one, shape (steps + 1, n + 1) (finite rows only), else None.
    """

    w: np.ndarray
    b: float
    losses: np.ndarray
    diverged: bool
    steps: int
    path: np.ndarray
    step_path: np.ndarray | None = None

    def logits(self, X: ArrayLike) -> np.ndarray:
        """The scores z = Xw + b, shape (m,)."""
        X = as_float_matrix("X", X, columns=self.w.shape[0])
        return _logits(X, self.w, self.b)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """P(t = 1 | x) = σ(x·w + b) for every row of X, shape (m,), eq. (log-model)."""
        return _sigmoid(self.logits(X))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The predicted class (1 when P(t = 1 | x) > 1/2, i.e. when z > 0), shape (m,)."""
        return (self.logits(X) > 0).astype(np.int64)


def fit(
    X: ArrayLike,
    t: ArrayLike,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    *,
    record_steps: bool = False,
) -> LogisticFit:
    """Fit logistic regression by gradient descent from w = 0, b = 0, eq. (log-update).

    Parameters
    ----------
    X
        Inputs, shape (m, n), one example per row; finite.
    t
        Labels in {0, 1} (integers, booleans or whole-number floats), shape (m,).
    lr
        The learning rate η > 0.
    epochs
        The number of passes over the data.
    batch_size
        ``None`` for full-batch descent, 1 for per-example updates, k for mini-batches.
    shuffle
        Reshuffle the examples every epoch (seeded by ``seed``).
    seed
        Seed for the shuffling.
    record_steps
        Also keep the parameters before every update (``LogisticFit.step_path``).

    Returns
    -------
    LogisticFit
        The parameters, the loss history, the per-epoch path and the divergence flag.
    """
    X, t = _check_data(X, t)
    w = np.zeros(X.shape[1])
    b = np.zeros(1)

    def batch_gradient(xb: np.ndarray, tb: np.ndarray) -> list[np.ndarray]:
        grad_w, grad_b = _gradient(xb, tb, w, float(b[0]))
        return [grad_w, np.array([grad_b])]

    trace = gradient_descent(
        [w, b], batch_gradient, lambda: _cost(X, t, w, float(b[0])), X, t, lr=lr,
        epochs=epochs, batch_size=batch_size, shuffle=shuffle, seed=seed, record_params=True,
        record_steps=record_steps,
    )
    path = as_rows(trace.params or [])
    return LogisticFit(
        w=path[-1, :-1].copy(), b=float(path[-1, -1]), losses=trace.losses,
        diverged=trace.diverged, steps=trace.steps, path=path,
        step_path=None if trace.step_params is None else as_rows(trace.step_params),
    )
