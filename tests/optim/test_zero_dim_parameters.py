"""Optimizers step 0-d parameters as torch does (NumPy's arithmetic on 0-d arrays returns
scalars, so optimizer.py hands the update one-element views); found by the nn-level fuzzer."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = {
    "Adam": dict(lr=0.1, amsgrad=True), "AdamW": dict(lr=0.1), "Adamax": dict(lr=0.1),
    "Adagrad": dict(lr=0.1), "Adadelta": dict(lr=1.0), "RMSprop": dict(lr=0.1, momentum=0.9),
    "NAdam": dict(lr=0.1), "SGD": dict(lr=0.1, momentum=0.9), "ASGD": dict(lr=0.1),
    "RAdam": dict(lr=0.1), "Rprop": dict(lr=0.1), "Adafactor": dict(lr=0.1),
}


def _trajectory(lib, name):
    p = lib.tensor(0.5, dtype=lib.float64, requires_grad=True)
    opt = getattr(lib.optim, name)([p], **CASES[name])
    out = []
    for g in (0.3, -0.2, 0.7):
        p.grad = lib.tensor(g, dtype=lib.float64)
        opt.step()
        out.append(p.item())
    return out, {k: np.asarray(v.detach().numpy()) for k, v in opt.state[p].items()}


@pytest.mark.parametrize("name", CASES)
def test_zero_dim_parameter_steps_as_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # no 1-element array read as a float
        got, state = _trajectory(ember, name)
    want, want_state = _trajectory(torch, name)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert state.keys() == want_state.keys()
    for key, value in want_state.items():
        assert state[key].shape == value.shape == ()  # the state keeps the parameter's shape
        np.testing.assert_allclose(state[key], value, rtol=1e-6)
