"""Shared helpers of the nn tests: torch twins of ember modules, copied weights, comparisons."""
import numpy as np
import pytest

import ember


def to_ember(t, dtype=None):
    """A torch tensor's values as a new ember tensor (same dtype unless given)."""
    a = t.detach().cpu().numpy()
    return ember.tensor(a if dtype is None else a.astype(dtype))


def copy_weights(torch_module, ember_module):
    """Load a torch module's state dict into its ember twin (through load_state_dict)."""
    state = {k: to_ember(v) for k, v in torch_module.state_dict().items()}
    result = ember_module.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys


def twins(torch, make, seed=0):
    """make(torch.nn) and make(ember.nn), the torch one built after torch.manual_seed(seed), with
    the ember one taking its weights."""
    torch.manual_seed(seed)
    t, e = make(torch.nn), make(ember.nn)
    copy_weights(t, e)
    return t, e


def assert_close(actual, expected, rtol=1e-5, atol=1e-6, msg=""):
    """An ember tensor against a torch tensor (or arrays), with shapes equal."""
    a = actual.detach().numpy() if isinstance(actual, ember.Tensor) else np.asarray(actual)
    e = expected.detach().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert a.shape == e.shape, f"{msg}: shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=msg)


def raises_like(torch_call, ember_call):
    """ember_call raises the exception type and message that torch_call raises."""
    with pytest.raises(Exception) as expected:
        torch_call()
    with pytest.raises(type(expected.value)) as got:
        ember_call()
    assert str(got.value) == str(expected.value), f"\n{got.value}\n!=\n{expected.value}"
    return got.value


def snapshot(module):
    """Copies of every parameter and buffer array, to check that a module was left unchanged."""
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def assert_unchanged(module, before):
    after = snapshot(module)
    assert after.keys() == before.keys()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)
