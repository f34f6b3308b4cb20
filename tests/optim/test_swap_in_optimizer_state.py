"""optim.swap_in_optimizer_params_and_state against torch: a step inside the block moves the
swapped-in tensors and their state in place, the live optimizer is restored, and bad state dicts
raise torch's errors."""
import copy

import numpy as np
import pytest

import ember

W = np.random.default_rng(5).standard_normal((3, 2))
G = np.random.default_rng(6).standard_normal((3, 2))


def stepped_optimizer(lib):
    w = lib.nn.Parameter(lib.tensor(W))
    b = lib.nn.Parameter(lib.tensor(W[0]))
    opt = lib.optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.3}], lr=0.1)
    w.grad, b.grad = lib.tensor(G), lib.tensor(G[1])
    opt.step()
    return opt, {"w": w, "b": b}


def swap_and_step(lib):
    opt, live = stepped_optimizer(lib)
    live_values = {k: v.detach().numpy().copy() for k, v in live.items()}
    swapped = {k: lib.nn.Parameter(v.detach().clone() * 2) for k, v in live.items()}
    for p, g in zip(swapped.values(), (G * 3, G[2])):
        p.grad = lib.tensor(g)
    saved = copy.deepcopy(opt.state_dict())
    saved["param_groups"][0]["lr"] = 0.01
    groups_before = [dict(g) for g in opt.param_groups]
    with lib.optim.swap_in_optimizer_params_and_state(opt, swapped, saved):
        assert opt.param_groups[0]["params"][0] is swapped["w"]
        assert opt.param_groups[0]["lr"] == 0.01
        opt.step()
    assert [dict(g) for g in opt.param_groups] == groups_before
    assert opt.param_groups[0]["params"] is groups_before[0]["params"]
    for k, v in live.items():
        np.testing.assert_array_equal(v.detach().numpy(), live_values[k])
    return ([p.detach().numpy() for p in swapped.values()],
            [saved["state"][i][key].numpy() for i in (0, 1) for key in ("step", "exp_avg")])


def test_step_inside_the_block_matches_torch(torch):
    t_params, t_state = swap_and_step(torch)
    e_params, e_state = swap_and_step(ember)
    for e, t in zip(e_params + e_state, t_params + t_state):
        np.testing.assert_allclose(e, t, rtol=1e-13, atol=1e-15)
    assert e_state[0] == 2  # the saved step counter was advanced in place


def bad_inputs(lib):
    opt, params = stepped_optimizer(lib)
    good = opt.state_dict()
    fresh = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))])
    yield fresh, {"w": lib.ones(1)}, fresh.state_dict()
    yield opt, params, [good]
    yield opt, params, {"state": [], "param_groups": good["param_groups"]}
    yield opt, params, {"state": {params["w"]: {}}, "param_groups": good["param_groups"]}
    yield opt, params, {"state": {0: 1}, "param_groups": good["param_groups"]}
    yield opt, params, {"state": good["state"], "param_groups": tuple(good["param_groups"])}
    yield opt, params, {"state": good["state"], "param_groups": good["param_groups"][:1]}
    yield opt, params, {"state": good["state"], "param_groups": [1, 2]}
    groups = copy.deepcopy(good["param_groups"])
    groups[1]["params"] = ["1"]
    yield opt, params, {"state": good["state"], "param_groups": groups}
    groups = copy.deepcopy(good["param_groups"])
    groups[1]["params"] = [1, 2]
    yield opt, params, {"state": good["state"], "param_groups": groups}
    groups = copy.deepcopy(good["param_groups"])
    groups[0]["extra"] = 1
    del groups[0]["lr"]
    yield opt, params, {"state": good["state"], "param_groups": groups}
    yield opt, {"w": params["w"]}, good
    yield opt, params, {"state": {**good["state"], 7: {}}, "param_groups":
                        good["param_groups"]}


def test_bad_inputs_raise_torch_errors(torch):
    for t_args, e_args in zip(bad_inputs(torch), bad_inputs(ember)):
        with pytest.raises(RuntimeError) as expected:
            with torch.optim.swap_in_optimizer_params_and_state(*t_args):
                pass
        with pytest.raises(RuntimeError) as got:
            with ember.optim.swap_in_optimizer_params_and_state(*e_args):
                pass
        assert str(got.value) == str(expected.value)
