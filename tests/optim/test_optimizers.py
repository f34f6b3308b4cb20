"""Optimizers: trajectories against torch, state dicts, param groups, repr and bad arguments.

The gradients come from one NumPy function of each framework's own current parameter values, so
the comparison isolates the update rules from the rest of either framework.
"""
import copy

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.optim as optim

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 5))
Y = RNG.standard_normal((4, 5))
W0 = RNG.standard_normal((4, 3)) * 0.5
B0 = RNG.standard_normal(4) * 0.5


def loss_and_grads(w, b):
    """0.5 |W X + b - Y|^2 + 0.1 sum(W^4): smooth, non-quadratic, in float64."""
    r = w @ X + b[:, None] - Y
    loss = 0.5 * (r * r).sum() + 0.1 * (w ** 4).sum()
    return loss, r @ X.T + 0.4 * w ** 3, r.sum(axis=1)


def make_params(lib, dtype):
    w = lib.nn.Parameter(lib.tensor(W0.astype(dtype)))
    b = lib.nn.Parameter(lib.tensor(B0.astype(dtype)))
    frozen = lib.nn.Parameter(lib.tensor(np.ones(2, dtype)))  # never gets a gradient
    return [w, b, frozen]


def set_grads(lib, params):
    w, b = params[0], params[1]
    dtype = w.detach().numpy().dtype
    loss, gw, gb = loss_and_grads(w.detach().numpy().astype(np.float64),
                                  b.detach().numpy().astype(np.float64))
    w.grad = lib.tensor(gw.astype(dtype))
    b.grad = lib.tensor(gb.astype(dtype))
    return lib.tensor(loss)


def values(params):
    return [p.detach().numpy().copy() for p in params]


def run(lib, name, kwargs, steps=6, dtype=np.float32, groups=None):
    params = make_params(lib, dtype)
    spec = params if groups is None else [dict(g, params=[params[i] for i in g["params"]])
                                          for g in groups]
    opt = getattr(lib.optim, name)(spec, **kwargs)
    for _ in range(steps):
        if name == "LBFGS":
            def closure():
                opt.zero_grad()
                return set_grads(lib, params)
            opt.step(closure)
        else:
            opt.zero_grad()
            set_grads(lib, params)
            opt.step()
    return opt, params


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, amsgrad=True, weight_decay=0.3)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(torch, name, kwargs):
    _, expected = run(torch, name, kwargs)
    _, got = run(ember, name, kwargs)
    for g, e in zip(values(got), values(expected)):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-6)
    assert got[2].tolist() == [1.0, 1.0]  # a parameter without gradient is left alone


@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn="strong_wolfe"),
                                    dict(lr=0.5, max_iter=5, history_size=3)])
def test_lbfgs_trajectory_matches_torch(torch, kwargs):
    t_opt, expected = run(torch, "LBFGS", kwargs, steps=2, dtype=np.float64)
    e_opt, got = run(ember, "LBFGS", kwargs, steps=2, dtype=np.float64)
    for g, e in zip(values(got), values(expected)):
        np.testing.assert_allclose(g, e, rtol=1e-7, atol=1e-9)
    t_state, e_state = t_opt.state[t_opt._params[0]], e_opt.state[e_opt._params[0]]
    assert e_state["func_evals"] == t_state["func_evals"]
    assert e_state["n_iter"] == t_state["n_iter"]


def test_lbfgs_needs_one_group_and_wolfe_only():
    w, b, _ = make_params(ember, np.float64)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [w]}, {"params": [b]}])
    opt = optim.LBFGS([w, b], line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        return set_grads(ember, [w, b])
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_param_groups_with_their_own_hyperparameters(torch):
    groups = [{"params": [0], "lr": 0.01}, {"params": [1], "momentum": 0.5}]
    t_opt, expected = run(torch, "SGD", dict(lr=0.1, momentum=0.9), groups=groups)
    e_opt, got = run(ember, "SGD", dict(lr=0.1, momentum=0.9), groups=groups)
    for g, e in zip(values(got), values(expected)):
        np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-6)
    assert e_opt.param_groups[0]["momentum"] == 0.9 and e_opt.param_groups[1]["lr"] == 0.1
    e_opt.add_param_group({"params": [got[2]], "lr": 3.0})
    assert e_opt.param_groups[2]["lr"] == 3.0 and e_opt.param_groups[2]["nesterov"] is False
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter"):
        e_opt.add_param_group({"params": got[0]})


def test_named_parameters_are_accepted():
    m = nn.Linear(2, 2)
    opt = optim.SGD(m.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is m.weight


def group_cases(lib):
    """(first group, group to add) pairs, each wrong in one way or fine."""
    a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.zeros(3))
    derived = lib.ones(2, requires_grad=True) * 2
    kept = lib.ones(2, requires_grad=True) * 3
    kept.retain_grad()
    return [([a], [("name", b)]),                       # names in one group only
            ([("a", a)], [b]),
            ([("a", a)], [("b", b), b]),                # some names missing
            ([a], {b}),                                 # a set
            ([a], [b, 3.0]),                            # not a tensor
            ([a], [derived]),                           # not a leaf
            ([a], [kept]),                              # not a leaf, but it retains its grad
            ([a], [b, a]),                              # already in the first group
            ([a], b),                                   # one tensor
            ([a], (t for t in [b])),                    # any iterable
            ([("a", a)], [("b", b)])]


@pytest.mark.parametrize("case", range(11))
def test_add_param_group_matches_torch(torch, case):
    """The same error, or the same group (its keys, names and tensors' shapes), as PyTorch."""
    def outcome(lib):
        first, extra = group_cases(lib)[case]
        opt = lib.optim.SGD(first, lr=0.1, momentum=0.5)
        try:
            opt.add_param_group({"params": extra, "lr": 0.2})
        except (TypeError, ValueError) as exc:
            return type(exc).__name__, str(exc).replace("ember.", "torch.")
        group = opt.param_groups[-1]
        return ({k: v for k, v in group.items() if k != "params"},
                [tuple(p.shape) for p in group["params"]])
    assert outcome(ember) == outcome(torch)


def test_required_option_must_be_given():
    class NeedsLr(optim.Optimizer):
        def __init__(self, params, lr=optim.optimizer.required):
            super().__init__(params, dict(lr=lr, decay=0.5))

    opt = NeedsLr([{"params": [nn.Parameter(ember.ones(1))], "lr": 1.0}])
    assert opt.param_groups[0] == dict(opt.param_groups[0], lr=1.0, decay=0.5)
    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        opt.add_param_group({"params": [nn.Parameter(ember.ones(1))]})


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "LBFGS"])
def test_repr_and_state_dict_layout_match_torch(torch, name):
    kwargs = {} if name in ("Adadelta", "LBFGS") else {"lr": 0.01}
    if name == "SGD":
        kwargs["momentum"] = 0.9
    steps = 2 if name != "LBFGS" else 1
    t_opt, _ = run(torch, name, kwargs, steps=steps, dtype=np.float64)
    e_opt, _ = run(ember, name, kwargs, steps=steps, dtype=np.float64)
    assert repr(e_opt) == repr(t_opt)
    t_sd, e_sd = t_opt.state_dict(), e_opt.state_dict()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert list(e_sd["state"]) == list(t_sd["state"])
    for idx, t_state in t_sd["state"].items():
        e_state = e_sd["state"][idx]
        assert list(e_state) == list(t_state)
        for key, tv in t_state.items():
            ev = e_state[key]
            if name == "LBFGS" and isinstance(tv, torch.Tensor) and tv.dim() == 0:
                tv = tv.item()  # ember keeps LBFGS's scalars (t, H_diag ...) as Python floats
            if isinstance(tv, torch.Tensor):
                assert isinstance(ev, ember.Tensor) and ev.dtype.name == str(tv.dtype)[6:]
                np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-6, atol=1e-9)
            elif isinstance(tv, list):
                assert len(ev) == len(tv)
            else:
                assert ev == pytest.approx(tv)


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9)),
                                         ("Adam", dict(lr=0.05, amsgrad=True)),
                                         ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                                         ("NAdam", dict(lr=0.05))])
def test_state_dict_round_trip_continues_the_same_trajectory(torch, name, kwargs):
    """Also loads torch's own state dict into ember: the formats are the same."""
    t_opt, t_params = run(torch, name, kwargs, steps=3)
    e_opt, e_params = run(ember, name, kwargs, steps=3)
    saved = copy.deepcopy(e_opt.state_dict())
    fresh = [nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in e_params]
    resumed = getattr(optim, name)(fresh, **kwargs)
    resumed.load_state_dict(saved)
    from_torch = [nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in t_params]
    t_sd = t_opt.state_dict()
    converted = {"param_groups": t_sd["param_groups"],
                 "state": {i: {k: ember.tensor(v.numpy()) for k, v in s.items()}
                           for i, s in t_sd["state"].items()}}
    crossed = getattr(optim, name)(from_torch, **kwargs)
    crossed.load_state_dict(converted)
    for _ in range(3):
        for lib, opt, params in ((ember, e_opt, e_params), (ember, resumed, fresh),
                                 (torch, t_opt, t_params), (ember, crossed, from_torch)):
            opt.zero_grad()
            set_grads(lib, params)
            opt.step()
    for a, b, c in zip(values(e_params), values(fresh), values(from_torch)):
        np.testing.assert_array_equal(a, b)
    for c, t in zip(values(from_torch), values(t_params)):
        np.testing.assert_allclose(c, t, rtol=2e-5, atol=2e-6)
    # the loaded state is a copy: stepping did not write into the saved dict
    first = next(iter(saved["state"].values()))
    assert next(iter(first.values())).numpy().tolist() != \
        next(iter(resumed.state[fresh[0]].values())).numpy().tolist()


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    w64 = nn.Parameter(ember.zeros(2, dtype=ember.float64))
    opt = optim.Adam([w64])
    w64.grad = ember.ones(2, dtype=ember.float64)
    opt.step()
    sd = opt.state_dict()
    w32 = nn.Parameter(ember.zeros(2))
    opt32 = optim.Adam([w32])
    opt32.load_state_dict(sd)
    assert opt32.state[w32]["exp_avg"].dtype == ember.float32
    assert opt32.state[w32]["step"].dtype == ember.float32 and opt32.state[w32]["step"].item() == 1
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt32.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt32.load_state_dict({"state": {}, "param_groups": [dict(sd["param_groups"][0],
                                                                   params=[0, 1])]})


def test_zero_grad_and_closure():
    w, b, _ = make_params(ember, np.float32)
    opt = optim.SGD([w, b], lr=0.1)
    loss = opt.step(lambda: set_grads(ember, [w, b]))
    assert isinstance(loss, ember.Tensor) and w.grad is not None
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and not w.grad.numpy().any()
    opt.zero_grad()
    assert w.grad is None and b.grad is None


def test_step_records_an_inplace_change_of_the_parameters():
    w = nn.Parameter(ember.ones(2))
    y = (w * w).sum()  # saves w for backward
    w.grad = ember.ones(2)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "LBFGS"])
def test_bad_arguments_raise_torch_errors(torch, name):
    def both(call):
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)) as got:
            call(ember)
        assert str(got.value) == str(expected.value)

    both(lambda lib: getattr(lib.optim, name)([], lr=0.1))
    both(lambda lib: getattr(lib.optim, name)([lib.nn.Parameter(lib.ones(2))], lr=-0.1))
    both(lambda lib: getattr(lib.optim, name)([lib.ones(2, requires_grad=True) * 2], lr=0.1))
    both(lambda lib: getattr(lib.optim, name)(lib.nn.Parameter(lib.ones(2)), lr=0.1))
    both(lambda lib: getattr(lib.optim, name)([lib.ones(2), 3], lr=0.1))
    both(lambda lib: getattr(lib.optim, name)([{"params": {lib.nn.Parameter(lib.ones(2))}}],
                                              lr=0.1))


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(momentum=-1)), ("SGD", dict(weight_decay=-1)), ("SGD", dict(nesterov=True)),
    ("Adam", dict(betas=(1.0, 0.9))), ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(eps=-1)),
    ("RMSprop", dict(alpha=-1)), ("RMSprop", dict(momentum=-1)), ("Adagrad", dict(lr_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adadelta", dict(rho=1.5)),
    ("NAdam", dict(momentum_decay=-1)), ("Adamax", dict(weight_decay=-1))])
def test_bad_hyperparameters_raise_torch_errors(torch, name, kwargs):
    with pytest.raises(ValueError) as expected:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))], **kwargs)
    with pytest.raises(ValueError) as got:
        getattr(optim, name)([nn.Parameter(ember.ones(1))], **kwargs)
    assert str(got.value) == str(expected.value)


def test_differentiable_is_refused():
    with pytest.raises(NotImplementedError, match="differentiable=True is not supported"):
        optim.Adam([nn.Parameter(ember.ones(1))], differentiable=True)


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                         ("Adam", dict(lr=0.05, amsgrad=True)),
                                         ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                                         ("Adagrad", dict(lr=0.1)), ("Adadelta", dict()),
                                         ("Adamax", dict(lr=0.05)), ("NAdam", dict(lr=0.05)),
                                         ("LBFGS", dict(line_search_fn="strong_wolfe"))])
def test_optimizer_on_device_matches_cpu(device, name, kwargs):
    """State arrays live on the parameters' device and the trajectory is the CPU one."""
    _, expected = run(ember, name, kwargs, steps=3, dtype=np.float64)
    params = [p.to(device) for p in make_params(ember, np.float64)]
    params = [nn.Parameter(p) for p in params]
    opt = getattr(optim, name)(params, **kwargs)
    for _ in range(3):
        def closure():
            opt.zero_grad()
            cpu = [nn.Parameter(p.detach().cpu()) for p in params]
            loss = set_grads(ember, cpu)
            for p, c in zip(params[:2], cpu[:2]):
                p.grad = c.grad.to(device)
            return loss
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
    for p, e in zip(params, expected):
        assert p.device.type == device
        np.testing.assert_allclose(p.detach().cpu().numpy(), e.detach().numpy(), rtol=1e-10)
    for state in opt.state.values():
        for key, value in state.items():
            if isinstance(value, ember.Tensor) and value.dim() > 0:
                assert value.device.type == device, key
