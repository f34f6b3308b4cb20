"""Graph nodes (what `grad_fn` is), AccumulateGrad, and Function with its ctx and `apply`.

NOTE [ Node is ctx ]
As in PyTorch, the object passed to forward/backward as `ctx` *is* the graph node that `grad_fn`
returns: one object per op application. Each Function subclass gets its own node class, named
`<Name>Backward` for user Functions and `<Name>Backward0` (or the `grad_fn=` class keyword) for
ember's built-in ops, so `grad_fn` prints PyTorch's names.

NOTE [ Saved tensors ]
Forward saves inputs and outputs only. After forward, `apply` maps each saved array back to the
input Tensor it came from (so double backward flows through it) or to an output of this node
(rebuilt on unpack with grad_fn set to this node), and records the version counter of each, so a
tensor modified in place before backward raises instead of giving a wrong gradient.
"""
import warnings
from itertools import count

import numpy as np

from .. import _tensor
from .._warnings import user_stacklevel
from . import anomaly_mode as _anomaly
from .grad_mode import state as _grad_state

__all__ = ["Function", "NestedIOFunction", "once_differentiable"]

_Tensor = _tensor.Tensor
_make = _tensor._make

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through "
    "the graph a second time or if you need to access saved tensors after calling backward.")


_CPP_NODE_NAMES = frozenset(("AccumulateGrad", "CopySlices"))


class Node:
    """A node of the backward graph: what `Tensor.grad_fn` returns."""
    __slots__ = ("_edges", "_out_meta", "_seq", "__dict__", "__weakref__")
    # Rarely changed state lives in class defaults, so creating a node sets nothing (hot path).
    xp = np
    _saved = None   # what forward passed to save_for_backward
    _packed = None  # the same, resolved by apply into inputs/outputs/constants (NOTE above)
    _pre_hooks = None
    _hooks = None
    _freed = False
    _non_diff = ()
    materialize_grads = True
    _needs = None
    recording = False  # set by apply before forward when this node will enter the graph
    _view_version = None  # a view op's node: the version its view's history was made at

    @property
    def needs_input_grad(self):
        """Which forward arguments need a gradient; built ops derive it from their edges on first
        use (most backward formulas never ask), user Functions get it before forward runs."""
        needs = self._needs
        if needs is None:
            needs = self._needs = tuple(map(bool, self._edges))
        return needs
    _n_operands = 0  # leading arguments that are operands: a Python number there shows as (None, 0)
    _listed_inputs = None  # its Function's (next_functions)

    def name(self):
        """The node's class name; torch's nodes written in C++ (AccumulateGrad, CopySlices) give
        theirs with the namespace, and so do ember's."""
        n = type(self).__name__
        return "torch::autograd::" + n if n in _CPP_NODE_NAMES else n

    @property
    def next_functions(self):
        """One (node, output index) per input edge; an op that names its `_listed_inputs` shows
        those argument positions only, an absent tensor among them as (None, 0), as torch lists
        an op's differentiable inputs (not a loss's target, an embedding's indices or batch
        norm's running statistics, but a missing weight)."""
        edges = self._edges
        listed = self._listed_inputs
        if listed is not None:
            edges = [(edges[i] or None) if i < len(edges) else None for i in listed]
        return tuple((e[0], e[1]) if e else (None, 0) for e in edges if e is not False)

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    @property
    def metadata(self):
        """A dict kept with the node (torch's Node.metadata); anomaly mode stores the forward
        traceback there under "traceback_"."""
        meta = self.__dict__.get("_metadata")
        if meta is None:
            meta = self.__dict__["_metadata"] = {}
        return meta

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward and may replace them."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, out_idx, fn):
        if self._pre_hooks is None:
            self._pre_hooks = []
        entry = (out_idx, fn)
        self._pre_hooks.append(entry)
        return _RemovableHandle(self._pre_hooks, entry)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- ctx API ---------------------------------------------------------------------------------
    def save_for_backward(self, *items):
        self._saved = items

    @property
    def saved_tensors(self):
        """What forward saved: Tensors, or backend arrays while the engine runs a backward
        formula on arrays (NOTE [ Backward on arrays ] in autograd/engine.py)."""
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        packed = self._packed
        arrays = _grad_state.arrays
        if packed is None:  # no graph was recorded: what forward saved
            return _plain_saved(self._saved, arrays)
        out = []
        for s in packed:
            if s is None:
                out.append(None)
                continue
            kind = s[0]
            if kind == _INPUT:
                t = s[1]
                if t._vc[0] != s[2]:
                    _raise_modified(t, s[2], self)
                out.append(t._data if arrays else t)
            elif kind == _OUTPUT:
                box = s[3]
                if box[0] != s[4]:
                    _raise_modified(_make(s[1], True, self, s[2]), s[4], self, box[0])
                if arrays:
                    out.append(s[1])
                else:
                    t = _make(s[1], True, self, s[2])
                    t._vc = box
                    out.append(t)
            elif kind == _HOOKED:
                out.append(_graph().unpack_saved(self, s, arrays))
            elif kind == _ARRAY and not arrays:
                out.append(_make(s[1]))
            else:
                out.append(s[1])
        return tuple(out)

    def mark_non_differentiable(self, *outputs):
        self._non_diff = outputs

    def mark_dirty(self, *tensors):
        self.__dict__["_dirty"] = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


def _plain_saved(saved, arrays):
    """Saved values when no graph was recorded (forward under no_grad): arrays as Tensors."""
    if saved is None:
        return ()
    if arrays:
        return tuple(saved)
    return tuple(_make(s) if isinstance(s, np.ndarray) or hasattr(s, "__cuda_array_interface__")
                 else s for s in saved)


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        if self._item in self._list:
            self._list.remove(self._item)


# NOTE [ Saved tensors ]: what `apply` packs for each saved value, a tuple led by its kind:
_INPUT = 0     # (_INPUT, tensor, version): an input (or an output outside the graph)
_OUTPUT = 1    # (_OUTPUT, array, output index, version counter, version): an output of the node
_ARRAY = 2     # (_ARRAY, array): an array forward computed, a Tensor when unpacked as one
_CONSTANT = 3  # (_CONSTANT, value): anything else, unpacked as it is
_HOOKED = 4    # (_HOOKED, packed, unpack_hook, output index or None): NOTE [ Saved tensor hooks ]

# The active saved_tensors_hooks, innermost last (NOTE [ Saved tensor hooks ] in graph.py).
saved_hooks = []


def _graph():
    from . import graph
    return graph


def _view_write():
    from ..ops import view_write
    return view_write


def _raise_modified(t, expected, node, now=None):
    now = t._vc[0] if now is None else now
    shape = ", ".join(str(s) for s in t.shape)
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{_legacy_name(t)} [{shape}]], which is output 0 of "
        f"{_short_name(t.grad_fn)}, is at version {now}; expected version {expected} instead. "
        + (_HINT_ANOMALY if _anomaly.state.enabled else _HINT))


_HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its "
         "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
_HINT_ANOMALY = ("Hint: the backtrace further above shows the operation that failed to compute "
                 "its gradient. The variable in question was changed in there or anywhere later. "
                 "Good luck!")


def _short_name(grad_fn):
    """The node as torch's message names it: without "Backward" and a 0 after it (MulBackward0
    is "Mul", LeakyReluBackward1 "LeakyRelu1")."""
    if grad_fn is None:
        return "AccumulateGrad"
    name = type(grad_fn).__name__
    at = name.rfind("Backward")
    if at < 0:
        return name
    rest = name[at + len("Backward"):]
    return name[:at] + (rest[1:] if rest.startswith("0") else rest)


def _legacy_name(t):
    from .._dtype import LEGACY_NAMES
    return LEGACY_NAMES[t.dtype]


# NOTE [ Execution order ]
# A node takes its `_seq` when it enters the graph, after the nodes its edges point to, so running
# nodes by ascending `_seq` (the engine's heap) is a reverse topological order: a node runs only
# after every node that feeds it a gradient. Graph nodes count down from -1; the AccumulateGrad
# of leaves, sinks of the graph that may be created after the node using them, count up from 1
# and so run last.
_next_seq = count(-1, -1).__next__
_next_leaf_seq = count(1).__next__


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the incoming gradient into `variable.grad`."""
    __slots__ = ("variable",)
    _out_meta = (None,)  # one output (the gradient of `variable`)

    def __init__(self, variable):
        self.variable = variable
        self._edges = ()
        self._seq = _next_leaf_seq()


def _leaf_node(t):
    """The AccumulateGrad node of a leaf that requires grad, made on its first use."""
    acc = t._accum
    if acc is None:
        acc = t._accum = AccumulateGrad(t)
    return acc


class BackwardNode(Node):
    """Base of the per-Function node classes; `_forward_cls` is the Function that made it."""
    __slots__ = ()
    _forward_cls = None


FunctionCtx = BackwardNode  # the class of a Function's ctx (torch.autograd.function.FunctionCtx)


def _inputs(args, n_operands, enabled):
    """One pass over an op's arguments. Returns the values forward takes (a Tensor's array,
    anything else as is); the node's edges, or None when nothing requires grad or grad mode
    (`enabled`) is off; and the array type of the Tensors (None when there is none, _MIXED when
    they differ). An edge is, for a Tensor, the (node, output index, shape, dtype) through which
    its gradient flows, or None when it takes no gradient; None for a number among the first
    `n_operands` arguments; False for an option (dim, alpha ...), which next_functions omits."""
    arrays = []
    edges = []
    record = False
    array_type = None
    for a in args:
        if isinstance(a, _Tensor):
            d = a._data
            arrays.append(d)
            if array_type is None:
                array_type = type(d)
            elif type(d) is not array_type:
                array_type = _MIXED
            if a._requires_grad and enabled:
                record = True
                fn = a._grad_fn
                if fn is not None:
                    if fn._view_version is not None and fn._view_version != a._vc[0]:
                        fn = _view_write().refresh_view(a)  # NOTE [ Stale views ] (view_write)
                    edges.append((fn, a._out_idx, d.shape, d.dtype))
                else:
                    edges.append((_leaf_node(a), 0, d.shape, d.dtype))
            else:
                edges.append(None)
        else:
            arrays.append(a)
            edges.append(None if len(edges) < n_operands else False)
    return arrays, (edges if record else None), array_type


_MIXED = object()  # Tensors of different array types (devices) among an op's arguments


class Function:
    """A differentiable operation written by the user: static forward(ctx, ...) and backward(ctx, ...).

    forward receives the arguments as given (Tensors stay Tensors) and runs with grad mode off;
    backward receives one gradient per output and returns one per input (None where there is none).
    """
    _node_cls = BackwardNode
    _backward_suffix = "Backward"

    def __init_subclass__(cls, grad_fn=None, **kwargs):
        super().__init_subclass__(**kwargs)
        name = grad_fn or cls.__name__ + cls._backward_suffix
        cls._node_cls = type(name, (BackwardNode,), {"__slots__": (), "_forward_cls": cls,
                                                      "_n_operands": cls._n_operands,
                                                      "_listed_inputs": cls._listed_inputs,
                                                      "_array_backward": cls._array_backward})

    _n_operands = 0
    _is_view = False  # built-in view ops set it (NOTE [ In place on a view ], ops/view_write.py)
    _array_backward = False  # backward is valid on arrays (NOTE [ Backward on arrays ], engine.py)
    _strict_grad_count = True  # user Functions must return a gradient (or None) per input
    _listed_inputs = None  # argument positions next_functions shows; None: every input edge
    _narrows_needs = False  # needs_input_grad in backward is what forward saw (torch's ctx)

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=user_stacklevel())

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        pass

    @classmethod
    def apply(cls, *args, **kwargs):
        node = cls._node_cls.__new__(cls._node_cls)
        edges = _inputs(args, node._n_operands, _grad_state.enabled)[1]
        record = edges is not None
        node._needs = tuple(isinstance(a, _Tensor) and a._requires_grad and record
                            for a in args)
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        finally:
            _grad_state.enabled = prev
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        dirty = node.__dict__.get("_dirty", ())
        results = []
        for o in outs:
            if not isinstance(o, _Tensor):
                results.append(o)
            elif any(o is d for d in dirty):
                results.append(o)
            else:
                r = _make(o._data)
                r._vc = o._vc
                results.append(r)
        if record:
            _attach(node, args, edges, results, tensor_saved=True)
        return results[0] if single else tuple(results)


def _attach(node, args, edges, outputs, tensor_saved=False, raw=None):
    """Record node, with its edges (from _inputs), as the grad_fn of its float outputs and pack
    what forward saved."""
    node._edges = edges
    node._seq = _next_seq()
    non_diff = node._non_diff
    metas = []
    for i, o in enumerate(outputs):
        if not isinstance(o, _Tensor):
            metas.append(None)
            continue
        d = o._data
        metas.append((d.shape, d.dtype))
        if d.dtype.kind in "fc" and not (non_diff and any(o is n or d is n for n in non_diff)):
            o._grad_fn = node
            o._out_idx = i
            o._requires_grad = True
    node._out_meta = metas
    saved = node._saved
    if saved:
        node._packed = _pack(saved, args, outputs, tensor_saved, raw)
        node._saved = None


_INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")


def _pack(saved, args, outputs, tensor_saved, raw):
    """What forward saved, packed as NOTE [ Saved tensors ] says: an output (by identity of its
    array, or of forward's own return value in raw, which may be a NumPy scalar since wrapped),
    else an input, else a constant. tensor_saved: a user Function saved Tensors, not arrays."""
    packed = []
    for s in saved:
        if s is None or type(s) in _NUMBERS:
            packed.append(None if s is None else (_CONSTANT, s))
            continue
        sd = s._data if tensor_saved and isinstance(s, _Tensor) else s
        i = 0
        for o in outputs:
            if isinstance(o, _Tensor) and (o._data is sd or raw is not None and raw[i] is s):
                if o._grad_fn is not None:
                    packed.append((_OUTPUT, o._data, i, o._vc, o._vc[0]))
                else:
                    packed.append((_INPUT, o, o._vc[0]))
                break
            i += 1
        else:
            if tensor_saved:
                packed.append((_INPUT, s, s._vc[0]) if isinstance(s, _Tensor)
                              else (_CONSTANT, s))
                continue
            for a in args:
                if isinstance(a, _Tensor) and a._data is s:
                    if _grad_state.inference_made and getattr(a, "_inference", False):
                        raise RuntimeError(_INFERENCE_SAVED)
                    packed.append((_INPUT, a, a._vc[0]))
                    break
            else:
                packed.append((_ARRAY, s) if hasattr(s, "shape") else (_CONSTANT, s))
    if saved_hooks:
        return _graph().pack_saved(packed, outputs, saved_hooks[-1])
    return packed


def adopt_saved_output(node, tensor):
    """An op that wrote its result over its input (relu_, NOTE [ Results over the input ] in
    ops/activation.py) saved that result: from now on it is `tensor`, the tensor written in place,
    checked against tensor's version counter as torch's in-place ops save self."""
    packed = node._packed
    if not packed:
        return
    node._packed = [(_OUTPUT, s[1], s[2], tensor._vc, tensor._vc[0])
                    if s is not None and s[0] == _OUTPUT else s for s in packed]


_NUMBERS = frozenset((int, float, bool, complex))


# Defined beside this module on top of Function, and found here as in PyTorch.
from ._nested_io_function import NestedIOFunction  # noqa: E402
from ._once_differentiable import once_differentiable  # noqa: E402
