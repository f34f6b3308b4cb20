"""ember.fft against torch.fft: values, dtypes, shapes, grad_fn names and gradients of every
transform (real and complex inputs, n/s/dim/norm), gradcheck in float64, frequencies, shifts and
torch's errors."""
import numpy as np
import pytest

import ember
import ember.fft
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
REAL = RNG.normal(size=(4, 6))
COMPLEX = RNG.normal(size=(4, 6)) + 1j * RNG.normal(size=(4, 6))

CASES = {
    "fft": lambda F, x: F.fft(x), "ifft": lambda F, x: F.ifft(x),
    "fft_pad": lambda F, x: F.fft(x, n=8), "fft_crop_dim0": lambda F, x: F.fft(x, 3, 0, "ortho"),
    "ifft_forward": lambda F, x: F.ifft(x, n=5, norm="forward"),
    "rfft": lambda F, x: F.rfft(x), "rfft_pad": lambda F, x: F.rfft(x, n=9, norm="forward"),
    "rfft_dim0": lambda F, x: F.rfft(x, dim=0, norm="ortho"),
    "irfft": lambda F, x: F.irfft(x), "irfft_crop": lambda F, x: F.irfft(x, n=5, norm="ortho"),
    "irfft_pad": lambda F, x: F.irfft(x, n=20), "irfft_odd": lambda F, x: F.irfft(x, n=9),
    "hfft": lambda F, x: F.hfft(x), "hfft_n": lambda F, x: F.hfft(x, n=7, norm="forward"),
    "ihfft": lambda F, x: F.ihfft(x), "ihfft_n": lambda F, x: F.ihfft(x, n=5, norm="ortho"),
    "fft2": lambda F, x: F.fft2(x), "ifft2": lambda F, x: F.ifft2(x, s=(3, 8)),
    "fftn": lambda F, x: F.fftn(x, norm="ortho"), "ifftn": lambda F, x: F.ifftn(x, dim=(0,)),
    "fftn_s": lambda F, x: F.fftn(x, s=(5,)), "rfft2": lambda F, x: F.rfft2(x),
    "rfftn": lambda F, x: F.rfftn(x, s=(5, 7)), "irfft2": lambda F, x: F.irfft2(x),
    "irfftn": lambda F, x: F.irfftn(x, s=(3, 9), norm="forward"),
    "irfftn_dim": lambda F, x: F.irfftn(x, dim=(1, 0)),
    "fftshift": lambda F, x: F.fftshift(x), "ifftshift": lambda F, x: F.ifftshift(x, dim=1),
    "fftshift_dims": lambda F, x: F.fftshift(x, dim=(0, 1)),
    "hfft2": lambda F, x: F.hfft2(x), "hfft2_s": lambda F, x: F.hfft2(x, s=(3, 7), norm="ortho"),
    "hfftn": lambda F, x: F.hfftn(x, norm="forward"),
    "hfftn_s_last": lambda F, x: F.hfftn(x, s=(5, -1)),
    "hfftn_dim0": lambda F, x: F.hfftn(x, dim=(0,)),
    "ihfft2": lambda F, x: F.ihfft2(x),
    "ihfft2_s": lambda F, x: F.ihfft2(x, s=(5, 4), norm="ortho"),
    "ihfftn": lambda F, x: F.ihfftn(x, norm="forward"),
    "ihfftn_dims": lambda F, x: F.ihfftn(x, s=(3, 8), dim=(1, 0)),
    "ihfftn_dim0": lambda F, x: F.ihfftn(x, dim=(0,)),
}
REAL_ONLY = {"rfft", "rfft_pad", "rfft_dim0", "ihfft", "ihfft_n", "rfft2", "rfftn", "ihfft2",
             "ihfft2_s", "ihfftn", "ihfftn_dims", "ihfftn_dim0"}
PARAMS = [(name, dt) for name in sorted(CASES)
          for dt in ("float32", "float64", "complex64", "complex128")
          if not (dt.startswith("complex") and name in REAL_ONLY)]


def _np(t):
    return t.detach().resolve_conj().numpy()


def _real_loss(m, y, w):
    """A real loss that depends on every part of y (|y|, and the real and imaginary parts)."""
    if y.is_complex():
        return (y.abs() * w).sum() + y.real.sum() + 2 * y.imag.sum()
    return (y * w).sum()


@pytest.mark.parametrize("name,dt", PARAMS)
def test_values_dtypes_grad_fn_and_gradients_match_torch(name, dt):
    data = REAL if dt.startswith("float") else COMPLEX
    x = ember.tensor(data, dtype=getattr(ember, dt), requires_grad=True)
    tx = torch.tensor(data, dtype=getattr(torch, dt), requires_grad=True)
    y, ty = CASES[name](ember.fft, x), CASES[name](torch.fft, tx)
    assert repr(y.dtype) == repr(ty.dtype) and tuple(y.shape) == tuple(ty.shape)
    assert type(y.grad_fn).__name__ == type(ty.grad_fn).__name__
    tol = 1e-5 if dt in ("float32", "complex64") else 1e-12
    np.testing.assert_allclose(_np(y), _np(ty), rtol=tol, atol=tol)
    w = RNG.normal(size=tuple(ty.shape))
    _real_loss(ember, y, ember.tensor(w)).backward()
    _real_loss(torch, ty, torch.tensor(w)).backward()
    assert repr(x.grad.dtype) == repr(tx.grad.dtype)
    np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=tol, atol=tol)


def test_float32_stays_single_precision():
    x = ember.randn(8)
    assert ember.fft.fft(x).dtype is ember.complex64
    assert ember.fft.rfft(x).dtype is ember.complex64
    assert ember.fft.irfft(ember.fft.rfft(x)).dtype is ember.float32
    assert ember.fft.fftn(x.to(ember.complex64)).dtype is ember.complex64
    assert ember.fft.fft(ember.arange(4)).dtype is ember.complex64
    assert ember.fft.hfft(ember.randn(5, dtype=ember.float64)).dtype is ember.float64


def test_round_trips():
    x = ember.randn(3, 8, dtype=ember.float64)
    np.testing.assert_allclose(ember.fft.irfft(ember.fft.rfft(x), n=8).numpy(), x.numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(ember.fft.ifftn(ember.fft.fftn(x)).real.numpy(), x.numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(ember.fft.hfft(ember.fft.ihfft(x), n=8).numpy(), x.numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(ember.fft.hfftn(ember.fft.ihfftn(x), s=(3, 8)).numpy(),
                               x.numpy(), atol=1e-12)
    np.testing.assert_allclose(ember.fft.hfft2(ember.fft.ihfft2(x), s=(3, 8)).numpy(),
                               x.numpy(), atol=1e-12)


def _through_parts(fn):
    """fn of a complex input as a function of its real and imaginary parts, returning reals."""
    def real_fn(re, im):
        y = fn(ember.complex(re, im))
        return ember.view_as_real(y) if y.is_complex() else y
    return real_fn


@pytest.mark.parametrize("name", ["fft_crop_dim0", "ifft", "irfft", "irfft_odd", "hfft_n",
                                  "fft2", "irfftn", "ifftn", "hfft2_s", "hfftn", "hfftn_dim0"])
def test_gradcheck_complex_input(name):
    parts = [ember.tensor(RNG.normal(size=(3, 5)), dtype=ember.float64, requires_grad=True)
             for _ in range(2)]
    assert gradcheck(_through_parts(lambda z: CASES[name](ember.fft, z)), parts)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "rfft_pad", "ihfft_n", "rfftn",
                                  "fftn", "irfft_pad", "ihfft2", "ihfft2_s", "ihfftn_dims"])
def test_gradcheck_real_input(name):
    x = ember.tensor(RNG.normal(size=(3, 5)), dtype=ember.float64, requires_grad=True)

    def fn(t):
        y = CASES[name](ember.fft, t)
        return ember.view_as_real(y.resolve_conj()) if y.is_complex() else y
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("n,d", [(1, 1.0), (4, 1.0), (5, 0.1), (8, 2.5), (7, 1.0)])
def test_frequencies_match_torch(n, d):
    for fn in ("fftfreq", "rfftfreq"):
        e, t = getattr(ember.fft, fn)(n, d), getattr(torch.fft, fn)(n, d)
        assert repr(e.dtype) == repr(t.dtype)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=0)
        e64 = getattr(ember.fft, fn)(n, d, dtype=ember.float64, requires_grad=True)
        t64 = getattr(torch.fft, fn)(n, d, dtype=torch.float64, requires_grad=True)
        assert repr(e64) == repr(t64)


def test_shifts_undo_each_other_and_match_torch():
    x = ember.arange(15).reshape(3, 5)
    t = torch.arange(15).reshape(3, 5)
    assert ember.fft.fftshift(x).tolist() == torch.fft.fftshift(t).tolist()
    assert ember.fft.ifftshift(ember.fft.fftshift(x)).tolist() == x.tolist()
    f = ember.fft.fftfreq(6)
    assert ember.fft.fftshift(f).tolist() == torch.fft.fftshift(torch.fft.fftfreq(6)).tolist()


def test_module_attribute_and_namespace():
    import importlib
    assert importlib.import_module("ember.fft") is ember.fft
    # torch.fft's docstring fragments and imports are not API
    not_api = {"Tensor", "common_args", "factory_common_args", "torch"}
    assert sorted(ember.fft.__all__) == sorted(n for n in dir(torch.fft) if not n.startswith("_")
                                               and n not in not_api)


ERRORS = [
    lambda F, m: F.fft(m.ones(4), norm="bad"),
    lambda F, m: F.rfft(m.ones(4, dtype=m.complex64)),
    lambda F, m: F.ihfft(m.ones(4, dtype=m.complex64)),
    lambda F, m: F.fft(m.ones(4), n=0),
    lambda F, m: F.fft(m.ones(2, 3), dim=5),
    lambda F, m: F.fftn(m.ones(2, 3), s=(2, 3, 4)),
    lambda F, m: F.fftn(m.ones(2, 3), s=(2, 3), dim=(0,)),
    lambda F, m: F.irfft(m.ones(4, dtype=m.complex64), n=0),
    lambda F, m: F.irfft(m.ones(1, dtype=m.complex64)),
    lambda F, m: F.fft(m.ones(3, dtype=m.float16)),
    lambda F, m: F.fftn(m.ones(2, 3), dim=(0, 0)),
    lambda F, m: F.ihfft2(m.ones(2, 3, dtype=m.complex64)),
    lambda F, m: F.ihfftn(m.ones(2, 3, dtype=m.complex128), dim=(0,)),
    lambda F, m: F.hfft2(m.ones(3, dtype=m.complex64)),
    lambda F, m: F.hfftn(m.ones(2, 3, dtype=m.complex64), norm="bad"),
    lambda F, m: F.ihfftn(m.ones(2, 3), s=(2, 0)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_like_torch(k):
    with pytest.raises(Exception) as torch_err:
        ERRORS[k](torch.fft, torch)
    with pytest.raises(type(torch_err.value)) as ember_err:
        ERRORS[k](ember.fft, ember)
    assert str(ember_err.value) == str(torch_err.value)
