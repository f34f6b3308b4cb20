"""kl_divergence for the pairs torch registers among Cauchy, Exponential, Laplace, Dirichlet,
Binomial, Poisson, Geometric, ContinuousBernoulli (and with Normal, Gamma, Beta, Uniform,
Bernoulli), and the exponential families' Bregman-divergence KL: values and gradients against
torch 2.13, finite-difference gradients, and the infinite pairs."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

from ._checks import assert_kl_matches_torch

_R = np.random.RandomState(77)


def _pos(*shape, low=0.5, high=2.0):
    return _R.uniform(low, high, shape)


def _prob(*shape):
    return _R.uniform(0.1, 0.9, shape)


# name -> (build(D, p) -> (p_dist, q_dist), parameters)
PAIRS = {
    "Cauchy": (lambda D, p: (D.Cauchy(p["a"], p["b"]), D.Cauchy(p["c"], p["d"])),
               {"a": _R.randn(2, 3), "b": _pos(3), "c": _R.randn(3), "d": _pos(2, 3)}),
    "Exponential": (lambda D, p: (D.Exponential(p["a"]), D.Exponential(p["b"])),
                    {"a": _pos(2, 3), "b": _pos(3)}),
    "Exponential_Gamma": (lambda D, p: (D.Exponential(p["a"]), D.Gamma(p["b"], p["c"])),
                          {"a": _pos(2, 3), "b": _pos(3), "c": _pos(3)}),
    "Exponential_Normal": (lambda D, p: (D.Exponential(p["a"]), D.Normal(p["b"], p["c"])),
                           {"a": _pos(2, 3), "b": _R.randn(3), "c": _pos(3)}),
    "Gamma_Exponential": (lambda D, p: (D.Gamma(p["a"], p["b"]), D.Exponential(p["c"])),
                          {"a": _pos(2, 3), "b": _pos(3), "c": _pos(3)}),
    "Beta_Exponential": (lambda D, p: (D.Beta(p["a"], p["b"]), D.Exponential(p["c"])),
                         {"a": _pos(2, 3), "b": _pos(3), "c": _pos(3)}),
    "Beta_ContinuousBernoulli": (
        lambda D, p: (D.Beta(p["a"], p["b"]), D.ContinuousBernoulli(p["c"])),
        {"a": _pos(2, 3), "b": _pos(3), "c": np.array([0.2, 0.4999, 0.8])}),
    "Uniform_Exponential": (lambda D, p: (D.Uniform(p["a"], p["b"]), D.Exponential(p["c"])),
                            {"a": _pos(3, low=0.1, high=0.5), "b": _pos(2, 3, low=1.0),
                             "c": _pos(3)}),
    "Uniform_ContinuousBernoulli": (
        lambda D, p: (D.Uniform(p["a"], p["b"]), D.ContinuousBernoulli(logits=p["c"])),
        {"a": _pos(3, low=0.05, high=0.4), "b": _pos(2, 3, low=0.5, high=0.95),
         "c": _R.randn(3)}),
    "ContinuousBernoulli": (
        lambda D, p: (D.ContinuousBernoulli(p["a"]), D.ContinuousBernoulli(logits=p["b"])),
        {"a": np.array([[0.1, 0.5003, 0.7], [0.3, 0.6, 0.95]]), "b": _R.randn(3)}),
    "ContinuousBernoulli_Exponential": (
        lambda D, p: (D.ContinuousBernoulli(p["a"]), D.Exponential(p["b"])),
        {"a": _prob(2, 3), "b": _pos(3)}),
    "ContinuousBernoulli_Normal": (
        lambda D, p: (D.ContinuousBernoulli(p["a"]), D.Normal(p["b"], p["c"])),
        {"a": _prob(2, 3), "b": _R.randn(3), "c": _pos(3)}),
    "ContinuousBernoulli_Uniform": (
        lambda D, p: (D.ContinuousBernoulli(p["a"]), D.Uniform(p["b"], p["c"])),
        {"a": _prob(2, 3), "b": _pos(3, low=-1.0, high=-0.1), "c": _pos(3, low=1.5)}),
    "Dirichlet": (lambda D, p: (D.Dirichlet(p["a"]), D.Dirichlet(p["b"])),
                  {"a": _pos(2, 4, low=0.3, high=3.0), "b": _pos(4, low=0.3, high=3.0)}),
    "Binomial": (lambda D, p: (D.Binomial(6, p["a"]), D.Binomial(6, logits=p["b"])),
                 {"a": _prob(2, 3), "b": _R.randn(3)}),
    "Geometric": (lambda D, p: (D.Geometric(p["a"]), D.Geometric(logits=p["b"])),
                  {"a": _prob(2, 3), "b": _R.randn(3)}),
    "Laplace": (lambda D, p: (D.Laplace(p["a"], p["b"]), D.Laplace(p["c"], p["d"])),
                {"a": _R.randn(2, 3), "b": _pos(3), "c": _R.randn(3), "d": _pos(2, 3)}),
    "Laplace_Normal": (lambda D, p: (D.Laplace(p["a"], p["b"]), D.Normal(p["c"], p["d"])),
                       {"a": _R.randn(2, 3), "b": _pos(3), "c": _R.randn(3), "d": _pos(3)}),
    "Normal_Laplace": (lambda D, p: (D.Normal(p["a"], p["b"]), D.Laplace(p["c"], p["d"])),
                       {"a": _R.randn(2, 3), "b": _pos(3), "c": _R.randn(3), "d": _pos(3)}),
    "Poisson": (lambda D, p: (D.Poisson(p["a"]), D.Poisson(p["b"])),
                {"a": _pos(2, 3, high=5.0), "b": _pos(3, high=5.0)}),
    "Bernoulli_Poisson": (lambda D, p: (D.Bernoulli(p["a"]), D.Poisson(p["b"])),
                          {"a": _prob(2, 3), "b": _pos(3)}),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_values_and_gradients_match_torch(torch, name):
    build, params = PAIRS[name]
    assert_kl_matches_torch(torch, build, params, 1e-8, 1e-10, 1e-7, 1e-9)


@pytest.mark.parametrize("name", ["Cauchy", "Exponential_Gamma", "Dirichlet", "Laplace",
                                  "Normal_Laplace", "ContinuousBernoulli", "Geometric"])
def test_kl_gradients_match_finite_differences(name):
    build, params = PAIRS[name]
    keys = sorted(params)

    def kl(*args):
        return ember.distributions.kl_divergence(*build(ember.distributions,
                                                        dict(zip(keys, args))))

    assert gradcheck(kl, [ember.tensor(params[k], requires_grad=True) for k in keys])


def test_kl_is_zero_between_a_distribution_and_itself():
    for name, (build, params) in PAIRS.items():
        p, q = build(ember.distributions, {k: ember.tensor(v) for k, v in params.items()})
        if type(p) is type(q):
            np.testing.assert_allclose(ember.distributions.kl_divergence(p, p).numpy(), 0,
                                       atol=1e-12, err_msg=name)


INFINITE = [
    lambda D, T: (D.Exponential(T([1.0, 2.0])), D.Beta(2.0, 3.0)),
    lambda D, T: (D.Exponential(T([1.0, 2.0])), D.ContinuousBernoulli(0.3)),
    lambda D, T: (D.Exponential(T([1.0, 2.0])), D.Uniform(0.0, 5.0)),
    lambda D, T: (D.Gamma(T([1.0, 2.0]), 1.0), D.ContinuousBernoulli(0.3)),
    lambda D, T: (D.Laplace(T([1.0, 2.0]), 1.0), D.Beta(2.0, 3.0)),
    lambda D, T: (D.Laplace(T([1.0, 2.0]), 1.0), D.ContinuousBernoulli(0.3)),
    lambda D, T: (D.Laplace(T([1.0, 2.0]), 1.0), D.Exponential(1.0)),
    lambda D, T: (D.Laplace(T([1.0, 2.0]), 1.0), D.Gamma(1.0, 1.0)),
    lambda D, T: (D.Laplace(T([1.0, 2.0]), 1.0), D.Uniform(-1.0, 1.0)),
    lambda D, T: (D.Normal(T([1.0, 2.0]), 1.0), D.ContinuousBernoulli(0.3)),
    lambda D, T: (D.Normal(T([1.0, 2.0]), 1.0), D.Exponential(1.0)),
    lambda D, T: (D.Poisson(T([1.0, 2.0])), D.Bernoulli(0.3)),
    lambda D, T: (D.Poisson(T([1.0, 2.0])), D.Binomial(4, 0.3)),
    # supports not nested: Uniform below 0 against Exponential, Uniform reaching 1 (torch's
    # inclusive test) against ContinuousBernoulli, ContinuousBernoulli against a narrow Uniform
    lambda D, T: (D.Uniform(T([-1.0, 0.5]), 2.0), D.Exponential(1.0)),
    lambda D, T: (D.Uniform(T([0.2, 0.5]), 1.0), D.ContinuousBernoulli(0.3)),
    lambda D, T: (D.ContinuousBernoulli(T([0.2, 0.7])), D.Uniform(0.0, 2.0)),
    lambda D, T: (D.Binomial(T([5.0, 6.0]), 0.3), D.Binomial(5, 0.4)),
]


@pytest.mark.parametrize("make", INFINITE)
def test_infinite_kl_as_in_torch(torch, make):
    e = ember.distributions.kl_divergence(*make(ember.distributions, ember.tensor))
    t = torch.distributions.kl_divergence(*make(torch.distributions, torch.tensor))
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)
    assert bool(ember.isinf(e).any())


def test_binomial_kl_needs_q_count_at_most_p_count(torch):
    for lib in (ember, torch):
        D = lib.distributions
        with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
            D.kl_divergence(D.Binomial(3, 0.5), D.Binomial(4, 0.5))


class _Scaled(ember.distributions.Exponential):
    """An exponential family with no KL of its own: kl_divergence falls back to the Bregman
    divergence of the log normalizer."""


def test_exponential_family_kl_is_the_bregman_divergence():
    p, q = _Scaled(ember.tensor([0.5, 2.0])), _Scaled(ember.tensor([1.5, 1.0]))
    expected = ember.distributions.kl.kl_divergence(
        ember.distributions.Exponential(p.rate), ember.distributions.Exponential(q.rate))
    ember.distributions.register_kl(_Scaled, _Scaled)(
        ember.distributions.kl._kl_expfamily_expfamily)
    try:
        np.testing.assert_allclose(ember.distributions.kl_divergence(p, q).detach().numpy(),
                                   expected.numpy(), rtol=1e-6)
        normal = ember.distributions.Normal(0.0, 1.0)
        with pytest.raises(NotImplementedError, match="different exponential families"):
            ember.distributions.kl._kl_expfamily_expfamily(p, normal)
    finally:
        del ember.distributions.kl._KL_REGISTRY[_Scaled, _Scaled]
        ember.distributions.kl._KL_MEMO.clear()


def test_exponential_family_kl_matches_torchs_for_the_same_family(torch):
    # torch's fallback for two members of one family, reached through its registered function
    from torch.distributions.kl import _kl_expfamily_expfamily
    for make in (lambda D, T: (D.Poisson(T([0.5, 3.0])), D.Poisson(T([1.0, 2.0]))),
                 lambda D, T: (D.Dirichlet(T([[0.5, 3.0, 1.0]])), D.Dirichlet(T([1.0, 2.0, 2.0]))),
                 lambda D, T: (D.Gamma(T([0.5, 3.0]), 2.0), D.Gamma(T([1.0, 2.0]), 0.5)),
                 lambda D, T: (D.Beta(T([0.5, 3.0]), 2.0), D.Beta(T([1.0, 2.0]), 0.5)),
                 lambda D, T: (D.Normal(T([0.5, -3.0]), 2.0), D.Normal(T([1.0, 2.0]), 0.5)),
                 lambda D, T: (D.Bernoulli(T([0.2, 0.9])), D.Bernoulli(T([0.5, 0.4]))),
                 lambda D, T: (D.Exponential(T([0.2, 1.9])), D.Exponential(T([0.5, 3.0]))),
                 lambda D, T: (D.ContinuousBernoulli(T([0.2, 0.9])),
                               D.ContinuousBernoulli(T([0.5003, 0.4])))):
        e = ember.distributions.kl._kl_expfamily_expfamily(
            *make(ember.distributions, lambda v: ember.tensor(v, dtype=ember.float64)))
        t = _kl_expfamily_expfamily(
            *make(torch.distributions, lambda v: torch.tensor(v, dtype=torch.float64)))
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-9)
        assert not math.isnan(float(e.sum()))
