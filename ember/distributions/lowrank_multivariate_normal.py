"""LowRankMultivariateNormal(loc, cov_factor, cov_diag): the Gaussian whose covariance is
W W^T + diag(D) for an n x m factor W, worked with through the m x m capacitance matrix
C = I + W^T D^-1 W (Woodbury and the matrix determinant lemma) instead of the n x n covariance."""
import math

from .._creation import eye
from .._tensor import Size
from ..linalg import cholesky, solve_triangular
from ..ops import broadcast_tensors, diag_embed, matmul
from . import constraints
from .distribution import Distribution
from .utils import LocIsMeanAndMode, _standard_normal_like, lazy_property, with_members_of

__all__ = ["LowRankMultivariateNormal"]

_LOG_2PI = math.log(2 * math.pi)


def _capacitance_tril(factor, diag):
    """Cholesky factor of I + W^T D^-1 W."""
    m = factor.shape[-1]
    wt_dinv = factor.transpose(-1, -2) / diag.unsqueeze(-2)
    capacitance = matmul(wt_dinv, factor) + eye(m, dtype=factor.dtype, device=factor.device)
    return cholesky(capacitance)


def _lowrank_logdet(diag, capacitance_tril):
    """log det(W W^T + D) = log det C + log det D."""
    return (2 * capacitance_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
            + diag.log().sum(-1))


def _lowrank_mahalanobis(factor, diag, x, capacitance_tril):
    """x^T (W W^T + D)^-1 x = x^T D^-1 x - |L_C^-1 W^T D^-1 x|^2 over the last dim."""
    wt_dinv_x = matmul(factor.transpose(-1, -2), (x / diag).unsqueeze(-1))
    shape = broadcast_tensors(capacitance_tril[..., :1], wt_dinv_x)[0].shape[:-1]
    m = capacitance_tril.shape[-1]
    z = solve_triangular(capacitance_tril.expand(tuple(shape) + (m,)),
                         wt_dinv_x.expand(tuple(shape) + (1,)), upper=False)
    return (x.pow(2) / diag).sum(-1) - z.pow(2).sum((-2, -1))


@with_members_of(LocIsMeanAndMode)
class LowRankMultivariateNormal(Distribution):
    arg_constraints = {"loc": constraints.real_vector,
                       "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = tuple(loc.shape[-1:])
        if cov_factor.dim() < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if tuple(cov_factor.shape[-2:-1]) != event_shape:
            raise ValueError(f"cov_factor must be a batch of matrices with shape "
                             f"{event_shape[0]} x m")
        if tuple(cov_diag.shape[-1:]) != event_shape:
            raise ValueError(f"cov_diag must be a batch of vectors with shape "
                             f"{Size(event_shape)}")
        try:
            loc_, self.cov_factor, diag_ = broadcast_tensors(
                loc.unsqueeze(-1), cov_factor, cov_diag.unsqueeze(-1))
        except RuntimeError as e:
            raise ValueError(f"Incompatible batch shapes: loc {loc.shape}, cov_factor "
                             f"{cov_factor.shape}, cov_diag {cov_diag.shape}") from e
        self.loc = loc_[..., 0]
        self.cov_diag = diag_[..., 0]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(self.loc.shape[:-1], event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _instance if _instance is not None else LowRankMultivariateNormal.__new__(
            LowRankMultivariateNormal)
        loc_shape = tuple(batch_shape) + tuple(self._event_shape)
        new.loc = self.loc.expand(loc_shape)
        new.cov_diag = self.cov_diag.expand(loc_shape)
        new.cov_factor = self.cov_factor.expand(loc_shape + tuple(self.cov_factor.shape[-1:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        n = self._event_shape[0]
        return tuple(self._batch_shape) + (n, n)

    @lazy_property
    def variance(self):
        return (self._unbroadcasted_cov_factor.pow(2).sum(-1)
                + self._unbroadcasted_cov_diag).expand(self._extended_shape())

    @lazy_property
    def scale_tril(self):
        # W W^T + D = D^1/2 (I + K) D^1/2 with K = D^-1/2 W W^T D^-1/2
        n = self._event_shape[0]
        sqrt_diag = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = self._unbroadcasted_cov_factor / sqrt_diag
        k = matmul(scaled, scaled.transpose(-1, -2)) + eye(n, dtype=scaled.dtype,
                                                            device=scaled.device)
        return (sqrt_diag * cholesky(k)).expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        factor = self._unbroadcasted_cov_factor
        return (matmul(factor, factor.transpose(-1, -2))
                + diag_embed(self._unbroadcasted_cov_diag)).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        # Woodbury: D^-1 - A^T A with A = L_C^-1 W^T D^-1
        diag = self._unbroadcasted_cov_diag
        wt_dinv = self._unbroadcasted_cov_factor.transpose(-1, -2) / diag.unsqueeze(-2)
        a = solve_triangular(self._capacitance_tril, wt_dinv, upper=False)
        return (diag_embed(diag.reciprocal()) - matmul(a.transpose(-1, -2), a)).expand(
            self._matrix_shape())

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        eps_w = _standard_normal_like(shape[:-1] + tuple(self.cov_factor.shape[-1:]), self.loc)
        eps_d = _standard_normal_like(shape, self.loc)
        return (self.loc + matmul(self._unbroadcasted_cov_factor, eps_w.unsqueeze(-1)).squeeze(-1)
                + self._unbroadcasted_cov_diag.sqrt() * eps_d)

    def _log_det(self):
        return _lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        m = _lowrank_mahalanobis(self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag,
                                 value - self.loc, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * _LOG_2PI + self._log_det() + m)

    def entropy(self):
        h = 0.5 * (self._event_shape[0] * (1.0 + _LOG_2PI) + self._log_det())
        return h if len(self._batch_shape) == 0 else h.expand(tuple(self._batch_shape))
