"""Special functions (erf, erfc, erfinv, logit, xlogy, xlog1py, entr, sinc, hypot): forward on
arrays, backward in ember ops.

NOTE [ erf without SciPy ]
float64 erf and erfc (and float32 erfc beyond x = 0.5, where 1 - erf loses digits) use Cephes'
rational approximations (S. L. Moshier's ndtr.c, public domain), accurate to about 1e-16 relative
for |x| < 1 (erf) and 1e-14 for erfc; erfinv starts from M. Giles' single-precision approximation
("Approximating the erfinv function", 2010) and polishes it with two Newton steps on erf, which
reaches float64 accuracy.

float32 (and narrower) erf and the body of float32 erfc use one rational function instead,
`_erf_kernel`: erf(x) = x * P(x*x) / Q(x*x) with P of degree 5 and Q monic of
degree 5, x clipped to [-4, 4] (erf(4) rounds to 1 in float32). Its coefficients are our own: a
weighted linear least-squares fit of P - erf(x)/x * Q (Sanathanan-Koerner reweighting, then Lawson's
reweighting towards minimax relative error) on 40,000 points of [0, 4] against math.erf, in
Chebyshev form, converted to monomials (tools/fit_erf.py). Its relative error is 2.5e-8, under a
quarter of float32's epsilon. It is evaluated in float64 scratch, so that the ~20 roundings of
Horner's rule cost nothing at float32 precision (in float32 they reach 7 ulp), over chunks of
32768 elements that stay in the L2 cache: a float64 pass over a cache-resident chunk costs less
than a float32 pass over a 1.5 MB array, so the chunked float64 kernel is both exact to float32
(within 1 ulp) and faster than a float32 one (2.2 ms against 2.9 ms on 393,216 elements; the
Cephes path took 12 ms).

NOTE [ GELU's erf ]
GELU is the costliest elementwise op of a transformer step, so its erf (`exact=False`) is
tanh(x * R(x*x)) in float32 scratch instead: R of degree 6, fitted to atanh(erf(x)) / x on
[0, 4.5] weighted by what an error in R costs erf (tools/fit_erf.py; 5.8e-8 absolute in exact
arithmetic), evaluated by Horner's rule, then one np.tanh, which is a vectorised float32
kernel: 9 fewer passes than the rational function and no division. The normal CDF 1/2 + erf/2
comes out within 0.8 float32 epsilons absolute (1.0 relative where x > 0), so that GELU's
relative error is about 2 epsilons where x > 0, under PyTorch's own float32 GELU's (2.9
epsilons, measured against float64); tanh is exactly +-1 from x = 4.1 on, so the left tail is
exactly 0 as PyTorch's. On the gpt case's 393,216 elements: 1.14 ms, against 1.49 ms for the
rational function in float32 scratch (1.6 epsilons) and 2.82 ms in float64.
"""
import math

import numpy as np

from .._backend import xp_of
from .._dtype import type_name as _type_name
from .._tensor import Tensor
from ._common import (TENSOR_OR_NUMBER, _binary, _float, _float_pair, _log_scalar,
                      check_broadcast, invalid_arguments, is_operand, tensors_only, _masked, _out,
                      _unary, quiet)
from ._op import Op, broadcast_error, scalar
from .clamping import Where
from .complex import holomorphic
from .unary import cos, exp, log, sin

__all__ = ["erf", "erfc", "erfinv", "logit", "xlogy", "sinc", "hypot"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


# -- erf, erfc, erfinv (NOTE [ erf without SciPy ]) ------------------------------------------------

_ERF_T = (9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3,
          7.00332514112805075473E3, 5.55923013010394962768E4)
_ERF_U = (3.35617141647503099647E1, 5.21357949780152679795E2, 4.59432382970980127987E3,
          2.26290000613890934246E4, 4.92673942608635921086E4)
_ERFC_P = (2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
           4.86371970985681366614E1, 1.96520832956077098242E2, 5.26445194995477358631E2,
           9.34528527171957607540E2, 1.02755188689515710272E3, 5.57535335369399327526E2)
_ERFC_Q = (1.32281951154744992508E1, 8.67072140885989742329E1, 3.54937778887819891062E2,
           9.75708501743205489753E2, 1.82390916687909736289E3, 2.24633760818710981792E3,
           1.65666309194161350182E3, 5.57535340817727675546E2)
_ERFC_R = (5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0,
           6.16021097993053585195E0, 7.40974269950448939160E0, 2.97886665372100240670E0)
_ERFC_S = (2.26052863220117276590E0, 9.39603524938001434673E0, 1.20489539808096656605E1,
           1.70814450747565897222E1, 9.60896809063285878198E0, 3.36907645100081516050E0)
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


# erf(x) / x = P(t) / Q(t), t = x * x, |x| <= _ERF_CLIP (NOTE [ erf without SciPy ]); highest
# power first, Q monic (its leading 1 left out).
_ERF_P = (0.05309379017690709, 7.604631342767195, 103.77747366042661, 1419.0672990440894,
          5172.221249722496, 30154.239066800223)
_ERF_Q = (31.682863380283404, 406.3927884189693, 3082.564066533866, 13491.574022780678,
          26723.49923589993)
_ERF_CLIP = 4.0
# erf(x) = tanh(x * R(t)), t = x * x: GELU's (NOTE [ GELU's erf ]); highest power first, fitted
# on [0, 4.5]. Unclipped: in float32, x * R(t) only grows from x = 4.1 on (overflowing to inf
# towards float32's largest values), and its tanh is exactly +-1 all the way (checked over a
# grid out to 3e38), so a float32 input needs no clipped copy, and GELU's slope takes the PDF's
# x * x from the kernel's t.
_ERF_TANH = (1.5895064306242956e-07, -5.985558981028527e-06, 8.97119452884939e-05,
             -0.0006257182031794875, -0.00018438497366937007, 0.10276548191370413,
             1.1283797054285856)
_CHUNK = 32768  # elements: four float64 scratch chunks (1 MiB) stay in a core's L2 cache


def _erf_coefs(scale, mul):
    """P and Q for mul * erf(scale * x): the scale and the factor folded into the coefficients
    (Q stays monic)."""
    s2 = scale * scale
    n = len(_ERF_Q)
    p = tuple(c * mul * scale * s2 ** (k - n) for k, c in zip(range(len(_ERF_P) - 1, -1, -1),
                                                                 _ERF_P))
    q = tuple(c * s2 ** (k - n) for k, c in zip(range(n - 1, -1, -1), _ERF_Q))
    return p, q


def _erf_tanh_coefs(scale):
    """R for erf(scale * x) = tanh(x * R(x * x)): the scale folded in (NOTE [ GELU's erf ])."""
    last = len(_ERF_TANH) - 1
    return tuple(c * scale ** (2 * (last - k) + 1) for k, c in enumerate(_ERF_TANH))


def _erf_kernel(xp, x, scale=1.0, mul=1.0, add=0.0, finish=None, n_out=1, exact=True):
    """mul * erf(scale * x) + add for float32 or narrower x, as a float32 array (float64 scratch
    over cache-sized chunks, on the calling thread: split over two threads it measured 7 % slower at
    the gpt case's size and no faster at 8M elements here; NOTE [ erf without SciPy ]).
    exact=False evaluates erf as tanh(x * R(x * x)) in float32 scratch instead: 2.5x as fast,
    the normal CDF within 0.8 float32 epsilons absolute (NOTE [ GELU's erf ]).

    `finish(xp, xk, ek, tk, *outs)`, when given, writes n_out float32 outputs of one chunk (a
    list of them is returned) from the input chunk xk, that chunk's result ek and tk (read only:
    xk * xk in float32, xk clipped first for the exact form): GELU's forward makes x * cdf and
    its derivative in the same pass."""
    bound = _ERF_CLIP / scale
    coefs = _erf_coefs(scale, mul) if exact else _erf_tanh_coefs(scale)
    # the tanh form reads a float32 input as it is; narrower ones are widened first
    widen = exact or x.dtype != np.float32
    outs = [xp.empty(x.shape, np.float32) for _ in range(n_out)]
    flat_x, flat_outs = x.reshape(-1), [o.reshape(-1) for o in outs]
    n = flat_x.size
    chunk = _CHUNK if xp is np else max(n, 1)

    scratch = np.float64 if exact else np.float32
    m = min(n, chunk)
    t, p = xp.empty(m, scratch), xp.empty(m, scratch)
    u = xp.empty(m, scratch) if widen else None  # the clipped or widened input
    q = xp.empty(m, scratch) if exact else None  # the rational form's denominator
    # GELU's slope at x = +-inf is inf * 0: NaN; the tanh form's x * x and R(t) overflow to inf
    with quiet():
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            k = stop - start
            tk, pk = t[:k], p[:k]
            xk = flat_x[start:stop]
            if exact:
                uk = u[:k]
                xp.clip(xk, -bound, bound, out=uk)
            elif widen:
                uk = u[:k]
                uk[...] = xk
            else:
                uk = xk
            xp.multiply(uk, uk, out=tk)
            if exact:
                _erf_rational(xp, uk, tk, pk, q[:k], coefs, abs(mul), add)
            else:
                _erf_tanh(xp, uk, tk, pk, coefs, mul, add)
            if finish is None:
                flat_outs[0][start:stop] = pk
            else:
                finish(xp, xk, pk, tk, *(o[start:stop] for o in flat_outs))
    return outs[0] if finish is None else outs


def _erf_rational(xp, uk, tk, pk, qk, coefs, top, add):
    """pk = mul * erf(u) + add from u and t = u * u: u * P(t) / Q(t), the factor mul folded into
    P (_erf_coefs), then clipped to +-mul (NOTE [ erf without SciPy ])."""
    p_c, q_c = coefs
    _polevl(tk, p_c, out=pk)
    _polevl(tk, q_c, monic=True, out=qk)
    pk *= uk
    pk /= qk
    if add:  # |erf| <= 1 exactly: 1 + erf(-large) is 0, not about 1e-8 of either sign
        xp.clip(pk, -top, top, out=pk)
        pk += add


def _erf_tanh(xp, uk, tk, pk, coefs, mul, add):
    """pk = mul * erf(u) + add from u and t = u * u as tanh(u * R(t)) (NOTE [ GELU's erf ]):
    tanh stays within [-1, 1], and is exactly -1 from u = -4.1 down (1 + erf(u) is 0 there)."""
    _polevl(tk, coefs, out=pk)
    pk *= uk
    xp.tanh(pk, out=pk)
    if mul != 1.0:
        pk *= mul
    if add:
        pk += add


def _polevl(x, coefs, monic=False, out=None):
    """Horner's rule: coefs[0]*x**n + ... (with an implicit leading 1 when monic), in `out` when
    given (the erf kernels' scratch)."""
    if out is None:  # x may be a NumPy scalar (a 0-d input's)
        p = x + coefs[0] if monic else x * coefs[0]
    else:
        xp = xp_of(out)
        p = (xp.add if monic else xp.multiply)(x, coefs[0], out=out)
    if monic:
        rest = coefs[1:]
    else:
        p += coefs[1]
        rest = coefs[2:]
    for c in rest:
        p *= x
        p += c
    return p


def _erf_small(xp, x):
    """erf for |x| <= 1."""
    z = x * x
    return x * _polevl(z, _ERF_T) / _polevl(z, _ERF_U, monic=True)


def _erfc_large(xp, ax):
    """erfc for 1 <= ax, ax clipped to [1, 28] so no polynomial overflows (erfc(28) == 0)."""
    ax = xp.clip(ax, 1.0, 28.0)
    mid = xp.minimum(ax, 8.0)
    far = xp.maximum(ax, 8.0)
    ratio = xp.where(ax < 8.0, _polevl(mid, _ERFC_P) / _polevl(mid, _ERFC_Q, monic=True),
                     _polevl(far, _ERFC_R) / _polevl(far, _ERFC_S, monic=True))
    return xp.exp(-ax * ax) * ratio


def _erf(xp, x, scale=1.0, mul=1.0, add=0.0):
    """mul * erf(scale * x) + add in x's dtype (GELU's normal CDF is erf(x / sqrt(2)) / 2 + 1/2)."""
    if x.dtype.itemsize <= 4:
        y = _erf_kernel(xp, x, scale, mul, add)
        return y if x.dtype == np.float32 else y.astype(x.dtype)
    if scale != 1.0 or mul != 1.0 or add != 0.0:
        return _erf(xp, x * scale) * mul + add
    ax = xp.abs(x)
    small = _erf_small(xp, xp.clip(x, -1.0, 1.0))
    # Beyond |x| = 6 erf is 1 to float64 precision, so the erfc branch needs no tail there.
    big = 1.0 - _erfc_large(xp, xp.minimum(ax, 6.0))
    return xp.where(ax < 1.0, small, xp.copysign(big, x))


def _erfc(xp, x):
    if x.dtype.itemsize <= 4:  # 1 - erf is exact to float32 up to 0.5; Cephes beyond
        y = _erf_kernel(xp, x, mul=-1.0, add=1.0)
        tail = x >= 0.5
        if tail.any():
            y[tail] = _erfc(xp, x[tail].astype(np.float64))
        return y if x.dtype == np.float32 else y.astype(x.dtype)
    ax = xp.abs(x)
    small = 1.0 - _erf_small(xp, xp.clip(x, -1.0, 1.0))
    tail = _erfc_large(xp, ax)
    return xp.where(ax < 1.0, small, xp.where(x < 0, 2.0 - tail, tail))


def _erfinv(xp, y):
    y64 = y.astype(np.float64)
    with quiet():
        w = -xp.log((1.0 - y64) * (1.0 + y64))
        central = _polevl(w - 2.5, _ERFINV_CENTRAL)
        tail = _polevl(xp.sqrt(w) - 3.0, _ERFINV_TAIL)
        x = xp.where(w < 5.0, central, tail) * y64
        for _ in range(2):
            x = x - (_erf(xp, x) - y64) / (_TWO_OVER_SQRT_PI * xp.exp(-x * x))
        x = xp.where(xp.abs(y64) == 1.0, xp.copysign(math.inf, y64), x)
    return x.astype(y.dtype)


class Erf(Op):
    """erf; Erfc differs in the kernel and the sign of the derivative (`_slope`)."""
    _kernel, _slope = staticmethod(_erf), _TWO_OVER_SQRT_PI

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx._forward_cls._kernel(ctx.xp, _float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (exp(-(a * a)) * ctx._forward_cls._slope)


class Erfc(Erf):
    _kernel, _slope = staticmethod(_erfc), -_TWO_OVER_SQRT_PI


class Erfinv(Op):
    def forward(ctx, a):
        y = _erfinv(ctx.xp, _float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (exp(y * y) * _SQRT_PI_OVER_2)


# -- logit, xlogy, sinc, hypot ---------------------------------------------------------------------

class Logit(Op):
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        a = _float(a)
        if eps is not None:
            a = ctx.xp.clip(a, eps, 1.0 - eps)
        with quiet():  # logit(0) = -inf, logit(1) = inf, NaN outside [0, 1], silently as in torch
            return ctx.xp.log(a / (1.0 - a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        x = a._data
        eps = ctx.eps
        grad = g / (a * (1.0 - a) + 0.0)  # + 0.0: at x = -0.0 too the slope is +inf, as torch's
        if eps is None:
            outside = (x < 0) | (x > 1)
            if outside.any():
                grad = Where.apply(math.nan, grad, outside)
            return grad
        return Where.apply(grad, 0.0, (x >= eps) & (x <= 1.0 - eps))


def _log1p_scalar(y):
    return math.log1p(y) if y > -1 else _log_scalar(y + 1.0)


def _xlogy_array(xp, x, y, log1p=False):
    """x * log(y), or x * log1p(y) for xlog1py."""
    x, y = _float_pair(x, y)
    x, y = _number_in_dtype(x, y), _number_in_dtype(y, x)
    with quiet():
        try:
            if hasattr(y, "dtype"):
                out = x * (xp.log1p(y) if log1p else xp.log(y))
            else:
                out = x * (_log1p_scalar(y) if log1p else _log_scalar(y))
        except ValueError:
            raise broadcast_error(np.shape(x), np.shape(y)) from None
    # 0 * log(0) is 0 (but a NaN y still gives NaN)
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, out).astype(out.dtype, copy=False)


def _number_in_dtype(a, b):
    """A Python number a as torch takes it beside a floating tensor b: cast to b's dtype first
    (1e20 is inf in float16)."""
    if hasattr(a, "dtype") or not hasattr(b, "dtype") or b.dtype.kind != "f":
        return a
    with quiet():  # the overflow to inf is torch's result, silently
        return float(b.dtype.type(a))


def _x_grad(g_log, x, log_undefined):
    """xlogy's and xlog1py's x-gradient, g * log(y): 0 where x is 0 and the log is not finite,
    as torch's."""
    zero = (x._data == 0) & log_undefined
    if not zero.any():
        return g_log
    return Where.apply(0.0, g_log, zero)


class Xlogy(Op):
    _n_operands = 2

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xlogy_array(ctx.xp, x, y)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _x_grad(xlogy(g, y), x, y._data <= 0) if need[0] else None
        gy = g * (x / y) if need[1] else None
        return gx, gy


class XlogyScalarSelf(Op, grad_fn="XlogyBackward1"):
    """xlogy(number, tensor), applied as (tensor, number)."""
    _n_operands = 1

    def forward(ctx, y, x):
        ctx.save_for_backward(y)
        ctx.x = x
        return _xlogy_array(ctx.xp, x, y)

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (ctx.x / y)


class XlogyScalarOther(Op, grad_fn="XlogyBackward2"):
    _n_operands = 1

    def forward(ctx, x, y):
        ctx.save_for_backward(x)
        ctx.y = y
        return _xlogy_array(ctx.xp, x, y)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # torch's log reads the number in x's dtype, its test for log's pole the number as given
        return _x_grad(g * _log_scalar(_number_in_dtype(ctx.y, x._data)), x, ctx.y <= 0)


class SpecialXlog1py(Op, grad_fn="SpecialXlog1PyBackward0"):
    """x * log1p(y), 0 where x is 0 (unless y is NaN)."""
    _n_operands = 2

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xlogy_array(ctx.xp, x, y, log1p=True)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _x_grad(xlogy(g, y + 1.0), x, y._data <= -1) if need[0] else None
        gy = g * (x / (y + 1.0)) if need[1] else None
        return gx, gy


class SpecialXlog1pyScalarSelf(Op, grad_fn="SpecialXlog1PyBackward1"):
    """xlog1py(number, tensor), applied as (tensor, number)."""
    _n_operands = 1

    def forward(ctx, y, x):
        ctx.save_for_backward(y)
        ctx.x = x
        return _xlogy_array(ctx.xp, x, y, log1p=True)

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (ctx.x / (y + 1.0))


class SpecialXlog1pyScalarOther(Op, grad_fn="SpecialXlog1PyBackward2"):
    _n_operands = 1

    def forward(ctx, x, y):
        ctx.save_for_backward(x)
        ctx.y = y
        return _xlogy_array(ctx.xp, x, y, log1p=True)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # as XlogyScalarOther's: the log1p of the number in x's dtype, the pole test as given
        return _x_grad(g * _log1p_scalar(_number_in_dtype(ctx.y, x._data)), x, ctx.y <= -1)


class SpecialEntr(Op):
    """-x log(x), 0 at 0, -inf for negative x."""
    def forward(ctx, a):
        ctx.save_for_backward(a)
        xp = ctx.xp
        a = _float(a)
        with quiet():
            out = -a * xp.log(a)
        out = xp.where(a == 0, 0.0, xp.where(a < 0, -math.inf, out))
        return out.astype(a.dtype, copy=False)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * -(log(a) + 1.0)


class Sinc(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with quiet():  # sinc(+-inf) is NaN, silently as in torch
            return ctx.xp.sinc(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        zero = a._data == 0
        safe = Where.apply(1.0, a, zero)  # the derivative is 0 at 0; avoid 0/0 there
        p = safe * math.pi
        d = (cos(p) - sin(p) / p) / safe  # p * safe would underflow to 0 at a tiny float32 x
        return _masked(g * d, ~zero)


# complex inputs: J^H g from the same formula (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Sinc)


class Hypot(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ta = np.promote_types(a.dtype, b.dtype)  # both arrays: hypot takes no Python number
        if ta.kind != "f":
            check_broadcast(a, b)  # torch's shape error comes first
            raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_type_name(ta)}'")
        y = _binary(ctx.xp.hypot, a, b)
        ctx.save_for_backward(a, b, y)
        return y

    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * (a / y) if need[0] else None), (g * (b / y) if need[1] else None)


# -- public functions ------------------------------------------------------------------------------

erf = _unary(Erf)
erfc = _unary(Erfc)
erfinv = _unary(Erfinv)
sinc = _unary(Sinc)
hypot = tensors_only(Hypot, "hypot")


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    r = Logit.apply(input, eps)
    return r if out is None else _out(r, out)


def xlog1py(input, other, *, out=None):
    """input * log1p(other), and 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor):
        r = SpecialXlog1pyScalarSelf.apply(other, scalar(input))
    elif isinstance(other, Tensor):
        r = SpecialXlog1py.apply(input, other)
    else:
        _check_number("special_xlog1py", input, other)
        r = SpecialXlog1pyScalarOther.apply(input, scalar(other))
    return r if out is None else _out(r, out)


entr = _unary(SpecialEntr)


def _check_number(name, input, other):
    """torch's TypeError for an `other` that is neither a tensor nor a number (nor an array)."""
    if not is_operand(other):
        raise invalid_arguments(name, (input, other), TENSOR_OR_NUMBER)


def _xlogy(name, input, other, out):
    if not isinstance(input, Tensor):
        r = XlogyScalarSelf.apply(other, scalar(input))
    elif isinstance(other, Tensor):
        r = Xlogy.apply(input, other)
    else:
        _check_number(name, input, other)
        r = XlogyScalarOther.apply(input, scalar(other))
    return r if out is None else _out(r, out)


def xlogy(input, other, *, out=None):
    """input * log(other), and 0 where input is 0 (unless other is NaN)."""
    return _xlogy("xlogy", input, other, out)


def special_xlogy(input, other, *, out=None):
    """torch.special.xlogy: xlogy under the name torch's errors give it."""
    return _xlogy("special_xlogy", input, other, out)
