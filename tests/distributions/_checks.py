"""Assertions the distribution test files share: sample moments, KL parity with torch, sample
shapes and dtypes against torch's, leaf gradients against torch's."""
import numpy as np

import ember


def moments_match(samples, mean, var, n_sd=5.0, var_rtol=0.06):
    """The sample mean within n_sd standard errors of `mean`, the sample variance within var_rtol."""
    s = samples.double().numpy()
    mean, var = np.broadcast_to(mean, s.shape[1:]), np.broadcast_to(var, s.shape[1:])
    np.testing.assert_array_less(np.abs(s.mean(0) - mean), n_sd * np.sqrt(var / s.shape[0]))
    np.testing.assert_allclose(s.var(0), var, rtol=var_rtol)


def assert_kl_matches_torch(torch, build, params, rtol, atol, grad_rtol, grad_atol):
    """kl_divergence of the pair build(distributions, leaves) makes: float64 values of torch's
    shape, values as torch's to rtol/atol, gradients of a weighted sum of it to grad_rtol/atol."""
    e_leaves = {k: ember.tensor(v, requires_grad=True) for k, v in params.items()}
    t_leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    kl_e = ember.distributions.kl_divergence(*build(ember.distributions, e_leaves))
    kl_t = torch.distributions.kl_divergence(*build(torch.distributions, t_leaves))
    assert tuple(kl_e.shape) == tuple(kl_t.shape)
    assert kl_e.dtype == ember.float64
    np.testing.assert_allclose(kl_e.detach().numpy(), kl_t.detach().numpy(), rtol=rtol,
                               atol=atol)
    weights = np.arange(1.0, kl_t.numel() + 1).reshape(tuple(kl_t.shape))
    g_e = ember.autograd.grad((kl_e * ember.tensor(weights)).sum(), list(e_leaves.values()),
                              allow_unused=True)
    g_t = torch.autograd.grad((kl_t * torch.tensor(weights)).sum(), list(t_leaves.values()),
                              allow_unused=True)
    for k, a, b in zip(params, g_e, g_t):
        if b is None:
            assert a is None or not bool(a.abs().sum() > 0), k
        else:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=grad_rtol, atol=grad_atol,
                                       err_msg=k)


def assert_samples_like_torch(e, t, sample_shape):
    """ember's and torch's same distribution: equal shapes and has_rsample, samples of one shape
    and dtype without grad (rsamples too where torch has them). Returns ember's sample."""
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert e.has_rsample == t.has_rsample
    s_e, s_t = e.sample(sample_shape), t.sample(sample_shape)
    assert tuple(s_e.shape) == tuple(s_t.shape)
    assert s_e.dtype.name == str(s_t.dtype).split(".")[1]
    assert not s_e.requires_grad
    if t.has_rsample:
        assert tuple(e.rsample(sample_shape).shape) == tuple(t.rsample(sample_shape).shape)
    return s_e


def assert_same_grads(e_leaves, t_leaves, rtol, atol):
    """Each ember leaf's .grad as the torch leaf's of the same name (both None, or close)."""
    for k in e_leaves:
        eg, tg = e_leaves[k].grad, t_leaves[k].grad
        assert (eg is None) == (tg is None), k
        if tg is not None:
            np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=rtol, atol=atol, err_msg=k)
