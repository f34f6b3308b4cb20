"""gradcheck / gradgradcheck with complex inputs and outputs, against torch's verdicts: correct
backwards pass, a backward missing a conjugate or dropping a part of the gradient is caught in
slow and fast mode, and the error names the part of a complex output as torch's does."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")

Z = np.array([0.3 - 1.2j, -0.7 + 0.4j, 1.1 + 0.9j])
X = np.array([0.5, -1.5, 2.0])


def _custom(m, forward, backward):
    """A Function of one input with the given forward and backward(z, g)."""
    class Custom(m.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return forward(z)

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            return backward(z, g)
    return Custom.apply


FUNCTIONS = {
    # correct ones
    "square": (lambda m: lambda z: z * z, "complex"),
    "abs": (lambda m: lambda z: z.abs(), "complex"),
    "fft": (lambda m: lambda z: m.fft.fft(z), "complex"),
    "real_times_complex": (lambda m: lambda x: x * (2 - 1j), "real"),
    "custom_square": (lambda m: _custom(m, lambda z: z * z, lambda z, g: g * 2 * z.conj()),
                      "complex"),
    # wrong ones
    "square_missing_conj": (lambda m: _custom(m, lambda z: z * z, lambda z, g: g * 2 * z),
                            "complex"),
    "abs_extra_conj": (lambda m: _custom(m, lambda z: z.abs(),
                                         lambda z, g: g * z.conj() / z.abs()), "complex"),
    "square_real_part_only": (lambda m: _custom(m, lambda z: z * z,
                                                lambda z, g: (g * 2 * z.conj()).real + 0j),
                              "complex"),
    "real_to_complex_wrong_sign": (lambda m: _custom(m, lambda x: x * (2 - 1j),
                                                     lambda x, g: (g * (2 - 1j)).real),
                                   "real"),
}


def _input(m, kind):
    return m.tensor(Z if kind == "complex" else X, requires_grad=True)


def _verdict(m, name, fast_mode):
    make, kind = FUNCTIONS[name]
    try:
        return m.autograd.gradcheck(make(m), (_input(m, kind),), fast_mode=fast_mode)
    except Exception as e:  # torch's GradcheckError: the first clause of its message
        return str(e).split(",")[0]


@pytest.mark.parametrize("fast_mode", [False, True], ids=["slow", "fast"])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_verdicts_and_messages_match_torch(name, fast_mode):
    got, want = _verdict(ember, name, fast_mode), _verdict(torch, name, fast_mode)
    assert got == want
    assert (got is True) == (name in ("square", "abs", "fft", "real_times_complex",
                                      "custom_square"))


def test_a_wrong_complex_backward_raises_gradcheck_error_or_returns_false():
    make, kind = FUNCTIONS["square_missing_conj"]
    with pytest.raises(GradcheckError, match="imaginary part of complex outputs"):
        gradcheck(make(ember), (_input(ember, kind),))
    assert gradcheck(make(ember), (_input(ember, kind),), raise_exception=False) is False


def test_gradgradcheck_complex():
    z = ember.tensor(Z, requires_grad=True)
    assert gradgradcheck(lambda t: t * t * t, (z,))
    assert gradgradcheck(lambda t: (t.abs() ** 2) * t, (z,))


def test_complex128_inputs_do_not_warn_complex64_do():
    with pytest.warns(UserWarning, match="not of double precision"):
        gradcheck(lambda t: t * 2, (ember.tensor(Z, dtype=ember.complex64, requires_grad=True),),
                  atol=1e-2, rtol=1e-2, eps=1e-3)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: t * 2, (ember.tensor(Z, requires_grad=True),))
