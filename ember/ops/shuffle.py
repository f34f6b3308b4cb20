"""pixel_shuffle, pixel_unshuffle and channel_shuffle: permutations of elements done by reshape
and transpose on arrays. Each op's backward is its inverse permutation (pixel_unshuffle for
pixel_shuffle, channel_shuffle with the other factor of the channels), so every order of
derivative goes through the same two ops."""
from ._op import Op

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]


class PixelShuffle(Op):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""

    def forward(ctx, x, r):
        ctx.r = r
        *batch, c, h, w = x.shape
        nb = len(batch)
        y = x.reshape((*batch, c // (r * r), r, r, h, w))
        y = y.transpose(*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2)
        return y.reshape((*batch, c // (r * r), h * r, w * r))

    def backward(ctx, g):
        return PixelUnshuffle.apply(g, ctx.r)


class PixelUnshuffle(Op):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""

    def forward(ctx, x, r):
        ctx.r = r
        *batch, c, h, w = x.shape
        nb = len(batch)
        y = x.reshape((*batch, c, h // r, r, w // r, r))
        y = y.transpose(*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3)
        return y.reshape((*batch, c * r * r, h // r, w // r))

    def backward(ctx, g):
        return PixelShuffle.apply(g, ctx.r)


class ChannelShuffle(Op):
    """(N, C, *) seen as (N, groups, C/groups, *), the two channel factors swapped."""

    def forward(ctx, x, groups):
        n, c = x.shape[:2]
        ctx.groups, ctx.channels = groups, c
        rest = x.shape[2:]
        return x.reshape((n, groups, c // groups) + rest).swapaxes(1, 2).reshape(x.shape)

    def backward(ctx, g):
        return ChannelShuffle.apply(g, ctx.channels // ctx.groups)


def _check_rank(input, name):
    if input.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """Rearrange (*, C*r*r, H, W) into (*, C, H*r, W*r), r = upscale_factor."""
    r = upscale_factor
    _check_rank(input, "pixel_shuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    return PixelShuffle.apply(input, int(r))


def pixel_unshuffle(input, downscale_factor):
    """Rearrange (*, C, H*r, W*r) into (*, C*r*r, H, W), r = downscale_factor."""
    r = downscale_factor
    _check_rank(input, "pixel_unshuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    return PixelUnshuffle.apply(input, int(r))


def channel_shuffle(input, groups):
    """Interleave the channels of (N, C, *) from `groups` groups: channel g*(C/groups)+i moves
    to i*groups+g."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    return ChannelShuffle.apply(input, int(groups))
