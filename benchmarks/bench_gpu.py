"""One training step on a GPU, ember (CuPy) against PyTorch, both on CUDA in one run.

Run on a machine with an NVIDIA GPU, CuPy and PyTorch: `python benchmarks/bench_gpu.py [--write]`
(benchmarks/gpu_check.sh runs it). Two networks, written once against PyTorch's API and built with
`m` bound to ember or to torch: the tutorial's CIFAR-10 network and a ResNet-18 for 32x32 images
(11M parameters), at batch 256. A step is zero_grad, forward, CrossEntropyLoss, backward and
SGD(momentum=0.9); its time is taken between two device synchronisations, median over repeats.
Before timing, ember gets torch's initial weights and both take the same two steps on the same
batch: the losses must agree, so a fast but wrong GPU path cannot pass.
"""
import argparse
import statistics
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ember  # noqa: E402
import ember.nn  # noqa: E402,F401  (used through the `m.` prefix)
import ember.optim  # noqa: E402,F401
from tests.nn._networks import basic_block, cifar_net  # noqa: E402

TARGETS = {"resnet18": 1.5}  # issue 6: the ResNet-sized step at most 1.5x PyTorch's eager step
LOSS_RTOL = 1e-3  # float32 through two libraries' kernels, summed in different orders


def resnet18(m, num_classes=10):
    """ResNet-18 (BasicBlock x [2, 2, 2, 2]) with the 3x3 stem used for 32x32 inputs."""
    nn, F = m.nn, m.nn.functional

    BasicBlock = basic_block(m)

    class ResNet18(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            layers, cin = [], 64
            for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
                layers.append(nn.Sequential(BasicBlock(cin, cout, stride),
                                            BasicBlock(cout, cout, 1)))
                cin = cout
            self.layers = nn.Sequential(*layers)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(512, num_classes)

        def forward(self, x):
            x = self.layers(F.relu(self.bn1(self.conv1(x))))
            return self.fc(m.flatten(self.pool(x), 1))

    return ResNet18()


NETS = {"cifar": cifar_net, "resnet18": resnet18}


class Trainer:
    """A network, its optimizer and one batch on `m`'s GPU."""

    def __init__(self, m, make, batch, state=None, device="cuda"):
        self.m = m
        self.net = make(m)
        if state is not None:
            self.net.load_state_dict({k: m.tensor(v) for k, v in state.items()})
        self.net.to(device)
        self.criterion = m.nn.CrossEntropyLoss()
        self.opt = m.optim.SGD(self.net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        rng = np.random.default_rng(0)
        self.x = m.tensor(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32),
                          device=device)
        self.y = m.tensor(rng.integers(0, 10, batch), device=device)

    def step(self):
        self.opt.zero_grad()
        loss = self.criterion(self.net(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.detach()

    def sync(self):
        self.m.cuda.synchronize()

    def timed(self, steps):
        """Seconds per step over `steps` steps, between two synchronisations."""
        self.sync()
        t0 = time.perf_counter()
        for _ in range(steps):
            self.step()
        self.sync()
        return (time.perf_counter() - t0) / steps


def check_same_losses(torch, make, batch, torch_device="cuda"):
    """ember with torch's initial weights: the losses of two steps on one batch must agree.
    torch runs in full float32 here (no TF32), as ember's CuPy kernels do."""
    flags = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        torch.manual_seed(0)
        t = Trainer(torch, make, batch, device=torch_device)
        state = {k: v.detach().cpu().numpy() for k, v in t.net.state_dict().items()}
        e = Trainer(ember, make, batch, state)
        t_losses = [float(t.step()) for _ in range(2)]
        e_losses = [float(e.step()) for _ in range(2)]
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = flags
    ok = np.allclose(e_losses, t_losses, rtol=LOSS_RTOL)
    return ok, e_losses, t_losses


def time_pair(torch, make, batch, repeats, min_seconds):
    """Median seconds per step of ember and torch, measured in alternation; peak memory of each."""
    trainers = {"ember": Trainer(ember, make, batch), "torch": Trainer(torch, make, batch)}
    first = {}
    for name, tr in trainers.items():
        t0 = time.perf_counter()
        tr.step()  # the first step compiles CuPy's kernels / picks cuDNN algorithms
        tr.sync()
        first[name] = time.perf_counter() - t0
        tr.step()
    steps = {name: max(1, int(0.5 / max(tr.timed(1), 1e-4))) for name, tr in trainers.items()}
    times = {name: [] for name in trainers}
    start = time.perf_counter()
    while (len(times["ember"]) < repeats or time.perf_counter() - start < min_seconds) \
            and time.perf_counter() - start < 4 * max(min_seconds, 1.0):
        for name, tr in trainers.items():
            times[name].append(tr.timed(steps[name]))
    ember.cuda.reset_peak_memory_stats()
    torch.cuda.reset_peak_memory_stats()
    for tr in trainers.values():
        tr.step()
    peaks = {"ember": ember.cuda.max_memory_allocated(), "torch": torch.cuda.max_memory_allocated()}
    return {name: statistics.median(ts) for name, ts in times.items()}, first, peaks


def environment(torch):
    import cupy
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    return (f"GPU: **{name}** ({props['totalGlobalMem'] / 2**30:.0f} GiB); "
            f"CuPy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}, "
            f"torch {torch.__version__} (cuDNN {torch.backends.cudnn.version()}), "
            f"NumPy {np.__version__}")


def report(env, rows):
    headers = ["network", "batch", "ember ms/step", "torch ms/step", "ratio", "target",
               "peak MiB ember / torch", "first step s ember / torch", "losses agree"]
    table = "\n".join(["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
                      + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])
    return (f"Command: `python benchmarks/bench_gpu.py --write` (run by benchmarks/gpu_check.sh)"
            f"\n\n{env}\n\nOne training step (zero_grad, forward, CrossEntropyLoss, backward, "
            "SGD with momentum) on one batch of 32x32 images; median of alternating timed "
            "rounds, each between two device synchronisations. Both frameworks in default "
            "settings (torch eager, cuDNN benchmark mode off). The first step includes CuPy's "
            f"kernel compilation. Losses: ember started from torch's weights, two steps, torch "
            f"without TF32, rtol {LOSS_RTOL}.\n\n{table}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", nargs="+", default=list(NETS), choices=list(NETS))
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5, help="timed rounds (median)")
    ap.add_argument("--min-seconds", type=float, default=5.0, help="timing per network")
    ap.add_argument("--write", action="store_true", help="update the GPU section of RESULTS.md")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("bench_gpu: PyTorch is not installed; it is the reference this benchmark needs")
    if not ember.cuda.is_available() or not torch.cuda.is_available():
        sys.exit(f"bench_gpu: no GPU (ember.cuda.is_available()={ember.cuda.is_available()}, "
                 f"torch.cuda.is_available()={torch.cuda.is_available()}); run it on a machine "
                 "with an NVIDIA GPU, CuPy and PyTorch")
    env = environment(torch)
    print(env, flush=True)
    rows, failures = [], []
    body = report(env, rows)
    for name in args.nets:
        make = NETS[name]
        try:
            ok, e_losses, t_losses = check_same_losses(torch, make, args.batch)
            print(f"{name}: losses ember {e_losses} torch {t_losses} -> "
                  f"{'agree' if ok else 'DISAGREE'}", flush=True)
            if not ok:
                failures.append(f"{name}: ember's losses {e_losses} differ from torch's "
                                f"{t_losses}")
            med, first, peaks = time_pair(torch, make, args.batch, args.repeats, args.min_seconds)
        except Exception as exc:  # report it and go on to the next network
            traceback.print_exc()
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            rows.append([name, args.batch, f"failed: {type(exc).__name__}: {exc}"[:200]]
                        + ["-"] * 6)
            continue
        ratio = med["ember"] / med["torch"]
        target = TARGETS.get(name)
        verdict = "-" if target is None else ("met" if ratio <= target else "missed")
        rows.append([name, args.batch, f"{med['ember'] * 1e3:.1f}", f"{med['torch'] * 1e3:.1f}",
                     f"**{ratio:.2f}x**", f"{target}x {verdict}" if target else "-",
                     f"{peaks['ember'] / 2**20:.0f} / {peaks['torch'] / 2**20:.0f}",
                     f"{first['ember']:.1f} / {first['torch']:.1f}",
                     "yes" if ok else "NO"])
        print(" | ".join(str(c) for c in rows[-1]), flush=True)
        body = report(env, rows)
        if args.write:  # after each network, so a run stopped by a time limit still reports
            import _common
            _common.write_section("GPU (issue 6)", f"## GPU (issue 6)\n\n{body.strip()}\n")
    print()
    print(body)
    if failures:
        sys.exit("bench_gpu: " + "; ".join(failures))


if __name__ == "__main__":
    main()
