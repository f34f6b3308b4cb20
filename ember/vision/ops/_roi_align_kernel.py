"""roi_align as a linear map of the input, and the Ops that apply it and its adjoint.

NOTE [ RoI Align sampling ]
Bin (ph, pw) of roi k averages a grid of gh x gw points, bilinearly interpolated, as
torchvision's kernel does: along y (x alike) the roi starts at y1 * spatial_scale - offset
(offset 0.5 when aligned), spans roi_h (at least 1 unless aligned), bins are roi_h / PH tall,
and sample i of bin ph lies at start + ph * bin + (i + 0.5) * bin / gh, with gh = sampling_ratio,
or ceil(roi_h / PH) when sampling_ratio <= 0. A point outside [-1, size] on either axis reads 0;
otherwise it is clamped to >= 0, and at or past the last pixel it reads the last pixel.
Every weight is a y part times an x part, so the bins of roi k are R @ image @ C^T per channel:
R (PH, h) sums the y weights of each bin's samples over the h rows the roi reads (divided by
the bin's point count gh * gw), C (PW, w) likewise over its w columns, and image is the h x w
window of the roi's image. The adjoint adds R^T @ g @ C back into that window. Forward and
adjoint loop over rois, each two small matrix products over all channels at once. The map does
not depend on the input, so the adjoint's adjoint is the forward: double backward needs no
other formula.
"""
import numpy as np

from ...ops._op import Op
from ._roi_common import batch_indices, groups


def _axis_taps(xp, start, bin_size, pooled, grid, size, work):
    """Taps along one axis for rois with `grid` samples per bin: indices (k, pooled, grid, 2)
    of the two pixels each sample reads and their weights, zero for samples outside."""
    cell = xp.arange(pooled, dtype=work)[None, :, None]
    offset = xp.arange(grid, dtype=work)[None, None, :] + 0.5
    step = bin_size[:, None, None]
    pos = (start[:, None, None] + cell * step) + offset * step / grid
    inside = (pos >= -1.0) & (pos <= size)
    pos = xp.where(inside, xp.maximum(pos, 0), 0)
    low = xp.floor(pos).astype(np.int64)
    last = low >= size - 1
    low = xp.where(last, size - 1, low)
    high = xp.where(last, size - 1, low + 1)
    frac = xp.where(last, 0, pos - low.astype(work))
    weight_high = frac * inside
    weight_low = (1 - frac) * inside
    return xp.stack((low, high), -1), xp.stack((weight_low, weight_high), -1)


def _axis_matrices(xp, index, weight, work):
    """Per roi: the first pixel it reads along the axis, how many it reads (0 when none), and
    the (pooled, span) matrix of weights summed per pixel, padded to the widest roi."""
    num, pooled = index.shape[:2]
    used = weight != 0
    first = xp.where(used, index, np.iinfo(np.int64).max).reshape(num, -1).min(1)
    last = xp.where(used, index, -1).reshape(num, -1).max(1)
    span = xp.maximum(last - first + 1, 0)
    width = int(span.max()) if num else 0
    first = xp.where(span > 0, first, 0)
    row = (xp.arange(num)[:, None, None, None] * pooled + xp.arange(pooled)[None, :, None, None])
    keys = row * width + (index - first[:, None, None, None])
    matrices = xp.bincount(keys[used], weight[used].astype(np.float64),
                           minlength=num * pooled * width)
    return first, span, matrices.astype(work).reshape(num, pooled, width)


class AlignSampling:
    """The sampling map of roi_align for given rois (NOTE [ RoI Align sampling ]): per roi that
    reads anything, (roi, image, top, R, left, C)."""

    def __init__(self, xp, rois, in_shape, output_size, spatial_scale, sampling_ratio, aligned):
        batch_size, _, height, width = in_shape
        self.pooled = tuple(output_size)
        self.num_rois = rois.shape[0]
        work = rois.dtype if rois.dtype in (np.float32, np.float64) else np.dtype(np.float32)
        r = rois.astype(work, copy=False)
        batch = batch_indices(xp, r, batch_size)
        shift = 0.5 if aligned else 0.0
        x1, y1, x2, y2 = (r[:, i] * spatial_scale - shift for i in range(1, 5))
        roi_w, roi_h = x2 - x1, y2 - y1
        if not aligned:  # a malformed roi counts as 1 x 1
            roi_w, roi_h = xp.maximum(roi_w, 1.0), xp.maximum(roi_h, 1.0)
        pooled_h, pooled_w = self.pooled
        bin_h, bin_w = roi_h / pooled_h, roi_w / pooled_w
        if sampling_ratio > 0:
            grid_h = grid_w = xp.full(self.num_rois, sampling_ratio, dtype=np.int64)
        else:
            grid_h, grid_w = self._adaptive(xp, bin_h), self._adaptive(xp, bin_w)
        self.maps = []
        if height == 0 or width == 0 or pooled_h == 0 or pooled_w == 0:
            return
        for ids, gh, gw in groups(xp, grid_h, grid_w):
            if not (gh and gw):
                continue  # no sample points: the bins stay 0
            top, rows_used, rows = _axis_matrices(
                xp, *_axis_taps(xp, y1[ids], bin_h[ids], pooled_h, gh, height, work), work)
            left, cols_used, cols = _axis_matrices(
                xp, *_axis_taps(xp, x1[ids], bin_w[ids], pooled_w, gw, width, work), work)
            rows /= gh * gw
            for j, (roi, h, w) in enumerate(zip(ids.tolist(), rows_used.tolist(),
                                                cols_used.tolist())):
                if h and w:
                    self.maps.append((roi, int(batch[roi]), int(top[j]), rows[j, :, :h],
                                      int(left[j]), cols[j, :, :w]))

    @staticmethod
    def _adaptive(xp, bin_size):
        """ceil(bin size) points per bin; none for an empty, negative or nan extent."""
        with np.errstate(invalid="ignore"):
            return xp.clip(xp.nan_to_num(xp.ceil(bin_size), nan=0.0), 0, None).astype(np.int64)

    def gather(self, xp, x):
        """roi_align of x (N, C, H, W): (K, C, PH, PW)."""
        out = xp.zeros((self.num_rois, x.shape[1]) + self.pooled, dtype=x.dtype)
        for roi, image, top, rows, left, cols in self.maps:
            window = x[image, :, top:top + rows.shape[1], left:left + cols.shape[1]]
            out[roi] = rows @ window @ cols.T
        return out

    def scatter(self, xp, g, in_shape):
        """The adjoint: g (K, C, PH, PW) summed back into an input of in_shape."""
        grad = xp.zeros(in_shape, dtype=np.promote_types(g.dtype, np.float32))
        for roi, image, top, rows, left, cols in self.maps:
            grad[image, :, top:top + rows.shape[1], left:left + cols.shape[1]] += \
                rows.T @ g[roi] @ cols
        return grad.astype(g.dtype, copy=False)


class RoIAlignFunction(Op, grad_fn="RoiAlignBackward0"):
    """roi_align on arrays. `sampling` is an AlignSampling, or the options (output_size,
    spatial_scale, sampling_ratio, aligned) to build one from rois."""
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, x, rois, sampling):
        if not isinstance(sampling, AlignSampling):
            sampling = AlignSampling(ctx.xp, rois, x.shape, *sampling)
        ctx.sampling, ctx.in_shape = sampling, x.shape
        return sampling.gather(ctx.xp, x)

    def backward(ctx, g):
        if not ctx.needs_input_grad[0]:
            return None, None
        return RoIAlignAdjoint.apply(g, ctx.sampling, ctx.in_shape), None


class RoIAlignAdjoint(Op, grad_fn="RoiAlignBackwardBackward0"):
    """The gradient of roi_align with respect to its input: g added back through the sampling
    map."""
    _array_backward = True

    def forward(ctx, g, sampling, in_shape):
        ctx.sampling = sampling
        return sampling.scatter(ctx.xp, g, in_shape)

    def backward(ctx, gg):
        return RoIAlignFunction.apply(gg, None, ctx.sampling), None, None
