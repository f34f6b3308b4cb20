"""DropBlock (Ghiasi et al., 2018): contiguous square (cubic) regions of feature maps dropped at
random in training."""
import math

from ... import empty, nn
from ...nn import functional as F

__all__ = ["DropBlock2d", "DropBlock3d", "drop_block2d", "drop_block3d"]


def _drop_block(input, p, block_size, inplace, eps, training, dims):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}.")
    if input.ndim != dims + 2:
        raise ValueError(f"input should be {dims + 2} dimensional. Got {input.ndim} dimensions.")
    if not training or p == 0.0:
        return input
    batch, channels, *spatial = input.shape
    block_size = min(block_size, *spatial)
    centres = [size - block_size + 1 for size in spatial]  # where a whole block fits
    # seed rate such that about a fraction p of the positions ends up dropped
    gamma = p * math.prod(spatial) / (block_size ** dims * math.prod(centres))
    seeds = empty((batch, channels, *centres), dtype=input.dtype, device=input.device)
    seeds.bernoulli_(gamma)
    half = block_size // 2
    seeds = F.pad(seeds, [half] * (2 * dims), value=0)
    pool = F.max_pool2d if dims == 2 else F.max_pool3d
    keep = 1 - pool(seeds, kernel_size=(block_size,) * dims, stride=(1,) * dims, padding=half)
    scale = keep.numel() / (eps + keep.sum())
    if inplace:
        return input.mul_(keep).mul_(scale)
    return input * keep * scale


def drop_block2d(input, p, block_size, inplace=False, eps=1e-06, training=True):
    """input (Tensor[N, C, H, W]) with block_size x block_size blocks zeroed, about a fraction
    p of it, and the rest scaled to keep the sum (eps guards the division)."""
    return _drop_block(input, p, block_size, inplace, eps, training, 2)


def drop_block3d(input, p, block_size, inplace=False, eps=1e-06, training=True):
    """drop_block2d for input Tensor[N, C, D, H, W] and cubic blocks."""
    return _drop_block(input, p, block_size, inplace, eps, training, 3)


class DropBlock2d(nn.Module):
    """See drop_block2d."""

    def __init__(self, p, block_size, inplace=False, eps=1e-06):
        super().__init__()
        self.p = p
        self.block_size = block_size
        self.inplace = inplace
        self.eps = eps

    def forward(self, input):
        return drop_block2d(input, self.p, self.block_size, self.inplace, self.eps,
                            self.training)

    def __repr__(self):
        return (f"{self.__class__.__name__}(p={self.p}, block_size={self.block_size}, "
                f"inplace={self.inplace})")


class DropBlock3d(DropBlock2d):
    """See drop_block3d."""

    def forward(self, input):
        return drop_block3d(input, self.p, self.block_size, self.inplace, self.eps,
                            self.training)
