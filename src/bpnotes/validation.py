"""Input validation used once, at every public boundary of the package.

Every check raises :class:`TypeError` (wrong kind of object) or :class:`ValueError`
(right kind, wrong value) with a message that names the offending argument and says
what was expected, so that a reader's mistake is explained where it happens rather
than surfacing later as a broadcasting error or a wall of NaN.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "as_float_matrix",
    "as_float_vector",
    "as_real_array",
    "check_batch_size",
    "check_callable",
    "check_choice",
    "check_choices",
    "check_class_labels",
    "check_finite",
    "check_flag",
    "check_layer_sizes",
    "check_nonnegative_int",
    "check_nonnegative_number",
    "check_positive_int",
    "check_positive_number",
    "check_probability_rows",
    "check_real",
    "check_same_rows",
    "check_seed",
    "check_unit_interval",
]


def as_real_array(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array of any shape, or explain why it is not one.

    float32 and float64 arrays keep their dtype; integers and booleans become float64.
    Strings, ``None``, objects, complex numbers and ragged nested lists raise
    :class:`TypeError` or :class:`ValueError` naming ``name``. Values are not checked for
    finiteness (see :func:`check_finite`), and nothing is copied that need not be.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists, unconvertible objects
        raise ValueError(
            f"{name} must be a rectangular array of numbers (every row of the same length)"
        ) from error
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must contain real numbers, got complex dtype {array.dtype}")
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must contain real numbers, got dtype {array.dtype}")
    if array.dtype in (np.float32, np.float64):
        return array
    return array.astype(np.float64)


def _as_float_array(name: str, value: ArrayLike) -> np.ndarray:
    return as_real_array(name, value).astype(np.float64, copy=False)


def check_finite(name: str, array: np.ndarray) -> np.ndarray:
    """Raise ``ValueError`` if ``array`` holds NaN or infinity; return it unchanged."""
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} must be finite, but {bad} entries are NaN or infinite")
    return array


def as_float_matrix(name: str, value: ArrayLike, *, columns: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite, non-empty 2-D float64 array of shape (m, n).

    Parameters
    ----------
    name
        The argument's name, used in error messages.
    value
        Anything :func:`numpy.asarray` accepts.
    columns
        If given, the required number of columns ``n``.
    """
    array = _as_float_array(name, value)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (examples, features), got {array.ndim}-D "
            f"with shape {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if columns is not None and array.shape[1] != columns:
        raise ValueError(f"{name} must have {columns} columns, got shape {array.shape}")
    return check_finite(name, array)


def as_float_vector(name: str, value: ArrayLike, *, length: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite, non-empty 1-D float64 array (of ``length`` if given)."""
    array = _as_float_array(name, value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got {array.ndim}-D with shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name} must have length {length}, got {array.shape[0]}")
    return check_finite(name, array)


def check_same_rows(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same number of rows (examples)."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_b} must have one row per row of {name_a}: {name_a} has {a.shape[0]} "
            f"rows but {name_b} has {b.shape[0]}"
        )


def check_real(name: str, value: object) -> float:
    """Return ``value`` as a float after checking it is a finite real number (e.g. a bias).

    Booleans, strings, arrays and complex numbers are :class:`TypeError`; NaN and
    infinity are :class:`ValueError`.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def check_positive_number(name: str, value: object) -> float:
    """Return ``value`` as a float after checking it is finite and > 0 (e.g. a learning rate)."""
    number = check_real(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {number}")
    return number


def check_nonnegative_number(name: str, value: object) -> float:
    """Return ``value`` as a float after checking it is finite and >= 0 (e.g. an L2 strength)."""
    number = check_real(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number}")
    return number


def check_nonnegative_int(name: str, value: object) -> int:
    """Return ``value`` after checking it is an integer >= 0 (e.g. a number of epochs)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def check_positive_int(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` after checking it is an integer >= ``minimum`` (e.g. a layer width)."""
    number = check_nonnegative_int(name, value)
    if number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {number}")
    return number


def check_layer_sizes(name: str, value: object) -> list[int]:
    """Return layer widths ``[n0, ..., nL]`` (at least two, each a positive integer)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a sequence of layer widths, got {type(value).__name__}")
    sizes = list(value)
    if len(sizes) < 2:
        raise ValueError(f"{name} must have at least 2 entries (inputs and outputs), got {sizes}")
    for i, n in enumerate(sizes):
        if isinstance(n, bool | np.bool_) or not isinstance(n, numbers.Integral):
            raise TypeError(f"{name}[{i}] must be an integer, got {n!r}")
        if n <= 0:
            raise ValueError(f"{name}[{i}] must be a positive integer, got {n}")
    return [int(n) for n in sizes]


def check_batch_size(value: object, m: int) -> int:
    """Resolve a batch size: ``None`` means the full batch of ``m`` examples; else 1..m."""
    if value is None:
        return m
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"batch_size must be None or an integer, got {type(value).__name__}")
    size = int(value)
    if not 1 <= size <= m:
        raise ValueError(
            f"batch_size must be between 1 and the number of examples {m}, got {value}"
        )
    return size


def check_callable(name: str, value: object, *, optional: bool = False) -> Any:
    """Return ``value`` after checking it can be called (``None`` too if ``optional``)."""
    if value is None and optional:
        return None
    if not callable(value):
        expected = "None or a function" if optional else "a function"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    return cast(Callable[..., Any], value)


def check_flag(name: str, value: object) -> bool:
    """Return ``value`` as a bool after checking it is True or False (e.g. ``shuffle``)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_seed(value: object, name: str = "seed") -> int:
    """Return a random seed after checking it is a non-negative integer.

    ``None`` (an unreproducible seed), booleans, floats and strings are rejected, so that
    every result in the book can be reproduced from its seed.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value}")
    return int(value)


def check_choice(name: str, value: object, valid: Iterable[str]) -> str:
    """Return ``value`` if it is one of the strings in ``valid``; otherwise list the valid ones."""
    options = list(valid)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def check_choices(name: str, value: object, valid: Iterable[str]) -> list[str]:
    """Return a non-empty sequence of strings, each one of ``valid`` (a single string is not
    read as a sequence of characters)."""
    options = list(valid)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) == 0:
        raise ValueError(
            f"{name} must be a non-empty list of names from {', '.join(map(repr, options))}; "
            f"got {value!r}"
        )
    return [check_choice(f"each entry of {name}", item, options) for item in value]


def check_unit_interval(name: str, array: np.ndarray) -> np.ndarray:
    """Raise ``ValueError`` unless every entry lies in [0, 1] (targets for the log loss)."""
    if np.any((array < 0) | (array > 1)):
        raise ValueError(f"{name} must lie in [0, 1] for the log loss; found values outside")
    return array


def check_probability_rows(name: str, array: np.ndarray, *, atol: float = 1e-8) -> np.ndarray:
    """Raise ``ValueError`` unless every row is a probability vector (entries >= 0, sum 1)."""
    if np.any(array < 0) or not np.allclose(array.sum(axis=1), 1.0, atol=atol):
        raise ValueError(
            f"each row of {name} must be a probability vector (entries >= 0 summing to 1), "
            "e.g. a one-hot target, for the cross-entropy loss"
        )
    return array


def check_class_labels(
    name: str, value: ArrayLike, *, classes: Sequence[int] | int | None = None
) -> np.ndarray:
    """Return integer class labels as a 1-D int64 array.

    Parameters
    ----------
    name
        The argument's name, used in error messages.
    value
        The labels; floats are accepted only if they are whole numbers.
    classes
        ``None`` accepts any non-negative labels (how many classes there are is not
        checked: a subset of the data may hold a single class); an integer ``k`` requires
        labels in 0..k-1; a sequence requires labels drawn from it (e.g. ``(0, 1)``).
    """
    array = _as_float_array(name, value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got {array.ndim}-D with shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    check_finite(name, array)
    if not np.all(array == np.round(array)):
        raise ValueError(f"{name} must hold whole-number class labels, got non-integer values")
    labels = array.astype(np.int64)
    if isinstance(classes, numbers.Integral):
        if labels.min() < 0 or labels.max() >= classes:
            raise ValueError(f"{name} must be class labels in 0..{int(classes) - 1}")
    elif classes is not None:
        allowed = list(cast(Sequence[int], classes))  # not an integer: a sequence of labels
        if not np.all(np.isin(labels, allowed)):
            raise ValueError(f"{name} must only contain the labels {sorted(allowed)}")
    else:
        if labels.min() < 0:
            raise ValueError(f"{name} must be class labels 0..k-1, found a negative label")
    return labels
