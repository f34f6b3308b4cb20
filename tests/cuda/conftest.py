"""CUDA fixtures: `cuda` is a real GPU where CuPy sees one, else tests/_fake_cupy.py's fake;
`fake_cuda` is always the fake."""
import pytest

import ember
from ember import _backend
from tests import _fake_cupy


@pytest.fixture
def fake_cuda():
    previous = _fake_cupy.install()
    yield _fake_cupy.fake
    _fake_cupy.uninstall(previous)


@pytest.fixture
def cuda():
    if _backend._cupy is _fake_cupy.fake or ember.cuda.is_available():
        yield _backend.cupy()
        return
    previous = _fake_cupy.install()
    yield _fake_cupy.fake
    _fake_cupy.uninstall(previous)
