"""torch.func.rearrange (functorch's einops-style rearrange): values, gradients and errors
against torch 2.13."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.func._rearrange import DimensionBindError

CASES = [
    ((2, 3, 4), "b c (h w) -> b (c h) w", {"h": 2}),
    ((2, 3, 4), "b c (h w) -> b c h w", {"w": 2}),
    ((2, 3, 4), "a b c -> c a b", {}),
    ((2, 3, 4), "b ... -> ... b", {}),
    ((2, 3, 4), "... -> (...)", {}),
    ((2, 3, 4), "a ... -> (... a)", {}),
    ((2, 3, 4), "a ... c -> c ... a", {}),
    ((2, 3, 4), "a b c ... -> c b a ...", {}),
    ((2, 3, 4), "a b c -> a 1 b () c", {}),
    ((2, 3, 4), "a b c -> a () (b c)", {}),
    ((2, 1, 4), "a 1 c -> (c a)", {}),
    ((2, 1, 4), "a () c -> c a", {}),
    ((2, 3, 4), "a b (c d) -> (d a) b c", {"d": 2}),
    ((2, 3, 4), "a b c -> a b c", {"a": 2, "b": 3}),
    ((6, 4), "(a b) c -> a (c b)", {"a": 3}),
    ((2, 3, 4, 5), "n ... -> (n ...)", {}),
]


@pytest.mark.parametrize("shape,pattern,lengths", CASES)
def test_values_and_gradients_match_torch(torch, shape, pattern, lengths):
    x = np.random.default_rng(0).standard_normal(shape)
    t_x = torch.tensor(x, requires_grad=True)
    e_x = ember.tensor(x, requires_grad=True)
    t_y = torch.func.rearrange(t_x, pattern, **lengths)
    e_y = ember.func.rearrange(e_x, pattern, **lengths)
    assert tuple(e_y.shape) == tuple(t_y.shape)
    np.testing.assert_array_equal(e_y.detach().numpy(), t_y.detach().numpy())
    g = np.random.default_rng(1).standard_normal(tuple(t_y.shape))
    t_y.backward(torch.tensor(g))
    e_y.backward(ember.tensor(g))
    np.testing.assert_array_equal(e_x.grad.numpy(), t_x.grad.numpy())


def test_gradcheck():
    x = ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: ember.func.rearrange(t, "a b (c d) -> (d a) b c", c=2), (x,))


def test_a_list_of_tensors_is_stacked_first(torch):
    parts = [np.arange(6.0).reshape(2, 3) + 10 * i for i in range(4)]
    want = torch.func.rearrange([torch.tensor(p) for p in parts], "n a b -> a (n b)")
    got = ember.func.rearrange(tuple(ember.tensor(p) for p in parts), "n a b -> a (n b)")
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_a_zero_dim_tensor_comes_back_itself(torch):
    x = ember.tensor(3.0)
    assert ember.func.rearrange(x, " -> ") is x
    t = torch.tensor(3.0)
    assert torch.func.rearrange(t, " -> ") is t


BAD = [
    ("b c d", {}, ValueError, "Pattern must contain a single '->' separator"),
    ("b c d -> b c", {}, ValueError, "Identifiers only on one side of rearrange expression"),
    ("b c -> b c", {}, ValueError, r"Number of dimensions in pattern \(2\) must be equal to the "
                                   r"number of dimensions in the tensor \(3\)"),
    ("a b c d e ... -> a b c d e ...", {}, ValueError, r"Number of dimensions in pattern \(5\) "
                                                       "must be less than or equal"),
    ("b c d -> b c d", {"e": 2}, ValueError, "Identifiers not found in rearrange expression"),
    ("b c d -> b c 2 d", {}, ValueError, "rearrange only supports unnamed axes of size 1"),
    ("b b c -> b c", {}, ValueError, "Indexing expression contains duplicate dimension 'b'"),
    ("b c d -> b (c d", {}, ValueError, "Imbalanced parentheses in expression"),
    ("b c d) -> b c d", {}, ValueError, "Brackets are not balanced"),
    ("b ((c d)) -> b c d", {}, ValueError, "Axis composition is one-level"),
    ("b c d -> b c d ...", {}, ValueError, "Ellipsis found in right side, but not left side"),
    ("(b ...) -> b ...", {}, ValueError, "Ellipsis is parenthesis in the left side"),
    ("b c.d -> b c d", {}, ValueError, "Expression may contain dots only inside ellipsis"),
    ("b c d+ -> b c d", {}, ValueError, "Unknown character '\\+'"),
    ("b _c d -> b _c d", {}, ValueError, "should not start or end with underscore"),
    ("b 2c d -> b 2c d", {}, ValueError, "not a valid python identifier"),
    ("b c (h w) -> b c h w", {"h": 2.0}, TypeError, "rearrange axis lengths must be integers"),
]


@pytest.mark.parametrize("pattern,lengths,error,message", BAD)
def test_errors_match_torch(torch, pattern, lengths, error, message):
    for lib in (torch, ember):
        with pytest.raises(error, match=message):
            lib.func.rearrange(lib.zeros(2, 3, 4), pattern, **lengths)


@pytest.mark.parametrize("pattern,lengths,message", [
    ("b c (h w) -> b c h w", {"h": 3}, "inferred dimension does not evenly fit"),
    ("b c (h w) -> b c h w", {}, "cannot infer the sizes of two dimensions at once"),
    ("b c (h w) -> b c h w", {"h": 2, "w": 3}, r"Dimension sizes to do not match \(4 != 6\)"),
    ("a b c -> a b c", {"a": 3}, r"Dimension sizes to do not match \(2 != 3\)"),
])
def test_sizes_that_do_not_fit_raise(torch, pattern, lengths, message):
    with pytest.raises(DimensionBindError, match=message):
        ember.func.rearrange(ember.zeros(2, 3, 4), pattern, **lengths)
    with pytest.raises(Exception, match=message) as caught:
        torch.func.rearrange(torch.zeros(2, 3, 4), pattern, **lengths)
    assert type(caught.value).__name__ == "DimensionBindError"


def test_a_unit_axis_must_have_size_one():
    # torch silently drops a non-unit axis matched to `1`; ember refuses to lose the data
    with pytest.raises(DimensionBindError, match=r"\(3 != 1\)"):
        ember.func.rearrange(ember.zeros(2, 3, 4), "a 1 c -> a c")
