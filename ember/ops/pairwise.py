"""Ops on pairs of tensors: cross products, pairwise distances (cdist) and log-sum-exp of two
operands (logaddexp, logaddexp2); forward on arrays, backward in ember ops."""
import math
import warnings

from .. import _dtype
from .._tensor import Tensor
from ._common import check_broadcast, tensors_only
from ._numpy_names import numpy_names
from ._op import Op, broadcast_error, promote, wrap_dim
from .complex import holomorphic
from .activation import sigmoid
from .._warnings import user_stacklevel

__all__ = ["cross", "cdist", "logaddexp", "logaddexp2"]


class LinalgCross(Op):
    _n_operands = 2
    _kernel = "cross"

    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        a, b = promote(a, b)
        return ctx.xp.cross(a, b, axis=dim)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = LinalgCross.apply(b, g, ctx.dim) if need[0] else None
        gb = LinalgCross.apply(g, a, ctx.dim) if need[1] else None
        return ga, gb


# complex operands: J^H g from the same formula (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(LinalgCross)


@numpy_names
def cross(input, other, dim=None, *, out=None):
    """The 3-vector cross product along dim (default: the first dim of size 3, deprecated in
    PyTorch in favour of linalg.cross's dim=-1); the operands broadcast."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in "
                      "a future release.", UserWarning, stacklevel=user_stacklevel())
        dim = next((i for i, s in enumerate(input.shape) if s == 3), -1)
    return _cross(input, other, dim)


def _cross(input, other, dim):
    dim = wrap_dim(dim, input.ndim)
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    try:
        return LinalgCross.apply(input, other, dim)
    except ValueError:
        raise broadcast_error(input.shape, other.shape) from None


class Logaddexp(Op):
    _n_operands = 2
    _fn, _scale = "logaddexp", 1.0

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        check_broadcast(a, b)
        a, b = promote(a, b)
        if a.dtype.kind != "f":
            name = _dtype.LEGACY_NAMES[_dtype.from_numpy_dtype(a.dtype)][:-len("Tensor")]
            raise NotImplementedError(f'"{ctx._forward_cls._fn}_cpu" not implemented for '
                                      f"'{name}'")
        return getattr(ctx.xp, ctx._forward_cls._fn)(a, b)

    def backward(ctx, g):
        # d/da log(e^a + e^b) = sigmoid(a - b); base 2 scales the difference by ln 2
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        d = (a - b) if ctx._forward_cls._scale == 1.0 else (a - b) * ctx._forward_cls._scale
        return (g * sigmoid(d) if need[0] else None), (g * sigmoid(-d) if need[1] else None)


class Logaddexp2(Logaddexp):
    _fn, _scale = "logaddexp2", math.log(2.0)


logaddexp = tensors_only(Logaddexp, "logaddexp")
logaddexp2 = tensors_only(Logaddexp2, "logaddexp2")


class Cdist(Op):
    """The p-norm distance between each row of x1 (..., r1, m) and each row of x2 (..., r2, m)."""
    _n_operands = 2

    def forward(ctx, x1, x2, p):
        ctx.save_for_backward(x1, x2)
        ctx.p = p
        diff = ctx.xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            return (diff != 0).sum(-1).astype(x1.dtype)
        if p == math.inf:
            return diff.max(-1) if diff.shape[-1] else diff.sum(-1)
        if p == 1:
            return diff.sum(-1)
        if p == 2:
            return ctx.xp.sqrt((diff * diff).sum(-1))
        return (diff ** p).sum(-1) ** (1.0 / p)

    def backward(ctx, g):
        x1, x2 = ctx.saved_tensors
        p = ctx.p
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        if p == 0:
            w = diff * 0.0
        elif p == 1:
            w = diff.sign() * g.unsqueeze(-1)
        else:
            d = Cdist.apply(x1, x2, p).unsqueeze(-1)
            if p == math.inf:
                w = diff.sign() * (diff.abs() == d) * g.unsqueeze(-1)
            else:
                # d(d)/d(diff) = sign(diff) |diff|^(p-1) / d^(p-1), zero where d is zero
                safe = d + (d == 0)
                num = diff if p == 2 else diff.sign() * diff.abs() ** (p - 1)
                w = num * (g.unsqueeze(-1) * (d != 0) / (safe if p == 2 else safe ** (p - 1)))
        need = ctx.needs_input_grad
        return (w.sum(-2) if need[0] else None), (-w.sum(-3) if need[1] else None)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of x1 and x2 (batch dims broadcast)."""
    if compute_mode not in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if not isinstance(x1, Tensor) or x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.is_floating_point():
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_dtype.type_name(x)}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.type_name(x1)} but found "
                           f"{_dtype.type_name(x2)}")
    if x1.dtype is _dtype.float16 and x1.numel() and x2.numel():  # torch's kernel has no Half
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")
    return Cdist.apply(x1, x2, float(p))
