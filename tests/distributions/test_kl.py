"""kl_divergence against torch for every registered pair (values and gradients with respect to
both distributions' parameters), finite-difference gradients, and register_kl's dispatch."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

from ._checks import assert_kl_matches_torch

_R = np.random.RandomState(99)


def _spd(n=3, *batch):
    a = _R.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


# name -> (build(lib, p) -> (p_dist, q_dist), parameters)
PAIRS = {
    "Normal": (lambda D, p: (D.Normal(p["a"], p["b"]), D.Normal(p["c"], p["d"])),
               {"a": _R.standard_normal((2, 3)), "b": _R.uniform(0.5, 2, (3,)),
                "c": _R.standard_normal((3,)), "d": _R.uniform(0.5, 2, (2, 3))}),
    "Categorical": (lambda D, p: (D.Categorical(logits=p["a"]), D.Categorical(probs=p["b"])),
                    {"a": _R.standard_normal((2, 4)), "b": _R.uniform(0.1, 1, (4,))}),
    "Bernoulli": (lambda D, p: (D.Bernoulli(probs=p["a"]), D.Bernoulli(logits=p["b"])),
                  {"a": _R.uniform(0.1, 0.9, (2, 3)), "b": _R.standard_normal((2, 3))}),
    "Uniform": (lambda D, p: (D.Uniform(p["a"], p["b"]), D.Uniform(p["c"], p["d"])),
                {"a": _R.uniform(0, 1, (3,)), "b": _R.uniform(1, 2, (3,)),
                 "c": _R.uniform(-1, 0, (3,)), "d": _R.uniform(2, 3, (3,))}),
    "Beta": (lambda D, p: (D.Beta(p["a"], p["b"]), D.Beta(p["c"], p["d"])),
             {"a": _R.uniform(0.5, 3, (2, 3)), "b": _R.uniform(0.5, 3, (3,)),
              "c": _R.uniform(0.5, 3, (3,)), "d": _R.uniform(0.5, 3, (3,))}),
    "Gamma": (lambda D, p: (D.Gamma(p["a"], p["b"]), D.Gamma(p["c"], p["d"])),
              {"a": _R.uniform(0.5, 3, (2, 3)), "b": _R.uniform(0.5, 3, (3,)),
               "c": _R.uniform(0.5, 3, (3,)), "d": _R.uniform(0.5, 3, (3,))}),
    "MultivariateNormal": (
        lambda D, p: (D.MultivariateNormal(p["a"], covariance_matrix=p["b"]),
                      D.MultivariateNormal(p["c"], scale_tril=p["d"])),
        {"a": _R.standard_normal((2, 3)), "b": _spd(3, 2), "c": _R.standard_normal((3,)),
         "d": np.linalg.cholesky(_spd(3))}),
    "Independent": (
        lambda D, p: (D.Independent(D.Normal(p["a"], p["b"]), 2),
                      D.Independent(D.Normal(p["c"], p["d"]), 2)),
        {"a": _R.standard_normal((4, 2, 3)), "b": _R.uniform(0.5, 2, (2, 3)),
         "c": _R.standard_normal((2, 3)), "d": _R.uniform(0.5, 2, (4, 2, 3))}),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_values_and_gradients_match_torch(torch, name):
    build, params = PAIRS[name]
    assert_kl_matches_torch(torch, build, params, 1e-9, 1e-12, 1e-8, 1e-10)


@pytest.mark.parametrize("name", ["Normal", "Beta", "Gamma", "MultivariateNormal", "Bernoulli"])
def test_kl_gradients_match_finite_differences(name):
    build, params = PAIRS[name]
    keys = sorted(params)
    if name == "MultivariateNormal":  # the locations and the lower triangle of q's factor
        keys = ["a", "c", "d"]

    def kl(*args):
        p = dict(zip(keys, args))
        if "d" in p and name == "MultivariateNormal":
            p["d"] = p["d"].tril()
        full = {k: p.get(k, ember.tensor(params[k])) for k in params}
        return ember.distributions.kl_divergence(*build(ember.distributions, full))

    assert gradcheck(kl, [ember.tensor(params[k], requires_grad=True) for k in keys])


def test_kl_is_zero_between_a_distribution_and_itself():
    for name, (build, params) in PAIRS.items():
        p, _ = build(ember.distributions, {k: ember.tensor(v) for k, v in params.items()})
        np.testing.assert_allclose(ember.distributions.kl_divergence(p, p).numpy(), 0,
                                   atol=1e-12, err_msg=name)


def test_infinite_kl_where_the_support_of_p_is_not_covered(torch):
    for lib in (ember, torch):
        D = lib.distributions
        assert D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.0, 1.0)).item() == float("inf")
        assert D.kl_divergence(D.Bernoulli(0.5), D.Bernoulli(1.0)).item() == float("inf")
        assert D.kl_divergence(D.Bernoulli(0.0), D.Bernoulli(1.0)).item() == float("inf")
        assert D.kl_divergence(D.Bernoulli(0.0), D.Bernoulli(0.0)).item() == 0.0
        cat = D.kl_divergence(D.Categorical(probs=lib.tensor([0.5, 0.5, 0.0])),
                              D.Categorical(probs=lib.tensor([1.0, 0.0, 0.0])))
        assert cat.item() == float("inf")


def test_unregistered_pairs_raise_not_implemented(torch):
    for lib in (ember, torch):
        D = lib.distributions
        with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for "
                                                      "p type Categorical and q type Normal"):
            D.kl_divergence(D.Categorical(logits=lib.zeros(2)), D.Normal(0.0, 1.0))
        with pytest.raises(NotImplementedError):
            D.kl_divergence(D.Independent(D.Normal(lib.zeros(2, 2), 1.0), 1),
                            D.Independent(D.Normal(lib.zeros(2, 2), 1.0), 2))
        with pytest.raises(ValueError, match="different event shapes"):
            D.kl_divergence(D.MultivariateNormal(lib.zeros(2), lib.eye(2)),
                            D.MultivariateNormal(lib.zeros(3), lib.eye(3)))


def test_register_kl_dispatches_to_the_most_specific_pair():
    D = ember.distributions

    class Narrow(D.Normal):
        pass

    @D.register_kl(Narrow, D.Normal)
    def _narrow_normal(p, q):
        return ember.tensor(-1.0)

    try:
        assert D.kl_divergence(Narrow(0.0, 1.0), D.Normal(0.0, 2.0)).item() == -1.0
        assert D.kl_divergence(D.Normal(0.0, 1.0), Narrow(0.0, 1.0)).item() == 0.0
    finally:
        del D.kl._KL_REGISTRY[Narrow, D.Normal]
        D.kl._KL_MEMO.clear()
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)
    with pytest.raises(TypeError, match="Expected type_q to be a Distribution subclass"):
        D.register_kl(D.Normal, 3)


# pairs of different families: (p family, q family) -> (p's parameters, q's parameters)
_POS = lambda: _R.uniform(0.5, 3.0, (3,))  # noqa: E731
CROSS = {
    ("Beta", "Gamma"): ((_POS(), _POS()), (_POS(), _POS())),
    ("Beta", "Normal"): ((_POS(), _POS()), (_R.standard_normal(3), _POS())),
    ("Beta", "Uniform"): ((_POS(), _POS()), (np.array([-1.0, -0.1, 0.0]), np.array([1.5, 1.0, 2.0]))),
    ("Gamma", "Normal"): ((_POS(), _POS()), (_R.standard_normal(3), _POS())),
    ("Uniform", "Normal"): ((np.array([-1.0, 0.0, 2.0]), np.array([0.5, 3.0, 2.5])),
                            (_R.standard_normal(3), _POS())),
    ("Uniform", "Gamma"): ((np.array([0.0, 0.5, 2.0]), np.array([0.5, 3.0, 2.5])),
                           (_POS(), _POS())),
    ("Uniform", "Beta"): ((np.array([0.0, 0.2, 0.5]), np.array([0.5, 1.0, 0.75])),
                          (_POS(), _POS())),
}


@pytest.mark.parametrize("pair", sorted(CROSS), ids="-".join)
def test_kl_between_families_matches_torch(torch, pair):
    (p_name, q_name), (p_params, q_params) = pair, CROSS[pair]
    results = []
    for lib in (ember, torch):
        leaves = [lib.tensor(v, requires_grad=True) for v in p_params + q_params]
        D = lib.distributions
        kl = D.kl_divergence(getattr(D, p_name)(*leaves[:2]), getattr(D, q_name)(*leaves[2:]))
        kl.sum().backward()
        results.append([kl.detach().numpy()] + [t.grad.numpy() for t in leaves])
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("pair", [("Gamma", "Beta"), ("Gamma", "Uniform"), ("Normal", "Beta"),
                                  ("Normal", "Gamma"), ("Normal", "Uniform"), ("Beta", "Uniform"),
                                  ("Uniform", "Beta"), ("Uniform", "Gamma")], ids="-".join)
def test_kl_between_families_is_infinite_outside_q_support(torch, pair):
    params = {"Gamma": (2.0, 1.0), "Beta": (2.0, 3.0), "Normal": (0.0, 1.0),
              "Uniform": (-0.5, 0.5) if pair[0] == "Uniform" else (0.2, 0.8)}
    for lib in (ember, torch):
        D = lib.distributions
        p = getattr(D, pair[0])(*params[pair[0]])
        q = getattr(D, pair[1])(*params[pair[1]])
        kl = D.kl_divergence(p, q)
        assert kl.item() == float("inf") and tuple(kl.shape) == ()
