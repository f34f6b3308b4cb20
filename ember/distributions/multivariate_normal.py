"""MultivariateNormal(loc, covariance_matrix= | precision_matrix= | scale_tril=): the Gaussian of
a vector, kept as its Cholesky factor L (covariance L L^T), reparameterized as loc + L eps."""
import math

from .._tensor import Size
from ..linalg import cholesky, inv, solve
from ..ops import broadcast_shapes, cholesky_inverse, matmul, tril
from . import constraints
from ._scale_tril import ScaleTrilMatrices
from .distribution import Distribution
from .utils import LocIsMeanAndMode, _standard_normal_like, lazy_property, with_members_of

__all__ = ["MultivariateNormal"]

_LOG_2PI = math.log(2 * math.pi)


def _half_log_det(scale_tril):
    return scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _solve_lower(scale_tril, rhs):
    """L^-1 rhs for lower-triangular L (batch dims broadcast). tril() leaves L's values alone and
    keeps the gradient to L's lower triangle, as a triangular solve's is."""
    return solve(tril(scale_tril), rhs)


def _mahalanobis(scale_tril, diff):
    """|L^-1 diff|^2 over the last dim, batch dims of L and diff broadcast."""
    shape = broadcast_shapes(tuple(scale_tril.shape[:-2]), tuple(diff.shape[:-1]))
    n = diff.shape[-1]
    lower = scale_tril.expand(tuple(shape) + (n, n))
    z = _solve_lower(lower, diff.expand(tuple(shape) + (n,)).unsqueeze(-1)).squeeze(-1)
    return z.pow(2).sum(-1)


@with_members_of(LocIsMeanAndMode)
@with_members_of(ScaleTrilMatrices)
class MultivariateNormal(Distribution):
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (
                precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, matrix = next((n, m) for n, m in (("scale_tril", scale_tril),
                                                 ("covariance_matrix", covariance_matrix),
                                                 ("precision_matrix", precision_matrix))
                            if m is not None)
        if matrix.dim() < 2:
            kind = "scale_tril matrix" if name == "scale_tril" else name.replace("_", " ")
            raise ValueError(f"{kind} must be at least two-dimensional, with optional leading "
                             "batch dimensions")
        batch_shape = broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        setattr(self, name, matrix.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = scale_tril
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(inv(precision_matrix))

    def expand(self, batch_shape, _instance=None):
        new = _instance if _instance is not None else MultivariateNormal.__new__(
            MultivariateNormal)
        batch = tuple(batch_shape)
        n = self._event_shape[0]
        new.loc = self.loc.expand(batch + (n,))
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name].expand(batch + (n, n))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def precision_matrix(self):
        # from the factor, as torch does: its grad_fn is torch's and no covariance is formed
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._matrix_shape())

    @property
    def variance(self):
        shape = tuple(self._batch_shape) + tuple(self._event_shape)
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(shape)

    def rsample(self, sample_shape=Size()):
        eps = _standard_normal_like(self._extended_shape(sample_shape), self.loc)
        return self.loc + matmul(self._unbroadcasted_scale_tril, eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        low = self._unbroadcasted_scale_tril
        m = _mahalanobis(low, value - self.loc)
        return -0.5 * (self._event_shape[0] * _LOG_2PI + m) - _half_log_det(low)

    def entropy(self):
        n = self._event_shape[0]
        h = 0.5 * n * (1.0 + _LOG_2PI) + _half_log_det(self._unbroadcasted_scale_tril)
        return h if len(self._batch_shape) == 0 else h.expand(tuple(self._batch_shape))
