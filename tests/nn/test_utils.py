"""nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                            vector_to_parameters)

GRADS = [np.random.default_rng(1).standard_normal(s).astype(np.float32) for s in [(3, 4), (5,)]]


def with_grads(lib, grads=GRADS):
    params = [lib.nn.Parameter(lib.zeros(*g.shape)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g.copy())
    params.append(lib.nn.Parameter(lib.zeros(2)))  # no gradient
    return params


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1), (0.5, 3.0),
                                                (0.1, float("inf")), (1.0, "inf")])
def test_clip_grad_norm_matches_torch(torch, max_norm, norm_type):
    t_params, e_params = with_grads(torch), with_grads(ember)
    expected = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    got = clip_grad_norm_(e_params, max_norm, norm_type)
    assert isinstance(got, ember.Tensor) and got.dim() == 0 and got.dtype == ember.float32
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-6)
    for e, t in zip(e_params[:2], t_params[:2]):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)
    assert e_params[2].grad is None


def test_clip_grad_norm_single_tensor_empty_and_nonfinite(torch):
    p = with_grads(ember)[0]
    before = p.grad.numpy().copy()
    total = clip_grad_norm_(p, 1e6)
    np.testing.assert_allclose(total.item(), np.linalg.norm(before), rtol=1e-6)
    np.testing.assert_array_equal(p.grad.numpy(), before)  # below max_norm: unchanged
    assert clip_grad_norm_([], 1.0).item() == 0.0
    bad = with_grads(ember, [np.array([1.0, np.inf], np.float32)])
    with pytest.raises(RuntimeError) as got:
        clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as expected:
        torch.nn.utils.clip_grad_norm_(with_grads(torch, [np.array([1.0, np.inf], np.float32)]),
                                       1.0, error_if_nonfinite=True)
    assert str(got.value) == str(expected.value)
    assert bad[0].grad.tolist() == [1.0, float("inf")]
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_value_matches_torch(torch):
    t_params, e_params = with_grads(torch), with_grads(ember)
    torch.nn.utils.clip_grad_value_(t_params, 0.5)
    assert clip_grad_value_(e_params, 0.5) is None
    for e, t in zip(e_params[:2], t_params[:2]):
        np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())
    assert np.abs(e_params[0].grad.numpy()).max() == 0.5


def test_clipping_records_an_inplace_change_of_the_gradient():
    p = nn.Parameter(ember.ones(2))
    p.grad = ember.full((2,), 3.0)
    version = p.grad._version
    clip_grad_norm_([p], 1.0)
    clip_grad_value_([p], 0.1)
    assert p.grad._version == version + 2


def test_parameters_to_vector_and_back(torch):
    m = nn.Linear(3, 2)
    vec = parameters_to_vector(m.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(vec.detach().numpy()[:6], m.weight.detach().numpy().ravel())
    vec.sum().backward()
    assert m.weight.grad.tolist() == [[1.0] * 3] * 2
    new = ember.arange(8, dtype=ember.float32)
    vector_to_parameters(new, m.parameters())
    assert m.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m.bias.tolist() == [6.0, 7.0] and isinstance(m.bias, nn.Parameter)
    with pytest.raises(TypeError) as got:
        vector_to_parameters([1.0], m.parameters())
    with pytest.raises(TypeError) as expected:
        torch.nn.utils.vector_to_parameters([1.0], torch.nn.Linear(3, 2).parameters())
    assert str(got.value) == str(expected.value)


def test_clipping_on_device(device):
    params = [nn.Parameter(p.detach().to(device)) for p in with_grads(ember)[:2]]
    cpu = with_grads(ember)
    for p, c in zip(params, cpu):
        p.grad = c.grad.clone().to(device)
    total = clip_grad_norm_(params, 1.0)
    expected = clip_grad_norm_(cpu, 1.0)
    assert total.device.type == device
    np.testing.assert_allclose(total.cpu().item(), expected.item(), rtol=1e-6)
    clip_grad_value_(params, 0.05)
    clip_grad_value_(cpu, 0.05)
    for p, c in zip(params, cpu):
        np.testing.assert_allclose(p.grad.cpu().numpy(), c.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_of_an_infinite_gradient_is_silent(torch):
    """inf * 0 gives nan gradients, as in torch, with no NumPy RuntimeWarning."""
    results = []
    for lib in (ember, torch):
        params = with_grads(lib, [np.array([np.inf, 1.0], dtype=np.float32)])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            norm = lib.nn.utils.clip_grad_norm_(params, 1.0)
        results.append((norm.item(), params[0].grad.tolist()))
    assert str(results[0]) == str(results[1])
