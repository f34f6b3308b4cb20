"""Conversions between the axis-aligned box formats, each through corners (xyxy)."""
from ... import stack


def _xywh_to_xyxy(boxes):
    left, top, width, height = boxes.unbind(-1)
    return stack((left, top, left + width, top + height), -1)


def _cxcywh_to_xyxy(boxes):
    cx, cy, width, height = boxes.unbind(-1)
    half_w, half_h = 0.5 * width, 0.5 * height
    return stack((cx - half_w, cy - half_h, cx + half_w, cy + half_h), -1)


def _xyxy_to_xywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(-1)
    return stack((x1, y1, x2 - x1, y2 - y1), -1)


def _xyxy_to_cxcywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(-1)
    return stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), -1)


TO_XYXY = {"xyxy": None, "xywh": _xywh_to_xyxy, "cxcywh": _cxcywh_to_xyxy}
FROM_XYXY = {"xyxy": None, "xywh": _xyxy_to_xywh, "cxcywh": _xyxy_to_cxcywh}
ROTATED = ("xywhr", "cxcywhr", "xyxyxyxy")


def to_xyxy(boxes, fmt):
    convert = TO_XYXY[fmt]
    return boxes if convert is None else convert(boxes)


def from_xyxy(boxes, fmt):
    convert = FROM_XYXY[fmt]
    return boxes if convert is None else convert(boxes)
