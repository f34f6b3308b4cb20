"""gradcheck / gradgradcheck against torch's: the same verdict (True, False, or the same exception
type with the gist of its message) for the same functions, in slow and fast mode."""
import itertools
import warnings

import numpy as np
import pytest

import ember

FAST = [False, True]


def _x(m, n=4, seed=0):
    data = np.random.default_rng(seed).uniform(0.5, 1.5, n)
    return m.tensor(data, dtype=m.float64, requires_grad=True)


def _wrong_backward(m):
    class Wrong(m.autograd.Function):
        """sin whose backward is off by a factor on one element."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            scale = m.ones_like(x)
            scale[1] = 1.5
            return g * x.cos() * scale
    return Wrong.apply


def _not_reentrant(m):
    count = itertools.count()

    class Drifting(m.autograd.Function):
        """Twice x, whose backward drifts by a relative 1e-9 each call (nondeterministic)."""
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * (2 + next(count) * 1e-9)
    return Drifting.apply


def _not_multiplied(m):
    class Offset(m.autograd.Function):
        """Twice x, whose backward adds 1 where the cotangent is all zero."""
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2 + 1 if not g.abs().sum() else g * 2
    return Offset.apply


def _undefined_unsafe(m):
    class NoneUnsafe(m.autograd.Function):
        """Twice x with materialize_grads off, whose backward cannot take an undefined grad."""
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2
    return NoneUnsafe.apply


def _verdict(m, fn, inputs, **kw):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return m.autograd.gradcheck(fn(m), inputs(m), **kw)
    except Exception as exc:
        return type(exc).__name__, str(exc).splitlines()[0][:40]


CASES = {
    "correct": (lambda m: lambda x: (x * x).sin(), {}),
    "lost_graph": (lambda m: lambda x: (x * 2).detach(), {}),
    "constant": (lambda m: lambda x: (x * 0).detach(), {}),
    "no_grad_of_input": (lambda m: lambda x: x.detach().exp(), {}),
    "one_output_detached": (lambda m: lambda x: (x * 2, (x * 3).detach()), {}),
    "two_outputs": (lambda m: lambda x: (x.exp(), x * x), {}),
    "wrong": (_wrong_backward, {}),
    "not_reentrant": (_not_reentrant, {}),
    "not_reentrant_tolerated": (_not_reentrant, {"nondet_tol": 1e-6}),
    "not_multiplied_by_grad_output": (_not_multiplied, {}),
    "undefined_grad_unsafe_unchecked": (_undefined_unsafe, {"check_undefined_grad": False}),
    "grad_dtypes": (lambda m: lambda x: x.exp() * 3, {"check_grad_dtypes": True}),
    "no_backward_ad": (lambda m: lambda x: x * 2, {"check_backward_ad": False}),
    "batched_grad": (lambda m: lambda x: (x.exp() * x, x.sum()), {"check_batched_grad": True}),
}


@pytest.mark.parametrize("fast_mode", FAST)
@pytest.mark.parametrize("case", sorted(CASES))
def test_gradcheck_verdict_like_torch(case, fast_mode):
    torch = pytest.importorskip("torch")
    fn, kw = CASES[case]
    got = _verdict(ember, fn, _x, fast_mode=fast_mode, **kw)
    want = _verdict(torch, fn, _x, fast_mode=fast_mode, **kw)
    assert got == want


@pytest.mark.parametrize("fast_mode", FAST)
def test_wrong_gradient_returns_false_without_raising(fast_mode):
    assert ember.autograd.gradcheck(_wrong_backward(ember), (_x(ember),), fast_mode=fast_mode,
                                    raise_exception=False) is False


def test_lost_graph_fails_with_torchs_message():
    from ember.autograd.gradcheck import GradcheckError
    with pytest.raises(GradcheckError,
                       match="Numerical gradient for function expected to be zero"):
        ember.autograd.gradcheck(lambda x: (x * 2).detach(), (_x(ember),))


def test_undefined_grad_unsafe_backward_raises_its_error_like_torch():
    torch = pytest.importorskip("torch")
    for m in (ember, torch):
        with pytest.raises(TypeError):
            m.autograd.gradcheck(_undefined_unsafe(m), (_x(m),))


def test_no_input_requiring_grad_is_a_value_error():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        ember.autograd.gradcheck(lambda x: x * 2, (ember.ones(3, dtype=ember.float64),))


def test_single_precision_input_warns_like_torch():
    with pytest.warns(UserWarning, match="Input #1 requires gradient and is not a double"):
        ember.autograd.gradcheck(lambda a, b: a * b, (_x(ember), _x(ember).float()),
                                 raise_exception=False)


def test_fast_mode_compares_a_projection_only():
    """Fast mode backpropagates once per output, slow mode once per output element."""
    calls = []

    class Counted(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g * 3
    x = _x(ember, n=6)
    ember.autograd.gradcheck(Counted.apply, (x,), fast_mode=True, check_undefined_grad=False)
    fast = len(calls)
    calls.clear()
    ember.autograd.gradcheck(Counted.apply, (x,), check_undefined_grad=False)
    assert fast < 6 <= len(calls)


def test_fast_mode_tolerance_scales_with_the_projection():
    """An error just under atol per element passes fast mode as it passes slow mode."""
    class Off(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2 + 5e-6 * g.sign()
    x = _x(ember, n=5)
    assert ember.autograd.gradcheck(Off.apply, (x,), rtol=0.0)
    assert ember.autograd.gradcheck(Off.apply, (x,), rtol=0.0, fast_mode=True)


def test_strided_input_is_perturbed_in_place():
    base = ember.tensor(np.random.default_rng(1).uniform(0.5, 1.5, (3, 4)), dtype=ember.float64)
    x = base.t().detach().requires_grad_()  # not contiguous
    assert ember.autograd.gradcheck(lambda t: (t * t).sum(0), (x,))


@pytest.mark.parametrize("kw", [{"check_forward_ad": True}, {"check_batched_forward_grad": True}])
def test_forward_ad_checks_are_refused_clearly(kw):
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        ember.autograd.gradcheck(lambda x: x * 2, (_x(ember),), **kw)


def test_gradgradcheck_options_like_torch():
    torch = pytest.importorskip("torch")
    for m in (ember, torch):
        x = _x(m)
        assert m.autograd.gradgradcheck(lambda t: t ** 3, (x,), fast_mode=True)
        assert m.autograd.gradgradcheck(lambda t: t ** 3, (x,), gen_non_contig_grad_outputs=True,
                                        nondet_tol=1e-12, check_grad_dtypes=True)
        with pytest.raises(AssertionError):
            m.autograd.gradgradcheck(lambda t: t ** 3, (x,), check_rev_over_rev=False)
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        ember.autograd.gradgradcheck(lambda t: t ** 3, (_x(ember),), check_fwd_over_rev=True)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSecond(ember.autograd.Function):
        """x^3 whose backward is written so its own derivative is wrong (3 x^2 treated as 3 x
        times a constant x)."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x.detach()
    x = _x(ember)
    assert ember.autograd.gradcheck(WrongSecond.apply, (x,))
    assert not ember.autograd.gradgradcheck(WrongSecond.apply, (x,), raise_exception=False)


def test_batched_grad_check_fails_when_vmap_gives_other_gradients(monkeypatch):
    import ember.func
    vmap = ember.func.vmap
    monkeypatch.setattr(ember.func, "vmap", lambda fn: lambda batch: vmap(fn)(batch.flip(0)))
    assert not ember.autograd.gradcheck(lambda x: x.exp(), (_x(ember),), check_batched_grad=True,
                                        raise_exception=False)
