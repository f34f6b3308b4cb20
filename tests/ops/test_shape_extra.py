"""Shape ops beyond the op table: memory sharing of views, errors, cat's corner cases, multi-output
gradients and the Tensor protocol (iteration, T, mT, size, dim)."""
import numpy as np
import pytest

import ember


def _x(*shape):
    return ember.arange(float(np.prod(shape))).reshape(*shape)


def _shares(a, b):
    return np.shares_memory(a.numpy(), b.numpy())


# -- views share memory, copies do not ------------------------------------------------------------

VIEWS = {
    "view": lambda x: x.view(12),
    "view_as": lambda x: x.view_as(ember.zeros(2, 6)),
    "reshape": lambda x: x.reshape(4, 3),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "permute": lambda x: x.permute(1, 0),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "movedim": lambda x: x.movedim(0, 1),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "split": lambda x: x.split(2)[1],
    "chunk": lambda x: x.chunk(2, 1)[1],
    "unbind": lambda x: x.unbind(1)[2],
    "select": lambda x: x[1],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_writes_show_in_base(name):
    x = _x(3, 4)
    v = VIEWS[name](x)
    assert _shares(x, v)
    before = x.numpy().copy()
    v.add_(100)
    changed = x.numpy() != before
    assert changed.sum() == v.numel()
    np.testing.assert_array_equal(x.numpy()[changed], before[changed] + 100)


def test_expand_is_a_read_only_view():
    x = _x(3, 1)
    e = x.expand(3, 4)
    assert _shares(x, e)
    x.add_(1)
    np.testing.assert_array_equal(e.numpy(), np.broadcast_to(x.numpy(), (3, 4)))


@pytest.mark.parametrize("fn", [
    lambda x: x.t().reshape(12), lambda x: x.flip(0), lambda x: x.roll(1),
    lambda x: x.repeat(1, 1), lambda x: ember.cat([x]), lambda x: ember.stack([x]),
    lambda x: x.fliplr(), lambda x: x.tile(1)], ids=["reshape_copy", "flip", "roll", "repeat",
                                                     "cat", "stack", "fliplr", "tile"])
def test_copies_do_not_share_memory(fn):
    x = _x(3, 4)
    y = fn(x)
    assert not _shares(x, y)
    y.add_(1)
    np.testing.assert_array_equal(x.numpy(), _x(3, 4).numpy())


def test_view_shares_the_version_counter():
    # a write through a view must invalidate a saved base, as in PyTorch
    w = ember.ones(4, requires_grad=True)
    x = ember.ones(4)
    y = (w * x).sum()
    x.view(2, 2).add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_reshape_and_transpose_do_not_copy():
    x = ember.zeros(64, 64)
    assert x.reshape(16, 256).data_ptr() == x.data_ptr()
    assert x.transpose(0, 1).data_ptr() == x.data_ptr()
    assert x.permute(1, 0).t().is_contiguous()


# -- errors ----------------------------------------------------------------------------------------

ERRORS = [
    (lambda m, x: x.view(3, 5), RuntimeError, r"shape '\[3, 5\]' is invalid for input of size 12"),
    (lambda m, x: x.view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda m, x: x.t().view(12), RuntimeError, "view size is not compatible with input tensor's "
                                              "size and stride"),
    (lambda m, x: x.reshape(5, -1), RuntimeError, r"shape '\[5, -1\]' is invalid"),
    (lambda m, x: x.transpose(0, 2), IndexError, r"Dimension out of range \(expected to be in "
                                              r"range of \[-2, 1\], but got 2\)"),
    (lambda m, x: x.permute(0), RuntimeError, "number of dimensions in the tensor input does not "
                                           "match"),
    (lambda m, x: x.permute(0, 0), RuntimeError, "duplicate dims are not allowed"),
    (lambda m, x: x.squeeze((0, 0)), RuntimeError, "dim 0 appears multiple times"),
    (lambda m, x: x.unsqueeze(3), IndexError, r"\[-3, 2\], but got 3"),
    (lambda m, x: x.flatten(1, 0), RuntimeError, "start_dim cannot come after end_dim"),
    (lambda m, x: x.unflatten(1, (3, 2)), RuntimeError, r"sizes \[3, 2\] don't multiply up to "
                                                     r"the size of dim 1 \(4\)"),
    (lambda m, x: x.unsqueeze(0).t(), RuntimeError, "t\\(\\) expects a tensor with <= 2 "
                                                 "dimensions, but self is 3D"),
    (lambda m, x: x.expand(4, 4), RuntimeError, r"The expanded size of the tensor \(4\) must match "
                                             r"the existing size \(3\)"),
    (lambda m, x: x.repeat(2), RuntimeError, "Number of dimensions of repeat dims can not be "
                                          "smaller"),
    (lambda m, x: x.sum_to_size(2, 4), RuntimeError, r"size \{\[2, 4\]\} is not expandable to size "
                                                  r"\{\[3, 4\]\}"),
    (lambda m, x: m.cat([]), ValueError, "expected a non-empty list of Tensors"),
    (lambda m, x: m.cat([x, m.zeros(3, 5)]), RuntimeError, "Sizes of tensors must match "
                                                                "except in dimension 0. Expected "
                                                                "size 4 but got size 5 for "
                                                                "tensor number 1"),
    (lambda m, x: m.cat([x, m.zeros(3)]), RuntimeError, "Tensors must have same number of "
                                                             "dimensions: got 2 and 1"),
    (lambda m, x: m.cat([x, m.tensor(1.)]), RuntimeError, "zero-dimensional tensor"),
    (lambda m, x: m.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda m, x: m.stack([x, x.t()]), RuntimeError, r"stack expects each tensor to be equal "
                                                      r"size, but got \[3, 4\] at entry 0 and "
                                                      r"\[4, 3\] at entry 1"),
    (lambda m, x: m.stack([x, x], 3), IndexError, r"\[-3, 2\], but got 3"),
    (lambda m, x: x.split(0), RuntimeError, "split_size can only be 0 if dimension size is 0"),
    (lambda m, x: x.split([1, 1]), RuntimeError, "split_with_sizes expects split_sizes to sum "
                                              "exactly to 3"),
    (lambda m, x: x.chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0"),
    (lambda m, x: m.tensor(1.).unbind(), IndexError, "Dimension specified as 0 but tensor has "
                                                      "no dimensions"),
    (lambda m, x: x.narrow(0, 2, 2), RuntimeError, r"start \(2\) \+ length \(2\) exceeds dimension "
                                                r"size \(3\)"),
    (lambda m, x: x.narrow(0, 0, -1), RuntimeError, "length must be non-negative"),
    (lambda m, x: x.flip(0, 0), RuntimeError, "dim 0 appears multiple times"),
    (lambda m, x: x[0].fliplr(), RuntimeError, "Input must be >= 2-d"),
    (lambda m, x: x.roll((1, 2), (0,)), RuntimeError, "shifts and dimensions must align"),
    (lambda m, x: x.movedim((0, 1), (1, 1)), RuntimeError, r"repeated dim in `destination`"),
    (lambda m, x: x.t()[:, :2].view(m.float64), RuntimeError,
     "self.stride\\(-1\\) must be 1 to view Float as Double \\(different element sizes\\), "
     "but got 4"),
    (lambda m, x: x[:, :3].view(m.float64), RuntimeError,
     "self.size\\(-1\\) must be divisible by 2 to view Float as Double"),
]


@pytest.mark.parametrize("fn,exc,msg", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_pytorch(fn, exc, msg, torch):
    for m in (ember, torch):
        with pytest.raises(exc, match=msg):
            fn(m, m.arange(12.).reshape(3, 4))


# -- cat and friends -------------------------------------------------------------------------------

def test_cat_skips_1d_empty_and_promotes(torch):
    for m in (ember, torch):
        i = m.tensor([[1, 2]], dtype=m.int32)
        f = m.tensor([[0.5, 1.5]])
        out = m.cat([i, m.tensor([]), f])
        assert str(out.dtype) == "torch.float32"
        assert out.tolist() == [[1.0, 2.0], [0.5, 1.5]]
        assert m.cat([m.tensor([]), m.tensor([])]).shape == (0,)


def test_cat_gives_empty_inputs_an_empty_gradient(torch):
    grads = []
    for m in (ember, torch):
        x = m.ones(2, 3, requires_grad=True)
        e = m.zeros(0, requires_grad=True)
        m.cat([x, e]).sum().backward()
        grads.append((x.grad.tolist(), tuple(e.grad.shape)))
    assert grads[0] == grads[1]


def test_hstack_vstack_shapes_match_torch(torch):
    for ins in ([(2,), (3,)], [(2, 3), (2, 1)], [(), ()], [(3,), (1, 3)]):
        for name in ("hstack", "vstack"):
            try:
                want = getattr(torch, name)([torch.zeros(s) for s in ins]).shape
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    getattr(ember, name)([ember.zeros(s) for s in ins])
                continue
            assert getattr(ember, name)([ember.zeros(s) for s in ins]).shape == want


@pytest.mark.parametrize("n,size", [(5, 2), (6, 4), (7, 3), (0, 2)])
def test_chunk_and_split_sizes_match_torch(n, size, torch):
    x, tx = ember.zeros(n), torch.zeros(n)
    assert [p.shape[0] for p in x.chunk(size)] == [p.shape[0] for p in tx.chunk(size)]
    assert [p.shape[0] for p in x.split(size)] == [p.shape[0] for p in tx.split(size)]


# -- multi-output ops ------------------------------------------------------------------------------

@pytest.mark.parametrize("split", [lambda x: x.split(2), lambda x: x.chunk(3),
                                   lambda x: x.unbind(0)], ids=["split", "chunk", "unbind"])
def test_unused_outputs_get_zero_gradient(split, torch):
    got = []
    for m in (ember, torch):
        x = m.arange(15.).reshape(5, 3).requires_grad_()
        parts = split(x)
        (parts[1] * 2).sum().backward()
        got.append(x.grad.tolist())
    assert got[0] == got[1]


def test_split_double_backward():
    x = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    a, b = x.split(2)
    y = (a * a).sum() + (b * b * b).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    want = np.concatenate([np.full((2, 3), 2.0), 6 * x.detach().numpy()[2:]])
    np.testing.assert_allclose(gg.numpy(), want)


# -- Tensor protocol -------------------------------------------------------------------------------

def test_iteration_unbinds_dim_0(torch):
    x = ember.arange(6.).reshape(3, 2).requires_grad_()
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [2.0, 3.0]
    assert type(rows[0].grad_fn).__name__ == "UnbindBackward0"
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ember.tensor(1.))


def test_size_and_dim_after_shape_ops():
    x = ember.zeros(2, 3, 4)
    y = x.permute(2, 0, 1).flatten(1).unsqueeze(0)
    assert y.size() == (1, 4, 6) and y.size(-1) == 6 and y.dim() == 3
    assert repr(y.size()) == "torch.Size([1, 4, 6])"
    assert x.mT.shape == (2, 4, 3) and x.T.shape == (4, 3, 2)


def test_view_dtype_matches_torch(torch):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for dt in ("int32", "float16", "uint8", "float64"):
        src = a if dt != "float64" else a[:, :2].copy()
        e = ember.tensor(src).view(getattr(ember, dt))
        t = torch.tensor(src).view(getattr(torch, dt))
        assert e.shape == tuple(t.shape) and str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    x = ember.ones(2, 2, requires_grad=True)
    v = x.view(ember.float32)
    assert not v.requires_grad and _shares(x.detach(), v)


def test_movedim_and_topk_take_0d_tensors():
    x = ember.tensor(3.0, requires_grad=True)
    for src, dst in ((0, 0), (-1, 0), (0, -1)):
        assert ember.movedim(x, src, dst).item() == 3.0
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.movedim(x, 1, 0)
    for k in (0, 1):
        values, indices = ember.topk(x, k)
        assert values.shape == () and values.item() == 3.0 and indices.item() == 0
    values.backward()
    assert x.grad.item() == 1.0


def test_cumprod_gradient_through_infinities():
    """Dividing by x gives inf/inf there; the zero-safe path gives torch's 1 for [inf] and the
    true gradient elsewhere (torch's own division yields NaN for the middle element)."""
    x = ember.tensor([float("inf")], requires_grad=True)
    ember.cumprod(x, 0).sum().backward()
    assert x.grad.tolist() == [1.0]
    x = ember.tensor([2.0, float("inf"), 3.0], requires_grad=True)
    ember.cumprod(x, 0).sum().backward()
    assert x.grad.tolist() == [float("inf"), 8.0, float("inf")]


def test_broadcast_tensors_returns_a_tensor_already_of_the_shape_itself(torch):
    """torch hands back an input that needs no expanding unchanged, so a leaf stays a leaf (a
    distribution's mean is then its loc Parameter, printed without a grad_fn)."""
    for m in (ember, torch):
        a = m.ones(2, 3, requires_grad=True)
        b = m.zeros(3)
        x, y = m.broadcast_tensors(a, b)
        assert x is a and x.grad_fn is None
        assert y is not b and tuple(y.shape) == (2, 3)
        (single,) = m.broadcast_tensors(b)
        assert single is b


@pytest.mark.parametrize("shifts, dims", [(0, -5), (3, 9), ((1, 2), (0, 7))])
def test_roll_of_an_empty_tensor_checks_no_dim(shifts, dims):
    """As torch: nothing moves, so only the shifts/dims count is checked."""
    import torch
    x = ember.zeros(1, 0, 2, requires_grad=True)
    want = torch.roll(torch.zeros(1, 0, 2, requires_grad=True), shifts, dims)
    got = ember.roll(x, shifts, dims)
    assert got.shape == want.shape and type(got.grad_fn).__name__ == want.grad_fn.name()
