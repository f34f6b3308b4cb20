"""Random numbers of complex dtypes against torch: rand/randn, their _like forms, normal (numbers
and tensors) and the in-place uniform_/normal_ draw each part independently (uniform, or normal
with variance std**2 / 2 and the mean in both parts), checked statistically with fixed seeds and
wide tolerances; the samplers torch refuses complex (and integer) dtypes for raise its errors."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

N = 20000

# name -> (sampler on ember or torch, mean and variance of the real part, same of the imag part)
SAMPLERS = {
    "randn": (lambda m, dt: m.randn(N, dtype=dt), (0.0, 0.5), (0.0, 0.5)),
    "rand": (lambda m, dt: m.rand(N, dtype=dt), (0.5, 1 / 12), (0.5, 1 / 12)),
    "randn_like": (lambda m, dt: m.randn_like(m.zeros(N, dtype=dt)), (0.0, 0.5), (0.0, 0.5)),
    "rand_like": (lambda m, dt: m.rand_like(m.zeros(N, dtype=dt)), (0.5, 1 / 12), (0.5, 1 / 12)),
    "rand_like_real_input": (lambda m, dt: m.rand_like(m.zeros(N), dtype=dt), (0.5, 1 / 12),
                             (0.5, 1 / 12)),
    "normal_": (lambda m, dt: m.zeros(N, dtype=dt).normal_(), (0.0, 0.5), (0.0, 0.5)),
    "normal_mean_std": (lambda m, dt: m.zeros(N, dtype=dt).normal_(2.0, 3.0), (2.0, 4.5),
                        (2.0, 4.5)),
    "uniform_": (lambda m, dt: m.zeros(N, dtype=dt).uniform_(2.0, 3.0), (2.5, 1 / 12),
                 (2.5, 1 / 12)),
    "normal_numbers": (lambda m, dt: m.normal(1.0, 2.0, (N,), dtype=dt), (1.0, 2.0), (1.0, 2.0)),
    "normal_tensor_mean": (lambda m, dt: m.normal(m.zeros(N, dtype=dt), 2.0), (0.0, 2.0),
                           (0.0, 2.0)),
    "normal_tensor_std": (lambda m, dt: m.normal(m.zeros(N, dtype=dt), m.full((N,), 2.0)),
                          (0.0, 2.0), (0.0, 2.0)),
    "normal_on_column": (lambda m, dt: m.zeros(N, 2, dtype=dt)[:, 1].normal_(), (0.0, 0.5),
                         (0.0, 0.5)),
}


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", SAMPLERS)
def test_complex_samples_follow_torchs_distribution(name, dtype):
    sample, real_moments, imag_moments = SAMPLERS[name]
    ember.manual_seed(0)
    torch.manual_seed(0)
    got, want = sample(ember, getattr(ember, dtype)), sample(torch, getattr(torch, dtype))
    assert got.dtype == getattr(ember, dtype) and got.dtype.is_complex
    assert tuple(got.shape) == tuple(want.shape)
    z, zt = got.numpy(), want.numpy()
    for part, (mean, var) in ((np.real, real_moments), (np.imag, imag_moments)):
        for values in (part(z), part(zt)):  # torch's own numbers keep the expectations honest
            assert abs(values.mean() - mean) < 5 * np.sqrt(var / N)
            assert abs(values.var() - var) < 0.05 * var
    # independent parts: no correlation between them
    assert abs(np.corrcoef(z.real, z.imag)[0, 1]) < 0.05
    if name in ("rand", "uniform_"):
        low = 0.0 if name == "rand" else 2.0
        assert (z.real >= low).all() and (z.real < low + 1).all()
        assert (z.imag >= low).all() and (z.imag < low + 1).all()


def test_a_seed_repeats_complex_numbers():
    ember.manual_seed(3)
    a = ember.randn(5, dtype=ember.complex64)
    ember.manual_seed(3)
    b = ember.randn(5, dtype=ember.complex64)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert (a.numpy().imag != 0).all()


REFUSED = {
    "randint": lambda m, dt: m.randint(0, 3, (3,), dtype=dt),
    "randint_like": lambda m, dt: m.randint_like(m.zeros(3, dtype=dt), 3),
    "randperm": lambda m, dt: m.randperm(3, dtype=dt),
    "random_": lambda m, dt: m.zeros(3, dtype=dt).random_(0, 3),
    "exponential_": lambda m, dt: m.zeros(3, dtype=dt).exponential_(),
    "cauchy_": lambda m, dt: m.zeros(3, dtype=dt).cauchy_(),
    "log_normal_": lambda m, dt: m.zeros(3, dtype=dt).log_normal_(),
    "geometric_": lambda m, dt: m.zeros(3, dtype=dt).geometric_(0.5),
    "bernoulli_": lambda m, dt: m.zeros(3, dtype=dt).bernoulli_(0.5),
    "bernoulli_tensor_p": lambda m, dt: m.zeros(3, dtype=dt).bernoulli_(m.full((3,), 0.5)),
    "bernoulli": lambda m, dt: m.bernoulli(m.full((3,), 0.5, dtype=dt)),
    "complex_std": lambda m, dt: m.normal(m.zeros(3), m.ones(3, dtype=dt)),
}

INTEGER_REFUSED = {
    "randn": lambda m, dt: m.randn(3, dtype=dt),
    "rand": lambda m, dt: m.rand(3, dtype=dt),
    "randn_like": lambda m, dt: m.randn_like(m.zeros(3, dtype=dt)),
    "normal_": lambda m, dt: m.zeros(3, dtype=dt).normal_(),
    "uniform_": lambda m, dt: m.zeros(3, dtype=dt).uniform_(),
    "normal_numbers": lambda m, dt: m.normal(0.0, 1.0, (3,), dtype=dt),
    "normal_tensor": lambda m, dt: m.normal(m.zeros(3, dtype=dt), 1.0),
}


def _error(f, m, dtype):
    with pytest.raises(Exception) as info:
        f(m, getattr(m, dtype))
    return type(info.value), str(info.value)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", REFUSED)
def test_complex_refusals_match_torch(name, dtype):
    assert _error(REFUSED[name], ember, dtype) == _error(REFUSED[name], torch, dtype)


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@pytest.mark.parametrize("name", INTEGER_REFUSED)
def test_integer_refusals_match_torch(name, dtype):
    assert _error(INTEGER_REFUSED[name], ember, dtype) == \
        _error(INTEGER_REFUSED[name], torch, dtype)
