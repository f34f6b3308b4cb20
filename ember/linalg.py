"""ember.linalg: torch.linalg's decompositions, solvers and norms; forward through NumPy's LAPACK
on arrays, backward in ember ops (the formulas of PyTorch's FunctionsManual.cpp)."""
import builtins
import math

import numpy as np

from . import ops as _ops
from . import return_types as _rt
from ._tensor import Tensor, _make
from .ops._op import Op
from .ops.linalg import matmul
from .ops.reduce import norm as _vector_norm
from .ops.triangular import diag_embed
from .ops.triangular import diagonal as _diagonal

__all__ = ["LinAlgError", "inv", "inv_ex", "det", "slogdet", "solve", "cholesky", "eigh",
           "eigvalsh", "svd", "svdvals", "vector_norm", "matrix_norm", "norm", "matrix_rank",
           "pinv", "cross", "vecdot", "matmul", "diagonal"]


class LinAlgError(RuntimeError):
    """A matrix the algorithm cannot handle: singular, or not positive-definite."""


def _float_name(t):
    return {"float32": "Float", "float64": "Double"}.get(t._data.dtype.name, str(t.dtype))


def _check_square(fn, A, arg="A"):
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{fn}: The input tensor {arg} must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{fn}: {arg} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    _check_float(fn, A)


def _check_float(fn, A):
    if A._data.dtype.kind != "f" or A._data.dtype == np.float16:
        raise RuntimeError(f"linalg.{fn}: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype.__repr__().split('.')[-1].capitalize()}")


def _singular(fn):
    return LinAlgError(f"linalg.{fn}: The diagonal element 1 is zero, the inversion could not "
                        "be completed because the input matrix is singular.")


def _T(t):
    return t.mT


# -- inverse, determinant -------------------------------------------------------------------------

class LinalgInvEx(Op):
    def forward(ctx, a):
        try:
            y = ctx.xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular("inv") from None
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -matmul(matmul(_T(y), g), _T(y))


def inv(A, *, out=None):
    """The inverse of each square matrix in A; singular matrices raise."""
    _check_square("inv", A)
    return LinalgInvEx.apply(A)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is 0 where the inverse exists (ember raises on a singular one)."""
    y = inv(A)
    return _rt.linalg_inv_ex(y, _make(np.zeros(A.shape[:-2], np.int32)))


class LinalgDet(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.linalg.det(a)

    def backward(ctx, g):
        # d det(A) / dA = det(A) A^-T (the inverse exists where the gradient is asked for)
        (a,) = ctx.saved_tensors
        d = LinalgDet.apply(a)
        return (g * d).unsqueeze(-1).unsqueeze(-1) * _T(inv(a))


def det(A, *, out=None):
    """The determinant of each square matrix in A."""
    _check_square("det", A)
    return LinalgDet.apply(A)


class LinalgSlogdet(Op):
    def forward(ctx, a):
        sign, logabs = ctx.xp.linalg.slogdet(a)
        ctx.save_for_backward(a)  # the sign records the node too, as in torch; its gradient is 0
        return sign, logabs

    def backward(ctx, _, g):
        (a,) = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * _T(inv(a))


def slogdet(A, *, out=None):
    """(sign, log|det|) of each square matrix in A: the determinant without overflow."""
    _check_square("slogdet", A)
    return _rt.linalg_slogdet(*LinalgSlogdet.apply(A))


# -- solvers --------------------------------------------------------------------------------------

class LinalgSolveEx(Op):
    """X with A X = B (left) or X A = B; B is a batch of vectors when `vector` (its last dim is
    A's size)."""

    def forward(ctx, a, b, vector, left=True):
        ctx.vector, ctx.left = vector, left
        xp = ctx.xp
        lhs, rhs = (a, b) if left else (xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2))
        try:  # X A = B is A^T X^T = B^T
            x = xp.linalg.solve(lhs, rhs[..., None] if vector else rhs)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                              "is singular.") from None
        x = x[..., 0] if vector else x if left else xp.swapaxes(x, -1, -2)
        ctx.save_for_backward(a, x)
        return x

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = LinalgSolveEx.apply(_T(a), g, ctx.vector, ctx.left)
        ga = None
        if need[0]:
            if ctx.vector:
                ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2))
            else:
                ga = -(matmul(gb, _T(x)) if ctx.left else matmul(_T(x), gb))
        return ga, (gb if need[1] else None)


def solve(A, B, *, left=True, out=None):
    """X with A @ X = B (left=False: X @ A = B); A's batch dims broadcast with B's."""
    _check_square("solve", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_float_name(A)} and B of type {_float_name(B)} instead")
    vector = left and (B.ndim == 1 or B.ndim == A.ndim - 1 and
                       tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    rows, cols = (B.shape[-1], 1) if B.ndim == 1 else B.shape[-2:]  # a 1-D B is a column
    if (B.shape[-1] if vector else rows if left else cols) != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{n} and "
                           f"{rows}x{cols})")
    return LinalgSolveEx.apply(A, B, vector, left)


# -- factorizations -------------------------------------------------------------------------------

class LinalgCholeskyEx(Op):
    def forward(ctx, a, upper):
        ctx.upper = upper
        try:
            low = ctx.xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.cholesky: The factorization could not be completed because "
                              "the input is not positive-definite.") from None
        out = low.swapaxes(-1, -2).copy() if upper else low
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        # gA = L^-H phi(L^H gL) L^-1, symmetrized; phi takes the lower triangle, diagonal halved
        (low,) = ctx.saved_tensors
        if ctx.upper:
            g, low = _T(g), _T(low)
        p = matmul(_T(low), g)
        p = p.tril() - 0.5 * diag_embed(_diagonal(p, 0, -2, -1))
        li = inv(low)
        ga = matmul(matmul(_T(li), p), li)
        return 0.5 * (ga + _T(ga))


def cholesky(A, *, upper=False, out=None):
    """L with A = L L^T for symmetric positive-definite A (only A's lower triangle is read)."""
    _check_square("cholesky", A)
    return LinalgCholeskyEx.apply(A, upper)


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
            inner = matmul(_T(v), gv) / (e + eye) * (1.0 - eye)
        if gw is not None:
            d = diag_embed(gw)
            inner = d if inner is None else inner + d
        return matmul(matmul(v, inner), _T(v))


def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices."""
    _check_square("eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _rt.linalg_eigh(*LinalgEigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of symmetric matrices, ascending."""
    return eigh(A, UPLO).eigenvalues


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
        v = _T(vh)
        m, n = u.shape[-2], v.shape[-2]
        # off-diagonal terms: skew parts of U^T gU and V^T gV over s_j^2 - s_i^2
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        eye = _make(ctx.xp.eye(k, dtype=s._data.dtype))
        f = (1.0 - eye) / (e + eye)
        utgu = matmul(_T(u), gu) if gu is not None else None
        vtgv = matmul(_T(v), _T(gvh)) if gvh is not None else None
        inner = diag_embed(gs) if gs is not None else eye * 0.0
        if utgu is not None:
            sk = utgu - _T(utgu)
            inner = inner + f * sk * s.unsqueeze(-2)
        if vtgv is not None:
            sk = vtgv - _T(vtgv)
            inner = inner + s.unsqueeze(-1) * (f * sk)
        ga = matmul(matmul(u, inner), vh)
        if gu is not None and m > k:
            proj = gu - matmul(u, utgu)
            ga = ga + matmul(proj / s.unsqueeze(-2), vh)
        if gvh is not None and n > k:
            gv = _T(gvh)
            proj = gv - matmul(v, vtgv)
            ga = ga + matmul(u, _T(proj / s.unsqueeze(-2)))
        return ga


def svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh; gradients of U and Vh need full_matrices=False (or
    square A), as in PyTorch."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _check_float("svd", A)
    return _rt.linalg_svd(*LinalgSvd.apply(A, full_matrices))


def svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _check_float("svd", A)
    return LinalgSvd.apply(A, False)[1]


class LinalgPinv(Op):
    """The Moore-Penrose pseudo-inverse through the SVD, dropping singular values at or below
    max(atol, rtol * largest). The backward is Golub and Pereyra's derivative of the
    pseudo-inverse (valid where the rank does not change):
    dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A), with P = pinv(A)."""

    def forward(ctx, a, atol, rtol):
        xp = ctx.xp
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        smax = s.max(-1, keepdims=True) if s.shape[-1] else s
        tol = xp.maximum(smax * rtol, atol)
        keep = s > tol
        s_inv = xp.where(keep, 1.0 / xp.where(keep, s, 1.0), 0.0).astype(s.dtype)
        p = xp.matmul(xp.swapaxes(vh, -1, -2) * s_inv[..., None, :], xp.swapaxes(u, -1, -2))
        ctx.save_for_backward(a, p)
        return p

    def backward(ctx, g):
        a, p = ctx.saved_tensors
        pt, gt = _T(p), _T(g)
        from_left = matmul(gt, matmul(p, pt))     # G^T P P^T
        from_right = matmul(matmul(pt, p), gt)    # P^T P G^T
        return (-matmul(matmul(pt, g), pt) + from_left - matmul(a, matmul(p, from_left))
                + from_right - matmul(matmul(from_right, p), a))


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse (LinalgPinv); rtol defaults to max(m, n) * eps when atol
    is not given, else to 0."""
    if rtol is None:
        rtol = max(A.shape[-2:]) * float(np.finfo(A._data.dtype).eps) if atol is None else 0.0
    return LinalgPinv.apply(A, float(atol or 0.0), float(rtol))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The number of singular values above max(atol, rtol * largest) (int64)."""
    s = svdvals(A.detach())._data
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,))
    if rtol is None:
        rtol = max(A.shape[-2:]) * float(np.finfo(s.dtype).eps) if atol is None else 0.0
    tol = np.maximum(smax * rtol, atol or 0.0)
    return _make(np.asarray((s > tol).sum(-1), dtype=np.int64))


# -- norms ----------------------------------------------------------------------------------------

def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ord-norm of x over dim (all elements by default)."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """'fro', 'nuc', inf, -inf, 1, -1, 2 or -2 norm of the matrices over the two dims."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        B = _ops.movedim(A, (d0, d1), (-2, -1))
        s = svdvals(B)
        r = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return r
    if ord in (math.inf, -math.inf, 1, -1):
        sum_dim, red_dim = (d1, d0) if ord in (math.inf, -math.inf) else (d0, d1)
        if not keepdim and sum_dim < red_dim:
            red_dim -= 1
        s = A.abs().sum(sum_dim, keepdim=keepdim)
        return s.amax(red_dim, keepdim=keepdim) if ord > 0 else s.amin(red_dim, keepdim=keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """vector_norm or matrix_norm, chosen by ord and dim as torch.linalg.norm chooses."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.ndim}D.")
        dim = tuple(builtins.range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1, out=None):
    """The 3-vector cross product along dim (default the last)."""
    from .ops.pairwise import _cross
    return _cross(input, other, dim)


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along dim (broadcasting)."""
    return (x * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """A view of the diagonals of the matrices in A (over dims -2 and -1 by default)."""
    return _diagonal(A, offset, dim1, dim2)
