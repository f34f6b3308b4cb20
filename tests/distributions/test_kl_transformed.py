"""kl_divergence for the pairs torch registers among the TransformedDistribution family (Gumbel,
HalfNormal, LogNormal, Pareto, TransformedDistribution) and with the other families, against
torch 2.13: values (infinite where p's support leaves q's) and gradients."""
import numpy as np
import pytest

import ember

# name -> (build(distributions module, [a, b, c, d]) -> (p, q), four parameter vectors)
A, B, C, D = [0.2, 1.0, 3.0], [1.0, 2.0, 0.5], [0.5, -1.0, 1.5], [1.5, 0.7, 2.5]
PAIRS = {
    "Gumbel_Gumbel": lambda M, a, b, c, d: (M.Gumbel(a, b), M.Gumbel(c, d)),
    "HalfNormal_HalfNormal": lambda M, a, b, c, d: (M.HalfNormal(b), M.HalfNormal(d)),
    "LogNormal_LogNormal": lambda M, a, b, c, d: (M.LogNormal(a, b), M.LogNormal(c, d)),
    "Pareto_Pareto": lambda M, a, b, c, d: (M.Pareto(b, d), M.Pareto(d, b)),
    "Transformed_Transformed": lambda M, a, b, c, d: (
        M.TransformedDistribution(M.Normal(a, b), [M.transforms.TanhTransform()]),
        M.TransformedDistribution(M.Normal(c, d), [M.transforms.TanhTransform()])),
    "Exponential_Gumbel": lambda M, a, b, c, d: (M.Exponential(b), M.Gumbel(c, d)),
    "Gamma_Gumbel": lambda M, a, b, c, d: (M.Gamma(b, d), M.Gumbel(c, d)),
    "Normal_Gumbel": lambda M, a, b, c, d: (M.Normal(a, b), M.Gumbel(c, d)),
    "Uniform_Gumbel": lambda M, a, b, c, d: (M.Uniform(a, a + b), M.Gumbel(c, d)),
    "Gumbel_Normal": lambda M, a, b, c, d: (M.Gumbel(a, b), M.Normal(c, d)),
    "Pareto_Exponential": lambda M, a, b, c, d: (M.Pareto(b, d), M.Exponential(b)),
    "Pareto_Gamma": lambda M, a, b, c, d: (M.Pareto(b, d), M.Gamma(d, b)),
    "Pareto_Normal": lambda M, a, b, c, d: (M.Pareto(b, d + 1), M.Normal(c, d)),
    "Uniform_Pareto": lambda M, a, b, c, d: (M.Uniform(b, b + d), M.Pareto(d, b)),
    "Gumbel_Beta": lambda M, a, b, c, d: (M.Gumbel(a, b), M.Beta(b, d)),
    "Gumbel_Uniform": lambda M, a, b, c, d: (M.Gumbel(a, b), M.Uniform(c, c + d)),
    "Normal_Pareto": lambda M, a, b, c, d: (M.Normal(a, b), M.Pareto(b, d)),
    "Gamma_Pareto": lambda M, a, b, c, d: (M.Gamma(b, d), M.Pareto(b, d)),
    "Pareto_Uniform": lambda M, a, b, c, d: (M.Pareto(b, d), M.Uniform(c, c + d)),
}


def _leaves(lib):
    return [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (A, B, C, D)]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_against_torch(torch, name):
    e_leaves, t_leaves = _leaves(ember), _leaves(torch)
    kl_e = ember.distributions.kl_divergence(*PAIRS[name](ember.distributions, *e_leaves))
    kl_t = torch.distributions.kl_divergence(*PAIRS[name](torch.distributions, *t_leaves))
    assert tuple(kl_e.shape) == tuple(kl_t.shape)
    np.testing.assert_allclose(kl_e.detach().numpy(), kl_t.detach().numpy(), rtol=1e-9)
    finite_t = np.isfinite(kl_t.detach().numpy())
    if finite_t.any() and kl_t.requires_grad:
        mask = finite_t.astype(np.float64)
        (kl_e * ember.tensor(mask)).sum().backward()
        (kl_t * torch.tensor(mask)).sum().backward()
        for le, lt in zip(e_leaves, t_leaves):
            assert (le.grad is None) == (lt.grad is None)
            if lt.grad is not None:
                np.testing.assert_allclose(le.grad.numpy(), lt.grad.numpy(), rtol=1e-8,
                                           atol=1e-12)


def test_transformed_with_different_transforms_is_not_implemented(torch):
    for lib in (ember, torch):
        M = lib.distributions
        p = M.TransformedDistribution(M.Normal(0.0, 1.0), [M.transforms.ExpTransform()])
        q = M.TransformedDistribution(M.Normal(0.0, 1.0), [M.transforms.TanhTransform()])
        with pytest.raises(NotImplementedError):
            M.kl_divergence(p, q)
