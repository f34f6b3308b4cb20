"""torch.poisson and torch.binomial (ember/ops/count_sampling.py): moments, shapes, dtypes,
generators, gradients and errors against torch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

N = 20000


def _moments(t):
    a = t.numpy().astype(np.float64)
    return a.mean(), a.var()


@pytest.mark.parametrize("rate", [0.3, 3.5, 40.0])
def test_poisson_mean_and_variance_equal_the_rate(rate):
    g = ember.Generator().manual_seed(1)
    sample = ember.poisson(ember.full((N,), rate), generator=g)
    mean, var = _moments(sample)
    sigma = np.sqrt(rate / N)  # the sample mean's standard deviation
    assert abs(mean - rate) < 5 * sigma
    assert abs(var - rate) < 5 * rate * np.sqrt(2.0 / N) + 5 * sigma
    assert (sample.numpy() == np.round(sample.numpy())).all()


@pytest.mark.parametrize("n,p", [(10.0, 0.3), (1000.0, 0.02), (7.0, 0.95)])
def test_binomial_mean_and_variance(n, p):
    g = ember.Generator().manual_seed(2)
    sample = ember.binomial(ember.full((N,), n), ember.full((N,), p), generator=g)
    mean, var = _moments(sample)
    sd = np.sqrt(n * p * (1 - p))
    assert abs(mean - n * p) < 5 * sd / np.sqrt(N)
    assert abs(var - sd ** 2) < 5 * sd ** 2 * np.sqrt(2.0 / N)


def test_binomial_edges_match_torch():
    count = [5.0, 5.0, -5.0, 5.5, 0.0, -3.0, 2.5]
    prob = [1.5, 0.0, 0.5, 1.0, 0.5, 1.0, 1 - 1e-12]
    for m in (ember, torch):
        out = m.binomial(m.tensor(count, dtype=m.float64), m.tensor(prob, dtype=m.float64))
        assert out.tolist() == [5.0, 0.0, 0.0, 5.5, 0.0, 0.0, 2.5]
    # below one half a fractional count acts as its floor: never more than floor(count) successes
    assert ember.binomial(ember.full((200,), 2.5), ember.full((200,), 0.5)).max() <= 2


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_shapes_and_dtypes_match_torch(dtype):
    got = ember.poisson(ember.ones(2, 3, dtype=getattr(ember, dtype)))
    want = torch.poisson(torch.ones(2, 3, dtype=getattr(torch, dtype)))
    assert got.shape == want.shape and str(got.dtype) == str(want.dtype)
    if dtype == "float16":
        return  # torch's binomial has no Half kernel
    got = ember.binomial(ember.full((2, 3), 4.0, dtype=getattr(ember, dtype)),
                         ember.full((2, 3), 0.5, dtype=getattr(ember, dtype)))
    want = torch.binomial(torch.full((2, 3), 4.0, dtype=getattr(torch, dtype)),
                          torch.full((2, 3), 0.5, dtype=getattr(torch, dtype)))
    assert got.shape == want.shape == (2, 3) and str(got.dtype) == str(want.dtype)
    broadcast = ember.binomial(ember.full((2, 1), 4.0), ember.full((3,), 0.5))
    assert broadcast.shape == (2, 3)


def test_generator_repeats_and_default_generator_is_seeded():
    rates = ember.full((50,), 4.0)
    a = ember.poisson(rates, generator=ember.Generator().manual_seed(5))
    b = ember.poisson(rates, generator=ember.Generator().manual_seed(5))
    assert ember.equal(a, b)
    ember.manual_seed(9)
    c = ember.binomial(ember.full((50,), 8.0), ember.full((50,), 0.4))
    ember.manual_seed(9)
    d = ember.binomial(ember.full((50,), 8.0), ember.full((50,), 0.4))
    assert ember.equal(c, d)


def test_gradients_like_torch():
    for m in (ember, torch):
        rates = m.tensor([1.0, 2.5, 0.0], requires_grad=True)
        out = m.poisson(rates)
        assert type(out.grad_fn).__name__ == "PoissonBackward0"
        (out * 3).sum().backward()
        assert rates.grad.tolist() == [0.0, 0.0, 0.0]
        count = m.tensor([5.0, 10.0], requires_grad=True)
        drawn = m.binomial(count, m.tensor([0.3, 0.9]))
        assert drawn.requires_grad and type(drawn.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::binomial is not implemented"):
            drawn.sum().backward()


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.poisson(m.tensor([-1.0])), RuntimeError),
    (lambda m: m.poisson(m.tensor([float("nan")])), RuntimeError),
    (lambda m: m.poisson(m.tensor([1, 2])), NotImplementedError),
    (lambda m: m.binomial(m.tensor([5]), m.tensor([0.5])), ValueError),
    (lambda m: m.binomial(m.tensor([5.0]), m.tensor([0.5], dtype=m.float64)), RuntimeError),
])
def test_errors_match_torch(call, exc):
    with pytest.raises(exc) as want:
        call(torch)
    with pytest.raises(exc) as got:
        call(ember)
    assert str(got.value) == str(want.value)
