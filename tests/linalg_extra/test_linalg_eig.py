"""torch.linalg.eig and eigvals against torch: complex output dtypes, the decomposition itself
(A V = V diag(L), unit eigenvectors), batches, gradients (real and complex inputs, the phase error),
grad_fn names, return type and refusals."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _matrices(shape, dtype=None, complex_=False, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if complex_:
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype or ("complex128" if complex_ else "float64"))


def _order(w):
    return np.lexsort((w.imag.round(3), w.real.round(3)), axis=-1)


def _take(x, order):
    """x's last axis permuted by order (per batch); on eigenvectors, their columns."""
    if x.ndim == order.ndim:
        return np.take_along_axis(x, order, -1)
    return np.take_along_axis(x, order[..., None, :], -1)


@pytest.mark.parametrize("dtype,want", [("float32", "complex64"), ("float64", "complex128"),
                                        ("complex64", "complex64"),
                                        ("complex128", "complex128")])
def test_values_and_dtypes(dtype, want):
    a = _matrices((3, 5, 5), dtype, complex_=dtype.startswith("complex"))
    w, v = ember.linalg.eig(ember.tensor(a))
    tw, tv = torch.linalg.eig(torch.tensor(a))
    assert str(w.dtype) == str(v.dtype) == str(tw.dtype) == f"torch.{want}"
    assert tuple(w.shape) == (3, 5) and tuple(v.shape) == (3, 5, 5)
    tol = 1e-4 if want == "complex64" else 1e-11
    # the same eigenpairs as torch's, up to their order (unspecified: single-precision LAPACK
    # may list them differently) and each eigenvector's phase
    order, t_order = _order(w.numpy()), _order(tw.numpy())
    np.testing.assert_allclose(_take(w.numpy(), order), _take(tw.numpy(), t_order), atol=tol)
    np.testing.assert_allclose(np.abs(_take(v.numpy(), order)), np.abs(_take(tv.numpy(), t_order)),
                               atol=tol)
    # and they are what they claim: unit columns with A V = V diag(L)
    vn, wn = v.numpy().astype(np.complex128), w.numpy().astype(np.complex128)
    np.testing.assert_allclose(np.linalg.norm(vn, axis=-2), 1.0, atol=tol)
    np.testing.assert_allclose(a @ vn, vn * wn[..., None, :], atol=tol * 10)
    np.testing.assert_allclose(ember.linalg.eigvals(ember.tensor(a)).numpy(), w.numpy())


def test_real_eigenvalues_still_complex_and_repr():
    a = np.diag([3.0, 1.0, 2.0])
    got, want = ember.linalg.eig(ember.tensor(a)), torch.linalg.eig(torch.tensor(a))
    assert repr(got) == repr(want)
    assert got.eigenvalues is got[0] and got.eigenvectors is got[1]
    empty = ember.linalg.eig(ember.zeros(2, 0, 0))
    assert tuple(empty.eigenvalues.shape) == (2, 0) and str(empty.eigenvalues.dtype) == \
        "torch.complex64"


def _phase_free_loss(m, w, v):
    weights = m.arange(float(v.shape[-1]), dtype=v.real.dtype)
    return (v.abs() ** 2 * weights).sum() + (w * w).real.sum() \
        + (w.imag * v[..., 0, :].abs()).sum()


@pytest.mark.parametrize("complex_", [False, True])
def test_gradients_against_torch(complex_):
    a = _matrices((2, 4, 4), complex_=complex_, seed=1)
    e_a = ember.tensor(a, requires_grad=True)
    t_a = torch.tensor(a, requires_grad=True)
    e_out, t_out = ember.linalg.eig(e_a), torch.linalg.eig(t_a)
    assert type(e_out[0].grad_fn).__name__ == type(t_out[0].grad_fn).__name__ == \
        "LinalgEigBackward0"
    _phase_free_loss(ember, *e_out).backward()
    _phase_free_loss(torch, *t_out).backward()
    assert str(e_a.grad.dtype) == str(t_a.grad.dtype)
    np.testing.assert_allclose(e_a.grad.numpy(), t_a.grad.numpy(), atol=1e-10)
    e_b = ember.tensor(a, requires_grad=True)
    t_b = torch.tensor(a, requires_grad=True)
    ember.linalg.eigvals(e_b).abs().sum().backward()
    torch.linalg.eigvals(t_b).abs().sum().backward()
    assert type(ember.linalg.eigvals(e_b).grad_fn).__name__ == "LinalgEigBackward0"
    np.testing.assert_allclose(e_b.grad.numpy(), t_b.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("complex_", [False, True])
def test_gradcheck(complex_):
    a = ember.tensor(_matrices((3, 3), complex_=complex_, seed=2), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: _phase_free_loss(ember, *ember.linalg.eig(x)), (a,))
    assert ember.autograd.gradcheck(lambda x: ember.linalg.eigvals(x), (a,))


def test_phase_dependent_loss_raises_like_torch():
    a = np.array([[1.0, -2.0, 0.3], [1.5, 0.5, 0.1], [0.2, 0.1, 3.0]])  # a complex pair
    e_a, t_a = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError) as e_err:
        ember.linalg.eig(e_a)[1].real.sum().backward()
    with pytest.raises(RuntimeError) as t_err:
        torch.linalg.eig(t_a)[1].real.sum().backward()
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("fn", ["eig", "eigvals"])
def test_refusals_like_torch(fn):
    e_fn, t_fn = getattr(ember.linalg, fn), getattr(torch.linalg, fn)
    nan = np.array([[1.0, np.nan], [0.0, 1.0]])
    for a, grad in ((np.ones((2, 3)), False), (np.ones(3), False),
                    (np.ones((2, 2), np.int64), False), (nan, True)):
        with pytest.raises(RuntimeError) as e_err:
            e_fn(ember.tensor(a, requires_grad=grad))
        with pytest.raises(RuntimeError) as t_err:
            t_fn(torch.tensor(a, requires_grad=grad))
        assert str(e_err.value) == str(t_err.value)
    with pytest.raises(NotImplementedError):
        e_fn(ember.ones(2, 2, dtype=ember.float16))
    with pytest.raises(NotImplementedError):
        t_fn(torch.ones(2, 2, dtype=torch.float16))


def test_eigvals_without_grad_takes_infinite_matrices():
    """torch's eig refuses inf/NaN always; its eigvals only when a gradient is wanted."""
    a = np.stack([np.array([[1.0, np.inf], [0.0, 1.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])])
    got, want = ember.linalg.eigvals(ember.tensor(a)), torch.linalg.eigvals(torch.tensor(a))
    assert np.isnan(got.numpy()[0]).all() and np.isnan(want.numpy()[0]).all()
    np.testing.assert_allclose(got.numpy()[1], want.numpy()[1], atol=1e-12)
    with pytest.raises(RuntimeError):
        ember.linalg.eig(ember.tensor(a))
