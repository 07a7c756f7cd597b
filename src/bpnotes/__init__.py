"""bpnotes: gradient descent and backpropagation, derived and implemented.

The package mirrors the book: one module per algorithm (``linear``, ``logistic``,
``softmax``, ``mlp``), shared mechanics (``descent``, ``losses``, ``explorer``,
``exercises``), and the ground they stand on (``activations``, ``validation``,
``gradcheck``, ``initialisation``, ``data``). Plotting lives in ``bpnotes.plots`` and the
sympy derivations in ``bpnotes.symbolic``; numeric code imports neither.

``from bpnotes import MLP`` works as usual, but numpy is only imported when one of the
names below is first used, so that the parts of the package that need no numpy (the
formula checkers of ``bpnotes.exercises``) can be imported without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mlp import MLP, ForwardPass, Gradients, TrainingHistory

__all__ = ["MLP", "ForwardPass", "Gradients", "TrainingHistory"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import mlp

        return getattr(mlp, name)
    raise AttributeError(f"module 'bpnotes' has no attribute {name!r}")
