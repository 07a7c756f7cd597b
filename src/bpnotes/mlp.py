"""A multilayer perceptron trained by backpropagation, in the book's notation.

Layer l = 1..L computes (rows of X are examples, so every vector below is a row)

    z^l = a^{l−1} (W^l)ᵀ + b^l,   a^l = f_l(z^l),   a^0 = x          eq. (bp-forward)

with ``W^l`` of shape (n_l, n_{l−1}): ``W^l[j, k]`` connects neuron k of layer l−1 to
neuron j of layer l. In code the layers are counted from 0, so ``weights[l]`` is W^{l+1}.

Backpropagation is three separate steps, as in the chapter:

1. forward pass, keeping every z^l and a^l;
2. output delta δ^L = ∂ℓ/∂z^L from the loss (``bpnotes.losses``), then the delta rule
   δ^l = f'(z^l) ⊙ δ^{l+1} W^{l+1}                                       eq. (bp-delta-rule)
3. parameter gradients, averaged over the m examples, with L2 on the weights only:
   ∂C/∂W^l = (1/m) (δ^l)ᵀ a^{l−1} + (λ/m) W^l,   ∂C/∂b^l = (1/m) Σ_i δ^l_i   eq. (bp-grad-w)

The cost is C = (1/m) Σ_i ℓ(o_i, y_i) + (λ/(2m)) Σ_l ‖W^l‖²_F         eq. (bp-cost)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

from .activations import Activation, get_activation
from .descent import gradient_descent
from .initialisation import initial_weights
from .losses import VALID_OUTPUTS, Loss, get_loss
from .validation import (
    as_float_matrix,
    check_nonnegative_number,
    check_positive_number,
    check_probability_rows,
    check_same_rows,
    check_unit_interval,
)

__all__ = ["MLP", "Gradients", "TrainingHistory"]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
OUTPUT_ACTIVATIONS = ("identity", "sigmoid", "softmax")
DTYPES = {np.dtype(np.float64): "float64", np.dtype(np.float32): "float32"}


@dataclass(frozen=True)
class Gradients:
    """The result of :meth:`MLP.gradients`.

    Attributes
    ----------
    loss
        The cost C at the current parameters, eq. (bp-cost).
    weights, biases
        ∂C/∂W^l and ∂C/∂b^l, shaped like ``net.weights`` and ``net.biases``.
    deltas
        ``deltas[l]`` has shape (m, sizes[l+1]): the per-example δ = ∂ℓ_i/∂z for that
        layer, not divided by m.
    """

    loss: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]


@dataclass(frozen=True)
class TrainingHistory:
    """The result of :meth:`MLP.train`.

    Attributes
    ----------
    losses
        The cost on the whole training set before training and after each epoch.
    delta_norms
        Shape (len(losses), L): at each of those moments, the mean over the training
        examples of the Euclidean norm of each layer's delta, (1/m) Σ_i ‖δ^l_i‖.
    weight_gradient_norms
        Same shape: the Frobenius norm of ∂C/∂W^l (without the L2 term).
    diverged
        True if training stopped because the cost became non-finite or exploded.
    """

    losses: np.ndarray
    delta_norms: np.ndarray
    weight_gradient_norms: np.ndarray
    diverged: bool


class MLP:
    """A fully connected feed-forward network.

    Parameters
    ----------
    sizes
        ``[n0, n1, ..., nL]``: inputs, hidden layer widths, outputs (at least two entries).
    hidden
        Activation of every hidden layer: "sigmoid", "tanh", "relu" or "identity".
    output
        Activation of the output layer: "identity", "sigmoid" or "softmax".
    loss
        "squared" (½‖o − y‖²), "log" (binary log loss over sigmoid outputs) or
        "cross_entropy" (−Σ y log o, softmax or sigmoid outputs).
    l2
        The L2 strength λ >= 0 of eq. (bp-cost); biases are not regularised.
    seed
        Seed of the weight initialisation.
    init
        Initialisation scheme of the weights (biases start at 0): "xavier" (Glorot:
        N(0, 2/(n_in + n_out))), "he" (N(0, 2/n_in)), "lecun" (N(0, 1/n_in)) or "normal"
        (N(0, 1)); see ``bpnotes.initialisation``.
    init_scale
        A factor multiplying every initial weight (default 1): "normal" with
        ``init_scale=0.01`` is the classic small random initialisation.
    dtype
        ``numpy.float64`` (default) or ``numpy.float32`` for all parameters and arithmetic.

    Attributes
    ----------
    weights, biases
        Lists of L arrays; ``weights[l]`` has shape (sizes[l+1], sizes[l]) and
        ``biases[l]`` shape (sizes[l+1],). Both may be edited in place.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden: str = "sigmoid",
        output: str = "sigmoid",
        loss: str = "squared",
        l2: float = 0.0,
        seed: int = 0,
        *,
        init: str = "xavier",
        init_scale: float = 1.0,
        dtype: type | np.dtype = np.float64,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        self.hidden: Activation = get_activation(
            hidden, allowed=HIDDEN_ACTIVATIONS, argument="hidden"
        )
        self.output: Activation = get_activation(
            output, allowed=OUTPUT_ACTIVATIONS, argument="output"
        )
        self.loss: Loss = get_loss(loss)
        if output not in VALID_OUTPUTS[loss]:
            raise ValueError(
                f"loss={loss!r} needs output in {VALID_OUTPUTS[loss]} (outputs in (0, 1) for "
                f"the logarithm); got output={output!r}"
            )
        self.l2 = check_nonnegative_number("l2", l2)
        self.dtype = np.dtype(dtype)
        if self.dtype not in DTYPES:
            raise TypeError(f"dtype must be numpy.float64 or numpy.float32, got {self.dtype}")
        self.weights = [
            w.astype(self.dtype) for w in initial_weights(self.sizes, init, init_scale, seed)
        ]
        self.biases = [np.zeros(n, dtype=self.dtype) for n in self.sizes[1:]]
        self.weight_masks: list[np.ndarray | None] = [None] * len(self.weights)
        self.bias_masks: list[np.ndarray | None] = [None] * len(self.biases)

    # ------------------------------------------------------------------ structure
    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.sizes) - 1

    def activation(self, layer: int) -> Activation:
        """f_l for layer index ``layer`` in 0..L−1 (the last is the output activation)."""
        return self.output if layer == self.n_layers - 1 else self.hidden

    def set_connections(
        self,
        weights: Sequence[np.ndarray | None] | None = None,
        biases: Sequence[np.ndarray | None] | None = None,
    ) -> None:
        """Declare which weights and biases exist (True) and which are absent (False).

        Absent parameters are set to 0 and their gradients are reported as 0, so no
        update ever brings them back: this is how a network with missing links (as in the
        chapter's worked example) is written as a fully connected one. ``None`` for a
        layer (or for the whole list) means fully connected.
        """
        if weights is not None:
            self.weight_masks = _check_masks("weights", weights, [w.shape for w in self.weights])
        if biases is not None:
            self.bias_masks = _check_masks("biases", biases, [b.shape for b in self.biases])
        for params, masks in ((self.weights, self.weight_masks), (self.biases, self.bias_masks)):
            for p, mask in zip(params, masks, strict=True):
                if mask is not None:
                    p[~mask] = 0.0

    def __repr__(self) -> str:
        return (
            f"MLP(sizes={self.sizes}, hidden={self.hidden.name!r}, output={self.output.name!r}, "
            f"loss={self.loss.name!r}, l2={self.l2})"
        )

    # ------------------------------------------------------------------ public API
    def forward(self, X: object) -> np.ndarray:
        """The outputs a^L for inputs X of shape (m, n0); returns shape (m, nL)."""
        self._check_parameters()
        X = self._check_X(X)
        _, activations = self._forward_pass(X)
        return activations[-1]

    def predict(self, X: object) -> np.ndarray:
        """Class predictions: argmax of the outputs, or output > 1/2 for one sigmoid unit."""
        outputs = self.forward(X)
        if outputs.shape[1] == 1:
            return (outputs[:, 0] > 0.5).astype(np.int64)
        return np.argmax(outputs, axis=1)

    def cost(self, X: object, Y: object) -> float:
        """The cost C of eq. (bp-cost) on (X, Y) at the current parameters."""
        self._check_parameters()
        X, Y = self._check_data(X, Y)
        zs, activations = self._forward_pass(X)
        return self._cost(zs[-1], activations[-1], Y)

    def gradients(self, X: object, Y: object) -> Gradients:
        """The cost and its gradients on (X, Y) by backpropagation, eqs. (bp-delta-rule)
        and (bp-grad-w); see :class:`Gradients`."""
        self._check_parameters()
        X, Y = self._check_data(X, Y)
        return self._gradients(X, Y)

    def step(self, X: object, Y: object, lr: float) -> float:
        """One gradient-descent step W ← W − η ∂C/∂W, b ← b − η ∂C/∂b on (X, Y).

        Returns the cost before the step.
        """
        lr = check_positive_number("lr", lr)
        grads = self.gradients(X, Y)
        # The gradient arrays are fresh and never leave this method, so the update scales
        # them in place rather than allocating a temporary lr * g for every parameter.
        for p, g in zip(self.weights + self.biases, grads.weights + grads.biases, strict=True):
            g *= lr
            p -= g
        return grads.loss

    def train(
        self,
        X: object,
        Y: object,
        lr: float,
        epochs: int,
        batch_size: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        momentum: float = 0.0,
        *,
        after_epoch: Callable[[int], None] | None = None,
    ) -> TrainingHistory:
        """Train by full-batch (``batch_size=None``), per-example (1) or mini-batch (k)
        gradient descent, recording the cost and the per-layer delta norms after every
        epoch. See :func:`bpnotes.descent.gradient_descent` for the arguments;
        ``after_epoch(epoch)`` is called after each recorded epoch (0 = before training),
        e.g. to record test accuracy or advance a progress bar."""
        self._check_parameters()
        X, Y = self._check_data(X, Y)
        delta_norms: list[np.ndarray] = []
        weight_norms: list[np.ndarray] = []
        latest: dict[str, Gradients] = {}

        def loss_and_gradient(xb: np.ndarray, yb: np.ndarray):
            g = self._gradients(xb, yb)
            return g.loss, g.weights + g.biases

        def evaluate() -> float:
            latest["full"] = self._gradients(X, Y)
            return latest["full"].loss

        def record(epoch: int) -> None:
            g = latest["full"]
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging last epoch
                _record_norms(g)
            if after_epoch is not None:
                after_epoch(epoch)

        def _record_norms(g: Gradients) -> None:
            delta_norms.append(np.array([np.linalg.norm(d, axis=1).mean() for d in g.deltas]))
            weight_norms.append(
                np.array(
                    [
                        np.linalg.norm(gw - self.l2 / X.shape[0] * w)
                        for gw, w in zip(g.weights, self.weights, strict=True)
                    ]
                )
            )

        trace = gradient_descent(
            self.weights + self.biases,
            loss_and_gradient,
            X,
            Y,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            momentum=momentum,
            evaluate=evaluate,
            after_epoch=record,
        )
        shape = (len(delta_norms), self.n_layers)
        return TrainingHistory(
            losses=trace.losses,
            delta_norms=np.asarray(delta_norms).reshape(shape),
            weight_gradient_norms=np.asarray(weight_norms).reshape(shape),
            diverged=trace.diverged,
        )

    # ------------------------------------------------------------------ the three steps
    def _forward_pass(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Step 1: z^l and a^l for every layer; ``activations[0]`` is X itself."""
        zs: list[np.ndarray] = []
        activations = [X]
        for layer, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = activations[-1] @ W.T
            z += b
            zs.append(z)
            activations.append(self.activation(layer)(z))
        return zs, activations

    def _backward_pass(
        self, zs: list[np.ndarray], activations: list[np.ndarray], Y: np.ndarray
    ) -> list[np.ndarray]:
        """Step 2: the output delta from the loss, then the delta rule down to layer 1."""
        delta = self.loss.output_delta(zs[-1], activations[-1], Y, self.output)
        deltas = [delta]
        for layer in range(self.n_layers - 2, -1, -1):
            grad_a = delta @ self.weights[layer + 1]
            delta = self.hidden.backprop(zs[layer], activations[layer + 1], grad_a)
            deltas.append(delta)
        deltas.reverse()
        return deltas

    def _parameter_gradients(
        self, deltas: list[np.ndarray], activations: list[np.ndarray]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Step 3: ∂C/∂W^l = (1/m)(δ^l)ᵀ a^{l−1} + (λ/m) W^l and ∂C/∂b^l = mean of δ^l."""
        m = activations[0].shape[0]
        grad_w, grad_b = [], []
        for layer, delta in enumerate(deltas):
            gw = delta.T @ activations[layer]
            gw *= 1.0 / m  # in place; a multiplication is cheaper than m divisions
            if self.l2:
                gw += (self.l2 / m) * self.weights[layer]
            gb = delta.sum(axis=0) / m
            for g, mask in ((gw, self.weight_masks[layer]), (gb, self.bias_masks[layer])):
                if mask is not None:
                    g[~mask] = 0.0
            grad_w.append(gw)
            grad_b.append(gb)
        return grad_w, grad_b

    def _gradients(self, X: np.ndarray, Y: np.ndarray) -> Gradients:
        zs, activations = self._forward_pass(X)
        deltas = self._backward_pass(zs, activations, Y)
        grad_w, grad_b = self._parameter_gradients(deltas, activations)
        return Gradients(self._cost(zs[-1], activations[-1], Y), grad_w, grad_b, deltas)

    def _cost(self, z_out: np.ndarray, out: np.ndarray, Y: np.ndarray) -> float:
        m = Y.shape[0]
        data_term = float(np.mean(self.loss.value(z_out, out, Y, self.output)))
        if not self.l2:
            return data_term
        penalty = sum(float(np.sum(W * W)) for W in self.weights)
        return data_term + self.l2 / (2 * m) * penalty

    # ------------------------------------------------------------------ validation
    def _valid_array(self, A: object, columns: int) -> TypeGuard[np.ndarray]:
        """True if A is already a finite, non-empty (m, columns) array of the net's dtype.

        Such arrays (the common case in a training loop) are used as they are; anything
        else goes through ``as_float_matrix``, which converts via float64 and explains
        what is wrong. In float32 this fast path saves two full copies of the data per call.
        """
        return (
            type(A) is np.ndarray
            and A.dtype == self.dtype
            and A.ndim == 2
            and A.shape[0] > 0
            and A.shape[1] == columns
            and bool(np.isfinite(A).all())
        )

    def _check_X(self, X: object) -> np.ndarray:
        if self._valid_array(X, self.sizes[0]):
            return X
        return as_float_matrix("X", X, columns=self.sizes[0]).astype(self.dtype, copy=False)

    def _check_data(self, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X)
        if not self._valid_array(Y, self.sizes[-1]):
            Y = as_float_matrix("Y", Y, columns=self.sizes[-1]).astype(self.dtype, copy=False)
        check_same_rows("X", X, "Y", Y)
        if self.loss.name == "log":
            check_unit_interval("Y", Y)
        elif self.loss.name == "cross_entropy":
            check_probability_rows("Y", Y, atol=1e-6 if self.dtype == np.float32 else 1e-8)
        return X, Y

    def _check_parameters(self) -> None:
        """Catch a parameter array replaced by one of the wrong shape, dtype or values."""
        for kind, params, shapes in (
            ("weights", self.weights, [(o, i) for i, o in zip(self.sizes, self.sizes[1:])]),
            ("biases", self.biases, [(o,) for o in self.sizes[1:]]),
        ):
            if not isinstance(params, list) or len(params) != self.n_layers:
                raise ValueError(f"net.{kind} must be a list of {self.n_layers} arrays")
            for layer, (p, shape) in enumerate(zip(params, shapes, strict=True)):
                if not isinstance(p, np.ndarray) or p.shape != shape:
                    got = p.shape if isinstance(p, np.ndarray) else type(p).__name__
                    raise ValueError(
                        f"net.{kind}[{layer}] must be an array of shape {shape}, got {got}"
                    )
                if p.dtype != self.dtype:
                    params[layer] = p = p.astype(self.dtype)
                if not np.all(np.isfinite(p)):
                    raise ValueError(f"net.{kind}[{layer}] must be finite; it holds NaN or inf")


def _check_sizes(sizes: object) -> list[int]:
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must have at least 2 entries (inputs and outputs), got {sizes}")
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise TypeError(f"sizes[{i}] must be an integer, got {n!r}")
        if n <= 0:
            raise ValueError(f"sizes[{i}] must be a positive integer, got {n}")
    return [int(n) for n in sizes]


def _check_masks(
    name: str, masks: Sequence[np.ndarray | None], shapes: list[tuple[int, ...]]
) -> list[np.ndarray | None]:
    if len(masks) != len(shapes):
        raise ValueError(f"{name} masks must be a list of {len(shapes)} entries")
    checked: list[np.ndarray | None] = []
    for layer, (mask, shape) in enumerate(zip(masks, shapes, strict=True)):
        if mask is None:
            checked.append(None)
            continue
        array = np.asarray(mask)
        if array.shape != shape or array.dtype != np.bool_:
            raise ValueError(f"{name} mask {layer} must be a boolean array of shape {shape}")
        checked.append(array.copy())
    return checked

