"""Anomaly detection: detect_anomaly / set_detect_anomaly, and torch's top-level switches.

NOTE [ Anomaly mode ]
While enabled, every op's node keeps the traceback of the forward call that made it (in
`node.metadata["traceback_"]`, through the Op hook of ops/_hooks.py, so the normal path pays
nothing), and the engine runs each backward formula through `checked_backward`: a formula that
raises first warns with its node's forward traceback, and with check_nan a formula that returns
NaN raises "Function 'XBackward0' returned nan values in its 0th output." as torch does.
"""
import os
import traceback
import warnings

import numpy as np

from .._backend import to_numpy
from .._warnings import user_stacklevel

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]


_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class _State:
    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled = False
        self.check_nan = True


state = _State()


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off (torch.set_anomaly_enabled)."""
    from ..ops import _hooks
    state.enabled, state.check_nan = bool(enabled), bool(check_nan)
    _hooks.state.anomaly = state.enabled
    _hooks.refresh()


class detect_anomaly:
    """A context manager that enables anomaly detection inside it (NOTE [ Anomaly mode ])."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.prev = None
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning,
                      stacklevel=user_stacklevel())

    def __enter__(self):
        self.prev = (state.enabled, state.check_nan)
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)


class set_detect_anomaly:
    """Sets anomaly detection on or off, as a function call or as a context manager that
    restores the previous setting on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = (state.enabled, state.check_nan)
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)


def record_forward(node):
    """Keep the traceback of the forward call that made node (called by the Op hook), up to the
    last frame outside ember: the user's call, as torch shows it."""
    stack = traceback.extract_stack()
    while stack and stack[-1].filename.startswith(_EMBER_DIR):
        stack.pop()
    node.metadata["traceback_"] = traceback.format_list(stack)


def checked_backward(call, node, *args):
    """call(node, *args), node's backward formula, under anomaly mode's checks."""
    try:
        grads = call(node, *args)
        if state.check_nan:
            for i, g in enumerate(grads):
                if g is not None and _has_nan(g):
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                       f"{i}th output.")
        return grads
    except Exception:
        forward = "".join(node.metadata.get("traceback_", ()))
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                      f"the error:\n{forward}", UserWarning, stacklevel=user_stacklevel())
        raise


def _has_nan(g):
    a = to_numpy(getattr(g, "_data", g))
    return a.dtype.kind in "fc" and bool(np.isnan(a).any())
