"""The scalar engine: :class:`Value`, its backward sweep, and forward mode.

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

:func:`backward_sweep` records the same sweep one visited node at a time (for the
chapter's figures), and :func:`tangents` sweeps the recorded graph the other way:
forward mode, eq. (ad-forward).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Operand", "SweepStep", "Value", "backward_sweep", "tangents"]

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
        data = _as_float(data, "data")
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
            if not math.isfinite(_as_float(d, "local_grads")):
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
        # q = a/b:  ∂q/∂a = 1/b,  ∂q/∂b = −a/b² = −q/b (b² would underflow for |b| < 1e-162)
        q = a / b
        return _result("/", q, (self, other), (1.0 / b, -q / b))

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, Value) or not _is_number(exponent):
            raise TypeError(
                "the exponent of ** must be a number, got "
                f"{type(exponent).__name__}; for a Value exponent y write (y * x.log()).exp()"
            )
        a, n = self.data, _as_float(exponent, "the exponent of **")
        if not math.isfinite(n):
            raise ValueError(f"the exponent of ** must be a finite number, got {n!r}")
        if a < 0 and not n.is_integer():
            raise ValueError(f"{a!r} ** {n!r} is not a real number (negative base, "
                             "fractional exponent)")
        if a == 0 and n < 0:
            raise ValueError(f"0 ** {n!r} divides by zero")
        if a == 0 and 0 < n < 1:
            raise ValueError(f"the derivative of x ** {n!r} is infinite at x = 0")
        try:
            power = a**n
        except OverflowError:
            raise ValueError(f"{a!r} ** {n!r} overflows a float") from None
        try:
            slope = n * a ** (n - 1) if n != 0 else 0.0  # d(aⁿ)/da = n aⁿ⁻¹
        except OverflowError:
            raise ValueError(f"the derivative of x ** {n!r} at x = {a!r} overflows a float "
                             f"(the value {power!r} itself is finite)") from None
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
        number = _as_float(other, f"the operand of {op}")
        return Value(number, label=f"{number:g}")
    raise TypeError(f"unsupported operand for {op}: Value and {type(other).__name__} "
                    "(use a Value or a real number)")


def _result(
    op: str, data: float, inputs: tuple[Value, ...], local_grads: tuple[float, ...]
) -> Value:
    """The node an operation creates, with a clear error if the numbers overflowed."""
    operands = ", ".join(repr(node.data) for node in inputs)
    if not math.isfinite(data):
        raise ValueError(f"{op} of {operands} overflows a float: the result is not finite")
    if not all(math.isfinite(d) for d in local_grads):
        raise ValueError(f"{op} of {operands}: the value {data!r} is finite, but its "
                         "derivative overflows a float")
    return Value(data, inputs=inputs, local_grads=local_grads, op=op)


def _as_float(number: object, name: str) -> float:
    """A real number as a float; an integer too large for a float is a ValueError."""
    try:
        return float(number)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{name} is too large for a float (its magnitude must be below "
                         f"{np.finfo(np.float64).max:.3g})") from None


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
