"""default_collate and default_convert against PyTorch's."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert
from tests.utils.data.test_dataloader import plain

Pair = collections.namedtuple("Pair", "a b")

BATCHES = [
    [1, 2, 3],
    [1.5, 2.5],
    [True, False],
    ["x", "y"],
    [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
    [np.float32(1.5), np.float32(2.0)],
    [{"k": 1, "v": [1.0, 2.0]}, {"k": 2, "v": [3.0, 4.0]}],
    [(1, "a"), (2, "b")],
    [[1, 2], [3, 4]],
    [Pair(1, 2.0), Pair(3, 4.0)],
]


@pytest.mark.parametrize("case", range(len(BATCHES)))
def test_default_collate_as_torch(torch, case):
    from torch.utils.data import default_collate as torch_collate
    ours = default_collate(BATCHES[case])
    theirs = torch_collate(BATCHES[case])
    assert plain(ours) == plain(theirs)
    assert type(ours).__name__ == type(theirs).__name__


def test_collate_tensors():
    out = default_collate([ember.ones(2, 3), ember.zeros(2, 3)])
    assert out.shape == (2, 2, 3) and out.dtype == ember.float32
    assert out.tolist()[1] == [[0.0] * 3] * 2


def test_collate_errors_as_torch(torch):
    from torch.utils.data import default_collate as torch_collate
    for batch, exc in (([[1, 2], [3]], RuntimeError), ([object(), object()], TypeError),
                       ([np.array(["a"]), np.array(["b"])], TypeError)):
        with pytest.raises(exc) as ours:
            default_collate(batch)
        with pytest.raises(exc) as theirs:
            torch_collate(batch)
        assert str(ours.value).split(";")[0] == str(theirs.value).split(";")[0]


def test_default_convert_as_torch(torch):
    from torch.utils.data import default_convert as torch_convert
    sample = {"a": np.arange(3), "b": (np.float64(2.0), "s"), "c": [np.array(["u"]), 4]}
    assert plain(default_convert(sample)) == plain(torch_convert(sample))


class Frozen(collections.abc.Mapping):
    """A read-only mapping that cannot be built from a dict (its constructor takes none)."""

    def __init__(self):
        self._items = {"p": 1.0, "q": np.float32(2.0)}

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)


class Row(collections.abc.Sequence):
    """A read-only sequence built from a list."""

    def __init__(self, items):
        self._items = list(items)

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self):
        return len(self._items)


class Slots(collections.abc.MutableSequence):
    """A mutable sequence of two fixed slots (its constructor takes no items)."""

    def __init__(self):
        self._items = [np.float32(0.5), 3]

    def __getitem__(self, index):
        return self._items[index]

    def __setitem__(self, index, value):
        self._items[index] = value

    def __delitem__(self, index):
        del self._items[index]

    def __len__(self):
        return len(self._items)

    def insert(self, index, value):
        self._items.insert(index, value)


def structure(x):
    """Type names all the way down, tensors as (dtype, values): what a collate must rebuild."""
    if hasattr(x, "tolist") and not isinstance(x, collections.abc.Sequence):
        return "tensor", str(x.dtype).replace("torch.", ""), x.tolist()
    if isinstance(x, collections.abc.Mapping):
        return type(x).__name__, [(k, structure(v)) for k, v in x.items()]
    if isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes)):
        return type(x).__name__, [structure(v) for v in x]
    return type(x).__name__, x


def containers():
    import types
    return [collections.OrderedDict(b=np.int64(1), a=[np.float32(1.5)]),
            collections.defaultdict(list, z=np.arange(2)), types.MappingProxyType({"m": 3.5}),
            collections.UserDict(u=np.float64(0.5)), Frozen(), collections.UserList([1, 2.0]),
            collections.deque([np.int32(4), np.int32(5)]), Row([np.float32(1), 2]), range(3),
            Slots(),
            Pair(np.float64(1), "s"), ("t", np.int16(7))]


@pytest.mark.parametrize("index", range(12))
def test_containers_rebuilt_as_torch(torch, index):
    """Each container kind keeps its type (or falls back to dict/list) exactly as PyTorch's."""
    from torch.utils.data import default_collate as torch_collate
    from torch.utils.data import default_convert as torch_convert
    def fresh():          # a converted container may share its items with the sample (Slots)
        return containers()[index]
    assert structure(default_convert(fresh())) == structure(torch_convert(fresh()))
    if not isinstance(fresh(), (range, Frozen)):
        assert (structure(default_collate([fresh(), fresh()]))
                == structure(torch_collate([fresh(), fresh()])))


def test_collate_fn_map_matches_subclasses_in_order():
    from ember.utils.data._collate import collate

    class Base:
        pass

    class Child(Base):
        pass

    def answer(word):
        return lambda batch, collate_fn_map: word

    table = {int: answer("int"), Base: answer("base"), Child: answer("child"),
             (str, object): answer("any")}
    assert collate([Child()], collate_fn_map=table) == "child"        # exact type first
    del table[Child]
    assert collate([Child()], collate_fn_map=table) == "base"         # then the first isinstance
    assert collate([True], collate_fn_map=table) == "int"
    assert collate([[2.5], [3.5]], collate_fn_map=table) == "any"     # a list is an object too
    assert collate([{"k": Child()}], collate_fn_map={Base: lambda b, collate_fn_map: len(b)}) == \
        {"k": 1}
