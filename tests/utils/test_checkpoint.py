"""utils.checkpoint: the forward runs again in backward and the gradients are unchanged."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def _block(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Dropout(0.3), m.nn.Linear(8, 2))


def _grads(m, use_ckpt, reentrant, x_np):
    block = _block(m)
    x = m.tensor(x_np, requires_grad=True)
    m.manual_seed(1)
    out = checkpoint_fn(m)(block, x, use_reentrant=reentrant) if use_ckpt else block(x)
    (out ** 2).sum().backward()
    return [x.grad.numpy()] + [p.grad.numpy() for p in block.parameters()], out.detach().numpy()


def checkpoint_fn(m):
    return m.utils.checkpoint.checkpoint


@pytest.mark.parametrize("reentrant", [True, False])
def test_same_gradients_as_without_and_as_torch(torch, reentrant):
    x_np = np.random.randn(5, 4).astype("float32")
    plain, out = _grads(ember, False, reentrant, x_np)
    ckpt, cout = _grads(ember, True, reentrant, x_np)
    np.testing.assert_array_equal(out, cout)  # dropout's mask is replayed in backward
    for a, b in zip(plain, ckpt):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    torch.manual_seed(0)
    tblock = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    block = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    block.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tblock.state_dict().items()})
    x, tx = ember.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    (checkpoint(block, x, use_reentrant=reentrant) ** 2).sum().backward()
    (torch.utils.checkpoint.checkpoint(tblock, tx, use_reentrant=reentrant) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for p, tp in zip(block.parameters(), tblock.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_forward_recomputed_in_backward_and_gradcheck():
    calls = []

    def f(a, b):
        calls.append(1)
        return (a * b).sin() * a

    a = ember.randn(3, dtype=ember.float64, requires_grad=True)
    b = ember.randn(3, dtype=ember.float64, requires_grad=True)
    y = checkpoint(f, a, b, use_reentrant=False)
    assert len(calls) == 1 and type(y.grad_fn).__name__ == "CheckpointFunctionBackward"
    y.sum().backward()
    assert len(calls) == 2
    assert ember.autograd.gradcheck(lambda a, b: checkpoint(f, a, b, use_reentrant=True), (a, b))


def test_inputs_without_grad():
    lin = nn.Linear(3, 1)
    x = ember.randn(2, 3)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        y = checkpoint(lin, x, use_reentrant=True)
    assert not y.requires_grad
    y = checkpoint(lin, x, use_reentrant=False)  # non-reentrant: the parameters still learn
    y.sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), x.numpy().sum(0, keepdims=True),
                               rtol=1e-6)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        checkpoint(lin, x.requires_grad_())


def test_kwargs_and_sequential():
    def f(a, scale=1.0):
        return a * scale

    a = ember.ones(2, requires_grad=True)
    checkpoint(f, a, use_reentrant=False, scale=3.0).sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="Unexpected keyword arguments"):
        checkpoint(f, a, use_reentrant=True, scale=3.0)
    seq = nn.Sequential(*[nn.Linear(3, 3) for _ in range(4)])
    x = ember.randn(2, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = checkpoint_sequential(seq, 2, x, use_reentrant=False)
    np.testing.assert_allclose(y.detach().numpy(), seq(x).detach().numpy(), rtol=1e-6)
    y.sum().backward()
    g = x.grad.numpy().copy()
    x.grad = None
    seq(x).sum().backward()
    np.testing.assert_allclose(g, x.grad.numpy(), rtol=1e-5, atol=1e-6)
