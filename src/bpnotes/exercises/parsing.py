"""Read a reader's answer without running it: formulas, numbers and small arrays.

A formula typed as text is parsed by Python's :mod:`ast` (which only builds a syntax tree
and executes nothing), every node is checked against a whitelist — numbers, the names of
the exercise's symbols, ``+ - * / **`` (``^`` is read as ``**``), unary minus, and calls of
a few mathematical functions — and the sympy expression is built from the tree by hand.
Nothing in the reader's text is ever evaluated by Python or handed to ``sympify`` (which
would evaluate it). Limits on the text's length, the tree's size and depth and the size of
exponents keep every answer cheap to check (``9**9**9**9`` and ``(x+1)**2000`` are refused).

Sympy objects a reader builds in a notebook go through the same whitelist
(:func:`read_expression`): an unevaluated ``Integral`` or a ``Matrix`` where a formula is
asked is refused with a message, not a crash.

Problems with an answer raise :class:`AnswerError`, which carries a
:class:`~bpnotes.exercises.verdict.Reason`; the checkers turn it into a verdict. Only sympy
and the standard library are imported here (the numpy-free checking path).
"""

from __future__ import annotations

import ast
import math
import numbers
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from .evaluation import guarded_value
from .verdict import Reason

__all__ = [
    "FUNCTIONS",
    "MAX_EXPONENT",
    "AnswerError",
    "parse_formula",
    "read_array",
    "read_expression",
    "read_number",
    "sigmoid",
]

#: The longest answer text read, in characters.
MAX_LENGTH = 1000
#: The most syntax-tree nodes (numbers, names, operations) an answer may have.
MAX_NODES = 400
#: The deepest nesting of operations and brackets.
MAX_DEPTH = 60
#: The largest numeric exponent of a power whose base contains a symbol.
MAX_EXPONENT = 30
#: The most decimal digits of a number built from powers of numbers.
MAX_DIGITS = 400


class AnswerError(Exception):
    """An answer that cannot be checked, and why: ``reason`` and a ``message`` for the reader."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def sigmoid(z: sp.Expr) -> sp.Expr:
    """σ(z) = 1/(1 + e^{−z}), what ``sigma(...)`` in an answer means."""
    return 1 / (1 + sp.exp(-z))


#: The functions an answer may call, by name: one argument each.
FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "sin": sp.sin,
    "cos": sp.cos,
    "abs": sp.Abs,
    "sigma": sigmoid,
    "sigmoid": sigmoid,
}
_SYMPY_FUNCTIONS = (sp.exp, sp.log, sp.tanh, sp.sin, sp.cos, sp.Abs)
_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}

# Characters a reader may paste from the page, and what they mean in an answer.
_TRANSLATIONS = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "²": "**2",
                 "³": "**3", "η": "eta", "μ": "mu", "λ": "lam", "σ": "sigma", "δ": "delta",
                 "π": "pi", "½": "(1/2)", "¼": "(1/4)", "¾": "(3/4)", "⅓": "(1/3)",
                 "⅔": "(2/3)"}

_NODE_NAMES = {
    ast.Attribute: "attribute access (a dot after a name, as in p.foo)",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "lambda functions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons (<, >, ==)",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.JoinedStr: "strings",
    ast.NamedExpr: "assignments (:=)",
    ast.Starred: "starred expressions",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}
_OPERATOR_NAMES = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^",
                   ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}


def _allowed(symbols: Mapping[str, sp.Symbol], functions: Mapping[str, Any]) -> str:
    names = ", ".join(sorted(symbols)) or "none"
    return (f"use numbers, the symbols {names}, + - * / ** (or ^), brackets and the functions "
            f"{', '.join(sorted(functions))}")


def _normalise(text: str) -> str:
    for old, new in _TRANSLATIONS.items():
        text = text.replace(old, new)
    return text.strip().replace("^", "**")


def _syntax_message(text: str) -> str:
    opened, closed = text.count("(") + text.count("["), text.count(")") + text.count("]")
    if opened != closed:
        return (f"the brackets are unbalanced ({opened} opening, {closed} closing)")
    if re.search(r"(?<![\w.])\d+(\.\d*)?\s*[A-Za-z_(]", text):
        return "write products with *, as in 2*x (not 2x)"
    if re.search(r"[-+*/]\s*$", text):
        return "the formula ends with an operator: something is missing after it"
    return ("it could not be read as a formula: write products with *, powers with ** (or ^), "
            "and use round brackets")


def _lambda_as_name(text: str, symbols: Mapping[str, sp.Symbol]) -> str:
    """``text`` with the word ``lambda``, where it names λ (``1/lambda``), read as ``lam``.

    ``lambda`` is a Python keyword, so ``ast`` cannot read it as a name; a text that is not
    Python with it (``1/lambda``) but is meant as λ becomes ``1/lam`` when the exercise's
    symbol for λ is ``lam``, and is refused with the available symbols otherwise. A real
    lambda expression (``lambda: 1``) is left to the whitelist, which refuses it.
    """
    if not re.search(r"\blambda\b", text):
        return text
    try:
        ast.parse(text, mode="eval")
        return text
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        pass
    if "lam" not in symbols:
        known = ", ".join(sorted(symbols)) or "none: a number is asked"
        raise AnswerError(Reason.SYMBOL, "the name lambda is not part of this exercise (the "
                          f"symbols available are: {known})")
    return re.sub(r"\blambda\b", "lam", text)


def parse_formula(
    text: str,
    symbols: Mapping[str, sp.Symbol],
    *,
    functions: Mapping[str, Callable[[sp.Expr], sp.Expr]] | None = None,
    sequences: bool = False,
) -> Any:
    """Build the sympy expression that ``text`` writes, executing nothing.

    Parameters
    ----------
    text
        The reader's answer, e.g. ``"2*x*(x - t)"`` or ``"a5*(1 - a5)"``.
    symbols
        The names the answer may use, with their sympy symbols.
    functions
        The functions it may call (default :data:`FUNCTIONS`).
    sequences
        Also read ``[...]``/``(...)`` lists of entries (an array answer); the result is
        then a nested list.

    Returns
    -------
    sympy.Expr or list
        The expression (evaluated by sympy's own arithmetic, e.g. ``1/4`` is ``Rational(1, 4)``;
        a decimal such as ``0.25`` is read exactly, as ``1/4``).

    Raises
    ------
    AnswerError
        With reason ``parse`` (unreadable, a construct that is not allowed), ``symbol`` (an
        unknown name), ``type`` (a complex number, True/False, a string), ``limit`` (too
        long, too deep, too large an exponent) or ``not-finite``.
    """
    functions = FUNCTIONS if functions is None else functions
    if not isinstance(text, str):
        raise AnswerError(Reason.TYPE, f"a formula must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerError(Reason.LIMIT, f"the answer is longer than {MAX_LENGTH} characters")
    text = _normalise(text)
    if not text:
        raise AnswerError(Reason.PARSE, "the answer is empty")
    text = _lambda_as_name(text, symbols)
    if "=" in text and not re.search(r"[<>!]=", text):
        raise AnswerError(Reason.PARSE, "that is an assignment or an equation (it has =): give "
                          "only the expression, e.g. for w = w - eta*g write w - eta*g")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, OverflowError) as exc:
        if "nested" in str(exc):  # the parser's own limit on brackets
            raise AnswerError(Reason.LIMIT, "the answer is nested too deeply") from exc
        raise AnswerError(Reason.PARSE, _syntax_message(text)) from exc
    except (RecursionError, MemoryError) as exc:
        raise AnswerError(Reason.LIMIT, "the answer is nested too deeply") from exc
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise AnswerError(Reason.LIMIT, f"the answer has more than {MAX_NODES} parts; write it "
                          "more simply")
    return _Builder(symbols, functions, sequences).build(tree.body, 0)


class _Builder:
    """Turns a whitelisted syntax tree into a sympy expression, node by node."""

    def __init__(self, symbols: Mapping[str, sp.Symbol],
                 functions: Mapping[str, Callable[[sp.Expr], sp.Expr]], sequences: bool) -> None:
        self.symbols = symbols
        self.functions = functions
        self.sequences = sequences

    def refuse(self, what: str) -> AnswerError:
        return AnswerError(Reason.PARSE, f"{what} not allowed in an answer: "
                           + _allowed(self.symbols, self.functions))

    def build(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise AnswerError(Reason.LIMIT, "the answer is nested too deeply")
        if isinstance(node, ast.Constant):
            return _constant(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise self.refuse("the operators not and ~ are")
            operand = self.build(node.operand, depth + 1)
            _scalar(operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.List | ast.Tuple) and self.sequences:
            return [self.build(item, depth + 1) for item in node.elts]
        if isinstance(node, ast.List | ast.Tuple):
            raise AnswerError(Reason.TYPE, "a list of several values is not a single formula; "
                              "give one expression")
        for kind, name in _NODE_NAMES.items():
            if isinstance(node, kind):
                raise self.refuse(f"{name} are" if name.endswith("s") else f"{name} is")
        raise self.refuse(f"{type(node).__name__} is")

    def name(self, name: str) -> sp.Expr:
        if name in self.symbols:
            return self.symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in self.functions:
            raise AnswerError(Reason.PARSE, f"the name {name} is a function: apply it to "
                              f"something, as in {name}(...)")
        if name in ("None", "True", "False"):  # (constants in Python 3, but just in case)
            raise AnswerError(Reason.TYPE, f"the name {name} is not a number or a formula")
        known = ", ".join(sorted(self.symbols)) or "none: a number is asked"
        raise AnswerError(Reason.SYMBOL, f"the name {name} is not part of this exercise (the "
                          f"symbols available are: {known})")

    def binary(self, node: ast.BinOp, depth: int) -> sp.Expr:
        operator = type(node.op)
        if operator in _OPERATOR_NAMES:
            raise self.refuse(f"the operator {_OPERATOR_NAMES[operator]} is")
        left = _scalar(self.build(node.left, depth + 1))
        right = _scalar(self.build(node.right, depth + 1))
        if operator is ast.Add:
            return left + right
        if operator is ast.Sub:
            return left - right
        if operator is ast.Mult:
            return left * right
        if operator is ast.Div:
            return left / right
        if operator is ast.Pow:
            return power(left, right)
        raise self.refuse(f"the operator {operator.__name__} is")  # pragma: no cover

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if isinstance(node.func, ast.BinOp | ast.UnaryOp | ast.Constant | ast.Call):
            # (o - y)(1 - o**2), 2(x + 1), sin(x)(1 - x): a product written without *
            shown = ast.unparse(node.func)
            if not isinstance(node.func, ast.Constant | ast.Call):
                shown = f"({shown})"
            if len(shown) > 40:
                shown = "(...)"
            raise AnswerError(Reason.PARSE, f"writing {shown}(...) calls {shown} like a "
                              f"function; to multiply, write {shown}*(...)")
        if not isinstance(node.func, ast.Name):
            raise self.refuse("calling something that is not a function name is")
        name = node.func.id
        if name in self.symbols:
            raise AnswerError(Reason.PARSE, f"writing {name}(...) calls {name} like a "
                              f"function; to multiply, write {name}*(...)")
        if name not in self.functions:
            raise AnswerError(Reason.PARSE, f"the function in {name}(...) is not one of those "
                              f"allowed ({', '.join(sorted(self.functions))})")
        if node.keywords or len(node.args) != 1:
            raise AnswerError(Reason.PARSE, f"the function in {name}(...) takes exactly one "
                              "argument")
        argument = _scalar(self.build(node.args[0], depth + 1))
        return self.functions[name](argument)


def _constant(value: object) -> sp.Expr:
    if isinstance(value, bool) or value is None:
        raise AnswerError(Reason.TYPE, f"the value {value} is not a number or a formula")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AnswerError(Reason.NOT_FINITE, "the answer contains an infinite number")
        return sp.Rational(repr(value))  # the decimal as typed, exactly: 0.1 is 1/10
    if isinstance(value, complex):
        raise AnswerError(Reason.TYPE, "complex numbers (such as 1j) are not allowed: the "
                          "answer is real")
    if isinstance(value, str | bytes):
        raise AnswerError(Reason.TYPE, "a string inside the answer is not a number or a "
                          "formula; remove the inner quotes")
    raise AnswerError(Reason.PARSE, f"{value!r} is not a number")


def _scalar(value: Any) -> sp.Expr:
    if isinstance(value, list):
        raise AnswerError(Reason.TYPE, "a list cannot be part of a formula")
    return value


def _digits(base: sp.Expr, exponent: sp.Expr) -> float:
    """Rough number of decimal digits of base**exponent for numbers (inf if unknown)."""
    try:
        magnitude = abs(complex(sp.N(base, 15)))
        size = abs(float(exponent))
    except (TypeError, ValueError, OverflowError):
        return math.inf
    if magnitude == 0 or magnitude == 1:
        return 0.0
    return size * abs(math.log10(magnitude))


def power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """``base**exponent``, refused when the result would be too large to check."""
    if exponent.is_number:
        if base.free_symbols:
            try:
                size = abs(float(exponent))
            except (TypeError, ValueError, OverflowError):
                size = math.inf
            if size > MAX_EXPONENT:
                raise AnswerError(Reason.LIMIT, f"exponents larger than {MAX_EXPONENT} are not "
                                  "needed in this book's answers")
        elif base.is_number and _digits(base, exponent) > MAX_DIGITS:
            raise AnswerError(Reason.LIMIT, f"that power is a number with more than "
                              f"{MAX_DIGITS} digits, too large to be an answer here")
    return sp.Pow(base, exponent)


# ------------------------------------------------------------------ sympy objects
def read_expression(
    answer: Any,
    symbols: Mapping[str, sp.Symbol],
    *,
    functions: Mapping[str, Callable[[sp.Expr], sp.Expr]] | None = None,
) -> sp.Expr:
    """The reader's formula — text, a sympy expression or a plain number — as a checked
    sympy expression in the exercise's own ``symbols``.

    Symbols the reader created (``sp.Symbol("y")``, whatever its assumptions) are the
    exercise's symbols of the same name; an undefined function ``sigma(...)`` is the sigmoid.

    Raises
    ------
    AnswerError
        As :func:`parse_formula`; also for None, a Matrix, an equation, an unevaluated
        Integral or Derivative, or a symbol that is not part of the exercise.
    """
    functions = FUNCTIONS if functions is None else functions
    if isinstance(answer, str):
        return _finite(parse_formula(answer, symbols, functions=functions))
    if answer is None:
        raise AnswerError(Reason.TYPE, "there is no answer (None): replace the guess by your "
                          "formula, as text such as \"2*x\" or a sympy expression")
    if _is_bool(answer):
        raise AnswerError(Reason.TYPE, "True/False is not a formula")
    if isinstance(answer, sp.MatrixBase):
        raise AnswerError(Reason.TYPE, "that is a matrix; give a single formula")
    if not isinstance(answer, sp.Basic):
        if isinstance(answer, numbers.Real | Decimal):
            return _number_expression(answer)
        if isinstance(answer, numbers.Number):
            raise AnswerError(Reason.TYPE, "complex numbers are not allowed: the answer is real")
        raise AnswerError(Reason.TYPE, "a formula is asked: give it as text such as \"2*x\" "
                          f"or as a sympy expression, not a {type(answer).__name__}")
    if isinstance(answer, sp.logic.boolalg.Boolean) and not isinstance(answer, sp.Expr):
        raise AnswerError(Reason.TYPE, "that is an equation or a condition; give only the "
                          "expression")
    if not isinstance(answer, sp.Expr):
        raise AnswerError(Reason.TYPE, f"a single formula is asked, got a sympy "
                          f"{type(answer).__name__}")
    return _finite(_checked_sympy(answer, symbols, functions))


def _finite(expr: Any) -> Any:
    if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise AnswerError(Reason.NOT_FINITE, "the formula is infinite or undefined (a division "
                          "by zero, or the log of 0?)")
    return expr


def _number_expression(answer: Any) -> sp.Expr:
    value = float(answer)
    if not math.isfinite(value):
        raise AnswerError(Reason.NOT_FINITE, f"the answer must be finite, got {value}")
    if isinstance(answer, numbers.Integral):
        return sp.Integer(int(answer))
    return sp.Rational(repr(value))


def _checked_sympy(expr: sp.Expr, symbols: Mapping[str, sp.Symbol],
                   functions: Mapping[str, Callable[[sp.Expr], sp.Expr]]) -> sp.Expr:
    count = 0
    undefined: set[Any] = set()
    for node in sp.preorder_traversal(expr):
        count += 1
        if count > 4 * MAX_NODES:
            raise AnswerError(Reason.LIMIT, "the formula is too large; write it more simply")
        if isinstance(node, sp.Symbol):
            if node.name not in symbols:
                known = ", ".join(sorted(symbols)) or "none: a number is asked"
                raise AnswerError(Reason.SYMBOL, f"the symbol {node.name} is not part of this "
                                  f"exercise (the symbols available are: {known})")
        elif node.is_Number or isinstance(node, sp.core.numbers.NumberSymbol):
            if node in (sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise AnswerError(Reason.NOT_FINITE, "the formula is infinite or undefined "
                                  "(a division by zero?)")
        elif node is sp.I:
            raise AnswerError(Reason.TYPE, "complex numbers are not allowed: the answer is real")
        elif isinstance(node, sp.Pow):
            power(node.base, node.exp)
        elif isinstance(node, AppliedUndef):
            name = type(node).__name__
            if name not in functions or len(node.args) != 1:
                raise AnswerError(Reason.TYPE, f"the function {name}(...) is not defined here "
                                  f"(available: {', '.join(sorted(functions))})")
            undefined.add(node)
        elif not isinstance(node, (sp.Add, sp.Mul, *_SYMPY_FUNCTIONS)):
            raise AnswerError(Reason.TYPE, f"an unevaluated {type(node).__name__}(...) is not "
                              "allowed in an answer: evaluate it first (e.g. with .doit()) or "
                              "write the formula it stands for")
    rename = {s: symbols[s.name] for s in expr.free_symbols
              if isinstance(s, sp.Symbol) and symbols[s.name] != s}
    expr = expr.xreplace(rename) if rename else expr
    if undefined:
        expr = expr.replace(lambda e: isinstance(e, AppliedUndef),
                            lambda e: functions[type(e).__name__](e.args[0]))
    return expr


# ------------------------------------------------------------------ numbers and arrays
def _is_bool(value: object) -> bool:
    return isinstance(value, bool) or type(value).__name__ in ("bool_", "bool")


def _sympy_number(expr: sp.Expr) -> float:
    if expr.free_symbols:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols))
        raise AnswerError(Reason.TYPE, f"a number is asked, but the answer contains {names}")
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise AnswerError(Reason.NOT_FINITE, "the answer is infinite or undefined (a division "
                          "by zero?)")
    try:
        guarded_value(expr)  # OverflowError, at once, for what is too large to compute
        value = complex(sp.N(expr, 30))
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise AnswerError(Reason.NOT_FINITE, "the answer could not be evaluated to a finite "
                          "number (or is too large to compute)") from exc
    real, imaginary = value.real, value.imag
    if abs(imaginary) > 1e-12 * max(1.0, abs(real)):
        raise AnswerError(Reason.TYPE, "the answer is a complex number; a real number is asked")
    if not math.isfinite(real):
        raise AnswerError(Reason.NOT_FINITE, "the answer must be a finite number")
    return real


def read_number(answer: Any) -> float:
    """The reader's answer as a finite real number.

    Accepted: ints and floats (also numpy's and sympy's), fractions, and text such as
    ``"0.25"``, ``"1/4"``, ``"-0.106"``, ``"2e-3"`` or ``"log(9)"`` (read by
    :func:`parse_formula`, so nothing is executed).

    Raises
    ------
    AnswerError
        For None, True/False, complex numbers, text that is not a number, a formula with
        symbols, lists and arrays, NaN and infinities.
    """
    if answer is None:
        raise AnswerError(Reason.TYPE, "there is no answer (None): give a number")
    if _is_bool(answer):
        raise AnswerError(Reason.TYPE, "True/False is not a number: give a number")
    if isinstance(answer, str):
        return _sympy_number(parse_formula(answer, {}))
    if isinstance(answer, sp.MatrixBase):
        raise AnswerError(Reason.TYPE, "that is a matrix; a single number is asked")
    if isinstance(answer, sp.Basic):
        return _sympy_number(read_expression(answer, {}))
    if isinstance(answer, numbers.Integral):
        try:
            value = float(int(answer))
        except OverflowError as exc:
            raise AnswerError(Reason.NOT_FINITE, "the number is too large") from exc
    elif isinstance(answer, numbers.Real | Decimal):
        value = float(answer)
    elif isinstance(answer, numbers.Number):
        raise AnswerError(Reason.TYPE, "the answer is a complex number; a real number is asked")
    elif getattr(answer, "shape", None) == () and hasattr(answer, "item"):
        return read_number(answer.item())  # a 0-d array holding one number
    else:
        raise AnswerError(Reason.TYPE, f"a number is asked, got a {type(answer).__name__}")
    if not math.isfinite(value):
        raise AnswerError(Reason.NOT_FINITE, f"the answer must be a finite number, got {value}")
    return value


def read_array(answer: Any, *, name: str = "array") -> tuple[tuple[int, ...], list[Any]]:
    """The reader's array as (shape, flat list of entries), without numpy.

    Accepted: nested lists or tuples, numpy arrays and sympy matrices (anything with
    ``tolist()``), and text such as ``"[[1, 2], [3, 4]]"`` or ``"1, -3"``. Entries are
    returned as given; :func:`read_number` reads each one.

    Raises
    ------
    AnswerError
        For None, a ragged nesting, or text that does not parse.
    """
    if answer is None:
        raise AnswerError(Reason.TYPE, f"the {name} is None: did you forget to return it?")
    if isinstance(answer, str):
        answer = parse_formula(answer, {}, sequences=True)
    elif isinstance(answer, sp.MatrixBase) or (hasattr(answer, "tolist")
                                               and not isinstance(answer, sp.Basic)):
        try:
            answer = answer.tolist()
        except Exception as exc:  # a reader's object with a broken tolist()
            raise AnswerError(Reason.TYPE, f"the {name} could not be read as an array") from exc
    return _shape_and_entries(answer, name)


def _shape_and_entries(value: Any, name: str) -> tuple[tuple[int, ...], list[Any]]:
    if isinstance(value, list | tuple):
        parts = [_shape_and_entries(item, name) for item in value]
        shapes = {shape for shape, _ in parts}
        if len(shapes) > 1:
            raise AnswerError(Reason.SHAPE, f"the {name} is ragged: its rows have different "
                              "lengths")
        inner = shapes.pop() if shapes else ()
        return (len(value), *inner), [entry for _, entries in parts for entry in entries]
    if hasattr(value, "tolist") and not isinstance(value, sp.Basic | str):
        return _shape_and_entries(value.tolist(), name)
    return (), [value]
