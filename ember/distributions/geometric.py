"""Geometric(probs=... or logits=...): failures before the first success of Bernoulli(probs)
trials, on {0, 1, 2, ...}."""
from .._creation import zeros_like
from .._finfo import finfo
from .._random import rand
from .._tensor import Size
from ..autograd import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from ..ops.special import xlog1py
from . import constraints
from ._probs_logits import BinaryProbsLogits
from .distribution import Distribution
from .utils import broadcast_all, with_members_of

__all__ = ["Geometric"]


@with_members_of(BinaryProbsLogits)
class Geometric(Distribution):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._init_probs_or_logits(probs, logits)
        param = self._param
        super().__init__(param.size(), validate_args=validate_args)
        # probs 0 lies in the unit interval but gives no distribution: torch checks it apart
        if self._validate_args and probs is not None and not bool((param > 0).all()):
            raise ValueError(
                f"Expected parameter probs ({type(param).__name__} of shape "
                f"{tuple(param.shape)}) of distribution {self!r} to be positive but found "
                f"invalid values:\n{param[~(param > 0)]}")

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_or_logits(batch_shape, _instance)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=Size()):
        probs = self.probs
        with no_grad():
            u = rand(tuple(self._extended_shape(sample_shape)), dtype=probs.dtype,
                     device=probs.device).clamp(min=finfo(probs.dtype).tiny)
            return (u.log() / (-probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # value * log(1 - p), taken as 0 at value 0 even where p is 1
        return xlog1py(value, -probs) + probs.log()

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs,
                                                reduction="none") / self.probs
