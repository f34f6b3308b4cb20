"""ember-train (python -m ember.train): train and test the CIFAR-10 tutorial's network.

With no arguments it trains on the handwritten digits that ship with ember (no network needed);
--dataset cifar10, mnist or fashion-mnist reads (or, with --download, fetches) those instead.
It shows a progress bar with the running loss and images per second, prints the test accuracy
after each epoch and per class at the end, and saves into --out (default runs/<dataset>):
model.pt (the state_dict, loadable by ember.load and torch.load), curves.png (loss and
accuracy), predictions.png (test images labelled true/predicted) and metrics.json.
"""
EPILOG = """\
Data kept: after every epoch the whole training state (network, optimizer, scheduler, epoch,
random states, metrics) is saved atomically to <out>.checkpoint.pt beside the output folder;
--resume <out> (or --resume alone for --out) continues it with the same options and gives the
same weights as an uninterrupted run, and the file is removed once the outputs are in place.
The outputs are written into a fresh hidden folder beside <out> and swapped in whole, so <out>
never mixes two runs' files (so it must hold nothing but a run's outputs).

Many processes: --nproc N trains data-parallel on N processes under MPI (pip install
'ember[distributed]'; the same as emberrun --nproc-per-node N -m ember.train ...). --batch-size
is then the global batch, split evenly among them; rank 0 prints and writes the outputs.
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
from ember.cli import checkpoint, checks, parallel, report
from ember.cli.data import DATASETS, MEAN, STD, load_datasets, make_loaders
from ember.cli.errors import JobError, OutputError
from ember.cli.loop import evaluate, train_epoch
from ember.cli.net import Net

PROG = "ember-train"
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
              "adagrad": "Adagrad"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise JobError(message)


def parse_args(argv=None):
    p = _Parser(prog=PROG, description=__doc__.splitlines()[0], epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="digits", choices=sorted(DATASETS),
                   help="digits (default: 8x8 UCI digits shipped with ember, scaled to 32x32), "
                        "cifar10, mnist or fashion-mnist")
    p.add_argument("--root", default="./data", help="dataset folder (default: ./data)")
    p.add_argument("--download", action="store_true", help="fetch the dataset if missing")
    p.add_argument("--mirror", type=checks.mirror, metavar="URL",
                   help="try this mirror first: URL/<Dataset>/<file>, e.g. URL/MNIST/"
                        "train-images-idx3-ubyte.gz (as EMBER_DATASETS_MIRROR does)")
    p.add_argument("--epochs", type=int, help="default: 10 for digits, 2 otherwise")
    p.add_argument("--batch-size", type=int,
                   help="default: 16 for digits, 4 for cifar10 (as the tutorial), 32 otherwise")
    p.add_argument("--lr", type=checks.non_negative,
                   help="default: 0.01, 0.001 for cifar10 and for optimizers other than sgd")
    p.add_argument("--momentum", type=checks.non_negative, default=0.9,
                   help="sgd's momentum (default: 0.9)")
    p.add_argument("--optimizer", default="sgd", choices=sorted(OPTIMIZERS))
    p.add_argument("--lr-schedule", default="cosine", choices=["cosine", "constant"],
                   help="cosine annealing to 0 over the epochs (default), or constant")
    p.add_argument("--workers", type=int, default=2,
                   help=f"DataLoader worker processes, up to {checks.MAX_WORKERS} (default: 2; "
                        "0 loads in this process)")
    p.add_argument("--seed", type=checks.seed, default=0, help="0 to 2**32-1 (default: 0)")
    p.add_argument("--out", help="output folder (default: runs/<dataset>)")
    p.add_argument("--resume", nargs="?", const="", metavar="PATH",
                   help="continue the unfinished run of a run folder (default: --out's) from "
                        "its last epoch, or start from the weights of a model.pt")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--nproc", type=int,
                   help="processes to train on, data-parallel under MPI (default: 1, or as "
                        "many as emberrun/mpiexec started)")
    args = p.parse_args(argv)
    spec = DATASETS[args.dataset]
    args.epochs = spec.epochs if args.epochs is None else args.epochs
    args.batch_size = spec.batch_size if args.batch_size is None else args.batch_size
    if args.lr is None:
        args.lr = spec.lr if args.optimizer == "sgd" else 0.001
    args.out = args.out or os.path.join("runs", args.dataset)
    started = parallel.launched_size()
    args.nproc = started if args.nproc is None else args.nproc
    for name, low, high in (("epochs", 1, checks.MAX_COUNT), ("batch_size", 1, checks.MAX_COUNT),
                            ("workers", 0, checks.MAX_WORKERS), ("nproc", 1, checks.MAX_COUNT)):
        value, flag = getattr(args, name), f"--{name.replace('_', '-')}"
        if value < low:
            raise JobError(f"{flag} must be " + ("at least 1" if low else "0 or more"))
        if value > high:
            raise JobError(f"{flag} must be at most {high}")
    if started not in (1, args.nproc):
        raise JobError(f"--nproc {args.nproc}, but {started} processes were started")
    if args.batch_size % args.nproc:
        raise JobError(f"--batch-size {args.batch_size} must be a multiple of --nproc "
                       f"{args.nproc}: it is the global batch, split evenly among the processes")
    return args


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    ember.manual_seed(seed)


def make_optimizer(name, params, lr, momentum):
    cls = getattr(ember.optim, OPTIMIZERS[name])
    return cls(params, lr=lr, momentum=momentum) if name == "sgd" else cls(params, lr=lr)


def _options(args):
    return {k: getattr(args, k) for k in ("dataset", "epochs", "batch_size", "optimizer", "lr",
                                          "lr_schedule", "momentum", "seed", "workers", "nproc")}


def check_input(args, net):
    """Everything that can be wrong with the input, checked before anything is trained or
    written: (device, the checkpoint resumed from and its training state, train set, test
    set). `net` takes the resumed weights."""
    checks.require_extras()
    device = checks.check_device(args.device)
    path, resumed = None, None
    if args.resume is not None:
        path, resumed = checks.load_resume(args.resume, args.out, net, _options(args))
    train_set, test_set = load_datasets(args.dataset, args.root, args.download, args.mirror)
    checks.check_output_dir(args.out)
    return device, path, resumed, train_set, test_set


def launch(argv, args):
    """--nproc N in a process that no launcher started: check the input (and fetch the data)
    once, then run the job on N processes."""
    parallel.require_mpi(args.nproc)
    check_input(args, Net())
    return parallel.launch(argv, args.nproc)


def run(args, world):
    """Check everything that can be wrong with the input, then train, test and save."""
    seed_everything(args.seed)
    options = _options(args)
    net = Net()
    device, path, resumed, train_set, test_set = check_input(args, net)
    from tqdm import tqdm
    tqdm.monitor_interval = 0  # no monitor thread: DataLoader workers fork from a 1-thread process
    if path is not None:
        world.say(f"Resuming from {path}" +
                  (f" after epoch {resumed['epoch']}" if resumed else ""))
    net.to(device)
    saved_at = checkpoint.path_for(args.out)
    if resumed is None and os.path.exists(saved_at):
        world.say(f"Note: the unfinished run's checkpoint {saved_at} is replaced after this "
                  "run's first epoch (--resume continues it instead)")

    classes = [str(c).split(" - ")[0] for c in train_set.classes]
    shuffle = ember.Generator().manual_seed(args.seed)
    if world.size == 1:
        train_loader, test_loader = make_loaders(train_set, test_set, args.batch_size,
                                                 args.workers, shuffle)
        sampler = None
    else:  # the shards are fixed by the seed and the epoch, the same after --resume
        train_loader, test_loader, sampler = world.loaders(train_set, test_set, args.batch_size,
                                                           args.workers, args.seed)
    model = world.wrap(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = make_optimizer(args.optimizer, net.parameters(), args.lr, args.momentum)
    scheduler = (ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
                 if args.lr_schedule == "cosine" else None)
    metrics = {"batch_losses": [], "epoch_losses": [], "accuracies": [], "seconds": 0.0}
    done = 0
    if resumed is not None:
        done, metrics = checkpoint.restore(resumed, optimizer, scheduler, shuffle)
    on = f" on {world.size} processes" if world.size > 1 else ""
    world.say(f"{args.dataset}: {len(train_set)} training and {len(test_set)} test images; "
              f"{args.epochs} epochs, batch {args.batch_size}, {args.optimizer} lr {args.lr} "
              f"({args.lr_schedule}), {args.workers} workers, seed {args.seed}{on}")

    kept = (done, path) if resumed is not None else None  # the last epoch saved, and where
    evaluation = None
    try:
        for epoch in range(done + 1, args.epochs + 1):
            start = time.perf_counter()
            if sampler is not None:
                sampler.set_epoch(epoch)
            images = len(sampler) * world.size if sampler is not None else len(train_set)
            with tqdm(total=images, desc=f"epoch {epoch}/{args.epochs}", unit="img",
                      file=sys.stderr, dynamic_ncols=True, disable=not world.main) as bar:
                batch_losses = train_epoch(model, train_loader, criterion, optimizer, device,
                                           bar, world.size)
            metrics["seconds"] += time.perf_counter() - start
            batch_losses = world.mean(batch_losses).tolist()  # each global batch's loss
            metrics["batch_losses"] += batch_losses
            if scheduler is not None:
                scheduler.step()
            metrics["epoch_losses"].append(float(np.mean(batch_losses)))
            evaluation = _evaluate(world, net, test_loader, device, len(classes))
            metrics["accuracies"].append(evaluation.accuracy)
            world.say(f"epoch {epoch}: train loss {metrics['epoch_losses'][-1]:.4f}, accuracy "
                      f"of the network on the {len(test_set)} test images: "
                      f"{100 * evaluation.accuracy:.1f} %", flush=True)
            if world.main:
                try:
                    checkpoint.save(saved_at, options, epoch, net, optimizer, scheduler,
                                    shuffle, metrics)
                except OSError as exc:
                    raise OutputError(f"cannot write the checkpoint {saved_at}: "
                                      f"{exc.strerror or exc}{_kept(kept)}") from None
            kept = (epoch, saved_at)
    except KeyboardInterrupt:
        raise KeyboardInterrupt(_kept(kept)) from None
    if evaluation is None:  # resumed after the last epoch: only the outputs were missing
        evaluation = _evaluate(world, net, test_loader, device, len(classes))
    if not world.main:
        return 0
    for line in report.class_accuracy_lines(classes, evaluation):
        print(line)

    seconds = metrics["seconds"]
    try:
        report.replace_outputs(args.out, lambda folder: report.save_run(
            folder, net.state_dict(), options, seconds, metrics["batch_losses"],
            len(train_loader), metrics["epoch_losses"], metrics["accuracies"], evaluation,
            classes, (MEAN, STD)))
    except OSError as exc:
        raise OutputError(f"cannot write the run's outputs to {args.out}: "
                          f"{exc.strerror or exc}{_kept(kept)}") from None
    if kept is not None and kept[1] == saved_at:
        os.remove(saved_at)  # the run is complete: its outputs are in place
    print(f"Final test accuracy {100 * metrics['accuracies'][-1]:.1f} % after {seconds:.1f} s "
          f"of training; saved model.pt, curves.png, predictions.png and metrics.json in "
          f"{args.out}")
    return 0


def _evaluate(world, net, loader, device, num_classes):
    """The accuracy on the whole test set: each process tests its part, the counts are summed."""
    return world.reduce_evaluation(evaluate(net, loader, device, num_classes))


def _kept(kept):
    """What an interrupted or failed run leaves: kept is (epoch, checkpoint) or None."""
    if kept is None:
        return ""
    return f"; the checkpoint of epoch {kept[0]} is kept in {kept[1]} (--resume continues it)"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    world = None
    try:
        args = parse_args(argv)
        if args.nproc > 1 and parallel.launched_size() == 1:
            return launch(argv, args)
        world = parallel.World(args.nproc)
        return run(args, world)
    except JobError as exc:
        _fail(world, f"error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt as exc:
        _fail(world, f"interrupted{exc.args[0] if exc.args else ''}")
        return 130


def _fail(world, message):
    """One line on stderr, from rank 0 or naming the rank (an error in the options is every
    rank's, and so is Ctrl-C: rank 0 says it); a failing rank ends the job."""
    rank = parallel.launched_rank() if world is None else world.rank
    if rank == 0:
        print(f"{PROG}: {message}", file=sys.stderr)
    elif world is not None and not message.startswith("interrupted"):
        print(f"{PROG} (rank {rank}): {message}", file=sys.stderr)
    if world is not None:
        sys.stderr.flush()
        world.abort()


if __name__ == "__main__":
    sys.exit(main())
