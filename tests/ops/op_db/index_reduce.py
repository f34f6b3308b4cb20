"""OpInfo entries for index_reduce (ember/ops/scatter_gather.py): each reduction with and
without the input's own values, along dim 0 and dim 1, gradients as torch has them for all four.
The reference reduces each target slice's values by Python loops."""
import numpy as np

from . import OpInfo

_ROWS = [2, 0, 2, 0]  # targets repeat, one row (1) is never hit
_REDUCE = {"prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}


def _on(m, like, data):
    return m.tensor(data, device=like.device)


def _np_index_reduce(a, rows, src, reduce, include_self, dim=0):
    a, src = np.moveaxis(a, dim, 0), np.moveaxis(src, dim, 0)
    out = a.copy()
    for target in set(rows):
        slices = [src[k] for k, r in enumerate(rows) if r == target]
        if include_self:
            slices.insert(0, a[target])
        out[target] = _REDUCE[reduce](np.stack(slices), axis=0)
    return np.moveaxis(out, 0, dim)


def _entry(reduce, include_self):
    def fn(m, a, s):
        return a.index_reduce(0, _on(m, a, _ROWS), s, reduce, include_self=include_self)

    def fn_dim1(m, a, s):
        return m.index_reduce(a, 1, _on(m, a, [1, 1]), s, reduce, include_self=include_self)
    name = f"index_reduce_{reduce}_{'self' if include_self else 'noself'}"
    return [
        OpInfo(name, fn, [((3, 2), (4, 2))], domain=(0.5, 2.0),
               ref=lambda a, s: _np_index_reduce(a, _ROWS, s, reduce, include_self),
               grad_fn="IndexReduceBackward0"),
        OpInfo(name + "_dim1", fn_dim1, [((2, 3), (2, 2))], domain=(0.5, 2.0),
               ref=lambda a, s: _np_index_reduce(a, [1, 1], s, reduce, include_self, dim=1),
               grad_fn="IndexReduceBackward0"),
    ]


OPS = [info for reduce in _REDUCE for include_self in (True, False)
       for info in _entry(reduce, include_self)]
OPS[0].error_inputs = (
    lambda m: m.ones(3).index_reduce(0, m.tensor([0]), m.ones(1), "sum"),
    lambda m: m.ones(3).index_reduce(0, m.tensor([5]), m.ones(1), "prod"),
    lambda m: m.ones(3).index_reduce(0, m.tensor([-1]), m.ones(1), "amax"),
    lambda m: m.ones(3).index_reduce(0, m.tensor([0.0]), m.ones(1), "prod"),
    lambda m: m.ones(3).index_reduce(0, m.tensor([[0]]), m.ones(1), "prod"),
    lambda m: m.ones(3).index_reduce(0, m.tensor([0, 1]), m.ones(1), "prod"),
    lambda m: m.ones(3, 2).index_reduce(0, m.tensor([0]), m.ones(1, 3), "prod"),
    lambda m: m.ones(3).index_reduce(0, m.tensor([0]), m.ones(1, dtype=m.float64), "prod"),
    lambda m: m.ones(3).index_reduce(1, m.tensor([0]), m.ones(1), "prod"),
)
