"""torch's top-level autocast state functions: setting them changes what the next ops do, and a
`with autocast(...)` region restores them on exit; checked side by side with torch."""
import warnings

import pytest

import ember


def _state(m):
    return (m.is_autocast_enabled("cpu"), m.get_autocast_dtype("cpu"),
            m.is_autocast_enabled("cuda"), m.get_autocast_dtype("cuda"),
            m.is_autocast_cache_enabled())


def _restore(m, state):
    m.set_autocast_enabled("cpu", state[0])
    m.set_autocast_dtype("cpu", state[1])
    m.set_autocast_enabled("cuda", state[2])
    m.set_autocast_dtype("cuda", state[3])
    m.set_autocast_cache_enabled(state[4])


@pytest.fixture
def both(torch):
    saved = [(m, _state(m)) for m in (ember, torch)]
    yield ember, torch
    for m, state in saved:
        _restore(m, state)
        m.clear_autocast_cache()


def _mm_dtype(m):
    a = m.ones(2, 2)
    return str((a @ a).dtype)


def _names(state):
    return tuple(str(v) for v in state)


def test_defaults_match_torch(both):
    for m in both:
        assert _names(_state(m)) == ("False", "torch.bfloat16", "False", "torch.float16", "True")


def test_setting_changes_the_next_ops(both):
    for m in both:
        m.set_autocast_dtype("cpu", m.float16)
        m.set_autocast_enabled("cpu", True)
        assert _mm_dtype(m) == "torch.float16"
        assert str((m.ones(2, 2) + m.ones(2, 2)).dtype) == "torch.float32"  # not on the list
        m.set_autocast_enabled("cpu", False)
        assert _mm_dtype(m) == "torch.float32"


def test_deprecated_cpu_and_gpu_forms(both):
    for m in both:
        with pytest.warns(DeprecationWarning, match=r"set_autocast_cpu_dtype\(dtype\) is "
                          r"deprecated. Please use torch.set_autocast_dtype\('cpu', dtype\)"):
            m.set_autocast_cpu_dtype(m.float16)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            m.set_autocast_cpu_enabled(True)
            assert m.is_autocast_cpu_enabled() is True
            assert m.get_autocast_cpu_dtype() == m.float16
            assert _mm_dtype(m) == "torch.float16"
            m.set_autocast_cpu_enabled(False)
            assert _mm_dtype(m) == "torch.float32"
            m.set_autocast_gpu_dtype(m.bfloat16)
            assert m.get_autocast_gpu_dtype() == m.bfloat16 == m.get_autocast_dtype("cuda")
        with pytest.warns(DeprecationWarning, match=r"is_autocast_cpu_enabled\(\) is deprecated"):
            m.is_autocast_cpu_enabled()


def test_legacy_one_argument_form_is_cuda(both):
    for m in both:
        m.set_autocast_enabled(True)
        assert m.is_autocast_enabled() is True and m.is_autocast_enabled("cuda") is True
        assert m.is_autocast_enabled("cpu") is False
        m.set_autocast_enabled(False)
        assert m.is_autocast_enabled() is False


def test_region_restores_state_on_exit(both):
    for m in both:
        m.set_autocast_dtype("cpu", m.float16)
        m.set_autocast_cache_enabled(False)
        with m.autocast("cpu") as region:
            assert region.fast_dtype == m.float16  # the region's default is the current dtype
            assert region._cache_enabled is False
            assert _mm_dtype(m) == "torch.float16"
            m.set_autocast_enabled("cpu", False)  # changed inside: gone at exit
            assert _mm_dtype(m) == "torch.float32"
        assert m.is_autocast_enabled("cpu") is False and m.is_autocast_cache_enabled() is False
        m.set_autocast_enabled("cpu", True)
        with m.autocast("cpu", enabled=False, cache_enabled=True):
            assert _mm_dtype(m) == "torch.float32" and m.is_autocast_cache_enabled() is True
        assert _mm_dtype(m) == "torch.float16"
        assert m.is_autocast_cache_enabled() is False
        assert m.get_autocast_dtype("cpu") == m.float16


def test_bad_arguments_raise_as_torch(both):
    for m in both:
        with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
            m.set_autocast_enabled("foo", True)
        with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
            m.set_autocast_dtype("foo", m.float16)
        with pytest.raises(TypeError, match=r"argument 'enabled' \(position 2\) must be bool, "
                           "not int"):
            m.set_autocast_enabled("cpu", 1)
        with pytest.raises(TypeError, match=r"enabled must be a bool \(got int\)"):
            m.set_autocast_cache_enabled(1)


def _casts(t):
    """The ToCopyBackward0 nodes reachable from t's grad_fn, by id."""
    seen, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if type(node).__name__ == "ToCopyBackward0":
            seen.add(id(node))
        stack.extend(n for n, _ in node.next_functions)
    return seen


def test_cache_lives_until_cleared_outside_a_region(both):
    """Enabled by the setter (no region to exit), weight casts are cached until
    clear_autocast_cache()."""
    m = ember
    m.set_autocast_dtype("cpu", m.float16)
    m.set_autocast_enabled("cpu", True)
    w = m.ones(2, 2, requires_grad=True)
    x = m.ones(2, 2)
    first, second = x @ w, x @ w
    assert _casts(first) == _casts(second)
    assert m.clear_autocast_cache() is None
    assert _casts(x @ w) != _casts(first)
    m.set_autocast_cache_enabled(False)
    assert _casts(x @ w) != _casts(x @ w)


def test_bfloat16_without_numpy_support_raises_its_error(both):
    m = ember
    try:
        m.bfloat16.np
    except TypeError:
        pass
    else:
        pytest.skip("this NumPy has a bfloat16")
    m.set_autocast_enabled("cpu", True)  # with the CPU default, bfloat16
    with pytest.raises(TypeError, match="bfloat16 is not supported by ember"):
        _mm_dtype(m)
