"""Hugging Face's safetensors format: an 8-byte little-endian header length, a JSON header of
name -> {dtype, shape, data_offsets}, then one byte buffer.

Reading follows the format's rules strictly: the header is a JSON object no larger than 100 MB
with no duplicate names, every shape is a list of non-negative integers, and the tensors' data
offsets tile the byte buffer exactly, in order, with no hole and no overlap. Anything else is a
RuntimeError naming the file.
"""
import json
import os
import struct

import numpy as np

from .. import _dtype
from .._device import as_device
from .._tensor import Tensor, _make
from ._atomic import write_atomically

_CODES = {_dtype.float16: "F16", _dtype.float32: "F32", _dtype.float64: "F64",
          _dtype.int8: "I8", _dtype.int16: "I16", _dtype.int32: "I32", _dtype.int64: "I64",
          _dtype.uint8: "U8", _dtype.bool: "BOOL"}
_DTYPES = {code: d for d, code in _CODES.items()}
_MAX_HEADER = 100_000_000


def save_safetensors(tensors, path, metadata=None):
    """Write a flat dict of name -> tensor in Hugging Face's safetensors format, atomically."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"save_safetensors: {name!r} is not a Tensor")
        a = np.ascontiguousarray(t.detach().cpu()._data if t.is_cuda else t._data)
        header[name] = {"dtype": _CODES[t.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        chunks.append(a)
        offset += a.nbytes
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((-len(raw)) % 8)

    def write(out):
        out.write(struct.pack("<Q", len(raw)))
        out.write(raw)
        for a in chunks:
            out.write(memoryview(a).cast("B") if a.size else b"")
    write_atomically(os.fspath(path), write, "safetensors")


def load_safetensors(path, device="cpu"):
    """Read a safetensors file into a dict of name -> tensor."""
    where = os.fspath(path)
    with open(where, "rb") as fh:
        blob = fh.read()
    header, body = _parse(blob, where)
    out = {}
    for name, (dt, shape, begin, end) in header.items():
        a = np.frombuffer(body[begin:end], dtype=dt.np).reshape(shape).copy()
        t = _make(a)
        out[name] = t if as_device(device).type == "cpu" else t.to(device)
    return out


def _parse(blob, where):
    """The validated header as name -> (dtype, shape, begin, end), and the byte buffer."""
    def corrupt(why):
        return RuntimeError(f"{where} is corrupt or not a safetensors file: {why}")

    if len(blob) < 8:
        raise corrupt("shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > _MAX_HEADER:
        raise corrupt(f"its header declares {n} bytes, more than the format's limit")
    if 8 + n > len(blob):
        raise corrupt(f"truncated: a header of {n} bytes does not fit in {len(blob)} bytes")
    raw = blob[8:8 + n]
    if not raw.startswith(b"{"):
        raise corrupt("the header is not a JSON object")
    try:
        parsed = json.loads(raw, object_pairs_hook=_no_duplicates)
    except (ValueError, UnicodeDecodeError) as exc:
        raise corrupt(f"corrupt header: {exc}") from None
    meta = parsed.pop("__metadata__", {})
    if not (isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())):
        raise corrupt("__metadata__ must map strings to strings")
    body = memoryview(blob)[8 + n:]
    entries = {}
    for name, spec in parsed.items():
        entries[name] = _entry(name, spec, corrupt)
    expected = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        if begin != expected:
            raise corrupt(f"{name!r} starts at byte {begin}, not {expected}: the data offsets "
                          "must tile the buffer with no hole or overlap")
        expected = end
    if expected != len(body):
        raise corrupt(f"the tensors cover {expected} bytes of a {len(body)}-byte buffer")
    return entries, body


def _entry(name, spec, corrupt):
    if not (isinstance(spec, dict) and {"dtype", "shape", "data_offsets"} <= spec.keys()):
        raise corrupt(f"{name!r} needs dtype, shape and data_offsets")
    dt = _DTYPES.get(spec["dtype"]) if isinstance(spec["dtype"], str) else None
    if dt is None:
        raise corrupt(f"unsupported dtype {spec['dtype']!r} for {name!r}")
    shape, offsets = spec["shape"], spec["data_offsets"]
    if not (isinstance(shape, list) and all(_count(d) for d in shape)):
        raise corrupt(f"{name!r} has an invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_count(o) for o in offsets)
            and offsets[0] <= offsets[1]):
        raise corrupt(f"{name!r} has invalid data offsets {offsets!r}")
    numel = 1
    for d in shape:
        numel *= d
    begin, end = offsets
    if end - begin != numel * dt.itemsize:
        raise corrupt(f"{name!r} of shape {shape} needs {numel * dt.itemsize} bytes but its data "
                      f"offsets span {end - begin}")
    return dt, tuple(shape), begin, end


def _count(x):
    return type(x) is int and x >= 0


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the name {key!r} appears twice")
        seen[key] = value
    return seen
