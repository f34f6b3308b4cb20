"""Save and load time of a 100 MB state dict, ember vs torch, and ember's memory peak while loading.

Each framework runs in its own process, alternating ember, torch (3 pairs; NOTE [ Timing on a
shared machine ] in benchmarks/_common.py): in one process ember's import-time malloc settings
and torch's allocator would change each other's times. A ratio is the median of the pair ratios.
The torch processes run TORCH_PYTHON (default: this interpreter).

Run: python benchmarks/bench_serialization.py [--threads 2 1] [--write]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import _common

MB = 1 << 20
REPEATS = 5
PAIRS = 3
TITLE = "Checkpoint save/load (issue 5)"


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


def median_seconds(fn):
    out = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def worker(framework, folder):
    """The child process: save then load the state dict with one framework; print the medians."""
    if framework == "torch":
        import torch as m
        m.set_num_threads(int(os.environ.get("THREADS", "2")))
    else:
        import ember as m
    path = os.path.join(folder, f"{framework}.pt")
    state = {k: m.from_numpy(v) for k, v in state_dict_arrays().items()}
    print(f"save_s={median_seconds(lambda: m.save(state, path))}")
    print(f"load_s={median_seconds(lambda: m.load(path))}")
    if framework == "ember":
        print(f"mmap_load_s={median_seconds(lambda: m.load(path, mmap=True))}")


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


def load_peak_bytes(path, env):
    """Peak resident memory that ember.load adds, measured in a fresh process (Linux /proc):
    it counts NumPy and mmap'd buffers alike, which tracemalloc would not."""
    out = subprocess.run([sys.executable, "-c", _PEAK_PROBE, path], capture_output=True,
                         text=True, check=True, cwd=_common.ROOT, env=env)
    return int(out.stdout.strip())


def measure(setting, pythons, folder):
    """PAIRS alternating ember/torch processes under one thread setting: table rows, notes."""
    before = _common.load_average()
    env = _common.child_env(setting)
    runs = _common.alternating(pythons, lambda fw: [os.path.abspath(__file__), "--worker", fw,
                                                    folder], env, PAIRS)
    load = f"{before} / {_common.load_average()}"

    def med(side, key):
        return statistics.median(run[side][key] for run in runs)

    def pair_ratios(key):
        return [e[key] / t[key] for e, t in runs]
    rows = [["ember", f"{med(0, 'save_s'):.3f}", f"{med(0, 'load_s'):.3f}", load],
            ["ember, mmap=True", "-", f"{med(0, 'mmap_load_s'):.3f}", load],
            ["torch", f"{med(1, 'save_s'):.3f}", f"{med(1, 'load_s'):.3f}", load]]
    notes = [f"Ratios ember/torch ({_common.THREAD_SETTINGS[setting][0]}): save "
             f"**{statistics.median(pair_ratios('save_s')):.2f}x** (pairs "
             + ", ".join(f"{r:.2f}" for r in pair_ratios("save_s")) + "), load "
             f"**{statistics.median(pair_ratios('load_s')):.2f}x** (pairs "
             + ", ".join(f"{r:.2f}" for r in pair_ratios("load_s")) + "); target: at most 1.5x."]
    return rows, notes, env


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS),
                    default=list(_common.THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    if subprocess.run([pythons[1], "-c", "import torch"], capture_output=True).returncode:
        print(f"bench_serialization: no torch in {pythons[1]} (set TORCH_PYTHON)", file=sys.stderr)
        sys.exit(2)
    arrays = state_dict_arrays()
    nbytes = sum(a.nbytes for a in arrays.values())
    parts, notes = [], []
    with tempfile.TemporaryDirectory() as folder:
        for setting in args.threads:
            print(f"== {_common.THREAD_SETTINGS[setting][0]}", flush=True)
            rows, setting_notes, env = measure(setting, pythons, folder)
            parts += [f"### {_common.THREAD_SETTINGS[setting][0]}", "", _common.markdown_table(
                ["framework", "save (s)", "load (s)", "load avg (1, 5, 15 min) before / after"],
                rows), ""]
            notes += setting_notes
        peak = load_peak_bytes(os.path.join(folder, "ember.pt"), env)
    notes = [f"State dict: {len(arrays)} float32 tensors, {nbytes / MB:.0f} MB; each process's "
             f"median of {REPEATS} saves then {REPEATS} loads, page cache warm; the table's times "
             f"are medians over the {PAIRS} processes of each framework. ember.save fsyncs before "
             "its atomic rename; torch.save does not. ember.load(mmap=True) maps the file "
             "copy-on-write: tensors page in on first use, so its time is not a full read.",
             *notes,
             f"ember.load peak resident memory added (fresh process): {peak / MB:.0f} MB = "
             f"**{peak / nbytes:.2f}x** the tensors' size (target: at most 1.5x)."]
    body = _common.report(TITLE, _common.command_line(), _common.process_environment(*pythons),
                          "\n".join(parts).rstrip(), ["\n\n".join(notes)])
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
