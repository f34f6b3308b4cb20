"""OpInfo entries for ember/ops/margin_loss.py and poisson_nll_loss: the fused hinge losses on
class scores through nn.functional, the embedding losses at torch.X (reduction an enum there)."""
import numpy as np

from . import OpInfo

REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduce(x, reduction):
    return {"none": x, "mean": np.mean(x), "sum": np.sum(x)}[reduction]


def _scores_and_classes(rng, dtype, shapes):
    """Scores (N, C), class targets (N,), and a class weight (C,) when a third shape is given."""
    n, c = shapes[0]
    out = [rng.uniform(-2, 2, size=(n, c)).astype(dtype), rng.integers(0, c, n).astype(np.int64)]
    if len(shapes) > 2:
        out.append(rng.uniform(0.5, 2.0, size=c).astype(dtype))
    return out


def _multi_margin_ref(p, margin, reduction):
    def ref(x, t, w=None):
        n, c = x.shape
        loss = np.zeros(n)
        for i in range(n):
            for j in range(c):
                if j != t[i]:
                    h = max(0.0, margin - x[i, t[i]] + x[i, j]) ** p
                    loss[i] += h * (1.0 if w is None else w[t[i]])
        return _reduce(loss / c, reduction)
    return ref


def _label_lists(rng, dtype, shapes):
    """Scores (N, C) and multi-label targets: each row some classes, then -1 and leftovers."""
    n, c = shapes[0]
    x = rng.uniform(-2, 2, size=(n, c)).astype(dtype)
    t = np.full((n, c), -1, np.int64)
    for i in range(n):
        k = 1 + i % (c - 1)
        t[i, :k] = rng.permutation(c)[:k]
        t[i, k + 1:] = rng.integers(0, c, c - k - 1)  # after the -1: ignored
    return [x, t]


def _multilabel_ref(reduction):
    def ref(x, t):
        n, c = x.shape
        loss = np.zeros(n)
        for i in range(n):
            targets = []
            for v in t[i]:
                if v < 0:
                    break
                targets.append(v)
            for j in targets:
                for k in range(c):
                    if k not in targets:
                        loss[i] += max(0.0, 1.0 - x[i, j] + x[i, k])
        return _reduce(loss / c, reduction)
    return ref


def _signs(rng, dtype, shapes):
    """Float inputs, then a target of +-1 of the last shape."""
    out = [rng.uniform(-2, 2, size=s).astype(dtype) for s in shapes[:-1]]
    out.append(np.where(rng.random(shapes[-1]) < 0.5, -1.0, 1.0).astype(dtype))
    return out


def _cos_embed_ref(margin, reduction):
    def ref(a, b, y):
        cos = (a * b).sum(-1) / np.sqrt(((a * a).sum(-1) + 1e-12) * ((b * b).sum(-1) + 1e-12))
        loss = np.where(y == 1, 1 - cos, np.maximum(0.0, cos - margin))
        return _reduce(loss, reduction)
    return ref


def _triplet_ref(margin, swap, reduction):
    def dist(u, v):
        return np.sqrt(((u - v + 1e-6) ** 2).sum(-1))

    def ref(a, p, n):
        d_neg = dist(a, n)
        if swap:
            d_neg = np.minimum(d_neg, dist(p, n))
        return _reduce(np.maximum(0.0, margin + dist(a, p) - d_neg), reduction)
    return ref


def _poisson_inputs(rng, dtype, shapes):
    return [rng.uniform(0.2, 2.0, size=shapes[0]).astype(dtype),
            rng.uniform(0.0, 4.0, size=shapes[1]).astype(dtype)]


def _poisson_ref(log_input, full, reduction):
    def ref(x, y):
        loss = np.exp(x) - y * x if log_input else x - y * np.log(x + 1e-8)
        if full:
            safe = np.where(y > 1, y, 2.0)
            loss = loss + np.where(y > 1, safe * np.log(safe) - safe
                                   + 0.5 * np.log(2 * np.pi * safe), 0.0)
        return _reduce(loss, reduction)
    return ref


def _per_reduction():
    ops = []
    for r, enum in REDUCTIONS.items():
        ops += [
            OpInfo(f"multi_margin_loss_{r}", lambda m, x, t, r=r: m.nn.functional.multi_margin_loss(
                       x, t, reduction=r), [((4, 5), (4,))], make_inputs=_scores_and_classes,
                   ref=_multi_margin_ref(1, 1.0, r), grad_fn="MultiMarginLossBackward0",
                   kinks_ok=False),
            OpInfo(f"multi_margin_loss_p2_weight_{r}", lambda m, x, t, w, r=r:
                   m.nn.functional.multi_margin_loss(x, t, p=2, margin=0.6, weight=w, reduction=r),
                   [((4, 5), (4,), (5,))], make_inputs=_scores_and_classes, grad_inputs=(0,),
                   ref=_multi_margin_ref(2, 0.6, r), grad_fn="MultiMarginLossBackward0"),
            OpInfo(f"multilabel_margin_loss_{r}", lambda m, x, t, r=r:
                   m.nn.functional.multilabel_margin_loss(x, t, reduction=r),
                   [((4, 5), (4, 5))], make_inputs=_label_lists, ref=_multilabel_ref(r),
                   grad_fn="MultilabelMarginLossBackward0"),
            OpInfo(f"cosine_embedding_loss_{r}", lambda m, a, b, y, e=enum:
                   m.cosine_embedding_loss(a, b, y, 0.2, e), [((4, 3), (4, 3), (4,))],
                   make_inputs=_signs, grad_inputs=(0, 1), ref=_cos_embed_ref(0.2, r)),
            OpInfo(f"hinge_embedding_loss_{r}", lambda m, x, y, e=enum:
                   m.hinge_embedding_loss(x, y, 0.5, e), [((3, 4), (3, 4))], make_inputs=_signs,
                   grad_inputs=(0,),
                   ref=lambda x, y, r=r: _reduce(np.where(y == 1, x, np.maximum(0, 0.5 - x)), r)),
            OpInfo(f"margin_ranking_loss_{r}", lambda m, a, b, y, e=enum:
                   m.margin_ranking_loss(a, b, y, 0.3, e), [((5,), (5,), (5,))],
                   make_inputs=_signs, grad_inputs=(0, 1),
                   ref=lambda a, b, y, r=r: _reduce(np.maximum(0, -y * (a - b) + 0.3), r),
                   error_inputs=(lambda m: m.nn.functional.margin_ranking_loss(
                       m.ones(3), m.ones(3), m.ones(1, 3)),)),
            OpInfo(f"triplet_margin_loss_swap_{r}", lambda m, a, p, n, e=enum:
                   m.triplet_margin_loss(a, p, n, 1.5, 2, 1e-6, True, e),
                   [((4, 3), (4, 3), (4, 3))], ref=_triplet_ref(1.5, True, r)),
            OpInfo(f"triplet_margin_with_distance_loss_{r}", lambda m, a, p, n, r=r:
                   m.nn.functional.triplet_margin_with_distance_loss(a, p, n, margin=1.5,
                                                                     reduction=r),
                   [((4, 3), (4, 3), (4, 3))], ref=_triplet_ref(1.5, False, r),
                   error_inputs=(lambda m: m.nn.functional.triplet_margin_with_distance_loss(
                       m.ones(2, 3), m.ones(2, 3), m.ones(3)),)),
            OpInfo(f"poisson_nll_loss_{r}", lambda m, x, y, e=enum:
                   m.poisson_nll_loss(x, y, True, False, 1e-8, e), [((3, 4), (3, 4))],
                   make_inputs=_poisson_inputs, ref=_poisson_ref(True, False, r),
                   grad_inputs=(0,)),
            OpInfo(f"poisson_nll_loss_full_{r}", lambda m, x, y, e=enum:
                   m.poisson_nll_loss(x, y, False, True, 1e-8, e), [((3, 4), (3, 4))],
                   make_inputs=_poisson_inputs, ref=_poisson_ref(False, True, r),
                   grad_inputs=(0,)),
        ]
    return ops


OPS = _per_reduction() + [
    OpInfo("multi_margin_loss_unbatched", lambda m, x, t: m.nn.functional.multi_margin_loss(
               x[0], t[0], reduction="none"), [((1, 5), (1,))], make_inputs=_scores_and_classes,
           ref=lambda x, t: _multi_margin_ref(1, 1.0, "none")(x, t)[0],
           grad_fn="MultiMarginLossBackward0",
           error_inputs=(lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3), m.tensor([0, 3])),
                         lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3), m.tensor([0])),
                         lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3, 4),
                                                                     m.tensor([0, 1])),
                         lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3), m.tensor([0, 1]),
                                                                     p=3),
                         lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3), m.ones(2)),
                         lambda m: m.nn.functional.multi_margin_loss(
                             m.ones(2, 3), m.tensor([0, 1]), weight=m.ones(2)))),
    OpInfo("multilabel_margin_loss_unbatched", lambda m, x, t:
           m.nn.functional.multilabel_margin_loss(x[0], t[0], reduction="none"),
           [((1, 4), (1, 4))], make_inputs=_label_lists,
           ref=lambda x, t: _multilabel_ref("none")(x, t)[0],
           grad_fn="MultilabelMarginLossBackward0",
           error_inputs=(lambda m: m.nn.functional.multilabel_margin_loss(m.ones(2, 3),
                                                                          m.tensor([0, 1])),
                         lambda m: m.nn.functional.multilabel_margin_loss(
                             m.ones(2, 3), m.tensor([[0, 3, -1], [1, -1, 0]])),
                         lambda m: m.nn.functional.multilabel_margin_loss(m.ones(2, 3),
                                                                          m.zeros(2, 3)))),
]
