"""nn.LinearCrossEntropyLoss / F.linear_cross_entropy (torch 2.13): values, gradients, repr and
state_dict keys against torch; torch.get_device_module."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).standard_normal((6, 4))
T = np.array([0, 2, 1, 1, 0, 2])


@pytest.mark.parametrize("kwargs", [dict(), dict(ignore_index=1), dict(label_smoothing=0.2),
                                    dict(reduction="sum"), dict(reduction="none")])
def test_functional_matches_torch(kwargs):
    w = np.random.default_rng(1).standard_normal((3, 4))
    b = np.random.default_rng(2).standard_normal(3)
    got = []
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        wt = lib.tensor(w, requires_grad=True)
        loss = lib.nn.functional.linear_cross_entropy(x, wt, lib.tensor(T),
                                                      linear_bias=lib.tensor(b), **kwargs)
        loss.sum().backward()
        got.append([loss.detach().numpy(), x.grad.numpy(), wt.grad.numpy()])
    for e, t in zip(*got):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_module_matches_torch():
    got, ember_state = [], None
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = lib.nn.LinearCrossEntropyLoss(4, 3, bias=True, label_smoothing=0.1).double()
        if lib is torch:
            m.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ember_state.items()})
        else:
            ember_state = m.state_dict()
        loss = m(lib.tensor(X), lib.tensor(T))
        loss.backward()
        got.append((repr(m), sorted(m.state_dict()), loss.item(), m.linear.weight.grad.numpy()))
    assert got[0][:2] == got[1][:2]
    np.testing.assert_allclose(got[0][2], got[1][2], rtol=1e-12)
    np.testing.assert_allclose(got[0][3], got[1][3], rtol=1e-10)
    assert repr(ember.nn.LinearCrossEntropyOptions()) == repr(torch.nn.LinearCrossEntropyOptions())


@pytest.mark.parametrize("kwargs", [dict(), dict(reduction="none", label_smoothing=0.2),
                                    dict(ignore_index=2, reduction="sum")])
def test_k_dimensional_loss_matches_torch(kwargs):
    """out_features=(d1, d2): a flat Linear of C*d1*d2 outputs seen as (N, C, d1, d2) logits."""
    rng = np.random.default_rng(4)
    w = rng.standard_normal((3 * 2 * 5, 4))
    b = rng.standard_normal(3 * 2 * 5)
    t = rng.integers(0, 3, (6, 2, 5))
    got = []
    for lib in (ember, torch):
        m = lib.nn.LinearCrossEntropyLoss(4, 3, out_features=(2, 5), bias=True, **kwargs).double()
        with lib.no_grad():
            m.linear.weight.copy_(lib.tensor(w))
            m.linear.bias.copy_(lib.tensor(b))
        x = lib.tensor(X, requires_grad=True)
        loss = m(x, lib.tensor(t))
        loss.sum().backward()
        got.append((repr(m), tuple(m.linear.weight.shape), loss.detach().numpy(), x.grad.numpy(),
                    m.linear.weight.grad.numpy(), m.linear.bias.grad.numpy()))
    assert got[0][:2] == got[1][:2]
    for e, t_ in zip(got[0][2:], got[1][2:]):
        np.testing.assert_allclose(e, t_, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.LinearCrossEntropyLoss(4, 3, weight=lib.ones(2)),
    lambda lib: lib.nn.LinearCrossEntropyLoss(4, 3, label_smoothing=1.5),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(4), lib.ones(3, 2, 4),
                                                       lib.zeros(2, dtype=lib.long)),
])
def test_errors_match_torch(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(ember)
    assert str(ours.value) == str(theirs.value)


def test_get_device_module():
    assert ember.get_device_module("cpu") is ember.cpu
    assert ember.get_device_module(ember.device("cuda:0")) is ember.cuda
    assert ember.get_device_module() is (ember.cuda if ember.cuda.is_available() else ember.cpu)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
            lib.get_device_module("tpu")
