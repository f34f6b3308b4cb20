"""ember.save: any object in PyTorch's zip checkpoint format (NOTE [ Checkpoint format ])."""
import io
import os
import pickle
import struct
import zipfile

import numpy as np

from .. import _dtype
from .._tensor import Size, Tensor
from ._atomic import write_atomically
from ._format import ALIGN, PROTOCOL, STORAGE_NAMES, UNTYPED_STORAGE


class _Global:
    """A reference to a global of the torch namespace, written into the pickle by name only."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise TypeError(f"{self.module}.{self.name} is only a name in a checkpoint")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_TENSOR_V3 = _Global("torch._utils", "_rebuild_tensor_v3")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


class _Storage:
    __slots__ = ("key", "array", "dtype", "location")

    def __init__(self, key, array, dtype, location="cpu"):
        self.key, self.array, self.dtype, self.location = key, array, dtype, location


class _Pickler(pickle._Pickler):
    """Writes ember objects as the torch objects torch.load expects (NOTE [ Checkpoint format ])."""
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file):
        super().__init__(file, protocol=PROTOCOL)
        self.storages = {}  # id of the root buffer -> _Storage

    def _save_global_ref(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = _save_global_ref

    def _save_dtype(self, obj):
        self._save_global_ref(_Global("torch", obj.name))

    dispatch[_dtype.dtype] = _save_dtype

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            if obj.dtype in STORAGE_NAMES:
                return ("storage", _Global("torch", STORAGE_NAMES[obj.dtype]), obj.key,
                        obj.location, obj.array.size)
            # no typed storage class in torch (NOTE [ Checkpoint format ]): numel counts bytes
            return ("storage", _Global("torch.storage", UNTYPED_STORAGE), obj.key,
                    obj.location, obj.array.nbytes)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            rebuild = self._tensor_rebuild(obj)
            if type(obj) is not Tensor and _is_parameter(obj):
                return (_REBUILD_PARAMETER, (_Rebuilt(rebuild), obj.requires_grad,
                                             _OrderedDictRef()))
            return rebuild
        if isinstance(obj, Size):
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj).__name__ == "device" and type(obj).__module__ == "ember._device":
            return (_Global("torch", "device"), (str(obj),))
        return NotImplemented

    def _tensor_rebuild(self, t):
        """The (rebuild function, arguments) pair that torch's Tensor.__reduce_ex__ gives."""
        array = t.detach().cpu()._data if t.is_cuda else t._data
        storage, offset = self._storage_of(array, str(t.device))
        stride = tuple(s // array.itemsize for s in array.strides)
        args = (storage, offset, tuple(array.shape), stride, t.requires_grad, _OrderedDictRef())
        if storage.dtype in STORAGE_NAMES:
            return (_REBUILD_TENSOR, args)
        return (_REBUILD_TENSOR_V3, args + (storage.dtype,))

    def _storage_of(self, array, location):
        """The storage a tensor's array lives in, shared with every other view of its buffer."""
        root = array
        while isinstance(root.base, np.ndarray):
            root = root.base
        usable = (root.flags.c_contiguous and root.dtype == array.dtype and root.size > 0
                  and all(s >= 0 and s % array.itemsize == 0 for s in array.strides))
        if usable:
            offset_bytes = (array.__array_interface__["data"][0]
                            - root.__array_interface__["data"][0])
            usable = offset_bytes % array.itemsize == 0
        if not usable:
            root = np.ascontiguousarray(array)
            offset_bytes = 0
        st = self.storages.get(id(root))
        if st is None:
            st = self.storages[id(root)] = _Storage(str(len(self.storages)), root.reshape(-1),
                                                    _dtype.from_numpy_dtype(root.dtype), location)
            self._keep = getattr(self, "_keep", []) + [root]  # ids stay valid while writing
        return st, offset_bytes // array.itemsize


def _is_parameter(obj):
    from ..nn.parameter import Parameter
    return isinstance(obj, Parameter)


class _Rebuilt:
    """The inner `_rebuild_tensor_v2(...)` (or v3) call of a pickled Parameter."""
    __slots__ = ("rebuild",)

    def __init__(self, rebuild):
        self.rebuild = rebuild

    def __reduce__(self):
        return self.rebuild


class _OrderedDictRef:
    """An empty OrderedDict written as `collections.OrderedDict()` (torch's backward_hooks)."""

    def __reduce__(self):
        return (_ORDERED_DICT, ())


def _aligned_entry(zf, name, data):
    """Write one stored record whose data starts at a 64-byte boundary, as torch.save does."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header = 30 + len(name.encode())
    pos = zf.fp.tell()
    pad = (-(pos + header + 4)) % ALIGN
    info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # 'FB' padding field, like torch
    with zf.open(info, "w", force_zip64=len(data) > 0x7FFFFFFF) as out:
        out.write(data)


def _write_archive(obj, fileobj, name):
    buf = io.BytesIO()
    pickler = _Pickler(buf)
    pickler.dump(obj)
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED) as zf:
        _aligned_entry(zf, f"{name}/data.pkl", buf.getvalue())
        _aligned_entry(zf, f"{name}/.format_version", b"1")
        _aligned_entry(zf, f"{name}/.storage_alignment", b"64")
        _aligned_entry(zf, f"{name}/byteorder", b"little")
        for st in pickler.storages.values():
            _aligned_entry(zf, f"{name}/data/{st.key}", memoryview(st.array).cast("B"))
        _aligned_entry(zf, f"{name}/version", b"3\n")


def save(obj, f, pickle_module=None, pickle_protocol=PROTOCOL,
         _use_new_zipfile_serialization=True):
    """Save obj in PyTorch's checkpoint format. A path is written atomically: a crash or an error
    mid-write leaves any previous file intact."""
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = _archive_name(os.path.splitext(os.path.basename(path))[0])
        write_atomically(path, lambda out: _write_archive(obj, out, name), "pt")
    else:
        _write_archive(obj, f, "archive")


def _archive_name(name):
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in name) or "archive"


