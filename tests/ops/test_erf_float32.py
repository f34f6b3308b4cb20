"""float32 erf, erfc and exact GELU (NOTE [ erf without SciPy ] in ember/ops/special.py): accuracy
against math.erf over the whole range, tails included, special values, chunking, and GELU's forward
and gradient against a float64 reference and against torch."""
import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.ops import special

EPS32 = float(np.finfo(np.float32).eps)
TINY32 = float(np.finfo(np.float32).tiny)


def _wide_float32(n=200_000, seed=0):
    """Uniform over [-6, 6] and log-uniform magnitudes from 1e-40 (subnormal) to 20, both signs."""
    rng = np.random.default_rng(seed)
    mags = np.exp(rng.uniform(math.log(1e-40), math.log(20.0), n))
    x = np.concatenate([rng.uniform(-6, 6, n), mags, -mags, np.linspace(-5, 5, 20_001)])
    return x.astype(np.float32)


def _ulp_error(got, ref):
    ref32 = np.abs(ref).astype(np.float32)
    return np.abs(got.astype(np.float64) - ref) / np.spacing(ref32).astype(np.float64)


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_float32_within_epsilon_of_the_true_value(name):
    x = _wide_float32()
    ref = np.frompyfunc(getattr(math, name), 1, 1)(x.astype(np.float64)).astype(np.float64)
    got = getattr(ember, name)(ember.tensor(x))._data
    assert got.dtype == np.float32
    normal = np.abs(ref) >= TINY32
    rel = np.abs(got[normal].astype(np.float64) - ref[normal]) / np.abs(ref[normal])
    assert rel.max() < EPS32
    assert _ulp_error(got, ref).max() <= 1.0  # subnormal results included


def test_erfc_float32_deep_tail_is_relative():
    x = np.linspace(0.5, 10.0, 40_001, dtype=np.float32)
    ref = np.array([math.erfc(v) for v in x.astype(np.float64)])
    got = ember.erfc(ember.tensor(x))._data
    normal = ref >= TINY32
    assert normal.mean() > 0.9  # erfc leaves float32's normal range near x = 9.1
    assert (np.abs(got[normal] - ref[normal]) / ref[normal]).max() < EPS32
    assert _ulp_error(got, ref).max() <= 1.0


def test_float32_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 4.0, -4.0, 1e30, -1e30, 1e-45],
                 np.float32)
    e = ember.erf(ember.tensor(x))._data
    assert np.isnan(e[0])
    np.testing.assert_array_equal(e[1:], np.float32([1, -1, 0, 0, 1, -1, 1, -1, 1e-45]))
    assert not np.signbit(e[3]) and np.signbit(e[4])
    c = ember.erfc(ember.tensor(x))._data
    assert np.isnan(c[0])
    np.testing.assert_array_equal(c[1:9], np.float32([0, 2, 1, 1, math.erfc(4.0), 2, 0, 2]))


def test_erf_never_leaves_the_unit_interval():
    x = np.linspace(-30, 30, 600_001, dtype=np.float32)
    e = ember.erf(ember.tensor(x))._data
    assert np.abs(e).max() == 1.0
    assert (np.diff(e) >= 0).all()  # and is monotone to float32 rounding


def test_chunks_and_strides():
    """Inputs larger than a chunk, with a ragged last chunk, non-contiguous and N-D."""
    n = special._CHUNK * 2 + 123
    x = _wide_float32(n // 4 + 1, seed=3)[:n].reshape(1, n)
    x = np.concatenate([x, -x])[:, ::-1].T  # shape (n, 2), strided
    got = ember.erf(ember.tensor(x))._data
    assert got.shape == x.shape and got.dtype == np.float32
    ref = np.frompyfunc(math.erf, 1, 1)(x.astype(np.float64)).astype(np.float64)
    assert _ulp_error(got, ref).max() <= 1.0


def test_half_precision_rounds_the_float32_result():
    x = np.linspace(-4, 4, 2001).astype(np.float16)
    got = ember.erf(ember.tensor(x))._data
    assert got.dtype == np.float16
    ref = np.array([math.erf(v) for v in x.astype(np.float64)]).astype(np.float16)
    np.testing.assert_array_equal(got, ref)


def test_float64_keeps_float64_accuracy():
    x = np.linspace(-6, 6, 10_001)
    got = ember.erf(ember.tensor(x))._data
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [math.erf(v) for v in x], rtol=1e-15, atol=3e-16)


def _gelu_ref(x):
    x = x.astype(np.float64)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return x * cdf, cdf, x * pdf


def test_gelu_float32_forward_and_gradient_against_float64():
    x = np.concatenate([np.linspace(-20, 20, 40_001), [0.0, -0.0, 1e-30, -1e-30, -1e30, 1e30]])
    x = x.astype(np.float32)
    g = np.random.default_rng(0).uniform(0.5, 2.0, x.shape).astype(np.float32)
    t = ember.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # x * x overflowing float32 is no warning
        y = F.gelu(t)
        y.backward(ember.tensor(g))
    assert y.dtype == ember.float32 and t.grad.dtype == ember.float32
    ref_y, cdf, xpdf = _gelu_ref(x)
    ref_d = cdf + xpdf
    # NOTE [ GELU's erf ]: the normal CDF is made in float32 scratch, within 0.8 epsilons
    # absolute; y's error is relative where x > 0 and absolute (times |x|) in the left tail, where
    # the CDF falls to exactly 0.
    y, d = y._data.astype(np.float64), t.grad._data.astype(np.float64) / g
    x64 = x.astype(np.float64)
    assert (np.abs(y - ref_y) <= 2 * EPS32 * np.abs(ref_y) + 1.0 * EPS32 * np.abs(x64)).all()
    assert (np.abs(y - ref_y)[x > 0] <= 2 * EPS32 * ref_y[x > 0]).all()
    assert (np.abs(d - ref_d) <= 2 * EPS32 * (cdf + np.abs(xpdf)) + 1.0 * EPS32).all()
    assert (np.sign(y) == np.sign(x) * (y != 0)).all()  # the CDF never goes below 0
    np.testing.assert_array_equal(y[x <= -6], 0.0)
    np.testing.assert_array_equal(y[x >= 6], x[x >= 6])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_gelu_special_values(dtype):
    """NaN stays NaN, -inf gives NaN (-inf * 0) as in PyTorch, and the slope at +-inf is NaN;
    no NumPy warning on the way."""
    t = ember.tensor([np.inf, -np.inf, np.nan, 0.0, -0.0], dtype=dtype, requires_grad=True)
    y = F.gelu(t)
    y.sum().backward()
    assert np.isnan(y._data[1:3]).all() and y._data[0] == np.inf
    np.testing.assert_array_equal(y._data[3:], 0.0)
    assert np.isnan(t.grad._data[:3]).all()
    np.testing.assert_array_equal(t.grad._data[3:], 0.5)


def test_gelu_matches_torch_float32():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((64, 1024)).astype(np.float32) * 3
    g = np.random.default_rng(2).standard_normal((64, 1024)).astype(np.float32)
    t = ember.tensor(x, requires_grad=True)
    F.gelu(t).backward(ember.tensor(g))
    tt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.gelu(tt)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(F.gelu(ember.tensor(x))._data, yt.detach().numpy(),
                               rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(t.grad._data, tt.grad.numpy(), rtol=1.3e-6, atol=1e-5)


def test_gelu_float32_error_at_most_torchs():
    """Against float64, ember's float32 GELU and slope err no more than PyTorch's own do."""
    torch = pytest.importorskip("torch")
    x = np.linspace(-8, 8, 400_001).astype(np.float32)
    ref_y, cdf, xpdf = _gelu_ref(x)
    errors = []
    for mod, fn in ((ember, F.gelu), (torch, torch.nn.functional.gelu)):
        t = mod.tensor(x, requires_grad=True)
        y = fn(t)
        y.sum().backward()
        y = y.detach().numpy().astype(np.float64)
        d = t.grad.numpy().astype(np.float64)
        pos, neg = x > 0, x < 0
        errors.append(((np.abs(y - ref_y)[pos] / ref_y[pos]).max(),
                       (np.abs(y - ref_y)[neg] / -x[neg]).max(),
                       np.abs(d - cdf - xpdf).max()))
    ours, theirs = errors
    assert all(o <= t for o, t in zip(ours, theirs)), (ours, theirs)


def test_gelu_half_is_the_float32_kernel_rounded():
    """A float16 input is widened before the kernel squares it (float16's x * x is off by up to
    5 %): its GELU and slope are the float32 ones of the same values, rounded to float16."""
    x = np.linspace(-10, 10, 40_001).astype(np.float16)
    results = []
    for dtype in (ember.float16, ember.float32):
        t = ember.tensor(x.astype(np.float32), dtype=dtype, requires_grad=True)
        y = F.gelu(t)
        y.backward(ember.ones_like(y))  # y.sum() would overflow float16
        results.append((y._data.astype(np.float16), t.grad._data.astype(np.float16)))
    (y16, d16), (y32, d32) = results
    np.testing.assert_array_equal(y16, y32)
    np.testing.assert_array_equal(d16, d32)
