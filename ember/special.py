"""ember.special: torch.special's functions, each a binding to the op that defines it (ember/ops)."""
from .ops.activation import log_softmax as _log_softmax
from .ops.activation import softmax as _softmax
from .ops.bessel import i0, i0e, i1, i1e
from .ops.gamma import digamma, polygamma
from .ops.gamma import mvlgamma as _mvlgamma
from .ops.gamma import special_zeta as zeta
from .ops.gamma import lgamma as gammaln
from .ops._common import need_tensors as _need_tensors
from .ops.incomplete_gamma import igamma as _igamma
from .ops.incomplete_gamma import igammac as _igammac
from .ops.normal_cdf import erfcx, log_ndtr, ndtr, ndtri
from .ops.reduce import logsumexp
from .ops.special import entr, erf, erfc, erfinv, logit, sinc, xlog1py
from .ops.special import special_xlogy as xlogy
from .ops.special_bessel import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1,
                                 modified_bessel_i0, modified_bessel_i1, modified_bessel_k0,
                                 modified_bessel_k1, scaled_modified_bessel_k0,
                                 scaled_modified_bessel_k1, spherical_bessel_j0)
from .ops.special_polynomials import (chebyshev_polynomial_t, chebyshev_polynomial_u,
                                      chebyshev_polynomial_v, chebyshev_polynomial_w,
                                      hermite_polynomial_h, hermite_polynomial_he,
                                      laguerre_polynomial_l, legendre_polynomial_p,
                                      shifted_chebyshev_polynomial_t,
                                      shifted_chebyshev_polynomial_u,
                                      shifted_chebyshev_polynomial_v,
                                      shifted_chebyshev_polynomial_w)
from .ops.unary import exp2, expm1, log1p, round
from .ops.unary import sigmoid as expit

psi = digamma

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
           "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2",
           "expit", "expm1", "gammainc", "gammaincc", "gammaln", "hermite_polynomial_h",
           "hermite_polynomial_he", "i0", "i0e", "i1", "i1e", "laguerre_polynomial_l",
           "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc", "softmax",
           "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p (torch.mvlgamma)."""
    return _mvlgamma(input, p, out=out)


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function (torch.igamma)."""
    _need_tensors("special_gammainc", input, other)
    return _igamma(input, other, out=out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function (torch.igammac)."""
    _need_tensors("special_gammaincc", input, other)
    return _igammac(input, other, out=out)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)

# Last: the functions above hand a foreign tensor-like argument to its class when they fail on it
# (NOTE [ Dispatch on failure ] in ember/_foreign.py).
from ._foreign import dispatch_on_failure as _dispatch_on_failure  # noqa: E402
_dispatch_on_failure(globals(), __name__, __all__)
