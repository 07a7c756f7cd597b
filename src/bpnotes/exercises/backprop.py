"""Checkers of the backpropagation chapter's exercises (book/backpropagation.md).

* ``ex-bp-implement`` grades the reader's own backpropagation: it runs their function on
  random networks, compares every layer's gradient with finite differences of the cost of
  :class:`bpnotes.MLP` (eq. (bp-gradcheck)), and names the layer that is wrong;
* :func:`circulated_gradients` and :func:`circulated_step` reproduce a slipped version of
  the chapter's worked example, constructed for ``ex-bp-find-bug`` with two slips typical of
  hand derivations (a wrong unit in one sigmoid slope, the weight in place of the learning
  rate in the update);
* the derivations are checked against sympy derivatives of the definitions (the path sum
  against the derivative of a whole 4-2-2-1 network's loss), the numbers of runs against
  :mod:`bpnotes.exercises.references`.

Only the function checker and the "find the bug" helpers need numpy; they import it when
they run.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_number
from .parsing import sigmoid
from .references import REFERENCES
from .registry import exercise
from .verdict import Reason, Verdict, right, wrong

__all__ = [
    "MODES",
    "circulated_gradients",
    "circulated_step",
    "path_sum_by_delta_rule",
    "path_sum_from_definition",
    "random_network",
]

#: ex-bp-minibatch: the three ways of using the data, as the options of the exercise.
MODES = ("full-batch", "mini-batch", "per-example")


# ---------------------------------------------------------------- derivations
@exercise("ex-bp-count", "number", prompt="the number of weights and biases (a whole number)")
def check_parameter_count(answer: Any) -> Verdict:
    """The number of weights and biases of the 4-2-2-1 network whose output has no bias."""
    sizes = (4, 2, 2, 1)
    weights = sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))
    biases = sum(sizes[1:-1])  # the hidden layers have biases, the output has none
    return check_number(answer, weights + biases, rtol=0, atol=0, integer=True)


@exercise("ex-bp-tanh-delta", "formula", prompt="δ = ∂ℓ/∂z, a formula in o and y",
          symbols=("o", "y"))
def check_tanh_output_delta(answer: Any) -> Verdict:
    """δ^L for a tanh output with the squared loss ½(o − y)², in o and y."""
    z, o, y = sp.symbols("z o y", real=True)
    delta = sp.diff((sp.tanh(z) - y) ** 2 / 2, z)
    reference = delta.subs(sp.tanh(z), o)
    assert not reference.has(z), "the tanh delta must be a function of o and y"
    return check_formula(answer, reference, symbols={"o": o, "y": y},
                         domains={"o": (-0.95, 0.95), "y": (-1, 1)})


_PATH_NAMES = ("delta3", "W3_11", "W3_12", "W2_11", "W2_21", "a2_1", "a2_2", "a1_1", "x1")
_PATH = {name: sp.Symbol(name, real=True) for name in _PATH_NAMES}


@functools.cache
def _network() -> tuple[sp.Expr, sp.Symbol, dict[sp.Symbol, sp.Expr]]:
    """The 4-2-2-1 sigmoid network with the log loss, as far as W^1_11 reaches: (loss, W^1_11,
    the reader's symbols written in the network's independent quantities)."""
    W1_11, r1, q, c1, c2, W2_12, W2_22, y = sp.symbols("W1_11 r1 q c1 c2 W2_12 W2_22 y",
                                                        real=True)
    s = _PATH
    a1_1 = sigmoid(W1_11 * s["x1"] + r1)       # r1: the other inputs' terms and the bias
    a1_2 = sigmoid(q)                          # the other first-layer unit: no W^1_11 in it
    z2 = [s["W2_11"] * a1_1 + W2_12 * a1_2 + c1, s["W2_21"] * a1_1 + W2_22 * a1_2 + c2]
    a2 = [sigmoid(z2[0]), sigmoid(z2[1])]
    z3 = sp.Symbol("z3", real=True)
    loss_of_z3 = -(y * sp.log(sigmoid(z3)) + (1 - y) * sp.log(1 - sigmoid(z3)))
    network_z3 = s["W3_11"] * a2[0] + s["W3_12"] * a2[1]
    meaning = {s["a1_1"]: a1_1, s["a2_1"]: a2[0], s["a2_2"]: a2[1],
               s["delta3"]: sp.diff(loss_of_z3, z3).subs(z3, network_z3)}
    return loss_of_z3.subs(z3, network_z3), W1_11, meaning


@functools.cache
def path_sum_from_definition() -> sp.Expr:
    """∂ℓ/∂W^1_11 of the network's loss, differentiated by sympy (the reference)."""
    loss, W1_11, _ = _network()
    return sp.diff(loss, W1_11)


def path_sum_by_delta_rule() -> tuple[sp.Expr, sp.Expr]:
    """The two path terms of ∂ℓ/∂W^1_11 in the exercise's symbols, by the delta rule
    eq. (bp-delta-rule): δ²_r = a²_r(1 − a²_r) W³_1r δ³, δ¹_1 = a¹_1(1 − a¹_1) Σ_r W²_r1 δ²_r."""
    s = _PATH
    slope1 = s["a1_1"] * (1 - s["a1_1"])
    first = s["delta3"] * s["W3_11"] * s["a2_1"] * (1 - s["a2_1"]) * s["W2_11"] * slope1 * s["x1"]
    second = s["delta3"] * s["W3_12"] * s["a2_2"] * (1 - s["a2_2"]) * s["W2_21"] * slope1 * s["x1"]
    return first, second


def _domains() -> dict[str, tuple[float, float]]:
    domains = {str(v): (-1.5, 1.5) for v in path_sum_from_definition().free_symbols}
    domains["y"] = (0, 1)
    return domains


def _path_hint(given: sp.Expr) -> Verdict | None:
    """Structural hint: a formula that follows only one of the two paths."""
    _, _, meaning = _network()
    reference = path_sum_from_definition()
    network_symbols = {str(v): v for v in reference.free_symbols | given.free_symbols}
    for path in path_sum_by_delta_rule():
        if check_formula(given, path.xreplace(meaning), symbols=network_symbols,
                         domains=_domains()):
            return wrong("Your formula follows only one of the two paths from W^1_11 to the "
                         "output (through a2_1 or through a2_2): the delta rule sums over every "
                         "unit of the layer above.", Reason.MISSING_TERM, reference)
    return None


@exercise("ex-bp-path-sum", "formula", prompt="∂ℓ/∂W^1_11, a formula in delta3, W3_11, W3_12, "
          "W2_11, W2_21, a2_1, a2_2, a1_1, x1", symbols=_PATH_NAMES)
def check_first_layer_path_sum(answer: Any) -> Verdict:
    """∂ℓ/∂W^1_11 for the 4-2-2-1 network as a sum over the two paths to the output.

    The reader's symbols are replaced by what they stand for in a 4-2-2-1 sigmoid network
    with the log loss (``delta3`` = ∂ℓ/∂z³, the a's by the forward pass), and the result
    is compared with sympy's derivative of the whole network's loss with respect to W^1_11.
    """
    _, _, meaning = _network()
    verdict = check_formula(answer, path_sum_from_definition(), symbols=_PATH,
                            substitutions=meaning, domains=_domains(), diagnose=_path_hint)
    if verdict.reason is Reason.WRONG:  # no finer diagnosis: point at the two steps
        return wrong(verdict.message + " Build it in two steps: δ² of each unit of the second "
                     "layer from δ³, then δ¹_1 from both of them.", verdict.reason,
                     verdict.solution)
    return verdict


@exercise("ex-bp-l2", "formula", prompt="∂/∂w of the L2 penalty, a formula in lam, m and w",
          symbols=("lam", "m", "w"))
def check_l2_gradient(answer: Any) -> Verdict:
    """∂/∂w of the L2 term (λ/(2m)) Σ W², for one weight w, in lam, m and w."""
    lam, w, other = sp.symbols("lam w other", positive=True)
    m = sp.Symbol("m", positive=True, integer=True)
    expected = sp.diff(lam / (2 * m) * (w**2 + other**2), w)
    return check_formula(answer, expected, symbols={"lam": lam, "m": m, "w": w},
                         domains={"m": (1, 20)})


@exercise("ex-bp-hand-delta", "number", prompt="δ of unit h2 (3 significant digits)")
def check_worked_delta(answer: Any) -> Verdict:
    """The delta of hidden unit h2 of the worked example, before the step (to 3 digits)."""
    return check_number(answer, float(REFERENCES["ex-bp-hand-delta"]), sig_digits=3)


# ---------------------------------------------------------------- the "find the bug" exercise
_UNITS = ("1", "2", "3", "4", "5")


@exercise("ex-bp-find-bug:unit", "choice", prompt="the number of the unit whose delta is wrong",
          options=_UNITS)
def check_bug_unit(answer: Any) -> Verdict:
    """Which unit's delta is wrong in the slipped example? Its number, 1..5."""
    expected = str(REFERENCES["ex-bp-find-bug:unit"])
    aliases = {f"h{u}": u for u in _UNITS} | {f"{u}.0": u for u in _UNITS}
    if isinstance(answer, float) and answer.is_integer():  # 5.0 (also numpy's floats)
        answer = str(int(answer))
    verdict = check_choice(answer, expected, _UNITS, aliases=aliases,
                           wrong_message="is not the unit whose delta is wrong.")
    if verdict.correct:
        return right("Only the row of the W^2 gradient that belongs to this unit disagrees with "
                     "finite differences; the other row and the output layer agree.", expected)
    if verdict.reason is not Reason.WRONG:
        return verdict
    chosen = str(answer).strip().lower().lstrip("h")
    if chosen in ("1", "2", "3"):
        return wrong(f"h{chosen} is in layer 1: its delta is wrong only because it is computed "
                     "from a wrong delta above it. Look one layer up.", Reason.WRONG, expected)
    return wrong("check that against the numbers: put each row of the circulated W^2 gradient "
                 "beside the same row of the finite differences.", Reason.WRONG, expected)


@exercise("ex-bp-find-bug:derivative", "formula", prompt="the slope f′(z5), a formula in a4 "
          "and a5", symbols=("a4", "a5"))
def check_bug_derivative(answer: Any) -> Verdict:
    """The correct derivative factor f′(z_5) of the sigmoid unit h5, in a4 and a5."""
    a4, a5, z5 = sp.symbols("a4 a5 z5", real=True)
    slope = sp.diff(sigmoid(z5), z5)
    reference = sp.simplify(slope.subs(sp.exp(-z5), (1 - a5) / a5))  # e^{−z} = (1 − a)/a

    def uses_a4(given: sp.Expr) -> Verdict | None:
        if a4 in given.free_symbols:
            return wrong("a sigmoid's derivative depends only on its own output: your formula "
                         "still involves a4.", Reason.WRONG, reference)
        return None

    return check_formula(answer, reference, symbols={"a4": a4, "a5": a5},
                         domains={"a4": (0.05, 0.95), "a5": (0.05, 0.95)}, diagnose=uses_a4)


@exercise("ex-bp-find-bug:update", "formula", prompt="the right update of w, a formula in w, g "
          "and eta", symbols=("w", "g", "eta"))
def check_bug_update(answer: Any) -> Verdict:
    """The correct update of a weight w with gradient g and learning rate eta, eq. (bp-update)."""
    w, g, eta = sp.symbols("w g eta", real=True)
    reference = w - eta * g

    def circulated(given: sp.Expr) -> Verdict | None:
        if check_formula(given, w - w * g, symbols={"w": w, "g": g, "eta": eta}):
            return wrong("that is the slipped version's update: it scales the step by the "
                         "weight itself, so a weight at 0 could never move. Answer with the "
                         "right one.", Reason.WRONG, reference)
        return None

    return check_formula(answer, reference, symbols={"w": w, "g": g, "eta": eta},
                         domains={"w": (-2, 2), "g": (-2, 2), "eta": (0.01, 1)},
                         diagnose=circulated)


def _circulated_forward() -> tuple[Any, ...]:
    import numpy as np

    from ..activations import sigmoid as numeric_sigmoid
    from ..backprop import worked_example_network

    net = worked_example_network()
    x = np.array([1.0, 0.0])
    h = numeric_sigmoid(net.weights[0] @ x + net.biases[0])
    a2 = numeric_sigmoid(net.weights[1] @ h)
    o = numeric_sigmoid(net.weights[2] @ a2)
    return net, x, h, a2, o


def circulated_gradients() -> tuple[list[Any], list[Any]]:
    """The gradients of the worked example as the slipped version computes them: h5's
    sigmoid slope taken as a5(1 − a4).

    Written out unit by unit, as such derivations usually are; shaped like
    ``net.weights`` and ``net.biases`` so that they can be gradient-checked.
    """
    import numpy as np

    net, x, h, a2, o = _circulated_forward()
    W = net.weights
    a4, a5 = a2
    d_out = o[0] - 1.0                                  # log loss: δ = o − y
    d4 = a4 * (1 - a4) * W[2][0, 0] * d_out
    d5 = a5 * (1 - a4) * W[2][0, 1] * d_out             # the slip: a5(1 − a5) is right
    d2 = np.array([d4, d5])
    d1 = h * (1 - h) * (W[1].T @ d2)
    gw = [np.outer(d1, x), np.outer(d2, h), d_out * a2[None, :]]
    gb = [d1, np.zeros(2), np.zeros(1)]
    masks = [m if m is not None else np.ones_like(w, bool)
             for m, w in zip(net.weight_masks, W, strict=True)]
    return [np.where(mk, g, 0.0) for g, mk in zip(gw, masks, strict=True)], gb


def circulated_step() -> tuple[list[Any], list[Any], float]:
    """The slipped update w ← w − w·(δ a) (and b ← b − b·δ) with the slipped gradients,
    and the network's output after it."""
    import numpy as np

    from ..activations import sigmoid as numeric_sigmoid

    net, *_ = _circulated_forward()
    gw, gb = circulated_gradients()
    weights = [w - w * g for w, g in zip(net.weights, gw, strict=True)]
    biases = [b - b * g for b, g in zip(net.biases, gb, strict=True)]
    h = numeric_sigmoid(weights[0] @ np.array([1.0, 0.0]) + biases[0])
    o = numeric_sigmoid(weights[2] @ numeric_sigmoid(weights[1] @ h + biases[1]) + biases[2])
    return weights, biases, float(o[0])


# ---------------------------------------------------------------- predictions
@exercise("ex-bp-minibatch", "choice", prompt="which mode suffers first at learning rate 2?",
          options=MODES)
def check_minibatch_prediction(answer: Any) -> Verdict:
    """Which way of using the data suffers first when the rate goes from 0.2 to 2 (measured)."""
    return check_choice(answer, str(REFERENCES["ex-bp-minibatch"]), MODES,
                        aliases={"stochastic": "per-example", "batch": "full-batch",
                                 "full batch": "full-batch", "mini batch": "mini-batch",
                                 "minibatch": "mini-batch", "per example": "per-example",
                                 "sgd": "per-example", "online": "per-example",
                                 "fullbatch": "full-batch"})


@exercise("ex-bp-kink", "number", prompt="the fraction of the active gradient (e.g. 0.25)")
def check_kink_fraction(answer: Any) -> Verdict:
    """The centred difference for b^1_1 at the kink, as a fraction of the active gradient
    (a percentage such as ``"50%"`` is read as that fraction)."""
    if isinstance(answer, str) and answer.strip().endswith("%"):
        verdict = check_number(answer.strip()[:-1], 100 * float(REFERENCES["ex-bp-kink"]),
                               rtol=0.01)
        return Verdict(verdict.correct, verdict.message.replace("Your number", "Your "
                       "percentage"), verdict.reason, verdict.solution)
    return check_number(answer, float(REFERENCES["ex-bp-kink"]), rtol=0.01)


# ---------------------------------------------------------------- "implement backprop yourself"
def random_network(seed: int) -> tuple[Any, Any, Any]:
    """A random sigmoid network with log loss, with random non-zero biases, inputs and 0/1
    targets: the kind of test case ``ex-bp-implement`` runs."""
    import numpy as np

    from ..mlp import MLP

    rng = np.random.default_rng(seed)
    depth = int(rng.integers(2, 5))
    sizes = [int(n) for n in rng.integers(1, 5, depth + 1)]
    sizes[0] = int(rng.integers(2, 5))
    net = MLP(sizes, hidden="sigmoid", output="sigmoid", loss="log", seed=seed, init="normal")
    for b in net.biases:
        b[:] = rng.normal(0.0, 1.0, b.shape)
    m = int(rng.integers(2, 6))
    X = rng.normal(0.0, 1.0, (m, sizes[0]))
    Y = rng.integers(0, 2, (m, sizes[-1])).astype(np.float64)
    return net, X, Y


def _layer_arrays(kind: str, given: Any, expected: list[Any]) -> list[Any]:
    """The reader's per-layer gradients as float arrays of the right shapes."""
    import numpy as np

    from .functions import ReaderFailure

    symbol = "W" if kind == "weight" else "b"
    if not isinstance(given, list | tuple) or len(given) != len(expected):
        got = f" of length {len(given)}" if isinstance(given, list | tuple) else ""
        raise ReaderFailure(Reason.SHAPE, f"the {kind} gradients must be a list of "
                            f"{len(expected)} arrays, one per layer (got "
                            f"{type(given).__name__}{got})")
    arrays = []
    for layer, (g, e) in enumerate(zip(given, expected, strict=True), start=1):
        try:
            array = np.asarray(g)
        except Exception as exc:  # a ragged list, an object numpy cannot read
            raise ReaderFailure(Reason.TYPE, f"the gradient of {symbol}^{layer} is not an "
                                "array of numbers") from exc
        if array.shape != e.shape:
            raise ReaderFailure(Reason.SHAPE, f"the gradient of {symbol}^{layer} has shape "
                                f"{array.shape}; it must be {e.shape}")
        if array.dtype.kind not in "biuf":
            raise ReaderFailure(Reason.TYPE, f"the gradient of {symbol}^{layer} must hold real "
                                f"numbers (it holds {array.dtype})")
        if not np.all(np.isfinite(array)):
            raise ReaderFailure(Reason.NOT_FINITE, f"the gradient of {symbol}^{layer} holds NaN "
                                "or infinite values")
        arrays.append(array.astype(np.float64))
    return arrays


@exercise("ex-bp-implement", "function", prompt="my_backprop(weights, biases, X, Y) returning "
          "(weight_gradients, bias_gradients)")
def check_backprop(candidate: Any) -> Verdict:
    """Grade ``my_backprop(weights, biases, X, Y) -> (weight_gradients, bias_gradients)``.

    The contract (the chapter's exercise): sigmoid hidden layers, one or more sigmoid
    outputs with the log loss (so δ^L = o − y), the cost averaged over the m rows of X;
    ``weights[l]`` is W^{l+1} of shape (n_{l+1}, n_l). The function runs on six random
    networks of depth 2 to 4 (copies of the arrays, so it may modify them), and each
    layer's result is compared with centred differences of the cost, eq. (bp-gradcheck),
    by the relative error of eq. (bp-gradcheck-error).

    A wrong layer is named: the *highest* wrong layer is the culprit, because deltas flow
    downward and one wrong δ^l spoils every layer below it.
    """
    from ..gradcheck import numerical_mlp_gradients, relative_error
    from .functions import ReaderFailure, call_reader

    if not callable(candidate):
        return wrong(f"a function is asked, got {type(candidate).__name__}.", Reason.TYPE)
    networks, tolerance = 6, 1e-6
    for trial in range(1, networks + 1):
        net, X, Y = random_network(trial)
        where = f"On random network {trial} (sizes {net.sizes}, m = {X.shape[0]} examples)"
        numeric_w, numeric_b = numerical_mlp_gradients(net, X, Y)
        try:
            result = call_reader(candidate, (list(net.weights), list(net.biases), X, Y))
            if not isinstance(result, list | tuple) or len(result) != 2:
                raise ReaderFailure(Reason.SHAPE, "your function must return a pair "
                                    "(weight_gradients, bias_gradients)")
            given_w = _layer_arrays("weight", result[0], numeric_w)
            given_b = _layer_arrays("bias", result[1], numeric_b)
        except ReaderFailure as failure:
            return wrong(f"{where} {failure.message}.", failure.reason)
        errors = []
        for layer in range(net.n_layers, 0, -1):
            for kind, given, numeric in (("W", given_w, numeric_w), ("b", given_b, numeric_b)):
                error = relative_error(given[layer - 1], numeric[layer - 1])
                if error > tolerance:
                    errors.append((layer, kind, error, given[layer - 1], numeric[layer - 1]))
        if errors:
            return wrong(f"{where}: " + _diagnose(errors, net.n_layers, X.shape[0]),
                         Reason.WRONG)
    return right(f"Every layer's gradient agrees with finite differences on all {networks} "
                 "random networks (depths 2 to 4).")


def _layers(numbers: list[int]) -> str:
    """'layer 3', 'layers 1 and 2', 'layers 1, 2 and 3'."""
    if len(numbers) == 1:
        return f"layer {numbers[0]}"
    return "layers " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _factor(given: Any, numeric: Any) -> float | None:
    """The factor c with given = c · numeric, if there is one other than 0 and 1 and it
    says something (numeric has at least two non-zero entries: any single number is a
    multiple of another)."""
    import numpy as np

    if np.count_nonzero(numeric) < 2 or not np.any(given):
        return None
    ratio = float(np.sum(given * numeric) / np.sum(numeric * numeric))
    if np.allclose(given, ratio * numeric, rtol=1e-4, atol=1e-9) and abs(ratio - 1) > 1e-3:
        return ratio
    return None


def _diagnose(errors: list[tuple[int, str, float, Any, Any]], L: int, m: int) -> str:
    import numpy as np

    def average_hint(ratio: float) -> str:
        return " (did you average over the m examples?)" if np.isclose(ratio, m) else ""

    wrong_layers = sorted({e[0] for e in errors})
    # One factor for every wrong array, in every layer: say that, and nothing about deltas.
    common = _factor(np.concatenate([np.ravel(e[3]) for e in errors]),
                     np.concatenate([np.ravel(e[4]) for e in errors]))
    if common is not None and wrong_layers == list(range(1, L + 1)):
        return (f"every layer's gradient is {common:.3g} times the right one"
                f"{average_hint(common)}.")
    top = wrong_layers[-1]
    names = [f"{kind}^{layer}" for layer, kind, *_ in errors if layer == top]
    worst = max(e[2] for e in errors if e[0] == top)
    below = [layer for layer in wrong_layers if layer < top]
    text = (f"the gradient of {' and '.join(names)} (layer {top}) is wrong: relative error "
            f"{worst:.1e} against finite differences.")
    if top < L:
        right_layers = _layers(list(range(top + 1, L + 1)))
        verb = "is" if top + 1 == L else "are"
        text += (f" {right_layers[0].upper()}{right_layers[1:]} {verb} right, so look at how "
                 f"δ^{top} is computed from δ^{top + 1} (the delta rule), or at how the "
                 f"gradient of layer {top} is formed from it.")
    else:
        text += " This is the output layer: check the output delta o − y and the gradient δ aᵀ."
    for layer, kind, _, g, n in errors:
        if layer == top and not np.any(g):
            text += f" Your {kind}^{layer} is all zeros."
            break
        ratio = _factor(g, n) if layer == top else None
        if ratio is not None:
            text += f" Your {kind}^{layer} is {ratio:.3g} times the right one{average_hint(ratio)}."
            break
    if below:
        verb = "is" if len(below) == 1 else "are"
        text += (f" {_layers(below)[0].upper()}{_layers(below)[1:]} {verb} wrong too: fix the "
                 f"highest layer first, since a wrong δ^{top} would spoil every layer below it.")
    return text
