"""ember.vision.ops box utilities against float64 references, torchvision's documented values,
finite differences and the same formulas written with torch ops."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.vision import ops

from . import _reference as ref

INT_BOXES = [[0, 0, 100, 100], [0, 0, 50, 50], [200, 200, 300, 300]]
FLOAT_BOXES = [[285.3538, 185.5758, 1193.5110, 851.4551],
               [285.1472, 188.7374, 1192.4984, 851.0669],
               [279.2440, 197.9812, 1189.4746, 849.2019]]


def boxes64(rng, n, requires_grad=False):
    return ember.tensor(ref.random_boxes(rng, n), dtype=ember.float64, requires_grad=requires_grad)


def to_formats(xyxy):
    """xyxy boxes (numpy) in each plain format."""
    wh = xyxy[..., 2:] - xyxy[..., :2]
    return {"xyxy": xyxy, "xywh": np.concatenate([xyxy[..., :2], wh], -1),
            "cxcywh": np.concatenate([xyxy[..., :2] + wh / 2, wh], -1)}


def test_box_area_every_format_and_leading_dims():
    rng = np.random.default_rng(0)
    xyxy = ref.random_boxes(rng, 6).reshape(2, 3, 4)
    expected = (xyxy[..., 2] - xyxy[..., 0]) * (xyxy[..., 3] - xyxy[..., 1])
    for fmt, boxes in to_formats(xyxy).items():
        np.testing.assert_allclose(ops.box_area(ember.tensor(boxes), fmt=fmt).numpy(), expected)
    with pytest.raises(ValueError, match="Unsupported Bounding Box area for given format xywhr"):
        ops.box_area(ember.tensor(xyxy), fmt="xywhr")


def test_box_area_documented_values_and_upcast():
    area = ops.box_area(ember.tensor([[0, 0, 100, 100], [0, 0, 0, 0]], dtype=ember.float32))
    assert area.dtype == ember.float32 and area.tolist() == [10000, 0]
    # products of small integers and half floats widen, as torchvision's _upcast does
    assert ops.box_area(ember.tensor(INT_BOXES, dtype=ember.int16)).dtype == ember.int32
    assert ops.box_area(ember.tensor(INT_BOXES, dtype=ember.int16)).tolist() == [10000, 2500,
                                                                                 10000]
    assert ops.box_area(ember.tensor(INT_BOXES, dtype=ember.float16)).dtype == ember.float32
    assert ops.box_area(ember.tensor(INT_BOXES, dtype=ember.int64)).dtype == ember.int64


@pytest.mark.parametrize("fn, reference", [(ops.box_iou, ref.iou),
                                           (ops.generalized_box_iou, ref.giou),
                                           (ops.distance_box_iou, ref.diou),
                                           (ops.complete_box_iou, ref.ciou)])
def test_pairwise_ious_match_reference(fn, reference):
    rng = np.random.default_rng(1)
    a, b = ref.random_boxes(rng, 5), ref.random_boxes(rng, 4)
    out = fn(ember.tensor(a), ember.tensor(b))
    assert out.shape == (5, 4) and out.dtype == ember.float64
    np.testing.assert_allclose(out.numpy(), ref.pairwise(reference, a, b), rtol=1e-12, atol=1e-12)
    # float32 boxes give float32, close to the float64 values
    out32 = fn(ember.tensor(a, dtype=ember.float32), ember.tensor(b, dtype=ember.float32))
    assert out32.dtype == ember.float32
    np.testing.assert_allclose(out32.numpy(), ref.pairwise(reference, a, b), atol=1e-5)


def test_documented_iou_and_giou_values():
    giou_expected = [[1.0, 0.25, -0.7778], [0.25, 1.0, -0.8611], [-0.7778, -0.8611, 1.0]]
    for dtype in (ember.int16, ember.int32, ember.int64):
        boxes = ember.tensor(INT_BOXES, dtype=dtype)
        iou = ops.box_iou(boxes, boxes)
        assert iou.dtype == ember.float32
        np.testing.assert_allclose(iou.numpy(), [[1, 0.25, 0], [0.25, 1, 0], [0, 0, 1]], atol=1e-4)
        np.testing.assert_allclose(ops.generalized_box_iou(boxes, boxes).numpy(), giou_expected,
                                   atol=1e-4)
    float_expected = [[1.0, 0.9933, 0.9673], [0.9933, 1.0, 0.9737], [0.9673, 0.9737, 1.0]]
    for dtype, tol in ((ember.float16, 2e-3), (ember.float32, 1e-3), (ember.float64, 1e-3)):
        boxes = ember.tensor(FLOAT_BOXES, dtype=dtype)
        for fn in (ops.box_iou, ops.generalized_box_iou, ops.distance_box_iou,
                   ops.complete_box_iou):
            np.testing.assert_allclose(fn(boxes, boxes).float().numpy(), float_expected, atol=tol)


def test_distance_and_complete_iou_hand_computed():
    # centres (1, 1) and (2, 1); enclosing box 3 x 2, diagonal^2 13; IoU 1/3
    a = ember.tensor([[0.0, 0.0, 2.0, 2.0]])
    b = ember.tensor([[1.0, 0.0, 3.0, 2.0]])
    np.testing.assert_allclose(ops.distance_box_iou(a, b).item(), 1 / 3 - 1 / 13, rtol=1e-6)
    # a 2 x 1 box against a 1 x 2 box with the same centre: v = (4 / pi^2)(atan 2 - atan 0.5)^2
    c = ember.tensor([[0.0, 0.5, 2.0, 1.5]], dtype=ember.float64)
    d = ember.tensor([[0.5, 0.0, 1.5, 2.0]], dtype=ember.float64)
    v = 4 / math.pi ** 2 * (math.atan(2) - math.atan(0.5)) ** 2
    iou = 1 / 3
    np.testing.assert_allclose(ops.complete_box_iou(c, d).item(),
                               iou - v * v / (1 - iou + v + 1e-7), rtol=1e-12)


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh"])
def test_box_iou_formats_and_batches(fmt):
    rng = np.random.default_rng(2)
    a, b = ref.random_boxes(rng, 6).reshape(2, 3, 4), ref.random_boxes(rng, 8).reshape(2, 4, 4)
    out = ops.box_iou(ember.tensor(to_formats(a)[fmt]), ember.tensor(to_formats(b)[fmt]), fmt=fmt)
    assert out.shape == (2, 3, 4)
    for i in range(2):
        np.testing.assert_allclose(out.numpy()[i], ref.pairwise(ref.iou, a[i], b[i]),
                                   rtol=1e-12)
    with pytest.raises(ValueError, match="Unsupported Box IoU Calculation for given format xyxy2"):
        ops.box_iou(ember.tensor(a), ember.tensor(b), fmt="xyxy2")


@pytest.mark.parametrize("fn", [ops.box_iou, ops.generalized_box_iou, ops.distance_box_iou])
def test_pairwise_iou_gradients(fn):
    rng = np.random.default_rng(3)
    a, b = boxes64(rng, 4, True), boxes64(rng, 3, True)
    assert gradcheck(fn, (a, b))


def _torch_pairwise_ciou(torch, a, b, eps=1e-7):
    """complete IoU written with torch ops (alpha held constant, as the paper prescribes)."""
    a, b = a[:, None, :], b[None, :, :]
    area = lambda t: (t[..., 2] - t[..., 0]) * (t[..., 3] - t[..., 1])  # noqa: E731
    w = (torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])).clamp(min=0)
    h = (torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])).clamp(min=0)
    inter = w * h
    iou = inter / (area(a) + area(b) - inter)
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    centre = ((a[..., 0] + a[..., 2] - b[..., 0] - b[..., 2]) / 2) ** 2 \
        + ((a[..., 1] + a[..., 3] - b[..., 1] - b[..., 3]) / 2) ** 2
    diou = iou - centre / (cw ** 2 + ch ** 2 + eps)
    ratio = lambda t: torch.atan((t[..., 2] - t[..., 0]) / (t[..., 3] - t[..., 1]))  # noqa: E731
    v = 4 / math.pi ** 2 * (ratio(a) - ratio(b)) ** 2
    alpha = (v / (1 - iou + v + eps)).detach()
    return diou - alpha * v


def test_complete_box_iou_values_and_gradients_against_torch(torch):
    rng = np.random.default_rng(4)
    a_np, b_np = ref.random_boxes(rng, 5), ref.random_boxes(rng, 4)
    weights = rng.normal(size=(5, 4))
    a, b = ember.tensor(a_np, requires_grad=True), ember.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    out, expected = ops.complete_box_iou(a, b), _torch_pairwise_ciou(torch, ta, tb)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    (out * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_box_convert_values_and_round_trips():
    rng = np.random.default_rng(5)
    xyxy = ref.random_boxes(rng, 6).reshape(2, 3, 4)
    formats = to_formats(xyxy)
    for src in formats:
        for dst in formats:
            out = ops.box_convert(ember.tensor(formats[src]), in_fmt=src, out_fmt=dst)
            np.testing.assert_allclose(out.numpy(), formats[dst], rtol=1e-12, atol=1e-12)
    boxes = ember.tensor([[10.0, 20.0, 30.0, 60.0]])
    assert ops.box_convert(boxes, "xyxy", "cxcywh").tolist() == [[20.0, 40.0, 20.0, 40.0]]
    assert ops.box_convert(boxes, "xyxy", "xywh").tolist() == [[10.0, 20.0, 20.0, 40.0]]
    same = ops.box_convert(boxes, "xyxy", "xyxy")
    assert same is not boxes and same.tolist() == boxes.tolist()


def test_box_convert_errors():
    boxes = ember.zeros(2, 4)
    with pytest.raises(ValueError, match="Unsupported Bounding Box Conversions for given in_fmt "
                                         "xyz and out_fmt xyxy"):
        ops.box_convert(boxes, "xyz", "xyxy")
    with pytest.raises(NotImplementedError, match="rotated"):
        ops.box_convert(ember.zeros(2, 5), "xywhr", "cxcywhr")


def test_box_convert_is_differentiable():
    rng = np.random.default_rng(6)
    boxes = boxes64(rng, 3, True)
    for pair in (("xyxy", "cxcywh"), ("cxcywh", "xywh"), ("xywh", "xyxy")):
        assert gradcheck(lambda b: ops.box_convert(b, *pair), (boxes,))


def test_clip_boxes_to_image():
    rng = np.random.default_rng(7)
    raw = rng.uniform(-5, 15, (2, 5, 4))
    out = ops.clip_boxes_to_image(ember.tensor(raw), (8, 12))
    expected = raw.copy()
    expected[..., 0::2] = np.clip(raw[..., 0::2], 0, 12)
    expected[..., 1::2] = np.clip(raw[..., 1::2], 0, 8)
    assert out.shape == (2, 5, 4)
    np.testing.assert_array_equal(out.numpy(), expected)
    boxes = ember.tensor(raw, requires_grad=True)
    ops.clip_boxes_to_image(boxes, (8, 12)).sum().backward()
    limit = np.array([12, 8, 12, 8])
    np.testing.assert_array_equal(boxes.grad.numpy(), ((raw >= 0) & (raw <= limit)) * 1.0)


def test_remove_small_boxes():
    boxes = ember.tensor([[0, 0, 4, 4], [0, 0, 1, 9], [2, 2, 5, 4], [1, 1, 3.5, 3.5]])
    keep = ops.remove_small_boxes(boxes, 2.5)
    assert keep.dtype == ember.int64 and keep.tolist() == [0, 3]
    assert ops.remove_small_boxes(boxes, 0.5).tolist() == [0, 1, 2, 3]


def test_masks_to_boxes_matches_reference():
    rng = np.random.default_rng(8)
    masks = rng.random((4, 7, 9)) > 0.85
    masks[1] = False
    masks[1, 3, 5] = True  # a single pixel: x1 == x2, y1 == y2
    expected = []
    for m in masks:
        ys, xs = np.nonzero(m)
        expected.append([xs.min(), ys.min(), xs.max(), ys.max()])
    for dtype in (ember.bool, ember.uint8, ember.float32):
        out = ops.masks_to_boxes(ember.tensor(masks).to(dtype))
        assert out.dtype == ember.float32 and out.shape == (4, 4)
        np.testing.assert_array_equal(out.numpy(), expected)


def test_masks_to_boxes_empty_and_blank():
    assert ops.masks_to_boxes(ember.zeros(0, 5, 5)).shape == (0, 4)
    with pytest.raises(RuntimeError, match="Expected reduction dim"):
        ops.masks_to_boxes(ember.zeros(2, 5, 5))
