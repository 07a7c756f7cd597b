"""Reverse-mode automatic differentiation: the numerics of the autodiff chapter.

The scalar engine
-----------------
A :class:`Value` holds a number (``data``), a gradient (``grad``), and how it was
computed: the Values it was computed from (its ``inputs``) and, for each input, the
*local derivative* ∂(this node)/∂(input), eq. (ad-local). Every operation computes its
local derivatives in the forward pass, right next to its value, so the backward rule of
each operation reads in the same three lines as its forward rule::

    x = Value(2.0); y = Value(-1.0)
    z = (x * y + x.tanh()) ** 2 / (1 + y.exp())
    z.backward()                 # fills x.grad, y.grad and the grad of every node between

:meth:`Value.backward` visits the graph once, outputs before inputs (reverse topological
order), and applies the chain rule once per edge, eq. (ad-adjoint): each input receives
``node_gradient * local_derivative``, *added* to what it already received, because a
node used several times reaches the output along several paths and the multivariate
chain rule sums over them, eq. (ad-path-sum).

The rest of the module
----------------------
* :func:`neuron`, :func:`layer` and :func:`network_cost` build a :class:`bpnotes.MLP`'s
  cost out of Values, so the engine's gradients can be compared with ``MLP.gradients``;
* :func:`dense_forward` and :func:`dense_backward`: the layer Z = A Wᵀ + b and its matrix
  backward rule, eq. (ad-dense-backward); :func:`layer_graph_gradients` applies it layer
  by layer in reverse order, which is backpropagation, eqs. (bp-delta-rule) and (bp-grad-w);
* :func:`tangents`: forward mode on the same graph, eq. (ad-forward);
* :func:`time_gradients`: the cost of a gradient by finite differences against
  backpropagation, eq. (ad-fd-cost);
* :func:`equal_weights_network` and :func:`hidden_unit_spread` for symmetry breaking,
  eq. (ad-symmetry).
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .mlp import MLP
from .validation import as_float_matrix, check_nonnegative_int, check_positive_number

__all__ = [
    "DenseGradients",
    "GradientTiming",
    "ScalarNetwork",
    "SweepStep",
    "Value",
    "backward_sweep",
    "dense_backward",
    "dense_forward",
    "equal_weights_network",
    "hidden_unit_spread",
    "layer",
    "layer_graph_gradients",
    "network_cost",
    "neuron",
    "tangents",
    "time_gradients",
]

#: exp(x) overflows a float64 above this.
_EXP_LIMIT = math.log(np.finfo(np.float64).max)


def _is_number(value: object) -> bool:
    """A real number that is not a bool (True + x is almost always a slip)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


class Value:
    """One node of a computational graph: a number, its gradient, and how it was made.

    Parameters
    ----------
    data
        The node's value, a finite real number.
    inputs
        The Values this one was computed from (empty for an input of the graph).
    local_grads
        One number per input: the local derivative ∂(this)/∂(input) at the current
        values, eq. (ad-local). Only operations pass ``inputs`` and ``local_grads``; a new
        operation is written the same way, e.g.
        ``Value(math.sin(x.data), inputs=(x,), local_grads=(math.cos(x.data),), op="sin")``.
    op
        The operation's name, shown in graph figures ("" for an input).
    label
        A name for the node, shown in graph figures (e.g. "x").

    Attributes
    ----------
    data : float
        The value.
    grad : float
        0 until :meth:`backward` is called on a node that depends on this one; then the
        derivative of that output with respect to this node (accumulated over calls).
    """

    # numpy must not try to broadcast over Values: ``array + value`` raises TypeError.
    __array_ufunc__ = None

    def __init__(
        self,
        data: float,
        *,
        inputs: Sequence[Value] = (),
        local_grads: Sequence[float] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        if not _is_number(data):
            raise TypeError(f"data must be a real number, got {type(data).__name__}")
        if not math.isfinite(data):
            raise ValueError(f"data must be a finite number, got {data}")
        inputs, local_grads = tuple(inputs), tuple(local_grads)
        if not all(isinstance(node, Value) for node in inputs):
            raise TypeError("inputs must be Values")
        if len(local_grads) != len(inputs):
            raise ValueError(
                f"local_grads must hold one derivative per input: {len(inputs)} inputs, "
                f"{len(local_grads)} local_grads"
            )
        for d in local_grads:
            if not _is_number(d):
                raise TypeError(f"local_grads must be real numbers, got {type(d).__name__}")
            if not math.isfinite(d):
                raise ValueError(f"local_grads must be finite numbers, got {d}")
        if not isinstance(op, str) or not isinstance(label, str):
            raise TypeError("op and label must be strings")
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs
        self.local_grads = tuple(float(d) for d in local_grads)
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ------------------------------------------------------------ operations
    # Each operation: the forward value, then one local derivative per input.

    def __add__(self, other: Operand) -> Value:
        other = _as_value(other, "+")
        return _result("+", self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Operand) -> Value:
        other = _as_value(other, "*")
        return _result("*", self.data * other.data, (self, other), (other.data, self.data))

    def __sub__(self, other: Operand) -> Value:
        other = _as_value(other, "-")
        return _result("-", self.data - other.data, (self, other), (1.0, -1.0))

    def __truediv__(self, other: Operand) -> Value:
        other = _as_value(other, "/")
        a, b = self.data, other.data
        if b == 0:
            raise ValueError(f"division by zero: {a!r} / 0")
        # q = a/b:  ∂q/∂a = 1/b,  ∂q/∂b = −a/b²
        return _result("/", a / b, (self, other), (1.0 / b, -a / (b * b)))

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, Value) or not _is_number(exponent):
            raise TypeError(
                "the exponent of ** must be a number, got "
                f"{type(exponent).__name__}; for a Value exponent y write (y * x.log()).exp()"
            )
        a, n = self.data, float(exponent)
        if a < 0 and not n.is_integer():
            raise ValueError(f"{a!r} ** {n!r} is not a real number (negative base, "
                             "fractional exponent)")
        if a == 0 and n < 0:
            raise ValueError(f"0 ** {n!r} divides by zero")
        if a == 0 and 0 < n < 1:
            raise ValueError(f"the derivative of x ** {n!r} is infinite at x = 0")
        try:
            power = a**n
            slope = n * a ** (n - 1) if n != 0 else 0.0  # d(aⁿ)/da = n aⁿ⁻¹
        except OverflowError:
            raise ValueError(f"{a!r} ** {n!r} overflows a float") from None
        return _result(f"**{n:g}", power, (self,), (slope,))

    def __neg__(self) -> Value:
        return _result("neg", -self.data, (self,), (-1.0,))

    def exp(self) -> Value:
        """e^x; its local derivative is e^x itself."""
        if self.data > _EXP_LIMIT:
            raise ValueError(f"exp({self.data!r}) overflows a float (x must be at most "
                             f"{_EXP_LIMIT:.2f})")
        e = math.exp(self.data)
        return _result("exp", e, (self,), (e,))

    def log(self) -> Value:
        """The natural logarithm, for a positive value; its local derivative is 1/x."""
        if self.data <= 0:
            raise ValueError(f"log is defined for positive numbers only, got {self.data!r}")
        return _result("log", math.log(self.data), (self,), (1.0 / self.data,))

    def tanh(self) -> Value:
        """tanh x; its local derivative is 1 − tanh² x, read off the output."""
        t = math.tanh(self.data)
        return _result("tanh", t, (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e^−x), eq. (log-sigmoid); its local derivative is σ(1 − σ).

        Only e^−|x| is evaluated, so nothing overflows, even at x = ±1e4.
        """
        e = math.exp(-abs(self.data))
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return _result("σ", s, (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """max(0, x); its local derivative is 1 for x > 0 and 0 otherwise (0 at the kink)."""
        positive = self.data > 0
        return _result("relu", self.data if positive else 0.0, (self,),
                       (1.0 if positive else 0.0,))

    # A plain number on the left: 1 + x, 2 * x, 1 - x, 1 / x.
    def __radd__(self, other: Operand) -> Value:
        return _as_value(other, "+") + self

    def __rmul__(self, other: Operand) -> Value:
        return _as_value(other, "*") * self

    def __rsub__(self, other: Operand) -> Value:
        return _as_value(other, "-") - self

    def __rtruediv__(self, other: Operand) -> Value:
        return _as_value(other, "/") / self

    def __rpow__(self, base: object) -> Value:
        raise TypeError("a Value exponent is not supported; write c ** x as "
                        "(x * math.log(c)).exp()")

    # ------------------------------------------------------------ the backward pass
    def topological_order(self) -> list[Value]:
        """Every node this one depends on, itself last, each after all of its inputs."""
        order: list[Value] = []
        done: set[Value] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # depth-first, without recursion (graphs may be deep)
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
                continue
            if node in done:
                continue
            done.add(node)
            stack.append((node, True))
            stack.extend((i, False) for i in reversed(node.inputs) if i not in done)
        return order

    def backward(self) -> None:
        """Add the derivative of this node to the ``grad`` of every node it depends on.

        One sweep in reverse topological order: this node's gradient is 1, and each node,
        once all the nodes that use it are done, passes ``gradient × local derivative`` to
        each of its inputs, eq. (ad-adjoint). An input used twice receives twice, and the
        sum is the sum over paths of eq. (ad-path-sum).

        The gradients are *added* to ``grad``: calling ``backward()`` twice doubles every
        ``grad``, and calling it on two outputs that share inputs leaves the gradient of
        their sum (as PyTorch does for its leaves). Call :meth:`zero_grad` to start again.
        """
        order = self.topological_order()
        gradient = dict.fromkeys(order, 0.0)
        gradient[self] = 1.0  # ∂self/∂self
        for node in reversed(order):  # every user of a node comes before the node
            for node_input, local in zip(node.inputs, node.local_grads, strict=True):
                gradient[node_input] += gradient[node] * local  # chain rule, summed over paths
        for node in order:
            node.grad += gradient[node]

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this node and every node it depends on."""
        for node in self.topological_order():
            node.grad = 0.0


Operand = Value | float | int


def _as_value(other: object, op: str) -> Value:
    """A Value as it is, a plain number as a new constant input node."""
    if isinstance(other, Value):
        return other
    if _is_number(other):
        number = float(other)  # type: ignore[arg-type]
        return Value(number, label=f"{number:g}")
    raise TypeError(f"unsupported operand for {op}: Value and {type(other).__name__} "
                    "(use a Value or a real number)")


def _result(
    op: str, data: float, inputs: tuple[Value, ...], local_grads: tuple[float, ...]
) -> Value:
    """The node an operation creates, with a clear error if the numbers overflowed."""
    if not math.isfinite(data) or not all(math.isfinite(d) for d in local_grads):
        operands = ", ".join(repr(node.data) for node in inputs)
        raise ValueError(f"{op} of {operands} overflows a float: the result or its "
                         "derivative is not finite")
    return Value(data, inputs=inputs, local_grads=local_grads, op=op)


# ---------------------------------------------------------------- a sweep, step by step
@dataclass(frozen=True)
class SweepStep:
    """One step of the backward sweep (see :func:`backward_sweep`).

    Attributes
    ----------
    node
        The node visited: its gradient is final at this step.
    gradients
        ∂output/∂n for every node n of the graph as known after this step (nodes not yet
        reached hold 0).
    passed
        What this step passed to each input: ``(input, gradient × local derivative)``.
    """

    node: Value
    gradients: dict[Value, float]
    passed: tuple[tuple[Value, float], ...]


def backward_sweep(output: Value) -> list[SweepStep]:
    """The backward pass of :meth:`Value.backward`, one visited node at a time.

    Leaves every ``grad`` untouched; each step carries a copy of the gradients so far, so
    that a figure can show the sweep filling them in, eq. (ad-adjoint).
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    order = output.topological_order()
    gradient = dict.fromkeys(order, 0.0)
    gradient[output] = 1.0
    steps = []
    for node in reversed(order):
        passed = []
        for node_input, local in zip(node.inputs, node.local_grads, strict=True):
            gradient[node_input] += gradient[node] * local
            passed.append((node_input, gradient[node] * local))
        steps.append(SweepStep(node, dict(gradient), tuple(passed)))
    return steps


def tangents(output: Value, wrt: Value) -> dict[Value, float]:
    """Forward mode on the recorded graph, eq. (ad-forward): d(node)/d(wrt) for every node.

    One sweep from the inputs to ``output``: ``wrt`` gets the tangent 1, every other
    input 0, and each operation the sum of its local derivatives times its inputs'
    tangents. The tangent of ``output`` is ∂output/∂wrt; one sweep per input is needed
    for a whole gradient, where :meth:`Value.backward` needs one sweep in all.
    """
    if not isinstance(output, Value) or not isinstance(wrt, Value):
        raise TypeError("output and wrt must be Values")
    order = output.topological_order()
    if not any(node is wrt for node in order):
        raise ValueError("wrt is not a node of the graph of output")
    tangent: dict[Value, float] = {}
    for node in order:  # inputs before the nodes that use them
        if node is wrt:
            tangent[node] = 1.0
        else:
            tangent[node] = sum((local * tangent[i] for i, local in
                                 zip(node.inputs, node.local_grads, strict=True)), 0.0)
    return tangent


# ---------------------------------------------------------------- networks of Values
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


# ---------------------------------------------------------------- layers as matrices
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


# ---------------------------------------------------------------- the cost of a gradient
@dataclass(frozen=True)
class GradientTiming:
    """Seconds for one network's cost and gradient (see :func:`time_gradients`).

    Attributes
    ----------
    sizes
        The network's layer widths.
    parameters
        P, its number of weights and biases.
    forward
        One evaluation of the cost (a forward pass).
    backprop
        One ``MLP.gradients`` call (forward and backward pass).
    finite_differences
        All P centred differences: 2P evaluations of the cost, eq. (ad-fd-cost).
    largest_difference
        max |backprop − finite differences| over the parameters (a sanity check).
    """

    sizes: tuple[int, ...]
    parameters: int
    forward: float
    backprop: float
    finite_differences: float
    largest_difference: float


def _best_time(function: Callable[[], object], repeats: int) -> float:
    """The shortest of ``repeats`` timings: the one least disturbed by other programs."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _finite_difference_gradient(net: MLP, X: np.ndarray, Y: np.ndarray,
                                eps: float = 1e-6) -> list[np.ndarray]:
    """Centred differences for every weight and bias: 2 cost evaluations per parameter."""
    grads = []
    for p in net.weights + net.biases:
        g = np.empty_like(p)
        flat, flat_g = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            plus = net.cost(X, Y)
            flat[i] = original - eps
            minus = net.cost(X, Y)
            flat[i] = original
            flat_g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def time_gradients(
    sizes_list: Sequence[Sequence[int]],
    examples: int = 32,
    repeats: int = 3,
    seed: int = 0,
) -> list[GradientTiming]:
    """Time a forward pass, backpropagation and finite differences for several networks.

    Each network is ``MLP(sizes, hidden="tanh", output="identity", loss="squared")`` on
    seeded random data with ``examples`` rows; each time is the best of ``repeats``
    runs. Finite differences cost 2P forward passes, eq. (ad-fd-cost); backpropagation
    costs a small constant number of them whatever P is.
    """
    check_positive_number("examples", examples)
    if not isinstance(examples, int) or isinstance(examples, bool):
        raise TypeError(f"examples must be an integer, got {type(examples).__name__}")
    repeats = check_nonnegative_int("repeats", repeats)
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    if isinstance(sizes_list, str | bytes) or len(sizes_list) == 0:
        raise ValueError("sizes_list must be a non-empty list of layer-width lists")
    rng = np.random.default_rng(seed)
    timings = []
    for sizes in sizes_list:
        net = MLP(sizes, hidden="tanh", output="identity", loss="squared", seed=seed)
        X = rng.normal(size=(examples, net.sizes[0]))
        Y = rng.normal(size=(examples, net.sizes[-1]))
        parameters = sum(p.size for p in net.weights + net.biases)
        net.gradients(X, Y)  # warm up: no timing includes first-call costs
        forward = _best_time(lambda: net.cost(X, Y), repeats)  # noqa: B023 (called at once)
        backprop = _best_time(lambda: net.gradients(X, Y), repeats)  # noqa: B023
        numeric: list[list[np.ndarray]] = []
        finite = _best_time(
            lambda: numeric.append(_finite_difference_gradient(net, X, Y)),  # noqa: B023
            repeats,
        )
        exact = net.gradients(X, Y)
        difference = max(float(np.max(np.abs(e - n)))
                         for e, n in zip(exact.weights + exact.biases, numeric[-1], strict=True))
        timings.append(GradientTiming(tuple(net.sizes), parameters, forward, backprop, finite,
                                      difference))
    return timings


# ---------------------------------------------------------------- symmetry
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

