"""The short-time Fourier transform and its inverse (torch.stft, torch.istft), composed of ember's
differentiable ops: framing is an unfold view, the transform is ember.fft, the overlap-add of
istft is F.fold, so gradients flow to the signal and to the window with no backward of their own.
"""
import warnings

from .._creation import ones
from .complex import view_as_real
from .conv import fold
from .fft import fft, ifft, irfft, rfft
from .padding import constant_pad_nd, pad
from .._warnings import user_stacklevel

__all__ = ["stft", "istft"]

# torch's NOLA threshold: an overlap-added squared window below it cannot be divided out
_NOLA_EPS = 1e-11


def _window_repr(window):
    if window is None:
        return "None"
    return f"{window.type()}{{[{', '.join(str(s) for s in window.shape)}]}}"


def _flag(value):
    return "None" if value is None else str(int(bool(value)))


def _padded_window(window, win_length, n_fft, like):
    """The window zero-padded on both sides to n_fft, centred (the left side gets the floor)."""
    if window is None:
        if win_length == n_fft:
            return None
        window = ones(win_length, dtype=like.real.dtype if like.is_complex() else like.dtype,
                      device=like.device)
    left = (n_fft - win_length) // 2
    if left or n_fft - win_length - left:
        window = constant_pad_nd(window, (left, n_fft - win_length - left))
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """Spectra of windowed frames, (B?, N, T): N = n_fft // 2 + 1 when onesided (the default
    for a real input and window), else n_fft; T frames hop_length apart."""
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not complex_in:
        raise RuntimeError("stft requires the return_complex parameter be given for real "
                           "inputs, and will further require that return_complex=True in a "
                           "future PyTorch release.")
    if align_to_window is not None and center:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center and input.dim() in (1, 2):
        half = n_fft // 2
        batched = input.reshape((1,) * (3 - input.dim()) + tuple(input.shape))
        input = pad(batched, (half, half), mode=pad_mode).reshape(
            tuple(input.shape[:-1]) + (input.shape[-1] + 2 * half,))
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length

    def fail(why):
        return RuntimeError(
            f"stft({input.type()}[{', '.join(str(s) for s in input.shape)}], n_fft={n_fft}, "
            f"hop_length={hop_length}, win_length={win_length}, window={_window_repr(window)}, "
            f"normalized={_flag(normalized)}, onesided={_flag(onesided)}, "
            f"return_complex={_flag(return_complex)}, align_to_window={_flag(align_to_window)}"
            f") : {why}")

    if input.dim() not in (1, 2):
        raise fail("expected a 1D or 2D tensor")
    if not (input.is_floating_point() or input.is_complex()):
        raise fail("expected a tensor of floating point or complex values")
    length = input.shape[-1]
    if hop_length <= 0:
        raise fail(f"expected hop_length > 0, but got hop_length={hop_length}")
    if n_fft <= 0 or n_fft > length:
        raise fail(f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if win_length <= 0 or win_length > n_fft:
        raise fail(f"expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise fail(f"expected a 1D window tensor of size equal to win_length={win_length}, but "
                   f"got window with size [{', '.join(str(s) for s in window.shape)}]")
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is "
                      "known to cause spectral leakage. Other windows such as torch.hann_window "
                      "or torch.hamming_window are recommended to reduce spectral leakage.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", UserWarning,
                      stacklevel=user_stacklevel())

    signal = input if input.dim() == 2 else input.unsqueeze(0)
    if align_to_window:
        # frames start where each window (not each n_fft block) starts
        left = (n_fft - win_length) // 2
        signal = constant_pad_nd(signal, (left, n_fft - win_length - left))
    frames = signal.unfold(-1, n_fft, hop_length)  # (B, T, n_fft)
    w = _padded_window(window, win_length, n_fft, input)
    if w is not None:
        frames = frames * w
    norm = "ortho" if normalized else "backward"
    spec = rfft(frames, dim=-1, norm=norm) if onesided else fft(frames, dim=-1, norm=norm)
    spec = spec.transpose(-1, -2)
    if input.dim() == 1:
        spec = spec.squeeze(0)
    if return_complex is False:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, "
                      "stft will return complex tensors for all inputs, and return_complex=False "
                      "will raise an error.\nNote: you can still call torch.view_as_real on the "
                      "complex output to recover the old return format.", UserWarning,
                      stacklevel=user_stacklevel())
        return view_as_real(spec)
    return spec


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """The inverse of stft by windowed overlap-add, divided by the overlap-added squared window
    (which must stay nonzero: the NOLA condition)."""
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    onesided_arg = onesided

    def fail(why, sep=" : "):
        return RuntimeError(
            f"istft(CPU{input.type()[len('torch.'):-len('Tensor')]}Type"
            f"[{', '.join(str(s) for s in input.shape)}], n_fft={n_fft}, "
            f"hop_length={hop_length}, win_length={win_length}, window={_window_repr(window)}, "
            f"center={_flag(center)}, normalized={_flag(normalized)}, "
            f"onesided={_flag(onesided_arg)}"
            f", length={length}, return_complex={_flag(return_complex)}){sep}{why}")

    if input.dim() < 2:  # torch reads the real view's dims, one more than the input's
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-input.dim() - 1}, {input.dim()}], but got -3)")
    if input.dim() > 3:
        raise fail(f"expected a tensor with 2 or 3 dimensions of complex numbers, but got "
                   f"{input.dim()}")
    n_frames, fft_size = input.shape[-1], input.shape[-2]
    if onesided is None:
        onesided = fft_size != n_fft
    if onesided and fft_size != n_fft // 2 + 1:
        raise fail(f"expected the frequency dimension (3rd to the last) of the input tensor to "
                   f"match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not onesided and fft_size != n_fft:
        raise fail(f"expected the frequency dimension (3rd to the last) of the input tensor to "
                   f"match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop_length <= win_length:
        raise fail("expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise fail("expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise fail("Invalid window shape. window has to be 1D and length of `win_length`")
    if return_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if window is not None and window.is_complex() and not return_complex:
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please "
                      "provide the same window used by stft to make the inversion lossless.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", UserWarning,
                      stacklevel=user_stacklevel())
        window = ones(win_length, dtype=input.real.dtype, device=input.device)
    w = _padded_window(window, win_length, n_fft, window)

    spec = (input if input.dim() == 3 else input.unsqueeze(0)).transpose(-1, -2)  # (B, T, N)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        frames = ifft(spec, dim=-1, norm=norm)
    else:
        # a real output reads only the non-negative half of a full spectrum, as torch does
        frames = irfft(spec[..., :n_fft // 2 + 1], n=n_fft, dim=-1, norm=norm)
    frames = frames * w
    full = n_fft + hop_length * (n_frames - 1)

    def overlap_add(blocks):  # (B, T, n_fft) -> (B, full)
        out = fold(blocks.transpose(-1, -2), (1, full), (1, n_fft), stride=(1, hop_length))
        return out.reshape(blocks.shape[0], full)

    y = overlap_add(frames)
    envelope = overlap_add((w * w).expand(1, n_frames, n_fft))
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = full - n_fft // 2 if center else full
    stop = min(end, full)
    y = y[:, start:stop]
    envelope = envelope[:, start:stop]
    if envelope.numel() and float(envelope.abs().min()) < _NOLA_EPS:
        # torch's text: it prints the failed comparison, a bool tensor
        raise fail("window overlap add min: 1\n[ CPUBoolType{} ]", sep=" ")
    y = y / envelope
    if end > full:
        warnings.warn("The length of signal is shorter than the length parameter. Result is "
                      "being padded with zeros in the tail. Please check your center and "
                      "hop_length settings.", UserWarning, stacklevel=user_stacklevel())
        y = constant_pad_nd(y, (0, end - full))
    return y if input.dim() == 3 else y.squeeze(0)
