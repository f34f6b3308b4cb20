"""DataLoader throughput (images/s) on a CIFAR-10-format dataset with ToTensor and Normalize,
batch 64, 0 and 2 workers: ember against PyTorch's DataLoader in one run.

The dataset is synthetic (random pixels) but written in CIFAR-10's official format (pickled
batches in cifar-10-batches-py/) and read by ember.vision.datasets.CIFAR10. torchvision is not
installed, so the PyTorch side reads the same arrays through a torch Dataset that applies what
torchvision's ToTensor and Normalize do to a PIL image: np.array(pic) -> from_numpy -> permute ->
float().div(255), then clone().sub_(mean).div_(std). One timed round is one epoch, workers
started and stopped inside it (not persistent), as a plain `for` loop over a DataLoader does;
the frameworks alternate round by round so both see the same machine load.

--main-job also runs the default main job (python -m ember.train) once and records its test
accuracy and run time in the "Main job" section.

Run: python benchmarks/bench_dataloader.py [--images 5120] [--repeats 5] [--write] [--main-job]
"""
import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ember  # noqa: E402
from ember.utils.data import DataLoader  # noqa: E402
from ember.vision import transforms as T  # noqa: E402
from ember.vision.datasets import CIFAR10  # noqa: E402
import _common  # noqa: E402

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
BATCH = 64


def write_cifar(root, n_images, seed=0):
    """CIFAR-10's on-disk layout with random images; returns a CIFAR10 subclass whose MD5
    lists are those of these files."""
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, CIFAR10.base_folder)
    os.makedirs(folder)
    digests = {}

    def dump(name, obj):
        blob = pickle.dumps(obj, protocol=2)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)
        digests[name] = hashlib.md5(blob).hexdigest()

    per_batch = n_images // 5
    for name, _ in CIFAR10.train_list + CIFAR10.test_list:
        dump(name, {"batch_label": name, "labels": rng.integers(0, 10, per_batch).tolist(),
                    "data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                    "filenames": [f"{i}.png" for i in range(per_batch)]})
    dump("batches.meta", {"label_names": [f"c{i}" for i in range(10)]})

    class Synthetic(CIFAR10):
        train_list = [[n, digests[n]] for n, _ in CIFAR10.train_list]
        test_list = [[n, digests[n]] for n, _ in CIFAR10.test_list]
        meta = dict(CIFAR10.meta, md5=digests["batches.meta"])
    return Synthetic


def torch_dataset(torch, data, targets):
    from PIL import Image
    mean = torch.tensor(MEAN).view(-1, 1, 1)
    std = torch.tensor(STD).view(-1, 1, 1)

    class TorchCIFAR(torch.utils.data.Dataset):
        def __len__(self):
            return len(data)

        def __getitem__(self, i):
            pic = Image.fromarray(data[i])
            x = torch.from_numpy(np.array(pic, np.uint8, copy=True))
            x = x.view(pic.size[1], pic.size[0], 3).permute(2, 0, 1).contiguous()
            x = x.float().div(255)
            return x.clone().sub_(mean).div_(std), targets[i]
    return TorchCIFAR()


def epoch_seconds(loader):
    start = time.perf_counter()
    n = 0
    for images, _ in loader:
        n += len(images)
    return time.perf_counter() - start, n


def run_loaders(args):
    try:
        import torch
    except ImportError:
        torch = None
    with tempfile.TemporaryDirectory() as root:
        cls = write_cifar(root, args.images)
        transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
        ours = cls(root, train=True, transform=transform)
        theirs = torch_dataset(torch, ours.data, ours.targets) if torch else None
        rows = []
        for workers in (0, 2):
            loaders = {"ember": DataLoader(ours, batch_size=BATCH, shuffle=True,
                                           num_workers=workers)}
            if torch:
                loaders["torch"] = torch.utils.data.DataLoader(
                    theirs, batch_size=BATCH, shuffle=True, num_workers=workers)
            rates = {name: [] for name in loaders}
            for name, loader in loaders.items():  # warm-up
                epoch_seconds(loader)
            for _ in range(args.repeats):
                for name, loader in loaders.items():
                    seconds, n = epoch_seconds(loader)
                    rates[name].append(n / seconds)
            rows.append((workers, {k: (statistics.median(v), max(v)) for k, v in rates.items()}))
    return rows, torch


def loaders_section(args, rows, torch):
    header = "| num_workers | ember img/s (median) | ember img/s (best) |"
    rule = "| --- | --- | --- |"
    if torch:
        header += " torch img/s (median) | torch img/s (best) | ember/torch (median) |"
        rule += " --- | --- | --- |"
    lines = [header, rule]
    for workers, r in rows:
        cells = [str(workers), f"{r['ember'][0]:.0f}", f"{r['ember'][1]:.0f}"]
        if torch:
            cells += [f"{r['torch'][0]:.0f}", f"{r['torch'][1]:.0f}",
                      f"{r['ember'][0] / r['torch'][0]:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join([
        f"Command: `python benchmarks/bench_dataloader.py --images {args.images} "
        f"--repeats {args.repeats}`; torch {torch.__version__ if torch else 'not installed'}; "
        f"CPU {_common.cpu_model()}; load average at the end {load:.1f} on {os.cpu_count()} "
        "cores.",
        "",
        *lines,
        "",
        f"One epoch of {args.images} synthetic images in CIFAR-10's official format, batch "
        f"{BATCH}, shuffled, ToTensor + Normalize, workers started per epoch; median and best "
        f"of {args.repeats} epochs, the frameworks alternating. The torch side uses a torch "
        "Dataset applying torchvision's ToTensor/Normalize steps with PIL + NumPy + torch ops "
        "(torchvision is not installed). Target: ember at least torch's throughput."])


def run_main_job():
    """The default main job, as `make train` runs it, in a fresh folder."""
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ember.train", "--out", "run"], cwd=work,
                       env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        with open(os.path.join(work, "run", "metrics.json")) as f:
            metrics = json.load(f)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    acc = ", ".join(f"{100 * a:.1f}" for a in metrics["test_accuracy"])
    return "\n".join([
        "Command: `python -m ember.train`, as `make train` runs it (the shipped digits, "
        f"{metrics['epochs']} epochs, batch {metrics['batch_size']}, {metrics['optimizer']} "
        f"lr {metrics['lr']} {metrics['lr_schedule']}, {metrics['workers']} workers, seed "
        f"{metrics['seed']}).",
        "",
        "| final test accuracy | wall time (whole command) | training + testing time |",
        "| --- | --- | --- |",
        f"| {100 * metrics['test_accuracy'][-1]:.1f} % | {wall:.1f} s | "
        f"{metrics['train_seconds']:.1f} s |",
        "",
        f"Test accuracy per epoch (%): {acc}. CPU {_common.cpu_model()}; load average at the "
        f"end {load:.1f} on {os.cpu_count()} cores. Targets: at least 95 % in under three "
        "minutes."])


def _write(title, body):
    _common.write_section(title, f"## {title}\n\n{body.strip()}\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=5120)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--write", action="store_true", help="update RESULTS.md")
    p.add_argument("--main-job", action="store_true", help="also time the default main job")
    args = p.parse_args()
    ember.manual_seed(0)
    rows, torch = run_loaders(args)
    body = loaders_section(args, rows, torch)
    print(body)
    if args.write:
        _write("DataLoader throughput (issue 4)", body)
    if args.main_job:
        body = run_main_job()
        print(body)
        if args.write:
            _write("Main job (issue 4)", body)


if __name__ == "__main__":
    main()
