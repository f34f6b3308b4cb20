"""LKJCholesky(dim, concentration): the lower Cholesky factor of a random correlation matrix
whose density is proportional to det(C)^(concentration - 1); sampled by the onion method (Lewandowski,
Kurowicka and Joe, 2009) from Beta-distributed squared row norms and uniform directions."""
import math

from .._creation import arange, zeros
from .._finfo import finfo
from .._tensor import Size
from .._random import randn
from ..ops import cat, diag_embed, mvlgamma, where
from ..ops.gamma import lgamma
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        c = self.concentration
        # row i >= 1's squared off-diagonal norm is Beta(i/2, concentration + (dim - 1 - i)/2)
        # (row 0's draw is unused). torch 2.13 takes i - 1/2 for the first concentration, which
        # skews the correlations of rows 2 and up away from the LKJ law for dim >= 3
        offset = arange(dim - 1, dtype=c.dtype, device=c.device)
        offset = cat([zeros(1, dtype=c.dtype, device=c.device), offset])
        marginal = c + 0.5 * (dim - 2)
        self._beta = Beta(0.5 * offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset)
        super().__init__(c.size(), Size((dim, dim)), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _instance if _instance is not None else LKJCholesky.__new__(LKJCholesky)
        new.dim = self.dim
        new.concentration = self.concentration.expand(tuple(batch_shape))
        new._beta = self._beta.expand(tuple(batch_shape) + (self.dim,))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=Size()):
        y = self._beta.sample(sample_shape).unsqueeze(-1)
        normal = randn(tuple(self._extended_shape(sample_shape)), dtype=y.dtype,
                       device=y.device).tril(-1)
        norm = normal.norm(dim=-1, keepdim=True)
        # the first row has no off-diagonal entries: its direction stays zero
        direction = normal / where(norm == 0, 1.0, norm)
        w = y.sqrt() * direction
        diagonal = (1 - w.pow(2).sum(-1)).clamp(min=finfo(w.dtype).tiny).sqrt()
        return w + diag_embed(diagonal)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c, dim = self.concentration, self.dim
        diagonal = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = arange(2, dim + 1, dtype=c.dtype, device=c.device)
        order = 2 * (c - 1).unsqueeze(-1) + dim - order
        unnormalized = (order * diagonal.log()).sum(-1)
        dm1 = dim - 1
        alpha = c + 0.5 * dm1
        normalizer = 0.5 * dm1 * math.log(math.pi) + mvlgamma(alpha - 0.5, dm1) - lgamma(
            alpha) * dm1
        return unnormalized - normalizer
