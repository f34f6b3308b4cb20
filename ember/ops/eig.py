"""The general (non-symmetric) eigendecomposition: torch.linalg.eig and eigvals, forward through
NumPy's LAPACK (geev), backward in ember ops.

Outputs are always complex (complex64 for float32 and complex64 input, complex128 otherwise), as
in torch, even where every eigenvalue is real; each eigenvector has norm 1 (geev's scaling, which
torch's is too).

NOTE [ Eigenvector gauge ]
An eigenvector is only defined up to a phase e^(i phi). The backward
  gA = V^-H (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / conj(L_j - L_i)) V^H
(the quotient off the diagonal only) is right for losses that do not see that phase; for one that
does, Im(diag(V^H gV)) is not zero and the gradient is ill-defined, so torch's error is raised.
A real input gets the real part of gA.
"""
import numpy as np

from .. import return_types as _rt
from .._dtype import type_name
from .._tensor import Tensor, _make
from ..autograd.grad_mode import is_grad_enabled
from ._common import _type_word
from ._op import Op
from .complex import conj, imag, real
from .linalg import matmul
from .triangular import diag_embed, diagonal

__all__ = ["linalg_eig", "linalg_eigvals"]

_GAUGE_TOLERANCE = 1e-2  # |Im diag(V^H gV)| above this: the loss depends on the phase


class _Inverse(Op, grad_fn="LinalgInvExBackward0"):
    """The inverse of (possibly complex) eigenvector matrices, differentiable for double
    backward: d(A^-1) = -A^-1 dA A^-1, so gA = -A^-H g A^-H."""

    def forward(ctx, a):
        w = ctx.xp.linalg.inv(a)
        ctx.save_for_backward(w)
        return w

    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        wh = w.mH
        return -matmul(matmul(wh, g), wh)


def _complex_dtype(a):
    return np.complex64 if a.dtype in (np.float32, np.complex64) else np.complex128


class LinalgEig(Op):
    def forward(ctx, a, strict=True):
        xp = ctx.xp
        finite = xp.isfinite(a).all(axis=(-2, -1))
        if strict and not bool(finite.all()):
            raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
        ctype = _complex_dtype(a)
        w = xp.full(a.shape[:-1], np.nan, ctype)
        v = xp.full(a.shape, np.nan, ctype)
        if a.shape[-1] == 0:
            v = xp.zeros(a.shape, ctype)
        elif finite.any():  # a matrix with inf or NaN (eigvals without grad) gets NaN
            w[finite], v[finite] = (x.astype(ctype, copy=False) for x in xp.linalg.eig(a[finite]))
        ctx.real_input = a.dtype.kind == "f"
        ctx.save_for_backward(w, v)
        return w, v

    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        vh = v.mH
        inner = None
        if gv is not None:
            vhgv = matmul(vh, gv)
            diag = diagonal(vhgv, 0, -2, -1)
            if bool((imag(diag).abs() > _GAUGE_TOLERANCE).any()):
                raise RuntimeError(
                    "linalg_eig_backward: The eigenvectors in the complex case are specified up "
                    "to multiplication by e^{i phi}. The specified loss function depends on this "
                    "quantity, so it is ill-defined.")
            vhgv = vhgv - matmul(vh, v) * real(diag).unsqueeze(-2)
            wc = conj(w)
            gap = wc.unsqueeze(-2) - wc.unsqueeze(-1)     # conj(L_j - L_i)
            eye = _make(ctx.xp.eye(w.shape[-1], dtype=gap._data.dtype))
            inner = vhgv / (gap + eye) * (1.0 - eye)
        if gw is not None:
            d = diag_embed(gw)
            inner = d if inner is None else inner + d
        ga = matmul(matmul(_Inverse.apply(v).mH, inner), vh)
        return real(ga) if ctx.real_input else ga


def _check(fn, A):
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_word(A)}")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{fn}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{fn}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    kind, name = A._data.dtype.kind, A._data.dtype.name
    if kind in "iub":
        raise RuntimeError(f"Unknown Complex ScalarType for {type_name(A._data)}")
    if name == "float16":
        raise NotImplementedError("\"linalg_eig_out_cpu\" not implemented for 'Half'")


def linalg_eig(A, *, out=None):
    """(eigenvalues, eigenvectors as columns of norm 1) of square matrices, both complex."""
    _check("eig", A)
    return _rt.linalg_eig(*LinalgEig.apply(A))


def linalg_eigvals(A, *, out=None):
    """The (complex) eigenvalues of square matrices. As torch's, without a gradient to compute
    it takes matrices with inf or NaN (their eigenvalues are NaN here) instead of refusing them."""
    _check("eigvals", A)
    return LinalgEig.apply(A, A.requires_grad and is_grad_enabled())[0]
