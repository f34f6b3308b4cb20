"""nn.CTCLoss, F.ctc_loss and torch.ctc_loss against torch: values and gradients for each
reduction, padded and concatenated targets, zero_infinity, the torch.X default, errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

from ._helpers import assert_close, raises_like

RNG = np.random.default_rng(3)
LOGITS = RNG.standard_normal((9, 4, 6))
TARGETS = np.array([[1, 2, 2, 5], [3, 3, 0, 0], [1, 0, 0, 0], [4, 1, 2, 2]])
INPUT_LENGTHS = [9, 7, 3, 8]
TARGET_LENGTHS = [4, 2, 0, 4]


def _run(lib, module_kw, targets=TARGETS, input_lengths=INPUT_LENGTHS,
         target_lengths=TARGET_LENGTHS, logits=LOGITS):
    x = lib.tensor(logits, requires_grad=True)
    loss = lib.nn.CTCLoss(**module_kw)(x.log_softmax(2), lib.tensor(targets), input_lengths,
                                       target_lengths)
    cotangent = np.linspace(-1.0, 2.0, int(np.prod(tuple(loss.shape)))).reshape(tuple(loss.shape))
    loss.backward(lib.tensor(cotangent))
    return loss, x.grad


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("blank", [0, 5])
def test_module_matches_torch(torch, reduction, zero_infinity, blank):
    kw = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    targets = np.where(TARGETS == blank, (blank + 1) % 6, TARGETS)
    t_loss, t_grad = _run(torch, kw, targets)
    e_loss, e_grad = _run(ember, kw, targets)
    assert repr(ember.nn.CTCLoss(**kw)) == repr(torch.nn.CTCLoss(**kw)) == "CTCLoss()"
    assert type(e_loss.grad_fn).__name__ == type(t_loss.grad_fn).__name__
    assert_close(e_loss, t_loss, rtol=1e-10, atol=1e-10)
    assert_close(e_grad, t_grad, rtol=1e-9, atol=1e-12)


def test_infeasible_sample_is_inf_with_nan_gradient_unless_zero_infinity(torch):
    # 3 frames cannot hold the 4 labels (with a blank between the repeated 2s) of sample 0
    lengths = [3, 7, 3, 8]
    for zero_infinity in (False, True):
        kw = dict(reduction="none", zero_infinity=zero_infinity)
        t_loss, t_grad = _run(torch, kw, input_lengths=lengths)
        e_loss, e_grad = _run(ember, kw, input_lengths=lengths)
        assert_close(e_loss, t_loss, rtol=1e-10, atol=1e-10)
        np.testing.assert_array_equal(np.isnan(e_grad.numpy()), np.isnan(t_grad.numpy()))
        assert np.isinf(e_loss.detach().numpy()[0]) != zero_infinity
        assert_close(np.nan_to_num(e_grad.numpy()), np.nan_to_num(t_grad.numpy()), rtol=1e-9,
                     atol=1e-12)


def test_concatenated_targets_and_tensor_lengths_at_torch_level(torch):
    flat = np.concatenate([TARGETS[i, :n] for i, n in enumerate(TARGET_LENGTHS)])
    out = {}
    for lib in (torch, ember):
        lp = lib.tensor(LOGITS).log_softmax(2)
        # torch.ctc_loss leaves the loss unreduced when reduction is not given
        out[lib] = lib.ctc_loss(lp, lib.tensor(flat), lib.tensor(INPUT_LENGTHS),
                                lib.tensor(TARGET_LENGTHS))
    assert tuple(out[ember].shape) == (4,)
    assert_close(out[ember], out[torch], rtol=1e-10, atol=1e-10)
    padded = ember.nn.functional.ctc_loss(ember.tensor(LOGITS).log_softmax(2),
                                          ember.tensor(TARGETS), INPUT_LENGTHS, TARGET_LENGTHS,
                                          reduction="none")
    assert_close(out[ember], padded.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_unbatched(torch):
    x = LOGITS[:, 0].astype(np.float32)
    t, e = (lib.nn.functional.ctc_loss(lib.tensor(x).log_softmax(1), lib.tensor(TARGETS[0]),
                                       (9,), (4,)) for lib in (torch, ember))
    assert e.dtype == ember.float32 and e.shape == ()
    assert_close(e, t, rtol=1e-5, atol=1e-5)


def test_gradcheck_through_log_softmax():
    x = ember.tensor(RNG.standard_normal((5, 2, 4)), requires_grad=True)
    targets = ember.tensor([[1, 3], [2, 2]])
    assert gradcheck(lambda v: ember.nn.functional.ctc_loss(
        v.log_softmax(2), targets, [5, 5], [2, 2], reduction="sum"), (x,))


def test_gradient_is_torchs_logit_form_for_unnormalised_input(torch):
    # PyTorch's kernel returns exp(lp) - exp(log alpha-beta + nll - lp): the gradient for
    # log_softmax outputs. ember returns the same numbers for any input.
    grads = []
    for lib in (torch, ember):
        x = lib.tensor(LOGITS, requires_grad=True)
        lib.nn.functional.ctc_loss(x, lib.tensor(TARGETS), INPUT_LENGTHS, TARGET_LENGTHS,
                                   reduction="sum").backward()
        grads.append(x.grad)
    assert_close(grads[1], grads[0], rtol=1e-9, atol=1e-12)


def test_double_backward_is_not_implemented_as_in_torch(torch):
    for lib in (torch, ember):
        x = lib.tensor(LOGITS, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor(TARGETS), INPUT_LENGTHS,
                                          TARGET_LENGTHS)
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        with pytest.raises(RuntimeError, match="_ctc_loss_backward is not implemented"):
            g.sum().backward()


@pytest.mark.parametrize("bad", [
    dict(input_lengths=[10, 7, 3, 8]),
    dict(target_lengths=[5, 2, 0, 4]),
    dict(input_lengths=[9, 7, 3]),
    dict(target_lengths=[4, -1, 0, 4]),
    dict(blank=6),
])
def test_errors_match_torch(torch, bad):
    def call(lib):
        kw = dict(input_lengths=INPUT_LENGTHS, target_lengths=TARGET_LENGTHS)
        kw.update(bad)
        return lambda: lib.nn.functional.ctc_loss(lib.tensor(LOGITS).log_softmax(2),
                                                  lib.tensor(TARGETS), **kw)
    raises_like(call(torch), call(ember))
