"""NOTE [ Declared methods ] (ember/ops/_methods.py): Tensor methods declared from ember.ops."""
import inspect

import numpy as np
import pytest

import ember
from ember import ops
from ember.ops import _methods


def test_declared_methods_are_the_ops_themselves():
    for name in _methods.METHODS:
        method, op = getattr(ember.Tensor, name), getattr(ops, name)
        assert method is op or getattr(method, "__wrapped__", None) is op, name


def test_methods_show_the_ops_signatures():
    for name in _methods.METHODS:
        assert inspect.signature(getattr(ember.Tensor, name)) == \
            inspect.signature(getattr(ops, name)), name
    for name in _methods.IN_PLACE:
        assert inspect.signature(getattr(ember.Tensor, name + "_")) == \
            inspect.signature(getattr(ops, name)), name
    assert "alpha" in inspect.signature(ember.Tensor.add).parameters
    assert ember.Tensor.add_.__name__ == "add_" and "add" in ember.Tensor.add_.__doc__


def _unary_in_place_names():
    x = ember.tensor([0.25, 0.5, 0.75])
    names = []
    for name in _methods.IN_PLACE:
        try:
            getattr(ops, name)(x)
        except Exception:  # needs more arguments: covered by the op table's in-place tests
            continue
        names.append(name)
    return names


UNARY = _unary_in_place_names()


def test_enough_unary_in_place_methods_are_checked():
    assert len(UNARY) > 40 and {"exp", "sqrt", "sigmoid", "tanh"} <= set(UNARY)


@pytest.mark.parametrize("name", UNARY)
def test_in_place_method_writes_the_op_result_into_the_tensor(name):
    x = ember.tensor([0.25, 0.5, 0.75])
    expected = getattr(ops, name)(x)
    y = x.clone()
    version = y._version
    out = getattr(y, name + "_")()
    assert out is y and y._version == version + 1
    np.testing.assert_array_equal(y.numpy(), expected.numpy().astype(y.numpy().dtype))


def test_in_place_method_passes_arguments_on():
    y = ember.ones(3)
    y.add_(ember.full((3,), 2.0), alpha=3)
    np.testing.assert_array_equal(y.numpy(), [7.0, 7.0, 7.0])
    y.clamp_(max=5.0)
    np.testing.assert_array_equal(y.numpy(), [5.0, 5.0, 5.0])


def test_a_name_is_declared_or_written_in_the_class_never_both():
    class Dummy:
        def add(self):
            pass
    with pytest.raises(TypeError, match="also defined in the class"):
        _methods.declare_methods(Dummy, ops)


def test_torch_in_place_forms_of_declared_ops_exist():
    torch = pytest.importorskip("torch")
    missing = [n for n in dir(torch.Tensor) if n.endswith("_") and not n.startswith("_")
               and n[:-1] in _methods.METHODS and not hasattr(ember.Tensor, n)]
    assert missing == []


def test_sampling_methods_reach_the_samplers():
    ember.manual_seed(0)
    assert set(ember.full((100,), 0.5).bernoulli().numpy().tolist()) == {0.0, 1.0}
    picks = ember.tensor([0.0, 1.0, 0.0]).multinomial(4, replacement=True)
    assert picks.numpy().tolist() == [1, 1, 1, 1]
