"""Helpers the distributions share: parameters broadcast to one shape, probabilities and logits
converted into each other, parameters computed on first use, sums over the rightmost dims."""
import numbers

from .. import _dtype
from .._finfo import finfo
from .._random import randn
from .._tensor import Tensor
from ..ops import broadcast_tensors, clamp, log, log1p, sigmoid, softmax
from .._creation import tensor as _tensor

__all__ = ["broadcast_all", "lazy_property", "logits_to_probs", "probs_to_logits", "clamp_probs"]


def broadcast_all(*values):
    """Tensors and Python numbers as tensors of one broadcast shape; numbers take the dtype and
    device of the first tensor among them, else the default dtype."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    ref = next((v for v in values if isinstance(v, Tensor)), None)
    if ref is None:
        dt = _dtype.get_default_dtype()
        return tuple(_tensor(float(v), dtype=dt) for v in values)
    as_tensors = [v if isinstance(v, Tensor) else
                  _tensor(v, dtype=ref.dtype, device=ref.device) for v in values]
    return broadcast_tensors(*as_tensors)


class lazy_property:
    """A parameter computed from another on first use and then kept in the instance's __dict__
    (where the distribution's repr finds it, as torch's does)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value


def with_members_of(template):
    """Class decorator: the template class's methods and properties, copied into the decorated
    class where it does not define them itself (dunder names, the class's bookkeeping, left out).
    Distributions share code this way rather than through a mixin base, which would show in their
    __mro__ (kept as torch's)."""
    def install(cls):
        for name, member in vars(template).items():
            is_dunder = name.startswith("__") and name.endswith("__")
            if not is_dunder and name not in vars(cls):
                setattr(cls, name, member)
        return cls
    return install


class LocIsMeanAndMode:
    """mean and mode of the distributions symmetric and unimodal about loc (Normal, Laplace,
    VonMises, the multivariate normals), for with_members_of."""

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


def clamp_probs(probs):
    """probs kept eps away from 0 and 1, so that their logarithms stay finite."""
    eps = finfo(probs.dtype).eps
    return clamp(probs, min=eps, max=1.0 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-odds (is_binary) or log-probabilities of probabilities clamped away from 0 and 1."""
    p = clamp_probs(probs)
    return log(p) - log1p(-p) if is_binary else log(p)


def logits_to_probs(logits, is_binary=False):
    """sigmoid of log-odds (is_binary), else softmax over the last dim."""
    return sigmoid(logits) if is_binary else softmax(logits, dim=-1)


def _sum_rightmost(value, dim):
    """value summed over its `dim` rightmost dims."""
    return value.reshape(value.shape[:value.ndim - dim] + (-1,)).sum(-1) if dim > 0 else value


def _standard_normal_like(shape, ref):
    """N(0, 1) noise of `shape` in ref's dtype and device, drawn from the default generator."""
    return randn(tuple(shape), dtype=ref.dtype, device=ref.device)
