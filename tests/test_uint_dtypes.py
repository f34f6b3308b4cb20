"""torch.uint16 / uint32 / uint64: creation, printing, promotion (each only with itself and with
floating dtypes), conversion and NumPy round trips, against torch; Tensor.bfloat16's error."""
import numpy as np
import pytest

import ember

NAMES = ["uint16", "uint32", "uint64"]


def _show(m, name):
    d = getattr(m, name)
    x = m.tensor([1, 2, 3], dtype=d)
    return [repr(d), repr(x), d.itemsize, d.is_signed, d.is_floating_point, x.type(),
            repr(m.iinfo(d)), repr(x.to(m.float32)), repr(m.ones(2).to(d)),
            repr(m.zeros(2, dtype=d)), repr(m.full((2,), -1, dtype=d)), repr(x * x),
            repr(x.sum()), repr(x.clone().fill_(7)), repr(m.cat([x, x[1:]])), repr(x / x),
            repr(x.cumsum(0)), str(x.numpy().dtype), repr(m.from_numpy(x.numpy()).dtype),
            repr(x.double())]


@pytest.mark.parametrize("name", NAMES)
def test_matches_torch(torch, name):
    assert _show(ember, name) == _show(torch, name)


@pytest.mark.parametrize("name", NAMES)
def test_promotion_like_torch(torch, name):
    others = ["uint8", "int8", "int16", "int32", "int64", "bool", "float16", "float32", "float64",
              "complex64"] + NAMES
    for other in others:
        got = []
        for m in (ember, torch):
            try:
                got.append(str(m.promote_types(getattr(m, name), getattr(m, other))))
            except RuntimeError as exc:
                got.append(str(exc))
        assert got[0] == got[1], (name, other)
    with pytest.raises(RuntimeError, match=f"attempted to promote U{name[1:].capitalize()}"
                                           " and Long"):
        ember.ones(2, dtype=getattr(ember, name)) + ember.ones(2, dtype=ember.int64)


@pytest.mark.parametrize("name", NAMES[:2])
def test_overflow_errors_name_the_type(torch, name):
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match=f"cannot be converted to type {name}_t without"):
            m.full((1,), 2 ** 33, dtype=getattr(m, name))
        with pytest.raises(RuntimeError, match=f"cannot be converted to type {name} without"):
            m.tensor([2 ** 33], dtype=getattr(m, name))
    assert ember.from_numpy(np.array([5], np.uint32)).dtype is ember.uint32


def test_bfloat16_method_converts_or_raises():
    try:
        ember.bfloat16.np
    except TypeError:
        with pytest.raises(TypeError, match="torch.bfloat16 is not supported by ember"):
            ember.ones(2).bfloat16()
    else:
        assert ember.ones(2).bfloat16().dtype is ember.bfloat16
