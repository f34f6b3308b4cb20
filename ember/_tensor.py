"""Tensor: a backend array plus autograd metadata, its properties, protocols and method bindings.

Every method that computes is a one-line binding to the op of the same name in `ember.ops`
(one op, one place); in-place methods go through `_inplace`, which keeps autograd correct.

NOTE [ In place ]
An in-place op is its out-of-place op written back into the tensor's memory, so memory shared with
views and NumPy arrays sees the change. When no graph is recorded the op runs on self directly
(add_, sub_, mul_ and div_ of a float tensor and a number or a tensor like it skip the op and
write NumPy's result straight into self: NOTE [ Arithmetic in place ] in ops/arithmetic.py).
When one is, the op runs on a copy of the old value that carries self's history, and self takes
the new node as its grad_fn (a view's base is rebased too: NOTE [ In place on a view ]); the
version bump makes any node that saved the old value raise "modified by an inplace operation" at
backward, as PyTorch does. A leaf that requires grad
refuses in-place ops while grad mode is on.
"""
import builtins
import numbers
import warnings

import numpy as np

from . import _backend, _dtype, _memory_layout, _storage
from ._device import CPU, as_device, device as _device_cls
from ._warnings import user_stacklevel, warn_once


class Size(tuple):
    """torch.Size: a tuple of ints that prints as `torch.Size([2, 3])`."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


def _make(data, requires_grad=False, grad_fn=None, out_idx=0):
    """Wrap a backend array as a Tensor without copying (the internal constructor)."""
    t = object.__new__(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad = None
    t._grad_fn = grad_fn
    t._out_idx = out_idx
    t._vc = [0]
    t._hooks = None
    t._accum = None
    t._retains_grad = False
    if _grad_state.inference:  # NOTE [ Inference tensors ]
        t._inference = True
        _grad_state.inference_made = True
    return t


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")


def _factory_requires_grad(t):
    """t made by a factory with requires_grad=True: torch's factories word their refusal of
    other dtypes apart from the requires_grad setter's."""
    if t._data.dtype.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    t._requires_grad = True
    return t


def _as_view_of(t, src, op):
    """t, made by the view op `op` from src, shares src's memory: its version counter, and as
    `_base` the tensor src views (or src itself), as PyTorch's views do."""
    t._vc = src._vc
    if _grad_state.inference:
        if not getattr(src, "_inference", False):
            del t._inference  # a view of a normal tensor stays normal, as torch's
    elif _grad_state.inference_made and getattr(src, "_inference", False):
        t._inference = True  # and a view of an inference tensor is one, made where it may
    base = getattr(src, "_view_base", None)
    t._view_base = src if base is None else base
    if not _grad_state.enabled:  # NOTE [ Views made in no_grad mode ]
        t._no_grad_view = True
    elif base is not None and getattr(src, "_no_grad_view", None) is not None:
        t._no_grad_view = op


# NOTE [ Views made in no_grad mode ]
# An in-place op with grad mode on cannot tell whether a view made in no_grad mode (or a view of
# one) should carry the write into its base's history, so torch forbids it when its base or the
# op records a gradient. `_no_grad_view`, left unset on other tensors, marks such views for
# _inplace: True for one made in no_grad mode, the view op for a view of one.
_NO_GRAD_VIEW_TAIL = (
    "created in no_grad mode and is being modified inplace with grad mode enabled. Given that "
    "this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
    "moving both the view and the inplace either both inside the no_grad block (if you don't "
    "want the inplace to be tracked) or both outside (if you want the inplace to be tracked).")


def _refuse_no_grad_view(t, mark):
    if mark is True:
        raise RuntimeError("A view was " + _NO_GRAD_VIEW_TAIL)
    name = mark._node_cls.__name__.rstrip("0123456789").removesuffix("Backward")
    raise RuntimeError(f"Output {t._out_idx} of {name} is a view of a view which was "
                       + _NO_GRAD_VIEW_TAIL)


def _warn_pin_device(method, device):
    if device is not None:
        warnings.warn(f"The argument 'device' of Tensor.{method}() is deprecated. Please do not "
                      "pass this argument.", DeprecationWarning, stacklevel=user_stacklevel())


# torch's operators take no list or tuple operand: x == [1., 2.] is False, x + [1., 2.] Python's
# TypeError (NumPy arrays stay operands)
_SEQUENCES = (list, tuple)
# float() or complex() of a tensor that requires grad: once a process, as torch's
_SCALAR_OF_GRAD = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                   "behavior.\nConsider using tensor.detach() first.")

# Op.apply reports a NumPy operand it cannot compute with as NotImplementedError, Python as TypeError
_OPERAND_ERRORS = (TypeError, NotImplementedError)


def _operator(method):
    """A binary operator answering NotImplemented where its operand is no tensor, number or
    array-like (see the operators in Tensor)."""
    def operator(self, other):
        if isinstance(other, _SEQUENCES):
            return NotImplemented
        try:
            return method(self, other)
        except _OPERAND_ERRORS:
            return _refused(other)
    operator.__name__ = operator.__qualname__ = method.__name__
    return operator


def _in_place_operator(method):
    """An in-place operator (+= ...) answering NotImplemented, as torch's do, where its operand is
    no tensor, number or array-like (a list, a str): Python then raises its TypeError."""
    def operator(self, other):
        if isinstance(other, _SEQUENCES) or not _is_operand(other):
            return NotImplemented
        return method(self, other)
    operator.__name__ = operator.__qualname__ = method.__name__
    return operator


def _refused(other):
    """In an operator's except clause: the error again for a real operand, else NotImplemented
    (Python then tries the reflected operator, or answers == with identity)."""
    if _is_operand(other):
        raise
    return NotImplemented


class Tensor:
    # _view_base is set on views only (_as_view_of); other tensors leave it unset, which costs
    # nothing on the hot path of making a tensor.
    # NOTE [ Inference tensors ]
    # _inference is set (True) only on tensors made while inference_mode is on, as torch's
    # inference tensors; elsewhere it stays unset, so making a tensor pays one flag test.
    __slots__ = ("_data", "_requires_grad", "_grad", "_grad_fn", "_out_idx", "_vc", "_hooks",
                 "_accum", "_retains_grad", "_view_base", "_inference", "_no_grad_view",
                 "__weakref__")
    __array_ufunc__ = None  # NumPy operators defer to Tensor's reflected operators
    __array_priority__ = 1000

    def __init__(self, *args, device=None):
        """Legacy constructor: Tensor(data) copies data as float32, Tensor(2, 3) is uninitialised,
        Tensor(other) shares other's data."""
        from ._creation import _legacy_init
        _legacy_init(self, _dtype.get_default_dtype(), args, device, any_dtype=True)

    # -- attributes --------------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._data.dtype]

    @property
    def device(self):
        if _backend.is_cpu_array(self._data):
            return CPU
        return _device_cls("cuda", self._data.device.id)

    @property
    def is_cuda(self):
        return not _backend.is_cpu_array(self._data)

    @property
    def is_cpu(self):
        return _backend.is_cpu_array(self._data)

    def get_device(self):
        return -1 if _backend.is_cpu_array(self._data) else self._data.device.id

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self._data.dtype.kind in "fic"

    def element_size(self):
        return self._data.itemsize

    itemsize = property(element_size)

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        return _memory_layout.is_laid_out(self._data, _memory_layout.check(memory_format))

    layout = property(lambda self: _memory_layout.strided)

    def data_ptr(self):
        return _data_ptr(self._data)

    def resize_(self, *sizes, memory_format=None):
        """New sizes over this tensor's memory, grown when too small (NOTE [ Resizing ])."""
        if not sizes:
            raise TypeError('resize_() missing 1 required positional arguments: "size"')
        return _resize.resize_(self, sizes, memory_format)

    def resize_as_(self, the_template, memory_format=None):
        return _resize.resize_(self, (the_template._data.shape,), memory_format)

    def lu(self, pivot=True, get_infos=False):
        """Deprecated torch.lu (ember.ops.deprecated), as a plain tuple even with get_infos."""
        return tuple(_ops.lu(self, pivot, get_infos))

    def untyped_storage(self):
        """The bytes of the allocation this tensor views (ember/_storage.py)."""
        return _storage.UntypedStorage(self._data, self.device)

    def storage(self):
        """The allocation as elements of this tensor's dtype (deprecated in torch, which warns
        once)."""
        return _storage.TypedStorage(self._data, self.device, self.dtype)

    def storage_offset(self):
        base = _storage.owner(self._data)
        if base is self._data:
            return 0
        return (self.data_ptr() - _data_ptr(base)) // self._data.itemsize

    # -- autograd attributes -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = builtins.bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        if self._grad is None and self._grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=user_stacklevel())
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is None:  # first: every zero_grad and training step assigns None
            pass
        elif is_sparse_tensor(value):
            if tuple(value.shape) != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value.shape)}' to a tensor of size "
                                   f"'{list(self._data.shape)}'. Please ensure that the gradient "
                                   f"and the tensor are the same size")
        else:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def _version(self):
        """How many in-place writes the tensor's memory has had (torch's Tensor._version). The
        counter itself is `_vc`, a one-element list that views share with their base."""
        return self._vc[0]

    @property
    def grad_fn(self):
        return _view_write.current_grad_fn(self)

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def data(self):
        return _make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError("data must be a Tensor")
        self._data = value._data

    @property
    def output_nr(self):
        return self._out_idx

    @property
    def _base(self):
        """The tensor this one is a view of (the first non-view in a chain of views), else None."""
        return getattr(self, "_view_base", None)

    def _is_view(self):
        return getattr(self, "_view_base", None) is not None

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _engine.backward((self,), None if gradient is None else (gradient,), retain_graph,
                         create_graph, inputs=inputs)

    def retain_grad(self):
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True

        def keep(grad, t=self):
            g = grad.detach() if not _grad_state.enabled else grad
            t._grad = g if t._grad is None else t._grad + g
        keep._retains_grad = True  # runs after the tensor's hooks (engine._pre_hook_order)
        self._grad_fn._add_pre_hook(self._out_idx, keep)

    def register_hook(self, hook):
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_pre_hook(self._out_idx, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        from .autograd.function import _RemovableHandle
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after backward has added into this leaf's .grad (and never under
        autograd.grad); kept on the leaf's AccumulateGrad node."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from .autograd.function import _RemovableHandle, _leaf_node
        hooks = _leaf_node(self).__dict__.setdefault("post_accumulate_grad_hooks", [])
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def detach(self):
        t = _make(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        self._grad_fn = None
        self._requires_grad = False
        return self

    # -- conversion --------------------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item()

    def tolist(self):
        return _to_numpy(self._data).tolist()

    def numpy(self, force=False):
        if not _backend.is_cpu_array(self._data):
            raise _cuda_numpy_error(self)
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if not _backend.is_cpu_array(self._data):
            raise _cuda_numpy_error(self)
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        a = _to_numpy(self._data)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def _python_scalar(self):
        # float()/int()/complex() refuse with ValueError, where item() raises RuntimeError
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __float__(self):
        if self._requires_grad:
            warn_once(_SCALAR_OF_GRAD)
        return builtins.float(self._python_scalar())

    def __int__(self):
        return builtins.int(self._python_scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return builtins.int(self._data.item())

    def __bool__(self):
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self._data.item())

    def __complex__(self):
        if self._requires_grad:
            warn_once(_SCALAR_OF_GRAD)
        return complex(self._python_scalar())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_ops.unbind(self, 0))

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        return tensor_repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (_to_numpy(self._data), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        Tensor._init_from(new, self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def _init_from(self, data, requires_grad=False):
        self._data = data
        self._requires_grad = requires_grad
        self._grad = None
        self._grad_fn = None
        self._out_idx = 0
        self._vc = [0]
        self._hooks = None
        self._accum = None
        self._retains_grad = False

    # -- new tensors with this one's dtype and device ----------------------------------------------
    def new(self, *args, device=None):
        """The legacy constructor typed by this tensor: new(*sizes), new(data), new(other), on
        this tensor's device unless device is given."""
        return _creation.legacy_new(self.dtype, args, self.device if device is None else device)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.zeros(*size, **self._like(dtype, device, requires_grad))

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.ones(*size, **self._like(dtype, device, requires_grad))

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.empty(*size, **self._like(dtype, device, requires_grad))

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return _creation.full(size, fill_value, **self._like(dtype, device, requires_grad))

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        return _creation.tensor(data, **self._like(dtype, device, requires_grad))

    def _like(self, dtype, device, requires_grad):
        return {"dtype": dtype or self.dtype, "device": device or self.device,
                "requires_grad": requires_grad}

    # -- dtype and device --------------------------------------------------------------------------

    def type(self, dtype=None, non_blocking=False):
        if dtype is None:
            prefix = "torch." if self.is_cpu else "torch.cuda."
            return prefix + _dtype.LEGACY_NAMES[self.dtype]
        from ._creation import legacy_type
        dtype, device_type = legacy_type(dtype)
        if device_type is None or device_type == self.device.type:
            return _ops.to(self, dtype)
        return _ops.to(self, device_type, dtype, non_blocking=non_blocking)

    def type_as(self, other):
        return _ops.to(self, other.dtype)

    def float(self):
        return _ops.to(self, _dtype.float32)

    def double(self):
        return _ops.to(self, _dtype.float64)

    def half(self):
        return _ops.to(self, _dtype.float16)

    def bfloat16(self):
        """A bfloat16 copy: raises ember._bfloat16's TypeError while NumPy has no bfloat16."""
        from ._bfloat16 import bfloat16
        return _ops.to(self, bfloat16)

    def cfloat(self):
        return _ops.to(self, _dtype.complex64)

    def cdouble(self):
        return _ops.to(self, _dtype.complex128)

    def long(self):
        return _ops.to(self, _dtype.int64)

    def int(self):
        return _ops.to(self, _dtype.int32)

    def short(self):
        return _ops.to(self, _dtype.int16)

    def char(self):
        return _ops.to(self, _dtype.int8)

    def byte(self):
        return _ops.to(self, _dtype.uint8)

    def bool(self):
        return _ops.to(self, _dtype.bool)

    def cpu(self):
        return _ops.to(self, "cpu")

    def cuda(self, device=None, non_blocking=False):
        d = as_device("cuda" if device is None else device)
        return _ops.to(self, d)

    def pin_memory(self, device=None):
        """A copy in page-locked host memory, which copies to the GPU run asynchronously from."""
        _warn_pin_device("pin_memory", device)
        if not self.is_cpu:
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        if _backend.is_pinned(self._data):
            return self
        return _make(_backend.pin_memory(self._data), self._requires_grad)

    def is_pinned(self, device=None):
        _warn_pin_device("is_pinned", device)
        return _backend.is_pinned(self._data)

    def share_memory_(self):
        """Move this tensor's memory into shared memory (NOTE [ Shared storage ])."""
        from .multiprocessing._shared import share_memory_
        return share_memory_(self)

    def is_shared(self):
        from .multiprocessing._shared import is_shared
        return is_shared(self._data)

    # -- in place ----------------------------------------------------------------------------------
    def _inplace(self, fn, *args, **kwargs):
        """Compute fn(self, *args) and write the result into self's memory (see NOTE [ In place ])."""
        if type(self._data) is np.ndarray and not self._data.flags.writeable and self._data.size:
            _refuse_write(self._data)  # device arrays have no read-only views
        mark = getattr(self, "_no_grad_view", None) if _grad_state.enabled else None
        if mark is not None and (self._view_base._requires_grad or self._requires_grad or
                                 _any_requires_grad(args)):
            _refuse_no_grad_view(self, mark)
        if _grad_state.enabled and (self._requires_grad or _any_requires_grad(args)):
            if self._requires_grad and self._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            origin = None
            if _view_write.current_grad_fn(self) is not None:
                origin = _view_write.view_origin(self)
            # the old value is copied for an op whose backward reads its input; Relu's reads only
            # its output (a ResNet's ReLU(inplace=True): one pass over the activation less); a view
            # keeps it for write_through_view, so an op writing over its input writes the copy
            op = getattr(fn, "__self__", None)
            keep = getattr(op, "_backward_reads_input", True) or \
                origin is not None and getattr(op, "_result_over_input", False)
            old = _make(self._data.copy() if keep else self._data, self._requires_grad,
                        self._grad_fn, self._out_idx)
            try:
                result = fn(old, *args, **kwargs)
            except Exception as exc:
                return self._inplace_failed(fn, args, kwargs, exc)
            if origin is not None:
                base, chain = origin
                old_base = base._data.copy()
                self._write(result._data)
                _view_write.write_through_view(self, result, base, chain, old_base)
                return self
            self._write(result._data)
            if result._data is self._data:  # NOTE [ Results over the input ] (activation.py)
                _function.adopt_saved_output(result._grad_fn, self)
            self._grad_fn, self._out_idx = result._grad_fn, result._out_idx
            self._requires_grad = result._requires_grad
            return self
        ufunc = _UFUNC_OF.get(fn)  # NOTE [ Arithmetic in place ] (ops/arithmetic.py)
        if ufunc is not None and _arithmetic.write_in_place(self, ufunc, args, kwargs):
            self._vc[0] += 1
            return self
        _grad_state.enabled, prev = False, _grad_state.enabled
        try:
            result = fn(self, *args, **kwargs)
        except Exception as exc:
            return self._inplace_failed(fn, args, kwargs, exc)
        finally:
            _grad_state.enabled = prev
        self._write(result._data)
        return self

    def _inplace_failed(self, fn, args, kwargs, exc):
        """After fn(self, *args) failed: a tensor-like operand that is no Tensor (a sparse
        gradient in p.add_(grad)) answers the method through its __torch_function__, with the
        Tensor method as func, as torch dispatches methods (NOTE [ Dispatch on failure ] in
        _foreign.py); else torch's shape error, or exc itself."""
        method = getattr(Tensor, fn.__name__ + "_", None)
        overriding = _foreign._overriding_types(args, kwargs)
        for kind in overriding:
            result = kind.__torch_function__(method, overriding, (self,) + args, kwargs)
            if result is not NotImplemented:
                return result
        if isinstance(exc, (RuntimeError, NotImplementedError)):
            self._check_operand_shapes(args)
        raise exc

    def _check_operand_shapes(self, args):
        """After an in-place op failed: torch's error for a tensor operand that broadcasts self to
        a larger shape, which torch reports before its kernel refuses a dtype."""
        mine = self._data.shape
        for a in args:
            if isinstance(a, Tensor) and a._data.shape != mine:
                try:
                    wanted = np.broadcast_shapes(a._data.shape, mine)
                except ValueError:
                    continue
                if wanted != mine:
                    raise RuntimeError(f"output with shape {list(mine)} doesn't match the "
                                       f"broadcast shape {list(wanted)}")

    def _write(self, array):
        """Store array into self's memory with PyTorch's casting and shape rules; bump the version.
        An op that wrote its result over self (NOTE [ Results over the input ]) only bumps it."""
        mine = self._data
        if array is mine:
            self._vc[0] += 1
            return
        if array.dtype != mine.dtype and not _dtype.castable(array.dtype, mine.dtype):
            raise _dtype.cast_error(array, mine)
        if array.shape != mine.shape:
            try:
                wanted = np.broadcast_shapes(array.shape, mine.shape)
            except ValueError:
                wanted = array.shape
            if wanted != mine.shape:
                raise RuntimeError(f"output with shape {list(mine.shape)} doesn't match the "
                                   f"broadcast shape {list(wanted)}")
        if mine.size:  # an empty expanded tensor is read-only but has nothing to write
            mine[...] = array
        self._vc[0] += 1

    def _check_inplace_leaf(self):
        if _grad_state.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")

    def zero_(self):
        if _grad_state.enabled and self._requires_grad:  # its old values stop mattering
            return self._inplace(_convert.zeroed)
        self._check_inplace_leaf()
        writable_alias(self._data).fill(0)
        self._vc[0] += 1
        return self

    def masked_fill_(self, mask, value):
        """masked_fill in place. Into an expanded tensor (elements sharing memory) torch writes
        the shared memory, with its deprecation warning: every masked element's location takes
        the value."""
        data = self._data
        if type(data) is np.ndarray and not data.flags.writeable and data.size and not (
                _grad_state.enabled and (self._requires_grad or
                                         getattr(value, "_requires_grad", False))):
            alias = writable_alias(data)  # refuses read-only memory that is not shared
            warnings.warn("Use of masked_fill_ on expanded tensors is deprecated. Please clone() "
                          "the tensor before performing this operation. This also applies to "
                          "advanced indexing e.g. tensor[mask] = scalar", UserWarning,
                          stacklevel=user_stacklevel())
            filled = _ops.masked_fill(self.detach(), mask, value)._data
            if filled.shape != data.shape:
                raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the "
                                   f"broadcast shape {list(filled.shape)}")
            where = np.broadcast_to(mask._data, data.shape)
            alias[where] = filled[where]
            self._vc[0] += 1
            return self
        return self._inplace(_ops.masked_fill, mask, value)

    def fill_(self, value):
        if isinstance(value, Tensor):
            _convert.check_fill_value(value)
            if value._requires_grad or _grad_state.enabled and self._requires_grad:
                return self._inplace(_ops.fill_like, value)
        self._check_inplace_leaf()
        if isinstance(value, Tensor):  # torch fills shared memory from a number, not a tensor
            if type(self._data) is np.ndarray and not self._data.flags.writeable:
                _refuse_write(self._data)
            value = _dtype.tensor_fill_value(value, self.dtype)
        else:
            value = _dtype.checked_fill(value, self.dtype)
        if _grad_state.enabled and self._requires_grad:  # its old values stop mattering
            return self._inplace(_convert.filled, value)
        writable_alias(self._data).fill(value)
        self._vc[0] += 1
        return self

    def fill_diagonal_(self, fill_value, wrap=False):
        """Fills the main diagonal (all dims equal beyond 2-D) through fill_ on diagonal views;
        with wrap, a tall matrix's diagonal restarts every ncols + 1 rows, as torch's."""
        shape = self._data.shape
        if len(shape) < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(shape) > 2 and len(set(shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        step = shape[1] + 1 if wrap and len(shape) == 2 else shape[0]
        for start in range(0, shape[0], max(step, 1)):
            diagonal = self[start:] if start else self
            while diagonal.dim() > 1:
                diagonal = diagonal.diagonal(0, 0, 1)
            diagonal.fill_(fill_value)
        return self

    def copy_(self, src, non_blocking=False):
        return self._inplace(_ops.copy_into, src)

    def __setitem__(self, key, value):
        _ops.setitem(self, key, value)

    # -- sampling in place (values only; no autograd) ----------------------------------------------
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return _random_fill(self, "uniform", generator, a, b)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return _random_fill(self, "normal", generator, mean, std)

    def bernoulli_(self, p=0.5, *, generator=None):
        return _random_fill(self, "bernoulli", generator, p)

    def random_(self, low=0, high=None, *, generator=None):
        return _random_fill(self, "random", generator, low, high)

    def exponential_(self, lambd=1.0, *, generator=None):
        return _random_fill(self, "exponential", generator, lambd)

    def geometric_(self, p, *, generator=None):
        return _random_fill(self, "geometric", generator, p)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return _random_fill(self, "log_normal", generator, mean, std)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return _random_fill(self, "cauchy", generator, median, sigma)

    # -- ops with an argument order of their own (the others: ops/_methods.py) --------------------
    def where(self, condition, other):
        return _ops.where(condition, self, other)

    def polygamma(self, n):
        return _ops.polygamma(n, self)

    def bernoulli(self, *args, **kwargs):
        from ._random import bernoulli
        return bernoulli(self, *args, **kwargs)

    def multinomial(self, *args, **kwargs):
        from ._random import multinomial
        return multinomial(self, *args, **kwargs)

    def polygamma_(self, n):
        return self._inplace(lambda t: _ops.polygamma(n, t))

    def relu(self):
        return _Relu.apply(self)

    def relu_(self):
        return self._inplace(_ReluInplace.apply)

    # operators
    # The hottest operators apply their Op directly (what ember.add ... do without options); a
    # NumPy scalar operand acts as the Python number it holds, as ops._op.scalar makes it. An
    # operand that is no tensor, number or NumPy-style array (a list, a str) gets NotImplemented,
    # as torch's operators answer (_operator), so Python decides: x == "a" is False, x + "a" its
    # TypeError; the hottest operators (_number_operator) check that only once the op has failed,
    # lists first.
    # __add__, __radd__, __sub__, __mul__, __rmul__, __truediv__: _number_operator, bound below
    @_operator
    def __rsub__(self, other):
        return _ops.rsub(self, other)

    @_operator
    def __rtruediv__(self, other):
        return _ops.mul(_ops.reciprocal(self), other)

    @_operator
    def __floordiv__(self, other):
        return _ops.floor_divide(self, other)

    @_operator
    def __rfloordiv__(self, other):
        return _ops.floor_divide(other, self)

    @_operator
    def __mod__(self, other):
        return _ops.remainder(self, other)

    @_operator
    def __rmod__(self, other):
        return _ops.remainder(other, self)

    @_operator
    def __pow__(self, other):
        return _ops.pow(self, other)

    @_operator
    def __rpow__(self, other):
        return _ops.pow(other, self)

    @_operator
    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        if not isinstance(other, Tensor):
            return NotImplemented
        return _ops.matmul(other, self)

    @_operator
    def __lshift__(self, other):
        return _ops.bitwise_left_shift(self, other)

    @_operator
    def __rlshift__(self, other):
        return _ops.bitwise_left_shift(other, self)

    @_operator
    def __rshift__(self, other):
        return _ops.bitwise_right_shift(self, other)

    @_operator
    def __rrshift__(self, other):
        return _ops.bitwise_right_shift(other, self)

    @_operator
    def __and__(self, other):
        return _ops.bitwise_and(self, other)

    @_operator
    def __rand__(self, other):
        return _ops.bitwise_and(self, other)

    @_operator
    def __or__(self, other):
        return _ops.bitwise_or(self, other)

    @_operator
    def __ror__(self, other):
        return _ops.bitwise_or(self, other)

    @_operator
    def __xor__(self, other):
        return _ops.bitwise_xor(self, other)

    @_operator
    def __rxor__(self, other):
        return _ops.bitwise_xor(self, other)

    @_operator
    def __eq__(self, other):
        return _ops.eq(self, other)

    @_operator
    def __ne__(self, other):
        return _ops.ne(self, other)

    @_operator
    def __lt__(self, other):
        return _ops.lt(self, other)

    @_operator
    def __le__(self, other):
        return _ops.le(self, other)

    @_operator
    def __gt__(self, other):
        return _ops.gt(self, other)

    @_operator
    def __ge__(self, other):
        return _ops.ge(self, other)

    def __contains__(self, element):
        if not isinstance(element, (Tensor, numbers.Number)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed "
                               f"in a {type(element)}.")
        return bool(_ops.eq(self, element).any())

    def __getitem__(self, other):
        return _ops.getitem(self, other)

    def __neg__(self):
        return _Neg.apply(self)

    def __pos__(self):
        return _ops.positive(self)

    def __abs__(self):
        return _ops.abs(self)

    def __invert__(self):
        if self._data.dtype.kind == "f":  # the operator's error is a TypeError, the function's not
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return _ops.bitwise_not(self)

    @property
    def T(self):
        nd = self._data.ndim
        if nd == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.")
        elif nd != 2:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                          "shape is deprecated and it will throw an error in a future release. "
                          "Consider `x.mT` to transpose batches of matrices or "
                          "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                          "dimensions of a tensor.")
        return _ops.permute(self, tuple(range(nd - 1, -1, -1)))

    @property
    def mT(self):
        nd = self._data.ndim
        if nd == 0:
            warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.")
            return _ops.permute(self, ())
        if nd < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {nd}-D tensor.")
        return _ops.transpose(self, -2, -1)

    @property
    def H(self):
        nd = self._data.ndim
        if nd not in (0, 2):
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{nd}-D tensor." + (" For batches of matrices, consider using "
                                                    "tensor.mH" if nd > 2 else ""))
        return _conj_transpose(self, "tensor.H", "Tensor.H")

    @property
    def mH(self):
        return _conj_transpose(self, "tensor.mH", "Tensor.mH")

    @property
    def real(self):
        return _ops.real(self)

    @real.setter
    def real(self, value):
        _ops.real(self).copy_(value)

    @property
    def imag(self):
        return _ops.imag(self)

    @imag.setter
    def imag(self, value):
        _ops.imag(self).copy_(value)

    def unfold(self, dimension, size, step):
        return _unfold_windows(self, dimension, size, step)

    # in place: the out-of-place op, written back into self by _inplace

    @_in_place_operator
    def __iadd__(self, other):
        return self.add_(other)

    @_in_place_operator
    def __isub__(self, other):
        return self.sub_(other)

    @_in_place_operator
    def __imul__(self, other):
        return self.mul_(other)

    @_in_place_operator
    def __itruediv__(self, other):
        return self.div_(other)

    @_in_place_operator
    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    @_in_place_operator
    def __imod__(self, other):
        return self.remainder_(other)

    @_in_place_operator
    def __ipow__(self, other):
        return self.pow_(other)

    @_in_place_operator
    def __iand__(self, other):
        return self.bitwise_and_(other)

    @_in_place_operator
    def __ior__(self, other):
        return self.bitwise_or_(other)

    @_in_place_operator
    def __ixor__(self, other):
        return self.bitwise_xor_(other)

    @_in_place_operator
    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    @_in_place_operator
    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)

    def swapaxes_(self, dim0, dim1):
        return self.transpose_(dim0, dim1)

    def swapdims_(self, dim0, dim1):
        return self.transpose_(dim0, dim1)

    def squeeze_(self, *dims, dim=None, axis=None):
        """All size-1 dims, or the dims given: one, a tuple, several positionally, or as dim=
        (or NumPy's axis=, which torch's parser takes too)."""
        named = dim if axis is None else axis
        if named is None and dims:
            named = dims[0] if len(dims) == 1 else dims
        return self._view_in_place(_shape._squeeze_in_place, named)

    def unsqueeze_(self, dim=None, *, axis=None):
        dim = dim if axis is None else axis
        if dim is None:
            raise TypeError('unsqueeze_() missing 1 required positional arguments: "dim"')
        return self._view_in_place(_shape._unsqueeze_in_place, dim)

    def t_(self):
        return self._view_in_place(_shape._t_in_place)

    def transpose_(self, dim0, dim1):
        return self._view_in_place(_shape._transpose_in_place, dim0, dim1)

    def as_strided_(self, size, stride, storage_offset=None):
        return self._view_in_place(_strided._as_strided_in_place, size, stride, storage_offset)

    def _view_in_place(self, fn, *args):
        """x.squeeze_() and the like: x becomes fn's view of its own memory; under autograd its
        node becomes the view's (torch's SqueezeBackward3 ...), fed by the node it had."""
        if _grad_state.enabled and self._requires_grad:
            if self._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            view = fn(_make(self._data, True, self._grad_fn, self._out_idx), *args)
            self._grad_fn, self._out_idx = view._grad_fn, view._out_idx
        else:
            view = fn(self.detach(), *args)
        self._data = view._data
        return self

    # ember's tensors are dense, on the CPU or a CUDA device: torch's other devices, layouts and
    # nested (jagged) tensors are always False here.
    is_xpu = is_mps = is_meta = is_nested = is_sparse = is_sparse_csr = is_quantized = \
        is_mkldnn = is_ipu = is_maia = is_mtia = is_vulkan = is_xla = property(lambda self: False)

    def is_inference(self):
        """Whether this tensor was made under inference_mode (NOTE [ Inference tensors ])."""
        return getattr(self, "_inference", False)

    def xpu(self, device=None, non_blocking=False, memory_format=None):
        raise AssertionError("Torch not compiled with XPU enabled")
    name = property(lambda self: None)  # torch's named-tensor dimension name; ember has none

    def __dlpack__(self, stream=None, **kwargs):
        from ._external_memory import tensor_dlpack
        return tensor_dlpack(self, stream, **kwargs)

    def __dlpack_device__(self):
        from ._external_memory import tensor_dlpack_device
        return tensor_dlpack_device(self)


def _random_fill(t, kind, generator, *params):
    from ._random import fill_
    t._check_inplace_leaf()
    fill_(t._data, kind, generator, *params)
    t._vc[0] += 1
    return t


def is_sparse_tensor(x):
    """Whether x is a sparse COO tensor (ember.sparse.SparseCooTensor: no Tensor, and above this
    layer, so known by its class's is_sparse flag, which a Tensor's is False). The array and None
    tests first: the engine asks this of every leaf's gradient (NOTE [ Sparse gradients ])."""
    kind = type(x)
    return kind is not np.ndarray and x is not None and getattr(kind, "is_sparse", False) is True


def _any_requires_grad(args):
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def _wrap_dim(dim, ndim):
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


_to_numpy = _backend.to_numpy
_np_generic = np.generic


def _data_ptr(array):
    if _backend.is_cpu_array(array):
        return array.__array_interface__["data"][0]
    return array.data.ptr


def _cuda_numpy_error(t):
    return TypeError(f"can't convert {t.device} device type tensor to numpy. Use Tensor.cpu() to "
                     "copy the tensor to host memory first.")


def _rebuild(array, requires_grad):
    t = _make(array)
    t._requires_grad = requires_grad
    return t


# autograd and the ops import Tensor, so they come after the class.
def writable_alias(array):
    """Where a fill or an indexed write goes: the array itself, or, for an expanded tensor
    (read-only because its elements share memory), a writable alias of the same memory: filling
    writes one value to every shared location, which torch allows."""
    if type(array) is not np.ndarray or array.flags.writeable:
        return array
    if array.size == 0:  # nothing is written, as in torch: any array of its shape takes it
        return np.empty(array.shape, array.dtype)
    root = array
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root.flags.writeable and root.flags.c_contiguous:
        offset = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return np.ndarray(array.shape, array.dtype, buffer=root, offset=offset,
                          strides=array.strides)
    _refuse_write(array)


def _refuse_write(array):
    """torch's error for writing into memory that several elements share (an expanded tensor);
    other read-only memory (a NumPy array marked so) is named as such."""
    if any(st == 0 and n > 1 for st, n in zip(array.strides, array.shape)):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    raise RuntimeError("the tensor's memory is read-only (it wraps a NumPy array whose writeable "
                       "flag is False); clone() it before writing in place")


from . import _creation  # noqa: E402
from . import _resize  # noqa: E402
from .autograd import engine as _engine  # noqa: E402
from .autograd import function as _function  # noqa: E402
from .autograd.grad_mode import state as _grad_state  # noqa: E402
from . import ops as _ops  # noqa: E402
from .ops._methods import declare_methods as _declare_methods  # noqa: E402
from .ops.activation import Relu as _Relu, ReluInplace as _ReluInplace  # noqa: E402
from .ops.arithmetic import Add as _Add, Div as _Div, Mul as _Mul  # noqa: E402
from .ops.arithmetic import Neg as _Neg, Sub as _Sub  # noqa: E402


def _number_operator(op, name):
    """One of the hottest operators: op applied directly, a NumPy scalar operand as the Python
    number it holds (as ops._op.scalar makes it), NotImplemented for a list, a tuple or anything
    that is no operand (_refused, once the op has failed)."""
    apply = op.apply

    def operator(self, other):
        kind = type(other)
        if kind is not Tensor and kind is not float and kind is not int:  # the common operands
            if isinstance(other, _SEQUENCES):
                return NotImplemented
            if isinstance(other, _np_generic):
                other = other.item()
        try:
            return apply(self, other)
        except _OPERAND_ERRORS:
            return _refused(other)
        except RuntimeError:  # a sparse tensor operand: Python asks its reflected operator
            if _foreign._overriding_types((other,), {}):
                return NotImplemented
            raise
    operator.__name__, operator.__qualname__ = name, "Tensor." + name
    return operator


Tensor.__add__ = _number_operator(_Add, "__add__")
Tensor.__radd__ = _number_operator(_Add, "__radd__")
Tensor.__sub__ = _number_operator(_Sub, "__sub__")
Tensor.__mul__ = _number_operator(_Mul, "__mul__")
Tensor.__rmul__ = _number_operator(_Mul, "__rmul__")
Tensor.__truediv__ = _number_operator(_Div, "__truediv__")
from .ops import arithmetic as _arithmetic  # noqa: E402
from .ops import view_write as _view_write  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops import strided as _strided  # noqa: E402
from .ops import convert as _convert  # noqa: E402
from .ops._common import is_operand as _is_operand  # noqa: E402
from .ops.complex import conj_transpose as _conj_transpose  # noqa: E402
from .ops.shape import unfold as _unfold_windows  # noqa: E402
from . import _foreign  # noqa: E402

_declare_methods(Tensor, _ops)  # NOTE [ Declared methods ] (ops/_methods.py)
_UFUNC_OF = {getattr(_ops, name): ufunc for name, ufunc in _arithmetic.IN_PLACE_UFUNCS.items()}
