"""Networks built from Values: a neuron, a layer, and an MLP's whole cost.

:func:`neuron` and :func:`layer` compute eq. (bp-forward) one scalar operation at a time,
and :func:`network_cost` builds a :class:`bpnotes.MLP`'s cost C of eq. (bp-cost) on a data
set as one graph of Values, so that the engine's gradients can be compared with
``MLP.gradients``: reverse mode on the scalar graph is backpropagation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..mlp import MLP
from ..validation import as_float_matrix
from .engine import Operand, Value

__all__ = ["ScalarNetwork", "layer", "network_cost", "neuron"]


def neuron(inputs: Sequence[Operand], weights: Sequence[Value], bias: Value,
           activation: str = "tanh") -> Value:
    """One neuron, a = f(Σ_k w_k x_k + b), eq. (bp-forward), built from Values.

    Parameters
    ----------
    inputs
        The inputs x_k (Values or numbers).
    weights
        One weight Value per input.
    bias
        The bias Value.
    activation
        "sigmoid", "tanh", "relu" or "identity".
    """
    if len(inputs) != len(weights):
        raise ValueError(f"inputs and weights must have the same length, got {len(inputs)} "
                         f"and {len(weights)}")
    if not isinstance(bias, Value) or not all(isinstance(w, Value) for w in weights):
        raise TypeError("weights and bias must be Values")
    z: Value = bias
    for w, x in zip(weights, inputs, strict=True):
        z = z + w * x
    return _activate(z, activation)


_ELEMENTWISE: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "identity": lambda z: z,
}


def _activate(z: Value, activation: str) -> Value:
    if activation not in _ELEMENTWISE:
        raise ValueError(f"activation must be one of {', '.join(map(repr, _ELEMENTWISE))}, "
                         f"got {activation!r}")
    return _ELEMENTWISE[activation](z)


def layer(inputs: Sequence[Operand], weights: Sequence[Sequence[Value]],
          biases: Sequence[Value], activation: str = "tanh") -> list[Value]:
    """A layer of neurons, row j of ``weights`` feeding neuron j; "softmax" is allowed here.

    Softmax is computed as e^{z_j − c} / Σ_r e^{z_r − c} with the constant c = max z, so
    that no exponential overflows (a constant shift does not change softmax).
    """
    if len(weights) != len(biases):
        raise ValueError(f"weights and biases must have one entry per neuron, got "
                         f"{len(weights)} and {len(biases)}")
    if activation != "softmax":
        return [neuron(inputs, w, b, activation) for w, b in zip(weights, biases, strict=True)]
    zs = [neuron(inputs, w, b, "identity") for w, b in zip(weights, biases, strict=True)]
    shift = max(z.data for z in zs)
    exps = [(z - shift).exp() for z in zs]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return [e / total for e in exps]


@dataclass(frozen=True)
class ScalarNetwork:
    """A :class:`bpnotes.MLP`'s cost on a data set, as a graph of Values.

    Attributes
    ----------
    cost
        The cost C of eq. (bp-cost), a Value; call ``cost.backward()``.
    weights, biases
        The parameters as Values, ``weights[l][j][k]`` for ``net.weights[l][j, k]``.
    """

    cost: Value
    weights: list[list[list[Value]]]
    biases: list[list[Value]]

    def weight_gradients(self) -> list[np.ndarray]:
        """The ``grad`` of every weight, as arrays shaped like ``net.weights``."""
        return [np.array([[w.grad for w in row] for row in W]) for W in self.weights]

    def bias_gradients(self) -> list[np.ndarray]:
        """The ``grad`` of every bias, as arrays shaped like ``net.biases``."""
        return [np.array([b.grad for b in bs]) for bs in self.biases]

    def node_count(self) -> int:
        """How many nodes the graph of the cost has."""
        return len(self.cost.topological_order())


def _example_loss(outputs: list[Value], targets: np.ndarray, loss: str) -> Value:
    """ℓ(o, y) for one example, eqs. (bp-loss-squared), (log-nll) and (softmax-ce).

    Terms with a zero coefficient are left out: they add 0 and their gradient is 0.
    """
    terms: list[Value] = []
    for o, y in zip(outputs, targets.tolist(), strict=True):
        if loss == "squared":
            terms.append(0.5 * (o - y) ** 2)
            continue
        if y != 0:
            terms.append(-y * o.log())
        if loss == "log" and y != 1:
            terms.append(-(1 - y) * (1 - o).log())
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def network_cost(net: MLP, X: ArrayLike, Y: ArrayLike) -> ScalarNetwork:
    """Build the cost C of ``net`` on (X, Y), eq. (bp-cost), out of Values.

    Every weight and bias becomes an input Value, every example goes through
    :func:`layer` after :func:`layer`, and the per-example losses are averaged, with the L2
    penalty (λ/2m) Σ‖W‖² when ``net.l2 > 0``. After ``cost.backward()`` the parameters'
    ``grad`` equal ``net.gradients(X, Y)`` (up to rounding): reverse mode on the scalar
    graph computes exactly what backpropagation computes. Meant for small networks: the
    graph has a few nodes per multiplication of the forward pass.

    The outputs' logarithms are taken as written in the losses, so a saturated sigmoid
    or softmax output (exactly 0 or 1) raises ValueError; ``net`` itself is unchanged.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    X = as_float_matrix("X", X, columns=net.sizes[0])
    Y = as_float_matrix("Y", Y, columns=net.sizes[-1])
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows, got {X.shape[0]} "
                         f"and {Y.shape[0]}")
    net.gradients(X, Y)  # the net's own checks of its parameters and of Y for its loss
    weights = [[[Value(float(w), label=f"W{n + 1}[{j},{k}]") for k, w in enumerate(row)]
                for j, row in enumerate(W)] for n, W in enumerate(net.weights)]
    biases = [[Value(float(b), label=f"b{n + 1}[{j}]") for j, b in enumerate(bs)]
              for n, bs in enumerate(net.biases)]
    losses: list[Value] = []
    for x, y in zip(X, Y, strict=True):
        a: list[Value] | list[float] = x.tolist()
        for n in range(net.n_layers):
            a = layer(a, weights[n], biases[n], net.activation(n).name)
        losses.append(_example_loss(a, y, net.loss.name))  # type: ignore[arg-type]
    m = X.shape[0]
    cost = losses[0]
    for example_loss in losses[1:]:
        cost = cost + example_loss
    cost = cost / m
    if net.l2:
        squares = [w * w for W in weights for row in W for w in row]
        penalty = squares[0]
        for s in squares[1:]:
            penalty = penalty + s
        cost = cost + net.l2 / (2 * m) * penalty
    return ScalarNetwork(cost, weights, biases)
