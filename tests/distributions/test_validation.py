"""Argument and sample validation: the same ValueError (and message) as torch for parameters
outside their constraints and values outside the support; validate_args=False turns it off."""
import math

import numpy as np
import pytest

import ember


def _same_error(torch, fn, same_message=True):
    """fn(lib) raises the same exception type (with the same message) in ember and torch."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        fn(ember)
    if same_message:
        assert str(e_err.value) == str(t_err.value)


BAD_PARAMETERS = [
    lambda lib: lib.distributions.Normal(0.0, -1.0),
    lambda lib: lib.distributions.Normal(lib.tensor([0.0, math.nan]), 1.0),
    lambda lib: lib.distributions.Uniform(lib.zeros(2), lib.tensor([1.0, -1.0])),
    lambda lib: lib.distributions.Bernoulli(probs=lib.tensor([0.5, 1.5])),
    lambda lib: lib.distributions.Bernoulli(probs=0.5, logits=0.0),
    lambda lib: lib.distributions.Bernoulli(),
    lambda lib: lib.distributions.Categorical(probs=lib.tensor([0.5, -0.5, 1.0])),
    lambda lib: lib.distributions.Categorical(probs=lib.tensor(1.0)),
    lambda lib: lib.distributions.Categorical(logits=lib.tensor([0.0, math.nan])),
    lambda lib: lib.distributions.Categorical(probs=lib.ones(2), logits=lib.ones(2)),
    lambda lib: lib.distributions.Gamma(1.0, -2.0),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), covariance_matrix=lib.tensor(
        [[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), scale_tril=lib.tensor(
        [[1.0, 0.0], [1.0, -1.0]])),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.tensor(0.0), lib.eye(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2)),
    lambda lib: lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2), 1.0), 2),
]


@pytest.mark.parametrize("make", BAD_PARAMETERS)
def test_bad_parameters_raise_as_in_torch(torch, make):
    _same_error(torch, make)


def test_bad_beta_parameters_raise_value_error(torch):
    # torch's message names the Dirichlet its Beta is built on; ember's Beta names its own
    # parameter (concentration1)
    _same_error(torch, lambda lib: lib.distributions.Beta(lib.tensor([1.0, 0.0]), 1.0),
                same_message=False)
    with pytest.raises(ValueError, match="concentration1"):
        ember.distributions.Beta(ember.tensor([1.0, 0.0]), 1.0)


BAD_VALUES = [
    lambda lib: lib.distributions.Normal(0.0, 1.0).log_prob(lib.tensor([math.nan])),
    lambda lib: lib.distributions.Normal(lib.zeros(3), 1.0).log_prob(lib.zeros(2)),
    lambda lib: lib.distributions.Normal(0.0, 1.0).log_prob(0.5),
    lambda lib: lib.distributions.Uniform(0.0, 1.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.Bernoulli(0.3).log_prob(lib.tensor([0.5])),
    lambda lib: lib.distributions.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor([3])),
    lambda lib: lib.distributions.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor([-1])),
    lambda lib: lib.distributions.Beta(1.0, 2.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.Gamma(1.0, 2.0).log_prob(lib.tensor(-0.5)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2)).log_prob(
        lib.zeros(3)),
    lambda lib: lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2), 1.0),
                                              1).log_prob(lib.tensor([0.0, math.nan])),
]


@pytest.mark.parametrize("make", BAD_VALUES)
def test_values_outside_the_support_raise_as_in_torch(torch, make):
    _same_error(torch, make)


def test_validate_args_false_skips_the_checks():
    d = ember.distributions.Normal(0.0, -1.0, validate_args=False)
    assert math.isnan(d.log_prob(ember.tensor(0.0)).item())
    u = ember.distributions.Uniform(0.0, 1.0, validate_args=False)
    assert u.log_prob(ember.tensor(1.5)).item() == -math.inf


def test_default_validation_can_be_switched_off_and_on():
    Distribution = ember.distributions.Distribution
    assert Distribution._validate_args is True
    Distribution.set_default_validate_args(False)
    try:
        assert ember.distributions.Gamma(-1.0, 1.0).concentration.item() == -1.0
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ember.distributions.Gamma(-1.0, 1.0)
    with pytest.raises(ValueError):
        Distribution.set_default_validate_args("yes")


def test_constraints_reprs_and_checks(torch):
    C, TC = ember.distributions.constraints, torch.distributions.constraints
    x = np.array([[-1.0, 0.0, 0.5, 1.0], [2.0, math.nan, 0.25, 0.75]])
    for name in ("real", "positive", "nonnegative", "unit_interval", "boolean", "simplex",
                 "real_vector"):
        assert repr(getattr(C, name)) == repr(getattr(TC, name))
        np.testing.assert_array_equal(getattr(C, name).check(ember.tensor(x)).numpy(),
                                      getattr(TC, name).check(torch.tensor(x)).numpy())
    for e, t in ((C.interval(-0.5, 0.5), TC.interval(-0.5, 0.5)),
                 (C.integer_interval(0, 1), TC.integer_interval(0, 1)),
                 (C.greater_than(0.5), TC.greater_than(0.5)), (C.less_than(0.5), TC.less_than(0.5)),
                 (C.independent(C.positive, 1), TC.independent(TC.positive, 1))):
        assert repr(e) == repr(t)
        np.testing.assert_array_equal(e.check(ember.tensor(x)).numpy(),
                                      t.check(torch.tensor(x)).numpy())
    # (torch's positive_definite check of a batch holding a non-symmetric matrix reports only
    # symmetry, so the symmetric and the non-symmetric batches are checked apart)
    symmetric = np.stack([np.eye(2), [[2.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]],
                          [[-1.0, 0.0], [0.0, 1.0]]])
    lower = np.stack([np.eye(2), [[1.0, 0.0], [0.5, 2.0]], [[1.0, 0.5], [0.0, 2.0]],
                      [[1.0, 0.0], [0.5, -2.0]]])
    for name in ("lower_cholesky", "positive_definite"):
        assert repr(getattr(C, name)) == repr(getattr(TC, name))
        for mats in (symmetric, lower):
            np.testing.assert_array_equal(getattr(C, name).check(ember.tensor(mats)).numpy(),
                                          getattr(TC, name).check(torch.tensor(mats)).numpy())
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    assert C.simplex.event_dim == 1 and C.lower_cholesky.event_dim == 2
    assert C.boolean.is_discrete and not C.real.is_discrete
