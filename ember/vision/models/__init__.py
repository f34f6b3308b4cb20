"""ember.vision.models: torchvision's classification models, with its module and parameter names
so that torchvision state dicts load. `weights=None` builds an untrained model initialised as
torchvision does; `weights=<Model>_Weights.<NAME>` (or its name, or "DEFAULT") downloads the
checkpoint into ember.hub's cache, checks its hash and loads it."""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights,
                   get_weight, list_models)
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .mobilenetv2 import MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .resnet import (ResNet, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, resnet18,
                     resnet34, resnet50)
from .squeezenet import (SqueezeNet, SqueezeNet1_0_Weights, SqueezeNet1_1_Weights, squeezenet1_0,
                         squeezenet1_1)
from .vgg import (VGG, VGG11_BN_Weights, VGG11_Weights, VGG16_BN_Weights, VGG16_Weights, vgg11,
                  vgg11_bn, vgg16, vgg16_bn)

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models",
           "AlexNet", "AlexNet_Weights", "alexnet",
           "MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2",
           "ResNet", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights", "resnet18",
           "resnet34", "resnet50",
           "SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights", "squeezenet1_0",
           "squeezenet1_1",
           "VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights",
           "vgg11", "vgg11_bn", "vgg16", "vgg16_bn"]
