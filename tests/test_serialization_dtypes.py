"""Checkpoints of every ember dtype cross between ember and torch in both directions, views keep
their strides, storage offsets and shared memory, and hostile files that use the paths of the
newer dtypes (complex storages, `_rebuild_tensor_v3` over an UntypedStorage) are refused."""
import io
import pickle
import pickletools
import struct
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import _reader, _writer, safe_globals

DTYPES = ["float16", "float32", "float64", "complex64", "complex128", "int8", "int16", "int32",
          "int64", "uint8", "uint16", "uint32", "uint64", "bool"]


def _array(dtype):
    """A 3x4 array whose values use the dtype's range: negative, fractional, imaginary parts,
    unsigned values past the signed type of the same width."""
    rng = np.random.default_rng(0)
    if dtype == "bool":
        return rng.random((3, 4)) < 0.5
    kind = np.dtype(dtype).kind
    if kind == "u":
        top = np.iinfo(dtype).max
        return (top - rng.integers(0, 1000, (3, 4)).astype(dtype)).astype(dtype)
    a = rng.standard_normal((3, 4)) * 10
    if kind == "c":
        a = a + 1j * rng.standard_normal((3, 4))
    return a.astype(dtype)


def _views(base):
    """The base, a transposed view and a row slice at storage offset 5: one storage among three."""
    return {"x": base, "t": base.t(), "row": base[1, 1:], "n": 3}


def _check_views(got, a):
    """got holds _views of a tensor of a (ember's or torch's tensors: the checks read both)."""
    for key, want in (("x", a), ("t", a.T), ("row", a[1, 1:])):
        assert str(got[key].dtype) == f"torch.{a.dtype.name}", key
        assert tuple(got[key].shape) == want.shape, key
        np.testing.assert_array_equal(got[key].numpy(), want, err_msg=key)
    assert got["t"].stride() == (1, 4) and got["row"].stride() == (1,)
    assert got["x"].storage_offset() == got["t"].storage_offset() == 0
    assert got["row"].storage_offset() == 5
    assert got["n"] == 3
    # one storage: a write through the row shows in the base and the transposed view
    new = np.asarray(not a[1, 1] if a.dtype == bool else a[1, 1] - 1, a.dtype)
    got["row"].numpy()[0] = new
    assert got["x"].numpy()[1, 1] == new and got["t"].numpy()[1, 1] == new


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_in_ember(tmp_path, dtype):
    a = _array(dtype)
    ember.save(_views(ember.from_numpy(a.copy())), tmp_path / "e.pt")
    for kwargs in ({}, {"weights_only": False}, {"mmap": True}):
        _check_views(ember.load(tmp_path / "e.pt", **kwargs), a)


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_to_torch(tmp_path, dtype, weights_only):
    torch = pytest.importorskip("torch")
    a = _array(dtype)
    ember.save(_views(ember.from_numpy(a.copy())), tmp_path / "e.pt")
    got = torch.load(tmp_path / "e.pt", weights_only=weights_only)
    _check_views(got, a)
    assert got["row"].untyped_storage().data_ptr() == got["x"].untyped_storage().data_ptr()


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_to_ember(tmp_path, dtype, weights_only, legacy):
    torch = pytest.importorskip("torch")
    a = _array(dtype)
    torch.save(_views(torch.from_numpy(a.copy())), tmp_path / "t.pt",
               _use_new_zipfile_serialization=not legacy)
    _check_views(ember.load(tmp_path / "t.pt", weights_only=weights_only), a)


def test_a_saved_view_alone_keeps_its_offset_both_ways(tmp_path):
    """torch saves a view's whole storage and its offset; so does ember, and both load it back."""
    torch = pytest.importorskip("torch")
    torch.save({"v": torch.arange(6.0)[2:]}, tmp_path / "t.pt")
    ember.save({"v": ember.arange(6.0)[2:]}, tmp_path / "e.pt")
    for path in (tmp_path / "t.pt", tmp_path / "e.pt"):
        for load in (ember.load, torch.load):
            v = load(path)["v"]
            assert v.storage_offset() == 2 and v.tolist() == [2.0, 3.0, 4.0, 5.0], (path, load)


def _globals_in(path):
    with zipfile.ZipFile(path) as zf:
        pkl = zf.read(next(n for n in zf.namelist() if n.endswith("/data.pkl")))
    return {arg for op, arg, _ in pickletools.genops(pkl) if op.name == "GLOBAL"}


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_names_the_globals_torch_names(tmp_path, dtype):
    """Typed storages for the dtypes torch has a class for, UntypedStorage and
    _rebuild_tensor_v3 for uint16/32/64: what torch.save writes for the same tensor."""
    torch = pytest.importorskip("torch")
    a = _array(dtype)
    torch.save({"x": torch.from_numpy(a.copy())}, tmp_path / "t.pt")
    ember.save({"x": ember.from_numpy(a.copy())}, tmp_path / "e.pt")
    assert _globals_in(tmp_path / "e.pt") == _globals_in(tmp_path / "t.pt")


@pytest.mark.parametrize("dtype, requires_grad", [("complex64", True), ("uint16", False)])
def test_parameters_of_the_new_dtypes_cross_both_ways(tmp_path, dtype, requires_grad):
    torch = pytest.importorskip("torch")
    a = _array(dtype)
    ember.save({"p": ember.nn.Parameter(ember.from_numpy(a.copy()), requires_grad)},
               tmp_path / "e.pt")
    torch.save({"p": torch.nn.Parameter(torch.from_numpy(a.copy()), requires_grad)},
               tmp_path / "t.pt")
    for path, load, param in ((tmp_path / "e.pt", torch.load, torch.nn.Parameter),
                              (tmp_path / "t.pt", ember.load, ember.nn.Parameter)):
        p = load(path)["p"]
        assert isinstance(p, param) and p.requires_grad == requires_grad, path
        assert str(p.dtype) == f"torch.{dtype}"
        np.testing.assert_array_equal(p.detach().numpy(), a)


# -- hostile files ---------------------------------------------------------------------------------

class _V3:
    """Pickles as `_rebuild_tensor_v3(storage, offset, size, stride, False, OrderedDict(), dtype)`,
    whatever the values."""

    def __init__(self, storage, offset, size, stride, dtype):
        self.args = (storage, offset, size, stride, False, _writer._OrderedDictRef(), dtype)

    def __reduce__(self):
        return (_writer._REBUILD_TENSOR_V3, self.args)


class _Call:
    """Pickles as `func(*args)`."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _storage(nbytes, typed=None):
    """A storage of nbytes bytes, pickled as the UntypedStorage torch writes for uint16, or as the
    typed storage (FloatStorage ...) of the dtype typed."""
    if typed is None:
        return _writer._Storage("0", np.zeros(nbytes, np.uint8), ember.uint16)
    return _writer._Storage("0", np.zeros(nbytes // typed.itemsize, typed.np), typed)


def _zip(path, obj, nbytes, pickler=_writer._Pickler):
    buf = io.BytesIO()
    pickler(buf).dump(obj)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", buf.getvalue())
        zf.writestr("archive/data/0", bytes(range(nbytes)))
    return path


def _legacy(path, obj, storage):
    """PyTorch's pre-1.6 layout: magic, protocol, sys info, the object, its storage keys, then
    the storage's numel (bytes for an UntypedStorage) and its bytes."""
    buf = io.BytesIO()
    _writer._Pickler(buf).dump(obj)
    with open(path, "wb") as f:
        for head in (_reader._LEGACY_MAGIC, 1001, {"little_endian": True}):
            f.write(pickle.dumps(head, protocol=2))
        f.write(buf.getvalue())
        f.write(pickle.dumps(["0"], protocol=2))
        numel = storage.array.size if storage.dtype != ember.uint16 else storage.array.nbytes
        f.write(struct.pack("<q", numel) + bytes(range(storage.array.nbytes)))
    return path


def _load(path, how):
    return ember.load(path, weights_only=(how != "trusted"), mmap=(how == "mmap"))


HOWS = ["weights_only", "trusted", "mmap"]
# (storage bytes, offset, size, stride, dtype): each reaches past its storage only when offset,
# size and stride count elements of the dtype, not bytes of the storage
BAD_V3_VIEWS = {
    "offset past the end": ((16, 8, (1,), (1,), "uint16"), "the checkpoint is corrupt"),
    "extent past the end in elements, not in bytes": ((16, 0, (3,), (1,), "uint64"),
                                                      "the checkpoint is corrupt"),
    "stride past the end": ((16, 0, (2,), (8,), "uint16"), "the checkpoint is corrupt"),
    "a last element cut by the storage's end": ((7, 0, (4,), (1,), "uint16"),
                                                "the checkpoint is corrupt"),
    "overflowing stride": ((16, 0, (1, 2), (2**62, 1), "uint32"), "the checkpoint is corrupt"),
    "negative offset": ((16, -1, (2,), (1,), "uint16"), "invalid storage offset -1"),
    "negative stride": ((16, 4, (2,), (-2,), "uint16"), "Storage size calculation overflowed"),
    "negative size": ((16, 0, (-2,), (1,), "uint16"), "negative dimension"),
    "sizes and strides of different lengths": ((16, 0, (2, 2), (1,), "uint16"), "mismatch"),
    "a typed storage read as a wider dtype": ((16, 0, (3,), (1,), "uint64", ember.float32),
                                              "the checkpoint is corrupt"),
}


@pytest.mark.parametrize("how", HOWS + ["legacy"])
@pytest.mark.parametrize("case", sorted(BAD_V3_VIEWS))
def test_v3_views_outside_their_storage_are_refused(tmp_path, case, how):
    (nbytes, offset, size, stride, dtype, *typed), message = BAD_V3_VIEWS[case]
    storage = _storage(nbytes, *typed)
    obj = {"t": _V3(storage, offset, size, stride, getattr(ember, dtype))}
    if how == "legacy":
        path = _legacy(tmp_path / "evil.pt", obj, storage)
    else:
        path = _zip(tmp_path / "evil.pt", obj, nbytes)
    with pytest.raises(RuntimeError, match=message):
        _load(path, how)


@pytest.mark.parametrize("case", sorted(BAD_V3_VIEWS))
def test_torch_refuses_the_same_v3_files(tmp_path, case):
    torch = pytest.importorskip("torch")
    (nbytes, offset, size, stride, dtype, *typed), _ = BAD_V3_VIEWS[case]
    path = _zip(tmp_path / "evil.pt", {"t": _V3(_storage(nbytes, *typed), offset, size, stride,
                                                getattr(ember, dtype))}, nbytes)
    with pytest.raises(RuntimeError):
        torch.load(path)


@pytest.mark.parametrize("how", HOWS)
def test_v3_views_that_fit_exactly_still_load(tmp_path, how):
    raw = bytes(range(16))
    obj = {"last": _V3(_storage(16), 7, (1,), (1,), ember.uint16),
           "cut": _V3(_storage(16), 0, (5,), (3,), ember.uint8),
           "two": _V3(_storage(16), 0, (2,), (1,), ember.uint64),
           "odd": _V3(_storage(7), 0, (3,), (1,), ember.uint16),
           "floats": _V3(_storage(16, ember.float32), 1, (1,), (1,), ember.uint64),
           "empty": _V3(_storage(16), 100, (0, 3), (-5, 1), ember.uint32)}
    got = _load(_zip(tmp_path / "ok.pt", obj, 16), how)
    assert got["last"].tolist() == [int.from_bytes(raw[14:16], "little")]
    assert got["last"].storage_offset() == 7
    assert got["cut"].tolist() == list(raw[0:15:3])
    assert got["two"].numpy().tobytes() == raw
    assert got["odd"].numpy().tobytes() == raw[:6]
    assert got["floats"].numpy().tobytes() == raw[8:]
    assert got["empty"].shape == (0, 3) and got["empty"].dtype == ember.uint32


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("dtype", [5, "uint16", None, (ember.uint16,),
                                   _writer._Global("torch", "FloatStorage"),
                                   _writer._Global("torch.storage", "UntypedStorage"),
                                   _writer._Global("torch", "device"),
                                   _writer._REBUILD_TENSOR_V3],
                         ids=["int", "str", "None", "tuple", "storage type", "untyped storage",
                              "device", "function"])
def test_a_dtype_that_is_not_a_dtype_is_refused(tmp_path, dtype, how):
    path = _zip(tmp_path / "evil.pt", {"t": _V3(_storage(16), 0, (2,), (1,), dtype)}, 16)
    with pytest.raises(pickle.UnpicklingError, match="dtype must be a torch dtype"):
        _load(path, how)


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("storage", [3, [1, 2], _writer._Global("torch", "uint16")],
                         ids=["int", "list", "dtype"])
def test_a_storage_that_is_not_a_storage_is_refused(tmp_path, storage, how):
    path = _zip(tmp_path / "evil.pt", {"t": _V3(storage, 0, (1,), (1,), ember.uint16)}, 0)
    with pytest.raises(pickle.UnpicklingError, match="rebuilt from a storage"):
        _load(path, how)


def _reversed_floats(n):
    """Stands in for an allowlisted global that makes an array whose strides are its own."""
    return np.arange(n, dtype=np.float32)[::-1]


class _Reversed:
    def __reduce__(self):
        return (_writer._Global(__name__, "_reversed_floats"), (16,))


@pytest.mark.parametrize("rebuild", ["v2", "v3"])
def test_an_array_that_is_not_a_storage_cannot_be_viewed(tmp_path, rebuild):
    """A reversed array's data pointer is its last element: viewing forward from it as a storage
    would read past the array's memory."""
    view = (_Reversed(), 0, (16,), (1,), False, _writer._OrderedDictRef())
    if rebuild == "v3":
        view += (ember.uint32,)
    func = _writer._REBUILD_TENSOR if rebuild == "v2" else _writer._REBUILD_TENSOR_V3
    obj = _Call(func, view)
    path = _zip(tmp_path / "evil.pt", {"t": obj}, 0)
    with safe_globals([_reversed_floats]):
        with pytest.raises(pickle.UnpicklingError, match="rebuilt from a storage"):
            ember.load(path)


@pytest.mark.parametrize("module, name", [("torch", "UntypedStorage"),
                                          ("torch", "ComplexHalfStorage"),
                                          ("torch._utils", "_rebuild_tensor_v4")])
def test_names_beside_the_allowed_ones_stay_refused(tmp_path, module, name):
    """torch's weights-only unpickler knows UntypedStorage only as torch.storage.UntypedStorage,
    and has no ComplexHalfStorage."""

    class Renaming(_writer._Pickler):
        def persistent_id(self, obj):
            got = super().persistent_id(obj)
            return got and (got[0], _writer._Global(module, name)) + got[2:]

    path = tmp_path / "evil.pt"
    if name.startswith("_rebuild"):
        _zip(path, {"t": _Call(_writer._Global(module, name), (_storage(4), 0, (2,), (1,)))}, 4)
    else:
        _zip(path, {"t": _V3(_storage(4), 0, (2,), (1,), ember.uint16)}, 4, Renaming)
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {module}.{name} was refused"):
        ember.load(path)


def test_an_untyped_storage_declaring_more_bytes_than_its_record_is_refused(tmp_path):
    storage = _writer._Storage("0", np.broadcast_to(np.zeros((), np.uint16), (2**28,)),
                               ember.uint16)
    path = _zip(tmp_path / "evil.pt", {"t": _V3(storage, 0, (2,), (1,), ember.uint16)}, 16)
    with pytest.raises(RuntimeError, match="holds 16 bytes but its storage needs 536870912"):
        ember.load(path)
