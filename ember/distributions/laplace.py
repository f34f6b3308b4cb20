"""Laplace(loc, scale): the double exponential, reparameterized through its inverse CDF."""
import math

from .._finfo import finfo
from .._random import rand
from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import LocIsMeanAndMode, with_members_of

__all__ = ["Laplace"]


@with_members_of(LocIsMeanAndMode)
class Laplace(Distribution):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self._init_broadcast(validate_args, loc=loc, scale=scale)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _instance, (("loc", 0), ("scale", 0)))

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=Size()):
        # u uniform on (-1, 1): its lower end is raised by eps so that log1p(-|u|) stays finite
        u = rand(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype,
                 device=self.loc.device)
        u = (2 * u - 1).clamp(min=finfo(self.loc.dtype).eps - 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * (-z.abs() / self.scale).expm1()

    def icdf(self, value):
        centred = value - 0.5
        return self.loc - self.scale * centred.sign() * (-2 * centred.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
