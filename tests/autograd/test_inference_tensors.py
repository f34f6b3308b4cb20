"""Tensor.is_inference / torch.is_inference: tensors made under inference_mode are inference
tensors, views of normal tensors and tensors made elsewhere are not; against torch."""
import pytest

import ember


def _cases(m):
    x = m.ones(3)
    with m.inference_mode():
        made = m.ones(3)
        from_op = x * 2
        from_data = m.tensor([1.0])
        view_of_normal = x.view(3)
        index_of_normal = x[0]
        view_of_inference = made.view(3)
    with m.inference_mode(False):
        mode_off = m.ones(1)
    with m.no_grad():
        no_grad = m.ones(1)
    after = made + x
    return [x, made, from_op, from_data, view_of_normal, index_of_normal, view_of_inference,
            mode_off, no_grad, after, made.clone()]


def test_is_inference_matches_torch(torch):
    got = [t.is_inference() for t in _cases(ember)]
    assert got == [t.is_inference() for t in _cases(torch)]
    assert got == [False, True, True, True, False, False, True, False, False, False, False]


def test_function_form():
    with ember.inference_mode():
        t = ember.zeros(2)
    assert ember.is_inference(t) is True and ember.is_inference(ember.zeros(2)) is False
    with pytest.raises(TypeError, match=r"argument 'input' \(position 1\) must be Tensor, not int"):
        ember.is_inference(1)


def test_xpu_raises_torch_error(torch):
    for m in (ember, torch):
        with pytest.raises(AssertionError, match="Torch not compiled with XPU enabled"):
            m.ones(2).xpu()


@pytest.mark.parametrize("use", [
    lambda lib, it, w: it * w, lambda lib, it, w: it + w, lambda lib, it, w: w.exp() * it,
    lambda lib, it, w: lib.mm(it.view(1, 2), w.view(2, 1)),
    lambda lib, it, w: (it.clone() * w).sum()])
def test_saving_an_inference_tensor_for_backward_is_refused_as_in_torch(use):
    import torch

    def run(lib):
        with lib.inference_mode():
            it = lib.ones(2)
        w = lib.ones(2, requires_grad=True)
        try:
            return use(lib, it, w).tolist()
        except RuntimeError as exc:
            return str(exc)
    assert run(ember) == run(torch)
