"""autograd.grad's options that change what it computes: is_grads_batched (one vector-Jacobian
product per leading entry of the grad_outputs, stacked) and the deprecated only_inputs."""
import warnings

import numpy as np
import pytest

import ember


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _grads(lib, grad_outputs, create_graph=False, **kwargs):
    x = lib.tensor([1.0, 2.0, -0.5], dtype=lib.float64, requires_grad=True)
    z = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
    y = x ** 2 * z
    outs = (y, (x * z).sum())
    gos = tuple(lib.tensor(g, dtype=lib.float64) for g in grad_outputs)
    return x, lib.autograd.grad(outs, (x, z), gos, is_grads_batched=True,
                                create_graph=create_graph, **kwargs)


def test_batched_grads_equal_torch(torch):
    grad_outputs = (np.arange(12.0).reshape(4, 3), np.array([1.0, -1.0, 0.5, 2.0]))
    _, got = _grads(ember, grad_outputs)
    _, want = _grads(torch, grad_outputs)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g.numpy(), w.numpy())


def test_batched_grads_keep_a_graph(torch):
    grad_outputs = (np.eye(3), np.ones(3))
    results = []
    for lib in (ember, torch):
        x, (gx, _) = _grads(lib, grad_outputs, create_graph=True)
        assert gx.requires_grad
        second, = lib.autograd.grad(gx.sum(), x)
        results.append(second.detach().numpy())
    np.testing.assert_allclose(results[0], results[1])


def test_unused_input_is_none(torch):
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        unused = lib.tensor(1.0, requires_grad=True)
        gx, gu = lib.autograd.grad(x * 3, (x, unused), lib.ones(2, 2), is_grads_batched=True,
                                   allow_unused=True)
        assert gu is None and gx.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def _error(lib, outputs_fn, grad_outputs):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(Exception) as info:
        lib.autograd.grad(outputs_fn(x), x, grad_outputs, is_grads_batched=True)
    return type(info.value), str(info.value)


@pytest.mark.parametrize("case", ["unbatched", "no_grad_outputs", "scalar_unbatched",
                                  "sizes_differ"])
def test_bad_batches_raise_torchs_errors(torch, case):
    def run(lib):
        if case == "unbatched":
            return _error(lib, lambda x: x ** 2, lib.ones(2))
        if case == "no_grad_outputs":
            return _error(lib, lambda x: x ** 2, None)
        if case == "scalar_unbatched":
            return _error(lib, lambda x: (x ** 2).sum(), None)
        return _error(lib, lambda x: (x ** 2, x.sum()), (lib.ones(3, 2), lib.ones(2)))
    assert run(ember) == run(torch)


def test_only_inputs_false_warns_like_torch(torch):
    messages = []
    for lib in (ember, torch):
        x = lib.tensor([1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.autograd.grad(x * 2, x, lib.ones(1), only_inputs=False)
            lib.autograd.grad(x * 2, x, lib.ones(1), only_inputs=True)
        messages.append([(w.category, str(w.message)) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1
