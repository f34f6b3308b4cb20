"""nn.utils.prune against torch on copied weights: masks, the _orig/_mask reparametrization
(state_dict keys, parameters, buffers, the plain `name` attribute), forward outputs, gradients of
weight_orig, iterative pruning through PruningContainer, global pruning, remove(), and torch's
errors. Random methods are compared on structure (counts, whole channels), not positions."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.utils.prune as prune

from ._helpers import assert_close, raises_like, to_ember, twins

torch = pytest.importorskip("torch")
tprune = pytest.importorskip("torch.nn.utils.prune")


def _linear_pair(in_f=6, out_f=5, seed=0):
    return twins(torch, lambda lib_nn: lib_nn.Linear(in_f, out_f), seed)


def _conv_pair(seed=0):
    return twins(torch, lambda lib_nn: lib_nn.Conv2d(3, 6, 3), seed)


def _same_reparametrization(t, e, name="weight"):
    """The pruned parameter lives as name_orig + name_mask on both, with equal values."""
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert not isinstance(getattr(e, name), nn.Parameter)
    assert isinstance(getattr(e, name + "_orig"), nn.Parameter)
    assert_close(getattr(e, name + "_mask"), getattr(t, name + "_mask"))
    assert_close(getattr(e, name), getattr(t, name))


def test_import_paths():
    assert ember.nn.utils.prune is prune
    assert callable(prune.l1_unstructured) and issubclass(prune.L1Unstructured,
                                                          prune.BasePruningMethod)


@pytest.mark.parametrize("amount", [0.3, 7, 0, 0.0, 1.0, 30])
def test_l1_unstructured_matches_torch(amount):
    t, e = _linear_pair()
    tprune.l1_unstructured(t, "weight", amount=amount)
    out = prune.l1_unstructured(e, "weight", amount=amount)
    assert out is e
    _same_reparametrization(t, e)
    assert prune.is_pruned(e) and tprune.is_pruned(t)
    x = torch.randn(4, 6)
    assert_close(e(to_ember(x)), t(x), msg="forward")


def test_gradients_reach_weight_orig_masked():
    t, e = _linear_pair()
    tprune.l1_unstructured(t, "weight", amount=0.5)
    prune.l1_unstructured(e, "weight", amount=0.5)
    x = torch.randn(4, 6)
    t(x).pow(2).sum().backward()
    e(to_ember(x)).pow(2).sum().backward()
    assert_close(e.weight_orig.grad, t.weight_orig.grad)
    assert_close(e.bias.grad, t.bias.grad)
    assert (e.weight_orig.grad.numpy()[e.weight_mask.numpy() == 0] == 0).all()


def test_optimizer_step_shows_in_next_forward():
    t, e = _linear_pair()
    tprune.l1_unstructured(t, "weight", amount=0.4)
    prune.l1_unstructured(e, "weight", amount=0.4)
    topt = torch.optim.SGD(t.parameters(), lr=0.1)
    eopt = ember.optim.SGD(e.parameters(), lr=0.1)
    x = torch.randn(3, 6)
    for _ in range(2):
        topt.zero_grad()
        eopt.zero_grad()
        t(x).sum().backward()
        e(to_ember(x)).sum().backward()
        topt.step()
        eopt.step()
    assert_close(e.weight_orig, t.weight_orig)
    assert_close(e.weight, t.weight)  # recomputed by the pre-hook of the last forward
    assert_close(e(to_ember(x)), t(x))


def test_iterative_pruning_composes_masks():
    t, e = _conv_pair()
    steps = [("l1_unstructured", dict(amount=0.2)), ("l1_unstructured", dict(amount=10)),
             ("ln_structured", dict(amount=2, n=2, dim=0)),
             ("ln_structured", dict(amount=0.34, n=1, dim=1)),
             ("l1_unstructured", dict(amount=0.25))]
    for fn, kwargs in steps:
        getattr(tprune, fn)(t, "weight", **kwargs)
        getattr(prune, fn)(e, "weight", **kwargs)
        _same_reparametrization(t, e)
    hooks = [h for h in e._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer)
    assert len(hooks[0]) == len(steps)
    assert [type(m).__name__ for m in hooks[0]] == \
        [type(m).__name__ for m in next(iter(t._forward_pre_hooks.values()))]
    x = torch.randn(2, 3, 7, 7)
    assert_close(e(to_ember(x)), t(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n,dim", [(2, 0), (1, 1), (float("inf"), -1), (3, 2), (2, -4)])
def test_ln_structured_matches_torch(n, dim):
    t, e = _conv_pair(seed=3)
    tprune.ln_structured(t, "weight", amount=0.5, n=n, dim=dim)
    prune.ln_structured(e, "weight", amount=0.5, n=n, dim=dim)
    _same_reparametrization(t, e)


def test_importance_scores():
    t, e = _linear_pair()
    torch.manual_seed(5)
    scores = torch.randn(5, 6)
    tprune.l1_unstructured(t, "weight", amount=9, importance_scores=scores)
    prune.l1_unstructured(e, "weight", amount=9, importance_scores=to_ember(scores))
    _same_reparametrization(t, e)
    tprune.ln_structured(t, "weight", amount=1, n=2, dim=0, importance_scores=scores)
    prune.ln_structured(e, "weight", amount=1, n=2, dim=0, importance_scores=to_ember(scores))
    _same_reparametrization(t, e)


def test_random_unstructured_structure():
    ember.manual_seed(0)
    _, e = _linear_pair(10, 10)
    prune.random_unstructured(e, "weight", amount=0.3)
    assert int((e.weight_mask == 0).sum()) == 30
    prune.random_unstructured(e, "weight", amount=0.5)  # half of the 70 left
    mask = e.weight_mask.numpy()
    assert int((mask == 0).sum()) == 65
    assert ((e.weight.detach().numpy() == 0) | (mask == 1)).all()
    assert list(e.state_dict()) == ["bias", "weight_orig", "weight_mask"]


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_random_structured_structure(dim):
    ember.manual_seed(1)
    _, e = _conv_pair()
    prune.random_structured(e, "weight", amount=0.5, dim=dim)
    mask = np.moveaxis(e.weight_mask.numpy(), dim, 0).reshape(e.weight.shape[dim], -1)
    zero_channels = (mask == 0).all(1)
    assert zero_channels.sum() == round(0.5 * e.weight.shape[dim])
    assert ((mask == 0).all(1) | (mask == 1).all(1)).all()  # whole channels only
    prune.random_structured(e, "weight", amount=1, dim=dim)  # one more of those left
    mask = np.moveaxis(e.weight_mask.numpy(), dim, 0).reshape(e.weight.shape[dim], -1)
    assert (mask == 0).all(1).sum() == round(0.5 * e.weight.shape[dim]) + 1


def test_identity_and_custom_from_mask():
    t, e = _linear_pair()
    tprune.identity(t, "bias")
    prune.identity(e, "bias")
    _same_reparametrization(t, e, "bias")
    m = torch.rand(5, 6) > 0.5
    tprune.custom_from_mask(t, "weight", mask=m)
    prune.custom_from_mask(e, "weight", mask=to_ember(m))
    _same_reparametrization(t, e)
    assert e.weight_mask.dtype == ember.float32
    tprune.l1_unstructured(t, "weight", amount=3)
    prune.l1_unstructured(e, "weight", amount=3)
    _same_reparametrization(t, e)


def test_remove_makes_pruning_permanent():
    t, e = _linear_pair()
    for lib, mod in ((tprune, t), (prune, e)):
        lib.l1_unstructured(mod, "weight", amount=0.5)
        lib.l1_unstructured(mod, "weight", amount=3)
        lib.remove(mod, "weight")
    assert isinstance(e.weight, nn.Parameter)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert not hasattr(e, "weight_orig") and not hasattr(e, "weight_mask")
    assert len(e._forward_pre_hooks) == 0 and not prune.is_pruned(e)
    assert_close(e.weight, t.weight)
    x = torch.randn(2, 6)
    assert_close(e(to_ember(x)), t(x))
    raises_like(lambda: tprune.remove(t, "weight"), lambda: prune.remove(e, "weight"))


def test_is_pruned_sees_submodules():
    e = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2))
    assert not prune.is_pruned(e)
    prune.random_unstructured(e[2], "bias", amount=1)
    assert prune.is_pruned(e)


@pytest.mark.parametrize("amount", [0.4, 17])
def test_global_unstructured_two_layers(amount):
    t1, e1 = _linear_pair(6, 5, seed=1)
    t2, e2 = _linear_pair(5, 4, seed=2)
    tparams = [(t1, "weight"), (t2, "weight"), (t2, "bias")]
    eparams = [(e1, "weight"), (e2, "weight"), (e2, "bias")]
    tprune.global_unstructured(tparams, pruning_method=tprune.L1Unstructured, amount=amount)
    prune.global_unstructured(eparams, pruning_method=prune.L1Unstructured, amount=amount)
    _same_reparametrization(t1, e1)
    _same_reparametrization(t2, e2)
    _same_reparametrization(t2, e2, "bias")
    # A second round acts on what survived the first (masks read back from the modules).
    tprune.global_unstructured(tparams, pruning_method=tprune.L1Unstructured, amount=5)
    prune.global_unstructured(eparams, pruning_method=prune.L1Unstructured, amount=5)
    _same_reparametrization(t1, e1)
    _same_reparametrization(t2, e2)
    assert isinstance(next(iter(e1._forward_pre_hooks.values())), prune.PruningContainer)


def test_global_unstructured_importance_scores():
    t1, e1 = _linear_pair(seed=4)
    torch.manual_seed(9)
    s = torch.randn(5, 6)
    tprune.global_unstructured([(t1, "weight"), (t1, "bias")], tprune.L1Unstructured,
                               importance_scores={(t1, "weight"): s}, amount=0.5)
    prune.global_unstructured([(e1, "weight"), (e1, "bias")], prune.L1Unstructured,
                              importance_scores={(e1, "weight"): to_ember(s)}, amount=0.5)
    _same_reparametrization(t1, e1)
    _same_reparametrization(t1, e1, "bias")


def test_prune_method_on_tensor_and_container():
    torch.manual_seed(0)
    x = torch.randn(4, 5)
    tm, em = tprune.L1Unstructured(amount=0.5), prune.L1Unstructured(amount=0.5)
    assert_close(em.prune(to_ember(x)), tm.prune(x))
    tl, el = tprune.LnStructured(amount=2, n=1, dim=1), prune.LnStructured(amount=2, n=1, dim=1)
    assert_close(el.prune(to_ember(x)), tl.prune(x))
    for m in (em, el):
        m._tensor_name = "w"
    container = prune.PruningContainer(em)
    container.add_pruning_method(el)
    assert len(container) == 2 and container[1] is el
    with pytest.raises(TypeError, match="is not a BasePruningMethod subclass"):
        container.add_pruning_method(3)
    other = prune.Identity()
    other._tensor_name = "v"
    with pytest.raises(ValueError, match="Can only add pruning methods"):
        container.add_pruning_method(other)


@pytest.mark.parametrize("fn,kwargs", [
    ("l1_unstructured", dict(amount=-1)), ("l1_unstructured", dict(amount=1.5)),
    ("l1_unstructured", dict(amount=-0.1)), ("l1_unstructured", dict(amount="0.5")),
    ("l1_unstructured", dict(amount=31)), ("random_unstructured", dict(amount=31)),
    ("ln_structured", dict(amount=6, n=2, dim=0)), ("ln_structured", dict(amount=1, n=2, dim=2)),
    ("random_structured", dict(amount=0.5, dim=2)), ("random_structured", dict(amount=7, dim=1)),
])
def test_errors_match_torch(fn, kwargs):
    t, e = _linear_pair()
    raises_like(lambda: getattr(tprune, fn)(t, "weight", **kwargs),
                lambda: getattr(prune, fn)(e, "weight", **kwargs))
    # A failed first pruning leaves the module as it was.
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(e.state_dict()) == list(t.state_dict())
    assert not prune.is_pruned(e) and isinstance(e.weight, nn.Parameter)


def test_structured_on_1d_and_global_errors():
    t, e = _linear_pair()
    raises_like(lambda: tprune.ln_structured(t, "bias", amount=1, n=2, dim=0),
                lambda: prune.ln_structured(e, "bias", amount=1, n=2, dim=0))
    raises_like(lambda: tprune.global_unstructured(5, tprune.L1Unstructured, amount=1),
                lambda: prune.global_unstructured(5, prune.L1Unstructured, amount=1))
    raises_like(lambda: tprune.global_unstructured([(t, "weight")], tprune.L1Unstructured,
                                                   importance_scores=[1], amount=1),
                lambda: prune.global_unstructured([(e, "weight")], prune.L1Unstructured,
                                                  importance_scores=[1], amount=1))
    with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE supported'):
        prune.global_unstructured([(e, "weight")], prune.RandomStructured, amount=1)
