"""OpInfo entries for ember/linalg.py (torch.linalg): inputs are kept well conditioned."""
import numpy as np

from . import OpInfo


def _conditioned(rng, dtype, shapes):
    """Square inputs get n on the diagonal (far from singular); other inputs are uniform."""
    out = []
    for shape in shapes:
        a = rng.uniform(-1, 1, size=shape)
        if len(shape) >= 2 and shape[-1] == shape[-2]:
            a = a + shape[-1] * np.eye(shape[-1])
        out.append(a.astype(dtype))
    return out


def _spd(m, a):
    return a @ a.mT + m.eye(a.shape[-1], dtype=a.dtype, device=a.device)


def _signed_eigh(m, a):
    w, q = m.linalg.eigh(a + a.mT)
    return w, q * q[..., :1, :].sign()


def _np_signed_eigh(a):
    w, q = np.linalg.eigh(a + np.swapaxes(a, -1, -2))
    return w, q * np.sign(q[..., :1, :])


def _signed_svd(m, a):
    u, s, vh = m.linalg.svd(a, full_matrices=False)
    sg = u[..., :1, :].sign()
    return u * sg, s, vh * sg.mT


def _np_signed_svd(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    sg = np.sign(u[..., :1, :])
    return u * sg, s, vh * np.swapaxes(sg, -1, -2)


def _lin(name, fn, shapes, ref, grad_fn, **kw):
    return OpInfo(name, fn, shapes, ref=ref, grad_fn=grad_fn, make_inputs=_conditioned, **kw)


OPS = [
    _lin("linalg_inv", lambda m, a: m.linalg.inv(a), [((3, 3),), ((2, 2, 2),)], np.linalg.inv,
         "LinalgInvExBackward0"),
    _lin("linalg_det", lambda m, a: m.linalg.det(a), [((3, 3),), ((2, 2, 2),)], np.linalg.det,
         "LinalgDetBackward0"),
    _lin("linalg_slogdet", lambda m, a: m.linalg.slogdet(-a), [((3, 3),)],
         lambda a: np.linalg.slogdet(-a), "LinalgSlogdetBackward0"),
    _lin("linalg_solve", lambda m, a, b: m.linalg.solve(a, b), [((3, 3), (3, 2)),
                                                              ((2, 3, 3), (3, 1))],
         np.linalg.solve, "LinalgSolveExBackward0"),
    _lin("linalg_solve_vector", lambda m, a, b: m.linalg.solve(a, b), [((2, 3, 3), (2, 3)),
                                                                     ((3, 3), (3,))],
         lambda a, b: np.linalg.solve(a, b[..., None])[..., 0], "LinalgSolveExBackward0"),
    _lin("linalg_solve_right", lambda m, a, b: m.linalg.solve(a, b, left=False),
         [((3, 3), (2, 3)), ((2, 3, 3), (4, 3))],
         lambda a, b: np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)),
                                  -1, -2), "LinalgSolveExBackward0"),
    _lin("linalg_cholesky", lambda m, a: m.linalg.cholesky(_spd(m, a)), [((3, 3),),
                                                                          ((2, 2, 2),)],
         lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + np.eye(a.shape[-1])),
         "LinalgCholeskyExBackward0"),
    _lin("linalg_cholesky_upper", lambda m, a: m.linalg.cholesky(_spd(m, a), upper=True),
         [((3, 3),)], lambda a: np.linalg.cholesky(a @ a.T + np.eye(3)).T,
         "LinalgCholeskyExBackward0"),
    OpInfo("linalg_eigh", _signed_eigh, [((3, 3),), ((2, 2, 2),)], ref=_np_signed_eigh,
           grad_fn="LinalgEighBackward0"),
    OpInfo("linalg_eigvalsh", lambda m, a: m.linalg.eigvalsh(a + a.mT), [((3, 3),)],
           ref=lambda a: np.linalg.eigvalsh(a + a.T), grad_fn="LinalgEighBackward0"),
    OpInfo("linalg_svd", _signed_svd, [((3, 3),), ((3, 2),), ((2, 2, 3),)], ref=_np_signed_svd),
    OpInfo("linalg_svdvals", lambda m, a: m.linalg.svdvals(a), [((3, 2),)],
           ref=lambda a: np.linalg.svd(a, compute_uv=False), grad_fn="LinalgSvdBackward0"),
    OpInfo("linalg_pinv", lambda m, a: m.linalg.pinv(a), [((3, 2),), ((2, 3),)],
           ref=np.linalg.pinv, grad_fn="LinalgPinvBackward0"),
    OpInfo("linalg_vector_norm", lambda m, a: m.linalg.vector_norm(a, 3, dim=-1),
           [((2, 3),)], ref=lambda a: np.linalg.norm(a, 3, axis=-1),
           grad_fn="LinalgVectorNormBackward0",
           error_inputs=(lambda m: m.linalg.vector_norm(m.ones(2, 3), dim=2),)),
    OpInfo("linalg_matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), [((2, 3, 2),)],
           ref=lambda a: np.linalg.norm(a, "fro", axis=(-2, -1)),
           grad_fn="LinalgVectorNormBackward0"),
    OpInfo("linalg_matrix_norm_nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), [((3, 2),)],
           ref=lambda a: np.linalg.norm(a, "nuc"), grad_fn="SumBackward1"),
    OpInfo("linalg_matrix_norm_2", lambda m, a: m.linalg.matrix_norm(a, 2), [((3, 2),)],
           ref=lambda a: np.linalg.norm(a, 2), grad_fn="AmaxBackward0"),
    OpInfo("linalg_matrix_norm_inf", lambda m, a: m.linalg.matrix_norm(a, float("inf")),
           [((2, 3, 3),)], ref=lambda a: np.linalg.norm(a, np.inf, axis=(-2, -1)),
           grad_fn="AmaxBackward0", kinks_ok=True),
    OpInfo("linalg_matrix_norm_1_dims", lambda m, a: m.linalg.matrix_norm(a, -1, dim=(0, 2),
                                                                          keepdim=True),
           [((3, 2, 3),)], ref=lambda a: np.linalg.norm(a, -1, axis=(0, 2), keepdims=True),
           grad_fn="AminBackward0", kinks_ok=True),
    OpInfo("linalg_norm", lambda m, a: m.linalg.norm(a), [((2, 3),)],
           ref=lambda a: np.linalg.norm(a), grad_fn="LinalgVectorNormBackward0"),
    OpInfo("linalg_norm_ord", lambda m, a: m.linalg.norm(a, "nuc", dim=(0, 1)), [((2, 3),)],
           ref=lambda a: np.linalg.norm(a, "nuc"), grad_fn="SumBackward1"),
    OpInfo("linalg_cross", lambda m, a, b: m.linalg.cross(a, b), [((2, 3), (1, 3))],
           ref=np.cross, grad_fn="LinalgCrossBackward0"),
    OpInfo("linalg_diagonal", lambda m, a: m.linalg.diagonal(a, offset=1), [((2, 3, 3),)],
           ref=lambda a: np.diagonal(a, 1, -2, -1), grad_fn="DiagonalBackward0"),
    OpInfo("linalg_vecdot", lambda m, a, b: m.linalg.vecdot(a, b), [((2, 3), (3,))],
           ref=lambda a, b: (a * b).sum(-1)),
]
