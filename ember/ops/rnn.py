"""Recurrent layers as one op: a whole LSTM layer (one direction) over a sequence.

NOTE [ LSTM layer op ]
`LstmLayer` runs one direction of one LSTM layer over the whole sequence, as PyTorch's CPU kernel
does (its grad_fn is PyTorch's MkldnnRnnLayerBackward0, with PyTorch's argument order: input,
w_ih, w_hh, b_ih, b_hh, h0, c0). Forward projects every time step's input in one GEMM, then
loops over time on arrays: one small GEMM and a handful of fused in-place ufuncs per step.

Backward is backpropagation through time, written once in `_bptt` against a namespace `ns` and
Python operators: plain arrays with NumPy (CuPy) when no graph is needed, Tensors with ember ops
under create_graph, so higher-order gradients need no second derivation. The gate activations and
cell states backward needs are intermediates: a first-order backward (grad mode off) takes the
arrays forward kept on ctx; under create_graph `_recompute` rebuilds them from the saved inputs
and output with ember ops, so the gradient is a differentiable function of the inputs (a saved
intermediate would silently be treated as a constant; NOTE [ Norm statistics in backward ]).
"""
import numpy as np

from .._tensor import _make
from ..autograd.grad_mode import state as _grad_state
from ._op import Op
from .join import cat, stack
from .unary import sigmoid, tanh

__all__ = []


class _ArrayNS:
    """The few functions `_bptt` needs beyond operators, on backend arrays."""

    def __init__(self, xp):
        self.xp = xp

    def cat(self, arrays, dim):
        return self.xp.concatenate(arrays, axis=dim)

    def const(self, array):
        return array

    def steps(self, T, like):
        """A sequence of T arrays shaped like `like`, filled by index, then `joined`."""
        return self.xp.empty((T,) + like.shape, like.dtype)

    def joined(self, steps):
        return steps

    def tanh(self, a):
        return self.xp.tanh(a)

    def sigmoid(self, a):
        with np.errstate(over="ignore"):  # exp(-a) overflows to inf for very negative a: -> 0
            return 1.0 / (1.0 + self.xp.exp(-a))


class _TensorNS:
    """The same functions on Tensors, as differentiable ember ops (create_graph)."""

    @staticmethod
    def cat(tensors, dim):
        return cat(tensors, dim)

    const = staticmethod(_make)

    @staticmethod
    def steps(T, like):
        return [None] * T

    @staticmethod
    def joined(steps):
        return stack(steps, 0)

    tanh = staticmethod(tanh)
    sigmoid = staticmethod(sigmoid)


def _gate_affine(xp, hidden, dtype):
    """Per gate column (i, f, g, o): sigmoid(x) = 0.5 * tanh(0.5 * x) + 0.5, so one tanh over
    all four gates of x * scale, times scale, plus shift, gives sigmoid, sigmoid, tanh, sigmoid.
    Scaling by 0.5 is exact in floating point."""
    scale = xp.full(4 * hidden, 0.5, dtype=dtype)
    scale[2 * hidden:3 * hidden] = 1.0
    shift = xp.full(4 * hidden, 0.5, dtype=dtype)
    shift[2 * hidden:3 * hidden] = 0.0
    return scale, shift


def _gate_slope(xp, hidden, dtype):
    """p, q per gate column (i, f, g, o) with a gate's derivative a (p - a) + q from its value a:
    (1, 0) for sigmoid, (0, 1) for tanh."""
    p = xp.ones(4 * hidden, dtype=dtype)
    p[2 * hidden:3 * hidden] = 0.0
    return p, 1.0 - p


def _steps(T, reverse):
    return range(T - 1, -1, -1) if reverse else range(T)


def _previous(ns, seq, first, reverse):
    """The state each time step starts from: `first` at the first step processed, then seq's."""
    first = first.reshape((1,) + tuple(first.shape))
    return ns.cat([seq[1:], first], 0) if reverse else ns.cat([first, seq[:-1]], 0)


class LstmLayer(Op, grad_fn="MkldnnRnnLayerBackward0"):
    """(output, h_n, c_n) of one LSTM layer direction; gates ordered (input, forget, cell, output)
    as in PyTorch. NOTE [ LSTM layer op ]."""

    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse):
        xp = ctx.xp
        T, B, I = x.shape
        H = w_hh.shape[1]
        dt = x.dtype
        scale, shift = _gate_affine(xp, H, dt)
        # every step's input projection in one GEMM; then acts[t] holds step t's gate activations
        acts = xp.matmul(x.reshape(T * B, I), w_ih.T * scale).reshape(T, B, 4 * H)
        if b_ih is not None:
            acts += (b_ih + b_hh) * scale
        w_hh_scaled = xp.ascontiguousarray(w_hh.T * scale)  # the layout the small GEMMs want
        out = xp.empty((T, B, H), dt)
        cs = xp.empty((T, B, H), dt)
        tcs = xp.empty((T, B, H), dt)
        rec = xp.empty((B, 4 * H), dt)
        ig = xp.empty((B, H), dt)
        h, c = h0, c0
        for t in _steps(T, reverse):
            a = acts[t]
            xp.matmul(h, w_hh_scaled, out=rec)
            a += rec
            xp.tanh(a, out=a)
            a *= scale
            a += shift
            xp.multiply(a[:, :H], a[:, 2 * H:3 * H], out=ig)
            xp.multiply(a[:, H:2 * H], c, out=cs[t])
            c = cs[t]
            c += ig
            xp.tanh(c, out=tcs[t])
            h = out[t]
            xp.multiply(a[:, 3 * H:], tcs[t], out=h)
        ctx.reverse = reverse
        if ctx.recording:
            ctx.acts, ctx.cs, ctx.tcs = acts, cs, tcs
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, out)
        return out, h.copy(), c.copy()

    def backward(ctx, g_out, g_h, g_c):
        saved = ctx.saved_tensors
        x, w_hh = saved[0]._data, saved[2]._data
        slope = _gate_slope(ctx.xp, w_hh.shape[1], x.dtype)
        if _grad_state.enabled:
            ns = _TensorNS
            acts, cs, tcs = _recompute(ns, *saved, ctx.reverse)
            return _bptt(ns, ctx.needs_input_grad, saved, acts, cs, tcs, slope, g_out, g_h, g_c,
                         ctx.reverse)
        ns = _ArrayNS(ctx.xp)
        arrays = [None if s is None else s._data for s in saved]
        grads = _bptt(ns, ctx.needs_input_grad, arrays, ctx.acts, ctx.cs, ctx.tcs, slope,
                      g_out._data, g_h._data, g_c._data, ctx.reverse)
        return tuple(None if g is None else _make(g) for g in grads)


def _recompute(ns, x, w_ih, w_hh, b_ih, b_hh, h0, c0, out, reverse):
    """The gate activations, cell states and their tanh of a forward pass, from its inputs and
    output h (each step's gates need only the previous h, which the output holds)."""
    T, B, I = x.shape
    H = w_hh.shape[1]
    h_prev = _previous(ns, out, h0, reverse)
    pre = x.reshape(T * B, I) @ w_ih.T + h_prev.reshape(T * B, H) @ w_hh.T
    if b_ih is not None:
        pre = pre + b_ih + b_hh
    pre = pre.reshape(T, B, 4 * H)
    acts = ns.cat([ns.sigmoid(pre[:, :, :2 * H]), ns.tanh(pre[:, :, 2 * H:3 * H]),
                   ns.sigmoid(pre[:, :, 3 * H:])], 2)
    cs = ns.steps(T, c0)
    c = c0
    for t in _steps(T, reverse):
        c = acts[t, :, H:2 * H] * c + acts[t, :, :H] * acts[t, :, 2 * H:3 * H]
        cs[t] = c
    cs = ns.joined(cs)
    return acts, cs, ns.tanh(cs)


def _bptt(ns, need, saved, acts, cs, tcs, slope, g_out, g_h, g_c, reverse):
    """Gradients of (output, h_n, c_n) with respect to (x, w_ih, w_hh, b_ih, b_hh, h0, c0)."""
    x, w_ih, w_hh, b_ih, b_hh, h0, c0, out = saved
    T, B, I = x.shape
    H = w_hh.shape[1]
    # d pre-activation / d (c, c, c, h) for the gates (i, f, g, o) is each gate's derivative,
    # a (p - a) + q (s (1 - s) for the sigmoids, 1 - g * g for tanh), times what it multiplies.
    # Worked out step by step: whole-sequence temporaries cost more than the arithmetic.
    p, q = (ns.const(v) for v in slope)
    dc_from_h = acts[:, :, 3 * H:] * (1.0 - tcs * tcs)  # d h / d c = o (1 - tanh(c) ** 2)
    dh, dc = g_h, g_c
    d_pre = ns.steps(T, acts[0])
    first = T - 1 if reverse else 0
    for t in _steps(T, not reverse):
        a, tc = acts[t], tcs[t]
        i, f, g = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H]
        c_prev = c0 if t == first else cs[t + 1] if reverse else cs[t - 1]
        dh = dh + g_out[t]
        dc = dc + dh * dc_from_h[t]
        dp = (ns.cat([dc, dc, dc, dh], 1) * (a * (p - a) + q)
              * ns.cat([g, c_prev, i, tc], 1))
        d_pre[t] = dp
        dh = dp @ w_hh
        dc = dc * f
    d_pre = ns.joined(d_pre).reshape(T * B, 4 * H)
    dx = (d_pre @ w_ih).reshape(T, B, I) if need[0] else None
    dw_ih = d_pre.T @ x.reshape(T * B, I) if need[1] else None
    dw_hh = None
    if need[2]:
        dw_hh = d_pre.T @ _previous(ns, out, h0, reverse).reshape(T * B, H)
    db_ih = d_pre.sum(0) if len(need) > 3 and need[3] else None
    db_hh = d_pre.sum(0) if len(need) > 4 and need[4] else None
    return (dx, dw_ih, dw_hh, db_ih, db_hh, dh if need[5] else None,
            dc if need[6] else None)


def lstm_layer(input, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
    """One direction of one LSTM layer over a sequence-first batched input (T, B, I), from the
    initial state h0, c0 (B, H); returns (output (T, B, H), h_n, c_n)."""
    return LstmLayer.apply(input, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse)
