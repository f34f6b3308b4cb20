"""AlexNet (Krizhevsky, 2014's "one weird trick" variant) with torchvision's module names.
Untrained, every layer keeps its default initialisation, as torchvision's does."""
from ... import flatten
from ... import nn
from ._api import (WeightsEnum, imagenet_weights, load_weights, register_builder,
                   resolve_weights, set_num_classes)

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions, pooling to 6x6 and three linear layers with dropout."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights(
        "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", 61100840, (63, 63),
        56.522, 79.066,
        "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg")
    DEFAULT = IMAGENET1K_V1


@register_builder(AlexNet_Weights)
def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet; `weights` an AlexNet_Weights (or its name)."""
    weights = resolve_weights(AlexNet_Weights, weights, kwargs)
    if weights is not None:
        set_num_classes(kwargs, weights)
    return load_weights(AlexNet(**kwargs), weights, progress)
