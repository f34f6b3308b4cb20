"""torch.lobpcg: the k largest (or smallest) eigenpairs of the symmetric positive-definite
generalized problem A X = B X diag(E), by the locally optimal block preconditioned conjugate
gradient method (Knyazev 2001). Each step does Rayleigh-Ritz on span[X, iK R, P] (R the residuals,
P the previous step's direction): method="basic" through the Cholesky factor of that basis's Gram
matrix, method="ortho" on a basis made B-orthonormal first (project out X, then SVQB with
dropping, Stathopoulos and Wu 2002), which stays well-posed when the basis loses rank.

The iteration is one Op whose forward runs on backend arrays; its backward is the derivative of
the k eigenpairs of A itself (not of the iterations), as torch's: eigenvalues u_i u_i^T,
eigenvectors rotating within span(U) like eigh's and leaving it through (lambda_i - A)^+ on the
complement.

Of the ortho_* parameters, ortho_i_max (SVQB passes), ortho_j_max (projections against X),
ortho_tol (B-orthonormality accepted) and ortho_tol_drop (SVQB's dropping threshold) are used;
the [iK R, P] block is always reduced by dropping, so ortho_use_drop and ortho_tol_replace are
accepted and shown to `tracker` but change nothing. niter=0 returns the Rayleigh-Ritz pairs of
the initial guess (torch 2.13 iterates to convergence then).
"""
import math

from .. import _dtype
from .._random import randn
from .._tensor import _make
from .linalg import _same_dtype, matmul
from ._op import Op
from .solvers import linalg_solve

__all__ = ["lobpcg"]


class LOBPCGState:
    """What `tracker` sees each step, named as torch's docs name them."""

    def __init__(self, A, B, iK, iparams, fparams, bparams):
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.ivars = {"istep": 0, "converged_count": 0}
        self.fvars = {}
        self.bvars = {"force_stop": False}
        self.tvars = {}
        self.E = self.X = self.S = self.R = None


def _sym(xp, g):
    return (g + xp.swapaxes(g, -1, -2)) * 0.5


def _ritz(xp, gram_a, largest):
    """eigh of a small symmetric matrix, ordered largest-first or smallest-first."""
    w, z = xp.linalg.eigh(_sym(xp, gram_a))
    return (w[::-1], z[:, ::-1]) if largest else (w, z)


def _svqb(xp, u, bu, tol, drop):
    """u's columns B-orthonormalized by the SVQB of Stathopoulos and Wu: scale the Gram matrix to
    a unit diagonal, take its eigenvectors, and drop (or lift to tol) the directions whose
    eigenvalue is below tol of the largest, so a rank-deficient block stays well-conditioned."""
    gram = _sym(xp, u.T @ bu)
    d = xp.diagonal(gram)
    keep = d > 0
    if not keep.all():
        u, bu, gram, d = u[:, keep], bu[:, keep], gram[keep][:, keep], d[keep]
    scale = 1.0 / xp.sqrt(d)
    theta, z = xp.linalg.eigh(gram * scale[:, None] * scale[None, :])
    floor = tol * float(theta.max()) if theta.size else 0.0
    if drop:
        kept = theta > floor
        theta, z = theta[kept], z[:, kept]
    else:
        theta = xp.maximum(theta, floor)
    t = (scale[:, None] * z) / xp.sqrt(theta)[None, :]
    return u @ t, bu @ t


def _project_out(xp, u, x, bx, times):
    """u minus its B-projection on the B-orthonormal x, repeated for accuracy."""
    for _ in range(times):
        u = u - x @ (bx.T @ u)
    return u


class _Solver:
    """One (m, m) problem: the state of the iteration on backend arrays."""

    def __init__(self, xp, a, b, ik, params, state):
        self.xp, self.a, self.b, self.ik = xp, a, b, ik
        self.p = params
        self.state = state

    def times_b(self, v):
        return v if self.b is None else self.b @ v

    def rayleigh_ritz(self, s):
        """(Ritz values, coefficients C) of span(s): the columns of s @ C are B-orthonormal."""
        xp = self.xp
        if self.p["method"] == "ortho":  # s is B-orthonormal already
            return _ritz(xp, s.T @ (self.a @ s), self.p["largest"])
        # basic: the generalized small problem through the Cholesky factor of s^T B s, after
        # scaling s's columns to unit B-norm (the factorization fails if s lost rank)
        gram_b = _sym(xp, s.T @ self.times_b(s))
        scale = 1.0 / xp.sqrt(xp.diagonal(gram_b))
        gram_b = gram_b * scale[:, None] * scale[None, :]
        gram_a = (s.T @ (self.a @ s)) * scale[:, None] * scale[None, :]
        l_inv = xp.linalg.inv(xp.linalg.cholesky(gram_b))
        w, z = _ritz(xp, l_inv @ gram_a @ l_inv.T, self.p["largest"])
        return w, scale[:, None] * (l_inv.T @ z)

    def orthonormal_basis(self, x, w, p):
        """[x, w, p] for method="basic"; for "ortho", x then the B-orthonormal rest of [w, p]."""
        xp = self.xp
        extra = w if p is None else xp.concatenate([w, p], axis=1)
        if self.p["method"] != "ortho":
            return xp.concatenate([x, extra], axis=1)
        bx = self.times_b(x)
        u = _project_out(xp, extra, x, bx, self.p["ortho_j_max"])
        for _ in range(self.p["ortho_i_max"]):
            u, _ = _svqb(xp, u, self.times_b(u), self.p["ortho_tol_drop"], True)
            u = _project_out(xp, u, x, bx, 1)
            if u.shape[1] == 0:
                break
            gram = u.T @ self.times_b(u)
            if float(xp.abs(gram - xp.eye(gram.shape[0], dtype=gram.dtype)).max()) \
                    < self.p["ortho_tol"]:
                break
        return xp.concatenate([x, u], axis=1)

    def residual(self, e, x):
        """(R, relative residuals, how many of the k leading pairs have converged)."""
        xp = self.xp
        r = self.a @ x - self.times_b(x) * e[None, :]
        # backward-error criterion (Duersch et al. 2018): ||r|| / ((||A|| + |e| ||B||) ||x||)
        rerr = xp.linalg.norm(r, axis=0) / (
            (self.a_norm + xp.abs(e) * self.b_norm) * xp.linalg.norm(x, axis=0))
        return r, rerr, int(xp.cumprod(rerr[:self.p["k"]] < self.p["tol"]).sum())

    def run(self, x):
        xp, p, n = self.xp, self.p, self.p["n"]
        # matrix-free estimates of ||A|| and ||B|| from their action on the initial guess
        x_norm = float(xp.linalg.norm(x))
        self.a_norm = float(xp.linalg.norm(self.a @ x)) / x_norm
        self.b_norm = float(xp.linalg.norm(self.times_b(x))) / x_norm
        if p["method"] == "ortho":
            x, _ = _svqb(xp, x, self.times_b(x), p["ortho_tol_drop"], False)
        e, c = self.rayleigh_ritz(x)
        x = x @ c
        r, rerr, converged = self.residual(e, x)
        direction = None
        istep = 0
        state = self.state
        while converged < p["k"] and (p["niter"] < 0 or istep < p["niter"]):
            active = rerr >= p["tol"]
            w = r[:, active]
            w = w if self.ik is None else self.ik @ w
            s = self.orthonormal_basis(x, w, None if direction is None else
                                       direction[:, active])
            if s.shape[1] == x.shape[1]:
                break  # nothing new to search: the residuals lie in span(X)
            e_all, c = self.rayleigh_ritz(s)
            e, c = e_all[:n], c[:, :n]
            x = s @ c
            direction = s[:, n:] @ c[n:]  # the step, less its part along the old X
            istep += 1
            r, rerr, converged = self.residual(e, x)
            if state is not None:  # after each step, as torch's tracker (istep counts from 1)
                state.ivars.update(istep=istep, converged_count=converged)
                state.tvars["rerr"] = _make(rerr)
                state.E, state.X, state.S, state.R = _make(e), _make(x), _make(s), _make(r)
                p["tracker"](state)
                if state.bvars["force_stop"]:
                    break
        return e, x


class LOBPCGAutogradFunction(Op, grad_fn="LOBPCGAutogradFunctionBackward"):
    """(E, X) = lobpcg(A, B, X0, iK); differentiable in A when B is None, as in torch."""
    _n_operands = 4

    def forward(ctx, a, b, x0, ik, params, state):
        xp = ctx.xp
        batch = a.shape[:-2]
        m, k = a.shape[-1], params["k"]
        count = math.prod(batch)
        flat = [t if t is None or t.ndim == 2 else t.reshape((count,) + t.shape[-2:])
                for t in (a, b, x0, ik)]
        es = xp.empty((count, k), dtype=a.dtype)
        xs = xp.empty((count, m, k), dtype=a.dtype)
        for i in range(count):
            if state is not None:
                state.iparams["batch_index"] = i
            a_i, b_i, ik_i = (t if t is None or t.ndim == 2 else t[i]
                              for t in (flat[0], flat[1], flat[3]))
            solver = _Solver(xp, a_i, b_i, ik_i, params, state)
            e, x = solver.run(flat[2] if flat[2].ndim == 2 else flat[2][i])
            es[i], xs[i] = e[:k], x[:, :k]
        e, u = es.reshape(batch + (k,)), xs.reshape(batch + (m, k))
        ctx.save_for_backward(a, e, u)
        ctx.with_b = b is not None
        return e, u

    def backward(ctx, ge, gu):
        if ctx.with_b:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        a, e, u = ctx.saved_tensors
        xp = ctx.xp
        grad = None
        if ge is not None:
            grad = matmul(u * ge.unsqueeze(-2), u.mT)
        if gu is not None:
            k, m = e.shape[-1], a.shape[-1]
            eye_k = _make(xp.eye(k, dtype=e._data.dtype))
            eye_m = _make(xp.eye(m, dtype=e._data.dtype))
            # within span(U), eigh's rotation: (U^T gU)[j, i] / (e_i - e_j) off the diagonal
            diff = e.unsqueeze(-2) - e.unsqueeze(-1)
            inner = matmul(u.mT, gu) / (diff + eye_k) * (1.0 - eye_k)
            within = matmul(matmul(u, inner), u.mT)
            # out of span(U): w_i = (e_i I - A)^+ P gu_i, P = I - U U^T, solved with the shifted
            # e_i I - A + U diag(1 - e_i + e) U^T, which acts as the identity on span(U)
            proj = eye_m - matmul(u, u.mT)
            lam = e.unsqueeze(-1).unsqueeze(-1)
            shift = 1.0 - e.unsqueeze(-1) + e.unsqueeze(-2)
            lifted = matmul(u.unsqueeze(-3) * shift.unsqueeze(-2), u.mT.unsqueeze(-3))
            system = lam * eye_m - a.unsqueeze(-3) + lifted
            rhs = matmul(proj, gu).mT.unsqueeze(-1)
            w = matmul(proj, linalg_solve(system, rhs).squeeze(-1).mT)
            out = within + matmul(w, u.mT)
            grad = out if grad is None else grad + out
        return grad, None, None, None


def _ortho_defaults(iparams, fparams, bparams, tol):
    iparams.setdefault("ortho_i_max", 3)
    iparams.setdefault("ortho_j_max", 3)
    for name in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
        fparams.setdefault(name, tol)
    bparams.setdefault("ortho_use_drop", False)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
           method=None, tracker=None, ortho_iparams=None, ortho_fparams=None,
           ortho_bparams=None):
    """(E, X): the k largest (largest=False: smallest) eigenvalues of A X = B X diag(E), with A
    and B symmetric positive definite, and their eigenvectors as X's columns."""
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    # an integer A with an integer basis X (without X, the float basis's matmul with A refuses
    # the mix): torch's integer matmul computes, and its first norm refuses
    if X is not None and X.dtype == A.dtype and A._data.dtype.kind in "iu":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype.type_name(A)}")
    dtype = A.dtype if A.dtype in (_dtype.float16, _dtype.float32, _dtype.float64) \
        else _dtype.float32
    if tol is None:
        tol = {_dtype.float32: 1.2e-07, _dtype.float64: 2.23e-16}.get(dtype, 1e-3) ** 0.5
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m})"
                         f" is smaller than 3 x the number of requested eigenpairs (={n})")
    method = "ortho" if method is None else method
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams = {"tol": tol}
    bparams = {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        _ortho_defaults(iparams, fparams, bparams, tol)
    if X is None:
        X = randn(*A.shape[:-2], m, n, dtype=dtype, device=A.device)
    elif tuple(X.shape[-2:]) != (m, n) or tuple(X.shape[:-2]) != tuple(A.shape[:-2]):
        raise AssertionError(f"X shape mismatch: got {X.shape}, expected {(m, n)}")
    for other in (X, B, iK):
        if other is not None:
            _same_dtype(A, other, autocast=False)
    if A.requires_grad or (B is not None and B.requires_grad):
        # torch's symmetrization, so that A.grad is symmetric too
        A = (A + A.mT) / 2
        B = None if B is None else (B + B.mT) / 2
    params = dict(iparams, **fparams, **bparams, method=method, tracker=tracker)
    state = None if tracker is None else LOBPCGState(A.detach(), None if B is None else
                                                     B.detach(), iK, iparams, fparams, bparams)
    return LOBPCGAutogradFunction.apply(A, B, X.detach(), None if iK is None else iK.detach(),
                                        params, state)
