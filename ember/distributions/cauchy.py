"""Cauchy(loc, scale): the Lorentz distribution, reparameterized as loc + scale * tan(pi (u - 1/2))
for u uniform on [0, 1). Its mean and variance do not exist (NaN and inf, as in torch)."""
import math

from .._creation import full
from .._random import rand
from .._tensor import Size
from ..ops import atan, tan
from . import constraints
from .distribution import Distribution

__all__ = ["Cauchy"]


class Cauchy(Distribution):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self._init_broadcast(validate_args, loc=loc, scale=scale)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _instance, (("loc", 0), ("scale", 0)))

    def _filled(self, value):
        return full(tuple(self._extended_shape()), value, dtype=self.loc.dtype,
                    device=self.loc.device)

    @property
    def mean(self):
        return self._filled(math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._filled(math.inf)

    def rsample(self, sample_shape=Size()):
        u = rand(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype,
                 device=self.loc.device)
        return self.loc + self.scale * tan(math.pi * (u - 0.5))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - z.pow(2).log1p()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
