"""complete_box_iou_loss (Zheng et al., 2019)."""
import math

from ... import no_grad
from ._box_loss_terms import distance_loss_and_iou
from ._utils import reduce_loss, upcast_non_float

__all__ = ["complete_box_iou_loss"]


def complete_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
    """The distance IoU loss plus alpha * v for each pair boxes1[i], boxes2[i] (Tensor[N, 4] or
    Tensor[4], xyxy), v measuring how the aspect ratios differ and alpha = v / (1 - IoU + v)
    a constant of the gradient. As torchvision, `eps` enters alpha only: the distance IoU
    terms use 1e-7."""
    boxes1, boxes2 = upcast_non_float(boxes1), upcast_non_float(boxes2)
    diou_loss, iou = distance_loss_and_iou(boxes1, boxes2)
    x1, y1, x2, y2 = boxes1.unbind(-1)
    u1, v1, u2, v2 = boxes2.unbind(-1)
    angle_diff = ((u2 - u1) / (v2 - v1)).atan() - ((x2 - x1) / (y2 - y1)).atan()
    v = (4 / math.pi ** 2) * angle_diff ** 2
    with no_grad():
        alpha = v / (1 - iou + v + eps)
    return reduce_loss(diou_loss + alpha * v, reduction, empty_mean_is_zero=True)
