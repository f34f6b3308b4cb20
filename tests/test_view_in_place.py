"""x.squeeze_(), unsqueeze_(), t_(), transpose_(): the tensor becomes a view of its own memory
and, under autograd, takes torch's in-place node (SqueezeBackward3 ...) fed by the node it had."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = [("squeeze_", ()), ("squeeze_", (1,)), ("squeeze_", ((0, 1),)), ("unsqueeze_", (0,)),
         ("t_", ()), ("transpose_", (0, 1))]


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}{a}" for n, a in CASES])
def test_in_place_view_matches_torch(name, args):
    start = np.arange(3.0, dtype=np.float32).reshape(3, 1)
    results = []
    for lib in (ember, torch):
        leaf = lib.tensor(start, requires_grad=True)
        x = leaf * 2
        out = getattr(x, name)(*args)
        assert out is x
        weights = lib.tensor(np.arange(1.0, x.numel() + 1, dtype=np.float32).reshape(x.shape))
        (x * weights).sum().backward()
        results.append((tuple(x.shape), x.grad_fn.name(), x.grad_fn.next_functions[0][0].name(),
                        x.detach().numpy().tolist(), leaf.grad.numpy().tolist()))
    assert results[0] == results[1]


def test_view_in_place_shares_memory_and_keeps_the_version_counter():
    x = ember.zeros(2, 3)
    counter = x._vc
    x.t_()
    x[0, 1] = 5.0
    assert x.shape == (3, 2) and x._vc is counter and x._version == 1
    np.testing.assert_array_equal(x.t().numpy(), [[0, 0, 0], [5, 0, 0]])


def test_leaf_requiring_grad_is_refused_like_torch():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            lib.zeros(3, 1, requires_grad=True).squeeze_()


def test_without_grad_only_the_shape_changes():
    x = ember.ones(2, 1) * 3
    with ember.no_grad():
        x.squeeze_()
    assert x.shape == (2,)
