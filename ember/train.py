"""ember-train (python -m ember.train): train and test the CIFAR-10 tutorial's network.

With no arguments it trains on the handwritten digits that ship with ember (no network needed);
--dataset cifar10, mnist or fashion-mnist reads (or, with --download, fetches) those instead.
It shows a progress bar with the running loss and images per second, prints the test accuracy
after each epoch and per class at the end, and saves into --out (default runs/<dataset>):
model.pt (the state_dict, loadable by ember.load and torch.load), curves.png (loss and
accuracy), predictions.png (test images labelled true/predicted) and metrics.json.
"""
import argparse
import os
import random
import sys
import time

import numpy as np

import ember
import ember.nn as nn
import ember.optim
from ember.cli import checks, report
from ember.cli.data import DATASETS, MEAN, STD, load_datasets, make_loaders
from ember.cli.errors import JobError
from ember.cli.loop import evaluate, train_epoch
from ember.cli.net import Net

PROG = "ember-train"
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
              "adagrad": "Adagrad"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise JobError(message)


def parse_args(argv=None):
    p = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="digits", choices=sorted(DATASETS),
                   help="digits (default: 8x8 UCI digits shipped with ember, scaled to 32x32), "
                        "cifar10, mnist or fashion-mnist")
    p.add_argument("--root", default="./data", help="dataset folder (default: ./data)")
    p.add_argument("--download", action="store_true", help="fetch the dataset if missing")
    p.add_argument("--epochs", type=int, help="default: 10 for digits, 2 otherwise")
    p.add_argument("--batch-size", type=int,
                   help="default: 16 for digits, 4 for cifar10 (as the tutorial), 32 otherwise")
    p.add_argument("--lr", type=float, help="default: 0.01, 0.001 for cifar10 and for "
                                            "optimizers other than sgd")
    p.add_argument("--momentum", type=float, default=0.9, help="sgd's momentum (default: 0.9)")
    p.add_argument("--optimizer", default="sgd", choices=sorted(OPTIMIZERS))
    p.add_argument("--lr-schedule", default="cosine", choices=["cosine", "constant"],
                   help="cosine annealing to 0 over the epochs (default), or constant")
    p.add_argument("--workers", type=int, default=2, help="DataLoader worker processes "
                                                          "(default: 2; 0 loads in this process)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="output folder (default: runs/<dataset>)")
    p.add_argument("--resume", help="start from this checkpoint (a model.pt or a run folder)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    args = p.parse_args(argv)
    spec = DATASETS[args.dataset]
    args.epochs = spec.epochs if args.epochs is None else args.epochs
    args.batch_size = spec.batch_size if args.batch_size is None else args.batch_size
    if args.lr is None:
        args.lr = spec.lr if args.optimizer == "sgd" else 0.001
    args.out = args.out or os.path.join("runs", args.dataset)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            raise JobError(f"--{name.replace('_', '-')} must be at least 1")
    if args.workers < 0:
        raise JobError("--workers must be 0 or more")
    return args


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    ember.manual_seed(seed)


def make_optimizer(name, params, lr, momentum):
    cls = getattr(ember.optim, OPTIMIZERS[name])
    return cls(params, lr=lr, momentum=momentum) if name == "sgd" else cls(params, lr=lr)


def run(args):
    """Check everything that can be wrong with the input, then train, test and save."""
    checks.require_extras()
    from tqdm import tqdm
    tqdm.monitor_interval = 0  # no monitor thread: DataLoader workers fork from a 1-thread process
    device = checks.check_device(args.device)
    seed_everything(args.seed)
    net = Net()
    if args.resume:
        print(f"Resuming from {checks.load_resume(args.resume, net)}")
    net.to(device)
    train_set, test_set = load_datasets(args.dataset, args.root, args.download)
    checks.check_output_dir(args.out)

    classes = [str(c).split(" - ")[0] for c in train_set.classes]
    train_loader, test_loader = make_loaders(train_set, test_set, args.batch_size, args.workers)
    criterion = nn.CrossEntropyLoss()
    optimizer = make_optimizer(args.optimizer, net.parameters(), args.lr, args.momentum)
    scheduler = (ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
                 if args.lr_schedule == "cosine" else None)
    print(f"{args.dataset}: {len(train_set)} training and {len(test_set)} test images; "
          f"{args.epochs} epochs, batch {args.batch_size}, {args.optimizer} lr {args.lr} "
          f"({args.lr_schedule}), {args.workers} workers, seed {args.seed}")

    start = time.perf_counter()
    losses, epoch_losses, accuracies = [], [], []
    for epoch in range(1, args.epochs + 1):
        with tqdm(total=len(train_set), desc=f"epoch {epoch}/{args.epochs}", unit="img",
                  file=sys.stderr, dynamic_ncols=True) as bar:
            batch_losses = train_epoch(net, train_loader, criterion, optimizer, device, bar)
        losses += batch_losses
        if scheduler is not None:
            scheduler.step()
        epoch_losses.append(float(np.mean(batch_losses)))
        evaluation = evaluate(net, test_loader, device, len(classes))
        accuracies.append(evaluation.accuracy)
        print(f"epoch {epoch}: train loss {epoch_losses[-1]:.4f}, accuracy of the network "
              f"on the {len(test_set)} test images: {100 * evaluation.accuracy:.1f} %",
              flush=True)
    seconds = time.perf_counter() - start
    for line in report.class_accuracy_lines(classes, evaluation):
        print(line)

    config = {k: getattr(args, k) for k in ("dataset", "epochs", "batch_size", "optimizer",
                                            "lr", "lr_schedule", "momentum", "seed", "workers")}
    report.save_run(args.out, net.state_dict(), config, seconds, losses, len(train_loader),
                    epoch_losses, accuracies, evaluation, classes, (MEAN, STD))
    print(f"Final test accuracy {100 * accuracies[-1]:.1f} % after {seconds:.1f} s of training; "
          f"saved model.pt, curves.png, predictions.png and metrics.json in {args.out}")
    return 0


def main(argv=None):
    try:
        return run(parse_args(argv))
    except JobError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
