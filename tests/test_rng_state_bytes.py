"""The generator state as plain bytes (NOTE [ RNG state bytes ] in ember/_random.py): it round-
trips, torch's type and size errors, and a crafted state runs no code (it was a pickle)."""
import pickle

import pytest
import torch

import ember

RAN = []


class _Evil:
    def __reduce__(self):
        return (RAN.append, ("code ran",))


def test_state_round_trips_for_the_default_and_own_generators():
    state = ember.get_rng_state()
    first = ember.rand(5)
    ember.set_rng_state(state)
    assert ember.equal(first, ember.rand(5))
    g = ember.Generator().manual_seed(3)
    saved = g.get_state()
    draws = ember.randn(4, generator=g)
    assert ember.equal(draws, ember.randn(4, generator=g.set_state(saved)))


@pytest.mark.parametrize("bad", [lambda t: t.zeros(3), lambda t: [1, 2]])
def test_type_errors_as_torch(bad):
    for lib in (ember, torch):
        with pytest.raises(TypeError) as exc:
            lib.set_rng_state(bad(lib))
        assert "ByteTensor" in str(exc.value)


def test_a_crafted_pickle_state_runs_no_code():
    payload = ember.tensor(list(pickle.dumps(_Evil())), dtype=ember.uint8)
    with pytest.raises(RuntimeError, match="RNG state size"):
        ember.set_rng_state(payload)
    padded = ember.tensor((list(pickle.dumps(_Evil())) + [0] * 40)[:40], dtype=ember.uint8)
    ember.set_rng_state(padded)  # read as four numbers, whatever they are
    ember.rand(2)
    assert RAN == []


@pytest.mark.parametrize("seed", [2 ** 64, -(2 ** 63) - 1])
def test_seeds_out_of_range_overflow_as_torch(seed):
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            lib.manual_seed(seed)
    ember.manual_seed(2 ** 63)
    ember.manual_seed(-1)
