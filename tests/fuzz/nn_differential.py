"""Differential fuzzing of ember's nn layer against PyTorch: random modules, functionals, losses,
optimizers and LR schedulers, run forward and backward in both, classified.

Each case picks a family (conv, pool, loss ...) and draws a configuration from its own generator,
``numpy.random.default_rng([seed, case])``; parameters and cotangents come from generators keyed on
the case as well, so any case replays alone:

    python -m tests.fuzz.nn_differential --seed S --replay I

A whole run prints the share of cases that behave as torch, per family, and the first mismatches
with their replay lines:

    python -m tests.fuzz.nn_differential --cases 3000 --seed 0 --show 40 [--family conv]

One run of a case, in each framework: the case's arrays become tensors, those shown as `grad:...`
requiring grad; a module is moved to the case's dtype and gets its parameters and running statistics
from the case's generator (the same values in both); the forward runs, then backward of
sum(out * cotangent) over the outputs that require grad. Compared, in order: every output (dtype,
shape, requires_grad, values within tolerance, NaN positions), the gradient of every input and
parameter, then every input, parameter and buffer after the step (running statistics, weights
renormalised by max_norm, inputs changed in place). Optimizers give the parameters after each step,
schedulers the learning rates.

Tolerances are relative to the largest magnitude of torch's result (TOL). Where float32 results
differ, the case runs again in torch with every float32 array and dtype in float64: ember's results
within float32 tolerance of that reference differ by rounding only (some layers amplify it), and
count as the same.

Categories and internal exceptions are the op-level fuzzer's (tests/fuzz/differential.py). Where
both raise, the stage counts too: torch raising in forward where ember raises only in backward is
torch_raises (ember accepted the forward), the other way round ember_raises.

Left out, as nothing deterministic can be compared: dropout with p > 0, RReLU in training, and the
fast paths torch takes only without autograd. Also left out, each where it is drawn and with the
reason: configurations where torch 2.13 itself misbehaves (crashes, uninitialised or inconsistent
results, errors its documentation does not give).
"""
import collections
import sys
import time
import warnings
import zlib

import numpy as np

from . import differential as fz

FLOATS = ("float32", "float64")
# (rtol, atol); atol is scaled by the reference's largest finite magnitude, as sums of many terms
# carry an error relative to their terms, not to their result. float32 is looser than the op-level
# fuzzer's: a normalisation divides by a standard deviation that can be far below its inputs'
# magnitude, which amplifies float32 rounding differently in each framework (see also
# _float32_rounding); the float64 cases check the numerics tightly
TOL = {"float32": (1e-3, 1e-4), "float64": (1e-7, 1e-9), "bfloat16": (1e-2, 1e-3)}
# apis whose results hold bfloat16's precision whatever their dtype: torch's Muon orthogonalises the
# update in bfloat16, and ember rounds as bfloat16 does (NOTE [ Muon's bfloat16 ]); the order of the
# sums decides some roundings
BFLOAT16_APIS = {"optim.Muon"}
STAGES = ("forward", "backward", "result")


# -- specs and cases -----------------------------------------------------------------------------

class Grad(fz.TensorSpec):
    """An input that requires grad (when floating): its gradient is compared."""
    __slots__ = ()

    def __repr__(self):
        return "grad:" + super().__repr__()


class LogProbs(Grad):
    """A leaf passed on through log_softmax over its last dim (CTC's input, as torch's docs use it)."""
    __slots__ = ()

    def __repr__(self):
        return "log_softmax:" + fz.TensorSpec.__repr__(self)


class Fn:
    """A function argument, by name: the same function written with each framework."""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


FUNCTIONS = {
    "pairwise_distance": lambda lib: lib.nn.functional.pairwise_distance,
    "cosine_distance": lambda lib: lambda a, b: 1.0 - lib.nn.functional.cosine_similarity(a, b),
    "decay": lambda lib: lambda epoch: 0.85 ** epoch,
    "warmup": lambda lib: lambda epoch: min(1.0, (epoch + 1) / 4),
    "shrink": lambda lib: lambda epoch: 0.9,
}


class Case:
    """One configuration of `api` (a path below the framework: 'nn.Conv2d', 'F.pad', 'optim.Adam')."""
    __slots__ = ("seed", "index", "family", "api", "cfg")

    def __init__(self, seed, index, family, api, cfg):
        self.seed, self.index, self.family, self.api, self.cfg = seed, index, family, api, cfg

    @property
    def op(self):  # the op-level summary groups mismatches by `op` and lists missing `fn`
        return self.api

    fn = op

    def __repr__(self):
        replay = f"python -m tests.fuzz.nn_differential --seed {self.seed} --replay {self.index}"
        return (f"seed={self.seed} case={self.index} family={self.family} api={self.api} {self.cfg!r}"
                f"\n    replay: {replay}")


def resolve(lib, path):
    obj = lib.nn.functional if path.startswith("F.") else lib
    for part in path.removeprefix("F.").split("."):
        obj = getattr(obj, part)
    return obj


# -- drawing -------------------------------------------------------------------------------------

class Draw(fz.Draw):
    """The op-level draws with finite, normally distributed floats: nn tolerances are tight, and
    NaNs from the inputs would hide what the layer itself does."""

    def values(self, shape, dtype):
        if dtype in FLOATS:
            return self.r.standard_normal(shape).astype(dtype)
        return super().values(shape, dtype)

    def fdtype(self):
        return "float32" if self.p(0.2) else "float64"

    def ints(self, n, lo, hi):
        """An int or an n-tuple of ints in [lo, hi], as nn's size arguments take either."""
        if self.p(0.5):
            return self.int(lo, hi)
        return tuple(self.int(lo, hi) for _ in range(n))

    def leaf(self, shape, dtype, strided=0.15):
        spec = self.tensor(shape, dtype, strided)
        return Grad(spec.base, spec.views)

    def uniform(self, shape, lo, hi, dtype, grad=False):
        base = self.r.uniform(lo, hi, shape).astype(dtype)
        return Grad(base) if grad else fz.TensorSpec(base)

    def signs(self, shape, dtype):
        return fz.TensorSpec(np.where(self.r.random(shape) < 0.5, -1.0, 1.0).astype(dtype))

    def batch(self, lo=0, hi=3, unbatched=0.0):
        """A batch prefix: () for an unbatched input, else (N,) with N sometimes 0."""
        if self.p(unbatched):
            return ()
        return (0,) if lo == 0 and self.p(0.05) else (self.int(max(lo, 1), hi),)


def _tuple(v, n):
    return v if isinstance(v, tuple) else (v,) * n


# -- conv ----------------------------------------------------------------------------------------

def _conv(d):
    nd, transposed = d.int(1, 3), d.p(0.4)
    groups = d.choice((1, 1, 2, 3))
    cin, cout = groups * d.int(1, 2), groups * d.int(1, 2) + (1 if d.p(0.03) else 0)
    kernel = d.ints(nd, 1, 3)
    kw = {"stride": d.ints(nd, 1, 3), "dilation": d.ints(nd, 1, 2), "padding": d.ints(nd, 0, 2)}
    if transposed:
        kw["output_padding"] = d.ints(nd, 0, 1) if d.p(0.5) else 0
    elif d.p(0.3):
        kw["padding"] = d.choice(("same", "valid"))
    dtype = d.fdtype()
    x = d.leaf(d.batch(unbatched=0.15) + (cin,) + tuple(d.int(1, 5) for _ in range(nd)), dtype)
    bias = d.p(0.7)
    if d.p(0.55):
        init_kw = dict(kw, groups=groups, bias=bias)
        if not transposed or d.p(0.1):
            init_kw["padding_mode"] = d.choice(("zeros", "reflect", "replicate", "circular"))
        name = f"nn.ConvTranspose{nd}d" if transposed else f"nn.Conv{nd}d"
        return name, {"init": [cin, cout, kernel], "init_kw": init_kw, "dtype": dtype, "args": [x]}
    k = _tuple(kernel, nd)
    wshape = (cin, cout // groups) + k if transposed else (cout, cin // groups) + k
    b = d.leaf((cout,), dtype) if bias else None
    name = f"F.conv_transpose{nd}d" if transposed else f"F.conv{nd}d"
    return name, {"args": [x, d.leaf(wshape, dtype), b], "kw": dict(kw, groups=groups)}


# -- pooling -------------------------------------------------------------------------------------

POOL_MODULES = {"max": "MaxPool", "avg": "AvgPool", "lp": "LPPool", "adaptive_max": "AdaptiveMaxPool",
                "adaptive_avg": "AdaptiveAvgPool"}


def _pool_input(d, nd):
    shape = d.batch(unbatched=0.2) + (d.int(1, 3),) + tuple(d.int(1, 6) for _ in range(nd))
    return d.leaf(shape, d.fdtype())


def _window(d, nd, padding=True):
    kernel = d.ints(nd, 1, 3)
    kw = {"kernel_size": kernel}
    if d.p(0.7):
        kw["stride"] = d.ints(nd, 1, 3)
    if padding and d.p(0.6):  # at most half the kernel, as torch requires, and now and then more
        kw["padding"] = d.ints(nd, 0, 1) if d.p(0.1) else tuple(d.int(0, k // 2) for k in _tuple(kernel, nd))
    return kw


def _padding_only_window(size, kw):
    """Whether a dilated max-pooling window holds padding only: torch 2.13 then returns indices past
    the input, and its backward writes out of bounds (heap corruption)."""
    nd = len(size)
    k, p, dil = (_tuple(kw.get(name, default), nd) for name, default in
                 (("kernel_size", 1), ("padding", 0), ("dilation", 1)))
    s = _tuple(kw.get("stride") or kw["kernel_size"], nd)
    for i in range(nd):
        span = size[i] + 2 * p[i] - dil[i] * (k[i] - 1) - 1
        out = (-(-span // s[i]) if kw["ceil_mode"] else span // s[i]) + 1
        if kw["ceil_mode"] and (out - 1) * s[i] >= size[i] + p[i]:
            out -= 1  # the last window starts inside the input or its left padding
        taps = [[o * s[i] - p[i] + j * dil[i] for j in range(k[i])] for o in range(max(out, 0))]
        if any(all(not 0 <= t < size[i] for t in window) for window in taps):
            return True
    return False


def _pool(d):
    kind, nd = d.choice(tuple(POOL_MODULES)), d.int(1, 3)
    x = _pool_input(d, nd)
    if kind.startswith("adaptive"):
        kw = {"output_size": d.ints(nd, 1, 4)}
        if nd > 1 and d.p(0.2):
            kw["output_size"] = tuple(None if d.p(0.4) else d.int(1, 4) for _ in range(nd))
        if kind == "adaptive_max":
            kw["return_indices"] = d.p(0.4)
    else:
        kw = _window(d, nd, padding=kind != "lp")
        kw["ceil_mode"] = d.p(0.4)
    if kind == "max":
        kw["dilation"] = d.ints(nd, 1, 2)
        if _padding_only_window(x.shape()[-nd:], kw):
            kw["dilation"] = 1
        kw["return_indices"] = d.p(0.4)
    elif kind == "avg":
        kw["count_include_pad"] = d.p(0.5)
        if nd > 1 and d.p(0.3):
            kw["divisor_override"] = d.choice((1, 2, 3))
    elif kind == "lp":
        if nd == 1:  # LPPool1d takes ints only: torch multiplies by kernel_size
            kw = {k: v[0] if isinstance(v, tuple) else v for k, v in kw.items()}
        kw = {"norm_type": d.choice((1, 2, 3, 1.5)), **kw}
    if d.p(0.4):
        return f"nn.{POOL_MODULES[kind]}{nd}d", {"init_kw": kw, "dtype": x.base.dtype.name, "args": [x]}
    return f"F.{kind}_pool{nd}d", {"args": [x], "kw": kw}


def _unpool(d):
    nd = d.int(1, 3)
    x = _pool_input(d, nd)
    window = _window(d, nd)
    if _unpooled_empty(x.shape()[-nd:], window):  # torch returns it, then fails in backward
        window.pop("padding", None)
    cfg = {"x": x, "window": window, "ceil_mode": d.p(0.3)}
    if d.p(0.4):
        cfg["output_size"] = tuple(d.int(1, 8) for _ in range(nd))
    return f"F.max_unpool{nd}d", cfg


def _unpooled_empty(size, window):
    """Whether max_unpool's default output size, (pooled - 1) * stride - 2 * padding + kernel, is 0."""
    nd = len(size)
    k, p = _tuple(window["kernel_size"], nd), _tuple(window.get("padding", 0), nd)
    s = _tuple(window.get("stride") or window["kernel_size"], nd)
    pooled = [(n + 2 * pi - ki) // si + 1 for n, ki, pi, si in zip(size, k, p, s)]
    return any((m - 1) * si - 2 * pi + ki <= 0 for m, ki, pi, si in zip(pooled, k, p, s))


def _run_unpool(run, c):
    pool = resolve(run.lib, run.case.api.replace("unpool", "pool"))
    out, idx = pool(run.value(c["x"], "x"), ceil_mode=c["ceil_mode"], return_indices=True, **c["window"])
    return out, idx, run.fn(out, idx, output_size=c.get("output_size"), **c["window"])


# -- resampling and rearranging ------------------------------------------------------------------

INTERP_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _interp_size(size, kw):
    if "size" in kw:
        return _tuple(kw["size"], len(size))
    return tuple(int(n * f) for n, f in zip(size, _tuple(kw["scale_factor"], len(size))))


def _interpolate(d):
    mode = d.choice(("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"))
    nd = INTERP_RANK.get(mode) or d.int(1, 3)
    if d.p(0.04):
        nd = d.int(1, 3)
    x = d.leaf((d.int(1, 2) if d.p(0.95) else 0, d.int(1, 2)) + tuple(d.int(1, 5) for _ in range(nd)),
               d.fdtype())
    kw = {"mode": mode}
    if d.p(0.5):
        kw["size"] = d.ints(nd, 1, 7)
    else:
        scales = (0.5, 1.5, 2, 2.0, 1.7, 0.34, 3, 1.0, 0.8, 2.5)
        kw["scale_factor"] = d.choice(scales) if d.p(0.5) else tuple(d.choice(scales) for _ in range(nd))
        if d.p(0.5):
            kw["recompute_scale_factor"] = d.p(0.5)
    if (mode in INTERP_RANK or d.p(0.05)) and d.p(0.6):
        kw["align_corners"] = d.p(0.5)
    # antialiased, but not into one column from several rows: torch 2.13 then returns one value per
    # image (it disagrees with itself resizing one dim at a time)
    out = _interp_size(x.shape()[2:], kw)
    if mode in ("bilinear", "bicubic") and d.p(0.2) and not (out[-1] == 1 < out[0]):
        kw["antialias"] = True
    if d.p(0.2) and "antialias" not in kw:
        return "nn.Upsample", {"init_kw": kw, "dtype": x.base.dtype.name, "args": [x]}
    return "F.interpolate", {"args": [x], "kw": kw}


def _torch_pads_badly(mode, size, left, right):
    """Whether torch 2.13 misbehaves padding a dim of `size` by (left, right) in a mode other than
    'constant': an empty or negative result (numel overflow, uninitialised gradients), or a circular
    wrap longer than what the negative pad leaves (uninitialised values, internal-overlap errors,
    gradients that miss some uses)."""
    kept = size + min(left, 0) + min(right, 0)
    wraps_past = mode == "circular" and min(left, right) < 0 and max(left, right) > kept
    return size + left + right < 1 or kept < 1 or wraps_past


def _pad(d):
    mode = d.choice(("constant", "reflect", "replicate", "circular"))
    ndim = d.int(1, 5)
    pairs = d.int(1, min(3, ndim))
    if mode != "constant" and d.p(0.85):  # the ranks these modes take: (N,) C and 1 to 3 padded dims
        pairs = d.int(1, 3)
        ndim = pairs + d.int(1, 2)
    shape = tuple(0 if d.p(0.03) else d.int(1, 4) for _ in range(ndim))
    pads = [d.int(-2, 3) if d.p(0.7) else d.int(0, 2) for _ in range(2 * pairs)]
    if mode != "constant":
        for i in range(min(pairs, ndim)):
            if _torch_pads_badly(mode, shape[-1 - i], *pads[2 * i:2 * i + 2]):
                pads[2 * i:2 * i + 2] = [max(v, 0) for v in pads[2 * i:2 * i + 2]]
    kw = {"mode": mode}
    if mode == "constant" and d.p(0.5):
        kw["value"] = d.choice((1.5, -2.0, 0.0))
    return "F.pad", {"args": [d.leaf(shape, d.fdtype()), tuple(pads)], "kw": kw}


def _blocks(size, k, dil, pad, stride):
    return (size + 2 * pad - dil * (k - 1) - 1) // stride + 1


def _fold(d):
    kw = {"kernel_size": d.ints(2, 1, 3), "dilation": d.ints(2, 1, 2), "padding": d.ints(2, 0, 1),
          "stride": d.ints(2, 1, 2)}
    dtype, c = d.fdtype(), d.int(1, 2)
    batch = d.batch(unbatched=0.2)
    if d.p(0.5):
        x = d.leaf(batch + (c, d.int(1, 5), d.int(1, 5)), dtype)
        return ("nn.Unfold", {"init_kw": kw, "dtype": dtype, "args": [x]}) if d.p(0.3) else \
            ("F.unfold", {"args": [x], "kw": kw})
    out = (d.int(1, 5), d.int(1, 5))
    per = [_tuple(kw[k], 2) for k in ("kernel_size", "dilation", "padding", "stride")]
    blocks = [_blocks(out[i], *(p[i] for p in per)) for i in range(2)]
    n = max(blocks[0], 0) * max(blocks[1], 0) if d.p(0.9) else d.int(0, 6)
    x = d.leaf(batch + (c * per[0][0] * per[0][1], n), dtype)
    kw["output_size"] = out if d.p(0.7) else out[0]
    if d.p(0.3):
        return "nn.Fold", {"init_kw": kw, "dtype": dtype, "args": [x]}
    return "F.fold", {"args": [x], "kw": kw}


def _shuffle(d):
    kind = d.choice(("pixel_shuffle", "pixel_unshuffle", "channel_shuffle"))
    r, c, dtype = d.int(1, 3), d.int(1, 2), d.fdtype()
    lead = tuple(d.int(1, 2) for _ in range(d.int(0, 2)))
    h, w = d.int(1, 3), d.int(1, 3)
    if kind == "pixel_shuffle":
        shape = lead + (c * r * r + (1 if d.p(0.05) else 0), h, w)
    elif kind == "pixel_unshuffle":
        shape = lead + (c, h * r, w * r + (1 if d.p(0.05) else 0))
    else:
        shape = (d.int(1, 2), c * r) + tuple(d.int(1, 3) for _ in range(d.int(0, 2)))
    x = d.leaf(shape, dtype)
    module = {"pixel_shuffle": "PixelShuffle", "pixel_unshuffle": "PixelUnshuffle",
              "channel_shuffle": "ChannelShuffle"}[kind]
    if d.p(0.3):
        return f"nn.{module}", {"init": [r], "dtype": dtype, "args": [x]}
    return f"F.{kind}", {"args": [x, r]}


def _grid(d):
    nd, dtype = d.choice((2, 2, 3)), d.fdtype()
    n, c = d.int(1, 2), d.int(1, 2)
    size = tuple(d.int(1, 4) for _ in range(nd))
    out = tuple(d.int(1, 3) for _ in range(nd))
    cfg = {}
    if d.p(0.5):
        theta = d.r.standard_normal((n, nd, nd + 1)) * 0.5 + np.eye(nd, nd + 1)
        cfg["theta"] = Grad(theta.astype(dtype))
        cfg["size"] = (n if d.p(0.95) else n + 1, c) + out
        cfg["grid_align"] = d.p(0.5)
    else:
        cfg["grid"] = d.uniform((n,) + out + (nd,), -1.3, 1.3, dtype, grad=True)
    if d.p(0.15) and "theta" in cfg:
        return "F.affine_grid", cfg
    cfg["x"] = d.leaf((n, c) + size, dtype)
    cfg["kw"] = {"mode": d.choice(("bilinear", "nearest", "bicubic")),
                 "padding_mode": d.choice(("zeros", "border", "reflection")), "align_corners": d.p(0.5)}
    return "F.grid_sample", cfg


def _run_grid(run, c):
    F = run.lib.nn.functional
    if "theta" in c:
        grid = F.affine_grid(run.value(c["theta"], "theta"), c["size"], align_corners=c["grid_align"])
    else:
        grid = run.value(c["grid"], "grid")
    if "x" not in c:
        return grid
    return grid, F.grid_sample(run.value(c["x"], "x"), grid, **c["kw"])


# -- normalisation -------------------------------------------------------------------------------

def _norm(d):
    kind = d.choice(("batch", "instance", "layer", "group", "rms", "lrn"))
    dtype = d.fdtype()
    return {"batch": _batch_norm, "instance": _instance_norm, "layer": _layer_norm,
            "group": _group_norm, "rms": _rms_norm, "lrn": _lrn}[kind](d, dtype)


def _running(d, c, dtype):
    # contiguous: they are updated in place, and through an expanded view torch writes the last
    # channel's statistics into every channel (ember refuses to write into it)
    return d.tensor((c,), dtype, 0), d.uniform((c,), 0.5, 2.0, dtype)


def _affine(d, shape, dtype, p=0.7, strided=0.15):
    if d.p(p):
        return d.leaf(shape, dtype, strided), d.leaf(shape, dtype, strided) if d.p(0.8) else None
    return None, None


def _batch_norm(d, dtype):
    nd, c = d.int(1, 3), d.int(1, 3)
    spatial = tuple(d.int(1, 3) for _ in range(d.int(0, 1) if nd == 1 else nd))  # BatchNorm1d: (N, C[, L])
    x = d.leaf((d.int(1, 3) if d.p(0.95) else 0, c) + spatial, dtype)
    train, eps, momentum = d.p(0.6), d.choice((1e-5, 1e-3)), d.choice((0.1, 0.5, None))
    if d.p(0.3):
        mean, var = _running(d, c, dtype) if d.p(0.7) else (None, None)
        # a contiguous weight: torch 2.13's eval-mode backward reads a strided one as if contiguous
        weight, bias = _affine(d, (c,), dtype, strided=0)
        return "F.batch_norm", {"args": [x, mean, var, weight, bias, train, momentum or 0.1, eps]}
    init_kw = {"eps": eps, "momentum": momentum, "affine": d.p(0.7), "track_running_stats": d.p(0.7)}
    num = c if d.p(0.95) else c + 1
    return f"nn.BatchNorm{nd}d", {"init": [num], "init_kw": init_kw, "dtype": dtype, "train": train,
                                  "repeat": d.int(1, 2), "args": [x]}


def _instance_norm(d, dtype):
    nd, c = d.int(1, 3), d.int(1, 3)
    x = d.leaf(d.batch(1, 3, unbatched=0.2) + (c,) + tuple(d.int(1, 3) for _ in range(nd)), dtype)
    train, eps, momentum = d.p(0.6), d.choice((1e-5, 1e-3)), d.choice((0.1, 0.5, None))
    if d.p(0.3):
        mean, var = _running(d, c, dtype) if d.p(0.5) else (None, None)
        weight, bias = _affine(d, (c,), dtype, 0.5)
        return "F.instance_norm", {"args": [x, mean, var, weight, bias, train or mean is None,
                                            momentum or 0.1, eps]}
    init_kw = {"eps": eps, "momentum": momentum, "affine": d.p(0.5), "track_running_stats": d.p(0.4)}
    return f"nn.InstanceNorm{nd}d", {"init": [c], "init_kw": init_kw, "dtype": dtype, "train": train,
                                     "repeat": d.int(1, 2), "args": [x]}


def _normalized_shape(d, dtype):
    shape = tuple(d.int(1, 3) for _ in range(d.int(1, 4)))
    k = d.int(1, len(shape))
    return d.leaf(shape, dtype), shape[-k:] if d.p(0.95) else shape[-k:] + (1,)


def _layer_norm(d, dtype):
    x, norm = _normalized_shape(d, dtype)
    eps = d.choice((1e-5, 1e-3))
    if d.p(0.3):
        weight, bias = _affine(d, norm, dtype)
        return "F.layer_norm", {"args": [x, norm, weight, bias, eps]}
    return "nn.LayerNorm", {"init": [norm], "dtype": dtype, "args": [x], "init_kw": {
        "eps": eps, "elementwise_affine": d.p(0.7), "bias": d.p(0.7)}}


def _rms_norm(d, dtype):
    x, norm = _normalized_shape(d, dtype)
    eps = d.choice((None, 1e-6, 1e-3))
    if d.p(0.3):
        return "F.rms_norm", {"args": [x, norm, d.leaf(norm, dtype) if d.p(0.7) else None, eps]}
    return "nn.RMSNorm", {"init": [norm], "dtype": dtype, "args": [x], "init_kw": {
        "eps": eps, "elementwise_affine": d.p(0.7)}}


def _group_norm(d, dtype):
    groups = d.int(1, 3)
    c = groups * d.int(1, 2) + (1 if d.p(0.04) else 0)
    x = d.leaf((d.int(1, 3), c) + tuple(d.int(1, 3) for _ in range(d.int(0, 2))), dtype)
    eps = d.choice((1e-5, 1e-3))
    if d.p(0.3):
        weight, bias = _affine(d, (c,), dtype)
        return "F.group_norm", {"args": [x, groups, weight, bias, eps]}
    return "nn.GroupNorm", {"init": [groups, c], "init_kw": {"eps": eps, "affine": d.p(0.7)},
                            "dtype": dtype, "args": [x]}


def _lrn(d, dtype):
    # contiguous: torch 2.13's 5-d local_response_norm views its input and fails on other layouts
    x = d.leaf((d.int(1, 2), d.int(1, 5)) + tuple(d.int(1, 3) for _ in range(d.int(1, 3))), dtype, 0)
    kw = {"size": d.int(1, 4), "alpha": d.choice((1e-4, 0.1, 1.0)), "beta": d.choice((0.75, 0.5, 2.0)),
          "k": d.choice((1.0, 2.0))}
    if d.p(0.3):
        return "F.local_response_norm", {"args": [x], "kw": kw}
    return "nn.LocalResponseNorm", {"init_kw": kw, "dtype": dtype, "args": [x]}


# -- embeddings ----------------------------------------------------------------------------------

def _indices(d, shape, bound):
    v = d.r.integers(0, max(bound, 1), size=shape)
    if d.p(0.03) and v.size:
        v.flat[0] = bound
    return fz.TensorSpec(v.astype("int64" if d.p(0.85) else "int32"))


def _embedding_options(d, num, freq=True):
    kw = {}
    if d.p(0.4):
        kw["padding_idx"] = d.int(-num, num - 1) if d.p(0.97) else num
    if d.p(0.3):
        kw["max_norm"] = d.choice((0.5, 1.0, 2.0))
        kw["norm_type"] = d.choice((2.0, 1.0, 3.0))
    if freq and d.p(0.2):
        kw["scale_grad_by_freq"] = True
    return kw


def _embedding(d):
    num, dim, dtype = d.int(1, 6), d.int(1, 4), d.fdtype()
    idx = _indices(d, d.shape(0, 3, empty=0.05), num)
    kw = _embedding_options(d, num)
    if d.p(0.5):
        return "nn.Embedding", {"init": [num, dim], "init_kw": kw, "dtype": dtype, "args": [idx]}
    return "F.embedding", {"args": [idx, d.leaf((num, dim), dtype, 0)], "kw": kw}


def _embedding_bag(d):
    num, dim, dtype = d.int(1, 6), d.int(1, 3), d.fdtype()
    mode = d.choice(("sum", "mean", "max"))
    # no scale_grad_by_freq: torch 2.13's CPU kernel divides by the count of another index when
    # counts differ (pytorch/pytorch#190063); no (B, 0) input: torch fails on it ('step must be nonzero')
    kw = dict(_embedding_options(d, num, freq=False), mode=mode)
    if d.p(0.35):
        idx, offsets = _indices(d, (d.int(1, 3), d.int(1, 3)), num), None
    else:
        n = d.int(0, 6)
        idx = _indices(d, (n,), num)
        cuts = np.sort(d.r.integers(0, n + 1, size=d.int(1, 4)))
        cuts[0] = 0 if d.p(0.97) else 1
        kw["include_last_offset"] = d.p(0.3)
        if kw["include_last_offset"]:
            cuts = np.append(cuts, n)
        offsets = fz.TensorSpec(cuts.astype("int64"))
    per_sample = None
    if d.p(0.3 if mode == "sum" else 0.05):
        per_sample = d.leaf(idx.base.shape, dtype, 0)
    if d.p(0.5):
        return "nn.EmbeddingBag", {"init": [num, dim], "init_kw": kw, "dtype": dtype,
                                   "args": [idx, offsets], "kw": {"per_sample_weights": per_sample}}
    return "F.embedding_bag", {"args": [idx, d.leaf((num, dim), dtype, 0), offsets],
                               "kw": dict(kw, per_sample_weights=per_sample)}


# -- losses --------------------------------------------------------------------------------------

def _maybe_grad(d, spec, p=0.5):
    return Grad(spec.base, spec.views) if d.p(p) else spec


def _pointwise_loss(d, name, dt):
    shape = d.shape(0, 3, empty=0.05)
    x = d.leaf(shape, dt)
    tshape = shape if d.p(0.9) else d.other_shape(shape)
    y = d.tensor(tshape, dt)
    if d.p(0.1) and tshape == shape:
        y = fz.TensorSpec(x.base.copy(), x.views)  # x == y: the kinks' subgradients
    kw = {}
    if name == "smooth_l1_loss" and d.p(0.6):
        kw["beta"] = d.choice((1.0, 0.5, 0.0, 2.0))
    if name == "huber_loss" and d.p(0.6):
        kw["delta"] = d.choice((1.0, 0.5, 2.0))
    return [x, _maybe_grad(d, y)], kw


def _class_input(d, dt):
    """(input, target shape, C) for nll/cross entropy: (N, C), unbatched (C,) or (N, C, d...), the
    last contiguous (torch 2.13's backward of nll_loss over d... fails on other layouts)."""
    c = d.int(1, 4)
    how = d.r.random()
    if how < 0.6:
        shape = (d.int(0, 3) if d.p(0.1) else d.int(1, 3), c)
    elif how < 0.75:
        shape = (c,)
    else:
        shape = (d.int(1, 2), c) + tuple(d.int(1, 3) for _ in range(d.int(1, 2)))
    target = shape[:1] + shape[2:] if len(shape) > 1 else ()
    return d.leaf(shape, dt, 0.15 if len(shape) < 3 else 0), target, c


def _class_targets(d, tshape, c, kw):
    v = d.r.integers(0, c, size=tshape)
    if d.p(0.3):
        kw["ignore_index"] = d.choice((-100, 0, c - 1, 1))
        if v.size:
            v.flat[d.r.random(v.size) < 0.4] = kw["ignore_index"]
    if d.p(0.03) and v.size:
        v.flat[0] = c
    return fz.TensorSpec(v.astype("int64"))


def _nll_like(d, name, dt):
    x, tshape, c = _class_input(d, dt)
    kw = {}
    if name == "cross_entropy" and d.p(0.25):
        target = _maybe_grad(d, d.uniform(x.shape(), 0.0, 1.0, dt), 0.3)
    else:
        target = _class_targets(d, tshape, c, kw)
    if d.p(0.3):
        kw["weight"] = d.uniform((c,), 0.2, 2.0, dt)
    if name == "cross_entropy" and d.p(0.3):
        kw["label_smoothing"] = d.choice((0.0, 0.1, 0.5))
    return [x, target], kw


def _bce(d, name, dt):
    shape = d.shape(0, 3, empty=0.05)
    target = d.uniform(shape, 0.0, 1.0, dt) if d.p(0.6) else fz.TensorSpec(
        (d.r.random(shape) < 0.5).astype(dt))
    kw = {}
    if d.p(0.3):
        kw["weight"] = d.uniform(shape[d.int(0, len(shape)):], 0.2, 2.0, dt)
    if name == "binary_cross_entropy":
        x = d.r.uniform(0.02, 0.98, shape)
        if d.p(0.15) and x.size:
            x.flat[d.r.random(x.size) < 0.3] = d.choice((0.0, 1.0))
        return [Grad(x.astype(dt)), target], kw
    if shape and d.p(0.3):
        kw["pos_weight"] = d.uniform(shape[-1:], 0.2, 3.0, dt)
    return [d.leaf(shape, dt), _maybe_grad(d, target, 0.3)], kw


def _kl_div(d, name, dt):
    shape = d.shape(1, 3, empty=0.05)
    kw = {"log_target": d.p(0.4)}
    if kw["log_target"]:
        target = d.tensor(shape, dt)
    else:
        t = d.r.random(shape)
        t[d.r.random(shape) < 0.2] = 0.0
        target = fz.TensorSpec(t.astype(dt))
    if d.p(0.3):
        kw["reduction"] = "batchmean"
    return [d.leaf(shape, dt), _maybe_grad(d, target)], kw


def _poisson_nll(d, name, dt):
    shape = d.shape(1, 3, empty=0.05)
    kw = {"log_input": d.p(0.6), "full": d.p(0.4), "eps": d.choice((1e-8, 0.1))}
    x = d.leaf(shape, dt) if kw["log_input"] else d.uniform(shape, 0.0, 3.0, dt, grad=True)
    target = fz.TensorSpec(d.r.poisson(1.5, shape).astype(dt) if d.p(0.6) else
                           d.r.uniform(0.0, 3.0, shape).astype(dt))
    # no target gradient with the Stirling term: torch's is NaN at targets <= 1, where it masks the
    # term (0 * inf), though the loss there does not depend on it
    return [x, target if kw["full"] else _maybe_grad(d, target, 0.3)], kw


def _gaussian_nll(d, name, dt):
    n, k = d.int(1, 3), d.int(1, 3)
    shape = (n, k) if d.p(0.8) else (k,)
    var_shape = d.choice((shape, shape[:-1] + (1,), shape[:-1]))
    var = d.r.uniform(0.1, 2.0, var_shape)
    if d.p(0.05) and var.size:
        var.flat[0] = -0.5
    kw = {"full": d.p(0.4), "eps": d.choice((1e-6, 0.5))}
    return [d.leaf(shape, dt), _maybe_grad(d, d.tensor(shape, dt)), Grad(var.astype(dt))], kw


def _sign_loss(d, name, dt):
    shape = d.shape(0, 3, empty=0.05)
    kw = {}
    if name == "hinge_embedding_loss" and d.p(0.6):
        kw["margin"] = d.choice((1.0, 0.5, 2.0, 0.0))
    return [d.leaf(shape, dt), d.signs(shape, dt)], kw


def _margin_ranking(d, name, dt):
    shape = d.shape(0, 2, empty=0.05)
    kw = {"margin": d.choice((0.0, 0.5, 1.0))} if d.p(0.6) else {}
    return [d.leaf(shape, dt), d.leaf(shape, dt), d.signs(shape, dt)], kw


def _multilabel_margin(d, name, dt):
    c = d.int(1, 4)
    shape = (d.int(1, 3), c) if d.p(0.8) else (c,)
    t = d.r.integers(0, c, size=shape)
    for row in t.reshape(-1, c):
        stop = d.int(0, c)
        if stop < c:
            row[stop] = -1
    return [d.leaf(shape, dt), fz.TensorSpec(t.astype("int64"))], {}


def _multilabel_soft_margin(d, name, dt):
    c = d.int(1, 4)
    shape = (d.int(1, 3), c)
    kw = {"weight": d.uniform((c,), 0.2, 2.0, dt)} if d.p(0.3) else {}
    return [d.leaf(shape, dt), fz.TensorSpec((d.r.random(shape) < 0.5).astype(dt))], kw


def _multi_margin(d, name, dt):
    c = d.int(1, 4)
    batched = d.p(0.8)
    n = d.int(1, 3)
    x = d.leaf((n, c) if batched else (c,), dt)
    target = fz.TensorSpec(d.r.integers(0, c, size=(n,) if batched else ()).astype("int64"))
    kw = {"p": d.choice((1, 2)), "margin": d.choice((1.0, 0.5, 2.0))}
    if d.p(0.3):
        kw["weight"] = d.uniform((c,), 0.2, 2.0, dt)
    return [x, target], kw


def _cosine_embedding(d, name, dt):
    n, k = d.int(1, 3), d.int(1, 3)
    batched = d.p(0.85)
    x1, x2 = (d.leaf((n, k) if batched else (k,), dt) for _ in range(2))
    if d.p(0.05):
        x2.base[...] = 0.0  # zero vectors: the epsilon in the cosine's denominator
    kw = {"margin": d.choice((0.0, 0.5, -0.5))} if d.p(0.6) else {}
    return [x1, x2, d.signs((n,) if batched else (), dt)], kw


def _triplet(d, name, dt):
    n, k = d.int(1, 3), d.int(1, 3)
    shape = (n, k) if d.p(0.85) else (k,)
    kw = {"margin": d.choice((1.0, 0.5, 2.0)), "swap": d.p(0.3)}
    if name == "triplet_margin_loss":
        kw.update(p=d.choice((1.0, 2.0, 3.0)), eps=d.choice((1e-6, 0.1)))
    elif d.p(0.7):
        kw["distance_function"] = Fn(d.choice(("pairwise_distance", "cosine_distance")))
    return [d.leaf(shape, dt) for _ in range(3)], kw


def _ctc(d, name, dt):
    t_len, n, c = d.int(1, 6), d.int(1, 3), d.int(2, 5)
    blank = d.choice((0, c - 1))
    labels = [k for k in range(c) if k != blank]
    s = d.int(1, 4)
    batched = d.p(0.9)
    if not batched:
        n = 1
    target_lengths = d.r.integers(0 if d.p(0.5) else 1, s + 1, size=n)
    input_lengths = d.r.integers(max(1, t_len - 2), t_len + 1, size=n)
    if d.p(0.2):
        input_lengths[:] = t_len
    padded = d.r.choice(labels, size=(n, s))
    if batched and d.p(0.3):
        targets = np.concatenate([padded[i, :target_lengths[i]] for i in range(n)])
    else:
        targets = padded if batched else padded[0, :target_lengths[0]]
    spec = LogProbs if d.p(0.8) else Grad
    lp = spec(d.r.standard_normal((t_len, n, c) if batched else (t_len, c)).astype(dt))
    lengths = [input_lengths, target_lengths] if batched else [input_lengths[0], target_lengths[0]]
    if d.p(0.5):
        lengths = [fz.TensorSpec(np.asarray(v, "int64")) for v in lengths]
    else:
        lengths = [tuple(int(i) for i in np.atleast_1d(v)) for v in lengths]
    kw = {"blank": blank, "zero_infinity": d.p(0.3)}
    return [lp, fz.TensorSpec(targets.astype("int64")), *lengths], kw


LOSSES = {
    "mse_loss": ("MSELoss", _pointwise_loss), "l1_loss": ("L1Loss", _pointwise_loss),
    "smooth_l1_loss": ("SmoothL1Loss", _pointwise_loss), "huber_loss": ("HuberLoss", _pointwise_loss),
    "nll_loss": ("NLLLoss", _nll_like), "cross_entropy": ("CrossEntropyLoss", _nll_like),
    "binary_cross_entropy": ("BCELoss", _bce),
    "binary_cross_entropy_with_logits": ("BCEWithLogitsLoss", _bce),
    "kl_div": ("KLDivLoss", _kl_div), "poisson_nll_loss": ("PoissonNLLLoss", _poisson_nll),
    "gaussian_nll_loss": ("GaussianNLLLoss", _gaussian_nll),
    "hinge_embedding_loss": ("HingeEmbeddingLoss", _sign_loss),
    "soft_margin_loss": ("SoftMarginLoss", _sign_loss),
    "margin_ranking_loss": ("MarginRankingLoss", _margin_ranking),
    "multilabel_margin_loss": ("MultiLabelMarginLoss", _multilabel_margin),
    "multilabel_soft_margin_loss": ("MultiLabelSoftMarginLoss", _multilabel_soft_margin),
    "multi_margin_loss": ("MultiMarginLoss", _multi_margin),
    "cosine_embedding_loss": ("CosineEmbeddingLoss", _cosine_embedding),
    "triplet_margin_loss": ("TripletMarginLoss", _triplet),
    "triplet_margin_with_distance_loss": ("TripletMarginWithDistanceLoss", _triplet),
    "ctc_loss": ("CTCLoss", _ctc),
}


def _loss(d):
    name = d.choice(tuple(LOSSES))
    module, draw = LOSSES[name]
    dt = d.fdtype()
    args, kw = draw(d, name, dt)
    if d.p(0.75) and "reduction" not in kw:
        kw["reduction"] = d.choice(("none", "mean", "sum"))
    if d.p(0.3):
        return f"nn.{module}", {"init_kw": kw, "dtype": dt, "args": args}
    return f"F.{name}", {"args": args, "kw": kw}


# -- recurrent -----------------------------------------------------------------------------------

def _rnn_init(d, kind):
    kw = {"input_size": d.int(1, 3), "hidden_size": d.int(1, 3), "bias": d.p(0.8)}
    if kind.endswith("Cell"):
        if kind == "RNNCell":
            kw["nonlinearity"] = d.choice(("tanh", "relu"))
        return kw
    kw.update(num_layers=d.int(1, 2), batch_first=d.p(0.4), bidirectional=d.p(0.4))
    if kind == "RNN":
        kw["nonlinearity"] = d.choice(("tanh", "relu"))
    if kind == "LSTM" and d.p(0.3):
        kw["proj_size"] = d.int(1, kw["hidden_size"])
    return kw


def _rnn_state(d, kind, kw, batch, dtype):
    """h0 (and c0) for the module, or None."""
    if d.p(0.4):
        return None
    h = kw["hidden_size"]
    lead = () if kind.endswith("Cell") else ((2 if kw["bidirectional"] else 1) * kw["num_layers"],)
    out = kw.get("proj_size") or h
    h0 = d.leaf(lead + batch + (out,), dtype)
    if kind.startswith("LSTM"):
        return (h0, d.leaf(lead + batch + (h,), dtype))
    return h0


def _rnn(d):
    kind = d.choice(("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"))
    kw, dtype = _rnn_init(d, kind), d.fdtype()
    batch = d.batch(1, 3, unbatched=0.2)
    if kind.endswith("Cell"):
        x = d.leaf(batch + (kw["input_size"],), dtype)
    else:
        steps = d.int(1, 4)
        seq = batch + (steps,) if kw["batch_first"] and batch else (steps,) + batch
        x = d.leaf(seq + (kw["input_size"],), dtype)
    return f"nn.{kind}", {"init_kw": kw, "dtype": dtype, "args": [x, _rnn_state(d, kind, kw, batch, dtype)]}


def _packed(d):
    kind = d.choice(("RNN", "LSTM", "GRU"))
    kw, dtype = _rnn_init(d, kind), d.fdtype()
    n, steps = d.int(1, 3), d.int(1, 4)
    lengths = d.r.integers(1, steps + 1, size=n)
    lengths[d.int(0, n - 1)] = steps if d.p(0.8) else lengths[0]
    if d.p(0.03):
        lengths[0] = 0
    enforce_sorted = d.p(0.5)
    if enforce_sorted and d.p(0.9):
        lengths = -np.sort(-lengths)
    shape = (n, steps) if kw["batch_first"] else (steps, n)
    return f"nn.{kind}", {
        "init_kw": kw, "dtype": dtype, "x": d.leaf(shape + (kw["input_size"],), dtype),
        "lengths": fz.TensorSpec(lengths.astype("int64")) if d.p(0.5) else [int(v) for v in lengths],
        "enforce_sorted": enforce_sorted, "h0": _rnn_state(d, kind, kw, (n,), dtype),
        "total_length": steps + d.int(0, 1) if d.p(0.3) else None}


def _run_packed(run, c):
    rnn = run.lib.nn.utils.rnn
    m = run.module("m", run.fn(**c["init_kw"]), c["dtype"])
    batch_first = c["init_kw"]["batch_first"]
    packed = rnn.pack_padded_sequence(run.value(c["x"], "x"), run.value(c["lengths"], "lengths"),
                                      batch_first=batch_first, enforce_sorted=c["enforce_sorted"])
    out, h = m(packed, run.value(c["h0"], "h0"))
    padded = rnn.pad_packed_sequence(out, batch_first=batch_first, total_length=c["total_length"])
    return tuple(packed), tuple(out), padded, h


# -- attention -----------------------------------------------------------------------------------

def _mask(d, shape, dtype):
    """A bool mask (True: masked) or a float one (added to the scores, with -inf entries)."""
    masked = d.r.random(shape) < 0.3
    if d.p(0.5):
        return fz.TensorSpec(masked)
    return fz.TensorSpec(np.where(masked, -np.inf, d.r.standard_normal(shape)).astype(dtype))


def _mha(d):
    heads = d.int(1, 3)
    e = heads * d.int(1, 2) + (1 if d.p(0.03) else 0)
    dtype = d.fdtype()
    init = {"bias": d.p(0.8), "add_bias_kv": d.p(0.2), "add_zero_attn": d.p(0.2), "batch_first": d.p(0.4)}
    if d.p(0.3):
        init.update(kdim=d.int(1, 3), vdim=d.int(1, 3))
    l_len, s_len = d.int(1, 4), d.int(1, 4)
    batch = d.batch(1, 3, unbatched=0.2)

    def seq(n):
        return batch + (n,) if init["batch_first"] and batch else (n,) + batch

    q = d.leaf(seq(l_len) + (e,), dtype)
    if "kdim" not in init and d.p(0.3):
        k = v = q  # self-attention: one tensor for query, key and value
        s_len = l_len
    else:
        k = d.leaf(seq(s_len) + (init.get("kdim") or e,), dtype)
        v = d.leaf(seq(s_len) + (init.get("vdim") or e,), dtype)
    kw = {"need_weights": d.p(0.7), "average_attn_weights": d.p(0.6)}
    if d.p(0.4):
        kw["key_padding_mask"] = _mask(d, batch + (s_len,), dtype)
    if d.p(0.4):
        lead = (batch[0] * heads if batch else heads,) if d.p(0.3) else ()
        kw["attn_mask"] = _mask(d, lead + (l_len, s_len), dtype)
    elif d.p(0.15):
        kw["attn_mask"] = fz.TensorSpec(np.triu(np.ones((l_len, s_len), bool), 1))
        kw["is_causal"] = True
    return "nn.MultiheadAttention", {"init": [e, heads], "init_kw": init, "dtype": dtype,
                                     "train": d.p(0.5), "args": [q, k, v], "kw": kw}


def _sdpa(d):
    dtype = d.fdtype()
    batch = tuple(d.int(1, 2) for _ in range(d.int(0, 2)))
    l_len, s_len, e, ev = d.int(1, 4), d.int(1, 4), d.int(1, 4), d.int(1, 4)
    kv_batch = batch
    kw = {}
    if len(batch) == 2 and d.p(0.3):
        groups = d.int(1, 2)
        batch = (batch[0], batch[1] * groups)
        kw["enable_gqa"] = True
    args = [d.leaf(batch + (l_len, e), dtype), d.leaf(kv_batch + (s_len, e), dtype),
            d.leaf(kv_batch + (s_len, ev), dtype)]
    if d.p(0.4):
        shape = batch[len(batch) - d.int(0, len(batch)):] + (l_len, s_len)
        kw["attn_mask"] = _mask(d, shape, dtype)
        if kw["attn_mask"].base.dtype.kind == "f" and d.p(0.4):
            kw["attn_mask"] = Grad(np.nan_to_num(kw["attn_mask"].base, neginf=-1e9))
    if "attn_mask" not in kw and d.p(0.3):  # with a mask, torch raises or adds both, by backend
        kw["is_causal"] = True
    if d.p(0.3):
        kw["scale"] = d.choice((0.5, 2.0, 1.0))
    return "F.scaled_dot_product_attention", {"args": args, "kw": kw}


def _transformer(d):
    heads = d.int(1, 2)
    e, dtype = heads * d.int(1, 2), d.fdtype()
    init = {"dim_feedforward": d.int(1, 6), "dropout": 0.0, "activation": d.choice(("relu", "gelu")),
            "layer_norm_eps": d.choice((1e-5, 1e-3)), "batch_first": d.p(0.4), "norm_first": d.p(0.5),
            "bias": d.p(0.85)}
    batch = d.batch(1, 2, unbatched=0.15)

    def seq(n):
        return batch + (n,) if init["batch_first"] and batch else (n,) + batch

    def masks(prefix, l_len, s_len, causal_name, kw):
        if d.p(0.3):
            kw[f"{prefix}_mask"] = _mask(d, (l_len, s_len), dtype)
        elif causal_name and d.p(0.15) and l_len == s_len:
            kw[f"{prefix}_mask"] = fz.TensorSpec(np.triu(np.full((l_len, s_len), -np.inf), 1).astype(dtype))
            kw[causal_name] = True
        if d.p(0.3):
            kw[f"{prefix}_key_padding_mask"] = fz.TensorSpec(d.r.random(batch + (s_len,)) < 0.3)

    kw = {}
    t_len = d.int(1, 4)
    tgt = d.leaf(seq(t_len) + (e,), dtype)
    if d.p(0.5):
        masks("src", t_len, t_len, "is_causal", kw)
        return "nn.TransformerEncoderLayer", {"init": [e, heads], "init_kw": init, "dtype": dtype,
                                              "train": d.p(0.5), "args": [tgt], "kw": kw}
    s_len = d.int(1, 4)
    masks("tgt", t_len, t_len, "tgt_is_causal", kw)
    masks("memory", t_len, s_len, None, kw)
    return "nn.TransformerDecoderLayer", {"init": [e, heads], "init_kw": init, "dtype": dtype,
                                          "train": d.p(0.5), "args": [tgt, d.leaf(seq(s_len) + (e,), dtype)],
                                          "kw": kw}


# -- activations ---------------------------------------------------------------------------------

def _softmax_dim(d, ndim):
    return {"dim": d.int(-max(ndim, 1), max(ndim, 1) - 1)} if d.p(0.85) else {}


ACTIVATIONS = {  # module: options drawn, given the input's rank
    "ELU": lambda d, n: {"alpha": d.choice((1.0, 0.5, 2.0))},
    "CELU": lambda d, n: {"alpha": d.choice((1.0, 0.5, 2.0))},
    "SELU": lambda d, n: {},
    "GELU": lambda d, n: {"approximate": d.choice(("none", "tanh"))},
    "Hardtanh": lambda d, n: dict(zip(("min_val", "max_val"),
                                      d.choice(((-1.0, 1.0), (0.0, 6.0), (-0.5, 2.0))))),
    "LeakyReLU": lambda d, n: {"negative_slope": d.choice((0.01, 0.2, -1.0, 1.5))},
    "PReLU": lambda d, n: {"num_parameters": d.choice((1, 2)), "init": d.choice((0.25, -0.5))},
    "RReLU": lambda d, n: {"lower": d.choice((0.125, 0.1)), "upper": d.choice((1 / 3, 0.5))},
    "Softplus": lambda d, n: {"beta": d.choice((1.0, 2.0, 0.5)), "threshold": d.choice((20.0, 1.0, 0.5))},
    "Threshold": lambda d, n: {"threshold": d.choice((0.0, 0.5, -1.0)), "value": d.choice((0.0, -2.0, 3.0))},
    "GLU": lambda d, n: {"dim": d.int(-max(n, 1), max(n, 1) - 1)},
    "Softmax": lambda d, n: _softmax_dim(d, n),
    "LogSoftmax": lambda d, n: _softmax_dim(d, n),
    "Softmin": lambda d, n: _softmax_dim(d, n),
    "Softmax2d": lambda d, n: {},
    "Hardswish": lambda d, n: {}, "Hardsigmoid": lambda d, n: {}, "Mish": lambda d, n: {},
    "SiLU": lambda d, n: {}, "ReLU": lambda d, n: {}, "ReLU6": lambda d, n: {}, "Sigmoid": lambda d, n: {},
    "Tanh": lambda d, n: {}, "LogSigmoid": lambda d, n: {}, "Softsign": lambda d, n: {},
    "Tanhshrink": lambda d, n: {},
    "Softshrink": lambda d, n: {"lambd": d.choice((0.5, 0.0, 1.5))},
    "Hardshrink": lambda d, n: {"lambd": d.choice((0.5, 0.0, 1.5))},
}
IN_PLACE = {"ELU", "CELU", "SELU", "Hardtanh", "LeakyReLU", "RReLU", "Threshold", "Hardswish",
            "Hardsigmoid", "Mish", "SiLU", "ReLU", "ReLU6"}
# inputs at the kinks, where each framework's choice of subgradient shows
KINKS = (0.0, 1.0, -1.0, 0.5, -0.5, 3.0, -3.0, 6.0, 2.0, 1.5, -1.5, 20.0, 10.0)


def _activation(d):
    name = d.choice(tuple(ACTIVATIONS))
    dtype = d.fdtype()
    shape = d.shape(0, 4, empty=0.04)
    init_kw = ACTIVATIONS[name](d, len(shape))
    x = d.r.standard_normal(shape) * 2
    if d.p(0.4) and x.size:
        pick = d.r.random(x.size) < 0.3
        x.flat[pick] = d.r.choice(KINKS, size=int(pick.sum()))
    clone = False
    if name in IN_PLACE and d.p(0.15):
        init_kw["inplace"] = True
        clone = d.p(0.8)  # in place on a leaf that requires grad is torch's error otherwise
    return f"nn.{name}", {"init_kw": init_kw, "dtype": dtype, "train": name != "RReLU",
                          "clone": clone, "args": [Grad(x.astype(dtype))]}


# -- optimizers ----------------------------------------------------------------------------------

def _lr(d):
    return d.choice((0.1, 0.01, 0.5, 1e-3))


def _betas(d):
    return d.choice(((0.9, 0.999), (0.5, 0.9), (0.0, 0.99)))


def _common(d, kw):
    if d.p(0.4):
        kw["weight_decay"] = d.choice((0.1, 0.01))
    if d.p(0.3):
        kw["maximize"] = True
    return kw


OPTIMIZERS = {
    "SGD": lambda d: _common(d, {"lr": _lr(d), "momentum": d.choice((0.0, 0.9, 0.5)),
                                 "dampening": d.choice((0.0, 0.0, 0.5)), "nesterov": d.p(0.3)}),
    "Adam": lambda d: _common(d, {"lr": _lr(d), "betas": _betas(d), "eps": d.choice((1e-8, 1e-3)),
                                  "amsgrad": d.p(0.3)}),
    "AdamW": lambda d: _common(d, {"lr": _lr(d), "betas": _betas(d), "amsgrad": d.p(0.3)}),
    "Adamax": lambda d: _common(d, {"lr": _lr(d), "betas": _betas(d), "eps": d.choice((1e-8, 1e-3))}),
    "Adagrad": lambda d: _common(d, {"lr": _lr(d), "lr_decay": d.choice((0.0, 0.1)),
                                     "initial_accumulator_value": d.choice((0.0, 0.5)),
                                     "eps": d.choice((1e-10, 1e-3))}),
    "Adadelta": lambda d: _common(d, {"lr": d.choice((1.0, 0.5)), "rho": d.choice((0.9, 0.5)),
                                      "eps": d.choice((1e-6, 1e-3))}),
    "RMSprop": lambda d: _common(d, {"lr": _lr(d), "alpha": d.choice((0.99, 0.5)),
                                     "momentum": d.choice((0.0, 0.9)), "centered": d.p(0.4)}),
    "Rprop": lambda d: {"lr": _lr(d), "etas": d.choice(((0.5, 1.2), (0.3, 1.5))),
                        "step_sizes": d.choice(((1e-6, 50.0), (0.05, 0.2))), "maximize": d.p(0.3)},
    "ASGD": lambda d: _common(d, {"lr": _lr(d), "lambd": d.choice((1e-4, 0.1)),
                                  "alpha": d.choice((0.75, 0.5)),
                                  "t0": d.choice((1e6, 0.0, 2.0))}),
    "NAdam": lambda d: _common(d, {"lr": _lr(d), "betas": _betas(d), "momentum_decay": d.choice((4e-3, 0.1)),
                                   "decoupled_weight_decay": d.p(0.4)}),
    "RAdam": lambda d: _common(d, {"lr": _lr(d), "betas": _betas(d), "decoupled_weight_decay": d.p(0.4)}),
    "Adafactor": lambda d: _common(d, {"lr": _lr(d), "beta2_decay": d.choice((-0.8, -0.5)),
                                       "d": d.choice((1.0, 0.5)),
                                       "eps": d.choice(((None, 1e-3), (1e-6, 1e-2)))}),
    "Muon": lambda d: {"lr": _lr(d), "weight_decay": d.choice((0.1, 0.0)), "momentum": d.choice((0.95, 0.5)),
                       "nesterov": d.p(0.6), "ns_steps": d.choice((5, 2)),
                       "adjust_lr_fn": d.choice((None, "original", "match_rms_adamw"))},
    "LBFGS": lambda d: {"lr": d.choice((1.0, 0.5)), "max_iter": d.int(1, 5), "history_size": d.int(1, 4),
                        "line_search_fn": d.choice((None, "strong_wolfe"))},
}
STEPS = 5


def _optim(d):
    name = d.choice(tuple(OPTIMIZERS))
    # LBFGS in float64 only: its line search branches on float32 rounding near the optimum
    kw, dtype = OPTIMIZERS[name](d), d.fdtype() if name != "LBFGS" else "float64"
    shapes = [(d.int(1, 3), d.int(1, 3)) if name == "Muon" else d.shape(0, 2, empty=0.05)
              for _ in range(d.int(1, 3))]
    params = [d.leaf(s, dtype, 0) for s in shapes]
    cfg = {"kw": kw, "params": params}
    if name == "LBFGS":
        cfg["targets"] = [d.tensor(s, dtype, 0) for s in shapes]
    else:  # a gradient for each parameter and step; sometimes none, as for a parameter unused in a step
        cfg["grads"] = [[None if d.p(0.08) else d.tensor(s, dtype, 0) for s in shapes] for _ in range(STEPS)]
    if len(params) > 1 and d.p(0.3):
        cfg["group"] = {"lr": _lr(d)}
    return f"optim.{name}", cfg


def _run_optim(run, c):
    params = run.value(c["params"], "param")
    groups = [{"params": params[:1], **c["group"]}, {"params": params[1:]}] if "group" in c else params
    opt = run.fn(groups, **c["kw"])
    if "targets" in c:
        return _run_lbfgs(opt, params, run.value(c["targets"], "target"))
    path = []
    for step, grads in enumerate(c["grads"]):
        for p, g in zip(params, run.value(grads, f"grad{step}")):
            p.grad = g
        opt.step()
        path.append([p.detach().clone() for p in params])
    return path


def _run_lbfgs(opt, params, targets):
    def closure():
        opt.zero_grad()
        loss = sum(((p - t) ** 2).sum() + 0.1 * (p ** 4).sum() for p, t in zip(params, targets))
        loss.backward()
        return loss

    path = []
    for _ in range(STEPS):
        loss = opt.step(closure)
        path.append([loss.detach()] + [p.detach().clone() for p in params])
    return path


# -- LR schedulers -------------------------------------------------------------------------------

SCHED_STEPS = 10


def _scheduler_spec(d, names):
    name = d.choice(names)
    kw = {
        "StepLR": lambda: {"step_size": d.int(1, 3), "gamma": d.choice((0.5, 0.1))},
        "MultiStepLR": lambda: {"milestones": sorted({d.int(1, 8) for _ in range(d.int(1, 3))}),
                                "gamma": d.choice((0.5, 0.1))},
        "ExponentialLR": lambda: {"gamma": d.choice((0.9, 0.5))},
        "CosineAnnealingLR": lambda: {"T_max": d.int(1, 6), "eta_min": d.choice((0.0, 0.01))},
        "CosineAnnealingWarmRestarts": lambda: {"T_0": d.int(1, 4), "T_mult": d.int(1, 2),
                                                "eta_min": d.choice((0.0, 0.01))},
        "LambdaLR": lambda: {"lr_lambda": Fn(d.choice(("decay", "warmup")))},
        "MultiplicativeLR": lambda: {"lr_lambda": Fn(d.choice(("decay", "shrink")))},
        "LinearLR": lambda: {"start_factor": d.choice((1 / 3, 0.5, 1.0)), "end_factor": d.choice((1.0, 0.2)),
                             "total_iters": d.int(1, 6)},
        "ConstantLR": lambda: {"factor": d.choice((1 / 3, 0.5)), "total_iters": d.int(1, 6)},
        "PolynomialLR": lambda: {"total_iters": d.int(1, 8), "power": d.choice((1.0, 2.0, 0.5))},
        "OneCycleLR": lambda: {"max_lr": d.choice((1.0, 0.5)), "total_steps": SCHED_STEPS + d.int(-1, 2),
                               "pct_start": d.choice((0.3, 0.5)),
                               "anneal_strategy": d.choice(("cos", "linear")),
                               "cycle_momentum": d.p(0.6), "div_factor": d.choice((25.0, 4.0)),
                               "final_div_factor": d.choice((1e4, 10.0)), "three_phase": d.p(0.3)},
        "CyclicLR": lambda: {"base_lr": 0.01, "max_lr": d.choice((0.1, 1.0)), "step_size_up": d.int(1, 4),
                             "step_size_down": d.choice((None, 2)),
                             "mode": d.choice(("triangular", "triangular2", "exp_range")),
                             "gamma": d.choice((1.0, 0.9)), "cycle_momentum": d.p(0.5)},
        "ReduceLROnPlateau": lambda: {"mode": d.choice(("min", "max")), "factor": d.choice((0.5, 0.1)),
                                      "patience": d.int(0, 2), "threshold": d.choice((1e-4, 0.1)),
                                      "threshold_mode": d.choice(("rel", "abs")), "cooldown": d.int(0, 2),
                                      "min_lr": d.choice((0.0, 0.02))},
        "SequentialLR": lambda: {"schedulers": [_scheduler_spec(d, SIMPLE_SCHEDULERS) for _ in range(2)],
                                 "milestones": [d.int(1, 6)]},
        "ChainedScheduler": lambda: {"schedulers": [_scheduler_spec(d, SIMPLE_SCHEDULERS) for _ in range(2)]},
    }[name]()
    return name, kw


SIMPLE_SCHEDULERS = ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
                     "MultiplicativeLR", "LinearLR", "ConstantLR", "PolynomialLR")
SCHEDULERS = SIMPLE_SCHEDULERS + ("CosineAnnealingWarmRestarts", "OneCycleLR", "CyclicLR",
                                  "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler")


def _sched(d):
    name, kw = _scheduler_spec(d, SCHEDULERS)
    cfg = {"optimizer": d.choice(("SGD", "Adam")), "lr": d.choice((0.1, 1.0, 0.05)), "sched": (name, kw)}
    if name == "ReduceLROnPlateau":
        cfg["metrics"] = [round(float(v), 1) for v in np.cumsum(d.r.standard_normal(SCHED_STEPS) * 0.3)]
    return f"optim.lr_scheduler.{name}", cfg


def _make_scheduler(lib, opt, spec):
    name, kw = spec
    kw = dict(kw)
    cls = getattr(lib.optim.lr_scheduler, name)
    if name in ("SequentialLR", "ChainedScheduler"):
        inner = [_make_scheduler(lib, opt, s) for s in kw.pop("schedulers")]
        return cls(inner, optimizer=opt) if name == "ChainedScheduler" else cls(opt, inner, **kw)
    return cls(opt, **kw)


def _momentum(group):
    return group["momentum"] if "momentum" in group else group["betas"][0]


def _run_sched(run, c):
    lib = run.lib
    p = lib.zeros(2, dtype=lib.float64, requires_grad=True)
    opt_kw = {"momentum": 0.9} if c["optimizer"] == "SGD" else {}
    opt = getattr(lib.optim, c["optimizer"])([p], lr=c["lr"], **opt_kw)
    sched = _make_scheduler(lib, opt, run.value(c["sched"], "sched"))
    group = opt.param_groups[0]
    lrs, momenta = [group["lr"]], [_momentum(group)]
    for step in range(SCHED_STEPS):
        opt.step()
        sched.step(*([c["metrics"][step]] if "metrics" in c else []))
        lrs.append(group["lr"])
        momenta.append(_momentum(group))
    return lib.tensor(lrs, dtype=lib.float64), lib.tensor(momenta, dtype=lib.float64), sched.get_last_lr()


# -- the family table ----------------------------------------------------------------------------

FAMILIES = {  # name: (draw, runner or None for the api's own form, weight)
    "conv": (_conv, None, 3.0),
    "pool": (_pool, None, 3.0),
    "unpool": (_unpool, _run_unpool, 0.8),
    "interpolate": (_interpolate, None, 2.0),
    "pad": (_pad, None, 1.5),
    "fold": (_fold, None, 1.0),
    "shuffle": (_shuffle, None, 0.7),
    "grid_sample": (_grid, _run_grid, 1.2),
    "norm": (_norm, None, 3.0),
    "embedding": (_embedding, None, 1.0),
    "embedding_bag": (_embedding_bag, None, 1.2),
    "loss": (_loss, None, 5.0),
    "rnn": (_rnn, None, 2.0),
    "packed_rnn": (_packed, _run_packed, 1.0),
    "mha": (_mha, None, 1.5),
    "sdpa": (_sdpa, None, 1.0),
    "transformer": (_transformer, None, 1.0),
    "activation": (_activation, None, 2.5),
    "optim": (_optim, _run_optim, 2.5),
    "lr_scheduler": (_sched, _run_sched, 1.5),
}
_NAMES = tuple(FAMILIES)
_WEIGHTS = np.array([FAMILIES[n][2] for n in _NAMES])
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def make_case(seed, index):
    rng = np.random.default_rng([seed, index])
    family = _NAMES[int(rng.choice(len(_NAMES), p=_WEIGHTS))]
    api, cfg = FAMILIES[family][0](Draw(rng))
    return Case(seed, index, family, api, cfg)


# -- running -------------------------------------------------------------------------------------

def _case_rng(case, *key):
    return np.random.default_rng([case.seed, case.index, *key])


def _state_values(case, name, shape, dtype):
    """A parameter's or buffer's values: the same draw in both frameworks."""
    r = _case_rng(case, 1, zlib.crc32(name.encode()))
    if name.endswith("running_var"):
        return r.uniform(0.5, 2.0, shape).astype(dtype)
    return (r.standard_normal(shape) * 0.6).astype(dtype)


def _dtype_name(t):
    return str(t.dtype).rsplit(".", 1)[-1]


class Run:
    """One framework's side of a case: the tensors made from its specs and the modules built, by name."""

    def __init__(self, case, lib):
        self.case, self.lib = case, lib
        self.fn = resolve(lib, case.api)
        self.tensors, self.leaves, self.modules = {}, {}, {}
        self._made = {}  # id(spec) -> tensor: a spec used twice is one tensor (self-attention)

    def value(self, x, name):
        if isinstance(x, fz.TensorSpec):
            if id(x) not in self._made:
                self._made[id(x)] = self._tensor(x, name)
            return self._made[id(x)]
        if isinstance(x, Fn):
            return FUNCTIONS[x.name](self.lib)
        if type(x) in (list, tuple):
            return type(x)(self.value(v, f"{name}.{i}") for i, v in enumerate(x))
        if type(x) is dict:
            return {k: self.value(v, f"{name}.{k}") for k, v in x.items()}
        return x

    def _tensor(self, spec, name):
        t = spec.make(self.lib)
        self.tensors[name] = t
        if isinstance(spec, Grad) and t.is_floating_point():
            t.requires_grad_()
            self.leaves[name] = t
            if isinstance(spec, LogProbs):
                return t.log_softmax(-1)
        return t

    def module(self, name, m, dtype):
        """`m` in `dtype`, with its parameters and running statistics drawn from the case."""
        m = m.to(getattr(self.lib, dtype))
        buffers = [(n, b) for n, b in m.named_buffers()
                   if n.rsplit(".", 1)[-1] in ("running_mean", "running_var")]
        with self.lib.no_grad():
            for pname, t in list(m.named_parameters()) + buffers:
                values = _state_values(self.case, f"{name}.{pname}", tuple(t.shape), _dtype_name(t))
                t.copy_(self.lib.from_numpy(values))
        self.modules[name] = m
        return m


def _call(run, c):
    return run.fn(*run.value(c.get("args", ()), "arg"), **run.value(c.get("kw", {}), "kw"))


def _module(run, c):
    m = run.fn(*run.value(c.get("init", ()), "init"), **run.value(c.get("init_kw", {}), "init"))
    m = run.module("m", m, c["dtype"])
    m.train(c.get("train", True))
    args = run.value(c.get("args", ()), "arg")
    if c.get("clone"):
        args = [a.clone() for a in args]
    kw = run.value(c.get("kw", {}), "kw")
    outs = [m(*args, **kw) for _ in range(c.get("repeat", 1))]
    return outs[0] if len(outs) == 1 else outs


def runner(case):
    custom = FAMILIES[case.family][1]
    if custom is not None:
        return custom
    return _module if case.api.rsplit(".", 1)[-1][0].isupper() else _call


def _snap(x, lib):
    """A result as plain values: ('T', dtype, shape, array, requires_grad) for a tensor."""
    if isinstance(x, lib.Tensor):
        return ("T", _dtype_name(x), tuple(x.shape), x.detach().numpy().copy(), bool(x.requires_grad))
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    return ("other", type(x).__name__)


def _flatten(x, lib, name, into):
    if isinstance(x, (list, tuple)):
        into[name + ".len"] = len(x)
        for i, v in enumerate(x):
            _flatten(v, lib, f"{name}.{i}", into)
    else:
        into[name] = x


def _backward(case, lib, tensors):
    """Backward of sum(out * cotangent) over the floating outputs that require grad."""
    outs = [t for t in tensors if isinstance(t, lib.Tensor) and t.requires_grad and t.is_floating_point()]
    if not outs:
        return
    total = 0
    for k, t in enumerate(outs):
        cot = _case_rng(case, 2, k).standard_normal(tuple(t.shape)).astype(_dtype_name(t))
        total = total + (t * lib.from_numpy(cot)).sum()
    total.backward()


def run_one(case, lib):
    """('ok', {name: snapshot}) or ('raise', exception, stage)."""
    stage = STAGES[0]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            run = Run(case, lib)
            outputs = {}
            _flatten(runner(case)(run, case.cfg), lib, "out", outputs)
            stage = STAGES[1]
            _backward(case, lib, list(outputs.values()))
            stage = STAGES[2]
            return ("ok", _results(run, lib, outputs))
    except Exception as e:  # noqa: BLE001 - the point is to see what escapes
        return ("raise", e, stage)


def _results(run, lib, outputs):
    """Snapshots of the outputs, then the gradients, then the tensors and modules after the step."""
    result = {k: _snap(v, lib) for k, v in outputs.items()}
    for name, t in run.leaves.items():
        result[f"grad.{name}"] = _snap(t.grad, lib)
    for mname, m in run.modules.items():
        for pname, p in m.named_parameters():
            result[f"grad.{mname}.{pname}"] = _snap(p.grad, lib)
    for name, t in run.tensors.items():
        result[f"after.{name}"] = _snap(t, lib)
    for mname, m in run.modules.items():
        for pname, t in list(m.named_parameters()) + list(m.named_buffers()):
            result[f"after.{mname}.{pname}"] = _snap(t, lib)
    return result


# -- comparing -----------------------------------------------------------------------------------

def _close_tensors(a, b, tol):
    _, da, sa, va, ga = a
    _, db, sb, vb, gb = b
    if da != db:
        return False, f"dtype {da} vs {db}"
    if sa != sb:
        return False, f"shape {sa} vs {sb}"
    if ga != gb:
        return False, f"requires_grad {ga} vs {gb}"
    if da not in TOL:
        n = int((va != vb).sum())
        return n == 0, f"values differ ({n} of {va.size})"
    va, vb = va.astype(np.float64), vb.astype(np.float64)
    if not np.array_equal(np.isnan(va), np.isnan(vb)):
        return False, f"NaN positions differ ({int((np.isnan(va) != np.isnan(vb)).sum())} of {va.size})"
    finite = np.abs(vb[np.isfinite(vb)])
    rtol, atol = TOL[tol or da]
    atol *= max(1.0, float(finite.max())) if finite.size else 1.0
    ok = np.isclose(va, vb, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return True, ""
    worst = int(np.argmax(np.where(ok, 0, np.abs(va - vb))))
    at = tuple(int(i) for i in np.unravel_index(worst, sa))
    return False, (f"values differ ({int((~ok).sum())} of {ok.size}; e.g. at {at}"
                   f" ember {float(va.flat[worst])!r} torch {float(vb.flat[worst])!r})")


def _close(a, b, tol):
    tensors = [isinstance(v, tuple) and v[:1] == ("T",) for v in (a, b)]
    if all(tensors):
        return _close_tensors(a, b, tol)
    if any(tensors):
        return False, " vs ".join("a tensor" if is_tensor else repr(v)
                                  for v, is_tensor in zip((a, b), tensors))
    return fz._close(a, b, "")


def compare_results(e, t, tol=None):
    """'' when ember's snapshot matches torch's, else what differs first (outputs before gradients).
    `tol` names the tolerance for every floating tensor, in place of their dtypes'."""
    for key in list(t) + [k for k in e if k not in t]:
        if key not in e or key not in t:
            return f"{key}: only in {'torch' if key in t else 'ember'}"
        ok, why = _close(e[key], t[key], tol)
        if not ok:
            return f"{key}: {why}"
    return ""


def _in_float64(x):
    """The case's float32 arrays and dtype names in float64."""
    if isinstance(x, fz.TensorSpec):
        return type(x)(x.base.astype(np.float64), x.views) if x.base.dtype == np.float32 else x
    if x == "float32":
        return "float64"
    if type(x) in (list, tuple):
        return type(x)(_in_float64(v) for v in x)
    if type(x) is dict:
        return {k: _in_float64(v) for k, v in x.items()}
    return x


def _float32_rounding(case, e, torch):
    """Whether ember's float32 results are within float32 tolerance of torch's run of the case in
    float64: then they differ from torch's float32 ones by rounding, which some layers amplify (a
    normalisation over equal values divides rounding noise by sqrt(eps))."""
    float32 = {k for k, v in e.items() if isinstance(v, tuple) and v[:2] == ("T", "float32")}
    if not float32:
        return False
    as_float64 = {k: ("T", "float64") + v[2:] if k in float32 else v for k, v in e.items()}
    reference = run_one(Case(case.seed, case.index, case.family, case.api, _in_float64(case.cfg)), torch)
    return reference[0] == "ok" and not compare_results(as_float64, reference[1], "float32")


def compare(case, torch, ember):
    try:
        resolve(ember, case.api)
    except AttributeError:
        return fz.Outcome(case, "missing", f"not in ember: {case.api}")
    t = run_one(case, torch)
    e = run_one(case, ember)
    if t[0] == "raise" and e[0] == "raise":
        te, ee = t[1], e[1]
        if t[2] != e[2]:
            category = "torch_raises" if STAGES.index(t[2]) < STAGES.index(e[2]) else "ember_raises"
            return fz.Outcome(case, category, f"ember {fz._exc_text(ee)} in {e[2]} / torch "
                              f"{fz._exc_text(te)} in {t[2]}", fz._internal(ee, te), ee, te)
        if fz._base_class(te) is fz._base_class(ee):
            return fz.Outcome(case, "same")
        return fz.Outcome(case, "exc_class", f"{e[2]}: ember {fz._exc_text(ee)} / torch {fz._exc_text(te)}",
                          fz._internal(ee, te), ee, te)
    if e[0] == "raise":
        return fz.Outcome(case, "ember_raises", f"{e[2]}: ember {fz._exc_text(e[1])}",
                          fz._internal(e[1], None), e[1])
    if t[0] == "raise":
        return fz.Outcome(case, "torch_raises", f"{t[2]}: torch {fz._exc_text(t[1])}", torch_exc=t[1])
    why = compare_results(e[1], t[1], "bfloat16" if case.api in BFLOAT16_APIS else None)
    if why and not _float32_rounding(case, e[1], torch):
        return fz.Outcome(case, "wrong_values", why)
    return fz.Outcome(case, "same")


def cases(count, seed=0, start=0, family=None):
    """Cases start .. start+count-1 of `seed`, those of `family` only where given."""
    picked = (make_case(seed, i) for i in range(start, start + count))
    return [c for c in picked if family is None or c.family == family]


def run(count, seed=0, start=0, family=None):
    """Outcomes of cases start .. start+count-1 of `seed`."""
    import torch

    import ember
    return [compare(c, torch, ember) for c in cases(count, seed, start, family)]


same_rate = fz.same_rate


def family_table(outcomes):
    by_family = collections.defaultdict(collections.Counter)
    for o in outcomes:
        by_family[o.case.family][o.category] += 1
    others = fz.CATEGORIES[1:]
    lines = [f"{'family':14s} {'cases':>5s} {'same%':>7s}  " + " ".join(f"{c:>12s}" for c in others)]
    for name in _NAMES:
        counts = by_family.get(name)
        if counts:
            n = sum(counts.values()) - counts["missing"]
            rate = 100.0 * counts["same"] / max(n, 1)
            lines.append(f"{name:14s} {n:5d} {rate:7.2f}  " + " ".join(f"{counts[c]:12d}" for c in others))
    return "\n".join(lines)


def summary(outcomes, show=20, elapsed=None):
    return family_table(outcomes) + "\n" + fz.summary(outcomes, show, elapsed)


def _brief(v):
    if isinstance(v, tuple) and v[:1] == ("T",):
        return f"{v[1]}{list(v[2])}" + np.array2string(v[3].ravel(), threshold=6, precision=5)
    return repr(v)


def _replay(seed, index, torch, ember):
    case = make_case(seed, index)
    print(case)
    for name, lib in (("torch", torch), ("ember", ember)):
        r = run_one(case, lib)
        if r[0] == "raise":
            print(f"  {name}: {fz._exc_text(r[1])} in {r[2]}")
        else:
            outputs = (f"{k}={_brief(v)}" for k, v in r[1].items() if k.startswith("out"))
            print(f"  {name}: " + ", ".join(outputs))
    outcome = compare(case, torch, ember)
    print("  ->", outcome.category, outcome.detail)


def main(argv=None):
    ap = fz.cli_parser(__doc__)
    ap.add_argument("--family", choices=_NAMES, help="only cases of this family (scans the seed's cases)")
    a = ap.parse_args(argv)
    import torch

    import ember
    if a.replay:
        for i in a.replay:
            _replay(a.seed, i, torch, ember)
        return 0
    t0 = time.perf_counter()
    outcomes = run(a.cases, a.seed, family=a.family)
    print(summary(outcomes, a.show, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
