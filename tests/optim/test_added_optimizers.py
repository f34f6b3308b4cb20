"""ASGD, Rprop, RAdam and Adafactor: 20-step trajectories against torch in float64 and float32,
every documented option, param groups, repr, state dicts (round trip and torch's own) and torch's
errors for bad hyperparameters.

Each gradient is one NumPy function of the framework's own current parameter value, so the
comparison isolates the update rules.
"""
import copy

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.optim as optim

RNG = np.random.default_rng(9)
SHAPES = [(4, 3), (4,), (2, 3, 2), ()]  # a matrix, a vector, a stack of matrices, a scalar
INITS = [RNG.standard_normal(s) * 0.7 for s in SHAPES]
OFFSETS = [RNG.standard_normal(s) * 0.3 for s in SHAPES]


def gradient(value, offset):
    """Sign changes and growth: exercises Rprop's backtracking and Adafactor's clipping."""
    return np.sin(3 * value) + 0.2 * value ** 3 + offset


def make_params(lib, dtype, shapes=SHAPES):
    params = [lib.nn.Parameter(lib.tensor(INITS[i].astype(dtype))) for i in range(len(shapes))]
    return params + [lib.nn.Parameter(lib.tensor(np.ones(2, dtype)))]  # never gets a gradient


def set_grads(lib, params):
    for p, offset in zip(params[:-1], OFFSETS):
        value = p.detach().numpy()
        p.grad = lib.tensor(gradient(value.astype(np.float64), offset).astype(value.dtype))


def values(params):
    return [p.detach().numpy().copy() for p in params]


def run(lib, name, kwargs, steps=20, dtype=np.float64, groups=None):
    params = make_params(lib, dtype)
    spec = params if groups is None else [dict(g, params=[params[i] for i in g["params"]])
                                          for g in groups]
    opt = getattr(lib.optim, name)(spec, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        set_grads(lib, params)
        opt.step()
    return opt, params


CASES = [
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=3, maximize=True)),
    ("ASGD", dict(lr=0.05, foreach=False, capturable=False)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(lr=0.05, maximize=True, foreach=False)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6)),  # rectified from step 6 on
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0)),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, maximize=True, foreach=False)),
    ("Adafactor", dict(lr=0.5, d=1.0)),  # lr above 1/sqrt(step): the relative step takes over
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_float64_trajectory_matches_torch(torch, name, kwargs):
    _, expected = run(torch, name, kwargs)
    _, got = run(ember, name, kwargs)
    for g, e in zip(values(got), values(expected)):
        assert g.dtype == np.float64 and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)
    assert got[-1].tolist() == [1.0, 1.0]  # a parameter without gradient is left alone


@pytest.mark.parametrize("name,kwargs", CASES[::3], ids=IDS[::3])
def test_float32_trajectory_matches_torch(torch, name, kwargs):
    _, expected = run(torch, name, kwargs, steps=8, dtype=np.float32)
    _, got = run(ember, name, kwargs, steps=8, dtype=np.float32)
    for g, e in zip(values(got), values(expected)):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["ASGD", "Rprop", "RAdam", "Adafactor"])
def test_param_groups_repr_and_state_dict_match_torch(torch, name):
    groups = [{"params": [0, 2], "lr": 0.03}, {"params": [1, 3, 4]}]
    t_opt, expected = run(torch, name, {}, steps=7, groups=groups)
    e_opt, got = run(ember, name, {}, steps=7, groups=groups)
    for g, e in zip(values(got), values(expected)):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)
    assert repr(e_opt) == repr(t_opt)
    t_sd, e_sd = t_opt.state_dict(), e_opt.state_dict()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert list(e_sd["state"]) == list(t_sd["state"])
    for idx, t_state in t_sd["state"].items():
        e_state = e_sd["state"][idx]
        assert list(e_state) == list(t_state)
        for key, tv in t_state.items():
            ev = e_state[key]
            assert ev.dtype.name == str(tv.dtype)[6:] and tuple(ev.shape) == tuple(tv.shape)
            np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", CASES[1::4], ids=IDS[1::4])
def test_state_dict_round_trip_continues_as_torch_does(torch, name, kwargs):
    """Optimizers loaded from ember's state dict, from torch's own, and torch's optimizer loaded
    from torch's, go on alike (loading casts state such as ASGD's eta to the parameter dtype,
    in both), and the original goes on as torch's original."""
    t_opt, t_params = run(torch, name, kwargs, steps=5)
    e_opt, e_params = run(ember, name, kwargs, steps=5)

    def copies(lib, params):
        return [lib.nn.Parameter(lib.tensor(p.detach().numpy().copy())) for p in params]
    resumed_params, crossed_params, t_resumed_params = (
        copies(ember, e_params), copies(ember, t_params), copies(torch, t_params))
    resumed = getattr(optim, name)(resumed_params, **kwargs)
    resumed.load_state_dict(copy.deepcopy(e_opt.state_dict()))
    t_sd = t_opt.state_dict()
    crossed = getattr(optim, name)(crossed_params, **kwargs)
    crossed.load_state_dict({"param_groups": t_sd["param_groups"],
                             "state": {i: {k: ember.tensor(v.numpy()) for k, v in s.items()}
                                       for i, s in t_sd["state"].items()}})
    t_resumed = getattr(torch.optim, name)(t_resumed_params, **kwargs)
    t_resumed.load_state_dict(copy.deepcopy(t_sd))
    for t_state, e_state in zip(t_resumed.state.values(), resumed.state.values()):
        assert {k: str(v.dtype)[6:] for k, v in t_state.items()} == \
            {k: v.dtype.name for k, v in e_state.items()}
    runs = ((ember, e_opt, e_params), (torch, t_opt, t_params), (ember, resumed, resumed_params),
            (ember, crossed, crossed_params), (torch, t_resumed, t_resumed_params))
    for _ in range(5):
        for lib, opt, params in runs:
            opt.zero_grad()
            set_grads(lib, params)
            opt.step()
    for e, t, r, c, tr in zip(*(values(params) for _, _, params in runs)):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(r, c, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(r, tr, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", [
    ("ASGD", dict(lr=-1)), ("ASGD", dict(weight_decay=-0.1)),
    ("Rprop", dict(lr=-1)), ("Rprop", dict(etas=(1.0, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("Rprop", dict(etas=(0.0, 1.2))),
    ("RAdam", dict(lr=-1)), ("RAdam", dict(eps=-1)), ("RAdam", dict(betas=(1.0, 0.9))),
    ("RAdam", dict(betas=(0.9, -0.1))), ("RAdam", dict(weight_decay=-1)),
    ("Adafactor", dict(lr=-1)), ("Adafactor", dict(beta2_decay=0.1)),
    ("Adafactor", dict(eps=(-1.0, 1e-3))), ("Adafactor", dict(eps=(None, -1.0))),
    ("Adafactor", dict(d=0.5)), ("Adafactor", dict(weight_decay=-1))])
def test_bad_hyperparameters_raise_torch_errors(torch, name, kwargs):
    with pytest.raises(ValueError) as expected:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))], **kwargs)
    with pytest.raises(ValueError) as got:
        getattr(optim, name)([nn.Parameter(ember.ones(1))], **kwargs)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("name", ["ASGD", "Rprop", "RAdam"])
def test_differentiable_is_refused(name):
    with pytest.raises(NotImplementedError, match="differentiable=True is not supported"):
        getattr(optim, name)([nn.Parameter(ember.ones(1))], differentiable=True)


def test_closure_loss_is_returned():
    w = nn.Parameter(ember.ones(3, dtype=ember.float64))

    def closure():
        w.grad = ember.full((3,), 0.5, dtype=ember.float64)
        return ember.tensor(2.0)
    for name in ("ASGD", "Rprop", "RAdam", "Adafactor"):
        assert getattr(optim, name)([w]).step(closure).item() == 2.0
