"""NestedTensor: a batch of tensors whose sizes differ, in torch's two layouts.

NOTE [ Nested layouts ]
strided: a list of component tensors (any dims may differ between them). Every operation is
ember's own op applied per component, so autograd is ember's and gradients reach the components.
jagged: one packed `values` tensor (sum of lengths, *D) plus `offsets` (and `lengths` when the
batch has holes); only dim 1 is ragged. Row-wise operations (elementwise, matmul/softmax/sum on
the last dims) are ember's op applied once to `values`.

The ragged size of a jagged tensor is torch's symbolic int `j<n>`; ember shows it as a
`RaggedSize`, printed `j<n>`, equal only to itself, shared by every tensor derived from the same
offsets (so a binary op between two such tensors checks their structure as torch does). It has no
int value: code that needs a concrete length reads `offsets()` or `unbind()`.

A NestedTensor is not an ember.Tensor subclass: ember's free functions reach it through its
`__torch_function__` (NOTE [ Dispatch on failure ] in ember/_foreign.py): torch's unary and binary
elementwise functions, the elementwise F functions (relu, gelu, silu, dropout ...), F.linear,
softmax/log_softmax and matmul apply per component (strided) or once to the packed values
(jagged), as its methods and operators (nt.sin(), nt @ w, nt.softmax(-1), nt + 1) do. `grad_fn` is
the graph node of the values (jagged) or of the first component (strided).
"""
import inspect
import itertools

from .._foreign import public_name
from .._memory_layout import layout, strided
from .._tensor import Size, Tensor

jagged = layout("jagged")

_ragged_ids = itertools.count(1)


class RaggedSize:
    """The ragged dimension's size in a jagged NestedTensor's shape: torch's SymInt `j<n>`."""
    __slots__ = ("_id",)

    def __init__(self):
        self._id = next(_ragged_ids)

    def __repr__(self):
        return f"j{self._id}"

    def __index__(self):
        raise RuntimeError(f"the ragged size {self!r} of a jagged nested tensor has no single "
                           "int value: read offsets() or unbind() for the lengths")

    __int__ = __index__


_UNARY = """
abs neg negative sin cos tan asin acos atan sinh cosh tanh exp exp2 expm1 log log1p log2 log10
sqrt rsqrt square sigmoid relu sign sgn floor ceil round trunc frac reciprocal erf erfc logical_not
isnan isinf isfinite detach clone contiguous float double half long int bool cpu cuda
""".split()

_BINARY = """
add sub mul div true_divide pow maximum minimum eq ne lt le gt ge atan2 remainder
""".split()

# functions that act on each element, or along the last dim only (linear): any layout maps them
_MAPPED = set(_UNARY) | set("""
linear relu relu6 gelu silu elu selu celu leaky_relu hardtanh hardswish hardsigmoid mish softplus
logsigmoid softsign tanhshrink hardshrink softshrink dropout alpha_dropout
""".split())
_COMMUTATIVE = {"add", "mul", "maximum", "minimum", "eq", "ne"}
_PAIRWISE = set(_BINARY) | {"matmul"}

_OPERATORS = {"__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div",
              "__pow__": "pow", "__eq__": "eq", "__ne__": "ne", "__lt__": "lt", "__le__": "le",
              "__gt__": "gt", "__ge__": "ge"}

_REFLECTED = {"__radd__": "__radd__", "__rsub__": "__rsub__", "__rmul__": "__rmul__",
              "__rtruediv__": "__rtruediv__", "__rpow__": "__rpow__"}


class NestedTensor:
    """torch's nested tensor (is_nested True), strided or jagged: NOTE [ Nested layouts ]."""
    __slots__ = ("_components", "_values", "_offsets", "_lengths", "_ragged", "layout")
    is_nested = True
    __array_ufunc__ = None  # NumPy refuses it, so ember's ops fail on it and dispatch here

    def __init__(self, components=None, values=None, offsets=None, lengths=None, ragged=None):
        self._components = components
        self._values, self._offsets, self._lengths = values, offsets, lengths
        self._ragged = ragged if ragged is not None or values is None else RaggedSize()
        self.layout = strided if values is None else jagged

    # ---- structure -------------------------------------------------------------------------
    def unbind(self, dim=0):
        if dim != 0:
            raise RuntimeError("unbind(): nested tensor can only be unbound along dim 0")
        if self.layout is strided:
            return tuple(self._components)
        starts = self._offsets.tolist()
        lengths = (self._lengths.tolist() if self._lengths is not None
                   else [b - a for a, b in zip(starts, starts[1:])])
        return tuple(self._values.narrow(0, s, n) for s, n in zip(starts, lengths))

    def __getitem__(self, index):
        if isinstance(index, int):
            return self.unbind()[index]
        raise NotImplementedError("ember: a nested tensor is indexed by an int only")

    def __len__(self):
        return self.shape[0]  # torch's: a strided nested tensor has no shape, so no len()

    def __iter__(self):
        return iter(self.unbind())

    def values(self):
        self._need_jagged("values")
        return self._values

    def offsets(self):
        self._need_jagged("offsets")
        return self._offsets

    def lengths(self):
        self._need_jagged("lengths")
        return self._lengths

    def _need_jagged(self, name):
        if self.layout is not jagged:
            raise RuntimeError(f"{name}() is only supported for nested tensors of the jagged layout")

    def dim(self):
        if self.layout is jagged:
            return self._values.dim() + 1
        return self._components[0].dim() + 1 if self._components else 1

    ndim = property(dim)

    @property
    def shape(self):
        if self.layout is strided:
            raise RuntimeError("Internal error: NestedTensorImpl doesn't support sizes. "
                               "Please file an issue.")
        return Size((len(self._offsets) - 1, self._ragged) + tuple(self._values.shape[1:]))

    def size(self, dim=None):
        if dim is None or self.layout is jagged:
            return self.shape if dim is None else self.shape[dim]
        d = _wrap(dim, self.dim())
        if d == 0:
            return len(self._components)
        sizes = {c.shape[d - 1] for c in self._components}
        if len(sizes) != 1:
            raise RuntimeError(f"Given dimension {d} is irregular and does not have a size.")
        return sizes.pop()

    def numel(self):
        return sum(c.numel() for c in self.unbind())

    def is_contiguous(self, memory_format=None):
        return self._lengths is None

    def _parts(self):
        return [self._values] if self.layout is jagged else self._components

    dtype = property(lambda self: self._parts()[0].dtype if self._parts() else None)
    device = property(lambda self: self._parts()[0].device if self._parts() else None)
    requires_grad = property(lambda self: any(p.requires_grad for p in self._parts()))
    is_leaf = property(lambda self: all(p.is_leaf for p in self._parts()))
    grad_fn = property(lambda self: self._parts()[0].grad_fn if self._parts() else None)

    @property
    def grad(self):
        grads = [p.grad for p in self._parts()]
        if any(g is None for g in grads) or not grads:
            return None
        return self._like(grads[0]) if self.layout is jagged else NestedTensor(grads)

    def requires_grad_(self, requires_grad=True):
        for p in self._parts():
            p.requires_grad_(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if gradient is None:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        from ..autograd import backward
        if not isinstance(gradient, NestedTensor) or gradient.layout is not self.layout:
            raise RuntimeError("backward(): the gradient of a nested tensor must be a nested "
                               "tensor of the same layout")
        if self.layout is jagged and gradient._ragged is not self._ragged:
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                               f"{gradient.shape} and output[0] has a shape of {self.shape}.")
        backward(self._parts(), gradient._parts(), retain_graph=retain_graph,
                 create_graph=create_graph, inputs=inputs)

    # ---- building results ------------------------------------------------------------------
    def _like(self, values):
        """A jagged tensor with this one's offsets (and ragged size) around new values."""
        return NestedTensor(values=values, offsets=self._offsets, lengths=self._lengths,
                            ragged=self._ragged)

    def _map(self, fn):
        if self.layout is jagged:
            return self._like(fn(self._values))
        return NestedTensor([fn(c) for c in self._components])

    def _inner(self, dim, op):
        """The component (strided) or values (jagged) dim of this tensor's dim; the batch dim
        (and, for jagged, the ragged dim) is the caller's to refuse."""
        d = _wrap(dim, self.dim())
        if d == 0:
            raise RuntimeError(f"{op}(): not supported when reducing across the batch "
                               "dimension for NestedTensor")
        return d - 1

    def _ragged_op(self, fn):
        """Apply fn per component of a jagged tensor and pack the results again."""
        from ..ops import cat
        return self._like(cat([fn(c) for c in self.unbind()], 0))

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """torch's functions on a NestedTensor (NOTE [ Nested layouts ]); NotImplemented for the
        rest."""
        name, kwargs = public_name(func), kwargs or {}
        if not args or "out" in kwargs or any(isinstance(v, NestedTensor)
                                              for v in (*args[2:], *kwargs.values())):
            return NotImplemented
        first, rest = args[0], args[1:]
        if not isinstance(first, NestedTensor):  # the nested tensor is the second operand
            if name in _BINARY and len(args) == 2 and not kwargs:
                if name in _COMMUTATIVE:
                    return rest[0]._binary(name, first)
                if isinstance(first, (bool, int, float, complex)):
                    return rest[0]._map(lambda t: func(first, t))
            return NotImplemented
        if any(isinstance(v, NestedTensor) for v in rest) and name not in _PAIRWISE:
            return NotImplemented
        if name in _MAPPED:
            return first._map(lambda t: func(t, *rest, **kwargs))
        if name in _BINARY and len(rest) == 1 and not kwargs:
            return first._binary(name, rest[0])
        if name == "matmul" and len(rest) == 1 and not kwargs:
            return first.matmul(rest[0])
        if name in ("softmax", "log_softmax"):
            given = inspect.signature(func).bind(*args, **kwargs).arguments
            if given.get("dim") is None:
                return NotImplemented
            return getattr(first, name)(given["dim"], dtype=given.get("dtype"))
        if name in ("sum", "mean"):
            given = inspect.signature(func).bind(*args, **kwargs).arguments
            dim = given.get("dim") if given.get("dim") is not None else given.get("axis")
            return getattr(first, name)(dim, keepdim=given.get("keepdim", False),
                                        dtype=given.get("dtype"))
        return NotImplemented

    # ---- operations ------------------------------------------------------------------------
    def _binary(self, name, other):
        if isinstance(other, NestedTensor):
            if other.layout is not self.layout:
                raise RuntimeError("Internal error: NestedTensorImpl doesn't support sizes. "
                                   "Please file an issue.")
            if self.layout is jagged:
                if other._ragged is not self._ragged:
                    raise RuntimeError(f"cannot call binary pointwise function {name}.Tensor "
                                       f"with inputs of shapes {_shape_str(self)} and "
                                       f"{_shape_str(other)}")
                return self._like(getattr(self._values, name)(other._values))
            if len(other._components) != len(self._components) or any(
                    a.shape != b.shape for a, b in zip(self._components, other._components)):
                raise RuntimeError(f"{name} does not support broadcasting when given a "
                                   "NestedTensor")
            return NestedTensor([getattr(a, name)(b) for a, b in
                                 zip(self._components, other._components)])
        if isinstance(other, Tensor) and other.dim() > 0:
            return self._with_dense(name, other)
        return self._map(lambda t: getattr(t, name)(other))

    def _with_dense(self, name, other):
        if self.layout is strided:
            raise RuntimeError("Expected both self and other to be nested, but got a nested "
                               "self and non-nested other")
        if other.dim() <= self.dim() - 2:  # broadcasts over the batch and ragged dims
            return self._like(getattr(self._values, name)(other))
        if other.dim() == self.dim() and other.shape[1] == 1 and other.shape[0] == len(self):
            rows = other.squeeze(1).repeat_interleave(self._row_counts(), dim=0)
            return self._like(getattr(self._values, name)(rows))
        raise RuntimeError(f"{name}(): cannot broadcast a dense tensor of shape "
                           f"{list(other.shape)} against a nested tensor of shape "
                           f"{_shape_str(self)}")

    def _row_counts(self):
        if self._lengths is not None:
            raise NotImplementedError("ember: broadcasting a dense tensor over a jagged tensor "
                                      "with holes is not supported")
        return self._offsets[1:] - self._offsets[:-1]

    def matmul(self, other):
        if isinstance(other, NestedTensor):
            if self.layout is strided and other.layout is strided:
                return NestedTensor([a.matmul(b) for a, b in
                                     zip(self._components, other._components)])
            raise RuntimeError(f"matmul(): not supported between inputs of shapes "
                               f"{_shape_str(self)} and {_shape_str(other)}")
        if self.layout is strided:
            raise RuntimeError("Expected both to be nested, but got a nested self and "
                               "non-nested other")
        if other.dim() > 2:
            raise RuntimeError(f"matmul(): not supported between inputs of shapes "
                               f"{_shape_str(self)} and {list(other.shape)}")
        return self._like(self._values.matmul(other))

    __matmul__ = matmul

    def softmax(self, dim, dtype=None):
        return self._along(dim, "softmax", lambda t, d: t.softmax(d, dtype=dtype))

    def log_softmax(self, dim, dtype=None):
        if self.layout is jagged and _wrap(dim, self.dim()) == 1:
            raise RuntimeError("log_softmax(): not supported when reducing along the ragged "
                               "dimension for NestedTensor")
        return self._along(dim, "log_softmax", lambda t, d: t.log_softmax(d, dtype=dtype))

    def _along(self, dim, op, fn):
        d = self._inner(dim, op)
        if self.layout is jagged and d == 0:
            return self._ragged_op(lambda c: fn(c, 0))
        return self._map(lambda t: fn(t, d))

    def sum(self, dim=None, keepdim=False, dtype=None):
        return self._reduce("sum", dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return self._reduce("mean", dim, keepdim, dtype)

    def _reduce(self, op, dim, keepdim, dtype):
        if self.layout is strided:
            if dim is None:
                raise NotImplementedError(f"Could not run 'aten::{op}' with arguments from the "
                                          "'NestedTensorCPU' backend.")
            if not keepdim:
                raise RuntimeError("NestedTensor always requires keepdim=True for now.")
            d = self._inner(dim, op)
            return self._map(lambda t: getattr(t, op)(d, keepdim=True, dtype=dtype))
        if dim is None:
            return getattr(self._values, op)(dtype=dtype)
        d = _wrap(dim, self.dim())
        if d == 0:
            raise RuntimeError(f"{op}(): reducing along the batch dimension but not the ragged "
                               "dimension is not supported for nested tensors")
        if d == 1:  # across the ragged dim: one dense row per component
            from ..ops import stack
            return stack([getattr(c, op)(0, keepdim=keepdim, dtype=dtype)
                          for c in self.unbind()], 0)
        return self._like(getattr(self._values, op)(d - 1, keepdim=keepdim, dtype=dtype))

    def transpose(self, dim0, dim1):
        d0, d1 = _wrap(dim0, self.dim()), _wrap(dim1, self.dim())
        if 0 in (d0, d1):
            if self.layout is jagged:
                raise ValueError("Transpose is not supported on the batch dimension for jagged NT")
            raise RuntimeError("Nested tensor dimension 0 cannot be transposed")
        if self.layout is jagged and 1 in (d0, d1):
            raise NotImplementedError("ember: transposing the ragged dimension of a jagged "
                                      "nested tensor is not supported")
        return self._map(lambda t: t.transpose(d0 - 1, d1 - 1))

    def to(self, *args, **kwargs):
        return self._map(lambda t: t.to(*args, **kwargs))

    def to_padded_tensor(self, padding, output_size=None):
        from ..nn.functional import pad
        from ..ops import stack
        parts = self.unbind()
        if self.layout is jagged:
            if self._lengths is not None:
                raise RuntimeError("to_padded_tensor(): not supported for nested tensors "
                                   "with holes")
            if not parts:
                return self._values.new_zeros((0, 0) + tuple(self._values.shape[1:]))
            longest = max(p.shape[0] for p in parts)
            target = (max(longest, output_size[1]) if output_size is not None else longest,)
            target += tuple(self._values.shape[1:])
        else:
            if not parts:
                return _empty_padded()
            target = tuple(max(s) for s in zip(*(p.shape for p in parts)))
            if output_size is not None:
                if len(output_size) != self.dim():
                    raise RuntimeError("Length of output_size does not match NestedTensor dims. "
                                       "Broadcasting is not supported.")
                if any(o < t for o, t in zip(output_size[1:], target)):
                    raise RuntimeError("Value in output_size is less than NestedTensor padded "
                                       "size. Truncation is not supported.")
                target = tuple(output_size[1:])
        padded = []
        for p in parts:
            widths = []
            for size, want in zip(reversed(p.shape), reversed(target)):
                widths += [0, want - size]
            padded.append(pad(p, widths, value=float(padding)))
        return stack(padded, 0)

    def __repr__(self):
        if self.layout is jagged:
            return self._jagged_repr()
        leaf = self.requires_grad and self.grad_fn is None
        lines = []
        for c in self._components:
            shown = c.detach().requires_grad_() if self.requires_grad else c.detach()
            lines.append("\n".join("  " + line for line in repr(shown).split("\n")))
        tail = (f", grad_fn=<{type(self.grad_fn).__name__}>" if self.grad_fn is not None
                else ", requires_grad=True" if leaf else "")
        return "nested_tensor([\n" + ",\n".join(lines) + "\n]" + tail + ")"

    def _jagged_repr(self):
        size = "(" + ", ".join(str(s) for s in self.shape) + ")"
        fields = [f"size={size}", f"offsets={self._offsets!r}"]
        if self.grad_fn is not None:
            fields.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            fields.append("requires_grad=True")
        fields.append(f"contiguous={self.is_contiguous()}")
        return "NestedTensor(" + ", ".join(fields) + ")"


def _empty_padded():
    from .._creation import tensor
    return tensor([])


def _wrap(dim, ndim):
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-ndim}, {ndim - 1}], but got {dim})")
    return dim % ndim


def _shape_str(nt):
    if nt.layout is jagged:
        return "(" + ", ".join(str(s) for s in nt.shape) + ")"
    return "nested"


def _unary_method(name):
    def method(self, *args, **kwargs):
        return self._map(lambda t: getattr(t, name)(*args, **kwargs))
    method.__name__ = name
    return method


def _binary_method(name):
    def method(self, other):
        return self._binary(name, other)
    method.__name__ = name
    return method


def _reflected_method(name):
    def method(self, other):
        return self._map(lambda t: getattr(t, name)(other))
    method.__name__ = name
    return method


for _name in _UNARY:
    setattr(NestedTensor, _name, _unary_method(_name))
for _name in _BINARY:
    setattr(NestedTensor, _name, _binary_method(_name))
for _name, _op in _OPERATORS.items():
    setattr(NestedTensor, _name, _binary_method(_op))
for _name in _REFLECTED:
    setattr(NestedTensor, _name, _reflected_method(_name))
NestedTensor.__neg__ = NestedTensor.neg
NestedTensor.__hash__ = object.__hash__
