"""A ResNet-18 training step (SGD with momentum and weight decay, cross entropy, batch 32): ember
vs torch, each framework in its own process.

ember runs ember.vision.models.resnet18; torch runs torchvision's resnet18 where torchvision
imports, else the plain torch.nn ResNet-18 of tests/vision/_torch_resnet.py (torchvision's layer
for layer; tests/vision/test_models.py checks it against torchvision's state dict). The processes
alternate ember, torch (3 pairs) and a ratio is the median of the pair ratios (NOTE [ Timing on a
shared machine ] in benchmarks/_common.py), with torch's default threads here and single-threaded.
The torch processes run TORCH_PYTHON (default: this interpreter).

Run: python benchmarks/bench_resnet.py [--batch 32] [--size 224] [--iters 5] [--pairs 3]
                                       [--threads 2 1] [--write]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

import _common

TITLE = "bench_resnet: ResNet-18 training step (issue 10)"


def build(framework):
    """(library, ResNet-18 model, which implementation) in this process."""
    if framework == "ember":
        import ember as lib
        import ember.optim  # noqa: F401  (used as lib.optim)
        from ember.vision import models
        return lib, models.resnet18(), "ember.vision.models.resnet18"
    import torch as lib
    lib.set_num_threads(int(os.environ.get("THREADS", "2")))
    try:
        from torchvision import models
    except ImportError:
        from tests.vision._torch_resnet import torch_resnet18
        return lib, torch_resnet18(lib), "plain torch.nn ResNet-18 (torchvision not installed)"
    return lib, models.resnet18(), "torchvision.models.resnet18"


def worker(framework, batch, size, iters):
    """The child process: time one framework's training step; print `median_us=<x>`."""
    lib, model, _ = build(framework)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 3, size, size)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 1000, batch))
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    criterion = lib.nn.CrossEntropyLoss()
    model.train()

    def step():
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()

    for _ in range(2):  # warm-up: buffers, momentum state
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(f"median_us={statistics.median(times) * 1e6:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=224, help="image side (ImageNet's 224)")
    ap.add_argument("--iters", type=int, default=5, help="timed steps per process")
    ap.add_argument("--pairs", type=int, default=3, help="ember/torch process pairs")
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS),
                    default=list(_common.THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", nargs=4, metavar=("FRAMEWORK", "BATCH", "SIZE", "ITERS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], *map(int, args.worker[1:]))
        return
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    probe = subprocess.run(
        [pythons[1], "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
         "from bench_resnet import build; print(build('torch')[2])", _common.ROOT + "/benchmarks"],
        capture_output=True, text=True, cwd=_common.ROOT, env=_common.child_env("1"))
    if probe.returncode:
        print(f"bench_resnet: no torch in {pythons[1]} (set TORCH_PYTHON)\n{probe.stderr}",
              file=sys.stderr)
        sys.exit(2)
    env = _common.process_environment(*pythons)
    env["torch model"] = probe.stdout.strip()
    env["case"] = (f"batch {args.batch}, 3x{args.size}x{args.size} random images, 1000 classes, "
                   f"SGD(lr=0.1, momentum=0.9, weight_decay=1e-4), {args.iters} timed steps "
                   "after 2 warm-up steps per process")
    argv = [os.path.abspath(__file__), "--worker", "{fw}", str(args.batch), str(args.size),
            str(args.iters)]
    rows = []
    for setting in args.threads:
        label = _common.THREAD_SETTINGS[setting][0]
        print(f"== {label}", flush=True)
        before = _common.load_average()
        runs = _common.alternating(pythons, lambda fw: [a.format(fw=fw) for a in argv],
                                   _common.child_env(setting), args.pairs)
        pairs = [(e["median_us"], t["median_us"], e["median_us"] / t["median_us"])
                 for e, t in runs]
        rows.append([label, f"{statistics.median(p[0] for p in pairs) / 1e3:.1f}",
                     f"{statistics.median(p[1] for p in pairs) / 1e3:.1f}",
                     f"**{statistics.median(p[2] for p in pairs):.2f}x**",
                     ", ".join(f"{p[2]:.2f}" for p in pairs),
                     f"{before} / {_common.load_average()}"])
        print(" | ".join(rows[-1]), flush=True)
    table = _common.markdown_table(
        ["threads", "ember median ms", "torch median ms", "ratio", "pair ratios",
         "load avg (1, 5, 15 min) before / after"], rows)
    body = _common.report(
        TITLE, _common.command_line(), env, table,
        ["One training step: zero_grad, forward, cross entropy, backward, SGD step. Each "
         f"framework in its own process, alternating ({args.pairs} pairs); each process's median "
         "step; the ratio is the median of the pair ratios (ember / torch)."])
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
