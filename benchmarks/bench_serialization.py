"""Save and load time of a 100 MB state dict, ember vs torch, and ember's memory peak while loading.

Run: python benchmarks/bench_serialization.py [--write]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import _common
import numpy as np

import ember

torch = _common.import_torch()

MB = 1 << 20


def state_dict_arrays(total_mb=100):
    """A ResNet-like mix: a few big matrices and many small vectors, float32, total_mb in all."""
    rng = np.random.default_rng(0)
    arrays, left, i = {}, total_mb * MB // 4, 0
    while left > 0:
        n = min(left, 2_000_000 if i % 4 == 0 else 40_000)
        arrays[f"layer{i}.weight"] = rng.standard_normal(n).astype(np.float32)
        left -= n
        i += 1
    return arrays


_PEAK_PROBE = """
import sys, ember
def kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
before = kib("VmRSS:")
state = ember.load(sys.argv[1])
print(kib("VmHWM:") - before)
"""


def load_peak_bytes(path):
    """Peak resident memory that ember.load adds, measured in a fresh process (Linux /proc):
    it counts NumPy and mmap'd buffers alike, which tracemalloc would not."""
    out = subprocess.run([sys.executable, "-c", _PEAK_PROBE, path], capture_output=True,
                         text=True, check=True, cwd=_common.ROOT)
    return int(out.stdout.strip())


def timed(fn, repeats=5):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    arrays = state_dict_arrays()
    nbytes = sum(a.nbytes for a in arrays.values())
    e_sd = {k: ember.from_numpy(v) for k, v in arrays.items()}
    rows = []
    with tempfile.TemporaryDirectory() as d:
        ep, tp = os.path.join(d, "e.pt"), os.path.join(d, "t.pt")
        e_save = timed(lambda: ember.save(e_sd, ep))
        e_load = timed(lambda: ember.load(ep))
        peak = load_peak_bytes(ep)
        rows.append(("ember", e_save, e_load))
        rows.append(("ember, mmap=True", float("nan"), timed(lambda: ember.load(ep, mmap=True))))
        if torch is not None:
            t_sd = {k: torch.from_numpy(v) for k, v in arrays.items()}
            t_save = timed(lambda: torch.save(t_sd, tp))
            t_load = timed(lambda: torch.load(tp))
            rows.append(("torch", t_save, t_load))
    table = _common.markdown_table(["framework", "save (s)", "load (s)"],
                                   [[n, "-" if s != s else f"{s:.3f}", f"{lo:.3f}"] for n, s, lo in rows])
    notes = [f"State dict: {len(arrays)} float32 tensors, {nbytes / MB:.0f} MB; median of 5, "
             "page cache warm. ember.save fsyncs before its atomic rename; torch.save does not. "
             "ember.load(mmap=True) maps the file copy-on-write: tensors page in on first use, "
             "so its time is not a full read."]
    if torch is not None:
        notes.append(f"Ratios ember/torch: save **{rows[0][1] / rows[-1][1]:.2f}**, "
                     f"load **{rows[0][2] / rows[-1][2]:.2f}** (target: at most 1.5).")
    notes.append(f"ember.load peak resident memory added (fresh process): {peak / MB:.0f} MB = "
                 f"**{peak / nbytes:.2f}x** the tensors' size (target: at most 1.5x).")
    title = "Checkpoint save/load (issue 5)"
    body = _common.report(title, _common.command_line(), _common.environment(torch), table,
                          ["\n".join(notes)])
    print(body)
    if args.write:
        _common.write_section(title, body)


if __name__ == "__main__":
    main()
