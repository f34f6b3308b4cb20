"""Pretrained weights as enums (ResNet18_Weights.IMAGENET1K_V1 ...), the registry of model builders
(list_models, get_model ...) and the legacy `pretrained=` keyword, as in torchvision.models.

A weight's `get_state_dict` downloads its checkpoint through ember.hub (the dataset download code:
hash-checked against the file name's SHA-256 prefix, nothing kept when it does not match).
"""
import dataclasses
import enum
import functools
import sys
import warnings

from ...hub import load_state_dict_from_url
from ..transforms._presets import ImageClassification
from ._meta import IMAGENET_CATEGORIES
from ..._warnings import user_stacklevel

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models", "register_model"]


@dataclasses.dataclass
class Weights:
    """One set of pretrained weights: where the checkpoint is, the transforms its inputs need
    (a callable that builds them) and what is known about it (meta: categories, num_params ...)."""
    url: str
    transforms: object
    meta: dict


class WeightsEnum(enum.Enum):
    """The parent of every model's weights enum; each member's value is a Weights."""

    @classmethod
    def verify(cls, obj):
        """`obj` as a member of this enum: None stays None, a name ("IMAGENET1K_V1" or
        "ResNet18_Weights.IMAGENET1K_V1") is looked up, a member of another enum is refused."""
        if obj is None:
            return None
        if type(obj) is str:
            return cls[obj.replace(cls.__name__ + ".", "")]
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but "
                            f"received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        """The checkpoint's state dict (ember.hub.load_state_dict_from_url's arguments)."""
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def imagenet_weights(url, num_params, min_size, acc1, acc5, recipe, resize_size=256):
    """The Weights of an ImageNet-1K classifier: its evaluation transforms and meta."""
    return Weights(
        url=url,
        transforms=functools.partial(ImageClassification, crop_size=224,
                                     resize_size=resize_size),
        meta={"categories": IMAGENET_CATEGORIES, "num_params": num_params, "min_size": min_size,
              "recipe": recipe, "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}})


def set_num_classes(kwargs, weights):
    """With weights, the model's num_classes is the weights' number of categories: a different
    num_classes is refused, a missing one is filled in."""
    expected = len(weights.meta["categories"])
    given = kwargs.setdefault("num_classes", expected)
    if given != expected:
        raise ValueError(f"The parameter 'num_classes' expected value {expected} but got "
                         f"{given} instead.")


def resolve_weights(enum_cls, weights, kwargs):
    """The builder's weights: `weights` verified against `enum_cls`, or the legacy
    `pretrained=` keyword (popped from kwargs) turned into enum_cls.DEFAULT or None with
    torchvision's two UserWarnings."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in "
                      "the future, please use 'weights' instead.", stacklevel=user_stacklevel())
        weights = enum_cls.DEFAULT if pretrained else None
        msg = ("Arguments other than a weight enum or `None` for 'weights' are deprecated since "
               "0.13 and may be removed in the future. The current behavior is equivalent to "
               f"passing `weights={weights}`.")
        if pretrained:
            msg += (f" You can also use `weights={enum_cls.__name__}.DEFAULT` to get the most "
                    "up-to-date weights.")
        warnings.warn(msg, stacklevel=user_stacklevel())
    return enum_cls.verify(weights)


def load_weights(model, weights, progress):
    """Load `weights`' checkpoint (downloaded and hash-checked) into `model`."""
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


# -- the registry of builders ---------------------------------------------------------------------
BUILTIN_MODELS = {}


def register_model(name=None):
    """Decorator: register a builder under `name` (default: its function name)."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def register_builder(weights_enum):
    """Decorator: register a builder and record the weights enum it takes."""
    def wrapper(fn):
        fn.weights_enum = weights_enum
        return register_model()(fn)
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """The registered builders' names, sorted; `module` keeps those defined in that module,
    `include`/`exclude` are fnmatch patterns (or lists of them)."""
    import fnmatch

    names = {k for k, fn in BUILTIN_MODELS.items()
             if module is None or fn.__module__.startswith(module.__name__)}
    if include:
        patterns = [include] if isinstance(include, str) else include
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else exclude
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)}
    return sorted(names)


def get_model_builder(name):
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """The model `name` built with `config` (weights=..., num_classes=...)."""
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum of the builder `name` (or of the builder itself)."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    return fn.weights_enum


def get_weight(name):
    """The weights named "<Enum>.<MEMBER>", e.g. "ResNet50_Weights.IMAGENET1K_V2"."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    package = sys.modules[__package__]
    enum_cls = getattr(package, enum_name, None)
    if not (isinstance(enum_cls, type) and issubclass(enum_cls, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                         "retrieved.")
    return enum_cls[value_name]
