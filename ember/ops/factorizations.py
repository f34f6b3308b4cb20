"""Matrix factorizations: Cholesky, QR (and LAPACK's geqrf/orgqr/ormqr Householder form), LU;
forward on arrays, backward in ember ops (derivations in each backward's comment)."""
import numpy as np

from .. import return_types as _rt
from ._errors import refuse_non_floating
from ._linalg_common import (LinAlgError, check_matrix, check_square, lu_factor_arrays,
                             permutation_arrays)
from ._op import Op
from .complex import holomorphic, real
from .inverses import linalg_inv
from .join import cat, stack
from .linalg import matmul
from .triangular import diag_embed
from .triangular import diagonal as _diagonal

__all__ = ["cholesky", "qr", "lu_unpack", "geqrf", "orgqr", "ormqr"]


def _solve_tri(a, b, upper, left=True, unit=False):
    from .solvers import LinalgSolveTriangular
    return LinalgSolveTriangular.apply(a, b, upper, left, unit)


def _zeros_if_none(g, like):
    return like.new_zeros(like.shape) if g is None else g


# -- Cholesky -------------------------------------------------------------------------------------

def _cholesky_partial(xp, a):
    """LAPACK's unblocked potf2 on the lower triangle, stopping each matrix at its first
    non-positive pivot: (L as far as it got, info = that pivot's order or 0). A complex matrix
    is Hermitian: its diagonal's real part is read, and L L^H is factored."""
    n = a.shape[-1]
    low = xp.tril(a).reshape((-1, n, n)).copy()
    info = xp.zeros(low.shape[0], np.int32)
    for j in range(n):
        ajj = low[:, j, j].real - (xp.abs(low[:, j, :j]) ** 2).sum(-1)
        active = info == 0
        bad = active & ~(ajj > 0)
        low[bad, j, j] = ajj[bad]
        info[bad] = j + 1
        ok = active & (ajj > 0)
        d = xp.sqrt(xp.where(ok, ajj, 1))
        row = low[:, j, :j, None].conj()
        col = (low[:, j + 1:, j] - xp.matmul(low[:, j + 1:, :j], row)[..., 0])
        low[ok, j, j] = d[ok]
        low[ok, j + 1:, j] = (col / d[:, None])[ok]
    return low.reshape(a.shape), info.reshape(a.shape[:-2])


class LinalgCholeskyEx(Op):
    def forward(ctx, a, upper, check_errors=True, fn="linalg.cholesky"):
        xp = ctx.xp
        ctx.upper = upper
        if upper:  # U^H U from A's upper triangle: L L^H from the lower triangle of A^H
            a = xp.swapaxes(a, -1, -2).conj()
        try:
            low = xp.linalg.cholesky(a)
            info = xp.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            low, info = _cholesky_partial(xp, a)
            if check_errors:
                flat = info.reshape(-1)
                b = int(np.nonzero(np.asarray(flat))[0][0])
                where = f"(Batch element {b}): " if a.ndim > 2 else ""
                raise LinAlgError(f"{fn}: {where}The factorization could not be completed "
                                  f"because the input is not positive-definite (the leading "
                                  f"minor of order {int(flat[b])} is not positive-definite)."
                                  ) from None
        out = xp.swapaxes(low, -1, -2).conj() if upper else low
        ctx.save_for_backward(out)
        return out, info

    def backward(ctx, g, _):
        # gA = L^-H phi L^-1 with P = L^H gL and phi = (tril(P) + tril(P, -1)^H) / 2: symmetric
        # for real input; for complex input phi's diagonal keeps P's imaginary part, as torch's
        (low,) = ctx.saved_tensors
        if ctx.upper:
            g, low = g.mH, low.mH
        p = matmul(low.mH, g)
        phi = 0.5 * (p.tril() + p.tril(-1).mH)
        li = linalg_inv(low)
        return matmul(matmul(li.mH, phi), li)


class Cholesky(LinalgCholeskyEx):
    """torch.cholesky: the same factorization, recorded as CholeskyBackward0."""


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info is the order of the first leading minor that is not positive-definite."""
    check_square("linalg.cholesky", A, complex_ok=True, half_kernel="cholesky_cpu")
    return _rt.linalg_cholesky_ex(*LinalgCholeskyEx.apply(A, bool(upper), check_errors,
                                                          "linalg.cholesky_ex"))


def linalg_cholesky(A, *, upper=False, out=None):
    """L with A = L L^H for Hermitian positive-definite A (only A's lower triangle is read)."""
    check_square("linalg.cholesky", A, complex_ok=True, half_kernel="cholesky_cpu")
    return LinalgCholeskyEx.apply(A, bool(upper))[0]


def cholesky(input, upper=False, *, out=None):
    """torch.cholesky (deprecated in torch for linalg.cholesky): L, or U = L^H with upper."""
    check_square("linalg.cholesky", input, complex_ok=True, half_kernel="cholesky_cpu")
    return Cholesky.apply(input, bool(upper), True, "cholesky")[0]


# -- QR -------------------------------------------------------------------------------------------

class LinalgQr(Op):
    def forward(ctx, a, mode):
        xp = ctx.xp
        ctx.mode = mode
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            q = xp.zeros((0,), a.dtype)
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        return q, r

    def backward(ctx, gq, gr):
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        gq, gr = _zeros_if_none(gq, q), _zeros_if_none(gr, r)
        if m >= n:
            return _qr_backward_tall(q, r, gq, gr)
        # A = [X | Y] with X = Q U square: gY = Q gV, and X's gradient sees gQ + Y gV^H
        y, gu, gv = a[..., :, m:], gr[..., :, :m], gr[..., :, m:]
        gx = _qr_backward_tall(q, r[..., :, :m], gq + matmul(y, gv.mH), gu)
        return cat([gx, matmul(q, gv)], -1)


def _qr_backward_tall(q, r, gq, gr):
    """A = Q R with m >= n: M = R gR^H - gQ^H Q, gA = (gQ + Q copyltu(M)) R^-H, where
    copyltu(M) is the Hermitian matrix with M's strict lower triangle and the real part of its
    diagonal (R's diagonal is real, so Q^H dQ's diagonal is imaginary)."""
    m = matmul(r, gr.mH) - matmul(gq.mH, q)
    low = m.tril(-1)
    sym = low + low.mH + diag_embed(real(_diagonal(m, 0, -2, -1)))
    b = gq + matmul(q, sym)
    return _solve_tri(r.mH, b, upper=False, left=False)  # B R^-H: X R^H = B


def linalg_qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = Q R: mode 'reduced' (k = min(m, n) columns), 'complete', or 'r' (Q empty)."""
    check_matrix("linalg.qr", A, complex_ok=True, half_kernel="geqrf_cpu")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return _rt.linalg_qr(*LinalgQr.apply(A, mode))


def qr(input, some=True, *, out=None):
    """torch.qr (deprecated in torch for linalg.qr): some=False is mode='complete'."""
    check_matrix("linalg.qr", input, complex_ok=True, half_kernel="geqrf_cpu")
    return _rt.qr(*LinalgQr.apply(input, "reduced" if some else "complete"))


# -- Householder products (geqrf's form of Q) -----------------------------------------------------

class Geqrf(Op):
    """LAPACK's geqrf: R above the diagonal, the Householder vectors below it, and their tau."""

    def forward(ctx, a):
        h, tau = ctx.xp.linalg.qr(a, mode="raw")
        return ctx.xp.swapaxes(h, -1, -2).copy(), tau

    def backward(ctx, ga, gtau):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input, *, out=None):
    """(a, tau) of LAPACK's geqrf: Q is orgqr(a, tau), R is a.triu()."""
    check_matrix("geqrf", input, complex_ok=True)
    if input._data.dtype.kind == "c" and input.requires_grad:
        from ..autograd import is_grad_enabled
        if is_grad_enabled():
            raise RuntimeError("geqrf does not support automatic differentiation for outputs "
                               "with complex dtype.")
    return _rt.geqrf(*Geqrf.apply(input))


def _reflect_arrays(xp, a, tau, c, left, transpose):
    """Q C, Q^H C, C Q or C Q^H for Q = H_1 ... H_k, H_i = I - tau_i v_i v_i^H (H_i^H takes
    conj(tau_i))."""
    m = a.shape[-2]
    k = tau.shape[-1]
    order = range(k) if left == transpose else range(k - 1, -1, -1)
    for i in order:
        v = xp.where(xp.arange(m) > i, a[..., :, i], 0).astype(a.dtype)
        v[..., i] = 1
        t = tau[..., i, None, None]
        t = t.conj() if transpose else t
        if left:
            c = c - t * v[..., :, None] * xp.matmul(v[..., None, :].conj(), c)
        else:
            c = c - t * xp.matmul(c, v[..., :, None]) * v[..., None, :].conj()
    return c


class LinalgHouseholderProduct(Op):
    def forward(ctx, a, tau):
        xp = ctx.xp
        m, n = a.shape[-2:]
        eye = xp.broadcast_to(xp.eye(m, n, dtype=a.dtype),
                              np.broadcast_shapes(a.shape[:-2], tau.shape[:-1]) + (m, n))
        ctx.save_for_backward(a, tau)
        return _reflect_arrays(xp, a, tau, eye, True, False)

    def backward(ctx, g):
        a, tau = ctx.saved_tensors
        return householder_grads(a, tau, g)


def householder_grads(a, tau, g):
    """(gA, gtau) of Q = H_1 ... H_k E (E the first n columns of I). With W_i = H_i^H ... H_1^H G
    and S_i = H_{i+1} ... H_k E, the i-th reflector sees M = W_{i-1} S_i^H:
    gtau_i = -v^H M v and gv_i = -conj(tau_i) M v - tau_i M^H v, of which rows below i belong
    to A."""
    from .._creation import arange, eye
    m, n = a.shape[-2:]
    k = tau.shape[-1]
    rows = arange(m, device=a.device)
    vs = []
    for i in range(k):
        v = a[..., :, i] * (rows > i).to(a.dtype) + (rows == i).to(a.dtype)
        vs.append(v)
    s = [None] * (k + 1)
    s[k] = eye(m, n, dtype=a.dtype, device=a.device)
    for i in range(k - 1, -1, -1):
        v, t = vs[i], tau[..., i, None, None]
        s[i] = s[i + 1] - t * v.unsqueeze(-1) * matmul(v.conj().unsqueeze(-2), s[i + 1])
    w = g
    gcols, gtaus = [], []
    for i in range(k):
        v, t = vs[i], tau[..., i, None]
        vh = v.conj().unsqueeze(-2)
        sa = matmul(vh, s[i + 1]).squeeze(-2).conj()      # S_i^H v
        wb = matmul(vh, w).squeeze(-2).conj()             # W_{i-1}^H v
        gtaus.append(-(wb.conj() * sa).sum(-1))
        gv = -(t.conj() * matmul(w, sa.unsqueeze(-1)).squeeze(-1)
               + t * matmul(s[i + 1], wb.unsqueeze(-1)).squeeze(-1))
        gcols.append(gv * (rows > i).to(a.dtype))
        w = w - t.conj().unsqueeze(-1) * v.unsqueeze(-1) * wb.conj().unsqueeze(-2)
    zero = a[..., :, 0] * 0
    ga = stack(gcols + [zero] * (n - k), -1)
    gt = stack(gtaus, -1) if gtaus else tau * 0
    return ga, gt


def linalg_householder_product(A, tau, *, out=None):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T with v_i below A's
    diagonal in column i (the Q of geqrf's output)."""
    check_matrix("torch.linalg.householder_product", A, "input", complex_ok=True,
                 kernel="orgqr_cpu")
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater "
                           "than or equal to input.shape[-1]")
    if n < tau.shape[-1]:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater "
                           "than or equal to tau.shape[-1]")
    return LinalgHouseholderProduct.apply(A, tau)


def orgqr(input, tau):
    """torch.orgqr: linalg.householder_product."""
    return linalg_householder_product(input, tau)


class Ormqr(Op):
    def forward(ctx, a, tau, c, left, transpose):
        ctx.left, ctx.transpose = left, transpose
        ctx.save_for_backward(a, tau, c)
        return _reflect_arrays(ctx.xp, a, tau, c, left, transpose)

    def backward(ctx, g):
        # out = op(Q) C (or C op(Q)) with Q the full m x m product: gC and gQ as for a matmul,
        # then gQ through householder_grads on A's reflectors padded to m with tau 0 (identity)
        a, tau, c = ctx.saved_tensors
        left, tr = ctx.left, ctx.transpose
        need = ctx.needs_input_grad
        mn, k = a.shape[-2], a.shape[-1]
        t = tau.shape[-1]
        gc = Ormqr.apply(a, tau, g, left, not tr) if need[2] else None
        ga = gt = None
        if need[0] or need[1]:
            if left:
                gq = matmul(c, g.mH) if tr else matmul(g, c.mH)
            else:
                gq = matmul(g.mH, c) if tr else matmul(c.mH, g)
            a_full = cat([a[..., :, :min(k, mn)], a.new_zeros(a.shape[:-1] + (mn - min(k, mn),))],
                         -1)
            tau_full = cat([tau, tau.new_zeros(tau.shape[:-1] + (mn - t,))], -1)
            ga_full, gt_full = householder_grads(a_full, tau_full, gq)
            ga = cat([ga_full[..., :, :min(k, mn)],
                      a.new_zeros(a.shape[:-1] + (k - min(k, mn),))], -1)
            gt = gt_full[..., :t]
        return ga, gt, gc


def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    """op(Q) C or C op(Q), with Q = orgqr(input, input2) completed to a square matrix and op
    Q^H when transpose."""
    mn = input3.shape[-2] if left else input3.shape[-1]
    if input.shape[-2] != mn:
        raise RuntimeError(f"torch.ormqr: input.shape[-2] must be equal to other.shape["
                           f"{-2 if left else -1}], but got {input.shape[-2]} != {mn}")
    refuse_non_floating("ormqr_cpu", input)
    return Ormqr.apply(input, input2, input3, bool(left), bool(transpose))


# -- LU -------------------------------------------------------------------------------------------

def _unpack_arrays(xp, lu, piv):
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = xp.tril(lu, -1)[..., :, :k] + xp.eye(m, k, dtype=lu.dtype)
    up = xp.triu(lu)[..., :k, :]
    return permutation_arrays(xp, piv, m, lu.dtype), low, up


def _lu_backward(p, low, up, gl, gu):
    """gA of A = P L U. With X = L1^-1 P^T dA U1^-1 on the square block, L1^-1 dL1 = tril(X, -1)
    and dU1 U1^-1 = triu(X); the extra rows of a tall L or columns of a wide U add their terms:
    gA = P L^-T phi U^-T with phi = tril(L^T gL, -1) + triu(gU U^T) on the square part."""
    m, k = low.shape[-2], low.shape[-1]
    n = up.shape[-1]
    gl, gu = _zeros_if_none(gl, low), _zeros_if_none(gu, up)
    if m == n:
        phi = matmul(low.mT, gl).tril(-1) + matmul(gu, up.mT).triu()
        x = _solve_tri(low.mT, phi, upper=True, unit=True)
        return matmul(p, _solve_tri(up.mT, x, upper=False, left=False))
    if m < n:  # wide: U = [U1 U2]
        u1, u2, gu1, gu2 = up[..., :, :k], up[..., :, k:], gu[..., :, :k], gu[..., :, k:]
        phi = (matmul(low.mT, gl) - matmul(gu2, u2.mT)).tril(-1) + matmul(gu1, u1.mT).triu()
        left = _solve_tri(u1.mT, phi, upper=False, left=False)
        return matmul(p, _solve_tri(low.mT, cat([left, gu2], -1), upper=True, unit=True))
    l1, l2, gl1, gl2 = low[..., :k, :], low[..., k:, :], gl[..., :k, :], gl[..., k:, :]
    phi = matmul(l1.mT, gl1).tril(-1) + (matmul(gu, up.mT) - matmul(l2.mT, gl2)).triu()
    top = _solve_tri(l1.mT, phi, upper=True, unit=True)
    return matmul(p, _solve_tri(up.mT, cat([top, gl2], -2), upper=False, left=False))


class LinalgLuFactorEx(Op):
    def forward(ctx, a):
        lu, piv, info = lu_factor_arrays(ctx.xp, a)
        ctx.save_for_backward(lu, piv)
        return lu, piv, info

    def backward(ctx, glu, _, __):
        lu, piv = ctx.saved_tensors
        p, low, up = lu_unpack(lu, piv)
        k = min(lu.shape[-2:])
        return _lu_backward(p, low, up, glu.tril(-1)[..., :, :k], glu.triu()[..., :k, :])


class LinalgLu(Op):
    def forward(ctx, a):
        lu, piv, _ = lu_factor_arrays(ctx.xp, a)
        p, low, up = _unpack_arrays(ctx.xp, lu, piv)
        ctx.save_for_backward(p, low, up)
        ctx.mark_non_differentiable(p)  # a permutation: torch's P does not require grad
        return p, low, up

    def backward(ctx, _, gl, gu):
        p, low, up = ctx.saved_tensors
        return _lu_backward(p, low, up, gl, gu)


class LuUnpack(Op):
    def forward(ctx, lu, piv, unpack_data, unpack_pivots):
        xp = ctx.xp
        p, low, up = _unpack_arrays(xp, lu, piv)
        empty = xp.zeros((0,), lu.dtype)
        ctx.shape = lu.shape[-2:]
        p = p if unpack_pivots else xp.zeros((0,), lu.dtype)  # not the array L and U may share
        ctx.mark_non_differentiable(p)
        return p, *((low, up) if unpack_data else (empty, empty))

    def backward(ctx, _, gl, gu):
        m, n = ctx.shape
        k = min(m, n)
        parts = []
        if gl is not None and gl.ndim >= 2:
            g = gl.tril(-1)
            parts.append(cat([g, g.new_zeros(g.shape[:-1] + (n - k,))], -1) if n > k else g)
        if gu is not None and gu.ndim >= 2:
            g = gu.triu()
            parts.append(cat([g, g.new_zeros(g.shape[:-2] + (m - k, n))], -2) if m > k else g)
        return (parts[0] + parts[1] if len(parts) == 2 else parts[0] if parts else None), None


# complex matrices: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(LinalgLuFactorEx, LinalgLu, LuUnpack)


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): L (unit diagonal, not stored) and U packed in LU, LAPACK's 1-based
    int32 row swaps, and the first zero pivot (1-based) or 0."""
    check_matrix("torch.linalg.lu_factor_ex", A, complex_ok=True, kernel="lu_cpu")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv, info = LinalgLuFactorEx.apply(A)
    if check_errors and bool((info._data > 0).any()):
        first = int(info._data[info._data > 0].reshape(-1)[0])
        raise LinAlgError(f"torch.linalg.lu_factor_ex: U[{first},{first}] is zero and using it "
                          "on lu_solve would result in a division by zero.")
    return _rt.linalg_lu_factor_ex(lu, piv, info)


def linalg_lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of lu_factor_ex; a singular A raises as torch does."""
    lu, piv, info = linalg_lu_factor_ex(A, pivot=pivot)
    if bool((info._data > 0).any()):
        first = int(info._data[info._data > 0].reshape(-1)[0])
        raise RuntimeError(f"torch.linalg.lu_factor: U[{first},{first}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return _rt.linalg_lu_factor(lu, piv)


def linalg_lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U: P a permutation, L unit lower (m x k), U upper (k x n)."""
    check_matrix("linalg.lu", A, complex_ok=True, kernel="lu_cpu")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    return _rt.linalg_lu(*LinalgLu.apply(A))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from lu_factor's packed form; a part not unpacked is an empty tensor."""
    return _rt.lu_unpack(*LuUnpack.apply(LU_data, LU_pivots, bool(unpack_data),
                                         bool(unpack_pivots)))
