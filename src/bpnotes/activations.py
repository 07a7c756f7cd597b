"""Activation functions f and their derivatives, as used in the forward pass a = f(z).

Each activation is one small class with three jobs, in the book's notation
(``book/notation.md``):

* ``__call__(z)`` gives the activation ``a = f(z)``, eq. (bp-forward);
* ``derivative(z, a)`` gives the element-wise derivative ``f'(z)`` (``a`` is passed so
  that sigmoid and tanh can reuse it: ``f'(z) = a (1 - a)`` and ``1 - a**2``);
* ``backprop(z, a, grad_a)`` turns ``dC/da`` into ``dC/dz``, the product ``f'(z) ⊙ dC/da``
  of eq. (bp-delta-rule). Softmax is not element-wise, so it overrides this with its
  Jacobian-vector product.

Every function is numerically stable: no overflow warnings and finite results for
``|z|`` up to 1e4 and beyond.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_real_array

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Identity",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
    "log_sigmoid",
    "relu",
    "sigmoid",
    "softmax",
]


def _as_z(z: ArrayLike) -> np.ndarray:
    """The public functions' input check: real numbers (float32 stays float32)."""
    return as_real_array("z", z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """The logistic sigmoid σ(z) = 1 / (1 + e^{-z}), eq. (log-sigmoid), without overflow.

    Only ``exp(-|z|)`` is ever evaluated, which lies in (0, 1]. ``z`` is any array (or
    number) of reals; float32 input gives float32 output, everything else float64.
    """
    return _sigmoid(_as_z(z))


def log_sigmoid(z: ArrayLike) -> np.ndarray:
    """log σ(z) = -log(1 + e^{-z}), computed as ``-logaddexp(0, -z)`` (finite for all z)."""
    return -np.logaddexp(0.0, -_as_z(z))


def relu(z: ArrayLike) -> np.ndarray:
    """The rectified linear unit max(0, z)."""
    return np.maximum(_as_z(z), 0.0)


def softmax(z: ArrayLike) -> np.ndarray:
    """Softmax over the last axis, eq. (softmax-def), with the row maximum subtracted first.

    Subtracting a constant from every logit leaves softmax unchanged and keeps every
    exponent <= 0, so nothing overflows. ``z`` needs at least one axis (the classes).
    """
    z = _as_z(z)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(
            f"z must have a non-empty last axis (one logit per class), got shape {z.shape}"
        )
    return _softmax(z)


class Activation:
    """An activation function f applied to pre-activations z (rows are examples)."""

    name: str = ""
    #: The largest value of f'(z) over all z (used by the vanishing-delta bound).
    max_derivative: float = np.inf

    def __call__(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z) element-wise; ``a = f(z)`` is supplied so it need not be recomputed."""
        raise NotImplementedError

    def backprop(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """dC/dz from dC/da: the element-wise product f'(z) ⊙ dC/da, eq. (bp-delta-rule)."""
        return self.derivative(z, a) * grad_a

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    """f(z) = z, f'(z) = 1: the linear output unit of regression."""

    name = "identity"
    max_derivative = 1.0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.array(z, copy=True)

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.ones_like(z)

    def backprop(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return grad_a


class Sigmoid(Activation):
    """f(z) = σ(z), f'(z) = σ(z)(1 − σ(z)) = a(1 − a) ≤ 1/4, eq. (log-sigmoid-prime)."""

    name = "sigmoid"
    max_derivative = 0.25

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return _sigmoid(z)

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return a * (1.0 - a)


class Tanh(Activation):
    """f(z) = tanh z, f'(z) = 1 − tanh² z = 1 − a² ≤ 1."""

    name = "tanh"
    max_derivative = 1.0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return 1.0 - a * a


class ReLU(Activation):
    """f(z) = max(0, z); f'(z) = 1 for z > 0 and 0 otherwise (0 is used at the kink z = 0)."""

    name = "relu"
    max_derivative = 1.0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return (z > 0).astype(z.dtype)


class Softmax(Activation):
    """a_k = e^{z_k} / Σ_j e^{z_j} over each row, eq. (softmax-def).

    Its Jacobian is ∂a_k/∂z_j = a_k (δ_kj − a_j), eq. (softmax-jacobian), so
    ``backprop`` returns a ⊙ (g − (g · a)) for each row g of dC/da.
    """

    name = "softmax"
    max_derivative = 0.25

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return _softmax(z)

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        raise TypeError(
            "softmax is not element-wise: its derivative is a Jacobian; use backprop()"
        )

    def backprop(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    cls.name: cls() for cls in (Identity, Sigmoid, Tanh, ReLU, Softmax)
}


def get_activation(
    name: str, *, allowed: tuple[str, ...] | None = None, argument: str = "activation"
) -> Activation:
    """Look an activation up by name, with an error listing the valid names."""
    valid = allowed if allowed is not None else tuple(ACTIVATIONS)
    if not isinstance(name, str) or name not in valid:
        raise ValueError(f"{argument} must be one of {', '.join(map(repr, valid))}; got {name!r}")
    return ACTIVATIONS[name]
