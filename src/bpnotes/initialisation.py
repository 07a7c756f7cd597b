"""Seeded weight initialisation schemes for the MLP, eq. (vd-init).

Every scheme draws W^l with independent N(0, s²) entries, where for a layer with
n_in inputs and n_out outputs

* ``"normal"``: s = 1 (multiply by ``scale`` for the classic small initialisation);
* ``"lecun"``:  s² = 1 / n_in;
* ``"xavier"``: s² = 2 / (n_in + n_out)   (Glorot & Bengio 2010), keeps the variance of
  activations and deltas roughly constant through layers whose activation has slope 1
  at z = 0 (tanh); sigmoid layers (slope at most 1/4) still shrink their deltas, by a
  factor of about 4 per layer or more (eq. (vd-variance));
* ``"he"``:     s² = 2 / n_in              (He et al. 2015), the same for ReLU layers,
  which zero half their inputs.

``scale`` multiplies s, and with it the per-layer factor g of eq. (vd-variance) of ReLU
and linear layers (and of tanh layers while their pre-activations stay small); deltas grow
towards the input when g > 1 and shrink when g < 1, so a ``scale`` above 1 makes He-ReLU
deltas grow. For the sigmoid g grows more slowly than ``scale``, because larger weights
also saturate more units: with twice the Xavier scale sigmoid deltas still vanish.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .validation import (
    check_choice,
    check_layer_sizes,
    check_positive_int,
    check_positive_number,
    check_seed,
)

__all__ = ["INIT_SCHEMES", "init_std", "initial_weights"]

INIT_SCHEMES = ("xavier", "he", "lecun", "normal")


def init_std(scheme: str, n_in: int, n_out: int, scale: float = 1.0) -> float:
    """The standard deviation s of the weights of one layer under ``scheme``, eq. (vd-init).

    Parameters
    ----------
    scheme
        "xavier", "he", "lecun" or "normal".
    n_in, n_out
        The numbers of inputs and outputs of the layer (positive integers).
    scale
        A positive factor multiplying s.
    """
    check_choice("init", scheme, INIT_SCHEMES)
    n_in = check_positive_int("n_in", n_in)
    n_out = check_positive_int("n_out", n_out)
    scale = check_positive_number("scale", scale)
    return float(scale * _base_std(scheme, n_in, n_out))


def _base_std(scheme: str, n_in: int, n_out: int) -> float:
    return {
        "normal": 1.0,
        "lecun": np.sqrt(1.0 / n_in),
        "xavier": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
    }[scheme]


def initial_weights(
    sizes: Sequence[int], scheme: str = "xavier", scale: float = 1.0, seed: int = 0
) -> list[np.ndarray]:
    """Weights W^1..W^L with ``W[l].shape == (sizes[l+1], sizes[l])``, drawn from ``seed``.

    ``sizes`` are the layer widths [n0, ..., nL] (positive integers), ``scale`` the factor
    ``init_scale`` of :class:`bpnotes.MLP` (positive) and ``seed`` a non-negative integer.
    """
    sizes = check_layer_sizes("sizes", sizes)
    check_choice("init", scheme, INIT_SCHEMES)
    scale = check_positive_number("init_scale", scale)
    rng = np.random.default_rng(check_seed(seed))
    return [
        scale * _base_std(scheme, n_in, n_out) * rng.standard_normal((n_out, n_in))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]
