"""Non-maximum suppression: nms, and batched_nms (per category) on top of it.

Greedy, as torchvision's CPU kernel: boxes in decreasing order of score (ties keep their input
order), each kept box suppresses every later one whose IoU with it exceeds the threshold. The
IoU is computed in the boxes' dtype and compared with the threshold in double precision."""
import numpy as np

from ... import from_numpy, int64, tensor
from ..._dtype import type_name

# batched_nms runs nms once per category above this many box coordinates (4 per box), and
# once on category-shifted boxes below it, as torchvision does (same result, other speed)
_PER_CATEGORY_ABOVE = {"cpu": 4000, "cuda": 100_000}


def _host(t):
    return t.detach().cpu().numpy()


def _check(boxes, scores):
    if boxes.dim() != 2:
        raise RuntimeError(f"boxes should be a 2d tensor, got {boxes.dim()}D")
    if boxes.size(1) != 4:
        raise RuntimeError(f"boxes should have 4 elements in dimension 1, got {boxes.size(1)}")
    if scores.dim() != 1:
        raise RuntimeError(f"scores should be a 1d tensor, got {scores.dim()}D")
    if boxes.size(0) != scores.size(0):
        raise RuntimeError("boxes and scores should have same number of elements in dimension 0, "
                           f"got {boxes.size(0)} and {scores.size(0)}")
    if boxes.dtype.np not in (np.float32, np.float64):
        raise RuntimeError(f"\"nms_kernel\" not implemented for '{type_name(boxes.dtype)}'")
    if boxes.dtype != scores.dtype:
        raise RuntimeError("dets should have the same type as scores")


def _greedy_keep(boxes, scores, iou_threshold):
    """Indices (int64 array) of the boxes (K, 4) that greedy NMS keeps, by decreasing score."""
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = (np.ascontiguousarray(c) for c in boxes[order].T)
    areas = (x2 - x1) * (y2 - y1)
    alive = np.ones(len(order), dtype=bool)
    kept = []
    for i in range(len(order)):
        if not alive[i]:
            continue
        kept.append(i)
        later = slice(i + 1, None)
        width = np.maximum(np.minimum(x2[i], x2[later]) - np.maximum(x1[i], x1[later]), 0)
        height = np.maximum(np.minimum(y2[i], y2[later]) - np.maximum(y1[i], y1[later]), 0)
        inter = width * height
        iou = inter / (areas[i] + areas[later] - inter)
        alive[later] &= ~(iou.astype(np.float64) > iou_threshold)
    return order[np.asarray(kept, dtype=np.int64)]


def _as_index_tensor(indices, device):
    return from_numpy(np.ascontiguousarray(indices, dtype=np.int64)).to(device)


def nms(boxes, scores, iou_threshold):
    """Indices (int64) of the boxes (Tensor[N, 4], xyxy) kept by non-maximum suppression,
    in decreasing order of scores (Tensor[N]): a box is dropped when its IoU with a
    higher-scoring kept box is above iou_threshold."""
    _check(boxes, scores)
    if boxes.numel() == 0:
        return tensor([], dtype=int64, device=boxes.device)
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = _greedy_keep(_host(boxes), _host(scores), float(iou_threshold))
    return _as_index_tensor(keep, boxes.device)


def batched_nms(boxes, scores, idxs, iou_threshold):
    """nms within each category: boxes (Tensor[N, 4]) of different idxs (Tensor[N]) never
    suppress each other. Indices (int64) in decreasing order of scores."""
    if boxes.numel() > _PER_CATEGORY_ABOVE.get(boxes.device.type, 4000):
        return _per_category_nms(boxes, scores, idxs, iou_threshold)
    if boxes.numel() == 0:
        return tensor([], dtype=int64, device=boxes.device)
    # shift each category's boxes beyond every other category's, then one nms
    shift = idxs.to(boxes.dtype) * (boxes.max() + tensor(1).to(boxes.dtype))
    return nms(boxes + shift[:, None], scores, iou_threshold)


def _per_category_nms(boxes, scores, idxs, iou_threshold):
    _check(boxes, scores)
    b, s, categories = _host(boxes), _host(scores), _host(idxs)
    kept = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for category in np.unique(categories):
            members = np.flatnonzero(categories == category)
            kept.append(members[_greedy_keep(b[members], s[members], float(iou_threshold))])
    kept = np.sort(np.concatenate(kept))
    return _as_index_tensor(kept[np.argsort(-s[kept], kind="stable")], boxes.device)
