"""torch's deprecated names that old programs still call (ember/ops/deprecated.py, nn.NLLLoss2d,
nn.Container): values, errors and warnings against torch 2.13, where it imports."""
import ast
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ember
import ember._warnings

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """Forget the once-a-process warnings already given, so each test sees its first one."""
    monkeypatch.setattr(ember._warnings, "_given", set())


def pair(shape, seed=0, dtype=np.float64):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ember.tensor(a), torch.tensor(a)


def close(e, t, atol=1e-10):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-7, atol=atol)


def record(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        result = fn()
    return result, w


def messages(w):
    """The warnings' texts, without the ' (Triggered internally at ...)' of torch's C++ ones."""
    return [(str(x.message).split(" (Triggered internally")[0], x.category) for x in w]


def raised(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


# -- torch.lu / Tensor.lu -------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_lu_matches_torch(shape):
    ea, ta = pair(shape)
    (elu, epiv), (tlu, tpiv) = ember.lu(ea), torch.lu(ta)
    close(elu, tlu)
    assert epiv.tolist() == tpiv.tolist() and epiv.dtype == ember.int32
    e, t = ember.lu(ea, get_infos=True), torch.lu(ta, get_infos=True)
    assert type(e).__name__ == type(t).__name__ == "_lu_with_info"
    assert e._fields == ("LU", "pivots", "info")
    close(e.LU, t.LU)
    assert e.info.tolist() == t.info.tolist()
    assert type(ember.lu(ea)) is tuple
    e, t = ea.lu(get_infos=True), ta.lu(get_infos=True)  # the method's is a plain tuple
    assert type(e) is type(t) is tuple and len(e) == len(t) == 3
    close(e[0], t[0])


def test_lu_singular_reports_info():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    e, t = ember.lu(ember.tensor(a), get_infos=True), torch.lu(torch.tensor(a), get_infos=True)
    assert e.info.item() == t.info.item() != 0


def test_lu_without_pivoting_raises_as_torch():
    ea, ta = pair((3, 3))
    assert raised(lambda: ember.lu(ea, pivot=False)) == raised(lambda: torch.lu(ta, pivot=False))


# -- torch.triangular_solve -----------------------------------------------------------------------

@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_triangular_solve_matches_torch(upper, transpose, unitriangular):
    eA, tA = pair((3, 3), 1)
    eA, tA = eA + 3 * ember.eye(3, dtype=ember.float64), tA + 3 * torch.eye(3, dtype=torch.float64)
    eb, tb = pair((3, 2), 2)
    e = ember.triangular_solve(eb, eA, upper, transpose, unitriangular)
    t = torch.triangular_solve(tb, tA, upper, transpose, unitriangular)
    assert type(e).__name__ == type(t).__name__ == "triangular_solve"
    assert e._fields == ("solution", "cloned_coefficient")
    assert repr(e).startswith("torch.return_types.triangular_solve(\nsolution=")
    close(e.solution, t.solution)
    close(e.cloned_coefficient, t.cloned_coefficient)
    e2 = eb.triangular_solve(eA, upper=upper, transpose=transpose, unitriangular=unitriangular)
    close(e2.solution, t.solution)


def test_triangular_solve_broadcasts():
    eA, tA = pair((2, 1, 3, 3), 3)
    eb, tb = pair((4, 3, 2), 4)
    eA, tA = eA + 3 * ember.eye(3, dtype=ember.float64), tA + 3 * torch.eye(3, dtype=torch.float64)
    e, t = ember.triangular_solve(eb, eA, False), torch.triangular_solve(tb, tA, False)
    assert e.solution.shape == t.solution.shape
    assert e.cloned_coefficient.shape == t.cloned_coefficient.shape
    close(e.solution, t.solution)
    close(e.cloned_coefficient, t.cloned_coefficient)


@pytest.mark.parametrize("transpose", [True, False])
def test_triangular_solve_gradients(transpose):
    eA, tA = pair((3, 3), 5)
    eb, tb = pair((3, 2), 6)
    eA = (eA + 3 * ember.eye(3, dtype=ember.float64)).requires_grad_()
    tA = (tA + 3 * torch.eye(3, dtype=torch.float64)).requires_grad_()
    eb.requires_grad_()
    tb.requires_grad_()
    ember.triangular_solve(eb, eA, transpose=transpose).solution.pow(2).sum().backward()
    torch.triangular_solve(tb, tA, transpose=transpose).solution.pow(2).sum().backward()
    close(eA.grad, tA.grad)
    close(eb.grad, tb.grad)
    assert ember.autograd.gradcheck(
        lambda b, A: ember.triangular_solve(b, A, False, transpose).solution,
        (eb.detach().requires_grad_(), eA.detach().requires_grad_()))


@pytest.mark.parametrize("b_shape, A_shape, b_dtype", [
    ((2, 2), (3, 3), np.float64),  # incompatible sizes
    ((3, 2), (3, 3), np.float32),  # dtypes differ
    ((3,), (3, 3), np.float64),  # b is a vector
])
def test_triangular_solve_errors(b_shape, A_shape, b_dtype):
    eb, tb = pair(b_shape, 7, b_dtype)
    eA, tA = pair(A_shape, 8)
    assert (raised(lambda: ember.triangular_solve(eb, eA))
            == raised(lambda: torch.triangular_solve(tb, tA)))


# -- nuclear_norm, frobenius_norm -----------------------------------------------------------------

@pytest.mark.parametrize("args", [(), ((0, 1),), ((0, 1), True), ((1, 0), False)])
def test_nuclear_norm_matches_torch(args):
    ea, ta = pair((3, 4), 9)
    e, t = ember.nuclear_norm(ea, *args), torch.nuclear_norm(ta, *args)
    assert e.shape == t.shape
    close(e, t)
    e, t = ember.nuclear_norm(ea, keepdim=True), torch.nuclear_norm(ta, keepdim=True)
    assert e.shape == t.shape


def test_nuclear_norm_batches():
    ea, ta = pair((2, 3, 3), 10)
    close(ember.nuclear_norm(ea), torch.nuclear_norm(ta))


@pytest.mark.parametrize("args", [((0, 1),), ((0, 1), True), ((0,),), (1,), ((),), ((-1, 0),)])
def test_frobenius_norm_matches_torch(args):
    ea, ta = pair((3, 4), 11)
    e, t = ember.frobenius_norm(ea, *args), torch.frobenius_norm(ta, *args)
    assert e.shape == t.shape
    close(e, t)


def test_frobenius_norm_of_complex_is_real():
    a = np.array([[1 + 2j, 3j], [2.0, -1j]], dtype=np.complex64)
    e = ember.frobenius_norm(ember.tensor(a), (0, 1))
    t = torch.frobenius_norm(torch.tensor(a), (0, 1))
    assert e.dtype == ember.float32 and t.dtype == torch.float32
    close(e, t, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m, a: m.frobenius_norm(a),
    lambda m, a: m.frobenius_norm(a, dim=(0, 1, 0)),
    lambda m, a: m.frobenius_norm(a.long(), dim=(0,)),
    lambda m, a: m.nuclear_norm(a[0]),
    lambda m, a: m.nuclear_norm(a, dim=(0,)),
    lambda m, a: m.nuclear_norm(a, dim=(1, 1)),
])
def test_norm_errors_match_torch(call):
    ea, ta = pair((3, 3), 12)
    assert raised(lambda: call(ember, ea)) == raised(lambda: call(torch, ta))


def test_nuclear_norm_dim_none_is_a_type_error():
    ea, ta = pair((3, 3), 12)
    assert raised(lambda: ember.nuclear_norm(ea, dim=None))[0] is TypeError
    assert raised(lambda: torch.nuclear_norm(ta, dim=None))[0] is TypeError


# -- resize_as_ -----------------------------------------------------------------------------------

def test_resize_as_():
    x, template = ember.arange(6.0), ember.zeros(2, 3, dtype=ember.float64)
    assert ember.resize_as_(x, template) is x
    assert x.shape == (2, 3) and x.dtype == ember.float32
    assert x.tolist() == torch.resize_as_(torch.arange(6.0), torch.zeros(2, 3)).tolist()
    y = ember.ones(2, requires_grad=True)
    assert raised(lambda: ember.resize_as_(y, template)) == raised(
        lambda: torch.resize_as_(torch.ones(2, requires_grad=True), torch.zeros(2, 3)))


# -- warnings -------------------------------------------------------------------------------------

def _calls(m):
    a = m.tensor(np.eye(3) * 2.0)
    return [lambda: m.lu(a), lambda: m.triangular_solve(a, a),
            lambda: m.nuclear_norm(a), lambda: m.frobenius_norm(a, (0, 1))]


def _torch_warnings(index):
    """torch's warnings from calling _calls(torch)[index] twice, in a fresh process (torch's
    are once a process too)."""
    code = ("import sys, warnings, torch\nsys.path.insert(0, sys.argv[1])\n"
            "import test_deprecated_names as t\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            f"    f = t._calls(torch)[{index}]\n    f(); f()\n"
            "print(repr([(str(x.message).split(' (Triggered internally')[0], "
            "x.category.__name__) for x in w]))")
    out = subprocess.run([sys.executable, "-c", code, os.path.dirname(__file__)],
                         capture_output=True, text=True, check=True).stdout
    return ast.literal_eval(out.strip().splitlines()[-1])


@pytest.mark.parametrize("index", range(4))
def test_once_a_process_warnings_match_torch(index):
    """lu, triangular_solve, nuclear_norm and frobenius_norm each warn torch's UserWarning the
    first time only, at the caller's line."""
    call = _calls(ember)[index]
    _, ew = record(lambda: (call(), call()))
    assert [(m, c.__name__) for m, c in messages(ew)] == _torch_warnings(index)
    assert len(ew) == 1 and ew[0].filename == __file__


@pytest.mark.parametrize("make", [lambda m: m.nn.NLLLoss2d(),
                                  lambda m: m.nn.Container(fc=m.nn.Linear(2, 2))])
def test_module_warnings_match_torch(make):
    _, ew = record(lambda: (make(ember), make(ember)))
    _, tw = record(lambda: (make(torch), make(torch)))
    assert messages(ew) == messages(tw) and len(ew) == 2
    assert ew[0].category is FutureWarning and ew[0].filename == __file__


# -- nn.NLLLoss2d, nn.Container -------------------------------------------------------------------

def test_nllloss2d_is_nllloss():
    logits, tlogits = pair((2, 3, 4, 4), 13)
    target = np.random.default_rng(14).integers(0, 3, (2, 4, 4))
    weight = np.array([0.2, 1.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = ember.nn.NLLLoss2d(weight=ember.tensor(weight), ignore_index=1, reduction="sum")
        t = torch.nn.NLLLoss2d(weight=torch.tensor(weight), ignore_index=1, reduction="sum")
    assert isinstance(e, ember.nn.NLLLoss)
    close(e(logits.log_softmax(1), ember.tensor(target)),
          t(tlogits.log_softmax(1), torch.tensor(target)))


def test_container_children():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = ember.nn.Container(a=ember.nn.Linear(2, 3), b=ember.nn.ReLU())
        t = torch.nn.Container(a=torch.nn.Linear(2, 3), b=torch.nn.ReLU())
        assert repr(e) == repr(t)
        assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
        assert isinstance(e, ember.nn.Module)
        assert raised(lambda: ember.nn.Container(a=3)) == raised(lambda: torch.nn.Container(a=3))


# -- removed functions ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["matrix_rank", "solve", "lstsq", "symeig", "eig"])
def test_removed_functions_raise_torchs_error(name):
    ea, ta = pair((3, 3), 15)
    e = raised(lambda: getattr(ember, name)(ea, ea))
    assert e == raised(lambda: getattr(torch, name)(ta, ta))
    assert e[0] is RuntimeError
    if hasattr(torch.Tensor, name):
        assert raised(lambda: getattr(ea, name)(ea)) == raised(lambda: getattr(ta, name)(ta))
    else:
        assert not hasattr(ember.Tensor, name)
