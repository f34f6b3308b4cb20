"""What MultivariateNormal and Wishart share: their scale_tril and covariance_matrix, computed on
first use from the unbroadcasted Cholesky factor and expanded to the batch shape."""
from ..ops import matmul
from .utils import lazy_property

__all__ = ["ScaleTrilMatrices"]


class ScaleTrilMatrices:
    """Members for with_members_of (the classes keep torch's hierarchy); the class keeps its
    lower-triangular factor, unbroadcasted, as _unbroadcasted_scale_tril."""

    def _matrix_shape(self):
        n = self._event_shape[-1]
        return tuple(self._batch_shape) + (n, n)

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        low = self._unbroadcasted_scale_tril
        return matmul(low, low.transpose(-1, -2)).expand(self._matrix_shape())
