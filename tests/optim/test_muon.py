"""Muon against torch 2.13: trajectories of 2-D parameters (wide and tall, float32 and float64)
for every documented option, param groups, state dicts and torch's errors. The Newton-Schulz
iteration is bfloat16 in both (NOTE [ Muon's bfloat16 ] in ember/optim/muon.py)."""
import copy

import numpy as np
import pytest

import ember
import ember.optim as optim

RNG = np.random.default_rng(11)
INITS = [RNG.standard_normal((6, 4)), RNG.standard_normal((3, 5))]  # tall and wide


def make_params(lib, dtype):
    return [lib.nn.Parameter(lib.tensor(w.astype(dtype))) for w in INITS]


def set_grads(lib, params):
    for p in params:
        value = p.detach().numpy()
        g = np.sin(3 * value.astype(np.float64)) + 0.2 * value ** 3
        p.grad = lib.tensor(g.astype(value.dtype))


def run(lib, kwargs, dtype, steps=15, groups=False, opt=None, params=None):
    if opt is None:
        params = make_params(lib, dtype)
        spec = [{"params": [params[0]], "lr": 0.05}, {"params": [params[1]]}] if groups \
            else params
        opt = lib.optim.Muon(spec, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        set_grads(lib, params)
        opt.step()
    return opt, params


CASES = [dict(), dict(lr=0.02), dict(lr=0.02, nesterov=False, momentum=0.8),
         dict(lr=0.02, weight_decay=0.0, adjust_lr_fn="match_rms_adamw"),
         dict(lr=0.02, adjust_lr_fn="original", eps=1e-5),
         dict(lr=0.02, ns_coefficients=(2.0, -1.5, 0.5), ns_steps=3)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES)
def test_trajectory_matches_torch(torch, kwargs, dtype):
    _, expected = run(torch, kwargs, dtype)
    _, got = run(ember, kwargs, dtype)
    for g, e in zip(got, expected):
        g, e = g.detach().numpy(), e.detach().numpy()
        assert g.dtype == dtype
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_groups_repr_and_state_dict_round_trip(torch):
    t_opt, t_params = run(torch, dict(lr=0.02), np.float64, steps=4, groups=True)
    e_opt, e_params = run(ember, dict(lr=0.02), np.float64, steps=4, groups=True)
    assert repr(e_opt) == repr(t_opt)
    t_sd, e_sd = t_opt.state_dict(), e_opt.state_dict()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    for i, t_state in t_sd["state"].items():
        assert list(e_sd["state"][i]) == list(t_state) == ["momentum_buffer"]
        np.testing.assert_allclose(e_sd["state"][i]["momentum_buffer"].numpy(),
                                   t_state["momentum_buffer"].numpy(), rtol=1e-6, atol=1e-9)
    fresh = [ember.nn.Parameter(p.detach().clone()) for p in e_params]
    resumed = optim.Muon([{"params": [fresh[0]]}, {"params": [fresh[1]]}], lr=0.02)
    resumed.load_state_dict(copy.deepcopy(e_sd))
    run(ember, {}, None, steps=3, opt=e_opt, params=e_params)
    run(ember, {}, None, steps=3, opt=resumed, params=fresh)
    for a, b in zip(e_params, fresh):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("kwargs", [dict(lr=-1), dict(momentum=-0.1), dict(weight_decay=-1),
                                    dict(adjust_lr_fn="sqrt"), dict(shape=(3,)),
                                    dict(ns_steps=100, step=True),
                                    dict(ns_coefficients=(1.0, 2.0), step=True)])
def test_errors_match_torch(torch, kwargs):
    kwargs = dict(kwargs)
    shape, step = kwargs.pop("shape", (2, 3)), kwargs.pop("step", False)

    def build(lib):
        w = lib.nn.Parameter(lib.ones(shape))
        opt = lib.optim.Muon([w], **kwargs)
        if step:
            w.grad = lib.ones(shape)
            opt.step()
    with pytest.raises(ValueError) as expected:
        build(torch)
    with pytest.raises(ValueError) as got:
        build(ember)
    assert str(got.value) == str(expected.value)
