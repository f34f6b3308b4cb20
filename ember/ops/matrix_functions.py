"""Functions of square matrices and matrix chains: matrix_exp, matrix_power, multi_dot,
tensorinv; and matrices built from vectors and blocks: block_diag, diagflat, vander."""
import math
import warnings

import numpy as np

from .. import _dtype

from .._tensor import Tensor
from ._linalg_common import check_float, check_square
from ._op import Op
from .complex import holomorphic
from .join import cat
from .linalg import matmul, mm
from .shape import View
from .triangular import diag_embed
from .._warnings import user_stacklevel

__all__ = ["matrix_exp", "matrix_power", "block_diag", "diagflat", "vander", "chain_matmul"]

# Higham's (2005) degree-13 Pade approximant of exp, used after scaling |A|_1 below THETA13
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm_arrays(xp, a):
    """exp(A) by scaling and squaring: each matrix is scaled by 2^-s into the approximant's range,
    then squared s times (s per matrix)."""
    n = a.shape[-1]
    norm = xp.abs(a).sum(-2).max(-1) if n else xp.zeros(a.shape[:-2])
    with np.errstate(divide="ignore"):
        s = xp.maximum(0, xp.ceil(xp.log2(norm / _THETA13))).astype(np.int64)
    x = a * xp.exp2(-s.astype(a.dtype))[..., None, None]
    b = _PADE13
    eye = xp.eye(n, dtype=a.dtype)
    x2 = xp.matmul(x, x)
    x4 = xp.matmul(x2, x2)
    x6 = xp.matmul(x4, x2)
    u = xp.matmul(x, xp.matmul(x6, b[13] * x6 + b[11] * x4 + b[9] * x2)
                  + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye)
    v = (xp.matmul(x6, b[12] * x6 + b[10] * x4 + b[8] * x2)
         + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye)
    r = xp.linalg.solve(v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):
        r = xp.where((s > k)[..., None, None], xp.matmul(r, r), r)
    return r.astype(a.dtype)


class LinalgMatrixExp(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm_arrays(ctx.xp, a)

    def backward(ctx, g):
        # the adjoint is the top-right block of exp([[A^T, G], [0, A^T]])
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = a.mT.expand(g.shape)
        block = cat([cat([at, g], -1), cat([at * 0, at], -1)], -2)
        return LinalgMatrixExp.apply(block)[..., :n, n:]


# complex matrices: J^H g from the same formula (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(LinalgMatrixExp)


def matrix_exp(A):
    """The matrix exponential of each square matrix in A (torch.matrix_exp and linalg's)."""
    check_square("linalg.matrix_exp", A, complex_ok=True)
    return LinalgMatrixExp.apply(A)


def matrix_power(A, n, *, out=None):
    """A^n for an integer n by repeated squaring; n < 0 inverts A first, n == 0 is the identity."""
    from .._creation import eye
    from .inverses import linalg_inv
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        check_square("linalg.matrix_power", A)
    if n == 0:
        r = A.clone()
        return r.copy_(eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape))
    if n < 0:
        check_float("linalg.matrix_power", A, complex_ok=True)
        A, n = linalg_inv(A), -n
    elif n == 1:
        return A.clone()
    result = z = None
    while n:
        z = A if z is None else matmul(z, z)
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
    return result


class _ReshapeAlias(View, grad_fn="ReshapeAliasBackward0"):
    """A reshape that torch records as a strided alias (of an inverse's column-major result)."""


def linalg_tensorinv(A, ind=2, *, out=None):
    """The inverse of A for tensordot over ind dims: result shape A.shape[ind:] + A.shape[:ind]."""
    from .inverses import linalg_inv
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    inv = linalg_inv(A.reshape(rows, cols))
    return _ReshapeAlias.apply(inv, tuple(A.shape[ind:]) + tuple(A.shape[:ind]))


def linalg_multi_dot(tensors, *, out=None):
    """The product of a chain of matrices (the first and last may be vectors) in the order of
    fewest multiplications."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    for i, t in enumerate(tensors):
        if t.ndim != (1 if i in (0, n - 1) and t.ndim == 1 else 2):
            which = "first" if i == 0 else "last" if i == n - 1 else None
            if which:
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got "
                                   f"{t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    mats = list(tensors)
    if first.ndim == 1:
        mats[0] = first.unsqueeze(0)
    if last.ndim == 1:
        mats[-1] = last.unsqueeze(-1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(mats[i].shape)} and {list(mats[i + 1].shape)} cannot be "
                               "multiplied")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def chain(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return mm(chain(i, k), chain(k + 1, j))
    shape = tuple(first.shape[:1] if first.ndim == 2 else ()) + \
        tuple(last.shape[1:] if last.ndim == 2 else ())
    return chain(0, n - 1).view(shape)


class BlockDiag(Op):
    def forward(ctx, *arrays):
        xp = ctx.xp
        mats = [a.reshape(1, -1) if a.ndim < 2 else a for a in arrays]
        # torch's promotion (int with float32 gives float32, where NumPy gives float64)
        dtype = _dtype.result_type(*mats) if mats else np.float32
        rows = sum(m.shape[0] for m in mats)
        cols = sum(m.shape[1] for m in mats)
        out = xp.zeros((rows if mats else 1, cols), dtype)
        r = c = 0
        ctx.spans = []
        for m, a in zip(mats, arrays):
            out[r:r + m.shape[0], c:c + m.shape[1]] = m
            ctx.spans.append((r, m.shape[0], c, m.shape[1], a.shape))
            r, c = r + m.shape[0], c + m.shape[1]
        return out

    def backward(ctx, g):
        return tuple(g[r:r + h, c:c + w].reshape(shape) for r, h, c, w, shape in ctx.spans)


def chain_matmul(*matrices, out=None):
    """The product of 2-D matrices in the cheapest order (deprecated in torch for
    linalg.multi_dot, with its warning); one matrix is returned as a copy."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning,
                  stacklevel=user_stacklevel())
    if len(matrices) == 1:
        return matrices[0].clone()
    return linalg_multi_dot(list(matrices))


def block_diag(*tensors):
    """The block-diagonal matrix of the tensors (0-d and 1-D ones taken as rows)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"block_diag(): argument 'tensors' (position {i + 1}) must be tuple "
                            f"of Tensors, not {type(t).__name__}")
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    return BlockDiag.apply(*tensors)


def diagflat(input, offset=0):
    """A matrix with input (flattened) on its offset-th diagonal."""
    return diag_embed(input.reshape(-1), offset)


def vander(x, N=None, increasing=False):
    """torch.vander: columns x^(N-1) ... x^0 (x^0 ... x^(N-1) with increasing)."""
    from .._creation import ones
    from .scan import cumprod
    from .shape import flip
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x.dtype if x.is_floating_point() else None
    result = ones(x.shape[0], n, dtype=dtype or _int64(), device=x.device)
    if n > 1:
        result[:, 1:] = cumprod(x.unsqueeze(1).to(result.dtype).expand(x.shape[0], n - 1), 1)
    return result if increasing else flip(result, [1])


def _int64():
    from .._dtype import int64
    return int64


def linalg_vander(x, *, N=None):
    """linalg.vander: x^0 ... x^(N-1) along a new last dim (x's batch dims kept)."""
    from .scan import cumprod
    if x.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = cumprod(x.unsqueeze(-1).expand(*x.shape, n - 1), -1)
    return cat([x.unsqueeze(-1).new_ones(x.shape + (1,)).to(powers.dtype), powers], -1)
