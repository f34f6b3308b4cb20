"""Anomaly mode (NOTE [ Anomaly mode ]): the switches as torch's, NaN from a backward formula
raising torch's error after a warning with the forward call's traceback, a failing formula
warning the same way, and no effect on gradients when nothing is anomalous."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _nan_backward(lib):
    x = lib.tensor([-1.0, 4.0], requires_grad=True)
    y = (x.pow(0.5) * 2).sum()  # the forward line the warning must name
    return x, y


def test_nan_in_backward_raises_like_torch():
    outcomes = []
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            mode = lib.autograd.detect_anomaly()
        with mode:
            _, y = _nan_backward(lib)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with pytest.raises(RuntimeError) as err:
                    y.backward()
            assert "traceback_" in y.grad_fn.next_functions[0][0].metadata
        messages = [str(w.message) for w in caught]
        assert any("Error detected in PowBackward0" in m and "x.pow(0.5) * 2" in m
                   for m in messages), messages
        outcomes.append(str(err.value))
        assert not lib.is_anomaly_enabled()
    assert outcomes[0] == outcomes[1] == \
        "Function 'PowBackward0' returned nan values in its 0th output."


def test_without_anomaly_mode_nan_flows_silently():
    x, y = _nan_backward(ember)
    y.backward()
    assert np.isnan(x.grad[0].item()) and x.grad[1].item() == 0.5


def test_check_nan_false_and_gradients_unchanged():
    x = ember.tensor([-1.0, 4.0], requires_grad=True)
    with ember.autograd.set_detect_anomaly(True, check_nan=False):
        assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()
        (x.pow(0.5) * 2).sum().backward()
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    assert np.isnan(x.grad[0].item()) and x.grad[1].item() == 0.5
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning):
        mode = ember.autograd.detect_anomaly()
    with mode:
        ((w * 3).exp().sum()).backward()
    np.testing.assert_allclose(w.grad.numpy(), 3 * np.exp([3.0, 6.0]), rtol=1e-6)


def test_switches_match_torch():
    states = []
    for lib in (ember, torch):
        seen = [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        lib.set_anomaly_enabled(True, False)
        seen += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        lib.set_anomaly_enabled(False)
        lib.autograd.set_detect_anomaly(True)  # a plain call sets it, as in torch
        seen.append(lib.is_anomaly_enabled())
        lib.autograd.set_detect_anomaly(False)
        seen.append(lib.is_anomaly_enabled())
        states.append(seen)
    assert states[0] == states[1] == [False, True, True, False, True, False]


class _Fails(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        raise ValueError("formula failed")


def test_failing_formula_warns_with_the_node_name():
    x = ember.ones(2, requires_grad=True)
    with ember.autograd.set_detect_anomaly(True):
        y = (_Fails.apply(x) * 2).sum()
        with pytest.warns(UserWarning, match="Error detected in _FailsBackward"):
            with pytest.raises(ValueError, match="formula failed"):
                y.backward()
