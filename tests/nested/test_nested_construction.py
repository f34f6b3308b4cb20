"""torch.nested's constructors and a nested tensor's structure (sizes, layout, repr, errors),
against torch: NOTE [ Nested layouts ] in ember/nested/_nested_tensor.py."""
import re
import warnings

import numpy as np
import pytest

import ember

from ._pairs import as_numpy, assert_same_components, components, pair

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ROWS = [np.arange(6.).reshape(2, 3), np.arange(9.).reshape(3, 3) - 4]


def _both(lib, layout, requires_grad=False):
    return lib.nested.nested_tensor([lib.tensor(r) for r in ROWS], layout=layout,
                                    requires_grad=requires_grad)


def _layouts():
    return [("strided", ember.strided, torch.strided), ("jagged", ember.jagged, torch.jagged)]


def _no_ids(text):
    """Reprs differ only by the ragged size's process-wide number and object addresses."""
    return re.sub(r" object at 0x[0-9a-f]+", "", re.sub(r"\bj\d+\b", "j", text))


@pytest.mark.parametrize("name,ours,theirs", _layouts())
def test_nested_tensor_structure_matches_torch(name, ours, theirs):
    nt, ref = _both(ember, ours), _both(torch, theirs)
    assert nt.is_nested and nt.layout is ours and str(nt.layout) == str(ref.layout)
    assert (nt.dim(), nt.ndim, nt.numel()) == (ref.dim(), ref.ndim, ref.numel())
    if name == "jagged":
        assert len(nt) == len(ref) == 2
    else:
        with pytest.raises(RuntimeError, match="doesn't support sizes"):
            len(nt)
    assert str(nt.dtype) == str(ref.dtype) and nt.device.type == ref.device.type
    assert nt.size(0) == ref.size(0) == 2 and nt.size(-1) == ref.size(-1) == 3
    assert nt.requires_grad is ref.requires_grad is False
    assert_same_components(nt, ref)
    np.testing.assert_array_equal(as_numpy(nt[1]), as_numpy(ref[1]))
    assert _no_ids(repr(nt)) == _no_ids(repr(ref))


def test_jagged_shape_has_one_ragged_size_shared_by_derived_tensors():
    nt = _both(ember, ember.jagged)
    shape = nt.shape
    assert len(shape) == 3 and shape[0] == 2 and shape[2] == 3
    assert re.fullmatch(r"j\d+", repr(shape[1])) and nt.size(1) is shape[1]
    assert (nt * 2).shape[1] is shape[1]
    assert _both(ember, ember.jagged).shape[1] != shape[1]
    assert repr(shape) == f"torch.Size([2, {shape[1]!r}, 3])"
    with pytest.raises(RuntimeError, match="no single int value"):
        int(shape[1])
    np.testing.assert_array_equal(as_numpy(nt.offsets()), [0, 2, 5])
    assert nt.lengths() is None and as_numpy(nt.values()).shape == (5, 3)


def test_strided_sizes_refuse_irregular_dims_as_torch_does():
    nt = ember.nested.nested_tensor([ember.ones(2, 3), ember.ones(3, 4)])
    ref = torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(3, 4)])
    for i in (1, 2):
        with pytest.raises(RuntimeError, match="irregular") as ours:
            nt.size(i)
        with pytest.raises(RuntimeError) as theirs:
            ref.size(i)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="doesn't support sizes"):
        nt.shape
    with pytest.raises(RuntimeError):
        ref.shape
    with pytest.raises(RuntimeError, match="only supported for nested tensors of the jagged"):
        nt.values()


@pytest.mark.parametrize("name,ours,theirs", _layouts())
def test_requires_grad_leaf_repr_and_dtype_conversion(name, ours, theirs):
    nt, ref = _both(ember, ours, True), _both(torch, theirs, True)
    assert nt.requires_grad and nt.is_leaf and nt.grad_fn is None
    assert _no_ids(repr(nt)) == _no_ids(repr(ref))
    ints = [ember.ones(2, 3, dtype=ember.int64)]
    assert ember.nested.nested_tensor(ints, dtype=ember.float64, layout=ours).dtype is ember.float64
    assert _no_ids(repr(ember.nested.nested_tensor([]))) == repr(torch.nested.nested_tensor([]))


@pytest.mark.parametrize("name,ours,theirs", _layouts())
def test_as_nested_tensor_keeps_history_to_the_list(name, ours, theirs):
    (a, ta), (b, tb) = pair(torch, ROWS[0]), pair(torch, ROWS[1])
    nt = ember.nested.as_nested_tensor([a, b], layout=ours)
    ref = torch.nested.as_nested_tensor([ta, tb], layout=theirs)
    assert nt.requires_grad and not nt.is_leaf
    assert_same_components(nt, ref)
    (nt * nt).to_padded_tensor(0.0).sum().backward()
    (ref * ref).to_padded_tensor(0.0).sum().backward()
    np.testing.assert_allclose(as_numpy(a.grad), as_numpy(ta.grad))
    np.testing.assert_allclose(as_numpy(b.grad), as_numpy(tb.grad))


@pytest.mark.parametrize("name,ours,theirs", _layouts())
def test_as_nested_tensor_of_a_tensor_unbinds_its_first_dim(name, ours, theirs):
    x = np.arange(24.).reshape(2, 3, 4)
    nt = ember.nested.as_nested_tensor(ember.tensor(x), layout=ours)
    ref = torch.nested.as_nested_tensor(torch.tensor(x), layout=theirs)
    assert_same_components(nt, ref)
    with pytest.raises(TypeError):
        ember.nested.as_nested_tensor(3)


def test_nested_tensor_from_jagged_offsets_lengths_and_holes():
    v = np.arange(10.).reshape(5, 2)
    for kwargs in ({"offsets": [0, 2, 5]}, {"lengths": [2, 3]}):
        args = {k: ember.tensor(val) for k, val in kwargs.items()}
        targs = {k: torch.tensor(val) for k, val in kwargs.items()}
        nt = ember.nested.nested_tensor_from_jagged(ember.tensor(v), **args)
        ref = torch.nested.nested_tensor_from_jagged(torch.tensor(v), **targs)
        assert_same_components(nt, ref)
        np.testing.assert_array_equal(as_numpy(nt.offsets()), as_numpy(ref.offsets()))
    holes = ember.nested.nested_tensor_from_jagged(ember.tensor(v), ember.tensor([0, 2, 4]),
                                                   lengths=ember.tensor([1, 1]))
    ref = torch.nested.nested_tensor_from_jagged(torch.tensor(v), torch.tensor([0, 2, 4]),
                                                 lengths=torch.tensor([1, 1]))
    assert_same_components(holes, ref)
    assert _no_ids(repr(holes)) == _no_ids(repr(ref)) and not holes.is_contiguous()
    with pytest.raises(RuntimeError, match="holes"):
        holes.to_padded_tensor(0.0)
    with pytest.raises(RuntimeError, match="At least one of offsets or lengths"):
        ember.nested.nested_tensor_from_jagged(ember.tensor(v))


def test_narrow_builds_a_jagged_view_or_refuses_as_torch_does():
    x = np.arange(12.).reshape(2, 6)
    nt = ember.nested.narrow(ember.tensor(x), 1, ember.tensor([0, 1]), ember.tensor([3, 2]),
                             layout=ember.jagged)
    ref = torch.nested.narrow(torch.tensor(x), 1, torch.tensor([0, 1]), torch.tensor([3, 2]),
                              layout=torch.jagged)
    assert_same_components(nt, ref)
    np.testing.assert_array_equal(as_numpy(nt.offsets()), as_numpy(ref.offsets()))
    assert _no_ids(repr(nt)) == _no_ids(repr(ref))
    strided = ember.nested.narrow(ember.tensor(x), 0, 1, 1)
    assert_same_components(strided, torch.nested.narrow(torch.tensor(x), 0, 1, 1))
    for args in [(1, 1, 2), (1, ember.tensor([0, 1]), ember.tensor([3, 2]))]:
        targs = tuple(torch.tensor(as_numpy(a)) if isinstance(a, ember.Tensor) else a
                      for a in args)
        with pytest.raises(RuntimeError) as theirs:
            torch.nested.narrow(torch.tensor(x), *targs)
        with pytest.raises(RuntimeError) as ours:
            ember.nested.narrow(ember.tensor(x), *args)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("x,mask", [
    (np.arange(6.).reshape(2, 3), np.array([[True, False, True], [False, False, True]])),
    (np.arange(12.).reshape(2, 2, 3), np.arange(12).reshape(2, 2, 3) % 2 == 0),
])
def test_masked_select_gives_one_component_per_row(x, mask):
    nt = ember.nested.masked_select(ember.tensor(x), ember.tensor(mask))
    ref = torch.nested.masked_select(torch.tensor(x), torch.tensor(mask))
    assert_same_components(nt, ref)
    assert nt.layout is ember.jagged and _no_ids(repr(nt)) == _no_ids(repr(ref))
    np.testing.assert_array_equal(as_numpy(nt.offsets()), as_numpy(ref.offsets()))


@pytest.mark.parametrize("tensors,layout", [
    ([np.ones(2), np.ones((2, 2))], "strided"),
    ([np.ones(2), np.ones((2, 2))], "jagged"),
    ([np.ones((2, 3)), np.ones((3, 4))], "jagged"),
])
def test_construction_errors_match_torch(tensors, layout):
    with pytest.raises(RuntimeError) as theirs:
        torch.nested.nested_tensor([torch.tensor(t) for t in tensors],
                                   layout=getattr(torch, layout))
    with pytest.raises(RuntimeError) as ours:
        ember.nested.nested_tensor([ember.tensor(t) for t in tensors],
                                   layout=getattr(ember, layout))
    assert str(ours.value)[:60] == str(theirs.value)[:60]
    with pytest.raises(RuntimeError, match="Specified layout is unsupported"):
        ember.nested.nested_tensor([ember.ones(2)], layout=ember.layout("sparse_coo"))


def test_torch_nested_public_names_all_exist():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        functions = [n for n in dir(torch.nested) if not n.startswith("_")
                     and callable(getattr(torch.nested, n)) and n[0].islower() and n != "torch"]
    assert functions and all(hasattr(ember.nested, n) for n in functions), functions
    assert [c.shape for c in components(ember.nested.nested_tensor([[1, 2], [3]]))] == [(2,), (1,)]
