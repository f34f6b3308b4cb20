"""Symmetric eigendecomposition and the SVD, and what is built on them (svdvals, matrix_rank,
cond, torch.svd's legacy form); forward through NumPy's LAPACK, backward in ember ops."""
import math

import numpy as np

from .. import return_types as _rt
from .._tensor import _make
from ._linalg_common import check_matrix, check_square
from ._op import Op
from .linalg import matmul
from .triangular import diag_embed

__all__ = ["svd"]


class LinalgEigh(Op):
    def forward(ctx, a, uplo):
        w, v = ctx.xp.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    def backward(ctx, gw, gv):
        # gA = V (diag(gw) + (V^T gV) / (w_j - w_i) off the diagonal) V^T
        w, v = ctx.saved_tensors
        inner = None
        if gv is not None:
            e = w.unsqueeze(-2) - w.unsqueeze(-1)
            n = w.shape[-1]
            eye = _make(ctx.xp.eye(n, dtype=w._data.dtype))
            inner = matmul(v.mT, gv) / (e + eye) * (1.0 - eye)
        if gw is not None:
            d = diag_embed(gw)
            inner = d if inner is None else inner + d
        return matmul(matmul(v, inner), v.mT)


def linalg_eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices."""
    check_square("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _rt.linalg_eigh(*LinalgEigh.apply(A, UPLO))


def linalg_eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of symmetric matrices, ascending."""
    return linalg_eigh(A, UPLO).eigenvalues


class LinalgSvd(Op):
    """A = U diag(S) Vh, reduced. Backward: PyTorch's svd_backward for real inputs."""

    def forward(ctx, a, full_matrices):
        u, s, vh = ctx.xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        ctx.full = full_matrices and a.shape[-1] != a.shape[-2]
        return u, s, vh

    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        if ctx.full:  # the engine hands unused outputs zeros: only nonzero ones are "defined"
            if any(t is not None and t._data.any() for t in (gu, gvh)):
                raise RuntimeError("linalg_svd_backward: Computing the gradients of U or Vh "
                                   "with full_matrices=True is not supported. Please use "
                                   "full_matrices=False.")
            u, vh, gu, gvh = u[..., :k], vh[..., :k, :], None, None
        if gu is None and gvh is None:
            return matmul(u * gs.unsqueeze(-2), vh)
        v = vh.mT
        m, n = u.shape[-2], v.shape[-2]
        # off-diagonal terms: skew parts of U^T gU and V^T gV over s_j^2 - s_i^2
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        eye = _make(ctx.xp.eye(k, dtype=s._data.dtype))
        f = (1.0 - eye) / (e + eye)
        utgu = matmul(u.mT, gu) if gu is not None else None
        vtgv = matmul(v.mT, gvh.mT) if gvh is not None else None
        inner = diag_embed(gs) if gs is not None else eye * 0.0
        if utgu is not None:
            sk = utgu - utgu.mT
            inner = inner + f * sk * s.unsqueeze(-2)
        if vtgv is not None:
            sk = vtgv - vtgv.mT
            inner = inner + s.unsqueeze(-1) * (f * sk)
        ga = matmul(matmul(u, inner), vh)
        if gu is not None and m > k:
            proj = gu - matmul(u, utgu)
            ga = ga + matmul(proj / s.unsqueeze(-2), vh)
        if gvh is not None and n > k:
            gv = gvh.mT
            proj = gv - matmul(v, vtgv)
            ga = ga + matmul(u, (proj / s.unsqueeze(-2)).mT)
        return ga


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh; gradients of U and Vh need full_matrices=False (or
    square A), as in PyTorch."""
    check_matrix("linalg.svd", A)
    return _rt.linalg_svd(*LinalgSvd.apply(A, full_matrices))


def linalg_svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending."""
    check_matrix("linalg.svd", A)
    return LinalgSvd.apply(A, False)[1]


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd's legacy form: (U, S, V) with V (not V^T); some=False gives square U and V,
    compute_uv=False zero-filled U and V."""
    check_matrix("linalg.svd", input)
    u, s, vh = LinalgSvd.apply(input, not some)
    if not compute_uv:
        return _rt.svd(u.detach() * 0, s, vh.detach().mT * 0)
    return _rt.svd(u, s, vh.mT)


def linalg_matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The number of singular values above max(atol, rtol * largest) (int64)."""
    s = linalg_svdvals(A.detach())._data
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,))
    if rtol is None:
        rtol = max(A.shape[-2:]) * float(np.finfo(s.dtype).eps) if atol is None else 0.0
    tol = np.maximum(smax * rtol, atol or 0.0)
    return _make(np.asarray((s > tol).sum(-1), dtype=np.int64))


def linalg_cond(A, p=None, *, out=None):
    """The condition number |A|_p |A^-1|_p; for p in (None, 2, -2) the ratio of the extreme
    singular values (any shape), else of square matrices, inf where A is singular."""
    from ..linalg import matrix_norm
    from .inverses import linalg_inv_ex
    from .clamping import nan_to_num
    check_matrix(f"linalg.cond(ord={p})", A)
    if p is None or p in (2, -2):
        s = linalg_svdvals(A)
        big, small = s[..., :1], s[..., -1:]
        return (big / small if p != -2 else small / big).squeeze(-1)
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    check_square(f"linalg.cond(ord={p})", A)
    inv = linalg_inv_ex(A).inverse
    r = matrix_norm(A, p) * matrix_norm(inv, p)
    if p == "nuc":
        return r
    return nan_to_num(r, nan=math.inf, posinf=math.inf)
