"""roi_pool and the RoIPool module (Fast R-CNN's RoI max pooling); the pooling itself is in
_roi_pool_kernel."""
import numpy as np

from ... import nn
from ._roi_common import check_inputs
from ._roi_pool_kernel import RoIPoolFunction
from ._utils import as_pair, as_roi_tensor, check_roi_boxes_shape

__all__ = ["RoIPool", "roi_pool"]


def roi_pool(input, boxes, output_size, spatial_scale=1.0):
    """Max-pool each box of `boxes` (Tensor[K, 5] of (image index, x1, y1, x2, y2), or a list
    of Tensor[L, 4] per image) from input (Tensor[N, C, H, W]) into output_size bins
    (Tensor[K, C, PH, PW]); box coordinates are multiplied by spatial_scale and rounded."""
    check_roi_boxes_shape(boxes)
    rois = as_roi_tensor(boxes)
    output_size = as_pair(output_size)
    check_inputs(input, rois, "roi_pool", (np.float32, np.float64),
                 "input and rois must have the same dtype",
                 "roi_pool only supports float and double types")
    return RoIPoolFunction.apply(input, rois, output_size, float(spatial_scale))


class RoIPool(nn.Module):
    """See roi_pool."""

    def __init__(self, output_size, spatial_scale):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input, rois):
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self):
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale})")
