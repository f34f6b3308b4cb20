"""torch.random.fork_rng: the CPU generator's state (and the devices') put back on exit, as torch
2.13 does."""
import pytest

import ember


def test_fork_rng_restores_the_cpu_stream(torch):
    for lib in (torch, ember):
        lib.manual_seed(7)
        expected = lib.rand(4)
        lib.manual_seed(7)
        with lib.random.fork_rng():
            lib.rand(10)
            lib.manual_seed(123)
            lib.randn(3)
        assert lib.equal(lib.rand(4), expected)


def test_fork_rng_restores_after_an_exception():
    ember.manual_seed(1)
    state = ember.get_rng_state()
    with pytest.raises(ValueError):
        with ember.random.fork_rng(devices=[]):
            ember.rand(5)
            raise ValueError
    assert ember.equal(ember.get_rng_state(), state)


def test_fork_rng_disabled_or_meta_leaves_the_stream_advanced(torch):
    for lib in (torch, ember):
        for kwargs in ({"enabled": False}, {"device_type": "meta"}):
            state = lib.get_rng_state()
            with lib.random.fork_rng(**kwargs):
                lib.rand(3)
            assert not lib.equal(lib.get_rng_state(), state)


def test_fork_rng_bad_device_type_raises_like_torch(torch):
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
            with lib.random.fork_rng(device_type="foo"):
                pass
        with pytest.raises(AttributeError, match="has no attribute 'get_rng_state'"):
            with lib.random.fork_rng(device_type="cpu"):
                pass


def test_fork_rng_restores_cuda_streams():
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError):
            with ember.random.fork_rng(devices=[0]):
                pass
        return
    ember.manual_seed(3)
    expected = ember.rand(4, device="cuda")
    ember.manual_seed(3)
    with ember.random.fork_rng(devices=[0]):
        ember.rand(6, device="cuda")
    assert ember.equal(ember.rand(4, device="cuda"), expected)


def test_torch_random_generator_is_a_typing_name(torch):
    # torch.random.Generator is collections.abc.Generator (fork_rng's return annotation), not
    # torch.Generator: filed under the "python" reason rather than implemented.
    import collections.abc
    assert torch.random.Generator is collections.abc.Generator
