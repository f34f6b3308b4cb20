"""Optimizer hooks against torch: step pre/post hooks (per optimizer and global, a pre-hook
replacing step's arguments, a subclass's own step), state-dict and load-state-dict hooks."""
import importlib

import pytest

import ember

torch = pytest.importorskip("torch")


def _sgd(lib, cls=None):
    w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    w.grad = lib.tensor([0.5, 0.25])
    return w, (cls or lib.optim.SGD)([w], lr=0.1)


def _step_trace(lib):
    w, opt = _sgd(lib)
    calls = []
    module = importlib.import_module(lib.__name__ + ".optim.optimizer")
    hooks = [
        module.register_optimizer_step_pre_hook(
            lambda o, a, k: calls.append(("global pre", len(a)))),
        module.register_optimizer_step_post_hook(
            lambda o, a, k: calls.append("global post")),
        opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt))),
        opt.register_step_post_hook(lambda o, a, k: calls.append(("post", len(a), len(k)))),
        # replaces step's arguments: the post-hooks see the new ones
        opt.register_step_pre_hook(lambda o, a, k: ((o,), {"closure": lambda: 3.0})),
    ]
    out = opt.step()
    for h in hooks[1:]:
        h.remove()
    opt.step()
    hooks[0].remove()
    opt.step()
    return calls, out, w.tolist()


def test_step_hooks_run_in_torchs_order():
    assert _step_trace(ember) == _step_trace(torch)


def test_bad_pre_hook_result_raises():
    for lib in (ember, torch):
        _, opt = _sgd(lib)
        opt.register_step_pre_hook(lambda o, a, k: 1)
        with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, "
                                               r"new_kwargs\), but got 1"):
            opt.step()


def test_hooks_run_around_a_subclass_step():
    def trace(lib):
        class Halving(lib.optim.Optimizer):
            def __init__(self, params, lr):
                super().__init__(params, {"lr": lr})

            def step(self, closure=None):
                for p in self.param_groups[0]["params"]:
                    p.data.mul_(0.5)

        w, opt = _sgd(lib, Halving)
        calls = []
        opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
        opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
        opt.step()
        return calls, w.tolist()
    assert trace(ember) == trace(torch)


def _state_dict_trace(lib):
    _, opt = _sgd(lib)
    opt.step()
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_state_dict_post_hook(lambda o, sd: calls.append(("sd post", "extra" in sd)),
                                      prepend=True)
    sd = opt.state_dict()
    opt.register_load_state_dict_pre_hook(
        lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: calls.append("load post"))
    opt.load_state_dict(sd)
    return calls, sorted(sd)


def test_state_dict_hooks():
    assert _state_dict_trace(ember) == _state_dict_trace(torch)


def test_a_subclass_step_calling_super_runs_the_hooks_once():
    class Logged(ember.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    w, opt = _sgd(ember, Logged)
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    opt.step()
    assert calls == ["post"] and w.tolist() == [0.949999988079071, -2.0250000953674316]
