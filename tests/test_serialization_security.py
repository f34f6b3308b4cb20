"""Hostile checkpoints (issue 14): every one is refused with a clear error, before any view reaches
memory outside the file, before any process-wide object changes, and before a declared size is
allocated. Each file here is crafted by hand, byte by byte where the writer would refuse."""
import collections
import io
import os
import pickle
import struct
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import _reader, _writer, load_safetensors, save_safetensors
from ember.utils import _tempfiles


class _View:
    """Pickles as `_rebuild_tensor_v2(storage, offset, size, stride, ...)`, whatever the values."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, _writer._OrderedDictRef())

    def __reduce__(self):
        return (_writer._REBUILD_TENSOR, self.args)


def _storage(numel, dtype=ember.float32):
    # broadcast_to gives an array of any declared size without allocating it
    return _writer._Storage("0", np.broadcast_to(np.zeros((), dtype.np), (numel,)), dtype)


def _pickle(obj):
    buf = io.BytesIO()
    _writer._Pickler(buf).dump(obj)
    return buf.getvalue()


def _zip(path, pkl, data=b"", extra=()):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/data/0", data)
        for name, payload in extra:
            zf.writestr(name, payload)
    return path


def _legacy(path, obj, storage_bytes):
    """PyTorch's pre-1.6 layout: magic, protocol, sys info, the object, its storage keys, data."""
    with open(path, "wb") as f:
        for head in (_reader._LEGACY_MAGIC, 1001, {"little_endian": True}):
            f.write(pickle.dumps(head, protocol=2))
        f.write(_pickle(obj))
        f.write(pickle.dumps(["0"], protocol=2))
        f.write(struct.pack("<q", len(storage_bytes) // 4))
        f.write(storage_bytes)
    return path


FOUR_FLOATS = np.arange(4, dtype=np.float32).tobytes()
BAD_VIEWS = {
    "negative stride": ((0, (2, 4), (-4, 1)), "Storage size calculation overflowed"),
    "huge negative stride": ((0, (2, 4), (-10**11, 1)), "Storage size calculation overflowed"),
    "negative offset": ((-1, (2,), (1,)), "invalid storage offset -1"),
    "negative size": ((0, (-2,), (1,)), "negative dimension"),
    "past the end": ((1, (4,), (1,)), "the checkpoint is corrupt"),
    "overflowing extent": ((0, (2, 2**62), (2**62, 1)), "the checkpoint is corrupt"),
    "huge stride of a size-1 dim": ((0, (1, 4), (2**62, 1)), "the checkpoint is corrupt"),
}


@pytest.mark.parametrize("case", sorted(BAD_VIEWS))
@pytest.mark.parametrize("how", ["zip", "mmap", "file object", "legacy"])
def test_views_outside_their_storage_are_refused(tmp_path, case, how):
    (offset, size, stride), message = BAD_VIEWS[case]
    obj = {"t": _View(_storage(4), offset, size, stride)}
    path = tmp_path / "evil.pt"
    if how == "legacy":
        _legacy(path, obj, FOUR_FLOATS)
    else:
        _zip(path, _pickle(obj), FOUR_FLOATS)
    with pytest.raises(RuntimeError, match=message):
        if how == "mmap":
            ember.load(path, mmap=True)
        elif how == "file object":
            with open(path, "rb") as f:
                ember.load(f)
        else:
            ember.load(path)


def test_empty_views_and_exact_fits_still_load(tmp_path):
    obj = {"empty": _View(_storage(4), 100, (0, 4), (-7, 1)),
           "last": _View(_storage(4), 3, (1,), (1,)),
           "all": _View(_storage(4), 0, (2, 2), (2, 1))}
    got = ember.load(_zip(tmp_path / "ok.pt", _pickle(obj), FOUR_FLOATS))
    assert got["empty"].shape == (0, 4)
    assert got["last"].tolist() == [3.0]
    assert got["all"].tolist() == [[0.0, 1.0], [2.0, 3.0]]


@pytest.mark.parametrize("case", sorted(BAD_VIEWS))
def test_torch_refuses_the_same_files(tmp_path, case):
    torch = pytest.importorskip("torch")
    (offset, size, stride), _ = BAD_VIEWS[case]
    path = _zip(tmp_path / "evil.pt", _pickle({"t": _View(_storage(4), offset, size, stride)}),
                FOUR_FLOATS)
    with pytest.raises(RuntimeError):
        torch.load(path)


# -- BUILD and the other opcodes that change an object already made -------------------------------

def _ops(*parts):
    return b"\x80\x02" + b"".join(parts) + pickle.STOP


def _unicode(s):
    raw = s.encode()
    return pickle.BINUNICODE + struct.pack("<I", len(raw)) + raw


def _global(module, name):
    return pickle.GLOBAL + f"{module}\n{name}\n".encode()


def _build_on(target, state):
    """`target` (a GLOBAL) with BUILD applying state to it as `(None, slotstate)`: pickle then
    setattr()s each item, which is how a file would rewrite a dtype or a function."""
    items = b"".join(_unicode(k) + v for k, v in state.items())
    return _ops(target, pickle.NONE, pickle.EMPTY_DICT, pickle.MARK, items, pickle.SETITEMS,
                pickle.TUPLE2, pickle.BUILD)


@pytest.mark.parametrize("target, state", [
    (_global("torch", "float32"), {"name": _unicode("int64"), "itemsize": pickle.BININT1 + b"\x08"}),
    (_global("torch._utils", "_rebuild_tensor_v2"), {"__defaults__": pickle.NONE}),
    (_global("collections", "OrderedDict"), {"planted": pickle.NONE}),
])
def test_build_cannot_change_process_wide_objects(tmp_path, target, state):
    before = (ember.float32.name, ember.float32.itemsize)
    path = _zip(tmp_path / "evil.pt", _build_on(target, state))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed: BUILD"):
        ember.load(path)
    assert (ember.float32.name, ember.float32.itemsize) == before
    assert ember.ones(2).dtype == ember.float32 and ember.ones(2).numpy().dtype == np.float32
    assert not hasattr(collections.OrderedDict, "planted")


def test_mutating_opcodes_only_act_on_containers(tmp_path):
    appends = _ops(_global("torch", "float32"), pickle.MARK, pickle.NONE, pickle.APPENDS)
    setitem = _ops(_global("torch", "float32"), _unicode("name"), pickle.NONE, pickle.SETITEM)
    for name, pkl in (("appends", appends), ("setitem", setitem)):
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
            ember.load(_zip(tmp_path / f"{name}.pt", pkl))
    assert ember.float32.name == "float32"


def test_state_dict_metadata_still_builds(tmp_path):
    """torch.save(model.state_dict()) BUILDs the OrderedDict's `_metadata`: that stays allowed."""
    sd = collections.OrderedDict(w=ember.ones(2))
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    ember.save(sd, tmp_path / "sd.pt")
    got = ember.load(tmp_path / "sd.pt")
    assert got._metadata == {"": {"version": 1}}
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(2, 3).state_dict(), tmp_path / "t.pt")
    got = ember.load(tmp_path / "t.pt")
    assert list(got) == ["weight", "bias"] and got._metadata[""]["version"] == 1


def test_weights_only_false_still_trusts_the_file(tmp_path):
    sd = collections.OrderedDict(w=ember.ones(2))
    sd._metadata = {"x": 1}
    ember.save(sd, tmp_path / "sd.pt")
    assert ember.load(tmp_path / "sd.pt", weights_only=False)._metadata == {"x": 1}


# -- declared sizes ----------------------------------------------------------------------------------

def _lie_about_size(path, record, size):
    """Patch the zip's central directory (and local header) so `record` claims `size` bytes."""
    raw = bytearray(path.read_bytes())
    name = record.encode()
    central = 0
    while True:
        central = raw.index(b"PK\x01\x02", central)
        n = struct.unpack("<H", raw[central + 28:central + 30])[0]
        if raw[central + 46:central + 46 + n] == name:
            break
        central += 4
    raw[central + 20:central + 28] = struct.pack("<II", size, size)
    local = struct.unpack("<I", raw[central + 42:central + 46])[0]
    raw[local + 18:local + 26] = struct.pack("<II", size, size)
    path.write_bytes(bytes(raw))


def test_a_tiny_file_cannot_make_the_loader_allocate_its_declared_size(tmp_path, monkeypatch):
    numel = 2**29  # 2 GiB of float32
    path = _zip(tmp_path / "tiny.pt", _pickle({"t": _View(_storage(numel), 0, (numel,), (1,))}),
                FOUR_FLOATS)
    _lie_about_size(path, "archive/data/0", numel * 4)
    assert path.stat().st_size < 1000
    allocated = []
    monkeypatch.setattr(_reader, "_host_buffer", lambda *a: allocated.append(a))
    for kwargs in ({}, {"mmap": True}):
        with pytest.raises(RuntimeError, match="declares 2147483648 bytes but the file holds"):
            ember.load(path, **kwargs)
    assert allocated == []


def test_a_tiny_legacy_file_cannot_declare_a_huge_storage(tmp_path, monkeypatch):
    numel = 2**29
    path = _legacy(tmp_path / "tiny.pt", {"t": _View(_storage(numel), 0, (4,), (1,))}, FOUR_FLOATS)
    allocated = []
    real_empty = np.empty
    monkeypatch.setattr(_reader.np, "empty", lambda n, *a: allocated.append(n) or real_empty(0))
    with pytest.raises(RuntimeError, match="more than the file holds"):
        ember.load(path)
    assert allocated == []


def test_a_bytearray_count_is_not_allocated(tmp_path):
    pkl = _ops(_global("__builtin__", "bytearray"), pickle.BININT + struct.pack("<i", 2**30),
               pickle.TUPLE1, pickle.REDUCE)
    with pytest.raises(pickle.UnpicklingError, match="bytearray"):
        ember.load(_zip(tmp_path / "ba.pt", pkl))


def test_duplicate_records_are_refused(tmp_path):
    path = tmp_path / "twice.pt"
    with pytest.warns(UserWarning, match="Duplicate name"):
        _zip(path, _pickle({"a": 1}), extra=[("archive/data.pkl", _pickle({"a": 2}))])
    with pytest.raises(RuntimeError, match="more than one record named archive/data.pkl"):
        ember.load(path)


# -- safetensors ------------------------------------------------------------------------------------

def _safetensors(path, header, body=b"\x00" * 16):
    raw = __import__("json").dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + body)
    return path


@pytest.mark.parametrize("header, message", [
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}, "invalid data offsets"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "b": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, "no hole or overlap"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, "no hole or overlap"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, "cover 8 bytes of a 16"),
    ({"a": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}}, "invalid shape"),
    ({"a": {"dtype": "F32", "shape": [4]}}, "needs dtype, shape and data_offsets"),
    ({"a": {"dtype": "BF16", "shape": [8], "data_offsets": [0, 16]}}, "unsupported dtype"),
    ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}, "needs 12 bytes"),
    ({"a": 3}, "needs dtype"),
    ({"__metadata__": {"k": 1}, "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}},
     "__metadata__"),
])
def test_safetensors_layout_is_validated(tmp_path, header, message):
    with pytest.raises(RuntimeError, match=message):
        load_safetensors(_safetensors(tmp_path / "bad.safetensors", header))


def test_safetensors_header_errors_are_runtime_errors(tmp_path):
    p = tmp_path / "x.safetensors"
    p.write_bytes(struct.pack("<Q", 2**40) + b"{}")
    with pytest.raises(RuntimeError, match="limit"):
        load_safetensors(p)
    raw = b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {}}'
    p.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\x00" * 4)
    with pytest.raises(RuntimeError, match="appears twice"):
        load_safetensors(p)
    p.write_bytes(struct.pack("<Q", 2) + b"[]")
    with pytest.raises(RuntimeError, match="not a JSON object"):
        load_safetensors(p)


def test_safetensors_valid_layouts_still_load(tmp_path):
    save_safetensors({"a": ember.ones(2), "e": ember.ones(0), "b": ember.zeros(3)},
                     tmp_path / "ok.safetensors")
    got = load_safetensors(tmp_path / "ok.safetensors")
    assert got["a"].tolist() == [1.0, 1.0] and got["e"].shape == (0,) and got["b"].shape == (3,)


# -- temporaries left by a killed save --------------------------------------------------------------

def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _temporary(folder, target, pid, host=_tempfiles._HOST, kind="pt"):
    return folder / f".{target}.ember-{host}-{pid}-abcd1234.{kind}"


def test_the_next_save_removes_stale_temporaries_of_ours_only(tmp_path):
    dead = _temporary(tmp_path, "model.pt", _dead_pid())
    alive = _temporary(tmp_path, "model.pt", os.getppid())
    old_style = tmp_path / ".tmp-x1y2z3w4.pt"
    fresh_old_style = tmp_path / ".tmp-q1q2q3q4.pt"
    other_host = _temporary(tmp_path, "m.safetensors", 1, host="00000000", kind="safetensors")
    not_ours = tmp_path / ".tmp-mine.txt"
    for p in (dead, alive, old_style, fresh_old_style, other_host, not_ours):
        p.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old_style, (two_hours_ago, two_hours_ago))
    ember.save({"w": ember.ones(2)}, tmp_path / "model.pt")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["model.pt", alive.name, fresh_old_style.name, other_host.name,
                           not_ours.name])
    os.utime(other_host, (two_hours_ago, two_hours_ago))
    save_safetensors({"w": ember.ones(2)}, tmp_path / "m.safetensors")
    assert not other_host.exists() and alive.exists()


def test_a_killed_save_leaves_a_temporary_the_next_save_removes(tmp_path):
    script = ("import ember, os, sys\n"
              "from ember.serialization import _writer\n"
              "def die(*a): os._exit(9)\n"
              "_writer._write_archive = lambda obj, out, name: (out.write(b'partial'), die())\n"
              "ember.save({'w': ember.ones(3)}, sys.argv[1])\n")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "m.pt")], check=False)
    assert [p.name for p in tmp_path.iterdir() if ".ember-" in p.name]
    ember.save({"w": ember.ones(3)}, tmp_path / "m.pt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]
