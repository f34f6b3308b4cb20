"""TransformerEncoder's outputs at padded positions, against torch (NOTE [ Padded positions ] in
ember/nn/modules/transformer.py): zero where torch packs the batch into a nested tensor, computed
elsewhere; and torch's construction warning when its layers rule nested tensors out."""
import warnings

import numpy as np
import pytest
import torch

import ember

_LEFT = np.array([[0, 0, 0, 0], [0, 0, 1, 1]], bool)  # padding at the end of each row
_INNER = np.array([[0, 0, 0, 0], [1, 0, 0, 1]], bool)


def _encoder(lib, heads, batch_first, norm, sd=None):
    layer = lib.nn.TransformerEncoderLayer(8, heads, 16, dropout=0.0, batch_first=batch_first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enc = lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8) if norm else None)
    if sd is not None:
        enc.load_state_dict({k: lib.tensor(v) for k, v in sd.items()})
    return enc


def _run(lib, sd, pad, heads=2, batch_first=True, train=False, grad=False, norm=False,
         mask=None):
    x = np.random.default_rng(0).standard_normal((2, 4, 8)).astype(np.float32)
    enc = _encoder(lib, heads, batch_first, norm, sd)
    enc.train(train)
    src = lib.tensor(x if batch_first else x.transpose(1, 0, 2).copy())
    kw = {"src_key_padding_mask": lib.tensor(pad)}
    if mask is not None:
        kw["mask"] = lib.tensor(mask)
    if grad:
        return enc(src, **kw).detach().numpy()
    with lib.no_grad():
        return enc(src, **kw).numpy()


@pytest.mark.parametrize("case", [
    {}, {"norm": True}, {"pad": _INNER}, {"train": True}, {"grad": True}, {"heads": 1},
    {"batch_first": False}, {"mask": np.zeros((4, 4), np.float32)}], ids=str)
def test_outputs_match_torch(case):
    case = dict(case)
    pad = case.pop("pad", _LEFT)
    torch.manual_seed(0)
    reference = _encoder(torch, case.get("heads", 2), case.get("batch_first", True),
                         case.get("norm", False))
    sd = {k: v.detach().numpy().copy() for k, v in reference.state_dict().items()}
    want = _run(torch, sd, pad, **case)
    np.testing.assert_allclose(_run(ember, sd, pad, **case), want, atol=2e-6)


def test_padded_positions_are_zero_in_inference():
    enc = _encoder(ember, 2, True, False).eval()
    with ember.no_grad():
        out = enc(ember.randn(2, 4, 8), src_key_padding_mask=ember.tensor(_LEFT))
    assert (out[1, 2:] == 0).all() and (out[0] != 0).all()


@pytest.mark.parametrize("layer_kw", [{"batch_first": False}, {"norm_first": True},
                                      {"activation": lambda t: t}, {"nhead": 1}])
def test_construction_warns_as_torch(layer_kw):
    def warned(lib):
        kw = dict(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
        kw.update(layer_kw)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            enc = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(**kw), 1)
        return [str(w.message) for w in caught], enc.use_nested_tensor
    assert warned(ember) == warned(torch)
