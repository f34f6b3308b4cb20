"""Matrix products (matmul, mm, bmm, mv, dot, outer, addmm ...): forward on arrays with one BLAS
call where there is one, backward in ember ops. tensordot, inner and einsum are in contraction.py.

NOTE [ matmul's cases ]
`matmul` dispatches on the operands' ranks as PyTorch does, and its grad_fn names follow
PyTorch's: 1-D @ 1-D is dot (DotBackward0), 2-D @ 2-D mm, 2-D @ 1-D mv, 1-D @ 2-D an mm whose
result is squeezed (SqueezeBackward4), and everything batched is one `Matmul` node named
UnsafeViewBackward0 (CloneBackward0 where PyTorch's folding ends in a transposed copy). An N-D
input times a matrix folds its batch dims into one GEMM, forward and backward.
"""
import math

import numpy as np

from .._backend import xp_of
from .._dtype import type_name
from .._tensor import Tensor
from . import _hooks, _threads
from ._common import _c10_name, _out
from ._op import Op, broadcast_error, save_factors, shape_str
from .complex import conj_of, holomorphic

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "addmv", "addbmm",
           "baddbmm", "addr", "addmv_"]


def _same_dtype(a, b, autocast=True):
    if a._data.dtype != b._data.dtype and not (autocast and _hooks.autocasting()):
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                           f"{_c10_name(a.dtype)} != {_c10_name(b.dtype)}")


def _mm_error(a_shape, b_shape):
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a_shape[0]}x{a_shape[1]} "
                        f"and {b_shape[0]}x{b_shape[1]})")


def _blas(x):
    """x, or a C-ordered copy when its last two dims have strides BLAS cannot take (NumPy's
    matmul then falls back to a loop that is 10-100x slower: gradients of sum() and expand()
    are zero-stride broadcasts)."""
    st, it = x.strides, x.itemsize
    if x.ndim >= 2:
        (s0, s1), (n0, n1) = st[-2:], x.shape[-2:]
        if s1 == it and s0 >= n1 * it or s0 == it and s1 >= n0 * it:
            return x
    elif x.ndim == 0 or st[0] != 0:
        return x
    return xp_of(x).ascontiguousarray(x)


# A stack of small matrices times a stack of transposed ones (attention's q @ k^T, its backward's
# g @ v^T) runs up to 2x slower in OpenBLAS than times a C-ordered copy, the copy included
# (48 products of 64x32 by 32x64: 187-202 us against 109-121 + 26-31; 32 of 128x32 by 32x128:
# 455 against 344 + 42); from about 2^20 multiply-adds a product the copy costs more than it
# saves (128x64 by 64x128: 801 against 702 + 129).
_SMALL_TRANSPOSED_MACS = 1 << 19


def _right_operand(xp, a, b):
    """b, or a C-ordered copy of it when it is a stack of small transposed matrices (above)."""
    if xp is not np or b.ndim < 3 or b.strides[-2] != b.itemsize or \
            b.strides[-1] == b.itemsize or b.shape[-1] < 2 or \
            a.shape[-2] * b.shape[-2] * b.shape[-1] > _SMALL_TRANSPOSED_MACS:
        return b
    return np.ascontiguousarray(b)


def _gemm(xp, a, b):
    """xp.matmul(a, b); in a process that holds the BLAS at one thread since a kernel split its
    batch, a 2-D product from QUIET_MACS multiply-adds on is split over ember's kernel threads
    (NOTE [ Kernel threads ] in _threads.py)."""
    if _threads.quiet and xp is np and a.ndim == 2 and b.ndim == 2 and \
            a.shape[0] * a.shape[1] * b.shape[1] >= _threads.QUIET_MACS:
        return _threads.split_product(a, b)
    return xp.matmul(a, _right_operand(xp, a, b))


# -- the primitives -----------------------------------------------------------------------------

def _save_operands(ctx, a, b, first):
    """save_factors, and each factor's memory order for its gradient (_product_like)."""
    if ctx.recording:
        save_factors(ctx, a, b, first)
        ctx.column_ordered = (_column_ordered(a), _column_ordered(b))


class Mm(Op):
    """The matrix product; Bmm (batched) is the same op, Mv (matrix @ vector) the same forward."""
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, a, b):
        _save_operands(ctx, a, b, 0)
        return _gemm(ctx.xp, _blas(a), _blas(b))

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        op = ctx._forward_cls
        a_t, b_t = ctx.column_ordered
        return (_product_like(a_t, op, g, _mT(b)) if need[0] else None), \
            (_product_like(b_t, op, _mT(a), g) if need[1] else None)


class Bmm(Mm):
    pass


class Mv(Mm):
    _array_backward = False  # outer() takes Tensors

    def backward(ctx, g):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (outer(g, v) if need[0] else None), (Mv.apply(a.mT, g) if need[1] else None)


class Dot(Op):
    _fn = "dot"  # Vdot: "vdot", which conjugates a

    def forward(ctx, a, b):
        if a.dtype.kind == "b":
            raise NotImplementedError("\"dot\" not implemented for 'Bool'")  # vdot's too
        save_factors(ctx, a, b)
        return getattr(ctx.xp, ctx._forward_cls._fn)(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Vdot(Dot):
    """sum(conj(a) * b): antiholomorphic in a, so its gradient is b * conj(g), not the
    conjugated-back formula of holomorphic ops."""
    _fn = "vdot"

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (b * conj_of(g) if need[0] else None), (a * g if need[1] else None)


def _matrix_rows(x):
    """x (an array or Tensor) as one matrix of its last dim's rows: -1 cannot stand for the row
    count when the last dim is 0."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


class Matmul(Op, grad_fn="UnsafeViewBackward0"):
    """Batched and broadcast matmul (NOTE [ matmul's cases ])."""

    def forward(ctx, a, b):
        _save_operands(ctx, a, b, 0)
        ctx.ndims = (a.ndim, b.ndim)
        if a.ndim >= 3 and b.ndim <= 2:  # fold the batch into one GEMM (reshape copies if needed)
            out = _gemm(ctx.xp, _blas(_matrix_rows(a)), _blas(b))
            return out.reshape(a.shape[:-1] + b.shape[1:])
        return _gemm(ctx.xp, _blas(a), _blas(b))

    def backward(ctx, g):
        a, b = ctx.saved_tensors  # each saved only for the other's gradient
        na, nb = ctx.ndims
        need = ctx.needs_input_grad
        g2 = g.unsqueeze(-2) if na == 1 else g
        g2 = g2.unsqueeze(-1) if nb == 1 else g2
        ga = gb = None
        if need[0]:
            ga = matmul(g2, (b.unsqueeze(1) if nb == 1 else b).mT)
            if na == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need[1]:
            a2 = a.unsqueeze(0) if na == 1 else a
            if nb <= 2 <= na:  # the batch folds into one GEMM: no per-batch sum
                gb = _product_like(ctx.column_ordered[1], Mm,
                                   _mT(_matrix_rows(a2)), _matrix_rows(g2))
            else:
                gb = matmul(a2.mT, g2)
            if nb == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


class _MatmulClone(Matmul, grad_fn="CloneBackward0"):
    pass


class _VecMat(Matmul, grad_fn="SqueezeBackward4"):
    pass


class Addmm(Op):
    """beta * c + alpha * (a @ b) with the product op `_product`: Mm here, Bmm in Baddbmm; Addmv
    shares the forward."""
    _product = Mm
    _array_backward = True

    def forward(ctx, c, a, b, beta, alpha):
        _save_operands(ctx, a, b, 1)
        ctx.beta, ctx.alpha = beta, alpha
        return _add_scaled(_gemm(ctx.xp, _blas(a), _blas(b)), c, beta, alpha)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        op = ctx._forward_cls._product
        gc = _scaled(g, ctx.beta) if need[0] else None
        a_t, b_t = ctx.column_ordered
        ga = _scaled(_product_like(a_t, op, g, _mT(b)), ctx.alpha) if need[1] else None
        gb = _scaled(_product_like(b_t, op, _mT(a), g), ctx.alpha) if need[2] else None
        return gc, ga, gb


class Baddbmm(Addmm):
    _product = Bmm


class Addmv(Addmm):
    _array_backward = False  # outer() takes Tensors

    def backward(ctx, g):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        gc = _scaled(g, ctx.beta) if need[0] else None
        ga = _scaled(outer(g, v), ctx.alpha) if need[1] else None
        gv = _scaled(Mv.apply(a.mT, g), ctx.alpha) if need[2] else None
        return gc, ga, gv


class Addr(Op):
    """beta * c + alpha * outer(v1, v2)."""

    def forward(ctx, c, v1, v2, beta, alpha):
        _save_operands(ctx, v1, v2, 1)
        ctx.beta, ctx.alpha = beta, alpha
        return _add_scaled(v1[:, None] * v2, c, beta, alpha)

    def backward(ctx, g):
        v1, v2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        gc = _scaled(g, ctx.beta) if need[0] else None
        g1 = _scaled(Mv.apply(g, v2), ctx.alpha) if need[1] else None
        g2 = _scaled(Mv.apply(g.mT, v1), ctx.alpha) if need[2] else None
        return gc, g1, g2


class Addbmm(Op):
    def forward(ctx, c, a, b, beta, alpha):
        save_factors(ctx, a, b, 1)
        ctx.beta, ctx.alpha = beta, alpha
        ctx.batch = a.shape[0]
        n, k, m = a.shape[1], a.shape[0] * a.shape[2], b.shape[2]
        a2 = a.transpose(1, 0, 2).reshape(n, k)  # sum over the batch = one GEMM over (batch, k)
        return _add_scaled(ctx.xp.matmul(a2, _blas(b.reshape(k, m))), c, beta, alpha)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gc = _scaled(g, ctx.beta) if need[0] else None
        gb3 = g.unsqueeze(0).expand(ctx.batch, *g.shape)
        ga = _scaled(Bmm.apply(gb3, b.mT), ctx.alpha) if need[1] else None
        gb = _scaled(Bmm.apply(a.mT, gb3), ctx.alpha) if need[2] else None
        return gc, ga, gb


# complex operands: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Mm, Mv, Dot, Matmul, Addmm, Addmv, Addr, Addbmm)


def _product_like(column_ordered, op, lhs, rhs):
    """op(lhs, rhs), the gradient of a product's operand, in that operand's memory order: for a
    matrix laid out column by column (`_column_ordered`: a Linear layer's weight.t()) it is
    computed as op(rhs^T, lhs^T)^T, so that the weight's gradient comes back C-ordered and
    accumulates into .grad with a plain copy (a transposed copy of a 9216x128 gradient took
    8.5 ms, a plain one 0.35 ms)."""
    if column_ordered:
        return _mT(op.apply(_mT(rhs), _mT(lhs)))
    return op.apply(lhs, rhs)


def _mT(x):
    """x with its last two dims swapped: a Tensor's .mT (TransposeBackward0), and a view for
    backend arrays in a backward on arrays (CuPy 13's ndarray has no .mT)."""
    return x.swapaxes(-1, -2)


def _column_ordered(t):
    """Whether t (a Tensor or an array) is a matrix laid out column by column."""
    data = getattr(t, "_data", t)
    return data.ndim == 2 and data.flags.f_contiguous and not data.flags.c_contiguous


def _add_scaled(prod, c, beta, alpha):
    """beta * c + alpha * prod, in prod's buffer; beta == 0 ignores c (nan and inf too). An empty
    product is the result as it is (no kernel runs in torch: a Boolean one takes any scalars)."""
    if not prod.size:
        return prod
    if alpha != 1:
        prod *= alpha
    if beta != 0:
        prod += c if beta == 1 else c * beta
    return prod


def _scaled(t, s):
    return t if s == 1 else t * s


# -- public functions ---------------------------------------------------------------------------

def _refuse_bool(kernel, a, b):
    """torch's GEMM kernels refuse Boolean operands, unless either is empty (no kernel runs)."""
    if a._data.dtype == np.bool_ and a._data.size and b._data.size:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_mm(a, b, kernel="addmm_impl_cpu_"):
    x, y = a._data, b._data  # NumPy's shapes: no Size made per check
    if x.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if y.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if x.shape[1] != y.shape[0]:
        raise _mm_error(x.shape, y.shape)
    if x.dtype != y.dtype:
        _same_dtype(a, b)
    if x.dtype == np.bool_:
        _refuse_bool(kernel, a, b)


def _empty_pair_dtype(a, b):
    """a in b's dtype when the pair differs in dtype and either is empty: torch's bmm checks no
    dtype then and gives the second operand's; else a as it is."""
    if a.dtype != b.dtype and not (a.numel() and b.numel()):
        return a.to(b.dtype)
    return a


def _check_3d(a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


def _check_bmm(a, b, kernel="bmm"):
    """bmm's and baddbmm's checks: dims, sizes, then dtypes (bmm refuses a Boolean first
    operand before it names a dtype mismatch)."""
    _check_3d(a, b)
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}].")
    if a._data.dtype != b._data.dtype and not _hooks.autocasting():
        _refuse_bool(kernel, a, b)
        raise RuntimeError(f"expected scalar type {type_name(a)} but found {type_name(b)}")
    _refuse_bool(kernel, a, b)


def _check_addbmm(input, a, b):
    """addbmm's checks, in torch's order and words: dims, batch counts, matrix sizes, then the
    dtypes of the two batches and of input against them."""
    _check_3d(a, b)
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{a.shape[0]} and {b.shape[0]}")
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and "
                           f"{b.shape[1]}x{b.shape[2]})")
    if not _hooks.autocasting():
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {type_name(a)} "
                               f"and {type_name(b)}")
        if input._data.dtype != b._data.dtype and a.numel() and b.numel():
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{type_name(input)} and {type_name(b)}")
    _refuse_bool("addmm_impl_cpu_", a, b)


def _check_mv(a, v, n_input=None):
    if a.ndim != 2 or v.ndim != 1:
        got = 1 if n_input is None else n_input
        raise RuntimeError(f"vector + matrix @ vector expected, got {got}, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})")
    _same_dtype(a, v, autocast=False)  # mv is not on the autocast lists
    _refuse_bool("addmv_impl_cpu", a, v)


def _check_dot(a, b, name="dot"):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{type_name(a.dtype)} and {type_name(b.dtype)}")


def mm(input, mat2, *, out=None):
    """The matrix product of two 2-D tensors."""
    _check_mm(input, mat2)
    result = Mm.apply(input, mat2)
    return result if out is None else _out(result, out)


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    input = _empty_pair_dtype(input, mat2)
    _check_bmm(input, mat2)
    result = Bmm.apply(input, mat2)
    return result if out is None else _out(result, out)


def mv(input, vec, *, out=None):
    """Matrix (n x m) times vector (m)."""
    _check_mv(input, vec)
    result = Mv.apply(input, vec)
    return result if out is None else _out(result, out)


def dot(input, other, *, out=None):
    """The inner product of two 1-D tensors (a 0-d tensor)."""
    _check_dot(input, other)
    result = Dot.apply(input, other)
    return result if out is None else _out(result, out)


def vdot(input, other, *, out=None):
    """dot with the first argument conjugated (ember's dtypes are real, so dot)."""
    _check_dot(input, other, "vdot")
    result = Vdot.apply(input, other)
    return result if out is None else _out(result, out)


def outer(input, vec2, *, out=None):
    """input[i] * vec2[j] for 1-D tensors."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    result = input.reshape(-1, 1) * vec2
    return result if out is None else _out(result, out)


ger = outer


def matmul(input, other, *, out=None):
    """PyTorch's matmul for every pair of ranks (NOTE [ matmul's cases ])."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other if isinstance(input, Tensor) else input).__name__}")
    da, db = input.ndim, other.ndim
    if da == 0 or db == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other, out=out)
    if da == 2 and db == 2:
        return mm(input, other, out=out)
    if da == 2 and db == 1:
        return mv(input, other, out=out)
    if db >= 3 and da >= 2:  # torch's bmm path (a batch times a matrix folds into mm, and
        # a vector meets a batch through addmv)
        input = _empty_pair_dtype(input, other)
    _same_dtype(input, other)
    a_shape, b_shape = input.shape, other.shape
    k_b = b_shape[0] if db == 1 else b_shape[-2]
    if a_shape[-1] != k_b:
        rows = int(np.prod(a_shape[:-1]))
        if db <= 2:
            raise _mm_error((rows, a_shape[-1]), (k_b, 1 if db == 1 else b_shape[-1]))
        batch = int(np.prod(_batch_shape(a_shape[:-2], b_shape[:-2])))
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {a_shape[-1]}] but got: [{batch}, {k_b}].")
    # torch folds a batch times a matrix into one mm, a batch times a vector into one mv
    _refuse_bool("addmv_impl_cpu" if db == 1 else "addmm_impl_cpu_" if db == 2 else "bmm",
                 input, other)
    if da == 1 and db == 2:
        result = _VecMat.apply(input, other)
        return result if out is None else _out(result, out)
    _batch_shape(a_shape[:-2], b_shape[:-2])
    result = _matmul_node(a_shape, b_shape).apply(input, other)
    return result if out is None else _out(result, out)


def _batch_shape(a, b):
    try:
        return np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        raise broadcast_error(a, b) from None


def _matmul_node(a_shape, b_shape):
    """PyTorch ends in a transposed copy (CloneBackward0) when a matrix meets a batch."""
    da, db = len(a_shape), len(b_shape)
    b_batch = math.prod(b_shape[:-2])
    if db >= 3 and (da == 2 or da == 3 and a_shape[0] == 1 and b_batch != 1 and db == 3):
        return _MatmulClone
    return Matmul


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape."""
    _check_mm(mat1, mat2)
    _check_expand(input, (mat1._data.shape[0], mat2._data.shape[1]))
    beta, alpha = _scalars_for(mat1, beta, alpha)
    result = Addmm.apply(input, mat1, mat2, beta, alpha)
    return result if out is None else _out(result, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    _check_mv(mat, vec, input.ndim)
    _check_expand(input, (mat.shape[0],))
    beta, alpha = _scalars_for(mat, beta, alpha)
    result = Addmv.apply(input, mat, vec, beta, alpha)
    return result if out is None else _out(result, out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    _check_expand(input, (vec1.shape[0], vec2.shape[0]))
    if vec1._data.dtype.kind in "iu":
        for name, value in (("beta", beta), ("alpha", alpha)):
            if isinstance(value, float):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                                   "floating point number.")
    result = Addr.apply(input, vec1, vec2, beta, alpha)
    return result if out is None else _out(result, out)


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    """torch.addmv_: addmv written into input."""
    return input.addmv_(mat, vec, beta=beta, alpha=alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    # torch skips its dtype check when the inner dim is empty; the result is then batch2's dtype
    no_inner = batch1.dim() == 3 and batch1.shape[2] == 0
    if not (no_inner or input.dtype == batch1.dtype == batch2.dtype or _hooks.autocasting()):
        raise RuntimeError(f"Input dtypes must be the same, got: input {_c10_name(input.dtype)}, "
                           f"batch1: {_c10_name(batch1.dtype)}, batch2: "
                           f"{_c10_name(batch2.dtype)}")
    cast = _empty_pair_dtype(batch1, batch2)
    if cast is not batch1:  # the result, input's part too, in batch2's dtype
        input, batch1 = input.to(batch2.dtype), cast
    _check_bmm(batch1, batch2, kernel="baddbmm")
    _check_expand(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    beta, alpha = _scalars_for(batch1, beta, alpha)
    result = Baddbmm.apply(input, batch1, batch2, beta, alpha)
    return result if out is None else _out(result, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i])."""
    _check_addbmm(input, batch1, batch2)
    _check_expand(input, (batch1.shape[1], batch2.shape[2]))
    beta, alpha = _scalars_for(batch1, beta, alpha)
    result = Addbmm.apply(input, batch1, batch2, beta, alpha)
    return result if out is None else _out(result, out)


def _scalars_for(t, beta, alpha):
    """beta and alpha as the addmm family applies them: truncated to integers for integer
    tensors, as torch does (addr refuses floats there instead)."""
    if t._data.dtype.kind in "iu":
        return int(beta), int(alpha)
    return beta, alpha


def _check_expand(t, target):
    src = t._data.shape
    if src == target or src == target[len(target) - len(src):]:  # it fits as it is
        return
    lead = len(target) - len(src)
    for i in range(len(src) - 1, -1, -1):
        want = target[lead + i] if lead + i >= 0 else None
        if src[i] != 1 and src[i] != want:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing "
                               f"size ({src[i]}) at non-singleton dimension {lead + i}.  Target "
                               f"sizes: {shape_str(target)}.  Tensor sizes: {shape_str(src)}")
