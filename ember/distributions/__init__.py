"""ember.distributions: torch.distributions' probability distributions (sampling, reparameterized
sampling, log densities, entropies, moments and KL divergences)."""
from . import constraints, kl
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .cauchy import Cauchy
from .distribution import Distribution
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Cauchy", "Distribution", "Gamma", "Independent",
           "MultivariateNormal", "Normal", "Uniform", "constraints", "kl", "kl_divergence",
           "register_kl"]
