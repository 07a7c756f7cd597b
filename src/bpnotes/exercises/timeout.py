"""A time limit for a check, so that no answer can make a checker hang.

:func:`time_limit` raises :class:`CheckTimeout` in the running code once the time is up. It
uses the POSIX interval timer (``signal.setitimer`` with ``SIGALRM``), which works in the
main thread of a Python process on Linux and macOS — where a Jupyter kernel runs the
reader's cells — and interrupts pure-Python code such as an endless ``while True:`` loop.
It cannot interrupt a single long call into compiled code (one huge numpy operation) until
that call returns.

Elsewhere — on Windows, in a thread other than the main one, or in a browser's Python
(Pyodide), where there are no such signals — no limit is enforced and the code runs to its
end; the checkers' size limits on formulas (:mod:`bpnotes.exercises.parsing`) still apply.

:class:`CheckTimeout` derives from ``BaseException``, so a reader's ``except Exception:``
does not swallow it; the timer keeps firing every 50 ms until the limit is left, so a loop
that catches it once is interrupted again.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["CheckTimeout", "can_limit_time", "time_limit"]

_REPEAT = 0.05


class CheckTimeout(BaseException):
    """The time allowed for a check ran out."""


def can_limit_time() -> bool:
    """Whether :func:`time_limit` can enforce a limit here (POSIX, main thread, not Pyodide)."""
    return (hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
            and sys.platform != "emscripten"
            and threading.current_thread() is threading.main_thread())


class _State:
    armed = False


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`CheckTimeout` in the body once ``seconds`` have passed (see the module
    docstring for where this works). Nested limits are allowed: an enclosing limit that ends
    sooner stays in charge, and an enclosing one is restored afterwards."""
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}")
    if not can_limit_time():
        yield
        return
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_delay and outer_delay <= seconds:
        yield  # an enclosing limit ends first and stays in charge
        return
    state = _State()

    def expire(signum: int, frame: FrameType | None) -> None:
        if state.armed:
            raise CheckTimeout(f"time limit of {seconds:g} s reached")

    try:
        outer_handler = signal.signal(signal.SIGALRM, expire)
    except (OSError, ValueError):  # signals unavailable after all: run without a limit
        yield
        return
    started = time.monotonic()
    state.armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    try:
        yield
    finally:
        while True:  # a last alarm may arrive while disarming: disarm again
            try:
                state.armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except CheckTimeout:
                continue
        signal.signal(signal.SIGALRM, signal.SIG_DFL if outer_handler is None else outer_handler)
        if outer_delay:
            remaining = max(outer_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, outer_interval)
