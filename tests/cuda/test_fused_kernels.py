"""The fused CUDA kernels (ember._backend.threshold_backward, optim's sgd_step_ and adam_step_):
the kernels (the fake's NumPy run of the kernel text, or the GPU) agree with PyTorch (and
threshold_backward's NumPy path with its definition)."""
import numpy as np
import pytest

from ember import _backend
from ember.optim.adam import adam_step_
from ember.optim.sgd import sgd_step_

STEPS = 3


def _arrays(seed, n=7, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(dtype) for _ in range(STEPS + 1)]


def _on(cuda, array):
    return cuda.asarray(array)


def _host(array):
    return _backend.to_numpy(array)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_threshold_backward(cuda, dtype):
    g, x = _arrays(0, dtype=dtype)[:2]
    x[0] = 0.0  # exactly at the threshold: no gradient, as in PyTorch
    x[1] = np.nan  # PyTorch tests x <= threshold: a NaN passes its gradient
    want = np.where(x <= 0, 0, g).astype(dtype)
    host = _backend.threshold_backward(g, x, 0)
    dev = _backend.threshold_backward(cuda.asarray(g), cuda.asarray(x), 0)
    assert host.dtype == dtype and _host(dev).dtype == dtype
    np.testing.assert_array_equal(host, want)
    np.testing.assert_array_equal(_host(dev), want)
    np.testing.assert_array_equal(_host(_backend.threshold_backward(cuda.asarray(g),
                                                                    cuda.asarray(x), 0.5)),
                                  np.where(x <= 0.5, 0, g))


SGD_CASES = [dict(lr=0.1), dict(lr=0.1, weight_decay=0.01, maximize=True),
             dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.9, dampening=0.3),
             dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.02)]


def _sgd(cuda, case):
    p, *grads = _arrays(1)
    p = _on(cuda, p)
    buf = _on(cuda, np.zeros_like(_host(p)))
    for i, g in enumerate(grads):
        sgd_step_(p, _on(cuda, g), buf, first=i == 0, **case)
    return _host(p)


@pytest.mark.parametrize("case", SGD_CASES, ids=lambda c: "-".join(c))
def test_sgd_step_matches_torch(cuda, case):
    torch = pytest.importorskip("torch")
    p0, *grads = _arrays(1)
    p = torch.tensor(p0, requires_grad=True)
    opt = torch.optim.SGD([p], **case)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    # a GPU may fuse multiply-adds, so the kernel agrees with torch's CPU step to rounding
    np.testing.assert_allclose(_sgd(cuda, case), p.detach().numpy(), rtol=1e-5, atol=1e-6)


ADAM_CASES = [dict(), dict(amsgrad=True), dict(weight_decay=0.1),
              dict(weight_decay=0.1, decoupled_weight_decay=True), dict(maximize=True),
              dict(amsgrad=True, weight_decay=0.05, decoupled_weight_decay=True)]


def _adam(cuda, case):
    p, *grads = _arrays(2)
    p = _on(cuda, p)
    state = [_on(cuda, np.zeros_like(_host(p))) for _ in range(3)]
    for step, g in enumerate(grads, 1):
        adam_step_(p, _on(cuda, g), state[0], state[1],
                   state[2] if case.get("amsgrad") else None, step=step, lr=0.01,
                   beta1=0.9, beta2=0.999, eps=1e-8,
                   weight_decay=case.get("weight_decay", 0.0),
                   decoupled_weight_decay=case.get("decoupled_weight_decay", False),
                   maximize=case.get("maximize", False))
    return _host(p)


@pytest.mark.parametrize("case", ADAM_CASES, ids=lambda c: "-".join(c) or "plain")
def test_adam_step_matches_torch(cuda, case):
    torch = pytest.importorskip("torch")
    p0, *grads = _arrays(2)
    p = torch.tensor(p0, requires_grad=True)
    kwargs = dict(case)
    cls = torch.optim.AdamW if kwargs.pop("decoupled_weight_decay", False) else torch.optim.Adam
    kwargs.setdefault("weight_decay", 0.0)  # AdamW's default is not 0
    opt = cls([p], lr=0.01, **kwargs)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    np.testing.assert_allclose(_adam(cuda, case), p.detach().numpy(), rtol=1e-5, atol=1e-6)
