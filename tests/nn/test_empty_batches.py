"""Layers on an empty batch give torch's shapes, gradients and running statistics (cases the
nn-level fuzzer found: 3-D convolutions divided by the batch size, adaptive max pooling's and
max unpooling's reshapes could not infer a dim of 0 rows, batch norm averaged nothing into its
running statistics)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _both(run):
    return [run(m) for m in (ember, torch)]


def _grad_and_shape(lib, fn, shape):
    x = lib.zeros(shape, dtype=lib.float64, requires_grad=True)
    y = fn(lib, x)
    y.sum().backward()
    return tuple(y.shape), tuple(x.grad.shape)


@pytest.mark.parametrize("fn, shape", [
    (lambda m, x: m.nn.functional.conv3d(x, m.ones(2, 1, 1, 1, 1, dtype=m.float64)),
     (0, 1, 2, 2, 2)),
    (lambda m, x: m.nn.functional.conv_transpose3d(x, m.ones(1, 2, 2, 1, 1, dtype=m.float64)),
     (0, 1, 2, 2, 2)),
    (lambda m, x: m.nn.functional.adaptive_max_pool1d(x, 1), (0, 2, 3)),
    (lambda m, x: m.nn.functional.adaptive_max_pool2d(x, 1), (0, 1, 2, 2)),
    (lambda m, x: m.nn.functional.adaptive_max_pool3d(x, (1, 2, 1)), (0, 1, 2, 2, 2)),
])
def test_empty_batch_forward_and_backward(fn, shape):
    got, want = _both(lambda m: _grad_and_shape(m, fn, shape))
    assert got == want


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_of_an_empty_batch(nd):
    def run(m):
        F = m.nn.functional
        x = m.zeros((0, 1) + (2,) * nd)
        out, idx = getattr(F, f"max_pool{nd}d")(x, 2, return_indices=True)
        return tuple(getattr(F, f"max_unpool{nd}d")(out, idx, 2).shape)
    got, want = _both(run)
    assert got == want == (0, 1) + (2,) * nd


def test_batch_norm_of_an_empty_batch_keeps_its_running_statistics():
    def run(m):
        mean, var = m.tensor([0.5, -1.0]), m.tensor([2.0, 3.0])
        m.nn.functional.batch_norm(m.zeros(0, 2, 3), mean, var, training=True)
        bn = m.nn.BatchNorm1d(2)
        x = m.zeros(0, 2, 3, requires_grad=True)
        bn(x).sum().backward()
        return (mean.tolist(), var.tolist(), bn.running_mean.tolist(), bn.running_var.tolist(),
                int(bn.num_batches_tracked), tuple(x.grad.shape), bn.weight.grad.tolist())
    got, want = _both(run)
    assert got == want


def test_soft_margin_mean_of_nothing_is_nan_with_an_empty_gradient():
    def run(m):
        x = m.zeros(2, 0, requires_grad=True)
        loss = m.nn.functional.soft_margin_loss(x, m.zeros(2, 0))
        loss.backward()
        return np.isnan(loss.item()), tuple(x.grad.shape)
    got, want = _both(run)
    assert got == want == (True, (2, 0))
