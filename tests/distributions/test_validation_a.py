"""Argument and sample validation of Cauchy, Exponential, Laplace, Chi2, Dirichlet, Binomial,
Poisson, Geometric, ContinuousBernoulli, FisherSnedecor, StudentT and GeneralizedPareto: the same
exception type and message as torch; validate_args=False turns the checks off."""
import math

import pytest

import ember


def _same_error(torch, fn):
    """fn(lib) raises the same exception type with the same message in ember and torch."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        fn(ember)
    assert str(e_err.value) == str(t_err.value)


BAD_PARAMETERS = {
    "Cauchy": lambda lib: lib.distributions.Cauchy(0.0, -1.0),
    "Exponential": lambda lib: lib.distributions.Exponential(lib.tensor([1.0, -1.0])),
    "Laplace": lambda lib: lib.distributions.Laplace(lib.tensor([0.0, math.nan]), 1.0),
    "Chi2": lambda lib: lib.distributions.Chi2(lib.tensor([1.0, 0.0])),
    "Dirichlet": lambda lib: lib.distributions.Dirichlet(lib.tensor([1.0, -1.0])),
    "Dirichlet_scalar": lambda lib: lib.distributions.Dirichlet(lib.tensor(1.0)),
    "Binomial_count": lambda lib: lib.distributions.Binomial(lib.tensor([2.5]),
                                                              lib.tensor([0.5])),
    "Binomial_probs": lambda lib: lib.distributions.Binomial(3, lib.tensor([1.5])),
    "Binomial_neither": lambda lib: lib.distributions.Binomial(3),
    "Binomial_both": lambda lib: lib.distributions.Binomial(3, 0.5, 0.0),
    "Poisson": lambda lib: lib.distributions.Poisson(lib.tensor([-1.0])),
    "Geometric_zero": lambda lib: lib.distributions.Geometric(lib.tensor([0.5, 0.0])),
    "Geometric_above_one": lambda lib: lib.distributions.Geometric(lib.tensor([1.5])),
    "Geometric_neither": lambda lib: lib.distributions.Geometric(),
    "ContinuousBernoulli_probs": lambda lib: lib.distributions.ContinuousBernoulli(
        lib.tensor([1.5]), validate_args=True),
    "ContinuousBernoulli_both": lambda lib: lib.distributions.ContinuousBernoulli(0.5, 0.0),
    "ContinuousBernoulli_logits": lambda lib: lib.distributions.ContinuousBernoulli(
        logits=lib.tensor([math.nan])),
    "FisherSnedecor": lambda lib: lib.distributions.FisherSnedecor(1.0, -1.0),
    "StudentT": lambda lib: lib.distributions.StudentT(lib.tensor([-1.0])),
    "StudentT_scale": lambda lib: lib.distributions.StudentT(3.0, 0.0, 0.0),
    "GeneralizedPareto": lambda lib: lib.distributions.GeneralizedPareto(0.0, -1.0, 0.0),
}


@pytest.mark.parametrize("name", sorted(BAD_PARAMETERS))
def test_bad_parameters_raise_as_in_torch(torch, name):
    _same_error(torch, BAD_PARAMETERS[name])


BAD_VALUES = {
    "Cauchy": lambda lib: lib.distributions.Cauchy(0.0, 1.0).log_prob(lib.tensor([math.nan])),
    "Exponential": lambda lib: lib.distributions.Exponential(1.0).log_prob(lib.tensor([-1.0])),
    "Exponential_cdf": lambda lib: lib.distributions.Exponential(1.0).cdf(lib.tensor([-1.0])),
    "Laplace_cdf": lambda lib: lib.distributions.Laplace(0.0, 1.0).cdf(lib.tensor([math.nan])),
    "Chi2": lambda lib: lib.distributions.Chi2(2.0).log_prob(lib.tensor([-0.5])),
    "Dirichlet": lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(
        lib.tensor([0.5, 0.2, 0.2])),
    "Dirichlet_event_shape": lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(
        lib.tensor([0.5, 0.5])),
    "Binomial": lambda lib: lib.distributions.Binomial(5, lib.tensor([0.5])).log_prob(
        lib.tensor([6.0])),
    "Poisson": lambda lib: lib.distributions.Poisson(lib.tensor([2.0])).log_prob(
        lib.tensor([1.5])),
    "Geometric": lambda lib: lib.distributions.Geometric(lib.tensor([0.5])).log_prob(
        lib.tensor([-1.0])),
    "ContinuousBernoulli": lambda lib: lib.distributions.ContinuousBernoulli(0.3).log_prob(
        lib.tensor([1.5])),
    "FisherSnedecor": lambda lib: lib.distributions.FisherSnedecor(2.0, 3.0).log_prob(
        lib.tensor([0.0])),
    "StudentT": lambda lib: lib.distributions.StudentT(3.0).log_prob(lib.tensor([math.nan])),
    "GeneralizedPareto": lambda lib: lib.distributions.GeneralizedPareto(
        lib.tensor([0.0]), 1.0, -0.5).log_prob(lib.tensor([3.0])),
    "not_a_tensor": lambda lib: lib.distributions.Poisson(2.0).log_prob(1.0),
    "not_broadcastable": lambda lib: lib.distributions.Laplace(lib.zeros(3), 1.0).log_prob(
        lib.zeros(2)),
}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_values_outside_the_support_raise_as_in_torch(torch, name):
    _same_error(torch, BAD_VALUES[name])


def test_validate_args_false_turns_the_checks_off(torch):
    for lib in (ember, torch):
        D = lib.distributions
        D.Cauchy(0.0, -1.0, validate_args=False)
        D.Geometric(lib.tensor([0.0]), validate_args=False)
        D.Binomial(lib.tensor([2.5]), lib.tensor([0.5]), validate_args=False)
        D.Dirichlet(lib.tensor([1.0, -1.0]), validate_args=False)
        p = D.Poisson(lib.tensor([2.0]), validate_args=False)
        assert p.log_prob(lib.tensor([1.5])).shape == (1,)
        assert not p.expand((3, 1))._validate_args


def test_continuous_bernoulli_probs_checked_only_when_validation_is_asked(torch):
    # torch checks probs before clamping them only where validate_args is given; by default the
    # clamped probs (eps from 0 and 1) pass the unit-interval check
    for lib in (ember, torch):
        d = lib.distributions.ContinuousBernoulli(lib.tensor([1.5]))
        assert float(d.probs) == 1 - float(lib.finfo(lib.float32).eps)
