"""The fake CuPy itself: it must keep refusing what would hide a NumPy-only path, or the device
tests that run on it prove nothing."""
import numpy as np
import pytest

import ember
from ember import _backend
from tests import _fake_cupy


@pytest.fixture
def cp(fake_cuda):
    return fake_cuda


def test_installs_as_the_cuda_module(cp):
    assert ember.cuda.is_available() and _backend.cupy() is cp
    a = cp.zeros(3)
    assert _backend.xp_of(a) is cp and not _backend.is_cpu_array(a)
    assert _backend.xp_of(np.zeros(3)) is np and _backend.is_cpu_array(np.zeros(3))


def test_numpy_functions_refuse_device_arrays(cp):
    a = cp.ones((2, 3))
    for call in (lambda: np.exp(a), lambda: np.add(a, a), lambda: np.concatenate([a, a]),
                 lambda: np.where(a > 0, a, 0), lambda: np.maximum.reduce(a)):
        with pytest.raises(TypeError, match="fake CUDA: numpy"):
            call()
    assert (np.float32(2) * a).device.id == 0  # a NumPy scalar's operator: CuPy serves it


def test_host_arrays_do_not_mix_with_device_arrays(cp):
    a, h = cp.ones(3), np.ones(3)
    for call in (lambda: a + h, lambda: cp.maximum(a, h), lambda: a[np.array([0, 1])],
                 lambda: a.__setitem__(slice(None), h), lambda: cp.concatenate([a, h]),
                 lambda: a + np.ones(()), lambda: a.take(np.array([0]))):
        with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
            call()
    a[0] = np.float32(2)  # NumPy scalars are fine, as in CuPy
    assert a.get().tolist() == [2.0, 1.0, 1.0]


def test_results_stay_on_the_device(cp):
    a = cp.arange(6.0).reshape(2, 3)
    for r in (a.sum(), a.max(), a[1, 2], cp.sum(a), a.mean(0), a @ a.T, cp.exp(a), a > 1,
              cp.stack([a, a]), cp.lib.stride_tricks.as_strided(a, (2,), (8,))):
        assert isinstance(r, cp.ndarray)
    assert a.sum().ndim == 0 and float(a.sum()) == 15.0 and a.sum().item() == 15.0
    h = a.get()
    assert type(h) is np.ndarray and np.array_equal(h, np.arange(6.0).reshape(2, 3))
    assert list(iter(cp.arange(2))) and all(isinstance(r, cp.ndarray) for r in cp.arange(2))


def test_cupy_api_shape(cp):
    a = cp.ones(4)
    assert not hasattr(a.flags, "writeable") and a.flags.c_contiguous
    assert not hasattr(a, "__array_interface__")
    assert a.__cuda_array_interface__["shape"] == (4,) and a.data.ptr
    assert a.device.id == 0 and cp.cuda.runtime.getDeviceCount() == 1
    cp.add.at(a, cp.asarray([0, 0]), 1.0)
    assert a.get().tolist() == [3.0, 1.0, 1.0, 1.0]
    with pytest.raises(NotImplementedError, match="multiply.at"):
        cp.multiply.at(a, cp.asarray([0]), 2.0)
    with pytest.raises(AttributeError):
        cp.errstate
    with pytest.raises(TypeError):
        cp.lib.stride_tricks.as_strided(a, (2,), (8,), writeable=False)
    with pytest.raises(cp.cuda.runtime.CUDARuntimeError):
        cp.cuda.Device(1).use()


def test_elementwise_kernel_runs_the_c_subset(cp):
    k = cp.ElementwiseKernel("T x, T s", "T y", "T t = x * s; y = max(t, s) + sqrt(x)", "k")
    x = cp.asarray(np.array([1.0, 4.0], np.float32))
    y = k(x, 2.0)
    assert y.dtype == np.float32 and y.get().tolist() == [3.0, 10.0]
    out = cp.zeros(2, np.float32)
    k(x, 2.0, out)
    assert out.get().tolist() == [3.0, 10.0]
    with pytest.raises(NotImplementedError, match="C subset"):
        cp.ElementwiseKernel("T x", "T y", "y = x > 0 ? x : 0", "ternary")
    with pytest.raises(NotImplementedError, match="assigns to the input"):
        cp.ElementwiseKernel("T x", "T y", "x = x + 1; y = x", "writes_input")
    with pytest.raises(TypeError, match="Unsupported type"):
        k(np.ones(2, np.float32), 2.0)


def test_memory_pool_counts_live_arrays(cp):
    pool = cp.get_default_memory_pool()
    before = pool.used_bytes()
    a = cp.zeros(1000, np.float32)
    assert pool.used_bytes() == before + 4000
    del a
    assert pool.used_bytes() == before


def test_pytest_plugin_installs_the_fake():
    previous = _backend._cupy
    try:
        _fake_cupy.pytest_configure(None)
        assert _backend._cupy is _fake_cupy.fake and ember.cuda.is_available()
    finally:
        _fake_cupy.uninstall(previous)
