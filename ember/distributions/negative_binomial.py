"""NegativeBinomial(total_count, probs=... or logits=...): the number of successes (each of
probability probs) before total_count failures; sampled as Poisson(Gamma(total_count, odds))."""
from .._tensor import Size
from ..autograd import no_grad
from ..nn.functional import logsigmoid
from ..ops import poisson, sigmoid
from ..ops.gamma import lgamma
from . import constraints
from ._probs_logits import BinaryProbsLogits
from .distribution import Distribution
from .gamma import Gamma
from .utils import lazy_property, with_members_of

__all__ = ["NegativeBinomial"]


@with_members_of(BinaryProbsLogits)
class NegativeBinomial(Distribution):
    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        (count,) = self._init_probs_or_logits(probs, logits, total_count)
        self.total_count = count.to(self._param.dtype)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_or_logits(batch_shape, _instance, "total_count")

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        return Gamma(self.total_count, (-self.logits).exp(), validate_args=False)

    def sample(self, sample_shape=Size()):
        with no_grad():
            return poisson(self._gamma.sample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_unnormalized = n * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        log_normalization = -lgamma(n + value) + lgamma(1.0 + value) + lgamma(n)
        # total_count 0 with value 0 has probability 1, though lgamma(0) is infinite
        log_normalization = log_normalization.masked_fill(n + value == 0.0, 0.0)
        return log_unnormalized - log_normalization
