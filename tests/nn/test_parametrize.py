"""nn.utils.parametrize, parametrizations.weight_norm/spectral_norm and the legacy
weight_norm/spectral_norm hooks against torch: repr, state_dict keys, values and gradients from
copied weights (and copied u/v vectors for the spectral norms), removal, and torch's errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck
from ember.nn.utils import parametrize

from ._helpers import assert_close, copy_weights, raises_like, twins

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-5, 1e-6


def _parametrizations(lib):
    """Symmetric (right_inverse: the upper triangle), Scale (no right_inverse) and Split (two
    originals), written the same way for torch and ember."""
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(0, 1)

        def right_inverse(self, a):
            return a.triu()

    class Scale(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            return x * 2.0

    class Split(lib.nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, x):
            return x * 0.25, x * 0.75

    return Symmetric, Scale, Split


def _linear_pair(n_in=4, n_out=4, seed=0):
    """A torch Linear and an ember Linear with the same weights."""
    return twins(torch, lambda lib_nn: lib_nn.Linear(n_in, n_out), seed)


def _compare_call(t_mod, e_mod, shape, seed=0, rtol=RTOL, atol=ATOL):
    """Output, input gradient and parameter gradients of one call, ember against torch."""
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    t_out, e_out = t_mod(tx), e_mod(ex)
    assert_close(e_out, t_out, rtol, atol, msg="output")
    t_out.pow(2).sum().backward()
    e_out.pow(2).sum().backward()
    assert_close(ex.grad, tx.grad, rtol, atol, msg="input grad")
    t_params, e_params = dict(t_mod.named_parameters()), dict(e_mod.named_parameters())
    assert list(t_params) == list(e_params)
    for name, p in t_params.items():
        assert_close(e_params[name].grad, p.grad, rtol, atol, msg=name)


# -- parametrize ----------------------------------------------------------------------------------

def test_register_parametrization_like_torch():
    t_mod, e_mod = _linear_pair()
    weight = e_mod.weight
    parametrize.register_parametrization(e_mod, "weight", _parametrizations(ember)[0]())
    torch.nn.utils.parametrize.register_parametrization(t_mod, "weight",
                                                        _parametrizations(torch)[0]())
    assert repr(e_mod) == repr(t_mod)
    assert type(e_mod).__name__ == "ParametrizedLinear" and isinstance(e_mod, nn.Linear)
    assert parametrize.type_before_parametrizations(e_mod) is nn.Linear
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    # the original is the same Parameter (an optimizer made before keeps working), holding
    # right_inverse(weight)
    assert e_mod.parametrizations.weight.original is weight
    assert_close(e_mod.parametrizations.weight.original, t_mod.parametrizations.weight.original)
    assert_close(e_mod.weight, t_mod.weight)
    assert parametrize.is_parametrized(e_mod) and parametrize.is_parametrized(e_mod, "weight")
    assert not parametrize.is_parametrized(e_mod, "bias")
    assert not parametrize.is_parametrized(nn.Linear(2, 2))
    _compare_call(t_mod, e_mod, (3, 4))


def test_assignment_goes_through_right_inverse():
    t_mod, e_mod = _linear_pair()
    parametrize.register_parametrization(e_mod, "weight", _parametrizations(ember)[0]())
    torch.nn.utils.parametrize.register_parametrization(t_mod, "weight",
                                                        _parametrizations(torch)[0]())
    value = np.arange(16, dtype=np.float32).reshape(4, 4)
    e_mod.weight = ember.tensor(value)
    with torch.no_grad():
        t_mod.weight = torch.tensor(value)
    assert_close(e_mod.parametrizations.weight.original, t_mod.parametrizations.weight.original)
    assert_close(e_mod.weight, t_mod.weight)
    # without a right_inverse, assignment is refused as torch refuses it
    t_scaled, e_scaled = _linear_pair()
    parametrize.register_parametrization(e_scaled, "weight", _parametrizations(ember)[1]())
    torch.nn.utils.parametrize.register_parametrization(t_scaled, "weight",
                                                        _parametrizations(torch)[1]())
    raises_like(lambda: setattr(t_scaled, "weight", torch.zeros(4, 4)),
                lambda: setattr(e_scaled, "weight", ember.zeros(4, 4)))


def test_chained_parametrizations_buffers_and_tuple_originals():
    t_mod, e_mod = _linear_pair()
    for lib, mod in ((torch, t_mod), (ember, e_mod)):
        symmetric, scale, split = _parametrizations(lib)
        register = lib.nn.utils.parametrize.register_parametrization
        register(mod, "weight", split())
        register(mod, "weight", symmetric())
        register(mod, "bias", scale())
        mod.register_buffer("offset", lib.ones(4))
        register(mod, "offset", scale())
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert "parametrizations.weight.original1" in dict(e_mod.named_parameters())
    assert "parametrizations.offset.original" in dict(e_mod.named_buffers())
    for name in ("weight", "bias", "offset"):
        assert_close(getattr(e_mod, name), getattr(t_mod, name), msg=name)
    _compare_call(t_mod, e_mod, (2, 4))


def test_cached_computes_each_tensor_once():
    scale = _parametrizations(ember)[1]()
    mod = parametrize.register_parametrization(nn.Linear(3, 3), "weight", scale)
    scale.calls = 0
    mod.weight, mod.weight
    assert scale.calls == 2
    scale.calls = 0
    with parametrize.cached():
        first, second = mod.weight, mod.weight
        with parametrize.cached():
            mod.weight
    assert scale.calls == 1 and first is second
    mod.weight
    assert scale.calls == 2  # the cache is dropped when the outer block ends


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations_like_torch(leave_parametrized):
    t_mod, e_mod = _linear_pair()
    weight = e_mod.weight
    for lib, mod in ((torch, t_mod), (ember, e_mod)):
        lib.nn.utils.parametrize.register_parametrization(mod, "weight",
                                                          _parametrizations(lib)[0]())
        lib.nn.utils.parametrize.remove_parametrizations(mod, "weight", leave_parametrized)
    assert type(e_mod) is nn.Linear and not hasattr(e_mod, "parametrizations")
    assert e_mod.weight is weight and isinstance(e_mod.weight, nn.Parameter)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert_close(e_mod.weight, t_mod.weight)


def test_parametrize_errors_like_torch():
    t_mod, e_mod = _linear_pair()
    t_p, e_p = torch.nn.utils.parametrize, parametrize
    symmetric_t, symmetric_e = _parametrizations(torch)[0], _parametrizations(ember)[0]
    raises_like(lambda: t_p.register_parametrization(t_mod, "nope", symmetric_t()),
                lambda: e_p.register_parametrization(e_mod, "nope", symmetric_e()))
    raises_like(lambda: t_p.remove_parametrizations(t_mod, "weight"),
                lambda: e_p.remove_parametrizations(e_mod, "weight"))

    class Widen(torch.nn.Module):
        def forward(self, x):
            return torch.cat([x, x])

    class EmberWiden(nn.Module):
        def forward(self, x):
            return ember.cat([x, x])

    raises_like(lambda: t_p.register_parametrization(t_mod, "weight", Widen()),
                lambda: e_p.register_parametrization(e_mod, "weight", EmberWiden()))
    t_p.register_parametrization(t_mod, "bias", Widen(), unsafe=True)
    e_p.register_parametrization(e_mod, "bias", EmberWiden(), unsafe=True)
    assert e_mod.bias.shape == (8,)
    t_p.register_parametrization(t_mod, "weight", _parametrizations(torch)[2]())
    e_p.register_parametrization(e_mod, "weight", _parametrizations(ember)[2]())
    raises_like(lambda: t_p.register_parametrization(t_mod, "weight", Widen()),
                lambda: e_p.register_parametrization(e_mod, "weight", EmberWiden()))
    raises_like(lambda: t_p.remove_parametrizations(t_mod, "weight", False),
                lambda: e_p.remove_parametrizations(e_mod, "weight", False))
    raises_like(lambda: pickle.dumps(t_mod), lambda: pickle.dumps(e_mod))


def test_parametrized_module_deepcopies():
    mod = parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                               _parametrizations(ember)[0]())
    twin = copy.deepcopy(mod)
    assert type(twin) is type(mod)
    original = twin.parametrizations.weight.original
    assert original is not mod.parametrizations.weight.original
    with ember.no_grad():
        original.zero_()
    assert float(twin.weight.abs().sum()) == 0.0 and float(mod.weight.abs().sum()) > 0.0


# -- weight_norm ----------------------------------------------------------------------------------

def _conv_pair(cls="Conv2d", seed=0):
    torch.manual_seed(seed)
    t_mod = getattr(torch.nn, cls)(3, 4, 3)
    e_mod = getattr(nn, cls)(3, 4, 3)
    copy_weights(t_mod, e_mod)
    return t_mod, e_mod


@pytest.mark.parametrize("layer", ["Linear", "Conv2d"])
@pytest.mark.parametrize("dim", [0, 1, None, -1, -2])
def test_parametrizations_weight_norm_like_torch(layer, dim):
    t_mod, e_mod = _linear_pair(4, 5) if layer == "Linear" else _conv_pair()
    torch.nn.utils.parametrizations.weight_norm(t_mod, dim=dim)
    nn.utils.parametrizations.weight_norm(e_mod, dim=dim)
    assert repr(e_mod) == repr(t_mod)
    t_state, e_state = t_mod.state_dict(), e_mod.state_dict()
    assert list(e_state) == list(t_state)
    for key in t_state:
        assert_close(e_state[key], t_state[key], msg=key)
    _compare_call(t_mod, e_mod, (2, 4) if layer == "Linear" else (2, 3, 5, 5))
    # assignment splits the new weight into magnitude and direction
    value = np.random.default_rng(1).standard_normal(tuple(t_mod.weight.shape))
    e_mod.weight = ember.tensor(value.astype(np.float32))
    with torch.no_grad():
        t_mod.weight = torch.tensor(value.astype(np.float32))
    assert_close(e_mod.weight, t_mod.weight)
    assert_close(e_mod.parametrizations.weight.original0, t_mod.parametrizations.weight.original0)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_legacy_weight_norm_like_torch(dim):
    t_mod, e_mod = _conv_pair()
    with pytest.warns(FutureWarning, match="deprecated"):
        nn.utils.weight_norm(e_mod, dim=dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.nn.utils.weight_norm(t_mod, dim=dim)
    assert repr(e_mod) == repr(t_mod)
    t_state, e_state = t_mod.state_dict(), e_mod.state_dict()
    assert list(e_state) == list(t_state) == ["bias", "weight_g", "weight_v"]
    for key in t_state:
        assert_close(e_state[key], t_state[key], msg=key)
    assert_close(e_mod.weight, t_mod.weight)
    _compare_call(t_mod, e_mod, (2, 3, 5, 5))
    torch.nn.utils.remove_weight_norm(t_mod)
    nn.utils.remove_weight_norm(e_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == ["bias", "weight"]
    assert isinstance(e_mod.weight, nn.Parameter) and e_mod._forward_pre_hooks == {}
    assert_close(e_mod.weight, t_mod.weight)


def test_legacy_weight_norm_errors_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t_mod, e_mod = torch.nn.utils.weight_norm(torch.nn.Linear(2, 2)), nn.utils.weight_norm(
            nn.Linear(2, 2))
        raises_like(lambda: torch.nn.utils.weight_norm(t_mod),
                    lambda: nn.utils.weight_norm(e_mod))
        raises_like(lambda: torch.nn.utils.weight_norm(torch.nn.LazyLinear(2)),
                    lambda: nn.utils.weight_norm(nn.LazyLinear(2)))
    raises_like(lambda: torch.nn.utils.remove_weight_norm(t_mod, "bias"),
                lambda: nn.utils.remove_weight_norm(e_mod, "bias"))


def test_weight_norm_gradcheck():
    rng = np.random.default_rng(2)
    v = ember.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    for dim in (0, 1, -1):
        g = ember.tensor(rng.standard_normal(
            () if dim == -1 else tuple(v.shape[d] if d == dim else 1 for d in range(3))),
            requires_grad=True)
        layer = nn.utils.parametrizations._WeightNorm(dim)
        assert gradcheck(layer, (g, v))


# -- spectral_norm --------------------------------------------------------------------------------

def _spectral_case(t_mod, e_mod, shape):
    """Copy torch's state (weight, u and v) into ember, then compare two training calls (each a
    power iteration that updates u and v), the buffers, and an eval call."""
    copy_weights(t_mod, e_mod)
    for step in range(2):
        _compare_call(t_mod, e_mod, shape, seed=step, rtol=1e-4, atol=1e-5)
        t_state, e_state = t_mod.state_dict(), e_mod.state_dict()
        assert list(e_state) == list(t_state)
        for key in t_state:
            assert_close(e_state[key], t_state[key], 1e-4, 1e-5, msg=key)
    t_mod.eval()
    e_mod.eval()
    _compare_call(t_mod, e_mod, shape, seed=5, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layer", ["Linear", "Conv2d", "ConvTranspose2d"])
def test_parametrizations_spectral_norm_like_torch(layer):
    t_mod, e_mod = _linear_pair(4, 5) if layer == "Linear" else _conv_pair(layer)
    torch.nn.utils.parametrizations.spectral_norm(t_mod, n_power_iterations=2)
    nn.utils.parametrizations.spectral_norm(e_mod, n_power_iterations=2)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == ["bias", "parametrizations.weight.original",
                                        "parametrizations.weight.0._u",
                                        "parametrizations.weight.0._v"]
    u = e_mod.parametrizations.weight[0]._u
    assert u.shape == t_mod.parametrizations.weight[0]._u.shape
    assert abs(float(u.norm()) - 1.0) < 1e-5
    _spectral_case(t_mod, e_mod, (2, 4) if layer == "Linear" else (2, 3, 5, 5))


@pytest.mark.parametrize("layer", ["Linear", "Conv2d", "ConvTranspose2d"])
def test_legacy_spectral_norm_like_torch(layer):
    t_mod, e_mod = _linear_pair(4, 5) if layer == "Linear" else _conv_pair(layer)
    torch.nn.utils.spectral_norm(t_mod)
    nn.utils.spectral_norm(e_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == [
        "bias", "weight_orig", "weight_u", "weight_v"]
    assert e_mod.weight_u.shape == t_mod.weight_u.shape
    _spectral_case(t_mod, e_mod, (2, 4) if layer == "Linear" else (2, 3, 5, 5))
    torch.nn.utils.remove_spectral_norm(t_mod)
    nn.utils.remove_spectral_norm(e_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == ["bias", "weight"]
    assert_close(e_mod.weight, t_mod.weight, 1e-4, 1e-5)


def test_spectral_norm_of_a_vector_normalizes_it():
    t_bias, e_bias = _linear_pair()
    torch.nn.utils.parametrizations.spectral_norm(t_bias, "bias")
    nn.utils.parametrizations.spectral_norm(e_bias, "bias")
    assert list(e_bias.state_dict()) == list(t_bias.state_dict())
    assert_close(e_bias.bias, t_bias.bias)


def test_spectral_norm_errors_like_torch():
    raises_like(lambda: torch.nn.utils.parametrizations.spectral_norm(torch.nn.ReLU()),
                lambda: nn.utils.parametrizations.spectral_norm(nn.ReLU()))
    raises_like(lambda: torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(2, 2),
                                                                       dim=2),
                lambda: nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim=2))
    raises_like(lambda: torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2), "bias",
                                                     n_power_iterations=0),
                lambda: nn.utils.spectral_norm(nn.Linear(2, 2), "bias", n_power_iterations=0))
    t_mod, e_mod = torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2)), nn.utils.spectral_norm(
        nn.Linear(2, 2))
    raises_like(lambda: torch.nn.utils.spectral_norm(t_mod), lambda: nn.utils.spectral_norm(e_mod))
    raises_like(lambda: torch.nn.utils.remove_spectral_norm(t_mod, "bias"),
                lambda: nn.utils.remove_spectral_norm(e_mod, "bias"))


def test_spectral_norm_gradcheck():
    ember.manual_seed(0)
    mod = nn.utils.parametrizations.spectral_norm(nn.Linear(3, 4).double()).eval()
    original = mod.parametrizations.weight.original
    layer = mod.parametrizations.weight[0]
    assert gradcheck(layer, (original,))
