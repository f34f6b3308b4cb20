"""What HalfNormal and HalfCauchy share: |X| for X of a distribution symmetric about 0
(self.base_dist, under an AbsTransform), whose scale is X's."""
import math

from .._creation import zeros_like
from ..ops import where

__all__ = ["FoldedAtZero"]


class FoldedAtZero:
    """Members for with_members_of (the classes keep torch's hierarchy)."""

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return zeros_like(self.scale)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # both preimages +-value have the same density: twice the base's, zero below 0
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
