"""nn.Module: registration, traversal, modes, conversion, state dicts, hooks, repr; Parameter."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._helpers import assert_unchanged, raises_like, snapshot


class Affine(nn.Module):
    """y = x * w + b with a buffer, built from ops that exist in the core."""

    def __init__(self, n=3):
        super().__init__()
        self.w = nn.Parameter(ember.ones(n))
        self.b = nn.Parameter(ember.zeros(n))
        self.register_buffer("count", ember.zeros(1))
        self.register_buffer("scratch", ember.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.w + self.b


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Affine()
        self.b = Affine()
        self.scale = nn.Parameter(ember.tensor(2.0))

    def forward(self, x):
        return self.b(self.a(x)) * self.scale


def torch_twins(torch):
    class Affine(torch.nn.Module):  # the same class names, so error messages match
        def __init__(self, n=3):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(n))
            self.b = torch.nn.Parameter(torch.zeros(n))
            self.register_buffer("count", torch.zeros(1))
            self.register_buffer("scratch", torch.zeros(n), persistent=False)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Affine()
            self.b = Affine()
            self.scale = torch.nn.Parameter(torch.tensor(2.0))
    return Affine, Net


# -- registration ----------------------------------------------------------------------------------

def test_assignment_routes_parameters_modules_and_buffers():
    m = Net()
    assert list(m._parameters) == ["scale"]
    assert list(m._modules) == ["a", "b"]
    assert list(m.a._buffers) == ["count", "scratch"]
    assert isinstance(m.scale, nn.Parameter) and isinstance(m.scale, ember.Tensor)
    assert "scale" not in m.__dict__ and "a" not in m.__dict__
    m.a = None
    assert m._modules["a"] is None
    m.plain = 3
    assert m.__dict__["plain"] == 3
    # a Parameter assigned to a buffer's name moves it between registries
    m.b.count = nn.Parameter(ember.ones(1))
    assert "count" in m.b._parameters and "count" not in m.b._buffers
    with pytest.raises(TypeError, match="cannot assign 'ember.nn.modules.linear.Linear' as "
                       "parameter 'scale'"):
        m.scale = nn.Linear(1, 1)


def assignment_outcome(lib, holder, name, value):
    """Where `name` lives after `holder.name = value` (or the error), in library-neutral words."""
    try:
        setattr(holder, name, value)
    except Exception as exc:  # noqa: BLE001 (the exception is the outcome)
        return type(exc).__name__, str(exc).replace("ember.", "torch.")
    places = [attr for attr in ("_parameters", "_modules", "_buffers", "__dict__")
              if name in getattr(holder, attr)]
    stored = getattr(holder, name)
    return (places, name in holder._non_persistent_buffers_set,
            type(stored).__name__ if stored is not None else None)


@pytest.mark.parametrize("name", ["plain", "w", "count", "scratch", "child", "fresh"])
@pytest.mark.parametrize("kind", ["parameter", "module", "tensor", "none", "int"])
def test_every_assignment_routes_like_torch(torch, name, kind):
    """Each kind of value assigned over each kind of name: the same registry, or the same error."""
    outcomes = []
    for lib, affine in ((torch, torch_twins(torch)[0]), (ember, Affine)):
        holder = affine()
        holder.plain = 1
        holder.child = lib.nn.ReLU()
        value = {"parameter": lambda: lib.nn.Parameter(lib.ones(2)), "module": lib.nn.Tanh,
                 "tensor": lambda: lib.ones(2), "none": lambda: None, "int": lambda: 7}[kind]()
        outcomes.append(assignment_outcome(lib, holder, name, value))
    assert outcomes[1] == outcomes[0]


def test_buffer_assignment_and_deletion():
    m = Affine()
    m.count = ember.ones(1)
    assert m._buffers["count"].item() == 1.0
    del m.count
    assert "count" not in m._buffers
    with pytest.raises(AttributeError, match="'Affine' object has no attribute 'count'"):
        m.count
    del m.w
    assert "w" not in m._parameters


def test_registration_errors_match_torch(torch):
    TAffine, _ = torch_twins(torch)
    t, e = TAffine(), Affine()
    raises_like(lambda: t.register_buffer("a.b", None), lambda: e.register_buffer("a.b", None))
    raises_like(lambda: t.register_buffer("", None), lambda: e.register_buffer("", None))
    raises_like(lambda: t.register_buffer("w", None), lambda: e.register_buffer("w", None))
    raises_like(lambda: t.register_buffer(1, None), lambda: e.register_buffer(1, None))
    raises_like(lambda: t.register_buffer("x", 3), lambda: e.register_buffer("x", 3))
    raises_like(lambda: t.register_parameter("x", torch.zeros(2)),
                lambda: e.register_parameter("x", ember.zeros(2)))
    raises_like(lambda: t.register_parameter("count", None),
                lambda: e.register_parameter("count", None))
    raises_like(lambda: setattr(t, "w", torch.zeros(3)), lambda: setattr(e, "w", ember.zeros(3)))
    raises_like(lambda: t.add_module("w", torch.nn.ReLU()), lambda: e.add_module("w", nn.ReLU()))
    raises_like(lambda: t.add_module("x", 3), lambda: e.add_module("x", 3))
    raises_like(lambda: t.add_module("x.y", torch.nn.ReLU()),
                lambda: e.add_module("x.y", nn.ReLU()))
    raises_like(lambda: t.missing, lambda: e.missing)


def test_non_leaf_parameter_is_refused():
    p = nn.Parameter(ember.ones(2))
    p._grad_fn = (ember.ones(2, requires_grad=True) * 2).grad_fn  # forge a non-leaf Parameter
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'q'"):
        Affine().register_parameter("q", p)


def test_assigning_before_init_raises():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()


def test_get_submodule_parameter_and_buffer():
    m = Net()
    assert m.get_submodule("a") is m.a
    assert m.get_submodule("") is m
    assert m.get_parameter("a.w") is m.a.w
    assert m.get_buffer("b.count") is m.b.count
    with pytest.raises(AttributeError, match="Affine has no attribute `zz`"):
        m.get_submodule("a.zz")
    with pytest.raises(AttributeError, match="`w` is not an nn.Module"):
        m.get_submodule("a.w")
    with pytest.raises(AttributeError, match="`count` is not an nn.Parameter"):
        m.get_parameter("a.count")
    with pytest.raises(AttributeError, match="`w` is not a buffer"):
        m.get_buffer("a.w")


# -- traversal -------------------------------------------------------------------------------------

def test_named_members_match_torch(torch):
    _, TNet = torch_twins(torch)
    t, e = TNet(), Net()
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == ["m.scale"]
    assert len(list(e.parameters())) == 5 and len(list(e.buffers())) == 4


def test_shared_modules_and_parameters_are_yielded_once():
    shared = Affine()
    m = nn.Module()
    m.x = shared
    m.y = shared
    m.p = shared.w
    assert [n for n, _ in m.named_modules()] == ["", "x"]
    assert [n for n, _ in m.named_parameters()] == ["p", "x.b"]
    assert len(list(m.named_parameters(remove_duplicate=False))) == 5
    assert len(list(m.children())) == 1


def test_dir_lists_registered_names():
    names = dir(Net())
    for name in ("a", "b", "scale", "forward", "training"):
        assert name in names


# -- modes and conversion --------------------------------------------------------------------------

def test_train_and_eval_propagate():
    m = Net()
    assert m.training and m.a.training
    assert m.eval() is m
    assert not m.training and not m.a.training and not m.b.training
    m.train()
    assert m.b.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")


def test_zero_grad_and_requires_grad():
    m = Net()
    m(ember.ones(3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    m = Net()
    order = []
    assert m.apply(lambda mod: order.append(type(mod).__name__)) is m
    assert order == ["Affine", "Affine", "Net"]


def test_double_keeps_parameter_identity_and_converts_grads():
    m = Net()
    m(ember.ones(3)).sum().backward()
    w = m.a.w
    m.double()
    assert m.a.w is w and w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert m.a.count.dtype == ember.float64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.half().float()
    assert w.dtype == ember.float32
    m.to("cpu")
    assert w.device.type == "cpu"
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        m.to(ember.int64)


def test_to_leaves_integer_buffers_alone():
    bn = nn.BatchNorm1d(3)
    bn.double()
    assert bn.num_batches_tracked.dtype == ember.int64
    assert bn.running_mean.dtype == ember.float64


# -- state dict ------------------------------------------------------------------------------------

def test_state_dict_keys_order_and_persistence(torch):
    _, TNet = torch_twins(torch)
    sd = Net().state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == list(TNet().state_dict())
    assert "a.scratch" not in sd
    assert sd._metadata[""] == {"version": 1} and sd._metadata["a"] == {"version": 1}
    assert not sd["a.w"].requires_grad and not isinstance(sd["a.w"], nn.Parameter)
    assert isinstance(Net().state_dict(keep_vars=True)["a.w"], nn.Parameter)


def test_state_dict_shares_memory_with_parameters():
    m = Net()
    m.state_dict()["a.w"].fill_(5.0)
    assert m.a.w.numpy(force=True).tolist() == [5.0, 5.0, 5.0]


def test_load_state_dict_round_trip():
    src, dst = Net(), Net()
    with ember.no_grad():
        src.a.w.fill_(3.0)
        src.b.count.fill_(7.0)
    result = dst.load_state_dict(src.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert dst.a.w.numpy(force=True).tolist() == [3.0, 3.0, 3.0]
    assert dst.b.count.item() == 7.0
    dst.a.w.numpy(force=True)[0] = 9.0  # a copy, not the source's memory
    assert src.a.w.numpy(force=True)[0] == 3.0


def test_load_state_dict_lists_every_problem_and_changes_nothing(torch):
    _, TNet = torch_twins(torch)
    t, e = TNet(), Net()
    bad_t = t.state_dict()
    del bad_t["a.b"]
    bad_t["extra"] = torch.zeros(1)
    bad_t["b.w"] = torch.zeros(4)
    bad_t["a.w"] = torch.full((3,), 9.0)
    bad_e = OrderedDict((k, ember.tensor(v.numpy())) for k, v in bad_t.items())
    before = snapshot(e)
    raises_like(lambda: t.load_state_dict(bad_t), lambda: e.load_state_dict(bad_e))
    assert_unchanged(e, before)  # a.w was valid but is not copied either


def test_load_state_dict_non_strict_returns_the_keys(torch):
    _, TNet = torch_twins(torch)
    sd = TNet().state_dict()
    del sd["b.b"]
    sd["zz"] = torch.zeros(1)
    expected = TNet().load_state_dict(sd, strict=False)
    got = Net().load_state_dict({k: ember.tensor(v.numpy()) for k, v in sd.items()},
                                strict=False)
    assert got.missing_keys == expected.missing_keys == ["b.b"]
    assert got.unexpected_keys == expected.unexpected_keys == ["zz"]
    assert repr(got) == repr(expected)
    strict = raises_like(lambda: TNet().load_state_dict({"a.w": torch.zeros(3)}),
                         lambda: Net().load_state_dict({"a.w": ember.zeros(3)}))
    assert 'Missing key(s) in state_dict: "scale", "a.b"' in str(strict)


def renaming_tree(lib):
    """A parent that renames its child's old key before the child loads, a module shared under
    two names, and a grandchild: what the walk over the modules must get right."""
    class Renamer(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = lib.nn.Linear(2, 2)
            shared = lib.nn.Linear(1, 1)
            self.left = lib.nn.Sequential(shared, lib.nn.Sequential(lib.nn.Linear(1, 3)))
            self.right = shared

        def _load_from_state_dict(self, state_dict, prefix, *args):
            old = prefix + "old_inner.weight"
            if old in state_dict:
                state_dict[prefix + "inner.weight"] = state_dict.pop(old)
            super()._load_from_state_dict(state_dict, prefix, *args)
    return Renamer


@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_walk_matches_torch(torch, strict):
    state = {k: v.detach().numpy() + 1 for k, v in renaming_tree(torch)().state_dict().items()}
    state["old_inner.weight"] = state.pop("inner.weight")
    del state["left.1.0.bias"], state["inner.bias"]
    state["left.1.0.extra"] = state["zz"] = state["right.bias"]
    results = []
    for lib in (torch, ember):
        model = renaming_tree(lib)()
        try:
            keys = model.load_state_dict({k: lib.tensor(v) for k, v in state.items()},
                                         strict=strict)
        except RuntimeError as exc:
            results.append(str(exc))
            continue
        results.append((keys.missing_keys, keys.unexpected_keys,   # the missing one is random
                        {k: v.tolist() for k, v in model.state_dict().items()
                         if k not in ("left.1.0.bias", "inner.bias")}))
    assert results[1] == results[0]


def test_load_state_dict_converts_dtype_and_checks_types():
    m = Net()
    m.load_state_dict({k: v.double() for k, v in Net().state_dict().items()})
    assert m.a.w.dtype == ember.float32
    with pytest.raises(RuntimeError, match='expected torch.Tensor or Tensor-like object'):
        m.load_state_dict({**m.state_dict(), "scale": 1.0})
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])


def test_load_state_dict_assign_replaces_the_parameters():
    m = Net()
    new = {k: v.clone() for k, v in Net().state_dict().items()}
    old_w = m.a.w
    m.load_state_dict(new, assign=True)
    assert m.a.w is not old_w and isinstance(m.a.w, nn.Parameter) and m.a.w.requires_grad
    assert m.a.w.data_ptr() == new["a.w"].data_ptr()


# -- calling and hooks -----------------------------------------------------------------------------

def test_forward_is_required():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required'):
        nn.Module()(1)


def test_forward_pre_hook_and_hook_can_replace_values():
    m = Affine()
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
    h3 = m.register_forward_hook(lambda mod, args, out: calls.append(out.tolist()))
    y = m(ember.ones(3))
    assert y.tolist() == [3.0, 3.0, 3.0] and calls == [[3.0, 3.0, 3.0]]
    h1.remove()
    h2.remove()
    with h3:
        pass
    assert m(ember.ones(3)).tolist() == [1.0, 1.0, 1.0] and len(calls) == 1


def test_hooks_with_kwargs_prepend_and_always_call():
    class Scale(nn.Module):
        def forward(self, x, *, k=1.0):
            if k < 0:
                raise ValueError("negative")
            return x * k

    m = Scale()
    order = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"k": 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("second"))
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    assert m(ember.ones(1), k=1.0).item() == 3.0
    assert order == ["first", "second"]

    n = Scale()
    seen = []
    n.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError, match="negative"):
        n(ember.ones(1), k=-1.0)
    assert seen == [None]


# -- repr, copy, pickle ----------------------------------------------------------------------------

def test_repr_of_nested_custom_modules_matches_torch(torch):
    def build(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(3, 4)
                self.act = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Linear(4, 2, bias=False))

        class Top(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.empty = lib.nn.Sequential()
                self.none = None
                self.add_module("missing", None)

            def extra_repr(self):
                return "custom=1\nsecond line"
        return Top()

    assert repr(build(ember)) == repr(build(torch))


def test_deepcopy_and_pickle_round_trip():
    m = Net()
    with ember.no_grad():
        m.a.w.fill_(4.0)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert clone.a.w is not m.a.w and isinstance(clone.a.w, nn.Parameter)
        assert clone.a.w.tolist() == [4.0, 4.0, 4.0] and clone.a.w.requires_grad
        assert [n for n, _ in clone.named_parameters()] == [n for n, _ in m.named_parameters()]
        assert clone(ember.ones(3)).shape == (3,)


# -- Parameter -------------------------------------------------------------------------------------

def test_parameter_shares_memory_and_prints_like_torch(torch):
    data = ember.zeros(2, 3)
    p = nn.Parameter(data)
    assert p.requires_grad and p.is_leaf and isinstance(p, ember.Tensor)
    assert p.data_ptr() == data.data_ptr()
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert repr(p) == "Parameter containing:\n" + repr(ember.zeros(2, 3, requires_grad=True))
    assert repr(torch.nn.Parameter(torch.zeros(1))).startswith("Parameter containing:\ntensor(")
    frozen = nn.Parameter(ember.ones(2), requires_grad=False)
    assert not frozen.requires_grad
    assert nn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nn.Parameter(ember.zeros(2, dtype=ember.int64))


def test_parameter_deepcopy_and_pickle():
    p = nn.Parameter(ember.ones(2))
    p.grad = ember.ones(2)
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad and q.grad is None
        assert q.data_ptr() != p.data_ptr() and q.tolist() == [1.0, 1.0]


def test_tutorial_manual_update_through_data():
    m = Affine()
    (m(ember.ones(3)) * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    lr = 0.5
    for f in m.parameters():
        f.data.sub_(f.grad.data * lr)
    np.testing.assert_allclose(m.w.detach().numpy(), [0.5, 0.0, -0.5])
    np.testing.assert_allclose(m.b.detach().numpy(), [-0.5, -1.0, -1.5])
