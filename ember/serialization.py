"""ember.save / ember.load in PyTorch's zip checkpoint format (both directions), safetensors, and a
restricted unpickler that refuses to run code.

NOTE [ Checkpoint format ]
A checkpoint is an uncompressed zip whose records sit at 64-byte aligned offsets:
`<name>/data.pkl` is a protocol-2 pickle of the object in which each tensor is
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())` and
each storage is a persistent id `('storage', torch.FloatStorage, key, 'cpu', numel)` whose bytes are
the record `<name>/data/<key>`. Tensors that are views of one NumPy buffer share one storage, so
torch.load (and ember.load) gives back tensors that share memory. `ember.load` parses the same
format without torch; its weights-only unpickler resolves only the globals a checkpoint needs.
"""
import collections
import io
import json
import mmap
import os
import pickle
import struct
import tempfile
import zipfile
import zlib

import numpy as np

from . import _backend, _dtype
from ._device import as_device
from ._tensor import Size, Tensor, _make

_STORAGE_NAMES = {
    _dtype.float32: "FloatStorage", _dtype.float64: "DoubleStorage", _dtype.float16: "HalfStorage",
    _dtype.int64: "LongStorage", _dtype.int32: "IntStorage", _dtype.int16: "ShortStorage",
    _dtype.int8: "CharStorage", _dtype.uint8: "ByteStorage", _dtype.bool: "BoolStorage"}
_STORAGE_DTYPES = {name: d for d, name in _STORAGE_NAMES.items()}
_ALIGN = 64
_PROTOCOL = 2


class _Global:
    """A reference to a global of the torch namespace, written into the pickle by name only."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise TypeError(f"{self.module}.{self.name} is only a name in a checkpoint")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


class _Storage:
    __slots__ = ("key", "array", "dtype", "location")

    def __init__(self, key, array, dtype, location="cpu"):
        self.key, self.array, self.dtype, self.location = key, array, dtype, location


# -- writing -------------------------------------------------------------------------------------

class _Pickler(pickle._Pickler):
    """Writes ember objects as the torch objects torch.load expects (see NOTE [ Checkpoint format ])."""
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file):
        super().__init__(file, protocol=_PROTOCOL)
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
            return ("storage", _Global("torch", _STORAGE_NAMES[obj.dtype]), obj.key,
                    obj.location, obj.array.size)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            args = self._tensor_args(obj)
            if type(obj) is not Tensor and _is_parameter(obj):
                return (_REBUILD_PARAMETER, (self._plain_rebuild(args), obj.requires_grad,
                                             _OrderedDictRef()))
            return (_REBUILD_TENSOR, args)
        if isinstance(obj, Size):
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj).__name__ == "device" and type(obj).__module__ == "ember._device":
            return (_Global("torch", "device"), (str(obj),))
        return NotImplemented

    def _plain_rebuild(self, args):
        return _Rebuilt(args)

    def _tensor_args(self, t):
        array = t.detach().cpu()._data if t.is_cuda else t._data
        storage, offset = self._storage_of(array, str(t.device))
        stride = tuple(s // array.itemsize for s in array.strides)
        return (storage, offset, tuple(array.shape), stride, t.requires_grad, _OrderedDictRef())

    def _storage_of(self, array, location):
        """The storage a tensor's array lives in, shared with every other view of the same buffer."""
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
            st.array = root.reshape(-1)
            self._keep = getattr(self, "_keep", []) + [root]  # ids stay valid while writing
        return st, offset_bytes // array.itemsize


def _is_parameter(obj):
    from .nn.parameter import Parameter
    return isinstance(obj, Parameter)


class _Rebuilt:
    """The inner `_rebuild_tensor_v2(...)` call of a pickled Parameter."""
    __slots__ = ("args",)

    def __init__(self, args):
        self.args = args

    def __reduce__(self):
        return (_REBUILD_TENSOR, self.args)


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
    pad = (-(pos + header + 4)) % _ALIGN
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


def save(obj, f, pickle_module=None, pickle_protocol=_PROTOCOL,
         _use_new_zipfile_serialization=True):
    """Save obj in PyTorch's checkpoint format. A path is written atomically: a crash or an error
    mid-write leaves any previous file intact."""
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pt", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                _write_archive(obj, out, _archive_name(name))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    else:
        _write_archive(obj, f, "archive")


def _archive_name(name):
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in name) or "archive"


# -- reading -------------------------------------------------------------------------------------

def _rebuild_tensor(storage, offset, size, stride, requires_grad=False, backward_hooks=None,
                    metadata=None):
    array = storage
    itemsize = array.itemsize
    need = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1 if all(size) else 0
    if need > array.size:
        raise RuntimeError(f"storage has {array.size} elements but a tensor of size {list(size)} "
                           f"at offset {offset} needs {need}: the checkpoint is corrupt")
    view = np.lib.stride_tricks.as_strided(array[offset:], shape=tuple(size),
                                           strides=tuple(s * itemsize for s in stride))
    t = _make(view)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad)


def _make_device(spec):
    return as_device(spec)


def _make_size(dims=()):
    return Size(dims)


def _torch_globals():
    """The torch globals a checkpoint may name, mapped to ember's equivalents."""
    table = {("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
             ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
             ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
             ("torch", "Size"): _make_size, ("torch", "device"): _make_device,
             ("collections", "OrderedDict"): collections.OrderedDict}
    for d in _dtype.ALL:
        table[("torch", d.name)] = d
    for name in _STORAGE_DTYPES:
        table[("torch", name)] = name
    return table


_SAFE_BUILTINS = {("builtins", n) for n in ("set", "frozenset", "slice", "complex", "bytearray",
                                            "range")}


class _Unpickler(pickle.Unpickler):
    """`locations` collects, by id of each rebuilt tensor's array, the device it was saved from."""

    def __init__(self, file, read_storage, weights_only, locations):
        super().__init__(file)
        self._read_storage = read_storage
        self._weights_only = weights_only
        self._globals = _torch_globals()
        self._globals[("torch._utils", "_rebuild_tensor_v2")] = self._rebuild_tensor
        self._storage_locations = {}
        self._locations = locations

    def _rebuild_tensor(self, storage, *args):
        t = _rebuild_tensor(storage, *args)
        location = self._storage_locations.get(id(storage), "cpu")
        if location != "cpu":
            self._locations[id(t._data)] = (t._data, location)  # the array keeps its id valid
        return t

    def find_class(self, module, name):
        if module == "__builtin__":  # protocol 2 names builtins the Python 2 way
            module = "builtins"
        hit = self._globals.get((module, name))
        if hit is not None:
            return hit
        if (module, name) in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if self._weights_only:
            raise pickle.UnpicklingError(
                f"Weights only load failed: unsupported global GLOBAL {module}.{name} was "
                "refused. ember.load(weights_only=True) only builds tensors, containers and "
                "numbers; pass weights_only=False only for a file you trust, since unpickling can "
                "run arbitrary code.")
        if module.startswith("torch"):
            module = "ember" + module[len("torch"):]
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        storage_type, key, location, numel = pid[1:5]
        dt = _STORAGE_DTYPES.get(storage_type) if isinstance(storage_type, str) else None
        if dt is None:
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r}")
        storage = self._read_storage(str(key), dt, int(numel))
        self._storage_locations[id(storage)] = str(location)
        return storage


def _read_zip(fileobj, where, map_location, weights_only, mapping=None):
    """mapping: a copy-on-write mmap of the whole file (load(mmap=True)); stored records then
    become arrays over it without being read."""
    try:
        zf = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as exc:
        raise RuntimeError(f"{where} is not a valid checkpoint: {exc}") from None
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError(f"{where} is not a valid checkpoint: no data.pkl record")
        prefix = pkl[0][:-len("data.pkl")]
        cache = {}

        def read_storage(key, dt, numel):
            if key in cache:
                return cache[key]
            record = f"{prefix}data/{key}"
            try:
                info = zf.getinfo(record)
            except KeyError:
                raise RuntimeError(f"{where} is corrupt: missing data record {record}") from None
            nbytes = numel * dt.itemsize
            if info.file_size != nbytes:
                raise RuntimeError(f"{where} is corrupt: record {record} holds {info.file_size} "
                                   f"bytes but its storage needs {nbytes}")
            if mapping is not None and info.compress_type == zipfile.ZIP_STORED:
                array = np.frombuffer(mapping, dt.np, numel, _data_offset(zf, info, where))
            else:
                array = _host_buffer(numel, dt.np)
                _read_record(zf, info, memoryview(array).cast("B"), where)
            cache[key] = array
            return array

        try:
            data = zf.read(pkl[0])
            locations = {}
            obj = _Unpickler(io.BytesIO(data), read_storage, weights_only, locations).load()
        except (zipfile.BadZipFile, EOFError, struct.error, zlib.error) as exc:
            raise RuntimeError(f"{where} is corrupt or truncated: {exc}") from None
    return _map_location(obj, map_location, locations)


def _host_buffer(numel, dtype):
    """An uninitialised array for one storage. Large ones are mapped pre-faulted in one call
    (MAP_POPULATE, Linux): faulting them in page by page while reading doubled the load time."""
    nbytes = numel * np.dtype(dtype).itemsize
    if nbytes < (1 << 20) or not hasattr(mmap, "MAP_POPULATE"):
        return np.empty(numel, dtype)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)
    return np.frombuffer(buf, dtype, numel)


def _read_record(zf, info, view, where):
    """Read one record straight into view: stored records skip zipfile's buffered reader (the
    checksum is still verified), compressed ones go through it."""
    if info.compress_type != zipfile.ZIP_STORED:
        with zf.open(info) as src:
            _readinto(src, view)
        return
    fp = zf.fp
    fp.seek(_data_offset(zf, info, where))
    _readinto(fp, view)
    if zlib.crc32(view) != info.CRC:
        raise RuntimeError(f"{where} is corrupt: checksum mismatch in {info.filename}")


def _data_offset(zf, info, where):
    """Where a stored record's bytes start in the file (after its local header)."""
    fp = zf.fp
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise RuntimeError(f"{where} is corrupt: bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _readinto(src, view):
    got = 0
    while got < len(view):
        n = src.readinto(view[got:])
        if not n:
            raise EOFError("record ends early")
        got += n


def _map_location(obj, map_location, locations):
    """Put each tensor where map_location says, by default back on the device it was saved from
    ('cuda:0' ...), as torch.load does; a callable gets (tensor, location) for each tensor."""
    if map_location is None and not locations:
        return obj

    def place(t):
        location = locations.get(id(t._data), (None, "cpu"))[1]
        if callable(map_location) and not isinstance(map_location, (str, dict)):
            moved = map_location(t, location)
            return t if moved is None else moved
        if map_location is None:
            target = location
        elif isinstance(map_location, dict):
            target = map_location.get(location, location)
        else:
            target = map_location
        dev = as_device(target)
        if dev.type == "cuda" and not _backend.cuda_is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the CPU.")
        return t if t.device == dev else t.to(dev)
    return _apply_tensors(obj, place)


def _apply_tensors(obj, fn):
    if isinstance(obj, Tensor):
        return fn(obj)
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _apply_tensors(v, fn)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _apply_tensors(v, fn) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_apply_tensors(v, fn) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_apply_tensors(v, fn) for v in obj)
    return obj


_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c


def _read_legacy(fileobj, where, map_location, weights_only):
    """PyTorch's pre-1.6 format: magic, protocol, sys info, the object, storage keys, raw data."""
    storages = {}
    locations = {}

    def read_storage(key, dt, numel):
        if key not in storages:
            storages[key] = np.empty(numel, dt.np)
        return storages[key]

    def load_one():
        return _Unpickler(fileobj, read_storage, weights_only, locations).load()

    try:
        if load_one() != _LEGACY_MAGIC:
            raise RuntimeError(f"{where} is not a checkpoint (wrong magic number)")
        load_one()
        load_one()
        obj = load_one()
        keys = load_one()
        for key in keys:
            (numel,) = struct.unpack("<q", fileobj.read(8))
            array = storages.get(str(key))
            if array is None or array.size != numel:
                raise RuntimeError(f"{where} is corrupt: storage {key} has the wrong size")
            _readinto(fileobj, memoryview(array).cast("B"))
    except (EOFError, struct.error, pickle.UnpicklingError) as exc:
        if isinstance(exc, pickle.UnpicklingError) and "Weights only" in str(exc):
            raise
        raise RuntimeError(f"{where} is corrupt or truncated: {exc}") from None
    return _map_location(obj, map_location, locations)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **kwargs):
    """Load an object saved by ember.save or torch.save (zip or legacy format).

    weights_only=True (the default, as in PyTorch) refuses every global that a checkpoint does not
    need, raising pickle.UnpicklingError before anything runs. mmap=True (a path to a zip
    checkpoint) maps the file copy-on-write instead of reading it: tensors are views of the
    mapping, paged in on first use, and writing to them never changes the file."""
    if isinstance(f, (str, os.PathLike)):
        where = os.fspath(f)
        with open(where, "rb") as fh:
            return _load_file(fh, where, map_location, weights_only, bool(mmap))
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    return _load_file(f, "the checkpoint", map_location, weights_only, False)


def _load_file(fh, where, map_location, weights_only, use_mmap):
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    if head[:2] == b"PK":
        mapping = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY) if use_mmap else None
        return _read_zip(fh, where, map_location, weights_only, mapping)
    if use_mmap:
        raise RuntimeError(f"{where}: mmap can only be used with files saved in the zip format")
    if head[:1] == b"\x80":
        return _read_legacy(fh, where, map_location, weights_only)
    if not head:
        raise RuntimeError(f"{where} is empty: not a checkpoint")
    raise RuntimeError(f"{where} is not a checkpoint (unknown magic {head!r})")


# -- safetensors ---------------------------------------------------------------------------------

_ST_CODES = {_dtype.float16: "F16", _dtype.float32: "F32", _dtype.float64: "F64",
             _dtype.int8: "I8", _dtype.int16: "I16", _dtype.int32: "I32", _dtype.int64: "I64",
             _dtype.uint8: "U8", _dtype.bool: "BOOL"}
_ST_DTYPES = {code: d for d, code in _ST_CODES.items()}


def save_safetensors(tensors, path, metadata=None):
    """Write a flat dict of name -> tensor in Hugging Face's safetensors format, atomically."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"save_safetensors: {name!r} is not a Tensor")
        a = np.ascontiguousarray(t.detach().cpu()._data if t.is_cuda else t._data)
        header[name] = {"dtype": _ST_CODES[t.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        chunks.append(a)
        offset += a.nbytes
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((-len(raw)) % 8)
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(struct.pack("<Q", len(raw)))
            out.write(raw)
            for a in chunks:
                out.write(memoryview(a).cast("B") if a.size else b"")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_safetensors(path, device="cpu"):
    """Read a safetensors file into a dict of name -> tensor."""
    where = os.fspath(path)
    with open(where, "rb") as fh:
        blob = fh.read()
    if len(blob) < 8:
        raise RuntimeError(f"{where} is not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise RuntimeError(f"{where} is truncated: header of {n} bytes does not fit")
    try:
        header = json.loads(blob[8:8 + n])
    except ValueError as exc:
        raise RuntimeError(f"{where} has a corrupt header: {exc}") from None
    body = memoryview(blob)[8 + n:]
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dt = _ST_DTYPES.get(spec["dtype"])
        if dt is None:
            raise RuntimeError(f"{where}: unsupported dtype {spec['dtype']} for {name!r}")
        begin, end = spec["data_offsets"]
        if end > len(body) or end - begin != int(np.prod(spec["shape"])) * dt.itemsize:
            raise RuntimeError(f"{where} is corrupt: {name!r} does not fit its data offsets")
        a = np.frombuffer(body[begin:end], dtype=dt.np).reshape(spec["shape"]).copy()
        t = _make(a)
        out[name] = t if as_device(device).type == "cpu" else t.to(device)
    return out
