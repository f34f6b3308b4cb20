"""Views made before an in-place op on their base (or on another view of it) take the base's new
history, as torch's do (NOTE [ Stale views ] in ember/ops/view_write.py); in-place writes through
as_strided views replay the right storage positions (NOTE [ Absolute views ])."""
import numpy as np
import pytest
import torch

import ember


def _base_then_view_use(lib):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = w * 1
    v = b[1:]
    b.mul_(2)
    v.exp().sum().backward()
    return w.grad


def _view_of_view_then_in_place(lib):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = w * 1
    v = b.view(3, 1)
    b.mul_(2)
    v.mul_(5)
    b.sum().backward()
    return w.grad


def _two_overlapping_views(second):
    def run(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = w * 1
        v1, v2 = b[:2], b[1:]
        v1.mul_(2)
        second(v2)
        (v1.sum() * 3 + v2.sum() + b.sum()).backward()
        return w.grad
    return run


def _view_as_backward_root(lib):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = w * 1
    v = b[1:]
    b.mul_(2)
    v.sum().backward()
    return w.grad


def _chain_of_views(lib):
    w = lib.arange(12.0, requires_grad=True)
    b = w * 1
    v = b.view(3, 4)[1:].t()
    b.add_(w)
    (v * v).sum().backward()
    return w.grad


def _stale_view_in_no_grad_then_used(lib):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = w * 2
    v = b[:2]
    with lib.no_grad():
        b.mul_(3)
    (v * w[:2]).sum().backward()
    return w.grad


CASES = [_base_then_view_use, _view_of_view_then_in_place,
         _two_overlapping_views(lambda v: v.add_(1)), _two_overlapping_views(lambda v: v.mul_(3)),
         _view_as_backward_root, _chain_of_views, _stale_view_in_no_grad_then_used]


@pytest.mark.parametrize("case", CASES, ids=lambda c: getattr(c, "__name__", "overlapping"))
def test_gradients_match_torch(case):
    np.testing.assert_allclose(case(ember).numpy(), case(torch).numpy(), rtol=1e-6)


def test_a_stale_views_grad_fn_and_requires_grad_follow_the_base():
    w = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = w * 1
    v = b[1:]
    old = v.grad_fn
    b.mul_(2)
    assert v.grad_fn is not old and v.requires_grad
    assert v.grad_fn.next_functions[0][0] is b.grad_fn  # read from the multiplied base


@pytest.mark.parametrize("sl,size,stride,offset", [(slice(3, None), (2,), (1,), 5),
                                                  (slice(1, 9), (3,), (2,), 2),
                                                  (slice(2, None), (2, 2), (4, 1), 3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_in_place_on_an_as_strided_view_of_a_view(sl, size, stride, offset, weighted):
    """as_strided's offset counts from the storage's start, not its input's: the in-place write's
    CopySlices must replay it on arrays laid out as the base is (ember read outside the memory of
    sum()'s broadcast gradient here)."""
    def run(lib):
        w = lib.arange(10.0, requires_grad=True)
        big = w * 1
        v = big[sl].as_strided(size, stride, offset)
        v.mul_(2)
        (big * lib.arange(10.0) if weighted else big).sum().backward()
        return big.detach(), w.grad
    for got, want in zip(run(ember), run(torch)):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_as_strided_geometry_is_checked_against_the_storage_it_reads():
    from ember.ops.strided import AsStrided
    small = ember.zeros(2)
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 8"):
        AsStrided.apply(small, (2,), (1,), 5)
