"""Seeded weight initialisation schemes for the MLP, eq. (vd-init).

Every scheme draws W^l with independent N(0, s²) entries, where for a layer with
n_in inputs and n_out outputs

* ``"normal"``: s = 1 (multiply by ``scale`` for the classic small initialisation);
* ``"lecun"``:  s² = 1 / n_in;
* ``"xavier"``: s² = 2 / (n_in + n_out)   (Glorot & Bengio 2010), keeps the variance of
  activations and deltas roughly constant through tanh / sigmoid-like layers;
* ``"he"``:     s² = 2 / n_in              (He et al. 2015), the same for ReLU layers,
  which zero half their inputs.

``scale`` multiplies s, so ``scale`` > 1 makes deltas grow and ``scale`` < 1 shrink.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .validation import check_choice, check_positive_number

__all__ = ["INIT_SCHEMES", "init_std", "initial_weights"]

INIT_SCHEMES = ("xavier", "he", "lecun", "normal")


def init_std(scheme: str, n_in: int, n_out: int, scale: float = 1.0) -> float:
    """The standard deviation s of the weights of one layer under ``scheme``."""
    check_choice("init", scheme, INIT_SCHEMES)
    base = {
        "normal": 1.0,
        "lecun": np.sqrt(1.0 / n_in),
        "xavier": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
    }[scheme]
    return float(scale * base)


def initial_weights(
    sizes: Sequence[int], scheme: str = "xavier", scale: float = 1.0, seed: int = 0
) -> list[np.ndarray]:
    """Weights W^1..W^L with ``W[l].shape == (sizes[l+1], sizes[l])``, drawn from ``seed``."""
    check_choice("init", scheme, INIT_SCHEMES)
    scale = check_positive_number("init_scale", scale)
    rng = np.random.default_rng(seed)
    return [
        init_std(scheme, n_in, n_out, scale) * rng.standard_normal((n_out, n_in))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]
