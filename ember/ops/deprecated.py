"""torch's deprecated top-level linear-algebra names that old programs still call: lu,
triangular_solve, nuclear_norm, frobenius_norm and resize_as_, each built on its replacement and
warning as torch does (once a process for torch's TORCH_WARN_ONCE); and matrix_rank, solve,
lstsq, symeig and eig, which torch removed but keeps as names that raise, with torch's text."""
import numpy as np

from . import eig as _eig_module  # noqa: F401  (loaded before `eig` below names the function)
from .. import return_types
from .._dtype import type_name
from .._warnings import warn_once

__all__ = ["lu", "triangular_solve", "nuclear_norm", "frobenius_norm", "resize_as_",
           "matrix_rank", "solve", "lstsq", "symeig", "eig"]

_NO_ARG = object()


def _linalg():
    from .. import linalg  # the namespace sits above ops; read at call time
    return linalg


# -- lu -------------------------------------------------------------------------------------------

_LU_WARNING = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
    "will be removed in a future PyTorch release.\n"
    "LU, pivots = torch.lu(A, compute_pivots)\n"
    "should be replaced with\n"
    "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\n"
    "and\n"
    "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
    "should be replaced with\n"
    "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")


def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated: (LU, pivots) of linalg.lu_factor_ex, and its info when get_infos (a named
    tuple then, a plain tuple otherwise). A singular matrix does not raise."""
    warn_once(_LU_WARNING)
    LU, pivots, info = _linalg().lu_factor_ex(A, pivot=pivot)
    if get_infos:
        return return_types._lu_with_info(LU, pivots, info)
    return LU, pivots


# -- triangular_solve -----------------------------------------------------------------------------

_TRIANGULAR_SOLVE_WARNING = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
    "and will be removed in a future PyTorch release.\n"  # sic: torch's text lacks the space
    "torch.linalg.solve_triangular has its arguments reversed and does not return a copy of one "
    "of the inputs.\n"
    "X = torch.triangular_solve(B, A).solution\n"
    "should be replaced with\n"
    "X = torch.linalg.solve_triangular(A, B).")


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Deprecated: (solution, cloned_coefficient), the X with op(A) X = input for triangular A
    (op transposes when transpose), and a copy of A broadcast to the batch shape."""
    warn_once(_TRIANGULAR_SOLVE_WARNING)
    for name, t in (("b", input), ("A", A)):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                               f"dimensions, but it has {t.ndim} dimensions instead")
    if input.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{type_name(input.dtype)} and A of type {type_name(A.dtype)} instead.")
    n, m = A.shape[-2:]
    if n != m:
        raise RuntimeError(f"A must be batches of square matrices, but they are {n} by {m} "
                           "matrices")
    if input.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is {n} "
                           f"by {n} but each b matrix is {input.shape[-2]} by {input.shape[-1]}")
    batch = tuple(np.broadcast_shapes(tuple(input.shape[:-2]), tuple(A.shape[:-2])))
    A = A.expand(batch + (n, n))
    b = input.expand(batch + tuple(input.shape[-2:]))
    # solving with A^T is solving with the transpose, whose other triangle is the one read
    op = A.mT if transpose else A
    solution = _linalg().solve_triangular(op, b, upper=bool(upper) != bool(transpose),
                                          unitriangular=unitriangular)
    return return_types.triangular_solve(solution, A.clone())


# -- nuclear_norm, frobenius_norm -----------------------------------------------------------------

_NUCLEAR_WARNING = (
    "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed "
    "in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead")
_FROBENIUS_WARNING = (
    "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
    "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` "
    "instead")


def _dims(dim):
    return (dim,) if isinstance(dim, int) else tuple(dim)


def nuclear_norm(input, dim=_NO_ARG, keepdim=False, *, out=None):
    """Deprecated: linalg.matrix_norm(input, 'nuc', dim, keepdim); without dim, over the last two
    dims (a bool second argument is keepdim, an int one is both dims, as torch reads them)."""
    if dim is None:
        raise TypeError(
            "nuclear_norm() received an invalid combination of arguments - got (Tensor, "
            "dim=NoneType), but expected one of:\n"
            " * (Tensor input, tuple of ints dim, bool keepdim = False, *, Tensor out = None)\n"
            " * (Tensor input, bool keepdim = False, *, Tensor out = None)\n")
    if dim is _NO_ARG:
        dim = (-2, -1)
    elif isinstance(dim, bool):
        dim, keepdim = (-2, -1), dim
    elif isinstance(dim, int):
        dim = (dim, dim)
    dim = tuple(dim)
    warn_once(_NUCLEAR_WARNING)
    return _linalg().matrix_norm(input, "nuc", dim, keepdim)


def frobenius_norm(input, dim=_NO_ARG, keepdim=False, *, out=None):
    """Deprecated: the 2-norm of input's elements over dim (at most two dims; () is all)."""
    if dim is _NO_ARG:
        raise TypeError('frobenius_norm() missing 1 required positional arguments: "dim"')
    dim = _dims(dim)
    warn_once(_FROBENIUS_WARNING)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions "
                           "instead.")
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {type_name(input.dtype)} instead.")
    return _linalg().vector_norm(input, 2, dim if dim else None, keepdim)


# -- resize_as_ -----------------------------------------------------------------------------------

def resize_as_(input, the_template, *, memory_format=None):
    """input resized in place to the_template's sizes (Tensor.resize_as_)."""
    return input.resize_as_(the_template, memory_format=memory_format)


# -- removed: the names raise ---------------------------------------------------------------------

_REMOVED = "This function was deprecated since version 1.9 and is now removed."


def _removed(name, text):
    def fn(*args, **kwargs):
        raise RuntimeError(f"{_REMOVED}{text}")
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = "Removed from torch; raises RuntimeError pointing at its replacement."
    return fn


matrix_rank = _removed("matrix_rank", (
    "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was "
    "renamed in `torch.linalg.matrix_rank()` to 'hermitian'."))
_SOLVE_REMOVED = (
    " `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its "
    "arguments reversed and does not return the LU factorization.\n\n"
    "To get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\n"
    "X = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)")
_LSTSQ_REMOVED = (
    " `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
    "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the "
    "returned tuple (although it returns other information about the problem).\n\n"
    "To get the QR decomposition consider using `torch.linalg.qr`.\n\n"
    "The returned solution in `torch.lstsq` stored the residuals of the solution in the last m - "
    "n columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in "
    "the field 'residuals' of the returned named tuple.\n\n"
    "The unpacking of the solution, as in\n"
    "X, _ = torch.lstsq(B, A).solution[:A.size(1)]\n"
    "should be replaced with:\n"
    "X = torch.linalg.lstsq(A, B).solution")


def solve(input, A, *, out=None):
    """Removed from torch (its two operands still checked first, as torch's Python signature
    does); raises RuntimeError pointing at linalg.solve."""
    raise RuntimeError(f"{_REMOVED}{_SOLVE_REMOVED}")


def lstsq(input, A, *, out=None):
    """Removed from torch (its two operands still checked first, as torch's Python signature
    does); raises RuntimeError pointing at linalg.lstsq."""
    raise RuntimeError(f"{_REMOVED}{_LSTSQ_REMOVED}")


symeig = _removed("symeig", (
    " The default behavior has changed from using the upper triangular portion of the matrix by "
    "default to using the lower triangular portion.\n\n"
    "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\n"
    "and\n\n"
    "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
    "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"))
eig = _removed("eig", (
    " `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real "
    "tensors mimicking complex tensors.\n\n"
    "L, _ = torch.eig(A) should be replaced with:\n"
    "L_complex = torch.linalg.eigvals(A)\n\n"
    "and\n\n"
    "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
    "L_complex, V_complex = torch.linalg.eig(A)"))
