"""conv2d forward + backward at the CIFAR-10 tutorial network's two conv shapes: ember vs torch.

Each framework runs in its own process, alternating ember, torch (3 pairs); a ratio is the median
of the pair ratios (NOTE [ Timing on a shared machine ] in benchmarks/_common.py), with torch's
default threads here and single-threaded. The torch processes run TORCH_PYTHON (default: this
interpreter).

Run: python benchmarks/bench_conv.py [--batches 4 64 256] [--threads 2 1] [--write]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

import _common

# (name, in channels, out channels, image size, input needs a gradient): conv1 sees the data,
# which needs no gradient; conv2 sees a pooled activation, which does.
SHAPES = [("conv1 3->6 5x5 on 32x32", 3, 6, 32, False),
          ("conv2 6->16 5x5 on 14x14", 6, 16, 14, True)]
PAIRS = 3
TITLE = "bench_conv: conv2d forward + backward"


def make_case(m, batch, c_in, c_out, size, input_grad):
    """One forward + backward of m.nn.functional.conv2d (m is ember or torch), grads reset."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((batch, c_in, size, size)).astype(np.float32))
    w = m.tensor(rng.standard_normal((c_out, c_in, 5, 5)).astype(np.float32) * 0.1)
    b = m.tensor(rng.standard_normal(c_out).astype(np.float32))
    x.requires_grad_(input_grad)
    w.requires_grad_()
    b.requires_grad_()
    gy = m.tensor(rng.standard_normal((batch, c_out, size - 4, size - 4)).astype(np.float32))
    conv2d = m.nn.functional.conv2d

    def run():
        x.grad = w.grad = b.grad = None
        conv2d(x, w, b).backward(gy)
    return run


def worker(framework, batch, shape):
    """The child process: time one framework on one case; print `median_us=<x>`."""
    if framework == "torch":
        import torch as m
        m.set_num_threads(int(os.environ.get("THREADS", "2")))
    else:
        import ember as m
        import ember.nn.functional  # noqa: F401  (used as m.nn.functional)
    run = make_case(m, batch, *SHAPES[shape][1:])
    for _ in range(3):
        run()
    times, start = [], time.perf_counter()
    while len(times) < 15 or time.perf_counter() - start < 0.5:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    print(f"median_us={statistics.median(times) * 1e6:.2f}")


def measure(batch, shape, setting, pythons):
    """PAIRS alternating ember/torch processes: one table row."""
    before = _common.load_average()
    runs = _common.alternating(
        pythons, lambda fw: [os.path.abspath(__file__), "--worker", fw, str(batch), str(shape)],
        _common.child_env(setting), PAIRS)
    pairs = [(e["median_us"], t["median_us"], e["median_us"] / t["median_us"]) for e, t in runs]
    row = [SHAPES[shape][0], batch,
           f"{statistics.median(p[0] for p in pairs) / 1e3:.2f}",
           f"{statistics.median(p[1] for p in pairs) / 1e3:.2f}",
           f"**{statistics.median(p[2] for p in pairs):.2f}x**",
           ", ".join(f"{p[2]:.2f}" for p in pairs),
           f"{before} / {_common.load_average()}"]
    print(" | ".join(str(c) for c in row), flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, nargs="+", default=[4, 64, 256])
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS),
                    default=list(_common.THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", nargs=3, metavar=("FRAMEWORK", "BATCH", "SHAPE"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    if subprocess.run([pythons[1], "-c", "import torch"], capture_output=True).returncode:
        print(f"bench_conv: no torch in {pythons[1]} (set TORCH_PYTHON)", file=sys.stderr)
        sys.exit(2)
    env = _common.process_environment(*pythons)
    parts = []
    for setting in args.threads:
        print(f"== {_common.THREAD_SETTINGS[setting][0]}", flush=True)
        rows = [measure(batch, shape, setting, pythons)
                for batch in args.batches for shape in range(len(SHAPES))]
        parts += [f"### {_common.THREAD_SETTINGS[setting][0]}", "", _common.markdown_table(
            ["shape", "batch", "ember median ms", "torch median ms", "ratio", "pair ratios",
             "load avg (1, 5, 15 min) before / after"], rows), ""]
    body = _common.report(
        TITLE, _common.command_line(), env, "\n".join(parts).rstrip(),
        ["Forward, then backward of a fixed random output gradient; gradients for weight, bias "
         "and (conv2 only) the input. Each framework in its own process, alternating (3 pairs); "
         "each process's median over at least 15 calls and 0.5 s; the ratio is the median of "
         "the pair ratios (ember / torch)."])
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
