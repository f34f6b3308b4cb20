"""Each distribution against torch.distributions built from the same parameters: log_prob,
entropy, moments (values and gradients with respect to every parameter), shapes of samples,
dtypes and repr."""
import numpy as np
import pytest

import ember

from ._checks import assert_same_grads, assert_samples_like_torch
from ._cases import CASES, build, values

NAMES = sorted(CASES)
MOMENTS = ("mean", "variance", "stddev", "mode")


def _close(e, t, rtol=1e-9, atol=1e-10):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _grads(leaves):
    return {k: v.grad for k, v in leaves.items()}


@pytest.mark.parametrize("name", NAMES)
def test_log_prob_and_its_gradients(torch, name):
    e, e_leaves = build(ember, name, requires_grad=True)
    t, t_leaves = build(torch, name, requires_grad=True)
    lp_e, lp_t = e.log_prob(values(ember, name)), t.log_prob(values(torch, name))
    assert tuple(lp_e.shape) == tuple(lp_t.shape)
    _close(lp_e, lp_t)
    lp_e.sum().backward()
    lp_t.sum().backward()
    assert_same_grads(e_leaves, t_leaves, 1e-8, 1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_entropy_and_its_gradients(torch, name):
    e, e_leaves = build(ember, name, requires_grad=True)
    t, t_leaves = build(torch, name, requires_grad=True)
    h_e, h_t = e.entropy(), t.entropy()
    assert tuple(h_e.shape) == tuple(h_t.shape) == tuple(t.batch_shape)
    _close(h_e, h_t)
    (h_e * ember.arange(1, h_e.numel() + 1).reshape(h_e.shape)).sum().backward()
    (h_t * torch.arange(1, h_t.numel() + 1).reshape(h_t.shape)).sum().backward()
    assert_same_grads(e_leaves, t_leaves, 1e-8, 1e-10)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("moment", MOMENTS)
def test_moments(torch, name, moment):
    e, _ = build(ember, name)
    t, _ = build(torch, name)
    m_e, m_t = getattr(e, moment), getattr(t, moment)
    assert tuple(m_e.shape) == tuple(m_t.shape)
    assert m_e.dtype.name == str(m_t.dtype).split(".")[1]
    _close(m_e, m_t)


@pytest.mark.parametrize("name", NAMES)
def test_moment_gradients(torch, name):
    e, e_leaves = build(ember, name, requires_grad=True)
    t, t_leaves = build(torch, name, requires_grad=True)
    for d in (e, t):
        if name.startswith("Categorical"):  # its mean and variance are NaN
            total = d.probs.pow(2).sum() + d.logits.exp().sum()
        else:
            total = d.mean.sum() + d.variance.sum()
        total.backward()
    assert_same_grads(e_leaves, t_leaves, 1e-8, 1e-10)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes_and_dtypes(torch, name, sample_shape):
    t, _ = build(torch, name, dtype="float32")
    e, _ = build(ember, name, dtype="float32")
    s_e = assert_samples_like_torch(e, t, sample_shape)
    assert bool(e.support.check(s_e).all())


@pytest.mark.parametrize("name", NAMES)
def test_rsample_carries_gradients_to_every_parameter(name):
    e, leaves = build(ember, name, requires_grad=True)
    if not e.has_rsample:
        with pytest.raises(NotImplementedError):
            e.rsample()
        return
    s = e.rsample((3,))
    assert s.requires_grad
    s.sum().backward()
    for k, v in leaves.items():
        assert v.grad is not None and bool(v.grad.abs().sum() > 0), k


@pytest.mark.parametrize("name", NAMES)
def test_repr_and_batch_shapes(torch, name):
    e, _ = build(ember, name)
    t, _ = build(torch, name)
    assert repr(e) == repr(t)


def test_repr_of_scalar_parameters(torch):
    for lib in (ember, torch):
        lib.set_printoptions(precision=4)
    try:
        pairs = [(ember.distributions.Normal(0.0, 1.0), torch.distributions.Normal(0.0, 1.0)),
                 (ember.distributions.Normal(ember.zeros(1), 2.0),
                  torch.distributions.Normal(torch.zeros(1), 2.0)),
                 (ember.distributions.Bernoulli(0.3), torch.distributions.Bernoulli(0.3)),
                 (ember.distributions.Uniform(0.0, 2.0), torch.distributions.Uniform(0.0, 2.0)),
                 (ember.distributions.Beta(1.0, 2.0), torch.distributions.Beta(1.0, 2.0)),
                 (ember.distributions.Gamma(ember.ones(2), 2.0),
                  torch.distributions.Gamma(torch.ones(2), 2.0))]
        for e, t in pairs:
            assert repr(e) == repr(t)
            assert tuple(e.batch_shape) == tuple(t.batch_shape)
    finally:
        for lib in (ember, torch):
            lib.set_printoptions(profile="default")


def test_lazy_parameters_show_in_repr_once_computed(torch):
    for lib in (ember, torch):
        c = lib.distributions.Categorical(logits=lib.zeros(2, 3))
        assert repr(c) == "Categorical(logits: torch.Size([2, 3]))"
        c.probs
        assert repr(c) == "Categorical(probs: torch.Size([2, 3]), logits: torch.Size([2, 3]))"


@pytest.mark.parametrize("name", NAMES)
def test_expand(torch, name):
    e, _ = build(ember, name)
    t, _ = build(torch, name)
    shape = (4,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape) == shape
    assert tuple(ee.sample().shape) == tuple(te.sample().shape)
    lp_e = ee.log_prob(values(ember, name).unsqueeze(1))
    lp_t = te.log_prob(values(torch, name).unsqueeze(1))
    assert tuple(lp_e.shape) == tuple(lp_t.shape)
    _close(lp_e, lp_t)
    _close(ee.entropy(), te.entropy())


def test_float32_parameters_give_float32_results(torch):
    for name in NAMES:
        e, _ = build(ember, name, dtype="float32")
        t, _ = build(torch, name, dtype="float32")
        lp_e = e.log_prob(values(ember, name, "float32"))
        lp_t = t.log_prob(values(torch, name, "float32"))
        assert lp_e.dtype == ember.float32 and e.entropy().dtype == ember.float32, name
        np.testing.assert_allclose(lp_e.numpy(), lp_t.numpy(), rtol=2e-5, atol=2e-5)


def test_categorical_log_prob_broadcasts_values_against_the_batch(torch):
    logits = np.random.RandomState(3).standard_normal((3, 5))
    idx = np.array([[0], [4], [2], [1]])
    e = ember.distributions.Categorical(logits=ember.tensor(logits)).log_prob(ember.tensor(idx))
    t = torch.distributions.Categorical(logits=torch.tensor(logits)).log_prob(torch.tensor(idx))
    assert tuple(e.shape) == tuple(t.shape) == (4, 3)
    _close(e, t)


def test_categorical_probs_are_normalized_and_logits_shifted(torch):
    p = np.array([[1.0, 3.0], [2.0, 2.0]])
    for lib in (ember, torch):
        c = lib.distributions.Categorical(probs=lib.tensor(p))
        np.testing.assert_allclose(c.probs.numpy(), p / p.sum(-1, keepdims=True))
        np.testing.assert_allclose(c.logits.numpy(), np.log(p / p.sum(-1, keepdims=True)))
        assert tuple(c.enumerate_support().shape) == (2, 2)
        assert tuple(c.param_shape) == (2, 2)


def test_cdf_and_icdf(torch):
    x = np.linspace(-2, 2, 7)
    for name, args in (("Normal", (0.3, 1.7)), ("Uniform", (-2.5, 3.0))):
        e = getattr(ember.distributions, name)(*args)
        t = getattr(torch.distributions, name)(*args)
        _close(e.cdf(ember.tensor(x)), t.cdf(torch.tensor(x)), rtol=1e-7, atol=1e-7)
        q = np.linspace(0.05, 0.95, 5)
        _close(e.icdf(ember.tensor(q)), t.icdf(torch.tensor(q)), rtol=1e-6, atol=1e-6)
