"""next_functions lists an op's differentiable inputs as torch does (`_listed_inputs`): not a
loss's target or class weights, an embedding's indices or batch norm's running statistics, but
a missing weight or bias as (None, 0)."""
import pytest
import torch

import ember


def _cases(lib):
    nn, F = lib.nn, lib.nn.functional
    x = lib.ones(4, 3, 5, 5, requires_grad=True)
    h = lib.ones(4, 6, requires_grad=True)
    y = lib.tensor([0, 1, 2, 3])
    w6 = lib.ones(6)
    bn_eval = nn.BatchNorm2d(3).eval()
    return {
        "batch_norm": lambda: nn.BatchNorm2d(3)(x),
        "batch_norm_eval": lambda: bn_eval(x),
        "batch_norm_without_affine": lambda: F.batch_norm(x, None, None, training=True),
        "batch_norm_with_stats_only": lambda: F.batch_norm(x, lib.zeros(3), lib.ones(3)),
        "layer_norm_without_affine": lambda: nn.LayerNorm(6, elementwise_affine=False)(h),
        "layer_norm_without_bias": lambda: nn.LayerNorm(6, bias=False)(h),
        "layer_norm_bias_only": lambda: F.layer_norm(h, (6,), None, lib.zeros(6, requires_grad=True)),
        "group_norm_without_affine": lambda: nn.GroupNorm(3, 3, affine=False)(x),
        "cross_entropy_weighted": lambda: F.cross_entropy(h, y, weight=w6),
        "nll_loss_weighted": lambda: F.nll_loss(h, y, weight=w6),
        "nll_loss_2d": lambda: F.nll_loss(x, lib.zeros(4, 5, 5, dtype=lib.long)),
        "bce_weighted": lambda: F.binary_cross_entropy(h.sigmoid(), lib.zeros(4, 6), weight=w6),
        "bce_with_logits_weights": lambda: F.binary_cross_entropy_with_logits(
            h, lib.zeros(4, 6), weight=w6, pos_weight=w6),
        "bce_with_logits_target_grad": lambda: F.binary_cross_entropy_with_logits(
            h, lib.zeros(4, 6, requires_grad=True)),
        "embedding": lambda: nn.Embedding(10, 3)(y),
        "embedding_bag": lambda: nn.EmbeddingBag(10, 3)(y.view(2, 2)),
        # the weight is viewed to the input's dims first when the input has two or more
        "prelu_channels": lambda: nn.PReLU(3)(x),
        "prelu_one_slope": lambda: nn.PReLU()(h),
        "prelu_of_a_vector": lambda: nn.PReLU()(h[0]),
    }


def _listing(t):
    return [(None if f is None else type(f).__name__, i) for f, i in t.grad_fn.next_functions]


@pytest.mark.parametrize("case", sorted(_cases(torch)))
def test_next_functions_list_what_torchs_do(case):
    assert _listing(_cases(ember)[case]()) == _listing(_cases(torch)[case]())


def test_nodes_without_a_listing_show_every_input_edge():
    x = ember.ones(2, requires_grad=True)
    node = (x * 2 + x).grad_fn
    assert [type(f).__name__ for f, _ in node.next_functions] == ["MulBackward0",
                                                                  "AccumulateGrad"]
    assert node.next_functions[0][0].next_functions[0][0].next_functions == ()
