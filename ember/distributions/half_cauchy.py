"""HalfCauchy(scale): |X| for X ~ Cauchy(0, scale); its mean and variance are infinite."""
import math

from .._creation import full_like
from . import constraints
from ._folded import FoldedAtZero
from .cauchy import Cauchy
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform
from .utils import with_members_of

__all__ = ["HalfCauchy"]


@with_members_of(FoldedAtZero)
class HalfCauchy(TransformedDistribution):
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(),
                         validate_args=validate_args)

    @property
    def mean(self):
        return full_like(self.scale, math.inf)

    @property
    def variance(self):
        return full_like(self.scale, math.inf)
