"""OpInfo entries for ember/ops/norm.py (torch.batch_norm, torch.layer_norm, torch.group_norm)."""
import numpy as np

from . import OpInfo

EPS = 1e-5


def _normalise(x, axes):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS)


def _channel(v, ndim):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _bn_train_ref(x, w, b):
    axes = (0,) + tuple(range(2, x.ndim))
    return _normalise(x, axes) * _channel(w, x.ndim) + _channel(b, x.ndim)


def _bn_eval_ref(x, w, b):
    rm, rv = _running(x.shape[1])
    y = (x - _channel(rm, x.ndim)) / np.sqrt(_channel(rv, x.ndim) + EPS)
    return y * _channel(w, x.ndim) + _channel(b, x.ndim)


def _running(c):
    """Fixed running statistics for the evaluation-mode entries."""
    return np.linspace(-0.5, 0.5, c), np.linspace(0.5, 2.0, c)


def _bn(training):
    def fn(m, x, w, b):
        rm, rv = _running(x.shape[1])
        rm = m.tensor(rm, dtype=x.dtype, device=x.device)
        rv = m.tensor(rv, dtype=x.dtype, device=x.device)
        return m.batch_norm(x, w, b, rm, rv, training, 0.1, EPS, False)
    return fn


def _ln_ref(x, w, b):
    k = w.ndim
    return _normalise(x, tuple(range(x.ndim - k, x.ndim))) * w + b


def _gn_ref(groups):
    def ref(x, w, b):
        xr = x.reshape(x.shape[0], groups, -1)
        y = _normalise(xr, (2,)).reshape(x.shape)
        return y * _channel(w, x.ndim) + _channel(b, x.ndim)
    return ref


OPS = [
    OpInfo("batch_norm_train", _bn(True), [((4, 3), (3,), (3,)), ((3, 2, 4), (2,), (2,)),
                                           ((2, 2, 2, 3), (2,), (2,))],
           ref=_bn_train_ref, grad_fn="NativeBatchNormBackward0"),
    OpInfo("batch_norm_train_no_affine", lambda m, x: m.batch_norm(
               x, None, None, None, None, True, 0.1, EPS, False), [((3, 2, 4),)],
           ref=lambda x: _normalise(x, (0, 2)), grad_fn="NativeBatchNormBackward0"),
    OpInfo("batch_norm_eval", _bn(False), [((4, 3), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,))],
           ref=_bn_eval_ref, grad_fn="NativeBatchNormBackward0"),
    OpInfo("layer_norm", lambda m, x, w, b: m.layer_norm(x, tuple(w.shape), w, b, EPS),
           [((3, 5), (5,), (5,)), ((2, 3, 4), (3, 4), (3, 4)), ((4,), (4,), (4,))],
           ref=_ln_ref, grad_fn="NativeLayerNormBackward0",
           error_inputs=(lambda m: m.nn.functional.layer_norm(m.ones(2, 3), (4,)),)),
    OpInfo("layer_norm_no_affine", lambda m, x: m.layer_norm(x, (4,)), [((3, 4),)],
           ref=lambda x: _normalise(x, (1,)), grad_fn="NativeLayerNormBackward0"),
    OpInfo("group_norm", lambda m, x, w, b: m.group_norm(x, 2, w, b, EPS),
           [((2, 4, 3), (4,), (4,)), ((3, 6), (6,), (6,)), ((2, 2, 2, 2), (2,), (2,))],
           ref=_gn_ref(2), grad_fn="NativeGroupNormBackward0",
           error_inputs=(lambda m: m.nn.functional.group_norm(m.ones(2, 6, 2), 4),)),
    OpInfo("group_norm_no_affine", lambda m, x: m.group_norm(x, 3), [((2, 3, 4),)],
           ref=lambda x: _normalise(x.reshape(2, 3, -1), (2,)).reshape(x.shape),
           grad_fn="NativeGroupNormBackward0"),
]
