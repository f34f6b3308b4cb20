"""torch.svd_lowrank and torch.pca_lowrank: a randomized range finder (Halko, Martinsson and
Tropp 2011, algorithm 4.4 with `niter` power iterations) then the SVD of the small projection,
composed of ember's matmul, QR and SVD ops so gradients flow. Random draws come from ember's
generator, so the factors differ from torch's in sign and rounding; their product and the
leading singular values agree."""
from .._random import randn
from .factorizations import linalg_qr
from .spectral import linalg_svd

__all__ = ["svd_lowrank", "pca_lowrank"]


def _basis(a, q, niter):
    """An (.., m, q) orthonormal basis approximating the range of a."""
    r = randn(*a.shape[:-2], a.shape[-1], q, dtype=a.dtype, device=a.device)
    basis = linalg_qr(a @ r).Q
    for _ in range(niter):
        basis = linalg_qr(a.mT @ basis).Q
        basis = linalg_qr(a @ basis).Q
    return basis


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A - M ~ U diag(S) V^T, of rank q (q=None: 6)."""
    q = 6 if q is None else q
    a = A if M is None else A - M
    m, n = a.shape[-2:]
    if m < n:  # find the basis on the taller side, as the algorithm needs
        v, s, u = svd_lowrank(a.mT, q, niter)
        return u, s, v
    basis = _basis(a, q, 2 if niter is None else niter)
    u, s, vh = linalg_svd(basis.mT @ a, full_matrices=False)
    return basis @ u, s, vh.mT


def pca_lowrank(A, q=None, center=True, niter=2):
    """(U, S, V) of the (column-centred) A, rank q (None: min(6, m, n))."""
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    if not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    a = A - A.mean(-2, keepdim=True) if center else A
    return svd_lowrank(a, q, niter)
