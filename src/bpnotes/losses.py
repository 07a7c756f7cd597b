"""Per-example losses ℓ(o, y) and their output-layer deltas δ^L = ∂ℓ/∂z^L.

The three losses of the book, each summed over the output units k:

* ``squared``:        ℓ = ½ Σ_k (o_k − y_k)²,                      eq. (bp-loss-squared)
* ``log``:            ℓ = −Σ_k [y_k log o_k + (1 − y_k) log(1 − o_k)], eq. (log-nll)
* ``cross_entropy``:  ℓ = −Σ_k y_k log o_k,                         eq. (softmax-ce)

A loss is always paired with the output activation o = f(z^L). For the three canonical
pairings the output delta collapses to o − y (eqs. (bp-delta-out-identity),
(bp-delta-out-sigmoid-log) and (bp-delta-out-softmax-ce)); those pairings are evaluated
from the logits z, never from o, so that saturated outputs (|z| = 1e4) give finite losses
and no warnings. The sigmoid deltas are computed from the logits too: σ(z) − y as
(1 − y) σ(z) − y σ(−z), which keeps its relative precision where o = σ(z) rounds to 1
(at z = 40, o − 1 is exactly 0 in float64 but σ(−40) = 4.2e-18). Other pairings, such as
sigmoid + squared with its delta (o − y) o (1 − o), go through the activation's
``backprop``.

The targets of a classifier are built from its integer labels by :func:`one_hot` (k ≥ 2
softmax outputs) and :func:`as_targets` (any number of outputs, including a single
sigmoid unit).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .activations import Activation, _sigmoid, log_sigmoid
from .validation import check_class_labels, check_positive_int

__all__ = ["LOSSES", "VALID_OUTPUTS", "Loss", "as_targets", "get_loss", "log_softmax", "one_hot"]


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) over the last axis: z − logsumexp(z), with the maximum subtracted."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _sigmoid_minus(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """σ(z) − y without cancellation: (1 − y) σ(z) − y σ(−z) (equal, since σ(−z) = 1 − σ(z))."""
    return (1.0 - y) * _sigmoid(z) - y * _sigmoid(-z)


def one_hot(labels: ArrayLike, classes: int | None = None) -> np.ndarray:
    """One-hot targets Y of shape (m, k): ``Y[i, c] = 1`` if ``labels[i] == c`` else 0,
    eq. (softmax-onehot).

    Parameters
    ----------
    labels
        Integer class labels 0..k−1 (whole-number floats are accepted), shape (m,).
    classes
        The number of classes k >= 2; by default one more than the largest label (which
        must then be at least 1).

    Returns
    -------
    numpy.ndarray
        A new float64 array; it shares no memory with ``labels``.
    """
    if classes is None:
        y = check_class_labels("labels", labels)
        k = int(y.max()) + 1
        if k < 2:
            raise ValueError(
                "labels only contain class 0, so the number of classes cannot be inferred; "
                "pass classes=k (k >= 2)"
            )
    else:
        k = check_positive_int("classes", classes, minimum=2)
        y = check_class_labels("labels", labels, classes=k)
    Y = np.zeros((y.size, k))
    Y[np.arange(y.size), y] = 1.0
    return Y


def as_targets(labels: ArrayLike, outputs: int = 1) -> np.ndarray:
    """Integer labels as the target matrix Y of a network with ``outputs`` output units.

    With one output (a sigmoid unit, binary classification) the labels must be 0 or 1 and
    Y is the column of shape (m, 1) holding them; with k >= 2 outputs Y is
    :func:`one_hot` of shape (m, k). The result is a new float64 array that shares no
    memory with ``labels``.
    """
    k = check_positive_int("outputs", outputs)
    if k == 1:
        return check_class_labels("labels", labels, classes=(0, 1)).astype(np.float64)[:, None]
    return one_hot(labels, k)


class Loss:
    """A per-example loss; ``value`` returns shape (m,), ``output_delta`` shape (m, n_L)."""

    name: str = ""

    def value(self, z: np.ndarray, o: np.ndarray, y: np.ndarray, output: Activation) -> np.ndarray:
        """ℓ(o_i, y_i) for every example i (row), from the output logits z and outputs o."""
        raise NotImplementedError

    def output_delta(
        self, z: np.ndarray, o: np.ndarray, y: np.ndarray, output: Activation
    ) -> np.ndarray:
        """δ^L = ∂ℓ/∂z^L for every example (not divided by m)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SquaredLoss(Loss):
    """ℓ = ½ Σ_k (o_k − y_k)², ∂ℓ/∂o = o − y.

    The value is computed as ½ s² Σ_k ((o_k − y_k)/s)² with s the largest |o_k − y_k| of
    the row, so that no square overflows while the sum itself fits in the float range;
    a loss beyond it is returned as infinity, without a warning.
    """

    name = "squared"

    def value(self, z, o, y, output):
        diff = o - y
        scale = np.max(np.abs(diff), axis=1)
        safe = np.where(scale > 0, scale, 1.0)
        ratio = diff / safe[:, None]
        with np.errstate(over="ignore"):
            return (0.5 * np.sum(ratio * ratio, axis=1)) * safe * safe

    def output_delta(self, z, o, y, output):
        return output.backprop(z, o, o - y)


class LogLoss(Loss):
    """Binary log loss summed over independent sigmoid outputs.

    ℓ = −Σ_k [y_k log σ(z_k) + (1 − y_k) log(1 − σ(z_k))]
      = Σ_k [log(1 + e^{z_k}) − y_k z_k],
    whose derivative with respect to z_k is σ(z_k) − y_k = o_k − y_k, computed from the
    logits as (1 − y_k) σ(z_k) − y_k σ(−z_k) (no cancellation where o_k rounds to 1).
    """

    name = "log"

    def value(self, z, o, y, output):
        return np.sum(np.logaddexp(0.0, z) - y * z, axis=1)

    def output_delta(self, z, o, y, output):
        return _sigmoid_minus(z, y)


class CrossEntropyLoss(Loss):
    """Categorical cross-entropy ℓ = −Σ_k y_k log o_k.

    With softmax outputs and rows of y summing to one, ∂ℓ/∂z = o − y. With sigmoid
    outputs, ∂ℓ/∂z_k = −y_k (1 − o_k) = −y_k σ(−z_k), computed from the logits: 1 − o_k
    would round to 0 where o_k rounds to 1 (z_k ≳ 37), losing the whole gradient.
    """

    name = "cross_entropy"

    def value(self, z, o, y, output):
        log_o = log_softmax(z) if output.name == "softmax" else log_sigmoid(z)
        return -np.sum(y * log_o, axis=1)

    def output_delta(self, z, o, y, output):
        if output.name == "softmax":
            return o * np.sum(y, axis=1, keepdims=True) - y
        return -y * _sigmoid(-z)


LOSSES: dict[str, Loss] = {cls.name: cls() for cls in (SquaredLoss, LogLoss, CrossEntropyLoss)}

#: Which output activations each loss may be paired with. The log loss and the
#: cross-entropy take logarithms of the outputs, so they need outputs in (0, 1).
VALID_OUTPUTS: dict[str, tuple[str, ...]] = {
    "squared": ("identity", "sigmoid", "softmax"),
    "log": ("sigmoid",),
    "cross_entropy": ("softmax", "sigmoid"),
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name, with an error listing the valid names."""
    if not isinstance(name, str) or name not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}; got {name!r}")
    return LOSSES[name]
