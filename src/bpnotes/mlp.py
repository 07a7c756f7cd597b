"""A multilayer perceptron trained by backpropagation, in the book's notation.

Layer l = 1..L computes (rows of X are examples, so every vector below is a row)

    z^l = a^{l−1} (W^l)ᵀ + b^l,   a^l = f_l(z^l),   a^0 = x          eq. (bp-forward)

with ``W^l`` of shape (n_l, n_{l−1}): ``W^l[j, k]`` connects neuron k of layer l−1 to
neuron j of layer l. In code the layers are counted from 0, so ``weights[l]`` is W^{l+1}.

The cost is the mean of the per-example losses ℓ_i = ℓ(o_i, y_i) plus an L2 penalty on the
weights,

    C = (1/m) Σ_i ℓ_i + (λ/(2m)) Σ_l ‖W^l‖²_F                          eq. (bp-cost)

and the delta of example i in layer l is δ^l_i = ∂ℓ_i/∂z^l_i: a per-example derivative,
not divided by m. Backpropagation is three separate steps, as in the chapter:

1. the forward pass (:meth:`MLP.forward_pass`), keeping every z^l and a^l;
2. the output delta δ^L_i = ∂ℓ_i/∂z^L from the loss (``bpnotes.losses``), then the delta
   rule δ^l_i = f'(z^l_i) ⊙ δ^{l+1}_i W^{l+1}                          eq. (bp-delta-rule)
3. the parameter gradients, the means over the m examples, with L2 on the weights only:
   ∂C/∂W^l = (1/m) Σ_i (δ^l_i)ᵀ a^{l−1}_i + (λ/m) W^l,   ∂C/∂b^l = (1/m) Σ_i δ^l_i
                                                                     eq. (bp-grad-w)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .activations import Activation, get_activation
from .descent import EPOCH_COSTS, gradient_descent
from .initialisation import INIT_SCHEMES, initial_weights
from .losses import VALID_OUTPUTS, Loss, get_loss
from .validation import (
    as_float_matrix,
    check_callable,
    check_choice,
    check_flag,
    check_layer_sizes,
    check_nonnegative_number,
    check_positive_number,
    check_probability_rows,
    check_same_rows,
    check_seed,
    check_unit_interval,
)

__all__ = ["MLP", "ForwardPass", "Gradients", "TrainingHistory"]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
OUTPUT_ACTIVATIONS = ("identity", "sigmoid", "softmax")
DTYPES = {np.dtype(np.float64): "float64", np.dtype(np.float32): "float32"}


@dataclass(frozen=True)
class ForwardPass:
    """The result of :meth:`MLP.forward_pass`, eq. (bp-forward).

    Attributes
    ----------
    zs
        ``zs[l]`` is z^{l+1}, shape (m, sizes[l+1]), for the L layers.
    activations
        ``activations[l]`` is a^l for l = 0..L, shape (m, sizes[l]): ``activations[0]``
        is (a copy of) the input X and ``activations[-1]`` the output o = a^L.
    """

    zs: list[np.ndarray]
    activations: list[np.ndarray]

    @property
    def outputs(self) -> np.ndarray:
        """The network's outputs o = a^L, shape (m, n_L)."""
        return self.activations[-1]


@dataclass(frozen=True)
class Gradients:
    """The result of :meth:`MLP.gradients`.

    Attributes
    ----------
    loss
        The cost C at the current parameters, eq. (bp-cost).
    weights, biases
        ∂C/∂W^l and ∂C/∂b^l, shaped like ``net.weights`` and ``net.biases``: means over
        the examples, ∂C/∂W^l = (1/m) Σ_i (δ^l_i)ᵀ a^{l−1}_i + (λ/m) W^l and
        ∂C/∂b^l = (1/m) Σ_i δ^l_i, eq. (bp-grad-w).
    deltas
        ``deltas[l]`` has shape (m, sizes[l+1]); its row i is δ^{l+1}_i = ∂ℓ_i/∂z^{l+1},
        the delta of example i: the derivative of that example's loss ℓ_i (not of C, and
        not divided by m).
    """

    loss: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]


@dataclass(frozen=True)
class TrainingHistory:
    """The result of :meth:`MLP.train` (the same first fields as the ``fit`` results of
    :mod:`bpnotes.linear`, :mod:`bpnotes.logistic` and :mod:`bpnotes.softmax`).

    Attributes
    ----------
    losses
        ``epochs + 1`` values (fewer if training stopped on divergence; never NaN or
        infinity). ``losses[0]`` is the cost C of eq. (bp-cost) on the whole training set
        before training. ``losses[k]`` belongs to epoch k; what it is depends on
        ``epoch_cost``:

        * ``"batches"``: the mean (1/m) Σ_B |B| C_B(θ_B) of the cost of each batch B of
          the epoch (eq. (bp-cost) on that batch, what :meth:`MLP.step` returns), each
          at the parameters θ_B just before that batch's update, weighted by the batch
          size. The parameters change during the epoch, so this is not the cost at any
          one point; with the full batch it is the exact cost at the start of the epoch
          (``losses[1] == losses[0]``), and the cost after the last epoch is not in the
          list.
        * ``"full"``: the cost C on the whole training set at the parameters after
          epoch k.
    diverged
        True when training diverged, by the rule of :mod:`bpnotes.descent`. The network
        is then left at finite parameters where a finite cost was measured: with
        ``"full"``, those of ``losses[-1]``; with ``"batches"``, those at the start of
        epoch ``len(losses) - 1`` (with the full batch, again those of ``losses[-1]``).
        Otherwise it is at the parameters after the last epoch.
    steps
        The number of parameter updates made.
    delta_norms
        Only with ``train(..., record_norms=True)``, else None. Shape (len(losses), L):
        on the whole training set, before training and after each recorded epoch, the
        mean over the examples of the Euclidean norm of each layer's per-example delta,
        (1/m) Σ_i ‖δ^l_i‖.
    weight_gradient_norms
        Only with ``record_norms=True``, else None. Same shape: the Frobenius norm of
        ∂C/∂W^l without the L2 term.
    epoch_cost
        ``"batches"`` or ``"full"``: the meaning of ``losses[1:]``, as chosen in
        :meth:`MLP.train`.
    """

    losses: np.ndarray
    diverged: bool
    steps: int
    delta_norms: np.ndarray | None = None
    weight_gradient_norms: np.ndarray | None = None
    epoch_cost: str = "batches"


def _check_dtype(dtype: object) -> np.dtype:
    if dtype is None or isinstance(dtype, bool):
        raise TypeError(f"dtype must be numpy.float64 or numpy.float32, got {dtype!r}")
    try:
        resolved = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError as error:
        raise TypeError(f"dtype must be numpy.float64 or numpy.float32, got {dtype!r}") from error
    if resolved not in DTYPES:
        raise TypeError(f"dtype must be numpy.float64 or numpy.float32, got {resolved}")
    return resolved


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
        Seed of the weight initialisation (a non-negative integer).
    init
        Initialisation scheme of the weights (biases start at 0): "xavier" (Glorot:
        N(0, 2/(n_in + n_out))), "he" (N(0, 2/n_in)), "lecun" (N(0, 1/n_in)) or "normal"
        (N(0, 1)); see ``bpnotes.initialisation``.
    init_scale
        A factor multiplying every initial weight (default 1): "normal" with
        ``init_scale=0.01`` is the classic small random initialisation.
    dtype
        ``numpy.float64`` (default) or ``numpy.float32`` (or their names) for all
        parameters and arithmetic.

    Attributes
    ----------
    weights, biases
        Lists of L arrays; ``weights[l]`` has shape (sizes[l+1], sizes[l]) and
        ``biases[l]`` shape (sizes[l+1],), in the network's dtype. Edit them in place
        (``net.weights[0][...] = values``); an array put in their place must have the
        same shape and dtype (and be writeable, for training), or the next call says so.
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
        dtype: DTypeLike = np.float64,
    ) -> None:
        self.sizes = check_layer_sizes("sizes", sizes)
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
        self.dtype = _check_dtype(dtype)
        check_choice("init", init, INIT_SCHEMES)
        self.weights = [
            w.astype(self.dtype)
            for w in initial_weights(self.sizes, init, init_scale, check_seed(seed))
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
        weights: Sequence[ArrayLike | None] | None = None,
        biases: Sequence[ArrayLike | None] | None = None,
    ) -> None:
        """Declare which weights and biases exist (True) and which are absent (False).

        Absent parameters are set to 0 and their gradients are reported as 0, so no
        update ever brings them back: this is how a network with missing links (as in the
        chapter's worked example) is written as a fully connected one. ``None`` for a
        layer (or for the whole list) means fully connected. Each mask is a boolean array
        shaped like the parameter it describes; it is copied.
        """
        weight_masks = self.weight_masks if weights is None else _check_masks(
            "weights", weights, [w.shape for w in self.weights])
        bias_masks = self.bias_masks if biases is None else _check_masks(
            "biases", biases, [b.shape for b in self.biases])
        self.check_parameters(writing=True)
        self.weight_masks, self.bias_masks = weight_masks, bias_masks
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
    def forward_pass(self, X: ArrayLike) -> ForwardPass:
        """Every z^l and a^l for inputs X of shape (m, n0), eq. (bp-forward).

        The returned arrays are new: ``activations[0]`` is a copy of X, so nothing in the
        result shares memory with the caller's input or with the network's parameters.
        """
        self.check_parameters()
        X = self._check_X(X)
        zs, activations = self._forward_pass(X)
        activations[0] = activations[0].copy()
        return ForwardPass(zs, activations)

    def forward(self, X: ArrayLike) -> np.ndarray:
        """The outputs a^L for inputs X of shape (m, n0); returns shape (m, nL)."""
        self.check_parameters()
        X = self._check_X(X)
        _, activations = self._forward_pass(X)
        return activations[-1]

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Class predictions: argmax of the outputs, or output > 1/2 for one sigmoid unit."""
        outputs = self.forward(X)
        if outputs.shape[1] == 1:
            return (outputs[:, 0] > 0.5).astype(np.int64)
        return np.argmax(outputs, axis=1)

    def cost(self, X: ArrayLike, Y: ArrayLike) -> float:
        """The cost C of eq. (bp-cost) on (X, Y) at the current parameters.

        A cost beyond the float64 range (huge inputs or weights) is returned as infinity.
        """
        X, Y = self.check_data(X, Y)
        return self._full_cost(X, Y)

    def gradients(self, X: ArrayLike, Y: ArrayLike) -> Gradients:
        """The cost and its gradients on (X, Y) by backpropagation, eqs. (bp-delta-rule)
        and (bp-grad-w); see :class:`Gradients`."""
        X, Y = self.check_data(X, Y)
        return self._gradients(X, Y)

    def step(self, X: ArrayLike, Y: ArrayLike, lr: float) -> float:
        """One gradient-descent step W ← W − η ∂C/∂W, b ← b − η ∂C/∂b on (X, Y).

        Returns the cost before the step.
        """
        lr = check_positive_number("lr", lr)
        X, Y = self.check_data(X, Y, writing=True)
        grads = self._gradients(X, Y)
        # The gradient arrays are fresh and never leave this method, so the update scales
        # them in place rather than allocating a temporary lr * g for every parameter.
        for p, g in zip(self.weights + self.biases, grads.weights + grads.biases, strict=True):
            g *= lr
            p -= g
        return grads.loss

    def train(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        lr: float,
        epochs: int,
        batch_size: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        momentum: float = 0.0,
        *,
        epoch_cost: str = "batches",
        after_epoch: Callable[[int], None] | None = None,
        record_norms: bool = False,
    ) -> TrainingHistory:
        """Train by full-batch (``batch_size=None``), per-example (1) or mini-batch (k)
        gradient descent, recording a cost for every epoch.

        See :func:`bpnotes.descent.gradient_descent` for ``lr``, ``epochs``,
        ``batch_size``, ``shuffle``, ``seed`` and ``momentum`` and for the divergence
        rule. The updates are exactly those of :meth:`step` called on the same batches in
        the same order.

        Parameters
        ----------
        epoch_cost
            Which cost is recorded for each epoch (:class:`TrainingHistory`):

            * ``"batches"`` (default): the size-weighted mean of the batch costs C_B of
              eq. (bp-cost) that the epoch's forward passes compute anyway, each at the
              parameters just before its update (the costs :meth:`step` returns), so
              recording costs nothing. With the full batch, epoch k records the exact
              cost before its update, i.e. after epoch k − 1.
            * ``"full"``: the exact cost C on all of (X, Y) after each epoch, one extra
              forward pass over all the data per epoch when training on mini-batches
              (with the full batch it is the forward pass of the next update, so only the
              last one is extra). Use it for a learning curve or a final cost that must be
              exact.

            ``losses[0]`` is the exact cost before training in both cases.
        after_epoch
            Called as ``after_epoch(epoch)`` after each recorded epoch (0 = before
            training), e.g. to record test accuracy or advance a progress bar; it must not
            change the parameters.
        record_norms
            Also record the per-layer delta norms and weight-gradient norms on all of
            (X, Y) before training and after every epoch (:class:`TrainingHistory`); this
            costs one extra backward pass over all the data per epoch, so it is off by
            default.
        """
        X, Y = self.check_data(X, Y, writing=True)
        epoch_cost = check_choice("epoch_cost", epoch_cost, EPOCH_COSTS)
        after_epoch = check_callable("after_epoch", after_epoch, optional=True)
        record_norms = check_flag("record_norms", record_norms)
        delta_norms: list[np.ndarray] = []
        weight_norms: list[np.ndarray] = []
        latest: list[Gradients] = []  # the full-data gradients for record_norms, if fresh
        # With the full batch, the gradient of the next update is taken at the parameters
        # where the full-data cost (or, with record_norms, the whole backward pass) was
        # last computed, on the same data: that forward pass is kept for the update.
        kept: dict[str, tuple[list[np.ndarray], list[np.ndarray], float] | Gradients] = {}

        def full_batch_pass(xb: np.ndarray) -> Gradients | None:
            found = kept.pop("full", None) if xb is X else None
            if found is None or isinstance(found, Gradients):
                return found
            zs, activations, cost = found
            deltas = self._backward_pass(zs, activations, Y)
            grad_w, grad_b = self._parameter_gradients(deltas, activations)
            return Gradients(cost, grad_w, grad_b, deltas)

        def batch_gradient(xb: np.ndarray, yb: np.ndarray) -> list[np.ndarray]:
            found = full_batch_pass(xb)
            if found is not None:
                return found.weights + found.biases
            grad_w, grad_b = self._backpropagate(xb, yb)  # no batch cost computed
            return grad_w + grad_b

        def batch_cost_and_gradient(
            xb: np.ndarray, yb: np.ndarray
        ) -> tuple[float, list[np.ndarray]]:
            found = full_batch_pass(xb)
            if found is None:
                found = self._gradients(xb, yb)  # the computation of step
            return found.loss, found.weights + found.biases

        def full_cost() -> float:
            if record_norms:
                latest[:] = [self._gradients(X, Y)]
                kept["full"] = latest[0]
                return latest[0].loss
            zs, activations = self._forward_pass(X)
            cost = self._cost(zs[-1], activations[-1], Y)
            kept["full"] = (zs, activations, cost)
            return cost

        def record(epoch: int) -> None:
            if record_norms:
                if not latest:  # "batches": no full-data pass was made after this epoch
                    with np.errstate(over="ignore", invalid="ignore"):
                        latest.append(self._gradients(X, Y))
                    kept["full"] = latest[0]
                g = latest.pop()
                with np.errstate(over="ignore", invalid="ignore"):  # a diverging last epoch
                    delta_norms.append(
                        np.array([np.hypot.reduce(d, axis=1).mean() for d in g.deltas]))
                    weight_norms.append(np.array([
                        np.linalg.norm(gw - self.l2 / X.shape[0] * w)
                        for gw, w in zip(g.weights, self.weights, strict=True)
                    ]))
            if after_epoch is not None:
                after_epoch(epoch)

        trace = gradient_descent(
            self.weights + self.biases,
            batch_cost_and_gradient if epoch_cost == "batches" else batch_gradient,
            full_cost, X, Y, lr=lr, epochs=epochs, batch_size=batch_size, shuffle=shuffle,
            seed=seed, momentum=momentum, after_epoch=record, epoch_cost=epoch_cost,
        )
        shape = (len(trace.losses), self.n_layers)
        return TrainingHistory(
            losses=trace.losses,
            diverged=trace.diverged,
            steps=trace.steps,
            delta_norms=np.asarray(delta_norms).reshape(shape) if record_norms else None,
            weight_gradient_norms=np.asarray(weight_norms).reshape(shape) if record_norms
            else None,
            epoch_cost=epoch_cost,
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

    def _backpropagate(
        self, X: np.ndarray, Y: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The three steps without the cost: what a training update needs."""
        zs, activations = self._forward_pass(X)
        deltas = self._backward_pass(zs, activations, Y)
        return self._parameter_gradients(deltas, activations)

    def _gradients(self, X: np.ndarray, Y: np.ndarray) -> Gradients:
        zs, activations = self._forward_pass(X)
        deltas = self._backward_pass(zs, activations, Y)
        grad_w, grad_b = self._parameter_gradients(deltas, activations)
        return Gradients(self._cost(zs[-1], activations[-1], Y), grad_w, grad_b, deltas)

    def _full_cost(self, X: np.ndarray, Y: np.ndarray) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            zs, activations = self._forward_pass(X)
            return self._cost(zs[-1], activations[-1], Y)

    def _cost(self, z_out: np.ndarray, out: np.ndarray, Y: np.ndarray) -> float:
        m = Y.shape[0]
        data_term = float(np.mean(self.loss.value(z_out, out, Y, self.output)))
        if not self.l2:
            return data_term
        penalty = sum(float(np.sum(W * W)) for W in self.weights)
        return data_term + self.l2 / (2 * m) * penalty

    # ------------------------------------------------------------------ validation
    def check_data(
        self, X: ArrayLike, Y: ArrayLike, *, writing: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Check the network's parameters (see :meth:`check_parameters`) and the data.

        X must be finite of shape (m, n0) and Y finite of shape (m, nL), with targets in
        [0, 1] for the log loss and probability rows for the cross-entropy. Returns both
        as arrays of the network's dtype: the caller's own arrays when they already are
        (the package only reads them), converted copies otherwise.
        """
        self.check_parameters(writing=writing)
        X = self._check_X(X)
        if not self._valid_array(Y, self.sizes[-1]):
            Y = as_float_matrix("Y", Y, columns=self.sizes[-1]).astype(self.dtype, copy=False)
        check_same_rows("X", X, "Y", Y)
        if self.loss.name == "log":
            check_unit_interval("Y", Y)
        elif self.loss.name == "cross_entropy":
            check_probability_rows("Y", Y, atol=1e-6 if self.dtype == np.float32 else 1e-8)
        return X, Y

    def check_parameters(self, *, writing: bool = False) -> None:
        """Raise a clear error if a parameter array was replaced by one of the wrong kind.

        Every entry of ``weights`` and ``biases`` must be a finite numpy array of the right
        shape and of the network's dtype (and writeable when ``writing``, as training
        updates them in place). Nothing is converted or replaced.
        """
        for kind, params, shapes in (
            ("weights", self.weights, [(o, i) for i, o in zip(self.sizes, self.sizes[1:])]),
            ("biases", self.biases, [(o,) for o in self.sizes[1:]]),
        ):
            if not isinstance(params, list) or len(params) != self.n_layers:
                raise ValueError(f"net.{kind} must be a list of {self.n_layers} arrays")
            for layer, (p, shape) in enumerate(zip(params, shapes, strict=True)):
                name = f"net.{kind}[{layer}]"
                if not isinstance(p, np.ndarray) or p.shape != shape:
                    got = p.shape if isinstance(p, np.ndarray) else type(p).__name__
                    raise ValueError(f"{name} must be an array of shape {shape}, got {got}")
                if p.dtype != self.dtype:
                    raise TypeError(
                        f"{name} has dtype {p.dtype} but the network computes in "
                        f"{self.dtype}: assign into the existing array ({name}[...] = values) "
                        f"or put in an array converted with .astype(net.dtype)"
                    )
                if writing and not p.flags.writeable:
                    raise ValueError(
                        f"{name} is read-only, but training updates it in place: put in a "
                        "writeable copy (e.g. values.copy())"
                    )
                if not np.all(np.isfinite(p)):
                    raise ValueError(f"{name} must be finite; it holds NaN or inf")

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
        return as_float_matrix("X", X, columns=self.sizes[0]).astype(  # type: ignore[arg-type]
            self.dtype, copy=False)


def _check_masks(
    name: str, masks: object, shapes: list[tuple[int, ...]]
) -> list[np.ndarray | None]:
    if isinstance(masks, str | bytes | np.ndarray) or not isinstance(masks, Sequence):
        raise TypeError(
            f"{name} must be None or a list of {len(shapes)} masks (None or a boolean array "
            f"per layer), got {type(masks).__name__}"
        )
    if len(masks) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} masks, got {len(masks)}")
    checked: list[np.ndarray | None] = []
    for layer, (mask, shape) in enumerate(zip(masks, shapes, strict=True)):
        if mask is None:
            checked.append(None)
            continue
        array = np.asarray(mask)
        if array.shape != shape or array.dtype != np.bool_:
            raise ValueError(f"{name}[{layer}] must be a boolean array of shape {shape}")
        checked.append(array.copy())
    return checked
