"""ember.vision.models against torchvision: every model's state-dict entries, repr and eval-mode
outputs equal torchvision 0.28's (data/torchvision_models.json), backward reaches every parameter,
ResNet-18 matches a plain torch.nn ResNet-18 forward and backward in train and eval mode, the
untrained initialisation follows torchvision's schemes, and the weights enums, registry and
legacy `pretrained=` keyword behave as torchvision's."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.vision import models
from ember.vision import transforms as T
from ember.vision.models import resnet as resnet_module, vgg as vgg_module
from tests.vision._model_reference import (INPUT_SIDE, NUM_CLASSES, load_reference,
                                           seeded_input, seeded_weights)
from tests.vision._torch_resnet import torch_resnet18

NAMES = list(INPUT_SIDE)
# The VGGs' forward is one method whatever the configuration (their layers are checked by
# entries and repr for all four): two of them are run, for time (100M-value heads).
RUN_NAMES = [n for n in NAMES if n not in ("vgg11_bn", "vgg16")]
BACKWARD_SIDE = {"alexnet": 64}  # the others take 32x32


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture
def no_init(monkeypatch):
    """Build without drawing initial values (they are replaced by seeded weights anyway): the
    VGG and AlexNet heads would otherwise take seconds to initialise."""
    for fn in ("uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "constant_",
               "ones_", "zeros_"):
        monkeypatch.setattr(nn.init, fn, lambda tensor, *args, **kwargs: tensor)


def _entries(model):
    return [[k, list(v.shape), str(v.dtype).replace("torch.", "")]
            for k, v in model.state_dict().items()]


def _seeded(name):
    model = models.get_model(name, num_classes=NUM_CLASSES)
    model.load_state_dict({k: ember.from_numpy(v)
                           for k, v in seeded_weights(_entries(model)).items()})
    return model


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_and_repr_are_torchvisions(name, reference, no_init):
    model = models.get_model(name, num_classes=NUM_CLASSES)
    assert _entries(model) == reference[name]["entries"]
    assert repr(model) == reference[name]["repr"]


@pytest.mark.parametrize("name", RUN_NAMES)
def test_eval_output_is_torchvisions(name, reference, no_init):
    model = _seeded(name).eval()
    with ember.no_grad():
        out = model(ember.from_numpy(seeded_input(name)))
    expected = np.array(reference[name]["output"], dtype=np.float32)
    assert out.shape == (2, NUM_CLASSES) and out.dtype == ember.float32
    scale = np.abs(expected).max()
    np.testing.assert_allclose(out.numpy(), expected, rtol=0, atol=2e-5 * scale)


@pytest.mark.parametrize("name", [n for n in RUN_NAMES if n != "vgg11"])
def test_backward_reaches_every_parameter(name, no_init):
    model = _seeded(name).train()
    side = BACKWARD_SIDE.get(name, 32)
    x = ember.randn(2, 3, side, side, requires_grad=True)
    out = model(x)
    assert out.shape == (2, NUM_CLASSES)
    out.square().mean().backward()
    assert x.grad.shape == x.shape and np.isfinite(x.grad.numpy()).all()
    for key, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, key
        assert np.isfinite(p.grad.numpy()).all(), key


# -- ResNet-18 against a plain torch.nn ResNet-18 from the same state dict ----------------------
def test_torch_reference_has_torchvisions_layout(torch, reference):
    ref = torch_resnet18(torch, NUM_CLASSES)
    assert _entries(ref) == reference["resnet18"]["entries"]


@pytest.mark.parametrize("train", [False, True], ids=["eval", "train"])
def test_resnet18_forward_backward_match_torch(torch, train):
    torch.manual_seed(0)
    ref = torch_resnet18(torch, NUM_CLASSES)
    with torch.no_grad():  # running statistics that are not the identity, so eval mode uses them
        for m in ref.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    model = models.resnet18(num_classes=NUM_CLASSES)
    model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    ref.train(train)
    model.train(train)
    x = np.random.default_rng(0).standard_normal((4, 3, 48, 48)).astype(np.float32)
    y = np.array([1, 0, 3, 9])
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(ref(xt), torch.tensor(y))
    loss_e = nn.functional.cross_entropy(model(xe), ember.tensor(y))
    loss_t.backward()
    loss_e.backward()
    np.testing.assert_allclose(loss_e.item(), loss_t.item(), rtol=1e-5)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    grads = dict(ref.named_parameters())
    for key, p in model.named_parameters():
        expected = grads[key].grad.numpy()
        np.testing.assert_allclose(p.grad.numpy(), expected, rtol=1e-3,
                                   atol=1e-4 * np.abs(expected).max(), err_msg=key)
    buffers = ref.state_dict()
    for key, b in model.state_dict().items():  # running statistics move only in train mode
        np.testing.assert_allclose(b.numpy(), buffers[key].numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=key)


# -- untrained initialisation -------------------------------------------------------------------
def _fans(w):
    receptive = math.prod(w.shape[2:])
    return w.shape[1] * receptive, w.shape[0] * receptive


def _assert_std(w, std, tol=0.05):
    a = w.detach().numpy()
    assert abs(a.mean()) < 4 * std / math.sqrt(a.size) + 1e-7
    assert abs(a.std() / std - 1) < tol, (a.std(), std)


def _big_convs(model, minimum=20000):
    return [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.weight.numel() >= minimum]


def test_resnet_init_schemes():
    model = models.resnet18()
    assert model.fc.out_features == 1000  # num_classes' default
    for conv in _big_convs(model):  # Kaiming normal, fan_out, ReLU gain
        _assert_std(conv.weight, math.sqrt(2.0 / _fans(conv.weight)[1]))
    for bn in [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]:
        assert (bn.weight.detach().numpy() == 1).all() and (bn.bias.detach().numpy() == 0).all()
    bound = 1 / math.sqrt(512)  # the head keeps Linear's default
    assert np.abs(model.fc.weight.detach().numpy()).max() <= bound
    _assert_std(model.fc.weight, bound / math.sqrt(3))


@pytest.mark.parametrize("builder, last", [(models.resnet18, "bn2"), (models.resnet50, "bn3")])
def test_zero_init_residual(builder, last):
    model = builder(zero_init_residual=True)
    blocks = [m for m in model.modules() if hasattr(m, last) and hasattr(m, "downsample")]
    assert blocks and all((getattr(b, last).weight.detach().numpy() == 0).all() for b in blocks)
    assert (model.bn1.weight.detach().numpy() == 1).all()


def test_mobilenet_v2_init_scheme():
    model = models.mobilenet_v2(num_classes=100)
    for conv in _big_convs(model):
        _assert_std(conv.weight, math.sqrt(2.0 / _fans(conv.weight)[1]))
    head = model.classifier[1]
    _assert_std(head.weight, 0.01)
    assert (head.bias.detach().numpy() == 0).all()


def test_squeezenet_init_scheme():
    model = models.squeezenet1_0()
    final = model.classifier[1]
    _assert_std(final.weight, 0.01)
    for conv in _big_convs(model):
        if conv is not final:  # Kaiming uniform, fan_in, ReLU gain: bound sqrt(6 / fan_in)
            bound = math.sqrt(6.0 / _fans(conv.weight)[0])
            assert np.abs(conv.weight.detach().numpy()).max() <= bound
            _assert_std(conv.weight, bound / math.sqrt(3))
    assert all((c.bias.detach().numpy() == 0).all() for c in model.modules() if isinstance(c, nn.Conv2d))


def test_vgg_init_scheme():
    """VGG's scheme on a small stand-in (the real heads take seconds to draw)."""
    stand_in = nn.Sequential(nn.Conv2d(16, 64, 3), nn.BatchNorm2d(64), nn.Linear(300, 200))
    vgg_module.VGG._init_weights(stand_in)
    conv, bn, linear = stand_in
    _assert_std(conv.weight, math.sqrt(2.0 / (64 * 9)))
    _assert_std(linear.weight, 0.01)
    assert (conv.bias.detach().numpy() == 0).all() and (linear.bias.detach().numpy() == 0).all()
    assert (bn.weight.detach().numpy() == 1).all() and (bn.bias.detach().numpy() == 0).all()


def test_vgg_builders_pick_their_configuration(no_init):
    convs = {name: sum(isinstance(m, nn.Conv2d) for m in models.get_model(name).features)
             for name in ("vgg11", "vgg16")}
    assert convs == {"vgg11": 8, "vgg16": 13}
    assert any(isinstance(m, nn.BatchNorm2d) for m in models.vgg11_bn().features)


def test_architecture_options():
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1"):
        models.resnet18(groups=2)
    model = models.resnet50(replace_stride_with_dilation=[False, True, True], num_classes=7)
    out = model.eval()(ember.randn(1, 3, 64, 64))
    assert out.shape == (1, 7) and model.layer4[0].conv2.dilation == (2, 2)
    assert models.mobilenet_v2(width_mult=0.5).features[0][0].out_channels == 16
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version"):
        models.SqueezeNet("2_0")


# -- weights enums, registry, legacy keyword ----------------------------------------------------
def test_weights_enum():
    w = models.ResNet18_Weights.IMAGENET1K_V1
    assert repr(w) == "ResNet18_Weights.IMAGENET1K_V1"
    assert w.url.endswith("/resnet18-f37072fd.pth")
    assert models.ResNet18_Weights.DEFAULT is w
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert len(w.meta["categories"]) == 1000 and w.meta["categories"][0] == "tench"
    assert type(w.meta["categories"]) is list  # torchvision's type: code may .index() or +
    assert w.meta["num_params"] == sum(p.numel() for p in models.resnet18().parameters())
    assert models.ResNet18_Weights.verify("IMAGENET1K_V1") is w
    assert models.ResNet18_Weights.verify("ResNet18_Weights.IMAGENET1K_V1") is w
    assert models.ResNet18_Weights.verify(None) is None
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received VGG16_Weights"):
        models.resnet18(weights=models.VGG16_Weights.IMAGENET1K_V1)
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.resnet18(weights="IMAGENET1K_V1", num_classes=10)


def test_weights_transforms_are_the_evaluation_preset():
    preset = models.ResNet50_Weights.IMAGENET1K_V2.transforms()
    assert repr(preset) == ("ImageClassification(\n    crop_size=[224]\n    resize_size=[232]\n"
                            "    mean=[0.485, 0.456, 0.406]\n    std=[0.229, 0.224, 0.225]\n"
                            "    interpolation=InterpolationMode.BILINEAR\n)")
    image = np.random.default_rng(0).integers(0, 256, (300, 260, 3), dtype=np.uint8)
    pil = pytest.importorskip("PIL.Image").fromarray(image)
    expected = T.Compose([T.Resize(232), T.CenterCrop(224), T.ToTensor(),
                          T.Normalize(preset.mean, preset.std)])(pil)
    out = preset(pil)
    assert out.shape == (3, 224, 224) and out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-6)
    chw = np.ascontiguousarray(image[:232, :240].transpose(2, 0, 1))  # short side 232: no resize
    from_uint8 = preset(ember.from_numpy(chw))
    scaled = T.Normalize(preset.mean, preset.std)(
        ember.from_numpy(chw[:, 4:228, 8:232].astype(np.float32) / 255))
    np.testing.assert_allclose(from_uint8.numpy(), scaled.numpy(), atol=1e-6)


def test_registry():
    assert models.list_models() == ["alexnet", "mobilenet_v2", "resnet18", "resnet34",
                                    "resnet50", "squeezenet1_0", "squeezenet1_1", "vgg11",
                                    "vgg11_bn", "vgg16", "vgg16_bn"]
    assert models.list_models(include="resnet*", exclude="*50") == ["resnet18", "resnet34"]
    assert models.list_models(module=resnet_module) == ["resnet18", "resnet34", "resnet50"]
    assert models.get_model_weights("resnet50") is models.ResNet50_Weights
    assert models.get_model_weights(models.alexnet) is models.AlexNet_Weights
    assert models.get_weight("MobileNet_V2_Weights.IMAGENET1K_V1").url.endswith("-b0353104.pth")
    assert isinstance(models.get_model("squeezenet1_1", num_classes=3), models.SqueezeNet)
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet19")
    with pytest.raises(ValueError, match="The weight enum 'Foo'"):
        models.get_weight("Foo.IMAGENET1K_V1")


def test_pretrained_false_warns_as_torchvision():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = models.squeezenet1_1(pretrained=False)
    assert [str(w.message) for w in caught] == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
        "please use 'weights' instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and "
        "may be removed in the future. The current behavior is equivalent to passing "
        "`weights=None`."]
    assert all(w.category is UserWarning for w in caught)
    assert isinstance(model, models.SqueezeNet)
