"""DataLoader throughput (images/s) on a CIFAR-10-format dataset with ToTensor and Normalize,
batch 64, 0 and 2 workers: ember against PyTorch's DataLoader, each in its own process.

The dataset is synthetic (random pixels) but written in CIFAR-10's official format (pickled
batches in cifar-10-batches-py/) and read by ember.vision.datasets.CIFAR10. torchvision is not
installed, so the PyTorch side reads the same arrays through a torch Dataset that applies what
torchvision's ToTensor and Normalize do to a PIL image: np.array(pic) -> from_numpy -> permute ->
float().div(255), then clone().sub_(mean).div_(std). One timed round is one epoch, workers
started and stopped inside it (not persistent), as a plain `for` loop over a DataLoader does.
Each framework runs in its own process (NOTE [ Timing on a shared machine ] in
benchmarks/_common.py), alternating ember, torch (3 pairs); each process times one warm-up and
then --repeats epochs.

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

from ember.vision.datasets import CIFAR10  # noqa: E402  (its file layout; no tensors made)
import _common  # noqa: E402

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
BATCH = 64


def write_cifar(root, n_images, seed=0):
    """CIFAR-10's on-disk layout with random images, and digests.json: the files' MD5s."""
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
    with open(os.path.join(root, "digests.json"), "w") as f:
        json.dump(digests, f)


def read_cifar_arrays(root):
    """The training images (N, 32, 32, 3) uint8 and labels of the files write_cifar wrote, read
    as CIFAR-10's format says (the torch process must not import ember)."""
    folder = os.path.join(root, CIFAR10.base_folder)
    data, labels = [], []
    for name, _ in CIFAR10.train_list:
        with open(os.path.join(folder, name), "rb") as f:
            batch = pickle.load(f, encoding="latin1")
        data.append(batch["data"])
        labels += batch["labels"]
    return np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def torch_loader(root, workers):
    import torch
    from PIL import Image
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    data, targets = read_cifar_arrays(root)
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
    return torch.utils.data.DataLoader(TorchCIFAR(), batch_size=BATCH, shuffle=True,
                                       num_workers=workers)


def ember_loader(root, workers):
    import ember
    from ember.utils.data import DataLoader
    from ember.vision import transforms as T
    from ember.vision.datasets import CIFAR10
    ember.manual_seed(0)
    with open(os.path.join(root, "digests.json")) as f:
        digests = json.load(f)

    class Synthetic(CIFAR10):  # the MD5 lists of the files write_cifar wrote
        train_list = [[n, digests[n]] for n, _ in CIFAR10.train_list]
        test_list = [[n, digests[n]] for n, _ in CIFAR10.test_list]
        meta = dict(CIFAR10.meta, md5=digests["batches.meta"])
    transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    return DataLoader(Synthetic(root, train=True, transform=transform), batch_size=BATCH,
                      shuffle=True, num_workers=workers)


def epoch_seconds(loader):
    start = time.perf_counter()
    n = 0
    for images, _ in loader:
        n += len(images)
    return time.perf_counter() - start, n


def worker(framework, root, workers, repeats):
    """The child process: one warm-up epoch, then `repeats` timed ones; prints the median and
    best images per second."""
    loader = (torch_loader if framework == "torch" else ember_loader)(root, workers)
    epoch_seconds(loader)
    rates = []
    for _ in range(repeats):
        seconds, n = epoch_seconds(loader)
        rates.append(n / seconds)
    print(f"median={statistics.median(rates)}")
    print(f"best={max(rates)}")


def run_loaders(args):
    python = sys.executable
    torch_python = os.environ.get("TORCH_PYTHON", python)
    if subprocess.run([torch_python, "-c", "import torch"], capture_output=True).returncode:
        raise SystemExit(f"bench_dataloader: no torch in {torch_python} (set TORCH_PYTHON)")
    rows = []
    with tempfile.TemporaryDirectory() as root:
        write_cifar(root, args.images)
        for workers in (0, 2):
            runs = _common.alternating(
                (python, torch_python),
                lambda fw: [os.path.abspath(__file__), "--worker", fw, root, str(workers),
                            str(args.repeats)], _common.child_env(args.threads))
            rows.append((workers, runs))
            print(f"workers {workers}: " + ", ".join(
                f"{e['median']:.0f}/{t['median']:.0f}" for e, t in runs), flush=True)
    return rows


def loaders_section(args, rows):
    lines = [_common.markdown_table(
        ["num_workers", "ember img/s (median)", "ember img/s (best)", "torch img/s (median)",
         "torch img/s (best)", "ember/torch throughput", "pair ratios"],
        [[workers,
          f"{statistics.median(e['median'] for e, _ in runs):.0f}",
          f"{max(e['best'] for e, _ in runs):.0f}",
          f"{statistics.median(t['median'] for _, t in runs):.0f}",
          f"{max(t['best'] for _, t in runs):.0f}",
          f"**{statistics.median(e['median'] / t['median'] for e, t in runs):.2f}x**",
          ", ".join(f"{e['median'] / t['median']:.2f}" for e, t in runs)]
         for workers, runs in rows])]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join([
        f"Command: `python benchmarks/bench_dataloader.py --images {args.images} "
        f"--repeats {args.repeats} --threads {args.threads}`; "
        f"{_common.python_versions(sys.executable)}; CPU {_common.cpu_model()}; "
        f"{_common.THREAD_SETTINGS[args.threads][0]}; load average at the end {load:.1f} on "
        f"{os.cpu_count()} cores.",
        "",
        *lines,
        "",
        f"One epoch of {args.images} synthetic images in CIFAR-10's official format, batch "
        f"{BATCH}, shuffled, ToTensor + Normalize, workers started per epoch. Each framework in "
        f"its own process, alternating (3 pairs); a process's median and best of "
        f"{args.repeats} epochs after a warm-up; the ratio is the median of the pair ratios. "
        "The torch side uses a torch Dataset applying torchvision's ToTensor/Normalize steps "
        "with PIL + NumPy + torch ops (torchvision is not installed). Target: ember at least "
        "torch's throughput."])


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
    p.add_argument("--threads", choices=list(_common.THREAD_SETTINGS), default="2",
                   help="thread setting of the timed processes")
    p.add_argument("--worker", nargs=4, metavar=("FRAMEWORK", "ROOT", "WORKERS", "REPEATS"),
                   help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        framework, root, workers, repeats = args.worker
        worker(framework, root, int(workers), int(repeats))
        return
    body = loaders_section(args, run_loaders(args))
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
