"""Cauchy, Exponential, Laplace, Chi2, Dirichlet, Binomial, Poisson, Geometric,
ContinuousBernoulli, FisherSnedecor, StudentT and GeneralizedPareto against torch.distributions
built from the same parameters: log_prob, cdf, icdf, entropy and moments (values and gradients
with respect to every parameter), shapes and dtypes of samples, expand, enumerate_support, repr
and the ExponentialFamily hierarchy."""
import numpy as np
import pytest

import ember

_R = np.random.RandomState(2024)


def _ints(high, shape):
    return _R.randint(0, high, shape).astype(np.float64)


# name -> (build(D, params) -> distribution, params (float64 arrays), values for log_prob/cdf,
#          points in (0, 1) for icdf, dtype to compare in)
CASES = {
    "Cauchy": (lambda D, p: D.Cauchy(p["loc"], p["scale"]),
               {"loc": _R.randn(2, 3), "scale": _R.uniform(0.5, 2, (3,))},
               _R.randn(4, 1, 3) * 3),
    "Exponential": (lambda D, p: D.Exponential(p["rate"]),
                    {"rate": _R.uniform(0.5, 2, (2, 3))}, _R.uniform(0, 3, (4, 2, 3))),
    "Laplace": (lambda D, p: D.Laplace(p["loc"], p["scale"]),
                {"loc": _R.randn(2, 3), "scale": _R.uniform(0.5, 2, (3,))},
                _R.randn(4, 1, 3) * 2),
    "Chi2": (lambda D, p: D.Chi2(p["df"]), {"df": _R.uniform(0.5, 4, (2, 3))},
             _R.uniform(0.1, 5, (4, 2, 3))),
    "Dirichlet": (lambda D, p: D.Dirichlet(p["concentration"]),
                  {"concentration": _R.uniform(0.3, 3, (2, 4))},
                  _R.dirichlet(np.ones(4), (5, 2))),
    "Binomial_probs": (lambda D, p: D.Binomial(10, p["probs"]),
                       {"probs": _R.uniform(0.1, 0.9, (2, 3))}, _ints(11, (4, 2, 3))),
    "Binomial_logits": (lambda D, p: D.Binomial(p["count"], logits=p["logits"]),
                        {"count": np.array([5.0, 7.0, 9.0]), "logits": _R.randn(2, 3)},
                        _ints(6, (4, 2, 3))),
    "Poisson": (lambda D, p: D.Poisson(p["rate"]), {"rate": _R.uniform(0.5, 5, (2, 3))},
                _ints(9, (4, 2, 3))),
    "Geometric_probs": (lambda D, p: D.Geometric(p["probs"]),
                        {"probs": _R.uniform(0.1, 0.9, (2, 3))}, _ints(9, (4, 2, 3))),
    "Geometric_logits": (lambda D, p: D.Geometric(logits=p["logits"]), {"logits": _R.randn(2, 3)},
                         _ints(9, (4, 2, 3))),
    # probs on both sides of, and inside, the Taylor region (0.499, 0.501]
    "ContinuousBernoulli_probs": (
        lambda D, p: D.ContinuousBernoulli(p["probs"]),
        {"probs": np.array([[0.1, 0.4995, 0.7], [0.5005, 0.3, 0.95]])},
        _R.uniform(0, 1, (4, 2, 3))),
    "ContinuousBernoulli_logits": (
        lambda D, p: D.ContinuousBernoulli(logits=p["logits"]),
        {"logits": np.array([[-2.0, 0.0003, 1.0], [-0.001, 0.5, 3.0]])},
        _R.uniform(0, 1, (4, 2, 3))),
    "FisherSnedecor": (lambda D, p: D.FisherSnedecor(p["df1"], p["df2"]),
                       {"df1": _R.uniform(1, 8, (2, 3)), "df2": np.array([1.5, 3.0, 9.0])},
                       _R.uniform(0.1, 4, (4, 2, 3))),
    "StudentT": (lambda D, p: D.StudentT(p["df"], p["loc"], p["scale"]),
                 {"df": np.array([[0.7, 1.5, 6.0], [2.5, 1.0, 30.0]]), "loc": _R.randn(3),
                  "scale": _R.uniform(0.5, 2, (3,))},
                 _R.randn(4, 2, 3) * 2),
}
NAMES = sorted(CASES)
QUANTITIES = ("log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode")


def _build(lib, name, dtype="float64", requires_grad=False):
    make, params, _ = CASES[name]
    leaves = {k: lib.tensor(v, dtype=getattr(lib, dtype), requires_grad=requires_grad)
              for k, v in params.items()}
    return make(lib.distributions, leaves), leaves


def _values(lib, name, dtype="float64"):
    return lib.tensor(CASES[name][2], dtype=getattr(lib, dtype))


def _quantity(lib, d, name, what):
    """d's `what`, or the exception type it raises (NotImplementedError where torch has none)."""
    try:
        if what in ("log_prob", "cdf"):
            return getattr(d, what)(_values(lib, name))
        if what == "icdf":
            return d.icdf(lib.full(tuple(d.batch_shape), 0.3, dtype=lib.float64))
        if what == "entropy":
            return d.entropy()
        return getattr(d, what)
    except NotImplementedError:
        return NotImplementedError


def _close(e, t, rtol=1e-9, atol=1e-10):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("what", QUANTITIES)
def test_values_and_gradients_match_torch(torch, name, what):
    e, e_leaves = _build(ember, name, requires_grad=True)
    t, t_leaves = _build(torch, name, requires_grad=True)
    q_e, q_t = _quantity(ember, e, name, what), _quantity(torch, t, name, what)
    assert (q_e is NotImplementedError) == (q_t is NotImplementedError)
    if q_t is NotImplementedError:
        return
    assert tuple(q_e.shape) == tuple(q_t.shape)
    assert q_e.dtype.name == str(q_t.dtype).split(".")[1]
    _close(q_e, q_t)
    if not q_t.requires_grad or what == "cdf" and name == "Chi2":  # torch: no igamma gradient
        return
    weights = np.linspace(0.5, 1.5, q_t.numel()).reshape(tuple(q_t.shape))
    g_e = ember.autograd.grad((q_e * ember.tensor(weights)).nan_to_num(0.0, 0.0, 0.0).sum(),
                              list(e_leaves.values()), allow_unused=True)
    g_t = torch.autograd.grad((q_t * torch.tensor(weights)).nan_to_num(0.0, 0.0, 0.0).sum(),
                              list(t_leaves.values()), allow_unused=True)
    for k, a, b in zip(e_leaves, g_e, g_t):
        if b is None:
            assert a is None or not bool(a.abs().sum() > 0), k
        else:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-9, err_msg=k)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes_dtypes_and_support(torch, name, sample_shape):
    e, _ = _build(ember, name, dtype="float32")
    t, _ = _build(torch, name, dtype="float32")
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert (e.has_rsample, e.has_enumerate_support) == (t.has_rsample, t.has_enumerate_support)
    s_e, s_t = e.sample(sample_shape), t.sample(sample_shape)
    assert tuple(s_e.shape) == tuple(s_t.shape)
    assert s_e.dtype.name == str(s_t.dtype).split(".")[1]
    assert not s_e.requires_grad
    assert bool(e.support.check(s_e).all())
    if t.has_rsample:
        assert tuple(e.rsample(sample_shape).shape) == tuple(t.rsample(sample_shape).shape)
    else:
        with pytest.raises(NotImplementedError):
            e.rsample()


@pytest.mark.parametrize("name", NAMES)
def test_repr_supports_and_constraints(torch, name):
    e, _ = _build(ember, name)
    t, _ = _build(torch, name)
    assert repr(e) == repr(t)
    assert repr(type(e).arg_constraints) == repr(type(t).arg_constraints)
    if not name.startswith("Binomial"):  # a dependent support, shown with its tensor bound
        assert repr(e.support) == repr(t.support)


@pytest.mark.parametrize("name", NAMES)
def test_expand(torch, name):
    e, _ = _build(ember, name)
    t, _ = _build(torch, name)
    shape = (4,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert type(ee) is type(e)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape) == shape
    assert tuple(ee.sample().shape) == tuple(te.sample().shape)
    n_event = len(t.event_shape)
    v = _values(ember, name)
    v = v.reshape(tuple(v.shape[:-n_event - len(t.batch_shape)]) + (1,) + tuple(
        v.shape[-n_event - len(t.batch_shape):]))
    _close(ee.log_prob(v), te.log_prob(torch.tensor(v.numpy())))
    assert ee._validate_args == e._validate_args


def test_float32_parameters_give_float32_results(torch):
    for name in NAMES:
        e, _ = _build(ember, name, dtype="float32")
        t, _ = _build(torch, name, dtype="float32")
        lp_e = e.log_prob(_values(ember, name, "float32"))
        lp_t = t.log_prob(_values(torch, name, "float32"))
        assert lp_e.dtype == ember.float32, name
        np.testing.assert_allclose(lp_e.numpy(), lp_t.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)


def test_scalar_parameters_give_scalar_batches_and_same_repr(torch):
    for lib in (ember, torch):
        lib.set_printoptions(precision=4)
    try:
        for make in (lambda D: D.Cauchy(0.5, 2.0), lambda D: D.Exponential(1.5),
                     lambda D: D.Laplace(0.0, 1.0), lambda D: D.Chi2(3.0),
                     lambda D: D.Binomial(4, 0.3), lambda D: D.Poisson(2.0),
                     lambda D: D.Geometric(0.25), lambda D: D.ContinuousBernoulli(0.3),
                     lambda D: D.FisherSnedecor(2.0, 5.0), lambda D: D.StudentT(3.0),
                     lambda D: D.GeneralizedPareto(0.0, 1.0, 0.2)):
            e, t = make(ember.distributions), make(torch.distributions)
            assert repr(e) == repr(t)
            assert tuple(e.batch_shape) == tuple(t.batch_shape) == ()
            assert tuple(e.sample((3,)).shape) == (3,)
    finally:
        for lib in (ember, torch):
            lib.set_printoptions(profile="default")


# -- GeneralizedPareto: torch compares the concentration with a float32 zero, so it is checked in
#    float32 --------------------------------------------------------------------------------------

def _pareto(lib):
    leaves = [lib.tensor(v, dtype=lib.float32, requires_grad=True) for v in (
        [0.0, 0.1, -0.2], [0.5, 1.0, 2.0], [[-0.2, 0.0, 0.3], [0.45, -0.1, 0.8]])]
    return lib.distributions.GeneralizedPareto(*leaves), leaves


def test_generalized_pareto_matches_torch(torch):
    e, e_leaves = _pareto(ember)
    t, t_leaves = _pareto(torch)
    v = np.random.RandomState(0).uniform(0.2, 1.5, (4, 2, 3)).astype(np.float32)
    u = np.full((2, 3), 0.3, np.float32)
    results = []
    for lib, d in ((ember, e), (torch, t)):
        x = lib.tensor(v)
        results.append([d.log_prob(x), d.cdf(x), d.log_cdf(x), d.log_survival_function(x),
                        d.icdf(lib.tensor(u)), d.entropy(), d.mean, d.variance, d.mode])
    for a, b in zip(*results):
        assert tuple(a.shape) == tuple(b.shape) and a.dtype == ember.float32
        _close(a, b, rtol=2e-5, atol=2e-6)
    for leaves, lib, rs in ((e_leaves, ember, results[0]), (t_leaves, torch, results[1])):
        total = sum((r * (1 + lib.arange(r.numel()).reshape(r.shape) / 7))
                    .nan_to_num(0.0, 0.0, 0.0).sum() for r in rs)
        total.backward()
    for a, b in zip(e_leaves, t_leaves):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=2e-5, atol=1e-5)
    assert repr(e) == repr(t) and repr(e.support) == repr(t.support)
    assert tuple(e.rsample((5,)).shape) == (5, 2, 3) and e.has_rsample
    ee, te = e.expand((4, 2, 3)), t.expand((4, 2, 3))
    assert tuple(ee.batch_shape) == (4, 2, 3)
    _close(ee.log_prob(ember.tensor(v[:1])), te.log_prob(torch.tensor(v[:1])), rtol=2e-5,
           atol=2e-6)


def test_generalized_pareto_log_prob_in_float64():
    # the shifted exponential at concentration 0, the flat density at -1, the general case
    d = ember.distributions.GeneralizedPareto(ember.tensor(0.5, dtype=ember.float64), 2.0,
                                              ember.tensor([0.0, -1.0, 0.5], dtype=ember.float64))
    x = np.array([1.0, 1.5, 3.0])
    expected = [-np.log(2) - 0.25, -np.log(2), -np.log(2) - 3 * np.log1p(0.5 * 1.25)]
    np.testing.assert_allclose(d.log_prob(ember.tensor(x)).numpy(), expected, rtol=1e-12)


# -- enumerate_support and the Binomial's homogeneous count ------------------------------------

def test_binomial_enumerate_support_and_entropy(torch):
    for lib in (ember, torch):
        d = lib.distributions.Binomial(3, lib.tensor([[0.2, 0.7]], dtype=lib.float64))
        assert tuple(d.enumerate_support().shape) == (4, 1, 2)
        assert tuple(d.enumerate_support(expand=False).shape) == (4, 1, 1)
    e = ember.distributions.Binomial(3, ember.tensor([0.2, 0.7], dtype=ember.float64))
    t = torch.distributions.Binomial(3, torch.tensor([0.2, 0.7], dtype=torch.float64))
    _close(e.enumerate_support(), t.enumerate_support())
    _close(e.entropy(), t.entropy())
    uneven = [lib.distributions.Binomial(lib.tensor([2.0, 3.0]), lib.tensor([0.5, 0.5]))
              for lib in (ember, torch)]
    for method in ("entropy", "enumerate_support"):
        with pytest.raises(NotImplementedError) as t_err:
            getattr(uneven[1], method)()
        with pytest.raises(NotImplementedError, match=str(t_err.value)):
            getattr(uneven[0], method)()


def test_binomial_at_probability_zero_and_one(torch):
    for p in (0.0, 1.0):
        e = ember.distributions.Binomial(4, ember.tensor([p], dtype=ember.float64))
        t = torch.distributions.Binomial(4, torch.tensor([p], dtype=torch.float64))
        k = np.array([0.0, 4.0])
        _close(e.log_prob(ember.tensor(k)), t.log_prob(torch.tensor(k)), rtol=1e-6, atol=1e-6)
        assert float(e.sample()) == 4 * p


# -- the exponential family ------------------------------------------------------------------

EXP_FAMILY = ["Bernoulli", "Beta", "ContinuousBernoulli", "Dirichlet", "Exponential", "Gamma",
              "Normal", "Poisson", "Chi2"]
NOT_EXP_FAMILY = ["Binomial", "Categorical", "Cauchy", "FisherSnedecor", "Geometric", "Laplace",
                  "StudentT", "GeneralizedPareto", "Uniform"]


def test_class_hierarchy_matches_torch(torch):
    for name in EXP_FAMILY + NOT_EXP_FAMILY:
        e_mro = [c.__name__ for c in getattr(ember.distributions, name).__mro__]
        t_mro = [c.__name__ for c in getattr(torch.distributions, name).__mro__]
        assert e_mro == [n for n in t_mro if n != "Generic"], name
    exp_family = ember.distributions.exp_family
    assert exp_family.ExponentialFamily is ember.distributions.ExponentialFamily


@pytest.mark.parametrize("make", [
    lambda D, T: D.Normal(T([0.3, -1.0]), T([0.5, 2.0])),
    lambda D, T: D.Bernoulli(T([0.2, 0.9])),
    lambda D, T: D.Exponential(T([0.5, 3.0])),
    lambda D, T: D.ContinuousBernoulli(T([0.2, 0.9])),
    lambda D, T: D.ContinuousBernoulli(logits=T([0.0002, -3.0])),
], ids=["Normal", "Bernoulli", "Exponential", "ContinuousBernoulli", "ContinuousBernoulli_logits"])
def test_bregman_entropy_equals_the_closed_form_and_torchs(torch, make):
    def in_lib(lib):
        d = make(lib.distributions, lambda v: lib.tensor(v, dtype=lib.float64))
        return d, lib.distributions.ExponentialFamily.entropy(d)
    (e, e_bregman), (_, t_bregman) = in_lib(ember), in_lib(torch)
    _close(e_bregman, e.entropy(), rtol=1e-8)
    _close(e_bregman, t_bregman, rtol=1e-8)


def test_exponential_family_without_carrier_measure_has_no_entropy(torch):
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError):
            lib.distributions.Poisson(lib.tensor([1.0, 2.0])).entropy()
