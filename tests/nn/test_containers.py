"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict."""
from collections import OrderedDict

import pytest

import ember
import ember.nn as nn

from ._helpers import raises_like


class AddOne(nn.Module):
    def forward(self, x):
        return x + 1


class Double(nn.Module):
    def forward(self, x):
        return x * 2


def test_sequential_runs_in_order_and_indexes():
    seq = nn.Sequential(AddOne(), Double(), AddOne())
    assert seq(ember.tensor(1.0)).item() == 5.0
    assert len(seq) == 3 and isinstance(seq[1], Double) and isinstance(seq[-1], AddOne)
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is seq[1]
    assert list(sub._modules) == ["1", "2"]
    assert [type(m).__name__ for m in seq] == ["AddOne", "Double", "AddOne"]
    seq.append(Double())
    assert seq(ember.tensor(1.0)).item() == 10.0
    seq[0] = Double()
    assert isinstance(seq[0], Double) and seq(ember.tensor(1.0)).item() == 10.0
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"] and seq(ember.tensor(1.0)).item() == 6.0
    assert seq.pop(0).__class__ is Double and len(seq) == 2
    seq.insert(0, AddOne())
    assert seq(ember.tensor(0.0)).item() == 4.0
    with pytest.raises(IndexError, match="index 5 is out of range"):
        seq[5]


def test_sequential_from_ordered_dict_add_and_mul():
    seq = nn.Sequential(OrderedDict([("first", AddOne()), ("second", Double())]))
    assert seq.first is seq[0] and seq(ember.tensor(0.0)).item() == 2.0
    both = seq + nn.Sequential(AddOne())
    assert len(both) == 3 and list(both._modules) == ["0", "1", "2"]
    tripled = seq * 3
    assert len(tripled) == 6 and tripled[0] is tripled[2]
    seq += nn.Sequential(Double())
    assert len(seq) == 3 and seq(ember.tensor(0.0)).item() == 4.0
    seq.extend([AddOne()])
    assert len(seq) == 4
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential"):
        seq + [AddOne()]
    with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
        seq * 0


def test_sequential_repr_and_params_match_torch(torch):
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    e = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential()) == "Sequential()"
    assert repr(e[1:]) == repr(t[1:])


def test_module_list(torch):
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    ml.extend([nn.ReLU(), nn.Linear(2, 3)])
    ml.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in ml][:2] == ["Tanh", "Linear"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[0]
    assert list(ml._modules) == [str(i) for i in range(6)]
    assert isinstance(ml.pop(-1), nn.Linear)
    combined = ml + nn.ModuleList([nn.Tanh()])
    assert len(combined) == 6
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(nn.ReLU())

    def build(lib):
        return lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.ReLU(),
                                  lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.ReLU())])
    assert repr(build(ember)) == repr(build(torch))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_module_dict(torch):
    md = nn.ModuleDict({"relu": nn.ReLU(), "fc": nn.Linear(2, 2)})
    assert list(md) == ["relu", "fc"] and "fc" in md and len(md) == 2
    md["tanh"] = nn.Tanh()
    md.update([("sig", nn.Sigmoid())])
    assert list(md.keys()) == ["relu", "fc", "tanh", "sig"]
    assert isinstance(md.pop("relu"), nn.ReLU) and "relu" not in md
    assert [n for n, _ in md.named_parameters()] == ["fc.weight", "fc.bias"]
    raises_like(lambda: torch.nn.ModuleDict().update([("a", torch.nn.ReLU(), 1)]),
                lambda: nn.ModuleDict().update([("a", nn.ReLU(), 1)]))
    md.clear()
    assert len(md) == 0
    t = torch.nn.ModuleDict({"b": torch.nn.ReLU(), "a": torch.nn.Linear(1, 1)})
    e = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
    assert repr(e) == repr(t)


def test_parameter_list(torch):
    pl = nn.ParameterList([nn.Parameter(ember.zeros(2, 3)), ember.ones(4)])
    assert isinstance(pl[1], nn.Parameter) and pl[1].requires_grad  # tensors are wrapped
    pl.append(nn.Parameter(ember.zeros(1), requires_grad=False))
    pl.extend([ember.zeros(2)])
    assert len(pl) == 4 and len(list(pl.parameters())) == 4
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3"]
    assert isinstance(pl[1:], nn.ParameterList) and len(pl[1:]) == 3
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl()
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an"):
        pl.extend(ember.zeros(2))

    def build(lib):
        return lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)),
                                     lib.nn.Parameter(lib.zeros(4, dtype=lib.float64)), "x"])
    assert repr(build(ember)) == repr(build(torch))
    single = repr(nn.ParameterList([nn.Parameter(ember.zeros(2))]))
    assert single == repr(torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2))]))


def test_parameter_dict(torch):
    pd = nn.ParameterDict({"b": nn.Parameter(ember.zeros(2)), "a": ember.ones(3)})
    assert list(pd) == ["a", "b"]  # a plain dict is sorted by key, as in torch
    assert isinstance(pd["a"], nn.Parameter)
    pd["c"] = nn.Parameter(ember.zeros(1))
    assert list(pd.keys()) == ["a", "b", "c"] and "c" in pd and len(pd) == 3
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    assert pd.get("zz") is None and pd.setdefault("d", ember.zeros(1)) is pd["d"]
    assert pd.pop("d").shape == (1,) and "d" not in pd
    k, v = pd.popitem()
    assert k == "c" and len(pd) == 2
    merged = pd | nn.ParameterDict({"z": ember.zeros(1)})
    assert list(merged) == ["a", "b", "z"] and len(pd) == 2
    with pytest.raises(TypeError, match="cannot be used as a key as it is not a string"):
        pd[1] = ember.zeros(1)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called."):
        pd(1)

    def build(lib):
        return lib.nn.ParameterDict(OrderedDict([
            ("w", lib.nn.Parameter(lib.zeros(2, 3))),
            ("v", lib.nn.Parameter(lib.zeros(1, dtype=lib.float64))), ("s", "str")]))
    assert repr(build(ember)) == repr(build(torch))
