"""MaskedTensor: a Tensor of data plus a bool mask of the elements that count (torch.masked).

A small wrapper, not a Tensor subclass: it holds an ember Tensor `_masked_data` (which carries
autograd; not named `_data`, which ember's ops read from their operands) and a bool Tensor
`_mask` of the same shape. Elementwise ops apply to the data and keep the mask;
two MaskedTensors combine only when their masks are equal (PyTorch raises ValueError otherwise);
reductions go through ember.masked's functions and keep a slice where any element was kept;
shape ops (indexing, transpose, view, reshape) apply to data and mask alike. `grad` is a
MaskedTensor with the mask of the tensor it belongs to. Other Tensor methods raise
NotImplementedError (also an AttributeError, so `hasattr` answers False).
ember's free functions (torch.exp(mt), torch.add(x, mt), torch.where(cond, mt, other),
torch.sum(mt), F.softmax(mt, d)) reach these through `__torch_function__` (NOTE [ Dispatch on
failure ] in ember/_foreign.py).
"""
import ember
from .. import _dtype
from .._foreign import public_name
from .._tensor import Tensor
from . import _reductions

_UNARY = """abs absolute acos arccos acosh arccosh angle asin arcsin asinh arcsinh atan arctan atanh
arctanh bitwise_not ceil clamp clip conj_physical cos cosh deg2rad digamma erf erfc erfinv exp
exp2 expm1 fix floor frac lgamma log log10 log1p log2 logit i0 isnan nan_to_num neg negative
positive rad2deg reciprocal round rsqrt sgn sign signbit sin sinc sinh sqrt square tan tanh trunc
relu sigmoid float double half int long bool clone contiguous""".split()
_BINARY = """add atan2 arctan2 bitwise_and bitwise_or bitwise_xor bitwise_left_shift
bitwise_right_shift div divide equal eq floor_divide fmax fmin fmod ge greater_equal gt greater
hypot igamma igammac isclose le less_equal lt less logaddexp logaddexp2 logical_and logical_or
logical_xor maximum minimum mul multiply ne not_equal nextafter pow remainder sub subtract
true_divide xlogy""".split()
_SHAPE = "transpose t view reshape expand select flatten unsqueeze narrow ravel".split()
_REDUCTIONS = "sum prod amax amin argmax argmin mean var std all softmax".split()
_OPERATORS = {"add": "add", "sub": "sub", "mul": "mul", "truediv": "div", "floordiv": "floor_divide",
              "mod": "remainder", "pow": "pow", "and": "bitwise_and", "or": "bitwise_or",
              "xor": "bitwise_xor", "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt",
              "ge": "ge"}


class _Unsupported(NotImplementedError, AttributeError):
    pass


def is_masked_tensor(obj):
    """True for a MaskedTensor."""
    return isinstance(obj, MaskedTensor)


def masked_tensor(data, mask, requires_grad=False):
    """A MaskedTensor that is a new leaf of the autograd graph (its data detached from `data`)."""
    if not isinstance(data, Tensor):
        raise TypeError("data must be a Tensor")
    return MaskedTensor(data.detach().requires_grad_(requires_grad), mask)


def as_masked_tensor(data, mask):
    """A MaskedTensor over `data` that gradients flow back through."""
    return MaskedTensor(data, mask)


def _format(value, fmt="{0:8.4f}"):
    return fmt.format(value) if isinstance(value, float) else str(value)


def _masked_str(data, mask):
    """PyTorch's nested-list layout, `--` for masked-out elements (data and mask as lists)."""
    if not isinstance(data, list) or not data or not isinstance(data[0], list):
        texts = [_format(d) for d in data]
        width = max([8 if not m else len(t) for t, m in zip(texts, mask)], default=0)
        return "[" + ", ".join(t if m else "--".rjust(width)
                               for t, m in zip(texts, mask)) + "]"
    rows = ["\n".join("  " + line for line in _masked_str(d, m).split("\n"))
            for d, m in zip(data, mask)]
    return "[\n" + ",\n".join(rows) + "\n]"


class MaskedTensor:
    __slots__ = ("_masked_data", "_mask")
    __array_ufunc__ = None  # NumPy refuses it, so ember's ops fail on it and dispatch here

    def __init__(self, data, mask, requires_grad=False):
        if not isinstance(data, Tensor) or not isinstance(mask, Tensor):
            raise TypeError("data and mask must be Tensors")
        if data.dim() != mask.dim():
            raise ValueError("data.dim() must equal mask.dim()")
        if tuple(data.shape) != tuple(mask.shape):
            raise ValueError("data.size() must equal mask.size()")
        if mask.dtype != _dtype.bool:
            raise TypeError("mask must have dtype bool.")
        if requires_grad and not data.requires_grad:
            data = data.detach().requires_grad_(True)
        self._masked_data = data
        self._mask = mask

    def get_data(self):
        return self._masked_data

    def get_mask(self):
        return self._mask

    def to_tensor(self, value):
        """The data with `value` at the masked-out elements."""
        return self._masked_data.masked_fill(~self._mask, value)

    # ---- attributes of the data ----
    shape = property(lambda self: self._masked_data.shape)
    dtype = property(lambda self: self._masked_data.dtype)
    device = property(lambda self: self._masked_data.device)
    ndim = property(lambda self: self._masked_data.ndim)
    requires_grad = property(lambda self: self._masked_data.requires_grad)
    is_leaf = property(lambda self: self._masked_data.is_leaf)

    @property
    def grad(self):
        grad = self._masked_data.grad
        return None if grad is None else MaskedTensor(grad, self._mask)

    def dim(self):
        return self._masked_data.dim()

    def size(self, dim=None):
        return self._masked_data.size() if dim is None else self._masked_data.size(dim)

    def numel(self):
        return self._masked_data.numel()

    def __len__(self):
        return len(self._masked_data)

    def requires_grad_(self, requires_grad=True):
        self._masked_data.requires_grad_(requires_grad)
        return self

    def detach(self):
        return MaskedTensor(self._masked_data.detach(), self._mask)

    def to(self, *args, **kwargs):
        data = self._masked_data.to(*args, **kwargs)
        return MaskedTensor(data, self._mask.to(device=data.device))

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        if is_masked_tensor(gradient):
            gradient = gradient.get_data()
        self._masked_data.backward(gradient, retain_graph=retain_graph, create_graph=create_graph)

    # ---- elementwise ops ----
    def _binary(self, name, other, *args, **kwargs):
        if is_masked_tensor(other):
            if (tuple(other._mask.shape) != tuple(self._mask.shape)
                    or not ember.equal(other._mask, self._mask)):
                raise ValueError("Input masks must match. If you need support for this, please "
                                 "open an issue on Github.")
            other = other._masked_data
        return MaskedTensor(getattr(self._masked_data, name)(other, *args, **kwargs), self._mask)

    def _reflected(self, name, other):
        if not isinstance(other, Tensor):
            other = ember.tensor(other, dtype=self.dtype, device=self.device)
        return MaskedTensor(getattr(other, name)(self._masked_data), self._mask)

    def __neg__(self):
        return self.neg()

    def __abs__(self):
        return self.abs()

    def __invert__(self):
        return self.bitwise_not()

    # ---- reductions: kept where the reduced slice held a kept element ----
    def _reduce(self, fn, dim, keepdim, *args, **kwargs):
        result = fn(self._masked_data, *args, keepdim=keepdim, mask=self._mask, **kwargs)
        if dim is None:
            return MaskedTensor(result, self._mask.any())
        return MaskedTensor(result, self._mask.any(dim=_reductions._dims(dim, self.ndim),
                                                   keepdim=keepdim))

    def sum(self, dim=None, keepdim=False, dtype=None):
        return self._reduce(_reductions.sum, dim, keepdim, dim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, dtype=None):
        return self._reduce(_reductions.prod, dim, keepdim, dim, dtype=dtype)

    def amax(self, dim=None, keepdim=False):
        return self._reduce(_reductions.amax, dim, keepdim, dim)

    def amin(self, dim=None, keepdim=False):
        return self._reduce(_reductions.amin, dim, keepdim, dim)

    def argmax(self, dim=None, keepdim=False):
        return self._reduce(_reductions.argmax, dim, keepdim and dim is not None, dim)

    def argmin(self, dim=None, keepdim=False):
        return self._reduce(_reductions.argmin, dim, keepdim and dim is not None, dim)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return self._reduce(_reductions.mean, dim, keepdim, dim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return self._reduce(_reductions.var, dim, keepdim, dim, unbiased, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return self._reduce(_reductions.std, dim, keepdim, dim, unbiased, correction=correction)

    def all(self, dim=None, keepdim=False):
        kept = self._masked_data.to(dtype=_dtype.bool) | ~self._mask  # masked-out ones count True
        result = kept.all() if dim is None else kept.all(dim=dim, keepdim=keepdim)
        mask = self._mask.any() if dim is None else self._mask.any(dim=dim, keepdim=keepdim)
        return MaskedTensor(result, mask)

    def _normalization(self, fn, dim, dtype):
        return MaskedTensor(fn(self._masked_data, dim, dtype=dtype, mask=self._mask), self._mask)

    def softmax(self, dim, dtype=None):
        return self._normalization(_reductions.softmax, dim, dtype)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """torch's functions on a MaskedTensor: its elementwise ops, reductions and torch.where;
        NotImplemented for the rest."""
        name, kwargs = public_name(func), kwargs or {}
        if name == "where":
            return _where(*args, **kwargs)
        if not args or "out" in kwargs:
            return NotImplemented
        first, rest = args[0], args[1:]
        if is_masked_tensor(first):
            if name in _UNARY or name in _REDUCTIONS:
                return getattr(first, name)(*rest, **kwargs)
            if name in _BINARY and rest:
                return first._binary(name, *rest, **kwargs)
        elif name in _BINARY and len(args) >= 2 and is_masked_tensor(args[1]) and not any(
                is_masked_tensor(a) for a in args[2:]):
            masked = args[1]
            return MaskedTensor(func(first, masked._masked_data, *args[2:], **kwargs),
                                masked._mask)
        return NotImplemented

    # ---- shape ops: the same op on data and mask ----
    def __getitem__(self, index):
        if is_masked_tensor(index):
            raise _Unsupported("MaskedTensor does not support indexing by a MaskedTensor")
        return MaskedTensor(self._masked_data[index], self._mask[index])

    @property
    def T(self):
        return self.t()

    def __repr__(self):
        if self.dim() == 0:
            kept = bool(self._mask.item())
            text = _format(self._masked_data.item()) if kept else "--"
            return f"MaskedTensor({text}, {kept})"
        body = _masked_str(self._masked_data.tolist(), self._mask.tolist())
        return "MaskedTensor(\n" + "\n".join("  " + line for line in body.split("\n")) + "\n)"

    __str__ = __repr__

    def __getattr__(self, name):
        raise _Unsupported(f"MaskedTensor does not support '{name}' yet (ember.masked supports "
                           f"elementwise ops, reductions, softmax and shape ops)")


def _where(condition, input, other, *, out=None):
    """torch.where over MaskedTensors: data and mask each chosen by condition, a plain tensor or
    number counting as kept everywhere."""
    if is_masked_tensor(condition) or out is not None:
        return NotImplemented

    def parts(value):
        if is_masked_tensor(value):
            return value._masked_data, value._mask
        kept = ember.ones(value.shape if isinstance(value, Tensor) else (), dtype=_dtype.bool,
                          device=condition.device)
        return value, kept

    (data, mask), (other_data, other_mask) = parts(input), parts(other)
    return MaskedTensor(ember.where(condition, data, other_data),
                        ember.where(condition, mask, other_mask))


def _unary_method(name):
    def method(self, *args, **kwargs):
        return MaskedTensor(getattr(self._masked_data, name)(*args, **kwargs), self._mask)
    method.__name__ = name
    return method


def _binary_method(name):
    def method(self, other, *args, **kwargs):
        return self._binary(name, other, *args, **kwargs)
    method.__name__ = name
    return method


def _shape_method(name):
    def method(self, *args, **kwargs):
        return MaskedTensor(getattr(self._masked_data, name)(*args, **kwargs),
                            getattr(self._mask, name)(*args, **kwargs))
    method.__name__ = name
    return method


def _operator(op, name):
    def method(self, other):
        return self._binary(name, other)
    method.__name__ = f"__{op}__"
    return method


def _reflected_operator(op, name):
    def method(self, other):
        return self._reflected(name, other)
    method.__name__ = f"__r{op}__"
    return method


for _name in _UNARY:
    setattr(MaskedTensor, _name, _unary_method(_name))
for _name in _BINARY:
    setattr(MaskedTensor, _name, _binary_method(_name))
for _name in _SHAPE:
    setattr(MaskedTensor, _name, _shape_method(_name))
for _op, _name in _OPERATORS.items():
    setattr(MaskedTensor, f"__{_op}__", _operator(_op, _name))
    if _op in ("add", "mul", "truediv"):  # PyTorch's MaskedTensor reflects only these
        setattr(MaskedTensor, f"__r{_op}__", _reflected_operator(_op, _name))
MaskedTensor.__hash__ = object.__hash__
