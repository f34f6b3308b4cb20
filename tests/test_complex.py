"""Complex tensors against torch: dtypes and promotion, creation, printing, real/imag views,
conj, abs/angle, complex/polar, view_as_real/view_as_complex, arithmetic and reductions, the
gradient convention (torch's .grad values exactly, and finite differences through real
parametrisations), and torch's errors."""
import itertools
import warnings

import numpy as np
import pytest

import ember
from ember import _dtype
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
         "complex64", "complex128"]


def _np(t):
    return t.detach().resolve_conj().numpy() if hasattr(t, "resolve_conj") else t


def test_dtype_attributes_and_names():
    for name in ("complex64", "complex128", "float32", "float64", "int64"):
        e, t = getattr(ember, name), getattr(torch, name)
        assert (e.is_complex, e.is_floating_point, e.is_signed, e.itemsize, repr(e)) == \
            (t.is_complex, t.is_floating_point, t.is_signed, t.itemsize, repr(t))
        assert repr(e.to_real()) == repr(t.to_real())
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128
    assert ember.float64.to_complex() is ember.complex128
    assert ember.float32.to_complex() is ember.complex64
    assert ember.complex64.to_complex() is ember.complex64
    with pytest.raises(RuntimeError, match="Unknown Complex ScalarType for Long"):
        ember.int64.to_complex()
    with pytest.raises(TypeError, match="complex32"):
        ember.float16.to_complex()
    z = ember.ones(2, dtype=ember.complex64)
    assert z.is_complex() and not z.is_floating_point() and z.is_signed()
    assert not ember.ones(2).is_complex()
    assert z.type() == torch.ones(2, dtype=torch.complex64).type() == "torch.ComplexFloatTensor"
    assert ember.ones(2).cdouble().dtype is ember.complex128
    assert ember.ones(2, dtype=ember.float64).cfloat().dtype is ember.complex64


def _operand(name, kind):
    shape = (2,) if kind == "dim" else ()
    return np.ones(shape, dtype=name), torch.ones(shape, dtype=getattr(torch, name))


@pytest.mark.parametrize("kind", ["dim", "zero"])
def test_promotion_matches_torch_result_type(kind):
    checked = 0
    for a, b in itertools.product(NAMES, repeat=2):
        na, ta = _operand(a, "dim")
        nb, tb = _operand(b, kind)
        want = torch.result_type(ta, tb)
        checked += 1
        if want == torch.complex32:  # float16 beside a zero-dim complex: ember has no complex32
            with pytest.raises(TypeError, match="complex32"):
                _dtype.result_type(na, nb)
            continue
        assert str(_dtype.result_type(na, nb)) == str(want).removeprefix("torch."), (a, b, kind)
    assert checked == len(NAMES) ** 2


@pytest.mark.parametrize("scalar", [True, 3, 2.5, 1j])
@pytest.mark.parametrize("kind", ["dim", "zero"])
def test_promotion_with_python_numbers(scalar, kind):
    for name in NAMES:
        na, ta = _operand(name, kind)
        want = torch.result_type(ta, scalar)
        if want == torch.complex32:  # float16 with a complex number: ember has no complex32
            with pytest.raises(TypeError, match="complex32"):
                _dtype.result_type(na, scalar)
            continue
        assert str(_dtype.result_type(na, scalar)) == str(want).removeprefix("torch."), name


def test_promotion_in_arithmetic():
    cases = [("float64", "complex64"), ("float32", "complex128"), ("int64", "complex64"),
             ("complex64", "complex128"), ("bool", "complex64")]
    for a, b in cases:
        ea, eb = ember.ones(2, dtype=getattr(ember, a)), ember.ones(2, dtype=getattr(ember, b))
        ta, tb = torch.ones(2, dtype=getattr(torch, a)), torch.ones(2, dtype=getattr(torch, b))
        for op in ("__add__", "__sub__", "__mul__", "__truediv__"):
            if op == "__sub__" and a == "bool":  # torch refuses a bool operand of -
                continue
            assert repr(getattr(ea, op)(eb).dtype) == repr(getattr(ta, op)(tb).dtype), (a, b, op)
    for name in ("float32", "float64", "int64", "bool"):
        e, t = ember.ones(2, dtype=getattr(ember, name)), torch.ones(2, dtype=getattr(torch, name))
        assert repr((e * 1j).dtype) == repr((t * 1j).dtype)
        assert repr((e + (2 - 1j)).dtype) == repr((t + (2 - 1j)).dtype)


def test_creation_from_python_and_numpy():
    cases = [[1 + 2j, 3 - 1j], 1 + 2j, [[1, 2j], [3.5, -1]], np.array([1 + 2j]),
             np.array([1 - 1j], dtype=np.complex64), [np.complex64(1 + 1j)],
             [np.complex128(2 - 1j)]]
    for data in cases:
        e, t = ember.tensor(data), torch.tensor(data)
        assert repr(e.dtype) == repr(t.dtype), data
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert ember.tensor([1j], dtype=ember.complex128).dtype is ember.complex128
    assert ember.tensor([1, 2], dtype=ember.complex64).dtype is ember.complex64
    assert ember.from_numpy(np.zeros(2, np.complex128)).dtype is ember.complex128
    assert ember.zeros(3, dtype=ember.cfloat).dtype is ember.complex64
    assert repr(ember.full((2,), 1 - 1j)) == repr(torch.full((2,), 1 - 1j))
    assert ember.zeros(2, dtype=ember.complex64).fill_(2 - 1j).tolist() == [2 - 1j, 2 - 1j]
    assert complex(ember.tensor(1 + 2j)) == 1 + 2j and ember.tensor([3 - 4j]).item() == 3 - 4j
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1j]).dtype is ember.complex128
        assert repr(ember.tensor([1j])) == "tensor([0.+1.j])"
    finally:
        ember.set_default_dtype(ember.float32)


PRINTED = [
    ([1 + 2j, 3 - 1j], None), (1 + 2j, None), ([1 + 2j], "complex128"),
    ([1.5 + 2j, -3.25 - 1e-5j, 0j, -0.0 - 0.0j], None), ([[1e10 + 2j, 3 - 1j]], None),
    ([0.1234567 + 1j, 2 - 1e6j], None), ([complex("nan+infj"), 1 - 1j], None), ([], "complex64"),
    ([[1 + 1j] * 5] * 300, None), ([1e-8 + 1e-8j, 1 + 1j], "complex128"),
]


@pytest.mark.parametrize("data,dtype", PRINTED)
def test_printing_matches_torch(data, dtype):
    e = ember.tensor(data, dtype=None if dtype is None else getattr(ember, dtype))
    t = torch.tensor(data, dtype=None if dtype is None else getattr(torch, dtype))
    assert repr(e) == repr(t)


def test_printing_autograd_suffixes():
    z = ember.tensor([1 + 1j], dtype=ember.complex128, requires_grad=True)
    tz = torch.tensor([1 + 1j], dtype=torch.complex128, requires_grad=True)
    assert repr(z) == repr(tz)
    assert repr(z * 2) == repr(tz * 2)


def _pair(values, dtype="complex128", grad=True):
    return (ember.tensor(values, dtype=getattr(ember, dtype), requires_grad=grad),
            torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=grad))


Z = [1 + 2j, 3 - 1j, 0j, -0.5 + 0.25j]
W = [0.5 - 1j, 2 + 0.3j, 1j, -2 - 2j]
R = [1.0, 2.0, 3.0, 0.5]
I = [0.5, -1.0, 2.0, -3.0]

UNARY = {
    "real": lambda m, z: z.real, "imag": lambda m, z: z.imag, "conj": lambda m, z: z.conj(),
    "conj_fn": lambda m, z: m.conj(z), "conj_physical": lambda m, z: m.conj_physical(z),
    "abs": lambda m, z: z.abs(), "angle": lambda m, z: z.angle(), "neg": lambda m, z: -z,
    "view_as_real": lambda m, z: m.view_as_real(z), "sum": lambda m, z: z.sum(),
    "mean": lambda m, z: z.mean(), "sum_dim": lambda m, z: z.reshape(2, 2).sum(0),
    "mean_dim": lambda m, z: z.reshape(2, 2).mean(1, keepdim=True),
    "sgn": lambda m, z: m.sgn(z), "to_real": lambda m, z: z.to(m.float64),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_dtypes_and_grad_fn(name):
    fn = UNARY[name]
    (z, tz) = _pair(Z)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # complex to real discards the imaginary
        e, t = fn(ember, z), fn(torch, tz)
    assert repr(e.dtype) == repr(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(_np(e), _np(t), rtol=1e-12, atol=1e-15)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "rsub": lambda a, b: 2 - a + b * 0.5,
          "scalar": lambda a, b: a * (1 - 2j) + b / (0.5 + 1j)}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("dtypes", [("complex128", "complex128"), ("float64", "complex128"),
                                    ("complex128", "float64"), ("complex64", "float32")])
def test_arithmetic_values_and_gradients_match_torch(name, dtypes):
    fn = BINARY[name]
    a_vals = Z if dtypes[0].startswith("complex") else R
    b_vals = W if dtypes[1].startswith("complex") else I
    (a, ta), (b, tb) = _pair(a_vals, dtypes[0]), _pair(b_vals, dtypes[1])
    e, t = fn(a, b), fn(ta, tb)
    assert repr(e.dtype) == repr(t.dtype) and type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    np.testing.assert_allclose(_np(e), _np(t), rtol=1e-6)
    # a real loss of the complex result: |e|^2 weighted, plus its angle
    (e.abs() * ember.arange(1, 5) + e.angle()).sum().backward()
    (t.abs() * torch.arange(1, 5) + t.angle()).sum().backward()
    for x, tx in ((a, ta), (b, tb)):
        assert repr(x.grad.dtype) == repr(tx.grad.dtype)
        np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=1e-5, atol=1e-6)


LOSSES = [
    lambda m, z, w, r, i: (z * w).abs().sum(),
    lambda m, z, w, r, i: (z / w).real.sum(),
    lambda m, z, w, r, i: z.abs().sum() + z.angle().sum(),
    lambda m, z, w, r, i: (z.conj() * w).imag.sum(),
    lambda m, z, w, r, i: (m.complex(r, i) * m.complex(r, i)).abs().sum(),
    lambda m, z, w, r, i: (m.polar(r, i) * w).real.sum(),
    lambda m, z, w, r, i: (r * (1 + 2j)).abs().sum() + (r / (w + 1)).imag.sum(),
    lambda m, z, w, r, i: m.view_as_real(z * w).pow(2).sum(),
    lambda m, z, w, r, i: (m.view_as_complex(m.stack([r, i], -1)) * z).angle().mean(),
    lambda m, z, w, r, i: ((z - w) * (z + 2)).mean().abs(),
    lambda m, z, w, r, i: (r.to(m.complex128) * z).real.sum(),
    lambda m, z, w, r, i: (2 - z).sum().real + (1j * z).sum().imag,
    lambda m, z, w, r, i: (m.sgn(z) * w).real.sum(),
]


@pytest.mark.parametrize("k", range(len(LOSSES)))
def test_gradients_of_real_losses_equal_torchs(k):
    (z, tz), (w, tw) = _pair(Z), _pair(W)
    (r, tr), (i, ti) = _pair(R, "float64"), _pair(I, "float64")
    LOSSES[k](ember, z, w, r, i).backward()
    LOSSES[k](torch, tz, tw, tr, ti).backward()
    for x, tx in ((z, tz), (w, tw), (r, tr), (i, ti)):
        assert (x.grad is None) == (tx.grad is None)
        if x.grad is not None:
            assert repr(x.grad.dtype) == repr(tx.grad.dtype)
            np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=1e-12, atol=1e-14)


def _through_parts(fn):
    """fn of complex tensors as a function of their real and imaginary parts, returning real
    pairs: gradcheck's real Jacobian then checks the complex backward completely."""
    def real_fn(*parts):
        zs = [ember.complex(parts[j], parts[j + 1]) for j in range(0, len(parts), 2)]
        return ember.view_as_real(fn(*zs))
    return real_fn


GRADCHECKED = {
    "mul": lambda a, b: a * b, "div": lambda a, b: a / b, "sub": lambda a, b: a - 2 * b,
    "conj": lambda a, b: a.conj() * b, "abs": lambda a, b: (a.abs() * b),
    "angle": lambda a, b: a.angle() + b, "real_imag": lambda a, b: a.real * b + a.imag,
    "sum": lambda a, b: (a * b).sum(0, keepdim=True), "mean": lambda a, b: (a + b).mean(),
    "polar": lambda a, b: ember.polar(a.abs(), b.angle()),
    "view_as_complex": lambda a, b: ember.view_as_complex(ember.view_as_real(a) * 2) * b,
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradcheck_through_real_parts(name):
    rng = np.random.default_rng(0)
    parts = [ember.tensor(rng.normal(size=(3,)) + 0.5, dtype=ember.float64, requires_grad=True)
             for _ in range(4)]
    assert gradcheck(_through_parts(GRADCHECKED[name]), parts)


def test_gradgradcheck_of_mul_and_div():
    rng = np.random.default_rng(1)
    parts = [ember.tensor(rng.normal(size=(3,)) + 1.0, dtype=ember.float64, requires_grad=True)
             for _ in range(4)]
    assert gradgradcheck(_through_parts(lambda a, b: a * b / (b + 3)), parts)


def test_real_and_imag_are_views():
    for m in (ember, torch):
        z = m.tensor([1 + 2j, 3 - 4j])
        z.real.mul_(3)
        z.imag[1] = 7.0
        assert z.tolist() == [3 + 2j, 9 + 7j]
        z.imag = m.tensor([0.5, -0.5])
        assert z.tolist() == [3 + 0.5j, 9 - 0.5j]
        pairs = m.view_as_real(z)
        pairs[0, 0] = 10.0
        assert z[0].item() == 10 + 0.5j
        back = m.view_as_complex(pairs)
        back[1] = 1j
        assert z.tolist() == [10 + 0.5j, 1j]
    x = ember.ones(2)
    assert x.real is x and x.conj() is x and ember.conj(x) is x and x.resolve_conj() is x
    assert not ember.ones(2, dtype=ember.complex64).conj().is_conj()


def test_view_as_real_of_strided_tensor():
    data = np.arange(12).reshape(3, 4) + 1j * np.arange(12).reshape(3, 4)
    e, t = ember.tensor(data).t(), torch.tensor(data).t()
    assert ember.view_as_real(e).stride() == torch.view_as_real(t).stride()
    np.testing.assert_array_equal(ember.view_as_real(e).numpy(), torch.view_as_real(t).numpy())
    assert e.real.stride() == t.real.stride()


def test_in_place_on_a_real_view_keeps_the_gradient():
    def run(m):
        w = m.tensor(Z, dtype=m.complex128, requires_grad=True)
        z = w * 1
        z.real.mul_(2)
        (z * m.tensor(W, dtype=m.complex128)).abs().sum().backward()
        return w.grad
    np.testing.assert_allclose(_np(run(ember)), _np(run(torch)), rtol=1e-12)


ERRORS = [
    (lambda m: m.view_as_complex(m.ones(3)), RuntimeError),
    (lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.int64)), RuntimeError),
    (lambda m: m.view_as_complex(m.ones(2, 4)[:, ::2]), RuntimeError),
    (lambda m: m.view_as_real(m.ones(2)), RuntimeError),
    (lambda m: m.ones(2).imag, RuntimeError),
    (lambda m: m.complex(m.ones(2), m.ones(2, dtype=m.float64)), RuntimeError),
    (lambda m: m.complex(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)), RuntimeError),
    (lambda m: m.tensor(1 + 2j, requires_grad=True).backward(), RuntimeError),
    (lambda m: m.sign(m.tensor([3 + 4j])), NotImplementedError),
    (lambda m: m.ones(2).add_(1j), RuntimeError),
    (lambda m: m.ones(2, dtype=m.int64).requires_grad_(), RuntimeError),
    (lambda m: m.tensor([1j], dtype=m.float32), TypeError),
    (lambda m: m.tensor([1 + 0j], dtype=m.int64), TypeError),
    (lambda m: m.zeros(2).fill_(1j), RuntimeError),
    (lambda m: m.full((2,), 1j, dtype=m.float32), RuntimeError),
    (lambda m: m.zeros(2).__setitem__(0, 1j), RuntimeError),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_like_torch(k):
    fn, exc = ERRORS[k]
    with pytest.raises(exc) as torch_err:
        fn(torch)
    with pytest.raises(exc) as ember_err:
        fn(ember)
    assert str(ember_err.value).split("\n")[0] == str(torch_err.value).split("\n")[0]


def test_casting_complex_to_real_warns_and_keeps_the_real_part():
    z = ember.tensor([1 + 2j, -3 + 1j])
    with pytest.warns(UserWarning, match="Casting complex values to real discards"):
        x = z.to(ember.float32)
    assert x.tolist() == [1.0, -3.0]
