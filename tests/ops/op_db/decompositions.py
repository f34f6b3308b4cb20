"""OpInfo entries for the factorizations, solvers and matrix functions (ember/ops/factorizations.py,
solvers.py, inverses.py, matrix_functions.py, spectral.py, distance.py) and their torch.* names.

Every input is well conditioned: square matrices get n on the diagonal, LU inputs are diagonally
dominant with their rows shuffled (so partial pivoting has one clear choice per column), SPD
matrices are built in fn as A A^T + I. The NumPy references are written from the definitions
(elimination, Householder reflectors, power series) or with np.linalg; factorizations that are
unique only up to signs are compared in a sign-normalised form."""
import math

import numpy as np

from . import OpInfo
from .linalg_namespace import _conditioned


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _batched(f):
    """f on one 2-D matrix mapped over the leading dims of a stack; outputs stacked."""
    def run(a):
        if a.ndim == 2:
            return f(a)
        outs = [run(x) for x in a]
        if isinstance(outs[0], tuple):
            return tuple(np.stack(o) for o in zip(*outs))
        return np.stack(outs)
    return run


# -- inputs ---------------------------------------------------------------------------------------

def _shuffled_dominant(rng, dtype, shapes):
    """Diagonally dominant matrices with their rows permuted: LU's pivots are the permutation."""
    out = _conditioned(rng, np.float64, shapes)
    a = out[0]
    rows = rng.permutation(a.shape[-2])
    out[0] = a[..., rows, :]
    return [x.astype(dtype) for x in out]


def _reflectors(rng, dtype, shapes):
    """Householder vectors (below the diagonal of A) with taus in (0.5, 1.5), a third operand C."""
    out = [rng.uniform(-1, 1, size=shapes[0]), rng.uniform(0.5, 1.5, size=shapes[1])]
    out += [rng.uniform(-1, 1, size=s) for s in shapes[2:]]
    return [x.astype(dtype) for x in out]


def _symmetric_indefinite(rng, dtype, shapes):
    """A + A^T with a tenth of its diagonal (so that Bunch-Kaufman takes 2x2 blocks and swaps
    rows), then any right-hand sides."""
    a = rng.uniform(-1, 1, size=shapes[0])
    n = shapes[0][-1]
    a = (a + _mT(a)) * (1 - 0.9 * np.eye(n))
    return [a.astype(dtype)] + [rng.uniform(-1, 1, size=s).astype(dtype) for s in shapes[1:]]


def _ldl_solve(m, a, b, **kw):
    """ldl_solve(ldl_factor(A), B) first (its reference is A^-1 B), then the factors, which
    only torch's match (LAPACK's sytrf form) checks."""
    ld, piv = m.linalg.ldl_factor(a, **kw)
    return m.linalg.ldl_solve(ld, piv, b, **kw), ld, piv


def _ldl_ex_solve(m, a, b):
    ld, piv, info = m.linalg.ldl_factor_ex(a, hermitian=True)
    return m.linalg.ldl_solve(ld, piv, b, hermitian=True), ld, piv, info


# -- references -----------------------------------------------------------------------------------

@_batched
def _np_lu_factor(a):
    """Gaussian elimination with partial pivoting (the largest |pivot|): packed LU, 1-based pivots
    and the row permutation."""
    lu = a.astype(np.float64).copy()
    m, n = lu.shape
    perm, pivots = np.arange(m), []
    for j in range(min(m, n)):
        p = j + int(np.argmax(np.abs(lu[j:, j])))
        pivots.append(p + 1)
        lu[[j, p]] = lu[[p, j]]
        perm[[j, p]] = perm[[p, j]]
        lu[j + 1:, j] /= lu[j, j]
        lu[j + 1:, j + 1:] -= np.outer(lu[j + 1:, j], lu[j, j + 1:])
    return lu, np.array(pivots, np.int32), perm


@_batched
def _np_lu(a):
    """(P, L, U) with A = P L U."""
    lu, _, perm = _np_lu_factor(a)
    m, n = lu.shape
    k = min(m, n)
    p = np.zeros((m, m))
    p[perm, np.arange(m)] = 1.0
    return p, np.tril(lu[:, :k], -1) + np.eye(m, k), np.triu(lu[:k, :])


def _np_householder_q(a, tau):
    """H_1 ... H_k (m x m), H_i = I - tau_i v_i v_i^T with v_i = (0, ..., 1, A[i+1:, i])."""
    m = a.shape[0]
    q = np.eye(m)
    for i in range(tau.shape[0]):
        v = np.zeros(m)
        v[i] = 1.0
        v[i + 1:] = a[i + 1:, i]
        q = q @ (np.eye(m) - tau[i] * np.outer(v, v))
    return q


def _np_householder_product(a, tau):
    return _np_householder_q(a, tau)[:, :a.shape[1]]


def _np_ormqr(a, tau, c, left=True, transpose=False):
    q = _np_householder_q(a, tau)
    q = q.T if transpose else q
    return q @ c if left else c @ q


@_batched
def _np_expm(a):
    """exp(A) = (exp(A / 2^s))^(2^s), the inner one by 30 terms of its power series."""
    s = max(0, math.ceil(math.log2(max(np.abs(a).sum(0).max(), 1e-300))) + 1)
    x = a / 2.0 ** s
    term, total = np.eye(a.shape[0]), np.eye(a.shape[0])
    for k in range(1, 30):
        term = term @ x / k
        total = total + term
    for _ in range(s):
        total = total @ total
    return total


def _np_qr_signed(a):
    """QR by Gram-Schmidt on the columns (R with a positive diagonal)."""
    m, n = a.shape
    q, r = np.zeros((m, n)), np.zeros((n, n))
    for j in range(n):
        v = a[:, j].copy()
        for i in range(j):
            r[i, j] = q[:, i] @ a[:, j]
            v -= r[i, j] * q[:, i]
        r[j, j] = np.linalg.norm(v)
        q[:, j] = v / r[j, j]
    return q, r


def _signed_qr(m, a):
    """Q and R with R's diagonal made positive (QR is unique up to these signs)."""
    q, r = m.linalg.qr(a)
    s = r.diagonal(dim1=-2, dim2=-1).sign()
    return r * s.unsqueeze(-1), q * s.unsqueeze(-2)


def _np_signed_qr(a):
    q, r = _batched(_np_qr_signed)(a)
    return r, q


def _legacy_svd(m, a):
    """torch.svd's (U, S, V), S first; the columns of U and V signed so U's first row is >= 0."""
    u, s, v = m.svd(a)
    sg = u[..., :1, :].sign()
    return s, u * sg, v * sg


def _np_legacy_svd(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    sg = np.sign(u[..., :1, :])
    return s, u * sg, _mT(vh) * sg


def _np_block_diag(*arrays):
    mats = [np.atleast_2d(a) for a in arrays]
    out = np.zeros((sum(x.shape[0] for x in mats), sum(x.shape[1] for x in mats)))
    r = c = 0
    for x in mats:
        out[r:r + x.shape[0], c:c + x.shape[1]] = x
        r, c = r + x.shape[0], c + x.shape[1]
    return out


def _np_triangular_solve(a, b, upper, left=True, unit=False):
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t = t - np.diag(np.diagonal(t)) + np.eye(t.shape[-1])
    if left:
        return np.linalg.solve(t, b)
    return _mT(np.linalg.solve(_mT(t), _mT(b)))


def _spd(m, a):
    return a @ a.mT + m.eye(a.shape[-1], dtype=a.dtype, device=a.device)


def _np_spd(a):
    return a @ _mT(a) + np.eye(a.shape[-1])


def _dec(name, fn, shapes, ref, grad_fn, make_inputs=_conditioned, **kw):
    return OpInfo(name, fn, shapes, ref=ref, grad_fn=grad_fn, make_inputs=make_inputs, **kw)


# torch_grad=False: torch 2.13's backward of cond(A, 'fro') and torch.vander raises (a tensor it
# saved is written in place), so their gradients are checked by gradcheck alone.
OPS = [
    # -- QR: reduced (tall and wide) and complete square are differentiable; mode 'r' and complete
    # on a tall matrix have no derivative in torch
    _dec("linalg_qr", lambda m, a: m.linalg.qr(a), [((4, 3),), ((2, 3, 3),)],
         lambda a: np.linalg.qr(a), "LinalgQrBackward0"),
    _dec("linalg_qr_signed", _signed_qr, [((4, 3),), ((2, 3, 3),)], _np_signed_qr,
         "MulBackward0"),
    _dec("linalg_qr_wide", lambda m, a: m.linalg.qr(a), [((3, 5),), ((2, 2, 3),)],
         lambda a: np.linalg.qr(a), "LinalgQrBackward0"),
    _dec("linalg_qr_complete", lambda m, a: m.linalg.qr(a, mode="complete"), [((3, 3),)],
         lambda a: np.linalg.qr(a, "complete"), "LinalgQrBackward0"),
    _dec("linalg_qr_complete_tall", lambda m, a: m.linalg.qr(a, mode="complete"), [((4, 2),)],
         lambda a: np.linalg.qr(a, "complete"), "LinalgQrBackward0", grad=False),
    _dec("linalg_qr_r", lambda m, a: m.linalg.qr(a, mode="r")[1], [((4, 3),)],
         lambda a: np.linalg.qr(a, "r"), "LinalgQrBackward0", grad=False,
         error_inputs=(lambda m: m.linalg.qr(m.ones(3)),
                       lambda m: m.linalg.qr(m.ones(2, 2), mode="x"))),
    # -- LU
    # (U, L, P): the outputs reversed so that the first one records the node
    _dec("linalg_lu", lambda m, a: m.linalg.lu(a)[::-1], [((3, 3),), ((2, 4, 4),)],
         lambda a: _np_lu(a)[::-1], "LinalgLuBackward0", make_inputs=_shuffled_dominant),
    _dec("linalg_lu_tall", lambda m, a: m.linalg.lu(a)[::-1], [((5, 3),)],
         lambda a: _np_lu(a)[::-1], "LinalgLuBackward0", make_inputs=_shuffled_dominant),
    _dec("linalg_lu_wide", lambda m, a: m.linalg.lu(a)[1:], [((3, 5),)],
         lambda a: _np_lu(a)[1:], "LinalgLuBackward0", make_inputs=_shuffled_dominant),
    _dec("linalg_lu_factor", lambda m, a: m.linalg.lu_factor(a), [((3, 3),), ((2, 4, 4),)],
         lambda a: _np_lu_factor(a)[:2], "LinalgLuFactorExBackward0",
         make_inputs=_shuffled_dominant),
    _dec("linalg_lu_factor_ex", lambda m, a: m.linalg.lu_factor_ex(a), [((4, 3),)],
         lambda a: _np_lu_factor(a)[:2] + (np.zeros((), np.int32),),
         "LinalgLuFactorExBackward0", make_inputs=_shuffled_dominant),
    _dec("lu_unpack", lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a))[::-1],
         [((3, 3),), ((4, 3),)], lambda a: _np_lu(a)[::-1], "LuUnpackBackward0",
         make_inputs=_shuffled_dominant),
    _dec("lu_unpack_data_only",
         lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a), unpack_pivots=False)[::-1],
         [((3, 3),)], lambda a: _np_lu(a)[:0:-1] + (np.zeros(0),), "LuUnpackBackward0",
         make_inputs=_shuffled_dominant),
    # nothing unpacked: three empty tensors, L and U still in the graph as in torch
    _dec("lu_unpack_nothing",
         lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a), False, False)[::-1],
         [((3, 3),)], lambda a: (np.zeros(0),) * 3, "LuUnpackBackward0", grad=False,
         make_inputs=_shuffled_dominant),
    _dec("linalg_lu_solve", lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b),
         [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))], np.linalg.solve, "LinalgLuSolveBackward0",
         make_inputs=_shuffled_dominant),
    _dec("linalg_lu_solve_adjoint", lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b,
                                                                      adjoint=True),
         [((3, 3), (3, 2))], lambda a, b: np.linalg.solve(a.T, b), "LinalgLuSolveBackward0",
         make_inputs=_shuffled_dominant),
    _dec("linalg_lu_solve_right", lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b,
                                                                    left=False),
         [((3, 3), (2, 3))], lambda a, b: np.linalg.solve(a.T, b.T).T, "LinalgLuSolveBackward0",
         make_inputs=_shuffled_dominant),
    _dec("lu_solve", lambda m, a, b: m.lu_solve(b, *m.linalg.lu_factor(a)), [((3, 3), (3, 2))],
         np.linalg.solve, "LinalgLuSolveBackward0", make_inputs=_shuffled_dominant),
    # -- LDL^T (Bunch-Kaufman): torch gives it no derivative, its outputs record NotImplemented
    _dec("linalg_ldl_factor", _ldl_solve, [((4, 4), (4, 2)), ((2, 5, 5), (2, 5, 1))],
         lambda a, b: np.linalg.solve(a, b), "NotImplemented", grad=False,
         make_inputs=_symmetric_indefinite,
         error_inputs=(lambda m: m.linalg.ldl_factor(m.ones(2, 3)),
                       lambda m: m.linalg.ldl_factor(m.zeros(3, 3)),
                       lambda m: m.linalg.ldl_factor(m.ones(2, 2, dtype=m.long)),
                       lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3), m.ones(3, 1)),
                       lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32),
                                                    m.ones(2, 1)),
                       lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32),
                                                    m.ones(3, 1, dtype=m.float64)),
                       lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(2, dtype=m.int32),
                                                    m.ones(3, 1)),
                       lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32),
                                                    m.ones(3)))),
    _dec("linalg_ldl_factor_ex", _ldl_ex_solve, [((3, 3), (2, 3, 2))],
         lambda a, b: np.linalg.solve(a, b), "NotImplemented", grad=False,
         make_inputs=_symmetric_indefinite),
    # -- triangular and general solves
    _dec("linalg_solve_triangular_upper",
         lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
         [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))],
         lambda a, b: _np_triangular_solve(a, b, True), "LinalgSolveTriangularBackward0",
         error_inputs=(lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(2, 1), upper=True),)),
    _dec("linalg_solve_triangular_lower",
         lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False), [((3, 3), (3, 2))],
         lambda a, b: _np_triangular_solve(a, b, False), "LinalgSolveTriangularBackward0"),
    _dec("linalg_solve_triangular_right",
         lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True, left=False),
         [((3, 3), (2, 3))], lambda a, b: _np_triangular_solve(a, b, True, left=False),
         "LinalgSolveTriangularBackward0"),
    _dec("linalg_solve_triangular_unit",
         lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
         [((3, 3), (3, 2))], lambda a, b: _np_triangular_solve(a, b, False, unit=True),
         "LinalgSolveTriangularBackward0"),
    _dec("linalg_solve_ex", lambda m, a, b: m.linalg.solve_ex(a, b),
         [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))],
         lambda a, b: (np.linalg.solve(a, b), np.zeros(a.shape[:-2], np.int32)),
         "LinalgSolveExBackward0"),
    _dec("linalg_cholesky_ex", lambda m, a: m.linalg.cholesky_ex(_spd(m, a)),
         [((3, 3),), ((2, 3, 3),)],
         lambda a: (np.linalg.cholesky(_np_spd(a)), np.zeros(a.shape[:-2], np.int32)),
         "LinalgCholeskyExBackward0"),
    _dec("linalg_lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution,
         [((4, 3), (4, 2)), ((5, 2), (5, 1))],
         lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], "LinalgLstsqBackward0"),
    # -- matrix functions and chains
    _dec("linalg_matrix_exp", lambda m, a: m.linalg.matrix_exp(a * 0.3),
         [((3, 3),), ((2, 2, 2),)], lambda a: _np_expm(a * 0.3), "LinalgMatrixExpBackward0"),
    _dec("matrix_exp_scaled", lambda m, a: m.matrix_exp(a * 2), [((3, 3),)],
         lambda a: _np_expm(a * 2), "LinalgMatrixExpBackward0", rtol=1e-3),
    _dec("linalg_matrix_power", lambda m, a: m.linalg.matrix_power(a, 3),
         [((3, 3),)], lambda a: np.linalg.matrix_power(a, 3), "MmBackward0"),
    _dec("linalg_matrix_power_batched", lambda m, a: m.linalg.matrix_power(a, 3),
         [((2, 2, 2),)], lambda a: np.linalg.matrix_power(a, 3), "UnsafeViewBackward0"),
    _dec("matrix_power_0", lambda m, a: m.linalg.matrix_power(a, 0), [((3, 3),)],
         lambda a: np.eye(3), "CopyBackwards"),
    _dec("matrix_power_neg", lambda m, a: m.matrix_power(a, -2), [((3, 3),)],
         lambda a: np.linalg.matrix_power(a, -2), "MmBackward0"),
    _dec("matrix_power_neg_batched", lambda m, a: a.matrix_power(-3), [((2, 3, 3),)],
         lambda a: np.linalg.matrix_power(a, -3), "UnsafeViewBackward0"),
    _dec("linalg_multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
         [((3,), (3, 4), (4, 2)), ((2, 3), (3, 4), (4,))],
         lambda a, b, c: np.linalg.multi_dot([a, b, c]), "ViewBackward0",
         error_inputs=(lambda m: m.linalg.multi_dot([m.ones(2, 2)]),)),
    _dec("linalg_householder_product", lambda m, a, t: m.linalg.householder_product(a, t),
         [((4, 3), (2,)), ((3, 3), (3,))], _np_householder_product,
         "LinalgHouseholderProductBackward0", make_inputs=_reflectors,
         error_inputs=(lambda m: m.linalg.householder_product(m.ones(2, 3), m.ones(1)),)),
    _dec("orgqr", lambda m, a, t: m.orgqr(a, t), [((4, 3), (3,))], _np_householder_product,
         "LinalgHouseholderProductBackward0", make_inputs=_reflectors),
    _dec("ormqr", lambda m, a, t, c: m.ormqr(a, t, c), [((4, 3), (3,), (4, 2))], _np_ormqr,
         "OrmqrBackward0", make_inputs=_reflectors),
    _dec("ormqr_right_transpose", lambda m, a, t, c: m.ormqr(a, t, c, left=False, transpose=True),
         [((4, 2), (2,), (3, 4))], lambda a, t, c: _np_ormqr(a, t, c, False, True),
         "OrmqrBackward0", make_inputs=_reflectors),
    _dec("linalg_cond", lambda m, a: m.linalg.cond(a), [((3, 3),), ((3, 2),)],
         lambda a: np.linalg.cond(a), "SqueezeBackward1"),
    _dec("linalg_cond_fro", lambda m, a: m.linalg.cond(a, "fro"), [((2, 3, 3),)],
         lambda a: np.linalg.cond(a, "fro"), "NanToNumBackward0", torch_grad=False,
         error_inputs=(lambda m: m.linalg.cond(m.ones(4, 3), 1),)),
    _dec("linalg_tensorinv", lambda m, a: m.linalg.tensorinv(a.reshape(2, 3, 6), ind=2),
         [((6, 6),)], lambda a: np.linalg.tensorinv(a.reshape(2, 3, 6), ind=2),
         "ReshapeAliasBackward0"),
    _dec("linalg_tensorsolve", lambda m, a, b: m.linalg.tensorsolve(a.reshape(2, 3, 6), b),
         [((6, 6), (2, 3))], lambda a, b: np.linalg.tensorsolve(a.reshape(2, 3, 6), b),
         "ViewBackward0"),
    _dec("linalg_vander", lambda m, x: m.linalg.vander(x, N=4), [((2, 3),), ((3,),)],
         lambda x: x[..., None] ** np.arange(4), "CatBackward0"),
    _dec("vander", lambda m, x: m.vander(x), [((3,),)], np.vander, "FlipBackward0",
         torch_grad=False),
    _dec("vander_increasing", lambda m, x: m.vander(x, 4, True), [((3,),)],
         lambda x: np.vander(x, 4, increasing=True), "CopySlices",
         torch_grad=False),
    # -- torch.* determinants, inverses and the legacy SVD
    _dec("det", lambda m, a: m.det(a), [((3, 3),), ((2, 2, 2),)], np.linalg.det,
         "LinalgDetBackward0"),
    _dec("logdet", lambda m, a: a.logdet(), [((3, 3),), ((2, 3, 3),)],
         lambda a: np.log(np.linalg.det(a)), "WhereBackward0"),
    _dec("slogdet", lambda m, a: m.slogdet(a), [((3, 3),)], lambda a: np.linalg.slogdet(a),
         "LinalgSlogdetBackward0"),
    _dec("inverse", lambda m, a: a.inverse(), [((3, 3),), ((2, 2, 2),)], np.linalg.inv,
         "LinalgInvExBackward0"),
    _dec("pinverse", lambda m, a: m.pinverse(a), [((4, 3),), ((2, 3),)], np.linalg.pinv,
         "LinalgPinvBackward0"),
    _dec("svd_legacy", _legacy_svd, [((4, 3),), ((2, 3),), ((2, 3, 3),)], _np_legacy_svd,
         "LinalgSvdBackward0"),
    _dec("cholesky_inverse", lambda m, a: m.cholesky_inverse(a.tril()), [((3, 3),)],
         lambda a: np.linalg.inv(np.tril(a) @ np.tril(a).T), "CholeskyInverseBackward0"),
    _dec("cholesky_inverse_upper", lambda m, a: m.cholesky_inverse(a.triu(), upper=True),
         [((3, 3),)], lambda a: np.linalg.inv(np.triu(a).T @ np.triu(a)),
         "CholeskyInverseBackward0"),
    _dec("cholesky_solve", lambda m, a, b: m.cholesky_solve(b, a.tril()),
         [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))],
         lambda a, b: np.linalg.solve(np.tril(a) @ _mT(np.tril(a)), b), "CholeskySolveBackward0"),
    _dec("cholesky_solve_upper", lambda m, a, b: m.cholesky_solve(b, a.triu(), True),
         [((3, 3), (3, 2))], lambda a, b: np.linalg.solve(np.triu(a).T @ np.triu(a), b),
         "CholeskySolveBackward0"),
    # -- distances and matrices built from vectors
    _dec("dist", lambda m, a, b: m.dist(a, b), [((2, 3), (3,))],
         lambda a, b: np.sqrt(((a - b) ** 2).sum()), "DistBackward0"),
    _dec("dist_3", lambda m, a, b: a.dist(b, 3), [((2, 3), (2, 3))],
         lambda a, b: (np.abs(a - b) ** 3).sum() ** (1 / 3), "DistBackward0"),
    _dec("dist_inf", lambda m, a, b: m.dist(a, b, float("inf")), [((2, 3), (2, 3))],
         lambda a, b: np.abs(a - b).max(), "DistBackward0", kinks_ok=True),
    _dec("addr", lambda m, c, a, b: m.addr(c, a, b, beta=0.5, alpha=2),
         [((3, 2), (3,), (2,)), ((2,), (3,), (2,))],
         lambda c, a, b: 0.5 * c + 2 * np.outer(a, b), "AddrBackward0",
         error_inputs=(lambda m: m.addr(m.ones(2, 2), m.ones(2, 1), m.ones(2)),)),
    _dec("block_diag", lambda m, a, b, c: m.block_diag(a, b, c),
         [((2, 2), (3,), ()), ((1, 3), (2, 1), (2, 2))], _np_block_diag, "BlockDiagBackward0",
         error_inputs=(lambda m: m.block_diag(m.ones(2, 2, 2)),)),
    _dec("diagflat", lambda m, a: m.diagflat(a, -1), [((2, 2),), ((3,),)],
         lambda a: np.diagflat(a, -1), "DiagEmbedBackward0"),
]
