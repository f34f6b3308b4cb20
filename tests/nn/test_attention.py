"""scaled_dot_product_attention, MultiheadAttention and TransformerEncoder(Layer) against torch."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from ._helpers import assert_close, copy_weights, raises_like, to_ember

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-4, 1e-5


def _leaves(arrays):
    """torch and ember leaves requiring grad, from float32 arrays."""
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    return ts, es


def _backward(t_out, e_out, seed=0):
    """Backpropagate one random cotangent through both outputs."""
    g = np.random.default_rng(seed).standard_normal(tuple(t_out.shape)).astype(np.float32)
    t_out.backward(torch.tensor(g))
    e_out.backward(ember.tensor(g))


def _compare_params(t_mod, e_mod):
    t_params = dict(t_mod.named_parameters())
    e_params = dict(e_mod.named_parameters())
    assert t_params.keys() == e_params.keys()
    for name, p in t_params.items():
        assert_close(e_params[name].grad, p.grad, RTOL, ATOL, msg=name)


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


# -- scaled_dot_product_attention -----------------------------------------------------------------

def _mask(kind, rng, L, S):
    """A (torch, ember) mask pair of the given kind, or (None, None)."""
    if kind == "bool":
        m = rng.random((L, S)) > 0.4
        m[:, 0] = True
        m[1] = False  # a fully masked row attends to nothing: zeros, not NaN
        return torch.tensor(m), ember.tensor(m)
    if kind == "float":
        m = _rand(rng, L, S)
        m[0, 1] = -np.inf
        return torch.tensor(m), ember.tensor(m)
    return None, None


@pytest.mark.parametrize("shape", [((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 4)),
                                   ((4, 5), (6, 5), (6, 3)),
                                   ((2, 3, 4, 5), (1, 3, 6, 5), (1, 3, 6, 2))])
@pytest.mark.parametrize("mask", [None, "bool", "float", "causal"])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_matches_torch(shape, mask, scale):
    rng = np.random.default_rng(0)
    (tq, tk, tv), (eq, ek, ev) = _leaves([_rand(rng, *s) for s in shape])
    tm, em = _mask(mask, rng, shape[0][-2], shape[1][-2])
    causal = mask == "causal"
    t_out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, tm, is_causal=causal,
                                                             scale=scale)
    e_out = F.scaled_dot_product_attention(eq, ek, ev, em, is_causal=causal, scale=scale)
    assert_close(e_out, t_out, RTOL, ATOL)
    _backward(t_out, e_out)
    for e, t, name in ((eq, tq, "query"), (ek, tk, "key"), (ev, tv, "value")):
        assert_close(e.grad, t.grad, RTOL, ATOL, msg=name)


def test_sdpa_broadcast_mask_and_gqa():
    rng = np.random.default_rng(1)
    arrays = [_rand(rng, 2, 4, 3, 5), _rand(rng, 2, 2, 6, 5), _rand(rng, 2, 2, 6, 3)]
    (tq, tk, tv), (eq, ek, ev) = _leaves(arrays)
    m = rng.random((2, 1, 3, 6)) > 0.3
    t_out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, torch.tensor(m),
                                                             enable_gqa=True)
    e_out = F.scaled_dot_product_attention(eq, ek, ev, ember.tensor(m), enable_gqa=True)
    assert_close(e_out, t_out, RTOL, ATOL)
    _backward(t_out, e_out)
    for e, t in ((eq, tq), (ek, tk), (ev, tv)):
        assert_close(e.grad, t.grad, RTOL, ATOL)


@pytest.mark.parametrize("mask", [None, "bool", "float", "causal"])
def test_sdpa_gradcheck(mask):
    rng = np.random.default_rng(2)
    q, k, v = (ember.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((2, 3, 2), (2, 4, 2), (2, 4, 3)))
    m = None
    if mask == "bool":
        m = ember.tensor(np.array([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 1, 1]], dtype=bool))
    elif mask == "float":
        m = ember.tensor(rng.standard_normal((3, 4)))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, m, is_causal=mask == "causal"), (q, k, v))


# -- the attention op (ember/ops/attention.py) ----------------------------------------------------

KERNEL_SHAPES = [((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 4)),   # self-attention
                 ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5))]   # fewer queries than keys


@pytest.mark.parametrize("shape", KERNEL_SHAPES)
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scale", [None, 0.3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sdpa_kernel_matches_torch(shape, causal, scale, dtype):
    """Inputs torch's CPU attention kernel takes run as one op in ember too: the same values,
    gradients and grad_fn (ScaledDotProductFlashAttentionForCpuBackward0)."""
    rng = np.random.default_rng(3)
    (tq, tk, tv), (eq, ek, ev) = _leaves([_rand(rng, *s).astype(dtype) for s in shape])
    t_out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, is_causal=causal,
                                                             scale=scale)
    e_out = F.scaled_dot_product_attention(eq, ek, ev, is_causal=causal, scale=scale)
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__ == \
        "ScaledDotProductFlashAttentionForCpuBackward0"
    tol = (RTOL, ATOL) if dtype == np.float32 else (1e-12, 1e-12)
    assert_close(e_out, t_out, *tol)
    _backward(t_out, e_out)
    for e, t, name in ((eq, tq, "query"), (ek, tk, "key"), (ev, tv, "value")):
        assert_close(e.grad, t.grad, *tol, msg=name)


@pytest.mark.parametrize("causal", [False, True])
def test_sdpa_kernel_gradgradcheck(causal):
    rng = np.random.default_rng(4)
    q, k, v = (ember.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((1, 2, 3, 2), (1, 2, 4, 2), (1, 2, 4, 2)))

    def f(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    assert type(f(q, k, v).grad_fn).__name__ == "ScaledDotProductFlashAttentionForCpuBackward0"
    assert gradcheck(f, (q, k, v))
    assert gradgradcheck(f, (q, k, v))


@pytest.mark.parametrize("causal", [False, True])
def test_sdpa_kernel_double_backward_matches_torch(causal):
    """Under create_graph the op recomputes its weights: first-order gradients as without a graph,
    second-order ones as torch's attention written out in ops (its CPU kernel has none)."""
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((1, 2, 3, 4)) for _ in range(3)]
    results = []
    for lib in (torch, ember):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in arrays)
        if lib is torch:
            scores = q @ k.transpose(-2, -1) / 2.0
            if causal:
                scores = scores.masked_fill(torch.ones(3, 3, dtype=torch.bool).triu(1), -np.inf)
            out = torch.softmax(scores, -1) @ v
        else:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        loss = (out * out * out).sum()
        first = lib.autograd.grad(loss, (q, k, v), create_graph=True)
        sum((g * g).sum() for g in first).backward()
        results.append([t.detach().numpy() for t in first + (q.grad, k.grad, v.grad)])
    for e, t in zip(results[1], results[0]):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_sdpa_kernel_gradient_of_some_inputs():
    """Only the inputs that require grad get one; the kept weights survive a second backward."""
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((1, 2, 3, 4)) for _ in range(3)]
    results = []
    for lib in (torch, ember):
        q, v = lib.tensor(arrays[0]), lib.tensor(arrays[2], requires_grad=True)
        k = lib.tensor(arrays[1], requires_grad=True)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        loss = (out * out).sum()
        first = lib.autograd.grad(loss, (k, v), retain_graph=True)
        second = lib.autograd.grad(loss, (k, v))
        results.append([t.detach().numpy() for t in first + second])
    for e, t in zip(results[1], results[0]):
        np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("L, S, need", [
    (128, 128, "qkv"),   # two blocks of 64 queries
    (200, 200, "qkv"),   # three blocks, rows not a multiple of 64
    (300, 150, "kv"),    # more queries than keys: the last blocks see every key
    (130, 260, "q"),     # more keys than queries
    (520, 520, "v"),     # eight blocks, the most
])
def test_sdpa_kernel_causal_blocks_match_torch(monkeypatch, L, S, need):
    """From 2 * _BLOCK_ROWS queries a causal attention runs in blocks of query rows, each
    against the keys it can see (NOTE [ Causal blocks ]): values and the gradients asked for as
    torch's, in float64 to rounding; the products against masked keys are never taken."""
    from ember.ops import attention as op
    shapes = []
    real_gemm = op._gemm

    def gemm(xp, a, b):
        shapes.append(a.shape[-2:] + b.shape[-1:])
        return real_gemm(xp, a, b)
    monkeypatch.setattr(op, "_gemm", gemm)
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s) for s in ((2, 2, L, 8), (2, 2, S, 8), (2, 2, S, 8))]
    g = rng.standard_normal((2, 2, L, 8))
    results = []
    for lib in (torch, ember):
        leaves = [lib.tensor(a, requires_grad=name in need) for a, name in zip(arrays, "qkv")]
        out = lib.nn.functional.scaled_dot_product_attention(*leaves, is_causal=True)
        out.backward(lib.tensor(g))
        grads = [t.grad.numpy() for t in leaves if t.grad is not None]
        results.append([out.detach().numpy()] + grads)
    assert len(results[0]) == len(results[1]) == 1 + len(need)
    for e, t in zip(results[1], results[0]):
        np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-12)
    blocks = op._causal_blocks(L, S)
    assert len(blocks) > 1 and blocks[-1][1] == L
    scores = [(r1 - r0, min(r1, S)) for r0, r1, _ in blocks]
    assert [sh[::2] for sh in shapes[:len(blocks)]] == scores  # forward: queries x visible keys


def test_sdpa_kernel_causal_blocks_double_backward():
    """A blocked forward's create_graph backward (which recomputes the weights whole) gives the
    unblocked op's first- and second-order gradients."""
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal((1, 1, 130, 2)) for _ in range(3)]
    results = []
    for blocks in (True, False):
        from ember.ops import attention as op
        saved = op._BLOCK_ROWS
        op._BLOCK_ROWS = 64 if blocks else 1000
        try:
            q, k, v = (ember.tensor(a, requires_grad=True) for a in arrays)
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            first = ember.autograd.grad((out * out * out).sum(), (q, k, v), create_graph=True)
            sum((g * g).sum() for g in first).backward()
            results.append([t.detach().numpy() for t in first + (q.grad, k.grad, v.grad)])
        finally:
            op._BLOCK_ROWS = saved
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_sdpa_kernel_refuses_integer_inputs():
    q = torch.randint(0, 3, (1, 2, 3, 4))
    eq = to_ember(q)
    raises_like(lambda: torch.nn.functional.scaled_dot_product_attention(q, q, q),
                lambda: F.scaled_dot_product_attention(eq, eq, eq))


def test_sdpa_dropout():
    q, k, v = ember.randn(2, 3, 4), ember.randn(2, 5, 4), ember.randn(2, 5, 4)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy(),
                                  np.zeros((2, 3, 4), np.float32))


def test_sdpa_bad_input():
    q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 4)
    eq, ek, ev = to_ember(q), to_ember(k), to_ember(v)
    sdpa = torch.nn.functional.scaled_dot_product_attention
    bool_mask = torch.ones(3, 5, dtype=torch.bool)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        sdpa(q, k, v, bool_mask, is_causal=True)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(eq, ek, ev, to_ember(bool_mask), is_causal=True)
    with pytest.raises(RuntimeError, match="Expected attn_mask dtype"):
        sdpa(q, k, v, torch.zeros(3, 5, dtype=torch.long))
    with pytest.raises(RuntimeError, match="Expected attn_mask dtype"):
        F.scaled_dot_product_attention(eq, ek, ev, ember.zeros(3, 5, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="at least 2 dimensional"):
        F.scaled_dot_product_attention(eq[0, 0], ek[0, 0], ev[0, 0])


# -- MultiheadAttention ---------------------------------------------------------------------------

def _mha_pair(seed=0, **kwargs):
    torch.manual_seed(seed)
    t = torch.nn.MultiheadAttention(**kwargs).eval()
    e = nn.MultiheadAttention(**kwargs).eval()
    copy_weights(t, e)
    return t, e


def _mha_case(kwargs, L=3, S=4, N=2, call=None, masks=None, seed=0):
    """Run one MultiheadAttention configuration in both frameworks and compare everything."""
    rng = np.random.default_rng(seed)
    t_mod, e_mod = _mha_pair(seed, **kwargs)
    E = kwargs["embed_dim"]
    kdim, vdim = kwargs.get("kdim") or E, kwargs.get("vdim") or E

    def shape(seq, dim):
        if N is None:
            return (seq, dim)
        return (N, seq, dim) if kwargs.get("batch_first") else (seq, N, dim)
    arrays = [_rand(rng, *shape(L, E)), _rand(rng, *shape(S, kdim)), _rand(rng, *shape(S, vdim))]
    (tq, tk, tv), (eq, ek, ev) = _leaves(arrays)
    call = call or {}
    t_masks = {k: torch.tensor(v) for k, v in (masks or {}).items()}
    e_masks = {k: ember.tensor(v) for k, v in (masks or {}).items()}
    t_out, t_w = t_mod(tq, tk, tv, **call, **t_masks)
    e_out, e_w = e_mod(eq, ek, ev, **call, **e_masks)
    assert_close(e_out, t_out, RTOL, ATOL, msg="output")
    if t_w is None:
        assert e_w is None
    else:
        assert_close(e_w, t_w, RTOL, ATOL, msg="weights")
    _backward(t_out, e_out, seed)
    for e, t, name in ((eq, tq, "query"), (ek, tk, "key"), (ev, tv, "value")):
        assert_close(e.grad, t.grad, RTOL, ATOL, msg=name)
    _compare_params(t_mod, e_mod)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("call", [{}, {"need_weights": False},
                                  {"average_attn_weights": False}])
def test_mha_matches_torch(batch_first, call):
    _mha_case({"embed_dim": 8, "num_heads": 2, "batch_first": batch_first}, call=call)


@pytest.mark.parametrize("kwargs", [{"kdim": 3, "vdim": 5}, {"bias": False},
                                    {"kdim": 6, "bias": False, "batch_first": True},
                                    {"add_bias_kv": True, "add_zero_attn": True}])
def test_mha_variants(kwargs):
    _mha_case({"embed_dim": 8, "num_heads": 4, **kwargs})


def test_mha_unbatched():
    _mha_case({"embed_dim": 6, "num_heads": 3}, N=None)
    _mha_case({"embed_dim": 6, "num_heads": 3, "batch_first": True}, N=None,
              call={"need_weights": False})


def _kpm(N=2, S=4):
    m = np.zeros((N, S), dtype=bool)
    m[0, -1] = m[1, 1] = True
    return m


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("masks", [
    {"key_padding_mask": _kpm()},
    {"attn_mask": np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)},
    {"attn_mask": np.random.default_rng(4).random((4, 3, 4)) > 0.7},
    {"attn_mask": np.random.default_rng(5).random((3, 4)) > 0.7,
     "key_padding_mask": _kpm()},
    {"attn_mask": np.zeros((3, 4), np.float32),
     "key_padding_mask": np.where(_kpm(), -np.inf, 0).astype(np.float32)}])
def test_mha_masks(need_weights, masks):
    _mha_case({"embed_dim": 8, "num_heads": 2, "batch_first": True}, masks=masks,
              call={"need_weights": need_weights})


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_causal(need_weights):
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    _mha_case({"embed_dim": 8, "num_heads": 2}, L=4, S=4, masks={"attn_mask": causal},
              call={"need_weights": need_weights, "is_causal": True})


def test_mha_init_and_repr():
    ember.manual_seed(0)
    for kwargs in ({"embed_dim": 8, "num_heads": 2},
                   {"embed_dim": 8, "num_heads": 2, "kdim": 3, "vdim": 5, "bias": False},
                   {"embed_dim": 4, "num_heads": 1, "add_bias_kv": True}):
        e = nn.MultiheadAttention(**kwargs)
        t = torch.nn.MultiheadAttention(**kwargs)
        assert repr(e) == repr(t)
        assert list(e.state_dict()) == list(t.state_dict())
        for name, p in t.state_dict().items():
            assert tuple(e.state_dict()[name].shape) == tuple(p.shape), name
    e = nn.MultiheadAttention(16, 4)
    bound = math.sqrt(6.0 / (16 + 48))  # xavier_uniform_ over the packed (3E, E) weight
    w = e.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    np.testing.assert_array_equal(e.in_proj_bias.detach().numpy(), np.zeros(48, np.float32))
    np.testing.assert_array_equal(e.out_proj.bias.detach().numpy(), np.zeros(16, np.float32))


def test_mha_dropout_only_in_training():
    ember.manual_seed(0)
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ember.randn(3, 2, 8)

    def out():
        return m(x, x, x)[0].detach().numpy()
    m.eval()
    expected = out()
    np.testing.assert_array_equal(out(), expected)
    m.train()
    assert not np.allclose(out(), expected)


def test_mha_bad_input():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="must be greater than 0"):
        nn.MultiheadAttention(0, 2)
    m = nn.MultiheadAttention(8, 2)
    x = ember.randn(3, 2, 8)
    with pytest.raises(AssertionError, match="only bool and floating types"):
        m(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask"):
        m(x, x, x, attn_mask=ember.zeros(3, 4))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        m(x[0, 0], x[0, 0], x[0, 0])


# -- TransformerEncoderLayer and TransformerEncoder -----------------------------------------------

def _encoder_case(t_mod, e_mod, batch_first, call_arrays=None, call=None, seed=0):
    rng = np.random.default_rng(seed)
    copy_weights(t_mod, e_mod)
    t_mod.eval()
    e_mod.eval()
    x = _rand(rng, *((2, 4, 8) if batch_first else (4, 2, 8)))
    (tx,), (ex,) = _leaves([x])
    t_kw = {k: torch.tensor(v) for k, v in (call_arrays or {}).items()}
    e_kw = {k: ember.tensor(v) for k, v in (call_arrays or {}).items()}
    t_out = t_mod(tx, **t_kw, **(call or {}))
    e_out = e_mod(ex, **e_kw, **(call or {}))
    assert_close(e_out, t_out, RTOL, ATOL, msg="output")
    _backward(t_out, e_out, seed)
    assert_close(ex.grad, tx.grad, RTOL, ATOL, msg="src")
    _compare_params(t_mod, e_mod)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_torch(batch_first, norm_first, activation):
    kwargs = {"d_model": 8, "nhead": 2, "dim_feedforward": 12, "batch_first": batch_first,
              "norm_first": norm_first, "activation": activation, "layer_norm_eps": 1e-6}
    torch.manual_seed(0)
    _encoder_case(torch.nn.TransformerEncoderLayer(**kwargs),
                  nn.TransformerEncoderLayer(**kwargs), batch_first,
                  call_arrays={"src_key_padding_mask": _kpm()})


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("is_causal", [None, True])
def test_encoder_matches_torch(batch_first, is_causal):
    kwargs = {"d_model": 8, "nhead": 2, "dim_feedforward": 12, "batch_first": batch_first}
    torch.manual_seed(0)
    t_mod = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**kwargs), 2,
                                        norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    e_mod = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kwargs), 2, norm=nn.LayerNorm(8))
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    _encoder_case(t_mod, e_mod, batch_first, call_arrays={"mask": causal},
                  call={"is_causal": is_causal})
    _encoder_case(t_mod, e_mod, batch_first,
                  call_arrays={"mask": causal != 0, "src_key_padding_mask": _kpm()})


def test_encoder_repr_state_dict_and_clones():
    kwargs = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True}
    t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**kwargs), 2,
                                    norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    layer = nn.TransformerEncoderLayer(**kwargs)
    e = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    assert repr(e) == repr(t)
    assert repr(layer) == repr(torch.nn.TransformerEncoderLayer(**kwargs))
    assert list(e.state_dict()) == list(t.state_dict())
    assert e.layers[0] is not layer and e.layers[0].linear1.weight is not e.layers[1].linear1.weight
    np.testing.assert_array_equal(e.layers[1].linear1.weight.detach().numpy(),
                                  layer.linear1.weight.detach().numpy())


@pytest.mark.parametrize("activation", ["relu", "gelu", "F.relu", "F.gelu", "ReLU", "GELU",
                                        "Tanh", "lambda"])
def test_encoder_layer_activation_code_and_layout_match_torch(activation):
    def build(lib, functional):
        act = {"F.relu": functional.relu, "F.gelu": functional.gelu, "ReLU": lib.nn.ReLU(),
               "GELU": lib.nn.GELU(), "Tanh": lib.nn.Tanh(),
               "lambda": lambda x: x}.get(activation, activation)
        return lib.nn.TransformerEncoderLayer(8, 2, 12, activation=act, bias=False,
                                              norm_first=True, layer_norm_eps=1e-3)
    t, e = build(torch, torch.nn.functional), build(ember, F)
    assert e.activation_relu_or_gelu == t.activation_relu_or_gelu
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert (e.norm_first, e.norm2.eps) == (t.norm_first, t.norm2.eps)


@pytest.mark.parametrize("options", [dict(), dict(kdim=3, vdim=5), dict(vdim=5, bias=False),
                                     dict(add_bias_kv=True, add_zero_attn=True),
                                     dict(kdim=8, vdim=8, add_bias_kv=True, bias=False)])
def test_attention_parameters_match_torch(options):
    """Names (unused ones as None, in order), shapes, state_dict keys and attributes."""
    def layout(lib):
        m = lib.nn.MultiheadAttention(8, 2, **options)
        return ([(n, None if p is None else tuple(p.shape)) for n, p in m._parameters.items()],
                list(m.state_dict()), (m.kdim, m.vdim, m.head_dim, m._qkv_same_embed_dim),
                [None if v is None else tuple(v.shape) for v in (m.bias_k, m.bias_v)],
                repr(m))
    assert layout(ember) == layout(torch)


def test_encoder_layer_bad_activation():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerEncoderLayer(8, 3)


def _mha_call(lib, change):
    """F.multi_head_attention_forward on (L=3, N=2, E=4) inputs, two heads, with one argument
    changed; returns the output (and weights) or the error's type and message."""
    rng = np.random.default_rng(7)
    arrays = {"query": (3, 2, 4), "key": (5, 2, 4), "value": (5, 2, 4), "in_proj_weight": (12, 4),
              "in_proj_bias": (12,), "out_proj_weight": (4, 4), "out_proj_bias": (4,),
              "bias_k": (1, 1, 4), "bias_v": (1, 1, 4), "q_proj_weight": (4, 4),
              "k_proj_weight": (4, 4), "v_proj_weight": (4, 4), "static_k": (4, 5, 2),
              "key_padding_mask": (2, 5)}
    values = {name: rng.standard_normal(shape).astype(np.float32) for name, shape in arrays.items()}
    values["key_padding_mask"] = values["key_padding_mask"] > 1.0
    args = dict(embed_dim_to_check=4, num_heads=2, bias_k=None, bias_v=None, add_zero_attn=False,
                dropout_p=0.0, training=False, static_k=None, key_padding_mask=None,
                q_proj_weight=None, k_proj_weight=None, v_proj_weight=None)
    args.update({n: values[n] for n in ("query", "key", "value", "in_proj_weight", "in_proj_bias",
                                        "out_proj_weight", "out_proj_bias")})
    args.update({n: values[n] if isinstance(v, str) else v for n, v in change.items()})
    args = {n: lib.tensor(v) if isinstance(v, np.ndarray) else v for n, v in args.items()}
    try:
        out, weights = lib.nn.functional.multi_head_attention_forward(**args)
    except (AssertionError, RuntimeError) as exc:
        return type(exc).__name__, str(exc).replace("ember.", "torch.")
    return out.detach().numpy(), None if weights is None else weights.detach().numpy()


MHA_CHANGES = [dict(), dict(bias_k="bias_k"), dict(bias_v="bias_v"),
               dict(bias_k="bias_k", bias_v="bias_v"),
               dict(bias_k="bias_k", bias_v="bias_v", static_k="static_k"),
               dict(bias_k="bias_k", bias_v="bias_v", add_zero_attn=True,
                    key_padding_mask="key_padding_mask"),
               dict(add_zero_attn=True, need_weights=False, key_padding_mask="key_padding_mask"),
               dict(use_separate_proj_weight=True, q_proj_weight="q_proj_weight"),
               dict(use_separate_proj_weight=True, q_proj_weight="q_proj_weight",
                    k_proj_weight="k_proj_weight", v_proj_weight="v_proj_weight"),
               dict(in_proj_weight=None), dict(value=np.zeros((4, 2, 4), np.float32)),
               dict(embed_dim_to_check=6), dict(static_k="static_k", need_weights=False),
               dict(is_causal=True), dict(average_attn_weights=False),
               dict(attn_mask=np.triu(np.full((3, 5), -np.inf, np.float32), 1), is_causal=True,
                    need_weights=False)]


@pytest.mark.parametrize("case", range(len(MHA_CHANGES)))
def test_multi_head_attention_forward_matches_torch(case):
    """Each argument path of the functional form: the same numbers, or the same error."""
    got, want = _mha_call(ember, MHA_CHANGES[case]), _mha_call(torch, MHA_CHANGES[case])
    if isinstance(want[0], str):
        assert got == want
    else:
        for g, w in zip(got, want):
            assert (g is None) == (w is None)
            if w is not None:
                np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
