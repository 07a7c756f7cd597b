"""Check a reader's *function* (implement the gradient, the update loop, ...) against the book's.

The reader's function is run on copies of seeded test inputs under a time limit
(:func:`~bpnotes.exercises.timeout.time_limit`: enforced in a Jupyter kernel on Linux and
macOS, not on Windows or in a browser). Whatever it does — raise, call ``sys.exit()``, loop
forever, return None, the wrong shape, a complex or NaN result — the check ends with a
verdict that says so. This is the part of the checking that needs numpy.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .checkers import check_array
from .timeout import CheckTimeout, time_limit
from .verdict import Reason, Verdict, right, wrong

__all__ = ["CALL_SECONDS", "ReaderFailure", "call_reader", "check_function"]

#: Seconds the reader's function may take on one test input.
CALL_SECONDS = 5.0


class ReaderFailure(Exception):
    """The reader's function did not return a usable result; ``reason`` and ``message`` say why."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_reader(function: Callable[..., Any], args: Sequence[Any], *,
                seconds: float | None = None, copy_args: bool = True) -> Any:
    """``function(*args)`` on deep copies of ``args`` (unless ``copy_args`` is false, e.g. for
    a random generator that must advance), within ``seconds`` (default :data:`CALL_SECONDS`).

    Raises
    ------
    ReaderFailure
        Reason ``timeout`` (still running after ``seconds``), ``exited`` (it called
        ``sys.exit()``) or ``raised`` (any other exception). A KeyboardInterrupt (the reader
        interrupting the kernel) is not caught.
    """
    seconds = CALL_SECONDS if seconds is None else seconds
    arguments = copy.deepcopy(list(args)) if copy_args else list(args)
    try:
        with time_limit(seconds), np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return function(*arguments)
    except CheckTimeout as exc:
        raise ReaderFailure(Reason.TIMEOUT, f"your function did not finish within {seconds:g} s "
                            "(an endless loop?)") from exc
    except SystemExit as exc:
        raise ReaderFailure(Reason.EXITED, "your function called sys.exit() (or exit()): return "
                            "the result instead") from exc
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the reader's code may raise anything
        raise ReaderFailure(Reason.RAISED, f"your function raised {type(exc).__name__}: "
                            f"{_short(str(exc))}") from exc


def check_function(
    candidate: Any,
    reference: Callable[..., Any],
    inputs: Sequence[tuple[Any, ...]],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    labels: Sequence[str] | None = None,
    name: str = "result",
    convert: Callable[[Any], Any] | None = None,
    seconds: float | None = None,
    entry_names: Callable[[tuple[int, ...]], Sequence[str]] | None = None,
) -> Verdict:
    """Run ``candidate`` and ``reference`` on every argument tuple in ``inputs`` and compare.

    Parameters
    ----------
    candidate
        The reader's function (anything else gets a ``type`` verdict).
    reference
        The book's function; its result is compared with :func:`check_array`.
    inputs
        Argument tuples; each function gets its own deep copy, so a candidate that modifies
        its inputs cannot corrupt the reference.
    labels
        A short description of each input (e.g. ``"m = 5 examples"``) for the messages.
    name
        What the result is, for the messages.
    convert
        Turns the reader's result into an array-like (e.g. a ``(w, b)`` pair into one
        vector); it may raise :class:`ReaderFailure` to say what is wrong with its shape.
    seconds
        Time limit per call of the candidate (default :data:`CALL_SECONDS`).
    entry_names
        Names the entries of the expected result of a given shape (e.g. ``∂J/∂w_1``,
        ``∂J/∂b``), so that a wrong entry is named by what it is, not by its index.

    Returns
    -------
    Verdict
        The first input on which the candidate fails, and how (``raised``, ``exited``,
        ``timeout``, ``shape``, ``type``, ``not-finite`` or a wrong entry), or right.
    """
    if not callable(candidate):
        return wrong(f"a function is asked, got {type(candidate).__name__}.", Reason.TYPE)
    if labels is not None and len(labels) != len(inputs):
        raise ValueError(f"labels must have one entry per input ({len(inputs)}), got {len(labels)}")
    for number, args in enumerate(inputs, start=1):
        where = f"test input {number} of {len(inputs)}"
        if labels is not None:
            where += f" ({labels[number - 1]})"
        expected = reference(*copy.deepcopy(args))
        try:
            got = call_reader(candidate, args, seconds=seconds)
            if convert is not None:
                got = _converted(convert, got)
        except ReaderFailure as failure:
            return wrong(f"On {where} {failure.message}.", failure.reason)
        if isinstance(got, str | bytes):  # text from a function is not read as a formula
            return wrong(f"On {where} your function returned text, not numbers.", Reason.TYPE)
        if isinstance(got, np.ndarray) and got.shape != np.shape(expected):
            # Said before check_array reads the entries one by one: a huge array of the
            # wrong shape (np.ones(10**7)) gets its verdict at once.
            return wrong(f"On {where}: the {name} has shape {got.shape}; expected shape "
                         f"{np.shape(expected)}.", Reason.SHAPE)
        names = entry_names(np.shape(expected)) if entry_names is not None else None
        verdict = check_array(got, expected, rtol=rtol, atol=atol, name=name, entry_names=names)
        if not verdict:
            return wrong(f"On {where}: {verdict.message}", verdict.reason)
    return right(f"Your function matches the book's on all {len(inputs)} test inputs.")


def _converted(convert: Callable[[Any], Any], result: Any) -> Any:
    """``convert(result)``; a result it cannot handle is the reader's problem, said as such."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return convert(result)
    except ReaderFailure:
        raise
    except Exception as exc:  # e.g. a result numpy cannot turn into an array
        raise ReaderFailure(Reason.TYPE, f"your function's result could not be read "
                            f"({type(exc).__name__}: {_short(str(exc))})") from exc
