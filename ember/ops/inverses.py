"""Inverses and determinants of square matrices (inv, det, slogdet, logdet, cholesky_inverse) and
the pseudo-inverse; forward through NumPy's LAPACK, backward in ember ops."""
import numpy as np

from .. import return_types as _rt
from ._linalg_common import (LinAlgError, check_matrix, check_square, lu_factor_arrays,
                             lu_solve_arrays)
from ._op import Op
from .complex import holomorphic
from .linalg import matmul

__all__ = ["det", "logdet", "slogdet", "inverse", "pinverse", "cholesky_inverse"]


def _singular(fn, info):
    return LinAlgError(f"{fn}: The diagonal element {info} is zero, the inversion could not "
                       "be completed because the input matrix is singular.")


class LinalgInvEx(Op):
    """The inverse and LAPACK's info; a singular matrix raises unless `check_errors` is False,
    when its inverse holds inf and nan as torch's does."""

    def forward(ctx, a, check_errors=True):
        xp = ctx.xp
        try:
            y = xp.linalg.inv(a)
            info = xp.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            lu, piv, info = lu_factor_arrays(xp, a)
            if check_errors:
                raise _singular("linalg.inv", int(info[info > 0].reshape(-1)[0])) from None
            eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
            with np.errstate(divide="ignore", invalid="ignore"):
                y = lu_solve_arrays(xp, lu, piv, eye)
        ctx.save_for_backward(y)
        return y, info

    def backward(ctx, g, _):
        (y,) = ctx.saved_tensors
        return -matmul(matmul(y.mT, g), y.mT)


def linalg_inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is the first zero pivot of a singular matrix (1-based), else 0."""
    check_square("linalg.inv_ex", A, complex_ok=True)
    return _rt.linalg_inv_ex(*LinalgInvEx.apply(A, check_errors))


def linalg_inv(A, *, out=None):
    """The inverse of each square matrix in A; singular matrices raise LinAlgError."""
    check_square("linalg.inv", A, complex_ok=True)
    return LinalgInvEx.apply(A, True)[0]


def inverse(input, *, out=None):
    """torch.inverse: linalg.inv."""
    return linalg_inv(input)


class LinalgDet(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.linalg.det(a)

    def backward(ctx, g):
        # d det(A) / dA = det(A) A^-T (the inverse exists where the gradient is asked for)
        (a,) = ctx.saved_tensors
        d = LinalgDet.apply(a)
        return (g * d).unsqueeze(-1).unsqueeze(-1) * linalg_inv(a).mT


# complex matrices: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(LinalgInvEx, LinalgDet)


def det(input, *, out=None):
    """The determinant of each square matrix (torch.det and linalg.det)."""
    check_square("linalg.det", input, complex_ok=True, half_kernel="lu_cpu")
    return LinalgDet.apply(input)


class LinalgSlogdet(Op):
    def forward(ctx, a):
        sign, logabs = ctx.xp.linalg.slogdet(a)
        ctx.save_for_backward(a)  # the sign records the node too, as in torch; its gradient is 0
        return sign, logabs

    def backward(ctx, gsign, g):
        # d log|det A| = Re tr(A^-1 dA). For complex A the sign e^{i theta} moves too:
        # d theta = Im tr(A^-1 dA), seen by the loss as c = Im(conj(gsign) sign), so
        # gA = (g - i c) A^-H. A real sign is locally constant: its gradient is 0.
        (a,) = ctx.saved_tensors
        if a._data.dtype.kind == "c" and gsign is not None:
            from .complex import imag
            sign = LinalgSlogdet.apply(a)[0].detach()
            c = imag(gsign.conj() * sign)
            g = g - 1j * c
        return g.unsqueeze(-1).unsqueeze(-1) * linalg_inv(a).mH


def linalg_slogdet(A, *, out=None):
    """(sign, log|det|) of each square matrix in A: the determinant without overflow; for
    complex A the sign is det / |det| (complex) and log|det| is real."""
    check_square("linalg.slogdet", A, complex_ok=True)
    return _rt.linalg_slogdet(*LinalgSlogdet.apply(A))


def slogdet(input, *, out=None):
    """torch.slogdet: linalg.slogdet with torch.return_types.slogdet."""
    check_square("linalg.slogdet", input, complex_ok=True)
    return _rt.slogdet(*LinalgSlogdet.apply(input))


def logdet(input):
    """log det(input): nan where a real determinant is negative, -inf where it is 0; for
    complex input the principal complex log of det, log|det| + i angle(det)."""
    from .clamping import where
    from .complex import complex as make_complex
    sign, logabs = slogdet(input)
    if input._data.dtype.kind == "c":
        return make_complex(logabs, sign.angle())
    return where(sign == -1, float("nan"), logabs)


class CholeskyInverse(Op):
    """(L L^H)^-1 from a Cholesky factor (U^H U with upper). Like torch's, the gradient is the
    formula's for a full factor, without masking to its triangle."""

    def forward(ctx, factor, upper):
        xp = ctx.xp
        ctx.upper = upper
        tri = xp.triu(factor) if upper else xp.tril(factor)
        tri_h = xp.swapaxes(tri, -1, -2).conj()
        a = xp.matmul(tri_h, tri) if upper else xp.matmul(tri, tri_h)
        try:
            y = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise LinAlgError("cholesky_inverse: The diagonal element 1 is zero, the inversion "
                              "could not be completed because the input matrix is singular.") \
                from None
        ctx.save_for_backward(factor, y)
        return y

    def backward(ctx, g):
        # Y = A^-1 with A = L L^H (U^H U): gA = -Y gY^H Y (Y Hermitian), and through A's two
        # factors gL = (gA + gA^H) L (gU = U (gA + gA^H))
        factor, y = ctx.saved_tensors
        common = -matmul(matmul(y, g + g.mH), y)
        return matmul(factor, common) if ctx.upper else matmul(common, factor)


def cholesky_inverse(input, upper=False, *, out=None):
    """The inverse of A = L L^H (U^H U with upper) from its Cholesky factor."""
    check_square("cholesky_inverse", input, "input", complex_ok=True,
                 kernel="cholesky_inverse_out_cpu")
    data = input._data
    if data.dtype.kind == "c" and bool((data.diagonal(0, -2, -1).imag != 0).any()):
        # not a Cholesky factor: LAPACK's potri (torch's) then gives neither (L L^H)^-1 nor a
        # Hermitian matrix, and ember does not mimic it
        raise NotImplementedError("cholesky_inverse: complex inputs are not supported by ember "
                                  "yet when the factor's diagonal is not real")
    return CholeskyInverse.apply(input, upper)


class LinalgPinv(Op):
    """The Moore-Penrose pseudo-inverse through the SVD, dropping singular values at or below
    max(atol, rtol * largest). The backward is Golub and Pereyra's derivative of the
    pseudo-inverse (valid where the rank does not change)."""

    def forward(ctx, a, atol, rtol):
        p = pinv_arrays(ctx.xp, a, atol, rtol)
        ctx.save_for_backward(a, p)
        return p

    def backward(ctx, g):
        a, p = ctx.saved_tensors
        return pinv_grad(a, p, g)


def pinv_arrays(xp, a, atol, rtol):
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    smax = s.max(-1, keepdims=True) if s.shape[-1] else s
    tol = xp.maximum(smax * rtol, atol)
    keep = s > tol
    s_inv = xp.where(keep, 1.0 / xp.where(keep, s, 1.0), 0.0).astype(s.dtype)
    return xp.matmul(xp.swapaxes(vh, -1, -2).conj() * s_inv[..., None, :],
                     xp.swapaxes(u, -1, -2).conj())


def pinv_grad(a, p, g):
    """dA = -P^H G P^H + (I - A P) G^H P P^H + P^H P G^H (I - P A), with P = pinv(A)."""
    pt, gt = p.mH, g.mH
    from_left = matmul(gt, matmul(p, pt))     # G^H P P^H
    from_right = matmul(matmul(pt, p), gt)    # P^H P G^H
    return (-matmul(matmul(pt, g), pt) + from_left - matmul(a, matmul(p, from_left))
            + from_right - matmul(matmul(from_right, p), a))


def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse (LinalgPinv); rtol defaults to max(m, n) * eps when atol
    is not given, else to 0."""
    check_matrix("linalg.pinv", A, complex_ok=True)
    if rtol is None:
        eps = float(np.finfo(A._data.dtype).eps)  # a complex dtype's is its parts'
        rtol = max(A.shape[-2:]) * eps if atol is None else 0.0
    return LinalgPinv.apply(A, float(atol or 0.0), float(rtol))


def pinverse(input, rcond=1e-15):
    """torch.pinverse: the pseudo-inverse dropping singular values below rcond * largest."""
    return linalg_pinv(input, rtol=rcond)
