"""CTC loss: the negative log likelihood of a label sequence summed over every alignment of it
(blanks between and around the labels) to the input frames.

The forward is the log-space alpha recursion over the extended label sequence
(blank, l1, blank, l2, ..., blank), one step per frame, vectorised over the batch; the backward
runs the beta recursion the other way and combines alpha * beta per class. As PyTorch's kernel
does, the gradient is written for log_probs that are a log_softmax (it is the gradient with
respect to the logits): exp(log_probs) - exp(log(sum over s of alpha beta) + nll - log_probs).
Its own derivative is not implemented, as in PyTorch.
"""
import numpy as np

from .._tensor import Tensor
from ._op import Op
from .clamping import where
from .loss import _reduction

__all__ = ["ctc_loss"]

_CHECKING = "(while checking arguments for ctc_loss_allocate_outputs)"


def _logsumexp(xp, *terms):
    """log(sum(exp(terms))) elementwise; -inf where every term is -inf."""
    top = terms[0]
    for t in terms[1:]:
        top = xp.maximum(top, t)
    shift = xp.where(xp.isfinite(top), top, 0.0)
    total = xp.exp(terms[0] - shift)
    for t in terms[1:]:
        total += xp.exp(t - shift)
    with np.errstate(divide="ignore"):
        return xp.log(total) + shift


def _shift(xp, a, k):
    """a (N, L) moved k places along the labels: to the right (k > 0, the states before s) or the
    left (k < 0, the states after s), -inf filling the vacated places."""
    out = xp.full(a.shape, -np.inf, a.dtype)
    if k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    return out


class CtcLoss(Op):
    """Per-sample nll (N,) of log_probs (T, N, C). `labels` (N, S) holds each sample's targets
    (padding past its length); il and tl are host int64 arrays of the lengths."""

    def forward(ctx, log_probs, labels, il, tl, blank, zero_infinity):
        xp = ctx.xp
        T, N, _ = log_probs.shape
        L = 2 * labels.shape[1] + 1
        ext = xp.full((N, L), blank, np.int64)
        ext[:, 1::2] = xp.asarray(labels)
        states = 2 * xp.asarray(tl) + 1
        ext[xp.arange(L)[None, :] >= states[:, None]] = blank
        # a label may be reached from two states back unless the state between is a repeat
        skip = xp.zeros((N, L), bool)
        skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]
        lpe = xp.take_along_axis(log_probs, xp.broadcast_to(ext[None], (T, N, L)), axis=2)
        alpha = xp.full((T, N, L), -np.inf, log_probs.dtype)
        alpha[0, :, 0] = lpe[0, :, 0]
        if L > 1:
            alpha[0, :, 1] = xp.where(states > 1, lpe[0, :, 1], -np.inf)
        for t in range(1, T):
            a = alpha[t - 1]
            two_back = xp.where(skip, _shift(xp, a, 2), -np.inf)
            alpha[t] = _logsumexp(xp, a, _shift(xp, a, 1), two_back) + lpe[t]
        last = xp.asarray(np.maximum(il - 1, 0))
        rows = xp.arange(N)
        end = alpha[last, rows, states - 1]
        before = alpha[last, rows, xp.maximum(states - 2, 0)]
        ll = _logsumexp(xp, end, xp.where(states > 1, before, -np.inf))
        empty = xp.asarray(il == 0)  # no frames: only the empty label sequence has an alignment
        ll = xp.where(empty, xp.where(states == 1, 0.0, -np.inf), ll).astype(log_probs.dtype)
        ctx.save_for_backward(log_probs)
        ctx.ext, ctx.skip, ctx.lpe, ctx.alpha = ext, skip, lpe, alpha
        ctx.il, ctx.states, ctx.nll, ctx.zero_infinity = il, states, -ll, zero_infinity
        return -ll

    def backward(ctx, g):
        (log_probs,) = ctx.saved_tensors
        return CtcLossGrad.apply(g, log_probs, ctx), None


class CtcLossGrad(Op, grad_fn="NotImplemented"):
    """The gradient of CtcLoss for an incoming gradient g (N,): the beta recursion, then alpha
    * beta summed per class."""

    def forward(ctx, g, log_probs, fwd):
        xp = ctx.xp
        T, N, C = log_probs.shape
        L = fwd.ext.shape[1]
        il = xp.asarray(fwd.il)
        s = xp.arange(L)[None, :]
        finals = (s == fwd.states[:, None] - 1) | (s == fwd.states[:, None] - 2)
        skip_ahead = xp.zeros_like(fwd.skip)  # state s may jump to s + 2
        skip_ahead[:, :-2] = fwd.skip[:, 2:]
        log_ab = xp.empty((T, N, L), log_probs.dtype)
        beta = xp.full((N, L), -np.inf, log_probs.dtype)
        for t in range(T - 1, -1, -1):
            lp = fwd.lpe[t]
            two_ahead = xp.where(skip_ahead, _shift(xp, beta, -2), -np.inf)
            step = _logsumexp(xp, beta, _shift(xp, beta, -1), two_ahead) + lp
            start = xp.where(finals, lp, -np.inf)
            beta = xp.where((t == il - 1)[:, None], start,
                            xp.where((t < il - 1)[:, None], step, -np.inf))
            log_ab[t] = fwd.alpha[t] + beta
        # log of sum over the states s of class c of alpha * beta, per (t, n, c)
        top = log_ab.max(axis=2, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0.0)
        one_hot = (fwd.ext[:, :, None] == xp.arange(C)[None, None, :]).astype(log_probs.dtype)
        per_class = xp.einsum("tns,nsc->tnc", xp.exp(log_ab - top), one_hot)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lcab = xp.log(per_class) + top
            grad = xp.exp(log_probs) - xp.exp(lcab + fwd.nll[None, :, None] - log_probs)
        keep = xp.arange(T)[:, None] < il[None, :]
        if fwd.zero_infinity:
            keep = keep & ~xp.isinf(fwd.nll)[None, :]
        grad = xp.where(keep[:, :, None], grad * g[None, :, None], 0.0)
        return grad.astype(log_probs.dtype, copy=False)

    def backward(ctx, gg):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _lengths(name, lengths):
    """A list of ints from a sequence, a 0-d or 1-d Tensor, or an int."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.is_floating_point:
            raise RuntimeError(f"{name} must be integral")
        lengths = lengths.tolist()
    if isinstance(lengths, int):
        return [lengths]
    return [int(v) for v in lengths]


def _labels(targets, tl, n):
    """Each sample's labels as rows of an (N, max target length) int64 host array: targets
    padded (N, S) or concatenated 1-D (sum of the target lengths)."""
    t = np.asarray(targets.detach().cpu()._data)
    width = max(tl, default=0)
    out = np.zeros((n, width), np.int64)
    if t.ndim == 1:
        if t.shape[0] != sum(tl):
            raise RuntimeError(f"Expected tensor to have size {sum(tl)} at dimension 0, but got "
                               f"size {t.shape[0]} for argument #2 'targets' {_CHECKING}")
        starts = np.cumsum([0] + tl[:-1])
        for i, (start, length) in enumerate(zip(starts, tl)):
            out[i, :length] = t[start:start + length]
        return out
    if t.shape[0] != n:
        raise RuntimeError(f"Expected tensor to have size {n} at dimension 0, but got size "
                           f"{t.shape[0]} for argument #2 'targets' {_CHECKING}")
    if width > t.shape[1]:
        raise RuntimeError(f"Expected tensor to have size at least {width} at dimension 1, but "
                           f"got size {t.shape[1]} for argument #2 'targets' {_CHECKING}")
    out[:] = t[:, :width]
    return out


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="none",
             zero_infinity=False):
    """The Connectionist Temporal Classification loss of log_probs (T, N, C) (or unbatched
    (T, C)), targets padded (N, S) or concatenated 1-D; 'mean' divides each sample's loss by
    its target length (at least 1) before averaging; zero_infinity zeroes infinite losses (no
    alignment fits the frames) and their gradients. torch.ctc_loss leaves the loss unreduced
    when reduction is not given (nn.functional.ctc_loss defaults to 'mean')."""
    reduction = _reduction(reduction)
    batched = log_probs.dim() == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
        if targets.dim() == 1:
            targets = targets.unsqueeze(0)
    T, n, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    il = _lengths("input_lengths", input_lengths)
    tl = _lengths("target_lengths", target_lengths)
    if len(il) != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tl) != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    for name, values in (("input_lengths", il), ("target_lengths", tl)):
        if values and min(values) < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{min(values)} {_CHECKING}")
    if il and max(il) > T:
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{max(il)} {_CHECKING}")
    loss = CtcLoss.apply(log_probs, _labels(targets, tl, n), np.asarray(il, np.int64), np.asarray(tl, np.int64),
                         int(blank), bool(zero_infinity))
    if zero_infinity:
        loss = where(loss == float("inf"), loss.new_zeros(()), loss)
    if reduction == "mean":
        lengths = loss.new_tensor(tl).clamp_min(1)
        return (loss / lengths).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.squeeze(0)
