"""GeneralizedPareto(loc, scale, concentration): the limit law of threshold excesses. Its
support is [loc, inf) for concentration >= 0 and [loc, loc - scale / concentration] below 0;
concentration 0 (to isclose's tolerance) is the shifted exponential, taken apart where the
general formulas divide by it."""
import math

from .._creation import ones_like, zeros_like
from .._random import rand
from .._tensor import Size
from ..ops import broadcast_to, isclose, where
from . import constraints
from .distribution import Distribution

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self._init_broadcast(validate_args, loc=loc, scale=scale, concentration=concentration)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _instance,
                              (("loc", 0), ("scale", 0), ("concentration", 0)))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        upper = where(self.concentration < 0, self.loc - self.scale / self.concentration,
                      math.inf)
        return constraints.interval(self.loc, upper)

    def _zero_and_safe_concentration(self):
        """Where concentration is (close to) 0, and concentration with 1 there (its value in
        the general formulas, whose results are replaced there)."""
        c = self.concentration
        zero = isclose(c, zeros_like(c))
        return zero, where(zero, ones_like(c), c)

    @property
    def mean(self):
        valid = self.concentration < 1
        safe = where(valid, self.concentration, 0.5)
        return where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        valid = self.concentration < 0.5
        safe = where(valid, self.concentration, 0.25)
        return where(valid, self.scale.pow(2) / ((1 - safe).pow(2) * (1 - 2 * safe)), math.nan)

    def rsample(self, sample_shape=Size()):
        u = rand(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype,
                 device=self.loc.device)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        zero, safe = self._zero_and_safe_concentration()
        power = 1 / safe + 1
        # power 0 (concentration -1) makes the density flat: 0 * log(0) at the upper end is 0
        general = where(power == 0, power, power * (safe * z).log1p())
        return -self.scale.log() - where(zero, z, general)

    def log_survival_function(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        zero, safe = self._zero_and_safe_concentration()
        return where(zero, -z, -(safe * z).log1p() / safe)

    def log_cdf(self, value):
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value):
        return self.log_cdf(value).exp()

    def icdf(self, value):
        zero, safe = self._zero_and_safe_concentration()
        log_tail = (-value).log1p()
        general = self.loc + self.scale / safe * (-safe * log_tail).expm1()
        return where(zero, self.loc - self.scale * log_tail, general)

    def entropy(self):
        return broadcast_to(self.scale.log() + self.concentration + 1, tuple(self._batch_shape))
