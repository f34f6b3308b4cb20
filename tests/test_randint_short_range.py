"""randint and random_ over a range of at most 2^32 draw 64 random bits modulo the range
(ember/_random.py `_integers`); wider ranges and non-NumPy generators take Generator.integers.
Both must stay inside [low, high), uniform, reproducible from a seed, and advance the stream."""
import numpy as np
import pytest

import ember


@pytest.mark.parametrize("low,high", [(0, 1), (0, 27), (-5, 5), (-(2 ** 31), 2 ** 31),
                                      (10, 10 + 2 ** 32), (0, 2 ** 40), (-(2 ** 62), 2 ** 62)])
def test_randint_stays_in_range(low, high):
    x = ember.randint(low, high, (20000,)).numpy()
    assert x.dtype == np.int64 and x.min() >= low and x.max() < high
    if high - low > 1:
        assert x.min() < low + (high - low) // 4 and x.max() >= high - (high - low) // 4


def test_randint_is_uniform_over_a_short_range():
    ember.manual_seed(3)
    counts = np.bincount(ember.randint(-3, 7, (100000,)).numpy() + 3, minlength=10)
    expected = 10000
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert counts.size == 10 and chi2 < 30  # 9 degrees of freedom: P(chi2 > 30) < 0.001


def test_randint_reproducible_and_advances_the_stream():
    ember.manual_seed(7)
    a, b = ember.randint(0, 100, (50,)), ember.randint(0, 100, (50,))
    ember.manual_seed(7)
    assert ember.equal(ember.randint(0, 100, (50,)), a)
    assert ember.equal(ember.randint(0, 100, (50,)), b)
    assert not ember.equal(a, b)
    g1, g2 = ember.Generator().manual_seed(1), ember.Generator().manual_seed(1)
    assert ember.equal(ember.randint(0, 9, (40,), generator=g1),
                       ember.randint(0, 9, (40,), generator=g2))


def test_randint_shapes_and_dtypes():
    assert ember.randint(0, 5, ()).shape == ()
    assert ember.randint(0, 5, (0, 3)).shape == (0, 3)
    x = ember.randint(2, 6, (1000,), dtype=ember.int32)
    assert x.dtype == ember.int32 and 2 <= int(x.min()) and int(x.max()) < 6
    f = ember.empty(1000).random_(3, 9)
    assert f.dtype == ember.float32 and 3 <= float(f.min()) and float(f.max()) < 9
