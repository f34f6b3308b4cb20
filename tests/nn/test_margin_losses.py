"""MultiMarginLoss, MultiLabelMarginLoss, TripletMarginWithDistanceLoss and the torch.X embedding
losses against torch: repr, values and gradients for each reduction, errors."""
import numpy as np
import pytest

import ember

from ._helpers import assert_close, raises_like

RNG = np.random.default_rng(11)
SCORES = RNG.standard_normal((5, 4))
CLASSES = np.array([0, 3, 1, 1, 2])
LABELS = np.array([[0, 2, -1, 1], [3, -1, 0, 0], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, 3]])
WEIGHT = RNG.uniform(0.5, 2.0, 4)


def _check(torch, make, inputs, targets=()):
    """make(lib) -> (module, arguments): values and input gradients equal torch's."""
    results = []
    for lib in (torch, ember):
        xs = [lib.tensor(a, requires_grad=True) for a in inputs]
        module = make(lib)
        out = module(*xs, *[lib.tensor(t) for t in targets])
        out.backward(lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))))
        results.append((repr(module), out, [x.grad for x in xs]))
    (t_repr, t_out, t_grads), (e_repr, e_out, e_grads) = results
    assert e_repr == t_repr
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    assert_close(e_out, t_out, rtol=1e-12, atol=1e-12)
    for e, t in zip(e_grads, t_grads):
        assert_close(e, t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.4, True)])
def test_multi_margin_loss(torch, reduction, p, margin, weighted):
    def make(lib):
        w = lib.tensor(WEIGHT) if weighted else None
        return lib.nn.MultiMarginLoss(p=p, margin=margin, weight=w, reduction=reduction)
    _check(torch, make, [SCORES], [CLASSES])
    _check(torch, make, [SCORES[1]], [CLASSES[1]])  # unbatched: (C,) and a 0-d target


def test_multi_margin_loss_keeps_weight_as_buffer():
    loss = ember.nn.MultiMarginLoss(weight=ember.ones(4))
    assert [n for n, _ in loss.named_buffers()] == ["weight"]
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        ember.nn.MultiMarginLoss(p=3)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss(torch, reduction):
    def make(lib):
        return lib.nn.MultiLabelMarginLoss(reduction=reduction)
    _check(torch, make, [SCORES], [LABELS])
    _check(torch, make, [SCORES[0]], [LABELS[0]])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss(torch, reduction, swap):
    triplet = [RNG.standard_normal((5, 3)) for _ in range(3)]

    def make(lib):
        return lib.nn.TripletMarginWithDistanceLoss(margin=1.5, swap=swap, reduction=reduction)
    _check(torch, make, triplet)

    def cosine(lib):
        return lib.nn.TripletMarginWithDistanceLoss(
            distance_function=lambda a, b: 1.0 - lib.nn.functional.cosine_similarity(a, b),
            margin=0.5, swap=swap, reduction=reduction)
    _check(torch, cosine, triplet)


def test_torch_level_embedding_losses_default_to_unreduced(torch):
    a, b = RNG.standard_normal((2, 5, 3))
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    calls = [lambda lib, x, z: lib.cosine_embedding_loss(x, z, lib.tensor(y)),
             lambda lib, x, z: lib.hinge_embedding_loss(x, lib.tensor(np.sign(b))),
             lambda lib, x, z: lib.margin_ranking_loss(x[:, 0], z[:, 0], lib.tensor(y)),
             lambda lib, x, z: lib.triplet_margin_loss(x, z, z.flip(0)),
             lambda lib, x, z: lib.poisson_nll_loss(x, z.abs(), True, False, 1e-8, 2),
             lambda lib, x, z: lib.cosine_embedding_loss(x, z, lib.tensor(y), 0.3, 1)]
    for call in calls:
        t = call(torch, torch.tensor(a), torch.tensor(b))
        e = call(ember, ember.tensor(a), ember.tensor(b))
        assert_close(e, t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bad", [
    lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=0.0),
    lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(3)),
    lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2)),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3), lib.tensor([0, 1, 2])),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.ones(2, 3), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.margin_ranking_loss(lib.ones(3), lib.ones(3), lib.ones(1, 3)),
])
def test_errors_match_torch(torch, bad):
    raises_like(lambda: bad(torch), lambda: bad(ember))
