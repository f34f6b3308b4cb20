"""sigmoid_focal_loss and the IoU losses against torchvision's documented values, float64
finite differences, and their formulas written with torch ops (values and gradients)."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.vision import ops

from . import _reference as ref

BOX1, BOX2, BOX3, BOX4 = [-1, -1, 1, 1], [0, 0, 1, 1], [0, 1, 1, 2], [1, 1, 2, 2]
LOSSES = {"giou": ops.generalized_box_iou_loss, "diou": ops.distance_box_iou_loss,
          "ciou": ops.complete_box_iou_loss}


def _torch_terms(torch, a, b, eps):
    """Per-pair IoU, union and enclosing box of a[i], b[i], with torch ops."""
    w = torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])
    h = torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])
    inter = torch.where((w > 0) & (h > 0), w * h, torch.zeros_like(w))
    union = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) \
        + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    return inter / (union + eps), union, cw, ch


def torch_giou_loss(torch, a, b, eps=1e-7):
    iou, union, cw, ch = _torch_terms(torch, a, b, eps)
    return 1 - iou + (cw * ch - union) / (cw * ch + eps)


def torch_diou_loss(torch, a, b, eps=1e-7):
    iou, _, cw, ch = _torch_terms(torch, a, b, eps)
    centre = ((a[..., 0] + a[..., 2] - b[..., 0] - b[..., 2]) / 2) ** 2 \
        + ((a[..., 1] + a[..., 3] - b[..., 1] - b[..., 3]) / 2) ** 2
    return 1 - iou + centre / (cw ** 2 + ch ** 2 + eps)


def torch_ciou_loss(torch, a, b, eps=1e-7):
    # torchvision passes its eps to alpha only; the distance IoU terms keep 1e-7
    iou = _torch_terms(torch, a, b, 1e-7)[0]
    ratio = lambda t: torch.atan((t[..., 2] - t[..., 0]) / (t[..., 3] - t[..., 1]))  # noqa: E731
    v = 4 / math.pi ** 2 * (ratio(b) - ratio(a)) ** 2
    alpha = (v / (1 - iou + v + eps)).detach()
    return torch_diou_loss(torch, a, b) + alpha * v


TORCH_LOSSES = {"giou": torch_giou_loss, "diou": torch_diou_loss, "ciou": torch_ciou_loss}


def overlapping_pairs(rng, n):
    a = ref.random_boxes(rng, n)
    b = a + rng.normal(0, 1.5, a.shape)
    b[:, 2:] = np.maximum(b[:, 2:], b[:, :2] + 0.3)
    return a, b


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("eps", [1e-7, 0.05])
def test_box_losses_match_torch_formulas(torch, name, eps):
    rng = np.random.default_rng(0)
    a_np, b_np = overlapping_pairs(rng, 12)
    weights = rng.normal(size=12)
    a, b = ember.tensor(a_np, requires_grad=True), ember.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    out = LOSSES[name](a, b, eps=eps)
    expected = TORCH_LOSSES[name](torch, ta, tb, eps)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12,
                               atol=1e-14)
    (out * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(LOSSES))
def test_box_losses_gradient_where_boxes_touch(torch, name):
    # a zero-height overlap counts as no overlap: no gradient flows through its width
    a_np = np.array([BOX2, BOX2, BOX1], dtype=np.float64)
    b_np = np.array([BOX3, BOX4, BOX2], dtype=np.float64)
    a, b = ember.tensor(a_np, requires_grad=True), ember.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    LOSSES[name](a, b, reduction="sum").backward()
    TORCH_LOSSES[name](torch, ta, tb).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["giou", "diou"])
def test_box_losses_gradcheck(name):
    rng = np.random.default_rng(1)
    a_np, b_np = overlapping_pairs(rng, 5)
    a, b = ember.tensor(a_np, requires_grad=True), ember.tensor(b_np, requires_grad=True)
    assert gradcheck(lambda x, y: LOSSES[name](x, y, reduction="sum"), (a, b))


@pytest.mark.parametrize("dtype", [ember.float32, ember.float16])
def test_documented_loss_values(dtype):
    def loss(name, x, y, reduction="none"):
        return LOSSES[name](ember.tensor(x, dtype=dtype), ember.tensor(y, dtype=dtype),
                            reduction=reduction)
    tol = 1e-3 if dtype == ember.float16 else 1e-5
    both1, both2 = [BOX2, BOX2], [BOX3, BOX4]
    expected = {
        "giou": [(BOX1, BOX1, 0.0), (BOX1, BOX2, 0.75), (BOX2, BOX3, 1.0), (BOX2, BOX4, 1.5)],
        "diou": [(BOX1, BOX1, 0.0), (BOX1, BOX2, 0.8125), (BOX1, BOX3, 1.1923),
                 (BOX1, BOX4, 1.25)],
    }
    expected["ciou"] = expected["diou"]  # square boxes: the aspect-ratio term vanishes
    reduced = {"giou": (2.5, 1.25), "diou": (2.45, 1.225), "ciou": (2.45, 1.225)}
    for name, cases in expected.items():
        for x, y, value in cases:
            out = loss(name, x, y)
            assert out.dtype == ember.float32  # half boxes are computed in float32
            np.testing.assert_allclose(out.item(), value, atol=tol, rtol=tol)
        total, mean = reduced[name]
        np.testing.assert_allclose(loss(name, both1, both2, "sum").item(), total, atol=tol)
        np.testing.assert_allclose(loss(name, both1, both2, "mean").item(), mean, atol=tol)


@pytest.mark.parametrize("name", list(LOSSES))
def test_box_losses_on_empty_input(name):
    a = ember.randn(0, 4, requires_grad=True)
    b = ember.randn(0, 4, requires_grad=True)
    loss = LOSSES[name](a, b, reduction="mean")
    assert loss.item() == 0.0
    loss.backward()
    assert a.grad is not None and b.grad is not None
    assert LOSSES[name](a, b).numel() == 0


@pytest.mark.parametrize("fn", list(LOSSES.values()) + [ops.sigmoid_focal_loss])
def test_bad_reduction(fn):
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction': 'avg \n Supported "
                                         "reduction modes: 'none', 'mean', 'sum'"):
        fn(ember.ones(2, 4), ember.ones(2, 4), reduction="avg")


def torch_focal(torch, x, t, alpha, gamma):
    p = torch.sigmoid(x)
    ce = -(t * torch.log(p) + (1 - t) * torch.log(1 - p))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


@pytest.mark.parametrize("alpha", [-1.0, 0.0, 0.58, 1.0])
@pytest.mark.parametrize("gamma", [0, 2, 1.5])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_sigmoid_focal_loss_against_torch(torch, alpha, gamma, reduction):
    rng = np.random.default_rng(2)
    x_np = rng.normal(0, 2, (6, 3))
    t_np = (rng.random((6, 3)) > 0.5).astype(np.float64)
    x = ember.tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    out = ops.sigmoid_focal_loss(x, ember.tensor(t_np), alpha=alpha, gamma=gamma,
                                 reduction=reduction)
    expected = torch_focal(torch, tx, torch.tensor(t_np), alpha, gamma)
    expected = {"none": expected, "mean": expected.mean(), "sum": expected.sum()}[reduction]
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-10)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_sigmoid_focal_loss_is_cross_entropy_without_focusing():
    x = ember.randn(4, 5, dtype=ember.float64, requires_grad=True)
    t = (ember.rand(4, 5) > 0.5).double()
    ce = ember.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(ops.sigmoid_focal_loss(x, t, alpha=-1, gamma=0).detach().numpy(),
                               ce.detach().numpy(), rtol=1e-12)
    assert gradcheck(lambda v: ops.sigmoid_focal_loss(v, t, reduction="mean"), (x,))
