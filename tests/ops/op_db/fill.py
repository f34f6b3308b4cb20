"""OpInfo entries for torch.fill (ember/ops/convert.py: FillBackward0 from a number,
FillBackward1 from a 0-d tensor, which takes the summed gradient) and Tensor.fill_diagonal_
(fill_ on diagonal views: torch's CopySlices)."""
import numpy as np

from . import OpInfo


def _fill_diagonal_ref(a, value, wrap=False):
    out = a.copy()
    rows, cols = a.shape[:2]
    if a.ndim > 2:
        for i in range(rows):
            out[(i,) * a.ndim] = value
        return out
    step = cols + 1 if wrap else rows
    for start in range(0, rows, step):
        for k in range(min(cols, rows - start)):
            out[start + k, k] = value
    return out


OPS = [
    OpInfo("fill", lambda m, a: m.fill(a, 1.5), [((3, 4),), ((),)],
           ref=lambda a: np.full_like(a, 1.5), grad_fn="FillBackward0",
           error_inputs=(lambda m: m.fill(m.ones(2), m.ones(2)),)),
    OpInfo("fill_tensor", lambda m, a, v: m.fill(a, v), [((3, 4), ())],
           ref=lambda a, v: np.full_like(a, v), grad_fn="FillBackward1"),
    OpInfo("fill_diagonal_", lambda m, a: (a * 1).fill_diagonal_(-1.0), [((3, 3),), ((2, 5),)],
           ref=lambda a: _fill_diagonal_ref(a, -1.0), grad_fn="CopySlices",
           error_inputs=(lambda m: m.ones(2, 3, 2).fill_diagonal_(1.0),
                         lambda m: m.ones(3).fill_diagonal_(1.0),
                         lambda m: m.ones(2, 2, requires_grad=True).fill_diagonal_(1.0))),
    OpInfo("fill_diagonal_wrap", lambda m, a: (a * 1).fill_diagonal_(-1.0, wrap=True),
           [((7, 3),), ((8, 2),)], ref=lambda a: _fill_diagonal_ref(a, -1.0, wrap=True),
           grad_fn="CopySlices"),
    OpInfo("fill_diagonal_3d", lambda m, a: (a * 1).fill_diagonal_(-1.0), [((3, 3, 3),)],
           ref=lambda a: _fill_diagonal_ref(a, -1.0), grad_fn="CopySlices"),
]
