"""Normalisation ops: batch_norm, layer_norm, group_norm, each one fused forward and backward.

NOTE [ Norm statistics in backward ]
Forward keeps the mean and 1/std it computed on ctx as plain arrays. A first-order backward (grad
mode off) uses them as constants. Under create_graph the backward recomputes them from the saved
input with ember ops instead, so the gradient it returns is a differentiable function of the input
and double backward is exact (a saved intermediate would silently be treated as a constant).
"""
import math

import numpy as np

from .. import _dtype
from .._memory_layout import lay_out, suggest
from .._tensor import _make, writable_alias
from ..autograd.grad_mode import state as _grad_state
from . import _threads
from ._common import ones_vector
from ._errors import refuse_non_floating
from ._op import Op, shape_str

__all__ = ["batch_norm", "layer_norm", "group_norm"]


def _moments(xp, x, axes, eps):
    """Mean and 1/sqrt(var + eps) over axes (biased variance), kept broadcastable to x."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    return mean, 1.0 / xp.sqrt(var + eps), xc, var


def _stats(ctx, xr, axes):
    """The (mean, rstd) Tensors backward uses (see NOTE [ Norm statistics in backward ])."""
    if ctx.training and _grad_state.enabled:
        mean = xr.mean(axes, keepdim=True)
        xc = xr - mean
        return mean, ((xc * xc).mean(axes, keepdim=True) + ctx.eps).rsqrt()
    return _make(ctx.mean), _make(ctx.rstd)


def _backward(ctx, g, x, w, stat_shape, axes, w_shape, w_axes):
    """Gradients of y = xhat * w + b, where xhat normalises x viewed as stat_shape over axes.

    w has shape w_shape once broadcast against x; w_axes are the dims of x summed for w and b.
    """
    need = ctx.needs_input_grad
    xr = x if stat_shape is None else x.reshape(stat_shape)
    mean, rstd = _stats(ctx, xr, axes)
    xhat = (xr - mean) * rstd
    gx = gw = gb = None
    if need[0]:
        gy = g if w is None else g * w.reshape(w_shape)
        gyr = gy if stat_shape is None else gy.reshape(stat_shape)
        if ctx.training:
            gyr = gyr - gyr.mean(axes, keepdim=True) - xhat * (gyr * xhat).mean(axes, keepdim=True)
        gx = gyr * rstd
        if stat_shape is not None:
            gx = gx.reshape(x.shape)
    if len(need) > 1 and need[1]:
        xh = xhat if stat_shape is None else xhat.reshape(x.shape)
        gw = (g * xh).sum(w_axes).reshape(w.shape) if w_axes else (g * xh).reshape(w.shape)
    if len(need) > 2 and need[2]:
        gb = g.sum(w_axes) if w_axes else g
        gb = gb.reshape(ctx.b_shape)
    return gx, gw, gb


def _laid_out_grads(grads, fmt):
    """(gx, gw, gb) with gx in the layout the input suggested (NOTE [ Suggested memory format ]
    in _memory_layout.py): torch's batch and group norm give it whatever gy's layout."""
    gx = grads[0]
    if fmt is None or gx is None:
        return grads
    return (gx.contiguous(memory_format=fmt),) + tuple(grads[1:])


def _affine(y, w, b, shape):
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    return y


class NativeBatchNorm(Op):
    _listed_inputs = (0, 1, 2)  # input, weight, bias (next_functions)

    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps):
        xp = ctx.xp
        ctx.training, ctx.eps = training, eps
        # a C-contiguous input takes the rows kernel; a channels-last one keeps its layout
        # through the elementwise path below, in training and evaluation alike
        ctx.fmt = suggest(x)
        ctx.b_shape = None if b is None else b.shape
        shape = _channel_shape(x.shape)
        ctx.save_for_backward(x, w)
        if _channel_rows(x) is not None:
            return _batch_norm_rows(ctx, x, w, b, running_mean, running_var, momentum)
        axes = (0,) + tuple(range(2, x.ndim))
        if training and x.size == 0:  # no statistics: the running ones stay as torch's do
            mean = rstd = xp.zeros(shape, x.dtype)
            y = xp.empty_like(x)
        elif training:
            mean, rstd, xc, var = _moments(xp, x, axes, eps)
            _update_running(running_mean, running_var, mean.reshape(-1), var.reshape(-1),
                            x.size // x.shape[1], momentum)
            y = xc * rstd
        else:
            mean = running_mean.reshape(shape).astype(x.dtype, copy=True)
            rstd = (1.0 / xp.sqrt(running_var.reshape(shape) + eps)).astype(x.dtype, copy=False)
            y = (x - mean) * rstd
        ctx.mean, ctx.rstd = mean, rstd
        ctx.fused = False
        # float32 parameters beside a float16 input (_check_mixed_dtypes) leave the input's dtype
        return lay_out(xp, _affine(y, w, b, shape).astype(x.dtype, copy=False), ctx.fmt)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        if ctx.fused and not _grad_state.enabled:
            return _batch_norm_rows_backward(ctx, g._data, x._data,
                                             None if w is None else w._data)
        axes = (0,) + tuple(range(2, x.ndim))
        return _laid_out_grads(_backward(ctx, g, x, w, None, axes, _channel_shape(x.shape), axes),
                               ctx.fmt)


# NOTE [ Batch norm on rows ]: a C-contiguous float input (N, C, *) is viewed as (N, C, L), each
# (sample, channel) pair one contiguous row of L elements; the per-channel sums are then one BLAS
# matrix-vector product over the rows and a sum of N values per channel, instead of NumPy
# reductions over the non-adjacent axes (0, 2, 3), and the normalisation and its first-order
# backward are a few passes with per-channel factors (ResNet-18's batch norms: ~2x torch's time
# composed of ember ops before). Under create_graph the composed backward runs (NOTE [ Norm
# statistics in backward ]).

def _channel_rows(x):
    """x as an (N, C, L) view when it is a non-empty C-contiguous float32/float64 array, else
    None."""
    if x.dtype not in (np.float32, np.float64) or not x.flags.c_contiguous or x.size == 0:
        return None
    return x.reshape(x.shape[0], x.shape[1], -1)


def _channel_sum(xp, a3):
    """Per-channel sum of an (N, C, L) array: (C,)."""
    n, c, length = a3.shape
    if length == 1:
        return ones_vector(xp, n, a3.dtype) @ a3.reshape(n, c)
    return (a3.reshape(n * c, length) @ ones_vector(xp, length, a3.dtype)).reshape(n, c).sum(0)


def _channel_dot(xp, a3, b3):
    """Per-channel sum of a3 * b3 for two (N, C, L) arrays of one dtype: (C,)."""
    n, c, length = a3.shape
    return xp.einsum("ij,ij->i", a3.reshape(n * c, length),
                     b3.reshape(n * c, length)).reshape(n, c).sum(0)


def _row_parts(xp, x3, work, passes):
    """[work(lo, hi) for each part of the samples of (N, C, L) rows]: one part, or one per
    kernel thread in a quiet process (NOTE [ Elementwise kernels in a quiet process ] in
    _threads.py). `passes` counts the kernel's passes over the rows, all its phases together:
    each phase must part the rows as the others do."""
    return _threads.quiet_parts(work, x3.shape[0], x3.size * passes, xp)


def _joined_moments(parts):
    """Mean and biased variance per channel from parts' (lo, count, mean, centred sum of
    squares), joined pairwise (Chan, Golub and LeVeque): as stable as centring on the batch's
    mean."""
    _, count, mean, m2 = parts[0]
    for _, n_k, mean_k, m2_k in parts[1:]:
        delta = mean_k - mean
        total = count + n_k
        mean = mean + delta * (n_k / total)
        m2 = m2 + m2_k + delta * delta * (count * n_k / total)
        count = total
    return mean, m2 / count


def _batch_norm_rows(ctx, x, w, b, running_mean, running_var, momentum):
    """The forward on rows (NOTE [ Batch norm on rows ])."""
    xp = ctx.xp
    x3 = _channel_rows(x)
    count = x3.shape[0] * x3.shape[2]
    y = xp.empty_like(x3)
    if ctx.training:
        def centre(lo, hi):  # y = x - the part's mean; (lo, count, mean, centred sum of squares)
            yk, n_k = y[lo:hi], (hi - lo) * x3.shape[2]
            mean_k = _channel_sum(xp, x3[lo:hi]) / n_k
            xp.subtract(x3[lo:hi], mean_k[:, None], out=yk)
            return lo, n_k, mean_k, _channel_dot(xp, yk, yk)

        parts = _row_parts(xp, x3, centre, 5)
        mean, var = _joined_moments(parts)
        _update_running(running_mean, running_var, mean, var, count, momentum)
        rstd = 1.0 / xp.sqrt(var + ctx.eps)
        scale = (rstd if w is None else rstd * w)[:, None]
        recentre = {lo: (mean_k - mean)[:, None] for lo, _, mean_k, _ in parts} \
            if len(parts) > 1 else {}

        def normalise(lo, hi):
            yk = y[lo:hi]
            if lo in recentre:  # from the part's mean to the batch's
                yk += recentre[lo]
            yk *= scale
            if b is not None:
                yk += b[:, None]
    else:
        mean = running_mean.astype(x.dtype, copy=True)
        rstd = (1.0 / xp.sqrt(running_var + ctx.eps)).astype(x.dtype, copy=False)
        scale = rstd if w is None else rstd * w
        shift = (-mean * scale if b is None else b - mean * scale)[:, None]

        def normalise(lo, hi):
            yk = y[lo:hi]
            xp.multiply(x3[lo:hi], scale[:, None], out=yk)
            yk += shift
    _row_parts(xp, x3, normalise, 5)
    shape = _channel_shape(x.shape)
    ctx.mean, ctx.rstd = mean.reshape(shape), rstd.reshape(shape)
    ctx.fused = True
    return y.reshape(x.shape)


def _batch_norm_rows_backward(ctx, g, x, w):
    """gx, gw, gb on rows (NOTE [ Batch norm on rows ]), as Tensors: with xc = x - mean,
    gx = k * (g - mean(g) - xc * rstd^2 * mean(g * xc)) for k = rstd * w in training (the batch
    statistics depend on x), gx = k * g in evaluation."""
    need = ctx.needs_input_grad
    xp = ctx.xp
    x3 = _channel_rows(x)
    g3 = xp.ascontiguousarray(g).reshape(x3.shape)
    count = x3.shape[0] * x3.shape[2]
    rstd = ctx.rstd.reshape(-1)
    mean = ctx.mean.reshape(-1)[:, None]

    def sums(lo, hi):  # (lo, x - mean, the part's sums of g and of g * (x - mean))
        xc, gk = x3[lo:hi] - mean, g3[lo:hi]
        return lo, xc, _channel_sum(xp, gk), _channel_dot(xp, gk, xc)

    parts = _row_parts(xp, x3, sums, 7)
    centred = {lo: xc for lo, xc, _, _ in parts}
    sum_g = sum(p[2] for p in parts)
    sum_gxc = sum(p[3] for p in parts)
    gx = gw = gb = None
    if len(need) > 2 and need[2]:
        gb = _make(sum_g.reshape(ctx.b_shape))
    if len(need) > 1 and need[1]:
        gw = _make((sum_gxc * rstd).reshape(w.shape))
    if need[0]:
        k = rstd if w is None else rstd * w
        x_factor = (-k * rstd * rstd * sum_gxc / count)[:, None]
        shift = (-k * sum_g / count)[:, None]
        gx = xp.empty_like(g3)

        def input_grad(lo, hi):
            gk = gx[lo:hi]
            xp.multiply(g3[lo:hi], k[:, None], out=gk)
            if ctx.training:
                xc = centred[lo]
                xc *= x_factor
                gk += xc
                gk += shift

        _row_parts(xp, x3, input_grad, 7)
        gx = _make(gx.reshape(x.shape))
    return gx, gw, gb


def _update_running(running_mean, running_var, mean, var, count, momentum):
    """The running statistics' update from a batch's mean and biased variance over `count`
    values per channel (the variance is stored unbiased)."""
    if running_mean is not None:
        _update(running_mean, mean, momentum)
    if running_var is not None:
        _update(running_var, var * (count / max(count - 1, 1)), momentum)


def _update(running, batch_stat, momentum):
    """running = (1 - momentum) * running + momentum * batch_stat, in place (as PyTorch does,
    without a version bump). An expanded running tensor (its channels share memory) is updated
    channel by channel, each reading what the one before wrote, as torch's kernel does."""
    if type(running) is not np.ndarray or running.flags.writeable:  # device arrays: no flag
        running *= 1.0 - momentum
        running += (momentum * batch_stat).astype(running.dtype, copy=False)
        return
    shared = writable_alias(running)
    for c in range(shared.shape[0]):
        shared[c] = (1.0 - momentum) * shared[c] + momentum * batch_stat[c]


class NativeLayerNorm(Op):
    """NOTE [ Layer norm on rows ]: the input is viewed as rows of the normalised size n, and
    every per-row reduction (mean, variance, the two sums of backward) is a matrix-vector product
    with a vector of 1/n (one BLAS call, ~8x faster than a NumPy reduction along a short last
    axis); the first-order backward is fused on arrays from the mean and 1/std forward kept."""
    _listed_inputs = (0, 1, 2)  # input, weight, bias (next_functions)

    def forward(ctx, x, w, b, normalized_ndim, eps):
        ctx.training, ctx.eps = True, eps
        ctx.b_shape = None if b is None else b.shape
        axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
        ctx.axes = axes
        xp = ctx.xp
        ctx.n = n = math.prod(x.shape[axes[0]:])
        if x.dtype not in (np.float32, np.float64) or n == 0:  # NumPy's own reductions
            mean, rstd, xc, _ = _moments(xp, x, axes, eps)
            ctx.mean = ctx.rstd = None
            ctx.save_for_backward(x, w)
            return _affine(xc * rstd, w, b, x.shape[axes[0]:]).astype(x.dtype, copy=False)
        rows = x.reshape(-1, n)
        avg = xp.full(n, 1.0 / n, x.dtype)
        mean = (rows @ avg)[:, None]
        y = rows - mean
        var = xp.einsum("ij,ij->i", y, y) / n
        var += eps
        rstd = (1.0 / xp.sqrt(var))[:, None]
        y *= rstd
        ctx.mean, ctx.rstd = mean, rstd
        ctx.save_for_backward(x, w)
        if w is not None:
            y *= w.reshape(-1)
        if b is not None:
            y += b.reshape(-1)
        return y.reshape(x.shape)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        axes = ctx.axes
        if _grad_state.enabled or ctx.mean is None:
            return _backward(ctx, g, x, w, None, axes, x.shape[axes[0]:], tuple(range(axes[0])))
        return _layer_norm_backward(ctx, g._data, x._data, None if w is None else w._data)


# NOTE [ Layer norm's backward on x ]: with xhat = x * rstd - shift (shift = mean * rstd, per row)
# the first-order backward needs no centred copy of x: gw sums g * x by rows weighted by rstd
# less g weighted by shift (two matrix-vector products), and gx = rstd * gy + x * (-rstd^2 * m) +
# rstd * (shift * m - mean(gy)) with gy = g * w and m = mean(gy * xhat), taken from the row dot
# products of gy with x and with ones: 6 passes over the rows instead of 8 (x - mean, its scaling
# and the scaled copy of the centred form), as PyTorch's CPU kernel computes gx. Both sums lose
# about log2 |shift| bits to cancellation where a row's mean is large against its spread, so a
# tensor with any |shift| over _FOLDED_SHIFT takes the centred form.
_FOLDED_SHIFT = 2.0


def _layer_norm_backward(ctx, g, x, w):
    """gx, gw, gb of layer norm on rows (NOTE [ Layer norm on rows ], NOTE [ Layer norm's backward
    on x ]), as Tensors: from x itself, or from the centred rows xhat where any |shift| is over
    _FOLDED_SHIFT."""
    need = ctx.needs_input_grad
    n, xp, rstd = ctx.n, ctx.xp, ctx.rstd
    rows, g_rows = x.reshape(-1, n), g.reshape(-1, n)
    shift = ctx.mean * rstd
    xhat = None
    if float(xp.abs(shift).max(initial=0.0)) > _FOLDED_SHIFT:
        xhat = rows - ctx.mean
        xhat *= rstd
    gx = gw = gb = None
    if len(need) > 2 and need[2]:
        gb = _make((ones_vector(xp, rows.shape[0], g.dtype) @ g_rows).reshape(ctx.b_shape))
    if len(need) > 1 and need[1]:
        if xhat is None:
            gw = rstd[:, 0] @ (g_rows * rows)
            gw -= shift[:, 0] @ g_rows
        else:
            gw = ones_vector(xp, rows.shape[0], g.dtype) @ (g_rows * xhat)
        gw = _make(gw.reshape(w.shape))
    if need[0]:
        gy = g_rows * w.reshape(-1) if w is not None else g_rows.copy()
        mean_gy = (gy @ xp.full(n, 1.0 / n, g.dtype))[:, None]
        if xhat is None:
            m = (xp.einsum("ij,ij->i", gy, rows) / n)[:, None] * rstd - shift * mean_gy
            gy *= rstd
            x_part = rows * (-rstd * rstd * m)
            gy += x_part
            gy += rstd * (shift * m - mean_gy)
        else:
            xhat *= (xp.einsum("ij,ij->i", gy, xhat) / n)[:, None]
            gy -= mean_gy
            gy -= xhat
            gy *= rstd
        gx = _make(gy.reshape(x.shape))
    return gx, gw, gb


class NativeGroupNorm(Op):
    _listed_inputs = (0, 1, 2)  # input, weight, bias (next_functions)

    def forward(ctx, x, w, b, num_groups, eps):
        ctx.training, ctx.eps = True, eps
        ctx.fmt = suggest(x)
        ctx.b_shape = None if b is None else b.shape
        ctx.stat_shape = (x.shape[0], num_groups, -1)
        mean, rstd, xc, _ = _moments(ctx.xp, x.reshape(ctx.stat_shape), (2,), eps)
        ctx.mean, ctx.rstd = mean, rstd
        ctx.save_for_backward(x, w)
        y = _affine((xc * rstd).reshape(x.shape), w, b, _channel_shape(x.shape))
        return lay_out(ctx.xp, y, ctx.fmt)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        w_axes = (0,) + tuple(range(2, x.ndim))
        return _laid_out_grads(
            _backward(ctx, g, x, w, ctx.stat_shape, (2,), _channel_shape(x.shape), w_axes),
            ctx.fmt)


def _channel_shape(shape):
    return (1, shape[1]) + (1,) * (len(shape) - 2)


def _check_numel(name, t, n):
    if t is not None and t.numel() != n:
        raise RuntimeError(f"{name} should contain {n} elements not {t.numel()}")


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled=True):
    """torch.batch_norm: normalise over every dim but 1; in training, update the running stats
    in place with the batch mean and the unbiased batch variance."""
    check_batch_norm(input, weight, bias, running_mean, running_var, training)
    if input.device.type == "cpu":
        _check_mixed_dtypes(input, (weight, bias, running_mean, running_var))
    return NativeBatchNorm.apply(input, weight, bias, running_mean, running_var, bool(training),
                                 float(momentum), float(eps))


def check_batch_norm(input, weight, bias, running_mean, running_var, training):
    """batch_norm's checks but the dtypes' mix (instance_norm, built on the same op, takes any)."""
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or more input (got {input.dim()}D input)")
    c = input.shape[1]
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be "
                           "defined in evaluation mode")
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_numel(name, t, c)
    refuse_non_floating("batch_norm", input)


def _check_mixed_dtypes(input, params):
    """torch's CPU batch norm takes parameters (and running statistics) of another dtype than its
    input only as float32 beside a float16 (or bfloat16, which ember has no tensors of) input."""
    given = [t for t in params if t is not None]
    if all(t.dtype == input.dtype for t in given):
        return
    if any(t.dtype != _dtype.float32 for t in given):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if input.dtype != _dtype.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """Normalise over the trailing dims given by normalized_shape (biased variance)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(int(s) for s in normalized_shape)
    k = len(shape)
    x = input._data  # NumPy's shapes: no Size made per check
    if k == 0 or x.ndim < k or x.shape[x.ndim - k:] != shape:
        raise RuntimeError(f"Given normalized_shape={shape_str(shape)}, expected input with "
                           f"shape [*, {', '.join(str(s) for s in shape)}], but got input of "
                           f"size{shape_str(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t._data.shape != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {shape_str(t.shape)} and normalized_shape "
                               f"= {shape_str(shape)}")
    refuse_non_floating("LayerNormKernelImpl", input)
    _check_param_dtypes(input, weight, bias)
    return NativeLayerNorm.apply(input, weight, bias, k, float(eps))


def _check_param_dtypes(input, weight, bias):
    """PyTorch's CPU rule: parameters share the input's dtype, except float32 ones for a 16-bit
    input (whose dtype the output keeps)."""
    dt = input._data.dtype
    params = [t._data.dtype for t in (weight, bias) if t is not None]
    if all(p == dt for p in params):
        return
    if dt.itemsize == 2 and dt.kind == "f" and len(set(params)) == 1 and params[0] == np.float32:
        return
    if dt == np.float32 or dt.itemsize == 2:
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """Normalise each of num_groups channel groups per sample; weight and bias are per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    c = input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {shape_str(input.shape)} and num_groups="
                           f"{num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape "
                               f"{shape_str(t.shape)} and input of shape "
                               f"{shape_str(input.shape)}")
    refuse_non_floating("GroupNormKernelImpl", input)
    return NativeGroupNorm.apply(input, weight, bias, int(num_groups), float(eps))
