"""torch._foreach_*: one op applied across lists of tensors, as timm's ModelEma, multi-tensor
optimizers and LLM training loops call it. torch fuses these into multi-tensor kernels; here each is
one loop over the lists calling the Tensor method (or op) that already defines the maths, so values,
dtype promotion, autograd of the out-of-place forms and version bumps of the in-place forms are the
per-tensor op's own.

As in torch, an out-of-place form returns a tuple of new tensors and an in-place form (trailing `_`)
returns the very list it was given. The lists are checked before anything is computed: the first
must be non-empty and every other list as long as it, with torch's messages.
"""
import itertools
import numbers

from .._tensor import Tensor
from .arithmetic import pow
from .convert import clone
from .reduce import norm


# -- checks and operands ---------------------------------------------------------------------------

def _check_lists(first, *others):
    if len(first) == 0:
        raise RuntimeError("Tensor list must have at least one tensor.")
    for other in others:
        if len(other) != len(first):
            raise RuntimeError(f"Tensor lists must have the same number of tensors, got "
                               f"{len(first)} and {len(other)}")


def _per_tensor(tensors, other, tensor_overload=False):
    """The second operand, one per tensor of the (checked) list `tensors`: `other` itself when it is
    a list of tensors or of scalars, else the one scalar or 0-dim tensor repeated.

    torch's argument parser reads a 0-dim tensor that needs no grad as a Number unless the op has a
    one-tensor overload ahead of its Number one (`tensor_overload`: mul, div, add with alpha=); as a
    Number it takes part in dtype promotion as a Python scalar does."""
    if isinstance(other, Tensor):
        if other.dim() != 0:
            raise RuntimeError(f"scalar tensor expected to be 0 dim but it has {other.dim()} "
                               f"dimensions and {other.numel()} elements.")
        if not (tensor_overload or other.requires_grad):
            other = other.item()
        return itertools.repeat(other)
    if not isinstance(other, (list, tuple)):
        return itertools.repeat(other)
    is_tensor = [isinstance(o, Tensor) for o in other]
    if any(is_tensor):
        if not all(is_tensor):  # torch's parser takes a mixed list for a list of tensors
            i = is_tensor.index(False)
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(other[i]).__name__}")
        _check_lists(tensors, other)
    elif len(other) != len(tensors):
        raise RuntimeError("Tensor list must have same number of elements as scalar list.")
    return other


def _scalar_list(tensors, scalars):
    """addcmul/addcdiv's weights, one per tensor: a number for all, a list of numbers, or a 1-D
    tensor of them (torch's 'packed' scalars, which it reads to the host)."""
    if isinstance(scalars, Tensor):
        if scalars.dim() != 1:
            raise RuntimeError(f"Expected packed scalar Tensor to be of dimension 1. Got "
                               f"{scalars.dim()} instead.")
        if scalars.numel() != len(tensors):
            raise RuntimeError(f"Expected length of scalars to match input of length "
                               f"{len(tensors)} but got {scalars.numel()} instead.")
        return scalars.tolist()
    return _per_tensor(tensors, scalars)


# -- one op per element ----------------------------------------------------------------------------

def _unary(name):
    def out_of_place(self):
        _check_lists(self)
        return tuple(getattr(t, name)() for t in self)

    def in_place(self):
        _check_lists(self)
        for t in self:
            getattr(t, name + "_")()
        return self

    return _named(out_of_place, name), _named(in_place, name + "_")


def _binary(name, scalar_name=None, in_place_name=None, tensor_overload=False):
    """The out-of-place and in-place forms of a two-operand op. `scalar_name` is the method for a
    number operand where it differs (torch.maximum takes tensors only: its scalar form is
    clamp_min); `in_place_name` the in-place method where the op has no `name_`; `tensor_overload`
    as in `_per_tensor`. Keyword arguments (add's and sub's alpha=) go to the method."""
    scalar_name = scalar_name or name
    in_place_name = in_place_name or name + "_"

    def operands(self, other, kwargs):
        _check_lists(self)
        return zip(self, _per_tensor(self, other, tensor_overload or "alpha" in kwargs))

    def out_of_place(self, other, **kwargs):
        return tuple(getattr(t, name if isinstance(o, Tensor) else scalar_name)(o, **kwargs)
                     for t, o in operands(self, other, kwargs))

    def in_place(self, other, **kwargs):
        for t, o in operands(self, other, kwargs):
            getattr(t, in_place_name)(o, **kwargs)
        return self

    return _named(out_of_place, name), _named(in_place, name + "_")


def _pointwise(name):
    """addcmul/addcdiv: self + value * (tensor1 op tensor2), value a number or one per tensor."""
    def weights(self, tensor1, tensor2, value, scalars):
        _check_lists(self, tensor1, tensor2)
        return _scalar_list(self, value if scalars is None else scalars)

    def out_of_place(self, tensor1, tensor2, value=1, *, scalars=None):
        return tuple(getattr(t, name)(a, b, value=v) for t, a, b, v in
                     zip(self, tensor1, tensor2, weights(self, tensor1, tensor2, value, scalars)))

    def in_place(self, tensor1, tensor2, value=1, *, scalars=None):
        for t, a, b, v in zip(self, tensor1, tensor2,
                              weights(self, tensor1, tensor2, value, scalars)):
            getattr(t, name + "_")(a, b, value=v)
        return self

    return _named(out_of_place, name), _named(in_place, name + "_")


def _named(fn, name):
    fn.__name__ = fn.__qualname__ = f"_foreach_{name}"
    fn.__doc__ = f"``{name}`` applied to each tensor of the list (torch._foreach_{name})."
    return fn


# -- the family ------------------------------------------------------------------------------------

_foreach_abs, _foreach_abs_ = _unary("abs")
_foreach_acos, _foreach_acos_ = _unary("acos")
_foreach_asin, _foreach_asin_ = _unary("asin")
_foreach_atan, _foreach_atan_ = _unary("atan")
_foreach_ceil, _foreach_ceil_ = _unary("ceil")
_foreach_cos, _foreach_cos_ = _unary("cos")
_foreach_cosh, _foreach_cosh_ = _unary("cosh")
_foreach_erf, _foreach_erf_ = _unary("erf")
_foreach_erfc, _foreach_erfc_ = _unary("erfc")
_foreach_exp, _foreach_exp_ = _unary("exp")
_foreach_expm1, _foreach_expm1_ = _unary("expm1")
_foreach_floor, _foreach_floor_ = _unary("floor")
_foreach_frac, _foreach_frac_ = _unary("frac")
_foreach_lgamma, _foreach_lgamma_ = _unary("lgamma")
_foreach_log, _foreach_log_ = _unary("log")
_foreach_log10, _foreach_log10_ = _unary("log10")
_foreach_log1p, _foreach_log1p_ = _unary("log1p")
_foreach_log2, _foreach_log2_ = _unary("log2")
_foreach_neg, _foreach_neg_ = _unary("neg")
_foreach_reciprocal, _foreach_reciprocal_ = _unary("reciprocal")
_foreach_round, _foreach_round_ = _unary("round")
_foreach_rsqrt, _foreach_rsqrt_ = _unary("rsqrt")
_foreach_sigmoid, _foreach_sigmoid_ = _unary("sigmoid")
_foreach_sign, _foreach_sign_ = _unary("sign")
_foreach_sin, _foreach_sin_ = _unary("sin")
_foreach_sinh, _foreach_sinh_ = _unary("sinh")
_foreach_sqrt, _foreach_sqrt_ = _unary("sqrt")
_foreach_tan, _foreach_tan_ = _unary("tan")
_foreach_tanh, _foreach_tanh_ = _unary("tanh")
_foreach_trunc, _foreach_trunc_ = _unary("trunc")

# add and sub take alpha= (with a list of tensors or a tensor) through **kwargs to Tensor.add
_foreach_add, _foreach_add_ = _binary("add")
_foreach_sub, _foreach_sub_ = _binary("sub")
_foreach_mul, _foreach_mul_ = _binary("mul", tensor_overload=True)
_foreach_div, _foreach_div_ = _binary("div", tensor_overload=True)
_foreach_clamp_min, _foreach_clamp_min_ = _binary("clamp_min")
_foreach_clamp_max, _foreach_clamp_max_ = _binary("clamp_max")
# there is no Tensor.maximum_: in place, max(t, other) is clamp_min_ (NaN propagates in both)
_foreach_maximum, _foreach_maximum_ = _binary("maximum", "clamp_min", "clamp_min_")
_foreach_minimum, _foreach_minimum_ = _binary("minimum", "clamp_max", "clamp_max_")
_pow_of_tensors, _foreach_pow_ = _binary("pow")
_foreach_addcmul, _foreach_addcmul_ = _pointwise("addcmul")
_foreach_addcdiv, _foreach_addcdiv_ = _pointwise("addcdiv")


def _foreach_pow(self, exponent):
    """Each tensor to the power exponent (a number, a list of numbers or of tensors), or, with a
    number as self, that number to the power of each tensor of the list exponent."""
    if isinstance(self, numbers.Number):
        _check_lists(exponent)
        return tuple(pow(self, e) for e in exponent)
    return _pow_of_tensors(self, exponent)


def _foreach_lerp(self, tensors1, weight):
    """self + weight * (tensors1 - self), weight a number, or one number or tensor per tensor."""
    _check_lists(self, tensors1)
    return tuple(t.lerp(e, w) for t, e, w in zip(self, tensors1, _per_tensor(self, weight)))


def _foreach_lerp_(self, tensors1, weight):
    _check_lists(self, tensors1)
    for t, e, w in zip(self, tensors1, _per_tensor(self, weight)):
        t.lerp_(e, w)
    return self


def _foreach_clone(self, *, memory_format=None):
    _check_lists(self)
    return tuple(clone(t, memory_format=memory_format) for t in self)


def _foreach_max(self):
    """The largest element of each tensor, as 0-dim tensors."""
    _check_lists(self)
    return tuple(t.max() for t in self)


def _foreach_norm(self, ord=2, dtype=None):
    """The vector norm of each tensor over all its elements (torch.linalg.vector_norm)."""
    _check_lists(self)
    return tuple(norm(t, ord, dtype=dtype) for t in self)


def _foreach_zero_(self):
    _check_lists(self)
    for t in self:
        t.zero_()
    return self


def _foreach_copy_(self, src, non_blocking=False):
    _check_lists(self, src)
    for t, s in zip(self, src):
        t.copy_(s, non_blocking)
    return self


# underscore names: listed, so that `from .foreach import *` exports them
__all__ = sorted(name for name in globals() if name.startswith("_foreach_"))
