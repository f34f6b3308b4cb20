"""Sampling of Cauchy, Exponential, Laplace, Chi2, Dirichlet, Binomial, Poisson, Geometric,
ContinuousBernoulli, FisherSnedecor, StudentT and GeneralizedPareto: moments (or, without them,
quantiles) of many samples from a fixed seed, rsample gradients by finite differences with the
noise held fixed, and unbiased gradients for the Gamma-based samplers."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.ops.gamma_sampling import standard_gamma_grad

from ._checks import moments_match

D = ember.distributions
N = 40000


def _t(v):
    return ember.tensor(v, dtype=ember.float64)


@pytest.mark.parametrize("make", [
    lambda: D.Exponential(_t([0.5, 3.0])),
    lambda: D.Laplace(_t([0.0, -2.0]), _t([1.0, 0.5])),
    lambda: D.Chi2(_t([1.0, 4.0, 10.0])),
    lambda: D.Dirichlet(_t([[0.5, 1.0, 3.0], [4.0, 2.0, 2.0]])),
    lambda: D.Binomial(_t([1.0, 10.0, 25.0]), _t([0.3, 0.7, 0.5])),
    lambda: D.Poisson(_t([0.5, 4.0, 30.0])),
    lambda: D.Geometric(_t([0.2, 0.5, 0.9])),
    lambda: D.ContinuousBernoulli(_t([0.1, 0.5, 0.8])),
    lambda: D.FisherSnedecor(_t([5.0, 10.0]), _t([12.0, 20.0])),
    lambda: D.StudentT(_t([6.0, 12.0]), _t([1.0, -1.0]), _t([2.0, 0.5])),
    lambda: D.GeneralizedPareto(_t([0.0, 1.0, 0.5]), _t([1.0, 2.0, 0.5]), _t([-0.3, 0.0, 0.15])),
], ids=["Exponential", "Laplace", "Chi2", "Dirichlet", "Binomial", "Poisson", "Geometric",
        "ContinuousBernoulli", "FisherSnedecor", "StudentT", "GeneralizedPareto"])
def test_sample_moments(make):
    d = make()
    # heavy tails (FisherSnedecor, StudentT, GeneralizedPareto) make the sample variance noisy
    moments_match(d.sample((N,)), d.mean.numpy(), d.variance.numpy(), var_rtol=0.15)
    if d.has_rsample:
        moments_match(d.rsample((N,)).detach(), d.mean.numpy(), d.variance.numpy(),
                       var_rtol=0.15)


def test_cauchy_sample_quantiles(torch):
    # no mean or variance: the quartiles of many samples against the icdf
    d = D.Cauchy(_t([0.0, 3.0]), _t([1.0, 0.5]))
    s = d.sample((N,)).numpy()
    for q in (0.25, 0.5, 0.75):
        np.testing.assert_allclose(np.quantile(s, q, axis=0), d.icdf(_t(q)).numpy(), atol=0.04)
    t = torch.distributions.Cauchy(torch.tensor([0.0, 3.0]), torch.tensor([1.0, 0.5]))
    np.testing.assert_allclose(d.icdf(_t(0.25)).numpy(), t.icdf(torch.tensor(0.25)).numpy(),
                               rtol=1e-6)


def test_discrete_samples_are_whole_numbers_in_the_support():
    for d in (D.Binomial(_t([3.0, 8.0]), _t([0.2, 0.9])), D.Poisson(_t([0.1, 7.0])),
              D.Geometric(_t([0.05, 1.0]))):
        s = d.sample((500,))
        assert bool((s == s.floor()).all()) and bool((s >= 0).all())
        assert bool(d.support.check(s).all())
    assert bool((D.Geometric(_t([1.0])).sample((50,)) == 0).all())


def _fixed_noise(make, shape=(3,)):
    """rsample of make(*params) as a function of the params, with the same noise every call."""
    def f(*params):
        ember.manual_seed(11)
        return make(*params).rsample(shape)
    return f


def _leaf(*v):
    return ember.tensor(list(v), dtype=ember.float64, requires_grad=True)


@pytest.mark.parametrize("make, params", [
    (D.Cauchy, (_leaf(0.3, -1.0), _leaf(0.5, 2.0))),
    (D.Exponential, (_leaf(0.5, 3.0),)),
    (D.Laplace, (_leaf(0.3, -1.0), _leaf(0.5, 2.0))),
    (lambda p: D.ContinuousBernoulli(p), (_leaf(0.2, 0.7),)),
    (lambda p: D.ContinuousBernoulli(logits=p), (_leaf(-1.5, 2.0),)),
    (D.GeneralizedPareto, (_leaf(0.3, -1.0), _leaf(0.5, 2.0), _leaf(-0.2, 0.4))),
    (lambda loc, scale: D.StudentT(ember.tensor([3.0, 8.0], dtype=ember.float64), loc, scale),
     (_leaf(0.3, -1.0), _leaf(0.5, 2.0))),
], ids=["Cauchy", "Exponential", "Laplace", "ContinuousBernoulli", "ContinuousBernoulli_logits",
        "GeneralizedPareto", "StudentT_loc_scale"])
def test_rsample_gradients_match_finite_differences(make, params):
    assert gradcheck(_fixed_noise(make), params)


def test_chi2_rsample_gradient_is_the_implicit_gamma_gradient():
    df = ember.tensor([0.8, 5.0], dtype=ember.float64, requires_grad=True)
    x = D.Chi2(df).rsample((6,))
    x.sum().backward()
    # x = 2 z with z ~ Gamma(df / 2, 1): dx/ddf = 2 dz/dalpha * 1/2
    z = (x / 2).detach().numpy()
    np.testing.assert_allclose(df.grad.numpy(),
                               standard_gamma_grad(z, np.array([0.4, 2.5])).sum(0), rtol=1e-10)


@pytest.mark.parametrize("make, moment", [
    # d/dc E[x] of the Dirichlet's mean c / sum(c) (first component)
    (lambda c: D.Dirichlet(c).rsample((N,))[..., 0].mean(0),
     lambda c: c[0] / c.sum()),
    # E[F(d1, d2)] = d2 / (d2 - 2) does not depend on d1; its gradient in d2 is -2 / (d2 - 2)^2
    (lambda c: D.FisherSnedecor(c[0], c[1]).rsample((N,)).clamp(max=60.0).mean(0),
     None),
    # E[chi2(df)] = df
    (lambda c: D.Chi2(c).rsample((N,)).mean(0).sum(), lambda c: c.sum()),
], ids=["Dirichlet", "FisherSnedecor", "Chi2"])
def test_gamma_based_rsample_gradients_are_unbiased(make, moment):
    if moment is None:
        c = ember.tensor([8.0, 30.0], dtype=ember.float64, requires_grad=True)
        make(c).backward()
        np.testing.assert_allclose(c.grad.numpy(), [0.0, -2 / 28 ** 2], atol=0.004)
        return
    c = ember.tensor([0.6, 2.0, 5.0], dtype=ember.float64, requires_grad=True)
    make(c).backward()
    ref = ember.tensor([0.6, 2.0, 5.0], dtype=ember.float64, requires_grad=True)
    moment(ref).backward()
    np.testing.assert_allclose(c.grad.numpy(), ref.grad.numpy(), atol=0.02, rtol=0.04)


def test_dirichlet_rsample_lies_on_the_simplex_and_carries_gradients():
    c = ember.tensor([[0.2, 1.0, 4.0]], dtype=ember.float64, requires_grad=True)
    x = D.Dirichlet(c).rsample((7,))
    assert tuple(x.shape) == (7, 1, 3)
    np.testing.assert_allclose(x.sum(-1).detach().numpy(), 1.0, rtol=1e-12)
    (x * ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)).sum().backward()
    assert bool(c.grad.abs().sum() > 0)


def test_samples_repeat_under_the_same_seed():
    for make in (lambda: D.Cauchy(0.0, 1.0), lambda: D.StudentT(3.0),
                 lambda: D.Poisson(_t([2.0])), lambda: D.Geometric(_t([0.3]))):
        ember.manual_seed(5)
        first = make().sample((4,))
        ember.manual_seed(5)
        assert ember.equal(first, make().sample((4,)))
