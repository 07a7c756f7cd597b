"""Softmax (multinomial logistic) regression trained by gradient descent.

For an input row x and k classes the model computes one score per class and turns the
scores into probabilities with the softmax,

    z = W x + b,   o_c = e^{z_c} / Σ_j e^{z_j} = P(class c | x)           eq. (softmax-def)

with ``W`` of shape (k, n) (row c holds the weights of class c) and ``b`` of shape (k,).
Training minimises the mean categorical cross-entropy of one-hot targets y_i,

    J(W, b) = −(1/m) Σ_i Σ_c y_ic log o_ic                              eq. (softmax-ce)

computed as log-softmax of the logits (maximum subtracted, eq. (softmax-shift)), so it is
finite for any logits. Its gradient with respect to the logits is o − y,
eq. (softmax-grad), hence

    ∂J/∂W = (1/m) (O − Y)ᵀ X,   ∂J/∂b = (1/m) Σ_i (o_i − y_i)          eq. (softmax-grad-matrix)

Training starts from W = 0, b = 0 and uses :func:`bpnotes.descent.gradient_descent`
(same batch modes, shuffling and divergence detection as :mod:`bpnotes.logistic`).
:func:`cost`, :func:`gradient` and :func:`fit` take their arguments in the order shared by
:mod:`bpnotes.linear` and :mod:`bpnotes.logistic`: data first (X, y), then the
parameters (W, b).

Every *row* of O − Y sums to zero: Σ_c (o_ic − y_ic) = 1 − 1 for each example i, because
both the probabilities and a one-hot target sum to one over the classes. Hence the class
gradients sum to zero as well, Σ_c ∂J/∂W_{c,:} = (1/m) Σ_i (Σ_c (o_ic − y_ic)) x_i = 0 and
Σ_c ∂J/∂b_c = 0, and gradient descent from W = 0, b = 0 keeps Σ_c W_{c,:} = 0 (each column
of W sums to zero over the classes) and Σ_c b_c = 0. Since adding the same vector to every
row of W changes no probability (eq. (softmax-shift)), the maximum-likelihood weights are
not unique, and descent picks the solution whose class weights sum to zero.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .activations import _softmax
from .data import blobs
from .descent import gradient_descent
from .losses import log_softmax, one_hot
from .validation import (
    as_float_matrix,
    as_float_vector,
    check_class_labels,
    check_same_rows,
)

__all__ = ["SoftmaxFit", "cost", "fit", "gradient", "three_class_data"]


def three_class_data() -> tuple[np.ndarray, np.ndarray]:
    """150 points in three overlapping clouds, labels 0, 1, 2."""
    return blobs(150, spread=0.9, seed=1)


def _check_labels(y: ArrayLike, classes: object) -> tuple[np.ndarray, int]:
    if classes is not None and (
        isinstance(classes, bool) or not isinstance(classes, numbers.Integral)
    ):
        raise TypeError(f"classes must be None or an integer, got {type(classes).__name__}")
    if classes is not None and classes < 2:
        raise ValueError(
            f"softmax regression needs at least 2 classes, got classes={classes}; "
            "pass labels 0..k-1 with k >= 2"
        )
    labels = check_class_labels("y", y, classes=None if classes is None else int(classes))
    k = int(labels.max()) + 1 if classes is None else int(classes)
    if k < 2:
        raise ValueError(
            "softmax regression needs at least 2 classes, but the labels only contain "
            "class 0; pass labels 0..k-1 with k >= 2 (or classes=k)"
        )
    return labels, k


def _check_data(X: ArrayLike, y: ArrayLike, classes: object) -> tuple[np.ndarray, np.ndarray, int]:
    X = as_float_matrix("X", X)
    labels, k = _check_labels(y, classes)
    check_same_rows("X", X, "y", labels)
    return X, labels, k


def _check_parameters(W: np.ndarray, b: ArrayLike, k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    if W.shape != (k, n):
        raise ValueError(f"W must have shape (classes, features) = {(k, n)}, got {W.shape}")
    return W, as_float_vector("b", b, length=k)


def _gradient(
    X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    delta = _softmax(X @ W.T + b) - Y  # o − y, eq. (softmax-grad); each row sums to 0
    m = X.shape[0]
    return delta.T @ X / m, delta.sum(axis=0) / m


def _cost(X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    return float(-np.sum(Y * log_softmax(X @ W.T + b)) / X.shape[0])


def _validated(
    X: ArrayLike, y: ArrayLike, W: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    W_arr = as_float_matrix("W", W)
    X_arr, labels, k = _check_data(X, y, W_arr.shape[0])
    W_arr, b_arr = _check_parameters(W_arr, b, k, X_arr.shape[1])
    return X_arr, one_hot(labels, k), W_arr, b_arr


def cost(X: ArrayLike, y: ArrayLike, W: ArrayLike, b: ArrayLike) -> float:
    """The mean categorical cross-entropy J(W, b), eq. (softmax-ce), from the logits.

    Parameters
    ----------
    X
        Inputs, shape (m, n).
    y
        Integer labels 0..k−1, shape (m,).
    W
        Class weights, shape (k, n): row c holds the weights of class c.
    b
        Class biases, shape (k,).
    """
    return _cost(*_validated(X, y, W, b))


def gradient(
    X: ArrayLike, y: ArrayLike, W: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """(∂J/∂W, ∂J/∂b) = ((1/m)(O − Y)ᵀX, (1/m)Σ_i(o_i − y_i)), eq. (softmax-grad-matrix).

    Returns
    -------
    tuple
        ``(grad_W, grad_b)`` of shapes (k, n) and (k,); both sum to zero over the classes
        (see the module docstring).
    """
    return _gradient(*_validated(X, y, W, b))


@dataclass(frozen=True)
class SoftmaxFit:
    """A trained softmax regression, the result of :func:`fit` (the fields of
    :class:`bpnotes.logistic.LogisticFit`, with class weights W of shape (k, n)).

    Attributes
    ----------
    W
        Class weights, shape (k, n): those of the last point of ``path`` (if training
        diverged, the last point whose cost was still finite).
    b
        Class biases, shape (k,).
    losses
        The full-data cost before training and after each epoch (``epochs + 1`` values,
        fewer if training stopped on divergence; never NaN or infinity).
    diverged
        True when training diverged, by the rule of :mod:`bpnotes.descent`.
    steps
        The number of parameter updates made.
    path
        The parameters at which each value of ``losses`` was measured, shape
        (len(losses), k, n + 1): ``path[e]`` is [W | b] after epoch e (row c holds the
        weights of class c followed by its bias).
    step_path
        Only when ``fit(..., record_steps=True)``: [W | b] before every update and after
        the last one, shape (steps + 1, k, n + 1) (finite only), else None.
    """

    W: np.ndarray
    b: np.ndarray
    losses: np.ndarray
    diverged: bool
    steps: int
    path: np.ndarray
    step_path: np.ndarray | None = None

    @property
    def classes(self) -> int:
        """The number of classes k."""
        return self.W.shape[0]

    def logits(self, X: ArrayLike) -> np.ndarray:
        """The class scores Z = X Wᵀ + b, shape (m, k)."""
        X = as_float_matrix("X", X, columns=self.W.shape[1])
        return X @ self.W.T + self.b

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """The class probabilities softmax(z) for every row of X, shape (m, k)."""
        return _softmax(self.logits(X))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class for every row of X, shape (m,)."""
        return np.argmax(self.logits(X), axis=1)


def _stacked(snapshots: list[list[np.ndarray]]) -> np.ndarray:
    return np.array([np.column_stack([W, b]) for W, b in snapshots])


def fit(
    X: ArrayLike,
    y: ArrayLike,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    *,
    classes: int | None = None,
    record_steps: bool = False,
) -> SoftmaxFit:
    """Fit softmax regression by gradient descent from W = 0, b = 0.

    Parameters
    ----------
    X
        Inputs, shape (m, n), one example per row; finite.
    y
        Integer class labels 0..k−1 (whole-number floats are accepted), shape (m,).
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
    classes
        The number of classes k >= 2; by default one more than the largest label.
    record_steps
        Also keep the parameters before every update (``SoftmaxFit.step_path``).

    Returns
    -------
    SoftmaxFit
        The parameters, the loss history, the per-epoch path and the divergence flag.
    """
    X, labels, k = _check_data(X, y, classes)
    Y = one_hot(labels, k)
    W = np.zeros((k, X.shape[1]))
    b = np.zeros(k)

    def batch_gradient(xb: np.ndarray, yb: np.ndarray) -> list[np.ndarray]:
        return list(_gradient(xb, yb, W, b))

    trace = gradient_descent(
        [W, b], batch_gradient, lambda: _cost(X, Y, W, b), X, Y, lr=lr, epochs=epochs,
        batch_size=batch_size, shuffle=shuffle, seed=seed, record_params=True,
        record_steps=record_steps,
    )
    path = _stacked(trace.params or [])
    return SoftmaxFit(
        W=path[-1, :, :-1].copy(), b=path[-1, :, -1].copy(), losses=trace.losses,
        diverged=trace.diverged, steps=trace.steps, path=path,
        step_path=None if trace.step_params is None else _stacked(trace.step_params),
    )
