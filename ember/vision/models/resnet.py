"""ResNet-18/34/50 (He et al., 2015) with torchvision's module names, so its state dicts load.

The torchvision ("v1.5") variant: a Bottleneck downsamples in its 3x3 convolution. Untrained, the
convolutions are Kaiming-normal (fan_out, ReLU gain), the norms weight 1 and bias 0, and the head
is Linear's default; zero_init_residual zeroes each block's last norm weight.
"""
from ... import flatten
from ... import nn
from ._init import init_layers, kaiming_fan_out
from ._api import (WeightsEnum, imagenet_weights, load_weights, register_builder,
                   resolve_weights, set_num_classes)

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "ResNet18_Weights", "ResNet34_Weights",
           "ResNet50_Weights", "resnet18", "resnet34", "resnet50"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution, padded to keep the size at stride 1, no bias (a norm follows)."""
    return nn.Conv2d(in_planes, out_planes, 3, stride, padding=dilation, dilation=dilation,
                     groups=groups, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, 1, stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut (ResNet-18/34)."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 dilation=1, norm_layer=None):
        super().__init__()
        norm = norm_layer or nn.BatchNorm2d
        if (groups, base_width) != (1, 64):
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        # registration order is torchvision's, so repr and state-dict order match
        self.conv1, self.bn1 = conv3x3(inplanes, planes, stride), norm(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2, self.bn2 = conv3x3(planes, planes), norm(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (strided), 1x1 expand by 4, and a shortcut (ResNet-50)."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 dilation=1, norm_layer=None):
        super().__init__()
        norm = norm_layer or nn.BatchNorm2d
        inner = groups * int(planes * base_width / 64.0)
        outer = self.expansion * planes
        self.conv1, self.bn1 = conv1x1(inplanes, inner), norm(inner)
        self.conv2, self.bn2 = conv3x3(inner, inner, stride, groups, dilation), norm(inner)
        self.conv3, self.bn3 = conv1x1(inner, outer), norm(outer)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class ResNet(nn.Module):
    """A 7x7 stem, four stages of `block` (`layers` blocks each), global average pooling and a
    linear head."""

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1,
                 width_per_group=64, replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        dilate = replace_stride_with_dilation or [False, False, False]
        if len(dilate) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, "
                             f"got {replace_stride_with_dilation}")
        self._norm_layer = norm_layer or nn.BatchNorm2d
        self.inplanes, self.dilation = 64, 1
        self.groups, self.base_width = groups, width_per_group
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = self._norm_layer(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        for i, planes in enumerate((128, 256, 512)):
            setattr(self, f"layer{i + 2}",
                    self._make_layer(block, planes, layers[i + 1], 2, dilate[i]))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(block.expansion * 512, num_classes)
        init_layers(self, conv=kaiming_fan_out)  # the head keeps Linear's default
        if zero_init_residual:  # each residual branch starts at zero: every block the identity
            last_norm = {Bottleneck: "bn3", BasicBlock: "bn2"}
            for m in self.modules():
                norm = getattr(m, last_norm.get(type(m), ""), None)
                if norm is not None and norm.weight is not None:
                    nn.init.zeros_(norm.weight)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        first_dilation = self.dilation
        if dilate:  # keep the resolution: dilate instead of striding
            self.dilation, stride = self.dilation * stride, 1
        widened = block.expansion * planes
        shortcut = None
        if stride != 1 or self.inplanes != widened:
            shortcut = nn.Sequential(conv1x1(self.inplanes, widened, stride),
                                     self._norm_layer(widened))
        shared = dict(groups=self.groups, base_width=self.base_width, norm_layer=self._norm_layer)
        stage = [block(self.inplanes, planes, stride, shortcut, dilation=first_dilation,
                       **shared)]
        self.inplanes = widened
        stage += [block(widened, planes, dilation=self.dilation, **shared)
                  for _ in range(blocks - 1)]
        return nn.Sequential(*stage)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(flatten(self.avgpool(x), 1))

    def forward(self, x):
        return self._forward_impl(x)


_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#resnet"
_RECIPE_V2 = "https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621"


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights("https://download.pytorch.org/models/resnet18-f37072fd.pth",
                                     11689512, (1, 1), 69.758, 89.078, _RECIPE)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights("https://download.pytorch.org/models/resnet34-b627a593.pth",
                                     21797672, (1, 1), 73.314, 91.42, _RECIPE)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights("https://download.pytorch.org/models/resnet50-0676ba61.pth",
                                     25557032, (1, 1), 76.13, 92.862, _RECIPE)
    IMAGENET1K_V2 = imagenet_weights("https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
                                     25557032, (1, 1), 80.858, 95.434, _RECIPE_V2,
                                     resize_size=232)
    DEFAULT = IMAGENET1K_V2


def _resnet(block, layers, weights, progress, kwargs):
    if weights is not None:
        set_num_classes(kwargs, weights)
    return load_weights(ResNet(block, layers, **kwargs), weights, progress)


@register_builder(ResNet18_Weights)
def resnet18(*, weights=None, progress=True, **kwargs):
    """ResNet-18: BasicBlocks [2, 2, 2, 2]; `weights` a ResNet18_Weights (or its name)."""
    weights = resolve_weights(ResNet18_Weights, weights, kwargs)
    return _resnet(BasicBlock, [2, 2, 2, 2], weights, progress, kwargs)


@register_builder(ResNet34_Weights)
def resnet34(*, weights=None, progress=True, **kwargs):
    """ResNet-34: BasicBlocks [3, 4, 6, 3]; `weights` a ResNet34_Weights (or its name)."""
    weights = resolve_weights(ResNet34_Weights, weights, kwargs)
    return _resnet(BasicBlock, [3, 4, 6, 3], weights, progress, kwargs)


@register_builder(ResNet50_Weights)
def resnet50(*, weights=None, progress=True, **kwargs):
    """ResNet-50: Bottlenecks [3, 4, 6, 3]; `weights` a ResNet50_Weights (or its name)."""
    weights = resolve_weights(ResNet50_Weights, weights, kwargs)
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, kwargs)
