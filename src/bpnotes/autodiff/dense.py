"""The dense layer Z = A Wᵀ + b as one node of a graph, and its matrix backward rule.

:func:`dense_backward` is the rule of eq. (ad-dense-backward): ∂C/∂W = δᵀA, ∂C/∂A = δW,
∂C/∂b = Σ_i δ_i for δ = ∂C/∂Z. :func:`layer_graph_gradients` applies it layer by layer in
reverse order, which is backpropagation, eqs. (bp-delta-rule) and (bp-grad-w).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ..mlp import MLP
from ..validation import as_float_matrix

__all__ = ["DenseGradients", "dense_backward", "dense_forward", "layer_graph_gradients"]


class DenseGradients(NamedTuple):
    """The backward rule of Z = A Wᵀ + b, eq. (ad-dense-backward), for δ = ∂C/∂Z.

    ``weights`` = δᵀA, ``inputs`` = δW, ``bias`` = Σ_i δ_i (over the rows).
    """

    weights: np.ndarray
    inputs: np.ndarray
    bias: np.ndarray


def dense_forward(A: ArrayLike, W: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Z = A Wᵀ + b for A of shape (m, n_in), W (n_out, n_in), b (n_out,), eq. (bp-forward)."""
    A, W, b = _dense_arguments(A, W, b=b)
    return A @ W.T + b


def dense_backward(A: ArrayLike, W: ArrayLike, delta: ArrayLike) -> DenseGradients:
    """The gradients of a scalar C through Z = A Wᵀ + b, given δ = ∂C/∂Z.

    Parameters
    ----------
    A
        The layer's input, shape (m, n_in): one example per row.
    W
        The weights, shape (n_out, n_in).
    delta
        ∂C/∂Z, shape (m, n_out).

    Returns
    -------
    DenseGradients
        ∂C/∂W = δᵀA (n_out, n_in), ∂C/∂A = δW (m, n_in) and ∂C/∂b = Σ_i δ_i (n_out,),
        eq. (ad-dense-backward). Divided by m these are eqs. (bp-grad-w), and δW
        followed by f'(z) ⊙ is eq. (bp-delta-rule).
    """
    A, W, delta = _dense_arguments(A, W, delta=delta)
    return DenseGradients(weights=delta.T @ A, inputs=delta @ W, bias=delta.sum(axis=0))


def _dense_arguments(
    A: ArrayLike, W: ArrayLike, *, b: ArrayLike | None = None, delta: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A_ = as_float_matrix("A", A)
    W_ = as_float_matrix("W", W, columns=A_.shape[1])
    if b is not None:
        b_ = np.array(b, dtype=np.float64)  # a copy: the result never aliases an argument
        if b_.shape != (W_.shape[0],) or not np.all(np.isfinite(b_)):
            raise ValueError(f"b must be a finite vector of shape ({W_.shape[0]},), got "
                             f"shape {b_.shape}")
        return A_, W_, b_
    if delta is None:
        raise TypeError("delta must be an array of shape (m, n_out)")
    delta_ = as_float_matrix("delta", delta, columns=W_.shape[0])
    if delta_.shape[0] != A_.shape[0]:
        raise ValueError(f"delta must have one row per row of A ({A_.shape[0]}), got shape "
                         f"{delta_.shape}")
    return A_, W_, delta_


def layer_graph_gradients(net: MLP, X: ArrayLike, Y: ArrayLike) -> tuple[list[np.ndarray],
                                                                          list[np.ndarray]]:
    """∂C/∂W^l and ∂C/∂b^l by reverse mode on the graph of layers.

    The forward pass keeps every layer's input A and weighted input Z; the backward pass
    starts from δ^L = ∂ℓ/∂Z^L (the loss's output delta) and visits the layers from the last
    to the first, applying :func:`dense_backward` to each and the activation's local
    derivative f'(Z) between them. This is backpropagation, eqs. (bp-delta-rule) and
    (bp-grad-w), written as reverse mode; the L2 term (λ/m) W is added at the end.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    X = as_float_matrix("X", X, columns=net.sizes[0])
    Y = as_float_matrix("Y", Y, columns=net.sizes[-1])
    net.gradients(X, Y)  # the net's own checks of its parameters and data
    m = X.shape[0]
    inputs, zs = [], []
    A = X
    for n in range(net.n_layers):  # forward: keep what the backward pass needs
        inputs.append(A)
        zs.append(dense_forward(A, net.weights[n], net.biases[n]))
        A = net.activation(n)(zs[-1])
    delta = net.loss.output_delta(zs[-1], A, Y, net.output) / m  # ∂C/∂Z^L
    grad_w: list[np.ndarray] = [np.empty(0)] * net.n_layers
    grad_b: list[np.ndarray] = [np.empty(0)] * net.n_layers
    for n in range(net.n_layers - 1, -1, -1):  # backward: last layer first
        rule = dense_backward(inputs[n], net.weights[n], delta)
        grad_w[n] = rule.weights + net.l2 / m * net.weights[n]
        grad_b[n] = rule.bias
        if n > 0:  # through the activation of the layer below: ∂C/∂Z = f'(Z) ⊙ ∂C/∂A
            below = net.activation(n - 1)
            delta = below.backprop(zs[n - 1], inputs[n], rule.inputs)
    return grad_w, grad_b
