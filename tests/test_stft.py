"""torch.stft / torch.istft (ember/ops/spectrogram.py): values, gradients and errors against torch."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
SIGNAL = RNG.standard_normal((2, 23))
CSIGNAL = SIGNAL + 1j * RNG.standard_normal((2, 23))
WINDOW = RNG.uniform(0.5, 1.0, 6)

STFT_CASES = [
    dict(n_fft=8),
    dict(n_fft=8, hop_length=3, win_length=6, window=True),
    dict(n_fft=8, center=False),
    dict(n_fft=8, pad_mode="constant", normalized=True),
    dict(n_fft=8, onesided=False, window=True, win_length=6),
    dict(n_fft=8, win_length=6, window=True, center=False, align_to_window=True, hop_length=3),
    dict(n_fft=8, win_length=6),
]


def _stft(m, signal, case):
    kw = dict(case)
    if kw.pop("window", False):
        kw["window"] = m.tensor(WINDOW)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return m.stft(signal, return_complex=True, **kw)


@pytest.mark.parametrize("case", STFT_CASES)
@pytest.mark.parametrize("signal", [SIGNAL, SIGNAL[0], CSIGNAL])
def test_stft_matches_torch(case, signal):
    got, want = _stft(ember, ember.tensor(signal), case), _stft(torch, torch.tensor(signal), case)
    assert got.shape == want.shape and got.dtype == ember.complex128
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)


def test_stft_float32_and_method_and_real_output():
    x = SIGNAL.astype(np.float32)
    got = ember.tensor(x).stft(8, window=ember.hann_window(8), return_complex=True)
    want = torch.tensor(x).stft(8, window=torch.hann_window(8), return_complex=True)
    assert got.dtype == ember.complex64
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-5)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        pair = ember.stft(ember.tensor(x), 8, window=ember.hann_window(8), return_complex=False)
    assert pair.shape == (2, 5, 12, 2)
    np.testing.assert_allclose(pair.numpy(), torch.view_as_real(want).numpy(), atol=1e-5)


def test_stft_gradients():
    w = ember.tensor(WINDOW, requires_grad=True)

    def f(x, w):
        return ember.view_as_real(ember.stft(x, 8, hop_length=3, win_length=6, window=w,
                                             return_complex=True))
    x = ember.tensor(SIGNAL, requires_grad=True)
    assert gradcheck(f, (x, w))
    assert gradcheck(lambda x: ember.view_as_real(ember.stft(
        x, 8, window=ember.ones(8, dtype=ember.float64), pad_mode="constant",
        onesided=False, normalized=True, return_complex=True)), (x,))
    tx = torch.tensor(SIGNAL, requires_grad=True)
    tw = torch.tensor(WINDOW, requires_grad=True)
    weights = RNG.standard_normal((2, 5, 8, 2))
    (f(x, w) * ember.tensor(weights)).sum().backward()
    (torch.view_as_real(torch.stft(tx, 8, hop_length=3, win_length=6, window=tw,
                                   return_complex=True)) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), atol=1e-12)


ISTFT_CASES = [
    dict(n_fft=8),
    dict(n_fft=8, hop_length=3, normalized=True),
    dict(n_fft=8, window="short", win_length=6, hop_length=2),
    dict(n_fft=8, length=20),
    dict(n_fft=8, onesided=False),
    dict(n_fft=8, onesided=False, return_complex=True),
]


def _istft(m, signal, case):
    kw = dict(case)
    win = m.tensor(WINDOW) if kw.pop("window", None) == "short" else m.hann_window(8, dtype=m.float64)
    shared = {k: kw[k] for k in ("n_fft", "hop_length", "win_length", "normalized") if k in kw}
    spec = m.stft(signal, window=win, onesided=kw.get("onesided"), return_complex=True, **shared)
    if kw.get("onesided") is False:
        spec = spec + 0.1j  # not a real signal's spectrum: the real output reads half of it
    out = m.istft(spec, window=win, **kw)
    return m.view_as_real(out) if out.is_complex() else out


@pytest.mark.parametrize("case", ISTFT_CASES)
@pytest.mark.parametrize("signal", [SIGNAL, SIGNAL[0]])
def test_istft_matches_torch(case, signal):
    got, want = _istft(ember, ember.tensor(signal), case), _istft(torch, torch.tensor(signal), case)
    assert got.shape == want.shape and str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)


def test_istft_inverts_stft_and_pads_a_longer_length():
    win = ember.hann_window(8, dtype=ember.float64)
    x = ember.tensor(SIGNAL)
    spec = ember.stft(x, 8, window=win, return_complex=True)
    np.testing.assert_allclose(ember.istft(spec, 8, window=win, length=23).numpy(), SIGNAL,
                               atol=1e-12)
    with pytest.warns(UserWarning, match="padded with zeros"):
        y = ember.istft(spec, 8, window=win, length=30)
    assert y.shape == (2, 30) and not y[:, 26:].numpy().any() and y[:, 25].numpy().all()


def test_istft_gradients():
    win = ember.tensor(np.hanning(10)[1:-1], requires_grad=True)
    spec = ember.stft(ember.tensor(SIGNAL), 8, window=win.detach(), return_complex=True)
    # real and imaginary parts as real inputs, so finite differences cover both
    re, im = (p.detach().clone().requires_grad_() for p in (spec.real, spec.imag))
    assert gradcheck(lambda r, i, w: ember.istft(ember.complex(r, i), 8, window=w, length=21),
                     (re, im, win))
    spec.requires_grad_()
    ts = torch.tensor(spec.detach().numpy(), requires_grad=True)
    tw = torch.tensor(win.detach().numpy(), requires_grad=True)
    weights = RNG.standard_normal((2, 21))
    (ember.istft(spec, 8, window=win, length=21) * ember.tensor(weights)).sum().backward()
    (torch.istft(ts, 8, window=tw, length=21) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(spec.grad.numpy(), ts.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(win.grad.numpy(), tw.grad.numpy(), atol=1e-12)


def _raises_like(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as want:
            call(torch)
        with pytest.raises(type(want.value)) as got:
            call(ember)
    return str(got.value), str(want.value)


@pytest.mark.parametrize("call", [
    lambda m: m.stft(m.randn(20), 8),
    lambda m: m.stft(m.randn(20), 30, center=False, return_complex=True),
    lambda m: m.stft(m.randn(20), 8, hop_length=0, return_complex=True),
    lambda m: m.stft(m.randn(20), 8, win_length=9, return_complex=True),
    lambda m: m.stft(m.randn(20), 8, window=m.ones(6), return_complex=True),
    lambda m: m.stft(m.randn(2, 2, 9), 4, return_complex=True),
    lambda m: m.stft(m.arange(20), 8, return_complex=True),
    lambda m: m.stft(m.randn(20), 8, return_complex=True, pad_mode="bogus"),
    lambda m: m.stft(m.randn(20), 8, return_complex=True, align_to_window=True),
    lambda m: m.stft(m.zeros(20, dtype=m.complex64), 8, onesided=True, return_complex=True),
    lambda m: m.istft(m.randn(5, 11), 8),
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 10, onesided=True),
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 8, return_complex=True),
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 8, window=m.ones(7)),
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 8, onesided=False),
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 8, hop_length=9),
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 8, win_length=9),
    lambda m: m.istft(m.ones(11, dtype=m.complex64), 8),
    # the NOLA condition: a Hann window's envelope is zero at the uncentred signal's first sample
    lambda m: m.istft(m.ones(5, 11, dtype=m.complex64), 8, window=m.hann_window(8),
                      center=False),
])
def test_errors_match_torch(call):
    got, want = _raises_like(call)
    assert got == want or got.split(") ")[-1] == want.split(") ")[-1]


def test_missing_window_warns():
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(ember.randn(20), 8, return_complex=True)
