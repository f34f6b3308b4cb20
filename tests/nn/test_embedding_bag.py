"""nn.EmbeddingBag and F.embedding_bag against torch: modes, offsets and 2-D input,
per_sample_weights, include_last_offset, padding_idx, max_norm, from_pretrained, repr, errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

from ._helpers import assert_close, copy_weights

RNG = np.random.default_rng(5)
INDICES = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])
OFFSETS = np.array([0, 4, 4, 7])


def _pair(torch, **kw):
    t = torch.nn.EmbeddingBag(10, 3, **kw).double()
    e = ember.nn.EmbeddingBag(10, 3, **kw).double()
    copy_weights(t, e)
    return t, e


def _forward_backward(lib, module, indices, offsets=None, psw=None):
    psw = None if psw is None else lib.tensor(psw, requires_grad=True)
    out = module(lib.tensor(indices), None if offsets is None else lib.tensor(offsets), psw)
    out.backward(lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))))
    return out, module.weight.grad, None if psw is None else psw.grad


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 1, -1])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_module_matches_torch(torch, mode, padding_idx, include_last_offset):
    t, e = _pair(torch, mode=mode, padding_idx=padding_idx,
                 include_last_offset=include_last_offset)
    assert repr(e) == repr(t)
    if padding_idx is not None:
        assert not e.weight.detach().numpy()[padding_idx].any()
    # with include_last_offset, offsets ends with len(input), as documented (CSR)
    offsets = np.append(OFFSETS, len(INDICES)) if include_last_offset else OFFSETS
    for got, want in zip(_forward_backward(ember, e, INDICES, offsets),
                         _forward_backward(torch, t, INDICES, offsets)):
        if want is not None:
            assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_per_sample_weights_and_2d_input(torch):
    t, e = _pair(torch, mode="sum")
    psw = RNG.standard_normal(INDICES.shape)
    for got, want in zip(_forward_backward(ember, e, INDICES, OFFSETS, psw),
                         _forward_backward(torch, t, INDICES, OFFSETS, psw)):
        assert_close(got, want, rtol=1e-12, atol=1e-12)
    t.weight.grad = e.weight.grad = None
    square = INDICES.reshape(2, 5)
    for got, want in zip(_forward_backward(ember, e, square, None, psw.reshape(2, 5)),
                         _forward_backward(torch, t, square, None, psw.reshape(2, 5))):
        assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_float32_output_and_max_norm_renormalises_in_place(torch):
    t = torch.nn.EmbeddingBag(10, 3, max_norm=1.0, norm_type=3.0)
    e = ember.nn.EmbeddingBag(10, 3, max_norm=1.0, norm_type=3.0)
    copy_weights(t, e)
    assert repr(e) == repr(t) == "EmbeddingBag(10, 3, max_norm=1.0, norm_type=3.0, mode='mean')"
    out_t = t(torch.tensor(INDICES), torch.tensor(OFFSETS))
    out_e = e(ember.tensor(INDICES), ember.tensor(OFFSETS))
    assert out_e.dtype == ember.float32
    assert_close(out_e, out_t)
    assert_close(e.weight, t.weight)


def test_from_pretrained(torch):
    w = RNG.standard_normal((10, 3))
    t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="max", padding_idx=2)
    e = ember.nn.EmbeddingBag.from_pretrained(ember.tensor(w), mode="max", padding_idx=2)
    assert repr(e) == repr(t) and not e.weight.requires_grad
    assert_close(e(ember.tensor(INDICES.reshape(5, 2))), t(torch.tensor(INDICES.reshape(5, 2))))
    assert ember.nn.EmbeddingBag.from_pretrained(ember.tensor(w), freeze=False).weight \
        .requires_grad
    assert [n for n, _ in e.named_parameters()] == ["weight"]


def test_gradcheck_and_gradgradcheck():
    w = ember.tensor(RNG.standard_normal((10, 2)), requires_grad=True)
    psw = ember.tensor(RNG.standard_normal(INDICES.shape), requires_grad=True)
    idx, off = ember.tensor(INDICES), ember.tensor(OFFSETS)

    def bag(weight, weights):
        return ember.nn.functional.embedding_bag(idx, weight, off, mode="sum",
                                                 per_sample_weights=weights)
    assert gradcheck(bag, (w, psw))
    assert gradgradcheck(bag, (w, psw))


@pytest.mark.parametrize("bad", [
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor(INDICES), lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor(INDICES).reshape(1, 2, 5),
                                                lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor(INDICES), lib.ones(10, 3),
                                                lib.tensor([1, 4])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor(INDICES), lib.ones(10, 3),
                                                lib.tensor([0, 11])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor(INDICES), lib.ones(10, 3),
                                                lib.tensor([0, 4]), mode="prod"),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor(INDICES), lib.ones(10, 3),
                                                lib.tensor([0, 4]),
                                                per_sample_weights=lib.ones(10)),
    lambda lib: lib.nn.EmbeddingBag(10, 3, padding_idx=10),
])
def test_errors_match_torch(torch, bad):
    with pytest.raises(Exception) as want:
        bad(torch)
    with pytest.raises(type(want.value)) as got:
        bad(ember)
    # torch appends a printed tensor ("[ torch.LongTensor{} ]") to some of its messages
    assert str(want.value).startswith(str(got.value))


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("padding_idx,include_last_offset", [(None, False), (1, False),
                                                             (None, True)])
def test_torch_level_returns_offset2bag_bag_size_max_indices(torch, mode, padding_idx,
                                                             include_last_offset):
    w = RNG.standard_normal((10, 3))
    offsets = np.append(OFFSETS, len(INDICES)) if include_last_offset else OFFSETS
    t, e = (lib.embedding_bag(lib.tensor(w, requires_grad=True), lib.tensor(INDICES),
                              lib.tensor(offsets), False, mode, False, None,
                              include_last_offset, padding_idx) for lib in (torch, ember))
    assert type(e[0].grad_fn).__name__ == "EmbeddingBagBackward0"
    assert_close(e[0], t[0], rtol=1e-12, atol=1e-12)
    for got, want in zip(e[1:], t[1:]):
        assert got.dtype == ember.int64 and not got.requires_grad
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_include_last_offset_short_of_the_input_like_torch(mode):
    """With include_last_offset torch drops offsets[-1] and runs the last bag to the end of the
    input, even when offsets[-1] stops short of it (nn-level fuzzing)."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ember, torch):
        w = lib.tensor(np.arange(15.0).reshape(5, 3), requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor([0, 1, 2, 3, 4, 0, 1]), w,
                                            lib.tensor([0, 2, 2, 5]), mode=mode,
                                            include_last_offset=True)
        y.backward(lib.tensor(np.arange(9.0).reshape(3, 3)))
        results.append((y.detach().numpy(), w.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])
