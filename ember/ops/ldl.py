"""LDL^T of symmetric matrices with Bunch-Kaufman pivoting, in LAPACK's sytrf form on the lower
triangle, and the solve with it (sytrs): torch.linalg.ldl_factor(_ex) and ldl_solve.

The pivot choices differ from matrix to matrix (a 1x1 or a 2x2 block, which row to swap in), so
each matrix of a batch is factored on its own, on the host. torch gives neither op a derivative:
their outputs record NotImplemented and backward raises."""
import math

import numpy as np

from .. import return_types as _rt
from .._backend import to_numpy
from ._linalg_common import check_square, float_name
from ._op import Op

__all__ = []

# Bunch-Kaufman's threshold, (1 + sqrt(17)) / 8: it bounds the growth of the entries of D
_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _swap_symmetric(a, kk, kp):
    """Rows and columns kk < kp of the trailing lower triangle exchanged."""
    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
    between = a[kk + 1:kp, kk].copy()
    a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
    a[kp, kk + 1:kp] = between
    a[[kk, kp], [kk, kp]] = a[[kp, kk], [kp, kk]]


def _pivot(a, k):
    """(kp, kstep, zero) for column k: the row to bring to k (or k+1 with a 2x2 block), the block
    size, and whether the column is all zero (or NaN)."""
    n = a.shape[0]
    absakk = abs(a[k, k])
    if k + 1 < n:
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))
        colmax = abs(a[imax, k])
    else:
        imax, colmax = k, 0.0
    if max(absakk, colmax) == 0 or math.isnan(absakk):
        return k, 1, True
    if absakk >= _ALPHA * colmax:
        return k, 1, False
    # the largest off-diagonal entry in row/column imax
    rowmax = max(np.abs(a[imax, k:imax]).max(), np.abs(a[imax + 1:, imax]).max(initial=0))
    if absakk >= _ALPHA * colmax * (colmax / rowmax):
        return k, 1, False
    if abs(a[imax, imax]) >= _ALPHA * rowmax:
        return imax, 1, False
    return imax, 2, False


def _factor_one(a):
    """sytf2 (lower) on one matrix: (LD, pivots, info)."""
    n = a.shape[0]
    a = np.tril(a)
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kp, kstep, zero = _pivot(a, k)
        if zero:
            info = info or k + 1
        else:
            kk = k + kstep - 1
            if kp != kk:
                _swap_symmetric(a, kk, kp)
                if kstep == 2:
                    a[[k + 1, kp], k] = a[[kp, k + 1], k]
            if kstep == 1:
                r1 = 1.0 / a[k, k]
                x = a[k + 1:, k].copy()
                a[k + 1:, k + 1:] -= r1 * np.outer(x, x)
                a[k + 1:, k] = x * r1
            else:
                # columns k+2.. of L from the inverse of the 2x2 block D = [[d11, d21], [d21, d22]]
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1.0 / (d11 * d22 - 1.0)
                d21 = t / d21
                ck, ck1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
                wk = d21 * (d11 * ck - ck1)
                wk1 = d21 * (d22 * ck1 - ck)
                a[k + 2:, k + 2:] -= np.outer(ck, wk) + np.outer(ck1, wk1)
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wk1
        piv[k:k + kstep] = kp + 1 if kstep == 1 else -(kp + 1)
        k += kstep
    return np.tril(a), piv, info


def _solve_one(ld, piv, b):
    """sytrs (lower): X with A X = B, A = P L D L^T P^T as _factor_one packs it."""
    n = ld.shape[0]
    b = b.copy()
    k = 0
    while k < n:  # L D Y = P^T B
        if piv[k] > 0:
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            d21 = ld[k + 1, k]
            d11 = ld[k, k] / d21
            d22 = ld[k + 1, k + 1] / d21
            denom = d11 * d22 - 1.0
            bk, bk1 = b[k] / d21, b[k + 1] / d21
            b[k], b[k + 1] = (d22 * bk - bk1) / denom, (d11 * bk1 - bk) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y, from the last block up
        b[k] -= ld[k + 1:, k] @ b[k + 1:]
        step = 1 if piv[k] > 0 else 2
        if step == 2:
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
        kp = abs(int(piv[k])) - 1
        b[[k, kp]] = b[[kp, k]]
        k -= step
    return b


class LinalgLdlFactorEx(Op, grad_fn="NotImplemented"):
    def forward(ctx, a):
        host = to_numpy(a)
        n = host.shape[-1]
        mats = host.reshape((math.prod(a.shape[:-2]), n, n))
        ld, piv, info = np.empty_like(mats), np.empty(mats.shape[:2], np.int32), \
            np.empty(mats.shape[0], np.int32)
        for i, m in enumerate(mats):
            ld[i], piv[i], info[i] = _factor_one(m)
        batch = a.shape[:-2]
        xp = ctx.xp
        return (xp.asarray(ld.reshape(a.shape)), xp.asarray(piv.reshape(batch + (n,))),
                xp.asarray(info.reshape(batch)))

    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")


class LinalgLdlSolve(Op, grad_fn="NotImplemented"):
    def forward(ctx, ld, piv, b):
        batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        n, k = ld.shape[-1], b.shape[-1]
        count = math.prod(batch)
        lds = np.broadcast_to(to_numpy(ld), batch + (n, n)).reshape((count, n, n))
        pivs = np.broadcast_to(to_numpy(piv), batch + (n,)).reshape((count, n))
        bs = np.broadcast_to(to_numpy(b), batch + (n, k)).reshape((count, n, k))
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.stack([_solve_one(*args) for args in zip(lds, pivs, bs)]) if count \
                else bs.copy()
        return ctx.xp.asarray(x.reshape(batch + (n, k)))

    def backward(ctx, g):
        raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")


def linalg_ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """(LD, pivots, info): A = P L D L^T P^T with L unit lower, D block diagonal (1x1 and 2x2
    blocks), packed as LAPACK's sytrf does; pivots > 0 mark a 1x1 block (row swapped with
    pivots[k]), a negative pair a 2x2 block; info is the first zero column (1-based) or 0. Only
    the lower triangle of A is read. For real A, hermitian changes nothing."""
    check_square("torch.linalg.ldl_factor_ex", A, half_kernel="ldl_factor_kernel_cpu")
    ld, piv, info = LinalgLdlFactorEx.apply(A)
    if check_errors:
        _raise_if_singular("torch.linalg.ldl_factor_ex", info)
    return _rt.linalg_ldl_factor_ex(ld, piv, info)


def _raise_if_singular(fn, info):
    bad = to_numpy(info._data)
    if (bad > 0).any():
        first = int(bad[bad > 0].reshape(-1)[0])
        raise RuntimeError(f"{fn}: D[{first},{first}] is exactly zero: the matrix is singular "
                           "and its factorization cannot be used to solve")


def linalg_ldl_factor(A, *, hermitian=False, out=None):
    """(LD, pivots) of ldl_factor_ex; a singular A raises (a RuntimeError, as in torch)."""
    check_square("torch.linalg.ldl_factor_ex", A, half_kernel="ldl_factor_kernel_cpu")
    ld, piv, info = LinalgLdlFactorEx.apply(A)
    _raise_if_singular("torch.linalg.ldl_factor", info)
    return _rt.linalg_ldl_factor(ld, piv)


def linalg_ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """X with A X = B, A given by ldl_factor's (LD, pivots); batch dims broadcast."""
    fn = "torch.linalg.ldl_solve"
    check_square(fn, LD)
    if pivots._data.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}: Expected pivots to be integers. Got {float_name(pivots)}")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{fn}: Expected LD.shape[:-1] and pivots.shape to be the same, but "
                           f"got pivots with shape {list(pivots.shape)} instead")
    if B.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(B.ndim, 1)}, {max(B.ndim, 1) - 1}], but got -2)")
    if B._data.dtype != LD._data.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{float_name(B)} and A of type {float_name(LD)} instead.")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {fn}: each A matrix is {n} by {n} but "
                           f"each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    _broadcast_check(LD.shape[:-2], B.shape[:-2])
    return LinalgLdlSolve.apply(LD, pivots, B)


def _broadcast_check(ld_batch, b_batch):
    """torch's message for batch dims that do not broadcast (B's is its 'tensor a')."""
    for i in range(1, min(len(ld_batch), len(b_batch)) + 1):
        x, y = b_batch[-i], ld_batch[-i]
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension "
                               f"{max(len(ld_batch), len(b_batch)) - i}")
