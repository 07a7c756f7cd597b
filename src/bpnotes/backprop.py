"""Backpropagation spelled out, for the chapter: the textbook forms beside ``MLP``'s.

:class:`bpnotes.MLP` computes gradients for a whole batch at once. This module writes the
same mathematics in the other forms the chapter teaches, so that each can be compared
with the vectorised one:

* :func:`weight_chain` — one weight's gradient as the product of its three chain-rule
  factors ∂C/∂a^l_j · f'(z^l_j) · a^{l−1}_k, eq. (bp-one-weight);
* :func:`accumulated_gradients` — the per-example loop of eq. (bp-accumulate):
  Δ^l += δ^l (a^{l−1})ᵀ, then D^l = (1/m)(Δ^l + λ W^l) and (1/m) Δ_b^l for the biases;
* :func:`fold_biases` / :func:`folded_gradients` — the bias as a weight column with a
  constant input a_0 = 1, eq. (notation-bias-fold);
* :func:`network_state` and :func:`worked_example` — the numbers the chapter's network
  figure and worked example print;
* :func:`train_variants` — the same network trained several ways (batch modes, momentum),
  on the chapter's data set :func:`chapter_data`;
* :func:`train_side_by_side` — many networks of one shape (many random starting points)
  trained by full-batch descent at once, vectorised over the networks.

Gradient checking (eq. (bp-gradcheck)) lives in :mod:`bpnotes.gradcheck`, the labels →
targets helper in :mod:`bpnotes.losses` (:func:`bpnotes.losses.as_targets`).

Indices follow the book: layers are counted from 1 (``net.weights[l - 1]`` is W^l).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .data import moons
from .descent import ended_stuck, gradient_descent
from .mlp import MLP, TrainingHistory
from .validation import (
    as_float_matrix,
    as_float_vector,
    check_callable,
    check_nonnegative_int,
    check_positive_number,
    check_seed,
)

__all__ = [
    "WORKED_LR",
    "NetworkState",
    "SideBySideHistory",
    "WeightChain",
    "accumulated_gradients",
    "chapter_data",
    "fold_biases",
    "folded_gradients",
    "four_two_two_one",
    "network_state",
    "train_side_by_side",
    "train_variants",
    "unfold_biases",
    "weight_chain",
    "worked_example",
    "worked_example_network",
]

#: The learning rate of the chapter's worked example.
WORKED_LR = 0.5


def chapter_data() -> tuple[np.ndarray, np.ndarray]:
    """The chapter's training data: 200 "moons" points (noise 0.2, seed 1), labels 0/1.

    The batch-mode comparison, the MLP explorer and the exercises train on these; turn the
    labels into targets with :func:`bpnotes.losses.as_targets`.
    """
    return moons(200, noise=0.2, seed=1)


def _check_net(net: object) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    return net


def _full_masks(net: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Boolean masks of the parameters that exist (all True where no mask was set)."""
    wm = [np.ones(w.shape, bool) if m is None else m
          for w, m in zip(net.weights, net.weight_masks, strict=True)]
    bm = [np.ones(b.shape, bool) if m is None else m
          for b, m in zip(net.biases, net.bias_masks, strict=True)]
    return wm, bm


# ---------------------------------------------------------------- small networks of the chapter
def four_two_two_one(seed: int = 3) -> MLP:
    """The chapter's 4-2-2-1 network: two sigmoid hidden layers of 2, one linear output.

    The output unit s = W^3 a^2 has no bias (its bias is masked out), the loss is ½(s − y)²,
    and the weights are drawn from N(0, 1) with ``seed``; hidden biases are drawn too so
    that every term of eq. (bp-forward) is visible.
    """
    seed = check_seed(seed)
    net = MLP([4, 2, 2, 1], hidden="sigmoid", output="identity", loss="squared", seed=seed,
              init="normal")
    rng = np.random.default_rng(seed + 1000)
    net.biases[0][:] = rng.normal(0.0, 0.5, 2)
    net.biases[1][:] = rng.normal(0.0, 0.5, 2)
    net.set_connections(biases=[None, None, np.zeros(1, bool)])
    return net


def worked_example_network() -> MLP:
    """The worked example's 2-3-2-1 sigmoid network with log loss, before the step.

    Layer 1: z1 = 0.5 x1 + 0.3, z2 = −0.2 x1 + 0.7, z3 = −0.1 (unit 3 has a bias and no
    inputs; the weights from x2 are 0). Layer 2 has no biases: z4 = −0.5 h1 + 0.4 h2 (no
    link from h3), z5 = 0.3 h1 + 0.6 h2 + 0.4 h3. Output o = σ(0.5 h4 + 0.7 h5), no bias.
    Missing links are masked with :meth:`MLP.set_connections`, so they stay at 0.
    """
    net = MLP([2, 3, 2, 1], hidden="sigmoid", output="sigmoid", loss="log")
    net.weights[0][:] = [[0.5, 0.0], [-0.2, 0.0], [0.0, 0.0]]
    net.biases[0][:] = [0.3, 0.7, -0.1]
    net.weights[1][:] = [[-0.5, 0.4, 0.0], [0.3, 0.6, 0.4]]
    net.biases[1][:] = 0.0
    net.weights[2][:] = [[0.5, 0.7]]
    net.biases[2][:] = 0.0
    net.set_connections(
        weights=[
            np.array([[True, True], [True, True], [False, False]]),
            np.array([[True, True, False], [True, True, True]]),
            None,
        ],
        biases=[None, np.zeros(2, bool), np.zeros(1, bool)],
    )
    return net


# ---------------------------------------------------------------- network state (for figures)
@dataclass(frozen=True)
class NetworkState:
    """Everything the network figure shows for one example, in book order.

    ``activations[l]`` is a^l for l = 0..L (``activations[0]`` is x); ``deltas[l - 1]``,
    ``weights[l - 1]`` and ``weight_gradients[l - 1]`` belong to layer l. Masks say which
    parameters exist. ``loss`` is the cost C at these parameters.
    """

    activations: list[np.ndarray]
    deltas: list[np.ndarray]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    weight_gradients: list[np.ndarray]
    bias_gradients: list[np.ndarray]
    weight_masks: list[np.ndarray]
    bias_masks: list[np.ndarray]
    loss: float
    hidden: str
    output: str

    @property
    def prediction(self) -> np.ndarray:
        """The network's output a^L."""
        return self.activations[-1]


def network_state(net: MLP, x: ArrayLike, y: ArrayLike) -> NetworkState:
    """Activations, deltas, parameters and gradients of ``net`` on one example (x, y).

    Parameters
    ----------
    net
        The network; it is not modified.
    x, y
        One input vector of length n_0 and its target of length n_L.
    """
    net = _check_net(net)
    x_arr = as_float_vector("x", x, length=net.sizes[0])
    y_arr = as_float_vector("y", y, length=net.sizes[-1])
    X, Y = net.check_data(x_arr[None, :], y_arr[None, :])
    acts = net.forward_pass(X).activations
    grads = net.gradients(X, Y)
    wm, bm = _full_masks(net)
    return NetworkState(
        activations=[a[0].copy() for a in acts],
        deltas=[d[0].copy() for d in grads.deltas],
        weights=[w.copy() for w in net.weights],
        biases=[b.copy() for b in net.biases],
        weight_gradients=grads.weights,
        bias_gradients=grads.biases,
        weight_masks=[m.copy() for m in wm],
        bias_masks=[m.copy() for m in bm],
        loss=grads.loss,
        hidden=net.hidden.name,
        output=net.output.name,
    )


def worked_example(lr: float = WORKED_LR) -> tuple[NetworkState, NetworkState]:
    """The worked example before and after one gradient step with learning rate ``lr``.

    Input x = (1, 0), label y = 1, log loss; see :func:`worked_example_network`.
    """
    lr = check_positive_number("lr", lr)
    net = worked_example_network()
    x, y = np.array([1.0, 0.0]), np.array([1.0])
    before = network_state(net, x, y)
    net.step(x[None, :], y[None, :], lr)
    return before, network_state(net, x, y)


# ---------------------------------------------------------------- one weight, eq. (bp-one-weight)
@dataclass(frozen=True)
class WeightChain:
    """The chain-rule factors of ∂C/∂W^l_jk, eq. (bp-one-weight), one entry per example.

    ``grad_a`` is ∂ℓ/∂a^l_j = Σ_r W^{l+1}_rj δ^{l+1}_r, ``f_prime`` is f'(z^l_j),
    ``a_prev`` is a^{l−1}_k; their product is ∂ℓ/∂W^l_jk for each example and
    ``gradient`` is ∂C/∂W^l_jk (the mean over the examples plus the L2 term).
    """

    grad_a: np.ndarray
    f_prime: np.ndarray
    a_prev: np.ndarray
    product: np.ndarray
    gradient: float


def weight_chain(net: MLP, X: ArrayLike, Y: ArrayLike, layer: int, j: int, k: int) -> WeightChain:
    """Factor the gradient of the hidden weight W^l_jk as ∂C/∂a · f'(z) · a.

    Parameters
    ----------
    net
        The network (any element-wise hidden activation); it needs a hidden layer.
    X, Y
        Inputs (m, n_0) and targets (m, n_L).
    layer, j, k
        Book indices l, j, k, counted from 1: layer l (a hidden layer, 1 <= l < L), receiving
        neuron j of layer l, sending neuron k of layer l − 1.

    Returns
    -------
    WeightChain
        New arrays, one entry per example; none shares memory with X or the network.
    """
    net = _check_net(net)
    X_arr, Y_arr = net.check_data(X, Y)
    L = net.n_layers
    if L < 2:
        raise ValueError(
            f"net has no hidden layer (sizes {net.sizes}): weight_chain factors a hidden "
            "weight W^l with 1 <= l < L"
        )
    for name, value in (("layer", layer), ("j", j), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an integer (a book index, counted from 1)")
    if not 1 <= layer <= L - 1:
        raise ValueError(f"layer must be between 1 and {L - 1} (a hidden layer), got {layer}")
    if not (1 <= j <= net.sizes[layer] and 1 <= k <= net.sizes[layer - 1]):
        shape = net.weights[layer - 1].shape
        raise ValueError(
            f"W^{layer} has shape {shape}, so j must be in 1..{shape[0]} and k in "
            f"1..{shape[1]}; got (j, k) = ({j}, {k})"
        )
    forward = net.forward_pass(X_arr)
    zs, acts = forward.zs, forward.activations
    grads = net.gradients(X_arr, Y_arr)
    delta_above = grads.deltas[layer]  # δ^{layer+1}, shape (m, n_{layer+1})
    grad_a = delta_above @ net.weights[layer][:, j - 1]
    f_prime = net.hidden.derivative(zs[layer - 1], acts[layer])[:, j - 1]
    a_prev = acts[layer - 1][:, k - 1].copy()
    product = grad_a * f_prime * a_prev
    gradient = float(grads.weights[layer - 1][j - 1, k - 1])
    return WeightChain(grad_a, f_prime, a_prev, product, gradient)


# ---------------------------------------------------------------- eq. (bp-accumulate)
def accumulated_gradients(
    net: MLP, X: ArrayLike, Y: ArrayLike
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Gradients by the per-example loop of eq. (bp-accumulate), one example at a time.

    For each example i: a forward pass with column vectors, δ^L from the loss, the delta
    rule δ^l = f'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1} (eq. (bp-delta-rule)), and the accumulation
    Δ^l += δ^l (a^{l−1})ᵀ, Δ_b^l += δ^l. Then D^l = (1/m)(Δ^l + λ W^l) for the weights
    and (1/m) Δ_b^l for the biases, which L2 leaves alone. Absent parameters get 0.

    Returns
    -------
    (weight gradients, bias gradients), shaped like ``net.weights`` and ``net.biases``.
    """
    net = _check_net(net)
    X, Y = net.check_data(X, Y)
    m, L = X.shape[0], net.n_layers
    big_delta = [np.zeros_like(w) for w in net.weights]
    big_delta_b = [np.zeros_like(b) for b in net.biases]
    for x, y in zip(X, Y, strict=True):
        a, zs = [x], []
        for layer in range(1, L + 1):
            z = net.weights[layer - 1] @ a[-1] + net.biases[layer - 1]
            zs.append(z)
            a.append(net.activation(layer - 1)(z[None, :])[0])
        delta = net.loss.output_delta(zs[-1][None, :], a[-1][None, :], y[None, :], net.output)[0]
        for layer in range(L, 0, -1):
            big_delta[layer - 1] += np.outer(delta, a[layer - 1])
            big_delta_b[layer - 1] += delta
            if layer > 1:
                grad_a = net.weights[layer - 1].T @ delta
                delta = net.hidden.backprop(zs[layer - 2], a[layer - 1], grad_a)
    wm, bm = _full_masks(net)
    grad_w = [np.where(mask, (D + net.l2 * W) / m, 0.0)
              for D, W, mask in zip(big_delta, net.weights, wm, strict=True)]
    grad_b = [np.where(mask, D / m, 0.0) for D, mask in zip(big_delta_b, bm, strict=True)]
    return grad_w, grad_b


# ---------------------------------------------------------------- eq. (notation-bias-fold)
def fold_biases(weights: Sequence[ArrayLike], biases: Sequence[ArrayLike]) -> list[np.ndarray]:
    """Θ^l = [b^l | W^l]: each bias becomes weight column 0, fed by a_0 = 1.

    ``weights[l - 1]`` is W^l of shape (n_l, n_{l−1}) and ``biases[l - 1]`` is b^l of
    length n_l. The results are new float64 arrays.
    """
    _check_layers("weights", weights)
    _check_layers("biases", biases)
    if len(weights) != len(biases):
        raise ValueError(
            f"weights and biases must have the same length (one per layer), got "
            f"{len(weights)} and {len(biases)}"
        )
    thetas = []
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        W_arr = as_float_matrix(f"weights[{layer - 1}]", W)
        b_arr = as_float_vector(f"biases[{layer - 1}]", b)
        if b_arr.shape != (W_arr.shape[0],):
            raise ValueError(
                f"layer {layer}: biases[{layer - 1}] must have one entry per row of "
                f"weights[{layer - 1}] ({W_arr.shape[0]}), got {b_arr.shape[0]}"
            )
        thetas.append(np.column_stack([b_arr, W_arr]))
    return thetas


def _check_layers(name: str, value: object) -> None:
    if isinstance(value, str | bytes | np.ndarray) or not isinstance(value, Sequence) or (
        len(value) == 0
    ):
        raise TypeError(
            f"{name} must be a non-empty list of arrays (one per layer), got "
            f"{type(value).__name__}"
        )


def unfold_biases(thetas: Sequence[ArrayLike]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Split each Θ^l = [b^l | W^l] back into (W^l, b^l) (new float64 arrays)."""
    _check_layers("thetas", thetas)
    weights, biases = [], []
    for layer, theta in enumerate(thetas):
        T = as_float_matrix(f"thetas[{layer}]", theta)
        if T.shape[1] < 2:
            raise ValueError(
                f"thetas[{layer}] must have a bias column and at least one weight column, "
                f"got shape {T.shape}"
            )
        weights.append(T[:, 1:].copy())
        biases.append(T[:, 0].copy())
    return weights, biases


def folded_gradients(net: MLP, X: ArrayLike, Y: ArrayLike) -> list[np.ndarray]:
    """∂C/∂Θ^l for the folded parameters Θ^l = [b^l | W^l], computed in the folded form.

    Every layer's input gets a leading column of ones, z^l = [1, a^{l−1}] (Θ^l)ᵀ, and the
    delta rule uses Θ^l without its bias column (no neuron sits behind a_0 = 1). L2
    applies to the weight columns only. Column 0 of the result must equal ∂C/∂b^l.
    """
    net = _check_net(net)
    X, Y = net.check_data(X, Y)
    m, L = X.shape[0], net.n_layers
    thetas = fold_biases(net.weights, net.biases)
    inputs, zs, a = [], [], X
    for layer in range(L):
        with_one = np.column_stack([np.ones(m), a])
        inputs.append(with_one)
        zs.append(with_one @ thetas[layer].T)
        a = net.activation(layer)(zs[-1])
    delta = net.loss.output_delta(zs[-1], a, Y, net.output)
    grads: list[np.ndarray] = [np.empty(0)] * L
    for layer in range(L - 1, -1, -1):
        penalty = np.column_stack([np.zeros(thetas[layer].shape[0]), thetas[layer][:, 1:]])
        grads[layer] = (delta.T @ inputs[layer] + net.l2 * penalty) / m
        if layer > 0:
            grad_a = delta @ thetas[layer][:, 1:]
            delta = net.hidden.backprop(zs[layer - 1], inputs[layer][:, 1:], grad_a)
    wm, bm = _full_masks(net)
    masks = [np.column_stack([b, w]) for w, b in zip(wm, bm, strict=True)]
    return [np.where(mask, g, 0.0) for g, mask in zip(grads, masks, strict=True)]


# ---------------------------------------------------------------- training variants
def train_variants(
    make_net: Callable[[], MLP],
    X: ArrayLike,
    Y: ArrayLike,
    variants: Mapping[str, Mapping[str, Any]],
) -> dict[str, TrainingHistory]:
    """Train a fresh network from ``make_net()`` once per variant and collect the histories.

    ``variants`` maps a label to the keyword arguments of :meth:`MLP.train` (``lr``,
    ``epochs``, ``batch_size``, ``momentum``, ``record_norms``, ...), e.g. full-batch
    against mini-batch against per-example descent from the same starting weights. The
    histories record the exact full-data cost after each epoch (``epoch_cost="full"``)
    unless a variant says otherwise, so that curves of different batch modes compare.
    """
    check_callable("make_net", make_net)
    if not isinstance(variants, Mapping) or not variants:
        raise ValueError("variants must be a non-empty mapping from labels to train() arguments")
    histories = {}
    for label, kwargs in variants.items():
        if not isinstance(kwargs, Mapping):
            raise TypeError(
                f"variants[{label!r}] must be a mapping of train() arguments, got "
                f"{type(kwargs).__name__}"
            )
        net = make_net()
        if not isinstance(net, MLP):
            raise TypeError(f"make_net must return a bpnotes.MLP, got {type(net).__name__}")
        histories[str(label)] = net.train(X, Y, **{"epoch_cost": "full", **kwargs})
    return histories


@dataclass(frozen=True)
class SideBySideHistory:
    """The result of :func:`train_side_by_side`.

    Attributes
    ----------
    losses
        Shape (k + 1, N): ``losses[e, n]`` is the cost C of eq. (bp-cost) of network n on
        all the data after epoch e (``losses[0]`` before training); k is the number of
        epochs unless training stopped on divergence.
    diverged
        Shape (N,): True where run n diverged by the rule of :mod:`bpnotes.descent`. The
        runs stop together: if the sum of their costs leaves the divergence bound (or a
        cost leaves the float range), every run is marked diverged; otherwise a run is
        diverged when it ended stuck far above its start (:func:`bpnotes.descent.ended_stuck`).
    """

    losses: np.ndarray
    diverged: np.ndarray


def train_side_by_side(
    nets: Sequence[MLP],
    X: ArrayLike,
    Y: ArrayLike,
    lr: float,
    epochs: int,
    momentum: float = 0.0,
) -> SideBySideHistory:
    """Train N networks of one shape by full-batch descent at once, each on (X, Y).

    The same updates as ``net.train(X, Y, lr=lr, epochs=epochs, momentum=momentum)`` for
    each network (eqs. (bp-delta-rule), (bp-update), (bp-momentum)), computed for all of
    them together: the parameters of layer l are stacked into arrays of shape
    (N, n_l, n_{l-1}) and (N, n_l), and every matrix product of the forward and backward
    pass is a stacked product. Many random starting points then cost little more than
    one. Like :meth:`MLP.train`, it leaves every network at its trained parameters.

    Parameters
    ----------
    nets
        A non-empty sequence of distinct :class:`bpnotes.MLP` objects with the same sizes,
        activations, loss, L2 strength and dtype (their masks may differ).
    X, Y
        Inputs (m, n_0) and targets (m, n_L), the same for every network.
    lr, epochs, momentum
        As in :meth:`MLP.train` (full batch).

    Returns
    -------
    SideBySideHistory
        The cost of every network after every epoch.
    """
    if isinstance(nets, MLP) or not isinstance(nets, Sequence) or len(nets) == 0:
        raise TypeError("nets must be a non-empty list of bpnotes.MLP networks")
    first = _check_net(nets[0])
    signature = (first.sizes, first.hidden.name, first.output.name, first.loss.name,
                 first.l2, first.dtype)
    for i, net in enumerate(nets):
        net = _check_net(net)
        if (net.sizes, net.hidden.name, net.output.name, net.loss.name, net.l2,
                net.dtype) != signature:
            raise ValueError(
                f"nets[{i}] differs from nets[0] ({net!r} against {first!r}): the networks "
                "trained side by side must have the same shape, activations, loss and l2"
            )
    if len({id(net) for net in nets}) != len(nets):
        raise ValueError("nets must be distinct networks (one appears twice)")
    for net in nets:
        net.check_parameters(writing=True)
    X_arr, Y_arr = first.check_data(X, Y)
    epochs = check_nonnegative_int("epochs", epochs)
    m, L = X_arr.shape[0], first.n_layers
    wm, bm = zip(*(_full_masks(net) for net in nets), strict=True)
    weight_masks = [np.stack([mask[layer] for mask in wm]) for layer in range(L)]
    bias_masks = [np.stack([mask[layer] for mask in bm]) for layer in range(L)]
    weights = [np.stack([net.weights[layer] for net in nets]) for layer in range(L)]
    biases = [np.stack([net.biases[layer] for net in nets]) for layer in range(L)]

    def forward() -> tuple[list[np.ndarray], list[np.ndarray]]:
        zs, activations = [], [X_arr]
        for layer in range(L):
            z = activations[-1] @ weights[layer].transpose(0, 2, 1)  # (N, m, n_l)
            z += biases[layer][:, None, :]
            zs.append(z)
            activations.append(first.activation(layer)(z))
        return zs, activations

    def rows(array: np.ndarray) -> np.ndarray:  # (N, m, n) -> (N m, n) for the losses
        return array.reshape(-1, array.shape[-1])

    def costs(zs: list[np.ndarray], activations: list[np.ndarray]) -> np.ndarray:
        per_example = first.loss.value(rows(zs[-1]), rows(activations[-1]),
                                       np.tile(Y_arr, (len(nets), 1)), first.output)
        data_term = per_example.reshape(len(nets), m).mean(axis=1)
        penalty = sum(np.sum(W * W, axis=(1, 2)) for W in weights)
        return data_term + first.l2 / (2 * m) * penalty

    kept: list[tuple[list[np.ndarray], list[np.ndarray]]] = []
    recorded: list[np.ndarray] = []

    def total_cost() -> float:
        zs, activations = forward()
        kept[:] = [(zs, activations)]       # the next update's forward pass (full batch)
        recorded.append(costs(zs, activations))
        return float(np.sum(recorded[-1]))

    def gradient(xb: np.ndarray, yb: np.ndarray) -> list[np.ndarray]:
        zs, activations = kept.pop() if kept else forward()
        out_shape = zs[-1].shape
        delta = first.loss.output_delta(rows(zs[-1]), rows(activations[-1]),
                                        np.tile(Y_arr, (len(nets), 1)),
                                        first.output).reshape(out_shape)
        grad_w: list[np.ndarray] = [np.empty(0)] * L
        grad_b: list[np.ndarray] = [np.empty(0)] * L
        for layer in range(L - 1, -1, -1):
            below = activations[layer]
            if below.ndim == 2:                                   # the inputs X, shared
                below = np.broadcast_to(below, (len(nets), *below.shape))
            gw = delta.transpose(0, 2, 1) @ below / m + first.l2 / m * weights[layer]
            grad_w[layer] = np.where(weight_masks[layer], gw, 0.0)
            grad_b[layer] = np.where(bias_masks[layer], delta.sum(axis=1) / m, 0.0)
            if layer > 0:
                delta = first.hidden.backprop(zs[layer - 1], activations[layer],
                                              delta @ weights[layer])
        return grad_w + grad_b

    trace = gradient_descent(weights + biases, gradient, total_cost, X_arr, Y_arr, lr=lr,
                             epochs=epochs, momentum=momentum, epoch_cost="full")
    losses = np.array(recorded[:len(trace.losses)])
    # Stopped early on divergence (all runs alike), or on the bound in the last epoch.
    stopped = (len(trace.losses) != epochs + 1 or trace.steps != epochs
               or (trace.diverged and not ended_stuck(trace.losses.tolist())))
    diverged = np.array([True] * len(nets) if stopped else
                        [ended_stuck(losses[:, n].tolist()) for n in range(len(nets))])
    for n, net in enumerate(nets):
        for layer in range(L):
            net.weights[layer][...] = weights[layer][n]
            net.biases[layer][...] = biases[layer][n]
    return SideBySideHistory(losses, diverged)
