"""OpInfo entries for ember/ops/activation.py (torch side: torch.nn.functional)."""
import math

import numpy as np

from ember.ops import activation as _ember_activation

from . import OpInfo

UNARY = [((2, 3),), ((),)]
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def _F(m):
    """torch.nn.functional, or the module ember's nn.functional binds to."""
    return _ember_activation if m.__name__ == "ember" else m.nn.functional


def _act(name, ref, grad_fn, *args, domain=(-3.0, 3.0), shapes=UNARY, **kw):
    return OpInfo(f"{name}{'_' if args else ''}{'_'.join(map(str, args))}",
                  lambda m, a: getattr(_F(m), name)(a, *args), shapes, domain=domain, ref=ref,
                  grad_fn=grad_fn, **kw)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _elu(x, alpha=1.0, scale=1.0, input_scale=1.0):
    return np.where(x > 0, scale * x, scale * alpha * np.expm1(x * input_scale))


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis):
    y = x - x.max(axis=axis, keepdims=True)
    return y - np.log(np.exp(y).sum(axis=axis, keepdims=True))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


OPS = [
    _act("relu", lambda a: np.maximum(a, 0), "ReluBackward0"),
    OpInfo("relu_method", lambda m, a: a.relu(), UNARY, ref=lambda a: np.maximum(a, 0),
           grad_fn="ReluBackward0"),
    _act("relu6", lambda a: np.clip(a, 0, 6), "HardtanhBackward0", domain=(-3.0, 8.0)),
    _act("leaky_relu", lambda a: np.where(a > 0, a, 0.01 * a), "LeakyReluBackward0"),
    _act("leaky_relu", lambda a: np.where(a > 0, a, 0.2 * a), "LeakyReluBackward0", 0.2),
    _act("elu", _elu, "EluBackward0"),
    _act("elu", lambda a: _elu(a, 0.5), "EluBackward0", 0.5),
    _act("selu", lambda a: _elu(a, _SELU_ALPHA, _SELU_SCALE), "EluBackward0"),
    _act("celu", lambda a: _elu(a, 0.7, 1.0, 1 / 0.7), "CeluBackward0", 0.7),
    _act("gelu", lambda a: a * 0.5 * (1 + _erf(a / math.sqrt(2))), "GeluBackward0"),
    OpInfo("gelu_tanh", lambda m, a: _F(m).gelu(a, approximate="tanh"), UNARY, domain=(-3, 3),
           ref=_gelu_tanh, grad_fn="GeluBackward0"),
    _act("silu", lambda a: a * _sigmoid(a), "SiluBackward0"),
    _act("mish", lambda a: a * np.tanh(np.log1p(np.exp(a))), "MishBackward0"),
    _act("softplus", lambda a: np.log1p(np.exp(a)), "SoftplusBackward0"),
    OpInfo("softplus_beta", lambda m, a: _F(m).softplus(a, beta=2.0, threshold=3.0), UNARY,
           domain=(-3.0, 3.0), ref=lambda a: np.where(2 * a > 3, a, np.log1p(np.exp(2 * a)) / 2),
           grad_fn="SoftplusBackward0"),
    _act("hardtanh", lambda a: np.clip(a, -1, 1), "HardtanhBackward0"),
    OpInfo("hardtanh_bounds", lambda m, a: _F(m).hardtanh(a, -0.5, 0.8), UNARY,
           ref=lambda a: np.clip(a, -0.5, 0.8), grad_fn="HardtanhBackward0"),
    _act("hardsigmoid", lambda a: np.clip(a + 3, 0, 6) / 6, "HardsigmoidBackward0",
         domain=(-4.0, 4.0)),
    _act("hardswish", lambda a: a * np.clip(a + 3, 0, 6) / 6, "HardswishBackward0",
         domain=(-4.0, 4.0)),
    _act("hardshrink", lambda a: np.where(np.abs(a) > 0.5, a, 0), "HardshrinkBackward0"),
    _act("softshrink", lambda a: np.sign(a) * np.maximum(np.abs(a) - 0.7, 0),
         "SoftshrinkBackward0", 0.7),
    _act("logsigmoid", lambda a: -np.log1p(np.exp(-a)), "LogSigmoidBackward0",
         domain=(-6.0, 6.0)),
    _act("softsign", lambda a: a / (1 + np.abs(a)), "DivBackward0"),
    _act("tanhshrink", lambda a: a - np.tanh(a), "SubBackward0"),
    OpInfo("threshold", lambda m, a: _F(m).threshold(a, 0.3, -2.0), UNARY,
           ref=lambda a: np.where(a > 0.3, a, -2.0), grad_fn="ThresholdBackward0"),
    OpInfo("sigmoid_extremes", lambda m, a: m.sigmoid(a * 60), [((2, 3),)],
           ref=lambda a: _sigmoid(a * 60), grad_fn="SigmoidBackward0", gradgrad=False),
    OpInfo("softmax", lambda m, a: _F(m).softmax(a, dim=1), [((2, 3),), ((2, 3, 2),)],
           ref=lambda a: _softmax(a, 1), grad_fn="SoftmaxBackward0",
           error_inputs=(lambda m: m.softmax(m.ones(2, 3), 2),)),
    OpInfo("softmax_last", lambda m, a: m.softmax(a, -1), [((2, 3),), ((4,),)],
           ref=lambda a: _softmax(a, -1), grad_fn="SoftmaxBackward0"),
    OpInfo("softmax_0d", lambda m, a: a.softmax(0), [((),)], ref=lambda a: np.ones_like(a),
           grad_fn="SoftmaxBackward0"),
    OpInfo("softmax_dtype", lambda m, a: _F(m).softmax(a, 0, dtype=m.float64), [((3, 2),)],
           ref=lambda a: _softmax(a, 0), grad_fn="SoftmaxBackward0", dtypes=("float32",)),
    OpInfo("log_softmax", lambda m, a: _F(m).log_softmax(a, dim=0), [((3, 2),), ((2, 2, 2),)],
           ref=lambda a: _log_softmax(a, 0), grad_fn="LogSoftmaxBackward0",
           error_inputs=(lambda m: m.log_softmax(m.ones(2, 3), -3),)),
    OpInfo("log_softmax_last", lambda m, a: a.log_softmax(-1), [((2, 3),), ((),)],
           ref=lambda a: _log_softmax(a, -1) if a.ndim else np.zeros_like(a),
           grad_fn="LogSoftmaxBackward0"),
    OpInfo("softmin", lambda m, a: _F(m).softmin(a, 1), [((2, 3),)],
           ref=lambda a: _softmax(-a, 1), grad_fn="SoftmaxBackward0"),
]
