"""TransformerDecoderLayer, TransformerDecoder and Transformer against torch: values, gradients of
inputs and every parameter (torch's weights copied in), masks, layouts, repr and state_dict."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck

from ._helpers import assert_close, copy_weights, raises_like

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-4, 1e-5
D_MODEL, NHEAD, FF = 8, 2, 12
T, S, N = 4, 5, 3  # target length, source length, batch


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def _seq(rng, length, batch_first):
    return _rand(rng, *((N, length, D_MODEL) if batch_first else (length, N, D_MODEL)))


def _masks(rng):
    """Every mask the decoder takes: a causal float tgt mask, a bool memory mask and key padding
    masks (True: ignore) that leave each row something to attend to."""
    memory_mask = rng.random((T, S)) > 0.7
    memory_mask[:, 0] = False
    tgt_kpm = np.zeros((N, T), bool)
    tgt_kpm[1, 3:] = True
    memory_kpm = np.zeros((N, S), bool)
    memory_kpm[0, 2:] = True
    memory_kpm[2, 4] = True
    return {"tgt_mask": np.triu(np.full((T, T), -np.inf, np.float32), 1),
            "memory_mask": memory_mask, "tgt_key_padding_mask": tgt_kpm,
            "memory_key_padding_mask": memory_kpm}


def _run_both(t_mod, e_mod, inputs, masks=None, call=None, seed=0):
    """Call both models on the same inputs (weights copied from torch, eval mode), backpropagate
    one random cotangent, and compare the output, the inputs' and the parameters' gradients."""
    copy_weights(t_mod, e_mod)
    t_mod.eval()
    e_mod.eval()
    t_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    e_in = [ember.tensor(a, requires_grad=True) for a in inputs]
    t_kw = {k: torch.tensor(v) for k, v in (masks or {}).items()}
    e_kw = {k: ember.tensor(v) for k, v in (masks or {}).items()}
    t_out = t_mod(*t_in, **t_kw, **(call or {}))
    e_out = e_mod(*e_in, **e_kw, **(call or {}))
    assert e_out.dtype == ember.float32
    assert_close(e_out, t_out, RTOL, ATOL, msg="output")
    g = np.random.default_rng(seed).standard_normal(tuple(t_out.shape)).astype(np.float32)
    t_out.backward(torch.tensor(g))
    e_out.backward(ember.tensor(g))
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        assert_close(e.grad, t.grad, RTOL, ATOL, msg=f"input {i}")
    t_params, e_params = dict(t_mod.named_parameters()), dict(e_mod.named_parameters())
    assert list(t_params) == list(e_params)
    for name, p in t_params.items():
        assert_close(e_params[name].grad, p.grad, RTOL, ATOL, msg=name)


def _layer_kwargs(**extra):
    return {"d_model": D_MODEL, "nhead": NHEAD, "dim_feedforward": FF, **extra}


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_decoder_layer_matches_torch(batch_first, norm_first, activation):
    kwargs = _layer_kwargs(batch_first=batch_first, norm_first=norm_first,
                           activation=activation, layer_norm_eps=1e-6)
    rng = np.random.default_rng(1)
    inputs = [_seq(rng, T, batch_first), _seq(rng, S, batch_first)]
    _run_both(torch.nn.TransformerDecoderLayer(**kwargs), nn.TransformerDecoderLayer(**kwargs),
              inputs, _masks(rng))


def test_decoder_layer_without_masks_and_unbatched():
    kwargs = _layer_kwargs()
    rng = np.random.default_rng(2)
    t_mod, e_mod = torch.nn.TransformerDecoderLayer(**kwargs), nn.TransformerDecoderLayer(**kwargs)
    _run_both(t_mod, e_mod, [_seq(rng, T, False), _seq(rng, S, False)])
    _run_both(t_mod, e_mod, [_rand(rng, T, D_MODEL), _rand(rng, S, D_MODEL)])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("tgt_is_causal", [None, True])
def test_decoder_matches_torch(batch_first, tgt_is_causal):
    kwargs = _layer_kwargs(batch_first=batch_first)
    t_mod = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(**kwargs), 2,
                                        norm=torch.nn.LayerNorm(D_MODEL))
    e_mod = nn.TransformerDecoder(nn.TransformerDecoderLayer(**kwargs), 2,
                                  norm=nn.LayerNorm(D_MODEL))
    rng = np.random.default_rng(3)
    inputs = [_seq(rng, T, batch_first), _seq(rng, S, batch_first)]
    masks = _masks(rng)
    _run_both(t_mod, e_mod, inputs, {"tgt_mask": masks["tgt_mask"]},
              {"tgt_is_causal": tgt_is_causal})
    _run_both(t_mod, e_mod, inputs, masks)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(batch_first, norm_first):
    kwargs = {"d_model": D_MODEL, "nhead": NHEAD, "num_encoder_layers": 2,
              "num_decoder_layers": 2, "dim_feedforward": FF, "batch_first": batch_first,
              "norm_first": norm_first}
    t_mod, e_mod = torch.nn.Transformer(**kwargs), nn.Transformer(**kwargs)
    rng = np.random.default_rng(4)
    src_kpm = np.zeros((N, S), bool)
    src_kpm[1, 3:] = True
    masks = dict(_masks(rng), src_key_padding_mask=src_kpm,
                 src_mask=np.triu(np.full((S, S), -np.inf, np.float32), 1))
    _run_both(t_mod, e_mod, [_seq(rng, S, batch_first), _seq(rng, T, batch_first)], masks)


def test_transformer_custom_parts_activation_and_unbatched():
    kwargs = _layer_kwargs(batch_first=True)
    e_enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kwargs), 1)
    t_enc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**kwargs), 1,
                                        enable_nested_tensor=False)
    t_mod = torch.nn.Transformer(D_MODEL, NHEAD, num_decoder_layers=1, dim_feedforward=FF,
                                 custom_encoder=t_enc, activation=torch.nn.GELU(),
                                 batch_first=True, bias=False)
    e_mod = nn.Transformer(D_MODEL, NHEAD, num_decoder_layers=1, dim_feedforward=FF,
                           custom_encoder=e_enc, activation=nn.GELU(), batch_first=True,
                           bias=False)
    assert t_mod.encoder is t_enc and e_mod.encoder is e_enc
    # torch's TransformerDecoderLayer.__setstate__ puts F.relu in the __dict__ of each deep copy,
    # hiding a module activation; ember applies the GELU asked for, so torch's copies are mended
    for layer in t_mod.decoder.layers:
        assert layer.__dict__.pop("activation") is torch.nn.functional.relu
    assert isinstance(e_mod.decoder.layers[0].activation, nn.GELU)
    assert repr(e_mod) == repr(t_mod)
    rng = np.random.default_rng(5)
    _run_both(t_mod, e_mod, [_rand(rng, S, D_MODEL), _rand(rng, T, D_MODEL)],
              {"tgt_mask": _masks(rng)["tgt_mask"]}, {"tgt_is_causal": True})


def test_transformer_repr_state_dict_and_attributes():
    t_mod = torch.nn.Transformer(D_MODEL, NHEAD, 1, 2, FF)
    e_mod = nn.Transformer(D_MODEL, NHEAD, 1, 2, FF)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    for name, t in t_mod.state_dict().items():
        assert tuple(e_mod.state_dict()[name].shape) == tuple(t.shape), name
    assert (e_mod.d_model, e_mod.nhead, e_mod.batch_first) == (D_MODEL, NHEAD, False)
    assert e_mod.decoder.num_layers == 2 and e_mod.decoder.norm is not None
    layer = e_mod.decoder.layers[0]
    assert layer.norm_first is False and layer.activation is nn.functional.relu
    assert repr(nn.TransformerDecoderLayer(**_layer_kwargs())) == repr(
        torch.nn.TransformerDecoderLayer(**_layer_kwargs()))


def test_transformer_init_is_xavier_uniform():
    ember.manual_seed(0)
    model = nn.Transformer(16, 2, 1, 1, 32)
    for name, p in model.named_parameters():
        values = p.detach().numpy()
        if p.dim() > 1:
            bound = np.sqrt(6.0 / (p.shape[0] + p.shape[1]))
            assert np.abs(values).max() <= bound, name
            assert values.std() > bound / 3, name  # spread over the range, not left at zero
    # 1-d parameters keep their layers' own init: LayerNorm ones, attention biases zero
    np.testing.assert_array_equal(model.encoder.norm.weight.detach().numpy(), np.ones(16))
    np.testing.assert_array_equal(model.decoder.layers[0].self_attn.in_proj_bias.detach().numpy(),
                                  np.zeros(48))


@pytest.mark.parametrize("dtype", [None, "float64"])
def test_generate_square_subsequent_mask(dtype):
    t = torch.nn.Transformer.generate_square_subsequent_mask(
        5, dtype=None if dtype is None else getattr(torch, dtype))
    e = nn.Transformer.generate_square_subsequent_mask(
        5, dtype=None if dtype is None else getattr(ember, dtype))
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_transformer_bad_input_like_torch():
    t_mod, e_mod = torch.nn.Transformer(D_MODEL, NHEAD, 1, 1, FF), nn.Transformer(D_MODEL, NHEAD,
                                                                                  1, 1, FF)
    for src, tgt in (((S, 2, D_MODEL), (T, 3, D_MODEL)), ((S, 2, D_MODEL), (T, 2, 6))):
        raises_like(lambda: t_mod(torch.zeros(src), torch.zeros(tgt)),
                    lambda: e_mod(ember.zeros(src), ember.zeros(tgt)))
    raises_like(lambda: torch.nn.TransformerDecoderLayer(8, 2, activation="tanh"),
                lambda: nn.TransformerDecoderLayer(8, 2, activation="tanh"))


def test_train_mode_dropout_keeps_shapes_and_gradients():
    ember.manual_seed(0)
    model = nn.Transformer(D_MODEL, NHEAD, 1, 1, FF, dropout=0.5, batch_first=True)
    rng = np.random.default_rng(6)
    src, tgt = ember.tensor(_seq(rng, S, True)), ember.tensor(_seq(rng, T, True),
                                                              requires_grad=True)
    model.train()
    first, second = model(src, tgt), model(src, tgt)
    assert first.shape == second.shape == (N, T, D_MODEL)
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())  # fresh masks
    first.sum().backward()
    assert tgt.grad.shape == tgt.shape
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    np.testing.assert_array_equal(model(src, tgt).detach().numpy(),
                                  model(src, tgt).detach().numpy())


def test_decoder_layer_gradcheck():
    ember.manual_seed(0)
    layer = nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0).double()
    rng = np.random.default_rng(7)
    tgt = ember.tensor(rng.standard_normal((3, 1, 4)), requires_grad=True)
    memory = ember.tensor(rng.standard_normal((2, 1, 4)), requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    assert gradcheck(lambda a, b: layer(a, b, tgt_mask=mask), (tgt, memory))
