"""Tensor._base and _is_view() as torch: a view op's result names the tensor it views (for a
view of a view, the first non-view); copies, detach(), .data and dtype views have none."""
import pytest

import ember

# name -> fn(lib, x): every case is run on ember and torch with x = zeros(2, 3, 4)
CASES = {
    "view": lambda lib, x: x.view(6, 4),
    "view_infer": lambda lib, x: x.view(-1),
    "view_as": lambda lib, x: x.view_as(x),
    "reshape_as_view": lambda lib, x: x.reshape(6, 4),
    "reshape_copy": lambda lib, x: x.transpose(0, 1).reshape(-1),
    "flatten": lambda lib, x: x.flatten(),
    "flatten_nothing": lambda lib, x: x.flatten(0, 0),
    "ravel": lambda lib, x: x.ravel(),
    "unflatten": lambda lib, x: x.unflatten(2, (2, 2)),
    "transpose": lambda lib, x: x.transpose(0, 1),
    "swapdims": lambda lib, x: x.swapdims(0, 2),
    "permute": lambda lib, x: x.permute(2, 0, 1),
    "movedim": lambda lib, x: lib.movedim(x, 0, 2),
    "t": lambda lib, x: x[0].t(),
    "T": lambda lib, x: x[0].T,
    "mT": lambda lib, x: x.mT,
    "squeeze": lambda lib, x: x.squeeze(),
    "squeeze_nothing": lambda lib, x: x.squeeze(0),
    "unsqueeze": lambda lib, x: x.unsqueeze(-1),
    "expand": lambda lib, x: x[:, :1].expand(2, 3, 4),
    "expand_as": lambda lib, x: x.expand_as(x),
    "broadcast_to": lambda lib, x: lib.broadcast_to(x[0], (2, 3, 4)),
    "int_index": lambda lib, x: x[-1],
    "slice": lambda lib, x: x[0:1],
    "step_slice": lambda lib, x: x[:, ::2],
    "ellipsis": lambda lib, x: x[...],
    "none_index": lambda lib, x: x[None],
    "mixed_index": lambda lib, x: x[0, None, 1:],
    "list_index": lambda lib, x: x[[0]],
    "mask_index": lambda lib, x: x[x > 0],
    "select": lambda lib, x: x.select(0, 1),
    "narrow": lambda lib, x: x.narrow(0, 0, 1),
    "diagonal": lambda lib, x: x.diagonal(),
    "unfold": lambda lib, x: x.unfold(2, 2, 1),
    "split": lambda lib, x: x.split(1)[0],
    "split_sizes": lambda lib, x: x.split([1, 1])[1],
    "chunk": lambda lib, x: x.chunk(3, 2)[-1],
    "unbind": lambda lib, x: x.unbind()[0],
    "atleast_1d": lambda lib, x: lib.atleast_1d(x[0, 0, 0]),
    "atleast_2d_same": lambda lib, x: lib.atleast_2d(x),
    "view_of_view": lambda lib, x: x.view(6, 4)[1:],
    "transpose_of_slice": lambda lib, x: x[1:].transpose(1, 2),
    "detach": lambda lib, x: x.detach(),
    "data": lambda lib, x: x.data,
    "view_dtype": lambda lib, x: x.view(lib.int32),
    "contiguous_same": lambda lib, x: x.contiguous(),
    "contiguous_copy": lambda lib, x: x.mT.contiguous(),
    "clone": lambda lib, x: x.clone(),
    "to_same": lambda lib, x: x.to(lib.float32),
    "float_cast": lambda lib, x: x.double(),
    "from_numpy": lambda lib, x: lib.from_numpy(x.numpy()),
}


def _describe(lib, name):
    x = lib.zeros(2, 3, 4)
    r = CASES[name](lib, x)
    base = r._base
    return ("None" if base is None else "x" if base is x else "other", r._is_view(), r is x)


@pytest.mark.parametrize("name", sorted(CASES))
def test_base_like_torch(name):
    torch = pytest.importorskip("torch")
    assert _describe(ember, name) == _describe(torch, name)


def test_views_with_autograd():
    leaf = ember.zeros(3, requires_grad=True)
    assert leaf[0:2]._base is leaf and leaf.detach()._base is None
    nonleaf = leaf * 2
    assert nonleaf.view(3)._base is nonleaf and nonleaf._base is None


def test_base_survives_in_place_writes_and_keeps_the_base_alive():
    x = ember.zeros(2, 3)
    v = x.view(6)
    v.add_(1)
    assert v._base is x and x.sum().item() == 6
    view = ember.arange(6.0).view(2, 3)[1]  # the arange itself is kept alive by its view
    assert view._base.shape == (6,) and view._base.tolist() == [0, 1, 2, 3, 4, 5]


def test_parameter_of_a_view_is_not_a_view():
    x = ember.zeros(2, 3)
    assert ember.nn.Parameter(x.view(6))._base is None
