"""x.fill_(value) with a 0-d tensor value on a tensor in a graph, against torch: FillBackward3 is
recorded whether or not the value requires grad, the overwritten values get a zero gradient and
the value the summed one (in its own dtype); a value of one or more dims raises torch's error."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = {
    # x requires grad, the value not
    "value_without_grad": lambda m: (m.tensor([1.0, -2.0, 3.0], requires_grad=True),
                                     m.tensor(2.0), lambda a: a, lambda a, x: a.sum()),
    "value_with_grad": lambda m: (m.tensor([1.0, -2.0, 3.0], requires_grad=True),
                                  m.tensor(2.0, requires_grad=True), lambda a: a,
                                  lambda a, x: a.sum()),
    "float64_value_product": lambda m: (m.tensor([1.0, -2.0, 3.0], requires_grad=True),
                                        m.tensor(2.0, dtype=m.float64, requires_grad=True),
                                        lambda a: a, lambda a, x: (a * x).sum()),
    "row_view": lambda m: (m.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True),
                           m.tensor(2.0, requires_grad=True), lambda a: a[0],
                           lambda a, x: (a * a).sum()),
}


def _run(m, case):
    x, value, target, loss = CASES[case](m)
    a = x * 1
    target(a).fill_(value)
    loss(a, x).backward()
    return a, x, value


@pytest.mark.parametrize("case", CASES)
def test_gradients_and_grad_fn_match_torch(case):
    a, x, value = _run(ember, case)
    at, xt, valuet = _run(torch, case)
    np.testing.assert_array_equal(a.detach().numpy(), at.detach().numpy())
    assert type(a.grad_fn).__name__ == type(at.grad_fn).__name__
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    assert (value.grad is None) == (valuet.grad is None)
    if valuet.grad is not None:
        assert value.grad.dtype == getattr(ember, str(valuet.grad.dtype).split(".")[1])
        assert value.grad.item() == valuet.grad.item()


def test_value_without_grad_records_fill_backward3():
    a, x, _ = _run(ember, "value_without_grad")
    assert type(a.grad_fn).__name__ == "FillBackward3"
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("shape", [(1,), (2, 2)])
def test_value_with_dims_raises_torchs_error(shape):
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match=f"fill_ only supports 0-dimension value tensor but "
                           f"got tensor with {len(shape)} dimensions."):
            m.zeros(3).fill_(m.ones(shape))
        with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension"):
            (m.zeros(3, requires_grad=True) * 1).fill_(m.ones(shape, requires_grad=True))
