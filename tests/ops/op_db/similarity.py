"""OpInfo entries for ember/ops/similarity.py: pdist, pairwise_distance, cosine_similarity."""
import numpy as np

from . import OpInfo


def _pdist(x, p=2.0):
    n = x.shape[0]
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            d = np.abs(x[i] - x[j])
            out.append(d.max() if p == np.inf else (d ** p).sum() ** (1 / p))
    return np.array(out)


def _cosine(a, b, dim=1, eps=1e-8):
    na = np.maximum(np.sqrt((a * a).sum(dim, keepdims=True)), eps)
    nb = np.maximum(np.sqrt((b * b).sum(dim, keepdims=True)), eps)
    return ((a / na) * (b / nb)).sum(dim)


OPS = [
    OpInfo("pdist", lambda m, x: m.pdist(x), [((4, 3),), ((1, 3),), ((5, 1),)], ref=_pdist,
           grad_fn="PdistBackward0",
           error_inputs=(lambda m: m.pdist(m.ones(3)), lambda m: m.pdist(m.ones(3, 2), -1.0),
                         lambda m: m.pdist(m.ones(3, 2).long()))),
    OpInfo("pdist_p1", lambda m, x: m.nn.functional.pdist(x, 1), [((4, 3),)],
           ref=lambda x: _pdist(x, 1.0), grad_fn="PdistBackward0"),
    OpInfo("pdist_p3", lambda m, x: m.pdist(x, 3), [((4, 3),)], ref=lambda x: _pdist(x, 3.0),
           grad_fn="PdistBackward0"),
    OpInfo("pdist_pinf", lambda m, x: m.pdist(x, float("inf")), [((4, 3),)],
           ref=lambda x: _pdist(x, np.inf), grad_fn="PdistBackward0", gradgrad=False),
    OpInfo("pairwise_distance", lambda m, a, b: m.pairwise_distance(a, b, 3.0, 1e-6, True),
           [((4, 3), (4, 3)), ((4, 3), (3,))],
           ref=lambda a, b: (np.abs(a - b + 1e-6) ** 3).sum(-1, keepdims=True) ** (1 / 3),
           grad_fn="NormBackward1"),
    OpInfo("cosine_similarity", lambda m, a, b: m.cosine_similarity(a, b, 0),
           [((4, 3), (4, 3)), ((4, 1), (4, 3))], ref=lambda a, b: _cosine(a, b, 0),
           grad_fn="SumBackward1"),
]
