"""Checks that run before the main job trains or writes anything: option values, optional
packages, the device, the output folder and a checkpoint to resume from."""
import argparse
import importlib
import math
import os
import tempfile
from collections.abc import Mapping

import ember
from ..vision.datasets.utils import check_mirror
from . import checkpoint
from .errors import JobError
from .report import OUTPUTS, read_only

_MAX_SEED = 2 ** 32 - 1  # NumPy's global generator takes seeds up to 2**32 - 1
MAX_COUNT = 2 ** 31 - 1  # --epochs, --batch-size (larger ones overflow index arithmetic)
MAX_WORKERS = 256  # more worker processes only fork for minutes


def non_negative(text):
    """argparse type: a finite number, 0 or more (a learning rate, a momentum)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number, 0 or more, not {text}")
    return value


def seed(text):
    """argparse type: an integer seed from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, not {text!r}") from None
    if not 0 <= value <= _MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be from 0 to {_MAX_SEED}, not {text}")
    return value


def mirror(text):
    """argparse type: a dataset mirror's base URL."""
    try:
        return check_mirror(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None

_EXTRAS = (("tqdm", "tqdm"), ("matplotlib", "matplotlib"), ("PIL", "Pillow"))


def require_extras():
    """tqdm, matplotlib (with the file-only Agg backend) and Pillow, or one JobError naming
    the missing ones."""
    missing = []
    for module, package in _EXTRAS:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    if missing:
        raise JobError(f"the main job needs {', '.join(missing)}: pip install 'ember[train]'")
    import matplotlib
    matplotlib.use("Agg")


def check_device(name):
    try:
        device = ember.device(name)
    except RuntimeError as exc:
        raise JobError(f"--device {name}: {exc}") from None
    if device.type == "cuda" and not ember.cuda.is_available():
        raise JobError(f"--device {name}: no CUDA device is available (ember needs a GPU and "
                       "CuPy: pip install 'ember[cuda]')")
    return device


def foreign_entries(out):
    """The entries of the folder `out` that are not a run's outputs."""
    return sorted(name for name in os.listdir(out) if name not in OUTPUTS)


def check_output_dir(out):
    """The output folder can be replaced by this run's: its parent folder (which receives the
    checkpoint and the new outputs) is writable, and `out` does not exist yet or is a
    writable folder holding only a run's outputs."""
    parent = os.path.dirname(os.path.abspath(out))
    foreign = []
    try:
        os.makedirs(parent, exist_ok=True)
        with tempfile.TemporaryFile(dir=parent):
            pass
        if os.path.lexists(out):
            if not os.path.isdir(out):
                raise NotADirectoryError(0, "it is not a folder")
            if read_only(out):
                raise PermissionError(0, "it is read-only")
            foreign = foreign_entries(out)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise JobError(f"cannot write to the output folder {out}: {reason}") from None
    if foreign:
        raise JobError(f"the output folder {out} holds files that are not a run's outputs "
                       f"({', '.join(foreign[:3])}): it would be replaced as a whole, so "
                       "choose another --out")


def _shape(t):
    return tuple(getattr(t, "shape", ()))


def _resume_path(path, out):
    """The file --resume PATH names (see load_resume)."""
    if os.path.isfile(path):
        return os.path.abspath(path)
    unfinished = checkpoint.path_for(path or out)
    if os.path.exists(unfinished):
        return unfinished
    if path == "":
        raise JobError(f"--resume: no unfinished run of {out} to continue (no {unfinished})")
    return os.path.join(path, "model.pt") if os.path.isdir(path) else path


def load_resume(path, out, net, options):
    """Load the checkpoint at `path` into `net`: path is a file (a run's per-epoch checkpoint,
    or a state_dict such as model.pt), a run folder (its unfinished run's checkpoint if there
    is one, else its model.pt), or "" (the unfinished run of `out`). Returns (the file, the
    training checkpoint or None for a bare state_dict). Names and shapes must be the network's,
    and a training checkpoint's options (checkpoint.SAME_OPTIONS) this run's; otherwise a
    JobError, and `net` is untouched."""
    path = _resume_path(path, out)
    try:
        state = ember.load(path)
    except FileNotFoundError:
        raise JobError(f"--resume: no checkpoint at {path}") from None
    except Exception as exc:  # any unreadable file: corrupt, truncated, not a checkpoint
        raise JobError(f"--resume: cannot read {path}: {exc}") from None
    training = state if checkpoint.is_checkpoint(state) else None
    if training is not None:
        differences = checkpoint.option_differences(training, options)
        if differences:
            raise JobError(f"--resume: {path} is a run with {'; '.join(differences)}: pass "
                           "the same options to continue it")
        state = training["model"]
    if not isinstance(state, Mapping):
        raise JobError(f"--resume: {path} holds a {type(state).__name__}, not a state_dict")
    expected = net.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [f"{k} is {_shape(state[k])}, the network's {_shape(v)}"
             for k, v in expected.items() if k in state and _shape(state[k]) != _shape(v)]
    if missing or unexpected or wrong:
        details = ([f"missing {', '.join(missing[:3])}"] if missing else []) + \
                  ([f"unexpected {', '.join(unexpected[:3])}"] if unexpected else []) + wrong[:2]
        raise JobError(f"--resume: {path} is a checkpoint of another architecture "
                       f"({'; '.join(details)})")
    net.load_state_dict(state)
    return path, training
