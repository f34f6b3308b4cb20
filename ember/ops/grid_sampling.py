"""affine_grid and grid_sample (2-D on 4-D input, 3-D on 5-D input), composed of ember ops.

grid_sample reads input at the grid's normalised coordinates (-1 and 1 are the centres of the
corner pixels with align_corners=True, their outer edges otherwise). A source coordinate is
mapped into range by padding_mode (zeros: out-of-range taps read 0; border: clamped; reflection:
reflected off the borders, then clamped). Bilinear (trilinear in 3-D) sums the 2**nd neighbouring
taps with their linear weights; nearest takes the tap nearest, ties to even. Each tap is a gather
over the flattened spatial volume, so the gradients (input, grid, and higher orders) are those
of gather, multiply and the coordinate arithmetic; the bicubic mode is not implemented.
"""
import itertools
import warnings

from .. import _creation
from .._tensor import _make
from .clamping import where
from .join import stack
from .linalg import matmul
from ._op import Op

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the old "
                  "behavior is desired. See the documentation of grid_sample for details.")


def _align(align_corners):
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=3)
        return False
    return bool(align_corners)


# -- affine_grid ---------------------------------------------------------------------------------

def _axis(steps, align_corners, dtype, device):
    """Normalised pixel centres along one axis."""
    line = _creation.linspace(-1, 1, steps, dtype=dtype, device=device)
    if not align_corners and steps > 0:
        line = line * ((steps - 1) / steps)
    return line


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps theta (N, 2, 3)
    (or (N, 3, 4)) applied to the normalised output coordinates of an image of `size`."""
    align = _align(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) not in (4, 5):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    nd = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (nd, nd + 1):
        raise ValueError(f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} "
                         f"for size {size}. Got {theta.shape}.")
    spatial = size[2:]
    if align and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    # base[..., k] is the k-th coordinate (x, y[, z]: last spatial dim first), then a 1
    axes = [_axis(s, align, theta.dtype, theta.device) for s in spatial]
    columns = []
    for k in range(nd):
        d = nd - 1 - k  # coordinate k runs along spatial dim d
        shape = [1] * nd
        shape[d] = spatial[d]
        columns.append(axes[d].reshape(shape).expand(*spatial))
    columns.append(_creation.ones(spatial, dtype=theta.dtype, device=theta.device))
    base = stack(columns, -1).reshape(-1, nd + 1)
    return AffineGridGenerator.apply(theta, base._data, size)


class AffineGridGenerator(Op):
    """grid[n, p] = theta[n] @ base[p] for the output's normalised coordinates base (P, nd+1);
    base is a constant of the op."""

    def forward(ctx, theta, base, size):
        ctx.base = base
        nd = len(size) - 2
        grid = ctx.xp.matmul(base, theta.swapaxes(1, 2))
        return grid.reshape((size[0],) + tuple(size[2:]) + (nd,))

    def backward(ctx, g):
        n, nd = g.shape[0], g.shape[-1]
        return matmul(g.reshape(n, -1, nd).transpose(1, 2), _make(ctx.base))


# -- grid_sample ---------------------------------------------------------------------------------

def _reflect(coord, twice_low, twice_high):
    """coord reflected into [twice_low / 2, twice_high / 2] off both ends, repeatedly."""
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    dist = (coord - low).abs()
    extra = dist.fmod(span)
    flips = (dist.detach() / span).floor()
    return where(flips.remainder(2) == 0, extra + low, span - extra + low)


def _source(coord, size, align, padding_mode):
    """A normalised grid coordinate as a (fractional) pixel index along an axis of `size`."""
    if align:
        pos = (coord + 1) * ((size - 1) / 2)
    else:
        pos = ((coord + 1) * size - 1) / 2
    if padding_mode == "zeros":
        return pos
    if padding_mode == "reflection":
        pos = _reflect(pos, 0, 2 * (size - 1)) if align else _reflect(pos, -1, 2 * size - 1)
    return pos.clamp(0, size - 1)


def _tap(flat, index, spatial, shape_out):
    """flat (N, C, volume) read at the integer positions `index` (one (N, *out) tensor per
    spatial dim); positions outside the input read 0."""
    n, c = flat.shape[:2]
    inside = None
    linear = 0
    for idx, size in zip(index, spatial):
        ok = (idx >= 0) & (idx < size)
        inside = ok if inside is None else inside & ok
        linear = linear * size + idx.clamp(0, size - 1)
    linear = linear.long().reshape(n, 1, -1).expand(n, c, -1)
    values = flat.gather(2, linear).reshape((n, c) + shape_out)
    return values, inside.unsqueeze(1)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample input (N, C, H, W) (or (N, C, D, H, W)) at the grid's normalised (x, y[, z])
    locations (N, Ho, Wo, 2) (or (N, Do, Ho, Wo, 3))."""
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align = _align(align_corners)
    nd = input.dim() - 2
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError("grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not implemented in ember")
    spatial = tuple(input.shape[2:])
    shape_out = tuple(grid.shape[1:-1])
    flat = input.reshape(input.shape[0], input.shape[1], -1)
    # pos[d]: the source position along spatial dim d; the grid lists x (the last dim) first
    pos = [_source(grid[..., nd - 1 - d], spatial[d], align, padding_mode) for d in range(nd)]
    if mode == "nearest":
        values, inside = _tap(flat, [p.detach().round() for p in pos], spatial, shape_out)
        return values * inside
    low = [p.detach().floor() for p in pos]
    out = 0
    for corner in itertools.product((0, 1), repeat=nd):
        weight = None
        index = []
        for d, step in enumerate(corner):
            index.append(low[d] + step)
            w = pos[d] - low[d] if step else low[d] + 1 - pos[d]
            weight = w if weight is None else weight * w
        values, inside = _tap(flat, index, spatial, shape_out)
        out = out + values * (weight.unsqueeze(1) * inside)
    return out
