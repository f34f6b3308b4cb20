"""Custom autograd.Function, the legacy Variable, gradcheck itself."""
import numpy as np
import pytest

import ember
from ember.autograd import Function, Variable, gradcheck, gradgradcheck


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class MulConst(Function):
    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        assert ctx.needs_input_grad == (True, False)
        return x * c

    @staticmethod
    def backward(ctx, g):
        return g * ctx.c, None


class SplitMax(Function):
    @staticmethod
    def forward(ctx, x):
        idx = ember.tensor(int(np.argmax(x.detach().numpy())))
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x)
        return x * 1, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        return g


def test_custom_function_forward_backward_and_name():
    x = ember.tensor([0.5, 1.0], dtype=ember.float64, requires_grad=True)
    y = Exp.apply(x)
    assert type(y.grad_fn).__name__ == "ExpBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]))


def test_custom_function_gradcheck_and_double_backward():
    x = ember.tensor([0.3, -0.2], dtype=ember.float64, requires_grad=True)
    assert gradcheck(Exp.apply, (x,))
    assert gradgradcheck(Exp.apply, (x,))


def test_needs_input_grad_and_non_tensor_args():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    MulConst.apply(x, 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_mark_non_differentiable():
    x = ember.tensor([1.0, 3.0, 2.0], requires_grad=True)
    y, idx = SplitMax.apply(x)
    assert y.requires_grad and not idx.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 1.0])


def test_invalid_gradient_shape_raises_like_torch():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return ember.ones(2, 2)

    x = ember.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0 - got "
                                           r"\[2, 2\] but expected shape compatible with \[4\]"):
        Bad.apply(x).sum().backward()


def test_too_few_gradients_raises():
    class Few(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return (g,)

    a, b = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Few.apply(a, b).sum().backward()


def test_legacy_variable_returns_a_tensor():
    v = Variable(ember.ones(2, 2), requires_grad=True)
    assert isinstance(v, ember.Tensor) and v.requires_grad and v.is_leaf
    (v * 2).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), np.full((2, 2), 2.0, np.float32))
    assert isinstance(ember.ones(1), Variable)


def test_gradcheck_catches_a_wrong_backward():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g  # should be 2 x g

    x = ember.tensor([0.3, 0.7], dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(Wrong.apply, (x,))
    assert gradcheck(Wrong.apply, (x,), raise_exception=False) is False


@pytest.mark.parametrize("extra", [("g",), ("g", None), (None, None), (None, "g")])
def test_extra_gradients_from_backward_must_be_none(extra):
    """torch refuses a backward that returns a gradient for an input forward did not take."""
    import torch as real

    def run(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return (g,) + tuple(g if e == "g" else None for e in extra)
        x = lib.ones(2, requires_grad=True)
        try:
            Bad.apply(x).sum().backward()
        except RuntimeError as exc:
            return str(exc)
        return x.grad.tolist()
    assert run(ember) == run(real)
