"""Helpers the ops share: dtype widening for box arithmetic, loss reductions, RoI box formats."""
from collections import abc

from ... import cat, float32, float64, full_like, int32, int64
from ..._tensor import Tensor


def upcast(t):
    """t widened so that products of coordinates do not overflow: half floats to float32, small
    integers to int32 (float32/float64 and int32/int64 stay)."""
    if t.is_floating_point():
        return t if t.dtype in (float32, float64) else t.float()
    return t if t.dtype in (int32, int64) else t.int()


def upcast_non_float(t):
    """t as float32 unless it is float32 or float64 already (the IoU losses need a float)."""
    return t if t.dtype in (float32, float64) else t.float()


def reduce_loss(loss, reduction, empty_mean_is_zero=False):
    """A per-element loss reduced as `reduction` says. The box losses average an empty loss to 0
    (still attached to the graph) where a plain mean gives nan."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        if empty_mean_is_zero and loss.numel() == 0:
            return 0.0 * loss.sum()
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction "
                     "modes: 'none', 'mean', 'sum'")


def check_roi_boxes_shape(boxes):
    """torchvision's assertions on the boxes of roi_align and roi_pool."""
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.size(1) != 4:
                raise AssertionError("The shape of the tensor in the boxes list is not correct "
                                     "as List[Tensor[L, 4]]")
    elif isinstance(boxes, Tensor):
        if boxes.size(1) != 5:
            raise AssertionError("The boxes tensor shape is not correct as Tensor[K, 5]")
    else:
        raise AssertionError("boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]]")


def as_roi_tensor(boxes):
    """Boxes given per image (a list of Tensor[L, 4]) as one Tensor[K, 5] whose first column is
    the image's index; a Tensor[K, 5] as it is."""
    if isinstance(boxes, Tensor):
        return boxes
    columns = [full_like(b[:, :1], i) for i, b in enumerate(boxes)]
    image_index = columns[0] if len(columns) == 1 else cat(columns, 0)
    coords = boxes[0] if len(boxes) == 1 else cat(list(boxes), 0)
    return cat([image_index, coords], 1)


def as_pair(size):
    """An int as (size, size); a sequence as a tuple."""
    if isinstance(size, abc.Iterable):
        return tuple(size)
    return (size, size)
