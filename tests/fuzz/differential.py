"""Differential fuzzing of ember against PyTorch: random op calls, run in both, classified.

Each case is drawn from its own generator, ``numpy.random.default_rng([seed, case])``, so any case
replays alone: ``python -m tests.fuzz.differential --seed S --replay I`` runs case I of seed S and
prints both outcomes. A whole run:

    python -m tests.fuzz.differential --cases 5000 --seed 0

prints the number of cases, the share that behaves as torch, the count per category, the ops with
the most mismatches and the first mismatches with their replay lines.

Categories (``Outcome.category``):
    same           same result (dtype, shape, values within the dtype's tolerance, NaN positions)
                   or the same exception class
    exc_class      both raise, another exception class
    ember_raises   ember raises where torch returns
    torch_raises   torch raises where ember returns (ember accepts input torch refuses)
    wrong_values   both return, the results differ
An ember exception is *internal* (``Outcome.internal``) when it is a class torch does not raise for
the call and is an implementation detail: AttributeError, KeyError, ZeroDivisionError, MemoryError,
OverflowError ..., anything raised from inside NumPy, or a ValueError where torch raises another class.
"""
import argparse
import collections
import math
import operator
import sys
import time
import traceback
import warnings

import numpy as np

DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
FLOATS = DTYPES[:3]
INTS = DTYPES[3:8]
TORCH_CLASSES = (RuntimeError, TypeError, IndexError, ValueError, NotImplementedError)
TOL = {"float16": (1e-2, 1e-2), "float32": (1e-4, 1e-5), "float64": (1e-7, 1e-8)}


# -- argument specs: one description, materialised in each framework -----------------------------

class TensorSpec:
    """A tensor made from `base` (a NumPy array) and then viewed: 't' transposes the first and last
    dims, ('step', d) takes every other element of dim d (the base has it doubled), ('expand', d, n)
    expands a size-1 dim d to n."""
    __slots__ = ("base", "views")

    def __init__(self, base, views=()):
        self.base = np.asarray(base)
        self.views = tuple(views)

    def make(self, lib):
        t = lib.from_numpy(np.array(self.base))
        for v in self.views:
            if v == "t":
                t = t.transpose(0, t.dim() - 1)
            elif v[0] == "step":
                t = t[(slice(None),) * v[1] + (slice(None, None, 2),)]
            else:
                size = list(t.shape)
                size[v[1]] = v[2]
                t = t.expand(*size)
        return t

    def shape(self):
        s = list(self.base.shape)
        for v in self.views:
            if v == "t":
                s[0], s[-1] = s[-1], s[0]
            elif v[0] == "step":
                s[v[1]] = (s[v[1]] + 1) // 2
            else:
                s[v[1]] = v[2]
        return tuple(s)

    def __repr__(self):
        shape = self.shape()
        text = f"T({self.base.dtype.name},{shape}"
        if self.views:
            text += f",view={list(self.views)}"
        if self.base.size <= 6:
            text += f",{self.base.tolist()!r}"
        return text + ")"


def materialise(x, lib):
    if isinstance(x, TensorSpec):
        return x.make(lib)
    if isinstance(x, DtypeSpec):
        return getattr(lib, x.name)
    if type(x) is list:
        return [materialise(v, lib) for v in x]
    if type(x) is tuple:
        return tuple(materialise(v, lib) for v in x)
    if type(x) is dict:
        return {k: materialise(v, lib) for k, v in x.items()}
    return x


class DtypeSpec:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


class Case:
    """One call: `fn` is 'name' (torch.name), 'F.name' (nn.functional), '.name' (a method of the
    first argument), 'getitem' or 'setitem'."""
    __slots__ = ("seed", "index", "op", "fn", "args", "kwargs")

    def __init__(self, seed, index, op, fn, args, kwargs):
        self.seed, self.index, self.op, self.fn = seed, index, op, fn
        self.args, self.kwargs = args, kwargs

    def __repr__(self):
        kw = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"seed={self.seed} case={self.index} op={self.op} args=({', '.join(map(repr, self.args))}{kw})"


# -- drawing -------------------------------------------------------------------------------------

class Draw:
    """Random pieces of a call, from one case's generator."""

    def __init__(self, rng):
        self.r = rng

    def p(self, prob):
        return self.r.random() < prob

    def choice(self, seq):
        return seq[int(self.r.integers(len(seq)))]

    def int(self, lo, hi):
        return int(self.r.integers(lo, hi + 1))

    def dtype(self, kinds=DTYPES):
        return self.choice(kinds)

    def shape(self, lo=0, hi=4, empty=0.06):
        ndim = self.int(lo, hi)
        return tuple(0 if self.p(empty) else self.int(1, 4) for _ in range(ndim))

    def values(self, shape, dtype):
        n = int(np.prod(shape, dtype=np.int64))
        r = self.r
        if dtype == "bool":
            return r.random(n).reshape(shape) < 0.5
        if dtype in FLOATS:
            v = r.standard_normal(n) * self.choice((1.0, 1.0, 3.0, 0.1))
            if self.p(0.35):
                special = np.array([np.nan, np.inf, -np.inf, 1e30, -1e30, 1e-40, -0.0, 0.0, 1e5, 1.0])
                pick = r.random(n) < 0.2
                v[pick] = special[r.integers(len(special), size=int(pick.sum()))]
            with np.errstate(over="ignore"):
                return v.reshape(shape).astype(dtype)
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -8), min(info.max, 8)
        v = r.integers(lo, hi + 1, size=n, dtype=np.int64)
        if self.p(0.15):
            pick = r.random(n) < 0.25
            v[pick] = r.choice([info.min, info.max, 0], size=int(pick.sum()))
        return v.reshape(shape).astype(dtype)

    def tensor(self, shape=None, dtype=None, strided=0.25):
        shape = self.shape() if shape is None else tuple(shape)
        dtype = self.dtype() if dtype is None else dtype
        views = []
        base_shape = list(shape)
        if shape and self.p(strided):
            kind = self.choice(("t", "step", "expand"))
            if kind == "t" and len(shape) >= 2:
                base_shape[0], base_shape[-1] = base_shape[-1], base_shape[0]
                views.append("t")
            elif kind == "step":
                d = self.int(0, len(shape) - 1)
                base_shape[d] *= 2
                views.append(("step", d))
            elif kind == "expand":
                d = self.int(0, len(shape) - 1)
                base_shape[d] = 1
                views.append(("expand", d, shape[d]))
        return TensorSpec(self.values(tuple(base_shape), dtype), views)

    def scalar(self, kinds=("int", "float", "bool")):
        kind = self.choice(kinds)
        if kind == "bool":
            return self.p(0.5)
        if kind == "int":
            return self.choice((0, 1, 2, -1, 3, -7, 100))
        return self.choice((0.5, -1.5, 2.0, 0.0, -0.0, 1e-3, 3.25, float("inf"), float("nan"), 1e20))

    def dim(self, ndim, bad=0.05):
        if self.p(bad):
            return self.choice((ndim, -ndim - 1, ndim + 2))
        n = max(ndim, 1)
        return self.int(-n, n - 1)

    def other_shape(self, shape):
        """A shape for a second operand: equal, broadcastable, shorter, or (rarely) incompatible."""
        how = self.r.random()
        if how < 0.45:
            return shape
        if how < 0.75:
            return tuple(1 if self.p(0.5) else s for s in shape)
        if how < 0.9:
            return shape[self.int(0, len(shape)):]
        return self.shape()

    def operand(self, shape, dtype=None):
        """A second operand: a tensor (same dtype or another), a 0-d tensor, or a Python scalar."""
        how = self.r.random()
        if how < 0.2:
            return self.scalar()
        if how < 0.3:
            return self.tensor((), dtype if dtype and self.p(0.5) else None)
        return self.tensor(self.other_shape(shape), dtype if dtype and self.p(0.6) else None)

    def index_tensor(self, shape, bound, dtype="int64"):
        """Indices in [-bound, bound), sometimes out of range, sometimes of a wrong dtype."""
        r = self.r
        n = int(np.prod(shape, dtype=np.int64))
        if bound > 0:
            v = r.integers(-bound if self.p(0.3) else 0, bound, size=n)
        else:
            v = r.integers(-1, 2, size=n)
        if self.p(0.06) and n:
            v[r.integers(n)] = bound + self.int(0, 2)
        if self.p(0.05):
            dtype = self.choice(("int32", "float32", "bool", "uint8", "int16"))
        return TensorSpec(v.reshape(shape).astype(dtype))


# -- the op table --------------------------------------------------------------------------------

UNARY = ("abs", "neg", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
         "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
         "atanh", "sigmoid", "erf", "erfc", "erfinv", "floor", "ceil", "round", "trunc", "frac",
         "sign", "sgn", "reciprocal", "square", "relu", "bitwise_not", "logical_not", "isnan",
         "isinf", "isfinite", "isposinf", "isneginf", "nan_to_num", "deg2rad", "rad2deg", "logit",
         "sinc", "fix", "positive", "signbit", "angle")
BINARY = ("add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
          "maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "logaddexp", "logaddexp2",
          "xlogy", "copysign", "nextafter", "eq", "ne", "lt", "le", "gt", "ge", "bitwise_and",
          "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "logical_and",
          "logical_or", "logical_xor", "rsub", "isclose", "equal", "float_power", "heaviside")
INPLACE = ("add_", "sub_", "mul_", "div_", "clamp_", "abs_", "neg_", "exp_", "floor_", "fill_",
           "copy_", "relu_", "sigmoid_", "masked_fill_", "zero_", "pow_")
REDUCE = ("sum", "mean", "prod", "amax", "amin", "std", "var", "logsumexp", "all", "any",
          "nansum", "nanmean", "count_nonzero", "norm")
REDUCE_PAIR = ("max", "min", "median", "nanmedian", "mode", "argmax", "argmin")
SCAN = ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp")
ACT = ("relu", "relu6", "gelu", "silu", "elu", "selu", "celu", "leaky_relu", "softplus", "hardtanh",
       "hardsigmoid", "hardswish", "mish", "logsigmoid", "softsign", "tanhshrink", "hardshrink",
       "softshrink", "sigmoid", "tanh")
LOSS = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
        "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss")


def _unary(d, name):
    x = d.tensor()
    if d.p(0.5):
        return "." + name, [x], {}
    return name, [x], {}


def _binary(d, name):
    x = d.tensor()
    y = d.operand(x.shape(), x.base.dtype.name)
    if d.p(0.12):  # a Python scalar first (torch.add(2, t) is a TypeError) or two tensors swapped
        x, y = y, x
    if name == "add" and d.p(0.2):
        return name, [x, y], {"alpha": d.scalar(("int", "float"))}
    if d.p(0.35) and isinstance(x, TensorSpec):
        return "." + name, [x, y], {}
    return name, [x, y], {}


def _inplace(d, name):
    x = d.tensor(strided=0.35)
    if name in ("abs_", "neg_", "exp_", "floor_", "zero_", "relu_", "sigmoid_"):
        return "." + name, [x], {}
    if name == "fill_":
        return "." + name, [x, d.scalar() if d.p(0.8) else d.tensor(())], {}
    if name == "clamp_":
        return "." + name, [x], {"min": d.scalar(("int", "float")), "max": d.scalar(("int", "float"))}
    if name == "masked_fill_":
        return "." + name, [x, d.tensor(d.other_shape(x.shape()), "bool"), d.scalar()], {}
    if name == "copy_":
        return "." + name, [x, d.tensor(d.other_shape(x.shape()))], {}
    return "." + name, [x, d.operand(x.shape(), x.base.dtype.name)], {}


def _clamp(d, name):
    x = d.tensor()
    lo = d.choice((None, d.scalar(("int", "float")), d.tensor(d.other_shape(x.shape()))))
    hi = d.choice((None, d.scalar(("int", "float")), d.tensor(d.other_shape(x.shape()))))
    if name == "clamp":
        return name, [x], {"min": lo, "max": hi}
    return name, [x, hi if hi is not None else d.scalar(("int", "float"))], {}


def _where(d, name):
    x = d.tensor()
    cond = d.tensor(d.other_shape(x.shape()), "bool" if d.p(0.9) else None)
    return name, [cond, x, d.operand(x.shape(), x.base.dtype.name)], {}


def _lerp(d, name):
    x = d.tensor(dtype=d.dtype(FLOATS) if d.p(0.8) else None)
    return name, [x, d.tensor(d.other_shape(x.shape()), x.base.dtype.name),
                  d.choice((0.5, d.tensor(d.other_shape(x.shape()), x.base.dtype.name)))], {}


def _addc(d, name):
    x = d.tensor()
    return name, [x, d.tensor(d.other_shape(x.shape()), x.base.dtype.name),
                  d.tensor(d.other_shape(x.shape()), x.base.dtype.name)], {"value": d.scalar(("int", "float"))}


def _reduce(d, name):
    x = d.tensor()
    nd = len(x.shape())
    kw = {}
    how = d.r.random()
    if how < 0.25:
        args = [x]
    elif how < 0.85:
        args = [x, d.dim(nd)]
        if d.p(0.5):
            kw["keepdim"] = d.p(0.5)
    else:
        dims = tuple(sorted({d.dim(nd) for _ in range(d.int(1, 2))}))
        args = [x, dims]
        kw["keepdim"] = d.p(0.5)
    if name in ("sum", "mean", "prod", "nansum", "nanmean") and d.p(0.15):
        kw["dtype"] = DtypeSpec(d.dtype(("float32", "float64", "int64")))
    if name in ("std", "var") and d.p(0.3) and len(args) == 2:
        kw["correction"] = d.choice((0, 1, 2))
    if name in ("count_nonzero",):
        kw.pop("keepdim", None)
    if name == "norm" and d.p(0.5):
        return name, [x], {"p": d.choice((1, 2, float("inf"), 0, 3.0)),
                           "dim": args[1] if len(args) > 1 else None, "keepdim": kw.get("keepdim", False)}
    if name in ("prod", "logsumexp") and len(args) == 2 and isinstance(args[1], tuple) and name == "prod":
        args = [x, args[1][0]]
    if d.p(0.3):
        return "." + name, args, kw
    return name, args, kw


def _reduce_pair(d, name):
    x = d.tensor()
    nd = len(x.shape())
    if d.p(0.3) and name not in ("mode",):
        args = [x]
    else:
        args = [x, d.dim(nd)]
        if d.p(0.4):
            args.append(d.p(0.5))
    if name in ("max", "min") and d.p(0.15):
        args = [x, d.tensor(d.other_shape(x.shape()))]
    return ("." + name if d.p(0.3) else name), args, {}


def _scan(d, name):
    x = d.tensor()
    kw = {}
    if name in ("cumsum", "cumprod") and d.p(0.15):
        kw["dtype"] = DtypeSpec(d.dtype(("float32", "float64", "int64")))
    return ("." + name if d.p(0.3) else name), [x, d.dim(len(x.shape()))], kw


def _softmax(d, name):
    x = d.tensor()
    kw = {}
    if d.p(0.15):
        kw["dtype"] = DtypeSpec(d.dtype(("float32", "float64")))
    fn = d.choice((name, "F." + name, "." + name))
    return fn, [x, d.dim(len(x.shape()))], kw


def _act(d, name):
    x = d.tensor()
    kw = {}
    if name == "leaky_relu" and d.p(0.5):
        kw["negative_slope"] = d.choice((0.01, 0.2, -1.0))
    if name in ("elu", "celu") and d.p(0.5):
        kw["alpha"] = d.choice((1.0, 0.5, 2.0))
    if name == "softplus" and d.p(0.5):
        kw["beta"], kw["threshold"] = d.choice((1.0, 2.0, 0.5)), d.choice((20.0, 1.0))
    if name == "hardtanh" and d.p(0.5):
        kw["min_val"], kw["max_val"] = d.choice(((-1.0, 1.0), (0.0, 6.0), (2.0, -2.0)))
    if name in ("hardshrink", "softshrink") and d.p(0.5):
        kw["lambd"] = d.choice((0.5, 0.0, 1.5))
    if name == "gelu" and d.p(0.3):
        kw["approximate"] = d.choice(("tanh", "none"))
    return "F." + name, [x], kw


def _loss(d, name):
    x = d.tensor(dtype=d.dtype(FLOATS) if d.p(0.75) else None)
    shape = x.shape() if d.p(0.8) else d.other_shape(x.shape())
    if name == "binary_cross_entropy":
        y_vals = d.r.random(int(np.prod(shape, dtype=np.int64))).reshape(shape)
        y = TensorSpec(y_vals.astype(x.base.dtype if d.p(0.85) else "float64"))
        xv = d.r.random(x.base.size).reshape(x.base.shape).astype(x.base.dtype)
        x = TensorSpec(xv, x.views) if d.p(0.8) else x
    else:
        y = d.tensor(shape, x.base.dtype.name if d.p(0.85) else None)
    kw = {}
    if d.p(0.5):
        kw["reduction"] = d.choice(("mean", "sum", "none", "batchmean" if name == "kl_div" else "mean"))
    if name in ("smooth_l1_loss",) and d.p(0.4):
        kw["beta"] = d.choice((1.0, 0.5, 0.0))
    if name == "huber_loss" and d.p(0.4):
        kw["delta"] = d.choice((1.0, 0.5))
    if name == "kl_div" and d.p(0.4):
        kw["log_target"] = d.p(0.5)
    return "F." + name, [x, y], kw


def _class_loss(d, name):
    n, c = d.int(0, 4), d.int(1, 4)
    shape = (n, c) if d.p(0.8) else d.shape(1, 3)
    x = d.tensor(shape, d.dtype(FLOATS) if d.p(0.85) else None)
    tshape = shape[:1] + shape[2:]
    if d.p(0.15):
        target = d.tensor(d.shape(0, 2))
    elif name == "cross_entropy" and d.p(0.2):
        vals = d.r.random(int(np.prod(shape, dtype=np.int64))).reshape(shape)
        target = TensorSpec(vals.astype(x.base.dtype))
    else:
        target = d.index_tensor(tshape, shape[1] if len(shape) > 1 else 1)
    kw = {}
    if d.p(0.3):
        kw["reduction"] = d.choice(("mean", "sum", "none"))
    if d.p(0.15):
        kw["ignore_index"] = d.choice((0, -100, 1))
    if name == "cross_entropy" and d.p(0.15):
        kw["label_smoothing"] = d.choice((0.1, 0.0))
    if name == "nll_loss" and x.base.dtype.kind == "f" and d.p(0.5):
        x = TensorSpec(-np.abs(x.base), x.views)
    return "F." + name, [x, target], kw


def _reshape(d, name):
    x = d.tensor()
    shape = x.shape()
    n = int(np.prod(shape, dtype=np.int64))
    if d.p(0.2):
        new = d.shape()
    else:
        new = list(_factor(d, n))
        if new and d.p(0.4):
            new[d.int(0, len(new) - 1)] = -1
    if d.p(0.05):
        new = [-1, -1] if d.p(0.5) else [-2, n]
    fn = d.choice(("reshape", ".reshape", ".view"))
    if fn == ".view" and d.p(0.5):
        return fn, [x] + list(new), {}
    return fn, [x, tuple(new)], {}


def _factor(d, n):
    if n == 0:
        return d.choice(((0,), (0, 3), (2, 0), (0, 0)))
    out = []
    while n > 1 and len(out) < 3:
        divs = [k for k in range(2, n + 1) if n % k == 0]
        k = d.choice(divs)
        out.append(k)
        n //= k
    if n > 1:
        out.append(n)
    if d.p(0.3):
        out.insert(d.int(0, len(out)), 1)
    return out


def _shape_op(d, name):
    x = d.tensor()
    nd = len(x.shape())
    dim = d.dim(nd)
    if name in ("transpose", "swapaxes"):
        return name, [x, dim, d.dim(nd)], {}
    if name == "permute":
        perm = list(d.r.permutation(nd)) if nd else []
        perm = [int(p) - (nd if d.p(0.2) else 0) for p in perm]
        if d.p(0.08):
            perm = perm[:-1] if perm else [0]
        return ("." + name if d.p(0.5) else name), [x, tuple(perm)], {}
    if name in ("squeeze", "unsqueeze"):
        if name == "squeeze" and d.p(0.3):
            return name, [x], {}
        if name == "unsqueeze":
            dim = d.int(-nd - 1, nd) if d.p(0.95) else nd + 2
        return ("." + name if d.p(0.5) else name), [x, dim], {}
    if name == "flatten":
        return name, [x, d.dim(nd), d.dim(nd)] if d.p(0.6) else [x], {}
    if name == "flip":
        dims = tuple({d.dim(nd) for _ in range(d.int(1, 2))})
        return name, [x, dims], {}
    if name == "roll":
        if d.p(0.25):
            return name, [x, d.int(-5, 5)], {}
        return name, [x, d.int(-5, 5), dim], {}
    if name == "movedim":
        return name, [x, dim, d.dim(nd)], {}
    if name == "narrow":
        size = x.shape()[dim] if -nd <= dim < nd and nd else 0
        start = d.int(-size, size) if d.p(0.9) else size + 1
        length = d.int(0, max(size - max(start, start + size if start < 0 else start), 0)) if d.p(0.9) else 3
        return name, [x, dim, start, length], {}
    if name in ("chunk",):
        return name, [x, d.int(0, 4), dim], {}
    if name == "split":
        size = x.shape()[dim] if -nd <= dim < nd and nd else 0
        if d.p(0.5) and size:
            parts = []
            left = size
            while left > 0:
                k = d.int(1, left)
                parts.append(k)
                left -= k
            if d.p(0.1):
                parts.append(1)
            return name, [x, parts, dim], {}
        return name, [x, d.int(0, 3), dim], {}
    if name == "unbind":
        return name, [x, dim], {}
    if name in ("t",):
        return name, [x], {}
    if name in ("tril", "triu"):
        return ("." + name if d.p(0.3) else name), [x, d.int(-3, 3)], {}
    if name == "diagonal":
        return name, [x], {"offset": d.int(-2, 2), "dim1": d.dim(nd), "dim2": d.dim(nd)}
    if name in ("expand",):
        shape = x.shape()
        new = [s if s != 1 or d.p(0.5) else d.int(0, 3) for s in shape]
        if d.p(0.3):
            new = [d.int(1, 2)] + new
        if new and d.p(0.3):
            new[d.int(0, len(new) - 1)] = -1 if d.p(0.8) else -2
        if d.p(0.1):
            new = list(d.shape())
        return ".expand", [x] + new, {}
    if name in ("repeat", "tile"):
        reps = [d.int(0, 3) for _ in range(max(nd + d.int(-1, 1), 0))]
        if d.p(0.05) and reps:
            reps[0] = -1
        return ("." + name), [x] + reps if name == "repeat" and d.p(0.5) else [x, tuple(reps)], {}
    if name == "repeat_interleave":
        rep = d.int(0, 3) if d.p(0.7) else d.index_tensor((x.shape()[dim],) if -nd <= dim < nd and nd else (1,), 3)
        return name, [x, rep], {"dim": dim} if d.p(0.7) else {}
    if name in ("contiguous", "clone", "flatten_all"):
        return "." + name, [x], {}
    if name == "to":
        return ".to", [x, DtypeSpec(d.dtype())], {}
    if name == "type_as":
        return ".type_as", [x, d.tensor((1,))], {}
    raise KeyError(name)


def _join(d, name):
    shape = d.shape(0 if name == "cat" else 0, 3)
    nd = len(shape)
    dim = d.dim(nd + (1 if name == "stack" else 0))
    parts = []
    dt = d.dtype()
    for _ in range(d.int(0 if d.p(0.05) else 1, 3)):
        s = list(shape)
        if name == "cat" and nd and -nd <= dim < nd:
            s[dim] = d.int(0, 3)
        if d.p(0.08):
            s = list(d.shape())
        parts.append(d.tensor(s, dt if d.p(0.7) else None))
    if name == "cat" and d.p(0.05):
        parts.append(TensorSpec(np.zeros((0,), dtype=dt)))
    return name, [parts if d.p(0.5) else tuple(parts), dim], {}


def _index_select(d, name):
    x = d.tensor()
    nd = len(x.shape())
    dim = d.dim(nd)
    size = x.shape()[dim] if -nd <= dim < nd and nd else 1
    idx = d.index_tensor((d.int(0, 4),) if d.p(0.9) else d.shape(0, 2), size)
    idx.base = np.where(idx.base.astype(np.int64) < 0, 0, idx.base) .astype(idx.base.dtype)
    return name, [x, dim, idx], {}


def _gather(d, name):
    x = d.tensor()
    shape = x.shape()
    nd = len(shape)
    dim = d.dim(nd)
    size = shape[dim] if -nd <= dim < nd and nd else 1
    ishape = tuple(d.int(0, s) for s in shape) if d.p(0.85) else d.shape()
    idx = d.index_tensor(ishape, size)
    idx.base = np.where(idx.base.astype(np.int64) < 0, 0, idx.base).astype(idx.base.dtype)
    if name == "gather":
        return ("." + name if d.p(0.3) else name), [x, dim, idx], {}
    if name == "scatter" and idx.base.dtype.kind in "iu" and len(ishape) == nd and nd \
            and -nd <= dim < nd and ishape[dim] <= size:
        # scatter with duplicate indices is unspecified in torch: write each target once
        full = list(ishape)
        full[dim] = size
        perm = np.argsort(d.r.random(full), axis=dim)
        idx.base = np.take(perm, np.arange(ishape[dim]), axis=dim).astype(idx.base.dtype)
    src = d.tensor(ishape if d.p(0.7) else tuple(s + 1 for s in ishape), x.base.dtype.name if d.p(0.85) else None)
    if name == "scatter" and d.p(0.3):
        src = d.scalar(("int", "float"))
    if name == "scatter_reduce":
        return name, [x, dim, idx, src, d.choice(("sum", "prod", "mean", "amax", "amin"))], \
            {"include_self": d.p(0.5)}
    return ("." + name if d.p(0.3) else name), [x, dim, idx, src], {}


def _index_add(d, name):
    x = d.tensor()
    nd = len(x.shape())
    dim = d.dim(nd)
    shape = list(x.shape())
    size = shape[dim] if -nd <= dim < nd and nd else 1
    n = d.int(0, 3)
    idx = d.index_tensor((n,), size)
    if name == "index_copy" and size:
        idx.base = d.r.permutation(size)[:n].astype(idx.base.dtype) if n <= size else idx.base
    if nd and -nd <= dim < nd:
        shape[dim] = n
    if name == "index_fill":
        return name, [x, dim, idx, d.scalar(("int", "float"))], {}
    return name, [x, dim, idx, d.tensor(shape, x.base.dtype.name if d.p(0.85) else None)], {}


def _take(d, name):
    x = d.tensor()
    n = int(np.prod(x.shape(), dtype=np.int64))
    return name, [x, d.index_tensor(d.shape(0, 2), n)], {}


def _masked(d, name):
    x = d.tensor()
    mask = d.tensor(d.other_shape(x.shape()), "bool" if d.p(0.9) else None)
    if name == "masked_select":
        return name, [x, mask], {}
    if name == "masked_fill":
        return name, [x, mask, d.scalar() if d.p(0.8) else d.tensor(())], {}
    return name, [x, mask, d.tensor(d.shape(), x.base.dtype.name)], {}


def _getitem(d, name):
    x = d.tensor(d.shape(1, 4) if d.p(0.9) else ())
    shape = x.shape()
    idx = []
    pos = 0
    for _ in range(d.int(1, min(len(shape) + 1, 3))):
        size = shape[pos] if pos < len(shape) else 1
        kind = d.r.random()
        if kind < 0.3:
            idx.append(d.int(-size, size - 1) if d.p(0.9) and size else d.choice((size, -size - 1)))
            pos += 1
        elif kind < 0.6:
            idx.append(slice(d.choice((None, 0, 1, -1, -3)), d.choice((None, 2, -1, 10)),
                             d.choice((None, 1, 2, 3)) if d.p(0.97) else d.choice((0, -1))))
            pos += 1
        elif kind < 0.67:
            idx.append(None)
        elif kind < 0.72:
            idx.append(Ellipsis)
            pos = len(shape)
        elif kind < 0.87:
            idx.append(d.index_tensor((d.int(0, 3),), max(size, 1)))
            pos += 1
        elif kind < 0.93:
            idx.append([d.int(-size, size - 1) if size else 0 for _ in range(d.int(1, 3))])
            pos += 1
        else:
            idx.append(d.tensor(shape[pos:pos + 1], "bool"))
            pos += 1
    key = idx[0] if len(idx) == 1 and d.p(0.5) else tuple(idx)
    if name == "setitem":
        return name, [x, key, d.scalar(("int", "float")) if d.p(0.6) else d.tensor(d.shape(0, 1))], {}
    return name, [x, key], {}


def _sort(d, name):
    x = d.tensor()
    nd = len(x.shape())
    dim = d.dim(nd)
    if name == "topk":
        size = x.shape()[dim] if -nd <= dim < nd and nd else 1
        k = d.int(0, size) if d.p(0.9) else size + 1
        return ("." + name if d.p(0.3) else name), [x, k, dim], {"largest": d.p(0.6), "sorted": True}
    if name == "kthvalue":
        size = x.shape()[dim] if -nd <= dim < nd and nd else 1
        return name, [x, d.int(1, size) if d.p(0.9) and size else d.int(0, size + 1), dim], {}
    if name == "sort":
        return name, [x], {"dim": dim, "descending": d.p(0.5), "stable": True}
    if name == "argsort":
        return name, [x], {"dim": dim, "descending": d.p(0.5), "stable": True}
    if name == "msort":
        return name, [x], {}
    raise KeyError(name)


def _matmul(d, name):
    k = d.int(0, 4)
    dt = d.dtype() if d.p(0.35) else d.dtype(FLOATS)
    dt2 = dt if d.p(0.85) else d.dtype()
    bad = d.p(0.08)
    if name == "matmul":
        a = d.shape(1, 3)
        b = d.shape(1, 3)
        a = a[:-1] + (k,)
        b = b[:-2] + (k + (1 if bad else 0),) + b[-1:] if len(b) >= 2 else (k + (1 if bad else 0),)
        return d.choice(("matmul", ".matmul")), [d.tensor(a, dt), d.tensor(b, dt2)], {}
    if name == "mm":
        m, n = d.int(0, 4), d.int(0, 4)
        return name, [d.tensor((m, k), dt), d.tensor((k + bad, n), dt2)], {}
    if name == "bmm":
        bt, m, n = d.int(0, 3), d.int(0, 3), d.int(0, 3)
        return name, [d.tensor((bt, m, k), dt), d.tensor((bt, k + bad, n), dt2)], {}
    if name == "mv":
        return name, [d.tensor((d.int(0, 3), k), dt), d.tensor((k + bad,), dt2)], {}
    if name in ("dot", "vdot", "inner"):
        return name, [d.tensor((k,), dt), d.tensor((k + bad,), dt2)], {}
    if name == "outer":
        return name, [d.tensor((k,), dt), d.tensor((d.int(0, 3),), dt2)], {}
    if name == "addmm":
        m, n = d.int(0, 3), d.int(0, 3)
        return name, [d.tensor(d.other_shape((m, n)), dt), d.tensor((m, k), dt), d.tensor((k + bad, n), dt2)], \
            {"beta": d.choice((1, 0.5, 0)), "alpha": d.choice((1, 2.0))}
    if name == "linear":
        m, n = d.int(0, 3), d.int(1, 3)
        bias = d.tensor((n,), dt) if d.p(0.5) else None
        return "F.linear", [d.tensor((m, k), dt), d.tensor((n, k + bad), dt2), bias], {}
    if name == "einsum":
        m = d.int(0, 3)
        return name, ["ij,jk->ik", d.tensor((m, k), dt), d.tensor((k + bad, 2), dt2)], {}
    raise KeyError(name)


def _cdist(d, name):
    k = d.int(1, 3)
    dt = d.dtype(FLOATS) if d.p(0.85) else d.dtype()
    return name, [d.tensor((d.int(0, 3), k), dt), d.tensor((d.int(0, 3), k), dt)], {"p": d.choice((2.0, 1.0))}


def _one_hot(d, name):
    x = d.index_tensor(d.shape(0, 2), 4)
    x.base = np.abs(x.base).astype(x.base.dtype) if x.base.dtype != np.bool_ else x.base
    return "F.one_hot", [x], {"num_classes": d.choice((-1, 4, 5, 2))}


def _pad(d, name):
    x = d.tensor(d.shape(1, 4))
    pads = tuple(d.int(-1, 2) for _ in range(2 * d.int(1, 2)))
    return "F.pad", [x, pads], {"value": d.choice((0.0, 1.5, 2))}


def _normalize(d, name):
    x = d.tensor(dtype=d.dtype(FLOATS) if d.p(0.8) else None)
    return "F.normalize", [x], {"dim": d.dim(len(x.shape())), "p": d.choice((2.0, 1.0))}


def _bucketize(d, name):
    b = np.sort(d.values((d.int(0, 5),), "float32"))
    return name, [d.tensor(), TensorSpec(b)], {"right": d.p(0.5)}


def _unique(d, name):
    return name, [d.tensor(d.shape(0, 2))], {"sorted": True, "return_counts": d.p(0.5)}


def _nonzero(d, name):
    return name, [d.tensor()], {}


def _flip_op(d, name):
    return name, [d.tensor(d.shape(0, 3))], {}


def _diag(d, name):
    return name, [d.tensor(d.shape(0, 2))], {}


def _trace(d, name):
    return name, [d.tensor(d.shape(1, 3) if d.p(0.2) else (d.int(0, 3), d.int(0, 3)))], {}


def _cross(d, name):
    dt = d.dtype()
    s = d.shape(0, 2) + (3,)
    return name, [d.tensor(s, dt), d.tensor(d.other_shape(s), dt)], {"dim": -1}


OPS = []  # (name, torch-side function text, generator, weight)


def _add(names, gen, weight):
    for n in names:
        OPS.append((n, gen, weight))


_add(UNARY, _unary, 1.0)
_add(BINARY, _binary, 1.3)
_add(INPLACE, _inplace, 1.0)
_add(("clamp", "clamp_min", "clamp_max"), _clamp, 1.5)
_add(("where",), _where, 2.0)
_add(("lerp",), _lerp, 1.0)
_add(("addcmul", "addcdiv"), _addc, 1.0)
_add(REDUCE, _reduce, 1.5)
_add(REDUCE_PAIR, _reduce_pair, 1.5)
_add(SCAN, _scan, 1.5)
_add(("softmax", "log_softmax"), _softmax, 2.0)
_add(("reshape",), _reshape, 3.0)
_add(("transpose", "swapaxes", "permute", "squeeze", "unsqueeze", "flatten", "flip", "roll",
      "movedim", "narrow", "chunk", "split", "unbind", "t", "tril", "triu", "diagonal", "expand",
      "repeat", "tile", "repeat_interleave", "contiguous", "clone", "to", "type_as"), _shape_op, 1.2)
_add(("cat", "stack"), _join, 3.0)
_add(("index_select",), _index_select, 2.0)
_add(("gather", "scatter", "scatter_add", "scatter_reduce"), _gather, 2.0)
_add(("index_add", "index_copy", "index_fill"), _index_add, 1.5)
_add(("take",), _take, 1.0)
_add(("masked_select", "masked_fill", "masked_scatter"), _masked, 1.5)
_add(("getitem", "setitem"), _getitem, 4.0)
_add(("sort", "argsort", "topk", "kthvalue", "msort"), _sort, 2.0)
_add(("matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "addmm", "linear", "einsum"),
     _matmul, 1.5)
_add(ACT, _act, 1.0)
_add(LOSS, _loss, 1.3)
_add(("cross_entropy", "nll_loss"), _class_loss, 2.0)
_add(("cdist",), _cdist, 0.5)
_add(("one_hot",), _one_hot, 0.7)
_add(("pad",), _pad, 0.7)
_add(("normalize",), _normalize, 0.7)
_add(("bucketize",), _bucketize, 0.5)
_add(("unique",), _unique, 0.5)
_add(("nonzero", "count_nonzero_all"), _nonzero, 0.5)
_add(("fliplr", "flipud"), _flip_op, 0.5)
_add(("diag",), _diag, 0.5)
_add(("trace",), _trace, 0.5)
_add(("cross",), _cross, 0.5)

_WEIGHTS = np.array([w for _, _, w in OPS])
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def make_case(seed, index):
    rng = np.random.default_rng([seed, index])
    d = Draw(rng)
    name, gen, _ = OPS[int(rng.choice(len(OPS), p=_WEIGHTS))]
    fn, args, kwargs = gen(d, name)
    if fn == "count_nonzero_all":
        fn = "count_nonzero"
    return Case(seed, index, name, fn, args, kwargs)


# -- running -------------------------------------------------------------------------------------

def resolve(fn, lib, args):
    if fn.startswith("F."):
        return getattr(lib.nn.functional, fn[2:])
    if fn.startswith("."):
        return getattr(args[0], fn[1:])
    if fn == "getitem":
        return operator.getitem
    if fn == "setitem":
        return operator.setitem
    return getattr(lib, fn)


def run_one(case, lib):
    """('ok', result, first argument after the call) or ('raise', exception)."""
    args = materialise(case.args, lib)
    kwargs = materialise(case.kwargs, lib)
    try:
        f = resolve(case.fn, lib, args)
    except AttributeError as e:
        return ("missing", e)
    try:
        if case.fn.startswith("."):
            call_args = args[1:]
        else:
            call_args = args
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                out = f(*call_args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the point is to see what escapes
        return ("raise", e)
    mutated = case.fn == "setitem" or case.fn.endswith("_")
    return ("ok", out, args[0] if mutated else None)


def _normal(x, lib):
    """A result as plain Python and NumPy values: ('T', dtype, shape, array) for a tensor."""
    if isinstance(x, lib.Tensor):
        x = x.detach()
        return ("T", str(x.dtype).rsplit(".", 1)[-1], tuple(x.shape), x.numpy().copy())
    if isinstance(x, (list, tuple)):
        return tuple(_normal(v, lib) for v in x)
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if x is not None and not isinstance(x, (bool, int, float, str)):
        return ("other", type(x).__name__, repr(x)[:60])
    return x


def _close(a, b, op):
    if type(a) is not type(b):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return type(a) is type(b), "scalar types differ"
        return False, f"{type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, tuple) and a and a[0] == "T":
        _, da, sa, va = a
        _, db, sb, vb = b
        if da != db:
            return False, f"dtype {da} vs {db}"
        if sa != sb:
            return False, f"shape {sa} vs {sb}"
        if da in TOL:
            rtol, atol = TOL[da]
            va64, vb64 = va.astype(np.float64), vb.astype(np.float64)
            if not np.array_equal(np.isnan(va64), np.isnan(vb64)):
                return False, "NaN positions differ"
            with np.errstate(all="ignore"):
                ok = np.isclose(va64, vb64, rtol=rtol, atol=atol, equal_nan=True)
            if not ok.all():
                return False, f"values differ ({int((~ok).sum())} of {ok.size})"
            return True, ""
        if not np.array_equal(va, vb):
            return False, f"values differ ({int((va != vb).sum())} of {va.size})"
        return True, ""
    if isinstance(a, tuple):
        if len(a) != len(b):
            return False, f"{len(a)} vs {len(b)} results"
        for x, y in zip(a, b):
            ok, why = _close(x, y, op)
            if not ok:
                return ok, why
        return True, ""
    if isinstance(a, float) and not (math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)):
        return False, f"{a!r} vs {b!r}"
    if not isinstance(a, float) and a != b:
        return False, f"{a!r} vs {b!r}"
    return True, ""


# ops whose index results may legitimately differ under ties: compare what the indices select
_TIE_INDEX_OPS = {"max", "min", "median", "nanmedian", "mode", "kthvalue", "cummax", "cummin",
                  "topk", "sort", "argsort", "msort", "argmax", "argmin"}


def _tie_equivalent(case, e_out, t_out, torch, ember):
    """For ops returning indices: the same values, and indices selecting equal elements."""
    if case.op not in _TIE_INDEX_OPS:
        return False
    x = materialise(case.args[0], torch)
    if not isinstance(x, torch.Tensor):
        return False
    dim = case.kwargs.get("dim", case.args[1] if len(case.args) > 1 and isinstance(case.args[1], int) and
                          case.op not in ("topk", "kthvalue") else None)
    if case.op in ("topk", "kthvalue"):
        dim = case.args[2] if len(case.args) > 2 else -1
    eo = e_out if isinstance(e_out, tuple) else (e_out,)
    to = t_out if isinstance(t_out, tuple) else (t_out,)
    if len(eo) != len(to):
        return False
    try:
        ex = [torch.from_numpy(o.detach().numpy().copy()) if isinstance(o, ember.Tensor) else o for o in eo]
        for a, b in zip(ex, to):
            if a.dtype != b.dtype or a.shape != b.shape:
                return False
            if a.dtype == torch.int64 and case.op not in ("mode",):
                xs = x if dim is not None else x.reshape(-1)
                d = dim if dim is not None else 0
                if xs.dim() == 0:
                    xs = xs.reshape(1)
                    a, b = a.reshape(1), b.reshape(1)
                keep = a.dim() == xs.dim()
                ga = xs.gather(d, a if keep else a.unsqueeze(d))
                gb = xs.gather(d, b if keep else b.unsqueeze(d))
                if not torch.equal(ga, gb) and not (ga.isnan() & gb.isnan() | (ga == gb)).all():
                    return False
            elif not torch.equal(a, b) and not (a.isnan() & b.isnan() | (a == b)).all():
                return False
        return True
    except Exception:  # noqa: BLE001
        return False


def _base_class(e):
    for c in type(e).__mro__:
        if c in TORCH_CLASSES or c.__module__ == "builtins":
            return c
    return Exception


_INTERNAL = (AttributeError, KeyError, ZeroDivisionError, MemoryError, OverflowError, NameError,
             AssertionError, RecursionError, FloatingPointError, UnboundLocalError, LookupError,
             ArithmeticError, SystemError)


def _internal(e, torch_exc):
    """An ember exception that exposes the implementation rather than torch's contract."""
    if torch_exc is not None and _base_class(torch_exc) is _base_class(e):
        return False
    if type(e).__module__.startswith("numpy"):
        return True
    tb = traceback.extract_tb(e.__traceback__)
    if tb and ("/numpy/" in tb[-1].filename or "numpy" in tb[-1].filename.rsplit("/", 1)[-1]):
        return True
    if isinstance(e, _INTERNAL) and not isinstance(e, IndexError):
        return True
    return isinstance(e, ValueError) and torch_exc is not None


class Outcome:
    __slots__ = ("case", "category", "detail", "internal", "ember_exc", "torch_exc")

    def __init__(self, case, category, detail="", internal=False, ember_exc=None, torch_exc=None):
        self.case, self.category, self.detail, self.internal = case, category, detail, internal
        self.ember_exc, self.torch_exc = ember_exc, torch_exc

    def __repr__(self):
        text = f"{self.category}: {self.case}"
        if self.detail:
            text += f"\n    {self.detail}"
        return text


def _exc_text(e):
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}({msg[:150]!r})"


def compare(case, torch, ember):
    t = run_one(case, torch)
    e = run_one(case, ember)
    if e[0] == "missing":
        return Outcome(case, "missing", f"not in ember: {case.fn}")
    if t[0] == "raise" and e[0] == "raise":
        te, ee = t[1], e[1]
        if _base_class(te) is _base_class(ee):
            return Outcome(case, "same")
        return Outcome(case, "exc_class", f"ember {_exc_text(ee)} / torch {_exc_text(te)}",
                       _internal(ee, te), ee, te)
    if e[0] == "raise":
        return Outcome(case, "ember_raises", f"ember {_exc_text(e[1])}", _internal(e[1], None), e[1])
    if t[0] == "raise":
        return Outcome(case, "torch_raises", f"torch {_exc_text(t[1])}", torch_exc=t[1])
    ok, why = _close(_normal(e[1], ember), _normal(t[1], torch), case.op)
    if ok and e[2] is not None:
        ok, why = _close(_normal(e[2], ember), _normal(t[2], torch), case.op)
        why = why and "mutated input: " + why
    if not ok and _tie_equivalent(case, e[1], t[1], torch, ember):
        ok = True
    if ok:
        return Outcome(case, "same")
    return Outcome(case, "wrong_values", why)


CATEGORIES = ("same", "exc_class", "ember_raises", "torch_raises", "wrong_values", "missing")


def run(cases, seed=0, start=0):
    """Outcomes of cases start .. start+cases-1 of `seed`."""
    import torch

    import ember
    out = []
    for i in range(start, start + cases):
        out.append(compare(make_case(seed, i), torch, ember))
    return out


def same_rate(outcomes):
    """Percent of the cases (of functions ember has) that behave as torch."""
    counted = [o for o in outcomes if o.category != "missing"]
    return 100.0 * sum(o.category == "same" for o in counted) / max(len(counted), 1)


def summary(outcomes, show=20, elapsed=None):
    counts = collections.Counter(o.category for o in outcomes)
    n = len(outcomes) - counts["missing"]
    lines = [f"cases: {n} (+{counts['missing']} of functions ember lacks, not counted)" +
             (f"  ({elapsed:.1f} s)" if elapsed is not None else ""),
             f"same as torch: {counts['same']} ({same_rate(outcomes):.2f}%)"]
    for c in CATEGORIES[1:-1]:
        lines.append(f"  {c:13s} {counts[c]}")
    internal = [o for o in outcomes if o.internal]
    lines.append(f"  internal exceptions reaching the user: {len(internal)}")
    missing = collections.Counter(o.case.fn for o in outcomes if o.category == "missing")
    if missing:
        lines.append("not in ember: " + ", ".join(sorted(missing)))
    bad = [o for o in outcomes if o.category not in ("same", "missing")]
    by_op = collections.Counter(o.case.op for o in bad)
    if by_op:
        lines.append("top mismatching ops: " + ", ".join(f"{k} {v}" for k, v in by_op.most_common(15)))
    classes = collections.Counter(type(o.ember_exc).__name__ for o in bad if o.ember_exc is not None)
    if classes:
        lines.append("ember exception classes in mismatches: " +
                     ", ".join(f"{k} {v}" for k, v in classes.most_common()))
    for o in (internal + [o for o in bad if not o.internal])[:show]:
        lines.append(("[internal] " if o.internal else "") + repr(o))
    return "\n".join(lines)


def cli_parser(doc):
    """The options both fuzzers' command lines share (the nn-level one adds --family)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=25, help="mismatches to print")
    ap.add_argument("--replay", type=int, nargs="*", help="case indices to run and show in full")
    return ap


def main(argv=None):
    ap = cli_parser(__doc__)
    ap.add_argument("--op", help="only cases of this op (scans the seed's cases)")
    a = ap.parse_args(argv)
    import torch

    import ember
    if a.replay:
        for i in a.replay:
            case = make_case(a.seed, i)
            print(case)
            for name, lib in (("torch", torch), ("ember", ember)):
                r = run_one(case, lib)
                print(f"  {name}: " + (_exc_text(r[1]) if r[0] == "raise" else repr(r[1])))
            print("  ->", compare(case, torch, ember).category)
        return 0
    t0 = time.perf_counter()
    if a.op:
        outcomes = [compare(c, torch, ember) for c in (make_case(a.seed, i) for i in range(a.cases))
                    if c.op == a.op]
    else:
        outcomes = run(a.cases, a.seed)
    print(summary(outcomes, a.show, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
