"""roi_align and the RoIAlign module (Mask R-CNN's RoI Align, average pooling of bilinear
samples); the sampling itself is in _roi_align_kernel."""
import numpy as np

from ... import nn
from ._roi_align_kernel import RoIAlignFunction
from ._roi_common import check_inputs
from ._utils import as_pair, as_roi_tensor, check_roi_boxes_shape

__all__ = ["RoIAlign", "roi_align"]


def roi_align(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False):
    """Pool each box of `boxes` (Tensor[K, 5] of (image index, x1, y1, x2, y2), or a list of
    Tensor[L, 4] per image) from input (Tensor[N, C, H, W]) into output_size bins
    (Tensor[K, C, PH, PW]), each the mean of sampling_ratio^2 bilinear samples (adaptive when
    <= 0). Box coordinates are multiplied by spatial_scale; aligned shifts them by -0.5 pixel."""
    check_roi_boxes_shape(boxes)
    rois = as_roi_tensor(boxes)
    output_size = as_pair(output_size)
    check_inputs(input, rois, "roi_align", (np.float16, np.float32, np.float64),
                 "input should have the same type as rois",
                 "\"roi_align_forward_kernel\" not implemented for '{type}'")
    options = (output_size, float(spatial_scale), int(sampling_ratio), bool(aligned))
    return RoIAlignFunction.apply(input, rois, options)


class RoIAlign(nn.Module):
    """See roi_align."""

    def __init__(self, output_size, spatial_scale, sampling_ratio, aligned=False):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input, rois):
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio,
                         self.aligned)

    def __repr__(self):
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
                f"aligned={self.aligned})")
