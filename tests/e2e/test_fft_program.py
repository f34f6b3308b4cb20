"""A small spectral program: learn a real signal whose rfft magnitude matches a target spectrum
(plus a smoothness term through irfft), with Adam and gradients through rfft/irfft. Under ember
it fits, and from the same start it gives torch's losses and final signal."""
import numpy as np
import pytest

import ember
import ember.fft

STEPS = 40


def fit(m, start, target, window):
    signal = m.tensor(start, requires_grad=True)
    target, window = m.tensor(target), m.tensor(window)
    opt = m.optim.Adam([signal], lr=0.05)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        spectrum = m.fft.rfft(signal * window, norm="ortho")
        magnitude = spectrum.abs()
        smooth = m.fft.irfft(spectrum * m.fft.rfftfreq(signal.shape[-1]).neg().exp(),
                             n=signal.shape[-1], norm="ortho")
        loss = ((magnitude - target) ** 2).mean() + 0.01 * ((smooth - signal) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, signal.detach().numpy().copy()


def _problem():
    rng = np.random.default_rng(3)
    n = 64
    t = np.arange(n) / n
    wanted = np.sin(2 * np.pi * 5 * t) + 0.5 * np.cos(2 * np.pi * 12 * t)
    target = np.abs(np.fft.rfft(wanted, norm="ortho")).astype(np.float32)
    start = (0.1 * rng.normal(size=(2, n))).astype(np.float32)
    window = np.hanning(n).astype(np.float32) * 0.5 + 0.5
    return start, target, window


def test_spectrum_fit_learns():
    start, target, window = _problem()
    losses, _ = fit(ember, start, target, window)
    assert losses[-1] < 0.3 * losses[0]


def test_spectrum_fit_gives_torchs_losses_and_signal():
    torch = pytest.importorskip("torch")
    start, target, window = _problem()
    losses, signal = fit(ember, start, target, window)
    t_losses, t_signal = fit(torch, start, target, window)
    np.testing.assert_allclose(losses, t_losses, rtol=2e-4)
    np.testing.assert_allclose(signal, t_signal, rtol=2e-3, atol=2e-4)
