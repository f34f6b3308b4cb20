"""OpInfo entries for the pointwise ops: ember/ops/arithmetic.py, unary.py, special.py,
clamping.py and fused.py."""
import math

import numpy as np

from . import OpInfo

UNARY = [((2, 3),), ((),)]
BINARY = [((2, 3), (2, 3)), ((2, 1), (3,)), ((), (2,))]
TERNARY = [((2, 3), (2, 3), (2, 3)), ((2, 1), (3,), ())]


def _domains(*domains):
    """Inputs drawn per position from their own domain: make_inputs for OpInfo."""
    def make(rng, dtype, shapes):
        return [rng.uniform(lo, hi, size=s).astype(dtype) for (lo, hi), s in zip(domains, shapes)]
    return make


def _with_cond(rng, dtype, shapes):
    """(bool condition, x, y) for where."""
    c, x, y = shapes
    return [np.asarray(rng.random(c) < 0.5), rng.uniform(-2, 2, x).astype(dtype),
            rng.uniform(-2, 2, y).astype(dtype)]


def _with_specials(rng, dtype, shapes):
    a = rng.uniform(-2, 2, size=shapes[0]).astype(dtype)
    a.reshape(-1)[:3] = [np.nan, np.inf, -np.inf]
    return [a]


def _with_specials_angle(rng, dtype, shapes):
    """Angle's inputs with NaN, +-inf and -0.0 among them (torch: nan, 0, pi, 0)."""
    a = rng.uniform(-2, 2, size=shapes[0]).astype(dtype)
    a.reshape(-1)[:4] = [np.nan, np.inf, -np.inf, -0.0][:a.size]
    return [a]


def _angle_ref(a):
    return np.where(np.isnan(a), np.nan, np.where(a < 0, np.pi, 0.0))


_erf_ref = np.vectorize(math.erf)
_erfc_ref = np.vectorize(math.erfc)


def _erfinv_ref(y):
    """Bisection on math.erf: slow, simple and independent of the implementation under test."""
    lo, hi = np.full(np.shape(y), -6.0), np.full(np.shape(y), 6.0)
    for _ in range(80):
        mid = (lo + hi) / 2
        below = _erf_ref(mid) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def _lerp_ref(a, b, w):
    return a + w * (b - a)


def _xlogy_ref(x, y):
    return np.where(x == 0, 0.0, x * np.log(y))


def _unary(name, ref, grad_fn, domain=(-2.0, 2.0), **kw):
    """A unary op; a list in place of the tensor is refused (TypeError)."""
    return OpInfo(name, lambda m, a: getattr(m, name)(a), UNARY, domain=domain, ref=ref,
                  grad_fn=grad_fn, error_inputs=(lambda m: getattr(m, name)([0.5, 1.0]),), **kw)


MISMATCHED = ((2, 3), (4,))  # shapes that do not broadcast


def _binary(name, ref, grad_fn, **kw):
    """A binary op; shapes that do not broadcast are refused."""
    return OpInfo(name, lambda m, a, b: getattr(m, name)(a, b), BINARY, ref=ref, grad_fn=grad_fn,
                  error_inputs=kw.pop("error_inputs", (MISMATCHED,)), **kw)


POS = (0.5, 2.0)

OPS = [
    # arithmetic
    _binary("add", np.add, "AddBackward0"),
    OpInfo("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), [((3, 4), (4,))],
           ref=lambda a, b: a + 2.5 * b, grad_fn="AddBackward0"),
    OpInfo("add_scalar", lambda m, a: 1.5 + a, UNARY, ref=lambda a: a + 1.5,
           grad_fn="AddBackward0"),
    _binary("sub", np.subtract, "SubBackward0"),
    OpInfo("sub_alpha", lambda m, a, b: m.sub(a, b, alpha=-0.5), [((2, 3), (3,))],
           ref=lambda a, b: a + 0.5 * b, grad_fn="SubBackward0"),
    OpInfo("rsub_scalar", lambda m, a: 1 - a, UNARY, ref=lambda a: 1 - a,
           grad_fn="RsubBackward1"),
    OpInfo("rsub_tensor", lambda m, a, b: m.rsub(a, b, alpha=2), [((2, 3), (3,))],
           ref=lambda a, b: b - 2 * a, grad_fn="RsubBackward0"),
    _binary("mul", np.multiply, "MulBackward0"),
    OpInfo("mul_scalar", lambda m, a: a * 2, UNARY, ref=lambda a: a * 2, grad_fn="MulBackward0"),
    OpInfo("div", lambda m, a, b: a / b, BINARY, make_inputs=_domains((-2, 2), POS),
           ref=np.divide, grad_fn="DivBackward0",
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("rdiv_scalar", lambda m, a: 2 / a, UNARY, domain=POS, ref=lambda a: 2 / a,
           grad_fn="MulBackward0"),
    OpInfo("true_divide", lambda m, a, b: m.true_divide(a, b), [((2, 3), (3,))],
           make_inputs=_domains((-2, 2), POS), ref=np.divide, grad_fn="DivBackward0"),
    OpInfo("div_trunc", lambda m, a, b: m.div(a, b, rounding_mode="trunc"), BINARY,
           make_inputs=_domains((-4, 4), POS), ref=lambda a, b: np.trunc(a / b),
           grad_fn="DivBackward2"),
    OpInfo("div_floor", lambda m, a, b: m.div(a, b, rounding_mode="floor"), BINARY,
           make_inputs=_domains((-4, 4), POS), ref=np.floor_divide, grad_fn="DivBackward2"),
    OpInfo("div_floor_scalar", lambda m, a: m.div(a, 0.7, rounding_mode="floor"), UNARY,
           domain=(-4, 4), ref=lambda a: np.floor_divide(a, 0.7), grad_fn="DivBackward2"),
    OpInfo("floor_divide", lambda m, a, b: a // b, BINARY, make_inputs=_domains((-4, 4), POS),
           ref=np.floor_divide, grad=False),
    OpInfo("rfloordiv", lambda m, a: 3 // a, UNARY, domain=POS, ref=lambda a: 3 // a,
           grad=False),
    OpInfo("remainder", lambda m, a, b: m.remainder(a, b), BINARY,
           make_inputs=_domains((-4, 4), (-2, -0.5)), ref=np.remainder,
           grad_fn="RemainderBackward1",
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("remainder_scalar", lambda m, a: a % 1.5, UNARY, domain=(-4, 4),
           ref=lambda a: np.remainder(a, 1.5), grad_fn="RemainderBackward0"),
    OpInfo("rmod", lambda m, a: 2.5 % a, UNARY, domain=POS, ref=lambda a: np.remainder(2.5, a),
           grad=False),
    OpInfo("fmod", lambda m, a, b: m.fmod(a, b), BINARY,
           make_inputs=_domains((-4, 4), (-2, -0.5)), ref=np.fmod, grad_fn="FmodBackward1",
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("fmod_scalar", lambda m, a: m.fmod(a, 1.5), UNARY, domain=(-4, 4),
           ref=lambda a: np.fmod(a, 1.5), grad_fn="FmodBackward0"),
    OpInfo("pow_scalar", lambda m, a: a ** 3, UNARY, ref=lambda a: a ** 3,
           grad_fn="PowBackward0"),
    OpInfo("pow_square", lambda m, a: a ** 2, UNARY, ref=np.square, grad_fn="PowBackward0"),
    OpInfo("pow_frac", lambda m, a: m.pow(a, -1.5), UNARY, domain=POS, ref=lambda a: a ** -1.5,
           grad_fn="PowBackward0"),
    OpInfo("pow_zero", lambda m, a: a ** 0, [((2, 3),)], ref=lambda a: a ** 0,
           grad_fn="PowBackward0"),
    OpInfo("pow_tensor", lambda m, a, b: a ** b, BINARY, make_inputs=_domains(POS, (-2, 2)),
           ref=np.power, grad_fn="PowBackward1",
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("rpow", lambda m, a: 2.5 ** a, UNARY, ref=lambda a: 2.5 ** a,
           grad_fn="PowBackward2"),
    OpInfo("square", lambda m, a: m.square(a), UNARY, ref=np.square, grad_fn="PowBackward0"),
    _unary("neg", np.negative, "NegBackward0"),
    _unary("negative", np.negative, "NegBackward0"),
    _unary("abs", np.abs, "AbsBackward0"),
    _unary("absolute", np.abs, "AbsBackward0"),
    _unary("sign", np.sign, "SignBackward0"),
    # torch's sgn gradient is a ZeroTensor the harness cannot read: its grad is tested elsewhere
    _unary("sgn", np.sign, "SgnBackward0", grad=False),
    _unary("reciprocal", np.reciprocal, "ReciprocalBackward0", domain=POS),
    _unary("sqrt", np.sqrt, "SqrtBackward0", domain=POS),
    _unary("rsqrt", lambda a: 1 / np.sqrt(a), "RsqrtBackward0", domain=POS),
    # exponentials and logarithms
    _unary("exp", np.exp, "ExpBackward0"),
    OpInfo("exp_method", lambda m, a: a.exp(), UNARY, ref=np.exp, grad_fn="ExpBackward0"),
    _unary("exp2", np.exp2, "Exp2Backward0"),
    _unary("expm1", np.expm1, "Expm1Backward0"),
    _unary("log", np.log, "LogBackward0", domain=POS),
    _unary("log1p", np.log1p, "Log1PBackward0", domain=(-0.5, 2.0)),
    _unary("log2", np.log2, "Log2Backward0", domain=POS),
    _unary("log10", np.log10, "Log10Backward0", domain=POS),
    # trigonometric and hyperbolic
    _unary("sin", np.sin, "SinBackward0"),
    _unary("cos", np.cos, "CosBackward0"),
    _unary("tan", np.tan, "TanBackward0", domain=(-1.0, 1.0)),
    _unary("asin", np.arcsin, "AsinBackward0", domain=(-0.8, 0.8)),
    _unary("arcsin", np.arcsin, "AsinBackward0", domain=(-0.8, 0.8)),
    _unary("acos", np.arccos, "AcosBackward0", domain=(-0.8, 0.8)),
    _unary("arccos", np.arccos, "AcosBackward0", domain=(-0.8, 0.8)),
    _unary("atan", np.arctan, "AtanBackward0"),
    _unary("arctan", np.arctan, "AtanBackward0"),
    _binary("atan2", np.arctan2, "Atan2Backward0"),
    _binary("arctan2", np.arctan2, "Atan2Backward0"),
    _unary("sinh", np.sinh, "SinhBackward0"),
    _unary("cosh", np.cosh, "CoshBackward0"),
    _unary("tanh", np.tanh, "TanhBackward0"),
    _unary("asinh", np.arcsinh, "AsinhBackward0"),
    _unary("arcsinh", np.arcsinh, "AsinhBackward0"),
    _unary("acosh", np.arccosh, "AcoshBackward0", domain=(1.2, 3.0)),
    _unary("arccosh", np.arccosh, "AcoshBackward0", domain=(1.2, 3.0)),
    _unary("atanh", np.arctanh, "AtanhBackward0", domain=(-0.8, 0.8)),
    _unary("arctanh", np.arctanh, "AtanhBackward0", domain=(-0.8, 0.8)),
    _unary("sigmoid", lambda a: 1 / (1 + np.exp(-a)), "SigmoidBackward0", domain=(-4.0, 4.0)),
    # rounding (zero gradients almost everywhere, except frac)
    _unary("floor", np.floor, "FloorBackward0", domain=(-3.0, 3.0)),
    _unary("ceil", np.ceil, "CeilBackward0", domain=(-3.0, 3.0)),
    _unary("round", np.round, "RoundBackward0", domain=(-3.0, 3.0)),
    OpInfo("round_decimals", lambda m, a: a.round(decimals=2), UNARY, domain=(-3.0, 3.0),
           ref=lambda a: np.round(a, 2), grad_fn="RoundBackward1"),
    OpInfo("round_negative_decimals", lambda m, a: m.round(a, decimals=-1), [((2, 3),)],
           domain=(-300.0, 300.0), ref=lambda a: np.round(a, -1), grad_fn="RoundBackward1"),
    _unary("trunc", np.trunc, "TruncBackward0", domain=(-3.0, 3.0)),
    _unary("fix", np.trunc, "TruncBackward0", domain=(-3.0, 3.0)),
    _unary("frac", lambda a: a - np.trunc(a), "FracBackward0", domain=(-3.0, 3.0)),
    # clamping, extrema, selection
    OpInfo("clamp", lambda m, a: m.clamp(a, -0.5, 0.8), UNARY,
           ref=lambda a: np.clip(a, -0.5, 0.8), grad_fn="ClampBackward1"),
    OpInfo("clamp_min_only", lambda m, a: a.clamp(min=-0.5), UNARY,
           ref=lambda a: np.maximum(a, -0.5), grad_fn="ClampBackward1"),
    OpInfo("clip_max_only", lambda m, a: m.clip(a, max=0.5), UNARY,
           ref=lambda a: np.minimum(a, 0.5), grad_fn="ClampBackward1"),
    OpInfo("clamp_tensor", lambda m, a, lo, hi: m.clamp(a, lo, hi),
           [((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), ())],
           make_inputs=_domains((-2, 2), (-1.5, 0), (0, 1.5)),
           ref=lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi), grad_fn="ClampBackward0",
           error_inputs=(lambda m: m.clamp(m.ones(2, 3), m.zeros(4), m.ones(2, 3)),)),
    OpInfo("clamp_tensor_crossed", lambda m, a, lo, hi: m.clamp(a, lo, hi),
           [((2, 3), (2, 3), (2, 3))], make_inputs=_domains((-2, 2), (0.5, 1.5), (-1.5, 0)),
           ref=lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi), grad_fn="ClampBackward0"),
    OpInfo("clamp_tensor_min", lambda m, a, lo: m.clamp(a, min=lo), [((2, 3), (3,))],
           ref=np.maximum, grad_fn="ClampBackward0"),
    OpInfo("clamp_tensor_max", lambda m, a, hi: a.clamp(max=hi), [((2, 3), (2, 1))],
           ref=np.minimum, grad_fn="ClampBackward0"),
    OpInfo("clamp_min", lambda m, a: a.clamp_min(0.3), UNARY,
           ref=lambda a: np.maximum(a, 0.3), grad_fn="ClampMinBackward0"),
    OpInfo("clamp_max", lambda m, a: m.clamp_max(a, 0.3), UNARY,
           ref=lambda a: np.minimum(a, 0.3), grad_fn="ClampMaxBackward0"),
    OpInfo("clamp_min_tensor", lambda m, a, b: m.clamp_min(a, b), BINARY, ref=np.maximum,
           grad_fn="ClampMinBackward1"),
    OpInfo("clamp_max_tensor", lambda m, a, b: a.clamp_max(b), BINARY, ref=np.minimum,
           grad_fn="ClampMaxBackward1"),
    _binary("maximum", np.maximum, "MaximumBackward0"),
    _binary("minimum", np.minimum, "MinimumBackward0"),
    _binary("fmax", np.fmax, "FmaxBackward0"),
    _binary("fmin", np.fmin, "FminBackward0"),
    OpInfo("where", lambda m, c, x, y: m.where(c, x, y),
           [((2, 3), (2, 3), (2, 3)), ((2, 1), (3,), (2, 3)), ((), (2,), ())],
           make_inputs=_with_cond, ref=np.where, grad_fn="WhereBackward0",
           error_inputs=(lambda m: m.where(m.ones(2, 3) > 0, m.ones(2, 3), m.ones(4)),
                         lambda m: m.where(m.ones(2, 3), m.ones(2, 3), m.ones(2, 3)),)),
    OpInfo("where_scalar", lambda m, c, x: m.where(c, x, 0.5), [((2, 3), (2, 3))],
           make_inputs=lambda rng, dt, s: _with_cond(rng, dt, s + ((),))[:2],
           ref=lambda c, x: np.where(c, x, 0.5), grad_fn="WhereBackward0"),
    OpInfo("lerp", lambda m, a, b: m.lerp(a, b, 0.3), BINARY, ref=lambda a, b: _lerp_ref(a, b, .3),
           grad_fn="LerpBackward0",
           error_inputs=(lambda m: m.lerp(m.ones(2, 3), m.ones(4), 0.5),
                         lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5),)),
    OpInfo("lerp_high_weight", lambda m, a, b: a.lerp(b, 0.8), [((2, 3), (2, 3))],
           ref=lambda a, b: _lerp_ref(a, b, 0.8), grad_fn="LerpBackward0"),
    OpInfo("lerp_tensor", lambda m, a, b, w: m.lerp(a, b, w), TERNARY,
           make_inputs=_domains((-2, 2), (-2, 2), (-0.5, 1.5)), ref=_lerp_ref,
           grad_fn="LerpBackward1"),
    OpInfo("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), TERNARY,
           ref=lambda a, b, c: a + 0.5 * b * c, grad_fn="AddcmulBackward0",
           error_inputs=(lambda m: m.addcmul(m.ones(2, 3), m.ones(4), m.ones(2, 3)),)),
    OpInfo("addcdiv", lambda m, a, b, c: a.addcdiv(b, c, value=-2), TERNARY,
           make_inputs=_domains((-2, 2), (-2, 2), POS), ref=lambda a, b, c: a - 2 * b / c,
           grad_fn="AddcdivBackward0"),
    # special functions
    _unary("erf", _erf_ref, "ErfBackward0", domain=(-3.0, 3.0)),
    _unary("erfc", _erfc_ref, "ErfcBackward0", domain=(-3.0, 3.0)),
    _unary("erfinv", _erfinv_ref, "ErfinvBackward0", domain=(-0.9, 0.9)),
    _unary("logit", lambda a: np.log(a / (1 - a)), "LogitBackward0", domain=(0.1, 0.9)),
    OpInfo("logit_eps", lambda m, a: m.logit(a, eps=0.2), UNARY, domain=(0.05, 0.95),
           ref=lambda a: np.log(np.clip(a, .2, .8) / (1 - np.clip(a, .2, .8))),
           grad_fn="LogitBackward0"),
    _binary("hypot", np.hypot, "HypotBackward0"),
    OpInfo("nan_to_num", lambda m, a: m.nan_to_num(a, nan=0.5, posinf=9.0), [((2, 3),)],
           make_inputs=_with_specials, ref=lambda a: np.nan_to_num(a, nan=0.5, posinf=9.0),
           grad_fn="NanToNumBackward0"),
    OpInfo("xlogy", lambda m, a, b: m.xlogy(a, b), BINARY, make_inputs=_domains((-2, 2), POS),
           ref=_xlogy_ref, grad_fn="XlogyBackward0",
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("xlogy_scalar_self", lambda m, b: m.xlogy(1.5, b), UNARY, domain=POS,
           ref=lambda b: 1.5 * np.log(b), grad_fn="XlogyBackward1"),
    OpInfo("xlogy_scalar_other", lambda m, a: a.xlogy(2.5), UNARY,
           ref=lambda a: a * np.log(2.5), grad_fn="XlogyBackward2"),
    _unary("sinc", np.sinc, "SincBackward0"),
    _unary("deg2rad", np.deg2rad, "Deg2RadBackward0"),
    _unary("rad2deg", np.rad2deg, "Rad2DegBackward0"),
    # sign transfer, float_power, angle, nextafter, positive, heaviside
    _binary("copysign", np.copysign, "CopysignBackward0", kinks_ok=True),
    OpInfo("copysign_scalar", lambda m, a: m.copysign(a, -1.0), UNARY,
           ref=lambda a: np.copysign(a, -1.0), grad_fn="CopysignBackward1"),
    OpInfo("float_power", lambda m, a, b: m.float_power(a, b), BINARY, domain=POS,
           ref=np.power, grad_fn="PowBackward1",
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("float_power_scalar", lambda m, a: a.float_power(2.5), UNARY, domain=POS,
           ref=lambda a: a ** 2.5, grad_fn="PowBackward0"),
    OpInfo("angle", lambda m, a: m.angle(a), UNARY, ref=_angle_ref, grad_fn="AngleBackward0"),
    OpInfo("angle_specials", lambda m, a: a.angle(), [((2, 3),)], ref=_angle_ref, grad=False,
           make_inputs=_with_specials_angle),
    OpInfo("nextafter", lambda m, a, b: m.nextafter(a, b), [((2, 3), (2, 3)), ((2, 1), (3,))],
           ref=np.nextafter, grad_fn="NextafterBackward0", gradgrad=False,
           error_inputs=(((2, 3), (4,)),)),
    OpInfo("positive", lambda m, a: +m.positive(a), UNARY, ref=lambda a: a),
    OpInfo("heaviside", lambda m, a, b: m.heaviside(a.round(), b), BINARY, grad=False,
           ref=lambda a, b: np.heaviside(np.round(a), b),
           error_inputs=(lambda m: m.heaviside(m.ones(2), m.ones(2, dtype=m.float64)),)),
    OpInfo("ldexp", lambda m, a, e: m.ldexp(a, e), [((2, 3), (2, 3)), ((2, 1), (3,))],
           input_dtypes=("float", "int64"), int_high=4, ref=lambda a, e: a * 2.0 ** e,
           grad_fn="LdexpBackward0",
           error_inputs=(lambda m: m.ldexp(m.ones(2, 3), m.ones(4, dtype=m.int64)),)),
    OpInfo("gcd", lambda m, a, b: m.gcd(a - 5, b), BINARY, input_dtypes=("int64", "int64"),
           int_high=12, ref=lambda a, b: np.gcd(a - 5, b), grad=False,
           error_inputs=(lambda m: m.gcd(m.ones(2), m.ones(2)),)),
    OpInfo("lcm", lambda m, a, b: a.lcm(b - 3), BINARY, input_dtypes=("int64", "int64"),
           int_high=7, ref=lambda a, b: np.lcm(a, b - 3), grad=False),
]


def _scalar(name, fn, ref, grad_fn=None, domain=(-2.0, 2.0), ints=False, grad=True, **kw):
    """A Python number on one side of a binary op: torch names the overload it takes (Backward0,
    1 or 2). With ints the tensor is int64 (the result dtype is what is checked)."""
    return OpInfo(f"scalar_{name}", fn, UNARY, domain=domain, ref=ref, grad_fn=grad_fn,
                  grad=grad and not ints, input_dtypes=("int64",) if ints else None, int_high=5,
                  **kw)


def _refuses_number(name):
    """torch's Tensor-only binary ops refuse a Python number on either side (TypeError)."""
    return (lambda m: getattr(m, name)(m.ones(2), 2.0), lambda m: getattr(m, name)(2.0, m.ones(2)))


OPS += [
    _scalar("add_float", lambda m, a: m.add(a, 2.5), lambda a: a + 2.5, "AddBackward0"),
    _scalar("add_int", lambda m, a: m.add(a, 2), lambda a: a + 2, "AddBackward0"),
    _scalar("sub_alpha", lambda m, a: m.sub(a, 2, alpha=3), lambda a: a - 6, "SubBackward0"),
    _scalar("mul_int", lambda m, a: m.mul(a, 3), lambda a: a * 3, "MulBackward0"),
    _scalar("rmul_float", lambda m, a: 3.5 * a, lambda a: 3.5 * a, "MulBackward0"),
    _scalar("div_int", lambda m, a: m.div(a, 2), lambda a: a / 2, "DivBackward0"),
    _scalar("pow_float", lambda m, a: m.pow(a, 2.5), lambda a: a ** 2.5, "PowBackward0",
            domain=POS),
    _scalar("rpow_int", lambda m, a: m.pow(2, a), lambda a: 2.0 ** a, "PowBackward2"),
    _scalar("fmod_int", lambda m, a: m.fmod(a, 2), lambda a: np.fmod(a, 2), "FmodBackward0",
            domain=(-4, 4)),
    _scalar("remainder_neg", lambda m, a: m.remainder(a, -1.5), lambda a: np.remainder(a, -1.5),
            "RemainderBackward0", domain=(-4, 4)),
    _scalar("rremainder", lambda m, a: m.remainder(2.5, a), lambda a: np.remainder(2.5, a),
            "NotImplemented", domain=POS, grad=False),
    _scalar("float_power_int", lambda m, a: m.float_power(a, 2), lambda a: a ** 2,
            "PowBackward0"),
    _scalar("rfloat_power", lambda m, a: m.float_power(2, a), lambda a: 2.0 ** a,
            "PowBackward2"),
    _scalar("xlogy_other", lambda m, a: m.xlogy(a, 2.0), lambda a: a * np.log(2.0),
            "XlogyBackward2"),
    _scalar("xlogy_self", lambda m, a: m.xlogy(2.0, a), lambda a: 2.0 * np.log(a),
            "XlogyBackward1", domain=POS),
    _scalar("copysign_int", lambda m, a: m.copysign(a, -1), lambda a: -np.abs(a),
            "CopysignBackward1", kinks_ok=True,
            error_inputs=(lambda m: m.copysign(2.0, m.ones(2)),)),
    _scalar("clamp_min_float", lambda m, a: m.clamp(a, 0.6), lambda a: np.maximum(a, 0.6),
            "ClampBackward1", kinks_ok=True),
    _scalar("atan2_refused", lambda m, a: m.atan2(a, a.abs() + 1), lambda a: np.arctan2(
            a, np.abs(a) + 1), "Atan2Backward0", error_inputs=_refuses_number("atan2")),
    _scalar("maximum_refused", lambda m, a: m.maximum(a, -a), lambda a: np.abs(a),
            "MaximumBackward0", kinks_ok=True, error_inputs=_refuses_number("maximum")),
    _scalar("fmax_refused", lambda m, a: m.fmax(a, -a), lambda a: np.abs(a), "FmaxBackward0",
            kinks_ok=True, error_inputs=_refuses_number("fmax")),
    _scalar("hypot_refused", lambda m, a: m.hypot(a, a + 3), lambda a: np.hypot(a, a + 3),
            "HypotBackward0", error_inputs=_refuses_number("hypot")),
    _scalar("fmod_refused", lambda m, a: m.fmod(a, 1.5), lambda a: np.fmod(a, 1.5),
            "FmodBackward0", domain=(-4, 4), error_inputs=(lambda m: m.fmod(2.0, m.ones(2)),)),
    # an int64 tensor and a Python number: the result dtype
    _scalar("int_add_float", lambda m, a: a + 2.5, lambda a: a + 2.5, ints=True),
    _scalar("int_rsub_float", lambda m, a: 2.5 - a, lambda a: 2.5 - a, ints=True),
    _scalar("int_div_int", lambda m, a: a / 2, lambda a: a / 2, ints=True),
    _scalar("int_pow_int", lambda m, a: a ** 2, lambda a: a ** 2, ints=True),
    _scalar("int_pow_float", lambda m, a: a ** 2.5, lambda a: a ** 2.5, ints=True),
    _scalar("int_rpow_float", lambda m, a: 2.5 ** a, lambda a: 2.5 ** a, ints=True),
    _scalar("int_fmod_float", lambda m, a: m.fmod(a, 1.5), lambda a: np.fmod(a, 1.5), ints=True),
    _scalar("int_remainder_int", lambda m, a: a % 2, lambda a: a % 2, ints=True),
    _scalar("int_floordiv_float", lambda m, a: a // 2.5, lambda a: a // 2.5, ints=True),
    _scalar("int_mul_bool", lambda m, a: a * True, lambda a: a * 1, ints=True),
    _scalar("int_copysign_int", lambda m, a: m.copysign(a, -1), lambda a: -np.abs(a), ints=True),
]
