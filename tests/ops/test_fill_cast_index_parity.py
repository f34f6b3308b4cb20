"""Conversions, fills and index errors the op fuzzer found (seeds 20261207, 8088, 1234567, 5150),
each against torch: which error, which result, and no NumPy warning where torch is silent."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.ops.parity import same


# fill_ and torch.fill from a 0-d tensor convert as C converts, unchecked and silently
TENSOR_FILLS = [("uint8", -1.5, "float32"), ("uint8", 300, "int64"), ("int8", -200, "int64"),
                ("int32", float("inf"), "float32"), ("int32", 1e10, "float32"),
                ("int64", float("nan"), "float32"), ("float16", 1e10, "float32"),
                ("bool", 0.5, "float32"), ("int32", 1.5 + 2j, "complex64"),
                ("float32", 1 + 2j, "complex64"), ("complex64", 1.5 + 2j, "complex64")]


@pytest.mark.parametrize("dtype,value,value_dtype", TENSOR_FILLS)
def test_fill_from_a_tensor_converts_unchecked(dtype, value, value_dtype):
    def fill_(lib):
        return lib.ones(3, dtype=getattr(lib, dtype)).fill_(
            lib.tensor(value, dtype=getattr(lib, value_dtype)))

    def fill(lib):
        return lib.fill(lib.ones(3, dtype=getattr(lib, dtype)),
                        lib.tensor(value, dtype=getattr(lib, value_dtype)))
    same(fill_)
    with warnings.catch_warnings():  # torch warns that it drops an imaginary part: so does ember
        warnings.simplefilter("ignore", UserWarning)
        same(fill)


@pytest.mark.parametrize("target", ["uint8", "int32", "int64", "float16"])
def test_to_and_copy_convert_out_of_range_values_silently(target):
    values = [300.0, -1.5, float("nan"), 1e10, -float("inf")]
    same(lambda lib: lib.tensor(values).to(getattr(lib, target)))
    same(lambda lib: lib.zeros(5, dtype=getattr(lib, target)).copy_(lib.tensor(values)))
    same(lambda lib: lib.tensor([1e300], dtype=lib.float64).to(lib.float32))
    same(lambda lib: lib.tensor([1e300 + 0j]))


@pytest.mark.parametrize("dtype,value,value_dtype", [
    ("uint8", 300, "int64"), ("uint8", -1, "int64"), ("uint8", -1.0, "float32"),
    ("uint8", -0.003, "float16"), ("int32", 1e10, "float32"), ("float16", 1e10, "float32"),
    ("float32", 1 + 2j, "complex64"), ("float32", 1 + 0j, "complex64"), ("bool", 5.0, "float32")])
def test_masked_fill_checks_a_tensor_value_as_a_number(dtype, value, value_dtype):
    same(lambda lib: lib.zeros(3, dtype=getattr(lib, dtype)).masked_fill(
        lib.tensor([True, False, True]), lib.tensor(value, dtype=getattr(lib, value_dtype))))


@pytest.mark.parametrize("value", [300, -1, -0.5, 1 + 0j, 1 + 1j])
def test_index_fill_checks_its_value(value):
    for as_tensor in (False, True):
        for dtype in ("uint8", "float32", "complex64"):
            same(lambda lib: lib.zeros(3, dtype=getattr(lib, dtype)).index_fill(
                0, lib.tensor([1]), lib.tensor(value) if as_tensor else value))


@pytest.mark.parametrize("value", [1 + 0j, 2 + 0j, 1 + 1j])
def test_fills_take_a_complex_number_with_no_imaginary_part(value):
    same(lambda lib: lib.zeros(3).fill_(value))
    same(lambda lib: lib.full((2,), value, dtype=lib.float32))
    same(lambda lib: lib.zeros(3, dtype=lib.int32).masked_fill(lib.tensor(True), value))


def test_in_place_shape_error_comes_before_the_dtype_refusal():
    same(lambda lib: lib.tensor(True).pow_(lib.tensor([False, True])))
    same(lambda lib: lib.tensor([True]).pow_(lib.tensor([False, True, True])))
    same(lambda lib: lib.tensor([True, False]).pow_(lib.tensor([False, True])))


def test_hypot_shape_error_comes_before_the_dtype_refusal():
    same(lambda lib: lib.hypot(lib.zeros(2, dtype=lib.bool), lib.ones(4, dtype=lib.bool)))
    same(lambda lib: lib.hypot(lib.zeros((0, 4, 3, 3), dtype=lib.bool),
                                lib.ones((4, 2, 3), dtype=lib.int32)))
    same(lambda lib: lib.hypot(lib.zeros(2, dtype=lib.int32), lib.ones(2, dtype=lib.bool)))


@pytest.mark.parametrize("key", [0, slice(None), slice(None, None, 0), slice(None, None, 2),
                                 slice(-1, 2, -1),
                                 (0,), (slice(None),), [0], (0, None), (None, 0),
                                 (None, slice(None, None, 0)), (Ellipsis, slice(None, None, 2)),
                                 Ellipsis, None, True, False])
def test_indexing_a_0d_tensor(key):
    same(lambda lib: lib.tensor(1.0)[key])

    def assign(lib):
        t = lib.tensor(1.0)
        t[key] = 2.0
        return t
    same(assign)
    same(lambda lib: lib.tensor(1.0)[lib.tensor(0)])


@pytest.mark.parametrize("shape,key", [
    ((1, 2, 1), ([-1, 0], slice(None, None, 3), [0, 0, 0])),
    ((1, 2, 1), ([1, 0], slice(None, None, 3), [0, 0, 0])),
    ((3, 4), ([True, False, True], [0, 1, 2])),
    ((3, 4), ([True, False, True], [0, 1])),
    ((3, 4), ([[0, 1], [1, 2]], [0, 1, 2])),
    ((2, 3, 4), ([[True, False, True], [True, True, True]], [0, 1])),
    ((3, 4), (True, [0, 1], [0, 1, 2]))])
def test_index_tensors_that_do_not_broadcast(shape, key):
    def k(lib):
        return tuple(lib.tensor(i) if isinstance(i, list) else i for i in key)
    same(lambda lib: lib.zeros(shape, dtype=lib.int32)[k(lib)])

    def assign(lib):  # the shape error comes before the value's dtype is refused
        t = lib.zeros(shape, dtype=lib.int32)
        t[k(lib)] = lib.tensor([], dtype=lib.float64)
        return t
    same(assign)


@pytest.mark.parametrize("shape,dim,index,source_shape", [
    ((0,), 0, [-1], (1,)), ((0,), 0, [0], (1,)), ((0,), 0, [], (0,)), ((0, 3), 0, [0], (1, 3)),
    ((2, 0), 0, [5], (1, 0)), ((3, 0), 1, [0], (3, 1))])
def test_index_add_into_an_empty_tensor(shape, dim, index, source_shape):
    for alpha in (1, 2):
        same(lambda lib: lib.zeros(shape).index_add(
            dim, lib.tensor(index, dtype=lib.int64), lib.ones(source_shape), alpha=alpha))


@pytest.mark.parametrize("value", [float("inf"), 1e20, -1.5])
def test_scatter_with_an_empty_index_checks_no_value(value):
    same(lambda lib: lib.zeros(3, dtype=lib.int32).scatter(0, lib.tensor([], dtype=lib.int64),
                                                            value))
    same(lambda lib: lib.zeros(3, dtype=lib.int32).scatter(0, lib.tensor([0]), value))


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_nll_loss_of_one_unbatched_sample_with_a_1d_target(reduction):
    x = np.log(np.array([0.2, 0.5, 0.3], np.float32))
    same(lambda lib: lib.nn.functional.nll_loss(lib.tensor(x), lib.tensor([1]),
                                                 reduction=reduction))
    same(lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([2]),
                                                      reduction=reduction))


def test_pow_shape_error_comes_before_the_bool_refusal():
    same(lambda lib: lib.pow(lib.ones((3, 4, 1), dtype=lib.bool),
                              lib.ones((2, 4, 3, 4), dtype=lib.bool)))


BMM_DTYPES = [("bool", "float32"), ("float32", "bool"), ("float64", "float32"), ("int64", "bool"),
              ("float16", "float32"), ("complex64", "float32"), ("bool", "bool")]


@pytest.mark.parametrize("a,b", BMM_DTYPES)
def test_bmm_dtype_errors(a, b):
    same(lambda lib: lib.bmm(lib.ones((3, 3, 3), dtype=getattr(lib, a)),
                              lib.ones((3, 3, 2), dtype=getattr(lib, b))))


@pytest.mark.parametrize("i,a,b", [("float32", "float64", "float32"), ("float64", "float32",
                                                                        "float32"),
                                   ("int64", "float32", "float32"), ("bool", "bool", "bool")])
@pytest.mark.parametrize("batch", [0, 3])
def test_baddbmm_and_addbmm_check_every_dtype(i, a, b, batch):
    """torch refuses an input of another dtype (ember computed a promoted result)."""
    same(lambda lib: lib.baddbmm(lib.ones((batch, 3, 2), dtype=getattr(lib, i)),
                                  lib.ones((batch, 3, 3), dtype=getattr(lib, a)),
                                  lib.ones((batch, 3, 2), dtype=getattr(lib, b))))
    same(lambda lib: lib.addbmm(lib.ones((3, 2), dtype=getattr(lib, i)),
                                 lib.ones((3, 3, 3), dtype=getattr(lib, a)),
                                 lib.ones((3, 3, 2), dtype=getattr(lib, b))))


@pytest.mark.parametrize("b1,b2", [((3, 3, 3), (2, 3, 2)), ((3, 3, 3), (3, 4, 2)),
                                   ((3, 3), (3, 3, 2))])
def test_addbmm_shape_errors(b1, b2):
    same(lambda lib: lib.addbmm(lib.ones((3, 2), dtype=lib.float64), lib.ones(b1),
                                 lib.ones(b2)))


@pytest.mark.parametrize("op", ["masked_fill", "masked_select", "masked_scatter"])
def test_masked_ops_name_the_mask_first_in_a_broadcast_error(op):
    args = {"masked_fill": (1.0,), "masked_select": (), "masked_scatter": (None,)}[op]

    def call(lib):
        extra = tuple(lib.ones(6) if a is None else a for a in args)
        return getattr(lib.zeros(2, 3), op)(lib.zeros((2, 2), dtype=lib.bool), *extra)
    same(call)


def test_lerp_shape_error_comes_before_the_dtype_refusal():
    same(lambda lib: lib.lerp(lib.ones((3, 2), dtype=lib.int16), lib.ones((3, 4), dtype=lib.int16),
                               0.5))
    same(lambda lib: lib.lerp(lib.ones((3, 2), dtype=lib.int16), lib.ones((3, 2), dtype=lib.int16),
                               0.5))


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_into_an_expanded_tensor_writes_the_shared_memory(accumulate):
    """torch writes through, with its deprecation warning (ember refused the write)."""
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.zeros(2, 1).expand(2, 3).index_put_(
                (lib.tensor([0, 1, 1]), lib.tensor([0, 2, 2])), lib.tensor([1.0, 2.0, 3.0]),
                accumulate=accumulate)
        return out.tolist(), [str(w.message)[:40] for w in caught]
    assert run(ember) == run(torch)


@pytest.mark.parametrize("dtype,value", [("uint8", -7), ("uint8", 300), ("int8", 300),
                                         ("int32", 2.7), ("int32", True)])
def test_addcmul_converts_an_integer_value_as_torch(dtype, value):
    same(lambda lib: lib.addcmul(lib.tensor([1, 2], dtype=getattr(lib, dtype)),
                                 lib.tensor(6, dtype=getattr(lib, dtype)),
                                 lib.tensor([1, 1], dtype=getattr(lib, dtype)), value=value))
    same(lambda lib: lib.addcmul(lib.zeros((1, 2, 0), dtype=getattr(lib, dtype)),
                                 lib.tensor(6, dtype=getattr(lib, dtype)),
                                 lib.zeros((1, 2, 0), dtype=getattr(lib, dtype)), value=value))
