"""Complex inputs to the decompositions that are not holomorphic (Cholesky, eigh, SVD, QR,
slogdet) and to what is built on them: values and gradients of real losses against torch 2.13,
batched inputs, losses that do not depend on eigen/singular vector phases, float64 gradcheck, and
torch's error where a loss does depend on those phases."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)


def _cx(*shape):
    return RNG.uniform(-1, 1, shape) + 1j * RNG.uniform(-1, 1, shape)


def _hpd(*shape):
    """Hermitian positive-definite matrices, far from singular."""
    a = _cx(*shape)
    return a @ np.swapaxes(a, -1, -2).conj() + shape[-1] * np.eye(shape[-1])


def _run(m, fn, arrays):
    ins = [m.tensor(a.copy(), requires_grad=True) for a in arrays]
    r = fn(m, *ins)
    outs = list(r) if isinstance(r, (tuple, list)) else [r]
    sum(((o.abs() ** 2).sum() if o.is_complex() else (o ** 2).sum()) for o in outs).backward()
    return ([o.detach().resolve_conj().numpy() for o in outs],
            [t.grad.resolve_conj().numpy() for t in ins])


def _same_as_torch(fn, *arrays):
    """fn(module, *leaves) gives the same outputs and the same gradients of sum |out|^2."""
    e_vals, e_grads = _run(ember, fn, arrays)
    t_vals, t_grads = _run(torch, fn, arrays)
    for e, t in zip(e_vals + e_grads, t_vals + t_grads):
        assert e.dtype == t.dtype and e.shape == t.shape
        np.testing.assert_allclose(e, t, rtol=1e-7, atol=1e-9)


def _leaf(a):
    return ember.tensor(a, requires_grad=True)


# -- Cholesky -------------------------------------------------------------------------------------

@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_batched_matches_torch(upper):
    _same_as_torch(lambda m, a: m.linalg.cholesky(a, upper=upper), _hpd(2, 3, 3))


def test_cholesky_upper_reads_the_upper_triangle():
    a = _cx(3, 3)
    sym = a @ a.T + 4 * np.eye(3)  # complex symmetric: its triangles are not each other's conj
    _same_as_torch(lambda m, a: m.linalg.cholesky(a, upper=True), sym)
    _same_as_torch(lambda m, a: m.linalg.cholesky(a), sym)


def test_cholesky_gradcheck():
    assert gradcheck(lambda a: ember.linalg.cholesky(a @ a.mH + 3 * ember.eye(3)),
                     (_leaf(_cx(2, 3, 3)),))


def test_cholesky_ex_info_and_error_match_torch():
    a = _hpd(3, 3)
    a[1, 1] = -5.0
    ours, theirs = ember.linalg.cholesky_ex(ember.tensor(a)), torch.linalg.cholesky_ex(
        torch.tensor(a))
    assert int(ours.info) == int(theirs.info) == 2
    np.testing.assert_allclose(ours.L.numpy(), theirs.L.numpy())
    with pytest.raises(RuntimeError) as t_err:
        torch.linalg.cholesky(torch.tensor(a))
    with pytest.raises(ember.linalg.LinAlgError) as e_err:
        ember.linalg.cholesky(ember.tensor(a))
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse_match_torch(upper):
    factor = np.linalg.cholesky(_hpd(2, 3, 3))
    factor = np.swapaxes(factor, -1, -2).conj() if upper else factor
    _same_as_torch(lambda m, f, b: m.cholesky_solve(b, f, upper), factor, _cx(2, 3, 2))
    _same_as_torch(lambda m, f: m.cholesky_inverse(f, upper), factor)
    # the factor's triangle (cholesky_inverse: below a fixed real diagonal) is what is read
    part = (lambda f: f.triu(1)) if upper else (lambda f: f.tril(-1))
    diag = ember.tensor(np.diag(np.diagonal(factor, 0, -2, -1).real[0]))
    assert gradcheck(lambda f, b: ember.cholesky_solve(b, f.triu() if upper else f.tril(), upper),
                     (_leaf(factor), _leaf(_cx(2, 3, 2))))
    assert gradcheck(lambda f: ember.cholesky_inverse(part(f) + diag, upper), (_leaf(factor),))


def test_cholesky_inverse_refuses_a_factor_with_a_complex_diagonal():
    with pytest.raises(NotImplementedError, match="complex inputs are not supported"):
        ember.cholesky_inverse(ember.tensor(np.tril(_cx(3, 3))))


# -- eigh -----------------------------------------------------------------------------------------

def _phase_free_eigh(m, a):
    """Eigenvalues, |V| and the projector V diag(w) V^H: none depends on V's phases."""
    w, v = m.linalg.eigh(a + a.mH)
    return w, v.abs(), (v * w.unsqueeze(-2)) @ v.mH


def test_eigh_batched_phase_free_losses_match_torch():
    _same_as_torch(_phase_free_eigh, _cx(2, 3, 3))
    _same_as_torch(lambda m, a: m.linalg.eigvalsh(a, UPLO="U"), _cx(2, 4, 4))


def test_eigh_of_a_complex_symmetric_input_reads_one_triangle_as_torch():
    _same_as_torch(lambda m, a: m.linalg.eigh(a + a.mT)[0], _cx(3, 3))
    _same_as_torch(lambda m, a: m.linalg.eigh(a + a.mT)[1].abs(), _cx(3, 3))


def test_eigh_gradcheck():
    assert gradcheck(lambda a: _phase_free_eigh(ember, a), (_leaf(_cx(3, 3)),))


def test_eigh_phase_dependent_loss_raises_as_torch():
    a = _hpd(3, 3)
    errors = []
    for m in (torch, ember):
        x = m.tensor(a, requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            m.linalg.eigh(x)[1].real.sum().backward()
        errors.append(str(err.value))
    assert errors[0] == errors[1]


# -- SVD and what is built on it ------------------------------------------------------------------

def _phase_free_svd(m, a):
    """S, |U|, |Vh| and U diag(S + 1) Vh: U and V share each phase, so none depends on it."""
    u, s, vh = m.linalg.svd(a, full_matrices=False)
    return s, u.abs(), vh.abs(), (u * (s + 1).unsqueeze(-2)) @ vh


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 3), (2, 2, 3)])
def test_svd_phase_free_losses_match_torch(shape):
    _same_as_torch(_phase_free_svd, _cx(*shape))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3)])
def test_svd_gradcheck(shape):
    assert gradcheck(lambda a: _phase_free_svd(ember, a), (_leaf(_cx(*shape)),))


def test_svd_phase_dependent_loss_raises_as_torch():
    a = _cx(3, 2)
    errors = []
    for m in (torch, ember):
        x = m.tensor(a, requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            m.linalg.svd(x, full_matrices=False)[0].real.sum().backward()
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_legacy_svd_gives_v_as_vh_conjugate_transposed():
    _same_as_torch(lambda m, a: (lambda u, s, v: (u @ v.mH, s))(*m.svd(a)), _cx(2, 4, 3))


@pytest.mark.parametrize("fn", [
    lambda m, a: m.linalg.svdvals(a),
    lambda m, a: m.linalg.pinv(a),
    lambda m, a: m.pinverse(a),
    lambda m, a: m.linalg.matrix_norm(a, "nuc"),
    lambda m, a: m.linalg.matrix_norm(a, 2),
    lambda m, a: m.linalg.cond(a),
])
def test_built_on_the_svd_match_torch(fn):
    _same_as_torch(fn, _cx(2, 4, 3))


def test_pinv_gradcheck_and_matrix_rank():
    assert gradcheck(lambda a: ember.linalg.pinv(a), (_leaf(_cx(3, 2)),))
    a = _cx(4, 2) @ _cx(2, 3)
    assert int(ember.linalg.matrix_rank(ember.tensor(a))) == int(
        torch.linalg.matrix_rank(torch.tensor(a))) == 2


@pytest.mark.parametrize("driver", [None, "gelsd"])
def test_lstsq_matches_torch(driver):
    def solve(m, a, b):
        r = m.linalg.lstsq(a, b, driver=driver)
        return (r.solution,) + ((r.residuals, r.singular_values) if driver else ())
    _same_as_torch(solve, _cx(2, 5, 3), _cx(2, 5, 2))
    assert gradcheck(lambda a, b: ember.linalg.lstsq(a, b).solution,
                     (_leaf(_cx(4, 2)), _leaf(_cx(4, 1))))


# -- slogdet, logdet, QR --------------------------------------------------------------------------

def _sign_and_logabs(a):
    sign, logabs = ember.linalg.slogdet(a)
    return sign * 3 + logabs


def test_slogdet_sign_and_logabsdet_gradients_match_torch():
    a = _cx(2, 3, 3) + 2 * np.eye(3)
    _same_as_torch(lambda m, a: m.linalg.slogdet(a), a)
    _same_as_torch(lambda m, a: (m.linalg.slogdet(a).sign * (1 + 2j)).real, a)
    assert gradcheck(_sign_and_logabs, (_leaf(a),))


def test_logdet_is_the_complex_log_of_det():
    a = _cx(2, 3, 3) + 2 * np.eye(3)
    _same_as_torch(lambda m, a: m.logdet(a) * (0.5 - 1j), a)
    np.testing.assert_allclose(ember.logdet(ember.tensor(a)).numpy(),
                               np.log(np.linalg.det(a)))
    assert gradcheck(lambda a: ember.logdet(a), (_leaf(a),))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3), (3, 5)])
def test_qr_matches_torch_and_gradchecks(shape):
    _same_as_torch(lambda m, a: m.linalg.qr(a), _cx(*shape))
    assert gradcheck(lambda a: ember.linalg.qr(a), (_leaf(_cx(*shape)),))


# -- Householder form (geqrf, householder_product, ormqr) ----------------------------------------

def test_geqrf_values_and_its_refusal_to_differentiate_complex_match_torch():
    a = _cx(4, 3)
    for ours, theirs in zip(ember.geqrf(ember.tensor(a)), torch.geqrf(torch.tensor(a))):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)
    with pytest.raises(RuntimeError) as t_err:
        torch.geqrf(torch.tensor(a, requires_grad=True))
    with pytest.raises(RuntimeError) as e_err:
        ember.geqrf(ember.tensor(a, requires_grad=True))
    assert str(e_err.value) == str(t_err.value)


def test_householder_product_matches_torch_and_gradchecks():
    _same_as_torch(lambda m, a, t: m.linalg.householder_product(a, t), _cx(2, 4, 3), _cx(2, 2))
    assert gradcheck(lambda a, t: ember.linalg.householder_product(a, t),
                     (_leaf(_cx(4, 3)), _leaf(_cx(3))))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_ormqr_applies_q_or_its_conjugate_transpose_as_torch(left, transpose):
    c = _cx(4, 2) if left else _cx(2, 4)
    _same_as_torch(lambda m, a, t, c: m.ormqr(a, t, c, left, transpose), _cx(4, 3), _cx(3), c)
    assert gradcheck(lambda a, t, c: ember.ormqr(a, t, c, left, transpose),
                     (_leaf(_cx(4, 3)), _leaf(_cx(3)), _leaf(c)))


@pytest.mark.parametrize("left", [True, False])
def test_lu_solve_adjoint_solves_with_the_conjugate_transpose_as_torch(left):
    a = _cx(2, 3, 3) + 3 * np.eye(3)
    b = _cx(2, 3, 2) if left else _cx(2, 2, 3)
    _same_as_torch(lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, left=left,
                                                     adjoint=True), a, b)
    assert gradcheck(lambda a, b: ember.linalg.lu_solve(*ember.linalg.lu_factor(a), b,
                                                        left=left, adjoint=True),
                     (_leaf(a[0]), _leaf(b[0])))
