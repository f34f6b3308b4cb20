"""What the matrix-decomposition families share: LinAlgError, torch's input checks, and the LU
factorization and substitutions on backend arrays that several of them build on (NumPy has no
LU and no triangular solve)."""
import numpy as np

from .._dtype import type_name
from .._tensor import _make
from ._errors import refuse_non_floating


class LinAlgError(RuntimeError):
    """A matrix the algorithm cannot handle: singular, or not positive-definite."""


def float_name(t):
    return {"float32": "Float", "float64": "Double"}.get(t._data.dtype.name, str(t.dtype))


def check_matrix(fn, A, arg="A", complex_ok=False, kernel=None, half_kernel=None):
    if A.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {arg} must have at least 2 dimensions.")
    check_float(fn, A, complex_ok, kernel, half_kernel)


def check_square(fn, A, arg="A", complex_ok=False, kernel=None, half_kernel=None):
    """A batch of square floating matrices; fn is torch's prefix ('linalg.inv')."""
    if A.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {arg} must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fn}: {arg} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    check_float(fn, A, complex_ok, kernel, half_kernel)


def check_float(fn, A, complex_ok=False, kernel=None, half_kernel=None):
    """A float32/float64 tensor, or complex where the op's formulas are complex-correct
    (complex_ok); other complex inputs are refused as not yet supported, not as torch's.
    Ops whose torch kernel has no integer loop (rather than a dtype check) name the kernel, and
    refuse integer and bool inputs with its NotImplementedError; float16 inputs get the
    NotImplementedError of half_kernel (default: kernel) where torch's kernel has no Half loop."""
    dt = A._data.dtype
    if kernel is not None:
        refuse_non_floating(kernel, A)
    if dt == np.float16 and (half_kernel or kernel):
        raise NotImplementedError(f'"{half_kernel or kernel}" not implemented for \'Half\'')
    if dt.kind == "c":
        if not complex_ok:
            raise NotImplementedError(f"{fn}: complex inputs are not supported by ember yet")
    elif dt.kind != "f" or dt == np.float16:
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. "
                           f"Got {type_name(A)}")


def check_same_dtype(fn, A, B, a="A", b="B"):
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"{fn}: Expected {a} and {b} to have the same dtype, but found {a} of "
                           f"type {float_name(A)} and {b} of type {float_name(B)} instead")


def int_zeros(shape, like):
    """An int32 `info` tensor of zeros on like's device."""
    from .._backend import xp_of
    return _make(xp_of(like._data).zeros(shape, np.int32))


# -- LU with partial pivoting, and substitutions, on arrays ---------------------------------------

def lu_factor_arrays(xp, a):
    """(LU, pivots, info) as LAPACK's getrf gives them: LU packs unit-lower L under U, pivots are
    1-based int32 row swaps, info the first zero pivot (1-based, 0 when none). A zero pivot
    leaves its column unscaled and the factorization goes on, as LAPACK does."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((-1, m, n)).copy()
    nb = lu.shape[0]
    rows = xp.arange(nb)
    piv = xp.zeros((nb, k), np.int32)
    info = xp.zeros(nb, np.int32)
    for j in range(k):
        col = lu[:, j:, j]
        # LAPACK's pivot is the largest |re| + |im| for complex entries (izamax), not the modulus
        size = xp.abs(col.real) + xp.abs(col.imag) if col.dtype.kind == "c" else xp.abs(col)
        p = j + xp.argmax(size, axis=1)
        piv[:, j] = p + 1
        top = lu[rows, j, :].copy()
        lu[rows, j, :] = lu[rows, p, :]
        lu[rows, p, :] = top
        d = lu[:, j, j]
        zero = d == 0
        info = xp.where(zero & (info == 0), j + 1, info).astype(np.int32)
        lu[:, j + 1:, j] /= xp.where(zero, 1, d)[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return (lu.reshape(batch + (m, n)), piv.reshape(batch + (k,)), info.reshape(batch))


def permutation_arrays(xp, piv, m, dtype):
    """P (m x m) with A = P L U, from getrf's 1-based pivots (..., k)."""
    batch = piv.shape[:-1]
    p = xp.asarray(piv).reshape((-1, piv.shape[-1])).astype(np.int64) - 1
    nb = p.shape[0]
    perm = xp.broadcast_to(xp.arange(m), (nb, m)).copy()
    rows = xp.arange(nb)
    for j in range(p.shape[1]):
        a, b = perm[:, j].copy(), perm[rows, p[:, j]].copy()
        perm[:, j] = b
        perm[rows, p[:, j]] = a
    P = xp.zeros((nb, m, m), dtype)
    P[rows[:, None], perm, xp.arange(m)[None, :]] = 1  # row i of P^T A is row perm[i] of A
    return P.reshape(batch + (m, m))


def triangular_solve_arrays(xp, t, b, upper, unit=False):
    """X with T X = B for triangular T (..., n, n) (only its triangle is read), by substitution
    where T is singular (giving torch's inf and nan) and by LAPACK's solver otherwise."""
    n = t.shape[-1]
    tri = xp.triu(t) if upper else xp.tril(t)
    if unit:
        tri = tri - tri * xp.eye(n, dtype=t.dtype) + xp.eye(n, dtype=t.dtype)
    batch = np.broadcast_shapes(tri.shape[:-2], b.shape[:-2])
    tri = xp.broadcast_to(tri, batch + (n, n))
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    if n and bool((xp.diagonal(tri, 0, -2, -1) != 0).all()):
        return xp.linalg.solve(tri, b)
    x = xp.zeros(b.shape, np.result_type(t.dtype, b.dtype))
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            rest = xp.matmul(tri[..., i:i + 1, :], x)[..., 0, :]
            x[..., i, :] = (b[..., i, :] - rest) / tri[..., i, i][..., None]
    return x


def lu_solve_arrays(xp, lu, piv, b, adjoint=False):
    """X with A X = B (A^T X = B when adjoint) from A's packed LU and pivots."""
    n = lu.shape[-1]
    P = permutation_arrays(xp, piv, n, lu.dtype)
    if adjoint:  # A^T = U^T L^T P^T
        y = triangular_solve_arrays(xp, xp.swapaxes(lu, -1, -2), b, upper=False)
        z = triangular_solve_arrays(xp, xp.swapaxes(lu, -1, -2), y, upper=True, unit=True)
        return xp.matmul(P, z)
    y = xp.matmul(xp.swapaxes(P, -1, -2), b)
    y = triangular_solve_arrays(xp, lu, y, upper=False, unit=True)
    return triangular_solve_arrays(xp, lu, y, upper=True)
