"""Reverse-mode automatic differentiation: the numerics of the autodiff chapter.

One module per job:

* :mod:`~bpnotes.autodiff.engine` — the scalar engine :class:`Value`: each operation's
  value with its local derivatives, eq. (ad-local), and :meth:`Value.backward`, one sweep
  in reverse topological order, eq. (ad-adjoint), in which a node used several times
  accumulates, eq. (ad-path-sum); :func:`backward_sweep` records that sweep step by
  step, and :func:`tangents` is forward mode on the same graph, eq. (ad-forward);
* :mod:`~bpnotes.autodiff.networks` — :func:`neuron`, :func:`layer` and
  :func:`network_cost` build a :class:`bpnotes.MLP`'s cost out of Values, so the
  engine's gradients can be compared with ``MLP.gradients``;
* :mod:`~bpnotes.autodiff.dense` — :func:`dense_forward` and :func:`dense_backward`: the
  layer Z = A Wᵀ + b and its matrix backward rule, eq. (ad-dense-backward);
  :func:`layer_graph_gradients` applies it layer by layer in reverse order, which is
  backpropagation, eqs. (bp-delta-rule) and (bp-grad-w);
* :mod:`~bpnotes.autodiff.timing` — :func:`time_gradients`: the cost of a gradient by
  finite differences against backpropagation, eq. (ad-fd-cost);
* :mod:`~bpnotes.autodiff.symmetry` — :func:`equal_weights_network` and
  :func:`hidden_unit_spread` for symmetry breaking, eq. (ad-symmetry).

Everything is importable from here::

    from bpnotes.autodiff import Value
    x = Value(2.0); y = Value(-1.0)
    z = (x * y + x.tanh()) ** 2 / (1 + y.exp())
    z.backward()                 # fills x.grad, y.grad and the grad of every node between
"""

from .dense import DenseGradients, dense_backward, dense_forward, layer_graph_gradients
from .engine import SweepStep, Value, backward_sweep, tangents
from .networks import ScalarNetwork, layer, network_cost, neuron
from .symmetry import equal_weights_network, hidden_unit_spread
from .timing import GradientTiming, time_gradients

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
