"""ember.masked.MaskedTensor against torch.masked.MaskedTensor: construction and its errors, repr,
elementwise ops with MaskedTensors, tensors and scalars, reductions, shape ops, and backward."""
import numpy as np
import pytest

import ember
from ember.masked import MaskedTensor, as_masked_tensor, is_masked_tensor, masked_tensor

torch = pytest.importorskip("torch")
import torch.masked as tm  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # torch calls it a prototype

DATA = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
MASK = np.array([[True, False, True], [False, False, False]])


def _pair(data=DATA, mask=MASK, requires_grad=False):
    return (masked_tensor(ember.tensor(data), ember.tensor(mask), requires_grad=requires_grad),
            tm.masked_tensor(torch.tensor(data), torch.tensor(mask), requires_grad=requires_grad))


def _same(e, t):
    """Same repr (data shown only where kept), mask, dtype and shape."""
    assert is_masked_tensor(e) and tm.is_masked_tensor(t)
    assert repr(e) == repr(t)
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.get_mask().numpy(), t.get_mask().numpy())
    kept = t.get_mask().numpy()
    np.testing.assert_allclose(e.get_data().detach().numpy()[kept],
                               t.get_data().detach().numpy()[kept], rtol=1e-6)


@pytest.mark.parametrize("data,mask", [
    (DATA, MASK), (np.array(3.0), np.array(False)), (np.array(2.5), np.array(True)),
    (np.array([1, 2, 3]), np.array([True, False, True])),
    (np.arange(24.0).reshape(2, 3, 4) - 10, np.arange(24).reshape(2, 3, 4) % 3 == 0),
    (np.array([True, False]), np.array([True, True]))])
def test_repr_matches_torch(data, mask):
    e, t = _pair(data, mask)
    assert repr(e) == repr(t) and str(e) == str(t)


EXPRESSIONS = [
    "mt + 1", "1 + mt", "mt - 2.5", "2 * mt", "1 / mt", "mt // 2", "mt % 2", "mt * mt", "mt / 0", "mt ** 2", "-mt", "abs(mt)",
    "mt == 2", "mt > 1", "mt.exp()", "mt.sin()", "mt.add(mt)", "mt.mul(2)", "mt + plain",
    "mt.sum()", "mt.sum(1)", "mt.sum(1, keepdim=True)", "mt.sum((0, 1))",
    "mt.mean()", "mt.mean(1)", "mt.amax(1)", "mt.amin()", "mt.prod(1)", "mt.argmax(1)",
    "mt.argmax()", "mt.argmin(0)", "mt.var()", "mt.std(1)", "mt.all()", "mt.softmax(1)",
    "mt[0]", "mt[:, 1]", "mt.transpose(0, 1)", "mt.reshape(3, 2)", "mt.view(6)", "mt.detach()",
    "mt.narrow(1, 0, 2)", "mt.ravel()", "mt.flatten()", "mt.unsqueeze(0)", "mt.select(1, 0)",
    "mt.expand(2, 2, 3)", "mt.t()",
    "mt.to(dtype)", "mt.float()", "mt.clone()"]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_operations_match_torch(expr):
    e, t = _pair()
    _same(eval(expr, {"mt": e, "plain": ember.tensor(DATA), "dtype": ember.float32}),
          eval(expr, {"mt": t, "plain": torch.tensor(DATA), "dtype": torch.float32}))


def test_masked_functions_take_a_masked_tensor_and_give_a_plain_tensor():
    e, t = _pair()
    for name in ("sum", "amax", "softmax"):
        er, tr = getattr(ember.masked, name)(e, 1), getattr(tm, name)(t, 1)
        assert isinstance(er, ember.Tensor) and not is_masked_tensor(er)
        np.testing.assert_allclose(er.numpy(), tr.numpy(), equal_nan=True)


def test_accessors():
    e, t = _pair()
    assert tuple(e.size()) == tuple(t.size()) and e.dim() == t.dim() == 2
    assert e.numel() == t.numel() and len(e) == len(t)
    np.testing.assert_array_equal(e.to_tensor(-1.0).numpy(), t.to_tensor(-1.0).numpy())
    assert isinstance(as_masked_tensor(ember.ones(2), ember.ones(2, dtype=ember.bool)),
                      MaskedTensor)


def test_errors_match_torch():
    e, t = _pair()
    other_e, other_t = _pair(mask=~MASK)
    with pytest.raises(ValueError, match="Input masks must match"):
        t + other_t
    with pytest.raises(ValueError, match="Input masks must match"):
        e + other_e
    for maker, lib in ((masked_tensor, ember), (tm.masked_tensor, torch)):
        with pytest.raises(ValueError, match=r"data.dim\(\) must equal mask.dim\(\)"):
            maker(lib.ones(2, 3), lib.ones(3, dtype=lib.bool))
        with pytest.raises(ValueError, match=r"data.size\(\) must equal mask.size\(\)"):
            maker(lib.ones(2, 3), lib.ones(3, 2, dtype=lib.bool))
        with pytest.raises(TypeError, match="mask must have dtype bool"):
            maker(lib.ones(2), lib.ones(2))
        with pytest.raises(TypeError, match="data must be a Tensor"):
            maker([1.0], lib.ones(1, dtype=lib.bool))
    for mt in (e, t):
        with pytest.raises(TypeError):
            2 ** mt
        with pytest.raises(TypeError):
            3 - mt
    with pytest.raises(NotImplementedError, match="does not support 'cumsum'"):
        e.cumsum(1)
    assert not hasattr(e, "cumsum")


@pytest.mark.parametrize("expr", ["mt.sum()", "mt.mean()", "(mt * mt).sum()", "mt.amax()",
                                  "mt.exp().sum()", "mt.softmax(1).sum(1).sum()"])
def test_backward_gives_masked_gradient_like_torch(expr):
    e, t = _pair(requires_grad=True)
    eval(expr, {"mt": e}).backward()
    eval(expr, {"mt": t}).backward()
    assert e.is_leaf and e.requires_grad
    _same(e.grad, t.grad)


def test_as_masked_tensor_passes_gradient_to_its_data():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    as_masked_tensor(x * 2, ember.tensor([True, False, True])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 2.0])
