"""ember.special: torch.special's functions, each a binding to the op that defines it (ember/ops)."""
from .ops.activation import log_softmax as _log_softmax
from .ops.activation import softmax as _softmax
from .ops.bessel import i0, i0e, i1, i1e
from .ops.gamma import digamma, polygamma
from .ops.gamma import mvlgamma as _mvlgamma
from .ops.gamma import special_zeta as zeta
from .ops.gamma import lgamma as gammaln
from .ops.normal_cdf import erfcx, log_ndtr, ndtr, ndtri
from .ops.reduce import logsumexp
from .ops.special import entr, erf, erfc, erfinv, logit, sinc, xlog1py
from .ops.special import special_xlogy as xlogy
from .ops.unary import exp2, expm1, log1p, round
from .ops.unary import sigmoid as expit

psi = digamma

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
           "softmax", "xlog1py", "xlogy", "zeta"]


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p (torch.mvlgamma)."""
    return _mvlgamma(input, p, out=out)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)

# Last: the functions above hand a foreign tensor-like argument to its class when they fail on it
# (NOTE [ Dispatch on failure ] in ember/_foreign.py).
from ._foreign import dispatch_on_failure as _dispatch_on_failure  # noqa: E402
_dispatch_on_failure(globals(), __name__, __all__)
