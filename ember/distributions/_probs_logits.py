"""The probs-or-logits parametrization the Bernoulli-like distributions share (one of the two is
given, the other computed from it on first use), and the probs/logits views of the distributions
built on a Categorical or on a relaxed base distribution."""
from .categorical import Categorical
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["BinaryProbsLogits", "CategoricalProbsLogits", "RelaxedProbsLogits"]


class BinaryProbsLogits:
    """probs in [0, 1] or logits (log-odds), elementwise; _param is the one given."""

    def _init_probs_or_logits(self, probs, logits, *leading):
        """Keeps probs or logits (exactly one of them given), broadcast with `leading` (other
        parameters, e.g. total_count), as _param; returns the broadcast leading values."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        *leading, param = broadcast_all(*leading, logits if probs is None else probs)
        self.__dict__["logits" if probs is None else "probs"] = self._param = param
        return leading

    def _expand_probs_or_logits(self, batch_shape, _instance, *leading):
        """expand() for these distributions; `leading` names the other elementwise parameters."""
        new = self._expanded(batch_shape, _instance,
                             tuple((name, 0) for name in (*leading, "probs", "logits")))
        new._param = new.probs if "probs" in self.__dict__ else new.logits
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()


class CategoricalProbsLogits:
    """probs, logits and param_shape of the Categorical (self._categorical) a distribution is
    built on."""

    def _init_categorical(self, probs, logits, validate_args):
        """__init__: the Categorical of these probs or logits; its last dim is the event."""
        self._categorical = Categorical(probs, logits)
        Distribution.__init__(self, self._categorical.batch_shape,
                              self._categorical.param_shape[-1:], validate_args=validate_args)

    def _expand_categorical(self, batch_shape, _instance, *kept):
        """expand(): the Categorical expanded, the attributes named in `kept` shared."""
        new = _instance if _instance is not None else type(self).__new__(type(self))
        for name in kept:
            setattr(new, name, getattr(self, name))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape


class RelaxedProbsLogits:
    """temperature, probs and logits of a relaxed distribution's base distribution."""

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
