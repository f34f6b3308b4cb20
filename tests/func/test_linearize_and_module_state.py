"""torch.func.linearize, stack_module_state and replace_all_batch_norm_modules_, against torch
2.13."""
import numpy as np
import pytest

import ember
from tests.nn._helpers import assert_close, copy_weights, to_ember


def _f(lib):
    def f(x, pair):
        y, w = pair
        return {"a": (x.sin() * y).sum(0), "b": x.exp() @ w}
    return f


def _primals(lib, rng):
    x = lib.tensor(rng.standard_normal((3, 2)))
    y = lib.tensor(rng.standard_normal((3, 2)))
    w = lib.tensor(rng.standard_normal((2, 4)))
    return x, (y, w)


def test_linearize_matches_torch_on_pytrees(torch):
    rng = np.random.default_rng(0)
    t_primals, e_primals = _primals(torch, rng), _primals(ember, np.random.default_rng(0))
    t_out, t_jvp = torch.func.linearize(_f(torch), *t_primals)
    e_out, e_jvp = ember.func.linearize(_f(ember), *e_primals)
    for k in ("a", "b"):
        assert_close(e_out[k], t_out[k], rtol=1e-12, atol=1e-12)
        assert e_out[k].grad_fn is None
    for seed in (1, 2):  # jvp_fn is reusable
        trng = np.random.default_rng(seed)
        tangents = [trng.standard_normal(s) for s in [(3, 2), (3, 2), (2, 4)]]
        t_t = (torch.tensor(tangents[0]), (torch.tensor(tangents[1]), torch.tensor(tangents[2])))
        e_t = (ember.tensor(tangents[0]), (ember.tensor(tangents[1]), ember.tensor(tangents[2])))
        t_res, e_res = t_jvp(*t_t), e_jvp(*e_t)
        for k in ("a", "b"):
            assert_close(e_res[k], t_res[k], rtol=1e-10, atol=1e-12)
            assert e_res[k].grad_fn is None and e_res[k].dtype == ember.float64


def test_linearize_agrees_with_jvp_and_runs_func_once():
    calls = []

    def f(x):
        calls.append(1)
        return (x ** 3).cumsum(0)
    x = ember.randn(5, dtype=ember.float64)
    t = ember.randn(5, dtype=ember.float64)
    out, jvp_fn = ember.func.linearize(f, x)
    assert len(calls) == 1
    got = jvp_fn(t)
    assert len(calls) == 1  # the linearization is reused, not recomputed
    want_out, want = ember.func.jvp(f, (x,), (t,))
    assert_close(out, want_out.numpy(), rtol=1e-14, atol=0)
    assert_close(got, want.numpy(), rtol=1e-12, atol=1e-14)
    assert_close(got, (3 * x.numpy() ** 2 * t.numpy()).cumsum(), rtol=1e-12, atol=1e-14)


def test_linearize_of_a_constant_output_is_zero():
    _, jvp_fn = ember.func.linearize(lambda x: ember.ones(2), ember.ones(3))
    assert jvp_fn(ember.ones(3)).tolist() == [0.0, 0.0]


def test_linearize_tangent_errors_match_torch(torch):
    for lib in (torch, ember):
        _, jvp_fn = lib.func.linearize(lambda x: x * 2, lib.ones(3))
        with pytest.raises(RuntimeError, match=r"tangent:0 with shape torch.Size\(\[2\]\) in "
                           r"flattened pytree doesn't match the shape torch.Size\(\[3\]\)"):
            jvp_fn(lib.ones(2))
        with pytest.raises(RuntimeError, match="tangent:0 with dtype torch.float64 in flattened "
                           "pytree doesn't match the dtype torch.float32 of the corresponding"):
            jvp_fn(lib.ones(3, dtype=lib.float64))
        with pytest.raises(RuntimeError, match="to have the same argspec as the primals"):
            jvp_fn(lib.ones(3), lib.ones(3))


class _Net:
    @staticmethod
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU())


def test_stack_module_state_matches_torch(torch):
    t_models = [_Net.build(torch) for _ in range(3)]
    e_models = [_Net.build(ember) for _ in range(3)]
    for t, e in zip(t_models, e_models):
        with torch.no_grad():
            t[1].running_mean.normal_()
        copy_weights(t, e)
    t_params, t_buffers = torch.func.stack_module_state(t_models)
    e_params, e_buffers = ember.func.stack_module_state(e_models)
    assert list(e_params) == list(t_params) and list(e_buffers) == list(t_buffers)
    for k in t_params:
        assert_close(e_params[k], t_params[k], rtol=0, atol=0)
        assert e_params[k].is_leaf and e_params[k].requires_grad
    for k in t_buffers:
        assert_close(e_buffers[k], t_buffers[k], rtol=0, atol=0)
        assert not e_buffers[k].requires_grad
    assert tuple(e_params["0.weight"].shape) == (3, 4, 3)


def test_stacked_state_runs_the_ensemble_through_functional_call():
    models = [ember.nn.Linear(3, 2) for _ in range(2)]
    params, buffers = ember.func.stack_module_state(models)
    x = ember.randn(5, 3)
    for i, m in enumerate(models):
        one = {k: v[i] for k, v in params.items()}
        assert_close(ember.func.functional_call(m, one, (x,)), m(x).detach().numpy(),
                     rtol=1e-6, atol=1e-7)
    params["weight"].sum().backward()  # the stacked leaves take gradients
    assert params["weight"].grad.shape == params["weight"].shape


def test_stack_module_state_errors_match_torch(torch):
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="Expected at least one model, got 0."):
            lib.func.stack_module_state([])
        with pytest.raises(RuntimeError, match="to have the same training/eval mode."):
            lib.func.stack_module_state([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2).eval()])
        with pytest.raises(RuntimeError, match="to be of the same class."):
            lib.func.stack_module_state([lib.nn.Linear(2, 2), lib.nn.Identity()])
        frozen = lib.nn.Linear(2, 2)
        frozen.bias.requires_grad_(False)
        with pytest.raises(RuntimeError, match="Expected bias from each model to have the same "
                                               ".requires_grad"):
            lib.func.stack_module_state([lib.nn.Linear(2, 2), frozen])


def test_replace_all_batch_norm_modules_matches_torch(torch):
    t_net, e_net = _Net.build(torch), _Net.build(ember)
    copy_weights(t_net, e_net)
    assert torch.func.replace_all_batch_norm_modules_(t_net) is t_net
    assert ember.func.replace_all_batch_norm_modules_(e_net) is e_net
    bn = e_net[1]
    assert not bn.track_running_stats
    assert bn.running_mean is None and bn.running_var is None and bn.num_batches_tracked is None
    assert list(dict(e_net.named_buffers())) == list(dict(t_net.named_buffers())) == []
    x = torch.randn(6, 3)
    e_net.eval(), t_net.eval()  # eval still uses the batch's statistics now
    assert_close(e_net(to_ember(x)), t_net(x), rtol=1e-5, atol=1e-6)
    bare = ember.nn.BatchNorm2d(3)
    assert ember.func.replace_all_batch_norm_modules_(bare) is bare
    assert not bare.track_running_stats
