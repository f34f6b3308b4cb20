"""Unpicklers for checkpoints: the weights-only one that ember.load uses by default, and the trusted
one that weights_only=False asks for.

NOTE [ What a weights-only load allows ]
A pickle is a program. The weights-only unpickler runs it with three limits, so that a hostile file
can neither run code nor change anything outside the objects it builds, nor reach memory outside
its own storages:
- GLOBAL resolves only the names in `_torch_globals` (tensor and parameter rebuilders, dtypes,
  storage types, Size, device, OrderedDict) and a few inert builtins; anything else is refused.
  The user may allowlist more with `add_safe_globals` / `safe_globals` (their own classes, such
  as a config dataclass saved beside the weights): those resolve by `module.qualname` too.
- The opcodes that mutate an object already on the stack act only on the kinds torch lets them act
  on: BUILD on OrderedDict instances (a state_dict's `_metadata`) and on instances of allowlisted
  classes (through their `__setstate__` or `__dict__`, as pickle does), APPEND(S) on lists,
  SETITEM(S) on dicts, ADDITEMS on sets. BUILD on a class, a dtype or a function would change it
  for the whole process.
- Every tensor view is checked against its storage before it is made (`_check_view`); a
  `_rebuild_tensor_v3` view counts in elements of its dtype (which must be a dtype) over the
  whole elements that its storage's bytes hold.
"""
import collections
import contextlib
import operator
import pickle

import numpy as np

from .. import _dtype
from .._device import as_device
from .._tensor import Size, _make
from ._format import STORAGE_DTYPES, STORAGE_NAMES, UNTYPED_STORAGE

_REFUSED = ("Weights only load failed: {what}. ember.load(weights_only=True) only builds tensors, "
            "containers and numbers; pass weights_only=False only for a file you trust, since "
            "unpickling can run arbitrary code.")


def rebuild_tensor(storage, offset, size, stride, requires_grad=False, backward_hooks=None,
                   metadata=None):
    """torch._utils._rebuild_tensor_v2: a view of storage in the storage's own dtype."""
    return _tensor(_check_view(_checked_storage(storage), offset, size, stride), requires_grad)


def rebuild_tensor_v3(storage, offset, size, stride, requires_grad, backward_hooks, dtype,
                      metadata=None):
    """torch._utils._rebuild_tensor_v3: a view of storage's bytes reinterpreted as dtype, as torch
    writes uint16/32/64 (offset, size and stride count elements of dtype)."""
    storage = _checked_storage(storage)
    if not isinstance(dtype, _dtype.dtype):
        raise pickle.UnpicklingError(f"a tensor's dtype must be a torch dtype, not "
                                     f"{type(dtype).__name__}: the checkpoint is corrupt")
    raw = storage.view(np.uint8)  # a storage is 1-D and contiguous, so any dtype views as bytes
    typed = raw[:raw.size - raw.size % dtype.itemsize].view(dtype.np)
    return _tensor(_check_view(typed, offset, size, stride), requires_grad)


def _checked_storage(storage):
    # Only what persistent_load returns passes; anything else (an array an allowlisted global
    # made, with strides of its own) would make the view arithmetic below wrong.
    if not (isinstance(storage, np.ndarray) and storage.ndim == 1
            and storage.flags.c_contiguous):
        raise pickle.UnpicklingError(f"a tensor must be rebuilt from a storage, not from "
                                     f"{type(storage).__name__}")
    return storage


def _tensor(view, requires_grad):
    t = _make(view)
    if requires_grad:
        t.requires_grad = True
    return t


def _check_view(storage, offset, size, stride):
    """The view of storage that (offset, size, stride) describe, in elements, after proving that
    it lies inside the storage: a crafted negative or overflowing value would otherwise make
    the view reach memory that is not the file's. The view's base is storage itself, so
    Tensor.storage_offset() and shared memory between views survive a load."""
    offset = operator.index(offset)
    size = tuple(operator.index(n) for n in size)
    stride = tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: sizes={list(size)} and "
                           f"strides={list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if 0 in size:
        return np.empty(size, storage.dtype)  # no element is ever read
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    itemsize = storage.itemsize
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if needed > storage.size or any(s * itemsize >= 1 << 63 for s in stride):
        raise RuntimeError(f"storage has {storage.size} elements but a tensor of size "
                           f"{list(size)} with strides {list(stride)} at offset {offset} needs "
                           f"{needed}: the checkpoint is corrupt")
    # NumPy checks the extent against the buffer once more before it makes the view.
    return np.ndarray(size, storage.dtype, buffer=storage, offset=offset * itemsize,
                      strides=tuple(s * itemsize for s in stride))


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from ..nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad)


def _make_size(dims=()):
    return Size(dims)


def _bytearray(source=b"", *args):
    """bytearray as a pickle names it (from bytes or a latin-1 string); `bytearray(n)` would let
    a few bytes of pickle allocate n, so a count is refused."""
    if isinstance(source, int):
        raise pickle.UnpicklingError(_REFUSED.format(what="bytearray(<count>) was refused"))
    return bytearray(source, *args)


_safe_globals = []  # what add_safe_globals was given, in order: objects or (object, name) pairs


def _qualified_name(entry):
    if isinstance(entry, tuple):
        if len(entry) != 2 or not isinstance(entry[1], str):
            raise TypeError(f"a safe global is an object or an (object, 'module.name') pair, not "
                            f"{entry!r}")
        return entry[1], entry[0]
    module = getattr(entry, "__module__", None)
    name = getattr(entry, "__qualname__", None) or getattr(entry, "__name__", None)
    if module is None or name is None:
        raise TypeError(f"{entry!r} has no __module__ and __qualname__: pass it as an "
                        f"(object, 'module.name') pair")
    return f"{module}.{name}", entry


def add_safe_globals(safe_globals):
    """Let weights-only loads resolve these globals (classes or functions, or (object,
    'module.name') pairs for an object saved under another name), for the rest of the process.
    Only add what you trust: a weights-only load may call or build each of them."""
    entries = list(safe_globals)
    for entry in entries:
        _qualified_name(entry)  # checks every entry before any is added
    _safe_globals.extend(entries)


def get_safe_globals():
    return list(_safe_globals)


def clear_safe_globals():
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """add_safe_globals for the duration of a with block."""
    saved = list(_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _safe_globals[:] = saved


def _user_globals():
    return dict(_qualified_name(entry) for entry in _safe_globals)


def _torch_globals():
    """The torch globals a checkpoint may name, mapped to ember's equivalents."""
    table = {("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
             ("torch._utils", "_rebuild_tensor_v3"): rebuild_tensor_v3,
             ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
             ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
             ("torch", "Size"): _make_size, ("torch", "device"): as_device,
             ("collections", "OrderedDict"): collections.OrderedDict,
             ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
             ("builtins", "slice"): slice, ("builtins", "complex"): complex,
             ("builtins", "bytearray"): _bytearray}
    for d in _dtype.ALL:
        table[("torch", d.name)] = d
    for name in STORAGE_NAMES.values():
        table[("torch", name)] = name
    # named by its module only: torch's weights-only unpickler refuses torch.UntypedStorage
    table[("torch.storage", UNTYPED_STORAGE)] = UNTYPED_STORAGE
    return table


class _Checkpoint:
    """What both unpicklers share: storages come from read_storage(key, dtype, numel) through
    persistent ids, and `locations` collects, by id of each rebuilt tensor's array, the device it
    was saved from."""

    def _setup(self, read_storage, locations):
        self._read_storage = read_storage
        self._locations = locations
        self._storage_locations = {}
        self._globals = _torch_globals()
        self._globals[("torch._utils", "_rebuild_tensor_v2")] = self._rebuild_tensor
        self._globals[("torch._utils", "_rebuild_tensor_v3")] = self._rebuild_tensor_v3

    def _rebuild_tensor(self, storage, *args):
        return self._located(storage, rebuild_tensor(storage, *args))

    def _rebuild_tensor_v3(self, storage, *args):
        return self._located(storage, rebuild_tensor_v3(storage, *args))

    def _located(self, storage, t):
        location = self._storage_locations.get(id(storage), "cpu")
        if location != "cpu":
            self._locations[id(t._data)] = (t._data, location)  # the array keeps its id valid
        return t

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        storage_type, key, location, numel = pid[1:5]
        dt = STORAGE_DTYPES.get(storage_type) if isinstance(storage_type, str) else None
        if dt is None:
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r}")
        if type(numel) is not int or numel < 0 or not isinstance(key, (str, int)):
            raise RuntimeError(f"invalid storage record {pid!r}: the checkpoint is corrupt")
        storage = self._read_storage(str(key), dt, numel)
        view = pid[5] if len(pid) > 5 else None
        if view is not None:  # the legacy format's storage views: (key, offset, numel)
            storage = _check_view(storage, view[1], (view[2],), (1,))
        self._storage_locations[id(storage)] = str(location)
        return storage

    def _resolve(self, module, name):
        if module == "__builtin__":  # protocol 2 names builtins the Python 2 way
            module = "builtins"
        return self._globals.get((module, name)), module


class TrustedUnpickler(_Checkpoint, pickle.Unpickler):
    """weights_only=False: torch's names map to ember's, anything else is imported as named."""

    def __init__(self, file, read_storage, locations):
        super().__init__(file)
        self._setup(read_storage, locations)

    def find_class(self, module, name):
        hit, module = self._resolve(module, name)
        if hit is not None:
            return hit
        if module.startswith("torch"):
            module = "ember" + module[len("torch"):]
        return super().find_class(module, name)


def _refuse(what):
    raise pickle.UnpicklingError(_REFUSED.format(what=what))


class WeightsOnlyUnpickler(_Checkpoint, pickle._Unpickler):
    """The default: NOTE [ What a weights-only load allows ]. Python's own pickle machine, with the
    opcodes that mutate existing objects restricted (the C unpickler cannot be hooked there)."""
    dispatch = pickle._Unpickler.dispatch.copy()

    def __init__(self, file, read_storage, locations):
        super().__init__(file)
        self._setup(read_storage, locations)
        self._user_globals = _user_globals()
        self._user_classes = tuple(g for g in self._user_globals.values() if isinstance(g, type))

    def find_class(self, module, name):
        hit, module = self._resolve(module, name)
        if hit is None:
            hit = self._user_globals.get(f"{module}.{name}")
        if hit is None:
            _refuse(f"unsupported global GLOBAL {module}.{name} was refused (if you trust it, "
                    f"allow it with ember.serialization.add_safe_globals([{name}]) or the "
                    f"safe_globals([...]) context manager)")
        return hit

    def _target(self, depth, allowed, opcode):
        target = self.stack[-depth] if len(self.stack) >= depth else None
        if type(target) not in allowed:
            _refuse(f"{opcode} on a {type(target).__name__} object was refused (it is allowed "
                    f"only on {', '.join(t.__name__ for t in allowed)})")

    def load_build(self):
        if len(self.stack) >= 2 and type(self.stack[-2]) in self._user_classes:
            pickle._Unpickler.load_build(self)  # an instance of a class the user allowlisted
            return
        self._target(2, (collections.OrderedDict,), "BUILD")
        state = self.stack.pop()
        if not isinstance(state, dict):
            _refuse("BUILD of an OrderedDict with a state that is not a dict was refused")
        self.stack[-1].__dict__.update(state)

    def load_append(self):
        self._target(2, (list,), "APPEND")
        pickle._Unpickler.load_append(self)

    def load_appends(self):
        items = self.pop_mark()
        self._target(1, (list,), "APPENDS")
        self.stack[-1].extend(items)

    def load_setitem(self):
        self._target(3, (dict, collections.OrderedDict), "SETITEM")
        pickle._Unpickler.load_setitem(self)

    def load_setitems(self):
        items = self.pop_mark()
        self._target(1, (dict, collections.OrderedDict), "SETITEMS")
        target = self.stack[-1]
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]

    def load_additems(self):
        items = self.pop_mark()
        self._target(1, (set,), "ADDITEMS")
        self.stack[-1].update(items)

    dispatch[pickle.BUILD[0]] = load_build
    dispatch[pickle.APPEND[0]] = load_append
    dispatch[pickle.APPENDS[0]] = load_appends
    dispatch[pickle.SETITEM[0]] = load_setitem
    dispatch[pickle.SETITEMS[0]] = load_setitems
    dispatch[pickle.ADDITEMS[0]] = load_additems


def unpickler(file, read_storage, weights_only, locations):
    cls = WeightsOnlyUnpickler if weights_only else TrustedUnpickler
    return cls(file, read_storage, locations)
