"""Binomial(total_count, probs=... or logits=...): successes in total_count Bernoulli trials."""
from .._creation import arange
from .._tensor import Size
from ..autograd import no_grad
from ..nn.functional import softplus
from ..ops import binomial
from ..ops.gamma import lgamma
from . import constraints
from .utils import with_members_of
from ._probs_logits import BinaryProbsLogits
from .distribution import Distribution

__all__ = ["Binomial"]


@with_members_of(BinaryProbsLogits)
class Binomial(Distribution):
    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        (count,) = self._init_probs_or_logits(probs, logits, total_count)
        self.total_count = count.type_as(self._param)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_or_logits(batch_shape, _instance, "total_count")

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        # log C(n, k) + k log p + (n - k) log(1 - p), with log p = logits - softplus(logits)
        # and log(1 - p) = -softplus(logits)
        log_choose = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        return log_choose + value * logits - n * softplus(logits)

    def _homogeneous_count(self, method):
        count = int(self.total_count.max())
        if not bool(self.total_count.min() == count):
            raise NotImplementedError(
                f"Inhomogeneous total count not supported by `{method}`.")
        return count

    def entropy(self):
        self._homogeneous_count("entropy")
        log_pmf = self.log_prob(self.enumerate_support(False))
        return -(log_pmf.exp() * log_pmf).sum(0)

    def enumerate_support(self, expand=True):
        count = self._homogeneous_count("enumerate_support")
        values = arange(1 + count, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
