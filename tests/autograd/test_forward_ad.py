"""torch.autograd.forward_ad (NOTE [ Forward AD by two reverse passes ]): tangents of dual
tensors through elementwise ops, matmul, reductions and a small network, against torch 2.13."""
import numpy as np
import pytest

import ember
import ember.autograd.forward_ad as fwAD

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(0)
X = _rng.standard_normal((3, 4))
T = _rng.standard_normal((3, 4))
W = _rng.standard_normal((4, 2))
V = _rng.standard_normal(2)


def _tangent(lib, f, with_weight_tangent=False):
    fw = lib.autograd.forward_ad
    x, t, w = lib.tensor(X), lib.tensor(T), lib.tensor(W)
    with fw.dual_level():
        dx = fw.make_dual(x, t)
        dw = fw.make_dual(w, lib.tensor(np.ones_like(W))) if with_weight_tangent else w
        primal, tangent = fw.unpack_dual(f(lib, dx, dw))
        return primal.detach().numpy(), tangent.numpy()


@pytest.mark.parametrize("f", [
    lambda lib, x, w: x.exp() * 3 - x.sin(),
    lambda lib, x, w: (x @ w).tanh(),
    lambda lib, x, w: (x * x).sum(dim=1),
    lambda lib, x, w: lib.softmax(x, dim=-1),
    lambda lib, x, w: lib.nn.functional.gelu(x @ w),
    lambda lib, x, w: x[1:, ::2].pow(3).mean(),
])
@pytest.mark.parametrize("weight_tangent", [False, True])
def test_tangents_match_torch(f, weight_tangent):
    (tp, tt), (ep, et) = (_tangent(lib, f, weight_tangent) for lib in (torch, ember))
    np.testing.assert_allclose(ep, tp, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(et, tt, rtol=1e-10, atol=1e-12)


def test_a_linear_layer_network():
    def run(lib):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))
        for p, v in zip(net.parameters(), (np.linspace(-1, 1, n) for n in (20, 5, 10, 2))):
            with lib.no_grad():
                p.copy_(lib.tensor(v.reshape(p.shape), dtype=p.dtype))
        x = lib.tensor(X, dtype=lib.float32)
        with lib.autograd.forward_ad.dual_level():
            out = net(lib.autograd.forward_ad.make_dual(x, lib.tensor(T, dtype=lib.float32)))
            return lib.autograd.forward_ad.unpack_dual(out).tangent.detach().numpy()
    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-5, atol=1e-6)


def test_plain_tensors_and_closed_levels_have_no_tangent():
    x = ember.tensor([1.0, 2.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, ember.tensor([1.0, 0.0]))
        y = d * 2
        assert fwAD.unpack_dual(x).tangent is None
        assert fwAD.unpack_dual(ember.ones(2) * 3).tangent is None
        assert fwAD.unpack_dual(d).tangent.tolist() == [1.0, 0.0]
        assert type(fwAD.unpack_dual(y)).__name__ == "UnpackedDualTensor"
        assert fwAD.unpack_dual(y)._fields == ("primal", "tangent")
    assert fwAD.unpack_dual(y).tangent is None
    assert fwAD.enter_dual_level() == 0
    fwAD.exit_dual_level()


def test_reverse_mode_still_reaches_a_primal_that_requires_grad():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(p, ember.tensor([1.0, 1.0]))
        y = (d * d).sum()
        assert fwAD.unpack_dual(y).tangent.item() == 6.0
    y.backward()
    assert p.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("call", [
    lambda fw, lib: fw.make_dual(lib.tensor([1.0]), lib.tensor([1.0])),  # no level
    lambda fw, lib: _in_level(fw, lambda: fw.make_dual(lib.tensor([1.0, 2.0]), lib.ones(3))),
    lambda fw, lib: _in_level(fw, lambda: fw.make_dual(lib.tensor([1, 2]), lib.tensor([1, 2]))),
    lambda fw, lib: _in_level(fw, lambda: fw.enter_dual_level()),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch.autograd.forward_ad, torch)
    with pytest.raises(Exception) as ours:
        call(fwAD, ember)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def _in_level(fw, thunk):
    with fw.dual_level():
        thunk()
