"""OpInfo entries for tensor_split, hsplit, vsplit and dsplit (ember/ops/join.py).

NumPy's array_split / hsplit / vsplit / dsplit are the references: the same splitting rules,
written independently of ember's. Every piece is a view (SliceBackward0).
"""
import numpy as np

from . import OpInfo


def _split(name, shapes, fn, ref, error_inputs=()):
    return OpInfo(name, fn, shapes, ref=lambda a: tuple(ref(a)), grad_fn="SliceBackward0",
                  error_inputs=error_inputs)


OPS = [
    _split("tensor_split_sections", [((7, 3),), ((2, 5),)], lambda m, a: m.tensor_split(a, 3),
           lambda a: np.array_split(a, 3)),
    _split("tensor_split_sections_dim", [((2, 5, 3),)],
           lambda m, a: a.tensor_split(4, dim=1), lambda a: np.array_split(a, 4, axis=1)),
    _split("tensor_split_indices", [((3, 8),)],
           lambda m, a: m.tensor_split(a, [2, -3, 7, 10], dim=-1),
           lambda a: np.split(a, [2, 5, 7, 8], axis=-1)),
    _split("hsplit", [((2, 6, 3),), ((8,),)], lambda m, a: m.hsplit(a, 2),
           lambda a: np.hsplit(a, 2),
           error_inputs=(lambda m: m.hsplit(m.ones(3, 5), 2),
                         lambda m: m.hsplit(m.tensor(1.0), 1))),
    _split("hsplit_indices", [((3, 6),)], lambda m, a: a.hsplit([1, 4]),
           lambda a: np.hsplit(a, [1, 4])),
    _split("vsplit", [((6, 2),)], lambda m, a: m.vsplit(a, [2, 3]),
           lambda a: np.vsplit(a, [2, 3]), error_inputs=(lambda m: m.vsplit(m.ones(4), 2),)),
    _split("dsplit", [((2, 2, 6),)], lambda m, a: a.dsplit(3), lambda a: np.dsplit(a, 3),
           error_inputs=(lambda m: m.dsplit(m.ones(2, 4), 2),)),
]
