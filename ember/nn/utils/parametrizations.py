"""nn.utils.parametrizations: orthogonal, weight_norm and spectral_norm as parametrizations
(their tensors live under module.parametrizations.<name>)."""
from ... import _creation, linalg
from ..._finfo import finfo
from ..._random import randn
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.join import cat
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _TRANSPOSED, weight_matrix
from .weight_norm import norm_except_dim, weight_norm_value

__all__ = ["orthogonal", "weight_norm", "spectral_norm"]

_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


def _is_orthogonal(q):
    """Whether the columns of the tall matrix (batch) q are orthonormal, to a tolerance that
    grows with its height."""
    n, k = q.size(-2), q.size(-1)
    eye = _creation.eye(k, dtype=q.dtype, device=q.device)
    return bool((q.mH @ q).allclose(eye, atol=10.0 * n * finfo(q.dtype).eps))


def _make_orthogonal(a):
    """Q of a = QR for the tall matrix (batch) a, with R's diagonal made non-negative."""
    reflectors, tau = a.geqrf()
    q = linalg.householder_product(reflectors, tau)
    return q * reflectors.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    """A matrix (batch) with orthonormal columns (or rows, when wide) from an unconstrained one
    through the matrix exponential or the Cayley map of its skew part, or as a product of
    Householder reflections. With use_trivialization, the result is multiplied by the buffer
    `base` that right_inverse sets, so that assigning any orthogonal matrix is exact."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:  # work on the tall matrix
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            # reflectors below the diagonal; the diagonal's signs (+-1) pick each column's sign,
            # cast so that no gradient flows into them
            reflectors = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (reflectors * reflectors).sum(dim=-2))
            Q = linalg.householder_product(reflectors, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            # the lower triangle (n*k - k(k-1)/2 numbers) padded to a square, made skew
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = A.matrix_exp()
            else:  # Cayley: (I - A/2)^{-1} (I + A/2)
                eye = _creation.eye(n, dtype=A.dtype, device=A.device)
                Q = linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q):
        """An X that forward maps to Q (orthogonalized first if it is not orthogonal)."""
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map != "householder":
                # no closed form pulls a matrix back through exp or Cayley of a padded triangle
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False.")
            # QR by reflections, with R's diagonal taken positive: the reflectors and the signs
            # are what forward reads (a reflection LAPACK skipped, tau == 0, flips the sign)
            A, tau = Q.geqrf()
            diagonal = A.diagonal(dim1=-2, dim2=-1)
            diagonal.sign_()
            diagonal[tau == 0.0] *= -1
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:  # complete the columns to a square orthogonal matrix
            extra = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(cat([Q, extra], dim=-1))
        self.base = Q
        # forward maps -Id to Id under each of the three maps, so that base is the result
        neg_eye = _creation.zeros_like(Q_init)
        neg_eye.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_eye


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Parametrize module.<name> (a matrix or batch of matrices) to be orthogonal (unitary when
    complex): with orthonormal columns when tall, rows when wide. orthogonal_map is
    "matrix_exp", "cayley" or "householder" (default: matrix_exp for square or complex
    matrices, else householder)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """weight from (original0, original1) = (magnitude g, direction v)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_value(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Parametrize module.<name> as g * v / ||v|| (norm over every dim but `dim`; dim=None: the
    whole tensor), g and v stored as parametrizations.<name>.original0 and original1."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma its largest singular value estimated by power iteration on the
    buffers _u and _v (one step per call in training mode); a 1-d weight is just normalized."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        rank = weight.ndim
        if not -rank <= dim < rank:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{rank}, "
                             f"{rank - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim, self.eps = dim % rank, eps
        if rank == 1:
            return  # a vector is only normalized: no singular vectors to track
        self.n_power_iterations = n_power_iterations
        matrix = weight_matrix(weight, self.dim)
        for name, size in (("_u", matrix.shape[0]), ("_v", matrix.shape[1])):
            start = matrix.new_empty(size).normal_(0, 1)
            self.register_buffer(name, F.normalize(start, dim=0, eps=eps))
        self._power_method(matrix, 15)  # start from a good estimate

    def _power_method(self, weight_mat, n_power_iterations):
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(weight_mat.t().mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = weight_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # copies, so that backward sees this call's u and v
        u, v = self._u.clone(), self._v.clone()
        sigma = u.vdot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Parametrize module.<name> as weight / sigma (its spectral norm by power iteration); dim
    defaults to 1 for transposed convolutions, else 0."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, _TRANSPOSED) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
