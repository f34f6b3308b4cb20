"""Matrix products beyond the op table: error parity with torch, dtypes, BLAS-hostile strides,
beta == 0, integer products and einsum against its composite twin."""
import numpy as np
import pytest

import ember
from ember.testing import assert_close


def _raises_like(torch, fn):
    """fn(ember) raises the exception type fn(torch) raises, with the same message."""
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(type(want.value)) as got:
        fn(ember)
    assert str(got.value) == str(want.value)


def _r(m, *shape, dtype=None):
    return m.ones(*shape, dtype=dtype or m.float32)


@pytest.mark.parametrize("fn", [
    lambda m: _r(m, 2, 3).mm(_r(m, 4, 5)),
    lambda m: _r(m, 2, 3) @ _r(m, 4, 5),
    lambda m: _r(m, 2, 2, 3) @ _r(m, 4, 5),
    lambda m: _r(m, 3) @ _r(m, 4, 5),
    lambda m: _r(m, 2, 2, 3) @ _r(m, 2, 4, 5),
    lambda m: _r(m, 3) @ _r(m, 4),
    lambda m: _r(m, 2, 3) @ _r(m, 4),
    lambda m: _r(m, 2, 3) @ m.tensor(2.0),
    lambda m: _r(m, 2, 3) @ _r(m, 3, 2, dtype=m.float64),
    lambda m: _r(m, 2, 2, 3).bmm(_r(m, 2, 4, 5)),
    lambda m: _r(m, 2, 2, 3).bmm(_r(m, 3, 3, 5)),
    lambda m: _r(m, 2, 3).bmm(_r(m, 3, 3, 5)),
    lambda m: _r(m, 2, 3, 3).mm(_r(m, 3, 5)),
    lambda m: _r(m, 3).dot(_r(m, 4)),
    lambda m: _r(m, 3, 1).dot(_r(m, 3)),
    lambda m: _r(m, 3).dot(_r(m, 3, dtype=m.float64)),
    lambda m: _r(m, 2, 3).mv(_r(m, 4)),
    lambda m: _r(m, 2, 3).mv(_r(m, 3, 1)),
    lambda m: m.outer(_r(m, 2, 3), _r(m, 3)),
    lambda m: m.inner(_r(m, 3, 4), _r(m, 3, 2)),
    lambda m: m.tensordot(_r(m, 3, 4), _r(m, 3, 2), dims=1),
    lambda m: m.addmm(_r(m, 5), _r(m, 2, 3), _r(m, 3, 4)),
    lambda m: m.addmv(_r(m, 2), _r(m, 2, 3), _r(m, 4)),
    lambda m: m.baddbmm(_r(m, 2, 3, 4), _r(m, 2, 3, 5), _r(m, 2, 6, 4)),
    lambda m: m.einsum("ij,jk", _r(m, 3, 4), _r(m, 4, 2, dtype=m.float64)),
    lambda m: m.einsum("ij,jk", _r(m, 3, 4)),
    lambda m: m.einsum("ij", _r(m, 3, 4), _r(m, 3, 4)),
    lambda m: m.einsum("ij,jk", _r(m, 3, 4), _r(m, 3, 2)),
    lambda m: m.einsum("ijk", _r(m, 3, 4)),
], ids=lambda f: "")
def test_errors_match_torch(torch, fn):
    _raises_like(torch, fn)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)),
                                    ((3,), (3, 2)), ((2, 2, 3), (3, 2)), ((2, 2, 3), (2, 3, 2))])
def test_float32_stays_float32(shapes):
    a = ember.randn(*shapes[0], requires_grad=True)
    b = ember.randn(*shapes[1], requires_grad=True)
    out = a @ b
    out.sum().backward()
    assert out.dtype == a.grad.dtype == b.grad.dtype == ember.float32


def test_broadcast_and_transposed_operands(torch):
    """Zero-stride and transposed operands (what backward produces) give the right numbers."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal((5, 3)).astype(np.float32)
    got, want = [m.ones(1, 1).expand(6, 4) @ m.tensor(a) @ m.tensor(b).t() @ m.ones(5).expand(5)
                 for m in (ember, torch)]
    assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_addmm_beta_zero_ignores_nan_input(torch):
    for m in (ember, torch):
        c = m.full((2, 2), float("nan"), requires_grad=True)
        a = m.ones(2, 3, requires_grad=True)
        out = m.addmm(c, a, a.t(), beta=0, alpha=2.0)
        out.sum().backward()
        assert out.tolist() == [[6.0, 6.0], [6.0, 6.0]]
        assert c.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_integer_matmul(torch):
    a = np.arange(6).reshape(2, 3)
    for m in (ember, torch):
        out = m.tensor(a) @ m.tensor(a.T)
        assert out.dtype == m.int64 and out.tolist() == [[5, 14], [14, 50]]


def test_matmul_operators(torch):
    a, b = ember.ones(2, 3), ember.ones(3, 2)
    assert (a @ b).tolist() == a.matmul(b).tolist() == b.__rmatmul__(a).tolist()
    with pytest.raises(TypeError):
        ember.matmul(a, [[1.0], [2.0], [3.0]])


def test_einsum_matches_its_composite_twin():
    """einsum against the broadcast-multiply-and-sum it abbreviates, forward and gradients."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (4, 3), (2,))]
    xs = [ember.tensor(a, requires_grad=True) for a in arrays]
    ys = [ember.tensor(a, requires_grad=True) for a in arrays]
    fused = ember.einsum("bij,ji,b->bi", *xs)
    twin = (ys[0] * ys[1].t().unsqueeze(0) * ys[2].reshape(2, 1, 1)).sum(-1)
    assert_close(fused, twin)
    g = ember.tensor(rng.standard_normal((2, 3)))
    fused.backward(g)
    twin.backward(g)
    for x, y in zip(xs, ys):
        assert_close(x.grad, y.grad)


def test_einsum_with_spaces_and_uppercase(torch):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    got = ember.einsum(" Ij , jK -> KI ", ember.tensor(a), ember.tensor(b))
    assert_close(got, torch.einsum(" Ij , jK -> KI ", torch.tensor(a), torch.tensor(b)))


def test_einsum_broadcasts_size_one_dims(torch):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((1, 3)), rng.standard_normal((2, 3))
    res = []
    for m in (ember, torch):
        x, y = m.tensor(a, requires_grad=True), m.tensor(b, requires_grad=True)
        out = m.einsum("ij,ij->ij", x, y)
        out.sum().backward()
        res.append((out, x.grad, y.grad))
    for e, t in zip(*res):
        assert_close(e, t)


def test_tensordot_and_inner_against_numpy():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 3, 5))
    got = ember.tensordot(ember.tensor(a), ember.tensor(b), dims=([1, 2], [1, 0]))
    np.testing.assert_allclose(got.numpy(), np.tensordot(a, b, ([1, 2], [1, 0])))
    got = ember.inner(ember.tensor(a), ember.tensor(b.transpose(2, 1, 0)))
    np.testing.assert_allclose(got.numpy(), np.inner(a, b.transpose(2, 1, 0)))


@pytest.mark.parametrize("name,shapes", [
    ("mm", [(2, 3), (3, 4)]), ("bmm", [(2, 2, 3), (2, 3, 4)]), ("mv", [(2, 3), (3,)]),
    ("dot", [(3,), (3,)]), ("vdot", [(3,), (3,)]), ("outer", [(2,), (3,)]),
    ("matmul", [(2, 3), (3, 4)]), ("matmul", [(5, 2, 3), (3, 4)]), ("matmul", [(3,), (3, 2)]),
    ("inner", [(2, 3), (4, 3)]), ("tensordot", [(2, 3), (2, 3)]),
    ("addmm", [(2, 4), (2, 3), (3, 4)]), ("addmv", [(2,), (2, 3), (3,)]),
    ("baddbmm", [(2, 2, 4), (2, 2, 3), (2, 3, 4)]), ("addbmm", [(2, 4), (2, 2, 3), (2, 3, 4)])])
def test_out_is_written_and_returned(name, shapes):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    want = getattr(torch, name)(*[torch.tensor(a) for a in arrays])
    out = ember.empty(tuple(want.shape))
    got = getattr(ember, name)(*[ember.tensor(a) for a in arrays], out=out)
    assert got is out
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ["2d", "3d", "3d_no_bias", "mm"])
def test_weight_gradient_of_a_transposed_operand_comes_back_c_ordered(case):
    """A Linear layer multiplies by weight.t(): the product's gradient for it is computed in that
    operand's (column) order, so that the weight's gradient reaches AccumulateGrad C-ordered and
    no transposed copy is made; the values are torch's."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 6) if case.startswith("3d") else (4, 6))
    w, b = rng.standard_normal((5, 6)), rng.standard_normal(5)
    results, layouts = [], []
    for m in (ember, torch):
        wt, bt = m.tensor(w, requires_grad=True), m.tensor(b, requires_grad=True)
        if m is ember:
            wt.register_hook(lambda g: layouts.append(g._data.flags.c_contiguous))
        xt = m.tensor(x, requires_grad=True)
        if case == "mm":
            y = m.mm(xt, wt.t())
        else:
            y = m.nn.functional.linear(xt, wt, None if case == "3d_no_bias" else bt)
        (y * m.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))).sum().backward()
        results.append((wt.grad.numpy(), xt.grad.numpy()))
    assert layouts == [True]
    for a, e in zip(*results):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def test_stack_of_small_transposed_right_operands_is_multiplied_as_a_copy():
    """OpenBLAS multiplies a stack of small matrices by transposed ones up to 2x slower than by a
    C-ordered copy: _gemm copies such a right operand (attention's q @ k^T), and only such a one;
    the product is the same."""
    from ember.ops import linalg
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((2, 3, 64, 32)), rng.standard_normal((2, 3, 64, 32))
    kt = k.swapaxes(-1, -2)
    copied = linalg._right_operand(np, q, kt)
    assert copied.flags.c_contiguous and not np.shares_memory(copied, kt)
    np.testing.assert_array_equal(linalg._gemm(np, q, kt), q @ kt)
    big_q = rng.standard_normal((2, 256, 32))
    big_kt = rng.standard_normal((2, 256, 32)).swapaxes(-1, -2)  # 2^21 multiply-adds a product
    assert linalg._right_operand(np, big_q, big_kt) is big_kt
    for plain in (k, kt[0, 0]):  # C-ordered already; a single 2-D matrix (a Linear's weight.t())
        assert linalg._right_operand(np, q, plain) is plain
    ours = ember.tensor(q) @ ember.tensor(k).transpose(-2, -1)
    np.testing.assert_allclose(ours.numpy(), q @ kt, rtol=1e-12)


def test_matmul_of_a_batch_by_a_matrix_with_an_empty_dim():
    """The batch folds into one GEMM whose rows -1 cannot count when a dim is 0: the product and
    both gradients keep their shapes (fuzzer seed 31, case 681)."""
    for a_shape, b_shape, out_shape in (((3, 1, 0), (0, 4), (3, 1, 4)),
                                        ((2, 4, 3), (3, 0), (2, 4, 0))):
        a = ember.zeros(a_shape, dtype=ember.float64, requires_grad=True)
        b = ember.zeros(b_shape, dtype=ember.float64, requires_grad=True)
        y = ember.matmul(a, b)
        assert y.shape == out_shape and not y._data.any()
        y.sum().backward()
        assert a.grad.shape == a_shape and b.grad.shape == b_shape
