"""Tensor.pin_memory() and is_pinned() take no device any more: passing one warns torch's
DeprecationWarning (pinning itself is tested with the DataLoader, tests/utils/data)."""
import warnings

import pytest

import ember
from tests import _fake_cupy


@pytest.fixture
def fake_cuda():
    previous = _fake_cupy.install()
    yield
    _fake_cupy.uninstall(previous)


def test_device_argument_is_deprecated_like_torch(fake_cuda):
    torch = pytest.importorskip("torch")
    messages = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.ones(2).is_pinned("cuda")
        # torch's C++ warning ends in "(Triggered internally at <source file>)"
        messages.append([(w.category, str(w.message).split(" (Triggered")[0]) for w in caught])
    assert messages[0] == messages[1] != []
    with pytest.warns(DeprecationWarning, match=r"'device' of Tensor.pin_memory\(\) is "
                                                "deprecated"):
        assert ember.ones(2).pin_memory("cuda").is_pinned()
