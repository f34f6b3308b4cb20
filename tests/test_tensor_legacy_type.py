"""Tensor.type(spec): dtypes, legacy classes and legacy names ('torch.cuda.LongTensor') as torch
takes them; torch's ValueError for names it does not know, TypeError for a spec of another kind,
and a TypeError naming what ember lacks for torch names it cannot build (sparse, complex)."""
import numpy as np
import pytest

import ember
from tests import _fake_cupy

NAMES = ["torch.FloatTensor", "torch.DoubleTensor", "torch.HalfTensor", "torch.BoolTensor",
         "torch.ByteTensor", "torch.CharTensor", "torch.ShortTensor", "torch.IntTensor",
         "torch.LongTensor", "torch.Tensor"]
INVALID = ["FloatTensor", "torch.Foo", "torch.float32", "float", "", "torch.LongTensor ",
           "torch.sparse.Tensor", "torch.Size", "torch.quantized.QInt8Tensor"]


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name", NAMES)
def test_legacy_names_cast_like_torch(torch, name):
    data = np.array([1.5, -2.0, 0.0], np.float32)
    got, want = ember.tensor(data).type(name), torch.tensor(data).type(name)
    assert got.type() == want.type() and str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_same_type_returns_self(torch):
    for lib in (ember, torch):
        x = lib.zeros(2)
        assert x.type("torch.FloatTensor") is x and x.type(lib.float32) is x


def test_classes_and_dtypes(torch):
    for lib in (ember, torch):
        x = lib.zeros(2, dtype=lib.int64)
        assert x.type(lib.DoubleTensor).dtype == lib.float64
        assert x.type(lib.Tensor).dtype == lib.float32  # the default dtype
        assert x.type(lib.float16).dtype == lib.float16


@pytest.mark.parametrize("spec", INVALID + [int, bool, np.ndarray, "Module"])
def test_unknown_names_are_torchs_value_error(torch, spec):
    def check(lib):
        s = lib.nn.Module if spec == "Module" else spec
        with pytest.raises(ValueError) as info:
            lib.zeros(2).type(s)
        return str(info.value)
    assert check(ember) == check(torch)


def test_spec_of_another_kind_is_a_type_error(torch):
    for lib in (ember, torch):
        with pytest.raises(TypeError, match="dtype must be a type, str, or dtype object"):
            lib.zeros(2).type(5)


def test_complex_names(torch):
    for name in ("torch.ComplexFloatTensor", "torch.ComplexDoubleTensor"):
        got, want = ember.zeros(2).type(name), torch.zeros(2).type(name)
        assert str(got.dtype) == str(want.dtype) and got.type() == want.type() == name


def test_wide_unsigned_names(torch):
    for name in ("torch.UInt16Tensor", "torch.UInt32Tensor", "torch.UInt64Tensor"):
        got, want = ember.zeros(2).type(name), torch.zeros(2).type(name)
        assert str(got.dtype) == str(want.dtype) and got.type() == want.type() == name


@pytest.mark.parametrize("name", ["torch.sparse.FloatTensor", "torch.ComplexHalfTensor",
                                  "torch.BFloat16Tensor"])
def test_torch_names_ember_cannot_build(name):
    with pytest.raises(TypeError, match="not supported by ember"):
        ember.zeros(2).type(name)


@pytest.fixture
def fake_cuda():
    previous = _fake_cupy.install()
    yield
    _fake_cupy.uninstall(previous)


def test_cuda_names_move_to_the_gpu(fake_cuda):
    x = ember.tensor([1.5, 2.0])
    g = x.type("torch.cuda.LongTensor")
    assert g.is_cuda and g.type() == "torch.cuda.LongTensor" and g.tolist() == [1, 2]
    assert g.type("torch.cuda.DoubleTensor").type() == "torch.cuda.DoubleTensor"
    assert g.type(ember.float64).type() == "torch.cuda.DoubleTensor"  # a dtype keeps the device
    back = g.type("torch.FloatTensor")
    assert back.is_cpu and back.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="invalid type: 'torch.cuda.Foo'"):
        x.type("torch.cuda.Foo")


def test_cuda_names_without_a_gpu_raise_runtime_error():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError):
        ember.zeros(2).type("torch.cuda.FloatTensor")
