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
Because every column of O − Y sums to zero over the classes, so does every column of
W during training: gradient descent picks the one maximum-likelihood solution whose
class weights sum to zero.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .activations import softmax as _softmax
from .data import blobs
from .descent import gradient_descent
from .losses import log_softmax
from .validation import (
    as_float_matrix,
    as_float_vector,
    check_class_labels,
    check_flag,
    check_same_rows,
)

__all__ = ["SoftmaxRegression", "cost", "fit", "gradient", "one_hot", "three_class_data"]


def three_class_data() -> tuple[np.ndarray, np.ndarray]:
    """150 points in three overlapping clouds, labels 0, 1, 2."""
    return blobs(150, spread=0.9, seed=1)


def one_hot(y: object, classes: int | None = None) -> np.ndarray:
    """The one-hot targets Y of shape (m, k): Y[i, c] = 1 if y_i = c else 0.

    Parameters
    ----------
    y
        Integer class labels 0..k−1, shape (m,).
    classes
        The number of classes k >= 2; by default one more than the largest label.
    """
    labels, k = _check_labels(y, classes)
    return np.eye(k)[labels]


def _check_labels(y: object, classes: object) -> tuple[np.ndarray, int]:
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


def _check_data(X: object, y: object, classes: object) -> tuple[np.ndarray, np.ndarray, int]:
    X = as_float_matrix("X", X)
    labels, k = _check_labels(y, classes)
    check_same_rows("X", X, "y", labels)
    return X, labels, k


def _check_parameters(W: object, b: object, k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    W = as_float_matrix("W", W)
    if W.shape != (k, n):
        raise ValueError(f"W must have shape (classes, features) = {(k, n)}, got {W.shape}")
    return W, as_float_vector("b", b, length=k)


def _loss_and_gradient(
    X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    Z = X @ W.T + b
    m = X.shape[0]
    loss = float(-np.sum(Y * log_softmax(Z)) / m)
    delta = _softmax(Z) - Y  # o − y, eq. (softmax-grad)
    return loss, delta.T @ X / m, delta.sum(axis=0) / m


def _cost(X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    return float(-np.sum(Y * log_softmax(X @ W.T + b)) / X.shape[0])


def cost(W: object, b: object, X: object, y: object) -> float:
    """The mean categorical cross-entropy J(W, b), eq. (softmax-ce), from the logits.

    Parameters
    ----------
    W
        Class weights, shape (k, n).
    b
        Class biases, shape (k,).
    X
        Inputs, shape (m, n).
    y
        Integer labels 0..k−1, shape (m,).
    """
    W_arr = as_float_matrix("W", W)
    X, labels, k = _check_data(X, y, W_arr.shape[0])
    W_arr, b = _check_parameters(W_arr, b, k, X.shape[1])
    return _cost(X, np.eye(k)[labels], W_arr, b)


def gradient(W: object, b: object, X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """(∂J/∂W, ∂J/∂b) = ((1/m)(O − Y)ᵀX, (1/m)Σ_i(o_i − y_i)), eq. (softmax-grad-matrix)."""
    W_arr = as_float_matrix("W", W)
    X, labels, k = _check_data(X, y, W_arr.shape[0])
    W_arr, b = _check_parameters(W_arr, b, k, X.shape[1])
    _, grad_W, grad_b = _loss_and_gradient(X, np.eye(k)[labels], W_arr, b)
    return grad_W, grad_b


@dataclass(frozen=True)
class SoftmaxRegression:
    """A trained softmax regression (the result of :func:`fit`).

    Attributes
    ----------
    W
        Class weights, shape (k, n).
    b
        Class biases, shape (k,).
    losses
        The full-data cost before training and after each epoch (``epochs + 1`` values,
        fewer if training diverged).
    diverged
        True when gradient descent stopped because the cost blew up.
    steps
        The number of parameter updates made.
    W_history, b_history
        When ``fit(..., history=True)``: the parameters before training and after each
        completed epoch; otherwise ``None``.
    """

    W: np.ndarray
    b: np.ndarray
    losses: np.ndarray
    diverged: bool
    steps: int
    W_history: np.ndarray | None = None
    b_history: np.ndarray | None = None

    @property
    def classes(self) -> int:
        """The number of classes k."""
        return self.W.shape[0]

    def logits(self, X: object) -> np.ndarray:
        """The class scores Z = X Wᵀ + b, shape (m, k)."""
        X = as_float_matrix("X", X, columns=self.W.shape[1])
        return X @ self.W.T + self.b

    def predict_proba(self, X: object) -> np.ndarray:
        """The class probabilities softmax(z) for every row of X, shape (m, k)."""
        return _softmax(self.logits(X))

    def predict(self, X: object) -> np.ndarray:
        """The most probable class for every row of X, shape (m,)."""
        return np.argmax(self.logits(X), axis=1)


def fit(
    X: object,
    y: object,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    *,
    classes: int | None = None,
    history: bool = False,
) -> SoftmaxRegression:
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
    history
        Also record the parameters after every epoch.

    Returns
    -------
    SoftmaxRegression
        The parameters, the loss history and the divergence flag.
    """
    X, labels, k = _check_data(X, y, classes)
    history = check_flag("history", history)
    Y = np.eye(k)[labels]
    W = np.zeros((k, X.shape[1]))
    b = np.zeros(k)

    def loss_and_gradient(xb: np.ndarray, yb: np.ndarray):
        loss, grad_W, grad_b = _loss_and_gradient(xb, yb, W, b)
        return loss, [grad_W, grad_b]

    trace = gradient_descent(
        [W, b], loss_and_gradient, X, Y, lr=lr, epochs=epochs, batch_size=batch_size,
        shuffle=shuffle, seed=seed, evaluate=lambda: _cost(X, Y, W, b), record_params=history,
    )
    path = trace.params
    return SoftmaxRegression(
        W=W, b=b, losses=trace.losses, diverged=trace.diverged, steps=trace.steps,
        W_history=None if path is None else np.array([Wk for Wk, _ in path]),
        b_history=None if path is None else np.array([bk for _, bk in path]),
    )
