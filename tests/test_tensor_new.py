"""Tensor.new, the legacy constructor that old sequence models use for hidden states
(`weight.new(nlayers, bsz, nhid).zero_()`), and the legacy constructors it shares with
FloatTensor(...) and Tensor(...): sizes, data, aliasing of a tensor argument, and torch's
TypeErrors for a scalar or a tensor of the wrong dtype."""
import numpy as np
import pytest

import ember


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _both(torch, fn):
    """fn applied to ember and to torch, each result as (dtype name, shape, values)."""
    def summary(t):
        return str(t.dtype), tuple(t.shape), t.tolist()
    return summary(fn(ember)), summary(fn(torch))


@pytest.mark.parametrize("args", [(), (2, 3), (0,), ([2, 3],), ((2, 3),), ([[1, 2]],),
                                  (np.array([1, 2]),)])
def test_new_sizes_and_data_take_this_dtype(torch, args):
    def make(lib):
        t = lib.tensor([[1.0, 2.0]], dtype=lib.float64).new(*args)
        return t.zero_() if args and isinstance(args[0], int) else t
    got, want = _both(torch, make)
    assert got == want


def test_new_size_object_and_long_hidden_state(torch):
    got, want = _both(torch, lambda lib: lib.ones(3).new(lib.Size([2, 1, 4])).zero_())
    assert got == want
    got, want = _both(torch, lambda lib: lib.tensor([1]).new(2, 2).fill_(7))
    assert got == want and got[0] == "torch.int64"


def test_new_keeps_device_and_is_a_leaf():
    w = ember.ones(2, requires_grad=True)
    h = w.new(1, 2, device="cpu")
    assert h.device == w.device and not h.requires_grad and h.grad_fn is None


@pytest.mark.parametrize("make", [lambda lib, o: lib.ones(1).new(o),
                                  lambda lib, o: lib.FloatTensor(o),
                                  lambda lib, o: lib.Tensor(o)])
def test_tensor_argument_is_aliased(torch, make):
    for lib in (ember, torch):
        other = lib.ones(2)
        alias = make(lib, other)
        other.add_(1)
        assert alias.tolist() == [2.0, 2.0] and alias._version == other._version


def test_plain_tensor_aliases_any_dtype_typed_ones_refuse(torch):
    for lib in (ember, torch):
        longs = lib.tensor([1, 2])
        assert lib.Tensor(longs).dtype == lib.int64
        for make in (lambda: lib.ones(1).new(longs), lambda: lib.FloatTensor(longs)):
            with pytest.raises(TypeError) as err:
                make()
            assert str(err.value).startswith("expected TensorOptions(dtype=float, device=cpu")
            assert "(got TensorOptions(dtype=long int, device=cpu" in str(err.value)


@pytest.mark.parametrize("data, message", [
    (2.5, "new(): data must be a sequence (got float)"),
    (True, "new(): data must be a sequence (got bool)"),
    (None, "new(): data must be a sequence (got NoneType)"),
    ({1: 2}, "new(): data must be a sequence (got dict)"),
    (np.float32(2.5), "new(): data must be a sequence (got numpy.float32)"),
    ("ab", "new(): invalid data type 'str'")])
def test_scalars_are_not_data(torch, data, message):
    for lib in (ember, torch):
        for make in (lambda: lib.ones(1).new(data), lambda: lib.FloatTensor(data),
                     lambda: lib.Tensor(data)):
            with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
                make()
