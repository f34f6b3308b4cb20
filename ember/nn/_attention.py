"""Attention functionals: scaled_dot_product_attention and multi_head_attention_forward."""
import math
import warnings

from .. import _creation
from .._dtype import bool as _bool
from ..ops.attention import attention
from ..ops.join import cat
from ..ops.linalg import baddbmm, bmm, matmul
from . import functional as F  # circular on purpose: functional re-exports this module's API
from .._warnings import user_stacklevel

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


# -- scaled dot-product attention -----------------------------------------------------------------

def _repeat_heads(t, n_heads):
    """Repeat each head of t (..., H, S, E) n_heads // H times along dim -3 (grouped-query)."""
    h = t.shape[-3]
    if n_heads % h != 0:
        raise RuntimeError(f"Number of heads in key and value must divide the number of heads "
                           f"in query, but got {h} and {n_heads}")
    lead = tuple(t.shape[:-3])
    size = lead + (h, n_heads // h) + tuple(t.shape[-2:])
    return t.unsqueeze(-3).expand(size).reshape(lead + (n_heads,) + tuple(t.shape[-2:]))


def _causal_keep(q_len, k_len, device):
    """Bool (q_len, k_len): query i attends to keys j <= i (the top-left aligned triangle)."""
    rows = _creation.arange(q_len, device=device).unsqueeze(1)
    return rows >= _creation.arange(k_len, device=device).unsqueeze(0)


def _same_heads(query, key, value):
    """(batch, heads, length, features) inputs of one batch and head count, keys as wide as
    queries, values as wide as queries and as long as keys: the inputs PyTorch's CPU attention
    kernel takes (others go through its composed path, and ember's too, whose products raise
    torch's errors for sizes that do not fit)."""
    return query.dim() == key.dim() == value.dim() == 4 and \
        tuple(query.shape[:2]) == tuple(key.shape[:2]) == tuple(value.shape[:2]) and \
        query.shape[-1] == value.shape[-1] == key.shape[-1] and key.shape[-2] == value.shape[-2]


def _safe_softmax(scores):
    """Softmax over the last dim, with rows masked entirely (all -inf) giving zeros instead of
    NaN, as PyTorch's attention does."""
    dead = (scores == _NEG_INF).all(-1, keepdim=True)
    weights = F.softmax(scores.masked_fill(dead, 0.0), -1)
    return weights.masked_fill(dead, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + mask) @ value. A bool attn_mask marks the positions that
    take part (True) and a float one is added to the scores; is_causal masks keys after each
    query. Dropout on the weights is always applied when dropout_p > 0."""
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.dim()} key.dim: {key.dim()} and "
                           f"value.dim: {value.dim()} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if attn_mask is not None and attn_mask.dtype != _bool and attn_mask.dtype != query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: {attn_mask.dtype} and  query.dtype: "
                           f"{query.dtype} instead.")
    if enable_gqa and query.dim() >= 3:
        key = _repeat_heads(key, query.shape[-3])
        value = _repeat_heads(value, query.shape[-3])
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if attn_mask is None and dropout_p <= 0.0 and _same_heads(query, key, value):
        return attention(query, key, value, is_causal, scale)  # one op, as torch's CPU kernel
    scores = matmul(query, key.transpose(-2, -1)) * scale
    if is_causal:
        scores = scores.masked_fill(_causal_keep(query.shape[-2], key.shape[-2],
                                                 query.device).logical_not(), _NEG_INF)
        weights = F.softmax(scores, -1)
    elif attn_mask is not None:
        if attn_mask.dtype == _bool:
            scores = scores.masked_fill(attn_mask.logical_not(), _NEG_INF)
        else:
            scores = scores + attn_mask
        weights = _safe_softmax(scores)
    else:
        weights = F.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p, training=True)
    return matmul(weights, value)


# -- multi-head attention -------------------------------------------------------------------------

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked) as an additive float mask of target_type (-inf where True);
    float masks pass through. Warns when the two masks of one call have different dtypes."""
    if mask is None:
        return None
    if mask.dtype != _bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use "
                      "same type for both instead.", stacklevel=user_stacklevel())
    if not mask.is_floating_point():
        mask = _creation.zeros_like(mask, dtype=target_type).masked_fill_(mask, _NEG_INF)
    return mask


def _none_or_dtype(input):
    return None if input is None else input.dtype


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D query), after PyTorch's shape checks."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, q_w, k_w, v_w):
    """q, k, v projected by the packed in_proj_weight or by the three separate weights."""
    if q_w is None:
        q_w, k_w, v_w = in_proj_weight.chunk(3)
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    return F.linear(query, q_w, b_q), F.linear(key, k_w, b_k), F.linear(value, v_w, b_v)


def _check_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads):
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
        raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                           f"{(bsz * num_heads, tgt_len, src_len)}.")
    return attn_mask


def _heads(t, static, bsz, num_heads, head_dim, name):
    """(S, N, E) -> (N * num_heads, S, head_dim), or the given static_k / static_v."""
    if static is None:
        return t.view(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting static_{name}.size(0) of {bsz * num_heads}, but got "
                             f"{static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got "
                             f"{static.size(2)}")
    return static


def _resolve_causal(attn_mask, is_causal, key_padding_mask, need_weights, dtype):
    """(attn_mask, is_causal) as the attention kernels take them: with is_causal alone standing
    for the mask where no weights are asked for and no padding mask joins it."""
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        return None, True      # the kernel builds the causal mask itself
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dtype, False)
    return attn_mask, is_causal and key_padding_mask is None


def _projection_weights(key, value, separate, in_proj_weight, q_w, k_w, v_w):
    """The (q, k, v) weights _in_projection takes after checking the inputs fit them: separate
    weights (keys and values may differ in features) or None for the packed in_proj_weight."""
    if separate:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, weight in zip("qkv", (q_w, k_w, v_w)):
            if weight is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        return q_w, k_w, v_w
    if tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    return None, None, None


def _check_kv_bias(bias_k, bias_v, static_k, static_v):
    if bias_k is None:
        raise AssertionError("bias_v is set but bias_k is None")
    if bias_v is None:
        raise AssertionError("bias_k is set but bias_v is None")
    for static, what in ((static_k, "key"), (static_v, "value")):
        if static is not None:
            raise AssertionError(f"bias cannot be added to static {what}.")


def _one_more_key(k, v, k_row, v_row, masks, dim):
    """Keys and values with one more position at the end of `dim` (the learned bias_k/bias_v
    rows, or zeros); every mask gets a zero column for it, so it is attended to."""
    return (cat([k, k_row], dim=dim), cat([v, v_row], dim=dim),
            [None if mask is None else F.pad(mask, (0, 1)) for mask in masks])


def _with_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len):
    """attn_mask with the (N, S) key padding mask added to each head's rows."""
    for d, size in enumerate((bsz, src_len)):
        if key_padding_mask.shape[d] != size:
            raise AssertionError(f"Expected key_padded_mask.shape[{d}] to be {size}, but "
                                 f"got {key_padding_mask.shape[d]}")
    per_head = (key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
                .reshape(bsz * num_heads, 1, src_len))
    return per_head if attn_mask is None else attn_mask + per_head


def _attention_with_weights(q, k, v, attn_mask, dropout_p):
    """softmax(q k^T / sqrt(head_dim) + mask) v over (N * heads, L, head_dim) inputs, and the
    weights; a fully masked row gives NaN here, as in PyTorch."""
    scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
    keys_t = k.transpose(-2, -1)
    scores = bmm(scaled, keys_t) if attn_mask is None else baddbmm(attn_mask, scaled, keys_t)
    weights = F.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return bmm(weights, v), weights


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention of sequence-first (L, N, E) inputs (or unbatched (L, E)); returns
    (output, weights averaged over heads or per head, or None without need_weights)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:            # one sequence: a batch of one
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    attn_mask, is_causal = _resolve_causal(attn_mask, is_causal, key_padding_mask, need_weights,
                                           query.dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim, rest = divmod(embed_dim, num_heads)
    if rest:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias,
                             *_projection_weights(key, value, use_separate_proj_weight,
                                                  in_proj_weight, q_proj_weight, k_proj_weight,
                                                  v_proj_weight))
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, tgt_len, key.shape[0], bsz, num_heads)
    masks = [attn_mask, key_padding_mask]
    if bias_k is not None or bias_v is not None:
        _check_kv_bias(bias_k, bias_v, static_k, static_v)
        k, v, masks = _one_more_key(k, v, bias_k.repeat(1, bsz, 1), bias_v.repeat(1, bsz, 1),
                                    masks, dim=0)

    # (L, N, E) -> (N * heads, L, head_dim); static keys and values come in that layout
    q = _heads(q, None, bsz, num_heads, head_dim, "q")
    k = _heads(k, static_k, bsz, num_heads, head_dim, "k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "v")
    if add_zero_attn:
        zeros = _creation.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype, device=k.device)
        k, v, masks = _one_more_key(k, v, zeros, zeros, masks, dim=1)
    attn_mask, key_padding_mask = masks
    src_len = k.size(1)
    if key_padding_mask is not None:
        attn_mask = _with_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len)
    if not training:
        dropout_p = 0.0

    if need_weights:
        context, weights = _attention_with_weights(q, k, v, attn_mask, dropout_p)
        context = context.transpose(0, 1)                  # (L, N * heads, head_dim)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    else:
        if attn_mask is not None:   # per batch and head, or one mask broadcast over both
            attn_mask = (attn_mask.unsqueeze(0) if attn_mask.dim() == 3 and attn_mask.size(0) == 1
                         else attn_mask.view(bsz, num_heads, -1, src_len))
        context = scaled_dot_product_attention(
            q.view(bsz, num_heads, tgt_len, head_dim), k.view(bsz, num_heads, src_len, head_dim),
            v.view(bsz, num_heads, src_len, head_dim), attn_mask, dropout_p, is_causal)
        context = context.permute(2, 0, 1, 3)              # (L, N, heads, head_dim)
        weights = None
    out = F.linear(context.reshape(tgt_len * bsz, embed_dim), out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, -1)
    if batched:
        return out, weights
    return out.squeeze(1), (None if weights is None else weights.squeeze(0))
