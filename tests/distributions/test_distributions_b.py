"""Multinomial, NegativeBinomial, OneHotCategorical(StraightThrough), VonMises,
MixtureSameFamily, LowRankMultivariateNormal, Wishart and LKJCholesky against torch built from
the same parameters: log_prob, entropy and moments (values and gradients), samples' shapes,
dtypes and support, expand, enumerate_support and repr."""
import numpy as np
import pytest

import ember

from ._checks import assert_same_grads, assert_samples_like_torch
from ._cases_b import CASES_B, build_b, values_b

NAMES = sorted(CASES_B)


def _close(e, t, rtol=1e-9, atol=1e-10):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _both(torch, name, fn, requires_grad=False):
    """fn applied to the ember and torch builds of CASES_B[name]; None for both when torch
    does not implement it (and then ember must not either)."""
    e, e_leaves = build_b(ember, name, requires_grad)
    t, t_leaves = build_b(torch, name, requires_grad)
    try:
        r_t = fn(t, torch)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            fn(e, ember)
        return None
    return (fn(e, ember), e_leaves), (r_t, t_leaves)


@pytest.mark.parametrize("name", NAMES)
def test_log_prob_and_its_gradients(torch, name):
    rtol = CASES_B[name][3]
    (lp_e, e_leaves), (lp_t, t_leaves) = _both(
        torch, name, lambda d, lib: d.log_prob(values_b(lib, name)), requires_grad=True)
    assert tuple(lp_e.shape) == tuple(lp_t.shape)
    _close(lp_e, lp_t, rtol=rtol)
    lp_e.sum().backward()
    lp_t.sum().backward()
    assert_same_grads(e_leaves, t_leaves, max(rtol, 1e-8), 1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_entropy_and_its_gradients(torch, name):
    both = _both(torch, name, lambda d, lib: d.entropy(), requires_grad=True)
    if both is None:
        return
    (h_e, e_leaves), (h_t, t_leaves) = both
    assert tuple(h_e.shape) == tuple(h_t.shape)
    _close(h_e, h_t, rtol=CASES_B[name][3])
    h_e.sum().backward()
    h_t.sum().backward()
    assert_same_grads(e_leaves, t_leaves, 1e-8, 1e-9)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("moment", ("mean", "variance", "stddev", "mode"))
def test_moments(torch, name, moment):
    both = _both(torch, name, lambda d, lib: getattr(d, moment))
    if both is None:
        return
    (m_e, _), (m_t, _) = both
    assert tuple(m_e.shape) == tuple(m_t.shape)
    assert m_e.dtype.name == str(m_t.dtype).split(".")[1]
    _close(m_e, m_t, rtol=CASES_B[name][3])


@pytest.mark.parametrize("name", NAMES)
def test_mean_and_variance_gradients(torch, name):
    both = _both(torch, name, lambda d, lib: (d.mean * 2 + d.variance).sum(), True)
    if both is None:
        return
    (s_e, e_leaves), (s_t, t_leaves) = both
    s_e.backward()
    s_t.backward()
    assert_same_grads(e_leaves, t_leaves, 1e-6, atol=max(1e-9, 0.1 * CASES_B[name][3]))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes_dtypes_and_support(torch, name, sample_shape):
    e, _ = build_b(ember, name, dtype="float32")
    t, _ = build_b(torch, name, dtype="float32")
    s_e = assert_samples_like_torch(e, t, sample_shape)
    assert e.has_enumerate_support == t.has_enumerate_support
    e.log_prob(s_e)  # validates: the sample lies in the support


@pytest.mark.parametrize("name", NAMES)
def test_repr_support_and_arg_constraints(torch, name):
    e, _ = build_b(ember, name)
    t, _ = build_b(torch, name)
    assert repr(e) == repr(t)
    assert repr(e.support) == repr(t.support)
    assert {k: repr(v) for k, v in e.arg_constraints.items()} == {
        k: repr(v) for k, v in t.arg_constraints.items()}


@pytest.mark.parametrize("name", NAMES)
def test_expand(torch, name):
    e, _ = build_b(ember, name)
    t, _ = build_b(torch, name)
    shape = (4,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape) == shape
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    assert tuple(ee.sample().shape) == tuple(te.sample().shape)
    n_event = len(te.event_shape)
    v_e, v_t = values_b(ember, name), values_b(torch, name)
    lp_e = ee.log_prob(v_e.unsqueeze(v_e.dim() - n_event - len(t.batch_shape)))
    lp_t = te.log_prob(v_t.unsqueeze(v_t.dim() - n_event - len(t.batch_shape)))
    assert tuple(lp_e.shape) == tuple(lp_t.shape)
    _close(lp_e, lp_t, rtol=CASES_B[name][3])
    assert repr(ee) == repr(te)


@pytest.mark.parametrize("name", ["OneHotCategorical_probs", "OneHotCategorical_logits"])
@pytest.mark.parametrize("expand", [True, False])
def test_one_hot_enumerate_support(torch, name, expand):
    e, _ = build_b(ember, name)
    t, _ = build_b(torch, name)
    s_e, s_t = e.enumerate_support(expand), t.enumerate_support(expand)
    assert tuple(s_e.shape) == tuple(s_t.shape)
    assert s_e.dtype == ember.float64
    _close(s_e, s_t)
    _close(e.log_prob(s_e), t.log_prob(s_t))


def test_straight_through_rsample_carries_the_probabilities_gradient(torch):
    probs = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    weights = np.arange(6.0).reshape(2, 3)
    grads = []
    for lib in (ember, torch):
        p = lib.tensor(probs, requires_grad=True)
        s = lib.distributions.OneHotCategoricalStraightThrough(probs=p).rsample((4,))
        assert bool(((s == 0) | (s == 1)).all()) and bool((s.sum(-1) == 1).all())
        (s * lib.tensor(weights)).sum().backward()
        grads.append(p.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_multinomial_log_prob_of_an_impossible_category_seen_zero_times(torch):
    probs = np.array([0.5, 0.0, 0.5])
    value = np.array([2.0, 0.0, 1.0])
    lp = [lib.distributions.Multinomial(3, probs=lib.tensor(probs)).log_prob(lib.tensor(value))
          for lib in (ember, torch)]
    assert np.isfinite(lp[0].item())
    _close(lp[0], lp[1])


def test_negative_binomial_zero_total_count_puts_all_mass_at_zero(torch):
    lp = [lib.distributions.NegativeBinomial(lib.tensor([0.0, 0.0]), probs=lib.tensor(
        [0.3, 0.6])).log_prob(lib.tensor([0.0, 0.0])) for lib in (ember, torch)]
    _close(lp[0], lp[1])
    np.testing.assert_array_equal(lp[0].numpy(), [0.0, 0.0])


def test_von_mises_log_prob_integrates_to_one():
    theta = np.linspace(-np.pi, np.pi, 20001)
    d = ember.distributions.VonMises(ember.tensor([0.4], dtype=ember.float64),
                                     ember.tensor([[0.01], [1.0], [50.0]], dtype=ember.float64))
    density = d.log_prob(ember.tensor(theta).reshape(-1, 1, 1)).exp().numpy()
    np.testing.assert_allclose(np.trapezoid(density, theta, axis=0), 1.0, rtol=1e-7)


def test_mixture_same_family_cdf_and_properties(torch):
    x = np.linspace(-2, 2, 5).reshape(5, 1)
    out = []
    for lib in (ember, torch):
        d, _ = build_b(lib, "MixtureSameFamily_Normal")
        assert isinstance(d.mixture_distribution, lib.distributions.Categorical)
        assert isinstance(d.component_distribution, lib.distributions.Normal)
        out.append(d.cdf(lib.tensor(x)))
    _close(*out)


def test_lowrank_dense_matrices(torch):
    e, _ = build_b(ember, "LowRankMultivariateNormal")
    t, _ = build_b(torch, "LowRankMultivariateNormal")
    for attr in ("covariance_matrix", "precision_matrix", "scale_tril"):
        _close(getattr(e, attr), getattr(t, attr))


def test_wishart_matrices_and_low_df_warning(torch):
    for name in ("Wishart_cov", "Wishart_tril", "Wishart_precision"):
        e, _ = build_b(ember, name)
        t, _ = build_b(torch, name)
        for attr in ("covariance_matrix", "precision_matrix", "scale_tril"):
            _close(getattr(e, attr), getattr(t, attr))
    with pytest.warns(UserWarning, match="Low df values detected"):
        ember.distributions.Wishart(ember.tensor(2.5), ember.eye(3))


def test_mixture_with_fewer_batch_dims_than_its_components_samples_per_batch_element():
    # torch's sample() fails here (its gather index lacks the batch dims); ember broadcasts
    D = ember.distributions
    d = D.MixtureSameFamily(D.Categorical(probs=ember.tensor([0.0, 1.0, 0.0])),
                            D.Normal(ember.tensor([[-50.0, 0.0, 50.0], [100.0, 10.0, -100.0]]),
                                     ember.ones(2, 3) * 1e-3))
    s = d.sample((4,)).numpy()
    assert s.shape == (4, 2)
    np.testing.assert_allclose(s, np.broadcast_to([0.0, 10.0], (4, 2)), atol=0.01)


def test_wishart_is_an_exponential_family_with_torch_log_normalizer(torch):
    e, _ = build_b(ember, "Wishart_cov")
    t, _ = build_b(torch, "Wishart_cov")
    assert isinstance(e, ember.distributions.ExponentialFamily)
    for a, b in zip(e._natural_params, t._natural_params):
        _close(a, b)
    _close(e._log_normalizer(*e._natural_params), t._log_normalizer(*t._natural_params))
    # the Bregman-divergence entropy of the family agrees with the closed form
    _close(ember.distributions.ExponentialFamily.entropy(e), e.entropy(), rtol=1e-8)
