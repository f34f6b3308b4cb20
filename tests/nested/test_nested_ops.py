"""Operations on nested tensors against torch: values, padded results, gradients to the
components (and finite differences), and the errors torch raises for unsupported forms."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

from ._pairs import as_numpy, assert_same, assert_same_components, pair

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((2, 3)), RNG.standard_normal((4, 3))
W, BIAS = RNG.standard_normal((3, 4)), RNG.standard_normal(4)


def jagged_program(lib, a, b, w, bias):
    nt = lib.nested.as_nested_tensor([a, b], layout=lib.jagged)
    h = (nt * 2 + 1).tanh() @ w + bias
    h = h.relu() - 0.5 * h.sigmoid() + (1 - h) / 3 + h ** 2
    p = h.softmax(-1) + h.cos()
    return p.to_padded_tensor(0.0), (p.values() * 2).unbind()[3]


def strided_program(lib, a, b, w, bias):
    """Only ops torch's strided layout implements (it lacks exp, pow, rsub, mean, ...)."""
    nt = lib.nested.as_nested_tensor([a, b])
    h = (nt * 3 - 1).sin() @ nt.transpose(1, 2)
    h = h.softmax(-1) + h.relu() * h.cos() - h.softmax(1) / (h * h + 1)
    return (h.sum(-1, keepdim=True).to_padded_tensor(-1.0),
            (h * h).to_padded_tensor(0.5, (2, 5, 6)))


@pytest.mark.parametrize("program", [jagged_program, strided_program])
def test_program_values_and_gradients_match_torch(program):
    ours = [pair(torch, x) for x in (A, B, W, BIAS)]
    mine, ref = program(ember, *[o for o, _ in ours]), program(torch, *[t for _, t in ours])
    for m, r in zip(mine, ref):
        assert tuple(m.shape) == tuple(r.shape)
        assert_same(m, r)
    sum(m.sum() for m in mine).backward()
    sum(r.sum() for r in ref).backward()
    for o, t in ours:
        if t.grad is None:
            assert o.grad is None
        else:
            assert_same(o.grad, t.grad)


@pytest.mark.parametrize("program", [jagged_program, strided_program])
def test_program_gradients_match_finite_differences(program):
    inputs = [ember.tensor(x, requires_grad=True) for x in (A, B, W, BIAS)]
    assert gradcheck(lambda *xs: program(ember, *xs), inputs)


@pytest.mark.parametrize("reduce", [
    lambda nt: nt.sum(1), lambda nt: nt.mean(1, keepdim=True), lambda nt: nt.sum(),
    lambda nt: nt.sum(-1).to_padded_tensor(0.0), lambda nt: nt.mean(-1, keepdim=True).values(),
    lambda nt: nt.log_softmax(-1).values(), lambda nt: nt.softmax(1).values(),
])
def test_jagged_reductions(reduce):
    """torch has no backward for these on nested tensors (aten._nested_sum_backward,
    _log_softmax_backward_data), and its jagged softmax(dim=1) backward fails torch's own
    gradcheck: values against torch, gradients by finite differences."""
    def run(lib, a, b):
        return reduce(lib.nested.as_nested_tensor([a, b], layout=lib.jagged).sin())
    assert_same(run(ember, *[ember.tensor(x) for x in (A, B)]),
                run(torch, *[torch.tensor(x) for x in (A, B)]))
    inputs = [ember.tensor(x, requires_grad=True) for x in (A, B)]
    assert gradcheck(lambda a, b: run(ember, a, b), inputs)


@pytest.mark.parametrize("layout", ["strided", "jagged"])
def test_leaf_nested_tensor_gets_a_nested_grad(layout):
    def run(lib):
        nt = lib.nested.nested_tensor([lib.tensor(A), lib.tensor(B)],
                                      layout=getattr(lib, layout), requires_grad=True)
        out = (nt * nt).sin()
        out.backward(out.detach() * 0 + 1.5)
        return nt.grad
    assert_same_components(run(ember), run(torch))


def test_jagged_binary_ops_with_dense_and_nested_operands():
    def run(lib):
        nt = lib.nested.nested_tensor([lib.tensor(A), lib.tensor(B)], layout=lib.jagged)
        per_batch = lib.tensor(np.arange(6.).reshape(2, 1, 3))
        return [nt + lib.tensor([1.0, 2.0, 3.0]), nt * per_batch, nt.maximum(nt * -1),
                (nt > 0).to(lib.float64), nt.transpose(-1, -1)]
    for ours, theirs in zip(run(ember), run(torch)):
        assert_same_components(ours, theirs)


def test_strided_components_may_differ_in_every_dim():
    rows = [RNG.standard_normal((2, 5)), RNG.standard_normal((3, 1))]
    nt = ember.nested.nested_tensor([ember.tensor(r) for r in rows])
    ref = torch.nested.nested_tensor([torch.tensor(r) for r in rows])
    for padding in (0.0, -7.0):
        assert_same(nt.to_padded_tensor(padding), ref.to_padded_tensor(padding))
        assert_same(ember.nested.to_padded_tensor(nt, padding, (2, 4, 5)),
                    torch.nested.to_padded_tensor(ref, padding, (2, 4, 5)))
    assert_same_components(nt.abs().cos().relu(), ref.abs().cos().relu())
    assert_same(ember.to_padded_tensor(nt, 1.0), ref.to_padded_tensor(1.0))


ERRORS = [
    ("strided", lambda lib, nt: nt.sum()),
    ("strided", lambda lib, nt: nt.sum(-1)),
    ("strided", lambda lib, nt: nt + lib.ones(3, dtype=lib.float64)),
    ("strided", lambda lib, nt: nt @ lib.ones(3, 4, dtype=lib.float64)),
    ("strided", lambda lib, nt: nt.transpose(0, 1)),
    ("strided", lambda lib, nt: nt.to_padded_tensor(0.0, (2, 1, 3))),
    ("strided", lambda lib, nt: nt.to_padded_tensor(0.0, (2, 4))),
    ("strided", lambda lib, nt: nt + lib.nested.nested_tensor([lib.ones(2, 3), lib.ones(2, 3)])),
    ("strided", lambda lib, nt: nt.backward()),
    ("jagged", lambda lib, nt: nt.sum(0)),
    ("jagged", lambda lib, nt: nt.softmax(0)),
    ("jagged", lambda lib, nt: nt.log_softmax(1)),
    ("jagged", lambda lib, nt: nt.transpose(0, 1)),
    ("jagged", lambda lib, nt: nt + lib.nested.nested_tensor(
        [lib.tensor(A), lib.tensor(B)], layout=lib.jagged)),
    ("jagged", lambda lib, nt: nt @ lib.nested.nested_tensor(
        [lib.tensor(A), lib.tensor(B)], layout=lib.jagged)),
    ("jagged", lambda lib, nt: nt.backward()),
    ("dense", lambda lib, nt: lib.ones(2).to_padded_tensor(0.0)),
]


@pytest.mark.parametrize("layout,call", ERRORS)
def test_unsupported_forms_raise_torchs_error(layout, call):
    def make(lib):
        return lib.nested.nested_tensor([lib.tensor(A), lib.tensor(B)],
                                        layout=getattr(lib, layout, lib.strided),
                                        requires_grad=True)
    with pytest.raises(Exception) as theirs:
        call(torch, make(torch))
    with pytest.raises(type(theirs.value)) as ours:
        call(ember, make(ember))
    if theirs.type is RuntimeError and "shapes" not in str(theirs.value):
        assert str(ours.value) == str(theirs.value)
    assert as_numpy(make(ember).unbind()[0]).shape == (2, 3)


def test_jagged_to_padded_tensor_output_size_and_empty_batch():
    nt = ember.nested.nested_tensor([ember.tensor(A), ember.tensor(B)], layout=ember.jagged)
    ref = torch.nested.nested_tensor([torch.tensor(A), torch.tensor(B)], layout=torch.jagged)
    assert_same(nt.to_padded_tensor(2.0, (2, 6, 3)), ref.to_padded_tensor(2.0, (2, 6, 3)))
    out = ember.zeros(2, 4, 3, dtype=ember.float64)
    assert ember.nested.to_padded_tensor(nt, 1.0, out=out) is out
    assert_same(out, ref.to_padded_tensor(1.0))
    empty = ember.nested.nested_tensor_from_jagged(ember.zeros(0, 3), ember.tensor([0]))
    ref_empty = torch.nested.nested_tensor_from_jagged(torch.zeros(0, 3), torch.tensor([0]))
    assert tuple(empty.to_padded_tensor(0.0).shape) == tuple(ref_empty.to_padded_tensor(0.0).shape)
