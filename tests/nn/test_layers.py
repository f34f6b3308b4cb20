"""Every layer module against torch: repr, forward, gradients (inputs and parameters), buffers;
and gradcheck in float64."""
import re

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck

from ._helpers import copy_weights

RNG = np.random.default_rng(42)


def away_from_zero(*shape, low=0.2, high=2.0):
    """Values with |x| in [low, high): no kinks of ReLU-like functions nearby."""
    mag = RNG.uniform(low, high, shape)
    return mag * RNG.choice([-1.0, 1.0], shape)


def normal(*shape):
    return RNG.standard_normal(shape)


class Case:
    def __init__(self, ctor, *inputs, call=None, train=True, check_grad=True):
        self.ctor = ctor          # lib -> module
        self.inputs = inputs      # NumPy arrays: float ones require grad, integer ones do not
        self.call = call or {}    # keyword arguments of the call
        self.train = train
        self.check_grad = check_grad


CASES = {
    "Identity": Case(lambda L: L.nn.Identity(3, k=1), normal(2, 3)),
    "Linear": Case(lambda L: L.nn.Linear(4, 3), normal(2, 4)),
    "Linear-3d-nobias": Case(lambda L: L.nn.Linear(4, 3, bias=False), normal(2, 5, 4)),
    "Bilinear": Case(lambda L: L.nn.Bilinear(3, 4, 2), normal(2, 3), normal(2, 4)),
    "Flatten": Case(lambda L: L.nn.Flatten(), normal(2, 3, 2, 2)),
    "Flatten-0-1": Case(lambda L: L.nn.Flatten(0, 1), normal(2, 3, 2)),
    "Unflatten": Case(lambda L: L.nn.Unflatten(1, (2, 3)), normal(2, 6)),
    "Conv1d": Case(lambda L: L.nn.Conv1d(2, 4, 3, stride=2, padding=1), normal(2, 2, 7)),
    "Conv1d-groups-dilation": Case(lambda L: L.nn.Conv1d(4, 2, 2, dilation=2, groups=2,
                                                         bias=False), normal(1, 4, 6)),
    "Conv1d-same": Case(lambda L: L.nn.Conv1d(2, 2, 4, padding="same"), normal(1, 2, 5)),
    "Conv2d": Case(lambda L: L.nn.Conv2d(2, 3, 3), normal(2, 2, 5, 5)),
    "Conv2d-full": Case(lambda L: L.nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0),
                                              dilation=(1, 2), groups=2), normal(1, 2, 5, 6)),
    "Conv2d-valid-unbatched": Case(lambda L: L.nn.Conv2d(1, 2, 2, padding="valid"),
                                   normal(1, 4, 4)),
    "Conv2d-reflect": Case(lambda L: L.nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"),
                           normal(1, 1, 4, 4)),
    "Conv2d-circular-same": Case(lambda L: L.nn.Conv2d(1, 1, 3, padding="same",
                                                       padding_mode="circular"),
                                 normal(1, 1, 4, 5)),
    "Conv2d-replicate-same": Case(lambda L: L.nn.Conv2d(2, 2, (4, 3), padding="same",
                                                        dilation=(1, 3),
                                                        padding_mode="replicate"),
                                  normal(1, 2, 5, 8)),
    "ConvTranspose2d": Case(lambda L: L.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                                                           output_padding=1), normal(1, 2, 3, 3)),
    "ConvTranspose2d-groups": Case(lambda L: L.nn.ConvTranspose2d(4, 2, 2, groups=2, dilation=2,
                                                                  bias=False),
                                   normal(1, 4, 3, 3)),
    "ConvTranspose2d-output_size": Case(lambda L: L.nn.ConvTranspose2d(1, 1, 3, stride=2),
                                        normal(1, 1, 3, 3), call={"output_size": [8, 8]}),
    "MaxPool1d": Case(lambda L: L.nn.MaxPool1d(2), normal(2, 3, 8)),
    "MaxPool1d-ceil": Case(lambda L: L.nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True),
                           normal(1, 2, 8)),
    "MaxPool2d": Case(lambda L: L.nn.MaxPool2d(2), normal(2, 2, 6, 6)),
    "MaxPool2d-full": Case(lambda L: L.nn.MaxPool2d(3, 2, 1, dilation=1, ceil_mode=True),
                           normal(1, 2, 6, 7)),
    "MaxPool2d-indices": Case(lambda L: L.nn.MaxPool2d((2, 3), return_indices=True),
                              normal(1, 2, 4, 6)),
    "AvgPool2d": Case(lambda L: L.nn.AvgPool2d(2), normal(2, 2, 4, 4)),
    "AvgPool2d-full": Case(lambda L: L.nn.AvgPool2d(3, 2, 1, ceil_mode=True,
                                                    count_include_pad=False), normal(1, 2, 6, 5)),
    "AvgPool2d-divisor": Case(lambda L: L.nn.AvgPool2d((2, 3), divisor_override=2),
                              normal(1, 1, 4, 6)),
    "AdaptiveAvgPool2d": Case(lambda L: L.nn.AdaptiveAvgPool2d((2, 3)), normal(2, 2, 7, 5)),
    "AdaptiveAvgPool2d-1": Case(lambda L: L.nn.AdaptiveAvgPool2d(1), normal(2, 3, 4, 4)),
    "AdaptiveAvgPool2d-None": Case(lambda L: L.nn.AdaptiveAvgPool2d((None, 2)),
                                   normal(1, 2, 3, 5)),
    "AdaptiveMaxPool2d": Case(lambda L: L.nn.AdaptiveMaxPool2d((2, 2)), normal(2, 2, 5, 5)),
    "AdaptiveMaxPool2d-indices": Case(lambda L: L.nn.AdaptiveMaxPool2d(3, return_indices=True),
                                      normal(1, 2, 6, 6)),
    "BatchNorm1d": Case(lambda L: L.nn.BatchNorm1d(3), normal(4, 3)),
    "BatchNorm1d-3d": Case(lambda L: L.nn.BatchNorm1d(3, momentum=None), normal(4, 3, 5)),
    "BatchNorm1d-eval": Case(lambda L: L.nn.BatchNorm1d(3), normal(4, 3), train=False),
    "BatchNorm2d": Case(lambda L: L.nn.BatchNorm2d(3, eps=1e-3, momentum=0.3),
                        normal(4, 3, 2, 2)),
    "BatchNorm2d-noaffine": Case(lambda L: L.nn.BatchNorm2d(3, affine=False), normal(2, 3, 2, 3)),
    "BatchNorm2d-untracked": Case(lambda L: L.nn.BatchNorm2d(2, track_running_stats=False),
                                  normal(3, 2, 2, 2), train=False),
    "BatchNorm2d-eval": Case(lambda L: L.nn.BatchNorm2d(3), normal(2, 3, 2, 2), train=False),
    "LayerNorm": Case(lambda L: L.nn.LayerNorm((3, 4)), normal(2, 3, 4)),
    "LayerNorm-plain": Case(lambda L: L.nn.LayerNorm(4, elementwise_affine=False, eps=1e-3),
                            normal(3, 4)),
    "LayerNorm-nobias": Case(lambda L: L.nn.LayerNorm(4, bias=False), normal(2, 4)),
    "GroupNorm": Case(lambda L: L.nn.GroupNorm(2, 4), normal(2, 4, 3)),
    "GroupNorm-noaffine": Case(lambda L: L.nn.GroupNorm(3, 3, affine=False), normal(2, 3, 2, 2)),
    "Dropout-eval": Case(lambda L: L.nn.Dropout(0.3), normal(2, 5), train=False),
    "Dropout2d-eval": Case(lambda L: L.nn.Dropout2d(), normal(2, 3, 2, 2), train=False),
    "Embedding": Case(lambda L: L.nn.Embedding(10, 3), np.array([[1, 2, 4, 1], [9, 0, 2, 2]])),
    # the padding row gets no gradient by definition, so finite differences disagree there
    "Embedding-pad": Case(lambda L: L.nn.Embedding(10, 3, padding_idx=1),
                          np.array([[1, 2, 4, 1], [9, 0, 2, 2]]), check_grad=False),
    "Embedding-negative-pad": Case(lambda L: L.nn.Embedding(5, 2, padding_idx=-1),
                                   np.array([4, 0, 4, 3]), check_grad=False),
    "ReLU": Case(lambda L: L.nn.ReLU(), away_from_zero(3, 4)),
    "ReLU6": Case(lambda L: L.nn.ReLU6(), away_from_zero(3, 4, high=5.5) + 0.1),
    "LeakyReLU": Case(lambda L: L.nn.LeakyReLU(0.2), away_from_zero(3, 4)),
    "ELU": Case(lambda L: L.nn.ELU(0.5), away_from_zero(3, 4)),
    "GELU": Case(lambda L: L.nn.GELU(), normal(3, 4)),
    "GELU-tanh": Case(lambda L: L.nn.GELU("tanh"), normal(3, 4)),
    "SiLU": Case(lambda L: L.nn.SiLU(), normal(3, 4)),
    "Mish": Case(lambda L: L.nn.Mish(), normal(3, 4)),
    "Sigmoid": Case(lambda L: L.nn.Sigmoid(), normal(3, 4)),
    "Tanh": Case(lambda L: L.nn.Tanh(), normal(3, 4)),
    "Hardtanh": Case(lambda L: L.nn.Hardtanh(-0.5, 0.7), RNG.choice([-0.9, -0.2, 0.3, 1.1],
                                                                   (3, 4)) + normal(3, 4) * 0.05),
    "Softplus": Case(lambda L: L.nn.Softplus(2.0, 3.0), normal(3, 4) * 2),
    "Softmax": Case(lambda L: L.nn.Softmax(dim=1), normal(3, 4)),
    "LogSoftmax": Case(lambda L: L.nn.LogSoftmax(dim=-1), normal(2, 3, 4)),
}


def make_inputs(lib, case, dtype=np.float64):
    out = []
    for a in case.inputs:
        if a.dtype.kind == "f":
            out.append(lib.tensor(a.astype(dtype), requires_grad=True))
        else:
            out.append(lib.tensor(a))
    return out


def build_pair(torch, case):
    t = case.ctor(torch).double()
    e = case.ctor(ember).double()
    copy_weights(t, e)
    t.train(case.train)
    e.train(case.train)
    return t, e


def first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("name", list(CASES))
def test_layer_matches_torch(torch, name):
    case = CASES[name]
    t, e = build_pair(torch, case)
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    t_in, e_in = make_inputs(torch, case), make_inputs(ember, case)
    t_out, e_out = t(*t_in, **case.call), e(*e_in, **case.call)
    assert isinstance(e_out, tuple) == isinstance(t_out, tuple)
    for eo, to in zip(e_out if isinstance(e_out, tuple) else (e_out,),
                      t_out if isinstance(t_out, tuple) else (t_out,)):
        assert eo.shape == tuple(to.shape) and eo.dtype.name == str(to.dtype)[6:]
        np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-7,
                                   atol=1e-10)
    for (name_, eb), (_, tb) in zip(e.named_buffers(), t.named_buffers()):
        np.testing.assert_allclose(eb.numpy(), tb.numpy(), rtol=1e-7, atol=1e-12, err_msg=name_)
    if not first(t_out).requires_grad:
        return
    cotangent = RNG.standard_normal(tuple(first(t_out).shape))
    first(t_out).backward(torch.tensor(cotangent))
    first(e_out).backward(ember.tensor(cotangent))
    for ei, ti in zip(e_in, t_in):
        if ti.requires_grad:
            np.testing.assert_allclose(ei.grad.numpy(), ti.grad.numpy(), rtol=1e-7, atol=1e-10)
    for (pname, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-7, atol=1e-10,
                                   err_msg=pname)


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.check_grad])
def test_layer_gradcheck(name):
    """Finite differences in float64, with respect to the inputs and every parameter."""
    case = CASES[name]
    m = case.ctor(ember).double().train(case.train)
    inputs = make_inputs(ember, case)
    params = [p for p in m.parameters() if p.requires_grad]
    if name.startswith("BatchNorm") and case.train:
        m.momentum = 0.0  # repeated forwards must not move the running statistics

    def fn(*args):
        return first(m(*args[:len(inputs)], **case.call))
    assert gradcheck(fn, (*inputs, *params))


def test_batchnorm_running_statistics_over_steps_match_torch(torch):
    for momentum in (0.1, None):
        t = torch.nn.BatchNorm2d(3, momentum=momentum)
        e = nn.BatchNorm2d(3, momentum=momentum)
        for step in range(4):
            x = RNG.standard_normal((4, 3, 2, 2)).astype(np.float32) * (step + 1) + step
            t(torch.tensor(x))
            e(ember.tensor(x))
        assert e.num_batches_tracked.item() == 4
        np.testing.assert_allclose(e.running_mean.numpy(), t.running_mean.numpy(), rtol=1e-5)
        np.testing.assert_allclose(e.running_var.numpy(), t.running_var.numpy(), rtol=1e-5)
        x = RNG.standard_normal((2, 3, 2, 2)).astype(np.float32)
        t.eval()
        e.eval()
        np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(),
                                   t(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
        assert e.num_batches_tracked.item() == 4  # eval mode leaves the statistics alone


def test_batchnorm_input_rank_is_checked(torch):
    for t, e, shape in [(torch.nn.BatchNorm1d(3), nn.BatchNorm1d(3), (2, 3, 2, 2)),
                        (torch.nn.BatchNorm2d(3), nn.BatchNorm2d(3), (2, 3))]:
        with pytest.raises(ValueError) as expected:
            t(torch.zeros(shape))
        with pytest.raises(ValueError) as got:
            e(ember.zeros(*shape))
        assert str(got.value) == str(expected.value)


def test_batchnorm_loads_a_state_dict_without_num_batches_tracked():
    bn = nn.BatchNorm1d(2)
    bn.num_batches_tracked.fill_(5)
    state = {k: v for k, v in nn.BatchNorm1d(2).state_dict().items()
             if k != "num_batches_tracked"}
    bn.load_state_dict(state)  # a plain dict has no version metadata: an old checkpoint
    assert bn.num_batches_tracked.item() == 5


@pytest.mark.parametrize("make", [lambda: nn.Dropout(0.25), lambda: nn.Dropout2d(0.25)])
def test_dropout_in_training_mode(make):
    m = make()
    x = ember.ones(64, 32, 4, 4)
    y = m(x).numpy()
    kept = y != 0
    assert np.allclose(y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.02
    if isinstance(m, nn.Dropout2d):  # whole channels are dropped together
        per_channel = kept.reshape(64, 32, -1)
        assert (per_channel.all(-1) | ~per_channel.any(-1)).all()
    m.eval()
    assert np.array_equal(m(x).numpy(), x.numpy())


def test_embedding_from_pretrained_and_padding_gradient():
    weights = ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    emb = nn.Embedding.from_pretrained(weights)
    assert not emb.weight.requires_grad and emb(ember.tensor([2, 0])).tolist() == \
        [[5.0, 6.0], [1.0, 2.0]]
    emb = nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=0)
    emb(ember.tensor([0, 1, 0])).sum().backward()
    assert emb.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)


def test_layer_constructor_errors_match_torch(torch):
    calls = [
        lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
        lambda L: L.nn.Conv2d(4, 3, 3, groups=2),
        lambda L: L.nn.Conv2d(2, 2, 3, groups=0),
        lambda L: L.nn.Conv2d(2, 2, 3, padding="full"),
        lambda L: L.nn.Conv2d(2, 2, 3, stride=2, padding="same"),
        lambda L: L.nn.Conv2d(2, 2, 3, padding_mode="mirror"),
        lambda L: L.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"),
        lambda L: L.nn.GroupNorm(3, 4),
        lambda L: L.nn.Dropout(1.5),
        lambda L: L.nn.Hardtanh(1.0, 0.0),
        lambda L: L.nn.Unflatten(1, [2, 3.0]),
        lambda L: L.nn.Unflatten(1, 6),
        lambda L: L.nn.HuberLoss(delta="1"),
        lambda L: L.nn.Bilinear(0, 2, 2),
        lambda L: L.nn.ConvTranspose2d(1, 1, 3, stride=2)(L.zeros(1, 1, 3, 3),
                                                          output_size=[12, 12]),
        lambda L: L.nn.ConvTranspose2d(1, 1, 3, stride=2)(L.zeros(1, 1, 3, 3),
                                                          output_size=[7]),
    ]
    for call in calls:
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)) as got:
            call(ember)
        assert _sorted_sets(str(got.value)) == _sorted_sets(str(expected.value))


def _sorted_sets(message):
    """Messages that print a Python set list its items in hash order: compare them sorted."""
    return re.sub(r"\{([^{}]*)\}",
                  lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


def test_extra_reprs_with_non_default_options_match_torch(torch):
    def build(L):
        return L.nn.Sequential(
            L.nn.ReLU(inplace=True), L.nn.ReLU6(inplace=True), L.nn.LeakyReLU(0.1, True),
            L.nn.ELU(alpha=2.0, inplace=True), L.nn.SiLU(True), L.nn.Mish(True),
            L.nn.Hardtanh(-2.0, 2.0, True), L.nn.Softmax(), L.nn.Dropout(0.1, inplace=True),
            L.nn.Conv2d(4, 4, 3, 2, padding=1, dilation=2, groups=2,
                        bias=False, padding_mode="replicate"),
            L.nn.ConvTranspose2d(2, 2, 3, output_padding=0, dilation=1),
            L.nn.Conv1d(2, 2, 3, padding="same"), L.nn.MaxPool2d((2, 3), (1, 2), ceil_mode=True),
            L.nn.AvgPool2d(3, padding=1), L.nn.AdaptiveMaxPool2d((None, 3)),
            L.nn.BatchNorm1d(3, momentum=None, affine=False, track_running_stats=False),
            L.nn.Embedding(4, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True,
                           sparse=True),
            L.nn.LayerNorm([2, 3], bias=False), L.nn.GroupNorm(1, 2, bias=False),
            L.nn.CrossEntropyLoss(label_smoothing=0.1), L.nn.BCEWithLogitsLoss())
    assert repr(build(ember)) == repr(build(torch))


@pytest.mark.parametrize("make,shape", [(lambda: nn.Linear(3, 2), (2, 3)),
                                        (lambda: nn.Conv2d(1, 2, 3), (2, 1, 4, 4)),
                                        (lambda: nn.BatchNorm2d(2), (3, 2, 2, 2))])
def test_layer_on_device(device, make, shape):
    """A layer moved to a device computes what it computes on the CPU, and its grads live there."""
    m = make()
    x = ember.randn(*shape)
    expected = m(x)
    assert m.to(device) is m and all(p.device.type == device for p in m.parameters())
    y = m(x.to(device))
    y.sum().backward()
    np.testing.assert_allclose(y.cpu().detach().numpy(), expected.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    assert all(p.grad.device.type == device for p in m.parameters())
