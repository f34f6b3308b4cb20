"""Losses that pick a branch per element (hinge_embedding, cosine_embedding) select it, as
torch does, instead of multiplying by a mask: an infinite or NaN input on the branch not taken
gives torch's value and gradient, not NaN."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as EF

INF, NAN = float("inf"), float("nan")


def _run(lib, fn, inputs, target, **kwargs):
    xs = [lib.tensor(x, requires_grad=True) for x in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's inf - inf in the final sum
        loss = fn(lib.nn.functional, *xs, lib.tensor(target), **kwargs)
        loss.sum().backward()
    return loss, [x.grad for x in xs]


def _same(torch, fn, inputs, target, **kwargs):
    got, got_grads = _run(ember, fn, inputs, target, **kwargs)
    want, want_grads = _run(torch, fn, inputs, target, **kwargs)
    assert type(got.grad_fn).__name__ == type(want.grad_fn).__name__
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6)
    for g, w in zip(got_grads, want_grads):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_hinge_embedding_infinite_input(reduction):
    torch = pytest.importorskip("torch")
    x = [INF, -INF, INF, -INF, 0.5, NAN, NAN, 2.0]
    t = [1.0, 1.0, -1.0, -1.0, 0.3, 1.0, -1.0, 0.0]
    _same(torch, lambda F, x, t, **kw: F.hinge_embedding_loss(x, t, **kw), [x], t,
          reduction=reduction)


def test_hinge_embedding_branch_not_taken_is_zero():
    # target -1 and input +inf: max(0, margin - inf) = 0 (it was NaN when masks multiplied)
    loss = EF.hinge_embedding_loss(ember.tensor([INF, 3.0]), ember.tensor([-1.0, -1.0]),
                                   reduction="none")
    assert loss.tolist() == [0.0, 0.0]


def test_cosine_embedding_nonfinite_cosine():
    torch = pytest.importorskip("torch")
    a = [[1.0, 2.0], [NAN, 1.0], [3.0, -1.0]]
    b = [[2.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    _same(torch, lambda F, a, b, t, **kw: F.cosine_embedding_loss(a, b, t, **kw), [a, b],
          [1.0, -1.0, -1.0], reduction="none")


@pytest.mark.parametrize("name, call", [
    ("all_ignored", lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([1, 1, 1, 1]),
                                                               ignore_index=1)),
    ("zero_weights", lambda m, x: m.nn.functional.nll_loss(
        x, m.tensor([1, 1, 1, 1]), weight=m.tensor([1.0, 0.0, 2.0], dtype=m.float64))),
    ("zero_weights_and_ignored", lambda m, x: m.nn.functional.nll_loss(
        x, m.tensor([1, 2, 1, 1]), weight=m.tensor([1.0, 0.0, 2.0], dtype=m.float64),
        ignore_index=2)),
])
def test_nll_gradient_when_no_target_weighs_like_torch(name, call):
    """A 'mean' over a total weight of 0 is NaN; torch's gradient is 0 at ignored targets and at
    every other class, NaN only at a counted target's own class (ember's was NaN everywhere;
    nn-level fuzzing)."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 3))
    grads = []
    for lib in (ember, torch):
        xt = lib.tensor(x, requires_grad=True)
        loss = call(lib, xt)
        assert np.isnan(loss.item())
        loss.backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_array_equal(np.isnan(grads[0]), np.isnan(grads[1]))
    np.testing.assert_array_equal(np.nan_to_num(grads[0]), np.nan_to_num(grads[1]))


def test_label_smoothing_mean_of_only_ignored_targets_has_zero_gradient():
    """Every target ignored: the 'mean' is NaN, as torch's, and the gradient is 0, not NaN (the
    smoothing term is masked, not multiplied by 0; found by the nn-level fuzzer)."""
    torch = pytest.importorskip("torch")
    results = []
    for m in (ember, torch):
        x = m.tensor([[1.0, -1.0, 0.5], [0.2, 0.3, -2.0]], requires_grad=True)
        loss = m.nn.functional.cross_entropy(x, m.tensor([0, 0]), ignore_index=0,
                                             label_smoothing=0.1)
        loss.backward()
        results.append((np.isnan(loss.item()), x.grad.tolist()))
    assert results[0] == results[1] == (True, [[0.0] * 3] * 2)
