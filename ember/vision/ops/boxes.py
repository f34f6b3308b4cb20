"""Box utilities (torchvision.ops.boxes): areas, pairwise IoU and its generalized, distance and
complete variants, format conversion, clipping, filtering, boxes around masks; nms and
batched_nms live in _nms. The IoU functions are built from ember ops, so they differentiate."""
import math

from ... import float32, maximum, minimum, no_grad, stack, where, zeros
from ._box_convert import FROM_XYXY, ROTATED, from_xyxy, to_xyxy
from ._nms import batched_nms, nms
from ._utils import upcast

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "complete_box_iou", "distance_box_iou", "generalized_box_iou", "masks_to_boxes",
           "nms", "remove_small_boxes"]

_PLAIN_FORMATS = tuple(FROM_XYXY)


def box_convert(boxes, in_fmt, out_fmt):
    """boxes (Tensor[..., 4]) from in_fmt to out_fmt, each of 'xyxy', 'xywh', 'cxcywh'."""
    known = _PLAIN_FORMATS + ROTATED
    if in_fmt not in known or out_fmt not in known:
        raise ValueError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and "
                         f"out_fmt {out_fmt}")
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt in ROTATED or out_fmt in ROTATED:
        raise NotImplementedError("ember.vision.ops.box_convert: the rotated formats "
                                  f"{ROTATED} are not implemented")
    return from_xyxy(to_xyxy(boxes, in_fmt), out_fmt)


def box_area(boxes, fmt="xyxy"):
    """The area of each box of boxes (Tensor[..., 4]) in format fmt."""
    if fmt not in _PLAIN_FORMATS:
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}")
    boxes = upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def _corners(boxes, fmt):
    """(top-left, bottom-right) corners, each Tensor[..., 2], of boxes in format fmt."""
    if fmt == "xyxy":
        return boxes[..., :2], boxes[..., 2:]
    if fmt == "xywh":
        return boxes[..., :2], boxes[..., :2] + boxes[..., 2:]
    half = boxes[..., 2:] / 2
    return boxes[..., :2] - half, boxes[..., :2] + half


def _pairs(a, b):
    """a (Tensor[..., N, k]) and b (Tensor[..., M, k]) broadcast against each other over
    [..., N, M, k]."""
    return a.unsqueeze(-2), b.unsqueeze(-3)


def _intersection_and_union(boxes1, boxes2, fmt="xyxy"):
    area1, area2 = box_area(boxes1, fmt), box_area(boxes2, fmt)
    top_left1, bottom_right1 = _corners(boxes1, fmt)
    top_left2, bottom_right2 = _corners(boxes2, fmt)
    top_left = maximum(*_pairs(top_left1, top_left2))
    bottom_right = minimum(*_pairs(bottom_right1, bottom_right2))
    overlap = upcast(bottom_right - top_left).clamp(min=0)
    inter = overlap[..., 0] * overlap[..., 1]
    return inter, area1.unsqueeze(-1) + area2.unsqueeze(-2) - inter


def _enclosing_extent(boxes1, boxes2):
    """Width and height (Tensor[..., N, M, 2]) of the smallest box holding both boxes of each
    pair (xyxy)."""
    left_top = minimum(*_pairs(boxes1[..., :2], boxes2[..., :2]))
    right_bottom = maximum(*_pairs(boxes1[..., 2:], boxes2[..., 2:]))
    return upcast(right_bottom - left_top).clamp(min=0)


def box_iou(boxes1, boxes2, fmt="xyxy"):
    """Pairwise intersection over union, Tensor[..., N, M], of boxes1 (Tensor[..., N, 4]) and
    boxes2 (Tensor[..., M, 4]) in format fmt."""
    if fmt not in _PLAIN_FORMATS:
        raise ValueError(f"Unsupported Box IoU Calculation for given format {fmt}.")
    inter, union = _intersection_and_union(boxes1, boxes2, fmt)
    return inter / union


def generalized_box_iou(boxes1, boxes2):
    """Pairwise generalized IoU (xyxy): IoU minus the part of the smallest enclosing box that
    the union leaves empty."""
    inter, union = _intersection_and_union(boxes1, boxes2)
    extent = _enclosing_extent(boxes1, boxes2)
    enclosing = extent[..., 0] * extent[..., 1]
    return inter / union - (enclosing - union) / enclosing


def _distance_iou_and_iou(boxes1, boxes2, eps):
    """(distance IoU, IoU): IoU less the squared distance of the centres over the squared
    diagonal of the enclosing box (plus eps)."""
    iou = box_iou(boxes1, boxes2)
    extent = _enclosing_extent(boxes1, boxes2)
    diagonal_sq = extent[..., 0] ** 2 + extent[..., 1] ** 2 + eps
    centre1 = (boxes1[..., :2] + boxes1[..., 2:]) / 2
    centre2 = (boxes2[..., :2] + boxes2[..., 2:]) / 2
    offset = upcast(centre1.unsqueeze(-2) - centre2.unsqueeze(-3))
    centre_sq = offset[..., 0] ** 2 + offset[..., 1] ** 2
    return iou - centre_sq / diagonal_sq, iou


def distance_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise distance IoU (xyxy), Tensor[..., N, M]."""
    diou, _ = _distance_iou_and_iou(upcast(boxes1), upcast(boxes2), eps)
    return diou


def complete_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise complete IoU (xyxy): distance IoU less alpha * v, v measuring how the aspect
    ratios differ; alpha is a constant of the gradient, as in the paper."""
    boxes1, boxes2 = upcast(boxes1), upcast(boxes2)
    diou, iou = _distance_iou_and_iou(boxes1, boxes2, eps)
    angle1 = ((boxes1[..., 2] - boxes1[..., 0]) / (boxes1[..., 3] - boxes1[..., 1])).atan()
    angle2 = ((boxes2[..., 2] - boxes2[..., 0]) / (boxes2[..., 3] - boxes2[..., 1])).atan()
    v = (4 / math.pi ** 2) * (angle1.unsqueeze(-1) - angle2.unsqueeze(-2)) ** 2
    with no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def clip_boxes_to_image(boxes, size):
    """boxes (Tensor[..., 4], xyxy) with x clamped to [0, width] and y to [0, height] for
    size = (height, width)."""
    height, width = size
    xs = boxes[..., 0::2].clamp(min=0, max=width)
    ys = boxes[..., 1::2].clamp(min=0, max=height)
    return stack((xs, ys), boxes.dim()).reshape(boxes.shape)


def remove_small_boxes(boxes, min_size):
    """Indices (int64) of the boxes (xyxy) whose width and height are both at least min_size."""
    widths = boxes[..., 2] - boxes[..., 0]
    heights = boxes[..., 3] - boxes[..., 1]
    return where((widths >= min_size) & (heights >= min_size))[0]


def masks_to_boxes(masks):
    """The xyxy box (float32, Tensor[N, 4]) around the nonzero pixels of each mask of masks
    (Tensor[N, H, W]); the corners are pixel indices, so a one-pixel mask gives x1 == x2."""
    if masks.numel() == 0:
        return zeros((0, 4), dtype=float32, device=masks.device)
    on = masks != 0
    rows = on.any(dim=2)
    cols = on.any(dim=1)
    if not bool(rows.any(dim=1).all()):
        raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    height, width = masks.shape[1:]
    top = rows.int().argmax(1)
    bottom = (height - 1) - rows.flip(1).int().argmax(1)
    left = cols.int().argmax(1)
    right = (width - 1) - cols.flip(1).int().argmax(1)
    return stack((left, top, right, bottom), 1).to(float32)
