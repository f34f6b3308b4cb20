"""VGG-11 and VGG-16 (Simonyan and Zisserman, 2014), plain and with batch norm (_bn), with
torchvision's module names. Untrained: convolutions Kaiming-normal (fan_out, ReLU gain) with zero
bias, norms 1 and 0, linear layers N(0, 0.01) with zero bias.
"""
import functools

from ... import flatten
from ... import nn
from ..transforms._presets import ImageClassification
from ._init import init_layers, kaiming_fan_out, normal_001
from ._api import (WeightsEnum, Weights, imagenet_weights, load_weights, register_builder,
                   resolve_weights, set_num_classes)

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights",
           "vgg11", "vgg11_bn", "vgg16", "vgg16_bn"]

# Output channels of each 3x3 convolution; "M" a 2x2 max pooling. A: VGG-11, D: VGG-16.
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """`features` (the convolutions), pooling to 7x7 and three linear layers."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            self._init_weights()

    def _init_weights(self):
        init_layers(self, conv=kaiming_fan_out, linear=normal_001)

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


def make_layers(cfg, batch_norm=False):
    """The `features` Sequential of a cfg: conv 3x3 (padding 1)[, BatchNorm2d], ReLU; "M" pools."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg"
_URL = "https://download.pytorch.org/models/"


def _vgg_weights(file, num_params, acc1, acc5):
    return imagenet_weights(_URL + file, num_params, (32, 32), acc1, acc5, _RECIPE)


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _vgg_weights("vgg11-8a719046.pth", 132863336, 69.02, 88.628)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _vgg_weights("vgg11_bn-6002323d.pth", 132868840, 70.37, 89.81)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _vgg_weights("vgg16-397923af.pth", 138357544, 71.592, 90.382)
    # SSD's VGG-16 backbone (features only, no categories): inputs in 0-255 less the mean
    IMAGENET1K_FEATURES = Weights(
        url=_URL + "vgg16_features-amdegroot-88682ab5.pth",
        transforms=functools.partial(ImageClassification, crop_size=224,
                                     mean=(0.48235, 0.45882, 0.40784),
                                     std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
        meta={"categories": None, "num_params": 138357544, "min_size": (32, 32),
              "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd",
              "_metrics": {"ImageNet-1K": {"acc@1": float("nan"), "acc@5": float("nan")}}})
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _vgg_weights("vgg16_bn-6c64b313.pth", 138365992, 73.36, 91.516)
    DEFAULT = IMAGENET1K_V1


def _vgg(cfg, batch_norm, weights, progress, kwargs):
    if weights is not None:
        kwargs["init_weights"] = False
        if weights.meta["categories"] is not None:
            set_num_classes(kwargs, weights)
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    return load_weights(model, weights, progress)


@register_builder(VGG11_Weights)
def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG-11 (configuration A); `weights` a VGG11_Weights (or its name)."""
    return _vgg("A", False, resolve_weights(VGG11_Weights, weights, kwargs), progress, kwargs)


@register_builder(VGG11_BN_Weights)
def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG-11 with batch norm; `weights` a VGG11_BN_Weights (or its name)."""
    return _vgg("A", True, resolve_weights(VGG11_BN_Weights, weights, kwargs), progress, kwargs)


@register_builder(VGG16_Weights)
def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG-16 (configuration D); `weights` a VGG16_Weights (or its name)."""
    return _vgg("D", False, resolve_weights(VGG16_Weights, weights, kwargs), progress, kwargs)


@register_builder(VGG16_BN_Weights)
def vgg16_bn(*, weights=None, progress=True, **kwargs):
    """VGG-16 with batch norm; `weights` a VGG16_BN_Weights (or its name)."""
    return _vgg("D", True, resolve_weights(VGG16_BN_Weights, weights, kwargs), progress, kwargs)
