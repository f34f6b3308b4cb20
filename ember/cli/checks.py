"""Checks that run before the main job trains or writes anything: optional packages, the
device, the output folder and a checkpoint to resume from."""
import importlib
import os
import tempfile
from collections.abc import Mapping

import ember
from .errors import JobError

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


def check_output_dir(out):
    """Create `out` if needed and prove it writable with a temporary file."""
    try:
        os.makedirs(out, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise JobError(f"cannot write to the output folder {out}: {reason}") from None


def _shape(t):
    return tuple(getattr(t, "shape", ()))


def load_resume(path, net):
    """Load the state_dict at `path` (or at path/model.pt) into `net`, after checking that its
    names and shapes are the network's; otherwise a JobError, and `net` is untouched."""
    if os.path.isdir(path):
        path = os.path.join(path, "model.pt")
    try:
        state = ember.load(path)
    except FileNotFoundError:
        raise JobError(f"--resume: no checkpoint at {path}") from None
    except Exception as exc:  # any unreadable file: corrupt, truncated, not a checkpoint
        raise JobError(f"--resume: cannot read {path}: {exc}") from None
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
    return path
