"""VonMises(loc, concentration): the circular normal distribution of an angle (loc and values are
read modulo 2 pi); mean and variance are the circular ones. Sampled by Best and Fisher's (1979)
rejection method, in double precision whatever the parameters' dtype (single precision can loop
for ever at small concentrations)."""
import math

from .._dtype import bool as _bool, float64
from .._random import rand
from .._creation import zeros
from .._tensor import Size
from ..autograd import no_grad
from ..ops import cos, log, where
from ..ops.bessel import i0e, i1e
from . import constraints
from .distribution import Distribution
from .utils import LocIsMeanAndMode, lazy_property, with_members_of

__all__ = ["VonMises"]

_LOG_2PI = math.log(2 * math.pi)


def _log_i0(x):
    """log I_0(x) for x > 0, from the exponentially scaled Bessel function (no overflow)."""
    return log(i0e(x)) + x


@with_members_of(LocIsMeanAndMode)
class VonMises(Distribution):
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self._init_broadcast(validate_args, loc=loc, concentration=concentration)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _instance, (("loc", 0), ("concentration", 0)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        return k * cos(value - self.loc) - _LOG_2PI - _log_i0(k)

    @lazy_property
    def variance(self):
        """1 - I_1(k) / I_0(k): one minus the mean resultant length."""
        k = self.concentration
        return 1 - i1e(k) / i0e(k)

    @lazy_property
    def _proposal_r(self):
        """The wrapped-Cauchy envelope's r of Best and Fisher (its Taylor form near k = 0)."""
        k = self.concentration.to(float64)
        tau = 1 + (1 + 4 * k ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * k)
        return where(k < 1e-5, 1 / k + k, (1 + rho ** 2) / (2 * rho))

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            loc = self.loc.to(float64)
            k = self.concentration.to(float64)
            r = self._proposal_r
            x = zeros(shape, dtype=float64, device=loc.device)
            done = zeros(shape, dtype=_bool, device=loc.device)
            while not bool(done.all()):
                u1, u2, u3 = rand((3,) + shape, dtype=float64, device=loc.device).unbind()
                f = (1 + r * cos(math.pi * u1)) / (r + cos(math.pi * u1))
                c = k * (r - f)
                accept = ((c * (2 - c) - u2) > 0) | (log(c / u2) + 1 - c >= 0)
                x = where(accept, (u3 - 0.5).sign() * f.acos(), x)
                done = done | accept
            return ((x + math.pi + loc) % (2 * math.pi) - math.pi).to(self.loc.dtype)
