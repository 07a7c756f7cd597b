"""Symmetry breaking, eq. (ad-symmetry): a network whose weights all start equal, and a
measure of how different its hidden units are."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..mlp import MLP
from .engine import _is_number

__all__ = ["equal_weights_network", "hidden_unit_spread"]


def equal_weights_network(sizes: Sequence[int], value: float = 0.5, **options: object) -> MLP:
    """An MLP whose weights all equal ``value`` and whose biases are 0, eq. (ad-symmetry).

    ``options`` are passed to :class:`bpnotes.MLP` (hidden, output, loss, ...).
    """
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"value must be a finite number, got {value!r}")
    net = MLP(sizes, **options)  # type: ignore[arg-type]
    for W in net.weights:
        W[...] = value
    return net


def hidden_unit_spread(net: MLP) -> list[float]:
    """For each hidden layer, how different its units are.

    The largest difference between two units' incoming weights (rows of W^l) and biases,
    together with their outgoing weights (columns of W^{l+1}): 0 exactly when every unit
    of the layer computes the same function and sends it on with the same weights.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    spreads = []
    for n in range(net.n_layers - 1):
        incoming = np.column_stack([net.weights[n], net.biases[n]])
        outgoing = net.weights[n + 1].T
        units = np.column_stack([incoming, outgoing])  # one row per unit
        spreads.append(float(np.max(np.ptp(units, axis=0))))
    return spreads
