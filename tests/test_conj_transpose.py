"""x.mH, x.adjoint(), ember.adjoint, x.H and x.mT against torch: the conjugate transpose of the
last two dims for complex tensors (values, grad_fn names, gradients), plain transposes for real
ones, and torch's errors and 0-D deprecation warnings."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")

CONJ_TRANSPOSES = {
    "mH": lambda m, x: x.mH,
    "adjoint": lambda m, x: x.adjoint(),
    "function": lambda m, x: m.adjoint(x),
    "H": lambda m, x: x.H,
}


def _pair(shape, dtype):
    a = np.random.default_rng(0).standard_normal(shape + (2,))
    if dtype == "complex128":
        a = a[..., 0] + 1j * a[..., 1]
    else:
        a = a[..., 0]
    return (ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))


@pytest.mark.parametrize("name", CONJ_TRANSPOSES)
@pytest.mark.parametrize("dtype", ["complex128", "float64"])
def test_values_grad_fn_and_gradients_match_torch(name, dtype):
    shape = (3, 4) if name == "H" else (2, 3, 4)
    e, t = _pair(shape, dtype)
    f = CONJ_TRANSPOSES[name]
    ye, yt = f(ember, e), f(torch, t)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().resolve_conj().numpy())
    assert ye.dtype == ember.complex128 if dtype == "complex128" else ember.float64
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__
    assert [type(n).__name__ for n, _ in ye.grad_fn.next_functions] == \
        [type(n).__name__ for n, _ in yt.grad_fn.next_functions]
    # a weight that is not conjugate-symmetric exposes a missing or extra conjugation
    w = np.arange(np.prod(ye.shape), dtype=np.float64).reshape(ye.shape)
    w = w + 0.5j * w[::-1] if dtype == "complex128" else w
    (ye * ember.tensor(w)).abs().sum().backward()
    (yt * torch.tensor(w)).abs().sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_gradcheck_and_mT_stays_a_transpose():
    e, _ = _pair((2, 3, 4), "float64")
    assert gradcheck(lambda x: x.mH * 2, (e,))
    c, _ = _pair((2, 3), "complex128")  # complex inputs: both parts perturbed
    assert gradcheck(lambda x: x.mH * (1 + 2j), (c,))
    assert gradcheck(lambda x: x.H.abs(), (c,))
    z, zt = _pair((2, 3), "complex128")
    np.testing.assert_array_equal(z.mT.detach().numpy(), zt.mT.detach().numpy())


@pytest.mark.parametrize("name,ndim", [("mH", 1), ("adjoint", 1), ("function", 1), ("H", 1),
                                       ("H", 3)])
def test_errors_match_torch(name, ndim):
    shape = (2, 3, 4)[:ndim]
    f = CONJ_TRANSPOSES[name]
    with pytest.raises(RuntimeError) as want:
        f(torch, torch.zeros(shape))
    with pytest.raises(RuntimeError) as got:
        f(ember, ember.zeros(shape))
    assert str(got.value) == str(want.value)


# torch warns once per process, and torch.adjoint shares x.adjoint()'s warning
@pytest.mark.parametrize("name", ["mH", "adjoint", "H", "mT"])
def test_zero_dim_warns_as_torch(name):
    f = CONJ_TRANSPOSES.get(name, lambda m, x: x.mT)
    messages = []
    for m in (torch, ember):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = f(m, m.tensor(1.0 + 2.0j))
        assert y.item() == (1 + 2j if name == "mT" else 1 - 2j)
        messages.append([str(w.message).split(" (Triggered")[0] for w in caught
                         if issubclass(w.category, UserWarning)])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def _t_warnings(m, ndim):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = m.zeros((2, 3, 4)[:ndim]).T
    assert tuple(y.shape) == (2, 3, 4)[:ndim][::-1]
    return [(w.category, str(w.message).split(" (Triggered")[0]) for w in caught]


# torch warns once per process for x.T on 1-D and 3-D tensors alike, so warn_always lets each
# case see its warning
@pytest.mark.parametrize("ndim", [0, 1, 2, 3])
def test_t_deprecation_warnings_match_torch(ndim):
    was = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        want = _t_warnings(torch, ndim)
    finally:
        torch.set_warn_always(was)
    got = _t_warnings(ember, ndim)
    assert got == want
    assert len(got) == (ndim != 2) and all(c is UserWarning for c, _ in got)
