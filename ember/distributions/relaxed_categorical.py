"""RelaxedOneHotCategorical(temperature, probs=... or logits=...): the Concrete (Gumbel-softmax)
relaxation of a one-hot Categorical on the simplex, and ExpRelaxedCategorical, its logarithm:
log_softmax((logits + Gumbel noise) / temperature)."""
from .._creation import full_like
from .._random import rand
from .._tensor import Size
from ..ops import logsumexp
from ..ops.gamma import lgamma
from . import constraints
from ._probs_logits import CategoricalProbsLogits, RelaxedProbsLogits
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform
from .utils import broadcast_all, clamp_probs, with_members_of

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


@with_members_of(CategoricalProbsLogits)
class ExpRelaxedCategorical(Distribution):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        self._init_categorical(probs, logits, validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_categorical(batch_shape, _instance, "temperature")

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        u = clamp_probs(rand(shape, dtype=self.logits.dtype, device=self.logits.device))
        gumbels = -((-u.log()).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - logsumexp(scores, -1, keepdim=True)

    def log_prob(self, value):
        k = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        t = self.temperature
        # log of the Concrete density's normalizer: (k - 1)! t^(k - 1)
        log_scale = lgamma(full_like(t, float(k))) + (k - 1) * t.log()
        score = logits - value * t
        score = (score - logsumexp(score, -1, keepdim=True)).sum(-1)
        return score + log_scale


@with_members_of(RelaxedProbsLogits)
class RelaxedOneHotCategorical(TransformedDistribution):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

