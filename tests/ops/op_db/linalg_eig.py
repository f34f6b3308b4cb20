"""OpInfo entries for torch.linalg.eig and eigvals (ember/ops/eig.py). The outputs are complex, so
each entry returns them through view_as_real, with every eigenvector's phase fixed (its first
component made real and positive): a gauge-invariant function of (L, V), whose gradient is
defined (NOTE [ Eigenvector gauge ] in ember/ops/eig.py)."""
import numpy as np

from . import OpInfo


def _separated(rng, dtype, shapes):
    """Random square matrices plus 3 diag(0..n-1): eigenvalues well apart, some complex pairs."""
    (shape,) = shapes
    a = rng.standard_normal(shape) + 3.0 * np.diag(np.arange(shape[-1], dtype=np.float64))
    return [a.astype(dtype)]


def _fixed_phase(m, v):
    first = v[..., :1, :]
    return v * (first.conj() / first.abs())


def _eig(m, a):
    w, v = m.linalg.eig(a)
    return m.view_as_real(w), m.view_as_real(_fixed_phase(m, v))


def _np_eig(a):
    w, v = np.linalg.eig(a)
    first = v[..., :1, :]
    v = v * (first.conj() / np.abs(first))
    return np.stack([w.real, w.imag], -1), np.stack([v.real, v.imag], -1)


def _np_eigvals(a):
    w = np.linalg.eigvals(a)
    return np.stack([w.real, w.imag], -1)


OPS = [
    OpInfo("linalg.eig", _eig, [((4, 4),), ((2, 3, 3),), ((1, 1),)], make_inputs=_separated,
           ref=_np_eig, grad_fn="ViewAsRealBackward0", gradgrad=False, atol=1e-4, rtol=1e-4),
    OpInfo("linalg.eigvals", lambda m, a: m.view_as_real(m.linalg.eigvals(a)),
           [((4, 4),), ((2, 3, 3),)], make_inputs=_separated, ref=_np_eigvals,
           grad_fn="ViewAsRealBackward0", gradgrad=False, atol=1e-4, rtol=1e-4),
]
