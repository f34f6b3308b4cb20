"""Recurrent layers as one op: a whole LSTM or GRU layer (one direction) over a sequence.

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

NOTE [ GRU layer op ]
`GruLayer` is the same for a GRU layer direction (gates r, z, n; h' = n + z (h - n) with
n = tanh(W_in x + b_in + r (W_hn h + b_hn))). Its grad_fn is GruLayerBackward0: PyTorch's CPU GRU
is not one op (its output's grad_fn is the StackBackward0 of per-step nodes), so there is no name
of PyTorch's to take. A GRU has no cell state, so every gate is a function of the step's input and
the previous h, which the output holds: the create_graph path recomputes all steps' gates at once
from the saved inputs and output, and backpropagation through time needs one small GEMM and a few
ufuncs per step, every other factor being computed for the whole sequence before the loop. A
2-layer GRU language model's training step (35 steps, batch 20, hidden 128) ran 48 -> 24 ms,
single-threaded (benchmarks/bench_rnn.py has it against torch). `RnnLayer` does the same for the
Elman RNN, h' = tanh or relu(W_ih x + b_ih + W_hh h + b_hh) (grad_fn RnnLayerBackward0): the same
model with a tanh RNN ran 21-22 -> 12 ms.
"""
from .._tensor import _make
from ..autograd.grad_mode import state as _grad_state
from ._common import quiet
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
        with quiet():  # exp(-a) overflows to inf for very negative a: -> 0
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


def _gru_scale(xp, hidden, dtype):
    """0.5 on the r and z gate columns, 1 on n: sigmoid(x) = 0.5 * tanh(0.5 * x) + 0.5, as in
    _gate_affine, so one tanh call serves both sigmoid gates."""
    scale = xp.full(3 * hidden, 0.5, dtype=dtype)
    scale[2 * hidden:] = 1.0
    return scale


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


class GruLayer(Op):
    """(output, h_n) of one GRU layer direction; gates ordered (reset, update, new) as in
    PyTorch. NOTE [ GRU layer op ]."""

    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, reverse):
        xp = ctx.xp
        T, B, I = x.shape
        H = w_hh.shape[1]
        dt = x.dtype
        scale = _gru_scale(xp, H, dt)
        # every step's input projection in one GEMM; acts[t] then holds step t's gates (r, z, n)
        acts = xp.matmul(x.reshape(T * B, I), w_ih.T * scale).reshape(T, B, 3 * H)
        if b_ih is not None:
            acts += b_ih * scale
            acts[:, :, :2 * H] += b_hh[:2 * H] * 0.5
        w_hh_scaled = xp.ascontiguousarray(w_hh.T * scale)
        recs = xp.empty((T, B, 3 * H), dt)  # W_hh h per step; its n part + b_hn is kept: ghn
        out = xp.empty((T, B, H), dt)
        tmp = xp.empty((B, H), dt)
        h = h0
        for t in _steps(T, reverse):
            a, rec = acts[t], recs[t]
            xp.matmul(h, w_hh_scaled, out=rec)
            rz = a[:, :2 * H]
            rz += rec[:, :2 * H]
            xp.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            ghn = rec[:, 2 * H:]
            if b_hh is not None:
                ghn += b_hh[2 * H:]
            n = a[:, 2 * H:]
            xp.multiply(a[:, :H], ghn, out=tmp)
            n += tmp
            xp.tanh(n, out=n)
            xp.subtract(h, n, out=tmp)
            tmp *= a[:, H:2 * H]
            h = out[t]
            xp.add(n, tmp, out=h)
        ctx.reverse = reverse
        if ctx.recording:
            ctx.acts, ctx.ghn = acts, recs[:, :, 2 * H:]
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, out)
        return out, h.copy()

    def backward(ctx, g_out, g_h):
        saved = ctx.saved_tensors
        H = saved[2].shape[1]
        if _grad_state.enabled:
            ns = _TensorNS
            gates = _gru_recompute(ns, *saved, ctx.reverse)
            return _gru_bptt(ns, ctx.needs_input_grad, saved, *gates, g_out, g_h, ctx.reverse)
        ns = _ArrayNS(ctx.xp)
        arrays = [None if s is None else s._data for s in saved]
        acts = ctx.acts
        grads = _gru_bptt(ns, ctx.needs_input_grad, arrays, acts[:, :, :H], acts[:, :, H:2 * H],
                          acts[:, :, 2 * H:], ctx.ghn, g_out._data, g_h._data, ctx.reverse)
        return tuple(None if g is None else _make(g) for g in grads)


def _gru_recompute(ns, x, w_ih, w_hh, b_ih, b_hh, h0, out, reverse):
    """The gates r, z, n and W_hn h + b_hn of every step of a forward pass, from its inputs and
    output h (all at once: each step's gates need only the previous h, which the output holds)."""
    T, B, I = x.shape
    H = w_hh.shape[1]
    gi = x.reshape(T * B, I) @ w_ih.T
    gh = _previous(ns, out, h0, reverse).reshape(T * B, H) @ w_hh.T
    if b_ih is not None:
        gi = gi + b_ih
        gh = gh + b_hh
    gi, gh = gi.reshape(T, B, 3 * H), gh.reshape(T, B, 3 * H)
    r = ns.sigmoid(gi[:, :, :H] + gh[:, :, :H])
    z = ns.sigmoid(gi[:, :, H:2 * H] + gh[:, :, H:2 * H])
    ghn = gh[:, :, 2 * H:]
    return r, z, ns.tanh(gi[:, :, 2 * H:] + r * ghn), ghn


def _gru_bptt(ns, need, saved, r, z, n, ghn, g_out, g_h, reverse):
    """Gradients of (output, h_n) with respect to (x, w_ih, w_hh, b_ih, b_hh, h0)."""
    x, w_ih, w_hh, b_ih, b_hh, h0, out = saved
    T, B, I = x.shape
    H = w_hh.shape[1]
    h_prev = _previous(ns, out, h0, reverse)
    # Per unit of dh, the gradient of each pre-activation: n's is (1 - z)(1 - n^2), z's
    # (h - n) z (1 - z), r's n's times (W_hn h + b_hn) r (1 - r); W_hh h's n part gets n's times r.
    dn = (1.0 - z) * (1.0 - n * n)
    dz = (h_prev - n) * z * (1.0 - z)
    dr = dn * ghn * r * (1.0 - r)
    per_dh = ns.cat([dr, dz, dn * r], 2).reshape(T, B, 3, H)
    dh = g_h
    d_gh, dhs = ns.steps(T, per_dh[0].reshape(B, 3 * H)), ns.steps(T, g_h)
    for t in _steps(T, not reverse):
        dh = dh + g_out[t]
        dhs[t] = dh
        d = (dh.reshape(B, 1, H) * per_dh[t]).reshape(B, 3 * H)
        d_gh[t] = d
        dh = dh * z[t] + d @ w_hh
    d_gh = ns.joined(d_gh)
    d_gi = ns.cat([d_gh[:, :, :2 * H], ns.joined(dhs) * dn], 2).reshape(T * B, 3 * H)
    d_gh = d_gh.reshape(T * B, 3 * H)
    dx = (d_gi @ w_ih).reshape(T, B, I) if need[0] else None
    dw_ih = d_gi.T @ x.reshape(T * B, I) if need[1] else None
    dw_hh = d_gh.T @ h_prev.reshape(T * B, H) if need[2] else None
    db_ih = d_gi.sum(0) if len(need) > 3 and need[3] else None
    db_hh = d_gh.sum(0) if len(need) > 4 and need[4] else None
    return dx, dw_ih, dw_hh, db_ih, db_hh, dh if need[5] else None


class RnnLayer(Op):
    """(output, h_n) of one Elman RNN layer direction, nonlinearity "tanh" or "relu"
    (NOTE [ GRU layer op ])."""

    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity, reverse):
        xp = ctx.xp
        T, B, I = x.shape
        pre = xp.matmul(x.reshape(T * B, I), w_ih.T).reshape(T, B, -1)
        if b_ih is not None:
            pre += b_ih + b_hh
        w_hh_t = xp.ascontiguousarray(w_hh.T)
        rec = xp.empty(h0.shape, x.dtype)
        h = h0
        for t in _steps(T, reverse):
            xp.matmul(h, w_hh_t, out=rec)
            h = pre[t]  # the output is written over the input projection, step by step
            h += rec
            if nonlinearity == "tanh":
                xp.tanh(h, out=h)
            else:
                xp.maximum(h, 0, out=h)
        ctx.nonlinearity, ctx.reverse = nonlinearity, reverse
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, pre)
        return pre, h.copy()

    def backward(ctx, g_out, g_h):
        saved = ctx.saved_tensors
        if _grad_state.enabled:
            return _rnn_bptt(_TensorNS, ctx.needs_input_grad, saved, ctx.nonlinearity, g_out,
                             g_h, ctx.reverse)
        arrays = [None if s is None else s._data for s in saved]
        grads = _rnn_bptt(_ArrayNS(ctx.xp), ctx.needs_input_grad, arrays, ctx.nonlinearity,
                          g_out._data, g_h._data, ctx.reverse)
        return tuple(None if g is None else _make(g) for g in grads)


def _rnn_bptt(ns, need, saved, nonlinearity, g_out, g_h, reverse):
    """Gradients of (output, h_n) with respect to (x, w_ih, w_hh, b_ih, b_hh, h0). The slope of
    the nonlinearity is a function of its output (1 - h^2, or h > 0), which the output holds, so
    the create_graph path needs nothing recomputed."""
    x, w_ih, w_hh, b_ih, b_hh, h0, out = saved
    T, B, I = x.shape
    H = w_hh.shape[1]
    slope = 1.0 - out * out if nonlinearity == "tanh" else out > 0
    dh = g_h
    d_pre = ns.steps(T, g_h)
    for t in _steps(T, not reverse):
        d = (dh + g_out[t]) * slope[t]
        d_pre[t] = d
        dh = d @ w_hh
    d_pre = ns.joined(d_pre).reshape(T * B, H)
    dx = (d_pre @ w_ih).reshape(T, B, I) if need[0] else None
    dw_ih = d_pre.T @ x.reshape(T * B, I) if need[1] else None
    dw_hh = d_pre.T @ _previous(ns, out, h0, reverse).reshape(T * B, H) if need[2] else None
    db_ih = d_pre.sum(0) if need[3] else None
    db_hh = d_pre.sum(0) if need[4] else None  # equal to db_ih, but its own tensor
    return dx, dw_ih, dw_hh, db_ih, db_hh, dh if need[5] else None


def rnn_layer(input, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity="tanh", reverse=False):
    """One direction of one Elman RNN layer over a sequence-first batched input (T, B, I), from
    the initial state h0 (B, H); returns (output (T, B, H), h_n)."""
    return RnnLayer.apply(input, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity, reverse)


def gru_layer(input, w_ih, w_hh, b_ih, b_hh, h0, reverse=False):
    """One direction of one GRU layer over a sequence-first batched input (T, B, I), from the
    initial state h0 (B, H); returns (output (T, B, H), h_n)."""
    return GruLayer.apply(input, w_ih, w_hh, b_ih, b_hh, h0, reverse)


def lstm_layer(input, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
    """One direction of one LSTM layer over a sequence-first batched input (T, B, I), from the
    initial state h0, c0 (B, H); returns (output (T, B, H), h_n, c_n)."""
    return LstmLayer.apply(input, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse)
