"""A Python int outside an integer tensor's range in a comparison or a bitwise op wraps around
into the tensor's dtype, as torch converts it (uint8 == 300 compares with 44, uint8 & -7 ands
with 249); past 64 bits torch's OverflowError. Found by the differential fuzzer (seed 1,
case 487: NumPy's OverflowError reached the user). Float-valued binary functions (xlogy, atan2)
take integer operands to float as they are, never through a narrower promoted integer dtype
(seed 8, case 825)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = {
    "eq uint8 300": lambda m, t8, i8: t8 == 300,
    "lt uint8 300": lambda m, t8, i8: t8 < 300,
    "eq uint8 -212": lambda m, t8, i8: t8.eq(-212),
    "and uint8 -7": lambda m, t8, i8: m.bitwise_and(t8, -7),
    "and uint8 300": lambda m, t8, i8: t8 & 300,
    "xor uint8 257": lambda m, t8, i8: m.bitwise_xor(t8, 257),
    "or int8 255": lambda m, t8, i8: i8 | 255,
    "eq int8 255": lambda m, t8, i8: i8 == 255,
    "gt int8 200": lambda m, t8, i8: i8 > 200,
    "eq int64 2**63": lambda m, t8, i8: m.tensor([5]) == 2 ** 63,
    "eq int64 2**64": lambda m, t8, i8: m.tensor([5]) == 2 ** 64,
    "eq int64 -2**63-1": lambda m, t8, i8: m.tensor([5]) == -2 ** 63 - 1,
}


def _outcome(lib, case):
    t8 = lib.tensor([44, 1, 255], dtype=lib.uint8)
    i8 = lib.tensor([-1, 5, 127], dtype=lib.int8)
    try:
        r = CASES[case](lib, t8, i8)
    except Exception as exc:  # noqa: BLE001 - the exception is the outcome compared
        return type(exc).__name__, str(exc)
    return str(r.dtype).replace("torch.", "").replace("ember.", ""), np.asarray(r).tolist()


@pytest.mark.parametrize("case", sorted(CASES))
def test_like_torch(case):
    assert _outcome(ember, case) == _outcome(torch, case)


FLOAT_VALUED = {
    "xlogy int8, 0-d int16 32767": lambda m: m.xlogy(m.tensor([2, -6], dtype=m.int8),
                                                     m.tensor(32767, dtype=m.int16)),
    "xlogy 0-d int16 300, int8": lambda m: m.xlogy(m.tensor(300, dtype=m.int16),
                                                   m.tensor([2, 3], dtype=m.int8)),
    "atan2 uint8, 0-d int64 300": lambda m: m.atan2(m.tensor([2, 3], dtype=m.uint8),
                                                    m.tensor(300)),
    "xlogy bool, int64": lambda m: m.xlogy(m.tensor([True, False]), m.tensor([2, 3])),
}


@pytest.mark.parametrize("case", sorted(FLOAT_VALUED))
def test_float_valued_functions_of_integers_like_torch(case):
    got, want = (FLOAT_VALUED[case](lib) for lib in (ember, torch))
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(np.asarray(got), want.numpy(), rtol=1e-6)
