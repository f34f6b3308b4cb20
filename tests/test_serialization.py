"""ember.save / ember.load: PyTorch's format both ways, weights-only safety, atomic writes, bad files."""
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import load_safetensors, save_safetensors

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _array(dtype, shape=(3, 4)):
    rng = np.random.default_rng(0)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    return (rng.standard_normal(shape) * 10).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_in_ember(tmp_path, dtype):
    t = ember.from_numpy(_array(dtype))
    ember.save({"t": t}, tmp_path / "a.pt")
    back = ember.load(tmp_path / "a.pt")["t"]
    assert back.dtype == t.dtype and back.shape == t.shape
    np.testing.assert_array_equal(back.numpy(), t.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_to_torch(tmp_path, dtype):
    torch = pytest.importorskip("torch")
    a = _array(dtype)
    ember.save({"t": ember.from_numpy(a), "n": 3, "s": "x"}, tmp_path / "a.pt")
    got = torch.load(tmp_path / "a.pt")  # torch's default weights_only=True
    assert str(got["t"].dtype) == f"torch.{dtype}"
    np.testing.assert_array_equal(got["t"].numpy(), a)
    assert got["n"] == 3 and got["s"] == "x"


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_to_ember(tmp_path, dtype):
    torch = pytest.importorskip("torch")
    a = _array(dtype)
    torch.save({"t": torch.from_numpy(a.copy())}, tmp_path / "a.pt")
    got = ember.load(tmp_path / "a.pt")["t"]
    assert got.dtype.name == dtype
    np.testing.assert_array_equal(got.numpy(), a)


def test_shared_storage_survives_both_ways(tmp_path):
    torch = pytest.importorskip("torch")
    base = ember.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
    view = ember.from_numpy(base.numpy()[1])
    ember.save([base, view], tmp_path / "e.pt")
    tb, tv = torch.load(tmp_path / "e.pt")
    tv[0] = 100.0
    assert tb[1, 0].item() == 100.0
    eb, ev = ember.load(tmp_path / "e.pt")
    ev.numpy()[0] = -1.0
    assert eb.numpy()[1, 0] == -1.0

    x = torch.arange(12.0).reshape(3, 4)
    torch.save({"x": x, "t": x.t(), "row": x[2]}, tmp_path / "t.pt")
    got = ember.load(tmp_path / "t.pt")
    np.testing.assert_array_equal(got["t"].numpy(), x.t().numpy())
    assert not got["t"].is_contiguous()
    got["row"].numpy()[0] = 7.0
    assert got["x"].numpy()[2, 0] == 7.0


def test_legacy_format_from_torch(tmp_path):
    torch = pytest.importorskip("torch")
    x = torch.arange(6.0).reshape(2, 3)
    torch.save({"x": x, "y": x[1]}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    got = ember.load(tmp_path / "old.pt")
    np.testing.assert_array_equal(got["x"].numpy(), x.numpy())
    np.testing.assert_array_equal(got["y"].numpy(), x[1].numpy())


def test_file_objects_and_map_location(tmp_path):
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2)}, buf)
    buf.seek(0)
    got = ember.load(buf, map_location="cpu")
    np.testing.assert_array_equal(got["w"].numpy(), [1.0, 1.0])


def test_weights_only_refuses_code_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    buf = io.BytesIO()
    pickle.dump({"x": Evil()}, buf, protocol=2)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("evil/data.pkl", buf.getvalue())
        zf.writestr("evil/version", "3\n")
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system|system"):
        ember.load(path)
    assert not marker.exists()


def test_weights_only_false_must_be_asked_for(tmp_path):
    path = tmp_path / "obj.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("o/data.pkl", pickle.dumps({"c": complex(1, 2), "f": frozenset([1])},
                                               protocol=2))
    got = ember.load(path)  # builtins that only build data are allowed
    assert got["c"] == complex(1, 2)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("o/data.pkl", pickle.dumps(collections_counter(), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="Counter"):
        ember.load(path)
    assert ember.load(path, weights_only=False)["a"] == 1


def collections_counter():
    import collections
    return collections.Counter(a=1)


def test_save_is_atomic(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        ember.save({"w": ember.zeros(3), "bad": Unpicklable()}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]


def test_truncated_file_raises_naming_it(tmp_path):
    path = tmp_path / "cut.pt"
    ember.save({"w": ember.ones(1000)}, path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(RuntimeError, match="cut.pt"):
        ember.load(path)


def test_wrong_magic_and_empty_file(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"hello world")
    with pytest.raises(RuntimeError, match="junk.pt is not a checkpoint"):
        ember.load(path)
    path.write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty"):
        ember.load(path)


def test_missing_data_record_and_short_storage(tmp_path):
    good = tmp_path / "good.pt"
    ember.save({"w": ember.ones(4)}, good)
    with zipfile.ZipFile(good) as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    missing = tmp_path / "missing.pt"
    with zipfile.ZipFile(missing, "w") as zf:
        for n, data in records.items():
            if "/data/" not in n:
                zf.writestr(n, data)
    with pytest.raises(RuntimeError, match="missing data record"):
        ember.load(missing)
    short = tmp_path / "short.pt"
    with zipfile.ZipFile(short, "w") as zf:
        for n, data in records.items():
            zf.writestr(n, data[:8] if "/data/" in n else data)
    with pytest.raises(RuntimeError, match="short.pt is corrupt"):
        ember.load(short)


def test_safetensors_round_trip(tmp_path):
    sd = {"a": ember.from_numpy(_array("float32")), "b": ember.from_numpy(_array("int64", (5,)))}
    save_safetensors(sd, tmp_path / "m.safetensors", metadata={"format": "pt"})
    back = load_safetensors(tmp_path / "m.safetensors")
    for k in sd:
        assert back[k].dtype == sd[k].dtype
        np.testing.assert_array_equal(back[k].numpy(), sd[k].numpy())
    raw = (tmp_path / "m.safetensors").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert b'"a":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]}' in raw[8:8 + n]
    (tmp_path / "bad.safetensors").write_bytes(raw[:-10])
    with pytest.raises(RuntimeError, match="corrupt"):
        load_safetensors(tmp_path / "bad.safetensors")


def test_mmap_load_maps_copy_on_write(tmp_path):
    path = tmp_path / "big.pt"
    a = np.arange(300_000, dtype=np.float32)
    ember.save({"a": ember.from_numpy(a), "v": ember.from_numpy(a[10:20])}, path)
    got = ember.load(path, mmap=True)
    np.testing.assert_array_equal(got["a"].numpy(), a)
    got["v"].numpy()[0] = -1.0  # a view of the same storage, even when mapped
    assert got["a"].numpy()[10] == -1.0
    np.testing.assert_array_equal(ember.load(path)["a"].numpy(), a)  # the file is unchanged
    with pytest.raises(ValueError, match="file path"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)
