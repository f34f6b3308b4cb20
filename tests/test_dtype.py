"""dtypes: PyTorch's type promotion, the default dtype, and conversions, against torch."""
import pickle

import numpy as np
import pytest

import ember
from ember import _dtype

torch = pytest.importorskip("torch")

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _e(name):
    return getattr(ember, name)


def _t(name):
    return getattr(torch, name)


# -- result_type -----------------------------------------------------------------------------------

@pytest.mark.parametrize("b", NAMES)
@pytest.mark.parametrize("a", NAMES)
def test_result_type_tensor_tensor(a, b):
    got = _dtype.result_type(np.ones(2, _e(a).np), np.ones(2, _e(b).np))
    want = torch.result_type(torch.ones(2, dtype=_t(a)), torch.ones(2, dtype=_t(b)))
    assert str(_dtype.from_numpy_dtype(got)) == str(want)


@pytest.mark.parametrize("scalar", [True, 3, 2.5], ids=["bool", "int", "float"])
@pytest.mark.parametrize("a", NAMES)
def test_result_type_tensor_scalar(a, scalar):
    got = _dtype.result_type(np.ones(2, _e(a).np), scalar)
    want = torch.result_type(torch.ones(2, dtype=_t(a)), scalar)
    assert str(_dtype.from_numpy_dtype(got)) == str(want)


@pytest.mark.parametrize("zero", ["float64", "int64", "bool", "int8", "float16"])
@pytest.mark.parametrize("a", NAMES)
def test_result_type_tensor_zero_dim(a, zero):
    got = _dtype.result_type(np.ones(2, _e(a).np), np.ones((), _e(zero).np))
    want = torch.result_type(torch.ones(2, dtype=_t(a)), torch.ones((), dtype=_t(zero)))
    assert str(_dtype.from_numpy_dtype(got)) == str(want)


@pytest.mark.parametrize("scalar", [True, 3, 2.5], ids=["bool", "int", "float"])
@pytest.mark.parametrize("zero", NAMES)
def test_result_type_zero_dim_scalar(zero, scalar):
    got = _dtype.result_type(np.ones((), _e(zero).np), scalar)
    want = torch.result_type(torch.ones((), dtype=_t(zero)), scalar)
    assert str(_dtype.from_numpy_dtype(got)) == str(want)


def test_result_type_scalars_only_and_default_dtype():
    assert _dtype.result_type(1, 2) == np.int64
    assert _dtype.result_type(True, False) == np.bool_
    assert _dtype.result_type(1, 2.0) == np.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert _dtype.result_type(1, 2.0) == np.float64
        assert _dtype.result_type(np.ones(2, np.int32), 0.5) == np.float64
        assert _dtype.result_type(np.ones(2, np.float32), 0.5) == np.float32
    finally:
        ember.set_default_dtype(ember.float32)


# -- promotion through ops -------------------------------------------------------------------------

OPS = {
    "int_times_half": lambda L: L.tensor([1, 2]) * 0.5,
    "float32_plus_float64": lambda L: L.ones(2) + L.ones(2, dtype=L.float64),
    "float32_times_scalar": lambda L: L.ones(2) * 2.5,
    "float32_plus_int_scalar": lambda L: L.ones(2) + 3,
    "float16_times_scalar": lambda L: L.ones(2, dtype=L.float16) * 1000.0,
    "float32_plus_zero_dim_float64": lambda L: L.ones(2) + L.tensor(1.0, dtype=L.float64),
    "int32_plus_zero_dim_int64": lambda L: L.ones(2, dtype=L.int32) + L.tensor(1),
    "int32_plus_zero_dim_float64": lambda L: L.ones(2, dtype=L.int32) + L.tensor(1.5,
                                                                                 dtype=L.float64),
    "zero_dims": lambda L: L.tensor(1.0, dtype=L.float64) + L.tensor(1.0),
    "zero_dim_int_plus_float": lambda L: L.tensor(1) + 1.5,
    "bool_plus_int": lambda L: L.tensor([True, False]) + 1,
    "bool_plus_bool": lambda L: L.tensor([True]) + L.tensor([True]),
    "bool_plus_float": lambda L: L.tensor([True]) + 1.5,
    "bool_times_bool_scalar": lambda L: L.tensor([True]) * True,
    "int_plus_zero_dim_bool": lambda L: L.tensor([1]) + L.tensor(True),
    "bool_plus_zero_dim_int": lambda L: L.tensor([True]) + L.tensor(2),
    "uint8_plus_int8": lambda L: L.ones(2, dtype=L.uint8) + L.ones(2, dtype=L.int8),
    "int16_minus_int32": lambda L: L.ones(2, dtype=L.int16) - L.ones(2, dtype=L.int32),
    "float16_plus_int64": lambda L: L.ones(2, dtype=L.float16) + L.ones(2, dtype=L.int64),
    "float16_plus_zero_dim_float32": lambda L: L.ones(2, dtype=L.float16) + L.tensor(1.0),
    "int8_times_int": lambda L: L.ones(2, dtype=L.int8) * 2,
    "uint8_plus_out_of_range_int": lambda L: L.tensor([1, 250], dtype=L.uint8) + 300,
    "int_true_divide": lambda L: L.tensor([3, 4], dtype=L.int32) / L.tensor([2, 8],
                                                                           dtype=L.int32),
    "int_divide_scalar": lambda L: L.tensor([3]) / 2,
    "reverse_scalar_sub": lambda L: 1 - L.tensor([1, 2], dtype=L.int16),
    "exp_int": lambda L: L.exp(L.tensor([0, 1])),
    "log_float64": lambda L: L.log(L.tensor([1.0, 2.0], dtype=L.float64)),
    "neg_int32": lambda L: -L.tensor([1, -2], dtype=L.int32),
    "sum_bool": lambda L: L.tensor([True, False, True]).sum(),
    "sum_int32": lambda L: L.ones(3, dtype=L.int32).sum(),
    "sum_float16": lambda L: L.ones(3, dtype=L.float16).sum(),
    "mean_float64": lambda L: L.ones(3, dtype=L.float64).mean(),
}


@pytest.mark.parametrize("name", list(OPS))
def test_promotion_through_ops(name):
    e, t = OPS[name](ember), OPS[name](torch)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.numpy().astype(np.float64), t.numpy().astype(np.float64),
                               rtol=1e-6)


def test_python_scalar_never_widens_float32():
    x = ember.ones(3)
    for y in (x * 1e30, x + 2 ** 40, 3.0 - x, x / 7.0, x * True):
        assert y.dtype == ember.float32
    h = ember.ones(2, dtype=ember.float16)
    assert (h + 0.1).dtype == ember.float16


def test_bool_arithmetic_errors_like_torch():
    with pytest.raises(RuntimeError):
        -torch.tensor([True])
    with pytest.raises(RuntimeError):
        -ember.tensor([True])
    with pytest.raises(RuntimeError):
        ember.tensor([True]) - ember.tensor([False])


def test_mean_of_integers_raises():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        ember.tensor([1, 2]).mean()


# -- default dtype ---------------------------------------------------------------------------------

def test_default_dtype_roundtrip():
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.get_default_dtype() is ember.float64
        assert ember.tensor([1.5]).dtype == ember.float64
        assert ember.tensor([1]).dtype == ember.int64
        assert ember.zeros(2).dtype == ember.float64
        assert ember.arange(0.0, 1.0, 0.5).dtype == ember.float64
        assert ember.rand(2).dtype == ember.float64
        assert ember.full((2,), 1.5).dtype == ember.float64
        assert (ember.tensor([1, 2]) * 0.5).dtype == ember.float64
        assert ember.Tensor([1.0]).dtype == ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.5]).dtype == ember.float32


def test_default_dtype_float16():
    ember.set_default_dtype(ember.float16)
    try:
        assert ember.tensor([1.5]).dtype == ember.float16
    finally:
        ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("bad", ["int64", "bool", "uint8"])
def test_set_default_dtype_rejects_non_float(bad):
    with pytest.raises(TypeError, match="only floating-point types"):
        ember.set_default_dtype(_e(bad))
    with pytest.raises(TypeError, match="only floating-point types"):
        torch.set_default_dtype(_t(bad))
    assert ember.get_default_dtype() is ember.float32


# -- dtype objects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes_match_torch(name):
    e, t = _e(name), _t(name)
    assert repr(e) == repr(t) == str(e) == f"torch.{name}"
    assert e.is_floating_point == t.is_floating_point
    assert e.is_signed == t.is_signed
    assert e.itemsize == t.itemsize
    assert e.is_complex == t.is_complex is False
    assert pickle.loads(pickle.dumps(e)) is e


def test_dtype_aliases():
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.half is ember.float16 and ember.long is ember.int64
    assert ember.int is ember.int32 and ember.short is ember.int16


# -- conversions -----------------------------------------------------------------------------------

CONVERSIONS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]


@pytest.mark.parametrize("method", CONVERSIONS)
def test_conversion_methods(method):
    data = [[-1.7, 0.0, 2.5], [3.0, 0.4, -0.0]] if method != "byte" else [[1.7, 0.0, 2.5]]
    e = getattr(ember.tensor(data), method)()
    t = getattr(torch.tensor(data), method)()
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_conversion_to_same_dtype_returns_self():
    x = ember.ones(2)
    assert x.float() is x and x.to(ember.float32) is x and x.type(ember.float32) is x
    assert x.to(ember.float32, copy=True) is not x


def test_to_forms():
    x = ember.tensor([1.5, -2.5])
    assert x.to(ember.float64).dtype == ember.float64
    assert x.to(dtype=ember.int32).tolist() == [1, -2]
    assert x.to(ember.ones(1, dtype=ember.float16)).dtype == ember.float16
    assert x.to("cpu") is x and x.to(ember.device("cpu"), ember.int64).dtype == ember.int64


def test_type_forms():
    x = ember.ones(2)
    assert x.type() == "torch.FloatTensor"
    assert ember.ones(2, dtype=ember.int32).type() == "torch.IntTensor"
    assert x.type(ember.float64).dtype == ember.float64
    assert x.type("torch.LongTensor").dtype == ember.int64
    assert x.type("torch.DoubleTensor").dtype == ember.float64
    assert x.type_as(ember.ones(1, dtype=ember.int32)).dtype == ember.int32
    for name in NAMES:
        assert ember.ones(1, dtype=_e(name)).type() == torch.ones(1, dtype=_t(name)).type()


def test_conversion_is_differentiable():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert type(y.grad_fn).__name__ == "ToCopyBackward0" and y.dtype == ember.float64
    (y * y).sum().backward()
    assert x.grad.dtype == ember.float32 and x.grad.tolist() == [2.0, 4.0]
    assert not x.long().requires_grad


def test_is_floating_point_and_signed():
    assert ember.ones(1).is_floating_point() and not ember.tensor([1]).is_floating_point()
    assert ember.is_floating_point(ember.ones(1, dtype=ember.float16))
    assert ember.tensor([1]).is_signed() and not ember.tensor([1], dtype=ember.uint8).is_signed()
    assert ember.ones(2, dtype=ember.float64).element_size() == 8



# -- Python types as dtypes: each names the C type of its values (float is double) -----------------

PY_TYPES = [float, int, bool, complex]


@pytest.mark.parametrize("py_type", PY_TYPES)
def test_python_type_as_sum_dtype(py_type):
    got = ember.ones(3, dtype=ember.int32).sum(dtype=py_type)
    want = torch.ones(3, dtype=torch.int32).sum(dtype=py_type)
    assert str(got.dtype) == str(want.dtype) and got.tolist() == want.tolist()


def test_python_float_as_mean_cumsum_and_norm_dtype():
    x = [0.5, 1.5, 2.5]
    for e, t in ((ember.tensor(x).mean(dtype=float), torch.tensor(x).mean(dtype=float)),
                 (ember.tensor(x).cumsum(0, dtype=float), torch.tensor(x).cumsum(0, dtype=float)),
                 (ember.linalg.vector_norm(ember.tensor(x), dtype=float),
                  torch.linalg.vector_norm(torch.tensor(x), dtype=float))):
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


@pytest.mark.parametrize("py_type", PY_TYPES)
def test_python_type_in_to(py_type):
    e, t = ember.tensor([0.0, 2.5]), torch.tensor([0.0, 2.5])
    for got, want in ((e.to(py_type), t.to(py_type)), (e.to(dtype=py_type), t.to(dtype=py_type)),
                      (e.to("cpu", py_type), t.to("cpu", py_type))):
        assert str(got.dtype) == str(want.dtype) and got.tolist() == want.tolist()


@pytest.mark.parametrize("py_type", PY_TYPES)
@pytest.mark.parametrize("factory", ["zeros", "ones", "empty"])
def test_python_type_in_factories(factory, py_type):
    got = getattr(ember, factory)(2, 3, dtype=py_type)
    want = getattr(torch, factory)(2, 3, dtype=py_type)
    assert str(got.dtype) == str(want.dtype) and got.shape == want.shape


# Every other factory and method taking dtype= reads a Python type the same way.
PY_TYPE_CALLS = [
    "full((2,), 1, dtype={t})", "tensor([1, 0], dtype={t})", "as_tensor([1, 0], dtype={t})",
    "asarray([1, 0], dtype={t})", "ones(2).new_tensor([1, 0], dtype={t})",
    "ones(2).new_full((2,), 1, dtype={t})", "ones(2).new_zeros(2, dtype={t})",
    "tensor([1.0, 2.0]).view({t})", "tensor([1.0, 2.0]).view(dtype={t})",
    "scalar_tensor(1, dtype={t})", "tril_indices(3, 3, dtype={t})", "triu_indices(3, 3, dtype={t})",
    "zeros_like(ones(2), dtype={t})", "full_like(ones(2), 1, dtype={t})",
]


@pytest.mark.parametrize("py_type", ["float", "int", "bool", "complex"])
@pytest.mark.parametrize("call", PY_TYPE_CALLS)
def test_python_type_in_factories_and_methods(call, py_type):
    """The dtype as torch makes it, or torch's exception (tril_indices of anything but
    int32/int64, view of an element size that does not divide)."""
    def run(lib):
        try:
            return eval("lib." + call.format(t=py_type), {"lib": lib})
        except Exception as exc:  # the outcome compared is the exception's type
            return exc
    got, want = run(ember), run(torch)
    if isinstance(want, Exception):
        assert type(got) is type(want), got
        return
    assert str(got.dtype) == str(want.dtype) and got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("py_type", [float, int, complex])
@pytest.mark.parametrize("call", ["randn(2, dtype={t})", "rand(2, dtype={t})",
                                  "arange(3, dtype={t})", "randint(0, 3, (2,), dtype={t})",
                                  "normal(0.0, 1.0, (2,), dtype={t})",
                                  "rand_like(ones(2), dtype={t})", "randperm(3, dtype={t})"])
def test_python_type_in_sampled_and_ranged_factories(call, py_type):
    def run(lib):
        try:
            return eval("lib." + call.format(t=py_type.__name__), {"lib": lib})
        except Exception as exc:  # the outcome compared is the exception's type
            return exc
    got, want = run(ember), run(torch)
    if isinstance(want, Exception):
        assert type(got) is type(want), got
    else:
        assert str(got.dtype) == str(want.dtype) and got.shape == want.shape


@pytest.mark.parametrize("call", ["view(2, size=(2,))", "view(size=(2,), dtype=lib.int32)",
                                  "view()", "view(2, dtype=lib.int32)", "view(dtype=(2,))"])
def test_view_refuses_mixed_overloads(call):
    for lib in (ember, torch):
        with pytest.raises(TypeError, match="invalid combination of arguments"):
            eval("lib.ones(2)." + call, {"lib": lib})


def test_view_by_keyword():
    assert ember.ones(4).view(size=(2, 2)).shape == (2, 2)
    assert ember.ones(2).view(dtype=ember.int32).tolist() == torch.ones(2).view(
        dtype=torch.int32).tolist()


@pytest.mark.parametrize("dtype", ["int16", "uint8", "float32", "bool"])
def test_tril_indices_refuses_dtypes_without_kernel(dtype):
    for fn in ("tril_indices", "triu_indices"):
        with pytest.raises(NotImplementedError) as want:
            getattr(torch, fn)(3, 3, dtype=getattr(torch, dtype))
        with pytest.raises(NotImplementedError) as got:
            getattr(ember, fn)(3, 3, dtype=getattr(ember, dtype))
        assert str(got.value) == str(want.value)


@pytest.mark.parametrize("dtype", ["bool", "complex64", "complex128"])
def test_arange_refuses_dtypes_without_kernel(dtype):
    with pytest.raises(NotImplementedError) as want:
        torch.arange(3, dtype=getattr(torch, dtype))
    with pytest.raises(NotImplementedError) as got:
        ember.arange(3, dtype=getattr(ember, dtype))
    assert str(got.value) == str(want.value)
