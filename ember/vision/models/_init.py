"""The untrained initialisations torchvision's classification models use, shared by the models."""
from ... import nn

NORMS = (nn.BatchNorm2d, nn.GroupNorm)


def kaiming_fan_out(weight):
    """He normal with the fan-out (the output channels' receptive fields), ReLU's gain."""
    nn.init.kaiming_normal_(weight, mode="fan_out", nonlinearity="relu")


def normal_001(weight):
    nn.init.normal_(weight, 0.0, 0.01)


def init_layers(model, conv, linear=None):
    """Draw every convolution's weight with `conv` and, if given, every linear layer's with
    `linear` (their biases 0); set every norm to the identity (weight 1, bias 0). Layers of a
    kind with no scheme keep their own default."""
    schemes = [(nn.Conv2d, conv)] + ([(nn.Linear, linear)] if linear is not None else [])
    for m in model.modules():
        if isinstance(m, NORMS):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
            continue
        for kind, scheme in schemes:
            if isinstance(m, kind):
                scheme(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
