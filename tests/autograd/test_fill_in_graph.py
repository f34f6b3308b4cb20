"""fill_ and zero_ on a tensor in a graph cut the gradient to its old values, as torch does:
the tensor takes torch's FillBackward2 / ZeroBackward0 / FillBackward3 node (before, the values
changed and the graph kept the old node, so gradients flowed through values no longer there)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

FILLS = {
    "fill_number": lambda lib, y: y.fill_(1.5),
    "zero": lambda lib, y: y.zero_(),
    "fill_tensor": lambda lib, y: y.fill_(lib.tensor(2.0, requires_grad=True)),
    "fill_view": lambda lib, y: y[1:].fill_(5.0),
    "zero_view": lambda lib, y: y[:, :1].zero_(),
}


@pytest.mark.parametrize("name", list(FILLS))
def test_fill_in_a_graph_matches_torch(name):
    start = np.arange(1.0, 7.0).reshape(3, 2)
    results = []
    for lib in (ember, torch):
        x = lib.tensor(start, requires_grad=True)
        y = x * 2
        FILLS[name](lib, y)
        (y * x).sum().backward()
        results.append((y.grad_fn.name(), y.detach().numpy().tolist(), x.grad.numpy().tolist()))
    assert results[0] == results[1]


def test_fill_alone_gives_zero_gradients_and_refuses_leaves():
    x = ember.ones(3, requires_grad=True)
    (x * 2).fill_(4.0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.fill_(1.0)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.zero_()
    with ember.no_grad():
        assert x.zero_() is x and x.tolist() == [0.0, 0.0, 0.0]


def test_cpp_node_names_carry_torchs_namespace():
    names = []
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        y[:1].fill_(3.0)
        names.append((y.grad_fn.name(), type(y.grad_fn).__name__,
                      x.grad_fn if x.grad_fn is None else None,
                      (x * 1).grad_fn.next_functions[0][0].name()))
    assert names[0] == names[1] == ("torch::autograd::CopySlices", "CopySlices", None,
                                    "torch::autograd::AccumulateGrad")
