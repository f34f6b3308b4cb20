"""state_dict and load_state_dict hooks against torch: call order, arguments, results, errors."""
from collections import OrderedDict

import numpy as np
import pytest

import ember

from ._helpers import raises_like

torch = pytest.importorskip("torch")


def _net(lib):
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.Linear(2, 1)))
    with lib.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(lib.arange(p.numel(), dtype=lib.float32).reshape(p.shape) + i)
    return net


def _name(m):
    return type(m).__name__


def _state_of(lib, net):
    """net's state dict converted to lib's tensors (the other library's dict as input)."""
    return OrderedDict((k, lib.tensor(v.detach().numpy().copy()))
                       for k, v in net.state_dict().items())


def test_state_dict_pre_and_post_hooks():
    def scenario(lib):
        log = []
        net = _net(lib)
        for m in (net, net[0], net[1][0]):
            m.register_state_dict_pre_hook(
                lambda mod, prefix, keep_vars: log.append(("pre", _name(mod), prefix, keep_vars)))
            m.register_state_dict_post_hook(
                lambda mod, sd, prefix, meta: log.append(("post", _name(mod), prefix,
                                                          tuple(sd), meta["version"])))

        def drop_bias(mod, sd, prefix, meta):
            del sd[prefix + "bias"]
        net[0].register_state_dict_post_hook(drop_bias)
        sd = net.state_dict(prefix="p.", keep_vars=True)
        log.append(("keys", tuple(sd), tuple(sd._metadata)))
        return log
    expected, got = scenario(torch), scenario(ember)
    assert got == expected


def test_state_dict_post_hook_results():
    def public_returns(lib):
        net = _net(lib)
        net.register_state_dict_post_hook(lambda *a: {})
        net.state_dict()
    raises_like(lambda: public_returns(torch), lambda: public_returns(ember))

    def public_as_legacy(lib):
        net = _net(lib)

        def hook(*a):
            return None
        net.register_state_dict_post_hook(hook)
        net[0]._register_state_dict_hook(hook)
    raises_like(lambda: public_as_legacy(torch), lambda: public_as_legacy(ember))

    for lib in (torch, ember):
        # the legacy hook's dict replaces the state dict of the module state_dict is called on
        # only: a child's is dropped
        net = _net(lib)
        net._register_state_dict_hook(lambda mod, sd, prefix, meta: {"root": 1})
        net[0]._register_state_dict_hook(lambda mod, sd, prefix, meta: {"child": 2})
        assert net.state_dict() == {"root": 1}
        handle = net[1]._register_state_dict_hook(lambda *a: {"gone": 3})
        handle.remove()
        assert list(net[1].state_dict()) == ["0.weight", "0.bias"]


def test_load_state_dict_hooks_order_and_arguments():
    def scenario(lib):
        log = []
        net = _net(lib)
        for m in (net, net[1], net[1][0]):
            m.register_load_state_dict_pre_hook(
                lambda mod, sd, prefix, meta, strict, missing, unexpected, errors: log.append(
                    ("pre", _name(mod), prefix, sorted(sd), meta.get("version"), strict,
                     list(missing), list(unexpected), list(errors))))
            m.register_load_state_dict_post_hook(
                lambda mod, keys: log.append(("post", _name(mod), list(keys.missing_keys),
                                              list(keys.unexpected_keys))))
        net[0]._register_load_state_dict_pre_hook(
            lambda sd, prefix, *rest: log.append(("no_module", prefix, len(rest))))

        def rename(mod, sd, prefix, *rest):
            sd[prefix + "bias"] = sd.pop(prefix + "old_bias")
        net[1][0].register_load_state_dict_pre_hook(rename)
        src = _state_of(lib, _net(lib))
        src["1.0.old_bias"] = src.pop("1.0.bias") * 0 + 7
        src._metadata = OrderedDict([("1", {"version": 1}), ("1.0", {"version": 1})])
        src["extra"] = lib.zeros(1)
        keys = net.load_state_dict(src, strict=False)
        log.append(("result", list(keys.missing_keys), list(keys.unexpected_keys),
                    net[1][0].bias.tolist()))
        return log
    expected, got = scenario(torch), scenario(ember)
    assert got == expected


def test_load_post_hook_changes_decide_strict_and_see_loaded_values():
    def scenario(lib, clear):
        log = []
        net = _net(lib)

        def post(mod, keys):
            log.append(("weight", mod[0].weight.tolist()))
            if clear:
                keys.missing_keys.clear()
            else:
                keys.unexpected_keys.append("made.up")
        net.register_load_state_dict_post_hook(post)  # the root's runs last
        src = _state_of(lib, _net(lib))
        src["0.weight"] = src["0.weight"] * 0 - 1
        del src["1.0.bias"]
        log.append(str(net.load_state_dict(src)))
        return log

    expected, got = scenario(torch, True), scenario(ember, True)
    assert got == expected and got[-1] == "<All keys matched successfully>"
    raises_like(lambda: scenario(torch, False), lambda: scenario(ember, False))

    def returns(lib):
        net = _net(lib)
        net.register_load_state_dict_post_hook(lambda mod, keys: keys)
        net.load_state_dict(net.state_dict())
    raises_like(lambda: returns(torch), lambda: returns(ember))


def test_load_without_post_hooks_stays_all_or_nothing():
    # ember's own guarantee (NOTE [ Loading a state dict ]) holds when no post-hook asks for
    # torch's order, pre-hooks included
    net = _net(ember)
    net.register_load_state_dict_pre_hook(lambda *a: None)
    src = _state_of(ember, _net(ember))
    src["0.weight"] = src["0.weight"] * 0 - 1
    del src["1.0.bias"]
    before = net[0].weight.tolist()
    with pytest.raises(RuntimeError, match="Missing key"):
        net.load_state_dict(src)
    assert net[0].weight.tolist() == before


def test_state_dict_hook_handles_remove():
    for lib in (torch, ember):
        log = []
        net = _net(lib)
        handles = [
            net.register_state_dict_pre_hook(lambda *a: log.append("sd_pre")),
            net.register_state_dict_post_hook(lambda *a: log.append("sd_post")),
            net.register_load_state_dict_pre_hook(lambda *a: log.append("load_pre")),
            net._register_load_state_dict_pre_hook(lambda *a: log.append("load_pre_legacy")),
            net.register_load_state_dict_post_hook(lambda *a: log.append("load_post")),
        ]
        net.load_state_dict(net.state_dict())
        assert log == ["sd_pre", "sd_post", "load_pre", "load_pre_legacy", "load_post"]
        for h in handles:
            h.remove()
        net.load_state_dict(net.state_dict())
        assert len(log) == 5


def test_pickled_module_without_hook_tables_still_calls():
    net = ember.nn.Linear(2, 1)
    state = net.__dict__.copy()
    for name in ("_backward_hooks", "_backward_pre_hooks", "_is_full_backward_hook",
                 "_state_dict_hooks", "_load_state_dict_post_hooks"):
        del state[name]
    old = ember.nn.Linear.__new__(ember.nn.Linear)
    old.__setstate__(state)
    out = old(ember.ones(1, 2))
    assert np.allclose(out.detach().numpy(), net(ember.ones(1, 2)).detach().numpy())
    assert list(old.state_dict()) == ["weight", "bias"]
    seen = []
    old.register_full_backward_hook(lambda *a: seen.append(1))
    old(ember.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen == [1]
