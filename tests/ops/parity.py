"""One check shared by the parity test files: the same call on ember and on torch gives the same
exception (class and message) or the same result (shape and values), with no NumPy warning where
torch is silent."""
import warnings

import numpy as np
import torch

import ember


def outcome(fn, lib):
    """('ok', result as NumPy) or (exception class name, message); NumPy's warnings raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("error", category=np.exceptions.ComplexWarning)
        try:
            r = fn(lib)
        except Exception as exc:  # noqa: BLE001 - the exception is what is compared
            return type(exc).__name__, str(exc)
    return "ok", r.numpy() if hasattr(r, "numpy") else r


def same(fn):
    got, want = outcome(fn, ember), outcome(fn, torch)
    assert got[0] == want[0], (got, want)
    if got[0] == "ok":
        assert np.shape(got[1]) == np.shape(want[1])
        np.testing.assert_array_equal(got[1], want[1])
    else:
        assert got[1] == want[1]
