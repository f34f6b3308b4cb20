"""OpInfo entries for torch.stft / torch.istft (complex results seen through view_as_real, complex
inputs built with torch.complex). The NumPy references frame and overlap-add with loops."""
import numpy as np

from . import OpInfo

N_FFT, HOP = 8, 2


def _stft_fn(m, x, w):
    return m.view_as_real(m.stft(x, N_FFT, hop_length=HOP, window=w, return_complex=True))


def _stft_ref(x, w):
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(N_FFT // 2, N_FFT // 2)], mode="reflect")
    n_frames = 1 + (padded.shape[-1] - N_FFT) // HOP
    frames = np.stack([padded[..., t * HOP:t * HOP + N_FFT] * w for t in range(n_frames)], -2)
    spec = np.swapaxes(np.fft.rfft(frames, axis=-1), -1, -2)
    return np.stack([spec.real, spec.imag], -1)


def _istft_fn(m, re, im, w):
    return m.istft(m.complex(re, im), N_FFT, hop_length=HOP, window=w)


def _istft_ref(re, im, w):
    frames = np.fft.irfft(np.swapaxes(re + 1j * im, -1, -2), n=N_FFT, axis=-1) * w
    n_frames = frames.shape[-2]
    full = N_FFT + HOP * (n_frames - 1)
    y = np.zeros(frames.shape[:-2] + (full,))
    env = np.zeros(full)
    for t in range(n_frames):
        y[..., t * HOP:t * HOP + N_FFT] += frames[..., t, :]
        env[t * HOP:t * HOP + N_FFT] += w * w
    half = N_FFT // 2
    return y[..., half:full - half] / env[half:full - half]


def _positive_window(rng, dtype, shapes):
    *signal, window = shapes
    return [rng.uniform(-2, 2, size=s).astype(dtype) for s in signal] + [
        rng.uniform(0.5, 1.0, size=window).astype(dtype)]


OPS = [
    OpInfo("stft", _stft_fn, [((13,), (8,)), ((2, 11), (8,))], ref=_stft_ref,
           make_inputs=_positive_window, grad_fn="ViewAsRealBackward0",
           error_inputs=(((13,), (7,)), ((2, 2, 11), (8,)))),
    OpInfo("istft", _istft_fn, [((1, 5, 4), (1, 5, 4), (8,)), ((2, 5, 6), (2, 5, 6), (8,))],
           ref=_istft_ref, make_inputs=_positive_window, grad_fn="DivBackward0",
           error_inputs=(((4, 4), (4, 4), (8,)),)),
]
