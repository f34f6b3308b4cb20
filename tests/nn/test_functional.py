"""ember.nn.functional against torch.nn.functional: forward, grad_fn, gradients of a random
cotangent, gradcheck in float64; random entries by their properties; bad input by exception."""
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest

import ember
import ember.nn.functional as EF
from ember.autograd import gradcheck, gradgradcheck
from tests.nn._helpers import raises_like


@dataclass
class Case:
    name: str
    fn: Callable                 # fn(F, *inputs): F is torch.nn.functional or ember.nn.functional
    make: Callable               # make(rng, dtype) -> list of numpy arrays
    grad_fn: Optional[str] = None
    grad: Optional[tuple] = None     # indices of the inputs that require grad (default: floats)
    gradcheck: bool = True           # False where the gradient is not the derivative by design
    gradgrad: bool = False
    atol: float = 1e-5
    rtol: float = 1e-4


def floats(*shapes, low=-2.0, high=2.0):
    return lambda rng, dt: [rng.uniform(low, high, s).astype(dt) for s in shapes]


def with_ints(float_shapes, int_shape, high, low=0):
    """Float inputs followed by one int64 input (class indices, embedding ids)."""
    def make(rng, dt):
        return floats(*float_shapes)(rng, dt) + [rng.integers(low, high, int_shape)]
    return make


def probs_target(shape, class_dim=1):
    def make(rng, dt):
        x = rng.uniform(-2, 2, shape).astype(dt)
        p = rng.uniform(0.1, 1.0, shape)
        return [x, (p / p.sum(class_dim, keepdims=True)).astype(dt)]
    return make


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


CASES = [
    # linear family
    Case("linear_2d", lambda F, x, w: F.linear(x, w), floats((3, 4), (5, 4)), "MmBackward0",
         gradgrad=True),
    Case("linear_2d_bias", lambda F, x, w, b: F.linear(x, w, b), floats((3, 4), (5, 4), (5,)),
         "AddmmBackward0", gradgrad=True),
    Case("linear_3d_bias", lambda F, x, w, b: F.linear(x, w, b),
         floats((2, 3, 4), (5, 4), (5,)), "ViewBackward0"),
    Case("linear_3d", lambda F, x, w: F.linear(x, w), floats((2, 3, 4), (5, 4)),
         "UnsafeViewBackward0"),
    Case("linear_1d_bias", lambda F, x, w, b: F.linear(x, w, b), floats((4,), (5, 4), (5,)),
         "ViewBackward0"),
    Case("bilinear", lambda F, a, b, w: F.bilinear(a, b, w), floats((3, 4), (3, 2), (5, 4, 2)),
         "ViewBackward0", gradgrad=True),
    Case("bilinear_bias_3d", lambda F, a, b, w, c: F.bilinear(a, b, w, c),
         floats((2, 3, 4), (2, 3, 2), (5, 4, 2), (5,)), "AddBackward0"),
    # cross_entropy: class indices
    Case("ce_mean", lambda F, x, t: F.cross_entropy(x, t), with_ints([(4, 5)], (4,), 5),
         "NllLossBackward0", gradgrad=True),
    Case("ce_sum_weight", lambda F, x, w, t: F.cross_entropy(x, t, w, reduction="sum"),
         with_ints([(4, 5), (5,)], (4,), 5), "NllLossBackward0", grad=(0,)),
    Case("ce_none_ignore", lambda F, x, t: F.cross_entropy(x, t, ignore_index=1,
                                                           reduction="none"),
         with_ints([(6, 3)], (6,), 3), "NllLossBackward0"),
    Case("ce_nd", lambda F, x, t: F.cross_entropy(x, t), with_ints([(2, 3, 2, 2)], (2, 2, 2), 3),
         "NllLoss2DBackward0"),
    Case("ce_1d", lambda F, x, t: F.cross_entropy(x, t), with_ints([(5,)], (), 5),
         "NllLossBackward0"),
    Case("ce_smooth_mean", lambda F, x, t: F.cross_entropy(x, t, label_smoothing=0.2),
         with_ints([(4, 5)], (4,), 5), "AddBackward0", gradgrad=True),
    Case("ce_smooth_weight_ignore", lambda F, x, w, t: F.cross_entropy(
             x, t, w, ignore_index=0, label_smoothing=0.3), with_ints([(6, 3), (3,)], (6,), 3),
         "AddBackward0", grad=(0,)),
    Case("ce_smooth_sum_nd", lambda F, x, t: F.cross_entropy(x, t, reduction="sum",
                                                             label_smoothing=0.1),
         with_ints([(2, 3, 4)], (2, 4), 3), "AddBackward0"),
    Case("ce_smooth_none_weight", lambda F, x, w, t: F.cross_entropy(
             x, t, w, reduction="none", label_smoothing=0.1), with_ints([(4, 3), (3,)], (4,), 3),
         "AddBackward0", grad=(0,)),
    # cross_entropy: class probabilities
    Case("ce_probs_mean", lambda F, x, p: F.cross_entropy(x, p), probs_target((4, 5)),
         gradgrad=True),
    Case("ce_probs_sum_nd", lambda F, x, p: F.cross_entropy(x, p, reduction="sum"),
         probs_target((2, 3, 4)), "NegBackward0"),
    Case("ce_probs_none_smooth_weight", lambda F, x, p, w: F.cross_entropy(
             x, p, w, reduction="none", label_smoothing=0.2),
         lambda rng, dt: probs_target((4, 3))(rng, dt) + [rng.uniform(0.5, 2, 3).astype(dt)],
         "NegBackward0", grad=(0, 1)),
    # losses re-exported from ember.ops.loss (their own tests are in tests/ops/op_db/loss.py)
    Case("nll_loss", lambda F, x, t: F.nll_loss(x, t), with_ints([(4, 5)], (4,), 5),
         "NllLossBackward0"),
    Case("mse_broadcast", lambda F, x, y: _quiet(F.mse_loss, x, y), floats((3, 4), (4,)),
         "MseLossBackward0"),
    Case("mse_weight", lambda F, x, y, w: F.mse_loss(x, y, weight=w),
         floats((3, 4), (3, 4), (3, 4)), "DivBackward0", grad=(0, 1)),
    Case("l1_weight_sum", lambda F, x, y, w: F.l1_loss(x, y, reduction="sum", weight=w),
         floats((3, 4), (3, 4), (3, 4)), "SumBackward0", grad=(0, 1)),
    Case("huber_weight", lambda F, x, y, w: F.huber_loss(x, y, weight=w),
         floats((3, 4), (3, 4), (3, 4)), "MeanBackward0", grad=(0, 1)),
    Case("smooth_l1_beta0", lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.0),
         floats((3, 4), (3, 4)), "MeanBackward0"),
    Case("kl_div_mean", lambda F, x, t: _quiet(F.kl_div, x, t), floats((3, 4), (3, 4), low=0.1),
         "MeanBackward0"),
    Case("legacy_size_average", lambda F, x, y: _quiet(F.mse_loss, x, y, size_average=False),
         floats((3, 4), (3, 4)), "MseLossBackward0"),
    # composite losses written in ember.nn.functional
    Case("poisson_nll", lambda F, x, t: F.poisson_nll_loss(x, t), floats((3, 4), (3, 4), low=0),
         "MeanBackward0", grad=(0,)),
    Case("poisson_nll_full", lambda F, x, t: F.poisson_nll_loss(
             x, t, log_input=False, full=True, reduction="sum"),
         floats((3, 4), (3, 4), low=0.2, high=3), "SumBackward0", grad=(0,)),
    Case("gaussian_nll", lambda F, x, t, v: F.gaussian_nll_loss(x, t, v),
         floats((3, 4), (3, 4), (3, 1), low=0.2), "MeanBackward0"),
    Case("gaussian_nll_full_none", lambda F, x, t, v: F.gaussian_nll_loss(
             x, t, v, full=True, reduction="none"), floats((3, 4), (3, 4), (3,), low=0.2)),
    Case("margin_ranking", lambda F, a, b, y: F.margin_ranking_loss(a, b, y.sign(), margin=0.1),
         floats((6,), (6,), (6,)), "MeanBackward0", grad=(0, 1)),
    Case("hinge_embedding", lambda F, x, y: F.hinge_embedding_loss(x, y.sign(), margin=0.5,
                                                                   reduction="sum"),
         floats((3, 4), (3, 4)), grad=(0,)),
    Case("soft_margin", lambda F, x, y: F.soft_margin_loss(x, y.sign()), floats((3, 4), (3, 4)),
         grad=(0,)),
    Case("multilabel_soft_margin", lambda F, x, y, w: F.multilabel_soft_margin_loss(x, y, w),
         floats((3, 4), (3, 4), (4,), low=0.1, high=1), "MeanBackward0", grad=(0, 1)),
    Case("cosine_embedding", lambda F, a, b, y: F.cosine_embedding_loss(a, b, y.sign(),
                                                                        margin=-0.2),
         floats((4, 3), (4, 3), (4,)), "MeanBackward0", grad=(0, 1)),
    Case("triplet_margin_swap", lambda F, a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0,
                                                                         swap=True),
         floats((4, 3), (4, 3), (4, 3)), "MeanBackward0"),
    # normalisation through F's signatures
    Case("batch_norm_train", lambda F, x, w, b: F.batch_norm(
             x, None, None, w, b, training=True), floats((4, 3, 2), (3,), (3,)),
         "NativeBatchNormBackward0", gradgrad=True),
    Case("instance_norm", lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b),
         floats((2, 3, 4), (3,), (3,)), "ViewBackward0"),
    Case("layer_norm", lambda F, x, w, b: F.layer_norm(x, (4,), w, b),
         floats((2, 3, 4), (4,), (4,)), "NativeLayerNormBackward0"),
    Case("group_norm", lambda F, x: F.group_norm(x, 2), floats((2, 4, 3)),
         "NativeGroupNormBackward0"),
    Case("rms_norm", lambda F, x, w: F.rms_norm(x, (4,), w), floats((2, 3, 4), (4,)),
         gradgrad=True),
    Case("normalize", lambda F, x: F.normalize(x), floats((3, 4)), "DivBackward0",
         gradgrad=True),
    Case("normalize_p1_dim0", lambda F, x: F.normalize(x, p=1.0, dim=0), floats((3, 4))),
    # distances and small composites
    Case("cosine_similarity", lambda F, a, b: F.cosine_similarity(a, b), floats((3, 4), (3, 4)),
         "SumBackward1", gradgrad=True),
    Case("cosine_similarity_bcast", lambda F, a, b: F.cosine_similarity(a, b, dim=-1),
         floats((2, 3, 4), (4,)), "SumBackward1"),
    Case("pairwise_distance", lambda F, a, b: F.pairwise_distance(a, b), floats((3, 4), (3, 4))),
    Case("pairwise_distance_p1", lambda F, a, b: F.pairwise_distance(a, b, p=1.0, keepdim=True),
         floats((3, 4), (3, 4))),
    Case("softmin", lambda F, x: F.softmin(x, dim=1), floats((3, 4)), "SoftmaxBackward0"),
    Case("glu", lambda F, x: F.glu(x, 1), floats((3, 4, 2)), gradgrad=True),
    # embedding
    Case("embedding", lambda F, w, i: F.embedding(i, w), with_ints([(6, 3)], (2, 4), 6),
         "EmbeddingBackward0", gradgrad=True),
    Case("embedding_padding", lambda F, w, i: F.embedding(i, w, padding_idx=2),
         with_ints([(4, 3)], (7,), 4), "EmbeddingBackward0"),
    Case("embedding_neg_padding_freq", lambda F, w, i: F.embedding(
             i, w, padding_idx=-1, scale_grad_by_freq=True), with_ints([(4, 3)], (3, 3), 4),
         "EmbeddingBackward0", gradcheck=False, gradgrad=True),
    # padding
    Case("pad_constant", lambda F, x: F.pad(x, (1, 2)), floats((2, 3)), "ConstantPadNdBackward0",
         gradgrad=True),
    Case("pad_constant_3dims_value", lambda F, x: F.pad(x, (1, 0, 0, 2, 1, 1), value=1.5),
         floats((2, 2, 3)), "ConstantPadNdBackward0"),
    Case("pad_constant_crop", lambda F, x: F.pad(x, (-1, 1, 2, -1)), floats((2, 3, 4)),
         "ConstantPadNdBackward0", gradgrad=True),
    Case("pad_reflect_1d", lambda F, x: F.pad(x, (2, 1), mode="reflect"), floats((2, 4)),
         "ReflectionPad1DBackward0", gradgrad=True),
    Case("pad_reflect_2d", lambda F, x: F.pad(x, (1, 2, 2, 1), mode="reflect"),
         floats((1, 2, 3, 4)), "ReflectionPad2DBackward0"),
    Case("pad_reflect_3d", lambda F, x: F.pad(x, (1, 1, 0, 1, 1, 0), mode="reflect"),
         floats((2, 2, 3, 2)), "ReflectionPad3DBackward0"),
    Case("pad_replicate_1d", lambda F, x: F.pad(x, (3, 1), mode="replicate"),
         floats((2, 2, 3)), "ReplicationPad1DBackward0", gradgrad=True),
    Case("pad_replicate_2d", lambda F, x: F.pad(x, (1, 0, 2, 3), mode="replicate"),
         floats((2, 3, 2)), "ReplicationPad2DBackward0"),
    Case("pad_replicate_3d", lambda F, x: F.pad(x, (1, 1, 1, 0, 0, 2), mode="replicate"),
         floats((1, 2, 2, 2, 2)), "ReplicationPad3DBackward0"),
    Case("pad_circular_1d", lambda F, x: F.pad(x, (2, 3), mode="circular"), floats((2, 2, 3)),
         "CopySlices", gradgrad=True),
    Case("pad_reflect_negative", lambda F, x: F.pad(x, (-1, 2), mode="reflect"),
         floats((2, 5)), "ReflectionPad1DBackward0", gradgrad=True),
    Case("pad_replicate_negative", lambda F, x: F.pad(x, (2, -1, -1, 1), mode="replicate"),
         floats((1, 3, 4)), "ReplicationPad2DBackward0"),
    Case("pad_circular_negative", lambda F, x: F.pad(x, (-1, 2), mode="circular"),
         floats((2, 2, 4)), "CopySlices"),
    Case("pad_circular_2d", lambda F, x: F.pad(x, (1, 2, 2, 1), mode="circular"),
         floats((1, 2, 3, 4)), "CopySlices"),
    # interpolation
    Case("nearest_1d_scale", lambda F, x: F.interpolate(x, scale_factor=2), floats((1, 2, 3)),
         "UpsampleNearest1DBackward0", gradgrad=True),
    Case("nearest_2d_size", lambda F, x: F.interpolate(x, size=(5, 3)), floats((1, 2, 3, 4)),
         "UpsampleNearest2DBackward0"),
    Case("nearest_2d_down", lambda F, x: F.interpolate(x, scale_factor=0.6),
         floats((1, 1, 5, 7)), "UpsampleNearest2DBackward0"),
    Case("nearest_3d", lambda F, x: F.interpolate(x, scale_factor=(1.5, 2, 1)),
         floats((1, 1, 2, 2, 3)), "UpsampleNearest3DBackward0"),
    Case("nearest_exact_1d", lambda F, x: F.interpolate(x, size=7, mode="nearest-exact"),
         floats((2, 1, 3)), "UpsampleNearestExact1DBackward0"),
    Case("nearest_exact_2d", lambda F, x: F.interpolate(x, scale_factor=1.7,
                                                        mode="nearest-exact"),
         floats((1, 1, 3, 4)), "UpsampleNearestExact2DBackward0"),
    Case("linear_1d", lambda F, x: F.interpolate(x, size=7, mode="linear"), floats((2, 1, 4)),
         "UpsampleLinear1DBackward0", gradgrad=True),
    Case("linear_1d_align", lambda F, x: F.interpolate(x, size=6, mode="linear",
                                                       align_corners=True),
         floats((2, 1, 4)), "UpsampleLinear1DBackward0"),
    Case("bilinear_scale", lambda F, x: F.interpolate(x, scale_factor=1.5, mode="bilinear"),
         floats((1, 2, 3, 4)), "UpsampleBilinear2DBackward0"),
    Case("bilinear_size_align", lambda F, x: F.interpolate(x, size=(5, 2), mode="bilinear",
                                                           align_corners=True),
         floats((1, 2, 3, 4)), "UpsampleBilinear2DBackward0"),
    Case("bilinear_recompute", lambda F, x: F.interpolate(
             x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True),
         floats((1, 1, 3, 4)), "UpsampleBilinear2DBackward0"),
    Case("trilinear", lambda F, x: F.interpolate(x, scale_factor=(2, 1.5, 1), mode="trilinear"),
         floats((1, 1, 2, 2, 3)), "UpsampleTrilinear3DBackward0"),
]


def _module(m):
    return m.nn.functional if m.__name__ == "torch" else EF


def _inputs(m, arrays, case, requires_grad):
    out = []
    for i, a in enumerate(arrays):
        t = m.tensor(a.copy())
        wants = i in case.grad if case.grad is not None else a.dtype.kind == "f"
        if requires_grad and wants:
            t.requires_grad_()
        out.append(t)
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_against_torch(case, dtype, torch):
    arrays = case.make(np.random.default_rng(1), np.dtype(dtype))
    e_in = _inputs(ember, arrays, case, True)
    t_in = _inputs(torch, arrays, case, True)
    e_out = case.fn(_module(ember), *e_in)
    t_out = case.fn(_module(torch), *t_in)
    assert str(e_out.dtype) == str(t_out.dtype)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(),
                               rtol=case.rtol, atol=case.atol)
    if case.grad_fn is not None:
        assert type(t_out.grad_fn).__name__ == case.grad_fn
        assert type(e_out.grad_fn).__name__ == case.grad_fn
    go = np.random.default_rng(2).standard_normal(tuple(t_out.shape)).astype(dtype)
    e_wrt = [t for t in e_in if t.requires_grad]
    t_wrt = [t for t in t_in if t.requires_grad]
    e_g = ember.autograd.grad(e_out, e_wrt, ember.tensor(go))
    t_g = torch.autograd.grad(t_out, t_wrt, torch.tensor(go))
    for eg, tg in zip(e_g, t_g):
        np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=case.rtol * 10,
                                   atol=case.atol * 10)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gradcheck(case):
    ins = _inputs(ember, case.make(np.random.default_rng(1), np.dtype("float64")), case, True)
    if case.gradcheck:
        assert gradcheck(lambda *xs: case.fn(EF, *xs), ins)
    if case.gradgrad:
        assert gradgradcheck(lambda *xs: case.fn(EF, *xs), ins, atol=1e-4)


# -- re-exports are the ops themselves, not second implementations ------------------------------

REEXPORTS = {
    "ember.ops.activation": "celu elu gelu hardsigmoid hardswish hardtanh leaky_relu log_softmax "
                            "logsigmoid mish relu relu6 selu silu softmax softmin softplus "
                            "softsign tanhshrink threshold relu_ threshold_ hardtanh_ "
                            "leaky_relu_ elu_ selu_ celu_ hardshrink softshrink",
    "ember.ops.conv": "conv1d conv2d conv_transpose1d conv_transpose2d fold unfold",
    "ember.ops.pool": "adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool2d avg_pool1d "
                      "avg_pool2d max_pool1d max_pool2d max_pool2d_with_indices",
    "ember.ops.loss": "binary_cross_entropy binary_cross_entropy_with_logits huber_loss kl_div "
                      "l1_loss mse_loss nll_loss smooth_l1_loss",
    "ember.ops.norm": "layer_norm",  # F.group_norm checks its groups first, as torch's F
    "ember.ops.padding": "pad",
    "ember.ops.upsample": "interpolate",
    "ember.ops": "sigmoid tanh",
}


@pytest.mark.parametrize("module", sorted(REEXPORTS))
def test_reexports(module):
    import importlib
    mod = importlib.import_module(module)
    for name in REEXPORTS[module].split():
        # F's functions are the ops behind NOTE [ Dispatch on failure ]'s wrapper (ember/_foreign.py)
        assert getattr(EF, name).__wrapped__ is getattr(mod, name), name


# -- batch statistics ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6)])
def test_batch_norm_running_stats(shape, torch):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32) * 2 + 1
    e_rm, e_rv = ember.zeros(3), ember.ones(3)
    t_rm, t_rv = torch.zeros(3), torch.ones(3)
    for momentum in (0.1, 0.5):
        EF.batch_norm(ember.tensor(x), e_rm, e_rv, training=True, momentum=momentum)
        torch.nn.functional.batch_norm(torch.tensor(x), t_rm, t_rv, training=True,
                                       momentum=momentum)
    np.testing.assert_allclose(e_rm.numpy(), t_rm.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e_rv.numpy(), t_rv.numpy(), rtol=1e-5, atol=1e-6)
    before = e_rm.numpy().copy()
    EF.batch_norm(ember.tensor(x), e_rm, e_rv, training=False)
    np.testing.assert_array_equal(e_rm.numpy(), before)


def test_instance_norm_running_stats(torch):
    x = np.random.default_rng(0).standard_normal((2, 3, 5)).astype(np.float32) + 0.5
    e_rm, e_rv = ember.zeros(3), ember.ones(3)
    t_rm, t_rv = torch.zeros(3), torch.ones(3)
    e = EF.instance_norm(ember.tensor(x), e_rm, e_rv, momentum=0.3)
    t = torch.nn.functional.instance_norm(torch.tensor(x), t_rm, t_rv, momentum=0.3)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(e_rm.numpy(), t_rm.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e_rv.numpy(), t_rv.numpy(), rtol=1e-5, atol=1e-6)
    e = EF.instance_norm(ember.tensor(x), e_rm, e_rv, use_input_stats=False)
    t = torch.nn.functional.instance_norm(torch.tensor(x), t_rm, t_rv, use_input_stats=False)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)


def test_batch_norm_double_backward_through_stats():
    """The second derivative in training mode depends on the batch statistics (see NOTE
    [ Norm statistics in backward ]); gradgradcheck fails if they are treated as constants."""
    x = ember.tensor(np.random.default_rng(3).standard_normal((3, 2)), requires_grad=True)
    assert gradgradcheck(lambda t: EF.batch_norm(t, None, None, training=True) ** 2, (x,))


# -- random entries: properties, determinism, gradients -----------------------------------------

def test_dropout_mask_scale_and_grad():
    x = ember.ones(200, 50, requires_grad=True)
    y = EF.dropout(x, 0.3)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    vals = np.unique(y.detach().numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    kept = (y.detach().numpy() != 0).mean()
    assert 0.67 < kept < 0.73
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("p", [0.1, 0.3, 0.7])
def test_dropout_scales_kept_values_exactly_as_torch(dtype, p):
    """The kept values are exactly torch's 1 / (1 - p) in the tensor's dtype; in float16 that
    quotient is taken in float32 and rounded once (1.429 for p = 0.3, not float16's 1.428)."""
    torch = pytest.importorskip("torch")
    kept = [np.unique(fn(mod.ones(2000, dtype=getattr(mod, dtype)), p).numpy())
            for mod, fn in ((ember, EF.dropout), (torch, torch.nn.functional.dropout))]
    np.testing.assert_array_equal(kept[0], kept[1])


def test_dropout_uses_default_generator():
    x = ember.ones(4, 8)
    ember.manual_seed(5)
    a = EF.dropout(x, 0.5).numpy()
    ember.manual_seed(5)
    b = EF.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, EF.dropout(x, 0.5).numpy())


def test_dropout_identity_and_edges():
    x = ember.randn(3, 4)
    assert EF.dropout(x, 0.5, training=False) is x
    assert EF.dropout(x, 0.0) is x
    np.testing.assert_array_equal(EF.dropout(x, 1.0).numpy(), np.zeros((3, 4), np.float32))
    y = ember.ones(50, 40)
    out = EF.dropout(y, 0.5, inplace=True)
    assert out is y and set(np.unique(y.numpy())) <= {0.0, 2.0}


@pytest.mark.parametrize("fn,shape,channel_axes", [
    (EF.dropout1d, (8, 30, 5), 2), (EF.dropout1d, (30, 5), 1), (EF.dropout2d, (8, 30, 3, 3), 2),
    (EF.dropout3d, (4, 30, 2, 2, 2), 2), (EF.dropout3d, (30, 2, 2, 2), 1)])
def test_channel_dropout_zeroes_whole_channels(fn, shape, channel_axes):
    y = fn(ember.ones(*shape, requires_grad=True), 0.5)
    assert type(y.grad_fn).__name__ in ("MulBackward0", "SqueezeBackward1")
    planes = y.detach().numpy().reshape(shape[:channel_axes] + (-1,))
    assert set(np.unique(planes)) == {0.0, 2.0}
    assert (planes.min(-1) == planes.max(-1)).all()


def test_dropout2d_3d_input_warns_and_drops_channels():
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input"):
        y = EF.dropout2d(ember.ones(4, 20, 6), 0.5)
    planes = y.numpy()
    assert (planes.min(-1) == planes.max(-1)).all()


@pytest.mark.parametrize("fn", [EF.alpha_dropout, EF.feature_alpha_dropout])
def test_alpha_dropout_keeps_mean_and_variance(fn):
    x = ember.randn(400, 100, 4)
    assert fn(x, 0.2) is x  # training defaults to False
    y = fn(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05
    # a dropped unit takes SELU's saturation -alpha', then the affine map a * (.) + b
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha ** 2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(y, alpha * a * (0.2 - 1), atol=1e-5).mean()
    assert 0.17 < dropped < 0.23


def test_gumbel_softmax():
    logits = ember.randn(5, 4, requires_grad=True)
    soft = EF.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.detach().numpy().sum(-1), np.ones(5), rtol=1e-5)
    hard = EF.gumbel_softmax(logits, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) == {0.0, 1.0} and (h.sum(-1) == 1).all()
    (hard * ember.arange(4.0)).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0


# -- entries with no gradient, or with options beyond the table ---------------------------------

def test_one_hot(torch):
    t = np.array([[0, 3], [2, 1]])
    e = EF.one_hot(ember.tensor(t))
    assert e.dtype == ember.int64
    np.testing.assert_array_equal(e.numpy(), torch.nn.functional.one_hot(torch.tensor(t)))
    assert tuple(EF.one_hot(ember.tensor(t), 6).shape) == (2, 2, 6)


def test_embedding_padding_row_gets_no_gradient():
    w = ember.randn(5, 3, requires_grad=True)
    EF.embedding(ember.tensor([[0, 2], [2, 4]]), w, padding_idx=2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[2], np.zeros(3, np.float32))
    np.testing.assert_array_equal(w.grad.numpy()[[0, 4]], np.ones((2, 3), np.float32))


def test_embedding_max_norm_renormalises_in_place(torch):
    w = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32) * 3
    idx = np.array([[1, 3], [3, 5]])
    ew, tw = ember.tensor(w), torch.tensor(w)
    e = EF.embedding(ember.tensor(idx), ew, max_norm=1.5)
    t = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.5)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ew.numpy(), tw.numpy(), rtol=1e-5)
    np.testing.assert_array_equal(ew.numpy()[0], w[0])


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="batchmean"):
        EF.kl_div(ember.zeros(2, 3), ember.ones(2, 3))


def test_mse_broadcast_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        EF.mse_loss(ember.zeros(2, 3), ember.ones(3))


# -- bad input: PyTorch's exception type and message --------------------------------------------

def _x(*shape):
    return np.zeros(shape, np.float32)


def _i(*values):
    return np.array(values, np.int64)


ERRORS = [
    ("ce_target_out_of_range", lambda F, m: F.cross_entropy(m.tensor(_x(4, 5)),
                                                           m.tensor(_i(0, 1, 10, 2)))),
    ("ce_negative_target", lambda F, m: F.cross_entropy(m.tensor(_x(4, 5)),
                                                       m.tensor(_i(0, -1, 1, 2)))),
    ("ce_batch_mismatch", lambda F, m: F.cross_entropy(m.tensor(_x(4, 5)), m.tensor(_i(0, 1)))),
    ("ce_probs_ignore_index", lambda F, m: F.cross_entropy(m.tensor(_x(4, 5)),
                                                          m.tensor(_x(4, 5)), ignore_index=1)),
    ("ce_bad_reduction", lambda F, m: F.cross_entropy(m.tensor(_x(2, 3)), m.tensor(_i(0, 1)),
                                                     reduction="avg")),
    ("ce_smoothing_range", lambda F, m: F.cross_entropy(m.tensor(_x(2, 3)), m.tensor(_i(0, 1)),
                                                       label_smoothing=1.5)),
    ("nll_nd_target_out_of_range", lambda F, m: F.nll_loss(
        m.tensor(_x(2, 3, 2)), m.tensor(np.array([[0, 1], [3, 2]])))),
    ("nll_float_target", lambda F, m: F.nll_loss(m.tensor(_x(2, 3)), m.tensor(_x(2)))),
    ("nll_target_shape_nd", lambda F, m: F.nll_loss(m.tensor(_x(2, 3, 4)),
                                                   m.tensor(np.zeros((2, 5), np.int64)))),
    ("nll_weight_size", lambda F, m: F.nll_loss(m.tensor(_x(2, 3)), m.tensor(_i(0, 1)),
                                               m.tensor(_x(4)))),
    ("linear_shapes", lambda F, m: F.linear(m.tensor(_x(4, 3)), m.tensor(_x(5, 4)))),
    ("mse_shapes", lambda F, m: _quiet(F.mse_loss, m.tensor(_x(4, 5)), m.tensor(_x(3, 5)))),
    ("bce_range", lambda F, m: F.binary_cross_entropy(m.tensor(_x(3) + 2), m.tensor(_x(3)))),
    ("bce_size", lambda F, m: F.binary_cross_entropy(m.tensor(_x(3)), m.tensor(_x(4)))),
    ("bce_logits_size", lambda F, m: F.binary_cross_entropy_with_logits(m.tensor(_x(3)),
                                                                       m.tensor(_x(4)))),
    ("huber_delta", lambda F, m: F.huber_loss(m.tensor(_x(3)), m.tensor(_x(3)), delta=0.0)),
    ("mse_weight_size", lambda F, m: F.mse_loss(m.tensor(_x(3)), m.tensor(_x(3)),
                                               weight=m.tensor(_x(2)))),
    ("bn_single_value", lambda F, m: F.batch_norm(m.tensor(_x(1, 3)), m.tensor(_x(3)),
                                                  m.tensor(_x(3)), training=True)),
    ("bn_eval_no_stats", lambda F, m: F.batch_norm(m.tensor(_x(2, 3)), None, None)),
    ("bn_stats_size", lambda F, m: F.batch_norm(m.tensor(_x(2, 4)), m.tensor(_x(3)),
                                                m.tensor(_x(3)), training=True)),
    ("bn_weight_size", lambda F, m: F.batch_norm(m.tensor(_x(2, 3)), None, None,
                                                 m.tensor(_x(4)), training=True)),
    ("ln_shape", lambda F, m: F.layer_norm(m.tensor(_x(2, 3)), (4,))),
    ("ln_weight", lambda F, m: F.layer_norm(m.tensor(_x(2, 3)), (3,), m.tensor(_x(4)))),
    ("gn_groups", lambda F, m: F.group_norm(m.tensor(_x(2, 3, 4)), 2)),
    ("gn_weight", lambda F, m: F.group_norm(m.tensor(_x(2, 4, 4)), 2, m.tensor(_x(3)))),
    ("in_spatial", lambda F, m: F.instance_norm(m.tensor(_x(2, 3, 1)))),
    ("embedding_range", lambda F, m: F.embedding(m.tensor(_i(0, 10)), m.tensor(_x(10, 3)))),
    ("embedding_dtype", lambda F, m: F.embedding(m.tensor(_x(2)), m.tensor(_x(10, 3)))),
    ("embedding_padding", lambda F, m: F.embedding(m.tensor(_i(0)), m.tensor(_x(10, 3)),
                                                   padding_idx=10)),
    ("one_hot_negative", lambda F, m: F.one_hot(m.tensor(_i(0, -1)))),
    ("one_hot_too_big", lambda F, m: F.one_hot(m.tensor(_i(0, 3)), 3)),
    ("one_hot_dtype", lambda F, m: F.one_hot(m.tensor(_x(2)))),
    ("one_hot_empty", lambda F, m: F.one_hot(m.tensor(np.zeros(0, np.int64)))),
    ("dropout_p", lambda F, m: F.dropout(m.tensor(_x(2)), 1.5)),
    ("dropout1d_rank", lambda F, m: F.dropout1d(m.tensor(_x(2, 3, 4, 5)))),
    ("glu_odd", lambda F, m: F.glu(m.tensor(_x(4, 5)))),
    ("pad_odd", lambda F, m: F.pad(m.tensor(_x(1, 3)), (1,))),
    ("pad_too_long", lambda F, m: F.pad(m.tensor(_x(1, 3)), (1, 1, 1, 1, 1, 1))),
    ("pad_mode", lambda F, m: F.pad(m.tensor(_x(1, 3)), (1, 1), mode="foo")),
    ("pad_reflect_rank", lambda F, m: F.pad(m.tensor(_x(3)), (1, 1), mode="reflect")),
    ("pad_reflect_size", lambda F, m: F.pad(m.tensor(_x(1, 3)), (3, 3), mode="reflect")),
    ("pad_reflect_size_2d", lambda F, m: F.pad(m.tensor(_x(2, 1, 3)), (1, 1, 1, 1),
                                               mode="reflect")),
    ("pad_circular_wrap", lambda F, m: F.pad(m.tensor(_x(1, 3)), (4, 4), mode="circular")),
    ("pad_negative_size", lambda F, m: F.pad(m.tensor(_x(1, 3)), (-2, -2))),
    ("pad_value_reflect", lambda F, m: F.pad(m.tensor(_x(1, 3)), (1, 1), mode="reflect",
                                             value=2.0)),
    ("interp_recompute_size", lambda F, m: F.interpolate(m.tensor(_x(2, 1, 3)), size=4,
                                                         recompute_scale_factor=True)),
    ("nll_weight_size_2d", lambda F, m: F.nll_loss(m.tensor(_x(2, 3, 2, 2)),
                                                  m.tensor(np.zeros((2, 2, 2), np.int64)),
                                                  m.tensor(_x(4)))),
    ("interp_mode_rank", lambda F, m: F.interpolate(m.tensor(_x(2, 1, 3)), size=4,
                                                    mode="bilinear")),
    ("interp_both", lambda F, m: F.interpolate(m.tensor(_x(2, 1, 3)), size=4, scale_factor=2)),
    ("interp_neither", lambda F, m: F.interpolate(m.tensor(_x(2, 1, 3)))),
    ("interp_align_nearest", lambda F, m: F.interpolate(m.tensor(_x(2, 1, 3)), size=4,
                                                        align_corners=True)),
    ("interp_size_len", lambda F, m: F.interpolate(m.tensor(_x(2, 1, 3)), size=(4, 4))),
    ("gaussian_var_negative", lambda F, m: F.gaussian_nll_loss(m.tensor(_x(2, 3)),
                                                              m.tensor(_x(2, 3)),
                                                              m.tensor(_x(2, 3) - 1))),
    ("gaussian_var_size", lambda F, m: F.gaussian_nll_loss(m.tensor(_x(2, 3)), m.tensor(_x(2, 3)),
                                                           m.tensor(_x(4)))),
    ("triplet_margin", lambda F, m: F.triplet_margin_loss(m.tensor(_x(2, 3)), m.tensor(_x(2, 3)),
                                                          m.tensor(_x(2, 3)), margin=0.0)),
    ("bilinear_batch", lambda F, m: F.bilinear(m.tensor(_x(3, 4)), m.tensor(_x(2, 2)),
                                               m.tensor(_x(5, 4, 2)))),
]


@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_like_torch(name, call, torch):
    raises_like(lambda: call(torch.nn.functional, torch), lambda: call(EF, ember))


@pytest.mark.parametrize("name,args", [
    ("prelu", ((2, 3, 4), (3,))), ("prelu", ((2, 3), (1,))),
    ("pixel_shuffle", ((1, 8, 2, 3), 2)), ("pixel_unshuffle", ((1, 2, 4, 6), 2))])
def test_prelu_and_pixel_shuffle_match_torch(name, args):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal(args[0]).astype(np.float32)
    extra = args[1] if isinstance(args[1], int) else rng.standard_normal(args[1]).astype(
        np.float32)
    e_x = ember.tensor(x, requires_grad=True)
    t_x = torch.tensor(x, requires_grad=True)
    e_extra = extra if isinstance(extra, int) else ember.tensor(extra, requires_grad=True)
    t_extra = extra if isinstance(extra, int) else torch.tensor(extra, requires_grad=True)
    e_out = getattr(ember.nn.functional, name)(e_x, e_extra)
    t_out = getattr(torch.nn.functional, name)(t_x, t_extra)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6)
    go = rng.standard_normal(tuple(t_out.shape)).astype(np.float32)
    e_out.backward(ember.tensor(go))
    t_out.backward(torch.tensor(go))
    np.testing.assert_allclose(e_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-5, atol=1e-6)
    if not isinstance(extra, int):
        np.testing.assert_allclose(e_extra.grad.numpy(), t_extra.grad.numpy(), rtol=1e-5,
                                   atol=1e-6)
