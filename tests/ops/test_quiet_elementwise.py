"""Elementwise kernels over ember's kernel threads in a quiet process (NOTE [ Elementwise kernels
in a quiet process ] in ember/ops/_threads.py): when they split, and batch norm, ReLU and its
backward split in parts, against torch and NumPy."""
import threading

import numpy as np
import pytest

import ember
from ember.ops import _threads as T

torch = pytest.importorskip("torch")


@pytest.fixture
def quiet(monkeypatch):
    """A quiet process of two threads (the BLAS held at one), splitting from 64 elements; the
    parts each split ran recorded in the list it yields."""
    if T._BLAS is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    get, put = T._BLAS
    before, was_quiet, count = get(), T.quiet, T._count
    T.quiet, T._count = True, 2
    put(1)
    monkeypatch.setattr(T, "QUIET_ELEMENTS", 64)
    parts = []
    real = T.quiet_parts

    def spy(work, n, elements, xp=np):
        bounds = []
        result = real(lambda lo, hi: bounds.append((lo, hi)) or work(lo, hi), n, elements, xp)
        parts.append(sorted(bounds))
        return result
    monkeypatch.setattr(T, "quiet_parts", spy)
    yield parts
    put(before)
    T.quiet, T._count = was_quiet, count


def test_quiet_parts_split_only_large_work_in_a_quiet_process(quiet):
    def work(lo, hi):
        return lo, hi, threading.get_ident()

    split = T.quiet_parts(work, 10, 64)
    assert [p[:2] for p in split] == [(0, 5), (5, 10)]
    assert split[0][2] == threading.get_ident() != split[1][2]
    assert [p[:2] for p in T.quiet_parts(work, 10, 63)] == [(0, 10)]  # too small
    assert [p[:2] for p in T.quiet_parts(work, 1, 1000)] == [(0, 1)]  # one row
    T.quiet = False
    assert [p[:2] for p in T.quiet_parts(work, 10, 1000)] == [(0, 10)]
    assert not T.quiet  # splitting never makes a process quiet


def _batch_norm(mod, x, training, g):
    bn = mod.nn.BatchNorm2d(x.shape[1], dtype=getattr(mod, str(x.dtype)))
    with mod.no_grad():
        bn.weight.copy_(mod.tensor(np.linspace(0.5, 2.0, x.shape[1])))
        bn.bias.copy_(mod.tensor(np.linspace(-1.0, 1.0, x.shape[1])))
        bn.running_mean.fill_(0.5)
        bn.running_var.fill_(2.0)
    bn.train(training)
    xt = mod.tensor(x, requires_grad=True)
    y = bn(xt)
    y.backward(mod.tensor(g))
    return [np.asarray(t.detach().numpy(), np.float64) for t in (
        y, xt.grad, bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var)]


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("backward_only", [False, True])
def test_batch_norm_in_parts_matches_torch(quiet, monkeypatch, training, dtype, tol,
                                           backward_only):
    """Each part's mean and centred sum of squares are joined (Chan et al.): the second half of
    the batch sits a thousand away from the first, and the statistics still match torch's. The
    backward's more passes may split where the forward's do not; its two phases part alike."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3, 5, 4))
    x[3:] = x[3:] * 3.0 + 1000.0
    g = rng.standard_normal(x.shape)
    if backward_only:
        monkeypatch.setattr(T, "QUIET_ELEMENTS", 6 * x.size)
    got = _batch_norm(ember, x.astype(dtype), training, g.astype(dtype))
    whole, halves = [(0, 6)], [(0, 3), (3, 6)]
    # forward: centre (training only), normalise; backward: sums, input gradient
    forward = [whole if backward_only else halves] * (2 if training else 1)
    assert quiet == forward + [halves] * 2
    want = _batch_norm(torch, x.astype(dtype), training, g.astype(dtype))
    for a, e in zip(got, want):
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol * 10)


def test_relu_and_its_backward_in_parts(quiet, monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 50)).astype(np.float32)
    g = rng.standard_normal((4, 50)).astype(np.float32)
    shapes = []
    real = T.split_flat
    monkeypatch.setattr(T, "split_flat", lambda *args, **kwargs: shapes.append(args[1].shape) or
                        real(*args, **kwargs))
    xt = ember.tensor(x, requires_grad=True)
    y = ember.relu(xt)
    y.backward(ember.tensor(g))
    inplace = ember.tensor(x.copy())
    inplace.relu_()
    strided = ember.relu(ember.tensor(x)[:, ::2])  # not contiguous: whole
    assert shapes == [(4, 50)] * 3  # forward, backward, in place
    assert quiet == [[(0, 100), (100, 200)]] * 3
    np.testing.assert_array_equal(y.detach().numpy(), np.maximum(x, 0))
    np.testing.assert_array_equal(xt.grad.numpy(), g * (x > 0))
    np.testing.assert_array_equal(inplace.numpy(), np.maximum(x, 0))
    np.testing.assert_array_equal(strided.numpy(), np.maximum(x[:, ::2], 0))


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1)])
def test_max_pool_in_parts_matches_torch(quiet, kernel, stride, padding):
    """Max pooling's images split over the kernel threads, each part with its own scratch:
    disjoint windows (the LeNet's) and overlapping, padded ones (ResNet's)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 9, 8))
    results = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        y, idx = mod.nn.functional.max_pool2d(xt, kernel, stride, padding, return_indices=True)
        y.backward(mod.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
        results.append((y.detach().numpy(), idx.numpy(), xt.grad.numpy()))
    assert quiet == [[(0, 6), (6, 12)]] * 2  # forward, backward: the 12 images in two parts
    (y, idx, gx), (ty, tidx, tgx) = results
    np.testing.assert_array_equal(y, ty)
    np.testing.assert_array_equal(idx, tidx)
    np.testing.assert_allclose(gx, tgx, rtol=1e-12, atol=1e-15)  # overlaps: sums in any order
