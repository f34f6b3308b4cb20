"""Multinomial(total_count, probs=... or logits=...): the counts of each of K outcomes in
total_count independent Categorical draws."""
import math

from .._creation import arange
from .._tensor import Size
from ..autograd import no_grad
from ..nn.functional import one_hot
from ..ops import broadcast_tensors, log, log1p, where
from ..ops.gamma import lgamma
from . import constraints
from ._probs_logits import CategoricalProbsLogits
from .distribution import Distribution
from .utils import clamp_probs, with_members_of

__all__ = ["Multinomial"]


@with_members_of(CategoricalProbsLogits)
class Multinomial(Distribution):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._init_categorical(probs, logits, validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_categorical(batch_shape, _instance, "total_count")

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        sample_shape = Size(sample_shape)
        with no_grad():
            draws = self._categorical.sample(Size((self.total_count,)) + sample_shape)
            counts = one_hot(draws, self._categorical._num_events).sum(0)
        return counts.to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_tensors(self.logits, value)
        # an impossible outcome (logit -inf) seen zero times contributes 0, not 0 * -inf
        logits = where((value == 0) & (logits == -math.inf), 0.0, logits)
        return (lgamma(value.sum(-1) + 1) - lgamma(value + 1).sum(-1)
                + (logits * value).sum(-1))

    def entropy(self):
        # n H(categorical) - log n! + sum_k E[log x_k!], each x_k ~ Binomial(n, p_k)
        n = self.total_count
        probs = clamp_probs(self.probs)
        counts = arange(1, n + 1, dtype=probs.dtype, device=probs.device)
        counts = counts.reshape((n,) + (1,) * probs.ndim)
        log_pmf = (math.lgamma(n + 1) - lgamma(counts + 1) - lgamma(n - counts + 1)
                   + counts * log(probs) + (n - counts) * log1p(-probs))
        expected_log_factorials = (log_pmf.exp() * lgamma(counts + 1)).sum(0).sum(-1)
        return n * self._categorical.entropy() - math.lgamma(n + 1) + expected_log_factorials
