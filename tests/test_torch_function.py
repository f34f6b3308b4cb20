"""__torch_function__: ember's free functions hand foreign tensor-likes to their class
(NOTE [ Dispatch on failure ] in ember/_foreign.py), and MaskedTensor / NestedTensor answer."""
import inspect
import pickle
import traceback
import types
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import ops
from ember.masked import masked_tensor

DATA = np.array([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]])
MASK = np.array([[True, False, True], [False, True, True]])


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    warnings.filterwarnings("ignore", module="torch.masked")  # torch's prototype warning
    return torch


def _close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy(), dtype=np.float64),
                               theirs.detach().numpy().astype(np.float64), rtol=1e-10, atol=1e-12)


# ---- a user-defined tensor-like: the docs' ScalarTensor ---------------------------------------

_HANDLED = {}


class ScalarTensor:
    """N x N scalar multiple of the identity, answering ember.mean and ember.diagonal only."""

    def __init__(self, n, value):
        self.n, self.value = n, value

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func not in _HANDLED or not all(issubclass(t, (ember.Tensor, cls)) for t in types):
            return NotImplemented
        return _HANDLED[func](*args, **(kwargs or {}))


_HANDLED[ember.mean] = lambda input: float(input.value) / input.n
_HANDLED[ember.diagonal] = lambda input, offset=0: ember.full((input.n,), float(input.value))


def test_user_class_answers_the_functions_it_handles():
    s = ScalarTensor(5, 2)
    assert ember.mean(s) == 0.4
    np.testing.assert_array_equal(ember.diagonal(s).numpy(), np.full(5, 2.0))


def test_unhandled_function_raises_type_error_naming_function_and_type():
    with pytest.raises(TypeError, match=r"no implementation found for 'ember\.exp' on types that "
                                        r"implement __torch_function__: \[.*ScalarTensor"):
        ember.exp(ScalarTensor(2, 1))


def test_foreign_object_found_inside_a_list_argument():
    seen = []

    class Recorder:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            seen.append((func, types))
            return "answered"

    assert ember.cat([ember.ones(2), Recorder()]) == "answered"
    assert seen == [(ember.cat, (Recorder,))]


def test_plain_bad_input_raises_the_same_error_as_before():
    """Errors other than a non-Tensor argument (NOTE [ Not a Tensor ], tests/test_not_a_tensor.py)
    pass through the wrapper unchanged, raised where they were."""
    for public, op, args in [(ember.add, ops.add, (ember.ones(2), ember.ones(3))),
                             (ember.sum, ops.sum, (ember.ones(2), 3)),
                             (F.softmax, ops.softmax, (ember.ones(2), 4))]:
        with pytest.raises(Exception) as before:
            op(*args)
        with pytest.raises(type(before.value)) as now:
            public(*args)
        assert str(now.value) == str(before.value)
        raised_at = traceback.extract_tb(now.value.__traceback__)[-1]
        assert raised_at[:3] == traceback.extract_tb(before.value.__traceback__)[-1][:3]


def test_where_refuses_an_operand_that_is_neither_tensor_nor_number(torch):
    cond = ember.tensor([True])
    for bad in ("a", object()):
        with pytest.raises(TypeError, match="where"):
            ember.where(cond, ember.ones(1), bad)
        with pytest.raises(TypeError):
            torch.where(torch.tensor([True]), torch.ones(1), bad)


# ---- identity, signatures, pickling of the public functions -----------------------------------

def test_aliases_stay_one_object():
    assert ember.absolute is ember.abs and ember.arccos is ember.acos
    assert F.relu is ember.relu and F.softmax is ember.softmax and F.sigmoid is ember.sigmoid
    assert ember.bilinear is F.bilinear and F.matmul is ember.matmul
    assert F.dropout is not ember.dropout  # different signatures, as in torch
    assert ember.special.expit is ember.sigmoid and ember.linalg.matmul is ember.matmul
    assert ember.functional.einsum is ember.einsum


@pytest.mark.parametrize("namespace", [ember, F, ember.special, ember.linalg, ember.fft,
                                       ember.functional])
def test_every_public_function_dispatches_and_pickles(namespace):
    names = [n for n in dir(namespace) if not n.startswith("_")
             and isinstance(getattr(namespace, n), types.FunctionType)
             and getattr(getattr(namespace, n), "__wrapped__", None) is not None]
    assert len(names) > 10
    for name in names:
        public = getattr(namespace, name)
        assert pickle.loads(pickle.dumps(public)) is public, name
    with pytest.raises(TypeError, match="no implementation found"):
        getattr(namespace, names[0])(ScalarTensor(2, 1))


def test_wrappers_keep_name_doc_and_signature():
    for public in (ember.exp, ember.where, F.linear, F.gelu, ember.abs):
        assert public.__wrapped__.__name__ == public.__name__
        assert public.__doc__ == public.__wrapped__.__doc__
        assert inspect.signature(public) == inspect.signature(public.__wrapped__)
    assert ember.exp.__wrapped__ is ops.exp and ember.absolute.__name__ == "abs"


def test_public_functions_pickle_by_reference():
    for public in (ember.relu, F.relu, ember.abs, ember.absolute, F.gelu, F.linear, F.dropout,
                   ember.dropout, ember.exp, ember.where, ember.bilinear):
        assert pickle.loads(pickle.dumps(public)) is public


def test_saved_module_holding_a_functional_loads(tmp_path):
    layer = ember.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation=F.gelu,
                                             dropout=0.0)
    ember.save(layer, tmp_path / "layer.pt")
    loaded = ember.load(tmp_path / "layer.pt", weights_only=False)
    assert loaded.activation is F.gelu
    x = ember.randn(3, 4, 8)
    np.testing.assert_array_equal(loaded(x).detach().numpy(), layer(x).detach().numpy())


# ---- MaskedTensor -------------------------------------------------------------------------------

def _masked_pair(torch, data=DATA, mask=MASK):
    ours = masked_tensor(ember.tensor(data), ember.tensor(mask), requires_grad=True)
    theirs = torch.masked.masked_tensor(torch.tensor(data), torch.tensor(mask),
                                        requires_grad=True)
    return ours, theirs


def _same_masked(ours, theirs):
    np.testing.assert_array_equal(ours.get_mask().numpy(), theirs.get_mask().numpy())
    kept = theirs.get_mask().numpy()
    np.testing.assert_allclose(ours.get_data().detach().numpy()[kept],
                               theirs.get_data().detach().numpy()[kept], rtol=1e-10)


@pytest.mark.parametrize("name", ["exp", "sin", "abs", "absolute", "neg", "sqrt", "log1p",
                                  "square"])
def test_masked_unary_functions(torch, name):
    ours, theirs = _masked_pair(torch, data=np.abs(DATA))
    out, ref = getattr(ember, name)(ours), getattr(torch, name)(theirs)
    _same_masked(out, ref)
    out.sum().backward()
    ref.sum().backward()
    _same_masked(ours.grad, theirs.grad)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_masked_unary_functions_without_torch_backward(torch, name):
    # torch's MaskedTensor has no tanh/sigmoid backward: gradients are checked against the method
    ours, theirs = _masked_pair(torch)
    out = getattr(ember, name)(ours)
    _same_masked(out, getattr(torch, name)(theirs))
    out.sum().backward()
    by_method, _ = _masked_pair(torch)
    getattr(by_method, name)().sum().backward()
    np.testing.assert_array_equal(ours.grad.get_data().numpy(), by_method.grad.get_data().numpy())


@pytest.mark.parametrize("name", ["add", "mul", "sub", "div", "maximum"])
def test_masked_binary_functions_either_position(torch, name):
    ours, theirs = _masked_pair(torch)
    other = np.array([[2.0, 3.0, -1.0], [0.5, 4.0, 1.5]])
    _same_masked(getattr(ember, name)(ours, ember.tensor(other)),
                 getattr(torch, name)(theirs, torch.tensor(other)))
    _same_masked(getattr(ember, name)(ember.tensor(other), ours),
                 getattr(torch, name)(torch.tensor(other), theirs))
    mine2, theirs2 = _masked_pair(torch, data=DATA * 3)
    _same_masked(getattr(ember, name)(ours, mine2), getattr(torch, name)(theirs, theirs2))


def test_masked_binary_refuses_different_masks(torch):
    ours, _ = _masked_pair(torch)
    other, _ = _masked_pair(torch, mask=~MASK)
    with pytest.raises(ValueError, match="masks must match"):
        ember.add(ours, other)


def test_masked_where(torch):
    cond = np.array([[True, True, False], [False, True, False]])
    ours, theirs = _masked_pair(torch)
    ours2, theirs2 = _masked_pair(torch, data=DATA * 10, mask=MASK[::-1].copy())
    dense = np.arange(6.0).reshape(2, 3)
    cases = [(ours2, theirs2), (ember.tensor(dense), torch.tensor(dense)), (0.5, 0.5)]
    for other, other_torch in cases:
        out = ember.where(ember.tensor(cond), ours, other)
        ref = torch.where(torch.tensor(cond), theirs, other_torch)
        _same_masked(out, ref)
    out = ember.where(ember.tensor(cond), ember.tensor(dense), ours)
    ref = torch.where(torch.tensor(cond), torch.tensor(dense), theirs)
    _same_masked(out, ref)
    out.sum().backward()
    ref.sum().backward()
    # torch masks the gradient where the condition chose the dense side too; ember's grad keeps
    # the input's mask (MaskedTensor.grad), with zeros there
    kept = theirs.grad.get_mask().numpy()
    np.testing.assert_array_equal(ours.grad.get_data().numpy()[kept],
                                  theirs.grad.get_data().numpy()[kept])
    np.testing.assert_array_equal(ours.grad.get_data().numpy()[~kept], 0.0)


def test_masked_reductions_and_softmax(torch):
    ours, theirs = _masked_pair(torch)
    _same_masked(ember.sum(ours), torch.sum(theirs))
    _same_masked(ember.mean(ours, 1), torch.mean(theirs, 1))
    _same_masked(ember.amax(ours, 0), torch.amax(theirs, 0))
    _same_masked(F.softmax(ours, -1), torch.nn.functional.softmax(theirs, -1))


def test_masked_unsupported_function_raises_type_error(torch):
    ours, _ = _masked_pair(torch)
    with pytest.raises(TypeError, match="ember.cumsum.*MaskedTensor"):
        ember.cumsum(ours, 0)


# ---- nested tensors -----------------------------------------------------------------------------

A = np.linspace(-1.5, 1.5, 6).reshape(2, 3)
B = np.linspace(-2.0, 1.0, 12).reshape(4, 3)
W = np.linspace(-1.0, 1.0, 15).reshape(5, 3)
BIAS = np.linspace(0.1, 0.5, 5)


def _nested_pair(torch, layout_name):
    ours = ember.nested.nested_tensor([ember.tensor(A), ember.tensor(B)],
                                      layout=getattr(ember, layout_name))
    theirs = torch.nested.nested_tensor([torch.tensor(A), torch.tensor(B)],
                                        layout=getattr(torch, layout_name))
    return ours, theirs


def _same_nested(ours, theirs):
    assert ours.layout.__repr__().split(".")[-1] == repr(theirs.layout).split(".")[-1]
    mine, ref = ours.unbind(), theirs.unbind()
    assert len(mine) == len(ref)
    for m, r in zip(mine, ref):
        assert tuple(m.shape) == tuple(r.shape)
        _close(m, r)


_NESTED_CASES = {
    "linear": lambda m, nt, W, BIAS: m.nn.functional.linear(nt, W, BIAS),
    "gelu": lambda m, nt, W, BIAS: m.nn.functional.gelu(nt),
    "gelu_tanh": lambda m, nt, W, BIAS: m.nn.functional.gelu(nt, approximate="tanh"),
    "relu": lambda m, nt, W, BIAS: m.nn.functional.relu(nt),
    "silu": lambda m, nt, W, BIAS: m.nn.functional.silu(nt),
    "dropout_eval": lambda m, nt, W, BIAS: m.nn.functional.dropout(nt, 0.5, training=False),
    "softmax": lambda m, nt, W, BIAS: m.nn.functional.softmax(nt, -1),
    "torch_softmax": lambda m, nt, W, BIAS: m.softmax(nt, 2),
    "sin": lambda m, nt, W, BIAS: m.sin(nt),
    "add": lambda m, nt, W, BIAS: m.add(nt, nt),
    # torch refuses a number before a jagged tensor (ValueError); ember takes it, so torch's
    # reference puts the number second
    "mul_scalar_first": lambda m, nt, W, BIAS: m.mul(2.0, nt) if m is ember else m.mul(nt, 2.0),
    "sub_scalar": lambda m, nt, W, BIAS: m.sub(nt, 0.5),
}


@pytest.mark.parametrize("layout_name", ["strided", "jagged"])
@pytest.mark.parametrize("case", sorted(_NESTED_CASES))
def test_nested_functions_match_torch(torch, layout_name, case):
    ours, theirs = _nested_pair(torch, layout_name)
    fn = _NESTED_CASES[case]
    _same_nested(fn(ember, ours, ember.tensor(W), ember.tensor(BIAS)),
                 fn(torch, theirs, torch.tensor(W), torch.tensor(BIAS)))


def test_nested_exp_matches_per_component(torch):
    # torch implements torch.exp for jagged tensors only; ember applies it in both layouts
    ours, theirs = _nested_pair(torch, "jagged")
    _same_nested(ember.exp(ours), torch.exp(theirs))
    strided, _ = _nested_pair(torch, "strided")
    for got, component in zip(ember.exp(strided).unbind(), (A, B)):
        np.testing.assert_allclose(got.numpy(), np.exp(component), rtol=1e-12)


def test_nested_matmul(torch):
    ours, theirs = _nested_pair(torch, "jagged")
    _same_nested(ember.matmul(ours, ember.tensor(W.T)), torch.matmul(theirs, torch.tensor(W.T)))
    strided, _ = _nested_pair(torch, "strided")
    with pytest.raises(RuntimeError, match="Expected both to be nested"):
        ember.matmul(strided, ember.tensor(W.T))


@pytest.mark.parametrize("layout_name", ["strided", "jagged"])
def test_nested_linear_gradients_match_torch(torch, layout_name):
    def run(m, nt):
        w = m.tensor(W, requires_grad=True)
        b = m.tensor(BIAS, requires_grad=True)
        out = m.nn.functional.gelu(m.nn.functional.linear(nt, w, b))
        sum(part.square().sum() for part in out.unbind()).backward()
        return w.grad, b.grad

    ours, theirs = _nested_pair(torch, layout_name)
    for got, ref in zip(run(ember, ours), run(torch, theirs)):
        _close(got, ref)


def test_nested_unsupported_function_raises_type_error(torch):
    ours, _ = _nested_pair(torch, "jagged")
    with pytest.raises(TypeError, match="ember.cumsum.*NestedTensor"):
        ember.cumsum(ours, 1)
