"""torch.frombuffer and DLPack exchange share memory, as torch's do; torch.mps / torch.xpu say
"no device"; the small top-level names (get_device, is_storage, GradScaler, OutOfMemoryError,
torch.types, torch.functional)."""
import array

import numpy as np
import pytest

import ember
from ember.ops import _errors

torch = pytest.importorskip("torch")


def test_frombuffer_shares_a_writable_buffer():
    buf = bytearray(np.arange(6, dtype=np.float32).tobytes())
    t = ember.frombuffer(buf, dtype=ember.float32)
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and t.dtype == ember.float32
    t[0] = 9.0
    assert np.frombuffer(buf, np.float32)[0] == 9.0  # the tensor writes into the buffer
    part = ember.frombuffer(buf, dtype=ember.float32, count=2, offset=8)
    ref = torch.frombuffer(buf, dtype=torch.float32, count=2, offset=8)
    assert part.tolist() == ref.tolist() == [2.0, 3.0]
    ints = ember.frombuffer(array.array("i", [1, 2, 3]), dtype=ember.int32, requires_grad=False)
    assert ints.tolist() == [1, 2, 3]


@pytest.mark.parametrize("kwargs", [dict(count=3, offset=16), dict(offset=24), dict(count=0),
                                    dict(offset=-1)])
def test_frombuffer_errors_like_torch(kwargs):
    buf = bytearray(24)
    with pytest.raises(ValueError) as want:
        torch.frombuffer(buf, dtype=torch.float32, **kwargs)
    with pytest.raises(ValueError) as got:
        ember.frombuffer(buf, dtype=ember.float32, **kwargs)
    assert str(got.value) == str(want.value)


def test_frombuffer_of_read_only_memory_stays_read_only():
    with pytest.warns(UserWarning, match="not writable"):
        t = ember.frombuffer(b"\x00\x00\x80\x3f", dtype=ember.float32)
    assert t.tolist() == [1.0]
    with pytest.raises(Exception):
        t.add_(1)


def test_dlpack_shares_memory_both_ways():
    a = np.arange(4.0)
    t = ember.from_dlpack(a)
    a[0] = 7.0
    assert t[0].item() == 7.0
    theirs = torch.from_dlpack(t)  # torch reads ember's memory through Tensor.__dlpack__
    theirs[1] = 5.0
    assert t[1].item() == 5.0
    back = ember.from_dlpack(theirs)
    back[2] = 6.0
    assert theirs[2].item() == 6.0 and a[2] == 6.0
    capsule = ember.utils.dlpack.to_dlpack(t)
    assert torch.utils.dlpack.from_dlpack(capsule).tolist() == [7.0, 5.0, 6.0, 3.0]
    assert t.__dlpack_device__() == (ember.utils.dlpack.DLDeviceType.kDLCPU, 0)
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        ember.ones(2, requires_grad=True).__dlpack__()


def test_backends_ember_has_not():
    for mod in (ember.mps, ember.xpu):
        assert mod.is_available() is False and mod.device_count() == 0
        with pytest.raises(RuntimeError, match="backend"):
            mod.synchronize()
    assert ember.ones(1).is_nested is False and ember.ones(1).name is None


def test_small_top_level_names():
    assert ember.get_device(ember.ones(2)) == torch.get_device(torch.ones(2)) == -1
    assert ember.is_storage(ember.ones(2)) is False
    assert ember.GradScaler is ember.amp.GradScaler
    assert issubclass(ember.OutOfMemoryError, RuntimeError)
    assert ember.cuda.OutOfMemoryError is ember.OutOfMemoryError
    from ember.types import Number
    assert Number is not None
    assert ember.functional.einsum is ember.einsum


def test_device_allocation_failure_becomes_out_of_memory():
    cupy_oom = type("OutOfMemoryError", (MemoryError,), {"__module__": "cupy.cuda.memory"})
    exc = _errors.translate(type("Add", (), {}), cupy_oom("Out of memory allocating 4 bytes"), [])
    assert type(exc) is ember.OutOfMemoryError and "CUDA out of memory" in str(exc)
    assert type(_errors.translate(type("Add", (), {}), MemoryError("x"), [])) is RuntimeError
