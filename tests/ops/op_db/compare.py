"""OpInfo entries for ember/ops/compare.py: forward only (results never require grad)."""
import numpy as np

from . import OpInfo

BINARY = [((2, 3), (2, 3)), ((2, 1), (3,)), ((), (2,))]
# OpInfo draws a 0-d bool input as a NumPy scalar, which the harness passes through as a number
BOOL_BINARY = [((2, 3), (2, 3)), ((2, 1), (3,))]
INTS = ("int64", "int64")
BOOLS = ("bool", "bool")


def _cmp(name, ref, fn=None, **kw):
    """A comparison; shapes that do not broadcast are refused."""
    return OpInfo(name, fn or (lambda m, a, b: getattr(m, name)(a, b)), BINARY, ref=ref,
                  grad=False, input_dtypes=INTS, error_inputs=(((2, 3), (4,)),), **kw)


def _with_specials(rng, dtype, shapes):
    a = rng.uniform(-2, 2, size=shapes[0]).astype(dtype)
    a.reshape(-1)[:4] = [np.nan, np.inf, -np.inf, 0.0]
    return [a]


def _near(rng, dtype, shapes):
    """Pairs that are equal, within tolerance, just outside it, and special."""
    a = rng.uniform(-2, 2, size=shapes[0]).astype(dtype)
    b = a.copy()
    b.reshape(-1)[:6] = b.reshape(-1)[:6] * np.array([1, 1 + 1e-6, 1 + 1e-3, 1, 1, 1], dtype)
    a.reshape(-1)[3:6] = [np.nan, np.inf, -np.inf]
    b.reshape(-1)[3:6] = [np.nan, np.inf, np.inf]
    return [a, b]


OPS = [
    _cmp("eq", np.equal),
    _cmp("ne", np.not_equal),
    _cmp("lt", np.less),
    _cmp("le", np.less_equal),
    _cmp("gt", np.greater),
    _cmp("ge", np.greater_equal),
    _cmp("greater", np.greater),
    _cmp("greater_equal", np.greater_equal),
    _cmp("less", np.less),
    _cmp("less_equal", np.less_equal),
    _cmp("not_equal", np.not_equal),
    _cmp("eq_operator", np.equal, lambda m, a, b: a == b),
    _cmp("lt_operator", np.less, lambda m, a, b: a < b),
    _cmp("ge_operator", np.greater_equal, lambda m, a, b: a >= b),
    OpInfo("gt_scalar", lambda m, a: a > 0.5, [((2, 3),), ((),)], ref=lambda a: a > 0.5,
           grad=False),
    OpInfo("rlt_scalar", lambda m, a: 0.5 < a, [((2, 3),)], ref=lambda a: a > 0.5, grad=False),
    OpInfo("eq_float", lambda m, a, b: m.eq(a, b), [((2, 3), (3,))], ref=np.equal, grad=False),
    OpInfo("isnan", lambda m, a: m.isnan(a), [((2, 3),)], make_inputs=_with_specials,
           ref=np.isnan, grad=False),
    OpInfo("isinf", lambda m, a: a.isinf(), [((2, 3),)], make_inputs=_with_specials,
           ref=np.isinf, grad=False),
    OpInfo("isfinite", lambda m, a: m.isfinite(a), [((2, 3),)], make_inputs=_with_specials,
           ref=np.isfinite, grad=False),
    OpInfo("isposinf", lambda m, a: m.isposinf(a), [((2, 3),)], make_inputs=_with_specials,
           ref=np.isposinf, grad=False),
    OpInfo("isneginf", lambda m, a: m.isneginf(a), [((2, 3),)], make_inputs=_with_specials,
           ref=np.isneginf, grad=False),
    OpInfo("isclose", lambda m, a, b: m.isclose(a, b), [((2, 4), (2, 4))], make_inputs=_near,
           ref=np.isclose, grad=False),
    OpInfo("isclose_equal_nan", lambda m, a, b: a.isclose(b, rtol=1e-2, equal_nan=True),
           [((2, 4), (2, 4))], make_inputs=_near,
           ref=lambda a, b: np.isclose(a, b, rtol=1e-2, equal_nan=True), grad=False),
    OpInfo("logical_and", lambda m, a, b: m.logical_and(a, b), BOOL_BINARY,
           ref=np.logical_and, grad=False, input_dtypes=BOOLS,
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("logical_or", lambda m, a, b: a.logical_or(b), BOOL_BINARY, ref=np.logical_or,
           grad=False, input_dtypes=BOOLS),
    OpInfo("logical_xor", lambda m, a, b: m.logical_xor(a, b), BOOL_BINARY,
           ref=np.logical_xor,
           grad=False, input_dtypes=BOOLS),
    OpInfo("logical_and_mixed", lambda m, a, b: m.logical_and(a, b), [((2, 3), (3,))],
           ref=np.logical_and, grad=False, input_dtypes=("float", "int64")),
    OpInfo("logical_not", lambda m, a: m.logical_not(a), [((2, 3),)], ref=np.logical_not,
           grad=False),
    OpInfo("bitwise_and", lambda m, a, b: a & b, BINARY, ref=np.bitwise_and, grad=False,
           input_dtypes=INTS, int_high=8,
           error_inputs=(lambda m: m.bitwise_and(m.ones(2), m.ones(2)),)),
    OpInfo("bitwise_or", lambda m, a, b: m.bitwise_or(a, b), BINARY, ref=np.bitwise_or,
           grad=False, input_dtypes=INTS, int_high=8),
    OpInfo("bitwise_xor", lambda m, a, b: a ^ b, BINARY, ref=np.bitwise_xor, grad=False,
           input_dtypes=INTS, int_high=8),
    OpInfo("bitwise_xor_bool", lambda m, a, b: a ^ b, BOOL_BINARY, ref=np.logical_xor, grad=False,
           input_dtypes=BOOLS),
    OpInfo("bitwise_not", lambda m, a: ~a, [((2, 3),)], ref=np.invert, grad=False,
           input_dtypes=("int64",), int_high=8),
    OpInfo("invert_bool", lambda m, a: ~a, [((2, 3),)], ref=np.logical_not, grad=False,
           input_dtypes=("bool",)),
    OpInfo("bitwise_and_scalar", lambda m, a: a & 6, [((2, 3),)], ref=lambda a: a & 6,
           grad=False, input_dtypes=("int64",), int_high=8),
    # shifts (the operators, the functions, shift counts past the bit width) and signbit
    OpInfo("lshift", lambda m, a, b: a << b, BINARY, ref=np.left_shift, grad=False,
           input_dtypes=INTS, int_high=8,
           error_inputs=(lambda m: m.ones(2) << m.ones(2),)),
    OpInfo("rshift_negative", lambda m, a, b: (a - 4) >> b, BINARY,
           ref=lambda a, b: np.right_shift(a - 4, b), grad=False, input_dtypes=INTS, int_high=8),
    OpInfo("bitwise_left_shift_wide", lambda m, a: m.bitwise_left_shift(a.to(m.int8), 9), [((2, 3),)],
           ref=lambda a: np.zeros_like(a, np.int8), grad=False, input_dtypes=("int64",)),
    OpInfo("bitwise_right_shift_wide", lambda m, a: m.bitwise_right_shift(a - 2, 70), [((2, 3),)],
           ref=lambda a: np.where(a - 2 < 0, -1, 0), grad=False, input_dtypes=("int64",)),
    OpInfo("bitwise_right_shift_wide_uint8", lambda m, a, b: m.bitwise_right_shift(a, b + 6),
           BINARY, ref=lambda a, b: np.where(b + 6 >= 8, 0, a >> np.minimum(b + 6, 7)), grad=False,
           input_dtypes=("uint8", "uint8"), int_high=5),
    OpInfo("rlshift_scalar", lambda m, a: 3 << a, [((2, 3),)], ref=lambda a: 3 << a, grad=False,
           input_dtypes=("int64",), int_high=8),
    OpInfo("signbit", lambda m, a: m.signbit(a), [((2, 3),)], ref=np.signbit, grad=False,
           make_inputs=_with_specials),
    OpInfo("isin", lambda m, a, b: m.isin(a, b), [((3, 4), (3,)), ((), (2, 2))], ref=np.isin,
           grad=False, input_dtypes=INTS, int_high=5),
    OpInfo("isin_invert_scalar", lambda m, a: m.isin(a, 2, invert=True), [((3, 4),)],
           ref=lambda a: a != 2, grad=False, input_dtypes=("int64",), int_high=4),
]
