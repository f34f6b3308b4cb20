"""Tensor.register_post_accumulate_grad_hook: runs after backward added into a leaf's .grad,
never under autograd.grad, removable; torch's refusals."""
import pytest

import ember


def _record(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = a.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
    (a * 3).sum().backward()
    ((a * a).sum() + a.sum()).backward()  # two paths into the leaf: one hook call
    lib.autograd.grad((a * 3).sum(), a)
    handle.remove()
    (a * 3).sum().backward()
    return seen, a.grad.tolist()


def test_runs_once_per_backward_after_accumulation():
    seen, grad = _record(ember)
    assert seen == [[3.0, 3.0], [6.0, 8.0]]
    assert grad == [9.0, 11.0]


def test_matches_torch():
    torch = pytest.importorskip("torch")
    assert _record(ember) == _record(torch)


@pytest.mark.parametrize("make, message", [
    (lambda lib: lib.ones(2, requires_grad=True) * 2, "post accumulate grad hooks cannot be "
                                                      "registered on non-leaf tensors"),
    (lambda lib: lib.ones(2), "cannot register a hook on a tensor that doesn't require "
                              "gradient")])
def test_refusals_as_torch(make, message):
    with pytest.raises(RuntimeError, match=message):
        make(ember).register_post_accumulate_grad_hook(lambda p: None)


def test_a_hook_must_return_none():
    a = ember.ones(2, requires_grad=True)
    a.register_post_accumulate_grad_hook(lambda p: 5)
    with pytest.raises(TypeError, match="expected Variable, but hook returned 'int'"):
        a.sum().backward()
