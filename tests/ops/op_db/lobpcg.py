"""OpInfo entries for torch.lobpcg: A = a a^T + I is symmetric positive definite, and an initial
guess of n columns with m = 3n makes the first Rayleigh-Ritz step span the whole space, so the
eigenpairs are exact to rounding (the iteration stops at once) and finite differences see a smooth
function. Eigenvectors are signed by their first row, as in linalg_eigh's entry."""
import numpy as np

from . import OpInfo


def _signed_lobpcg(m, a, x, **kw):
    spd = a @ a.mT + m.eye(a.shape[-1], dtype=a.dtype, device=a.device)
    e, u = m.lobpcg(spd, X=x, **kw)
    return e, u * u[..., :1, :].sign()


def _np_signed(a, x, largest=True):
    w, q = np.linalg.eigh(a @ np.swapaxes(a, -1, -2) + np.eye(a.shape[-1]))
    k = x.shape[-1]
    w, q = (w[..., ::-1], q[..., ::-1]) if largest else (w, q)
    w, q = w[..., :k], q[..., :k]
    return w, q * np.sign(q[..., :1, :])


OPS = [
    OpInfo("lobpcg", _signed_lobpcg, [((6, 6), (6, 2)), ((2, 6, 6), (2, 6, 2))],
           ref=_np_signed, grad_fn="LOBPCGAutogradFunctionBackward", grad_inputs=(0,),
           atol=1e-4, rtol=1e-3),
    OpInfo("lobpcg_smallest_basic",
           lambda m, a, x: _signed_lobpcg(m, a, x, largest=False, method="basic"),
           [((6, 6), (6, 2))], ref=lambda a, x: _np_signed(a, x, largest=False),
           grad_fn="LOBPCGAutogradFunctionBackward", grad_inputs=(0,), atol=1e-4, rtol=1e-3),
]
