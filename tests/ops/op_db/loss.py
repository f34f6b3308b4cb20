"""OpInfo entries for ember/ops/loss.py, run through torch.nn.functional on the torch side."""
import warnings

import numpy as np

from . import OpInfo

REDUCTIONS = ("none", "mean", "sum")


def F(m):
    """The module holding the loss functions: torch.nn.functional, or ember's loss ops."""
    if m.__name__ == "torch":
        return m.nn.functional
    from ember.ops import loss
    return loss


def _quiet(fn, *args):
    """Call fn with its warnings (here: the broadcast-target warning) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def _reduce(x, reduction):
    return {"none": x, "mean": np.mean(x), "sum": np.sum(x)}[reduction]


def _nll_ref(reduction, weighted=False, ignore_index=-100):
    def ref(x, t, *w):
        w = w[0] if w else np.ones(x.shape[1] if x.ndim > 1 else x.shape[0])
        valid = t != ignore_index
        safe = np.where(valid, t, 0)
        picked = np.take_along_axis(x, safe[:, None], 1)[:, 0] if x.ndim > 1 else x[safe]
        wt = w[safe] * valid
        loss = -picked * wt
        if reduction == "mean":
            return loss.sum() / wt.sum()
        return _reduce(loss, reduction)
    return ref


def _targets(n_classes, shape, ignore=None):
    """Class-index targets (int64), with one entry set to `ignore` when given."""
    def make(rng, dtype, shapes):
        x = rng.uniform(-2, 2, size=shapes[0]).astype(dtype)
        t = rng.integers(0, n_classes, size=shape).astype(np.int64)
        if ignore is not None:
            t.reshape(-1)[0] = ignore
        out = [x, t]
        if len(shapes) > 2:
            out.append(rng.uniform(0.5, 2.0, size=shapes[2]).astype(dtype))
        return out
    return make


def _huber_ref(delta, scale=1.0):
    def ref(x, y, reduction):
        d = np.abs(x - y)
        loss = np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)) * scale
        return _reduce(loss, reduction)
    return ref


def _probs(rng, dtype, shapes):
    """binary_cross_entropy inputs: probabilities away from 0 and 1, targets in [0, 1]."""
    out = [rng.uniform(0.1, 0.9, size=shapes[0]).astype(dtype),
           rng.uniform(0.0, 1.0, size=shapes[1]).astype(dtype)]
    out += [rng.uniform(0.5, 2.0, size=s).astype(dtype) for s in shapes[2:]]
    return out


def _logits(rng, dtype, shapes):
    out = [rng.uniform(-3, 3, size=shapes[0]).astype(dtype),
           rng.uniform(0.0, 1.0, size=shapes[1]).astype(dtype)]
    out += [rng.uniform(0.5, 2.0, size=s).astype(dtype) for s in shapes[2:]]
    return out


def _bce_ref(reduction):
    def ref(x, y, *w):
        loss = -(y * np.log(x) + (1 - y) * np.log1p(-x))
        return _reduce(loss * w[0] if w else loss, reduction)
    return ref


def _bce_logits_ref(reduction):
    def ref(x, y, w=None, pw=None):
        log_sig = -np.logaddexp(0, -x)
        log_one_minus = -np.logaddexp(0, x)
        pw = 1.0 if pw is None else pw
        loss = -(pw * y * log_sig + (1 - y) * log_one_minus)
        return _reduce(loss if w is None else loss * w, reduction)
    return ref


def _kl_ref(reduction, log_target):
    def ref(x, t):
        loss = np.exp(t) * (t - x) if log_target else t * (np.log(t) - x)
        if reduction == "batchmean":
            return loss.sum() / x.shape[0]
        return _reduce(loss, reduction)
    return ref


def _per_reduction():
    ops = []
    for r in REDUCTIONS:
        ops += [
            OpInfo(f"nll_loss_{r}", lambda m, x, t, r=r: F(m).nll_loss(x, t, reduction=r),
                   [((4, 5), (4,))], make_inputs=_targets(5, (4,)), ref=_nll_ref(r),
                   grad_fn="NllLossBackward0", grad_inputs=(0,),
                   error_inputs=(lambda m: F(m).nll_loss(m.ones(4, 5), m.zeros(3).long()),
                                 lambda m: F(m).nll_loss(m.ones(4, 5), m.zeros(4)),
                                 lambda m: F(m).nll_loss(m.ones(4, 5), m.tensor([0, 1, 2, 5])))),
            OpInfo(f"nll_loss_weight_ignore_{r}", lambda m, x, t, w, r=r: F(m).nll_loss(
                       x, t, w, ignore_index=2, reduction=r),
                   [((4, 3), (4,), (3,))], make_inputs=_targets(3, (4,), ignore=2),
                   ref=_nll_ref(r, ignore_index=2), grad_fn="NllLossBackward0",
                   grad_inputs=(0,)),
            OpInfo(f"mse_loss_{r}", lambda m, x, y, r=r: F(m).mse_loss(x, y, reduction=r),
                   [((3, 4), (3, 4)), ((), ())], ref=lambda x, y, r=r: _reduce((x - y) ** 2, r),
                   grad_fn="MseLossBackward0", error_inputs=(((3, 4), (2, 4)),)),
            OpInfo(f"smooth_l1_loss_{r}", lambda m, x, y, r=r: F(m).smooth_l1_loss(
                       x, y, reduction=r, beta=0.5), [((3, 4), (3, 4))],
                   ref=lambda x, y, r=r: _huber_ref(0.5, 1 / 0.5)(x, y, r),
                   grad_fn="SmoothL1LossBackward0"),
            OpInfo(f"huber_loss_{r}", lambda m, x, y, r=r: F(m).huber_loss(
                       x, y, reduction=r, delta=0.8), [((3, 4), (3, 4))],
                   ref=lambda x, y, r=r: _huber_ref(0.8)(x, y, r), grad_fn="HuberLossBackward0"),
            OpInfo(f"l1_loss_{r}", lambda m, x, y, r=r: F(m).l1_loss(x, y, reduction=r),
                   [((3, 4), (3, 4))], ref=lambda x, y, r=r: _reduce(np.abs(x - y), r),
                   error_inputs=(((3, 4), (5,)),),
                   grad_fn={"none": "AbsBackward0", "mean": "MeanBackward0",
                            "sum": "SumBackward0"}[r]),
            OpInfo(f"binary_cross_entropy_{r}", lambda m, x, y, w, r=r: F(m).binary_cross_entropy(
                       x, y, w, reduction=r), [((3, 4), (3, 4), (3, 4))], make_inputs=_probs,
                   ref=_bce_ref(r), grad_fn="BinaryCrossEntropyBackward0", grad_inputs=(0, 1),
                   error_inputs=(lambda m: F(m).binary_cross_entropy(m.ones(3, 4) / 2,
                                                                     m.ones(4, 3) / 2),)),
            OpInfo(f"bce_with_logits_{r}", lambda m, x, y, r=r:
                   F(m).binary_cross_entropy_with_logits(x, y, reduction=r),
                   [((3, 4), (3, 4))], make_inputs=_logits, ref=_bce_logits_ref(r),
                   grad_fn="BinaryCrossEntropyWithLogitsBackward0",
                   error_inputs=(((3, 4), (4, 3)),)),
            OpInfo(f"bce_with_logits_weights_{r}", lambda m, x, y, w, pw, r=r:
                   F(m).binary_cross_entropy_with_logits(x, y, w, reduction=r, pos_weight=pw),
                   [((3, 4), (3, 4), (4,), (4,))], make_inputs=_logits,
                   ref=_bce_logits_ref(r), grad_fn="BinaryCrossEntropyWithLogitsBackward0",
                   grad_inputs=(0, 1)),
        ]
    return ops


def _kl_inputs(rng, dtype, shapes):
    return [rng.uniform(-2, 0, size=shapes[0]).astype(dtype),
            rng.uniform(0.1, 1.0, size=shapes[1]).astype(dtype)]


OPS = _per_reduction() + [
    OpInfo("nll_loss_1d", lambda m, x, t: F(m).nll_loss(x, t), [((5,), ())],
           make_inputs=_targets(5, ()), ref=lambda x, t: -x[t], grad_fn="NllLossBackward0",
           grad_inputs=(0,)),
    OpInfo("nll_loss_2d", lambda m, x, t: F(m).nll_loss(x, t), [((2, 3, 2, 2), (2, 2, 2))],
           make_inputs=_targets(3, (2, 2, 2)),
           ref=lambda x, t: -np.take_along_axis(x, t[:, None], 1).mean(),
           grad_fn="NllLoss2DBackward0", grad_inputs=(0,)),
    OpInfo("nll_loss_nd_none", lambda m, x, t: F(m).nll_loss(x, t, reduction="none"),
           [((2, 3, 4), (2, 4))], make_inputs=_targets(3, (2, 4)),
           ref=lambda x, t: -np.take_along_axis(x, t[:, None], 1)[:, 0],
           grad_fn="ViewBackward0", grad_inputs=(0,)),
    OpInfo("nll_loss_nd_sum", lambda m, x, t: F(m).nll_loss(x, t, reduction="sum"),
           [((2, 3, 2, 1, 2), (2, 2, 1, 2))], make_inputs=_targets(3, (2, 2, 1, 2)),
           ref=lambda x, t: -np.take_along_axis(x, t[:, None], 1).sum(),
           grad_fn="NllLoss2DBackward0", grad_inputs=(0,)),
    OpInfo("mse_loss_broadcast_target", lambda m, x, y: _quiet(F(m).mse_loss, x, y),
           [((3, 4), (4,))], ref=lambda x, y: np.mean((x - y) ** 2), grad_fn="MseLossBackward0"),
] + [
    OpInfo(f"kl_div_{r}_{lt}", lambda m, x, t, r=r, lt=lt: F(m).kl_div(
               x, t, reduction=r, log_target=lt), [((3, 4), (3, 4))], make_inputs=_kl_inputs,
           ref=_kl_ref(r, lt),
           grad_fn={"none": "MulBackward0" if lt else "SubBackward0", "mean": "MeanBackward0",
                    "sum": "SumBackward0", "batchmean": "DivBackward0"}[r])
    for r in ("none", "sum", "batchmean") for lt in (False, True)
]
