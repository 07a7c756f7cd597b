"""The scalar autodiff engine and the autodiff chapter's numerics.

Oracles: PyTorch in float64 (an independent reverse-mode implementation), centred finite
differences, closed forms, and the package's MLP (whose gradients are tested elsewhere
against the same oracles).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch  # the independent autodiff oracle (installed by the test requirements)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bpnotes import MLP, autodiff
from bpnotes.autodiff import Value
from bpnotes.gradcheck import numerical_gradient

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-12


def close(a: float, b: float, tol: float = TOL) -> bool:
    """|a − b| <= tol · max(1, |b|): relative for large numbers, absolute near 0."""
    return abs(a - b) <= tol * max(1.0, abs(b))


# ------------------------------------------------------------------ the contract
def test_contract_example_matches_pytorch():
    x, y = Value(2.0), Value(-1.0)
    z = (x * y + x.tanh()) ** 2 / (1 + y.exp())
    z.backward()
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    tz = (tx * ty + tx.tanh()) ** 2 / (1 + ty.exp())
    tz.backward()
    assert close(z.data, tz.item())
    assert close(x.grad, tx.grad.item())
    assert close(y.grad, ty.grad.item())
    assert isinstance(x.grad, float) and isinstance(z.data, float)


# Each operation on its own, at several points, against PyTorch: value and derivative(s).
UNARY = {
    "neg": (lambda v: -v, lambda t: -t),
    "exp": (Value.exp, torch.exp),
    "log": (Value.log, torch.log),
    "tanh": (Value.tanh, torch.tanh),
    "sigmoid": (Value.sigmoid, torch.sigmoid),
    "relu": (Value.relu, torch.relu),
    "square": (lambda v: v**2, lambda t: t**2),
    "cube": (lambda v: v**3, lambda t: t**3),
    "sqrt": (lambda v: v**0.5, lambda t: t**0.5),
    "reciprocal": (lambda v: v**-1, lambda t: t**-1),
    "pow-2.5": (lambda v: v**-2.5, lambda t: t**-2.5),
    "constant-left": (lambda v: 3 - 2 / v, lambda t: 3 - 2 / t),
    "constant-right": (lambda v: (v + 1) * 4 - v / 2, lambda t: (t + 1) * 4 - t / 2),
}
POSITIVE_ONLY = {"log", "sqrt", "pow-2.5"}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("point", [-2.3, -0.4, 0.7, 1.9, 5.0])
def test_each_unary_operation_against_pytorch(name, point):
    if name in POSITIVE_ONLY and point <= 0:
        point = -point
    engine, reference = UNARY[name]
    x = Value(point)
    out = engine(x)
    out.backward()
    t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    tout = reference(t)
    tout.backward()
    assert close(out.data, tout.item())
    assert close(x.grad, t.grad.item())


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("a, b", [(1.5, -0.5), (-3.0, 2.0), (0.25, 4.0)])
def test_each_binary_operation_against_pytorch(op, a, b):
    x, y = Value(a), Value(b)
    out = BINARY[op](x, y)
    out.backward()
    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b))
    tout = BINARY[op](tx, ty)
    tout.backward()
    assert close(out.data, tout.item())
    assert close(x.grad, tx.grad.item()) and close(y.grad, ty.grad.item())


@pytest.mark.parametrize("a, b", [(1e-200, 1e-200), (1e-170, 1e-170), (-3e-180, 2e-175),
                                  (1.0, 1e-150), (5e-324, -1e-160)])
def test_division_by_a_tiny_number_keeps_its_finite_derivatives(a, b):
    # b² underflows to 0 for |b| < 1e-162, yet a/b and ∂(a/b)/∂b = −a/b² are finite here
    x, y = Value(a), Value(b)
    q = x / y
    q.backward()
    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b))
    (tx / ty).backward()
    assert math.isfinite(x.grad) and math.isfinite(y.grad)
    assert close(q.data, a / b)
    assert close(x.grad, tx.grad.item()) and close(y.grad, ty.grad.item())


# ------------------------------------------------------------------ random expressions
# A program is a list of steps; each step applies one operation to nodes picked from a
# pool (so nodes are reused) and appends the result. Guards keep every operation inside
# its domain; the program actually run is recorded as plain instructions and replayed in
# PyTorch, so both libraries evaluate exactly the same expression.
STEP_OPS = ["+", "-", "*", "/", "neg", "exp", "log", "tanh", "sigmoid", "relu", "pow",
            "num+", "num*", "num-", "num/"]
EXPONENTS = [2, 3, -1, 0.5, 1.5, -2]

steps = st.lists(
    st.tuples(
        st.sampled_from(STEP_OPS),
        st.integers(0, 1000),
        st.integers(0, 1000),
        st.sampled_from(EXPONENTS),
        st.floats(-3, 3).filter(lambda c: abs(c) > 0.1),
    ),
    min_size=1,
    max_size=12,
)


def apply(op: str, args: list, constant: float):
    """One instruction, for either library (Values or torch tensors)."""
    a = args[0]
    if op in BINARY:
        return BINARY[op](a, args[1])
    if op == "neg":
        return -a
    if op == "pow":
        return a**constant
    if op == "num+":
        return constant + a
    if op == "num*":
        return constant * a
    if op == "num-":
        return constant - a
    if op == "num/":
        return constant / a
    if isinstance(a, Value):
        return getattr(a, op)()
    return getattr(torch, op)(a)


def record_program(leaf_values: list[float], program) -> tuple[list[Value], Value, list]:
    """Run ``program`` on Values with domain guards; return leaves, output, instructions."""
    pool = [Value(v) for v in leaf_values]
    leaves = list(pool)
    instructions: list[tuple[str, tuple[int, ...], float]] = []

    def emit(op: str, operands: tuple[int, ...], constant: float = 0.0) -> int:
        pool.append(apply(op, [pool[i] for i in operands], constant))
        instructions.append((op, operands, constant))
        return len(pool) - 1

    def tame(i: int) -> int:
        """Bound a node's size with tanh when it has grown large."""
        return emit("tanh", (i,)) if abs(pool[i].data) > 5 else i

    def away_from_zero(i: int) -> int:
        """i itself when |x| > 0.2, else x·x + 1 (which is at least 1)."""
        if abs(pool[i].data) > 0.2:
            return i
        return squared_plus_one(i)

    def positive(i: int) -> int:
        """i itself when x > 0.2, else x·x + 1."""
        return i if pool[i].data > 0.2 else squared_plus_one(i)

    def squared_plus_one(i: int) -> int:
        return emit("num+", (emit("*", (i, i)),), 1.0)

    for op, i, j, exponent, constant in program:
        i, j = i % len(pool), j % len(pool)
        if op in ("+", "-", "*"):
            emit(op, (tame(i), tame(j)))
        elif op == "/":
            emit("/", (tame(i), away_from_zero(tame(j))))
        elif op == "exp":
            emit("exp", (tame(i),))
        elif op == "log":
            emit("log", (positive(tame(i)),))
        elif op == "pow":
            i = tame(i)
            if exponent != int(exponent):
                i = positive(i)  # fractional powers need a positive base
            elif exponent < 0:
                i = away_from_zero(i)
            emit("pow", (i,), exponent)
        elif op == "num/":
            emit("num/", (away_from_zero(tame(i)),), constant)
        elif op.startswith("num"):
            emit(op, (tame(i),), constant)
        else:
            emit(op, (tame(i),))
    # The output uses every node once more (more reuse), so every leaf reaches it.
    output = pool[0]
    for node in pool[1:]:
        output = output + node
    return leaves, output, instructions


def replay_in_torch(leaf_values: list[float], instructions) -> tuple[list, torch.Tensor]:
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaf_values]
    pool = list(leaves)
    for op, operands, constant in instructions:
        pool.append(apply(op, [pool[i] for i in operands], constant))
    output = pool[0]
    for node in pool[1:]:
        output = output + node
    return leaves, output


@settings(max_examples=150, deadline=None)
@given(leaf_values=st.lists(st.floats(-2, 2), min_size=1, max_size=3), program=steps)
def test_random_expressions_with_reuse_match_pytorch(leaf_values, program):
    leaves, output, instructions = record_program(leaf_values, program)
    output.backward()
    t_leaves, t_output = replay_in_torch(leaf_values, instructions)
    t_output.backward()
    assert close(output.data, t_output.item())
    for leaf, t_leaf in zip(leaves, t_leaves, strict=True):
        assert close(leaf.grad, t_leaf.grad.item()), (leaf.grad, t_leaf.grad.item())


# ------------------------------------------------------------------ accumulation
def test_a_node_used_twice_accumulates_the_sum_over_paths():
    x = Value(3.0)
    (x * x).backward()  # two paths: ∂/∂x of x·x is x + x
    assert x.grad == 6.0
    y = Value(3.0)
    (y + y + y).backward()
    assert y.grad == 3.0


def test_calling_backward_twice_doubles_every_gradient_and_zero_grad_resets():
    x, y = Value(1.5), Value(-0.5)
    h = x * y
    z = h.tanh() + x
    z.backward()
    first = {name: node.grad for name, node in (("x", x), ("y", y), ("h", h), ("z", z))}
    z.backward()
    for name, node in (("x", x), ("y", y), ("h", h), ("z", z)):
        assert node.grad == 2 * first[name], name
    z.zero_grad()
    assert (x.grad, y.grad, h.grad, z.grad) == (0.0, 0.0, 0.0, 0.0)
    z.backward()
    assert x.grad == first["x"]


def test_backward_on_two_outputs_leaves_the_gradient_of_their_sum():
    x = Value(0.7)
    f, g = x.exp(), x * x
    f.backward()
    g.backward()
    assert close(x.grad, math.exp(0.7) + 2 * 0.7)


def test_a_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    out = x
    for _ in range(5 * sys.getrecursionlimit()):
        out = out * 1.0 + 0.0
    out.backward()
    assert x.grad == 1.0


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=30))
def test_topological_order_puts_every_node_after_its_inputs(pairs):
    pool = [Value(1.0), Value(2.0)]
    for i, j in pairs:
        pool.append(pool[i % len(pool)] + pool[j % len(pool)])
    order = pool[-1].topological_order()
    position = {node: k for k, node in enumerate(order)}
    assert len(position) == len(order)  # every node once
    assert order[-1] is pool[-1]
    for node in order:
        assert all(position[i] < position[node] for i in node.inputs)


def test_backward_sweep_fills_in_what_backward_computes_and_touches_no_grad():
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    z = (x * y + x.tanh()) ** 2 / (1 + y.exp())
    steps = autodiff.backward_sweep(z)
    assert all(node.grad == 0.0 for node in z.topological_order())
    assert [s.node for s in steps] == list(reversed(z.topological_order()))
    assert steps[0].node is z and steps[0].gradients[z] == 1.0
    z.backward()
    final = steps[-1].gradients
    assert all(final[node] == node.grad for node in z.topological_order())
    # a node's gradient no longer changes once it has been visited
    for k, step in enumerate(steps):
        assert all(later.gradients[step.node] == step.gradients[step.node]
                   for later in steps[k:])


@settings(max_examples=60, deadline=None)
@given(leaf_values=st.lists(st.floats(-2, 2), min_size=1, max_size=3), program=steps)
def test_forward_mode_tangents_equal_the_reverse_mode_gradients(leaf_values, program):
    leaves, output, _ = record_program(leaf_values, program)
    output.backward()
    for leaf in leaves:
        assert close(autodiff.tangents(output, leaf)[output], leaf.grad)


def test_tangents_reject_nodes_outside_the_graph():
    x = Value(1.0)
    with pytest.raises(ValueError, match="not a node"):
        autodiff.tangents(x * 2, Value(3.0))
    with pytest.raises(TypeError):
        autodiff.tangents(x, 1.0)


# ------------------------------------------------------------------ bad input
def test_log_of_a_non_positive_number_names_the_value():
    with pytest.raises(ValueError, match=r"-2\.5"):
        Value(-2.5).log()
    with pytest.raises(ValueError, match="positive"):
        Value(0.0).log()


@pytest.mark.parametrize("exponent", [Value(2.0), "2", None, True, [2]])
def test_pow_with_a_non_number_exponent_is_a_type_error(exponent):
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** exponent


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(-8.0) ** (1 / 3), "not a real number"),
        (lambda: Value(0.0) ** -1, "divides by zero"),
        (lambda: Value(0.0) ** 0.5, "infinite"),
        (lambda: Value(1e200) ** 2, "overflows"),
        (lambda: Value(1.0) / 0, "division by zero"),
        (lambda: 1 / Value(0.0), "division by zero"),
        (lambda: Value(800.0).exp(), "exp"),
        (lambda: Value(1e200) * 1e200, "overflows"),
        (lambda: Value(1e-320).log(), "overflows"),
        (lambda: Value(float("nan")), "finite"),
        (lambda: Value(float("inf")), "finite"),
        (lambda: Value(1.0, inputs=(Value(2.0),), local_grads=()), "one derivative per input"),
        (lambda: Value(1.0, inputs=(Value(2.0),), local_grads=(math.inf,)), "finite"),
        (lambda: 1 / Value(5e-324), "overflows"),              # 1/b is beyond a float
        (lambda: Value(10**400), "too large"),                  # Python ints of any size
        (lambda: Value(2.0) + 10**400, "too large"),
        (lambda: 10**400 * Value(2.0), "too large"),
        (lambda: Value(2.0) ** 10**400, "too large"),
        (lambda: Value(1.0, inputs=(Value(2.0),), local_grads=(10**400,)), "too large"),
        (lambda: Value(2.0) ** math.nan, "exponent .* finite"),
        (lambda: Value(2.0) ** math.inf, "exponent .* finite"),
        # x⁻¹ = 1e200 is finite, its derivative −x⁻² = −1e400 is not
        (lambda: Value(1e-200) ** -1, r"derivative .*value 1e\+200 itself is finite"),
    ],
)
def test_bad_values_raise_a_clear_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value("2"),
        lambda: Value(True),
        lambda: Value(None),
        lambda: Value(1 + 2j),
        lambda: Value(2.0) + "a",
        lambda: "a" * Value(2.0),
        lambda: Value(2.0) * None,
        lambda: np.array([1.0, 2.0]) + Value(2.0),
        lambda: Value(2.0) + np.array([1.0, 2.0]),
        lambda: 2 ** Value(3.0),
        lambda: Value(1.0, inputs=(2.0,), local_grads=(1.0,)),
        lambda: Value(1.0, inputs=(Value(2.0),), local_grads=("1",)),
        lambda: autodiff.backward_sweep(3.0),
    ],
)
def test_wrong_kinds_of_operand_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


@pytest.mark.parametrize("x", [1e4, -1e4, 750.0, -750.0, 0.0])
def test_sigmoid_is_stable_and_matches_pytorch(x):
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).backward()
    assert math.isfinite(s.data) and 0.0 <= s.data <= 1.0
    assert close(s.data, torch.sigmoid(torch.tensor(x, dtype=torch.float64)).item())
    assert close(v.grad, t.grad.item())


def test_numpy_scalars_are_numbers():
    v = Value(np.float64(2.0)) * np.float64(3.0) + np.int64(1)
    v.backward()
    assert v.data == 7.0 and isinstance(v.data, float)


def test_operations_do_not_change_their_operands():
    x = Value(1.5)
    y = x * 2 + x.exp()
    assert x.data == 1.5 and x.grad == 0.0 and x.inputs == ()
    assert y.inputs[1].inputs == (x,)


# ------------------------------------------------------------------ networks of Values
PAIRS = [
    ("identity", "squared"),
    ("sigmoid", "squared"),
    ("sigmoid", "log"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
    ("softmax", "squared"),
]


def targets(output: str, loss: str, m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "cross_entropy":
        if output == "softmax":
            return np.eye(n)[rng.integers(0, n, size=m)]
        return rng.dirichlet(np.ones(n), size=m)
    if loss == "log":
        return rng.integers(0, 2, size=(m, n)).astype(float)
    return rng.normal(size=(m, n))


@pytest.mark.parametrize("output, loss", PAIRS)
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_network_of_values_has_the_gradients_of_mlp(output, loss, hidden, l2):
    rng = np.random.default_rng(7)
    net = MLP([3, 4, 3, 2], hidden=hidden, output=output, loss=loss, l2=l2, seed=5)
    for b in net.biases:
        b[:] = rng.normal(scale=0.5, size=b.shape)
    X = rng.normal(size=(4, 3))
    Y = targets(output, loss, 4, 2, rng)
    before = [p.copy() for p in net.weights + net.biases]
    graph = autodiff.network_cost(net, X, Y)
    graph.cost.backward()
    expected = net.gradients(X, Y)
    assert close(graph.cost.data, expected.loss)
    for got, want in zip(graph.weight_gradients() + graph.bias_gradients(),
                         expected.weights + expected.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    for p, q in zip(before, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(p, q)  # the network is unchanged


def test_neuron_computes_f_of_the_weighted_input():
    x = [Value(0.5), Value(-1.0)]
    w = [Value(2.0), Value(0.25)]
    b = Value(0.1)
    a = autodiff.neuron(x, w, b, "tanh")
    a.backward()
    z = 0.5 * 2.0 - 1.0 * 0.25 + 0.1
    assert close(a.data, math.tanh(z))
    slope = 1 - math.tanh(z) ** 2
    assert close(w[0].grad, slope * 0.5) and close(w[1].grad, slope * -1.0)
    assert close(b.grad, slope) and close(x[0].grad, slope * 2.0)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: autodiff.neuron([1.0], [Value(1.0), Value(2.0)], Value(0.0)), ValueError),
        (lambda: autodiff.neuron([1.0], [1.0], Value(0.0)), TypeError),
        (lambda: autodiff.neuron([1.0], [Value(1.0)], Value(0.0), "softplus"), ValueError),
        (lambda: autodiff.layer([1.0], [[Value(1.0)]], [Value(0.0), Value(1.0)]), ValueError),
        (lambda: autodiff.network_cost("net", [[1.0]], [[1.0]]), TypeError),
        (lambda: autodiff.network_cost(MLP([2, 1]), [[1.0]], [[1.0]]), ValueError),
        (lambda: autodiff.network_cost(MLP([1, 1]), [[1.0], [2.0]], [[1.0]]), ValueError),
        (lambda: autodiff.network_cost(MLP([1, 1], loss="log"), [[1.0]], [[2.0]]), ValueError),
    ],
)
def test_network_builders_reject_bad_input(call, error):
    with pytest.raises(error):
        call()


# ------------------------------------------------------------------ matrix backward rules
@st.composite
def dense_problems(draw):
    m, n_in, n_out = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    elements = st.floats(-2, 2)
    A = draw(arrays(np.float64, (m, n_in), elements=elements))
    W = draw(arrays(np.float64, (n_out, n_in), elements=elements))
    b = draw(arrays(np.float64, (n_out,), elements=elements))
    G = draw(arrays(np.float64, (m, n_out), elements=elements))
    return A, W, b, G


def probe_cost(G: np.ndarray, Z: np.ndarray) -> float:
    """A nonlinear scalar of Z with ∂C/∂Z = G ⊙ cos Z: C = Σ G ⊙ sin Z."""
    return float(np.sum(G * np.sin(Z)))


@given(dense_problems())
def test_dense_backward_matches_finite_differences(problem):
    A, W, b, G = problem
    delta = G * np.cos(autodiff.dense_forward(A, W, b))  # ∂C/∂Z of probe_cost
    rule = autodiff.dense_backward(A, W, delta)
    numeric_W = numerical_gradient(lambda w: probe_cost(G, A @ w.T + b), W)
    numeric_A = numerical_gradient(lambda a: probe_cost(G, a @ W.T + b), A)
    numeric_b = numerical_gradient(lambda v: probe_cost(G, A @ W.T + v), b)
    for got, want in ((rule.weights, numeric_W), (rule.inputs, numeric_A), (rule.bias, numeric_b)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@given(dense_problems())
def test_dense_rules_match_pytorch(problem):
    A, W, b, G = problem
    tA, tW, tb = (torch.tensor(v, requires_grad=True) for v in (A, W, b))
    tZ = tA @ tW.T + tb
    (torch.tensor(G) * torch.sin(tZ)).sum().backward()
    Z = autodiff.dense_forward(A, W, b)
    np.testing.assert_allclose(Z, tZ.detach().numpy(), rtol=1e-12, atol=1e-12)
    rule = autodiff.dense_backward(A, W, G * np.cos(Z))
    np.testing.assert_allclose(rule.weights, tW.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rule.inputs, tA.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rule.bias, tb.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_dense_functions_do_not_alias_or_modify_their_arguments():
    A, W, b = np.ones((2, 3)), np.full((4, 3), 2.0), np.zeros(4)
    Z = autodiff.dense_forward(A, W, b)
    Z[...] = 7.0
    assert np.all(b == 0) and np.all(A == 1) and np.all(W == 2)
    rule = autodiff.dense_backward(A, W, np.ones((2, 4)))
    for out in rule:
        out[...] = -1.0
    assert np.all(A == 1) and np.all(W == 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda: autodiff.dense_forward(np.ones((2, 3)), np.ones((4, 2)), np.ones(4)),
        lambda: autodiff.dense_forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(3)),
        lambda: autodiff.dense_forward(np.ones((2, 3)), np.ones((4, 3)), [np.nan] * 4),
        lambda: autodiff.dense_forward(np.ones(3), np.ones((4, 3)), np.ones(4)),
        lambda: autodiff.dense_backward(np.ones((2, 3)), np.ones((4, 3)), np.ones((2, 3))),
        lambda: autodiff.dense_backward(np.ones((2, 3)), np.ones((4, 3)), np.ones((3, 4))),
        lambda: autodiff.dense_backward(np.ones((2, 3)), np.full((4, 3), np.inf), np.ones((2, 4))),
    ],
)
def test_dense_functions_reject_bad_shapes_and_values(call):
    with pytest.raises(ValueError):
        call()


def test_dense_functions_reject_non_arrays():
    with pytest.raises(TypeError):
        autodiff.dense_backward("A", np.ones((4, 3)), np.ones((2, 4)))


@pytest.mark.parametrize("output, loss", PAIRS)
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_reverse_mode_on_the_layer_graph_is_backpropagation(output, loss, hidden):
    rng = np.random.default_rng(3)
    net = MLP([3, 5, 4, 2], hidden=hidden, output=output, loss=loss, l2=0.2, seed=2)
    X = rng.normal(size=(6, 3))
    Y = targets(output, loss, 6, 2, rng)
    grad_w, grad_b = autodiff.layer_graph_gradients(net, X, Y)
    expected = net.gradients(X, Y)
    for got, want in zip(grad_w + grad_b, expected.weights + expected.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_layer_graph_gradients_rejects_bad_input():
    with pytest.raises(TypeError):
        autodiff.layer_graph_gradients(None, [[1.0]], [[1.0]])
    with pytest.raises(ValueError):
        autodiff.layer_graph_gradients(MLP([2, 1]), [[1.0]], [[1.0]])


# ------------------------------------------------------------------ cost of a gradient
def test_time_gradients_counts_parameters_and_gets_the_same_gradient():
    # numpy integers are integers too
    timings = autodiff.time_gradients([[3, 2, 1], [4, 5, 5, 2]], examples=np.int64(8),
                                      repeats=np.int64(1))
    assert [t.parameters for t in timings] == [3 * 2 + 2 + 2 * 1 + 1,
                                              4 * 5 + 5 + 5 * 5 + 5 + 5 * 2 + 2]
    assert [t.sizes for t in timings] == [(3, 2, 1), (4, 5, 5, 2)]
    for t in timings:
        assert t.largest_difference < 1e-7  # finite differences agree with backprop
        assert min(t.forward, t.backprop, t.finite_differences) > 0


@pytest.mark.parametrize("collecting", [True, False])
def test_timed_loops_pause_the_garbage_collector_and_restore_it(collecting):
    import gc

    from bpnotes.autodiff import timing

    seen = []
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        timing._per_call(lambda: seen.append(gc.isenabled()), 3)
        assert seen == [False, False, False]      # no collection is charged to a call
        assert gc.isenabled() is collecting       # and the caller's setting is back
        with pytest.raises(ZeroDivisionError):
            timing._per_call(lambda: 1 / 0, 2)
        assert gc.isenabled() is collecting       # even when the timed call raises
    finally:
        (gc.enable if was else gc.disable)()


def test_in_forward_passes_divides_finite_differences_by_2p_forward_passes():
    timing = autodiff.GradientTiming((2, 3, 1), 13, forward=0.25, backprop=0.5,
                                     finite_differences=13.0, largest_difference=0.0)
    assert timing.in_forward_passes == 13.0 / (2 * 13 * 0.25)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"sizes_list": []}, ValueError),
        ({"sizes_list": [[2, 1]], "examples": 0}, ValueError),
        ({"sizes_list": [[2, 1]], "examples": 2.5}, TypeError),
        ({"sizes_list": [[2, 1]], "repeats": 0}, ValueError),
        ({"sizes_list": [[2, "a"]]}, TypeError),
        ({"sizes_list": ([2, 1] for _ in range(2))}, TypeError),
        ({"sizes_list": 3}, TypeError),
        ({"sizes_list": [[2, 1]], "examples": -2.5}, TypeError),
        ({"sizes_list": [[2, 1]], "seed": -1}, ValueError),
    ],
)
def test_time_gradients_rejects_bad_input(kwargs, error):
    with pytest.raises(error):
        autodiff.time_gradients(**kwargs)


# ------------------------------------------------------------------ symmetry
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
def test_equal_weights_keep_hidden_units_identical_and_random_ones_do_not(hidden):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    Y = rng.normal(size=(20, 1))
    equal = autodiff.equal_weights_network([3, 4, 4, 1], 0.5, hidden=hidden,
                                           output="identity", loss="squared")
    assert autodiff.hidden_unit_spread(equal) == [0.0, 0.0]
    equal.train(X, Y, lr=0.1, epochs=50, shuffle=False)
    assert max(autodiff.hidden_unit_spread(equal)) < 1e-12
    assert np.ptp(equal.weights[0]) > 1e-3  # the weights did move
    random = MLP([3, 4, 4, 1], hidden=hidden, output="identity", loss="squared", seed=0)
    random.train(X, Y, lr=0.1, epochs=50, shuffle=False)
    assert min(autodiff.hidden_unit_spread(random)) > 0.1


def test_symmetry_helpers_reject_bad_input():
    with pytest.raises(ValueError):
        autodiff.equal_weights_network([2, 2, 1], float("nan"))
    with pytest.raises(ValueError):
        autodiff.equal_weights_network([2, 2, 1], "0.5")
    with pytest.raises(TypeError):
        autodiff.hidden_unit_spread([[1.0]])


# ------------------------------------------------------------------ the benchmark script
def test_benchmark_script_runs_in_smoke_mode():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_autodiff.py"), "--smoke"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "finite differences / backprop" in result.stdout
