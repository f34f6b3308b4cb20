"""ember.linalg: torch.linalg's namespace. The decompositions, solvers and matrix functions are
ops defined in ember/ops (inverses, solvers, factorizations, ldl, spectral, matrix_functions); this
module binds them under torch.linalg's names and holds the norms."""
import builtins
import math

from . import ops as _ops
from ._dtype import type_name
from .ops._linalg_common import LinAlgError, check_float
from .ops._numpy_names import numpy_names
from .ops.eig import linalg_eig as eig
from .ops.eig import linalg_eigvals as eigvals
from .ops.factorizations import linalg_cholesky as cholesky
from .ops.factorizations import linalg_cholesky_ex as cholesky_ex
from .ops.factorizations import linalg_householder_product as householder_product
from .ops.factorizations import linalg_lu as lu
from .ops.factorizations import linalg_lu_factor as lu_factor
from .ops.factorizations import linalg_lu_factor_ex as lu_factor_ex
from .ops.factorizations import linalg_qr as qr
from .ops.inverses import det
from .ops.inverses import linalg_inv as inv
from .ops.inverses import linalg_inv_ex as inv_ex
from .ops.inverses import linalg_pinv as pinv
from .ops.inverses import linalg_slogdet as slogdet
from .ops.ldl import linalg_ldl_factor as ldl_factor
from .ops.ldl import linalg_ldl_factor_ex as ldl_factor_ex
from .ops.ldl import linalg_ldl_solve as ldl_solve
from .ops.linalg import matmul
from .ops.matrix_functions import linalg_multi_dot as multi_dot
from .ops.matrix_functions import linalg_tensorinv as tensorinv
from .ops.matrix_functions import linalg_vander as vander
from .ops.matrix_functions import matrix_exp, matrix_power
from .ops.reduce import norm as _vector_norm
from .ops.solvers import linalg_lstsq as lstsq
from .ops.solvers import linalg_lu_solve as lu_solve
from .ops.solvers import linalg_solve as solve
from .ops.solvers import linalg_solve_ex as solve_ex
from .ops.solvers import linalg_solve_triangular as solve_triangular
from .ops.solvers import linalg_tensorsolve as tensorsolve
from .ops.spectral import linalg_cond as cond
from .ops.spectral import linalg_eigh as eigh
from .ops.spectral import linalg_eigvalsh as eigvalsh
from .ops.spectral import linalg_matrix_rank as matrix_rank
from .ops.spectral import linalg_svd as svd
from .ops.spectral import linalg_svdvals as svdvals
from .ops.triangular import diagonal as _diagonal

__all__ = ["LinAlgError", "inv", "inv_ex", "det", "slogdet", "solve", "solve_ex",
           "solve_triangular", "lu_solve", "lstsq", "tensorsolve", "cholesky", "cholesky_ex", "qr",
           "lu", "lu_factor", "lu_factor_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve",
           "householder_product", "eig", "eigvals", "eigh", "eigvalsh", "svd",
           "svdvals", "cond", "matrix_rank", "pinv", "matrix_exp", "matrix_power", "multi_dot",
           "tensorinv", "vander", "vector_norm", "matrix_norm", "norm", "cross", "vecdot",
           "matmul", "diagonal"]


# -- norms ----------------------------------------------------------------------------------------

@numpy_names
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ord-norm of x over dim (all elements by default)."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


@numpy_names
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """'fro', 'nuc', inf, -inf, 1, -1, 2 or -2 norm of the matrices over the two dims."""
    if ord not in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):  # torch checks it first
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if A._data.dtype.kind in "biu":
        check_float("linalg.matrix_norm", A)
    if dtype is not None:
        A = A.to(dtype)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dim)}")
    d0, d1 = (d % A.ndim for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        if A._data.dtype.name == "float16":  # torch's check before the SVD
            raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got Half")
        B = _ops.movedim(A, (d0, d1), (-2, -1))
        s = svdvals(B)
        r = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return r
    # inf, -inf, 1 or -1 (the orders were checked first)
    sum_dim, red_dim = (d1, d0) if ord in (math.inf, -math.inf) else (d0, d1)
    if not keepdim and sum_dim < red_dim:
        red_dim -= 1
    s = A.abs().sum(sum_dim, keepdim=keepdim)
    return s.amax(red_dim, keepdim=keepdim) if ord > 0 else s.amin(red_dim, keepdim=keepdim)


@numpy_names
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
    if len(dim) == 2 or isinstance(ord, str):  # 'fro' and 'nuc' are matrix norms only
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1, out=None):
    """The 3-vector cross product along dim (default the last)."""
    from .ops.pairwise import _cross
    return _cross(input, other, dim)


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along dim (broadcasting), conjugating x as torch does."""
    if x._data.dtype.kind in "biu":
        check_float("linalg.vecdot", x)
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {type_name(x)} and y of type {type_name(y)} instead")
    return ((x.conj() if x.is_complex() else x) * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """A view of the diagonals of the matrices in A (over dims -2 and -1 by default)."""
    return _diagonal(A, offset, dim1, dim2)

# Last: the functions above hand a foreign tensor-like argument to its class when they fail on it
# (NOTE [ Dispatch on failure ] in ember/_foreign.py).
from ._foreign import dispatch_on_failure as _dispatch_on_failure  # noqa: E402
_dispatch_on_failure(globals(), __name__, __all__)
