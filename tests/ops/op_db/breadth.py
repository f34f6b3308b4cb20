"""OpInfo entries for the torch-level ops of issue 9: as_strided, as_strided_scatter,
diagonal_scatter (ember/ops/strided.py), cartesian_prod, combinations (combinatorics.py), frexp
(float_parts.py), igamma/igammac (incomplete_gamma.py), renorm (renorm.py), gradient
(gradient.py). References are NumPy float64 written from each op's definition."""
import itertools
import math

import numpy as np

from . import OpInfo


def _as_strided_ref(a, size, stride, offset):
    flat = a.reshape(-1)
    out = np.empty(size)
    for idx in itertools.product(*(range(n) for n in size)):
        out[idx] = flat[offset + sum(i * s for i, s in zip(idx, stride))]
    return out


def _as_strided_scatter_ref(a, src, size, stride, offset):
    out = a.copy().reshape(-1)
    for idx in itertools.product(*(range(n) for n in size)):
        out[offset + sum(i * s for i, s in zip(idx, stride))] = src[idx]
    return out.reshape(a.shape)


def _diagonal_scatter_ref(a, src, offset):
    out = a.copy()
    for k in range(src.shape[0]):
        out[k - min(offset, 0), k + max(offset, 0)] = src[k]
    return out


def _renorm_ref(a, p, dim, maxnorm):
    out = a.copy()
    for i in range(a.shape[dim]):
        sl = np.take(a, i, axis=dim)
        norm = np.sum(np.abs(sl) ** p) ** (1 / p)
        if norm > maxnorm:
            idx = [slice(None)] * a.ndim
            idx[dim] = i
            out[tuple(idx)] = sl * (maxnorm / (norm + 1e-7))
    return out


def _lower_gamma_ref(a, x):
    """P(a, x) by its power series summed term by term in Python floats."""
    out = np.empty(np.broadcast(a, x).shape)
    for idx, (ai, xi) in zip(np.ndindex(out.shape), np.broadcast(a, x)):
        term = total = 1.0 / ai
        n = 0
        while abs(term) > 1e-17 * abs(total):
            n += 1
            term *= xi / (ai + n)
            total += term
        out[idx] = total * math.exp(-xi + ai * math.log(xi) - math.lgamma(ai))
    return out


def _positive(rng, dtype, shapes):
    return [rng.uniform(0.3, 3.0, size=s).astype(dtype) for s in shapes]


def _gradient_ref(a, h, dim):
    return np.gradient(a, h, axis=dim)


OPS = [
    OpInfo("as_strided", lambda m, a: m.as_strided(a, (3, 2), (1, 2), 1), [((2, 4),)],
           ref=lambda a: _as_strided_ref(a, (3, 2), (1, 2), 1), grad_fn="AsStridedBackward0",
           error_inputs=(lambda m: m.as_strided(m.ones(2, 3), (3, 3), (1, 2)),
                         lambda m: m.as_strided(m.ones(2, 3), (2,), (1, 1)))),
    OpInfo("as_strided_overlapping", lambda m, a: a.as_strided((3, 3), (1, 1)), [((2, 3),)],
           ref=lambda a: _as_strided_ref(a, (3, 3), (1, 1), 0), grad_fn="AsStridedBackward0"),
    OpInfo("as_strided_scatter",
           lambda m, a, s: m.as_strided_scatter(a, s, (2, 2), (1, 3)), [((3, 3), (2, 2))],
           ref=lambda a, s: _as_strided_scatter_ref(a, s, (2, 2), (1, 3), 0),
           grad_fn="AsStridedScatterBackward0", grad_inputs=(1,),  # torch 2.13's gradient
           # for input is wrong (its own gradcheck fails); ember's is checked in the unit tests
           error_inputs=(lambda m: m.as_strided_scatter(m.ones(3), m.ones(2), (3,), (1,)),)),
    OpInfo("diagonal_scatter", lambda m, a, s: m.diagonal_scatter(a, s, 1), [((3, 4), (3,))],
           ref=lambda a, s: _diagonal_scatter_ref(a, s, 1), grad_fn="DiagonalScatterBackward0",
           error_inputs=(lambda m: m.diagonal_scatter(m.ones(3, 3), m.ones(2)),)),
    OpInfo("diagonal_scatter_below", lambda m, a, s: a.diagonal_scatter(s, -1),
           [((4, 3), (3,))], ref=lambda a, s: _diagonal_scatter_ref(a, s, -1),
           grad_fn="DiagonalScatterBackward0"),
    OpInfo("cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b), [((3,), (2,))],
           ref=lambda a, b: np.array([[x, y] for x in a for y in b]), grad_fn="StackBackward0",
           error_inputs=(lambda m: m.cartesian_prod(m.ones(2, 2)),)),
    OpInfo("combinations", lambda m, a: m.combinations(a, 3, with_replacement=True), [((4,),)],
           ref=lambda a: np.array(list(itertools.combinations_with_replacement(a, 3))),
           grad_fn="StackBackward0", error_inputs=(lambda m: m.combinations(m.ones(2), -1),)),
    OpInfo("frexp", lambda m, a: m.frexp(a * 7), [((3, 4),)],
           ref=lambda a: np.frexp(a * 7), grad_fn="FrexpBackward0",
           error_inputs=(lambda m: m.frexp(m.ones(2, dtype=m.int64)),)),
    OpInfo("igamma", lambda m, a, x: m.igamma(a, x), [((3, 4), (3, 4)), ((4,), (2, 4))],
           ref=_lower_gamma_ref, grad_fn="IgammaBackward0", grad_inputs=(1,),
           make_inputs=_positive, error_inputs=(lambda m: m.igamma(m.ones(2), m.ones(3)),)),
    OpInfo("igammac", lambda m, a, x: a.igammac(x), [((3, 4), (3, 4))],
           ref=lambda a, x: 1 - _lower_gamma_ref(a, x), grad_fn="IgammacBackward0",
           grad_inputs=(1,), make_inputs=_positive),
    OpInfo("renorm", lambda m, a: m.renorm(a, 2, 0, 0.9), [((3, 4),)],
           ref=lambda a: _renorm_ref(a, 2, 0, 0.9), grad_fn="RenormBackward0",
           error_inputs=(lambda m: m.renorm(m.ones(2, 2), 0, 0, 1.0),)),
    OpInfo("renorm_p3_dim1", lambda m, a: a.renorm(3, 1, 1.1), [((3, 4, 2),)],
           ref=lambda a: _renorm_ref(a, 3, 1, 1.1), grad_fn="RenormBackward0"),
    OpInfo("gradient", lambda m, a: m.gradient(a, spacing=0.5), [((4, 5),)],
           ref=lambda a: tuple(np.gradient(a, 0.5)), grad_fn="CatBackward0",
           error_inputs=(lambda m: m.gradient(m.ones(2), edge_order=2),)),
    OpInfo("gradient_edge2_dim", lambda m, a: m.gradient(a, dim=1, edge_order=2), [((2, 5),)],
           ref=lambda a: (np.gradient(a, axis=1, edge_order=2),), grad_fn="CatBackward0"),
]
