"""SqueezeNet 1.0 and 1.1 (Iandola et al., 2016) with torchvision's module names. Untrained: the
final convolution N(0, 0.01), the others Kaiming-uniform (fan_in), every bias zero."""
from ... import cat, flatten
from ... import nn
from ._init import init_layers
from ._api import (WeightsEnum, imagenet_weights, load_weights, register_builder,
                   resolve_weights, set_num_classes)

__all__ = ["SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights", "squeezenet1_0",
           "squeezenet1_1"]


class Fire(nn.Module):
    """A 1x1 squeeze, then 1x1 and 3x3 expansions side by side, concatenated on channels."""

    def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return cat([self.expand1x1_activation(self.expand1x1(x)),
                    self.expand3x3_activation(self.expand3x3(x))], 1)


def _pool():
    return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)


# Each version's stem (out channels, kernel) and its sequence of Fire modules
# (in, squeeze, expand 1x1, expand 3x3), "M" a ceil-mode 3x3 max pooling.
_LAYOUTS = {
    "1_0": ((96, 7), [(96, 16, 64, 64), (128, 16, 64, 64), (128, 32, 128, 128), "M",
                      (256, 32, 128, 128), (256, 48, 192, 192), (384, 48, 192, 192),
                      (384, 64, 256, 256), "M", (512, 64, 256, 256)]),
    "1_1": ((64, 3), [(64, 16, 64, 64), (128, 16, 64, 64), "M", (128, 32, 128, 128),
                      (256, 32, 128, 128), "M", (256, 48, 192, 192), (384, 48, 192, 192),
                      (384, 64, 256, 256), (512, 64, 256, 256)]),
}


class SqueezeNet(nn.Module):
    """Fire modules between poolings, then a 1x1 convolution to the classes, averaged."""

    def __init__(self, version="1_0", num_classes=1000, dropout=0.5):
        super().__init__()
        if version not in _LAYOUTS:
            raise ValueError(f"Unsupported SqueezeNet version {version}: 1_0 or 1_1 expected")
        self.num_classes = num_classes
        (stem_channels, stem_kernel), fires = _LAYOUTS[version]
        layers = [nn.Conv2d(3, stem_channels, kernel_size=stem_kernel, stride=2),
                  nn.ReLU(inplace=True), _pool()]
        layers += [_pool() if f == "M" else Fire(*f) for f in fires]
        self.features = nn.Sequential(*layers)
        final_conv = nn.Conv2d(512, num_classes, kernel_size=1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True),
                                        nn.AdaptiveAvgPool2d((1, 1)))
        init_layers(self, conv=nn.init.kaiming_uniform_)
        nn.init.normal_(final_conv.weight, mean=0.0, std=0.01)

    def forward(self, x):
        return flatten(self.classifier(self.features(x)), 1)


_RECIPE = "https://github.com/pytorch/vision/pull/49#issuecomment-277560717"


class SqueezeNet1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights(
        "https://download.pytorch.org/models/squeezenet1_0-b66bff10.pth", 1248424, (21, 21),
        58.092, 80.42, _RECIPE)
    DEFAULT = IMAGENET1K_V1


class SqueezeNet1_1_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights(
        "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth", 1235496, (17, 17),
        58.178, 80.624, _RECIPE)
    DEFAULT = IMAGENET1K_V1


def _squeezenet(version, weights, progress, kwargs):
    if weights is not None:
        set_num_classes(kwargs, weights)
    return load_weights(SqueezeNet(version, **kwargs), weights, progress)


@register_builder(SqueezeNet1_0_Weights)
def squeezenet1_0(*, weights=None, progress=True, **kwargs):
    """SqueezeNet 1.0; `weights` a SqueezeNet1_0_Weights (or its name)."""
    weights = resolve_weights(SqueezeNet1_0_Weights, weights, kwargs)
    return _squeezenet("1_0", weights, progress, kwargs)


@register_builder(SqueezeNet1_1_Weights)
def squeezenet1_1(*, weights=None, progress=True, **kwargs):
    """SqueezeNet 1.1 (fewer operations, the same accuracy); `weights` a SqueezeNet1_1_Weights."""
    weights = resolve_weights(SqueezeNet1_1_Weights, weights, kwargs)
    return _squeezenet("1_1", weights, progress, kwargs)
