"""Dirichlet(concentration) on the simplex of the last dim: samples are Gamma draws normalized
to sum 1, reparameterized through the Gamma samples' implicit gradients (the pathwise derivative
of g / sum(g); torch differentiates the Dirichlet sample implicitly as a whole: both are unbiased
gradients of an expectation, their single-sample values differ)."""
from .._tensor import Size
from ..nn.functional import one_hot
from ..ops import where, xlogy
from ..ops.gamma import digamma, lgamma
from ..ops.gamma_sampling import standard_gamma
from . import constraints
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.size()
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _instance, (("concentration", 1),))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        c = self.concentration
        above = (c - 1).clamp(min=0.0)
        mode = above / above.sum(-1, True)
        # all concentrations below 1: the density peaks at a vertex (the first, as torch's
        # argmax of the all-NaN interior mode picks)
        vertex = one_hot(mode.argmax(-1), c.shape[-1]).to(mode.dtype)
        return where((c < 1).all(-1, keepdim=True), vertex, mode)

    @property
    def variance(self):
        c = self.concentration
        total = c.sum(-1, True)
        return c * (total - c) / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        draws = standard_gamma(self.concentration.expand(shape))
        return draws / draws.sum(-1, True)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return xlogy(c - 1.0, value).sum(-1) + lgamma(c.sum(-1)) - lgamma(c).sum(-1)

    def entropy(self):
        c = self.concentration
        k = c.size(-1)
        total = c.sum(-1)
        return (lgamma(c).sum(-1) - lgamma(total) - (k - total) * digamma(total)
                - ((c - 1.0) * digamma(c)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))
