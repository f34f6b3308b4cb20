"""Shared fixtures: seeding, and the torch reference where torch imports."""
import numpy as np
import pytest

import ember


@pytest.fixture(autouse=True)
def _seed():
    ember.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


DEVICES = ["cpu", "cuda"]


@pytest.fixture(params=DEVICES)
def device(request):
    """Each device test runs on the CPU and, where CuPy sees a GPU, on CUDA (skipped otherwise)."""
    if request.param == "cuda" and not ember.cuda.is_available():
        pytest.skip("CUDA is not available (needs CuPy and an NVIDIA GPU)")
    return request.param
