"""Every loss module against torch, for each reduction: value, gradient, repr; gradcheck."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck

RNG = np.random.default_rng(7)


def probs(*shape):
    p = RNG.uniform(0.1, 1.0, shape)
    return p / p.sum(axis=1, keepdims=True)


def uniform(*shape, low=0.05, high=0.95):
    return RNG.uniform(low, high, shape)


def normal(*shape):
    return RNG.standard_normal(shape)


# name -> (ctor(lib, reduction), input, target); float targets do not require grad
CASES = {
    "MSELoss": (lambda L, r: L.nn.MSELoss(reduction=r), normal(3, 4), normal(3, 4)),
    "L1Loss": (lambda L, r: L.nn.L1Loss(reduction=r), normal(3, 4), normal(3, 4) + 3),
    "SmoothL1Loss": (lambda L, r: L.nn.SmoothL1Loss(reduction=r, beta=0.5), normal(3, 4) * 2,
                     normal(3, 4) * 0.01),
    "HuberLoss": (lambda L, r: L.nn.HuberLoss(reduction=r, delta=0.7), normal(3, 4) * 2,
                  normal(3, 4) * 0.01),
    "CrossEntropyLoss": (lambda L, r: L.nn.CrossEntropyLoss(reduction=r), normal(4, 5),
                         np.array([0, 4, 2, 2])),
    "CrossEntropyLoss-weighted": (
        lambda L, r: L.nn.CrossEntropyLoss(weight=L.tensor([1.0, 2.0, 0.5, 1.5, 1.0],
                                                            dtype=L.float64),
                                           ignore_index=2, reduction=r),
        normal(4, 5), np.array([0, 4, 2, 1])),
    "CrossEntropyLoss-smoothing": (lambda L, r: L.nn.CrossEntropyLoss(label_smoothing=0.2,
                                                                      reduction=r),
                                   normal(4, 5), np.array([1, 3, 0, 4])),
    "CrossEntropyLoss-probs": (lambda L, r: L.nn.CrossEntropyLoss(reduction=r), normal(4, 5),
                               probs(4, 5)),
    "CrossEntropyLoss-2d": (lambda L, r: L.nn.CrossEntropyLoss(reduction=r), normal(2, 3, 2, 2),
                            RNG.integers(0, 3, (2, 2, 2))),
    "NLLLoss": (lambda L, r: L.nn.NLLLoss(reduction=r), normal(4, 3), np.array([2, 0, 1, 1])),
    "NLLLoss-weighted": (lambda L, r: L.nn.NLLLoss(weight=L.tensor([0.2, 1.0, 3.0],
                                                                   dtype=L.float64),
                                                   ignore_index=0, reduction=r),
                         normal(4, 3, 2), RNG.integers(0, 3, (4, 2))),
    "BCELoss": (lambda L, r: L.nn.BCELoss(reduction=r), uniform(3, 4), uniform(3, 4, low=0.0,
                                                                             high=1.0)),
    "BCELoss-weighted": (lambda L, r: L.nn.BCELoss(weight=L.tensor([1.0, 2.0, 0.5, 1.0],
                                                                   dtype=L.float64),
                                                   reduction=r),
                         uniform(3, 4), RNG.integers(0, 2, (3, 4)).astype(np.float64)),
    "BCEWithLogitsLoss": (lambda L, r: L.nn.BCEWithLogitsLoss(reduction=r), normal(3, 4) * 3,
                          uniform(3, 4, low=0.0, high=1.0)),
    "BCEWithLogitsLoss-weights": (
        lambda L, r: L.nn.BCEWithLogitsLoss(weight=L.tensor([[1.0], [2.0], [0.5]],
                                                             dtype=L.float64),
                                            pos_weight=L.tensor([1.0, 3.0, 0.5, 2.0],
                                                                dtype=L.float64), reduction=r),
        normal(3, 4) * 3, RNG.integers(0, 2, (3, 4)).astype(np.float64)),
    "KLDivLoss": (lambda L, r: L.nn.KLDivLoss(reduction=r), np.log(probs(3, 4)), probs(3, 4)),
    "KLDivLoss-log-target": (lambda L, r: L.nn.KLDivLoss(reduction=r, log_target=True),
                             np.log(probs(3, 4)), np.log(probs(3, 4))),
}

REDUCTIONS = ["mean", "sum", "none"]


def _pair(lib, case, reduction):
    ctor, x, target = case
    module = ctor(lib, reduction)
    inp = lib.tensor(x, requires_grad=True)
    tgt = lib.tensor(target)
    return module, inp, tgt


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(CASES))
def test_loss_matches_torch(torch, name, reduction):
    case = CASES[name]
    if name.startswith("KLDivLoss") and reduction == "mean":
        reduction = "batchmean"  # 'mean' warns in torch; batchmean is the documented choice
    t_mod, t_in, t_tgt = _pair(torch, case, reduction)
    e_mod, e_in, e_tgt = _pair(ember, case, reduction)
    assert repr(e_mod) == repr(t_mod)
    t_out, e_out = t_mod(t_in, t_tgt), e_mod(e_in, e_tgt)
    assert e_out.shape == tuple(t_out.shape) and e_out.dtype == ember.float64
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-7,
                               atol=1e-10)
    cotangent = RNG.standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(cotangent))
    e_out.backward(ember.tensor(cotangent))
    np.testing.assert_allclose(e_in.grad.numpy(), t_in.grad.numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", list(CASES))
def test_loss_gradcheck(name):
    module, inp, tgt = _pair(ember, CASES[name], "sum")
    assert gradcheck(lambda x: module(x, tgt), (inp,))


def test_loss_modules_are_float32_by_default_and_keep_buffers():
    loss = nn.CrossEntropyLoss(weight=ember.ones(3))
    assert [n for n, _ in loss.named_buffers()] == ["weight"]
    out = loss(ember.randn(2, 3), ember.tensor([0, 2]))
    assert out.dtype == ember.float32 and out.dim() == 0
    assert [n for n, _ in nn.BCEWithLogitsLoss(pos_weight=ember.ones(2)).named_buffers()] == \
        ["pos_weight"]


def test_legacy_size_average_and_reduce_flags(torch):
    for size_average, reduce in [(False, None), (None, False), (True, True)]:
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            e = nn.MSELoss(size_average=size_average, reduce=reduce)
        with pytest.warns(UserWarning):
            t = torch.nn.MSELoss(size_average=size_average, reduce=reduce)
        assert e.reduction == t.reduction


def test_cross_entropy_target_out_of_range_raises_like_torch(torch):
    for bad in ([0, 5], [-3, 1]):
        with pytest.raises(Exception) as expected:
            torch.nn.CrossEntropyLoss()(torch.zeros(2, 5), torch.tensor(bad))
        with pytest.raises(type(expected.value)):
            nn.CrossEntropyLoss()(ember.zeros(2, 5), ember.tensor(bad))
