"""Plain float64 reference implementations of torchvision.ops' definitions, one value at a time
(loops on purpose: they follow the documented algorithms, not ember's vectorised ones)."""
import math

import numpy as np


def random_boxes(rng, n, low=0.0, high=10.0, min_size=0.5, max_size=5.0):
    """n boxes (x1, y1, x2, y2) with x1 < x2 and y1 < y2, float64."""
    corner = rng.uniform(low, high, (n, 2))
    size = rng.uniform(min_size, max_size, (n, 2))
    return np.concatenate([corner, corner + size], 1)


def random_rois(rng, k, batch, height, width):
    """k rois (image index, x1, y1, x2, y2) of every kind: inside, across and beyond the
    borders, below one pixel, inverted; every other one on integer coordinates (bins of whole
    pixels)."""
    x1 = rng.uniform(-3, width + 1, k)
    y1 = rng.uniform(-3, height + 1, k)
    x2 = x1 + rng.uniform(-1, width, k)
    y2 = y1 + rng.uniform(-1, height, k)
    rois = np.stack([rng.integers(0, batch, k), x1, y1, x2, y2], 1)
    rois[::2] = np.round(rois[::2])
    return rois


def _area(b):
    return (b[2] - b[0]) * (b[3] - b[1])


def _overlap(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return w * h


def _enclosing(a, b):
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def iou(a, b):
    inter = _overlap(a, b)
    return inter / (_area(a) + _area(b) - inter)


def giou(a, b):
    inter = _overlap(a, b)
    union = _area(a) + _area(b) - inter
    enclosing = _area(_enclosing(a, b))
    return inter / union - (enclosing - union) / enclosing


def diou(a, b, eps=1e-7):
    x1, y1, x2, y2 = _enclosing(a, b)
    diagonal = (x2 - x1) ** 2 + (y2 - y1) ** 2 + eps
    centres = (((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2) ** 2
               + ((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2) ** 2)
    return iou(a, b) - centres / diagonal


def ciou(a, b, eps=1e-7):
    v = 4 / math.pi ** 2 * (math.atan((a[2] - a[0]) / (a[3] - a[1]))
                            - math.atan((b[2] - b[0]) / (b[3] - b[1]))) ** 2
    alpha = v / (1 - iou(a, b) + v + eps)
    return diou(a, b, eps) - alpha * v


def pairwise(fn, boxes1, boxes2):
    return np.array([[fn(a, b) for b in boxes2] for a in boxes1]).reshape(len(boxes1),
                                                                         len(boxes2))


def nms(boxes, scores, threshold):
    """Greedy NMS as documented: by decreasing score (equal scores by index), drop every box
    whose IoU with a kept one is above the threshold."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    kept = []
    for i in order:
        if all(iou(boxes[i], boxes[j]) <= threshold for j in kept):
            kept.append(i)
    return kept


def _bilinear(image, y, x):
    """image (C, H, W) read at (y, x) as RoI Align does: 0 outside [-1, H] x [-1, W], clamped to
    the border pixels otherwise."""
    _, h, w = image.shape
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return np.zeros(image.shape[0])
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= h - 1:
        y0 = y1 = h - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= w - 1:
        x0 = x1 = w - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    return ((1 - ly) * (1 - lx) * image[:, y0, x0] + (1 - ly) * lx * image[:, y0, x1]
            + ly * (1 - lx) * image[:, y1, x0] + ly * lx * image[:, y1, x1])


def roi_align(x, rois, pooled, spatial_scale=1.0, sampling_ratio=-1, aligned=False):
    """RoI Align of x (N, C, H, W) over rois (K, 5), one output bin at a time."""
    ph_n, pw_n = pooled
    out = np.zeros((len(rois), x.shape[1], ph_n, pw_n))
    shift = 0.5 if aligned else 0.0
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy = x1 * spatial_scale - shift, y1 * spatial_scale - shift
        rw, rh = x2 * spatial_scale - shift - sx, y2 * spatial_scale - shift - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph_n, rw / pw_n
        gh = sampling_ratio if sampling_ratio > 0 else math.ceil(rh / ph_n)
        gw = sampling_ratio if sampling_ratio > 0 else math.ceil(rw / pw_n)
        for ph in range(ph_n):
            for pw in range(pw_n):
                total = np.zeros(x.shape[1])
                for iy in range(gh):
                    y = sy + ph * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        xx = sx + pw * bw + (ix + 0.5) * bw / gw
                        total += _bilinear(x[int(b)], y, xx)
                out[k, :, ph, pw] = total / max(gh * gw, 1)
    return out


def _round_half_away(v):
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def roi_pool(x, rois, pooled, spatial_scale=1.0):
    """RoI max pooling of x over rois (K, 5), one bin at a time; (output, argmax (flat H*W index,
    -1 for empty bins))."""
    ph_n, pw_n = pooled
    _, c, h, w = x.shape
    out = np.zeros((len(rois), c, ph_n, pw_n))
    arg = np.full(out.shape, -1)
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy, ex, ey = (_round_half_away(v * spatial_scale) for v in (x1, y1, x2, y2))
        bh, bw = max(ey - sy + 1, 1) / ph_n, max(ex - sx + 1, 1) / pw_n
        for ph in range(ph_n):
            hs = min(max(math.floor(ph * bh) + sy, 0), h)
            he = min(max(math.ceil((ph + 1) * bh) + sy, 0), h)
            for pw in range(pw_n):
                ws = min(max(math.floor(pw * bw) + sx, 0), w)
                we = min(max(math.ceil((pw + 1) * bw) + sx, 0), w)
                if he <= hs or we <= ws:
                    continue
                for ch in range(c):
                    window = x[int(b), ch, hs:he, ws:we]
                    best = np.unravel_index(np.argmax(window), window.shape)
                    out[k, ch, ph, pw] = window[best]
                    arg[k, ch, ph, pw] = (hs + best[0]) * w + ws + best[1]
    return out, arg
