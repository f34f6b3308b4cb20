"""Beta(concentration1, concentration0) on [0, 1]: samples are X / (X + Y) of two Gamma samples,
reparameterized through them.

torch samples Beta as a two-component Dirichlet and differentiates the Beta CDF implicitly; here
the gradient is the pathwise derivative of X / (X + Y) through the two Gamma samples' implicit
gradients. Both are unbiased gradients of an expectation; for one sample their values differ."""
import numbers

from .._tensor import Size
from ..ops import clamp, stack, where, xlogy
from ..ops.gamma import digamma, lgamma
from ..ops.gamma_sampling import standard_gamma
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Beta"]


class Beta(ExponentialFamily):
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        both_numbers = (isinstance(concentration1, numbers.Number)
                        and isinstance(concentration0, numbers.Number))
        c1, c0 = broadcast_all(concentration1, concentration0)
        # Kept as one stacked tensor (not in __dict__ under the parameters' names), as torch's
        # Dirichlet-backed Beta keeps them: its repr shows no parameters.
        self._concentrations = stack([c1, c0], -1)
        super().__init__(Size() if both_numbers else c1.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _instance if _instance is not None else Beta.__new__(Beta)
        new._concentrations = self._concentrations.expand(tuple(batch_shape) + (2,))
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self):
        return self._concentrations[..., 0]

    @property
    def concentration0(self):
        return self._concentrations[..., 1]

    @property
    def mean(self):
        c = self._concentrations
        return c[..., 0] / c.sum(-1)

    @property
    def mode(self):
        # (c1 - 1) / (c1 + c0 - 2) with each c - 1 clamped at 0; where both are below 1 the
        # density peaks at the end of the larger one (as torch's Dirichlet-backed mode)
        c = self._concentrations
        above = clamp(c - 1, min=0.0)
        inner = above[..., 0] / above.sum(-1)
        both_below = (c < 1).all(-1)
        return where(both_below, (c[..., 0] > c[..., 1]).to(c.dtype), inner)

    @property
    def variance(self):
        c = self._concentrations
        total = c.sum(-1)
        return c[..., 0] * c[..., 1] / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape)) + (2,)
        draws = standard_gamma(self._concentrations.expand(shape))
        return draws[..., 0] / draws.sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self._concentrations
        c1, c0 = c[..., 0], c[..., 1]
        return (xlogy(c1 - 1, value) + xlogy(c0 - 1, 1 - value)
                + lgamma(c.sum(-1)) - lgamma(c).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x, y):
        return lgamma(x) + lgamma(y) - lgamma(x + y)

    def entropy(self):
        c = self._concentrations
        total = c.sum(-1)
        return (lgamma(c).sum(-1) - lgamma(total) - (2 - total) * digamma(total)
                - ((c - 1) * digamma(c)).sum(-1))
