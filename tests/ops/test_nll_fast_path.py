"""nll_loss's unweighted (N, C) path (every target a class, no class weights) and the general
path on either side of it: same values, gradients and errors as torch."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.ops import loss as L


@pytest.fixture
def fast_calls(monkeypatch):
    calls = []
    fast = L._nll_unweighted

    def spy(*args):
        calls.append(args[-1])
        return fast(*args)
    monkeypatch.setattr(L, "_nll_unweighted", spy)
    return calls


def _x(n=6, c=5, dtype=np.float32):
    return np.random.default_rng(0).standard_normal((n, c)).astype(dtype)


CASES = [  # target, kwargs, takes the fast path
    ([1, 0, 4, 2, 2, 3], dict(), True),
    ([1, 0, 4, 2, 2, 3], dict(reduction="sum"), True),
    ([1, 0, 4, 2, 2, 3], dict(ignore_index=7), True),
    ([1, 0, 4, 2, 2, 3], dict(reduction="none"), False),
    ([1, 0, 4, 2, 2, 3], dict(ignore_index=2), False),  # an ignored class inside the range
    ([1, 7, 4, 2, 7, 3], dict(ignore_index=7), False),  # ignored targets above the classes
    ([1, -100, 4, 2, 2, 3], dict(), False),  # the default ignore_index in the target
    ([1, 0, 4, 2, 2, 3], dict(weight=np.arange(1, 6, dtype=np.float32)), False),
]


@pytest.mark.parametrize("target,kwargs,fast", CASES)
@pytest.mark.parametrize("tdtype", ["int64", "uint8"])
def test_nll_paths_match_torch(torch, fast_calls, target, kwargs, fast, tdtype):
    if tdtype == "uint8" and min(target) < 0:
        pytest.skip("negative targets are not uint8")
    got = []
    for m in (ember, torch):
        x = m.tensor(_x(), requires_grad=True)
        kw = {k: m.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
        out = m.nn.functional.nll_loss(x, m.tensor(np.array(target, dtype=tdtype)), **kw)
        out.backward(m.ones_like(out))
        got.append([out.detach().numpy() if m is torch else np.asarray(out.detach()._data),
                    x.grad.numpy() if m is torch else np.asarray(x.grad._data)])
        if m is ember:
            assert out.grad_fn.name() == "NllLossBackward0"
            assert out.dtype == ember.float32
    for e, t in zip(*got):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-7)
    assert bool(fast_calls) == fast


@pytest.mark.parametrize("bad", [5, -1])
def test_out_of_range_target_raises_like_torch(torch, fast_calls, bad):
    for m in (ember, torch):
        with pytest.raises(IndexError, match=f"Target {bad} is out of bounds"):
            m.nn.functional.nll_loss(m.tensor(_x()), m.tensor([1, 0, bad, 2, 2, 3]))
    assert not fast_calls


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fast_path_gradcheck(fast_calls, reduction):
    x = ember.tensor(_x(dtype=np.float64), requires_grad=True)
    t = ember.tensor([1, 0, 4, 2, 2, 3])
    fn = lambda a: ember.nn.functional.nll_loss(a.log_softmax(1), t, reduction=reduction)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    assert fast_calls
