"""Wishart(df, covariance_matrix= | precision_matrix= | scale_tril=): the distribution of
sum_i x_i x_i^T over df Gaussian vectors of the given covariance (for integer df); sampled with
Bartlett's decomposition, reparameterized through its chi-square (Gamma) diagonal."""
import math
import numbers
import warnings

from .._creation import arange, eye, full_like, tensor
from .._finfo import finfo
from .._tensor import Size
from .._random import randn
from ..linalg import cholesky, slogdet
from ..ops import broadcast_shapes, cholesky_solve, diag_embed, matmul, mvlgamma, tril, where
from ..ops.gamma import digamma
from . import constraints
from ._scale_tril import ScaleTrilMatrices
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .utils import lazy_property, with_members_of
from .._warnings import user_stacklevel

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x, p):
    """The multivariate digamma: sum_{i < p} digamma(x - i/2)."""
    halves = arange(p, dtype=x.dtype, device=x.device) / 2
    return digamma(x.unsqueeze(-1) - halves).sum(-1)


@with_members_of(ScaleTrilMatrices)
class Wishart(ExponentialFamily):
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self._event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if (covariance_matrix is not None) + (scale_tril is not None) + (
                precision_matrix is not None) != 1:
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or "
                                 "scale_tril may be specified.")
        param = next(p for p in (covariance_matrix, precision_matrix, scale_tril)
                     if p is not None)
        if param.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if isinstance(df, numbers.Number):
            batch_shape = Size(param.shape[:-2])
            self.df = tensor(df, dtype=param.dtype, device=param.device)
        else:
            batch_shape = broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape))
            self.df = df.expand(tuple(batch_shape))
        event_shape = Size(param.shape[-2:])
        p = event_shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        name = ("scale_tril" if scale_tril is not None else
                "covariance_matrix" if covariance_matrix is not None else "precision_matrix")
        setattr(self, name, param.expand(tuple(batch_shape) + (-1, -1)))
        if bool((self.df < p).any()):
            warnings.warn("Low df values detected. Singular samples are highly likely to occur "
                          "for ndim - 1 < df < ndim.", stacklevel=user_stacklevel())
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = _instance if _instance is not None else Wishart.__new__(Wishart)
        matrix_shape = tuple(batch_shape) + tuple(self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(matrix_shape)
        new.df = self.df.expand(tuple(batch_shape))
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name].expand(matrix_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def precision_matrix(self):
        low = self._unbroadcasted_scale_tril
        identity = eye(self._event_shape[-1], dtype=low.dtype, device=low.device)
        return cholesky_solve(identity, low).expand(self._matrix_shape())

    def _df_as_matrix(self):
        return self.df.reshape(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self):
        return self._df_as_matrix() * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self._event_shape[-1] - 1
        factor = where(factor <= 0, math.nan, factor)
        return factor.reshape(tuple(self._batch_shape) + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        v = self.covariance_matrix
        d = v.diagonal(dim1=-2, dim2=-1)
        return self._df_as_matrix() * (v.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett_sample(self, sample_shape):
        """(L A)(L A)^T with A lower triangular: sqrt(chi2(df - i)) on the diagonal, N(0, 1)
        below it."""
        p = self._event_shape[-1]
        low = self._unbroadcasted_scale_tril
        dfs = self.df.unsqueeze(-1) - arange(p, dtype=low.dtype, device=low.device)
        chi2 = Gamma(0.5 * dfs, full_like(dfs, 0.5), validate_args=False)
        diagonal = chi2.rsample(sample_shape).sqrt().clamp(min=finfo(low.dtype).eps)
        below = tril(randn(tuple(sample_shape) + self._matrix_shape(), dtype=low.dtype,
                           device=low.device), -1)
        factor = matmul(low, diag_embed(diagonal) + below)
        return matmul(factor, factor.transpose(-2, -1))

    def rsample(self, sample_shape=Size(), max_try_correction=10):
        sample_shape = Size(sample_shape)
        sample = self._bartlett_sample(sample_shape)
        singular = ~self.support.check(sample)
        if bool(singular.any()):
            warnings.warn("Singular sample detected.", stacklevel=user_stacklevel())
            for _ in range(max_try_correction):
                fresh = self._bartlett_sample(sample_shape)
                sample = where(singular.reshape(tuple(singular.shape) + (1, 1)), fresh, sample)
                singular = ~self.support.check(sample)
                if not bool(singular.any()):
                    break
        return sample

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        low = self._unbroadcasted_scale_tril
        log_det_scale = low.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        trace = cholesky_solve(value, low).diagonal(dim1=-2, dim2=-1).sum(-1)
        return (-nu * (p * _LOG_2 / 2 + log_det_scale) - mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        log_det_scale = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return ((p + 1) * (p * _LOG_2 / 2 + log_det_scale) + mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p) + nu * p / 2)

    @property
    def _natural_params(self):
        return -self.precision_matrix / 2, (self.df - self._event_shape[-1] - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        shifted = y + (p + 1) / 2
        return shifted * (p * _LOG_2 - slogdet(-2 * x).logabsdet) + mvlgamma(shifted, p=p)


def _precision_to_scale_tril(precision):
    """Lower Cholesky factor of precision^-1, from the Cholesky factor of the flipped precision
    (no explicit inverse)."""
    from ..linalg import solve_triangular
    flipped = cholesky(precision.flip((-2, -1)))
    lower = flipped.flip((-2, -1)).transpose(-2, -1)
    identity = eye(precision.shape[-1], dtype=precision.dtype, device=precision.device)
    return solve_triangular(lower, identity, upper=False)
