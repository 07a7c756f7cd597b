"""One entry point for every exercise of the book: ``check(label, *answers)``.

Each chapter's module ``bpnotes.exercises.<stem>`` declares its checks with the
:func:`exercise` decorator, under the exercise's MyST label (``"ex-calc-derivative"``; a part
of a multi-part exercise is ``"label:part"``, e.g. ``"ex-bp-find-bug:update"``). A chapter
module is imported only when one of its labels is checked (or when :func:`exercises` lists
them all), and every chapter module imports numpy only inside its function checkers: so
:func:`check` of a formula, number, choice or array exercise runs with sympy and the
standard library alone (in the reader's browser, for instance).

:func:`describe` tells what kind of answer a label takes — ``"formula"`` (with the symbol
and function names allowed), ``"number"``, ``"choice"`` (with the options), ``"array"``
(with the shape) or ``"function"`` — so that an answer box can be generated for it.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .parsing import FUNCTIONS
from .timeout import CheckTimeout, time_limit
from .verdict import Reason, Verdict, sentence_start, wrong

__all__ = ["CHAPTERS", "KINDS", "Exercise", "check", "describe", "exercise", "exercises"]

Kind = Literal["formula", "number", "choice", "array", "function"]
KINDS: tuple[Kind, ...] = ("formula", "number", "choice", "array", "function")

#: The chapter module of each label prefix, in the book's order.
CHAPTERS: tuple[tuple[str, str], ...] = (
    ("ex-intro-", "intro"),
    ("ex-notation-", "notation"),
    ("ex-calc-", "calculus"),
    ("ex-lin-", "linear"),
    ("ex-log-", "logistic"),
    ("ex-softmax-", "logistic"),
    ("ex-bp-", "backprop"),
    ("ex-vd-", "vanishing"),
    ("ex-ad-", "autodiff"),
    ("ex-cap-", "capstone"),
)

#: Seconds a whole check may take: answers typed by hand, and functions the reader wrote
#: (each call of which has its own, shorter limit in :mod:`bpnotes.exercises.functions`).
SECONDS = 10.0
FUNCTION_SECONDS = 120.0


@dataclass(frozen=True)
class Exercise:
    """A registered exercise (or part): its label, the kind of answer and its checker."""

    label: str
    kind: Kind
    checker: Callable[[Any], Verdict]
    prompt: str
    symbols: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()

    def description(self) -> dict[str, Any]:
        """The JSON-ready description :func:`describe` returns."""
        return {
            "label": self.label,
            "kind": self.kind,
            "prompt": self.prompt,
            "symbols": list(self.symbols),
            "functions": sorted(FUNCTIONS) if self.kind == "formula" else [],
            "options": list(self.options),
            "shape": list(self.shape),
        }


_REGISTRY: dict[str, Exercise] = {}


def exercise(
    label: str,
    kind: Kind,
    *,
    prompt: str,
    symbols: Sequence[str] = (),
    options: Sequence[str] = (),
    shape: Sequence[int] = (),
) -> Callable[[Callable[[Any], Verdict]], Callable[[Any], Verdict]]:
    """Register the decorated function as the checker of ``label``.

    Parameters
    ----------
    label
        The exercise's MyST label, ``"label:part"`` for a part.
    kind
        One of :data:`KINDS`.
    prompt
        What to enter, in a few words (e.g. ``"∂J/∂w1, a formula in w1 and w2"``).
    symbols
        For a formula: the names it may use.
    options
        For a choice: the options, as the reader types them.
    shape
        For an array: its shape.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "choice" and not options:
        raise ValueError(f"{label}: a choice needs its options")

    def register(checker: Callable[[Any], Verdict]) -> Callable[[Any], Verdict]:
        _REGISTRY[label] = Exercise(label, kind, checker, prompt, tuple(symbols),
                                    tuple(str(o) for o in options), tuple(shape))
        return checker

    return register


def _chapter(label: str) -> str | None:
    for prefix, stem in CHAPTERS:
        if label.startswith(prefix):
            return stem
    return None


def _load(stem: str) -> None:
    try:
        importlib.import_module(f"{__package__}.{stem}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.{stem}":
            raise  # a chapter module that exists but fails to import is a bug


def exercises() -> list[str]:
    """The labels of every exercise that has a checker, in the book's order.

    A part of a multi-part exercise is listed as ``"label:part"``.
    """
    order: dict[str, int] = {}
    for index, (_, stem) in enumerate(CHAPTERS):
        order.setdefault(stem, index)
        _load(stem)
    position = {label: n for n, label in enumerate(_REGISTRY)}

    def book_order(label: str) -> tuple[int, int]:
        stem = _chapter(label)
        return (order.get(stem, len(CHAPTERS)) if stem else len(CHAPTERS), position[label])

    return sorted(_REGISTRY, key=book_order)


def _lookup(label: object) -> tuple[Exercise | None, list[Exercise]]:
    """The exercise registered as ``label``, or else the parts of the exercise ``label``."""
    if not isinstance(label, str):
        raise TypeError("label must be an exercise label such as 'ex-calc-derivative', got "
                        f"{type(label).__name__}")
    stem = _chapter(label)
    if stem is not None:
        _load(stem)
    if label in _REGISTRY:
        return _REGISTRY[label], []
    parts = [ex for name, ex in _REGISTRY.items() if name.startswith(label + ":")]
    if not parts:
        labels = exercises()
        guess = _closest(label, labels)
        quoted = [repr(name) for name in guess]
        hint = (f"; did you mean {', '.join(quoted[:-1])}{' or ' * (len(quoted) > 1)}"
                f"{quoted[-1]}? The labels are: " if guess else "; the labels are: ")
        raise ValueError(f"no exercise with a checker is labelled {label!r}{hint}"
                         + ", ".join(labels))
    return None, parts


def _closest(label: str, labels: Sequence[str]) -> list[str]:
    """The labels (whole exercises and parts) closest to a mistyped ``label``, best first:
    the same label up to case and spaces, else the nearest spellings."""
    candidates = list(dict.fromkeys([name.split(":", 1)[0] for name in labels] + list(labels)))
    typed = "".join(label.split()).lower()
    same = [name for name in candidates if name.lower() == typed]
    if same:
        return same[:1]
    return difflib.get_close_matches(typed, candidates, n=3, cutoff=0.75)


def describe(label: str) -> dict[str, Any]:
    """What kind of answer the exercise ``label`` takes, as a JSON-ready dict.

    Returns
    -------
    dict
        ``label``; ``kind`` (``"formula"``, ``"number"``, ``"choice"``, ``"array"`` or
        ``"function"``); ``prompt`` (what to enter, in a few words); ``symbols`` (the names a
        formula may use) and ``functions`` (the functions it may call); ``options`` (of a
        choice); ``shape`` (of an array). Lists are empty where they do not apply. For the
        label of a multi-part exercise, ``kind`` is ``"parts"`` and ``parts`` lists the
        descriptions of its parts.

    Raises
    ------
    ValueError
        For a label without a checker (the message lists the valid labels).
    """
    registered, parts = _lookup(label)
    if registered is not None:
        return registered.description()
    return {"label": label, "kind": "parts", "parts": [p.description() for p in parts]}


def _run(registered: Exercise, answer: Any) -> Verdict:
    seconds = FUNCTION_SECONDS if registered.kind == "function" else SECONDS
    try:
        with time_limit(seconds):
            return registered.checker(answer)
    except CheckTimeout:
        return wrong(f"checking this answer took longer than {seconds:g} s, so it was stopped; "
                     "write it more simply.", Reason.TIMEOUT)
    except (RecursionError, MemoryError):
        return wrong("this answer is too large or too deeply nested to check; write it more "
                     "simply.", Reason.LIMIT)


def _unpacked(answer: Any, count: int) -> tuple[Any, ...]:
    """One answer holding all parts (a list, a tuple, a sympy or numpy vector of ``count``
    entries, such as the gradient (∂J/∂w1, ∂J/∂w2) as a sympy column) as one answer per part."""
    if isinstance(answer, list | tuple):
        entries = list(answer)
    elif hasattr(answer, "tolist") and not isinstance(answer, str):
        try:
            entries = answer.tolist()
        except Exception:  # a reader's object with a broken tolist(): not unpacked
            return (answer,)
        if isinstance(entries, list) and all(isinstance(e, list) for e in entries):
            entries = [e for row in entries for e in row]  # a row or column vector
    else:
        return (answer,)
    return tuple(entries) if isinstance(entries, list) and len(entries) == count else (answer,)


def check(label: str, *answers: Any) -> Verdict:
    """Check the answer to the exercise ``label``.

    Parameters
    ----------
    label
        The exercise's label, e.g. ``"ex-calc-derivative"``, or a part such as
        ``"ex-calc-partials:w1"``. The label of a multi-part exercise takes one answer per
        part, in the order of :func:`exercises` (or one list or vector holding them all).
    *answers
        The answer: a formula (text such as ``"2*x - 1"`` or a sympy expression), a number
        (or text such as ``"1/4"``), an option's name, an array, or a function, as the
        exercise asks.

    Returns
    -------
    Verdict
        ``.correct`` and a message (``str(verdict)``) saying what is right or wrong, never
        the solution; ``.reason`` classifies it. Every answer gets a verdict: text is parsed,
        never executed, and every check has a time limit (see
        :mod:`bpnotes.exercises.timeout` for where it is enforced).

    Raises
    ------
    ValueError
        If no exercise has this label (the message lists the valid labels).
    TypeError
        If ``label`` is not a string.
    """
    registered, parts = _lookup(label)
    if registered is not None:
        if len(answers) != 1:
            return wrong(f"the exercise {label} takes one answer; got {len(answers)}.",
                         Reason.PARTS)
        return _run(registered, answers[0])
    names = ", ".join(p.label for p in parts)
    if len(answers) == 1 and len(parts) > 1:
        answers = _unpacked(answers[0], len(parts))
    if len(answers) != len(parts):
        return wrong(f"the exercise {label} has {len(parts)} parts ({names}): give one answer "
                     "per part, in that order, or check one part at a time; got "
                     f"{len(answers)} answer(s).", Reason.PARTS)
    verdicts = [_run(part, answer) for part, answer in zip(parts, answers, strict=True)]
    message = " ".join(f"[{p.label.split(':')[-1]}] {'✔' if v.correct else '✘'} "
                       f"{sentence_start(v.message)}"
                       for p, v in zip(parts, verdicts, strict=True))
    failed = [v for v in verdicts if not v.correct]
    if not failed:
        return Verdict(True, message, Reason.CORRECT, tuple(v.solution for v in verdicts))
    return Verdict(False, message, failed[0].reason, tuple(v.solution for v in verdicts))
