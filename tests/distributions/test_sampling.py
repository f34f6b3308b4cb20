"""Sampling: moments of many samples from a fixed seed, reparameterized gradients checked by
finite differences (the noise held fixed by reseeding), and the Gamma sampler's implicit gradient
(NOTE [ Implicit gradient of a Gamma sample ]) against finite differences of torch's regularized
incomplete gamma function."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.ops.gamma_sampling import standard_gamma_grad

D = ember.distributions
N = 40000


def _moments_match(samples, mean, var, n_sd=5.0):
    """The sample mean within n_sd standard errors of `mean`, the sample variance within 5%."""
    s = samples.double().numpy()
    mean, var = np.broadcast_to(mean, s.shape[1:]), np.broadcast_to(var, s.shape[1:])
    np.testing.assert_array_less(np.abs(s.mean(0) - mean), n_sd * np.sqrt(var / s.shape[0]))
    np.testing.assert_allclose(s.var(0), var, rtol=0.05)


@pytest.mark.parametrize("make", [
    lambda: D.Normal(ember.tensor([0.0, -2.0]), ember.tensor([1.0, 0.5])),
    lambda: D.Uniform(ember.tensor([0.0, -3.0]), ember.tensor([1.0, 5.0])),
    lambda: D.Bernoulli(ember.tensor([0.1, 0.5, 0.8])),
    lambda: D.Gamma(ember.tensor([0.3, 1.0, 7.5]), ember.tensor([1.0, 2.0, 0.5])),
    lambda: D.Beta(ember.tensor([0.4, 2.0, 5.0]), ember.tensor([0.6, 3.0, 1.0])),
    lambda: D.Independent(D.Normal(ember.tensor([[1.0, 2.0]]), 3.0), 1),
], ids=["Normal", "Uniform", "Bernoulli", "Gamma", "Beta", "Independent"])
def test_sample_moments(make):
    d = make()
    _moments_match(d.sample((N,)), d.mean.numpy(), d.variance.numpy())
    if d.has_rsample:
        _moments_match(d.rsample((N,)).detach(), d.mean.numpy(), d.variance.numpy())


def test_categorical_frequencies():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    s = D.Categorical(probs=ember.tensor(probs)).sample((N,)).numpy()
    assert s.dtype == np.int64 and s.shape == (N, 2)
    freq = np.stack([(s == k).mean(0) for k in range(3)], -1)
    np.testing.assert_array_less(np.abs(freq - probs), 5 * np.sqrt(probs * (1 - probs) / N))


def test_multivariate_normal_sample_covariance():
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    loc = np.array([1.0, -1.0, 0.5])
    s = D.MultivariateNormal(ember.tensor(loc), ember.tensor(cov)).sample((N,)).numpy()
    np.testing.assert_array_less(np.abs(s.mean(0) - loc), 5 * np.sqrt(np.diag(cov) / N))
    np.testing.assert_allclose(np.cov(s.T), cov, atol=0.05)


def _fixed_noise(make, shape=(3,)):
    """rsample of make(*params) as a function of the params, with the same noise every call."""
    def f(*params):
        ember.manual_seed(11)
        return make(*params).rsample(shape)
    return f


def test_rsample_gradients_match_finite_differences():
    loc = ember.tensor([0.3, -1.0], dtype=ember.float64, requires_grad=True)
    scale = ember.tensor([0.5, 2.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(_fixed_noise(D.Normal), (loc, scale))
    low = ember.tensor([0.0, -1.0], dtype=ember.float64, requires_grad=True)
    high = ember.tensor([1.0, 3.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(_fixed_noise(D.Uniform), (low, high))
    mvn_loc = ember.tensor([0.3, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    a = np.random.RandomState(0).standard_normal((3, 3))
    cov = ember.tensor(a @ a.T + 3 * np.eye(3), requires_grad=True)
    sym = _fixed_noise(lambda m, c: D.MultivariateNormal(m, (c + c.transpose(0, 1)) / 2))
    assert gradcheck(sym, (mvn_loc, cov))
    tril = ember.tensor(np.linalg.cholesky(a @ a.T + 3 * np.eye(3)), requires_grad=True)
    assert gradcheck(_fixed_noise(lambda m, t: D.MultivariateNormal(m, scale_tril=t.tril())),
                     (mvn_loc, tril))


def test_gamma_and_beta_rsample_repeat_under_the_same_seed():
    for make in (lambda: D.Gamma(2.0, 3.0), lambda: D.Beta(2.0, 3.0)):
        ember.manual_seed(5)
        first = make().rsample((4,))
        ember.manual_seed(5)
        assert ember.equal(first, make().rsample((4,)))


def _gammainc_quantile(torch, a, q):
    """x with P(a, x) = q, by bisection on torch.special.gammainc."""
    lo, hi = 0.0, a + 40 * math.sqrt(a) + 40
    for _ in range(200):
        mid = (lo + hi) / 2
        if torch.special.gammainc(torch.tensor(a, dtype=torch.float64),
                                  torch.tensor(mid, dtype=torch.float64)).item() < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@pytest.mark.parametrize("alpha", [0.05, 0.5, 1.0, 3.0, 30.0, 500.0])
@pytest.mark.parametrize("q", [1e-6, 0.01, 0.5, 0.99, 1 - 1e-7])
def test_gamma_implicit_gradient_against_the_incomplete_gamma_function(torch, alpha, q):
    # dx/dalpha = -(dP/dalpha) / f at fixed x; P (or 1 - P in the upper tail, where P's
    # differences lose digits) differenced in alpha by torch.special.gammainc / gammaincc
    x = _gammainc_quantile(torch, alpha, q)
    h = 1e-5 * alpha
    upper = q > 0.5
    fn = torch.special.gammaincc if upper else torch.special.gammainc
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    d_cdf = (fn(t(alpha + h), t(x)) - fn(t(alpha - h), t(x))).item() / (2 * h)
    d_cdf = -d_cdf if upper else d_cdf
    density = math.exp((alpha - 1) * math.log(x) - x - math.lgamma(alpha))
    expected = -d_cdf / density
    np.testing.assert_allclose(standard_gamma_grad(x, alpha), expected, rtol=2e-6)
    # torch's own kernel approximates the same derivative
    theirs = torch._standard_gamma_grad(t(alpha), t(x)).item()
    np.testing.assert_allclose(standard_gamma_grad(x, alpha), theirs, rtol=5e-3)


def test_gamma_rsample_gradient_is_the_implicit_gradient_over_the_rate():
    conc = ember.tensor([0.7, 4.0], dtype=ember.float64, requires_grad=True)
    rate = ember.tensor([2.0, 0.5], dtype=ember.float64, requires_grad=True)
    x = D.Gamma(conc, rate).rsample((5,))
    x.sum().backward()
    z = (x * rate).detach().numpy()  # the standard Gamma samples
    expected = (standard_gamma_grad(z, np.array([0.7, 4.0])) / np.array([2.0, 0.5])).sum(0)
    np.testing.assert_allclose(conc.grad.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(rate.grad.numpy(), (-x / rate).sum(0).detach().numpy(),
                               rtol=1e-12)


def test_gamma_and_beta_rsample_gradients_are_unbiased():
    # d/dc E[x]: E[Gamma(c, r)] = c / r, E[Beta(a, b)] = a / (a + b)
    conc = ember.tensor([0.3, 2.0, 9.0], dtype=ember.float64, requires_grad=True)
    rate = ember.tensor([1.0, 2.0, 0.5], dtype=ember.float64)
    D.Gamma(conc, rate).rsample((N,)).mean(0).sum().backward()
    np.testing.assert_allclose(conc.grad.numpy(), 1 / rate.numpy(), rtol=0.03)
    a = ember.tensor([0.5, 2.0, 6.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([1.5, 2.0, 1.0], dtype=ember.float64, requires_grad=True)
    D.Beta(a, b).rsample((N,)).mean(0).sum().backward()
    an, bn = a.detach().numpy(), b.detach().numpy()
    np.testing.assert_allclose(a.grad.numpy(), bn / (an + bn) ** 2, rtol=0.05)
    np.testing.assert_allclose(b.grad.numpy(), -an / (an + bn) ** 2, rtol=0.05)


def test_gamma_rsample_graph_goes_through_the_standard_gamma_node():
    conc = ember.tensor([2.0], requires_grad=True)
    s = D.Gamma(conc, 1.0).rsample()
    assert type(s.grad_fn).__name__ == "DivBackward0"
    assert s.grad_fn.next_functions[0][0].name() == "StandardGammaBackward0"
    assert float(s.min()) > 0
