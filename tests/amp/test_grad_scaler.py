"""GradScaler: scaling, unscaling, skipped steps, growth and backoff, state_dict; against torch."""
import numpy as np
import pytest

import ember


def _run(m, scaler_cls, grads_scale):
    """Five steps of SGD on a linear model with a scaler whose gradients are inf at step 2."""
    m.manual_seed(0)
    lin = m.nn.Linear(3, 1)
    with m.no_grad():
        lin.weight.copy_(m.tensor([[0.1, -0.2, 0.3]]))
        lin.bias.fill_(0.5)
    opt = m.optim.SGD(lin.parameters(), lr=0.1)
    scaler = scaler_cls("cpu", init_scale=4.0, growth_interval=2)
    x = m.tensor([[1., 2., 3.]])
    trace = []
    for i in range(5):
        opt.zero_grad()
        loss = scaler.scale(lin(x).sum() * (float("inf") if i == grads_scale else 1.0))
        loss.backward()
        scaler.step(opt)
        scaler.update()
        trace.append(scaler.get_scale())
    return trace, lin.weight.detach().numpy().copy(), scaler.state_dict()


def test_scaler_matches_torch(torch):
    trace, w, sd = _run(ember, ember.amp.GradScaler, 2)
    ttrace, tw, tsd = _run(torch, torch.amp.GradScaler, 2)
    assert trace == ttrace == [4.0, 8.0, 4.0, 4.0, 8.0]
    np.testing.assert_allclose(w, tw, rtol=1e-6)
    assert sd == tsd


def test_scale_unscale_and_skip():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = ember.optim.SGD([p], lr=1.0)
    scaler = ember.amp.GradScaler("cpu", init_scale=8.0)
    loss = scaler.scale((p * p).sum())
    assert loss.item() == 8.0 * 5.0
    loss.backward()
    scaler.unscale_(opt)
    assert p.grad.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    assert p.tolist() == [-1.0, -2.0]
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    scaler.update()
    p.grad = ember.tensor([float("nan"), 1.0])
    assert scaler.step(opt) is None  # skipped
    assert p.tolist() == [-1.0, -2.0]
    scaler.update()
    assert scaler.get_scale() == 4.0
    scaler.update(new_scale=16.0)
    assert scaler.get_scale() == 16.0
    fresh = ember.amp.GradScaler("cpu")
    fresh.load_state_dict(scaler.state_dict())
    assert fresh.state_dict() == scaler.state_dict()


def test_disabled_scaler_is_a_pass_through():
    p = ember.nn.Parameter(ember.tensor([1.0]))
    opt = ember.optim.SGD([p], lr=1.0)
    scaler = ember.amp.GradScaler(enabled=False)
    loss = (p * 3).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert p.tolist() == [-2.0] and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    assert not scaler.is_enabled()


def test_cuda_scaler_without_cuda_disables_itself(torch):
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = ember.amp.GradScaler()
    assert not scaler.is_enabled()
    with pytest.warns(FutureWarning):
        legacy = ember.cuda.amp.GradScaler(enabled=False)
    assert not legacy.is_enabled()
    with pytest.warns(FutureWarning):
        cpu = ember.cpu.amp.GradScaler()
    assert cpu.is_enabled() and cpu.get_scale() == 65536.0
