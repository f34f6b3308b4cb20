"""Per-op overhead: ((x * 2 + 1).relu() * x).sum().backward() on a 10-element tensor, ember vs torch.

Run: python benchmarks/bench_overhead.py [--write]
Both frameworks are timed in one process, interleaved, and the median of the repeats is reported.
"""
import argparse
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ember  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def step_fn(mod):
    x = mod.randn(10, requires_grad=True)

    def step():
        ((x * 2 + 1).relu() * x).sum().backward()
    return step


def measure(repeats=15, number=2000):
    fns = {"ember": step_fn(ember)}
    if torch is not None:
        fns["torch"] = step_fn(torch)
    times = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timeit.timeit(fn, number=number) / number * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = ap.parse_args()
    t = measure()
    lines = ["| framework | µs per step |", "| --- | --- |"]
    lines += [f"| {k} | {v:.1f} |" for k, v in t.items()]
    if "torch" in t:
        lines.append(f"\nratio ember/torch: **{t['ember'] / t['torch']:.2f}** "
                     f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
    table = "\n".join(lines)
    print(table)
    if args.write:
        from _results import update_section
        update_section("Per-op overhead", "Command: `python benchmarks/bench_overhead.py --write`\n\n"
                       "`((x * 2 + 1).relu() * x).sum().backward()`, x of 10 elements, median of "
                       "15 interleaved repeats of 2000 steps.\n\n" + table)


if __name__ == "__main__":
    main()
