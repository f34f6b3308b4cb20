"""Transforms, the constraints they map between and biject_to/transform_to, against
torch.distributions on the same inputs: values, inverses, log |det J| and their gradients, shapes,
domains, caching, equality, reprs and errors; finite-difference gradients of each forward map."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

_R = np.random.RandomState(2024)


def _t(lib, a):
    return lib.tensor(np.asarray(a, dtype=np.float64), dtype=lib.float64)


def _exponent(lib):
    return _t(lib, [0.5, 2.0, 3.0])


def _normal(lib):
    return lib.distributions.Normal(_t(lib, [0.0, 1.0, -1.0]), _t(lib, [1.0, 2.0, 0.5]))


# name -> (make(lib) -> transform, input x in the transform's domain)
TRANSFORMS = {
    "Exp": (lambda lib, T: T.ExpTransform(), _R.standard_normal((2, 3))),
    "Power": (lambda lib, T: T.PowerTransform(_exponent(lib)), _R.uniform(0.2, 2, (2, 3))),
    "PowerNegative": (lambda lib, T: T.PowerTransform(-1.5), _R.uniform(0.2, 2, (3,))),
    "Sigmoid": (lambda lib, T: T.SigmoidTransform(), 3 * _R.standard_normal((2, 3))),
    "Tanh": (lambda lib, T: T.TanhTransform(), _R.standard_normal((2, 3))),
    "Softplus": (lambda lib, T: T.SoftplusTransform(), 3 * _R.standard_normal((2, 3))),
    "AffineNumbers": (lambda lib, T: T.AffineTransform(1.5, -2.0), _R.standard_normal((2, 3))),
    "AffineTensors": (lambda lib, T: T.AffineTransform(_t(lib, [1.0, 2.0, 3.0]),
                                                       _t(lib, [0.5, -2.0, 3.0]), event_dim=1),
                      _R.standard_normal((2, 3))),
    "StickBreaking": (lambda lib, T: T.StickBreakingTransform(), _R.standard_normal((2, 4))),
    "CorrCholesky": (lambda lib, T: T.CorrCholeskyTransform(), _R.standard_normal((2, 6))),
    "Compose": (lambda lib, T: T.ComposeTransform([T.AffineTransform(0.5, 2.0),
                                                   T.ExpTransform(),
                                                   T.PowerTransform(_exponent(lib))]),
                _R.standard_normal((2, 3))),
    "ComposeEventDims": (lambda lib, T: T.ComposeTransform([T.ExpTransform(),
                                                            T.AffineTransform(1.0, 2.0),
                                                            T.StickBreakingTransform()]),
                         _R.standard_normal((2, 3))),
    "Independent": (lambda lib, T: T.IndependentTransform(T.SigmoidTransform(), 2),
                    _R.standard_normal((2, 2, 3))),
    "Reshape": (lambda lib, T: T.ReshapeTransform((2, 3), (3, 2)), _R.standard_normal((4, 2, 3))),
    "Cat": (lambda lib, T: T.CatTransform([T.ExpTransform(), T.AffineTransform(1.0, 3.0)],
                                          dim=0, lengths=[1, 2]), _R.standard_normal((3, 2))),
    "CatEventDim": (lambda lib, T: T.CatTransform([T.AffineTransform(1.0, 3.0, event_dim=1),
                                                   T.IndependentTransform(T.ExpTransform(), 1)],
                                                  dim=-1, lengths=[2, 3]),
                    _R.standard_normal((2, 5))),
    "Stack": (lambda lib, T: T.StackTransform([T.ExpTransform(), T.SigmoidTransform()], dim=1),
              _R.standard_normal((3, 2))),
    "CumulativeDistribution": (lambda lib, T: T.CumulativeDistributionTransform(_normal(lib)),
                               _R.standard_normal((2, 3))),
    "ExpInverse": (lambda lib, T: T.ExpTransform().inv, _R.uniform(0.2, 3, (2, 3))),
    "Identity": (lambda lib, T: T.identity_transform, _R.standard_normal((2, 3))),
}
# not injective, or without a log |det J|: checked for values and right inverses only
NON_BIJECTIVE = {
    "Abs": (lambda lib, T: T.AbsTransform(), _R.standard_normal((2, 3))),
    "Softmax": (lambda lib, T: T.SoftmaxTransform(), _R.standard_normal((2, 4))),
    "LowerCholesky": (lambda lib, T: T.LowerCholeskyTransform(), _R.standard_normal((2, 3, 3))),
    "PositiveDefinite": (lambda lib, T: T.PositiveDefiniteTransform(),
                         _R.standard_normal((2, 3, 3))),
}
ALL = {**TRANSFORMS, **NON_BIJECTIVE}


def _build(lib, name, requires_grad=False):
    make, x = ALL[name]
    leaf = _t(lib, x)
    leaf.requires_grad_(requires_grad)
    return make(lib, lib.distributions.transforms), leaf


def _close(e, t, rtol=1e-9, atol=1e-11):
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(ALL))
def test_forward_inverse_and_attributes(torch, name):
    te, xe = _build(ember, name)
    tt, xt = _build(torch, name)
    ye, yt = te(xe), tt(xt)
    _close(ye, yt)
    _close(te.inv(ye), tt.inv(yt), rtol=1e-7, atol=1e-9)
    assert repr(te) == repr(tt)
    assert repr(te.inv) == repr(tt.inv)
    assert te.bijective == tt.bijective
    assert repr(te.domain) == repr(tt.domain)
    assert repr(te.codomain) == repr(tt.codomain)
    assert te.domain.event_dim == tt.domain.event_dim
    assert te.codomain.event_dim == tt.codomain.event_dim
    assert bool(te.codomain.check(ye).all())
    shape = tuple(xt.shape)
    assert tuple(te.forward_shape(shape)) == tuple(tt.forward_shape(shape)) == tuple(yt.shape)
    assert tuple(te.inverse_shape(tuple(yt.shape))) == tuple(tt.inverse_shape(tuple(yt.shape)))


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_log_abs_det_jacobian_and_gradients(torch, name):
    te, xe = _build(ember, name, requires_grad=True)
    tt, xt = _build(torch, name, requires_grad=True)
    ye, yt = te(xe), tt(xt)
    lde, ldt = te.log_abs_det_jacobian(xe, ye), tt.log_abs_det_jacobian(xt, yt)
    _close(lde, ldt, rtol=1e-8, atol=1e-10)
    weights = np.arange(1.0, ye.numel() + 1).reshape(tuple(ye.shape))
    ((ye * _t(ember, weights)).sum() + lde.sum()).backward()
    ((yt * _t(torch, weights)).sum() + ldt.sum()).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_sign_and_inverse_log_abs_det_jacobian(torch, name):
    te, xe = _build(ember, name)
    tt, xt = _build(torch, name)
    ye, yt = te(xe), tt(xt)
    _close(te.inv.log_abs_det_jacobian(ye, xe), tt.inv.log_abs_det_jacobian(yt, xt), rtol=1e-8)
    try:
        st = tt.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            te.sign
        return
    se = te.sign
    if isinstance(st, int):
        assert se == st
    else:
        _close(se, st)


@pytest.mark.parametrize("name", ["Exp", "Power", "Sigmoid", "Tanh", "Softplus", "AffineTensors",
                                  "StickBreaking", "CorrCholesky", "Compose", "Cat", "Stack"])
def test_forward_gradcheck(name):
    make, x = TRANSFORMS[name]
    t = make(ember, ember.distributions.transforms)
    x = _t(ember, x).requires_grad_(True)
    assert gradcheck(lambda v: t(v), (x,))
    assert gradcheck(lambda v: t.log_abs_det_jacobian(v, t(v)), (x,))


def test_log_abs_det_jacobian_matches_the_jacobian_determinant():
    # independent of torch: log |det dy/dx| of the StickBreaking map (without its last,
    # dependent coordinate) and of the CorrCholesky map (strict lower triangle) by finite
    # differences
    T = ember.distributions.transforms
    for t, x, pick in [(T.StickBreakingTransform(), _R.standard_normal(3), lambda y: y[:-1]),
                       (T.CorrCholeskyTransform(), 0.5 * _R.standard_normal(3),
                        lambda y: y[np.tril_indices(3, -1)])]:
        f = (lambda v: pick(t(_t(ember, v)).numpy()))
        h = 1e-6
        jac = np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))], -1)
        xe = _t(ember, x)
        lad = t.log_abs_det_jacobian(xe, t(xe)).item()
        assert abs(lad - np.log(abs(np.linalg.det(jac)))) < 1e-6


def test_cache_returns_the_same_tensors(torch):
    T = ember.distributions.transforms
    for t in (T.ExpTransform(cache_size=1), T.AbsTransform(cache_size=1),
              T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)], cache_size=1)):
        x = ember.randn(3)
        y = t(x)
        assert t(x) is y
        assert t.inv(y) is x
    t = T.ExpTransform()
    x = ember.randn(3)
    assert t.inv(t(x)) is not x
    assert T.ExpTransform().with_cache(1)._cache_size == 1
    assert T.AffineTransform(0.0, 2.0).with_cache(1)._cache_size == 1
    for lib in (ember, torch):
        with pytest.raises(ValueError):
            lib.distributions.transforms.ExpTransform(cache_size=2)


def test_equality(torch):
    for lib in (ember, torch):
        T = lib.distributions.transforms
        assert T.ExpTransform() == T.ExpTransform()
        assert T.ExpTransform() != T.SigmoidTransform()
        assert T.ExpTransform().inv == T.ExpTransform().inv
        assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0)
        assert T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0)
        assert T.PowerTransform(2.0) == T.PowerTransform(2.0)
        assert T.PowerTransform(2.0) != T.PowerTransform(3.0)
        assert (T.ComposeTransform([T.ExpTransform(), T.TanhTransform()])
                == T.ComposeTransform([T.ExpTransform(), T.TanhTransform()]))
        assert T.ExpTransform().inv.inv == T.ExpTransform()


def test_vec_to_tril_matrix_and_back(torch):
    from torch.distributions.transforms import tril_matrix_to_vec, vec_to_tril_matrix
    T = ember.distributions.transforms
    for diag, length in ((0, 6), (0, 1), (-1, 6), (-1, 10), (-2, 3)):
        v = _R.standard_normal((2, length))
        me, mt = T.vec_to_tril_matrix(_t(ember, v), diag), vec_to_tril_matrix(_t(torch, v), diag)
        _close(me, mt)
        _close(T.tril_matrix_to_vec(me, diag), tril_matrix_to_vec(mt, diag))
    for lib, fn in ((ember, T.vec_to_tril_matrix), (torch, vec_to_tril_matrix)):
        with pytest.raises(ValueError):
            fn(_t(lib, np.zeros(5)))


SHAPE_ERRORS = [
    lambda T: T.ReshapeTransform((2, 3), (5,)),
    lambda T: T.ReshapeTransform((2, 3), (6,)).forward_shape((3, 2)),
    lambda T: T.ReshapeTransform((2, 3), (6,)).forward_shape((3,)),
    lambda T: T.StickBreakingTransform().forward_shape(()),
    lambda T: T.SoftmaxTransform().inverse_shape(()),
    lambda T: T.CorrCholeskyTransform().forward_shape((4,)),
    lambda T: T.CorrCholeskyTransform().inverse_shape((3, 2)),
    lambda T: T.AbsTransform().log_abs_det_jacobian(1, 1),
    lambda T: T.ReshapeTransform((2, 3), (6,)).event_dim,
]


@pytest.mark.parametrize("bad", SHAPE_ERRORS)
def test_errors_as_in_torch(torch, bad):
    with pytest.raises(Exception) as t_err:
        bad(torch.distributions.transforms)
    with pytest.raises(type(t_err.value)):
        bad(ember.distributions.transforms)


def _constraints(lib):
    C = lib.distributions.constraints
    return [C.real, C.positive, C.nonnegative, C.greater_than(-2.0), C.greater_than_eq(1.0),
            C.less_than(3.0), C.unit_interval, C.interval(-1.0, 4.0),
            C.half_open_interval(0.0, 2.0), C.simplex, C.real_vector,
            C.independent(C.positive, 1), C.corr_cholesky,
            C.cat([C.positive, C.unit_interval], -1, [2, 1]),
            C.stack([C.real, C.less_than(0.0), C.interval(1.0, 2.0)], -1)]


@pytest.mark.parametrize("index", range(15))
@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_registry_round_trips(torch, index, registry):
    ce, ct = _constraints(ember)[index], _constraints(torch)[index]
    te = getattr(ember.distributions, registry)(ce)
    tt = getattr(torch.distributions, registry)(ct)
    assert repr(te) == repr(tt)
    x = _R.standard_normal((2, 3)) * 2
    ye, yt = te(_t(ember, x)), tt(_t(torch, x))
    _close(ye, yt)
    assert bool(ce.check(ye).all())
    if registry == "biject_to":
        _close(te.inv(ye), _t(ember, x), rtol=1e-6, atol=1e-8)
        _close(te.log_abs_det_jacobian(_t(ember, x), ye),
               tt.log_abs_det_jacobian(_t(torch, x), yt), rtol=1e-8)


def test_registry_matrix_constraints_and_errors(torch):
    x = _R.standard_normal((2, 3, 3))
    for name in ("lower_cholesky", "positive_definite", "positive_semidefinite"):
        te = ember.distributions.transform_to(getattr(ember.distributions.constraints, name))
        tt = torch.distributions.transform_to(getattr(torch.distributions.constraints, name))
        assert repr(te) == repr(tt)
        _close(te(_t(ember, x)), tt(_t(torch, x)))
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError):
            lib.distributions.biject_to(lib.distributions.constraints.lower_cholesky)
        with pytest.raises(TypeError):
            lib.distributions.biject_to.register(int, lambda c: None)


def test_registry_register_new_constraint():
    from ember.distributions.constraint_registry import ConstraintRegistry
    registry = ConstraintRegistry()
    C, T = ember.distributions.constraints, ember.distributions.transforms

    @registry.register(C.positive)
    def _(constraint):
        return T.ExpTransform()
    assert registry(C.positive) == T.ExpTransform()
    with pytest.raises(NotImplementedError):
        registry(C.real)


def _constraint_cases(lib):
    C = lib.distributions.constraints
    eye = np.eye(3)
    sym = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, -1.0]])
    psd = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    corr = np.array([[1.0, 0.0], [0.6, 0.8]])
    return [
        (C.square, np.zeros((2, 3, 3))),
        (C.square, np.zeros((2, 3, 2))),
        (C.symmetric, np.stack([eye, sym, np.triu(sym)])),
        (C.positive_semidefinite, np.stack([eye, psd, sym])),
        (C.lower_triangular, np.stack([np.tril(sym), sym])),
        (C.corr_cholesky, np.stack([corr, 2 * corr, eye[:2, :2], -np.eye(2)])),
        (C.one_hot, np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])),
        (C.multinomial(3), np.array([[0.0, 1.0, 2.0], [2.0, 2.0, 0.0], [-1.0, 1.0, 1.0]])),
        (C.nonnegative_integer, np.array([0.0, 1.0, -1.0, 1.5])),
        (C.positive_integer, np.array([0.0, 1.0, 3.0, 1.5])),
        (C.half_open_interval(0.0, 1.0), np.array([0.0, 0.5, 1.0, -0.1])),
        (C.cat([C.positive, C.real], 0, [2, 1]), np.array([-1.0, 1.0, -1.0])),
        (C.stack([C.positive, C.unit_interval], 1), np.array([[1.0, 0.5], [-1.0, 2.0]])),
        (C.MixtureSameFamilyConstraint(C.positive), np.array([[1.0, 2.0], [-1.0, 2.0]])),
        (C.MixtureSameFamilyConstraint(C.simplex), np.array([[0.5, 0.5], [0.2, 0.2]])),
    ]


@pytest.mark.parametrize("index", range(15))
def test_new_constraints(torch, index):
    ce, ve = _constraint_cases(ember)[index]
    ct, vt = _constraint_cases(torch)[index]
    re, rt = ce.check(_t(ember, ve)), ct.check(_t(torch, vt))
    assert tuple(re.shape) == tuple(rt.shape)
    np.testing.assert_array_equal(re.numpy(), rt.numpy())
    assert repr(ce) == repr(ct)
    assert ce.event_dim == ct.event_dim
    assert ce.is_discrete == ct.is_discrete


# those with float64 tensor parameters promote a float32 input, in both libraries
FLOAT64_PARAMETERS = {"Power", "AffineTensors", "Compose", "CumulativeDistribution"}


@pytest.mark.parametrize("name", sorted(set(ALL) - FLOAT64_PARAMETERS))
def test_float32_stays_float32(torch, name):
    make, x = ALL[name]
    te = make(ember, ember.distributions.transforms)
    tt = make(torch, torch.distributions.transforms)
    ye = te(ember.tensor(x, dtype=ember.float32))
    yt = tt(torch.tensor(x, dtype=torch.float32))
    assert ye.dtype == ember.float32 and yt.dtype == torch.float32
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-5, atol=1e-6)
