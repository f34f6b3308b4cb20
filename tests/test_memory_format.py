"""torch.memory_format and torch.layout (NOTE [ Memory formats ]): channels_last tensors keep
their shape with NHWC strides, through contiguous, to, clone, the factories and Module.to;
compared with torch's strides and values."""
import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _both(make):
    """make(lib) under ember and torch; (shape, stride, values) of each must agree."""
    got = []
    for lib in (ember, torch):
        t = make(lib)
        got.append((tuple(t.shape), t.stride(), t.detach().numpy().tolist()))
    assert got[0] == got[1]
    return got[0]


X = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
V = np.arange(2 * 3 * 2 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2, 2)

CASES = {
    "contiguous_cl": lambda m: m.tensor(X).contiguous(memory_format=m.channels_last),
    "to_cl": lambda m: m.tensor(X).to(memory_format=m.channels_last),
    "to_dtype_cl": lambda m: m.tensor(X).to(m.float64, memory_format=m.channels_last),
    "back_to_contiguous": lambda m: m.tensor(X).contiguous(memory_format=m.channels_last)
    .contiguous(),
    "cl_3d": lambda m: m.tensor(V).contiguous(memory_format=m.channels_last_3d),
    "clone_preserves_cl": lambda m: m.tensor(X).to(memory_format=m.channels_last).clone(),
    "clone_preserves_permuted": lambda m: m.tensor(X).permute(0, 2, 3, 1).clone(),
    "clone_preserves_transposed": lambda m: m.tensor(X[0, 0]).t().clone(),
    "clone_of_strided_slice": lambda m: m.tensor(X)[:, :, ::2].clone(),
    "clone_to_contiguous": lambda m: m.tensor(X[0, 0]).t().clone(memory_format=m.contiguous_format),
    "clone_to_cl": lambda m: m.tensor(X).clone(memory_format=m.channels_last),
    "empty_like_preserves": lambda m: m.zeros_like(m.tensor(X).to(memory_format=m.channels_last)),
    "ones_like_cl": lambda m: m.ones_like(m.tensor(X), memory_format=m.channels_last),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layout_matches_torch(name):
    _both(CASES[name])


def test_is_contiguous_per_format():
    for lib in (ember, torch):
        x = lib.tensor(X)
        cl = x.contiguous(memory_format=lib.channels_last)
        assert x.is_contiguous() and not x.is_contiguous(memory_format=lib.channels_last)
        assert cl.is_contiguous(memory_format=lib.channels_last) and not cl.is_contiguous()
        assert not lib.ones(3, 4).is_contiguous(memory_format=lib.channels_last)
        assert lib.empty(2, 3, 4, 5, memory_format=lib.channels_last).stride() == (60, 1, 15, 3)
        assert x.layout is lib.strided and repr(lib.strided) == "torch.strided"
        assert repr(lib.channels_last) == "torch.channels_last"
        assert lib.legacy_contiguous_format is lib.contiguous_format
        assert pickle.loads(pickle.dumps(lib.channels_last)) is lib.channels_last


def test_wrong_rank_and_preserve_raise_like_torch():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last"):
            lib.ones(3, 4).contiguous(memory_format=lib.channels_last)
        with pytest.raises(RuntimeError, match="required rank 5 tensor to use channels_last_3d"):
            lib.tensor(X).to(memory_format=lib.channels_last_3d)
        with pytest.raises(RuntimeError, match="unsupported memory format Preserve"):
            lib.empty(2, 3, memory_format=lib.preserve_format)
        assert lib.tensor(X).is_contiguous(memory_format=lib.preserve_format)
        with pytest.raises(RuntimeError, match="preserve memory format is unsupported by the"):
            lib.tensor(X[0, 0]).t().contiguous(memory_format=lib.preserve_format)


def test_module_to_channels_last_and_gradients_flow():
    strides, grads = [], []
    for lib in (ember, torch):
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(3, 4, 3)
        w0 = conv.weight.detach().numpy().copy()
        assert conv.to(memory_format=lib.channels_last) is conv
        strides.append((conv.weight.stride(), conv.bias.stride()))
        np.testing.assert_array_equal(conv.weight.detach().numpy(), w0)  # same values
        x = lib.tensor(X, requires_grad=True)
        y = x.contiguous(memory_format=lib.channels_last)
        (y * lib.arange(120.0).reshape(2, 3, 4, 5)).sum().backward()
        grads.append(x.grad.numpy().tolist())
    assert strides[0] == strides[1] == ((27, 1, 9, 3), (1,))
    assert grads[0] == grads[1]
