"""cumsum and cumprod of half and single precision accumulate in double on the CPU, as torch's
(its acc_type): 2**25 float32 ones sum to 2**25, not 2**24 where float32 steps stop; a dtype=
argument casts the input first, as torch does. Found by the differential fuzzer (seed 8,
case 788)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _both(fn, array):
    return [fn(lib, lib.tensor(array)).numpy() for lib in (ember, torch)]


def test_many_float32_ones():
    got, want = _both(lambda m, t: t.cumsum(0), np.ones(2 ** 25, np.float32))
    assert got[-1] == want[-1] == 2 ** 25


@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_bit_identical_to_torch(dtype, name):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 400)) * (1.0 if name == "cumsum" else 0.05) + (
        0.0 if name == "cumsum" else 1.0)).astype(dtype)
    got, want = _both(lambda m, t: getattr(t, name)(1), a)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_integer_input_cast_before_accumulating():
    a = np.array([[2 ** 31 - 1, -2 ** 31, -7, 5]], np.int32)
    got, want = _both(lambda m, t: t.cumsum(1, dtype=m.float32), a)
    np.testing.assert_array_equal(got, want)
