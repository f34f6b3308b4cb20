"""Test helpers for ember and its users: assert_close with per-dtype tolerances, make_tensor."""
import numpy as np

from .._tensor import Tensor, _make

_TOL = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def _np(x):
    if isinstance(x, Tensor):
        return np.asarray(x.detach()._data if x.is_cpu else x.detach().cpu()._data)
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(actual, expected, *, rtol=None, atol=None, check_dtype=True, equal_nan=True,
                 msg=None):
    """Values (and shapes, and dtypes by name) agree within the tolerance of actual's dtype."""
    a, e = _np(actual), _np(expected)
    if a.shape != e.shape:
        raise AssertionError(f"shape mismatch: {a.shape} vs {e.shape}" + (f" ({msg})" if msg else ""))
    if check_dtype and a.dtype != e.dtype:
        raise AssertionError(f"dtype mismatch: {a.dtype} vs {e.dtype}" + (f" ({msg})" if msg else ""))
    r, t = _TOL.get(a.dtype.name, (0, 0))
    np.testing.assert_allclose(a, e, rtol=r if rtol is None else rtol,
                               atol=t if atol is None else atol, equal_nan=equal_nan,
                               err_msg=msg or "")


def make_tensor(*shape, dtype=None, low=-1.0, high=1.0, requires_grad=False, seed=0):
    """A deterministic tensor drawn uniformly from [low, high)."""
    from .. import _dtype
    dt = (dtype or _dtype.get_default_dtype()).np
    rng = np.random.default_rng(seed)
    if dt.kind == "f":
        a = rng.uniform(low, high, shape).astype(dt)
    elif dt.kind == "b":
        a = rng.random(shape) < 0.5
    else:
        a = rng.integers(int(low), int(high) + 1, shape).astype(dt)
    t = _make(a)
    if requires_grad:
        t.requires_grad_()
    return t
