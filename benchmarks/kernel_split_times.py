"""Whether a convolution kernel gains from ember's kernel threads: the LeNet's conv1 forward
(3 -> 6 channels, 5x5, 32x32 images) on NumPy arrays, whole and split in two over ember's
persistent kernel thread (NOTE [ Kernel threads ] in ember/ops/_threads.py), with the time each
part takes inside its thread. Ember alone (no ratio); OpenBLAS held at one thread, as inside
ember's split kernels. Parts that ran in parallel each take about the half batch's alone time;
parts that took turns on the GIL show one at that time and the other at about the whole's.

Run: python benchmarks/kernel_split_times.py [--batch 64] [--chunk-kib 1024]
     [--switch-interval 0.005] [--steps 300]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ember.ops import _conv_kernels, _threads  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--chunk-kib", type=int, default=_conv_kernels._CHUNK_BYTES >> 10)
    ap.add_argument("--switch-interval", type=float, default=sys.getswitchinterval(),
                    help="sys.setswitchinterval while the split runs (seconds)")
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    if _threads._BLAS is None:
        sys.exit("no OpenBLAS found: the kernels would not hold it at one thread")
    _conv_kernels._CHUNK_BYTES = args.chunk_kib << 10
    rng = np.random.default_rng(0)
    n = args.batch
    x = rng.standard_normal((n, 3, 32, 32)).astype(np.float32)
    w = rng.standard_normal((6, 3, 5, 5)).astype(np.float32)
    bias = rng.standard_normal(6).astype(np.float32)
    geo = _conv_kernels._Geometry((5, 5), (1, 1), (1, 1), ((0, 0), (0, 0)))
    lay = _conv_kernels._Layout(geo, (32, 32), (28, 28), 4)
    y = np.empty((n, 6, 28, 28), np.float32)
    _threads._BLAS[1](1)

    def part(lo, hi):
        start = time.perf_counter()
        _conv_kernels._forward_range(np, x, w, bias, geo, lay, y, lo, hi)
        return time.perf_counter() - start

    def split():
        saved = sys.getswitchinterval()
        sys.setswitchinterval(args.switch_interval)
        try:
            return _threads._split(part, n, 2)
        finally:
            sys.setswitchinterval(saved)

    runs = {"whole": lambda: [part(0, n)], "half alone": lambda: [part(0, n // 2)],
            "split in two": split}
    print(f"conv1 forward, batch {n}, chunks of {args.chunk_kib} KiB, switch interval "
          f"{args.switch_interval} s (ms: the call's median, then each part's)")
    for name, run in runs.items():
        totals, parts = [], []
        for step in range(args.steps):
            start = time.perf_counter()
            got = run()
            if step >= args.steps // 10:  # warm-up left out
                totals.append(time.perf_counter() - start)
                parts.append(got)
        per_part = [statistics.median(p[i] for p in parts) * 1e3 for i in range(len(parts[0]))]
        print(f"  {name:13s} {statistics.median(totals) * 1e3:7.3f}   parts "
              + " ".join(f"{t:.3f}" for t in per_part))


if __name__ == "__main__":
    main()
