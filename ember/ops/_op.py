"""Op: the base of ember's built-in differentiable primitives, and the argument helpers ops share.

An Op's forward runs on backend arrays (ctx.xp is their array module) and returns arrays; its
backward runs on Tensors with ember ops, so higher-order gradients need no second code path. An
Op whose backward keeps to operators and Ops sets `_array_backward` and then also runs it on
arrays when no graph is needed (NOTE [ Backward on arrays ] in autograd/engine.py): applied to
arrays alone inside such a backward, an Op returns arrays.
`Op.apply` does all bookkeeping once: skip the graph when grad mode is off or nothing requires
grad, check devices, wrap outputs, record edges and saved tensors (autograd/function.py).
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _as_view_of, _make
from ..autograd.function import _MIXED, Function, _attach, _inputs, _next_seq, _pack
from ..autograd.grad_mode import state as _grad_state
from . import _errors

_ndarray = np.ndarray
_generic = np.generic
_asarray = np.asarray
_hook = None  # set while autocast or a profiler is active (NOTE [ Op hooks ] in ops/_hooks.py)


class Op(Function):
    """A built-in op: grad_fn is named <ClassName>Backward0 unless the class passes grad_fn=."""
    _backward_suffix = "Backward0"
    _is_view = False  # outputs share the first input's memory and version counter
    _strict_grad_count = False  # trailing options (dim, alpha ...) need no None in backward
    _narrows_needs = True  # backward asked only for the gradients a capture needs (engine.py)

    @classmethod
    def apply(cls, *args):
        if _grad_state.arrays:
            return _apply_on_arrays(cls, args)
        if _hook is not None:
            return _hook(cls, args)
        node_cls = cls._node_cls
        node = node_cls.__new__(node_cls)
        arrays, edges, array_type = _inputs(args, cls._n_operands, _grad_state.enabled)
        if array_type is not _ndarray and array_type is not None:
            if array_type is _MIXED:
                array_type = _join_devices(args, arrays)
            node.xp = _xp_of_type(array_type)
        if edges is not None:
            node.recording = True
            node._edges = edges  # forward may ask ctx.needs_input_grad
        try:
            raw = cls.forward(node, *arrays)
        except Exception as exc:  # NOTE [ Errors at the op boundary ] (ops/_errors.py)
            torch_exc = _errors.translate(cls, exc, arrays)
            if torch_exc is None:
                raise
            raise torch_exc from exc
        out = raw
        if type(out) is not _ndarray:
            if type(out) is tuple or not isinstance(out, _generic):
                return _finish(cls, node, args, edges, out)
            out = _asarray(out)  # NumPy returns scalars from 0-d computations
        t = _make(out)
        if cls._is_view:
            _as_view_of(t, args[0], cls)
            if edges is not None:  # NOTE [ In place on a view ] (ops/view_write.py)
                node._view_src = args[0]
                node._view_args = args[1:]
                node._view_version = t._vc[0]
        if edges is not None:
            if node._non_diff:
                _attach(node, args, edges, (t,), raw=(raw,))
                return t
            node._edges = edges
            node._seq = _next_seq()
            node._out_meta = ((out.shape, out.dtype),)
            if out.dtype.kind == "f" or out.dtype.kind == "c":
                t._grad_fn = node
                t._requires_grad = True
            saved = node._saved
            if saved:
                node._packed = _pack(saved, args, (t,), False, (raw,))
                node._saved = None
        return t


def _finish(cls, node, args, edges, out):
    """Op.apply for the rarer results: several outputs, a device array."""
    if cls._is_view and edges is not None:
        node._view_src = args[0]
        node._view_args = args[1:]
        node._view_version = args[0]._vc[0]
    if type(out) is tuple:
        outs = tuple(_wrap(o, node.xp) for o in out)
        if cls._is_view:
            for o in outs:
                _as_view_of(o, args[0], cls)
        if edges is not None:
            _attach(node, args, edges, outs, raw=out)
        return outs
    t = _make(_as_array(out, node.xp))
    if cls._is_view:
        _as_view_of(t, args[0], cls)
    if edges is not None:
        _attach(node, args, edges, (t,), raw=(out,))
    return t


def _apply_on_arrays(cls, args):
    """Op.apply inside a backward formula that runs on arrays (NOTE [ Backward on arrays ] in
    autograd/engine.py): forward's result on the arrays, as arrays, with no graph. A Tensor among
    the arguments takes the Tensor path instead."""
    node_cls = cls._node_cls
    node = node_cls.__new__(node_cls)
    for a in args:
        if type(a) is _ndarray or type(a) in _PLAIN:
            continue
        if isinstance(a, Tensor):
            _grad_state.arrays = False
            try:
                return cls.apply(*args)
            finally:
                _grad_state.arrays = True
        if node.xp is np and hasattr(a, "__cuda_array_interface__"):
            node.xp = _xp_of_type(type(a))
    out = cls.forward(node, *args)
    if type(out) is _ndarray:
        return out
    if type(out) is tuple:
        return tuple(None if o is None else _as_array(o, node.xp) for o in out)
    return _as_array(out, node.xp)


_PLAIN = frozenset((int, float, bool, tuple, str, type(None)))


def _wrap(o, xp):
    if o is None or isinstance(o, Tensor):
        return o
    if type(o) is not _ndarray:
        o = _as_array(o, xp)
    return _make(o)


def _as_array(o, xp):
    """NumPy returns scalars from 0-d computations; Tensors always hold arrays."""
    if isinstance(o, np.generic):
        return np.asarray(o)
    if isinstance(o, np.ndarray) or hasattr(o, "__cuda_array_interface__"):
        return o  # an ndarray subclass, or a device array (ToCopy's output, for one)
    return xp.asarray(o)


def _xp_of_type(array_type):
    from .._backend import cupy
    return cupy()


def _join_devices(args, arrays):
    """Tensors on different devices: as in PyTorch, a 0-d CPU tensor joins a CUDA op as a scalar
    (moved to the device in `arrays`); any other mix raises. Returns the common array type."""
    from .._backend import is_cpu_array, to_device
    cuda = {a.device for a in args if isinstance(a, Tensor) and not is_cpu_array(a._data)}
    if len(cuda) != 1 or any(isinstance(a, Tensor) and is_cpu_array(a._data) and a._data.ndim
                             for a in args):
        _raise_device_mismatch(args)
    (dev,) = cuda
    array_type = None
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            if is_cpu_array(a._data):
                arrays[i] = to_device(arrays[i], "cuda", dev.index)
            array_type = type(arrays[i])
    return array_type


def _raise_device_mismatch(args):
    devs = []
    for a in args:
        if isinstance(a, Tensor) and str(a.device) not in devs:
            devs.append(str(a.device))
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                       f"devices, {devs[-1]} and {devs[0]}!")


# -- argument helpers shared by the op families -------------------------------------------------

def save_factors(ctx, a, b, first=0):
    """Save each factor of a product only for the other's gradient, as torch does: a factor
    changed in place after the forward is no error when the other needs no gradient (y * 3,
    y @ constant). `first` is a's position among forward's arguments."""
    if ctx.recording:
        edges = ctx._edges
        ctx.save_for_backward(a if edges[first + 1] else None, b if edges[first] else None)


def scalar(x):
    """A NumPy scalar or 0-d array passed as an operand behaves as the Python number it holds."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def promote(a, b):
    """Cast two operands (arrays or Python scalars) to PyTorch's result dtype.

    NumPy 2 already treats Python scalars as weak, so only mixed array dtypes and integer arrays
    meeting a Python float need a cast.
    """
    a_arr = hasattr(a, "dtype")
    b_arr = hasattr(b, "dtype")
    if a_arr and b_arr:
        if a.dtype == b.dtype:
            return a, b
        rt = _dtype.result_type(a, b)
        return (a if a.dtype == rt else a.astype(rt)), (b if b.dtype == rt else b.astype(rt))
    if a_arr:
        if a.dtype.kind != "f" and _needs_cast(a.dtype, b):
            a = a.astype(_dtype.result_type(a, b))
        return a, b
    if b_arr:
        if b.dtype.kind != "f" and _needs_cast(b.dtype, a):
            b = b.astype(_dtype.result_type(a, b))
        return a, b
    return a, b


def _needs_cast(array_dtype, s):
    if isinstance(s, float) or type(s) is complex:
        return True
    return array_dtype.kind == "b" and isinstance(s, int) and not isinstance(s, bool)


def wrap_dim(dim, ndim):
    """Normalise a possibly negative dim, raising PyTorch's IndexError when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def wrap_dims(dims, ndim):
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, int):
        return (wrap_dim(dims, ndim),)
    return tuple(wrap_dim(d, ndim) for d in dims)


def size_args(args):
    """Accept f(2, 3), f((2, 3)) and f(torch.Size([2, 3])) alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(int(s) for s in args[0])
    return tuple(int(s) for s in args)


def shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_error(a_shape, b_shape):
    """PyTorch's message for two shapes that do not broadcast."""
    nd = max(len(a_shape), len(b_shape))
    pa = (1,) * (nd - len(a_shape)) + tuple(a_shape)
    pb = (1,) * (nd - len(b_shape)) + tuple(b_shape)
    for i in range(nd - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b "
                                f"({pb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(a_shape)} and {list(b_shape)} cannot be broadcast")
