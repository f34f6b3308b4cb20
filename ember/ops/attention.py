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

NOTE [ Causal blocks ]
A causal attention's query i sees keys 0..i only, so from 2 * _BLOCK_ROWS queries on the op
works in blocks of query rows (at most _MAX_BLOCKS): block [r0, r1) multiplies against keys
[0, r1) alone, masks only its own triangle, and keeps its own weights; backward adds each block's
dv and dk into the first r1 keys' rows. The masked products are never computed: a quarter of the
work with two blocks, 3/8 with four, 7/16 with eight, as PyTorch's CPU kernel skips masked key
blocks. Each element is the same sum as before, less terms that were exact zeros. Forward and
backward over (8, 4, T, 32), single-threaded: T = 128 4.7 -> 4.5 ms, 256 17.2 -> 13.3 ms, 512
100 -> 50 ms (its whole (T, T) scores no longer pass through memory); at 2 threads 4.6 -> 4.1-4.3
and 16.0 -> 12.9 ms.
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
_BLOCK_ROWS = 64  # NOTE [ Causal blocks ]: the fewest query rows a block has
_MAX_BLOCKS = 8


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


def _causal_blocks(q_len, k_len):
    """(r0, r1, keys) for each block of query rows [r0, r1) and the keys [0, keys) it sees, or
    None when there are too few queries for two blocks (NOTE [ Causal blocks ])."""
    if q_len < 2 * _BLOCK_ROWS:
        return None
    n = min(q_len // _BLOCK_ROWS, _MAX_BLOCKS)
    bounds = [q_len * i // n for i in range(n + 1)]
    return [(r0, r1, min(r1, k_len)) for r0, r1 in zip(bounds, bounds[1:])]


class _ArrayNS:
    """Backward on arrays, block by block (NOTE [ Causal blocks ])."""

    def __init__(self, xp):
        self.xp = xp

    def times_mT(self, a, b):
        """a @ b^T (linalg's _gemm: a stack of small b^T is multiplied as a copy)."""
        return _gemm(self.xp, a, _mT(b))

    def key_rows(self, part, n_keys, into=None):
        """part, the gradient of the first keys, as the gradient of all n_keys (zero beyond), or
        added into `into`'s first rows."""
        seen = part.shape[-2]
        if into is not None:
            into[..., :seen, :] += part
            return into
        if seen == n_keys:
            return part
        whole = self.xp.zeros(part.shape[:-2] + (n_keys,) + part.shape[-1:], part.dtype)
        whole[..., :seen, :] = part
        return whole

    def cat_rows(self, parts):
        return parts[0] if len(parts) == 1 else self.xp.concatenate(parts, -2)


class _TensorNS:
    """Backward on Tensors under create_graph: one block, every query against every key."""

    @staticmethod
    def times_mT(a, b):
        return a @ _mT(b)

    @staticmethod
    def key_rows(part, n_keys, into=None):
        return part

    @staticmethod
    def cat_rows(parts):
        return parts[0]


class ScaledDotProductFlashAttentionForCpu(
        Op, grad_fn="ScaledDotProductFlashAttentionForCpuBackward0"):
    """softmax(q @ k^T * scale, causal or not) @ v; NOTE [ Attention op ]."""
    _n_operands = 3
    _array_backward = True  # arrays without a graph (NOTE [ Backward on arrays ], engine.py)

    def forward(ctx, q, k, v, causal, scale):
        xp = ctx.xp
        ctx.causal, ctx.scale = causal, scale
        ctx.save_for_backward(q, k, v)
        blocks = ctx.blocks = _causal_blocks(q.shape[-2], k.shape[-2]) \
            if causal and k.shape[-2] else None
        if blocks is not None:
            return _blocks_forward(ctx, q, k, v, scale, blocks)
        p = _gemm(xp, q * q.dtype.type(scale), xp.swapaxes(k, -1, -2))
        if p.size:
            if causal:
                xp.copyto(p, -xp.inf, where=_future(xp, p.shape[-2], p.shape[-1]))
            p = _softmax(xp, p, p.ndim - 1)
        if ctx.recording:
            ctx.weights = p
        return xp.matmul(p, v)

    def backward(ctx, g):
        q, k, v = ctx.saved_tensors
        if _grad_state.enabled:  # create_graph: the weights recomputed, to be differentiated
            scores = (q * ctx.scale) @ k.transpose(-2, -1)
            if ctx.causal:
                scores = scores.masked_fill(
                    _make(_future(ctx.xp, scores.shape[-2], scores.shape[-1])), float("-inf"))
            ns, blocks, weights = _TensorNS, None, [softmax(scores, -1)]
        else:
            ns, blocks = _ArrayNS(ctx.xp), ctx.blocks
            weights = ctx.weights if blocks is not None else [ctx.weights]
        if blocks is None:
            blocks = [(0, q.shape[-2], k.shape[-2])]
        return _backward(ns, g, q, k, v, blocks, weights, ctx.needs_input_grad, ctx.scale)


def _backward(ns, g, q, k, v, blocks, weights, need, scale):
    """dq, dk, dv from each block's weights p (one block when the op is not in blocks): dv = p^T g,
    ds = p (dp - rowsum(dp p)) with dp = g v^T (softmax's backward op), dq = ds k scale and
    dk = ds^T q scale, each block's dk and dv over the keys it saw. The widest block (the last)
    goes first, so that its dk and dv are the arrays the others add into."""
    n_keys = k.shape[-2]
    dq, dk, dv = [], None, None
    for (r0, r1, keys), p in zip(blocks[::-1], weights[::-1]):
        gb, qb = _query_rows(g, r0, r1), _query_rows(q, r0, r1)
        kb, vb = _query_rows(k, 0, keys), _query_rows(v, 0, keys)
        if need[2]:
            dv = ns.key_rows(_mT(p) @ gb, n_keys, dv)
        if need[0] or need[1]:
            ds = SoftmaxBackwardData.apply(ns.times_mT(gb, vb), p, -1)  # d loss / d scores
            if need[0]:
                dq.append((ds @ kb) * scale)
            if need[1]:
                dk = ns.key_rows((_mT(ds) @ qb) * scale, n_keys, dk)
    return (ns.cat_rows(dq[::-1]) if need[0] else None), dk, dv


def _query_rows(t, r0, r1):
    """Rows [r0, r1) of the second-to-last dim; t itself when that is all of them."""
    return t if r0 == 0 and r1 == t.shape[-2] else t[..., r0:r1, :]


def _blocks_forward(ctx, q, k, v, scale, blocks):
    """The causal forward block by block of query rows (NOTE [ Causal blocks ])."""
    xp = ctx.xp
    qs = q * q.dtype.type(scale)
    mask = _future(xp, q.shape[-2], k.shape[-2])
    out = xp.empty(q.shape[:-1] + v.shape[-1:], q.dtype)
    weights = []
    for r0, r1, keys in blocks:
        p = _gemm(xp, qs[..., r0:r1, :], xp.swapaxes(k[..., :keys, :], -1, -2))
        xp.copyto(p, -xp.inf, where=mask[r0:r1, :keys])
        p = _softmax(xp, p, p.ndim - 1)
        weights.append(p)
        out[..., r0:r1, :] = xp.matmul(p, v[..., :keys, :])
    if ctx.recording:
        ctx.weights = weights
    return out


def attention(q, k, v, causal, scale):
    """softmax(q @ k^T * scale) @ v, keys after each query masked when causal."""
    if q._data.dtype.kind not in "fc":  # torch's words for an integer or bool query
        raise RuntimeError(f"expected scalar type Float but found {type_name(q)}")
    return ScaledDotProductFlashAttentionForCpu.apply(q, k, v, causal, scale)
