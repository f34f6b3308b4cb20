"""Linear solvers: solve, solve_triangular, cholesky_solve, lu_solve, lstsq, tensorsolve;
forward on arrays, backward in ember ops."""
import numpy as np

from .. import return_types as _rt
from .._backend import xp_of
from .._tensor import Tensor, _make
from ._linalg_common import (LinAlgError, check_float, check_matrix, check_same_dtype,
                             check_square, lu_factor_arrays, lu_solve_arrays,
                             triangular_solve_arrays)
from ._op import Op
from .complex import holomorphic
from .inverses import LinalgPinv, pinv_arrays, pinv_grad
from .linalg import matmul

__all__ = ["cholesky_solve", "lu_solve"]


def _swap(xp, x):
    return xp.swapaxes(x, -1, -2)


# -- solve ----------------------------------------------------------------------------------------

class LinalgSolveEx(Op):
    """(X, info) with A X = B (left) or X A = B; B is a batch of vectors when `vector` (its last
    dim is A's size). A singular A raises unless `check_errors` is False (then X holds inf/nan)."""

    def forward(ctx, a, b, vector, left=True, check_errors=True):
        ctx.vector, ctx.left = vector, left
        xp = ctx.xp
        lhs, rhs = (a, b) if left else (_swap(xp, a), _swap(xp, b))  # X A = B is A^T X^T = B^T
        rhs = rhs[..., None] if vector else rhs
        try:
            x = xp.linalg.solve(lhs, rhs)
            info = xp.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            if check_errors:
                raise LinAlgError("torch.linalg.solve: The solver failed because the input "
                                  "matrix is singular.") from None
            lu, piv, info = lu_factor_arrays(xp, lhs)
            with np.errstate(divide="ignore", invalid="ignore"):
                x = lu_solve_arrays(xp, lu, piv, rhs)
        x = x[..., 0] if vector else x if left else _swap(xp, x)
        ctx.save_for_backward(a, x)
        return x, info

    def backward(ctx, g, _):
        a, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = LinalgSolveEx.apply(a.mT, g, ctx.vector, ctx.left)[0]
        ga = None
        if need[0]:
            if ctx.vector:
                ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2))
            else:
                ga = -(matmul(gb, x.mT) if ctx.left else matmul(x.mT, gb))
        return ga, (gb if need[1] else None)


def linalg_solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info) with A @ X = B (left=False: X @ A = B); info is nonzero for a singular A."""
    check_square("linalg.solve", A, complex_ok=True, half_kernel="lu_cpu")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    check_same_dtype("linalg.solve", A, B)
    vector = left and (B.ndim == 1 or B.ndim == A.ndim - 1 and
                       tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    rows, cols = (B.shape[-1], 1) if B.ndim == 1 else B.shape[-2:]  # a 1-D B is a column
    if (B.shape[-1] if vector else rows if left else cols) != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{n} and "
                           f"{rows}x{cols})")
    return _rt.linalg_solve_ex(*LinalgSolveEx.apply(A, B, vector, left, check_errors))


def linalg_solve(A, B, *, left=True, out=None):
    """X with A @ X = B (left=False: X @ A = B); A's batch dims broadcast with B's."""
    x, _ = linalg_solve_ex(A, B, left=left, check_errors=True)
    return x


# -- triangular systems ---------------------------------------------------------------------------

def _triangle(t, upper, unit):
    """The part of a gradient that a triangular solve reads from its matrix."""
    return t.triu(1 if unit else 0) if upper else t.tril(-1 if unit else 0)


class LinalgSolveTriangular(Op):
    def forward(ctx, a, b, upper, left, unit):
        xp = ctx.xp
        ctx.upper, ctx.left, ctx.unit = upper, left, unit
        with np.errstate(divide="ignore", invalid="ignore"):
            if left:
                x = triangular_solve_arrays(xp, a, b, upper, unit)
            else:  # X A = B is A^T X^T = B^T
                x = _swap(xp, triangular_solve_arrays(xp, _swap(xp, a), _swap(xp, b),
                                                      not upper, unit))
        ctx.save_for_backward(a, x)
        return x

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        up, left, unit = ctx.upper, ctx.left, ctx.unit
        gb = LinalgSolveTriangular.apply(a.mT, g, not up, left, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = _triangle(-(matmul(gb, x.mT) if left else matmul(x.mT, gb)), up, unit)
        return ga, gb


def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A @ X = B (left=False: X @ A = B) for triangular A; a zero on A's diagonal gives
    inf and nan, as in torch."""
    check_square("linalg.solve_triangular", A, complex_ok=True, kernel="triangular_solve_cpu")
    check_matrix("linalg.solve_triangular", B, "B", complex_ok=True)
    check_same_dtype("linalg.solve_triangular", A, B)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    return LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


# -- Cholesky and LU solves -----------------------------------------------------------------------

class CholeskySolve(Op):
    """X with (L L^H) X = B (U^H U with upper). Like torch's, the factor's gradient is the
    formula's for a full factor, without masking to its triangle."""

    def forward(ctx, b, factor, upper):
        xp = ctx.xp
        ctx.upper = upper
        low = _swap(xp, factor).conj() if upper else factor
        y = triangular_solve_arrays(xp, low, b, upper=False)
        x = triangular_solve_arrays(xp, _swap(xp, low).conj(), y, upper=True)
        ctx.save_for_backward(factor, x)
        return x

    def backward(ctx, g):
        factor, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        # A = L L^H is Hermitian: gB = A^-1 gX, gA = -gB X^H, gL = (gA + gA^H) L
        gb = CholeskySolve.apply(g, factor, ctx.upper)
        gf = None
        if need[1]:
            common = matmul(gb, x.mH)
            common = -(common + common.mH)
            gf = matmul(factor, common) if ctx.upper else matmul(common, factor)
        return (gb if need[0] else None), gf


def cholesky_solve(input, input2, upper=False, *, out=None):
    """X with A X = input, A given by its Cholesky factor input2 (lower, or upper)."""
    check_square("linalg.cholesky_solve", input2, "input2", complex_ok=True,
                 kernel="cholesky_solve_cpu")
    check_matrix("linalg.cholesky_solve", input, "input", complex_ok=True,
                 kernel="cholesky_solve_cpu")
    check_same_dtype("cholesky_solve", input, input2, "self", "A")
    return CholeskySolve.apply(input, input2, bool(upper))


class LinalgLuSolve(Op):
    """X with A X = B from A = P L U packed by lu_factor (adjoint: A^T X = B; left=False: X A = B
    or X A^T = B)."""

    def forward(ctx, lu, piv, b, left, adjoint):
        xp = ctx.xp
        ctx.left, ctx.adjoint = left, adjoint
        with np.errstate(divide="ignore", invalid="ignore"):
            if left:
                x = lu_solve_arrays(xp, lu, piv, b, adjoint)
            else:  # X A = B is A^T X^T = B^T
                x = _swap(xp, lu_solve_arrays(xp, lu, piv, _swap(xp, b), not adjoint))
        ctx.save_for_backward(lu, piv, x)
        return x

    def backward(ctx, g):
        lu, piv, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        left, adj = ctx.left, ctx.adjoint
        gb = LinalgLuSolve.apply(lu, piv, g, left, not adj)
        glu = None
        if need[0]:
            if left:
                ga = -matmul(x, gb.mT) if adj else -matmul(gb, x.mT)
            else:
                ga = -matmul(gb.mT, x) if adj else -matmul(x.mT, gb)
            glu = lu_grad_from_a(lu, piv, ga)
        return glu, None, (gb if need[2] else None)


def lu_grad_from_a(lu, piv, ga):
    """The gradient of packed LU factors (square) given A's gradient, A = P L U."""
    from .factorizations import lu_unpack
    p, low, up = lu_unpack(lu, piv)
    pga = matmul(p.mT, ga)
    return matmul(pga, up.mT).tril(-1) + matmul(low.mT, pga).triu()


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B given lu_factor(A) (left=False: X A = B; adjoint: A^H in place of A)."""
    check_square("linalg.lu_solve", LU, "LU", complex_ok=True)
    check_matrix("linalg.lu_solve", B, "B", complex_ok=True)
    check_same_dtype("linalg.lu_solve", LU, B, "LU", "B")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x"
                           f"{B.shape[-1]})")
    if adjoint and LU._data.dtype.kind == "c":
        # A^H X = B (X A^H = B) is A^T conj(X) = conj(B) (conj(X) A^T = conj(B)): the transposed
        # solve, holomorphic in A, between two conjugations that autograd follows
        from .complex import conj
        return conj(LinalgLuSolve.apply(LU, pivots, conj(B), bool(left), True))
    return LinalgLuSolve.apply(LU, pivots, B, bool(left), bool(adjoint))


def lu_solve(input, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve(b, LU, pivots): linalg.lu_solve(LU, pivots, b)."""
    return linalg_lu_solve(LU_data, LU_pivots, input)


# -- least squares --------------------------------------------------------------------------------

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


# complex systems: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(LinalgSolveEx, LinalgSolveTriangular, LinalgLuSolve)


class LinalgLstsq(Op):
    """The minimum-norm least-squares solution X = pinv(A) B (what LAPACK's drivers give for a
    full-rank A) and, for drivers other than gelsy when A is tall and of full rank, the squared
    residuals |A X - B|^2 of each column."""

    def forward(ctx, a, b, rcond, residuals):
        xp = ctx.xp
        p = pinv_arrays(xp, a, 0.0, rcond)
        x = xp.matmul(p, b)
        ctx.rcond, ctx.residuals = rcond, residuals
        res = (xp.square(xp.abs(xp.matmul(a, x) - b)).sum(-2) if residuals
               else xp.zeros((0,), a.real.dtype))
        ctx.save_for_backward(a, b, x)
        return x, res

    def backward(ctx, gx, gres):
        a, b, x = ctx.saved_tensors
        p = LinalgPinv.apply(a, 0.0, ctx.rcond)
        need = ctx.needs_input_grad
        # X = P B with P = pinv(A); a residual |A X - B|^2 sends 2 gres (A X - B) to A X - B,
        # and none through X (A^H (A X - B) = 0 at the least-squares solution)
        ga = pinv_grad(a, p, matmul(gx, b.mH)) if need[0] else None
        gb = matmul(p.mH, gx) if need[1] else None
        if ctx.residuals and gres is not None:
            r = (matmul(a, x) - b) * (2 * gres.unsqueeze(-2))
            ga = None if ga is None else ga + matmul(r, x.mH)
            gb = None if gb is None else gb - r
        return ga, gb


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min |A X - B| as torch's CPU drivers give
    them: rank for gelsy/gelsd/gelss, singular values for gelsd/gelss, residuals when A is tall
    and of full rank (not with gelsy); the others are empty."""
    check_matrix("linalg.lstsq", A, complex_ok=True)
    check_float("linalg.lstsq", B, complex_ok=True)
    check_same_dtype("torch.linalg.lstsq", A, B, "self", "b")
    driver = driver or "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"{_DRIVERS}")
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2:]
    if b.shape[-2] != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2). "
                           f"Got {m} and {b.shape[-2]}")
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(b.shape[:-2]))
    a = A.expand(*batch, m, n)
    b = b.expand(*batch, *b.shape[-2:])
    eps = float(np.finfo(A._data.dtype).eps)
    rcond = max(m, n) * eps if rcond is None or rcond < 0 else float(rcond)
    s = np.linalg.svd(np.asarray(A.detach().cpu()._data), compute_uv=False)
    smax = s.max(-1, keepdims=True) if s.shape[-1] else s
    rank = (s > rcond * smax).sum(-1).astype(np.int64)
    residuals = driver != "gelsy" and m > n and bool((rank == n).all())
    x, res = LinalgLstsq.apply(a, b, rcond, residuals)
    if vector:
        x = x.squeeze(-1)
        if residuals:
            res = res.squeeze(-1)
    xp = xp_of(A._data)
    rank_t = _make(xp.asarray(rank)) if driver != "gels" else _make(xp.zeros((0,), np.int64))
    sv = _make(xp.asarray(s)) if driver in ("gelsd", "gelss") else \
        _make(xp.zeros((0,), A._data.real.dtype))
    return _rt.linalg_lstsq(x, res, rank_t, sv)


def linalg_tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B; dims are A's dims moved to the end first."""
    from .shape import movedim
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = movedim(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    rows = int(np.prod(B.shape))
    x_shape = tuple(A.shape[B.ndim:])
    cols = int(np.prod(x_shape))
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:"
                           f"]) == prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    x = linalg_solve(A.reshape(rows, cols), B.reshape(rows))
    return x.view(x_shape)

