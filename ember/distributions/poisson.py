"""Poisson(rate): counts with mean rate. Its entropy has no closed form (as in torch, the
exponential-family entropy is not available: its carrier measure's mean is not implemented)."""

from .._tensor import Size
from ..autograd import no_grad
from ..ops import poisson, xlogy
from ..ops.gamma import lgamma
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        self._init_broadcast(validate_args, rate=rate)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _instance, (("rate", 0),))

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        with no_grad():
            return poisson(self.rate.expand(tuple(self._extended_shape(sample_shape))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return x.exp()
