"""A ResNet training step (SGD with momentum and weight decay, cross entropy): ember vs torch, each
framework in its own process.

--model resnet18 (the default; batch 32 at 224x224): ember runs ember.vision.models.resnet18;
torch runs torchvision's resnet18 where torchvision imports, else the plain torch.nn ResNet-18 of
tests/vision/_torch_resnet.py (torchvision's layer for layer; tests/vision/test_models.py checks it
against torchvision's state dict). --model resnet20: the CIFAR ResNet-20 of He et al. (3 stages of
3 basic blocks, 16/32/64 channels, BatchNorm, 1x1 projection shortcuts; give --size 32 --batch
128), built below from either framework's nn. The processes alternate ember, torch (3 pairs) and
a ratio is the median of the pair ratios (NOTE [ Timing on a shared machine ] in
benchmarks/_common.py), with torch's default threads here and single-threaded. The torch
processes run TORCH_PYTHON (default: this interpreter).

Run: python benchmarks/bench_resnet.py [--model resnet18|resnet20] [--batch 32] [--size 224]
                                       [--iters 5] [--pairs 3] [--threads 2 1] [--write]
"""
import argparse
import os
import statistics
import subprocess
import sys

import numpy as np

import _common
from tests.nn._networks import basic_block

TITLES = {"resnet18": "bench_resnet: ResNet-18 training step (issue 10)",
          "resnet20": "bench_resnet: CIFAR ResNet-20 training step (issue 11)"}
CLASSES = {"resnet18": 1000, "resnet20": 10}


def resnet20(lib):
    """He et al.'s CIFAR ResNet-20 from lib's nn (the same code builds both frameworks' models)."""
    nn, block = lib.nn, basic_block(lib)
    blocks, cin = [], 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            blocks.append(block(cin, cout, stride if i == 0 else 1))
            cin = cout
    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def build(framework, model="resnet18"):
    """(library, model, which implementation) in this process."""
    if framework == "ember":
        import ember as lib
    else:
        import torch as lib
        lib.set_num_threads(int(os.environ.get("THREADS", "2")))
    if model == "resnet20":
        return lib, resnet20(lib), f"CIFAR ResNet-20 from {lib.__name__}.nn (this script)"
    if framework == "ember":
        from ember.vision import models
        return lib, models.resnet18(), "ember.vision.models.resnet18"
    try:
        from torchvision import models
    except ImportError:
        from tests.vision._torch_resnet import torch_resnet18
        return lib, torch_resnet18(lib), "plain torch.nn ResNet-18 (torchvision not installed)"
    return lib, models.resnet18(), "torchvision.models.resnet18"


def worker(framework, model_name, batch, size, iters):
    """The child process: time one framework's training step; print `median_us=<x>`."""
    lib, model, _ = build(framework, model_name)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 3, size, size)).astype(np.float32))
    y = lib.tensor(rng.integers(0, CLASSES[model_name], batch))
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    criterion = lib.nn.CrossEntropyLoss()
    model.train()

    def step():
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()

    _common.print_median_step(step, 2, iters)  # warm-up: buffers, momentum state


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=list(TITLES), default="resnet18")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=224, help="image side (ImageNet's 224)")
    ap.add_argument("--iters", type=int, default=5, help="timed steps per process")
    ap.add_argument("--pairs", type=int, default=3, help="ember/torch process pairs")
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS),
                    default=list(_common.THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", nargs=5, metavar=("FRAMEWORK", "MODEL", "BATCH", "SIZE", "ITERS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], *map(int, args.worker[2:]))
        return
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    probe = subprocess.run(
        [pythons[1], "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
         "from bench_resnet import build; print(build('torch', sys.argv[2])[2])",
         _common.ROOT + "/benchmarks", args.model],
        capture_output=True, text=True, cwd=_common.ROOT, env=_common.child_env("1"))
    if probe.returncode:
        print(f"bench_resnet: no torch in {pythons[1]} (set TORCH_PYTHON)\n{probe.stderr}",
              file=sys.stderr)
        sys.exit(2)
    env = _common.process_environment(*pythons)
    env["torch model"] = probe.stdout.strip()
    env["case"] = (f"batch {args.batch}, 3x{args.size}x{args.size} random images, "
                   f"{CLASSES[args.model]} classes, "
                   f"SGD(lr=0.1, momentum=0.9, weight_decay=1e-4), {args.iters} timed steps "
                   "after 2 warm-up steps per process")
    argv = [os.path.abspath(__file__), "--worker", "{fw}", args.model, str(args.batch),
            str(args.size), str(args.iters)]
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
        TITLES[args.model], _common.command_line(), env, table,
        ["One training step: zero_grad, forward, cross entropy, backward, SGD step. Each "
         f"framework in its own process, alternating ({args.pairs} pairs); each process's median "
         "step; the ratio is the median of the pair ratios (ember / torch)."])
    _common.publish(TITLES[args.model], body, args.write)


if __name__ == "__main__":
    main()
