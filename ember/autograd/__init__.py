"""Autograd: graph nodes, the backward engine, Function, grad modes, gradcheck, Variable."""
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import Function, NestedIOFunction, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck
from ._multithreading import is_multithreading_enabled, set_multithreading_enabled
from ._torch_function import handle_torch_function, has_torch_function, is_tensor_like
from . import profiler
from . import anomaly_mode, forward_ad, functional, graph

__all__ = ["backward", "grad", "Function", "NestedIOFunction", "once_differentiable",
           "enable_grad", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
           "no_grad", "set_grad_enabled", "Variable", "gradcheck", "gradgradcheck", "functional",
           "anomaly_mode", "detect_anomaly", "set_detect_anomaly", "graph", "forward_ad",
           "is_multithreading_enabled", "set_multithreading_enabled", "handle_torch_function",
           "has_torch_function", "is_tensor_like", "profiler"]
