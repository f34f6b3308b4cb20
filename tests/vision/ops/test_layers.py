"""The layers of torchvision.ops against the same blocks assembled from torch.nn (printed form,
state-dict keys, outputs with the same weights), and the random layers against their
definitions."""
import warnings

import numpy as np
import pytest

import ember
from ember.vision import ops


def load_from_torch(module, torch_module):
    module.load_state_dict({k: ember.tensor(v.detach().numpy())
                            for k, v in torch_module.state_dict().items()})


def assert_same_block(module, torch_module, x_np, torch):
    """Same repr (the class name aside), state-dict keys and eval outputs."""
    assert repr(module) == repr(torch_module)
    assert list(module.state_dict()) == list(torch_module.state_dict())
    for p in torch_module.parameters():
        torch.nn.init.normal_(p)
    for name, buf in torch_module.named_buffers():
        if buf.is_floating_point():
            buf.uniform_(0.5, 1.5)
    load_from_torch(module, torch_module)
    module.eval()
    torch_module.eval()
    with torch.no_grad():
        expected = torch_module(torch.tensor(x_np)).numpy()
    np.testing.assert_allclose(module(ember.tensor(x_np)).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)


def named_sequential(torch, name, *layers):
    return type(name, (torch.nn.Sequential,), {})(*layers)


def test_conv2d_norm_activation(torch):
    nn = torch.nn
    x = np.random.rand(2, 3, 9, 9).astype(np.float32)
    assert_same_block(ops.Conv2dNormActivation(3, 6, stride=2, groups=3), named_sequential(
        torch, "Conv2dNormActivation", nn.Conv2d(3, 6, 3, 2, 1, groups=3, bias=False),
        nn.BatchNorm2d(6), nn.ReLU(inplace=True)), x, torch)
    # no norm: the convolution keeps its bias; dilation widens the padding; inplace=None
    # leaves the activation's own default
    assert_same_block(
        ops.Conv2dNormActivation(3, 4, kernel_size=5, dilation=2, norm_layer=None,
                                 activation_layer=ember.nn.Hardswish, inplace=None),
        named_sequential(torch, "Conv2dNormActivation",
                         nn.Conv2d(3, 4, 5, 1, 4, dilation=2), nn.Hardswish()), x, torch)
    assert_same_block(
        ops.Conv2dNormActivation(3, 6, kernel_size=(3, 5), padding=0, activation_layer=None,
                                 bias=True),
        named_sequential(torch, "Conv2dNormActivation", nn.Conv2d(3, 6, (3, 5), 1, 0),
                         nn.BatchNorm2d(6)), x, torch)
    assert ops.Conv2dNormActivation(3, 8).out_channels == 8


def test_conv2d_norm_activation_tuple_kernel_padding():
    block = ops.Conv2dNormActivation(2, 2, kernel_size=(3, 5), dilation=(1, 2))
    assert block[0].padding == (1, 4) and block[0].kernel_size == (3, 5)
    assert block[0].dilation == (1, 2)


def test_conv3d_norm_activation(torch):
    nn = torch.nn
    x = np.random.rand(1, 2, 5, 6, 6).astype(np.float32)
    assert_same_block(ops.Conv3dNormActivation(2, 4, kernel_size=(3, 1, 3)), named_sequential(
        torch, "Conv3dNormActivation", nn.Conv3d(2, 4, (3, 1, 3), 1, (1, 0, 1), bias=False),
        nn.BatchNorm3d(4), nn.ReLU(inplace=True)), x, torch)


def test_conv_norm_activation_used_directly_warns():
    with pytest.warns(UserWarning, match="Don't use ConvNormActivation directly"):
        ops.misc.ConvNormActivation(2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ops.Conv2dNormActivation(2, 2)


def test_squeeze_excitation(torch):
    nn = torch.nn

    class SqueezeExcitation(nn.Module):
        def __init__(self):
            super().__init__()
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(6, 2, 1)
            self.fc2 = nn.Conv2d(2, 6, 1)
            self.activation = nn.ReLU()
            self.scale_activation = nn.Sigmoid()

        def forward(self, x):
            scale = self.avgpool(x)
            return self.scale_activation(self.fc2(self.activation(self.fc1(scale)))) * x

    x = np.random.rand(2, 6, 5, 5).astype(np.float32)
    assert_same_block(ops.SqueezeExcitation(6, 2), SqueezeExcitation(), x, torch)
    se = ops.SqueezeExcitation(6, 2, activation=ember.nn.SiLU,
                               scale_activation=ember.nn.Hardsigmoid)
    assert isinstance(se.activation, ember.nn.SiLU)
    assert isinstance(se.scale_activation, ember.nn.Hardsigmoid)


def test_mlp(torch):
    nn = torch.nn
    x = np.random.rand(3, 4).astype(np.float32)
    assert_same_block(ops.MLP(4, [8, 5, 3]), named_sequential(
        torch, "MLP", nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.0), nn.Linear(8, 5), nn.ReLU(),
        nn.Dropout(0.0), nn.Linear(5, 3), nn.Dropout(0.0)), x, torch)
    assert_same_block(
        ops.MLP(4, [6, 2], norm_layer=ember.nn.LayerNorm, activation_layer=ember.nn.ELU,
                inplace=False, bias=False, dropout=0.25),
        named_sequential(torch, "MLP", nn.Linear(4, 6, bias=False), nn.LayerNorm(6),
                         nn.ELU(inplace=False), nn.Dropout(0.25, inplace=False),
                         nn.Linear(6, 2, bias=False),
                         nn.Dropout(0.25, inplace=False)), x, torch)
    assert repr(ops.MLP(4, [3], inplace=True)) == repr(named_sequential(
        torch, "MLP", nn.Linear(4, 3), nn.Dropout(0.0, inplace=True)))
    # the documentation's "If None this layer won't be used"
    assert [type(m).__name__ for m in ops.MLP(4, [5, 3], activation_layer=None)] == [
        "Linear", "Dropout", "Linear", "Dropout"]


def test_frozen_batch_norm(torch):
    bn = torch.nn.BatchNorm2d(5, eps=1e-3)
    bn.running_mean.normal_()
    bn.running_var.uniform_(0.5, 2)
    torch.nn.init.normal_(bn.weight)
    torch.nn.init.normal_(bn.bias)
    bn.eval()
    frozen = ops.FrozenBatchNorm2d(5, eps=1e-3)
    assert repr(frozen) == "FrozenBatchNorm2d(5, eps=0.001)"
    assert list(frozen.state_dict()) == ["weight", "bias", "running_mean", "running_var"]
    assert list(frozen.parameters()) == []
    # a BatchNorm2d's state dict loads strictly: num_batches_tracked is dropped
    frozen.load_state_dict({k: ember.tensor(v.detach().numpy())
                            for k, v in bn.state_dict().items()})
    x = np.random.rand(2, 5, 3, 4).astype(np.float32)
    with torch.no_grad():
        expected = bn(torch.tensor(x)).numpy()
    np.testing.assert_allclose(frozen(ember.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-5)
    assert repr(ops.FrozenBatchNorm2d(3)) == "FrozenBatchNorm2d(3, eps=1e-05)"


def test_permute():
    layer = ops.Permute([0, 2, 3, 1])
    assert repr(layer) == "Permute()"
    x = ember.randn(2, 3, 4, 5)
    out = layer(x)
    assert out.shape == (2, 4, 5, 3)
    np.testing.assert_array_equal(out.numpy(), x.numpy().transpose(0, 2, 3, 1))


def test_stochastic_depth_modes():
    x = ember.ones(6, 3, 2, 2)
    assert ops.stochastic_depth(x, 0.5, "row", training=False) is x
    assert ops.stochastic_depth(x, 0.0, "batch") is x
    assert ops.stochastic_depth(x, 1.0, "row").abs().sum().item() == 0
    out = ops.stochastic_depth(x, 0.4, "row").numpy()
    for row in out:  # each row dropped or scaled by 1 / (1 - p) as a whole
        assert np.allclose(row, 0) or np.allclose(row, 1 / 0.6)
    drops = []
    for _ in range(400):
        rows = ops.stochastic_depth(x, 0.3, "row").numpy()[:, 0, 0, 0]
        drops += list(rows == 0)
        whole = ops.stochastic_depth(x, 0.3, "batch").numpy()
        assert np.all(whole == 0) or np.allclose(whole, 1 / 0.7)
    assert abs(np.mean(drops) - 0.3) < 0.03  # 2400 rows: 4.5 standard deviations


def test_stochastic_depth_gradient_and_errors():
    x = ember.randn(4, 3, requires_grad=True)
    out = ops.stochastic_depth(x, 0.5, "row")
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (out.detach().numpy() / x.detach().numpy()))
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but got "
                                         "1.5"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row', but got col"):
        ops.stochastic_depth(x, 0.5, "col")
    layer = ops.StochasticDepth(0.25, "batch")
    assert repr(layer) == "StochasticDepth(p=0.25, mode=batch)"
    layer.eval()
    assert layer(x) is x


def block_mask(seeds, block_size):
    """1 everywhere except the block_size blocks whose top-left corners are the seeds."""
    n, c, *centres = seeds.shape
    spatial = [s + block_size - 1 for s in centres]
    mask = np.ones((n, c, *spatial))
    for index in zip(*np.nonzero(seeds)):
        corner = index[2:]
        mask[index[:2] + tuple(slice(i, i + block_size) for i in corner)] = 0
    return mask


@pytest.mark.parametrize("dims, block_size", [(2, 3), (2, 5), (3, 3), (2, 20)])
def test_drop_block_is_seeded_blocks(dims, block_size):
    fn = ops.drop_block2d if dims == 2 else ops.drop_block3d
    spatial = (9, 11) if dims == 2 else (5, 6, 7)
    x = ember.randn(2, 3, *spatial, dtype=ember.float64)
    p, eps = 0.3, 1e-6
    ember.manual_seed(7)
    out = fn(x, p, block_size, eps=eps)
    # the same draw, made by hand: Bernoulli(gamma) seeds wherever a whole block fits
    size = min(block_size, *spatial)
    centres = [s - size + 1 for s in spatial]
    gamma = p * np.prod(spatial) / (size ** dims * np.prod(centres))
    ember.manual_seed(7)
    seeds = ember.empty(2, 3, *centres, dtype=ember.float64).bernoulli_(gamma).numpy()
    mask = block_mask(seeds, size)
    expected = x.numpy() * mask * (mask.size / (eps + mask.sum()))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    assert seeds.sum() > 0


def test_drop_block_inplace_identity_and_errors():
    x = ember.ones(2, 2, 7, 7)
    assert ops.drop_block2d(x, 0.0, 3) is x
    assert ops.drop_block2d(x, 0.5, 3, training=False) is x
    ember.manual_seed(0)
    out = ops.drop_block2d(x, 0.4, 3, inplace=True)
    assert out is x and (x.numpy() == 0).any()
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but got "
                                         "-0.1."):
        ops.drop_block2d(x, -0.1, 3)
    with pytest.raises(ValueError, match="input should be 4 dimensional. Got 3 dimensions."):
        ops.drop_block2d(x[0], 0.1, 3)
    with pytest.raises(ValueError, match="input should be 5 dimensional. Got 4 dimensions."):
        ops.drop_block3d(x, 0.1, 3)
    with pytest.raises(RuntimeError):  # torchvision's even blocks do not fit either
        ops.drop_block2d(x, 0.1, 4)


def test_drop_block_modules_and_gradient():
    layer = ops.DropBlock2d(0.2, 3)
    assert repr(layer) == "DropBlock2d(p=0.2, block_size=3, inplace=False)"
    assert repr(ops.DropBlock3d(0.1, 5, True)) == "DropBlock3d(p=0.1, block_size=5, inplace=True)"
    x = ember.randn(2, 2, 6, 6, requires_grad=True)
    ember.manual_seed(3)
    out = layer(x)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy() * x.detach().numpy(), out.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    layer.eval()
    assert layer(x) is x
    assert ops.DropBlock3d(0.2, 3)(ember.ones(1, 1, 4, 4, 4)).shape == (1, 1, 4, 4, 4)
