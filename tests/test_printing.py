"""repr of ember tensors against torch 2.13's repr of the same data."""
import numpy as np
import pytest

import ember
from ember import _printing
from ember._backend import cuda_is_available

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(1234)


def _randn(*shape, dtype=np.float32):
    return _rng.standard_normal(shape).astype(dtype)


# id -> NumPy data; each is printed by both libraries from the same array.
DATA = {
    "float_small": np.array([1.5, 2.25, -3.125], np.float32),
    "float_integral": np.array([1.0, 2.0, 3.0], np.float32),
    "float_zeros": np.zeros(4, np.float32),
    "negative_zero": np.array([-0.0, 1.0], np.float32),
    "float_mixed_sign": np.array([[-1.25, 0.5], [3.0, -0.0625]], np.float32),
    "float_rounding_width": np.array([9.99996, 0.1], np.float32),
    "sci_ratio": np.array([0.001, 1.0, 100.0], np.float32),
    "sci_integral": np.array([1e5, 1.0], np.float32),
    "sci_large": np.array([1e9, 2e9], np.float32),
    "sci_tiny": np.array([1e-5, 0.5], np.float32),
    "sci_negative": np.array([-1e-5, 2.5, -300.0], np.float32),
    "sci_three_digit_exponent": np.array([1e-120, 1e150, -3.0], np.float64),
    "float_1e8_not_sci": np.array([1e8, 2e7], np.float32),
    "ints": np.array([1, -20, 300], np.int64),
    "ints_2d": np.array([[1, 22, 333], [-4444, 5, 0]], np.int64),
    "int32": np.array([7, -8, 9], np.int32),
    "int16": np.array([[1, 2], [3, 4]], np.int16),
    "int8": np.array([-128, 127], np.int8),
    "uint8": np.array([0, 128, 255], np.uint8),
    "bool": np.array([True, False, True]),
    "bool_all_true": np.array([[True, True]]),
    "float64": np.array([1.5, -2.0, 1e-3], np.float64),
    "float64_integral": np.array([[1.0, 2.0]], np.float64),
    "float16": np.array([0.1, 2.5, -3.0], np.float16),
    "float16_sci": np.array([1e-4, 60000.0], np.float16),
    "scalar_float_integral": np.array(3.0, np.float32),
    "scalar_float": np.array(0.5, np.float32),
    "scalar_negative_sci": np.array(-1.5e-7, np.float32),
    "scalar_int": np.array(42, np.int64),
    "scalar_int32": np.array(-5, np.int32),
    "scalar_bool": np.array(True),
    "scalar_nan": np.array(np.nan, np.float32),
    "scalar_float64": np.array(2.5, np.float64),
    "empty": np.zeros(0, np.float32),
    "empty_0x3": np.zeros((0, 3), np.float32),
    "empty_int64": np.zeros(0, np.int64),
    "empty_float64": np.zeros(0, np.float64),
    "empty_bool_3d": np.zeros((2, 0, 3), np.bool_),
    "randn_2d": _randn(3, 4),
    "randn_3d": _randn(2, 3, 4),
    "randn_4d": _randn(2, 2, 2, 2),
    "wrap_1d": _randn(30),
    "wrap_2d": _randn(3, 20),
    "wrap_ints": np.arange(100, dtype=np.int64),
    "wrap_float64_suffix": _randn(2, 9).astype(np.float64),
    "threshold_1000": np.arange(1000, dtype=np.float32),
    "summarised_1001": np.arange(1001, dtype=np.int64),
    "summarised_2000": _randn(2000),
    "summarised_100x100": _randn(100, 100),
    "summarised_3d_ints": np.arange(8000, dtype=np.int64).reshape(20, 20, 20),
    "summarised_small_rows": _randn(400, 3),
    "summarised_sci": np.logspace(-6, 6, 1500).astype(np.float32),
    "nan_inf": np.array([np.nan, np.inf, -np.inf, 1.5], np.float32),
    "nonfinite_only": np.array([np.nan, np.inf], np.float32),
    "nan_integral": np.array([np.nan, 1.0, 20.0], np.float32),
    "inf_sci": np.array([np.inf, 1e-6, 1.0], np.float32),
}


def _both(data):
    return ember.tensor(data), torch.from_numpy(data.copy())


@pytest.mark.parametrize("name", list(DATA))
def test_repr_matches_torch(name):
    e, t = _both(DATA[name])
    assert repr(e) == repr(t)
    assert str(e) == repr(e)


# id -> a function of a float32 leaf (ember or torch) building a tensor with autograd history.
GRAPHS = {
    "leaf": lambda x: x,
    "mul": lambda x: x * 2,
    "add": lambda x: x + 1,
    "sub": lambda x: x - x,
    "div": lambda x: x / 4,
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: (x * x).log(),
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
    "sum_dim": lambda x: x.sum(1),
    "view": lambda x: x.view(6),
    "reshape": lambda x: x.reshape(3, 2),
    "expand": lambda x: x.sum(0, keepdim=True).expand(3, 3),
    "float64_leaf": lambda x: x.detach().double().requires_grad_(),
    "float64_mul": lambda x: x.detach().double().requires_grad_() * 3,
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_autograd_suffix_matches_torch(name):
    data = np.array([[0.5, -1.0, 2.0], [3.0, 4.5, -6.0]], np.float32)
    e = GRAPHS[name](ember.tensor(data, requires_grad=True))
    t = GRAPHS[name](torch.tensor(data, requires_grad=True))
    assert repr(e) == repr(t)


@pytest.fixture
def both_options():
    """set_printoptions applied to ember and torch alike, reset to the defaults afterwards."""
    def apply(**kw):
        ember.set_printoptions(**kw)
        torch.set_printoptions(**kw)
    yield apply
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


OPTIONS = {
    "precision_2": ({"precision": 2}, np.array([1.23456, -0.5], np.float32)),
    "precision_8_float64": ({"precision": 8}, np.array([1 / 3, 2.0], np.float64)),
    "sci_mode_true": ({"sci_mode": True}, np.array([1.5, 2.0, 0.25], np.float32)),
    "sci_mode_false": ({"sci_mode": False}, np.array([1e-6, 1e6], np.float32)),
    "threshold_5": ({"threshold": 5}, np.arange(10, dtype=np.int64)),
    "edgeitems_1": ({"threshold": 5, "edgeitems": 1}, _randn(4, 5)),
    "edgeitems_0_1d": ({"threshold": 5, "edgeitems": 0}, np.arange(10, dtype=np.float32)),
    "edgeitems_0_2d": ({"threshold": 5, "edgeitems": 0}, _randn(4, 5)),
    "linewidth_40": ({"linewidth": 40}, _randn(3, 10)),
    "linewidth_suffix": ({"linewidth": 30}, np.array([1.5, 2.5, 3.5], np.float64)),
    "profile_short": ({"profile": "short"}, _randn(2000)),
    "profile_full": ({"profile": "full"}, np.arange(1200, dtype=np.int64)),
    "profile_then_precision": ({"profile": "short", "precision": 5}, _randn(3)),
}


@pytest.mark.parametrize("name", list(OPTIONS))
def test_printoptions_match_torch(name, both_options):
    options, data = OPTIONS[name]
    both_options(**options)
    e, t = _both(data)
    assert repr(e) == repr(t)


def test_set_printoptions_resets_sci_mode(both_options):
    data = np.array([1.5, 2.0], np.float32)
    both_options(sci_mode=True)
    assert repr(ember.tensor(data)) == "tensor([1.5000e+00, 2.0000e+00])"
    both_options(precision=4)  # sci_mode not given: back to automatic, as in torch
    assert repr(ember.tensor(data)) == repr(torch.from_numpy(data)) == "tensor([1.5000, 2.0000])"


def test_profile_replaces_earlier_layout_options(both_options):
    both_options(linewidth=30, edgeitems=1, threshold=5, precision=7)
    both_options(profile="short")
    for data in (_randn(3, 10), _randn(2000)):
        e, t = _both(data)
        assert repr(e) == repr(t)
    assert _printing.get_printoptions() == dict(precision=2, threshold=1000, edgeitems=2,
                                                linewidth=80, sci_mode=None)


def test_printoptions_context_restores():
    before = _printing.get_printoptions()
    with _printing.printoptions(precision=1, threshold=3):
        assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2, 2.5])"
        assert repr(ember.arange(5)) == "tensor([0, 1, 2, 3, 4])"
        assert repr(ember.arange(7)) == "tensor([0, 1, 2,  ..., 4, 5, 6])"
    assert _printing.get_printoptions() == before
    assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2500, 2.5000])"


def test_default_dtype_float64_shows_float32():
    prev = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        data32 = np.array([1.0, 2.5], np.float32)
        for data in (data32, data32.astype(np.float64), np.zeros(0, np.float64),
                     np.zeros(0, np.float32)):
            e, t = _both(data)
            assert repr(e) == repr(t)
    finally:
        ember.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


def test_literal_forms():
    assert repr(ember.tensor(3.0)) == "tensor(3.)"
    assert repr(ember.tensor([])) == "tensor([])"
    assert repr(ember.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(ember.tensor([1e5, 1.0])) == "tensor([1.0000e+05, 1.0000e+00])"
    assert repr(ember.tensor([1, 2], dtype=ember.int32)) == \
        "tensor([1, 2], dtype=torch.int32)"
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)"


def test_non_contiguous_and_views_print_their_values():
    data = _randn(4, 6)
    e = ember.from_numpy(data[:, ::2])
    assert repr(e) == repr(torch.from_numpy(data.copy())[:, ::2])
    e = ember.from_numpy(np.broadcast_to(data[:1], (3, 6)))
    assert repr(e) == repr(torch.from_numpy(data.copy())[:1].expand(3, 6))


def test_subclass_prefix():
    class MyTensor(ember.Tensor):
        pass

    class TorchTensor(torch.Tensor):
        pass

    data = [1.0, 2.5]
    assert repr(MyTensor(data)) == "MyTensor([1.0000, 2.5000])"
    assert repr(TorchTensor(data)) == "TorchTensor([1.0000, 2.5000])"


class _FakeDeviceArray:
    """Just enough of a CuPy array on device 1 for printing: ember sees a non-NumPy array."""

    class device:
        id = 1

    def __init__(self, array):
        self._a = array
        self.dtype, self.shape, self.ndim, self.size = array.dtype, array.shape, array.ndim, \
            array.size

    def get(self):
        return self._a


def test_device_suffix_without_gpu():
    from ember._tensor import _make
    x = _make(_FakeDeviceArray(np.array([1.0, 2.0], np.float32)))
    assert repr(x) == "tensor([1., 2.], device='cuda:1')"
    y = _make(_FakeDeviceArray(np.array([1, 2], np.int32)))
    assert repr(y) == "tensor([1, 2], device='cuda:1', dtype=torch.int32)"
    z = _make(_FakeDeviceArray(np.zeros((0, 2), np.float32)), requires_grad=True)
    assert repr(z) == "tensor([], device='cuda:1', size=(0, 2), requires_grad=True)"


@pytest.mark.skipif(not cuda_is_available(), reason="needs a CUDA device and CuPy")
def test_cuda_device_suffix():
    x = ember.tensor([1.0, 2.0], device="cuda")
    assert repr(x) == "tensor([1., 2.], device='cuda:0')"
    y = ember.tensor([1, 2], dtype=ember.int32, device="cuda")
    assert repr(y) == "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
    z = ember.tensor([0.5], device="cuda", requires_grad=True)
    assert repr(z) == "tensor([0.5000], device='cuda:0', requires_grad=True)"


def test_parameter_prints_like_torch():
    parameter = pytest.importorskip("ember.nn.parameter")

    class MyParam(parameter.Parameter):
        pass

    class TorchParam(torch.nn.Parameter):
        pass

    data = np.array([1.0, 2.5], np.float32)
    for e_cls, t_cls in ((parameter.Parameter, torch.nn.Parameter), (MyParam, TorchParam)):
        for rg in (True, False):
            e = e_cls(ember.tensor(data), requires_grad=rg)
            t = t_cls(torch.from_numpy(data.copy()), requires_grad=rg)
            assert repr(e) == repr(t).replace("TorchParam", "MyParam")
