"""Linear regression trained by gradient descent: the first chapter's algorithm.

The model is y = x·w + b and the cost is half the mean squared error, eq. (lin-cost):

    J(w, b) = 1/(2m) Σ_i (x_i·w + b − t_i)².

Its gradient is eq. (lin-grad-matrix), ∇_w J = (1/m) Xᵀ(Xw + b − t) and
∂J/∂b = (1/m) Σ_i (x_i·w + b − t_i), and gradient descent repeats eq. (lin-update).
The Hessian with the bias included, H = (1/m) X̃ᵀX̃ with X̃ = [X, 1], is constant, so
full-batch descent converges exactly when 0 < η < 2/λ_max(H), eq. (lin-stability).

Epochs, batching, shuffling and divergence detection are not written here: :func:`fit`
only supplies "the gradient on this batch" and "the cost on all the data" to
:func:`bpnotes.descent.gradient_descent`. :func:`cost`, :func:`gradient` and :func:`fit`
take their arguments in the order shared by :mod:`bpnotes.logistic` and
:mod:`bpnotes.softmax`: data first (X, t), then the parameters (w, b).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .data import noisy_linear
from .descent import as_rows, batches, gradient_descent
from .validation import (
    as_float_matrix,
    as_float_vector,
    as_real_array,
    check_batch_size,
    check_finite,
    check_flag,
    check_positive_int,
    check_real,
    check_same_rows,
    check_seed,
)

__all__ = [
    "LeastSquares",
    "LinearFit",
    "chapter_data",
    "cost",
    "cost_grid",
    "critical_learning_rate",
    "error_growth",
    "fit",
    "gradient",
    "hessian",
    "least_squares",
]


@dataclass(frozen=True)
class LinearFit:
    """The result of :func:`fit` (the same fields as :class:`bpnotes.logistic.LogisticFit`).

    Attributes
    ----------
    w
        The weights, shape (n,): those of the last point of ``path`` (if training
        diverged, the last point whose cost was still finite).
    b
        The bias.
    losses
        J on the full data before training and after each epoch, eq. (lin-cost):
        ``epochs + 1`` values, or fewer if training stopped on divergence (never NaN or
        infinity).
    diverged
        True when training diverged, by the rule of :mod:`bpnotes.descent`.
    steps
        The number of updates made (epochs × batches per epoch, unless it diverged).
    path
        The parameters (w_1, ..., w_n, b) at which each value of ``losses`` was measured,
        shape (len(losses), n + 1): the descent path, one point per epoch.
    step_path
        Only when ``fit(..., record_steps=True)``: the parameters before every update
        and after the last one, shape (steps + 1, n + 1) (finite rows only), else None.
    """

    w: np.ndarray
    b: float
    losses: np.ndarray
    diverged: bool
    steps: int
    path: np.ndarray
    step_path: np.ndarray | None = None

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The model's outputs y = Xw + b for every row of X, shape (m,)."""
        X = as_float_matrix("X", X, columns=self.w.shape[0])
        return X @ self.w + self.b


class LeastSquares(NamedTuple):
    """The closed-form minimiser of eq. (lin-cost): unpacks as ``w, b = least_squares(X, t)``."""

    w: np.ndarray
    b: float


def chapter_data() -> tuple[np.ndarray, np.ndarray]:
    """The chapter's running example: m = 40 points, x in [−1, 3], t ≈ 2x − 3 + noise.

    The inputs are not centred (their mean is near 1), which tilts and stretches the
    cost's contours: a more honest picture of gradient descent than round bowls.
    """
    X, t = noisy_linear(m=40, w=(2.0,), b=-1.0, noise=0.5, seed=0)
    return X + 1.0, t


def _check_data(X: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_matrix("X", X)
    t = as_float_vector("t", t)
    check_same_rows("X", X, "t", t)
    return X, t


def _check_parameters(w: ArrayLike, b: float, n: int) -> tuple[np.ndarray, float]:
    return as_float_vector("w", w, length=n), check_real("b", b)


def _residual(X: np.ndarray, t: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """r_i = x_i·w + b − t_i, the error of every example (rows of X are examples)."""
    return X @ w + b - t


def _half_mean_square(r: np.ndarray) -> float:
    """½ mean(r²) without overflowing in the squares: ½ s² mean((r/s)²), s = max |r|.

    A cost beyond the float64 range is returned as infinity, without a warning.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scale = float(np.max(np.abs(r)))
        if scale == 0.0 or not np.isfinite(scale):
            return 0.0 if scale == 0.0 else np.inf
        ratio = r / scale
        return float(0.5 * np.mean(ratio * ratio) * scale * scale)


def cost(X: ArrayLike, t: ArrayLike, w: ArrayLike, b: float) -> float:
    """J(w, b) = 1/(2m) Σ_i (x_i·w + b − t_i)², eq. (lin-cost).

    Parameters
    ----------
    X
        Inputs, shape (m, n), one example per row.
    t
        Targets, shape (m,).
    w
        Weights, shape (n,).
    b
        The bias, a real number.

    Returns
    -------
    float
        The cost; a value beyond the float64 range (residuals near 1e154 and above) is
        returned as infinity, without an overflow warning.
    """
    X, t = _check_data(X, t)
    w, b = _check_parameters(w, b, X.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        r = _residual(X, t, w, b)
    return _half_mean_square(r)


def gradient(X: ArrayLike, t: ArrayLike, w: ArrayLike, b: float) -> tuple[np.ndarray, float]:
    """The gradient of eq. (lin-cost): ((1/m) Xᵀr, (1/m) Σ_i r_i) with r = Xw + b − t.

    This is eq. (lin-grad-matrix); with the bias folded in as a weight on a constant
    input 1 (eq. (notation-bias-fold)) both parts are the single product (1/m) X̃ᵀr.

    Returns
    -------
    tuple
        ``(grad_w, grad_b)``: an array of shape (n,) and a float.
    """
    X, t = _check_data(X, t)
    w, b = _check_parameters(w, b, X.shape[1])
    r = _residual(X, t, w, b)
    return X.T @ r / X.shape[0], float(np.mean(r))


def cost_grid(
    X: ArrayLike, t: ArrayLike, w_values: ArrayLike, b_values: ArrayLike
) -> np.ndarray:
    """J(w, b) of eq. (lin-cost) on a grid, for data with one feature (the contour plots).

    Parameters
    ----------
    X
        Inputs of shape (m, 1).
    t
        Targets, shape (m,).
    w_values, b_values
        1-D arrays of the weights and biases of the grid.

    Returns
    -------
    numpy.ndarray
        Shape (len(b_values), len(w_values)): entry [i, j] is J(w_values[j], b_values[i]),
        the layout ``matplotlib``'s ``contour(w_values, b_values, J)`` expects.
    """
    X, t = _check_data(X, t)
    if X.shape[1] != 1:
        raise ValueError(f"X must have exactly one feature (column) for a grid, got {X.shape}")
    w_values = as_float_vector("w_values", w_values)
    b_values = as_float_vector("b_values", b_values)
    # Residuals r[i, j, k] = x_k w_j + b_i − t_k, averaged over the examples k.
    r = X[:, 0] * w_values[None, :, None] + (b_values[:, None, None] - t)
    return 0.5 * np.mean(r * r, axis=2)


def _augmented(X: np.ndarray) -> np.ndarray:
    """X̃ = [X, 1]: the bias folded in as a weight on a constant input, eq. (notation-bias-fold)."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


def hessian(X: ArrayLike) -> np.ndarray:
    """The Hessian of eq. (lin-cost) in (w, b): H = (1/m) X̃ᵀX̃, shape (n + 1, n + 1).

    It does not depend on t, w or b: the cost is exactly quadratic (eq. (lin-hessian)).
    Inputs so large that H overflows float64 (|x| near 1e154) raise ``ValueError``.
    """
    X = as_float_matrix("X", X)
    Xa = _augmented(X)
    with np.errstate(over="ignore", invalid="ignore"):
        H = Xa.T @ Xa / X.shape[0]
    if not np.all(np.isfinite(H)):
        raise ValueError("X is too large: its Hessian (1/m) X̃ᵀX̃ overflows float64; rescale X")
    return H


def critical_learning_rate(X: ArrayLike) -> float:
    """The full-batch stability limit 2 / λ_max(H), eq. (lin-stability).

    Full-batch gradient descent on eq. (lin-cost) converges from every start exactly
    when 0 < η < 2/λ_max, where λ_max is the largest eigenvalue of :func:`hessian`
    (bias included). λ_max >= 1 because H's bias entry is 1, so the limit is finite.

    The eigenvalue is computed from X̃ / s with s = max(1, max |x|), and the limit as
    (2 / λ_max(H / s²)) / s², so that huge inputs do not overflow on the way; inputs so
    large that the limit itself is below the smallest float64 raise ``ValueError``.
    """
    X = as_float_matrix("X", X)
    s = max(1.0, float(np.max(np.abs(X))))
    Xa = _augmented(X) / s
    largest = float(np.linalg.eigvalsh(Xa.T @ Xa / X.shape[0])[-1])
    rate = 2.0 / largest / s / s
    if rate == 0.0:
        raise ValueError(
            "X is too large: the stability limit 2/λ_max is below the smallest positive "
            "float64; rescale X"
        )
    return rate


def least_squares(X: ArrayLike, t: ArrayLike) -> LeastSquares:
    """The closed-form minimiser (w, b) of eq. (lin-cost), eq. (lin-normal-equations).

    Solves the normal equations X̃ᵀX̃ θ = X̃ᵀt by a least-squares solver (numerically
    safer than forming the inverse); when they have many solutions (fewer independent
    examples than parameters) it returns the one of smallest norm, which is also where
    gradient descent from zero converges.
    """
    X, t = _check_data(X, t)
    theta, *_ = np.linalg.lstsq(_augmented(X), t, rcond=None)
    return LeastSquares(theta[:-1].copy(), float(theta[-1]))


def fit(
    X: ArrayLike,
    t: ArrayLike,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    *,
    record_steps: bool = False,
) -> LinearFit:
    """Minimise eq. (lin-cost) by gradient descent from w = 0, b = 0, eq. (lin-update).

    Parameters
    ----------
    X
        Inputs, shape (m, n), one example per row; finite.
    t
        Targets, shape (m,); finite.
    lr
        The learning rate η > 0. Full-batch descent converges iff
        η < :func:`critical_learning_rate` (eq. (lin-stability)).
    epochs
        Passes over the data, >= 0.
    batch_size
        ``None``: full batch (one update per epoch, the mean gradient over all m
        examples); ``1``: per-example (stochastic) updates; ``k``: mini-batches of k
        examples, the last one of each epoch possibly smaller. Each update uses the
        mean gradient of its batch (eq. (lin-grad-matrix) on the batch).
    shuffle
        Reshuffle the order of the examples each epoch, from ``seed``; if false, take
        them in the given order.
    seed
        Seed of the shuffling.
    record_steps
        Also keep the parameters before every update (``LinearFit.step_path``).

    Returns
    -------
    LinearFit
        ``w``, ``b``, ``losses`` (epochs + 1 values), ``diverged``, ``steps``, ``path``.

    Raises
    ------
    ValueError
        For bad arguments, or data so large that the starting cost overflows float64.
    """
    X, t = _check_data(X, t)
    w = np.zeros(X.shape[1])
    b = np.zeros(1)  # a length-1 array, so that the update can happen in place

    def batch_gradient(xb: np.ndarray, tb: np.ndarray) -> list[np.ndarray]:
        r = xb @ w + b[0] - tb
        size = xb.shape[0]
        return [xb.T @ r / size, np.array([r.sum() / size])]

    def full_cost() -> float:
        return _half_mean_square(X @ w + b[0] - t)

    trace = gradient_descent(
        [w, b], batch_gradient, full_cost, X, t, lr=lr, epochs=epochs, batch_size=batch_size,
        shuffle=shuffle, seed=seed, record_params=True, record_steps=record_steps,
    )
    path = as_rows(trace.params or [])
    return LinearFit(
        w=path[-1, :-1].copy(),
        b=float(path[-1, -1]),
        losses=trace.losses,
        diverged=trace.diverged,
        steps=trace.steps,
        path=path,
        step_path=None if trace.step_params is None else as_rows(trace.step_params),
    )


def error_growth(
    X: ArrayLike,
    lr: ArrayLike,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """How fast the error of (mini-batch) gradient descent grows or shrinks per epoch.

    One update on a batch B maps the error e = θ − θ* of eq. (lin-error-map-example) to
    (I − η/|B| X̃_Bᵀ X̃_B) e − η/|B| X̃_Bᵀ r*_B; the first term, a matrix that does not
    depend on the targets, decides whether the error stays bounded (the second, the pull
    of the batch at the minimum, sets the noise floor). Over an epoch the first term
    multiplies e by the product P_k of that epoch's batch matrices. This function applies
    those products, epoch by epoch in the batch order that :func:`fit` uses with the
    same ``batch_size``, ``shuffle`` and ``seed``, to a unit start e₀ ∝ (1, ..., 1), and
    returns the mean growth per epoch on a log scale,

        (1/K) Σ_k log(|P_k ⋯ P_1 e₀| / |P_{k−1} ⋯ P_1 e₀|) = (1/K) log |P_K ⋯ P_1 e₀|,

    over K = ``epochs``: negative when the error shrinks in the long run, positive when
    it grows. For the full batch, or any fixed order, P is the same every epoch and the
    mean tends to log of its spectral radius (for the full batch, log ρ(η) of
    eq. (lin-rate)); reshuffled, it tends to the top Lyapunov exponent of the random
    products, the same for almost every start and seed.

    Parameters
    ----------
    X
        Inputs, shape (m, n), one example per row; finite.
    lr
        One learning rate η > 0, or a 1-D array of them (each run with the same orders).
    epochs
        K, the number of epochs averaged over, >= 1.
    batch_size, shuffle, seed
        As in :func:`fit`: ``None`` the full batch, ``1`` per example, ``k`` mini-batches;
        reshuffled every epoch from ``seed``, or in the given order.

    Returns
    -------
    numpy.ndarray
        The mean log growth per epoch, with the shape of ``lr`` (``-inf`` where the
        error vanishes exactly, ``inf`` where a single update overflows float64).

    Raises
    ------
    ValueError, TypeError
        For bad arguments, naming the argument.
    """
    X = as_float_matrix("X", X)
    rates = check_finite("lr", as_real_array("lr", lr).astype(np.float64))
    if rates.ndim > 1 or rates.size == 0:
        raise ValueError(f"lr must be a number or a non-empty 1-D array, got shape {rates.shape}")
    if np.any(rates <= 0):
        raise ValueError(f"lr must be > 0, got {rates.min()}")
    epochs = check_positive_int("epochs", epochs)
    check_batch_size(batch_size, X.shape[0])
    shuffle = check_flag("shuffle", shuffle)
    rng = np.random.default_rng(check_seed(seed))
    Xa = _augmented(X)
    m, d = Xa.shape
    # The batches of every epoch, drawn as fit draws them: orders[k] lists epoch k's batches.
    orders = [list(batches(m, batch_size, shuffle, rng)) for _ in range(epochs)]
    eta = rates.reshape(-1, 1, 1, 1)
    # The epoch products P_k for every rate and epoch at once, shape (rates, epochs, d, d),
    # built batch by batch; each is kept as scale · P̂ (log scale in `log_scale`), so that
    # no product overflows however large the factors.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # see the returns
        P = np.broadcast_to(np.eye(d), (rates.size, epochs, d, d)).copy()
        log_scale = np.zeros((rates.size, epochs))
        for j in range(len(orders[0])):
            rows = Xa[np.array([order[j] for order in orders])]  # (epochs, |B|, d)
            gram = np.einsum("kbi,kbj->kij", rows, rows) / rows.shape[1]  # X̃_Bᵀ X̃_B / |B|
            P = (np.eye(d) - eta * gram) @ P
            size = np.abs(P).max(axis=(2, 3))
            log_scale += np.log(size)
            P /= np.where(size > 0, size, 1.0)[..., None, None]
        # Apply them in turn to a unit start e₀ ∝ (1, ..., 1), normalising after every epoch.
        e = np.ones((rates.size, d)) / np.sqrt(d)
        total = np.zeros(rates.size)
        for k in range(epochs):
            e = np.einsum("rij,rj->ri", P[:, k], e)
            norm = np.linalg.norm(e, axis=1)
            total += log_scale[:, k] + np.log(norm)
            e /= np.where(norm > 0, norm, 1.0)[:, None]
    # NaN only if one update overflowed float64 (an absurdly large η): growth without bound.
    growth = np.where(np.isnan(total), np.inf, total) / epochs
    return growth.reshape(rates.shape)
