"""ExponentialFamily: the base of distributions whose density is
exp(<t(x), theta> - F(theta) + k(x)) for natural parameters theta, log normalizer F and carrier
measure k. Knowing theta and F gives the entropy as a Bregman divergence of F:
H = F(theta) - <theta, grad F(theta)> - E[k(x)] (Nielsen and Nock, "Entropies and
cross-entropies of exponential families"), with grad F taken by autograd."""
from ..autograd import grad
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    @property
    def _natural_params(self):
        """The natural parameters theta, a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """F(theta), of the batch shape."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        """E[k(x)] under this distribution."""
        raise NotImplementedError

    def _log_normalizer_and_grads(self):
        """F at fresh leaves holding theta, and grad F there (itself differentiable)."""
        thetas = [t.detach().requires_grad_() for t in self._natural_params]
        log_norm = self._log_normalizer(*thetas)
        return thetas, log_norm, grad(log_norm.sum(), thetas, create_graph=True)

    def entropy(self):
        result = -self._mean_carrier_measure
        thetas, log_norm, grads = self._log_normalizer_and_grads()
        result = result + log_norm
        for theta, g in zip(thetas, grads):
            result = result - (theta * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
