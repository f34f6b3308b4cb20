"""The activation, padding, upsampling, pooling, instance-norm, pixel-shuffle, distance, fold and
composite-loss modules against torch: repr, state_dict keys, forward, gradients; gradcheck."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck

from ._helpers import raises_like

RNG = np.random.default_rng(7)


def normal(*shape):
    return RNG.standard_normal(shape)


def away_from(kinks, *shape, gap=0.15):
    """Normal values pushed at least `gap` away from every kink (no finite-difference trouble
    where the function bends)."""
    x = RNG.standard_normal(shape) * 2
    for k in kinks:
        near = np.abs(x - k) < gap
        x[near] = k + np.where(x[near] >= k, gap, -gap) * 2
    return x


def signs(*shape):
    return RNG.choice([-1.0, 1.0], shape)


def positive(*shape):
    return RNG.uniform(0.3, 2.0, shape)


class Const:
    """An input array that does not require grad (targets, labels)."""

    def __init__(self, array):
        self.array = array


class Case:
    def __init__(self, ctor, *inputs, train=True):
        self.ctor = ctor      # lib -> module
        self.inputs = inputs  # float arrays require grad; Const ones do not
        self.train = train


CASES = {
    # activations
    "PReLU": Case(lambda L: L.nn.PReLU(), away_from([0], 2, 3)),
    "PReLU-channels": Case(lambda L: L.nn.PReLU(3, init=0.1), away_from([0], 2, 3, 4)),
    "PReLU-1d": Case(lambda L: L.nn.PReLU(1), away_from([0], 5)),
    "Softmin": Case(lambda L: L.nn.Softmin(dim=1), normal(2, 4)),
    "Softsign": Case(lambda L: L.nn.Softsign(), normal(3, 4)),
    "Tanhshrink": Case(lambda L: L.nn.Tanhshrink(), normal(3, 4)),
    "Threshold": Case(lambda L: L.nn.Threshold(0.1, 2.0), away_from([0.1], 3, 4)),
    "GLU": Case(lambda L: L.nn.GLU(dim=1), normal(2, 4, 3)),
    "GLU-last": Case(lambda L: L.nn.GLU(), normal(3, 6)),
    "LogSigmoid": Case(lambda L: L.nn.LogSigmoid(), normal(3, 4)),
    "Hardswish": Case(lambda L: L.nn.Hardswish(), away_from([-3, 3], 4, 5) * 2),
    "Hardsigmoid": Case(lambda L: L.nn.Hardsigmoid(), away_from([-3, 3], 4, 5) * 2),
    "SELU": Case(lambda L: L.nn.SELU(), away_from([0], 3, 4)),
    "CELU": Case(lambda L: L.nn.CELU(0.7), away_from([0], 3, 4)),
    "Softshrink": Case(lambda L: L.nn.Softshrink(0.3), away_from([-0.3, 0.3], 3, 4)),
    "Hardshrink": Case(lambda L: L.nn.Hardshrink(), away_from([-0.5, 0.5], 3, 4)),
    "Softmax2d": Case(lambda L: L.nn.Softmax2d(), normal(2, 3, 2, 2)),
    # upsampling
    "Upsample-nearest": Case(lambda L: L.nn.Upsample(scale_factor=2), normal(1, 2, 3, 3)),
    "Upsample-bilinear-size": Case(lambda L: L.nn.Upsample(size=(5, 4), mode="bilinear",
                                                           align_corners=True),
                                   normal(1, 2, 3, 3)),
    "Upsample-linear": Case(lambda L: L.nn.Upsample(scale_factor=1.5, mode="linear"),
                            normal(2, 2, 4)),
    "Upsample-tuple": Case(lambda L: L.nn.Upsample(scale_factor=(2, 3), mode="bilinear"),
                           normal(1, 1, 2, 3)),
    "UpsamplingNearest2d": Case(lambda L: L.nn.UpsamplingNearest2d(size=5), normal(1, 2, 3, 2)),
    "UpsamplingBilinear2d": Case(lambda L: L.nn.UpsamplingBilinear2d(scale_factor=2),
                                 normal(1, 2, 3, 2)),
    # padding
    "ZeroPad1d": Case(lambda L: L.nn.ZeroPad1d(2), normal(2, 3)),
    "ZeroPad2d": Case(lambda L: L.nn.ZeroPad2d((1, 2, 0, 1)), normal(1, 2, 3, 3)),
    "ZeroPad3d": Case(lambda L: L.nn.ZeroPad3d(1), normal(1, 1, 2, 2, 2)),
    "ConstantPad1d": Case(lambda L: L.nn.ConstantPad1d((1, 2), 3.5), normal(2, 2, 3)),
    "ConstantPad2d": Case(lambda L: L.nn.ConstantPad2d(1, -1), normal(2, 3, 3)),
    "ConstantPad3d": Case(lambda L: L.nn.ConstantPad3d((1, 0, 0, 1, 1, 0), 0.5),
                          normal(1, 1, 2, 2, 2)),
    "ReflectionPad1d": Case(lambda L: L.nn.ReflectionPad1d(2), normal(2, 2, 4)),
    "ReflectionPad2d": Case(lambda L: L.nn.ReflectionPad2d((1, 2, 2, 1)), normal(1, 2, 3, 4)),
    "ReflectionPad3d": Case(lambda L: L.nn.ReflectionPad3d(1), normal(1, 1, 2, 3, 3)),
    "ReplicationPad1d": Case(lambda L: L.nn.ReplicationPad1d((0, 2)), normal(2, 2, 3)),
    "ReplicationPad2d": Case(lambda L: L.nn.ReplicationPad2d(1), normal(2, 3, 3)),
    "ReplicationPad3d": Case(lambda L: L.nn.ReplicationPad3d((1, 0, 2, 0, 0, 1)),
                             normal(1, 1, 2, 2, 2)),
    "CircularPad1d": Case(lambda L: L.nn.CircularPad1d(1), normal(2, 2, 3)),
    "CircularPad2d": Case(lambda L: L.nn.CircularPad2d((1, 0, 2, 1)), normal(1, 2, 3, 3)),
    # pooling
    "AvgPool1d": Case(lambda L: L.nn.AvgPool1d(3), normal(2, 2, 7)),
    "AvgPool1d-full": Case(lambda L: L.nn.AvgPool1d(3, 2, 1, ceil_mode=True,
                                                    count_include_pad=False), normal(1, 2, 6)),
    "AdaptiveAvgPool1d": Case(lambda L: L.nn.AdaptiveAvgPool1d(3), normal(2, 2, 7)),
    # instance norm
    "InstanceNorm1d": Case(lambda L: L.nn.InstanceNorm1d(3), normal(2, 3, 5)),
    "InstanceNorm1d-unbatched": Case(lambda L: L.nn.InstanceNorm1d(3, affine=True),
                                     normal(3, 5)),
    "InstanceNorm2d-tracked": Case(lambda L: L.nn.InstanceNorm2d(3, momentum=0.3, affine=True,
                                                                 track_running_stats=True),
                                   normal(2, 3, 2, 3)),
    "InstanceNorm2d-tracked-eval": Case(lambda L: L.nn.InstanceNorm2d(
        2, affine=True, track_running_stats=True), normal(2, 2, 3, 3), train=False),
    "InstanceNorm2d-untracked-eval": Case(lambda L: L.nn.InstanceNorm2d(2, eps=1e-3),
                                          normal(2, 2, 3, 3), train=False),
    "InstanceNorm3d-nobias": Case(lambda L: L.nn.InstanceNorm3d(2, affine=True, bias=False),
                                  normal(1, 2, 2, 2, 2)),
    # pixel shuffle, distances, fold
    "PixelShuffle": Case(lambda L: L.nn.PixelShuffle(2), normal(2, 8, 2, 3)),
    "PixelShuffle-unbatched": Case(lambda L: L.nn.PixelShuffle(3), normal(9, 1, 2)),
    "PixelUnshuffle": Case(lambda L: L.nn.PixelUnshuffle(2), normal(1, 2, 4, 6)),
    "PixelUnshuffle-5d": Case(lambda L: L.nn.PixelUnshuffle(3), normal(2, 1, 1, 3, 6)),
    "CosineSimilarity": Case(lambda L: L.nn.CosineSimilarity(), normal(4, 3), normal(4, 3)),
    "CosineSimilarity-dim": Case(lambda L: L.nn.CosineSimilarity(dim=-1, eps=1e-6),
                                 normal(2, 3, 4), normal(1, 3, 4)),
    "PairwiseDistance": Case(lambda L: L.nn.PairwiseDistance(), normal(4, 3), normal(4, 3)),
    "PairwiseDistance-p": Case(lambda L: L.nn.PairwiseDistance(p=3.0, eps=1e-4, keepdim=True),
                               normal(4, 3), normal(4, 3)),
    "Fold": Case(lambda L: L.nn.Fold((4, 5), 2), normal(1, 8, 12)),
    "Fold-full": Case(lambda L: L.nn.Fold((4, 4), (2, 2), dilation=1, padding=1, stride=2),
                      normal(2, 4, 9)),
    "Unfold": Case(lambda L: L.nn.Unfold(2, padding=1), normal(1, 2, 3, 3)),
    "Unfold-full": Case(lambda L: L.nn.Unfold((2, 3), dilation=(1, 2), stride=2),
                        normal(2, 1, 5, 7)),
    # losses
    "MarginRankingLoss": Case(lambda L: L.nn.MarginRankingLoss(0.1), normal(6), normal(6),
                              Const(signs(6))),
    "MarginRankingLoss-none": Case(lambda L: L.nn.MarginRankingLoss(reduction="none"),
                                   normal(6), normal(6), Const(signs(6))),
    "HingeEmbeddingLoss": Case(lambda L: L.nn.HingeEmbeddingLoss(margin=0.5, reduction="sum"),
                               normal(2, 5), Const(signs(2, 5))),
    "SoftMarginLoss": Case(lambda L: L.nn.SoftMarginLoss(), normal(3, 4), Const(signs(3, 4))),
    "MultiLabelSoftMarginLoss": Case(
        lambda L: L.nn.MultiLabelSoftMarginLoss(weight=L.tensor([0.5, 1.0, 2.0])),
        normal(4, 3), Const(RNG.integers(0, 2, (4, 3)).astype(np.float64))),
    "CosineEmbeddingLoss": Case(lambda L: L.nn.CosineEmbeddingLoss(0.2), normal(4, 3),
                                normal(4, 3), Const(signs(4))),
    "TripletMarginLoss": Case(lambda L: L.nn.TripletMarginLoss(), normal(4, 3), normal(4, 3),
                              normal(4, 3)),
    "TripletMarginLoss-swap": Case(lambda L: L.nn.TripletMarginLoss(0.5, p=1.0, swap=True,
                                                                    reduction="none"),
                                   normal(4, 3), normal(4, 3), normal(4, 3)),
    "PoissonNLLLoss": Case(lambda L: L.nn.PoissonNLLLoss(full=True), normal(3, 4),
                           Const(RNG.integers(0, 5, (3, 4)).astype(np.float64))),
    "PoissonNLLLoss-rate": Case(lambda L: L.nn.PoissonNLLLoss(log_input=False, eps=1e-4,
                                                              reduction="sum"),
                                positive(3, 4), Const(positive(3, 4))),
    "GaussianNLLLoss": Case(lambda L: L.nn.GaussianNLLLoss(), normal(4, 2), Const(normal(4, 2)),
                            positive(4, 2)),
    "GaussianNLLLoss-full": Case(lambda L: L.nn.GaussianNLLLoss(full=True, eps=1e-3,
                                                                reduction="none"),
                                 normal(4, 3), Const(normal(4, 3)), positive(4, 1)),
}


def make_inputs(lib, case):
    return [lib.tensor(a.array) if isinstance(a, Const) else lib.tensor(a, requires_grad=True)
            for a in case.inputs]


def build_pair(torch, case):
    t = case.ctor(torch).double().train(case.train)
    e = case.ctor(ember).double().train(case.train)
    state = {k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()}
    # untrained values would hide a wrong broadcast: perturb the parameters on both sides
    for k, v in t.named_parameters():
        state[k] = ember.tensor(v.detach().numpy() + RNG.uniform(-0.5, 0.5, tuple(v.shape)))
        v.data.copy_(torch.tensor(state[k].numpy()))
    result = e.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys
    return t, e


@pytest.mark.parametrize("name", list(CASES))
def test_module_matches_torch(torch, name):
    case = CASES[name]
    t, e = build_pair(torch, case)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    t_in, e_in = make_inputs(torch, case), make_inputs(ember, case)
    t_out, e_out = t(*t_in), e(*e_in)
    assert e_out.shape == tuple(t_out.shape) and e_out.dtype.name == str(t_out.dtype)[6:]
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-7,
                               atol=1e-10)
    for (bname, eb), (_, tb) in zip(e.named_buffers(), t.named_buffers()):
        np.testing.assert_allclose(eb.numpy(), tb.numpy(), rtol=1e-7, atol=1e-12, err_msg=bname)
    cotangent = RNG.standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(cotangent))
    e_out.backward(ember.tensor(cotangent))
    for i, (ei, ti) in enumerate(zip(e_in, t_in)):
        if ti.requires_grad:
            np.testing.assert_allclose(ei.grad.numpy(), ti.grad.numpy(), rtol=1e-7, atol=1e-10,
                                       err_msg=f"input {i}")
    for (pname, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-7, atol=1e-10,
                                   err_msg=pname)


@pytest.mark.parametrize("name", list(CASES))
def test_module_gradcheck(name):
    """Finite differences in float64, with respect to the inputs and every parameter."""
    case = CASES[name]
    m = case.ctor(ember).double().train(case.train)
    if getattr(m, "track_running_stats", False):
        m.momentum = 0.0  # repeated forwards must not move the running statistics
    inputs = make_inputs(ember, case)
    wrt = [i for i, x in enumerate(inputs) if x.requires_grad]
    params = [p for p in m.parameters() if p.requires_grad]

    def fn(*args):
        full = list(inputs)
        for i, a in zip(wrt, args):
            full[i] = a
        return m(*full)
    assert gradcheck(fn, (*[inputs[i] for i in wrt], *params))


def test_non_default_reprs_match_torch(torch):
    def build(L):
        return L.nn.Sequential(
            L.nn.Threshold(0.1, 2.0, inplace=True), L.nn.Hardswish(True), L.nn.Hardsigmoid(True),
            L.nn.SELU(True), L.nn.CELU(2.0, True), L.nn.Softmin(), L.nn.Softshrink(),
            L.nn.Hardshrink(0.25), L.nn.PReLU(4, init=0.5),
            L.nn.Upsample(), L.nn.Upsample(scale_factor=(2, 3)),
            L.nn.Upsample(size=3, mode="bicubic", align_corners=False),
            L.nn.ReplicationPad3d(2), L.nn.CircularPad3d((1, 2, 3, 4, 5, 6)),
            L.nn.ConstantPad2d((1, 2, 3, 4), 0), L.nn.AvgPool1d((2,), 1, (1,)),
            L.nn.InstanceNorm1d(3, eps=1e-3, momentum=None), L.nn.InstanceNorm3d(2, affine=True),
            L.nn.TripletMarginLoss(margin=2.0, p=1, swap=True), L.nn.GaussianNLLLoss(full=True),
            L.nn.PoissonNLLLoss(log_input=False, reduction="none"))
    assert repr(build(ember)) == repr(build(torch))


@pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
def test_legacy_reduction_flags(torch):
    for make in (lambda L: L.nn.MarginRankingLoss(size_average=False),
                 lambda L: L.nn.SoftMarginLoss(reduce=False),
                 lambda L: L.nn.PoissonNLLLoss(size_average=True, reduce=True)):
        assert make(ember).reduction == make(torch).reduction


def test_instance_norm_running_statistics_over_steps(torch):
    t = torch.nn.InstanceNorm1d(3, momentum=None, track_running_stats=True)
    e = nn.InstanceNorm1d(3, momentum=None, track_running_stats=True)
    for step in range(3):
        x = RNG.standard_normal((2, 3, 4)) * (step + 1) + step
        t(torch.tensor(x))
        e(ember.tensor(x))
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(e, name).numpy(), getattr(t, name).numpy(),
                                   rtol=1e-7, err_msg=name)


def test_instance_norm_feature_mismatch_warns_without_affine(torch):
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(ember.randn(2, 3, 5))


def test_instance_norm_rejects_old_untracked_running_stats():
    state = {"running_mean": ember.zeros(2), "running_var": ember.ones(2)}
    with pytest.raises(RuntimeError, match="Unexpected running stats buffer"):
        nn.InstanceNorm2d(2).load_state_dict(state)


def test_bad_input_matches_torch(torch):
    calls = [
        lambda L: L.nn.PReLU(3)(L.zeros(2, 4)),
        lambda L: L.nn.Softmax2d()(L.zeros(2, 3)),
        lambda L: L.nn.PixelShuffle(2)(L.zeros(1, 6, 2, 2)),
        lambda L: L.nn.PixelShuffle(2)(L.zeros(4, 2)),
        lambda L: L.nn.PixelUnshuffle(2)(L.zeros(1, 1, 3, 4)),
        lambda L: L.nn.PixelUnshuffle(2)(L.zeros(1, 1, 4, 3)),
        lambda L: L.nn.InstanceNorm1d(3, affine=True)(L.zeros(2, 4, 5)),
        lambda L: L.nn.InstanceNorm2d(3)(L.zeros(2, 3)),
        lambda L: L.nn.InstanceNorm1d(3)(L.zeros(2, 3, 1)),
        lambda L: L.nn.TripletMarginLoss(margin=0.0),
        lambda L: L.nn.GLU()(L.zeros(2, 3)),
    ]
    for call in calls:
        raises_like(lambda: call(torch), lambda: call(ember))
