"""Margin and embedding losses: hinge losses on class scores (multi_margin_loss,
multilabel_margin_loss: fused ops, as in PyTorch) and composites on pairs and triplets of
embeddings (margin_ranking, hinge_embedding, cosine_embedding, triplet_margin).

The functions here take torch.X's arguments: `reduction` is 'none' | 'mean' | 'sum' or PyTorch's
enum 0 | 1 | 2 and, as torch.X (unlike nn.functional) does, is 'none' by default.
"""
from .._dtype import type_name as _type_name
from .._tensor import _make
from ._errors import refuse_non_floating
from ._op import Op, shape_str
from .clamping import where
from .similarity import pairwise_distance
from .loss import _reduce, _reduction

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
           "triplet_margin_loss"]


# -- composites on embeddings ---------------------------------------------------------------------

def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="none"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction="none"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _reduction(reduction)
    loss = where(target != 1, (margin - input).clamp_min(0), 0) + where(target != -1, input, 0)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="none"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where target is -1."""
    reduction = _reduction(reduction)
    dim = input1.dim() - 1
    # PyTorch adds 1e-12 to each squared magnitude
    denom = (((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)).sqrt()
    cos = (input1 * input2).sum(dim) / denom
    loss = where(target == 1, 1 - cos, 0) + where(target == -1, (cos - margin).clamp_min(0), 0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction="none"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise distance;
    swap uses d(positive, negative) where it is smaller."""
    reduction = _reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


# -- hinge losses on class scores -----------------------------------------------------------------

def _scores(input):
    """input (N, C) or (C,) as (N, C); PyTorch refuses other ranks and empty class dims."""
    nd = input.dim()
    if nd > 2 or nd and input.shape[-1] == 0:
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {shape_str(input.shape)}")
    return input.reshape(1, -1) if nd < 2 else input


def _long_target(target):
    if target.dtype.name != "int64":
        raise RuntimeError(f"expected scalar type Long but found {_type_name(target.dtype)}")


def _grad_rows(ctx, g):
    """The incoming gradient as one factor per sample, shaped (N, 1)."""
    if ctx.reduction == "none":
        return g.reshape(-1, 1)
    return g / ctx.n if ctx.reduction == "mean" else g


def _reduce_rows(loss, reduction, batched):
    if reduction == "none":
        return loss if batched else loss.reshape(())
    return _reduce(loss, reduction)


class MultiMarginLoss(Op):
    """sum over i != y of w[y] max(0, margin - x[y] + x[i]) ** p / C, per sample."""

    def forward(ctx, x, t, w, p, margin, reduction, batched):
        xp = ctx.xp
        n, c = x.shape
        if t.size and bool(((t < 0) | (t >= c)).any()):
            raise RuntimeError("target out of range")
        rows = xp.arange(n)
        z = margin - x[rows, t][:, None] + x
        active = z > 0
        active[rows, t] = False
        h = (z if p == 1 else z * z) * active
        if w is not None:
            h = h * w[t][:, None]
        ctx.p, ctx.margin, ctx.reduction, ctx.n = p, margin, reduction, n
        ctx.save_for_backward(x, t, w)
        return _reduce_rows(h.sum(1) / c, reduction, batched)

    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        xp = ctx.xp
        n, c = x.shape
        xd, td = x._data, t._data
        rows = xp.arange(n)
        z = ctx.margin - xd[rows, td][:, None] + xd
        mask = z > 0
        mask[rows, td] = False
        scale = (1.0 / c) if w is None else (w._data[td] / c)[:, None]
        active = _make((mask * scale).astype(xd.dtype))
        if ctx.p == 1:
            per = active
        else:  # 2 (margin - x[y] + x[i]) where active, as a Tensor: it has a second derivative
            per = (x - x.gather(1, t.reshape(-1, 1)) + ctx.margin) * active * 2.0
        per = per * _grad_rows(ctx, g)
        one_hot = _make((td[:, None] == xp.arange(c)[None, :]).astype(xd.dtype))
        return per - one_hot * per.sum(1, keepdim=True), None, None


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """The multi-class hinge loss of scores input (N, C) or (C,) and class indices target."""
    reduction = _reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    batched = input.dim() == 2
    x = _scores(input)
    n, c = x.shape
    if batched and (target.dim() != 1 or target.shape[0] != n) or not batched and \
            target.numel() != 1:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to "
                           "the number of input samples (batch size). Expected target size "
                           f"{shape_str((n,))}, but got {shape_str(target.shape)}. Input has "
                           f"shape {shape_str(input.shape)}.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                           f"{shape_str(weight.shape)}")
    _long_target(target)
    refuse_non_floating("multi_margin_loss_cpu_kernel", input)
    if weight is not None:
        weight = weight.reshape(-1)
    return MultiMarginLoss.apply(x, target.reshape(-1), weight, int(p), float(margin),
                                 reduction, batched)


class MultilabelMarginLoss(Op):
    """sum over the target classes j and the other classes i of max(0, 1 - (x[j] - x[i])) / C,
    per sample; a sample's targets are the entries of its row before the first -1."""

    def forward(ctx, x, t, reduction, batched):
        xp = ctx.xp
        c = x.shape[1]
        if t.size and bool(((t < -1) | (t >= c)).any()):
            raise RuntimeError("argument #2 'target' is out of range")
        ctx.reduction, ctx.n = reduction, x.shape[0]
        ctx.save_for_backward(x, t)
        z, active, _ = _multilabel_terms(xp, x, t)
        return _reduce_rows((z * active).sum((1, 2)) / c, reduction, batched)

    def backward(ctx, g):
        x, t = ctx.saved_tensors
        xp = ctx.xp
        xd = x._data
        c = xd.shape[1]
        _, active, picks = _multilabel_terms(xp, xd, t._data)
        # each active (j, i) term adds 1 to x[i]'s gradient and takes 1 from x[target j]'s
        grad = active.sum(1) - xp.einsum("nj,njc->nc", active.sum(2), picks)
        return _make((grad / c).astype(xd.dtype)) * _grad_rows(ctx, g), None


def _multilabel_terms(xp, x, t):
    """z[n, j, i] = 1 - x[n, target j] + x[n, i]; the mask of the terms that count (j a target,
    i not a target, z > 0); picks[n, j, c]: target j of sample n is class c."""
    n, c = x.shape
    valid = xp.cumsum(t < 0, axis=1) == 0
    safe = xp.where(valid, t, 0)
    picks = (safe[:, :, None] == xp.arange(c)[None, None, :]) & valid[:, :, None]
    is_target = picks.any(1)
    z = 1.0 - xp.take_along_axis(x, safe, 1)[:, :, None] + x[:, None, :]
    active = (z > 0) & valid[:, :, None] & ~is_target[:, None, :]
    return z, active.astype(x.dtype), picks.astype(x.dtype)


def multilabel_margin_loss(input, target, reduction="mean"):
    """The multi-label hinge loss of scores input (N, C) or (C,) and targets of the same shape
    holding class indices, ended by -1."""
    reduction = _reduction(reduction)
    batched = input.dim() == 2
    x = _scores(input)
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {shape_str(target.shape)} for input of "
                           f"size: {shape_str(input.shape)}")
    _long_target(target)
    refuse_non_floating("multilabel_margin_loss_forward_out_frame", input)
    return MultilabelMarginLoss.apply(x, target.reshape(x.shape), reduction, batched)
