"""torch.quasirandom.SobolEngine (ember/quasirandom.py): unscrambled points equal torch's."""
import numpy as np
import pytest

import ember
from ember.quasirandom import SobolEngine

torch = pytest.importorskip("torch")
TorchSobol = torch.quasirandom.SobolEngine


@pytest.mark.parametrize("dimension", [1, 2, 3, 4, 5, 6, 7, 8, 21, 300, 1024])
def test_unscrambled_points_equal_torchs(dimension):
    got = SobolEngine(dimension).draw(300, dtype=ember.float64).numpy()
    want = TorchSobol(dimension).draw(300, dtype=torch.float64).numpy()
    np.testing.assert_array_equal(got, want)


def test_direction_numbers_and_state_equal_torchs():
    e, t = SobolEngine(10), TorchSobol(10)
    np.testing.assert_array_equal(e.sobolstate.numpy(), t.sobolstate.numpy())
    e.draw(7)
    t.draw(7)
    np.testing.assert_array_equal(e.quasi.numpy(), t.quasi.numpy())
    assert e.num_generated == t.num_generated == 7


def test_draw_in_pieces_fast_forward_reset_and_base2_follow_torch():
    e, t = SobolEngine(4), TorchSobol(4)
    seq = []
    for engine in (e, t):
        parts = [engine.draw(1), engine.draw(3), engine.draw_base2(2)]
        engine.fast_forward(5)
        parts.append(engine.draw(4))
        engine.reset()
        parts.append(engine.draw(2))
        engine.fast_forward(1)
        parts.append(engine.draw(1))
        seq.append([p.numpy() for p in parts])
    for got, want in zip(*seq):
        assert got.dtype == want.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_dtype_out_and_repr():
    assert SobolEngine(2).draw(3, dtype=ember.float64).dtype == ember.float64
    out = ember.empty(3, 2)
    assert SobolEngine(2).draw(3, out=out) is out
    np.testing.assert_array_equal(out.numpy(), TorchSobol(2).draw(3).numpy())
    for args in [(3,), (2, True, 3), (2, False, 4)]:
        assert repr(SobolEngine(*args)) == repr(TorchSobol(*args))
    assert ember.quasirandom.SobolEngine is SobolEngine


def test_errors_match_torch():
    for dimension in (0, 21202):
        with pytest.raises(ValueError, match=r"Supported range of dimensionality for SobolEngine "
                                             r"is \[1, 21201\]"):
            SobolEngine(dimension)
    e, t = SobolEngine(2), TorchSobol(2)
    e.draw(3)
    t.draw(3)
    with pytest.raises(ValueError) as want:
        t.draw_base2(2)
    with pytest.raises(ValueError) as got:
        e.draw_base2(2)
    assert str(got.value) == str(want.value)


def test_scrambled_points_keep_the_balance_property_and_repeat_with_a_seed():
    a = SobolEngine(3, scramble=True, seed=11).draw_base2(5).numpy()
    b = SobolEngine(3, scramble=True, seed=11).draw_base2(5).numpy()
    c = SobolEngine(3, scramble=True, seed=12).draw_base2(5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert ((a >= 0) & (a < 1)).all()
    # a scrambled (0, m, 1)-net: each of 32 equal intervals of each coordinate holds one point
    for d in range(3):
        assert sorted(np.floor(a[:, d] * 32).astype(int)) == list(range(32))
    # two dimensions together: each of the 4 x 8 boxes holds one point ((0, 5, 2)-net)
    boxes = set(zip(np.floor(a[:, 0] * 4).astype(int), np.floor(a[:, 1] * 8).astype(int)))
    assert len(boxes) == 32
    unscrambled = SobolEngine(3).draw_base2(5).numpy()
    assert not np.array_equal(a, unscrambled)


def test_dimensions_above_the_carried_table_come_from_scipy():
    pytest.importorskip("scipy")
    got = SobolEngine(1500).draw(64, dtype=ember.float64).numpy()
    np.testing.assert_array_equal(got, TorchSobol(1500).draw(64, dtype=torch.float64).numpy())


def test_dimensions_above_the_carried_table_without_scipy_say_so(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "scipy", None)
    with pytest.raises(ValueError, match="dimensions up to 1024; dimension 1025 needs SciPy"):
        SobolEngine(1025)
    assert SobolEngine(1024).draw(2).shape == (2, 1024)
