"""Tensor methods declared from ember.ops, one name each.

NOTE [ Declared methods ]
`x.name(...)` is `ember.ops.name(x, ...)` for every name in METHODS: the method is the op's
function itself (a Python function binds its first parameter to the tensor), so it takes the
function's arguments and shows its signature and docstring in help(). For every name in
IN_PLACE, `x.name_(...)` computes `ember.ops.name(x, ...)` and writes the result into x (NOTE
[ In place ] in _tensor.py). A new op gets its method and in-place form by adding its name here;
a method with other behaviour (views, dtype casts, the operators) is written in the class, and a
name may not be both (declare_methods refuses it).
"""
import functools
import types

from .. import _dtype

METHODS = """
to add sub mul div true_divide floor_divide remainder fmod pow neg negative abs absolute sign
sgn reciprocal sqrt rsqrt square exp exp2 expm1 log log1p log2 log10 sin cos tan asin acos atan
atan2 arcsin arccos arctan arctan2 sinh cosh tanh asinh acosh atanh arcsinh arccosh arctanh
sigmoid floor ceil round trunc fix frac clamp clip clamp_min clamp_max maximum minimum fmax fmin
lerp addcmul addcdiv erf erfc erfinv logit hypot nan_to_num xlogy sinc lgamma digamma mvlgamma
i0 deg2rad rad2deg eq ne lt le gt ge greater greater_equal less less_equal not_equal isnan isinf
isfinite isposinf isneginf isclose allclose equal logical_and logical_or logical_xor logical_not
bitwise_and bitwise_or bitwise_xor bitwise_not softmax log_softmax sum mean nansum prod std var
max min amax amin argmax argmin norm logsumexp cumsum cumprod all any median count_nonzero view
reshape view_as reshape_as flatten unflatten squeeze unsqueeze permute transpose swapaxes
swapdims t expand expand_as repeat tile split chunk unbind narrow split_with_sizes tensor_split
hsplit vsplit dsplit flip fliplr flipud roll movedim tril triu diagonal diag diag_embed trace
repeat_interleave kron cross logaddexp logaddexp2 cummax cummin kthvalue moveaxis sum_to_size
contiguous clone gather scatter scatter_add index_select masked_fill masked_select take nonzero
topk sort argsort unique index_add index_fill index_copy masked_scatter matmul mm bmm mv dot
outer addmm addmv addbmm baddbmm vdot ger inner multiply subtract divide copysign float_power
heaviside nextafter bitwise_left_shift bitwise_right_shift signbit angle logcumsumexp nanmean
nanmedian msort scatter_reduce ravel broadcast_to select rot90 aminmax argwhere bincount diff
is_nonzero is_same_size take_along_dim index_put put mode ldexp gcd lcm quantile nanquantile
isreal conj conj_physical resolve_conj resolve_neg is_conj is_neg histc cov corrcoef index_reduce
as_strided as_strided_scatter diagonal_scatter histogram frexp igamma igammac unique_consecutive renorm new_empty_strided
slice_scatter select_scatter positive prelu hardshrink adjoint
det logdet slogdet inverse pinverse qr svd cholesky cholesky_inverse cholesky_solve matrix_exp
matrix_power lu_solve geqrf orgqr ormqr dist addr diagflat
stft istft to_padded_tensor index_put_ narrow_copy
triangular_solve solve lstsq symeig eig
""".split()

IN_PLACE = """
igamma igammac renorm index_reduce
lgamma digamma mvlgamma i0 tril triu add sub mul div true_divide floor_divide remainder fmod pow
neg abs sign reciprocal sqrt rsqrt square exp expm1 log log1p log2 log10 sin cos tan tanh
sigmoid floor ceil round trunc frac clamp clip clamp_min clamp_max lerp addcmul addcdiv
scatter scatter_add index_fill index_add index_copy masked_scatter logical_not erf
atan2 hypot nan_to_num addmm addmv baddbmm addbmm bitwise_and bitwise_or bitwise_xor absolute
acos acosh arccos arccosh arcsin arcsinh arctan2 arctan arctanh asin asinh atan atanh
bitwise_not cosh sinh cumprod cumsum deg2rad rad2deg divide multiply subtract negative eq ne lt
le gt ge greater greater_equal less less_equal not_equal erfc erfinv exp2 fix logical_and
logical_or logical_xor logit sgn sinc xlogy copysign float_power heaviside nextafter
bitwise_left_shift bitwise_right_shift scatter_reduce put ldexp gcd lcm conj_physical
addr
""".split()


def declare_methods(cls, ops):
    """Give cls (Tensor) its METHODS and IN_PLACE methods from the ops namespace."""
    for name in METHODS:
        _add(cls, name, _method(getattr(ops, name), name))
    for name in IN_PLACE:
        _add(cls, name + "_", _in_place(getattr(ops, name), name))


def _add(cls, name, method):
    if name in cls.__dict__:
        raise TypeError(f"{cls.__name__}.{name} is declared in ops/_methods.py and also "
                        "defined in the class: keep one")
    setattr(cls, name, method)


def _method(fn, name):
    if isinstance(fn, types.FunctionType):
        return fn

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = name
    return method


# In place, torch checks that the result's dtype casts into the tensor's before these kernels
# refuse a floating operand: int_tensor.bitwise_or_(2.0) is a cast error.
_CAST_CHECKED_FIRST = {"bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                       "bitwise_right_shift"}


def _in_place(fn, name):
    if name not in _CAST_CHECKED_FIRST:
        def method(self, *args, **kwargs):
            return self._inplace(fn, *args, **kwargs)
    else:
        def method(self, *args, **kwargs):
            other = args[0] if len(args) == 1 else None
            if hasattr(other, "_data") or type(other) in (bool, int, float):
                result = _dtype.result_type(self._data, getattr(other, "_data", other))
                if not _dtype.castable(result, self._data.dtype):
                    raise _dtype.cast_error(result, self)
            return self._inplace(fn, *args, **kwargs)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place version of ``{name}``: writes the result into this tensor."
    method.__wrapped__ = fn  # inspect.signature shows the op's parameters
    return method
