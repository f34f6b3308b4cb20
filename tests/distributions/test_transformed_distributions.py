"""TransformedDistribution and the distributions built on it (LogNormal, HalfNormal, Gumbel,
InverseGamma, Kumaraswamy, Pareto, Weibull, LogisticNormal, RelaxedBernoulli,
RelaxedOneHotCategorical) against torch.distributions built from the same parameters: log_prob,
entropy, moments, cdf/icdf (values and gradients), shapes, expand, repr and validation errors;
finite-difference gradients of reparameterized samples."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

from ._checks import assert_same_grads

_R = np.random.RandomState(77)


def _affine_exp(D, p):
    T = D.transforms
    return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                     [T.AffineTransform(p["shift"], 2.0), T.ExpTransform()])


# name -> (build(distributions module, params) -> distribution, params, values(rng) or None to
# evaluate log_prob at torch's own samples)
CASES = {
    "LogNormal": (lambda D, p: D.LogNormal(p["loc"], p["scale"]),
                  {"loc": _R.standard_normal((2, 3)), "scale": _R.uniform(0.5, 2, (3,))},
                  lambda rng: rng.uniform(0.1, 4, (4, 2, 3))),
    "HalfCauchy": (lambda D, p: D.HalfCauchy(p["scale"]),
                   {"scale": _R.uniform(0.5, 2, (2, 3))},
                   lambda rng: rng.uniform(0.0, 4, (4, 2, 3))),
    "HalfNormal": (lambda D, p: D.HalfNormal(p["scale"]),
                   {"scale": _R.uniform(0.5, 2, (2, 3))},
                   lambda rng: rng.uniform(0.0, 4, (4, 2, 3))),
    "Gumbel": (lambda D, p: D.Gumbel(p["loc"], p["scale"]),
               {"loc": _R.standard_normal((2, 3)), "scale": _R.uniform(0.5, 2, (3,))},
               lambda rng: rng.standard_normal((4, 2, 3))),
    "InverseGamma": (lambda D, p: D.InverseGamma(p["concentration"], p["rate"]),
                     {"concentration": _R.uniform(0.5, 4, (2, 3)),
                      "rate": _R.uniform(0.5, 2, (3,))},
                     lambda rng: rng.uniform(0.1, 4, (4, 2, 3))),
    "Kumaraswamy": (lambda D, p: D.Kumaraswamy(p["a"], p["b"]),
                    {"a": _R.uniform(0.5, 4, (2, 3)), "b": _R.uniform(0.5, 4, (3,))},
                    lambda rng: rng.uniform(0.05, 0.95, (4, 2, 3))),
    "Pareto": (lambda D, p: D.Pareto(p["scale"], p["alpha"]),
               {"scale": _R.uniform(0.1, 1, (3,)), "alpha": _R.uniform(0.5, 4, (2, 3))},
               lambda rng: rng.uniform(1.0, 4, (4, 2, 3))),
    "Weibull": (lambda D, p: D.Weibull(p["scale"], p["concentration"]),
                {"scale": _R.uniform(0.5, 2, (3,)), "concentration": _R.uniform(0.5, 4, (2, 3))},
                lambda rng: rng.uniform(0.1, 4, (4, 2, 3))),
    "LogisticNormal": (lambda D, p: D.LogisticNormal(p["loc"], p["scale"]),
                       {"loc": _R.standard_normal((2, 3)), "scale": _R.uniform(0.5, 2, (2, 3))},
                       None),
    "RelaxedBernoulli": (lambda D, p: D.RelaxedBernoulli(p["temperature"], probs=p["probs"]),
                         {"temperature": np.array(0.7), "probs": _R.uniform(0.1, 0.9, (2, 3))},
                         lambda rng: rng.uniform(0.05, 0.95, (4, 2, 3))),
    "RelaxedBernoulli_logits": (
        lambda D, p: D.RelaxedBernoulli(p["temperature"], logits=p["logits"]),
        {"temperature": np.array(1.3), "logits": _R.standard_normal((3,))},
        lambda rng: rng.uniform(0.05, 0.95, (4, 3))),
    "RelaxedOneHotCategorical": (
        lambda D, p: D.RelaxedOneHotCategorical(p["temperature"], probs=p["probs"]),
        {"temperature": np.array(0.6), "probs": _R.uniform(0.1, 1, (2, 4))}, None),
    "RelaxedOneHotCategorical_logits": (
        lambda D, p: D.RelaxedOneHotCategorical(p["temperature"], logits=p["logits"]),
        {"temperature": np.array(1.5), "logits": _R.standard_normal((3, 4))}, None),
    "TransformedDistribution": (_affine_exp,
                                {"loc": _R.standard_normal((3,)), "scale": _R.uniform(0.5, 2, (3,)),
                                 "shift": _R.standard_normal((2, 1))},
                                lambda rng: rng.uniform(0.1, 4, (4, 2, 3))),
}
NAMES = sorted(CASES)
# where torch gives no entropy, mode or cdf, ember does not either (NotImplementedError)
WITH_CDF = ["Gumbel", "HalfCauchy", "HalfNormal", "LogNormal", "Pareto", "TransformedDistribution",
            "Weibull"]


def _build(lib, name, requires_grad=False):
    make, params, _ = CASES[name]
    leaves = {k: lib.tensor(v, dtype=lib.float64, requires_grad=requires_grad)
              for k, v in params.items()}
    return make(lib.distributions, leaves), leaves


def _values(lib, name, torch_dist):
    values = CASES[name][2]
    if values is None:
        import torch
        torch.manual_seed(3)
        sample = torch_dist.sample((4,)).numpy()
    else:
        sample = values(np.random.RandomState(5))
    return lib.tensor(sample, dtype=lib.float64)


def _close(e, t, rtol=1e-8, atol=1e-10):
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", NAMES)
def test_log_prob_and_gradients(torch, name):
    e, e_leaves = _build(ember, name, requires_grad=True)
    t, t_leaves = _build(torch, name, requires_grad=True)
    lp_e = e.log_prob(_values(ember, name, t))
    lp_t = t.log_prob(_values(torch, name, t))
    _close(lp_e, lp_t)
    lp_e.sum().backward()
    lp_t.sum().backward()
    assert_same_grads(e_leaves, t_leaves, 1e-7, 1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_support_and_repr(torch, name):
    e, _ = _build(ember, name)
    t, _ = _build(torch, name)
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert repr(e) == repr(t)
    assert repr(e.support) == repr(t.support)
    assert e.has_rsample == t.has_rsample
    for shape in ((), (5,), (2, 1)):
        s = e.sample(shape)
        assert tuple(s.shape) == tuple(t.sample(shape).shape)
        assert not s.requires_grad
        assert bool(e.support.check(s).all())
    big = e.expand((4,) + tuple(e.batch_shape))
    assert tuple(big.batch_shape) == (4,) + tuple(t.batch_shape)
    _close(big.log_prob(_values(ember, name, t)),
           t.expand((4,) + tuple(t.batch_shape)).log_prob(_values(torch, name, t)))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("moment", ["mean", "variance", "mode", "entropy"])
def test_moments_and_entropy(torch, name, moment):
    e, e_leaves = _build(ember, name, requires_grad=True)
    t, t_leaves = _build(torch, name, requires_grad=True)
    try:
        m_t = getattr(t, moment)
        m_t = m_t() if moment == "entropy" else m_t
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            m_e = getattr(e, moment)
            m_e() if moment == "entropy" else m_e
        return
    if name == "Kumaraswamy" and moment == "mode":
        return  # torch's formula is NaN almost everywhere: see test_kumaraswamy_mode
    m_e = getattr(e, moment)
    m_e = m_e() if moment == "entropy" else m_e
    _close(m_e, m_t)
    finite = np.isfinite(m_t.detach().numpy())
    if m_t.requires_grad and finite.all():
        m_e.sum().backward()
        m_t.sum().backward()
        assert_same_grads(e_leaves, t_leaves, 1e-7, 1e-9)


def test_kumaraswamy_mode():
    # independent of torch: the argmax of the density on a fine grid
    a = ember.tensor([2.0, 3.0, 1.5, 0.5], dtype=ember.float64)
    b = ember.tensor([2.0, 5.0, 1.2, 2.0], dtype=ember.float64)
    mode = ember.distributions.Kumaraswamy(a, b).mode.numpy()
    grid = np.linspace(1e-6, 1 - 1e-6, 200001)
    for i in range(3):
        av, bv = a[i].item(), b[i].item()
        density = av * bv * grid ** (av - 1) * (1 - grid ** av) ** (bv - 1)
        assert abs(mode[i] - grid[np.argmax(density)]) < 1e-4
    assert math.isnan(mode[3])


@pytest.mark.parametrize("name", WITH_CDF)
def test_cdf_icdf(torch, name):
    e, e_leaves = _build(ember, name, requires_grad=True)
    t, t_leaves = _build(torch, name, requires_grad=True)
    v_e, v_t = _values(ember, name, t), _values(torch, name, t)
    c_e, c_t = e.cdf(v_e), t.cdf(v_t)
    _close(c_e, c_t)
    q = np.random.RandomState(1).uniform(0.05, 0.95, tuple(c_t.shape))
    i_e, i_t = e.icdf(ember.tensor(q, dtype=ember.float64)), t.icdf(torch.tensor(q))
    _close(i_e, i_t, rtol=1e-7)
    (c_e.sum() + i_e.sum()).backward()
    (c_t.sum() + i_t.sum()).backward()
    assert_same_grads(e_leaves, t_leaves, 1e-7, 1e-9)


RSAMPLE = ["Gumbel", "HalfCauchy", "HalfNormal", "LogNormal", "LogisticNormal", "Kumaraswamy",
           "Pareto", "Weibull", "RelaxedBernoulli", "RelaxedOneHotCategorical",
           "TransformedDistribution"]


@pytest.mark.parametrize("name", RSAMPLE)
def test_rsample_gradcheck(name):
    make, params, _ = CASES[name]
    keys = sorted(k for k in params if k != "temperature")
    fixed = {k: ember.tensor(v, dtype=ember.float64) for k, v in params.items()}

    def draw(*leaves):
        ember.manual_seed(4)
        p = dict(fixed, **dict(zip(keys, leaves)))
        return make(ember.distributions, p).rsample((3,))
    leaves = tuple(ember.tensor(params[k], dtype=ember.float64, requires_grad=True)
                   for k in keys)
    assert gradcheck(draw, leaves)


BAD = [
    lambda D, T: D.LogNormal(T([0.0]), T([-1.0])),
    lambda D, T: D.HalfNormal(T([0.0])),
    lambda D, T: D.HalfCauchy(T([-1.0])),
    lambda D, T: D.HalfCauchy(T([1.0])).log_prob(T([-1.0])),
    lambda D, T: D.Gumbel(T([0.0]), T([0.0])),
    lambda D, T: D.InverseGamma(T([-1.0]), T([1.0])),
    lambda D, T: D.Kumaraswamy(T([1.0]), T([-1.0])),
    lambda D, T: D.Pareto(T([1.0]), T([0.0])),
    lambda D, T: D.Weibull(T([-1.0]), T([1.0])),
    lambda D, T: D.LogisticNormal(T([0.0]), T([-1.0])),
    lambda D, T: D.RelaxedBernoulli(T(1.0), probs=T([1.5])),
    lambda D, T: D.RelaxedBernoulli(T(1.0)),
    lambda D, T: D.RelaxedOneHotCategorical(T(1.0), probs=T([-0.5, 1.5])),
    lambda D, T: D.HalfNormal(T([1.0])).log_prob(T([-1.0])),
    lambda D, T: D.LogNormal(T([0.0]), T([1.0])).log_prob(T([-1.0])),
    lambda D, T: D.Kumaraswamy(T([1.0]), T([1.0])).log_prob(T([1.5])),
    lambda D, T: D.LogisticNormal(T([0.0]), T([1.0])).log_prob(T([0.5, 0.6])),
    lambda D, T: D.TransformedDistribution(D.Normal(T(0.0), T(1.0)), "exp"),
    lambda D, T: D.TransformedDistribution(D.Normal(T(0.0), T(1.0)), [1]),
    lambda D, T: D.TransformedDistribution(D.Normal(T(0.0), T(1.0)),
                                           D.transforms.StickBreakingTransform()),
]


@pytest.mark.parametrize("bad", BAD)
def test_errors_as_in_torch(torch, bad):
    with pytest.raises(Exception) as t_err:
        bad(torch.distributions, lambda v: torch.tensor(v, dtype=torch.float64))
    with pytest.raises(type(t_err.value)):
        bad(ember.distributions, lambda v: ember.tensor(v, dtype=ember.float64))


def test_validate_args_false_turns_checks_off():
    D = ember.distributions
    d = D.LogNormal(ember.tensor([0.0]), ember.tensor([1.0]), validate_args=False)
    assert math.isnan(d.log_prob(ember.tensor([-1.0])).item())


def test_transformed_distribution_cdf_with_decreasing_transform(torch):
    # a negative scale reverses the order: cdf(y) = 1 - F_base(x)
    def make(lib):
        D = lib.distributions
        base = D.Normal(lib.tensor([0.0, 1.0], dtype=lib.float64),
                        lib.tensor([1.0, 2.0], dtype=lib.float64))
        return D.TransformedDistribution(base, [D.transforms.AffineTransform(1.0, -3.0)])
    v = np.array([0.5, -2.0])
    _close(make(ember).cdf(ember.tensor(v)), make(torch).cdf(torch.tensor(v)))
    _close(make(ember).icdf(ember.tensor([0.2, 0.7])), make(torch).icdf(torch.tensor([0.2, 0.7])),
           rtol=1e-7)


def test_relaxed_bases_against_torch(torch):
    from torch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
    from torch.distributions.relaxed_categorical import ExpRelaxedCategorical
    from ember.distributions import relaxed_bernoulli, relaxed_categorical
    temperature, probs = 0.8, _R.uniform(0.1, 0.9, (2, 3))
    pairs = [(relaxed_bernoulli.LogitRelaxedBernoulli, LogitRelaxedBernoulli,
              _R.standard_normal((4, 2, 3))),
             (relaxed_categorical.ExpRelaxedCategorical, ExpRelaxedCategorical,
              np.log(_R.dirichlet(np.ones(3), (4, 2))))]
    for e_cls, t_cls, value in pairs:
        e = e_cls(ember.tensor(temperature, dtype=ember.float64),
                  probs=ember.tensor(probs, dtype=ember.float64))
        t = t_cls(torch.tensor(temperature, dtype=torch.float64),
                  probs=torch.tensor(probs, dtype=torch.float64))
        assert repr(e) == repr(t)
        assert tuple(e.batch_shape) == tuple(t.batch_shape)
        assert tuple(e.event_shape) == tuple(t.event_shape)
        assert tuple(e.rsample((5,)).shape) == tuple(t.rsample((5,)).shape)
        _close(e.log_prob(ember.tensor(value)), t.log_prob(torch.tensor(value)))
        shape = (3,) + tuple(t.batch_shape)
        big_e, big_t = e.expand(shape), t.expand(shape)
        assert tuple(big_e.batch_shape) == tuple(big_t.batch_shape)
