"""Per-op time of the small ops real models run, ember against torch: one call's forward (and
the graph it records) on small tensors, where the bookkeeping around NumPy's kernels - argument
checks, Op.apply, the result's Tensor - is most of the time.

The tensors are those of small models: activations of (8, 16, 32) float32 requiring grad (a
transformer's batch of 8 sequences of 16 tokens, width 32), logits of (32, 27) (makemore's
minibatch), int64 indices, and weights of (64, 32). Every op runs in one child process per
framework; the children alternate ember, torch (3 pairs, NOTE [ Timing on a shared machine ] in
benchmarks/_common.py) and each reports, per op, the fastest of 7 repeats of 500 calls; the ratio
is the median of the pair ratios. Single-threaded by default: at these sizes neither framework
splits work over threads.

Run: python benchmarks/bench_ops.py [--pairs 3] [--threads 1 2] [--write]
"""
import argparse
import os
import statistics
import sys
import timeit

import numpy as np

import _common

TITLE = "bench_ops: per-op time on small tensors"


def cases(lib):
    """name -> a call of `lib` (ember or torch), on tensors made here."""
    F = lib.nn.functional
    rng = np.random.default_rng(0)

    def t(*shape, grad=True):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=grad)

    x, x_const, w, b = t(8, 16, 32), t(8, 16, 32, grad=False), t(64, 32), t(64)
    logits, classes = t(32, 27), lib.tensor(rng.integers(0, 27, 32))
    table, rows = t(27, 10), lib.tensor(rng.integers(0, 27, (32, 3)))
    square, mask = t(16, 16, grad=False), lib.tensor(rng.random((16, 16)) > 0.5)
    h, ln_w, ln_b = t(8, 32), t(32), t(32)
    return {
        "x * x": lambda: x * x,
        "x + 1.0": lambda: x + 1.0,
        "x.sum()": lambda: x.sum(),
        "x.mean(-1, True)": lambda: x.mean(-1, True),
        "x.exp()": lambda: x.exp(),
        "torch.tanh(x)": lambda: lib.tanh(x),
        "torch.sigmoid(x)": lambda: lib.sigmoid(x),
        "F.relu(x)": lambda: F.relu(x),
        "F.gelu(x)": lambda: F.gelu(x),
        "F.leaky_relu(x, 0.2)": lambda: F.leaky_relu(x, 0.2),
        "F.softmax(x, -1)": lambda: F.softmax(x, -1),
        "F.log_softmax(logits, 1)": lambda: F.log_softmax(logits, 1),
        "F.cross_entropy(logits, classes)": lambda: F.cross_entropy(logits, classes),
        "F.linear(x, w, b)": lambda: F.linear(x, w, b),
        "F.layer_norm(x, (32,), w, b)": lambda: F.layer_norm(x, (32,), ln_w, ln_b),
        "x @ x.transpose(1, 2)": lambda: x @ x.transpose(1, 2),
        "h @ w.t()": lambda: h @ w.t(),
        "x.view(8, 16, 4, 8)": lambda: x.view(8, 16, 4, 8),
        "x.reshape(8, -1)": lambda: x.reshape(8, -1),
        "x.transpose(1, 2)": lambda: x.transpose(1, 2),
        "x.permute(0, 2, 1)": lambda: x.permute(0, 2, 1),
        "x.unsqueeze(1)": lambda: x.unsqueeze(1),
        "x.chunk(4, -1)": lambda: x.chunk(4, -1),
        "torch.cat([x, x], 2)": lambda: lib.cat([x, x], 2),
        "torch.stack([h, h])": lambda: lib.stack([h, h]),
        "x[:, -1, :]": lambda: x[:, -1, :],
        "x[:, :8]": lambda: x[:, :8],
        "rows[classes]": lambda: rows[classes],
        "table[rows]": lambda: table[rows],
        "square.masked_fill(mask, -inf)": lambda: square.masked_fill(mask, float("-inf")),
        "torch.randint(0, 1000, (32,))": lambda: lib.randint(0, 1000, (32,)),
        "torch.zeros_like(x_const)": lambda: lib.zeros_like(x_const),
        "x.detach()": lambda: x.detach(),
    }


def worker():
    lib = __import__(os.environ["FRAMEWORK"])
    if lib.__name__ == "torch":
        lib.set_num_threads(int(os.environ.get("THREADS", "1")))
    for name, call in cases(lib).items():
        best = min(timeit.repeat(call, number=500, repeat=7)) / 500
        print(f"{name}={best * 1e6:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3, help="ember/torch process pairs")
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS), default=["1"])
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker()
        return
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    env = _common.process_environment(*pythons)
    env["ember core"] = _common.ember_core(pythons[0])
    rows = []
    for setting in args.threads:
        threads = _common.THREAD_SETTINGS[setting][0]
        before = _common.load_average()
        child = _common.child_env(setting)
        runs = []
        for _ in range(args.pairs):
            pair = []
            for fw, python in zip(("ember", "torch"), pythons):
                child["FRAMEWORK"] = fw
                pair.append(_common.child_values(python, [os.path.abspath(__file__),
                                                          "--worker"], child))
            runs.append(pair)
        load = f"{before} / {_common.load_average()}"
        for name in runs[0][0]:
            ratios = [e[name] / t[name] for e, t in runs]
            rows.append([threads.split(":")[0], f"`{name}`",
                         f"{statistics.median(e[name] for e, _ in runs):.2f}",
                         f"{statistics.median(t[name] for _, t in runs):.2f}",
                         f"**{statistics.median(ratios):.2f}x**",
                         ", ".join(f"{r:.2f}" for r in ratios), load])
    headers = ["threads", "op", "ember µs", "torch µs", "ratio", "pair ratios",
               "load avg (1, 5, 15 min) before / after"]
    notes = [f"{_common.THREADS_NOTE} Each op's fastest of 7 repeats of 500 calls in one process "
             "per framework, the processes alternating ember, torch "
             f"({args.pairs} pairs); the ratio is the median of the pair ratios (ember / torch). "
             "The tensors are described in benchmarks/bench_ops.py."]
    body = _common.report(TITLE, _common.command_line(), env,
                          _common.markdown_table(headers, rows), notes)
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
