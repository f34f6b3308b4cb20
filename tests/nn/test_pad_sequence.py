"""nn.utils.rnn.pad_sequence: forward and gradients against torch, gradcheck, errors."""
import numpy as np
import pytest

import ember
from ember.nn.utils.rnn import pad_sequence

LENGTHS = (3, 1, 4)


def _seqs(lib, trailing, dtype):
    rng = np.random.default_rng(0)
    return [lib.tensor(rng.standard_normal((n, *trailing)), dtype=dtype, requires_grad=True)
            for n in LENGTHS]


@pytest.mark.parametrize("trailing", [(), (2,), (2, 3)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(trailing, batch_first, side):
    torch = pytest.importorskip("torch")
    ours, theirs = _seqs(ember, trailing, ember.float32), _seqs(torch, trailing, torch.float32)
    got = pad_sequence(ours, batch_first=batch_first, padding_value=-2.5, padding_side=side)
    want = torch.nn.utils.rnn.pad_sequence(theirs, batch_first=batch_first, padding_value=-2.5,
                                           padding_side=side)
    assert got.shape == tuple(want.shape) and got.dtype == ember.float32
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    weight = np.arange(got.numel(), dtype=np.float32).reshape(got.shape)
    (got * ember.tensor(weight)).sum().backward()
    (want * torch.tensor(weight)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def test_pad_sequence_gradcheck_and_tensor_input():
    seqs = _seqs(ember, (2,), ember.float64)
    assert ember.autograd.gradcheck(
        lambda *s: pad_sequence(s, batch_first=True, padding_side="left"), seqs)
    assert pad_sequence(ember.ones(2, 3)).shape == (3, 2)  # a tensor is a sequence of rows
    assert ember.nn.utils.rnn.pad_sequence is pad_sequence


def test_pad_sequence_errors():
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of "
                                           r"tensor b \(2\) at non-singleton dimension 1"):
        pad_sequence([ember.ones(2, 3), ember.ones(1, 2)])
    with pytest.raises(RuntimeError, match="padding_side to be one of left or right, but got "
                                           "middle"):
        pad_sequence([ember.ones(2)], padding_side="middle")
