"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder."""
import copy
import warnings

from ... import _creation
from ...amp.autocast_mode import is_autocast_enabled
from ...autograd.grad_mode import is_grad_enabled
from .. import functional as F
from .. import init
from .._attention import _canonical_mask, _none_or_dtype
from ..parameter import Parameter
from .activation import GELU, ReLU
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear, NonDynamicallyQuantizableLinear
from .module import Module
from .normalization import LayerNorm
from ..._warnings import user_stacklevel

__all__ = ["MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder"]


class MultiheadAttention(Module):
    """Attention of num_heads heads over embed_dim features, with packed (in_proj_weight) or
    separate (q/k/v_proj_weight, when kdim or vdim differ) input projections."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.dropout, self.batch_first = dropout, batch_first
        self.kdim, self.vdim = (embed_dim if size is None else size for size in (kdim, vdim))
        self._qkv_same_embed_dim = self.kdim == self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def fresh(*shape):
            return Parameter(_creation.empty(shape, device=device, dtype=dtype))

        # One packed (3E, E) input projection when keys and values have E features too, else one
        # per input; the unused names are registered as None (PyTorch's parameter names).
        if self._qkv_same_embed_dim:
            projections = {"in_proj_weight": (3 * embed_dim, embed_dim)}
        else:
            projections = {"q_proj_weight": (embed_dim, embed_dim),
                           "k_proj_weight": (embed_dim, self.kdim),
                           "v_proj_weight": (embed_dim, self.vdim)}
        for name, shape in projections.items():
            self.register_parameter(name, fresh(*shape))
        for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
            if name not in projections:
                self.register_parameter(name, None)
        self.register_parameter("in_proj_bias", fresh(3 * embed_dim) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        # learned key and value rows appended to every sequence (plain None attributes without)
        self.bias_k, self.bias_v = ((fresh(1, 1, embed_dim), fresh(1, 1, embed_dim))
                                    if add_bias_kv else (None, None))
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """(output, weights): weights averaged over heads (or per head), None without
        need_weights. Inputs are (L, N, E), (N, L, E) with batch_first, or unbatched (L, E)."""
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights


def _get_activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _square_subsequent_mask(size, device=None, dtype=None):
    """(size, size) float mask: -inf above the diagonal (future positions), 0 elsewhere."""
    rows = _creation.arange(size, device=device).unsqueeze(1)
    future = _creation.arange(size, device=device).unsqueeze(0) > rows
    return _creation.zeros((size, size), device=device, dtype=dtype).masked_fill_(future,
                                                                                  float("-inf"))


def _detect_is_causal_mask(mask, is_causal, size):
    """is_causal as given, or (when None) whether mask equals the causal mask of size."""
    if is_causal is not None or mask is None:
        return is_causal is True
    causal = _square_subsequent_mask(size, device=mask.device, dtype=mask.dtype)
    return tuple(mask.shape) == tuple(causal.shape) and bool((mask == causal).all())


# PyTorch's attribute activation_relu_or_gelu: 1 for ReLU, 2 for GELU (function or module), else 0.
_ACTIVATION_CODES = ((F.relu, ReLU, 1), (F.gelu, GELU, 2))


def _activation_code(activation):
    return next((code for function, module, code in _ACTIVATION_CODES
                 if activation is function or isinstance(activation, module)), 0)


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with a residual connection and LayerNorm
    (after the block, or before it with norm_first)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        shared = {"bias": bias, "device": device, "dtype": dtype}
        # The order of registration is PyTorch's: it orders the state_dict keys and the repr.
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, **shared)
        self.linear1, self.dropout, self.linear2 = (Linear(d_model, dim_feedforward, **shared),
                                                    Dropout(dropout),
                                                    Linear(dim_feedforward, d_model, **shared))
        self.norm_first = norm_first
        self.norm1, self.norm2 = (LayerNorm(d_model, eps=layer_norm_eps, **shared)
                                  for _ in range(2))
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        self.activation_relu_or_gelu = _activation_code(activation)
        self.activation = activation

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask", _none_or_dtype(src_mask),
            "src_mask", src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype, False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


def _why_no_nested_tensor(layer):
    """Why torch's TransformerEncoder cannot pack a batch into a nested tensor with this layer
    ('' when it can), in torch's words."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    attn = layer.self_attn
    for failed, why in ((layer.norm_first, "norm_first was True"),
                        (not attn.batch_first, "self_attn.batch_first was not True(use "
                         "batch_first for better inference performance)"),
                        (not attn._qkv_same_embed_dim, "self_attn._qkv_same_embed_dim was not "
                         "True"),
                        (attn.in_proj_bias is None, "self_attn was passed bias=False"),
                        (not layer.activation_relu_or_gelu, "activation_relu_or_gelu was not "
                         "True"),
                        (layer.norm1.eps != layer.norm2.eps, f"norm1.eps was not equal to "
                         f"{name}.norm2.eps"),
                        (attn.num_heads % 2 == 1, "self_attn.num_heads is odd")):
        if failed:
            return f"{name}.{why}"
    return ""


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer applied in turn, then the optional norm.

    NOTE [ Padded positions ]
    torch packs a padded batch into a nested tensor in inference (eval mode, no gradient, a
    left-aligned src_key_padding_mask, no attention mask) when its layers allow it
    (use_nested_tensor), and unpacks it with zeros at the padded positions before the final norm.
    ember has no nested tensors; it computes the same layers on the padded batch, whose values
    at unpadded positions are the same, and zeroes the padded positions in those same cases, so
    that a mean over all positions gives torch's number."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = _why_no_nested_tensor(encoder_layer)
        if enable_nested_tensor and why:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why}", stacklevel=user_stacklevel())
            self.use_nested_tensor = False

    def _zeroes_padding(self, src, mask, padding):
        """Whether torch's forward would pack this call into a nested tensor (NOTE [ Padded
        positions ]); `padding` is the canonical (float) src_key_padding_mask."""
        first = self.layers[0]
        if not (getattr(self, "use_nested_tensor", False) and not first.training
                and src.dim() == 3 and padding is not None and mask is None
                and not is_autocast_enabled()):
            return False
        if getattr(self, "mask_check", True):
            valid = (padding == 0)._data
            if (valid[:, 1:] & ~valid[:, :-1]).any():  # a valid position after a padded one
                return False
        if is_grad_enabled():
            attn = first.self_attn
            tensors = (src, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight,
                       attn.out_proj.bias, first.norm1.weight, first.norm1.bias,
                       first.norm2.weight, first.norm2.bias, first.linear1.weight,
                       first.linear1.bias, first.linear2.weight, first.linear2.bias)
            return not any(t is not None and t.requires_grad for t in tensors)
        return True

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask", _none_or_dtype(mask),
            "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, False)
        batch_first = self.layers[0].self_attn.batch_first
        seq_len = src.shape[0] if src.dim() == 2 else src.shape[1 if batch_first else 0]
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal,
                           src_key_padding_mask=src_key_padding_mask)
        if self._zeroes_padding(src, mask, src_key_padding_mask):
            output = output.masked_fill((src_key_padding_mask != 0).unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output
