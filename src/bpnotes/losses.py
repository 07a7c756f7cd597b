"""Per-example losses ℓ(o, y) and their output-layer deltas δ^L = ∂ℓ/∂z^L.

The three losses of the book, each summed over the output units k:

* ``squared``:        ℓ = ½ Σ_k (o_k − y_k)²,                      eq. (bp-loss-squared)
* ``log``:            ℓ = −Σ_k [y_k log o_k + (1 − y_k) log(1 − o_k)], eq. (log-nll)
* ``cross_entropy``:  ℓ = −Σ_k y_k log o_k,                         eq. (softmax-ce)

A loss is always paired with the output activation o = f(z^L). For the three canonical
pairings the output delta collapses to o − y (eqs. (bp-delta-out-identity),
(bp-delta-out-sigmoid-log) and (bp-delta-out-softmax-ce)); those pairings are evaluated
from the logits z, never from o, so that saturated outputs (|z| = 1e4) give finite losses
and no warnings. Other pairings, such as sigmoid + squared with its delta
(o − y) o (1 − o), go through the activation's ``backprop``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, log_sigmoid

__all__ = ["LOSSES", "VALID_OUTPUTS", "Loss", "get_loss", "log_softmax"]


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) over the last axis: z − logsumexp(z), with the maximum subtracted."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


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
    """ℓ = ½ Σ_k (o_k − y_k)², ∂ℓ/∂o = o − y."""

    name = "squared"

    def value(self, z, o, y, output):
        diff = o - y
        return 0.5 * np.sum(diff * diff, axis=1)

    def output_delta(self, z, o, y, output):
        return output.backprop(z, o, o - y)


class LogLoss(Loss):
    """Binary log loss summed over independent sigmoid outputs.

    ℓ = −Σ_k [y_k log σ(z_k) + (1 − y_k) log(1 − σ(z_k))]
      = Σ_k [log(1 + e^{z_k}) − y_k z_k],
    whose derivative with respect to z_k is σ(z_k) − y_k = o_k − y_k.
    """

    name = "log"

    def value(self, z, o, y, output):
        return np.sum(np.logaddexp(0.0, z) - y * z, axis=1)

    def output_delta(self, z, o, y, output):
        return o - y


class CrossEntropyLoss(Loss):
    """Categorical cross-entropy ℓ = −Σ_k y_k log o_k.

    With softmax outputs and rows of y summing to one, ∂ℓ/∂z = o − y. With sigmoid
    outputs, ∂ℓ/∂z_k = −y_k (1 − o_k).
    """

    name = "cross_entropy"

    def value(self, z, o, y, output):
        log_o = log_softmax(z) if output.name == "softmax" else log_sigmoid(z)
        return -np.sum(y * log_o, axis=1)

    def output_delta(self, z, o, y, output):
        if output.name == "softmax":
            return o * np.sum(y, axis=1, keepdims=True) - y
        return -y * (1.0 - o)


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
