"""A number, string or None where torch takes a Tensor: torch's TypeError, not an AttributeError
from deep inside an op (NOTE [ Not a Tensor ] in ember/_foreign.py); and the overloads torch
does have with a number first (torch.div(2, t), torch.bitwise_and(2, t))."""
import inspect
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

# Functions torch writes in Python, which fail on a number with an AttributeError of their own,
# and those that accept a number (conj/neg queries) or raise another type there.
_NOT_PARSED = {
    "broadcast_shapes", "einsum", "from_dlpack", "get_autocast_dtype", "is_autocast_enabled",
    "is_conj", "is_neg", "lobpcg", "norm", "pca_lowrank", "resolve_conj", "resolve_neg",
    "set_autocast_cpu_dtype", "set_autocast_gpu_dtype", "svd_lowrank",
}
# not functions of a tensor, or with effects on global state
_SKIP = {
    "as_tensor", "asarray", "compile", "empty", "eye", "from_numpy", "frombuffer", "full",
    "get_default_dtype", "is_grad_enabled", "is_inference_mode_enabled", "is_storage",
    "is_tensor", "linspace", "load", "logspace", "manual_seed", "numel", "ones", "rand",
    "randint", "randn", "randperm", "range", "arange", "save", "scalar_tensor", "seed",
    "set_default_device", "set_default_dtype", "set_flush_denormal", "set_grad_enabled",
    "set_num_interop_threads", "set_num_threads", "set_printoptions", "set_rng_state",
    "set_warn_always", "tensor", "typename", "use_deterministic_algorithms", "zeros",
    "set_float32_matmul_precision", "set_deterministic_debug_mode", "set_default_tensor_type",
    "set_anomaly_enabled", "vmap", "get_rng_state", "initial_seed", "promote_types", "can_cast",
    "result_type", "get_device_module", "autocast_increment_nesting",
    "autocast_decrement_nesting", "clear_autocast_cache", "empty_strided", "chunk",
    "set_autocast_enabled", "set_autocast_dtype",
}


def _functions():
    names = []
    for n in sorted(dir(torch)):
        if n.startswith("_") or n in _SKIP or n in _NOT_PARSED or not hasattr(ember, n):
            continue
        f = getattr(torch, n)
        if callable(f) and not inspect.isclass(f):
            names.append(n)
    return names


def _outcome(f, *args):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f(*args)
    except Exception as exc:
        return type(exc)
    return None


def test_a_number_as_the_only_argument_fails_as_in_torch():
    """Every public function that torch refuses a lone float with a TypeError refuses it so."""
    wrong = []
    for n in _functions():
        expected = _outcome(getattr(torch, n), 2.5)
        if expected is TypeError and _outcome(getattr(ember, n), 2.5) is not TypeError:
            wrong.append(n)
    assert wrong == []


@pytest.mark.parametrize("call", [
    lambda lib, t: lib.tan(2.5),
    lambda lib, t: lib.exp(None),
    lambda lib, t: lib.polar(2.0, t),
    lambda lib, t: lib.div("a", t),
    lambda lib, t: lib.zeros_like(3),
    lambda lib, t: lib.bernoulli(0.5),
    lambda lib, t: lib.clamp(2, t),
    lambda lib, t: lib.clip(2, t),
    lambda lib, t: lib.clamp_min(2, t),
    lambda lib, t: lib.clamp_max(2, 1),
    lambda lib, t: lib.hann_window(2.5),
    lambda lib, t: lib.kaiser_window(True),
])
def test_messages_name_the_function_and_parameter(call):
    with pytest.raises(TypeError) as theirs:
        call(torch, torch.ones(2))
    with pytest.raises(TypeError) as ours:
        call(ember, ember.ones(2))
    assert str(ours.value) == str(theirs.value)


def test_other_errors_are_left_alone():
    """Only an attribute read on an argument becomes a TypeError: shape errors stay."""
    with pytest.raises(RuntimeError, match="must match"):
        ember.add(ember.ones(2), ember.ones(3))
    with pytest.raises(IndexError):
        ember.ones(2).sum(dim=3)


@pytest.mark.parametrize("number", [2, 2.5, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("name", ["div", "divide", "true_divide"])
def test_div_takes_a_number_first(name, number, dtype):
    data = np.array([1, 2, 4]).astype(dtype)
    want = getattr(torch, name)(number, torch.tensor(data))
    got = getattr(ember, name)(number, ember.tensor(data))
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy())


def test_div_number_first_gradient_matches_torch():
    x = np.array([0.5, 2.0, -3.0])
    t = torch.tensor(x, requires_grad=True)
    e = ember.tensor(x, requires_grad=True)
    rt, re_ = torch.div(3, t), ember.div(3, e)
    assert type(re_.grad_fn).__name__ == type(rt.grad_fn).__name__ == "DivBackward0"
    rt.sum().backward()
    re_.sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy())
    assert ember.autograd.gradcheck(lambda v: ember.div(3, v), (ember.tensor(x, requires_grad=True),))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
@pytest.mark.parametrize("number, data, dtype", [
    (6, [1, 3, 12], "int64"), (True, [1, 3, 12], "int64"), (3, [True, False], "bool"),
    (2, [1, 255], "uint8"), (-5, [7, 9], "int32")])
def test_bitwise_takes_a_number_first(name, number, data, dtype):
    want = getattr(torch, name)(number, torch.tensor(np.array(data, dtype)))
    got = getattr(ember, name)(number, ember.tensor(np.array(data, dtype)))
    assert str(got.dtype) == str(want.dtype)
    assert got.tolist() == want.tolist()


def test_bitwise_refuses_a_float_first_as_torch():
    with pytest.raises(NotImplementedError) as theirs:
        torch.bitwise_and(2.5, torch.tensor([1]))
    with pytest.raises(NotImplementedError) as ours:
        ember.bitwise_and(2.5, ember.tensor([1]))
    assert str(ours.value) == str(theirs.value)
