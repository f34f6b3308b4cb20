"""The main job's per-epoch checkpoint: everything needed to continue a run exactly where it
stopped (network, optimizer, scheduler, epoch, random states, metrics so far).

It lives beside the output folder, at <out>.checkpoint.pt, so that the folder itself only ever
holds one finished run's outputs (see report.replace_outputs). ember.save writes it atomically
(temporary file, fsync, rename): a kill leaves the previous epoch's checkpoint intact.
"""
import os
import random

import numpy as np

import ember

FORMAT = "ember-train checkpoint 1"
SUFFIX = ".checkpoint.pt"
# The options that must be the same for a resumed run to equal an uninterrupted one.
SAME_OPTIONS = ("dataset", "epochs", "batch_size", "optimizer", "lr", "lr_schedule",
                "momentum", "seed", "nproc")
# Runs saved before an option existed ran with its value here.
_EARLIER = {"nproc": 1}


def path_for(out):
    """Where the run writing into the folder `out` keeps its checkpoint."""
    return os.path.abspath(out).rstrip(os.sep) + SUFFIX


def is_checkpoint(obj):
    return isinstance(obj, dict) and obj.get("format") == FORMAT


def _rng_states(shuffle):
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"shuffle": shuffle.get_state(), "ember": ember.get_rng_state(),
            "python": random.getstate(), "numpy": [name, keys.tolist(), pos, has_gauss, cached]}


def _set_rng_states(states, shuffle):
    shuffle.set_state(states["shuffle"])
    ember.set_rng_state(states["ember"])
    random.setstate(states["python"])
    name, keys, pos, has_gauss, cached = states["numpy"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def save(path, options, epoch, net, optimizer, scheduler, shuffle, metrics):
    """`shuffle`: the generator that shuffles the training set (data.make_loaders)."""
    ember.save({"format": FORMAT, "options": options, "epoch": epoch,
                "model": net.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": None if scheduler is None else scheduler.state_dict(),
                "rng": _rng_states(shuffle), "metrics": metrics}, path)


def option_differences(checkpoint, options):
    """The options (as --flags) of this run that differ from the checkpoint's run."""
    saved = {**_EARLIER, **checkpoint["options"]}
    return [f"--{k.replace('_', '-')} {saved.get(k)} (this run: {options[k]})"
            for k in SAME_OPTIONS if saved.get(k) != options[k]]


def restore(checkpoint, optimizer, scheduler, shuffle):
    """Put the optimizer, the scheduler and the random states back as they were after the
    checkpoint's epoch; returns (epoch, metrics). The network is loaded by checks.load_resume."""
    optimizer.load_state_dict(checkpoint["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(checkpoint["scheduler"])
    _set_rng_states(checkpoint["rng"], shuffle)
    return checkpoint["epoch"], checkpoint["metrics"]
