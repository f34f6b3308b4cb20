"""Edge cases the op-level differential fuzzer found (seed 777), each against torch: which error
and which result."""
import numpy as np
import pytest
import torch

import ember
from tests.ops.parity import same


@pytest.mark.parametrize("dtype", ["int8", "int16", "uint16", "uint32", "int32", "int64"])
def test_index_tensor_dtypes(dtype):
    """torch's index kernels take long and int index tensors (and byte or bool masks); a 0-d
    integer tensor of any dtype selects as an int."""
    base = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    same(lambda lib: lib.tensor(base)[lib.tensor([1, 0], dtype=getattr(lib, dtype))])
    same(lambda lib: lib.tensor(base)[lib.tensor(1, dtype=getattr(lib, dtype))])

    def assign(lib):
        t = lib.tensor(base)
        t[lib.tensor([1, 0], dtype=getattr(lib, dtype))] = 5.0
        return t
    same(assign)


def test_index_by_numpy_array_of_any_integer_dtype():
    base = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    same(lambda lib: lib.tensor(base)[np.array([1, 0], dtype=np.int16)])


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_integer_division_with_an_empty_result_has_nothing_to_refuse(name):
    same(lambda lib: getattr(lib, name)(lib.zeros((4, 0, 2), dtype=lib.int64),
                                         lib.zeros((4, 1, 2), dtype=lib.int64)))
    same(lambda lib: getattr(lib, name)(lib.ones((2,), dtype=lib.int64),
                                         lib.zeros((2,), dtype=lib.int64)))


@pytest.mark.parametrize("dims", [(0, -1), (-1, 0), (2, -1), (0, 1), (-2, 0)])
def test_flatten_of_a_0d_tensor_checks_its_dims(dims):
    same(lambda lib: lib.flatten(lib.tensor(1.0), *dims))


@pytest.mark.parametrize("shape, dim", [((0,), 0), ((0,), -1), ((2, 0), 1), ((0, 3), 0),
                                        ((0, 3), 1)])
def test_index_select_on_an_empty_dim(shape, dim):
    same(lambda lib: lib.index_select(lib.zeros(shape), dim, lib.tensor([1])))


def test_binary_cross_entropy_refuses_nan_input():
    x = np.array([[np.nan], [0.4]], dtype=np.float32)
    y = np.array([[0.3], [0.5]], dtype=np.float32)
    same(lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(x), lib.tensor(y)))


@pytest.mark.parametrize("dtype", ["float16", "float32", "int32"])
def test_heaviside_of_nan_is_zero(dtype):
    """torch's heaviside is a == 0 ? b : a > 0: NaN gives 0 (NumPy's gives NaN)."""
    a = np.array([np.nan, -1.0, 0.0, 2.0, -0.0]) if dtype != "int32" else np.array([-1, 0, 2])
    b = np.full(a.shape, 0.5) if dtype != "int32" else np.full(a.shape, 7)
    same(lambda lib: lib.heaviside(lib.tensor(a.astype(dtype)), lib.tensor(b.astype(dtype))))


@pytest.mark.parametrize("alpha", [-1, 2])
def test_add_of_a_number_and_a_tensor_with_alpha(alpha):
    same(lambda lib: lib.add(2, lib.tensor([3, 4], dtype=lib.uint8), alpha=alpha))
    same(lambda lib: lib.add(2, lib.tensor([3.0, 4.0]), alpha=alpha))


@pytest.mark.parametrize("dtype", ["float32", "float16", "uint8", "int8", "int16", "bool",
                                   "int32", "int64"])
def test_repeat_interleave_counts_must_be_int32_or_int64(dtype):
    def counts(lib, values):
        return lib.tensor(values, dtype=getattr(lib, dtype))
    same(lambda lib: lib.repeat_interleave(lib.tensor([1.0, 2.0, 3.0]), counts(lib, [1, 0, 1])))
    same(lambda lib: lib.repeat_interleave(counts(lib, [1, 0, 1])))
    same(lambda lib: lib.repeat_interleave(lib.tensor([1.0, 2.0]), counts(lib, 1)))


def test_repeat_interleave_refuses_2d_counts():
    same(lambda lib: lib.repeat_interleave(lib.tensor([1.0, 2.0]), lib.tensor([[1, 1]])))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtypes", [("float64", "float32"), ("float32", "float64"),
                                    ("float64", "float16")])
def test_bce_with_logits_result_has_the_targets_dtype(reduction, dtypes):
    x = np.array([0.5, -1.3, 2.0])
    y = np.array([0.1, 0.9, 0.4])

    def loss(lib):
        out = lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(x, dtype=getattr(lib, dtypes[0])),
            lib.tensor(y, dtype=getattr(lib, dtypes[1])), reduction=reduction)
        return str(out.dtype)
    same(loss)


def test_error_order_of_nll_loss_bce_and_bool_division():
    """torch's first check wins: nll_loss of a 1-D input refuses a 2-D target, F.binary_cross_
    entropy checks sizes before dtypes, fmod of bools reports a shape mismatch before the dtype."""
    same(lambda lib: lib.nn.functional.nll_loss(lib.tensor([-1.6]), lib.zeros((3, 3),
                                                                               dtype=lib.int64)))
    same(lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([0.7, 0.8]), lib.tensor(0.4, dtype=lib.float64)))
    same(lambda lib: lib.fmod(lib.tensor([True, False, True]), lib.zeros((0, 4), dtype=lib.bool)))
    same(lambda lib: lib.fmod(lib.tensor([True, False]), lib.tensor([True, True])))


@pytest.mark.parametrize("exponent", [False, True, 0, 2, 2.0])
def test_pow_of_bools(exponent):
    def power(lib):
        r = lib.pow(lib.tensor([False, True]), exponent)
        return np.array([str(r.dtype)] + [str(v) for v in r.tolist()])
    same(power)


@pytest.mark.parametrize("name", ["std", "var", "std_mean", "var_mean"])
def test_std_of_float32_values_past_1e19_as_torch(name):
    """torch accumulates float32 squares in float64: std of values near 1e30 is finite."""
    x = np.array([[1e30, 0, 0, 0], [1.0, 2.0, 3.0, 4.0], [-3e25, 2e25, 0, 1]], dtype=np.float32)
    got, want = (getattr(lib, name)(lib.tensor(x), 1) for lib in (ember, torch))
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert g.dtype == ember.float32
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=2e-6)


def test_writes_into_an_empty_expanded_tensor_write_nothing():
    def write(lib):
        t = lib.zeros((1, 2, 0), dtype=lib.float64).expand(2, 2, 0)
        t[-2] = lib.tensor(-3, dtype=lib.int32)
        t.fill_(1.0)
        return t
    same(write)
