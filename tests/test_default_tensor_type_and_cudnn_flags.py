"""torch.set_default_tensor_type (deprecated, warning once) and torch.backends.cudnn.flags (a
context manager that sets the flags and restores them), against torch."""
import warnings

import pytest
import torch

import ember


def _run(lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lib.set_default_tensor_type(lib.DoubleTensor)
        double = (lib.get_default_dtype(), lib.tensor([1.5]).dtype)
        lib.set_default_tensor_type("torch.FloatTensor")
        single = lib.get_default_dtype()
    with lib.backends.cudnn.flags(enabled=False, deterministic=True):
        inside = (lib.backends.cudnn.enabled, lib.backends.cudnn.deterministic)
    after = (lib.backends.cudnn.enabled, lib.backends.cudnn.deterministic)
    return (str(double), str(single), inside, after,
            [str(w.message).split(" (Triggered")[0] for w in caught][:1])


def test_like_torch():
    assert _run(ember) == _run(torch)


def test_unknown_type_names_are_refused():
    with pytest.raises(TypeError):
        ember.set_default_tensor_type("torch.NoSuchTensor")
    assert ember.get_default_dtype() == ember.float32
