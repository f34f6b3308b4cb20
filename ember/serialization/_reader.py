"""ember.load: PyTorch's zip and legacy checkpoints, read without torch.

Every size a file declares is checked against the bytes the file really holds before anything is
allocated for it, and every tensor view against its storage (NOTE [ What a weights-only load
allows ] in _unpickler.py).
"""
import collections
import io
import mmap
import os
import pickle
import struct
import zipfile
import zlib

import numpy as np

from .. import _backend
from .._device import as_device
from .._tensor import Tensor
from ._unpickler import unpickler

# Deflate cannot expand data by more than about 1032:1, so a compressed record that declares more
# is lying about its size.
_MAX_DEFLATE_RATIO = 1032


def _read_zip(fileobj, where, map_location, weights_only, file_size, mapping=None):
    """mapping: a copy-on-write mmap of the whole file (load(mmap=True)); stored records then
    become arrays over it without being read."""
    try:
        zf = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as exc:
        raise RuntimeError(f"{where} is not a valid checkpoint: {exc}") from None
    with zf:
        names = zf.namelist()
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise RuntimeError(f"{where} is not a valid checkpoint: it holds more than one record "
                               f"named {', '.join(twice)}")
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
            start = _checked_extent(zf, info, where, file_size)
            if mapping is not None and info.compress_type == zipfile.ZIP_STORED:
                array = np.frombuffer(mapping, dt.np, numel, start)
            else:
                array = _host_buffer(numel, dt.np)
                _read_record(zf, info, start, memoryview(array).cast("B"), where)
            cache[key] = array
            return array

        try:
            _checked_extent(zf, zf.getinfo(pkl[0]), where, file_size)
            data = zf.read(pkl[0])
            locations = {}
            obj = unpickler(io.BytesIO(data), read_storage, weights_only, locations).load()
        except (zipfile.BadZipFile, EOFError, struct.error, zlib.error) as exc:
            raise RuntimeError(f"{where} is corrupt or truncated: {exc}") from None
    return _map_location(obj, map_location, locations)


def _checked_extent(zf, info, where, file_size):
    """Where a record's bytes start, once its declared sizes are shown to fit the real file: a
    tiny file must not make the loader allocate what its directory claims."""
    start = _data_offset(zf, info, where)
    if info.compress_type == zipfile.ZIP_STORED:
        stored = info.file_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        stored = info.compress_size
        if info.file_size > stored * _MAX_DEFLATE_RATIO + 1024:
            raise RuntimeError(f"{where} is corrupt: record {info.filename} declares "
                               f"{info.file_size} bytes, more than its {stored} compressed "
                               "bytes can hold")
    else:
        raise RuntimeError(f"{where}: record {info.filename} uses an unsupported compression "
                           f"method ({info.compress_type})")
    if start + stored > file_size:
        raise RuntimeError(f"{where} is corrupt or truncated: record {info.filename} declares "
                           f"{stored} bytes but the file holds {max(file_size - start, 0)} "
                           "after its header")
    return start


def _host_buffer(numel, dtype):
    """An uninitialised array for one storage. Large ones are mapped pre-faulted in one call
    (MAP_POPULATE, Linux): faulting them in page by page while reading doubled the load time."""
    nbytes = numel * np.dtype(dtype).itemsize
    if nbytes < (1 << 20) or not hasattr(mmap, "MAP_POPULATE"):
        return np.empty(numel, dtype)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)
    return np.frombuffer(buf, dtype, numel)


def _read_record(zf, info, start, view, where):
    """Read one record straight into view: stored records skip zipfile's buffered reader (the
    checksum is still verified), compressed ones go through it."""
    if info.compress_type != zipfile.ZIP_STORED:
        with zf.open(info) as src:
            _readinto(src, view)
        return
    fp = zf.fp
    fp.seek(start)
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


def _read_legacy(fileobj, where, map_location, weights_only, file_size):
    """PyTorch's pre-1.6 format: magic, protocol, sys info, the object, storage keys, raw data."""
    storages = {}
    locations = {}

    def read_storage(key, dt, numel):
        if key not in storages:
            declared = sum(a.nbytes for a in storages.values()) + numel * dt.itemsize
            if declared > file_size - fileobj.tell():
                raise RuntimeError(f"{where} is corrupt or truncated: its storages declare "
                                   f"{declared} bytes, more than the file holds")
            storages[key] = np.empty(numel, dt.np)
        return storages[key]

    def load_one():
        return unpickler(fileobj, read_storage, weights_only, locations).load()

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
    file_size = fh.seek(0, os.SEEK_END)
    fh.seek(start)
    head = fh.read(4)
    fh.seek(start)
    if head[:2] == b"PK":
        mapping = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY) if use_mmap else None
        return _read_zip(fh, where, map_location, weights_only, file_size, mapping)
    if use_mmap:
        raise RuntimeError(f"{where}: mmap can only be used with files saved in the zip format")
    if head[:1] == b"\x80":
        return _read_legacy(fh, where, map_location, weights_only, file_size)
    if not head:
        raise RuntimeError(f"{where} is empty: not a checkpoint")
    raise RuntimeError(f"{where} is not a checkpoint (unknown magic {head!r})")


