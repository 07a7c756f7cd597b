"""bpnotes: gradient descent and backpropagation, derived and implemented.

The package mirrors the book: one module per algorithm (``linear``, ``logistic``,
``softmax``, ``mlp``), shared mechanics (``descent``, ``losses``, ``explorer``,
``exercises``), and the ground they stand on (``activations``, ``validation``,
``gradcheck``, ``initialisation``, ``data``). Plotting lives in ``bpnotes.plots`` and the
sympy derivations in ``bpnotes.symbolic``; numeric code imports neither.
"""

from .mlp import MLP, Gradients, TrainingHistory

__all__ = ["MLP", "Gradients", "TrainingHistory"]
__version__ = "0.1.0"
