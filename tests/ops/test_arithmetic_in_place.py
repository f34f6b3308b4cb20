"""x.add_/sub_/mul_/div_ (and +=, -=, *=, /=) written straight into x's memory when no graph is
recorded (NOTE [ Arithmetic in place ] in ember/ops/arithmetic.py): the same values as the op out
of place, in the same memory, one version bump; every other case keeps the general path."""
import operator

import numpy as np
import pytest

import ember
from ember.ops import arithmetic

torch = pytest.importorskip("torch")

OPS = {"add_": operator.add, "sub_": operator.sub, "mul_": operator.mul, "div_": operator.truediv}


def _operands(dtype):
    rng = np.random.default_rng(0)
    yield 3
    yield -0.7
    for shape in ((4, 5), (5,), (1, 5), (4, 1), ()):
        yield ember.tensor(rng.standard_normal(shape) + 2.0, dtype=dtype)


@pytest.mark.filterwarnings("error")  # x / 0 is inf with no NumPy warning, as in torch
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("name", list(OPS))
def test_same_values_memory_and_version_as_the_op(name, dtype):
    for other in list(_operands(dtype)) + [0.0]:
        x = ember.tensor(np.random.default_rng(1).standard_normal((4, 5)), dtype=dtype)
        want = OPS[name](x, other).numpy()
        shared, view, version = x.numpy(), x[1:], x._version
        assert getattr(x, name)(other) is x
        np.testing.assert_array_equal(x.numpy(), want)
        assert np.shares_memory(shared, x.numpy())
        np.testing.assert_array_equal(shared, want)
        np.testing.assert_array_equal(view.numpy(), want[1:])
        assert x._version == version + 1


def test_operators_and_aliases_take_it(monkeypatch):
    """With the ops' forwards made to fail, the cases the note names still work (they never run
    the op), and the operators and the aliases (subtract_, multiply_, divide_, true_divide_) are
    among them."""
    def refuse(*args):
        raise AssertionError("the general path ran")
    for op in (arithmetic.Add, arithmetic.Sub, arithmetic.Mul, arithmetic.Div):
        monkeypatch.setattr(op, "forward", refuse)
    x = ember.ones(3)
    x += 1
    x -= ember.ones(3)
    x *= 4.0
    x /= ember.tensor(2.0)
    x.subtract_(1).multiply_(3).divide_(2).true_divide_(0.5)
    np.testing.assert_array_equal(x.numpy(), [3.0, 3.0, 3.0])


def test_an_operand_that_overlaps_x():
    x = ember.arange(6.0)
    x.add_(x.flip(0))
    np.testing.assert_array_equal(x.numpy(), [5.0] * 6)


@pytest.mark.parametrize("case", ["int += float", "float32 += float64", "half", "bigger",
                                  "alpha", "rounding"])
def test_other_cases_keep_torchs_behaviour(case):
    def run(mod):
        x = mod.ones(2, 3, dtype=mod.float16 if case == "half" else
                     mod.int64 if case == "int += float" else mod.float32)
        if case == "int += float":
            x += 1.5
        elif case == "float32 += float64":
            x.add_(mod.full((3,), 0.1, dtype=mod.float64))
        elif case == "half":
            x.mul_(0.1)
        elif case == "bigger":
            x.add_(mod.ones(4, 2, 3))
        elif case == "alpha":
            x.sub_(mod.full((3,), 2.0), alpha=0.5)
        else:
            x.div_(mod.full((3,), 0.7), rounding_mode="floor")
        return x.numpy()
    outcomes = []
    for mod in (ember, torch):
        try:
            outcomes.append(run(mod))
        except RuntimeError as e:
            outcomes.append(str(e))
    if isinstance(outcomes[1], str):
        assert outcomes[0] == outcomes[1]
    else:
        np.testing.assert_array_equal(outcomes[0], outcomes[1])


def test_a_graph_still_records():
    w = ember.ones(3, requires_grad=True)
    y = w * 2
    y.add_(1)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0, 2.0])
