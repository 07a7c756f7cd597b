"""Benchmarks 1 and 2: an MLP training step, bpnotes against PyTorch and against raw matmul.

One training step is: forward pass, loss, backward pass, and a plain SGD update of every
weight and bias, on one mini-batch of m examples. Both libraries get the same layer sizes,
the same dtype, ReLU hidden layers and the same loss (sigmoid + log loss for one output,
softmax + cross-entropy for ten), and PyTorch runs on the CPU with as many threads as
numpy's BLAS: both with one thread, then both with numpy's default thread count. The two
are timed alternately, repetition by repetition, so that a change in machine load affects
both. Each time reported is the best of the repetitions
(the advice of Python's ``timeit``: slower repetitions measure interference from other
programs, not the code); the median of the per-repetition ratios is stored too.

The FLOP count of a step is that of its matrix products: for every layer l, z = a W^T
(2 m n_l n_{l-1}) and the weight gradient delta^T a (the same), and for every layer but the
first, the backpropagated delta W (the same again). The "raw matmul" reference runs exactly
those products with numpy on arrays of the same shapes and nothing else, so
raw time / step time is the fraction of the machine's matmul throughput that a training
step achieves. The same products run bare in PyTorch (its own BLAS, e.g. MKL, where numpy
uses OpenBLAS) give PyTorch's share of its step in the same way; all four (two steps, two
sets of bare products) are timed alternately.

Every batch of calls is timed by two clocks, the one the rows are reported in (CPU time of
the process for one thread, wall time for more) and the wall clock, so that a row with
several threads can be compared with the same row with one thread on the same clock.

Benchmark 1b compares a plain ``MLP.train`` call with the same updates taken one
``MLP.step`` call at a time (same network, same batches in the same order, no shuffling):
the cost of what ``train`` adds around the steps (the cost before training, the divergence
check, the bookkeeping), which issue 10 bounds at 10 %. A plain call records for each
epoch the mean of the batch costs that its forward passes compute anyway
(``epoch_cost="batches"``), which ``step`` returns too. A second pair compares
``train(..., epoch_cost="full")``, which records the exact cost of all m examples after
every epoch, with the same steps plus the same ``MLP.cost`` calls (what a reader would
write to get that history by hand): with mini-batches each of those costs is a forward pass
over the data that the steps never make (about a third to a half of an epoch's work);
with the full batch ``train`` takes it from the forward pass of the next update. All
four start from the same weights on every call, and the setup checks that they end at
the same weights (the same steps, really) with the same loss histories.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from bpnotes import MLP

#: (layer sizes, batch size m) of the full benchmark, and of the smoke test.
SHAPES: list[tuple[tuple[int, ...], int]] = [
    ((2, 16, 16, 1), 64),
    ((64, 128, 64, 10), 256),
    ((784, 256, 256, 10), 256),
]
SMOKE_SHAPES: list[tuple[tuple[int, ...], int]] = [((2, 4, 1), 8), ((6, 8, 3), 16)]
DTYPES = ("float64", "float32")
LR = 0.01

#: (layer sizes, examples m, batch size or None for the full batch, epochs per call) of
#: benchmark 1b, train against step, and of its smoke test.
TRAIN_SHAPES: list[tuple[tuple[int, ...], int, int | None, int]] = [
    ((2, 16, 16, 1), 256, None, 40),
    ((2, 16, 16, 1), 256, 32, 5),
    ((64, 128, 64, 10), 1024, None, 10),
    ((64, 128, 64, 10), 1024, 64, 5),
]
SMOKE_TRAIN_SHAPES: list[tuple[tuple[int, ...], int, int | None, int]] = [
    ((2, 4, 1), 16, None, 3), ((2, 4, 1), 16, 4, 2),
]
#: The bound of issue 10: a plain train call costs at most this much more than its steps.
TRAIN_OVERHEAD_TARGET = 1.10


def problem(
    sizes: Sequence[int], m: int, dtype: str, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random inputs X (m, n0), targets Y for bpnotes and integer labels for PyTorch."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    k = sizes[-1]
    labels = rng.integers(0, 2 if k == 1 else k, size=m)
    Y = labels[:, None].astype(dtype) if k == 1 else np.eye(k, dtype=dtype)[labels]
    return X, Y, labels


def bpnotes_net(sizes: Sequence[int], dtype: str) -> MLP:
    output, loss = ("sigmoid", "log") if sizes[-1] == 1 else ("softmax", "cross_entropy")
    return MLP(list(sizes), hidden="relu", output=output, loss=loss, init="he",
               dtype=np.dtype(dtype).type)


def torch_model(net: MLP):
    """The same network in PyTorch, starting from bpnotes' weights; returns (model, loss fn)."""
    import torch

    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    layers: list[torch.nn.Module] = []
    for W, b in zip(net.weights, net.biases, strict=True):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.copy()))
            linear.bias.copy_(torch.from_numpy(b.copy()))
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    loss = torch.nn.BCEWithLogitsLoss() if net.sizes[-1] == 1 else torch.nn.CrossEntropyLoss()
    return model, loss


def steps(sizes: Sequence[int], m: int, dtype: str) -> dict[str, Callable[[], object]]:
    """One training step of bpnotes, of PyTorch, and the step's raw numpy matmuls.

    Before returning, checks that both libraries compute the same loss from the same
    weights (so that they really are timed on the same problem).
    """
    import torch

    X, Y, labels = problem(sizes, m, dtype)
    net = bpnotes_net(sizes, dtype)
    model, loss_fn = torch_model(net)
    Xt = torch.from_numpy(X)
    Tt = torch.from_numpy(Y) if sizes[-1] == 1 else torch.from_numpy(labels)
    optimiser = torch.optim.SGD(model.parameters(), lr=LR)
    with torch.no_grad():
        torch_loss = float(loss_fn(model(Xt), Tt))
    ours = net.cost(X, Y)
    tolerance = 1e-4 if dtype == "float32" else 1e-10
    if not np.isclose(ours, torch_loss, rtol=tolerance, atol=tolerance):
        raise AssertionError(f"bpnotes loss {ours} != PyTorch loss {torch_loss} for {sizes}")

    def bpnotes_step() -> None:
        net.step(X, Y, LR)

    def torch_step() -> None:
        optimiser.zero_grad(set_to_none=True)
        loss_fn(model(Xt), Tt).backward()
        optimiser.step()

    rng = np.random.default_rng(1)
    weights = [rng.standard_normal((o, i)).astype(dtype) for i, o in zip(sizes, sizes[1:])]
    inputs = [rng.standard_normal((m, n)).astype(dtype) for n in sizes[:-1]]
    deltas = [rng.standard_normal((m, n)).astype(dtype) for n in sizes[1:]]

    def matmuls() -> None:
        for layer, (W, A, D) in enumerate(zip(weights, inputs, deltas, strict=True)):
            A @ W.T  # forward: z = a W^T
            D.T @ A  # weight gradient: delta^T a
            if layer:
                D @ W  # the delta handed to the layer below

    torch_arrays = [[torch.from_numpy(a) for a in group] for group in (weights, inputs, deltas)]

    def torch_matmuls() -> None:
        for layer, (W, A, D) in enumerate(zip(*torch_arrays, strict=True)):
            A @ W.T
            D.T @ A
            if layer:
                D @ W

    return {"bpnotes": bpnotes_step, "torch": torch_step, "matmul": matmuls,
            "torch_matmul": torch_matmuls}


def train_and_steps(
    sizes: Sequence[int], m: int, batch_size: int | None, epochs: int, dtype: str = "float64"
) -> dict[str, Callable[[], object]]:
    """``MLP.train`` for ``epochs`` epochs, plain and with ``epoch_cost="full"``, the same
    updates as ``MLP.step`` calls, and those calls plus ``MLP.cost`` on all the data before
    training and after every epoch.

    All four restart from the same initial weights on every call. Before returning,
    checks that one call of each ends at the same weights, and that each ``train`` call
    records the history its hand-written counterpart gives: the mean of the costs ``step``
    returned in each epoch, or the ``cost`` after it.
    """
    X, Y, _ = problem(sizes, m, dtype)
    size = m if batch_size is None else batch_size
    batches = [np.arange(start, min(start + size, m)) for start in range(0, m, size)]
    sizes_of = np.array([len(index) for index in batches])
    start = bpnotes_net(sizes, dtype)
    trained, trained_full, stepped, costed = (bpnotes_net(sizes, dtype) for _ in range(4))
    histories: dict[str, np.ndarray] = {}

    def restart(net: MLP) -> None:
        for p, p0 in zip(net.weights + net.biases, start.weights + start.biases, strict=True):
            p[...] = p0

    def train() -> None:
        restart(trained)
        histories["train"] = trained.train(X, Y, LR, epochs, batch_size=batch_size,
                                           shuffle=False).losses

    def train_full() -> None:
        restart(trained_full)
        histories["train_full"] = trained_full.train(
            X, Y, LR, epochs, batch_size=batch_size, shuffle=False, epoch_cost="full").losses

    def step_through(net: MLP, with_costs: bool) -> list[float]:
        """The steps; returns the costs ``step`` returned, or with ``with_costs`` the cost
        before training and after every epoch."""
        restart(net)
        history = [net.cost(X, Y)] if with_costs else []
        for _ in range(epochs):
            if batch_size is None:
                history.append(net.step(X, Y, LR))
            else:
                for index in batches:
                    history.append(net.step(X[index], Y[index], LR))
            if with_costs:
                history.append(net.cost(X, Y))
        return history

    def steps() -> None:
        histories["steps"] = np.array(step_through(stepped, with_costs=False))

    def steps_and_costs() -> None:
        histories["steps_and_costs"] = np.array(step_through(costed, with_costs=True))

    functions = {"train": train, "steps": steps, "train_full": train_full,
                 "steps_and_costs": steps_and_costs}
    for function in functions.values():
        function()
    for net in (trained_full, stepped, costed):
        for a, b in zip(trained.weights + trained.biases, net.weights + net.biases,
                        strict=True):
            if not np.allclose(a, b, rtol=1e-10, atol=1e-12):
                raise AssertionError(f"train and step end at different weights for {sizes}")
    epoch_means = histories["steps"].reshape(epochs, -1) @ sizes_of / m
    full_costs = histories["steps_and_costs"][1:].reshape(epochs, len(batches) + 1)[:, -1]
    if not (np.allclose(histories["train"][1:], epoch_means, rtol=1e-10)
            and np.allclose(histories["train_full"][1:], full_costs, rtol=1e-10)
            and np.allclose(histories["train_full"][0], histories["steps_and_costs"][0])):
        raise AssertionError(f"train and step record different costs for {sizes}")
    return functions


def run_train(smoke: bool = False) -> dict[str, object]:
    """Benchmark 1b: time of a plain ``MLP.train`` / time of the same ``MLP.step`` calls,
    and of ``train(..., epoch_cost="full")`` / those calls plus the same ``MLP.cost`` calls.

    One BLAS thread and CPU time, as for the single-threaded rows of benchmark 1; the
    four are timed in turn, repetition by repetition. The ratios reported are best /
    best; the medians of the per-repetition ratios are stored too.
    """
    from threadpoolctl import threadpool_limits

    shapes = SMOKE_TRAIN_SHAPES if smoke else TRAIN_SHAPES
    repeats, batch_time = (2, 0.002) if smoke else (30, 0.05)
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for sizes, m, batch_size, epochs in shapes:
            t, _ = time_interleaved(train_and_steps(sizes, m, batch_size, epochs), repeats,
                                    batch_time, time.process_time)
            best = {name: float(np.min(v)) for name, v in t.items()}
            rows.append({
                "sizes": list(sizes), "m": m, "batch_size": batch_size, "epochs": epochs,
                "steps_per_call": epochs * (1 if batch_size is None else -(-m // batch_size)),
                "train_ms": 1e3 * best["train"], "steps_ms": 1e3 * best["steps"],
                "ratio": best["train"] / best["steps"],
                "ratio_median": float(np.median(t["train"] / t["steps"])),
                "train_full_ms": 1e3 * best["train_full"],
                "steps_and_costs_ms": 1e3 * best["steps_and_costs"],
                "ratio_full": best["train_full"] / best["steps_and_costs"],
                "ratio_full_median": float(np.median(t["train_full"] / t["steps_and_costs"])),
            })
    return {"target": TRAIN_OVERHEAD_TARGET, "repeats": repeats, "dtype": "float64",
            "threads": 1, "rows": rows}


def step_flops(sizes: Sequence[int], m: int) -> int:
    """Floating-point operations in the matrix products of one training step."""
    products = [2 * m * n_in * n_out for n_in, n_out in zip(sizes, sizes[1:])]
    return 2 * sum(products) + sum(products[1:])


def time_interleaved(
    functions: dict[str, Callable[[], object]],
    repeats: int,
    batch_time: float,
    clock: Callable[[], float] = time.perf_counter,
    pause: float = 0.0,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Seconds per call of each function, one batch of calls each per repetition, in turn:
    by ``clock`` and by the wall clock (the same batches).

    The number of calls per batch is chosen (once, after a warm-up) so that one batch of
    the slowest function takes about ``batch_time`` seconds. ``clock`` is wall time by
    default; single-threaded runs use the process's CPU time, which time spent waiting
    while another program has the core does not inflate. ``pause`` seconds of sleep before
    every timed batch let the worker threads of the library that ran last stop spinning:
    with several threads, OpenBLAS's and PyTorch's idle workers keep polling for work for a
    moment after each call and would otherwise slow down whichever library runs next.
    """
    for f in functions.values():
        for _ in range(3):
            f()
    slowest = 0.0
    for f in functions.values():
        start = clock()
        f()
        slowest = max(slowest, clock() - start)
    calls = max(1, int(batch_time / max(slowest, 1e-7)))
    times: dict[str, list[float]] = {name: [] for name in functions}
    walls: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, f in functions.items():
            if pause:
                time.sleep(pause)
            wall = time.perf_counter()
            start = wall if clock is time.perf_counter else clock()
            for _ in range(calls):
                f()
            wall_end = time.perf_counter()
            end = wall_end if clock is time.perf_counter else clock()
            times[name].append((end - start) / calls)
            walls[name].append((wall_end - wall) / calls)
    return ({name: np.asarray(t) for name, t in times.items()},
            {name: np.asarray(t) for name, t in walls.items()})


def thread_counts() -> list[int]:
    """1, and the number of threads numpy's BLAS uses by default (if more than 1)."""
    from machine import blas_description

    default = int(blas_description()["threads"] or 1)
    return sorted({1, default})


def run(smoke: bool = False) -> dict[str, object]:
    """Measure every (threads, shape, dtype); returns rows for the results file.

    Each thread count is applied to both sides: numpy's BLAS through threadpoolctl and
    PyTorch through ``torch.set_num_threads``. One thread is the fairest comparison on a
    busy machine; all threads is what a reader gets by default.
    """
    import torch
    from threadpoolctl import threadpool_limits

    shapes = SMOKE_SHAPES if smoke else SHAPES
    # many short batches rather than a few long ones: the best of them is more likely to
    # fall in a moment when no other program is running
    repeats, batch_time = (2, 0.002) if smoke else (40, 0.02)
    rows = []
    default_torch_threads = torch.get_num_threads()
    for threads in thread_counts():
        torch.set_num_threads(threads)
        with threadpool_limits(limits=threads, user_api="blas"):
            for sizes, m in shapes:
                for dtype in DTYPES:
                    if threads == 1:
                        t, wall = time_interleaved(steps(sizes, m, dtype), repeats,
                                                   batch_time, time.process_time)
                    else:
                        t, wall = time_interleaved(steps(sizes, m, dtype),
                                                   max(2, repeats // 2), batch_time,
                                                   time.perf_counter,
                                                   pause=0.0 if smoke else 0.1)
                    rows.append(_row(sizes, m, dtype, threads, t, wall))
                    rows[-1]["clock"] = "cpu" if threads == 1 else "wall"
    torch.set_num_threads(default_torch_threads)
    return {"thread_counts": thread_counts(), "repeats": repeats, "hidden": "relu", "lr": LR,
            "rows": rows}


def _row(sizes, m, dtype, threads, t: dict[str, np.ndarray],
         wall: dict[str, np.ndarray]) -> dict[str, object]:
    flops = step_flops(sizes, m)
    best = {name: float(np.min(v)) for name, v in t.items()}
    best_wall = {name: float(np.min(v)) for name, v in wall.items()}
    return {
        "sizes": list(sizes),
        "m": m,
        "dtype": dtype,
        "threads": threads,
        "bpnotes_ms": 1e3 * best["bpnotes"],
        "torch_ms": 1e3 * best["torch"],
        "matmul_ms": 1e3 * best["matmul"],
        "ratio_vs_torch": best["bpnotes"] / best["torch"],
        "ratio_vs_torch_median": float(np.median(t["bpnotes"] / t["torch"])),
        "flops": flops,
        "bpnotes_gflops": flops / best["bpnotes"] / 1e9,
        "matmul_gflops": flops / best["matmul"] / 1e9,
        "fraction_of_matmul": best["matmul"] / best["bpnotes"],
        "torch_matmul_ms": 1e3 * best["torch_matmul"],
        "torch_fraction_of_matmul": best["torch_matmul"] / best["torch"],
        # the wall clock, for rows that must be compared across thread counts
        "bpnotes_wall_ms": 1e3 * best_wall["bpnotes"],
        "torch_wall_ms": 1e3 * best_wall["torch"],
    }
