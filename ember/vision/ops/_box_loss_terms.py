"""The per-pair terms the IoU losses share: boxes1[i] against boxes2[i] (xyxy, any leading
shape), not every pair as in boxes.py."""
from ... import maximum, minimum, where


def intersection_and_union(boxes1, boxes2):
    """Areas of the overlap and of the union of each pair; the overlap counts only where it has
    positive width and height (elsewhere it is 0, with no gradient)."""
    x1, y1, x2, y2 = boxes1.unbind(-1)
    u1, v1, u2, v2 = boxes2.unbind(-1)
    width = minimum(x2, u2) - maximum(x1, u1)
    height = minimum(y2, v2) - maximum(y1, v1)
    inter = where((width > 0) & (height > 0), width * height, 0.0)
    union = (x2 - x1) * (y2 - y1) + (u2 - u1) * (v2 - v1) - inter
    return inter, union


def enclosing_corners(boxes1, boxes2):
    """(left, top, right, bottom) of the smallest box that holds both boxes of each pair."""
    x1, y1, x2, y2 = boxes1.unbind(-1)
    u1, v1, u2, v2 = boxes2.unbind(-1)
    return minimum(x1, u1), minimum(y1, v1), maximum(x2, u2), maximum(y2, v2)


def distance_loss_and_iou(boxes1, boxes2, eps=1e-7):
    """(1 - IoU + squared centre distance / squared enclosing diagonal, IoU) per pair."""
    inter, union = intersection_and_union(boxes1, boxes2)
    iou = inter / (union + eps)
    left, top, right, bottom = enclosing_corners(boxes1, boxes2)
    diagonal_sq = (right - left) ** 2 + (bottom - top) ** 2 + eps
    x1, y1, x2, y2 = boxes1.unbind(-1)
    u1, v1, u2, v2 = boxes2.unbind(-1)
    centre_sq = ((x1 + x2) / 2 - (u1 + u2) / 2) ** 2 + ((y1 + y2) / 2 - (v1 + v2) / 2) ** 2
    return 1 - iou + centre_sq / diagonal_sq, iou
