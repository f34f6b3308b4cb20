"""PixelShuffle and PixelUnshuffle: channels to space and back, by reshape and permute."""
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


def _check(input, name):
    if input.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")


def _pixel_shuffle(input, r):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r), as torch.nn.functional.pixel_shuffle."""
    _check(input, "pixel_shuffle")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    nb = len(batch)
    x = input.reshape((*batch, c // (r * r), r, r, h, w))
    x = x.permute(*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2)
    return x.reshape((*batch, c // (r * r), h * r, w * r))


def _pixel_unshuffle(input, r):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), as torch.nn.functional.pixel_unshuffle."""
    _check(input, "pixel_unshuffle")
    *batch, c, h, w = input.shape
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    nb = len(batch)
    x = input.reshape((*batch, c, h // r, r, w // r, r))
    x = x.permute(*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3)
    return x.reshape((*batch, c * r * r, h // r, w // r))


class PixelShuffle(Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return _pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return _pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
