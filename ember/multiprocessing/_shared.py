"""Tensor storage in shared memory (Tensor.share_memory_) and its pickling between processes.

NOTE [ Shared storage ]
A CPU tensor is a NumPy array; sharing it moves the memory under that array into an anonymous
shared file (memfd, or an unlinked temporary file where there is none) mapped with MAP_SHARED. A
forked child inherits the mapping; any other process (spawn, or a Queue) receives the file
descriptor through multiprocessing's DupFd and maps the same pages, so every process reads and
writes one copy. Like torch, which moves a tensor's whole storage, we move the whole owning array
(the chain of `.base` down to the array that holds the memory), keeping offsets and strides, and
re-point every live Tensor viewing that array at the new memory, so a view made before
share_memory_() keeps aliasing its base. NumPy arrays held outside a Tensor (the array given to
from_numpy, a .numpy() result taken earlier) cannot be re-pointed: they keep the old memory.
Plain pickle (ember.save, copy) still copies; multiprocessing's ForkingPickler (a Queue, the
arguments of a spawned process) moves a CPU tensor into shared memory first, as torch does, and
sends a handle on it.
"""
import gc
import mmap
import os
import sys
import tempfile
import uuid
import weakref
from multiprocessing import context, reduction

import numpy as np

from .._backend import is_cpu_array
from .._tensor import Tensor

__all__ = ["share_memory_", "is_shared"]


class _SharedMap(mmap.mmap):
    """A MAP_SHARED mapping that remembers its file descriptor, to hand it to other processes."""


# The maps this process holds, by token: tensors received twice (or a view and its base) map
# the memory once, and a tensor sent back to the process that made it finds its own map.
_maps = weakref.WeakValueDictionary()


def _new_map(nbytes, fd=None, token=None):
    if fd is None:
        fd = _anonymous_file(nbytes)
    m = _SharedMap(fd, nbytes)
    m.fd = fd
    m.nbytes = nbytes
    m.token = token or uuid.uuid4().hex
    m.dupfd = (None, None)
    _maps[m.token] = m
    weakref.finalize(m, os.close, fd)
    return m


def _anonymous_file(nbytes):
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("ember-shared", os.MFD_CLOEXEC)
    else:
        fd, name = tempfile.mkstemp(prefix="ember-shared-", dir="/dev/shm" if
                                    os.path.isdir("/dev/shm") else None)
        os.unlink(name)
    os.ftruncate(fd, nbytes)
    return fd


def _owner(array):
    """The array at the end of `.base`: the one whose memory a view aliases."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _address(array):
    return array.__array_interface__["data"][0]


def is_shared(array):
    """True for memory moved by share_memory_, and always for device memory (as in torch)."""
    if not is_cpu_array(array):
        return True
    return type(array) is np.ndarray and isinstance(_owner(array).base, _SharedMap)


def _moved(view, lo, m):
    new = np.ndarray(view.shape, view.dtype, buffer=m, offset=_address(view) - lo,
                     strides=view.strides)
    if not view.flags.writeable:
        new.flags.writeable = False
    return new


def share_memory_(tensor):
    """Move `tensor`'s memory (and that of every Tensor viewing the same array) into shared
    memory, in place; see NOTE [ Shared storage ]."""
    _register_reducers()
    array = tensor._data
    if type(array) is not np.ndarray or is_shared(array):
        return tensor  # device tensors are shared already, as in torch
    owner = _owner(array)
    lo, hi = np.lib.array_utils.byte_bounds(owner)
    m = _new_map(max(hi - lo, 1))
    new_owner = _moved(owner, lo, m)
    new_owner.flags.writeable = True
    new_owner[...] = owner
    # The locals `owner` and `array` (or array's .base), getrefcount's argument and, when the
    # tensor holds the owner itself, tensor._data: anything more may be another Tensor viewing
    # the same memory, found by a scan of the live objects.
    if sys.getrefcount(owner) > (4 if array is owner else 3):
        for obj in gc.get_objects():
            if issubclass(type(obj), Tensor) and obj is not tensor and \
                    type(obj._data) is np.ndarray and _owner(obj._data) is owner:
                obj._data = new_owner if obj._data is owner else _moved(obj._data, lo, m)
    tensor._data = new_owner if array is owner else _moved(array, lo, m)
    return tensor


# -- pickling through multiprocessing -----------------------------------------------------------
def _reduce_tensor(t):
    """As torch: a CPU tensor sent to another process is first moved into shared memory (the
    sender keeps using it there), then sent as a handle on that memory."""
    if t._requires_grad and t._grad_fn is not None:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                           "since autograd does not support crossing process boundaries.  If "
                           "you just want to transfer the data, call detach() on the tensor "
                           "before serializing (e.g., putting it on the queue).")
    if type(t._data) is np.ndarray:
        share_memory_(t)
    array = t._data
    if not is_shared(array) or not is_cpu_array(array):
        return t.__reduce_ex__(reduction.ForkingPickler.HIGHEST_PROTOCOL)
    m = _owner(array).base
    layout = (array.shape, array.dtype.str, array.strides, _address(array) - _address_of_map(m),
              array.flags.writeable)
    return (_rebuild_shared, (type(t), _dupfd(m), m.nbytes, m.token, layout,
                              t._requires_grad))


def _dupfd(m):
    """A handle on m's file for the receiver. While spawning a process each fd may be passed
    once (the child gets the same number), so tensors over one map share one handle."""
    popen = context.get_spawning_popen()
    if popen is None:
        return reduction.DupFd(m.fd)
    if m.dupfd[0] is not popen:
        m.dupfd = (popen, reduction.DupFd(m.fd))
    return m.dupfd[1]


def _address_of_map(m):
    return _address(np.frombuffer(m, np.uint8, count=1))


def _rebuild_shared(cls, dupfd, nbytes, token, layout, requires_grad):
    shape, dtype, strides, offset, writeable = layout
    fd = dupfd.detach()
    m = _maps.get(token)
    if m is None:
        m = _new_map(nbytes, fd, token)
    elif fd != m.fd:
        os.close(fd)
    array = np.ndarray(shape, np.dtype(dtype), buffer=m, offset=offset, strides=strides)
    if not writeable:
        array.flags.writeable = False
    t = cls.__new__(cls)
    Tensor._init_from(t, array, requires_grad)
    return t


_registered = set()


def _register_reducers():
    """ForkingPickler dispatches on the exact type: register Tensor and each subclass in use."""
    from ..nn.parameter import Parameter
    for cls in (Tensor, Parameter):
        if cls not in _registered:
            reduction.ForkingPickler.register(cls, _reduce_tensor)
            _registered.add(cls)
