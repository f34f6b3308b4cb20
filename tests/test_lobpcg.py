"""torch.lobpcg (ember/ops/lobpcg.py): eigenpairs against eigh and an independent NumPy
reference, both methods, largest and smallest, the generalized problem, a given initial guess,
batches, float32 and float64; gradients numerically and against torch; torch's errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

M = 24  # rows: 3 x n must not exceed it


@pytest.fixture(autouse=True)
def _seeded():
    """The random initial guesses repeat from run to run."""
    ember.manual_seed(0)


def _spd(rng, m=M, batch=()):
    q = rng.standard_normal(batch + (m, m))
    return q @ np.swapaxes(q, -1, -2) + np.eye(m)


def _np_top(a, k, largest, b=None):
    """The k extreme eigenpairs of a x = lambda b x, by NumPy's eigh after b's Cholesky factor."""
    if b is None:
        w, v = np.linalg.eigh(a)
    else:
        l_inv = np.linalg.inv(np.linalg.cholesky(b))
        w, v = np.linalg.eigh(l_inv @ a @ l_inv.T)
        v = l_inv.T @ v
    order = np.argsort(-w if largest else w)[:k]
    return w[order], v[:, order]


def _same_up_to_sign(got, want, atol):
    signs = np.sign(np.sum(got * want, axis=-2, keepdims=True))
    np.testing.assert_allclose(got * signs, want, atol=atol)


@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_eigenpairs_match_eigh(method, largest, dtype):
    rng = np.random.default_rng(0)
    a = _spd(rng)
    e, x = ember.lobpcg(ember.tensor(a.astype(dtype)), k=3, largest=largest, method=method)
    assert str(e.dtype) == str(x.dtype) == f"torch.{dtype}" and x.shape == (M, 3)
    w, v = ember.linalg.eigh(ember.tensor(a))
    w, v = (w.flip(-1), v.flip(-1)) if largest else (w, v)
    scale = np.abs(w.numpy()).max()
    tol = 1e-4 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(e.numpy(), w.numpy()[:3], rtol=tol, atol=tol * scale)
    _same_up_to_sign(x.numpy().astype(np.float64), v.numpy()[:, :3],
                     atol=1e-2 if dtype == "float32" else 1e-6)
    residual = a @ x.numpy() - x.numpy() * e.numpy()
    assert np.linalg.norm(residual, axis=0).max() < (1e-2 if dtype == "float32" else 1e-6) * scale


@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
def test_generalized_problem(method, largest):
    rng = np.random.default_rng(1)
    a, b = _spd(rng), _spd(rng) / M + np.eye(M)
    e, x = ember.lobpcg(ember.tensor(a), k=2, B=ember.tensor(b), largest=largest,
                        method=method)
    w, v = _np_top(a, 2, largest, b)
    np.testing.assert_allclose(e.numpy(), w, rtol=1e-9)
    _same_up_to_sign(x.numpy(), v, atol=1e-5)
    np.testing.assert_allclose(x.numpy().T @ b @ x.numpy(), np.eye(2), atol=1e-8)  # B-orthonormal


def test_initial_guess_sets_n_and_k():
    rng = np.random.default_rng(2)
    a = _spd(rng)
    guess = ember.tensor(rng.standard_normal((M, 4)))
    e, x = ember.lobpcg(ember.tensor(a), X=guess)  # k defaults to X's column count
    assert e.shape == (4,) and x.shape == (M, 4)
    np.testing.assert_allclose(e.numpy(), _np_top(a, 4, True)[0], rtol=1e-9)
    e2, _ = ember.lobpcg(ember.tensor(a), k=2, X=guess, n=1)  # n is ignored when X is given
    np.testing.assert_allclose(e2.numpy(), e.numpy()[:2], rtol=1e-9)


def test_preconditioner_and_no_iteration_limit():
    rng = np.random.default_rng(3)
    a = _spd(rng)
    jacobi = ember.tensor(np.diag(1.0 / np.diag(a)))
    e, _ = ember.lobpcg(ember.tensor(a), k=2, iK=jacobi, largest=False, niter=-1)
    np.testing.assert_allclose(e.numpy(), _np_top(a, 2, False)[0], rtol=1e-9)


def test_batched_matches_each_matrix():
    rng = np.random.default_rng(4)
    a = _spd(rng, batch=(2, 3))
    e, x = ember.lobpcg(ember.tensor(a), k=2)
    assert e.shape == (2, 3, 2) and x.shape == (2, 3, M, 2)
    for i in range(2):
        for j in range(3):
            w, v = _np_top(a[i, j], 2, True)
            np.testing.assert_allclose(e.numpy()[i, j], w, rtol=1e-9)
            _same_up_to_sign(x.numpy()[i, j], v, atol=1e-6)


def test_tracker_sees_each_step_and_can_stop():
    a = ember.tensor(_spd(np.random.default_rng(5)))
    steps = []

    def record(state):
        steps.append((state.ivars["istep"], state.ivars["converged_count"],
                      tuple(state.tvars["rerr"].shape), tuple(state.X.shape)))

    ember.lobpcg(a, k=2, n=3, niter=4, tol=0.0, tracker=record)
    assert steps == [(i, 0, (3,), (M, 3)) for i in (1, 2, 3, 4)]

    def stop(state):
        steps.append(state.ivars["istep"])
        state.bvars["force_stop"] = True

    steps.clear()
    ember.lobpcg(a, k=2, tracker=stop)
    assert steps == [1]


def test_eigenvalue_gradient_numerically():
    a = ember.tensor(_spd(np.random.default_rng(6), m=9), requires_grad=True)
    assert gradcheck(lambda t: ember.lobpcg((t + t.mT) / 2, k=2, tol=1e-12)[0], (a,),
                     atol=1e-6, rtol=1e-4)


def test_eigenvalue_gradient_is_u_u_transposed():
    a = ember.tensor(_spd(np.random.default_rng(7)), requires_grad=True)
    e, x = ember.lobpcg(a, k=2)
    e[1].backward()
    u = x.detach().numpy()[:, 1]
    np.testing.assert_allclose(a.grad.numpy(), np.outer(u, u), atol=1e-7)


def test_grad_with_b_raises_like_torch():
    a = ember.tensor(_spd(np.random.default_rng(8)), requires_grad=True)
    e, _ = ember.lobpcg(a, k=2, B=ember.eye(M, dtype=ember.float64))
    with pytest.raises(ValueError, match="does not support backward with B != I"):
        e.sum().backward()


# -- against torch -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
def test_against_torch(method, largest):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    a, b = _spd(rng), _spd(rng) / M + np.eye(M)
    # torch 2.13's basic method repeats eigenvalues on this generalized problem (the NumPy
    # reference in test_generalized_problem checks ember's there)
    for kw in ({}, {"B": b}) if method == "ortho" else ({},):
        got = ember.lobpcg(ember.tensor(a), k=3, largest=largest, method=method,
                           **{k: ember.tensor(v) for k, v in kw.items()})
        want = torch.lobpcg(torch.tensor(a), k=3, largest=largest, method=method,
                            **{k: torch.tensor(v) for k, v in kw.items()})
        np.testing.assert_allclose(got[0].numpy(), want[0].numpy(), rtol=1e-8)
        _same_up_to_sign(got[1].numpy(), want[1].numpy(), atol=1e-5)


def test_gradients_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    a, weight = _spd(rng), rng.standard_normal((M, M))
    grads = []
    for m in (ember, torch):
        t = m.tensor(a, requires_grad=True)
        e, x = m.lobpcg(t, k=3)
        assert type(e.grad_fn).__name__ == "LOBPCGAutogradFunctionBackward"
        # eigenvalues, and the sign-free projector x x^T onto the eigenvectors
        loss = (e * m.tensor([1.0, -2.0, 0.5], dtype=m.float64)).sum() + \
            ((x @ x.mT) * m.tensor(weight)).sum()
        loss.backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-6)
    np.testing.assert_allclose(grads[0], grads[0].T, atol=1e-12)  # A is symmetrized first


ERRORS = {
    "too_few_rows": lambda m, a: m.lobpcg(a, k=9),
    "x_shape": lambda m, a: m.lobpcg(a, X=m.ones(M + 1, 2, dtype=m.float64)),
    "x_dtype": lambda m, a: m.lobpcg(a, X=m.ones(M, 2)),
    "b_shape": lambda m, a: m.lobpcg(a, B=m.eye(M + 1, dtype=m.float64)),
    "not_square": lambda m, a: m.lobpcg(a[:, :-1]),
    "integer": lambda m, a: m.lobpcg(a.long()),
    "vector": lambda m, a: m.lobpcg(a[0]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_like_torch(name):
    torch = pytest.importorskip("torch")
    a = _spd(np.random.default_rng(11))
    with pytest.raises(Exception) as want:
        ERRORS[name](torch, torch.tensor(a))
    with pytest.raises(type(want.value)) as got:
        ERRORS[name](ember, ember.tensor(a))
    assert str(got.value).replace("ember", "torch") == str(want.value)
