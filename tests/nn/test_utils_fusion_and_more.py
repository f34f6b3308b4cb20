"""nn.utils: BatchNorm fusion (fusion module), skip_init, the weight memory-format converters,
stateless.functional_call, get_total_norm, clip_grads_with_norm_ and the deprecated
clip_grad_norm, against torch 2.13."""
import warnings

import numpy as np
import pytest

import ember
from tests.nn._helpers import assert_close, copy_weights, to_ember


def _bn_pair(torch, kind, channels):
    t_bn = getattr(torch.nn, kind)(channels)
    with torch.no_grad():
        t_bn.running_mean.normal_()
        t_bn.running_var.uniform_(0.5, 2.0)
        t_bn.weight.normal_()
        t_bn.bias.normal_()
    e_bn = getattr(ember.nn, kind)(channels)
    copy_weights(t_bn, e_bn)
    return t_bn.eval(), e_bn.eval()


CONVS = [("Conv1d", "BatchNorm1d", (3, 4, 3), (2, 3, 7), False),
         ("Conv2d", "BatchNorm2d", (3, 4, 3), (2, 3, 6, 5), False),
         ("Conv3d", "BatchNorm3d", (2, 3, 2), (1, 2, 4, 4, 4), False),
         ("ConvTranspose2d", "BatchNorm2d", (3, 4, 3), (2, 3, 5, 5), True)]


@pytest.mark.parametrize("conv,bn,args,x_shape,transpose", CONVS)
@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_eval_matches_torch(torch, conv, bn, args, x_shape, transpose, bias):
    torch.manual_seed(0)
    t_conv = getattr(torch.nn, conv)(*args, bias=bias).eval()
    e_conv = getattr(ember.nn, conv)(*args, bias=bias).eval()
    copy_weights(t_conv, e_conv)
    t_bn, e_bn = _bn_pair(torch, bn, args[1])
    t_fused = torch.nn.utils.fuse_conv_bn_eval(t_conv, t_bn, transpose=transpose)
    e_fused = ember.nn.utils.fuse_conv_bn_eval(e_conv, e_bn, transpose=transpose)
    assert type(e_fused) is type(e_conv) and e_fused is not e_conv
    assert_close(e_fused.weight, t_fused.weight)
    assert_close(e_fused.bias, t_fused.bias)
    assert isinstance(e_fused.weight, ember.nn.Parameter) and e_fused.weight.requires_grad
    x = torch.randn(*x_shape)
    assert_close(e_fused(to_ember(x)), e_bn(e_conv(to_ember(x))), rtol=1e-4, atol=1e-5)
    assert_close(e_fused(to_ember(x)), t_fused(x), rtol=1e-4, atol=1e-5)
    assert e_conv.bias is None if not bias else e_conv.bias is not e_fused.bias


@pytest.mark.parametrize("bn_features", [4, 1])
def test_fuse_linear_bn_eval_matches_torch(torch, bn_features):
    torch.manual_seed(1)
    t_lin, e_lin = torch.nn.Linear(3, 4).eval(), ember.nn.Linear(3, 4).eval()
    copy_weights(t_lin, e_lin)
    t_bn, e_bn = _bn_pair(torch, "BatchNorm1d", bn_features)
    t_fused = torch.nn.utils.fuse_linear_bn_eval(t_lin, t_bn)
    e_fused = ember.nn.utils.fuse_linear_bn_eval(e_lin, e_bn)
    assert_close(e_fused.weight, t_fused.weight)
    assert_close(e_fused.bias, t_fused.bias)
    x = torch.randn(5, 3)
    assert_close(e_fused(to_ember(x)), t_fused(x), rtol=1e-5, atol=1e-6)


def test_fuse_weights_without_optional_tensors_match_torch(torch):
    rng = np.random.default_rng(2)
    w = rng.standard_normal((4, 2, 3)).astype(np.float64)
    rm, rv = rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    t_out = torch.nn.utils.fuse_conv_bn_weights(torch.tensor(w), None, torch.tensor(rm),
                                                torch.tensor(rv), 1e-3, None, None)
    e_out = ember.nn.utils.fuse_conv_bn_weights(ember.tensor(w), None, ember.tensor(rm),
                                                ember.tensor(rv), 1e-3, None, None)
    for e, t in zip(e_out, t_out):
        assert e.dtype == ember.float64 and e.requires_grad == t.requires_grad
        assert_close(e, t, rtol=1e-12, atol=1e-12)
    lw = rng.standard_normal((4, 3)).astype(np.float32)
    bw, bb = rng.standard_normal(4), rng.standard_normal(4)
    t_out = torch.nn.utils.fuse_linear_bn_weights(
        torch.tensor(lw, requires_grad=True), None, torch.tensor(rm), torch.tensor(rv), 1e-5,
        torch.tensor(bw), torch.tensor(bb))
    e_out = ember.nn.utils.fuse_linear_bn_weights(
        ember.tensor(lw, requires_grad=True), None, ember.tensor(rm), ember.tensor(rv), 1e-5,
        ember.tensor(bw), ember.tensor(bb))
    for e, t in zip(e_out, t_out):
        assert str(e.dtype) == str(t.dtype) and e.requires_grad == t.requires_grad
        assert_close(e, t, rtol=1e-6, atol=1e-6)


def test_fusion_refuses_training_mode(torch):
    for lib in (torch, ember):
        conv, bn = lib.nn.Conv2d(2, 2, 1), lib.nn.BatchNorm2d(2)
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fuse_conv_bn_eval(conv, bn.eval())
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fusion.fuse_linear_bn_eval(lib.nn.Linear(2, 2).eval(), bn.train())
        with pytest.raises(AssertionError, match="linear.out_features=2 and bn.num_features=3"):
            lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(2, 2).eval(),
                                             lib.nn.BatchNorm1d(3).eval())


def test_skip_init_builds_without_drawing_random_numbers(torch):
    ember.manual_seed(3)
    before = ember.get_rng_state()
    m = ember.nn.utils.skip_init(ember.nn.Linear, 5, out_features=2, dtype=ember.float64)
    assert ember.equal(ember.get_rng_state(), before)
    t = torch.nn.utils.skip_init(torch.nn.Linear, 5, out_features=2, dtype=torch.float64)
    for e_p, t_p in zip(m.parameters(), t.parameters()):
        assert type(e_p) is ember.nn.Parameter and e_p.requires_grad
        assert tuple(e_p.shape) == tuple(t_p.shape) and e_p.dtype == ember.float64
    assert m.in_features == 5 and m.weight.device == ember.device("cpu")


def test_skip_init_errors_match_torch(torch):
    class NoDevice(object):
        pass
    for lib in (torch, ember):
        class Plain(lib.nn.Module):
            def __init__(self, n):
                super().__init__()
        with pytest.raises(RuntimeError, match="Expected a Module"):
            lib.nn.utils.skip_init(NoDevice)
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
            lib.nn.utils.skip_init(Plain, 3)


@pytest.mark.parametrize("fn,conv,shape", [
    ("convert_conv2d_weight_memory_format", "Conv2d", (4, 3, 3, 3)),
    ("convert_conv2d_weight_memory_format", "ConvTranspose2d", (3, 4, 3, 3)),
    ("convert_conv3d_weight_memory_format", "Conv3d", (4, 3, 3, 3, 3))])
def test_convert_weight_memory_format_matches_torch(torch, fn, conv, shape):
    fmt = "channels_last" if "2d" in fn else "channels_last_3d"
    seq = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        model = lib.nn.Sequential(getattr(lib.nn, conv)(3, 4, 3),
                                  lib.nn.Sequential(lib.nn.Linear(2, 2)))
        weight = model[0].weight
        values = weight.detach().clone()
        assert getattr(lib.nn.utils, fn)(model, getattr(lib, fmt)) is model
        assert model[0].weight is weight
        assert tuple(weight.shape) == shape
        assert weight.is_contiguous(memory_format=getattr(lib, fmt))
        assert ember.equal(to_ember(values) if lib is torch else values,
                           to_ember(weight) if lib is torch else weight)
        seq[lib.__name__] = weight.stride()
    assert seq["ember"] == seq["torch"]


def test_stateless_functional_call_warns_and_calls(torch):
    lin = ember.nn.Linear(2, 1)
    params = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = ember.nn.utils.stateless.functional_call(lin, params, (ember.tensor([[1.0, 2.0]]),))
        torch.nn.utils.stateless.functional_call(torch.nn.Linear(2, 1), {}, (torch.ones(1, 2),))
    assert out.tolist() == [[3.0]]
    mine, theirs = caught
    assert mine.category is theirs.category is FutureWarning
    assert str(mine.message) == str(theirs.message) and mine.filename == __file__


def _grads(lib, seed=4):
    rng = np.random.default_rng(seed)
    params = [lib.nn.Parameter(lib.zeros(*s)) for s in [(3, 4), (5,), (2,)]]
    for p in params[:2]:
        p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32))
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3, float("inf")])
def test_get_total_norm_and_clip_grads_with_norm_match_torch(torch, norm_type):
    t_params, e_params = _grads(torch), _grads(ember)
    t_norm = torch.nn.utils.get_total_norm([p.grad for p in t_params[:2]], norm_type)
    e_norm = ember.nn.utils.get_total_norm([p.grad for p in e_params[:2]], norm_type)
    assert e_norm.dtype == ember.float32 and e_norm.dim() == 0
    np.testing.assert_allclose(e_norm.item(), t_norm.item(), rtol=1e-6)
    torch.nn.utils.clip_grads_with_norm_(t_params, 0.7, t_norm)
    assert ember.nn.utils.clip_grads_with_norm_(e_params, 0.7, e_norm) is None
    for e, t in zip(e_params[:2], t_params[:2]):
        assert_close(e.grad, t.grad, rtol=1e-6, atol=1e-7)
    assert e_params[2].grad is None


def test_get_total_norm_of_nothing_and_nonfinite(torch):
    assert ember.nn.utils.get_total_norm([]).item() == torch.nn.utils.get_total_norm([]).item()
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
            lib.nn.utils.get_total_norm(lib.tensor([1.0, float("nan")]),
                                        error_if_nonfinite=True)


def test_clip_grad_norm_is_the_deprecated_clip_grad_norm_(torch):
    t_params, e_params = _grads(torch), _grads(ember)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t_norm = torch.nn.utils.clip_grad_norm(t_params, 0.5)
        e_norm = ember.nn.utils.clip_grad_norm(e_params, 0.5)
    theirs, mine = caught
    assert (mine.category, str(mine.message)) == (theirs.category, str(theirs.message))
    assert mine.filename == __file__
    np.testing.assert_allclose(e_norm.item(), t_norm.item(), rtol=1e-6)
    for e, t in zip(e_params[:2], t_params[:2]):
        assert_close(e.grad, t.grad, rtol=1e-6, atol=1e-7)
