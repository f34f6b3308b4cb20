"""roi_pool: max over each bin of each roi, and the Ops for its gradient.

NOTE [ RoI Pool bins ]
As torchvision's kernel: the roi's corners are scaled and rounded half away from zero, it spans
end - start + 1 pixels (at least 1) on each axis, bin ph covers [floor(ph * bin), ceil((ph + 1)
* bin)) shifted by the start and clipped to the input. The maximum is the first one in row-major
order, NaN is never a maximum, values at or below -FLT_MAX leave the bin at -FLT_MAX, and an
empty bin gives 0; such bins take no gradient. The winners ("picks": flat indices into the input,
-1 for none) make the gradient a scatter of g to the picks, and that scatter's gradient a gather
at the picks: higher orders need no other formula.
"""
import numpy as np

from ...ops._op import Op
from ._roi_common import batch_indices, chunks, groups

_FLT_MAX = float(np.finfo(np.float32).max)


def _round_half_away(xp, v):
    """Rounding as C's round(): halves away from zero (NumPy's round goes to even)."""
    return xp.sign(v) * xp.floor(xp.abs(v) + 0.5)


def _bin_edges(xp, start, extent, pooled, size, dtype):
    """First and one-past-last pixel (k, pooled) of each bin along one axis."""
    bin_size = extent.astype(dtype) / pooled
    cell = xp.arange(pooled + 1, dtype=dtype)[None, :] * bin_size[:, None]
    low = xp.floor(cell[:, :-1]).astype(np.int64) + start[:, None]
    high = xp.ceil(cell[:, 1:]).astype(np.int64) + start[:, None]
    return xp.clip(low, 0, size), xp.clip(high, 0, size)


def _roi_bins(xp, rois, spatial_scale, output_size, height, width):
    """Rows [top, bottom) (k, PH) and columns [left, right) (k, PW) of each roi's bins."""
    with np.errstate(invalid="ignore"):
        corners = _round_half_away(xp, rois[:, 1:] * spatial_scale).astype(np.int64)
    x1, y1, x2, y2 = corners.T
    top, bottom = _bin_edges(xp, y1, xp.maximum(y2 - y1 + 1, 1), output_size[0], height,
                             rois.dtype)
    left, right = _bin_edges(xp, x1, xp.maximum(x2 - x1 + 1, 1), output_size[1], width,
                             rois.dtype)
    return top, bottom, left, right


def _largest(xp, low, high):
    """Per roi, the most pixels one of its bins spans along an axis."""
    if low.shape[1] == 0:
        return xp.zeros(low.shape[0], np.int64)
    return xp.clip(high - low, 0, None).max(1)


def _bin_windows(xp, top, bottom, left, right, span_y, span_x, width):
    """For k rois whose bins span at most span_y x span_x pixels: the pixel index (y * W + x)
    of each place of each bin's window (k, PH * PW, span_y * span_x), in row-major order, and
    whether it lies inside the bin (0 and False past the bin's edge)."""
    ys = top[:, :, None] + xp.arange(span_y)
    xs = left[:, :, None] + xp.arange(span_x)
    # axes: roi, ph, pw, y, x
    inside = (ys < bottom[:, :, None])[:, :, None, :, None] \
        & (xs < right[:, :, None])[:, None, :, None, :]
    pixel = xp.where(inside, ys[:, :, None, :, None] * width + xs[:, None, :, None, :], 0)
    shape = (top.shape[0], top.shape[1] * left.shape[1], span_y * span_x)
    return pixel.reshape(shape), inside.reshape(shape)


def max_pool_rois(xp, x, rois, output_size, spatial_scale):
    """(output (K, C, PH, PW), picks (K, C, PH, PW)) of roi_pool (NOTE [ RoI Pool bins ])."""
    batch_size, channels, height, width = x.shape
    num_rois, bins, area = rois.shape[0], output_size[0] * output_size[1], height * width
    batch = batch_indices(xp, rois, batch_size)
    top, bottom, left, right = _roi_bins(xp, rois, spatial_scale, output_size, height, width)
    out = xp.zeros((channels, num_rois, bins), dtype=x.dtype)
    picks = xp.full((channels, num_rois, bins), -1, dtype=np.int64)
    # each channel's plane of the batch, NaN as -inf (never a maximum), then a last column of
    # -inf that windows read past their bin's edge
    planes = xp.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(channels, batch_size * area)
    planes = xp.concatenate([xp.where(xp.isnan(planes), -np.inf, planes),
                             xp.full((channels, 1), -np.inf, dtype=x.dtype)], 1)
    past_edge = planes.shape[1] - 1
    channel_start = xp.arange(channels)[:, None, None] * area
    floor = x.dtype.type(-_FLT_MAX)
    for ids, span_y, span_x in groups(xp, _largest(xp, top, bottom), _largest(xp, left, right)):
        if not (span_y and span_x and bins):
            continue  # every bin of these rois is empty: 0, no pick
        for part in chunks(ids, bins * span_y * span_x * max(channels, 1)):
            pixel, inside = _bin_windows(xp, top[part], bottom[part], left[part], right[part],
                                         span_y, span_x, width)
            image_start = batch[part][:, None, None] * area
            values = planes[:, xp.where(inside, image_start + pixel, past_edge)]
            first = xp.argmax(values, axis=3)[..., None]
            best = xp.take_along_axis(values, first, 3)[..., 0]
            won = best > floor
            out[:, part] = xp.where(won, best, xp.where(inside.any(2), floor, 0))
            winner = xp.take_along_axis(pixel[None], first, 3)[..., 0]
            # flat (N, C, H, W) index of the winner
            picks[:, part] = xp.where(won, image_start[..., 0] * channels + channel_start
                                      + winner, -1)
    return _rois_first(xp, out, output_size), _rois_first(xp, picks, output_size)


def _rois_first(xp, a, output_size):
    """(C, K, PH * PW) as (K, C, PH, PW)."""
    return xp.ascontiguousarray(a.transpose(1, 0, 2)).reshape(
        (a.shape[1], a.shape[0]) + tuple(output_size))


class RoIPoolFunction(Op, grad_fn="RoiPoolBackward0"):
    """roi_pool on arrays; with `picks` given (a higher-order gradient) it gathers x there."""
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, x, rois, output_size, spatial_scale, picks=None):
        if picks is None:
            out, picks = max_pool_rois(ctx.xp, x, rois, output_size, spatial_scale)
        else:
            out = ctx.xp.where(picks >= 0, x.reshape(-1)[ctx.xp.maximum(picks, 0)], 0)
        ctx.picks, ctx.in_shape = picks, x.shape
        return out

    def backward(ctx, g):
        if not ctx.needs_input_grad[0]:
            return None, None
        return RoIPoolAdjoint.apply(g, ctx.picks, ctx.in_shape), None


class RoIPoolAdjoint(Op, grad_fn="RoiPoolBackwardBackward0"):
    """The gradient of roi_pool with respect to its input: g added at the picks."""
    _array_backward = True

    def forward(ctx, g, picks, in_shape):
        ctx.picks = picks
        won = picks >= 0
        grad = ctx.xp.bincount(picks[won], g[won], minlength=int(np.prod(in_shape)))
        return grad.astype(g.dtype).reshape(in_shape)

    def backward(ctx, gg):
        return RoIPoolFunction.apply(gg, None, None, None, ctx.picks), None, None
