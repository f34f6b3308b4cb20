"""Lazy modules against torch: uninitialized parameters and buffers, initialization on the first
forward, the class they become, repr before and after, state dicts, optimizers made before the
dry run, and the values and gradients of the initialized module."""
import copy
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy

from ._helpers import assert_close, copy_weights, raises_like

torch = pytest.importorskip("torch")

# (constructor arguments, input shape, the class it becomes)
CASES = {
    "LazyLinear": ((5,), (3, 4), "Linear"),
    "LazyConv1d": ((4, 3), (2, 3, 9), "Conv1d"),
    "LazyConv2d": ((4, 3), (2, 3, 6, 6), "Conv2d"),
    "LazyConvTranspose2d": ((4, 3), (2, 3, 5, 5), "ConvTranspose2d"),
    "LazyBatchNorm1d": ((), (4, 3, 5), "BatchNorm1d"),
    "LazyBatchNorm2d": ((), (4, 3, 5, 5), "BatchNorm2d"),
    "LazyInstanceNorm1d": ((), (2, 3, 5), "InstanceNorm1d"),
    "LazyInstanceNorm2d": ((), (2, 3, 4, 4), "InstanceNorm2d"),
    "LazyInstanceNorm3d": ((), (2, 3, 3, 3, 3), "InstanceNorm3d"),
}


def _pair(name, *args, **kwargs):
    return getattr(torch.nn, name)(*args, **kwargs), getattr(nn, name)(*args, **kwargs)


def _input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_lazy_module_initializes_like_torch(name):
    args, shape, becomes = CASES[name]
    t_mod, e_mod = _pair(name, *args)
    assert repr(e_mod) == repr(t_mod)
    assert e_mod.has_uninitialized_params() and t_mod.has_uninitialized_params()
    t_state, e_state = t_mod.state_dict(), e_mod.state_dict()
    assert list(e_state) == list(t_state)
    assert [repr(v) for v in e_state.values()] == [repr(v) for v in t_state.values()]

    x = _input(shape)
    t_mod(torch.tensor(x))
    e_mod(ember.tensor(x))
    assert type(e_mod) is getattr(nn, becomes) and type(t_mod) is getattr(torch.nn, becomes)
    assert repr(e_mod) == repr(t_mod)
    assert not any(is_lazy(v) for v in [*e_mod.parameters(), *e_mod.buffers()])
    assert e_mod._forward_pre_hooks == {} and not hasattr(e_mod, "_initialize_hook")
    for key, t in t_mod.state_dict().items():
        e = e_mod.state_dict()[key]
        assert type(e) is ember.Tensor and (e.shape, str(e.dtype)) == (t.shape, str(t.dtype)), key
    for p in e_mod.parameters():
        assert type(p) is nn.Parameter and p.requires_grad

    # the initialized module computes as torch's, values and gradients
    copy_weights(t_mod, e_mod)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    t_out, e_out = t_mod(tx), e_mod(ex)
    assert_close(e_out, t_out, 1e-4, 1e-5)
    t_out.pow(2).sum().backward()
    e_out.pow(2).sum().backward()
    assert_close(ex.grad, tx.grad, 1e-4, 1e-4)
    for (n, tp), ep in zip(t_mod.named_parameters(), e_mod.parameters()):
        assert_close(ep.grad, tp.grad, 1e-4, 1e-4, msg=n)
    for key, t in t_mod.state_dict().items():  # running statistics updated alike
        assert_close(e_mod.state_dict()[key], t, 1e-5, 1e-6, msg=key)


def test_lazy_initialization_draws_what_the_plain_layer_draws():
    ember.manual_seed(3)
    lazy = nn.LazyLinear(6)
    lazy(ember.zeros(2, 4))
    ember.manual_seed(3)
    plain = nn.Linear(4, 6)
    for a, b in zip(lazy.parameters(), plain.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    ember.manual_seed(4)
    conv = nn.LazyConv2d(5, 3, groups=1)
    conv(ember.zeros(1, 2, 5, 5))
    ember.manual_seed(4)
    np.testing.assert_array_equal(conv.weight.detach().numpy(),
                                  nn.Conv2d(2, 5, 3).weight.detach().numpy())


def test_optimizer_made_before_the_dry_run_trains_like_torch():
    t_mod, e_mod = _pair("LazyLinear", 3)
    t_opts = [torch.optim.SGD(t_mod.parameters(), lr=0.1, momentum=0.9),
              torch.optim.Adam(t_mod.parameters(), lr=0.01)]
    e_opts = [ember.optim.SGD(e_mod.parameters(), lr=0.1, momentum=0.9),
              ember.optim.Adam(e_mod.parameters(), lr=0.01)]
    x = _input((4, 2))
    t_mod(torch.tensor(x))
    e_mod(ember.tensor(x))
    copy_weights(t_mod, e_mod)  # in place: the optimizers hold the same parameter objects
    assert e_opts[0].param_groups[0]["params"][0] is e_mod.weight
    for _ in range(2):
        for lib, mod, opts, xs in ((torch, t_mod, t_opts, torch.tensor(x)),
                                   (ember, e_mod, e_opts, ember.tensor(x))):
            for opt in opts:
                opt.zero_grad()
            mod(xs).pow(2).sum().backward()
            for opt in opts:
                opt.step()
    for (n, tp), ep in zip(t_mod.named_parameters(), e_mod.parameters()):
        assert_close(ep, tp, 1e-5, 1e-6, msg=n)


def test_conversions_before_the_dry_run_set_the_dtype():
    t_mod, e_mod = _pair("LazyConv1d", 2, 3)
    t_mod.double()
    e_mod.double()
    assert is_lazy(e_mod.weight) and e_mod.weight.dtype == ember.float64
    e_mod(ember.zeros(1, 4, 6, dtype=ember.float64))
    t_mod(torch.zeros(1, 4, 6, dtype=torch.float64))
    assert str(e_mod.weight.dtype) == str(t_mod.weight.dtype) == "torch.float64"
    assert e_mod.weight.shape == t_mod.weight.shape


def test_uninitialized_tensors_like_torch():
    t_p, e_p = torch.nn.UninitializedParameter(), UninitializedParameter()
    assert repr(e_p) == repr(t_p) and repr(UninitializedBuffer()) == "<UninitializedBuffer>"
    assert isinstance(e_p, nn.Parameter) and e_p.requires_grad
    assert not UninitializedBuffer().requires_grad
    assert e_p.size() == t_p.size() and str(e_p.dtype) == str(t_p.dtype)
    raises_like(lambda: t_p.shape, lambda: e_p.shape)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        e_p + 1
    with pytest.raises(ValueError, match="uninitialized parameter"):
        nn.functional.linear(ember.zeros(2, 3), e_p)
    raises_like(lambda: t_p.share_memory_(), lambda: e_p.share_memory_())
    e_p.materialize((2, 3), dtype=ember.float64)
    assert type(e_p) is nn.Parameter and e_p.shape == (2, 3) and e_p.dtype == ember.float64
    buf = UninitializedBuffer()
    buf.materialize((4,))
    assert type(buf) is ember.Tensor and buf.shape == (4,)


def test_state_dict_loading_into_and_from_lazy_modules():
    e_src, t_src = nn.Linear(4, 3), torch.nn.Linear(4, 3)
    # an initialized checkpoint materializes a lazy module; it becomes a Linear on its first
    # call, which checks the input's width against the loaded weight
    t_lazy, e_lazy = _pair("LazyLinear", 3)
    e_lazy.load_state_dict(e_src.state_dict())
    t_lazy.load_state_dict(t_src.state_dict())
    assert type(e_lazy) is nn.LazyLinear and not e_lazy.has_uninitialized_params()
    np.testing.assert_array_equal(e_lazy.weight.detach().numpy(), e_src.weight.detach().numpy())
    e_lazy(ember.zeros(1, 4))
    t_lazy(torch.zeros(1, 4))
    assert repr(e_lazy) == repr(t_lazy) == "Linear(in_features=4, out_features=3, bias=True)"
    t_lazy, e_lazy = _pair("LazyLinear", 3)
    e_lazy.load_state_dict(e_src.state_dict())
    t_lazy.load_state_dict(t_src.state_dict())
    raises_like(lambda: t_lazy(torch.zeros(1, 5)), lambda: e_lazy(ember.zeros(1, 5)))
    # uninitialized into uninitialized is accepted; uninitialized into initialized is refused
    e_other = nn.LazyLinear(3)
    assert repr(e_other.load_state_dict(nn.LazyLinear(3).state_dict())) == \
        "<All keys matched successfully>"
    assert e_other.has_uninitialized_params()
    raises_like(lambda: torch.nn.Linear(4, 3).load_state_dict(torch.nn.LazyLinear(3).state_dict()),
                lambda: nn.Linear(4, 3).load_state_dict(nn.LazyLinear(3).state_dict()))


def test_copies_and_pickles_stay_lazy():
    lazy = nn.LazyLinear(3)
    twin = copy.deepcopy(lazy)
    restored = pickle.loads(pickle.dumps(lazy))
    for module, width in ((twin, 2), (restored, 5), (lazy, 4)):
        assert type(module) is nn.LazyLinear and module.has_uninitialized_params()
        module(ember.zeros(1, width))
        assert type(module) is nn.Linear and module.weight.shape == (3, width)


def test_lazy_errors_like_torch():
    t_conv, e_conv = _pair("LazyConv2d", 4, 3)
    raises_like(lambda: t_conv(torch.zeros(3, 4)), lambda: e_conv(ember.zeros(3, 4)))
    t_conv, e_conv = _pair("LazyConv2d", 4, 3, groups=2)
    raises_like(lambda: t_conv(torch.zeros(1, 3, 5, 5)), lambda: e_conv(ember.zeros(1, 3, 5, 5)))
    assert type(e_conv) is nn.LazyConv2d and e_conv.has_uninitialized_params()
    with pytest.raises(NotImplementedError):
        nn.modules.lazy.LazyModuleMixin.initialize_parameters(e_conv)


def test_lazy_options_like_torch():
    for name, args, kwargs, shape in (
            ("LazyLinear", (3,), {"bias": False}, (2, 5)),
            ("LazyBatchNorm2d", (), {"affine": False, "track_running_stats": False},
             (2, 3, 4, 4)),
            ("LazyBatchNorm1d", (), {"bias": False, "momentum": None}, (4, 3)),
            ("LazyConv2d", (4, 3), {"stride": 2, "padding": 1, "bias": False,
                                    "padding_mode": "reflect"}, (1, 2, 6, 6))):
        t_mod, e_mod = _pair(name, *args, **kwargs)
        assert repr(e_mod) == repr(t_mod)
        assert list(e_mod.state_dict()) == list(t_mod.state_dict())
        t_mod(torch.zeros(shape))
        e_mod(ember.zeros(shape))
        assert repr(e_mod) == repr(t_mod)
        assert {k: tuple(v.shape) for k, v in e_mod.state_dict().items()} == \
            {k: tuple(v.shape) for k, v in t_mod.state_dict().items()}
