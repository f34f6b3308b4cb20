"""Scaled dot-product attention as one op.

NOTE [ Attention op ]
softmax(q k^T * scale, causally masked or not) v is one Op, as in PyTorch, whose CPU kernel gives
it the grad_fn ScaledDotProductFlashAttentionForCpuBackward0. Forward turns one scores array into
the attention weights p (scaled through q, masked in place, softmaxed as softmax's forward does:
no graph nodes) and keeps p. Backward is dv = p^T g, ds = p (dp - rowsum(dp p)) with dp = g v^T
(softmax's own backward op, SoftmaxBackwardData), then dq = ds k scale and dk = ds^T q scale,
written once against a namespace as the RNN layers' backward is (ops/rnn.py): on arrays with the
kept weights when no graph is needed; on Tensors with ember ops under create_graph, the weights
then recomputed from q and k so that they are differentiated too. Masks other than the causal
one, and dropout, stay composed of ops (nn/_attention.py), as in PyTorch. A causal attention's
forward and backward over (8, 4, 128, 32) inputs ran 5.9-6.1 -> 4.2-4.4 ms, single-threaded
(torch's: 3.4-3.5 ms).
"""
import numpy as np

from .._dtype import type_name
from .._tensor import _make
from ..autograd.grad_mode import state as _grad_state
from ._op import Op
from .activation import SoftmaxBackwardData, _softmax, softmax
from .linalg import _gemm, _mT

__all__ = []

_causal_masks = {}  # (queries, keys) -> bool (queries, keys), True above the diagonal


def _future(xp, q_len, k_len):
    """Where key j comes after query i (j > i): what a causal attention masks (kept for NumPy;
    a device array belongs to one device)."""
    mask = _causal_masks.get((q_len, k_len)) if xp is np else None
    if mask is None:
        mask = xp.triu(xp.ones((q_len, k_len), dtype=bool), 1)
        if xp is np:
            if len(_causal_masks) > 64:
                _causal_masks.clear()
            _causal_masks[q_len, k_len] = mask
    return mask


class _ArrayNS:
    def __init__(self, xp):
        self.xp = xp

    def times_mT(self, a, b):
        """a @ b^T (linalg's _gemm: a stack of small b^T is multiplied as a copy)."""
        return _gemm(self.xp, a, _mT(b))


class _TensorNS:
    @staticmethod
    def times_mT(a, b):
        return a @ _mT(b)


class ScaledDotProductFlashAttentionForCpu(
        Op, grad_fn="ScaledDotProductFlashAttentionForCpuBackward0"):
    """softmax(q @ k^T * scale, causal or not) @ v; NOTE [ Attention op ]."""
    _n_operands = 3
    _array_backward = True  # arrays without a graph (NOTE [ Backward on arrays ], engine.py)

    def forward(ctx, q, k, v, causal, scale):
        xp = ctx.xp
        ctx.causal, ctx.scale = causal, scale
        p = _gemm(xp, q * q.dtype.type(scale), xp.swapaxes(k, -1, -2))
        if p.size:
            if causal:
                xp.copyto(p, -xp.inf, where=_future(xp, p.shape[-2], p.shape[-1]))
            p = _softmax(xp, p, p.ndim - 1)
        if ctx.recording:
            ctx.weights = p
        ctx.save_for_backward(q, k, v)
        return xp.matmul(p, v)

    def backward(ctx, g):
        q, k, v = ctx.saved_tensors
        if _grad_state.enabled:  # create_graph: the weights recomputed, to be differentiated
            scores = (q * ctx.scale) @ k.transpose(-2, -1)
            if ctx.causal:
                scores = scores.masked_fill(
                    _make(_future(ctx.xp, scores.shape[-2], scores.shape[-1])), float("-inf"))
            ns, p = _TensorNS, softmax(scores, -1)
        else:
            ns, p = _ArrayNS(ctx.xp), ctx.weights
        need, scale = ctx.needs_input_grad, ctx.scale
        dv = _mT(p) @ g if need[2] else None
        if not (need[0] or need[1]):
            return None, None, dv
        ds = SoftmaxBackwardData.apply(ns.times_mT(g, v), p, -1)  # d loss / d (scores / scale)
        return ((ds @ k) * scale if need[0] else None), \
            ((_mT(ds) @ q) * scale if need[1] else None), dv


def attention(q, k, v, causal, scale):
    """softmax(q @ k^T * scale) @ v, keys after each query masked when causal."""
    if q._data.dtype.kind not in "fc":  # torch's words for an integer or bool query
        raise RuntimeError(f"expected scalar type Float but found {type_name(q)}")
    return ScaledDotProductFlashAttentionForCpu.apply(q, k, v, causal, scale)
