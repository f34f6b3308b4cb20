"""Elementwise, activation and comparison behaviour that is not an op-table entry: dtype
promotion, errors, in-place forms, operators, out=, higher-order gradients, special values."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.ops import activation as F

# -- dtype promotion (each lambda runs on ember and on torch) --------------------------------------

_I64 = np.array([1, 2, 3], np.int64)
_I32 = np.array([1, 2, 3], np.int32)
_U8 = np.array([1, 2, 250], np.uint8)
_F32 = np.array([0.5, 1.5, 2.5], np.float32)
_F64 = np.array([0.25, 0.5, 0.75], np.float64)
_B = np.array([True, False, True])

PROMOTION = {
    "int_times_float_scalar": lambda m: m.tensor(_I64) * 0.5,
    "float32_plus_float64": lambda m: m.tensor(_F32) + m.tensor(_F64),
    "float32_plus_python_float": lambda m: m.tensor(_F32) + 1e-3,
    "float32_times_0d_float64": lambda m: m.tensor(_F32) * m.tensor(2.0, dtype=m.float64),
    "int32_plus_0d_int64": lambda m: m.tensor(_I32) + m.tensor(1),
    "int32_plus_int64": lambda m: m.tensor(_I32) + m.tensor(_I64),
    "int_true_divide": lambda m: m.tensor(_I64) / m.tensor(_I64[::-1].copy()),
    "int_div_python_int": lambda m: m.tensor(_I64) / 2,
    "int_floor_div": lambda m: m.div(m.tensor(_I64 - 2), 2, rounding_mode="floor"),
    "int_trunc_div": lambda m: m.div(m.tensor(_I64 - 2), 2, rounding_mode="trunc"),
    "int_floor_divide_op": lambda m: m.tensor(_I64 - 2) // 2,
    "int_remainder": lambda m: m.tensor(_I64 - 3) % 2,
    "int_rmod": lambda m: 7 % m.tensor(_I64),
    "int_fmod": lambda m: m.fmod(m.tensor(_I64 - 3), 2),
    "exp_of_int": lambda m: m.exp(m.tensor(_I64)),
    "sqrt_of_bool": lambda m: m.sqrt(m.tensor(_B)),
    "sin_of_int32": lambda m: m.tensor(_I32).sin(),
    "sigmoid_of_int": lambda m: m.tensor(_I64).sigmoid(),
    "reciprocal_of_int": lambda m: m.tensor(_I64).reciprocal(),
    "rdiv_int": lambda m: 2 / m.tensor(_I64),
    "bool_plus_bool": lambda m: m.tensor(_B) + m.tensor(_B),
    "bool_times_float": lambda m: m.tensor(_B) * 2.5,
    "bool_plus_int": lambda m: m.tensor(_B) + 1,
    "int_pow_int": lambda m: m.tensor(_I64) ** 2,
    "int32_square": lambda m: m.square(m.tensor(_I32)),
    "int_pow_float": lambda m: m.tensor(_I64) ** 0.5,
    "int_rpow": lambda m: 2 ** m.tensor(_I64),
    "int_negative_tensor_powers": lambda m: m.tensor([2, 1, -1, -1, 0, 3]) ** m.tensor(
        [-1, -3, -3, -2, -1, 2]),
    "int_rpow_negative": lambda m: -1 ** m.tensor([-1, -2, 3]),
    "float_rpow_int": lambda m: 2.5 ** m.tensor(_I64),
    "int_clamp_float": lambda m: m.tensor(_I32).clamp(1.5),
    "int_clamp_int": lambda m: m.tensor(_I32).clamp(max=2),
    "float32_clamp_float64_tensor": lambda m: m.tensor(_F32).clamp(m.tensor(1.0, dtype=m.float64)),
    "int_maximum_float": lambda m: m.maximum(m.tensor(_I64), m.tensor(_F32)),
    "where_scalars": lambda m: m.where(m.tensor(_B), 1, 2.5),
    "where_int_scalars": lambda m: m.where(m.tensor(_B), 1, 2),
    "where_int_tensor_float_scalar": lambda m: m.where(m.tensor(_B), m.tensor(_I64), 2.5),
    "uint8_wraps": lambda m: m.tensor(_U8) + 10,
    "uint8_python_int_out_of_range": lambda m: m.tensor(_U8) + 300,
    "int8_times_large": lambda m: m.tensor(_I64.astype(np.int8)) * 200,
    "atan2_int": lambda m: m.atan2(m.tensor(_I64), m.tensor(_I64)),
    "xlogy_int": lambda m: m.xlogy(m.tensor(_I64), m.tensor(_I64)),
    "deg2rad_int": lambda m: m.deg2rad(m.tensor(_I64)),
    "floor_int": lambda m: m.floor(m.tensor(_I64)),
    "round_int": lambda m: m.round(m.tensor(_I64)),
    "sign_bool": lambda m: m.sign(m.tensor(_B)),
    "nan_to_num_int": lambda m: m.nan_to_num(m.tensor(_I64)),
    "relu_int": lambda m: m.relu(m.tensor(_I64 - 2)),
    "hardtanh_int": lambda m: F.hardtanh(m.tensor(_I64 * 3 - 5)) if m is ember else
    m.nn.functional.hardtanh(m.tensor(_I64 * 3 - 5)),
    "addcmul_mixed": lambda m: m.addcmul(m.tensor(_F32), m.tensor(_I64), m.tensor(_F64)),
    "compare_int_float": lambda m: m.tensor(_I64) > m.tensor(_F32),
    "bitwise_int32_int64": lambda m: m.tensor(_I32) | m.tensor(_I64),
    "logical_float": lambda m: m.logical_xor(m.tensor(_F32 - 0.5), m.tensor(_I64)),
    "bitwise_not_uint8": lambda m: ~m.tensor(_U8),
}


@pytest.mark.parametrize("name", PROMOTION)
def test_promotion_matches_torch(name, torch):
    e, t = PROMOTION[name](ember), PROMOTION[name](torch)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(np.asarray(e._data, np.float64), t.numpy().astype(np.float64),
                               rtol=1e-6)


def test_python_scalar_keeps_float32():
    x = ember.ones(3)
    for r in (x + 1e300 * 0, x * 0.1, 2.5 - x, x / 3, x ** 1.5, 2.0 ** x, x.clamp(0.1, 0.2),
              ember.where(x > 0, x, 0.5), x.lerp(x, 0.3), ember.xlogy(x, 2.5)):
        assert r.dtype == ember.float32


# -- errors ----------------------------------------------------------------------------------------

ERRORS = {
    "broadcast": lambda m: m.ones(2, 3) + m.ones(2, 4),
    "broadcast_dim0": lambda m: m.ones(2) * m.ones(3),
    "broadcast_where": lambda m: m.where(m.ones(3) > 0, m.ones(3), m.ones(4)),
    "bool_sub": lambda m: m.tensor([True]) - m.tensor([True]),
    "bool_neg": lambda m: -m.tensor([True]),
    "int_negative_power": lambda m: m.tensor([1, 2]) ** -1,
    "int_zero_division": lambda m: m.tensor([1, 2]) // 0,
    "int_zero_remainder": lambda m: m.tensor([5]) % 0,
    "int_zero_fmod": lambda m: m.fmod(m.tensor([5]), m.tensor([0])),
    "where_float_condition": lambda m: m.where(m.ones(2), m.ones(2), m.ones(2)),
    "clamp_no_bounds": lambda m: m.clamp(m.ones(2)),
    "isclose_dtypes": lambda m: m.isclose(m.ones(2), m.ones(2, dtype=m.float64)),
    "bitwise_float": lambda m: m.bitwise_and(m.ones(2), m.ones(2)),
    "invert_float": lambda m: ~m.ones(2),
    "addcdiv_ints": lambda m: m.addcdiv(m.ones(2), m.tensor([1, 2]), m.tensor([1, 2])),
    "float_alpha_for_ints": lambda m: m.add(m.tensor([1]), m.tensor([1]), alpha=0.5),
    "bad_rounding_mode": lambda m: m.div(m.ones(2), 2, rounding_mode="x"),
    "lerp_end_dtype": lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5),
    "lerp_int": lambda m: m.lerp(m.tensor([1]), m.tensor([2]), 0.5),
    "softmax_int": lambda m: m.softmax(m.tensor([1, 2]), 0),
    "log_softmax_dim": lambda m: m.log_softmax(m.ones(2, 3), 2),
    "abs_bool": lambda m: m.abs(m.tensor([True])),
    "frac_int": lambda m: m.frac(m.tensor([3])),
    "hypot_int": lambda m: m.hypot(m.tensor([3]), m.tensor([4])),
    "leaf_inplace": lambda m: m.ones(2, requires_grad=True).mul_(2),
    "leaf_relu_": lambda m: m.ones(2, requires_grad=True).relu_(),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_parity(name, torch):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(Exception) as e_err:
        ERRORS[name](ember)
    assert type(e_err.value) is type(t_err.value)
    assert str(e_err.value) == str(t_err.value).split("\n")[0].rstrip() or \
        str(t_err.value).startswith(str(e_err.value)), (str(e_err.value), str(t_err.value))


_BINARY_FNS = {
    "add": lambda m, a, b: a + b, "mul": lambda m, a, b: a * b,
    "maximum": lambda m, a, b: m.maximum(a, b), "atan2": lambda m, a, b: m.atan2(a, b),
    "where": lambda m, a, b: m.where(a > b, a, b),
}


@settings(max_examples=30, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       name=st.sampled_from(sorted(_BINARY_FNS)), seed=st.integers(0, 2 ** 16))
def test_broadcast_forward_and_gradient_shapes(shapes, name, seed):
    rng = np.random.default_rng(seed)
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    ta, tb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    r = _BINARY_FNS[name](ember, ta, tb)
    assert tuple(r.shape) == out_shape
    np.testing.assert_allclose(r._data, _BINARY_FNS[name](np, a, b), rtol=1e-12)
    r.sum().backward()
    assert ta.grad.shape == ta.shape and tb.grad.shape == tb.shape


def test_broadcast_message():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(4\) at non-singleton dimension 1"):
        ember.ones(2, 3) * ember.ones(2, 4)


def test_not_differentiable_ops_raise_at_backward(torch):
    for m in (ember, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x // 2
        assert type(y.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not"):
            y.sum().backward()
        with pytest.raises(RuntimeError, match="derivative for aten::remainder is not"):
            (2 % x).sum().backward()


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(ember.ones(2), approximate="fast")


# -- next_functions of scalar operands -------------------------------------------------------------

NEXT = {
    "add_scalar": lambda m, x: x + 1,
    "rsub_scalar": lambda m, x: 1 - x,
    "rsub_alpha": lambda m, x: m.rsub(x, 2, alpha=3),
    "rdiv": lambda m, x: 2 / x,
    "pow_scalar": lambda m, x: x ** 2,
    "rpow": lambda m, x: 2 ** x,
    "pow_0d_exponent": lambda m, x: x ** m.tensor(2.0),
    "floor_divide_scalar": lambda m, x: x // 2,
    "div_floor_scalar": lambda m, x: m.div(x, 2, rounding_mode="floor"),
    "remainder_scalar": lambda m, x: x % 2,
    "clamp_scalar": lambda m, x: x.clamp(0, 1),
    "clamp_tensor_min": lambda m, x: x.clamp(min=m.tensor(0.5)),
    "where_scalar_x": lambda m, x: m.where(x > 0.5, 1.0, x),
    "xlogy_scalar_self": lambda m, x: m.xlogy(2.0, x),
    "lerp_scalar": lambda m, x: m.lerp(x, m.ones(3), 0.5),
}


def _names(fn):
    return [type(n).__name__ if n is not None else None for n, _ in fn.next_functions]


@pytest.mark.parametrize("name", NEXT)
def test_next_functions_match_torch(name, torch):
    e = NEXT[name](ember, ember.tensor([0.2, 0.7, 1.3], requires_grad=True))
    t = NEXT[name](torch, torch.tensor([0.2, 0.7, 1.3], requires_grad=True))
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    assert _names(e.grad_fn) == _names(t.grad_fn)


# -- in place --------------------------------------------------------------------------------------

INPLACE = {
    "add_": lambda x, y: x.add_(y, alpha=2),
    "sub_": lambda x, y: x.sub_(1.5),
    "mul_": lambda x, y: x.mul_(y),
    "div_": lambda x, y: x.div_(y + 3),
    "pow_": lambda x, y: x.pow_(2),
    "clamp_": lambda x, y: x.clamp_(-0.5, 0.5),
    "clamp_min_": lambda x, y: x.clamp_min_(0.1),
    "relu_": lambda x, y: x.relu_(),
    "sigmoid_": lambda x, y: x.sigmoid_(),
    "tanh_": lambda x, y: x.tanh_(),
    "exp_": lambda x, y: x.exp_(),
    "neg_": lambda x, y: x.neg_(),
    "abs_": lambda x, y: x.abs_(),
    "lerp_": lambda x, y: x.lerp_(y, 0.25),
    "addcmul_": lambda x, y: x.addcmul_(y, y, value=0.5),
    "addcdiv_": lambda x, y: x.addcdiv_(y, y + 3),
    "iadd": lambda x, y: x.__iadd__(y),
    "isub": lambda x, y: x.__isub__(2),
    "imul": lambda x, y: x.__imul__(y),
    "itruediv": lambda x, y: x.__itruediv__(4),
    "ipow": lambda x, y: x.__ipow__(2),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_values_and_memory(name, torch):
    base = np.array([[-1.0, 0.25, 2.0], [0.5, -0.75, 1.5]], np.float32)
    other = np.array([0.5, -1.0, 2.0], np.float32)
    shared = base.copy()
    x = ember.from_numpy(shared)
    r = INPLACE[name](x, ember.tensor(other))
    want = INPLACE[name](torch.tensor(base), torch.tensor(other))
    assert r is x
    np.testing.assert_allclose(shared, want.numpy(), rtol=1e-6)  # written into the NumPy array
    assert x._version == 1


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_autograd_on_non_leaf(name, torch):
    base = np.array([[-1.0, 0.25, 2.0], [0.5, -0.75, 1.5]])
    other = np.array([0.5, -1.0, 2.0])
    grads = []
    for m in (ember, torch):
        x = m.tensor(base, requires_grad=True)
        y = m.tensor(other, requires_grad=True)
        z = x * 1
        r = INPLACE[name](z, y)
        assert r is z
        names = type(z.grad_fn).__name__
        (z * m.tensor(base)).sum().backward()
        grads.append((names, x.grad.numpy(), None if y.grad is None else y.grad.numpy()))
    (en, ex, ey), (tn, tx, ty) = grads
    assert en == tn
    np.testing.assert_allclose(ex, tx, rtol=1e-10)
    assert (ey is None) == (ty is None)
    if ey is not None:
        np.testing.assert_allclose(ey, ty, rtol=1e-10)


def test_inplace_on_saved_tensor_raises():
    x = ember.tensor([0.5, 1.0], requires_grad=True)
    a = x * 1
    b = a.sin()  # saves a
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()
    y = (x * 1).exp()  # saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_cast_error_message():
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        ember.tensor([1, 2]).mul_(0.5)


def test_inplace_cast_error_type():
    for fn in (lambda x: x.add_(0.5), lambda x: x.clamp_(0.5), lambda x: x.sigmoid_(),
               lambda x: x.__itruediv__(2)):
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            fn(ember.tensor([1, 2]))



def test_inplace_integral_result_into_other_integral_dtype_wraps():
    """torch casts a result of another integral dtype into the tensor (int64 into uint8 wraps
    around), and refuses only float into integral, complex into real and non-bool into bool: a
    uint8 image minus a Long tensor is no error (fuzzer seed 21, case 212)."""
    a = ember.tensor([6, 200], dtype=ember.uint8)
    a.sub_(ember.tensor([10, -100]))
    assert a.dtype == ember.uint8
    np.testing.assert_array_equal(a._data, [252, 44])
    b = ember.tensor([1, 2], dtype=ember.int32)
    b += ember.tensor([2 ** 40, 3])
    np.testing.assert_array_equal(b._data, [1, 5])
    c = ember.zeros(2, dtype=ember.uint8)
    c.add_(ember.tensor([True, False]))
    np.testing.assert_array_equal(c._data, [1, 0])
    for target, source, name in ((ember.int32, ember.float32, "Float"),
                                 (ember.bool, ember.int32, "Int"),
                                 (ember.float32, ember.complex64, "ComplexFloat")):
        with pytest.raises(RuntimeError, match=f"result type {name} can't be cast"):
            ember.zeros(2, dtype=target).add_(ember.ones(2, dtype=source))
    assert not ember.can_cast(ember.int64, ember.bool) and ember.can_cast(ember.int64, ember.uint8)

def test_inplace_under_no_grad_on_leaf():
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        x.mul_(2).clamp_(max=1.5)
    assert x.grad_fn is None and x.requires_grad
    np.testing.assert_array_equal(x.detach()._data, [1.5, 1.5, 1.5])


def test_logical_not_inplace_on_float():
    x = ember.tensor([0.0, 2.0])
    x.logical_not_()
    np.testing.assert_array_equal(x._data, [1.0, 0.0])
    assert x.dtype == ember.float32


# -- activations with inplace=True -----------------------------------------------------------------

INPLACE_ACT = {
    "relu": lambda f, x: f.relu(x, inplace=True),
    "relu6": lambda f, x: f.relu6(x, inplace=True),
    "leaky_relu": lambda f, x: f.leaky_relu(x, 0.2, inplace=True),
    "elu": lambda f, x: f.elu(x, 0.5, inplace=True),
    "selu": lambda f, x: f.selu(x, inplace=True),
    "celu": lambda f, x: f.celu(x, 0.7, inplace=True),
    "hardtanh": lambda f, x: f.hardtanh(x, -0.5, 0.5, inplace=True),
    "silu": lambda f, x: f.silu(x, inplace=True),
    "mish": lambda f, x: f.mish(x, inplace=True),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x, inplace=True),
    "hardswish": lambda f, x: f.hardswish(x, inplace=True),
    "threshold": lambda f, x: f.threshold(x, 0.1, -3.0, inplace=True),
}


@pytest.mark.parametrize("name", INPLACE_ACT)
def test_activation_inplace_matches_torch(name, torch):
    base = np.array([-2.0, -0.3, 0.05, 0.4, 3.0])
    got = []
    for m, f in ((ember, F), (torch, torch.nn.functional)):
        x = m.tensor(base, requires_grad=True)
        z = x * 1
        r = INPLACE_ACT[name](f, z)
        assert r is z
        name_ = type(z.grad_fn).__name__
        (z * m.tensor(base)).sum().backward()
        got.append((name_, z.detach().numpy().copy(), x.grad.numpy()))
    assert got[0][0] == got[1][0]
    # PyTorch's in-place celu and hardsigmoid round some constants to float32
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-7)
    np.testing.assert_allclose(got[0][2], got[1][2], rtol=1e-7)


def test_top_level_inplace_activations(torch):
    for name in ("relu_", "selu_", "celu_"):
        e = ember.tensor([-1.0, 2.0])
        t = torch.tensor([-1.0, 2.0])
        assert getattr(ember, name)(e) is e
        getattr(torch, name)(t)
        np.testing.assert_allclose(e._data, t.numpy(), rtol=1e-6)
    e, t = ember.tensor([-1.0, 2.0]), torch.tensor([-1.0, 2.0])
    ember.threshold_(e, 0.5, 9.0)
    torch.threshold_(t, 0.5, 9.0)
    np.testing.assert_array_equal(e._data, t.numpy())


# -- operators -------------------------------------------------------------------------------------

OPERATORS = {
    "radd": lambda x: 2 + x, "rsub": lambda x: 2 - x, "rmul": lambda x: 2 * x,
    "rtruediv": lambda x: 2 / x, "rfloordiv": lambda x: 5 // x, "rmod": lambda x: 5 % x,
    "rpow": lambda x: 2 ** x, "pow": lambda x: x ** x, "neg": lambda x: -x,
    "abs": lambda x: abs(x), "pos": lambda x: +x, "mod": lambda x: x % 1.5,
    "floordiv": lambda x: x // 1.5, "eq": lambda x: x == 1.5, "ne": lambda x: x != 1.5,
    "and": lambda x: (x > 1) & (x < 3), "or": lambda x: (x < 1) | (x > 3),
    "xor": lambda x: (x > 1) ^ (x > 2), "invert": lambda x: ~(x > 2),
    "rand_number": lambda x: 1 & (x > 2).long(),
}


@pytest.mark.parametrize("name", OPERATORS)
def test_operators_match_torch(name, torch):
    base = np.array([0.5, 1.5, 2.5, 3.5])
    e, t = OPERATORS[name](ember.tensor(base)), OPERATORS[name](torch.tensor(base))
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(np.asarray(e._data, np.float64), t.numpy().astype(np.float64))


def test_iadd_keeps_identity_and_views():
    x = ember.zeros(2, 3)
    row = x[0]
    x += 1
    x *= ember.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(row._data, [1.0, 2.0, 3.0])


def test_eq_none_is_python_bool():
    x = ember.ones(2)
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711


def test_comparisons_never_require_grad():
    x = ember.ones(3, requires_grad=True)
    for r in (x > 0, x == x, ember.isnan(x), ember.isclose(x, x), ember.logical_not(x)):
        assert r.dtype == ember.bool and not r.requires_grad and r.grad_fn is None


def test_allclose_and_equal_return_python_bools(torch):
    a = np.array([1.0, 2.0, np.nan])
    b = a + np.array([1e-9, -1e-9, 0.0])
    for args in ((a, b, {}), (a, b, {"equal_nan": True}), (a, a * 1.1, {})):
        x, y, kw = args
        got = ember.allclose(ember.tensor(x), ember.tensor(y), **kw)
        assert type(got) is bool
        assert got == torch.allclose(torch.tensor(x), torch.tensor(y), **kw)
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2])) is True
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1, 3])) is False
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2, 3])) is False
    assert ember.equal(ember.tensor([1.0]), ember.tensor([1.0], dtype=ember.float64)) is \
        torch.equal(torch.tensor([1.0]), torch.tensor([1.0], dtype=torch.float64))
    assert ember.tensor([1.0, 2.0]).allclose(ember.tensor([1.0, 2.0 + 1e-7]))


# -- out= ------------------------------------------------------------------------------------------

def test_out_writes_into_the_given_tensor():
    a, b = ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])
    out = ember.empty(2)
    r = ember.add(a, b, out=out)
    assert r is out
    np.testing.assert_array_equal(out._data, [4.0, 6.0])
    out64 = ember.empty(2, dtype=ember.float64)
    ember.exp(a, out=out64)
    assert out64.dtype == ember.float64
    cmp = ember.empty(2, dtype=ember.bool)
    assert ember.gt(a, 1.5, out=cmp) is cmp and cmp.tolist() == [False, True]


def test_out_resizes_with_warning(torch):
    out = ember.empty(5)
    with pytest.warns(UserWarning, match="was resized"):
        ember.mul(ember.ones(2, 2), 3, out=out)
    assert tuple(out.shape) == (2, 2)
    empty = ember.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.sub(ember.ones(3), 1, out=empty)
    assert tuple(empty.shape) == (3,)


def test_out_refuses_autograd():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        ember.mul(x, 2, out=ember.empty(2))


# -- gradients beyond the table --------------------------------------------------------------------

HIGHER = {
    "tanh": lambda m, x: m.tanh(x),
    "sigmoid": lambda m, x: m.sigmoid(x),
    "relu": lambda m, x: m.relu(x) * x,
    "softmax": lambda m, x: m.softmax(x * x, 0),
    "log_softmax": lambda m, x: m.log_softmax(x * x, 0),
    "pow_tensor": lambda m, x: (x + 3) ** x,
    "erf": lambda m, x: m.erf(x),
    "clamp": lambda m, x: x.clamp(-0.5, 0.5) * x.exp(),
    "where": lambda m, x: m.where(x > 0, x ** 3, x.sin()),
}
_ACT_HIGHER = {
    "gelu": lambda f, x: f.gelu(x), "gelu_tanh": lambda f, x: f.gelu(x, approximate="tanh"),
    "silu": lambda f, x: f.silu(x), "mish": lambda f, x: f.mish(x),
    "elu": lambda f, x: f.elu(x, 0.7), "softplus": lambda f, x: f.softplus(x, 1.5),
    "logsigmoid": lambda f, x: f.logsigmoid(x), "celu": lambda f, x: f.celu(x, 0.6),
}


def _third_derivative(m, fn, x):
    y = fn(x).sum()
    (g1,) = m.autograd.grad(y, x, create_graph=True)
    (g2,) = m.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = m.autograd.grad(g2.sum(), x)
    return g1.detach().numpy(), g2.detach().numpy(), g3.numpy()


@pytest.mark.parametrize("name", list(HIGHER) + list(_ACT_HIGHER))
def test_third_derivatives_match_torch(name, torch):
    base = np.array([-1.3, -0.4, 0.3, 0.9, 1.7])
    if name in HIGHER:
        fe, ft = (lambda x: HIGHER[name](ember, x)), (lambda x: HIGHER[name](torch, x))
    else:
        fe = lambda x: _ACT_HIGHER[name](F, x)  # noqa: E731
        ft = lambda x: _ACT_HIGHER[name](torch.nn.functional, x)  # noqa: E731
    got = _third_derivative(ember, fe, ember.tensor(base, requires_grad=True))
    want = _third_derivative(torch, ft, torch.tensor(base, requires_grad=True))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-12)  # celu: float32 1/alpha


def test_fused_backward_nodes_match_torch(torch):
    for name, fn in (("relu", lambda m, x: m.relu(x)), ("sigmoid", lambda m, x: m.sigmoid(x)),
                     ("tanh", lambda m, x: m.tanh(x)),
                     ("softmax", lambda m, x: m.softmax(x, 0)[0])):
        names = []
        for m in (ember, torch):
            x = m.tensor([0.5, -1.0], requires_grad=True)
            (g,) = m.autograd.grad(fn(m, x).sum(), x, create_graph=True)
            names.append(type(g.grad_fn).__name__)
        assert names[0] == names[1], name


def test_sgn_gradient_is_zero():
    x = ember.tensor([-1.0, 2.0], requires_grad=True)
    y = x.sgn()
    assert type(y.grad_fn).__name__ == "SgnBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [0.0, 0.0])


def test_maximum_splits_ties_like_torch(torch):
    grads = []
    for m in (ember, torch):
        a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = m.tensor([1.0, 1.0, 4.0], requires_grad=True)
        (m.maximum(a, b).sum() + m.fmin(a, b).sum()).backward()
        grads.append((a.grad.numpy(), b.grad.numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


def test_clamp_crossed_bounds_and_nan(torch):
    for m in (ember, torch):
        x = m.tensor([0.0, 5.0, float("nan")])
        np.testing.assert_array_equal(x.clamp(2.0, 1.0).numpy(), [1.0, 1.0, np.nan])
        np.testing.assert_array_equal(m.relu(x).numpy(), [0.0, 5.0, np.nan])
        np.testing.assert_array_equal(m.fmax(x, m.ones(3)).numpy(), [1.0, 5.0, 1.0])
        np.testing.assert_array_equal(m.maximum(x, m.ones(3)).numpy()[2:], [np.nan])


# -- numerics --------------------------------------------------------------------------------------

def test_erf_family_accuracy():
    x = np.linspace(-7, 7, 2001)
    np.testing.assert_allclose(ember.erf(ember.tensor(x))._data,
                               [math.erf(v) for v in x], rtol=1e-15, atol=3e-16)
    xc = np.linspace(-5, 26, 2001)
    np.testing.assert_allclose(ember.erfc(ember.tensor(xc))._data,
                               [math.erfc(v) for v in xc], rtol=1e-13, atol=0)
    y = np.linspace(-0.999, 0.999, 501)
    np.testing.assert_allclose(np.vectorize(math.erf)(ember.erfinv(ember.tensor(y))._data), y,
                               rtol=1e-14, atol=1e-15)
    special = ember.erfinv(ember.tensor([1.0, -1.0, 0.0, 1.5])).tolist()
    assert special[:3] == [math.inf, -math.inf, 0.0] and math.isnan(special[3])
    assert ember.erf(ember.tensor([math.inf, -math.inf])).tolist() == [1.0, -1.0]
    assert ember.erfc(ember.tensor([math.inf, -math.inf])).tolist() == [0.0, 2.0]
    half = ember.erf(ember.tensor([0.5, 3.0], dtype=ember.float16))
    assert half.dtype == ember.float16
    np.testing.assert_allclose(half._data, [math.erf(0.5), math.erf(3.0)], rtol=1e-3)


def test_no_numpy_warnings_at_extremes():
    x = ember.tensor([-1e4, -100.0, 0.0, 100.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for r in (x.sigmoid(), F.silu(x), F.softplus(x), F.mish(x), F.elu(x), F.selu(x),
                  F.logsigmoid(x), F.gelu(x), ember.erf(x), ember.erfc(x), x.softmax(0),
                  x.log_softmax(0), ember.xlogy(ember.zeros(5), ember.zeros(5))):
            assert np.all(np.isfinite(r._data))


def test_extreme_values_match_torch(torch):
    base = np.array([-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4], np.float32)
    fns = {"sigmoid": lambda m, f, x: m.sigmoid(x), "logsigmoid": lambda m, f, x: f.logsigmoid(x),
           "softplus": lambda m, f, x: f.softplus(x), "silu": lambda m, f, x: f.silu(x),
           "mish": lambda m, f, x: f.mish(x), "elu": lambda m, f, x: f.elu(x),
           "gelu": lambda m, f, x: f.gelu(x), "log_softmax": lambda m, f, x: f.log_softmax(x, 0)}
    for name, fn in fns.items():
        e = fn(ember, F, ember.tensor(base))
        t = fn(torch, torch.nn.functional, torch.tensor(base))
        np.testing.assert_allclose(e._data, t.numpy(), rtol=1e-6, atol=1e-37, err_msg=name)


def test_lerp_is_exact_at_the_ends():
    a, b = ember.tensor([1e8, -3.0]), ember.tensor([1.0, 7.0])
    np.testing.assert_array_equal(ember.lerp(a, b, 1.0)._data, b._data)
    np.testing.assert_array_equal(ember.lerp(a, b, 0.0)._data, a._data)


def test_where_uint8_condition_warns(torch):
    c = np.array([1, 0], np.uint8)
    with pytest.warns(UserWarning, match="uint8 condition"):
        r = ember.where(ember.tensor(c), ember.ones(2), ember.zeros(2))
    np.testing.assert_array_equal(r._data, [1.0, 0.0])


def test_softmax_dim_and_dtype_forms(torch):
    x = np.arange(6.0).reshape(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        e = F.softmax(ember.tensor(x))
    with pytest.warns(UserWarning):
        t = torch.nn.functional.softmax(torch.tensor(x))
    np.testing.assert_allclose(e._data, t.numpy())
    e = ember.softmax(ember.tensor(x, dtype=ember.float32), 0, ember.float64)
    assert e.dtype == ember.float64
    s = ember.tensor(x).softmax(-1)
    np.testing.assert_allclose(s._data.sum(-1), [1.0, 1.0])


def test_softmax_uses_the_given_dtype_before_the_op(torch):
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    y = F.log_softmax(x, 1, dtype=ember.float64)
    assert y.dtype == ember.float64
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "ToCopyBackward0"


@pytest.mark.parametrize("expr", ["e.log(x)", "e.sqrt(x)", "e.rsqrt(x)", "e.reciprocal(x)",
                                  "e.log2(x)", "e.log10(x)", "e.log1p(x - 1)", "e.acosh(x)",
                                  "e.atanh(x)", "x / 0", "1 / x", "x ** -1", "x ** 0.5",
                                  "e.exp(x * 1000)", "x // 0.0", "e.fmod(x, 0.0)"])
def test_ieee_results_come_without_numpy_warnings(expr):
    """PyTorch returns inf/nan at domain edges silently; NumPy would warn."""
    torch = pytest.importorskip("torch")
    vals = [0.0, 1.0, -1.0, 2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = eval(expr, {"e": ember, "x": ember.tensor(vals)})
    want = eval(expr.replace("e.", "torch."), {"torch": torch, "x": torch.tensor(vals)})
    np.testing.assert_allclose(got.numpy(), want.numpy(), equal_nan=True, rtol=1e-6)


@pytest.mark.parametrize("fn", ["sign", "sgn"])
def test_sign_of_nan_is_zero_as_in_torch(fn):
    x = ember.tensor([float("nan"), -0.0, 2.0, -float("inf")])
    assert getattr(ember, fn)(x).tolist() == [0.0, 0.0, 1.0, -1.0]


@pytest.mark.parametrize("slope", [0.2, 0.0, 1.0, 1.5, -0.3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_leaky_relu_special_values_and_slopes_match_torch_exactly(slope, dtype):
    """leaky_relu's factor is max(x > 0, slope) for slopes in [0, 1] and np.where otherwise:
    values, signed zeros, infinities, NaN and gradients as torch's, bit for bit."""
    torch = pytest.importorskip("torch")
    x = np.array([-np.inf, -2.5, -0.0, 0.0, 1e-30, 3.0, np.inf, np.nan], dtype)
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.inf, -7.0, 8.0], dtype)
    got, want = [], []
    for m, out in ((ember, got), (torch, want)):
        t = m.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # -inf * 0 is NaN in NumPy too
            y = m.nn.functional.leaky_relu(t, slope)
            y.backward(m.tensor(g))
        out += [y.detach().numpy(), t.grad.numpy()]
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "celu_negative_alpha"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elu_family_branches_match_torch(name, dtype):
    """elu, selu and celu pick their branch as torch does (x <= 0: the exponential one, so -0
    keeps its sign and NaN takes the linear one, in the gradient too), through _either's
    branch-free select or np.where where a branch is not finite."""
    torch = pytest.importorskip("torch")
    calls = {"elu": lambda F, t: F.elu(t, 0.7), "selu": lambda F, t: F.selu(t),
             "celu": lambda F, t: F.celu(t, 1.3), "celu_negative_alpha": lambda F, t: F.celu(t, -0.5)}
    x = np.array([-np.inf, -30.0, -2.5, -1e-30, -0.0, 0.0, 1e-30, 3.0, np.inf, np.nan], dtype)
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.inf, -7.0, 8.0], dtype)
    got, want = [], []
    for m, out in ((ember, got), (torch, want)):
        t = m.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y = calls[name](m.nn.functional, t)
            y.backward(m.tensor(g))
        out += [y.detach().numpy(), t.grad.numpy()]
    for a, b in zip(got, want):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
        # torch's celu rounds 1/alpha to float32: 8e-7 apart in float64 at x = -30
        np.testing.assert_allclose(a, b, rtol=1e-6)
