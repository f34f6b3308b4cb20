"""nn.init: PyTorch's gains and fans, the sampled distributions, and default layer init."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init

from ._helpers import raises_like


def _values(t):
    return t.detach().numpy().astype(np.float64)


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                  ("selu",)])
def test_calculate_gain_matches_torch(torch, args):
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_gain_and_fan_errors_match_torch(torch):
    raises_like(lambda: torch.nn.init.calculate_gain("nope"), lambda: init.calculate_gain("nope"))
    raises_like(lambda: torch.nn.init.calculate_gain("leaky_relu", "x"),
                lambda: init.calculate_gain("leaky_relu", "x"))
    raises_like(lambda: torch.nn.init.xavier_uniform_(torch.zeros(3)),
                lambda: init.xavier_uniform_(ember.zeros(3)))
    raises_like(lambda: torch.nn.init.kaiming_normal_(torch.zeros(3, 4), mode="fan_x"),
                lambda: init.kaiming_normal_(ember.zeros(3, 4), mode="fan_x"))
    raises_like(lambda: torch.nn.init.eye_(torch.zeros(3)), lambda: init.eye_(ember.zeros(3)))
    raises_like(lambda: torch.nn.init.dirac_(torch.zeros(3, 3)),
                lambda: init.dirac_(ember.zeros(3, 3)))
    raises_like(lambda: torch.nn.init.orthogonal_(torch.zeros(3)),
                lambda: init.orthogonal_(ember.zeros(3)))


@pytest.mark.parametrize("shape", [(5, 3), (6, 3, 5, 5), (4, 2, 3)])
def test_fan_in_and_fan_out_match_torch(torch, shape):
    assert init._calculate_fan_in_and_fan_out(ember.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def _check_uniform(v, bound):
    assert v.min() >= -bound and v.max() <= bound
    assert v.max() > 0.95 * bound and v.min() < -0.95 * bound
    assert abs(v.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_uniform_family_bounds_and_spread():
    w = ember.empty(200, 50)
    _check_uniform(_values(init.uniform_(w, -0.3, 0.3)), 0.3)
    _check_uniform(_values(init.xavier_uniform_(w, gain=2.0)), 2.0 * math.sqrt(6.0 / 250))
    _check_uniform(_values(init.kaiming_uniform_(w, a=math.sqrt(5))), 1 / math.sqrt(50))
    _check_uniform(_values(init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")),
                   math.sqrt(6.0 / 200))


def test_normal_family_moments():
    w = ember.empty(300, 100)
    v = _values(init.normal_(w, 1.0, 0.5))
    assert abs(v.mean() - 1.0) < 0.01 and abs(v.std() - 0.5) < 0.01
    v = _values(init.xavier_normal_(w))
    assert abs(v.std() - math.sqrt(2.0 / 400)) < 0.002
    v = _values(init.kaiming_normal_(w, nonlinearity="relu"))
    assert abs(v.std() - math.sqrt(2.0 / 100)) < 0.003


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, 1.5, 3.0),
                                          (0.5, 0.02, -1.0, 1.0)])
def test_trunc_normal_stays_in_range_with_the_truncated_moments(mean, std, a, b):
    from math import erf, exp, pi, sqrt
    v = _values(init.trunc_normal_(ember.empty(20000), mean, std, a, b))
    assert v.min() >= a and v.max() <= b
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = [exp(-x * x / 2) / sqrt(2 * pi) for x in (alpha, beta)]
    z = (erf(beta / sqrt(2)) - erf(alpha / sqrt(2))) / 2
    expected_mean = mean + std * (pdf[0] - pdf[1]) / z
    assert abs(v.mean() - expected_mean) < 0.03 * std


def test_constant_zeros_ones_eye_dirac_match_torch(torch):
    assert init.constant_(ember.empty(2, 3), 0.25).tolist() == [[0.25] * 3] * 2
    assert not init.zeros_(ember.ones(4)).numpy().any()
    assert init.ones_(ember.zeros(4)).tolist() == [1.0] * 4
    assert init.eye_(ember.empty(3, 5)).tolist() == torch.nn.init.eye_(torch.empty(3, 5)).tolist()
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 3, 3, 3), 1)]:
        expected = torch.nn.init.dirac_(torch.empty(*shape), groups)
        assert init.dirac_(ember.empty(*shape), groups).tolist() == expected.tolist()


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 2)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = _values(init.orthogonal_(ember.empty(*shape), gain=2.0)).reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(w.shape)), atol=1e-5)


def test_initialisers_work_on_parameters_and_record_no_graph():
    p = nn.Parameter(ember.empty(3, 4))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
               init.trunc_normal_, init.orthogonal_, init.eye_, init.zeros_):
        assert fn(p) is p
        assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_generator_makes_init_reproducible():
    g = ember.Generator().manual_seed(3)
    a = init.kaiming_uniform_(ember.empty(5, 5), generator=g).tolist()
    g.manual_seed(3)
    assert init.kaiming_uniform_(ember.empty(5, 5), generator=g).tolist() == a


def test_zero_element_tensor_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 3))


@pytest.mark.parametrize("make,fan_in", [
    (lambda: nn.Linear(40, 30), 40), (lambda: nn.Conv2d(4, 30, 3), 36),
    (lambda: nn.Conv1d(6, 30, 5, groups=2), 15), (lambda: nn.ConvTranspose2d(30, 4, 3), 36)])
def test_default_layer_init_is_torch_distribution(make, fan_in):
    """kaiming_uniform_(a=sqrt(5)) weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), like the bias."""
    ember.manual_seed(1)
    m = make()
    bound = 1 / math.sqrt(fan_in)
    w = _values(m.weight)
    assert w.min() >= -bound and w.max() <= bound and w.max() > 0.9 * bound
    b = _values(m.bias)
    assert b.min() >= -bound and b.max() <= bound
    ember.manual_seed(1)
    assert make().weight.tolist() == m.weight.tolist()  # drawn from ember's seeded generator


def test_default_init_of_norm_and_embedding_layers():
    for m in (nn.BatchNorm2d(3), nn.LayerNorm(3), nn.GroupNorm(1, 3)):
        assert m.weight.tolist() == [1.0] * 3 and m.bias.tolist() == [0.0] * 3
    e = nn.Embedding(500, 20, padding_idx=2)
    w = _values(e.weight)
    assert not w[2].any() and abs(w.std() - 1.0) < 0.05
    bl = nn.Bilinear(9, 4, 3)
    assert np.abs(_values(bl.weight)).max() <= 1 / 3 and np.abs(_values(bl.bias)).max() <= 1 / 3
