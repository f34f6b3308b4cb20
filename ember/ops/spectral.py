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
from .triangular import diagonal as _diagonal

__all__ = ["svd"]


class LinalgEigh(Op):
    def forward(ctx, a, uplo):
        w, v = ctx.xp.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    def backward(ctx, gw, gv):
        # gA = V (diag(gw) + K / (w_j - w_i) off the diagonal) V^H with K = V^H gV made
        # skew-Hermitian, as torch does (complex input: K is first checked for phase invariance)
        w, v = ctx.saved_tensors
        inner = None
        if gv is not None:
            k = matmul(v.mH, gv)
            if k._data.dtype.kind == "c":
                _check_phase_invariant(ctx.xp, k, _EIGH_PHASE)
            k = 0.5 * (k - k.mH)  # the part of K that moves V within unit eigenvectors
            e = w.unsqueeze(-2) - w.unsqueeze(-1)
            n = w.shape[-1]
            eye = _make(ctx.xp.eye(n, dtype=w._data.dtype))
            inner = k / (e + eye) * (1.0 - eye)
        if gw is not None:
            d = diag_embed(gw)
            inner = d if inner is None else inner + d
        return matmul(matmul(v, inner), v.mH)


_EIGH_PHASE = ("linalg_eigh_backward: The eigenvectors in the complex case are specified up to "
               "multiplication by e^{i phi}. The specified loss function depends on this "
               "quantity, so it is ill-defined.")
_SVD_PHASE = ("svd_backward: The singular vectors in the complex case are specified up to "
              "multiplication by e^{i phi}. The specified loss function depends on this phase "
              "term, making it ill-defined.")


def _check_phase_invariant(xp, k, message, other=None):
    """Refuse a loss that depends on the phases of complex eigen/singular vectors V: with
    K = V^H gV, Im diag(K) must be 0 (for the SVD, -Im diag of V's partner), within torch's
    tolerance."""
    im = xp.imag(xp.diagonal(k._data, 0, -2, -1))
    ref = 0 if other is None else -xp.imag(xp.diagonal(other._data, 0, -2, -1))
    if not bool(xp.all(xp.abs(im - ref) <= 1e-2 + 1e-2 * xp.abs(ref))):
        raise RuntimeError(message)


def linalg_eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric (Hermitian) matrices; only
    the UPLO triangle is read (and a complex diagonal's real part)."""
    check_square("linalg.eigh", A, complex_ok=True, kernel="linalg_eigh_cpu")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _rt.linalg_eigh(*LinalgEigh.apply(A, UPLO))


def linalg_eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (real) of symmetric or Hermitian matrices, ascending."""
    return linalg_eigh(A, UPLO).eigenvalues


class LinalgSvd(Op):
    """A = U diag(S) Vh, reduced; S is real for complex A."""

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
        v = vh.mH
        m, n = u.shape[-2], v.shape[-2]
        # off-diagonal terms: skew-Hermitian parts of U^H gU and V^H gV over s_j^2 - s_i^2
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        eye = _make(ctx.xp.eye(k, dtype=s._data.dtype))
        f = (1.0 - eye) / (e + eye)
        uhgu = matmul(u.mH, gu) if gu is not None else None
        vhgv = matmul(v.mH, gvh.mH) if gvh is not None else None
        inner = diag_embed(gs) if gs is not None else eye * 0.0
        complex_ = u._data.dtype.kind == "c"
        if complex_:
            # the loss may depend on U and V only through U diag(e^{i phi}) and V diag(e^{i phi})
            zero = eye * 0.0
            _check_phase_invariant(ctx.xp, zero if uhgu is None else uhgu, _SVD_PHASE,
                                   zero if vhgv is None else vhgv)
        if uhgu is not None:
            sk = uhgu - uhgu.mH
            inner = inner + f * sk * s.unsqueeze(-2)
            if complex_:  # the phase U and V share: i Im diag(U^H gU) / s on the diagonal
                inner = inner + diag_embed(_diagonal(sk, 0, -2, -1) / (2 * s))
        if vhgv is not None:
            sk = vhgv - vhgv.mH
            inner = inner + s.unsqueeze(-1) * (f * sk)
        ga = matmul(matmul(u, inner), vh)
        if gu is not None and m > k:
            proj = gu - matmul(u, uhgu)
            ga = ga + matmul(proj / s.unsqueeze(-2), vh)
        if gvh is not None and n > k:
            gv = gvh.mH
            proj = gv - matmul(v, vhgv)
            ga = ga + matmul(u, (proj / s.unsqueeze(-2)).mH)
        return ga


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh; gradients of U and Vh need full_matrices=False (or
    square A), as in PyTorch."""
    check_matrix("linalg.svd", A, complex_ok=True, half_kernel="linalg_svd_cpu")
    return _rt.linalg_svd(*LinalgSvd.apply(A, full_matrices))


def linalg_svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending."""
    check_matrix("linalg.svd", A, complex_ok=True, half_kernel="linalg_svd_cpu")
    return LinalgSvd.apply(A, False)[1]


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd's legacy form: (U, S, V) with V = Vh^H; some=False gives square U and V,
    compute_uv=False zero-filled U and V."""
    check_matrix("linalg.svd", input, complex_ok=True)
    u, s, vh = LinalgSvd.apply(input, not some)
    if not compute_uv:
        return _rt.svd(u.detach() * 0, s, vh.detach().mT * 0)
    return _rt.svd(u, s, vh.mH)


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
    check_matrix(f"linalg.cond(ord={p})", A, complex_ok=True,
                 half_kernel="linalg_svd_cpu" if p is None or p in (2, -2) else None)
    if p is None or p in (2, -2):
        s = linalg_svdvals(A)
        big, small = s[..., :1], s[..., -1:]
        return (big / small if p != -2 else small / big).squeeze(-1)
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    check_square(f"linalg.cond(ord={p})", A, complex_ok=True)
    inv = linalg_inv_ex(A).inverse
    r = matrix_norm(A, p) * matrix_norm(inv, p)
    if p == "nuc":
        return r
    return nan_to_num(r, nan=math.inf, posinf=math.inf)
